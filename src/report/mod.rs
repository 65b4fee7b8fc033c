//! report: renders the model for finance/ops into `reports/<YYYY-MM>/`: `summary.md`,
//! `report.html` (charts as inline SVG), `log_groups.csv`, `components.csv`,
//! `log_groups.parquet` and `report.json`, plus `reconciliation.csv` when the model was
//! reconciled with the bill. The folder is written atomically: every file goes to a temporary
//! folder beside it, which replaces the old one only when all are complete; files of the old
//! folder that this run does not write (a snapshot, cached actuals) are carried over, except an
//! old `reconciliation.csv`, which belongs to the model of the run that wrote it.
//!
//! Everything a page shows comes from one [`ReportData`] (`data.rs`, also `report.json`). The
//! pages are templates under `templates/`, checked when the crate compiles (askama) and
//! escaped by the engine: `report.html` (with `html/*.html` and `charts/*.html`) over
//! [`html::Page`], `summary.md` over [`markdown::Summary`]. Numbers are written by
//! [`crate::format`], the charts' geometry comes from [`charts`], the choice of log groups a
//! page lists from [`select`], and the tables (CSV, Parquet) from [`tables`].
//!
//! # Adding a section
//! 1. Put its data in [`ReportData`] (a field, filled in `ReportData::build` or by the command
//!    that has it, e.g. `data.actuals`); it reaches `report.json` by itself.
//! 2. Write the section as one template block: a file `templates/html/<name>.html` included
//!    from `templates/report.html` where it belongs (`{% include "html/<name>.html" -%}`),
//!    and the lines in `templates/summary.md`. Wrap it in `{% if let Some(x) = d.<field> -%}`
//!    ... `{% endif -%}` when it is optional. Values are written `{{ crate::format::usd(m) }}`
//!    and friends; never build markup in Rust.
//! 3. If a cell needs more than formatting (a choice, a sum), add a field or method to
//!    [`html::Page`] / [`markdown::Summary`] that returns plain values, and use it there.
//! 4. Extend the renderers' tests (`html/tests.rs`, `tests/report.rs`).
//!
//! Whitespace in templates: every block tag sits on its own line and ends with `-%}`, so it
//! leaves no trace; text lines keep their newline. Askama drops a file's final newline, hence
//! the comment line that ends the files whose last line is text.

pub mod billing_files;
pub mod charts;
pub mod data;
pub mod html;
pub mod markdown;
pub mod select;
pub mod style;
pub mod tables;

use std::path::{Path as FsPath, PathBuf};

use crate::error::{Error, Result};
use data::{Previous, ReportData};

/// The files a report consists of.
pub const REPORT_FILES: &[&str] = &[
    "summary.md",
    "report.html",
    "log_groups.csv",
    "components.csv",
    "log_groups.parquet",
    "report.json",
    "focus.csv",
    "focus.parquet",
];

/// Files that describe one run's model: never carried over from an earlier run.
pub const RUN_FILES: &[&str] = &["reconciliation.csv"];

/// Read the previous month's totals from `<root>/<previous month>/report.json`, if present.
pub fn previous(root: &FsPath, month: &str) -> Option<Previous> {
    let (y, m) = month.split_once('-')?;
    let (y, m): (i32, u32) = (y.parse().ok()?, m.parse().ok()?);
    if month.len() != 7 {
        return None;
    }
    let (py, pm) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    let label = format!("{py:04}-{pm:02}");
    // Only the totals: the groups (most of the file) are skipped, not built into a tree.
    #[derive(serde::Deserialize)]
    struct Totals {
        today_total_usd: String,
        paths: Vec<PathLine>,
    }
    #[derive(serde::Deserialize)]
    struct PathLine {
        path: String,
        total_usd: Option<String>,
    }
    let bytes = std::fs::read(root.join(&label).join("report.json")).ok()?;
    let v: Totals = serde_json::from_slice(&bytes).ok()?;
    Some(Previous {
        month: label,
        today_total_usd: v.today_total_usd,
        path_totals: v
            .paths
            .into_iter()
            .filter_map(|p| Some((p.path, p.total_usd?)))
            .collect(),
    })
}

/// Write every report file for `data` (with the model's lines for components.csv) into
/// `dir`, atomically. Extra files (e.g. a snapshot sampled in the same run) are written too.
pub fn write(
    dir: &FsPath,
    data: &ReportData,
    model: &crate::model::Model,
    extra: &mut dyn FnMut(&FsPath) -> Result<()>,
) -> Result<()> {
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(FsPath::new("."));
    std::fs::create_dir_all(parent).map_err(|source| Error::Output {
        path: parent.to_path_buf(),
        source,
    })?;
    let tmp = tempfile::Builder::new()
        .prefix(".logplan-report-")
        .tempdir_in(parent)
        .map_err(|source| Error::Output {
            path: parent.to_path_buf(),
            source,
        })?;
    let t = tmp.path();
    let put = |name: &str, bytes: &[u8]| -> Result<()> {
        std::fs::write(t.join(name), bytes).map_err(|source| Error::Output {
            path: dir.join(name),
            source,
        })
    };
    // components.csv is most of the bytes: it streams on its own thread while the rest renders.
    let components = t.join("components.csv");
    std::thread::scope(|scope| -> Result<()> {
        let big = scope.spawn(|| -> Result<()> {
            let out_err = |source| Error::Output {
                path: dir.join("components.csv"),
                source,
            };
            let mut f = std::fs::File::create(&components).map_err(out_err)?;
            tables::write_components_csv(model, &mut f).map_err(out_err)
        });
        put("summary.md", markdown::render(data)?.as_bytes())?;
        put("report.html", html::render(data)?.as_bytes())?;
        put("log_groups.csv", tables::log_groups_csv(data).as_bytes())?;
        tables::write_log_groups_parquet(data, &t.join("log_groups.parquet")).map_err(
            |e| match e {
                Error::Output { source, .. } => Error::Output {
                    path: dir.join("log_groups.parquet"),
                    source,
                },
                other => other,
            },
        )?;
        write_json(data, &t.join("report.json"), &dir.join("report.json"))?;
        if let Some(csv) = tables::reconciliation_csv(data) {
            put("reconciliation.csv", csv.as_bytes())?;
        }
        big.join()
            .map_err(|_| Error::Internal("writing components.csv panicked".into()))?
    })?;
    // Organizations: the table partitioned by account and region, for Athena, Spark, DuckDB.
    if data.accounts.len() > 1 {
        crate::snapshot::write_hive(&tables::log_groups_frame(data)?, &t.join("log_groups"))?;
    }
    // The reconciliation's own files: per-group CSV, showback, the FOCUS export.
    billing_files::write(t, dir, data, model)?;
    extra(t)?;

    carry_over(dir, t)?;
    swap_into_place(tmp, dir)
}

/// report.json, streamed: for 100,000 groups it is tens of megabytes, never held whole.
fn write_json(data: &ReportData, tmp: &FsPath, path: &FsPath) -> Result<()> {
    use std::io::Write;
    let out_err = |source| Error::Output {
        path: path.to_path_buf(),
        source,
    };
    let mut w =
        std::io::BufWriter::with_capacity(1 << 20, std::fs::File::create(tmp).map_err(out_err)?);
    serde_json::to_writer_pretty(&mut w, data).map_err(|e| match e.io_error_kind() {
        Some(_) => out_err(e.into()),
        None => Error::Internal(format!("report.json: {e}")),
    })?;
    w.write_all(b"\n").and_then(|()| w.flush()).map_err(out_err)
}

/// Copy into the new folder `t` what an earlier run left in `dir` and this one did not write.
fn carry_over(dir: &FsPath, t: &FsPath) -> Result<()> {
    if !dir.is_dir() {
        return Ok(());
    }
    let entries = std::fs::read_dir(dir).map_err(|source| Error::Output {
        path: dir.to_path_buf(),
        source,
    })?;
    for e in entries.flatten() {
        let name = e.file_name();
        let target = t.join(&name);
        let run_file = name
            .to_str()
            .is_some_and(|n| RUN_FILES.contains(&n) || billing_files::RUN_FILES.contains(&n));
        if !target.exists() && !run_file && e.path().is_file() {
            std::fs::copy(e.path(), &target).map_err(|source| Error::Output {
                path: e.path(),
                source,
            })?;
        }
    }
    Ok(())
}

/// Replace `dir` with the finished temporary folder: old folder aside, new one in, old removed.
fn swap_into_place(tmp: tempfile::TempDir, dir: &FsPath) -> Result<()> {
    let out_err = |source| Error::Output {
        path: dir.to_path_buf(),
        source,
    };
    let new_path = tmp.keep();
    let aside: Option<PathBuf> = if dir.exists() {
        let aside = dir.with_file_name(format!(
            ".{}.old-{}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("report"),
            std::process::id()
        ));
        std::fs::rename(dir, &aside).map_err(|e| {
            let _ = std::fs::remove_dir_all(&new_path);
            out_err(e)
        })?;
        Some(aside)
    } else {
        None
    };
    if let Err(e) = std::fs::rename(&new_path, dir) {
        // Put the old folder back: nothing is lost.
        if let Some(a) = &aside {
            let _ = std::fs::rename(a, dir);
        }
        let _ = std::fs::remove_dir_all(&new_path);
        return Err(out_err(e));
    }
    if let Some(a) = aside {
        let _ = std::fs::remove_dir_all(a);
    }
    Ok(())
}
