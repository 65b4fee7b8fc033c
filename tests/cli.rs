//! What a person sees: the help texts (pinned with insta) and the human summary.

mod common;

use common::*;

fn help(args: &[&str]) -> String {
    let home = tempfile::tempdir().unwrap();
    let out = logplan(home.path())
        .args(args)
        .env("COLUMNS", "100")
        .assert()
        .success()
        .get_output()
        .clone();
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn top_level_help_is_complete() {
    let text = help(&["--help"]);
    for opt in [
        "--profile",
        "--region",
        "--config",
        "--quiet",
        "--verbose",
        "--concurrency",
        "--max-attempts",
        "sample",
    ] {
        assert!(text.contains(opt), "{opt} missing from --help");
    }
    insta::assert_snapshot!("help", text);
}

#[test]
fn sample_help_is_complete() {
    let text = help(&["sample", "--help"]);
    for opt in [
        "--demo",
        "--month",
        "--start",
        "--end",
        "--prefix",
        "--exclude",
        "--sample-events",
        "--no-forwarding-scan",
        "--format",
        "--out",
        "--reports-dir",
        "--json",
        "--region",
    ] {
        assert!(text.contains(opt), "{opt} missing from sample --help");
    }
    insta::assert_snapshot!("sample_help", text);
}

#[test]
fn human_summary_names_totals_calls_and_paths() {
    let home = tempfile::tempdir().unwrap();
    let out = logplan(home.path())
        .args(["sample", "--demo", "--month", "2026-10"])
        .assert()
        .success()
        .get_output()
        .clone();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "Sampled 51 log groups in us-east-1, eu-west-1 (accounts 210987654321, 210987654322)"
        ),
        "{text}"
    );
    // One call for the groups' volumes per account and region (3), one for the WAF groups' web
    // ACLs.
    assert!(text.contains("GetMetricData 4 of a minimum 4"), "{text}");
    // The CloudFront delivery and the DELIVERY-class group; the 4 `aws-waf-logs-*` groups.
    assert!(
        text.contains("sources     2 groups named by AWS") && text.contains("4 WAF groups"),
        "{text}"
    );
    assert!(text.contains("reports/2026-10/snapshot.parquet"), "{text}");
    // stderr is not a terminal here: no progress bar noise; only the warning about the demo's
    // group whose subscription filters cannot be read (its forwarding is unknown).
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(
        stderr.starts_with(
            "warning: AccessDenied on logs:DescribeSubscriptionFilters for 1 log groups"
        ),
        "{stderr}"
    );
    let quiet = logplan(home.path())
        .args(["sample", "--demo", "--month", "2026-10", "--quiet"])
        .assert()
        .success()
        .get_output()
        .clone();
    assert!(quiet.stdout.is_empty() && quiet.stderr.is_empty());
}

#[test]
fn report_prices_and_init_help_are_complete() {
    let text = help(&["report", "--help"]);
    for opt in [
        "--demo",
        "--snapshot",
        "--month",
        "--no-free-tier",
        "--out",
        "--reports-dir",
        "--json",
        "--sample-events",
        "--prefix",
        "--exclude",
    ] {
        assert!(text.contains(opt), "{opt} missing from report --help");
    }
    insta::assert_snapshot!("report_help", text);
    let text = help(&["prices", "--help"]);
    assert!(text.contains("--json") && text.contains("--region"));
    insta::assert_snapshot!("prices_help", text);
    let text = help(&["init", "--help"]);
    assert!(text.contains("--force") && text.contains("--out"));
    insta::assert_snapshot!("init_help", text);
}

#[test]
fn queries_help_is_complete() {
    let text = help(&["queries", "--help"]);
    for sub in [
        "lint",
        "plan",
        "apply",
        "import",
        "export",
        "cost",
        "usage",
        "--library",
    ] {
        assert!(text.contains(sub), "{sub} missing from queries --help");
    }
    insta::assert_snapshot!("queries_help", text);
    for (sub, opts) in [
        ("lint", &["--language", "--json", "--snapshot"][..]),
        ("plan", &["--target", "--prune"][..]),
        ("apply", &["--target", "--prune", "--yes", "--force"][..]),
        ("import", &["--target", "--prefix", "--force"][..]),
        ("export", &["--format", "terraform", "cloudformation"][..]),
        (
            "cost",
            &[
                "--snapshot",
                "--demo",
                "--month",
                "--target",
                "--json",
                "--out",
            ][..],
        ),
        ("usage", &["--days", "--demo", "--json"][..]),
    ] {
        let text = help(&["queries", sub, "--help"]);
        for o in opts {
            assert!(text.contains(o), "{o} missing from queries {sub} --help");
        }
    }
}

#[test]
fn output_options_have_one_name_and_old_spellings_still_work() {
    let home = tempfile::tempdir().unwrap();
    // `--out` is where every command writes; the old spellings are hidden but keep working.
    for (flag, file) in [("--out", "new.toml"), ("--path", "old.toml")] {
        logplan(home.path())
            .args(["init", flag, file])
            .assert()
            .success();
        assert!(home.path().join(file).is_file(), "init {flag}");
    }
    let text = help(&["init", "--help"]);
    assert!(!text.contains("--path"), "{text}");
    let text = help(&["queries", "lint", "--help"]);
    assert!(!text.contains("--format"), "{text}");
    let text = help(&["queries", "cost", "--help"]);
    assert!(!text.contains("--csv"), "{text}");
    let text = help(&["actuals", "--help"]);
    assert!(
        text.contains("--out") && text.contains("--reports-dir"),
        "{text}"
    );

    // `queries lint --json` and the old `--format json` print the same findings.
    let lint = |flags: &[&str]| {
        let out = logplan(home.path())
            .args(["queries", "lint", "-", "--language", "cwli"])
            .args(flags)
            .write_stdin("fields @message | sort @timestamp desc | limit")
            .assert()
            .code(1)
            .get_output()
            .clone();
        String::from_utf8(out.stdout).unwrap()
    };
    let new = lint(&["--json"]);
    assert!(new.trim_start().starts_with('['), "{new}");
    assert_eq!(new, lint(&["--format", "json"]));
}
