//! Request-rate quotas, as AWS enforces them: one token bucket per (account, region, IAM action),
//! refilled continuously at the action's rate and holding at most `burst_secs` of it (at least
//! one token). A request that finds the bucket empty is throttled in its service's wire form (see
//! the crate docs) and takes no token.
//!
//! The default rates are AWS's published defaults per account and region:
//!
//! | action | rate/s | source |
//! | --- | --- | --- |
//! | `logs:DescribeLogGroups` | 10 | CloudWatch Logs quotas page (`cloudwatch_limits_cwl.html`) |
//! | `logs:DescribeSubscriptionFilters` | 5 | same (not adjustable) |
//! | `logs:FilterLogEvents` | 25 in us-east-1; 5 in ap-northeast-3, ap-southeast-3, ca-west-1, eu-central-1, il-central-1; 10 elsewhere | same |
//! | `cloudwatch:GetMetricData` | 500 | CloudWatch quotas page (`cloudwatch_limits.html`) |
//! | `cloudwatch:ListMetrics` | 25 | same |
//! | `cloudwatch:GetMetricStatistics` | 400 | same |
//!
//! AWS publishes no figure for `logs:DescribeAccountPolicies`, the query-definition operations,
//! OAM or STS (STS documents token buckets without numbers): the fake uses 5/s for the Logs and
//! OAM ones (the Logs page's rate for its other control-plane operations) and 20/s for STS, and
//! says so here because a client and the fake could be wrong about them together.
//!
//! The burst: AWS documents its throttling as token buckets (the EC2 and IAM/STS throttling
//! pages) without publishing bucket sizes for these APIs; one second's worth is assumed.

use std::collections::{BTreeMap, HashMap};

use tokio::time::Instant;

/// The quotas a fake enforces.
#[derive(Clone, Debug)]
pub struct Quotas {
    /// Requests per second by IAM action; actions not listed are not limited.
    pub rates: BTreeMap<String, f64>,
    /// Bucket size in seconds of the rate (at least one token).
    pub burst_secs: f64,
    /// `logs:FilterLogEvents` at its regional default (25/5/10 per second) rather than `rates`.
    pub regional_filter_log_events: bool,
}

impl Quotas {
    /// AWS's defaults (see the module docs).
    pub fn aws_defaults() -> Quotas {
        let rates = [
            ("logs:DescribeLogGroups", 10.0),
            ("logs:DescribeSubscriptionFilters", 5.0),
            ("logs:FilterLogEvents", 10.0),
            ("logs:DescribeAccountPolicies", 5.0),
            ("logs:DescribeQueryDefinitions", 5.0),
            ("logs:PutQueryDefinition", 5.0),
            ("logs:DeleteQueryDefinition", 5.0),
            ("cloudwatch:GetMetricData", 500.0),
            ("cloudwatch:ListMetrics", 25.0),
            ("cloudwatch:GetMetricStatistics", 400.0),
            ("oam:ListSinks", 5.0),
            ("oam:ListAttachedLinks", 5.0),
            ("sts:AssumeRole", 20.0),
            ("sts:GetCallerIdentity", 20.0),
        ]
        .into_iter()
        .map(|(a, r)| (a.to_string(), r))
        .collect();
        Quotas {
            rates,
            burst_secs: 1.0,
            regional_filter_log_events: true,
        }
    }

    /// The rate of `action` in `region`, if it is limited.
    pub fn rate(&self, action: &str, region: &str) -> Option<f64> {
        if action == "logs:FilterLogEvents" && self.regional_filter_log_events {
            return Some(match region {
                "us-east-1" => 25.0,
                "ap-northeast-3" | "ap-southeast-3" | "ca-west-1" | "eu-central-1"
                | "il-central-1" => 5.0,
                _ => 10.0,
            });
        }
        self.rates.get(action).copied()
    }
}

/// The buckets of one fake.
#[derive(Debug, Default)]
pub(crate) struct Buckets {
    /// (account, region, action) → (tokens, last refill).
    state: HashMap<(String, String, String), (f64, Instant)>,
}

impl Buckets {
    /// Take a token for one request; `false` means throttled.
    pub(crate) fn take(&mut self, q: &Quotas, account: &str, region: &str, action: &str) -> bool {
        let Some(rate) = q.rate(action, region) else {
            return true;
        };
        let cap = (rate * q.burst_secs).max(1.0);
        let now = Instant::now();
        let key = (account.to_string(), region.to_string(), action.to_string());
        let (tokens, last) = self.state.entry(key).or_insert((cap, now));
        *tokens = (*tokens + rate * now.duration_since(*last).as_secs_f64()).min(cap);
        *last = now;
        if *tokens >= 1.0 {
            *tokens -= 1.0;
            true
        } else {
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn a_bucket_allows_its_rate_and_a_burst() {
        let q = Quotas::aws_defaults();
        let mut b = Buckets::default();
        let take =
            |b: &mut Buckets| b.take(&q, "1", "us-east-1", "logs:DescribeSubscriptionFilters");
        // A full bucket: 5 tokens (one second of 5/s), then throttled.
        assert!((0..5).all(|_| take(&mut b)));
        assert!(!take(&mut b));
        // 200 ms later one token is back.
        tokio::time::advance(std::time::Duration::from_millis(200)).await;
        assert!(take(&mut b));
        assert!(!take(&mut b));
        // Other accounts, regions and actions have their own buckets; unlisted actions none.
        assert!(b.take(&q, "2", "us-east-1", "logs:DescribeSubscriptionFilters"));
        assert!(b.take(&q, "1", "eu-west-1", "logs:DescribeSubscriptionFilters"));
        assert!((0..1000).all(|_| b.take(&q, "1", "us-east-1", "ce:GetCostAndUsage")));
        assert_eq!(q.rate("logs:FilterLogEvents", "us-east-1"), Some(25.0));
        assert_eq!(q.rate("logs:FilterLogEvents", "eu-central-1"), Some(5.0));
        assert_eq!(q.rate("logs:FilterLogEvents", "eu-west-1"), Some(10.0));
    }
}
