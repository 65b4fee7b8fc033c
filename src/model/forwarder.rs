//! The Datadog Forwarder path: a subscription filter sends the group to the Datadog Forwarder
//! Lambda, which ships it over the internet. CloudWatch ingestion and storage are still paid
//! ([`cloudwatch::keep`]); the Lambda is billed per invocation and per GB-second, modeled from the
//! compressed bytes ([`lambda`], also used by the PrivateLink and hybrid paths); egress and
//! Datadog follow ([`egress`], [`datadog`]).
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `forwarder_requests` | M invocations = compressed bytes / payload | `lambda.requests` |
//! | `forwarder_duration` | GB-s = invocations x duration x memory | `lambda.duration.<arch>` |

use rust_decimal::Decimal;

use super::bill::{Bill, GroupCtx};
use super::derive::gib;
use super::prices::Prices;
use super::{Component, cloudwatch, datadog, egress};
use crate::error::Result;

/// The group's lines on the Forwarder path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    cloudwatch::keep(b, prices, g, true)?;
    lambda(b, prices, g, Decimal::ONE)?;
    egress::lines(b, prices, g, gib(g.derived.compressed_bytes))?;
    let share = g.derived.datadog_share;
    datadog::lines(b, prices, g, share, g.scenario.indexed_fraction)
}

/// The Forwarder Lambda for `share` of the group's compressed bytes: invocations of one payload
/// each, and their GB-seconds; both count against Lambda's free tier.
pub(super) fn lambda(
    b: &mut Bill,
    prices: &mut Prices,
    g: &GroupCtx,
    share: Decimal,
) -> Result<()> {
    let s = g.scenario;
    let million = Decimal::from(1_000_000);
    let payload = Decimal::from(u64::from(s.forwarder_payload_kib) * 1024);
    let invocations = (Decimal::from(g.derived.compressed_bytes) * share / payload).ceil();
    let requests_m = invocations / million;
    b.flat(
        prices,
        g,
        Component::LambdaRequests,
        "lambda.requests",
        requests_m,
    )?;
    let gb_s = invocations * Decimal::from(s.forwarder_duration_ms) / Decimal::from(1000)
        * Decimal::from(s.forwarder_memory_mb)
        / Decimal::from(1024);
    b.flat(
        prices,
        g,
        Component::LambdaDuration,
        s.duration_price_id(),
        gb_s,
    )?;
    b.free
        .add(g, Component::FreeTierLambdaRequests, invocations / million);
    b.free.add(g, Component::FreeTierLambdaDuration, gb_s);
    Ok(())
}
