//! Datadog's bill for the share of a group that reaches it, on every Datadog path: ingestion on
//! the bytes of the Forwarder's JSON envelope, indexing per million events indexed (at the retention's price), and Flex
//! Logs storage for the events not indexed when the scenario uses Flex.
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `datadog_ingest` | envelope bytes / Datadog GB (10^9 or 2^30) x share | `datadog.ingest` |
//! | `datadog_index` | M events x share x indexed fraction | `datadog.index.<retention>` (x on-demand premium) |
//! | `datadog_flex` | M events x share x (1 - indexed fraction) x months kept | `datadog.flex.storage`, `datadog.flex_starter.storage` (`.on_demand` for on-demand) |

use rust_decimal::Decimal;

use super::Component;
use super::bill::{Bill, GroupCtx};
use super::prices::Prices;
use crate::error::Result;

/// Datadog lines for `share` of the group's volume, `indexed` of its events being indexed.
pub(super) fn lines(
    b: &mut Bill,
    prices: &mut Prices,
    g: &GroupCtx,
    share: Decimal,
    indexed: Decimal,
) -> Result<()> {
    let s = g.scenario;
    let d = g.derived;
    let million = Decimal::from(1_000_000);
    // Ingestion costs the same annual or on demand; Datadog meters the Forwarder's JSON, in its
    // own GB (the scenario's `datadog_gb`).
    let gb = Decimal::from(d.datadog_billed_bytes) / Decimal::from(s.datadog_gb.bytes()) * share;
    b.flat(prices, g, Component::DatadogIngest, "datadog.ingest", gb)?;
    let events = Decimal::from(d.events) * share;
    let index_id = s.index_price_id();
    let indexed_m = events * indexed / million;
    b.flat_times(
        prices,
        g,
        Component::DatadogIndex,
        index_id,
        indexed_m,
        g.premium,
    )?;
    if s.flex && indexed < Decimal::ONE {
        // Flex bills events stored per month: in steady state a month's events x the months kept.
        let months = Decimal::from(s.flex_retention_months);
        let flex_m = events * (Decimal::ONE - indexed) / million * months;
        // Flex and Flex Starter publish their own on-demand prices: no premium on top.
        let id = s.flex_price_id();
        b.flat(prices, g, Component::DatadogFlex, id, flex_m)?;
    }
    Ok(())
}
