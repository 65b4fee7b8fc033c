//! Where each group's data comes from, and what its events weigh in the Datadog Forwarder's
//! envelope, through the real AWS SDK against the project's fake: the `DELIVERY` log class,
//! vended-log deliveries (DescribeDeliveries / DescribeDeliverySources /
//! DescribeDeliveryDestinations, paged), a denied listing degrading to name rules with one
//! warning, and `datadog_envelope_bytes` / `datadog_envelope_gzip_bytes` for sampled events.

mod common;

use std::io::Write;
use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, LogGroup, VendedDelivery};

const R: &str = "us-east-1";
const OCT1: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z

fn group(fake: &FakeAws, name: &str, class: &str) {
    fake.add_log_group(
        R,
        LogGroup {
            class: class.into(),
            ..LogGroup::new(name)
        },
    );
    fake.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", name)],
        &[(OCT1, 1_000.0)],
    );
}

fn delivery(fake: &FakeAws, source: &str, service: &str, log_type: &str, group: &str) {
    fake.add_delivery_in(
        &fake.account_id(),
        R,
        VendedDelivery {
            source_name: source.into(),
            service: service.into(),
            log_type: log_type.into(),
            resource_arn: format!("arn:aws:{service}::123456789012:thing/{source}"),
            log_group: group.into(),
        },
    );
}

fn sample(fake: &FakeAws, home: &Path, extra: &[&str]) -> (i32, String, String) {
    std::fs::write(
        home.join("logplan.toml"),
        "[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n",
    )
    .unwrap();
    let mut cmd = logplan(home);
    cmd.env("AWS_ENDPOINT_URL", fake.url())
        .args(["sample", "--month", "2026-10", "--quiet", "--region", R])
        .args(["--out", "out/snapshot.parquet"])
        .args(extra);
    outcome(&mut cmd)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn deliveries_and_the_delivery_class_name_the_source() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, "cdn-access", "STANDARD");
    group(&fake, "waf-by-delivery", "STANDARD");
    group(&fake, "/aws/lambda/to-firehose", "DELIVERY");
    group(&fake, "/aws/lambda/plain", "STANDARD");
    group(&fake, "bedrock-app", "STANDARD");
    delivery(&fake, "a-cdn", "cloudfront", "ACCESS_LOGS", "cdn-access");
    delivery(&fake, "b-waf", "waf", "WAF_LOGS", "waf-by-delivery");
    delivery(
        &fake,
        "c-bedrock",
        "bedrock",
        "APPLICATION_LOGS",
        "bedrock-app",
    );
    // 60 more deliveries into groups elsewhere: 63 in all, so each listing takes two pages of
    // 50 (the fake's page size, AWS's maximum `limit`).
    for i in 0..60 {
        delivery(
            &fake,
            &format!("z-{i:02}"),
            "cloudfront",
            "ACCESS_LOGS",
            "elsewhere",
        );
    }
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let df = read_parquet(&home.path().join("out/snapshot.parquet"));
    let row = |g: &str| {
        (
            str_of(&df, g, "source"),
            str_of(&df, g, "source_basis"),
            str_of(&df, g, "billing_class"),
        )
    };
    let aws = |s: &str, c: &str| (Some(s.to_string()), Some("aws".into()), Some(c.to_string()));
    assert_eq!(row("cdn-access"), aws("cloudfront", "vended:CFLogs"));
    assert_eq!(row("waf-by-delivery"), aws("waf", "vended:WAFLogs"));
    assert_eq!(row("bedrock-app"), aws("unknown", "vended:VendedLog-Bytes"));
    // Only Lambda logs use the DELIVERY class.
    assert_eq!(row("/aws/lambda/to-firehose"), aws("lambda", "delivery"));
    // AWS said nothing: left to the model's name rules.
    assert_eq!(row("/aws/lambda/plain"), (None, None, None));
    let pages = |op: &str| fake.calls().iter().filter(|c| c.operation == op).count();
    assert_eq!(pages("DescribeDeliveries"), 2);
    assert_eq!(pages("DescribeDeliverySources"), 2);
    assert_eq!(pages("DescribeDeliveryDestinations"), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_denied_delivery_listing_is_one_warning_and_name_rules() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, "cdn-access", "STANDARD");
    group(&fake, "/aws/lambda/to-s3", "DELIVERY");
    delivery(&fake, "a-cdn", "cloudfront", "ACCESS_LOGS", "cdn-access");
    fake.deny("logs:DescribeDeliverySources");
    let home = tempfile::tempdir().unwrap();
    let mut cmd = logplan(home.path());
    cmd.env("AWS_ENDPOINT_URL", fake.url()).args([
        "sample",
        "--month",
        "2026-10",
        "--region",
        R,
        "--out",
        "out/snapshot.parquet",
    ]);
    let (code, _, err) = outcome(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("logs:DescribeDeliverySources"))
        .collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(warnings[0].contains("group names only"), "{err}");
    let df = read_parquet(&home.path().join("out/snapshot.parquet"));
    assert_eq!(str_of(&df, "cdn-access", "source"), None);
    // The class comes from DescribeLogGroups, which was allowed.
    assert_eq!(
        str_of(&df, "/aws/lambda/to-s3", "billing_class").as_deref(),
        Some("delivery")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_envelope_is_the_forwarders_json_for_the_sampled_events() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, "/app/api", "STANDARD");
    let ts = OCT1 * 1000 + 5_000;
    fake.put_log_events(
        R,
        "/app/api",
        "stream-1",
        &[
            (ts, "GET /health 200".into()),
            (ts + 1, "caf\u{e9} \"q\"".into()),
        ],
    );
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, home.path(), &["--sample-events", "1000000"]);
    assert_eq!(code, 0, "{err}");
    let df = read_parquet(&home.path().join("out/snapshot.parquet"));
    // Written by hand from the Forwarder's awslogs_handler.py / common.py: Python's separators,
    // UTF-8 kept, the nominal Forwarder `datadog-forwarder` in the group's account and region
    // (no Datadog filter, none configured). Event ids are 56 digits in CloudWatch and the fake.
    let account = fake.account_id();
    let arn = format!("arn:aws:lambda:us-east-1:{account}:function:datadog-forwarder");
    // The event ids as the fake's FilterLogEvents gives them (56 digits, as CloudWatch's).
    let listed = logs_call(
        &fake.url(),
        "FilterLogEvents",
        &serde_json::json!({"logGroupName": "/app/api"}),
    );
    let ids: Vec<String> = listed["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["eventId"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(ids.len(), 2);
    assert!(ids.iter().all(|i| i.len() == 56));
    let one = |id: &str, t: i64, msg: &str| {
        format!(
            r#"{{"id": "{id}", "timestamp": {t}, "message": {msg}, "aws": {{"awslogs": {{"logGroup": "/app/api", "logStream": "stream-1", "owner": "{account}"}}, "invoked_function_arn": "{arn}"}}, "ddsourcecategory": "aws", "ddtags": "forwardername:datadog-forwarder,forwarder_version:5.4.11", "ddsource": "cloudwatch", "host": "/app/api", "service": "cloudwatch"}}"#
        )
    };
    // Both events fall in one FilterLogEvents window, answered oldest first.
    let e1 = one(&ids[0], ts, "\"GET /health 200\"");
    let e2 = one(&ids[1], ts + 1, "\"caf\u{e9} \\\"q\\\"\"");
    // "café" is 5 bytes in UTF-8: both sides count bytes.
    assert_eq!(
        u64_of(&df, "/app/api", "datadog_envelope_bytes"),
        Some((e1.len() + e2.len()) as u64)
    );
    // "GET /health 200" is 15 bytes; `café "q"` is 9 (c, a, f, é in two, space, ", q, ").
    assert_eq!(u64_of(&df, "/app/api", "sampled_bytes"), Some(15 + 9));
    // One batch, `[e1,e2]`, gzip level 6 as the Forwarder's compress_logs.
    let batch = format!("[{},{}]", e1, e2);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
    gz.write_all(batch.as_bytes()).unwrap();
    let gz_len = gz.finish().unwrap().len() as u64;
    assert_eq!(
        u64_of(&df, "/app/api", "datadog_envelope_gzip_bytes"),
        Some(gz_len)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waf_requests_are_the_web_acls_allowed_plus_blocked() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    group(&fake, "aws-waf-logs-shop", "STANDARD");
    group(&fake, "waf-delivered", "STANDARD");
    group(&fake, "aws-waf-logs-orphan", "STANDARD");
    group(&fake, "/app/x", "STANDARD");
    fake.add_delivery_in(
        &fake.account_id(),
        R,
        VendedDelivery {
            source_name: "api-acl".into(),
            service: "wafv2".into(),
            log_type: "WAF_LOGS".into(),
            resource_arn: format!(
                "arn:aws:wafv2:us-east-1:{}:regional/webacl/api/0f1e",
                fake.account_id()
            ),
            log_group: "waf-delivered".into(),
        },
    );
    // A point yesterday makes ListMetrics (two weeks back) name each metric; it lies outside
    // October, so it is not counted.
    let recent = chrono::Utc::now().timestamp() - 86_400;
    let waf = |metric: &str, acl: &str, rule: &str, pts: &[(i64, f64)]| {
        let mut all = pts.to_vec();
        all.push((recent, 7.0));
        fake.put_metric(
            R,
            "AWS/WAFV2",
            metric,
            &[("WebACL", acl), ("Rule", rule), ("Region", R)],
            &all,
        );
    };
    waf(
        "AllowedRequests",
        "shop",
        "ALL",
        &[(OCT1, 1_000.0), (OCT1 + 86_400, 500.0)],
    );
    waf("BlockedRequests", "shop", "ALL", &[(OCT1 + 3_600, 70.0)]);
    // Count is not terminating: these requests are also in Allowed or Blocked.
    waf("CountedRequests", "shop", "ALL", &[(OCT1, 999.0)]);
    // One rule's own count, not the web ACL's total.
    waf("AllowedRequests", "shop", "rate-limit", &[(OCT1, 5.0)]);
    waf(
        "AllowedRequests",
        "api",
        "ALL",
        &[(OCT1 + 10 * 86_400, 40.0)],
    );
    waf(
        "BlockedRequests",
        "api",
        "ALL",
        &[(OCT1 + 30 * 86_400, 2.0)],
    );
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = sample(&fake, home.path(), &[]);
    assert_eq!(code, 0, "{err}");
    let df = read_parquet(&home.path().join("out/snapshot.parquet"));
    // shop: 1,000 + 500 allowed + 70 blocked = 1,570.
    assert_eq!(
        u64_of(&df, "aws-waf-logs-shop", "waf_requests"),
        Some(1_570)
    );
    // api (named by the delivery source's web ACL ARN): 40 + 2 = 42.
    assert_eq!(u64_of(&df, "waf-delivered", "waf_requests"), Some(42));
    // No web ACL named `orphan`: unknown, not zero.
    assert_eq!(u64_of(&df, "aws-waf-logs-orphan", "waf_requests"), None);
    assert_eq!(u64_of(&df, "/app/x", "waf_requests"), None);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_firehose_stream_to_a_datadog_intake_reaches_datadog() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let account = fake.account_id();
    let recent = chrono::Utc::now().timestamp() - 86_400;
    for (g, stream, bytes) in [
        ("/app/fh-dd", "dd-stream", 5_000.0),
        ("/app/fh-s3", "s3-stream", 3_000.0),
        ("/app/fh-gone", "missing", 100.0),
    ] {
        group(&fake, g, "STANDARD");
        fake.add_subscription_filter(
            R,
            g,
            logplan_fake::SubscriptionFilter {
                filter_name: "fh".into(),
                destination_arn: format!("arn:aws:firehose:{R}:{account}:deliverystream/{stream}"),
                filter_pattern: String::new(),
                role_arn: None,
                distribution: "ByLogStream".into(),
                creation_time_ms: 0,
            },
        );
        let dims = [
            ("LogGroupName", g),
            ("DestinationType", "Firehose"),
            ("FilterName", "fh"),
        ];
        fake.put_metric(
            R,
            "AWS/Logs",
            "ForwardedBytes",
            &dims,
            &[(OCT1, bytes), (recent, 1.0)],
        );
        fake.put_metric(R, "AWS/Logs", "ForwardedLogEvents", &dims, &[(OCT1, 10.0)]);
    }
    // Datadog's EU logs intake for Firehose; the other stream writes to S3.
    fake.add_firehose_stream_in(
        &account,
        R,
        "dd-stream",
        Some("https://aws-kinesis-http-intake.logs.datadoghq.eu/v1/input"),
    );
    fake.add_firehose_stream_in(&account, R, "s3-stream", None);
    let home = tempfile::tempdir().unwrap();
    let mut cmd = logplan(home.path());
    cmd.env("AWS_ENDPOINT_URL", fake.url()).args([
        "sample",
        "--month",
        "2026-10",
        "--region",
        R,
        "--out",
        "out/snapshot.parquet",
    ]);
    let (code, _, err) = outcome(&mut cmd);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("Firehose stream missing in us-east-1 was not found"),
        "{err}"
    );
    let filters = read_parquet(&home.path().join("out/filters.parquet"));
    let reach = |g: &str| {
        let names = filters.column("log_group").unwrap().str().unwrap();
        let i = (0..filters.height())
            .find(|&i| names.get(i) == Some(g))
            .unwrap();
        filters.column("datadog").unwrap().bool().unwrap().get(i)
    };
    assert_eq!(reach("/app/fh-dd"), Some(true));
    assert_eq!(reach("/app/fh-s3"), Some(false));
    assert_eq!(reach("/app/fh-gone"), None);
    let snap = read_parquet(&home.path().join("out/snapshot.parquet"));
    // The Datadog filter's own October ForwardedBytes (the recent point is in November).
    assert_eq!(
        u64_of(&snap, "/app/fh-dd", "datadog_forwarded_bytes"),
        Some(5_000)
    );
    assert_eq!(
        u64_of(&snap, "/app/fh-dd", "datadog_forwarded_events"),
        Some(10)
    );
    // Not Datadog's: nothing reaches Datadog.
    assert_eq!(
        u64_of(&snap, "/app/fh-s3", "datadog_forwarded_bytes"),
        Some(0)
    );
    // Reach unknown and it forwarded: unknown stays unknown.
    assert_eq!(
        u64_of(&snap, "/app/fh-gone", "datadog_forwarded_bytes"),
        None
    );
    let described = fake
        .calls()
        .iter()
        .filter(|c| c.operation == "DescribeDeliveryStream")
        .count();
    assert_eq!(described, 3, "one call per stream");
}
