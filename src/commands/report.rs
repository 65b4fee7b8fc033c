//! `logplan report`: the main job. Volumes from a snapshot file, the demo account or AWS; the
//! model on every path; the report folder; a console table of the totals.

use std::path::PathBuf;

use serde::Serialize;

use super::print_stdout;
use crate::cli::{GlobalArgs, ReportArgs};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::model::{self, Path};
use crate::money::MicroUsd;
use crate::period::{Period, Priced};
use crate::pricing::PriceBook;
use crate::progress::Reporter;
use crate::reconcile::export::Source;
use crate::reconcile::{self, AwsInput};
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
    /// With --actuals / --datadog-usage: the reconciliation's headline figures.
    #[serde(skip_serializing_if = "Option::is_none")]
    reconciliation: Option<JsonReconciliation>,
}

#[derive(Debug, Serialize)]
struct JsonReconciliation {
    /// `reconciled`, `no_data`, `unavailable`, or absent without --actuals.
    aws_status: Option<String>,
    /// `cost_explorer`, `cur2`, `focus` or `athena`, with --actuals.
    source: Option<String>,
    /// What reading the source cost this run.
    source_cost_usd: MicroUsd,
    aws_reason: Option<String>,
    cost_explorer_requests: u32,
    cost_explorer_cost_usd: MicroUsd,
    from_cache: bool,
    modeled_usd: Option<MicroUsd>,
    billed_usd: Option<MicroUsd>,
    variance_usd: Option<MicroUsd>,
    variance_pct: Option<rust_decimal::Decimal>,
    flagged_components: Vec<String>,
    unmapped_usd: Option<MicroUsd>,
    datadog_flagged_components: Vec<String>,
}

pub async fn run(global: &GlobalArgs, args: &ReportArgs, reporter: &Reporter) -> Result<i32> {
    if let Some(o) = &args.out
        && o.exists()
        && !o.is_dir()
    {
        return Err(report::refuse_file(o));
    }
    if args.allow_empty && args.snapshot.is_none() {
        return Err(Error::Usage(
            "--allow-empty is about an empty --snapshot: it needs --snapshot".into(),
        ));
    }
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let mut book = PriceBook::builtin()?;
    book.apply(
        &config.prices,
        config_path
            .as_deref()
            .unwrap_or(std::path::Path::new("logplan.toml")),
    )?;
    let mut scenario = config.scenario.clone();
    // Accounts sharing a bill pool their tiers; the demo's second account shares its payer.
    scenario.payers = config.billing.payer_of();
    if args.source.demo && scenario.payers.is_empty() {
        scenario.payers = crate::demo::payers();
    }
    if args.no_free_tier {
        scenario.free_tier = false;
    }
    scenario.check().map_err(Error::Usage)?;

    // Reconciliation compares a calendar month: check its inputs before any AWS call.
    if args.refresh && !args.actuals {
        return Err(Error::Usage(
            "--refresh refetches the actuals: it needs --actuals".into(),
        ));
    }
    let reconciling = args.actuals || args.datadog_usage.is_some();
    let threshold = reconcile::threshold(config.reconcile.variance_threshold_percent)?;
    if reconciling && (args.source.start.is_some() || args.source.end.is_some()) {
        return Err(Error::Usage(
            "--actuals and --datadog-usage compare a calendar month: use --month, not --start/--end"
                .into(),
        ));
    }
    // The period: the snapshot's own (read first: it is checked before any AWS call), else the
    // flags; the report prices the calendar month it lies in.
    let read = match &args.snapshot {
        Some(path) => {
            let _t = crate::progress::Stage::start("reading the snapshot");
            let (groups, read_period) = snapshot::read_with_period(path)?;
            if groups.is_empty() && !args.allow_empty {
                return Err(Error::Input {
                    path: path.clone(),
                    message: "no log groups (header only); pass --allow-empty to write a \
                              zero-cost report (nothing was written)"
                        .into(),
                });
            }
            let src = &args.source;
            let flags = (
                src.month.as_deref(),
                src.start.as_deref(),
                src.end.as_deref(),
            );
            let priced = Priced::of_snapshot(path, read_period, flags, chrono::Utc::now())?;
            Some((groups, priced))
        }
        None => None,
    };
    let priced = match &read {
        Some((_, p)) => *p,
        None => {
            let src = &args.source;
            let flags = (
                src.month.as_deref(),
                src.start.as_deref(),
                src.end.as_deref(),
            );
            Priced::live(flags, chrono::Utc::now())?
        }
    };
    let month = reconciling.then_some(priced.month);
    // `--datadog-usage api` asks Datadog's usage API once the volumes are known; a file is
    // read (and checked) before any AWS call.
    let datadog_api = args.datadog_usage.as_deref() == Some(std::path::Path::new("api"));
    let datadog_usage = match (&args.datadog_usage, &month) {
        (Some(path), Some(m)) if !datadog_api => Some(reconcile::datadog::read(path, m)?),
        _ => None,
    };
    let source = if args.actuals {
        crate::commands::actuals::source(args.from.as_deref(), &config)?
    } else {
        Source::CostExplorer
    };
    let dd_settings = if datadog_api {
        Some(reconcile::ddapi::DdSettings::from_env(
            global.max_attempts.or(config.aws.max_attempts).unwrap_or(6),
        )?)
    } else {
        None
    };

    // Volumes: a snapshot file, or measured now.
    let (mut groups, api, fresh) = match read {
        Some((groups, _)) => (groups, None, None),
        None => {
            let (collected, _job) = crate::commands::sample::measure(
                global,
                &args.source,
                &config,
                priced.measured,
                reporter,
            )
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
                warnings: collected.warnings.clone(),
                throttled: collected
                    .stats
                    .throttled()
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            };
            (groups, Some(api), Some(collected))
        }
    };
    // A period shorter than its month: the period's flows x days in the month / days measured.
    if priced.is_scaled() {
        let (num, den) = priced.scale();
        for g in &mut groups {
            g.scale_flows(num, den);
        }
    }
    let label = priced.month.label();
    if groups.is_empty() {
        reporter.warn("no log groups to model: the report will show zero costs");
    }

    // Insights scanning per group: what DescribeQueries measured (live and demo runs), else the
    // query library's plan for the groups it reads (with the account's scheduled queries), else
    // the assumption.
    let daily = match (&fresh, &args.snapshot) {
        (Some(c), _) => c.daily.clone(),
        (None, Some(p)) => crate::queries::cost::daily_beside(p)?,
        (None, None) => Vec::new(),
    };
    let (measured, unmanaged) = match &args.snapshot {
        None => {
            crate::commands::queries::measured_for_report(
                global,
                &config,
                args.source.demo,
                priced.month.days(),
                reporter,
            )
            .await
        }
        Some(_) => (None, Vec::new()),
    };
    let scan_plan = library_scan_plan(
        &args.library,
        &groups,
        &daily,
        &unmanaged,
        &book,
        priced.month,
        reporter,
    )?;
    // Dated rules (Lambda logs vended since 2025-05-01), the month's hours and its free tiers
    // follow the month being priced.
    scenario.month_start = Some(priced.month.start);
    // Datadog's measured usage sets the scenario's indexed share, retention and Flex.
    let dd_measured = match (&dd_settings, &month) {
        (Some(dd), Some(m)) => {
            let api = reconcile::ddapi::HttpUsageApi::new(dd.clone())?;
            let usage = reconcile::ddapi::fetch_month(&api, m).await?;
            reporter.info(&format!(
                "Datadog usage API: {} request{} ({} pages, {} hours of usage)",
                api.requests(),
                if api.requests() == 1 { "" } else { "s" },
                usage.pages,
                usage.hours
            ));
            let source = format!("Datadog usage API ({}), {}", dd.site, m.label());
            let m = reconcile::ddapi::Measured::derive(&source, usage, &groups);
            m.apply(&mut scenario);
            Some(m)
        }
        _ => None,
    };
    let t = crate::progress::Stage::start("the model");
    let model = model::run_with_measured(
        groups,
        &book,
        &scenario,
        scan_plan.as_ref(),
        measured.as_ref(),
    )?;
    drop(t);
    let t = crate::progress::Stage::start("the report's data");
    let mut data = ReportData::build(&model, &priced, &book.effective.to_string());
    drop(t);
    if let Some(m) = &dd_measured {
        for (name, value, note) in m.assumptions() {
            if let Some(a) = data.assumptions.iter_mut().find(|a| a.name == name) {
                a.value = value;
                a.note = note;
            }
        }
        data.billing.datadog_measured = Some(m.clone());
    }
    data.api = api;
    data.previous = report::previous(&args.reports_dir, &label);
    let dir: PathBuf = args
        .out
        .clone()
        .unwrap_or_else(|| args.reports_dir.join(&label));

    // Actuals: from the folder's cache, else Cost Explorer. A failure is a warning: the report
    // renders without them and says why.
    let mut fresh_actuals: Option<String> = None;
    let mut fresh_export: Option<String> = None;
    let tag_keys = config.report.group_by_tags.clone();
    let mut export_tags: Option<reconcile::export::ResourceTags> = None;
    let aws_input = if args.actuals
        && let Some(m) = &month
        && !matches!(source, Source::CostExplorer)
    {
        // A billing export: every failure is an error (the user named the source).
        let cache = crate::commands::actuals::export_cache_path(&dir);
        let got = crate::commands::actuals::obtain_export(
            global,
            &config,
            &source,
            m,
            &tag_keys,
            &cache,
            args.refresh,
            reporter,
        )
        .await?;
        if !got.from_cache {
            fresh_export = Some(got.actuals.to_json()?);
        }
        if !got.actuals.resource_tags.is_empty() || got.actuals.has_resource_ids {
            export_tags = Some(got.actuals.resource_tags.clone());
        }
        Some(AwsInput::Export {
            actuals: Box::new(got.actuals),
            from_cache: got.from_cache,
            cache_file: cache.display().to_string(),
            line: got.line,
        })
    } else if args.actuals
        && let Some(m) = &month
    {
        let by_account = model.accounts.len() > 1 || !config.accounts.is_empty();
        let query = crate::aws::costexplorer::CostQuery::month(
            &m.start.to_string(),
            &m.end.to_string(),
            by_account,
        );
        let cache = crate::commands::actuals::cache_path(&dir);
        let cache_file = cache.display().to_string();
        match crate::commands::actuals::obtain(
            global,
            &config,
            &query,
            &cache,
            args.refresh,
            reporter,
        )
        .await
        {
            Ok(got) => {
                if !got.from_cache {
                    fresh_actuals = Some(got.actuals.to_json()?);
                }
                if !got.actuals.has_data() {
                    reporter.warn(&format!(
                        "no Cost Explorer data for {label}: the report has no billed side to compare"
                    ));
                }
                Some(AwsInput::Result {
                    actuals: Box::new(got.actuals),
                    requests: got.requests,
                    from_cache: got.from_cache,
                    cache_file,
                })
            }
            Err(f) if f.is_no_data() => {
                reporter.warn(&format!("no Cost Explorer data for {label}: {}", f.error));
                Some(AwsInput::NoData {
                    reason: f.error.to_string(),
                    requests: f.requests,
                })
            }
            Err(f) => {
                reporter.warn(&format!("actuals not included in the report: {}", f.error));
                Some(AwsInput::Unavailable {
                    reason: f.error.to_string(),
                    requests: f.requests,
                })
            }
        }
    } else {
        None
    };
    if reconciling {
        data.actuals = Some(reconcile::reconcile(
            &model,
            &book,
            &label,
            threshold,
            aws_input,
            datadog_usage.as_ref(),
            dd_measured.as_ref(),
        )?);
    }

    // Showback by tag: tags from the export, else (when the run talks to AWS) the Tagging API.
    if !tag_keys.is_empty() {
        let (tags, tag_source) = match export_tags {
            Some(t) => (group_tags_of(&t, &tag_keys), "export"),
            None if !args.source.demo && (args.snapshot.is_none() || args.actuals) => (
                tags_from_api(global, &config, &model, &tag_keys).await?,
                "tagging_api",
            ),
            None => (Default::default(), "none"),
        };
        data.billing.showback = Some(reconcile::showback::build(
            &model, &tag_keys, &tags, tag_source,
        ));
        data.billing.group_tags = tags;
    }
    data.billing.focus = Some(report::billing_files::focus_summary(&data, &model));

    report::write(&dir, &data, &model, &mut |tmp| {
        // Freshly fetched actuals are cached in the folder, so a rerun does not pay again.
        for (json, name) in [
            (&fresh_actuals, reconcile::actuals::CACHE_FILE),
            (&fresh_export, reconcile::export::CACHE_FILE),
        ] {
            if let Some(json) = json {
                std::fs::write(tmp.join(name), json).map_err(|source| Error::Output {
                    path: dir.join(name),
                    source,
                })?;
            }
        }
        // A report that sampled keeps its snapshot beside it, for later months and reruns.
        if let Some(c) = &fresh {
            let dest = crate::snapshot::Destination::in_dir(tmp, crate::snapshot::Format::Parquet);
            snapshot::Tables::build(&c.rows, &c.daily, &c.filters)?.write_into(
                tmp,
                &dest,
                c.accounts.len() > 1,
            )?;
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
            reconciliation: data.actuals.as_ref().map(json_reconciliation),
        };
        let text = serde_json::to_string_pretty(&j)
            .map_err(|e| Error::Internal(format!("summary JSON: {e}")))?;
        print_stdout(&(text + "\n"))?;
    } else if !reporter.is_quiet() {
        print_stdout(&console_table(&data, &dir))?;
    }
    // Some accounts could not be measured: the report covers the others, the run is partial.
    if let Some(c) = &fresh
        && !c.failures.is_empty()
    {
        return Ok(crate::error::EXIT_FINDINGS);
    }
    Ok(EXIT_OK)
}

fn json_reconciliation(r: &reconcile::Reconciliation) -> JsonReconciliation {
    let flagged = |rows: &[reconcile::ComponentVariance]| {
        rows.iter()
            .filter(|c| c.flagged)
            .map(|c| c.component.clone())
            .collect()
    };
    let a = r.aws.as_ref();
    let total = a.and_then(|a| a.total.as_ref());
    JsonReconciliation {
        aws_status: a.map(|a| a.status.clone()),
        source: a.map(|a| a.source.source.clone()),
        source_cost_usd: a.map_or(MicroUsd::ZERO, |a| a.source.source_cost_usd),
        aws_reason: a.and_then(|a| a.reason.clone()),
        cost_explorer_requests: a.map_or(0, |a| a.requests),
        cost_explorer_cost_usd: a.map_or(MicroUsd::ZERO, |a| a.request_cost_usd),
        from_cache: a.is_some_and(|a| a.from_cache),
        modeled_usd: total.map(|t| t.modeled_usd),
        billed_usd: total.map(|t| t.billed_usd),
        variance_usd: total.map(|t| t.variance_usd),
        variance_pct: total.and_then(|t| t.variance_pct),
        flagged_components: a.map(|a| flagged(&a.components)).unwrap_or_default(),
        unmapped_usd: a
            .filter(|a| a.status == "reconciled")
            .map(|a| a.unmapped_total_usd),
        datadog_flagged_components: r
            .datadog
            .as_ref()
            .map(|d| flagged(&d.components))
            .unwrap_or_default(),
    }
}

/// Scan volumes per group from the query library `dir` (the groups its queries read) and the
/// account's scheduled queries the library does not manage, when the folder exists and lints as
/// files.
fn library_scan_plan(
    dir: &std::path::Path,
    groups: &[GroupInput],
    daily: &[crate::snapshot::DailyRow],
    unmanaged: &[(String, String, crate::aws::insights::ScheduledQuery, bool)],
    book: &PriceBook,
    month: Period,
    reporter: &Reporter,
) -> Result<Option<model::ScanPlan>> {
    let (files, errors) = if dir.is_dir() {
        crate::queries::file::load_dir(dir)
    } else {
        (Vec::new(), Vec::new())
    };
    if let Some(e) = errors.first() {
        reporter.warn(&format!(
            "query library not used for Insights scan volumes: {e} (run `logplan queries lint`)"
        ));
        return Ok(None);
    }
    if files.is_empty() && unmanaged.is_empty() {
        return Ok(None);
    }
    // The whole month priced: the groups' flows are already the month's, and days without a
    // daily row count as the month's average day.
    let volumes = crate::queries::cost::Volumes {
        groups,
        daily,
        start: month.start,
        end: month.end,
    };
    let plan = crate::queries::cost::plan(&files, &volumes, unmanaged, book)?;
    Ok(Some(plan.scan))
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
    if let Some(r) = &d.actuals {
        o += &reconciliation_lines(r);
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
    // The recommendation may be the mix (or today), which the line above does not name.
    o += &format!("{}\n", d.recommendation.statement);
    o += &format!("Report: {}\n", dir.display());
    o
}

/// The console's view of the reconciliation: totals, flagged components, what Cost Explorer cost.
fn reconciliation_lines(r: &reconcile::Reconciliation) -> String {
    let mut o = String::new();
    let flagged = |rows: &[reconcile::ComponentVariance]| -> String {
        let f: Vec<String> = rows
            .iter()
            .filter(|c| c.flagged)
            .map(|c| match c.variance_pct {
                Some(p) => format!(
                    "{} {}{:.1}%",
                    c.component,
                    if p > rust_decimal::Decimal::ZERO {
                        "+"
                    } else {
                        ""
                    },
                    p
                ),
                None => format!("{} (not modeled)", c.component),
            })
            .collect();
        if f.is_empty() {
            "none".into()
        } else {
            f.join(", ")
        }
    };
    if let Some(a) = &r.aws {
        match (a.status.as_str(), &a.total) {
            ("reconciled", Some(t)) => {
                let sign = if t.variance_usd.0 > 0 { "+" } else { "" };
                o += &format!(
                    "Bill vs model (AWS, {}): billed {} vs modeled {} ({sign}{}{}); over {}%: {}\n",
                    r.month,
                    t.billed_usd,
                    t.modeled_usd,
                    t.variance_usd,
                    t.variance_pct
                        .map(|p| format!(", {sign}{p:.1}%"))
                        .unwrap_or_default(),
                    r.threshold_percent,
                    flagged(&a.components)
                );
                if !a.unmapped.is_empty() {
                    o += &format!(
                        "  {} usage type(s) map to no component: {} billed, not modeled\n",
                        a.unmapped.len(),
                        a.unmapped_total_usd
                    );
                }
            }
            _ => {
                o += &format!(
                    "Bill vs model (AWS, {}): {}\n",
                    r.month,
                    a.reason.as_deref().unwrap_or(&a.status)
                );
            }
        }
        let line = match &a.source.source_line {
            Some(l) => l.clone(),
            None => crate::reconcile::actuals::requests_line(
                a.requests,
                a.from_cache,
                a.cache_file.as_deref().unwrap_or("actuals.json"),
                a.fetched_at.as_deref().unwrap_or("-"),
            ),
        };
        o += &format!("  {line}\n");
        if let Some(g) = &r.groups {
            o += &format!(
                "  Per log group: {} compared ({}); {} billed but not in the snapshot ({}), {} in \
                 the snapshot never billed\n",
                g.groups_compared,
                g.components.join(", "),
                g.billed_not_in_snapshot_count,
                g.billed_not_in_snapshot_usd,
                g.never_billed_count
            );
        }
    }
    if let Some(d) = &r.datadog
        && let Some(t) = &d.total
    {
        o += &format!(
            "Datadog usage vs model: {} vs modeled {}; over {}%: {}\n",
            t.billed_usd,
            t.modeled_usd,
            r.threshold_percent,
            flagged(&d.components)
        );
    }
    o
}

/// Export tags (by ARN) as tags per group.
fn group_tags_of(
    tags: &reconcile::export::ResourceTags,
    keys: &[String],
) -> reconcile::showback::GroupTags {
    let mut out = reconcile::showback::GroupTags::new();
    for (arn, t) in tags {
        if let Some(key) = crate::aws::tagging::parse_log_group_arn(arn) {
            let wanted: std::collections::BTreeMap<String, String> = t
                .iter()
                .filter(|(k, _)| keys.contains(k))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            if !wanted.is_empty() {
                out.insert(key, wanted);
            }
        }
    }
    out
}

/// Log groups' tags from the Resource Groups Tagging API (tag:GetResources, 100 a page), in
/// every region of the model with the base credentials, and in each `[[accounts]]` role's.
async fn tags_from_api(
    global: &GlobalArgs,
    config: &Config,
    model: &model::Model,
    keys: &[String],
) -> Result<reconcile::showback::GroupTags> {
    use crate::aws::sdk::{ConnectSettings, SdkAccount};
    use crate::aws::tagging::{SdkTagging, log_groups, parse_log_group_arn};
    let settings = ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
    let base = SdkAccount::connect(&settings, model.regions.first().map(String::as_str)).await?;
    // A monitoring entry without a role reads the base account's tags (once): tags are not
    // shared through cross-account observability, a source account's need a role in it.
    let mut accounts = Vec::new();
    for (reader, regions) in crate::config::readers(&config.accounts, &model.regions) {
        match reader {
            crate::config::Reader::Base => accounts.push((None, regions)),
            crate::config::Reader::Role(r) => {
                accounts.push((Some(base.assume(&r).await?), regions))
            }
        }
    }
    let mut out = reconcile::showback::GroupTags::new();
    for (acct, regions) in &accounts {
        let acct = acct.as_ref().unwrap_or(&base);
        for region in regions {
            let api = SdkTagging::new(acct.sdk_config(), region);
            let (found, _) = log_groups(&api).await.map_err(|e| e.in_region(region))?;
            for t in found {
                let Some(key) = parse_log_group_arn(&t.arn) else {
                    continue;
                };
                let wanted: std::collections::BTreeMap<String, String> = t
                    .tags
                    .iter()
                    .filter_map(|(k, v)| {
                        keys.iter()
                            .find(|w| reconcile::export::tag_key_matches(k, w) || k == *w)
                            .map(|w| (w.clone(), v.clone()))
                    })
                    .collect();
                if !wanted.is_empty() {
                    out.insert(key, wanted);
                }
            }
        }
    }
    Ok(out)
}
