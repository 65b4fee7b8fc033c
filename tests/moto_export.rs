//! Billing exports where they live, against moto (started by `scripts/test`): the CUR 2.0
//! fixture in moto's S3 (ListObjectsV2, one GetObject per file of the month), the Athena client
//! against moto's Athena with results injected through `/moto-api/static/athena/query-results`
//! (the rows DuckDB computes with the very query text, on the same fixture), paged by the
//! project's Athena layer (moto answers every row at once), and log group tags from moto's
//! Resource Groups Tagging API across pages. These tests share the moto server and run one at a
//! time (.config/nextest.toml), each from a reset.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use logplan::period::Period;
use logplan::reconcile::export::sql::{self, Partition};
use logplan_fake::athena::AthenaPager;
use serde_json::{Value, json};

const GIB: u64 = 1 << 30;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/billing")
}

/// The CUR 2.0 fixture (September's and October's files) in bucket `bill`, prefix `exports/`.
fn upload_cur2() {
    moto_s3("PUT", "/bill", b"");
    let root = fixtures().join("cur2");
    let mut files = Vec::new();
    fn walk(d: &Path, out: &mut Vec<PathBuf>) {
        for e in std::fs::read_dir(d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out)
            } else {
                out.push(p)
            }
        }
    }
    walk(&root, &mut files);
    for f in files {
        let key = f.strip_prefix(&root).unwrap().display().to_string();
        moto_s3(
            "PUT",
            &format!("/bill/exports/{key}"),
            &std::fs::read(&f).unwrap(),
        );
    }
}

fn run(home: &Path, env: &[(&str, String)], args: &[&str]) -> (i32, String, String) {
    let mut cmd = logplan(home);
    for (k, v) in env {
        cmd.env(k, v);
    }
    outcome(cmd.args(args))
}

fn local_actuals(home: &Path) -> Value {
    let from = format!("cur2:{}", fixtures().join("cur2/logplan-cur2").display());
    let (code, out, err) = run(
        home,
        &[],
        &[
            "actuals",
            "--month",
            "2026-10",
            "--from",
            &from,
            "--json",
            "--refresh",
        ],
    );
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn cur2_in_s3_is_listed_and_fetched_one_object_at_a_time() {
    moto_reset();
    upload_cur2();
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (code, out, err) = run(
        h,
        &[("AWS_ENDPOINT_URL_S3", moto_url())],
        &[
            "actuals",
            "--month",
            "2026-10",
            "--from",
            "cur2:s3://bill/exports/logplan-cur2",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let s3j: Value = serde_json::from_str(&out).unwrap();
    // One LIST page and October's two objects (September's is listed, never fetched):
    // 1 x $0.005/1000 + 2 x $0.0004/1000 = $0.0000058 -> 6 micro-dollars.
    assert_eq!(s3j["source_cost_usd"], "0.000006");
    assert!(
        err.contains("CUR 2.0: 1 S3 LIST and 2 GET requests"),
        "{err}"
    );
    let cache: Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/actuals-export.json")).unwrap(),
    )
    .unwrap();
    let names: Vec<&str> = cache["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        vec![
            "s3://bill/exports/logplan-cur2/data/BILLING_PERIOD=2026-10/logplan-cur2-00001.snappy.parquet",
            "s3://bill/exports/logplan-cur2/data/BILLING_PERIOD=2026-10/logplan-cur2-00002.snappy.parquet"
        ]
    );
    // The same month as the local files.
    let local = local_actuals(h);
    assert_eq!(s3j["components"], local["components"]);
    assert_eq!(s3j["total_billed_usd"], local["total_billed_usd"]);
    // A prefix with no export of the month is one line, exit 2.
    let (code, _, err) = run(
        h,
        &[("AWS_ENDPOINT_URL_S3", moto_url())],
        &[
            "actuals",
            "--month",
            "2026-08",
            "--from",
            "cur2:s3://bill/exports/logplan-cur2",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(
        err.trim(),
        "logplan: s3://bill/exports/logplan-cur2: no CUR 2.0 export file for 2026-08 (found billing periods 2026-09, 2026-10)"
    );
}

/// Rows of `query` run by DuckDB on the October fixture, as Athena's GetQueryResults rows
/// (a header row first) and column info.
fn duckdb_rows(query: &str) -> (Vec<Value>, Vec<Value>) {
    let python = std::env::var("LOGPLAN_PYTHON")
        .expect("LOGPLAN_PYTHON: the test venv's python from scripts/test");
    let files = fixtures().join("cur2/logplan-cur2/data/*/*.parquet");
    let script = r#"
import duckdb, json, sys
c = duckdb.connect()
c.execute("CREATE SCHEMA cur")
c.execute(f"CREATE VIEW cur.cur2 AS SELECT * FROM read_parquet('{sys.argv[1]}')")
cur = c.execute(sys.argv[2])
names = [d[0] for d in cur.description]
print(json.dumps({"names": names, "rows": [[None if v is None else str(v) for v in r] for r in cur.fetchall()]}))
"#;
    let out = std::process::Command::new(python)
        .args(["-c", script, &files.display().to_string(), query])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let names: Vec<String> = v["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    let datum = |s: Option<&str>| match s {
        Some(s) => json!({ "VarCharValue": s }),
        None => json!({}),
    };
    let mut rows =
        vec![json!({ "Data": names.iter().map(|n| datum(Some(n))).collect::<Vec<_>>() })];
    for r in v["rows"].as_array().unwrap() {
        rows.push(json!({
            "Data": r.as_array().unwrap().iter().map(|c| datum(c.as_str())).collect::<Vec<_>>()
        }));
    }
    let info = names
        .iter()
        .map(|n| json!({"CatalogName": "hive", "SchemaName": "", "TableName": "", "Name": n, "Label": n, "Type": "varchar", "Precision": 0, "Scale": 0, "Nullable": "UNKNOWN", "CaseSensitive": true}))
        .collect();
    (rows, info)
}

fn inject_athena(results: Vec<(Vec<Value>, Vec<Value>)>) {
    let body = json!({
        "results": results
            .into_iter()
            .map(|(rows, info)| json!({"rows": rows, "column_info": info}))
            .collect::<Vec<_>>()
    });
    let (status, text) = http(
        &moto_url(),
        "POST",
        "/moto-api/static/athena/query-results",
        &[("Content-Type", "application/json")],
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 201, "{text}");
}

struct Pager {
    pager: AthenaPager,
    _rt: tokio::runtime::Runtime,
}

fn pager() -> Pager {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let pager = rt.block_on(AthenaPager::start(&moto_url()));
    Pager { pager, _rt: rt }
}

#[test]
fn athena_returns_the_local_rows_page_by_page_and_says_what_it_scanned() {
    moto_reset();
    let p = Period::month(2026, 10).unwrap();
    let keys = vec!["team".to_string()];
    let q = sql::reconciliation_query("cur.cur2", &p, &Partition::default());
    let t = sql::tags_query("cur.cur2", &p, &Partition::default(), &keys);
    inject_athena(vec![duckdb_rows(&q), duckdb_rows(&t)]);
    let pg = pager();
    pg.pager.set_page_rows(4);
    pg.pager.set_bytes_scanned(123_456_789);
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(
        h.join("logplan.toml"),
        "[report]\ngroup_by_tags = [\"team\"]\n",
    )
    .unwrap();
    let (code, out, err) = run(
        h,
        &[("AWS_ENDPOINT_URL_ATHENA", pg.pager.url())],
        &[
            "actuals",
            "--month",
            "2026-10",
            "--from",
            "athena:cur.cur2",
            "--json",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let athena: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(athena["source"], "athena");
    let cache: Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/actuals-export.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        cache["resource_tags"]["arn:aws:logs:us-east-1:111111111111:log-group:/app/api"]["team"],
        "platform"
    );
    std::fs::write(h.join("logplan.toml"), "").unwrap();
    let local = local_actuals(h);
    assert_eq!(athena["components"], local["components"]);
    assert_eq!(athena["unmapped"], local["unmapped"]);
    assert_eq!(athena["excluded"], local["excluded"]);
    // 123,456,789 bytes = 117.7 MB, billed as 118 MB: 118 x $5 / 1,048,576 MB = $0.000563;
    // the tag query scanned as much again: $0.001126 in all.
    assert_eq!(athena["source_cost_usd"], "0.001126");
    // Four rows a page: the reconciliation query's rows (and header) took several pages.
    let ops = pg.pager.operations();
    let pages = ops.iter().filter(|o| *o == "GetQueryResults").count();
    let rows = duckdb_rows(&q).0.len() + duckdb_rows(&t).0.len();
    assert_eq!(pages, rows.div_ceil(4).max(2), "{ops:?}");
    assert_eq!(
        ops.iter().filter(|o| *o == "StartQueryExecution").count(),
        2
    );
}

#[test]
fn a_failed_athena_query_is_one_line_naming_its_id() {
    moto_reset();
    let pg = pager();
    pg.pager.fail_queries(
        "COLUMN_NOT_FOUND: line 2:3: Column 'bill_payer_account_id' cannot be resolved",
    );
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    let (code, out, err) = run(
        h,
        &[("AWS_ENDPOINT_URL_ATHENA", pg.pager.url())],
        &["actuals", "--month", "2026-10", "--from", "athena:cur.cur2"],
    );
    assert_eq!(code, 2);
    assert!(out.is_empty());
    let line = err.trim();
    assert_eq!(line.lines().count(), 1, "{err}");
    assert!(
        line.starts_with("logplan: athena:GetQueryExecution failed: QueryFailed: Athena query "),
        "{line}"
    );
    assert!(
        line.contains(
            " FAILED: COLUMN_NOT_FOUND: line 2:3: Column 'bill_payer_account_id' cannot be resolved"
        ),
        "{line}"
    );
    assert!(files_under(h).is_empty(), "nothing written");
}

#[test]
fn showback_reads_tags_from_the_tagging_api_across_pages() {
    moto_reset();
    // 200 log groups, 134 tagged (more than a GetResources page of 100): every third tagged
    // team=red, every third team=blue, the rest untagged.
    let mut csv = String::from(
        "account_id,region,log_group,incoming_bytes,incoming_events,insights_scanned_bytes\n",
    );
    for i in 0..200 {
        let name = format!("/app/g{i:03}");
        let mut body = json!({ "logGroupName": name });
        match i % 3 {
            0 => body["tags"] = json!({ "team": "red" }),
            1 => body["tags"] = json!({ "team": "blue" }),
            _ => {}
        }
        let (status, text) = moto_json("Logs_20140328.CreateLogGroup", "us-east-1", &body);
        assert_eq!(status, 200, "{text}");
        csv += &format!("123456789012,us-east-1,{name},{},1000,0\n", GIB);
    }
    // An empty Cost Explorer answer: the run talks to AWS, so tags come from the Tagging API.
    let home = tempfile::tempdir().unwrap();
    let h = home.path();
    std::fs::write(h.join("mine.csv"), csv).unwrap();
    std::fs::write(
        h.join("logplan.toml"),
        "[report]\ngroup_by_tags = [\"team\"]\n",
    )
    .unwrap();
    let (code, _, err) = run(
        h,
        &[("AWS_ENDPOINT_URL", moto_url())],
        &[
            "report",
            "--snapshot",
            "mine.csv",
            "--month",
            "2026-10",
            "--actuals",
        ],
    );
    assert_eq!(code, 0, "{err}");
    let j: Value = serde_json::from_str(
        &std::fs::read_to_string(h.join("reports/2026-10/report.json")).unwrap(),
    )
    .unwrap();
    let s = &j["showback"];
    assert_eq!(s["tag_source"], "tagging_api");
    // i % 3 == 0 for 67 of 0..200, == 1 for 67, == 2 for 66.
    assert_eq!(s["tagged_groups"], 134);
    let rows = s["tables"][0]["rows"].as_array().unwrap();
    let count = |v: &str| rows.iter().find(|r| r["value"] == v).unwrap()["log_groups"].clone();
    assert_eq!(count("red"), 67);
    assert_eq!(count("blue"), 67);
    assert_eq!(count("(untagged)"), 66);
    // Each group: 1 GiB ingested at $0.50, and storage of a month's gzip (1/5 GiB) kept 12
    // months (never expires): 2.4 GB-months x $0.03 = $0.072. Red: 67 x $0.572 = $38.324.
    let red = rows.iter().find(|r| r["value"] == "red").unwrap();
    assert_eq!(red["today_usd"], "38.324000");
    assert_eq!(s["tables"][0]["total"]["today_usd"], j["today_total_usd"]);
}
