//! model: for every log group and every path, the month's cost as a list of lines (name,
//! quantity, unit, unit price, price id and status, cost), like a bill. A path's total is always
//! the sum of its lines. Money is integer micro-dollars, computed from exact decimals and rounded
//! once ([`MicroUsd::from_usd`]).
//!
//! Where a price enters a total, in one hop:
//!
//! | what | module |
//! |---|---|
//! | the lines of one group on one path | [`cloudwatch`], [`forwarder`], [`firehose`], [`privatelink`], [`hybrid`] (each module's table lists its lines, quantities and price ids) |
//! | lines several paths share | [`cloudwatch::keep`] (ingestion, storage), [`egress`], [`datadog`], [`forwarder::lambda`] |
//! | a flat price x quantity = a line | [`bill`] (`Bill::flat`) |
//! | tiered prices (vended logs, egress, PrivateLink data) on an account's monthly total per region, allocated back to groups | [`pools`], [`allocate`] |
//! | free tiers, once per account, as credit lines | [`free_tier`] |
//! | PrivateLink endpoint-hours, per account and region | [`privatelink::endpoint_lines`] |
//! | the volumes every path prices (GiB in, compressed, stored, scanned) | [`derive`] |
//! | each group's source and billing class (custom, vended ladder, delivery), with the basis | [`source`] |
//! | what the model assumes (site, plan, forwarder, egress) | [`scenario`] |
//! | figures from the price book, cached and recorded for the report | [`prices`] |
//! | a scenario: every group on its path, then the account-level lines, allocated to the groups that cause them | [`bill::price_scenario`], [`allocate`] |
//! | the cheapest path per group, break-even, the recommendation (today, a path or the mix) | [`compare`] |
//!
//! To add a path: a variant of [`Path`], a module with a `lines` function like the others, one
//! arm in `bill::group_lines`. To add a component: a variant of [`Component`], written by the path
//! module that pays it.

mod allocate;
mod bill;
mod cloudwatch;
mod compare;
mod datadog;
mod derive;
mod egress;
mod firehose;
mod forwarder;
mod free_tier;
mod hybrid;
mod line;
mod pools;
mod prices;
mod privatelink;
mod scenario;
mod source;

use std::collections::BTreeMap;

use chrono::Datelike;
use rust_decimal::Decimal;

use crate::error::{Error, Result};
use crate::money::MicroUsd;
use crate::pricing::{Figure, PriceBook, Rule};
use crate::snapshot::GroupInput;

pub use allocate::allocate;
pub use compare::{Choice, Recommendation};
pub use derive::{Derived, ScanPlan, is_vended_name};
pub use line::{Component, ComponentTotal, Line, Path};
pub use privatelink::{ENDPOINTS as PRIVATELINK_ENDPOINTS, hours_in_month};
pub use scenario::{Arch, Commitment, DatadogGb, Egress, FlexTier, Scenario, Site};
pub use source::{Basis, BillingClass, Classified, Source, VendedLadder};

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
    /// The calendar month priced (dated rules, the month's hours, monthly free tiers).
    pub month: crate::period::Period,
    /// Per group, per path (index = Path::index): the group's cost, `None` if unavailable. It
    /// includes the group's share of the path's account-level lines (endpoint-hours, free-tier
    /// credits), so a path's group costs add up to its total.
    pub group_costs: Vec<[Option<MicroUsd>; 5]>,
    /// Per group, per path: of `group_costs`, the allocated share of account-level lines.
    pub group_shares: Vec<[MicroUsd; 5]>,
    /// Per path: total (group lines + account lines), `None` if unavailable.
    pub path_totals: [Option<MicroUsd>; 5],
    pub unavailable: Vec<(Path, String)>,
    /// Per group: cost on today's path, within today's scenario (mixed paths, own tiers), its
    /// share of today's account-level lines included...
    pub today_costs: Vec<MicroUsd>,
    /// ...of which that share.
    pub today_shares: Vec<MicroUsd>,
    pub today_total: MicroUsd,
    /// Per group: the cheapest available path and its cost.
    pub best: Vec<(Path, MicroUsd)>,
    /// Each group on its cheapest path, priced as one scenario (tiers and free tiers included).
    pub best_mix_total: MicroUsd,
    /// The cheapest priced total among today, the single paths and the mix.
    pub recommendation: Recommendation,
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
    /// Groups whose forwarding is unknown: today prices them as CloudWatch...
    pub today_unknown: usize,
    /// ...and this is today's total with them on the Datadog Forwarder instead (`None` when
    /// every group's forwarding is known).
    pub today_if_unknown_forwarded: Option<MicroUsd>,
    /// The book's dated rules the model applied, and whether each was in force for the month.
    pub rules: Vec<(Rule, bool)>,
}

/// Model every group on every path: each available path as one scenario, today's mix, and each
/// group on its cheapest path.
pub fn run(
    groups: Vec<GroupInput>,
    book: &PriceBook,
    scenario: &Scenario,
    plan: Option<&ScanPlan>,
) -> Result<Model> {
    run_with_measured(groups, book, scenario, plan, None)
}

/// [`run`], with the Insights bytes measured per group for the month (DescribeQueries, scaled),
/// which take precedence over the library's plan and the assumption.
pub fn run_with_measured(
    groups: Vec<GroupInput>,
    book: &PriceBook,
    scenario: &Scenario,
    plan: Option<&ScanPlan>,
    measured: Option<&ScanPlan>,
) -> Result<Model> {
    scenario.check().map_err(Error::Usage)?;
    let accounts = distinct(groups.iter().map(|g| &g.account_id));
    let regions = distinct(groups.iter().map(|g| &g.region));
    let (scenario, month, rules, rules_used) = for_month(book, scenario)?;
    let scenario = &scenario;
    let derived: Vec<Derived> = groups
        .iter()
        .map(|g| derive::derive(g, scenario, plan, measured, rules))
        .collect::<std::result::Result<_, String>>()
        .map_err(Error::Usage)?;
    let mut prices = prices::Prices::new(book, &accounts, &regions);
    // Each group's account and region as indexes, looked up once for every scenario.
    let at: Vec<(u32, u32)> = groups
        .iter()
        .map(|g| {
            (
                prices.account_index(&g.account_id),
                prices.region_index(&g.region),
            )
        })
        .collect();
    let t = crate::progress::Stage::start("model: every path and today");
    let (paths, today, if_unknown, today_unknown) =
        paths_and_today(&mut prices, scenario, &groups, &derived, &at)?;
    drop(t);
    let t = crate::progress::Stage::start("model: the mix, break-even");
    let today_components = line::sum_by_component(&today.lines);
    let today_lines = today.lines;
    let today_if_unknown_forwarded = if_unknown;
    let best = compare::best(&paths.group_costs);
    let best_mix =
        bill::price_scenario(&mut prices, scenario, &derived, &at, &|i| best[i].0, false)?;
    let breakeven_gib = compare::breakeven_gib(&groups, &paths.group_costs, &paths.lines, book);
    let recommendation = compare::recommend(today.total, &paths.path_totals, best_mix.total);
    let used_prices = prices.used;
    drop(t);
    Ok(Model {
        today_costs: today.group_totals,
        today_shares: today.group_shares,
        today_total: today.total,
        best_mix_total: best_mix.total,
        recommendation,
        month,
        group_shares: paths.group_shares,
        groups,
        derived,
        accounts,
        regions,
        scenario: scenario.clone(),
        lines: paths.lines,
        group_costs: paths.group_costs,
        path_totals: paths.path_totals,
        unavailable: paths.unavailable,
        best,
        breakeven_gib,
        used_prices,
        today_components,
        today_lines,
        today_unknown,
        today_if_unknown_forwarded,
        rules: rules_used,
    })
}

/// The month's scenario, the month, the rules in force, and each rule with whether it is.
type ForMonth = (
    Scenario,
    crate::period::Period,
    derive::Rules,
    Vec<(Rule, bool)>,
);

/// The scenario for the month priced (`month_start` the first of the month: the scenario's, else
/// the book's date; one month length, the real one, everywhere) and the book's dated rules in
/// force for it.
fn for_month(book: &PriceBook, scenario: &Scenario) -> Result<ForMonth> {
    let day = scenario.month_start.unwrap_or(book.effective);
    let period = crate::period::Period::month(day.year(), day.month())
        .ok_or_else(|| Error::Usage(format!("no calendar month contains {day}")))?;
    let month = period.start;
    let scenario = Scenario {
        month_start: Some(month),
        ..scenario.clone()
    };
    let lambda_rule = book.rule("lambda_logs_vended")?.clone();
    let waf_rule = book.rule("waf_log_allowance")?.clone();
    let rules = derive::Rules {
        lambda_vended: lambda_rule.in_force(month),
        waf_allowance: waf_rule.in_force(month),
        month_days: period.days() as u32,
    };
    let used = vec![
        (lambda_rule, rules.lambda_vended),
        (waf_rule, rules.waf_allowance),
    ];
    Ok((scenario, period, rules, used))
}

/// The sorted distinct values.
fn distinct<'a>(values: impl Iterator<Item = &'a String>) -> Vec<String> {
    let mut v: Vec<String> = values.cloned().collect();
    v.sort();
    v.dedup();
    v
}

/// Which path a scenario gives each group.
#[derive(Clone, Copy)]
enum Assign {
    /// Every group on one path.
    All(Path),
    /// Each group on its path today (unknown forwarding as CloudWatch).
    Today,
    /// Today, with the groups whose forwarding is unknown on the Forwarder.
    TodayUnknownForwarded,
}

impl Assign {
    fn path(self, d: &Derived) -> Path {
        match self {
            Assign::All(p) => p,
            Assign::Today => d.today,
            Assign::TodayUnknownForwarded if d.today_known => d.today,
            Assign::TodayUnknownForwarded => Path::DatadogForwarder,
        }
    }

    /// Today's scenarios keep measured storage even on forwarded paths.
    fn is_today(self) -> bool {
        !matches!(self, Assign::All(_))
    }
}

/// Every path, today, and today with unknown forwarding on the Forwarder (when some is
/// unknown): independent scenarios, priced at the same time. Also the count of groups whose
/// forwarding is unknown.
fn paths_and_today(
    prices: &mut prices::Prices,
    scenario: &Scenario,
    groups: &[GroupInput],
    derived: &[Derived],
    at: &[(u32, u32)],
) -> Result<(EveryPath, bill::ScenarioResult, Option<MicroUsd>, usize)> {
    let today_unknown = derived.iter().filter(|d| !d.today_known).count();
    let available = available_paths(prices, scenario, groups);
    let mut assigns: Vec<Assign> = available.0.iter().map(|&p| Assign::All(p)).collect();
    assigns.push(Assign::Today);
    if today_unknown > 0 {
        assigns.push(Assign::TodayUnknownForwarded);
    }
    let mut results = price_in_parallel(prices, scenario, derived, at, &assigns)?;
    let if_unknown = (today_unknown > 0).then(|| results.pop()).flatten();
    let today = results
        .pop()
        .ok_or_else(|| Error::Internal("today was not priced".into()))?;
    let paths = every_path(&available, results, groups.len());
    Ok((paths, today, if_unknown.map(|r| r.total), today_unknown))
}

/// Every path priced as one scenario (all groups on it).
struct EveryPath {
    lines: Vec<Line>,
    group_costs: Vec<[Option<MicroUsd>; 5]>,
    group_shares: Vec<[MicroUsd; 5]>,
    path_totals: [Option<MicroUsd>; 5],
    unavailable: Vec<(Path, String)>,
}

/// The paths that can be priced, and why the others cannot.
type Available = (Vec<Path>, Vec<(Path, String)>);

fn available_paths(
    prices: &mut prices::Prices,
    scenario: &Scenario,
    groups: &[GroupInput],
) -> Available {
    let mut out: Available = (Vec::new(), Vec::new());
    for path in Path::ALL {
        let why = scenario
            .unavailable(path)
            .or_else(|| cross_region_gap(prices, scenario, groups, path));
        match why {
            Some(why) => out.1.push((path, why)),
            None => out.0.push(path),
        }
    }
    out
}

/// A scenario priced on its own thread, with the figures it used.
type PricedScenario = (bill::ScenarioResult, BTreeMap<(String, String), Figure>);

/// Price each assignment as a scenario, one per core at a time (each scenario's working state,
/// free-tier usage per group and pools, is large), each with its own price cache; the figures
/// they used are recorded in `prices`. Results in the order given.
fn price_in_parallel(
    prices: &mut prices::Prices,
    scenario: &Scenario,
    derived: &[Derived],
    at: &[(u32, u32)],
    assigns: &[Assign],
) -> Result<Vec<bill::ScenarioResult>> {
    let (book, accounts, regions) = prices.seed();
    let jobs: Vec<crate::parallel::Job<'_, Result<PricedScenario>>> = assigns
        .iter()
        .map(|&a| {
            Box::new(move || {
                let mut p = prices::Prices::new(book, accounts, regions);
                let assign = |i: usize| a.path(&derived[i]);
                let r = bill::price_scenario(&mut p, scenario, derived, at, &assign, a.is_today())?;
                Ok((r, p.used))
            }) as crate::parallel::Job<'_, Result<PricedScenario>>
        })
        .collect();
    let done = crate::parallel::run(jobs)
        .ok_or_else(|| Error::Internal("pricing a scenario panicked".into()))?;
    release_freed_memory();
    let mut out = Vec::with_capacity(done.len());
    for r in done {
        let (r, used) = r?;
        prices.absorb(used);
        out.push(r);
    }
    Ok(out)
}

/// Give back to the system what the pricing threads freed: glibc keeps each thread's freed
/// memory in that thread's arena, where the report's writers would not reuse it, and a
/// 100,000-group report then peaked 100 MiB higher.
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free memory to the system; it takes no pointer.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The paths' results (in the order of `available.0`) gathered per group and path.
fn every_path(
    available: &Available,
    results: Vec<bill::ScenarioResult>,
    groups: usize,
) -> EveryPath {
    // Sized once: the paths' lines are moved in one result at a time, never regrown.
    let mut out = EveryPath {
        lines: Vec::with_capacity(results.iter().map(|r| r.lines.len()).sum()),
        group_costs: vec![[None; 5]; groups],
        group_shares: vec![[MicroUsd::ZERO; 5]; groups],
        path_totals: [None; 5],
        unavailable: available.1.clone(),
    };
    for (&path, s) in available.0.iter().zip(results) {
        for (i, (c, share)) in s.group_totals.iter().zip(&s.group_shares).enumerate() {
            out.group_costs[i][path.index()] = Some(*c);
            out.group_shares[i][path.index()] = *share;
        }
        out.path_totals[path.index()] = Some(s.total);
        out.lines.extend(s.lines);
    }
    out
}

/// Why the PrivateLink path cannot be priced: a group outside the site's region whose region
/// has no inter-region transfer price in the book.
fn cross_region_gap(
    prices: &mut prices::Prices,
    scenario: &Scenario,
    groups: &[GroupInput],
    path: Path,
) -> Option<String> {
    let site_region = scenario.site.aws_region()?;
    if path != Path::DatadogPrivatelink {
        return None;
    }
    let g = groups.iter().find(|g| {
        g.region != site_region && prices.get("transfer.inter_region", &g.region).is_err()
    })?;
    Some(format!(
        "{} is in {}, outside the site's region {site_region}: PrivateLink needs cross-region \
         transfer, and the price book has no transfer.inter_region for {} (set it in \
         [prices.override])",
        g.log_group, g.region, g.region
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
