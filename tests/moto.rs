//! Against moto (CloudWatch Logs and STS, the real protocol stacks of AWS's Python emulator) with
//! metrics from the project's fake endpoint, which moto cannot serve over RPC v2 CBOR. Logs calls
//! go through the fake, which forwards them all to moto except DescribeAccountPolicies (moto
//! lacks it and answers 500). These tests share one moto server (started by `scripts/test`) and
//! run one at a time (.config/nextest.toml), each from a reset.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions};
use serde_json::json;

const R: &str = "us-east-1";

fn logs(op: &str, body: serde_json::Value) -> String {
    let (status, text) = moto_json(&format!("Logs_20140328.{op}"), R, &body);
    assert_eq!(status, 200, "moto {op}: {text}");
    text
}

/// A Lambda function in moto (moto checks that a subscription's destination exists).
fn moto_lambda(name: &str) -> String {
    let iam_auth = "AWS4-HMAC-SHA256 Credential=testing/20261124/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0";
    let (status, body) = http(
        &moto_url(),
        "POST",
        "/",
        &[("Content-Type", "application/x-www-form-urlencoded"), ("Authorization", iam_auth)],
        b"Action=CreateRole&Version=2010-05-08&RoleName=forwarder-role&AssumeRolePolicyDocument=%7B%7D",
    );
    assert_eq!(status, 200, "CreateRole: {body}");
    let lambda_auth = "AWS4-HMAC-SHA256 Credential=testing/20261124/us-east-1/lambda/aws4_request, SignedHeaders=host, Signature=0";
    // An empty zip archive: moto stores the code, it never runs it here.
    let empty_zip = "UEsFBgAAAAAAAAAAAAAAAAAAAAAAAA==";
    let req = json!({
        "FunctionName": name, "Runtime": "python3.12", "Handler": "lambda_function.handler",
        "Role": "arn:aws:iam::123456789012:role/forwarder-role", "Code": {"ZipFile": empty_zip},
        "Architectures": ["arm64"], "MemorySize": 1024
    });
    let (status, body) = http(
        &moto_url(),
        "POST",
        "/2015-03-31/functions",
        &[
            ("Content-Type", "application/json"),
            ("Authorization", lambda_auth),
        ],
        req.to_string().as_bytes(),
    );
    assert_eq!(status, 201, "CreateFunction: {body}");
    let v: serde_json::Value = serde_json::from_str(&body).unwrap();
    v["FunctionArn"].as_str().unwrap().to_string()
}

/// The fake in front of moto: metrics and DescribeAccountPolicies its own, the rest moto's.
async fn fake_before_moto() -> FakeAws {
    FakeAws::start(FakeOptions {
        upstream: Some(moto_url()),
        serve_only: Some(
            [
                "logs:DescribeAccountPolicies",
                "cloudwatch:GetMetricData",
                "cloudwatch:ListMetrics",
            ]
            .map(String::from)
            .to_vec(),
        ),
        ..FakeOptions::default()
    })
    .await
}

fn run(home: &Path, fake: &FakeAws, args: &[&str]) -> (i32, String, String) {
    let mut cmd = logplan(home);
    endpoints(&mut cmd, &fake.url(), &fake.url());
    cmd.env("AWS_ENDPOINT_URL_STS", moto_url());
    outcome(cmd.args(args))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovers_125_groups_in_pages_of_50_with_forwarding() {
    moto_reset();
    for i in 0..125 {
        logs(
            "CreateLogGroup",
            json!({"logGroupName": format!("/moto/app-{i:03}")}),
        );
    }
    logs(
        "CreateLogGroup",
        json!({"logGroupName": "aws-waf-logs-prod"}),
    );
    logs(
        "PutRetentionPolicy",
        json!({"logGroupName": "aws-waf-logs-prod", "retentionInDays": 30}),
    );
    let arn = moto_lambda("datadog-forwarder-Forwarder-XYZ");
    logs(
        "PutSubscriptionFilter",
        json!({"logGroupName": "aws-waf-logs-prod", "filterName": "datadog", "filterPattern": "", "destinationArn": arn}),
    );

    let fake = fake_before_moto().await;
    let oct1 = 1_790_812_800i64;
    fake.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "aws-waf-logs-prod")],
        &[(oct1, 9_000.0), (oct1 + 86_400, 1_000.0)],
    );
    let fwd = [
        ("LogGroupName", "aws-waf-logs-prod"),
        ("DestinationType", "Lambda"),
        ("FilterName", "datadog"),
    ];
    fake.put_metric(R, "AWS/Logs", "ForwardedBytes", &fwd, &[(oct1, 1_250.0)]);
    // Still forwarding: a datapoint yesterday, so ListMetrics names the filter (two weeks).
    let yesterday = chrono::Utc::now().timestamp() - 86_400;
    fake.put_metric(R, "AWS/Logs", "ForwardedBytes", &fwd, &[(yesterday, 10.0)]);

    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        home.path(),
        &fake,
        &["sample", "--month", "2026-10", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["log_groups"], 126);
    assert_eq!(s["account_id"], "123456789012", "account from moto's STS");
    assert_eq!(
        s["api_calls"]["logs:DescribeLogGroups"], 3,
        "126 groups in pages of 50"
    );
    // Forwarding found from ListMetrics: only the forwarded group's filters are asked.
    // One ListMetrics for forwarding, one for the web ACL of the WAF group `aws-waf-logs-prod`
    // (AWS/WAFV2 AllowedRequests; none listed, so no WAF GetMetricData).
    assert_eq!(s["api_calls"]["cloudwatch:ListMetrics"], 2);
    assert_eq!(s["api_calls"]["logs:DescribeAccountPolicies"], 1);
    assert_eq!(s["api_calls"]["logs:DescribeSubscriptionFilters"], 1);
    // 126 groups x 2 + 1 filter x 2 = 254 queries: one call.
    assert_eq!(s["get_metric_data_calls"], 1);
    assert_eq!(s["metrics_requested"], 254);

    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(snap.height(), 126);
    assert_eq!(u64_of(&snap, "aws-waf-logs-prod", "waf_requests"), None);
    assert_eq!(
        u64_of(&snap, "aws-waf-logs-prod", "incoming_bytes"),
        Some(10_000)
    );
    assert_eq!(
        u64_of(&snap, "aws-waf-logs-prod", "forwarded_bytes"),
        Some(1_250)
    );
    assert_eq!(
        str_of(&snap, "aws-waf-logs-prod", "subscription_destination"),
        Some(arn)
    );
    assert_eq!(
        str_of(&snap, "aws-waf-logs-prod", "destination_kind").as_deref(),
        Some("lambda")
    );
    let idx = |g: &str| {
        let names = snap.column("log_group").unwrap().str().unwrap();
        (0..snap.height())
            .find(|&i| names.get(i) == Some(g))
            .unwrap()
    };
    let dd = snap.column("datadog_forwarder").unwrap().bool().unwrap();
    assert_eq!(dd.get(idx("aws-waf-logs-prod")), Some(true));
    assert_eq!(dd.get(idx("/moto/app-007")), Some(false));
    let retention = snap.column("retention_days").unwrap().i32().unwrap();
    assert_eq!(retention.get(idx("aws-waf-logs-prod")), Some(30));
    assert_eq!(retention.get(idx("/moto/app-007")), None);
    assert_eq!(u64_of(&snap, "/moto/app-124", "incoming_bytes"), Some(0));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn event_sampling_measures_filter_log_events_without_keeping_content() {
    moto_reset();
    let g = "/var/log/secure";
    logs("CreateLogGroup", json!({"logGroupName": g}));
    logs(
        "CreateLogStream",
        json!({"logGroupName": g, "logStreamName": "i-0abc"}),
    );
    let now_ms = chrono::Utc::now().timestamp_millis();
    let messages: Vec<String> = (0..300)
        .map(|i| {
            format!(
                "Nov 24 10:{:02}:{:02} ip-10-0-1-5 sshd[{}]: Failed password for invalid user admin{} from 203.0.113.{} port {} ssh2",
                i / 60 % 60, i % 60, 4000 + i, i % 7, i % 250, 40000 + i
            )
        })
        .collect();
    let events: Vec<_> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| json!({"timestamp": now_ms - 3 * 3_600_000 + i as i64 * 1_000, "message": m}))
        .collect();
    logs(
        "PutLogEvents",
        json!({"logGroupName": g, "logStreamName": "i-0abc", "logEvents": events}),
    );

    let fake = fake_before_moto().await;
    let today = chrono::Utc::now().date_naive();
    let start = (today - chrono::Duration::days(2)).to_string();
    let end = (today + chrono::Duration::days(1)).to_string();
    let total: u64 = messages.iter().map(|m| m.len() as u64).sum();
    let home = tempfile::tempdir().unwrap();

    // A budget larger than the group: every event is read once, none twice.
    let (code, _, err) = run(
        home.path(),
        &fake,
        &[
            "sample",
            "--start",
            &start,
            "--end",
            &end,
            "--sample-events",
            "10000000",
            "--out",
            "all/snapshot.parquet",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let snap = read_parquet(&home.path().join("all/snapshot.parquet"));
    assert_eq!(u64_of(&snap, g, "sampled_events"), Some(300));
    assert_eq!(u64_of(&snap, g, "sampled_bytes"), Some(total));
    let ratio = snap
        .column("gzip_ratio")
        .unwrap()
        .f64()
        .unwrap()
        .get(0)
        .unwrap();
    assert!(
        ratio > 2.0 && ratio < 30.0,
        "repetitive auth lines compress well: {ratio}"
    );

    // A small budget stops at the budget, at most one event over.
    let (code, _, err) = run(
        home.path(),
        &fake,
        &[
            "sample",
            "--start",
            &start,
            "--end",
            &end,
            "--sample-events",
            "2000",
            "--out",
            "small/snapshot.parquet",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let snap = read_parquet(&home.path().join("small/snapshot.parquet"));
    let bytes = u64_of(&snap, g, "sampled_bytes").unwrap();
    let longest = messages.iter().map(String::len).max().unwrap() as u64;
    assert!((2_000..2_000 + longest).contains(&bytes), "{bytes}");
    let events = u64_of(&snap, g, "sampled_events").unwrap();
    assert!((15..30).contains(&events), "{events} events");

    // Numbers only: no log content anywhere in what was written.
    for f in files_under(home.path()) {
        let bytes = std::fs::read(home.path().join(&f)).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains("Failed password"), "{f} holds log content");
    }
}
