//! The snapshot: the contract between `sample` and every later stage. One row per
//! (account, region, log group) in `snapshot.parquet` (or `.csv`), the daily series in
//! `daily.parquet`, and one row per subscription filter in `filters.parquet`. All three (and
//! their Hive-partitioned copies) are written as one unit (`write.rs`), so a failed or killed run
//! leaves the previous snapshot whole.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use polars::prelude::*;

use crate::error::{Error, Result};

/// One row of `snapshot.parquet`. Column order and names are the documented schema.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct SnapshotRow {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub log_group_class: Option<String>,
    pub retention_days: Option<i32>,
    pub stored_bytes: Option<u64>,
    /// Epoch milliseconds, UTC.
    pub created_at_ms: Option<i64>,
    pub period_start: NaiveDate,
    /// Exclusive.
    pub period_end: NaiveDate,
    pub incoming_bytes: u64,
    pub incoming_events: u64,
    pub forwarded_bytes: Option<u64>,
    pub forwarded_events: Option<u64>,
    /// What the filters that reach Datadog forwarded; `None` when a filter's reach or volume is
    /// unknown.
    pub datadog_forwarded_bytes: Option<u64>,
    pub datadog_forwarded_events: Option<u64>,
    pub subscription_destination: Option<String>,
    pub destination_kind: Option<String>,
    pub datadog_forwarder: Option<bool>,
    pub sampled_events: Option<u64>,
    pub sampled_bytes: Option<u64>,
    pub gzip_ratio: Option<f64>,
    /// AWS answered ResourceNotFound for the group after it was listed.
    pub deleted_during_run: bool,
    /// What produces the group's logs (README, "Log sources"); `None` when AWS did not say.
    pub source: Option<String>,
    /// `aws` when an AWS API said so.
    pub source_basis: Option<String>,
    /// `custom`, `vended:<ladder>` or `delivery`.
    pub billing_class: Option<String>,
    /// Inspected WAF requests in the period of the web ACLs logging to the group.
    pub waf_requests: Option<u64>,
    /// The sampled events as the Datadog Forwarder would send them: JSON bytes, and gzip bytes.
    pub datadog_envelope_bytes: Option<u64>,
    pub datadog_envelope_gzip_bytes: Option<u64>,
}

/// One row of `filters.parquet`: a subscription filter of a log group.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct FilterRow {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub filter_name: String,
    /// `group`, `account_policy` or `metrics`.
    pub origin: String,
    pub policy_name: Option<String>,
    pub destination_type: Option<String>,
    pub destination_arn: Option<String>,
    pub destination_kind: Option<String>,
    pub datadog: Option<bool>,
    pub forwarded_bytes: Option<u64>,
    pub forwarded_events: Option<u64>,
    pub silent_two_weeks: Option<bool>,
}

/// The filters columns, in order.
pub const FILTER_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "filter_name",
    "origin",
    "policy_name",
    "destination_type",
    "destination_arn",
    "destination_kind",
    "datadog",
    "forwarded_bytes",
    "forwarded_events",
    "silent_two_weeks",
];

/// One row of `daily.parquet`.
#[derive(Clone, Debug, PartialEq)]
pub struct DailyRow {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub day: NaiveDate,
    pub incoming_bytes: u64,
    pub incoming_events: u64,
}

/// The snapshot columns, in order.
pub const SNAPSHOT_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "log_group_class",
    "retention_days",
    "stored_bytes",
    "created_at",
    "period_start",
    "period_end",
    "incoming_bytes",
    "incoming_events",
    "forwarded_bytes",
    "forwarded_events",
    "datadog_forwarded_bytes",
    "datadog_forwarded_events",
    "subscription_destination",
    "destination_kind",
    "datadog_forwarder",
    "sampled_events",
    "sampled_bytes",
    "gzip_ratio",
    "deleted_during_run",
    "source",
    "source_basis",
    "billing_class",
    "waf_requests",
    "datadog_envelope_bytes",
    "datadog_envelope_gzip_bytes",
];

/// The daily columns, in order.
pub const DAILY_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "day",
    "incoming_bytes",
    "incoming_events",
];

/// The file format of the snapshot tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Parquet,
    Csv,
}

impl Format {
    pub fn extension(self) -> &'static str {
        match self {
            Format::Parquet => "parquet",
            Format::Csv => "csv",
        }
    }
}

fn days_since_epoch(d: NaiveDate) -> i32 {
    (d - NaiveDate::from_ymd_opt(1970, 1, 1).expect("epoch")).num_days() as i32
}

fn internal(e: PolarsError) -> Error {
    Error::Internal(format!("building the snapshot table: {e}"))
}

fn col<T, I>(name: &str, values: I) -> Column
where
    I: IntoIterator<Item = T>,
    Series: NamedFrom<Vec<T>, [T]>,
{
    Column::new(name.into(), values.into_iter().collect::<Vec<T>>())
}

fn date_col(name: &str, values: impl Iterator<Item = NaiveDate>) -> Result<Column> {
    col(name, values.map(days_since_epoch))
        .cast(&DataType::Date)
        .map_err(internal)
}

/// The snapshot as a table.
pub fn snapshot_frame(rows: &[SnapshotRow]) -> Result<DataFrame> {
    let r = rows;
    let created = col("created_at", r.iter().map(|x| x.created_at_ms))
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))
        .map_err(internal)?;
    let columns = vec![
        col("account_id", r.iter().map(|x| x.account_id.as_str())),
        col("region", r.iter().map(|x| x.region.as_str())),
        col("log_group", r.iter().map(|x| x.log_group.as_str())),
        col(
            "log_group_class",
            r.iter().map(|x| x.log_group_class.as_deref()),
        ),
        col("retention_days", r.iter().map(|x| x.retention_days)),
        col("stored_bytes", r.iter().map(|x| x.stored_bytes)),
        created,
        date_col("period_start", r.iter().map(|x| x.period_start))?,
        date_col("period_end", r.iter().map(|x| x.period_end))?,
        col("incoming_bytes", r.iter().map(|x| x.incoming_bytes)),
        col("incoming_events", r.iter().map(|x| x.incoming_events)),
        col("forwarded_bytes", r.iter().map(|x| x.forwarded_bytes)),
        col("forwarded_events", r.iter().map(|x| x.forwarded_events)),
        col(
            "datadog_forwarded_bytes",
            r.iter().map(|x| x.datadog_forwarded_bytes),
        ),
        col(
            "datadog_forwarded_events",
            r.iter().map(|x| x.datadog_forwarded_events),
        ),
        col(
            "subscription_destination",
            r.iter().map(|x| x.subscription_destination.as_deref()),
        ),
        col(
            "destination_kind",
            r.iter().map(|x| x.destination_kind.as_deref()),
        ),
        col("datadog_forwarder", r.iter().map(|x| x.datadog_forwarder)),
        col("sampled_events", r.iter().map(|x| x.sampled_events)),
        col("sampled_bytes", r.iter().map(|x| x.sampled_bytes)),
        col("gzip_ratio", r.iter().map(|x| stored_ratio(x.gzip_ratio))),
        col("deleted_during_run", r.iter().map(|x| x.deleted_during_run)),
        col("source", r.iter().map(|x| x.source.as_deref())),
        col("source_basis", r.iter().map(|x| x.source_basis.as_deref())),
        col(
            "billing_class",
            r.iter().map(|x| x.billing_class.as_deref()),
        ),
        col("waf_requests", r.iter().map(|x| x.waf_requests)),
        col(
            "datadog_envelope_bytes",
            r.iter().map(|x| x.datadog_envelope_bytes),
        ),
        col(
            "datadog_envelope_gzip_bytes",
            r.iter().map(|x| x.datadog_envelope_gzip_bytes),
        ),
    ];
    DataFrame::new_infer_height(columns).map_err(internal)
}

/// The gzip ratio as the snapshot keeps it: at least 1 (a sample too small for gzip to shrink,
/// its header outweighing the savings, is stored as 1, no compression), and never NaN or
/// infinite. The reader refuses anything else, so `sample`'s output always reads back.
fn stored_ratio(r: Option<f64>) -> Option<f64> {
    r.filter(|r| r.is_finite()).map(|r| r.max(1.0))
}

/// The filters as a table.
pub fn filters_frame(rows: &[FilterRow]) -> Result<DataFrame> {
    let r = rows;
    let columns = vec![
        col("account_id", r.iter().map(|x| x.account_id.as_str())),
        col("region", r.iter().map(|x| x.region.as_str())),
        col("log_group", r.iter().map(|x| x.log_group.as_str())),
        col("filter_name", r.iter().map(|x| x.filter_name.as_str())),
        col("origin", r.iter().map(|x| x.origin.as_str())),
        col("policy_name", r.iter().map(|x| x.policy_name.as_deref())),
        col(
            "destination_type",
            r.iter().map(|x| x.destination_type.as_deref()),
        ),
        col(
            "destination_arn",
            r.iter().map(|x| x.destination_arn.as_deref()),
        ),
        col(
            "destination_kind",
            r.iter().map(|x| x.destination_kind.as_deref()),
        ),
        col("datadog", r.iter().map(|x| x.datadog)),
        col("forwarded_bytes", r.iter().map(|x| x.forwarded_bytes)),
        col("forwarded_events", r.iter().map(|x| x.forwarded_events)),
        col("silent_two_weeks", r.iter().map(|x| x.silent_two_weeks)),
    ];
    DataFrame::new_infer_height(columns).map_err(internal)
}

/// The three tables of one sampling run.
pub struct Tables {
    pub snapshot: DataFrame,
    pub daily: DataFrame,
    pub filters: DataFrame,
}

impl Tables {
    pub fn build(
        rows: &[SnapshotRow],
        daily: &[DailyRow],
        filters: &[FilterRow],
    ) -> Result<Tables> {
        Ok(Tables {
            snapshot: snapshot_frame(rows)?,
            daily: daily_frame(daily)?,
            filters: filters_frame(filters)?,
        })
    }
}

/// The daily series as a table.
pub fn daily_frame(rows: &[DailyRow]) -> Result<DataFrame> {
    let r = rows;
    let columns = vec![
        col("account_id", r.iter().map(|x| x.account_id.as_str())),
        col("region", r.iter().map(|x| x.region.as_str())),
        col("log_group", r.iter().map(|x| x.log_group.as_str())),
        date_col("day", r.iter().map(|x| x.day))?,
        col("incoming_bytes", r.iter().map(|x| x.incoming_bytes)),
        col("incoming_events", r.iter().map(|x| x.incoming_events)),
    ];
    DataFrame::new_infer_height(columns).map_err(internal)
}

/// Where a snapshot goes: `snapshot.<ext>`, `daily.<ext>` and `filters.<ext>` in one folder.
#[derive(Clone, Debug)]
pub struct Destination {
    pub snapshot: PathBuf,
    pub daily: PathBuf,
    pub filters: PathBuf,
    pub format: Format,
    /// The folder is logplan's (`<reports-dir>/<YYYY-MM>/`), not one the user named.
    pub own_folder: bool,
}

impl Destination {
    /// The three tables in `dir`, in `format`.
    pub fn in_dir(dir: &Path, format: Format) -> Destination {
        let ext = format.extension();
        Destination {
            snapshot: dir.join(format!("snapshot.{ext}")),
            daily: dir.join(format!("daily.{ext}")),
            filters: dir.join(format!("filters.{ext}")),
            format,
            own_folder: true,
        }
    }
}

impl Destination {
    /// `--out FILE` names the snapshot file (its extension decides the format unless `format`
    /// is given); otherwise `<root>/<label>/snapshot.<ext>`. The daily table goes beside it.
    pub fn resolve(
        out: Option<&Path>,
        format: Option<Format>,
        root: &Path,
        label: &str,
    ) -> Result<Destination> {
        let (snapshot, format) = match out {
            Some(p) => {
                let from_ext = match p.extension().and_then(|e| e.to_str()) {
                    Some("parquet") => Some(Format::Parquet),
                    Some("csv") => Some(Format::Csv),
                    _ => None,
                };
                let format = match (format, from_ext) {
                    (Some(f), Some(e)) if f != e => {
                        return Err(Error::Usage(format!(
                            "--out {} has a .{} extension but --format is {}",
                            p.display(),
                            e.extension(),
                            f.extension()
                        )));
                    }
                    (Some(f), _) => f,
                    (None, Some(e)) => e,
                    (None, None) => Format::Parquet,
                };
                (p.to_path_buf(), format)
            }
            None => {
                let f = format.unwrap_or(Format::Parquet);
                (
                    root.join(label).join(format!("snapshot.{}", f.extension())),
                    f,
                )
            }
        };
        let dir = snapshot.parent().map(Path::to_path_buf).unwrap_or_default();
        let daily = dir.join(format!("daily.{}", format.extension()));
        let filters = dir.join(format!("filters.{}", format.extension()));
        for (other, what) in [(&daily, "daily"), (&filters, "filters")] {
            if *other == snapshot {
                return Err(Error::Usage(format!(
                    "--out {} would be overwritten by the {what} table; choose another file name",
                    snapshot.display()
                )));
            }
        }
        Ok(Destination {
            snapshot,
            daily,
            filters,
            format,
            own_folder: out.is_none(),
        })
    }
}

mod check;
mod write;
pub use write::{HIVE_DIRS, write_hive};

#[cfg(test)]
mod tests;

mod input;
use input::parse_count;
pub use input::{GroupInput, REQUIRED_COLUMNS, read, read_with_period};

/// A table file as a frame: CSV (by extension; every column as text, so CSV and Parquet go
/// through the same cell checks) or Parquet. Also says whether it was CSV (rows are then lines).
fn read_frame(path: &Path, what: &str) -> Result<(DataFrame, bool)> {
    let is_csv = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv"));
    if is_csv {
        // Header and line lengths first, so errors give the line.
        check::csv_shape(path)?;
    }
    let df = if is_csv {
        CsvReadOptions::default()
            .with_has_header(true)
            .with_infer_schema_length(Some(0))
            .try_into_reader_with_file_path(Some(path.to_path_buf()))
            .and_then(|r| r.finish())
    } else {
        std::fs::File::open(path)
            .map_err(PolarsError::from)
            .and_then(|f| ParquetReader::new(f).finish())
    }
    .map_err(|e| Error::Input {
        path: path.to_path_buf(),
        message: format!("cannot read {what}: {}", e.to_string().replace('\n', " ")),
    })?;
    Ok((df, is_csv))
}

/// Read a daily table (`daily.parquet`, or CSV by extension) written by `sample`: what the
/// query library's cost plan reads for the bytes inside each scheduled run's window. Errors name
/// the file, the row (CSV: the line) and the column.
pub fn read_daily(path: &Path) -> Result<Vec<DailyRow>> {
    let input_err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let (df, is_csv) = read_frame(path, "the daily table")?;
    let col = |name: &str| -> Result<StringChunked> {
        let c = df
            .column(name)
            .map_err(|_| input_err(format!("missing required column {name:?}")))?;
        let s = c
            .cast(&DataType::String)
            .map_err(|e| input_err(format!("column {name:?}: {e}")))?;
        Ok(s.str().map_err(internal)?.clone())
    };
    let (a, r, g, d, b) = (
        col("account_id")?,
        col("region")?,
        col("log_group")?,
        col("day")?,
        col("incoming_bytes")?,
    );
    let events = col("incoming_events").ok();
    let row_name = |i: usize| {
        if is_csv {
            format!("line {}", i + 2)
        } else {
            format!("row {}", i + 1)
        }
    };
    let mut out = Vec::with_capacity(df.height());
    for i in 0..df.height() {
        let text = |c: &StringChunked, name: &str| -> Result<String> {
            c.get(i)
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .ok_or_else(|| input_err(format!("{}, column {name}: empty", row_name(i))))
        };
        let day = text(&d, "day")?;
        let day = NaiveDate::parse_from_str(&day, "%Y-%m-%d").map_err(|_| {
            input_err(format!(
                "{}, column day: {day:?} is not YYYY-MM-DD",
                row_name(i)
            ))
        })?;
        let bytes = text(&b, "incoming_bytes")?;
        let incoming_bytes = parse_count(&bytes).ok_or_else(|| {
            input_err(format!(
                "{}, column incoming_bytes: {bytes:?} is not a whole, non-negative number",
                row_name(i)
            ))
        })?;
        out.push(DailyRow {
            account_id: text(&a, "account_id")?,
            region: text(&r, "region")?,
            log_group: text(&g, "log_group")?,
            day,
            incoming_bytes,
            incoming_events: events
                .as_ref()
                .and_then(|e| e.get(i))
                .and_then(|s| parse_count(s.trim()))
                .unwrap_or(0),
        });
    }
    Ok(out)
}
