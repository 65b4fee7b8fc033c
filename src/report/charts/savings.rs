//! Chart 2: the ten log groups that would save the most on their own cheapest path.

use super::{Frame, Line, Px, Scale, Tick, ellipsize, usd_f};
use crate::money::MicroUsd;
use crate::report::data::{GroupRow, ReportData};

const W: f64 = 960.0;
const X0: f64 = 330.0;
const X1: f64 = 670.0;
const TOP: f64 = 8.0;
const ROW: f64 = 30.0;
const BAR: f64 = 18.0;

#[derive(Debug)]
pub struct SavingsChart {
    pub frame: Frame,
    pub ticks: Vec<Tick>,
    pub rows: Vec<SavingRow>,
    pub zero: Line,
}

#[derive(Debug)]
pub struct SavingRow {
    pub tip: String,
    pub name_x: Px,
    pub name_y: Px,
    pub name: String,
    pub bar: (Px, Px, Px, Px),
    pub value_x: Px,
    pub savings: MicroUsd,
    pub best: &'static str,
}

/// The groups that save most, largest first (ties by name, region, account).
pub fn top(d: &ReportData, n: usize) -> Vec<&GroupRow> {
    let saving: Vec<&GroupRow> = d.groups.iter().filter(|g| g.savings_usd.0 > 0).collect();
    crate::report::select::top_by(saving, n, |a, b| {
        b.savings_usd
            .cmp(&a.savings_usd)
            .then_with(|| a.log_group.cmp(&b.log_group))
            .then_with(|| a.region.cmp(&b.region))
            .then_with(|| a.account_id.cmp(&b.account_id))
    })
}

/// `None` when no group would save anything (the template then says so).
pub fn build(d: &ReportData) -> Option<SavingsChart> {
    let top = top(d, 10);
    if top.is_empty() {
        return None;
    }
    let max = top.iter().map(|g| usd_f(g.savings_usd)).fold(0.0, f64::max);
    let scale = Scale::nice(0.0, max, 5);
    let plot_h = top.len() as f64 * ROW;
    let rows = top
        .iter()
        .enumerate()
        .map(|(i, g)| {
            let y = TOP + i as f64 * ROW + (ROW - BAR) / 2.0;
            let mid = y + BAR / 2.0;
            let b = scale.at(usd_f(g.savings_usd), X0, X1);
            SavingRow {
                tip: format!(
                    "{} ({}, account {}): today {} on {}, {} on {}, saves {} a month",
                    g.log_group,
                    g.region,
                    g.account_id,
                    g.today_usd,
                    g.today_path.title(),
                    g.best_usd,
                    g.best_path.title(),
                    g.savings_usd
                ),
                name_x: Px(X0 - 10.0),
                name_y: Px(mid + 4.0),
                name: ellipsize(&g.log_group, 44),
                bar: (Px(X0), Px(y), Px((b - X0).max(0.5)), Px(BAR)),
                value_x: Px(b + 8.0),
                savings: g.savings_usd,
                best: g.best_path.title(),
            }
        })
        .collect();
    Some(SavingsChart {
        frame: Frame {
            w: Px(W),
            h: Px(TOP + plot_h + 30.0),
            id: "chart-savings",
            title: "Top log groups by monthly savings",
        },
        ticks: scale.x_ticks(
            (X0, X1),
            (TOP, TOP + plot_h),
            "grid",
            18.0,
            crate::format::compact_usd,
        ),
        rows,
        zero: Line::new(X0, TOP - 2.0, X0, TOP + plot_h),
    })
}

/// The frame of the empty chart.
pub const EMPTY: Frame = Frame {
    w: Px(W),
    h: Px(50.0),
    id: "chart-savings",
    title: "Top log groups by savings",
};
