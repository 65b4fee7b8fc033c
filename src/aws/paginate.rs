//! paginate: the one rule every NextToken loop follows. A listing is either read to its end or the
//! run fails saying why: a token seen before (the service would loop, or a client that stops there
//! would cut the listing short without a word) and more pages than the operation can honestly
//! have are errors, never a quiet stop.

use std::collections::HashSet;

use crate::error::{Error, Result};

/// Page limits: generous bounds derived from each operation's own limits, so reaching one means
/// something is wrong, not that the account is big.
pub mod limits {
    /// 1,000,000 log groups per account and region (CloudWatch Logs quotas) at 50 a page.
    pub const DESCRIBE_LOG_GROUPS: usize = 25_000;
    /// A log group has at most two subscription filters.
    pub const DESCRIBE_SUBSCRIPTION_FILTERS: usize = 10;
    /// 500 metrics a page: 10 million forwarding metrics.
    pub const LIST_METRICS: usize = 20_000;
    /// One policy of each type per account and region.
    pub const DESCRIBE_ACCOUNT_POLICIES: usize = 100;
    /// One batch of at most 500 queries and 100,800 datapoints per page.
    pub const GET_METRIC_DATA: usize = 10_000;
    /// Event sampling stops at its byte budget long before this.
    pub const FILTER_LOG_EVENTS: usize = 10_000;
    /// 1,000 definitions a page (the most AWS answers).
    pub const DESCRIBE_QUERY_DEFINITIONS: usize = 1_000;
    /// DescribeQueries answers at most 1,000 queries a page and keeps the account's recent
    /// history: 10 million queries.
    pub const DESCRIBE_QUERIES: usize = 10_000;
    /// ListScheduledQueries: far more pages than an account's scheduled queries fill.
    pub const LIST_SCHEDULED_QUERIES: usize = 1_000;
    /// Each Cost Explorer page costs $0.01: a month grouped by usage type is a few pages.
    pub const GET_COST_AND_USAGE: usize = 1_000;
    /// Deliveries, delivery sources and destinations at 50 a page: far more than the account's
    /// quotas of each allow.
    pub const DESCRIBE_DELIVERIES: usize = 10_000;
    /// Sinks of one monitoring account and region.
    pub const LIST_SINKS: usize = 100;
    /// 100,000 source accounts per sink at 100 a page... and then some.
    pub const LIST_ATTACHED_LINKS: usize = 10_000;
}

/// Follows one listing's tokens.
#[derive(Debug)]
pub struct Pager {
    action: &'static str,
    what: String,
    seen: HashSet<String>,
    pages: usize,
    limit: usize,
}

impl Pager {
    /// A pager for `action` (the IAM action, for the error), over `what` (e.g. the log group).
    pub fn new(action: &'static str, what: impl Into<String>, limit: usize) -> Pager {
        Pager {
            action,
            what: what.into(),
            seen: HashSet::new(),
            pages: 0,
            limit,
        }
    }

    /// Pages read so far.
    pub fn pages(&self) -> usize {
        self.pages
    }

    /// Account for one page that answered `next`: the token to ask the next page with, or `None`
    /// at the end. A repeated token or one page too many is an error naming the action.
    pub fn advance(&mut self, next: Option<String>) -> Result<Option<String>> {
        self.pages += 1;
        let Some(token) = next.filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let on = if self.what.is_empty() {
            String::new()
        } else {
            format!(" for {}", self.what)
        };
        if !self.seen.insert(token.clone()) {
            return Err(Error::Aws {
                operation: self.action.to_string(),
                region: None,
                code: "RepeatedNextToken".into(),
                message: format!(
                    "page {}{on} repeated an earlier NextToken: the listing would loop or be \
                     cut short, so the run stops instead",
                    self.pages
                ),
            });
        }
        if self.pages >= self.limit {
            return Err(Error::Aws {
                operation: self.action.to_string(),
                region: None,
                code: "PageLimit".into(),
                message: format!(
                    "more than {} pages{on}: stopped rather than cut the listing short silently",
                    self.limit
                ),
            });
        }
        Ok(Some(token))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_token_and_page_limit_are_errors() {
        let mut p = Pager::new("logs:DescribeLogGroups", "", 100);
        assert_eq!(p.advance(Some("a".into())).unwrap(), Some("a".into()));
        assert_eq!(p.advance(Some("b".into())).unwrap(), Some("b".into()));
        let e = p.advance(Some("a".into())).unwrap_err().to_string();
        assert!(
            e.starts_with("logs:DescribeLogGroups failed: RepeatedNextToken: page 3"),
            "{e}"
        );
        let mut p = Pager::new("cloudwatch:ListMetrics", "AWS/Logs", 3);
        p.advance(Some("1".into())).unwrap();
        p.advance(Some("2".into())).unwrap();
        let e = p.advance(Some("3".into())).unwrap_err().to_string();
        assert!(
            e.contains("PageLimit: more than 3 pages for AWS/Logs"),
            "{e}"
        );
        // The end of a listing, and an empty token (some services send "" at the end).
        let mut p = Pager::new("logs:DescribeLogGroups", "", 3);
        assert_eq!(p.advance(None).unwrap(), None);
        assert_eq!(p.advance(Some(String::new())).unwrap(), None);
        assert_eq!(p.pages(), 2);
    }
}
