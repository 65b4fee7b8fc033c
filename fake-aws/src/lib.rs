//! `logplan-fake`: a fake AWS endpoint on 127.0.0.1 for logplan's integration
//! tests and benchmarks. Point the real AWS SDK for Rust at [`FakeAws::url`]
//! (`endpoint_url`) and it talks to this server end to end.
//!
//! One port serves three services, told apart the way AWS's wire protocols
//! tell them apart:
//!
//! * **CloudWatch** (`monitoring`) over Smithy RPC v2 CBOR:
//!   `POST /service/GraniteServiceVersion20100801/operation/<Op>` with
//!   `smithy-protocol: rpc-v2-cbor`. Only `GetMetricData` is implemented,
//!   following the CloudWatch API reference (limits, validation, bucketing,
//!   `ScanBy`, `MaxDatapoints`/`NextToken` pagination); see [`cloudwatch`].
//! * **CloudWatch Logs** over AWS JSON 1.1: `POST /` with
//!   `x-amz-target: Logs_20140328.<Op>`. `DescribeLogGroups`,
//!   `DescribeSubscriptionFilters`, `FilterLogEvents`, `PutQueryDefinition`,
//!   `DescribeQueryDefinitions`, `DeleteQueryDefinition`; see [`logs`].
//! * **STS** over the AWS query protocol: `POST /` with a form body
//!   `Action=GetCallerIdentity`; see [`sts`].
//!
//! Every response carries `x-amzn-requestid`. The region is read from the
//! SigV4 credential scope of the `authorization` header (default
//! `us-east-1`), and all state (log groups, metrics, events, query
//! definitions) is kept per region, as in AWS.
//!
//! Fault injection ([`Faults`]) is deterministic: request number `n` (a global
//! counter, restarted by [`FakeAws::set_faults`]) and `Faults::seed` decide,
//! in order, throttle → HTTP 500 → HTTP 503 → dropped connection, each an
//! independent draw from a splitmix64 stream seeded by `(seed, n)`. IAM-style
//! denials ([`FakeAws::deny`]) are checked before the random faults. Faults
//! apply to every request routed to an operation of any service (not to
//! 404s). Their wire form per service:
//!
//! | fault | CloudWatch (CBOR) | Logs (JSON) | STS (XML) |
//! | --- | --- | --- | --- |
//! | throttle | 400 `Throttling` "Rate exceeded" | 400 `ThrottlingException` | 400 `Throttling` |
//! | http500 | 500 `InternalFailure` | 500 `ServiceUnavailableException` | 500 `InternalFailure` |
//! | http503 | 503 `ServiceUnavailable` | 503 `ServiceUnavailableException` | 503 `ServiceUnavailable` |
//! | denied | 403 `AccessDenied` | 400 `AccessDeniedException` | 403 `AccessDenied` |
//! | drop | connection closed, no response | same | same |
//!
//! Every request, faulted or not, is recorded as a [`Call`].

pub mod cloudwatch;
pub mod logs;
pub mod sts;
mod util;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

/// Region used when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Account id used when [`FakeOptions::account_id`] is left at its default.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// Options for [`FakeAws::start`].
#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// The account every ARN and `GetCallerIdentity` reports.
    pub account_id: String,
    /// Initial fault configuration.
    pub faults: Faults,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
            faults: Faults::default(),
        }
    }
}

/// Deterministic fault injection. Probabilities are in `[0, 1]`; each request
/// draws independently for each kind, checked in field order.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Seed mixed with the request sequence number.
    pub seed: u64,
    /// Probability of a 400 throttling error (`Throttling` / `ThrottlingException`).
    pub throttle: f64,
    /// Probability of an HTTP 500.
    pub http500: f64,
    /// Probability of an HTTP 503.
    pub http503: f64,
    /// Probability of closing the connection without any response.
    pub drop_connection: f64,
    /// Slept before answering every request.
    pub latency: Duration,
    /// Cap every GetMetricData page at this many datapoints even when `MaxDatapoints` allows
    /// more: AWS may answer `PartialData` with a `NextToken` for its own reasons, and a client
    /// must follow it. `None` = only `MaxDatapoints` applies.
    pub page_datapoints: Option<usize>,
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Call {
    /// `"monitoring"`, `"logs"`, `"sts"` (or `"unknown"` for unroutable requests).
    pub service: String,
    /// The operation name, e.g. `"GetMetricData"`.
    pub operation: String,
    /// Region from the SigV4 credential scope.
    pub region: String,
    /// HTTP status sent; 0 when the connection was dropped.
    pub status: u16,
    /// `"throttle"`, `"500"`, `"503"`, `"drop"` or `"denied"` when a fault was injected.
    pub fault: Option<String>,
    /// Number of `MetricDataQueries` in a `GetMetricData` request (counted
    /// from the request body, so also for faulted calls); 0 otherwise.
    pub metric_queries: usize,
    /// Datapoints returned in the response (`GetMetricData`: values across
    /// all results; `FilterLogEvents`: events); 0 for errors.
    pub datapoints: usize,
}

/// A seeded CloudWatch Logs log group.
#[derive(Clone, Debug)]
pub struct LogGroup {
    pub name: String,
    /// `"STANDARD"`, `"INFREQUENT_ACCESS"` (or `"DELIVERY"`).
    pub class: String,
    pub retention_days: Option<i32>,
    pub stored_bytes: i64,
    pub creation_time_ms: i64,
}

impl LogGroup {
    /// A STANDARD group with no retention, 0 stored bytes, created at epoch 0.
    pub fn new(name: &str) -> Self {
        LogGroup {
            name: name.to_string(),
            class: "STANDARD".to_string(),
            retention_days: None,
            stored_bytes: 0,
            creation_time_ms: 0,
        }
    }
}

/// A seeded subscription filter.
#[derive(Clone, Debug)]
pub struct SubscriptionFilter {
    pub filter_name: String,
    pub destination_arn: String,
    pub filter_pattern: String,
    pub role_arn: Option<String>,
    /// `"ByLogStream"` or `"Random"`.
    pub distribution: String,
    pub creation_time_ms: i64,
}

/// A saved CloudWatch Logs Insights query definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryDefinition {
    pub id: String,
    pub name: String,
    pub query_string: String,
    pub log_group_names: Vec<String>,
    /// `"CWLI"`, `"SQL"` or `"PPL"`.
    pub query_language: String,
    pub last_modified_ms: i64,
}

/// A running fake. Dropping it stops the server and its connections.
pub struct FakeAws {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MetricKey {
    pub(crate) region: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    /// Sorted by (name, value).
    pub(crate) dims: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredEvent {
    pub(crate) stream: String,
    pub(crate) timestamp: i64,
    pub(crate) ingestion_time: i64,
    pub(crate) seq: u64,
    pub(crate) message: String,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupState {
    pub(crate) group: LogGroup,
    /// Keyed by filter name.
    pub(crate) filters: BTreeMap<String, SubscriptionFilter>,
    /// Kept sorted by (timestamp, ingestion_time, seq).
    pub(crate) events: Vec<StoredEvent>,
}

#[derive(Default)]
pub(crate) struct RegionState {
    pub(crate) groups: BTreeMap<String, GroupState>,
    /// Keyed by id.
    pub(crate) query_defs: HashMap<String, QueryDefinition>,
}

#[derive(Default)]
pub(crate) struct State {
    pub(crate) regions: HashMap<String, RegionState>,
    pub(crate) metrics: HashMap<MetricKey, Vec<(i64, f64)>>,
    pub(crate) event_seq: u64,
    pub(crate) query_def_seq: u64,
}

impl State {
    pub(crate) fn region_mut(&mut self, region: &str) -> &mut RegionState {
        self.regions.entry(region.to_string()).or_default()
    }
}

pub(crate) struct Inner {
    pub(crate) account_id: String,
    pub(crate) state: Mutex<State>,
    faults: Mutex<Faults>,
    denied: Mutex<HashSet<String>>,
    /// Actions allowed a number more times, then denied (a failure midway through a run).
    deny_after: Mutex<HashMap<String, usize>>,
    fault_seq: AtomicU64,
    request_seq: AtomicU64,
    calls: Mutex<Vec<Call>>,
}

/// Locks a mutex, ignoring poisoning (a panicking test thread must not wedge
/// the server for the others).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The services the fake speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    Monitoring,
    Logs,
    Sts,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Monitoring => "monitoring",
            Service::Logs => "logs",
            Service::Sts => "sts",
        }
    }

    fn iam_prefix(self) -> &'static str {
        match self {
            Service::Monitoring => "cloudwatch",
            Service::Logs => "logs",
            Service::Sts => "sts",
        }
    }

    /// Renders an error in this service's wire form.
    fn error_reply(self, e: &ApiError, request_id: &str) -> Reply {
        match self {
            Service::Monitoring => cloudwatch::error_reply(e),
            Service::Logs => logs::error_reply(e),
            Service::Sts => sts::error_reply(e, request_id),
        }
    }
}

/// An error in protocol-neutral form; each service renders it.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn bad(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }
}

/// A response before the request id is attached.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

/// What a service handler produced.
pub(crate) struct Handled {
    pub(crate) result: Result<Reply, ApiError>,
    pub(crate) datapoints: usize,
}

impl Handled {
    pub(crate) fn err(e: ApiError) -> Self {
        Handled {
            result: Err(e),
            datapoints: 0,
        }
    }
}

/// Per-request context passed to handlers.
pub(crate) struct Ctx<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) region: &'a str,
    pub(crate) request_id: &'a str,
}

impl Ctx<'_> {
    pub(crate) fn account(&self) -> &str {
        &self.inner.account_id
    }
}

enum Route {
    Op(Service, String),
    /// Recognised service, but the request cannot be routed to an operation.
    BadRequest(Service, ApiError),
    NotFound,
}

const CBOR_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
const LOGS_TARGET_PREFIX: &str = "Logs_20140328.";

fn route(parts: &http::request::Parts, body: &[u8]) -> Route {
    let path = parts.uri.path();
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(op) = path.strip_prefix(CBOR_PREFIX) {
        if parts.method != http::Method::POST {
            return Route::NotFound;
        }
        if header("smithy-protocol") != Some("rpc-v2-cbor") {
            return Route::BadRequest(
                Service::Monitoring,
                ApiError::bad(
                    "UnknownOperationException",
                    "requests must carry the header smithy-protocol: rpc-v2-cbor",
                ),
            );
        }
        return Route::Op(Service::Monitoring, op.to_string());
    }
    if path != "/" || parts.method != http::Method::POST {
        return Route::NotFound;
    }
    if let Some(target) = header("x-amz-target") {
        return match target.strip_prefix(LOGS_TARGET_PREFIX) {
            Some(op) => Route::Op(Service::Logs, op.to_string()),
            None => Route::BadRequest(
                Service::Logs,
                ApiError::bad(
                    "UnknownOperationException",
                    format!("unknown x-amz-target {target}"),
                ),
            ),
        };
    }
    let action = util::parse_form(body)
        .into_iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v);
    match action {
        Some(a) => Route::Op(Service::Sts, a),
        None => Route::BadRequest(
            Service::Sts,
            ApiError::bad(
                "MissingAction",
                "The request must contain the parameter Action.",
            ),
        ),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaultKind {
    Throttle,
    Http500,
    Http503,
    Drop,
}

impl FaultKind {
    fn label(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::Http500 => "500",
            FaultKind::Http503 => "503",
            FaultKind::Drop => "drop",
        }
    }
}

/// The fault for request number `n`, a pure function of `(faults, n)`.
fn decide_fault(f: &Faults, n: u64) -> Option<FaultKind> {
    let mut s = util::Stream::new(f.seed, n);
    let kinds = [
        (f.throttle, FaultKind::Throttle),
        (f.http500, FaultKind::Http500),
        (f.http503, FaultKind::Http503),
        (f.drop_connection, FaultKind::Drop),
    ];
    for (p, kind) in kinds {
        // Always draw, so one kind's probability does not shift the others' draws.
        let r = s.next_f64();
        if p > 0.0 && r < p {
            return Some(kind);
        }
    }
    None
}

fn fault_error(service: Service, kind: FaultKind) -> ApiError {
    match (service, kind) {
        (Service::Monitoring, FaultKind::Throttle) => ApiError::bad("Throttling", "Rate exceeded"),
        (Service::Logs, FaultKind::Throttle) => {
            ApiError::bad("ThrottlingException", "Rate exceeded")
        }
        (Service::Sts, FaultKind::Throttle) => ApiError::bad("Throttling", "Rate exceeded"),
        (Service::Logs, FaultKind::Http500) => ApiError::new(
            500,
            "ServiceUnavailableException",
            "The service cannot complete the request.",
        ),
        (_, FaultKind::Http500) => ApiError::new(
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        ),
        (Service::Logs, _) => ApiError::new(
            503,
            "ServiceUnavailableException",
            "The service cannot complete the request.",
        ),
        (_, _) => ApiError::new(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        ),
    }
}

fn denied_error(ctx: &Ctx<'_>, service: Service, action: &str, body: &[u8]) -> ApiError {
    let user = format!("arn:aws:iam::{}:user/fake", ctx.account());
    match service {
        Service::Logs => {
            let resource = logs::resource_arn_for(ctx, action, body);
            ApiError::bad(
                "AccessDeniedException",
                format!(
                    "User: {user} is not authorized to perform: {action} on resource: {resource} \
                     because no identity-based policy allows the {action} action"
                ),
            )
        }
        Service::Monitoring | Service::Sts => ApiError::new(
            403,
            "AccessDenied",
            format!(
                "User: {user} is not authorized to perform: {action} \
                 because no identity-based policy allows the {action} action"
            ),
        ),
    }
}

/// Marker error: makes hyper close the connection without a response.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fault injection: connection dropped")
    }
}

impl std::error::Error for DroppedConnection {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn handle(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, BoxError> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let region = util::region_from_authorization(
        parts
            .headers
            .get("authorization")
            .and_then(|v| v.to_str().ok()),
    )
    .unwrap_or_else(|| DEFAULT_REGION.to_string());
    let request_id = util::uuid_like(inner.request_seq.fetch_add(1, Ordering::Relaxed) ^ 0x5EED);

    let faults = lock(&inner.faults).clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let n = inner.fault_seq.fetch_add(1, Ordering::Relaxed);

    let ctx = Ctx {
        inner: &inner,
        region: &region,
        request_id: &request_id,
    };
    let mut call = Call {
        service: "unknown".to_string(),
        operation: String::new(),
        region: region.clone(),
        status: 0,
        fault: None,
        metric_queries: 0,
        datapoints: 0,
    };

    let reply: Option<Reply> = match route(&parts, &body) {
        Route::NotFound => Some(Reply {
            status: 404,
            headers: vec![("content-type", "text/plain".to_string())],
            body: b"no such route in logplan-fake".to_vec(),
        }),
        Route::BadRequest(service, e) => {
            call.service = service.name().to_string();
            Some(service.error_reply(&e, &request_id))
        }
        Route::Op(service, op) => {
            call.service = service.name().to_string();
            call.operation = op.clone();
            if service == Service::Monitoring && op == "GetMetricData" {
                call.metric_queries = cloudwatch::count_queries(&body);
            }
            let action = format!("{}:{}", service.iam_prefix(), op);
            let is_denied = lock(&inner.denied).contains(&action) || {
                let mut after = lock(&inner.deny_after);
                match after.get_mut(&action) {
                    Some(0) => true,
                    Some(n) => {
                        *n -= 1;
                        false
                    }
                    None => false,
                }
            };
            if is_denied {
                call.fault = Some("denied".to_string());
                Some(service.error_reply(&denied_error(&ctx, service, &action, &body), &request_id))
            } else if let Some(kind) = decide_fault(&faults, n) {
                call.fault = Some(kind.label().to_string());
                match kind {
                    FaultKind::Drop => None,
                    k => Some(service.error_reply(&fault_error(service, k), &request_id)),
                }
            } else {
                let handled = match service {
                    Service::Monitoring => cloudwatch::handle(&ctx, &op, &body),
                    Service::Logs => logs::handle(&ctx, &op, &body),
                    Service::Sts => sts::handle(&ctx, &op, &body),
                };
                match handled.result {
                    Ok(r) => {
                        call.datapoints = handled.datapoints;
                        Some(r)
                    }
                    Err(e) => Some(service.error_reply(&e, &request_id)),
                }
            }
        }
    };

    call.status = reply.as_ref().map_or(0, |r| r.status);
    lock(&inner.calls).push(call);

    let Some(reply) = reply else {
        return Err(Box::new(DroppedConnection));
    };
    let mut builder = Response::builder()
        .status(reply.status)
        .header("x-amzn-requestid", &request_id);
    for (k, v) in &reply.headers {
        builder = builder.header(*k, v);
    }
    Ok(builder.body(Full::new(Bytes::from(reply.body)))?)
}

impl FakeAws {
    /// Binds 127.0.0.1:0 and starts serving on the current tokio runtime.
    pub async fn start(opts: FakeOptions) -> FakeAws {
        Self::start_on(opts, 0)
            .await
            .expect("logplan-fake: cannot bind 127.0.0.1:0")
    }

    /// Like [`FakeAws::start`] but on a chosen port (0 = any).
    pub async fn start_on(opts: FakeOptions, port: u16) -> std::io::Result<FakeAws> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            account_id: opts.account_id,
            state: Mutex::new(State::default()),
            faults: Mutex::new(opts.faults),
            denied: Mutex::new(HashSet::new()),
            deny_after: Mutex::new(HashMap::new()),
            fault_seq: AtomicU64::new(0),
            request_seq: AtomicU64::new(0),
            calls: Mutex::new(Vec::new()),
        });
        let server_inner = inner.clone();
        let task = tokio::spawn(async move {
            // Dropping the JoinSet (when this task is aborted) aborts every
            // connection task too.
            let mut conns: JoinSet<()> = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        let inner = server_inner.clone();
                        conns.spawn(async move {
                            let svc = service_fn(move |req| handle(inner.clone(), req));
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), svc)
                                .await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Ok(FakeAws { inner, addr, task })
    }

    /// `http://127.0.0.1:PORT`, for the SDK's `endpoint_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn account_id(&self) -> String {
        self.inner.account_id.clone()
    }

    /// Adds (or replaces) a log group; its filters and events are kept on replace.
    pub fn add_log_group(&self, region: &str, g: LogGroup) {
        let mut st = lock(&self.inner.state);
        let groups = &mut st.region_mut(region).groups;
        match groups.get_mut(&g.name) {
            Some(existing) => existing.group = g,
            None => {
                groups.insert(
                    g.name.clone(),
                    GroupState {
                        group: g,
                        filters: BTreeMap::new(),
                        events: Vec::new(),
                    },
                );
            }
        }
    }

    /// Adds (or replaces, by name) a subscription filter. The log group is
    /// created with [`LogGroup::new`] defaults if it does not exist.
    pub fn add_subscription_filter(&self, region: &str, log_group: &str, f: SubscriptionFilter) {
        let mut st = lock(&self.inner.state);
        let gs = group_entry(st.region_mut(region), log_group);
        gs.filters.insert(f.filter_name.clone(), f);
    }

    /// Appends raw datapoints `(epoch seconds, value)` to a metric identified
    /// by namespace, name and its full dimension set.
    pub fn put_metric(
        &self,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[(&str, &str)],
        points: &[(i64, f64)],
    ) {
        let key = MetricKey {
            region: region.to_string(),
            namespace: namespace.to_string(),
            name: metric_name.to_string(),
            dims: sorted_dims(dims.iter().map(|(n, v)| (n.to_string(), v.to_string()))),
        };
        let mut st = lock(&self.inner.state);
        st.metrics.entry(key).or_default().extend_from_slice(points);
    }

    /// Appends log events `(timestamp ms, message)` to a stream. The log group
    /// is created with [`LogGroup::new`] defaults if it does not exist. The
    /// ingestion time of each event is its timestamp.
    pub fn put_log_events(
        &self,
        region: &str,
        log_group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) {
        let mut st = lock(&self.inner.state);
        let mut seq = st.event_seq;
        let gs = group_entry(st.region_mut(region), log_group);
        for (ts, msg) in events {
            seq += 1;
            gs.events.push(StoredEvent {
                stream: stream.to_string(),
                timestamp: *ts,
                ingestion_time: *ts,
                seq,
                message: msg.clone(),
            });
        }
        gs.events
            .sort_by_key(|e| (e.timestamp, e.ingestion_time, e.seq));
        st.event_seq = seq;
    }

    /// Replaces the fault configuration and restarts the fault sequence at 0,
    /// so the same `Faults` always yields the same sequence from here on.
    pub fn set_faults(&self, f: Faults) {
        *lock(&self.inner.faults) = f;
        self.inner.fault_seq.store(0, Ordering::SeqCst);
    }

    /// Denies an IAM action such as `"logs:DescribeSubscriptionFilters"`,
    /// `"cloudwatch:GetMetricData"` or `"sts:GetCallerIdentity"`.
    pub fn deny(&self, iam_action: &str) {
        lock(&self.inner.denied).insert(iam_action.to_string());
    }

    /// Lifts a denial made with [`FakeAws::deny`].
    /// Allow `iam_action` `n` more times, then answer AccessDenied: a run that fails midway.
    pub fn deny_after(&self, iam_action: &str, n: usize) {
        lock(&self.inner.deny_after).insert(iam_action.to_string(), n);
    }

    pub fn allow(&self, iam_action: &str) {
        lock(&self.inner.deny_after).remove(iam_action);
        lock(&self.inner.denied).remove(iam_action);
    }

    /// Every request recorded so far, in completion order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner.calls).clone()
    }

    pub fn clear_calls(&self) {
        lock(&self.inner.calls).clear();
    }

    /// The region's query definitions, sorted by name then id.
    pub fn query_definitions(&self, region: &str) -> Vec<QueryDefinition> {
        let st = lock(&self.inner.state);
        let mut v: Vec<QueryDefinition> = st
            .regions
            .get(region)
            .map(|r| r.query_defs.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        v
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn sorted_dims(it: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = it.collect();
    v.sort();
    v
}

fn group_entry<'a>(rs: &'a mut RegionState, name: &str) -> &'a mut GroupState {
    rs.groups
        .entry(name.to_string())
        .or_insert_with(|| GroupState {
            group: LogGroup::new(name),
            filters: BTreeMap::new(),
            events: Vec::new(),
        })
}

/// Current wall-clock time in epoch milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_decisions_are_pure_and_roughly_calibrated() {
        let f = Faults {
            seed: 42,
            throttle: 0.25,
            ..Faults::default()
        };
        let a: Vec<_> = (0..1000).map(|n| decide_fault(&f, n)).collect();
        let b: Vec<_> = (0..1000).map(|n| decide_fault(&f, n)).collect();
        assert_eq!(a, b);
        let throttled = a
            .iter()
            .filter(|x| **x == Some(FaultKind::Throttle))
            .count();
        assert!(
            (180..320).contains(&throttled),
            "throttled {throttled}/1000"
        );
        assert!(
            a.iter()
                .all(|x| x.is_none() || *x == Some(FaultKind::Throttle))
        );

        let other = Faults {
            seed: 43,
            ..f.clone()
        };
        let c: Vec<_> = (0..1000).map(|n| decide_fault(&other, n)).collect();
        assert_ne!(a, c, "a different seed gives a different sequence");

        let none = Faults::default();
        assert!((0..1000).all(|n| decide_fault(&none, n).is_none()));
        let all = Faults {
            drop_connection: 1.0,
            ..Faults::default()
        };
        assert!((0..100).all(|n| decide_fault(&all, n) == Some(FaultKind::Drop)));
    }
}
