//! Per-log-group reconciliation: CloudWatch Logs lines of a billing export carry the log group's
//! ARN, so each group's billed ingestion and storage can be set against the model's today for
//! that group (the today scenario's lines, before the account-level free-tier credits). Only the
//! components the export bills per log group are compared per group (a component with no
//! log-group line anywhere in the export, such as egress or the forwarder's Lambda, stays in
//! the per-account, per-region component table). Groups billed but absent from the snapshot,
//! and groups of billed accounts the snapshot has but the bill never names, are listed.

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::Serialize;

use super::export::ExportActuals;
use super::usage_types;
use super::{effects, variance};
use crate::aws::tagging::parse_log_group_arn;
use crate::model::{Component, Model};
use crate::money::MicroUsd;

/// How many groups the report shows in each list (the CSV has them all).
pub const SHOWN: usize = 25;

/// (account, region, log group)
pub type GroupKey = (String, String, String);

/// One group and component, modeled against billed.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GroupVariance {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    /// A component name, or `total` for the group's compared components together.
    pub component: String,
    pub unit: String,
    pub modeled_quantity: Decimal,
    pub billed_quantity: Decimal,
    pub modeled_usd: MicroUsd,
    pub billed_usd: MicroUsd,
    pub billed_net_usd: Option<MicroUsd>,
    /// billed - modeled.
    pub variance_usd: MicroUsd,
    /// variance / modeled x 100; `None` when nothing was modeled.
    pub variance_pct: Option<Decimal>,
    pub flagged: bool,
    pub volume_effect_usd: MicroUsd,
    pub price_effect_usd: MicroUsd,
    /// `volume` (the quantity explains most of the gap), `price` (the rate does),
    /// `not_billed` (modeled, never billed), `not_modeled` (billed, not in the snapshot) or
    /// `none` (no gap).
    pub likely_reason: String,
    /// `matched`, `not_in_snapshot` or `never_billed`.
    pub status: String,
}

/// A group the bill names and the snapshot does not (or the reverse), with what it cost.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct UnmatchedGroup {
    pub account_id: String,
    pub region: String,
    pub log_group: String,
    pub usd: MicroUsd,
}

/// The per-group comparison, as the report shows it.
#[derive(Clone, Debug, Serialize)]
pub struct GroupReconciliation {
    /// Components compared per group (those the export bills per log group).
    pub components: Vec<String>,
    pub groups_compared: usize,
    /// The groups whose billed cost differs most from the model (by |variance| of their
    /// total), at most [`SHOWN`], each total followed by its components.
    pub top: Vec<GroupVariance>,
    pub billed_not_in_snapshot: Vec<UnmatchedGroup>,
    pub billed_not_in_snapshot_count: usize,
    pub billed_not_in_snapshot_usd: MicroUsd,
    pub never_billed: Vec<UnmatchedGroup>,
    pub never_billed_count: usize,
    pub never_billed_usd: MicroUsd,
    pub notes: Vec<String>,
    /// Every row, for `reconciliation_groups.csv` (not in report.json: an organization has
    /// hundreds of thousands).
    #[serde(skip)]
    pub rows: Vec<GroupVariance>,
}

#[derive(Default, Clone)]
struct Side {
    quantity: Decimal,
    cost: Decimal,
    net: Option<Decimal>,
    unit: Option<String>,
}

fn unit_of(c: Component) -> &'static str {
    match c {
        Component::Storage => "GB-month",
        _ => "GB",
    }
}

fn reason(modeled: &Side, billed: &Side, v: MicroUsd, vol: MicroUsd, price: MicroUsd) -> String {
    let has = |s: &Side| !s.quantity.is_zero() || !s.cost.is_zero();
    match (has(modeled), has(billed)) {
        (true, false) => "not_billed",
        (false, true) => "not_modeled",
        _ if v.0 == 0 => "none",
        _ if vol.0.abs() >= price.0.abs() => "volume",
        _ => "price",
    }
    .to_string()
}

#[allow(clippy::too_many_arguments)]
fn row(
    key: &GroupKey,
    component: &str,
    unit: &str,
    modeled: &Side,
    billed: &Side,
    status: &str,
    threshold: Decimal,
) -> GroupVariance {
    let mc = MicroUsd::from_usd(modeled.cost);
    let bc = MicroUsd::from_usd(billed.cost);
    let (v, pct, flagged) = variance(mc, bc, threshold);
    let (vol, price) = effects(modeled.quantity, mc, billed.quantity, v);
    GroupVariance {
        account_id: key.0.clone(),
        region: key.1.clone(),
        log_group: key.2.clone(),
        component: component.to_string(),
        unit: unit.to_string(),
        modeled_quantity: modeled.quantity.round_dp(6).normalize(),
        billed_quantity: billed.quantity.round_dp(6).normalize(),
        modeled_usd: mc,
        billed_usd: bc,
        billed_net_usd: billed.net.map(MicroUsd::from_usd),
        variance_usd: v,
        variance_pct: pct,
        flagged,
        volume_effect_usd: vol,
        price_effect_usd: price,
        likely_reason: reason(modeled, billed, v, vol, price),
        status: status.to_string(),
    }
}

/// Compare every group the export names or the model holds.
pub fn reconcile(model: &Model, export: &ExportActuals, threshold: Decimal) -> GroupReconciliation {
    // The export holds the model's month (its rows were checked against it).
    let hours = (model.month.days() * 24) as u32;
    // Billed, per group and component, from usage lines carrying a log group ARN.
    let mut billed: BTreeMap<GroupKey, BTreeMap<Component, Side>> = BTreeMap::new();
    let mut per_group_components: BTreeSet<Component> = BTreeSet::new();
    for r in export.rows.iter().filter(|r| export.is_usage(r)) {
        let Some(key) = parse_log_group_arn(&r.resource_id) else {
            continue;
        };
        let u = usage_types::classify(&r.usage_type);
        let Some(c) = u.component else { continue };
        per_group_components.insert(c);
        let s = billed.entry(key).or_default().entry(c).or_default();
        s.quantity += usage_types::convert(r.usage_amount, &r.unit, u.conversion, hours);
        s.cost += r.unblended;
        if let Some(n) = r.net_unblended {
            *s.net.get_or_insert(Decimal::ZERO) += n;
        }
    }
    // Modeled: today's lines of each group, in the components the export bills per group.
    let mut modeled: BTreeMap<GroupKey, BTreeMap<Component, Side>> = BTreeMap::new();
    let mut model_keys: BTreeSet<GroupKey> = BTreeSet::new();
    for g in &model.groups {
        model_keys.insert((g.account_id.clone(), g.region.clone(), g.log_group.clone()));
    }
    for l in &model.today_lines {
        let Some(gi) = l.group else { continue };
        if !per_group_components.contains(&l.component) {
            continue;
        }
        let g = &model.groups[gi as usize];
        let key = (g.account_id.clone(), g.region.clone(), g.log_group.clone());
        let s = modeled
            .entry(key)
            .or_default()
            .entry(l.component)
            .or_default();
        s.quantity += l.quantity;
        s.cost += Decimal::from(l.cost.0) / Decimal::from(1_000_000);
        s.unit.get_or_insert_with(|| l.unit.to_string());
    }
    let billed_accounts: BTreeSet<String> = export
        .rows
        .iter()
        .map(|r| r.usage_account_id.clone())
        .collect();

    let mut rows = Vec::new();
    let mut totals: Vec<(GroupVariance, Vec<GroupVariance>)> = Vec::new();
    let mut not_in_snapshot = Vec::new();
    let mut never_billed = Vec::new();
    let keys: BTreeSet<GroupKey> = billed.keys().chain(modeled.keys()).cloned().collect();
    let empty = BTreeMap::new();
    for key in keys {
        let b = billed.get(&key).unwrap_or(&empty);
        let m = modeled.get(&key).unwrap_or(&empty);
        let in_model = model_keys.contains(&key);
        let status = match (in_model, !b.is_empty()) {
            (false, _) => "not_in_snapshot",
            (true, false) => "never_billed",
            (true, true) => "matched",
        };
        if status == "never_billed" && !billed_accounts.contains(&key.0) {
            // The export does not cover this account at all: nothing can be said.
            continue;
        }
        let comps: BTreeSet<Component> = b.keys().chain(m.keys()).copied().collect();
        let mut total_m = Side::default();
        let mut total_b = Side::default();
        let mut parts = Vec::new();
        for c in comps {
            let ms = m.get(&c).cloned().unwrap_or_default();
            let bs = b.get(&c).cloned().unwrap_or_default();
            total_m.cost += ms.cost;
            total_b.cost += bs.cost;
            if let Some(n) = bs.net {
                *total_b.net.get_or_insert(Decimal::ZERO) += n;
            }
            let unit = ms.unit.clone().unwrap_or_else(|| unit_of(c).to_string());
            parts.push(row(&key, c.name(), &unit, &ms, &bs, status, threshold));
        }
        // A total's volume effect is the sum of its components' (quantities of different
        // units do not add).
        let mut total = row(&key, "total", "USD", &total_m, &total_b, status, threshold);
        total.modeled_quantity = Decimal::ZERO;
        total.billed_quantity = Decimal::ZERO;
        total.volume_effect_usd = parts.iter().map(|p| p.volume_effect_usd).sum();
        total.price_effect_usd = total.variance_usd - total.volume_effect_usd;
        total.likely_reason = match status {
            "matched" if total.variance_usd.0 == 0 => "none".into(),
            "matched" => parts
                .iter()
                .max_by_key(|p| p.variance_usd.0.abs())
                .map(|p| p.likely_reason.clone())
                .unwrap_or_default(),
            "never_billed" => "not_billed".into(),
            _ => "not_modeled".into(),
        };
        match status {
            "not_in_snapshot" => not_in_snapshot.push(UnmatchedGroup {
                account_id: key.0.clone(),
                region: key.1.clone(),
                log_group: key.2.clone(),
                usd: total.billed_usd,
            }),
            "never_billed" => never_billed.push(UnmatchedGroup {
                account_id: key.0.clone(),
                region: key.1.clone(),
                log_group: key.2.clone(),
                usd: total.modeled_usd,
            }),
            _ => {}
        }
        rows.push(total.clone());
        rows.extend(parts.iter().cloned());
        totals.push((total, parts));
    }
    let groups_compared = totals.iter().filter(|(t, _)| t.status == "matched").count();
    totals.retain(|(t, _)| t.status == "matched");
    totals.sort_by(|a, b| {
        b.0.variance_usd
            .0
            .abs()
            .cmp(&a.0.variance_usd.0.abs())
            .then_with(|| (&a.0.account_id, &a.0.log_group).cmp(&(&b.0.account_id, &b.0.log_group)))
    });
    let top: Vec<GroupVariance> = totals
        .into_iter()
        .take(SHOWN)
        .flat_map(|(t, parts)| std::iter::once(t).chain(parts))
        .collect();
    let by_usd = |v: &mut Vec<UnmatchedGroup>| {
        v.sort_by(|a, b| {
            b.usd
                .cmp(&a.usd)
                .then_with(|| a.log_group.cmp(&b.log_group))
        });
    };
    by_usd(&mut not_in_snapshot);
    by_usd(&mut never_billed);
    let mut notes = Vec::new();
    if !export.has_resource_ids {
        notes.push(
            "The export has no resource ids (it was made without INCLUDE_RESOURCES): no line \
             names a log group, so nothing is compared per group."
                .into(),
        );
    } else if per_group_components.is_empty() {
        notes.push("No usage line of the export names a log group.".into());
    }
    GroupReconciliation {
        components: per_group_components
            .iter()
            .map(|c| c.name().to_string())
            .collect(),
        groups_compared,
        top,
        billed_not_in_snapshot_count: not_in_snapshot.len(),
        billed_not_in_snapshot_usd: not_in_snapshot.iter().map(|g| g.usd).sum(),
        billed_not_in_snapshot: not_in_snapshot.into_iter().take(SHOWN).collect(),
        never_billed_count: never_billed.len(),
        never_billed_usd: never_billed.iter().map(|g| g.usd).sum(),
        never_billed: never_billed.into_iter().take(SHOWN).collect(),
        notes,
        rows,
    }
}

/// `reconciliation_groups.csv`: every group and component (and each group's total).
pub fn write_csv(g: &GroupReconciliation, out: impl std::io::Write) -> csv::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "account_id",
        "region",
        "log_group",
        "status",
        "component",
        "unit",
        "modeled_quantity",
        "billed_quantity",
        "modeled_usd",
        "billed_usd",
        "billed_net_usd",
        "variance_usd",
        "variance_pct",
        "flagged",
        "volume_effect_usd",
        "price_effect_usd",
        "likely_reason",
    ])?;
    for r in &g.rows {
        let total = r.component == "total";
        let qty = |d: Decimal| if total { String::new() } else { d.to_string() };
        w.write_record([
            r.account_id.as_str(),
            &r.region,
            &r.log_group,
            &r.status,
            &r.component,
            &r.unit,
            &qty(r.modeled_quantity),
            &qty(r.billed_quantity),
            &r.modeled_usd.to_decimal(6),
            &r.billed_usd.to_decimal(6),
            &r.billed_net_usd
                .map(|m| m.to_decimal(6))
                .unwrap_or_default(),
            &r.variance_usd.to_decimal(6),
            &r.variance_pct.map(|p| p.to_string()).unwrap_or_default(),
            if r.flagged { "true" } else { "false" },
            &r.volume_effect_usd.to_decimal(6),
            &r.price_effect_usd.to_decimal(6),
            &r.likely_reason,
        ])?;
    }
    w.flush()?;
    Ok(())
}
