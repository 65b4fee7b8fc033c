//! The PrivateLink path: the Forwarder path with internet egress replaced by an AWS PrivateLink
//! interface endpoint to Datadog (only for Datadog sites on AWS; [`super::Scenario::unavailable`]
//! says why not elsewhere). Per group: data processing on the PrivateLink tier ladder, pooled
//! per account and region; per account and region with such groups: the endpoint's hours in
//! each availability zone, an account-level line shared among those groups by their bytes.
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `privatelink_data` | compressed GiB, pooled | `privatelink.data` |
//! | `transfer_inter_region` | compressed GiB, when the group is outside the site's region | `transfer.inter_region` |
//! | `privatelink_endpoint_hours` | 3 endpoints x AZs x the month's hours (account-level) | `privatelink.endpoint_hour` |

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx, Shared};
use super::derive::gib;
use super::pools::Ladder;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario, cloudwatch, datadog, forwarder};
use crate::error::{Error, Result};
use crate::money::MicroUsd;

/// The interface endpoints the Forwarder needs (datadog-serverless-functions,
/// aws/logs_monitoring/README.md, VPC and proxy section): Datadog's API, its log intake, and
/// Secrets Manager for the API key; S3 is a gateway endpoint (free); `trace.agent` only when
/// traces are forwarded (not modeled).
pub const ENDPOINTS: [&str; 3] = ["api", "http-logs.intake", "secretsmanager"];

/// Hours in the calendar month starting on `month_start` (the real month: 672 to 744 hours).
pub fn hours_in_month(month_start: chrono::NaiveDate) -> Result<u32> {
    use chrono::Datelike;
    crate::period::Period::month(month_start.year(), month_start.month())
        .map(|p| p.days() as u32 * 24)
        .ok_or_else(|| Error::Internal(format!("no calendar month starts at {month_start}")))
}

/// The group's lines on the PrivateLink path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    cloudwatch::keep(b, prices, g, true)?;
    forwarder::lambda(b, prices, g, Decimal::ONE)?;
    let compressed = gib(g.derived.compressed_bytes);
    // A group outside the site's region crosses regions to reach the endpoint's service
    // (`every_path` made the path unavailable when the book has no price for that).
    if g.scenario.site.aws_region() != Some(g.region_name) {
        let (c, id) = (Component::TransferInterRegion, "transfer.inter_region");
        b.flat(prices, g, c, id, compressed)?;
    }
    b.pools.add(
        Ladder::PrivatelinkData,
        Component::PrivatelinkData,
        g,
        compressed,
    );
    // The endpoints' hours are shared among the groups that use them, by the bytes they send.
    b.endpoints
        .entry((g.account, g.region))
        .or_default()
        .push((g.group, compressed));
    let share = g.derived.datadog_share;
    datadog::lines(b, prices, g, share, g.scenario.indexed_fraction)
}

/// One endpoint-hours line per (account, region) that ships through PrivateLink, shared among
/// that account and region's PrivateLink groups in proportion to their compressed bytes.
pub(super) fn endpoint_lines(
    prices: &mut Prices,
    s: &Scenario,
    endpoints: BTreeMap<(u32, u32), Vec<(u32, Decimal)>>,
    lines: &mut Vec<Line>,
    shared: &mut Vec<Shared>,
) -> Result<()> {
    let id = "privatelink.endpoint_hour";
    for ((acct, reg), members) in endpoints {
        let f = prices.get(id, prices.region_name(reg))?;
        let start = s
            .month_start
            .ok_or_else(|| Error::Internal("the month priced is not set".into()))?;
        let month_hours = hours_in_month(start)?;
        let hours = Decimal::from(ENDPOINTS.len() as u32)
            * Decimal::from(s.privatelink_azs)
            * Decimal::from(month_hours);
        lines.push(Line {
            group: None,
            account: acct,
            region: reg,
            path: Path::DatadogPrivatelink,
            component: Component::PrivatelinkEndpointHours,
            quantity: hours,
            unit: "endpoint-AZ-hour",
            unit_price: f.flat(),
            cost: MicroUsd::from_usd(hours * f.flat()),
            price_id: id,
            price_status: f.status,
        });
        shared.push(Shared {
            line: lines.len() - 1,
            members,
        });
    }
    Ok(())
}
