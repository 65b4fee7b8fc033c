//! Nothing lost, ever (issue 11): a user's file is never replaced by a report folder, a rerun
//! that changes nothing leaves the folder as it was, and a process killed (SIGKILL) at any point
//! of writing a report or a snapshot leaves the previous output whole or the new one whole,
//! never a mix, with no temporary file in sight; a rerun then completes. A `queries apply`
//! killed midway leaves every definition old or new (never twice) and a rerun finishes it.

mod common;

use std::collections::BTreeMap;
use std::os::unix::fs::MetadataExt;
use std::path::Path;

use common::{files_under, logplan, outcome};

fn run(home: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = logplan(home);
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    outcome(&mut cmd)
}

/// `logplan` started in the background, as `logplan(home)` would run it, for a test to kill.
fn spawn(home: &Path, args: &[&str], env: &[(&str, &str)]) -> std::process::Child {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("logplan"));
    cmd.args(args)
        .env_clear()
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .current_dir(home)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.spawn().unwrap()
}

/// Every file under `dir` (hidden ones included) with its bytes.
fn contents(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    files_under(dir)
        .into_iter()
        .map(|f| {
            let bytes = std::fs::read(dir.join(&f)).unwrap();
            (f, bytes)
        })
        .collect()
}

/// The names in `dir` a user sees (not starting with a dot).
fn visible(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    v.sort();
    v
}

fn all_names(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn report_out_naming_a_file_is_refused_and_the_file_kept() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("out.txt"), "my notes").unwrap();
    let (code, out, err) = run(
        h,
        &["report", "--demo", "--month", "2026-10", "--out", "out.txt"],
        &[],
    );
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("out.txt is a file"), "{err}");
    assert_eq!(
        std::fs::read_to_string(h.join("out.txt")).unwrap(),
        "my notes"
    );
    // No `.out.txt.old-*`, no staging folder, no report folder.
    assert_eq!(all_names(h), vec!["out.txt"]);
}

#[test]
fn a_rerun_that_changes_nothing_leaves_the_folder_as_it_was() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let args = ["report", "--demo", "--month", "2026-10", "--quiet"];
    assert_eq!(run(h, &args, &[]).0, 0);
    let dir = h.join("reports/2026-10");
    let before = std::fs::metadata(&dir).unwrap();
    let files_before = contents(&dir);
    let inode = |f: &str| std::fs::metadata(dir.join(f)).unwrap().ino();
    let report_inode = inode("report.json");
    assert_eq!(run(h, &args, &[]).0, 0);
    let after = std::fs::metadata(&dir).unwrap();
    // The same folder (not a new one swapped in), the same files, the same bytes.
    assert_eq!(before.ino(), after.ino());
    assert_eq!(inode("report.json"), report_inode);
    assert_eq!(contents(&dir), files_before);
    assert_eq!(all_names(&h.join("reports")), vec!["2026-10"]);
}

/// Kill `args` at each of `points` (the test hook makes the process SIGKILL itself there) over
/// a folder that holds the output of `first`; then the folder must be the old one or the new one
/// (as a clean run of `args` in a second home writes it), whole, and a rerun must complete.
fn killed_at(points: &[&str], first: &[&str], args: &[&str], folder: &str) {
    // The new output, from a clean run elsewhere: the same command over the same first run.
    let fresh = tempfile::tempdir().unwrap();
    assert_eq!(run(fresh.path(), first, &[]).0, 0, "{first:?}");
    let old = contents(&fresh.path().join(folder));
    assert_eq!(run(fresh.path(), args, &[]).0, 0);
    let new = contents(&fresh.path().join(folder));
    assert_ne!(old, new, "the second run must change something");
    for point in points {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        assert_eq!(run(h, first, &[]).0, 0, "{first:?}");
        let dir = h.join(folder);
        assert_eq!(contents(&dir), old);
        let (code, _, err) = run(h, args, &[("LOGPLAN_TEST_CRASH_AT", point)]);
        assert_ne!(code, 0, "{point}: the hook did not fire: {err}");
        let now = contents(&dir);
        assert!(
            now == old || now == new,
            "{point}: a mix of old and new: {:?}",
            now.keys().collect::<Vec<_>>()
        );
        assert_eq!(visible(&h.join("reports")), vec!["2026-10"], "{point}");
        assert!(
            visible(&dir).iter().all(|n| !n.contains("logplan")),
            "{point}"
        );
        // A rerun completes, gives the new output and clears what the killed run left.
        assert_eq!(run(h, args, &[]).0, 0, "{point}: rerun");
        assert_eq!(contents(&dir), new, "{point}: rerun");
        assert_eq!(all_names(&h.join("reports")), vec!["2026-10"], "{point}");
    }
}

const REPORT: [&str; 5] = ["report", "--demo", "--month", "2026-10", "--quiet"];
/// The same report without the free tiers: other bytes in every file.
const REPORT_CHANGED: [&str; 6] = [
    "report",
    "--demo",
    "--month",
    "2026-10",
    "--quiet",
    "--no-free-tier",
];

#[test]
fn a_report_killed_while_writing_leaves_the_last_good_one() {
    let (first, second) = (REPORT, REPORT_CHANGED);
    killed_at(
        &["report-staged", "commit", "exchanged"],
        &first,
        &second,
        "reports/2026-10",
    );
}

#[test]
fn a_sample_killed_while_writing_leaves_the_last_good_snapshot() {
    let first = ["sample", "--demo", "--month", "2026-10", "--quiet"];
    // A second run that writes other bytes: the same month, other excluded groups.
    let second = [
        "sample",
        "--demo",
        "--month",
        "2026-10",
        "--quiet",
        "--exclude",
        "/aws/lambda/*",
    ];
    killed_at(
        &["snapshot-staged", "commit", "exchanged"],
        &first,
        &second,
        "reports/2026-10",
    );
}

/// SIGKILL from outside at seeded random moments of a report run: whatever the moment, the
/// folder is the old report or the new one, whole.
#[test]
fn a_report_killed_at_random_moments_is_old_or_new() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let fresh = tempfile::tempdir().unwrap();
    let (first, second) = (REPORT, REPORT_CHANGED);
    assert_eq!(run(h, &first, &[]).0, 0);
    let dir = h.join("reports/2026-10");
    let old = contents(&dir);
    assert_eq!(run(fresh.path(), &first, &[]).0, 0);
    let t0 = std::time::Instant::now();
    assert_eq!(run(fresh.path(), &second, &[]).0, 0);
    let span = t0.elapsed().as_millis().max(50) as u64;
    let new = contents(&fresh.path().join("reports/2026-10"));
    // A small linear congruential generator, seeded: the same moments every run.
    let mut seed: u64 = 0x11;
    for _ in 0..12 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let delay = (seed >> 33) % span;
        let mut child = spawn(h, &second, &[]);
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let now = contents(&dir);
        assert!(now == old || now == new, "killed after {delay} ms: a mix");
        assert_eq!(visible(&h.join("reports")), vec!["2026-10"]);
    }
    assert_eq!(run(h, &second, &[]).0, 0);
    assert_eq!(contents(&dir), new);
    assert_eq!(all_names(&h.join("reports")), vec!["2026-10"]);
}

/// `queries import` killed while committing: the library is the old one or the new one, whole;
/// a rerun completes.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_import_killed_while_writing_leaves_the_library_whole() {
    let fake = logplan_fake::FakeAws::start(logplan_fake::FakeOptions::default()).await;
    for name in ["team/a", "team/b"] {
        common::logs_call(
            &fake.url(),
            "PutQueryDefinition",
            &serde_json::json!({"name": name, "queryString": "fields @message"}),
        );
    }
    let import = ["queries", "import", "--target", "t"];
    for point in ["commit", "exchanged"] {
        let home = tempfile::tempdir().unwrap();
        let h = home.path();
        std::fs::write(
            h.join("logplan.toml"),
            "library_id = \"lp-k\"\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n[targets.t]\nregions = [\"us-east-1\"]\nprefix = \"team\"\n",
        )
        .unwrap();
        std::fs::create_dir_all(h.join("queries")).unwrap();
        std::fs::write(
            h.join("queries/keep.toml"),
            "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"fields k\"\n",
        )
        .unwrap();
        let old = contents(&h.join("queries"));
        let (code, _, err) = run(
            h,
            &import,
            &[
                ("LOGPLAN_TEST_CRASH_AT", point),
                ("AWS_ENDPOINT_URL", &fake.url()),
            ],
        );
        assert_ne!(code, 0, "{point}: the hook did not fire: {err}");
        let now = contents(&h.join("queries"));
        let whole_new = ["a.toml", "b.toml", "keep.toml"]
            .iter()
            .all(|f| now.contains_key(*f))
            && now.len() == 3;
        assert!(now == old || whole_new, "{point}: {:?}", now.keys());
        assert!(
            visible(h).iter().all(|n| !n.contains("logplan-")),
            "{point}"
        );
        let (code, _, err) = run(
            h,
            &[&import[..], &["--force"]].concat(),
            &[("AWS_ENDPOINT_URL", &fake.url())],
        );
        assert_eq!(code, 0, "{point}: rerun: {err}");
        assert_eq!(
            visible(&h.join("queries")),
            vec!["a.toml", "b.toml", "keep.toml"]
        );
        assert_eq!(all_names(h), vec!["logplan.toml", "queries"], "{point}");
    }
}

/// The definitions under `prefix/` in the fake: (name, query text), sorted.
fn definitions(url: &str, prefix: &str) -> Vec<(String, String)> {
    let out = common::logs_call(
        url,
        "DescribeQueryDefinitions",
        &serde_json::json!({"queryDefinitionNamePrefix": format!("{prefix}/")}),
    );
    let mut defs: Vec<(String, String)> = out["queryDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["queryString"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    defs.sort();
    defs
}

/// `queries apply` killed (SIGKILL from outside) at seeded random moments while it deploys an
/// edited library of 8 queries: each definition is the old or the new one, none is created
/// twice, a hand-made definition in the same folder is never touched, and a rerun finishes the
/// job, after which `plan` sees nothing to change.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_at_random_moments_is_finished_by_a_rerun() {
    let fake = logplan_fake::FakeAws::start(logplan_fake::FakeOptions::default()).await;
    let url = fake.url();
    common::logs_call(
        &url,
        "PutQueryDefinition",
        &serde_json::json!({"name": "team/hand-made", "queryString": "fields @message"}),
    );
    let hand_made = ("team/hand-made".to_string(), "fields @message".to_string());
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("logplan.toml"),
        "library_id = \"lp-kill\"\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n\
         [targets.t]\nregions = [\"us-east-1\"]\nprefix = \"team\"\n\
         [targets.s]\nregions = [\"us-east-1\"]\nprefix = \"scratch\"\n",
    )
    .unwrap();
    let write_library = |round: u32| {
        std::fs::create_dir_all(h.join("queries")).unwrap();
        for i in 0..8 {
            std::fs::write(
                h.join(format!("queries/q{i}.toml")),
                format!(
                    "version = \"1.{round}.0\"\nlog_groups = [\"/app\"]\nquery = \"fields a{i}, r{round}\"\n"
                ),
            )
            .unwrap();
        }
    };
    let env = [("AWS_ENDPOINT_URL", url.as_str())];
    let apply = |target: &str| run(h, &["queries", "apply", "--target", target, "--yes"], &env);
    // How long a whole apply of 8 creates takes here: the kills land inside that span.
    write_library(0);
    let t0 = std::time::Instant::now();
    let (code, _, err) = apply("s");
    assert_eq!(code, 0, "{err}");
    let span = t0.elapsed().as_millis().max(50) as u64;

    let mut seed: u64 = 0x5eed;
    // Rounds whose kill landed between two changing calls (some definitions this round's,
    // some not): printed, so a run shows the kills did interrupt deployments.
    let mut interrupted = 0;
    for round in 0..24u32 {
        write_library(round);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        // The process starts, reads the library and plans before its first changing call: the
        // kills land in the later three quarters of the span.
        let delay = span / 4 + (seed >> 33) % (span - span / 4);
        let mut child = spawn(
            h,
            &["queries", "apply", "--target", "t", "--yes"],
            &[("AWS_ENDPOINT_URL", url.as_str())],
        );
        std::thread::sleep(std::time::Duration::from_millis(delay));
        let _ = child.kill();
        let _ = child.wait();
        let defs = definitions(&url, "team");
        let mut names: Vec<&str> = defs.iter().map(|d| d.0.as_str()).collect();
        names.dedup();
        assert_eq!(
            names.len(),
            defs.len(),
            "round {round}: a name twice: {defs:?}"
        );
        assert!(defs.contains(&hand_made), "round {round}: {defs:?}");
        // Each library definition holds this round's query or an earlier round's, whole.
        let library: Vec<_> = defs.iter().filter(|d| d.0 != hand_made.0).collect();
        for (name, text) in &library {
            let i = name.trim_start_matches("team/q");
            assert!(
                (0..=round).any(|r| text.contains(&format!("fields a{i}, r{r}"))),
                "round {round}: {name}: {text:?}"
            );
        }
        let current = library
            .iter()
            .filter(|d| d.1.contains(&format!(", r{round}")))
            .count();
        if current > 0 && (current < 8 || library.len() < 8) {
            interrupted += 1;
        }
    }
    eprintln!("kills that interrupted a deployment midway: {interrupted} of 24 (span {span} ms)");
    // The rerun finishes the job; then nothing is left to change.
    let (code, _, err) = apply("t");
    assert_eq!(code, 0, "rerun: {err}");
    let (code, out, err) = run(h, &["queries", "plan", "--target", "t"], &env);
    assert_eq!(code, 0, "plan after the rerun: {out}{err}");
    let defs = definitions(&url, "team");
    // 8 library definitions + the hand-made one, each once, the library's at round 23.
    assert_eq!(defs.len(), 9, "{defs:?}");
    assert!(defs.contains(&hand_made));
    for (name, text) in defs.iter().filter(|d| d.0 != hand_made.0) {
        let i = name.trim_start_matches("team/q");
        assert!(
            text.contains(&format!("fields a{i}, r23")),
            "{name}: {text:?}"
        );
    }
}
