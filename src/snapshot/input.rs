//! The snapshot as the later stages read it: [`GroupInput`] per log group, from a snapshot file
//! (Parquet or CSV, every cell checked, errors naming file, row and column) or from a fresh
//! [`SnapshotRow`].

use std::path::Path;

use polars::prelude::*;

use super::{SnapshotRow, internal, read_frame};
use crate::error::{Error, Result};
use crate::period::Period;

/// One log group as the later stages read it: the snapshot's columns, plus two a user may add
/// to state what the tool cannot see (`vended`, `insights_scanned_bytes`).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupInput {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub log_group_class: Option<String>,
    pub retention_days: Option<i32>,
    pub stored_bytes: Option<u64>,
    pub incoming_bytes: u64,
    pub incoming_events: u64,
    pub forwarded_bytes: Option<u64>,
    pub forwarded_events: Option<u64>,
    pub destination_kind: Option<String>,
    pub datadog_forwarder: Option<bool>,
    pub sampled_events: Option<u64>,
    pub sampled_bytes: Option<u64>,
    pub gzip_ratio: Option<f64>,
    /// Overrides the detection of vended log groups by name.
    pub vended: Option<bool>,
    /// This group's Insights scan volume for the month, overriding assumptions and plans.
    pub insights_scanned_bytes: Option<u64>,
    /// What produces the logs (`lambda`, `waf`, ...; the list is `crate::model::Source`).
    pub source: Option<String>,
    /// `aws`, `name` or `snapshot`: who said what `source` and `billing_class` say.
    pub source_basis: Option<String>,
    /// `custom`, `vended:<ladder>` or `delivery`.
    pub billing_class: Option<String>,
    /// Inspected WAF requests in the period (each brings 500 bytes of free log delivery).
    pub waf_requests: Option<u64>,
    /// For the sampled events: the bytes of the JSON the Datadog Forwarder would send.
    pub datadog_envelope_bytes: Option<u64>,
    /// The gzip of that JSON batch.
    pub datadog_envelope_gzip_bytes: Option<u64>,
    /// What the filter that reaches Datadog forwarded (not every filter's sum).
    pub datadog_forwarded_bytes: Option<u64>,
    pub datadog_forwarded_events: Option<u64>,
}

impl From<&SnapshotRow> for GroupInput {
    fn from(r: &SnapshotRow) -> GroupInput {
        GroupInput {
            account_id: r.account_id.clone(),
            region: r.region.clone(),
            log_group: r.log_group.clone(),
            log_group_class: r.log_group_class.clone(),
            retention_days: r.retention_days,
            stored_bytes: r.stored_bytes,
            incoming_bytes: r.incoming_bytes,
            incoming_events: r.incoming_events,
            forwarded_bytes: r.forwarded_bytes,
            forwarded_events: r.forwarded_events,
            destination_kind: r.destination_kind.clone(),
            datadog_forwarder: r.datadog_forwarder,
            sampled_events: r.sampled_events,
            sampled_bytes: r.sampled_bytes,
            gzip_ratio: r.gzip_ratio,
            vended: None,
            insights_scanned_bytes: None,
            source: r.source.clone(),
            source_basis: r.source_basis.clone(),
            billing_class: r.billing_class.clone(),
            waf_requests: r.waf_requests,
            datadog_envelope_bytes: r.datadog_envelope_bytes,
            datadog_envelope_gzip_bytes: r.datadog_envelope_gzip_bytes,
            datadog_forwarded_bytes: r.datadog_forwarded_bytes,
            datadog_forwarded_events: r.datadog_forwarded_events,
        }
    }
}

impl GroupInput {
    /// Scale the period's flows to the month: each x `num / den` (days in the month / days
    /// measured), computed exactly in integers and rounded once to the nearest whole byte, event
    /// or request. Levels (`stored_bytes`, retention) and what describes the sampled events
    /// (`sampled_*`, `gzip_ratio`, `datadog_envelope_*`: ratios) are not flows and stay.
    pub fn scale_flows(&mut self, num: u64, den: u64) {
        let scale = |v: u64| -> u64 {
            let (v, n, d) = (u128::from(v), u128::from(num), u128::from(den.max(1)));
            u64::try_from((v * n + d / 2) / d).unwrap_or(u64::MAX)
        };
        self.incoming_bytes = scale(self.incoming_bytes);
        self.incoming_events = scale(self.incoming_events);
        for v in [
            &mut self.forwarded_bytes,
            &mut self.forwarded_events,
            &mut self.datadog_forwarded_bytes,
            &mut self.datadog_forwarded_events,
            &mut self.waf_requests,
            &mut self.insights_scanned_bytes,
        ] {
            *v = v.map(scale);
        }
    }
}

/// The columns a hand-written snapshot must have.
pub const REQUIRED_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "incoming_bytes",
    "incoming_events",
];

/// Read a snapshot (Parquet, or CSV by extension) into group inputs. Every cell is checked:
/// errors name the file, the row (CSV: the line) and the column.
pub fn read(path: &Path) -> Result<Vec<GroupInput>> {
    read_with_period(path).map(|(groups, _)| groups)
}

/// [`read`], with the period the snapshot measured (`period_start`, `period_end` exclusive):
/// `None` when the snapshot has no such columns (a hand-written one). Every row must give the
/// same period; otherwise the error names the file and the two periods found.
pub fn read_with_period(path: &Path) -> Result<(Vec<GroupInput>, Option<Period>)> {
    let input_err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let (df, is_csv) = read_frame(path, "the snapshot")?;

    for c in REQUIRED_COLUMNS {
        if df.column(c).is_err() {
            return Err(input_err(format!("missing required column {c:?}")));
        }
    }
    // Every column as text, so Parquet and CSV go through the same checks.
    let text = |name: &str| -> Result<Option<StringChunked>> {
        match df.column(name) {
            Ok(c) => {
                let s = c
                    .cast(&DataType::String)
                    .map_err(|e| input_err(format!("column {name:?}: {e}")))?;
                Ok(Some(s.str().map_err(internal)?.clone()))
            }
            Err(_) => Ok(None),
        }
    };
    let row_name = |i: usize| {
        if is_csv {
            format!("line {}", i + 2)
        } else {
            format!("row {}", i + 1)
        }
    };
    let cols: Vec<(&str, Option<StringChunked>)> = [
        "account_id",
        "region",
        "log_group",
        "log_group_class",
        "retention_days",
        "stored_bytes",
        "incoming_bytes",
        "incoming_events",
        "forwarded_bytes",
        "forwarded_events",
        "destination_kind",
        "datadog_forwarder",
        "sampled_events",
        "sampled_bytes",
        "gzip_ratio",
        "vended",
        "insights_scanned_bytes",
        "source",
        "source_basis",
        "billing_class",
        "waf_requests",
        "datadog_envelope_bytes",
        "datadog_envelope_gzip_bytes",
        "datadog_forwarded_bytes",
        "datadog_forwarded_events",
    ]
    .into_iter()
    .map(|n| text(n).map(|c| (n, c)))
    .collect::<Result<_>>()?;
    let cell = |col: usize, i: usize| -> Option<&str> {
        cols[col]
            .1
            .as_ref()
            .and_then(|c| c.get(i))
            .map(str::trim)
            .filter(|s| !s.is_empty())
    };
    let bad = |col: usize, i: usize, what: &str| {
        input_err(format!(
            "{}, column {}: {:?} {what}",
            row_name(i),
            cols[col].0,
            cell(col, i).unwrap_or("")
        ))
    };
    let count = |col: usize, i: usize| -> Result<Option<u64>> {
        match cell(col, i) {
            None => Ok(None),
            Some(s) => parse_count(s)
                .map(Some)
                .ok_or_else(|| bad(col, i, "is not a whole, non-negative number")),
        }
    };
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let required_text = |col: usize| -> Result<String> {
            cell(col, i)
                .map(str::to_string)
                .ok_or_else(|| input_err(format!("{}, column {}: empty", row_name(i), cols[col].0)))
        };
        let required_count = |col: usize| -> Result<u64> {
            count(col, i)?
                .ok_or_else(|| input_err(format!("{}, column {}: empty", row_name(i), cols[col].0)))
        };
        let boolean = |col: usize| -> Result<Option<bool>> {
            match cell(col, i).map(str::to_ascii_lowercase).as_deref() {
                None => Ok(None),
                Some("true") | Some("1") | Some("yes") => Ok(Some(true)),
                Some("false") | Some("0") | Some("no") => Ok(Some(false)),
                Some(_) => Err(bad(col, i, "is not true or false")),
            }
        };
        let region = required_text(1)?;
        crate::regions::check(&region)
            .map_err(|e| input_err(format!("{}, column region: {e}", row_name(i))))?;
        let class = cell(3, i).map(str::to_ascii_uppercase);
        if let Some(c) = &class
            && c != "STANDARD"
            && c != "INFREQUENT_ACCESS"
            && c != "DELIVERY"
        {
            return Err(bad(3, i, "is not STANDARD, INFREQUENT_ACCESS or DELIVERY"));
        }
        let retention_days = match cell(4, i) {
            None => None,
            Some(s) => Some(
                s.parse::<i32>()
                    .ok()
                    .filter(|d| *d > 0)
                    .ok_or_else(|| bad(4, i, "is not a positive number of days"))?,
            ),
        };
        let gzip_ratio = match cell(14, i) {
            None => None,
            Some(s) => Some(
                s.parse::<f64>()
                    .ok()
                    .filter(|r| r.is_finite() && *r >= 1.0)
                    .ok_or_else(|| bad(14, i, "is not a compression ratio of at least 1"))?,
            ),
        };
        out.push(GroupInput {
            account_id: required_text(0)?,
            region,
            log_group: required_text(2)?,
            log_group_class: class,
            retention_days,
            stored_bytes: count(5, i)?,
            incoming_bytes: required_count(6)?,
            incoming_events: required_count(7)?,
            forwarded_bytes: count(8, i)?,
            forwarded_events: count(9, i)?,
            destination_kind: cell(10, i).map(str::to_string),
            datadog_forwarder: boolean(11)?,
            sampled_events: count(12, i)?,
            sampled_bytes: count(13, i)?,
            gzip_ratio,
            vended: boolean(15)?,
            insights_scanned_bytes: count(16, i)?,
            source: cell(17, i).map(str::to_ascii_lowercase),
            source_basis: cell(18, i).map(str::to_ascii_lowercase),
            billing_class: cell(19, i).map(str::to_string),
            waf_requests: count(20, i)?,
            datadog_envelope_bytes: count(21, i)?,
            datadog_envelope_gzip_bytes: count(22, i)?,
            datadog_forwarded_bytes: count(23, i)?,
            datadog_forwarded_events: count(24, i)?,
        });
    }
    super::check::unique(&out, &row_name).map_err(input_err)?;
    let period = period_of(
        text("period_start")?.as_ref(),
        text("period_end")?.as_ref(),
        df.height(),
        &row_name,
    )
    .map_err(input_err)?;
    Ok((out, period))
}

/// The one period of a snapshot's rows, from its `period_start`/`period_end` columns (as text).
fn period_of(
    start: Option<&StringChunked>,
    end: Option<&StringChunked>,
    rows: usize,
    row_name: &dyn Fn(usize) -> String,
) -> std::result::Result<Option<Period>, String> {
    let (start, end) = match (start, end) {
        (None, None) => return Ok(None),
        (Some(s), Some(e)) => (s, e),
        (Some(_), None) => return Err("has period_start but no period_end column".into()),
        (None, Some(_)) => return Err("has period_end but no period_start column".into()),
    };
    let date = |c: &StringChunked, name: &str, i: usize| {
        let cell = c.get(i).map(str::trim).filter(|s| !s.is_empty());
        match cell {
            None => Ok(None),
            Some(s) => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| format!("{}, column {name}: {s:?} is not YYYY-MM-DD", row_name(i))),
        }
    };
    let show = |p: Option<Period>| match p {
        Some(p) => format!("period_start {} and period_end {}", p.start, p.end),
        None => "no period".to_string(),
    };
    let mut first: Option<(usize, Option<Period>)> = None;
    for i in 0..rows {
        let p = match (date(start, "period_start", i)?, date(end, "period_end", i)?) {
            (None, None) => None,
            (Some(s), Some(e)) if e > s => Some(Period { start: s, end: e }),
            (Some(s), Some(e)) => {
                return Err(format!(
                    "{}: period_end {e} is not after period_start {s} (period_end is exclusive)",
                    row_name(i)
                ));
            }
            (Some(_), None) => return Err(format!("{}, column period_end: empty", row_name(i))),
            (None, Some(_)) => return Err(format!("{}, column period_start: empty", row_name(i))),
        };
        match first {
            None => first = Some((i, p)),
            Some((j, q)) if q != p => {
                return Err(format!(
                    "rows disagree on the period: {} has {}, {} has {}; a snapshot measures one \
                     period",
                    row_name(j),
                    show(q),
                    row_name(i),
                    show(p)
                ));
            }
            Some(_) => {}
        }
    }
    Ok(first.and_then(|(_, p)| p))
}

/// A count of bytes or events: digits, or a float with no fractional part (`1e9`, `42.0`) as
/// some tools write; never negative, NaN or fractional.
pub(super) fn parse_count(s: &str) -> Option<u64> {
    if let Ok(v) = s.parse::<u64>() {
        return Some(v);
    }
    let f: f64 = s.parse().ok()?;
    (f.is_finite() && f >= 0.0 && f.fract() == 0.0 && f < 1.8e19).then_some(f as u64)
}
