//! `report.html`: one self-contained page for finance and ops readers, rendered from
//! `templates/report.html` over [`ReportData`]. Inline CSS, inline SVG charts, no scripts,
//! fonts, stylesheets or images to fetch, so it opens offline, prints on A4 landscape and
//! survives being forwarded as an attachment. The template engine escapes every value (with
//! [`Html`], named entities), and the output is deterministic (same data, same bytes).
//!
//! This module turns the data into what the template shows: rows of ready-formatted cells, the
//! charts' geometry ([`super::charts`]) and the choice of log groups ([`super::select`]).

use std::collections::BTreeSet;

use askama::Template;

use super::charts::{breakeven, paths, savings};
use super::data::{PathTotal, ReportData};
use super::select::Selection;
use crate::error::{Error, Result};
use crate::format;
use crate::money::MicroUsd;

pub mod tables;

pub use tables::{Breakeven, Cell, GroupLine, PriceLine, VarianceTable};

/// The page's only stylesheet. No `<` in it, no external references, print rules included.
pub const CSS: &str = include_str!("templates/report.css");

/// HTML escaping with named entities (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`), for
/// element content and quoted attribute values alike. Askama applies it to every value in
/// `.html` templates (see `askama.toml`).
#[derive(Clone, Copy, Debug, Default)]
pub struct Html;

impl askama::filters::Escaper for Html {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let entity = match b {
                b'&' => "&amp;",
                b'<' => "&lt;",
                b'>' => "&gt;",
                b'"' => "&quot;",
                b'\'' => "&#39;",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(entity)?;
            last = i + 1;
        }
        dest.write_str(&s[last..])
    }
}

/// The page: the data, and everything derived from it for display.
#[derive(Template)]
#[template(path = "report.html")]
pub struct Page<'a> {
    pub d: &'a ReportData,
    pub title: String,
    pub period: String,
    pub kpis: Vec<Kpi>,
    pub mom: Vec<MomRow>,
    pub paths_chart: paths::PathsChart,
    pub savings_chart: Option<savings::SavingsChart>,
    pub breakeven_chart: breakeven::BreakevenChart,
    pub paths_table: tables::PathsTable,
    pub accounts: Vec<(String, usize, Vec<Cell>)>,
    pub groups: Selection<'a>,
    pub group_lines: Vec<GroupLine>,
    pub reconciliation: Option<tables::Reconciliation>,
    pub showback: Option<tables::ShowbackSection>,
    pub prices: Vec<PriceLine>,
    /// Sorted, distinct ids of the prices a reader should double-check.
    pub caveat_ids: Vec<String>,
    pub caveat_count: usize,
}

/// Render the whole report as one HTML document.
pub fn render(data: &ReportData) -> Result<String> {
    Page::new(data)
        .render()
        .map_err(|e| Error::Internal(format!("report.html: {e}")))
}

/// A key figure.
pub struct Kpi {
    pub label: &'static str,
    pub value: MicroUsd,
    pub tone: &'static str,
    pub sub: String,
}

/// A line of the month-over-month table.
pub struct MomRow {
    pub label: String,
    pub then: String,
    pub now: String,
    pub diff: String,
    pub rel: String,
    pub strong: bool,
}

impl<'a> Page<'a> {
    pub fn new(d: &'a ReportData) -> Page<'a> {
        let groups = Selection::of(d);
        let caveats = d.caveat_prices();
        Page {
            d,
            title: format!("Log cost report — {}", d.month),
            period: period(d),
            kpis: kpis(d),
            mom: month_over_month(d),
            paths_chart: paths::build(d),
            savings_chart: savings::build(d),
            breakeven_chart: breakeven::build(d),
            paths_table: tables::PathsTable::new(d),
            accounts: tables::accounts(d),
            group_lines: groups.rows.iter().map(|g| GroupLine::new(g, d)).collect(),
            groups,
            reconciliation: d.actuals.as_ref().map(tables::Reconciliation::new),
            showback: d
                .billing
                .showback
                .as_ref()
                .map(|s| tables::ShowbackSection::new(s, d)),
            prices: d
                .prices
                .iter()
                .map(|p| PriceLine::new(p, &caveats))
                .collect(),
            caveat_ids: caveats
                .iter()
                .map(|p| p.id.clone())
                .collect::<BTreeSet<_>>()
                .into_iter()
                .collect(),
            caveat_count: caveats.len(),
        }
    }

    /// Accounts or regions for the header, `—` when there are none.
    pub fn list(&self, v: &[String]) -> String {
        if v.is_empty() {
            "—".to_string()
        } else {
            v.join(", ")
        }
    }

    /// The path totals that are not available, for the footnotes.
    pub fn unavailable(&self) -> Vec<&PathTotal> {
        self.d
            .paths
            .iter()
            .filter(|p| p.total_usd.is_none())
            .collect()
    }

    /// `part` as a share of today's total (`80.8%`), `n/a` when today costs nothing.
    pub fn share(&self, part: &MicroUsd) -> String {
        format::percent(*part, self.d.today_total_usd).unwrap_or_else(|| "n/a".into())
    }

    /// How much more than today the cheapest single path costs (when every path costs more).
    pub fn extra_cost(&self) -> MicroUsd {
        MicroUsd(-self.d.best_path_savings_usd.0)
    }

    /// What this run's API calls cost, to the hundredth of a cent.
    pub fn api_cost(&self) -> String {
        self.d
            .api
            .as_ref()
            .map_or_else(String::new, |a| format::usd_digits(a.cost_usd, 4))
    }

    /// (title, short title) of every path, for the groups table's columns.
    pub fn path_heads(&self) -> Vec<(&'static str, &'static str)> {
        crate::model::Path::ALL
            .iter()
            .map(|p| (p.title(), super::style::short_title(*p)))
            .collect()
    }

    pub fn api_calls(&self) -> u64 {
        self.d.api.as_ref().map_or(0, |a| a.calls.values().sum())
    }

    /// Attempts AWS throttled for one action (0 when none).
    pub fn throttled(&self, action: &str) -> u64 {
        self.d
            .api
            .as_ref()
            .and_then(|a| a.throttled.get(action).copied())
            .unwrap_or(0)
    }

    pub fn throttled_total(&self) -> u64 {
        self.d
            .api
            .as_ref()
            .map_or(0, |a| a.throttled.values().sum())
    }
}

fn period(d: &ReportData) -> String {
    d.period.statement.clone()
}

fn tone(m: MicroUsd) -> &'static str {
    match m.0.signum() {
        1 => "good",
        -1 => "bad",
        _ => "",
    }
}

fn kpis(d: &ReportData) -> Vec<Kpi> {
    let share = |m: MicroUsd| {
        format::percent(m, d.today_total_usd)
            .map(|p| format!("{p} of today"))
            .unwrap_or_default()
    };
    vec![
        Kpi {
            label: "Today",
            value: d.today_total_usd,
            tone: "",
            sub: "each log group on its current path".into(),
        },
        Kpi {
            label: "Cheapest single path",
            value: d.best_path_total_usd,
            tone: "",
            sub: format!("everything on {}", d.best_path.title()),
        },
        Kpi {
            label: "Saving: cheapest path",
            value: d.best_path_savings_usd,
            tone: tone(d.best_path_savings_usd),
            sub: format!(
                "{} · {} a year",
                share(d.best_path_savings_usd),
                MicroUsd(d.best_path_savings_usd.0.saturating_mul(12))
            ),
        },
        Kpi {
            label: "Saving: recommended",
            value: d.recommendation.savings_usd,
            tone: tone(d.recommendation.savings_usd),
            sub: format!(
                "{} · {}, {} in total",
                share(d.recommendation.savings_usd),
                match d.recommendation.choice {
                    crate::model::Choice::Today => "today's setup".to_string(),
                    crate::model::Choice::Path(p) => format!("everything on {}", p.title()),
                    crate::model::Choice::Mix => "each group on its own cheapest path".to_string(),
                },
                d.recommendation.total_usd
            ),
        },
    ]
}

fn mom_row(label: &str, then: Option<&String>, now: Option<MicroUsd>, strong: bool) -> MomRow {
    let then_m = then.and_then(|s| super::data::parse_usd(s));
    let (diff, rel) = match (then_m, now) {
        (Some(a), Some(b)) => (
            format::signed_usd(b - a),
            format::signed_percent(b - a, a).unwrap_or_else(|| "—".into()),
        ),
        _ => ("—".into(), "—".into()),
    };
    MomRow {
        label: label.to_string(),
        then: match (then, then_m) {
            (_, Some(m)) => m.to_string(),
            (Some(raw), None) => raw.clone(),
            (None, None) => "n/a".into(),
        },
        now: now.map_or("n/a".to_string(), |m| m.to_string()),
        diff,
        rel,
        strong,
    }
}

fn month_over_month(d: &ReportData) -> Vec<MomRow> {
    let Some(prev) = &d.previous else {
        return Vec::new();
    };
    let mut rows = vec![mom_row(
        "Today (current setup)",
        Some(&prev.today_total_usd),
        Some(d.today_total_usd),
        true,
    )];
    let mut shown = BTreeSet::new();
    for p in &d.paths {
        let key = p.path.as_str();
        let then = prev
            .path_totals
            .get(key)
            .or_else(|| prev.path_totals.get(p.title.as_str()));
        if then.is_none() && p.total_usd.is_none() {
            continue;
        }
        shown.insert(key.to_string());
        shown.insert(p.title.clone());
        rows.push(mom_row(&p.title, then, p.total_usd, false));
    }
    for (k, v) in &prev.path_totals {
        if !shown.contains(k) {
            rows.push(mom_row(k, Some(v), None, false));
        }
    }
    rows
}

#[cfg(test)]
pub(crate) mod tests;
