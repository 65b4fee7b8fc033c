//! `logplan sample --demo` end to end: the built-in account, offline.

mod common;

use common::*;
use polars::prelude::*;

#[test]
fn demo_sample_writes_a_consistent_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let out = logplan(home.path())
        .args(["sample", "--demo", "--month", "2026-10", "--json"])
        .env_remove("AWS_ACCESS_KEY_ID") // the demo needs no AWS at all
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let summary: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let dir = home.path().join("reports/2026-10");
    // Two accounts of one organization, two regions: each table also partitioned by account
    // and region (the main account in us-east-1; the member account in us-east-1 and eu-west-1).
    assert_eq!(
        files_under(&dir),
        vec![
            "daily.parquet",
            "daily/account_id=210987654321/region=us-east-1/part-0.parquet",
            "daily/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "daily/account_id=210987654322/region=us-east-1/part-0.parquet",
            "filters.parquet",
            "filters/account_id=210987654321/region=us-east-1/part-0.parquet",
            "filters/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "filters/account_id=210987654322/region=us-east-1/part-0.parquet",
            "snapshot.parquet",
            "snapshot/account_id=210987654321/region=us-east-1/part-0.parquet",
            "snapshot/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "snapshot/account_id=210987654322/region=us-east-1/part-0.parquet"
        ]
    );

    let snap = read_parquet(&dir.join("snapshot.parquet"));
    let daily = read_parquet(&dir.join("daily.parquet"));
    let groups = snap.height();
    // 47 in the main account, 4 in the member account (issue 8's cases: a Datadog + Kinesis
    // group, a group whose filters cannot be read, a Lambda-heavy API, groups in eu-west-1).
    assert_eq!(groups, logplan::demo::DemoAccount::group_count());
    assert!((45..=55).contains(&groups), "{groups} groups");
    assert_eq!(summary["log_groups"], groups);
    assert_eq!(daily.height(), groups * 31, "every group has every day");

    // The daily series adds up to the monthly totals, group by group.
    let by_group = daily.clone().lazy_free_sum("log_group", "incoming_bytes");
    for (g, total) in by_group {
        assert_eq!(u64_of(&snap, &g, "incoming_bytes"), Some(total), "{g}");
    }
    let total: u64 = snap
        .column("incoming_bytes")
        .unwrap()
        .u64()
        .unwrap()
        .into_no_null_iter()
        .sum();
    assert_eq!(summary["incoming_bytes"].as_u64(), Some(total));
    // From megabytes to terabytes a month.
    let max = snap
        .column("incoming_bytes")
        .unwrap()
        .u64()
        .unwrap()
        .max()
        .unwrap();
    let tib = 1u64 << 40;
    assert!(max > 2 * tib, "largest group {max}");
    // A group with no datapoints is a row with zero volume, not a missing row.
    assert_eq!(
        u64_of(&snap, "/aws/lambda/legacy-cron", "incoming_bytes"),
        Some(0)
    );

    // The story: WAF groups forwarded to the Datadog Forwarder, IA groups, a Firehose one.
    assert_eq!(
        str_of(&snap, "aws-waf-logs-prod-alb", "destination_kind").as_deref(),
        Some("lambda")
    );
    let dd = snap.column("datadog_forwarder").unwrap().bool().unwrap();
    assert!((0..dd.len()).filter(|&i| dd.get(i) == Some(true)).count() >= 10);
    assert_eq!(
        str_of(&snap, "/aws/vpc/flowlogs/staging-vpc", "log_group_class").as_deref(),
        Some("INFREQUENT_ACCESS")
    );
    assert_eq!(
        str_of(&snap, "/ecs/payments-service", "destination_kind").as_deref(),
        Some("firehose")
    );
    let fwd = u64_of(&snap, "aws-waf-logs-prod-alb", "forwarded_bytes").unwrap();
    let inc = u64_of(&snap, "aws-waf-logs-prod-alb", "incoming_bytes").unwrap();
    assert!(
        fwd > 0 && fwd < inc,
        "forwarded bytes are compressed: {fwd} vs {inc}"
    );
    assert_eq!(
        u64_of(&snap, "/aws/vpc/flowlogs/prod-vpc", "forwarded_bytes"),
        Some(0)
    );

    // The run says what it asked of AWS and what that cost: 2 metrics per group plus 2 per
    // subscription filter (ListMetrics names 25: 23 groups with one filter, /ecs/auth-service
    // with two), one GetMetricData call per account and region (3); and one more call for the
    // 4 WAF groups' web ACLs, AllowedRequests and BlockedRequests each.
    assert_eq!(summary["get_metric_data_calls"], 4);
    assert_eq!(summary["get_metric_data_min_calls"], 4);
    let metrics = summary["metrics_requested"].as_u64().unwrap();
    let filters = summary["filters"].as_u64().unwrap();
    assert_eq!(filters, 25);
    assert_eq!(
        summary["forwarding_unknown_groups"], 1,
        "/ecs/ledger-service"
    );
    assert_eq!(metrics, 2 * groups as u64 + 2 * filters + 4 * 2);
    assert_eq!(
        summary["api_cost_usd"].as_str().unwrap(),
        format!("0.{:06}", metrics * 10)
    );
}

trait SumBy {
    fn lazy_free_sum(self, key: &str, value: &str) -> Vec<(String, u64)>;
}

impl SumBy for DataFrame {
    fn lazy_free_sum(self, key: &str, value: &str) -> Vec<(String, u64)> {
        let keys = self.column(key).unwrap().str().unwrap().clone();
        let vals = self.column(value).unwrap().u64().unwrap().clone();
        let mut m = std::collections::BTreeMap::<String, u64>::new();
        for i in 0..self.height() {
            *m.entry(keys.get(i).unwrap().to_string()).or_default() += vals.get(i).unwrap();
        }
        m.into_iter().collect()
    }
}

#[test]
fn demo_is_deterministic_and_csv_matches_parquet_schema() {
    let home = tempfile::tempdir().unwrap();
    for out in ["a/snapshot.parquet", "b/snapshot.parquet"] {
        logplan(home.path())
            .args([
                "sample", "--demo", "--month", "2026-09", "--quiet", "--out", out,
            ])
            .assert()
            .success()
            .stdout("");
    }
    let a = std::fs::read(home.path().join("a/snapshot.parquet")).unwrap();
    let b = std::fs::read(home.path().join("b/snapshot.parquet")).unwrap();
    assert_eq!(a, b, "same month, same bytes");

    logplan(home.path())
        .args([
            "sample", "--demo", "--month", "2026-09", "--format", "csv", "--quiet",
        ])
        .assert()
        .success();
    let csv = std::fs::read_to_string(home.path().join("reports/2026-09/snapshot.csv")).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let parquet = read_parquet(&home.path().join("a/snapshot.parquet"));
    let names: Vec<String> = parquet
        .get_column_names()
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(header, names);
    assert_eq!(header.len(), logplan::snapshot::SNAPSHOT_COLUMNS.len());
    assert_eq!(csv.lines().count(), parquet.height() + 1);
}

#[test]
fn demo_event_sampling_measures_size_and_compression() {
    let home = tempfile::tempdir().unwrap();
    logplan(home.path())
        .args([
            "sample",
            "--demo",
            "--month",
            "2026-10",
            "--quiet",
            "--sample-events",
            "65536",
            "--prefix",
            "aws-waf-logs-",
            "--prefix",
            "/aws/vpc/",
        ])
        .assert()
        .success();
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert!(snap.height() >= 5);
    let names = snap.column("log_group").unwrap().str().unwrap();
    assert!((0..names.len()).all(|i| {
        let n = names.get(i).unwrap();
        n.starts_with("aws-waf-logs-") || n.starts_with("/aws/vpc/")
    }));
    let ratio = |g: &str| {
        let idx = (0..snap.height())
            .find(|&i| names.get(i) == Some(g))
            .unwrap();
        snap.column("gzip_ratio")
            .unwrap()
            .f64()
            .unwrap()
            .get(idx)
            .unwrap()
    };
    let bytes = u64_of(&snap, "aws-waf-logs-prod-alb", "sampled_bytes").unwrap();
    let events = u64_of(&snap, "aws-waf-logs-prod-alb", "sampled_events").unwrap();
    // The budget is reached and not overshot by more than one event.
    assert!((65_536..65_536 + 4_096).contains(&bytes), "{bytes}");
    let avg = bytes / events;
    assert!((800..3_000).contains(&avg), "WAF events are ~1-2 KB: {avg}");
    let flow_avg = u64_of(&snap, "/aws/vpc/flowlogs/prod-vpc", "sampled_bytes").unwrap()
        / u64_of(&snap, "/aws/vpc/flowlogs/prod-vpc", "sampled_events").unwrap();
    assert!(flow_avg < 200, "flow log lines are short: {flow_avg}");
    assert!(ratio("aws-waf-logs-prod-alb") > 3.0);
    assert!(ratio("/aws/vpc/flowlogs/prod-vpc") > 1.5);
}
