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

/// What the report recommends: the cheapest total the model priced among today, every available
/// single path and the best mix (each group on its own cheapest path, priced as one scenario
/// with its own tiers, endpoint-hours and free tiers). Ties go to today, then a single path
/// (simpler than a mix), then the earlier path.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "kind", content = "path", rename_all = "snake_case")]
pub enum Choice {
    Today,
    Path(Path),
    Mix,
}

/// The recommendation, its priced total and the saving against today (`today - total`, never a
/// sum of per-group minima).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recommendation {
    pub choice: Choice,
    pub total: MicroUsd,
    pub saving: MicroUsd,
    /// The cheapest single path and its total.
    pub best_path: (Path, MicroUsd),
    /// Whether the mix costs less than the cheapest single path (when not, the mix is not
    /// recommended, and the report says so).
    pub mix_cheaper_than_path: bool,
}

/// Choose among today, the single paths and the mix, by priced totals.
pub(super) fn recommend(
    today: MicroUsd,
    path_totals: &[Option<MicroUsd>; 5],
    mix: MicroUsd,
) -> Recommendation {
    let best_path = Path::ALL
        .iter()
        .filter_map(|p| path_totals[p.index()].map(|t| (*p, t)))
        .min_by_key(|(p, t)| (*t, p.index()))
        .expect("the CloudWatch path is always available");
    let mut choice = (Choice::Today, today);
    if best_path.1 < choice.1 {
        choice = (Choice::Path(best_path.0), best_path.1);
    }
    if mix < choice.1 {
        choice = (Choice::Mix, mix);
    }
    Recommendation {
        choice: choice.0,
        total: choice.1,
        saving: today - choice.1,
        best_path,
        mix_cheaper_than_path: mix < best_path.1,
    }
}
