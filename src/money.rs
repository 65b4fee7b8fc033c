//! Money as integer micro-dollars: exact sums, rounded once at display. An exact decimal amount
//! (a quantity times a price) becomes money through [`MicroUsd::from_usd`], the one place the
//! tool rounds to the micro-dollar; display rounds again, to the cent, through [`fmt::Display`].

use std::fmt;

use rust_decimal::prelude::{Decimal, RoundingStrategy, ToPrimitive};

/// An amount of US dollars in millionths of a dollar. Sums are exact; only [`fmt::Display`]
/// rounds (to the cent by default, or to `{:.N}` digits).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct MicroUsd(pub i64);

/// In JSON, an exact decimal string with six digits (`"12.530000"`): no float ever holds money.
impl serde::Serialize for MicroUsd {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_decimal(6))
    }
}

impl MicroUsd {
    pub const ZERO: MicroUsd = MicroUsd(0);

    /// An exact amount of dollars to the nearest micro-dollar, half to even (banker's rounding:
    /// 0.0000005 -> 0, 0.0000015 -> 0.000002), so that rounding many lines does not drift up.
    /// This is the only rounding to micro-dollars in the tool: the model's lines, the billed
    /// amounts of Cost Explorer and the reconciliation's effects all come through here. An
    /// amount beyond +/-9.2 trillion dollars saturates at the end of the range.
    pub fn from_usd(usd: Decimal) -> MicroUsd {
        let m = (usd * Decimal::from(1_000_000))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
        MicroUsd(m.to_i64().unwrap_or(if m.is_sign_negative() {
            i64::MIN
        } else {
            i64::MAX
        }))
    }

    /// Whole micro-dollars per unit times a count, exact.
    pub fn per_unit(micros_per_unit: i64, units: u64) -> MicroUsd {
        MicroUsd(micros_per_unit.saturating_mul(units as i64))
    }

    /// The amount as a decimal string with `digits` fractional digits, rounded half away from zero.
    pub fn to_decimal(self, digits: u32) -> String {
        let mut out = String::with_capacity(24);
        self.push_decimal(digits, &mut out);
        out
    }

    /// [`MicroUsd::to_decimal`], appended to `out` (the tables write millions of amounts).
    pub fn push_decimal(self, digits: u32, out: &mut String) {
        let digits = digits.min(6);
        let scale = 10u64.pow(6 - digits);
        let abs = self.0.unsigned_abs();
        // Half away from zero; |i64::MIN| + scale / 2 still fits in a u64.
        let rounded = (abs + scale / 2) / scale;
        let unit = 10u64.pow(digits);
        let (whole, frac) = (rounded / unit, rounded % unit);
        if self.0 < 0 && rounded != 0 {
            out.push('-');
        }
        let mut buf = itoa::Buffer::new();
        out.push_str(buf.format(whole));
        if digits > 0 {
            out.push('.');
            let f = buf.format(frac);
            for _ in f.len()..digits as usize {
                out.push('0');
            }
            out.push_str(f);
        }
    }
}

impl std::ops::Add for MicroUsd {
    type Output = MicroUsd;
    fn add(self, o: MicroUsd) -> MicroUsd {
        MicroUsd(self.0 + o.0)
    }
}

impl std::ops::Sub for MicroUsd {
    type Output = MicroUsd;
    fn sub(self, o: MicroUsd) -> MicroUsd {
        MicroUsd(self.0 - o.0)
    }
}

impl std::iter::Sum for MicroUsd {
    fn sum<I: Iterator<Item = MicroUsd>>(iter: I) -> MicroUsd {
        iter.fold(MicroUsd::ZERO, |a, b| a + b)
    }
}

/// `$1,234.56` / `-$0.50`: sign first, thousands separated, rounded half away from zero to the
/// cent (or to `{:.N}` digits).
impl fmt::Display for MicroUsd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = f.precision().unwrap_or(2) as u32;
        let text = self.to_decimal(digits);
        let (sign, body) = match text.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", text.as_str()),
        };
        let (whole, frac) = match body.split_once('.') {
            Some((w, fr)) => (w, Some(fr)),
            None => (body, None),
        };
        let grouped = group_digits(whole);
        match frac {
            Some(fr) => write!(f, "{sign}${grouped}.{fr}"),
            None => write!(f, "{sign}${grouped}"),
        }
    }
}

/// Thousands separators for a run of ASCII digits: `1234567` -> `1,234,567`. Here because
/// money's `Display` needs it; [`crate::format`] re-exports it for every other rendering.
pub fn group_digits(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rounds_once_at_display() {
        assert_eq!(MicroUsd(4_995).to_string(), "$0.00");
        assert_eq!(MicroUsd(5_000).to_string(), "$0.01");
        assert_eq!(MicroUsd(12_530_000).to_string(), "$12.53");
        assert_eq!(format!("{:.4}", MicroUsd(1_234_567)), "$1.2346");
        assert_eq!(MicroUsd(-1_500_000).to_decimal(0), "-2");
        assert_eq!(MicroUsd(-37_132_940_000).to_string(), "-$37,132.94");
        assert_eq!(MicroUsd(1_234_567_890_000).to_string(), "$1,234,567.89");
        assert_eq!(MicroUsd(999_994_999).to_string(), "$999.99");
        assert_eq!(MicroUsd(-4_000).to_string(), "$0.00");
        assert_eq!(MicroUsd(1).to_decimal(6), "0.000001");
    }

    #[test]
    fn rounds_to_micros_half_to_even() {
        let usd = |s: &str| MicroUsd::from_usd(s.parse().unwrap());
        // 0.0000005 is half a micro-dollar: to the even neighbour 0; 0.0000015 -> 2.
        assert_eq!(usd("0.0000005"), MicroUsd(0));
        assert_eq!(usd("0.0000015"), MicroUsd(2));
        assert_eq!(usd("0.00000051"), MicroUsd(1));
        assert_eq!(usd("-0.0000025"), MicroUsd(-2));
        // 230 GiB x $0.50 = $115 exactly.
        assert_eq!(usd("115"), MicroUsd(115_000_000));
        assert_eq!(usd("100000000000000000000"), MicroUsd(i64::MAX));
        assert_eq!(usd("-100000000000000000000"), MicroUsd(i64::MIN));
    }

    #[test]
    fn sums_are_exact() {
        // 1,000 metrics at $0.01 per 1,000 = 10 micro-dollars each.
        let total: MicroUsd = (0..1000).map(|_| MicroUsd::per_unit(10, 1)).sum();
        assert_eq!(total, MicroUsd(10_000));
        assert_eq!(total.to_string(), "$0.01");
    }
}
