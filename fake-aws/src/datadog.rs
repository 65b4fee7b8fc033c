//! A fake of Datadog's usage metering API, on its own port: `GET /api/v2/usage/hourly_usage`,
//! as Datadog's API reference documents it (page "Get hourly usage by product family", and the
//! guide "Migrating from the V1 Hourly Usage APIs to V2"):
//!
//! * keys in the `DD-API-KEY` and `DD-APPLICATION-KEY` headers; a wrong or missing one answers
//!   403 `{"errors": ["Forbidden"]}`;
//! * query `filter[timestamp][start]` (required) and `filter[timestamp][end]`, `YYYY-MM-DDThh`
//!   UTC, start inclusive, end exclusive; `filter[product_families]` (required, comma
//!   separated); `page[limit]` (1..=500, default 500); `page[next_record_id]`; anything else
//!   wrong answers 400 `{"errors": [...]}`;
//! * the response `{"data": [{"id", "type": "usage_timeseries", "attributes": {"org_name",
//!   "public_id", "region", "product_family", "timestamp", "measurements": [{"usage_type",
//!   "value"}]}}], "meta": {"pagination": {"next_record_id": ...}}}`, one record per product
//!   family and hour, `next_record_id` absent on the last page;
//! * rate limits: past the configured budget a request answers 429 `{"errors": ["Too many
//!   requests"]}` with `X-RateLimit-Limit`, `X-RateLimit-Period`, `X-RateLimit-Remaining: 0`,
//!   `X-RateLimit-Reset` (seconds until the window resets) and `X-RateLimit-Name`.
//!
//! The records served are seeded by the test ([`FakeDatadog::add_hour`]). Every request is
//! recorded ([`FakeDatadog::requests`]).

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::{Request, Response};
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

use crate::lock;

/// Datadog's largest page.
pub const MAX_PAGE: usize = 500;

/// Keys, and how the fake limits the rate.
#[derive(Clone, Debug)]
pub struct DdOptions {
    pub api_key: String,
    pub app_key: String,
    /// Answer 429 to every `n`th request (the first `n - 1` pass); `None` = never.
    pub throttle_every: Option<usize>,
    /// `X-RateLimit-Reset` of a 429, seconds.
    pub reset_secs: u64,
}

impl Default for DdOptions {
    fn default() -> Self {
        DdOptions {
            api_key: "dd-api-key".into(),
            app_key: "dd-app-key".into(),
            throttle_every: None,
            reset_secs: 1,
        }
    }
}

/// One request as the fake saw it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DdRequest {
    pub path: String,
    pub query: BTreeMap<String, String>,
    pub status: u16,
}

/// (usage type, value) of one hour.
type Measurements = Vec<(String, Option<i64>)>;

struct State {
    opts: DdOptions,
    /// (product family, hour `YYYY-MM-DDThh`) -> measurements.
    hours: BTreeMap<(String, String), Measurements>,
    requests: Vec<DdRequest>,
    served: usize,
}

pub struct FakeDatadog {
    state: Arc<Mutex<State>>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Drop for FakeDatadog {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// `%XX` decoding of a query component (`+` is a space).
fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                match std::str::from_utf8(&b[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok())
                {
                    Some(v) => {
                        out.push(v);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            c => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn parse_query(q: &str) -> BTreeMap<String, String> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(k), decode(v))
        })
        .collect()
}

/// `YYYY-MM-DDThh` as a sortable key, or None.
fn hour(s: &str) -> Option<String> {
    let ok = s.len() == 13
        && s.as_bytes()[4] == b'-'
        && s.as_bytes()[7] == b'-'
        && s.as_bytes()[10] == b'T'
        && s.chars()
            .enumerate()
            .all(|(i, c)| matches!(i, 4 | 7 | 10) || c.is_ascii_digit());
    ok.then(|| s.to_string())
}

fn reply(status: u16, headers: &[(&str, String)], body: Value) -> Response<Full<Bytes>> {
    let mut b = Response::builder()
        .status(status)
        .header("content-type", "application/json");
    for (k, v) in headers {
        b = b.header(*k, v);
    }
    b.body(Full::new(Bytes::from(body.to_string())))
        .expect("a valid response")
}

fn errors(status: u16, msgs: &[&str]) -> Response<Full<Bytes>> {
    reply(status, &[], json!({ "errors": msgs }))
}

fn handle(state: &Mutex<State>, req: &Request<Incoming>) -> Response<Full<Bytes>> {
    let path = req.uri().path().to_string();
    let query = parse_query(req.uri().query().unwrap_or(""));
    let header = |n: &str| req.headers().get(n).and_then(|v| v.to_str().ok());
    let mut st = lock(state);
    let record = |st: &mut State, status: u16| {
        st.requests.push(DdRequest {
            path: path.clone(),
            query: query.clone(),
            status,
        })
    };
    if path != "/api/v2/usage/hourly_usage" || req.method() != hyper::Method::GET {
        record(&mut st, 404);
        return errors(404, &["Not found"]);
    }
    if header("dd-api-key") != Some(st.opts.api_key.as_str())
        || header("dd-application-key") != Some(st.opts.app_key.as_str())
    {
        record(&mut st, 403);
        return errors(403, &["Forbidden"]);
    }
    st.served += 1;
    if let Some(n) = st.opts.throttle_every
        && n > 0
        && st.served.is_multiple_of(n)
    {
        record(&mut st, 429);
        let reset = st.opts.reset_secs;
        return reply(
            429,
            &[
                ("x-ratelimit-limit", (n - 1).to_string()),
                ("x-ratelimit-period", "10".to_string()),
                ("x-ratelimit-remaining", "0".to_string()),
                ("x-ratelimit-reset", reset.to_string()),
                (
                    "x-ratelimit-name",
                    "usage_metering_hourly_usage".to_string(),
                ),
            ],
            json!({ "errors": ["Too many requests"] }),
        );
    }
    let Some(start) = query.get("filter[timestamp][start]").and_then(|s| hour(s)) else {
        record(&mut st, 400);
        return errors(
            400,
            &["filter[timestamp][start] is required, as YYYY-MM-DDThh"],
        );
    };
    let end = match query.get("filter[timestamp][end]") {
        Some(e) => match hour(e) {
            Some(e) => Some(e),
            None => {
                record(&mut st, 400);
                return errors(400, &["filter[timestamp][end] must be YYYY-MM-DDThh"]);
            }
        },
        None => None,
    };
    let Some(families) = query
        .get("filter[product_families]")
        .filter(|f| !f.is_empty())
    else {
        record(&mut st, 400);
        return errors(400, &["filter[product_families] is required"]);
    };
    let families: Vec<String> = families.split(',').map(str::to_string).collect();
    let limit = match query.get("page[limit]").map(|l| l.parse::<usize>()) {
        None => MAX_PAGE,
        Some(Ok(l)) if (1..=MAX_PAGE).contains(&l) => l,
        Some(_) => {
            record(&mut st, 400);
            return errors(400, &["page[limit] must be between 1 and 500"]);
        }
    };
    let offset = match query.get("page[next_record_id]") {
        None => 0,
        Some(id) => match id
            .strip_prefix("rec-")
            .and_then(|n| n.parse::<usize>().ok())
        {
            Some(n) => n,
            None => {
                record(&mut st, 400);
                return errors(400, &["invalid page[next_record_id]"]);
            }
        },
    };
    let matching: Vec<(&(String, String), &Measurements)> = st
        .hours
        .iter()
        .filter(|((fam, h), _)| {
            (families.iter().any(|f| f == "all" || f == fam))
                && h.as_str() >= start.as_str()
                && end.as_ref().is_none_or(|e| h.as_str() < e.as_str())
        })
        .collect();
    let page: Vec<Value> = matching
        .iter()
        .skip(offset)
        .take(limit)
        .map(|((fam, h), ms)| {
            json!({
                "id": format!("{fam}-{h}"),
                "type": "usage_timeseries",
                "attributes": {
                    "org_name": "logplan-test",
                    "public_id": "abc123",
                    "region": "us",
                    "product_family": fam,
                    "timestamp": format!("{h}:00:00+00:00"),
                    "measurements": ms.iter().map(|(t, v)| json!({"usage_type": t, "value": v})).collect::<Vec<_>>(),
                }
            })
        })
        .collect();
    let next = (offset + limit < matching.len()).then(|| format!("rec-{}", offset + limit));
    record(&mut st, 200);
    let mut body = json!({ "data": page });
    body["meta"] = match next {
        Some(n) => json!({ "pagination": { "next_record_id": n } }),
        None => json!({ "pagination": {} }),
    };
    reply(200, &[], body)
}

impl FakeDatadog {
    /// Binds 127.0.0.1 on any port and serves.
    pub async fn start(opts: DdOptions) -> FakeDatadog {
        let listener = TcpListener::bind(("127.0.0.1", 0))
            .await
            .expect("fake Datadog: bind 127.0.0.1");
        let addr = listener.local_addr().expect("bound address");
        let state = Arc::new(Mutex::new(State {
            opts,
            hours: BTreeMap::new(),
            requests: Vec::new(),
            served: 0,
        }));
        let st = state.clone();
        let task = crate::util::spawn_server(listener, move |req| {
            let resp = handle(&st, &req);
            async move { Ok::<_, std::convert::Infallible>(resp) }
        });
        FakeDatadog { state, addr, task }
    }

    /// `http://127.0.0.1:PORT` (for `DD_SITE`).
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The usage of one product family in one hour (`YYYY-MM-DDThh`).
    pub fn add_hour(&self, family: &str, hour: &str, measurements: &[(&str, Option<i64>)]) {
        lock(&self.state).hours.insert(
            (family.to_string(), hour.to_string()),
            measurements
                .iter()
                .map(|(t, v)| (t.to_string(), *v))
                .collect(),
        );
    }

    pub fn requests(&self) -> Vec<DdRequest> {
        lock(&self.state).requests.clone()
    }
}
