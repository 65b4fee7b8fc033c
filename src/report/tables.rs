//! The report's tables: `log_groups.csv`, `components.csv` (long format, one line per cost
//! component, account-level lines with an empty log_group) and `log_groups.parquet`. Dollar
//! columns are exact decimals with six digits, so they add up to the totals to the micro-dollar.
//! Every CSV goes through the `csv` crate with its default quoting (`QuoteStyle::Necessary`:
//! a field is quoted only when it holds a comma, a quote or a line break), the project's one
//! rule for CSV.

use std::path::Path as FsPath;

use polars::prelude::*;
use rust_decimal::Decimal;

use super::data::ReportData;
use crate::error::{Error, Result};
use crate::model::{Model, Path};

/// The first columns of components.csv, exactly.
pub const COMPONENT_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "path",
    "component",
    "quantity",
    "unit",
    "unit_price_usd",
    "cost_usd",
    "price_id",
    "price_status",
];

/// The columns of log_groups.csv and log_groups.parquet.
pub const GROUP_COLUMNS: &[&str] = &[
    "account_id",
    "region",
    "log_group",
    "incoming_bytes",
    "incoming_events",
    "today_path",
    "today_usd",
    "cloudwatch_usd",
    "datadog_forwarder_usd",
    "datadog_firehose_usd",
    "datadog_privatelink_usd",
    "hybrid_usd",
    "best_path",
    "savings_usd",
    "log_group_class",
    "vended",
    "scan_gib",
    "scan_source",
    "breakeven_scan_gib",
    "breakeven_full_scans",
    "today_shared_usd",
    "cloudwatch_shared_usd",
    "datadog_forwarder_shared_usd",
    "datadog_firehose_shared_usd",
    "datadog_privatelink_shared_usd",
    "hybrid_shared_usd",
];

/// One field as it appears in a CSV line: quoted only where needed, by the same writer as
/// every table here.
pub fn csv_field(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let line = csv_document(&[s], std::iter::empty());
    line.trim_end_matches('\n').to_string()
}

fn dec(d: Decimal) -> String {
    d.normalize().to_string()
}

/// A CSV document held in memory (small tables: one row per group or per component).
fn csv_document(header: &[&str], rows: impl Iterator<Item = Vec<String>>) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let written = std::iter::once(header.iter().map(|h| h.to_string()).collect())
        .chain(rows)
        .try_for_each(|row: Vec<String>| w.write_record(&row));
    // Writing to memory fails only on a bug; the tables are UTF-8 because every field is.
    written.expect("writing CSV to memory");
    let bytes = w.into_inner().expect("flushing CSV to memory");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

pub fn log_groups_csv(data: &ReportData) -> String {
    let rows = data.groups.iter().map(|g| {
        let usd = |p: Path| {
            g.path_usd[p.index()]
                .map(|m| m.to_decimal(6))
                .unwrap_or_default()
        };
        let shared = |p: Path| {
            g.path_shared_usd[p.index()]
                .map(|m| m.to_decimal(6))
                .unwrap_or_default()
        };
        vec![
            g.account_id.clone(),
            g.region.clone(),
            g.log_group.clone(),
            g.incoming_bytes.to_string(),
            g.incoming_events.to_string(),
            g.today_path.as_str().to_string(),
            g.today_usd.to_decimal(6),
            usd(Path::Cloudwatch),
            usd(Path::DatadogForwarder),
            usd(Path::DatadogFirehose),
            usd(Path::DatadogPrivatelink),
            usd(Path::Hybrid),
            g.best_path.as_str().to_string(),
            g.savings_usd.to_decimal(6),
            g.log_group_class.clone().unwrap_or_default(),
            g.vended.to_string(),
            dec(g.scan_gib),
            g.scan_source.clone(),
            g.breakeven_scan_gib.map(dec).unwrap_or_default(),
            g.breakeven_full_scans.map(dec).unwrap_or_default(),
            g.today_shared_usd.to_decimal(6),
            shared(Path::Cloudwatch),
            shared(Path::DatadogForwarder),
            shared(Path::DatadogFirehose),
            shared(Path::DatadogPrivatelink),
            shared(Path::Hybrid),
        ]
    });
    csv_document(GROUP_COLUMNS, rows)
}

/// components.csv as a string (small reports, tests).
pub fn components_csv(model: &Model) -> String {
    let mut out = Vec::new();
    write_components_csv(model, &mut out).expect("writing to memory cannot fail");
    String::from_utf8(out).expect("CSV is UTF-8")
}

/// Stream components.csv to `w`: millions of lines for large accounts, so nothing is built in
/// memory and each distinct unit price is formatted once.
pub fn write_components_csv(model: &Model, w: &mut dyn std::io::Write) -> std::io::Result<()> {
    let mut w = crate::csv_line::LineWriter::new(w);
    w.cells(COMPONENT_COLUMNS.iter().copied());
    w.end()?;
    // Millions of lines: numbers are written into buffers kept from line to line, and each
    // distinct unit price is written once.
    let mut prices: rustc_hash::FxHashMap<Decimal, String> = Default::default();
    let (mut quantity, mut cost) = (String::new(), String::new());
    for l in &model.lines {
        let (account, region, group) = match l.group {
            Some(g) => {
                let gi = &model.groups[g as usize];
                (
                    gi.account_id.as_str(),
                    gi.region.as_str(),
                    gi.log_group.as_str(),
                )
            }
            None => (
                model.accounts[l.account as usize].as_str(),
                model.regions[l.region as usize].as_str(),
                "",
            ),
        };
        let price = prices
            .entry(l.unit_price)
            .or_insert_with(|| dec(l.unit_price));
        quantity.clear();
        crate::format::push_plain(&mut quantity, l.quantity, 9);
        cost.clear();
        l.cost.push_decimal(6, &mut cost);
        w.cells([account, region, group, l.path.as_str(), l.component.name()]);
        w.number(&quantity);
        w.cell(l.unit);
        w.number(price);
        w.number(&cost);
        w.cells([l.price_id, l.price_status.as_str()]);
        w.end()?;
    }
    w.finish().map(drop)
}

fn usd_column(name: &str, values: impl Iterator<Item = Option<i64>>) -> Result<Column> {
    let ca: Int128Chunked = values.map(|v| v.map(i128::from)).collect();
    let s = ca
        .with_name(name.into())
        .into_decimal(18, 6)
        .map_err(|e| Error::Internal(format!("decimal column {name}: {e}")))?
        .into_series();
    Ok(s.into())
}

/// log_groups.parquet, from the table [`log_groups_frame`] built.
pub fn write_log_groups_parquet(df: &DataFrame, path: &FsPath) -> Result<()> {
    crate::atomic::PolarsOut::write_file(path, path, |f| {
        ParquetWriter::new(f).finish(&mut df.clone()).map(drop)
    })
    .map(drop)
}

/// The log_groups table as a frame (for Parquet, and its Hive-partitioned copy).
pub fn log_groups_frame(data: &ReportData) -> Result<DataFrame> {
    let g = &data.groups;
    let s = |name: &str, v: Vec<String>| Column::new(name.into(), v);
    let path_usd = |p: Path| g.iter().map(move |r| r.path_usd[p.index()].map(|m| m.0));
    let shared = |p: Path| {
        g.iter()
            .map(move |r| r.path_shared_usd[p.index()].map(|m| m.0))
    };
    let columns = vec![
        s(
            "account_id",
            g.iter().map(|r| r.account_id.clone()).collect(),
        ),
        s("region", g.iter().map(|r| r.region.clone()).collect()),
        s("log_group", g.iter().map(|r| r.log_group.clone()).collect()),
        Column::new(
            "incoming_bytes".into(),
            g.iter().map(|r| r.incoming_bytes).collect::<Vec<u64>>(),
        ),
        Column::new(
            "incoming_events".into(),
            g.iter().map(|r| r.incoming_events).collect::<Vec<u64>>(),
        ),
        s(
            "today_path",
            g.iter()
                .map(|r| r.today_path.as_str().to_string())
                .collect(),
        ),
        usd_column("today_usd", g.iter().map(|r| Some(r.today_usd.0)))?,
        usd_column("cloudwatch_usd", path_usd(Path::Cloudwatch))?,
        usd_column("datadog_forwarder_usd", path_usd(Path::DatadogForwarder))?,
        usd_column("datadog_firehose_usd", path_usd(Path::DatadogFirehose))?,
        usd_column(
            "datadog_privatelink_usd",
            path_usd(Path::DatadogPrivatelink),
        )?,
        usd_column("hybrid_usd", path_usd(Path::Hybrid))?,
        s(
            "best_path",
            g.iter().map(|r| r.best_path.as_str().to_string()).collect(),
        ),
        usd_column("savings_usd", g.iter().map(|r| Some(r.savings_usd.0)))?,
        Column::new(
            "log_group_class".into(),
            g.iter()
                .map(|r| r.log_group_class.clone())
                .collect::<Vec<Option<String>>>(),
        ),
        Column::new(
            "vended".into(),
            g.iter().map(|r| r.vended).collect::<Vec<bool>>(),
        ),
        s("scan_gib", g.iter().map(|r| dec(r.scan_gib)).collect()),
        s(
            "scan_source",
            g.iter().map(|r| r.scan_source.clone()).collect(),
        ),
        Column::new(
            "breakeven_scan_gib".into(),
            g.iter()
                .map(|r| r.breakeven_scan_gib.map(dec))
                .collect::<Vec<Option<String>>>(),
        ),
        Column::new(
            "breakeven_full_scans".into(),
            g.iter()
                .map(|r| r.breakeven_full_scans.map(dec))
                .collect::<Vec<Option<String>>>(),
        ),
        usd_column(
            "today_shared_usd",
            g.iter().map(|r| Some(r.today_shared_usd.0)),
        )?,
        usd_column("cloudwatch_shared_usd", shared(Path::Cloudwatch))?,
        usd_column(
            "datadog_forwarder_shared_usd",
            shared(Path::DatadogForwarder),
        )?,
        usd_column("datadog_firehose_shared_usd", shared(Path::DatadogFirehose))?,
        usd_column(
            "datadog_privatelink_shared_usd",
            shared(Path::DatadogPrivatelink),
        )?,
        usd_column("hybrid_shared_usd", shared(Path::Hybrid))?,
    ];
    DataFrame::new_infer_height(columns)
        .map_err(|e| Error::Internal(format!("log_groups table: {e}")))
}

/// The columns of reconciliation.csv.
pub const RECONCILIATION_COLUMNS: &[&str] = &[
    "section",
    "account_id",
    "region",
    "component",
    "usage_types",
    "unit",
    "modeled_quantity",
    "billed_quantity",
    "sampled_gib",
    "modeled_usd",
    "billed_usd",
    "billed_net_usd",
    "variance_usd",
    "variance_pct",
    "flagged",
    "volume_effect_usd",
    "price_effect_usd",
    "basis",
];

/// reconciliation.csv: one row per component (`aws`, `datadog`), the totals (`aws_total`,
/// `datadog_total`), every unmapped usage type (`aws_unmapped`) and every account outside the
/// model (`aws_other_account`). `None` when there is nothing to compare (no reconciliation
/// asked for, or Cost Explorer had no data or could not be asked and no Datadog file).
pub fn reconciliation_csv(data: &ReportData) -> Option<String> {
    let r = data.actuals.as_ref()?;
    let mut rows: Vec<Vec<String>> = Vec::new();
    if let Some(a) = r.aws.as_ref().filter(|a| a.status == "reconciled") {
        rows.extend(a.components.iter().map(|c| variance_row("aws", c)));
        rows.extend(a.total.iter().map(|t| total_row("aws_total", t)));
        rows.extend(a.unmapped.iter().map(unmapped_row));
        for o in &a.other_accounts {
            let mut row = vec![String::new(); RECONCILIATION_COLUMNS.len()];
            row[0] = "aws_other_account".to_string();
            row[1] = o.account_id.clone();
            row[10] = o.billed_usd.to_decimal(6);
            row[17] = "billed in an account the snapshot does not cover".to_string();
            rows.push(row);
        }
    }
    if let Some(d) = &r.datadog {
        rows.extend(d.components.iter().map(|c| variance_row("datadog", c)));
        rows.extend(d.total.iter().map(|t| total_row("datadog_total", t)));
    }
    if rows.is_empty() {
        return None;
    }
    Some(csv_document(RECONCILIATION_COLUMNS, rows.into_iter()))
}

fn usd(m: Option<crate::money::MicroUsd>) -> String {
    m.map(|m| m.to_decimal(6)).unwrap_or_default()
}

fn opt(d: Option<Decimal>) -> String {
    d.map(dec).unwrap_or_default()
}

fn variance_row(section: &str, c: &crate::reconcile::ComponentVariance) -> Vec<String> {
    vec![
        section.to_string(),
        String::new(),
        String::new(),
        c.component.clone(),
        c.usage_types.join(";"),
        c.unit.clone(),
        dec(c.modeled_quantity),
        opt(c.billed_quantity),
        opt(c.sampled_gib),
        c.modeled_usd.to_decimal(6),
        usd(c.billed_usd),
        usd(c.billed_net_usd),
        usd(c.variance_usd),
        opt(c.variance_pct),
        c.flagged.to_string(),
        usd(c.volume_effect_usd),
        usd(c.price_effect_usd),
        c.basis.clone(),
    ]
}

fn total_row(section: &str, t: &crate::reconcile::TotalVariance) -> Vec<String> {
    let mut row = vec![String::new(); RECONCILIATION_COLUMNS.len()];
    row[0] = section.to_string();
    row[3] = "total".to_string();
    row[5] = "USD".to_string();
    row[9] = t.modeled_usd.to_decimal(6);
    row[10] = t.billed_usd.to_decimal(6);
    row[12] = t.variance_usd.to_decimal(6);
    row[13] = opt(t.variance_pct);
    row[14] = t.flagged.to_string();
    row[15] = t.volume_effect_usd.to_decimal(6);
    row[16] = t.price_effect_usd.to_decimal(6);
    row
}

fn unmapped_row(u: &crate::reconcile::UnmappedUsage) -> Vec<String> {
    let mut row = vec![String::new(); RECONCILIATION_COLUMNS.len()];
    row[0] = "aws_unmapped".to_string();
    row[1] = u.account_id.clone().unwrap_or_default();
    row[2] = u.region.clone();
    row[4] = u.usage_type.clone();
    row[5] = u.unit.clone();
    row[7] = dec(u.quantity);
    row[10] = u.billed_usd.to_decimal(6);
    row[17] = u.note.clone();
    row
}

/// Whether the report has a reconciliation.csv (something was compared with the bill).
pub fn has_reconciliation(data: &ReportData) -> bool {
    reconciliation_csv(data).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A full disk while log_groups.parquet is written is one output error naming the file,
    /// not an internal error: the frame fits polars' writes into the 1 MiB buffer, so the
    /// failure comes when the buffer is flushed. /dev/full fails every write with ENOSPC.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_full_disk_names_the_parquet_file() {
        let df = df!("log_group" => ["/a", "/b"], "incoming_bytes" => [1u64, 2]).unwrap();
        let full = FsPath::new("/dev/full");
        crate::atomic::assert_full_disk(write_log_groups_parquet(&df, full), full);
    }
}
