//! The report's charts as geometry: what to draw where, computed from [`ReportData`]. The SVG
//! markup lives in `templates/charts/`, so every label goes through the template's escaping.
//! Every axis comes from the one helper here, [`Scale`], which picks round ticks and maps
//! values to pixels. Coordinates are [`Px`], printed with at most two decimals so the page is
//! deterministic and small.
//!
//! [`ReportData`]: super::data::ReportData

pub mod breakeven;
pub mod paths;
pub mod savings;

use std::fmt;

use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use crate::money::MicroUsd;

/// A coordinate: at most two decimals, without trailing zeros or "-0".
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Px(pub f64);

impl fmt::Display for Px {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.0.is_finite() {
            return f.write_str("0");
        }
        let s = format!("{:.2}", self.0);
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" || s.is_empty() {
            f.write_str("0")
        } else {
            f.write_str(s)
        }
    }
}

/// The `<svg>` element's frame: size, id and accessible title.
#[derive(Debug)]
pub struct Frame {
    pub w: Px,
    pub h: Px,
    pub id: &'static str,
    pub title: &'static str,
}

/// One tick: its line (grid or tick mark) and its label.
#[derive(Debug)]
pub struct Tick {
    pub class: &'static str,
    pub x1: Px,
    pub y1: Px,
    pub x2: Px,
    pub y2: Px,
    pub lx: Px,
    pub ly: Px,
    pub anchor: &'static str,
    pub label: String,
}

/// A straight line with an optional tooltip.
#[derive(Debug)]
pub struct Line {
    pub x1: Px,
    pub y1: Px,
    pub x2: Px,
    pub y2: Px,
}

impl Line {
    pub fn new(x1: f64, y1: f64, x2: f64, y2: f64) -> Line {
        Line {
            x1: Px(x1),
            y1: Px(y1),
            x2: Px(x2),
            y2: Px(y2),
        }
    }
}

/// Axis scale with "nice" round ticks covering [lo, hi].
#[derive(Debug, Clone)]
pub struct Scale {
    pub lo: f64,
    pub hi: f64,
    pub ticks: Vec<f64>,
}

impl Scale {
    /// About `target` round steps (1, 2, 2.5 or 5 times a power of ten) from below `lo` to
    /// above `hi`.
    pub fn nice(lo: f64, hi: f64, target: usize) -> Scale {
        let (lo, hi) = if !(lo.is_finite() && hi.is_finite()) || hi - lo <= 0.0 {
            (lo.min(0.0), if hi > 0.0 { hi } else { lo.min(0.0) + 1.0 })
        } else {
            (lo, hi)
        };
        let raw = (hi - lo) / target.max(1) as f64;
        let mag = 10f64.powf(raw.log10().floor());
        let step = match raw / mag {
            r if r <= 1.0 => 1.0,
            r if r <= 2.0 => 2.0,
            r if r <= 2.5 => 2.5,
            r if r <= 5.0 => 5.0,
            _ => 10.0,
        } * mag;
        let first = (lo / step).floor() as i64;
        let last = (hi / step).ceil() as i64;
        let ticks: Vec<f64> = (first..=last).map(|k| k as f64 * step).collect();
        Scale {
            lo: first as f64 * step,
            hi: last as f64 * step,
            ticks,
        }
    }

    /// Start the scale just below `lo` (rather than at a round tick) when `lo` is negative, and
    /// drop the ticks that fall outside.
    pub fn tighten_low(&mut self, lo: f64, hi: f64) {
        if lo < 0.0 {
            self.lo = lo - 0.04 * (hi - lo);
            let min = self.lo;
            self.ticks.retain(|t| *t >= min);
        }
    }

    /// Position of `v` in the scale, 0 at `lo` and 1 at `hi`.
    pub fn frac(&self, v: f64) -> f64 {
        if self.hi > self.lo {
            (v - self.lo) / (self.hi - self.lo)
        } else {
            0.0
        }
    }

    /// `v` as a pixel between `from` (at `lo`) and `to` (at `hi`); `to` may be less than
    /// `from` for a vertical axis that grows upwards.
    pub fn at(&self, v: f64, from: f64, to: f64) -> f64 {
        from + self.frac(v) * (to - from)
    }

    /// Ticks along a horizontal axis from `x0` to `x1`: lines from `top` to `bottom` (grid
    /// lines, or tick marks below the plot), labels centred `label_dy` below `bottom`.
    pub fn x_ticks(
        &self,
        (x0, x1): (f64, f64),
        (top, bottom): (f64, f64),
        class: &'static str,
        label_dy: f64,
        label: fn(f64) -> String,
    ) -> Vec<Tick> {
        self.ticks
            .iter()
            .map(|t| {
                let x = self.at(*t, x0, x1);
                Tick {
                    class,
                    x1: Px(x),
                    y1: Px(top),
                    x2: Px(x),
                    y2: Px(bottom),
                    lx: Px(x),
                    ly: Px(bottom + label_dy),
                    anchor: "middle",
                    label: label(*t),
                }
            })
            .collect()
    }

    /// Grid lines across a vertical axis from `y0` (at `lo`) to `y1` (at `hi`), labels
    /// right-aligned left of `x0`.
    pub fn y_grid(&self, (x0, x1): (f64, f64), (y0, y1): (f64, f64)) -> Vec<Tick> {
        self.ticks
            .iter()
            .map(|t| {
                let y = self.at(*t, y0, y1);
                Tick {
                    class: "grid",
                    x1: Px(x0),
                    y1: Px(y),
                    x2: Px(x1),
                    y2: Px(y),
                    lx: Px(x0 - 8.0),
                    ly: Px(y + 4.0),
                    anchor: "end",
                    label: crate::format::compact_usd(*t),
                }
            })
            .collect()
    }
}

/// Money as a float, for geometry only: totals are always printed from the integer amount.
pub fn usd_f(m: MicroUsd) -> f64 {
    m.0 as f64 / 1e6
}

pub fn dec_f(d: Decimal) -> f64 {
    d.to_f64().unwrap_or(0.0)
}

/// Shorten to `max` characters with an ellipsis in the middle: log group names differ most at
/// their ends (`/aws/lambda/…-payments-worker`).
pub fn ellipsize(s: &str, max: usize) -> String {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() <= max || max < 5 {
        return s.to_string();
    }
    let tail = (max - 1) * 3 / 5;
    let head = max - 1 - tail;
    let mut out: String = chars[..head].iter().collect();
    out.push('…');
    out.extend(&chars[chars.len() - tail..]);
    out
}

/// A bar's label, right-aligned against the plot, with an optional second line.
#[derive(Debug)]
pub struct RowLabel {
    pub x: Px,
    /// `lbl` or `lbl strong`.
    pub class: &'static str,
    pub y: Px,
    pub text: String,
    /// (y, text, tone class) of the second line.
    pub sub: Option<(Px, String, &'static str)>,
}

impl RowLabel {
    pub fn new(
        x0: f64,
        mid: f64,
        text: &str,
        sub: Option<(&str, &'static str)>,
        bold: bool,
    ) -> Self {
        let class = if bold { "lbl strong" } else { "lbl" };
        let x = Px(x0 - 12.0);
        match sub {
            Some((s, tone)) => RowLabel {
                x,
                class,
                y: Px(mid - 1.0),
                text: text.to_string(),
                sub: Some((Px(mid + 12.0), s.to_string(), tone)),
            },
            None => RowLabel {
                x,
                class,
                y: Px(mid + 4.5),
                text: text.to_string(),
                sub: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_and_scales() {
        assert_eq!(Px(1.0 / 3.0).to_string(), "0.33");
        assert_eq!(Px(-0.001).to_string(), "0");
        assert_eq!(Px(12.0).to_string(), "12");
        assert_eq!(Px(f64::NAN).to_string(), "0");
        // 3,740 in about 6 steps: raw step 623 -> 1,000; ticks 0..4,000.
        let s = Scale::nice(0.0, 3740.0, 6);
        assert_eq!(s.ticks, vec![0.0, 1000.0, 2000.0, 3000.0, 4000.0]);
        assert_eq!(s.at(1000.0, 100.0, 500.0), 200.0);
        // A vertical axis grows upwards: `lo` at the bottom pixel.
        assert_eq!(s.at(0.0, 320.0, 30.0), 320.0);
        let ticks = s.x_ticks(
            (100.0, 500.0),
            (10.0, 90.0),
            "grid",
            18.0,
            crate::format::compact_usd,
        );
        assert_eq!(ticks[1].label, "$1k");
        assert_eq!(ticks[1].ly, Px(108.0));
        assert_eq!(ellipsize("abcdefghij", 6), "ab…hij");
    }

    #[test]
    fn credits_tighten_the_low_end() {
        // -10..1000: a full step of 200 left of zero would waste a sixth of the width.
        let mut s = Scale::nice(-10.0, 1000.0, 6);
        assert_eq!(s.lo, -200.0);
        s.tighten_low(-10.0, 1000.0);
        assert!((s.lo - (-10.0 - 0.04 * 1010.0)).abs() < 1e-9);
        assert_eq!(s.ticks.first(), Some(&0.0));
    }
}
