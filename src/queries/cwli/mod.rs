//! Parser and linter for CloudWatch Logs Insights QL (CWLI), plus light checks for the OpenSearch
//! PPL and SQL dialects that Logs Insights also runs.
//!
//! [`parse`] turns a query into a syntax tree ([`ast::Query`]) and never panics: a lexer and a
//! recursive-descent parser (Pratt loop for expressions) recover at the next `|`, so one run
//! reports every broken stage. [`check`] then looks for queries that parse but that CloudWatch
//! would reject or run badly; [`lint`] does both. Findings are [`Diagnostic`]s with stable codes,
//! rendered ruff-style by [`render`].
//!
//! | Code  | Severity | Finding |
//! |-------|----------|---------|
//! | LQ001 | error    | unexpected token or character (also: SOURCE not first, bad `diff` period, `limit` without a number, nesting too deep) |
//! | LQ002 | error    | unterminated string, regex or backtick field name |
//! | LQ003 | error    | unknown command |
//! | LQ004 | error    | missing expression or argument (`filter` with nothing after it, `stats by x`, `parse` without a pattern) |
//! | LQ005 | error    | unbalanced parentheses, brackets or braces |
//! | LQ006 | error    | empty query, or an empty stage (stray, doubled or trailing `\|`) |
//! | LQ007 | error    | unknown time unit (`5x`), or `bin()` given a bare number |
//! | LQ101 | error    | command not supported on Infrequent Access log groups: `pattern`, `diff`, `unmask` (command or function), `filterIndex` |
//! | LQ102 | error    | a command other than `limit` after `dedup` |
//! | LQ103 | error    | `stats` without an aggregate (or other stats) function, e.g. `stats bin(5m)` |
//! | LQ104 | warning  | unknown function |
//! | LQ105 | error    | wrong number of arguments for a known function |
//! | LQ120 | error    | `parse` glob: number of `*` differs from the number of names after `as` |
//! | LQ121 | error    | more than one `join` in a query |
//! | LQ201 | error    | PPL/SQL: unterminated quote or backtick |
//! | LQ202 | error    | PPL/SQL: unbalanced parentheses or brackets |
//! | LQ203 | error    | PPL/SQL: wrong leading keyword (PPL: `source=`, `search` or a PPL command; SQL: SELECT/WITH) |
//! | LQ204 | error    | SQL does not name its log groups (`FROM \`name\`` / `logGroups(...)`) |
//! | LQ301 | warning  | `sort by field`: CloudWatch runs it (AWS's sample collections use it), the syntax page documents `sort field` |
//! | LQ302 | warning  | `==`: compares like `=`, undocumented |
//! | LQ303 | warning  | a `parse` regex that spans lines: accepted, and the newline and indentation become part of the pattern |
//! | LQ304 | warning  | `estimate`: a documented command whose arguments logplan does not check |
//! | LQ305 | warning  | `head` / `tail`: deprecated by AWS in favour of `limit`, still accepted |
//!
//! LQ3xx is the range for constructs CloudWatch accepts but does not document (or documents as
//! deprecated): the bar is ruff's, no false positives, so what AWS runs is at most a warning.
//!
//! LQ106 to LQ119 are left to callers, for checks that need more than the query text (the
//! query file's log groups and their classes): whether a PPL or SQL query may run on an
//! Infrequent Access log group (it may not), for one, is the caller's check.

pub mod ast;
mod check;
mod diag;
mod functions;
mod lexer;
mod parser;
mod ppl_sql;

pub use diag::{Diagnostic, Severity};

/// A parsed query and the syntax errors found on the way (empty when the query is well formed).
#[derive(Clone, Debug)]
pub struct Parsed {
    pub query: ast::Query,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parse Logs Insights QL. Never panics, on any input; recovers at the next `|` and reports
/// several errors in one run.
pub fn parse(text: &str) -> Parsed {
    let (query, diagnostics) = parser::parse_query(text);
    Parsed { query, diagnostics }
}

/// Semantic checks on a parsed query (codes LQ101 to LQ105, LQ120, LQ121).
/// `infrequent_access` = the query reads at least one Infrequent Access log group.
pub fn check(parsed: &Parsed, infrequent_access: bool) -> Vec<Diagnostic> {
    check::check_query(&parsed.query, infrequent_access)
}

/// parse + check: every finding, ordered by position.
pub fn lint(text: &str, infrequent_access: bool) -> Vec<Diagnostic> {
    let parsed = parse(text);
    let mut out = check(&parsed, infrequent_access);
    let mut all = parsed.diagnostics;
    all.append(&mut out);
    all.sort_by(|a, b| a.span.start.cmp(&b.span.start).then(a.code.cmp(b.code)));
    all
}

/// Light checks for OpenSearch PPL queries (no full parser): balanced quotes, backticks and
/// brackets, and the leading keyword (`source=`, `search`, or a PPL command).
pub fn lint_ppl(text: &str) -> Vec<Diagnostic> {
    ppl_sql::lint_ppl(text)
}

/// Light checks for OpenSearch SQL queries (no full parser): balanced quotes, backticks and
/// parentheses, SELECT/WITH first, and log groups named in the query (FROM `name` /
/// `logGroups(...)`).
pub fn lint_sql(text: &str) -> Vec<Diagnostic> {
    ppl_sql::lint_sql(text)
}

/// Largest char boundary at or before `offset` (clamped to the text).
fn floor_boundary(text: &str, offset: usize) -> usize {
    let mut at = offset.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// 1-based (line, column) of a byte offset; column counts characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let at = floor_boundary(text, offset);
    let before = &text[..at];
    let line = before.bytes().filter(|&b| b == b'\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |p| p + 1);
    let col = text[line_start..at].chars().count() + 1;
    (line, col)
}

/// ruff-style rendering: `path:line:col: CODE message`, then the source line with the span
/// underlined by carets, then `help: ...` when there is one. Ends with a newline.
pub fn render(path: &str, text: &str, d: &Diagnostic) -> String {
    let start = floor_boundary(text, d.span.start);
    let (line, col) = line_col(text, start);
    let line_start = text[..start].rfind('\n').map_or(0, |p| p + 1);
    let line_end = text[start..].find('\n').map_or(text.len(), |p| start + p);
    let source_line = text[line_start..line_end].trim_end_matches('\r');
    let span_end = floor_boundary(text, d.span.end.max(start)).min(line_end);
    let carets = text[start..span_end].chars().count().max(1);
    // Tabs shown as one space each keep the carets under the characters they mark.
    let shown = source_line.replace('\t', " ");
    let gutter = " ".repeat(line.to_string().len());
    let mut out = format!("{path}:{line}:{col}: {} {}\n", d.code, d.message);
    out.push_str(&format!("{gutter} |\n"));
    out.push_str(&format!("{line} | {shown}\n"));
    out.push_str(&format!(
        "{gutter} | {}{}\n",
        " ".repeat(col - 1),
        "^".repeat(carets)
    ));
    if let Some(help) = &d.help {
        out.push_str(&format!("{gutter} = help: {help}\n"));
    }
    out
}
