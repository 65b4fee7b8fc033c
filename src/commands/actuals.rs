//! `logplan actuals`: the month's billed costs from Cost Explorer, mapped to the model's
//! components, and the cache every reconciliation reads (`reports/<YYYY-MM>/actuals.json`).
//! `report --actuals` obtains its actuals through [`obtain`] too.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};

use serde::Serialize;

use super::print_stdout;
use crate::aws::costexplorer::{
    self, CostExplorerApi, CostPage, CostQuery, SdkCostExplorer, fetch_all, requests_cost,
};
use crate::aws::sdk::ConnectSettings;
use crate::cli::{ActualsArgs, GlobalArgs};
use crate::config::Config;
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::model::Component;
use crate::money::MicroUsd;
use crate::period::Period;
use crate::progress::Reporter;
use crate::reconcile::actuals::{self, CACHE_FILE, CACHE_SCHEMA, CachedActuals, requests_line};
use crate::reconcile::export::{self, ExportActuals, Location, Source};

/// The month's actuals, and what getting them cost.
#[derive(Debug)]
pub struct Obtained {
    pub actuals: CachedActuals,
    /// Cost Explorer requests this run made ($0.01 each).
    pub requests: u32,
    pub from_cache: bool,
}

/// Getting the actuals failed; `requests` were made (and paid) before it did.
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    pub requests: u32,
}

impl Failure {
    /// Cost Explorer said it has no data for the period (rather than refusing).
    pub fn is_no_data(&self) -> bool {
        matches!(&self.error, Error::Aws { code, .. } if code == costexplorer::DATA_UNAVAILABLE)
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Failure {
        Failure { error, requests: 0 }
    }
}

/// Counts requests whatever happens to them.
struct Counted<'a, A> {
    inner: &'a A,
    requests: AtomicU32,
}

impl<A: CostExplorerApi> CostExplorerApi for Counted<'_, A> {
    async fn get_cost_and_usage(
        &self,
        query: &CostQuery,
        next_token: Option<String>,
    ) -> Result<CostPage> {
        // Cost Explorer bills the requests it answers; a refused one returns no data.
        let page = self.inner.get_cost_and_usage(query, next_token).await?;
        self.requests.fetch_add(1, Ordering::Relaxed);
        Ok(page)
    }
}

/// The cache file of a report folder.
pub fn cache_path(report_dir: &Path) -> PathBuf {
    report_dir.join(CACHE_FILE)
}

/// The month's actuals: from `cache` when it answers `query` (unless `refresh`), else from Cost
/// Explorer. Nothing is written here; the caller writes the cache where it belongs.
pub async fn obtain(
    global: &GlobalArgs,
    config: &Config,
    query: &CostQuery,
    cache: &Path,
    refresh: bool,
    reporter: &Reporter,
) -> std::result::Result<Obtained, Failure> {
    if !refresh {
        match CachedActuals::read(cache)? {
            Some(c) if c.answers(query) => {
                return Ok(Obtained {
                    actuals: c,
                    requests: 0,
                    from_cache: true,
                });
            }
            Some(c) => reporter.warn(&format!(
                "{} holds actuals for another query ({} to {}, grouped by {}); asking Cost \
                 Explorer again",
                cache.display(),
                c.query.start,
                c.query.end,
                c.query.group_by.join(", ")
            )),
            None => {}
        }
    }
    let settings = ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
    let ce = SdkCostExplorer::connect(&settings).await?;
    let counted = Counted {
        inner: &ce,
        requests: AtomicU32::new(0),
    };
    let fetched = fetch_all(&counted, query).await;
    let requests = counted.requests.load(Ordering::Relaxed);
    match fetched {
        Ok((results, _)) => Ok(Obtained {
            actuals: CachedActuals {
                schema_version: CACHE_SCHEMA,
                fetched_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
                query: query.clone(),
                requests,
                results,
            },
            requests,
            from_cache: false,
        }),
        Err(error) => Err(Failure { error, requests }),
    }
}

/// The source of the actuals: `--from`, else `[actuals] from`, else Cost Explorer.
pub fn source(from: Option<&str>, config: &Config) -> Result<Source> {
    match from.or(config.actuals.from.as_deref()) {
        Some(text) => Source::parse(text),
        None => Ok(Source::CostExplorer),
    }
}

/// A month of a billing export, and where it came from.
#[derive(Debug)]
pub struct ExportObtained {
    pub actuals: ExportActuals,
    pub from_cache: bool,
    /// What reading it cost, or that it was read from the cache, in one line.
    pub line: String,
}

/// The cache file of export actuals in a report folder.
pub fn export_cache_path(report_dir: &Path) -> PathBuf {
    report_dir.join(export::CACHE_FILE)
}

/// A month of a billing export: from `cache` when it answers (unless `refresh`), else read from
/// the files, S3 or Athena. Every failure is an error (the user named the source). Nothing is
/// written here.
#[allow(clippy::too_many_arguments)]
pub async fn obtain_export(
    global: &GlobalArgs,
    config: &Config,
    source: &Source,
    period: &Period,
    tag_keys: &[String],
    cache: &Path,
    refresh: bool,
    reporter: &Reporter,
) -> Result<ExportObtained> {
    let described = source.describe();
    let label = period.label();
    let cache_text = cache.display().to_string();
    let kind_name = |a: &ExportActuals| {
        if described.starts_with("athena:") {
            "Athena".to_string()
        } else {
            a.kind.label().to_string()
        }
    };
    if !refresh {
        match ExportActuals::read(cache)? {
            Some(c) if c.answers(&described, &label, tag_keys) => {
                export::check_payer(&c, config.actuals.payer_account_id.as_deref())?;
                let line = c.cost.line(&kind_name(&c), true, &cache_text);
                return Ok(ExportObtained {
                    actuals: c,
                    from_cache: true,
                    line,
                });
            }
            Some(c) => reporter.warn(&format!(
                "{} holds {} actuals of {} for {}; reading {described} again",
                cache.display(),
                c.kind.label(),
                c.source,
                c.month
            )),
            None => {}
        }
    }
    let settings = ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
    let actuals = match source {
        Source::CostExplorer => {
            return Err(Error::Internal("Cost Explorer is not an export".into()));
        }
        Source::Files {
            kind,
            location: Location::Local(path),
        } => {
            let (kind, path, period, keys, d) = (
                *kind,
                path.clone(),
                *period,
                tag_keys.to_vec(),
                described.clone(),
            );
            let reporter = reporter.clone();
            tokio::task::spawn_blocking(move || {
                export::read::read_local(&d, kind, &path, &period, &keys, &reporter)
            })
            .await
            .map_err(|e| Error::Internal(format!("reading the export: {e}")))??
        }
        Source::Files {
            kind,
            location: Location::S3 { bucket, prefix },
        } => {
            let s3 = crate::aws::s3::SdkS3::connect(
                &settings,
                config.regions.first().map(String::as_str),
            )
            .await?;
            export::read::read_s3(
                &described, *kind, &s3, bucket, prefix, period, tag_keys, reporter,
            )
            .await?
        }
        Source::Athena { database, table } => {
            let api = crate::aws::athena::SdkAthena::connect(
                &settings,
                config.regions.first().map(String::as_str),
            )
            .await?;
            let a = &config.athena;
            let run = export::read::AthenaRun {
                workgroup: a.workgroup.clone(),
                output_location: a.output_location.clone(),
                partition_column: a.partition_column.clone(),
                max_wait: std::time::Duration::from_secs(a.max_wait_secs.unwrap_or(600)),
            };
            export::read::read_athena(&described, &api, database, table, period, tag_keys, &run)
                .await?
        }
    };
    export::check_payer(&actuals, config.actuals.payer_account_id.as_deref())?;
    let line = actuals.cost.line(&kind_name(&actuals), false, &cache_text);
    Ok(ExportObtained {
        actuals,
        from_cache: false,
        line,
    })
}

#[derive(Debug, Serialize)]
struct JsonComponent {
    component: &'static str,
    billed_usd: MicroUsd,
    billed_net_usd: Option<MicroUsd>,
    quantity: rust_decimal::Decimal,
    unit: &'static str,
    usage_types: Vec<String>,
}

#[derive(Debug, Serialize)]
struct JsonExcluded {
    line_type: String,
    lines: u64,
    billed_usd: MicroUsd,
}

#[derive(Debug, Serialize)]
struct JsonUnmapped {
    account_id: Option<String>,
    usage_type: String,
    region: String,
    quantity: rust_decimal::Decimal,
    unit: String,
    billed_usd: MicroUsd,
    note: &'static str,
}

/// What `actuals --json` prints.
#[derive(Debug, Serialize)]
struct JsonActuals {
    month: String,
    /// `cost_explorer`, `cur2`, `focus` or `athena`.
    source: String,
    /// `--from` as given; empty for Cost Explorer.
    source_location: String,
    /// What reading the source cost this run (Cost Explorer requests, S3 requests, Athena scan).
    source_cost_usd: MicroUsd,
    /// Export lines that are not usage, never counted: (line type, lines, billed).
    excluded: Vec<JsonExcluded>,
    /// Log groups the export bills by ARN.
    log_groups_billed: usize,
    period_start: String,
    period_end_exclusive: String,
    has_data: bool,
    estimated: bool,
    requests: u32,
    request_cost_usd: MicroUsd,
    from_cache: bool,
    cache_file: String,
    fetched_at: String,
    accounts: Vec<String>,
    components: Vec<JsonComponent>,
    total_billed_usd: MicroUsd,
    unmapped: Vec<JsonUnmapped>,
    unmapped_total_usd: MicroUsd,
}

fn unit_of(c: Component) -> &'static str {
    match c {
        Component::Storage => "GB-month",
        Component::LambdaRequests => "1M requests",
        Component::LambdaDuration => "GB-s",
        Component::PrivatelinkEndpointHours => "endpoint-AZ-hour",
        _ => "GB",
    }
}

/// `logplan actuals`: fetch (or read) the month's actuals and print them per component, with
/// the usage types that map to none. Exit 0, 1 when Cost Explorer has no data for the month,
/// 2 on any error (AccessDenied names ce:GetCostAndUsage).
pub async fn run(global: &GlobalArgs, args: &ActualsArgs, reporter: &Reporter) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let period = Period::from_args(args.month.as_deref(), None, None, chrono::Utc::now())?;
    let source = source(args.from.as_deref(), &config)?;
    let label = period.label();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| args.reports_dir.join(&label));

    // Either source becomes the same view: billed rows, and what getting them cost.
    struct View {
        rows: Vec<actuals::BilledRow>,
        hours: u32,
        has_data: bool,
        estimated: bool,
        line: String,
        from_cache: bool,
        cache_file: String,
        fetched_at: String,
        source: String,
        source_location: String,
        source_cost_usd: MicroUsd,
        requests: u32,
        excluded: Vec<JsonExcluded>,
        log_groups_billed: usize,
        no_data: String,
    }
    let view = if let Source::CostExplorer = source {
        let cache = cache_path(&dir);
        let query = CostQuery::month(
            &period.start.to_string(),
            &period.end.to_string(),
            !config.accounts.is_empty(),
        );
        let got = match obtain(global, &config, &query, &cache, args.refresh, reporter).await {
            Ok(g) => g,
            Err(f) if f.is_no_data() => {
                reporter.warn(&format!(
                    "no Cost Explorer data for {label}: {} (nothing cached)",
                    f.error
                ));
                return Ok(EXIT_FINDINGS);
            }
            Err(f) if f.requests > 0 => {
                return Err(Error::Usage(format!(
                    "{} (after {} answered Cost Explorer request{}, {})",
                    f.error,
                    f.requests,
                    if f.requests == 1 { "" } else { "s" },
                    requests_cost(f.requests)
                )));
            }
            Err(f) => return Err(f.error),
        };
        let rows = got.actuals.billed_rows().map_err(|m| Error::Input {
            path: cache.clone(),
            message: m,
        })?;
        if !got.from_cache {
            crate::commands::write_atomic(&cache, got.actuals.to_json()?.as_bytes())?;
        }
        let cache_file = cache.display().to_string();
        View {
            line: requests_line(
                got.requests,
                got.from_cache,
                &cache_file,
                &got.actuals.fetched_at,
            ),
            rows,
            hours: got.actuals.hours()?,
            has_data: got.actuals.has_data(),
            estimated: got.actuals.estimated(),
            from_cache: got.from_cache,
            cache_file,
            fetched_at: got.actuals.fetched_at.clone(),
            source: "cost_explorer".into(),
            source_location: String::new(),
            source_cost_usd: requests_cost(got.requests),
            requests: got.requests,
            excluded: Vec::new(),
            log_groups_billed: 0,
            no_data: format!(
                "Cost Explorer returned no usage in the queried services ({})",
                query.services.join(", ")
            ),
        }
    } else {
        let cache = export_cache_path(&dir);
        let got = obtain_export(
            global,
            &config,
            &source,
            &period,
            &config.report.group_by_tags,
            &cache,
            args.refresh,
            reporter,
        )
        .await?;
        if !got.from_cache {
            crate::commands::write_atomic(&cache, got.actuals.to_json()?.as_bytes())?;
        }
        let a = &got.actuals;
        let rows = a.billed_rows();
        let groups: std::collections::BTreeSet<&str> = a
            .rows
            .iter()
            .filter(|r| a.is_usage(r) && !r.resource_id.is_empty())
            .map(|r| r.resource_id.as_str())
            .collect();
        View {
            has_data: !rows.is_empty(),
            rows,
            hours: a.hours()?,
            estimated: false,
            line: got.line.clone(),
            from_cache: got.from_cache,
            cache_file: cache.display().to_string(),
            fetched_at: a.fetched_at.clone(),
            source: match &source {
                Source::Athena { .. } => "athena".into(),
                Source::Files { kind, .. } => match kind {
                    export::Kind::Cur2 => "cur2".into(),
                    export::Kind::Focus => "focus".into(),
                },
                Source::CostExplorer => "cost_explorer".into(),
            },
            source_location: a.source.clone(),
            source_cost_usd: if got.from_cache {
                MicroUsd::ZERO
            } else {
                a.cost.cost_usd
            },
            requests: 0,
            excluded: a
                .excluded()
                .into_iter()
                .map(|(line_type, lines, d)| JsonExcluded {
                    line_type,
                    lines,
                    billed_usd: MicroUsd::from_usd(d),
                })
                .collect(),
            log_groups_billed: groups.len(),
            no_data: format!(
                "the {} export has no usage lines in the products logplan reads",
                a.kind.label()
            ),
        }
    };
    let rows = &view.rows;
    let sums = actuals::by_component(rows, view.hours);
    let components: Vec<JsonComponent> = sums
        .iter()
        .map(|(c, b)| JsonComponent {
            component: c.name(),
            billed_usd: MicroUsd::from_usd(b.unblended),
            billed_net_usd: b.net_unblended.map(MicroUsd::from_usd),
            quantity: b.quantity.round_dp(6).normalize(),
            unit: unit_of(*c),
            usage_types: b.usage_types.iter().cloned().collect(),
        })
        .collect();
    let mut unmapped: Vec<JsonUnmapped> = rows
        .iter()
        .filter(|r| r.usage.component.is_none())
        .map(|r| JsonUnmapped {
            account_id: r.account.clone(),
            usage_type: r.usage.usage_type.clone(),
            region: r.usage.region.clone(),
            quantity: r.quantity.normalize(),
            unit: r.unit.clone(),
            billed_usd: MicroUsd::from_usd(r.unblended),
            note: r.usage.note.unwrap_or(""),
        })
        .collect();
    unmapped.sort_by(|a, b| {
        b.billed_usd
            .cmp(&a.billed_usd)
            .then(a.usage_type.cmp(&b.usage_type))
    });
    let mut accounts: Vec<String> = rows.iter().filter_map(|r| r.account.clone()).collect();
    accounts.sort();
    accounts.dedup();
    let j = JsonActuals {
        month: label.clone(),
        source: view.source.clone(),
        source_location: view.source_location.clone(),
        source_cost_usd: view.source_cost_usd,
        excluded: view.excluded,
        log_groups_billed: view.log_groups_billed,
        period_start: period.start.to_string(),
        period_end_exclusive: period.end.to_string(),
        has_data: view.has_data,
        estimated: view.estimated,
        requests: view.requests,
        request_cost_usd: requests_cost(view.requests),
        from_cache: view.from_cache,
        cache_file: view.cache_file.clone(),
        fetched_at: view.fetched_at.clone(),
        accounts,
        total_billed_usd: MicroUsd::from_usd(
            rows.iter()
                .filter(|r| r.usage.component.is_some())
                .map(|r| r.unblended)
                .sum(),
        ),
        unmapped_total_usd: MicroUsd::from_usd(
            rows.iter()
                .filter(|r| r.usage.component.is_none())
                .map(|r| r.unblended)
                .sum(),
        ),
        components,
        unmapped,
    };
    let line = view.line;
    if args.json {
        let text = serde_json::to_string_pretty(&j)
            .map_err(|e| Error::Internal(format!("actuals JSON: {e}")))?;
        print_stdout(&(text + "\n"))?;
    } else if view.has_data {
        print_stdout(&human(&j, &line))?;
    }
    if !view.has_data {
        reporter.warn(&format!(
            "no {} data for {label}: {}; nothing is assumed to be zero. {line}",
            if j.source == "cost_explorer" {
                "Cost Explorer"
            } else {
                "billing"
            },
            view.no_data
        ));
        return Ok(EXIT_FINDINGS);
    }
    if args.json {
        reporter.info(&line);
    }
    Ok(EXIT_OK)
}

fn human(j: &JsonActuals, line: &str) -> String {
    let title = match j.source.as_str() {
        "cur2" => "CUR 2.0 actuals",
        "focus" => "FOCUS 1.2 actuals",
        "athena" => "Athena (CUR 2.0) actuals",
        _ => "Cost Explorer actuals",
    };
    let mut o = format!(
        "{title}, {} ({} to {}, end exclusive){}\n",
        j.month,
        j.period_start,
        j.period_end_exclusive,
        if j.estimated {
            "; estimated: the bill is not final"
        } else {
            ""
        }
    );
    o += &format!(
        "  {:<28} {:>14} {:>22}\n",
        "component", "billed USD", "quantity"
    );
    for c in &j.components {
        o += &format!(
            "  {:<28} {:>14} {:>22}\n",
            c.component,
            c.billed_usd.to_string(),
            format!("{} {}", c.quantity, c.unit)
        );
    }
    o += &format!(
        "  {:<28} {:>14}\n",
        "total (mapped)",
        j.total_billed_usd.to_string()
    );
    if !j.unmapped.is_empty() {
        o += &format!(
            "Usage types that map to no component ({} billed, not modeled):\n",
            j.unmapped_total_usd
        );
        for u in &j.unmapped {
            o += &format!(
                "  {:<28} {:>14} {:>22}  {}\n",
                u.usage_type,
                u.billed_usd.to_string(),
                format!("{} {}", u.quantity, u.unit),
                u.note
            );
        }
    }
    if !j.excluded.is_empty() {
        o += "Lines that are not usage, never counted:\n";
        for e in &j.excluded {
            o += &format!(
                "  {:<28} {:>14} {:>22}\n",
                e.line_type,
                e.billed_usd.to_string(),
                format!("{} lines", e.lines)
            );
        }
    }
    o += line;
    o.push('\n');
    o
}
