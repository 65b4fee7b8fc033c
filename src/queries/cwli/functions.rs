//! The documented Logs Insights QL functions, with their arity and kind. Names match
//! case-insensitively (the docs themselves write `BIN(5m)` and `isPresent`).

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FnKind {
    /// Usable anywhere an expression is (`fields`, `filter`, arguments of other functions).
    Scalar,
    /// `stats` aggregation functions: avg, count, count_distinct, max, min, pct, stddev, sum.
    Aggregate,
    /// `stats` non-aggregation functions: earliest, latest, sortsFirst, sortsLast.
    StatsNonAggregate,
    /// `stats` time-series functions: rate, count_over_time, sum_over_time, histogram.
    TimeSeries,
}

impl FnKind {
    /// Whether a call of this kind makes a `stats` command meaningful.
    pub(crate) fn is_stats_function(self) -> bool {
        self != FnKind::Scalar
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct FnSpec {
    pub name: &'static str,
    pub min: usize,
    /// `None`: any number of further arguments (`concat`, `coalesce`, `greatest`).
    pub max: Option<usize>,
    pub kind: FnKind,
}

const fn f(name: &'static str, min: usize, max: Option<usize>, kind: FnKind) -> FnSpec {
    FnSpec {
        name,
        min,
        max,
        kind,
    }
}

use FnKind::{Aggregate as A, Scalar as S, StatsNonAggregate as N, TimeSeries as T};

pub(crate) const FUNCTIONS: &[FnSpec] = &[
    // Numeric
    f("abs", 1, Some(1), S),
    f("ceil", 1, Some(1), S),
    f("floor", 1, Some(1), S),
    f("greatest", 1, None, S),
    f("least", 1, None, S),
    f("log", 1, Some(1), S),
    f("round", 1, Some(2), S),
    f("sqrt", 1, Some(1), S),
    f("haversine", 4, Some(4), S),
    f("toNumber", 1, Some(1), S),
    f("toInt", 1, Some(1), S),
    f("toLong", 1, Some(1), S),
    f("toDouble", 1, Some(1), S),
    // Datetime
    f("bin", 1, Some(1), S),
    f("datefloor", 2, Some(2), S),
    f("dateceil", 2, Some(2), S),
    f("fromMillis", 1, Some(1), S),
    f("toMillis", 1, Some(1), S),
    f("now", 0, Some(0), S),
    f("parseDate", 2, Some(3), S),
    f("formatDate", 2, Some(3), S),
    f("strftime", 2, Some(3), S),
    // General
    f("ispresent", 1, Some(1), S),
    f("coalesce", 1, None, S),
    f("case", 2, None, S),
    f("if", 3, Some(3), S),
    f("isNumeric", 1, Some(1), S),
    f("messageSize", 1, Some(1), S),
    f("queryStartTime", 0, Some(0), S),
    f("queryEndTime", 0, Some(0), S),
    f("queryTimeRange", 0, Some(0), S),
    // JSON
    f("jsonParse", 1, Some(1), S),
    f("jsonStringify", 1, Some(1), S),
    f("jsonArraySize", 1, Some(1), S),
    f("jsonArrayContains", 2, Some(2), S),
    // IP address
    f("isValidIp", 1, Some(1), S),
    f("isValidIpV4", 1, Some(1), S),
    f("isValidIpV6", 1, Some(1), S),
    f("isIpInSubnet", 2, Some(2), S),
    f("isIpv4InSubnet", 2, Some(2), S),
    f("isIpv6InSubnet", 2, Some(2), S),
    f("ipv4ToNumber", 1, Some(1), S),
    f("isPrivateIP", 1, Some(1), S),
    f("isPublicIP", 1, Some(1), S),
    f("isReservedIP", 1, Some(1), S),
    // String
    f("isempty", 1, Some(1), S),
    f("isblank", 1, Some(1), S),
    f("concat", 1, None, S),
    f("ltrim", 1, Some(2), S),
    f("rtrim", 1, Some(2), S),
    f("trim", 1, Some(2), S),
    f("strlen", 1, Some(1), S),
    f("toupper", 1, Some(1), S),
    f("tolower", 1, Some(1), S),
    f("substr", 2, Some(3), S),
    f("replace", 3, Some(3), S),
    f("regexReplace", 3, Some(3), S),
    f("strcontains", 2, Some(3), S),
    f("startsWith", 2, Some(2), S),
    f("endsWith", 2, Some(2), S),
    f("urlencode", 1, Some(1), S),
    f("urldecode", 1, Some(1), S),
    f("base64encode", 1, Some(1), S),
    f("base64decode", 1, Some(1), S),
    f("split", 2, Some(2), S),
    f("hexToAscii", 1, Some(1), S),
    f("hexToDec", 1, Some(1), S),
    f("decToHex", 1, Some(1), S),
    // Data protection: `fields unmask(@message)`
    f("unmask", 1, Some(1), S),
    // Stats aggregation
    f("avg", 1, Some(1), A),
    f("count", 0, Some(1), A),
    f("count_distinct", 1, Some(1), A),
    f("max", 1, Some(1), A),
    f("min", 1, Some(1), A),
    f("pct", 2, Some(2), A),
    f("stddev", 1, Some(1), A),
    f("sum", 1, Some(1), A),
    // Stats non-aggregation
    f("earliest", 1, Some(1), N),
    f("latest", 1, Some(1), N),
    f("sortsFirst", 1, Some(1), N),
    f("sortsLast", 1, Some(1), N),
    // Time series (with stats)
    f("rate", 2, Some(2), T),
    f("count_over_time", 1, Some(1), T),
    f("sum_over_time", 1, Some(1), T),
    f("histogram", 2, Some(2), T),
];

pub(crate) fn lookup(name: &str) -> Option<&'static FnSpec> {
    FUNCTIONS.iter().find(|s| s.name.eq_ignore_ascii_case(name))
}

/// The closest known function name, for "did you mean" help; `None` if nothing is close.
pub(crate) fn suggest(name: &str) -> Option<&'static str> {
    closest(name, FUNCTIONS.iter().map(|s| s.name))
}

/// The candidate with the smallest case-insensitive edit distance to `word`, if that distance
/// is small relative to the word (at most 2, or 1 for words of up to 4 characters).
pub(crate) fn closest<'a>(
    word: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let word: Vec<char> = word.to_lowercase().chars().collect();
    let limit = if word.len() <= 4 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for cand in candidates {
        let c: Vec<char> = cand.to_lowercase().chars().collect();
        let d = edit_distance(&word, &c);
        if d <= limit && best.is_none_or(|(bd, _)| d < bd) {
            best = Some((d, cand));
        }
    }
    best.map(|(_, c)| c)
}

fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_is_case_insensitive_and_suggests() {
        assert_eq!(lookup("BIN").map(|s| s.name), Some("bin"));
        assert_eq!(lookup("isPresent").map(|s| s.name), Some("ispresent"));
        assert_eq!(suggest("coutn"), Some("count"));
        assert_eq!(suggest("zzzzzzzz"), None);
    }
}
