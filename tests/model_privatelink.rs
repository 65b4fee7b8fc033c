//! Issue 8, item 5: PrivateLink as the endpoints the Forwarder needs (Datadog API, log intake,
//! Secrets Manager) x AZs x the hours of the actual month, and a group outside the site's region
//! priced with inter-region transfer, or the path reported unavailable with the reason. Expected
//! values by hand: endpoint-AZ-hour $0.01 in us-east-1; inter-region transfer from us-east-1
//! $0.02/GB (unconfirmed in the book).

use logplan::model::{self, Component, Path, Scenario, Site};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
use rust_decimal::Decimal;

const GIB: u64 = 1 << 30;

/// 50 GiB in, compressing 5:1 (the default) to 10 GiB shipped.
fn group(region: &str) -> GroupInput {
    GroupInput {
        account_id: "123456789012".into(),
        region: region.into(),
        log_group: "/app/api".into(),
        incoming_bytes: 50 * GIB,
        incoming_events: 1_000,
        stored_bytes: Some(GIB),
        insights_scanned_bytes: Some(0),
        ..GroupInput::default()
    }
}

fn usd(s: &str) -> MicroUsd {
    let d: Decimal = s.parse().unwrap();
    MicroUsd((d * Decimal::from(1_000_000)).try_into().unwrap())
}

fn pl(m: &model::Model, c: Component) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == Path::DatadogPrivatelink && l.component == c)
        .map(|l| l.cost)
        .sum()
}

fn run(g: GroupInput, s: &Scenario) -> model::Model {
    model::run(vec![g], &PriceBook::builtin().unwrap(), s, None).unwrap()
}

#[test]
fn three_endpoints_for_the_hours_of_the_real_month() {
    // October 2026 has 31 days = 744 h: 3 endpoints x 2 AZs x 744 h = 4,464 x $0.01 = $44.64.
    // Same region as US1: no inter-region transfer.
    let s = Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2026, 10, 1),
        ..Scenario::default()
    };
    let m = run(group("us-east-1"), &s);
    assert_eq!(pl(&m, Component::PrivatelinkEndpointHours), usd("44.64"));
    assert_eq!(pl(&m, Component::TransferInterRegion), MicroUsd::ZERO);
    // February 2026: 28 days = 672 h: 3 x 2 x 672 = 4,032 x $0.01 = $40.32.
    let s = Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2026, 2, 1),
        privatelink_azs: 2,
        ..Scenario::default()
    };
    let m = run(group("us-east-1"), &s);
    assert_eq!(pl(&m, Component::PrivatelinkEndpointHours), usd("40.32"));
}

#[test]
fn outside_the_sites_region_adds_inter_region_transfer() {
    // A us-east-1 group shipping to AP1 (ap-northeast-1): 10 GiB x $0.02 = $0.20.
    let s = Scenario {
        site: Site::Ap1,
        ..Scenario::default()
    };
    let m = run(group("us-east-1"), &s);
    assert_eq!(pl(&m, Component::TransferInterRegion), usd("0.20"));
}

#[test]
fn outside_the_sites_region_without_a_price_is_unavailable_with_the_reason() {
    // us-west-2 to US1: the book has no inter-region price from us-west-2 (eu-west-1 has one
    // since the demo's member account runs there).
    let m = run(group("us-west-2"), &Scenario::default());
    assert_eq!(m.path_totals[Path::DatadogPrivatelink.index()], None);
    let (_, why) = m
        .unavailable
        .iter()
        .find(|(p, _)| *p == Path::DatadogPrivatelink)
        .unwrap();
    assert!(
        why.contains("us-west-2") && why.contains("transfer.inter_region"),
        "{why}"
    );
}
