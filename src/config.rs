//! `logplan.toml`: optional settings that outlive one run. Unknown keys are errors that name the
//! key and its line, so a typo never silently falls back to a default.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole file. Every section is optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// This query library's identity, written by `logplan init`: carried in the marker of every
    /// definition logplan deploys, so libraries sharing an account never touch each other's.
    pub library_id: Option<String>,
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
    /// Other accounts to sample, each through a role assumed from the base credentials, or a
    /// monitoring account and its linked source accounts.
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
    /// Which accounts share a bill (tier pools and free tiers per payer).
    #[serde(default)]
    pub billing: Billing,
}

/// `[billing]`: accounts that share a consolidated bill. AWS computes tiered usage (vended logs,
/// internet egress, PrivateLink data) over all accounts of a payer, and applies the Free Tier to
/// their total usage, not per account (AWS Billing user guide, "Volume discounts" and "AWS Free
/// Tier for Organizations", docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/useconsolidatedbilling-discounts.html). Without it, pools and free tiers are per account.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Billing {
    /// `[[billing.payers]] payer = "...", accounts = ["...", ...]`.
    #[serde(default)]
    pub payers: Vec<Payer>,
}

/// One consolidated bill: the payer (management) account and its member accounts.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Payer {
    pub payer: String,
    #[serde(default)]
    pub accounts: Vec<String>,
}

impl Billing {
    /// Account id -> payer id, for every account named (the payer included).
    pub fn payer_of(&self) -> std::collections::BTreeMap<String, String> {
        let mut m = std::collections::BTreeMap::new();
        for p in &self.payers {
            m.insert(p.payer.clone(), p.payer.clone());
            for a in &p.accounts {
                m.insert(a.clone(), p.payer.clone());
            }
        }
        m
    }

    /// 12-digit ids, every account named at most once; the message names the entry.
    fn check(&self) -> std::result::Result<(), String> {
        let mut seen = std::collections::BTreeMap::new();
        for (i, p) in self.payers.iter().enumerate() {
            let at = format!("[[billing.payers]] #{}", i + 1);
            for (key, a) in std::iter::once(("payer", &p.payer))
                .chain(p.accounts.iter().map(|a| ("accounts", a)))
            {
                if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(format!("{at}: {key}: {a:?} is not a 12-digit account id"));
                }
                if let Some(first) = seen.insert(a.clone(), i + 1) {
                    // A payer may list itself among its accounts.
                    if !(first == i + 1 && *a == p.payer) {
                        return Err(format!(
                            "{at}: account {a} is already named in [[billing.payers]] #{first}: an account has one payer"
                        ));
                    }
                }
            }
        }
        Ok(())
    }
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

/// An `[[accounts]]` entry: an account reached by assuming a role, or (`mode = "monitoring"`) a
/// CloudWatch cross-account observability monitoring account that samples its linked source
/// accounts with one set of credentials.
#[derive(Debug, Default, Deserialize, Clone, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountRole {
    /// The role to assume. Required in `role` mode; in `monitoring` mode optional (without it
    /// the base credentials are the monitoring account's).
    pub role_arn: Option<String>,
    pub external_id: Option<String>,
    /// Default "logplan".
    pub session_name: Option<String>,
    /// Regions for this account (default: the run's regions).
    #[serde(default)]
    pub regions: Vec<String>,
    #[serde(default)]
    pub mode: AccountMode,
    /// Monitoring mode: the source accounts to sample, each of which must be linked (default:
    /// every linked account).
    #[serde(default)]
    pub accounts: Vec<String>,
}

/// How an `[[accounts]]` entry is reached.
#[derive(Clone, Copy, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum AccountMode {
    #[default]
    Role,
    Monitoring,
}

impl AccountRole {
    /// The role to assume, when the entry names one.
    pub fn to_assume(&self) -> Option<crate::aws::sdk::RoleToAssume> {
        Some(crate::aws::sdk::RoleToAssume {
            role_arn: self.role_arn.clone()?,
            session_name: self.session_name.clone(),
            external_id: self.external_id.clone(),
        })
    }

    /// How the entry is named in messages: its role ARN, or "monitoring account (base
    /// credentials)".
    pub fn label(&self) -> String {
        match (&self.role_arn, self.mode) {
            (Some(r), _) => r.clone(),
            (None, _) => "monitoring account (base credentials)".to_string(),
        }
    }

    /// Check one entry (`index` counts from 1); the message names the table and key.
    fn check(&self, index: usize) -> std::result::Result<(), String> {
        let at = format!("[[accounts]] #{index}");
        match (&self.role_arn, self.mode) {
            (None, AccountMode::Role) => {
                return Err(format!(
                    "{at}: role_arn is required (or set mode = \"monitoring\")"
                ));
            }
            (Some(r), _) if !valid_role_arn(r) => {
                return Err(format!(
                    "{at}: role_arn {r:?} is not an IAM role ARN \
                     (arn:aws:iam::<12-digit account>:role/<name>)"
                ));
            }
            _ => {}
        }
        if self.mode == AccountMode::Role && !self.accounts.is_empty() {
            return Err(format!(
                "{at}: accounts lists source accounts of a monitoring account; set mode = \"monitoring\""
            ));
        }
        if let Some(a) = self
            .accounts
            .iter()
            .find(|a| a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()))
        {
            return Err(format!(
                "{at}: accounts: {a:?} is not a 12-digit account id"
            ));
        }
        for r in &self.regions {
            crate::regions::check(r).map_err(|e| format!("{at}: regions: {e}"))?;
        }
        Ok(())
    }
}

/// Who reads what cross-account observability does not share (a source account's query history
/// and tags): each `[[accounts]]` entry with a role, in its regions, and the base credentials
/// once, for the first entry without a role (a monitoring account read as itself) or when there
/// are no entries at all.
#[derive(Clone, Debug)]
pub enum Reader {
    Base,
    Role(crate::aws::sdk::RoleToAssume),
}

/// The readers of `accounts`, each with its regions (an entry's own, else `default_regions`),
/// in the order of the entries.
pub fn readers(accounts: &[AccountRole], default_regions: &[String]) -> Vec<(Reader, Vec<String>)> {
    if accounts.is_empty() {
        return vec![(Reader::Base, default_regions.to_vec())];
    }
    let mut base_read = false;
    let mut out = Vec::new();
    for a in accounts {
        let regions = if a.regions.is_empty() {
            default_regions.to_vec()
        } else {
            a.regions.clone()
        };
        match a.to_assume() {
            Some(role) => out.push((Reader::Role(role), regions)),
            None if !std::mem::replace(&mut base_read, true) => out.push((Reader::Base, regions)),
            None => {}
        }
    }
    out
}

/// `arn:<partition>:iam::<12 digits>:role/[<path>/]<name>`.
fn valid_role_arn(arn: &str) -> bool {
    let f: Vec<&str> = arn.splitn(6, ':').collect();
    f.len() == 6
        && f[0] == "arn"
        && f[1].starts_with("aws")
        && f[2] == "iam"
        && f[3].is_empty()
        && f[4].len() == 12
        && f[4].bytes().all(|b| b.is_ascii_digit())
        && f[5]
            .strip_prefix("role/")
            .is_some_and(|n| !n.is_empty() && !n.ends_with('/'))
}

/// `arn:<partition>:lambda:<region>:<12 digits>:function:<name>[:<qualifier>]`.
fn valid_lambda_arn(arn: &str) -> bool {
    let f: Vec<&str> = arn.splitn(7, ':').collect();
    f.len() == 7
        && f[0] == "arn"
        && f[1].starts_with("aws")
        && f[2] == "lambda"
        && !f[3].is_empty()
        && f[4].len() == 12
        && f[4].bytes().all(|b| b.is_ascii_digit())
        && f[5] == "function"
        && !f[6].is_empty()
}

/// `line N, ` for the line that sets `key` in `[table]` (the dotted form `table.key` too), or
/// nothing when the file does not set it there.
fn line_of(text: &str, table: &str, key: &str) -> String {
    let header = format!("[{table}]");
    let dotted = format!("{}.{key}", table.rsplit('.').next().unwrap_or(table));
    let mut inside = false;
    for (i, line) in text.lines().enumerate() {
        let l = line.trim_start();
        if l.starts_with('[') {
            inside = l.starts_with(&header);
            continue;
        }
        let sets = |k: &str| {
            l.strip_prefix(k)
                .is_some_and(|rest| rest.trim_start().starts_with('='))
        };
        if (inside && sets(key)) || sets(&dotted) {
            return format!("line {}, ", i + 1);
        }
    }
    String::new()
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

pub use crate::aws::sdk::AwsSettings;

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
        if let Some(id) = &cfg.library_id {
            check_library_id(id).map_err(|m| Error::Config {
                path: path.to_path_buf(),
                message: format!("library_id: {m}"),
            })?;
        }
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
        crate::aws::quotas::check_rate_limits(&cfg.aws.rate_limits).map_err(|m| {
            // Name the line that sets the key.
            let key = m.split('"').nth(1).unwrap_or("");
            let line = text
                .lines()
                .position(|l| !key.is_empty() && l.contains(&format!("\"{key}\"")))
                .map(|i| format!("line {}, ", i + 1))
                .unwrap_or_default();
            Error::Config {
                path: path.to_path_buf(),
                message: format!("{line}{m}"),
            }
        })?;
        for (i, a) in cfg.accounts.iter().enumerate() {
            a.check(i + 1).map_err(|message| Error::Config {
                path: path.to_path_buf(),
                message,
            })?;
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
        cfg.billing.check().map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        cfg.check_tables(text).map_err(|message| Error::Config {
            path: path.to_path_buf(),
            message,
        })?;
        Ok(cfg)
    }

    /// The checks of `[aws]` timeouts, `[targets.*]`, `[reconcile]` and `[forwarding]`: each
    /// message names the table, the key and (when the file sets it) the line.
    fn check_tables(&self, text: &str) -> std::result::Result<(), String> {
        for (key, v) in [
            ("connect_timeout_secs", self.aws.connect_timeout_secs),
            ("read_timeout_secs", self.aws.read_timeout_secs),
        ] {
            if v == Some(0) {
                return Err(format!(
                    "{}[aws] {key} = 0: must be at least 1 second",
                    line_of(text, "aws", key)
                ));
            }
        }
        for (name, t) in &self.targets {
            let table = format!("targets.{name}");
            for r in &t.regions {
                crate::regions::check(r).map_err(|e| {
                    format!("{}[{table}] regions: {e}", line_of(text, &table, "regions"))
                })?;
            }
        }
        let v = self.reconcile.variance_threshold_percent;
        if !v.is_finite() || v < 0.0 {
            return Err(format!(
                "{}[reconcile] variance_threshold_percent = {v}: must be a non-negative percentage",
                line_of(text, "reconcile", "variance_threshold_percent")
            ));
        }
        if let Some(a) = self
            .forwarding
            .datadog_forwarder_arns
            .iter()
            .find(|a| !valid_lambda_arn(a))
        {
            return Err(format!(
                "{}[forwarding] datadog_forwarder_arns: {a:?} is not a Lambda function ARN \
                 (arn:aws:lambda:<region>:<12-digit account>:function:<name>)",
                line_of(text, "forwarding", "datadog_forwarder_arns")
            ));
        }
        Ok(())
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

/// Library ids: 1-64 letters, digits, `.`, `_` or `-` (they sit in a marker of `key=value`
/// words, so no spaces or `=`).
pub fn check_library_id(id: &str) -> Result<(), String> {
    let ok = !id.is_empty()
        && id.len() <= 64
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'));
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{id:?} must be 1-64 letters, digits, '.', '_' or '-'"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_credentials_read_once_and_roles_in_their_regions() {
        let text = r#"
regions = ["us-east-1"]
[[accounts]]
role_arn = "arn:aws:iam::111111111111:role/a"
[[accounts]]
mode = "monitoring"
regions = ["eu-west-1"]
[[accounts]]
mode = "monitoring"
regions = ["ap-southeast-2"]
[[accounts]]
role_arn = "arn:aws:iam::222222222222:role/b"
regions = ["us-west-2"]
"#;
        let c = Config::parse(text, Path::new("c.toml")).unwrap();
        let default = vec!["us-east-1".to_string()];
        let got: Vec<(String, Vec<String>)> = readers(&c.accounts, &default)
            .into_iter()
            .map(|(r, regions)| match r {
                Reader::Base => ("base".to_string(), regions),
                Reader::Role(role) => (role.role_arn, regions),
            })
            .collect();
        // Entry 3 is a second entry without a role: the base account is read once, in the
        // first such entry's regions.
        let s = |x: &str| x.to_string();
        assert_eq!(
            got,
            vec![
                (s("arn:aws:iam::111111111111:role/a"), vec![s("us-east-1")]),
                (s("base"), vec![s("eu-west-1")]),
                (s("arn:aws:iam::222222222222:role/b"), vec![s("us-west-2")]),
            ]
        );
        let none = readers(&[], &default);
        assert!(matches!(none.as_slice(), [(Reader::Base, r)] if *r == default));
    }

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
    fn rate_limit_keys_and_accounts_are_checked() {
        let text = "[aws.rate_limits]\n\"logs:DescribeSubscriptionFilters\" = 2\n\"logs:DescribeLogGroup\" = 3\n";
        let e = Config::parse(text, Path::new("logplan.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("logplan.toml: line 3, [aws.rate_limits] key \"logs:DescribeLogGroup\""),
            "{e}"
        );
        let e = Config::parse(
            "[aws.rate_limits]\n\"logs:DescribeLogGroups\" = -1\n",
            Path::new("c.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("positive"), "{e}");
        let c = Config::parse(
            "[aws.rate_limits]\n\"logs:DescribeSubscriptionFilters\" = 2.5\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.aws.rate_limits["logs:DescribeSubscriptionFilters"], 2.5);

        for (bad, why) in [
            (
                "[[accounts]]\nrole_arn = \"arn:aws:iam::1234:role/x\"\n",
                "not an IAM role ARN",
            ),
            (
                "[[accounts]]\nexternal_id = \"x\"\n",
                "role_arn is required",
            ),
            (
                "[[accounts]]\nmode = \"monitoring\"\naccounts = [\"12\"]\n",
                "12-digit",
            ),
            ("[[accounts]]\nmode = \"monitor\"\n", "line 2"),
        ] {
            let e = Config::parse(bad, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.starts_with("c.toml: "), "{e}");
        }
        let c = Config::parse(
            "[[accounts]]\nmode = \"monitoring\"\naccounts = [\"111111111111\"]\n[[accounts]]\nrole_arn = \"arn:aws:iam::222222222222:role/path/read\"\n",
            Path::new("c.toml"),
        )
        .unwrap();
        assert_eq!(c.accounts[0].mode, AccountMode::Monitoring);
        assert_eq!(c.accounts[1].mode, AccountMode::Role);
    }

    #[test]
    fn billing_payers_are_checked() {
        let ok = "[[billing.payers]]\npayer = \"999999999999\"\naccounts = [\"111111111111\", \"222222222222\"]\n";
        let c = Config::parse(ok, Path::new("c.toml")).unwrap();
        let m = c.billing.payer_of();
        assert_eq!(m["111111111111"], "999999999999");
        assert_eq!(m["999999999999"], "999999999999");
        assert_eq!(m.len(), 3);
        for (bad, why) in [
            (
                "[[billing.payers]]\npayer = \"99\"\n",
                "payer: \"99\" is not a 12-digit account id",
            ),
            (
                "[[billing.payers]]\npayer = \"999999999999\"\naccounts = [\"111111111111\"]\n[[billing.payers]]\npayer = \"888888888888\"\naccounts = [\"111111111111\"]\n",
                "#2: account 111111111111 is already named in [[billing.payers]] #1",
            ),
            (
                "[billing]\npayer = \"999999999999\"\n",
                "unknown field `payer`",
            ),
            (
                "[[billing.payers]]\npayer = \"999999999999\"\nmembers = []\n",
                "line 3",
            ),
        ] {
            let e = Config::parse(bad, Path::new("c.toml"))
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{bad}: {e}");
            assert!(e.starts_with("c.toml: ") && !e.contains('\n'), "{e}");
        }
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
