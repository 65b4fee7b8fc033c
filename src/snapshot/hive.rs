//! Hive-partitioned copies of the snapshot tables, for organization runs (Athena, Spark, DuckDB).

use std::path::Path;

use polars::prelude::*;

use super::internal;
use crate::error::{Error, Result};

/// Write `df` as Hive-partitioned Parquet under `dir`: `account_id=<a>/region=<r>/part-0.parquet`,
/// the partition columns living in the paths only (as Athena, Spark and DuckDB expect). The
/// folder is built beside `dir` and renamed into place.
pub fn write_hive(df: &DataFrame, dir: &Path) -> Result<()> {
    let out_err = |source| Error::Output {
        path: dir.to_path_buf(),
        source,
    };
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(out_err)?;
    let tmp = tempfile::Builder::new()
        .prefix(".logplan-hive-")
        .tempdir_in(parent)
        .map_err(out_err)?;
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
    let mut keys: Vec<(String, String)> = (0..df.height())
        .map(|i| {
            (
                accounts.get(i).unwrap_or_default().to_string(),
                regions.get(i).unwrap_or_default().to_string(),
            )
        })
        .collect();
    keys.sort();
    keys.dedup();
    for (a, r) in keys {
        let mask: BooleanChunked = (0..df.height())
            .map(|i| accounts.get(i) == Some(a.as_str()) && regions.get(i) == Some(r.as_str()))
            .collect();
        let mut part = df
            .filter(&mask)
            .map(|p| p.drop_many(["account_id", "region"]))
            .map_err(internal)?;
        let folder = tmp
            .path()
            .join(format!("account_id={a}"))
            .join(format!("region={r}"));
        std::fs::create_dir_all(&folder).map_err(out_err)?;
        let mut f = std::fs::File::create(folder.join("part-0.parquet")).map_err(out_err)?;
        ParquetWriter::new(&mut f)
            .finish(&mut part)
            .map_err(internal)?;
    }
    if dir.exists() {
        std::fs::remove_dir_all(dir).map_err(out_err)?;
    }
    let built = tmp.keep();
    std::fs::rename(&built, dir).map_err(|e| {
        let _ = std::fs::remove_dir_all(&built);
        out_err(e)
    })
}
