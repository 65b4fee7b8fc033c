//! One scenario's bill: every group priced on the path a scenario gives it, then the
//! account-level parts (tiered pools allocated back, PrivateLink endpoints, free-tier credits).
//! Each account-level line stays one line (reconciliation compares it with the bill) and is
//! allocated to the groups that cause it ([`Shared`], exact to the micro-dollar), so a group's
//! total on a path includes its share and the groups' totals add up to the scenario's.
//! [`price_scenario`] is the loop; the path modules write the group lines through [`Bill::flat`]
//! (a flat price), [`Pools::add`] (a tiered price, settled per account and region) and
//! [`FreeTierUse::add`] (usage that a free tier may cover).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::allocate::allocate;
use super::free_tier::FreeTierUse;
use super::line::unit_of;
use super::pools::Pools;
use super::prices::Prices;
use super::{
    Commitment, Component, Derived, Line, Path, Scenario, cloudwatch, firehose, forwarder, hybrid,
    privatelink,
};
use crate::error::Result;
use crate::money::MicroUsd;

/// One group as a path module sees it: its derived volumes, where it is, the path it is priced
/// on, and the scenario.
pub(super) struct GroupCtx<'a> {
    pub scenario: &'a Scenario,
    pub derived: &'a Derived,
    pub path: Path,
    /// Index into the model's groups.
    pub group: u32,
    /// Indexes into the model's accounts and regions.
    pub account: u32,
    pub region: u32,
    pub region_name: &'a str,
    /// Today's scenario: measured storage is kept even on forwarded paths (the
    /// retention-while-forwarded setting is a what-if).
    pub today: bool,
    /// Datadog's multiplier on prices that differ on demand (1 under an annual commitment).
    pub premium: Decimal,
}

/// The lines and account-level usage a scenario collects while its groups are priced.
#[derive(Default)]
pub(super) struct Bill {
    pub lines: Vec<Line>,
    pub pools: Pools,
    pub free: FreeTierUse,
    /// (account, region) pairs that need a PrivateLink endpoint, with the groups that use it
    /// and their compressed GiB through it.
    pub endpoints: BTreeMap<(u32, u32), Vec<(u32, Decimal)>>,
}

/// An account-level line (`lines[line]`, `group: None`) and the groups that cause it, with the
/// quantities its cost is allocated by.
pub(super) struct Shared {
    pub line: usize,
    pub members: Vec<(u32, Decimal)>,
}

/// A priced scenario: its lines, each group's total (its own lines plus its share of the
/// account-level lines), of which the share, and the grand total (= the sum of the lines = the
/// sum of the groups' totals).
pub(super) struct ScenarioResult {
    pub lines: Vec<Line>,
    pub group_totals: Vec<MicroUsd>,
    pub group_shares: Vec<MicroUsd>,
    pub total: MicroUsd,
}

impl Bill {
    /// A group line at a flat price: `qty` x the figure's price, rounded once.
    pub fn flat(
        &mut self,
        prices: &mut Prices,
        g: &GroupCtx,
        component: Component,
        id: &'static str,
        qty: Decimal,
    ) -> Result<()> {
        self.flat_times(prices, g, component, id, qty, Decimal::ONE)
    }

    /// A group line at a flat price times `unit_mult` (Datadog's on-demand premium).
    pub fn flat_times(
        &mut self,
        prices: &mut Prices,
        g: &GroupCtx,
        component: Component,
        id: &'static str,
        qty: Decimal,
        unit_mult: Decimal,
    ) -> Result<()> {
        let f = prices.get_in(id, g.region)?;
        let unit_price = f.flat() * unit_mult;
        self.lines.push(Line {
            group: Some(g.group),
            account: g.account,
            region: g.region,
            path: g.path,
            component,
            quantity: qty,
            unit: unit_of(id, &f),
            unit_price,
            cost: MicroUsd::from_usd(qty * unit_price),
            price_id: id,
            price_status: f.status,
        });
        Ok(())
    }
}

/// The groups' lines on one path: where each path module is called.
fn group_lines(b: &mut Bill, prices: &mut Prices, g: &GroupCtx) -> Result<()> {
    match g.path {
        Path::Cloudwatch => cloudwatch::lines(b, prices, g),
        Path::DatadogForwarder => forwarder::lines(b, prices, g),
        Path::DatadogFirehose => firehose::lines(b, prices, g),
        Path::DatadogPrivatelink => privatelink::lines(b, prices, g),
        Path::Hybrid => hybrid::lines(b, prices, g),
    }
}

/// Price every group on the path `assign` gives it, then the account-level lines. `today` keeps
/// measured storage even on forwarded paths.
pub(super) fn price_scenario(
    prices: &mut Prices,
    scenario: &Scenario,
    derived: &[Derived],
    at: &[(u32, u32)],
    assign: &dyn Fn(usize) -> Path,
    today: bool,
) -> Result<ScenarioResult> {
    let premium = match scenario.commitment {
        Commitment::Annual => Decimal::ONE,
        Commitment::OnDemand => prices.get("datadog.on_demand_premium", "us-east-1")?.flat(),
    };
    let mut b = Bill::default();
    for (i, (d, &(account, reg))) in derived.iter().zip(at).enumerate() {
        let ctx = GroupCtx {
            scenario,
            derived: d,
            path: assign(i),
            group: i as u32,
            account,
            region: reg,
            region_name: prices.region_name(reg),
            today,
            premium,
        };
        group_lines(&mut b, prices, &ctx)?;
    }
    // A credit line's path is the path of the account's first group in this scenario.
    let mut first_path = std::collections::BTreeMap::new();
    for (i, &(account, _)) in at.iter().enumerate() {
        first_path.entry(account).or_insert_with(|| assign(i));
    }
    let account_path = |acct: u32| first_path.get(&acct).copied().unwrap_or(Path::Cloudwatch);
    let Bill {
        mut lines,
        pools,
        free,
        endpoints,
    } = b;
    pools.settle(prices, scenario, &mut lines)?;
    let mut shared = Vec::new();
    privatelink::endpoint_lines(prices, scenario, endpoints, &mut lines, &mut shared)?;
    if scenario.free_tier {
        free.credit_lines(prices, scenario, &account_path, &mut lines, &mut shared)?;
    }
    Ok(totals(lines, &shared, derived.len()))
}

/// Each group's own lines plus its share of every account-level line.
fn totals(lines: Vec<Line>, shared: &[Shared], groups: usize) -> ScenarioResult {
    let mut group_totals = vec![MicroUsd::ZERO; groups];
    let mut group_shares = vec![MicroUsd::ZERO; groups];
    let mut total = MicroUsd::ZERO;
    for l in &lines {
        if let Some(g) = l.group {
            group_totals[g as usize] = group_totals[g as usize] + l.cost;
        }
        total = total + l.cost;
    }
    for s in shared {
        let cost = lines[s.line].cost;
        for ((g, _), part) in s.members.iter().zip(allocate(cost, &s.members)) {
            group_shares[*g as usize] = group_shares[*g as usize] + part;
            group_totals[*g as usize] = group_totals[*g as usize] + part;
        }
    }
    ScenarioResult {
        lines,
        group_totals,
        group_shares,
        total,
    }
}
