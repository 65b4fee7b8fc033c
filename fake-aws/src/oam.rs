//! OAM (CloudWatch Observability Access Manager, cross-account observability) over REST-JSON:
//! `POST /<Operation>` with a JSON body, as the AWS SDK for Rust's `aws-sdk-oam` sends it.
//! Errors are the status with the `x-amzn-errortype` header and `{"message": ...}` (restJson1).
//!
//! Implemented, following the OAM API reference:
//!
//! * `ListSinks` (`MaxResults` 1..=100, default 100; `NextToken`): the caller's sinks in the
//!   request's region, `{"Items": [{"Arn", "Id", "Name"}]}`. A monitoring account has a sink as
//!   soon as one source account is linked to it ([`crate::FakeAws::link_source`]); its ARN is
//!   `arn:aws:oam:<region>:<account>:sink/<id>` with a stable id.
//! * `ListAttachedLinks` (`SinkIdentifier` required, a sink ARN of the caller; `MaxResults`
//!   1..=1000, default 100; `NextToken`): `{"Items": [{"Label", "LinkArn", "ResourceTypes"}]}`,
//!   one per linked source account; the link ARN lives in the source account
//!   (`arn:aws:oam:<region>:<source>:link/<id>`), the label is the source account id. An unknown
//!   sink is 404 `ResourceNotFoundException`; a missing identifier 400
//!   `MissingRequiredParameterException`.

use serde_json::{Value, json};

use crate::util::{decode_token, encode_token, uuid_like};
use crate::{ApiError, Ctx, Handled, Reply, lock};

pub(crate) const OPERATIONS: &[&str] = &["ListSinks", "ListAttachedLinks"];

pub(crate) fn error_reply(e: &ApiError) -> Reply {
    Reply {
        status: e.status,
        headers: vec![
            ("content-type", "application/json".to_string()),
            ("x-amzn-errortype", e.code.clone()),
        ],
        body: serde_json::to_vec(&json!({ "message": e.message }))
            .expect("JSON encoding cannot fail"),
    }
}

fn ok(v: Value) -> Handled {
    Handled {
        result: Ok(Reply {
            status: 200,
            headers: vec![("content-type", "application/json".to_string())],
            body: serde_json::to_vec(&v).expect("JSON encoding cannot fail"),
        }),
        datapoints: 0,
    }
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::bad("InvalidParameterException", msg)
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, body: &[u8]) -> Handled {
    let req: serde_json::Map<String, Value> = if body.iter().all(u8::is_ascii_whitespace) {
        serde_json::Map::new()
    } else {
        match serde_json::from_slice(body) {
            Ok(Value::Object(m)) => m,
            _ => return Handled::err(invalid("the request body is not a JSON object")),
        }
    };
    let r = match op {
        "ListSinks" => list_sinks(ctx, &req),
        "ListAttachedLinks" => list_attached_links(ctx, &req),
        other => Err(ApiError::bad(
            "UnknownOperationException",
            format!("operation {other} is not supported by logplan-fake"),
        )),
    };
    r.unwrap_or_else(Handled::err)
}

/// The caller's sink ARN in the request's region (stable per account and region).
pub(crate) fn sink_arn(region: &str, account: &str) -> String {
    let id = uuid_like(crate::util::Fnv::new().str(account).str(region).finish());
    format!("arn:aws:oam:{region}:{account}:sink/{id}")
}

fn page_args(
    req: &serde_json::Map<String, Value>,
    max: i64,
    default: i64,
) -> Result<(usize, usize), ApiError> {
    let limit = match req.get("MaxResults").filter(|v| !v.is_null()) {
        None => default,
        Some(v) => v
            .as_i64()
            .filter(|n| (1..=max).contains(n))
            .ok_or_else(|| invalid(format!("MaxResults must be between 1 and {max}")))?,
    };
    let from = match req.get("NextToken").and_then(Value::as_str) {
        None => 0,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, n]) if kind == "oam1" => n
                .parse()
                .map_err(|_| invalid("The NextToken is invalid."))?,
            _ => return Err(invalid("The NextToken is invalid.")),
        },
    };
    Ok((limit as usize, from))
}

fn paged(items: Vec<Value>, limit: usize, from: usize) -> Value {
    let end = (from + limit).min(items.len());
    let mut out = json!({ "Items": items.get(from..end).unwrap_or_default() });
    if end < items.len() {
        out["NextToken"] = json!(encode_token(&["oam1", &end.to_string()]));
    }
    out
}

fn list_sinks(ctx: &Ctx<'_>, req: &serde_json::Map<String, Value>) -> Result<Handled, ApiError> {
    let (limit, from) = page_args(req, 100, 100)?;
    let st = lock(&ctx.inner.state);
    let has_sink = st
        .links
        .iter()
        .any(|l| l.monitoring == ctx.account() && l.region == ctx.region);
    let items: Vec<Value> = if has_sink {
        let arn = sink_arn(ctx.region, ctx.account());
        let id = arn.rsplit('/').next().unwrap_or_default().to_string();
        vec![json!({ "Arn": arn, "Id": id, "Name": "logplan-fake-sink" })]
    } else {
        vec![]
    };
    Ok(ok(paged(items, limit, from)))
}

fn list_attached_links(
    ctx: &Ctx<'_>,
    req: &serde_json::Map<String, Value>,
) -> Result<Handled, ApiError> {
    let Some(sink) = req.get("SinkIdentifier").and_then(Value::as_str) else {
        return Err(ApiError::bad(
            "MissingRequiredParameterException",
            "Missing required parameter: SinkIdentifier",
        ));
    };
    let (limit, from) = page_args(req, 1000, 100)?;
    let st = lock(&ctx.inner.state);
    let mut links: Vec<&crate::Link> = st
        .links
        .iter()
        .filter(|l| l.monitoring == ctx.account() && l.region == ctx.region)
        .collect();
    if links.is_empty() || sink != sink_arn(ctx.region, ctx.account()) {
        return Err(ApiError::new(
            404,
            "ResourceNotFoundException",
            format!("Sink {sink} does not exist"),
        ));
    }
    links.sort_by_key(|l| l.seq);
    let items = links
        .iter()
        .map(|l| {
            json!({
                "Label": l.source,
                "LinkArn": format!("arn:aws:oam:{}:{}:link/{}", l.region, l.source, uuid_like(l.seq)),
                "ResourceTypes": l.resource_types,
            })
        })
        .collect();
    Ok(ok(paged(items, limit, from)))
}
