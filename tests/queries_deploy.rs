//! `logplan queries plan|apply|import|export` through the real SDK against the fake endpoint,
//! which implements Put/Describe/DeleteQueryDefinition per the API reference (moto does not).
//! The guarantees that keep neighbours safe (library identities, prefix folders, the PPL state,
//! idempotent creates, duplicates) are in `tests/queries_neighbours.rs`.

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions};

fn write_query(home: &Path, name: &str, version: &str, query: &str) {
    let path = home.join("queries").join(format!("{name}.toml"));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        path,
        format!(
            "description = \"{name}\"\nversion = \"{version}\"\nlog_groups = [\"/aws/lambda/app\"]\nquery = '''\n{query}\n'''\n[schedule]\nwindow = \"1h\"\nruns_per_day = 24\n"
        ),
    )
    .unwrap();
}

fn setup(fake: &FakeAws, prefix: Option<&str>) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let prefix = prefix
        .map(|p| format!("prefix = \"{p}\"\n"))
        .unwrap_or_default();
    std::fs::write(
        home.path().join("logplan.toml"),
        format!("library_id = \"lp-test\"\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n[targets.test]\nregions = [\"us-east-1\"]\n{prefix}"),
    )
    .unwrap();
    write_query(
        home.path(),
        "lambda/errors",
        "1.0.0",
        "fields @timestamp, @message\n| filter @message like /ERROR/\n| limit 50",
    );
    write_query(
        home.path(),
        "lambda/cold-starts",
        "1.0.0",
        "filter @type = \"REPORT\" and ispresent(@initDuration)\n| stats count(*) as cold by bin(1h)",
    );
    write_query(
        home.path(),
        "waf/top-ips",
        "1.0.0",
        "stats count(*) as n by httpRequest.clientIp\n| sort n desc\n| limit 20",
    );
    let _ = fake;
    home
}

fn run(home: &Path, fake: &FakeAws, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).env("AWS_ENDPOINT_URL", fake.url()).args(args))
}

fn writes(fake: &FakeAws) -> usize {
    fake.calls()
        .iter()
        .filter(|c| {
            matches!(
                c.operation.as_str(),
                "PutQueryDefinition" | "DeleteQueryDefinition"
            )
        })
        .count()
}

/// Put a definition the way the console would (raw JSON 1.1 to the fake).
fn console_put(fake: &FakeAws, body: serde_json::Value) -> String {
    logs_call(&fake.url(), "PutQueryDefinition", &body)["queryDefinitionId"]
        .as_str()
        .unwrap()
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn create_then_idempotent_then_update() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = setup(&fake, Some("team-a"));
    let h = home.path();

    let (code, out, err) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert_eq!(code, 1, "changes pending: {err}");
    assert!(
        out.contains("+ create     team-a/lambda/errors (1.0.0)"),
        "{out}"
    );
    assert!(out.contains("Plan: 3 to create, 0 to update"), "{out}");
    assert_eq!(writes(&fake), 0, "plan changes nothing");

    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let defs = fake.query_definitions("us-east-1");
    assert_eq!(defs.len(), 3);
    let errors = defs
        .iter()
        .find(|d| d.name == "team-a/lambda/errors")
        .unwrap();
    assert!(
        errors
            .query_string
            .contains("\n# logplan: lib=lp-test version=1.0.0 sha256=")
            && errors.query_string.ends_with(" name=team-a/lambda/errors"),
        "{}",
        errors.query_string
    );
    assert_eq!(errors.log_group_names, vec!["/aws/lambda/app"]);

    // A second apply makes no call that changes anything.
    fake.clear_calls();
    let (code, out, _) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 0);
    assert!(out.contains("Nothing to apply."), "{out}");
    assert_eq!(writes(&fake), 0);
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert_eq!(code, 0, "no changes: {out}");

    // Changing a query without bumping its version is an error naming the file; nothing moves.
    write_query(
        h,
        "waf/top-ips",
        "1.0.0",
        "stats count(*) as n by httpRequest.clientIp\n| sort n desc\n| limit 50",
    );
    let (code, _, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("changed without a version bump") && err.contains("waf/top-ips.toml"),
        "{err}"
    );
    assert_eq!(writes(&fake), 0);

    // Bumped: an update, with a diff, to the same definition id, every field sent.
    write_query(
        h,
        "waf/top-ips",
        "1.1.0",
        "stats count(*) as n by httpRequest.clientIp\n| sort n desc\n| limit 50",
    );
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("~ update     team-a/waf/top-ips (1.0.0 -> 1.1.0)"),
        "{out}"
    );
    assert!(
        out.contains("- | limit 20") && out.contains("+ | limit 50"),
        "{out}"
    );
    let before = fake
        .query_definitions("us-east-1")
        .into_iter()
        .find(|d| d.name == "team-a/waf/top-ips")
        .unwrap();
    let (code, _, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 0, "{err}");
    let after = fake
        .query_definitions("us-east-1")
        .into_iter()
        .find(|d| d.name == "team-a/waf/top-ips")
        .unwrap();
    assert_eq!(before.id, after.id);
    assert!(
        after.query_string.contains("limit 50") && after.query_string.contains("version=1.1.0")
    );
    assert_eq!(
        after.log_group_names,
        vec!["/aws/lambda/app"],
        "an update replaces every field: groups sent again"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn drift_unmanaged_and_prune() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = setup(&fake, None);
    let h = home.path();
    // A definition nobody manages, with the name of a library query, and another unrelated one.
    let foreign = console_put(
        &fake,
        serde_json::json!({"name": "waf/top-ips", "queryString": "fields @message | limit 1"}),
    );
    console_put(
        &fake,
        serde_json::json!({"name": "someone/else", "queryString": "fields @message"}),
    );
    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 1, "unmanaged conflict is a finding: {out}{err}");
    assert!(out.contains("? unmanaged  waf/top-ips"), "{out}");
    let defs = fake.query_definitions("us-east-1");
    let f = defs.iter().find(|d| d.id == foreign).unwrap();
    assert_eq!(f.query_string, "fields @message | limit 1", "never touched");
    assert!(defs.iter().any(|d| d.name == "someone/else"));

    // Edit a managed one in the console: drift. Apply refuses; --force overwrites.
    let managed = defs
        .iter()
        .find(|d| d.name == "lambda/errors")
        .unwrap()
        .clone();
    console_put(
        &fake,
        serde_json::json!({
            "queryDefinitionId": managed.id, "name": managed.name,
            "queryString": managed.query_string.replace("limit 50", "limit 5"),
            "logGroupNames": managed.log_group_names,
        }),
    );
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert_eq!(code, 1);
    assert!(out.contains("! drift      lambda/errors"), "{out}");
    fake.clear_calls();
    let (code, _, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 2);
    assert!(
        err.contains("edited in the console") && err.contains("--force"),
        "{err}"
    );
    assert_eq!(writes(&fake), 0);
    let (code, _, err) = run(
        h,
        &fake,
        &["queries", "apply", "--target", "test", "--yes", "--force"],
    );
    assert_eq!(code, 1, "the unmanaged conflict remains a finding: {err}");
    let fixed = fake
        .query_definitions("us-east-1")
        .into_iter()
        .find(|d| d.id == managed.id)
        .unwrap();
    assert_eq!(fixed.query_string, managed.query_string);

    // Remove a file: orphaned without --prune, deleted with it; the others stay.
    std::fs::remove_file(h.join("queries/lambda/cold-starts.toml")).unwrap();
    let (_, out, _) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert!(out.contains("orphaned   lambda/cold-starts"), "{out}");
    let (_, out, _) = run(
        h,
        &fake,
        &["queries", "plan", "--target", "test", "--prune"],
    );
    assert!(out.contains("- delete     lambda/cold-starts"), "{out}");
    run(
        h,
        &fake,
        &["queries", "apply", "--target", "test", "--yes", "--prune"],
    );
    let names: Vec<String> = fake
        .query_definitions("us-east-1")
        .into_iter()
        .map(|d| d.name)
        .collect();
    assert!(!names.contains(&"lambda/cold-starts".to_string()));
    assert!(
        names.contains(&"someone/else".to_string()) && names.contains(&"waf/top-ips".to_string())
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failure_midway_then_rerun_finishes() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = setup(&fake, None);
    let h = home.path();
    fake.deny_after("logs:PutQueryDefinition", 1);
    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 2, "{out}{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("applied: 1") && err.contains("not applied: create") && err.contains("rerun"),
        "{err}"
    );
    assert_eq!(fake.query_definitions("us-east-1").len(), 1);
    fake.allow("logs:PutQueryDefinition");
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "test"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("Plan: 2 to create, 0 to update, 0 to delete, 1 unchanged"),
        "{out}"
    );
    let (code, _, err) = run(h, &fake, &["queries", "apply", "--target", "test", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fake.query_definitions("us-east-1").len(), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_adopts_existing_definitions() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("logplan.toml"),
        "library_id = \"lp-test\"\n[targets.prod]\nregions = [\"us-east-1\"]\n",
    )
    .unwrap();
    console_put(
        &fake,
        serde_json::json!({"name": "ops/slow-requests", "queryString": "fields @duration\n| filter @duration > 1000", "logGroupNames": ["/ecs/api"]}),
    );
    console_put(
        &fake,
        serde_json::json!({"name": "misc/other", "queryString": "fields @message"}),
    );
    let (code, out, err) = run(
        h,
        &fake,
        &["queries", "import", "--target", "prod", "--prefix", "ops/"],
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("1 definition(s) imported"), "{out}");
    let text = std::fs::read_to_string(h.join("queries/ops/slow-requests.toml")).unwrap();
    assert!(
        text.contains("version = \"1.0.0\"") && text.contains("log_groups = [\"/ecs/api\"]"),
        "{text}"
    );
    assert!(!h.join("queries/misc").exists());
    // The imported file is adopted: the next apply only adds logplan's marker.
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "prod"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("~ update     ops/slow-requests (? -> 1.0.0)"),
        "{out}"
    );
    let (code, _, err) = run(
        h,
        &fake,
        &["queries", "import", "--target", "prod", "--prefix", "ops/"],
    );
    assert_eq!(code, 2);
    assert!(err.contains("exists; pass --force"), "{err}");
}

#[test]
fn export_terraform_and_cloudformation_round_trip() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    // Text that needs escaping in both formats: quotes, backslashes, ${...} and %{...}.
    std::fs::write(h.join("logplan.toml"), "library_id = \"lp-test\"\n").unwrap();
    let tricky = "fields @message\n| filter @message like /\"user\":\\s*\"${name}\"/ and x = '%{y}'\n| limit 5";
    write_query(h, "esc/tricky", "2.0.0", tricky);
    write_query(h, "plain", "1.0.0", "fields @timestamp\n| limit 1");
    let out = logplan(h)
        .args(["queries", "export", "--format", "terraform"])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tf = String::from_utf8(out.stdout).unwrap();
    let body: hcl::Body = hcl::from_str(&tf).unwrap_or_else(|e| panic!("invalid HCL: {e}\n{tf}"));
    let blocks: Vec<&hcl::Block> = body
        .blocks()
        .filter(|b| b.identifier() == "resource")
        .collect();
    assert_eq!(blocks.len(), 2);
    let tricky_block = blocks
        .iter()
        .find(|b| b.labels()[1].as_str() == "esc_tricky")
        .unwrap();
    let q = tricky_block
        .body()
        .attributes()
        .find(|a| a.key() == "query_string")
        .unwrap();
    let text = match q.expr() {
        hcl::Expression::String(s) => s.clone(),
        hcl::Expression::TemplateExpr(t) => {
            let s = t.to_string();
            let ctx = hcl::eval::Context::new();
            let tmpl: hcl::Template = s.parse().unwrap_or_else(|e| panic!("{e}: {s}"));
            hcl::eval::Evaluate::evaluate(&tmpl, &ctx).unwrap_or_else(|e| panic!("{e}"))
        }
        other => panic!("unexpected {other:?}"),
    };
    assert!(text.starts_with(tricky), "round trip: {text:?}");
    assert!(text.contains("# logplan: lib=lp-test version=2.0.0 sha256="));
    assert!(text.ends_with(" name=esc/tricky"));

    let out = logplan(h)
        .args(["queries", "export", "--format", "cloudformation"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let cfn: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let res = cfn["Resources"].as_object().unwrap();
    assert_eq!(res.len(), 2);
    for (id, r) in res {
        assert!(
            id.chars().all(|c| c.is_ascii_alphanumeric()),
            "logical id {id}"
        );
        assert_eq!(r["Type"], "AWS::Logs::QueryDefinition");
    }
    let tricky_res = res
        .values()
        .find(|r| r["Properties"]["Name"] == "esc/tricky")
        .unwrap();
    assert!(
        tricky_res["Properties"]["QueryString"]
            .as_str()
            .unwrap()
            .starts_with(tricky)
    );
}

#[test]
fn target_missing_from_config() {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join("logplan.toml"), "[targets.prod]\n").unwrap();
    write_query(home.path(), "a", "1.0.0", "fields @message");
    let out = logplan(home.path())
        .args(["queries", "plan", "--target", "staging"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no target \"staging\"") && err.contains("known: prod"),
        "{err}"
    );
}
