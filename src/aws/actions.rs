//! The IAM actions logplan calls, by feature: the one list `logplan iam-policy` prints and
//! `[aws.rate_limits]` is checked against. A test runs every command against the emulators and
//! checks that the operations recorded equal these actions.

/// Read-only actions: sample, report, queries lint/plan/import/cost/usage. Account-level
/// subscription filter policies are read with `logs:DescribeAccountPolicies` and need
/// `logs:DescribeSubscriptionFilters` too (DescribeAccountPolicies reference). The
/// `DescribeDeliver*` actions tell which AWS service delivers vended logs into which group
/// (`sample`'s `source` column); denied, sources fall back to name rules with a warning.
/// `firehose:DescribeDeliveryStream` tells whether a subscription filter's Firehose stream
/// delivers to a Datadog logs intake; denied, that filter's reach stays unknown.
pub const READ: &[&str] = &[
    "cloudwatch:GetMetricData",
    "cloudwatch:ListMetrics",
    "firehose:DescribeDeliveryStream",
    "logs:DescribeAccountPolicies",
    "logs:DescribeDeliveries",
    "logs:DescribeDeliveryDestinations",
    "logs:DescribeDeliverySources",
    "logs:DescribeLogGroups",
    "logs:DescribeQueries",
    "logs:DescribeQueryDefinitions",
    "logs:DescribeSubscriptionFilters",
    "logs:FilterLogEvents",
    "logs:GetScheduledQuery",
    "logs:ListScheduledQueries",
    "sts:GetCallerIdentity",
];
/// `queries apply`.
pub const DEPLOY: &[&str] = &[
    "logs:CreateScheduledQuery",
    "logs:DeleteQueryDefinition",
    "logs:DeleteScheduledQuery",
    "logs:PutQueryDefinition",
    "logs:UpdateScheduledQuery",
];
/// `queries apply` of `[scheduled]` tables: CreateScheduledQuery and UpdateScheduledQuery hand
/// CloudWatch Logs the execution role (and the destination's role), which IAM allows only with
/// `iam:PassRole` on the role. Not an API call, so the emulator cannot record it: the IAM test
/// checks this statement on its own.
pub const PASS_ROLE: &[&str] = &["iam:PassRole"];
/// `actuals`, `report --actuals`.
pub const ACTUALS: &[&str] = &["ce:GetCostAndUsage"];
/// `[[accounts]]`: the base credentials assume each role.
pub const ACCOUNTS: &[&str] = &["sts:AssumeRole"];
/// `[[accounts]] mode = "monitoring"`: the monitoring account lists the source accounts linked to
/// its sinks (CloudWatch cross-account observability). The read actions above then run in the
/// monitoring account only.
pub const MONITORING: &[&str] = &["oam:ListAttachedLinks", "oam:ListSinks"];

/// Every action logplan may call (the keys `[aws.rate_limits]` accepts).
pub fn all_actions() -> Vec<&'static str> {
    let mut all: Vec<&str> = [READ, DEPLOY, ACTUALS, ACCOUNTS, MONITORING].concat();
    all.sort();
    all.dedup();
    all
}
