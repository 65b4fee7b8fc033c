//! Diagnostics: one finding of the parser, the checker or the PPL/SQL linter, with a stable code,
//! a one-line message, the byte span it is about and, where one exists, the fix in words.

use std::ops::Range;

/// How bad a finding is: an `Error` means CloudWatch would reject or mis-run the query, a
/// `Warning` that it may be fine but looks wrong (an unknown function, say).
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One lint finding. `span` is a byte range into the query text, always on char boundaries.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    pub message: String,
    pub span: Range<usize>,
    pub help: Option<String>,
}

impl Diagnostic {
    pub(crate) fn error(
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Error,
            message: message.into(),
            span,
            help: None,
        }
    }

    pub(crate) fn warning(
        code: &'static str,
        span: Range<usize>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            code,
            severity: Severity::Warning,
            message: message.into(),
            span,
            help: None,
        }
    }

    pub(crate) fn with_help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// Stable codes, kept in one place so the module doc table and the code agree.
pub(crate) mod codes {
    pub const UNEXPECTED_TOKEN: &str = "LQ001";
    pub const UNTERMINATED: &str = "LQ002";
    pub const UNKNOWN_COMMAND: &str = "LQ003";
    pub const MISSING_EXPR: &str = "LQ004";
    pub const UNBALANCED: &str = "LQ005";
    pub const EMPTY: &str = "LQ006";
    pub const BAD_TIME_UNIT: &str = "LQ007";
    pub const IA_UNSUPPORTED: &str = "LQ101";
    pub const AFTER_DEDUP: &str = "LQ102";
    pub const STATS_NO_AGG: &str = "LQ103";
    pub const UNKNOWN_FUNCTION: &str = "LQ104";
    pub const ARITY: &str = "LQ105";
    pub const GLOB_ALIASES: &str = "LQ120";
    pub const MULTIPLE_JOINS: &str = "LQ121";
    pub const PS_UNTERMINATED: &str = "LQ201";
    pub const PS_UNBALANCED: &str = "LQ202";
    pub const PS_LEADING: &str = "LQ203";
    pub const SQL_NO_LOG_GROUPS: &str = "LQ204";
    // LQ3xx: accepted by CloudWatch but not documented (or documented as deprecated): warnings,
    // never errors, each with the reason.
    pub const SORT_BY: &str = "LQ301";
    pub const DOUBLE_EQUALS: &str = "LQ302";
    pub const REGEX_SPANS_LINES: &str = "LQ303";
    pub const UNCHECKED_COMMAND: &str = "LQ304";
    pub const DEPRECATED_COMMAND: &str = "LQ305";
}
