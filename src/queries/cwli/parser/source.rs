//! The leading `SOURCE` clause (log groups by name, prefix, tags or data source, and the
//! `START=`/`END=` bounds) and `( SOURCE ... )` subqueries.

use super::*;

impl Parser<'_> {
    pub(super) fn source_clause(&mut self) -> Source {
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
    pub(super) fn time_bound(&mut self, eq: Token) -> Option<TimeBound> {
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

    pub(super) fn source_args(&mut self, open: Token) -> Vec<NamedArg> {
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

    pub(super) fn subquery(&mut self, open: Token) -> Query {
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
}
