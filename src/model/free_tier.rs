//! Free tiers, once per bill: the path modules record the usage a free tier may cover (per
//! account, kind and region) with [`FreeTierUse::add`]; [`FreeTierUse::credit_lines`] turns each
//! kind into one negative, account-level line: the allowance (or what was used, if less) at the
//! price of the region that used the most.
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

use super::line::unit_of;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario};
use crate::error::Result;
use crate::money::MicroUsd;

/// Usage a free tier may cover: by (account, credit component), the quantity per region.
#[derive(Default)]
pub(super) struct FreeTierUse(BTreeMap<(u32, Component), BTreeMap<u32, Decimal>>);

impl FreeTierUse {
    /// Record `qty` of usage that the free tier `kind` (a `FreeTier*` component) may cover.
    pub fn add(&mut self, account: u32, kind: Component, region: u32, qty: Decimal) {
        *self
            .0
            .entry((account, kind))
            .or_default()
            .entry(region)
            .or_default() += qty;
    }

    /// One credit line per account and kind. A line's path is `account_path(account)`: the path
    /// of the account's groups in the scenario (for a mixed scenario, its first group's).
    pub fn credit_lines(
        self,
        prices: &mut Prices,
        s: &Scenario,
        account_path: &dyn Fn(u32) -> Path,
        lines: &mut Vec<Line>,
    ) -> Result<()> {
        // Regroup per bill: (owner, kind) -> usage per (account, region).
        type Usage = BTreeMap<(u32, u32), Decimal>;
        let mut by_bill: BTreeMap<(String, Component), Usage> = BTreeMap::new();
        for ((acct, kind), by_region) in self.0 {
            let owner = s.pool_owner(prices.account_name(acct)).to_string();
            let e = by_bill.entry((owner, kind)).or_default();
            for (reg, q) in by_region {
                *e.entry((acct, reg)).or_default() += q;
            }
        }
        for ((owner, kind), usage) in by_bill {
            let Some((allowance_id, price_id)) = allowance_and_price(kind, s) else {
                continue;
            };
            let mut per_region: BTreeMap<u32, Decimal> = BTreeMap::new();
            let mut per_account: BTreeMap<u32, Decimal> = BTreeMap::new();
            for (&(a, r), &q) in &usage {
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
