//! The snapshot: the contract between `sample` and every later stage. One row per
//! (account, region, log group) in `snapshot.parquet` (or `.csv`), and the daily series in
//! `daily.parquet`. Both are written atomically: temporary files in the target folder, renamed
//! into place only when both are complete, so a failed run leaves nothing half-written.

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
    pub subscription_destination: Option<String>,
    pub destination_kind: Option<String>,
    pub datadog_forwarder: Option<bool>,
    pub sampled_events: Option<u64>,
    pub sampled_bytes: Option<u64>,
    pub gzip_ratio: Option<f64>,
}

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
    "subscription_destination",
    "destination_kind",
    "datadog_forwarder",
    "sampled_events",
    "sampled_bytes",
    "gzip_ratio",
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

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
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
        col("gzip_ratio", r.iter().map(|x| x.gzip_ratio)),
    ];
    DataFrame::new_infer_height(columns).map_err(internal)
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

/// Where a snapshot goes: `snapshot.<ext>` and `daily.<ext>` in one folder.
#[derive(Clone, Debug)]
pub struct Destination {
    pub snapshot: PathBuf,
    pub daily: PathBuf,
    pub format: Format,
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
        if daily == snapshot {
            return Err(Error::Usage(format!(
                "--out {} would be overwritten by the daily table; choose another file name",
                snapshot.display()
            )));
        }
        Ok(Destination {
            snapshot,
            daily,
            format,
        })
    }

    /// Write both tables atomically (temp files renamed into place).
    pub fn write(&self, snapshot: &mut DataFrame, daily: &mut DataFrame) -> Result<()> {
        let dir = self
            .snapshot
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir).map_err(|source| Error::Output {
            path: dir.to_path_buf(),
            source,
        })?;
        let a = write_temp(dir, &self.snapshot, snapshot, self.format)?;
        let b = write_temp(dir, &self.daily, daily, self.format)?;
        a.persist(&self.snapshot).map_err(|e| Error::Output {
            path: self.snapshot.clone(),
            source: e.error,
        })?;
        b.persist(&self.daily).map_err(|e| Error::Output {
            path: self.daily.clone(),
            source: e.error,
        })?;
        Ok(())
    }
}

fn write_temp(
    dir: &Path,
    target: &Path,
    df: &mut DataFrame,
    format: Format,
) -> Result<tempfile::NamedTempFile> {
    let out_err = |source| Error::Output {
        path: target.to_path_buf(),
        source,
    };
    let mut tmp = tempfile::Builder::new()
        .prefix(".logplan-")
        .suffix(".tmp")
        .tempfile_in(dir)
        .map_err(out_err)?;
    let file = tmp.as_file_mut();
    let r = match format {
        Format::Parquet => ParquetWriter::new(&mut *file).finish(df).map(|_| ()),
        Format::Csv => CsvWriter::new(&mut *file).include_header(true).finish(df),
    };
    r.map_err(|e| match e {
        PolarsError::IO { error, .. } => {
            out_err(std::io::Error::new(error.kind(), error.to_string()))
        }
        other => internal(other),
    })?;
    file.sync_all().map_err(out_err)?;
    Ok(tmp)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str) -> SnapshotRow {
        SnapshotRow {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            log_group: name.into(),
            period_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            period_end: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            incoming_bytes: 42,
            ..SnapshotRow::default()
        }
    }

    #[test]
    fn schema_is_the_documented_one() {
        let df = snapshot_frame(&[row("/a"), row("/b")]).unwrap();
        let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, SNAPSHOT_COLUMNS);
        assert_eq!(df.height(), 2);
        assert_eq!(df.column("period_start").unwrap().dtype(), &DataType::Date);
        assert_eq!(
            df.column("incoming_bytes").unwrap().dtype(),
            &DataType::UInt64
        );
        assert_eq!(df.column("forwarded_bytes").unwrap().null_count(), 2);
        let d = daily_frame(&[]).unwrap();
        let names: Vec<&str> = d.get_column_names().iter().map(|s| s.as_str()).collect();
        assert_eq!(names, DAILY_COLUMNS);
    }

    #[test]
    fn destination_rules() {
        let d = Destination::resolve(None, None, Path::new("reports"), "2026-10").unwrap();
        assert_eq!(d.snapshot, Path::new("reports/2026-10/snapshot.parquet"));
        assert_eq!(d.daily, Path::new("reports/2026-10/daily.parquet"));
        let d =
            Destination::resolve(Some(Path::new("x/s.csv")), None, Path::new("r"), "l").unwrap();
        assert_eq!(d.format, Format::Csv);
        assert_eq!(d.daily, Path::new("x/daily.csv"));
        assert!(
            Destination::resolve(
                Some(Path::new("x/s.csv")),
                Some(Format::Parquet),
                Path::new("r"),
                "l"
            )
            .is_err()
        );
        assert!(
            Destination::resolve(
                Some(Path::new("x/daily.parquet")),
                None,
                Path::new("r"),
                "l"
            )
            .is_err()
        );
    }

    #[test]
    fn write_is_atomic_and_leaves_no_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        let d = Destination::resolve(None, None, dir.path(), "2026-10").unwrap();
        let mut s = snapshot_frame(&[row("/a")]).unwrap();
        let mut daily = daily_frame(&[]).unwrap();
        d.write(&mut s, &mut daily).unwrap();
        let names: Vec<String> = std::fs::read_dir(dir.path().join("2026-10"))
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        let mut names = names;
        names.sort();
        assert_eq!(names, vec!["daily.parquet", "snapshot.parquet"]);
        let back = ParquetReader::new(std::fs::File::open(&d.snapshot).unwrap())
            .finish()
            .unwrap();
        assert_eq!(back.height(), 1);
        assert_eq!(
            back.column("incoming_bytes").unwrap().u64().unwrap().get(0),
            Some(42)
        );
    }
}
