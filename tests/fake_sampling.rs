//! `logplan sample` through the real AWS SDK against the project's fake endpoint (CloudWatch over
//! RPC v2 CBOR, Logs, STS): exact sums, call counts at the API limits, forwarding found from
//! ListMetrics and account policies, per-filter volumes, quotas, faults, denials, churn, and
//! listings that would be cut short.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, Faults, LogGroup, SubscriptionFilter};

const R: &str = "us-east-1";
const OCT1: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z
const NOV1: i64 = OCT1 + 31 * 86_400;
const LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:DatadogForwarder-abc";
const FIREHOSE: &str = "arn:aws:firehose:us-east-1:123456789012:deliverystream/to-datadog";

fn group(fake: &FakeAws, region: &str, name: &str) {
    fake.add_log_group(
        region,
        LogGroup {
            name: name.into(),
            class: "STANDARD".into(),
            retention_days: Some(30),
            stored_bytes: 123_456,
            creation_time_ms: 1_700_000_000_000,
        },
    );
}

fn filter(fake: &FakeAws, g: &str, name: &str, arn: &str) {
    fake.add_subscription_filter(
        R,
        g,
        SubscriptionFilter {
            filter_name: name.into(),
            destination_arn: arn.into(),
            filter_pattern: String::new(),
            role_arn: None,
            distribution: "ByLogStream".into(),
            creation_time_ms: 1_700_000_000_000,
        },
    );
}

/// Epoch seconds of a moment yesterday: a datapoint there makes ListMetrics name the metric
/// (it lists metrics with data in the last two weeks) without touching October's sums.
fn yesterday() -> i64 {
    chrono::Utc::now().timestamp() - 86_400
}

/// `ForwardedBytes` / `ForwardedLogEvents` of one filter under AWS's three dimensions: `points`
/// in the period, plus one recent point so that ListMetrics names the filter.
fn forwarded(fake: &FakeAws, g: &str, dtype: &str, filter: &str, points: &[(i64, f64)]) {
    let dims = [
        ("LogGroupName", g),
        ("DestinationType", dtype),
        ("FilterName", filter),
    ];
    let mut all = points.to_vec();
    all.push((yesterday(), 1.0));
    fake.put_metric(R, "AWS/Logs", "ForwardedBytes", &dims, &all);
    let events: Vec<(i64, f64)> = points
        .iter()
        .map(|(t, v)| (*t, (v / 100.0).ceil()))
        .collect();
    fake.put_metric(R, "AWS/Logs", "ForwardedLogEvents", &dims, &events);
}

/// Every sampling action at 1,000 requests a second: tests about faults, not pacing.
const FAST_RATES: &str = "[aws.rate_limits]\n\"logs:DescribeLogGroups\" = 1000\n\"logs:DescribeSubscriptionFilters\" = 1000\n\"logs:DescribeAccountPolicies\" = 1000\n\"cloudwatch:ListMetrics\" = 1000\n\"cloudwatch:GetMetricData\" = 1000\n\"logs:FilterLogEvents\" = 1000\n";

/// A config that retries fast: faults cost milliseconds, not seconds.
fn fast_config(home: &Path) {
    std::fs::write(
        home.join("logplan.toml"),
        format!(
            "[aws]\nmax_attempts = 20\ninitial_backoff_ms = 1\nread_timeout_secs = 10\n{FAST_RATES}"
        ),
    )
    .unwrap();
}

/// Run `logplan sample` against the fake; returns (exit code, stdout, stderr).
fn sample(fake: &FakeAws, home: &Path, extra: &[&str]) -> (i32, String, String) {
    let mut cmd = logplan(home);
    cmd.env("AWS_ENDPOINT_URL", fake.url())
        .args(["sample", "--month", "2026-10", "--json"])
        .args(extra);
    outcome(&mut cmd)
}

fn json(s: &str) -> serde_json::Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("summary is JSON ({e}): {s}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sums_match_the_seeded_metrics_exactly() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = tempfile::tempdir().unwrap();
    let by = |g: &str| vec![("LogGroupName", g.to_string())];
    let put = |metric: &str, dims: &[(&str, &str)], pts: &[(i64, f64)]| {
        fake.put_metric(R, "AWS/Logs", metric, dims, pts)
    };
    for g in [
        "/app/hourly",
        "/app/empty",
        "/app/edges",
        "/app/dd",
        "/app/fh",
        "/app/extra-dim",
    ] {
        group(&fake, R, g);
    }
    // Hourly points all month: the daily sums and the month total must be exact.
    let hourly: Vec<(i64, f64)> = (0..31 * 24)
        .map(|h| (OCT1 + h * 3_600, (1_000 + (h * 7919) % 5_000) as f64))
        .collect();
    let events: Vec<(i64, f64)> = hourly
        .iter()
        .map(|(t, v)| (*t, (v / 100.0).floor()))
        .collect();
    let d = by("/app/hourly");
    let dims: Vec<(&str, &str)> = d.iter().map(|(k, v)| (*k, v.as_str())).collect();
    put("IncomingBytes", &dims, &hourly);
    put("IncomingLogEvents", &dims, &events);
    // Points just outside the month do not count.
    let d = by("/app/edges");
    let dims: Vec<(&str, &str)> = d.iter().map(|(k, v)| (*k, v.as_str())).collect();
    put(
        "IncomingBytes",
        &dims,
        &[(OCT1 - 1, 1e9), (OCT1 + 15 * 86_400, 777.0), (NOV1, 1e9)],
    );
    // Forwarded metrics under AWS's three dimensions; a decoy under another filter name (no
    // data for two weeks, no filter of that name: nothing reads it).
    filter(&fake, "/app/dd", "to-datadog", LAMBDA);
    forwarded(
        &fake,
        "/app/dd",
        "Lambda",
        "to-datadog",
        &[(OCT1, 300.0), (OCT1 + 86_400, 200.0)],
    );
    let decoy = [
        ("LogGroupName", "/app/dd"),
        ("DestinationType", "Lambda"),
        ("FilterName", "other"),
    ];
    put("ForwardedBytes", &decoy, &[(OCT1, 1e6)]);
    put(
        "IncomingBytes",
        &[("LogGroupName", "/app/dd")],
        &[(OCT1 + 3_600, 2_500.0)],
    );
    filter(&fake, "/app/fh", "firehose", FIREHOSE);
    forwarded(
        &fake,
        "/app/fh",
        "Firehose",
        "firehose",
        &[(OCT1 + 40_000, 50.0)],
    );
    // A metric with an extra dimension is another metric: CloudWatch matches dimensions exactly.
    put(
        "IncomingBytes",
        &[("LogGroupName", "/app/extra-dim"), ("Stream", "x")],
        &[(OCT1, 5e6)],
    );

    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let summary = json(&out);
    assert_eq!(summary["account_id"], "123456789012");
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(snap.height(), 6);

    let expect_bytes: u64 = hourly.iter().map(|p| p.1 as u64).sum();
    let expect_events: u64 = events.iter().map(|p| p.1 as u64).sum();
    assert_eq!(
        u64_of(&snap, "/app/hourly", "incoming_bytes"),
        Some(expect_bytes)
    );
    assert_eq!(
        u64_of(&snap, "/app/hourly", "incoming_events"),
        Some(expect_events)
    );
    assert_eq!(u64_of(&snap, "/app/empty", "incoming_bytes"), Some(0));
    assert_eq!(u64_of(&snap, "/app/empty", "forwarded_bytes"), Some(0));
    assert_eq!(u64_of(&snap, "/app/edges", "incoming_bytes"), Some(777));
    assert_eq!(u64_of(&snap, "/app/extra-dim", "incoming_bytes"), Some(0));
    assert_eq!(u64_of(&snap, "/app/dd", "forwarded_bytes"), Some(500));
    // Events: ceil(300/100) + ceil(200/100) = 3 + 2.
    assert_eq!(u64_of(&snap, "/app/dd", "forwarded_events"), Some(5));
    // The Forwarder Lambda's filter reaches Datadog; a Firehose stream cannot be told.
    assert_eq!(
        u64_of(&snap, "/app/dd", "datadog_forwarded_bytes"),
        Some(500)
    );
    assert_eq!(u64_of(&snap, "/app/fh", "datadog_forwarded_bytes"), None);
    assert_eq!(
        u64_of(&snap, "/app/hourly", "datadog_forwarded_bytes"),
        Some(0)
    );
    assert_eq!(u64_of(&snap, "/app/dd", "incoming_bytes"), Some(2_500));
    assert_eq!(
        str_of(&snap, "/app/dd", "subscription_destination").as_deref(),
        Some(LAMBDA)
    );
    assert_eq!(
        str_of(&snap, "/app/dd", "destination_kind").as_deref(),
        Some("lambda")
    );
    assert_eq!(u64_of(&snap, "/app/fh", "forwarded_bytes"), Some(50));
    assert_eq!(
        str_of(&snap, "/app/fh", "destination_kind").as_deref(),
        Some("firehose")
    );
    assert_eq!(
        str_of(&snap, "/app/hourly", "log_group_class").as_deref(),
        Some("STANDARD")
    );
    assert_eq!(u64_of(&snap, "/app/hourly", "stored_bytes"), Some(123_456));

    // The daily table: 31 rows per group; day 1 of /app/hourly is its first 24 hourly points.
    let daily = read_parquet(&home.path().join("reports/2026-10/daily.parquet"));
    assert_eq!(daily.height(), 6 * 31);
    let names = daily.column("log_group").unwrap().str().unwrap();
    let bytes = daily.column("incoming_bytes").unwrap().u64().unwrap();
    let first_day: Vec<u64> = (0..daily.height())
        .filter(|&i| names.get(i) == Some("/app/hourly"))
        .map(|i| bytes.get(i).unwrap())
        .collect();
    assert_eq!(first_day.len(), 31);
    assert_eq!(
        first_day[0],
        hourly[..24].iter().map(|p| p.1 as u64).sum::<u64>()
    );
    assert_eq!(first_day.iter().sum::<u64>(), expect_bytes);

    // One GetMetricData call: 6 groups x 2 metrics + 2 filters x 2 = 16 queries.
    let gmd: Vec<_> = fake
        .calls()
        .into_iter()
        .filter(|c| c.operation == "GetMetricData")
        .collect();
    assert_eq!(gmd.len(), 1);
    assert_eq!(gmd[0].metric_queries, 16);
    assert_eq!(summary["metrics_requested"], 16);
    assert_eq!(summary["api_cost_usd"], "0.000160");
    // Forwarding found with one ListMetrics page, one DescribeAccountPolicies, and the filters
    // of the two groups ListMetrics named: not one call per group.
    assert_eq!(summary["api_calls"]["cloudwatch:ListMetrics"], 1);
    assert_eq!(summary["api_calls"]["logs:DescribeAccountPolicies"], 1);
    assert_eq!(summary["api_calls"]["logs:DescribeSubscriptionFilters"], 2);
    assert_eq!(summary["forwarding_scan"], "metrics");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_metric_data_calls_are_the_minimum() {
    for groups in [1usize, 499, 500, 501, 5_000] {
        let fake = FakeAws::start(FakeOptions::default()).await;
        let home = tempfile::tempdir().unwrap();
        for i in 0..groups {
            let name = format!("/g/{i:05}");
            group(&fake, R, &name);
            fake.put_metric(
                R,
                "AWS/Logs",
                "IncomingBytes",
                &[("LogGroupName", &name)],
                &[(OCT1, i as f64)],
            );
        }
        let (code, out, err) = sample(
            &fake,
            home.path(),
            &["--no-forwarding-scan", "--concurrency", "16"],
        );
        assert_eq!(code, 0, "{groups} groups: {err}");
        let summary = json(&out);
        let queries = 2 * groups;
        let minimum = queries.div_ceil(500);
        let calls: Vec<_> = fake
            .calls()
            .into_iter()
            .filter(|c| c.operation == "GetMetricData")
            .collect();
        assert_eq!(calls.len(), minimum, "{groups} groups");
        assert!(
            calls
                .iter()
                .all(|c| c.metric_queries <= 500 && c.status == 200)
        );
        assert_eq!(
            calls.iter().map(|c| c.metric_queries).sum::<usize>(),
            queries
        );
        assert_eq!(summary["get_metric_data_calls"], minimum);
        assert_eq!(summary["get_metric_data_min_calls"], minimum);
        let pages = fake
            .calls()
            .iter()
            .filter(|c| c.operation == "DescribeLogGroups")
            .count();
        assert_eq!(pages, groups.div_ceil(50).max(1), "{groups} groups");
        assert_eq!(summary["log_groups"], groups);
        // Total bytes = 0 + 1 + ... + (groups - 1).
        assert_eq!(
            summary["incoming_bytes"].as_u64(),
            Some((groups * (groups - 1) / 2) as u64)
        );
    }
}

/// A snapshot of 300 groups, a third forwarded; returns (snapshot bytes, daily bytes).
fn seed_300(fake: &FakeAws) {
    for i in 0..300 {
        let name = format!("/svc/{i:03}");
        group(fake, R, &name);
        let pts: Vec<(i64, f64)> = (0..31)
            .map(|d| (OCT1 + d * 86_400, ((i + 1) * (d + 3)) as f64 * 1_000.0))
            .collect();
        fake.put_metric(
            R,
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", &name)],
            &pts,
        );
        fake.put_metric(
            R,
            "AWS/Logs",
            "IncomingLogEvents",
            &[("LogGroupName", &name)],
            &pts[..10],
        );
        if i % 3 == 0 {
            filter(fake, &name, "dd", LAMBDA);
            forwarded(fake, &name, "Lambda", "dd", &pts[..5]);
        }
    }
}

fn read_outputs(home: &Path) -> (Vec<u8>, Vec<u8>, Vec<u8>) {
    let dir = home.join("reports/2026-10");
    (
        std::fs::read(dir.join("snapshot.parquet")).unwrap(),
        std::fs::read(dir.join("daily.parquet")).unwrap(),
        std::fs::read(dir.join("filters.parquet")).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_do_not_change_the_snapshot() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed_300(&fake);
    // Every group's filters are asked: many calls of every kind to fault.
    let clean = tempfile::tempdir().unwrap();
    fast_config(clean.path());
    let (code, _, err) = sample(&fake, clean.path(), &["--full-forwarding-scan"]);
    assert_eq!(code, 0, "{err}");
    assert!(fake.calls().iter().all(|c| c.fault.is_none()));

    fake.set_faults(Faults {
        seed: 7,
        throttle: 0.30,
        http500: 0.025,
        http503: 0.025,
        drop_connection: 0.01,
        ..Faults::default()
    });
    fake.clear_calls();
    let faulty = tempfile::tempdir().unwrap();
    fast_config(faulty.path());
    let (code, _, err) = sample(&fake, faulty.path(), &["--full-forwarding-scan"]);
    assert_eq!(code, 0, "{err}");
    let calls = fake.calls();
    let count = |k: &str| {
        calls
            .iter()
            .filter(|c| c.fault.as_deref() == Some(k))
            .count()
    };
    // The faults really happened, on every kind of call.
    assert!(count("throttle") > 50, "throttles: {}", count("throttle"));
    assert!(count("500") + count("503") > 5);
    assert!(count("drop") >= 1, "drops: {}", count("drop"));
    assert!(
        calls
            .iter()
            .any(|c| c.operation == "GetMetricData" && c.fault.is_some())
    );
    assert_eq!(
        read_outputs(clean.path()),
        read_outputs(faulty.path()),
        "byte-identical"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn next_token_pages_are_followed() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed_300(&fake);
    let clean = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, clean.path(), &[]);
    assert_eq!(code, 0, "{err}");
    // The service cuts pages at 1,000 datapoints (PartialData + NextToken).
    fake.set_faults(Faults {
        page_datapoints: Some(1_000),
        ..Faults::default()
    });
    fake.clear_calls();
    let paged = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, paged.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let calls = fake
        .calls()
        .iter()
        .filter(|c| c.operation == "GetMetricData")
        .count();
    // Incoming bytes 31 a day, events 10, and each forwarded group's 5 bytes and 5 events.
    let datapoints: usize = 300 * 31 + 300 * 10 + 100 * 5 * 2;
    assert!(calls >= datapoints.div_ceil(1_000), "{calls} calls");
    let summary = json(&out);
    assert_eq!(summary["get_metric_data_calls"], calls);
    assert_eq!(summary["get_metric_data_min_calls"], 2);
    assert_eq!(read_outputs(clean.path()), read_outputs(paged.path()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn access_denied_names_the_action() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, R, "/a");
    filter(&fake, "/a", "dd", LAMBDA);
    forwarded(&fake, "/a", "Lambda", "dd", &[(OCT1, 4.0)]);
    fake.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/a")],
        &[(OCT1, 10.0)],
    );

    // Subscription filters denied: a warning, forwarding unknown, the run goes on.
    fake.deny("logs:DescribeSubscriptionFilters");
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("warning: AccessDenied on logs:DescribeSubscriptionFilters for 1 log groups"),
        "{err}"
    );
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(u64_of(&snap, "/a", "incoming_bytes"), Some(10));
    assert_eq!(u64_of(&snap, "/a", "forwarded_bytes"), None);
    assert!(
        snap.column("datadog_forwarder")
            .unwrap()
            .is_null()
            .get(0)
            .unwrap()
    );
    assert_eq!(json(&out)["forwarding_unknown_groups"], 1);
    fake.allow("logs:DescribeSubscriptionFilters");

    // ListMetrics denied: forwarding unknown everywhere, with the fix in the warning.
    fake.deny("cloudwatch:ListMetrics");
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("AccessDenied on cloudwatch:ListMetrics in us-east-1")
            && err.contains("--full-forwarding-scan"),
        "{err}"
    );
    assert_eq!(json(&out)["forwarding_unknown_groups"], 1);
    fake.allow("cloudwatch:ListMetrics");

    // Account policies denied: the group filter is still found; a warning says what is unknown.
    fake.deny("logs:DescribeAccountPolicies");
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("AccessDenied on logs:DescribeAccountPolicies for account 123456789012"),
        "{err}"
    );
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(u64_of(&snap, "/a", "forwarded_bytes"), Some(4));
    fake.allow("logs:DescribeAccountPolicies");

    for action in [
        "logs:DescribeLogGroups",
        "cloudwatch:GetMetricData",
        "sts:GetCallerIdentity",
    ] {
        fake.deny(action);
        let home = tempfile::tempdir().unwrap();
        let (code, out, err) = sample(&fake, home.path(), &[]);
        assert_eq!(code, 2, "{action}: {err}");
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(err.contains(&format!("AccessDenied on {action}")), "{err}");
        assert!(out.is_empty());
        assert!(
            files_under(home.path()).iter().all(|f| f == "logplan.toml"),
            "{action} left files"
        );
        fake.allow(action);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn regions_prefixes_and_excludes() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    for g in [
        "aws-waf-logs-prod",
        "aws-waf-logs-staging",
        "/aws/lambda/a",
        "/other",
    ] {
        group(&fake, R, g);
    }
    group(&fake, "eu-west-1", "aws-waf-logs-eu");
    fake.put_metric(
        "eu-west-1",
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "aws-waf-logs-eu")],
        &[(OCT1, 42.0)],
    );
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(
        &fake,
        home.path(),
        &[
            "--region",
            "us-east-1",
            "--region",
            "eu-west-1",
            "--prefix",
            "aws-waf-logs-",
            "--prefix",
            "/aws/lambda/",
            "--exclude",
            "*staging*",
            "--format",
            "csv",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(json(&out)["log_groups"], 3);
    let csv = std::fs::read_to_string(home.path().join("reports/2026-10/snapshot.csv")).unwrap();
    let rows: Vec<(String, String)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[1].to_string(), f[2].to_string())
        })
        .collect();
    assert_eq!(
        rows,
        vec![
            ("us-east-1".to_string(), "/aws/lambda/a".to_string()),
            ("us-east-1".to_string(), "aws-waf-logs-prod".to_string()),
            ("eu-west-1".to_string(), "aws-waf-logs-eu".to_string()),
        ]
    );
    assert!(
        csv.contains(",eu-west-1,aws-waf-logs-eu,STANDARD,30,123456,"),
        "{csv}"
    );
    // Each region was asked in its own SigV4 scope.
    assert!(
        fake.calls()
            .iter()
            .any(|c| c.region == "eu-west-1" && c.operation == "GetMetricData")
    );
}

/// A filters.parquet row: (origin, policy_name, destination_type, destination_arn, datadog,
/// forwarded_bytes, silent_two_weeks).
type FilterFacts = (
    String,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<bool>,
    Option<u64>,
    Option<bool>,
);

fn filter_row(df: &polars::prelude::DataFrame, group: &str, filter: &str) -> Option<FilterFacts> {
    let s = |c: &str, i: usize| {
        df.column(c)
            .unwrap()
            .str()
            .unwrap()
            .get(i)
            .map(str::to_string)
    };
    let b = |c: &str, i: usize| df.column(c).unwrap().bool().unwrap().get(i);
    (0..df.height())
        .find(|&i| {
            s("log_group", i).as_deref() == Some(group)
                && s("filter_name", i).as_deref() == Some(filter)
        })
        .map(|i| {
            (
                s("origin", i).unwrap(),
                s("policy_name", i),
                s("destination_type", i),
                s("destination_arn", i),
                b("datadog", i),
                df.column("forwarded_bytes").unwrap().u64().unwrap().get(i),
                b("silent_two_weeks", i),
            )
        })
}

fn policy(name: &str, arn: &str, not_in: &[&str]) -> logplan_fake::SubscriptionPolicy {
    logplan_fake::SubscriptionPolicy {
        name: name.into(),
        destination_arn: arn.into(),
        filter_pattern: String::new(),
        selection_criteria: (!not_in.is_empty()).then(|| {
            format!(
                "LogGroupName NOT IN [{}]",
                not_in
                    .iter()
                    .map(|n| format!("\"{n}\""))
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        }),
        last_updated_ms: 1_700_000_000_000,
    }
}

const KINESIS: &str = "arn:aws:kinesis:us-east-1:123456789012:stream/siem";
const SIEM_LAMBDA: &str = "arn:aws:lambda:us-east-1:123456789012:function:siem-shipper";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_policies_per_filter_volumes_and_silent_filters() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let acct = fake.account_id();
    for g in [
        "/pol/a",
        "/pol/b",
        "/pol/shipper",
        "/two/filters",
        "/quiet",
        "/kinesis",
    ] {
        group(&fake, R, g);
    }
    // An account policy to the Datadog Forwarder over every group but the shipper's own
    // (recursion prevention). /pol/a forwarded in the last two weeks; /pol/b did not.
    fake.put_subscription_policy_in(
        &acct,
        R,
        policy("org-to-datadog", LAMBDA, &["/pol/shipper"]),
    );
    forwarded(
        &fake,
        "/pol/a",
        "Lambda",
        "org-to-datadog",
        &[(OCT1, 700.0)],
    );
    // A group with a Datadog filter and a SIEM shipper's: the egress is theirs together,
    // Datadog's share only its own filter's.
    filter(&fake, "/two/filters", "dd", LAMBDA);
    filter(&fake, "/two/filters", "siem", SIEM_LAMBDA);
    forwarded(&fake, "/two/filters", "Lambda", "dd", &[(OCT1, 1_000.0)]);
    forwarded(
        &fake,
        "/two/filters",
        "Lambda",
        "siem",
        &[(OCT1, 400.0), (OCT1 + 86_400, 100.0)],
    );
    // A Kinesis stream may feed Datadog or not: what it forwarded leaves Datadog's share unknown.
    filter(&fake, "/kinesis", "stream", KINESIS);
    forwarded(&fake, "/kinesis", "Kinesis", "stream", &[(OCT1, 300.0)]);
    // A group-level filter that forwarded in October but nothing for two weeks.
    filter(&fake, "/quiet", "old-firehose", FIREHOSE);
    fake.put_metric(
        R,
        "AWS/Logs",
        "ForwardedBytes",
        &[
            ("LogGroupName", "/quiet"),
            ("DestinationType", "Firehose"),
            ("FilterName", "old-firehose"),
        ],
        &[(OCT1, 90.0)],
    );

    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let summary = json(&out);
    let dir = home.path().join("reports/2026-10");
    let snap = read_parquet(&dir.join("snapshot.parquet"));
    let filters = read_parquet(&dir.join("filters.parquet"));

    // Forwarded by the policy alone: reported forwarded, with the policy's name, and no
    // DescribeSubscriptionFilters call was needed for it.
    assert_eq!(
        filter_row(&filters, "/pol/a", "org-to-datadog"),
        Some((
            "account_policy".into(),
            Some("org-to-datadog".into()),
            Some("Lambda".into()),
            Some(LAMBDA.into()),
            Some(true),
            Some(700),
            Some(false),
        ))
    );
    assert_eq!(u64_of(&snap, "/pol/a", "forwarded_bytes"), Some(700));
    assert_eq!(
        u64_of(&snap, "/pol/a", "datadog_forwarded_bytes"),
        Some(700)
    );
    assert_eq!(
        str_of(&snap, "/pol/a", "subscription_destination").as_deref(),
        Some(LAMBDA)
    );
    // Covered by the policy, silent for two weeks: its DestinationType is learned from the
    // policy's other groups ("Lambda" from /pol/a), so October is still measured (0 here).
    assert_eq!(
        filter_row(&filters, "/pol/b", "org-to-datadog"),
        Some((
            "account_policy".into(),
            Some("org-to-datadog".into()),
            Some("Lambda".into()),
            Some(LAMBDA.into()),
            Some(true),
            Some(0),
            Some(true),
        ))
    );
    // Excluded by the selection criteria: not forwarded.
    assert_eq!(filter_row(&filters, "/pol/shipper", "org-to-datadog"), None);
    assert_eq!(u64_of(&snap, "/pol/shipper", "forwarded_bytes"), Some(0));

    // Two filters: forwarded = 1,000 + 400 + 100; Datadog's share = 1,000 only.
    assert_eq!(
        u64_of(&snap, "/two/filters", "forwarded_bytes"),
        Some(1_500)
    );
    assert_eq!(
        u64_of(&snap, "/two/filters", "datadog_forwarded_bytes"),
        Some(1_000)
    );
    // Events: ceil(1000/100) = 10 for the Datadog filter.
    assert_eq!(
        u64_of(&snap, "/two/filters", "datadog_forwarded_events"),
        Some(10)
    );
    let siem = filter_row(&filters, "/two/filters", "siem").unwrap();
    assert_eq!(siem.0, "group");
    assert_eq!(siem.4, Some(false), "another Lambda: not Datadog");
    assert_eq!(siem.5, Some(500));
    let stream = filter_row(&filters, "/kinesis", "stream").unwrap();
    assert_eq!(stream.2.as_deref(), Some("Kinesis"));
    assert_eq!(stream.4, None, "a Kinesis stream: reach unknown");
    assert_eq!(u64_of(&snap, "/kinesis", "forwarded_bytes"), Some(300));
    assert_eq!(u64_of(&snap, "/kinesis", "datadog_forwarded_bytes"), None);

    // The quiet group-level filter is not seen by the default scan (documented miss)...
    assert_eq!(filter_row(&filters, "/quiet", "old-firehose"), None);
    assert_eq!(
        summary["api_calls"]["logs:DescribeSubscriptionFilters"], 2,
        "only /two/filters and /kinesis needed their ARNs"
    );
    // The policy covers every group but the shipper's (5); all but /pol/a's silent.
    assert_eq!(summary["policy_filters"], 5);
    assert_eq!(summary["silent_filters"], 4);

    // ...and is found, reported silent, by --full-forwarding-scan. Its DestinationType was
    // never listed and no Firehose filter was, so October's volume is unknown, not zero.
    let full = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, full.path(), &["--full-forwarding-scan"]);
    assert_eq!(code, 0, "{err}");
    let filters = read_parquet(&full.path().join("reports/2026-10/filters.parquet"));
    assert_eq!(
        filter_row(&filters, "/quiet", "old-firehose"),
        Some((
            "group".into(),
            None,
            None,
            Some(FIREHOSE.into()),
            None,
            None,
            Some(true),
        ))
    );
    let snap = read_parquet(&full.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(u64_of(&snap, "/quiet", "forwarded_bytes"), None);
    assert_eq!(
        json(&out)["api_calls"]["logs:DescribeSubscriptionFilters"],
        6
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repeated_token_or_a_cut_short_page_is_an_error() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    for i in 0..60 {
        group(&fake, R, &format!("/g/{i:02}"));
    }
    // DescribeLogGroups hands out the same token again: an old client looped or stopped at
    // 50 groups without a word.
    fake.set_faults(Faults {
        loop_next_token: vec!["logs:DescribeLogGroups".into()],
        ..Faults::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("logs:DescribeLogGroups in us-east-1 failed: RepeatedNextToken: page 2"),
        "{err}"
    );
    assert!(out.is_empty());
    assert!(files_under(home.path()).is_empty());

    // GetMetricData cuts a query short (PartialData) but gives no NextToken.
    fake.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/g/00")],
        &(0..31)
            .map(|d| (OCT1 + d * 86_400, 1.0))
            .collect::<Vec<_>>(),
    );
    fake.set_faults(Faults {
        page_datapoints: Some(10),
        drop_partial_token: true,
        ..Faults::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("cloudwatch:GetMetricData in us-east-1 failed: PartialData"),
        "{err}"
    );
    assert!(files_under(home.path()).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_metric_data_messages_are_warnings_of_the_run_and_the_report() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, R, "/a");
    fake.set_faults(Faults {
        metric_data_messages: vec![(
            "MaxMetricsExceeded".into(),
            "Maximum number of allowed metrics exceeded".into(),
        )],
        ..Faults::default()
    });
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let expect =
        "GetMetricData said MaxMetricsExceeded: Maximum number of allowed metrics exceeded";
    assert!(err.contains(&format!("warning: {expect}")), "{err}");
    let warnings = json(&out)["warnings"].to_string();
    assert!(warnings.contains(expect), "{warnings}");

    // The report that samples carries them in report.json.
    let mut cmd = logplan(home.path());
    cmd.env("AWS_ENDPOINT_URL", fake.url())
        .args(["report", "--month", "2026-10", "--quiet"]);
    let (code, _, err) = outcome(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    let warnings = report["api"]["warnings"].to_string();
    assert!(warnings.contains(expect), "{warnings}");
    assert!(home.path().join("reports/2026-10/filters.parquet").exists());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sampling_under_quotas_throttles_nothing_and_writes_the_same_snapshot() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    // 120 groups, every fourth forwarded: 3 DescribeLogGroups pages, 30 filter scans.
    for i in 0..120 {
        let name = format!("/q/{i:03}");
        group(&fake, R, &name);
        fake.put_metric(
            R,
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", &name)],
            &[(OCT1 + i * 3_600, (i + 1) as f64)],
        );
        if i % 4 == 0 {
            filter(&fake, &name, "dd", LAMBDA);
            forwarded(&fake, &name, "Lambda", "dd", &[(OCT1, i as f64)]);
        }
    }
    let free = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, free.path(), &["--concurrency", "32"]);
    assert_eq!(code, 0, "{err}");

    // AWS's default quotas enforced per account, region and action; the client's built-in
    // limits are the same defaults, so nothing is throttled.
    fake.set_quotas(Some(logplan_fake::Quotas::aws_defaults()));
    fake.clear_calls();
    let limited = tempfile::tempdir().unwrap();
    let started = std::time::Instant::now();
    let (code, out, err) = sample(&fake, limited.path(), &["--concurrency", "32"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{err}");
    let calls = fake.calls();
    assert!(
        calls.iter().all(|c| c.fault.is_none() && c.status == 200),
        "{:?}",
        calls
            .iter()
            .filter(|c| c.fault.is_some())
            .map(|c| &c.action)
            .collect::<Vec<_>>()
    );
    assert_eq!(json(&out)["api_throttled"], serde_json::json!({}));
    // 30 DescribeSubscriptionFilters at 5 a second cannot take less than 29 x 200 ms, however
    // many requests may be in flight (the bucket starts with a burst of 5: 25 x 200 ms).
    let dsf = calls
        .iter()
        .filter(|c| c.operation == "DescribeSubscriptionFilters")
        .count();
    assert_eq!(dsf, 30);
    assert!(
        took >= std::time::Duration::from_millis(25 * 200),
        "{took:?}"
    );
    assert_eq!(
        read_outputs(free.path()),
        read_outputs(limited.path()),
        "byte-identical"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn told_a_rate_above_the_quota_the_client_slows_down() {
    let fake = FakeAws::start(FakeOptions {
        quotas: Some(logplan_fake::Quotas::aws_defaults()),
        ..FakeOptions::default()
    })
    .await;
    for i in 0..60 {
        let name = format!("/fast/{i:02}");
        group(&fake, R, &name);
        filter(&fake, &name, "dd", LAMBDA);
        forwarded(&fake, &name, "Lambda", "dd", &[(OCT1, 1.0)]);
    }
    let home = tempfile::tempdir().unwrap();
    // Ten times the 5/s AWS allows, with room to retry.
    std::fs::write(
        home.path().join("logplan.toml"),
        "[aws]\nmax_attempts = 10\ninitial_backoff_ms = 50\n[aws.rate_limits]\n\"logs:DescribeSubscriptionFilters\" = 50\n",
    )
    .unwrap();
    let (code, out, err) = sample(&fake, home.path(), &["--concurrency", "16"]);
    assert_eq!(code, 0, "{err}");
    let calls = fake.calls();
    let dsf: Vec<_> = calls
        .iter()
        .filter(|c| c.operation == "DescribeSubscriptionFilters")
        .collect();
    let throttled = dsf
        .iter()
        .filter(|c| c.fault.as_deref() == Some("quota"))
        .count();
    // 60 answered, and the throttles counted by the client are the fake's.
    assert_eq!(dsf.len() - throttled, 60);
    assert_eq!(
        json(&out)["api_throttled"]["logs:DescribeSubscriptionFilters"],
        throttled
    );
    // Slowing down (to 70% per throttle) keeps the throttles to a fraction of the calls; a
    // client that only retried at 50/s would be throttled on about 9 calls in 10.
    assert!(
        throttled > 0 && throttled * 3 < dsf.len(),
        "{throttled} of {}",
        dsf.len()
    );
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(u64_of(&snap, "/fast/59", "forwarded_bytes"), Some(1));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn groups_deleted_during_the_run_are_warnings_not_failures() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let acct = fake.account_id();
    for g in ["/churn/filters", "/churn/events", "/churn/stays"] {
        group(&fake, R, g);
        fake.put_metric(
            R,
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", g)],
            &[(OCT1, 42.0)],
        );
    }
    filter(&fake, "/churn/filters", "dd", LAMBDA);
    forwarded(&fake, "/churn/filters", "Lambda", "dd", &[(OCT1, 7.0)]);
    // Deleted just before its subscription filters are asked (the only such call), and the
    // other just before the first event-sampling call.
    fake.delete_log_group_before(
        "logs:DescribeSubscriptionFilters",
        1,
        &acct,
        R,
        "/churn/filters",
    );
    fake.delete_log_group_before("logs:FilterLogEvents", 1, &acct, R, "/churn/events");
    let home = tempfile::tempdir().unwrap();
    // One group at a time for event sampling, so /churn/events (first by name) is the first.
    let (code, out, err) = sample(
        &fake,
        home.path(),
        &["--sample-events", "1000", "--concurrency", "1"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("log group /churn/filters in us-east-1 was deleted during the run (ResourceNotFoundException on logs:DescribeSubscriptionFilters)"),
        "{err}"
    );
    assert!(
        err.contains("log group /churn/events in us-east-1 was deleted during the run (ResourceNotFoundException on logs:FilterLogEvents)"),
        "{err}"
    );
    assert_eq!(json(&out)["deleted_during_run"], 2);
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    let deleted = |g: &str| {
        let names = snap.column("log_group").unwrap().str().unwrap();
        let i = (0..snap.height())
            .find(|&i| names.get(i) == Some(g))
            .unwrap();
        snap.column("deleted_during_run")
            .unwrap()
            .bool()
            .unwrap()
            .get(i)
    };
    assert_eq!(deleted("/churn/filters"), Some(true));
    assert_eq!(deleted("/churn/events"), Some(true));
    assert_eq!(deleted("/churn/stays"), Some(false));
    // What was measured is kept: the metrics outlive the group.
    assert_eq!(u64_of(&snap, "/churn/filters", "incoming_bytes"), Some(42));
    assert_eq!(u64_of(&snap, "/churn/events", "incoming_bytes"), Some(42));
    // The filter is still known from its metric, its destination not.
    let filters = read_parquet(&home.path().join("reports/2026-10/filters.parquet"));
    let f = filter_row(&filters, "/churn/filters", "dd").unwrap();
    assert_eq!((f.0.as_str(), f.3.clone(), f.5), ("metrics", None, Some(7)));
    assert_eq!(u64_of(&snap, "/churn/events", "sampled_events"), None);
}
