//! Forwarding of unimplemented requests to an upstream.

mod common;

use std::sync::{Arc, Mutex};

use common::*;
use logplan_fake::{FakeAws, FakeOptions, Faults};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

const R: &str = "us-east-1";
const CE_BODY: &str = r#"{"TimePeriod":{"Start":"2026-10-01","End":"2026-11-01"},"Granularity":"MONTHLY","Metrics":["UnblendedCost"]}"#;
const CE_ANSWER: &str =
    r#"{"ResultsByTime":[{"Total":{"UnblendedCost":{"Amount":"12.5","Unit":"USD"}}}]}"#;

/// A request as the upstream received it.
#[derive(Clone, Debug)]
struct Seen {
    method: String,
    target: String,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

impl Seen {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A tiny HTTP/1.1 upstream: records each request and answers 200 with
/// [`CE_ANSWER`] and a few marker headers, closing every connection.
struct Upstream {
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    task: JoinHandle<()>,
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn upstream() -> Upstream {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let rec = seen.clone();
    let task = tokio::spawn(async move {
        loop {
            let Ok((mut s, _)) = listener.accept().await else {
                continue;
            };
            let rec = rec.clone();
            tokio::spawn(async move {
                let mut raw = Vec::new();
                let mut buf = [0u8; 4096];
                let split = loop {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        return;
                    }
                    raw.extend_from_slice(&buf[..n]);
                    if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
                        break p;
                    }
                };
                let head = String::from_utf8(raw[..split].to_vec()).unwrap();
                let mut lines = head.split("\r\n");
                let mut first = lines.next().unwrap().split(' ');
                let method = first.next().unwrap().to_string();
                let target = first.next().unwrap().to_string();
                let headers: Vec<(String, String)> = lines
                    .filter_map(|l| l.split_once(':'))
                    .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                    .collect();
                let len: usize = headers
                    .iter()
                    .find(|(k, _)| k == "content-length")
                    .map_or(0, |(_, v)| v.parse().unwrap());
                let mut body = raw[split + 4..].to_vec();
                while body.len() < len {
                    let n = s.read(&mut buf).await.unwrap();
                    if n == 0 {
                        break;
                    }
                    body.extend_from_slice(&buf[..n]);
                }
                rec.lock().unwrap().push(Seen {
                    method,
                    target,
                    headers,
                    body,
                });
                let resp = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: application/x-amz-json-1.1\r\n\
                     x-amzn-requestid: upstream-rid\r\nx-upstream: yes\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{CE_ANSWER}",
                    CE_ANSWER.len()
                );
                let _ = s.write_all(resp.as_bytes()).await;
                let _ = s.shutdown().await;
            });
        }
    });
    Upstream { url, seen, task }
}

async fn fake_with(upstream: &str) -> FakeAws {
    FakeAws::start(FakeOptions {
        upstream: Some(upstream.to_string()),
        ..FakeOptions::default()
    })
    .await
}

fn ce_headers(akid: &str) -> Vec<(&'static str, String)> {
    vec![
        (
            "x-amz-target",
            "AWSInsightsIndexService.GetCostAndUsage".to_string(),
        ),
        ("content-type", "application/x-amz-json-1.1".to_string()),
        ("authorization", auth_as(akid, R, "ce")),
        ("x-amz-security-token", "tok".to_string()),
    ]
}

async fn ce_call(f: &FakeAws, akid: &str) -> Resp {
    send(f, "/", &ce_headers(akid), CE_BODY.as_bytes())
        .await
        .expect("response")
}

#[tokio::test]
async fn forwards_unknown_services_as_is_and_records_them() {
    let up = upstream().await;
    let f = fake_with(&up.url).await;

    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.text(), CE_ANSWER);
    assert_eq!(r.header("x-upstream"), Some("yes"));
    assert_eq!(r.header("x-amzn-requestid"), Some("upstream-rid"));
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));

    let seen = up.seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 1);
    let s = &seen[0];
    assert_eq!((s.method.as_str(), s.target.as_str()), ("POST", "/"));
    assert_eq!(s.body, CE_BODY.as_bytes());
    for (k, v) in ce_headers("AKIDFAKE") {
        assert_eq!(s.header(k), Some(v.as_str()), "{k}");
    }
    // Host is passed through as the client sent it (the fake's address).
    assert_eq!(s.header("host"), Some(f.addr().to_string().as_str()));
    assert_eq!(
        s.header("connection"),
        None,
        "hop-by-hop headers are dropped"
    );

    let c = &f.calls()[0];
    assert_eq!(
        (
            c.service.as_str(),
            c.operation.as_str(),
            c.action.as_str(),
            c.account.as_str(),
            c.status,
            c.proxied
        ),
        (
            "ce",
            "GetCostAndUsage",
            "ce:GetCostAndUsage",
            "123456789012",
            200,
            true
        )
    );
    assert_eq!(c.fault, None);

    // A REST-style request: method, path and query go through unchanged.
    let r = send_method(
        &f,
        "GET",
        "/2015-03-31/functions?MaxItems=5",
        &[("authorization", auth_as("AKIDFAKE", R, "lambda"))],
        b"",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    let seen = up.seen.lock().unwrap().clone();
    assert_eq!(
        (seen[1].method.as_str(), seen[1].target.as_str()),
        ("GET", "/2015-03-31/functions?MaxItems=5")
    );
    let c = f.calls().pop().unwrap();
    assert_eq!(
        (
            c.service.as_str(),
            c.operation.as_str(),
            c.action.as_str(),
            c.proxied
        ),
        ("lambda", "", "", true)
    );

    // Served operations never reach the upstream.
    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(up.seen.lock().unwrap().len(), 2);

    // The caller's account is that of its role session.
    let key = assume(&f, "arn:aws:iam::210987654321:role/billing", "s1").await;
    let r = ce_call(&f, &key).await;
    assert_eq!(r.status, 200);
    let c = f.calls().pop().unwrap();
    assert_eq!(
        (c.action.as_str(), c.account.as_str(), c.proxied),
        ("ce:GetCostAndUsage", "210987654321", true)
    );
    assert_eq!(up.seen.lock().unwrap().len(), 3);
}

#[tokio::test]
async fn denials_and_faults_answer_without_forwarding() {
    let up = upstream().await;
    let f = fake_with(&up.url).await;

    f.deny("ce:GetCostAndUsage");
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
    assert!(r.header("x-amzn-requestid").is_some());
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "AccessDeniedException");
    assert_eq!(
        v["message"],
        "User: arn:aws:iam::123456789012:user/fake is not authorized to perform: ce:GetCostAndUsage \
         on resource: arn:aws:ce:us-east-1:123456789012:/GetCostAndUsage because no \
         identity-based policy allows the ce:GetCostAndUsage action"
    );
    assert!(up.seen.lock().unwrap().is_empty(), "not forwarded");
    let c = f.calls().pop().unwrap();
    assert_eq!(
        (c.action.as_str(), c.fault.as_deref(), c.status, c.proxied),
        ("ce:GetCostAndUsage", Some("denied"), 400, false)
    );
    f.allow("ce:GetCostAndUsage");

    // Per account.
    let key = assume(&f, "arn:aws:iam::210987654321:role/billing", "s1").await;
    f.deny_in("210987654321", "ce:GetCostAndUsage");
    let r = ce_call(&f, &key).await;
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert!(
        v["message"].as_str().unwrap().starts_with(
            "User: arn:aws:sts::210987654321:assumed-role/billing/s1 is not authorized"
        ),
        "{v}"
    );
    assert!(up.seen.lock().unwrap().is_empty());
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 200);
    assert_eq!(up.seen.lock().unwrap().len(), 1);

    // deny_after counts forwarded calls too.
    f.deny_after("ce:GetCostAndUsage", 1);
    assert_eq!(ce_call(&f, "AKIDFAKE").await.status, 200);
    assert_eq!(ce_call(&f, "AKIDFAKE").await.status, 400);
    f.allow("ce:GetCostAndUsage");
    assert_eq!(up.seen.lock().unwrap().len(), 2);

    // Faults, in each protocol's form.
    f.set_faults(Faults {
        throttle: 1.0,
        ..Faults::default()
    });
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "LimitExceededException");
    let r = send(
        &f,
        "/",
        &[
            ("x-amz-target", "DynamoDB_20120810.ListTables".to_string()),
            ("content-type", "application/x-amz-json-1.0".to_string()),
        ],
        b"{}",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.0"));
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "ThrottlingException");
    let r = send(
        &f,
        "/",
        &[("authorization", auth_as("AKIDFAKE", R, "iam"))],
        b"Action=ListRoles&Version=2010-05-08",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("<Code>Throttling</Code>"), "{}", r.text());
    let r = send_method(&f, "GET", "/2015-03-31/functions", &[], b"")
        .await
        .unwrap();
    assert_eq!(r.status, 429);
    assert_eq!(
        r.header("x-amzn-errortype"),
        Some("TooManyRequestsException")
    );

    f.set_faults(Faults {
        http503: 1.0,
        ..Faults::default()
    });
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 503);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "ServiceUnavailable");
    f.set_faults(Faults {
        drop_connection: 1.0,
        ..Faults::default()
    });
    assert!(
        send(&f, "/", &ce_headers("AKIDFAKE"), CE_BODY.as_bytes())
            .await
            .is_err()
    );
    assert_eq!(
        up.seen.lock().unwrap().len(),
        2,
        "no fault reached the upstream"
    );
    let faults: Vec<Option<String>> = f
        .calls()
        .iter()
        .rev()
        .take(6)
        .map(|c| c.fault.clone())
        .collect();
    assert_eq!(
        faults,
        vec![
            Some("drop".to_string()),
            Some("503".to_string()),
            Some("throttle".to_string()),
            Some("throttle".to_string()),
            Some("throttle".to_string()),
            Some("throttle".to_string()),
        ]
    );
}

#[tokio::test]
async fn another_fake_as_the_upstream() {
    let b = FakeAws::start(FakeOptions::default()).await;
    let a = fake_with(&b.url()).await;

    // An unknown service: B answers as it would without an upstream.
    let r = send(
        &a,
        "/",
        &[
            ("x-amz-target", "Kinesis_20131202.ListStreams".to_string()),
            ("authorization", auth_as("AKIDFAKE", R, "kinesis")),
        ],
        b"{}",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "UnknownOperationException");
    let ca = a.calls().pop().unwrap();
    assert_eq!(
        (
            ca.service.as_str(),
            ca.action.as_str(),
            ca.status,
            ca.proxied
        ),
        ("kinesis", "kinesis:ListStreams", 400, true)
    );
    assert_eq!(b.calls().len(), 1);

    // An unimplemented operation of a served service is forwarded too.
    let (r, v) = logs_call(&a, R, "CreateLogGroup", json!({"logGroupName": "/x"})).await;
    assert_logs_error(&r, &v, "UnknownOperationException");
    let ca = a.calls().pop().unwrap();
    assert_eq!(
        (ca.service.as_str(), ca.action.as_str(), ca.proxied),
        ("logs", "logs:CreateLogGroup", true)
    );
    let cb = b.calls().pop().unwrap();
    assert_eq!(
        (cb.service.as_str(), cb.operation.as_str(), cb.proxied),
        ("logs", "CreateLogGroup", false)
    );

    // A query-protocol action of another service (IAM, signed for "iam").
    let r = send(
        &a,
        "/",
        &[
            (
                "content-type",
                "application/x-www-form-urlencoded".to_string(),
            ),
            ("authorization", auth_as("AKIDFAKE", R, "iam")),
        ],
        b"Action=CreateRole&Version=2010-05-08&RoleName=r",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    assert!(
        r.text().contains("<Code>InvalidAction</Code>"),
        "{}",
        r.text()
    );
    let ca = a.calls().pop().unwrap();
    assert_eq!(
        (ca.service.as_str(), ca.action.as_str(), ca.proxied),
        ("iam", "iam:CreateRole", true)
    );
    a.deny("iam:CreateRole");
    let r = send(
        &a,
        "/",
        &[("authorization", auth_as("AKIDFAKE", R, "iam"))],
        b"Action=CreateRole&Version=2010-05-08&RoleName=r",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 403);
    assert!(
        r.text().contains("<Code>AccessDenied</Code>") && r.text().contains("iam:CreateRole"),
        "{}",
        r.text()
    );
    assert_eq!(b.calls().len(), 3, "the denied call stayed in A");

    // Served operations stay in A.
    logs_call(&a, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(b.calls().len(), 3);
}

#[tokio::test]
async fn an_unreachable_upstream_is_a_502() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let f = fake_with(&format!("http://127.0.0.1:{port}")).await;
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 502);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "BadGateway");
    assert!(
        v["message"]
            .as_str()
            .unwrap()
            .contains(&format!("127.0.0.1:{port}")),
        "{v}"
    );
    let c = f.calls().pop().unwrap();
    assert_eq!(
        (c.fault.as_deref(), c.status, c.proxied),
        (Some("upstream"), 502, true)
    );
}

#[tokio::test]
async fn without_an_upstream_unknown_requests_keep_their_answers() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let r = ce_call(&f, "AKIDFAKE").await;
    assert_eq!(r.status, 400);
    let v: Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "UnknownOperationException");
    let r = send_method(&f, "GET", "/2015-03-31/functions", &[], b"")
        .await
        .unwrap();
    assert_eq!(r.status, 404);
    assert!(f.calls().iter().all(|c| !c.proxied));
}

#[tokio::test]
async fn invalid_upstream_urls_are_rejected() {
    for bad in ["https://example.com", "not a url", "/path"] {
        let r = FakeAws::start_on(
            FakeOptions {
                upstream: Some(bad.to_string()),
                ..FakeOptions::default()
            },
            0,
        )
        .await;
        assert_eq!(
            r.err().map(|e| e.kind()),
            Some(std::io::ErrorKind::InvalidInput),
            "{bad}"
        );
    }
}
