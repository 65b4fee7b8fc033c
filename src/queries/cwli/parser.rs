//! Recursive-descent parser for Logs Insights QL, with a Pratt loop for expressions.
//!
//! Recovery works per stage: the first syntax error in a stage is reported, the rest of the
//! stage is skipped up to the next `|` at bracket depth 0, and parsing resumes there, so one
//! run reports one error for each broken stage rather than a cascade for the first.

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

    fn required_expr(&mut self, cmd: &str) -> Expr {
        if self.at_stage_end() {
            let at = self.last_end;
            let d = Diagnostic::error(
                codes::MISSING_EXPR,
                self.prev_span(at),
                format!("'{cmd}' needs an expression"),
            );
            self.report(d);
            return Expr {
                kind: ExprKind::Error,
                span: at..at,
            };
        }
        self.expr()
    }

    fn missing(&mut self, cmd: &str, what: &str) {
        let at = self.last_end;
        let d = Diagnostic::error(
            codes::MISSING_EXPR,
            self.prev_span(at),
            format!("'{cmd}' needs at least one {what}"),
        );
        self.report(d);
    }

    fn projections(&mut self, cmd: &str, what: &str) -> Vec<Projection> {
        if self.at_stage_end() {
            self.missing(cmd, what);
            return Vec::new();
        }
        self.projection_list()
    }

    fn projection_list(&mut self) -> Vec<Projection> {
        let mut out = Vec::new();
        loop {
            let expr = self.expr();
            let alias = if self.eat_kw("as").is_some() {
                self.ident("a name after 'as'")
            } else {
                None
            };
            out.push(Projection { expr, alias });
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn expr_list(&mut self, cmd: &str, what: &str) -> Vec<Expr> {
        if self.at_stage_end() {
            self.missing(cmd, what);
            return Vec::new();
        }
        self.optional_expr_list()
    }

    fn optional_expr_list(&mut self) -> Vec<Expr> {
        let mut out = Vec::new();
        if self.at_stage_end() {
            return out;
        }
        loop {
            out.push(self.expr());
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn stats(&mut self) -> Command {
        let mut stats = Stats {
            aggregates: Vec::new(),
            by: Vec::new(),
            offset: None,
        };
        if self.at_stage_end() || self.at_kw("by") {
            self.missing("stats", "aggregate expression");
            return Command::Stats(stats);
        }
        stats.aggregates = self.projection_list();
        if self.eat_kw("by").is_some() {
            if self.at_stage_end() {
                self.missing("by", "grouping expression");
            } else {
                stats.by = self.projection_list();
            }
        }
        if self.eat_kw("offset").is_some() {
            stats.offset = Some(self.required_expr("offset"));
        }
        Command::Stats(stats)
    }

    fn sort(&mut self) -> Command {
        if self.at_stage_end() {
            self.missing("sort", "field");
            return Command::Sort(Vec::new());
        }
        let mut keys = Vec::new();
        loop {
            let expr = self.expr();
            let order = if self.eat_kw("asc").is_some() {
                Some(SortOrder::Asc)
            } else if self.eat_kw("desc").is_some() {
                Some(SortOrder::Desc)
            } else {
                None
            };
            keys.push(SortKey { expr, order });
            if self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        Command::Sort(keys)
    }

    fn limit(&mut self) -> Command {
        let e = self.required_expr("limit");
        if !matches!(
            e.kind,
            ExprKind::Number(_) | ExprKind::Param(_) | ExprKind::Error
        ) {
            self.report(
                Diagnostic::error(
                    codes::UNEXPECTED_TOKEN,
                    e.span.clone(),
                    "limit expects a number",
                )
                .with_help("write e.g. 'limit 20'"),
            );
        }
        Command::Limit(e)
    }

    fn is_parse_mode(&self, t: Token) -> bool {
        self.is_kw(t, "logfmt") || self.is_kw(t, "csv")
    }

    fn parse_cmd(&mut self) -> Command {
        let t = self.peek();
        let pattern_next = matches!(t.kind, Tok::Str | Tok::Regex)
            || (self.is_parse_mode(t)
                && (self.is_kw(self.nth(1), "as")
                    || matches!(self.nth(1).kind, Tok::Pipe | Tok::Eof)));
        if self.at_stage_end() {
            self.missing("parse", "pattern (a glob string, a /regex/, logfmt or csv)");
            return Command::Invalid {
                name: "parse".into(),
            };
        }
        let source = if pattern_next {
            None
        } else {
            Some(self.expr_bp(UNARY_BP))
        };
        let t = self.peek();
        let pattern = match t.kind {
            Tok::Str => {
                self.bump();
                ParsePattern::Glob {
                    pattern: unescape(string_body(self.text(t))),
                    span: t.start..t.end,
                }
            }
            Tok::Regex => {
                self.bump();
                let multi = self.eat_kw("multi").is_some();
                ParsePattern::Regex {
                    pattern: regex_body(self.text(t)).0.to_string(),
                    span: t.start..t.end,
                    multi,
                }
            }
            Tok::Ident if self.is_parse_mode(t) => {
                self.bump();
                ParsePattern::Mode {
                    name: Ident {
                        name: self.text(t).to_ascii_lowercase(),
                        span: t.start..t.end,
                    },
                }
            }
            _ => {
                self.expected("a glob string, a /regex/, logfmt or csv");
                return Command::Invalid {
                    name: "parse".into(),
                };
            }
        };
        let aliases = match &pattern {
            ParsePattern::Glob { .. } => {
                if self.eat_kw("as").is_some() {
                    self.ident_list("a field name")
                } else {
                    self.expected("'as' and the names of the extracted fields");
                    Vec::new()
                }
            }
            ParsePattern::Mode { .. } if self.eat_kw("as").is_some() => {
                self.ident_list("a field name")
            }
            _ => Vec::new(),
        };
        Command::Parse(Parse {
            source,
            pattern,
            aliases,
        })
    }

    fn diff(&mut self) -> Command {
        let t = self.peek();
        if t.kind != Tok::Ident {
            return Command::Diff(None);
        }
        const PERIODS: [&str; 3] = ["previousDay", "previousWeek", "previousMonth"];
        let word = self.text(t);
        if !PERIODS.iter().any(|p| p.eq_ignore_ascii_case(word)) {
            let d = Diagnostic::error(
                codes::UNEXPECTED_TOKEN,
                t.start..t.end,
                format!("unknown diff period '{word}'"),
            )
            .with_help("use previousDay, previousWeek or previousMonth, or nothing");
            self.report(d);
        }
        self.bump();
        Command::Diff(Some(Ident {
            name: word.to_string(),
            span: t.start..t.end,
        }))
    }

    fn unnest(&mut self) -> Command {
        let expr = self.required_expr("unnest");
        let into = if self.eat_kw("into").is_some() {
            self.ident("a field name after 'into'")
        } else {
            if !matches!(expr.kind, ExprKind::Error) {
                self.expected("'into' and a field name");
            }
            None
        };
        let into = into.unwrap_or(Ident {
            name: String::new(),
            span: self.last_end..self.last_end,
        });
        Command::Unnest { expr, into }
    }

    fn is_output_mode(&self, t: Token) -> bool {
        self.is_kw(t, "OUTPUT") || self.is_kw(t, "OUTPUTNEW")
    }

    fn lookup(&mut self) -> Command {
        let invalid = Command::Invalid {
            name: "lookup".into(),
        };
        if self.at_stage_end() {
            self.missing("lookup", "table name");
            return invalid;
        }
        let Some(table) = self.ident("a lookup table name") else {
            return invalid;
        };
        let mut keys = Vec::new();
        while !self.is_output_mode(self.peek()) {
            let Some(table_field) = self.ident("a field to match, or OUTPUT") else {
                return invalid;
            };
            let log_field = if self.eat_kw("as").is_some() {
                match self.ident("a log field name after 'as'") {
                    Some(i) => Some(i),
                    None => return invalid,
                }
            } else {
                None
            };
            keys.push(LookupKey {
                table_field,
                log_field,
            });
            self.eat(Tok::Comma);
        }
        let mode_tok = self.bump();
        let mode = if self.is_kw(mode_tok, "OUTPUTNEW") {
            OutputMode::OutputNew
        } else {
            OutputMode::Output
        };
        if keys.is_empty() {
            let d = Diagnostic::error(
                codes::MISSING_EXPR,
                mode_tok.start..mode_tok.end,
                "lookup needs at least one field to match before OUTPUT",
            );
            self.report(d);
        }
        if self.at_stage_end() {
            self.missing("OUTPUT", "field");
            return invalid;
        }
        let outputs = self.ident_list("an output field name");
        Command::Lookup(Lookup {
            table,
            keys,
            mode,
            outputs,
        })
    }

    fn join(&mut self) -> Command {
        let invalid = Command::Invalid {
            name: "join".into(),
        };
        let mut options = Vec::new();
        while self.peek().kind == Tok::Ident
            && self.nth(1).kind == Tok::Eq
            && ["type", "left", "right"].iter().any(|k| self.at_kw(k))
        {
            let key = self.bump();
            self.bump();
            let Some(value) = self.ident("a value after '='") else {
                return invalid;
            };
            options.push((
                Ident {
                    name: self.text(key).to_ascii_lowercase(),
                    span: key.start..key.end,
                },
                value,
            ));
        }
        if self.eat_kw("where").is_none() {
            self.expected("'where' and the join condition");
            return invalid;
        }
        let condition = self.required_expr("where");
        let right = if self.peek().kind == Tok::LParen && self.is_kw(self.nth(1), "source") {
            let open = self.bump();
            Box::new(self.subquery(open))
        } else {
            self.expected("'(SOURCE ...)' naming the right-hand log group");
            return invalid;
        };
        Command::Join(Join {
            options,
            condition,
            right,
        })
    }

    fn addtotals(&mut self) -> Command {
        let mut options = Vec::new();
        while self.peek().kind == Tok::Ident
            && self.nth(1).kind == Tok::Eq
            && ["fieldname", "row", "col"].iter().any(|k| self.at_kw(k))
        {
            let key = self.bump();
            self.bump();
            let value = self.expr_bp(UNARY_BP);
            options.push((
                Ident {
                    name: self.text(key).to_ascii_lowercase(),
                    span: key.start..key.end,
                },
                value,
            ));
        }
        let fields = self.optional_expr_list();
        Command::AddTotals(AddTotals { options, fields })
    }

    // ---- SOURCE -------------------------------------------------------------------------

    fn source_clause(&mut self) -> Source {
        let first = self.bump();
        let mut source = Source {
            items: Vec::new(),
            start: None,
            end: None,
            span: first.start..first.end,
        };
        loop {
            let t = self.peek();
            match t.kind {
                Tok::Pipe if self.is_kw(self.nth(1), "source") => {
                    // `SOURCE 'a' | SOURCE 'b' | ...`, as dashboards write it.
                    self.bump();
                    self.bump();
                }
                Tok::Pipe | Tok::Eof => break,
                Tok::RParen if self.sub_depth > 0 => break,
                Tok::Str => {
                    self.bump();
                    source.items.push(SourceItem::Name {
                        name: unescape(string_body(self.text(t))),
                        span: t.start..t.end,
                    });
                }
                Tok::Ident if self.at_kw("source") => {
                    self.bump();
                }
                Tok::Ident
                    if (self.at_kw("start") || self.at_kw("end"))
                        && self.nth(1).kind == Tok::Eq =>
                {
                    self.bump();
                    let eq = self.bump();
                    let bound = self.time_bound(eq);
                    if self.is_kw(t, "start") {
                        source.start = bound;
                    } else {
                        source.end = bound;
                    }
                }
                Tok::Ident if self.nth(1).kind == Tok::LParen => {
                    let word = self.text(t);
                    let kind = ["logGroups", "logGroupTags", "dataSource"]
                        .iter()
                        .position(|k| k.eq_ignore_ascii_case(word));
                    let Some(kind) = kind else {
                        self.expected("logGroups(...), logGroupTags(...), dataSource(...) or a log group name");
                        self.skip_stage();
                        break;
                    };
                    self.bump();
                    let open = self.bump();
                    let args = self.source_args(open);
                    let span = t.start..self.last_end;
                    source.items.push(match kind {
                        0 => SourceItem::LogGroups { args, span },
                        1 => SourceItem::LogGroupTags { args, span },
                        _ => SourceItem::DataSource { args, span },
                    });
                }
                _ => {
                    self.expected(
                        "logGroups(...), logGroupTags(...), dataSource(...) or a log group name",
                    );
                    self.skip_stage();
                    break;
                }
            }
            if self.stage_errored {
                self.skip_stage();
                break;
            }
        }
        if source.items.is_empty() && !self.stage_errored {
            let d = Diagnostic::error(
                codes::MISSING_EXPR,
                first.start..first.end,
                "SOURCE names no log groups",
            )
            .with_help("write e.g. SOURCE logGroups(namePrefix: ['/aws/lambda'])");
            self.report(d);
        }
        source.span = first.start..self.last_end.max(first.end);
        source
    }

    /// The raw text after `START=` / `END=`: the following tokens that touch each other, so
    /// `-1h`, `0s`, `now` and `2026-01-23T00:00:00.000Z` are all one bound.
    fn time_bound(&mut self, eq: Token) -> Option<TimeBound> {
        let first = self.peek();
        if matches!(first.kind, Tok::Pipe | Tok::Eof) || first.start != eq.end {
            let d = Diagnostic::error(
                codes::MISSING_EXPR,
                eq.start..eq.end,
                "expected a time after '=' (e.g. -1h, 0s, now)",
            );
            self.report(d);
            return None;
        }
        let mut end = self.bump().end;
        while !matches!(self.peek().kind, Tok::Pipe | Tok::Eof) && self.peek().start == end {
            end = self.bump().end;
        }
        Some(TimeBound {
            text: self.src[first.start..end].to_string(),
            span: first.start..end,
        })
    }

    fn source_args(&mut self, open: Token) -> Vec<NamedArg> {
        let mut args = Vec::new();
        if self.eat(Tok::RParen).is_some() {
            return args;
        }
        loop {
            let name = if self.peek().kind == Tok::Ident && self.nth(1).kind == Tok::Colon {
                let t = self.bump();
                self.bump();
                Some(Ident {
                    name: self.text(t).to_string(),
                    span: t.start..t.end,
                })
            } else {
                None
            };
            let value = self.expr();
            args.push(NamedArg { name, value });
            if self.eat(Tok::Comma).is_none() || self.stage_errored {
                break;
            }
        }
        self.close(open, Tok::RParen, ')');
        args
    }

    fn subquery(&mut self, open: Token) -> Query {
        self.sub_depth += 1;
        let outer_errored = self.stage_errored;
        let q = self.query(open.end, Some(open));
        self.sub_depth -= 1;
        // The subquery's stages reset the per-stage flag; what counts now is whether the
        // enclosing stage has reported already.
        self.stage_errored = outer_errored;
        if self.eat(Tok::RParen).is_none() {
            let d = Diagnostic::error(
                codes::UNBALANCED,
                open.start..open.end,
                "unclosed '(' of subquery",
            )
            .with_help("add ')' after the subquery");
            self.report(d);
        }
        q
    }

    // ---- expressions --------------------------------------------------------------------

    fn expr(&mut self) -> Expr {
        self.expr_bp(0)
    }

    fn error_expr(&self, at: usize) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: at..at,
        }
    }

    /// The binary operator at the current position: (op, left bp, right bp, tokens).
    fn infix(&self) -> Option<(BinaryOp, u8, u8, usize)> {
        let t = self.peek();
        let cmp = |op| Some((op, 7, 8, 1));
        match t.kind {
            Tok::Ident => {
                let w = self.text(t);
                if w.eq_ignore_ascii_case("or") {
                    Some((BinaryOp::Or, 1, 2, 1))
                } else if w.eq_ignore_ascii_case("and") {
                    Some((BinaryOp::And, 3, 4, 1))
                } else if w.eq_ignore_ascii_case("like") {
                    cmp(BinaryOp::Like)
                } else if w.eq_ignore_ascii_case("in") {
                    cmp(BinaryOp::In)
                } else if w.eq_ignore_ascii_case("not") {
                    let next = self.nth(1);
                    if self.is_kw(next, "like") {
                        Some((BinaryOp::NotLike, 7, 8, 2))
                    } else if self.is_kw(next, "in") {
                        Some((BinaryOp::NotIn, 7, 8, 2))
                    } else {
                        None
                    }
                } else {
                    None
                }
            }
            Tok::Eq => cmp(BinaryOp::Eq),
            Tok::NotEq => cmp(BinaryOp::NotEq),
            Tok::Lt => cmp(BinaryOp::Lt),
            Tok::Le => cmp(BinaryOp::Le),
            Tok::Gt => cmp(BinaryOp::Gt),
            Tok::Ge => cmp(BinaryOp::Ge),
            Tok::Match => cmp(BinaryOp::Match),
            Tok::Plus => Some((BinaryOp::Add, 9, 10, 1)),
            Tok::Minus => Some((BinaryOp::Sub, 9, 10, 1)),
            Tok::Star => Some((BinaryOp::Mul, 11, 12, 1)),
            Tok::Slash => Some((BinaryOp::Div, 11, 12, 1)),
            Tok::Percent => Some((BinaryOp::Mod, 11, 12, 1)),
            Tok::Caret => Some((BinaryOp::Pow, 14, 13, 1)),
            _ => None,
        }
    }

    fn expr_bp(&mut self, min_bp: u8) -> Expr {
        if self.depth >= MAX_DEPTH {
            self.too_deep();
            return self.error_expr(self.peek().start);
        }
        self.depth += 1;
        let mut lhs = self.prefix();
        while let Some((op, lbp, rbp, len)) = self.infix() {
            if lbp < min_bp || self.stage_errored {
                break;
            }
            for _ in 0..len {
                self.bump();
            }
            let rhs = self.expr_bp(rbp);
            let span = lhs.span.start..rhs.span.end.max(self.last_end);
            lhs = Expr {
                kind: ExprKind::Binary {
                    op,
                    lhs: Box::new(lhs),
                    rhs: Box::new(rhs),
                },
                span,
            };
        }
        self.depth -= 1;
        lhs
    }

    fn prefix(&mut self) -> Expr {
        let t = self.peek();
        let start = t.start;
        let primary = match t.kind {
            Tok::Ident => {
                let word = self.text(t);
                if word.eq_ignore_ascii_case("not") {
                    self.bump();
                    let operand = self.expr_bp(NOT_BP);
                    return self.unary(UnaryOp::Not, operand, start);
                }
                if is_reserved(word) {
                    self.expected("an expression");
                    return self.error_expr(start);
                }
                self.bump();
                if word.eq_ignore_ascii_case("true") || word.eq_ignore_ascii_case("false") {
                    Expr {
                        kind: ExprKind::Bool(word.eq_ignore_ascii_case("true")),
                        span: t.start..t.end,
                    }
                } else if self.peek().kind == Tok::LParen
                    && !word.contains(['.', '`', '@'])
                    && !self.is_kw(self.nth(1), "source")
                {
                    self.call(t)
                } else {
                    Expr {
                        kind: ExprKind::Field(unquote_ident(word)),
                        span: t.start..t.end,
                    }
                }
            }
            Tok::Number => {
                self.bump();
                Expr {
                    kind: ExprKind::Number(self.text(t).parse().unwrap_or(0.0)),
                    span: t.start..t.end,
                }
            }
            Tok::Duration => {
                self.bump();
                self.duration(t, false)
            }
            Tok::Str => {
                self.bump();
                Expr {
                    kind: ExprKind::Str(unescape(string_body(self.text(t)))),
                    span: t.start..t.end,
                }
            }
            Tok::Regex => {
                self.bump();
                let (pattern, flags) = regex_body(self.text(t));
                Expr {
                    kind: ExprKind::Regex {
                        pattern: pattern.to_string(),
                        flags: flags.to_string(),
                    },
                    span: t.start..t.end,
                }
            }
            Tok::Minus => {
                self.bump();
                let next = self.peek();
                if next.start == t.end && matches!(next.kind, Tok::Number | Tok::Duration) {
                    // A negative literal, not an operation.
                    self.bump();
                    if next.kind == Tok::Number {
                        let v: f64 = self.text(next).parse().unwrap_or(0.0);
                        Expr {
                            kind: ExprKind::Number(-v),
                            span: t.start..next.end,
                        }
                    } else {
                        let mut d = self.duration(next, true);
                        d.span.start = t.start;
                        d
                    }
                } else {
                    let operand = self.expr_bp(UNARY_BP);
                    return self.unary(UnaryOp::Neg, operand, start);
                }
            }
            Tok::Bang => {
                self.bump();
                let operand = self.expr_bp(UNARY_BP);
                return self.unary(UnaryOp::Not, operand, start);
            }
            Tok::Param => {
                self.bump();
                let name = self
                    .text(t)
                    .trim_start_matches('{')
                    .trim_end_matches('}')
                    .trim();
                Expr {
                    kind: ExprKind::Param(name.to_string()),
                    span: t.start..t.end,
                }
            }
            Tok::Star => {
                self.bump();
                Expr {
                    kind: ExprKind::Star,
                    span: t.start..t.end,
                }
            }
            Tok::LParen => {
                let open = self.bump();
                if self.at_kw("source") {
                    let q = self.subquery(open);
                    Expr {
                        kind: ExprKind::Subquery(Box::new(q)),
                        span: open.start..self.last_end,
                    }
                } else {
                    let mut inner = self.expr();
                    self.close_group(open);
                    inner.span = open.start..self.last_end;
                    inner
                }
            }
            Tok::LBracket => {
                let open = self.bump();
                let items = self.delimited(Tok::RBracket);
                self.close(open, Tok::RBracket, ']');
                Expr {
                    kind: ExprKind::List(items),
                    span: open.start..self.last_end,
                }
            }
            Tok::LBrace => {
                let open = self.bump();
                let entries = self.map_entries();
                self.close(open, Tok::RBrace, '}');
                Expr {
                    kind: ExprKind::Map(entries),
                    span: open.start..self.last_end,
                }
            }
            _ => {
                self.expected("an expression");
                return self.error_expr(start);
            }
        };
        self.postfix(primary)
    }

    fn unary(&self, op: UnaryOp, operand: Expr, start: usize) -> Expr {
        let end = operand.span.end.max(self.last_end);
        Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span: start..end,
        }
    }

    fn duration(&mut self, t: Token, negative: bool) -> Expr {
        let text = self.text(t);
        let split = text
            .find(|c: char| c.is_ascii_alphabetic() || c == '_')
            .unwrap_or(text.len());
        let (num, unit) = text.split_at(split);
        if !is_time_unit(unit) {
            let d = Diagnostic::error(
                codes::BAD_TIME_UNIT,
                t.start..t.end,
                format!("unknown time unit '{unit}' in '{text}'"),
            )
            .with_help("use ms, s, m, h, d, w, mo, q or y (e.g. 5m, 1h)");
            self.report(d);
        }
        let value: f64 = num.parse().unwrap_or(0.0);
        Expr {
            kind: ExprKind::Duration {
                value: if negative { -value } else { value },
                unit: unit.to_string(),
            },
            span: t.start..t.end,
        }
    }

    fn call(&mut self, name_tok: Token) -> Expr {
        let open = self.bump();
        let args = self.delimited(Tok::RParen);
        self.close(open, Tok::RParen, ')');
        Expr {
            kind: ExprKind::Call {
                name: Ident {
                    name: self.text(name_tok).to_string(),
                    span: name_tok.start..name_tok.end,
                },
                args,
            },
            span: name_tok.start..self.last_end,
        }
    }

    /// Comma-separated expressions up to (not including) `close`.
    fn delimited(&mut self, close: Tok) -> Vec<Expr> {
        let mut out = Vec::new();
        if self.peek().kind == close {
            return out;
        }
        loop {
            if self.at_stage_end() && self.peek().kind != close {
                break;
            }
            out.push(self.expr());
            if self.stage_errored || self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn map_entries(&mut self) -> Vec<(Ident, Expr)> {
        let mut out = Vec::new();
        if self.peek().kind == Tok::RBrace {
            return out;
        }
        while let Some(key) = self.ident("a key") {
            if self.eat(Tok::Colon).is_none() {
                self.expected("':'");
                break;
            }
            let value = self.expr();
            out.push((key, value));
            if self.stage_errored || self.eat(Tok::Comma).is_none() {
                break;
            }
        }
        out
    }

    fn postfix(&mut self, mut e: Expr) -> Expr {
        loop {
            let t = self.peek();
            // Only touching brackets index (`list[1]`), so `x in [1]` stays a list operand.
            if t.kind == Tok::LBracket && t.start == self.last_end {
                let open = self.bump();
                let index = self.expr();
                self.close_list(open, Tok::RBracket, ']', false);
                let span = e.span.start..self.last_end;
                e = Expr {
                    kind: ExprKind::Index {
                        base: Box::new(e),
                        index: Box::new(index),
                    },
                    span,
                };
            } else if t.kind == Tok::Dot
                && t.start == self.last_end
                && self.nth(1).kind == Tok::Ident
            {
                self.bump();
                let name_tok = self.bump();
                let span = e.span.start..self.last_end;
                e = Expr {
                    kind: ExprKind::Member {
                        base: Box::new(e),
                        name: Ident {
                            name: unquote_ident(self.text(name_tok)),
                            span: name_tok.start..name_tok.end,
                        },
                    },
                    span,
                };
            } else {
                return e;
            }
            if self.stage_errored {
                return e;
            }
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
