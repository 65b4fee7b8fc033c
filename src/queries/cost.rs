//! Scan-cost planning: for each query, the GiB a run scans (the bytes its log groups ingest in
//! its window, from the snapshot: a group's month of bytes spread evenly over the month), times
//! runs per month, times the Insights price of the group's region. Also the per-group totals the
//! report's CloudWatch path uses in place of its scan assumption.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use serde::Serialize;

use super::file::{Language, QueryFile};
use super::schedule::{duration_secs, runs_in};
use crate::error::Result;
use crate::model::ScanPlan;
use crate::money::MicroUsd;
use crate::pricing::PriceBook;
use crate::snapshot::GroupInput;

const GIB: f64 = 1_073_741_824.0;

#[derive(Clone, Debug, Serialize)]
pub struct QueryCost {
    pub name: String,
    pub runs_per_month: f64,
    pub window: String,
    /// Log groups it reads that the snapshot knows.
    pub log_groups: Vec<String>,
    /// Log groups it names that the snapshot does not have (scanned as zero).
    pub unknown_log_groups: Vec<String>,
    pub gib_per_run: f64,
    pub gib_per_month: f64,
    pub usd_per_month: MicroUsd,
    /// No schedule: not planned.
    pub unscheduled: bool,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CostPlan {
    pub queries: Vec<QueryCost>,
    /// (account, region, log group) -> bytes scanned per month by the library.
    #[serde(skip)]
    pub scan: ScanPlan,
    pub by_log_group: Vec<(String, String, String, f64, MicroUsd)>,
    pub total_usd: MicroUsd,
}

/// Which snapshot groups a query reads: its named log groups, and for `SOURCE` queries the
/// groups matching the SOURCE names/prefixes.
fn groups_read<'a>(q: &QueryFile, groups: &'a [GroupInput]) -> (Vec<&'a GroupInput>, Vec<String>) {
    let mut read: Vec<&GroupInput> = Vec::new();
    let mut unknown = Vec::new();
    for name in &q.log_groups {
        let found: Vec<&GroupInput> = groups.iter().filter(|g| &g.log_group == name).collect();
        if found.is_empty() {
            unknown.push(name.clone());
        }
        read.extend(found);
    }
    if q.language == Language::Cwli {
        use crate::queries::cwli::ast::SourceLogGroup;
        let parsed = crate::queries::cwli::parse(&q.query);
        for sg in parsed.query.referenced_log_groups() {
            match sg {
                SourceLogGroup::Name(n) => read.extend(groups.iter().filter(|g| g.log_group == n)),
                SourceLogGroup::Prefix(p) => read.extend(
                    groups
                        .iter()
                        .filter(|g| g.log_group.starts_with(p.as_str())),
                ),
            }
        }
    }
    read.sort_by(|a, b| {
        (&a.account_id, &a.region, &a.log_group).cmp(&(&b.account_id, &b.region, &b.log_group))
    });
    read.dedup_by(|a, b| {
        a.account_id == b.account_id && a.region == b.region && a.log_group == b.log_group
    });
    (read, unknown)
}

/// Plan the scan cost of every query over the snapshot's volumes, a period of `days` days (its
/// runs counted over the same days).
pub fn plan(
    files: &[QueryFile],
    groups: &[GroupInput],
    book: &PriceBook,
    days: f64,
) -> Result<CostPlan> {
    let period_secs = days.max(1.0) * 86_400.0;
    let mut out = CostPlan::default();
    let mut per_group: BTreeMap<(String, String, String), (f64, MicroUsd)> = BTreeMap::new();
    for q in files {
        let (read, unknown) = groups_read(q, groups);
        let Some(s) = &q.schedule else {
            out.queries.push(QueryCost {
                name: q.name.clone(),
                runs_per_month: 0.0,
                window: String::new(),
                log_groups: read.iter().map(|g| g.log_group.clone()).collect(),
                unknown_log_groups: unknown,
                gib_per_run: 0.0,
                gib_per_month: 0.0,
                usd_per_month: MicroUsd::ZERO,
                unscheduled: true,
            });
            continue;
        };
        let runs = runs_in(s, days.max(1.0)).map_err(crate::error::Error::Usage)?;
        let window = duration_secs(&s.window).map_err(crate::error::Error::Usage)?;
        let mut gib_run = 0.0;
        let mut usd = MicroUsd::ZERO;
        for g in &read {
            // A window longer than the period scans at most the period's data.
            let run_bytes = g.incoming_bytes as f64 * (window / period_secs).min(1.0);
            let month_bytes = run_bytes * runs;
            let price = book.get("cwl.insights.scan", &g.region)?.flat();
            let cost = Decimal::from_f64(month_bytes / GIB).unwrap_or_default() * price;
            let cost = MicroUsd(
                (cost * Decimal::from(1_000_000))
                    .round()
                    .to_i64()
                    .unwrap_or(0),
            );
            gib_run += run_bytes / GIB;
            usd = usd + cost;
            let e = per_group
                .entry((g.account_id.clone(), g.region.clone(), g.log_group.clone()))
                .or_insert((0.0, MicroUsd::ZERO));
            e.0 += month_bytes;
            e.1 = e.1 + cost;
        }
        out.total_usd = out.total_usd + usd;
        out.queries.push(QueryCost {
            name: q.name.clone(),
            runs_per_month: runs,
            window: s.window.clone(),
            log_groups: read.iter().map(|g| g.log_group.clone()).collect(),
            unknown_log_groups: unknown,
            gib_per_run: gib_run,
            gib_per_month: gib_run * runs,
            usd_per_month: usd,
            unscheduled: false,
        });
    }
    for ((a, r, g), (bytes, usd)) in per_group {
        out.scan
            .insert((a.clone(), r.clone(), g.clone()), bytes.round() as u64);
        out.by_log_group.push((a, r, g, bytes / GIB, usd));
    }
    Ok(out)
}
