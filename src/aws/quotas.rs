//! quotas: the request rates logplan paces itself at, per account, region and IAM action. They
//! are AWS's default quotas (`../shared/QUOTAS.md`: the CloudWatch Logs quotas page
//! `cloudwatch_limits_cwl.html`, the CloudWatch quotas page `cloudwatch_limits.html`, the General
//! Reference "Amazon CloudWatch endpoints and quotas"), so a run never asks faster than an
//! account allows by default; `[aws.rate_limits]` overrides them by action (for raised quotas, or
//! to leave room for other tools). Where AWS publishes no figure the rate is a conservative guess,
//! marked as such below.

use std::collections::BTreeMap;

/// Requests per second for an action AWS publishes no quota for (the CloudWatch Logs quotas page
/// lists 5/s for its other control-plane operations: a safe default).
pub const UNPUBLISHED_RATE: f64 = 5.0;

/// FilterLogEvents: 25/s in us-east-1, 5/s in these regions, 10/s elsewhere (CloudWatch Logs
/// quotas page; older pages saying "5, hard limit" are out of date).
const FILTER_LOG_EVENTS_SLOW_REGIONS: &[&str] = &[
    "ap-northeast-3",
    "ap-southeast-3",
    "ca-west-1",
    "eu-central-1",
    "il-central-1",
];

/// AWS's default rate for `action` in `region`, requests per second per account.
pub fn default_rate(action: &str, region: &str) -> f64 {
    match action {
        "logs:DescribeLogGroups" => 10.0,
        // Not adjustable: the reason discovery asks it only for forwarded groups.
        "logs:DescribeSubscriptionFilters" => 5.0,
        "logs:FilterLogEvents" => {
            if region == "us-east-1" {
                25.0
            } else if FILTER_LOG_EVENTS_SLOW_REGIONS.contains(&region) {
                5.0
            } else {
                10.0
            }
        }
        "cloudwatch:GetMetricData" => 500.0,
        "cloudwatch:ListMetrics" => 25.0,
        // Firehose control-plane calls (DescribeDeliveryStream among them): 5 transactions per
        // second per account and region, as the Firehose quotas (General Reference, "Amazon Data
        // Firehose endpoints and quotas") state it; the figure is not in ../shared/QUOTAS.md and
        // was not re-read for this change, and equals the unpublished default anyway.
        "firehose:DescribeDeliveryStream" => 5.0,
        // CloudWatch quotas page: GetMetricStatistics 400 transactions per second.
        "cloudwatch:GetMetricStatistics" => 400.0,
        // STS publishes token buckets per API but no figures: a guess well below any report of
        // STS throttling. Override in [aws.rate_limits] if your organization needs faster.
        "sts:AssumeRole" | "sts:GetCallerIdentity" => 20.0,
        // DescribeAccountPolicies, the DescribeDeliver* listings (absent from the CloudWatch Logs
        // quotas page and ../shared/QUOTAS.md), the query-definition calls, OAM, Cost Explorer:
        // unpublished.
        _ => UNPUBLISHED_RATE,
    }
}

/// Check `[aws.rate_limits]`: every key must be an IAM action logplan calls (so a typo never
/// silently disables a limit) and every value a positive, finite rate. The error names the key.
pub fn check_rate_limits(limits: &BTreeMap<String, f64>) -> Result<(), String> {
    let known = crate::aws::actions::all_actions();
    for (action, rate) in limits {
        if !known.contains(&action.as_str()) {
            return Err(format!(
                "[aws.rate_limits] key \"{action}\": not an action logplan calls (known: {})",
                known.join(", ")
            ));
        }
        if !(rate.is_finite() && *rate > 0.0) {
            return Err(format!(
                "[aws.rate_limits] key \"{action}\" = {rate}: must be a positive number of \
                 requests per second"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_follow_quotas_md() {
        assert_eq!(
            default_rate("logs:DescribeSubscriptionFilters", "us-east-1"),
            5.0
        );
        assert_eq!(default_rate("logs:DescribeLogGroups", "eu-west-1"), 10.0);
        assert_eq!(default_rate("logs:FilterLogEvents", "us-east-1"), 25.0);
        assert_eq!(default_rate("logs:FilterLogEvents", "eu-central-1"), 5.0);
        assert_eq!(default_rate("logs:FilterLogEvents", "eu-west-1"), 10.0);
        assert_eq!(default_rate("cloudwatch:GetMetricData", "us-east-1"), 500.0);
        assert_eq!(default_rate("cloudwatch:ListMetrics", "us-east-1"), 25.0);
        assert_eq!(
            default_rate("logs:DescribeAccountPolicies", "us-east-1"),
            5.0
        );
    }

    #[test]
    fn every_action_has_a_rate_and_unknown_keys_are_refused() {
        for a in crate::aws::actions::all_actions() {
            assert!(default_rate(a, "us-east-1") > 0.0, "{a}");
        }
        let ok: BTreeMap<String, f64> = [("logs:DescribeSubscriptionFilters".to_string(), 4.0)]
            .into_iter()
            .collect();
        assert!(check_rate_limits(&ok).is_ok());
        let typo: BTreeMap<String, f64> = [("logs:DescribeSubscriptionFilter".to_string(), 4.0)]
            .into_iter()
            .collect();
        let e = check_rate_limits(&typo).unwrap_err();
        assert!(e.contains("\"logs:DescribeSubscriptionFilter\""), "{e}");
        let zero: BTreeMap<String, f64> = [("logs:DescribeLogGroups".to_string(), 0.0)]
            .into_iter()
            .collect();
        assert!(check_rate_limits(&zero).unwrap_err().contains("positive"));
    }
}
