//! Free tiers, once per account: the path modules record the usage a free tier may cover (per
//! account, kind, region and group) with [`FreeTierUse::add`]; [`FreeTierUse::credit_lines`]
//! turns each kind into one negative, account-level line: the allowance (or what was used, if
//! less) at the price of the region that used the most. The credit is then allocated to the
//! groups whose usage it covers, in proportion to that usage ([`super::bill::Shared`]).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::bill::{GroupCtx, Shared};
use super::line::unit_of;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario};
use crate::error::Result;
use crate::money::MicroUsd;

/// One free tier's usage in one account: the quantity per region and per group.
#[derive(Default)]
struct Usage {
    by_region: BTreeMap<u32, Decimal>,
    by_group: BTreeMap<u32, Decimal>,
}

/// Usage a free tier may cover: by (account, credit component).
#[derive(Default)]
pub(super) struct FreeTierUse(BTreeMap<(u32, Component), Usage>);

impl FreeTierUse {
    /// Record `qty` of group `g`'s usage that the free tier `kind` (a `FreeTier*` component) may
    /// cover.
    pub fn add(&mut self, g: &GroupCtx, kind: Component, qty: Decimal) {
        let u = self.0.entry((g.account, kind)).or_default();
        *u.by_region.entry(g.region).or_default() += qty;
        *u.by_group.entry(g.group).or_default() += qty;
    }

    /// One credit line per account and kind, shared among the groups that used the kind in
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
        for (
            (acct, kind),
            Usage {
                by_region,
                by_group,
            },
        ) in self.0
        {
            let Some((allowance_id, price_id)) = allowance_and_price(kind, s) else {
                continue;
            };
            let Some((&reg, _)) = by_region
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            else {
                continue;
            };
            let used: Decimal = by_region.values().copied().sum();
            let region = prices.region_name(reg);
            let allowance = prices.get(allowance_id, region)?.flat();
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
                members: by_group.into_iter().collect(),
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
