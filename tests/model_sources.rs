//! Issue 8, item 1: each group's source and billing class (what the snapshot says, the DELIVERY
//! class, then name rules), the dated Lambda rule, and one tier pool per vended ladder. Expected
//! values are computed by hand in the comments from the us-east-1 figures of the price book
//! (vended Standard $0.50/$0.25/$0.10/$0.05 per GB past 10/30/50 TB; IA $0.25/$0.15/$0.075/$0.05;
//! custom $0.50; vended to Firehose $0.25/$0.15/$0.075/$0.05), free tier off unless stated.

use logplan::model::{self, Basis, BillingClass, Component, Path, Scenario, Source, VendedLadder};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
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
        stored_bytes: Some(0),
        insights_scanned_bytes: Some(0),
        ..GroupInput::default()
    }
}

fn usd(s: &str) -> MicroUsd {
    let d: Decimal = s.parse().unwrap();
    MicroUsd((d * Decimal::from(1_000_000)).try_into().unwrap())
}

fn no_free_tier() -> Scenario {
    Scenario {
        free_tier: false,
        ..Scenario::default()
    }
}

fn run(groups: Vec<GroupInput>, s: &Scenario) -> model::Model {
    model::run(groups, &PriceBook::builtin().unwrap(), s, None).unwrap()
}

fn cw(m: &model::Model, c: Component) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == Path::Cloudwatch && l.component == c)
        .map(|l| l.cost)
        .sum()
}

#[test]
fn lambda_heavy_account_past_10_tb_is_on_the_vended_ladder() {
    // 60 TiB = 61,440 GB of Lambda logs, Standard:
    // 10,240 x 0.50 + 20,480 x 0.25 + 20,480 x 0.10 + 10,240 x 0.05
    // = 5,120 + 5,120 + 2,048 + 512 = 12,800.00 (custom ingest would be 61,440 x 0.50 = 30,720).
    let m = run(vec![group("/aws/lambda/orders", 60 * TIB)], &no_free_tier());
    assert_eq!(cw(&m, Component::VendedIngest), usd("12800.00"));
    assert_eq!(cw(&m, Component::CloudwatchIngest), MicroUsd::ZERO);
    let d = &m.derived[0];
    assert_eq!(d.class.source, Source::Lambda);
    assert_eq!(d.class.source_basis, Basis::Name);
    assert_eq!(d.class.billing, BillingClass::Vended(VendedLadder::Generic));
    // Reconciliation files the bytes under vended ingest: 61,440 GB.
    let q: Decimal = m
        .today_components
        .iter()
        .filter(|c| c.component == Component::VendedIngest)
        .map(|c| c.quantity)
        .sum();
    assert_eq!(q, Decimal::from(61_440));
}

#[test]
fn lambda_in_infrequent_access_uses_the_ia_ladder() {
    // 60 TiB IA: 10,240 x 0.25 + 20,480 x 0.15 + 20,480 x 0.075 + 10,240 x 0.05
    // = 2,560 + 3,072 + 1,536 + 512 = 7,680.00.
    let mut g = group("/aws/lambda/orders", 60 * TIB);
    g.log_group_class = Some("INFREQUENT_ACCESS".into());
    let m = run(vec![g], &no_free_tier());
    assert_eq!(cw(&m, Component::VendedIngestIa), usd("7680.00"));
}

#[test]
fn a_month_before_may_2025_prices_lambda_as_custom_ingest() {
    // April 2025, before the rule's effective_from (2025-05-01): 61,440 GB x 0.50 = 30,720.00;
    // with the free tier, (61,440 - 5) x 0.50 = 30,717.50, the figure the issue quotes.
    let s = Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2025, 4, 1),
        ..no_free_tier()
    };
    let m = run(vec![group("/aws/lambda/orders", 60 * TIB)], &s);
    assert_eq!(cw(&m, Component::CloudwatchIngest), usd("30720.00"));
    assert_eq!(cw(&m, Component::VendedIngest), MicroUsd::ZERO);
    assert!(!m.rules[0].1, "the rule is reported as not yet in force");
    let s = Scenario {
        free_tier: true,
        ..s
    };
    let m = run(vec![group("/aws/lambda/orders", 60 * TIB)], &s);
    let ingest = cw(&m, Component::CloudwatchIngest) + cw(&m, Component::FreeTierIngest);
    assert_eq!(ingest, usd("30717.50"));
    // May 2025: the rule is in force.
    let s = Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2025, 5, 1),
        ..no_free_tier()
    };
    let m = run(vec![group("/aws/lambda/orders", 60 * TIB)], &s);
    assert_eq!(cw(&m, Component::VendedIngest), usd("12800.00"));
}

#[test]
fn names_that_look_vended_but_are_not() {
    // 10 GB each. Custom: ELB (writes only to S3), public hosted-zone query logs, CloudFront
    // Functions, an EKS group other than the control plane: 4 x 10 x 0.50 = 20.00.
    // Vended: the EKS control plane, 10 GB on the first tier = 5.00.
    let names = [
        "/aws/elasticloadbalancing/app/web",
        "/aws/route53/example.com",
        "/aws/cloudfront/function/url-rewrite",
        "/aws/eks/prod/workloads",
    ];
    let mut groups: Vec<GroupInput> = names.iter().map(|n| group(n, 10 * GIB)).collect();
    groups.push(group("/aws/eks/prod/cluster", 10 * GIB));
    let m = run(groups, &no_free_tier());
    assert_eq!(cw(&m, Component::CloudwatchIngest), usd("20.00"));
    assert_eq!(cw(&m, Component::VendedIngest), usd("5.00"));
    let sources: Vec<Source> = m.derived.iter().map(|d| d.class.source).collect();
    assert_eq!(
        sources,
        [
            Source::Custom,
            Source::Route53PublicDns,
            Source::CloudfrontFunctions,
            Source::Custom,
            Source::EksControlPlane
        ]
    );
}

#[test]
fn user_named_api_gateway_access_logs_are_vended_only_when_the_snapshot_says_so() {
    // "public-api-access" by name: custom, 10 x 0.50 = 5.00. Stated by AWS (the `sample` columns)
    // as api_gateway_access: vended, 10 GB on the first tier = 5.00, under vended ingest.
    let by_name = run(vec![group("public-api-access", 10 * GIB)], &no_free_tier());
    assert_eq!(cw(&by_name, Component::CloudwatchIngest), usd("5.00"));
    let mut g = group("public-api-access", 10 * GIB);
    g.source = Some("api_gateway_access".into());
    g.source_basis = Some("aws".into());
    let m = run(vec![g], &no_free_tier());
    assert_eq!(cw(&m, Component::VendedIngest), usd("5.00"));
    assert_eq!(cw(&m, Component::CloudwatchIngest), MicroUsd::ZERO);
    assert_eq!(m.derived[0].class.source_basis, Basis::Aws);
    assert_eq!(m.derived[0].class.billing_basis, Basis::Aws);
}

#[test]
fn an_unknown_billing_class_names_the_group_and_column() {
    let mut g = group("/app/x", GIB);
    g.billing_class = Some("vended:Foo".into());
    let err = model::run(
        vec![g],
        &PriceBook::builtin().unwrap(),
        &Scenario::default(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("/app/x"), "{err}");
    assert!(err.contains("column billing_class"), "{err}");
    assert!(err.contains("vended:WAFLogs"), "{err}");
}

#[test]
fn delivery_class_is_priced_as_delivery_without_storage_or_insights() {
    // 100 GB of Lambda logs through a DELIVERY group: 100 x 0.25 (vended delivery, first tier)
    // = 25.00; the stored and scanned bytes the snapshot claims are not billed (one day, no
    // Insights): total 25.00.
    let mut g = group("/aws/lambda/to-s3", 100 * GIB);
    g.log_group_class = Some("DELIVERY".into());
    g.stored_bytes = Some(5 * GIB);
    g.insights_scanned_bytes = Some(10 * GIB);
    let m = run(vec![g], &no_free_tier());
    assert_eq!(cw(&m, Component::VendedToFirehose), usd("25.00"));
    assert_eq!(cw(&m, Component::Storage), MicroUsd::ZERO);
    assert_eq!(cw(&m, Component::InsightsScan), MicroUsd::ZERO);
    assert_eq!(m.path_totals[Path::Cloudwatch.index()], Some(usd("25.00")));
    assert_eq!(m.derived[0].class.billing, BillingClass::Delivery);
    assert_eq!(m.derived[0].class.billing_basis, Basis::Aws);
}

#[test]
fn each_vended_ladder_is_its_own_pool() {
    // 8 TiB of WAF logs (WAFLogs ladder) and 8 TiB of flow logs (VendedLog-Bytes ladder): each
    // pool stays under 10 TB, 2 x 8,192 x 0.50 = 8,192.00. (One shared pool would cross into
    // the second tier: 10,240 x 0.50 + 6,144 x 0.25 = 6,656.00.)
    let m = run(
        vec![
            group("aws-waf-logs-prod", 8 * TIB),
            group("/aws/vpc/flowlogs/prod", 8 * TIB),
        ],
        &no_free_tier(),
    );
    assert_eq!(cw(&m, Component::VendedIngest), usd("8192.00"));
    assert_eq!(
        m.derived[0].class.billing,
        BillingClass::Vended(VendedLadder::Waf)
    );
}

#[test]
fn waf_logs_carry_500_free_bytes_per_inspected_request_as_a_credit_line() {
    // 100 GiB of WAF logs and 1,073,741,824 inspected requests x 500 B = 500 GiB free, more than
    // the 100 GiB ingested: all free. Gross line 100 x 0.50 = 50.00, credit -50.00, net 0.
    let mut g = group("aws-waf-logs-prod", 100 * GIB);
    g.waf_requests = Some(1 << 30);
    let m = run(vec![g], &no_free_tier());
    assert_eq!(cw(&m, Component::VendedIngest), usd("50.00"));
    assert_eq!(cw(&m, Component::WafLogAllowance), usd("-50.00"));
    // 85,899,346 requests x 500 B = 42,949,673,000 B = 40.00000018626451 GiB free. Billed:
    // 59.99999981373549 GiB x 0.50 = 29.9999999068677 -> $30.00 (rounded once): gross 50.00,
    // credit -20.00.
    let mut g = group("aws-waf-logs-prod", 100 * GIB);
    g.waf_requests = Some(85_899_346);
    let m = run(vec![g], &no_free_tier());
    let net = cw(&m, Component::VendedIngest) + cw(&m, Component::WafLogAllowance);
    assert_eq!(net, usd("30.00"));
    assert_eq!(cw(&m, Component::VendedIngest), usd("50.00"));
    // Before the rule (April 2025) there is no allowance.
    let s = Scenario {
        month_start: chrono::NaiveDate::from_ymd_opt(2025, 4, 1),
        ..no_free_tier()
    };
    let mut g = group("aws-waf-logs-prod", 100 * GIB);
    g.waf_requests = Some(1 << 30);
    let m = run(vec![g], &s);
    assert_eq!(cw(&m, Component::WafLogAllowance), MicroUsd::ZERO);
    assert_eq!(cw(&m, Component::VendedIngest), usd("50.00"));
}
