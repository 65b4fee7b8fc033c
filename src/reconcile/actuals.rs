//! The month's Cost Explorer result as logplan keeps it: `actuals.json` in the month's report
//! folder, the raw groups exactly as Cost Explorer returned them plus the query they answer, so
//! a rerun reads the file instead of paying for the requests again.

use std::collections::BTreeMap;
use std::path::Path;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::usage_types::{self, UsageType};
use crate::aws::costexplorer::{CostQuery, CostResult};
use crate::error::{Error, Result};

/// The cache file's name, in the month's report folder.
pub const CACHE_FILE: &str = "actuals.json";
/// Bumped when the file's shape changes; an older file is refetched only with `--refresh`.
pub const CACHE_SCHEMA: u32 = 1;

/// What `actuals.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CachedActuals {
    pub schema_version: u32,
    /// When Cost Explorer answered (RFC 3339, UTC).
    pub fetched_at: String,
    pub query: CostQuery,
    /// Requests the fetch took (and paid for, $0.01 each).
    pub requests: u32,
    /// `ResultsByTime`, pages merged, groups as returned.
    pub results: Vec<CostResult>,
}

/// One billed group: a usage type (in an account, when grouped by account) and its metrics,
/// as exact decimals.
#[derive(Clone, Debug, PartialEq)]
pub struct BilledRow {
    pub account: Option<String>,
    pub usage: UsageType,
    /// UsageQuantity as billed, in `unit`.
    pub quantity: Decimal,
    pub unit: String,
    /// UnblendedCost, USD.
    pub unblended: Decimal,
    /// NetUnblendedCost, USD, where Cost Explorer gave it.
    pub net_unblended: Option<Decimal>,
}

impl CachedActuals {
    /// Read a cache file: `None` when there is none. A file that cannot be read or parsed is an
    /// error naming it (rather than silently paying for a new fetch).
    pub fn read(path: &Path) -> Result<Option<CachedActuals>> {
        read_cache(
            path,
            "actuals",
            |c: &CachedActuals| c.schema_version,
            CACHE_SCHEMA,
        )
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| Error::Internal(format!("actuals.json: {e}")))
    }

    /// Whether this result answers `wanted`: the same period and filter, the metrics needed,
    /// and a grouping at least as fine (a result by account and usage type answers a query by
    /// usage type alone).
    pub fn answers(&self, wanted: &CostQuery) -> bool {
        let q = &self.query;
        let same_filter = q.start == wanted.start
            && q.end == wanted.end
            && q.granularity == wanted.granularity
            && q.services == wanted.services
            && q.restricted_services == wanted.restricted_services
            && q.usage_type_groups == wanted.usage_type_groups
            && q.record_types == wanted.record_types;
        let metrics = wanted.metrics.iter().all(|m| q.metrics.contains(m));
        let grouping = q.group_by == wanted.group_by || (q.by_account() && !wanted.by_account());
        same_filter && metrics && grouping
    }

    /// Did Cost Explorer return any group at all for the period?
    pub fn has_data(&self) -> bool {
        self.results.iter().any(|r| !r.groups.is_empty())
    }

    /// Cost Explorer's flag: the month's bill is not final yet.
    pub fn estimated(&self) -> bool {
        self.results.iter().any(|r| r.estimated)
    }

    /// Hours in the queried period (storage byte-hours over them are GB-months); an error when
    /// the query's dates are not a period (a damaged cache), never an assumed month.
    pub fn hours(&self) -> crate::error::Result<u32> {
        let parse = |s: &str| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
        match (parse(&self.query.start), parse(&self.query.end)) {
            (Some(s), Some(e)) if e > s => Ok(((e - s).num_days() * 24) as u32),
            _ => Err(crate::error::Error::Internal(format!(
                "the Cost Explorer query's period {} to {} is not a period of whole days",
                self.query.start, self.query.end
            ))),
        }
    }

    /// Every group as a billed row, amounts parsed exactly.
    pub fn billed_rows(&self) -> std::result::Result<Vec<BilledRow>, String> {
        let by_account = self.query.by_account();
        let ut_index = self
            .query
            .group_by
            .iter()
            .position(|g| g == "USAGE_TYPE")
            .unwrap_or(0);
        let account_index = self
            .query
            .group_by
            .iter()
            .position(|g| g == "LINKED_ACCOUNT");
        let mut out = Vec::new();
        for r in &self.results {
            for g in &r.groups {
                let Some(ut) = g.keys.get(ut_index) else {
                    return Err(format!("a group without a usage type: keys {:?}", g.keys));
                };
                let account = match (by_account, account_index) {
                    (true, Some(i)) => g.keys.get(i).cloned(),
                    _ => None,
                };
                let metric =
                    |name: &str| -> std::result::Result<Option<(Decimal, String)>, String> {
                        match g.metrics.get(name) {
                            None => Ok(None),
                            Some(a) => decimal(&a.amount)
                                .map(|d| Some((d, a.unit.clone())))
                                .ok_or_else(|| {
                                    format!("{name} {:?} of {ut} is not a number", a.amount)
                                }),
                        }
                    };
                let (unblended, _) =
                    metric("UnblendedCost")?.unwrap_or((Decimal::ZERO, String::new()));
                let (quantity, unit) =
                    metric("UsageQuantity")?.unwrap_or((Decimal::ZERO, String::new()));
                let net_unblended = metric("NetUnblendedCost")?.map(|(d, _)| d);
                out.push(BilledRow {
                    account,
                    usage: usage_types::classify(ut),
                    quantity,
                    unit,
                    unblended,
                    net_unblended,
                });
            }
        }
        Ok(out)
    }
}

/// Read a JSON cache of the report folder (`what` names it in messages): `None` when there is
/// none. A file that cannot be read or parsed, or of another schema version than `want`, is an
/// error naming it, rather than silently paying for a new read.
pub fn read_cache<T: serde::de::DeserializeOwned>(
    path: &Path,
    what: &str,
    schema: impl Fn(&T) -> u32,
    want: u32,
) -> Result<Option<T>> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(Error::Input {
                path: path.to_path_buf(),
                message: format!("cannot read the cached {what}: {e}"),
            });
        }
    };
    let c: T = serde_json::from_str(&text).map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!(
            "not a logplan {what} cache ({}); delete it or pass --refresh",
            e.to_string().replace('\n', " ")
        ),
    })?;
    if schema(&c) != want {
        return Err(Error::Input {
            path: path.to_path_buf(),
            message: format!(
                "cache schema_version {} is not {want}; pass --refresh to fetch again",
                schema(&c)
            ),
        });
    }
    Ok(Some(c))
}

/// A Cost Explorer amount ("12.3400000000", sometimes "1.2E-7") as an exact decimal.
pub fn decimal(s: &str) -> Option<Decimal> {
    let s = s.trim();
    s.parse::<Decimal>()
        .ok()
        .or_else(|| Decimal::from_scientific(s).ok())
}

/// Billed rows summed per mapped component (the `actuals` command's view, without a model).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BilledComponent {
    pub quantity: Decimal,
    pub unblended: Decimal,
    pub net_unblended: Option<Decimal>,
    pub usage_types: std::collections::BTreeSet<String>,
}

pub fn by_component(
    rows: &[BilledRow],
    hours: u32,
) -> BTreeMap<crate::model::Component, BilledComponent> {
    let mut out: BTreeMap<crate::model::Component, BilledComponent> = BTreeMap::new();
    for r in rows {
        let Some(c) = r.usage.component else { continue };
        let e = out.entry(c).or_default();
        e.quantity += usage_types::convert(r.quantity, &r.unit, r.usage.conversion, hours);
        e.unblended += r.unblended;
        if let Some(n) = r.net_unblended {
            *e.net_unblended.get_or_insert(Decimal::ZERO) += n;
        }
        e.usage_types.insert(r.usage.usage_type.clone());
    }
    out
}

/// One line on what the run paid Cost Explorer, or where the actuals came from.
pub fn requests_line(requests: u32, from_cache: bool, cache: &str, fetched_at: &str) -> String {
    let cost = crate::aws::costexplorer::requests_cost(requests);
    if from_cache {
        format!(
            "Cost Explorer: 0 requests ($0.00): read from {cache} (fetched {fetched_at}; --refresh asks again)"
        )
    } else {
        format!(
            "Cost Explorer: {requests} request{} ({cost}); cached in {cache}",
            if requests == 1 { "" } else { "s" }
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::costexplorer::{Amount, CostGroup};

    fn group(keys: &[&str], cost: &str, qty: &str, unit: &str) -> CostGroup {
        let mut metrics = BTreeMap::new();
        metrics.insert(
            "UnblendedCost".to_string(),
            Amount {
                amount: cost.into(),
                unit: "USD".into(),
            },
        );
        metrics.insert(
            "UsageQuantity".to_string(),
            Amount {
                amount: qty.into(),
                unit: unit.into(),
            },
        );
        CostGroup {
            keys: keys.iter().map(|k| k.to_string()).collect(),
            metrics,
        }
    }

    fn cached(by_account: bool, groups: Vec<CostGroup>) -> CachedActuals {
        CachedActuals {
            schema_version: CACHE_SCHEMA,
            fetched_at: "2026-11-02T00:00:00Z".into(),
            query: CostQuery::month("2026-10-01", "2026-11-01", by_account),
            requests: 1,
            results: vec![CostResult {
                start: "2026-10-01".into(),
                end: "2026-11-01".into(),
                estimated: false,
                groups,
            }],
        }
    }

    #[test]
    fn rows_parse_exactly_and_sum_per_component() {
        let c = cached(
            true,
            vec![
                group(
                    &["111122223333", "USE1-DataProcessing-Bytes"],
                    "16.25",
                    "37.5",
                    "GB",
                ),
                group(
                    &["111122223333", "EU-DataProcessing-Bytes"],
                    "1.2E-7",
                    "0.0000001",
                    "GB",
                ),
                group(
                    &["111122223333", "CW:GMD-Metrics"],
                    "1.20",
                    "120000",
                    "Metrics",
                ),
            ],
        );
        assert_eq!(c.hours().unwrap(), 744);
        let rows = c.billed_rows().unwrap();
        assert_eq!(rows[0].account.as_deref(), Some("111122223333"));
        assert_eq!(rows[1].unblended, "0.00000012".parse::<Decimal>().unwrap());
        let sums = by_component(&rows, c.hours().unwrap());
        let ingest = &sums[&crate::model::Component::CloudwatchIngest];
        assert_eq!(ingest.unblended, "16.25000012".parse::<Decimal>().unwrap());
        assert_eq!(ingest.usage_types.len(), 2);
        assert_eq!(sums.len(), 1, "CW:GMD-Metrics is not a component");
        let bad = cached(
            false,
            vec![group(&["USE1-DataProcessing-Bytes"], "abc", "1", "GB")],
        );
        assert!(bad.billed_rows().unwrap_err().contains("not a number"));
    }

    #[test]
    fn a_cache_answers_its_own_query_or_a_coarser_one() {
        let by_account = cached(true, vec![]);
        let plain = cached(false, vec![]);
        let q = |a| CostQuery::month("2026-10-01", "2026-11-01", a);
        assert!(plain.answers(&q(false)));
        assert!(!plain.answers(&q(true)), "no accounts in it");
        assert!(by_account.answers(&q(false)));
        assert!(by_account.answers(&q(true)));
        assert!(!plain.answers(&CostQuery::month("2026-09-01", "2026-10-01", false)));
        assert!(!plain.has_data());
        let json = plain.to_json().unwrap();
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(CACHE_FILE);
        assert_eq!(CachedActuals::read(&p).unwrap(), None);
        std::fs::write(&p, json).unwrap();
        assert_eq!(CachedActuals::read(&p).unwrap(), Some(plain));
        std::fs::write(&p, "{").unwrap();
        let e = CachedActuals::read(&p).unwrap_err().to_string();
        assert!(e.contains("--refresh") && !e.contains('\n'), "{e}");
    }
}
