//! Scheduled queries as code: a query file's `[scheduled]` table resolved into what
//! CreateScheduledQuery takes (checked as AWS checks it), the content hash that shows console
//! edits as drift, and the exact runs a schedule makes in a period, for scan-cost planning.

use chrono::{DateTime, Utc};
use chrono_tz::Tz;

use super::cron::{self, Schedule};
use super::file::{QueryFile, ScheduledSpec};
use super::identity;
use super::limits;
use crate::aws::insights::{S3Destination, ScheduledQuery};

/// A `[scheduled]` table, resolved and checked.
#[derive(Clone, Debug, PartialEq)]
pub struct Resolved {
    pub expression: String,
    pub schedule: Schedule,
    pub timezone: Option<String>,
    pub tz: Tz,
    /// Seconds before a run at which its window starts / ends.
    pub start_offset: i64,
    pub end_offset: i64,
    pub enabled: bool,
    pub execution_role: String,
    pub destination: Option<S3Destination>,
    pub description: String,
}

/// A problem with a `[scheduled]` table: the key it is about (for the line) and the message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub key: &'static str,
    pub message: String,
}

fn problem(key: &'static str, message: impl Into<String>) -> Problem {
    Problem {
        key,
        message: message.into(),
    }
}

/// `90s`, `15m`, `1h`, `1d`, `1w` -> whole seconds (offsets are whole seconds in the API).
pub fn offset_secs(text: &str) -> Result<i64, String> {
    let t = text.trim();
    let split = t
        .find(|c: char| !c.is_ascii_digit())
        .ok_or_else(|| format!("{text:?} needs a unit (s, m, h, d, w)"))?;
    let (num, unit) = t.split_at(split);
    let n: i64 = num
        .parse()
        .map_err(|_| format!("{text:?} is not a whole number followed by a unit"))?;
    let mult = match unit {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        "w" => 604_800,
        _ => return Err(format!("{text:?}: unknown unit {unit:?} (s, m, h, d, w)")),
    };
    n.checked_mul(mult)
        .ok_or_else(|| format!("{text:?} is too long"))
}

/// Resolve a `[scheduled]` table, reporting every problem AWS would refuse (not just the first).
pub fn resolve(spec: &ScheduledSpec, file_description: &str) -> Result<Resolved, Vec<Problem>> {
    let mut problems = Vec::new();
    let expression = spec.cron.clone().unwrap_or_default();
    let schedule = match &spec.cron {
        None => {
            problems.push(problem(
                "cron",
                "missing `cron` (e.g. \"cron(0 * * * ? *)\")",
            ));
            None
        }
        Some(c) => cron::parse(c)
            .map_err(|m| problems.push(problem("cron", m)))
            .ok(),
    };
    let tz = cron::parse_timezone(spec.timezone.as_deref())
        .map_err(|m| problems.push(problem("timezone", m)))
        .ok();
    let start_offset = match &spec.start_offset {
        None => {
            problems.push(problem(
                "start_offset",
                "missing `start_offset`: how far back each run reads (e.g. \"1h\")",
            ));
            None
        }
        Some(t) => offset_secs(t)
            .map_err(|m| problems.push(problem("start_offset", format!("start_offset {m}"))))
            .ok(),
    };
    let end_offset = match &spec.end_offset {
        None => Some(0),
        Some(t) => offset_secs(t)
            .map_err(|m| problems.push(problem("end_offset", format!("end_offset {m}"))))
            .ok(),
    };
    // CreateScheduledQuery: endTimeOffset "must be non-negative and less than" startTimeOffset.
    if let (Some(s), Some(e)) = (start_offset, end_offset)
        && e >= s
    {
        problems.push(problem(
            "start_offset",
            format!(
                "the window is empty or backwards: start_offset ({s} s) must be greater than end_offset ({e} s)"
            ),
        ));
    }
    let enabled = match spec
        .state
        .as_deref()
        .map(str::to_ascii_lowercase)
        .as_deref()
    {
        None | Some("enabled") => true,
        Some("disabled") => false,
        Some(other) => {
            problems.push(problem(
                "state",
                format!("state {other:?} must be \"enabled\" or \"disabled\""),
            ));
            true
        }
    };
    let execution_role = spec.execution_role.clone().unwrap_or_default();
    match &spec.execution_role {
        None => problems.push(problem(
            "execution_role",
            "missing `execution_role`: CreateScheduledQuery requires the IAM role the query runs as",
        )),
        Some(r) => {
            if let Err(m) = limits::check_role_arn(r, "execution_role") {
                problems.push(problem("execution_role", m));
            }
        }
    }
    let destination = match (&spec.destination, &spec.destination_role) {
        (None, None) => None,
        (None, Some(_)) => {
            problems.push(problem(
                "destination_role",
                "destination_role without a destination",
            ));
            None
        }
        (Some(_), None) => {
            problems.push(problem(
                "destination",
                "a destination needs `destination_role`: the IAM role that writes the results there",
            ));
            None
        }
        (Some(d), Some(r)) => {
            if let Err(m) = limits::check_s3_destination(d) {
                problems.push(problem("destination", m));
            }
            if let Err(m) = limits::check_role_arn(r, "destination_role") {
                problems.push(problem("destination_role", m));
            }
            Some(S3Destination {
                uri: d.clone(),
                role_arn: r.clone(),
            })
        }
    };
    let description = spec
        .description
        .clone()
        .unwrap_or_else(|| file_description.to_string());
    match (problems.is_empty(), schedule, tz, start_offset, end_offset) {
        (true, Some(schedule), Some(tz), Some(start_offset), Some(end_offset)) => Ok(Resolved {
            expression,
            schedule,
            timezone: spec.timezone.clone(),
            tz,
            start_offset,
            end_offset,
            enabled,
            execution_role,
            destination,
            description,
        }),
        _ => Err(problems),
    }
}

/// A file's `[scheduled]` table resolved (`None` without one), its problems as one message
/// naming the file: for the steps after the preflight, which has reported them by line already.
pub fn resolve_file(f: &QueryFile) -> Result<Option<Resolved>, String> {
    let Some(spec) = &f.scheduled else {
        return Ok(None);
    };
    resolve(spec, &f.description).map(Some).map_err(|p| {
        format!(
            "{}: [scheduled]: {}",
            f.path.display(),
            p.iter()
                .map(|p| p.message.as_str())
                .collect::<Vec<_>>()
                .join("; ")
        )
    })
}

/// The hash of everything a scheduled query is: language, groups, text and every schedule
/// field, so an edit of any of them in the console shows as drift.
pub fn content_hash(q: &ScheduledQuery) -> String {
    let mut groups = q.log_groups.clone();
    groups.sort();
    let dest = q
        .destination
        .as_ref()
        .map(|d| format!("{} {}", d.uri, d.role_arn))
        .unwrap_or_default();
    identity::hash_of(&[
        &q.language,
        &groups.join(","),
        q.query.trim_end(),
        &q.schedule_expression,
        q.timezone.as_deref().unwrap_or("UTC"),
        &q.start_offset.unwrap_or(0).to_string(),
        &q.end_offset.unwrap_or(0).to_string(),
        q.state.as_deref().unwrap_or("ENABLED"),
        &q.execution_role_arn,
        &dest,
    ])
}

/// What CreateScheduledQuery / UpdateScheduledQuery are sent for a file, with logplan's marker
/// at the end of the description.
pub fn desired(
    file: &QueryFile,
    r: &Resolved,
    name: &str,
    lib: &str,
    query_groups: Vec<String>,
) -> ScheduledQuery {
    let mut q = ScheduledQuery {
        name: name.to_string(),
        arn: None,
        description: None,
        language: file.language.api().to_string(),
        query: file.query.trim_end().to_string(),
        log_groups: query_groups,
        schedule_expression: r.expression.clone(),
        timezone: r.timezone.clone(),
        start_offset: Some(r.start_offset),
        end_offset: (r.end_offset != 0).then_some(r.end_offset),
        state: Some(if r.enabled { "ENABLED" } else { "DISABLED" }.to_string()),
        execution_role_arn: r.execution_role.clone(),
        destination: r.destination.clone(),
    };
    let hash = content_hash(&q);
    q.description = Some(identity::scheduled_description(
        &r.description,
        lib,
        &file.version.to_string(),
        &hash,
    ));
    q
}

/// The runs of a resolved schedule in `[start, end)`.
pub fn runs_in(r: &Resolved, start: DateTime<Utc>, end: DateTime<Utc>) -> Vec<DateTime<Utc>> {
    cron::runs(&r.schedule, r.tz, start, end)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ScheduledSpec {
        ScheduledSpec {
            cron: Some("cron(0 * * * ? *)".into()),
            start_offset: Some("1h".into()),
            execution_role: Some("arn:aws:iam::123456789012:role/q".into()),
            ..ScheduledSpec::default()
        }
    }

    #[test]
    fn resolves_and_refuses_like_aws() {
        let r = resolve(&spec(), "d").unwrap();
        assert_eq!((r.start_offset, r.end_offset, r.enabled), (3_600, 0, true));
        let keys = |s: ScheduledSpec| -> Vec<&'static str> {
            resolve(&s, "").unwrap_err().iter().map(|p| p.key).collect()
        };
        assert_eq!(
            keys(ScheduledSpec {
                cron: Some("cron(0 * * * * *)".into()),
                ..spec()
            }),
            ["cron"]
        );
        assert_eq!(
            keys(ScheduledSpec {
                end_offset: Some("2h".into()),
                ..spec()
            }),
            ["start_offset"]
        );
        assert_eq!(
            keys(ScheduledSpec {
                destination: Some("s3://bucket/x".into()),
                ..spec()
            }),
            ["destination"]
        );
        assert_eq!(
            keys(ScheduledSpec {
                execution_role: None,
                timezone: Some("Nowhere/Land".into()),
                ..spec()
            }),
            ["timezone", "execution_role"]
        );
        assert_eq!(offset_secs("90s"), Ok(90));
        assert!(offset_secs("1.5h").is_err());
    }
}
