//! Bad input refused cleanly (issue 11): snapshots read as a contract, settings that name their
//! file, table and key, argument errors on one line, no colour codes into a file, and no SDK
//! region probe of the instance metadata address when the region is known.

mod common;

use std::io::Read;
use std::net::TcpListener;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use common::{logplan, moto_url, outcome};

fn run(home: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).args(args))
}

/// Exit 2, one line on stderr containing every `expect`, nothing on stdout.
fn refused(home: &Path, args: &[&str], expect: &[&str]) -> String {
    let (code, out, err) = run(home, args);
    assert_eq!(code, 2, "{args:?}: {out}{err}");
    assert_eq!(err.lines().count(), 1, "{args:?}: one line: {err}");
    assert!(err.starts_with("logplan: "), "{err}");
    for e in expect {
        assert!(err.contains(e), "{args:?}: expected {e:?} in {err}");
    }
    assert!(out.is_empty(), "{out}");
    err
}

const HEADER: &str = "account_id,region,log_group,incoming_bytes,incoming_events\n";

fn snapshot(home: &Path, body: &str) {
    std::fs::write(home.join("s.csv"), body).unwrap();
}

fn report(home: &Path) -> Vec<&'static str> {
    let _ = home;
    vec![
        "report",
        "--snapshot",
        "s.csv",
        "--month",
        "2026-10",
        "--quiet",
    ]
}

#[test]
fn snapshots_are_read_as_a_contract() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // A good report first: every refusal below must leave it as it was.
    snapshot(h, &format!("{HEADER}111111111111,us-east-1,/a,1000,10\n"));
    assert_eq!(run(h, &report(h)).0, 0);
    let good = std::fs::read(h.join("reports/2026-10/report.json")).unwrap();

    // The same group twice: its cost would be counted twice. Lines 2 and 4 (line 1 the header).
    snapshot(
        h,
        &format!(
            "{HEADER}111111111111,us-east-1,/a,1000,10\n111111111111,us-east-1,/b,5,1\n111111111111,us-east-1,/a,7,1\n"
        ),
    );
    refused(h, &report(h), &["s.csv", "line 2 and line 4", "/a"]);
    // The same group in another account or region is another group.
    snapshot(
        h,
        &format!(
            "{HEADER}111111111111,us-east-1,/a,1000,10\n222222222222,us-east-1,/a,5,1\n111111111111,eu-west-1,/a,7,1\n"
        ),
    );
    assert_eq!(run(h, &report(h)).0, 0);
    snapshot(h, &format!("{HEADER}111111111111,us-east-1,/a,1000,10\n"));
    assert_eq!(run(h, &report(h)).0, 0);
    assert_eq!(
        std::fs::read(h.join("reports/2026-10/report.json")).unwrap(),
        good
    );

    // A column named twice (columns 4 and 6 of the header).
    snapshot(
        h,
        "account_id,region,log_group,incoming_bytes,incoming_events,incoming_bytes\n111111111111,us-east-1,/a,1,1,2\n",
    );
    refused(
        h,
        &report(h),
        &[
            "s.csv",
            "\"incoming_bytes\" is named twice",
            "columns 4 and 6",
        ],
    );
    // A ragged line: its number, and no advice about parser options the tool has no flag for.
    snapshot(
        h,
        &format!("{HEADER}111111111111,us-east-1,/a,1,1\n111111111111,us-east-1,/b,1\n"),
    );
    let err = refused(
        h,
        &report(h),
        &["s.csv", "line 3", "4 fields", "header has 5"],
    );
    assert!(!err.contains("ragged"), "{err}");
    // Values out of range name the column and the line.
    for (row, expect) in [
        (
            "111111111111,us-east-1,/a,-5,1",
            "line 2, column incoming_bytes",
        ),
        (
            "111111111111,us-east-1,/a,5,1.5",
            "line 2, column incoming_events",
        ),
    ] {
        snapshot(h, &format!("{HEADER}{row}\n"));
        refused(h, &report(h), &["s.csv", expect]);
    }
    snapshot(
        h,
        "account_id,region,log_group,incoming_bytes,incoming_events,gzip_ratio\n111111111111,us-east-1,/a,5,1,0.5\n",
    );
    refused(h, &report(h), &["s.csv", "line 2, column gzip_ratio"]);

    // Header only: refused (it would replace a good report with zero costs) unless asked for.
    snapshot(h, HEADER);
    refused(h, &report(h), &["s.csv", "no log groups", "--allow-empty"]);
    assert_eq!(
        std::fs::read(h.join("reports/2026-10/report.json")).unwrap(),
        good
    );
    let mut args = report(h);
    args.extend(["--allow-empty", "--out", "empty"]);
    assert_eq!(run(h, &args).0, 0);
    assert!(h.join("empty/report.json").is_file());
}

#[test]
fn settings_errors_name_file_table_and_key() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    snapshot(h, &format!("{HEADER}111111111111,us-east-1,/a,1000,10\n"));
    for (toml, expect) in [
        (
            "[targets.prod]\nregions = [\"mars-1\"]\n",
            &["bad.toml", "line 2", "[targets.prod] regions", "mars-1"][..],
        ),
        (
            "[reconcile]\nvariance_threshold_percent = -3.0\n",
            &[
                "bad.toml",
                "line 2",
                "[reconcile] variance_threshold_percent",
            ][..],
        ),
        (
            "[reconcile]\nvariance_threshold_percent = nan\n",
            &["bad.toml", "[reconcile] variance_threshold_percent"][..],
        ),
        (
            "[forwarding]\ndatadog_forwarder_arns = [\"my-forwarder\"]\n",
            &["bad.toml", "line 2", "[forwarding] datadog_forwarder_arns"][..],
        ),
        (
            "[aws]\nread_timeout_secs = 0\n",
            &["bad.toml", "line 2", "[aws] read_timeout_secs"][..],
        ),
    ] {
        std::fs::write(h.join("bad.toml"), toml).unwrap();
        let mut args = vec!["--config", "bad.toml"];
        args.extend(report(h));
        refused(h, &args, expect);
    }
}

#[test]
fn argument_errors_are_one_line_with_a_help_hint() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    refused(
        h,
        &["report", "--bogus"],
        &[
            "unexpected argument '--bogus'",
            "; see logplan report --help",
        ],
    );
    refused(
        h,
        &["queries", "apply", "--target"],
        &["--target", "; see logplan queries apply --help"],
    );
    refused(h, &["frobnicate"], &["frobnicate", "; see logplan --help"]);
    refused(h, &[], &["; see logplan --help"]);
    // --allow-empty only means something with a snapshot.
    refused(h, &["report", "--demo", "--allow-empty"], &["--snapshot"]);
    // Help is still help.
    let (code, out, _) = run(h, &["report", "--help"]);
    assert_eq!(code, 0);
    assert!(out.contains("--allow-empty"));
}

/// A listener standing in for the instance metadata service: counts connections, answers none.
fn imds_listener() -> (String, Arc<AtomicUsize>) {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", l.local_addr().unwrap());
    let hits = Arc::new(AtomicUsize::new(0));
    let h = hits.clone();
    std::thread::spawn(move || {
        for s in l.incoming().flatten() {
            h.fetch_add(1, Ordering::SeqCst);
            let mut s = s;
            let mut buf = [0u8; 1024];
            let _ = s.read(&mut buf);
            // Dropped: the connection closes with no answer.
        }
    });
    (url, hits)
}

#[test]
fn a_known_region_means_no_metadata_probe_and_quiet_means_quiet() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (imds, hits) = imds_listener();
    for region_args in [&["--region", "us-east-1"][..], &[][..]] {
        let mut cmd = logplan(h);
        // Metadata on, pointed at the listener; the region from --region, else from config.
        cmd.env_remove("AWS_EC2_METADATA_DISABLED")
            .env_remove("AWS_REGION")
            .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)
            .env("AWS_ENDPOINT_URL", moto_url());
        std::fs::write(h.join("logplan.toml"), "regions = [\"us-east-1\"]\n").unwrap();
        cmd.arg("sample").args(region_args).args([
            "--prefix",
            "/no-such-group-",
            "--out",
            "s.csv",
            "--quiet",
        ]);
        let (code, out, err) = outcome(&mut cmd);
        assert!(code == 0 || code == 2, "{out}{err}");
        assert!(err.lines().count() <= 1, "quiet: {err}");
        assert!(!err.contains('\u{1b}'), "colour codes into a file: {err:?}");
        assert!(out.is_empty(), "quiet: {out}");
    }
    assert_eq!(
        hits.load(Ordering::SeqCst),
        0,
        "the SDK probed the metadata service"
    );
}

#[test]
fn sdk_warnings_carry_no_colour_codes_into_a_file() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (imds, hits) = imds_listener();
    // No region anywhere: the SDK asks the metadata service (here a listener that answers
    // nothing) and warns; the warnings are plain text, and the run ends in one error line.
    let mut cmd = logplan(h);
    cmd.env_remove("AWS_EC2_METADATA_DISABLED")
        .env_remove("AWS_REGION")
        .env("AWS_EC2_METADATA_SERVICE_ENDPOINT", &imds)
        .env("AWS_ENDPOINT_URL", moto_url())
        .args(["sample", "--out", "s.csv"]);
    let (code, _, err) = outcome(&mut cmd);
    assert_eq!(code, 2, "{err}");
    assert!(!err.contains('\u{1b}'), "colour codes into a file: {err:?}");
    assert!(
        err.lines().last().unwrap_or("").starts_with("logplan: "),
        "{err}"
    );
    // The listener does see a probe when there is one: the test above can trust its zero.
    assert!(
        hits.load(Ordering::SeqCst) > 0,
        "no probe reached the listener"
    );
}

/// The tool's own two-step workflow works on its own output: a sample whose events are too small
/// for gzip to shrink (one 1-byte message: gzip's 20-byte frame makes it larger, a ratio of
/// 1/21 or so) is stored with a ratio of 1, and `report --snapshot` reads it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn what_sample_writes_report_reads() {
    let fake = logplan_fake::FakeAws::start(logplan_fake::FakeOptions::default()).await;
    const OCT1: i64 = 1_790_812_800; // 2026-10-01T00:00:00Z
    fake.put_metric(
        "us-east-1",
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/tiny")],
        &[(OCT1, 1.0)],
    );
    fake.put_log_events(
        "us-east-1",
        "/tiny",
        "s",
        &[(
            // Late in October: the sample walks back from the end of the period.
            (OCT1 + 30 * 86_400) * 1000,
            "x".to_string(),
        )],
    );
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let mut cmd = logplan(h);
    cmd.env("AWS_ENDPOINT_URL", fake.url()).args([
        "sample",
        "--month",
        "2026-10",
        "--sample-events",
        "1000",
        "--out",
        "snap/s.csv",
        "--quiet",
    ]);
    let (code, _, err) = outcome(&mut cmd);
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(h.join("snap/s.csv")).unwrap();
    let header: Vec<&str> = text.lines().next().unwrap().split(',').collect();
    let at = header.iter().position(|c| *c == "gzip_ratio").unwrap();
    let row: Vec<&str> = text.lines().nth(1).unwrap().split(',').collect();
    assert_eq!(row[at], "1.0", "{text}");
    let (code, _, err) = run(
        h,
        &[
            "report",
            "--snapshot",
            "snap/s.csv",
            "--month",
            "2026-10",
            "--quiet",
        ],
    );
    assert_eq!(code, 0, "{err}");
}
