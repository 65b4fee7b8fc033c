//! Deploys that cannot hurt a neighbour, end to end through the real SDK against the fake:
//! libraries with their own identities and overlapping prefixes in one account never touch each
//! other's definitions; a hand-made PPL definition under a prefix survives `--prune`; a create
//! whose response is lost does not make a second definition; names several definitions share
//! are refused with their ids.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions};

const R: &str = "us-east-1";

fn put(home: &Path, name: &str, text: &str) {
    let path = home.join("queries").join(format!("{name}.toml"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn cwli(version: &str, query: &str) -> String {
    format!(
        "version = \"{version}\"\nlog_groups = [\"/aws/lambda/app\"]\nquery = '''\n{query}\n'''\n"
    )
}

fn ppl(version: &str, query: &str) -> String {
    format!(
        "version = \"{version}\"\nlanguage = \"ppl\"\nlog_groups = [\"/aws/lambda/app\"]\nquery = '''\n{query}\n'''\n"
    )
}

/// A library home: `logplan.toml` with its id and one target.
fn library(id: &str, prefix: &str, attempts: u32) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("logplan.toml"),
        format!(
            "library_id = \"{id}\"\n[aws]\nmax_attempts = {attempts}\ninitial_backoff_ms = 1\n[targets.t]\nregions = [\"{R}\"]\nprefix = \"{prefix}\"\n"
        ),
    )
    .unwrap();
    home
}

fn run(home: &Path, fake: &FakeAws, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).env("AWS_ENDPOINT_URL", fake.url()).args(args))
}

fn apply(home: &Path, fake: &FakeAws, prune: bool) -> (i32, String, String) {
    let mut args = vec!["queries", "apply", "--target", "t", "--yes"];
    if prune {
        args.push("--prune");
    }
    run(home, fake, &args)
}

fn writes(fake: &FakeAws) -> usize {
    fake.calls()
        .iter()
        .filter(|c| {
            matches!(
                c.operation.as_str(),
                "PutQueryDefinition" | "DeleteQueryDefinition"
            ) && c.status == 200
        })
        .count()
}

/// Put a definition the way the console would (raw JSON 1.1 to the fake); returns its id.
fn console_put(fake: &FakeAws, body: serde_json::Value) -> String {
    logs_call(&fake.url(), "PutQueryDefinition", &body)["queryDefinitionId"]
        .as_str()
        .unwrap()
        .to_string()
}

fn names(fake: &FakeAws) -> Vec<String> {
    fake.query_definitions(R)
        .into_iter()
        .map(|d| d.name)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn libraries_sharing_an_account_never_touch_each_other() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    // The account: libraries under `platform`, `platform-legacy` and `platform` again
    // (another team, another id), and a PPL definition made by hand under `platform/`.
    let a = library("lp-a", "platform", 2);
    put(a.path(), "waf/top", &cwli("1.0.0", "stats count(*) by ip"));
    let b = library("lp-b", "platform-legacy", 2);
    put(
        b.path(),
        "waf/top",
        &cwli("1.0.0", "stats count(*) by host"),
    );
    let c = library("lp-c", "platform", 2);
    put(
        c.path(),
        "app/errors",
        &cwli("1.0.0", "filter level = 'ERROR'"),
    );
    put(
        c.path(),
        "ppl/rejects",
        &ppl("1.0.0", "where action = 'REJECT' | head 50"),
    );
    let hand = console_put(
        &fake,
        serde_json::json!({"name": "platform/hand/made", "queryLanguage": "PPL",
            "queryString": "where status >= 500 | head 5", "logGroupNames": ["/aws/lambda/app"]}),
    );
    for home in [&a, &b, &c] {
        let (code, out, err) = apply(home.path(), &fake, true);
        assert_eq!(code, 0, "{out}{err}");
    }
    let mut all = names(&fake);
    all.sort();
    assert_eq!(
        all,
        [
            "platform-legacy/waf/top",
            "platform/.logplan/lp-c",
            "platform/app/errors",
            "platform/hand/made",
            "platform/ppl/rejects",
            "platform/waf/top",
        ]
    );
    // Each library's plan sees only its own: A does not offer to prune C's definitions (same
    // folder, other id) nor B's (`platform-legacy` is not the folder `platform/`).
    let (code, out, _) = run(
        a.path(),
        &fake,
        &["queries", "plan", "--target", "t", "--prune"],
    );
    assert_eq!(code, 0, "no changes for A: {out}");
    assert!(
        !out.contains("app/errors") && !out.contains("legacy") && !out.contains("hand/made"),
        "{out}"
    );
    // Applying everything again with --prune changes nothing anywhere.
    fake.clear_calls();
    for home in [&a, &b, &c] {
        let (code, out, err) = apply(home.path(), &fake, true);
        assert_eq!(code, 0, "{out}{err}");
        assert!(out.contains("Nothing to apply."), "{out}");
    }
    assert_eq!(writes(&fake), 0);
    // C drops its PPL query: pruning deletes it (the state proves C created it) and nothing
    // else; the hand-made PPL definition under the same folder survives.
    std::fs::remove_file(c.path().join("queries/ppl/rejects.toml")).unwrap();
    let (code, out, err) = apply(c.path(), &fake, true);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("- delete     platform/ppl/rejects (1.0.0)"),
        "{out}"
    );
    let after = names(&fake);
    assert!(!after.contains(&"platform/ppl/rejects".to_string()));
    assert_eq!(after.len(), 5, "{after:?}");
    assert!(fake.query_definitions(R).iter().any(|d| d.id == hand));
    // B drops its query: only its own goes, although A's has the same relative name.
    std::fs::remove_file(b.path().join("queries/waf/top.toml")).unwrap();
    let (code, _, err) = apply(b.path(), &fake, true);
    assert_eq!(code, 0, "{err}");
    let after = names(&fake);
    assert!(after.contains(&"platform/waf/top".to_string()));
    assert!(!after.contains(&"platform-legacy/waf/top".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lost_create_response_does_not_duplicate() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = library("lp-x", "team", 3);
    let h = home.path();
    put(h, "a", &cwli("1.0.0", "fields a"));
    put(h, "b", &cwli("1.0.0", "fields b"));
    // The first create is applied, then its connection drops: the SDK retries it with the same
    // clientToken, and the fake answers with the definition the first attempt made.
    fake.lose_response_after("logs:PutQueryDefinition", 0);
    let (code, out, err) = apply(h, &fake, false);
    assert_eq!(code, 0, "{out}{err}");
    let calls = fake.calls();
    let puts: Vec<_> = calls
        .iter()
        .filter(|c| c.operation == "PutQueryDefinition")
        .collect();
    assert_eq!(puts[0].fault.as_deref(), Some("lost"));
    assert_eq!(puts.len(), 3, "two creates, one retried");
    let mut all = names(&fake);
    all.sort();
    assert_eq!(all, ["team/a", "team/b"], "no duplicate");
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_interrupted_ppl_create_is_finished_not_repeated() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    // One attempt per request: the lost response is a failed apply, as after a crash.
    let home = library("lp-p", "team", 1);
    let h = home.path();
    put(
        h,
        "rejects",
        &ppl("1.0.0", "where action = 'REJECT' | head 50"),
    );
    // Call 1 records the pending create in the state; call 2 creates the PPL definition and
    // its answer is lost.
    fake.lose_response_after("logs:PutQueryDefinition", 1);
    let (code, _, err) = apply(h, &fake, false);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("create team/rejects failed"), "{err}");
    let mut all = names(&fake);
    all.sort();
    assert_eq!(all, ["team/.logplan/lp-p", "team/rejects"]);
    // The rerun finds the pending entry, adopts the definition it made, records its id.
    let (code, out, err) = apply(h, &fake, false);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!out.contains("+ create"), "{out}");
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        fake.query_definitions(R)
            .iter()
            .filter(|d| d.name == "team/rejects")
            .count(),
        1
    );
    // And the state proves it now: removing the file prunes it.
    std::fs::remove_file(h.join("queries/rejects.toml")).unwrap();
    let (code, out, err) = apply(h, &fake, true);
    assert_eq!(code, 0, "{out}{err}");
    assert!(!names(&fake).contains(&"team/rejects".to_string()));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shared_names_are_shown_and_refused_with_their_ids() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = library("lp-d", "team", 2);
    let h = home.path();
    put(h, "waf/top", &cwli("1.0.0", "fields a"));
    let first = console_put(
        &fake,
        serde_json::json!({"name": "team/waf/top", "queryString": "fields one"}),
    );
    let second = console_put(
        &fake,
        serde_json::json!({"name": "team/waf/top", "queryString": "fields two"}),
    );
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("x duplicate  team/waf/top: 2 definitions share this name")
            && out.contains(&first)
            && out.contains(&second),
        "{out}"
    );
    fake.clear_calls();
    let (code, _, err) = apply(h, &fake, false);
    assert_eq!(code, 2);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains(&first) && err.contains(&second), "{err}");
    assert_eq!(writes(&fake), 0);
}
