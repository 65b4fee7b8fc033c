//! The Firehose path: the group reaches Datadog through Amazon Data Firehose. Vended logs are
//! delivered to Firehose directly, at the vended-to-Firehose tier ladder (pooled per account and
//! region) and never ingested into CloudWatch; other logs stay in CloudWatch
//! ([`cloudwatch::keep`]) and go through a subscription filter, each Firehose record (a compressed
//! batch) billed rounded up to 5 KB. Then egress and Datadog ([`egress`], [`datadog`]).
//!
//! | line | quantity | price id |
//! |---|---|---|
//! | `vended_to_firehose` | GiB in, pooled (vended only) | `cwl.vended.firehose` |
//! | `firehose_ingest` | GiB in (vended) / records x 5 KB steps (others) | `firehose.ingest` |

use super::bill::{Bill, GroupCtx};
use super::derive::gib;
use super::pools::Ladder;
use super::prices::Prices;
use super::{Component, cloudwatch, datadog, egress};
use crate::error::Result;

/// Firehose bills each record rounded up to a multiple of 5 KB.
const RECORD_STEP_BYTES: u64 = 5 * 1024;

/// The group's lines on the Firehose path.
pub(super) fn lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    let d = g.derived;
    // Vended logs (and DELIVERY-class Lambda logs) are delivered to Firehose directly.
    if d.vended || d.is_delivery() {
        let c = Component::VendedToFirehose;
        b.pools.add(Ladder::VendedToFirehose, c, g, d.gib_in);
        // Vended sources are not rounded to 5 KB records.
        b.flat(
            prices,
            g,
            Component::FirehoseIngest,
            "firehose.ingest",
            d.gib_in,
        )?;
    } else {
        cloudwatch::keep(b, prices, g, true)?;
        let record = u64::from(g.scenario.firehose_record_kib) * 1024;
        let records = d.compressed_bytes.div_ceil(record);
        let billed = records * record.div_ceil(RECORD_STEP_BYTES) * RECORD_STEP_BYTES;
        b.flat(
            prices,
            g,
            Component::FirehoseIngest,
            "firehose.ingest",
            gib(billed),
        )?;
    }
    egress::lines(b, prices, g, gib(d.compressed_bytes))?;
    let share = g.derived.datadog_share;
    datadog::lines(b, prices, g, share, g.scenario.indexed_fraction)
}
