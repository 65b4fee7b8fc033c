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
}

/// The AWS bill (Cost Explorer) against the model's today.
#[derive(Clone, Debug, Serialize)]
pub struct AwsReconciliation {
    /// `reconciled`, `no_data` (Cost Explorer has nothing for the month: nothing is assumed to
    /// be zero) or `unavailable` (Cost Explorer could not be asked; `reason` says why).
    pub status: String,
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
) -> Result<Reconciliation> {
    let aws = aws
        .map(|a| aws_side(model, a, threshold_percent))
        .transpose()?;
    let datadog = datadog
        .map(|u| datadog_side(model, book, u, threshold_percent))
        .transpose()?;
    Ok(Reconciliation {
        month: month.to_string(),
        threshold_percent,
        aws,
        datadog,
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
fn variance(
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
fn effects(
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
    let (actuals, requests, from_cache, cache_file) = match input {
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
        } => (*actuals, requests, from_cache, cache_file),
    };
    side.requests = requests;
    side.request_cost_usd = costexplorer::requests_cost(requests);
    side.from_cache = from_cache;
    side.cache_file = Some(cache_file.clone());
    side.fetched_at = Some(actuals.fetched_at.clone());
    side.estimated = actuals.estimated();
    if !actuals.has_data() {
        side.status = "no_data".into();
        side.reason = Some(format!(
            "Cost Explorer returned no usage for {} to {} (exclusive) in the queried services; \
             nothing is assumed to be zero",
            actuals.query.start, actuals.query.end
        ));
        return Ok(side);
    }
    side.status = "reconciled".into();
    let rows = actuals.billed_rows().map_err(|m| Error::Input {
        path: cache_file.clone().into(),
        message: m,
    })?;
    let hours = actuals.hours();

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
            "Cost Explorer billed {} other account(s) the snapshot does not cover ({}); they are \
             listed apart and not reconciled.",
            side.other_accounts.len(),
            side.other_accounts
                .iter()
                .map(|o| format!("{} {}", o.account_id, o.billed_usd))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }
    if !actuals.query.by_account() && model.accounts.len() <= 1 {
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
                "Cost Explorer UnblendedCost and UsageQuantity".into(),
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

fn datadog_side(
    model: &Model,
    book: &PriceBook,
    u: &DatadogUsage,
    threshold: Decimal,
) -> Result<DatadogReconciliation> {
    let s = &model.scenario;
    let premium = match s.commitment {
        Commitment::Annual => Decimal::ONE,
        Commitment::OnDemand => book.get("datadog.on_demand_premium", "us-east-1")?.flat(),
    };
    let ingest_price = book.get("datadog.ingest", "us-east-1")?.flat();
    let index_price = book.get(s.index_price_id(), "us-east-1")?.flat() * premium;
    let modeled = modeled(model);
    // Datadog's GB as the scenario takes it (10^9 by default), as the model priced it.
    let gib = Decimal::from(s.datadog_gb.bytes());
    let million = Decimal::from(1_000_000);
    let mut notes = Vec::new();
    let mut components = Vec::new();

    let ingest = u.ingested_bytes.map(|b| {
        let q = b / gib;
        (q, MicroUsd::from_usd(q * ingest_price), None)
    });
    components.push(component_row(
        Component::DatadogIngest,
        modeled.get(&Component::DatadogIngest),
        ingest,
        sampled_gib(model, Component::DatadogIngest),
        vec![datadog::INGESTED_BYTES.to_string()],
        match ingest {
            Some(_) => format!(
                "Datadog ingested bytes x the model's ${} per GB",
                ingest_price.normalize()
            ),
            None => format!("no {} datapoints in the file", datadog::INGESTED_BYTES),
        },
        threshold,
    ));

    let indexed = match (u.indexed_events, u.ingested_events) {
        (Some(i), _) => Some((
            i,
            "events not excluded (datadog_is_excluded:false)".to_string(),
        )),
        (None, Some(e)) => {
            notes.push(format!(
                "The file has no datadog_is_excluded column: indexed events are taken as the \
                 model's indexed_fraction ({}) of the ingested events.",
                s.indexed_fraction
            ));
            Some((
                e * s.indexed_fraction,
                format!("ingested events x indexed_fraction {}", s.indexed_fraction),
            ))
        }
        (None, None) => None,
    };
    let index = indexed.as_ref().map(|(events, _)| {
        let q = *events / million;
        (q, MicroUsd::from_usd(q * index_price), None)
    });
    components.push(component_row(
        Component::DatadogIndex,
        modeled.get(&Component::DatadogIndex),
        index,
        None,
        vec![datadog::INGESTED_EVENTS.to_string()],
        match &indexed {
            Some((_, how)) => format!(
                "{how} x the model's ${} per 1M events",
                index_price.normalize()
            ),
            None => format!("no {} datapoints in the file", datadog::INGESTED_EVENTS),
        },
        threshold,
    ));
    if u.rows_outside_period > 0 || u.rows_other_metrics > 0 || u.rows_empty > 0 {
        notes.push(format!(
            "{} datapoints used; skipped {} outside the month, {} of other metrics, {} empty.",
            u.rows_used, u.rows_outside_period, u.rows_other_metrics, u.rows_empty
        ));
    }
    if modeled
        .get(&Component::DatadogIngest)
        .is_none_or(|m| m.quantity.is_zero())
    {
        notes.push(
            "No log group is forwarded to Datadog today in the snapshot, so the model has no \
             Datadog cost to compare."
                .into(),
        );
    }
    let total = total_of(&components, threshold);
    Ok(DatadogReconciliation {
        file: u.path.display().to_string(),
        rows_used: u.rows_used,
        rows_outside_period: u.rows_outside_period,
        rows_other_metrics: u.rows_other_metrics,
        components,
        total: Some(total),
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(v: i64) -> MicroUsd {
        MicroUsd(v)
    }

    #[test]
    fn variance_percent_and_flag() {
        let t = Decimal::from(10);
        assert_eq!(
            variance(m(12_500_000), m(16_250_000), t),
            (m(3_750_000), Some(Decimal::from(30)), true)
        );
        assert_eq!(
            variance(m(30_000), m(30_000), t),
            (m(0), Some(Decimal::ZERO), false)
        );
        // Exactly at the threshold is not above it.
        assert!(!variance(m(100), m(110), t).2);
        // Nothing modeled: no percentage; flagged when something was billed.
        assert_eq!(variance(m(0), m(50_000), t), (m(50_000), None, true));
        assert_eq!(variance(m(0), m(0), t), (m(0), None, false));
    }

    #[test]
    fn volume_and_price_effects_add_up() {
        let d = |s: &str| s.parse::<Decimal>().unwrap();
        // 30 GB modeled for $12.50, 37.5 GB billed for $16.25.
        let (vol, price) = effects(d("30"), m(12_500_000), d("37.5"), m(3_750_000));
        assert_eq!(vol, m(3_125_000));
        assert_eq!(price, m(625_000));
        let (vol, price) = effects(Decimal::ZERO, m(0), d("10"), m(50_000));
        assert_eq!((vol, price), (m(50_000), m(0)));
    }

    #[test]
    fn credits_fold_into_their_component() {
        assert_eq!(
            credited(Component::FreeTierIngest),
            Component::CloudwatchIngest
        );
        assert_eq!(
            credited(Component::FreeTierEgress),
            Component::EgressInternet
        );
        assert!(is_credit(Component::FreeTierLambdaDuration));
        assert!(!is_credit(Component::Storage));
        assert!(!billable(Component::EgressSameRegion));
        assert!(threshold(-1.0).is_err());
        assert_eq!(threshold(10.0).unwrap(), Decimal::from(10));
    }
}
