//! Issue 8, item 6: advice that adds up. Account-level lines (PrivateLink endpoint-hours, free-tier
//! credits) are allocated to the groups that cause them before each group's cheapest path is
//! chosen, and the recommendation is the cheapest total the model priced (today, a single path
//! or the mix), never a sum of per-group minima.
//!
//! Expected values by hand, from the book's us-east-1 figures: Insights $0.005/GiB scanned;
//! Lambda $0.20 per 1M requests, arm64 $0.0000133334 per GB-s; PrivateLink data $0.01/GiB
//! (first PB), endpoint $0.01 per endpoint-AZ-hour; internet egress $0.09/GiB (first 10 TB);
//! Firehose $0.029/GiB; Datadog ingestion $0.10 per GB (10^9 bytes). Scenario: October 2026
//! (744 h), US1, free tier off, nothing indexed (so no indexing line), defaults otherwise
//! (gzip 5:1, 128 KiB per Forwarder invocation, 500 ms at 1,024 MB, 450 envelope bytes an event,
//! 3 endpoints x 2 AZs).
//!
//! Group "small": 5 GiB in = 1 GiB compressed = 1,073,741,824 / 131,072 = 8,192 invocations,
//! 1,000,000 events, 135 GiB scanned a month. Its lines beyond what every path pays CloudWatch
//! (ingestion and storage, the same on every path here):
//! - CloudWatch: scans 135 x 0.005 = $0.675000.
//! - PrivateLink, its own lines: requests 0.008192 M x 0.20 = $0.0016384 -> $0.001638;
//!   duration 8,192 x 0.5 s x 1 GB = 4,096 GB-s x 0.0000133334 = $0.0546136064 -> $0.054614;
//!   data 1 GiB x 0.01 = $0.010000; Datadog (5 x 1,073,741,824 + 1,000,000 x 450) / 10^9 =
//!   5.81870912 GB x 0.10 = $0.581870912 -> $0.581871. Sum $0.648123.
//! - Forwarder: as PrivateLink with egress 1 GiB x 0.09 = $0.090000 for the data: $0.728123.
//! - Firehose: records 8,192 x 133,120 bytes (128 KiB rounded up to 5 KB steps) = 1.015625 GiB
//!   x 0.029 = $0.029453125 -> $0.029453; egress $0.090000; Datadog $0.581871: $0.701324.
//! - Endpoint-hours: 3 x 2 x 744 = 4,464 h x 0.01 = $44.64 per account and region.

use logplan::model::{self, Choice, Path, Scenario};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
use rust_decimal::Decimal;

const GIB: u64 = 1 << 30;

fn group(name: &str, gib_in: u64, scanned_gib: u64) -> GroupInput {
    GroupInput {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        log_group: name.into(),
        incoming_bytes: gib_in * GIB,
        incoming_events: 1_000_000,
        stored_bytes: Some(GIB),
        insights_scanned_bytes: Some(scanned_gib * GIB),
        datadog_forwarder: Some(false),
        ..GroupInput::default()
    }
}

fn scenario() -> Scenario {
    Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2026, 10, 1),
        free_tier: false,
        indexed_fraction: Decimal::ZERO,
        ..Scenario::default()
    }
}

fn run(groups: Vec<GroupInput>, s: &Scenario) -> model::Model {
    model::run(groups, &PriceBook::builtin().unwrap(), s, None).unwrap()
}

fn cost(m: &model::Model, g: usize, p: Path) -> i64 {
    m.group_costs[g][p.index()].unwrap().0
}

/// Every total is the sum of its lines: per path, the lines and the groups' costs (their shares
/// included) add up to the path's total; today's groups and components add up to today.
fn assert_totals_add_up(m: &model::Model) {
    for p in Path::ALL {
        let Some(total) = m.path_totals[p.index()] else {
            continue;
        };
        let lines: MicroUsd = m.lines.iter().filter(|l| l.path == p).map(|l| l.cost).sum();
        let groups: MicroUsd = m.group_costs.iter().map(|c| c[p.index()].unwrap()).sum();
        assert_eq!(lines, total, "{p:?}: lines");
        assert_eq!(groups, total, "{p:?}: group costs with their shares");
    }
    let today: MicroUsd = m.today_costs.iter().copied().sum();
    assert_eq!(today, m.today_total);
    let components: MicroUsd = m.today_components.iter().map(|c| c.cost).sum();
    assert_eq!(components, m.today_total);
}

#[test]
fn endpoint_hours_keep_a_small_group_off_privatelink() {
    let m = run(vec![group("/app/small", 5, 135)], &scenario());
    let pl = Path::DatadogPrivatelink;
    // Its own PrivateLink lines ($0.648123) undercut CloudWatch ($0.675000): per-group minima
    // without the endpoint-hours would put it on PrivateLink and claim $0.026877 a month...
    let own = cost(&m, 0, pl) - m.group_shares[0][pl.index()].0;
    assert_eq!(cost(&m, 0, Path::Cloudwatch) - own, 675_000 - 648_123);
    // ...but the group is the only one behind the endpoints and carries all $44.64 of them:
    // $0.648123 + $44.640000 - $0.675000 = $44.613123 dearer than CloudWatch.
    assert_eq!(m.group_shares[0][pl.index()], MicroUsd(44_640_000));
    assert_eq!(cost(&m, 0, pl) - cost(&m, 0, Path::Cloudwatch), 44_613_123);
    // Its cheapest path is CloudWatch ($0.675000 < Firehose $0.701324 < Forwarder $0.728123);
    // today is CloudWatch, so the advice is to keep today's setup, saving nothing.
    assert_eq!(m.best[0].0, Path::Cloudwatch);
    assert_eq!(
        cost(&m, 0, Path::DatadogFirehose) - cost(&m, 0, Path::Cloudwatch),
        701_324 - 675_000
    );
    assert_eq!(m.recommendation.choice, Choice::Today);
    assert_eq!(m.recommendation.saving, MicroUsd::ZERO);
    assert_totals_add_up(&m);
}

#[test]
fn a_mix_dearer_than_the_best_single_path_is_not_recommended() {
    // "big": 5,115 GiB in = 1,023 GiB compressed, scanned 1,000,000 GiB a month ($5,000 of
    // Insights, against about $550 of Datadog ingestion for its 5,492 GB: CloudWatch is far from
    // its cheapest). With "small", 1,024 GiB go through the
    // endpoints, which are shared by bytes: $44.64 x 1/1,024 = $0.04359375 for "small"
    // (floors $0.043593 and $44.596406, the last micro-dollar to the larger remainder, .75),
    // $44.596406 for "big".
    let m = run(
        vec![
            group("/app/big", 5 * 1023, 1_000_000),
            group("/app/small", 5, 135),
        ],
        &scenario(),
    );
    let pl = Path::DatadogPrivatelink;
    assert_eq!(m.group_shares[0][pl.index()], MicroUsd(44_596_406));
    assert_eq!(m.group_shares[1][pl.index()], MicroUsd(43_594));
    // "small" on PrivateLink: $0.648123 + $0.043594 = $0.691717 > CloudWatch $0.675000, so its
    // cheapest path is CloudWatch; "big" is cheapest on PrivateLink (the Forwarder's egress,
    // 1,023 GiB x (0.09 - 0.01) = $81.84, outweighs its $44.596406 share).
    assert_eq!(
        cost(&m, 1, pl) - cost(&m, 1, Path::Cloudwatch),
        691_717 - 675_000
    );
    assert_eq!(m.best[0].0, pl);
    assert_eq!(m.best[1].0, Path::Cloudwatch);
    // The mix, priced: "big" alone carries the $44.64 of endpoints and "small" pays its scans
    // instead of its own PrivateLink lines; everything else is the same lines. So the mix
    // costs $0.675000 - $0.648123 = $0.026877 more than everything on PrivateLink.
    let pl_total = m.path_totals[pl.index()].unwrap();
    assert_eq!(m.best_mix_total - pl_total, MicroUsd(26_877));
    // PrivateLink is the cheapest single path (the Forwarder costs 1,024 x 0.08 - 44.64 =
    // $37.28 more), so the advice is PrivateLink, and its saving is today minus that total.
    assert_eq!(
        m.path_totals[Path::DatadogForwarder.index()].unwrap() - pl_total,
        MicroUsd(37_280_000)
    );
    assert_eq!(m.recommendation.choice, Choice::Path(pl));
    assert!(!m.recommendation.mix_cheaper_than_path);
    assert_eq!(m.recommendation.total, pl_total);
    assert_eq!(m.recommendation.saving, m.today_total - pl_total);
    assert_totals_add_up(&m);
}

#[test]
fn free_tier_credits_go_to_the_groups_whose_usage_they_cover() {
    // Two custom groups, 3 and 9 GiB in, on CloudWatch, free tier on: the 5 GiB ingestion
    // credit ($2.50 at $0.50) is shared 3:9, $0.625000 and $1.875000; storage 1 GiB each,
    // credit 2 x $0.03 = $0.06 shared 1:1, $0.03 each. Nothing scanned.
    let s = Scenario {
        free_tier: true,
        ..scenario()
    };
    let m = run(vec![group("/a", 3, 0), group("/b", 9, 0)], &s);
    let cw = Path::Cloudwatch.index();
    assert_eq!(m.group_shares[0][cw], MicroUsd(-625_000 - 30_000));
    assert_eq!(m.group_shares[1][cw], MicroUsd(-1_875_000 - 30_000));
    // "/a": 3 x 0.50 + 0.03 - 0.655 = $0.875; "/b": 9 x 0.50 + 0.03 - 1.905 = $2.625.
    assert_eq!(m.group_costs[0][cw], Some(MicroUsd(875_000)));
    assert_eq!(m.group_costs[1][cw], Some(MicroUsd(2_625_000)));
    // Today is CloudWatch for both: the same shares, and the credits stay account-level lines
    // for reconciliation.
    assert_eq!(
        m.today_shares,
        vec![m.group_shares[0][cw], m.group_shares[1][cw]]
    );
    assert!(m.today_lines.iter().any(|l| l.group.is_none()));
    assert_totals_add_up(&m);
}
