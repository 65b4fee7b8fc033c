//! The one way numbers are written for people: money, bytes, counts, quantities, percentages and
//! axis labels, with thousands separators and units. Every rendering (HTML, Markdown, charts,
//! console) calls these, so a figure reads the same wherever it appears. Exact values
//! (`MicroUsd`, `Decimal`, byte counts) are rounded here, once, half away from zero; floats
//! appear only in [`compact`], which labels chart axes. The machine-readable tables write
//! their exact decimals with [`push_plain`] (and money with `MicroUsd::push_decimal`).

use std::borrow::Borrow;

use rust_decimal::{Decimal, RoundingStrategy};

use crate::money::MicroUsd;

pub use crate::money::group_digits;

/// Thousands separators for the whole part of a plain decimal string (`-1234.5` ->
/// `-1,234.5`); the sign and the fraction are kept as they are.
pub fn group(number: &str) -> String {
    let (sign, body) = match number.strip_prefix('-') {
        Some(b) => ("-", b),
        None => ("", number),
    };
    match body.split_once('.') {
        Some((whole, frac)) => format!("{sign}{}.{frac}", group_digits(whole)),
        None => format!("{sign}{}", group_digits(body)),
    }
}

/// A count: `1,840,000`. (Templates pass values by reference, hence `Borrow`.)
pub fn count(n: impl Borrow<u64>) -> String {
    group_digits(&n.borrow().to_string())
}

/// A decimal as it is (its own number of decimals), with thousands separators.
pub fn decimal(d: Decimal) -> String {
    group(&d.to_string())
}

/// A decimal with exactly `dp` decimals and thousands separators (`12,345.6`).
pub fn fixed(d: Decimal, dp: u32) -> String {
    let r = d.round_dp_with_strategy(dp, RoundingStrategy::MidpointAwayFromZero);
    group(&format!("{r:.prec$}", prec = dp as usize))
}

/// Decimals where they matter: two below 10, one below 1,000, none above.
pub fn fixed_auto(d: Decimal) -> String {
    let a = d.abs();
    let dp = if a < Decimal::from(10) {
        2
    } else if a < Decimal::from(1000) {
        1
    } else {
        0
    };
    fixed(d, dp)
}

/// A quantity as written, without trailing zeros: `400,000`, `5`, `0.5`.
pub fn quantity(d: Decimal) -> String {
    let v = d.normalize();
    fixed(v, v.scale())
}

/// A quantity of a unit. A unit that is itself a multiple (`1M requests`) is multiplied
/// rather than repeated: 1 x `1M requests` is `1M requests`, not `1 1M requests`.
pub fn quantity_of(d: Decimal, unit: &str) -> String {
    if let Some((multiple, rest)) = unit.split_once(' ')
        && let Some(suffix) = multiple.strip_prefix('1')
        && matches!(suffix, "K" | "M" | "B")
    {
        return format!("{}{suffix} {rest}", quantity(d));
    }
    format!("{} {unit}", quantity(d))
}

/// A unit price: every decimal it has, at least two (`0.50`, `0.0000133334`).
pub fn price(d: Decimal) -> String {
    let v = d.normalize();
    if v.scale() < 2 {
        group(&format!("{v:.2}"))
    } else {
        group(&v.to_string())
    }
}

/// Bytes as GiB (2^30 bytes, as AWS bills "GB") with `dp` decimals, exact: integer
/// arithmetic, half up.
pub fn gib(bytes: u64, dp: u32) -> String {
    let unit = 10u128.pow(dp);
    let scaled = (u128::from(bytes) * unit * 2 + (1u128 << 30)) >> 31;
    let whole = group_digits(&(scaled / unit).to_string());
    if dp == 0 {
        whole
    } else {
        format!("{whole}.{:0w$}", scaled % unit, w = dp as usize)
    }
}

/// Money to the cent: `$1,234.56`, `-$0.50`.
pub fn usd(m: MicroUsd) -> String {
    m.to_string()
}

/// Money to `digits` decimals (at most six): `$0.0012`.
pub fn usd_digits(m: MicroUsd, digits: usize) -> String {
    format!("{m:.digits$}")
}

/// A difference of money, plus sign on gains: `+$1.00`, `$0.00`, `-$1.00`.
pub fn signed_usd(m: impl Borrow<MicroUsd>) -> String {
    let m = *m.borrow();
    if m.0 > 0 {
        format!("+{m}")
    } else {
        m.to_string()
    }
}

/// `part / whole` as a percentage with one decimal (`12.3%`); `None` when `whole` is zero.
pub fn percent(part: MicroUsd, whole: MicroUsd) -> Option<String> {
    if whole.0 == 0 {
        return None;
    }
    let p = Decimal::from(part.0) * Decimal::from(100) / Decimal::from(whole.0);
    Some(format!("{}%", fixed(p, 1)))
}

/// A change as a percentage of where it started, plus sign on growth: `+2.1%`.
pub fn signed_percent(change: MicroUsd, base: MicroUsd) -> Option<String> {
    percent(change, base).map(|s| {
        if change.0 > 0 && base.0 > 0 {
            format!("+{s}")
        } else {
            s
        }
    })
}

/// A percentage already computed (`30.00` -> `+30.0%`), plus sign when positive; `n/a`
/// when there is none.
pub fn signed_pct(p: Option<Decimal>) -> String {
    match p {
        Some(p) => {
            let t = fixed(p, 1);
            if p.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero) > Decimal::ZERO {
                format!("+{t}%")
            } else {
                format!("{t}%")
            }
        }
        None => "n/a".to_string(),
    }
}

/// Axis labels: `950`, `1.2k`, `3.4M`, `0.25`.
pub fn compact(v: f64) -> String {
    let a = v.abs();
    let (div, suffix) = if a >= 1e12 {
        (1e12, "T")
    } else if a >= 1e9 {
        (1e9, "B")
    } else if a >= 1e6 {
        (1e6, "M")
    } else if a >= 1e3 {
        (1e3, "k")
    } else {
        (1.0, "")
    };
    let x = v / div;
    let s = if div == 1.0 && a < 10.0 {
        format!("{x:.2}")
    } else if div == 1.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    };
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    let s = if s == "-0" { "0".to_string() } else { s };
    format!("{s}{suffix}")
}

/// Axis labels in dollars: `$1.5k`, `-$250`.
pub fn compact_usd(v: f64) -> String {
    if v < 0.0 {
        format!("-${}", compact(-v))
    } else {
        format!("${}", compact(v))
    }
}

/// `d` to at most `dp` decimals (half to even, as `Decimal::round_dp`), without trailing zeros
/// (as `Decimal::normalize`), appended to `out`: the text of
/// `d.round_dp(dp).normalize().to_string()` without its allocations, for tables of millions of
/// lines.
pub fn push_plain(out: &mut String, d: Decimal, dp: u32) {
    let (m, scale) = round_mantissa(d, dp);
    let mut scale = scale as usize;
    if m == 0 {
        out.push('0');
        return;
    }
    if m < 0 {
        out.push('-');
    }
    let mut buf = itoa::Buffer::new();
    let digits = match u64::try_from(m.unsigned_abs()) {
        Ok(small) => buf.format(small),
        Err(_) => buf.format(m.unsigned_abs()),
    };
    let digits = digits.as_bytes();
    // Trailing zeros of the fraction go.
    let mut len = digits.len();
    while scale > 0 && digits[len - 1] == b'0' {
        len -= 1;
        scale -= 1;
    }
    let digits = &digits[..len];
    if scale == 0 {
        push_ascii(out, digits);
    } else if digits.len() > scale {
        let (whole, frac) = digits.split_at(digits.len() - scale);
        push_ascii(out, whole);
        out.push('.');
        push_ascii(out, frac);
    } else {
        out.push_str("0.");
        for _ in digits.len()..scale {
            out.push('0');
        }
        push_ascii(out, digits);
    }
}

/// `d`'s mantissa and scale after `d.round_dp(dp)` (half to even), in integer arithmetic:
/// rust_decimal's general rounding costs several times more, and the large tables round
/// millions of quantities.
pub fn round_mantissa(d: Decimal, dp: u32) -> (i128, u32) {
    let (m, scale) = (d.mantissa(), d.scale());
    if scale <= dp {
        return (m, scale);
    }
    // scale <= 28, so the divisor fits in a u128; the mantissa is at most 96 bits.
    let q = 10u128.pow(scale - dp);
    let a = m.unsigned_abs();
    let (mut r, rest) = (a / q, a % q);
    let half = q / 2;
    if rest > half || (rest == half && r % 2 == 1) {
        r += 1;
    }
    let r = r as i128; // at most the 96-bit mantissa
    (if m < 0 { -r } else { r }, dp)
}

/// ASCII bytes (digits) onto a string.
fn push_ascii(out: &mut String, b: &[u8]) {
    out.extend(b.iter().map(|&c| char::from(c)));
}

/// Any decimal rust_decimal can hold: a 96-bit mantissa at a scale of 0 to 28.
#[cfg(test)]
pub(crate) fn any_decimal() -> impl proptest::strategy::Strategy<Value = Decimal> {
    use proptest::strategy::Strategy;
    (proptest::num::i128::ANY, 0u32..=28).prop_map(|(m, scale)| {
        // Within 96 bits: the remainder of a division by 2^96 - 1.
        Decimal::from_i128_with_scale(m % 79_228_162_514_264_337_593_543_950_335i128, scale)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The tables' writer says what rust_decimal's own round, normalize and Display say.
        #[test]
        fn push_plain_writes_what_decimal_displays(d in any_decimal(), dp in 0u32..=14) {
            let mut out = String::new();
            push_plain(&mut out, d, dp);
            proptest::prop_assert_eq!(out, d.round_dp(dp).normalize().to_string());
        }

        /// The integer rounding gives rust_decimal's `round_dp`, mantissa and scale.
        #[test]
        fn round_mantissa_is_round_dp(d in any_decimal(), dp in 0u32..=14) {
            let r = d.round_dp(dp);
            let (rm, rs) = round_mantissa(d, dp);
            // Equal values; rust_decimal keeps the scale at `dp` too when it rounds.
            proptest::prop_assert_eq!(Decimal::from_i128_with_scale(rm, rs), r);
            proptest::prop_assert_eq!(rs, r.scale());
        }
    }

    #[test]
    fn round_mantissa_examples() {
        // 0.125 to 2 places: the remainder 5 is exactly half, 12 is even -> 0.12; 0.135 -> 0.14
        // (13 is odd); -0.1251 -> -0.13 (more than half).
        let r = |s: &str, dp| round_mantissa(s.parse().unwrap(), dp);
        assert_eq!(r("0.125", 2), (12, 2));
        assert_eq!(r("0.135", 2), (14, 2));
        assert_eq!(r("-0.1251", 2), (-13, 2));
        assert_eq!(r("7.5", 3), (75, 1)); // fewer places than asked: unchanged
    }

    #[test]
    fn push_plain_examples() {
        let plain = |s: &str, dp| {
            let mut out = String::new();
            push_plain(&mut out, s.parse().unwrap(), dp);
            out
        };
        assert_eq!(plain("0.1857621874660", 9), "0.185762187");
        assert_eq!(plain("-0.0000000001", 9), "0");
        assert_eq!(plain("1200.500", 12), "1200.5");
        assert_eq!(plain("0.0000005", 6), "0"); // half to even
        assert_eq!(plain("0.0000015", 6), "0.000002");
        assert_eq!(plain("-3.0", 2), "-3");
    }

    fn dec(s: &str) -> Decimal {
        s.parse().expect("test decimal")
    }

    #[test]
    fn separators_and_units() {
        assert_eq!(count(1_840_000_000), "1,840,000,000");
        assert_eq!(count(999), "999");
        assert_eq!(decimal(dec("1543046.6")), "1,543,046.6");
        assert_eq!(decimal(dec("89580")), "89,580");
        assert_eq!(decimal(dec("-1234.50")), "-1,234.50");
        assert_eq!(fixed(dec("1234567.891"), 1), "1,234,567.9");
        assert_eq!(fixed(dec("-0.5"), 0), "-1");
        assert_eq!(fixed_auto(dec("98500.5")), "98,501");
        assert_eq!(fixed_auto(dec("2.345")), "2.35");
        assert_eq!(quantity(dec("400000.000")), "400,000");
        assert_eq!(quantity(dec("0.50")), "0.5");
        // The Markdown summary used to print `1 1M requests free`.
        assert_eq!(quantity_of(dec("1"), "1M requests"), "1M requests");
        assert_eq!(quantity_of(dec("400000"), "GB-s"), "400,000 GB-s");
        assert_eq!(quantity_of(dec("37.5"), "GB"), "37.5 GB");
        assert_eq!(price(dec("0.5")), "0.50");
        assert_eq!(price(dec("0.0000133334")), "0.0000133334");
    }

    #[test]
    fn gib_is_exact_and_rounds_half_up() {
        assert_eq!(gib(1 << 30, 2), "1.00");
        assert_eq!(gib(3 * (1 << 29), 2), "1.50");
        // 2^28 bytes is 0.25 GiB exactly: half up to one decimal is 0.3.
        assert_eq!(gib(1 << 28, 1), "0.3");
        // 5,609.2 GiB: 5609 GiB plus a fifth of one (rounds to .2).
        assert_eq!(gib(5609 * (1 << 30) + (1 << 30) / 5, 1), "5,609.2");
        assert_eq!(gib(0, 0), "0");
    }

    #[test]
    fn money_and_percentages() {
        assert_eq!(usd(MicroUsd(1_234_567_890_000)), "$1,234,567.89");
        assert_eq!(usd_digits(MicroUsd(1_234), 4), "$0.0012");
        assert_eq!(signed_usd(MicroUsd(1_000_000)), "+$1.00");
        assert_eq!(signed_usd(MicroUsd(-1_000_000)), "-$1.00");
        assert_eq!(signed_usd(MicroUsd(0)), "$0.00");
        assert_eq!(percent(MicroUsd(1), MicroUsd(3)).as_deref(), Some("33.3%"));
        assert_eq!(percent(MicroUsd(1), MicroUsd(0)), None);
        assert_eq!(
            signed_percent(MicroUsd(21), MicroUsd(1000)).as_deref(),
            Some("+2.1%")
        );
        assert_eq!(signed_pct(Some(dec("30.00"))), "+30.0%");
        assert_eq!(signed_pct(Some(dec("-4.25"))), "-4.3%");
        assert_eq!(signed_pct(Some(dec("0.01"))), "0.0%");
        assert_eq!(signed_pct(None), "n/a");
    }

    #[test]
    fn axis_labels() {
        assert_eq!(compact(1234.0), "1.2k");
        assert_eq!(compact(3_400_000.0), "3.4M");
        assert_eq!(compact(250.0), "250");
        assert_eq!(compact(0.25), "0.25");
        assert_eq!(compact(0.0), "0");
        assert_eq!(compact_usd(-1500.0), "-$1.5k");
    }
}
