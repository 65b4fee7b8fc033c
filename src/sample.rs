//! sample: each group's volume for the period from the `AWS/Logs` metrics (GetMetricData, daily
//! sums, packed at the API limits), each subscription filter's forwarded volume on its own, and
//! optionally the average event size and gzip ratio from a bounded sample of recent events
//! (FilterLogEvents; only numbers are kept, never log content).
//!
//! Nothing is cut short silently: a page that says `PartialData` without a NextToken, a result
//! with another status, a repeated token or too many pages are errors; the `Messages` GetMetricData
//! attaches (a limit reached, a query that failed) become warnings of the run.

use std::collections::HashMap;
use std::io::Write;

use chrono::NaiveDate;
use futures::{StreamExt, TryStreamExt};

use crate::aws::paginate::{Pager, limits};
use crate::aws::{MetricQuery, RegionApi, ResultStatus};
use crate::discover::{DiscoveredGroup, is_not_found};
use crate::error::{Error, Result};
use crate::period::Period;
use envelope::{Envelope, EnvelopeContext};

pub mod envelope;
pub mod waf;

/// GetMetricData limits (CloudWatch API reference).
pub const MAX_QUERIES_PER_CALL: usize = 500;
pub const MAX_DATAPOINTS_PER_CALL: usize = 100_800;
/// Daily sums.
pub const DAY_SECS: i64 = 86_400;
const NAMESPACE: &str = "AWS/Logs";

/// One group's measured volume for the period.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupVolume {
    pub incoming_bytes: u64,
    pub incoming_events: u64,
    /// Sum over the group's subscription filters; `None` when its filters, or one filter's
    /// volume, are unknown.
    pub forwarded_bytes: Option<u64>,
    pub forwarded_events: Option<u64>,
    /// Per filter, in the order of the group's filters.
    pub filters: Vec<FilterVolume>,
    /// (bytes, events) per day of the period, zero where CloudWatch had no datapoint.
    pub daily: Vec<(u64, u64)>,
}

/// One subscription filter's `ForwardedBytes` / `ForwardedLogEvents` over the period; `None`
/// when they cannot be asked (its `DestinationType` is unknown).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FilterVolume {
    pub bytes: Option<u64>,
    pub events: Option<u64>,
}

/// What a bounded event sample measured.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct EventSample {
    pub events: u64,
    pub bytes: u64,
    pub gzip_bytes: u64,
    /// The same events in the Datadog Forwarder's JSON envelope, and its gzipped batches
    /// ([`envelope`]); `None` when not asked for.
    pub envelope_bytes: Option<u64>,
    pub envelope_gzip_bytes: Option<u64>,
}

impl EventSample {
    /// Uncompressed / gzip-compressed bytes; `None` for an empty sample.
    pub fn gzip_ratio(&self) -> Option<f64> {
        (self.events > 0 && self.gzip_bytes > 0).then(|| self.bytes as f64 / self.gzip_bytes as f64)
    }
}

/// How the metric requests were packed, for the run summary.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct MetricsPlan {
    pub queries: usize,
    pub datapoints_per_query: usize,
    pub queries_per_call: usize,
    /// The fewest GetMetricData calls this request shape allows.
    pub min_calls: usize,
}

impl MetricsPlan {
    pub fn new(queries: usize, period: &Period) -> MetricsPlan {
        let points = period.days().max(1) as usize;
        let per_call = (MAX_DATAPOINTS_PER_CALL / points).clamp(1, MAX_QUERIES_PER_CALL);
        let min_calls = queries
            .div_ceil(MAX_QUERIES_PER_CALL)
            .max((queries * points).div_ceil(MAX_DATAPOINTS_PER_CALL));
        MetricsPlan {
            queries,
            datapoints_per_query: points,
            queries_per_call: per_call,
            min_calls,
        }
    }
}

#[derive(Clone, Copy, Debug)]
enum Measure {
    IncomingBytes,
    IncomingEvents,
    /// Of the group's filter at this index.
    ForwardedBytes(usize),
    ForwardedEvents(usize),
}

/// One query's datapoints, merged over pages: (id, timestamps, values).
type Series = (String, Vec<i64>, Vec<f64>);

/// Every query of the run, and which group and measure each one feeds. Source accounts' groups
/// (monitoring mode) are read with `AccountId`.
fn build_queries(
    groups: &[DiscoveredGroup],
    own_account: &str,
) -> (Vec<MetricQuery>, Vec<(usize, Measure)>) {
    let mut queries = Vec::new();
    let mut targets = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        let account = (g.account_id != own_account).then(|| g.account_id.clone());
        let mut push = |m: Measure, name: &str, dims: Vec<(String, String)>| {
            queries.push(MetricQuery {
                account_id: account.clone(),
                id: format!("q{}", queries.len()),
                namespace: NAMESPACE.into(),
                metric_name: name.into(),
                dimensions: dims,
                period_secs: DAY_SECS as i32,
                stat: "Sum".into(),
            });
            targets.push((gi, m));
        };
        let by_group = vec![("LogGroupName".to_string(), g.info.name.clone())];
        push(Measure::IncomingBytes, "IncomingBytes", by_group.clone());
        push(Measure::IncomingEvents, "IncomingLogEvents", by_group);
        for (fi, f) in g.filters.iter().flatten().enumerate() {
            let Some(dtype) = &f.destination_type else {
                continue;
            };
            // As AWS publishes them: LogGroupName, DestinationType and FilterName together.
            let dims = vec![
                ("LogGroupName".to_string(), g.info.name.clone()),
                ("DestinationType".to_string(), dtype.clone()),
                ("FilterName".to_string(), f.name.clone()),
            ];
            push(Measure::ForwardedBytes(fi), "ForwardedBytes", dims.clone());
            push(Measure::ForwardedEvents(fi), "ForwardedLogEvents", dims);
        }
    }
    (queries, targets)
}

/// What GetMetricData measured for every group of a region.
#[derive(Debug, Default)]
pub struct Measured {
    pub volumes: Vec<GroupVolume>,
    pub plan: MetricsPlan,
    /// GetMetricData `Messages`, one line each with how many pages carried it.
    pub warnings: Vec<String>,
}

/// Measure every group's volume for `period`. Groups without datapoints get zeros. A filter
/// whose `DestinationType` is unknown cannot be asked: it reads as zero when `silent_is_zero`
/// (the period lies within the two weeks ListMetrics looks back, so a silent filter forwarded
/// nothing in it), else as unknown.
pub async fn sample_metrics<R: RegionApi + Clone>(
    api: &R,
    groups: &[DiscoveredGroup],
    own_account: &str,
    period: &Period,
    concurrency: usize,
    silent_is_zero: bool,
    on_batch: &(dyn Fn(usize) + Sync),
) -> Result<Measured> {
    let (queries, targets) = build_queries(groups, own_account);
    let plan = MetricsPlan::new(queries.len(), period);
    let days = period.days() as usize;
    let start = period.start_utc().timestamp();
    let end = period.end_utc().timestamp();

    let batches: Vec<Vec<MetricQuery>> = queries
        .chunks(plan.queries_per_call)
        .map(<[MetricQuery]>::to_vec)
        .collect();
    let answers: Vec<(Vec<Series>, Vec<String>)> = futures::stream::iter(batches)
        .map(|batch| async move {
            let n = batch.len();
            let r = fetch_batch(api, batch, start, end).await;
            on_batch(n);
            r
        })
        .buffered(concurrency.max(1))
        .try_collect()
        .await?;

    let index: HashMap<&str, usize> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    let mut volumes: Vec<GroupVolume> = groups
        .iter()
        .map(|g| GroupVolume {
            filters: g
                .filters
                .iter()
                .flatten()
                .map(|f| {
                    // Queried (0 until datapoints add up), or silent within the window.
                    let measurable =
                        f.destination_type.is_some() || (silent_is_zero && f.silent == Some(true));
                    let v = measurable.then_some(0);
                    FilterVolume {
                        bytes: v,
                        events: v,
                    }
                })
                .collect(),
            daily: vec![(0, 0); days],
            ..GroupVolume::default()
        })
        .collect();
    let mut messages: std::collections::BTreeMap<String, usize> = Default::default();
    for (series, page_messages) in answers {
        for m in page_messages {
            *messages.entry(m).or_default() += 1;
        }
        for (id, timestamps, values) in series {
            let Some(&qi) = index.get(id.as_str()) else {
                return Err(Error::Internal(format!(
                    "GetMetricData answered unknown query id {id}"
                )));
            };
            let (gi, measure) = targets[qi];
            let v = &mut volumes[gi];
            for (ts, value) in timestamps.into_iter().zip(values) {
                let n = if value.is_finite() && value > 0.0 {
                    value.round() as u64
                } else {
                    0
                };
                match measure {
                    Measure::IncomingBytes | Measure::IncomingEvents => {
                        let day = (ts - start).div_euclid(DAY_SECS);
                        if !(0..days as i64).contains(&day) {
                            continue; // outside the period: not ours to count
                        }
                        let slot = &mut v.daily[day as usize];
                        if matches!(measure, Measure::IncomingBytes) {
                            slot.0 += n;
                            v.incoming_bytes += n;
                        } else {
                            slot.1 += n;
                            v.incoming_events += n;
                        }
                    }
                    Measure::ForwardedBytes(fi) => {
                        *v.filters[fi].bytes.get_or_insert(0) += n;
                    }
                    Measure::ForwardedEvents(fi) => {
                        *v.filters[fi].events.get_or_insert(0) += n;
                    }
                }
            }
        }
    }
    for (g, v) in groups.iter().zip(volumes.iter_mut()) {
        if g.filters.is_some() {
            v.forwarded_bytes = v.filters.iter().map(|f| f.bytes).sum();
            v.forwarded_events = v.filters.iter().map(|f| f.events).sum();
        }
    }
    let warnings = messages
        .into_iter()
        .map(|(m, n)| {
            let times = if n == 1 {
                String::new()
            } else {
                format!(" ({n} pages)")
            };
            format!("GetMetricData said {m}{times}: some datapoints may be missing")
        })
        .collect();
    Ok(Measured {
        volumes,
        plan,
        warnings,
    })
}

/// One batch of queries: the first call plus any NextToken pages, merged per query id, and the
/// `Messages` of every page (the request's and each result's).
async fn fetch_batch<R: RegionApi>(
    api: &R,
    batch: Vec<MetricQuery>,
    start: i64,
    end: i64,
) -> Result<(Vec<Series>, Vec<String>)> {
    let mut merged: Vec<Series> = batch
        .iter()
        .map(|q| (q.id.clone(), vec![], vec![]))
        .collect();
    let position: HashMap<String, usize> = batch
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.clone(), i))
        .collect();
    let mut messages = Vec::new();
    let mut pager = Pager::new("cloudwatch:GetMetricData", "", limits::GET_METRIC_DATA);
    let mut token: Option<String> = None;
    loop {
        let page = api
            .get_metric_data(batch.clone(), start, end, token.clone())
            .await?;
        messages.extend(page.messages);
        let mut partial = None;
        for r in page.results {
            match &r.status {
                ResultStatus::Complete => {}
                ResultStatus::PartialData => partial = Some(r.id.clone()),
                ResultStatus::Other(code) => {
                    return Err(Error::Aws {
                        operation: "cloudwatch:GetMetricData".into(),
                        region: None,
                        code: code.clone(),
                        message: format!(
                            "query {} returned status {code}{}",
                            r.id,
                            if r.messages.is_empty() {
                                String::new()
                            } else {
                                format!(" ({})", r.messages.join("; "))
                            }
                        ),
                    });
                }
            }
            let Some(&i) = position.get(&r.id) else {
                return Err(Error::Internal(format!(
                    "GetMetricData answered query id {} that was not asked",
                    r.id
                )));
            };
            messages.extend(r.messages);
            merged[i].1.extend(r.timestamps);
            merged[i].2.extend(r.values);
        }
        // PartialData results continue on the next page; without one they would be cut short.
        if let (Some(id), None) = (&partial, &page.next_token) {
            return Err(Error::Aws {
                operation: "cloudwatch:GetMetricData".into(),
                region: None,
                code: "PartialData".into(),
                message: format!(
                    "query {id} returned PartialData with no NextToken: its datapoints would be \
                     cut short"
                ),
            });
        }
        match pager.advance(page.next_token)? {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok((merged, messages))
}

/// Measure average event size and gzip ratio from up to `budget` bytes of the group's most recent
/// events in the period: FilterLogEvents over windows walking back from the end of the period
/// (1 h, then 2 h, 4 h, ...), stopping at the budget. Messages are streamed through a gzip
/// (level 6) encoder that keeps only a byte count; with `envelope`, also through the Datadog
/// Forwarder's envelope ([`envelope::Envelope`]).
pub async fn sample_events<R: RegionApi>(
    api: &R,
    group: &str,
    period: &Period,
    budget: u64,
    envelope: Option<EnvelopeContext>,
) -> Result<EventSample> {
    let mut envelope = envelope.map(Envelope::new);
    let period_start = period.start_utc().timestamp_millis();
    let mut window_end = period.end_utc().timestamp_millis();
    let mut window = 3_600_000i64;
    let mut sample = EventSample::default();
    let mut gz = flate2::write::GzEncoder::new(ByteCounter(0), flate2::Compression::new(6));
    'windows: while window_end > period_start && sample.bytes < budget {
        let window_start = (window_end - window).max(period_start);
        let mut token: Option<String> = None;
        let mut pager = Pager::new("logs:FilterLogEvents", group, limits::FILTER_LOG_EVENTS);
        loop {
            let page = api
                // endTime is inclusive (API reference): stop 1 ms short so windows do not overlap.
                .filter_log_events(
                    group.to_string(),
                    window_start,
                    window_end - 1,
                    token.clone(),
                )
                .await?;
            for e in page.events {
                let m = &e.message;
                sample.events += 1;
                sample.bytes += m.len() as u64;
                if let Some(env) = envelope.as_mut() {
                    env.push(&e)?;
                }
                gz.write_all(m.as_bytes())
                    .and_then(|_| gz.write_all(b"\n"))
                    .map_err(|e| Error::Internal(format!("gzip: {e}")))?;
                if sample.bytes >= budget {
                    break 'windows;
                }
            }
            match pager.advance(page.next_token)? {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        window_end = window_start;
        window = window.saturating_mul(2);
    }
    let counter = gz
        .finish()
        .map_err(|e| Error::Internal(format!("gzip: {e}")))?;
    // Messages are newline-delimited in the compressed stream, as line-oriented shippers send
    // them; the ratio is message bytes over compressed bytes.
    sample.gzip_bytes = counter.0;
    if let Some(env) = envelope {
        let (bytes, gzip) = env.finish()?;
        sample.envelope_bytes = Some(bytes);
        sample.envelope_gzip_bytes = Some(gzip);
    }
    Ok(sample)
}

/// A writer that only counts what it is given.
struct ByteCounter(u64);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0 += buf.len() as u64;
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The date of each day of the period, in order.
pub fn period_days(period: &Period) -> Vec<NaiveDate> {
    period
        .start
        .iter_days()
        .take(period.days() as usize)
        .collect()
}

/// Sample events of many groups concurrently, each named by `groups[i].0` (a name, or an ARN in
/// a monitoring account), with its Forwarder envelope context. A group deleted meanwhile
/// (ResourceNotFound) gets `None`.
pub async fn sample_events_all<R: RegionApi + Clone>(
    api: &R,
    groups: &[(String, Option<EnvelopeContext>)],
    period: &Period,
    budget: u64,
    concurrency: usize,
    on_group: &(dyn Fn() + Sync),
) -> Result<Vec<Option<EventSample>>> {
    futures::stream::iter(groups)
        .map(|(g, env)| async move {
            let r = match sample_events(api, g, period, budget, env.clone()).await {
                Ok(s) => Ok(Some(s)),
                Err(e) if is_not_found(&e) => Ok(None),
                Err(e) => Err(e),
            };
            on_group();
            r
        })
        .buffered(concurrency.max(1))
        .try_collect()
        .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_packs_at_limits() {
        let month = Period::month(2026, 10).unwrap();
        for (q, calls) in [
            (1, 1),
            (499, 1),
            (500, 1),
            (501, 2),
            (5_000, 10),
            (10_000, 20),
        ] {
            let p = MetricsPlan::new(q, &month);
            assert_eq!(p.queries_per_call, 500);
            assert_eq!(p.min_calls, calls, "{q} queries");
            assert_eq!(q.div_ceil(p.queries_per_call), calls);
        }
        // A year of daily points: 365 per query, so at most 276 queries fit 100,800 datapoints.
        let year = Period {
            start: NaiveDate::from_ymd_opt(2025, 1, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
        };
        let p = MetricsPlan::new(1_000, &year);
        assert_eq!(p.queries_per_call, 276);
        assert!(p.queries_per_call * 365 <= MAX_DATAPOINTS_PER_CALL);
        assert_eq!(p.min_calls, 4);
        assert_eq!(1_000usize.div_ceil(p.queries_per_call), 4);
    }

    #[test]
    fn gzip_ratio_of_empty_sample_is_unknown() {
        assert_eq!(EventSample::default().gzip_ratio(), None);
        let s = EventSample {
            events: 2,
            bytes: 100,
            gzip_bytes: 25,
            ..EventSample::default()
        };
        assert_eq!(s.gzip_ratio(), Some(4.0));
    }
}
