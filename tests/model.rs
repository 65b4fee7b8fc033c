//! The cost model through its public API: AWS's worked examples to the cent, hand-computed
//! scenarios for each path and tier boundary, and properties that must hold for any input.

use logplan::model::{self, Component, DatadogGb, Path, Scenario, Site};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
use proptest::prelude::*;
use rust_decimal::Decimal;

const GIB: u64 = 1 << 30;
const TIB: u64 = 1 << 40;

fn group(name: &str, incoming: u64) -> GroupInput {
    GroupInput {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        log_group: name.into(),
        log_group_class: Some("STANDARD".into()),
        incoming_bytes: incoming,
        incoming_events: 1,
        insights_scanned_bytes: Some(0),
        ..GroupInput::default()
    }
}

fn usd(s: &str) -> MicroUsd {
    let d: Decimal = s.parse().unwrap();
    MicroUsd((d * Decimal::from(1_000_000)).try_into().unwrap())
}

fn cost_of(m: &model::Model, path: Path, c: Component) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == path && l.component == c)
        .map(|l| l.cost)
        .sum()
}

#[test]
fn aws_example_web_access_logs() {
    // 1 GB/day for 30 days, archived a month, compressing to 6 GB:
    // ingest (30 - 5 free) x $0.50 = $12.50; archive (6 - 5 free) x $0.03 = $0.03; $12.53.
    let mut g = group("/web/access", 30 * GIB);
    g.stored_bytes = Some(6 * GIB);
    let book = PriceBook::builtin().unwrap();
    let m = model::run(vec![g], &book, &Scenario::default(), None).unwrap();
    assert_eq!(m.path_totals[Path::Cloudwatch.index()], Some(usd("12.53")));
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::CloudwatchIngest),
        usd("15.00")
    );
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::FreeTierIngest),
        usd("-2.50")
    );
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::Storage),
        usd("0.18")
    );
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::FreeTierStorage),
        usd("-0.15")
    );
}

#[test]
fn aws_example_72_tb_of_vpc_flow_logs() {
    // 10x1024x0.50 + 20x1024x0.25 + 20x1024x0.10 + 22x1024x0.05 = 13,414.40 ingest;
    // 30 TB compressed archive x 0.03 = 921.60; total 14,336.00 (AWS applies no free tier here).
    let mut g = group("/aws/vpc/flowlogs/prod", 72 * TIB);
    g.stored_bytes = Some(30 * TIB);
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(vec![g], &book, &s, None).unwrap();
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::VendedIngest),
        usd("13414.40")
    );
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::Storage),
        usd("921.60")
    );
    assert_eq!(
        m.path_totals[Path::Cloudwatch.index()],
        Some(usd("14336.00"))
    );
}

#[test]
fn vended_tier_boundary_is_account_wide_and_allocated_exactly() {
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    // Exactly 10 TiB of vended logs over two groups: all at $0.50.
    let a = group("aws-waf-logs-a", 6 * TIB);
    let b = group("aws-waf-logs-b", 4 * TIB);
    let m = model::run(vec![a.clone(), b.clone()], &book, &s, None).unwrap();
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::VendedIngest),
        usd("5120.00")
    );
    // One more GiB crosses into the $0.25 tier for the account, whichever group it lands in.
    let mut b2 = b.clone();
    b2.incoming_bytes += GIB;
    let m = model::run(vec![a.clone(), b2], &book, &s, None).unwrap();
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::VendedIngest),
        usd("5120.25")
    );
    // One byte over: more than $5,120 in exact decimals; rounded once to the micro-dollar.
    let f = book.get("cwl.vended.standard", "us-east-1").unwrap();
    let ten_tib_plus_a_byte = Decimal::from(10 * TIB + 1) / Decimal::from(GIB);
    assert!(f.tiered_cost(ten_tib_plus_a_byte) > Decimal::from(5120));
    let mut b3 = b;
    b3.incoming_bytes += 1;
    let m = model::run(vec![a, b3], &book, &s, None).unwrap();
    let lines: Vec<_> = m
        .lines
        .iter()
        .filter(|l| l.path == Path::Cloudwatch && l.component == Component::VendedIngest)
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines.iter().map(|l| l.cost).sum::<MicroUsd>(),
        usd("5120.00")
    );
}

#[test]
fn forwarder_path_by_hand() {
    // A custom-log group: 100 GiB, 1M events, 20 GiB forwarded (compressed), 10 GiB stored.
    let mut g = group("/ecs/api", 100 * GIB);
    g.incoming_events = 1_000_000;
    g.forwarded_bytes = Some(20 * GIB);
    g.stored_bytes = Some(10 * GIB);
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(vec![g], &book, &s, None).unwrap();
    let p = Path::DatadogForwarder;
    // CloudWatch still ingests and stores: 100 x 0.50, 10 x 0.03.
    assert_eq!(cost_of(&m, p, Component::CloudwatchIngest), usd("50.00"));
    assert_eq!(cost_of(&m, p, Component::Storage), usd("0.30"));
    // 20 GiB / 128 KiB = 163,840 invocations: 0.16384 M x $0.20 = $0.032768.
    assert_eq!(cost_of(&m, p, Component::LambdaRequests), usd("0.032768"));
    // 163,840 x 0.5 s x 1 GB = 81,920 GB-s x $0.0000133334 = $1.09227213 -> $1.092272.
    assert_eq!(cost_of(&m, p, Component::LambdaDuration), usd("1.092272"));
    // Egress of the compressed bytes at the first internet tier: 20 x 0.09.
    assert_eq!(cost_of(&m, p, Component::EgressInternet), usd("1.80"));
    // Datadog: ingest on the Forwarder's JSON in decimal GB: 100 GiB + 1M events x 450 envelope
    // bytes = 107,374,182,400 + 450,000,000 = 107,824,182,400 B = 107.8241824 GB x 0.10
    // = $10.782418; indexing 1M events x $1.70 (15 days).
    assert_eq!(cost_of(&m, p, Component::DatadogIngest), usd("10.782418"));
    assert_eq!(cost_of(&m, p, Component::DatadogIndex), usd("1.70"));
    // The lines above add up: 64.925040 before the envelope + 0.782418 = 65.707458.
    assert_eq!(m.path_totals[p.index()], Some(usd("65.707458")));
    // No Insights scanning on the Datadog paths; the CloudWatch path scanned nothing here.
    assert_eq!(cost_of(&m, p, Component::InsightsScan), MicroUsd::ZERO);
    // Break-even: CloudWatch (50.30) vs the cheapest Datadog path; scans at $0.005/GiB.
    let cheapest_dd = [
        Path::DatadogForwarder,
        Path::DatadogFirehose,
        Path::DatadogPrivatelink,
    ]
    .iter()
    .filter_map(|p| m.group_costs[0][p.index()])
    .min()
    .unwrap();
    let expect = Decimal::from(cheapest_dd.0 - usd("50.30").0)
        / Decimal::from(1_000_000)
        / Decimal::new(5, 3);
    assert_eq!(m.breakeven_gib[0], Some(expect));
}

#[test]
fn firehose_rounds_records_to_5_kb_but_not_vended_sources() {
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    let mut custom = group("/ecs/api", 100 * GIB);
    custom.forwarded_bytes = Some(20 * GIB);
    let m = model::run(vec![custom], &book, &s, None).unwrap();
    // 163,840 records of 128 KiB, each billed as 26 x 5 KiB = 130 KiB: 20.3125 GiB x $0.029
    // = $0.5890625, rounded half-even to $0.589062.
    assert_eq!(
        cost_of(&m, Path::DatadogFirehose, Component::FirehoseIngest),
        usd("0.589062")
    );
    let vended = group("aws-waf-logs-x", 100 * GIB);
    let m = model::run(vec![vended], &book, &s, None).unwrap();
    assert_eq!(
        cost_of(&m, Path::DatadogFirehose, Component::FirehoseIngest),
        usd("2.90")
    );
    assert_eq!(
        cost_of(&m, Path::DatadogFirehose, Component::VendedToFirehose),
        usd("25.00")
    );
    // Vended logs sent straight to Firehose skip CloudWatch ingestion and storage.
    assert_eq!(
        cost_of(&m, Path::DatadogFirehose, Component::VendedIngest),
        MicroUsd::ZERO
    );
    assert_eq!(
        cost_of(&m, Path::DatadogFirehose, Component::Storage),
        MicroUsd::ZERO
    );
}

#[test]
fn infrequent_access_and_free_tier_switch() {
    let book = PriceBook::builtin().unwrap();
    let mut ia = group("/archive/app", 40 * GIB);
    ia.log_group_class = Some("INFREQUENT_ACCESS".into());
    ia.stored_bytes = Some(GIB);
    let m = model::run(vec![ia.clone()], &book, &Scenario::default(), None).unwrap();
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::CloudwatchIngestIa),
        usd("10.00")
    );
    // The ingestion free tier is for Standard custom logs; storage's applies.
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::FreeTierIngest),
        MicroUsd::ZERO
    );
    assert_eq!(
        cost_of(&m, Path::Cloudwatch, Component::FreeTierStorage),
        usd("-0.03")
    );
    let off = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(vec![ia], &book, &off, None).unwrap();
    assert!(
        m.lines
            .iter()
            .all(|l| l.group.is_some() || l.component == Component::PrivatelinkEndpointHours),
        "no free-tier credits"
    );
}

#[test]
fn privatelink_is_unavailable_for_a_gcp_site() {
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        site: Site::Eu1,
        ..Scenario::default()
    };
    let m = model::run(vec![group("/a", GIB)], &book, &s, None).unwrap();
    assert_eq!(m.path_totals[Path::DatadogPrivatelink.index()], None);
    let (_, why) = m
        .unavailable
        .iter()
        .find(|(p, _)| *p == Path::DatadogPrivatelink)
        .unwrap();
    assert!(
        why.contains("US1, AP1, AP2") && why.contains("EU1"),
        "{why}"
    );
    assert!(m.lines.iter().all(|l| l.path != Path::DatadogPrivatelink));
    // On US1 it exists, with endpoint hours as an account-level line: 3 endpoints (api, logs
    // intake, Secrets Manager) x 2 AZs x 720 h (November 2026, the book's month) x $0.01 = 43.20.
    let m = model::run(vec![group("/a", GIB)], &book, &Scenario::default(), None).unwrap();
    assert_eq!(
        cost_of(
            &m,
            Path::DatadogPrivatelink,
            Component::PrivatelinkEndpointHours
        ),
        usd("43.20")
    );
}

#[test]
fn unknown_region_without_override_names_figure_and_region() {
    let book = PriceBook::builtin().unwrap();
    let mut g = group("/a", GIB);
    g.region = "af-south-1".into();
    let e = model::run(vec![g], &book, &Scenario::default(), None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("af-south-1") && e.contains("cwl."), "{e}");
}

fn arb_group() -> impl Strategy<Value = GroupInput> {
    (
        0u64..(50 * TIB),
        0u64..10_000_000_000,
        prop::option::of(0u64..(5 * TIB)),
        prop::option::of(0u64..(5 * TIB)),
        prop::option::of(1i32..3_650),
        any::<bool>(),
        any::<bool>(),
        prop::option::of(0u64..(20 * TIB)),
        prop_oneof![
            Just("aws-waf-logs-"),
            Just("/aws/lambda/"),
            Just("/aws/vpc/flowlogs/"),
            Just("/app/")
        ],
        0u32..1000,
    )
        .prop_map(
            |(bytes, events, stored, fwd, ret, ia, dd, scan, prefix, n)| GroupInput {
                account_id: "111111111111".into(),
                region: "us-east-1".into(),
                log_group: format!("{prefix}{n}"),
                log_group_class: Some(if ia { "INFREQUENT_ACCESS" } else { "STANDARD" }.into()),
                retention_days: ret,
                stored_bytes: stored,
                incoming_bytes: bytes,
                incoming_events: events,
                forwarded_bytes: fwd,
                datadog_forwarder: Some(dd),
                insights_scanned_bytes: scan,
                ..GroupInput::default()
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn totals_are_sums_and_never_negative(groups in prop::collection::vec(arb_group(), 1..12), free in any::<bool>()) {
        let book = PriceBook::builtin().unwrap();
        let s = Scenario { free_tier: free, ..Scenario::default() };
        let m = model::run(groups, &book, &s, None).unwrap();
        for p in Path::ALL {
            let Some(total) = m.path_totals[p.index()] else { continue };
            let sum: MicroUsd = m.lines.iter().filter(|l| l.path == p).map(|l| l.cost).sum();
            prop_assert_eq!(total, sum);
            prop_assert!(total.0 >= 0, "{:?} total {}", p, total);
            // Each group's cost includes its share of the account-level lines (issue 8 item 6),
            // so the groups alone add up to the path's total.
            let groups_sum: MicroUsd = m.group_costs.iter().filter_map(|c| c[p.index()]).sum();
            prop_assert_eq!(total, groups_sum);
            let shares: MicroUsd = m.group_shares.iter().map(|c| c[p.index()]).sum();
            let account: MicroUsd = m.lines.iter().filter(|l| l.path == p && l.group.is_none()).map(|l| l.cost).sum();
            prop_assert_eq!(shares, account);
        }
        for (i, costs) in m.group_costs.iter().enumerate() {
            for c in costs.iter().flatten() {
                prop_assert!(c.0 >= 0, "group {} costs {}", i, c);
            }
            prop_assert!(m.best[i].1 <= costs[Path::Cloudwatch.index()].unwrap());
        }
    }

    #[test]
    fn more_volume_never_costs_less(groups in prop::collection::vec(arb_group(), 1..8), pick in 0usize..8, extra in 1u64..(2 * TIB), free in any::<bool>()) {
        let book = PriceBook::builtin().unwrap();
        let s = Scenario { free_tier: free, ..Scenario::default() };
        let i = pick % groups.len();
        let mut more = groups.clone();
        more[i].incoming_bytes += extra;
        more[i].incoming_events += extra / 200;
        let a = model::run(groups, &book, &s, None).unwrap();
        let b = model::run(more, &book, &s, None).unwrap();
        for p in Path::ALL {
            if let (Some(x), Some(y)) = (a.path_totals[p.index()], b.path_totals[p.index()]) {
                prop_assert!(y >= x, "{:?}: {} then {} with more volume", p, x, y);
            }
        }
        prop_assert!(b.today_total >= a.today_total);
    }
}

#[test]
fn hybrid_and_privatelink_by_hand() {
    // The forwarder_path_by_hand group, with a 10% hybrid share and PrivateLink on US1.
    let mut g = group("/ecs/api", 100 * GIB);
    g.incoming_events = 1_000_000;
    g.forwarded_bytes = Some(20 * GIB);
    g.stored_bytes = Some(10 * GIB);
    g.insights_scanned_bytes = Some(40 * GIB);
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        // Datadog GB as 2^30 and no envelope: this example's arithmetic is in GiB.
        datadog_gb: DatadogGb::Binary,
        forwarder_envelope_bytes: 0,
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(vec![g], &book, &s, None).unwrap();
    let h = Path::Hybrid;
    // Everything stays in CloudWatch, Insights included: 50.00 + 0.30 + 40 x 0.005.
    assert_eq!(cost_of(&m, h, Component::CloudwatchIngest), usd("50.00"));
    assert_eq!(cost_of(&m, h, Component::InsightsScan), usd("0.20"));
    // 10% goes to Datadog: 2 GiB compressed -> 16,384 invocations of 128 KiB.
    assert_eq!(cost_of(&m, h, Component::LambdaRequests), usd("0.003277")); // 0.016384 M x $0.20
    assert_eq!(cost_of(&m, h, Component::LambdaDuration), usd("0.109227")); // 8,192 GB-s
    assert_eq!(cost_of(&m, h, Component::EgressInternet), usd("0.18"));
    assert_eq!(cost_of(&m, h, Component::DatadogIngest), usd("1.00"));
    // The hybrid share is indexed in full: 100,000 events x $1.70 per million.
    assert_eq!(cost_of(&m, h, Component::DatadogIndex), usd("0.17"));
    assert_eq!(m.path_totals[h.index()], Some(usd("51.962504")));
    // PrivateLink: data processing of the 20 GiB at $0.01, and 3 endpoints x 2 AZs x 720 h
    // (November 2026, the book's month) x $0.01 = 43.20.
    let p = Path::DatadogPrivatelink;
    assert_eq!(cost_of(&m, p, Component::PrivatelinkData), usd("0.20"));
    assert_eq!(
        cost_of(&m, p, Component::PrivatelinkEndpointHours),
        usd("43.20")
    );
    assert_eq!(cost_of(&m, p, Component::EgressInternet), MicroUsd::ZERO);
}

#[test]
fn on_demand_adds_the_premium_to_indexing_not_ingestion() {
    // A group outside us-east-1: the premium is a global figure, looked up for no group's region.
    let mut g = group("/ecs/api", 10 * GIB);
    g.region = "eu-west-1".into();
    g.incoming_events = 2_000_000;
    let book = PriceBook::builtin().unwrap();
    let s = Scenario {
        // Datadog GB as 2^30 and no envelope: this example's arithmetic is in GiB.
        datadog_gb: DatadogGb::Binary,
        forwarder_envelope_bytes: 0,
        commitment: model::Commitment::OnDemand,
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(vec![g], &book, &s, None).unwrap();
    let p = Path::DatadogForwarder;
    // 2M events x $1.70 x 1.5 = $5.10; ingestion stays 10 x $0.10.
    assert_eq!(cost_of(&m, p, Component::DatadogIndex), usd("5.10"));
    assert_eq!(cost_of(&m, p, Component::DatadogIngest), usd("1.00"));
}
