//! `logplan report` end to end: hand-written snapshots, the demo account, the report files,
//! month over month, `prices` and `init`, and every bad input.

mod common;

use std::path::Path;

use common::*;
use rust_decimal::Decimal;

fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).args(args))
}

/// Sum of cost_usd per path in components.csv, as exact decimals.
fn component_sums(csv: &str) -> std::collections::BTreeMap<String, Decimal> {
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let path_i = header.iter().position(|h| *h == "path").unwrap();
    let cost_i = header.iter().position(|h| *h == "cost_usd").unwrap();
    let mut sums = std::collections::BTreeMap::new();
    for l in lines {
        let f = split_csv(l);
        *sums.entry(f[path_i].clone()).or_insert(Decimal::ZERO) +=
            f[cost_i].parse::<Decimal>().unwrap();
    }
    sums
}

#[test]
fn hand_written_csv_reproduces_aws_example_to_the_cent() {
    let home = tempfile::tempdir().unwrap();
    let gib = 1u64 << 30;
    std::fs::write(
        home.path().join("mine.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes\n\
             123456789012,us-east-1,/web/access,{},1000000,{},0\n",
            30 * gib,
            6 * gib
        ),
    )
    .unwrap();
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let dir = home.path().join("reports/2026-10");
    let groups = std::fs::read_to_string(dir.join("log_groups.csv")).unwrap();
    let header: Vec<&str> = groups.lines().next().unwrap().split(',').collect();
    let row: Vec<String> = split_csv(groups.lines().nth(1).unwrap());
    let col = |n: &str| row[header.iter().position(|h| *h == n).unwrap()].clone();
    // The group's own lines: ingest 30 x $0.50 + storage 6 x $0.03 = $15.18. The free tier is
    // applied once per account, as account-level credit lines (5 x $0.50 + 5 x $0.03 = $2.65),
    // allocated to the group that used it (issue 8 item 6; this test expected $15.18 before):
    // $15.18 - $2.65 = AWS's $12.53, the path total.
    assert_eq!(col("cloudwatch_usd"), "12.530000");
    assert_eq!(col("cloudwatch_shared_usd"), "-2.650000");
    assert_eq!(col("today_path"), "cloudwatch");
    assert_eq!(col("today_usd"), "12.530000");
    assert_eq!(col("today_shared_usd"), "-2.650000");
    assert_eq!(summary["today_total_usd"], "12.530000");
    // Every path total is the sum of its lines in components.csv (account-level ones included).
    let comps = std::fs::read_to_string(dir.join("components.csv")).unwrap();
    let sums = component_sums(&comps);
    assert_eq!(sums["cloudwatch"], "12.53".parse::<Decimal>().unwrap());
    for p in summary["paths"].as_array().unwrap() {
        let (name, total) = (p[0].as_str().unwrap(), &p[1]);
        if let Some(t) = total.as_str() {
            assert_eq!(sums[name], t.parse::<Decimal>().unwrap(), "{name}");
        }
    }
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("| CloudWatch + Insights | $12.53 |"), "{md}");
}

#[test]
fn report_tables_have_the_documented_columns() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        home.path(),
        &["report", "--demo", "--month", "2026-10", "--quiet"],
    );
    assert_eq!(code, 0, "{err}");
    let dir = home.path().join("reports/2026-10");
    let comps = std::fs::read_to_string(dir.join("components.csv")).unwrap();
    insta::assert_snapshot!("components_header", comps.lines().next().unwrap());
    let groups = std::fs::read_to_string(dir.join("log_groups.csv")).unwrap();
    insta::assert_snapshot!("log_groups_header", groups.lines().next().unwrap());
    assert!(comps.lines().next().unwrap().starts_with(
        "account_id,region,log_group,path,component,quantity,unit,unit_price_usd,cost_usd,price_id,price_status"
    ));
    assert!(groups.lines().next().unwrap().starts_with(
        "account_id,region,log_group,incoming_bytes,incoming_events,today_path,today_usd,cloudwatch_usd,datadog_forwarder_usd,datadog_firehose_usd,datadog_privatelink_usd,hybrid_usd,best_path,savings_usd"
    ));
}

#[test]
fn demo_report_end_to_end() {
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(home.path(), &["report", "--demo", "--month", "2026-10"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Monthly cost, 2026-10"), "{out}");
    let dir = home.path().join("reports/2026-10");
    assert_eq!(
        files_under(&dir),
        // The demo's two accounts and two regions: the tables are also partitioned.
        vec![
            "components.csv",
            "daily.parquet",
            "daily/account_id=210987654321/region=us-east-1/part-0.parquet",
            "daily/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "daily/account_id=210987654322/region=us-east-1/part-0.parquet",
            "filters.parquet",
            "filters/account_id=210987654321/region=us-east-1/part-0.parquet",
            "filters/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "filters/account_id=210987654322/region=us-east-1/part-0.parquet",
            "focus.csv",
            "focus.parquet",
            "log_groups.csv",
            "log_groups.parquet",
            "log_groups/account_id=210987654321/region=us-east-1/part-0.parquet",
            "log_groups/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "log_groups/account_id=210987654322/region=us-east-1/part-0.parquet",
            "report.html",
            "report.json",
            "snapshot.parquet",
            "snapshot/account_id=210987654321/region=us-east-1/part-0.parquet",
            "snapshot/account_id=210987654322/region=eu-west-1/part-0.parquet",
            "snapshot/account_id=210987654322/region=us-east-1/part-0.parquet",
            "summary.md"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["schema_version"], 1);
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), logplan::demo::DemoAccount::group_count());
    let vended = |name: &str| {
        groups
            .iter()
            .find(|g| g["log_group"] == name)
            .map(|g| g["vended"].clone())
    };
    // Lambda logs are vended (since 2025-05-01); ELB, CloudFront Functions, public DNS query
    // logs and EKS groups other than the control plane are custom; the control plane is vended.
    assert_eq!(vended("/aws/lambda/image-resizer"), Some(true.into()));
    let lambda = groups
        .iter()
        .find(|g| g["log_group"] == "/aws/lambda/image-resizer")
        .unwrap();
    assert_eq!(lambda["source"], "lambda");
    assert_eq!(lambda["billing_class"], "vended:VendedLog-Bytes");
    assert_eq!(lambda["billing_basis"], "name");
    assert_eq!(vended("/aws/eks/prod-cluster/cluster"), Some(true.into()));
    for custom in [
        "/aws/elasticloadbalancing/app/legacy-shipper",
        "/aws/cloudfront/function/url-rewrite",
        "/aws/eks/prod-cluster/fluent-bit",
        "/aws/route53/example-shop.com",
    ] {
        assert_eq!(vended(custom), Some(false.into()), "{custom}");
    }
    // Totals: components.csv adds up to each path total in report.json.
    let sums = component_sums(&std::fs::read_to_string(dir.join("components.csv")).unwrap());
    for p in json["paths"].as_array().unwrap() {
        if let Some(t) = p["total_usd"].as_str() {
            assert_eq!(
                sums[p["path"].as_str().unwrap()],
                t.parse::<Decimal>().unwrap()
            );
        }
    }
    // Today = sum of the groups' today costs + the account-level lines of today's scenario is
    // not visible per group; but each group's savings = today - best.
    for g in groups {
        let today: Decimal = g["today_usd"].as_str().unwrap().parse().unwrap();
        let best: Decimal = g["best_usd"].as_str().unwrap().parse().unwrap();
        let savings: Decimal = g["savings_usd"].as_str().unwrap().parse().unwrap();
        assert_eq!(today - best, savings);
    }
    // The HTML holds every group, and the API calls of the sampling run are reported.
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    let escape = |s: &str| {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
            .replace('\'', "&#39;")
    };
    for g in groups {
        let name = escape(g["log_group"].as_str().unwrap());
        assert!(html.contains(&name), "{name} missing from HTML");
    }
    assert!(json["api"]["metrics_requested"].as_u64().unwrap() > 0);
    let lg = read_parquet(&dir.join("log_groups.parquet"));
    assert_eq!(lg.height(), logplan::demo::DemoAccount::group_count());
}

#[test]
fn month_over_month_when_the_previous_report_exists() {
    let home = tempfile::tempdir().unwrap();
    assert_eq!(
        run(
            home.path(),
            &["report", "--demo", "--month", "2026-09", "--quiet"]
        )
        .0,
        0
    );
    assert_eq!(
        run(
            home.path(),
            &["report", "--demo", "--month", "2026-10", "--quiet"]
        )
        .0,
        0
    );
    let md = std::fs::read_to_string(home.path().join("reports/2026-10/summary.md")).unwrap();
    assert!(md.contains("## Month over month (vs 2026-09)"), "{md}");
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["previous"]["month"], "2026-09");
    // The demo grows about 2% a month: October costs more than September today.
    let then: Decimal = json["previous"]["today_total_usd"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let now: Decimal = json["today_total_usd"].as_str().unwrap().parse().unwrap();
    assert!(now > then);
    let sep = std::fs::read_to_string(home.path().join("reports/2026-09/summary.md")).unwrap();
    assert!(!sep.contains("Month over month"));
}

#[test]
fn rerun_replaces_the_report_and_keeps_other_files() {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("reports/2026-10");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("notes.txt"), "kept").unwrap();
    assert_eq!(
        run(
            home.path(),
            &["report", "--demo", "--month", "2026-10", "--quiet"]
        )
        .0,
        0
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("notes.txt")).unwrap(),
        "kept"
    );
    assert!(dir.join("summary.md").is_file());
    // No temporary folders left beside it.
    let leftovers: Vec<_> = std::fs::read_dir(home.path().join("reports"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, vec!["2026-10"]);
}

fn fails(home: &Path, args: &[&str], expect: &[&str]) {
    let (code, out, err) = run(home, args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    for e in expect {
        assert!(err.contains(e), "{args:?}: expected {e:?} in {err}");
    }
    assert!(out.is_empty());
    assert!(
        !home.join("reports").exists() || files_under(&home.join("reports")).is_empty(),
        "{args:?} left report files: {:?}",
        files_under(&home.join("reports"))
    );
}

#[test]
fn bad_snapshots_name_row_and_column() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let write = |name: &str, text: &str| std::fs::write(h.join(name), text).unwrap();
    write(
        "missing.csv",
        "account_id,region,log_group,incoming_bytes\n1,us-east-1,/a,5\n",
    );
    fails(
        h,
        &["report", "--snapshot", "missing.csv"],
        &["missing.csv", "missing required column \"incoming_events\""],
    );
    let head = "account_id,region,log_group,incoming_bytes,incoming_events\n";
    write(
        "neg.csv",
        &format!("{head}1,us-east-1,/a,5,1\n1,us-east-1,/b,-5,1\n"),
    );
    fails(
        h,
        &["report", "--snapshot", "neg.csv"],
        &["neg.csv", "line 3, column incoming_bytes", "\"-5\""],
    );
    write("nan.csv", &format!("{head}1,us-east-1,/a,NaN,1\n"));
    fails(
        h,
        &["report", "--snapshot", "nan.csv"],
        &["line 2, column incoming_bytes", "\"NaN\""],
    );
    write("text.csv", &format!("{head}1,us-east-1,/a,5,lots\n"));
    fails(
        h,
        &["report", "--snapshot", "text.csv"],
        &["line 2, column incoming_events", "\"lots\""],
    );
    write("region.csv", &format!("{head}1,moon-1,/a,5,1\n"));
    fails(
        h,
        &["report", "--snapshot", "region.csv"],
        &["line 2, column region", "moon-1"],
    );
    fails(
        h,
        &["report", "--snapshot", "nope.parquet"],
        &["nope.parquet", "cannot read"],
    );
}

#[test]
fn bad_settings_and_prices() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let head = "account_id,region,log_group,incoming_bytes,incoming_events\n";
    std::fs::write(h.join("af.csv"), format!("{head}1,af-south-1,/a,5,1\n")).unwrap();
    // A region the price book does not know, without an override.
    fails(
        h,
        &["report", "--snapshot", "af.csv"],
        &["af-south-1", "[prices.override]"],
    );
    // With overrides for what is missing there, it runs.
    std::fs::write(
        h.join("af.toml"),
        "[prices.override]\n\"cwl.ingest.standard@af-south-1\" = 0.678\n\"cwl.storage@af-south-1\" = 0.0324\n\
         \"cwl.insights.scan@af-south-1\" = 0.0068\n\"egress.internet@af-south-1\" = [0.154, 0.147, 0.140, 0.1]\n\
         \"lambda.requests@af-south-1\" = 0.28\n\"lambda.duration.arm64@af-south-1\" = 0.0000166667\n\
         \"egress.same_region_public@af-south-1\" = 0.01\n\"firehose.ingest@af-south-1\" = 0.036\n\
         \"cwl.vended.firehose@af-south-1\" = [0.34, 0.2, 0.1, 0.07]\n\"privatelink.data@af-south-1\" = [0.01, 0.006, 0.004]\n\
         \"privatelink.endpoint_hour@af-south-1\" = 0.013\n",
    )
    .unwrap();
    let (code, _, err) = run(
        h,
        &[
            "report",
            "--snapshot",
            "af.csv",
            "--config",
            "af.toml",
            "--quiet",
            "--out",
            "af-report",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(h.join("af-report/summary.md")).unwrap();
    assert!(
        md.contains("| cwl.ingest.standard | af-south-1 | $0.678 per GB | override |"),
        "{md}"
    );
    std::fs::remove_dir_all(h.join("af-report")).unwrap();

    std::fs::write(
        h.join("ret.toml"),
        "[scenario]\nsite = \"US1\"\nretention_days = 10\n",
    )
    .unwrap();
    fails(
        h,
        &["report", "--demo", "--config", "ret.toml"],
        &["ret.toml: line 3", "3, 7, 15, 30"],
    );
    std::fs::write(h.join("typo.toml"), "[scenario]\nretention_dayz = 15\n").unwrap();
    fails(
        h,
        &["report", "--demo", "--config", "typo.toml"],
        &["typo.toml: line 2", "retention_dayz"],
    );
    std::fs::write(h.join("blocker"), "a file").unwrap();
    fails(
        h,
        // --quiet: the demo warns about its group whose filters cannot be read.
        &["report", "--demo", "--out", "blocker/report", "--quiet"],
        &["cannot write", "blocker"],
    );
}

#[test]
fn prices_command_shows_statuses_overrides_and_gaps() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("logplan.toml"),
        "[prices]\naws_discount_percent = 10\n[prices.override]\n\"datadog.ingest\" = 0.08\n",
    )
    .unwrap();
    let (code, out, err) = run(home.path(), &["prices", "--region", "eu-central-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("Price book effective"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.starts_with("datadog.ingest") && l.contains("override (book 0.1)")),
        "{out}"
    );
    assert!(
        out.lines().any(|l| l.starts_with("cwl.ingest.standard")
            && l.contains("eu-central-1")
            && l.contains("0.567")),
        "{out}"
    );
    // eu-central-1's storage is in the book now; a region the book does not cover says what
    // the model would stop on.
    assert!(
        out.lines()
            .any(|l| l.starts_with("cwl.storage") && l.contains("book 0.0324")),
        "{out}"
    );
    assert!(!out.contains("missing for eu-central-1"), "{out}");
    let (code, out, err) = run(home.path(), &["prices", "--region", "af-south-1"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("missing for af-south-1: ") && out.contains("cwl.storage"),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.split_whitespace().nth(1) == Some("us-east-1")),
        "only the asked region and global figures"
    );
    let (code, out, _) = run(home.path(), &["prices", "--json"]);
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert!(v["figures"].as_array().unwrap().len() > 50);
}

#[test]
fn init_writes_the_defaults_once() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(home.path(), &["init"]);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(home.path().join("logplan.toml")).unwrap();
    assert!(text.contains("[scenario]") && text.contains("retention_days = 15"));
    // The written file is valid and the report runs with it.
    assert_eq!(
        run(
            home.path(),
            &["report", "--demo", "--month", "2026-10", "--quiet"]
        )
        .0,
        0
    );
    let (code, _, err) = run(home.path(), &["init"]);
    assert_eq!(code, 2);
    assert!(err.contains("exists; pass --force"), "{err}");
    assert_eq!(run(home.path(), &["init", "--force"]).0, 0);
}

#[test]
fn summary_markdown_is_pinned() {
    let home = tempfile::tempdir().unwrap();
    let gib = 1u64 << 30;
    std::fs::write(
        home.path().join("three.csv"),
        format!(
            "account_id,region,log_group,log_group_class,retention_days,stored_bytes,incoming_bytes,incoming_events,forwarded_bytes,datadog_forwarder,gzip_ratio,insights_scanned_bytes\n\
             111122223333,us-east-1,aws-waf-logs-prod,STANDARD,30,{},{},400000000,{},true,9.5,{}\n\
             111122223333,us-east-1,/ecs/orders,STANDARD,14,,{},90000000,,false,,\n\
             111122223333,us-east-1,/archive/batch,INFREQUENT_ACCESS,365,{},{},2000000,,false,,0\n",
            300 * gib, 2000 * gib, 210 * gib, 500 * gib,
            150 * gib,
            40 * gib, 20 * gib
        ),
    )
    .unwrap();
    let (code, _, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "three.csv",
            "--month",
            "2026-10",
            "--quiet",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let md = std::fs::read_to_string(home.path().join("reports/2026-10/summary.md")).unwrap();
    insta::assert_snapshot!("summary_three_groups", md);
}

/// `report --library DIR` prices Insights scans from that query library, the folder
/// `queries --library` lints and deploys; without one (none in the current folder) the groups
/// fall back to the `insights_full_scans` assumption.
#[test]
fn report_prices_scans_from_the_library_it_is_given() {
    let home = tempfile::tempdir().unwrap();
    // A library of one query: the repository's monthly KMS report, which reads
    // /audit/cloudtrail-archive (one of the demo's groups).
    let lib = home.path().join("elsewhere/audit");
    std::fs::create_dir_all(&lib).unwrap();
    let query = "queries/audit/cloudtrail-archive-kms-decrypts.toml";
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        repo.join(query),
        lib.join("cloudtrail-archive-kms-decrypts.toml"),
    )
    .unwrap();
    let scan_source = |out: &str, library: Option<&str>| -> String {
        let mut args = vec![
            "report", "--demo", "--month", "2026-10", "--quiet", "--out", out,
        ];
        if let Some(l) = library {
            args.extend(["--library", l]);
        }
        let (code, _, err) = run(home.path(), &args);
        assert_eq!(code, 0, "{err}");
        let csv = std::fs::read_to_string(home.path().join(out).join("log_groups.csv")).unwrap();
        let mut lines = csv.lines();
        let header = split_csv(lines.next().unwrap());
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let row = lines
            .map(split_csv)
            .find(|f| f[col("log_group")] == "/audit/cloudtrail-archive")
            .expect("the demo's CloudTrail archive group");
        row[col("scan_source")].clone()
    };
    assert_eq!(scan_source("without", None), "assumption");
    assert_eq!(scan_source("with", Some("elsewhere")), "query plan");
}
