//! Reconciliation without moto: Cost Explorer refusing (AccessDenied, not enabled, no data)
//! from the project's fake endpoint, the Datadog usage file, and bad input. Each failure is one
//! line on stderr; `actuals` exits 2 on a refusal, `report` renders without actuals (exit 0).

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions};
use serde_json::Value;

const GIB: u64 = 1 << 30;

/// The project's fake endpoint answering every Cost Explorer call with the same service error,
/// in Cost Explorer's JSON 1.1 form. Kept alive (with its runtime) as long as the guard lives.
struct Endpoint {
    fake: FakeAws,
    _runtime: tokio::runtime::Runtime,
}

impl Endpoint {
    fn as_str(&self) -> String {
        self.fake.url()
    }
}

fn error_endpoint(code: &str, message: &str) -> Endpoint {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    // The fake routes services it does not implement only when it has an upstream; `fail`
    // answers before anything is forwarded, so this closed port is never contacted.
    let opts = FakeOptions {
        upstream: Some("http://127.0.0.1:9".into()),
        ..FakeOptions::default()
    };
    let fake = runtime.block_on(FakeAws::start(opts));
    fake.fail("ce:GetCostAndUsage", 400, code, message);
    Endpoint {
        fake,
        _runtime: runtime,
    }
}

fn run(home: &Path, endpoint: Option<&str>, args: &[&str]) -> (i32, String, String) {
    let mut cmd = logplan(home);
    if let Some(url) = endpoint {
        cmd.env("AWS_ENDPOINT_URL_COST_EXPLORER", url);
    }
    outcome(cmd.args(args))
}

fn one_line(err: &str) -> &str {
    let lines: Vec<&str> = err.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line: {err}");
    lines[0]
}

fn snapshot(home: &Path) {
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

#[test]
fn access_denied_names_the_action() {
    let url = error_endpoint(
        "AccessDeniedException",
        "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: ce:GetCostAndUsage",
    );
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        home.path(),
        Some(url.as_str().as_str()),
        &["actuals", "--month", "2026-10"],
    );
    assert_eq!(code, 2, "{err}");
    assert!(out.is_empty());
    assert_eq!(
        one_line(&err),
        "logplan: AccessDenied on ce:GetCostAndUsage: add ce:GetCostAndUsage to the role or policy in use"
    );
    assert_eq!(
        files_under(home.path()),
        Vec::<String>::new(),
        "nothing written"
    );

    // The report renders without actuals, says why, and exits 0.
    snapshot(home.path());
    let (code, out, err) = run(
        home.path(),
        Some(url.as_str().as_str()),
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
    assert_eq!(
        one_line(&err),
        "warning: actuals not included in the report: AccessDenied on ce:GetCostAndUsage: add ce:GetCostAndUsage to the role or policy in use"
    );
    assert!(
        out.contains("Bill vs model (AWS, 2026-10): AccessDenied on ce:GetCostAndUsage"),
        "{out}"
    );
    let dir = home.path().join("reports/2026-10");
    assert!(!dir.join("reconciliation.csv").exists());
    assert!(!dir.join("actuals.json").exists(), "nothing to cache");
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(
        md.contains("**Actuals not included:** AccessDenied on ce:GetCostAndUsage"),
        "{md}"
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(
        html.contains("<strong>Actuals not included:</strong> AccessDenied on ce:GetCostAndUsage")
    );
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    assert_eq!(json["actuals"]["aws"]["status"], "unavailable");
    // The model itself is all there.
    assert_eq!(json["today_total_usd"], "12.530000");
}

#[test]
fn cost_explorer_not_enabled_says_where_to_fix_it() {
    let url = error_endpoint(
        "AccessDeniedException",
        "User not enabled for cost explorer access",
    );
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        home.path(),
        Some(url.as_str().as_str()),
        &["actuals", "--month", "2026-10"],
    );
    assert_eq!(code, 2);
    let line = one_line(&err);
    assert!(
        line.starts_with("logplan: ce:GetCostAndUsage failed: AccessDeniedException: Cost Explorer is not enabled for this account"),
        "{line}"
    );
    assert!(
        line.contains("Billing and Cost Management console"),
        "{line}"
    );
}

#[test]
fn data_unavailable_is_no_data_not_zero() {
    let url = error_endpoint("DataUnavailableException", "Data is not available.");
    let home = tempfile::tempdir().unwrap();
    let (code, out, err) = run(
        home.path(),
        Some(url.as_str().as_str()),
        &["actuals", "--month", "2026-10"],
    );
    assert_eq!(code, 1, "{err}");
    assert!(out.is_empty());
    let line = one_line(&err);
    assert!(
        line.starts_with("warning: no Cost Explorer data for 2026-10: ce:GetCostAndUsage failed: DataUnavailableException"),
        "{line}"
    );
    assert!(line.ends_with("(nothing cached)"), "{line}");
    assert_eq!(files_under(home.path()), Vec::<String>::new());

    snapshot(home.path());
    let (code, _, err) = run(
        home.path(),
        Some(url.as_str().as_str()),
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
    let json: Value = serde_json::from_str(
        &std::fs::read_to_string(home.path().join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(json["actuals"]["aws"]["status"], "no_data");
    assert_eq!(
        json["actuals"]["aws"]["requests"], 0,
        "refused requests are not billed"
    );
}

/// A forwarded group: 20 GiB, 4M events. Datadog today: ingest 20 x $0.10 = $2.00, index
/// 4M x $1.70 = $6.80.
fn forwarded_snapshot(home: &Path) {
    std::fs::write(
        home.join("fwd.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes,forwarded_bytes,datadog_forwarder\n\
             123456789012,us-east-1,/app/web,{},4000000,{},0,{},true\n",
            20 * GIB,
            2 * GIB,
            4 * GIB
        ),
    )
    .unwrap();
}

#[test]
fn datadog_usage_reconciles_the_datadog_components() {
    let home = tempfile::tempdir().unwrap();
    forwarded_snapshot(home.path());
    std::fs::write(
        home.path().join("dd.csv"),
        format!(
            "timestamp,metric,value\n\
             2026-10-01T00:00:00Z,datadog.estimated_usage.logs.ingested_bytes,{}\n\
             2026-10-15T00:00:00Z,datadog.estimated_usage.logs.ingested_bytes,{}\n\
             2026-10-01T00:00:00Z,datadog.estimated_usage.logs.ingested_events,2000000\n\
             2026-10-15T00:00:00Z,datadog.estimated_usage.logs.ingested_events,3000000\n\
             2026-11-01T00:00:00Z,datadog.estimated_usage.logs.ingested_events,9999999\n",
            10 * GIB,
            12 * GIB
        ),
    )
    .unwrap();
    let (code, out, err) = run(
        home.path(),
        None,
        &[
            "report",
            "--snapshot",
            "fwd.csv",
            "--month",
            "2026-10",
            "--datadog-usage",
            "dd.csv",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        s["reconciliation"]["aws_status"],
        Value::Null,
        "no --actuals"
    );
    assert_eq!(s["reconciliation"]["cost_explorer_requests"], 0);
    assert_eq!(
        s["reconciliation"]["datadog_flagged_components"],
        serde_json::json!(["datadog_index"])
    );
    let dir = home.path().join("reports/2026-10");
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("report.json")).unwrap()).unwrap();
    let dd = &json["actuals"]["datadog"];
    let c = |name: &str| {
        dd["components"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["component"] == name)
            .unwrap()
            .clone()
    };
    // Datadog GB = 10^9 bytes (the default datadog_gb). Modeled: the Forwarder's JSON, 20 GiB +
    // 4M events x 450 envelope bytes = 21,474,836,480 + 1,800,000,000 = 23,274,836,480 B =
    // 23.27483648 GB x $0.10 = $2.327484. Billed: 22 GiB = 23,622,320,128 B = 23.622320128 GB x
    // $0.10 = $2.362232. Variance $0.034748 = 1.49%: not over the threshold.
    let ingest = c("datadog_ingest");
    assert_eq!(ingest["modeled_usd"], "2.327484");
    assert_eq!(ingest["billed_usd"], "2.362232");
    assert_eq!(ingest["variance_usd"], "0.034748");
    assert_eq!(ingest["variance_pct"], "1.49");
    assert_eq!(ingest["flagged"], false);
    assert_eq!(ingest["sampled_gib"], "20");
    assert_eq!(ingest["billed_quantity"], "23.62232");
    // 5M events (the November point is outside the month) x $1.70 = $8.50 against $6.80: +25%.
    let index = c("datadog_index");
    assert_eq!(index["modeled_usd"], "6.800000");
    assert_eq!(index["billed_usd"], "8.500000");
    assert_eq!(index["variance_usd"], "1.700000");
    assert_eq!(index["variance_pct"], "25.00");
    assert_eq!(index["flagged"], true);
    assert_eq!(index["volume_effect_usd"], "1.700000");
    assert_eq!(index["price_effect_usd"], "0.000000");
    // 2.327484 + 6.80 = 9.127484 modeled; 2.362232 + 8.50 = 10.862232 billed: +19.01%.
    assert_eq!(dd["total"]["modeled_usd"], "9.127484");
    assert_eq!(dd["total"]["billed_usd"], "10.862232");
    assert_eq!(dd["total"]["variance_pct"], "19.01");
    assert_eq!(dd["rows_outside_period"], 1);
    let csv = std::fs::read_to_string(dir.join("reconciliation.csv")).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.starts_with("datadog,,,datadog_index,")),
        "{csv}"
    );
    assert!(
        csv.lines().any(|l| l.starts_with("datadog_total,")),
        "{csv}"
    );
    assert!(
        !csv.contains("\naws"),
        "no AWS side without --actuals: {csv}"
    );
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains("### Datadog usage against the model"), "{md}");
    assert!(
        md.contains("| datadog_index | $6.80 | $8.50 | +$1.70 | +25.0% | ⚠ |"),
        "{md}"
    );
}

#[test]
fn a_malformed_datadog_file_fails_cleanly() {
    let home = tempfile::tempdir().unwrap();
    forwarded_snapshot(home.path());
    std::fs::write(
        home.path().join("dd.csv"),
        "timestamp,metric,value\n\
         2026-10-01,datadog.estimated_usage.logs.ingested_bytes,100\n\
         2026-10-02,datadog.estimated_usage.logs.ingested_bytes,1O0\n",
    )
    .unwrap();
    let (code, out, err) = run(
        home.path(),
        None,
        &[
            "report",
            "--snapshot",
            "fwd.csv",
            "--month",
            "2026-10",
            "--datadog-usage",
            "dd.csv",
        ],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    assert_eq!(
        one_line(&err),
        "logplan: dd.csv: line 3, column \"value\": \"1O0\" is not a number"
    );
    assert!(!home.path().join("reports").exists(), "no partial report");
}

#[test]
fn reconciliation_needs_a_calendar_month() {
    let home = tempfile::tempdir().unwrap();
    let (code, _, err) = run(
        home.path(),
        None,
        &[
            "report",
            "--start",
            "2026-10-01",
            "--end",
            "2026-10-15",
            "--actuals",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        one_line(&err).contains("--actuals and --datadog-usage compare a calendar month"),
        "{err}"
    );
    let (code, _, err) = run(home.path(), None, &["report", "--demo", "--actuals"]);
    assert_eq!(code, 2);
    assert!(err.contains("cannot be used with"), "{err}");
    let (code, _, err) = run(home.path(), None, &["report", "--demo", "--refresh"]);
    assert_eq!(code, 2);
    assert!(err.contains("--actuals"), "{err}");
    assert!(!home.path().join("reports").exists());
}
