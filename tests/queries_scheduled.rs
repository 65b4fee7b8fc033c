//! Scheduled queries as code and the preflight, end to end through the real SDK against the
//! fake: bad input refused before the first call (one line with file:line, exit 2), the
//! `[scheduled]` table deployed, updated, drift-checked and pruned with the guarantees of saved
//! definitions, neighbours' scheduled queries untouched, `import` adopting them as one unit, and
//! exports that deploy what `apply` would (cfn-lint on the template, HCL parsed).

mod common;

use std::path::Path;

use common::*;
use logplan_fake::{FakeAws, FakeOptions};

const R: &str = "us-east-1";
const ROLE: &str = "arn:aws:iam::123456789012:role/logplan-scheduled";
const WRITER: &str = "arn:aws:iam::123456789012:role/logplan-results";

fn put(home: &Path, rel: &str, text: &str) {
    let path = home.join("queries").join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn library(id: &str, prefix: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    std::fs::write(
        home.path().join("logplan.toml"),
        format!(
            "library_id = \"{id}\"\n[aws]\nmax_attempts = 2\ninitial_backoff_ms = 1\n[targets.t]\nregions = [\"{R}\"]\nprefix = \"{prefix}\"\n"
        ),
    )
    .unwrap();
    home
}

fn run(home: &Path, fake: &FakeAws, args: &[&str]) -> (i32, String, String) {
    outcome(logplan(home).env("AWS_ENDPOINT_URL", fake.url()).args(args))
}

/// A JSON 1.1 call to the fake's Logs endpoint, as the console or CloudFormation would make it.
fn console(fake: &FakeAws, operation: &str, body: serde_json::Value) -> serde_json::Value {
    logs_call(&fake.url(), operation, &body)
}

const WRITES: &[&str] = &[
    "PutQueryDefinition",
    "DeleteQueryDefinition",
    "CreateScheduledQuery",
    "UpdateScheduledQuery",
    "DeleteScheduledQuery",
];

fn writes(fake: &FakeAws) -> usize {
    fake.calls()
        .iter()
        .filter(|c| WRITES.contains(&c.operation.as_str()))
        .count()
}

fn scheduled_names(fake: &FakeAws) -> Vec<String> {
    fake.scheduled_queries(R)
        .into_iter()
        .map(|q| q.name)
        .collect()
}

fn line_of(text: &str, needle: &str) -> usize {
    text.lines()
        .position(|l| l.trim_start().starts_with(needle))
        .unwrap_or_else(|| panic!("{needle} not in {text}"))
        + 1
}

fn scheduled_file(table: &str) -> String {
    format!(
        "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = '''\nfilter level = \"ERROR\" | stats count(*) by service\n'''\n\n[scheduled]\n{table}"
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_refused_before_any_call() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let role = format!("execution_role = \"{ROLE}\"\n");
    // (file, text, code, what the line starts with). The name cases need the target's folder
    // (`team/`) to go over the limit.
    let long_query = format!(
        "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"fields {}\"\n",
        "x".repeat(9_983)
    );
    let cases: Vec<(String, String, &str, &str)> = vec![
        (
            // Both day fields given: AWS wants exactly one of them as `?`.
            "cron.toml".into(),
            scheduled_file(&format!(
                "cron = \"cron(0 6 * * * *)\"\nstart_offset = \"1h\"\n{role}"
            )),
            "LQF15",
            "cron =",
        ),
        (
            "minute.toml".into(),
            scheduled_file(&format!(
                "cron = \"cron(60 * * * ? *)\"\nstart_offset = \"1h\"\n{role}"
            )),
            "LQF15",
            "cron =",
        ),
        (
            // The window ends before it starts: endTimeOffset must be less than startTimeOffset.
            "window.toml".into(),
            scheduled_file(&format!(
                "cron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\nend_offset = \"2h\"\n{role}"
            )),
            "LQF15",
            "start_offset =",
        ),
        (
            // Longer than the API's Long of seconds can say.
            "forever.toml".into(),
            scheduled_file(&format!(
                "cron = \"cron(0 * * * ? *)\"\nstart_offset = \"100000000000000w\"\n{role}"
            )),
            "LQF15",
            "start_offset =",
        ),
        (
            "nowhere.toml".into(),
            scheduled_file(&format!(
                "cron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\n{role}destination = \"s3://results/errors\"\n"
            )),
            "LQF15",
            "destination =",
        ),
        (
            "norole.toml".into(),
            scheduled_file("cron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\n"),
            "LQF15",
            "[scheduled]",
        ),
        (
            // 4 + 1 + 148 + 1 + 148 = 302 characters under `team/`: over CreateScheduledQuery's
            // 300 (a scheduled query only, so the 255 of definitions does not apply).
            format!("{}/{}.toml", "a".repeat(148), "b".repeat(148)),
            scheduled_file(&format!(
                "cron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\n{role}"
            ))
            .replacen("version", "definition = false\nversion", 1),
            "LQF15",
            "[scheduled]",
        ),
        (
            // Scheduled queries take no parameters: `{{level}}` would run as text.
            "params.toml".into(),
            format!(
                "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"filter level = '{{{{level}}}}'\"\n\n[[parameters]]\nname = \"level\"\ndefault = \"ERROR\"\n\n[scheduled]\ncron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\n{role}"
            ),
            "LQF15",
            "[scheduled]",
        ),
        (
            // 257 characters under `team/`: over PutQueryDefinition's 255.
            format!("{}/{}.toml", "c".repeat(120), "d".repeat(131)),
            "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"fields @message\"\n".into(),
            "LQF13",
            "query =",
        ),
        (
            // 9,990 characters: within the file limit, over 10,000 with the marker line.
            "long.toml".into(),
            long_query,
            "LQF12",
            "query =",
        ),
        (
            "ppl-params.toml".into(),
            "version = \"1.0.0\"\nlanguage = \"ppl\"\nlog_groups = [\"/app\"]\nquery = \"where status >= 500 | head 5\"\n\n[[parameters]]\nname = \"status\"\n".into(),
            "LQF14",
            "name =",
        ),
    ];
    for (rel, text, code, at) in cases {
        let home = library("lp-bad", "team");
        let h = home.path();
        put(
            h,
            "ok.toml",
            &scheduled_file(&format!(
                "cron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\n{role}"
            )),
        );
        put(h, &rel, &text);
        let line = line_of(&text, at);
        let place = format!("{rel}:{line}: {code} ");
        fake.clear_calls();
        let (exit, out, err) = run(h, &fake, &["queries", "apply", "--target", "t", "--yes"]);
        assert_eq!(exit, 2, "{rel}: {out}{err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{rel}: one line: {err}");
        assert!(err.contains(&place), "{rel}: expected {place:?} in {err}");
        assert!(err.contains("nothing was deployed"), "{err}");
        assert!(fake.calls().is_empty(), "{rel}: no call at all");
        assert!(out.is_empty(), "{out}");
        // lint finds the same problem at the same place.
        let (exit, out, _) = run(h, &fake, &["queries", "lint"]);
        assert_eq!(exit, 1, "{rel}: {out}");
        assert!(out.contains(&place), "{rel}: lint: {out}");
    }
    assert!(fake.query_definitions(R).is_empty());
    assert!(fake.scheduled_queries(R).is_empty());
}

fn digest(version: &str, cron: &str) -> String {
    format!(
        "description = \"Errors by service, every morning\"\nversion = \"{version}\"\nlog_groups = [\"/app\"]\nquery = '''\nfilter level = \"ERROR\"\n| stats count(*) by service\n'''\n\n[scheduled]\ncron = \"{cron}\"\ntimezone = \"Europe/Berlin\"\nstart_offset = \"1d\"\nexecution_role = \"{ROLE}\"\ndestination = \"s3://results/digest\"\ndestination_role = \"{WRITER}\"\n"
    )
}

const HOURLY: &str = "description = \"5xx per hour\"\nversion = \"1.0.0\"\ndefinition = false\nlog_groups = [\"/api\"]\nquery = '''\nfilter status >= 500 | stats count(*)\n'''\n\n[scheduled]\ncron = \"cron(0 * * * ? *)\"\nstart_offset = \"1h\"\nstate = \"disabled\"\nexecution_role = \"arn:aws:iam::123456789012:role/logplan-scheduled\"\n";

fn seed_neighbours(fake: &FakeAws) {
    let base = |name: &str, description: &str| {
        serde_json::json!({
            "name": name, "description": description, "queryLanguage": "CWLI",
            "queryString": "fields @message | limit 5", "logGroupIdentifiers": ["/app"],
            "scheduleExpression": "cron(0 12 * * ? *)", "startTimeOffset": 3600,
            "executionRoleArn": ROLE,
        })
    };
    console(
        fake,
        "CreateScheduledQuery",
        base("team/hand-made", "made in the console"),
    );
    console(
        fake,
        "CreateScheduledQuery",
        base(
            "team/theirs",
            "another library's [logplan lib=lp-other version=1.0.0 sha256=0123456789abcdef]",
        ),
    );
    console(
        fake,
        "CreateScheduledQuery",
        base("other/x", "outside the folder"),
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_queries_deploy_update_drift_and_prune() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed_neighbours(&fake);
    let home = library("lp-s", "team");
    let h = home.path();
    put(h, "digest.toml", &digest("1.0.0", "cron(0 6 * * ? *)"));
    put(h, "hourly.toml", HOURLY);
    let (code, out, err) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 1, "{err}");
    assert!(out.contains("+ create     team/digest (1.0.0)"), "{out}");
    assert!(
        out.contains("+ create     scheduled team/digest (1.0.0)"),
        "{out}"
    );
    assert!(
        out.contains("+ create     scheduled team/hourly (1.0.0)"),
        "{out}"
    );
    assert!(
        !out.contains("team/hourly (1.0.0)\n+ create     team/hourly"),
        "{out}"
    );
    assert!(!out.contains("hand-made") && !out.contains("theirs") && !out.contains("other/x"));

    let (code, out, err) = run(
        h,
        &fake,
        &["queries", "apply", "--target", "t", "--yes", "--prune"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(
        scheduled_names(&fake),
        [
            "other/x",
            "team/digest",
            "team/hand-made",
            "team/hourly",
            "team/theirs"
        ]
    );
    let defs = fake.query_definitions(R);
    assert_eq!(defs.len(), 1, "hourly has no saved definition: {defs:?}");
    assert_eq!(defs[0].name, "team/digest");
    let all = fake.scheduled_queries(R);
    let d = all.iter().find(|q| q.name == "team/digest").unwrap();
    assert_eq!(d.schedule_expression, "cron(0 6 * * ? *)");
    assert_eq!(d.timezone.as_deref(), Some("Europe/Berlin"));
    assert_eq!(d.start_time_offset, Some(86_400));
    assert_eq!(d.execution_role_arn, ROLE);
    assert_eq!(
        d.s3_destination,
        Some(("s3://results/digest".to_string(), WRITER.to_string()))
    );
    assert!(
        d.description.as_deref().unwrap().starts_with(
            "Errors by service, every morning [logplan lib=lp-s version=1.0.0 sha256="
        ),
        "{:?}",
        d.description
    );
    let hourly = all.iter().find(|q| q.name == "team/hourly").unwrap();
    assert_eq!(hourly.state, "DISABLED");
    assert_eq!(hourly.query_string, "filter status >= 500 | stats count(*)");

    // Again: nothing to do, no write.
    fake.clear_calls();
    let (code, out, _) = run(
        h,
        &fake,
        &["queries", "apply", "--target", "t", "--yes", "--prune"],
    );
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("Nothing to apply."), "{out}");
    assert_eq!(writes(&fake), 0);

    // A new schedule with a new version: an update in place.
    put(
        h,
        "digest.toml",
        &digest("1.1.0", "cron(30 6 ? * MON-FRI *)"),
    );
    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "t", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("~ update     scheduled team/digest (1.0.0 -> 1.1.0)"),
        "{out}"
    );
    let d = fake
        .scheduled_queries(R)
        .into_iter()
        .find(|q| q.name == "team/digest")
        .unwrap();
    assert_eq!(d.schedule_expression, "cron(30 6 ? * MON-FRI *)");

    // Someone enables the hourly one in the console: drift, refused without --force.
    let mut body = serde_json::json!({
        "identifier": "team/hourly", "queryLanguage": "CWLI",
        "queryString": hourly.query_string, "logGroupIdentifiers": ["/api"],
        "scheduleExpression": "cron(0 * * * ? *)", "startTimeOffset": 3600,
        "executionRoleArn": ROLE, "state": "ENABLED",
    });
    body["description"] = serde_json::json!(hourly.description);
    console(&fake, "UpdateScheduledQuery", body);
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("! drift      scheduled team/hourly: edited in the console"),
        "{out}"
    );
    fake.clear_calls();
    let (code, _, err) = run(h, &fake, &["queries", "apply", "--target", "t", "--yes"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(writes(&fake), 0);
    let (code, out, err) = run(
        h,
        &fake,
        &["queries", "apply", "--target", "t", "--yes", "--force"],
    );
    assert_eq!(code, 0, "{out}{err}");
    let state = |fake: &FakeAws, name: &str| {
        fake.scheduled_queries(R)
            .into_iter()
            .find(|q| q.name == name)
            .map(|q| q.state)
    };
    assert_eq!(state(&fake, "team/hourly").as_deref(), Some("DISABLED"));

    // The file goes: pruned; the neighbours stay.
    std::fs::remove_file(h.join("queries/hourly.toml")).unwrap();
    let (code, out, err) = run(
        h,
        &fake,
        &["queries", "apply", "--target", "t", "--yes", "--prune"],
    );
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("- delete     scheduled team/hourly (1.0.0)"),
        "{out}"
    );
    assert_eq!(
        scheduled_names(&fake),
        ["other/x", "team/digest", "team/hand-made", "team/theirs"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_adopts_scheduled_queries() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    seed_neighbours(&fake);
    let home = library("lp-s", "team");
    let h = home.path();
    put(h, "digest.toml", &digest("1.2.0", "cron(0 6 * * ? *)"));
    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "t", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    // The library is lost; import brings back what is in the folder.
    std::fs::remove_dir_all(h.join("queries")).unwrap();
    let (code, out, err) = run(h, &fake, &["queries", "import", "--target", "t"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("3 definition(s) imported"), "{out}");
    let digest_file = std::fs::read_to_string(h.join("queries/digest.toml")).unwrap();
    for line in [
        "version = \"1.2.0\"",
        "[scheduled]",
        "cron = \"cron(0 6 * * ? *)\"",
        "timezone = \"Europe/Berlin\"",
        "start_offset = \"1d\"",
        "destination = \"s3://results/digest\"",
        "description = \"Errors by service, every morning\"",
    ] {
        assert!(digest_file.contains(line), "{line}: {digest_file}");
    }
    let hand = std::fs::read_to_string(h.join("queries/hand-made.toml")).unwrap();
    assert!(hand.contains("definition = false"), "{hand}");
    assert!(hand.contains("start_offset = \"1h\""), "{hand}");
    assert!(!h.join("queries/x.toml").exists() && !h.join("queries/other").exists());
    // Another library's scheduled query is shown as theirs; without it, the digest is unchanged
    // and the console-made one is adopted (the marker added, nothing else changed).
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("? unmanaged  scheduled team/theirs: belongs to library lp-other"),
        "{out}"
    );
    std::fs::remove_file(h.join("queries/theirs.toml")).unwrap();
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 1);
    assert!(out.contains("= unchanged  team/digest (1.2.0)"), "{out}");
    assert!(
        out.contains("= unchanged  scheduled team/digest (1.2.0)"),
        "{out}"
    );
    assert!(
        out.contains("~ update     scheduled team/hand-made (? -> 1.0.0)"),
        "{out}"
    );
    let (code, out, err) = run(h, &fake, &["queries", "apply", "--target", "t", "--yes"]);
    assert_eq!(code, 0, "{out}{err}");
    let hand = fake
        .scheduled_queries(R)
        .into_iter()
        .find(|q| q.name == "team/hand-made")
        .unwrap();
    assert!(
        hand.description
            .unwrap()
            .starts_with("made in the console [logplan lib=lp-s version=1.0.0")
    );
    assert_eq!(hand.schedule_expression, "cron(0 12 * * ? *)");
    let (code, out, _) = run(h, &fake, &["queries", "plan", "--target", "t"]);
    assert_eq!(code, 0, "{out}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn import_writes_all_its_files_or_none() {
    let fake = FakeAws::start(FakeOptions::default()).await;
    for name in ["team/a", "team/b"] {
        console(
            &fake,
            "PutQueryDefinition",
            serde_json::json!({"name": name, "queryString": "fields @message"}),
        );
    }
    let home = library("lp-i", "team");
    let h = home.path();
    put(
        h,
        "keep.toml",
        "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"fields k\"\n",
    );
    // `b.toml` cannot be written (a folder has that name): `a.toml`, written first, must not
    // appear either.
    std::fs::create_dir_all(h.join("queries/b.toml")).unwrap();
    let (code, out, err) = run(h, &fake, &["queries", "import", "--target", "t", "--force"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(!h.join("queries/a.toml").exists(), "half an import");
    assert!(h.join("queries/keep.toml").is_file());
    assert!(h.join("queries/b.toml").is_dir());
    let left: Vec<_> = std::fs::read_dir(h)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("import"))
        .collect();
    assert!(left.is_empty(), "staging left behind: {left:?}");
    // Once the obstacle is gone, both arrive together, and the old files stay.
    std::fs::remove_dir(h.join("queries/b.toml")).unwrap();
    let (code, out, err) = run(h, &fake, &["queries", "import", "--target", "t"]);
    assert_eq!(code, 0, "{out}{err}");
    for f in ["a.toml", "b.toml", "keep.toml"] {
        assert!(h.join("queries").join(f).is_file(), "{f}");
    }
}

fn cfn_lint() -> String {
    std::env::var("LOGPLAN_CFN_LINT").unwrap_or_else(|_| {
        panic!(
            "LOGPLAN_CFN_LINT is not set: the export test runs cfn-lint from the virtual \
             environment `scripts/test` makes; run the suite with scripts/test"
        )
    })
}

/// A library with every kind of thing an export carries.
fn export_library() -> tempfile::TempDir {
    let home = library("lp-x", "platform");
    let h = home.path();
    put(
        h,
        "waf/top-ips.toml",
        "description = \"Top client IPs\"\nversion = \"1.0.0\"\nlog_groups = [\"aws-waf-logs-prod\"]\nquery = '''\nfilter action = \"{{action}}\"\n| stats count(*) as hits by httpRequest.clientIp\n| sort hits desc\n| limit {{top}}\n'''\n\n[[parameters]]\nname = \"action\"\ndefault = \"BLOCK\"\ndescription = \"ALLOW or BLOCK\"\n\n[[parameters]]\nname = \"top\"\ndefault = \"20\"\n",
    );
    put(
        h,
        "vpc/rejects.toml",
        "version = \"2.0.0\"\nlanguage = \"ppl\"\nlog_groups = [\"/vpc/flow\"]\nquery = '''\nwhere action = 'REJECT' | stats count() by srcAddr | head 20\n'''\n",
    );
    put(
        h,
        "lambda/slowest.toml",
        "version = \"1.0.0\"\nlanguage = \"sql\"\nquery = '''\nSELECT `@requestId`, `@duration` FROM `/aws/lambda/api` ORDER BY `@duration` DESC LIMIT 10\n'''\n",
    );
    put(h, "digest.toml", &digest("1.0.0", "cron(0 6 * * ? *)"));
    home
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn exports_deploy_what_apply_would() {
    let home = export_library();
    let h = home.path();
    let (code, _, err) = outcome(logplan(h).args(["queries", "lint"]));
    assert_eq!(code, 0, "{err}");
    let (code, cfn, err) = outcome(logplan(h).args([
        "queries",
        "export",
        "--format",
        "cloudformation",
        "--target",
        "t",
    ]));
    assert_eq!(code, 0, "{err}");
    std::fs::write(h.join("template.json"), &cfn).unwrap();
    let lint = std::process::Command::new(cfn_lint())
        .arg(h.join("template.json"))
        .output()
        .expect("run cfn-lint");
    assert!(
        lint.status.success(),
        "cfn-lint: {}{}\n{cfn}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );
    let template: serde_json::Value = serde_json::from_str(&cfn).unwrap();
    let resources = template["Resources"].as_object().unwrap();
    let types: Vec<&str> = resources
        .values()
        .map(|r| r["Type"].as_str().unwrap())
        .collect();
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "AWS::Logs::QueryDefinition")
            .count(),
        4
    );
    assert_eq!(
        types
            .iter()
            .filter(|t| **t == "AWS::Logs::ScheduledQuery")
            .count(),
        1
    );

    // Deploy the template the way CloudFormation would (one API call per resource); logplan's
    // plan then finds everything unchanged: the export round-trips.
    let fake = FakeAws::start(FakeOptions::default()).await;
    for r in resources.values() {
        let p = &r["Properties"];
        if r["Type"] == "AWS::Logs::QueryDefinition" {
            let mut body = serde_json::json!({
                "name": p["Name"], "queryString": p["QueryString"],
                "queryLanguage": p["QueryLanguage"],
            });
            if let Some(g) = p.get("LogGroupNames") {
                body["logGroupNames"] = g.clone();
            }
            if let Some(params) = p.get("Parameters").and_then(|v| v.as_array()) {
                body["parameters"] = params
                    .iter()
                    .map(|q| {
                        let mut o = serde_json::json!({"name": q["Name"]});
                        if let Some(v) = q.get("DefaultValue") {
                            o["defaultValue"] = v.clone();
                        }
                        if let Some(v) = q.get("Description") {
                            o["description"] = v.clone();
                        }
                        o
                    })
                    .collect();
            }
            console(&fake, "PutQueryDefinition", body);
        } else {
            let s3 = &p["DestinationConfiguration"]["S3Configuration"];
            console(
                &fake,
                "CreateScheduledQuery",
                serde_json::json!({
                    "name": p["Name"], "description": p["Description"],
                    "queryLanguage": p["QueryLanguage"], "queryString": p["QueryString"],
                    "logGroupIdentifiers": p["LogGroupIdentifiers"],
                    "scheduleExpression": p["ScheduleExpression"], "timezone": p["Timezone"],
                    "startTimeOffset": p["StartTimeOffset"], "state": p["State"],
                    "executionRoleArn": p["ExecutionRoleArn"],
                    "destinationConfiguration": {"s3Configuration": {
                        "destinationIdentifier": s3["DestinationIdentifier"],
                        "roleArn": s3["RoleArn"]}},
                }),
            );
        }
    }
    let (code, out, err) = outcome(
        logplan(h)
            .env("AWS_ENDPOINT_URL", fake.url())
            .args(["queries", "plan", "--target", "t"]),
    );
    // The PPL definition carries no marker: the first plan adopts it into the state (no call to
    // change it), every other one is unchanged.
    assert!(
        out.contains("Plan: 0 to create, 1 to update, 0 to delete, 4 unchanged, 0 drifted"),
        "{out}{err}"
    );
    assert!(
        out.contains("~ adopt      platform/vpc/rejects (2.0.0)"),
        "{out}"
    );
    assert_eq!(code, 1);

    // Terraform: the same resources and attribute values, through an HCL parser.
    let (code, tf, err) = outcome(logplan(h).args([
        "queries",
        "export",
        "--format",
        "terraform",
        "--target",
        "t",
    ]));
    assert_eq!(code, 0, "{err}");
    let body: hcl::Body = hcl::from_str(&tf).unwrap_or_else(|e| panic!("invalid HCL: {e}\n{tf}"));
    let value: serde_json::Value = hcl::from_body(body).unwrap();
    assert_eq!(
        value["terraform"]["required_providers"]["awscc"]["version"],
        ">= 1.93.0"
    );
    let defs = value["resource"]["awscc_logs_query_definition"]
        .as_object()
        .unwrap();
    assert_eq!(defs.len(), 4);
    for r in resources
        .values()
        .filter(|r| r["Type"] == "AWS::Logs::QueryDefinition")
    {
        let p = &r["Properties"];
        let tf = defs
            .values()
            .find(|d| d["name"] == p["Name"])
            .unwrap_or_else(|| panic!("{} not in the Terraform", p["Name"]));
        assert_eq!(tf["query_string"], p["QueryString"]);
        assert_eq!(tf["query_language"], p["QueryLanguage"]);
        assert_eq!(
            tf.get("log_group_names"),
            p.get("LogGroupNames"),
            "{}",
            p["Name"]
        );
        if let Some(params) = p.get("Parameters") {
            let tf_params: Vec<serde_json::Value> = tf["parameters"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| {
                    let mut o = serde_json::json!({"Name": q["name"]});
                    if let Some(v) = q.get("default_value") {
                        o["DefaultValue"] = v.clone();
                    }
                    if let Some(v) = q.get("description") {
                        o["Description"] = v.clone();
                    }
                    o
                })
                .collect();
            assert_eq!(&serde_json::Value::Array(tf_params), params);
        }
    }
    let sched = value["resource"]["awscc_logs_scheduled_query"]
        .as_object()
        .unwrap();
    assert_eq!(sched.len(), 1);
    let s = sched.values().next().unwrap();
    let p = &resources
        .values()
        .find(|r| r["Type"] == "AWS::Logs::ScheduledQuery")
        .unwrap()["Properties"];
    for (tf_key, cfn_key) in [
        ("name", "Name"),
        ("description", "Description"),
        ("query_string", "QueryString"),
        ("schedule_expression", "ScheduleExpression"),
        ("timezone", "Timezone"),
        ("start_time_offset", "StartTimeOffset"),
        ("execution_role_arn", "ExecutionRoleArn"),
        ("log_group_identifiers", "LogGroupIdentifiers"),
    ] {
        assert_eq!(s[tf_key], p[cfn_key], "{tf_key}");
    }
    assert_eq!(
        s["destination_configuration"]["s3_configuration"]["role_arn"],
        WRITER
    );
}

#[test]
fn scheduled_scan_cost_by_hand() {
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let gib = 1u64 << 30;
    // 31 GiB in October and in March: 1 GiB a day, spread evenly.
    std::fs::write(
        h.join("snap.csv"),
        format!(
            "account_id,region,log_group,incoming_bytes,incoming_events\n1,us-east-1,/app,{},1000\n",
            31 * gib
        ),
    )
    .unwrap();
    // Every day at 02:30 Berlin time over the last day. In March the clocks skip 02:00-03:00 on
    // the 29th: 30 runs. In October they repeat 02:00-03:00 on the 25th, and a wall-clock time
    // runs once (EventBridge Scheduler's documented rule): 31 runs of 1 GiB.
    put(
        h,
        "nightly.toml",
        &format!(
            "version = \"1.0.0\"\nlog_groups = [\"/app\"]\nquery = \"fields @message\"\n\n[scheduled]\ncron = \"cron(30 2 * * ? *)\"\ntimezone = \"Europe/Berlin\"\nstart_offset = \"1d\"\nexecution_role = \"{ROLE}\"\n"
        ),
    );
    for (month, runs, usd) in [("2026-10", 31, "0.155000"), ("2026-03", 30, "0.150000")] {
        let (code, out, err) = outcome(logplan(h).args([
            "queries",
            "cost",
            "--snapshot",
            "snap.csv",
            "--month",
            month,
            "--json",
        ]));
        assert_eq!(code, 0, "{err}");
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let q = v["queries"]
            .as_array()
            .unwrap()
            .iter()
            .find(|q| q["kind"].as_str().unwrap().starts_with("scheduled"))
            .unwrap_or_else(|| panic!("{out}"))
            .clone();
        assert_eq!(q["name"], "nightly");
        let counted: f64 = q["runs_per_month"]
            .to_string()
            .trim_matches('"')
            .parse()
            .unwrap();
        assert_eq!(counted, f64::from(runs), "{month}: {q}");
        assert_eq!(q["usd_per_month"], usd, "{month}: {q}");
    }
}
