//! Fuzzing the three readers of user files (issue 11): the snapshot reader, the config loader and
//! the query-file reader get generated inputs, good, bad and odd, and must never panic; every
//! refusal is one line. Run alone, with the count of inputs tried printed:
//!
//!     LOGPLAN_FUZZ_CASES=5000 cargo test --test fuzz -- --nocapture
//!
//! (default 300 cases per reader, so the suite stays quick; the seed is fixed, so a failure
//! reproduces).

use std::path::Path;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn cases() -> u32 {
    std::env::var("LOGPLAN_FUZZ_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(300)
}

/// A runner with a fixed seed: the same inputs every run.
fn runner() -> TestRunner {
    TestRunner::new_with_rng(
        Config {
            cases: cases(),
            failure_persistence: None,
            ..Config::default()
        },
        TestRng::from_seed(RngAlgorithm::ChaCha, &[11; 32]),
    )
}

fn one_line(msg: &str) -> Result<(), TestCaseError> {
    prop_assert!(!msg.contains('\n'), "more than one line: {msg}");
    prop_assert!(!msg.is_empty());
    Ok(())
}

/// Cells a snapshot may hold, well formed or not.
fn cell() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        Just("111111111111".to_string()),
        Just("us-east-1".to_string()),
        Just("mars-1".to_string()),
        Just("/aws/lambda/x".to_string()),
        Just("\"quoted, with comma\"".to_string()),
        Just("\"unterminated".to_string()),
        Just("-5".to_string()),
        Just("1e9".to_string()),
        Just("NaN".to_string()),
        Just("0.5".to_string()),
        Just("18446744073709551616".to_string()),
        Just("STANDARD".to_string()),
        Just("true".to_string()),
        "[ -~]{0,12}",
        "\\PC{0,6}",
        any::<u64>().prop_map(|n| n.to_string()),
    ]
}

fn column() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("account_id"),
        Just("region"),
        Just("log_group"),
        Just("incoming_bytes"),
        Just("incoming_events"),
        Just("gzip_ratio"),
        Just("retention_days"),
        Just("log_group_class"),
        Just("vended"),
        Just("other"),
    ]
    .prop_map(str::to_string)
}

/// A CSV: a header of known (sometimes repeated or missing) columns, then ragged or regular lines.
fn snapshot_csv() -> impl Strategy<Value = String> {
    (
        prop::collection::vec(column(), 0..8),
        prop::collection::vec(prop::collection::vec(cell(), 0..9), 0..6),
        any::<bool>(),
    )
        .prop_map(|(header, rows, full)| {
            let mut header = header;
            if full {
                header = [
                    "account_id",
                    "region",
                    "log_group",
                    "incoming_bytes",
                    "incoming_events",
                ]
                .iter()
                .map(|s| s.to_string())
                .chain(header)
                .collect();
            }
            let mut text = header.join(",") + "\n";
            for r in rows {
                text += &r.join(",");
                text += "\n";
            }
            text
        })
}

#[test]
fn the_snapshot_reader_never_panics_and_refuses_on_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s.csv");
    let tried = std::cell::Cell::new(0u32);
    runner()
        .run(&snapshot_csv(), |text| {
            tried.set(tried.get() + 1);
            std::fs::write(&path, &text).unwrap();
            match logplan::snapshot::read(&path) {
                Ok(_) => Ok(()),
                Err(e) => one_line(&e.to_string()),
            }
        })
        .unwrap();
    println!("fuzz: {} snapshot CSV inputs tried", tried.get());
}

/// Lines of TOML from the keys and tables of logplan.toml, with good and bad values.
fn config_toml() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("regions = [\"us-east-1\"]".to_string()),
        Just("regions = [\"mars-1\"]".to_string()),
        Just("concurrency = 0".to_string()),
        Just("concurrency = -1".to_string()),
        Just("[aws]".to_string()),
        Just("max_attempts = 0".to_string()),
        Just("read_timeout_secs = 0".to_string()),
        Just("[aws.rate_limits]".to_string()),
        Just("\"logs:DescribeLogGroups\" = 5".to_string()),
        Just("\"logs:Typo\" = 5".to_string()),
        Just("[reconcile]".to_string()),
        Just("variance_threshold_percent = -1".to_string()),
        Just("variance_threshold_percent = nan".to_string()),
        Just("[targets.prod]".to_string()),
        Just("[targets.\"a b\"]".to_string()),
        Just("prefix = \"team\"".to_string()),
        Just("[[accounts]]".to_string()),
        Just("role_arn = \"arn:aws:iam::123456789012:role/r\"".to_string()),
        Just("role_arn = \"nope\"".to_string()),
        Just("[forwarding]".to_string()),
        Just("datadog_forwarder_arns = [\"x\"]".to_string()),
        Just("[scenario]".to_string()),
        Just("free_tier = \"yes\"".to_string()),
        Just("[prices]".to_string()),
        Just("= =".to_string()),
        Just("[".to_string()),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(line, 0..10).prop_map(|l| l.join("\n") + "\n")
}

#[test]
fn the_config_loader_never_panics_and_refuses_on_one_line() {
    let tried = std::cell::Cell::new(0u32);
    runner()
        .run(&config_toml(), |text| {
            tried.set(tried.get() + 1);
            match logplan::config::Config::parse(&text, Path::new("logplan.toml")) {
                Ok(_) => Ok(()),
                Err(e) => one_line(&e.to_string()),
            }
        })
        .unwrap();
    println!("fuzz: {} config inputs tried", tried.get());
}

/// Query files: TOML lines of the query-file keys, with good and bad values.
fn query_file() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        Just("version = \"1.0.0\"".to_string()),
        Just("version = \"x\"".to_string()),
        Just("log_groups = [\"/app\"]".to_string()),
        Just("log_groups = []".to_string()),
        Just("query = \"fields @message\"".to_string()),
        Just("query = \"fields {{p}}\"".to_string()),
        Just("query = \"\"".to_string()),
        Just("language = \"SQL\"".to_string()),
        Just("language = \"klingon\"".to_string()),
        Just("[[parameters]]".to_string()),
        Just("name = \"p\"".to_string()),
        Just("default = \"1\"".to_string()),
        Just("[scheduled]".to_string()),
        Just("schedule = \"cron(0 12 * * ? *)\"".to_string()),
        Just("schedule = \"every day\"".to_string()),
        "[ -~]{0,20}",
    ];
    prop::collection::vec(line, 0..10).prop_map(|l| l.join("\n") + "\n")
}

#[test]
fn the_query_file_reader_never_panics_and_refuses_on_one_line() {
    let tried = std::cell::Cell::new(0u32);
    runner()
        .run(&query_file(), |text| {
            tried.set(tried.get() + 1);
            match logplan::queries::file::parse(Path::new("q/x.toml"), "x", &text) {
                Ok(_) => Ok(()),
                Err(e) => one_line(&e.to_string()),
            }
        })
        .unwrap();
    println!("fuzz: {} query-file inputs tried", tried.get());
}
