//! collect: the discover and sample stages run for every region of an account, concurrently under
//! one request bound, into snapshot rows. Used by `logplan sample`, the benchmark and (later) the
//! report, whatever answers the calls.

use std::sync::Arc;

use futures::future::try_join_all;
use tokio::sync::Semaphore;

use crate::aws::limited::Limited;
use crate::aws::{AccountApi, ApiStats};
use crate::discover::{DiscoverOptions, discover};
use crate::error::Result;
use crate::period::Period;
use crate::progress::Reporter;
use crate::sample::{EventSample, MetricsPlan, period_days, sample_events_all, sample_metrics};
use crate::snapshot::{DailyRow, SnapshotRow};

/// Default bound on concurrent AWS requests (all regions together).
pub const DEFAULT_CONCURRENCY: usize = 8;

/// What to measure.
#[derive(Clone, Debug)]
pub struct Job {
    pub regions: Vec<String>,
    pub period: Period,
    pub discover: DiscoverOptions,
    /// Byte budget per group for event sampling; `None` = off.
    pub sample_events: Option<u64>,
    pub concurrency: usize,
    /// Requests per second per account and region, by IAM action.
    pub rate_limits: std::collections::BTreeMap<String, f64>,
}

/// What was measured.
#[derive(Debug, Default)]
pub struct Collected {
    pub account_id: String,
    pub rows: Vec<SnapshotRow>,
    pub daily: Vec<DailyRow>,
    pub warnings: Vec<String>,
    /// GetMetricData packing, summed over regions.
    pub plan: MetricsPlan,
    pub stats: Arc<ApiStats>,
    /// Accounts that could not be measured (the others were): one line each.
    pub failures: Vec<String>,
    /// The accounts measured.
    pub accounts: Vec<String>,
}

impl Collected {
    /// Fold another account's results into this one.
    pub fn absorb(&mut self, other: Collected) {
        if self.account_id.is_empty() {
            self.account_id = other.account_id.clone();
        }
        self.accounts.push(other.account_id);
        self.rows.extend(other.rows);
        self.daily.extend(other.daily);
        self.warnings.extend(other.warnings);
        self.plan.queries += other.plan.queries;
        self.plan.min_calls += other.plan.min_calls;
        self.plan.queries_per_call = other.plan.queries_per_call;
        self.plan.datapoints_per_query = other.plan.datapoints_per_query;
        self.stats.absorb(&other.stats);
        self.failures.extend(other.failures);
    }
}

/// Run discover and sample for every region of `account`.
pub async fn collect<A: AccountApi>(
    account: &A,
    job: &Job,
    reporter: &Reporter,
) -> Result<Collected> {
    let permits = Arc::new(Semaphore::new(job.concurrency.max(1)));
    collect_shared(account, job, reporter, permits).await
}

/// [`collect`] under a request bound shared with other accounts' runs.
pub async fn collect_shared<A: AccountApi>(
    account: &A,
    job: &Job,
    reporter: &Reporter,
    permits: Arc<Semaphore>,
) -> Result<Collected> {
    let stats = Arc::new(ApiStats::default());
    let account_id = {
        stats.record("sts:GetCallerIdentity");
        account.account_id().await?
    };
    let per_region = job.regions.iter().map(|region| {
        let api = Limited::new(account.region(region), permits.clone(), stats.clone())
            .with_rate_limits(&job.rate_limits);
        let account_id = account_id.clone();
        async move {
            let found = discover(&api, region, &job.discover)
                .await
                .map_err(|e| e.in_region(region))?;
            for w in &found.warnings {
                reporter.warn(w);
            }
            let groups = found.groups;
            let bar = reporter.bar(groups.len() as u64, &format!("metrics {region}"));
            let on_batch = |n: usize| bar.inc(n as u64);
            // The bar counts groups; a batch carries about two queries per group.
            let (volumes, plan) =
                sample_metrics(&api, &groups, &job.period, job.concurrency, &|n| {
                    on_batch(n / 2)
                })
                .await
                .map_err(|e| e.in_region(region))?;
            bar.finish_and_clear();
            let samples: Vec<Option<EventSample>> = match job.sample_events {
                Some(budget) => {
                    let bar = reporter.bar(groups.len() as u64, &format!("events {region}"));
                    let s = sample_events_all(
                        &api,
                        &groups,
                        &job.period,
                        budget,
                        job.concurrency,
                        &|| bar.inc(1),
                    )
                    .await
                    .map_err(|e| e.in_region(region))?;
                    bar.finish_and_clear();
                    s.into_iter().map(Some).collect()
                }
                None => vec![None; groups.len()],
            };
            let days = period_days(&job.period);
            let mut rows = Vec::with_capacity(groups.len());
            let mut daily = Vec::with_capacity(groups.len() * days.len());
            for ((g, v), sample) in groups.iter().zip(volumes).zip(samples) {
                for (day, (bytes, events)) in days.iter().zip(&v.daily) {
                    daily.push(DailyRow {
                        account_id: account_id.clone(),
                        region: region.clone(),
                        log_group: g.info.name.clone(),
                        day: *day,
                        incoming_bytes: *bytes,
                        incoming_events: *events,
                    });
                }
                // The Datadog destination first, then the others, so the columns name the
                // destination that matters for the cost model.
                let mut dests: Vec<_> = g.destinations.iter().flatten().collect();
                dests.sort_by_key(|d| !d.datadog_forwarder);
                let joined = |f: &dyn Fn(&crate::discover::Destination) -> String| {
                    (!dests.is_empty())
                        .then(|| dests.iter().map(|d| f(d)).collect::<Vec<_>>().join(";"))
                };
                rows.push(SnapshotRow {
                    account_id: account_id.clone(),
                    region: region.clone(),
                    log_group: g.info.name.clone(),
                    log_group_class: g.info.class.map(|c| c.as_str().to_string()),
                    retention_days: g.info.retention_days,
                    stored_bytes: g.info.stored_bytes,
                    created_at_ms: g.info.created_ms,
                    period_start: job.period.start,
                    period_end: job.period.end,
                    incoming_bytes: v.incoming_bytes,
                    incoming_events: v.incoming_events,
                    forwarded_bytes: v.forwarded_bytes,
                    forwarded_events: v.forwarded_events,
                    subscription_destination: joined(&|d| d.arn.clone()),
                    destination_kind: joined(&|d| d.kind.as_str().to_string()),
                    datadog_forwarder: g
                        .destinations
                        .as_ref()
                        .map(|d| d.iter().any(|d| d.datadog_forwarder)),
                    sampled_events: sample.map(|s| s.events),
                    sampled_bytes: sample.map(|s| s.bytes),
                    gzip_ratio: sample.and_then(|s| s.gzip_ratio()),
                });
            }
            Ok::<_, crate::error::Error>((rows, daily, found.warnings, plan))
        }
    });
    let results = try_join_all(per_region).await?;
    let mut out = Collected {
        accounts: vec![account_id.clone()],
        account_id,
        stats,
        ..Collected::default()
    };
    for (rows, daily, warnings, plan) in results {
        out.rows.extend(rows);
        out.daily.extend(daily);
        out.warnings.extend(warnings);
        out.plan.queries += plan.queries;
        out.plan.min_calls += plan.min_calls;
        out.plan.queries_per_call = plan.queries_per_call;
        out.plan.datapoints_per_query = plan.datapoints_per_query;
    }
    Ok(out)
}
