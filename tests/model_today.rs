//! Issue 8, item 3: today's path per filter. Only the Datadog filter's own ForwardedBytes and
//! ForwardedLogEvents drive the Datadog side; a Firehose stream to Datadog is the Firehose path;
//! unknown forwarding is counted and priced both ways. Expected values by hand in the comments,
//! us-east-1 figures of the price book (internet egress $0.09/GB first tier, Lambda $0.20 per
//! million requests, Firehose $0.029/GB, Datadog $0.10/GB ingested and $1.70 per million events
//! indexed for 15 days), free tier off.

use logplan::model::{self, Component, DatadogGb, Path, Scenario};
use logplan::money::MicroUsd;
use logplan::pricing::PriceBook;
use logplan::snapshot::GroupInput;
use rust_decimal::Decimal;

const GIB: u64 = 1 << 30;

fn group(name: &str, incoming: u64, events: u64) -> GroupInput {
    GroupInput {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        log_group: name.into(),
        log_group_class: Some("STANDARD".into()),
        incoming_bytes: incoming,
        incoming_events: events,
        stored_bytes: Some(2 * GIB),
        insights_scanned_bytes: Some(0),
        ..GroupInput::default()
    }
}

fn usd(s: &str) -> MicroUsd {
    let d: Decimal = s.parse().unwrap();
    MicroUsd((d * Decimal::from(1_000_000)).try_into().unwrap())
}

/// Free tier off; Datadog GB as 2^30 and no envelope, so the per-filter arithmetic stays in GiB
/// (the envelope and `datadog_gb` have their own tests below).
fn run(groups: Vec<GroupInput>) -> model::Model {
    let s = Scenario {
        free_tier: false,
        datadog_gb: DatadogGb::Binary,
        forwarder_envelope_bytes: 0,
        ..Scenario::default()
    };
    run_with(groups, &s)
}

fn run_with(groups: Vec<GroupInput>, s: &Scenario) -> model::Model {
    model::run(groups, &PriceBook::builtin().unwrap(), s, None).unwrap()
}

fn on_path(m: &model::Model, p: Path, c: Component) -> MicroUsd {
    m.lines
        .iter()
        .filter(|l| l.path == p && l.component == c)
        .map(|l| l.cost)
        .sum()
}

#[test]
fn datadog_bills_the_measured_envelope_in_its_own_gb() {
    // 10 GiB whose sampled events measured 1,000,000 B and 2,500,000 B of Forwarder JSON (x2.5):
    // 26,843,545,600 B. Decimal GB (default): 26.8435456 x 0.10 = 2.68435456 -> $2.684355.
    // Binary: 25 GiB x 0.10 = $2.50.
    let g = GroupInput {
        sampled_bytes: Some(1_000_000),
        datadog_envelope_bytes: Some(2_500_000),
        ..group("/app/api", 10 * GIB, 1_000)
    };
    let p = Path::DatadogForwarder;
    let m = run_with(vec![g.clone()], &Scenario::default());
    assert_eq!(on_path(&m, p, Component::DatadogIngest), usd("2.684355"));
    assert_eq!(m.derived[0].envelope_source, "measured envelope");
    let s = Scenario {
        datadog_gb: DatadogGb::Binary,
        ..Scenario::default()
    };
    assert_eq!(
        on_path(&run_with(vec![g], &s), p, Component::DatadogIngest),
        usd("2.50")
    );
}

#[test]
fn flex_bills_events_stored_per_month_over_the_retention() {
    // 2M events, none indexed, Flex kept 6 months: 2 M x 6 = 12 M event-months x $0.05 = $0.60.
    let s = Scenario {
        indexed_fraction: Decimal::ZERO,
        flex: true,
        flex_retention_months: 6,
        ..Scenario::default()
    };
    let m = run_with(vec![group("/app/api", GIB, 2_000_000)], &s);
    let p = Path::DatadogForwarder;
    assert_eq!(on_path(&m, p, Component::DatadogFlex), usd("0.60"));
}

/// Today's cost and quantity of one component.
fn today(m: &model::Model, c: Component) -> (MicroUsd, Decimal) {
    m.today_components
        .iter()
        .filter(|t| t.component == c)
        .fold((MicroUsd::ZERO, Decimal::ZERO), |(cost, q), t| {
            (cost + t.cost, q + t.quantity)
        })
}

/// A group with a Datadog Forwarder filter (20 GiB forwarded) and a SIEM Kinesis filter (20 GiB):
/// `forwarded_bytes` sums both (40 GiB).
fn datadog_and_kinesis(dd_events: u64) -> GroupInput {
    GroupInput {
        forwarded_bytes: Some(40 * GIB),
        datadog_forwarded_bytes: Some(20 * GIB),
        datadog_forwarded_events: Some(dd_events),
        datadog_forwarder: Some(true),
        destination_kind: Some("lambda;kinesis".into()),
        ..group("/app/api", 100 * GIB, 1_000_000)
    }
}

#[test]
fn a_siem_filter_does_not_double_egress_or_lambda() {
    // Only the Datadog filter's 20 GiB leave through the Forwarder:
    // egress 20 x 0.09 = 1.80 (40 GiB would be 3.60);
    // invocations 20 GiB / 128 KiB = 20 x 8,192 = 163,840 = 0.16384 M x 0.20 = 0.032768.
    let m = run(vec![datadog_and_kinesis(1_000_000)]);
    assert_eq!(m.derived[0].today, Path::DatadogForwarder);
    assert_eq!(today(&m, Component::EgressInternet).0, usd("1.80"));
    assert_eq!(today(&m, Component::LambdaRequests).0, usd("0.032768"));
    // All events reach Datadog: 100 GiB x 0.10 = 10.00; 1 M events x 1.70 = 1.70.
    assert_eq!(today(&m, Component::DatadogIngest).0, usd("10.00"));
    assert_eq!(today(&m, Component::DatadogIndex).0, usd("1.70"));
}

#[test]
fn the_datadog_filters_events_drive_the_datadog_side() {
    // The Datadog filter's pattern passes 250,000 of 1,000,000 events (a quarter):
    // ingest 100 GiB x 0.25 x 0.10 = 2.50; index 0.25 M x 1.70 = 0.425.
    let m = run(vec![datadog_and_kinesis(250_000)]);
    assert_eq!(today(&m, Component::DatadogIngest).0, usd("2.50"));
    assert_eq!(today(&m, Component::DatadogIndex).0, usd("0.425"));
}

#[test]
fn firehose_to_datadog_is_todays_firehose_path() {
    // Not a Forwarder Lambda, but the Datadog filter (listed first) goes to Firehose, 10 GiB:
    // records 10 GiB / 128 KiB = 81,920, each 131,072 B billed as 26 x 5,120 = 133,120 B:
    // 81,920 x 133,120 B = 10.15625 GiB x 0.029 = 0.29453125 -> $0.294531; egress 10 x 0.09 = 0.90.
    let g = GroupInput {
        forwarded_bytes: Some(10 * GIB),
        datadog_forwarded_bytes: Some(10 * GIB),
        datadog_forwarded_events: Some(1_000),
        datadog_forwarder: Some(false),
        destination_kind: Some("firehose".into()),
        ..group("/app/web", 50 * GIB, 1_000)
    };
    let m = run(vec![g]);
    assert_eq!(m.derived[0].today, Path::DatadogFirehose);
    let (cost, qty) = today(&m, Component::FirehoseIngest);
    assert_eq!(qty, "10.15625".parse::<Decimal>().unwrap());
    assert_eq!(cost, usd("0.294531"));
    assert_eq!(today(&m, Component::EgressInternet).0, usd("0.90"));
    assert_eq!(m.today_unknown, 0);
}

#[test]
fn unknown_forwarding_is_counted_and_priced_both_ways() {
    // No forwarding columns (a hand-written snapshot, AccessDenied, --no-forwarding-scan): today
    // is CloudWatch, and the alternative is the Forwarder path's total for the same group.
    let m = run(vec![group("/app/x", 10 * GIB, 1_000_000)]);
    assert_eq!(m.today_unknown, 1);
    assert!(!m.derived[0].today_known);
    assert_eq!(Some(m.today_total), m.path_totals[Path::Cloudwatch.index()]);
    assert_eq!(
        m.today_if_unknown_forwarded,
        m.path_totals[Path::DatadogForwarder.index()]
    );
    assert_ne!(m.today_if_unknown_forwarded, Some(m.today_total));
    // Known as not forwarded: nothing to price twice.
    let g = GroupInput {
        datadog_forwarder: Some(false),
        ..group("/app/x", 10 * GIB, 1_000_000)
    };
    let m = run(vec![g]);
    assert_eq!(m.today_unknown, 0);
    assert_eq!(m.today_if_unknown_forwarded, None);
}
