//! Light checks for OpenSearch PPL and SQL queries. There is no full parser for these: the
//! checks catch what breaks a saved query outright (an unclosed quote or bracket, a wrong first
//! word, SQL that does not say which log groups it reads). Whether PPL/SQL may run on an
//! Infrequent Access log group is the caller's check: both need the Standard class.

use super::diag::{Diagnostic, codes};

/// First words a CloudWatch PPL query may start with: `source=` / `search`, and the PPL
/// commands CloudWatch documents (a console query starts with a command, the log groups being
/// picked in the console), including `LEFT JOIN ...`.
const PPL_LEADING: &[&str] = &[
    "source",
    "search",
    "fields",
    "where",
    "stats",
    "eventstats",
    "parse",
    "grok",
    "patterns",
    "sort",
    "eval",
    "rename",
    "head",
    "top",
    "rare",
    "dedup",
    "join",
    "left",
    "right",
    "inner",
    "cross",
    "full",
    "lookup",
    "trendline",
    "expand",
    "flatten",
    "fillnull",
    "fieldsummary",
    "describe",
];

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Ppl,
    Sql,
}

#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    /// A backtick-quoted name rather than a bare word.
    quoted: bool,
}

struct Scan {
    diagnostics: Vec<Diagnostic>,
    /// Bare words and backtick names outside strings and comments, in order.
    words: Vec<Word>,
}

/// Walks the text once: strings, backticks and brackets, and (for SQL) `--` and `/* */`
/// comments. Reports unclosed quotes and unbalanced brackets.
fn scan(text: &str, lang: Lang) -> Scan {
    let bytes = text.as_bytes();
    let mut diagnostics = Vec::new();
    let mut words = Vec::new();
    let mut stack: Vec<(u8, usize)> = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        match b {
            b'-' if lang == Lang::Sql && bytes.get(i + 1) == Some(&b'-') => {
                i = bytes[i..]
                    .iter()
                    .position(|&c| c == b'\n')
                    .map_or(bytes.len(), |p| i + p);
            }
            b'/' if lang == Lang::Sql && bytes.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |p| i + 2 + p + 2);
            }
            b'\'' | b'"' | b'`' => {
                let start = i;
                let mut j = i + 1;
                let mut closed = false;
                while j < bytes.len() {
                    if bytes[j] == b'\\' {
                        j += 2;
                        continue;
                    }
                    if bytes[j] == b {
                        // SQL doubles a quote to escape it: 'it''s'.
                        if lang == Lang::Sql && bytes.get(j + 1) == Some(&b) && b != b'`' {
                            j += 2;
                            continue;
                        }
                        closed = true;
                        break;
                    }
                    j += 1;
                }
                if closed {
                    if b == b'`' {
                        words.push(Word {
                            start,
                            end: j + 1,
                            quoted: true,
                        });
                    }
                    i = j + 1;
                } else {
                    let what = if b == b'`' { "backtick" } else { "quote" };
                    diagnostics.push(
                        Diagnostic::error(
                            codes::PS_UNTERMINATED,
                            start..start + 1,
                            format!("unterminated {what} {}", b as char),
                        )
                        .with_help(format!("close it with {}", b as char)),
                    );
                    i = bytes.len();
                }
            }
            b'(' | b'[' => {
                stack.push((b, i));
                i += 1;
            }
            b')' | b']' => {
                let open = if b == b')' { b'(' } else { b'[' };
                match stack.last() {
                    Some(&(o, _)) if o == open => {
                        stack.pop();
                    }
                    _ => diagnostics.push(
                        Diagnostic::error(
                            codes::PS_UNBALANCED,
                            i..i + 1,
                            format!("unmatched '{}'", b as char),
                        )
                        .with_help("remove it, or add the opening bracket it closes"),
                    ),
                }
                i += 1;
            }
            _ if b.is_ascii_alphabetic() || b == b'_' || b == b'@' => {
                let start = i;
                while i < bytes.len()
                    && (bytes[i].is_ascii_alphanumeric() || matches!(bytes[i], b'_' | b'@' | b'.'))
                {
                    i += 1;
                }
                words.push(Word {
                    start,
                    end: i,
                    quoted: false,
                });
            }
            _ => {
                // Advance a whole character so offsets stay on char boundaries.
                i += text[i..].chars().next().map_or(1, char::len_utf8);
            }
        }
    }
    for (b, at) in stack {
        let close = if b == b'(' { ')' } else { ']' };
        diagnostics.push(
            Diagnostic::error(
                codes::PS_UNBALANCED,
                at..at + 1,
                format!("unclosed '{}'", b as char),
            )
            .with_help(format!("add '{close}' to close it")),
        );
    }
    Scan { diagnostics, words }
}

fn first_word<'a>(text: &'a str, scan: &Scan) -> Option<(&'a str, std::ops::Range<usize>)> {
    scan.words
        .iter()
        .find(|w| !w.quoted)
        .map(|w| (&text[w.start..w.end], w.start..w.end))
}

/// The text before the first word must be blank.
fn only_blank_before(text: &str, at: usize) -> bool {
    text[..at].chars().all(char::is_whitespace)
}

pub(crate) fn lint_ppl(text: &str) -> Vec<Diagnostic> {
    let scan = scan(text, Lang::Ppl);
    let mut out = scan.diagnostics.clone();
    if text.trim().is_empty() {
        out.push(Diagnostic::error(codes::EMPTY, 0..0, "empty query"));
        return out;
    }
    let leading = first_word(text, &scan);
    let ok = leading.as_ref().is_some_and(|(w, span)| {
        only_blank_before(text, span.start) && PPL_LEADING.iter().any(|k| k.eq_ignore_ascii_case(w))
    });
    if !ok {
        let span = leading.map_or(0..0, |(_, s)| s);
        let found = text[span.clone()].to_string();
        out.push(
            Diagnostic::error(
                codes::PS_LEADING,
                span,
                format!(
                    "a PPL query starts with 'source=', 'search' or a PPL command, found '{found}'"
                ),
            )
            .with_help("write e.g. 'source = `/aws/lambda/my-fn` | where ...' or 'fields ...'"),
        );
    }
    out.sort_by_key(|d| d.span.start);
    out
}

pub(crate) fn lint_sql(text: &str) -> Vec<Diagnostic> {
    let scan = scan(text, Lang::Sql);
    let mut out = scan.diagnostics.clone();
    if text.trim().is_empty() {
        out.push(Diagnostic::error(codes::EMPTY, 0..0, "empty query"));
        return out;
    }
    let leading = first_word(text, &scan);
    // Comments are not words, so the first word is the first one outside them.
    let ok = leading
        .as_ref()
        .is_some_and(|(w, _)| w.eq_ignore_ascii_case("select") || w.eq_ignore_ascii_case("with"));
    if !ok {
        let span = leading.map_or(0..0, |(_, s)| s);
        let found = text[span.clone()].to_string();
        out.push(
            Diagnostic::error(
                codes::PS_LEADING,
                span,
                format!("a SQL query starts with SELECT or WITH, found '{found}'"),
            )
            .with_help("write e.g. SELECT ... FROM `/aws/lambda/my-fn`"),
        );
    }
    // CloudWatch SQL takes its log groups from the query text: FROM `name` (or a
    // logGroups(...) / filterIndex(...) source in backticks), so a query without one reads
    // nothing.
    let unterminated = out.iter().any(|d| d.code == codes::PS_UNTERMINATED);
    let names_groups = unterminated
        || scan.words.windows(2).any(|pair| {
            let kw = &text[pair[0].start..pair[0].end];
            !pair[0].quoted
                && (kw.eq_ignore_ascii_case("from") || kw.eq_ignore_ascii_case("join"))
                && text[pair[0].end..pair[1].start].trim().is_empty()
        })
        || scan.words.iter().any(|w| {
            w.quoted
                && text[w.start + 1..]
                    .to_ascii_lowercase()
                    .starts_with("loggroups(")
        });
    if !names_groups {
        let from = scan
            .words
            .iter()
            .find(|w| !w.quoted && text[w.start..w.end].eq_ignore_ascii_case("from"));
        let span = from.map_or_else(
            || first_word(text, &scan).map_or(0..0, |(_, s)| s),
            |w| w.start..w.end,
        );
        out.push(
            Diagnostic::error(
                codes::SQL_NO_LOG_GROUPS,
                span,
                "SQL query does not name the log groups it reads",
            )
            .with_help(
                "add FROM `log-group-name` (or FROM `logGroups(logGroupIdentifier: [...])`)",
            ),
        );
    }
    out.sort_by_key(|d| d.span.start);
    out
}
