//! Writing a snapshot as one unit: the three tables and, for an organization, their
//! Hive-partitioned copies are all written into a staging folder first. When the destination
//! folder is logplan's own (the default `<reports-dir>/<YYYY-MM>/`, or an `--out` folder that is
//! new or holds nothing but snapshot tables), the staged folder replaces it in one atomic
//! exchange ([`crate::atomic::StagedDir`]): a reader or a crash sees the old snapshot or the new
//! one, never a mix. An `--out` file in a folder of the user's (say the working directory) is
//! never swapped as a folder: the complete files are renamed in one after another, each rename
//! atomic, as the README says.

use std::collections::BTreeMap;
use std::path::Path;

use polars::prelude::*;

use super::{Destination, Format, Tables, internal};
use crate::atomic::{StagedDir, crash_point, replace_dir};
use crate::error::{Error, Result};

/// The Hive-partitioned copies of the tables, folders beside them.
pub const HIVE_DIRS: &[&str] = &["snapshot", "daily", "filters"];

impl Tables {
    /// Write the tables to `dest` as one unit, with their Hive-partitioned copies (`snapshot/`,
    /// `daily/`, `filters/`) when the run covered several accounts.
    pub fn write(&mut self, dest: &Destination, hive: bool) -> Result<()> {
        let dir = dest.folder();
        if owned(dest, &dir) {
            let stage = StagedDir::new(&dir)?;
            self.write_into(stage.path(), dest, hive)?;
            crash_point("snapshot-staged");
            // Old Hive copies never outlive the tables they were cut from.
            stage.commit(HIVE_DIRS)?;
            return Ok(());
        }
        let out_err = |source| Error::Output {
            path: dir.clone(),
            source,
        };
        let stage = tempfile::Builder::new()
            .prefix(".logplan-snapshot-")
            .tempdir_in(&dir)
            .map_err(out_err)?;
        let names = self.write_into(stage.path(), dest, hive)?;
        crash_point("snapshot-staged");
        for name in names {
            let (from, to) = (stage.path().join(&name), dir.join(&name));
            if from.is_dir() {
                replace_dir(&from, &to)?;
            } else {
                std::fs::rename(&from, &to).map_err(|source| Error::Output { path: to, source })?;
            }
        }
        Ok(())
    }

    /// Write the tables (named as in `dest`) and, when `hive`, the Hive copies into `dir`, a
    /// folder no one else sees yet. Returns the names written.
    pub fn write_into(
        &mut self,
        dir: &Path,
        dest: &Destination,
        hive: bool,
    ) -> Result<Vec<String>> {
        let mut names = Vec::new();
        for (target, df) in [
            (&dest.snapshot, &mut self.snapshot),
            (&dest.daily, &mut self.daily),
            (&dest.filters, &mut self.filters),
        ] {
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            write_table(&dir.join(&name), target, df, dest.format)?;
            names.push(name);
        }
        if hive {
            write_hive(&self.snapshot, &dir.join("snapshot"))?;
            write_hive(&self.daily, &dir.join("daily"))?;
            write_hive(&self.filters, &dir.join("filters"))?;
            names.extend(HIVE_DIRS.iter().map(|s| s.to_string()));
        }
        Ok(names)
    }
}

impl Destination {
    /// The folder the tables go in.
    pub fn folder(&self) -> std::path::PathBuf {
        self.snapshot
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }
}

/// Whether `dir` may be swapped as a whole: logplan's own month folder (the default
/// destination), a folder that does not exist yet, or one holding nothing but snapshot tables,
/// their Hive copies and hidden files. Never the working directory: a shell sitting in it
/// would be left in the old one.
fn owned(dest: &Destination, dir: &Path) -> bool {
    if dir == Path::new(".") || dir == Path::new("") {
        return false;
    }
    if let (Ok(cwd), Ok(d)) = (std::env::current_dir(), dir.canonicalize())
        && cwd.starts_with(&d)
    {
        return false;
    }
    if dest.own_folder {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dir) else {
        return !dir.exists();
    };
    let snapshot_name = dest.snapshot.file_name();
    entries.flatten().all(|e| {
        let name = e.file_name();
        let n = name.to_string_lossy();
        Some(name.as_os_str()) == snapshot_name
            || n.starts_with('.')
            || HIVE_DIRS.contains(&n.as_ref())
            || OWN_FILES.contains(&n.as_ref())
    })
}

/// The tables' file names in either format.
const OWN_FILES: &[&str] = &[
    "snapshot.parquet",
    "snapshot.csv",
    "daily.parquet",
    "daily.csv",
    "filters.parquet",
    "filters.csv",
];

/// One table into `path` (shown to the user as `target`), flushed to disk.
fn write_table(path: &Path, target: &Path, df: &mut DataFrame, format: Format) -> Result<()> {
    let out_err = |source| Error::Output {
        path: target.to_path_buf(),
        source,
    };
    let file = crate::atomic::PolarsOut::write_file(path, target, |out| match format {
        Format::Parquet => ParquetWriter::new(out).finish(df).map(drop),
        Format::Csv => CsvWriter::new(out).include_header(true).finish(df),
    })?;
    file.sync_all().map_err(out_err)
}

/// Write `df` as Hive-partitioned Parquet under `dir`: `account_id=<a>/region=<r>/part-0.parquet`,
/// the partition columns living in the paths only (as Athena, Spark and DuckDB expect). The
/// folder is built beside `dir` and put in place in one step.
pub fn write_hive(df: &DataFrame, dir: &Path) -> Result<()> {
    let out_err = |source| Error::Output {
        path: dir.to_path_buf(),
        source,
    };
    let stage = StagedDir::new(dir)?;
    let accounts = df
        .column("account_id")
        .map_err(internal)?
        .str()
        .map_err(internal)?
        .clone();
    let regions = df
        .column("region")
        .map_err(internal)?
        .str()
        .map_err(internal)?
        .clone();
    // One pass: each row's partition, rows kept in their order (as a filter keeps them).
    let mut parts: BTreeMap<(&str, &str), Vec<IdxSize>> = BTreeMap::new();
    for (i, (a, r)) in accounts.iter().zip(regions.iter()).enumerate() {
        parts
            .entry((a.unwrap_or_default(), r.unwrap_or_default()))
            .or_default()
            .push(i as IdxSize);
    }
    for ((a, r), rows) in parts {
        let rows = IdxCa::from_vec("rows".into(), rows);
        let mut part = df
            .take(&rows)
            .map(|p| p.drop_many(["account_id", "region"]))
            .map_err(internal)?;
        let folder = stage
            .path()
            .join(format!("account_id={a}"))
            .join(format!("region={r}"));
        std::fs::create_dir_all(&folder).map_err(out_err)?;
        crate::atomic::PolarsOut::write_file(&folder.join("part-0.parquet"), dir, |f| {
            ParquetWriter::new(f).finish(&mut part).map(drop)
        })?;
    }
    // Nothing of an older copy is carried over: the partitions are this table's, whole.
    let old: Vec<String> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect(),
        Err(_) => Vec::new(),
    };
    let old: Vec<&str> = old.iter().map(String::as_str).collect();
    stage.commit(&old)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk under a table too big for the 1 MiB buffer: polars itself sees the failed
    /// write, and it is still one output error naming the file the user asked for.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_inside_polars_names_the_table() {
        // 200,000 rows of 16 pseudo-random hex digits: about 3.2 MB that zstd cannot shrink
        // below 1 MiB (16 hex digits hold 8 random bytes: at least 1.6 MB of entropy).
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let cells: Vec<String> = (0..200_000)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                format!("{x:016x}")
            })
            .collect();
        let mut df = df!("log_group" => cells).unwrap();
        let target = Path::new("snapshot.parquet");
        crate::atomic::assert_full_disk(
            write_table(Path::new("/dev/full"), target, &mut df, Format::Parquet),
            target,
        );
    }
}
