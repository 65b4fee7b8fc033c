//! The commands of a stage, one method each: `fields`, `stats`, `sort`, `parse`, `lookup`,
//! `join` and the others. `stage` in the parent module dispatches to them.

use super::*;

impl Parser<'_> {
    pub(super) fn required_expr(&mut self, cmd: &str) -> Expr {
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

    pub(super) fn missing(&mut self, cmd: &str, what: &str) {
        let at = self.last_end;
        let d = Diagnostic::error(
            codes::MISSING_EXPR,
            self.prev_span(at),
            format!("'{cmd}' needs at least one {what}"),
        );
        self.report(d);
    }

    pub(super) fn projections(&mut self, cmd: &str, what: &str) -> Vec<Projection> {
        if self.at_stage_end() {
            self.missing(cmd, what);
            return Vec::new();
        }
        self.projection_list()
    }

    pub(super) fn projection_list(&mut self) -> Vec<Projection> {
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

    pub(super) fn expr_list(&mut self, cmd: &str, what: &str) -> Vec<Expr> {
        if self.at_stage_end() {
            self.missing(cmd, what);
            return Vec::new();
        }
        self.optional_expr_list()
    }

    pub(super) fn optional_expr_list(&mut self) -> Vec<Expr> {
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

    pub(super) fn stats(&mut self) -> Command {
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

    pub(super) fn sort(&mut self) -> Command {
        if self.at_stage_end() {
            self.missing("sort", "field");
            return Command::Sort(Vec::new());
        }
        // `sort by field`: AWS's sample collections write it and CloudWatch runs it; the syntax
        // page documents `sort field` only.
        if self.at_kw("by") && !matches!(self.nth(1).kind, Tok::Pipe | Tok::Eof) {
            let by = self.bump();
            self.warn(
                Diagnostic::warning(
                    codes::SORT_BY,
                    by.start..by.end,
                    "'sort by' runs in CloudWatch but is not documented",
                )
                .with_help("write 'sort <field>' (documented)"),
            );
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

    pub(super) fn limit(&mut self) -> Command {
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

    pub(super) fn is_parse_mode(&self, t: Token) -> bool {
        self.is_kw(t, "logfmt") || self.is_kw(t, "csv")
    }

    pub(super) fn parse_cmd(&mut self) -> Command {
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

    pub(super) fn diff(&mut self) -> Command {
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

    pub(super) fn unnest(&mut self) -> Command {
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

    pub(super) fn is_output_mode(&self, t: Token) -> bool {
        self.is_kw(t, "OUTPUT") || self.is_kw(t, "OUTPUTNEW")
    }

    pub(super) fn lookup(&mut self) -> Command {
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

    pub(super) fn join(&mut self) -> Command {
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

    pub(super) fn addtotals(&mut self) -> Command {
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
}
