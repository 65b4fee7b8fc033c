//! Lexer for Logs Insights QL: turns the query text into tokens with byte spans, dropping `#`
//! comments and whitespace. Tokens carry no text; the parser slices the source by span.
//!
//! `/` is ambiguous (division or the start of a regex). The lexer decides from context, the
//! way JavaScript tokenizers do: after something that ends a value (a field, a number, `)`) it
//! is division; elsewhere, and everywhere inside a `parse` stage (which has no arithmetic), it
//! starts a regex. Regex contents are kept opaque: Logs Insights regexes use lookaheads and other
//! syntax that no Rust engine accepts, so they are never compiled.

use super::diag::{Diagnostic, codes};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Tok {
    /// A field or keyword: `name`, `@name`, `a.b.0.c`, `` `odd name` ``, `` a.`b.c` ``.
    Ident,
    Number,
    /// A number immediately followed by letters (`5m`, `1h`); the parser validates the unit.
    Duration,
    /// A saved-query parameter placeholder, `{{name}}`.
    Param,
    Str,
    Regex,
    Pipe,
    Comma,
    LParen,
    RParen,
    LBracket,
    RBracket,
    LBrace,
    RBrace,
    Colon,
    Dot,
    Star,
    Plus,
    Minus,
    Slash,
    Percent,
    Caret,
    Eq,
    NotEq,
    Lt,
    Le,
    Gt,
    Ge,
    /// `=~`
    Match,
    Bang,
    /// A character the language does not use; already reported by the lexer.
    Unknown,
    Eof,
}

#[derive(Clone, Copy, Debug)]
pub(crate) struct Token {
    pub kind: Tok,
    pub start: usize,
    pub end: usize,
}

/// Words that, as the previous token, leave the lexer expecting an operand (so a following `/`
/// opens a regex rather than dividing).
fn is_operator_word(word: &str) -> bool {
    ["and", "or", "not", "like", "in"]
        .iter()
        .any(|k| k.eq_ignore_ascii_case(word))
}

pub(crate) struct Lexed {
    pub tokens: Vec<Token>,
    pub diagnostics: Vec<Diagnostic>,
}

pub(crate) fn lex(text: &str) -> Lexed {
    let mut lx = Lexer {
        src: text,
        bytes: text.as_bytes(),
        pos: 0,
        tokens: Vec::with_capacity(text.len() / 3 + 1),
        diagnostics: Vec::new(),
        prev_ends_value: false,
        at_stage_start: true,
        in_parse_stage: false,
    };
    lx.run();
    let end = text.len();
    lx.tokens.push(Token {
        kind: Tok::Eof,
        start: end,
        end,
    });
    Lexed {
        tokens: lx.tokens,
        diagnostics: lx.diagnostics,
    }
}

struct Lexer<'a> {
    src: &'a str,
    bytes: &'a [u8],
    pos: usize,
    tokens: Vec<Token>,
    diagnostics: Vec<Diagnostic>,
    prev_ends_value: bool,
    at_stage_start: bool,
    in_parse_stage: bool,
}

fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_' || b == b'@'
}

fn is_ident_continue(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

impl Lexer<'_> {
    fn peek_at(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn push(&mut self, kind: Tok, start: usize, end: usize) {
        self.tokens.push(Token { kind, start, end });
        self.prev_ends_value = matches!(
            kind,
            Tok::Ident
                | Tok::Number
                | Tok::Duration
                | Tok::Param
                | Tok::Str
                | Tok::Regex
                | Tok::RParen
                | Tok::RBracket
                | Tok::RBrace
        );
        if kind == Tok::Pipe {
            self.at_stage_start = true;
            self.in_parse_stage = false;
        }
    }

    /// End of the current line (the byte offset of the `\n`, or the end of the text).
    fn line_end(&self, from: usize) -> usize {
        self.bytes[from..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(self.bytes.len(), |p| from + p)
    }

    fn run(&mut self) {
        while self.pos < self.bytes.len() {
            let b = self.bytes[self.pos];
            let start = self.pos;
            match b {
                b' ' | b'\t' | b'\r' | b'\n' => self.pos += 1,
                b'#' => self.pos = self.line_end(start),
                b'"' | b'\'' => {
                    self.string(b);
                    self.push(Tok::Str, start, self.pos);
                }
                b'`' | b'@' | b'_' | b'a'..=b'z' | b'A'..=b'Z' => self.ident(),
                b'0'..=b'9' => self.number(),
                b'{' if self.param_end(start).is_some() => {
                    self.pos = self.param_end(start).unwrap_or(start + 1);
                    self.push(Tok::Param, start, self.pos);
                }
                b'/' => {
                    if self.in_parse_stage || !self.prev_ends_value {
                        self.regex();
                        self.push(Tok::Regex, start, self.pos);
                    } else {
                        self.pos += 1;
                        self.push(Tok::Slash, start, self.pos);
                    }
                }
                _ => self.punct(b),
            }
        }
    }

    /// End of a `{{name}}` placeholder starting at `start`, if there is one: the name as the
    /// API allows it (a letter or `_`, then letters, digits, `_`), spaces around it tolerated.
    fn param_end(&self, start: usize) -> Option<usize> {
        let rest = self.src.get(start..)?;
        let inner_and_more = rest.strip_prefix("{{")?;
        let close = inner_and_more.find("}}")?;
        let name = inner_and_more[..close].trim();
        let mut chars = name.chars();
        let first_ok = chars
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
        if first_ok && chars.all(|c| c.is_ascii_alphanumeric() || c == '_') {
            Some(start + 2 + close + 2)
        } else {
            None
        }
    }

    fn punct(&mut self, b: u8) {
        let start = self.pos;
        let next = self.peek_at(start + 1);
        let (kind, len) = match (b, next) {
            (b'|', _) => (Tok::Pipe, 1),
            (b',', _) => (Tok::Comma, 1),
            (b'(', _) => (Tok::LParen, 1),
            (b')', _) => (Tok::RParen, 1),
            (b'[', _) => (Tok::LBracket, 1),
            (b']', _) => (Tok::RBracket, 1),
            (b'{', _) => (Tok::LBrace, 1),
            (b'}', _) => (Tok::RBrace, 1),
            (b':', _) => (Tok::Colon, 1),
            (b'.', _) => (Tok::Dot, 1),
            (b'*', _) => (Tok::Star, 1),
            (b'+', _) => (Tok::Plus, 1),
            (b'-', _) => (Tok::Minus, 1),
            (b'%', _) => (Tok::Percent, 1),
            (b'^', _) => (Tok::Caret, 1),
            (b'=', Some(b'~')) => (Tok::Match, 2),
            (b'=', Some(b'=')) => {
                // CloudWatch compares with `==` as with `=` (published queries use it); the
                // syntax page only documents `=`, so it is worth a warning, not an error.
                self.diagnostics.push(
                    Diagnostic::warning(
                        codes::DOUBLE_EQUALS,
                        start..start + 2,
                        "'==' works as '=' in CloudWatch but is not documented",
                    )
                    .with_help("write '=' (documented)"),
                );
                (Tok::Eq, 2)
            }
            (b'=', _) => (Tok::Eq, 1),
            (b'!', Some(b'=')) => (Tok::NotEq, 2),
            (b'!', _) => (Tok::Bang, 1),
            (b'<', Some(b'=')) => (Tok::Le, 2),
            (b'<', _) => (Tok::Lt, 1),
            (b'>', Some(b'=')) => (Tok::Ge, 2),
            (b'>', _) => (Tok::Gt, 1),
            _ => {
                // Any other character (including non-ASCII outside strings): report it once,
                // here, and hand the parser an `Unknown` token it will not report again.
                let ch = self.src[start..].chars().next().unwrap_or('?');
                let len = ch.len_utf8();
                self.diagnostics.push(
                    Diagnostic::error(
                        codes::UNEXPECTED_TOKEN,
                        start..start + len,
                        format!("unexpected character '{}'", ch.escape_debug()),
                    )
                    .with_help("field names with special characters go in backticks"),
                );
                (Tok::Unknown, len)
            }
        };
        self.pos += len;
        self.push(kind, start, self.pos);
    }

    /// A quoted string; `self.pos` is on the opening quote. Backslash escapes any character.
    fn string(&mut self, quote: u8) {
        let start = self.pos;
        let mut i = start + 1;
        while i < self.bytes.len() {
            match self.bytes[i] {
                b'\\' => i += 2,
                b if b == quote => {
                    self.pos = i + 1;
                    return;
                }
                _ => i += 1,
            }
        }
        // No closing quote anywhere: end the token at the end of its line so the rest of the
        // query still parses.
        let end = self.line_end(start);
        self.diagnostics.push(
            Diagnostic::error(codes::UNTERMINATED, start..end, "unterminated string")
                .with_help(format!("close the string with {}", quote as char)),
        );
        self.pos = end;
    }

    /// A `/regex/flags` literal; `self.pos` is on the opening slash. Regexes stay on one line,
    /// except in a `parse` stage, where AWS's own guide wraps a regex over two lines: there a
    /// regex closed on a later line (before a line that starts a new stage with `|`) is accepted
    /// with a warning, the newline being part of the pattern.
    fn regex(&mut self) {
        let start = self.pos;
        let end_of_line = self.line_end(start);
        if let Some(close) = self.regex_close(start + 1, end_of_line) {
            self.pos = self.regex_flags(close + 1);
            return;
        }
        if self.in_parse_stage
            && let Some(close) = self.regex_close_on_later_line(end_of_line)
        {
            self.pos = self.regex_flags(close + 1);
            self.diagnostics.push(
                Diagnostic::warning(
                    codes::REGEX_SPANS_LINES,
                    start..self.pos,
                    "regular expression spans lines: CloudWatch accepts it, with the line break and indentation in the pattern",
                )
                .with_help("write the regex on one line"),
            );
            return;
        }
        self.diagnostics.push(
            Diagnostic::error(
                codes::UNTERMINATED,
                start..end_of_line,
                "unterminated regular expression",
            )
            .with_help("close the regex with / (escape a literal slash as \\/)"),
        );
        self.pos = end_of_line;
    }

    /// The closing `/` of a regex between `from` and `to`, honouring backslash escapes.
    fn regex_close(&self, from: usize, to: usize) -> Option<usize> {
        let mut i = from;
        while i < to {
            match self.bytes[i] {
                b'\\' => i += 2,
                b'/' => return Some(i),
                _ => i += 1,
            }
        }
        None
    }

    /// The closing `/` on one of the lines after `end_of_line`, stopping at a line that starts
    /// (after blanks) with `|`: the next stage, so the regex really is unterminated.
    fn regex_close_on_later_line(&self, end_of_line: usize) -> Option<usize> {
        let mut line_start = end_of_line + 1;
        while line_start < self.bytes.len() {
            let line_end = self.line_end(line_start);
            let first = self.bytes[line_start..line_end]
                .iter()
                .position(|b| !b.is_ascii_whitespace())
                .map(|p| self.bytes[line_start + p]);
            if first == Some(b'|') {
                return None;
            }
            if let Some(close) = self.regex_close(line_start, line_end) {
                return Some(close);
            }
            line_start = line_end + 1;
        }
        None
    }

    /// The end of the flags after a regex's closing slash.
    fn regex_flags(&self, mut i: usize) -> usize {
        while i < self.bytes.len() && self.bytes[i].is_ascii_alphabetic() {
            i += 1;
        }
        i
    }

    /// One backtick-quoted segment; `self.pos` is on the opening backtick.
    fn backtick_segment(&mut self) {
        let start = self.pos;
        let end_of_line = self.line_end(start);
        let mut i = start + 1;
        while i < end_of_line {
            match self.bytes[i] {
                b'\\' => i += 2,
                b'`' => {
                    self.pos = i + 1;
                    return;
                }
                _ => i += 1,
            }
        }
        self.diagnostics.push(
            Diagnostic::error(
                codes::UNTERMINATED,
                start..end_of_line,
                "unterminated backtick field name",
            )
            .with_help("close the field name with `"),
        );
        self.pos = end_of_line;
    }

    fn plain_segment(&mut self) {
        while self.peek_at(self.pos).is_some_and(is_ident_continue) {
            self.pos += 1;
        }
    }

    fn ident(&mut self) {
        let start = self.pos;
        if self.bytes[start] == b'`' {
            self.backtick_segment();
        } else {
            self.pos += 1;
            self.plain_segment();
        }
        // Dotted paths (`a.b.0.c`, ``a.`b.c` ``) are one token; `x.` followed by anything else
        // leaves the dot to the parser.
        while self.peek_at(self.pos) == Some(b'.') {
            match self.peek_at(self.pos + 1) {
                Some(b'`') => {
                    self.pos += 1;
                    self.backtick_segment();
                }
                Some(b) if is_ident_continue(b) || b == b'@' => {
                    self.pos += 2;
                    self.plain_segment();
                }
                _ => break,
            }
        }
        let end = self.pos;
        let word = &self.src[start..end];
        let command_word = self.at_stage_start;
        if self.at_stage_start {
            self.at_stage_start = false;
            self.in_parse_stage = word.eq_ignore_ascii_case("parse");
        }
        self.push(Tok::Ident, start, end);
        if command_word || is_operator_word(word) {
            self.prev_ends_value = false;
        }
    }

    fn digits(&mut self) {
        while self.peek_at(self.pos).is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
    }

    fn number(&mut self) {
        let start = self.pos;
        self.digits();
        if self.peek_at(self.pos) == Some(b'.')
            && self
                .peek_at(self.pos + 1)
                .is_some_and(|b| b.is_ascii_digit())
        {
            self.pos += 1;
            self.digits();
        }
        if matches!(self.peek_at(self.pos), Some(b'e' | b'E')) {
            let after = self.peek_at(self.pos + 1);
            let signed_digit = matches!(after, Some(b'+' | b'-'))
                && self
                    .peek_at(self.pos + 2)
                    .is_some_and(|b| b.is_ascii_digit());
            if after.is_some_and(|b| b.is_ascii_digit()) || signed_digit {
                self.pos += if signed_digit { 2 } else { 1 };
                self.digits();
            }
        }
        let kind =
            if self.peek_at(self.pos).is_some_and(is_ident_start) && self.bytes[self.pos] != b'@' {
                self.plain_segment();
                Tok::Duration
            } else {
                Tok::Number
            };
        self.push(kind, start, self.pos);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(text: &str) -> Vec<Tok> {
        lex(text).tokens.iter().map(|t| t.kind).collect()
    }

    #[test]
    fn slash_is_division_after_a_value_and_regex_after_like() {
        assert_eq!(
            kinds("fields x / 2"),
            vec![Tok::Ident, Tok::Ident, Tok::Slash, Tok::Number, Tok::Eof]
        );
        assert_eq!(
            kinds("filter a like /x|y/"),
            vec![Tok::Ident, Tok::Ident, Tok::Ident, Tok::Regex, Tok::Eof]
        );
        assert_eq!(
            kinds("stats sum(b)/1024"),
            vec![
                Tok::Ident,
                Tok::Ident,
                Tok::LParen,
                Tok::Ident,
                Tok::RParen,
                Tok::Slash,
                Tok::Number,
                Tok::Eof
            ]
        );
    }

    #[test]
    fn parse_stage_slash_is_always_a_regex() {
        assert_eq!(
            kinds("parse @message /(?<ip>\\S+)/"),
            vec![Tok::Ident, Tok::Ident, Tok::Regex, Tok::Eof]
        );
    }

    #[test]
    fn dotted_and_backtick_paths_are_one_token() {
        assert_eq!(kinds("a.b.0.c"), vec![Tok::Ident, Tok::Eof]);
        assert_eq!(kinds("m.`x.y`.z"), vec![Tok::Ident, Tok::Eof]);
        assert_eq!(
            kinds("5m 1.5 2e3"),
            vec![Tok::Duration, Tok::Number, Tok::Number, Tok::Eof]
        );
    }
}
