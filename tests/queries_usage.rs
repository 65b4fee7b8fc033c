//! Scans measured, not assumed: `logplan queries usage` reads DescribeQueries (every page, every
//! region of every account sampled) and sums the bytes per log group, per query and per user;
//! the demo report uses what was measured for some groups, the library's plan for others and
//! the assumption for the rest, each line labelled.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::insights::QueryRecord;
use logplan_fake::{FakeAws, FakeOptions};

const ACCOUNTS: [&str; 2] = ["111111111111", "222222222222"];
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];
const MARKER: &str = "# logplan: lib=lp-u version=1.0.0 sha256=0123456789abcdef name=team/errors";

fn record(id: String, text: &str, group: &str, bytes: f64, user: &str, at_ms: i64) -> QueryRecord {
    QueryRecord {
        query_id: id,
        query_string: text.to_string(),
        status: "Complete".into(),
        create_time_ms: at_ms,
        log_group_name: Some(group.to_string()),
        bytes_scanned: Some(bytes),
        user_identity: Some(user.to_string()),
        query_language: "CWLI".into(),
    }
}

fn config(home: &Path) {
    let mut text = String::from(
        "library_id = \"lp-u\"\nregions = [\"us-east-1\", \"eu-west-1\"]\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n",
    );
    for a in ACCOUNTS {
        text += &format!(
            "[[accounts]]\nrole_arn = \"arn:aws:iam::{a}:role/logplan-read\"\nexternal_id = \"logplan-{a}\"\n"
        );
    }
    std::fs::write(home.join("logplan.toml"), text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn usage_reads_every_page_region_and_account() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let now = chrono::Utc::now().timestamp();
    let today_ms = (now - now.rem_euclid(86_400)) * 1000;
    let minute = 60_000;
    // Account 1, us-east-1: 1,500 runs of the library's query in the window (2 pages with what
    // lies outside it), 50 from 8 days ago and 10 from today, which the last 7 whole days leave
    // out.
    let (a1, a2) = (ACCOUNTS[0], ACCOUNTS[1]);
    let alice = format!("arn:aws:sts::{a1}:assumed-role/oncall/alice");
    for i in 0..1_500 {
        let text = format!("filter level = 'ERROR'\n{MARKER}");
        fake.add_query_record_in(
            a1,
            "us-east-1",
            record(
                format!("lib-{i}"),
                &text,
                "/app",
                1_000.0,
                &alice,
                today_ms - 3_600_000 - i * minute,
            ),
        );
    }
    for i in 0..50 {
        fake.add_query_record_in(
            a1,
            "us-east-1",
            record(
                format!("old-{i}"),
                "fields @message",
                "/app",
                1e12,
                &alice,
                today_ms - 8 * 86_400_000 - i * minute,
            ),
        );
    }
    for i in 0..10 {
        fake.add_query_record_in(
            a1,
            "us-east-1",
            record(
                format!("today-{i}"),
                "fields @message",
                "/app",
                1e12,
                &alice,
                today_ms + i,
            ),
        );
    }
    // Account 1, eu-west-1: an ad-hoc query twice, as the console sends it (SOURCE prepended).
    let bob = format!("arn:aws:sts::{a1}:assumed-role/dev/bob");
    for (i, text) in [
        "SOURCE \"/web\" START=-3600s END=0s |\nfields @message | limit 20",
        "fields @message\n| limit 20",
    ]
    .iter()
    .enumerate()
    {
        fake.add_query_record_in(
            a1,
            "eu-west-1",
            record(
                format!("adhoc-{i}"),
                text,
                "/web",
                5_000.0,
                &bob,
                today_ms - 86_400_000,
            ),
        );
    }
    // Account 2, us-east-1: a dashboard widget every 15 minutes for a day on its own /app.
    let grafana = format!("arn:aws:sts::{a2}:assumed-role/grafana/dashboards");
    for i in 0..96 {
        fake.add_query_record_in(
            a2,
            "us-east-1",
            record(
                format!("dash-{i}"),
                "stats count(*) by bin(5m)",
                "/app",
                250.0,
                &grafana,
                today_ms - 2 * 86_400_000 + i * 15 * minute,
            ),
        );
    }

    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let (code, out, err) = outcome(
        logplan(home.path())
            .env("AWS_ENDPOINT_URL", fake.url())
            .args(["queries", "usage", "--days", "7", "--json"]),
    );
    assert_eq!(code, 0, "{err}");
    let u: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(u["queries"], 1_500 + 2 + 96);
    assert_eq!(u["bytes"], 1_500 * 1_000 + 2 * 5_000 + 96 * 250);
    let line = |list: &str, key: &str, detail: Option<&str>| -> serde_json::Value {
        u[list]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["key"] == key && detail.is_none_or(|d| l["detail"] == d))
            .unwrap_or_else(|| panic!("{list} {key}: {out}"))
            .clone()
    };
    // The same group name in two accounts stays two groups.
    assert_eq!(
        line("by_log_group", "/app", Some(&format!("{a1} us-east-1")))["bytes"],
        1_500_000
    );
    assert_eq!(
        line("by_log_group", "/app", Some(&format!("{a2} us-east-1")))["bytes"],
        24_000
    );
    assert_eq!(line("by_log_group", "/web", None)["queries"], 2);
    // The library query by its marker; the ad-hoc one once, whatever the console added; the
    // dashboard as recurring.
    let lib = line("by_query", "team/errors", None);
    assert_eq!(
        (lib["kind"].as_str(), lib["queries"].as_u64()),
        (Some("library"), Some(1_500))
    );
    let queries = u["by_query"].as_array().unwrap();
    assert_eq!(queries.len(), 3, "{out}");
    let adhoc = queries.iter().find(|q| q["kind"] == "ad hoc").unwrap();
    assert_eq!(
        (adhoc["queries"].as_u64(), adhoc["bytes"].as_u64()),
        (Some(2), Some(10_000))
    );
    assert_eq!(
        queries.iter().find(|q| q["kind"] == "recurring").unwrap()["queries"],
        96
    );
    assert_eq!(line("by_user", &alice, None)["bytes"], 1_500_000);
    assert_eq!(line("by_user", &grafana, None)["queries"], 96);

    // Every account and region read, the big one in two pages of 1,000.
    let calls = fake.calls();
    let describe: Vec<_> = calls
        .iter()
        .filter(|c| c.operation == "DescribeQueries")
        .collect();
    assert!(describe.iter().all(|c| c.status == 200));
    for a in ACCOUNTS {
        for r in REGIONS {
            let n = describe
                .iter()
                .filter(|c| c.account == a && c.region == r)
                .count();
            let pages = if (a, r) == (a1, "us-east-1") { 2 } else { 1 };
            assert_eq!(n, pages, "{a} {r}");
        }
    }

    // The table for people.
    let (code, out, _) = outcome(
        logplan(home.path())
            .env("AWS_ENDPOINT_URL", fake.url())
            .args(["queries", "usage", "--days", "7"]),
    );
    assert_eq!(code, 0);
    assert!(
        out.starts_with("Logs Insights scans in the last 7 days: 1598 queries,"),
        "{out}"
    );
    assert!(out.contains("library   team/errors"), "{out}");
}

#[test]
fn the_demo_report_labels_where_each_scan_volume_comes_from() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // The starter library, as `logplan init` leaves it.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    copy_dir(&repo.join("queries"), &h.join("queries"));
    let (code, _, err) = outcome(logplan(h).args(["report", "--demo", "--quiet"]));
    assert_eq!(code, 0, "{err}");
    let month = std::fs::read_dir(h.join("reports"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(month.join("report.json")).unwrap()).unwrap();
    let groups = json["groups"].as_array().unwrap();
    let source = |name: &str| {
        groups
            .iter()
            .find(|g| g["log_group"] == name)
            .unwrap_or_else(|| panic!("{name}"))["scan_source"]
            .as_str()
            .unwrap()
            .to_string()
    };
    // Dashboards measured by DescribeQueries; the library's WAF and VPC queries planned; the
    // rest assumed.
    assert_eq!(source("aws-waf-logs-prod-cloudfront"), "measured");
    assert_eq!(source("/aws/rds/instance/orders-db/postgresql"), "measured");
    let count = |s: &str| groups.iter().filter(|g| g["scan_source"] == s).count();
    assert_eq!(count("measured"), 5, "{groups:?}");
    assert!(count("query plan") >= 1, "{groups:?}");
    assert!(count("assumption") >= 1, "{groups:?}");
    // The DELIVERY-class group (Lambda logs bound for Firehose) cannot be queried at all.
    assert_eq!(
        source("/aws/lambda/clickstream-to-firehose"),
        "delivery class"
    );
    assert_eq!(
        count("measured") + count("query plan") + count("assumption") + count("delivery class"),
        groups.len()
    );
    // The unmanaged scheduled query of the demo account reads /ecs/orders-service every day:
    // that group's scans are planned, not assumed.
    assert_eq!(source("/ecs/orders-service"), "query plan");
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let target = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &target);
        } else {
            std::fs::copy(e.path(), target).unwrap();
        }
    }
}
