//! `logplan sample`: measure volumes and write the snapshot.

use serde::Serialize;

use super::print_stdout;
use crate::aws::sdk::{ConnectSettings, SdkAccount};
use crate::cli::{GlobalArgs, SampleArgs, SourceArgs};
use crate::collect::{Collected, DEFAULT_CONCURRENCY, Job, collect};
use crate::config::Config;
use crate::demo::{DEMO_REGION, DemoAccount};
use crate::discover::DiscoverOptions;
use crate::error::{EXIT_OK, Error, Result};
use crate::money::MicroUsd;
use crate::period::Period;
use crate::progress::Reporter;
use crate::snapshot::{Destination, daily_frame, snapshot_frame};

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
    pub api_calls: std::collections::BTreeMap<&'static str, u64>,
    pub api_calls_total: u64,
    pub get_metric_data_calls: u64,
    pub get_metric_data_min_calls: usize,
    pub metrics_requested: u64,
    /// GetMetricData cost of this run, USD (decimal string, exact).
    pub api_cost_usd: String,
    pub snapshot: String,
    pub daily: String,
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
    let mut job = Job {
        regions: vec![],
        period,
        discover: DiscoverOptions {
            prefixes: source.prefixes.clone(),
            excludes: source.excludes.clone(),
            forwarder_arns: config.forwarding.datadog_forwarder_arns.clone(),
            scan_subscriptions: !source.no_forwarding_scan,
            concurrency,
        },
        sample_events: source.sample_events,
        concurrency,
        rate_limits: config.aws.rate_limits.clone(),
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
            regions.push(DEMO_REGION.to_string());
        }
        job.regions = regions;
        collect(&DemoAccount::new(), &job, reporter).await?
    } else {
        let settings =
            ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
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

/// Every `[[accounts]]` role, assumed from the base credentials, sampled concurrently under one
/// request bound. One account's failure (a role it cannot assume, AccessDenied) is reported and
/// the others go on; if every account fails, the first failure is the error.
async fn measure_accounts(
    base: &SdkAccount,
    roles: &[crate::config::AccountRole],
    job: &Job,
    reporter: &Reporter,
) -> Result<Collected> {
    for role in roles {
        for r in &role.regions {
            crate::regions::check(r)?;
        }
    }
    let permits = std::sync::Arc::new(tokio::sync::Semaphore::new(job.concurrency.max(1)));
    let runs = roles.iter().map(|role| {
        let permits = permits.clone();
        let mut job = job.clone();
        if !role.regions.is_empty() {
            job.regions = role.regions.clone();
        }
        async move {
            let account = base.assume(role).await?;
            crate::collect::collect_shared(&account, &job, reporter, permits).await
        }
    });
    let results = futures::future::join_all(runs).await;
    let mut out = Collected::default();
    let mut first_error = None;
    for (role, r) in roles.iter().zip(results) {
        match r {
            Ok(c) => out.absorb(c),
            Err(e) => {
                let line = format!("{}: {e}", role.role_arn);
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
    let mut snapshot = snapshot_frame(&collected.rows)?;
    let mut daily = daily_frame(&collected.daily)?;
    dest.write(&mut snapshot, &mut daily)?;
    // Organizations: the same tables partitioned by account and region, for Athena and friends.
    if collected.accounts.len() > 1 {
        let dir = dest
            .snapshot
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(std::path::Path::new("."));
        crate::snapshot::write_hive(&snapshot, &dir.join("snapshot"))?;
        crate::snapshot::write_hive(&daily, &dir.join("daily"))?;
    }

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
        account_id: c.account_id.clone(),
        regions: job.regions.clone(),
        period_start: job.period.start.to_string(),
        period_end_exclusive: job.period.end.to_string(),
        log_groups: c.rows.len(),
        incoming_bytes: sum(&|r| r.incoming_bytes),
        incoming_events: sum(&|r| r.incoming_events),
        forwarded_bytes: sum(&|r| r.forwarded_bytes.unwrap_or(0)),
        forwarded_events: sum(&|r| r.forwarded_events.unwrap_or(0)),
        forwarded_groups: c
            .rows
            .iter()
            .filter(|r| r.subscription_destination.is_some())
            .count(),
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
    let mut out = format!(
        "Sampled {} log groups in {} (account {}), {} to {} (exclusive)\n",
        s.log_groups,
        s.regions.join(", "),
        s.account_id,
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
    out += &format!(
        "  API calls   {} (GetMetricData {} of a minimum {}, {} metrics requested: {:.4})\n",
        s.api_calls_total,
        s.get_metric_data_calls,
        s.get_metric_data_min_calls,
        s.metrics_requested,
        cost
    );
    out += &format!("  snapshot    {}\n  daily       {}\n", s.snapshot, s.daily);
    out
}
