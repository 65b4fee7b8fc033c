//! Planned runs of a saved query (its `[schedule]` table: how often people or dashboards run it,
//! over what window), turned into runs in a period and seconds per window, in exact decimals, for
//! scan-cost planning. Scheduled queries (`[scheduled]`) are counted exactly from their cron in
//! [`super::scheduled`].

use rust_decimal::Decimal;
use rust_decimal::prelude::*;

use super::file::Schedule;

/// Average days in a month (365.25 / 12), the basis of "per month" when no period is given.
pub fn days_per_month() -> Decimal {
    Decimal::new(304_375, 4)
}

/// `15m`, `1h`, `3h`, `1d`, `7d`, `1w`, `90s`, `1.5h` -> seconds.
pub fn duration_secs(text: &str) -> Result<Decimal, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("duration {text:?} needs a unit (s, m, h, d, w)"))?;
    let (num, unit) = t.split_at(split);
    let n = Decimal::from_str(num)
        .map_err(|_| format!("duration {text:?} is not a number followed by a unit"))?;
    let mult = match unit {
        "s" | "sec" | "secs" => 1,
        "m" | "min" | "mins" => 60,
        "h" | "hr" | "hour" | "hours" => 3_600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 604_800,
        _ => {
            return Err(format!(
                "duration {text:?}: unknown unit {unit:?} (s, m, h, d, w)"
            ));
        }
    };
    if n <= Decimal::ZERO {
        return Err(format!("duration {text:?} must be positive"));
    }
    Ok(n * Decimal::from(mult))
}

/// A count from the file (TOML numbers are binary floats): taken as the decimal it was written as.
fn count(name: &str, v: f64) -> Result<Decimal, String> {
    if !v.is_finite() || v < 0.0 {
        return Err(format!("{name} must be a non-negative number"));
    }
    Decimal::from_f64(v).ok_or_else(|| format!("{name} {v} is out of range"))
}

/// Runs per month of a schedule, in an average month.
pub fn runs_per_month(s: &Schedule) -> Result<Decimal, String> {
    runs_in(s, days_per_month())
}

/// Runs of a schedule in a period of `days` days (`runs_per_month` is taken as given).
pub fn runs_in(s: &Schedule, days: Decimal) -> Result<Decimal, String> {
    let given = [
        s.runs_per_day.is_some(),
        s.runs_per_month.is_some(),
        s.every.is_some(),
        s.dashboard_hours_per_day.is_some() || s.refresh.is_some(),
    ]
    .iter()
    .filter(|x| **x)
    .count();
    if given != 1 {
        return Err(
            "give exactly one of runs_per_day, runs_per_month, every, or dashboard_hours_per_day with refresh"
                .into(),
        );
    }
    if let Some(d) = s.runs_per_day {
        return Ok(count("runs_per_day", d)? * days);
    }
    if let Some(m) = s.runs_per_month {
        return count("runs_per_month", m);
    }
    if let Some(e) = &s.every {
        return Ok(Decimal::from(86_400) / duration_secs(e)? * days);
    }
    let hours = count(
        "dashboard_hours_per_day",
        s.dashboard_hours_per_day
            .ok_or("dashboard_hours_per_day is missing")?,
    )?;
    if hours > Decimal::from(24) {
        return Err("dashboard_hours_per_day cannot exceed 24".into());
    }
    let refresh = duration_secs(s.refresh.as_deref().ok_or("refresh is missing")?)?;
    Ok(hours * Decimal::from(3_600) / refresh * days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sched(window: &str) -> Schedule {
        Schedule {
            window: window.into(),
            runs_per_day: None,
            runs_per_month: None,
            every: None,
            dashboard_hours_per_day: None,
            refresh: None,
        }
    }

    #[test]
    fn durations() {
        assert_eq!(duration_secs("15m").unwrap(), Decimal::from(900));
        assert_eq!(duration_secs("1.5h").unwrap(), Decimal::from(5_400));
        assert_eq!(duration_secs("7d").unwrap(), Decimal::from(604_800));
        assert!(duration_secs("5").is_err());
        assert!(duration_secs("5y").is_err());
        assert!(duration_secs("0h").is_err());
    }

    #[test]
    fn runs() {
        let month = days_per_month();
        assert_eq!(month.to_string(), "30.4375");
        let s = Schedule {
            runs_per_day: Some(24.0),
            ..sched("1h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), Decimal::from(24) * month);
        let s = Schedule {
            every: Some("1h".into()),
            ..sched("1h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), Decimal::from(24) * month);
        // A dashboard open 8 h a day refreshing every 15 min: 32 runs a day.
        let s = Schedule {
            dashboard_hours_per_day: Some(8.0),
            refresh: Some("15m".into()),
            ..sched("3h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), Decimal::from(32) * month);
        let both = Schedule {
            runs_per_day: Some(1.0),
            every: Some("1h".into()),
            ..sched("1h")
        };
        assert!(runs_per_month(&both).is_err());
        assert!(runs_per_month(&sched("1h")).is_err());
    }
}
