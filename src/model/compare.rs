//! Comparisons across paths: each group's cheapest path, and its break-even Insights volume (the
//! monthly scan volume at which staying in CloudWatch costs the same as the cheapest Datadog path).

use rust_decimal::Decimal;

use super::{Component, Line, Path};
use crate::money::MicroUsd;
use crate::pricing::PriceBook;
use crate::snapshot::GroupInput;

/// Per group: the cheapest available path and its cost (ties go to the earlier path).
pub(super) fn best(group_costs: &[[Option<MicroUsd>; 5]]) -> Vec<(Path, MicroUsd)> {
    group_costs
        .iter()
        .map(|costs| {
            Path::ALL
                .iter()
                .filter_map(|p| costs[p.index()].map(|c| (*p, c)))
                .min_by_key(|(p, c)| (*c, p.index()))
                .expect("the CloudWatch path is always available")
        })
        .collect()
}

/// Per group: the Insights GiB a month at which CloudWatch (without its scans) plus scans at the
/// region's Insights price equals the cheapest Datadog path; `None` without a Datadog path.
pub(super) fn breakeven_gib(
    groups: &[GroupInput],
    group_costs: &[[Option<MicroUsd>; 5]],
    lines: &[Line],
    book: &PriceBook,
) -> Vec<Option<Decimal>> {
    let mut cw_scan = vec![MicroUsd::ZERO; groups.len()];
    for l in lines {
        if let (Some(g), Path::Cloudwatch, Component::InsightsScan) = (l.group, l.path, l.component)
        {
            cw_scan[g as usize] = cw_scan[g as usize] + l.cost;
        }
    }
    (0..groups.len())
        .map(|i| {
            let cw = group_costs[i][Path::Cloudwatch.index()]?;
            let base = cw.0 - cw_scan[i].0;
            let dd = [
                Path::DatadogForwarder,
                Path::DatadogFirehose,
                Path::DatadogPrivatelink,
            ]
            .iter()
            .filter_map(|p| group_costs[i][p.index()])
            .min()?;
            let price = book
                .get("cwl.insights.scan", &groups[i].region)
                .ok()?
                .flat();
            if price.is_zero() {
                return None;
            }
            let gap = Decimal::from(dd.0 - base) / Decimal::from(1_000_000);
            Some((gap / price).max(Decimal::ZERO))
        })
        .collect()
}
