//! reconcile: the model's "today" next to the bill. Cost Explorer's usage types are mapped to
//! the model's components ([`usage_types`]); per component and in total, modeled vs billed,
//! the variance in dollars and percent (flagged above the configured threshold), and the
//! billed quantity next to the modeled one and the sampled volume, split into a volume effect
//! and a price effect so a reader sees which one the gap is. Usage types the map does not know
//! are listed with their cost, never dropped. Datadog's side comes from its estimated usage
//! metrics ([`datadog`]) priced with the model's prices. Money is exact: amounts are summed as
//! decimals and rounded to micro-dollars once.

pub mod actuals;
pub mod datadog;
mod dd_side;
use dd_side::{datadog_side, datadog_side_measured};
pub mod ddapi;
pub mod export;
pub mod focus_out;
pub mod groups;
pub mod showback;
pub mod usage_types;

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::prelude::*;
use serde::Serialize;

use crate::aws::costexplorer;
use crate::error::{Error, Result};
use crate::model::{Commitment, Component, Model, Path};
use crate::money::MicroUsd;
use crate::pricing::PriceBook;
use actuals::CachedActuals;
use datadog::DatadogUsage;

/// Both sides of the reconciliation, as every rendering shows it.
#[derive(Clone, Debug, Serialize)]
pub struct Reconciliation {
    pub month: String,
    /// Components whose variance exceeds this percentage (of the modeled cost) are flagged.
    pub threshold_percent: Decimal,
    /// `None` when `--actuals` was not asked for.
    pub aws: Option<AwsReconciliation>,
    /// `None` when no `--datadog-usage` file was given.
    pub datadog: Option<DatadogReconciliation>,
    /// Per log group, when the actuals come from a billing export (`--from cur2:|focus:|athena:`).
    pub groups: Option<groups::GroupReconciliation>,
}

/// The AWS bill (Cost Explorer) against the model's today.
#[derive(Clone, Debug, Serialize)]
pub struct AwsReconciliation {
    /// `reconciled`, `no_data` (Cost Explorer has nothing for the month: nothing is assumed to
    /// be zero) or `unavailable` (Cost Explorer could not be asked; `reason` says why).
    pub status: String,
    /// Where the billed side came from (flattened into this object in report.json).
    #[serde(flatten)]
    pub source: SourceInfo,
    pub reason: Option<String>,
    /// Cost Explorer requests this run made, and what they cost ($0.01 each).
    pub requests: u32,
    pub request_cost_usd: MicroUsd,
    /// The result was read from `cache_file` instead of asked for.
    pub from_cache: bool,
    pub cache_file: Option<String>,
    pub fetched_at: Option<String>,
    /// Cost Explorer marks the month's figures as estimated (the bill is not final).
    pub estimated: bool,
    /// The SERVICE values queried.
    pub services: Vec<String>,
    pub components: Vec<ComponentVariance>,
    pub total: Option<TotalVariance>,
    /// Billed usage types that map to no component, largest first.
    pub unmapped: Vec<UnmappedUsage>,
    pub unmapped_total_usd: MicroUsd,
    /// Billed in accounts the model does not cover (when grouped by linked account).
    pub other_accounts: Vec<OtherAccount>,
    pub notes: Vec<String>,
}

/// Datadog's estimated usage, priced with the model's prices, against the model's today.
#[derive(Clone, Debug, Serialize)]
pub struct DatadogReconciliation {
    pub file: String,
    pub rows_used: usize,
    pub rows_outside_period: usize,
    pub rows_other_metrics: usize,
    pub components: Vec<ComponentVariance>,
    pub total: Option<TotalVariance>,
    pub notes: Vec<String>,
}

/// One component, modeled against billed.
#[derive(Clone, Debug, Serialize)]
pub struct ComponentVariance {
    pub component: String,
    /// The model's unit for both quantities.
    pub unit: String,
    pub modeled_quantity: Decimal,
    /// `None` when nothing billed can be compared (see `basis`).
    pub billed_quantity: Option<Decimal>,
    /// For ingestion components: the snapshot's IncomingBytes of the groups it covers, GiB.
    pub sampled_gib: Option<Decimal>,
    /// Free-tier credits included.
    pub modeled_usd: MicroUsd,
    pub billed_usd: Option<MicroUsd>,
    /// Cost Explorer's NetUnblendedCost (after discounts), where present.
    pub billed_net_usd: Option<MicroUsd>,
    /// billed - modeled: positive when the bill is higher than the model.
    pub variance_usd: Option<MicroUsd>,
    /// variance / modeled x 100; `None` when the model has zero.
    pub variance_pct: Option<Decimal>,
    pub flagged: bool,
    /// The part of the variance the quantity explains: (billed - modeled quantity) x the
    /// model's effective rate.
    pub volume_effect_usd: Option<MicroUsd>,
    /// The rest: the rate billed differs from the rate modeled.
    pub price_effect_usd: Option<MicroUsd>,
    /// Usage types (or metrics) billed under this component.
    pub usage_types: Vec<String>,
    /// Where the billed side comes from.
    pub basis: String,
}

#[derive(Clone, Debug, Serialize)]
pub struct TotalVariance {
    pub modeled_usd: MicroUsd,
    pub billed_usd: MicroUsd,
    pub variance_usd: MicroUsd,
    pub variance_pct: Option<Decimal>,
    pub flagged: bool,
    pub volume_effect_usd: MicroUsd,
    pub price_effect_usd: MicroUsd,
}

#[derive(Clone, Debug, Serialize)]
pub struct UnmappedUsage {
    pub account_id: Option<String>,
    pub usage_type: String,
    pub region: String,
    /// As billed, in `unit`.
    pub quantity: Decimal,
    pub unit: String,
    pub billed_usd: MicroUsd,
    pub note: String,
}

/// Where the billed side came from, and what reading it cost.
#[derive(Clone, Debug, Serialize)]
pub struct SourceInfo {
    /// `cost_explorer`, `cur2`, `focus` or `athena`.
    pub source: String,
    /// `--from` as given (the export's location or Athena table); empty for Cost Explorer.
    pub source_location: String,
    /// What reading the source cost this run (Cost Explorer requests, S3 requests, Athena's
    /// scan; nothing when read from the cache).
    pub source_cost_usd: MicroUsd,
    /// One line saying what the source cost or where it was read from (export sources).
    pub source_line: Option<String>,
    /// Export lines that are not usage (credits, refunds, tax, fees, discounts), per line type:
    /// never counted as usage.
    pub excluded: Vec<ExcludedLines>,
}

impl Default for SourceInfo {
    fn default() -> Self {
        SourceInfo {
            source: "cost_explorer".into(),
            source_location: String::new(),
            source_cost_usd: MicroUsd::ZERO,
            source_line: None,
            excluded: Vec::new(),
        }
    }
}

#[derive(Clone, Debug, Serialize)]
pub struct ExcludedLines {
    pub line_type: String,
    pub lines: u64,
    pub billed_usd: MicroUsd,
}

#[derive(Clone, Debug, Serialize)]
pub struct OtherAccount {
    pub account_id: String,
    pub billed_usd: MicroUsd,
}

/// What the AWS side had to work with.
#[derive(Clone, Debug)]
pub enum AwsInput {
    /// A Cost Explorer result (fresh or cached).
    Result {
        actuals: Box<CachedActuals>,
        requests: u32,
        from_cache: bool,
        cache_file: String,
    },
    /// Cost Explorer answered that it has no data for the period (DataUnavailable).
    NoData { reason: String, requests: u32 },
    /// Cost Explorer could not be asked (AccessDenied, not enabled, no credentials, ...).
    Unavailable { reason: String, requests: u32 },
    /// A billing export's month (CUR 2.0, FOCUS 1.2 or Athena), fresh or cached.
    Export {
        actuals: Box<export::ExportActuals>,
        from_cache: bool,
        cache_file: String,
        /// What reading it cost, or where it was read from, in one line.
        line: String,
    },
}

/// The threshold from the config, as an exact decimal.
pub fn threshold(percent: f64) -> Result<Decimal> {
    Decimal::from_f64(percent)
        .filter(|d| !d.is_sign_negative())
        .map(|d| d.round_dp(4).normalize())
        .ok_or_else(|| {
            Error::Usage(format!(
                "reconcile.variance_threshold_percent = {percent}: must be a non-negative number"
            ))
        })
}

/// Reconcile the model's today with what was billed.
pub fn reconcile(
    model: &Model,
    book: &PriceBook,
    month: &str,
    threshold_percent: Decimal,
    aws: Option<AwsInput>,
    datadog: Option<&DatadogUsage>,
    measured: Option<&ddapi::Measured>,
) -> Result<Reconciliation> {
    let groups = match &aws {
        Some(AwsInput::Export { actuals, .. }) => {
            Some(groups::reconcile(model, actuals, threshold_percent))
        }
        _ => None,
    };
    let aws = aws
        .map(|a| aws_side(model, a, threshold_percent))
        .transpose()?;
    let datadog = match (datadog, measured) {
        (Some(u), _) => Some(datadog_side(model, book, u, threshold_percent)?),
        (None, Some(m)) => Some(datadog_side_measured(model, book, m, threshold_percent)?),
        (None, None) => None,
    };
    Ok(Reconciliation {
        month: month.to_string(),
        threshold_percent,
        aws,
        datadog,
        groups,
    })
}

fn usd(m: MicroUsd) -> Decimal {
    Decimal::from(m.0) / Decimal::from(1_000_000)
}

/// The component a free-tier credit reduces.
fn credited(c: Component) -> Component {
    use Component::*;
    match c {
        FreeTierIngest => CloudwatchIngest,
        FreeTierStorage => Storage,
        FreeTierScan => InsightsScan,
        FreeTierEgress => EgressInternet,
        FreeTierLambdaRequests => LambdaRequests,
        FreeTierLambdaDuration => LambdaDuration,
        WafLogAllowance => VendedIngest,
        other => other,
    }
}

fn is_credit(c: Component) -> bool {
    credited(c) != c
}

/// Components some usage type maps to (see [`usage_types::classify`]).
fn billable(c: Component) -> bool {
    use Component::*;
    matches!(
        c,
        CloudwatchIngest
            | CloudwatchIngestIa
            | VendedIngest
            | VendedIngestIa
            | Storage
            | InsightsScan
            | LambdaRequests
            | LambdaDuration
            | EgressInternet
            | PrivatelinkData
            | PrivatelinkEndpointHours
            | TransferInterRegion
            | VendedToFirehose
            | FirehoseIngest
    )
}

fn unit_of(c: Component) -> &'static str {
    use Component::*;
    match c {
        Storage => "GB-month",
        LambdaRequests => "1M requests",
        LambdaDuration => "GB-s",
        PrivatelinkEndpointHours => "endpoint-AZ-hour",
        DatadogIndex | DatadogFlex => "1M events",
        _ => "GB",
    }
}

/// Modeled today, per component (credits folded into the component they reduce): gross
/// quantity, net cost.
#[derive(Default)]
struct Modeled {
    quantity: Decimal,
    cost: MicroUsd,
    unit: Option<&'static str>,
}

fn modeled(model: &Model) -> BTreeMap<Component, Modeled> {
    let mut out: BTreeMap<Component, Modeled> = BTreeMap::new();
    for t in &model.today_components {
        let c = credited(t.component);
        let e = out.entry(c).or_default();
        e.cost = e.cost + t.cost;
        if !is_credit(t.component) {
            e.quantity += t.quantity;
            e.unit.get_or_insert(t.unit);
        }
    }
    out
}

/// The snapshot's IncomingBytes (GiB) of the groups an ingestion component covers today.
fn sampled_gib(model: &Model, c: Component) -> Option<Decimal> {
    let want: Box<dyn Fn(&crate::model::Derived) -> bool> = match c {
        Component::CloudwatchIngest
        | Component::CloudwatchIngestIa
        | Component::VendedIngest
        | Component::VendedIngestIa => Box::new(move |d| d.ingest_component() == c),
        Component::DatadogIngest => Box::new(|d| d.today != Path::Cloudwatch),
        _ => return None,
    };
    Some(
        model
            .derived
            .iter()
            .filter(|d| want(d))
            .map(|d| d.gib_in)
            .sum::<Decimal>()
            .round_dp(6),
    )
}

/// variance, percentage and flag of `billed` against `modeled`.
pub(crate) fn variance(
    modeled: MicroUsd,
    billed: MicroUsd,
    threshold: Decimal,
) -> (MicroUsd, Option<Decimal>, bool) {
    let v = billed - modeled;
    if modeled.0 == 0 {
        return (v, None, v.0 != 0);
    }
    let mut pct = (Decimal::from(v.0) * Decimal::from(100) / Decimal::from(modeled.0.abs()))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    pct.rescale(2);
    (v, Some(pct), pct.abs() > threshold)
}

/// Split a variance into volume and price: the volume part is the quantity difference at the
/// model's effective rate (net cost / gross quantity); the price part is the rest.
pub(crate) fn effects(
    modeled_qty: Decimal,
    modeled_cost: MicroUsd,
    billed_qty: Decimal,
    v: MicroUsd,
) -> (MicroUsd, MicroUsd) {
    if modeled_qty.is_zero() {
        return (v, MicroUsd::ZERO);
    }
    let volume = MicroUsd::from_usd((billed_qty - modeled_qty) * usd(modeled_cost) / modeled_qty);
    (volume, v - volume)
}

#[allow(clippy::too_many_arguments)]
fn component_row(
    c: Component,
    m: Option<&Modeled>,
    billed: Option<(Decimal, MicroUsd, Option<MicroUsd>)>,
    sampled: Option<Decimal>,
    usage_types: Vec<String>,
    basis: String,
    threshold: Decimal,
) -> ComponentVariance {
    let (mq, mc, unit) = match m {
        Some(m) => (m.quantity, m.cost, m.unit.unwrap_or(unit_of(c))),
        None => (Decimal::ZERO, MicroUsd::ZERO, unit_of(c)),
    };
    let mut row = ComponentVariance {
        component: c.name().to_string(),
        unit: unit.to_string(),
        modeled_quantity: mq.round_dp(6).normalize(),
        billed_quantity: None,
        sampled_gib: sampled.map(|s| s.normalize()),
        modeled_usd: mc,
        billed_usd: None,
        billed_net_usd: None,
        variance_usd: None,
        variance_pct: None,
        flagged: false,
        volume_effect_usd: None,
        price_effect_usd: None,
        usage_types,
        basis,
    };
    if let Some((bq, bc, net)) = billed {
        let (v, pct, flagged) = variance(mc, bc, threshold);
        let (vol, price) = effects(mq, mc, bq, v);
        row.billed_quantity = Some(bq.round_dp(6).normalize());
        row.billed_usd = Some(bc);
        row.billed_net_usd = net;
        row.variance_usd = Some(v);
        row.variance_pct = pct;
        row.flagged = flagged;
        row.volume_effect_usd = Some(vol);
        row.price_effect_usd = Some(price);
    }
    row
}

fn total_of(rows: &[ComponentVariance], threshold: Decimal) -> TotalVariance {
    let compared: Vec<&ComponentVariance> =
        rows.iter().filter(|r| r.billed_usd.is_some()).collect();
    let modeled: MicroUsd = rows.iter().map(|r| r.modeled_usd).sum();
    let billed: MicroUsd = compared.iter().filter_map(|r| r.billed_usd).sum();
    let (v, pct, flagged) = variance(modeled, billed, threshold);
    let volume: MicroUsd = compared.iter().filter_map(|r| r.volume_effect_usd).sum();
    TotalVariance {
        modeled_usd: modeled,
        billed_usd: billed,
        variance_usd: v,
        variance_pct: pct,
        flagged,
        volume_effect_usd: volume,
        price_effect_usd: v - volume,
    }
}

/// The source's name in sentences.
fn source_name(source: &str) -> &'static str {
    match source {
        "cur2" => "The CUR 2.0 export",
        "focus" => "The FOCUS export",
        "athena" => "The Athena query",
        _ => "Cost Explorer",
    }
}

/// Which columns the billed side sums.
fn billed_basis(source: &str) -> String {
    match source {
        "cur2" | "athena" => {
            "CUR 2.0 line_item_unblended_cost and line_item_usage_amount of usage lines"
        }
        "focus" => "FOCUS BilledCost and ConsumedQuantity of usage charges",
        _ => "Cost Explorer UnblendedCost and UsageQuantity",
    }
    .into()
}

fn aws_side(model: &Model, input: AwsInput, threshold: Decimal) -> Result<AwsReconciliation> {
    let services: Vec<String> = costexplorer::SERVICES
        .iter()
        .map(|s| s.to_string())
        .chain(std::iter::once(format!(
            "{} ({} only)",
            costexplorer::EC2_OTHER,
            costexplorer::EC2_INTERNET_OUT_GROUP
        )))
        .collect();
    let mut side = AwsReconciliation {
        status: String::new(),
        source: SourceInfo::default(),
        reason: None,
        requests: 0,
        request_cost_usd: MicroUsd::ZERO,
        from_cache: false,
        cache_file: None,
        fetched_at: None,
        estimated: false,
        services,
        components: Vec::new(),
        total: None,
        unmapped: Vec::new(),
        unmapped_total_usd: MicroUsd::ZERO,
        other_accounts: Vec::new(),
        notes: Vec::new(),
    };
    let (rows, hours, grouped_by_account) = match input {
        AwsInput::Unavailable { reason, requests } => {
            side.status = "unavailable".into();
            side.reason = Some(reason);
            side.requests = requests;
            side.request_cost_usd = costexplorer::requests_cost(requests);
            return Ok(side);
        }
        AwsInput::NoData { reason, requests } => {
            side.status = "no_data".into();
            side.reason = Some(reason);
            side.requests = requests;
            side.request_cost_usd = costexplorer::requests_cost(requests);
            return Ok(side);
        }
        AwsInput::Result {
            actuals,
            requests,
            from_cache,
            cache_file,
        } => {
            side.requests = requests;
            side.request_cost_usd = costexplorer::requests_cost(requests);
            side.source.source_cost_usd = side.request_cost_usd;
            side.from_cache = from_cache;
            side.cache_file = Some(cache_file.clone());
            side.fetched_at = Some(actuals.fetched_at.clone());
            side.estimated = actuals.estimated();
            if !actuals.has_data() {
                side.status = "no_data".into();
                side.reason = Some(format!(
                    "Cost Explorer returned no usage for {} to {} (exclusive) in the queried \
                     services; nothing is assumed to be zero",
                    actuals.query.start, actuals.query.end
                ));
                return Ok(side);
            }
            let rows = actuals.billed_rows().map_err(|m| Error::Input {
                path: cache_file.clone().into(),
                message: m,
            })?;
            (rows, actuals.hours()?, actuals.query.by_account())
        }
        AwsInput::Export {
            actuals,
            from_cache,
            cache_file,
            line,
        } => {
            side.source.source = match (actuals.kind, actuals.source.starts_with("athena:")) {
                (_, true) => "athena",
                (export::Kind::Cur2, false) => "cur2",
                (export::Kind::Focus, false) => "focus",
            }
            .into();
            side.source.source_location = actuals.source.clone();
            side.source.source_cost_usd = if from_cache {
                MicroUsd::ZERO
            } else {
                actuals.cost.cost_usd
            };
            side.source.source_line = Some(line);
            side.from_cache = from_cache;
            side.cache_file = Some(cache_file);
            side.fetched_at = Some(actuals.fetched_at.clone());
            side.services =
                std::iter::once(format!("{} (every usage type)", export::CLOUDWATCH_PRODUCT))
                    .chain(
                        export::PATH_PRODUCTS
                            .iter()
                            .map(|p| format!("{p} (mapped usage types)")),
                    )
                    .collect();
            side.source.excluded = actuals
                .excluded()
                .into_iter()
                .map(|(line_type, lines, d)| ExcludedLines {
                    line_type,
                    lines,
                    billed_usd: MicroUsd::from_usd(d),
                })
                .collect();
            if !side.source.excluded.is_empty() {
                side.notes.push(format!(
                    "Lines that are not usage are never counted: {}.",
                    side.source
                        .excluded
                        .iter()
                        .map(|e| format!("{} {} ({} lines)", e.line_type, e.billed_usd, e.lines))
                        .collect::<Vec<_>>()
                        .join(", ")
                ));
            }
            let rows = actuals.billed_rows();
            if rows.is_empty() {
                side.status = "no_data".into();
                side.reason = Some(format!(
                    "the {} export has no usage lines for {} in the products logplan reads; \
                     nothing is assumed to be zero",
                    actuals.kind.label(),
                    actuals.month
                ));
                return Ok(side);
            }
            (rows, actuals.hours()?, true)
        }
    };
    side.status = "reconciled".into();

    // Rows of accounts the model does not cover are set aside, not reconciled.
    let model_accounts: BTreeSet<&str> = model.accounts.iter().map(String::as_str).collect();
    let mut others: BTreeMap<String, Decimal> = BTreeMap::new();
    let mut ours = Vec::new();
    for r in rows {
        match &r.account {
            Some(a) if !model_accounts.contains(a.as_str()) => {
                *others.entry(a.clone()).or_default() += r.unblended;
            }
            _ => ours.push(r),
        }
    }
    side.other_accounts = others
        .into_iter()
        .map(|(account_id, d)| OtherAccount {
            account_id,
            billed_usd: MicroUsd::from_usd(d),
        })
        .collect();
    if !side.other_accounts.is_empty() {
        side.notes.push(format!(
            "{} billed {} other account(s) the snapshot does not cover ({}); they are listed \
             apart and not reconciled.",
            source_name(&side.source.source),
            side.other_accounts.len(),
            side.other_accounts
                .iter()
                .map(|o| format!("{} {}", o.account_id, o.billed_usd))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !grouped_by_account && model.accounts.len() <= 1 {
        side.notes.push(
            "Cost Explorer answered for the credentials' view without grouping by account: with \
             an organization's management account that is every member account."
                .into(),
        );
    }

    let billed = actuals::by_component(&ours, hours);
    // Billed regions the snapshot did not sample: a likely reason for a gap.
    let sampled_regions: BTreeSet<&str> = model.regions.iter().map(String::as_str).collect();
    let mut outside: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in &ours {
        if r.usage.component.is_some() && !sampled_regions.contains(r.usage.region.as_str()) {
            *outside.entry(r.usage.region.clone()).or_default() += r.unblended;
        }
    }
    if !outside.is_empty() {
        side.notes.push(format!(
            "Billed in regions the snapshot did not sample (included above, modeled as nothing): {}.",
            outside
                .iter()
                .map(|(r, d)| format!("{r} {}", MicroUsd::from_usd(*d)))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    let modeled = modeled(model);
    let components: BTreeSet<Component> = modeled
        .keys()
        .copied()
        .filter(|c| !c.is_datadog())
        .chain(billed.keys().copied())
        .collect();
    for c in components {
        let m = modeled.get(&c);
        let row = if let Some(b) = billed.get(&c) {
            component_row(
                c,
                m,
                Some((
                    b.quantity,
                    MicroUsd::from_usd(b.unblended),
                    b.net_unblended.map(MicroUsd::from_usd),
                )),
                sampled_gib(model, c),
                b.usage_types.iter().cloned().collect(),
                billed_basis(&side.source.source),
                threshold,
            )
        } else if billable(c) {
            component_row(
                c,
                m,
                Some((Decimal::ZERO, MicroUsd::ZERO, None)),
                sampled_gib(model, c),
                vec![],
                "no usage billed under this component's usage types".into(),
                threshold,
            )
        } else {
            component_row(
                c,
                m,
                None,
                sampled_gib(model, c),
                vec![],
                "no Cost Explorer usage type maps to this component".into(),
                threshold,
            )
        };
        side.components.push(row);
    }
    if side
        .components
        .iter()
        .any(|r| r.component == "egress_internet")
    {
        side.notes.push(
            "Internet egress, Lambda and Firehose are billed for the whole account: other \
             workloads' usage of them shows as variance."
                .into(),
        );
    }
    side.total = Some(total_of(&side.components, threshold));

    let mut unmapped: Vec<UnmappedUsage> = ours
        .iter()
        .filter(|r| r.usage.component.is_none())
        .map(|r| UnmappedUsage {
            account_id: r.account.clone(),
            usage_type: r.usage.usage_type.clone(),
            region: r.usage.region.clone(),
            quantity: r.quantity.normalize(),
            unit: r.unit.clone(),
            billed_usd: MicroUsd::from_usd(r.unblended),
            note: r.usage.note.unwrap_or("").to_string(),
        })
        .collect();
    unmapped.sort_by(|a, b| {
        b.billed_usd
            .cmp(&a.billed_usd)
            .then(a.usage_type.cmp(&b.usage_type))
    });
    side.unmapped_total_usd = MicroUsd::from_usd(
        ours.iter()
            .filter(|r| r.usage.component.is_none())
            .map(|r| r.unblended)
            .sum(),
    );
    side.unmapped = unmapped;
    if side.estimated {
        side.notes.push(
            "Cost Explorer marks this month as estimated: the bill is not final; rerun with \
             --refresh once it is."
                .into(),
        );
    }
    Ok(side)
}

#[cfg(test)]
mod tests;
