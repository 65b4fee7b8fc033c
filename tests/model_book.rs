//! Issue 8, items 2, 4 and 8 through the model's public API: tier pools and free tiers per
//! payer (`[billing]`), the free egress other services use, Flex Starter and the on-demand Flex
//! prices, 45/60-day retention without a price, and the regions the book now covers. Expected
//! values are computed by hand in the comments, from the book's figures.

use std::collections::BTreeMap;

use logplan::model::{self, Commitment, Component, FlexTier, Path, Scenario, Site};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
use rust_decimal::Decimal;

const GIB: u64 = 1 << 30;
const PAYER: &str = "999999999999";
const A: &str = "111111111111";
const B: &str = "222222222222";

fn group(account: &str, region: &str, name: &str, incoming: u64) -> GroupInput {
    GroupInput {
        account_id: account.into(),
        region: region.into(),
        log_group: name.into(),
        log_group_class: Some("STANDARD".into()),
        incoming_bytes: incoming,
        incoming_events: 1_000_000,
        stored_bytes: Some(0),
        insights_scanned_bytes: Some(0),
        datadog_forwarder: Some(false),
        ..GroupInput::default()
    }
}

fn usd(s: &str) -> MicroUsd {
    let d: Decimal = s.parse().unwrap();
    MicroUsd((d * Decimal::from(1_000_000)).try_into().unwrap())
}

fn cost(m: &model::Model, path: Path, c: Component) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == path && l.component == c)
        .map(|l| l.cost)
        .sum()
}

fn group_cost(m: &model::Model, path: Path, c: Component, g: u32) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == path && l.component == c && l.group == Some(g))
        .map(|l| l.cost)
        .sum()
}

fn one_payer() -> BTreeMap<String, String> {
    [(A, PAYER), (B, PAYER)]
        .into_iter()
        .map(|(a, p)| (a.to_string(), p.to_string()))
        .collect()
}

fn run(groups: Vec<GroupInput>, s: &Scenario) -> model::Model {
    model::run(groups, &PriceBook::builtin().unwrap(), s, None).unwrap()
}

#[test]
fn two_accounts_of_one_payer_cross_the_10_tb_vended_boundary_only_together() {
    // Each account sends 6 TB (6,144 GiB) of VPC flow logs (vended, VendedLog-Bytes ladder,
    // us-east-1: first 10 TB $0.50, next 20 TB $0.25).
    let groups = || {
        vec![
            group(A, "us-east-1", "/aws/vpc/flowlogs/a", 6144 * GIB),
            group(B, "us-east-1", "/aws/vpc/flowlogs/b", 6144 * GIB),
        ]
    };
    // Per account: each pool is 6,144 GiB, all in tier 1: 6,144 x 0.50 = 3,072.00 each,
    // 6,144.00 together.
    let apart = run(groups(), &Scenario::default());
    assert_eq!(
        group_cost(&apart, Path::Cloudwatch, Component::VendedIngest, 0),
        usd("3072.00")
    );
    assert_eq!(
        cost(&apart, Path::Cloudwatch, Component::VendedIngest),
        usd("6144.00")
    );
    // One payer: one pool of 12,288 GiB: 10,240 x 0.50 = 5,120.00 + 2,048 x 0.25 = 512.00,
    // 5,632.00; each group half of it (equal quantities): 2,816.00. The lines keep their own
    // accounts.
    let s = Scenario {
        payers: one_payer(),
        ..Scenario::default()
    };
    let pooled = run(groups(), &s);
    assert_eq!(
        cost(&pooled, Path::Cloudwatch, Component::VendedIngest),
        usd("5632.00")
    );
    assert_eq!(
        group_cost(&pooled, Path::Cloudwatch, Component::VendedIngest, 1),
        usd("2816.00")
    );
    let accounts: Vec<&str> = pooled
        .lines
        .iter()
        .filter(|l| l.component == Component::VendedIngest)
        .map(|l| pooled.accounts[l.account as usize].as_str())
        .collect();
    assert!(
        accounts.contains(&A) && accounts.contains(&B),
        "{accounts:?}"
    );
    // An account the payer map does not name keeps its own pool.
    let other = Scenario {
        payers: [(A.to_string(), PAYER.to_string())].into_iter().collect(),
        ..Scenario::default()
    };
    let m = run(groups(), &other);
    assert_eq!(
        cost(&m, Path::Cloudwatch, Component::VendedIngest),
        usd("6144.00")
    );
}

#[test]
fn aws_consolidated_billing_example_to_the_cent() {
    // AWS Billing user guide, "Volume discounts" (useconsolidatedbilling-discounts): Bob
    // transfers 8 TB, Susan 4 TB; $0.17 per GB for the first 10 TB, $0.13 for the next 40 TB:
    // (174.08 x 10) + (133.12 x 2) = 1,740.80 + 266.24 = 2,007.04 on the consolidated bill;
    // without tiering across it, 12 x 174.08 = 2,088.96. Here as internet egress of two
    // accounts' Forwarder paths (40,960 GiB in at 5:1 = 8,192 GiB out; 4,096 GiB), free tier off.
    let mut book = PriceBook::builtin().unwrap();
    let o: logplan::pricing::PriceOverrides =
        toml::from_str("[override]\n\"egress.internet@us-east-1\" = [0.17, 0.13, 0.13, 0.13]\n")
            .unwrap();
    book.apply(&o, std::path::Path::new("logplan.toml"))
        .unwrap();
    let groups = || {
        vec![
            group(A, "us-east-1", "/app/bob", 40960 * GIB),
            group(B, "us-east-1", "/app/susan", 20480 * GIB),
        ]
    };
    let s = Scenario {
        free_tier: false,
        payers: one_payer(),
        ..Scenario::default()
    };
    let m = model::run(groups(), &book, &s, None).unwrap();
    assert_eq!(
        cost(&m, Path::DatadogForwarder, Component::EgressInternet),
        usd("2007.04")
    );
    let s = Scenario {
        free_tier: false,
        ..Scenario::default()
    };
    let m = model::run(groups(), &book, &s, None).unwrap();
    assert_eq!(
        cost(&m, Path::DatadogForwarder, Component::EgressInternet),
        usd("2088.96")
    );
}

#[test]
fn the_free_tier_is_granted_once_per_payer() {
    // Each account ingests 3 GiB of custom logs (us-east-1 $0.50). Per account: 3 GiB free each,
    // credit 2 x 3 x 0.50 = -3.00. One payer: 6 GiB used, 5 GiB free once: 5 x 0.50 = -2.50.
    let groups = || {
        vec![
            group(A, "us-east-1", "/app/a", 3 * GIB),
            group(B, "us-east-1", "/app/b", 3 * GIB),
        ]
    };
    let apart = run(groups(), &Scenario::default());
    assert_eq!(
        cost(&apart, Path::Cloudwatch, Component::FreeTierIngest),
        usd("-3.00")
    );
    let s = Scenario {
        payers: one_payer(),
        ..Scenario::default()
    };
    let pooled = run(groups(), &s);
    assert_eq!(
        cost(&pooled, Path::Cloudwatch, Component::FreeTierIngest),
        usd("-2.50")
    );
    let credits: Vec<_> = pooled
        .lines
        .iter()
        .filter(|l| l.path == Path::Cloudwatch && l.component == Component::FreeTierIngest)
        .collect();
    assert_eq!(credits.len(), 1, "one credit line for the payer's bill");
}

#[test]
fn free_egress_used_elsewhere_comes_off_the_100_gb() {
    // 250 GiB in, compression 5:1 -> 50 GiB of egress on the Forwarder path (us-east-1 first
    // tier $0.09). All 100 GB free: credit 50 x 0.09 = -4.50. With 70 GB used by other services:
    // 30 GB left, credit 30 x 0.09 = -2.70. With 120 used: nothing left, no credit.
    let g = || vec![group(A, "us-east-1", "/app/shipped", 250 * GIB)];
    let m = run(g(), &Scenario::default());
    assert_eq!(
        cost(&m, Path::DatadogForwarder, Component::FreeTierEgress),
        usd("-4.50")
    );
    let s = Scenario {
        egress_free_gb_used_elsewhere: Decimal::from(70),
        ..Scenario::default()
    };
    let m = run(g(), &s);
    assert_eq!(
        cost(&m, Path::DatadogForwarder, Component::FreeTierEgress),
        usd("-2.70")
    );
    let s = Scenario {
        egress_free_gb_used_elsewhere: Decimal::from(120),
        ..Scenario::default()
    };
    let m = run(g(), &s);
    assert_eq!(
        cost(&m, Path::DatadogForwarder, Component::FreeTierEgress),
        MicroUsd::ZERO
    );
    let bad = Scenario {
        egress_free_gb_used_elsewhere: Decimal::from(-1),
        ..Scenario::default()
    };
    let e = model::run(g(), &PriceBook::builtin().unwrap(), &bad, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("egress_free_gb_used_elsewhere"), "{e}");
}

#[test]
fn flex_starter_and_on_demand_flex_use_their_own_prices() {
    // 10 million events, none indexed: all go to Flex. Events stored per month = 10 M x months.
    let g = || {
        let mut g = group(A, "us-east-1", "/app/flex", GIB);
        g.incoming_events = 10_000_000;
        vec![g]
    };
    let flex = |tier, commitment, months| Scenario {
        indexed_fraction: Decimal::ZERO,
        flex: true,
        flex_tier: tier,
        commitment,
        flex_retention_months: months,
        ..Scenario::default()
    };
    let cases = [
        // Flex, annual, 3 months: 10 x 3 x 0.05 = 1.50.
        (FlexTier::Flex, Commitment::Annual, 3, "1.50"),
        // Flex, on demand: its own figure 0.075: 10 x 3 x 0.075 = 2.25.
        (FlexTier::Flex, Commitment::OnDemand, 3, "2.25"),
        // Flex Starter, annual, 6 months: 10 x 6 x 0.60 = 36.00.
        (FlexTier::Starter, Commitment::Annual, 6, "36.00"),
        // Flex Starter, on demand, 12 months: 10 x 12 x 0.90 = 108.00.
        (FlexTier::Starter, Commitment::OnDemand, 12, "108.00"),
    ];
    for (tier, commitment, months, want) in cases {
        let m = run(g(), &flex(tier, commitment, months));
        assert_eq!(
            cost(&m, Path::DatadogForwarder, Component::DatadogFlex),
            usd(want),
            "{tier:?} {commitment:?} {months}"
        );
    }
    // Flex Starter keeps events 6, 12 or 15 months.
    let e = model::run(
        g(),
        &PriceBook::builtin().unwrap(),
        &flex(FlexTier::Starter, Commitment::Annual, 3),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("Flex Starter keeps events 6, 12 or 15 months"),
        "{e}"
    );
}

#[test]
fn retention_45_and_60_days_say_the_price_is_missing() {
    for days in [45, 60] {
        let s = Scenario {
            retention_days: days,
            ..Scenario::default()
        };
        let e = model::run(
            vec![group(A, "us-east-1", "/app/x", GIB)],
            &PriceBook::builtin().unwrap(),
            &s,
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(&format!("datadog.index.{days}d")) && e.contains("[prices.override]"),
            "{e}"
        );
    }
}

#[test]
fn the_default_scenario_prices_every_path_in_the_regions_the_book_filled() {
    // One custom, one vended and one Lambda group in each region, on the default scenario (US1,
    // internet egress): every path priced, none unavailable, no override needed.
    for region in [
        "ap-northeast-1",
        "ap-northeast-2",
        "ap-southeast-2",
        "eu-central-1",
    ] {
        let groups = vec![
            group(A, region, "/app/custom", 40 * GIB),
            group(A, region, "/aws/vpc/flowlogs/main", 40 * GIB),
            group(A, region, "/aws/lambda/worker", 40 * GIB),
        ];
        let m = model::run(
            groups.clone(),
            &PriceBook::builtin().unwrap(),
            &Scenario::default(),
            None,
        )
        .unwrap_or_else(|e| panic!("{region}: {e}"));
        assert!(m.unavailable.is_empty(), "{region}: {:?}", m.unavailable);
        assert!(
            m.path_totals.iter().all(Option::is_some),
            "{region}: {:?}",
            m.path_totals
        );
        // Every figure used is the region's own or a global one: nothing borrowed silently.
        for (id, r) in m.used_prices.keys() {
            assert!(r == region || r == "*", "{region}: {id} from {r}");
        }
    }
    // AP2's home region on AP2: PrivateLink without inter-region transfer.
    let s = Scenario {
        site: Site::Ap2,
        ..Scenario::default()
    };
    let m = run(vec![group(A, "ap-southeast-2", "/app/x", 40 * GIB)], &s);
    assert!(m.unavailable.is_empty(), "{:?}", m.unavailable);
    assert_eq!(
        cost(&m, Path::DatadogPrivatelink, Component::TransferInterRegion),
        MicroUsd::ZERO
    );
}

#[test]
fn sydney_cloudwatch_prices_by_hand() {
    // 100 GiB of custom logs in ap-southeast-2, 10 GiB stored, nothing scanned:
    // ingest (100 - 5 free) x $0.67 = 63.65; storage (10 - 5 free) x $0.033 = 0.165; 63.815.
    let mut g = group(A, "ap-southeast-2", "/app/x", 100 * GIB);
    g.stored_bytes = Some(10 * GIB);
    let m = run(vec![g], &Scenario::default());
    assert_eq!(m.path_totals[Path::Cloudwatch.index()], Some(usd("63.815")));
}
