//! The report's data: everything every rendering (Markdown, HTML, CSV, Parquet, JSON) shows,
//! built once from the model. `report.json` is this structure, versioned by `schema_version`.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::Serialize;

use crate::model::{Component, Model, Path, Scenario};
use crate::money::MicroUsd;
use crate::pricing::Status;

/// Bumped whenever a field of report.json changes meaning or disappears.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Clone, Debug, Serialize)]
pub struct ReportData {
    pub schema_version: u32,
    pub generated_by: String,
    /// `YYYY-MM`: the calendar month priced.
    pub month: String,
    /// The calendar month priced (its first day, and the first day of the next).
    pub period_start: Option<String>,
    pub period_end_exclusive: Option<String>,
    /// The period measured, where it came from, and how it was scaled to the month.
    pub period: PeriodInfo,
    pub accounts: Vec<String>,
    pub regions: Vec<String>,
    pub price_book_effective: String,
    pub scenario: Scenario,
    /// Human-readable assumptions in force (name, value, why/where from).
    pub assumptions: Vec<Assumption>,
    pub paths: Vec<PathTotal>,
    pub today_total_usd: MicroUsd,
    /// The single path that is cheapest for the whole account(s).
    pub best_path: Path,
    pub best_path_total_usd: MicroUsd,
    /// today - best path total (positive = switching saves).
    pub best_path_savings_usd: MicroUsd,
    /// Every group on its own cheapest path, priced as one scenario (its own tiers,
    /// endpoint-hours and free tiers).
    pub best_mix_total_usd: MicroUsd,
    pub best_mix_savings_usd: MicroUsd,
    /// The cheapest priced total among today, the single paths and the mix.
    pub recommendation: RecommendationData,
    pub groups: Vec<GroupRow>,
    /// Per account: groups, today and each path (account-level lines included).
    pub account_totals: Vec<AccountTotal>,
    pub prices: Vec<PriceUsed>,
    pub breakeven_curve: BreakevenCurve,
    /// API calls the run made (when it sampled), and their cost.
    pub api: Option<ApiUse>,
    /// The previous month's report, when it exists in the same output root.
    pub previous: Option<Previous>,
    /// The model's today against the bill (`--actuals`) and Datadog's usage
    /// (`--datadog-usage`), when asked for. With a billing export (`--from cur2:|focus:|athena:`)
    /// it holds the per-log-group comparison too (`actuals.groups`).
    pub actuals: Option<crate::reconcile::Reconciliation>,
    /// Showback, the FOCUS export and Datadog's measured usage (top-level keys of report.json).
    #[serde(flatten)]
    pub billing: BillingData,
}

/// What the billing reconciliation adds to the report (rendered from `report.json`'s
/// `showback`, `focus` and `datadog_measured`, and `actuals.groups`).
#[derive(Clone, Debug, Default, Serialize)]
pub struct BillingData {
    /// Totals per tag value (`[report] group_by_tags`), when configured.
    pub showback: Option<crate::reconcile::showback::Showback>,
    /// What `focus.csv` / `focus.parquet` hold.
    pub focus: Option<FocusSummary>,
    /// Datadog usage measured from Datadog's usage API (`--datadog-usage api`), when it drove
    /// the Datadog lines.
    pub datadog_measured: Option<crate::reconcile::ddapi::Measured>,
    /// Tag values per log group, for the FOCUS export's `Tags` (not in report.json).
    #[serde(skip)]
    pub group_tags: crate::reconcile::showback::GroupTags,
}

/// The FOCUS 1.2 export of the model: which scenarios it holds and their totals.
#[derive(Clone, Debug, Serialize)]
pub struct FocusSummary {
    pub files: Vec<String>,
    /// The comparison scenario's path (the cheapest single path).
    pub comparison_path: Path,
    pub today_rows: usize,
    pub comparison_rows: usize,
    /// Sums of the rows' BilledCost: today's equals `today_total_usd`.
    pub today_usd: MicroUsd,
    pub comparison_usd: MicroUsd,
}

/// The period measured and the month priced, as the report states them.
#[derive(Clone, Debug, Serialize)]
pub struct PeriodInfo {
    /// `snapshot`, `month`, `range`, `last_full_month` or `assumed`.
    pub basis: crate::period::Basis,
    pub measured_start: String,
    pub measured_end_exclusive: String,
    pub measured_days: i64,
    pub month_days: i64,
    /// `31/7` when the period's flows were scaled to the month; `None` for a whole month.
    pub scale: Option<String>,
    /// e.g. "measured 7 days (2026-10-01 to 2026-10-07), scaled x31/7 to October 2026; period
    /// from the snapshot's period_start/period_end".
    pub statement: String,
}

impl PeriodInfo {
    pub fn of(p: &crate::period::Priced) -> PeriodInfo {
        PeriodInfo {
            basis: p.basis,
            measured_start: p.measured.start.to_string(),
            measured_end_exclusive: p.measured.end.to_string(),
            measured_days: p.measured.days(),
            month_days: p.month.days(),
            scale: p
                .is_scaled()
                .then(|| format!("{}/{}", p.month.days(), p.measured.days())),
            statement: p.statement(),
        }
    }
}

/// What the report recommends, with the figures behind it.
#[derive(Clone, Debug, Serialize)]
pub struct RecommendationData {
    /// `{"kind": "today"}`, `{"kind": "path", "path": ...}` or `{"kind": "mix"}`.
    pub choice: crate::model::Choice,
    pub total_usd: MicroUsd,
    /// today - total: a total the model priced, never a sum of per-group minima.
    pub savings_usd: MicroUsd,
    /// Whether each group on its own cheapest path, priced together, costs less than the
    /// cheapest single path.
    pub mix_cheaper_than_best_path: bool,
    /// The recommendation in one sentence.
    pub statement: String,
    /// What the mix costs against the cheapest single path, in one sentence.
    pub mix_note: String,
}

impl RecommendationData {
    fn of(model: &Model) -> RecommendationData {
        use crate::format::usd;
        use crate::model::Choice;
        let r = model.recommendation;
        let (p, p_total) = r.best_path;
        let statement = match r.choice {
            Choice::Today => format!(
                "Recommended: keep today's setup ({} a month); no single path and no mix of paths the model priced costs less.",
                usd(model.today_total)
            ),
            Choice::Path(path) => format!(
                "Recommended: every log group on {} ({} a month, saving {} against today).",
                path.title(),
                usd(r.total),
                usd(r.saving)
            ),
            Choice::Mix => format!(
                "Recommended: each log group on its own cheapest path ({} a month priced together, saving {} against today).",
                usd(r.total),
                usd(r.saving)
            ),
        };
        let mix_note = if r.mix_cheaper_than_path {
            format!(
                "Each group on its own cheapest path, priced together (its own endpoint-hours and free tiers), costs {}, {} less than everything on {} ({}).",
                usd(model.best_mix_total),
                usd(p_total - model.best_mix_total),
                p.title(),
                usd(p_total)
            )
        } else if model.best_mix_total == p_total {
            format!(
                "Each group on its own cheapest path, priced together (its own endpoint-hours and free tiers), costs the same as everything on {} ({}): one path is simpler, so the mix is not recommended.",
                p.title(),
                usd(p_total)
            )
        } else {
            format!(
                "Each group on its own cheapest path, priced together (its own endpoint-hours and free tiers), costs {}: more than everything on {} ({}), so the mix is not recommended.",
                usd(model.best_mix_total),
                p.title(),
                usd(p_total)
            )
        };
        RecommendationData {
            choice: r.choice,
            total_usd: r.total,
            savings_usd: r.saving,
            mix_cheaper_than_best_path: r.mix_cheaper_than_path,
            statement,
            mix_note,
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct AccountTotal {
    pub account_id: String,
    pub log_groups: usize,
    pub today_usd: MicroUsd,
    /// Indexed by `Path::ALL` order; `None` when the path is unavailable.
    pub path_usd: Vec<Option<MicroUsd>>,
}

#[derive(Clone, Debug, Serialize)]
pub struct Assumption {
    pub name: String,
    pub value: String,
    pub note: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PathTotal {
    pub path: Path,
    pub title: String,
    /// `None` when the path is unavailable (see `reason`).
    pub total_usd: Option<MicroUsd>,
    pub reason: Option<String>,
    /// Cost by component name, in a stable order; sums to `total_usd`.
    pub components: Vec<(String, MicroUsd)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct GroupRow {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub log_group_class: Option<String>,
    pub vended: bool,
    /// What produces the logs, how their ingestion is billed, and who said so (`aws`,
    /// `snapshot`, `name`; for the billing class).
    pub source: &'static str,
    pub billing_class: String,
    pub billing_basis: &'static str,
    pub incoming_bytes: u64,
    pub incoming_events: u64,
    pub today_path: Path,
    /// The group's own lines plus its share of today's account-level lines...
    pub today_usd: MicroUsd,
    /// ...of which that share (free-tier credits, PrivateLink endpoint-hours).
    pub today_shared_usd: MicroUsd,
    /// Indexed by `Path::ALL` order; `None` when the path is unavailable. Each includes the
    /// group's share of the path's account-level lines, so a path's column adds up to its total.
    pub path_usd: Vec<Option<MicroUsd>>,
    /// Of `path_usd`, the allocated share of account-level lines.
    pub path_shared_usd: Vec<Option<MicroUsd>>,
    pub best_path: Path,
    pub best_usd: MicroUsd,
    pub savings_usd: MicroUsd,
    /// GiB scanned per month at which CloudWatch costs the same as the cheapest Datadog path.
    pub breakeven_scan_gib: Option<Decimal>,
    /// The same as a number of full scans of the month's data.
    pub breakeven_full_scans: Option<Decimal>,
    pub scan_gib: Decimal,
    pub scan_source: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct PriceUsed {
    pub id: String,
    pub region: String,
    pub description: String,
    pub unit: String,
    pub prices: Vec<Decimal>,
    pub status: Status,
    /// Where the figure comes from, ending "; in force from <date>" when the source dates it.
    pub source: String,
    /// The first day the source shows the figure in force, when it says.
    pub effective_from: Option<chrono::NaiveDate>,
    pub book_prices: Option<Vec<Decimal>>,
}

/// Account-wide: CloudWatch's cost as a function of monthly scanned GiB, against the Datadog
/// paths' (flat) totals.
#[derive(Clone, Debug, Serialize)]
pub struct BreakevenCurve {
    /// CloudWatch path total without any Insights scanning.
    pub cloudwatch_base_usd: MicroUsd,
    /// Average Insights price over the groups, USD per GiB scanned.
    pub scan_usd_per_gib: Decimal,
    /// The scan volume the model assumed (all groups), GiB.
    pub current_scan_gib: Decimal,
    /// (path, total) of the available Datadog paths.
    pub datadog: Vec<(Path, MicroUsd)>,
}

#[derive(Clone, Debug, Serialize)]
pub struct ApiUse {
    /// Calls per IAM action (attempts, retries included).
    pub calls: BTreeMap<String, u64>,
    pub metrics_requested: u64,
    pub cost_usd: MicroUsd,
    /// What the sampling run warned about: GetMetricData `Messages` (a limit reached, a query
    /// that failed), denied optional calls, groups deleted during the run, accounts not linked.
    pub warnings: Vec<String>,
    /// Attempts AWS answered with throttling, per IAM action.
    pub throttled: BTreeMap<String, u64>,
}

#[derive(Clone, Debug, Serialize, serde::Deserialize)]
pub struct Previous {
    pub month: String,
    pub today_total_usd: String,
    /// path name -> total (decimal string), available paths only.
    pub path_totals: BTreeMap<String, String>,
}

impl ReportData {
    /// Build from a model and the period it prices.
    pub fn build(
        model: &Model,
        priced: &crate::period::Priced,
        book_effective: &str,
    ) -> ReportData {
        let month = priced.month.label();
        let period = Some((priced.month.start.to_string(), priced.month.end.to_string()));
        let paths = path_totals(model);
        let (best_path, best_total) = paths
            .iter()
            .filter_map(|p| p.total_usd.map(|t| (p.path, t)))
            .min_by_key(|(p, t)| (*t, p.index()))
            .expect("cloudwatch is always available");
        ReportData {
            schema_version: SCHEMA_VERSION,
            account_totals: account_totals(model),
            generated_by: format!("logplan {}", env!("CARGO_PKG_VERSION")),
            month: month.to_string(),
            period_start: period.as_ref().map(|p| p.0.clone()),
            period_end_exclusive: period.map(|p| p.1),
            period: PeriodInfo::of(priced),
            accounts: model.accounts.clone(),
            regions: model.regions.clone(),
            price_book_effective: book_effective.to_string(),
            scenario: model.scenario.clone(),
            assumptions: assumptions(model, priced),
            today_total_usd: model.today_total,
            best_path,
            best_path_total_usd: best_total,
            best_path_savings_usd: model.today_total - best_total,
            best_mix_total_usd: model.best_mix_total,
            best_mix_savings_usd: model.today_total - model.best_mix_total,
            recommendation: RecommendationData::of(model),
            breakeven_curve: breakeven_curve(model, &paths),
            paths,
            groups: (0..model.groups.len())
                .map(|i| group_row(model, i))
                .collect(),
            prices: prices(model),
            api: None,
            previous: None,
            actuals: None,
            billing: BillingData::default(),
        }
    }

    /// Prices whose status is not confirmed/derived, or overridden: what a reader should know.
    pub fn caveat_prices(&self) -> Vec<&PriceUsed> {
        self.prices
            .iter()
            .filter(|p| {
                matches!(p.status, Status::Unconfirmed | Status::Override)
                    || p.book_prices.is_some()
            })
            .collect()
    }
}

/// Each path's total and its components, in `Path::ALL` order.
fn path_totals(model: &Model) -> Vec<PathTotal> {
    Path::ALL
        .iter()
        .map(|&p| {
            let reason = model
                .unavailable
                .iter()
                .find(|(q, _)| *q == p)
                .map(|(_, r)| r.clone());
            let mut by_component: BTreeMap<Component, MicroUsd> = BTreeMap::new();
            for l in model.lines.iter().filter(|l| l.path == p) {
                let e = by_component.entry(l.component).or_default();
                *e = *e + l.cost;
            }
            PathTotal {
                path: p,
                title: p.title().to_string(),
                total_usd: model.path_totals[p.index()],
                reason,
                components: by_component
                    .into_iter()
                    .map(|(c, m)| (c.name().to_string(), m))
                    .collect(),
            }
        })
        .collect()
}

fn group_row(model: &Model, i: usize) -> GroupRow {
    let g = &model.groups[i];
    let d = &model.derived[i];
    let (best_path, best_usd) = model.best[i];
    let be = model.breakeven_gib[i];
    GroupRow {
        account_id: g.account_id.clone(),
        region: g.region.clone(),
        log_group: g.log_group.clone(),
        log_group_class: g.log_group_class.clone(),
        vended: d.vended,
        source: d.class.source.as_str(),
        billing_class: d.class.billing.to_string(),
        billing_basis: d.class.billing_basis.as_str(),
        incoming_bytes: g.incoming_bytes,
        incoming_events: g.incoming_events,
        today_path: d.today,
        today_usd: model.today_costs[i],
        today_shared_usd: model.today_shares[i],
        path_usd: model.group_costs[i].to_vec(),
        path_shared_usd: model.group_costs[i]
            .iter()
            .zip(&model.group_shares[i])
            .map(|(c, s)| c.map(|_| *s))
            .collect(),
        best_path,
        best_usd,
        savings_usd: model.today_costs[i] - best_usd,
        breakeven_scan_gib: be.map(|v| v.round_dp(3)),
        breakeven_full_scans: be
            .and_then(|v| (!d.gib_in.is_zero()).then(|| (v / d.gib_in).round_dp(2))),
        scan_gib: d.scan_gib.round_dp(3),
        scan_source: d.scan_source.to_string(),
    }
}

/// CloudWatch's cost without scanning, the average Insights price, and the Datadog totals.
fn breakeven_curve(model: &Model, paths: &[PathTotal]) -> BreakevenCurve {
    let cw_scan: MicroUsd = model
        .lines
        .iter()
        .filter(|l| l.path == Path::Cloudwatch && l.component == Component::InsightsScan)
        .map(|l| l.cost)
        .sum();
    let current_scan_gib: Decimal = model.derived.iter().map(|d| d.scan_gib).sum();
    let scan_usd_per_gib = if current_scan_gib.is_zero() {
        model
            .used_prices
            .iter()
            .find(|((id, _), _)| id == "cwl.insights.scan")
            .map(|(_, f)| f.flat())
            .unwrap_or_default()
    } else {
        (Decimal::from(cw_scan.0) / Decimal::from(1_000_000) / current_scan_gib).round_dp(6)
    };
    let cw_total = model.path_totals[Path::Cloudwatch.index()].unwrap_or_default();
    BreakevenCurve {
        cloudwatch_base_usd: cw_total - cw_scan,
        scan_usd_per_gib,
        current_scan_gib: current_scan_gib.round_dp(3),
        datadog: paths
            .iter()
            .filter(|p| {
                matches!(
                    p.path,
                    Path::DatadogForwarder | Path::DatadogFirehose | Path::DatadogPrivatelink
                )
            })
            .filter_map(|p| p.total_usd.map(|t| (p.path, t)))
            .collect(),
    }
}

fn prices(model: &Model) -> Vec<PriceUsed> {
    model
        .used_prices
        .values()
        .map(|f| PriceUsed {
            id: f.id.clone(),
            region: f.region.clone(),
            description: f.description.clone(),
            unit: f.unit.clone(),
            prices: f.prices.clone(),
            status: f.status,
            source: match f.effective_from {
                Some(d) => format!("{}; in force from {d}", f.source),
                None => f.source.clone(),
            },
            effective_from: f.effective_from,
            book_prices: f.book_prices.clone(),
        })
        .collect()
}

/// Per account: groups, today and each path (account-level lines included). One pass over
/// the lines, which number millions for an organization.
fn account_totals(model: &Model) -> Vec<AccountTotal> {
    let n = model.accounts.len();
    let available: Vec<Option<MicroUsd>> = model
        .path_totals
        .iter()
        .map(|t| t.map(|_| MicroUsd::ZERO))
        .collect();
    let mut path_usd = vec![available; n];
    for l in &model.lines {
        if let Some(t) = &mut path_usd[l.account as usize][l.path.index()] {
            *t = *t + l.cost;
        }
    }
    let mut today = vec![MicroUsd::ZERO; n];
    for c in &model.today_components {
        today[c.account as usize] = today[c.account as usize] + c.cost;
    }
    let index: std::collections::HashMap<&str, usize> = model
        .accounts
        .iter()
        .enumerate()
        .map(|(i, a)| (a.as_str(), i))
        .collect();
    let mut groups = vec![0usize; n];
    for g in &model.groups {
        if let Some(i) = index.get(g.account_id.as_str()) {
            groups[*i] += 1;
        }
    }
    model
        .accounts
        .iter()
        .zip(path_usd)
        .enumerate()
        .map(|(ai, (id, path_usd))| AccountTotal {
            account_id: id.clone(),
            log_groups: groups[ai],
            today_usd: today[ai],
            path_usd,
        })
        .collect()
}

/// A decimal string of dollars (`"12.530000"`, as report.json holds them) as micro-dollars.
pub fn parse_usd(s: &str) -> Option<MicroUsd> {
    use rust_decimal::prelude::ToPrimitive;
    let v: Decimal = s.trim().trim_start_matches('$').parse().ok()?;
    (v * Decimal::from(1_000_000))
        .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .map(MicroUsd)
}

fn assumptions(m: &Model, priced: &crate::period::Priced) -> Vec<Assumption> {
    let s = &m.scenario;
    let a = |name: &str, value: String, note: &str| Assumption {
        name: name.into(),
        value,
        note: note.into(),
    };
    let scans_assumed = m
        .derived
        .iter()
        .filter(|d| d.scan_source == "assumption")
        .count();
    let mut out = vec![
        a("Period", priced.statement(), "flows (incoming and forwarded bytes and events, WAF requests, Insights scans) x days in the month / days measured; levels (stored bytes) and sampled ratios are not scaled; the month's length, dated rules, endpoint-hours and monthly free tiers are the month priced's"),
        a("Account-level lines", "allocated to the groups that cause them".into(), "PrivateLink endpoint-hours to that account and region's PrivateLink groups by compressed bytes; free-tier credits to the groups whose usage they cover, by that usage; exact to the micro-dollar, before each group's cheapest path and break-even"),
        a("Datadog site", s.site.describe().to_string(), "decides whether egress leaves AWS and whether PrivateLink exists"),
        a("Datadog indexing retention", format!("{} days", s.retention_days), "price id datadog.index.<N>d"),
        a("Datadog commitment", format!("{:?}", s.commitment).to_lowercase(), "on-demand adds the on-demand premium to indexing and Flex"),
        a("Indexed fraction (Datadog paths)", s.indexed_fraction.to_string(), "share of events indexed; all are ingested"),
        a("Hybrid fraction", s.hybrid_fraction.to_string(), "share of volume sent to and indexed in Datadog on the hybrid path"),
        a("Flex Logs for the rest", if s.flex { format!("{} ({})", s.flex_tier_name(), s.flex_price_id()) } else { "off".to_string() }, "flex and flex_tier: Flex storage (compute priced on request) or Flex Starter (compute bundled); each with its own on-demand price"),
        a("Forwarder Lambda", format!("{}, {} MB, {} ms per invocation, {} KiB compressed per invocation", format!("{:?}", s.forwarder_architecture).to_lowercase(), s.forwarder_memory_mb, s.forwarder_duration_ms, s.forwarder_payload_kib), "modeled: the snapshot has no forwarder Lambda metrics"),
        a("Egress", match s.egress { crate::model::Egress::Internet => "internet tiers".to_string(), crate::model::Egress::SameRegion => "same-region public IP rate where the site runs in the group's region, else internet".to_string() }, "AWS does not state which rate applies to a Datadog intake"),
        a("CloudWatch retention while forwarded", s.retention_while_forwarded_days.map_or("the group's own".to_string(), |d| format!("{d} days")), ""),
        a("Insights scans", format!("{} full scans of the month's data per month", s.insights_full_scans), &format!("assumed for {scans_assumed} of {} groups (others: snapshot column or query plan)", m.groups.len())),
        a("Compression", format!("{}:1 where not measured", s.compression_ratio), "gzip ratio; measured ratios (sample --sample-events) and ForwardedBytes take precedence"),
        a("Never-expiring groups", format!("{} months of data held", s.never_expire_months), "never_expire_months: storage in steady state when storedBytes is unknown and the group never expires"),
        a("Free tier", if s.free_tier { format!("applied once per {}, monthly", if s.payers.is_empty() { "account" } else { "bill (per payer for the accounts [billing] names, per account for the others)" }) } else { "off".to_string() }, "5 GB each of ingestion, storage and scanning; 100 GB egress; Lambda 1M requests and 400,000 GB-s; AWS applies the free tier to an organization's total usage, not per account (AWS Billing user guide)"),
        a("Free egress used by other services", format!("{} GB of the 100 GB a month", s.egress_free_gb_used_elsewhere), "egress_free_gb_used_elsewhere: the free internet egress is shared with every other service of the account (or payer); logplan's egress gets the rest"),
        a("Tier pools", pooling(m), "[billing] payers; AWS combines the usage of a consolidated bill's accounts to apply volume tiers (AWS Billing user guide, Volume discounts)"),
        a("Firehose record", format!("{} KiB, billed in 5 KB increments", s.firehose_record_kib), "non-vended logs reach Firehose through a subscription"),
        a("PrivateLink", format!("{} endpoints ({}) x {} AZs x {} hours", crate::model::PRIVATELINK_ENDPOINTS.len(), crate::model::PRIVATELINK_ENDPOINTS.join(", "), s.privatelink_azs, m.month.days() * 24), "S3 is a free gateway endpoint; trace.agent only when traces are forwarded (not modeled); a group outside the site's region adds inter-region transfer (transfer.inter_region)"),
    ];
    out.extend(source_assumptions(m));
    out
}

/// The pooling the model used: "tiers pooled per account and region", or per payer with the
/// accounts of the run each payer covers.
fn pooling(m: &Model) -> String {
    let s = &m.scenario;
    let mut by_payer: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    let mut alone = Vec::new();
    for a in &m.accounts {
        match s.payers.get(a) {
            Some(p) => by_payer.entry(p.as_str()).or_default().push(a.as_str()),
            None => alone.push(a.as_str()),
        }
    }
    if by_payer.is_empty() {
        return "tiers pooled per account and region".into();
    }
    let mut parts: Vec<String> = by_payer
        .iter()
        .map(|(p, accts)| format!("per payer {p} over accounts {}", accts.join(", ")))
        .collect();
    if !alone.is_empty() {
        parts.push(format!("per account for {}", alone.join(", ")));
    }
    format!("tiers pooled by region {}", parts.join("; "))
}

/// How groups were classified (source and billing class, by basis), and the dated rules applied.
fn source_assumptions(m: &Model) -> Vec<Assumption> {
    use crate::model::{Basis, BillingClass, Source};
    let count =
        |f: &dyn Fn(&crate::model::Derived) -> bool| m.derived.iter().filter(|d| f(d)).count();
    let by = |b: Basis| count(&|d| d.class.billing_basis == b);
    let unknown = count(&|d| d.class.source == Source::Unknown);
    let delivery = count(&|d| d.class.billing == BillingClass::Delivery);
    let mut out = vec![Assumption {
        name: "Log source and billing class".into(),
        value: format!(
            "{} groups by what AWS reported, {} as the snapshot states, {} by name; {unknown} with an unknown source (billed as custom unless stated)",
            by(Basis::Aws),
            by(Basis::Snapshot),
            by(Basis::Name)
        ),
        note: "name rules: /aws/lambda/ Lambda (vended from the rule's date); aws-waf-logs- WAF (WAFLogs ladder); flow logs, /aws/route53resolver/, /aws/eks/<cluster>/cluster, /aws/network-firewall/, /aws/vendedlogs/ vended; /aws/elasticloadbalancing/ (ELB writes only to S3), /aws/route53/<zone>, /aws/cloudfront/function/, other /aws/eks/ custom; API Gateway access and CloudFront v2 logs only when the snapshot says so".into(),
    }, Assumption {
        name: "Vended tier pools".into(),
        value: "per bill (see Tier pools), region and usage-type family (VendedLog-Bytes, WAFLogs, CFLogs, MTLogs)".into(),
        note: "the Price List carries a ladder per family; whether AWS pools across them is not stated".into(),
    }];
    if delivery > 0 {
        out.push(Assumption {
            name: "DELIVERY log class".into(),
            value: format!("{delivery} groups on the vended delivery ladder (cwl.vended.firehose), no storage, no Insights"),
            note: "Lambda logs kept one day on their way to S3 or Firehose".into(),
        });
    }
    let measured_env = count(&|d| d.envelope_source == "measured envelope");
    let s = &m.scenario;
    out.push(Assumption {
        name: "Datadog GB".into(),
        value: match s.datadog_gb {
            crate::model::DatadogGb::Decimal => "10^9 bytes (datadog_gb = decimal)".into(),
            crate::model::DatadogGb::Binary => "2^30 bytes (datadog_gb = binary)".into(),
        },
        note: "Datadog does not state which; the default is decimal".into(),
    });
    out.push(Assumption {
        name: "Datadog billed bytes".into(),
        value: format!(
            "the Forwarder's JSON: measured for {measured_env} groups (sample --sample-events), else {} bytes of envelope per event",
            s.forwarder_envelope_bytes
        ),
        note: "forwarder_envelope_bytes, estimated from the fields the Forwarder adds (DataDog/datadog-serverless-functions aws/logs_monitoring); egress is priced on the compressed bytes into the Forwarder".into(),
    });
    if s.flex {
        out.push(Assumption {
            name: "Flex Logs retention".into(),
            value: format!(
                "{} months: a month's events x {} stored each month",
                s.flex_retention_months, s.flex_retention_months
            ),
            note: "Flex bills events stored per month".into(),
        });
    }
    out.push(Assumption {
        name: "Today's forwarding".into(),
        value: match m.today_if_unknown_forwarded {
            None => "known for every group".into(),
            Some(t) => format!(
                "unknown for {} groups: today prices them in CloudWatch ({}); on the Datadog Forwarder it would be {}",
                m.today_unknown,
                crate::format::usd(m.today_total),
                crate::format::usd(t)
            ),
        },
        note: "only the Datadog filter's ForwardedBytes and ForwardedLogEvents drive the Datadog side (its pattern's share of events carries to every Datadog path); other filters (a SIEM's Kinesis) are not Datadog's".into(),
    });
    for (r, in_force) in &m.rules {
        out.push(Assumption {
            name: format!("Rule {}", r.id),
            value: format!(
                "{} for this month (from {})",
                if *in_force {
                    "in force"
                } else {
                    "not yet in force"
                },
                r.effective_from
            ),
            note: format!("{}; {}: {}", r.description, r.status, r.source),
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The assumptions line that states each scenario setting. A new setting without a line
    /// fails here: the report must name every setting the model used.
    fn line_for(key: &str) -> &'static str {
        match key {
            "site" => "Datadog site",
            "retention_days" => "Datadog indexing retention",
            "commitment" => "Datadog commitment",
            "indexed_fraction" => "Indexed fraction (Datadog paths)",
            "flex" | "flex_tier" => "Flex Logs for the rest",
            "flex_retention_months" => "Flex Logs retention",
            "hybrid_fraction" => "Hybrid fraction",
            "forwarder_architecture"
            | "forwarder_memory_mb"
            | "forwarder_duration_ms"
            | "forwarder_payload_kib" => "Forwarder Lambda",
            "retention_while_forwarded_days" => "CloudWatch retention while forwarded",
            "egress" => "Egress",
            "firehose_record_kib" => "Firehose record",
            "privatelink_azs" => "PrivateLink",
            "insights_full_scans" => "Insights scans",
            "compression_ratio" => "Compression",
            "free_tier" => "Free tier",
            "never_expire_months" => "Never-expiring groups",
            "datadog_gb" => "Datadog GB",
            "forwarder_envelope_bytes" => "Datadog billed bytes",
            "egress_free_gb_used_elsewhere" => "Free egress used by other services",
            other => panic!("scenario setting {other} has no line in the assumptions table"),
        }
    }

    #[test]
    fn the_assumptions_name_every_setting_pooling_and_rule() {
        let s = Scenario {
            flex: true,
            payers: [("111111111111".to_string(), "999999999999".to_string())]
                .into_iter()
                .collect(),
            ..Scenario::default()
        };
        let g = |a: &str| crate::snapshot::GroupInput {
            account_id: a.into(),
            region: "us-east-1".into(),
            log_group: "/app/x".into(),
            incoming_bytes: 1 << 30,
            incoming_events: 1000,
            ..Default::default()
        };
        let book = crate::pricing::PriceBook::builtin().unwrap();
        let m =
            crate::model::run(vec![g("111111111111"), g("222222222222")], &book, &s, None).unwrap();
        let priced = crate::period::Priced::new(
            crate::period::Period::month(2026, 10).unwrap(),
            crate::period::Basis::Month,
            "--month",
        )
        .unwrap();
        let table = assumptions(&m, &priced);
        let names: Vec<&str> = table.iter().map(|a| a.name.as_str()).collect();
        let keys = serde_json::to_value(&s).unwrap();
        for key in keys.as_object().unwrap().keys() {
            assert!(names.contains(&line_for(key)), "{key}: {names:?}");
        }
        assert_eq!(m.rules.len(), 2);
        for (r, _) in &m.rules {
            assert!(
                names.contains(&format!("Rule {}", r.id).as_str()),
                "{}",
                r.id
            );
        }
        // The pooling used, payer by payer, and the accounts on their own.
        let pools = table.iter().find(|a| a.name == "Tier pools").unwrap();
        assert_eq!(
            pools.value,
            "tiers pooled by region per payer 999999999999 over accounts 111111111111; per account for 222222222222"
        );
    }
}
