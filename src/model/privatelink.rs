//! The PrivateLink path: the Forwarder path with internet egress replaced by an AWS PrivateLink
//! interface endpoint to Datadog (only for Datadog sites on AWS; [`super::Scenario::unavailable`]
//! says why not elsewhere). Per group: data processing on the PrivateLink tier ladder, pooled
//! per account and region; per account and region with such groups: the endpoint's hours in
//! each availability zone, an account-level line.
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `privatelink_data` | compressed GiB, pooled | `privatelink.data` |
//! | `transfer_inter_region` | compressed GiB, when the group is outside the site's region | `transfer.inter_region` |
//! | `privatelink_endpoint_hours` | 3 endpoints x AZs x the month's hours (account-level) | `privatelink.endpoint_hour` |

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx};
use super::derive::gib;
use super::pools::Ladder;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario, cloudwatch, datadog, forwarder};
use crate::error::Result;
use crate::money::MicroUsd;

/// The interface endpoints the Forwarder needs (datadog-serverless-functions,
/// aws/logs_monitoring/README.md, VPC and proxy section): Datadog's API, its log intake, and
/// Secrets Manager for the API key; S3 is a gateway endpoint (free); `trace.agent` only when
/// traces are forwarded (not modeled).
pub const ENDPOINTS: [&str; 3] = ["api", "http-logs.intake", "secretsmanager"];

/// Hours in the calendar month starting on `month_start` (the real month, not 730).
pub fn hours_in_month(month_start: chrono::NaiveDate) -> u32 {
    use chrono::Datelike;
    let (y, m) = (month_start.year(), month_start.month());
    let next = if m == 12 {
        chrono::NaiveDate::from_ymd_opt(y + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(y, m + 1, 1)
    };
    let first = chrono::NaiveDate::from_ymd_opt(y, m, 1);
    match (first, next) {
        (Some(a), Some(b)) => (b - a).num_days() as u32 * 24,
        _ => 730,
    }
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
    b.endpoints.insert((g.account, g.region));
    let share = g.derived.datadog_share;
    datadog::lines(b, prices, g, share, g.scenario.indexed_fraction)
}

/// One endpoint-hours line per (account, region) that ships through PrivateLink.
pub(super) fn endpoint_lines(
    prices: &mut Prices,
    s: &Scenario,
    endpoints: &BTreeSet<(u32, u32)>,
    lines: &mut Vec<Line>,
) -> Result<()> {
    let id = "privatelink.endpoint_hour";
    for &(acct, reg) in endpoints {
        let f = prices.get(id, prices.region_name(reg))?;
        let month_hours = s.month_start.map_or(730, hours_in_month);
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
    }
    Ok(())
}
