//! The page's tables as rows of formatted cells: the template lays them out, these decide what
//! each cell says and how it is shaded.

use std::collections::BTreeSet;

use rust_decimal::Decimal;

use super::tone;
use crate::format;
use crate::model::Path;
use crate::money::MicroUsd;
use crate::pricing::Status;
use crate::reconcile::{ComponentVariance, Reconciliation as Rec, TotalVariance};
use crate::report::charts::paths::split_sums;
use crate::report::data::{GroupRow, PathTotal, PriceUsed, ReportData};
use crate::report::style::{class_label, component_label, short_title};

/// A table cell: its class and its text.
pub struct Cell {
    pub class: String,
    pub text: String,
}

impl Cell {
    fn new(class: &str, text: impl Into<String>) -> Cell {
        Cell {
            class: class.to_string(),
            text: text.into(),
        }
    }

    fn na() -> Cell {
        Cell::new("num na", "n/a")
    }

    fn usd(m: MicroUsd) -> Cell {
        Cell::new("num", m.to_string())
    }
}

/// Paths side by side, broken into their components.
pub struct PathsTable {
    /// (title, footnote number when unavailable, cheapest).
    pub heads: Vec<(String, Option<usize>, bool)>,
    /// (label, component id, row class, cells).
    pub charges: Vec<(String, String, &'static str, Vec<Cell>)>,
    pub credits: Vec<(String, String, &'static str, Vec<Cell>)>,
    pub subtotal: Vec<Cell>,
    pub total: Vec<Cell>,
    pub vs: Vec<Cell>,
    /// (title, reason) of the unavailable paths, in footnote order.
    pub notes: Vec<(String, String)>,
}

impl PathsTable {
    pub fn new(d: &ReportData) -> PathsTable {
        // A component that is ever negative is a credit: listed after a subtotal of the charges.
        let credit_names: BTreeSet<&str> = d
            .paths
            .iter()
            .flat_map(|p| p.components.iter())
            .filter(|(_, m)| m.0 < 0)
            .map(|(n, _)| n.as_str())
            .collect();
        let (mut charges, mut credits): (Vec<&str>, Vec<&str>) = (Vec::new(), Vec::new());
        for (name, _) in d.paths.iter().flat_map(|p| p.components.iter()) {
            let list = if credit_names.contains(name.as_str()) {
                &mut credits
            } else {
                &mut charges
            };
            if !list.contains(&name.as_str()) {
                list.push(name);
            }
        }
        let mut notes = Vec::new();
        let heads = d
            .paths
            .iter()
            .map(|p| {
                let note = p.total_usd.is_none().then(|| {
                    notes.push((p.title.clone(), reason(p)));
                    notes.len()
                });
                (
                    p.title.clone(),
                    note,
                    note.is_none() && p.path == d.best_path,
                )
            })
            .collect();
        let row = |cls: &'static str| {
            move |name: &&str| {
                (
                    component_label(name),
                    name.to_string(),
                    cls,
                    component_cells(d, name),
                )
            }
        };
        let per_path = |f: &dyn Fn(&PathTotal, MicroUsd) -> Cell| -> Vec<Cell> {
            d.paths
                .iter()
                .map(|p| p.total_usd.map_or_else(Cell::na, |t| f(p, t)))
                .collect()
        };
        PathsTable {
            heads,
            charges: charges.iter().map(row("component")).collect(),
            credits: credits.iter().map(row("component credit")).collect(),
            subtotal: per_path(&|p, _| Cell::usd(split_sums(p).0)),
            total: per_path(&|_, t| Cell::usd(t)),
            vs: per_path(&|_, t| {
                let diff = t - d.today_total_usd;
                let class = match tone(MicroUsd(-diff.0)) {
                    "" => "num".to_string(),
                    t => format!("num {t}"),
                };
                Cell::new(&class, format::signed_usd(diff))
            }),
            notes,
        }
    }
}

fn reason(p: &PathTotal) -> String {
    p.reason.as_deref().unwrap_or("no reason given").to_string()
}

fn component_cells(d: &ReportData, name: &str) -> Vec<Cell> {
    d.paths
        .iter()
        .map(|p| {
            if p.total_usd.is_none() {
                return Cell::na();
            }
            match p.components.iter().find(|(c, _)| c == name) {
                Some((_, m)) => Cell::usd(*m),
                None => Cell::new("num muted", "—"),
            }
        })
        .collect()
}

/// Per-account rows: (account, groups, cells from today on).
pub fn accounts(d: &ReportData) -> Vec<(String, usize, Vec<Cell>)> {
    if d.account_totals.len() < 2 {
        return Vec::new();
    }
    d.account_totals
        .iter()
        .map(|a| {
            let mut cells = vec![Cell::usd(a.today_usd)];
            cells.extend(
                a.path_usd
                    .iter()
                    .map(|t| Cell::new("num", t.map_or("n/a".to_string(), |m| m.to_string()))),
            );
            (a.account_id.clone(), a.log_groups, cells)
        })
        .collect()
}

/// Break-even of one group, as the table shows it.
pub enum Breakeven {
    DatadogCheaper,
    Scans { gib: String, scans: String },
    Gib(String),
    None,
}

/// One log group's row.
pub struct GroupLine {
    pub name: String,
    pub vended: bool,
    /// The account, shown under the name when the report covers several.
    pub account: Option<String>,
    pub region: String,
    pub class: String,
    pub gib: String,
    pub events: String,
    pub today: MicroUsd,
    pub today_path: &'static str,
    pub cells: Vec<Cell>,
    pub best: &'static str,
    pub savings_class: &'static str,
    pub savings: MicroUsd,
    pub breakeven: Breakeven,
}

impl GroupLine {
    pub fn new(g: &GroupRow, d: &ReportData) -> GroupLine {
        let cells = Path::ALL
            .iter()
            .enumerate()
            .map(|(i, p)| match g.path_usd.get(i).copied().flatten() {
                Some(m) if *p == g.best_path => Cell::new("num best", m.to_string()),
                Some(m) => Cell::usd(m),
                None => Cell::na(),
            })
            .collect();
        GroupLine {
            name: g.log_group.clone(),
            vended: g.vended,
            account: (d.accounts.len() > 1).then(|| g.account_id.clone()),
            region: g.region.clone(),
            class: g
                .log_group_class
                .as_deref()
                .map_or("—", class_label)
                .to_string(),
            gib: format::gib(g.incoming_bytes, 2),
            events: format::count(g.incoming_events),
            today: g.today_usd,
            today_path: short_title(g.today_path),
            cells,
            best: short_title(g.best_path),
            savings_class: match tone(g.savings_usd) {
                "good" => "num good",
                "bad" => "num bad",
                _ => "num",
            },
            savings: g.savings_usd,
            breakeven: match (g.breakeven_scan_gib, g.breakeven_full_scans) {
                (Some(v), _) if v.is_zero() => Breakeven::DatadogCheaper,
                (Some(v), Some(s)) => Breakeven::Scans {
                    gib: format::fixed_auto(v),
                    scans: format::fixed_auto(s),
                },
                (Some(v), None) => Breakeven::Gib(format::fixed_auto(v)),
                (None, _) => Breakeven::None,
            },
        }
    }
}

/// A modeled-against-billed table (Cost Explorer, or Datadog's usage).
pub struct VarianceTable {
    pub billed_label: &'static str,
    pub rows: Vec<VarianceLine>,
    pub total: Option<Vec<String>>,
    pub total_flagged: bool,
}

pub struct VarianceLine {
    pub component: String,
    pub flagged: bool,
    /// Modeled, billed, variance, %, quantity modeled.
    pub cells: Vec<String>,
    /// Quantity billed, or the basis of the comparison when nothing was billed.
    pub billed_quantity: Result<String, String>,
    /// Sampled, volume effect, price effect.
    pub rest: Vec<String>,
}

fn opt_usd(m: Option<MicroUsd>, signed: bool) -> String {
    match m {
        Some(m) if signed => format::signed_usd(m),
        Some(m) => m.to_string(),
        None => "—".to_string(),
    }
}

fn qty(d: Decimal, unit: &str) -> String {
    format!("{} {unit}", format::quantity(d.round_dp(3)))
}

impl VarianceTable {
    pub fn new(
        rows: &[ComponentVariance],
        total: Option<&TotalVariance>,
        billed_label: &'static str,
    ) -> VarianceTable {
        let rows = rows
            .iter()
            .map(|c| VarianceLine {
                component: c.component.clone(),
                flagged: c.flagged,
                cells: vec![
                    c.modeled_usd.to_string(),
                    opt_usd(c.billed_usd, false),
                    opt_usd(c.variance_usd, true),
                    if c.billed_usd.is_some() {
                        format::signed_pct(c.variance_pct)
                    } else {
                        "—".into()
                    },
                    qty(c.modeled_quantity, &c.unit),
                ],
                billed_quantity: c
                    .billed_quantity
                    .map(|b| qty(b, &c.unit))
                    .ok_or(c.basis.clone()),
                rest: vec![
                    c.sampled_gib.map(|s| qty(s, "GiB")).unwrap_or_default(),
                    opt_usd(c.volume_effect_usd, true),
                    opt_usd(c.price_effect_usd, true),
                ],
            })
            .collect();
        VarianceTable {
            billed_label,
            rows,
            total: total.map(|t| {
                vec![
                    t.modeled_usd.to_string(),
                    t.billed_usd.to_string(),
                    format::signed_usd(t.variance_usd),
                    format::signed_pct(t.variance_pct),
                    format::signed_usd(t.volume_effect_usd),
                    format::signed_usd(t.price_effect_usd),
                ]
            }),
            total_flagged: total.is_some_and(|t| t.flagged),
        }
    }
}

/// The reconciliation section: the AWS side and the Datadog side, when asked for.
pub struct Reconciliation {
    pub month: String,
    pub threshold: String,
    pub aws: Option<AwsSide>,
    pub datadog: Option<(String, VarianceTable, Vec<String>)>,
    /// Per log group, with a billing export as the source.
    pub groups: Option<GroupsSide>,
}

/// The per-log-group comparison (billing exports name each group's ARN).
pub struct GroupsSide {
    pub compared: usize,
    pub components: String,
    /// (account, region, log group, component, modeled, billed, variance, %, volume effect,
    /// price effect, likely reason), largest variance first.
    pub top: Vec<[String; 11]>,
    pub flagged: Vec<bool>,
    pub billed_not_in_snapshot: (usize, MicroUsd),
    pub never_billed: (usize, MicroUsd),
    pub notes: Vec<String>,
}

impl GroupsSide {
    pub fn new(g: &crate::reconcile::groups::GroupReconciliation) -> GroupsSide {
        GroupsSide {
            compared: g.groups_compared,
            components: g.components.join(", "),
            top: g
                .top
                .iter()
                .map(|v| {
                    [
                        v.account_id.clone(),
                        v.region.clone(),
                        v.log_group.clone(),
                        v.component.clone(),
                        v.modeled_usd.to_string(),
                        v.billed_usd.to_string(),
                        format::signed_usd(v.variance_usd),
                        format::signed_pct(v.variance_pct),
                        format::signed_usd(v.volume_effect_usd),
                        format::signed_usd(v.price_effect_usd),
                        v.likely_reason.clone(),
                    ]
                })
                .collect(),
            flagged: g.top.iter().map(|v| v.flagged).collect(),
            billed_not_in_snapshot: (g.billed_not_in_snapshot_count, g.billed_not_in_snapshot_usd),
            never_billed: (g.never_billed_count, g.never_billed_usd),
            notes: g.notes.clone(),
        }
    }
}

pub struct AwsSide {
    pub status: String,
    /// What the billed side is: "Cost Explorer's UnblendedCost" or the billing export's name.
    pub billed_from: String,
    pub reason: Option<String>,
    pub table: VarianceTable,
    pub unmapped_total: MicroUsd,
    /// (usage type, account, region, quantity, billed, note).
    pub unmapped: Vec<[String; 6]>,
    pub notes: Vec<String>,
    /// What Cost Explorer cost, or that the cache was used; `None` when it was not asked.
    pub requests: Option<String>,
}

impl Reconciliation {
    pub fn new(r: &Rec) -> Reconciliation {
        Reconciliation {
            month: r.month.clone(),
            threshold: r.threshold_percent.to_string(),
            aws: r.aws.as_ref().map(|a| AwsSide {
                status: a.status.clone(),
                billed_from: billed_from(&a.source),
                reason: a.reason.clone(),
                table: VarianceTable::new(&a.components, a.total.as_ref(), "Billed"),
                unmapped_total: a.unmapped_total_usd,
                unmapped: a
                    .unmapped
                    .iter()
                    .map(|u| {
                        [
                            u.usage_type.clone(),
                            u.account_id.clone().unwrap_or_default(),
                            u.region.clone(),
                            qty(u.quantity, &u.unit),
                            u.billed_usd.to_string(),
                            u.note.clone(),
                        ]
                    })
                    .collect(),
                notes: a.notes.clone(),
                requests: match &a.source.source_line {
                    Some(line) => Some(line.clone()),
                    None => (a.status != "unavailable" || a.requests > 0).then(|| {
                        crate::reconcile::actuals::requests_line(
                            a.requests,
                            a.from_cache,
                            a.cache_file.as_deref().unwrap_or("actuals.json"),
                            a.fetched_at.as_deref().unwrap_or("-"),
                        )
                    }),
                },
            }),
            datadog: r.datadog.as_ref().map(|dd| {
                (
                    dd.file.clone(),
                    VarianceTable::new(&dd.components, dd.total.as_ref(), "From usage"),
                    dd.notes.clone(),
                )
            }),
            groups: r.groups.as_ref().map(GroupsSide::new),
        }
    }
}

/// The billed side's name, for the sentence above the table.
fn billed_from(s: &crate::reconcile::SourceInfo) -> String {
    match s.source.as_str() {
        "cur2" => format!(
            "the CUR 2.0 export's unblended cost ({})",
            s.source_location
        ),
        "focus" => format!("the FOCUS export's BilledCost ({})", s.source_location),
        "athena" => format!(
            "the CUR 2.0 table's unblended cost, aggregated by Athena ({})",
            s.source_location
        ),
        _ => "Cost Explorer's UnblendedCost".to_string(),
    }
}

/// Showback: one table per tag key, today's cost and each available path per tag value.
pub struct ShowbackSection {
    pub tag_source: String,
    pub tagged_groups: usize,
    /// The available paths' names, the columns after today.
    pub paths: Vec<String>,
    /// (tag key, rows of [value, groups, today, path...], total row).
    pub tables: Vec<(String, Vec<Vec<String>>, Vec<String>)>,
    pub notes: Vec<String>,
}

impl ShowbackSection {
    pub fn new(
        s: &crate::reconcile::showback::Showback,
        d: &crate::report::ReportData,
    ) -> ShowbackSection {
        // Columns for the paths that have a total, in Path::ALL order (the rows' order).
        let shown: Vec<usize> = d
            .paths
            .iter()
            .enumerate()
            .filter(|(_, p)| p.total_usd.is_some())
            .map(|(i, _)| i)
            .collect();
        let row = |r: &crate::reconcile::showback::ShowbackRow| {
            let mut v = vec![
                r.value.clone(),
                format::count(r.log_groups as u64),
                r.today_usd.to_string(),
            ];
            for &i in &shown {
                v.push(
                    r.path_usd
                        .get(i)
                        .copied()
                        .flatten()
                        .map_or_else(|| "n/a".to_string(), |m| m.to_string()),
                );
            }
            v
        };
        ShowbackSection {
            tag_source: match s.tag_source.as_str() {
                "export" => "the billing export's resource tags".into(),
                "tagging_api" => "the Resource Groups Tagging API (tag:GetResources)".into(),
                _ => "no tags could be read: every group is untagged".into(),
            },
            tagged_groups: s.tagged_groups,
            paths: shown.iter().map(|&i| d.paths[i].title.clone()).collect(),
            tables: s
                .tables
                .iter()
                .map(|t| {
                    (
                        t.tag_key.clone(),
                        t.rows.iter().map(row).collect(),
                        row(&t.total),
                    )
                })
                .collect(),
            notes: s.notes.clone(),
        }
    }
}

/// A line of the prices table.
pub struct PriceLine {
    pub caveat: bool,
    pub id: String,
    pub region: String,
    pub description: String,
    pub values: String,
    pub allowance: bool,
    pub book: Option<String>,
    pub unit: String,
    pub status: &'static str,
    pub discounted: bool,
    pub source: String,
}

impl PriceLine {
    pub fn new(p: &PriceUsed, caveats: &[&PriceUsed]) -> PriceLine {
        // Allowances (free tiers) are quantities, not prices.
        let allowance = p.id.contains("free");
        let show = |v: &Decimal| {
            if allowance {
                format::quantity(*v)
            } else {
                format!("${}", format::price(*v))
            }
        };
        let join = |v: &[Decimal]| v.iter().map(show).collect::<Vec<_>>().join(" / ");
        PriceLine {
            caveat: caveats.iter().any(|c| std::ptr::eq(*c, p)),
            id: p.id.clone(),
            region: p.region.clone(),
            description: p.description.clone(),
            values: join(&p.prices),
            allowance,
            book: p.book_prices.as_deref().map(join),
            unit: p.unit.clone(),
            status: p.status.as_str(),
            discounted: p.book_prices.is_some() && p.status != Status::Override,
            source: p.source.clone(),
        }
    }
}
