//! Issue 8, item 7: `report --snapshot` prices the snapshot's own period. A period inside a month
//! is scaled to the month (and the report says so); a period across two months, rows that
//! disagree, and a `--month` that contradicts the snapshot are refused with one line, exit 2,
//! nothing written; a snapshot for an older month is priced with that month's rules and filed
//! under it. Expected values by hand from the book's us-east-1 figures: ingestion $0.50/GiB
//! (custom, and the first vended tier), storage $0.03/GB-month, free tier 5 GB each of
//! ingestion and storage.

mod common;

use std::path::Path;

use common::*;

const GIB: u64 = 1 << 30;

fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).args(args))
}

/// One custom group per row: (log group, incoming GiB, events, period_start, period_end).
fn snapshot(home: &Path, file: &str, rows: &[(&str, u64, u64, &str, &str)]) {
    let mut csv = String::from(
        "account_id,region,log_group,period_start,period_end,incoming_bytes,incoming_events,\
         stored_bytes,insights_scanned_bytes\n",
    );
    for (name, gib, events, start, end) in rows {
        csv += &format!(
            "123456789012,us-east-1,{name},{start},{end},{},{events},{GIB},0\n",
            gib * GIB
        );
    }
    std::fs::write(home.join(file), csv).unwrap();
}

/// Refused: exit 2, one line on stderr naming what is expected, no report written.
fn refused(home: &Path, args: &[&str], expect: &[&str]) {
    let (code, out, err) = run(home, args);
    assert_eq!(code, 2, "{args:?}: {err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    for e in expect {
        assert!(err.contains(e), "{args:?}: expected {e:?} in {err}");
    }
    assert!(out.is_empty(), "{out}");
    assert!(
        !home.join("reports").exists() || files_under(&home.join("reports")).is_empty(),
        "{args:?} left report files"
    );
}

fn json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn a_seven_day_period_is_scaled_to_its_month_and_says_so() {
    let home = tempfile::tempdir().unwrap();
    // 2026-10-01 to 2026-10-07 (end exclusive 10-08): 7 GiB and 7,000,000 events measured.
    snapshot(
        home.path(),
        "week.csv",
        &[("/app/api", 7, 7_000_000, "2026-10-01", "2026-10-08")],
    );
    let (code, out, err) = run(home.path(), &["report", "--snapshot", "week.csv", "--json"]);
    assert_eq!(code, 0, "{err}");
    let summary: serde_json::Value = serde_json::from_str(&out).unwrap();
    let dir = home.path().join("reports/2026-10");
    // Scaled x31/7: 7 GiB -> 31 GiB = 33,285,996,544 bytes, 7,000,000 -> 31,000,000 events.
    let groups = std::fs::read_to_string(dir.join("log_groups.csv")).unwrap();
    let header = split_csv(groups.lines().next().unwrap());
    let row = split_csv(groups.lines().nth(1).unwrap());
    let col = |n: &str| row[header.iter().position(|h| h == n).unwrap()].clone();
    assert_eq!(col("incoming_bytes"), (31 * GIB).to_string());
    assert_eq!(col("incoming_events"), "31000000");
    // CloudWatch: 31 GiB x 0.50 = 15.50 - 5 x 0.50 free = 13.00; storage is a level, not a
    // flow: 1 GiB x 0.03 = 0.03 - 0.03 free (1 GB used of 5). Total $13.00.
    assert_eq!(summary["today_total_usd"], "13.000000");
    assert_eq!(summary["month"], "2026-10");
    let statement = "measured 7 days (2026-10-01 to 2026-10-07), scaled x31/7 to October 2026";
    let report = json(&dir.join("report.json"));
    assert_eq!(report["period"]["scale"], "31/7");
    assert_eq!(report["period"]["basis"], "snapshot");
    assert_eq!(report["period"]["measured_days"], 7);
    assert_eq!(report["period"]["month_days"], 31);
    assert!(
        report["period"]["statement"]
            .as_str()
            .unwrap()
            .contains(statement)
    );
    let md = std::fs::read_to_string(dir.join("summary.md")).unwrap();
    assert!(md.contains(statement), "{md}");
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains(statement));
}

#[test]
fn periods_that_cannot_be_priced_are_refused() {
    let home = tempfile::tempdir().unwrap();
    // Across two months: 2026-09-28 to 2026-10-04.
    snapshot(
        home.path(),
        "across.csv",
        &[("/a", 7, 7, "2026-09-28", "2026-10-05")],
    );
    refused(
        home.path(),
        &["report", "--snapshot", "across.csv"],
        &[
            "across.csv",
            "spans more than one calendar month",
            "--month",
        ],
    );
    // Rows that disagree: October and September.
    snapshot(
        home.path(),
        "mixed.csv",
        &[
            ("/a", 1, 1, "2026-10-01", "2026-11-01"),
            ("/b", 1, 1, "2026-09-01", "2026-10-01"),
        ],
    );
    refused(
        home.path(),
        &["report", "--snapshot", "mixed.csv"],
        &[
            "mixed.csv",
            "rows disagree on the period",
            "period_start 2026-10-01 and period_end 2026-11-01",
            "period_start 2026-09-01 and period_end 2026-10-01",
        ],
    );
    // --month against the snapshot's own period.
    snapshot(
        home.path(),
        "october.csv",
        &[("/a", 1, 1, "2026-10-01", "2026-11-01")],
    );
    refused(
        home.path(),
        &["report", "--snapshot", "october.csv", "--month", "2026-09"],
        &[
            "--month",
            "disagrees",
            "october.csv",
            "2026-10-01 to 2026-10-31",
        ],
    );
    // A live run across two months is refused before any call.
    refused(
        home.path(),
        &[
            "report",
            "--demo",
            "--start",
            "2026-09-28",
            "--end",
            "2026-10-05",
        ],
        &["spans more than one calendar month"],
    );
}

#[test]
fn a_hand_written_snapshot_without_a_period_says_it_was_assumed_or_named() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("mine.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events\n\
             123456789012,us-east-1,/a,{GIB},1000\n"
        ),
    )
    .unwrap();
    let (code, _, err) = run(
        home.path(),
        &["report", "--snapshot", "mine.csv", "--quiet"],
    );
    assert_eq!(code, 0, "{err}");
    // Filed under the last full month, whichever it is when the test runs.
    let reports = home.path().join("reports");
    let found = files_under(&reports);
    let report_json = found
        .iter()
        .find(|p| p.ends_with("report.json"))
        .expect("a report");
    let report = json(&reports.join(report_json));
    assert_eq!(report["period"]["basis"], "assumed");
    assert!(
        report["period"]["statement"]
            .as_str()
            .unwrap()
            .contains("ASSUMED, not read")
    );
    // --month names it, and the report says where the period came from.
    let (code, _, err) = run(
        home.path(),
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-02",
            "--quiet",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let report = json(&home.path().join("reports/2026-02/report.json"));
    assert_eq!(report["period"]["basis"], "month");
    assert_eq!(report["period"]["month_days"], 28);
}

/// The CloudWatch path's total and the components of its lines for one report.
fn cloudwatch(dir: &Path) -> (String, Vec<String>) {
    let report = json(&dir.join("report.json"));
    let cw = &report["paths"][0];
    assert_eq!(cw["path"], "cloudwatch");
    let components = cw["components"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c[0].as_str().unwrap().to_string())
        .collect();
    (cw["total_usd"].as_str().unwrap().to_string(), components)
}

#[test]
fn an_older_month_prices_lambda_as_custom_ingest_and_is_filed_under_it() {
    let home = tempfile::tempdir().unwrap();
    for (file, start, end) in [
        ("march.csv", "2025-03-01", "2025-04-01"),
        ("june.csv", "2025-06-01", "2025-07-01"),
    ] {
        snapshot(
            home.path(),
            file,
            &[("/aws/lambda/orders", 10, 1_000_000, start, end)],
        );
        let (code, _, err) = run(home.path(), &["report", "--snapshot", file, "--quiet"]);
        assert_eq!(code, 0, "{file}: {err}");
    }
    // March 2025, before Lambda logs became vended (2025-05-01): custom ingestion, 10 GiB x
    // 0.50 = 5.00 - 5 GiB free x 0.50 = 2.50; storage 0.03 - 0.03 free: $2.50.
    let (total, components) = cloudwatch(&home.path().join("reports/2025-03"));
    assert_eq!(total, "2.500000");
    assert!(
        components.contains(&"cloudwatch_ingest".to_string()),
        "{components:?}"
    );
    assert!(!components.contains(&"vended_ingest".to_string()));
    // June 2025: the vended ladder, 10 GiB at the first tier's 0.50 = 5.00, with no ingestion
    // free tier; storage 0.03 - 0.03: $5.00.
    let (total, components) = cloudwatch(&home.path().join("reports/2025-06"));
    assert_eq!(total, "5.000000");
    assert!(
        components.contains(&"vended_ingest".to_string()),
        "{components:?}"
    );
    assert!(!components.contains(&"cloudwatch_ingest".to_string()));
}
