//! The measured period: a calendar month (`--month YYYY-MM`, default the last full month, UTC)
//! or an explicit range of dates (`--start/--end`). Start is inclusive, end exclusive, both at
//! midnight UTC, so a period is always a whole number of days and daily metric buckets align.
//!
//! A report prices one calendar month ([`Priced`]): the month the measured period lies in. A
//! period shorter than its month (a 7-day sample, the current month so far) is scaled to it by
//! `days in the month / days measured`; a period across two months is refused.

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde::Serialize;

use crate::error::{Error, Result};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Period {
    /// First day, inclusive.
    pub start: NaiveDate,
    /// Day after the last day (exclusive).
    pub end: NaiveDate,
}

impl Period {
    /// The calendar month `YYYY-MM`.
    pub fn month(year: i32, month: u32) -> Option<Period> {
        let start = NaiveDate::from_ymd_opt(year, month, 1)?;
        let end = if month == 12 {
            NaiveDate::from_ymd_opt(year + 1, 1, 1)?
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1)?
        };
        Some(Period { start, end })
    }

    /// The last full calendar month before `now`.
    pub fn last_full_month(now: DateTime<Utc>) -> Period {
        let first_of_this = NaiveDate::from_ymd_opt(now.year(), now.month(), 1).expect("valid");
        let prev = first_of_this - Duration::days(1);
        Period::month(prev.year(), prev.month()).expect("valid month")
    }

    /// Resolve the command-line options into a period, checked against `now`.
    pub fn from_args(
        month: Option<&str>,
        start: Option<&str>,
        end: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<Period> {
        let today = now.date_naive();
        let period = match (month, start, end) {
            (Some(_), Some(_), _) | (Some(_), _, Some(_)) => {
                return Err(Error::Usage(
                    "--month cannot be combined with --start/--end".into(),
                ));
            }
            (Some(m), None, None) => {
                let p = parse_month(m)?;
                if p.start > today {
                    return Err(Error::Usage(format!(
                        "--month {m} is in the future (today is {today})"
                    )));
                }
                p
            }
            (None, Some(s), Some(e)) => {
                let start = parse_date("--start", s)?;
                let end = parse_date("--end", e)?;
                if start >= end {
                    return Err(Error::Usage(format!(
                        "--start {start} must be before --end {end}"
                    )));
                }
                if start > today {
                    return Err(Error::Usage(format!(
                        "--start {start} is in the future (today is {today})"
                    )));
                }
                Period { start, end }
            }
            (None, Some(_), None) => return Err(Error::Usage("--start needs --end".into())),
            (None, None, Some(_)) => return Err(Error::Usage("--end needs --start".into())),
            (None, None, None) => Period::last_full_month(now),
        };
        Ok(period)
    }

    pub fn days(&self) -> i64 {
        (self.end - self.start).num_days()
    }

    pub fn start_utc(&self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.start.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    pub fn end_utc(&self) -> DateTime<Utc> {
        Utc.from_utc_datetime(&self.end.and_hms_opt(0, 0, 0).expect("midnight"))
    }

    /// The folder name of this period under `reports/`: `YYYY-MM` for a calendar month,
    /// `START_END` (exclusive end) otherwise.
    pub fn label(&self) -> String {
        match Period::month(self.start.year(), self.start.month()) {
            Some(m) if m == *self => self.start.format("%Y-%m").to_string(),
            _ => format!("{}_{}", self.start, self.end),
        }
    }
}

/// Where the measured period came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The snapshot's `period_start`/`period_end` columns.
    Snapshot,
    /// `--month` (a hand-written snapshot without period columns, or a live run).
    Month,
    /// `--start/--end`.
    Range,
    /// A live run without `--month` or `--start/--end`: the last full month, the default.
    LastFullMonth,
    /// Nobody said: a hand-written snapshot without period columns and no `--month`; the last
    /// full month is assumed.
    Assumed,
}

/// The calendar month a report prices and the period measured inside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priced {
    pub month: Period,
    pub measured: Period,
    pub basis: Basis,
}

impl Period {
    /// The calendar month this period lies in; an error (one line saying how to fix it) when it
    /// spans two months. `what` names the period for the message (a flag or a file's columns).
    pub fn calendar_month(&self, what: &str) -> std::result::Result<Period, String> {
        let month = Period::month(self.start.year(), self.start.month())
            .ok_or_else(|| format!("{what}: no calendar month contains {}", self.start))?;
        if self.end > month.end {
            let last = self.end - Duration::days(1);
            return Err(format!(
                "{what}: the period {} to {} spans more than one calendar month ({} to {}); a \
                 report prices one month: measure each month separately (--month YYYY-MM, or \
                 --start/--end inside one month)",
                self.start,
                last,
                self.start.format("%Y-%m"),
                last.format("%Y-%m")
            ));
        }
        Ok(month)
    }

    /// The period's last day (the end is exclusive).
    pub fn last_day(&self) -> NaiveDate {
        self.end - Duration::days(1)
    }
}

/// `--month`, `--start`, `--end` as given.
pub type Flags<'a> = (Option<&'a str>, Option<&'a str>, Option<&'a str>);

impl Priced {
    /// A snapshot's period: its own `period_start`/`period_end` (`read`; a `--month` or
    /// `--start/--end` that disagrees is a usage error), else `--month` or `--start/--end`, else
    /// the last full month, stated as assumed. A period across two months is refused, naming the
    /// file.
    pub fn of_snapshot(
        path: &std::path::Path,
        read: Option<Period>,
        (month, start, end): Flags,
        now: DateTime<Utc>,
    ) -> Result<Priced> {
        let flag = if month.is_some() {
            "--month"
        } else {
            "--start/--end"
        };
        let asked = match (month, start, end) {
            (None, None, None) => None,
            _ => Some(Period::from_args(month, start, end, now)?),
        };
        let Some(p) = read else {
            return match asked {
                Some(a) if month.is_some() => Priced::new(a, Basis::Month, flag),
                Some(a) => Priced::new(a, Basis::Range, flag),
                None => Priced::new(
                    Period::last_full_month(now),
                    Basis::Assumed,
                    "the last full month",
                ),
            }
            .map_err(Error::Usage);
        };
        let priced =
            Priced::new(p, Basis::Snapshot, "period_start/period_end").map_err(|message| {
                Error::Input {
                    path: path.to_path_buf(),
                    message,
                }
            })?;
        match asked {
            Some(a) if (month.is_some() && a != priced.month) || (month.is_none() && a != p) => {
                Err(Error::Usage(format!(
                    "{flag} ({} to {}) disagrees with {}, which measured {} to {} \
                     (period_start/period_end): drop {flag} or give the snapshot's own period \
                     (nothing was written)",
                    a.start,
                    a.last_day(),
                    path.display(),
                    p.start,
                    p.last_day()
                )))
            }
            _ => Ok(priced),
        }
    }

    /// A live run's period: `--month` (the current month so far: whole days up to today),
    /// `--start/--end`, or the last full month; refused (before any AWS call) when it spans two
    /// calendar months.
    pub fn live((month, start, end): Flags, now: DateTime<Utc>) -> Result<Priced> {
        let asked = Period::from_args(month, start, end, now)?;
        let measured = Period {
            start: asked.start,
            end: asked.end.min(now.date_naive()),
        };
        let (basis, flag) = match (month, start) {
            (Some(_), _) => (Basis::Month, "--month"),
            (None, Some(_)) => (Basis::Range, "--start/--end"),
            (None, None) => (Basis::LastFullMonth, "the last full month"),
        };
        Priced::new(measured, basis, flag).map_err(Error::Usage)
    }

    /// The month `measured` lies in, or the one-line reason it lies in none.
    pub fn new(measured: Period, basis: Basis, what: &str) -> std::result::Result<Priced, String> {
        if measured.days() < 1 {
            return Err(format!(
                "{what}: the period {} to {} has no whole day",
                measured.start, measured.end
            ));
        }
        let month = measured.calendar_month(what)?;
        Ok(Priced {
            month,
            measured,
            basis,
        })
    }

    /// Whether the measured flows are scaled to the month (the period is not the whole month).
    pub fn is_scaled(&self) -> bool {
        self.measured != self.month
    }

    /// The scale factor as (days in the month, days measured): flows x month / measured.
    pub fn scale(&self) -> (u64, u64) {
        (self.month.days() as u64, self.measured.days() as u64)
    }

    /// What the report says about the period, e.g. "measured 7 days (2026-10-01 to 2026-10-07),
    /// scaled x31/7 to October 2026".
    pub fn statement(&self) -> String {
        let (m, p) = (self.month, self.measured);
        let name = m.start.format("%B %Y");
        let what = if self.is_scaled() {
            format!(
                "measured {} day{} ({} to {}), scaled x{}/{} to {name}",
                p.days(),
                if p.days() == 1 { "" } else { "s" },
                p.start,
                p.last_day(),
                m.days(),
                p.days()
            )
        } else {
            format!(
                "measured the whole month, {name} ({} to {})",
                m.start,
                m.last_day()
            )
        };
        let from = match self.basis {
            Basis::Snapshot => "the snapshot's period_start/period_end",
            Basis::Month => "--month",
            Basis::Range => "--start/--end",
            Basis::LastFullMonth => "the default, the last full month",
            Basis::Assumed => {
                "ASSUMED, not read: the snapshot has no period_start/period_end columns and no \
                 --month was given, so the last full month is assumed"
            }
        };
        format!("{what}; period from {from}")
    }
}

fn parse_month(m: &str) -> Result<Period> {
    let bad = || {
        Error::Usage(format!(
            "--month {m:?} is not a month: expected YYYY-MM, e.g. 2026-10"
        ))
    };
    let (y, mo) = m.split_once('-').ok_or_else(bad)?;
    if y.len() != 4 || mo.len() != 2 {
        return Err(bad());
    }
    let year: i32 = y.parse().map_err(|_| bad())?;
    let month: u32 = mo.parse().map_err(|_| bad())?;
    Period::month(year, month).ok_or_else(bad)
}

/// Accepts an RFC 3339 full-date (`2026-10-01`) or a date-time at midnight UTC
/// (`2026-10-01T00:00:00Z`): periods are whole days.
fn parse_date(flag: &str, s: &str) -> Result<NaiveDate> {
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Ok(d);
    }
    match DateTime::parse_from_rfc3339(s) {
        Ok(dt) => {
            let utc = dt.with_timezone(&Utc);
            if utc.time() != chrono::NaiveTime::MIN {
                return Err(Error::Usage(format!(
                    "{flag} {s}: periods are whole days; give a date (YYYY-MM-DD) or midnight UTC"
                )));
            }
            Ok(utc.date_naive())
        }
        Err(_) => Err(Error::Usage(format!(
            "{flag} {s:?} is not an RFC 3339 date: expected YYYY-MM-DD"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 24, 21, 0, 0).unwrap()
    }

    #[test]
    fn default_is_last_full_month() {
        let p = Period::from_args(None, None, None, now()).unwrap();
        assert_eq!(p.start, NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
        assert_eq!(p.end, NaiveDate::from_ymd_opt(2026, 11, 1).unwrap());
        assert_eq!(p.days(), 31);
        assert_eq!(p.label(), "2026-10");
        let jan = Utc.with_ymd_and_hms(2027, 1, 3, 0, 0, 0).unwrap();
        assert_eq!(Period::last_full_month(jan).label(), "2026-12");
    }

    #[test]
    fn month_errors() {
        for bad in ["2026-13", "2026-00", "26-10", "2026/10", "x"] {
            let e = Period::from_args(Some(bad), None, None, now()).unwrap_err();
            assert!(e.to_string().contains("expected YYYY-MM"), "{bad}: {e}");
        }
        let e = Period::from_args(Some("2026-12"), None, None, now()).unwrap_err();
        assert!(e.to_string().contains("in the future"), "{e}");
        // The current month is allowed: it is a partial month, not a future one.
        assert!(Period::from_args(Some("2026-11"), None, None, now()).is_ok());
        assert_eq!(
            Period::from_args(Some("2024-02"), None, None, now())
                .unwrap()
                .days(),
            29
        );
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn a_period_inside_a_month_is_scaled_to_it() {
        let week = Period {
            start: d("2026-10-01"),
            end: d("2026-10-08"),
        };
        let p = Priced::new(week, Basis::Snapshot, "x").unwrap();
        assert_eq!(p.month, Period::month(2026, 10).unwrap());
        // October has 31 days, 7 were measured.
        assert_eq!(p.scale(), (31, 7));
        assert!(p.statement().starts_with(
            "measured 7 days (2026-10-01 to 2026-10-07), scaled x31/7 to October 2026"
        ));
        let whole = Priced::new(Period::month(2024, 2).unwrap(), Basis::Month, "x").unwrap();
        assert!(!whole.is_scaled());
        assert_eq!(whole.scale(), (29, 29));
        let across = Period {
            start: d("2026-09-28"),
            end: d("2026-10-05"),
        };
        let e = Priced::new(across, Basis::Range, "--start/--end").unwrap_err();
        assert!(e.contains("2026-09 to 2026-10"), "{e}");
        // The last day may be the month's last: 2026-10-25 to 2026-10-31 inclusive.
        let tail = Period {
            start: d("2026-10-25"),
            end: d("2026-11-01"),
        };
        assert!(Priced::new(tail, Basis::Range, "x").is_ok());
    }

    #[test]
    fn a_snapshots_period_wins_and_flags_must_agree() {
        let path = std::path::Path::new("s.csv");
        let week = Period {
            start: d("2026-10-01"),
            end: d("2026-10-08"),
        };
        let p = Priced::of_snapshot(path, Some(week), (Some("2026-10"), None, None), now());
        assert_eq!(p.unwrap().basis, Basis::Snapshot);
        let e = Priced::of_snapshot(path, Some(week), (Some("2026-09"), None, None), now());
        assert!(e.unwrap_err().to_string().contains("disagrees with s.csv"));
        let e = Priced::of_snapshot(
            path,
            Some(week),
            (None, Some("2026-10-01"), Some("2026-10-09")),
            now(),
        );
        assert!(e.is_err());
        let p = Priced::of_snapshot(path, None, (None, None, None), now()).unwrap();
        assert_eq!(
            (p.basis, p.month.label()),
            (Basis::Assumed, "2026-10".into())
        );
        // The current month so far, live: 2026-11-01 to 2026-11-24 (today, exclusive).
        let p = Priced::live((Some("2026-11"), None, None), now()).unwrap();
        assert_eq!(p.measured.days(), 23);
        assert_eq!(p.scale(), (30, 23));
    }

    #[test]
    fn ranges() {
        let p = Period::from_args(
            None,
            Some("2026-10-05"),
            Some("2026-10-12T00:00:00Z"),
            now(),
        )
        .unwrap();
        assert_eq!(p.days(), 7);
        assert_eq!(p.label(), "2026-10-05_2026-10-12");
        let e = Period::from_args(None, Some("2026-10-12"), Some("2026-10-05"), now()).unwrap_err();
        assert!(e.to_string().contains("must be before"), "{e}");
        let e = Period::from_args(
            None,
            Some("2026-10-12T05:00:00Z"),
            Some("2026-10-13"),
            now(),
        )
        .unwrap_err();
        assert!(e.to_string().contains("whole days"), "{e}");
        let e = Period::from_args(None, Some("2027-01-01"), Some("2027-02-01"), now()).unwrap_err();
        assert!(e.to_string().contains("future"), "{e}");
        assert!(Period::from_args(Some("2026-10"), Some("2026-10-01"), None, now()).is_err());
        assert!(Period::from_args(None, Some("2026-10-01"), None, now()).is_err());
    }
}
