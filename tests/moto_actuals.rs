//! Bill reconciliation against moto's Cost Explorer: results are injected with
//! `POST /moto-api/static/ce/cost-and-usage-results` and moto answers them in order, one per
//! distinct request (a request with a NextPageToken is a new request). These tests share the
//! moto server of `scripts/test` and run one at a time (.config/nextest.toml), each from a reset.

mod common;

use std::path::Path;

use common::*;
use rust_decimal::Decimal;
use serde_json::{Value, json};

const GIB: u64 = 1 << 30;

/// Queue Cost Explorer results in moto, one per future request.
fn inject(results: Vec<Value>) {
    let body = json!({ "results": results }).to_string();
    let (status, text) = http(
        &moto_url(),
        "POST",
        "/moto-api/static/ce/cost-and-usage-results",
        &[("Content-Type", "application/json")],
        body.as_bytes(),
    );
    assert_eq!(status, 201, "inject: {text}");
}

/// One `ResultsByTime` page for October 2026, optionally pointing at a next page.
fn page(groups: Vec<Value>, next: Option<&str>) -> Value {
    let mut v = json!({
        "ResultsByTime": [{
            "TimePeriod": {"Start": "2026-10-01", "End": "2026-11-01"},
            "Total": {},
            "Groups": groups,
            "Estimated": false
        }],
        "DimensionValueAttributes": []
    });
    if let Some(t) = next {
        v["NextPageToken"] = json!(t);
    }
    v
}

fn group(keys: &[&str], cost: &str, qty: &str, unit: &str) -> Value {
    json!({
        "Keys": keys,
        "Metrics": {
            "UnblendedCost": {"Amount": cost, "Unit": "USD"},
            "UsageQuantity": {"Amount": qty, "Unit": unit}
        }
    })
}

fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(
        logplan(home)
            .env("AWS_ENDPOINT_URL_COST_EXPLORER", moto_url())
            .args(args),
    )
}

/// One custom group, 30 GiB ingested in October 2026, 6 GiB stored, no Insights scans: the
/// model's today is AWS's own worked example, $12.50 ingest + $0.03 storage after free tier.
fn hand_snapshot(home: &Path) {
    std::fs::write(
        home.join("mine.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes\n\
             123456789012,us-east-1,/app/api,{},1000000,{},0\n",
            30 * GIB,
            6 * GIB
        ),
    )
    .unwrap();
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// reconciliation.csv as (section, component or usage type) -> column -> value.
fn recon_rows(
    csv: &str,
) -> std::collections::BTreeMap<(String, String), std::collections::BTreeMap<String, String>> {
    let mut lines = csv.lines();
    let header: Vec<String> = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let mut out = std::collections::BTreeMap::new();
    for l in lines {
        let f = split_csv(l);
        assert_eq!(f.len(), header.len(), "{l}");
        let row: std::collections::BTreeMap<String, String> =
            header.iter().cloned().zip(f.iter().cloned()).collect();
        let key = if row["component"].is_empty() {
            row["usage_types"].clone()
        } else {
            row["component"].clone()
        };
        out.insert((row["section"].clone(), key), row);
    }
    out
}

#[test]
fn report_reconciles_a_hand_computed_month() {
    moto_reset();
    // Billed: 37.5 GB ingested (32.5 over the free tier at $0.50 = $16.25), 6 GB-months stored
    // (as byte-hours over October's 744 hours, $0.03 after free tier), 10 GB scanned that the
    // model assumed nobody scans, and CloudWatch metrics usage that is no log component.
    let byte_hours = (6 * GIB * 744).to_string();
    inject(vec![page(
        vec![
            json!({
                "Keys": ["USE1-DataProcessing-Bytes"],
                "Metrics": {
                    "UnblendedCost": {"Amount": "16.25", "Unit": "USD"},
                    "UsageQuantity": {"Amount": "37.5", "Unit": "GB"},
                    "NetUnblendedCost": {"Amount": "15.4375", "Unit": "USD"}
                }
            }),
            group(&["TimedStorage-ByteHrs"], "0.03", &byte_hours, "ByteHrs"),
            group(&["USE1-DataScanned-Bytes"], "0.05", "10", "GB"),
            group(&["USE1-CW:GMD-Metrics"], "1.2", "120000", "Metrics"),
        ],
        None,
    )]);
    let home = tempfile::tempdir().unwrap();
    hand_snapshot(home.path());
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let summary: Value = serde_json::from_str(&out).unwrap();
    let r = &summary["reconciliation"];
    assert_eq!(r["aws_status"], "reconciled");
    assert_eq!(r["cost_explorer_requests"], 1);
    assert_eq!(r["cost_explorer_cost_usd"], "0.010000");
    assert_eq!(r["modeled_usd"], "12.530000");
    assert_eq!(r["billed_usd"], "16.330000");
    assert_eq!(r["variance_usd"], "3.800000");
    // 3.80 / 12.53 = 30.327...%
    assert_eq!(r["variance_pct"], "30.33");
    assert_eq!(
        r["flagged_components"],
        json!(["cloudwatch_ingest", "insights_scan"])
    );
    assert_eq!(r["unmapped_usd"], "1.200000");

    let dir = home.path().join("reports/2026-10");
    let rows = recon_rows(&std::fs::read_to_string(dir.join("reconciliation.csv")).unwrap());
    let row = |s: &str, c: &str| &rows[&(s.to_string(), c.to_string())];
    let ingest = row("aws", "cloudwatch_ingest");
    assert_eq!(ingest["modeled_usd"], "12.500000");
    assert_eq!(ingest["billed_usd"], "16.250000");
    assert_eq!(ingest["billed_net_usd"], "15.437500");
    assert_eq!(ingest["variance_usd"], "3.750000");
    assert_eq!(d(&ingest["variance_pct"]), d("30"));
    assert_eq!(ingest["flagged"], "true");
    assert_eq!(d(&ingest["modeled_quantity"]), d("30"));
    assert_eq!(d(&ingest["billed_quantity"]), d("37.5"));
    assert_eq!(d(&ingest["sampled_gib"]), d("30"), "IncomingBytes in GiB");
    // 7.5 GB more than sampled, at the model's $12.50 / 30 GB: $3.125 of the $3.75 is volume.
    assert_eq!(ingest["volume_effect_usd"], "3.125000");
    assert_eq!(ingest["price_effect_usd"], "0.625000");
    assert_eq!(ingest["usage_types"], "USE1-DataProcessing-Bytes");

    let storage = row("aws", "cloudwatch_storage");
    assert_eq!(storage["modeled_usd"], "0.030000");
    assert_eq!(storage["billed_usd"], "0.030000");
    assert_eq!(
        d(&storage["billed_quantity"]),
        d("6"),
        "byte-hours to GB-months"
    );
    assert_eq!(storage["variance_usd"], "0.000000");
    assert_eq!(storage["flagged"], "false");

    let scan = row("aws", "insights_scan");
    assert_eq!(scan["modeled_usd"], "0.000000");
    assert_eq!(scan["billed_usd"], "0.050000");
    assert_eq!(scan["variance_pct"], "", "no percentage of a zero model");
    assert_eq!(scan["flagged"], "true");

    let total = row("aws_total", "total");
    assert_eq!(total["modeled_usd"], "12.530000");
    assert_eq!(total["billed_usd"], "16.330000");
    assert_eq!(total["variance_usd"], "3.800000");
    assert_eq!(d(&total["variance_pct"]), d("30.33"));
    assert_eq!(total["volume_effect_usd"], "3.175000");
    assert_eq!(total["price_effect_usd"], "0.625000");

    let metrics = row("aws_unmapped", "USE1-CW:GMD-Metrics");
    assert_eq!(metrics["billed_usd"], "1.200000");
    assert_eq!(metrics["region"], "us-east-1");
    assert!(metrics["basis"].contains("not a log component"));

    // The same figures in report.json, summary.md and report.html.
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let aws = &json["actuals"]["aws"];
    assert_eq!(aws["status"], "reconciled");
    assert_eq!(aws["total"]["variance_usd"], "3.800000");
    assert_eq!(aws["unmapped"][0]["usage_type"], "USE1-CW:GMD-Metrics");
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains(
            "| cloudwatch_ingest | $12.50 | $16.25 | +$3.75 | +30.0% | ⚠ | 30 GB | 37.5 GB | 30 GiB | +$3.13 | +$0.63 |"
        ),
        "{md}"
    );
    assert!(
        md.contains("| **Total** | **$12.53** | **$16.33** | **+$3.80** | **+30.3%** | ⚠ |"),
        "{md}"
    );
    assert!(md.contains("`USE1-CW:GMD-Metrics`"), "{md}");
    assert!(
        md.contains("Cost Explorer: 1 request ($0.01); cached in reports/2026-10/actuals.json"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("id=\"reconciliation\""));
    assert!(html.contains("<tr class=\"flagged\"><td><code>cloudwatch_ingest</code>"));
    assert!(html.contains("USE1-CW:GMD-Metrics"));
    assert!(dir.join("actuals.json").is_file(), "the result is cached");
}

#[test]
fn actuals_follows_next_page_token_and_lists_unmapped_usage() {
    moto_reset();
    inject(vec![
        page(
            vec![
                group(&["USE1-DataProcessing-Bytes"], "10.00", "25", "GB"),
                group(&["USE1-Request-ARM"], "0.40", "2000000", "Requests"),
            ],
            Some("page-2"),
        ),
        page(
            vec![
                group(&["EU-VendedLog-Bytes-WAFLogs"], "5.00", "10", "GB"),
                group(&["USE1-DataProcessing-Bytes"], "0.50", "1", "GB"),
                group(&["USE1-BrandNew-Bytes"], "0.77", "7", "GB"),
            ],
            None,
        ),
    ]);
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(home.path(), &["actuals", "--month", "2026-10", "--json"]);
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(j["requests"], 2, "two pages, two requests");
    assert_eq!(j["request_cost_usd"], "0.020000");
    assert_eq!(j["has_data"], true);
    let comp = |name: &str| {
        j["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {j}"))
            .clone()
    };
    // The ingest usage type appears on both pages: summed.
    assert_eq!(comp("cloudwatch_ingest")["billed_usd"], "10.500000");
    assert_eq!(comp("cloudwatch_ingest")["quantity"], "26");
    assert_eq!(comp("forwarder_requests")["quantity"], "2", "millions");
    assert_eq!(comp("forwarder_requests")["unit"], "1M requests");
    assert_eq!(comp("vended_ingest")["billed_usd"], "5.000000");
    assert_eq!(j["total_billed_usd"], "15.900000");
    // Unknown usage types are listed with their cost, never dropped.
    assert_eq!(j["unmapped_total_usd"], "0.770000");
    assert_eq!(j["unmapped"][0]["usage_type"], "USE1-BrandNew-Bytes");
    assert_eq!(j["unmapped"][0]["billed_usd"], "0.770000");
    assert_eq!(j["unmapped"][0]["note"], "not a usage type logplan models");
    assert!(
        err.contains("Cost Explorer: 2 requests ($0.02); cached in reports/2026-10/actuals.json"),
        "{err}"
    );
    let cached: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("reports/2026-10/actuals.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(cached["requests"], 2);
    assert_eq!(cached["results"][0]["groups"].as_array().unwrap().len(), 5);

    // The human view names the unmapped usage type and what the run paid.
    let (code, out, _) = run(home.path(), &["actuals", "--month", "2026-10"]);
    assert_eq!(code, 0);
    assert!(out.contains("USE1-BrandNew-Bytes"), "{out}");
    assert!(out.contains("Cost Explorer: 0 requests ($0.00)"), "{out}");
}

#[test]
fn cached_actuals_mean_no_second_request() {
    moto_reset();
    inject(vec![page(
        vec![group(&["USE1-DataProcessing-Bytes"], "16.25", "37.5", "GB")],
        None,
    )]);
    let home = tempfile::tempdir().unwrap();
    let args = ["actuals", "--month", "2026-10", "--json"];
    let (code, first, err) = run(home.path(), &args);
    assert_eq!(code, 0, "{err}");
    let first: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(first["requests"], 1);
    assert_eq!(first["from_cache"], false);

    // Moto forgets everything: a second request would now get an empty answer (no data).
    moto_reset();
    let (code, second, err) = run(home.path(), &args);
    assert_eq!(code, 0, "{err}");
    let second: Value = serde_json::from_str(&second).unwrap();
    assert_eq!(second["requests"], 0, "read from the cache");
    assert_eq!(second["request_cost_usd"], "0.000000");
    assert_eq!(second["from_cache"], true);
    assert_eq!(second["components"], first["components"]);
    assert_eq!(second["total_billed_usd"], "16.250000");
    assert_eq!(second["fetched_at"], first["fetched_at"]);

    // The report reads the same cache: still no request.
    hand_snapshot(home.path());
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["reconciliation"]["cost_explorer_requests"], 0);
    assert_eq!(r["reconciliation"]["from_cache"], true);
    assert_eq!(r["reconciliation"]["billed_usd"], "16.250000");
    assert!(
        home.path().join("reports/2026-10/actuals.json").is_file(),
        "the cache survives the report's folder swap"
    );

    // --refresh asks again: moto, reset, now has nothing for the month.
    let (code, out, err) = run(
        home.path(),
        &["actuals", "--month", "2026-10", "--refresh", "--json"],
    );
    assert_eq!(code, 1, "{err}");
    let third: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(third["requests"], 1);
    assert_eq!(third["has_data"], false);
    assert!(err.contains("no Cost Explorer data for 2026-10"), "{err}");
}

#[test]
fn a_month_without_cost_explorer_data_says_so() {
    moto_reset();
    let home = tempfile::tempdir().unwrap();
    // Nothing injected: moto answers an empty ResultsByTime.
    let (code, out, err) = run(home.path(), &["actuals", "--month", "2026-10"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty(), "no table of invented zeros: {out}");
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("warning: no Cost Explorer data for 2026-10"),
        "{err}"
    );
    assert!(lines[0].contains("nothing is assumed to be zero"), "{err}");

    let home = tempfile::tempdir().unwrap();
    hand_snapshot(home.path());
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("no Cost Explorer data for 2026-10"), "{err}");
    assert!(
        out.contains("Bill vs model (AWS, 2026-10): Cost Explorer returned no usage"),
        "{out}"
    );
    let dir = home.path().join("reports/2026-10");
    assert!(
        !dir.join("reconciliation.csv").exists(),
        "nothing to compare, no table"
    );
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains("**No Cost Explorer data for 2026-10:**"),
        "{md}"
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["actuals"]["aws"]["status"], "no_data");
    assert_eq!(json["actuals"]["aws"]["components"], json!([]));
}

#[test]
fn several_accounts_are_grouped_by_linked_account() {
    moto_reset();
    inject(vec![page(
        vec![
            group(
                &["111111111111", "USE1-DataProcessing-Bytes"],
                "10.00",
                "25",
                "GB",
            ),
            group(
                &["222222222222", "USE1-DataProcessing-Bytes"],
                "5.00",
                "10",
                "GB",
            ),
            group(
                &["999999999999", "USE1-DataProcessing-Bytes"],
                "40.00",
                "80",
                "GB",
            ),
            group(
                &["222222222222", "USE1-CW:GMD-Metrics"],
                "0.30",
                "30000",
                "Metrics",
            ),
        ],
        None,
    )]);
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("two.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes\n\
             111111111111,us-east-1,/a,{},1000,{},0\n\
             222222222222,us-east-1,/b,{},1000,{},0\n",
            25 * GIB,
            GIB,
            10 * GIB,
            GIB
        ),
    )
    .unwrap();
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "two.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    let dir = home.path().join("reports/2026-10");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let aws = &json["actuals"]["aws"];
    // The account the snapshot does not cover is set aside, not reconciled.
    assert_eq!(aws["other_accounts"][0]["account_id"], "999999999999");
    assert_eq!(aws["other_accounts"][0]["billed_usd"], "40.000000");
    let ingest = aws["components"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["component"] == "cloudwatch_ingest")
        .unwrap();
    assert_eq!(ingest["billed_usd"], "15.000000");
    assert_eq!(ingest["billed_quantity"], "35");
    assert_eq!(aws["unmapped"][0]["account_id"], "222222222222");
    assert_eq!(r["reconciliation"]["unmapped_usd"], "0.300000");
    let cached: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("actuals.json")).unwrap()).unwrap();
    assert_eq!(
        cached["query"]["group_by"],
        json!(["LINKED_ACCOUNT", "USAGE_TYPE"])
    );
    let csv = std::fs::read_to_string(dir.join("reconciliation.csv")).unwrap();
    assert!(
        csv.contains("aws_other_account,999999999999,,,,,,,,,40.000000,"),
        "{csv}"
    );
}

#[test]
fn actuals_out_is_the_report_folder_that_holds_the_cache() {
    moto_reset();
    inject(vec![page(
        vec![group(&["USE1-DataProcessing-Bytes"], "16.25", "37.5", "GB")],
        None,
    )]);
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        home.path(),
        &["actuals", "--month", "2026-10", "--out", "oct", "--json"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(home.path().join("oct/actuals.json").is_file(), "{err}");
    assert!(!home.path().join("reports").exists());

    // `report --out` on the same folder reads that cache: no second request (moto forgot it).
    moto_reset();
    hand_snapshot(home.path());
    let (code, out, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
            "--out",
            "oct",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let r: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(r["reconciliation"]["cost_explorer_requests"], 0);
    assert_eq!(r["reconciliation"]["billed_usd"], "16.250000");

    // Without --out, the folder is <reports-dir>/<month>, as before.
    inject(vec![page(
        vec![group(&["USE1-DataProcessing-Bytes"], "16.25", "37.5", "GB")],
        None,
    )]);
    let (code, _, err) = run(
        home.path(),
        &[
            "actuals",
            "--month",
            "2026-10",
            "--reports-dir",
            "root",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        home.path().join("root/2026-10/actuals.json").is_file(),
        "{err}"
    );
}
