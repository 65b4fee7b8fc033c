//! The CloudWatch path: the group stays in CloudWatch Logs and is queried with Logs Insights.
//! Its lines: ingestion (Standard or Infrequent Access; vended logs on the vended tier ladder,
//! pooled per account and region), storage (GB-months held), and Insights scanning. The other
//! paths reuse [`keep`] for what they still pay CloudWatch, and the hybrid path [`insights`].
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `cloudwatch_ingest` / `cloudwatch_ingest_ia` | GiB in | `cwl.ingest.standard` / `cwl.ingest.ia` |
//! | `vended_ingest` / `vended_ingest_ia` | GiB in, pooled | `cwl.vended.standard` / `cwl.vended.ia` |
//! | `cloudwatch_storage` | GB-months | `cwl.storage` |
//! | `insights_scan` | GiB scanned | `cwl.insights.scan` |

use super::bill::{Bill, GroupCtx};
use super::derive::{gib, steady_state};
use super::pools::Ladder;
use super::prices::Prices;
use rust_decimal::Decimal;

use super::{BillingClass, Component};
use crate::error::Result;

/// The group's lines on the CloudWatch path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    keep(b, prices, g, false)?;
    insights(b, prices, g)
}

/// Ingestion and storage: what every path that keeps the data in CloudWatch Logs pays.
/// `forwarded`: the path ships the group to Datadog, so the scenario's
/// `retention_while_forwarded_days` (a what-if) sets the storage, except in today's scenario.
pub(super) fn keep(b: &mut Bill, prices: &mut Prices, g: &GroupCtx, forwarded: bool) -> Result<()> {
    ingest(b, prices, g)?;
    let s = g.scenario;
    let d = g.derived;
    let storage = match (forwarded && !g.today, s.retention_while_forwarded_days) {
        (true, Some(days)) => steady_state(gib(d.compressed_bytes), Some(days), s, d.month_days),
        _ => d.storage_gib_month,
    };
    b.flat(prices, g, Component::Storage, "cwl.storage", storage)?;
    b.free.add(g, Component::FreeTierStorage, storage);
    Ok(())
}

fn ingest(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    let d = g.derived;
    let c = d.ingest_component();
    match d.class.billing {
        BillingClass::Vended(l) if d.ia => b.pools.add(Ladder::VendedIa(l), c, g, d.gib_in),
        BillingClass::Vended(l) if d.waf_free_gib > Decimal::ZERO => {
            let cs = (c, Component::WafLogAllowance);
            let ladder = Ladder::VendedStandard(l);
            b.pools
                .add_with_credit(ladder, cs, g, d.gib_in, d.waf_free_gib)
        }
        BillingClass::Vended(l) => b.pools.add(Ladder::VendedStandard(l), c, g, d.gib_in),
        // DELIVERY: Lambda logs passing through to S3 or Firehose, on the vended delivery ladder.
        BillingClass::Delivery => b.pools.add(Ladder::VendedToFirehose, c, g, d.gib_in),
        BillingClass::Custom if d.ia => {
            b.flat(prices, g, c, "cwl.ingest.ia", d.gib_in)?;
        }
        BillingClass::Custom => {
            b.flat(prices, g, c, "cwl.ingest.standard", d.gib_in)?;
            b.free.add(g, Component::FreeTierIngest, d.gib_in);
        }
    }
    Ok(())
}

/// Logs Insights scanning, on the paths that keep querying in CloudWatch.
pub(super) fn insights(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    let scan = g.derived.scan_gib;
    b.flat(
        prices,
        g,
        Component::InsightsScan,
        "cwl.insights.scan",
        scan,
    )?;
    b.free.add(g, Component::FreeTierScan, scan);
    Ok(())
}
