//! The errors a user can act on, each rendered as one line, and the exit codes they map to.
//!
//! Exit codes (documented in the README): 0 success; 1 the run worked and found a problem;
//! 2 usage, input or runtime error (nothing written).

use std::path::PathBuf;

/// Exit code: success.
pub const EXIT_OK: i32 = 0;
/// Exit code: the run worked and found a problem (lint findings, drift, a partial run).
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: bad usage or input, or a runtime error; nothing was written.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A bad argument or combination of arguments.
    #[error("{0}")]
    Usage(String),
    /// A problem in the config file, with its path (and line where known).
    #[error("{path}: {message}")]
    Config { path: PathBuf, message: String },
    /// AWS said no: names the IAM action that is missing.
    #[error(
        "AccessDenied on {action}{}: add {action} to the role or policy in use",
        region_suffix(.region)
    )]
    AccessDenied {
        action: String,
        region: Option<String>,
    },
    /// No credentials could be found by the standard chain.
    #[error("no AWS credentials found: {0}")]
    NoCredentials(String),
    /// AWS (or the endpoint in use) could not be reached, after retries.
    #[error("could not reach AWS for {operation}{} after retries: {message}", region_suffix(.region))]
    Unreachable {
        operation: String,
        region: Option<String>,
        message: String,
    },
    /// Any other error AWS returned, with its code.
    #[error("{operation}{} failed: {code}: {message}", region_suffix(.region))]
    Aws {
        operation: String,
        region: Option<String>,
        code: String,
        message: String,
    },
    /// An output file or folder could not be written.
    #[error("cannot write {}: {source}", .path.display())]
    Output {
        path: PathBuf,
        source: std::io::Error,
    },
    /// An input file could not be read or understood.
    #[error("{}: {message}", .path.display())]
    Input { path: PathBuf, message: String },
    /// A failure inside the tool (a table could not be built, a task panicked).
    #[error("internal error: {0}")]
    Internal(String),
}

fn region_suffix(region: &Option<String>) -> String {
    match region {
        Some(r) => format!(" in {r}"),
        None => String::new(),
    }
}

impl Error {
    /// The process exit code for this error.
    pub fn exit_code(&self) -> i32 {
        EXIT_ERROR
    }

    /// Attach a region to AWS errors that do not carry one yet.
    pub fn in_region(self, r: &str) -> Self {
        match self {
            Error::AccessDenied {
                action,
                region: None,
            } => Error::AccessDenied {
                action,
                region: Some(r.to_string()),
            },
            Error::Unreachable {
                operation,
                region: None,
                message,
            } => Error::Unreachable {
                operation,
                region: Some(r.to_string()),
                message,
            },
            Error::Aws {
                operation,
                region: None,
                code,
                message,
            } => Error::Aws {
                operation,
                region: Some(r.to_string()),
                code,
                message,
            },
            other => other,
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
