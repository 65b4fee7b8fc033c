//! Scans measured, not assumed: what DescribeQueries says each Logs Insights query scanned
//! (`bytesScanned`, log group, user), summed per log group, per query and per user over the
//! last days, and scaled to a month for the report's CloudWatch path.
//!
//! Queries are recognised as what they are: a library query by logplan's marker (the console
//! and dashboards run the deployed text, marker included); any other text by its normalised
//! form (the `SOURCE ... |` the console prepends, comments and whitespace removed), marked
//! `recurring` when the same text ran at least [`RECURRING_RUNS`] times in the window (a
//! dashboard widget or an automation), `ad hoc` otherwise.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use serde::Serialize;

use super::identity::{hash_of, parse_marker};
use crate::aws::insights::QueryRecord;
use crate::model::ScanPlan;

/// Runs of the same text in the window from which it counts as a dashboard or automation.
pub const RECURRING_RUNS: u64 = 10;

/// One DescribeQueries record with where it was read.
#[derive(Clone, Debug)]
pub struct Sampled {
    pub account_id: String,
    pub region: String,
    pub record: QueryRecord,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Line {
    pub key: String,
    /// `library`, `recurring`, `ad hoc` (queries); empty for groups and users.
    pub kind: String,
    pub queries: u64,
    pub bytes: u64,
    /// The text as first seen, for queries; the group's account and region for groups.
    pub detail: String,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Usage {
    /// The window, epoch milliseconds, `[since, until)`.
    pub since_ms: i64,
    pub until_ms: i64,
    pub queries: u64,
    pub bytes: u64,
    pub by_log_group: Vec<Line>,
    pub by_query: Vec<Line>,
    pub by_user: Vec<Line>,
    /// (account, region, log group) -> bytes in the window.
    #[serde(skip)]
    pub per_group: BTreeMap<(String, String, String), u64>,
}

/// The text of a query without what the console adds and what does not change its meaning.
pub fn normalize(text: &str) -> String {
    let (body, _) = parse_marker(text);
    let mut t = body.trim();
    // The console sends `SOURCE "group" START=-3600s END=0s |` ahead of the query.
    if t.len() >= 6 && t[..6].eq_ignore_ascii_case("source") {
        let parsed = crate::queries::cwli::parse(t);
        if let Some(src) = &parsed.query.source {
            t = t[src.span.end..].trim_start().trim_start_matches('|');
        }
    }
    t.lines()
        .filter(|l| !l.trim_start().starts_with('#'))
        .flat_map(|l| l.split_whitespace())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Sum the records created in `[since_ms, until_ms)`. Records without `bytesScanned` count as
/// queries with zero bytes (still running, or failed before scanning).
pub fn aggregate(records: &[Sampled], since_ms: i64, until_ms: i64) -> Usage {
    let mut u = Usage {
        since_ms,
        until_ms,
        ..Usage::default()
    };
    let mut groups: BTreeMap<(String, String, String), (u64, u64)> = BTreeMap::new();
    let mut queries: BTreeMap<String, Line> = BTreeMap::new();
    let mut users: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for s in records {
        let r = &s.record;
        if r.create_time_ms < since_ms || r.create_time_ms >= until_ms {
            continue;
        }
        let bytes = r
            .bytes_scanned
            .filter(|b| b.is_finite() && *b > 0.0)
            .map(|b| b.round() as u64)
            .unwrap_or(0);
        u.queries += 1;
        u.bytes += bytes;
        let group = r
            .log_group
            .clone()
            .unwrap_or_else(|| "(not reported)".into());
        let g = groups
            .entry((s.account_id.clone(), s.region.clone(), group))
            .or_default();
        g.0 += 1;
        g.1 += bytes;
        let (key, library) = match parse_marker(&r.query_string).1 {
            Some(m) => (m.name, true),
            None => (
                format!("text {}", hash_of(&[&normalize(&r.query_string)])),
                false,
            ),
        };
        let q = queries.entry(key.clone()).or_insert_with(|| Line {
            key,
            kind: if library {
                "library".into()
            } else {
                String::new()
            },
            detail: normalize(&r.query_string),
            ..Line::default()
        });
        q.queries += 1;
        q.bytes += bytes;
        let user = users
            .entry(r.user.clone().unwrap_or_else(|| "(not reported)".into()))
            .or_default();
        user.0 += 1;
        user.1 += bytes;
    }
    for ((a, r, g), (n, b)) in groups {
        u.per_group.insert((a.clone(), r.clone(), g.clone()), b);
        u.by_log_group.push(Line {
            key: g,
            kind: String::new(),
            queries: n,
            bytes: b,
            detail: format!("{a} {r}"),
        });
    }
    u.by_query = queries
        .into_values()
        .map(|mut l| {
            if l.kind.is_empty() {
                l.kind = if l.queries >= RECURRING_RUNS {
                    "recurring".into()
                } else {
                    "ad hoc".into()
                };
            }
            l
        })
        .collect();
    u.by_user = users
        .into_iter()
        .map(|(k, (n, b))| Line {
            key: k,
            kind: String::new(),
            queries: n,
            bytes: b,
            detail: String::new(),
        })
        .collect();
    for list in [&mut u.by_log_group, &mut u.by_query, &mut u.by_user] {
        list.sort_by(|a, b| b.bytes.cmp(&a.bytes).then(a.key.cmp(&b.key)));
    }
    u
}

/// The measured bytes per group scaled from the window to a month of `month_days` days: what
/// the report uses for each group's Insights scanning (`scan_source = measured`).
pub fn monthly_scan(u: &Usage, month_days: i64) -> ScanPlan {
    let window_days = Decimal::from(u.until_ms - u.since_ms) / Decimal::from(86_400_000i64);
    let mut out = ScanPlan::new();
    if window_days <= Decimal::ZERO {
        return out;
    }
    for (k, bytes) in &u.per_group {
        let scaled = Decimal::from(*bytes) * Decimal::from(month_days) / window_days;
        out.insert(k.clone(), scaled.round().to_u64().unwrap_or(u64::MAX));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(id: &str, text: &str, group: &str, bytes: f64, user: &str, at: i64) -> Sampled {
        Sampled {
            account_id: "1".into(),
            region: "us-east-1".into(),
            record: QueryRecord {
                query_id: id.into(),
                query_string: text.into(),
                status: "Complete".into(),
                create_time_ms: at,
                log_group: Some(group.into()),
                bytes_scanned: Some(bytes),
                user: Some(user.into()),
                language: "CWLI".into(),
            },
        }
    }

    #[test]
    fn console_source_and_whitespace_do_not_make_a_new_query() {
        assert_eq!(
            normalize("SOURCE \"app\" START=-3600s END=0s |\nfields a\n  | limit 5"),
            "fields a | limit 5"
        );
        assert_eq!(
            normalize("fields a | limit 5\n# a comment"),
            "fields a | limit 5"
        );
    }

    #[test]
    fn sums_per_group_query_and_user_in_the_window() {
        let lib =
            "fields a\n# logplan: lib=l version=1.0.0 sha256=0123456789abcdef name=team/errors";
        let rs = vec![
            rec("1", lib, "/app", 1_000.0, "arn:u/alice", 10),
            rec("2", lib, "/app", 2_000.0, "arn:u/bob", 20),
            rec(
                "3",
                "SOURCE \"/db\" START=-1h END=0s | stats count(*)",
                "/db",
                500.4,
                "arn:u/alice",
                30,
            ),
            rec("4", "fields a", "/app", 9_999.0, "arn:u/alice", 99),
        ];
        let u = aggregate(&rs, 0, 50);
        assert_eq!((u.queries, u.bytes), (3, 3_500));
        assert_eq!(u.by_log_group[0].key, "/app");
        assert_eq!(u.by_log_group[0].bytes, 3_000);
        assert_eq!(u.by_query[0].key, "team/errors");
        assert_eq!(u.by_query[0].kind, "library");
        assert_eq!(u.by_query[1].kind, "ad hoc");
        assert_eq!(u.by_user[0].key, "arn:u/bob");
        // A 2-day window scaled to a 30-day month: x15.
        let u = Usage {
            since_ms: 0,
            until_ms: 2 * 86_400_000,
            per_group: [(("1".into(), "r".into(), "/app".into()), 100)].into(),
            ..Usage::default()
        };
        assert_eq!(monthly_scan(&u, 30).values().next(), Some(&1_500));
    }
}
