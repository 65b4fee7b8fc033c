//! Egress of the compressed bytes a forwarding path ships out of AWS: the same-region public-IP
//! rate when the scenario says so and the Datadog site runs in the group's region, otherwise
//! internet egress on its tier ladder, pooled per account and region, with its free tier.
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `egress_same_region` | compressed GiB | `egress.same_region_public` |
//! | `egress_internet` | compressed GiB, pooled | `egress.internet` |

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx};
use super::pools::Ladder;
use super::prices::Prices;
use super::{Component, Egress};
use crate::error::Result;

/// Egress lines for `compressed_gib` shipped from the group's region.
pub(super) fn lines(
    b: &mut Bill,
    prices: &mut Prices,
    g: &GroupCtx,
    compressed_gib: Decimal,
) -> Result<()> {
    let s = g.scenario;
    if s.egress == Egress::SameRegion && s.site.aws_region() == Some(g.region_name) {
        let id = "egress.same_region_public";
        b.flat(prices, g, Component::EgressSameRegion, id, compressed_gib)
    } else {
        let c = Component::EgressInternet;
        b.pools.add(Ladder::EgressInternet, c, g, compressed_gib);
        b.free.add(g, Component::FreeTierEgress, compressed_gib);
        Ok(())
    }
}
