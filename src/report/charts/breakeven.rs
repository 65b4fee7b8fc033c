//! Chart 3: CloudWatch's monthly cost rising with Logs Insights scanning, against the Datadog
//! paths' flat totals; where they cross is the break-even scan volume.

use rust_decimal::Decimal;

use super::{Frame, Line, Px, Scale, Tick, dec_f, usd_f};
use crate::format::{compact, fixed, price};
use crate::model::Path;
use crate::money::MicroUsd;
use crate::report::data::ReportData;
use crate::report::style::path_style;

const W: f64 = 960.0;
const X0: f64 = 70.0;
const X1: f64 = 680.0;
const Y0: f64 = 30.0;
const Y1: f64 = 320.0;
const H: f64 = 366.0;

#[derive(Debug)]
pub struct BreakevenChart {
    pub frame: Frame,
    pub y_grid: Vec<Tick>,
    pub x_ticks: Vec<Tick>,
    pub axis: Line,
    /// (x, y) of the x-axis title and of the y-axis title.
    pub x_title: (Px, Px),
    pub y_title: (Px, Px),
    pub flat: Vec<FlatLine>,
    pub cloudwatch: Line,
    pub cw_colour: &'static str,
    pub cw_tip: String,
    /// x of the lines' names, and (y, text, colour) of each at the right edge.
    pub label_x: Px,
    pub labels: Vec<(Px, String, &'static str)>,
    pub current: Option<Current>,
    pub crossings: Vec<Crossing>,
    /// The caption's opening figures: base cost, price per GiB, GiB scanned now.
    pub base: MicroUsd,
    pub rate: String,
    pub current_gib: String,
    pub caption: Vec<Sentence>,
}

#[derive(Debug)]
pub struct FlatLine {
    pub line: Line,
    pub colour: &'static str,
    pub dash: Option<&'static str>,
    pub tip: String,
}

#[derive(Debug)]
pub struct Current {
    pub line: Line,
    pub dot: (Px, Px),
    pub cost: MicroUsd,
    pub label: (Px, Px),
    pub anchor: &'static str,
    pub gib: String,
}

#[derive(Debug)]
pub struct Crossing {
    pub at: (Px, Px),
    pub colour: &'static str,
    pub tip: String,
    pub label: (Px, Px),
    pub gib: String,
}

/// Where each Datadog path's flat total meets CloudWatch's rising line, in exact decimals.
fn crossings(d: &ReportData) -> Vec<(Path, MicroUsd, Option<Decimal>)> {
    let c = &d.breakeven_curve;
    let (base, rate) = (c.cloudwatch_base_usd, c.scan_usd_per_gib);
    c.datadog
        .iter()
        .map(|(p, total)| {
            let x = (rate > Decimal::ZERO && *total >= base)
                .then(|| Decimal::from(total.0 - base.0) / Decimal::from(1_000_000) / rate);
            (*p, *total, x)
        })
        .collect()
}

/// The two scales: scan volume across, money up.
fn scales(d: &ReportData, cross: &[(Path, MicroUsd, Option<Decimal>)]) -> (Scale, Scale) {
    let c = &d.breakeven_curve;
    let largest = cross.iter().filter_map(|c| c.2).max().unwrap_or_default();
    let mut x_max = (2.0 * dec_f(c.current_scan_gib)).max(1.2 * dec_f(largest));
    if x_max <= 0.0 {
        x_max = 100.0;
    }
    let xs = Scale::nice(0.0, x_max, 6);
    let base = usd_f(c.cloudwatch_base_usd);
    let cw_end = base + xs.hi * dec_f(c.scan_usd_per_gib);
    let mut y_lo = 0.0f64.min(base).min(cw_end);
    let mut y_hi = base.max(cw_end);
    for (_, t, _) in cross {
        y_lo = y_lo.min(usd_f(*t));
        y_hi = y_hi.max(usd_f(*t));
    }
    (xs, Scale::nice(y_lo, y_hi * 1.04, 5))
}

pub fn build(d: &ReportData) -> BreakevenChart {
    let c = &d.breakeven_curve;
    let cross = crossings(d);
    let (xs, ys) = scales(d, &cross);
    let sx = |v: f64| xs.at(v, X0, X1);
    let sy = |v: f64| ys.at(v, Y1, Y0);
    let rate_f = dec_f(c.scan_usd_per_gib);
    let cw_at = |x: f64| usd_f(c.cloudwatch_base_usd) + x * rate_f;
    let axis_y = sy(0.0f64.max(ys.lo));
    let (cw_colour, _) = path_style(Path::Cloudwatch);
    let mut flat = Vec::new();
    let mut labels = Vec::new();
    for (p, total, _) in &cross {
        let y = sy(usd_f(*total));
        let (colour, dash) = path_style(*p);
        flat.push(FlatLine {
            line: Line::new(X0, y, X1, y),
            colour,
            dash,
            tip: format!("{}: {}", p.title(), total),
        });
        labels.push((y, format!("{} {}", p.title(), total), colour));
    }
    labels.push((
        sy(cw_at(xs.hi)),
        Path::Cloudwatch.title().to_string(),
        cw_colour,
    ));
    BreakevenChart {
        frame: Frame {
            w: Px(W),
            h: Px(H),
            id: "chart-breakeven",
            title: "Monthly cost against Logs Insights GiB scanned",
        },
        y_grid: ys.y_grid((X0, X1), (Y1, Y0)),
        x_ticks: xs.x_ticks((X0, X1), (Y1, Y1 + 5.0), "tick", 14.0, compact),
        axis: Line::new(X0, axis_y, X1, axis_y),
        x_title: (Px((X0 + X1) / 2.0), Px(H - 6.0)),
        y_title: (Px(X0 - 8.0 - 40.0), Px(Y0 - 14.0)),
        flat,
        cloudwatch: Line::new(sx(0.0), sy(cw_at(0.0)), sx(xs.hi), sy(cw_at(xs.hi))),
        cw_colour,
        cw_tip: format!(
            "{}: {} plus ${} per GiB scanned",
            Path::Cloudwatch.title(),
            c.cloudwatch_base_usd,
            price(c.scan_usd_per_gib)
        ),
        label_x: Px(X1 + 8.0),
        labels: stack_labels(labels),
        current: current(d, &sx, &sy, &cw_at),
        crossings: crossing_marks(&cross, &sx, &sy),
        base: c.cloudwatch_base_usd,
        rate: price(c.scan_usd_per_gib),
        current_gib: fixed(c.current_scan_gib, 1),
        caption: caption(d, &cross),
    }
}

/// Names at the right edge, pushed apart so that none overlaps, kept above the x axis.
fn stack_labels(mut labels: Vec<(f64, String, &'static str)>) -> Vec<(Px, String, &'static str)> {
    labels.sort_by(|a, b| a.0.total_cmp(&b.0));
    for i in 1..labels.len() {
        if labels[i].0 - labels[i - 1].0 < 15.0 {
            labels[i].0 = labels[i - 1].0 + 15.0;
        }
    }
    if let Some(last) = labels.last().map(|l| l.0)
        && last > Y1 + 10.0
    {
        let shift = last - (Y1 + 10.0);
        for l in &mut labels {
            l.0 -= shift;
        }
    }
    labels
        .into_iter()
        .map(|(y, t, c)| (Px(y + 4.0), t, c))
        .collect()
}

/// Today's scan volume, as a dashed line with CloudWatch's cost there.
fn current(
    d: &ReportData,
    sx: &dyn Fn(f64) -> f64,
    sy: &dyn Fn(f64) -> f64,
    cw_at: &dyn Fn(f64) -> f64,
) -> Option<Current> {
    let c = &d.breakeven_curve;
    if c.current_scan_gib <= Decimal::ZERO {
        return None;
    }
    let cur_f = dec_f(c.current_scan_gib);
    let x = sx(cur_f);
    let anchor = if x > X1 - 140.0 { "end" } else { "start" };
    let dx = if anchor == "end" { -6.0 } else { 6.0 };
    let micros = (cur_f * dec_f(c.scan_usd_per_gib) * 1e6).round() as i64;
    Some(Current {
        line: Line::new(x, Y0, x, Y1),
        dot: (Px(x), Px(sy(cw_at(cur_f)))),
        cost: MicroUsd(c.cloudwatch_base_usd.0 + micros),
        label: (Px(x + dx), Px(Y0 + 10.0)),
        anchor,
        gib: compact(cur_f),
    })
}

/// Crossing markers, labels placed above the point, or below when they would touch a label
/// already placed, then beside.
fn crossing_marks(
    cross: &[(Path, MicroUsd, Option<Decimal>)],
    sx: &dyn Fn(f64) -> f64,
    sy: &dyn Fn(f64) -> f64,
) -> Vec<Crossing> {
    let mut points: Vec<(Path, MicroUsd, Decimal)> = cross
        .iter()
        .filter_map(|(p, t, x)| x.map(|x| (*p, *t, x)))
        .collect();
    points.sort_by(|a, b| a.2.cmp(&b.2).then(a.0.cmp(&b.0)));
    let mut placed: Vec<(f64, f64)> = Vec::new();
    let spots = [
        (0.0, -11.0),
        (0.0, 20.0),
        (-62.0, -11.0),
        (62.0, 20.0),
        (-62.0, 20.0),
        (62.0, -11.0),
    ];
    points
        .iter()
        .map(|(p, total, x)| {
            let (colour, _) = path_style(*p);
            let (px, py) = (sx(dec_f(*x)), sy(usd_f(*total)));
            let clash = |lx: f64, ly: f64, placed: &[(f64, f64)]| {
                placed
                    .iter()
                    .any(|(qx, qy)| (qx - lx).abs() < 64.0 && (qy - ly).abs() < 13.0)
            };
            let (lx, ly) = spots
                .iter()
                .map(|(dx, dy)| (px + dx, py + dy))
                .find(|(lx, ly)| !clash(*lx, *ly, &placed))
                .unwrap_or((px, py + 20.0 + 13.0 * placed.len() as f64));
            placed.push((lx, ly));
            Crossing {
                at: (Px(px), Px(py)),
                colour,
                tip: format!(
                    "{} breaks even at {} GiB scanned a month",
                    p.title(),
                    fixed(*x, 1)
                ),
                label: (Px(lx), Px(ly)),
                gib: compact(dec_f(*x)),
            }
        })
        .collect()
}

/// One sentence of the caption per Datadog path; the words are in the template.
#[derive(Debug)]
pub enum Sentence {
    /// Breaks even at `gib` GiB a month (`times` today's scanning, when there is some).
    Breaks {
        title: &'static str,
        total: MicroUsd,
        gib: String,
        times: Option<String>,
    },
    /// Cheaper than CloudWatch even with no scanning.
    Cheaper {
        title: &'static str,
        total: MicroUsd,
    },
    /// No Insights price: the lines never cross.
    NoPrice {
        title: &'static str,
        total: MicroUsd,
    },
}

fn caption(d: &ReportData, cross: &[(Path, MicroUsd, Option<Decimal>)]) -> Vec<Sentence> {
    let current = d.breakeven_curve.current_scan_gib;
    let rate = d.breakeven_curve.scan_usd_per_gib;
    cross
        .iter()
        .map(|(p, total, x)| {
            let (title, total) = (p.title(), *total);
            match x {
                Some(x) => Sentence::Breaks {
                    title,
                    total,
                    gib: fixed(*x, 1),
                    times: (current > Decimal::ZERO).then(|| fixed(*x / current, 2)),
                },
                None if rate > Decimal::ZERO => Sentence::Cheaper { title, total },
                None => Sentence::NoPrice { title, total },
            }
        })
        .collect()
}
