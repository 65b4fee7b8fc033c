//! Recursive-descent parser for Logs Insights QL, with a Pratt loop for expressions.
//!
//! Recovery works per stage: the first syntax error in a stage is reported, the rest of the
//! stage is skipped up to the next `|` at bracket depth 0, and parsing resumes there, so one
//! run reports one error for each broken stage rather than a cascade for the first.

mod commands;
mod expr;
mod source;

use super::ast::*;
use super::diag::{Diagnostic, codes};
use super::lexer::{Tok, Token, lex};

/// Deeper nesting than this (brackets, subqueries, chained unary operators) is reported
/// rather than recursed into, so that hostile input cannot overflow the stack.
const MAX_DEPTH: usize = 200;

/// Binding power a prefix `not` parses its operand with: above `and`/`or`, below comparisons,
/// so `not x in [1, 2]` is `not (x in [1, 2])`.
const NOT_BP: u8 = 5;
/// Binding power of unary `-` and `!`: tighter than any binary operator.
const UNARY_BP: u8 = 15;

pub(crate) fn parse_query(text: &str) -> (Query, Vec<Diagnostic>) {
    let lexed = lex(text);
    let mut p = Parser {
        src: text,
        toks: lexed.tokens,
        pos: 0,
        last_end: 0,
        diags: Vec::new(),
        stage_errored: false,
        depth: 0,
        sub_depth: 0,
    };
    let query = p.query(0, None);
    let mut diags = lexed.diagnostics;
    diags.append(&mut p.diags);
    diags.sort_by_key(|d| d.span.start);
    (query, diags)
}

struct Parser<'a> {
    src: &'a str,
    toks: Vec<Token>,
    pos: usize,
    /// End of the last consumed token, for spans.
    last_end: usize,
    diags: Vec<Diagnostic>,
    /// Set after the first error of a stage; later errors in that stage are noise.
    stage_errored: bool,
    depth: usize,
    /// How many `( ... )` subqueries enclose the current position; inside one, `)` at stage
    /// level ends the query instead of being unbalanced.
    sub_depth: usize,
}

fn unquote_ident(raw: &str) -> String {
    let bytes = raw.as_bytes();
    if bytes.len() >= 2
        && bytes[0] == b'`'
        && bytes[bytes.len() - 1] == b'`'
        && !raw[1..raw.len() - 1].contains('`')
    {
        raw[1..raw.len() - 1].to_string()
    } else {
        raw.to_string()
    }
}

fn unescape(body: &str) -> String {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            match chars.next() {
                Some('n') => out.push('\n'),
                Some('t') => out.push('\t'),
                Some('r') => out.push('\r'),
                Some(other) => out.push(other),
                None => out.push('\\'),
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Time units `bin()` and durations accept: each abbreviation longer than one character may
/// also take a plural `s`.
fn is_time_unit(unit: &str) -> bool {
    const SINGLE: &[&str] = &["s", "m", "h", "d", "w", "q", "y"];
    const WORDS: &[&str] = &[
        "millisecond",
        "ms",
        "msec",
        "second",
        "sec",
        "minute",
        "min",
        "hour",
        "hr",
        "day",
        "week",
        "month",
        "mo",
        "mon",
        "quarter",
        "qtr",
        "year",
        "yr",
    ];
    if SINGLE.iter().any(|u| u.eq_ignore_ascii_case(unit)) {
        return true;
    }
    WORDS.iter().any(|w| {
        w.eq_ignore_ascii_case(unit)
            || (unit.len() == w.len() + 1
                && unit[..w.len()].eq_ignore_ascii_case(w)
                && unit.as_bytes()[w.len()].eq_ignore_ascii_case(&b's'))
    })
}

const COMMANDS: &[&str] = &[
    "fields",
    "display",
    "filter",
    "filterIndex",
    "stats",
    "sort",
    "limit",
    "parse",
    "dedup",
    "pattern",
    "diff",
    "unmask",
    "unnest",
    "lookup",
    "join",
    "anomaly",
    "addtotals",
    "estimate",
    "head",
    "tail",
];

/// Words that cannot start an operand: seeing one where an expression belongs is an error,
/// not a field of that name.
fn is_reserved(word: &str) -> bool {
    ["by", "as", "and", "or", "like", "in"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

impl<'a> Parser<'a> {
    // ---- token access -------------------------------------------------------------------

    fn peek(&self) -> Token {
        self.toks[self.pos]
    }

    fn nth(&self, k: usize) -> Token {
        self.toks[(self.pos + k).min(self.toks.len() - 1)]
    }

    fn text(&self, t: Token) -> &'a str {
        &self.src[t.start..t.end]
    }

    fn bump(&mut self) -> Token {
        let t = self.peek();
        if t.kind != Tok::Eof {
            self.pos += 1;
            self.last_end = t.end;
        }
        t
    }

    fn is_kw(&self, t: Token, kw: &str) -> bool {
        t.kind == Tok::Ident && self.text(t).eq_ignore_ascii_case(kw)
    }

    fn at_kw(&self, kw: &str) -> bool {
        self.is_kw(self.peek(), kw)
    }

    fn eat_kw(&mut self, kw: &str) -> Option<Token> {
        if self.at_kw(kw) {
            Some(self.bump())
        } else {
            None
        }
    }

    fn eat(&mut self, kind: Tok) -> Option<Token> {
        if self.peek().kind == kind {
            Some(self.bump())
        } else {
            None
        }
    }

    /// End of the current query: end of text, or the `)` closing a subquery.
    fn at_query_end(&self) -> bool {
        match self.peek().kind {
            Tok::Eof => true,
            Tok::RParen => self.sub_depth > 0,
            _ => false,
        }
    }

    fn at_stage_end(&self) -> bool {
        self.peek().kind == Tok::Pipe || self.at_query_end()
    }

    fn describe(&self, t: Token) -> String {
        match t.kind {
            Tok::Eof => "end of query".to_string(),
            _ => {
                // One line, whatever the token spans: messages never contain a newline.
                let text = self.text(t);
                let mut short = String::new();
                for c in text.chars().take(24) {
                    match c {
                        '\n' => short.push_str("\\n"),
                        '\r' => short.push_str("\\r"),
                        '\t' => short.push_str("\\t"),
                        c => short.push(c),
                    }
                }
                if text.chars().count() > 24 {
                    format!("'{short}...'")
                } else {
                    format!("'{short}'")
                }
            }
        }
    }

    // ---- diagnostics --------------------------------------------------------------------

    /// A warning: recorded, and the stage goes on being checked.
    fn warn(&mut self, d: Diagnostic) {
        self.diags.push(d);
    }

    fn report(&mut self, d: Diagnostic) {
        if !self.stage_errored {
            self.diags.push(d);
        }
        self.stage_errored = true;
    }

    /// Reports `expected X, found Y` at the current token (unless the lexer already reported
    /// it, for an `Unknown` token). Missing input is LQ004.
    fn expected(&mut self, what: &str) {
        self.expected_at(what, false);
    }

    /// Like [`Self::expected`], for a stage followed by something that is not `|`: a closing
    /// bracket there has no opener, which is LQ005.
    fn expected_at(&mut self, what: &str, stage_level: bool) {
        let t = self.peek();
        if t.kind == Tok::Unknown {
            self.stage_errored = true;
            return;
        }
        let d = if self.at_stage_end() {
            let at = self.last_end;
            Diagnostic::error(
                codes::MISSING_EXPR,
                self.prev_span(at),
                format!("expected {what}, found {}", self.describe(t)),
            )
        } else if stage_level && matches!(t.kind, Tok::RParen | Tok::RBracket | Tok::RBrace) {
            Diagnostic::error(
                codes::UNBALANCED,
                t.start..t.end,
                format!("unmatched '{}'", self.text(t)),
            )
            .with_help("remove it, or add the opening bracket it closes")
        } else {
            Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                t.start..t.end,
                format!("expected {what}, found {}", self.describe(t)),
            )
        };
        self.report(d);
    }

    /// The span of the last consumed token (what a "missing X after this" error points at).
    fn prev_span(&self, at: usize) -> std::ops::Range<usize> {
        self.toks[..self.pos]
            .iter()
            .rev()
            .find(|t| t.end == at)
            .map_or(at..at, |t| t.start..t.end)
    }

    /// Expects `close` to end a bracket opened by `open` (`list`: a comma could also have
    /// come next, as in arguments and list literals).
    fn close(&mut self, open: Token, close: Tok, what: char) {
        self.close_list(open, close, what, true);
    }

    fn close_group(&mut self, open: Token) {
        self.close_list(open, Tok::RParen, ')', false);
    }

    fn close_list(&mut self, open: Token, close: Tok, what: char, list: bool) {
        if self.eat(close).is_some() {
            return;
        }
        if self.at_stage_end() || self.peek().kind == Tok::Eof {
            let d = Diagnostic::error(
                codes::UNBALANCED,
                open.start..open.end,
                format!("unclosed '{}'", self.text(open)),
            )
            .with_help(format!("add '{what}' to close it"));
            self.report(d);
        } else if list {
            self.expected(&format!("',' or '{what}'"));
        } else {
            self.expected(&format!("'{what}'"));
        }
    }

    /// Skips to the `|` (or query end) that ends the current stage, honouring brackets.
    fn skip_stage(&mut self) {
        let mut depth = 0usize;
        loop {
            let t = self.peek();
            match t.kind {
                Tok::Eof => return,
                Tok::Pipe if depth == 0 => return,
                Tok::LParen | Tok::LBracket | Tok::LBrace => depth += 1,
                Tok::RParen | Tok::RBracket | Tok::RBrace => {
                    if depth == 0 {
                        if t.kind == Tok::RParen && self.sub_depth > 0 {
                            return;
                        }
                    } else {
                        depth -= 1;
                    }
                }
                _ => {}
            }
            self.bump();
        }
    }

    fn ident(&mut self, what: &str) -> Option<Ident> {
        let t = self.peek();
        if t.kind == Tok::Ident {
            self.bump();
            Some(Ident {
                name: unquote_ident(self.text(t)),
                span: t.start..t.end,
            })
        } else {
            self.expected(what);
            None
        }
    }

    fn ident_list(&mut self, what: &str) -> Vec<Ident> {
        let mut out = Vec::new();
        while let Some(i) = self.ident(what) {
            out.push(i);
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        out
    }

    // ---- queries and stages -------------------------------------------------------------

    /// A pipeline. `open` is the `(` of a subquery, for the "empty subquery" message.
    fn query(&mut self, start: usize, open: Option<Token>) -> Query {
        let mut source = None;
        let mut stages: Vec<Stage> = Vec::new();
        let mut pending_pipe: Option<Token> = None;
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            self.too_deep();
            self.depth -= 1;
            return Query {
                source,
                stages,
                span: start..self.last_end.max(start),
            };
        }
        loop {
            if self.at_query_end() {
                if let Some(p) = pending_pipe {
                    self.stage_errored = false;
                    self.report(
                        Diagnostic::error(codes::EMPTY, p.start..p.end, "empty stage after '|'")
                            .with_help("remove the trailing '|' or add a command after it"),
                    );
                } else if source.is_none() && stages.is_empty() {
                    self.stage_errored = false;
                    let (span, msg) = match open {
                        Some(o) => (o.start..o.end, "empty subquery"),
                        None => (0..0, "empty query"),
                    };
                    self.report(Diagnostic::error(codes::EMPTY, span, msg));
                }
                break;
            }
            if self.peek().kind == Tok::Pipe {
                let p = self.bump();
                if pending_pipe.is_some() || (source.is_none() && stages.is_empty()) {
                    self.stage_errored = false;
                    self.report(
                        Diagnostic::error(codes::EMPTY, p.start..p.end, "empty stage")
                            .with_help("remove the extra '|'"),
                    );
                }
                pending_pipe = Some(p);
                continue;
            }
            pending_pipe = None;
            self.stage_errored = false;
            if source.is_none() && stages.is_empty() && self.at_kw("source") {
                source = Some(self.source_clause());
            } else {
                stages.push(self.stage());
            }
            if !self.at_stage_end() {
                self.expected_at("'|' or the end of the query", true);
                self.skip_stage();
            }
        }
        self.depth -= 1;
        Query {
            source,
            stages,
            span: start..self.last_end.max(start),
        }
    }

    fn too_deep(&mut self) {
        let t = self.peek();
        self.report(Diagnostic::error(
            codes::UNEXPECTED_TOKEN,
            t.start..t.end,
            format!("query nested more than {MAX_DEPTH} levels deep"),
        ));
    }

    fn stage(&mut self) -> Stage {
        let t = self.peek();
        let start = t.start;
        if t.kind != Tok::Ident {
            self.expected("a command");
            self.skip_stage();
            return Stage {
                command: Command::Invalid {
                    name: String::new(),
                },
                span: start..self.last_end.max(start),
                name_span: t.start..t.end,
            };
        }
        let word = self.text(t);
        self.bump();
        let name_span = t.start..t.end;
        let known = COMMANDS.iter().find(|c| c.eq_ignore_ascii_case(word));
        let command = match known.map(|c| c.to_ascii_lowercase()).as_deref() {
            Some("fields") => Command::Fields(self.projections("fields", "a field")),
            Some("display") => Command::Display(self.projections("display", "a field")),
            Some("filter") => Command::Filter(self.required_expr("filter")),
            Some("filterindex") => Command::FilterIndex(self.required_expr("filterIndex")),
            Some("stats") => self.stats(),
            Some("sort") => self.sort(),
            Some("limit") => self.limit(),
            Some("parse") => self.parse_cmd(),
            Some("dedup") => Command::Dedup(self.expr_list("dedup", "a field")),
            Some("pattern") => Command::Pattern(self.required_expr("pattern")),
            Some("diff") => self.diff(),
            Some("unmask") => Command::Unmask(self.optional_expr_list()),
            Some("unnest") => self.unnest(),
            Some("lookup") => self.lookup(),
            Some("join") => self.join(),
            Some("anomaly") => Command::Anomaly,
            Some("addtotals") => self.addtotals(),
            Some("estimate") => {
                // Documented (no scan charge), but logplan has no grammar for its arguments:
                // unsure means a warning, never an error.
                self.warn(
                    Diagnostic::warning(
                        codes::UNCHECKED_COMMAND,
                        name_span.clone(),
                        "logplan does not check the arguments of 'estimate'",
                    )
                    .with_help("CloudWatch checks them when the query runs"),
                );
                self.skip_stage();
                Command::Invalid {
                    name: "estimate".into(),
                }
            }
            Some(old @ ("head" | "tail")) => {
                self.warn(
                    Diagnostic::warning(
                        codes::DEPRECATED_COMMAND,
                        name_span.clone(),
                        format!("'{old}' is deprecated by AWS in favour of 'limit'"),
                    )
                    .with_help("write 'limit <n>'"),
                );
                self.limit()
            }
            _ => {
                let d = if word.eq_ignore_ascii_case("source") {
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        name_span.clone(),
                        "SOURCE must be the first command of the query",
                    )
                    .with_help("move the SOURCE clause to the start of the query")
                } else {
                    let mut d = Diagnostic::error(
                        codes::UNKNOWN_COMMAND,
                        name_span.clone(),
                        format!("unknown command '{word}'"),
                    );
                    if let Some(s) = super::functions::closest(word, COMMANDS.iter().copied()) {
                        d = d.with_help(format!("did you mean '{s}'?"));
                    } else {
                        d = d.with_help(format!("commands are: {}", COMMANDS.join(", ")));
                    }
                    d
                };
                self.report(d);
                self.skip_stage();
                Command::Invalid {
                    name: word.to_ascii_lowercase(),
                }
            }
        };
        Stage {
            command,
            span: start..self.last_end.max(start),
            name_span,
        }
    }
}

/// The text between the quotes of a string token (an unterminated one has no closing quote).
fn string_body(raw: &str) -> &str {
    let Some(quote) = raw.chars().next() else {
        return raw;
    };
    let inner = &raw[quote.len_utf8()..];
    if inner.ends_with(quote) {
        &inner[..inner.len() - quote.len_utf8()]
    } else {
        inner
    }
}

/// Splits `/pattern/flags` into its pattern and flags (tolerating an unterminated regex).
fn regex_body(text: &str) -> (&str, &str) {
    let inner = text.strip_prefix('/').unwrap_or(text);
    match inner.rfind('/') {
        Some(close) => (&inner[..close], &inner[close + 1..]),
        None => (inner, ""),
    }
}
