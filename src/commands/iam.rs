//! `logplan iam-policy`: the least-privilege policy for the features asked for. The list of
//! actions is the one place that says what logplan calls; a test runs every command against the
//! emulators and checks that the operations recorded equal these actions.

use serde_json::json;

use crate::cli::{GlobalArgs, IamPolicyArgs, print_stdout};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};

/// Read-only actions: sample, report, queries lint/plan/import/cost.
pub const READ: &[&str] = &[
    "cloudwatch:GetMetricData",
    "logs:DescribeLogGroups",
    "logs:DescribeQueryDefinitions",
    "logs:DescribeSubscriptionFilters",
    "logs:FilterLogEvents",
    "sts:GetCallerIdentity",
];
/// `queries apply`.
pub const DEPLOY: &[&str] = &["logs:DeleteQueryDefinition", "logs:PutQueryDefinition"];
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

/// The policy document for the chosen features.
pub fn policy(deploy: bool, actuals: bool, role_arns: Option<&[String]>) -> serde_json::Value {
    let mut actions: Vec<&str> = READ.to_vec();
    if deploy {
        actions.extend(DEPLOY);
    }
    if actuals {
        actions.extend(ACTUALS);
    }
    actions.sort();
    let mut statements = vec![json!({
        "Sid": "Logplan",
        "Effect": "Allow",
        "Action": actions,
        "Resource": "*",
    })];
    if actuals {
        statements.push(json!({
            "Sid": ATHENA_SID,
            "Effect": "Allow",
            "Action": ATHENA_ON_BEHALF,
            "Resource": "*",
        }));
    }
    if let Some(roles) = role_arns {
        statements.push(json!({
            "Sid": "LogplanAssumeAccountRoles",
            "Effect": "Allow",
            "Action": ACCOUNTS,
            "Resource": if roles.is_empty() { json!("*") } else { json!(roles) },
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

pub fn run(global: &GlobalArgs, args: &IamPolicyArgs) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let roles: Vec<String> = config.accounts.iter().map(|a| a.role_arn.clone()).collect();
    let doc = policy(
        args.deploy,
        args.actuals,
        args.accounts.then_some(roles.as_slice()),
    );
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?;
    print_stdout(&(text + "\n"))?;
    Ok(EXIT_OK)
}
