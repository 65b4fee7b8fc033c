//! `logplan queries lint`: every query parsed and checked, and every file checked against what
//! AWS accepts as it would be deployed to each target of `logplan.toml` (the preflight `apply`
//! runs), findings ruff-style with file, line and column.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::cli::{GlobalArgs, LanguageArg, LintArgs, LintFormat};
use crate::commands::print_stdout;
use crate::config::Config;
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::queries::cwli::{self, Diagnostic, Severity};
use crate::queries::file::{self, FileError, Language, QueryFile};
use crate::queries::preflight;

/// A finding with its place in a file.
#[derive(Debug, Serialize)]
struct Finding {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    code: String,
    severity: &'static str,
    message: String,
    help: Option<String>,
    #[serde(skip)]
    rendered: String,
}

fn from_file_error(e: &FileError) -> Finding {
    Finding {
        path: e.path.display().to_string(),
        line: e.line.unwrap_or(1),
        column: e.column.unwrap_or(1),
        end_line: e.line.unwrap_or(1),
        end_column: e.column.unwrap_or(1),
        code: e.code.to_string(),
        severity: "error",
        message: e.message.clone(),
        help: None,
        rendered: e.to_string(),
    }
}

/// Diagnostics of one query, positioned in `text` (the file, or the bare query), the query
/// starting at byte `offset` of it.
fn findings(path: &str, text: &str, offset: usize, diags: Vec<Diagnostic>) -> Vec<Finding> {
    diags
        .into_iter()
        .map(|mut d| {
            d.span = d.span.start + offset..d.span.end + offset;
            let (line, column) = cwli::line_col(text, d.span.start);
            let (end_line, end_column) = cwli::line_col(text, d.span.end);
            Finding {
                path: path.to_string(),
                line,
                column,
                end_line,
                end_column,
                code: d.code.to_string(),
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: d.message.clone(),
                help: d.help.clone(),
                rendered: cwli::render(path, text, &d),
            }
        })
        .collect()
}

/// Lint one query file's query: the language's checks plus the rules that tie it to its log
/// groups (IA classes, SQL naming groups in the text).
pub(super) fn lint_query(q: &QueryFile, ia_groups: &BTreeSet<String>) -> Vec<Diagnostic> {
    let reads_ia = q.log_groups.iter().any(|g| ia_groups.contains(g));
    let whole = 0..q.query.len();
    let mut out = match q.language {
        Language::Cwli => cwli::lint(&q.query, reads_ia),
        Language::Ppl => cwli::lint_ppl(&q.query),
        Language::Sql => cwli::lint_sql(&q.query),
    };
    let error = |code: &'static str, message: String| Diagnostic {
        code,
        severity: Severity::Error,
        message,
        span: whole.clone(),
        help: None,
    };
    match q.language {
        Language::Ppl | Language::Sql if reads_ia => out.push(error(
            "LQ106",
            format!(
                "{} queries run only on Standard log groups; this one reads an Infrequent Access group",
                q.language.api()
            ),
        )),
        _ => {}
    }
    if q.language == Language::Sql && !q.log_groups.is_empty() {
        out.push(error(
            "LQ107",
            "SQL queries name their log groups in the query text; leave `log_groups` empty".into(),
        ));
    }
    if q.language == Language::Cwli && q.log_groups.is_empty() {
        let parsed = cwli::parse(&q.query);
        if parsed.query.source_log_groups().is_empty() {
            out.push(error(
                "LQ108",
                "no log groups: list them in `log_groups` or start the query with SOURCE".into(),
            ));
        }
    }
    out
}

fn ia_groups(snapshot: Option<&Path>) -> Result<BTreeSet<String>> {
    Ok(match snapshot {
        Some(p) => crate::snapshot::read(p)?
            .into_iter()
            .filter(|g| g.log_group_class.as_deref() == Some("INFREQUENT_ACCESS"))
            .map(|g| g.log_group)
            .collect(),
        None => BTreeSet::new(),
    })
}

/// The console name of a file: its path under the library without `.toml`.
fn console_name(library: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(library).unwrap_or(path);
    rel.with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The preflight of every file for every target (or with no prefix when there are none), each
/// problem once.
fn preflight_findings(files: &[QueryFile], config: &Config) -> Vec<Finding> {
    let lib = config
        .library_id
        .as_deref()
        .unwrap_or(preflight::ASSUMED_LIBRARY_ID);
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    let targets: Vec<(Option<&str>, Option<&str>)> = if config.targets.is_empty() {
        vec![(None, None)]
    } else {
        config
            .targets
            .iter()
            .map(|(name, t)| (t.prefix.as_deref(), Some(name.as_str())))
            .collect()
    };
    for (prefix, name) in targets {
        for p in preflight::check_all(files, prefix, lib, name) {
            if seen.insert(p.to_string()) {
                out.push(from_file_error(&p));
            }
        }
    }
    out
}

pub(super) fn run(global: &GlobalArgs, library: &Path, a: &LintArgs) -> Result<i32> {
    let ia = ia_groups(a.snapshot.as_deref())?;
    let mut all: Vec<Finding> = Vec::new();
    let mut checked = 0usize;
    if a.paths.len() == 1 && a.paths[0] == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::Usage(format!("cannot read the query from stdin: {e}")))?;
        let diags = match a.language {
            LanguageArg::Cwli => cwli::lint(&text, false),
            LanguageArg::Ppl => cwli::lint_ppl(&text),
            LanguageArg::Sql => cwli::lint_sql(&text),
        };
        all.extend(findings("-", &text, 0, diags));
        checked = 1;
    } else {
        let (config, _) = Config::discover(global.config.as_deref())?;
        let roots: Vec<PathBuf> = if a.paths.is_empty() {
            vec![library.to_path_buf()]
        } else {
            a.paths.clone()
        };
        for root in roots {
            if !root.exists() {
                return Err(Error::Usage(format!(
                    "{}: no such file or folder",
                    root.display()
                )));
            }
            let (files, errors) = if root.is_dir() {
                file::load_dir(&root)
            } else {
                let name = console_name(library, &root);
                match std::fs::read_to_string(&root) {
                    Ok(text) => match file::parse(&root, &name, &text) {
                        Ok(f) => (vec![f], vec![]),
                        Err(e) => (vec![], vec![e]),
                    },
                    Err(e) => {
                        return Err(Error::Input {
                            path: root.clone(),
                            message: format!("cannot read: {e}"),
                        });
                    }
                }
            };
            checked += files.len() + errors.len();
            all.extend(errors.iter().map(from_file_error));
            for q in &files {
                // Positions are the file's when the query text sits in it verbatim.
                let path = q.path.display().to_string();
                match q.query_offset() {
                    Some(off) => {
                        all.extend(findings(&path, &q.source_text, off, lint_query(q, &ia)))
                    }
                    None => all.extend(findings(&path, &q.query, 0, lint_query(q, &ia))),
                }
            }
            all.extend(preflight_findings(&files, &config));
        }
    }
    let errors = all.iter().filter(|f| f.severity == "error").count();
    let warnings = all.len() - errors;
    match a.output() {
        LintFormat::Json => {
            let text =
                serde_json::to_string_pretty(&all).map_err(|e| Error::Internal(e.to_string()))?;
            print_stdout(&(text + "\n"))?;
        }
        LintFormat::Text => {
            let mut out = String::new();
            for f in &all {
                out += &f.rendered;
                if !f.rendered.ends_with('\n') {
                    out.push('\n');
                }
            }
            out += &format!("{checked} queries checked: {errors} errors, {warnings} warnings\n");
            print_stdout(&out)?;
        }
    }
    Ok(if all.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}
