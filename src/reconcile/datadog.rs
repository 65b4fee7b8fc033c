//! Datadog's side of the bill: a CSV export of Datadog's estimated usage metrics for logs.
//!
//! Accepted format (a header line, then one line per datapoint; column names are matched
//! without regard to case or order, other columns are ignored):
//!
//! - `timestamp` (or `date`, `time`): `YYYY-MM-DD`, an RFC 3339 date-time, `YYYY-MM-DD HH:MM:SS`
//!   (UTC), or epoch seconds / milliseconds. Datapoints outside the month are skipped and counted.
//! - `metric` (or `metric_name`): `datadog.estimated_usage.logs.ingested_bytes` or
//!   `datadog.estimated_usage.logs.ingested_events`; other metrics are skipped and counted.
//! - `value`: the datapoint, a non-negative number (decimal or scientific notation); an empty
//!   cell is a missing datapoint and is skipped.
//! - `datadog_is_excluded` (optional): `true`/`false`, the tag Datadog sets on events dropped by
//!   index exclusion filters. With it, indexed events are the events not excluded; without it,
//!   the model's `indexed_fraction` of the ingested events.
//!
//! The datapoints of each metric are summed over the month, so export them as sums (e.g.
//! `sum:datadog.estimated_usage.logs.ingested_bytes{*}.rollup(sum, 86400)`), not averages.

use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::period::Period;

pub const INGESTED_BYTES: &str = "datadog.estimated_usage.logs.ingested_bytes";
pub const INGESTED_EVENTS: &str = "datadog.estimated_usage.logs.ingested_events";

/// The month's Datadog usage, as the export says.
#[derive(Clone, Debug, PartialEq)]
pub struct DatadogUsage {
    pub path: PathBuf,
    /// Sum of `ingested_bytes` in the month; `None` when the file has no such datapoint.
    pub ingested_bytes: Option<Decimal>,
    /// Sum of `ingested_events` in the month; `None` when the file has none.
    pub ingested_events: Option<Decimal>,
    /// Events not excluded from indexing, when the file has a `datadog_is_excluded` column.
    pub indexed_events: Option<Decimal>,
    pub rows_used: usize,
    pub rows_outside_period: usize,
    pub rows_other_metrics: usize,
    pub rows_empty: usize,
}

/// Read and sum a Datadog usage export for `period`. Errors name the file, line and column.
pub fn read(path: &Path, period: &Period) -> Result<DatadogUsage> {
    let err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| err(format!("cannot read: {e}")))?;
    parse(&text, path, period)
}

pub fn parse(text: &str, path: &Path, period: &Period) -> Result<DatadogUsage> {
    let err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let records = records(text).map_err(err)?;
    let mut it = records.into_iter();
    let Some((_, header)) = it.next() else {
        return Err(err(
            "empty file: expected a header line with timestamp, metric, value".into(),
        ));
    };
    let names: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_ascii_lowercase())
        .collect();
    let find = |candidates: &[&str]| names.iter().position(|n| candidates.contains(&n.as_str()));
    let missing = |what: &str| {
        err(format!(
            "missing column {what} (the header has: {}); expected timestamp, metric, value",
            header.join(", ")
        ))
    };
    let ts_i = find(&["timestamp", "date", "time"]).ok_or_else(|| missing("\"timestamp\""))?;
    let metric_i = find(&["metric", "metric_name"]).ok_or_else(|| missing("\"metric\""))?;
    let value_i = find(&["value"]).ok_or_else(|| missing("\"value\""))?;
    let excluded_i = find(&["datadog_is_excluded"]);

    let mut usage = DatadogUsage {
        path: path.to_path_buf(),
        ingested_bytes: None,
        ingested_events: None,
        indexed_events: None,
        rows_used: 0,
        rows_outside_period: 0,
        rows_other_metrics: 0,
        rows_empty: 0,
    };
    for (line, fields) in it {
        if fields.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if fields.len() != names.len() {
            return Err(err(format!(
                "line {line}: {} fields, the header has {}",
                fields.len(),
                names.len()
            )));
        }
        let col = |i: usize| fields[i].trim();
        let at = |i: usize, what: String| {
            err(format!(
                "line {line}, column {:?}: {what}",
                header[i].trim()
            ))
        };
        let metric = col(metric_i);
        if metric != INGESTED_BYTES && metric != INGESTED_EVENTS {
            if metric.is_empty() {
                return Err(at(metric_i, "empty metric name".into()));
            }
            usage.rows_other_metrics += 1;
            continue;
        }
        let day = parse_day(col(ts_i)).map_err(|m| at(ts_i, m))?;
        let raw = col(value_i);
        if raw.is_empty() {
            usage.rows_empty += 1;
            continue;
        }
        let value = parse_value(raw).map_err(|m| at(value_i, m))?;
        let excluded = match excluded_i {
            Some(i) => match col(i).to_ascii_lowercase().as_str() {
                "true" => Some(true),
                "false" | "" => Some(false),
                other => {
                    return Err(at(i, format!("{other:?} is not true or false")));
                }
            },
            None => None,
        };
        if day < period.start || day >= period.end {
            usage.rows_outside_period += 1;
            continue;
        }
        usage.rows_used += 1;
        if metric == INGESTED_BYTES {
            *usage.ingested_bytes.get_or_insert(Decimal::ZERO) += value;
        } else {
            *usage.ingested_events.get_or_insert(Decimal::ZERO) += value;
            if let Some(ex) = excluded {
                let indexed = usage.indexed_events.get_or_insert(Decimal::ZERO);
                if !ex {
                    *indexed += value;
                }
            }
        }
    }
    if usage.ingested_bytes.is_none() && usage.ingested_events.is_none() {
        return Err(err(format!(
            "no {INGESTED_BYTES} or {INGESTED_EVENTS} datapoints between {} and {} (exclusive); \
             {} outside that period, {} of other metrics",
            period.start, period.end, usage.rows_outside_period, usage.rows_other_metrics
        )));
    }
    Ok(usage)
}

/// The UTC day of a timestamp cell.
fn parse_day(s: &str) -> std::result::Result<NaiveDate, String> {
    if s.is_empty() {
        return Err("empty timestamp".into());
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Ok(t.with_timezone(&chrono::Utc).date_naive());
    }
    for f in ["%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, f) {
            return Ok(t.date());
        }
    }
    if let Ok(n) = s.parse::<i64>() {
        // Epoch milliseconds have 13 digits today; seconds 10.
        let secs = if n.abs() >= 100_000_000_000 {
            n / 1000
        } else {
            n
        };
        if let Some(t) = DateTime::from_timestamp(secs, 0) {
            return Ok(t.date_naive());
        }
    }
    Err(format!(
        "{s:?} is not a date (expected YYYY-MM-DD, an RFC 3339 date-time or epoch seconds)"
    ))
}

fn parse_value(s: &str) -> std::result::Result<Decimal, String> {
    let v = s
        .parse::<Decimal>()
        .or_else(|_| Decimal::from_scientific(s))
        .map_err(|_| format!("{s:?} is not a number"))?;
    if v.is_sign_negative() && !v.is_zero() {
        return Err(format!("{s} is negative"));
    }
    Ok(v)
}

/// The file's records with the line each starts on (1-based), read by the `csv` crate (RFC 4180:
/// quoted fields may hold commas, doubled quotes and line breaks; blank lines are skipped). The
/// crate silently ends a quoted field left open at the end of the file; such a file is refused
/// here: a well-formed record holds an even number of quotes (each quoted field opens and closes,
/// an escaped quote is doubled), so an odd count in the last record means a quote never closed.
fn records(text: &str) -> std::result::Result<Vec<(usize, Vec<String>)>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut out = Vec::new();
    let mut last_start = 0;
    for record in reader.records() {
        let record = record.map_err(|e| e.to_string())?;
        let (line, byte) = record
            .position()
            .map_or((0, 0), |p| (p.line() as usize, p.byte() as usize));
        last_start = byte;
        out.push((line, record.iter().map(str::to_string).collect()));
    }
    let open_quote = text
        .get(last_start..)
        .is_some_and(|rest| rest.matches('"').count() % 2 == 1);
    match out.last() {
        Some((line, _)) if open_quote => Err(format!("line {line}: a quoted field is not closed")),
        _ => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn oct() -> Period {
        Period::month(2026, 10).unwrap()
    }

    fn p(text: &str) -> Result<DatadogUsage> {
        parse(text, Path::new("dd.csv"), &oct())
    }

    #[test]
    fn sums_the_month_and_skips_the_rest() {
        let u = p("Timestamp,Metric,Value,host\n\
             2026-10-01,datadog.estimated_usage.logs.ingested_bytes,1073741824,a\n\
             2026-10-31T23:00:00Z,datadog.estimated_usage.logs.ingested_bytes,1.5e9,\"b,c\"\n\
             2026-11-01,datadog.estimated_usage.logs.ingested_bytes,999,a\n\
             1790812800,datadog.estimated_usage.logs.ingested_events,1000000,a\n\
             2026-10-02,datadog.estimated_usage.logs.ingested_events,,a\n\
             2026-10-02,datadog.estimated_usage.apm.ingested_bytes,5,a\n")
        .unwrap();
        assert_eq!(u.ingested_bytes, Some("2573741824".parse().unwrap()));
        assert_eq!(u.ingested_events, Some(Decimal::from(1_000_000)));
        assert_eq!(u.indexed_events, None);
        assert_eq!(
            (
                u.rows_used,
                u.rows_outside_period,
                u.rows_other_metrics,
                u.rows_empty
            ),
            (3, 1, 1, 1)
        );
    }

    #[test]
    fn excluded_tag_splits_indexed_events() {
        let u = p("date,metric,value,datadog_is_excluded\r\n\
             2026-10-05,datadog.estimated_usage.logs.ingested_events,300,false\r\n\
             2026-10-05,datadog.estimated_usage.logs.ingested_events,700,true\r\n")
        .unwrap();
        assert_eq!(u.ingested_events, Some(Decimal::from(1000)));
        assert_eq!(u.indexed_events, Some(Decimal::from(300)));
        assert_eq!(u.ingested_bytes, None);
    }

    #[test]
    fn quoted_fields_may_span_lines_and_lines_are_counted_from_the_file() {
        // Line 2's record runs over lines 2-3 (a quoted note with a line break, a comma and
        // doubled quotes), so the bad value is on line 4.
        let text = "timestamp,metric,value,note\n\
             2026-10-01,datadog.estimated_usage.logs.ingested_bytes,1,\"two\nlines, \"\"q\"\"\"\n\
             2026-10-02,datadog.estimated_usage.logs.ingested_bytes,abc,x\n";
        let e = p(text).unwrap_err().to_string();
        assert_eq!(
            e,
            "dd.csv: line 4, column \"value\": \"abc\" is not a number"
        );
        let fields = records(text).unwrap();
        assert_eq!(fields[1].1[3], "two\nlines, \"q\"");
        assert_eq!(fields.iter().map(|r| r.0).collect::<Vec<_>>(), [1, 2, 4]);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = p("timestamp,metric,value\n2026-10-01,datadog.estimated_usage.logs.ingested_bytes,12abc\n")
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "dd.csv: line 2, column \"value\": \"12abc\" is not a number"
        );
        let e = p("timestamp,metric,value\n2026-10-01,datadog.estimated_usage.logs.ingested_bytes,1\nyesterday,datadog.estimated_usage.logs.ingested_bytes,1\n")
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("dd.csv: line 3, column \"timestamp\": \"yesterday\" is not a date"),
            "{e}"
        );
        let e = p("timestamp,metric\n").unwrap_err().to_string();
        assert!(e.contains("missing column \"value\""), "{e}");
        let e = p("timestamp,metric,value\n2026-10-01,x\n")
            .unwrap_err()
            .to_string();
        assert_eq!(e, "dd.csv: line 2: 2 fields, the header has 3");
        let e = p(
            "timestamp,metric,value\n2026-10-01,datadog.estimated_usage.logs.ingested_bytes,-4\n",
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("is negative"), "{e}");
        let e =
            p("timestamp,metric,value\n2026-09-01,datadog.estimated_usage.logs.ingested_bytes,4\n")
                .unwrap_err()
                .to_string();
        assert!(
            e.contains("no datadog.estimated_usage.logs.ingested_bytes or"),
            "{e}"
        );
        let e = p("").unwrap_err().to_string();
        assert!(e.contains("empty file"), "{e}");
        let e = p("timestamp,metric,value\n\"2026-10-01,x,1\n")
            .unwrap_err()
            .to_string();
        assert!(e.contains("line 2: a quoted field is not closed"), "{e}");
        assert!(!e.contains('\n'));
    }
}
