//! The scenario: everything the model assumes that a measurement cannot tell (the Datadog site
//! and plan, the forwarder's shape, egress, Insights habits, free tiers), with a documented default
//! for every field (`logplan init` writes them all) and the checks that name a wrong field.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::Path;

/// Datadog sites and where they run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Site {
    #[serde(rename = "US1", alias = "us1")]
    Us1,
    #[serde(rename = "US3", alias = "us3")]
    Us3,
    #[serde(rename = "US5", alias = "us5")]
    Us5,
    #[serde(rename = "EU1", alias = "eu1", alias = "EU")]
    Eu1,
    #[serde(rename = "AP1", alias = "ap1")]
    Ap1,
    #[serde(rename = "AP2", alias = "ap2")]
    Ap2,
    #[serde(rename = "US1-FED", alias = "us1-fed")]
    Us1Fed,
    /// uk1.datadoghq.com; PrivateLink supported (Datadog's PrivateLink guide), so on AWS.
    #[serde(rename = "UK1", alias = "uk1")]
    Uk1,
    /// us2.ddog-gov.com.
    #[serde(rename = "US2-FED", alias = "us2-fed")]
    Us2Fed,
}

/// What Datadog's "GB" of ingested logs is. Datadog does not say (PRICING.md, "Datadog metering
/// unit"); decimal is the default, and the report states which was used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DatadogGb {
    /// 10^9 bytes.
    Decimal,
    /// 2^30 bytes.
    Binary,
}

impl DatadogGb {
    pub fn bytes(self) -> u64 {
        match self {
            DatadogGb::Decimal => 1_000_000_000,
            DatadogGb::Binary => 1 << 30,
        }
    }
}

impl Site {
    /// The AWS region the site runs in, when it runs on AWS (PrivateLink is possible there).
    pub fn aws_region(self) -> Option<&'static str> {
        match self {
            Site::Us1 => Some("us-east-1"),
            Site::Ap1 => Some("ap-northeast-1"),
            Site::Ap2 => Some("ap-southeast-2"),
            // UK1 runs in AWS London (PrivateLink from eu-west-2, Datadog's PrivateLink guide).
            Site::Uk1 => Some("eu-west-2"),
            _ => None,
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Site::Us1 => "US1 (datadoghq.com, AWS us-east-1)",
            Site::Us3 => "US3 (Azure westus2)",
            Site::Us5 => "US5 (GCP us-central1)",
            Site::Eu1 => "EU1 (datadoghq.eu, GCP europe-west3)",
            Site::Ap1 => "AP1 (AWS ap-northeast-1)",
            Site::Ap2 => "AP2 (AWS ap-southeast-2)",
            Site::Us1Fed => "US1-FED (hosting not published)",
            Site::Uk1 => "UK1 (uk1.datadoghq.com, AWS eu-west-2)",
            Site::Us2Fed => "US2-FED (us2.ddog-gov.com, hosting not published)",
        }
    }
}

/// Which Flex Logs offer stores the events not indexed (Datadog's pricing page, transcribed
/// 2026-09-20: Flex storage $0.05 per million events stored per month with compute priced on
/// request; Flex Starter $0.60 with compute bundled, kept 6, 12 or 15 months).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlexTier {
    /// Flex Logs storage (`datadog.flex.storage`); its compute tiers are not priced publicly.
    Flex,
    /// Flex Starter (`datadog.flex_starter.storage`), storage and compute bundled.
    Starter,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Commitment {
    Annual,
    OnDemand,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Egress {
    /// Internet egress tiers (AWS does not say which rate applies to a Datadog intake).
    Internet,
    /// The same-region public-IP rate, when the Datadog site runs in the group's region.
    SameRegion,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Arch {
    Arm64,
    X86_64,
}

/// Everything the model assumes. Every field has a documented default (`logplan init` writes
/// them all) and the report lists the values in force.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Scenario {
    /// Datadog site.
    pub site: Site,
    /// Datadog Standard indexing retention in days: 3, 7, 15, 30, 45 or 60. Datadog publishes no
    /// price for 45 and 60 days (searched November 2026: its pricing page and docs list the
    /// retentions, not their prices): set `datadog.index.45d` / `.60d` in `[prices.override]`.
    pub retention_days: u32,
    pub commitment: Commitment,
    /// Share of events indexed in Datadog on the full Datadog paths (0-1).
    pub indexed_fraction: Decimal,
    /// Store the events that are not indexed in Flex Logs.
    pub flex: bool,
    /// Which Flex offer: `flex` (default) or `starter` (Flex Starter: 6, 12 or 15 months).
    pub flex_tier: FlexTier,
    /// Share of volume sent to (and indexed in) Datadog on the hybrid path (0-1).
    pub hybrid_fraction: Decimal,
    pub forwarder_architecture: Arch,
    pub forwarder_memory_mb: u32,
    /// Modeled average duration of one forwarder invocation, ms.
    pub forwarder_duration_ms: u32,
    /// Modeled average compressed payload of one forwarder invocation, KiB.
    pub forwarder_payload_kib: u32,
    /// CloudWatch retention while a group is forwarded (days); unset = the group's own.
    pub retention_while_forwarded_days: Option<u32>,
    pub egress: Egress,
    /// Average Firehose record (a compressed CloudWatch Logs batch), KiB; each record is billed
    /// rounded up to 5 KB.
    pub firehose_record_kib: u32,
    /// Availability zones of the PrivateLink interface endpoint.
    pub privatelink_azs: u32,
    /// Insights scan volume assumed per month, as full scans of the month's ingested bytes, for
    /// groups with no query plan and no `insights_scanned_bytes`.
    pub insights_full_scans: Decimal,
    /// gzip ratio assumed where the snapshot has no measured one.
    pub compression_ratio: Decimal,
    /// Apply the free tiers once per account.
    pub free_tier: bool,
    /// Months of data a never-expiring group holds in steady state (when storedBytes is unknown).
    pub never_expire_months: u32,
    /// What Datadog's GB is: `decimal` (10^9 bytes, default) or `binary` (2^30).
    pub datadog_gb: DatadogGb,
    /// Bytes the Datadog Forwarder adds to each event (its JSON envelope) where the snapshot has
    /// no measured `datadog_envelope_bytes`. Default 450, estimated from the fields the Forwarder
    /// sends per event (DataDog/datadog-serverless-functions, aws/logs_monitoring, the approved
    /// JSON files of its tests; PRICING.md "Forwarder envelope"): `message` key ~14, `ddsource`
    /// ~25, `ddsourcecategory` ~27, `ddtags` (forwardername, forwarder_memorysize,
    /// forwarder_version, env) ~110, `host` and `service` (the group's name) ~70, `id` (56
    /// digits) ~63, `timestamp` ~25, `aws.awslogs.{logGroup,logStream,owner}` ~150 (a Lambda
    /// stream name is ~55 characters).
    pub forwarder_envelope_bytes: u32,
    /// Months Flex Logs keep events (3 to 15): Flex bills events stored per month.
    pub flex_retention_months: u32,
    /// GB of the 100 GB a month of free internet egress that other services of the account (or
    /// of the payer, when accounts share a bill) use up: AWS grants it once across services
    /// (PRICING.md, "Data transfer out"). Default 0: logplan's egress gets all of it.
    pub egress_free_gb_used_elsewhere: Decimal,
    /// The first day of the month being priced (from the snapshot's period); dated rules of the
    /// book apply from their `effective_from`. Unset: the book's own date. Not a setting.
    #[serde(skip)]
    pub month_start: Option<chrono::NaiveDate>,
    /// Accounts that share a bill: account id -> payer account id (`[billing]` in logplan.toml,
    /// or the demo's). Tier pools and free tiers are per payer for these accounts, per account
    /// for the others. Not a scenario setting.
    #[serde(skip)]
    pub payers: std::collections::BTreeMap<String, String>,
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            site: Site::Us1,
            retention_days: 15,
            commitment: Commitment::Annual,
            indexed_fraction: Decimal::ONE,
            flex: false,
            flex_tier: FlexTier::Flex,
            hybrid_fraction: Decimal::new(1, 1),
            forwarder_architecture: Arch::Arm64,
            forwarder_memory_mb: 1024,
            forwarder_duration_ms: 500,
            forwarder_payload_kib: 128,
            retention_while_forwarded_days: None,
            egress: Egress::Internet,
            firehose_record_kib: 128,
            privatelink_azs: 2,
            insights_full_scans: Decimal::from(2),
            compression_ratio: Decimal::from(5),
            free_tier: true,
            never_expire_months: 12,
            datadog_gb: DatadogGb::Decimal,
            forwarder_envelope_bytes: 450,
            flex_retention_months: 3,
            egress_free_gb_used_elsewhere: Decimal::ZERO,
            month_start: None,
            payers: std::collections::BTreeMap::new(),
        }
    }
}

impl Scenario {
    /// Check the values a user may get wrong; the message names the field and what is valid.
    pub fn check(&self) -> std::result::Result<(), String> {
        if ![3, 7, 15, 30, 45, 60].contains(&self.retention_days) {
            return Err(format!(
                "retention_days = {}: Datadog indexing retention must be one of 3, 7, 15, 30, 45, 60",
                self.retention_days
            ));
        }
        for (name, v) in [
            ("indexed_fraction", self.indexed_fraction),
            ("hybrid_fraction", self.hybrid_fraction),
        ] {
            if v < Decimal::ZERO || v > Decimal::ONE {
                return Err(format!("{name} = {v}: must be between 0 and 1"));
            }
        }
        if self.compression_ratio < Decimal::ONE {
            return Err(format!(
                "compression_ratio = {}: must be at least 1",
                self.compression_ratio
            ));
        }
        if self.egress_free_gb_used_elsewhere < Decimal::ZERO {
            return Err(format!(
                "egress_free_gb_used_elsewhere = {}: must not be negative",
                self.egress_free_gb_used_elsewhere
            ));
        }
        if self.insights_full_scans < Decimal::ZERO {
            return Err("insights_full_scans must not be negative".into());
        }
        for (name, v) in [
            ("forwarder_memory_mb", self.forwarder_memory_mb),
            ("forwarder_payload_kib", self.forwarder_payload_kib),
            ("firehose_record_kib", self.firehose_record_kib),
            ("privatelink_azs", self.privatelink_azs),
        ] {
            if v == 0 {
                return Err(format!("{name} must be at least 1"));
            }
        }
        if !(3..=15).contains(&self.flex_retention_months) {
            return Err(format!(
                "flex_retention_months = {}: Flex Logs keep events 3 to 15 months",
                self.flex_retention_months
            ));
        }
        if self.flex_tier == FlexTier::Starter && ![6, 12, 15].contains(&self.flex_retention_months)
        {
            return Err(format!(
                "flex_retention_months = {}: Flex Starter keeps events 6, 12 or 15 months (flex_tier = \"starter\")",
                self.flex_retention_months
            ));
        }
        Ok(())
    }

    /// The Datadog indexing price id for the retention in force.
    pub fn index_price_id(&self) -> &'static str {
        match self.retention_days {
            3 => "datadog.index.3d",
            7 => "datadog.index.7d",
            30 => "datadog.index.30d",
            45 => "datadog.index.45d",
            60 => "datadog.index.60d",
            _ => "datadog.index.15d",
        }
    }

    /// The Flex storage price id for the Flex offer and commitment in force: each has its own
    /// published figure, so no premium multiplies it.
    pub fn flex_price_id(&self) -> &'static str {
        match (self.flex_tier, self.commitment) {
            (FlexTier::Flex, Commitment::Annual) => "datadog.flex.storage",
            (FlexTier::Flex, Commitment::OnDemand) => "datadog.flex.storage.on_demand",
            (FlexTier::Starter, Commitment::Annual) => "datadog.flex_starter.storage",
            (FlexTier::Starter, Commitment::OnDemand) => "datadog.flex_starter.storage.on_demand",
        }
    }

    /// Who a tier pool or free tier belongs to: the account's payer when `[billing]` says the
    /// account shares a bill, else the account itself.
    pub fn pool_owner<'a>(&'a self, account: &'a str) -> &'a str {
        self.payers.get(account).map_or(account, String::as_str)
    }

    /// `flex` or `starter`, as the setting is written.
    pub fn flex_tier_name(&self) -> &'static str {
        match self.flex_tier {
            FlexTier::Flex => "flex",
            FlexTier::Starter => "starter",
        }
    }

    /// The Lambda duration price id for the forwarder's architecture.
    pub fn duration_price_id(&self) -> &'static str {
        match self.forwarder_architecture {
            Arch::Arm64 => "lambda.duration.arm64",
            Arch::X86_64 => "lambda.duration.x86",
        }
    }

    /// Why `path` cannot be modeled in this scenario, if it cannot.
    pub fn unavailable(&self, path: Path) -> Option<String> {
        match path {
            Path::DatadogPrivatelink if self.site.aws_region().is_none() => Some(format!(
                "PrivateLink to Datadog exists only for sites on AWS (US1, AP1, AP2, UK1); the site is {}",
                self.site.describe()
            )),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn scenario_checks_name_the_field() {
        let s = Scenario {
            retention_days: 10,
            ..Scenario::default()
        };
        assert!(
            s.check()
                .unwrap_err()
                .contains("one of 3, 7, 15, 30, 45, 60")
        );
        let s = Scenario {
            indexed_fraction: d("1.5"),
            ..Scenario::default()
        };
        assert!(s.check().unwrap_err().contains("indexed_fraction"));
    }
}
