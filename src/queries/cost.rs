//! Scan-cost planning, in exact decimals rounded once per line to micro-dollars: for each query,
//! the GiB its runs scan in the period times the Insights price of the group's region.
//!
//! * A `[schedule]` (people, dashboards): runs in the period x the bytes its log groups ingest in
//!   its window (the period's bytes spread evenly; a window longer than the period reads the
//!   whole period).
//! * A `[scheduled]` query, and the scheduled queries in the account the library does not
//!   manage: every run of its cron in the period, each reading the bytes its log groups ingested
//!   in its window, from the daily volumes (a day's bytes spread evenly over the day; a day with
//!   no daily row counts the group's average day).
//!
//! Also the per-group bytes the report's CloudWatch path uses in place of its scan assumption.

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use serde::Serialize;

use super::file::{Language, QueryFile};
use super::schedule::{duration_secs, runs_in};
use super::{cron, scheduled};
use crate::aws::insights::ScheduledQuery;
use crate::error::{Error, Result};
use crate::model::ScanPlan;
use crate::money::MicroUsd;
use crate::pricing::PriceBook;
use crate::snapshot::{DailyRow, GroupInput};

const GIB: i64 = 1_073_741_824;
const DAY_SECS: i64 = 86_400;

type Key = (String, String, String);

/// The volumes a plan reads: one row per group, the daily series, and the period they cover.
pub struct Volumes<'a> {
    pub groups: &'a [GroupInput],
    pub daily: &'a [DailyRow],
    pub start: NaiveDate,
    /// Exclusive.
    pub end: NaiveDate,
}

impl Volumes<'_> {
    fn days(&self) -> i64 {
        (self.end - self.start).num_days().max(1)
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct QueryCost {
    pub name: String,
    /// `schedule` (planned runs), `scheduled` (a scheduled query of this library),
    /// `unmanaged scheduled` (in the account, not this library's), `aws-managed scheduled`.
    pub kind: String,
    /// Runs in the period.
    pub runs_per_month: Decimal,
    /// The window each run reads, as written (`1h`) or in seconds for account queries.
    pub window: String,
    /// Log groups it reads that the volumes know.
    pub log_groups: Vec<String>,
    /// Log groups it names that the volumes do not have (scanned as zero).
    pub unknown_log_groups: Vec<String>,
    pub gib_per_run: Decimal,
    /// GiB scanned in the period.
    pub gib_per_month: Decimal,
    pub usd_per_month: MicroUsd,
    /// No schedule: not planned.
    pub unscheduled: bool,
}

impl QueryCost {
    /// A planned query: `bytes` scanned over `runs` runs, costing `usd`.
    #[allow(clippy::too_many_arguments)]
    fn planned(
        name: &str,
        kind: &str,
        runs: Decimal,
        window: String,
        log_groups: Vec<String>,
        unknown_log_groups: Vec<String>,
        bytes: Decimal,
        usd: MicroUsd,
    ) -> QueryCost {
        QueryCost {
            name: name.to_string(),
            kind: kind.to_string(),
            runs_per_month: runs,
            window,
            log_groups,
            unknown_log_groups,
            gib_per_run: if runs.is_zero() {
                Decimal::ZERO
            } else {
                gib(bytes / runs)
            },
            gib_per_month: gib(bytes),
            usd_per_month: usd,
            unscheduled: false,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupCost {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub gib: Decimal,
    pub usd: MicroUsd,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct CostPlan {
    pub period_start: String,
    pub period_end: String,
    /// The library's queries.
    pub queries: Vec<QueryCost>,
    /// Scheduled queries in the account the library does not manage: they scan too.
    pub unmanaged: Vec<QueryCost>,
    /// (account, region, log group) -> bytes scanned in the period, library and unmanaged.
    #[serde(skip)]
    pub scan: ScanPlan,
    pub by_log_group: Vec<GroupCost>,
    pub total_usd: MicroUsd,
    pub unmanaged_usd: MicroUsd,
}

fn key(g: &GroupInput) -> Key {
    (g.account_id.clone(), g.region.clone(), g.log_group.clone())
}

/// The daily table beside a snapshot (`daily.parquet` / `daily.csv`, as `sample` writes them),
/// when there is one.
pub fn daily_beside(snapshot: &std::path::Path) -> Result<Vec<DailyRow>> {
    let dir = snapshot.parent().unwrap_or(std::path::Path::new("."));
    for name in ["daily.parquet", "daily.csv"] {
        let p = dir.join(name);
        if p.is_file() {
            return crate::snapshot::read_daily(&p);
        }
    }
    Ok(Vec::new())
}

/// A log group name from a name or an ARN (`arn:aws:logs:r:a:log-group:NAME[:*]`).
pub fn group_name(identifier: &str) -> String {
    match identifier.split_once(":log-group:") {
        Some((_, rest)) => rest.trim_end_matches(":*").to_string(),
        None => identifier.to_string(),
    }
}

/// Which groups a query reads: its named log groups, and for `SOURCE` queries the groups
/// matching the SOURCE names/prefixes.
fn groups_read<'a>(
    names: &[String],
    language: Language,
    text: &str,
    groups: &'a [GroupInput],
) -> (Vec<&'a GroupInput>, Vec<String>) {
    let mut read: Vec<&GroupInput> = Vec::new();
    let mut unknown = Vec::new();
    for name in names {
        let n = group_name(name);
        let found: Vec<&GroupInput> = groups.iter().filter(|g| g.log_group == n).collect();
        if found.is_empty() {
            unknown.push(n);
        }
        read.extend(found);
    }
    if language == Language::Cwli {
        use crate::queries::cwli::ast::SourceLogGroup;
        for sg in crate::queries::cwli::parse(text)
            .query
            .referenced_log_groups()
        {
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
    read.sort_by_key(|g| key(g));
    read.dedup_by_key(|g| key(g));
    (read, unknown)
}

/// Bytes a group ingested per day, from the daily series.
struct Daily(BTreeMap<Key, BTreeMap<NaiveDate, u64>>);

impl Daily {
    fn new(rows: &[DailyRow]) -> Daily {
        let mut m: BTreeMap<Key, BTreeMap<NaiveDate, u64>> = BTreeMap::new();
        for r in rows {
            *m.entry((r.account_id.clone(), r.region.clone(), r.log_group.clone()))
                .or_default()
                .entry(r.day)
                .or_default() += r.incoming_bytes;
        }
        Daily(m)
    }

    /// Bytes `g` ingested in `[from, to)`: each day's bytes spread evenly over the day; a day
    /// the series lacks counts the group's average day over the period.
    fn bytes_in(
        &self,
        g: &GroupInput,
        v: &Volumes<'_>,
        from: DateTime<Utc>,
        to: DateTime<Utc>,
    ) -> Decimal {
        let days = self.0.get(&key(g));
        let average = Decimal::from(g.incoming_bytes) / Decimal::from(v.days());
        let mut total = Decimal::ZERO;
        let mut day = from.date_naive();
        while cron::utc_midnight(day) < to {
            let start = cron::utc_midnight(day).max(from);
            let end = (cron::utc_midnight(day) + Duration::days(1)).min(to);
            let secs = (end - start).num_seconds();
            if secs > 0 {
                let bytes = days
                    .and_then(|d| d.get(&day))
                    .map(|b| Decimal::from(*b))
                    .unwrap_or(average);
                total += bytes * Decimal::from(secs) / Decimal::from(DAY_SECS);
            }
            day = match day.succ_opt() {
                Some(d) => d,
                None => break,
            };
        }
        total
    }
}

struct Acc<'b> {
    book: &'b PriceBook,
    per_group: BTreeMap<Key, (Decimal, MicroUsd)>,
}

impl Acc<'_> {
    /// Price `bytes` scanned in `g`'s region; one line, rounded once.
    fn add(&mut self, g: &GroupInput, bytes: Decimal) -> Result<MicroUsd> {
        let price = self.book.get("cwl.insights.scan", &g.region)?.flat();
        let usd = bytes / Decimal::from(GIB) * price * Decimal::from(1_000_000);
        let usd = MicroUsd(usd.round().to_i64().unwrap_or(i64::MAX));
        let e = self
            .per_group
            .entry(key(g))
            .or_insert((Decimal::ZERO, MicroUsd::ZERO));
        e.0 += bytes;
        e.1 = e.1 + usd;
        Ok(usd)
    }
}

fn gib(bytes: Decimal) -> Decimal {
    (bytes / Decimal::from(GIB)).round_dp(6)
}

/// The cost of runs at `times`, each reading `[t - start, t - end)` of `read`.
fn runs_cost(
    acc: &mut Acc<'_>,
    daily: &Daily,
    v: &Volumes<'_>,
    read: &[&GroupInput],
    times: &[DateTime<Utc>],
    start_offset: i64,
    end_offset: i64,
) -> Result<(Decimal, MicroUsd)> {
    let mut bytes_total = Decimal::ZERO;
    let mut usd = MicroUsd::ZERO;
    for g in read {
        let mut bytes = Decimal::ZERO;
        for t in times {
            bytes += daily.bytes_in(
                g,
                v,
                *t - Duration::seconds(start_offset),
                *t - Duration::seconds(end_offset),
            );
        }
        usd = usd + acc.add(g, bytes)?;
        bytes_total += bytes;
    }
    Ok((bytes_total, usd))
}

/// Plan the library's scan cost over the volumes, with the account's scheduled queries the
/// library does not manage (`unmanaged`: (account, region, query, AWS-managed?)).
pub fn plan(
    files: &[QueryFile],
    v: &Volumes<'_>,
    unmanaged: &[(String, String, ScheduledQuery, bool)],
    book: &PriceBook,
) -> Result<CostPlan> {
    let days = Decimal::from(v.days());
    let period_secs = days * Decimal::from(DAY_SECS);
    let (start, end) = (cron::utc_midnight(v.start), cron::utc_midnight(v.end));
    let daily = Daily::new(v.daily);
    let mut acc = Acc {
        book,
        per_group: BTreeMap::new(),
    };
    let mut out = CostPlan {
        period_start: v.start.to_string(),
        period_end: v.end.to_string(),
        ..CostPlan::default()
    };
    for q in files {
        let (read, unknown) = groups_read(&q.log_groups, q.language, &q.query, v.groups);
        let names: Vec<String> = read.iter().map(|g| g.log_group.clone()).collect();
        if let Some(s) = &q.schedule {
            let runs = runs_in(s, days).map_err(Error::Usage)?;
            let window = duration_secs(&s.window).map_err(Error::Usage)?;
            let share = (window / period_secs).min(Decimal::ONE);
            let (mut bytes, mut usd) = (Decimal::ZERO, MicroUsd::ZERO);
            for g in &read {
                let b = Decimal::from(g.incoming_bytes) * share * runs;
                usd = usd + acc.add(g, b)?;
                bytes += b;
            }
            out.queries.push(QueryCost::planned(
                &q.name,
                "schedule",
                runs,
                s.window.clone(),
                names.clone(),
                unknown.clone(),
                bytes,
                usd,
            ));
        }
        if let (Some(spec), Some(r)) = (
            &q.scheduled,
            scheduled::resolve_file(q).map_err(Error::Usage)?,
        ) {
            let times = scheduled::runs_in(&r, start, end);
            let (bytes, usd) = runs_cost(
                &mut acc,
                &daily,
                v,
                &read,
                &times,
                r.start_offset,
                r.end_offset,
            )?;
            let runs = Decimal::from(times.len());
            out.queries.push(QueryCost::planned(
                &q.name,
                "scheduled",
                runs,
                spec.start_offset.clone().unwrap_or_default(),
                names.clone(),
                unknown.clone(),
                bytes,
                usd,
            ));
        }
        if q.schedule.is_none() && q.scheduled.is_none() {
            out.queries.push(QueryCost {
                name: q.name.clone(),
                kind: "schedule".into(),
                runs_per_month: Decimal::ZERO,
                window: String::new(),
                log_groups: names,
                unknown_log_groups: unknown,
                gib_per_run: Decimal::ZERO,
                gib_per_month: Decimal::ZERO,
                usd_per_month: MicroUsd::ZERO,
                unscheduled: true,
            });
        }
    }
    for (account, region, sq, aws_managed) in unmanaged {
        let in_scope: Vec<GroupInput> = v
            .groups
            .iter()
            .filter(|g| &g.account_id == account && &g.region == region)
            .cloned()
            .collect();
        let (read, unknown) = groups_read(
            &sq.log_groups,
            Language::from_api(&sq.language),
            &sq.query,
            &in_scope,
        );
        let (schedule, tz) = match (
            cron::parse(&sq.schedule_expression),
            cron::parse_timezone(sq.timezone.as_deref()),
        ) {
            (Ok(s), Ok(tz)) => (s, tz),
            _ => continue,
        };
        let times = if sq.state.as_deref() == Some("DISABLED") {
            Vec::new()
        } else {
            cron::runs(&schedule, tz, start, end)
        };
        let start_offset = sq.start_offset.unwrap_or(0);
        let end_offset = sq.end_offset.unwrap_or(0);
        let refs: Vec<&GroupInput> = read.to_vec();
        let (bytes, usd) = runs_cost(&mut acc, &daily, v, &refs, &times, start_offset, end_offset)?;
        let runs = Decimal::from(times.len());
        out.unmanaged_usd = out.unmanaged_usd + usd;
        out.unmanaged.push(QueryCost::planned(
            &sq.name,
            if *aws_managed {
                "aws-managed scheduled"
            } else {
                "unmanaged scheduled"
            },
            runs,
            format!("{}s", start_offset - end_offset),
            read.iter().map(|g| g.log_group.clone()).collect(),
            unknown,
            bytes,
            usd,
        ));
    }
    out.total_usd = out
        .queries
        .iter()
        .map(|q| q.usd_per_month)
        .sum::<MicroUsd>()
        + out.unmanaged_usd;
    for ((a, r, g), (bytes, usd)) in acc.per_group {
        out.scan.insert(
            (a.clone(), r.clone(), g.clone()),
            bytes.round().to_u64().unwrap_or(u64::MAX),
        );
        out.by_log_group.push(GroupCost {
            account_id: a,
            region: r,
            log_group: g,
            gib: gib(bytes),
            usd,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_names_from_arns() {
        assert_eq!(
            group_name("arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/x:*"),
            "/aws/lambda/x"
        );
        assert_eq!(group_name("/app"), "/app");
    }

    #[test]
    fn window_bytes_come_from_the_days_they_cover() {
        let g = GroupInput {
            account_id: "1".into(),
            region: "us-east-1".into(),
            log_group: "/app".into(),
            incoming_bytes: 30 * 86_400,
            ..GroupInput::default()
        };
        let day = |d: u32, b: u64| DailyRow {
            account_id: "1".into(),
            region: "us-east-1".into(),
            log_group: "/app".into(),
            day: NaiveDate::from_ymd_opt(2026, 11, d).unwrap(),
            incoming_bytes: b,
            incoming_events: 0,
        };
        let rows = vec![day(1, 86_400), day(2, 172_800)];
        let groups = [g.clone()];
        let v = Volumes {
            groups: &groups,
            daily: &rows,
            start: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            end: NaiveDate::from_ymd_opt(2026, 12, 1).unwrap(),
        };
        let daily = Daily::new(&rows);
        let at = |d: u32, h: u32| {
            cron::utc_midnight(NaiveDate::from_ymd_opt(2026, 11, d).unwrap())
                + Duration::hours(i64::from(h))
        };
        // 23:00 on the 1st to 01:00 on the 2nd: 3,600 s x 1 B/s + 3,600 s x 2 B/s = 10,800 B.
        assert_eq!(
            daily.bytes_in(&g, &v, at(1, 23), at(2, 1)),
            Decimal::from(10_800)
        );
        // The 5th has no row: the average day, 30 x 86,400 / 30 days = 86,400 B a day, 1 B/s.
        assert_eq!(
            daily.bytes_in(&g, &v, at(5, 0), at(5, 2)),
            Decimal::from(7_200)
        );
    }
}
