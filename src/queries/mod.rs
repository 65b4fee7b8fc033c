//! queries: the team's saved Logs Insights queries, kept as versioned files under `queries/`,
//! linted (a real parser for Logs Insights QL; light checks for PPL and SQL), priced (scan cost
//! per month) and deployed as CloudWatch query definitions, plan/apply style.

pub mod cost;
pub mod cwli;
pub mod deploy;
pub mod export;
pub mod file;
pub mod schedule;
