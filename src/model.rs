//! model: for every log group and every path, the month's cost as a list of components (name,
//! quantity, unit, unit price, price id and status, cost), like a bill. A path's total is always
//! the sum of its lines. Tiered prices (vended logs, egress, PrivateLink data) apply to the
//! account's monthly total per region and are allocated back to groups in proportion to their
//! volume, to the micro-dollar, so allocations add up exactly; free tiers are account-level
//! credit lines. Money is integer micro-dollars, computed from exact decimals and rounded once.

use std::collections::BTreeMap;

use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::MicroUsd;
use crate::pricing::{Figure, PriceBook, Status};
use crate::snapshot::GroupInput;

const GIB: u64 = 1 << 30;

/// A way to keep a log group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    /// Stay in CloudWatch Logs, query with Logs Insights.
    Cloudwatch,
    /// Ship to Datadog through the Datadog Forwarder Lambda (what the story's team runs).
    DatadogForwarder,
    /// Ship to Datadog through Amazon Data Firehose.
    DatadogFirehose,
    /// The forwarder path with internet egress replaced by AWS PrivateLink.
    DatadogPrivatelink,
    /// Index a fraction in Datadog, keep everything in CloudWatch with Insights.
    Hybrid,
}

impl Path {
    pub const ALL: [Path; 5] = [
        Path::Cloudwatch,
        Path::DatadogForwarder,
        Path::DatadogFirehose,
        Path::DatadogPrivatelink,
        Path::Hybrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Path::Cloudwatch => "cloudwatch",
            Path::DatadogForwarder => "datadog_forwarder",
            Path::DatadogFirehose => "datadog_firehose",
            Path::DatadogPrivatelink => "datadog_privatelink",
            Path::Hybrid => "hybrid",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Path::Cloudwatch => "CloudWatch + Insights",
            Path::DatadogForwarder => "Datadog via Forwarder",
            Path::DatadogFirehose => "Datadog via Firehose",
            Path::DatadogPrivatelink => "Datadog via PrivateLink",
            Path::Hybrid => "Hybrid",
        }
    }

    pub fn index(self) -> usize {
        Path::ALL.iter().position(|p| *p == self).expect("listed")
    }
}

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
}

impl Site {
    /// The AWS region the site runs in, when it runs on AWS (PrivateLink is possible there).
    pub fn aws_region(self) -> Option<&'static str> {
        match self {
            Site::Us1 => Some("us-east-1"),
            Site::Ap1 => Some("ap-northeast-1"),
            Site::Ap2 => Some("ap-southeast-2"),
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
        }
    }
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
    /// Datadog Standard indexing retention in days: 3, 7, 15 or 30.
    pub retention_days: u32,
    pub commitment: Commitment,
    /// Share of events indexed in Datadog on the full Datadog paths (0-1).
    pub indexed_fraction: Decimal,
    /// Store the events that are not indexed in Flex Logs.
    pub flex: bool,
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
}

impl Default for Scenario {
    fn default() -> Scenario {
        Scenario {
            site: Site::Us1,
            retention_days: 15,
            commitment: Commitment::Annual,
            indexed_fraction: Decimal::ONE,
            flex: false,
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
        }
    }
}

impl Scenario {
    /// Check the values a user may get wrong; the message names the field and what is valid.
    pub fn check(&self) -> std::result::Result<(), String> {
        if ![3, 7, 15, 30].contains(&self.retention_days) {
            return Err(format!(
                "retention_days = {}: Datadog indexing retention must be one of 3, 7, 15, 30",
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
        Ok(())
    }

    /// The Datadog indexing price id for the retention in force.
    pub fn index_price_id(&self) -> &'static str {
        match self.retention_days {
            3 => "datadog.index.3d",
            7 => "datadog.index.7d",
            30 => "datadog.index.30d",
            _ => "datadog.index.15d",
        }
    }

    /// Why `path` cannot be modeled in this scenario, if it cannot.
    pub fn unavailable(&self, path: Path) -> Option<String> {
        match path {
            Path::DatadogPrivatelink if self.site.aws_region().is_none() => Some(format!(
                "PrivateLink to Datadog exists only for sites on AWS (US1, AP1, AP2); the site is {}",
                self.site.describe()
            )),
            _ => None,
        }
    }
}

/// The cost components logplan knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    CloudwatchIngest,
    CloudwatchIngestIa,
    VendedIngest,
    VendedIngestIa,
    Storage,
    InsightsScan,
    LambdaRequests,
    LambdaDuration,
    EgressInternet,
    EgressSameRegion,
    PrivatelinkData,
    PrivatelinkEndpointHours,
    VendedToFirehose,
    FirehoseIngest,
    DatadogIngest,
    DatadogIndex,
    DatadogFlex,
    FreeTierIngest,
    FreeTierStorage,
    FreeTierScan,
    FreeTierEgress,
    FreeTierLambdaRequests,
    FreeTierLambdaDuration,
}

impl Component {
    pub fn name(self) -> &'static str {
        use Component::*;
        match self {
            CloudwatchIngest => "cloudwatch_ingest",
            CloudwatchIngestIa => "cloudwatch_ingest_ia",
            VendedIngest => "vended_ingest",
            VendedIngestIa => "vended_ingest_ia",
            Storage => "cloudwatch_storage",
            InsightsScan => "insights_scan",
            LambdaRequests => "forwarder_requests",
            LambdaDuration => "forwarder_duration",
            EgressInternet => "egress_internet",
            EgressSameRegion => "egress_same_region",
            PrivatelinkData => "privatelink_data",
            PrivatelinkEndpointHours => "privatelink_endpoint_hours",
            VendedToFirehose => "vended_to_firehose",
            FirehoseIngest => "firehose_ingest",
            DatadogIngest => "datadog_ingest",
            DatadogIndex => "datadog_index",
            DatadogFlex => "datadog_flex",
            FreeTierIngest => "free_tier_ingest",
            FreeTierStorage => "free_tier_storage",
            FreeTierScan => "free_tier_scan",
            FreeTierEgress => "free_tier_egress",
            FreeTierLambdaRequests => "free_tier_lambda_requests",
            FreeTierLambdaDuration => "free_tier_lambda_duration",
        }
    }

    /// Is this an AWS component (as opposed to Datadog's)?
    pub fn is_datadog(self) -> bool {
        matches!(
            self,
            Component::DatadogIngest | Component::DatadogIndex | Component::DatadogFlex
        )
    }
}

/// One line of the bill: quantity x unit price = cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Index into the model's groups; `None` for an account-level line (free tier, endpoints).
    pub group: Option<u32>,
    /// For account-level lines: the account and region they belong to.
    pub account: u32,
    pub region: u32,
    pub path: Path,
    pub component: Component,
    pub quantity: Decimal,
    pub unit: &'static str,
    /// USD per unit (for an allocated tiered price: the account's effective rate).
    pub unit_price: Decimal,
    pub cost: MicroUsd,
    pub price_id: &'static str,
    pub price_status: Status,
}

/// Names that are vended logs (AWS services publishing on the customer's behalf, billed at the
/// vended tiers), by the prefixes the services write to.
pub fn is_vended_name(name: &str) -> bool {
    const PREFIXES: &[&str] = &[
        "aws-waf-logs-",
        "/aws/vpc/flowlogs",
        "/aws/vpc-flow-logs",
        "/aws/route53resolver/",
        "/aws/route53/",
        "/aws/apigateway/",
        "/aws/eks/",
        "/aws/network-firewall/",
        "/aws/vendedlogs/",
        "/aws/cloudfront/",
        "/aws/elasticloadbalancing/",
    ];
    let lower = name.to_ascii_lowercase();
    PREFIXES.iter().any(|p| lower.starts_with(p))
        || lower.contains("flowlog")
        || lower.contains("flow-log")
}

fn gib(bytes: u64) -> Decimal {
    Decimal::from(bytes) / Decimal::from(GIB)
}

/// Round an exact amount to micro-dollars (banker's rounding), once.
fn micros(usd: Decimal) -> MicroUsd {
    let m = (usd * Decimal::from(1_000_000))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointNearestEven);
    MicroUsd(m.to_i64().unwrap_or(i64::MAX))
}

/// What one group looks like to the model, derived once.
#[derive(Clone, Debug)]
pub struct Derived {
    pub vended: bool,
    pub ia: bool,
    pub gib_in: Decimal,
    pub compressed_bytes: u64,
    pub storage_gib_month: Decimal,
    pub scan_gib: Decimal,
    /// Where the scan volume came from: "snapshot", "query plan" or "assumption".
    pub scan_source: &'static str,
    pub events: u64,
    pub today: Path,
}

/// The result for all groups and paths.
#[derive(Debug)]
pub struct Model {
    pub groups: Vec<GroupInput>,
    pub derived: Vec<Derived>,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub scenario: Scenario,
    /// Every line of every available path.
    pub lines: Vec<Line>,
    /// Per group, per path (index = Path::index): the group's cost, `None` if unavailable.
    pub group_costs: Vec<[Option<MicroUsd>; 5]>,
    /// Per path: total (group lines + account lines), `None` if unavailable.
    pub path_totals: [Option<MicroUsd>; 5],
    pub unavailable: Vec<(Path, String)>,
    /// Per group: cost on today's path, within today's scenario (mixed paths, own tiers).
    pub today_costs: Vec<MicroUsd>,
    pub today_total: MicroUsd,
    /// Per group: the cheapest available path and its cost.
    pub best: Vec<(Path, MicroUsd)>,
    /// Each group on its cheapest path, priced as one scenario (tiers and free tiers included).
    pub best_mix_total: MicroUsd,
    /// Per group: monthly Insights scan volume (GiB) at which CloudWatch costs the same as the
    /// cheapest Datadog path; `None` when no Datadog path is available.
    pub breakeven_gib: Vec<Option<Decimal>>,
    /// The price figures the model used (id, region), for the report's list of sources.
    pub used_prices: BTreeMap<(String, String), Figure>,
    /// Today's scenario summed per account, region and component (free-tier credits are their
    /// own components): what the bill should show, for reconciliation with Cost Explorer.
    pub today_components: Vec<ComponentTotal>,
    /// Today's scenario line by line (each group on its current path, tiers and free tiers as
    /// priced together): per-group reconciliation with the bill and the FOCUS export read them.
    pub today_lines: Vec<Line>,
}

/// One component of today's scenario in one account and region: the sum of its lines.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentTotal {
    /// Index into `Model::accounts`.
    pub account: u32,
    /// Index into `Model::regions`.
    pub region: u32,
    pub component: Component,
    /// In `unit` (negative for a free-tier credit).
    pub quantity: Decimal,
    pub unit: &'static str,
    pub cost: MicroUsd,
}

/// Optional per-group scan volume from the query library's plan (bytes per month).
pub type ScanPlan = BTreeMap<(String, String, String), u64>;

/// Model every group on every path.
pub fn run(
    groups: Vec<GroupInput>,
    book: &PriceBook,
    scenario: &Scenario,
    plan: Option<&ScanPlan>,
) -> Result<Model> {
    scenario.check().map_err(Error::Usage)?;
    let mut accounts: Vec<String> = groups.iter().map(|g| g.account_id.clone()).collect();
    accounts.sort();
    accounts.dedup();
    let mut regions: Vec<String> = groups.iter().map(|g| g.region.clone()).collect();
    regions.sort();
    regions.dedup();
    let derived: Vec<Derived> = groups.iter().map(|g| derive(g, scenario, plan)).collect();

    let mut pricer = Pricer {
        book,
        scenario,
        groups: &groups,
        derived: &derived,
        accounts: &accounts,
        regions: &regions,
        used: BTreeMap::new(),
        cache: Default::default(),
    };
    let mut lines = Vec::new();
    let mut group_costs = vec![[None; 5]; groups.len()];
    let mut path_totals = [None; 5];
    let mut unavailable = Vec::new();
    for path in Path::ALL {
        if let Some(why) = scenario.unavailable(path) {
            unavailable.push((path, why));
            continue;
        }
        let s = pricer.scenario(&|_| path, false)?;
        for (i, c) in s.group_totals.iter().enumerate() {
            group_costs[i][path.index()] = Some(*c);
        }
        path_totals[path.index()] = Some(s.total);
        lines.extend(s.lines);
    }
    let today = pricer.scenario(&|i| derived[i].today, true)?;
    let today_components = sum_by_component(&today.lines);
    let today_lines = today.lines;
    let best: Vec<(Path, MicroUsd)> = group_costs
        .iter()
        .map(|costs| {
            Path::ALL
                .iter()
                .filter_map(|p| costs[p.index()].map(|c| (*p, c)))
                .min_by_key(|(p, c)| (*c, p.index()))
                .expect("the CloudWatch path is always available")
        })
        .collect();
    let best_mix = pricer.scenario(&|i| best[i].0, false)?;

    // Break-even: CloudWatch without scans, vs the cheapest Datadog path.
    let mut cw_scan = vec![MicroUsd::ZERO; groups.len()];
    for l in &lines {
        if let (Some(g), Path::Cloudwatch, Component::InsightsScan) = (l.group, l.path, l.component)
        {
            cw_scan[g as usize] = cw_scan[g as usize] + l.cost;
        }
    }
    let breakeven_gib = (0..groups.len())
        .map(|i| {
            let cw = group_costs[i][Path::Cloudwatch.index()]?;
            let base = cw.0 - cw_scan[i].0;
            let dd = [
                Path::DatadogForwarder,
                Path::DatadogFirehose,
                Path::DatadogPrivatelink,
            ]
            .iter()
            .filter_map(|p| group_costs[i][p.index()])
            .min()?;
            let price = book
                .get("cwl.insights.scan", &groups[i].region)
                .ok()?
                .flat();
            if price.is_zero() {
                return None;
            }
            let gap = Decimal::from(dd.0 - base) / Decimal::from(1_000_000);
            Some((gap / price).max(Decimal::ZERO))
        })
        .collect();
    let used_prices = pricer.used;
    Ok(Model {
        today_costs: today.group_totals,
        today_total: today.total,
        best_mix_total: best_mix.total,
        groups,
        derived,
        accounts,
        regions,
        scenario: scenario.clone(),
        lines,
        group_costs,
        path_totals,
        unavailable,
        best,
        breakeven_gib,
        used_prices,
        today_components,
        today_lines,
    })
}

/// Lines summed per (account, region, component), in that order.
fn sum_by_component(lines: &[Line]) -> Vec<ComponentTotal> {
    let mut sums: BTreeMap<(u32, u32, Component), ComponentTotal> = BTreeMap::new();
    for l in lines {
        let e = sums
            .entry((l.account, l.region, l.component))
            .or_insert_with(|| ComponentTotal {
                account: l.account,
                region: l.region,
                component: l.component,
                quantity: Decimal::ZERO,
                unit: l.unit,
                cost: MicroUsd::ZERO,
            });
        e.quantity += l.quantity;
        e.cost = e.cost + l.cost;
    }
    sums.into_values().collect()
}

fn derive(g: &GroupInput, s: &Scenario, plan: Option<&ScanPlan>) -> Derived {
    let vended = g.vended.unwrap_or_else(|| is_vended_name(&g.log_group));
    let ia = g.log_group_class.as_deref() == Some("INFREQUENT_ACCESS");
    let ratio = g
        .gzip_ratio
        .and_then(Decimal::from_f64)
        .filter(|r| *r >= Decimal::ONE)
        .unwrap_or(s.compression_ratio);
    let forwarded = g.forwarded_bytes.filter(|b| *b > 0);
    let compressed_bytes = forwarded.unwrap_or_else(|| {
        (Decimal::from(g.incoming_bytes) / ratio)
            .round()
            .to_u64()
            .unwrap_or(0)
    });
    let monthly_compressed = gib((Decimal::from(g.incoming_bytes) / ratio)
        .round()
        .to_u64()
        .unwrap_or(0));
    let storage_gib_month = match g.stored_bytes.filter(|b| *b > 0) {
        Some(b) => gib(b),
        None => steady_state(monthly_compressed, g.retention_days.map(|d| d as u32), s),
    };
    let key = (g.account_id.clone(), g.region.clone(), g.log_group.clone());
    // A library plan covers every group: a group no saved query reads is scanned by none.
    let (scan_gib, scan_source) = match (g.insights_scanned_bytes, plan) {
        (Some(b), _) => (gib(b), "snapshot"),
        (None, Some(p)) => (gib(p.get(&key).copied().unwrap_or(0)), "query plan"),
        (None, None) => (gib(g.incoming_bytes) * s.insights_full_scans, "assumption"),
    };
    Derived {
        vended,
        ia,
        gib_in: gib(g.incoming_bytes),
        compressed_bytes,
        storage_gib_month,
        scan_gib,
        scan_source,
        events: g.incoming_events,
        today: if g.datadog_forwarder == Some(true) {
            Path::DatadogForwarder
        } else {
            Path::Cloudwatch
        },
    }
}

/// Steady-state GB-months held: a month's compressed volume times the months retained.
fn steady_state(
    monthly_compressed_gib: Decimal,
    retention_days: Option<u32>,
    s: &Scenario,
) -> Decimal {
    let months = match retention_days {
        Some(d) => Decimal::from(d) / Decimal::new(304, 1),
        None => Decimal::from(s.never_expire_months),
    };
    monthly_compressed_gib * months
}

struct ScenarioResult {
    lines: Vec<Line>,
    group_totals: Vec<MicroUsd>,
    total: MicroUsd,
}

/// A tiered price pooled over an account and region: the groups' quantities, allocated back.
#[derive(Default)]
struct Pool {
    /// (group, quantity, the group's path in this scenario)
    members: Vec<(u32, Decimal, Path)>,
}

struct Pricer<'a> {
    book: &'a PriceBook,
    scenario: &'a Scenario,
    groups: &'a [GroupInput],
    derived: &'a [Derived],
    accounts: &'a [String],
    regions: &'a [String],
    used: BTreeMap<(String, String), Figure>,
    /// Figures already looked up, by (id, region index): the hot path prices millions of lines.
    cache: std::collections::HashMap<(&'static str, u32), std::rc::Rc<Figure>>,
}

/// Tiers apply to an account's monthly total in a region, whatever path each group is on.
type PoolKey = (u32, u32, Component, &'static str);

impl Pricer<'_> {
    fn price(&mut self, id: &'static str, region: &str) -> Result<std::rc::Rc<Figure>> {
        // A region no group is in (a global lookup) gets its own key, never another region's.
        let reg = self
            .regions
            .binary_search_by(|x| x.as_str().cmp(region))
            .map_or(u32::MAX, |i| i as u32);
        if let Some(f) = self.cache.get(&(id, reg)) {
            return Ok(f.clone());
        }
        let f = std::rc::Rc::new(self.book.get(id, region)?.clone());
        self.used
            .entry((id.to_string(), f.region.clone()))
            .or_insert_with(|| (*f).clone());
        self.cache.insert((id, reg), f.clone());
        Ok(f)
    }

    fn account_index(&self, a: &str) -> u32 {
        self.accounts
            .binary_search_by(|x| x.as_str().cmp(a))
            .unwrap_or(0) as u32
    }

    fn region_index(&self, r: &str) -> u32 {
        self.regions
            .binary_search_by(|x| x.as_str().cmp(r))
            .unwrap_or(0) as u32
    }

    /// Price every group on the path `assign` gives it. `today` keeps measured storage even on
    /// forwarded paths (the retention-while-forwarded setting is a what-if).
    fn scenario(&mut self, assign: &dyn Fn(usize) -> Path, today: bool) -> Result<ScenarioResult> {
        let s = self.scenario;
        let mut lines: Vec<Line> = Vec::new();
        let mut pools: BTreeMap<PoolKey, Pool> = BTreeMap::new();
        // Per (account) sums for free tiers: (region index, quantity) by kind.
        let mut free: BTreeMap<(u32, Component), BTreeMap<u32, Decimal>> = BTreeMap::new();
        let mut endpoint_regions: BTreeMap<(u32, u32), ()> = BTreeMap::new();
        let premium = match s.commitment {
            Commitment::Annual => Decimal::ONE,
            Commitment::OnDemand => self.price("datadog.on_demand_premium", "us-east-1")?.flat(),
        };
        let million = Decimal::from(1_000_000);

        for i in 0..self.groups.len() {
            let g = &self.groups[i];
            let d = &self.derived[i];
            let path = assign(i);
            let gi = i as u32;
            let acct = self.account_index(&g.account_id);
            let reg = self.region_index(&g.region);
            let region = g.region.as_str();
            let flat = |this: &mut Self,
                        lines: &mut Vec<Line>,
                        component: Component,
                        id: &'static str,
                        qty: Decimal,
                        unit_mult: Decimal|
             -> Result<()> {
                let f = this.price(id, region)?;
                let unit_price = f.flat() * unit_mult;
                lines.push(Line {
                    group: Some(gi),
                    account: acct,
                    region: reg,
                    path,
                    component,
                    quantity: qty,
                    unit: unit_of(id, &f),
                    unit_price,
                    cost: micros(qty * unit_price),
                    price_id: id,
                    price_status: f.status,
                });
                Ok(())
            };
            let mut pool = |component: Component, id: &'static str, qty: Decimal| {
                pools
                    .entry((acct, reg, component, id))
                    .or_default()
                    .members
                    .push((gi, qty, path));
            };

            // Share of the group that reaches Datadog on this path.
            let dd_share = match path {
                Path::Cloudwatch => Decimal::ZERO,
                Path::Hybrid => s.hybrid_fraction,
                _ => Decimal::ONE,
            };
            let via_firehose_vended = path == Path::DatadogFirehose && d.vended;

            // CloudWatch ingestion and storage: every path but vended logs sent straight to
            // Firehose keeps the data in CloudWatch Logs.
            if !via_firehose_vended {
                match (d.vended, d.ia) {
                    (true, false) => pool(Component::VendedIngest, "cwl.vended.standard", d.gib_in),
                    (true, true) => pool(Component::VendedIngestIa, "cwl.vended.ia", d.gib_in),
                    (false, ia) => {
                        let (c, id) = if ia {
                            (Component::CloudwatchIngestIa, "cwl.ingest.ia")
                        } else {
                            (Component::CloudwatchIngest, "cwl.ingest.standard")
                        };
                        flat(self, &mut lines, c, id, d.gib_in, Decimal::ONE)?;
                        if !ia {
                            *free
                                .entry((acct, Component::FreeTierIngest))
                                .or_default()
                                .entry(reg)
                                .or_default() += d.gib_in;
                        }
                    }
                }
                let forwarded_path = matches!(
                    path,
                    Path::DatadogForwarder | Path::DatadogPrivatelink | Path::DatadogFirehose
                );
                let storage = match (forwarded_path && !today, s.retention_while_forwarded_days) {
                    (true, Some(days)) => steady_state(gib(d.compressed_bytes), Some(days), s),
                    _ => d.storage_gib_month,
                };
                flat(
                    self,
                    &mut lines,
                    Component::Storage,
                    "cwl.storage",
                    storage,
                    Decimal::ONE,
                )?;
                *free
                    .entry((acct, Component::FreeTierStorage))
                    .or_default()
                    .entry(reg)
                    .or_default() += storage;
            }
            // Insights: the paths that keep querying in CloudWatch.
            if matches!(path, Path::Cloudwatch | Path::Hybrid) {
                flat(
                    self,
                    &mut lines,
                    Component::InsightsScan,
                    "cwl.insights.scan",
                    d.scan_gib,
                    Decimal::ONE,
                )?;
                *free
                    .entry((acct, Component::FreeTierScan))
                    .or_default()
                    .entry(reg)
                    .or_default() += d.scan_gib;
            }
            if dd_share.is_zero() {
                continue;
            }
            let compressed = gib(d.compressed_bytes) * dd_share;
            match path {
                Path::DatadogForwarder | Path::DatadogPrivatelink | Path::Hybrid => {
                    let payload = Decimal::from(u64::from(s.forwarder_payload_kib) * 1024);
                    let invocations =
                        (Decimal::from(d.compressed_bytes) * dd_share / payload).ceil();
                    flat(
                        self,
                        &mut lines,
                        Component::LambdaRequests,
                        "lambda.requests",
                        invocations / million,
                        Decimal::ONE,
                    )?;
                    let gb_s = invocations * Decimal::from(s.forwarder_duration_ms)
                        / Decimal::from(1000)
                        * Decimal::from(s.forwarder_memory_mb)
                        / Decimal::from(1024);
                    let dur_id = match s.forwarder_architecture {
                        Arch::Arm64 => "lambda.duration.arm64",
                        Arch::X86_64 => "lambda.duration.x86",
                    };
                    flat(
                        self,
                        &mut lines,
                        Component::LambdaDuration,
                        dur_id,
                        gb_s,
                        Decimal::ONE,
                    )?;
                    *free
                        .entry((acct, Component::FreeTierLambdaRequests))
                        .or_default()
                        .entry(reg)
                        .or_default() += invocations / million;
                    *free
                        .entry((acct, Component::FreeTierLambdaDuration))
                        .or_default()
                        .entry(reg)
                        .or_default() += gb_s;
                    if path == Path::DatadogPrivatelink {
                        pool(Component::PrivatelinkData, "privatelink.data", compressed);
                        endpoint_regions.insert((acct, reg), ());
                    } else {
                        self.egress(
                            &mut lines, &mut free, &mut pool, gi, acct, reg, path, region,
                            compressed,
                        )?;
                    }
                }
                Path::DatadogFirehose => {
                    if d.vended {
                        pool(Component::VendedToFirehose, "cwl.vended.firehose", d.gib_in);
                        // Vended sources are not rounded to 5 KB records.
                        flat(
                            self,
                            &mut lines,
                            Component::FirehoseIngest,
                            "firehose.ingest",
                            d.gib_in,
                            Decimal::ONE,
                        )?;
                    } else {
                        let record = u64::from(s.firehose_record_kib) * 1024;
                        let records = d.compressed_bytes.div_ceil(record);
                        let billed = records * record.div_ceil(5 * 1024) * 5 * 1024;
                        flat(
                            self,
                            &mut lines,
                            Component::FirehoseIngest,
                            "firehose.ingest",
                            gib(billed),
                            Decimal::ONE,
                        )?;
                    }
                    self.egress(
                        &mut lines, &mut free, &mut pool, gi, acct, reg, path, region, compressed,
                    )?;
                }
                Path::Cloudwatch => {}
            }
            // Datadog bills ingestion on uncompressed bytes, indexing per million events.
            flat(
                self,
                &mut lines,
                Component::DatadogIngest,
                "datadog.ingest",
                d.gib_in * dd_share,
                Decimal::ONE, // ingestion costs the same annual or on demand
            )?;
            let fraction = if path == Path::Hybrid {
                Decimal::ONE
            } else {
                s.indexed_fraction
            };
            let events = Decimal::from(d.events) * dd_share;
            flat(
                self,
                &mut lines,
                Component::DatadogIndex,
                s.index_price_id(),
                events * fraction / million,
                premium,
            )?;
            if s.flex && fraction < Decimal::ONE {
                flat(
                    self,
                    &mut lines,
                    Component::DatadogFlex,
                    "datadog.flex.storage",
                    events * (Decimal::ONE - fraction) / million,
                    premium,
                )?;
            }
        }

        // Tiered pools: the account-region total on the tiers, allocated back by quantity.
        for ((acct, reg, component, id), pool) in pools {
            let region = self.regions[reg as usize].clone();
            let f = self.price(id, &region)?;
            let total_qty: Decimal = pool.members.iter().map(|(_, q, _)| *q).sum();
            let total = micros(f.tiered_cost(total_qty));
            let rate = if total_qty.is_zero() {
                f.flat()
            } else {
                (f.tiered_cost(total_qty) / total_qty).round_dp(10)
            };
            let weights: Vec<(u32, Decimal)> =
                pool.members.iter().map(|(g, q, _)| (*g, *q)).collect();
            for ((gi, qty, path), cost) in pool.members.iter().zip(allocate(total, &weights)) {
                lines.push(Line {
                    group: Some(*gi),
                    account: acct,
                    region: reg,
                    path: *path,
                    component,
                    quantity: *qty,
                    unit: unit_of(id, &f),
                    unit_price: rate,
                    cost,
                    price_id: id,
                    price_status: f.status,
                });
            }
        }

        // Account-level lines: PrivateLink endpoint hours, then the free tiers as credits.
        for ((acct, reg), ()) in endpoint_regions {
            let region = self.regions[reg as usize].clone();
            let f = self.price("privatelink.endpoint_hour", &region)?;
            let hours = Decimal::from(s.privatelink_azs) * Decimal::from(730);
            lines.push(Line {
                group: None,
                account: acct,
                region: reg,
                path: Path::DatadogPrivatelink,
                component: Component::PrivatelinkEndpointHours,
                quantity: hours,
                unit: "endpoint-AZ-hour",
                unit_price: f.flat(),
                cost: micros(hours * f.flat()),
                price_id: "privatelink.endpoint_hour",
                price_status: f.status,
            });
        }
        if s.free_tier {
            for ((acct, kind), by_region) in free {
                self.free_tier(&mut lines, acct, kind, &by_region, assign)?;
            }
        }

        let mut group_totals = vec![MicroUsd::ZERO; self.groups.len()];
        let mut total = MicroUsd::ZERO;
        for l in &lines {
            if let Some(g) = l.group {
                group_totals[g as usize] = group_totals[g as usize] + l.cost;
            }
            total = total + l.cost;
        }
        Ok(ScenarioResult {
            lines,
            group_totals,
            total,
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn egress(
        &mut self,
        lines: &mut Vec<Line>,
        free: &mut BTreeMap<(u32, Component), BTreeMap<u32, Decimal>>,
        pool: &mut dyn FnMut(Component, &'static str, Decimal),
        gi: u32,
        acct: u32,
        reg: u32,
        path: Path,
        region: &str,
        compressed_gib: Decimal,
    ) -> Result<()> {
        let same_region = self.scenario.egress == Egress::SameRegion
            && self.scenario.site.aws_region() == Some(region);
        if same_region {
            let f = self.price("egress.same_region_public", region)?;
            lines.push(Line {
                group: Some(gi),
                account: acct,
                region: reg,
                path,
                component: Component::EgressSameRegion,
                quantity: compressed_gib,
                unit: "GB",
                unit_price: f.flat(),
                cost: micros(compressed_gib * f.flat()),
                price_id: "egress.same_region_public",
                price_status: f.status,
            });
        } else {
            pool(Component::EgressInternet, "egress.internet", compressed_gib);
            *free
                .entry((acct, Component::FreeTierEgress))
                .or_default()
                .entry(reg)
                .or_default() += compressed_gib;
        }
        Ok(())
    }

    /// A free-tier credit for one account: the allowance (or less, if less was used), at the
    /// price of the region that used the most. The line is negative; its path is the path of
    /// the groups in that scenario (for a mixed scenario, the path of the first group there).
    fn free_tier(
        &mut self,
        lines: &mut Vec<Line>,
        acct: u32,
        kind: Component,
        by_region: &BTreeMap<u32, Decimal>,
        assign: &dyn Fn(usize) -> Path,
    ) -> Result<()> {
        let (allowance_id, price_id, unit_scale): (&'static str, &'static str, Decimal) = match kind
        {
            Component::FreeTierIngest => ("cwl.free_tier", "cwl.ingest.standard", Decimal::ONE),
            Component::FreeTierStorage => ("cwl.free_tier", "cwl.storage", Decimal::ONE),
            Component::FreeTierScan => ("cwl.free_tier", "cwl.insights.scan", Decimal::ONE),
            Component::FreeTierEgress => ("egress.free_tier", "egress.internet", Decimal::ONE),
            Component::FreeTierLambdaRequests => {
                ("lambda.free_requests", "lambda.requests", Decimal::ONE)
            }
            Component::FreeTierLambdaDuration => {
                let id = match self.scenario.forwarder_architecture {
                    Arch::Arm64 => "lambda.duration.arm64",
                    Arch::X86_64 => "lambda.duration.x86",
                };
                ("lambda.free_gb_seconds", id, Decimal::ONE)
            }
            _ => return Ok(()),
        };
        let Some((&reg, _)) = by_region
            .iter()
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
        else {
            return Ok(());
        };
        let used: Decimal = by_region.values().copied().sum();
        let region = self.regions[reg as usize].clone();
        let allowance = self.price(allowance_id, &region)?.flat() * unit_scale;
        let qty = used.min(allowance);
        if qty.is_zero() {
            return Ok(());
        }
        let f = self.price(price_id, &region)?;
        let path = (0..self.groups.len())
            .find(|&i| self.account_index(&self.groups[i].account_id) == acct)
            .map(assign)
            .unwrap_or(Path::Cloudwatch);
        lines.push(Line {
            group: None,
            account: acct,
            region: reg,
            path,
            component: kind,
            quantity: -qty,
            unit: unit_of(price_id, &f),
            unit_price: f.flat(),
            cost: micros(-qty * f.flat()),
            price_id,
            price_status: f.status,
        });
        Ok(())
    }
}

fn unit_of(id: &str, f: &Figure) -> &'static str {
    // Units are a small closed set; map to static strings so lines stay small.
    match f.unit.as_str() {
        "GB" => "GB",
        "GB-month" => "GB-month",
        "GB-s" => "GB-s",
        "1M requests" => "1M requests",
        "1M events" => "1M events",
        "endpoint-AZ-hour" => "endpoint-AZ-hour",
        _ => {
            tracing::debug!("price {id} has an unusual unit {}", f.unit);
            "unit"
        }
    }
}

/// Split `total` micro-dollars among members in proportion to their quantities, exactly: floor
/// shares, then the remaining micro-dollars to the largest remainders (ties by position).
pub fn allocate(total: MicroUsd, members: &[(u32, Decimal)]) -> Vec<MicroUsd> {
    let sum: Decimal = members.iter().map(|(_, q)| *q).sum();
    if sum.is_zero() || members.is_empty() {
        let mut out = vec![MicroUsd::ZERO; members.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let t = Decimal::from(total.0);
    let mut shares: Vec<(i64, Decimal, usize)> = members
        .iter()
        .enumerate()
        .map(|(i, (_, q))| {
            let exact = t * *q / sum;
            let floor = exact.floor();
            (floor.to_i64().unwrap_or(0), exact - floor, i)
        })
        .collect();
    let given: i64 = shares.iter().map(|s| s.0).sum();
    let mut left = total.0 - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        shares[i].0 += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| MicroUsd(s.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn allocation_is_exact() {
        let members = vec![(0, d("1")), (1, d("1")), (2, d("1"))];
        let shares = allocate(MicroUsd(100), &members);
        assert_eq!(shares.iter().map(|m| m.0).sum::<i64>(), 100);
        assert_eq!(shares, vec![MicroUsd(34), MicroUsd(33), MicroUsd(33)]);
        let shares = allocate(
            MicroUsd(5_120_000_000),
            &[(0, d("7372.8")), (1, d("2867.2"))],
        );
        assert_eq!(shares[0].0 + shares[1].0, 5_120_000_000);
        assert_eq!(shares[0], MicroUsd(3_686_400_000));
    }

    #[test]
    fn vended_names() {
        assert!(is_vended_name("aws-waf-logs-prod"));
        assert!(is_vended_name("/aws/vpc/flowlogs/prod"));
        assert!(is_vended_name("/aws/route53resolver/query-logs/x"));
        assert!(!is_vended_name("/aws/lambda/fn"));
        assert!(!is_vended_name("/ecs/web/alb-access"));
    }

    #[test]
    fn today_components_add_up_to_today() {
        let gib = 1u64 << 30;
        let g = |name: &str, bytes: u64, forwarded: bool| GroupInput {
            account_id: "123456789012".into(),
            region: "us-east-1".into(),
            log_group: name.into(),
            incoming_bytes: bytes,
            incoming_events: 1_000_000,
            stored_bytes: Some(bytes / 5),
            datadog_forwarder: Some(forwarded),
            insights_scanned_bytes: Some(0),
            ..GroupInput::default()
        };
        let groups = vec![
            g("/app/api", 30 * gib, false),
            g("/app/web", 200 * gib, true),
            g("aws-waf-logs-prod", 50 * gib, true),
        ];
        let book = PriceBook::builtin().unwrap();
        let m = run(groups, &book, &Scenario::default(), None).unwrap();
        let sum: MicroUsd = m.today_components.iter().map(|c| c.cost).sum();
        assert_eq!(sum, m.today_total);
        let ingest: Decimal = m
            .today_components
            .iter()
            .filter(|c| c.component == Component::CloudwatchIngest)
            .map(|c| c.quantity)
            .sum();
        assert_eq!(ingest, Decimal::from(230), "standard non-vended GiB");
        assert!(
            m.today_components
                .iter()
                .any(|c| c.component == Component::FreeTierIngest && c.cost.0 < 0)
        );
        assert!(
            m.today_components
                .iter()
                .any(|c| c.component == Component::DatadogIngest)
        );
    }

    #[test]
    fn scenario_checks_name_the_field() {
        let s = Scenario {
            retention_days: 10,
            ..Scenario::default()
        };
        assert!(s.check().unwrap_err().contains("one of 3, 7, 15, 30"));
        let s = Scenario {
            indexed_fraction: d("1.5"),
            ..Scenario::default()
        };
        assert!(s.check().unwrap_err().contains("indexed_fraction"));
    }
}
