//! `logplan queries lint` and `queries cost` on files: every bad input with its place, the
//! exit codes, JSON output, stdin, and scan-cost arithmetic checked by hand.

mod common;

use std::path::Path;

use common::*;

fn put(home: &Path, rel: &str, text: &str) {
    let p = home.join("queries").join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn q(version: &str, groups: &str, query: &str) -> String {
    format!("version = \"{version}\"\nlog_groups = [{groups}]\nquery = '''\n{query}\n'''\n")
}

fn lint(home: &Path, args: &[&str]) -> (i32, String) {
    let out = logplan(home)
        .args(["queries", "lint"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_starter_library_lints_clean_and_every_query_has_a_schedule() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let out = logplan(repo).args(["queries", "lint"]).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    let (files, errors) = logplan::queries::file::load_dir(&repo.join("queries"));
    assert!(errors.is_empty());
    assert!((15..=25).contains(&files.len()), "{} queries", files.len());
    assert!(
        files
            .iter()
            .all(|f| f.schedule.is_some() && !f.description.is_empty())
    );
    for area in ["waf/", "alb/", "dns/", "vpc/", "ssh/", "lambda/"] {
        assert!(
            files.iter().any(|f| f.name.starts_with(area)),
            "no {area} query"
        );
    }
}

#[test]
fn bad_files_are_reported_with_their_place() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    put(
        h,
        "ok.toml",
        &q("1.0.0", "\"/a\"", "fields @message\n| limit 5"),
    );
    put(
        h,
        "malformed.toml",
        "version = \"1.0.0\"\nquery = '''fields\n",
    );
    put(
        h,
        "unknown-key.toml",
        &format!("{}colour = \"red\"\n", q("1.0.0", "\"/a\"", "fields a")),
    );
    put(
        h,
        "no-version.toml",
        "log_groups = [\"/a\"]\nquery = \"fields a\"\n",
    );
    put(h, "bad-semver.toml", &q("1.0", "\"/a\"", "fields a"));
    put(h, "bad:name.toml", &q("1.0.0", "\"/a\"", "fields a"));
    put(
        h,
        "empty.toml",
        "version = \"1.0.0\"\nlog_groups = [\"/a\"]\nquery = \"\"\n",
    );
    put(
        h,
        "long.toml",
        &format!(
            "version = \"1.0.0\"\nlog_groups = [\"/a\"]\nquery = \"{}\"\n",
            "x".repeat(10_001)
        ),
    );
    put(
        h,
        "bad-group.toml",
        &q("1.0.0", "\"has space\"", "fields a"),
    );
    put(h, "Dup.toml", &q("1.0.0", "\"/a\"", "fields a"));
    put(h, "dup.toml", &q("1.0.0", "\"/a\"", "fields a"));
    put(
        h,
        "typo.toml",
        &q(
            "1.0.0",
            "\"/a\"",
            "fields @message\n| fitler @message like /x/",
        ),
    );
    let (code, out) = lint(h, &[]);
    assert_eq!(code, 1, "{out}");
    for (file, expect) in [
        ("malformed.toml:3", "LQF01"),
        ("unknown-key.toml:", "colour"),
        ("no-version.toml", "LQF03"),
        ("bad-semver.toml:1", "LQF04"),
        ("bad:name.toml", "contains ':'"),
        ("empty.toml:3", "LQF06"),
        ("long.toml:3", "at most 10000"),
        ("bad-group.toml:2", "LQF08"),
        ("dup.toml", "LQF11"),
        ("typo.toml:5:3", "LQ003 unknown command 'fitler'"),
    ] {
        assert!(
            out.lines().any(|l| l.contains(file) && l.contains(expect)),
            "expected {file} with {expect} in:\n{out}"
        );
    }
    assert!(!out.contains("ok.toml"), "{out}");
    // JSON for CI annotations: one object per finding with file, line and column.
    let out = logplan(h)
        .args(["queries", "lint", "--format", "json", "queries/typo.toml"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["code"], "LQ003");
    assert_eq!(
        (v[0]["line"].as_u64(), v[0]["column"].as_u64()),
        (Some(5), Some(3))
    );
    // Could not run: exit 2.
    let out = logplan(h)
        .args(["queries", "lint", "nope/"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn language_and_class_rules_use_the_snapshot() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("snap.csv"),
        "account_id,region,log_group,log_group_class,incoming_bytes,incoming_events\n1,us-east-1,/archive,INFREQUENT_ACCESS,1,1\n1,us-east-1,/hot,STANDARD,1,1\n",
    )
    .unwrap();
    put(
        h,
        "pattern-on-ia.toml",
        &q("1.0.0", "\"/archive\"", "pattern @message"),
    );
    put(
        h,
        "pattern-on-hot.toml",
        &q("1.0.0", "\"/hot\"", "pattern @message"),
    );
    put(
        h,
        "sql-on-ia.toml",
        &format!(
            "language = \"sql\"\n{}",
            q("1.0.0", "\"/archive\"", "SELECT * FROM `/archive`")
        ),
    );
    let (code, out) = lint(h, &["--snapshot", "snap.csv"]);
    assert_eq!(code, 1);
    assert!(
        out.lines()
            .any(|l| l.contains("pattern-on-ia.toml") && l.contains("LQ101")),
        "{out}"
    );
    assert!(!out.contains("pattern-on-hot.toml:"), "{out}");
    assert!(
        out.lines()
            .any(|l| l.contains("sql-on-ia.toml") && l.contains("LQ106")),
        "{out}"
    );
    assert!(
        out.lines()
            .any(|l| l.contains("sql-on-ia.toml") && l.contains("LQ107")),
        "{out}"
    );
}

#[test]
fn stdin_positions_refer_to_the_text() {
    let home = tempfile::tempdir().unwrap();
    let out = logplan(home.path())
        .args(["queries", "lint", "-", "--language", "cwli"])
        .write_stdin("fields @message\n| sort @timestamp desc\n| stats avg(x) by\n")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.starts_with("-:3:"), "{text}");
    let out = logplan(home.path())
        .args(["queries", "lint", "-", "--language", "sql"])
        .write_stdin("SELECT count(*) FROM `/aws/lambda/x`")
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[test]
fn scan_cost_by_hand_and_in_the_report() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let gib = 1u64 << 30;
    std::fs::write(
        h.join("snap.csv"),
        format!("account_id,region,log_group,incoming_bytes,incoming_events\n1,us-east-1,/app,{},1000\n1,us-east-1,/other,{},1000\n", 744 * gib, 100 * gib),
    )
    .unwrap();
    // Every hour over the last hour: each byte is scanned once, so the month scans what the
    // group ingests in a month: 744 GiB x $0.005 = $3.72.
    put(
        h,
        "hourly.toml",
        &format!(
            "{}[schedule]\nwindow = \"1h\"\nevery = \"1h\"\n",
            q("1.0.0", "\"/app\"", "fields @message")
        ),
    );
    let out = logplan(h)
        .args([
            "queries",
            "cost",
            "--snapshot",
            "snap.csv",
            "--month",
            "2026-10",
            "--json",
            "--csv",
            "cost.csv",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["queries"][0]["usd_per_month"], "3.720000");
    assert_eq!(v["total_usd"], "3.720000");
    let csv = std::fs::read_to_string(h.join("cost.csv")).unwrap();
    assert!(
        csv.starts_with("query,kind,runs,window,gib_per_run,gib,usd\nhourly,schedule,744.00,1h,1.000000,744.000000,3.720000"),
        "{csv}"
    );
    // The report uses the plan for /app (744 GiB a month); no library query reads /other, so
    // its line keeps the assumption (people query groups outside the library too).
    let out = logplan(h)
        .args([
            "report",
            "--snapshot",
            "snap.csv",
            "--month",
            "2026-10",
            "--quiet",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    let g = |name: &str| {
        json["groups"]
            .as_array()
            .unwrap()
            .iter()
            .find(|g| g["log_group"] == name)
            .unwrap()
            .clone()
    };
    assert_eq!(g("/app")["scan_source"], "query plan");
    assert_eq!(g("/other")["scan_source"], "assumption");
    let app_scan: f64 = g("/app")["scan_gib"].as_str().unwrap().parse().unwrap();
    // October has 31 days: 744 hourly runs of 1 GiB each.
    assert!((app_scan - 744.0).abs() < 0.001, "{app_scan}");
}
