//! CloudWatch (`monitoring`) over Smithy RPC v2 CBOR, as the AWS SDK for
//! Rust speaks it: `POST /service/GraniteServiceVersion20100801/operation/<Op>`
//! with `smithy-protocol: rpc-v2-cbor`. Requests may use indefinite-length
//! maps and arrays; timestamps are CBOR tag 1 around an int or float of epoch
//! seconds. Responses are `application/cbor` with `smithy-protocol:
//! rpc-v2-cbor`. Errors follow the RPC v2 CBOR error shape
//! `{"__type": "com.amazonaws.cloudwatch#<Code>", "message": ...}` plus the
//! `x-amzn-query-error: <Code>;Sender|Receiver` header CloudWatch sends for
//! its awsQueryCompatible codes (the SDK takes the error code from it).
//!
//! `GetMetricData`, `ListMetrics` and `GetMetricStatistics` are implemented;
//! any other operation answers 400 `UnknownOperationException`. What they
//! follow from the CloudWatch API reference:
//!
//! * `MetricDataQueries` 1..=500 items (more → `ValidationError` "The
//!   collection MetricDataQueries must not have a size greater than 500.");
//!   `StartTime`/`EndTime` required (absent → `MissingParameter`), `EndTime`
//!   strictly after `StartTime`; `ScanBy` `TimestampDescending` (default) or
//!   `TimestampAscending`; `MaxDatapoints` default 100,800, at least 1;
//!   `LabelOptions` ignored.
//! * Each query: `Id` required, `^[a-z][a-zA-Z0-9_]*$`, 1..=255 characters,
//!   unique in the request; exactly one of `MetricStat` / `Expression`;
//!   `MetricStat.Period` required, ≥ 1, one of 1, 5, 10, 20, 30 or a multiple
//!   of 60; `Stat` one of `Sum`, `Average`, `Minimum`, `Maximum`,
//!   `SampleCount`; at most 30 dimensions; `ReturnData` defaults to true and
//!   `false` leaves the query out of the response; `Unit` and the top-level
//!   `Period` are ignored when `MetricStat` is present.
//! * A stored metric matches only when namespace, metric name and the *full*
//!   dimension set are equal (order-insensitive), as CloudWatch matches
//!   metrics: a query naming a subset of the dimensions gets no data. Metrics
//!   are per (account, region): the caller's account (see the crate docs)
//!   and the request's region.
//! * Raw points in `[StartTime, EndTime)` are bucketed into
//!   `[StartTime + k·Period, StartTime + (k+1)·Period)`; empty buckets yield no
//!   datapoint; timestamps are bucket starts, ordered per `ScanBy`.
//! * Pagination: the datapoints of the returned queries, flattened in query
//!   order, are cut into pages of at most `MaxDatapoints`. A query cut short is
//!   `PartialData` and continues on the next page; queries not reached are not
//!   listed; a query with no datapoints is listed (empty, `Complete`) on the
//!   page that reaches it. `NextToken` is opaque and bound to a hash of the
//!   queries, times and `ScanBy`; reused with another request it is rejected
//!   with `InvalidNextToken`. Concatenating the pages gives exactly the
//!   one-shot answer.
//!
//! * A query's `AccountId` reads another account's metric: a linked source
//!   account's ([`crate::FakeAws::link_source`] with `AWS::CloudWatch::Metric`)
//!   from its monitoring account; any other answers the result with
//!   `StatusCode` `Forbidden` and a `Forbidden` message.
//! * `ListMetrics`: `Namespace`, `MetricName`, `Dimensions` (at most 10
//!   filters, each a name with an optional value; a metric matches when it has
//!   every one), `RecentlyActive` (`PT3H`), `IncludeLinkedAccounts` (with
//!   `OwningAccounts` in the answer, parallel to `Metrics`), `OwningAccount`,
//!   `NextToken`. Only metrics with a datapoint in the last two weeks are
//!   listed ("ListMetrics doesn't return information about metrics if those
//!   metrics haven't reported data in the past two weeks"), 500 a page, sorted
//!   by (account, namespace, name, dimensions).
//! * `GetMetricStatistics`: `Namespace`, `MetricName`, `StartTime`, `EndTime`,
//!   `Period` required (as for GetMetricData); `Statistics` 1..=5 of the five
//!   basic statistics (`ExtendedStatistics` rejected, as expressions are);
//!   `Dimensions` matched exactly; at most 1,440 datapoints per call (more →
//!   `InvalidParameterCombination`). `Datapoints` in ascending time, each with
//!   `Timestamp`, the statistics asked for and `Unit` `None`.
//!
//! Deviations from AWS: metric math `Expression`s are rejected with
//! `ValidationError` "expressions not supported by the fake"; percentile and
//! other extended statistics (`p99`, `TM90`, …) are rejected as invalid;
//! there is no data-retention downsampling (points of any age keep their
//! resolution) and no high-resolution check for sub-minute periods.

use std::collections::{BTreeMap, HashSet};

use ciborium::Value;

use crate::util::{Fnv, decode_token, encode_token};
use crate::{ApiError, Ctx, Handled, MetricKey, Reply, lock, sorted_dims};

/// The operations the fake implements; others answer `UnknownOperationException`
/// (or are forwarded to the upstream when there is one).
pub(crate) const OPERATIONS: &[&str] = &["GetMetricData", "ListMetrics", "GetMetricStatistics"];

const MAX_QUERIES: usize = 500;
const DEFAULT_MAX_DATAPOINTS: i128 = 100_800;
const MAX_DIMENSIONS: usize = 30;

pub(crate) fn error_reply(e: &ApiError) -> Reply {
    let body = Value::Map(vec![
        (
            Value::Text("__type".into()),
            Value::Text(format!("com.amazonaws.cloudwatch#{}", e.code)),
        ),
        (
            Value::Text("message".into()),
            Value::Text(e.message.clone()),
        ),
    ]);
    let side = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    Reply {
        status: e.status,
        headers: vec![
            ("content-type", "application/cbor".to_string()),
            ("smithy-protocol", "rpc-v2-cbor".to_string()),
            ("x-amzn-query-error", format!("{};{side}", e.code)),
        ],
        body: encode(&body),
    }
}

/// An RPC v2 CBOR error of a service other than CloudWatch (a request for
/// the upstream the fake refused or faulted): `{"__type": "<Code>", "message": …}`.
pub(crate) fn plain_error_reply(e: &ApiError) -> Reply {
    let body = Value::Map(vec![
        (Value::Text("__type".into()), Value::Text(e.code.clone())),
        (
            Value::Text("message".into()),
            Value::Text(e.message.clone()),
        ),
    ]);
    Reply {
        status: e.status,
        headers: vec![
            ("content-type", "application/cbor".to_string()),
            ("smithy-protocol", "rpc-v2-cbor".to_string()),
        ],
        body: encode(&body),
    }
}

fn ok_reply(v: &Value) -> Reply {
    Reply {
        status: 200,
        headers: vec![
            ("content-type", "application/cbor".to_string()),
            ("smithy-protocol", "rpc-v2-cbor".to_string()),
        ],
        body: encode(v),
    }
}

fn encode(v: &Value) -> Vec<u8> {
    let mut out = Vec::new();
    ciborium::into_writer(v, &mut out).expect("CBOR encoding into a Vec cannot fail");
    out
}

fn decode(body: &[u8]) -> Result<Value, ApiError> {
    if body.is_empty() {
        return Ok(Value::Map(Vec::new()));
    }
    ciborium::from_reader::<Value, _>(body)
        .map_err(|e| ApiError::bad("SerializationException", format!("invalid CBOR body: {e}")))
}

/// Number of `MetricDataQueries` in a request body (0 if unparseable).
pub(crate) fn count_queries(body: &[u8]) -> usize {
    match decode(body) {
        Ok(Value::Map(m)) => match get(&m, "MetricDataQueries") {
            Some(Value::Array(a)) => a.len(),
            _ => 0,
        },
        _ => 0,
    }
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, body: &[u8]) -> Handled {
    match op {
        "GetMetricData" => get_metric_data(ctx, body),
        "ListMetrics" => list_metrics(ctx, body).unwrap_or_else(Handled::err),
        "GetMetricStatistics" => get_metric_statistics(ctx, body).unwrap_or_else(Handled::err),
        other => Handled::err(ApiError::bad(
            "UnknownOperationException",
            format!("operation {other} is not supported by logplan-fake"),
        )),
    }
}

// ---------------------------------------------------------------- decoding

type Map = [(Value, Value)];

fn get<'a>(m: &'a Map, key: &str) -> Option<&'a Value> {
    m.iter()
        .find(|(k, _)| matches!(k, Value::Text(t) if t == key))
        .map(|(_, v)| v)
        .filter(|v| !v.is_null())
}

fn type_err(field: &str, want: &str) -> ApiError {
    ApiError::bad(
        "SerializationException",
        format!("expected {want} for field {field}"),
    )
}

fn as_map<'a>(v: &'a Value, field: &str) -> Result<&'a Map, ApiError> {
    match v {
        Value::Map(m) => Ok(m),
        _ => Err(type_err(field, "a map")),
    }
}

fn as_array<'a>(v: &'a Value, field: &str) -> Result<&'a [Value], ApiError> {
    match v {
        Value::Array(a) => Ok(a),
        _ => Err(type_err(field, "an array")),
    }
}

fn as_str<'a>(v: &'a Value, field: &str) -> Result<&'a str, ApiError> {
    match v {
        Value::Text(s) => Ok(s),
        _ => Err(type_err(field, "a text string")),
    }
}

fn as_int(v: &Value, field: &str) -> Result<i128, ApiError> {
    match v {
        Value::Integer(i) => Ok(i128::from(*i)),
        _ => Err(type_err(field, "an integer")),
    }
}

fn as_bool(v: &Value, field: &str) -> Result<bool, ApiError> {
    match v {
        Value::Bool(b) => Ok(*b),
        _ => Err(type_err(field, "a boolean")),
    }
}

/// A CBOR tag-1 timestamp (int or float epoch seconds) as epoch milliseconds.
fn as_timestamp_ms(v: &Value, field: &str) -> Result<i64, ApiError> {
    match v {
        Value::Tag(1, inner) => match inner.as_ref() {
            Value::Integer(i) => {
                let s = i128::from(*i);
                i64::try_from(s.saturating_mul(1000))
                    .map_err(|_| type_err(field, "a timestamp in range"))
            }
            Value::Float(f) if f.is_finite() => Ok((f * 1000.0).round() as i64),
            _ => Err(type_err(field, "a tag-1 timestamp with an int or float")),
        },
        _ => Err(type_err(field, "a tag-1 timestamp")),
    }
}

fn missing(name: &str) -> ApiError {
    ApiError::bad(
        "MissingParameter",
        format!("The parameter {name} is required."),
    )
}

fn validation(msg: impl Into<String>) -> ApiError {
    ApiError::bad("ValidationError", msg)
}

// ---------------------------------------------------------------- request

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Stat {
    Sum,
    Average,
    Minimum,
    Maximum,
    SampleCount,
}

impl Stat {
    fn parse(s: &str) -> Option<Stat> {
        Some(match s {
            "Sum" => Stat::Sum,
            "Average" => Stat::Average,
            "Minimum" => Stat::Minimum,
            "Maximum" => Stat::Maximum,
            "SampleCount" => Stat::SampleCount,
            _ => return None,
        })
    }

    fn name(self) -> &'static str {
        match self {
            Stat::Sum => "Sum",
            Stat::Average => "Average",
            Stat::Minimum => "Minimum",
            Stat::Maximum => "Maximum",
            Stat::SampleCount => "SampleCount",
        }
    }

    fn apply(self, a: &Acc) -> f64 {
        match self {
            Stat::Sum => a.sum,
            Stat::Average => a.sum / a.count as f64,
            Stat::Minimum => a.min,
            Stat::Maximum => a.max,
            Stat::SampleCount => a.count as f64,
        }
    }
}

#[derive(Debug)]
struct Query {
    /// `AccountId`: another account's metric (monitoring account).
    account: Option<String>,
    id: String,
    label: Option<String>,
    return_data: bool,
    namespace: String,
    metric_name: String,
    dims: Vec<(String, String)>,
    period: i64,
    stat: Stat,
}

#[derive(Debug)]
struct GmdRequest {
    queries: Vec<Query>,
    start_ms: i64,
    end_ms: i64,
    next_token: Option<String>,
    descending: bool,
    max_datapoints: usize,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z'))
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && id.len() <= 255
}

fn parse_request(body: &[u8]) -> Result<GmdRequest, ApiError> {
    let root = decode(body)?;
    let m = as_map(&root, "GetMetricDataInput")?;

    let queries_v = get(m, "MetricDataQueries").ok_or_else(|| missing("MetricDataQueries"))?;
    let queries_a = as_array(queries_v, "MetricDataQueries")?;
    if queries_a.len() > MAX_QUERIES {
        return Err(validation(format!(
            "The collection MetricDataQueries must not have a size greater than {MAX_QUERIES}."
        )));
    }
    if queries_a.is_empty() {
        return Err(validation(
            "The collection MetricDataQueries must not have a size less than 1.",
        ));
    }

    let start_ms = as_timestamp_ms(
        get(m, "StartTime").ok_or_else(|| missing("StartTime"))?,
        "StartTime",
    )?;
    let end_ms = as_timestamp_ms(
        get(m, "EndTime").ok_or_else(|| missing("EndTime"))?,
        "EndTime",
    )?;
    if end_ms <= start_ms {
        return Err(validation(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }

    let next_token = get(m, "NextToken")
        .map(|v| as_str(v, "NextToken").map(str::to_string))
        .transpose()?;
    let descending = match get(m, "ScanBy").map(|v| as_str(v, "ScanBy")).transpose()? {
        None | Some("TimestampDescending") => true,
        Some("TimestampAscending") => false,
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'scanBy' failed to satisfy constraint: \
                 Member must satisfy enum value set: [TimestampDescending, TimestampAscending]"
            )));
        }
    };
    let max_datapoints = match get(m, "MaxDatapoints") {
        None => DEFAULT_MAX_DATAPOINTS,
        Some(v) => as_int(v, "MaxDatapoints")?,
    };
    if max_datapoints < 1 {
        return Err(validation(
            "The parameter MaxDatapoints must be greater than or equal to 1.",
        ));
    }
    let max_datapoints = usize::try_from(max_datapoints).unwrap_or(usize::MAX);

    let mut queries = Vec::with_capacity(queries_a.len());
    let mut ids = HashSet::new();
    for (i, qv) in queries_a.iter().enumerate() {
        let member = format!("MetricDataQueries.member.{}", i + 1);
        let q = parse_query(qv, &member)?;
        if !ids.insert(q.id.clone()) {
            return Err(validation(
                "The values for parameter id in MetricDataQueries are not unique.",
            ));
        }
        queries.push(q);
    }

    Ok(GmdRequest {
        queries,
        start_ms,
        end_ms,
        next_token,
        descending,
        max_datapoints,
    })
}

fn parse_query(qv: &Value, member: &str) -> Result<Query, ApiError> {
    let q = as_map(qv, member)?;
    let id_field = format!("{member}.Id");
    let id = as_str(get(q, "Id").ok_or_else(|| missing(&id_field))?, &id_field)?.to_string();
    if !valid_id(&id) {
        return Err(validation(format!(
            "The value {id} for parameter {id_field} is not matching the expected pattern ^[a-z][a-zA-Z0-9_]*$."
        )));
    }
    let label = get(q, "Label")
        .map(|v| as_str(v, "Label").map(str::to_string))
        .transpose()?;
    let return_data = get(q, "ReturnData")
        .map(|v| as_bool(v, "ReturnData"))
        .transpose()?
        .unwrap_or(true);

    let stat_v = get(q, "MetricStat");
    let expr_v = get(q, "Expression");
    let ms = match (stat_v, expr_v) {
        (Some(_), Some(_)) | (None, None) => {
            return Err(validation(format!(
                "Exactly one element of the MetricStat or the Expression must be provided in {member}."
            )));
        }
        (None, Some(_)) => {
            return Err(validation(format!(
                "{member}.Expression: expressions not supported by the fake"
            )));
        }
        (Some(v), None) => as_map(v, &format!("{member}.MetricStat"))?,
    };

    let metric_field = format!("{member}.MetricStat.Metric");
    let metric = as_map(
        get(ms, "Metric").ok_or_else(|| missing(&metric_field))?,
        &metric_field,
    )?;
    let ns_field = format!("{metric_field}.Namespace");
    let namespace = as_str(
        get(metric, "Namespace").ok_or_else(|| missing(&ns_field))?,
        &ns_field,
    )?;
    let name_field = format!("{metric_field}.MetricName");
    let metric_name = as_str(
        get(metric, "MetricName").ok_or_else(|| missing(&name_field))?,
        &name_field,
    )?;
    let dims_field = format!("{metric_field}.Dimensions");
    let mut dims = Vec::new();
    if let Some(dv) = get(metric, "Dimensions") {
        let arr = as_array(dv, &dims_field)?;
        if arr.len() > MAX_DIMENSIONS {
            return Err(validation(format!(
                "The collection {dims_field} must not have a size greater than {MAX_DIMENSIONS}."
            )));
        }
        for (j, d) in arr.iter().enumerate() {
            let df = format!("{dims_field}.member.{}", j + 1);
            let dm = as_map(d, &df)?;
            let n = as_str(
                get(dm, "Name").ok_or_else(|| missing(&format!("{df}.Name")))?,
                &df,
            )?;
            let v = as_str(
                get(dm, "Value").ok_or_else(|| missing(&format!("{df}.Value")))?,
                &df,
            )?;
            dims.push((n.to_string(), v.to_string()));
        }
    }

    let period_field = format!("{member}.MetricStat.Period");
    let period = as_int(
        get(ms, "Period").ok_or_else(|| missing(&period_field))?,
        &period_field,
    )?;
    if period < 1 {
        return Err(validation(format!(
            "The parameter {period_field} must be greater than or equal to 1."
        )));
    }
    if !(matches!(period, 1 | 5 | 10 | 20 | 30) || period % 60 == 0) {
        return Err(validation(format!(
            "The parameter {period_field} must be a multiple of 60 or equal to 1, 5, 10, 20, 30."
        )));
    }
    let period =
        i64::try_from(period).map_err(|_| validation(format!("{period_field} is too large.")))?;

    let stat_field = format!("{member}.MetricStat.Stat");
    let stat_s = as_str(
        get(ms, "Stat").ok_or_else(|| missing(&stat_field))?,
        &stat_field,
    )?;
    let stat = Stat::parse(stat_s).ok_or_else(|| {
        validation(format!(
            "The value {stat_s} for parameter {stat_field} is not a valid statistic \
             (the fake supports Sum, Average, Minimum, Maximum, SampleCount)."
        ))
    })?;

    let account = get(q, "AccountId")
        .map(|v| as_str(v, "AccountId").map(str::to_string))
        .transpose()?;
    Ok(Query {
        account,
        id,
        label,
        return_data,
        namespace: namespace.to_string(),
        metric_name: metric_name.to_string(),
        dims: sorted_dims(dims.into_iter()),
        period,
        stat,
    })
}

fn request_hash(r: &GmdRequest) -> u64 {
    let mut h = Fnv::new();
    h.i64(r.start_ms)
        .i64(r.end_ms)
        .str(if r.descending { "desc" } else { "asc" });
    for q in &r.queries {
        h.str(q.account.as_deref().unwrap_or("\u{0}"));
        h.str(&q.id)
            .str(q.label.as_deref().unwrap_or("\u{0}"))
            .str(if q.return_data { "1" } else { "0" })
            .str(&q.namespace)
            .str(&q.metric_name)
            .i64(q.period)
            .str(q.stat.name());
        for (n, v) in &q.dims {
            h.str(n).str(v);
        }
        h.str("\u{1}");
    }
    h.finish()
}

// ---------------------------------------------------------------- evaluation

#[derive(Clone, Copy)]
struct Acc {
    sum: f64,
    count: u64,
    min: f64,
    max: f64,
}

struct Series {
    id: String,
    label: String,
    /// (bucket start in epoch ms, value), ordered per ScanBy.
    points: Vec<(i64, f64)>,
    /// `AccountId` named an account the caller does not see.
    forbidden: bool,
}

/// The raw points of `key` in `[start_ms, end_ms)` in buckets of `period` seconds from
/// `start_ms`, keyed by bucket index.
fn bucketed(
    st: &crate::State,
    key: &MetricKey,
    start_ms: i64,
    end_ms: i64,
    period: i64,
) -> BTreeMap<i64, Acc> {
    let period_ms = period.saturating_mul(1000);
    let mut buckets: BTreeMap<i64, Acc> = BTreeMap::new();
    if let Some(raw) = st.metrics.get(key) {
        for &(ts, v) in raw {
            let t = ts.saturating_mul(1000);
            if t < start_ms || t >= end_ms {
                continue;
            }
            let k = (t - start_ms) / period_ms;
            buckets
                .entry(k)
                .and_modify(|a| {
                    a.sum += v;
                    a.count += 1;
                    a.min = a.min.min(v);
                    a.max = a.max.max(v);
                })
                .or_insert(Acc {
                    sum: v,
                    count: 1,
                    min: v,
                    max: v,
                });
        }
    }
    buckets
}

fn evaluate(ctx: &Ctx<'_>, r: &GmdRequest) -> Vec<Series> {
    let st = lock(&ctx.inner.state);
    r.queries
        .iter()
        .filter(|q| q.return_data)
        .map(|q| {
            let account = q.account.as_deref().unwrap_or(ctx.account());
            let forbidden = !st.sees(ctx.account(), ctx.region, account, crate::METRICS);
            let key = MetricKey {
                account: account.to_string(),
                region: ctx.region.to_string(),
                namespace: q.namespace.clone(),
                name: q.metric_name.clone(),
                dims: q.dims.clone(),
            };
            let period_ms = q.period.saturating_mul(1000);
            let buckets = if forbidden {
                BTreeMap::new()
            } else {
                bucketed(&st, &key, r.start_ms, r.end_ms, q.period)
            };
            let mut points: Vec<(i64, f64)> = buckets
                .iter()
                .map(|(k, a)| (r.start_ms + k * period_ms, q.stat.apply(a)))
                .collect();
            if r.descending {
                points.reverse();
            }
            Series {
                id: q.id.clone(),
                label: q.label.clone().unwrap_or_else(|| q.metric_name.clone()),
                points,
                forbidden,
            }
        })
        .collect()
}

fn invalid_token() -> ApiError {
    ApiError::bad(
        "InvalidNextToken",
        "The service couldn't process the NextToken.",
    )
}

/// Position `(series index, offset in that series)` from a token.
fn parse_position(token: &str, hash: u64, series: &[Series]) -> Result<(usize, usize), ApiError> {
    let f = decode_token(token).ok_or_else(invalid_token)?;
    if f.len() != 4 || f[0] != "gmd1" || f[3] != format!("{hash:016x}") {
        return Err(invalid_token());
    }
    let qi: usize = f[1].parse().map_err(|_| invalid_token())?;
    let off: usize = f[2].parse().map_err(|_| invalid_token())?;
    if qi > series.len() || (qi < series.len() && off > series[qi].points.len()) {
        return Err(invalid_token());
    }
    Ok((qi, off))
}

fn ts_value(ms: i64) -> Value {
    Value::Tag(1, Box::new(Value::Float(ms as f64 / 1000.0)))
}

fn text(s: &str) -> Value {
    Value::Text(s.to_string())
}

/// A `MessageData`: `{"Code", "Value"}`.
fn message(code: &str, value: &str) -> Value {
    Value::Map(vec![
        (text("Code"), text(code)),
        (text("Value"), text(value)),
    ])
}

fn get_metric_data(ctx: &Ctx<'_>, body: &[u8]) -> Handled {
    let req = match parse_request(body) {
        Ok(r) => r,
        Err(e) => return Handled::err(e),
    };
    let hash = request_hash(&req);
    let series = evaluate(ctx, &req);
    let (mut qi, mut off) = match &req.next_token {
        None => (0, 0),
        Some(t) => match parse_position(t, hash, &series) {
            Ok(p) => p,
            Err(e) => return Handled::err(e),
        },
    };

    let page_cap = super::lock(&ctx.inner.faults).page_datapoints;
    let mut budget = page_cap.map_or(req.max_datapoints, |c| c.clamp(1, req.max_datapoints));
    let mut results = Vec::new();
    let mut returned = 0usize;
    let mut next = None;
    while qi < series.len() {
        let s = &series[qi];
        let remaining = &s.points[off..];
        let (page, status) = if s.forbidden {
            (remaining, "Forbidden")
        } else if remaining.len() <= budget {
            (remaining, "Complete")
        } else if budget == 0 {
            next = Some((qi, off));
            break;
        } else {
            next = Some((qi, off + budget));
            (&remaining[..budget], "PartialData")
        };
        budget -= page.len();
        returned += page.len();
        results.push(Value::Map(vec![
            (text("Id"), text(&s.id)),
            (text("Label"), text(&s.label)),
            (
                text("Timestamps"),
                Value::Array(page.iter().map(|(t, _)| ts_value(*t)).collect()),
            ),
            (
                text("Values"),
                Value::Array(page.iter().map(|(_, v)| Value::Float(*v)).collect()),
            ),
            (text("StatusCode"), text(status)),
            (
                text("Messages"),
                Value::Array(if s.forbidden {
                    vec![message(
                        "Forbidden",
                        "The account is not linked to this monitoring account",
                    )]
                } else {
                    Vec::new()
                }),
            ),
        ]));
        if next.is_some() {
            break;
        }
        qi += 1;
        off = 0;
    }

    let knobs = super::lock(&ctx.inner.faults).clone();
    let messages = knobs
        .metric_data_messages
        .iter()
        .map(|(c, v)| message(c, v))
        .collect();
    let mut out = vec![
        (text("MetricDataResults"), Value::Array(results)),
        (text("Messages"), Value::Array(messages)),
    ];
    if knobs.drop_partial_token {
        next = None;
    }
    if let Some((q, o)) = next {
        let token = encode_token(&[
            "gmd1",
            &q.to_string(),
            &o.to_string(),
            &format!("{hash:016x}"),
        ]);
        out.push((text("NextToken"), Value::Text(token)));
    }
    Handled {
        result: Ok(ok_reply(&Value::Map(out))),
        datapoints: returned,
    }
}

// ---------------------------------------------------------------- ListMetrics

const LIST_METRICS_PAGE: usize = 500;
const TWO_WEEKS_SECS: i64 = 14 * 86_400;

fn opt_text<'a>(m: &'a Map, key: &str) -> Result<Option<&'a str>, ApiError> {
    get(m, key).map(|v| as_str(v, key)).transpose()
}

fn check_text_len(v: Option<&str>, field: &str) -> Result<(), ApiError> {
    if let Some(s) = v
        && !(1..=255).contains(&s.chars().count())
    {
        return Err(validation(format!(
            "The parameter {field} must be between 1 and 255 characters long."
        )));
    }
    Ok(())
}

fn list_metrics(ctx: &Ctx<'_>, body: &[u8]) -> Result<Handled, ApiError> {
    let root = decode(body)?;
    let m = as_map(&root, "ListMetricsInput")?;
    let namespace = opt_text(m, "Namespace")?;
    let name = opt_text(m, "MetricName")?;
    check_text_len(namespace, "Namespace")?;
    check_text_len(name, "MetricName")?;
    let mut filters: Vec<(String, Option<String>)> = Vec::new();
    if let Some(dv) = get(m, "Dimensions") {
        let arr = as_array(dv, "Dimensions")?;
        if arr.len() > 10 {
            return Err(validation(
                "The collection Dimensions must not have a size greater than 10.",
            ));
        }
        for d in arr {
            let dm = as_map(d, "Dimensions.member")?;
            let n = as_str(
                get(dm, "Name").ok_or_else(|| missing("Dimensions.member.Name"))?,
                "Name",
            )?;
            let v = opt_text(dm, "Value")?;
            filters.push((n.to_string(), v.map(str::to_string)));
        }
    }
    let recently = match opt_text(m, "RecentlyActive")? {
        None => false,
        Some("PT3H") => true,
        Some(other) => {
            return Err(validation(format!(
                "1 validation error detected: Value '{other}' at 'recentlyActive' failed to \
                 satisfy constraint: Member must satisfy enum value set: [PT3H]"
            )));
        }
    };
    let linked = get(m, "IncludeLinkedAccounts")
        .map(|v| as_bool(v, "IncludeLinkedAccounts"))
        .transpose()?
        .unwrap_or(false);
    let owning = opt_text(m, "OwningAccount")?;
    let token = opt_text(m, "NextToken")?;

    let mut h = Fnv::new();
    h.str(namespace.unwrap_or("\u{0}"))
        .str(name.unwrap_or("\u{0}"))
        .str(if recently { "3h" } else { "-" })
        .str(if linked { "l" } else { "-" })
        .str(owning.unwrap_or("\u{0}"));
    for (n, v) in &filters {
        h.str(n).str(v.as_deref().unwrap_or("\u{0}"));
    }
    let hash = format!("{:016x}", h.finish());
    let offset: usize = match token {
        None => 0,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, th, off]) if kind == "lm1" && *th == hash => {
                off.parse().map_err(|_| invalid_token())?
            }
            _ => return Err(invalid_token()),
        },
    };

    let now = crate::now_ms() / 1000;
    let since = now - if recently { 3 * 3_600 } else { TWO_WEEKS_SECS };
    let st = lock(&ctx.inner.state);
    let accounts: Vec<String> = if linked {
        st.visible_accounts(ctx.account(), ctx.region, crate::METRICS)
    } else {
        vec![ctx.account().to_string()]
    };
    let mut found: Vec<&MetricKey> = st
        .metrics
        .iter()
        .filter(|(k, points)| {
            k.region == ctx.region
                && accounts.contains(&k.account)
                && owning.is_none_or(|o| k.account == o)
                && namespace.is_none_or(|n| k.namespace == n)
                && name.is_none_or(|n| k.name == n)
                && filters.iter().all(|(fname, fval)| {
                    k.dims
                        .iter()
                        .any(|(dn, dv)| dn == fname && fval.as_ref().is_none_or(|fv| fv == dv))
                })
                && points.iter().any(|(ts, _)| *ts >= since)
        })
        .map(|(k, _)| k)
        .collect();
    found.sort_by(|a, b| {
        (&a.account, &a.namespace, &a.name, &a.dims).cmp(&(
            &b.account,
            &b.namespace,
            &b.name,
            &b.dims,
        ))
    });
    if offset > found.len() {
        return Err(invalid_token());
    }
    let end = (offset + LIST_METRICS_PAGE).min(found.len());
    let page = &found[offset..end];
    let metrics = page
        .iter()
        .map(|k| {
            Value::Map(vec![
                (text("Namespace"), text(&k.namespace)),
                (text("MetricName"), text(&k.name)),
                (
                    text("Dimensions"),
                    Value::Array(
                        k.dims
                            .iter()
                            .map(|(n, v)| {
                                Value::Map(vec![(text("Name"), text(n)), (text("Value"), text(v))])
                            })
                            .collect(),
                    ),
                ),
            ])
        })
        .collect();
    let mut out = vec![(text("Metrics"), Value::Array(metrics))];
    if linked {
        out.push((
            text("OwningAccounts"),
            Value::Array(page.iter().map(|k| text(&k.account)).collect()),
        ));
    }
    if end < found.len() {
        out.push((
            text("NextToken"),
            text(&encode_token(&["lm1", &hash, &end.to_string()])),
        ));
    }
    Ok(Handled {
        result: Ok(ok_reply(&Value::Map(out))),
        datapoints: 0,
    })
}

// ---------------------------------------------------------------- GetMetricStatistics

const MAX_STATISTICS_DATAPOINTS: i64 = 1_440;

fn get_metric_statistics(ctx: &Ctx<'_>, body: &[u8]) -> Result<Handled, ApiError> {
    let root = decode(body)?;
    let m = as_map(&root, "GetMetricStatisticsInput")?;
    let namespace = opt_text(m, "Namespace")?.ok_or_else(|| missing("Namespace"))?;
    let name = opt_text(m, "MetricName")?.ok_or_else(|| missing("MetricName"))?;
    let start_ms = as_timestamp_ms(
        get(m, "StartTime").ok_or_else(|| missing("StartTime"))?,
        "StartTime",
    )?;
    let end_ms = as_timestamp_ms(
        get(m, "EndTime").ok_or_else(|| missing("EndTime"))?,
        "EndTime",
    )?;
    if end_ms <= start_ms {
        return Err(validation(
            "The parameter StartTime must be less than the parameter EndTime.",
        ));
    }
    let period = as_int(get(m, "Period").ok_or_else(|| missing("Period"))?, "Period")?;
    if period < 1 || !(matches!(period, 1 | 5 | 10 | 20 | 30) || period % 60 == 0) {
        return Err(validation(
            "The parameter Period must be a multiple of 60 or equal to 1, 5, 10, 20, 30.",
        ));
    }
    let period = i64::try_from(period).map_err(|_| validation("Period is too large."))?;
    if get(m, "ExtendedStatistics").is_some() {
        return Err(validation(
            "ExtendedStatistics are not supported by logplan-fake",
        ));
    }
    let stats_v = get(m, "Statistics").ok_or_else(|| {
        ApiError::bad(
            "MissingParameter",
            "Must specify either Statistics or ExtendedStatistics.",
        )
    })?;
    let stats_a = as_array(stats_v, "Statistics")?;
    if stats_a.is_empty() || stats_a.len() > 5 {
        return Err(validation(
            "The collection Statistics must have between 1 and 5 members.",
        ));
    }
    let mut stats = Vec::new();
    for v in stats_a {
        let s = as_str(v, "Statistics.member")?;
        stats.push(Stat::parse(s).ok_or_else(|| {
            validation(format!(
                "The value {s} for parameter Statistics.member is not valid."
            ))
        })?);
    }
    let mut dims = Vec::new();
    if let Some(dv) = get(m, "Dimensions") {
        let arr = as_array(dv, "Dimensions")?;
        if arr.len() > MAX_DIMENSIONS {
            return Err(validation(format!(
                "The collection Dimensions must not have a size greater than {MAX_DIMENSIONS}."
            )));
        }
        for d in arr {
            let dm = as_map(d, "Dimensions.member")?;
            let n = as_str(
                get(dm, "Name").ok_or_else(|| missing("Dimensions.member.Name"))?,
                "Name",
            )?;
            let v = as_str(
                get(dm, "Value").ok_or_else(|| missing("Dimensions.member.Value"))?,
                "Value",
            )?;
            dims.push((n.to_string(), v.to_string()));
        }
    }
    let period_ms = period.saturating_mul(1000);
    let span = (end_ms - start_ms + period_ms - 1) / period_ms;
    if span > MAX_STATISTICS_DATAPOINTS {
        return Err(ApiError::bad(
            "InvalidParameterCombination",
            format!(
                "You have requested up to {span} datapoints, which exceeds the limit of \
                 {MAX_STATISTICS_DATAPOINTS}. You may reduce the datapoints requested by \
                 increasing Period, or decreasing the time range."
            ),
        ));
    }
    let key = MetricKey {
        account: ctx.account().to_string(),
        region: ctx.region.to_string(),
        namespace: namespace.to_string(),
        name: name.to_string(),
        dims: sorted_dims(dims.into_iter()),
    };
    let st = lock(&ctx.inner.state);
    let buckets = bucketed(&st, &key, start_ms, end_ms, period);
    drop(st);
    let datapoints: Vec<Value> = buckets
        .iter()
        .map(|(k, a)| {
            let mut fields = vec![(text("Timestamp"), ts_value(start_ms + k * period * 1000))];
            for s in &stats {
                fields.push((text(s.name()), Value::Float(s.apply(a))));
            }
            fields.push((text("Unit"), text("None")));
            Value::Map(fields)
        })
        .collect();
    let n = datapoints.len();
    let out = Value::Map(vec![
        (text("Label"), text(name)),
        (text("Datapoints"), Value::Array(datapoints)),
    ]);
    Ok(Handled {
        result: Ok(ok_reply(&out)),
        datapoints: n,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn id_pattern() {
        assert!(valid_id("a"));
        assert!(valid_id("q_1A"));
        assert!(!valid_id("1a"));
        assert!(!valid_id("A"));
        assert!(!valid_id(""));
        assert!(!valid_id("a-b"));
        assert!(!valid_id(&format!("a{}", "b".repeat(255))));
    }

    #[test]
    fn timestamps_accept_int_and_float() {
        let i = Value::Tag(1, Box::new(Value::Integer(1_700_000_000.into())));
        let f = Value::Tag(1, Box::new(Value::Float(1_700_000_000.5)));
        assert_eq!(as_timestamp_ms(&i, "t").unwrap(), 1_700_000_000_000);
        assert_eq!(as_timestamp_ms(&f, "t").unwrap(), 1_700_000_000_500);
        assert!(as_timestamp_ms(&Value::Integer(5.into()), "t").is_err());
    }
}
