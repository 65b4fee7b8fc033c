//! Expressions: a Pratt loop over binary operators, prefix operators, literals, calls,
//! lists, maps and postfix indexing/member access.

use super::*;

impl Parser<'_> {
    pub(super) fn expr(&mut self) -> Expr {
        self.expr_bp(0)
    }

    pub(super) fn error_expr(&self, at: usize) -> Expr {
        Expr {
            kind: ExprKind::Error,
            span: at..at,
        }
    }

    /// The binary operator at the current position: (op, left bp, right bp, tokens).
    pub(super) fn infix(&self) -> Option<(BinaryOp, u8, u8, usize)> {
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

    pub(super) fn expr_bp(&mut self, min_bp: u8) -> Expr {
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

    pub(super) fn prefix(&mut self) -> Expr {
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

    pub(super) fn unary(&self, op: UnaryOp, operand: Expr, start: usize) -> Expr {
        let end = operand.span.end.max(self.last_end);
        Expr {
            kind: ExprKind::Unary {
                op,
                operand: Box::new(operand),
            },
            span: start..end,
        }
    }

    pub(super) fn duration(&mut self, t: Token, negative: bool) -> Expr {
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

    pub(super) fn call(&mut self, name_tok: Token) -> Expr {
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
    pub(super) fn delimited(&mut self, close: Tok) -> Vec<Expr> {
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

    pub(super) fn map_entries(&mut self) -> Vec<(Ident, Expr)> {
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

    pub(super) fn postfix(&mut self, mut e: Expr) -> Expr {
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
