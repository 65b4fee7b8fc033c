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

/// The console names the recommendation, and when it is the mix, says so with the mix's priced
/// total. Two groups in one account, nothing forwarded today.
///
/// `/app/queried`: 10 GiB in, 100,000 GiB scanned by Insights a month. On CloudWatch the scans
/// alone cost 100,000 x $0.005 = $500, while Datadog (10 GiB ingested, 10M events indexed) costs
/// tens of dollars, so its cheapest path is a Datadog one.
///
/// `/app/quiet`: 1,000 GiB in, 2 billion events, no scans. On CloudWatch about 1,000 x $0.50 =
/// $500, while Datadog indexes 2,000M events at more than $1 per million, so CloudWatch.
///
/// Neither single path can beat the mix: all-CloudWatch pays the $500 of scans, every Datadog
/// path pays the $2,000+ of indexing.
#[test]
fn console_names_the_mix_when_it_is_recommended() {
    let home = tempfile::tempdir().unwrap();
    let gib: u64 = 1 << 30;
    let csv = format!(
        "account_id,region,log_group,incoming_bytes,incoming_events,insights_scanned_bytes,datadog_forwarder\n\
         123456789012,us-east-1,/app/queried,{},10000000,{},false\n\
         123456789012,us-east-1,/app/quiet,{},2000000000,0,false\n",
        10 * gib,
        100_000 * gib,
        1_000 * gib
    );
    std::fs::write(home.path().join("s.csv"), csv).unwrap();
    let out_dir = home.path().join("out");
    let (code, out, err) = outcome(logplan(home.path()).args([
        "report",
        "--snapshot",
        "s.csv",
        "--month",
        "2026-10",
        "--out",
        out_dir.to_str().unwrap(),
    ]));
    assert_eq!(code, 0, "{err}");
    let line = out
        .lines()
        .find(|l| l.starts_with("Recommended:"))
        .unwrap_or_else(|| panic!("no recommendation in {out}"));
    assert!(
        line.contains("each log group on its own cheapest path"),
        "{line}"
    );
    // The figure named is the mix's priced total, below every single path's total.
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out_dir.join("report.json")).unwrap())
            .unwrap();
    let r = &json["recommendation"];
    assert_eq!(r["choice"]["kind"], "mix", "{r}");
    let total: f64 = r["total_usd"].as_str().unwrap().parse().unwrap();
    let mut compared = 0;
    for p in json["paths"].as_array().unwrap() {
        if let Some(t) = p["total_usd"].as_str().and_then(|s| s.parse::<f64>().ok()) {
            assert!(total < t, "mix {total} vs {p}");
            compared += 1;
        }
    }
    assert!(compared >= 4, "{}", json["paths"]);
    // The console's figure is that priced total, rounded to the cent (under $1,000 here, so no
    // thousands separator).
    assert!(total < 1000.0, "{total}");
    assert!(
        line.contains(&format!("(${total:.2} a month")),
        "{line} vs {total}"
    );
}
