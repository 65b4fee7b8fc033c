//! `logplan sample`: measure volumes and write the snapshot.

use serde::Serialize;

use super::print_stdout;
use crate::aws::sdk::{ConnectSettings, SdkAccount};
use crate::cli::{GlobalArgs, SampleArgs, SourceArgs};
use crate::collect::{Collected, DEFAULT_CONCURRENCY, Job, Mode, collect};
use crate::config::{AccountMode, Config};
use crate::demo::DemoAccount;
use crate::discover::{DiscoverOptions, ForwardingScan};
use crate::error::{EXIT_OK, Error, Result};
use crate::money::MicroUsd;
use crate::period::Period;
use crate::progress::Reporter;
use crate::snapshot::{Destination, Tables};

const GIB: f64 = 1_073_741_824.0;

/// The run summary; `--json` prints it as is.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub account_id: String,
    pub regions: Vec<String>,
    pub period_start: String,
    pub period_end_exclusive: String,
    pub log_groups: usize,
    pub incoming_bytes: u64,
    pub incoming_events: u64,
    pub forwarded_bytes: u64,
    pub forwarded_events: u64,
    pub forwarded_groups: usize,
    pub forwarding_unknown_groups: usize,
    /// How forwarding was found: `metrics` (ListMetrics + account policies), `full` (every
    /// group's filters), `off`.
    pub forwarding_scan: &'static str,
    /// Subscription filters found, those defined by account policies, and those silent for
    /// two weeks.
    pub filters: usize,
    pub policy_filters: usize,
    pub silent_filters: usize,
    /// Groups AWS said were deleted while the run asked about them.
    pub deleted_during_run: usize,
    /// Groups whose source an AWS API named (`source_basis = aws`), and WAF groups whose
    /// inspected requests were measured.
    pub sources_from_aws: usize,
    pub waf_groups_counted: usize,
    /// Calls per IAM action (attempts, retries included).
    pub api_calls: std::collections::BTreeMap<&'static str, u64>,
    pub api_calls_total: u64,
    /// Attempts AWS answered with throttling, per IAM action.
    pub api_throttled: std::collections::BTreeMap<&'static str, u64>,
    pub get_metric_data_calls: u64,
    pub get_metric_data_min_calls: usize,
    pub metrics_requested: u64,
    /// GetMetricData cost of this run, USD (decimal string, exact).
    pub api_cost_usd: String,
    pub snapshot: String,
    pub daily: String,
    pub filters_table: String,
    pub warnings: Vec<String>,
    /// Accounts measured, and those that failed (the run is then partial: exit code 1).
    pub accounts: Vec<String>,
    pub failed_accounts: Vec<String>,
}

/// The period the source options name (checked against now).
pub fn period_of(source: &SourceArgs) -> Result<Period> {
    Period::from_args(
        source.month.as_deref(),
        source.start.as_deref(),
        source.end.as_deref(),
        chrono::Utc::now(),
    )
}

/// Discover and sample from the demo account or AWS, as the source options say. Everything the
/// user may have mistyped is checked before the first AWS call.
pub async fn measure(
    global: &GlobalArgs,
    source: &SourceArgs,
    config: &Config,
    period: Period,
    reporter: &Reporter,
) -> Result<(Collected, Job)> {
    for r in &global.regions {
        crate::regions::check(r)?;
    }
    let concurrency = global
        .concurrency
        .map(usize::from)
        .or(config.concurrency)
        .unwrap_or(DEFAULT_CONCURRENCY);
    let mut regions = if global.regions.is_empty() {
        config.regions.clone()
    } else {
        global.regions.clone()
    };
    let settings = ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
    let mut job = Job {
        regions: vec![],
        period,
        discover: DiscoverOptions {
            prefixes: source.prefixes.clone(),
            excludes: source.excludes.clone(),
            forwarder_arns: config.forwarding.datadog_forwarder_arns.clone(),
            scan: if source.no_forwarding_scan {
                ForwardingScan::Off
            } else if source.full_forwarding_scan {
                ForwardingScan::Full
            } else {
                ForwardingScan::Metrics
            },
            concurrency,
        },
        sample_events: source.sample_events,
        concurrency,
        rate_limits: config.aws.rate_limits.clone(),
        retry: settings.retry_settings(),
    };
    crate::discover::check_excludes(&job.discover.excludes)?;
    if period.start < chrono::Utc::now().date_naive() - chrono::Duration::days(455) {
        reporter.warn(&format!(
            "CloudWatch keeps daily datapoints for 455 days; {} starts earlier, so older days read as zero",
            period.label()
        ));
    }
    let collected = if source.demo {
        if regions.is_empty() {
            regions.extend(DemoAccount::regions().map(String::from));
        }
        job.regions = regions;
        // The demo's organization: the main account, then the member account under its payer.
        let mut c = collect(&DemoAccount::new(), &job, reporter).await?;
        c.absorb(collect(&DemoAccount::member(), &job, reporter).await?);
        c
    } else {
        let account = SdkAccount::connect(&settings, regions.first().map(String::as_str)).await?;
        if regions.is_empty() {
            match account.default_region() {
                Some(r) => regions.push(r),
                None => {
                    return Err(Error::Usage(
                        "no region: pass --region, set `regions` in logplan.toml, or set AWS_REGION"
                            .into(),
                    ));
                }
            }
        }
        for r in &regions {
            crate::regions::check(r)?;
        }
        job.regions = regions;
        if config.accounts.is_empty() {
            collect(&account, &job, reporter).await?
        } else {
            measure_accounts(&account, &config.accounts, &job, reporter).await?
        }
    };
    Ok((collected, job))
}

/// Every `[[accounts]]` entry, sampled concurrently under one limiter: a role assumed from the
/// base credentials (AssumeRole paced and bounded like every other call), or a monitoring account
/// with its linked source accounts. One entry's failure (a role it cannot assume, AccessDenied)
/// is reported and the others go on; if every entry fails, the first failure is the error. An
/// account reached by two entries is measured once.
async fn measure_accounts(
    base: &SdkAccount,
    entries: &[crate::config::AccountRole],
    job: &Job,
    reporter: &Reporter,
) -> Result<Collected> {
    let limiter = job.limiter();
    let sts_region = job
        .regions
        .first()
        .cloned()
        .unwrap_or_else(|| "us-east-1".into());
    let base_stats = std::sync::Arc::new(crate::aws::ApiStats::default());
    let runs = entries.iter().map(|entry| {
        let limiter = limiter.clone();
        let (base_stats, sts_region) = (base_stats.clone(), sts_region.clone());
        let mut job = job.clone();
        if !entry.regions.is_empty() {
            job.regions = entry.regions.clone();
        }
        let mode = match entry.mode {
            AccountMode::Role => Mode::Own,
            AccountMode::Monitoring => Mode::Monitoring {
                accounts: entry.accounts.clone(),
            },
        };
        async move {
            let label = entry.label();
            match entry.to_assume() {
                Some(role) => {
                    let account = limiter
                        .bounded(
                            "base",
                            &sts_region,
                            "sts:AssumeRole",
                            &base_stats,
                            base.assume(&role),
                        )
                        .await??;
                    crate::collect::collect_shared(&account, &job, reporter, limiter, &label, &mode)
                        .await
                }
                None => {
                    crate::collect::collect_shared(base, &job, reporter, limiter, &label, &mode)
                        .await
                }
            }
        }
    });
    let results = futures::future::join_all(runs).await;
    let mut out = Collected::default();
    out.stats.absorb(&base_stats);
    let mut first_error = None;
    for (entry, r) in entries.iter().zip(results) {
        match r {
            Ok(mut c) => {
                let dup: Vec<String> = c
                    .accounts
                    .iter()
                    .filter(|a| out.accounts.contains(a))
                    .cloned()
                    .collect();
                if !dup.is_empty() {
                    let w = format!(
                        "account {} reached again through {}: measured once",
                        dup.join(", "),
                        entry.label()
                    );
                    reporter.warn(&w);
                    c.warnings.push(w);
                    c.rows.retain(|r| !dup.contains(&r.account_id));
                    c.daily.retain(|r| !dup.contains(&r.account_id));
                    c.filters.retain(|r| !dup.contains(&r.account_id));
                    c.accounts.retain(|a| !dup.contains(a));
                }
                out.absorb(c)
            }
            Err(e) => {
                let line = format!("{}: {e}", entry.label());
                reporter.warn(&format!("account skipped: {line}"));
                out.failures.push(line);
                first_error.get_or_insert(e);
            }
        }
    }
    if out.accounts.is_empty() {
        return Err(first_error.unwrap_or_else(|| Error::Usage("no accounts to sample".into())));
    }
    Ok(out)
}

pub async fn run(global: &GlobalArgs, args: &SampleArgs, reporter: &Reporter) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let period = period_of(&args.source)?;
    let dest = Destination::resolve(
        args.out.as_deref(),
        args.format.map(Into::into),
        &args.reports_dir,
        &period.label(),
    )?;
    let (collected, job) = measure(global, &args.source, &config, period, reporter).await?;
    // Organizations also get the tables partitioned by account and region, for Athena and
    // friends.
    Tables::build(&collected.rows, &collected.daily, &collected.filters)?
        .write(&dest, collected.accounts.len() > 1)?;

    let summary = summarize(&collected, &job, &dest);
    if args.json {
        let text = serde_json::to_string_pretty(&summary)
            .map_err(|e| Error::Internal(format!("summary JSON: {e}")))?;
        print_stdout(&(text + "\n"))?;
    } else if !reporter.is_quiet() {
        print_stdout(&render(&summary))?;
    }
    // Some accounts could not be measured: the run is partial.
    Ok(if collected.failures.is_empty() {
        EXIT_OK
    } else {
        crate::error::EXIT_FINDINGS
    })
}

fn summarize(c: &Collected, job: &Job, dest: &Destination) -> Summary {
    let sum = |f: &dyn Fn(&crate::snapshot::SnapshotRow) -> u64| c.rows.iter().map(f).sum::<u64>();
    Summary {
        forwarding_scan: match job.discover.scan {
            ForwardingScan::Off => "off",
            ForwardingScan::Metrics => "metrics",
            ForwardingScan::Full => "full",
        },
        filters: c.filters.len(),
        policy_filters: c.filters.iter().filter(|f| f.policy_name.is_some()).count(),
        silent_filters: c
            .filters
            .iter()
            .filter(|f| f.silent_two_weeks == Some(true))
            .count(),
        deleted_during_run: c.rows.iter().filter(|r| r.deleted_during_run).count(),
        sources_from_aws: c
            .rows
            .iter()
            .filter(|r| r.source_basis.as_deref() == Some("aws"))
            .count(),
        waf_groups_counted: c.rows.iter().filter(|r| r.waf_requests.is_some()).count(),
        api_throttled: c.stats.throttled(),
        filters_table: dest.filters.display().to_string(),
        account_id: c.account_id.clone(),
        regions: job.regions.clone(),
        period_start: job.period.start.to_string(),
        period_end_exclusive: job.period.end.to_string(),
        log_groups: c.rows.len(),
        incoming_bytes: sum(&|r| r.incoming_bytes),
        incoming_events: sum(&|r| r.incoming_events),
        forwarded_bytes: sum(&|r| r.forwarded_bytes.unwrap_or(0)),
        forwarded_events: sum(&|r| r.forwarded_events.unwrap_or(0)),
        forwarded_groups: {
            let mut g: Vec<(&str, &str, &str)> = c
                .filters
                .iter()
                .map(|f| {
                    (
                        f.account_id.as_str(),
                        f.region.as_str(),
                        f.log_group.as_str(),
                    )
                })
                .collect();
            g.dedup();
            g.len()
        },
        forwarding_unknown_groups: c
            .rows
            .iter()
            .filter(|r| r.datadog_forwarder.is_none())
            .count(),
        api_calls: c.stats.calls(),
        api_calls_total: c.stats.total_calls(),
        get_metric_data_calls: c.stats.count("cloudwatch:GetMetricData"),
        get_metric_data_min_calls: c.plan.min_calls,
        metrics_requested: c.stats.metrics_requested(),
        api_cost_usd: c.stats.cost().to_decimal(6),
        snapshot: dest.snapshot.display().to_string(),
        daily: dest.daily.display().to_string(),
        warnings: c.warnings.clone(),
        accounts: c.accounts.clone(),
        failed_accounts: c.failures.clone(),
    }
}

fn render(s: &Summary) -> String {
    let gib = |b: u64| format!("{:.2} GiB", b as f64 / GIB);
    let cost = MicroUsd(s.metrics_requested as i64 * crate::aws::GET_METRIC_DATA_MICROS_PER_METRIC);
    let accounts = match s.accounts.len() {
        0 | 1 => format!("account {}", s.account_id),
        _ => format!("accounts {}", s.accounts.join(", ")),
    };
    let mut out = format!(
        "Sampled {} log groups in {} ({accounts}), {} to {} (exclusive)\n",
        s.log_groups,
        s.regions.join(", "),
        s.period_start,
        s.period_end_exclusive
    );
    out += &format!(
        "  ingested    {}, {} events\n",
        gib(s.incoming_bytes),
        s.incoming_events
    );
    out += &format!(
        "  forwarded   {} compressed, {} events, from {} groups",
        gib(s.forwarded_bytes),
        s.forwarded_events,
        s.forwarded_groups
    );
    if s.forwarding_unknown_groups > 0 {
        out += &format!(" ({} groups unknown)", s.forwarding_unknown_groups);
    }
    out += "\n";
    if s.filters > 0 {
        out += &format!(
            "  forwarding  {} subscription filters ({} from account policies, {} silent for two weeks)\n",
            s.filters, s.policy_filters, s.silent_filters
        );
    }
    if s.sources_from_aws + s.waf_groups_counted > 0 {
        out += &format!(
            "  sources     {} groups named by AWS (deliveries, DELIVERY class), the rest by name; \
             {} WAF groups with request counts\n",
            s.sources_from_aws, s.waf_groups_counted
        );
    }
    if s.deleted_during_run > 0 {
        out += &format!(
            "  churn       {} groups deleted during the run (kept with what was measured)\n",
            s.deleted_during_run
        );
    }
    out += &format!(
        "  API calls   {} (GetMetricData {} of a minimum {}, {} metrics requested: {:.4})\n",
        s.api_calls_total,
        s.get_metric_data_calls,
        s.get_metric_data_min_calls,
        s.metrics_requested,
        cost
    );
    for (action, n) in &s.api_calls {
        let throttled = s
            .api_throttled
            .get(action)
            .map(|t| format!(" ({t} throttled)"))
            .unwrap_or_default();
        out += &format!("    {action:<36} {n:>8}{throttled}\n");
    }
    out += &format!(
        "  snapshot    {}\n  daily       {}\n  filters     {}\n",
        s.snapshot, s.daily, s.filters_table
    );
    out
}
