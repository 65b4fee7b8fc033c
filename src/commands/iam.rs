//! `logplan iam-policy`: the least-privilege policy for the features asked for. The list of
//! actions is the one place that says what logplan calls; a test runs every command against the
//! emulators and checks that the operations recorded equal these actions.

use serde_json::json;

use super::print_stdout;
use crate::cli::{GlobalArgs, IamPolicyArgs};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};

/// Read-only actions: sample, report, queries lint/plan/import/cost/usage.
pub const READ: &[&str] = &[
    "cloudwatch:GetMetricData",
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
    if deploy {
        statements.push(json!({
            "Sid": "LogplanPassScheduledQueryRoles",
            "Effect": "Allow",
            "Action": PASS_ROLE,
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}},
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
