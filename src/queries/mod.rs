//! queries: the team's saved Logs Insights queries, kept as versioned files under `queries/`,
//! linted (a real parser for Logs Insights QL; light checks for PPL and SQL), checked against
//! AWS's limits as they will be deployed (preflight), priced (scan cost per month, exact for
//! scheduled queries), measured (what DescribeQueries says was scanned) and deployed as
//! CloudWatch query definitions and scheduled queries, plan/apply style.

pub mod cost;
pub mod cron;
pub mod cwli;
pub mod deploy;
pub mod export;
pub mod file;
pub mod identity;
pub mod limits;
pub mod preflight;
pub mod schedule;
pub mod scheduled;
pub mod usage;
