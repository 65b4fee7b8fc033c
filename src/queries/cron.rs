//! Schedule expressions of scheduled queries: AWS's `cron(...)` and `rate(...)`, checked the way
//! AWS checks them, and the exact runs they make in a period.
//!
//! The CloudWatch Logs API reference only says "a cron expression" (CreateScheduledQuery
//! `scheduleExpression`, at most 256 characters); its examples (the AWS Cloud Control provider's
//! `awscc_logs_scheduled_query` example, `cron(0 * * * ? *)`) and the CloudWatch log alarms
//! built on scheduled queries (`rate(5 minutes)`) use AWS's schedule-expression syntax, which
//! EventBridge documents: six fields `minutes hours day-of-month month day-of-week year`;
//! minutes 0-59, hours 0-23, day-of-month 1-31 (with `L` and `W`), month 1-12 or JAN-DEC,
//! day-of-week 1-7 (1 = Sunday) or SUN-SAT (with `L` and `#`), year 1970-2199; `,` `-` `*` `/`;
//! exactly one of day-of-month and day-of-week is `?`. `rate(N unit)`: N a positive integer,
//! unit minute(s), hour(s) or day(s), singular exactly when N is 1.
//!
//! Runs are counted on UTC minutes: each minute of the period whose wall-clock time in the
//! schedule's time zone matches fires, and each wall-clock time fires at most once. That is the
//! daylight-saving rule EventBridge Scheduler documents ("when the time shifts forward in Spring,
//! your schedule invocation gets skipped if the cron expression falls on a non-existent date and
//! time. When the time shifts back in the Fall, your schedule runs only once": EventBridge
//! Scheduler User Guide, schedule types, and the AWS re:Post knowledge-center article
//! `eventbridge-scheduler-adjust-dst`); the CloudWatch Logs reference states no rule of its own
//! for scheduled queries, so logplan assumes the same. A `rate()` schedule is anchored at the
//! start of the period (AWS anchors it at creation; the count differs by at most one run).

use chrono::{DateTime, Datelike, Duration, TimeZone, Timelike, Utc, Weekday};
use chrono_tz::Tz;

/// A checked schedule expression.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Schedule {
    Cron(Cron),
    /// Every this many minutes.
    Rate(u32),
}

/// The six fields of a cron expression, each as the set of values it allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cron {
    minutes: Vec<bool>,
    hours: Vec<bool>,
    days: DayRule,
    months: Vec<bool>,
    years: Option<Vec<u32>>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum DayRule {
    /// Day-of-month given, day-of-week `?`.
    OfMonth(Vec<MonthDay>),
    /// Day-of-week given, day-of-month `?`.
    OfWeek(Vec<WeekDay>),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum MonthDay {
    Day(u32),
    /// `L`: the last day of the month, minus an offset (`L-2`).
    Last(u32),
    /// `15W`: the weekday nearest the 15th, within the month.
    NearestWeekday(u32),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum WeekDay {
    /// 1 = Sunday ... 7 = Saturday.
    Day(u32),
    /// `6L`: the last Friday of the month.
    Last(u32),
    /// `6#3`: the third Friday of the month.
    Nth(u32, u32),
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const WEEKDAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// Parse and check a schedule expression; the error says what AWS would refuse.
pub fn parse(expr: &str) -> Result<Schedule, String> {
    let t = expr.trim();
    if t.chars().count() > crate::queries::limits::MAX_SCHEDULE_EXPRESSION {
        return Err(format!(
            "schedule expression is longer than {} characters",
            crate::queries::limits::MAX_SCHEDULE_EXPRESSION
        ));
    }
    if let Some(body) = t.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        return parse_rate(body).map(Schedule::Rate);
    }
    if let Some(body) = t.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
        return parse_cron(body).map(Schedule::Cron);
    }
    Err(format!(
        "schedule {expr:?} must be cron(minutes hours day-of-month month day-of-week year) or rate(N unit)"
    ))
}

fn parse_rate(body: &str) -> Result<u32, String> {
    let words: Vec<&str> = body.split_whitespace().collect();
    let [n, unit] = words[..] else {
        return Err(format!("rate({body}) must be rate(N minutes|hours|days)"));
    };
    let n: u32 = n
        .parse()
        .ok()
        .filter(|n| *n > 0)
        .ok_or_else(|| format!("rate({body}): {n:?} is not a positive whole number"))?;
    let (singular, minutes) = match unit {
        "minute" | "minutes" => ("minute", 1),
        "hour" | "hours" => ("hour", 60),
        "day" | "days" => ("day", 1_440),
        _ => {
            return Err(format!(
                "rate({body}): unit {unit:?} must be minute(s), hour(s) or day(s)"
            ));
        }
    };
    // AWS: "If the value is equal to 1, then the unit must be singular", plural otherwise.
    if (n == 1) != (unit == singular) {
        return Err(format!(
            "rate({body}): write {} with {n}",
            if n == 1 {
                singular.to_string()
            } else {
                format!("{singular}s")
            }
        ));
    }
    n.checked_mul(minutes)
        .ok_or_else(|| format!("rate({body}) is too long"))
}

fn parse_cron(body: &str) -> Result<Cron, String> {
    let fields: Vec<&str> = body.split_whitespace().collect();
    if fields.len() != 6 {
        return Err(format!(
            "cron({body}) has {} fields; AWS cron has 6: minutes hours day-of-month month day-of-week year",
            fields.len()
        ));
    }
    let (dom, dow) = (fields[2], fields[4]);
    if (dom == "?") == (dow == "?") {
        return Err(format!(
            "cron({body}): exactly one of day-of-month ({dom}) and day-of-week ({dow}) must be '?'"
        ));
    }
    let minutes = simple_field(fields[0], "minutes", 0, 59, &[])?;
    let hours = simple_field(fields[1], "hours", 0, 23, &[])?;
    let months = simple_field(fields[3], "month", 1, 12, &MONTHS)?;
    let years = if fields[5] == "*" {
        None
    } else {
        let set = simple_field(fields[5], "year", 1970, 2199, &[])?;
        Some(
            set.iter()
                .enumerate()
                .filter(|(_, on)| **on)
                .map(|(i, _)| 1970 + i as u32)
                .collect(),
        )
    };
    let days = if dom == "?" {
        DayRule::OfWeek(week_days(dow)?)
    } else {
        DayRule::OfMonth(month_days(dom)?)
    };
    Ok(Cron {
        minutes,
        hours,
        days,
        months,
        years,
    })
}

/// A field of `,`-separated items: `*`, `v`, `a-b`, `*/n`, `a/n`, `a-b/n`; values as numbers or
/// names. Returns a mask indexed from `min`.
fn simple_field(
    text: &str,
    what: &str,
    min: u32,
    max: u32,
    names: &[&str],
) -> Result<Vec<bool>, String> {
    let mut mask = vec![false; (max - min + 1) as usize];
    for item in text.split(',') {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => {
                let step: u32 = s.parse().ok().filter(|s| *s > 0).ok_or_else(|| {
                    format!("{what} field {text:?}: step {s:?} is not a positive number")
                })?;
                (r, step)
            }
            None => (item, 1),
        };
        let (lo, hi) = if range == "*" {
            (min, max)
        } else if let Some((a, b)) = range.split_once('-') {
            (
                value(a, what, min, max, names)?,
                value(b, what, min, max, names)?,
            )
        } else {
            let v = value(range, what, min, max, names)?;
            // `5/15` runs from 5 to the end of the range.
            (v, if item.contains('/') { max } else { v })
        };
        if lo > hi {
            return Err(format!(
                "{what} field {text:?}: range {range} runs backwards"
            ));
        }
        let mut v = lo;
        while v <= hi {
            mask[(v - min) as usize] = true;
            v += step;
        }
    }
    Ok(mask)
}

fn value(text: &str, what: &str, min: u32, max: u32, names: &[&str]) -> Result<u32, String> {
    let upper = text.to_ascii_uppercase();
    if let Some(i) = names.iter().position(|n| *n == upper) {
        return Ok(min + i as u32);
    }
    text.parse::<u32>()
        .ok()
        .filter(|v| (min..=max).contains(v))
        .ok_or_else(|| format!("{what} value {text:?} is outside {min}-{max}"))
}

fn month_days(text: &str) -> Result<Vec<MonthDay>, String> {
    let mut out = Vec::new();
    for item in text.split(',') {
        if item == "L" {
            out.push(MonthDay::Last(0));
        } else if let Some(off) = item.strip_prefix("L-") {
            let off = off
                .parse::<u32>()
                .ok()
                .filter(|o| *o <= 30)
                .ok_or_else(|| format!("day-of-month {item:?}: offset must be 0-30"))?;
            out.push(MonthDay::Last(off));
        } else if let Some(day) = item.strip_suffix('W') {
            out.push(MonthDay::NearestWeekday(value(
                day,
                "day-of-month",
                1,
                31,
                &[],
            )?));
        } else {
            let mask = simple_field(item, "day-of-month", 1, 31, &[])?;
            out.extend(
                mask.iter()
                    .enumerate()
                    .filter(|(_, on)| **on)
                    .map(|(i, _)| MonthDay::Day(i as u32 + 1)),
            );
        }
    }
    Ok(out)
}

fn week_days(text: &str) -> Result<Vec<WeekDay>, String> {
    let mut out = Vec::new();
    for item in text.split(',') {
        if item == "L" {
            out.push(WeekDay::Day(7));
        } else if let Some(day) = item.strip_suffix('L') {
            out.push(WeekDay::Last(value(day, "day-of-week", 1, 7, &WEEKDAYS)?));
        } else if let Some((day, n)) = item.split_once('#') {
            let n = n
                .parse::<u32>()
                .ok()
                .filter(|n| (1..=5).contains(n))
                .ok_or_else(|| format!("day-of-week {item:?}: the week after '#' must be 1-5"))?;
            out.push(WeekDay::Nth(value(day, "day-of-week", 1, 7, &WEEKDAYS)?, n));
        } else {
            let mask = simple_field(item, "day-of-week", 1, 7, &WEEKDAYS)?;
            out.extend(
                mask.iter()
                    .enumerate()
                    .filter(|(_, on)| **on)
                    .map(|(i, _)| WeekDay::Day(i as u32 + 1)),
            );
        }
    }
    Ok(out)
}

/// A time zone as CreateScheduledQuery takes it: an IANA name (`Europe/Paris`), or `UTC` when
/// none is given.
pub fn parse_timezone(name: Option<&str>) -> Result<Tz, String> {
    match name {
        None => Ok(Tz::UTC),
        Some(n) => n.parse::<Tz>().map_err(|_| {
            format!("time zone {n:?} is not an IANA time zone name (e.g. Europe/Paris)")
        }),
    }
}

fn days_in_month(year: i32, month: u32) -> u32 {
    let next = if month == 12 {
        chrono::NaiveDate::from_ymd_opt(year + 1, 1, 1)
    } else {
        chrono::NaiveDate::from_ymd_opt(year, month + 1, 1)
    };
    next.and_then(|n| n.pred_opt()).map_or(28, |d| d.day())
}

/// 1 = Sunday ... 7 = Saturday.
fn aws_weekday(w: Weekday) -> u32 {
    w.num_days_from_sunday() + 1
}

impl Cron {
    fn day_matches(&self, year: i32, month: u32, day: u32, weekday: Weekday) -> bool {
        let last = days_in_month(year, month);
        match &self.days {
            DayRule::OfMonth(items) => items.iter().any(|it| match it {
                MonthDay::Day(d) => *d == day,
                MonthDay::Last(off) => last.checked_sub(*off) == Some(day),
                MonthDay::NearestWeekday(d) => nearest_weekday(year, month, *d, last) == Some(day),
            }),
            DayRule::OfWeek(items) => {
                let wd = aws_weekday(weekday);
                items.iter().any(|it| match it {
                    WeekDay::Day(d) => *d == wd,
                    WeekDay::Last(d) => *d == wd && day + 7 > last,
                    WeekDay::Nth(d, n) => *d == wd && (day - 1) / 7 + 1 == *n,
                })
            }
        }
    }

    fn matches<T: TimeZone>(&self, local: &DateTime<T>) -> bool {
        let (year, month, day) = (local.year(), local.month(), local.day());
        self.minutes[local.minute() as usize]
            && self.hours[local.hour() as usize]
            && self.months[(month - 1) as usize]
            && self
                .years
                .as_ref()
                .is_none_or(|ys| ys.contains(&(year as u32)))
            && self.day_matches(year, month, day, local.weekday())
    }
}

/// The weekday nearest day `d` of the month, not crossing into another month (`1W` on a
/// Saturday runs on Monday the 3rd).
fn nearest_weekday(year: i32, month: u32, d: u32, last: u32) -> Option<u32> {
    let d = d.min(last);
    let date = chrono::NaiveDate::from_ymd_opt(year, month, d)?;
    Some(match date.weekday() {
        Weekday::Sat if d == 1 => 3,
        Weekday::Sat => d - 1,
        Weekday::Sun if d == last => d - 2,
        Weekday::Sun => d + 1,
        _ => d,
    })
}

/// Every run of `schedule` in `[start, end)`, in UTC, evaluated in `tz`.
pub fn runs(
    schedule: &Schedule,
    tz: Tz,
    start: DateTime<Utc>,
    end: DateTime<Utc>,
) -> Vec<DateTime<Utc>> {
    let mut out = Vec::new();
    match schedule {
        Schedule::Rate(minutes) => {
            let mut t = start;
            while t < end {
                out.push(t);
                t += Duration::minutes(i64::from(*minutes));
            }
        }
        Schedule::Cron(cron) => {
            // Whole minutes: scheduled queries have minute precision.
            let mut t = start
                .with_second(0)
                .and_then(|t| t.with_nanosecond(0))
                .unwrap_or(start);
            if t < start {
                t += Duration::minutes(1);
            }
            // The latest wall-clock time that fired: when the clocks go back, a time at or
            // before it is a repeat, and does not fire again.
            let mut latest: Option<chrono::NaiveDateTime> = None;
            while t < end {
                let local = t.with_timezone(&tz);
                if cron.matches(&local) && latest.is_none_or(|l| local.naive_local() > l) {
                    latest = Some(local.naive_local());
                    out.push(t);
                }
                t += Duration::minutes(1);
            }
        }
    }
    out
}

/// Midnight UTC of a date.
pub fn utc_midnight(d: chrono::NaiveDate) -> DateTime<Utc> {
    Utc.from_utc_datetime(&d.and_hms_opt(0, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn month(y: i32, m: u32) -> (DateTime<Utc>, DateTime<Utc>) {
        let p = crate::period::Period::month(y, m).unwrap();
        (utc_midnight(p.start), utc_midnight(p.end))
    }

    fn count(expr: &str, tz: &str, y: i32, m: u32) -> usize {
        let (s, e) = month(y, m);
        runs(
            &parse(expr).unwrap(),
            parse_timezone(Some(tz)).unwrap(),
            s,
            e,
        )
        .len()
    }

    #[test]
    fn counts_runs_by_hand() {
        // Hourly in October 2026 (31 days): 31 x 24 = 744 runs.
        assert_eq!(count("cron(0 * * * ? *)", "UTC", 2026, 10), 744);
        // Every 15 minutes: 4 an hour.
        assert_eq!(count("cron(0/15 * * * ? *)", "UTC", 2026, 10), 2_976);
        // Weekdays at 09:00: October 2026 starts on a Thursday; 22 weekdays.
        assert_eq!(count("cron(0 9 ? * MON-FRI *)", "UTC", 2026, 10), 22);
        // The first of the month at midnight, and the last day.
        assert_eq!(count("cron(0 0 1 * ? *)", "UTC", 2026, 2), 1);
        assert_eq!(count("cron(30 23 L * ? *)", "UTC", 2026, 2), 1);
        // The second Tuesday (3#2): October 13, 2026.
        let (s, e) = month(2026, 10);
        let r = runs(&parse("cron(0 12 ? * 3#2 *)").unwrap(), Tz::UTC, s, e);
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].day(), 13);
        // Nearest weekday to the 1st of August 2026 (a Saturday): Monday the 3rd.
        let (s, e) = month(2026, 8);
        let r = runs(&parse("cron(0 8 1W * ? *)").unwrap(), Tz::UTC, s, e);
        assert_eq!(r.iter().map(|t| t.day()).collect::<Vec<_>>(), vec![3]);
        // Year field: nothing in 2026 for a 2027-only schedule.
        assert_eq!(count("cron(0 0 * * ? 2027)", "UTC", 2026, 10), 0);
        // rate(1 hour) from the start of the month.
        assert_eq!(count("rate(1 hour)", "UTC", 2026, 10), 744);
        assert_eq!(count("rate(7 days)", "UTC", 2026, 10), 5);
    }

    #[test]
    fn daylight_saving_in_the_schedule_time_zone() {
        // New York leaves DST on 2026-11-01, so local 01:00-01:59 happens twice that day; each
        // wall-clock time runs once: a daily 01:30 schedule runs 30 times in November, and an
        // hourly one misses the repeated 01:00, 30 x 24 - 1 = 719.
        assert_eq!(
            count("cron(0 * * * ? *)", "America/New_York", 2026, 11),
            719
        );
        assert_eq!(
            count("cron(30 1 * * ? *)", "America/New_York", 2026, 11),
            30
        );
        // DST starts 2026-03-08: 02:30 does not exist that day, so 31 - 1 = 30 runs.
        assert_eq!(count("cron(30 2 * * ? *)", "America/New_York", 2026, 3), 30);
    }

    #[test]
    fn refuses_what_aws_refuses() {
        for bad in [
            "cron(0 * * * * *)",    // neither day field is '?'
            "cron(0 * ? * ? *)",    // both are
            "cron(60 * * * ? *)",   // minute 60
            "cron(0 24 * * ? *)",   // hour 24
            "cron(0 * 32 * ? *)",   // day 32
            "cron(0 * * 13 ? *)",   // month 13
            "cron(0 * ? * 8 *)",    // weekday 8
            "cron(0 * * * ?)",      // five fields
            "cron(0 * * * ? 1969)", // year before 1970
            "cron(0/0 * * * ? *)",  // step 0
            "cron(5-1 * * * ? *)",  // backwards range
            "cron(0 * ? * 2#6 *)",  // sixth Monday
            "rate(1 hours)",
            "rate(5 minute)",
            "rate(0 minutes)",
            "rate(5 weeks)",
            "every hour",
        ] {
            assert!(parse(bad).is_err(), "{bad}");
        }
        assert!(parse("cron(0 8 ? JAN-MAR MON#1 *)").is_ok());
        assert!(parse_timezone(Some("Mars/Olympus")).is_err());
        assert_eq!(parse_timezone(None).unwrap(), Tz::UTC);
    }
}
