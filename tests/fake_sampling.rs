//! `logplan sample` through the real AWS SDK against the project's fake endpoint (CloudWatch over
//! RPC v2 CBOR, Logs, STS): exact sums, call counts at the API limits, faults, denials.

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

/// A config that retries fast: faults cost milliseconds, not seconds.
fn fast_config(home: &Path) {
    std::fs::write(
        home.join("logplan.toml"),
        "[aws]\nmax_attempts = 20\ninitial_backoff_ms = 1\nread_timeout_secs = 10\n",
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
    // Forwarded metrics under AWS's three dimensions; a decoy under another filter name.
    filter(&fake, "/app/dd", "to-datadog", LAMBDA);
    let dd = [
        ("LogGroupName", "/app/dd"),
        ("DestinationType", "Lambda"),
        ("FilterName", "to-datadog"),
    ];
    put(
        "ForwardedBytes",
        &dd,
        &[(OCT1, 300.0), (OCT1 + 86_400, 200.0)],
    );
    put(
        "ForwardedLogEvents",
        &dd,
        &[(OCT1, 3.0), (OCT1 + 86_400, 2.0)],
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
    let fh = [
        ("LogGroupName", "/app/fh"),
        ("DestinationType", "Firehose"),
        ("FilterName", "firehose"),
    ];
    put("ForwardedBytes", &fh, &[(OCT1 + 40_000, 50.0)]);
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
    assert_eq!(u64_of(&snap, "/app/dd", "forwarded_events"), Some(5));
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
            let dims = [
                ("LogGroupName", name.as_str()),
                ("DestinationType", "Lambda"),
                ("FilterName", "dd"),
            ];
            fake.put_metric(R, "AWS/Logs", "ForwardedBytes", &dims, &pts[..5]);
        }
    }
}

fn read_outputs(home: &Path) -> (Vec<u8>, Vec<u8>) {
    let dir = home.join("reports/2026-10");
    (
        std::fs::read(dir.join("snapshot.parquet")).unwrap(),
        std::fs::read(dir.join("daily.parquet")).unwrap(),
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn faults_do_not_change_the_snapshot() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed_300(&fake);
    let clean = tempfile::tempdir().unwrap();
    fast_config(clean.path());
    let (code, _, err) = sample(&fake, clean.path(), &[]);
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
    let (code, _, err) = sample(&fake, faulty.path(), &[]);
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
    let datapoints: usize = 300 * 31 + 300 * 10 + 100 * 5;
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
        err.contains("warning: AccessDenied on logs:DescribeSubscriptionFilters for 1 of 1"),
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
