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
    // The remainders are each below one micro-dollar, so fewer micro-dollars are left than
    // there are members: they go to the `left` largest remainders (ties by position), found
    // by selection rather than by sorting every member (a free-tier credit has 100,000).
    let left = usize::try_from(total.0 - given)
        .unwrap_or(0)
        .min(shares.len());
    let mut order: Vec<usize> = (0..shares.len()).collect();
    if left > 0 && left < order.len() {
        order.select_nth_unstable_by(left - 1, |a, b| {
            shares[*b].1.cmp(&shares[*a].1).then(a.cmp(b))
        });
    }
    for &i in &order[..left] {
        shares[i].0 += 1;
    }
    shares.into_iter().map(|s| MicroUsd(s.0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    proptest::proptest! {
        /// Selection gives exactly what sorting every member by remainder gave (the
        /// allocation before the 100,000-member credits made the sort costly).
        #[test]
        fn selection_gives_the_sorted_allocation(
            total in -5_000_000i64..5_000_000,
            qs in proptest::collection::vec(0u32..1_000, 0..40),
        ) {
            let members: Vec<(u32, Decimal)> =
                qs.iter().enumerate().map(|(i, q)| (i as u32, Decimal::from(*q))).collect();
            let got = allocate(MicroUsd(total), &members);
            let sum: Decimal = members.iter().map(|m| m.1).sum();
            if sum.is_zero() {
                return Ok(());
            }
            let t = Decimal::from(total);
            let exact: Vec<Decimal> = members.iter().map(|m| t * m.1 / sum).collect();
            let mut want: Vec<i64> = exact.iter().map(|e| e.floor().to_i64().unwrap()).collect();
            let mut order: Vec<usize> = (0..want.len()).collect();
            order.sort_by(|a, b| {
                (exact[*b] - exact[*b].floor()).cmp(&(exact[*a] - exact[*a].floor())).then(a.cmp(b))
            });
            let left = total - want.iter().sum::<i64>();
            for i in order.into_iter().take(left as usize) {
                want[i] += 1;
            }
            proptest::prop_assert_eq!(got.iter().map(|m| m.0).collect::<Vec<_>>(), want);
        }
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
