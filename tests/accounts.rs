//! Many accounts at once: roles assumed from the base credentials, or a CloudWatch cross-account
//! observability monitoring account sampling its linked source accounts with one set of
//! credentials; every account x region sampled under one limiter, one account's failure reported
//! without losing the others, Hive-partitioned output; and the IAM policy proven complete against
//! the recorded calls.

mod common;

use std::collections::BTreeSet;
use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, LOG_GROUPS, LogGroup, METRICS, SubscriptionFilter};

const OCT1: i64 = 1_790_812_800;
const ACCOUNTS: [&str; 3] = ["111111111111", "222222222222", "333333333333"];
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

fn role(account: &str) -> String {
    format!("arn:aws:iam::{account}:role/logplan-read")
}

async fn org() -> FakeAws {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed(&fake);
    fake
}

fn seed(fake: &FakeAws) {
    for (ai, account) in ACCOUNTS.iter().enumerate() {
        for region in REGIONS {
            for g in 0..2 {
                let name = format!("/app/{account}/{g}");
                fake.add_log_group_in(account, region, LogGroup::new(&name));
                let bytes = (1_000 * (ai + 1) + g) as f64;
                fake.put_metric_in(
                    account,
                    region,
                    "AWS/Logs",
                    "IncomingBytes",
                    &[("LogGroupName", &name)],
                    &[(OCT1, bytes)],
                );
            }
        }
    }
}

fn config(home: &Path) {
    let mut text = String::from(
        "regions = [\"us-east-1\", \"eu-west-1\"]\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n",
    );
    for a in ACCOUNTS {
        text += &format!(
            "[[accounts]]\nrole_arn = \"{}\"\nexternal_id = \"logplan-{a}\"\n",
            role(a)
        );
    }
    std::fs::write(home.join("logplan.toml"), text).unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn three_accounts_two_regions_one_denied() {
    let fake = org().await;
    fake.deny_assume(&role(ACCOUNTS[1]));
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let out = logplan(home.path())
        .env("AWS_ENDPOINT_URL", fake.url())
        .args(["sample", "--month", "2026-10", "--json"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "a partial run: {stderr}");
    assert!(
        stderr.contains(&format!("account skipped: {}", role(ACCOUNTS[1]))),
        "{stderr}"
    );
    let s: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(s["accounts"], serde_json::json!([ACCOUNTS[0], ACCOUNTS[2]]));
    assert_eq!(s["failed_accounts"].as_array().unwrap().len(), 1);
    assert_eq!(s["log_groups"], 2 * 2 * 2);
    // Each account's groups are its own, in both regions.
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(snap.height(), 8);
    assert_eq!(
        u64_of(&snap, "/app/333333333333/1", "incoming_bytes"),
        Some(3_001)
    );
    // Hive-partitioned copies for Athena, Spark, DuckDB.
    let parts = files_under(&home.path().join("reports/2026-10/snapshot"));
    assert_eq!(parts.len(), 4, "{parts:?}");
    assert!(
        parts.contains(&"account_id=111111111111/region=eu-west-1/part-0.parquet".to_string()),
        "{parts:?}"
    );
    let part =
        read_parquet(&home.path().join(
            "reports/2026-10/snapshot/account_id=333333333333/region=us-east-1/part-0.parquet",
        ));
    assert_eq!(part.height(), 2);
    assert!(
        part.column("account_id").is_err(),
        "partition columns live in the path"
    );
    // Every account was asked in its own identity, in both regions.
    let calls = fake.calls();
    for a in [ACCOUNTS[0], ACCOUNTS[2]] {
        for r in REGIONS {
            assert!(
                calls
                    .iter()
                    .any(|c| c.account == a && c.region == r && c.operation == "GetMetricData"),
                "{a} {r}"
            );
        }
    }
    assert!(
        !calls
            .iter()
            .any(|c| c.account == ACCOUNTS[1] && c.operation == "DescribeLogGroups")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_account_failing_is_an_error_naming_the_role() {
    let fake = org().await;
    for a in ACCOUNTS {
        fake.deny_assume(&role(a));
    }
    let home = tempfile::tempdir().unwrap();
    config(home.path());
    let out = logplan(home.path())
        .env("AWS_ENDPOINT_URL", fake.url())
        .args(["sample", "--month", "2026-10"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let last = stderr.lines().last().unwrap();
    assert!(
        last.contains("cannot assume role arn:aws:iam::") && last.contains("sts:AssumeRole"),
        "{stderr}"
    );
    assert!(files_under(&home.path().join("reports")).is_empty());
}

/// The default account as a monitoring account: one source account shares logs and metrics,
/// one only logs, one is configured but not linked.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_monitoring_account_samples_its_linked_accounts() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let monitoring = fake.account_id();
    let (linked, logs_only, unlinked) = ("555555555555", "666666666666", "777777777777");
    let r = "us-east-1";
    fake.add_log_group_in(&monitoring, r, LogGroup::new("/mon/own"));
    for (account, g) in [
        (linked, "/src/app"),
        (linked, "/src/waf"),
        (logs_only, "/half/app"),
    ] {
        fake.add_log_group_in(account, r, LogGroup::new(g));
        fake.put_metric_in(
            account,
            r,
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", g)],
            &[(OCT1, 100.0)],
        );
    }
    fake.put_log_events_in(
        linked,
        r,
        "/src/app",
        "s",
        &[((OCT1 + 31 * 86_400) * 1000 - 60_000, "hello".into())],
    );
    // The source account forwards /src/waf through its account policy.
    fake.put_subscription_policy_in(
        linked,
        r,
        logplan_fake::SubscriptionPolicy {
            name: "to-datadog".into(),
            destination_arn: format!("arn:aws:lambda:{r}:{linked}:function:datadog-forwarder"),
            filter_pattern: String::new(),
            selection_criteria: Some("LogGroupName NOT IN [\"/src/app\"]".into()),
            last_updated_ms: 0,
        },
    );
    let fwd = [
        ("LogGroupName", "/src/waf"),
        ("DestinationType", "Lambda"),
        ("FilterName", "to-datadog"),
    ];
    let recent = chrono::Utc::now().timestamp() - 86_400;
    fake.put_metric_in(
        linked,
        r,
        "AWS/Logs",
        "ForwardedBytes",
        &fwd,
        &[(OCT1, 60.0), (recent, 1.0)],
    );
    fake.link_source(&monitoring, r, linked, &[LOG_GROUPS, METRICS]);
    fake.link_source(&monitoring, r, logs_only, &[LOG_GROUPS]);

    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("logplan.toml"),
        format!(
            "regions = [\"{r}\"]\n[[accounts]]\nmode = \"monitoring\"\naccounts = [\"{linked}\", \"{logs_only}\", \"{unlinked}\"]\n"
        ),
    )
    .unwrap();
    let (code, out, err) = outcome(
        logplan(home.path())
            .env("AWS_ENDPOINT_URL", fake.url())
            .args([
                "sample",
                "--month",
                "2026-10",
                "--json",
                "--sample-events",
                "1000",
            ]),
    );
    assert_eq!(code, 1, "partial: two accounts not sampled: {err}");
    assert!(err.contains(&format!("account {logs_only} is linked to monitoring account {monitoring} in us-east-1 without sharing AWS::CloudWatch::Metric")), "{err}");
    assert!(
        err.contains(&format!(
            "account {unlinked} is not linked to monitoring account {monitoring} in us-east-1"
        )),
        "{err}"
    );
    let s: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(s["accounts"], serde_json::json!([monitoring, linked]));
    assert_eq!(s["failed_accounts"].as_array().unwrap().len(), 2);
    let snap = read_parquet(&home.path().join("reports/2026-10/snapshot.parquet"));
    assert_eq!(snap.height(), 3, "/mon/own, /src/app, /src/waf");
    let account_of = |g: &str| {
        let names = snap.column("log_group").unwrap().str().unwrap();
        let i = (0..snap.height())
            .find(|&i| names.get(i) == Some(g))
            .unwrap();
        snap.column("account_id")
            .unwrap()
            .str()
            .unwrap()
            .get(i)
            .map(str::to_string)
    };
    assert_eq!(account_of("/src/app").as_deref(), Some(linked));
    assert_eq!(account_of("/mon/own").as_deref(), Some(monitoring.as_str()));
    // The source account's metrics, read with AccountId; its policy, read from the monitoring
    // account; its events, read by ARN.
    assert_eq!(u64_of(&snap, "/src/app", "incoming_bytes"), Some(100));
    assert_eq!(u64_of(&snap, "/src/waf", "forwarded_bytes"), Some(60));
    assert_eq!(
        u64_of(&snap, "/src/waf", "datadog_forwarded_bytes"),
        Some(60)
    );
    assert_eq!(u64_of(&snap, "/src/app", "sampled_events"), Some(1));
    // One set of credentials: every call was the monitoring account's; no role was assumed.
    let calls = fake.calls();
    assert!(
        calls.iter().all(|c| c.account == monitoring),
        "{:?}",
        calls
            .iter()
            .map(|c| (&c.account, &c.action))
            .collect::<Vec<_>>()
    );
    assert!(!calls.iter().any(|c| c.action == "sts:AssumeRole"));
    assert!(calls.iter().any(|c| c.action == "oam:ListAttachedLinks"));
    // Several accounts: Hive partitions, filters included.
    let parts = files_under(&home.path().join("reports/2026-10/filters"));
    assert_eq!(
        parts,
        vec![format!(
            "account_id={linked}/region=us-east-1/part-0.parquet"
        )]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn iam_policy_equals_the_operations_called() {
    // Cost Explorer, S3, Athena and the Tagging API are moto's: the fake records each call and
    // forwards it there. A billing export in moto's S3 (put there directly, not recorded).
    moto_reset();
    moto_s3("PUT", "/iam-bill", b"");
    let export = Path::new(env!("CARGO_MANIFEST_DIR")).join(
        "tests/fixtures/billing/cur2/logplan-cur2/data/BILLING_PERIOD=2026-10/logplan-cur2-00001.snappy.parquet",
    );
    moto_s3(
        "PUT",
        "/iam-bill/exports/data/BILLING_PERIOD=2026-10/cur-00001.snappy.parquet",
        &std::fs::read(export).unwrap(),
    );
    let fake = FakeAws::start(FakeOptions {
        upstream: Some(moto_url()),
        ..FakeOptions::default()
    })
    .await;
    seed(&fake);
    // A forwarded group (its filter is asked for its destination), and a monitoring account
    // (the default one) with a linked source account: every read action is exercised.
    let a0 = ACCOUNTS[0];
    fake.add_subscription_filter_in(
        a0,
        "us-east-1",
        &format!("/app/{a0}/0"),
        SubscriptionFilter {
            filter_name: "dd".into(),
            destination_arn: format!("arn:aws:lambda:us-east-1:{a0}:function:datadog"),
            filter_pattern: String::new(),
            role_arn: None,
            distribution: "ByLogStream".into(),
            creation_time_ms: 0,
        },
    );
    // A Firehose filter to a stream of the same account: its destination is described.
    fake.add_subscription_filter_in(
        a0,
        "us-east-1",
        &format!("/app/{a0}/1"),
        SubscriptionFilter {
            filter_name: "fh".into(),
            destination_arn: format!("arn:aws:firehose:us-east-1:{a0}:deliverystream/to-dd"),
            filter_pattern: String::new(),
            role_arn: None,
            distribution: "ByLogStream".into(),
            creation_time_ms: 0,
        },
    );
    fake.add_firehose_stream_in(
        a0,
        "us-east-1",
        "to-dd",
        Some("https://aws-kinesis-http-intake.logs.datadoghq.com/v1/input"),
    );
    let recent = chrono::Utc::now().timestamp() - 86_400;
    fake.put_metric_in(
        a0,
        "us-east-1",
        "AWS/Logs",
        "ForwardedBytes",
        &[
            ("LogGroupName", &format!("/app/{a0}/1")),
            ("DestinationType", "Firehose"),
            ("FilterName", "fh"),
        ],
        &[(recent, 1.0)],
    );
    fake.put_metric_in(
        a0,
        "us-east-1",
        "AWS/Logs",
        "ForwardedBytes",
        &[
            ("LogGroupName", &format!("/app/{a0}/0")),
            ("DestinationType", "Lambda"),
            ("FilterName", "dd"),
        ],
        &[(recent, 1.0)],
    );
    // A vended-log delivery in the monitoring account: its source and destination are listed.
    fake.add_delivery_in(
        &fake.account_id(),
        "us-east-1",
        logplan_fake::VendedDelivery {
            source_name: "cdn".into(),
            service: "cloudfront".into(),
            log_type: "ACCESS_LOGS".into(),
            resource_arn: "arn:aws:cloudfront::111111111111:distribution/E1".into(),
            log_group: "/app/111111111111/0".into(),
        },
    );
    let source = "444444444444";
    for region in REGIONS {
        fake.add_log_group_in(source, region, LogGroup::new("/src/app"));
        fake.link_source(&fake.account_id(), region, source, &[LOG_GROUPS, METRICS]);
    }
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    config(h);
    std::fs::write(
        h.join("logplan.toml"),
        "library_id = \"lp-iam\"\n".to_string()
            + &std::fs::read_to_string(h.join("logplan.toml")).unwrap()
            + "[[accounts]]\nmode = \"monitoring\"\n[targets.t]\nregions = [\"us-east-1\"]\n[report]\ngroup_by_tags = [\"team\"]\n",
    )
    .unwrap();
    std::fs::create_dir_all(h.join("queries")).unwrap();
    // A saved query that is also a scheduled query: apply creates, updates and prunes both.
    let errors = |version: &str, cron: &str| {
        format!(
            "version = \"{version}\"\nlog_groups = [\"/app/111111111111/0\"]\nquery = '''\nfields @message\n| limit 5\n'''\n\n[scheduled]\ncron = \"{cron}\"\nstart_offset = \"1h\"\nexecution_role = \"arn:aws:iam::111111111111:role/logplan-scheduled\"\n"
        )
    };
    std::fs::write(
        h.join("queries/errors.toml"),
        errors("1.0.0", "cron(0 * * * ? *)"),
    )
    .unwrap();
    let run = |args: &[&str]| {
        let out = logplan(h)
            .env("AWS_ENDPOINT_URL", fake.url())
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.code().unwrap_or(9) <= 1,
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    // Every command that talks to AWS, with every feature on.
    run(&[
        "sample",
        "--month",
        "2026-10",
        "--sample-events",
        "10000",
        "--quiet",
    ]);
    // The report's showback reads tags (tag:GetResources) in every account and region.
    run(&["report", "--month", "2026-10", "--quiet", "--actuals"]);
    run(&[
        "actuals",
        "--month",
        "2026-10",
        "--quiet",
        "--from",
        "cur2:s3://iam-bill/exports",
    ]);
    run(&[
        "actuals",
        "--month",
        "2026-10",
        "--quiet",
        "--from",
        "athena:cur.cur2",
    ]);
    run(&["queries", "plan", "--target", "t"]);
    run(&["queries", "apply", "--target", "t", "--yes"]);
    std::fs::write(
        h.join("queries/errors.toml"),
        errors("1.1.0", "cron(30 * * * ? *)"),
    )
    .unwrap();
    run(&["queries", "apply", "--target", "t", "--yes"]);
    run(&["queries", "import", "--target", "t", "--force"]);
    run(&["queries", "usage", "--days", "7"]);
    std::fs::remove_file(h.join("queries/errors.toml")).unwrap();
    run(&["queries", "apply", "--target", "t", "--yes", "--prune"]);
    let calls = fake.calls();
    for op in [
        "CreateScheduledQuery",
        "UpdateScheduledQuery",
        "DeleteScheduledQuery",
        "GetScheduledQuery",
        "DescribeQueries",
    ] {
        assert!(
            calls.iter().any(|c| c.operation == op && c.status == 200),
            "{op} exercised"
        );
    }
    let called: BTreeSet<String> = calls.into_iter().map(|c| c.action).collect();
    let out = logplan(h)
        .args(["iam-policy", "--deploy", "--actuals", "--accounts"])
        .output()
        .unwrap();
    let policy: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut allowed = BTreeSet::new();
    // What Athena does with the caller's credentials is never called by logplan itself.
    let on_behalf = logplan::commands::iam::ATHENA_SID;
    for st in policy["Statement"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|st| st["Sid"] != on_behalf)
    {
        // iam:PassRole is authorised inside CreateScheduledQuery / UpdateScheduledQuery, not
        // called: checked on its own, limited to roles passed to CloudWatch Logs.
        if st["Sid"] == "LogplanPassScheduledQueryRoles" {
            assert_eq!(st["Action"], serde_json::json!(["iam:PassRole"]));
            assert_eq!(
                st["Condition"]["StringEquals"]["iam:PassedToService"],
                "logs.amazonaws.com"
            );
            continue;
        }
        for a in st["Action"].as_array().unwrap() {
            allowed.insert(a.as_str().unwrap().to_string());
        }
    }
    assert_eq!(called, allowed, "nothing missing, nothing extra");
}
