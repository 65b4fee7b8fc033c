//! `logplan iam-policy`: the least-privilege policy for the features asked for. The list of
//! actions is the one place that says what logplan calls; a test runs every command against the
//! emulators and checks that the operations recorded equal these actions.

use serde_json::json;

use super::print_stdout;
use crate::cli::{GlobalArgs, IamPolicyArgs};
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};

pub use crate::aws::actions::*;

/// What `--accounts` covers: the roles to assume (empty = any role), and whether a monitoring
/// account is configured.
pub struct AccountsPolicy {
    pub role_arns: Vec<String>,
    pub monitoring: bool,
}

impl AccountsPolicy {
    pub fn from_config(accounts: &[crate::config::AccountRole]) -> AccountsPolicy {
        AccountsPolicy {
            role_arns: accounts.iter().filter_map(|a| a.role_arn.clone()).collect(),
            monitoring: accounts
                .iter()
                .any(|a| a.mode == crate::config::AccountMode::Monitoring),
        }
    }
}

/// The policy document for the chosen features.
pub fn policy(deploy: bool, actuals: bool, accounts: Option<&AccountsPolicy>) -> serde_json::Value {
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
    if deploy {
        statements.push(json!({
            "Sid": "LogplanPassScheduledQueryRoles",
            "Effect": "Allow",
            "Action": PASS_ROLE,
            "Resource": "*",
            "Condition": {"StringEquals": {"iam:PassedToService": "logs.amazonaws.com"}},
        }));
    }
    if let Some(a) = accounts {
        // No configured role at all (nothing or only role-less monitoring entries): any role.
        if !a.role_arns.is_empty() || !a.monitoring {
            let roles = &a.role_arns;
            statements.push(json!({
                "Sid": "LogplanAssumeAccountRoles",
                "Effect": "Allow",
                "Action": ACCOUNTS,
                "Resource": if roles.is_empty() { json!("*") } else { json!(roles) },
            }));
        }
        if a.monitoring {
            statements.push(json!({
                "Sid": "LogplanMonitoringAccountLinks",
                "Effect": "Allow",
                "Action": MONITORING,
                "Resource": "*",
            }));
        }
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}

pub fn run(global: &GlobalArgs, args: &IamPolicyArgs) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let accounts = AccountsPolicy::from_config(&config.accounts);
    let doc = policy(
        args.deploy,
        args.actuals,
        args.accounts.then_some(&accounts),
    );
    let text = serde_json::to_string_pretty(&doc).map_err(|e| Error::Internal(e.to_string()))?;
    print_stdout(&(text + "\n"))?;
    Ok(EXIT_OK)
}
