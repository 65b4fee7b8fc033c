//! The query file format: one TOML file per saved query under `queries/`; its path without the
//! `.toml` extension is its name in the CloudWatch console (folders separated by `/`). Everything
//! AWS validates is validated here first, with the file, line and field in the message.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

/// Query language of a saved query (PutQueryDefinition `queryLanguage`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// CloudWatch Logs Insights QL.
    #[default]
    Cwli,
    /// OpenSearch PPL.
    Ppl,
    /// OpenSearch SQL.
    Sql,
}

impl Language {
    /// The API's value.
    pub fn api(self) -> &'static str {
        match self {
            Language::Cwli => "CWLI",
            Language::Ppl => "PPL",
            Language::Sql => "SQL",
        }
    }

    pub fn from_api(s: &str) -> Language {
        match s.to_ascii_uppercase().as_str() {
            "PPL" => Language::Ppl,
            "SQL" => Language::Sql,
            _ => Language::Cwli,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Language::Cwli => "cwli",
            Language::Ppl => "ppl",
            Language::Sql => "sql",
        }
    }
}

/// A saved-query parameter (an API feature since 2026-03).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    pub name: String,
    pub default: Option<String>,
    pub description: Option<String>,
}

/// How often a query runs and over what window, for scan-cost planning. Give `window` and one
/// of: `runs_per_day`, `every` (a duration: "1h"), or a dashboard (`dashboard_hours_per_day` +
/// `refresh`), or `runs_per_month`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Schedule {
    /// Time range each run scans, e.g. "1h", "15m", "7d".
    pub window: String,
    pub runs_per_day: Option<f64>,
    pub runs_per_month: Option<f64>,
    pub every: Option<String>,
    pub dashboard_hours_per_day: Option<f64>,
    pub refresh: Option<String>,
}

/// A scheduled query (CreateScheduledQuery): the query runs on AWS's schedule and its results go
/// to a destination. Everything is checked as AWS checks it by the preflight
/// ([`crate::queries::preflight`]); fields are optional here so that a missing one is reported
/// with its file and line rather than as a TOML error.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScheduledSpec {
    /// `cron(minutes hours day-of-month month day-of-week year)` or `rate(N unit)`.
    pub cron: Option<String>,
    /// IANA time zone the cron is read in; default UTC.
    pub timezone: Option<String>,
    /// How far before each run its window starts (`startTimeOffset`), e.g. "1h".
    pub start_offset: Option<String>,
    /// How far before each run its window ends (`endTimeOffset`); default "0s".
    pub end_offset: Option<String>,
    /// `enabled` (default) or `disabled`.
    pub state: Option<String>,
    /// The IAM role CloudWatch Logs runs the query as (`executionRoleArn`, required).
    pub execution_role: Option<String>,
    /// `s3://bucket/prefix` for the results.
    pub destination: Option<String>,
    /// The IAM role that writes to the destination (required with a destination).
    pub destination_role: Option<String>,
    /// Default: the file's description.
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    description: Option<String>,
    version: Option<String>,
    #[serde(default)]
    language: Language,
    #[serde(default)]
    log_groups: Vec<String>,
    query: Option<String>,
    #[serde(default)]
    parameters: Vec<Parameter>,
    owner: Option<String>,
    #[serde(default)]
    tags: Vec<String>,
    schedule: Option<Schedule>,
    scheduled: Option<ScheduledSpec>,
    definition: Option<bool>,
}

/// One query file, validated.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryFile {
    /// Console name: the path under `queries/` without `.toml`.
    pub name: String,
    pub path: PathBuf,
    pub description: String,
    pub version: semver::Version,
    pub language: Language,
    pub log_groups: Vec<String>,
    pub query: String,
    pub parameters: Vec<Parameter>,
    pub owner: Option<String>,
    pub tags: Vec<String>,
    pub schedule: Option<Schedule>,
    /// A scheduled query to deploy from the same text.
    pub scheduled: Option<ScheduledSpec>,
    /// Whether a saved query definition is deployed (default true; `definition = false` for a
    /// file that only describes a scheduled query).
    pub definition: bool,
    /// 1-based line where the query text starts in the file (for diagnostics).
    pub query_line: usize,
    /// The file as read, so later checks can point at the line of a key.
    pub source_text: String,
}

impl QueryFile {
    /// The 1-based line of the first line setting `key` (e.g. `cron`), if the file sets it.
    pub fn line_of_key(&self, key: &str) -> Option<usize> {
        key_line(&self.source_text, key)
    }

    /// The 1-based line of the `[table]` header.
    pub fn line_of_table(&self, table: &str) -> Option<usize> {
        let header = format!("[{table}]");
        self.source_text
            .lines()
            .position(|l| l.trim() == header)
            .map(|i| i + 1)
    }

    /// Byte offset of the query text in the file, when the text appears verbatim (a literal
    /// string); otherwise positions are reported within the query.
    pub fn query_offset(&self) -> Option<usize> {
        self.source_text.find(self.query.as_str())
    }
}

/// A problem with a query file: where, and what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FileError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub code: &'static str,
    pub message: String,
}

impl std::fmt::Display for FileError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.path.display())?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        write!(f, ": {} {}", self.code, self.message)
    }
}

pub use super::limits::{MAX_LOG_GROUP, MAX_NAME, MAX_QUERY, check_log_group};

/// A console name (PutQueryDefinition `name`).
pub fn check_name(name: &str) -> Result<(), String> {
    super::limits::check_definition_name(name)
}

fn line_of(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// The 1-based line of the first line that sets `key` at the top level of the file.
fn key_line(text: &str, key: &str) -> Option<usize> {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.starts_with(key) && t[key.len()..].trim_start().starts_with('=')
        })
        .map(|i| i + 1)
}

/// Parse and validate one file. `name` is its console name (from its path).
pub fn parse(path: &Path, name: &str, text: &str) -> Result<QueryFile, FileError> {
    let err = |line: Option<usize>, column: Option<usize>, code: &'static str, message: String| {
        FileError {
            path: path.to_path_buf(),
            line,
            column,
            code,
            message,
        }
    };
    let raw: Raw = toml::from_str(text).map_err(|e| {
        let (line, col) = e.span().map(|s| line_of(text, s.start)).unzip();
        err(line, col, "LQF01", e.message().replace('\n', " "))
    })?;
    // A file that deploys only a scheduled query is named as one (up to 300 characters).
    let scheduled_only = raw.definition == Some(false);
    if scheduled_only {
        super::limits::check_scheduled_name(name)
    } else {
        check_name(name)
    }
    .map_err(|m| err(Some(1), None, "LQF02", m))?;
    if scheduled_only && raw.scheduled.is_none() {
        return Err(err(
            key_line(text, "definition"),
            None,
            "LQF02",
            "`definition = false` without a [scheduled] table deploys nothing".into(),
        ));
    }
    let version_text = raw.version.ok_or_else(|| {
        err(
            Some(1),
            None,
            "LQF03",
            "missing required field `version` (semver, e.g. \"1.0.0\")".into(),
        )
    })?;
    let version = semver::Version::parse(version_text.trim()).map_err(|e| {
        err(
            key_line(text, "version"),
            None,
            "LQF04",
            format!("version {version_text:?} is not semver: {e}"),
        )
    })?;
    let query = raw.query.ok_or_else(|| {
        err(
            Some(1),
            None,
            "LQF05",
            "missing required field `query`".into(),
        )
    })?;
    let query_line = key_line(text, "query").unwrap_or(1);
    let trimmed = query.trim();
    if trimmed.is_empty() {
        return Err(err(
            Some(query_line),
            None,
            "LQF06",
            "query is empty".into(),
        ));
    }
    let chars = query.chars().count();
    if chars > MAX_QUERY {
        return Err(err(
            Some(query_line),
            None,
            "LQF07",
            format!("query is {chars} characters; CloudWatch allows at most {MAX_QUERY}"),
        ));
    }
    for g in &raw.log_groups {
        check_log_group(g).map_err(|m| err(key_line(text, "log_groups"), None, "LQF08", m))?;
    }
    let description = raw.description.unwrap_or_default();
    if let Some(s) = &raw.schedule {
        crate::queries::schedule::runs_per_month(s)
            .and_then(|_| crate::queries::schedule::duration_secs(&s.window).map(|_| ()))
            .map_err(|m| {
                err(
                    key_line(text, "window").or(key_line(text, "schedule")),
                    None,
                    "LQF09",
                    format!("schedule: {m}"),
                )
            })?;
    }
    let mut seen = BTreeMap::new();
    for p in &raw.parameters {
        if seen.insert(p.name.clone(), ()).is_some() {
            return Err(err(
                None,
                None,
                "LQF10",
                format!("parameter {:?} is declared twice", p.name),
            ));
        }
    }
    Ok(QueryFile {
        name: name.to_string(),
        path: path.to_path_buf(),
        description,
        version,
        language: raw.language,
        log_groups: raw.log_groups,
        query,
        parameters: raw.parameters,
        owner: raw.owner,
        tags: raw.tags,
        schedule: raw.schedule,
        scheduled: raw.scheduled,
        definition: raw.definition.unwrap_or(true),
        query_line,
        source_text: text.to_string(),
    })
}

/// Every `*.toml` under `root`, by console name; errors collected, not stopping at the first.
pub fn load_dir(root: &Path) -> (Vec<QueryFile>, Vec<FileError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    let mut paths = Vec::new();
    collect(root, &mut paths);
    paths.sort();
    for p in paths {
        let rel = p.strip_prefix(root).unwrap_or(&p);
        let name = rel
            .with_extension("")
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        match std::fs::read_to_string(&p) {
            Ok(text) => match parse(&p, &name, &text) {
                Ok(f) => files.push(f),
                Err(e) => errors.push(e),
            },
            Err(e) => errors.push(FileError {
                path: p.clone(),
                line: None,
                column: None,
                code: "LQF00",
                message: format!("cannot read: {e}"),
            }),
        }
    }
    // Names that differ only in case collide in the console's folders and on some file systems.
    let mut by_lower: BTreeMap<String, &QueryFile> = BTreeMap::new();
    for f in &files {
        if let Some(other) = by_lower.insert(f.name.to_lowercase(), f) {
            errors.push(FileError {
                path: f.path.clone(),
                line: None,
                column: None,
                code: "LQF11",
                message: format!(
                    "duplicate query name {:?} (also {}): names must be unique, ignoring case",
                    f.name,
                    other.path.display()
                ),
            });
        }
    }
    (files, errors)
}

fn collect(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            collect(&p, out);
        } else if p.extension().and_then(|x| x.to_str()) == Some("toml") {
            out.push(p);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const OK: &str = "description = \"d\"\nversion = \"1.2.0\"\nlog_groups = [\"/aws/lambda/x\"]\nquery = '''\nfields @message\n| limit 5\n'''\n[schedule]\nwindow = \"1h\"\nruns_per_day = 24\n";

    #[test]
    fn parse_ok_and_errors_with_lines() {
        let f = parse(Path::new("q.toml"), "waf/x", OK).unwrap();
        assert_eq!(f.version, semver::Version::new(1, 2, 0));
        assert_eq!(f.query_line, 4);
        let e = parse(Path::new("q.toml"), "x", &OK.replace("1.2.0", "1.2")).unwrap_err();
        assert_eq!((e.code, e.line), ("LQF04", Some(2)));
        let e = parse(
            Path::new("q.toml"),
            "x",
            &OK.replace("version = \"1.2.0\"\n", ""),
        )
        .unwrap_err();
        assert_eq!(e.code, "LQF03");
        let e = parse(Path::new("q.toml"), "x", &format!("{OK}colour = 1\n")).unwrap_err();
        assert_eq!(e.code, "LQF01");
        assert!(e.message.contains("colour"), "{e}");
        let e = parse(
            Path::new("q.toml"),
            "x",
            "version = \"1.0.0\"\nquery = \"\"\n",
        )
        .unwrap_err();
        assert_eq!((e.code, e.line), ("LQF06", Some(2)));
        let long = format!("version = \"1.0.0\"\nquery = \"{}\"\n", "a".repeat(10_001));
        assert_eq!(
            parse(Path::new("q.toml"), "x", &long).unwrap_err().code,
            "LQF07"
        );
        let exact = format!("version = \"1.0.0\"\nquery = \"{}\"\n", "a".repeat(10_000));
        assert!(parse(Path::new("q.toml"), "x", &exact).is_ok());
        let e = parse(
            Path::new("q.toml"),
            "x",
            &OK.replace("/aws/lambda/x", "bad group"),
        )
        .unwrap_err();
        assert_eq!((e.code, e.line), ("LQF08", Some(3)));
        assert!(e.to_string().starts_with("q.toml:3: LQF08"), "{e}");
    }
}
