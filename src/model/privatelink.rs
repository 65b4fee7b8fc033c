//! The PrivateLink path: the Forwarder path with internet egress replaced by an AWS PrivateLink
//! interface endpoint to Datadog (only for Datadog sites on AWS; [`super::Scenario::unavailable`]
//! says why not elsewhere). Per group: data processing on the PrivateLink tier ladder, pooled
//! per account and region; per account and region with such groups: the endpoint's hours in
//! each availability zone, an account-level line.
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `privatelink_data` | compressed GiB, pooled | `privatelink.data` |
//! | `privatelink_endpoint_hours` | AZs x 730 h (account-level) | `privatelink.endpoint_hour` |

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx};
use super::derive::gib;
use super::pools::Ladder;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario, cloudwatch, datadog, forwarder};
use crate::error::Result;
use crate::money::MicroUsd;

/// Hours in a billing month, as AWS's pricing examples count them.
const HOURS_PER_MONTH: u32 = 730;

/// The group's lines on the PrivateLink path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    cloudwatch::keep(b, prices, g, true)?;
    forwarder::lambda(b, prices, g, Decimal::ONE)?;
    let compressed = gib(g.derived.compressed_bytes);
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
        let hours = Decimal::from(s.privatelink_azs) * Decimal::from(HOURS_PER_MONTH);
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
