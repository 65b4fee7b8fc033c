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
/// `actuals`, `report --actuals`: Cost Explorer; billing exports in S3 (`--from cur2:s3://`,
/// `focus:s3://`); Athena (`--from athena:`); log group tags for showback
/// (`[report] group_by_tags`).
pub const ACTUALS: &[&str] = &[
    "athena:GetQueryExecution",
    "athena:GetQueryResults",
    "athena:StartQueryExecution",
    "ce:GetCostAndUsage",
    "s3:GetObject",
    "s3:ListBucket",
    "tag:GetResources",
];
/// What Athena does with the caller's credentials while a query runs (logplan never calls
/// these itself): read the table's definition in the Glue Data Catalog, and write the results
/// to the output location (AWS's Athena user guide, "Access to Amazon S3" and "Fine-grained
/// access to databases and tables in the Glue Data Catalog"). The table's data is read with
/// s3:GetObject and s3:ListBucket, already above.
pub const ATHENA_ON_BEHALF: &[&str] = &[
    "glue:GetDatabase",
    "glue:GetPartitions",
    "glue:GetTable",
    "s3:AbortMultipartUpload",
    "s3:GetBucketLocation",
    "s3:ListMultipartUploadParts",
    "s3:PutObject",
];
/// The statement id of [`ATHENA_ON_BEHALF`].
pub const ATHENA_SID: &str = "LogplanAthenaOnYourBehalf";
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
