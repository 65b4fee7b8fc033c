//! `logplan iam-policy`: the least-privilege policy for the features asked for. The list of
//! actions is the one place that says what logplan calls; a test runs every command against the
//! emulators and checks that the operations recorded equal these actions.

use serde_json::json;

use super::print_stdout;
use crate::cli::{GlobalArgs, IamPolicyArgs};
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
