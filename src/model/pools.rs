//! Tiered prices pooled per bill and region. AWS applies the tiers of vended logs, internet
//! egress and PrivateLink data to a bill's monthly total in a region, whatever path each group is
//! on; so the path modules only add a group's quantity to the pool of its tier ladder, and
//! [`Pools::settle`] prices each pool's total on the ladder and allocates the cost back to the
//! groups in proportion to their quantities (at the pool's effective rate), to the micro-dollar.
//!
//! A bill is an account's own, or its payer's when `[billing]` says accounts share one: under
//! consolidated billing AWS "combines the usage from all accounts to determine which volume
//! pricing tiers to apply" and allocates each member account a portion "based on the account's
//! usage" (AWS Billing user guide, "Volume discounts", docs.aws.amazon.com/awsaccountbilling/latest/aboutv2/useconsolidatedbilling-discounts.html; also con-bill-blended-rates.html).

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::allocate::allocate;
use super::bill::GroupCtx;
use super::line::unit_of;
use super::prices::Prices;
use super::{Component, Line, Path, Scenario, VendedLadder};
use crate::error::Result;
use crate::money::MicroUsd;

/// A tier ladder: one tiered price whose tiers climb with an account's monthly total in a region.
/// Pools are keyed by the ladder, and each member says which component its line is, so quantities
/// of different components may share one ladder. The declaration order is the order in which
/// settled pools write their lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Ladder {
    /// Vended logs delivered to CloudWatch Logs, Standard class, one pool per usage-type family.
    VendedStandard(VendedLadder),
    /// Vended logs delivered to CloudWatch Logs, Infrequent Access class, per family.
    VendedIa(VendedLadder),
    /// Data transfer out to the internet.
    EgressInternet,
    /// PrivateLink interface endpoint data processing.
    PrivatelinkData,
    /// Vended logs delivered to Firehose.
    VendedToFirehose,
}

impl Ladder {
    /// The price book figure that holds the ladder's tiers.
    pub fn price_id(self) -> &'static str {
        match self {
            Ladder::VendedStandard(_) => "cwl.vended.standard",
            Ladder::VendedIa(_) => "cwl.vended.ia",
            Ladder::EgressInternet => "egress.internet",
            Ladder::PrivatelinkData => "privatelink.data",
            Ladder::VendedToFirehose => "cwl.vended.firehose",
        }
    }
}

/// One group's quantity on a ladder.
struct Member {
    group: u32,
    /// The group's account index (its lines carry it, whoever's pool it is in).
    account: u32,
    quantity: Decimal,
    /// The group's path in this scenario.
    path: Path,
    component: Component,
    /// Of `quantity`, what an allowance makes free (the WAF log allowance), as its own credit line.
    credit: Option<(Component, Decimal)>,
}

/// Every pool of one scenario, by (account, region, ladder); [`Pools::settle`] merges the
/// accounts of one payer.
#[derive(Default)]
pub(super) struct Pools(BTreeMap<(u32, u32, Ladder), Vec<Member>>);

impl Pools {
    /// Put `quantity` of group `g` on `ladder`, to be billed as `component`.
    pub fn add(&mut self, ladder: Ladder, component: Component, g: &GroupCtx, quantity: Decimal) {
        self.0
            .entry((g.account, g.region, ladder))
            .or_default()
            .push(Member {
                group: g.group,
                account: g.account,
                quantity,
                path: g.path,
                component,
                credit: None,
            });
    }

    /// [`Pools::add`], with `free` of the quantity covered by an allowance: the tiers see only
    /// the rest, and the group gets a credit line (`credit`) at the pool's rate.
    pub fn add_with_credit(
        &mut self,
        ladder: Ladder,
        (component, credit): (Component, Component),
        g: &GroupCtx,
        quantity: Decimal,
        free: Decimal,
    ) {
        self.add(ladder, component, g, quantity);
        if let Some(m) = self
            .0
            .get_mut(&(g.account, g.region, ladder))
            .and_then(|v| v.last_mut())
        {
            m.credit = Some((credit, free.min(quantity)));
        }
    }

    /// Price each pool's total on its ladder and write one line per member with its share. The
    /// per-account pools of accounts that share a payer (`s.payers`) are priced as one.
    pub fn settle(self, prices: &mut Prices, s: &Scenario, lines: &mut Vec<Line>) -> Result<()> {
        let mut by_bill: BTreeMap<(String, u32, Ladder), Vec<Member>> = BTreeMap::new();
        for ((acct, reg, ladder), members) in self.0 {
            let owner = s.pool_owner(prices.account_name(acct)).to_string();
            by_bill
                .entry((owner, reg, ladder))
                .or_default()
                .extend(members);
        }
        for ((_, reg, ladder), members) in by_bill {
            let id = ladder.price_id();
            let f = prices.get(id, prices.region_name(reg))?;
            let net = |m: &Member| m.quantity - m.credit.map_or(Decimal::ZERO, |c| c.1);
            let total_qty: Decimal = members.iter().map(net).sum();
            let total = MicroUsd::from_usd(f.tiered_cost(total_qty));
            let rate = if total_qty.is_zero() {
                f.flat()
            } else {
                (f.tiered_cost(total_qty) / total_qty).round_dp(10)
            };
            let weights: Vec<(u32, Decimal)> = members.iter().map(|m| (m.group, net(m))).collect();
            let line = |m: &Member, component, quantity, cost| Line {
                group: Some(m.group),
                account: m.account,
                region: reg,
                path: m.path,
                component,
                quantity,
                unit: unit_of(id, &f),
                unit_price: rate,
                cost,
                price_id: id,
                price_status: f.status,
            };
            for (m, cost) in members.iter().zip(allocate(total, &weights)) {
                match m.credit {
                    // The gross line at the pool's rate; the credit is the rest of the share.
                    Some((c, free)) => {
                        let gross = MicroUsd::from_usd(m.quantity * rate);
                        lines.push(line(m, m.component, m.quantity, gross));
                        lines.push(line(m, c, -free, cost - gross));
                    }
                    None => lines.push(line(m, m.component, m.quantity, cost)),
                }
            }
        }
        Ok(())
    }
}
