//! An Athena layer in front of an upstream Athena emulator (moto), on its own port, for what
//! moto lacks: moto answers `GetQueryResults` with every row at once, always reports 0 bytes
//! scanned, and never fails a query. This layer forwards every request to the upstream (so
//! results are still injected through moto's `/moto-api/static/athena/query-results`) and:
//!
//! * pages `GetQueryResults` as Athena does (API reference, GetQueryResults): `MaxResults` up to
//!   1,000 (more is `InvalidRequestException`), a `NextToken` while rows remain; the header row
//!   moto was given stays the first row of the first page. [`AthenaPager::set_page_rows`] caps a
//!   page below `MaxResults` (Athena may return fewer rows than asked);
//! * sets `QueryExecution.Statistics.DataScannedInBytes` of `GetQueryExecution`
//!   ([`AthenaPager::set_bytes_scanned`]);
//! * fails queries: `GetQueryExecution` answers `Status.State = FAILED` with a
//!   `StateChangeReason` and an `AthenaError` ([`AthenaPager::fail_queries`]).
//!
//! Every operation is recorded ([`AthenaPager::operations`]).

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::lock;
use crate::proxy::Upstream;

const MAX_RESULTS: usize = 1000;

#[derive(Default)]
struct Settings {
    page_rows: Option<usize>,
    bytes_scanned: Option<u64>,
    fail: Option<String>,
    operations: Vec<String>,
}

pub struct AthenaPager {
    settings: Arc<Mutex<Settings>>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for AthenaPager {
    fn drop(&mut self) {
        self.task.abort();
    }
}

fn json_reply(status: u16, body: &Value) -> Response<Full<Bytes>> {
    Response::builder()
        .status(status)
        .header("content-type", "application/x-amz-json-1.1")
        .header("x-amzn-requestid", "athena-pager")
        .body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

fn invalid(message: &str) -> Response<Full<Bytes>> {
    json_reply(
        400,
        &json!({"__type": "InvalidRequestException", "Message": message}),
    )
}

async fn body_json(resp: Response<Full<Bytes>>) -> Option<(u16, Value)> {
    let status = resp.status().as_u16();
    let bytes = resp.into_body().collect().await.ok()?.to_bytes();
    Some((status, serde_json::from_slice(&bytes).ok()?))
}

async fn handle(
    settings: Arc<Mutex<Settings>>,
    upstream: Arc<Upstream>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Box<dyn std::error::Error + Send + Sync>> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let target = parts
        .headers
        .get("x-amz-target")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    let op = target.rsplit('.').next().unwrap_or("").to_string();
    lock(&settings).operations.push(op.clone());
    let forward = |b: Bytes| {
        let upstream = upstream.clone();
        let mut parts = parts.clone();
        // The body may be rewritten: its length is the new body's (hyper sets it).
        parts.headers.remove(http::header::CONTENT_LENGTH);
        async move { upstream.forward(&parts, b).await }
    };
    match op.as_str() {
        "GetQueryResults" => {
            let input: Value = serde_json::from_slice(&body).unwrap_or(json!({}));
            let max = input
                .get("MaxResults")
                .and_then(Value::as_u64)
                .unwrap_or(MAX_RESULTS as u64) as usize;
            if max == 0 || max > MAX_RESULTS {
                return Ok(invalid("MaxResults must be between 1 and 1000"));
            }
            let offset = match input.get("NextToken").and_then(Value::as_str) {
                None => 0,
                Some(t) => match t
                    .strip_prefix("rows-")
                    .and_then(|n| n.parse::<usize>().ok())
                {
                    Some(n) => n,
                    None => return Ok(invalid("The NextToken is not valid")),
                },
            };
            // moto ignores paging: ask for everything, then cut the page.
            let mut up = input.clone();
            if let Some(o) = up.as_object_mut() {
                o.remove("NextToken");
                o.remove("MaxResults");
            }
            let resp = forward(Bytes::from(up.to_string())).await?;
            let Some((status, mut v)) = body_json(resp).await else {
                return Ok(json_reply(502, &json!({"__type": "BadGateway"})));
            };
            if status != 200 {
                return Ok(json_reply(status, &v));
            }
            let rows = v["ResultSet"]["Rows"]
                .as_array()
                .cloned()
                .unwrap_or_default();
            let size = lock(&settings).page_rows.map_or(max, |cap| cap.min(max));
            let page: Vec<Value> = rows.iter().skip(offset).take(size).cloned().collect();
            v["ResultSet"]["Rows"] = Value::Array(page);
            if offset + size < rows.len() {
                v["NextToken"] = json!(format!("rows-{}", offset + size));
            } else if let Some(o) = v.as_object_mut() {
                o.remove("NextToken");
            }
            Ok(json_reply(200, &v))
        }
        "GetQueryExecution" => {
            let resp = forward(body).await?;
            let Some((status, mut v)) = body_json(resp).await else {
                return Ok(json_reply(502, &json!({"__type": "BadGateway"})));
            };
            if status == 200 {
                let s = lock(&settings);
                if let Some(b) = s.bytes_scanned {
                    v["QueryExecution"]["Statistics"]["DataScannedInBytes"] = json!(b);
                }
                if let Some(reason) = &s.fail {
                    v["QueryExecution"]["Status"]["State"] = json!("FAILED");
                    v["QueryExecution"]["Status"]["StateChangeReason"] = json!(reason);
                    v["QueryExecution"]["Status"]["AthenaError"] = json!({
                        "ErrorCategory": 2,
                        "ErrorType": 1006,
                        "Retryable": false,
                        "ErrorMessage": reason,
                    });
                }
            }
            Ok(json_reply(status, &v))
        }
        _ => Ok(forward(body).await?),
    }
}

impl AthenaPager {
    /// Serve on 127.0.0.1 (any port), forwarding to `upstream` (e.g. moto's URL).
    pub async fn start(upstream: &str) -> AthenaPager {
        let upstream = Arc::new(Upstream::new(upstream).expect("an http:// upstream"));
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("Athena pager: bind 127.0.0.1");
        let addr = listener.local_addr().expect("bound address");
        let settings = Arc::new(Mutex::new(Settings::default()));
        let st = settings.clone();
        let task = crate::util::spawn_server(listener, move |req| {
            handle(st.clone(), upstream.clone(), req)
        });
        AthenaPager {
            settings,
            addr,
            task,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// At most `n` rows a page.
    pub fn set_page_rows(&self, n: usize) {
        lock(&self.settings).page_rows = Some(n);
    }

    pub fn set_bytes_scanned(&self, bytes: u64) {
        lock(&self.settings).bytes_scanned = Some(bytes);
    }

    /// Every query fails with `reason`.
    pub fn fail_queries(&self, reason: &str) {
        lock(&self.settings).fail = Some(reason.to_string());
    }

    /// Operations received, in order.
    pub fn operations(&self) -> Vec<String> {
        lock(&self.settings).operations.clone()
    }
}
