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

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn allocation_is_exact() {
        let members = vec![(0, d("1")), (1, d("1")), (2, d("1"))];
        let shares = allocate(MicroUsd(100), &members);
        assert_eq!(shares.iter().map(|m| m.0).sum::<i64>(), 100);
        assert_eq!(shares, vec![MicroUsd(34), MicroUsd(33), MicroUsd(33)]);
        let shares = allocate(
            MicroUsd(5_120_000_000),
            &[(0, d("7372.8")), (1, d("2867.2"))],
        );
        assert_eq!(shares[0].0 + shares[1].0, 5_120_000_000);
        assert_eq!(shares[0], MicroUsd(3_686_400_000));
    }
}
