//! Actuals from AWS's billing exports instead of Cost Explorer: the CUR 2.0 / Data Exports table
//! (`cur2:`), its FOCUS 1.2 table (`focus:`), read from local files or S3 with polars, or the CUR
//! 2.0 table queried where it lives with Athena (`athena:`). Every source yields the same
//! aggregated rows ([`ExportRow`]: one per payer, usage account, product, usage type, region,
//! line type, unit and log group), summed exactly; the rows are then classified like Cost
//! Explorer's usage types, so the component reconciliation is the same whatever the source, and
//! the lines carrying a log group's ARN feed the per-group reconciliation.
//!
//! Column lists: CUR 2.0 from AWS's Data Exports table dictionary (docs.aws.amazon.com/cur/
//! latest/userguide/table-dictionary-cur2.html and its line item, bill, pricing, product and
//! resource tags pages); FOCUS 1.2 from "FOCUS 1.2 with AWS columns" (table-dictionary-focus-1-2-
//! aws-columns.html) and the migration page (table-dictionary-focus-1-2-migrating.html): in AWS's
//! FOCUS 1.2 export the usage type is `SkuMeter` (1.0's `x_UsageType` is gone) and the AWS
//! columns are `x_Discounts`, `x_Operation`, `x_ServiceCode`.

pub mod local;
pub mod read;
pub mod sql;

use std::collections::BTreeMap;
use std::fmt;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::actuals::BilledRow;
use super::usage_types;
use crate::error::{Error, Result};
use crate::money::MicroUsd;

/// Where an export is.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Location {
    Local(PathBuf),
    S3 { bucket: String, prefix: String },
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::Local(p) => write!(f, "{}", p.display()),
            Location::S3 { bucket, prefix } => write!(f, "s3://{bucket}/{prefix}"),
        }
    }
}

impl Location {
    fn parse(text: &str) -> std::result::Result<Location, String> {
        match text.strip_prefix("s3://") {
            Some(rest) => {
                let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
                if bucket.is_empty() {
                    return Err(format!(
                        "{text:?} names no bucket: expected s3://bucket/prefix"
                    ));
                }
                Ok(Location::S3 {
                    bucket: bucket.to_string(),
                    prefix: prefix.to_string(),
                })
            }
            None if text.is_empty() => Err("an empty path".into()),
            None => Ok(Location::Local(PathBuf::from(text))),
        }
    }
}

/// Which export table a file follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// CUR 2.0 (Data Exports table `COST_AND_USAGE_REPORT`).
    Cur2,
    /// FOCUS 1.2 with AWS columns (Data Exports table `FOCUS_1_2_AWS`).
    Focus,
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Cur2 => "CUR 2.0",
            Kind::Focus => "FOCUS 1.2",
        }
    }
}

/// Where actuals come from: `--from`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// Cost Explorer (the default).
    CostExplorer,
    /// Files of a billing export, local or in S3.
    Files { kind: Kind, location: Location },
    /// A CUR 2.0 table in the Glue catalog, queried with Athena.
    Athena { database: String, table: String },
}

impl Source {
    /// `ce`, `cur2:<path|s3://bucket/prefix>`, `focus:<path|s3://...>` or
    /// `athena:<database>.<table>`.
    pub fn parse(text: &str) -> Result<Source> {
        let bad = |why: String| {
            Error::Usage(format!(
                "--from {text:?}: {why}; expected ce, cur2:<path|s3://bucket/prefix>, \
                 focus:<path|s3://bucket/prefix> or athena:<database>.<table>"
            ))
        };
        if matches!(text, "ce" | "cost-explorer" | "costexplorer") {
            return Ok(Source::CostExplorer);
        }
        let (scheme, rest) = text
            .split_once(':')
            .ok_or_else(|| bad("no source kind".into()))?;
        match scheme {
            "cur2" | "focus" => {
                let kind = if scheme == "cur2" {
                    Kind::Cur2
                } else {
                    Kind::Focus
                };
                let location = Location::parse(rest).map_err(bad)?;
                Ok(Source::Files { kind, location })
            }
            "athena" => {
                let (database, table) = rest
                    .split_once('.')
                    .filter(|(d, t)| valid_identifier(d) && valid_identifier(t))
                    .ok_or_else(|| {
                        bad(format!(
                            "{rest:?} is not <database>.<table> (letters, digits and _ only)"
                        ))
                    })?;
                Ok(Source::Athena {
                    database: database.to_string(),
                    table: table.to_string(),
                })
            }
            other => Err(bad(format!("unknown source kind {other:?}"))),
        }
    }

    /// The text a cache records, to know which source it answers.
    pub fn describe(&self) -> String {
        match self {
            Source::CostExplorer => "ce".into(),
            Source::Files {
                kind: Kind::Cur2,
                location,
            } => format!("cur2:{location}"),
            Source::Files {
                kind: Kind::Focus,
                location,
            } => format!("focus:{location}"),
            Source::Athena { database, table } => format!("athena:{database}.{table}"),
        }
    }
}

/// Glue database and table names are lowercase letters, digits and underscores; logplan puts
/// them into SQL, so nothing else gets through.
fn valid_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Products whose lines are read (`line_item_product_code`, FOCUS `x_ServiceCode`): CloudWatch
/// (every usage type: unmapped ones are listed, as with Cost Explorer), and the services that
/// carry the forwarding paths' costs, restricted to the usage types logplan maps. These are
/// the product codes of the Cost Explorer services logplan queries.
pub const CLOUDWATCH_PRODUCT: &str = "AmazonCloudWatch";
pub const PATH_PRODUCTS: &[&str] = &[
    "AWSLambda",
    "AmazonKinesisFirehose",
    "AWSDataTransfer",
    "AmazonVPC",
    "AmazonEC2",
];

/// Usage types (after the region prefix) of the other products that map to a component: the
/// same table as [`usage_types::classify`]. `usage_type = f OR usage_type LIKE '%-' || f`.
pub const PATH_FEATURES: &[&str] = &[
    "DataTransfer-Out-Bytes",
    "Request",
    "Request-ARM",
    "Lambda-GB-Second",
    "Lambda-GB-Second-ARM",
    "BilledBytes",
    "VpcEndpoint-Bytes",
    "VpcEndpoint-Hours",
];

/// Line types that are usage: everything else (credits, refunds, tax, fees, discounts) is kept
/// apart and never counted as usage. CUR 2.0 `line_item_line_item_type`; FOCUS `ChargeCategory`.
pub const CUR_USAGE_LINE_TYPES: &[&str] = &["Usage", "DiscountedUsage", "SavingsPlanCoveredUsage"];
pub const FOCUS_USAGE_LINE_TYPES: &[&str] = &["Usage"];

/// One aggregated row, as the local reader and the Athena query both return it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ExportRow {
    pub payer_account_id: String,
    /// `YYYY-MM` of the billing period the lines belong to.
    pub billing_period: String,
    pub usage_account_id: String,
    pub product_code: String,
    pub usage_type: String,
    /// `product_region_code` / `RegionId` (empty for global lines).
    pub region: String,
    pub line_type: String,
    /// `pricing_unit` / `ConsumedUnit`.
    pub unit: String,
    /// The log group ARN for CloudWatch Logs lines that carry one, else empty.
    pub resource_id: String,
    pub lines: u64,
    /// Sums of the lines' values, each rounded to 10 decimal places (the precision AWS bills
    /// in) before an exact sum.
    pub usage_amount: Decimal,
    pub unblended: Decimal,
    /// CUR `line_item_net_unblended_cost` / FOCUS `EffectiveCost`, when the export has it.
    pub net_unblended: Option<Decimal>,
}

impl ExportRow {
    /// The row's key as one string: its fields joined by NUL, which sorts exactly as the fields
    /// compared one after the other (no field holds a NUL).
    fn key(&self) -> String {
        let fields = [
            &self.payer_account_id,
            &self.billing_period,
            &self.usage_account_id,
            &self.product_code,
            &self.usage_type,
            &self.region,
            &self.line_type,
            &self.unit,
            &self.resource_id,
        ];
        let mut key = String::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
        for f in fields {
            key.push_str(f);
            key.push('\0');
        }
        key
    }

    fn absorb(&mut self, r: ExportRow) {
        self.lines += r.lines;
        self.usage_amount += r.usage_amount;
        self.unblended += r.unblended;
        self.net_unblended = match (self.net_unblended, r.net_unblended) {
            (Some(a), Some(b)) => Some(a + b),
            (a, b) => a.or(b),
        };
    }
}

/// Rows from several files (or pages) summed into one row per key as they come: each row is
/// keyed once, so a month of many files costs one pass over their rows, not one per file.
#[derive(Debug, Default)]
pub struct Merger(BTreeMap<String, ExportRow>);

impl Merger {
    pub fn add(&mut self, rows: impl IntoIterator<Item = ExportRow>) {
        use std::collections::btree_map::Entry;
        for r in rows {
            match self.0.entry(r.key()) {
                Entry::Occupied(mut e) => e.get_mut().absorb(r),
                Entry::Vacant(v) => {
                    v.insert(r);
                }
            }
        }
    }

    /// One row per key, sorted by key.
    pub fn finish(self) -> Vec<ExportRow> {
        self.0.into_values().collect()
    }
}

/// Rows from several files (or pages) summed into one row per key, sorted.
pub fn merge(rows: impl IntoIterator<Item = ExportRow>) -> Vec<ExportRow> {
    let mut m = Merger::default();
    m.add(rows);
    m.finish()
}

/// Tag values of log groups: resource ARN -> tag key (as configured) -> value.
pub type ResourceTags = BTreeMap<String, BTreeMap<String, String>>;

/// Tag counts as readers see them: (resource, wanted key, value) -> lines. The value a resource
/// is shown with is the one on most of its lines (a tag changed mid-month); ties go to the
/// smallest value, so local files and Athena agree.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TagCounts(pub BTreeMap<(String, String, String), u64>);

impl TagCounts {
    pub fn add(&mut self, resource: &str, key: &str, value: &str, lines: u64) {
        if value.is_empty() {
            return;
        }
        *self
            .0
            .entry((resource.to_string(), key.to_string(), value.to_string()))
            .or_default() += lines;
    }

    pub fn absorb(&mut self, other: TagCounts) {
        for (k, v) in other.0 {
            *self.0.entry(k).or_default() += v;
        }
    }

    pub fn resolve(&self) -> ResourceTags {
        let mut best: BTreeMap<(String, String), (u64, String)> = BTreeMap::new();
        for ((resource, key, value), n) in &self.0 {
            let e = best
                .entry((resource.clone(), key.clone()))
                .or_insert((0, String::new()));
            // Iteration is in value order, so a strict > keeps the smallest of tied values.
            if *n > e.0 {
                *e = (*n, value.clone());
            }
        }
        let mut out = ResourceTags::new();
        for ((resource, key), (_, value)) in best {
            out.entry(resource).or_default().insert(key, value);
        }
        out
    }
}

/// A tag key as CUR 2.0 writes it in `resource_tags` (`user_<key>`, lowercase, anything but
/// letters and digits as `_`: `cost-center` is `user_cost_center`) and as legacy CUR columns
/// (`resource_tags_user_cost_center`).
pub fn cur_tag_key(key: &str) -> String {
    format!("user_{}", normalize_tag_key(key))
}

/// Lowercase, letters and digits kept, everything else `_`.
pub fn normalize_tag_key(key: &str) -> String {
    key.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .collect()
}

/// Does a tag key found in an export (CUR `user_team`, FOCUS `user:team`, `resourceTags/user:team`
/// or a bare `team`) stand for the configured `wanted` key?
pub fn tag_key_matches(found: &str, wanted: &str) -> bool {
    let f = found.strip_prefix("resourceTags/").unwrap_or(found);
    let f = f
        .strip_prefix("user:")
        .or_else(|| f.strip_prefix("user_"))
        .unwrap_or(f);
    normalize_tag_key(f) == normalize_tag_key(wanted)
}

/// A file read (or object fetched) and what it held.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileRead {
    pub name: String,
    pub bytes: u64,
}

/// What reading the source cost: S3 requests, Athena's scan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceCost {
    pub s3_list_requests: u64,
    pub s3_get_requests: u64,
    pub s3_bytes: u64,
    pub athena_queries: Vec<String>,
    pub athena_bytes_scanned: u64,
    #[serde(deserialize_with = "micro_usd")]
    pub cost_usd: MicroUsd,
}

/// A [`MicroUsd`] as written to JSON (`"0.000006"`), read back exactly.
fn micro_usd<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<MicroUsd, D::Error> {
    let s = String::deserialize(d)?;
    let v: Decimal = s.parse().map_err(serde::de::Error::custom)?;
    let m = (v * Decimal::from(1_000_000)).trunc();
    rust_decimal::prelude::ToPrimitive::to_i64(&m)
        .map(MicroUsd)
        .ok_or_else(|| serde::de::Error::custom(format!("{s} is out of range")))
}

impl SourceCost {
    /// One line, like Cost Explorer's request line.
    pub fn line(&self, kind: &str, from_cache: bool, cache: &str) -> String {
        if from_cache {
            return format!("{kind}: read from {cache} ($0.00; --refresh reads the source again)");
        }
        let mut parts = Vec::new();
        if self.s3_list_requests + self.s3_get_requests > 0 {
            parts.push(format!(
                "{} S3 LIST and {} GET requests, {} bytes",
                self.s3_list_requests, self.s3_get_requests, self.s3_bytes
            ));
        }
        if !self.athena_queries.is_empty() {
            parts.push(format!(
                "Athena {} ({} bytes scanned)",
                self.athena_queries.join(", "),
                self.athena_bytes_scanned
            ));
        }
        if parts.is_empty() {
            parts.push("local files".into());
        }
        format!(
            "{kind}: {} ({}); cached in {cache}",
            parts.join("; "),
            self.cost_usd
        )
    }
}

/// The cache file of export actuals, in the month's report folder (Cost Explorer's is
/// `actuals.json`).
pub const CACHE_FILE: &str = "actuals-export.json";
pub const CACHE_SCHEMA: u32 = 1;

/// A month of export actuals, aggregated: what `actuals-export.json` holds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ExportActuals {
    pub schema_version: u32,
    pub fetched_at: String,
    /// `--from` as given (`cur2:s3://bucket/prefix`, ...).
    pub source: String,
    pub kind: Kind,
    /// `YYYY-MM`.
    pub month: String,
    pub files: Vec<FileRead>,
    pub cost: SourceCost,
    pub rows: Vec<ExportRow>,
    /// The tag keys asked for when this was read (`[report] group_by_tags`).
    pub tag_keys: Vec<String>,
    /// Log group ARN -> tag key -> value, from the export's resource tags.
    pub resource_tags: ResourceTags,
    /// Whether the export has `line_item_resource_id` / `ResourceId` (exports made without
    /// INCLUDE_RESOURCES have none, and no per-group reconciliation is possible).
    pub has_resource_ids: bool,
}

impl ExportActuals {
    pub fn read(path: &std::path::Path) -> Result<Option<ExportActuals>> {
        super::actuals::read_cache(
            path,
            "export actuals",
            |c: &ExportActuals| c.schema_version,
            CACHE_SCHEMA,
        )
    }

    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(self)
            .map(|s| s + "\n")
            .map_err(|e| Error::Internal(format!("{CACHE_FILE}: {e}")))
    }

    /// Does this cache answer a read of `source` for `month` with `tag_keys`?
    pub fn answers(&self, source: &str, month: &str, tag_keys: &[String]) -> bool {
        self.source == source
            && self.month == month
            && tag_keys.iter().all(|k| self.tag_keys.contains(k))
    }

    /// Payer accounts the rows are billed to.
    pub fn payers(&self) -> Vec<String> {
        let mut p: Vec<String> = self
            .rows
            .iter()
            .map(|r| r.payer_account_id.clone())
            .collect();
        p.sort();
        p.dedup();
        p
    }

    fn usage_types(&self) -> &'static [&'static str] {
        match self.kind {
            Kind::Cur2 => CUR_USAGE_LINE_TYPES,
            Kind::Focus => FOCUS_USAGE_LINE_TYPES,
        }
    }

    /// Is this row usage (as opposed to a credit, refund, tax, fee or discount)?
    pub fn is_usage(&self, r: &ExportRow) -> bool {
        self.usage_types().contains(&r.line_type.as_str())
    }

    /// The usage rows as billed rows (per usage account), ready for the component
    /// reconciliation: the region is the export's own region column where it has one.
    pub fn billed_rows(&self) -> Vec<BilledRow> {
        self.rows
            .iter()
            .filter(|r| self.is_usage(r))
            .map(|r| {
                let mut usage = usage_types::classify(&r.usage_type);
                if !r.region.is_empty() && r.region != "global" {
                    usage.region = r.region.clone();
                }
                BilledRow {
                    account: Some(r.usage_account_id.clone()),
                    usage,
                    quantity: r.usage_amount,
                    unit: r.unit.clone(),
                    unblended: r.unblended,
                    net_unblended: r.net_unblended,
                }
            })
            .collect()
    }

    /// Lines that are not usage, per line type: (line type, lines, cost), never counted.
    pub fn excluded(&self) -> Vec<(String, u64, Decimal)> {
        let mut by: BTreeMap<String, (u64, Decimal)> = BTreeMap::new();
        for r in self.rows.iter().filter(|r| !self.is_usage(r)) {
            let e = by.entry(r.line_type.clone()).or_default();
            e.0 += r.lines;
            e.1 += r.unblended;
        }
        by.into_iter().map(|(t, (n, d))| (t, n, d)).collect()
    }

    /// Hours in the month (storage byte-hours over them are GB-months); an error when the
    /// export's month is not `YYYY-MM`, never an assumed month.
    pub fn hours(&self) -> crate::error::Result<u32> {
        self.month
            .split_once('-')
            .and_then(|(y, m)| crate::period::Period::month(y.parse().ok()?, m.parse().ok()?))
            .map(|p| (p.days() * 24) as u32)
            .ok_or_else(|| {
                crate::error::Error::Internal(format!(
                    "the billing export's month {:?} is not YYYY-MM",
                    self.month
                ))
            })
    }
}

/// Refuse rows of another billing period, or of several payers: one line naming the file.
pub fn check_rows(
    file: &str,
    kind: Kind,
    month: &str,
    rows: &[ExportRow],
    payers_seen: &mut BTreeMap<String, String>,
) -> Result<()> {
    if let Some(r) = rows.iter().find(|r| r.billing_period != month) {
        let column = match kind {
            Kind::Cur2 => "bill_billing_period_start_date",
            Kind::Focus => "BillingPeriodStart",
        };
        return Err(Error::Input {
            path: PathBuf::from(file),
            message: format!(
                "{} lines of billing period {} ({column}), not {month}: this is another month's \
                 export",
                kind.label(),
                if r.billing_period.is_empty() {
                    "(empty)"
                } else {
                    r.billing_period.as_str()
                }
            ),
        });
    }
    for r in rows {
        if !payers_seen.contains_key(&r.payer_account_id) {
            payers_seen.insert(r.payer_account_id.clone(), file.to_string());
        }
    }
    if payers_seen.len() > 1 {
        let list: Vec<String> = payers_seen
            .iter()
            .map(|(p, f)| format!("{p} (first in {f})"))
            .collect();
        return Err(Error::Input {
            path: PathBuf::from(file),
            message: format!(
                "lines of more than one payer account: {}; point --from at one payer's export",
                list.join(", ")
            ),
        });
    }
    Ok(())
}

/// Refuse an export of another payer than the one configured (`[actuals] payer_account_id`).
pub fn check_payer(actuals: &ExportActuals, expected: Option<&str>) -> Result<()> {
    let Some(want) = expected else { return Ok(()) };
    let payers = actuals.payers();
    if let Some(other) = payers.iter().find(|p| p.as_str() != want) {
        return Err(Error::Input {
            path: PathBuf::from(&actuals.source),
            message: format!(
                "the export is billed to payer account {other}, not {want} ([actuals] \
                 payer_account_id): it is another organization's export"
            ),
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    fn row(ut: &str, line_type: &str, cost: &str) -> ExportRow {
        ExportRow {
            payer_account_id: "999999999999".into(),
            billing_period: "2026-10".into(),
            usage_account_id: "111111111111".into(),
            product_code: "AmazonCloudWatch".into(),
            usage_type: ut.into(),
            region: "eu-west-1".into(),
            line_type: line_type.into(),
            unit: "GB".into(),
            resource_id: String::new(),
            lines: 1,
            usage_amount: d("2"),
            unblended: d(cost),
            net_unblended: None,
        }
    }

    #[test]
    fn sources_parse_or_say_what_is_expected() {
        assert_eq!(Source::parse("ce").unwrap(), Source::CostExplorer);
        assert_eq!(
            Source::parse("cur2:s3://bill/exports/cur").unwrap(),
            Source::Files {
                kind: Kind::Cur2,
                location: Location::S3 {
                    bucket: "bill".into(),
                    prefix: "exports/cur".into()
                }
            }
        );
        assert_eq!(
            Source::parse("focus:data/focus").unwrap().describe(),
            "focus:data/focus"
        );
        assert_eq!(
            Source::parse("athena:cur.cur2_table").unwrap(),
            Source::Athena {
                database: "cur".into(),
                table: "cur2_table".into()
            }
        );
        for bad in [
            "athena:cur",
            "athena:cur.x;drop",
            "cur3:x",
            "cur2:",
            "cur2:s3:///x",
            "x",
        ] {
            let e = Source::parse(bad).unwrap_err().to_string();
            assert!(e.starts_with("--from"), "{bad}: {e}");
            assert!(!e.contains('\n'));
        }
    }

    #[test]
    fn merge_sums_rows_of_the_same_key_exactly() {
        let mut a = row("EU-DataProcessing-Bytes", "Usage", "0.1");
        a.net_unblended = Some(d("0.09"));
        let b = row("EU-DataProcessing-Bytes", "Usage", "0.2");
        let c = row("EU-DataProcessing-Bytes", "Credit", "-0.3");
        let m = merge([a, b, c]);
        assert_eq!(m.len(), 2, "the credit is another key");
        let usage = m.iter().find(|r| r.line_type == "Usage").unwrap();
        // 0.1 + 0.2 exactly (no binary float): 0.3
        assert_eq!(usage.unblended, d("0.3"));
        assert_eq!(usage.lines, 2);
        assert_eq!(usage.usage_amount, d("4"));
        assert_eq!(usage.net_unblended, Some(d("0.09")));
    }

    #[test]
    fn credits_refunds_and_tax_are_never_usage() {
        let a = ExportActuals {
            schema_version: CACHE_SCHEMA,
            fetched_at: String::new(),
            source: "cur2:x".into(),
            kind: Kind::Cur2,
            month: "2026-10".into(),
            files: vec![],
            cost: SourceCost::default(),
            rows: vec![
                row("EU-DataProcessing-Bytes", "Usage", "5"),
                row("EU-DataProcessing-Bytes", "Credit", "-2"),
                row("EU-DataProcessing-Bytes", "Refund", "-1"),
                row("EU-DataProcessing-Bytes", "Tax", "0.5"),
            ],
            tag_keys: vec![],
            resource_tags: ResourceTags::new(),
            has_resource_ids: true,
        };
        let billed = a.billed_rows();
        assert_eq!(billed.len(), 1);
        assert_eq!(billed[0].unblended, d("5"));
        assert_eq!(billed[0].usage.region, "eu-west-1");
        assert_eq!(a.hours().unwrap(), 744, "October has 31 days");
        let ex = a.excluded();
        assert_eq!(
            ex,
            vec![
                ("Credit".into(), 1, d("-2")),
                ("Refund".into(), 1, d("-1")),
                ("Tax".into(), 1, d("0.5"))
            ]
        );
    }

    #[test]
    fn another_month_or_payer_is_refused_naming_the_file() {
        let mut seen = BTreeMap::new();
        let mut r = row("EU-DataProcessing-Bytes", "Usage", "1");
        r.billing_period = "2026-09".into();
        let e = check_rows("a.parquet", Kind::Cur2, "2026-10", &[r], &mut seen)
            .unwrap_err()
            .to_string();
        assert_eq!(
            e,
            "a.parquet: CUR 2.0 lines of billing period 2026-09 (bill_billing_period_start_date), \
             not 2026-10: this is another month's export"
        );
        let a = row("EU-DataProcessing-Bytes", "Usage", "1");
        check_rows("a.parquet", Kind::Cur2, "2026-10", &[a], &mut seen).unwrap();
        let mut b = row("EU-DataProcessing-Bytes", "Usage", "1");
        b.payer_account_id = "888888888888".into();
        let e = check_rows("b.parquet", Kind::Cur2, "2026-10", &[b], &mut seen)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("b.parquet: lines of more than one payer"),
            "{e}"
        );
    }

    #[test]
    fn tag_keys_in_their_export_forms() {
        assert_eq!(cur_tag_key("cost-center"), "user_cost_center");
        assert_eq!(cur_tag_key("Team"), "user_team");
        assert!(tag_key_matches("user_cost_center", "cost-center"));
        assert!(tag_key_matches("user:cost-center", "cost-center"));
        assert!(tag_key_matches("resourceTags/user:Team", "team"));
        assert!(tag_key_matches("team", "team"));
        assert!(!tag_key_matches("user_teams", "team"));
        let mut c = TagCounts::default();
        c.add("arn:a", "team", "red", 3);
        c.add("arn:a", "team", "blue", 5);
        c.add("arn:b", "team", "z", 2);
        c.add("arn:b", "team", "y", 2);
        c.add("arn:b", "team", "", 9);
        let t = c.resolve();
        assert_eq!(t["arn:a"]["team"], "blue", "most lines");
        assert_eq!(t["arn:b"]["team"], "y", "a tie goes to the smallest value");
    }
}
