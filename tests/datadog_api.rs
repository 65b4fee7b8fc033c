//! `--datadog-usage api`: Datadog's usage metering API, served by the project's fake Datadog
//! endpoint (the documented response shapes, pages of at most 500 records, 429 with
//! `x-ratelimit-reset`, 403 for a bad key). The measured indexed share, retention and Flex drive
//! the Datadog lines, and the report says they were measured.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::datadog::{DdOptions, FakeDatadog};
use serde_json::Value;

const GIB: u64 = 1 << 30;

struct Dd {
    fake: FakeDatadog,
    _rt: tokio::runtime::Runtime,
}

/// October 2026, every hour: 10,000 events of 500 bytes ingested (5,000,000 bytes), 2,000
/// indexed at 15 days and 500 at 30 days, 1,000,000 Flex events stored.
fn datadog(opts: DdOptions) -> Dd {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let fake = rt.block_on(FakeDatadog::start(opts));
    for day in 1..=31 {
        for hour in 0..24 {
            let h = format!("2026-10-{day:02}T{hour:02}");
            fake.add_hour(
                "logs",
                &h,
                &[
                    ("ingested_events_bytes", Some(5_000_000)),
                    ("indexed_events_count", Some(2_500)),
                    ("billable_ingested_bytes", Some(5_000_000)),
                    ("flex_stored_logs", Some(1_000_000)),
                ],
            );
            fake.add_hour(
                "indexed_logs",
                &h,
                &[
                    ("logs_indexed_events_15_day_count", Some(2_000)),
                    ("logs_indexed_events_30_day_count", Some(500)),
                    ("logs_live_indexed_events_15_day_count", Some(2_000)),
                ],
            );
        }
    }
    // A day of another month: never counted.
    fake.add_hour(
        "logs",
        "2026-11-01T00",
        &[("ingested_events_bytes", Some(1 << 40))],
    );
    Dd { fake, _rt: rt }
}

/// One group forwarded to Datadog: 744 hours x 10,000 events of 500 bytes.
fn snapshot(home: &Path) {
    std::fs::write(
        home.join("mine.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events,stored_bytes,insights_scanned_bytes,datadog_forwarder,forwarded_bytes\n\
             123456789012,us-east-1,/app/api,{},7440000,{},0,true,{}\n",
            3_720_000_000u64,
            GIB,
            744_000_000u64
        ),
    )
    .unwrap();
}

fn run(home: &Path, dd: &Dd, api_key: &str, app_key: &str, args: &[&str]) -> (i32, String, String) {
    outcome(
        logplan(home)
            .env("DD_API_KEY", api_key)
            .env("DD_APP_KEY", app_key)
            .env("DD_SITE", dd.fake.url())
            .args(args),
    )
}

const REPORT: &[&str] = &[
    "report",
    "--snapshot",
    "mine.csv",
    "--month",
    "2026-10",
    "--datadog-usage",
    "api",
];

#[test]
fn measured_usage_drives_the_datadog_lines() {
    let dd = datadog(DdOptions {
        throttle_every: Some(3),
        reset_secs: 1,
        ..DdOptions::default()
    });
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    let (code, _, err) = run(h, &dd, "dd-api-key", "dd-app-key", REPORT);
    assert_eq!(code, 0, "{err}");
    // 744 hours x 2 families = 1,488 records: pages of 500, 500, 488; every third request is
    // refused with 429 and retried after its x-ratelimit-reset (1 s).
    let reqs = dd.fake.requests();
    let ok: Vec<_> = reqs.iter().filter(|r| r.status == 200).collect();
    assert_eq!(ok.len(), 3, "{reqs:?}");
    assert!(reqs.iter().any(|r| r.status == 429));
    assert_eq!(ok[0].query["filter[timestamp][start]"], "2026-10-01T00");
    assert_eq!(ok[0].query["filter[timestamp][end]"], "2026-11-01T00");
    assert_eq!(ok[0].query["filter[product_families]"], "logs,indexed_logs");
    assert_eq!(ok[1].query["page[next_record_id]"], "rec-500");
    assert!(
        err.contains("Datadog usage API: 4 requests (3 pages, 744 hours of usage)"),
        "{err}"
    );

    let j: Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    // Ingested: 744 x 5,000,000 = 3,720,000,000 bytes; the snapshot's events are 500 bytes
    // (3,720,000,000 / 7,440,000), so Datadog ingested 7,440,000 events and indexed
    // 744 x 2,500 = 1,860,000 of them: 0.25.
    let m = &j["datadog_measured"];
    assert_eq!(m["avg_event_bytes"], "500");
    assert_eq!(m["indexed_fraction"], "0.25");
    assert_eq!(
        m["retention_days"], 15,
        "80% of indexed events are kept 15 days"
    );
    assert_eq!(m["flex"], true);
    assert_eq!(j["scenario"]["indexed_fraction"], "0.25");
    assert_eq!(j["scenario"]["retention_days"], 15);
    assert_eq!(j["scenario"]["flex"], true);
    let assumption = |name: &str| {
        j["assumptions"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["name"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(
        assumption("Indexed fraction (Datadog paths)")["value"],
        "0.25 (measured)"
    );
    assert_eq!(
        assumption("Datadog indexing retention")["value"],
        "15 days (measured)"
    );
    assert!(
        assumption("Datadog indexing retention")["note"]
            .as_str()
            .unwrap()
            .contains("15 day 80.0%, 30 day 20.0%")
    );
    assert_eq!(
        assumption("Flex Logs for the rest")["value"],
        "true (measured)"
    );

    // The Datadog side priced from the measurement: indexing 1.488 M at $1.70 (15 days) +
    // 0.372 M at $2.50 (30 days) = $2.5296 + $0.93 = $3.4596; Flex 1 M stored x $0.05.
    let comps = j["actuals"]["datadog"]["components"].as_array().unwrap();
    let comp = |n: &str| comps.iter().find(|c| c["component"] == n).unwrap().clone();
    assert_eq!(comp("datadog_index")["billed_quantity"], "1.86");
    assert_eq!(comp("datadog_index")["billed_usd"], "3.459600");
    assert_eq!(comp("datadog_flex")["billed_usd"], "0.050000");
    // The model's today indexes 0.25 of the group's 7.44 M events: 1.86 M at the 15-day price.
    assert_eq!(comp("datadog_index")["modeled_quantity"], "1.86");
    assert_eq!(comp("datadog_index")["modeled_usd"], "3.162000");
}

#[test]
fn a_refused_key_is_one_line_naming_dd_app_key() {
    let dd = datadog(DdOptions::default());
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h);
    let (code, out, err) = run(h, &dd, "dd-api-key", "not-the-key", REPORT);
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().filter(|l| !l.is_empty()).collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].contains("403 Forbidden"), "{}", lines[0]);
    assert!(lines[0].contains("DD_APP_KEY"), "{}", lines[0]);
    assert!(!h.join("reports").exists(), "nothing written");

    // No key at all: refused before any request.
    let (code, _, err) = outcome(
        logplan(h)
            .env("DD_API_KEY", "dd-api-key")
            .env("DD_SITE", dd.fake.url())
            .args(REPORT),
    );
    assert_eq!(code, 2);
    assert!(
        err.trim()
            .starts_with("logplan: --datadog-usage api needs DD_APP_KEY"),
        "{err}"
    );
}
