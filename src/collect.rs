//! collect: the discover and sample stages run for every region of an account, concurrently under
//! the run's [`Limiter`], into snapshot rows. An account is sampled with its own credentials, or
//! (monitoring mode) together with every source account linked to it through CloudWatch
//! cross-account observability. Used by `logplan sample`, `logplan report` and the benchmarks,
//! whatever answers the calls.

use std::collections::BTreeSet;
use std::sync::Arc;

use futures::future::try_join_all;

use crate::aws::limited::{Limited, Limiter, RetrySettings};
use crate::aws::paginate::{Pager, limits};
use crate::aws::{AccountApi, ApiStats, AttachedLink, RegionApi};
use crate::discover::{DiscoverOptions, DiscoveredGroup, Scope, discover, is_datadog_forwarder};
use crate::error::{Error, Result};
use crate::period::Period;
use crate::progress::Reporter;
use crate::sample::{EventSample, MetricsPlan, period_days, sample_events_all, sample_metrics};
use crate::snapshot::{DailyRow, FilterRow, SnapshotRow};

/// Default bound on concurrent AWS requests (all regions together).
pub const DEFAULT_CONCURRENCY: usize = 8;

/// How far back ListMetrics sees: metrics with no data for two weeks are not listed.
pub const LIST_METRICS_LOOKBACK_DAYS: i64 = 14;

/// What a link must share for logplan to sample the source account.
pub const LINK_RESOURCE_TYPES: [&str; 2] = ["AWS::Logs::LogGroup", "AWS::CloudWatch::Metric"];

/// What to measure.
#[derive(Clone, Debug)]
pub struct Job {
    pub regions: Vec<String>,
    pub period: Period,
    pub discover: DiscoverOptions,
    /// Byte budget per group for event sampling; `None` = off.
    pub sample_events: Option<u64>,
    pub concurrency: usize,
    /// Requests per second per account and region, by IAM action, over AWS's defaults.
    pub rate_limits: std::collections::BTreeMap<String, f64>,
    pub retry: RetrySettings,
}

impl Job {
    /// The run-wide limiter for this job.
    pub fn limiter(&self) -> Arc<Limiter> {
        Limiter::new(
            self.concurrency,
            self.rate_limits.clone(),
            self.retry.clone(),
        )
    }
}

/// Whose groups one collection covers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mode {
    /// The account the credentials belong to.
    Own,
    /// A monitoring account and the source accounts linked to it; `accounts` names the ones to
    /// sample (each must be linked), empty = every linked account.
    Monitoring { accounts: Vec<String> },
}

/// What was measured.
#[derive(Debug, Default)]
pub struct Collected {
    pub account_id: String,
    pub rows: Vec<SnapshotRow>,
    pub daily: Vec<DailyRow>,
    pub filters: Vec<FilterRow>,
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
    /// Fold another collection's results into this one.
    pub fn absorb(&mut self, other: Collected) {
        if self.account_id.is_empty() {
            self.account_id = other.account_id.clone();
        }
        for a in other.accounts {
            if !self.accounts.contains(&a) {
                self.accounts.push(a);
            }
        }
        self.rows.extend(other.rows);
        self.daily.extend(other.daily);
        self.filters.extend(other.filters);
        self.warnings.extend(other.warnings);
        self.add_plan(&other.plan);
        self.stats.absorb(&other.stats);
        self.failures.extend(other.failures);
    }

    fn add_plan(&mut self, plan: &MetricsPlan) {
        self.plan.queries += plan.queries;
        self.plan.min_calls += plan.min_calls;
        if plan.queries_per_call > 0 {
            self.plan.queries_per_call = plan.queries_per_call;
            self.plan.datapoints_per_query = plan.datapoints_per_query;
        }
    }
}

/// Run discover and sample for every region of `account`, with its own limiter.
pub async fn collect<A: AccountApi>(
    account: &A,
    job: &Job,
    reporter: &Reporter,
) -> Result<Collected> {
    collect_shared(account, job, reporter, job.limiter(), "self", &Mode::Own).await
}

/// [`collect`] under a limiter shared with other accounts' runs. `caller` keys the rate of the
/// GetCallerIdentity call made before the account id is known (e.g. the role ARN).
pub async fn collect_shared<A: AccountApi>(
    account: &A,
    job: &Job,
    reporter: &Reporter,
    limiter: Arc<Limiter>,
    caller: &str,
    mode: &Mode,
) -> Result<Collected> {
    let stats = Arc::new(ApiStats::default());
    let sts_region = job
        .regions
        .first()
        .map(String::as_str)
        .unwrap_or("us-east-1");
    let account_id = limiter
        .run(caller, sts_region, "sts:GetCallerIdentity", &stats, || {
            account.account_id()
        })
        .await?;
    let silent_is_zero = job.period.start
        >= chrono::Utc::now().date_naive() - chrono::Duration::days(LIST_METRICS_LOOKBACK_DAYS);
    let per_region = job.regions.iter().map(|region| {
        let api = Limited::new(
            account.region(region),
            limiter.clone(),
            stats.clone(),
            &account_id,
            region,
        );
        let account_id = account_id.clone();
        async move {
            let mut out = Collected::default();
            let scope = match mode {
                Mode::Own => Scope::own(&account_id),
                Mode::Monitoring { accounts } => {
                    let (sources, warnings, failures) =
                        linked_sources(&api, &account_id, region, accounts).await?;
                    out.warnings.extend(warnings);
                    out.failures.extend(failures);
                    Scope {
                        account_id: account_id.clone(),
                        sources: Some(sources),
                    }
                }
            };
            for w in &out.warnings {
                reporter.warn(w);
            }
            let found = discover(&api, region, &job.discover, &scope)
                .await
                .map_err(|e| e.in_region(region))?;
            for w in &found.warnings {
                reporter.warn(w);
            }
            out.warnings.extend(found.warnings);
            let mut groups = found.groups;
            let mut firehose_warnings = Vec::new();
            crate::discover::firehose::resolve_firehose(
                &api,
                region,
                &account_id,
                &mut groups,
                &mut firehose_warnings,
            )
            .await?;
            let mut source_warnings = Vec::new();
            let sources = crate::discover::sources::group_sources(
                &api,
                region,
                &groups,
                &mut source_warnings,
            )
            .await?;
            for w in firehose_warnings.into_iter().chain(source_warnings) {
                reporter.warn(&w);
                out.warnings.push(w);
            }
            let bar = reporter.bar(groups.len() as u64, &format!("metrics {region}"));
            let on_batch = |n: usize| bar.inc(n as u64);
            // The bar counts groups; a batch carries about two queries per group.
            let measured = sample_metrics(
                &api,
                &groups,
                &account_id,
                &job.period,
                job.concurrency,
                silent_is_zero,
                &|n| on_batch(n / 2),
            )
            .await
            .map_err(|e| e.in_region(region))?;
            bar.finish_and_clear();
            for w in &measured.warnings {
                let w = format!("{w} (in {region})");
                reporter.warn(&w);
                out.warnings.push(w);
            }
            let mut waf_warnings = Vec::new();
            let (waf, waf_queries) = crate::sample::waf::waf_requests(
                &api,
                region,
                &groups,
                &sources,
                &account_id,
                &job.period,
                &mut waf_warnings,
            )
            .await?;
            for w in waf_warnings {
                reporter.warn(&w);
                out.warnings.push(w);
            }
            out.add_plan(&MetricsPlan::new(waf_queries, &job.period));
            let samples: Vec<Option<Option<EventSample>>> = match job.sample_events {
                Some(budget) => {
                    let bar = reporter.bar(groups.len() as u64, &format!("events {region}"));
                    let ids: Vec<_> = groups
                        .iter()
                        .map(|g| {
                            let env = envelope_context(g, region, &job.discover.forwarder_arns);
                            (g.identifier(&scope), Some(env))
                        })
                        .collect();
                    let s = sample_events_all(
                        &api,
                        &ids,
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
            let mut accounts = BTreeSet::from([account_id.clone()]);
            accounts.extend(scope.sources.iter().flatten().cloned());
            out.accounts = accounts.into_iter().collect();
            out.add_plan(&measured.plan);
            let days = period_days(&job.period);
            for ((((g, v), sample), src), waf) in groups
                .iter()
                .zip(measured.volumes)
                .zip(samples)
                .zip(sources)
                .zip(waf)
            {
                let deleted = g.deleted_during_run || matches!(sample, Some(None));
                if matches!(sample, Some(None)) && !g.deleted_during_run {
                    let w = format!(
                        "log group {} in {region} was deleted during the run \
                         (ResourceNotFoundException on logs:FilterLogEvents); it is kept with \
                         what was measured",
                        g.info.name
                    );
                    reporter.warn(&w);
                    out.warnings.push(w);
                }
                let sample = sample.flatten();
                for (day, (bytes, events)) in days.iter().zip(&v.daily) {
                    out.daily.push(DailyRow {
                        account_id: g.account_id.clone(),
                        region: region.clone(),
                        log_group: g.info.name.clone(),
                        day: *day,
                        incoming_bytes: *bytes,
                        incoming_events: *events,
                    });
                }
                let filters = g.filters.as_deref().unwrap_or_default();
                for (f, fv) in filters.iter().zip(&v.filters) {
                    out.filters.push(FilterRow {
                        account_id: g.account_id.clone(),
                        region: region.clone(),
                        log_group: g.info.name.clone(),
                        filter_name: f.name.clone(),
                        origin: f.origin.as_str().to_string(),
                        policy_name: f.origin.policy_name().map(str::to_string),
                        destination_type: f.destination_type.clone(),
                        destination_arn: f.destination_arn.clone(),
                        destination_kind: f.kind.map(|k| k.as_str().to_string()),
                        datadog: f.datadog,
                        forwarded_bytes: fv.bytes,
                        forwarded_events: fv.events,
                        silent_two_weeks: f.silent,
                    });
                }
                let (dd_bytes, dd_events) = datadog_volume(g, &v.filters);
                out.rows.push(SnapshotRow {
                    account_id: g.account_id.clone(),
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
                    datadog_forwarded_bytes: dd_bytes,
                    datadog_forwarded_events: dd_events,
                    subscription_destination: legacy_destinations(g, &|arn| arn.to_string()),
                    destination_kind: legacy_destinations(g, &|arn| {
                        crate::discover::DestinationKind::from_arn(arn)
                            .as_str()
                            .to_string()
                    }),
                    datadog_forwarder: legacy_forwarder(g, &job.discover.forwarder_arns),
                    sampled_events: sample.map(|s| s.events),
                    sampled_bytes: sample.map(|s| s.bytes),
                    gzip_ratio: sample.and_then(|s| s.gzip_ratio()),
                    deleted_during_run: deleted,
                    source: src.source,
                    source_basis: src.source_basis,
                    billing_class: src.billing_class,
                    waf_requests: waf,
                    datadog_envelope_bytes: sample.and_then(|s| s.envelope_bytes),
                    datadog_envelope_gzip_bytes: sample.and_then(|s| s.envelope_gzip_bytes),
                });
            }
            Ok::<_, Error>(out)
        }
    });
    let results = try_join_all(per_region).await?;
    let mut out = Collected {
        accounts: vec![account_id.clone()],
        account_id,
        stats,
        ..Collected::default()
    };
    // Each region's calls are already in `stats`; its own are empty.
    for r in results {
        out.absorb(r);
    }
    Ok(out)
}

/// Whose Forwarder would wrap the group's events: the group's own Datadog filter's Lambda, else
/// the first configured Forwarder, else a nominal `datadog-forwarder` function in the group's
/// account and region (only the ARN's length and function name reach the envelope).
fn envelope_context(
    g: &DiscoveredGroup,
    region: &str,
    configured: &[String],
) -> crate::sample::envelope::EnvelopeContext {
    let own = g.filters.iter().flatten().find_map(|f| {
        f.destination_arn
            .as_deref()
            .filter(|a| is_datadog_forwarder(a, configured))
    });
    let forwarder_arn = own
        .map(str::to_string)
        .or_else(|| configured.first().cloned())
        .unwrap_or_else(|| {
            format!(
                "arn:aws:lambda:{region}:{}:function:datadog-forwarder",
                g.account_id
            )
        });
    crate::sample::envelope::EnvelopeContext {
        log_group: g.info.name.clone(),
        owner: g.account_id.clone(),
        forwarder_arn,
    }
}

/// What the filters that reach Datadog forwarded: the sum over filters with `datadog = true`;
/// `None` when forwarding is unknown, a Datadog filter's volume is unknown, or a filter whose
/// reach cannot be told forwarded anything (it may be Datadog's: unknown stays unknown).
fn datadog_volume(
    g: &DiscoveredGroup,
    volumes: &[crate::sample::FilterVolume],
) -> (Option<u64>, Option<u64>) {
    let Some(filters) = &g.filters else {
        return (None, None);
    };
    let mut bytes = Some(0u64);
    let mut events = Some(0u64);
    for (f, v) in filters.iter().zip(volumes) {
        match f.datadog {
            Some(false) => {}
            None if v.bytes == Some(0) && v.events == Some(0) => {}
            None => return (None, None),
            Some(true) => {
                bytes = bytes.zip(v.bytes).map(|(a, b)| a + b);
                events = events.zip(v.events).map(|(a, b)| a + b);
            }
        }
    }
    (bytes, events)
}

/// The snapshot's `subscription_destination` / `destination_kind`: the known destination ARNs,
/// `;`-separated, the Datadog Forwarder first.
fn legacy_destinations(g: &DiscoveredGroup, f: &dyn Fn(&str) -> String) -> Option<String> {
    let mut dests: Vec<&crate::discover::Filter> = g
        .filters
        .iter()
        .flatten()
        .filter(|x| x.destination_arn.is_some())
        .collect();
    dests.sort_by_key(|d| d.datadog != Some(true));
    (!dests.is_empty()).then(|| {
        dests
            .iter()
            .filter_map(|d| d.destination_arn.as_deref().map(f))
            .collect::<Vec<_>>()
            .join(";")
    })
}

/// The snapshot's `datadog_forwarder`: a destination is a Datadog Forwarder Lambda; `None` when
/// forwarding is unknown, or no known destination is one and some destination is unknown.
fn legacy_forwarder(g: &DiscoveredGroup, configured: &[String]) -> Option<bool> {
    let filters = g.filters.as_ref()?;
    let any = filters.iter().any(|f| {
        f.destination_arn
            .as_deref()
            .is_some_and(|a| is_datadog_forwarder(a, configured))
    });
    if any {
        Some(true)
    } else if filters.iter().any(|f| f.destination_arn.is_none()) {
        None
    } else {
        Some(false)
    }
}

/// The source accounts a monitoring account samples in `region` (OAM ListSinks and
/// ListAttachedLinks), with a warning and a failure line for each wanted account that is not
/// linked, or linked without sharing log groups and metrics.
async fn linked_sources<R: RegionApi>(
    api: &R,
    monitoring: &str,
    region: &str,
    wanted: &[String],
) -> Result<(Vec<String>, Vec<String>, Vec<String>)> {
    let mut sinks = Vec::new();
    let mut pager = Pager::new("oam:ListSinks", "", limits::LIST_SINKS);
    let mut token = None;
    loop {
        let (mut page, next) = api
            .list_sinks(token)
            .await
            .map_err(|e| e.in_region(region))?;
        sinks.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let mut links: Vec<AttachedLink> = Vec::new();
    for sink in &sinks {
        let mut pager = Pager::new(
            "oam:ListAttachedLinks",
            sink.as_str(),
            limits::LIST_ATTACHED_LINKS,
        );
        let mut token = None;
        loop {
            let (mut page, next) = api
                .list_attached_links(sink.clone(), token)
                .await
                .map_err(|e| e.in_region(region))?;
            links.append(&mut page);
            match pager.advance(next)? {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    let mut warnings = Vec::new();
    let mut failures = Vec::new();
    if sinks.is_empty() {
        warnings.push(format!(
            "account {monitoring} has no CloudWatch cross-account observability sink in \
             {region} (OAM ListSinks): only its own log groups are sampled there"
        ));
    }
    let mut sources = BTreeSet::new();
    for l in &links {
        let missing: Vec<&str> = LINK_RESOURCE_TYPES
            .iter()
            .copied()
            .filter(|t| !l.resource_types.iter().any(|r| r == t))
            .collect();
        let is_wanted = wanted.is_empty() || wanted.contains(&l.account_id);
        if !missing.is_empty() {
            if is_wanted {
                let line = format!(
                    "account {} is linked to monitoring account {monitoring} in {region} without \
                     sharing {}: it is not sampled there; add the resource types to its link",
                    l.account_id,
                    missing.join(" and ")
                );
                warnings.push(line.clone());
                failures.push(line);
            }
            continue;
        }
        if is_wanted && l.account_id != monitoring {
            sources.insert(l.account_id.clone());
        }
    }
    for a in wanted {
        let linked = links.iter().any(|l| &l.account_id == a);
        if !linked && a != monitoring {
            let line = format!(
                "account {a} is not linked to monitoring account {monitoring} in {region} (OAM \
                 ListAttachedLinks): it is not sampled there"
            );
            warnings.push(line.clone());
            failures.push(line);
        }
    }
    Ok((sources.into_iter().collect(), warnings, failures))
}
