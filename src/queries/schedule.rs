//! Schedules: how often a query runs and over what window, turned into runs per month and bytes
//! scanned per run, for scan-cost planning.

use super::file::Schedule;

/// Average days in a month (365.25 / 12), the basis of "per month" throughout.
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// `15m`, `1h`, `3h`, `1d`, `7d`, `1w`, `90s` -> seconds.
pub fn duration_secs(text: &str) -> Result<f64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .ok_or_else(|| format!("duration {text:?} needs a unit (s, m, h, d, w)"))?;
    let (num, unit) = t.split_at(split);
    let n: f64 = num
        .parse()
        .map_err(|_| format!("duration {text:?} is not a number followed by a unit"))?;
    let mult = match unit {
        "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hr" | "hour" | "hours" => 3_600.0,
        "d" | "day" | "days" => 86_400.0,
        "w" | "week" | "weeks" => 604_800.0,
        _ => {
            return Err(format!(
                "duration {text:?}: unknown unit {unit:?} (s, m, h, d, w)"
            ));
        }
    };
    if n <= 0.0 || !n.is_finite() {
        return Err(format!("duration {text:?} must be positive"));
    }
    Ok(n * mult)
}

/// Runs per month of a schedule, in an average month.
pub fn runs_per_month(s: &Schedule) -> Result<f64, String> {
    runs_in(s, DAYS_PER_MONTH)
}

/// Runs of a schedule in a month of `days` days (`runs_per_month` is taken as given).
pub fn runs_in(s: &Schedule, days: f64) -> Result<f64, String> {
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
    let positive = |name: &str, v: f64| {
        if v.is_finite() && v >= 0.0 {
            Ok(v)
        } else {
            Err(format!("{name} must be a non-negative number"))
        }
    };
    if let Some(d) = s.runs_per_day {
        return positive("runs_per_day", d).map(|d| d * days);
    }
    if let Some(m) = s.runs_per_month {
        return positive("runs_per_month", m);
    }
    if let Some(e) = &s.every {
        return Ok(86_400.0 / duration_secs(e)? * days);
    }
    let hours = positive(
        "dashboard_hours_per_day",
        s.dashboard_hours_per_day
            .ok_or("dashboard_hours_per_day is missing")?,
    )?;
    if hours > 24.0 {
        return Err("dashboard_hours_per_day cannot exceed 24".into());
    }
    let refresh = duration_secs(s.refresh.as_deref().ok_or("refresh is missing")?)?;
    Ok(hours * 3_600.0 / refresh * days)
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
        assert_eq!(duration_secs("15m").unwrap(), 900.0);
        assert_eq!(duration_secs("1h").unwrap(), 3_600.0);
        assert_eq!(duration_secs("7d").unwrap(), 604_800.0);
        assert!(duration_secs("5").is_err());
        assert!(duration_secs("5y").is_err());
        assert!(duration_secs("0h").is_err());
    }

    #[test]
    fn runs() {
        let s = Schedule {
            runs_per_day: Some(24.0),
            ..sched("1h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), 24.0 * DAYS_PER_MONTH);
        let s = Schedule {
            every: Some("1h".into()),
            ..sched("1h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), 24.0 * DAYS_PER_MONTH);
        // A dashboard open 8 h a day refreshing every 15 min: 32 runs a day.
        let s = Schedule {
            dashboard_hours_per_day: Some(8.0),
            refresh: Some("15m".into()),
            ..sched("3h")
        };
        assert_eq!(runs_per_month(&s).unwrap(), 32.0 * DAYS_PER_MONTH);
        let both = Schedule {
            runs_per_day: Some(1.0),
            every: Some("1h".into()),
            ..sched("1h")
        };
        assert!(runs_per_month(&both).is_err());
        assert!(runs_per_month(&sched("1h")).is_err());
    }
}
