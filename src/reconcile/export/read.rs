//! Reading a month of an export from where it is: local files, S3 objects (listed, fetched one
//! at a time to a temporary file, read, deleted), or an Athena table (one query, plus one for
//! tags when showback asks for them). Files of other months are recognised by the folders Data
//! Exports writes (`BILLING_PERIOD=YYYY-MM`; legacy CUR's `year=YYYY/month=MM`) and skipped; a
//! file that still holds another month's lines is refused, naming it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::local::{self, format_of};
use super::sql::{self, Partition};
use super::{ExportActuals, FileRead, Kind, SourceCost, TagCounts, check_rows, merge};
use crate::aws::athena::{self, AthenaApi, QueryPlace};
use crate::aws::s3::{self, S3Api};
use crate::error::{Error, Result};
use crate::period::Period;
use crate::progress::Reporter;

/// The month a path's folders say it belongs to, if they say.
fn path_month(path: &str) -> Option<String> {
    let mut year: Option<String> = None;
    for part in path.split(['/', '\\']) {
        let lower = part.to_ascii_lowercase();
        if let Some(m) = lower.strip_prefix("billing_period=") {
            return Some(m.chars().take(7).collect());
        }
        if let Some(y) = lower.strip_prefix("year=") {
            year = Some(y.to_string());
        }
        if let (Some(y), Some(m)) = (&year, lower.strip_prefix("month=")) {
            return Some(format!("{y}-{:0>2}", m));
        }
    }
    None
}

/// Export files among `names` that belong to `month` (by their folders, when those say), and
/// the other months seen.
fn select(names: Vec<String>, month: &str) -> (Vec<String>, Vec<String>) {
    let mut keep = Vec::new();
    let mut others = std::collections::BTreeSet::new();
    for n in names {
        if format_of(&n).is_none() {
            continue;
        }
        match path_month(&n) {
            Some(m) if m != month => {
                others.insert(m);
            }
            _ => keep.push(n),
        }
    }
    keep.sort();
    (keep, others.into_iter().collect())
}

fn none_found(kind: Kind, place: &str, month: &str, others: &[String]) -> Error {
    Error::Input {
        path: PathBuf::from(place),
        message: if others.is_empty() {
            format!(
                "no {} export file (.parquet, .csv, .csv.gz) for {month}",
                kind.label()
            )
        } else {
            format!(
                "no {} export file for {month} (found billing periods {})",
                kind.label(),
                others.join(", ")
            )
        },
    }
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for e in std::fs::read_dir(dir)? {
        let p = e?.path();
        if p.is_dir() {
            walk(&p, out)?;
        } else {
            out.push(p);
        }
    }
    Ok(())
}

fn empty(source: &str, kind: Kind, period: &Period, tag_keys: &[String]) -> ExportActuals {
    ExportActuals {
        schema_version: super::CACHE_SCHEMA,
        fetched_at: chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        source: source.to_string(),
        kind,
        month: period.label(),
        files: Vec::new(),
        cost: SourceCost::default(),
        rows: Vec::new(),
        tag_keys: tag_keys.to_vec(),
        resource_tags: Default::default(),
        has_resource_ids: true,
    }
}

/// Accumulates files into one result, checking each.
struct Acc {
    out: ExportActuals,
    rows: super::Merger,
    tags: TagCounts,
    payers: BTreeMap<String, String>,
}

impl Acc {
    fn add(&mut self, name: &str, bytes: u64, r: local::FileResult) -> Result<()> {
        check_rows(
            name,
            self.out.kind,
            &self.out.month,
            &r.rows,
            &mut self.payers,
        )?;
        self.rows.add(r.rows);
        self.tags.absorb(r.tags);
        self.out.has_resource_ids &= r.has_resource_ids;
        self.out.files.push(FileRead {
            name: name.to_string(),
            bytes,
        });
        Ok(())
    }

    fn finish(mut self) -> ExportActuals {
        self.out.rows = self.rows.finish();
        self.out.resource_tags = self.tags.resolve();
        self.out
    }
}

/// A month of a local export: `root` is a file or a folder searched recursively.
pub fn read_local(
    source: &str,
    kind: Kind,
    root: &Path,
    period: &Period,
    tag_keys: &[String],
    reporter: &Reporter,
) -> Result<ExportActuals> {
    let month = period.label();
    let mut paths = Vec::new();
    if root.is_dir() {
        walk(root, &mut paths).map_err(|e| Error::Input {
            path: root.to_path_buf(),
            message: format!("cannot list the export folder: {e}"),
        })?;
    } else if root.is_file() {
        paths.push(root.to_path_buf());
    } else {
        return Err(Error::Input {
            path: root.to_path_buf(),
            message: "no such file or folder".into(),
        });
    }
    let names: Vec<String> = paths.iter().map(|p| p.display().to_string()).collect();
    let (files, others) = select(names, &month);
    if files.is_empty() {
        return Err(none_found(
            kind,
            &root.display().to_string(),
            &month,
            &others,
        ));
    }
    let mut acc = Acc {
        out: empty(source, kind, period, tag_keys),
        rows: super::Merger::default(),
        tags: TagCounts::default(),
        payers: BTreeMap::new(),
    };
    let bar = reporter.bar(files.len() as u64, "reading the export");
    for f in &files {
        let p = Path::new(f);
        let bytes = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
        let r = local::read_file(p, f, kind, tag_keys)?;
        acc.add(f, bytes, r)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    Ok(acc.finish())
}

/// A month of an export in S3: every object under the prefix is listed, and the month's files
/// are fetched one at a time to a temporary file, read and deleted.
#[allow(clippy::too_many_arguments)]
pub async fn read_s3(
    source: &str,
    kind: Kind,
    api: &impl S3Api,
    bucket: &str,
    prefix: &str,
    period: &Period,
    tag_keys: &[String],
    reporter: &Reporter,
) -> Result<ExportActuals> {
    let month = period.label();
    let (objects, pages) = s3::list_all(api, bucket, prefix).await?;
    let sizes: BTreeMap<String, u64> = objects.iter().map(|o| (o.key.clone(), o.size)).collect();
    let (keys, others) = select(objects.into_iter().map(|o| o.key).collect(), &month);
    let mut cost = SourceCost {
        s3_list_requests: pages,
        ..SourceCost::default()
    };
    let place = format!("s3://{bucket}/{prefix}");
    if keys.is_empty() {
        return Err(none_found(kind, &place, &month, &others));
    }
    let mut acc = Acc {
        out: empty(source, kind, period, tag_keys),
        rows: super::Merger::default(),
        tags: TagCounts::default(),
        payers: BTreeMap::new(),
    };
    let dir = tempfile::Builder::new()
        .prefix(".logplan-s3-")
        .tempdir()
        .map_err(|e| Error::Output {
            path: std::env::temp_dir(),
            source: e,
        })?;
    let bar = reporter.bar(keys.len() as u64, "reading the export from S3");
    for key in &keys {
        let name = format!("s3://{bucket}/{key}");
        // Keep the object's own name: its extension says its format.
        let file = key.rsplit('/').next().unwrap_or("object");
        let dest = dir.path().join(file);
        let bytes = api.get_object_to(bucket, key, &dest).await?;
        cost.s3_get_requests += 1;
        cost.s3_bytes += bytes;
        let read = {
            let (dest, named, keys) = (dest.clone(), name.clone(), tag_keys.to_vec());
            tokio::task::spawn_blocking(move || local::read_file(&dest, &named, kind, &keys))
                .await
                .map_err(|e| Error::Internal(format!("reading {name}: {e}")))??
        };
        let _ = std::fs::remove_file(&dest);
        acc.add(&name, *sizes.get(key).unwrap_or(&bytes), read)?;
        bar.inc(1);
    }
    bar.finish_and_clear();
    cost.cost_usd = s3::requests_cost(cost.s3_list_requests, cost.s3_get_requests);
    let mut out = acc.finish();
    out.cost = cost;
    Ok(out)
}

/// Athena settings in force (`[athena]` in logplan.toml).
#[derive(Clone, Debug, Default)]
pub struct AthenaRun {
    pub workgroup: Option<String>,
    pub output_location: Option<String>,
    pub partition_column: Option<String>,
    pub max_wait: Duration,
}

/// A month of a CUR 2.0 table, aggregated by Athena.
pub async fn read_athena(
    source: &str,
    api: &impl AthenaApi,
    database: &str,
    table: &str,
    period: &Period,
    tag_keys: &[String],
    settings: &AthenaRun,
) -> Result<ExportActuals> {
    let place = QueryPlace {
        database: database.to_string(),
        workgroup: settings.workgroup.clone(),
        output_location: settings.output_location.clone(),
    };
    let partition = Partition {
        column: settings.partition_column.clone(),
    };
    // Quoted: Glue names may hold hyphens, which SQL reads as minus.
    let full = format!("\"{database}\".\"{table}\"");
    let query = sql::reconciliation_query(&full, period, &partition);
    let done = athena::run_query(api, &query, &place, settings.max_wait).await?;
    let mut cost = SourceCost {
        athena_queries: vec![done.id.clone()],
        athena_bytes_scanned: done.bytes_scanned,
        cost_usd: athena::scan_cost(done.bytes_scanned),
        ..SourceCost::default()
    };
    let bad = |id: &str, m: String| Error::Aws {
        operation: athena::RESULTS_ACTION.into(),
        region: None,
        code: "UnexpectedResult".into(),
        message: format!("Athena query {id}: {m}"),
    };
    let mut rows = Vec::with_capacity(done.rows.len());
    for cells in &done.rows {
        rows.push(sql::row_of(cells).map_err(|m| bad(&done.id, m))?);
    }
    let mut out = empty(source, Kind::Cur2, period, tag_keys);
    check_rows(
        &format!("Athena query {}", done.id),
        Kind::Cur2,
        &out.month,
        &rows,
        &mut BTreeMap::new(),
    )?;
    out.rows = merge(rows);
    if !tag_keys.is_empty() {
        let query = sql::tags_query(&full, period, &partition, tag_keys);
        let tags = athena::run_query(api, &query, &place, settings.max_wait).await?;
        let mut counts = TagCounts::default();
        for cells in &tags.rows {
            sql::add_tag_row(&mut counts, tag_keys, cells).map_err(|m| bad(&tags.id, m))?;
        }
        out.resource_tags = counts.resolve();
        cost.athena_queries.push(tags.id.clone());
        cost.athena_bytes_scanned += tags.bytes_scanned;
        cost.cost_usd = cost.cost_usd + athena::scan_cost(tags.bytes_scanned);
    }
    out.cost = cost;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_folders_select_files() {
        let names = vec![
            "x/data/BILLING_PERIOD=2026-10/cur-00001.snappy.parquet".to_string(),
            "x/data/BILLING_PERIOD=2026-09/cur-00001.snappy.parquet".to_string(),
            "x/metadata/BILLING_PERIOD=2026-10/cur-Manifest.json".to_string(),
            "legacy/year=2026/month=10/cur-1.csv.gz".to_string(),
            "legacy/year=2026/month=9/cur-1.csv.gz".to_string(),
            "flat/cur.csv".to_string(),
        ];
        let (keep, others) = select(names, "2026-10");
        assert_eq!(
            keep,
            vec![
                "flat/cur.csv",
                "legacy/year=2026/month=10/cur-1.csv.gz",
                "x/data/BILLING_PERIOD=2026-10/cur-00001.snappy.parquet"
            ]
        );
        assert_eq!(others, vec!["2026-09"]);
        let e = none_found(Kind::Cur2, "s3://b/p", "2026-11", &others).to_string();
        assert_eq!(
            e,
            "s3://b/p: no CUR 2.0 export file for 2026-11 (found billing periods 2026-09)"
        );
    }
}
