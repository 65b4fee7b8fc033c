//! Allocation: an account-level amount split among groups in proportion to their quantities,
//! exactly to the micro-dollar, so the allocated lines add up to the amount.

use rust_decimal::prelude::*;

use crate::money::MicroUsd;

/// Split `total` micro-dollars among members in proportion to their quantities, exactly: floor
/// shares, then the remaining micro-dollars to the largest remainders (ties by position).
pub fn allocate(total: MicroUsd, members: &[(u32, Decimal)]) -> Vec<MicroUsd> {
    let sum: Decimal = members.iter().map(|(_, q)| *q).sum();
    if sum.is_zero() || members.is_empty() {
        let mut out = vec![MicroUsd::ZERO; members.len()];
        if let Some(first) = out.first_mut() {
            *first = total;
        }
        return out;
    }
    let t = Decimal::from(total.0);
    let mut shares: Vec<(i64, Decimal, usize)> = members
        .iter()
        .enumerate()
        .map(|(i, (_, q))| {
            let exact = t * *q / sum;
            let floor = exact.floor();
            (floor.to_i64().unwrap_or(0), exact - floor, i)
        })
        .collect();
    let given: i64 = shares.iter().map(|s| s.0).sum();
    let mut left = total.0 - given;
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|a, b| shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b)));
    for i in order {
        if left <= 0 {
            break;
        }
        shares[i].0 += 1;
        left -= 1;
    }
    shares.into_iter().map(|s| MicroUsd(s.0)).collect()
}
