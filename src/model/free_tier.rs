//! Free tiers, once per bill: the path modules record the usage a free tier may cover (per
//! account, kind, region and group) with [`FreeTierUse::add`]; [`FreeTierUse::credit_lines`]
//! turns each kind into one negative, account-level line: the allowance (or what was used, if
//! less) at the price of the region that used the most. The credit is then allocated to the
//! groups whose usage it covers, in proportion to that usage ([`super::bill::Shared`]).
//!
//! A bill is an account's own, or its payer's when `[billing]` says accounts share one: "AWS
//! applies the free tier to the total usage across all accounts in an organization. AWS does not
//! apply the free tier to each account individually" (AWS Billing user guide, "AWS Free Tier for
//! Organizations", docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/useconsolidatedbilling-discounts.html), so the allowance is granted once per payer, on the payer's line when it is
//! among the accounts sampled, else on the member account that used the most. The 100 GB of free
//! internet egress is shared with every other service: the scenario's
//! `egress_free_gb_used_elsewhere` comes off it first.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::bill::{GroupCtx, Shared};
use super::line::unit_of;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario};
use crate::error::Result;
use crate::money::MicroUsd;

/// One free tier's usage in one account: the quantity per region and per group, the groups in
/// ascending order (a bill prices its groups in index order, so a group's usage is appended, or
/// added to the last entry when the group adds again: the sums a map keyed by group would hold,
/// without its lookups on the hot path).
#[derive(Default)]
struct Usage {
    by_region: BTreeMap<u32, Decimal>,
    by_group: Vec<(u32, Decimal)>,
}

/// One free tier's usage on one bill: per (account, region) and per group (ascending).
#[derive(Default)]
struct BillUsage {
    by_account_region: BTreeMap<(u32, u32), Decimal>,
    by_group: Vec<(u32, Decimal)>,
}

/// Usage a free tier may cover: by (account, credit component).
#[derive(Default)]
pub(super) struct FreeTierUse(BTreeMap<(u32, Component), Usage>);

impl FreeTierUse {
    /// Record `qty` of group `g`'s usage that the free tier `kind` (a `FreeTier*` component) may
    /// cover.
    pub fn add(&mut self, g: &GroupCtx, kind: Component, qty: Decimal) {
        self.record((g.account, g.region, g.group), kind, qty);
    }

    /// [`FreeTierUse::add`] for a group given by (account, region, group) indexes; groups come
    /// in ascending order.
    fn record(&mut self, (account, region, group): (u32, u32, u32), kind: Component, qty: Decimal) {
        let u = self.0.entry((account, kind)).or_default();
        *u.by_region.entry(region).or_default() += qty;
        match u.by_group.last_mut() {
            Some((last, q)) if *last == group => *q += qty,
            _ => {
                debug_assert!(u.by_group.last().is_none_or(|(last, _)| *last < group));
                u.by_group.push((group, Decimal::ZERO + qty));
            }
        }
    }

    /// The usage regrouped per bill (an account's own, or its payer's) and kind: per (account,
    /// region) and per group.
    fn per_bill(self, prices: &Prices, s: &Scenario) -> BTreeMap<(String, Component), BillUsage> {
        let mut by_bill: BTreeMap<(String, Component), BillUsage> = BTreeMap::new();
        for ((acct, kind), usage) in self.0 {
            let owner = s.pool_owner(prices.account_name(acct)).to_string();
            let e = by_bill.entry((owner, kind)).or_default();
            for (reg, q) in usage.by_region {
                *e.by_account_region.entry((acct, reg)).or_default() += q;
            }
            // A group is in one account, so the accounts' lists never share a group.
            e.by_group.extend(
                usage
                    .by_group
                    .into_iter()
                    .map(|(g, q)| (g, Decimal::ZERO + q)),
            );
        }
        for e in by_bill.values_mut() {
            e.by_group.sort_by_key(|(g, _)| *g);
        }
        by_bill
    }

    /// One credit line per bill (account or payer) and kind, shared among the groups that used the kind in
    /// proportion to their usage. A line's path is `account_path(account)`: the path of the
    /// account's groups in the scenario (for a mixed scenario, its first group's).
    pub fn credit_lines(
        self,
        prices: &mut Prices,
        s: &Scenario,
        account_path: &dyn Fn(u32) -> Path,
        lines: &mut Vec<Line>,
        shared: &mut Vec<Shared>,
    ) -> Result<()> {
        for ((owner, kind), bill) in self.per_bill(prices, s) {
            let Some((allowance_id, price_id)) = allowance_and_price(kind, s) else {
                continue;
            };
            let mut per_region: BTreeMap<u32, Decimal> = BTreeMap::new();
            let mut per_account: BTreeMap<u32, Decimal> = BTreeMap::new();
            for (&(a, r), &q) in &bill.by_account_region {
                *per_region.entry(r).or_default() += q;
                *per_account.entry(a).or_default() += q;
            }
            let most = |m: &BTreeMap<u32, Decimal>| {
                m.iter()
                    .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                    .map(|(k, _)| *k)
            };
            let (Some(reg), Some(top)) = (most(&per_region), most(&per_account)) else {
                continue;
            };
            // The credit line sits on the payer's account when it is among those sampled, else
            // on the member account that used the most.
            let acct = per_account
                .keys()
                .copied()
                .find(|&a| prices.account_name(a) == owner)
                .unwrap_or(top);
            let used: Decimal = per_region.values().copied().sum();
            let region = prices.region_name(reg);
            let mut allowance = prices.get(allowance_id, region)?.flat();
            if kind == Component::FreeTierEgress {
                allowance = (allowance - s.egress_free_gb_used_elsewhere).max(Decimal::ZERO);
            }
            let qty = used.min(allowance);
            if qty.is_zero() {
                continue;
            }
            let f = prices.get(price_id, region)?;
            lines.push(Line {
                group: None,
                account: acct,
                region: reg,
                path: account_path(acct),
                component: kind,
                quantity: -qty,
                unit: unit_of(price_id, &f),
                unit_price: f.flat(),
                cost: MicroUsd::from_usd(-qty * f.flat()),
                price_id,
                price_status: f.status,
            });
            shared.push(Shared {
                line: lines.len() - 1,
                members: bill.by_group,
            });
        }
        Ok(())
    }
}

/// The allowance figure of a free tier and the price its credit is valued at.
fn allowance_and_price(kind: Component, s: &Scenario) -> Option<(&'static str, &'static str)> {
    Some(match kind {
        Component::FreeTierIngest => ("cwl.free_tier", "cwl.ingest.standard"),
        Component::FreeTierStorage => ("cwl.free_tier", "cwl.storage"),
        Component::FreeTierScan => ("cwl.free_tier", "cwl.insights.scan"),
        Component::FreeTierEgress => ("egress.free_tier", "egress.internet"),
        Component::FreeTierLambdaRequests => ("lambda.free_requests", "lambda.requests"),
        Component::FreeTierLambdaDuration => ("lambda.free_gb_seconds", s.duration_price_id()),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn usage_per_bill_keeps_groups_in_order_and_sums_a_group_that_adds_twice() {
        // Accounts 0 ("111") and 1 ("222") share payer "111"; regions 0 and 1. Groups are
        // priced in index order: 0 and 2 are account 0's, 1 and 3 account 1's; group 2 adds
        // twice (1.5 + 2.5 = 4).
        let accounts = ["111".to_string(), "222".to_string()];
        let regions = ["eu-west-1".to_string(), "us-east-1".to_string()];
        let book = crate::pricing::PriceBook::builtin().unwrap();
        let prices = Prices::new(&book, &accounts, &regions);
        let mut s = Scenario::default();
        s.payers.insert("222".into(), "111".into());
        let mut u = FreeTierUse::default();
        let k = Component::FreeTierIngest;
        u.record((0, 0, 0), k, d("1"));
        u.record((1, 1, 1), k, d("2"));
        u.record((0, 1, 2), k, d("1.5"));
        u.record((0, 1, 2), k, d("2.5"));
        u.record((1, 0, 3), k, d("0.25"));
        let bills = u.per_bill(&prices, &s);
        assert_eq!(bills.len(), 1, "one payer, one kind");
        let b = &bills[&("111".to_string(), k)];
        assert_eq!(
            b.by_group,
            vec![(0, d("1")), (1, d("2")), (2, d("4")), (3, d("0.25"))]
        );
        // Per (account, region): account 0 has 1 in region 0 and 1.5 + 2.5 = 4 in region 1;
        // account 1 has 0.25 in region 0 and 2 in region 1.
        let by_ar: Vec<_> = b.by_account_region.iter().map(|(k, v)| (*k, *v)).collect();
        assert_eq!(
            by_ar,
            vec![
                ((0, 0), d("1")),
                ((0, 1), d("4")),
                ((1, 0), d("0.25")),
                ((1, 1), d("2"))
            ]
        );
    }
}
