//! The hybrid path: everything stays in CloudWatch with Insights (the CloudWatch path's lines),
//! and a share (`hybrid_fraction`) is also forwarded by the Forwarder Lambda and indexed in full
//! in Datadog: the Lambda, egress and Datadog lines of that share.

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx};
use super::derive::gib;
use super::prices::Prices;
use super::{cloudwatch, datadog, egress, forwarder};
use crate::error::Result;

/// The group's lines on the hybrid path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    cloudwatch::lines(b, prices, g)?;
    let share = g.scenario.hybrid_fraction;
    if share.is_zero() {
        return Ok(());
    }
    forwarder::lambda(b, prices, g, share)?;
    egress::lines(b, prices, g, gib(g.derived.compressed_bytes) * share)?;
    // What is sent to Datadog on this path is indexed.
    datadog::lines(b, prices, g, share, Decimal::ONE)
}
