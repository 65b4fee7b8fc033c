//! `logplan.toml`: optional settings that outlive one run. Unknown keys are errors that name the
//! key and its line, so a typo never silently falls back to a default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole file. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Regions to sample when `--region` is not given.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Concurrent AWS requests (all regions together) when `--concurrency` is not given.
    pub concurrency: Option<usize>,
    #[serde(default)]
    pub aws: AwsSettings,
    #[serde(default)]
    pub forwarding: Forwarding,
    /// What the cost model assumes (Datadog site and plan, forwarder, Insights, free tier).
    #[serde(default)]
    pub scenario: crate::model::Scenario,
    /// Price overrides and discounts.
    #[serde(default)]
    pub prices: crate::pricing::PriceOverrides,
    /// Where `logplan queries plan|apply|import` deploy the query library.
    #[serde(default)]
    pub targets: std::collections::BTreeMap<String, Target>,
    /// Other accounts to sample, each through a role assumed from the base credentials.
    #[serde(default)]
    pub accounts: Vec<AccountRole>,
    /// Reconciliation with the bill.
    #[serde(default)]
    pub reconcile: Reconcile,
    /// Where actuals come from by default, and which payer's export is expected.
    #[serde(default)]
    pub actuals: ActualsSettings,
    /// Athena, for `--from athena:<database>.<table>`.
    #[serde(default)]
    pub athena: AthenaSettings,
    /// What the report adds (showback by tag).
    #[serde(default)]
    pub report: ReportSettings,
}

/// `[actuals]`: defaults for `actuals` and `report --actuals`.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ActualsSettings {
    /// The source when `--from` is not given: `ce`, `cur2:<path|s3://...>`, `focus:<...>` or
    /// `athena:<database>.<table>` (default: Cost Explorer).
    pub from: Option<String>,
    /// Refuse a billing export of another payer account.
    pub payer_account_id: Option<String>,
}

/// `[athena]`: where queries run.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AthenaSettings {
    /// The workgroup (default: the account's `primary`).
    pub workgroup: Option<String>,
    /// `s3://bucket/prefix/` for query results (default: the workgroup's).
    pub output_location: Option<String>,
    /// The table's partition column for the billing period (Data Exports + Glue: `billing_period`),
    /// so Athena reads only the month's files.
    pub partition_column: Option<String>,
    /// Give up waiting for a query after this many seconds (default 600).
    pub max_wait_secs: Option<u64>,
}

/// `[report]`.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ReportSettings {
    /// Tag keys to total the model by (showback): each value's today and paths, and
    /// `(untagged)`.
    #[serde(default)]
    pub group_by_tags: Vec<String>,
}

/// An account reached by assuming a role.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountRole {
    pub role_arn: String,
    pub external_id: Option<String>,
    /// Default "logplan".
    pub session_name: Option<String>,
    /// Regions for this account (default: the run's regions).
    #[serde(default)]
    pub regions: Vec<String>,
}

/// How modeled and billed costs are compared.
#[derive(Debug, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Reconcile {
    /// Flag a component whose modeled cost differs from the bill by more than this percentage.
    pub variance_threshold_percent: f64,
}

impl Default for Reconcile {
    fn default() -> Self {
        Reconcile {
            variance_threshold_percent: 10.0,
        }
    }
}

/// A deployment target for the query library.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Target {
    /// AWS profile (default: the standard chain).
    pub profile: Option<String>,
    /// Regions to deploy to (default: the chain's region).
    #[serde(default)]
    pub regions: Vec<String>,
    /// Root folder for the definitions in the console, e.g. "team-a" puts `waf/top-ips` at
    /// `team-a/waf/top-ips`.
    pub prefix: Option<String>,
}

/// How AWS is reached: retries and timeouts.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// Total attempts per request, first one included (standard retry mode). Default 6.
    pub max_attempts: Option<u32>,
    /// First retry backoff in milliseconds; later ones grow exponentially, with full jitter.
    /// Default 500.
    pub initial_backoff_ms: Option<u64>,
    /// TCP connect timeout in seconds. Default 5.
    pub connect_timeout_secs: Option<u64>,
    /// Read timeout per attempt in seconds. Default 60.
    pub read_timeout_secs: Option<u64>,
    /// Requests per second allowed per account and region, by IAM action (e.g.
    /// `"logs:DescribeSubscriptionFilters" = 5`); unset actions are only bounded by concurrency.
    #[serde(default)]
    pub rate_limits: std::collections::BTreeMap<String, f64>,
}

/// How forwarded groups are recognised.
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct Forwarding {
    /// Lambda ARNs that are Datadog Forwarders even though their name lacks "datadog".
    #[serde(default)]
    pub datadog_forwarder_arns: Vec<String>,
}

impl Config {
    /// Read `path`; errors name the file, the line and the key.
    pub fn load(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: format!("cannot read: {e}"),
        })?;
        Config::parse(&text, path)
    }

    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            message: one_line_toml_error(text, &e),
        })?;
        for r in &cfg.regions {
            crate::regions::check(r).map_err(|e| Error::Config {
                path: path.to_path_buf(),
                message: format!("regions: {e}"),
            })?;
        }
        if cfg.concurrency == Some(0) {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: "concurrency must be at least 1".into(),
            });
        }
        cfg.scenario.check().map_err(|m| {
            // Point at the line that sets the field, when the file sets it.
            let field = m.split([' ', '=']).next().unwrap_or("");
            let line = text
                .lines()
                .position(|l| l.trim_start().starts_with(field) && !field.is_empty())
                .map(|i| format!("line {}, ", i + 1))
                .unwrap_or_default();
            Error::Config {
                path: path.to_path_buf(),
                message: format!("{line}scenario.{m}"),
            }
        })?;
        if let Some((k, v)) = cfg
            .aws
            .rate_limits
            .iter()
            .find(|(_, v)| !(v.is_finite() && **v > 0.0))
        {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!(
                    "aws.rate_limits.\"{k}\" = {v}: must be a positive number of requests per second"
                ),
            });
        }
        if let Some(o) = &cfg.athena.output_location
            && !o.starts_with("s3://")
        {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!("athena.output_location = {o:?}: must be s3://bucket/prefix/"),
            });
        }
        if let Some(c) = &cfg.athena.partition_column
            && (c.is_empty() || !c.chars().all(|ch| ch.is_ascii_alphanumeric() || ch == '_'))
        {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!("athena.partition_column = {c:?}: letters, digits and _ only"),
            });
        }
        if let Some(k) = cfg
            .report
            .group_by_tags
            .iter()
            .find(|k| k.trim().is_empty())
        {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!("report.group_by_tags: {k:?} is not a tag key"),
            });
        }
        if let Some(p) = &cfg.actuals.payer_account_id
            && (p.len() != 12 || !p.chars().all(|c| c.is_ascii_digit()))
        {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: format!("actuals.payer_account_id = {p:?}: not a 12-digit account id"),
            });
        }
        if cfg.aws.max_attempts == Some(0) {
            return Err(Error::Config {
                path: path.to_path_buf(),
                message: "aws.max_attempts must be at least 1".into(),
            });
        }
        Ok(cfg)
    }

    /// The config in force: `--config` if given (must exist), else `./logplan.toml` if present.
    pub fn discover(explicit: Option<&Path>) -> Result<(Config, Option<PathBuf>)> {
        match explicit {
            Some(p) => Ok((Config::load(p)?, Some(p.to_path_buf()))),
            None => {
                let p = PathBuf::from("logplan.toml");
                if p.is_file() {
                    Ok((Config::load(&p)?, Some(p)))
                } else {
                    Ok((Config::default(), None))
                }
            }
        }
    }
}

/// `line N, column M: message` from a toml error (whose own Display spans several lines).
fn one_line_toml_error(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim().replace('\n', " ");
    match e.span() {
        Some(span) => {
            let before = &text[..span.start.min(text.len())];
            let line = before.matches('\n').count() + 1;
            let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
            format!("line {line}, column {col}: {msg}")
        }
        None => msg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_names_key_and_line() {
        let text = "regions = [\"us-east-1\"]\n[aws]\nmax_attempts = 3\nmax_atempts = 4\n";
        let e = Config::parse(text, Path::new("logplan.toml")).unwrap_err();
        let s = e.to_string();
        assert!(s.starts_with("logplan.toml: line 4"), "{s}");
        assert!(s.contains("max_atempts"), "{s}");
        assert!(!s.contains('\n'), "{s}");
    }

    #[test]
    fn bad_region_and_values() {
        let e = Config::parse("regions = [\"mars-1\"]", Path::new("c.toml")).unwrap_err();
        assert!(e.to_string().contains("unknown region \"mars-1\""), "{e}");
        let e = Config::parse("concurrency = 0", Path::new("c.toml")).unwrap_err();
        assert!(e.to_string().contains("concurrency"), "{e}");
        let e = Config::parse("concurrency = \"x\"", Path::new("c.toml")).unwrap_err();
        assert!(e.to_string().contains("line 1"), "{e}");
    }

    #[test]
    fn full_file_parses() {
        let text = r#"
regions = ["us-east-1", "eu-west-1"]
concurrency = 4
[aws]
max_attempts = 10
initial_backoff_ms = 20
connect_timeout_secs = 2
read_timeout_secs = 30
[forwarding]
datadog_forwarder_arns = ["arn:aws:lambda:us-east-1:123456789012:function:log-shipper"]
"#;
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        assert_eq!(c.regions, vec!["us-east-1", "eu-west-1"]);
        assert_eq!(c.aws.max_attempts, Some(10));
        assert_eq!(c.forwarding.datadog_forwarder_arns.len(), 1);
    }
}

#[cfg(test)]
mod init_template_tests {
    use super::*;

    #[test]
    fn init_template_is_the_defaults() {
        let c = Config::parse(crate::commands::init::TEMPLATE, Path::new("logplan.toml")).unwrap();
        let d = crate::model::Scenario::default();
        assert_eq!(
            serde_json::to_value(&c.scenario).unwrap(),
            serde_json::to_value(&d).unwrap()
        );
        assert_eq!(c.concurrency, Some(crate::collect::DEFAULT_CONCURRENCY));
        assert_eq!(
            c.aws.max_attempts,
            Some(crate::aws::sdk::ConnectSettings::DEFAULT_MAX_ATTEMPTS)
        );
    }
}
