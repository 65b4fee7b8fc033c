//! `logplan report`: the main job. Volumes from a snapshot file, the demo account or AWS; the
//! model on every path; the report folder; a console table of the totals.

use std::path::PathBuf;

use serde::Serialize;

use crate::cli::{GlobalArgs, ReportArgs, print_stdout};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::model::{self, Path};
use crate::money::MicroUsd;
use crate::period::Period;
use crate::pricing::PriceBook;
use crate::progress::Reporter;
use crate::report::{self, data::ApiUse, data::ReportData};
use crate::snapshot::{self, GroupInput};

/// What `--json` prints: the totals and where the report went.
#[derive(Debug, Serialize)]
struct JsonSummary<'a> {
    month: &'a str,
    report_dir: String,
    log_groups: usize,
    today_total_usd: MicroUsd,
    paths: Vec<(Path, Option<MicroUsd>)>,
    best_path: Path,
    best_path_savings_usd: MicroUsd,
    best_mix_total_usd: MicroUsd,
}

pub async fn run(global: &GlobalArgs, args: &ReportArgs, reporter: &Reporter) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let mut book = PriceBook::builtin()?;
    book.apply(
        &config.prices,
        config_path
            .as_deref()
            .unwrap_or(std::path::Path::new("logplan.toml")),
    )?;
    let mut scenario = config.scenario.clone();
    if args.no_free_tier {
        scenario.free_tier = false;
    }
    scenario.check().map_err(Error::Usage)?;

    // Volumes: a snapshot file, or measured now.
    let (groups, label, period, api, fresh) = match &args.snapshot {
        Some(path) => {
            let groups = snapshot::read(path)?;
            let (label, period) = label_for_snapshot(args.source.month.as_deref())?;
            (groups, label, period, None, None)
        }
        None => {
            let period = crate::commands::sample::period_of(&args.source)?;
            let (collected, _job) =
                crate::commands::sample::measure(global, &args.source, &config, period, reporter)
                    .await?;
            let groups: Vec<GroupInput> = collected.rows.iter().map(GroupInput::from).collect();
            let api = ApiUse {
                calls: collected
                    .stats
                    .calls()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
                metrics_requested: collected.stats.metrics_requested(),
                cost_usd: collected.stats.cost(),
            };
            (
                groups,
                period.label(),
                Some((period.start.to_string(), period.end.to_string())),
                Some(api),
                Some(collected),
            )
        }
    };
    if groups.is_empty() {
        reporter.warn("no log groups to model: the report will show zero costs");
    }

    // The query library's scan plan replaces the Insights assumption for the groups it reads.
    let scan_plan = library_scan_plan(&groups, &book, period.as_ref(), reporter)?;
    let model = model::run(groups, &book, &scenario, scan_plan.as_ref())?;
    let mut data = ReportData::build(&model, &label, period, &book.effective.to_string());
    data.api = api;
    data.previous = report::previous(&args.reports_dir, &label);
    let dir: PathBuf = args
        .out
        .clone()
        .unwrap_or_else(|| args.reports_dir.join(&label));

    report::write(&dir, &data, &model, &mut |tmp| {
        // A report that sampled keeps its snapshot beside it, for later months and reruns.
        if let Some(c) = &fresh {
            let dest = crate::snapshot::Destination {
                snapshot: tmp.join("snapshot.parquet"),
                daily: tmp.join("daily.parquet"),
                format: crate::snapshot::Format::Parquet,
            };
            let mut s = snapshot::snapshot_frame(&c.rows)?;
            let mut d = snapshot::daily_frame(&c.daily)?;
            dest.write(&mut s, &mut d)?;
        }
        Ok(())
    })?;

    if args.json {
        let j = JsonSummary {
            month: &data.month,
            report_dir: dir.display().to_string(),
            log_groups: data.groups.len(),
            today_total_usd: data.today_total_usd,
            paths: data.paths.iter().map(|p| (p.path, p.total_usd)).collect(),
            best_path: data.best_path,
            best_path_savings_usd: data.best_path_savings_usd,
            best_mix_total_usd: data.best_mix_total_usd,
        };
        let text = serde_json::to_string_pretty(&j)
            .map_err(|e| Error::Internal(format!("summary JSON: {e}")))?;
        print_stdout(&(text + "\n"))?;
    } else if !reporter.is_quiet() {
        print_stdout(&console_table(&data, &dir))?;
    }
    Ok(EXIT_OK)
}

/// Scan volumes per group from `queries/`, when the folder exists and lints as files.
fn library_scan_plan(
    groups: &[GroupInput],
    book: &PriceBook,
    period: Option<&(String, String)>,
    reporter: &Reporter,
) -> Result<Option<model::ScanPlan>> {
    let dir = std::path::Path::new("queries");
    if !dir.is_dir() {
        return Ok(None);
    }
    let (files, errors) = crate::queries::file::load_dir(dir);
    if let Some(e) = errors.first() {
        reporter.warn(&format!(
            "query library not used for Insights scan volumes: {e} (run `logplan queries lint`)"
        ));
        return Ok(None);
    }
    if files.is_empty() {
        return Ok(None);
    }
    let days = period
        .and_then(|(s, e)| {
            let s = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()?;
            let e = chrono::NaiveDate::parse_from_str(e, "%Y-%m-%d").ok()?;
            Some((e - s).num_days() as f64)
        })
        .unwrap_or(crate::queries::schedule::DAYS_PER_MONTH);
    let plan = crate::queries::cost::plan(&files, groups, book, days)?;
    Ok(Some(plan.scan))
}

/// The report folder's name for a snapshot file: `--month`, else the last full month (a
/// hand-written snapshot need not say which month it is).
fn label_for_snapshot(month: Option<&str>) -> Result<(String, Option<(String, String)>)> {
    let p = match month {
        Some(m) => Period::from_args(Some(m), None, None, chrono::Utc::now())?,
        None => Period::last_full_month(chrono::Utc::now()),
    };
    Ok((p.label(), Some((p.start.to_string(), p.end.to_string()))))
}

fn console_table(d: &ReportData, dir: &std::path::Path) -> String {
    let mut o = format!(
        "Monthly cost, {} ({} log groups; accounts {})\n",
        d.month,
        d.groups.len(),
        d.accounts.join(", ")
    );
    let width = 26;
    o += &format!(
        "  {:<width$} {:>16} {:>16}\n",
        "path", "monthly USD", "vs today"
    );
    o += &format!(
        "  {:<width$} {:>16}\n",
        "today",
        d.today_total_usd.to_string()
    );
    for p in &d.paths {
        match p.total_usd {
            Some(t) => {
                let diff = t - d.today_total_usd;
                let sign = if diff.0 > 0 { "+" } else { "" };
                o += &format!(
                    "  {:<width$} {:>16} {:>16}\n",
                    p.path.as_str(),
                    t.to_string(),
                    format!("{sign}{diff}")
                );
            }
            None => {
                o += &format!(
                    "  {:<width$} {:>16} {}\n",
                    p.path.as_str(),
                    "n/a",
                    p.reason.as_deref().unwrap_or("")
                )
            }
        }
    }
    if d.best_path_savings_usd.0 > 0 {
        o += &format!(
            "Cheapest path: {} saves {} a month against today.\n",
            d.best_path.as_str(),
            d.best_path_savings_usd
        );
    } else {
        o += "No single path is cheaper than today.\n";
    }
    o += &format!("Report: {}\n", dir.display());
    o
}
