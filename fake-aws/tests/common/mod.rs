//! Shared helpers: a raw HTTP/1.1 client over `TcpStream`, and request
//! builders that encode like the AWS SDK for Rust (CBOR structures as
//! indefinite-length maps, lists as definite arrays, timestamps as tag 1 +
//! float).
#![allow(dead_code)]

use ciborium::Value;
use logplan_fake::FakeAws;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

pub struct Resp {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Resp {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Sends one request on a fresh connection. `Err` when the server closed the
/// connection without answering.
pub async fn send(
    fake: &FakeAws,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Resp> {
    send_method(fake, "POST", path, headers, body).await
}

/// Like [`send`], with any method.
pub async fn send_method(
    fake: &FakeAws,
    method: &str,
    path: &str,
    headers: &[(&str, String)],
    body: &[u8],
) -> std::io::Result<Resp> {
    let mut s = TcpStream::connect(fake.addr()).await?;
    let mut req = format!(
        "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
        fake.addr(),
        body.len()
    );
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    req.push_str("\r\n");
    s.write_all(req.as_bytes()).await?;
    s.write_all(body).await?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).await?;
    if raw.is_empty() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::UnexpectedEof,
            "no response",
        ));
    }
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .expect("response has a header block");
    let head = String::from_utf8(raw[..split].to_vec()).expect("ASCII headers");
    let body = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status_line = lines.next().unwrap();
    let status: u16 = status_line.split(' ').nth(1).unwrap().parse().unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    Ok(Resp {
        status,
        headers,
        body,
    })
}

pub fn auth(region: &str, service: &str) -> String {
    auth_as("AKIDFAKE", region, service)
}

/// A SigV4 `authorization` header for access key `akid`.
pub fn auth_as(akid: &str, region: &str, service: &str) -> String {
    format!(
        "AWS4-HMAC-SHA256 Credential={akid}/20261124/{region}/{service}/aws4_request, \
         SignedHeaders=host;x-amz-date, Signature=0000"
    )
}

/// The text of the first `<tag>…</tag>` in an XML body.
pub fn xml_tag(body: &str, tag: &str) -> Option<String> {
    let open = format!("<{tag}>");
    let start = body.find(&open)? + open.len();
    let end = start + body[start..].find(&format!("</{tag}>"))?;
    Some(
        body[start..end]
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&quot;", "\"")
            .replace("&apos;", "'")
            .replace("&amp;", "&"),
    )
}

// ------------------------------------------------------------------ CBOR

/// Encodes like smithy-rs: maps indefinite-length, arrays definite.
pub fn sdk_cbor(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    write_sdk(v, &mut out);
    out
}

fn write_sdk(v: &Value, out: &mut Vec<u8>) {
    match v {
        Value::Map(entries) => {
            out.push(0xbf);
            for (k, val) in entries {
                write_sdk(k, out);
                write_sdk(val, out);
            }
            out.push(0xff);
        }
        Value::Array(items) => {
            let n = items.len();
            // Definite-length array header (major type 4).
            if n < 24 {
                out.push(0x80 | n as u8);
            } else if n < 256 {
                out.extend_from_slice(&[0x98, n as u8]);
            } else {
                out.push(0x99);
                out.extend_from_slice(&(n as u16).to_be_bytes());
            }
            for i in items {
                write_sdk(i, out);
            }
        }
        other => ciborium::into_writer(other, &mut *out).unwrap(),
    }
}

pub fn t(s: &str) -> Value {
    Value::Text(s.to_string())
}

pub fn ts(secs: i64) -> Value {
    Value::Tag(1, Box::new(Value::Float(secs as f64)))
}

pub fn map(entries: Vec<(&str, Value)>) -> Value {
    Value::Map(entries.into_iter().map(|(k, v)| (t(k), v)).collect())
}

pub fn metric_query(
    id: &str,
    ns: &str,
    name: &str,
    dims: &[(&str, &str)],
    period: i64,
    stat: &str,
) -> Value {
    let dims = Value::Array(
        dims.iter()
            .map(|(n, v)| map(vec![("Name", t(n)), ("Value", t(v))]))
            .collect(),
    );
    map(vec![
        ("Id", t(id)),
        (
            "MetricStat",
            map(vec![
                (
                    "Metric",
                    map(vec![
                        ("Namespace", t(ns)),
                        ("MetricName", t(name)),
                        ("Dimensions", dims),
                    ]),
                ),
                ("Period", Value::Integer(period.into())),
                ("Stat", t(stat)),
            ]),
        ),
    ])
}

pub fn gmd_request(queries: Vec<Value>, start: i64, end: i64, extra: Vec<(&str, Value)>) -> Value {
    let mut e = vec![
        ("MetricDataQueries", Value::Array(queries)),
        ("StartTime", ts(start)),
        ("EndTime", ts(end)),
    ];
    e.extend(extra);
    map(e)
}

pub fn cbor_get<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    match v {
        Value::Map(m) => m.iter().find(|(k, _)| *k == t(key)).map(|(_, v)| v),
        _ => None,
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct MdResult {
    pub id: String,
    pub label: String,
    pub timestamps: Vec<f64>,
    pub values: Vec<f64>,
    pub status: String,
}

#[derive(Debug)]
pub struct GmdPage {
    pub results: Vec<MdResult>,
    pub next_token: Option<String>,
}

pub async fn cw_call(fake: &FakeAws, region: &str, op: &str, req: &Value) -> (Resp, Value) {
    try_cw_call(fake, region, op, req).await.expect("response")
}

/// Like [`cw_call`], but `Err` when the connection was dropped.
pub async fn try_cw_call(
    fake: &FakeAws,
    region: &str,
    op: &str,
    req: &Value,
) -> std::io::Result<(Resp, Value)> {
    let headers = [
        ("smithy-protocol", "rpc-v2-cbor".to_string()),
        ("content-type", "application/cbor".to_string()),
        ("accept", "application/cbor".to_string()),
        ("authorization", auth(region, "monitoring")),
    ];
    let r = send(
        fake,
        &format!("/service/GraniteServiceVersion20100801/operation/{op}"),
        &headers,
        &sdk_cbor(req),
    )
    .await?;
    let v: Value = ciborium::from_reader(r.body.as_slice()).expect("CBOR response body");
    Ok((r, v))
}

fn floats(v: &Value) -> Vec<f64> {
    match v {
        Value::Array(a) => a
            .iter()
            .map(|x| match x {
                Value::Float(f) => *f,
                Value::Tag(1, inner) => match inner.as_ref() {
                    Value::Float(f) => *f,
                    other => panic!("timestamp payload {other:?}"),
                },
                other => panic!("not a float {other:?}"),
            })
            .collect(),
        other => panic!("not an array {other:?}"),
    }
}

pub fn parse_gmd(v: &Value) -> GmdPage {
    let results = match cbor_get(v, "MetricDataResults").expect("MetricDataResults") {
        Value::Array(a) => a
            .iter()
            .map(|r| MdResult {
                id: cbor_get(r, "Id").unwrap().as_text().unwrap().to_string(),
                label: cbor_get(r, "Label").unwrap().as_text().unwrap().to_string(),
                timestamps: floats(cbor_get(r, "Timestamps").unwrap()),
                values: floats(cbor_get(r, "Values").unwrap()),
                status: cbor_get(r, "StatusCode")
                    .unwrap()
                    .as_text()
                    .unwrap()
                    .to_string(),
            })
            .collect(),
        other => panic!("{other:?}"),
    };
    GmdPage {
        results,
        next_token: cbor_get(v, "NextToken").map(|t| t.as_text().unwrap().to_string()),
    }
}

/// Asserts a CloudWatch CBOR error and returns its message.
pub fn assert_cw_error(r: &Resp, v: &Value, status: u16, code: &str) -> String {
    assert_eq!(r.status, status, "status for {code}: {v:?}");
    assert_eq!(
        cbor_get(v, "__type").and_then(Value::as_text),
        Some(format!("com.amazonaws.cloudwatch#{code}").as_str())
    );
    let side = if status >= 500 { "Receiver" } else { "Sender" };
    assert_eq!(
        r.header("x-amzn-query-error"),
        Some(format!("{code};{side}").as_str())
    );
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
    assert_eq!(r.header("content-type"), Some("application/cbor"));
    assert!(r.header("x-amzn-requestid").is_some());
    cbor_get(v, "message")
        .and_then(Value::as_text)
        .unwrap_or_default()
        .to_string()
}

// ------------------------------------------------------------------ Logs JSON

pub async fn logs_call(
    fake: &FakeAws,
    region: &str,
    op: &str,
    req: serde_json::Value,
) -> (Resp, serde_json::Value) {
    try_logs_call(fake, region, op, req)
        .await
        .expect("response")
}

/// Like [`logs_call`], but `Err` when the connection was dropped.
pub async fn try_logs_call(
    fake: &FakeAws,
    region: &str,
    op: &str,
    req: serde_json::Value,
) -> std::io::Result<(Resp, serde_json::Value)> {
    let headers = [
        ("x-amz-target", format!("Logs_20140328.{op}")),
        ("content-type", "application/x-amz-json-1.1".to_string()),
        ("authorization", auth(region, "logs")),
    ];
    let r = send(fake, "/", &headers, &serde_json::to_vec(&req).unwrap()).await?;
    let v = serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
    Ok((r, v))
}

pub fn assert_logs_error(r: &Resp, v: &serde_json::Value, code: &str) -> String {
    assert_eq!(r.status, 400, "{v}");
    assert_eq!(v["__type"], code, "{v}");
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    v["message"].as_str().unwrap_or_default().to_string()
}

// ------------------------------------------------------------------ STS

pub async fn sts_call(fake: &FakeAws, region: &str, body: &str) -> std::io::Result<Resp> {
    let headers = [
        (
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("authorization", auth(region, "sts")),
    ];
    send(fake, "/", &headers, body.as_bytes()).await
}

pub const GET_CALLER_IDENTITY: &str = "Action=GetCallerIdentity&Version=2011-06-15";

/// An STS call signed with access key `akid`.
pub async fn sts_call_as(fake: &FakeAws, akid: &str, region: &str, body: &str) -> Resp {
    let headers = [
        (
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        ),
        ("authorization", auth_as(akid, region, "sts")),
    ];
    send(fake, "/", &headers, body.as_bytes())
        .await
        .expect("response")
}

/// A CloudWatch Logs call signed with access key `akid`.
pub async fn logs_call_as(
    fake: &FakeAws,
    akid: &str,
    region: &str,
    op: &str,
    req: serde_json::Value,
) -> (Resp, serde_json::Value) {
    let headers = [
        ("x-amz-target", format!("Logs_20140328.{op}")),
        ("content-type", "application/x-amz-json-1.1".to_string()),
        ("authorization", auth_as(akid, region, "logs")),
    ];
    let r = send(fake, "/", &headers, &serde_json::to_vec(&req).unwrap())
        .await
        .expect("response");
    let v = serde_json::from_slice(&r.body).unwrap_or(serde_json::Value::Null);
    (r, v)
}

/// A CloudWatch call signed with access key `akid`.
pub async fn cw_call_as(
    fake: &FakeAws,
    akid: &str,
    region: &str,
    op: &str,
    req: &Value,
) -> (Resp, Value) {
    let headers = [
        ("smithy-protocol", "rpc-v2-cbor".to_string()),
        ("content-type", "application/cbor".to_string()),
        ("accept", "application/cbor".to_string()),
        ("authorization", auth_as(akid, region, "monitoring")),
    ];
    let r = send(
        fake,
        &format!("/service/GraniteServiceVersion20100801/operation/{op}"),
        &headers,
        &sdk_cbor(req),
    )
    .await
    .expect("response");
    let v: Value = ciborium::from_reader(r.body.as_slice()).expect("CBOR response body");
    (r, v)
}

/// Percent-encodes a form value.
pub fn form_encode(v: &str) -> String {
    let mut out = String::new();
    for b in v.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// An `AssumeRole` form body; `extra` are further `(name, value)` parameters.
pub fn assume_role_body(role_arn: &str, session: &str, extra: &[(&str, &str)]) -> String {
    let mut s = format!(
        "Action=AssumeRole&Version=2011-06-15&RoleArn={}&RoleSessionName={}",
        form_encode(role_arn),
        form_encode(session)
    );
    for (k, v) in extra {
        s.push_str(&format!("&{k}={}", form_encode(v)));
    }
    s
}

/// Assumes `role_arn` (signed with the default key) and returns the new access key id.
pub async fn assume(fake: &FakeAws, role_arn: &str, session: &str) -> String {
    let r = sts_call_as(
        fake,
        "AKIDFAKE",
        "us-east-1",
        &assume_role_body(role_arn, session, &[]),
    )
    .await;
    assert_eq!(r.status, 200, "{}", r.text());
    xml_tag(&r.text(), "AccessKeyId").expect("AccessKeyId")
}
