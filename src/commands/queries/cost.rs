//! `logplan queries cost`: each query's Logs Insights scan cost for a month, from a snapshot
//! (and the daily table beside it) or the demo account; with `--target`, the scheduled queries
//! of that account the library does not manage are listed and priced too.

use std::path::Path;

use chrono::NaiveDate;

use crate::cli::{CostArgs, GlobalArgs};
use crate::commands::print_stdout;
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::period::Period;
use crate::progress::Reporter;
use crate::queries::cost::{self, CostPlan, Volumes};
use crate::snapshot::{DailyRow, GroupInput};

use super::{connect, library_for_deploy};

fn period_of(month: Option<&str>, daily: &[DailyRow]) -> Result<(NaiveDate, NaiveDate)> {
    if let Some(m) = month {
        let p = Period::from_args(Some(m), None, None, chrono::Utc::now())?;
        return Ok((p.start, p.end));
    }
    if let (Some(first), Some(last)) = (
        daily.iter().map(|d| d.day).min(),
        daily.iter().map(|d| d.day).max(),
    ) {
        return Ok((first, last.succ_opt().unwrap_or(last)));
    }
    let p = Period::last_full_month(chrono::Utc::now());
    Ok((p.start, p.end))
}

/// The scheduled queries of the target's account the library does not manage.
async fn unmanaged_of_target(
    global: &GlobalArgs,
    config: &Config,
    target: &str,
) -> Result<Vec<(String, String, crate::aws::insights::ScheduledQuery, bool)>> {
    use crate::aws::AccountApi;
    use crate::aws::insights::all_scheduled;
    let (_, account, regions) = connect(global, config, target).await?;
    let id = account.account_id().await?;
    let mut out = Vec::new();
    for r in &regions {
        let api = account.region(r);
        for s in all_scheduled(&api).await? {
            let q = crate::aws::insights::InsightsApi::get_scheduled_query(
                &api,
                s.arn.clone().unwrap_or(s.name.clone()),
            )
            .await?;
            out.push((
                id.clone(),
                r.clone(),
                q,
                s.schedule_type.as_deref() == Some("AWS_MANAGED"),
            ));
        }
    }
    Ok(super::usage::unmanaged(&out, config.library_id.as_deref()))
}

fn render(plan: &CostPlan) -> String {
    let mut o = format!(
        "Logs Insights scanning planned for {} .. {} (end exclusive)\n",
        plan.period_start, plan.period_end
    );
    o += &format!(
        "{:<48} {:<10} {:>10} {:>7} {:>12} {:>14} {:>12}\n",
        "query", "kind", "runs", "window", "GiB/run", "GiB", "USD"
    );
    let mut sorted: Vec<_> = plan.queries.iter().chain(plan.unmanaged.iter()).collect();
    sorted.sort_by(|a, b| {
        b.usd_per_month
            .cmp(&a.usd_per_month)
            .then(a.name.cmp(&b.name))
    });
    for q in sorted {
        if q.unscheduled {
            o += &format!("{:<48} {:<10} {:>10}\n", q.name, q.kind, "no schedule");
            continue;
        }
        o += &format!(
            "{:<48} {:<10} {:>10.0} {:>7} {:>12.2} {:>14.1} {:>12}\n",
            q.name,
            q.kind.split(' ').next().unwrap_or(""),
            q.runs_per_month,
            q.window,
            q.gib_per_run,
            q.gib_per_month,
            q.usd_per_month.to_string()
        );
        if q.kind.contains("managed") || q.kind.starts_with("unmanaged") {
            o += &format!(
                "    {}: not this library's; it is on the bill too\n",
                q.kind
            );
        }
        if !q.unknown_log_groups.is_empty() {
            o += &format!(
                "    not in the volumes (scanned as zero): {}\n",
                q.unknown_log_groups.join(", ")
            );
        }
    }
    o += &format!(
        "Total Insights scanning planned: {} ({} of it by scheduled queries this library does not manage)\n",
        plan.total_usd, plan.unmanaged_usd
    );
    o
}

pub(super) async fn run(
    global: &GlobalArgs,
    library: &Path,
    a: &CostArgs,
    reporter: &Reporter,
) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let book = crate::pricing::PriceBook::in_force(&config.prices, config_path.as_deref())?;
    let lib = config
        .library_id
        .clone()
        .unwrap_or_else(|| crate::queries::preflight::ASSUMED_LIBRARY_ID.to_string());
    let files = library_for_deploy(library, None, &lib, None)?;
    let (groups, daily, start, end): (Vec<GroupInput>, Vec<DailyRow>, NaiveDate, NaiveDate) =
        match (&a.snapshot, a.demo) {
            (Some(p), _) => {
                let groups = crate::snapshot::read(p)?;
                let daily = cost::daily_beside(p)?;
                let (s, e) = period_of(a.month.as_deref(), &daily)?;
                (groups, daily, s, e)
            }
            (None, true) => {
                let (s, e) = period_of(a.month.as_deref(), &[])?;
                let period = Period { start: s, end: e };
                let source = crate::cli::SourceArgs {
                    demo: true,
                    month: Some(period.label()),
                    start: None,
                    end: None,
                    prefixes: vec![],
                    excludes: vec![],
                    sample_events: None,
                    no_forwarding_scan: false,
                    full_forwarding_scan: false,
                };
                let (c, _) =
                    crate::commands::sample::measure(global, &source, &config, period, reporter)
                        .await?;
                (
                    c.rows.iter().map(GroupInput::from).collect(),
                    c.daily.clone(),
                    s,
                    e,
                )
            }
            (None, false) => {
                return Err(Error::Usage(
                    "give --snapshot FILE or --demo for the volumes to plan against".into(),
                ));
            }
        };
    let unmanaged = match (&a.target, a.demo) {
        (Some(t), _) => unmanaged_of_target(global, &config, t).await?,
        (None, true) => {
            let read = super::usage::read(global, &config, true, true).await?;
            super::usage::unmanaged(&read.scheduled, config.library_id.as_deref())
        }
        (None, false) => Vec::new(),
    };
    let volumes = Volumes {
        groups: &groups,
        daily: &daily,
        start,
        end,
    };
    let plan = cost::plan(&files, &volumes, &unmanaged, &book)?;
    if let Some(path) = &a.out {
        let mut csv = String::from("query,kind,runs,window,gib_per_run,gib,usd\n");
        for q in plan.queries.iter().chain(plan.unmanaged.iter()) {
            csv += &format!(
                "{},{},{:.2},{},{:.6},{:.6},{}\n",
                crate::report::tables::csv_field(&q.name),
                q.kind,
                q.runs_per_month,
                q.window,
                q.gib_per_run,
                q.gib_per_month,
                q.usd_per_month.to_decimal(6)
            );
        }
        crate::commands::write_atomic(path, csv.as_bytes())?;
    }
    if a.json {
        let text =
            serde_json::to_string_pretty(&plan).map_err(|e| Error::Internal(e.to_string()))?;
        print_stdout(&(text + "\n"))?;
    } else {
        print_stdout(&render(&plan))?;
    }
    Ok(EXIT_OK)
}
