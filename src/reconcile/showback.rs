//! Showback by tag: the model's today and every path, totalled per value of each tag key in
//! `[report] group_by_tags`, with an `(untagged)` line for the groups without the key and an
//! `(account-level)` line for what belongs to no group (free-tier credits, PrivateLink
//! endpoint-hours), so each column adds up to the report's total. Tags come from the billing
//! export's resource tags or from the Resource Groups Tagging API.

use std::collections::BTreeMap;

use serde::Serialize;

use super::groups::GroupKey;
use crate::model::{Model, Path};
use crate::money::MicroUsd;

pub const UNTAGGED: &str = "(untagged)";
pub const ACCOUNT_LEVEL: &str = "(account-level)";

/// Tag values per log group: (account, region, name) -> key -> value.
pub type GroupTags = BTreeMap<GroupKey, BTreeMap<String, String>>;

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShowbackRow {
    /// The tag value, `(untagged)` or `(account-level)`.
    pub value: String,
    pub log_groups: usize,
    pub today_usd: MicroUsd,
    /// Indexed by `Path::ALL` order; `None` when the path is unavailable.
    pub path_usd: Vec<Option<MicroUsd>>,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ShowbackTable {
    pub tag_key: String,
    /// Tag values by today's cost (largest first), then `(untagged)` and `(account-level)`.
    pub rows: Vec<ShowbackRow>,
    /// The sum of the rows: the report's totals.
    pub total: ShowbackRow,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Showback {
    /// `export` (the billing export's resource tags), `tagging_api` (tag:GetResources) or
    /// `none` (no tags could be read: every group is untagged).
    pub tag_source: String,
    /// Groups of the model with at least one of the keys.
    pub tagged_groups: usize,
    pub tables: Vec<ShowbackTable>,
    pub notes: Vec<String>,
}

fn zero_paths(model: &Model) -> Vec<Option<MicroUsd>> {
    model
        .path_totals
        .iter()
        .map(|t| t.map(|_| MicroUsd::ZERO))
        .collect()
}

fn add(row: &mut ShowbackRow, today: MicroUsd, paths: &[Option<MicroUsd>]) {
    row.today_usd = row.today_usd + today;
    for (acc, p) in row.path_usd.iter_mut().zip(paths) {
        if let (Some(a), Some(p)) = (acc.as_mut(), p) {
            *a = *a + *p;
        }
    }
}

/// Totals per tag value for every key.
pub fn build(model: &Model, keys: &[String], tags: &GroupTags, tag_source: &str) -> Showback {
    // What belongs to no group: today's and each path's account-level lines.
    let account_today: MicroUsd = model
        .today_lines
        .iter()
        .filter(|l| l.group.is_none())
        .map(|l| l.cost)
        .sum();
    let mut account_paths = zero_paths(model);
    for l in model.lines.iter().filter(|l| l.group.is_none()) {
        if let Some(a) = account_paths[l.path.index()].as_mut() {
            *a = *a + l.cost;
        }
    }
    let key_of = |i: usize| {
        let g = &model.groups[i];
        (g.account_id.clone(), g.region.clone(), g.log_group.clone())
    };
    let tagged_groups = (0..model.groups.len())
        .filter(|&i| {
            tags.get(&key_of(i))
                .is_some_and(|t| keys.iter().any(|k| t.contains_key(k)))
        })
        .count();
    let mut tables = Vec::new();
    for key in keys {
        let mut rows: BTreeMap<String, ShowbackRow> = BTreeMap::new();
        for i in 0..model.groups.len() {
            let value = tags
                .get(&key_of(i))
                .and_then(|t| t.get(key))
                .cloned()
                .unwrap_or_else(|| UNTAGGED.to_string());
            let row = rows.entry(value.clone()).or_insert_with(|| ShowbackRow {
                value,
                log_groups: 0,
                today_usd: MicroUsd::ZERO,
                path_usd: zero_paths(model),
            });
            row.log_groups += 1;
            // The group's own lines: the account-level lines it has a share of are their own
            // row below.
            let own: Vec<Option<MicroUsd>> = model.group_costs[i]
                .iter()
                .zip(&model.group_shares[i])
                .map(|(c, s)| c.map(|c| c - *s))
                .collect();
            add(row, model.today_costs[i] - model.today_shares[i], &own);
        }
        let untagged = rows.remove(UNTAGGED).unwrap_or_else(|| ShowbackRow {
            value: UNTAGGED.into(),
            log_groups: 0,
            today_usd: MicroUsd::ZERO,
            path_usd: zero_paths(model),
        });
        let mut ordered: Vec<ShowbackRow> = rows.into_values().collect();
        ordered.sort_by(|a, b| b.today_usd.cmp(&a.today_usd).then(a.value.cmp(&b.value)));
        ordered.push(untagged);
        ordered.push(ShowbackRow {
            value: ACCOUNT_LEVEL.into(),
            log_groups: 0,
            today_usd: account_today,
            path_usd: account_paths.clone(),
        });
        let mut total = ShowbackRow {
            value: "total".into(),
            log_groups: 0,
            today_usd: MicroUsd::ZERO,
            path_usd: zero_paths(model),
        };
        for r in &ordered {
            total.log_groups += r.log_groups;
            add(&mut total, r.today_usd, &r.path_usd);
        }
        tables.push(ShowbackTable {
            tag_key: key.clone(),
            rows: ordered,
            total,
        });
    }
    let mut notes = Vec::new();
    if tag_source == "none" {
        notes.push("No tags could be read: every log group is shown as untagged.".into());
    }
    Showback {
        tag_source: tag_source.to_string(),
        tagged_groups,
        tables,
        notes,
    }
}

/// `showback.csv`: one line per tag key and value (and the untagged, account-level and total
/// lines), dollars as exact decimals.
pub fn write_csv(s: &Showback, out: impl std::io::Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["tag_key", "tag_value", "log_groups", "today_usd"];
    let names: Vec<String> = Path::ALL
        .iter()
        .map(|p| format!("{}_usd", p.as_str()))
        .collect();
    header.extend(names.iter().map(String::as_str));
    w.write_record(&header)?;
    for t in &s.tables {
        for r in t.rows.iter().chain(std::iter::once(&t.total)) {
            let mut rec = vec![
                t.tag_key.clone(),
                r.value.clone(),
                r.log_groups.to_string(),
                r.today_usd.to_decimal(6),
            ];
            rec.extend(
                r.path_usd
                    .iter()
                    .map(|p| p.map(|m| m.to_decimal(6)).unwrap_or_default()),
            );
            w.write_record(&rec)?;
        }
    }
    w.flush()?;
    Ok(())
}
