//! Actuals from billing exports read from local files: the CUR 2.0 and FOCUS 1.2 fixtures of
//! `scripts/make-billing-fixtures.py` (October 2026, payer 999999999999), per component, per log
//! group and per tag; the FOCUS export of the model; every bad export refused in one line; and
//! the Athena SQL proven on the same fixtures by DuckDB (a Trino-compatible engine for what the
//! query uses), row for row against the local reader.
//!
//! The fixture's figures (see the script): account 111111111111 bills /app/api 30 GB = $15.00
//! (5.1 + 4.7 + 5.2) and 6 GB-Mo = $0.18, aws-waf-logs-prod 50 GB vended = $25.00, /app/web
//! (eu-west-1) 10 GB = $5.70, /app/orphan 5 GB = $2.50, internet egress 100 GB = $9.00, Lambda
//! 2 M requests = $0.40 and 1,000 GB-s = $0.0133334, CloudWatch metrics $1.20 (unmapped),
//! a credit of -$5.00, a refund of -$1.00 and $2.00 of tax; account 222222222222 bills /b/service
//! 20 GB = $10.00; account 333333333333 (not in the snapshot) /other/x 8 GB = $4.00. S3 egress and
//! EC2 instances are in the file and never read. NetUnblended is 95% of unblended on usage.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use logplan::period::Period;
use logplan::reconcile::export::sql::{self, Partition};
use logplan::reconcile::export::{self, Kind};
use rust_decimal::Decimal;
use serde_json::Value;

const GIB: u64 = 1 << 30;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/billing")
}

fn fixture(rel: &str) -> String {
    fixtures().join(rel).display().to_string()
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).args(args))
}

/// The snapshot the fixture is reconciled with: four groups it bills, one it never bills.
fn snapshot(home: &Path) {
    std::fs::write(
        home.join("mine.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes\n\
             111111111111,us-east-1,/app/api,{},30000000,{},0\n\
             111111111111,us-east-1,aws-waf-logs-prod,{},40000000,{},0\n\
             111111111111,eu-west-1,/app/web,{},10000000,{},0\n\
             222222222222,us-east-1,/b/service,{},20000000,{},0\n\
             111111111111,us-east-1,/app/never,{},1000000,{},0\n",
            30 * GIB,
            6 * GIB,
            40 * GIB,
            GIB,
            10 * GIB,
            GIB,
            20 * GIB,
            GIB,
            GIB,
            GIB,
        ),
    )
    .unwrap();
    std::fs::write(
        home.join("logplan.toml"),
        "[report]\ngroup_by_tags = [\"team\", \"cost-center\"]\n",
    )
    .unwrap();
}

fn report_json(home: &Path) -> Value {
    let text = std::fs::read_to_string(home.join("reports/2026-10/report.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn component<'a>(aws: &'a Value, name: &str) -> &'a Value {
    aws["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == name)
        .unwrap_or_else(|| panic!("{name} missing: {aws}"))
}

#[test]
fn cur2_parquet_reconciles_per_component_per_group_and_per_tag() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    let from = format!("cur2:{}", fixture("cur2/logplan-cur2"));
    let args = [
        "report",
        "--snapshot",
        "mine.csv",
        "--month",
        "2026-10",
        "--actuals",
        "--from",
        &from,
        "--json",
    ];
    let (code, out, err) = run(h, &args);
    assert_eq!(code, 0, "{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(summary["reconciliation"]["aws_status"], "reconciled");
    assert_eq!(summary["reconciliation"]["source"], "cur2");
    let j = report_json(h);
    let aws = &j["actuals"]["aws"];
    assert_eq!(aws["source"], "cur2");
    assert_eq!(
        aws["source_cost_usd"], "0.000000",
        "local files cost nothing"
    );
    // Ingestion of the snapshot's accounts: 15.00 + 2.50 + 5.70 + 10.00 = 33.20 for
    // 30 + 5 + 10 + 20 = 65 GB; account 333333333333's $4.00 is set apart.
    let ingest = component(aws, "cloudwatch_ingest");
    assert_eq!(ingest["billed_usd"], "33.200000");
    assert_eq!(d(ingest["billed_quantity"].as_str().unwrap()), d("65"));
    // NetUnblended: 95% of 33.20 = 31.54.
    assert_eq!(ingest["billed_net_usd"], "31.540000");
    assert_eq!(component(aws, "vended_ingest")["billed_usd"], "25.000000");
    assert_eq!(
        component(aws, "cloudwatch_storage")["billed_usd"],
        "0.180000"
    );
    assert_eq!(component(aws, "egress_internet")["billed_usd"], "9.000000");
    assert_eq!(component(aws, "forwarder_requests")["billed_quantity"], "2");
    // 0.0133334 rounds to $0.013333 once, at display of micro-dollars.
    assert_eq!(
        component(aws, "forwarder_duration")["billed_usd"],
        "0.013333"
    );
    assert_eq!(aws["unmapped"][0]["usage_type"], "USE1-CW:GMD-Metrics");
    assert_eq!(aws["unmapped_total_usd"], "1.200000");
    assert_eq!(aws["other_accounts"][0]["account_id"], "333333333333");
    assert_eq!(aws["other_accounts"][0]["billed_usd"], "4.000000");
    // Credits, refunds and tax are listed apart, never counted as usage.
    let excluded: Vec<(String, String)> = aws["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["line_type"].as_str().unwrap().to_string(),
                e["billed_usd"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert_eq!(
        excluded,
        vec![
            ("Credit".to_string(), "-5.000000".to_string()),
            ("Refund".to_string(), "-1.000000".to_string()),
            ("Tax".to_string(), "2.000000".to_string())
        ]
    );
    // The billed total is every compared component, nothing from S3 or EC2:
    // 33.20 + 25.00 + 0.18 + 9.00 + 0.40 + 0.013333 = 67.793333.
    assert_eq!(aws["total"]["billed_usd"], "67.793333");

    // Per log group: the WAF group was billed 50 GB for the 40 GiB sampled, at the same $0.50:
    // +$5.00 of volume; its 1 GiB of modeled storage was never billed (-$0.03).
    let g = &j["actuals"]["groups"];
    assert_eq!(
        g["components"],
        serde_json::json!(["cloudwatch_ingest", "vended_ingest", "cloudwatch_storage"])
    );
    assert_eq!(g["groups_compared"], 4);
    let top = &g["top"][0];
    assert_eq!(
        (top["log_group"].as_str(), top["component"].as_str()),
        (Some("aws-waf-logs-prod"), Some("total"))
    );
    assert_eq!(top["variance_usd"], "4.970000");
    assert_eq!(top["likely_reason"], "volume");
    assert_eq!(g["billed_not_in_snapshot_count"], 2);
    assert_eq!(g["billed_not_in_snapshot_usd"], "6.500000", "2.50 + 4.00");
    assert_eq!(g["never_billed_count"], 1);
    assert_eq!(g["never_billed"][0]["log_group"], "/app/never");
    let csv = std::fs::read_to_string(h.join("reports/2026-10/reconciliation_groups.csv")).unwrap();
    let rows: Vec<Vec<String>> = csv.lines().skip(1).map(split_csv).collect();
    let waf_ingest = rows
        .iter()
        .find(|r| r[2] == "aws-waf-logs-prod" && r[4] == "vended_ingest")
        .expect("the WAF row");
    // status, modeled/billed quantity and cost, variance, effects, reason
    assert_eq!(waf_ingest[3], "matched");
    assert_eq!(
        (waf_ingest[6].as_str(), waf_ingest[7].as_str()),
        ("40", "50")
    );
    assert_eq!(
        (waf_ingest[8].as_str(), waf_ingest[9].as_str()),
        ("20.000000", "25.000000")
    );
    assert_eq!(waf_ingest[11], "5.000000");
    assert_eq!(d(&waf_ingest[12]), d("25"), "5.00 / 20.00");
    assert_eq!(
        (waf_ingest[14].as_str(), waf_ingest[15].as_str()),
        ("5.000000", "0.000000")
    );
    assert_eq!(waf_ingest[16], "volume");
    let api = rows
        .iter()
        .find(|r| r[2] == "/app/api" && r[4] == "total")
        .unwrap();
    assert_eq!((api[11].as_str(), api[16].as_str()), ("0.000000", "none"));
    let orphan = rows.iter().find(|r| r[2] == "/app/orphan").unwrap();
    assert_eq!(
        (orphan[3].as_str(), orphan[16].as_str()),
        ("not_in_snapshot", "not_modeled")
    );

    // Showback from the export's resource tags; the columns add up to the report's totals.
    let s = &j["showback"];
    assert_eq!(s["tag_source"], "export");
    let team = &s["tables"][0];
    assert_eq!(team["tag_key"], "team");
    let values: Vec<&str> = team["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["value"].as_str().unwrap())
        .collect();
    // platform: /app/api 15.18 + /app/web 5.70 (+ its storage) > security: the WAF group's 20.03.
    assert_eq!(
        values,
        vec!["platform", "security", "(untagged)", "(account-level)"]
    );
    assert_eq!(team["rows"][0]["log_groups"], 2, "/app/api and /app/web");
    assert_eq!(team["total"]["today_usd"], j["today_total_usd"]);
    for (i, p) in j["paths"].as_array().unwrap().iter().enumerate() {
        assert_eq!(
            team["total"]["path_usd"][i], p["total_usd"],
            "{}",
            p["path"]
        );
    }
    let cc = &s["tables"][1];
    assert_eq!(cc["tag_key"], "cost-center");
    assert_eq!(cc["rows"][0]["value"], "cc-100");
    let showback_csv = std::fs::read_to_string(h.join("reports/2026-10/showback.csv")).unwrap();
    assert!(showback_csv.starts_with(
        "tag_key,tag_value,log_groups,today_usd,cloudwatch_usd,datadog_forwarder_usd,"
    ));

    // The pages show both: the per-group table (WAF first: +$5.00 volume - $0.03 storage never
    // billed = +$4.97) and the showback table whose total row is today's total.
    let md = std::fs::read_to_string(h.join("reports/2026-10/summary.md")).unwrap();
    let html = std::fs::read_to_string(h.join("reports/2026-10/report.html")).unwrap();
    for page in [&md, &html] {
        assert!(page.contains("Per log group"), "per-group section");
        assert!(page.contains("aws-waf-logs-prod"));
        assert!(page.contains("+$4.97"), "the WAF group's variance");
        assert!(page.contains("Showback by owner"));
        assert!(page.contains("cc-100"), "the cost-center table");
        assert!(
            page.contains("the CUR 2.0 export"),
            "the billed side is named"
        );
    }
    let micros = d(j["today_total_usd"].as_str().unwrap()) * d("1000000");
    let today =
        logplan::money::MicroUsd(micros.normalize().to_string().parse().unwrap()).to_string();
    assert!(
        md.lines()
            .any(|l| l.starts_with("| **Total** |") && l.contains(&today)),
        "a showback total row carries today's total {today}"
    );

    // The month's aggregate is cached: a rerun reads no file.
    let cache: Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/actuals-export.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        cache["files"].as_array().unwrap().len(),
        2,
        "October's two files only"
    );
    let (code, out, err) = run(h, &args);
    assert_eq!(code, 0, "{err}");
    let again: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(again["reconciliation"]["from_cache"], true);
    assert_eq!(
        report_json(h)["actuals"]["aws"]["total"],
        j["actuals"]["aws"]["total"]
    );
}

#[test]
fn gzip_csv_and_focus_exports_bill_the_same_as_parquet() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("logplan.toml"),
        "[report]\ngroup_by_tags = [\"cost-center\"]\n",
    )
    .unwrap();
    let tags = || -> Value {
        let cache: Value = serde_json::from_str(
            &std::fs::read_to_string(h.join("reports/2026-10/actuals-export.json")).unwrap(),
        )
        .unwrap();
        cache["resource_tags"]["arn:aws:logs:us-east-1:111111111111:log-group:/app/api"].clone()
    };
    let read = |from: String| -> Value {
        let (code, out, err) = run(
            h,
            &[
                "actuals",
                "--month",
                "2026-10",
                "--from",
                &from,
                "--json",
                "--refresh",
            ],
        );
        assert_eq!(code, 0, "{from}: {err}");
        serde_json::from_str(&out).unwrap()
    };
    // Tags from the map (Parquet), its JSON text (CSV) and FOCUS's `user:` keys alike.
    let parquet = read(format!("cur2:{}", fixture("cur2/logplan-cur2")));
    assert_eq!(tags(), serde_json::json!({"cost-center": "cc-100"}));
    let csv = read(format!("cur2:{}", fixture("cur2-csv")));
    assert_eq!(tags(), serde_json::json!({"cost-center": "cc-100"}));
    let focus = read(format!("focus:{}", fixture("focus")));
    assert_eq!(tags(), serde_json::json!({"cost-center": "cc-100"}));
    assert_eq!(parquet["source"], "cur2");
    assert_eq!(focus["source"], "focus");
    assert_eq!(parquet["components"], csv["components"]);
    assert_eq!(parquet["components"], focus["components"]);
    assert_eq!(parquet["unmapped"], focus["unmapped"]);
    // 33.20 + 4.00 (account 333333333333: `actuals` alone covers every account) = 37.20 of
    // ingestion; the total mapped is 37.20 + 25.00 + 0.18 + 9.00 + 0.40 + 0.013333.
    assert_eq!(parquet["total_billed_usd"], "71.793333");
    assert_eq!(parquet["log_groups_billed"], 6);
    assert_eq!(
        focus["excluded"][0]["line_type"], "Adjustment",
        "FOCUS's refund"
    );
    let (code, out, _) = run(
        h,
        &[
            "actuals",
            "--month",
            "2026-10",
            "--from",
            &format!("focus:{}", fixture("focus")),
        ],
    );
    assert_eq!(code, 0);
    assert!(out.starts_with("FOCUS 1.2 actuals, 2026-10"), "{out}");
    assert!(
        out.contains("FOCUS 1.2: read from"),
        "the second read is the cache's: {out}"
    );
}

#[test]
fn legacy_tag_columns_tag_the_groups_too() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    let from = format!("cur2:{}", fixture("cur2-legacy-tags"));
    let (code, _, err) = run(
        h,
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--from",
            &from,
        ],
    );
    assert_eq!(code, 0, "{err}");
    let j = report_json(h);
    let team = &j["showback"]["tables"][0];
    assert_eq!(team["rows"][0]["value"], "platform");
    assert_eq!(team["rows"][0]["log_groups"], 2);
}

/// Run a command that must fail on bad input: exit 2, one line naming `what`, nothing written.
fn refused(args: &[&str], config: Option<&str>, what: &str) {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    if let Some(c) = config {
        std::fs::write(h.join("logplan.toml"), c).unwrap();
    }
    let (code, out, err) = run(h, args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert!(out.is_empty(), "{out}");
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains(what), "{what} in: {}", lines[0]);
    assert!(!h.join("reports").exists(), "nothing written");
}

#[test]
fn bad_exports_are_refused_in_one_line() {
    let month = ["--month", "2026-10"];
    let actuals = |from: String| {
        let mut v = vec!["actuals".to_string()];
        v.extend(month.iter().map(|s| s.to_string()));
        v.push("--from".into());
        v.push(from);
        v
    };
    let check = |args: Vec<String>, config: Option<&str>, what: &str| {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        refused(&a, config, what);
    };
    let missing = fixture("bad/missing-column/cur.parquet");
    check(
        actuals(format!("cur2:{}", fixture("bad/missing-column"))),
        None,
        &format!("{missing}: missing column line_item_usage_type"),
    );
    let other = fixture("bad/other-month/cur.parquet");
    check(
        actuals(format!("cur2:{}", fixture("bad/other-month"))),
        None,
        &format!(
            "{other}: CUR 2.0 lines of billing period 2026-09 (bill_billing_period_start_date), \
             not 2026-10"
        ),
    );
    check(
        actuals(format!("cur2:{}", fixture("bad/two-payers"))),
        None,
        "lines of more than one payer account: 888888888888",
    );
    check(
        actuals(format!("cur2:{}", fixture("cur2/logplan-cur2"))),
        Some("[actuals]\npayer_account_id = \"888888888888\"\n"),
        "billed to payer account 999999999999, not 888888888888",
    );
    let v10 = fixture("bad/focus-1.0/focus.parquet");
    check(
        actuals(format!("focus:{}", fixture("bad/focus-1.0"))),
        None,
        &format!("{v10}: a FOCUS 1.0 export (no column SkuMeter, InvoiceId"),
    );
    check(
        actuals(format!("cur2:{}", fixture("cur2/logplan-cur2")))
            .into_iter()
            .map(|a| if a == "2026-10" { "2026-08".into() } else { a })
            .collect(),
        None,
        "no CUR 2.0 export file for 2026-08 (found billing periods 2026-09, 2026-10)",
    );
    // The report refuses the same way, and writes no folder.
    let from = format!("cur2:{}", fixture("bad/missing-column"));
    refused(
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--from",
            &from,
        ],
        None,
        "missing column line_item_usage_type",
    );
    refused(
        &["actuals", "--month", "2026-10", "--from", "cur9:x"],
        None,
        "--from \"cur9:x\": unknown source kind",
    );
}

#[test]
fn the_focus_export_of_the_model_adds_up_to_today() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    let (code, _, err) = run(
        h,
        &["report", "--snapshot", "mine.csv", "--month", "2026-10"],
    );
    assert_eq!(code, 0, "{err}");
    let dir = h.join("reports/2026-10");
    let j = report_json(h);
    let csv = std::fs::read_to_string(dir.join("focus.csv")).unwrap();
    let mut lines = csv.lines();
    let header = split_csv(lines.next().unwrap());
    assert_eq!(header.len(), 61, "57 FOCUS 1.2 columns and 4 of logplan's");
    assert_eq!(header[0], "AvailabilityZone");
    assert_eq!(header[60], "x_logplan_price_status");
    let col = |n: &str| header.iter().position(|h| h == n).unwrap();
    let mut today = Decimal::ZERO;
    let mut comparison = Decimal::ZERO;
    let mut n = 0;
    for l in lines {
        let f = split_csv(l);
        let cost = d(&f[col("BilledCost")]);
        match f[col("x_logplan_scenario")].as_str() {
            "today" => today += cost,
            "comparison" => {
                comparison += cost;
                assert_eq!(f[col("x_logplan_path")], j["best_path"].as_str().unwrap());
            }
            other => panic!("scenario {other}"),
        }
        assert_eq!(f[col("BillingCurrency")], "USD");
        assert_eq!(f[col("ChargePeriodStart")], "2026-10-01T00:00:00Z");
        n += 1;
    }
    // Today's charges are the report's today; the comparison's, its path total.
    assert_eq!(today, d(j["today_total_usd"].as_str().unwrap()));
    let best = j["paths"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["path"] == j["best_path"])
        .unwrap();
    assert_eq!(comparison, d(best["total_usd"].as_str().unwrap()));
    let parquet = read_parquet(&dir.join("focus.parquet"));
    assert_eq!(parquet.height(), n, "the same rows in Parquet");
    assert_eq!(parquet.width(), 61);
    assert_eq!(j["focus"]["today_usd"], j["today_total_usd"]);
}

/// The Athena query, run by DuckDB on the fixture, returns exactly the local reader's rows.
#[test]
fn the_athena_sql_returns_the_rows_of_the_local_reader() {
    let python = std::env::var("LOGPLAN_PYTHON").unwrap_or_else(|_| {
        panic!(
            "LOGPLAN_PYTHON is not set: this test runs the Athena SQL in DuckDB from the test \
             venv that `scripts/test` sets up; run the suite with scripts/test"
        )
    });
    let p = Period::month(2026, 10).unwrap();
    let query = sql::reconciliation_query("cur.cur2", &p, &Partition::default());
    let tags_query = sql::tags_query(
        "cur.cur2",
        &p,
        &Partition::default(),
        &["team".to_string(), "cost-center".to_string()],
    );
    let files = fixture("cur2/logplan-cur2/data/*/*.parquet");
    let script = r#"
import duckdb, json, sys
files, query, tags = sys.argv[1], sys.argv[2], sys.argv[3]
c = duckdb.connect()
c.execute("CREATE SCHEMA cur")
c.execute(f"CREATE VIEW cur.cur2 AS SELECT * FROM read_parquet('{files}')")
def rows(q):
    cur = c.execute(q)
    names = [d[0] for d in cur.description]
    return [{n: (None if v is None else str(v)) for n, v in zip(names, r)} for r in cur.fetchall()]
print(json.dumps({"rows": rows(query), "tags": rows(tags)}))
"#;
    let out = std::process::Command::new(&python)
        .args(["-c", script, &files, &query, &tags_query])
        .output()
        .expect("run the venv's python");
    assert!(
        out.status.success(),
        "duckdb: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let cells = |r: &Value| -> std::collections::BTreeMap<String, Option<String>> {
        r.as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map(str::to_string)))
            .collect()
    };
    let sql_rows = export::merge(
        v["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| sql::row_of(&cells(r)).unwrap()),
    );
    let keys = ["team".to_string(), "cost-center".to_string()];
    let local = export::read::read_local(
        "cur2:fixture",
        Kind::Cur2,
        &fixtures().join("cur2/logplan-cur2"),
        &p,
        &keys,
        &logplan::progress::Reporter::silent(),
    )
    .unwrap();
    assert_eq!(local.files.len(), 2, "September's file is skipped");
    // September's lines are in the glob too: DuckDB filters them out by date, the local
    // reader by folder; both return October's rows only.
    assert!(sql_rows.iter().all(|r| r.billing_period == "2026-10"));
    assert_eq!(sql_rows.len(), local.rows.len());
    for (a, b) in sql_rows.iter().zip(&local.rows) {
        assert_eq!(a, b);
    }
    // A hand check of one row: /app/api's ingestion, 5.1 + 4.7 + 5.2 = 15.0 exactly.
    let api = local
        .rows
        .iter()
        .find(|r| {
            r.resource_id.ends_with("/app/api") && r.usage_type == "USE1-DataProcessing-Bytes"
        })
        .unwrap();
    assert_eq!((api.lines, api.unblended), (3, d("15")));
    // The tag query gives the same tags as the local reader.
    let mut counts = export::TagCounts::default();
    for r in v["tags"].as_array().unwrap() {
        sql::add_tag_row(&mut counts, &keys, &cells(r)).unwrap();
    }
    assert_eq!(counts.resolve(), local.resource_tags);
    let api_arn = "arn:aws:logs:us-east-1:111111111111:log-group:/app/api";
    assert_eq!(local.resource_tags[api_arn]["cost-center"], "cc-100");
}
