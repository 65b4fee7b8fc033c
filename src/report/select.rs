//! Which log groups the pages show. A page with 100,000 rows does not open on a finance laptop,
//! and nobody reads it: the HTML shows the groups that matter, the top [`TOP_N`] by cost today
//! and by saving, and every group whose cost or saving is at least [`THRESHOLD_PERMILLE`] per
//! mille of today's total, and points to `log_groups.csv` / `log_groups.parquet` for the rest.
//! A report with at most [`TOP_N`] groups shows them all.

use crate::money::MicroUsd;
use crate::report::data::{GroupRow, ReportData};

/// How many groups each ranking contributes.
pub const TOP_N: usize = 100;
/// A group costing or saving at least this share of today's total is always shown (per mille,
/// so 10 = 1%). No more than 100 groups can each hold 1%, which bounds the page.
pub const THRESHOLD_PERMILLE: i64 = 10;

/// The groups a page shows, in the report's own order.
pub struct Selection<'a> {
    pub rows: Vec<&'a GroupRow>,
    /// Every group of the report.
    pub total: usize,
    pub top_n: usize,
    /// A group costing or saving at least this much a month is shown.
    pub threshold: MicroUsd,
    pub threshold_percent: String,
}

impl<'a> Selection<'a> {
    pub fn of(d: &'a ReportData) -> Selection<'a> {
        let threshold = MicroUsd(d.today_total_usd.0.max(0) / 1000 * THRESHOLD_PERMILLE);
        let mut keep = vec![d.groups.len() <= TOP_N; d.groups.len()];
        if d.groups.len() > TOP_N {
            let by = |key: fn(&GroupRow) -> MicroUsd, keep: &mut Vec<bool>| {
                let mut idx: Vec<usize> = (0..d.groups.len()).collect();
                let order = |a: &usize, b: &usize| {
                    key(&d.groups[*b]).cmp(&key(&d.groups[*a])).then(a.cmp(b))
                };
                idx.select_nth_unstable_by(TOP_N - 1, order);
                for i in &idx[..TOP_N] {
                    keep[*i] = true;
                }
            };
            by(|g| g.today_usd, &mut keep);
            by(|g| g.savings_usd, &mut keep);
            for (i, g) in d.groups.iter().enumerate() {
                if g.today_usd >= threshold || g.savings_usd >= threshold {
                    keep[i] = true;
                }
            }
        }
        Selection {
            rows: d
                .groups
                .iter()
                .zip(&keep)
                .filter(|(_, k)| **k)
                .map(|(g, _)| g)
                .collect(),
            total: d.groups.len(),
            top_n: TOP_N,
            threshold,
            threshold_percent: crate::format::fixed(
                rust_decimal::Decimal::new(THRESHOLD_PERMILLE, 1),
                0,
            ),
        }
    }

    /// Whether some groups are left out (then the page says which and where the rest are).
    pub fn partial(&self) -> bool {
        self.rows.len() < self.total
    }
}

/// The first `n` of `rows` in `order`, sorted; the rest are only partitioned away, so a
/// ranking of 100,000 groups costs little more than one pass.
pub fn top_by<'a, F>(mut rows: Vec<&'a GroupRow>, n: usize, order: F) -> Vec<&'a GroupRow>
where
    F: Fn(&&'a GroupRow, &&'a GroupRow) -> std::cmp::Ordering,
{
    if n == 0 {
        return Vec::new();
    }
    if rows.len() > n {
        rows.select_nth_unstable_by(n - 1, &order);
        rows.truncate(n);
    }
    rows.sort_by(&order);
    rows
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Path;

    fn row(i: usize, today: i64, savings: i64) -> GroupRow {
        GroupRow {
            account_id: "1".into(),
            region: "us-east-1".into(),
            log_group: format!("/g/{i:04}"),
            log_group_class: None,
            vended: false,
            source: "custom",
            billing_class: "custom".into(),
            billing_basis: "name",
            incoming_bytes: 0,
            incoming_events: 0,
            today_path: Path::Cloudwatch,
            today_usd: MicroUsd(today),
            today_shared_usd: MicroUsd::ZERO,
            path_usd: vec![Some(MicroUsd(today)); 5],
            path_shared_usd: vec![Some(MicroUsd::ZERO); 5],
            best_path: Path::Cloudwatch,
            best_usd: MicroUsd(today - savings),
            savings_usd: MicroUsd(savings),
            breakeven_scan_gib: None,
            breakeven_full_scans: None,
            scan_gib: Default::default(),
            scan_source: "assumption".into(),
        }
    }

    #[test]
    fn top_n_by_cost_and_saving_and_everything_over_the_threshold() {
        let mut d = crate::report::html::tests::sample();
        // 1,000 groups, group i costing $i today; the first 150 would each save $5,100 (the
        // selection looks at the figures only, not at whether they are plausible together).
        d.groups = (1..=1000)
            .map(|i| {
                row(
                    i,
                    i as i64 * 1_000_000,
                    if i <= 150 { 5_100_000_000 } else { 0 },
                )
            })
            .collect();
        // Today's total: 1 + 2 + ... + 1000 = $500,500; 1% of it is $5,005.
        d.today_total_usd = MicroUsd(500_500_000_000);
        let s = Selection::of(&d);
        assert_eq!(s.threshold, MicroUsd(5_005_000_000));
        assert!(s.partial());
        // The 100 most expensive (901..=1000), the first 100 savers by rank (1..=100, ties by
        // position), and the other 50 savers because $5,100 is over the threshold: 250.
        assert_eq!(s.rows.len(), 250);
        for shown in ["/g/1000", "/g/0901", "/g/0001", "/g/0150"] {
            assert!(s.rows.iter().any(|g| g.log_group == shown), "{shown}");
        }
        assert!(!s.rows.iter().any(|g| g.log_group == "/g/0500"));
        // In the report's order.
        assert_eq!(s.rows[0].log_group, "/g/0001");
        // A small report shows every group.
        d.groups.truncate(TOP_N);
        let s = Selection::of(&d);
        assert_eq!(s.rows.len(), TOP_N);
        assert!(!s.partial());
    }
}
