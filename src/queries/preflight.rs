//! Preflight: every definition and scheduled query checked as AWS would check it, as it will be
//! sent (final text with logplan's marker, the name under the target's folder, parameters,
//! languages, scheduled-query fields), before `apply` makes its first call. `lint` runs the
//! same checks, so a library that lints clean does not fail halfway through an apply.
//!
//! Codes: LQF12 the deployed text (marker line included) over 10,000 characters; LQF13 the
//! definition name under the target's folder refused (over 255 characters, `:` or `*`, empty
//! folders); LQF14 parameters (CWLI only, names, lengths, at most 20); LQF15 the `[scheduled]`
//! table (name under the folder, cron, time zone, offsets, roles, destination, description with
//! the marker, log groups, parameters); LQF16 more PPL definitions than the state definition can
//! record.

use std::collections::BTreeSet;

use super::deploy::target_name;
use super::file::{FileError, Language, QueryFile};
use super::{identity, limits, scheduled};

/// The library id `lint` assumes when `logplan.toml` has none: as long as the ones `logplan
/// init` writes (`lp-` and 16 hex digits).
pub const ASSUMED_LIBRARY_ID: &str = "lp-0000000000000000";

fn problem(f: &QueryFile, key: Option<&str>, code: &'static str, message: String) -> FileError {
    FileError {
        path: f.path.clone(),
        line: key.and_then(|k| f.line_of_key(k)).or(Some(f.query_line)),
        column: None,
        code,
        message,
    }
}

/// Every problem AWS would refuse for `f` deployed under `prefix` by library `lib`.
/// `target` names the target in messages where the prefix matters.
pub fn check(
    f: &QueryFile,
    prefix: Option<&str>,
    lib: &str,
    target: Option<&str>,
) -> Vec<FileError> {
    let mut out = Vec::new();
    let name = target_name(prefix, &f.name);
    let under = |what: &str| match target {
        Some(t) => format!("{what} (target {t})"),
        None => what.to_string(),
    };
    let version = f.version.to_string();
    if f.definition {
        if let Err(m) = limits::check_definition_name(&name) {
            out.push(problem(f, None, "LQF13", under(&format!("definition {m}"))));
        }
        let deployed = f.query.trim_end().chars().count()
            + identity::marker_len(f.language, lib, &name, &version);
        if deployed > limits::MAX_QUERY {
            out.push(problem(
                f,
                Some("query"),
                "LQF12",
                under(&format!(
                    "the deployed text is {deployed} characters with logplan's marker line; CloudWatch allows at most {} (shorten the query by {})",
                    limits::MAX_QUERY,
                    deployed - limits::MAX_QUERY
                )),
            ));
        }
    }
    check_parameters(f, &mut out);
    if let Some(spec) = &f.scheduled {
        let sname = target_name(prefix, &f.name);
        if let Err(m) = limits::check_scheduled_name(&sname) {
            let mut p = problem(f, None, "LQF15", under(&m));
            p.line = f.line_of_table("scheduled").or(p.line);
            out.push(p);
        }
        match scheduled::resolve(spec, &f.description) {
            Err(problems) => {
                for p in problems {
                    // The key's line, or the table's when the key is missing.
                    let mut e = problem(f, None, "LQF15", format!("[scheduled] {}", p.message));
                    e.line = f
                        .line_of_key(p.key)
                        .or(f.line_of_table("scheduled"))
                        .or(e.line);
                    out.push(e);
                }
            }
            Ok(r) => {
                let len = r.description.trim().chars().count()
                    + identity::scheduled_marker_len(lib, &version);
                if len > limits::MAX_SCHEDULED_DESCRIPTION {
                    out.push(problem(
                        f,
                        Some("description"),
                        "LQF15",
                        format!(
                            "[scheduled] the description is {len} characters with logplan's marker; CreateScheduledQuery allows at most {}",
                            limits::MAX_SCHEDULED_DESCRIPTION
                        ),
                    ));
                }
            }
        }
        if let Err(m) = limits::check_query_text(f.query.trim_end(), "the scheduled query text") {
            out.push(problem(
                f,
                Some("query"),
                "LQF15",
                format!("[scheduled] {m}"),
            ));
        }
        // CreateScheduledQuery has no parameters: a `{{name}}` placeholder would run as text.
        if !f.parameters.is_empty() || (f.language == Language::Cwli && f.query.contains("{{")) {
            let mut e = problem(
                f,
                None,
                "LQF15",
                "[scheduled] the query uses {{parameters}}, which scheduled queries do not take; write the values into a query file of its own for the schedule".into(),
            );
            e.line = f.line_of_table("scheduled").or(e.line);
            out.push(e);
        }
        if f.log_groups.len() > limits::MAX_SCHEDULED_LOG_GROUPS {
            out.push(problem(
                f,
                Some("log_groups"),
                "LQF15",
                format!(
                    "[scheduled] {} log groups; CreateScheduledQuery takes at most {}",
                    f.log_groups.len(),
                    limits::MAX_SCHEDULED_LOG_GROUPS
                ),
            ));
        }
    }
    out
}

fn check_parameters(f: &QueryFile, out: &mut Vec<FileError>) {
    if f.parameters.is_empty() {
        return;
    }
    if f.language != Language::Cwli {
        out.push(problem(
            f,
            Some("name"),
            "LQF14",
            format!(
                "parameters are supported only for Logs Insights QL queries; this one is {}",
                f.language.api()
            ),
        ));
    }
    if f.parameters.len() > limits::MAX_PARAMETERS {
        out.push(problem(
            f,
            Some("name"),
            "LQF14",
            format!(
                "{} parameters; a definition takes at most {}",
                f.parameters.len(),
                limits::MAX_PARAMETERS
            ),
        ));
    }
    let mut seen = BTreeSet::new();
    for p in &f.parameters {
        if let Err(m) = limits::check_parameter_name(&p.name) {
            out.push(problem(f, Some("name"), "LQF14", m));
        }
        if !seen.insert(p.name.as_str()) {
            out.push(problem(
                f,
                Some("name"),
                "LQF14",
                format!("parameter {:?} is declared twice", p.name),
            ));
        }
        if p.default
            .as_ref()
            .is_some_and(|d| d.chars().count() > limits::MAX_PARAMETER_DEFAULT)
        {
            out.push(problem(
                f,
                Some("default"),
                "LQF14",
                format!(
                    "parameter {:?}: the default is longer than {} characters",
                    p.name,
                    limits::MAX_PARAMETER_DEFAULT
                ),
            ));
        }
        if p.description
            .as_ref()
            .is_some_and(|d| d.chars().count() > limits::MAX_PARAMETER_DESCRIPTION)
        {
            out.push(problem(
                f,
                Some("description"),
                "LQF14",
                format!(
                    "parameter {:?}: the description is longer than {} characters",
                    p.name,
                    limits::MAX_PARAMETER_DESCRIPTION
                ),
            ));
        }
    }
}

/// Check the whole library for one target; the problems in file order.
pub fn check_all(
    files: &[QueryFile],
    prefix: Option<&str>,
    lib: &str,
    target: Option<&str>,
) -> Vec<FileError> {
    let mut out: Vec<FileError> = files
        .iter()
        .flat_map(|f| check(f, prefix, lib, target))
        .collect();
    out.extend(check_state(files, prefix, lib, target));
    out
}

/// The PPL state is itself a query definition: it must fit in 10,000 characters with an entry
/// (and a definition id, 36 characters) for every PPL definition of the library.
fn check_state(
    files: &[QueryFile],
    prefix: Option<&str>,
    lib: &str,
    target: Option<&str>,
) -> Option<FileError> {
    let ppl: Vec<&QueryFile> = files
        .iter()
        .filter(|f| f.definition && f.language == Language::Ppl)
        .collect();
    let state = identity::PplState {
        entries: ppl
            .iter()
            .map(|f| identity::PplEntry {
                id: Some("00000000-0000-0000-0000-000000000000".into()),
                name: target_name(prefix, &f.name),
                version: f.version.to_string(),
                hash: "0000000000000000".into(),
            })
            .collect(),
    };
    let len = state.encode(lib).chars().count();
    if len <= limits::MAX_QUERY {
        return None;
    }
    let last = ppl.last()?;
    let mut e = problem(
        last,
        None,
        "LQF16",
        format!(
            "{} PPL definitions: logplan's record of them ({}) would be {len} characters, over the 10,000 a definition holds; deploy fewer PPL queries per target{}",
            ppl.len(),
            identity::state_name(prefix, lib),
            target.map(|t| format!(" (target {t})")).unwrap_or_default()
        ),
    );
    e.line = Some(1);
    Some(e)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn file(text: &str) -> QueryFile {
        crate::queries::file::parse(Path::new("q.toml"), "team/q", text).unwrap()
    }

    #[test]
    fn the_marker_counts_against_the_limit() {
        // 9,990 characters pass the file check (10,000) but not with a marker of ~80.
        let text = format!(
            "version = \"1.0.0\"\nlog_groups = [\"/a\"]\nquery = \"fields {}\"\n",
            "x".repeat(9_983)
        );
        let f = file(&text);
        assert_eq!(f.query.chars().count(), 9_990);
        let p = check(&f, None, "lp-1", None);
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].code, p[0].line), ("LQF12", Some(3)));
        // PPL deploys as written: no marker, no problem.
        let ppl = file(&text.replace("query =", "language = \"ppl\"\nquery ="));
        assert!(check(&ppl, None, "lp-1", None).is_empty());
    }

    #[test]
    fn the_ppl_state_must_fit_in_one_definition() {
        let files: Vec<QueryFile> = (0..120)
            .map(|i| {
                crate::queries::file::parse(
                    Path::new(&format!("ppl/q{i:03}.toml")),
                    &format!("ppl/q{i:03}"),
                    "version = \"1.0.0\"\nlanguage = \"ppl\"\nlog_groups = [\"/a\"]\nquery = \"head 5\"\n",
                )
                .unwrap()
            })
            .collect();
        assert!(check_all(&files[..40], Some("team"), "lp-1", None).is_empty());
        let p = check_all(&files, Some("team"), "lp-1", None);
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!(p[0].code, "LQF16");
        assert!(
            p[0].message.starts_with("120 PPL definitions"),
            "{}",
            p[0].message
        );
    }

    #[test]
    fn the_prefix_counts_against_the_name_limit() {
        let f = file("version = \"1.0.0\"\nlog_groups = [\"/a\"]\nquery = \"fields a\"\n");
        let long = "p".repeat(250);
        let p = check(&f, Some(&long), "lp-1", Some("prod"));
        assert!(
            p.iter()
                .any(|e| e.code == "LQF13" && e.message.contains("target prod")),
            "{p:?}"
        );
    }
}
