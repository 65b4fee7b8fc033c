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
    let label = period.label();
    let dir = args
        .out
        .clone()
        .unwrap_or_else(|| args.reports_dir.join(&label));
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
    let cache_text = cache.display().to_string();
    let line = requests_line(
        got.requests,
        got.from_cache,
        &cache_text,
        &got.actuals.fetched_at,
    );
    let hours = got.actuals.hours();
    let sums = actuals::by_component(&rows, hours);
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
    let has_data = got.actuals.has_data();
    let j = JsonActuals {
        month: label.clone(),
        period_start: period.start.to_string(),
        period_end_exclusive: period.end.to_string(),
        has_data,
        estimated: got.actuals.estimated(),
        requests: got.requests,
        request_cost_usd: requests_cost(got.requests),
        from_cache: got.from_cache,
        cache_file: cache_text,
        fetched_at: got.actuals.fetched_at.clone(),
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
    if args.json {
        let text = serde_json::to_string_pretty(&j)
            .map_err(|e| Error::Internal(format!("actuals JSON: {e}")))?;
        print_stdout(&(text + "\n"))?;
    } else if has_data {
        print_stdout(&human(&j, &line))?;
    }
    if !has_data {
        reporter.warn(&format!(
            "no Cost Explorer data for {label}: Cost Explorer returned no usage in the queried \
             services ({}); nothing is assumed to be zero. {line}",
            query.services.join(", ")
        ));
        return Ok(EXIT_FINDINGS);
    }
    if args.json {
        reporter.info(&line);
    }
    Ok(EXIT_OK)
}

fn human(j: &JsonActuals, line: &str) -> String {
    let mut o = format!(
        "Cost Explorer actuals, {} ({} to {}, end exclusive){}\n",
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
    o += line;
    o.push('\n');
    o
}
