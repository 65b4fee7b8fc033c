//! Forwarding to an upstream ([`crate::FakeOptions::upstream`], e.g. a moto
//! server) of the requests the fake does not implement.
//!
//! With an upstream, these are forwarded instead of answered as unknown:
//! an `x-amz-target` other than `Logs_20140328.*`, an unimplemented Logs or
//! CloudWatch operation, a query-protocol `Action` other than
//! `GetCallerIdentity`/`AssumeRole`, and any request to another path or
//! method (REST-style services). Without one they keep their answers
//! (`UnknownOperationException`, `InvalidAction`, 404).
//!
//! A forwarded request is sent as-is — method, path and query, headers
//! (including `host` and `authorization`, so SigV4 signatures stay as
//! signed) and body — except for hop-by-hop headers (`connection`,
//! `transfer-encoding`, …). The upstream's status, headers and body come
//! back unchanged (hop-by-hop headers dropped; `x-amzn-requestid` added only
//! if the upstream sent none). Each forward is bounded: 30 s for the whole
//! exchange and 64 MiB of response body; a failure answers 502 `BadGateway`
//! in the request's protocol form and is recorded with fault `"upstream"`.
//!
//! Forwarded requests are recorded as [`crate::Call`]s with `proxied: true`,
//! and denials and faults apply to them first, never reaching the upstream,
//! in the request's protocol form:
//!
//! | request | service / operation / action | denied | throttle | 500 / 503 |
//! | --- | --- | --- | --- | --- |
//! | JSON (`x-amz-target: <Prefix>.<Op>`) | signing name from the target prefix (`AWSInsightsIndexService` → `ce`, `DynamoDB_20120810` → `dynamodb`, …; else the SigV4 scope's service) / `<Op>` / `<iam prefix>:<Op>` | 400 `AccessDeniedException` (JSON 1.0/1.1 as sent) | 400 `ThrottlingException` (`ce`: `LimitExceededException`) | `InternalFailure` / `ServiceUnavailable` |
//! | Logs (`Logs_20140328.<Op>`), CloudWatch CBOR, STS | as for the served operations | as for the served operations | same | same |
//! | query (`Action=<Op>` form) | SigV4 scope's service (default `sts`) / `<Op>` / `<service>:<Op>` | 403 `AccessDenied` (XML) | 400 `Throttling` | same |
//! | RPC v2 CBOR (`/service/<S>/operation/<Op>`) | SigV4 scope's service / `<Op>` / `<service>:<Op>` | 403 `AccessDeniedException` (CBOR) | 400 `ThrottlingException` | same |
//! | anything else (REST) | SigV4 scope's service (else `unknown`) / empty / empty (never denied) | — | 429 `TooManyRequestsException` (JSON, `x-amzn-errortype`) | same |
//!
//! The IAM prefix is the signing name except `monitoring` → `cloudwatch`,
//! `email` → `ses`, `tagging` → `tag`. S3's REST requests (signing name `s3`, path-style) are
//! told apart by method, path and query: `GET /bucket?list-type=2` is ListObjectsV2 (IAM
//! `s3:ListBucket`), `GET`/`HEAD /bucket/key` GetObject/HeadObject (`s3:GetObject`); other S3
//! requests keep an empty operation.

use std::time::Duration;

use http::header::HeaderName;
use http::{Request, Response, Uri};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use serde_json::json;

use crate::{ApiError, Reply, Service, cloudwatch, sts, util};

/// The whole exchange with the upstream must finish within this.
const TIMEOUT: Duration = Duration::from_secs(30);
/// Largest upstream response body passed through.
const MAX_BODY: usize = 64 << 20;

/// JSON protocol target prefixes (the part of `x-amz-target` before the
/// last `.`, without any `com.amazonaws.…` qualification) → signing name.
const JSON_TARGETS: &[(&str, &str)] = &[
    ("AWSInsightsIndexService", "ce"),
    ("Logs_20140328", "logs"),
    ("GraniteServiceVersion20100801", "monitoring"),
    ("AWSBudgetServiceGateway", "budgets"),
    ("AWSPriceListService", "pricing"),
    ("AWSOrganizationsV20161128", "organizations"),
    ("ResourceGroupsTaggingAPI_20170126", "tagging"),
    ("DynamoDB_20120810", "dynamodb"),
    ("Kinesis_20131202", "kinesis"),
    ("Firehose_20150804", "firehose"),
    ("AmazonSSM", "ssm"),
    ("TrentService", "kms"),
    ("secretsmanager", "secretsmanager"),
    ("AWSEvents", "events"),
    ("AmazonSQS", "sqs"),
    ("AWSStepFunctions", "states"),
    ("AmazonEC2ContainerServiceV20141113", "ecs"),
    ("StarlingDoveService", "config"),
    ("CloudTrail_20131101", "cloudtrail"),
    ("AmazonAthena", "athena"),
    ("AWSGlue", "glue"),
    ("CertificateManager", "acm"),
    ("AWSSupport_20130415", "support"),
];

/// The IAM action of an operation: `<prefix>:<Operation>`, except where S3's IAM action is not
/// its operation's name (Amazon S3 user guide, "Actions for Amazon S3": ListObjectsV2 needs
/// s3:ListBucket, HeadObject s3:GetObject).
pub(crate) fn iam_action(prefix: &str, operation: &str) -> String {
    match (prefix, operation) {
        ("s3", "ListObjectsV2" | "ListObjects") => "s3:ListBucket".into(),
        ("s3", "HeadObject") => "s3:GetObject".into(),
        _ => format!("{prefix}:{operation}"),
    }
}

/// S3's REST operations logplan calls, by method, path and query (path-style addressing:
/// `/bucket` and `/bucket/key`).
fn s3_operation(parts: &http::request::Parts) -> &'static str {
    let path = parts.uri.path().trim_start_matches('/');
    let query = parts.uri.query().unwrap_or("");
    let has_key = path.split_once('/').is_some_and(|(_, k)| !k.is_empty());
    match (&parts.method, has_key) {
        (&http::Method::GET, false) if query.split('&').any(|p| p == "list-type=2") => {
            "ListObjectsV2"
        }
        (&http::Method::GET, false) => "ListObjects",
        (&http::Method::GET, true) => "GetObject",
        (&http::Method::HEAD, true) => "HeadObject",
        _ => "",
    }
}

/// The IAM action prefix of a signing name.
fn iam_prefix_for(signing_name: &str) -> &str {
    match signing_name {
        "monitoring" => "cloudwatch",
        "email" => "ses",
        "tagging" => "tag",
        other => other,
    }
}

/// The protocol form errors for a request take.
#[derive(Clone, Debug)]
pub(crate) enum Wire {
    /// One of the services the fake speaks.
    Known(Service),
    /// AWS JSON 1.0/1.1, with the request's content type.
    Json(String),
    /// AWS query (XML errors).
    Query,
    /// Smithy RPC v2 CBOR.
    Cbor,
    /// REST-JSON/XML and anything else.
    Rest,
}

impl Wire {
    /// Renders `e` in this protocol's error form.
    pub(crate) fn error_reply(&self, e: &ApiError, request_id: &str) -> Reply {
        match self {
            Wire::Known(s) => s.error_reply(e, request_id),
            Wire::Json(ct) => Reply {
                status: e.status,
                headers: vec![("content-type", ct.clone())],
                body: serde_json::to_vec(&json!({"__type": e.code, "message": e.message}))
                    .expect("JSON encoding cannot fail"),
            },
            Wire::Query => sts::query_error_reply(e, request_id, None),
            Wire::Cbor => cloudwatch::plain_error_reply(e),
            Wire::Rest => Reply {
                status: e.status,
                headers: vec![
                    ("content-type", "application/json".to_string()),
                    ("x-amzn-errortype", e.code.clone()),
                ],
                body: serde_json::to_vec(&json!({"message": e.message}))
                    .expect("JSON encoding cannot fail"),
            },
        }
    }
}

/// A request for the upstream, as far as the fake can tell what it is.
#[derive(Clone, Debug)]
pub(crate) struct Foreign {
    /// For [`crate::Call::service`]: the signing name.
    pub(crate) service: String,
    /// Empty when unknown.
    pub(crate) iam_prefix: String,
    /// Empty when unknown (REST).
    pub(crate) operation: String,
    pub(crate) wire: Wire,
}

impl Foreign {
    fn new(service: String, operation: &str, wire: Wire) -> Foreign {
        let iam_prefix = if service == "unknown" {
            String::new()
        } else {
            iam_prefix_for(&service).to_string()
        };
        Foreign {
            service,
            iam_prefix,
            operation: operation.to_string(),
            wire,
        }
    }
}

/// Tells what service and operation a request for the upstream is.
/// `signing_name` is the SigV4 credential scope's service, if any.
pub(crate) fn classify(
    parts: &http::request::Parts,
    body: &[u8],
    signing_name: Option<&str>,
) -> Foreign {
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    let scope = signing_name.map(str::to_string);
    if let Some(target) = header("x-amz-target") {
        let (prefix, op) = target.rsplit_once('.').unwrap_or(("", target));
        let short = prefix.rsplit('.').next().unwrap_or(prefix);
        let service = JSON_TARGETS
            .iter()
            .find(|(p, _)| *p == short)
            .map(|(_, s)| s.to_string())
            .or(scope)
            .unwrap_or_else(|| {
                if short.is_empty() {
                    "unknown".to_string()
                } else {
                    short.to_ascii_lowercase()
                }
            });
        let wire = if service == "logs" {
            Wire::Known(Service::Logs)
        } else {
            let ct = header("content-type")
                .filter(|c| c.starts_with("application/x-amz-json"))
                .unwrap_or("application/x-amz-json-1.1");
            Wire::Json(ct.to_string())
        };
        return Foreign::new(service, op, wire);
    }
    let path = parts.uri.path();
    if let Some(rest) = path.strip_prefix("/service/")
        && let Some((shape, op)) = rest.split_once("/operation/")
    {
        let short = shape.rsplit('.').next().unwrap_or(shape);
        if short == "GraniteServiceVersion20100801" {
            return Foreign::new(
                "monitoring".to_string(),
                op,
                Wire::Known(Service::Monitoring),
            );
        }
        let service = scope.unwrap_or_else(|| short.to_ascii_lowercase());
        return Foreign::new(service, op, Wire::Cbor);
    }
    if parts.method == http::Method::POST
        && let Some((_, action)) = util::parse_form(body)
            .into_iter()
            .find(|(k, _)| k == "Action")
    {
        let service = scope.unwrap_or_else(|| "sts".to_string());
        let wire = if service == "sts" {
            Wire::Known(Service::Sts)
        } else {
            Wire::Query
        };
        return Foreign::new(service, &action, wire);
    }
    let service = scope.unwrap_or_else(|| "unknown".to_string());
    let op = if service == "s3" {
        s3_operation(parts)
    } else {
        ""
    };
    Foreign::new(service, op, Wire::Rest)
}

/// `connection`-scoped headers, never forwarded (and `expect`: the body has
/// already been read).
fn hop_by_hop(name: &HeaderName) -> bool {
    matches!(
        name.as_str(),
        "connection"
            | "expect"
            | "keep-alive"
            | "proxy-connection"
            | "proxy-authenticate"
            | "proxy-authorization"
            | "te"
            | "trailer"
            | "transfer-encoding"
            | "upgrade"
    )
}

/// The upstream server and a pooled HTTP/1 client for it.
pub(crate) struct Upstream {
    /// As configured, for messages.
    pub(crate) url: String,
    /// `http://host:port`.
    origin: String,
    /// The configured path without a trailing `/` (usually empty), prepended
    /// to each request's path.
    base_path: String,
    client: Client<HttpConnector, Full<Bytes>>,
}

impl Upstream {
    pub(crate) fn new(url: &str) -> std::io::Result<Upstream> {
        let invalid = |why: String| std::io::Error::new(std::io::ErrorKind::InvalidInput, why);
        let uri: Uri = url
            .parse()
            .map_err(|e| invalid(format!("upstream {url:?}: {e}")))?;
        if uri.scheme_str() != Some("http") {
            return Err(invalid(format!(
                "upstream {url:?}: only http:// upstreams are supported"
            )));
        }
        let authority = uri
            .authority()
            .ok_or_else(|| invalid(format!("upstream {url:?}: no host")))?;
        if uri.query().is_some() {
            return Err(invalid(format!("upstream {url:?}: must not have a query")));
        }
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        let client = Client::builder(TokioExecutor::new())
            .pool_timer(TokioTimer::new())
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        Ok(Upstream {
            url: url.to_string(),
            origin: format!("http://{authority}"),
            base_path: uri.path().trim_end_matches('/').to_string(),
            client,
        })
    }

    /// Sends the request to the upstream and reads its whole response.
    pub(crate) async fn forward(
        &self,
        parts: &http::request::Parts,
        body: Bytes,
    ) -> Result<Response<Full<Bytes>>, String> {
        let pq = parts.uri.path_and_query().map_or("/", |p| p.as_str());
        let uri: Uri = format!("{}{}{pq}", self.origin, self.base_path)
            .parse()
            .map_err(|e| format!("bad upstream URI: {e}"))?;
        let mut req = Request::new(Full::new(body));
        *req.method_mut() = parts.method.clone();
        *req.uri_mut() = uri;
        for (k, v) in &parts.headers {
            if !hop_by_hop(k) {
                req.headers_mut().append(k.clone(), v.clone());
            }
        }
        let exchange = async {
            let resp = self.client.request(req).await.map_err(|e| chain(&e))?;
            let (mut head, body) = resp.into_parts();
            let bytes = Limited::new(body, MAX_BODY)
                .collect()
                .await
                .map_err(|e| format!("reading the response: {e}"))?
                .to_bytes();
            let names: Vec<HeaderName> = head
                .headers
                .keys()
                .filter(|k| hop_by_hop(k))
                .cloned()
                .collect();
            for k in names {
                head.headers.remove(k);
            }
            Ok(Response::from_parts(head, Full::new(bytes)))
        };
        tokio::time::timeout(TIMEOUT, exchange)
            .await
            .map_err(|_| format!("no response within {} s", TIMEOUT.as_secs()))?
    }
}

/// An error and its sources, `outer: inner: …`.
fn chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(x) = src {
        s.push_str(": ");
        s.push_str(&x.to_string());
        src = x.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, path: &str, headers: &[(&str, &str)]) -> http::request::Parts {
        let mut b = Request::builder().method(method).uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn classifies_requests() {
        let f = classify(
            &parts(
                "POST",
                "/",
                &[("x-amz-target", "AWSInsightsIndexService.GetCostAndUsage")],
            ),
            b"{}",
            None,
        );
        assert_eq!(
            (
                f.service.as_str(),
                f.iam_prefix.as_str(),
                f.operation.as_str()
            ),
            ("ce", "ce", "GetCostAndUsage")
        );
        assert!(matches!(&f.wire, Wire::Json(ct) if ct == "application/x-amz-json-1.1"));

        let f = classify(
            &parts(
                "POST",
                "/",
                &[
                    ("x-amz-target", "DynamoDB_20120810.ListTables"),
                    ("content-type", "application/x-amz-json-1.0"),
                ],
            ),
            b"{}",
            None,
        );
        assert_eq!(f.service, "dynamodb");
        assert!(matches!(&f.wire, Wire::Json(ct) if ct == "application/x-amz-json-1.0"));

        let f = classify(
            &parts("POST", "/", &[("x-amz-target", "Mystery_2020.DoIt")]),
            b"{}",
            Some("mystery"),
        );
        assert_eq!(
            (f.service.as_str(), f.operation.as_str()),
            ("mystery", "DoIt")
        );

        let f = classify(
            &parts(
                "POST",
                "/",
                &[("x-amz-target", "Logs_20140328.CreateLogGroup")],
            ),
            b"{}",
            None,
        );
        assert!(matches!(f.wire, Wire::Known(Service::Logs)));

        let f = classify(
            &parts("POST", "/", &[]),
            b"Action=CreateRole&Version=2010-05-08",
            Some("iam"),
        );
        assert_eq!(
            (
                f.service.as_str(),
                f.iam_prefix.as_str(),
                f.operation.as_str()
            ),
            ("iam", "iam", "CreateRole")
        );
        assert!(matches!(f.wire, Wire::Query));

        let f = classify(&parts("POST", "/", &[]), b"Action=GetSessionToken", None);
        assert_eq!(f.service, "sts");
        assert!(matches!(f.wire, Wire::Known(Service::Sts)));

        let f = classify(
            &parts(
                "POST",
                "/service/GraniteServiceVersion20100801/operation/ListMetrics",
                &[],
            ),
            b"",
            Some("monitoring"),
        );
        assert_eq!(
            (
                f.service.as_str(),
                f.iam_prefix.as_str(),
                f.operation.as_str()
            ),
            ("monitoring", "cloudwatch", "ListMetrics")
        );

        let f = classify(
            &parts("GET", "/2015-03-31/functions", &[]),
            b"",
            Some("lambda"),
        );
        assert_eq!(
            (
                f.service.as_str(),
                f.iam_prefix.as_str(),
                f.operation.as_str()
            ),
            ("lambda", "lambda", "")
        );
        assert!(matches!(f.wire, Wire::Rest));
        let f = classify(&parts("GET", "/x", &[]), b"", None);
        assert_eq!((f.service.as_str(), f.iam_prefix.as_str()), ("unknown", ""));
    }

    #[test]
    fn s3_requests_are_told_apart() {
        let op = |m: &str, p: &str| {
            let f = classify(&parts(m, p, &[]), b"", Some("s3"));
            (f.operation.clone(), iam_action(&f.iam_prefix, &f.operation))
        };
        assert_eq!(
            op("GET", "/bill?list-type=2&prefix=exports%2F"),
            ("ListObjectsV2".to_string(), "s3:ListBucket".to_string())
        );
        assert_eq!(
            op("GET", "/bill/exports/data/a.parquet"),
            ("GetObject".to_string(), "s3:GetObject".to_string())
        );
        assert_eq!(
            op("HEAD", "/bill/a.parquet"),
            ("HeadObject".to_string(), "s3:GetObject".to_string())
        );
        assert_eq!(op("PUT", "/bill").0, "");
        assert_eq!(
            iam_action("logs", "DescribeLogGroups"),
            "logs:DescribeLogGroups"
        );
    }

    #[test]
    fn upstream_urls() {
        assert!(Upstream::new("http://127.0.0.1:5000").is_ok());
        let u = Upstream::new("http://127.0.0.1:5000/moto/").unwrap();
        assert_eq!(
            (u.origin.as_str(), u.base_path.as_str()),
            ("http://127.0.0.1:5000", "/moto")
        );
        assert!(Upstream::new("https://example.com").is_err());
        assert!(Upstream::new("not a url").is_err());
        assert!(Upstream::new("/just/a/path").is_err());
    }
}
