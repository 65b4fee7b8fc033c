//! `summary.md`: the page a finance reader opens first, rendered from `templates/summary.md`.
//! Totals per path and today, what the best switch saves, the top groups, break-even in plain
//! words, assumptions, and which prices are unconfirmed or overridden. Every value goes through
//! [`Cell`], so a `|` or a line break in the data cannot break a table.

use askama::Template;
use rust_decimal::Decimal;

use super::data::{GroupRow, PriceUsed, ReportData};
use super::html::tables::Reconciliation;
use super::select::top_by;
use crate::error::{Error, Result};
use crate::format;
use crate::money::MicroUsd;
use crate::pricing::Status;

/// Markdown table cell escaping: a pipe would end the cell, a line break the row.
#[derive(Clone, Copy, Debug, Default)]
pub struct Cell;

impl askama::filters::Escaper for Cell {
    fn write_escaped_str<W: std::fmt::Write>(&self, mut dest: W, s: &str) -> std::fmt::Result {
        let mut last = 0;
        for (i, b) in s.bytes().enumerate() {
            let with = match b {
                b'|' => "\\|",
                b'\n' | b'\r' => " ",
                _ => continue,
            };
            dest.write_str(&s[last..i])?;
            dest.write_str(with)?;
            last = i + 1;
        }
        dest.write_str(&s[last..])
    }
}

/// How many groups the summary lists in each ranking.
const TOP: usize = 10;

#[derive(Template)]
#[template(path = "summary.md")]
pub struct Summary<'a> {
    pub d: &'a ReportData,
    pub by_savings: Vec<&'a GroupRow>,
    pub by_cost: Vec<&'a GroupRow>,
    /// (label, then, now) of the month-over-month rows whose figures both parse.
    pub mom: Vec<(String, MicroUsd, MicroUsd)>,
    pub caveats: Vec<CaveatLine>,
    pub reconciliation: Option<Reconciliation>,
    pub showback: Option<super::html::tables::ShowbackSection>,
}

/// A price to double-check.
pub struct CaveatLine {
    pub id: String,
    pub region: String,
    pub value: String,
    pub status: String,
    pub source: String,
}

pub fn render(d: &ReportData) -> Result<String> {
    Summary::new(d)
        .render()
        .map_err(|e| Error::Internal(format!("summary.md: {e}")))
}

impl<'a> Summary<'a> {
    pub fn new(d: &'a ReportData) -> Summary<'a> {
        let by_name = |a: &&GroupRow, b: &&GroupRow| a.log_group.cmp(&b.log_group);
        Summary {
            d,
            by_savings: top_by(d.groups.iter().collect(), TOP, |a, b| {
                b.savings_usd.cmp(&a.savings_usd).then(by_name(a, b))
            }),
            by_cost: top_by(d.groups.iter().collect(), TOP, |a, b| {
                b.today_usd.cmp(&a.today_usd).then(by_name(a, b))
            }),
            mom: month_over_month(d),
            caveats: d.caveat_prices().into_iter().map(caveat).collect(),
            reconciliation: d.actuals.as_ref().map(Reconciliation::new),
            showback: d
                .billing
                .showback
                .as_ref()
                .map(|s| super::html::tables::ShowbackSection::new(s, d)),
        }
    }

    /// A path's components as a sum: `a $1.00 + b $2.00`.
    pub fn parts(&self, components: &[(String, MicroUsd)]) -> String {
        let parts: Vec<String> = components.iter().map(|(c, m)| format!("{c} {m}")).collect();
        parts.join(" + ")
    }

    pub fn yearly(&self, m: &MicroUsd) -> MicroUsd {
        MicroUsd(m.0 * 12)
    }

    /// A group's monthly volume in GiB, one decimal.
    pub fn gib(&self, g: &GroupRow) -> String {
        format::gib(g.incoming_bytes, 1)
    }

    /// What this run's API calls cost, to the hundredth of a cent.
    pub fn api_cost(&self) -> String {
        self.d
            .api
            .as_ref()
            .map_or_else(String::new, |a| format::usd_digits(a.cost_usd, 4))
    }

    pub fn api_calls(&self) -> u64 {
        self.d.api.as_ref().map_or(0, |a| a.calls.values().sum())
    }

    /// One decimal, as the model rounded it, with thousands separators.
    pub fn dp1(&self, d: &Decimal) -> String {
        format::decimal(d.round_dp(1))
    }
}

fn month_over_month(d: &ReportData) -> Vec<(String, MicroUsd, MicroUsd)> {
    let Some(prev) = &d.previous else {
        return Vec::new();
    };
    let mut rows = Vec::new();
    if let Some(then) = super::data::parse_usd(&prev.today_total_usd) {
        rows.push(("Today".to_string(), then, d.today_total_usd));
    }
    for p in &d.paths {
        if let (Some(now), Some(then)) = (
            p.total_usd,
            prev.path_totals
                .get(p.path.as_str())
                .and_then(|s| super::data::parse_usd(s)),
        ) {
            rows.push((p.title.clone(), then, now));
        }
    }
    rows
}

fn caveat(p: &PriceUsed) -> CaveatLine {
    let status = match &p.book_prices {
        Some(b) if p.status != Status::Override => {
            let b: Vec<String> = b.iter().map(|v| v.normalize().to_string()).collect();
            format!("{} (book: {}, discounted)", p.status, b.join("/"))
        }
        _ => p.status.to_string(),
    };
    // Allowances (free tiers) are quantities, not prices.
    let value = if p.id.contains("free") {
        let v: Vec<String> = p
            .prices
            .iter()
            .map(|v| format::quantity_of(*v, &p.unit))
            .collect();
        format!("{} free", v.join(" / "))
    } else {
        let v: Vec<String> = p.prices.iter().map(|v| format::price(*v)).collect();
        format!("${} per {}", v.join(" / "), p.unit)
    };
    CaveatLine {
        id: p.id.clone(),
        region: p.region.clone(),
        value,
        status,
        source: p.source.clone(),
    }
}
