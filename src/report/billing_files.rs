//! The billing reconciliation's report files, beside the report's own:
//! `reconciliation_groups.csv` (per log group, with a billing export), `showback.csv` (with
//! `[report] group_by_tags`) and the FOCUS 1.2 export of the model (`focus.csv`, `focus.parquet`, always). The report writer
//! calls [`write`] with its temporary folder, so these are part of the same atomic swap.

use std::path::Path;

use super::data::{FocusSummary, ReportData};
use crate::error::{Error, Result};
use crate::model::Model;
use crate::reconcile::focus_out::{self, Context};

/// Files that belong to one run (never carried over from an earlier report in the folder).
pub const RUN_FILES: &[&str] = &[
    "reconciliation_groups.csv",
    "showback.csv",
    "focus.csv",
    "focus.parquet",
];

/// The FOCUS export's context for a report.
pub fn focus_context<'a>(data: &'a ReportData, model: &'a Model) -> Context<'a> {
    let bound = |d: &Option<String>| d.as_ref().map(|d| format!("{d}T00:00:00Z"));
    Context {
        model,
        period: bound(&data.period_start).zip(bound(&data.period_end_exclusive)),
        comparison: data.best_path,
        tags: &data.billing.group_tags,
    }
}

/// What the FOCUS files will hold.
pub fn focus_summary(data: &ReportData, model: &Model) -> FocusSummary {
    let ctx = focus_context(data, model);
    FocusSummary {
        files: vec!["focus.csv".into(), "focus.parquet".into()],
        comparison_path: data.best_path,
        today_rows: model.today_lines.len(),
        comparison_rows: model
            .lines
            .iter()
            .filter(|l| l.path == data.best_path)
            .count(),
        today_usd: focus_out::total(&ctx, "today"),
        comparison_usd: focus_out::total(&ctx, "comparison"),
    }
}

fn create(tmp: &Path, dir: &Path, name: &str) -> Result<std::io::BufWriter<std::fs::File>> {
    std::fs::File::create(tmp.join(name))
        .map(std::io::BufWriter::new)
        .map_err(|source| Error::Output {
            path: dir.join(name),
            source,
        })
}

fn csv_err(dir: &Path, name: &str) -> impl Fn(csv::Error) -> Error {
    let path = dir.join(name);
    move |e| Error::Output {
        path: path.clone(),
        source: std::io::Error::other(e.to_string()),
    }
}

/// Write the reconciliation's files into `tmp` (the report's temporary folder; `dir` names
/// them in errors): `reconciliation_groups.csv` and `showback.csv`, when there is something
/// to put in them.
pub fn write(tmp: &Path, dir: &Path, data: &ReportData) -> Result<()> {
    if let Some(g) = data.actuals.as_ref().and_then(|a| a.groups.as_ref()) {
        let name = "reconciliation_groups.csv";
        crate::reconcile::groups::write_csv(g, create(tmp, dir, name)?)
            .map_err(csv_err(dir, name))?;
    }
    if let Some(s) = &data.billing.showback {
        let name = "showback.csv";
        crate::reconcile::showback::write_csv(s, create(tmp, dir, name)?)
            .map_err(csv_err(dir, name))?;
    }
    Ok(())
}

/// `focus.csv` into `tmp`.
pub fn write_focus_csv(tmp: &Path, dir: &Path, data: &ReportData, model: &Model) -> Result<()> {
    let name = "focus.csv";
    focus_out::write_csv(&focus_context(data, model), create(tmp, dir, name)?).map_err(|source| {
        Error::Output {
            path: dir.join(name),
            source,
        }
    })
}

/// `focus.parquet` into `tmp`.
pub fn write_focus_parquet(tmp: &Path, data: &ReportData, model: &Model) -> Result<()> {
    focus_out::write_parquet(&focus_context(data, model), &tmp.join("focus.parquet"))
}
