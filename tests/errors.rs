//! Bad input and failures: each is one line on stderr, exit code 2, and no snapshot left behind.

mod common;

use common::*;

fn fails_cleanly(home: &std::path::Path, args: &[&str], expect: &str) -> String {
    let out = logplan(home)
        .args(args)
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let lines: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
    assert_eq!(lines.len(), 1, "one line for {args:?}: {stderr}");
    assert!(
        lines[0].contains(expect),
        "{args:?}: expected {expect:?} in {stderr}"
    );
    assert!(out.stdout.is_empty(), "no data on stdout for {args:?}");
    assert_eq!(
        files_under(&home.join("reports")),
        Vec::<String>::new(),
        "{args:?} left files"
    );
    stderr
}

#[test]
fn bad_periods_and_regions() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    fails_cleanly(
        h,
        &["sample", "--demo", "--month", "2026-13"],
        "\"2026-13\" is not a month",
    );
    fails_cleanly(
        h,
        &["sample", "--demo", "--month", "2999-01"],
        "is in the future",
    );
    fails_cleanly(
        h,
        &[
            "sample",
            "--demo",
            "--start",
            "2026-10-10",
            "--end",
            "2026-10-01",
        ],
        "must be before --end",
    );
    fails_cleanly(
        h,
        &["sample", "--demo", "--region", "mars-east-1"],
        "unknown region \"mars-east-1\"",
    );
    fails_cleanly(
        h,
        &["sample", "--demo", "--exclude", "a[b"],
        "--exclude \"a[b\"",
    );
}

#[test]
fn config_errors_name_file_and_line() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("logplan.toml"),
        "concurrency = 4\nregion = [\"us-east-1\"]\n",
    )
    .unwrap();
    let e = fails_cleanly(home.path(), &["sample", "--demo"], "logplan.toml: line 2");
    assert!(e.contains("region"), "{e}");
    fails_cleanly(
        home.path(),
        &["sample", "--demo", "--config", "missing.toml"],
        "missing.toml: cannot read",
    );
}

#[test]
fn no_credentials_says_what_was_tried() {
    let home = tempfile::tempdir().unwrap();
    let out = logplan(home.path())
        .env_remove("AWS_ACCESS_KEY_ID")
        .env_remove("AWS_SECRET_ACCESS_KEY")
        .args(["sample", "--month", "2026-10"])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    for tried in [
        "no AWS credentials found",
        "environment variables",
        "profile \"default\"",
        "EC2 instance metadata",
        "--profile",
    ] {
        assert!(stderr.contains(tried), "{tried:?} in {stderr}");
    }
    assert!(files_under(&home.path().join("reports")).is_empty());
}

#[test]
fn unreachable_endpoint_fails_after_retries() {
    let home = tempfile::tempdir().unwrap();
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    std::fs::write(
        home.path().join("logplan.toml"),
        "[aws]\ninitial_backoff_ms = 1\nconnect_timeout_secs = 1\n",
    )
    .unwrap();
    let mut cmd = logplan(home.path());
    cmd.env("AWS_ENDPOINT_URL", &url)
        .args(["sample", "--month", "2026-10", "--max-attempts", "2"]);
    let out = cmd.assert().code(2).get_output().clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.contains("could not reach AWS for sts:GetCallerIdentity"),
        "{stderr}"
    );
}

#[test]
fn unwritable_output_folder() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("blocker"),
        "a file where a folder should be",
    )
    .unwrap();
    let out = logplan(home.path())
        // --quiet: the demo warns about its group whose filters cannot be read.
        .args([
            "sample",
            "--demo",
            "--out",
            "blocker/snap.parquet",
            "--quiet",
        ])
        .assert()
        .code(2)
        .get_output()
        .clone();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("cannot write blocker"), "{stderr}");
    assert_eq!(files_under(home.path()), vec!["blocker"]);
}

#[test]
fn usage_errors_exit_2() {
    let home = tempfile::tempdir().unwrap();
    logplan(home.path())
        .args(["sample", "--month", "2026-10", "--start", "2026-10-01"])
        .assert()
        .code(2);
    logplan(home.path())
        .args(["sample", "--concurrency", "0"])
        .assert()
        .code(2);
    logplan(home.path()).args(["nonsense"]).assert().code(2);
}
