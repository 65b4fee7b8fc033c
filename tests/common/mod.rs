//! Shared test helpers: the `logplan` binary with a clean environment pointed at emulators, the
//! moto server started by `scripts/test`, and small readers for the snapshot tables.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;

use assert_cmd::Command;
use polars::prelude::*;

/// The moto server URL from `scripts/test`. Tests that need moto fail loudly without it.
pub fn moto_url() -> String {
    std::env::var("LOGPLAN_MOTO_URL").unwrap_or_else(|_| {
        panic!(
            "LOGPLAN_MOTO_URL is not set: moto tests need the moto server that `scripts/test` \
             starts; run the suite with scripts/test"
        )
    })
}

/// The `logplan` binary with nothing inherited from the caller's AWS setup: dummy credentials,
/// instance metadata off (no traffic leaves 127.0.0.1), HOME in a temp dir.
pub fn logplan(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("logplan").expect("logplan binary");
    cmd.env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .current_dir(home);
    cmd
}

/// Point the SDK at emulators: CloudWatch metrics at `metrics`, Logs and STS at `logs`.
pub fn endpoints(cmd: &mut Command, logs: &str, metrics: &str) {
    cmd.env("AWS_ENDPOINT_URL_CLOUDWATCH_LOGS", logs)
        .env("AWS_ENDPOINT_URL_STS", logs)
        .env("AWS_ENDPOINT_URL_CLOUDWATCH", metrics);
}

/// A plain HTTP/1.1 request to an emulator; returns (status, body).
pub fn http(
    base: &str,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &[u8],
) -> (u16, String) {
    let host = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = TcpStream::connect(host).expect("connect to emulator");
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (k, v) in headers {
        req += &format!("{k}: {v}\r\n");
    }
    req += "\r\n";
    s.write_all(req.as_bytes()).unwrap();
    s.write_all(body).unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|x| x.1.to_string())
        .unwrap_or_default();
    (status, body)
}

/// A CloudWatch Logs call (JSON 1.1) to the fake at `url`, as the console or CloudFormation
/// would make it; the answer must be 200. Returns the answer's JSON.
pub fn logs_call(url: &str, operation: &str, body: &serde_json::Value) -> serde_json::Value {
    let target = format!("Logs_20140328.{operation}");
    let (status, text) = http(
        url,
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target.as_str()),
            (
                "Authorization",
                "AWS4-HMAC-SHA256 Credential=x/20261124/us-east-1/logs/aws4_request, SignedHeaders=host, Signature=0",
            ),
        ],
        body.to_string().as_bytes(),
    );
    assert_eq!(status, 200, "{operation}: {text}");
    serde_json::from_str(&text).unwrap()
}

/// An AWS JSON 1.1 call to moto (no signature checks there).
pub fn moto_json(target: &str, region: &str, body: &serde_json::Value) -> (u16, String) {
    let auth = format!(
        "AWS4-HMAC-SHA256 Credential=testing/20261124/{region}/logs/aws4_request, SignedHeaders=host, Signature=0"
    );
    http(
        &moto_url(),
        "POST",
        "/",
        &[
            ("Content-Type", "application/x-amz-json-1.1"),
            ("X-Amz-Target", target),
            ("Authorization", &auth),
        ],
        body.to_string().as_bytes(),
    )
}

/// A path-style S3 request to moto (`PUT /bucket`, `PUT /bucket/key`), which must answer 200.
pub fn moto_s3(method: &str, path: &str, body: &[u8]) {
    let auth = "AWS4-HMAC-SHA256 Credential=testing/20261124/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0";
    let (status, text) = http(&moto_url(), method, path, &[("Authorization", auth)], body);
    assert_eq!(status, 200, "{method} {path}: {text}");
}

pub fn moto_reset() {
    let (status, body) = http(&moto_url(), "POST", "/moto-api/reset", &[], b"");
    assert_eq!(status, 200, "moto reset: {body}");
}

pub fn read_parquet(path: &Path) -> DataFrame {
    let f = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    ParquetReader::new(f).finish().unwrap()
}

/// `column` of the row whose `log_group` is `group`, as u64 (None when null).
pub fn u64_of(df: &DataFrame, group: &str, column: &str) -> Option<u64> {
    let names = df.column("log_group").unwrap().str().unwrap();
    let idx = (0..df.height())
        .find(|&i| names.get(i) == Some(group))
        .unwrap_or_else(|| panic!("no row for {group}"));
    df.column(column).unwrap().u64().unwrap().get(idx)
}

pub fn str_of(df: &DataFrame, group: &str, column: &str) -> Option<String> {
    let names = df.column("log_group").unwrap().str().unwrap();
    let idx = (0..df.height())
        .find(|&i| names.get(i) == Some(group))
        .unwrap_or_else(|| panic!("no row for {group}"));
    df.column(column)
        .unwrap()
        .str()
        .unwrap()
        .get(idx)
        .map(str::to_string)
}

/// Files (recursively) under `dir`, relative, sorted.
pub fn files_under(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    fn walk(base: &Path, d: &Path, out: &mut Vec<String>) {
        let Ok(rd) = std::fs::read_dir(d) else { return };
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(base, &p, out);
            } else {
                out.push(p.strip_prefix(base).unwrap().display().to_string());
            }
        }
    }
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// A CSV line split into its fields by the `csv` crate, the tool's one CSV codec (RFC 4180
/// quotes). An empty line is one empty field.
pub fn split_csv(line: &str) -> Vec<String> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(line.as_bytes())
        .records()
        .next()
        .map(|r| r.expect("a CSV line").iter().map(str::to_string).collect())
        .unwrap_or_else(|| vec![String::new()])
}

/// Run a command: (exit code, stdout, stderr).
pub fn outcome(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}
