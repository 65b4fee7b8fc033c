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

use std::path::Path as FsPath;

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
    if dir.exists() && !dir.is_dir() {
        return Err(refuse_file(dir));
    }
    let tmp = crate::atomic::StagedDir::new(dir)?;
    let t = tmp.path();
    let put = |name: &str, bytes: &[u8]| -> Result<()> {
        std::fs::write(t.join(name), bytes).map_err(|source| Error::Output {
            path: dir.join(name),
            source,
        })
    };
    let named = |name: &'static str| {
        move |e| match e {
            Error::Output { source, .. } => Error::Output {
                path: dir.join(name),
                source,
            },
            other => other,
        }
    };
    // Every file is a job, as many at once as there are cores, the longest first:
    // focus.parquet takes about as long as all the others together at 100,000 groups.
    let jobs: Vec<Job<'_>> = vec![
        Box::new(|| {
            let _t = crate::progress::Stage::start("focus.parquet");
            billing_files::write_focus_parquet(t, data, model).map_err(named("focus.parquet"))
        }),
        Box::new(|| {
            let _t = crate::progress::Stage::start("components.csv");
            let out_err = |source| Error::Output {
                path: dir.join("components.csv"),
                source,
            };
            let mut f = std::fs::File::create(t.join("components.csv")).map_err(out_err)?;
            tables::write_components_csv(model, &mut f).map_err(out_err)
        }),
        Box::new(|| {
            let _t = crate::progress::Stage::start("focus.csv");
            billing_files::write_focus_csv(t, dir, data, model)
        }),
        // The table of groups, built once (inside a job, so beside the other files), for
        // log_groups.parquet and, for organizations, its copy partitioned by account and
        // region for Athena, Spark and DuckDB.
        Box::new(|| {
            let frame = {
                let _t = crate::progress::Stage::start("the log_groups table");
                tables::log_groups_frame(data)?
            };
            {
                let _t = crate::progress::Stage::start("log_groups.parquet");
                tables::write_log_groups_parquet(&frame, &t.join("log_groups.parquet"))
                    .map_err(named("log_groups.parquet"))?;
            }
            if data.accounts.len() > 1 {
                let _t = crate::progress::Stage::start("log_groups/ (Hive)");
                crate::snapshot::write_hive(&frame, &t.join("log_groups"))
                    .map_err(named("log_groups"))?;
            }
            Ok(())
        }),
        Box::new(|| {
            let _t = crate::progress::Stage::start("report.json");
            write_json(data, &t.join("report.json"), &dir.join("report.json"))
        }),
        Box::new(|| {
            let _t = crate::progress::Stage::start("log_groups.csv");
            put("log_groups.csv", tables::log_groups_csv(data).as_bytes())
        }),
        Box::new(|| {
            let _t = crate::progress::Stage::start("summary.md, report.html, small tables");
            put("summary.md", markdown::render(data)?.as_bytes())?;
            put("report.html", html::render(data)?.as_bytes())?;
            if let Some(csv) = tables::reconciliation_csv(data) {
                put("reconciliation.csv", csv.as_bytes())?;
            }
            // The reconciliation's own files: per-group CSV, showback.
            billing_files::write(t, dir, data)
        }),
    ];
    run_jobs(jobs)?;
    extra(t)?;

    // What an earlier run left in the folder and this one did not write (a snapshot, cached
    // actuals) is carried over, except the files of that run's model.
    crate::atomic::crash_point("report-staged");
    let mut drop: Vec<&str> = RUN_FILES.to_vec();
    drop.extend(billing_files::RUN_FILES);
    drop.push("log_groups");
    if t.join("snapshot.parquet").exists() {
        // A fresh snapshot: an older one's Hive copies would contradict it.
        drop.extend(crate::snapshot::HIVE_DIRS);
    }
    tmp.commit(&drop)?;
    Ok(())
}

/// One file of a report to write.
type Job<'a> = crate::parallel::Job<'a, Result<()>>;

/// Run `jobs` on every core; the first error in job order is returned once every job has
/// stopped.
fn run_jobs(jobs: Vec<Job<'_>>) -> Result<()> {
    crate::parallel::run(jobs)
        .ok_or_else(|| Error::Internal("writing a report file panicked".into()))?
        .into_iter()
        .collect()
}

/// `--out` names a file: a report is a folder, and the user's file is never replaced.
pub fn refuse_file(path: &FsPath) -> Error {
    Error::Usage(format!(
        "--out {} is a file; a report is a folder: name a folder (nothing was written)",
        path.display()
    ))
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
