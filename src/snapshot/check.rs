//! The snapshot as a contract, beyond the cells: a CSV's shape (every column named once, every
//! line as many fields as the header, errors giving the line) and the rows as a whole (one row
//! per account, region and log group: a second would count the group's cost twice).

use std::collections::HashMap;
use std::path::Path;

use super::GroupInput;
use crate::error::{Error, Result};

/// Check a CSV file's header and line lengths before it is parsed as a table, so that a ragged
/// line is reported with its number (and never with advice about parser options logplan has no
/// flag for).
pub fn csv_shape(path: &Path) -> Result<()> {
    let input_err = |message: String| Error::Input {
        path: path.to_path_buf(),
        message,
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .flexible(false)
        .from_path(path)
        .map_err(|e| input_err(format!("cannot read the file: {e}")))?;
    let header = reader
        .byte_headers()
        .map_err(|e| input_err(csv_message(&e)))?
        .clone();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for (i, name) in header.iter().enumerate() {
        let name = String::from_utf8_lossy(name).trim().to_string();
        if let Some(first) = seen.insert(name.clone(), i + 1) {
            return Err(input_err(format!(
                "line 1: column {name:?} is named twice (columns {first} and {})",
                i + 1
            )));
        }
    }
    let mut record = csv::ByteRecord::new();
    loop {
        match reader.read_byte_record(&mut record) {
            Ok(true) => {}
            Ok(false) => return Ok(()),
            Err(e) => return Err(input_err(csv_message(&e))),
        }
    }
}

/// A CSV error as one line naming the line of the file.
fn csv_message(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            pos,
            expected_len,
            len,
        } => format!(
            "line {}: {len} fields, but the header has {expected_len}",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        csv::ErrorKind::Utf8 { pos, .. } => format!(
            "line {}: not valid UTF-8",
            pos.as_ref().map_or(0, |p| p.line())
        ),
        _ => format!("cannot read the file: {e}"),
    }
}

/// One row per (account, region, log group): a duplicate names both rows.
pub fn unique(
    rows: &[GroupInput],
    row_name: &dyn Fn(usize) -> String,
) -> std::result::Result<(), String> {
    let mut first: HashMap<(&str, &str, &str), usize> = HashMap::with_capacity(rows.len());
    for (i, r) in rows.iter().enumerate() {
        let key = (
            r.account_id.as_str(),
            r.region.as_str(),
            r.log_group.as_str(),
        );
        if let Some(j) = first.insert(key, i) {
            return Err(format!(
                "{} and {} are the same log group ({} in account {}, region {}): each log group \
                 appears once, or its cost would be counted twice",
                row_name(j),
                row_name(i),
                r.log_group,
                r.account_id,
                r.region
            ));
        }
    }
    Ok(())
}
