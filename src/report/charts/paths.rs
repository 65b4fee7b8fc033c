//! Chart 1: each path's monthly cost, stacked by component, against today's total. Credits
//! (free tiers) are negative and drawn hatched left of zero, with a tick at the net total.

use super::{Frame, Line, Px, RowLabel, Scale, Tick, usd_f};
use crate::money::MicroUsd;
use crate::report::data::{PathTotal, ReportData};
use crate::report::style::{FALLBACK, component_colour, component_label};

const W: f64 = 960.0;
const X0: f64 = 200.0;
const X1: f64 = 740.0;
const TOP: f64 = 10.0;
const ROW: f64 = 44.0;
const BAR: f64 = 22.0;

#[derive(Debug)]
pub struct PathsChart {
    pub frame: Frame,
    pub ticks: Vec<Tick>,
    pub today: MicroUsd,
    pub today_ref: Line,
    pub today_label: RowLabel,
    pub today_bar: Bar,
    pub today_value: (Px, Px),
    pub rows: Vec<PathRow>,
    pub zero: Line,
    /// (label, colour) in order of first appearance.
    pub legend: Vec<(String, String)>,
    pub has_credit: bool,
    /// (title, reason) of the paths that are not available.
    pub unavailable: Vec<(String, String)>,
}

/// A segment of a bar; `fill` is `None` for a credit (hatched).
#[derive(Debug)]
pub struct Bar {
    pub x: Px,
    pub y: Px,
    pub w: Px,
    pub h: Px,
    pub fill: Option<String>,
    pub tip: String,
    pub value: MicroUsd,
}

#[derive(Debug)]
pub struct PathRow {
    pub label: RowLabel,
    pub body: RowBody,
}

#[derive(Debug)]
pub enum RowBody {
    /// Not available: where the note goes, the reason whole (tooltip) and shortened.
    Unavailable {
        x: Px,
        y: Px,
        reason: String,
        short: String,
    },
    Bars {
        bars: Vec<Bar>,
        total: MicroUsd,
        /// The net tick and the credits' sum, when there are credits.
        net: Option<(Line, MicroUsd)>,
        value_x: Px,
        /// y of the total, and of the "net, after credits" line under it.
        value_y: Px,
        note_y: Px,
    },
}

/// (sum of positive components, sum of negative components) of a path.
pub fn split_sums(p: &PathTotal) -> (MicroUsd, MicroUsd) {
    let pos = p
        .components
        .iter()
        .filter(|(_, m)| m.0 > 0)
        .map(|(_, m)| *m)
        .sum();
    let neg = p
        .components
        .iter()
        .filter(|(_, m)| m.0 < 0)
        .map(|(_, m)| *m)
        .sum();
    (pos, neg)
}

/// Colours for components in order of first appearance: the family colour where one is
/// defined, else the next fallback.
#[derive(Default)]
struct Legend {
    entries: Vec<(String, String)>,
    next: usize,
}

impl Legend {
    fn colour(&mut self, name: &str) -> String {
        if let Some((_, c)) = self.entries.iter().find(|(n, _)| n == name) {
            return c.clone();
        }
        let c = component_colour(name)
            .map(str::to_string)
            .unwrap_or_else(|| {
                let c = FALLBACK[self.next % FALLBACK.len()].to_string();
                self.next += 1;
                c
            });
        self.entries.push((name.to_string(), c.clone()));
        c
    }
}

pub fn build(d: &ReportData) -> PathsChart {
    let mut lo = 0.0f64;
    let mut hi = usd_f(d.today_total_usd).max(0.0);
    for p in d.paths.iter().filter(|p| p.total_usd.is_some()) {
        let (pos, neg) = split_sums(p);
        lo = lo.min(usd_f(neg));
        hi = hi.max(usd_f(pos));
    }
    let mut scale = Scale::nice(lo, hi, 6);
    // Credits are usually small: a whole tick step of room left of zero would waste the width.
    scale.tighten_low(lo, hi);
    let plot_h = (1 + d.paths.len()) as f64 * ROW;
    let sx = |v: f64| scale.at(v, X0, X1);
    let zero = sx(0.0);
    let today = usd_f(d.today_total_usd);
    let y = TOP + (ROW - BAR) / 2.0;
    let (a, b) = (sx(today.min(0.0)), sx(today.max(0.0)));
    let mut legend = Legend::default();
    let rows = d
        .paths
        .iter()
        .enumerate()
        .map(|(i, p)| path_row(d, &scale, i, p, &mut legend))
        .collect();
    PathsChart {
        frame: Frame {
            w: Px(W),
            h: Px(TOP + plot_h + 30.0),
            id: "chart-paths",
            title: "Monthly cost per path, stacked by component",
        },
        ticks: scale.x_ticks(
            (X0, X1),
            (TOP, TOP + plot_h),
            "grid",
            18.0,
            crate::format::compact_usd,
        ),
        today: d.today_total_usd,
        today_ref: Line::new(sx(today), TOP + ROW - 4.0, sx(today), TOP + plot_h),
        today_label: RowLabel::new(
            X0,
            y + BAR / 2.0,
            "Today",
            Some(("current setup", "muted")),
            true,
        ),
        today_bar: Bar {
            x: Px(a),
            y: Px(y),
            w: Px((b - a).max(0.0)),
            h: Px(BAR),
            fill: None,
            tip: "Today".into(),
            value: d.today_total_usd,
        },
        today_value: (Px(b.max(zero) + 8.0), Px(y + BAR / 2.0 + 4.5)),
        rows,
        zero: Line::new(zero, TOP - 2.0, zero, TOP + plot_h),
        has_credit: d
            .paths
            .iter()
            .any(|p| p.total_usd.is_some() && p.components.iter().any(|(_, m)| m.0 < 0)),
        legend: legend
            .entries
            .into_iter()
            .map(|(n, c)| (component_label(&n), c))
            .collect(),
        unavailable: d
            .paths
            .iter()
            .filter(|p| p.total_usd.is_none())
            .map(|p| (p.title.clone(), reason(p).to_string()))
            .collect(),
    }
}

fn reason(p: &PathTotal) -> &str {
    p.reason.as_deref().unwrap_or("no reason given")
}

fn path_row(
    d: &ReportData,
    scale: &Scale,
    i: usize,
    p: &PathTotal,
    legend: &mut Legend,
) -> PathRow {
    let sx = |v: f64| scale.at(v, X0, X1);
    let y = TOP + (i + 1) as f64 * ROW + (ROW - BAR) / 2.0;
    let mid = y + BAR / 2.0;
    let zero = sx(0.0);
    let Some(total) = p.total_usd else {
        return PathRow {
            label: RowLabel::new(X0, mid, &p.title, Some(("not available", "muted")), false),
            body: RowBody::Unavailable {
                x: Px(zero + 6.0),
                y: Px(mid + 4.0),
                reason: reason(p).to_string(),
                short: super::ellipsize(reason(p), 90),
            },
        };
    };
    let cheapest = p.path == d.best_path;
    let (mut pos_acc, mut neg_acc) = (0.0f64, 0.0f64);
    let mut credits = MicroUsd::ZERO;
    let mut bars = Vec::new();
    for (name, m) in &p.components {
        let v = usd_f(*m);
        // The same float steps as ever: the page stays byte-for-byte reproducible.
        let (a, b, fill) = if m.0 >= 0 {
            let ab = (sx(pos_acc), sx(pos_acc + v));
            pos_acc += v;
            (ab.0, ab.1, Some(legend.colour(name)))
        } else {
            credits = credits + *m;
            let ab = (sx(neg_acc + v), sx(neg_acc));
            neg_acc += v;
            (ab.0, ab.1, None)
        };
        bars.push(Bar {
            x: Px(a),
            y: Px(y),
            w: Px(b - a),
            h: Px(BAR),
            fill,
            tip: component_label(name),
            value: *m,
        });
    }
    let net = (credits.0 != 0).then(|| {
        let x = sx(usd_f(total));
        (Line::new(x, y - 4.0, x, y + BAR + 4.0), credits)
    });
    let value_y = if net.is_some() { mid - 1.0 } else { mid + 4.5 };
    PathRow {
        label: RowLabel::new(
            X0,
            mid,
            &p.title,
            cheapest.then_some(("cheapest", "good")),
            cheapest,
        ),
        body: RowBody::Bars {
            bars,
            total,
            net,
            value_x: Px(sx(pos_acc).max(zero) + 8.0),
            value_y: Px(value_y),
            note_y: Px(mid + 12.0),
        },
    }
}
