//! CloudWatch Logs over the AWS JSON 1.1 protocol: `POST /` with
//! `x-amz-target: Logs_20140328.<Op>` and `content-type:
//! application/x-amz-json-1.1`. Errors are HTTP 400 (5xx for server faults)
//! with `{"__type": "<Code>", "message": "..."}`. Parameter constraint
//! violations answer `InvalidParameterException` with AWS's "1 validation
//! error detected: …" wording; a body that is not JSON of the right shape
//! answers `SerializationException`; unknown operations
//! `UnknownOperationException`.
//!
//! Implemented, following the CloudWatch Logs API reference:
//!
//! * `DescribeLogGroups`: `logGroupNamePrefix` (1..=512) and
//!   `logGroupNamePattern` (case-sensitive substring, 0..=512; mutually
//!   exclusive with the prefix; when given only `arn`, `creationTime` and
//!   `logGroupName` are returned), `logGroupIdentifiers` (names or ARNs,
//!   1..=50, not combinable with prefix/pattern), `logGroupClass` filter,
//!   `limit` 1..=50 (default 50), `nextToken`. Groups sorted by name; each
//!   with `logGroupName`, `arn` (`…:log-group:<name>:*`), `logGroupArn`
//!   (without `:*`), `creationTime`, `retentionInDays` (omitted when none),
//!   `storedBytes`, `logGroupClass`, `metricFilterCount` (always 0).
//!   `includeLinkedAccounts` (a monitoring account) adds the groups of the
//!   source accounts linked with `AWS::Logs::LogGroup`, or only of those in
//!   `accountIdentifiers` (0..=20 twelve-digit ids); groups are then sorted by
//!   (account, name) and their ARNs name their own account.
//! * `DescribeAccountPolicies`: `policyType` required (only
//!   `SUBSCRIPTION_FILTER_POLICY` has content here; the other types answer an
//!   empty list), `policyName`, `accountIdentifiers` (0..=1 id; a linked
//!   source account's policies from its monitoring account, an unlinked one's
//!   none: AWS does not say what it answers there), `nextToken`. Each policy:
//!   `policyName`, `policyDocument` (JSON with `DestinationArn`,
//!   `FilterPattern`, `Distribution`), `lastUpdatedTime`, `policyType`, `scope`
//!   `ALL`, `selectionCriteria`, `accountId`. These policies do not appear in
//!   `DescribeSubscriptionFilters`: no AWS page says they do.
//! * `DescribeSubscriptionFilters`: `logGroupName` required (unknown group →
//!   `ResourceNotFoundException`), `filterNamePrefix`, `limit` 1..=50,
//!   `nextToken`; filters sorted by name.
//! * `FilterLogEvents`: `logGroupName` or `logGroupIdentifier` (exactly one),
//!   `logStreamNames` (1..=100) or `logStreamNamePrefix` (not both),
//!   `startTime` (inclusive), `endTime` (inclusive: the reference says
//!   "events with a timestamp later than this time are not returned"),
//!   `limit` 1..=10000 (default 10000), `startFromHead` (false → newest first,
//!   only allowed with a `startTime` on or after 2024-01-01), `nextToken`.
//!   Events are sorted by timestamp, ingestion time, then insertion order; a
//!   page also stops before its messages exceed 1,048,576 bytes.
//!   `filterPattern` supports plain term patterns only (`ERROR`, `"two
//!   words"`, `-exclude`, `?any ?of`); JSON (`{…}`) and space-delimited
//!   (`[…]`) patterns answer `InvalidParameterException` — a deviation.
//! * Saved query definitions, scheduled queries and DescribeQueries: see
//!   [`crate::insights`].
//!
//! All state is the caller's account's (see the crate docs): a role session's
//! requests see only the log groups and query definitions of the role's
//! account in the request's region, and ARNs (`arn:aws:logs:<region>:<caller
//! account>:log-group:…`) name that account.
//!
//! Tokens are opaque; a token that was not issued for the same kind of
//! request answers `InvalidParameterException`.

use std::collections::HashSet;

use serde_json::{Map, Value, json};

use crate::util::{Fnv, decode_token, encode_token};
use crate::{ApiError, Ctx, Handled, Reply, StoredEvent, lock};

/// The operations the fake implements; others answer `UnknownOperationException`
/// (or are forwarded to the upstream when there is one).
pub(crate) const OPERATIONS: &[&str] = &[
    "DescribeLogGroups",
    "DescribeSubscriptionFilters",
    "DescribeAccountPolicies",
    "FilterLogEvents",
    "PutQueryDefinition",
    "DescribeQueryDefinitions",
    "DeleteQueryDefinition",
    "CreateScheduledQuery",
    "GetScheduledQuery",
    "ListScheduledQueries",
    "UpdateScheduledQuery",
    "DeleteScheduledQuery",
    "DescribeQueries",
    "DescribeDeliveries",
    "DescribeDeliverySources",
    "DescribeDeliveryDestinations",
];

const PAGE_BYTES: usize = 1_048_576;
/// 2024-01-01T00:00:00Z in epoch milliseconds.
const START_FROM_TAIL_MIN_MS: i64 = 1_704_067_200_000;

pub(crate) fn error_reply(e: &ApiError) -> Reply {
    let body = json!({"__type": e.code, "message": e.message});
    Reply {
        status: e.status,
        headers: vec![("content-type", "application/x-amz-json-1.1".to_string())],
        body: serde_json::to_vec(&body).expect("JSON encoding cannot fail"),
    }
}

pub(crate) fn ok(v: Value, datapoints: usize) -> Handled {
    Handled {
        result: Ok(Reply {
            status: 200,
            headers: vec![("content-type", "application/x-amz-json-1.1".to_string())],
            body: serde_json::to_vec(&v).expect("JSON encoding cannot fail"),
        }),
        datapoints,
    }
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, body: &[u8]) -> Handled {
    let req = match parse_body(body) {
        Ok(r) => r,
        Err(e) => return Handled::err(e),
    };
    let r = match op {
        "DescribeLogGroups" => describe_log_groups(ctx, &req),
        "DescribeSubscriptionFilters" => describe_subscription_filters(ctx, &req),
        "DescribeAccountPolicies" => describe_account_policies(ctx, &req),
        "FilterLogEvents" => filter_log_events(ctx, &req),
        op if crate::insights::OPERATIONS.contains(&op) => crate::insights::handle(ctx, op, &req),
        op if crate::delivery::OPERATIONS.contains(&op) => crate::delivery::handle(ctx, op, &req),
        other => Err(ApiError::bad(
            "UnknownOperationException",
            format!("operation {other} is not supported by logplan-fake"),
        )),
    };
    r.unwrap_or_else(Handled::err)
}

/// The resource named in an AccessDenied message for `action`.
pub(crate) fn resource_arn_for(ctx: &Ctx<'_>, action: &str, body: &[u8]) -> String {
    let base = format!("arn:aws:logs:{}:{}", ctx.region, ctx.account());
    let req = parse_body(body).unwrap_or_default();
    let group = req
        .get("logGroupName")
        .or_else(|| req.get("logGroupIdentifier"))
        .and_then(Value::as_str)
        .map(group_name_from_identifier);
    match (action, group) {
        ("logs:DescribeLogGroups", _) => format!("{base}:log-group::log-stream:"),
        (_, Some(g)) => format!("{base}:log-group:{g}:*"),
        (_, None) => format!("{base}:*"),
    }
}

// ---------------------------------------------------------------- helpers

pub(crate) type Obj = Map<String, Value>;

pub(crate) fn parse_body(body: &[u8]) -> Result<Obj, ApiError> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(Obj::new());
    }
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(ApiError::bad(
            "SerializationException",
            "request body must be a JSON object",
        )),
        Err(e) => Err(ApiError::bad(
            "SerializationException",
            format!("invalid JSON: {e}"),
        )),
    }
}

pub(crate) fn type_err(field: &str, want: &str) -> ApiError {
    ApiError::bad(
        "SerializationException",
        format!("expected {want} for field {field}"),
    )
}

pub(crate) fn present<'a>(o: &'a Obj, f: &str) -> Option<&'a Value> {
    o.get(f).filter(|v| !v.is_null())
}

pub(crate) fn opt_str<'a>(o: &'a Obj, f: &str) -> Result<Option<&'a str>, ApiError> {
    present(o, f)
        .map(|v| v.as_str().ok_or_else(|| type_err(f, "a string")))
        .transpose()
}

pub(crate) fn opt_i64(o: &Obj, f: &str) -> Result<Option<i64>, ApiError> {
    present(o, f)
        .map(|v| v.as_i64().ok_or_else(|| type_err(f, "an integer")))
        .transpose()
}

pub(crate) fn opt_bool(o: &Obj, f: &str) -> Result<Option<bool>, ApiError> {
    present(o, f)
        .map(|v| v.as_bool().ok_or_else(|| type_err(f, "a boolean")))
        .transpose()
}

pub(crate) fn opt_str_list(o: &Obj, f: &str) -> Result<Option<Vec<String>>, ApiError> {
    let Some(v) = present(o, f) else {
        return Ok(None);
    };
    let arr = v.as_array().ok_or_else(|| type_err(f, "a list"))?;
    arr.iter()
        .map(|x| {
            x.as_str()
                .map(str::to_string)
                .ok_or_else(|| type_err(f, "a list of strings"))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

pub(crate) fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::bad("InvalidParameterException", msg)
}

pub(crate) fn constraint(value: impl std::fmt::Display, field: &str, c: &str) -> ApiError {
    invalid(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {c}"
    ))
}

pub(crate) fn required<'a>(v: Option<&'a str>, field: &str) -> Result<&'a str, ApiError> {
    v.ok_or_else(|| {
        invalid(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: \
             Member must not be null"
        ))
    })
}

pub(crate) fn check_len(
    v: Option<&str>,
    field: &str,
    min: usize,
    max: usize,
) -> Result<(), ApiError> {
    if let Some(s) = v {
        let n = s.chars().count();
        if n < min {
            return Err(constraint(
                s,
                field,
                &format!("Member must have length greater than or equal to {min}"),
            ));
        }
        if n > max {
            return Err(constraint(
                s,
                field,
                &format!("Member must have length less than or equal to {max}"),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_range(v: Option<i64>, field: &str, min: i64, max: i64) -> Result<(), ApiError> {
    if let Some(n) = v {
        if n < min {
            return Err(constraint(
                n,
                field,
                &format!("Member must have value greater than or equal to {min}"),
            ));
        }
        if n > max {
            return Err(constraint(
                n,
                field,
                &format!("Member must have value less than or equal to {max}"),
            ));
        }
    }
    Ok(())
}

pub(crate) fn check_count<T>(
    v: Option<&[T]>,
    field: &str,
    min: usize,
    max: usize,
) -> Result<(), ApiError> {
    if let Some(a) = v {
        if a.len() < min {
            return Err(invalid(format!(
                "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
                 Member must have length greater than or equal to {min}"
            )));
        }
        if a.len() > max {
            return Err(invalid(format!(
                "1 validation error detected: Value at '{field}' failed to satisfy constraint: \
                 Member must have length less than or equal to {max}"
            )));
        }
    }
    Ok(())
}

pub(crate) fn check_enum(v: Option<&str>, field: &str, allowed: &[&str]) -> Result<(), ApiError> {
    if let Some(s) = v
        && !allowed.contains(&s)
    {
        return Err(constraint(
            s,
            field,
            &format!(
                "Member must satisfy enum value set: [{}]",
                allowed.join(", ")
            ),
        ));
    }
    Ok(())
}

pub(crate) fn bad_token() -> ApiError {
    invalid("The specified nextToken is invalid.")
}

/// `name` from a log group name or a log group ARN
/// (`arn:aws:logs:<region>:<account>:log-group:<name>[:*]`).
fn group_name_from_identifier(id: &str) -> String {
    if id.starts_with("arn:")
        && let Some(pos) = id.find(":log-group:")
    {
        let rest = &id[pos + ":log-group:".len()..];
        return rest.strip_suffix(":*").unwrap_or(rest).to_string();
    }
    id.to_string()
}

fn group_arn(ctx: &Ctx<'_>, account: &str, name: &str) -> String {
    format!("arn:aws:logs:{}:{account}:log-group:{name}", ctx.region)
}

/// The account an identifier names: a log group ARN's account, else the caller's.
fn account_from_identifier<'a>(ctx: &'a Ctx<'_>, id: &'a str) -> &'a str {
    if id.starts_with("arn:")
        && let Some(a) = id.split(':').nth(4).filter(|a| !a.is_empty())
    {
        return a;
    }
    ctx.account()
}

fn check_account_ids(ids: Option<&[String]>, field: &str, max: usize) -> Result<(), ApiError> {
    check_count(ids, field, 0, max)?;
    for a in ids.into_iter().flatten() {
        if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
            return Err(constraint(
                a,
                field,
                "Member must satisfy regular expression pattern: ^\\d{12}$",
            ));
        }
    }
    Ok(())
}

fn not_found_group() -> ApiError {
    ApiError::bad(
        "ResourceNotFoundException",
        "The specified log group does not exist.",
    )
}

// ---------------------------------------------------------------- DescribeLogGroups

fn describe_log_groups(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let prefix = opt_str(req, "logGroupNamePrefix")?;
    let pattern = opt_str(req, "logGroupNamePattern")?;
    let identifiers = opt_str_list(req, "logGroupIdentifiers")?;
    let class = opt_str(req, "logGroupClass")?;
    let limit = opt_i64(req, "limit")?;
    let token = opt_str(req, "nextToken")?;
    check_len(prefix, "logGroupNamePrefix", 1, 512)?;
    check_len(pattern, "logGroupNamePattern", 0, 512)?;
    check_count(identifiers.as_deref(), "logGroupIdentifiers", 1, 50)?;
    check_enum(
        class,
        "logGroupClass",
        &["STANDARD", "INFREQUENT_ACCESS", "DELIVERY"],
    )?;
    check_range(limit, "limit", 1, 50)?;
    check_len(token, "nextToken", 1, usize::MAX)?;
    if prefix.is_some() && pattern.is_some() {
        return Err(invalid(
            "LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.",
        ));
    }
    if identifiers.is_some() && (prefix.is_some() || pattern.is_some()) {
        return Err(invalid(
            "logGroupIdentifiers cannot be combined with logGroupNamePrefix or logGroupNamePattern.",
        ));
    }
    let linked = opt_bool(req, "includeLinkedAccounts")?.unwrap_or(false);
    let account_ids = opt_str_list(req, "accountIdentifiers")?;
    check_account_ids(account_ids.as_deref(), "accountIdentifiers", 20)?;
    let limit = limit.unwrap_or(50) as usize;
    let looping = lock(&ctx.inner.faults)
        .loop_next_token
        .iter()
        .any(|a| a == "logs:DescribeLogGroups");
    let after: Option<(String, String)> = match token {
        None => None,
        Some(LOOP_TOKEN) if looping => None,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, account, last]) if kind == "dlg1" => Some((account.clone(), last.clone())),
            _ => return Err(bad_token()),
        },
    };
    let wanted: Option<HashSet<String>> =
        identifiers.map(|ids| ids.iter().map(|i| group_name_from_identifier(i)).collect());

    let st = lock(&ctx.inner.state);
    // The caller's own groups; with includeLinkedAccounts, the linked source accounts' too.
    let accounts: Vec<String> = if linked {
        let visible = st.visible_accounts(ctx.account(), ctx.region, crate::LOG_GROUPS);
        match &account_ids {
            Some(ids) if !ids.is_empty() => {
                visible.into_iter().filter(|a| ids.contains(a)).collect()
            }
            _ => visible,
        }
    } else {
        vec![ctx.account().to_string()]
    };
    let mut accounts = accounts;
    accounts.sort();
    let mut page: Vec<(String, crate::LogGroup)> = Vec::new();
    let mut more = false;
    'accounts: for account in &accounts {
        let Some(rs) = st.scope(account, ctx.region) else {
            continue;
        };
        let candidates = rs.groups.values().filter(|g| {
            let n = g.group.name.as_str();
            after
                .as_ref()
                .is_none_or(|(a, last)| (account.as_str(), n) > (a.as_str(), last.as_str()))
                && prefix.is_none_or(|p| n.starts_with(p))
                && pattern.is_none_or(|p| n.contains(p))
                && class.is_none_or(|c| g.group.class == c)
                && wanted.as_ref().is_none_or(|w| w.contains(n))
        });
        for g in candidates {
            if page.len() == limit {
                more = true;
                break 'accounts;
            }
            page.push((account.clone(), g.group.clone()));
        }
    }
    drop(st);

    let groups: Vec<Value> = page
        .iter()
        .map(|(account, g)| {
            let arn = group_arn(ctx, account, &g.name);
            let mut o = Obj::new();
            o.insert("logGroupName".into(), json!(g.name));
            o.insert("creationTime".into(), json!(g.creation_time_ms));
            o.insert("arn".into(), json!(format!("{arn}:*")));
            if pattern.is_none() {
                if let Some(d) = g.retention_days {
                    o.insert("retentionInDays".into(), json!(d));
                }
                o.insert("metricFilterCount".into(), json!(0));
                o.insert("storedBytes".into(), json!(g.stored_bytes));
                o.insert("logGroupClass".into(), json!(g.class));
                o.insert("logGroupArn".into(), json!(arn));
            }
            Value::Object(o)
        })
        .collect();
    let mut out = json!({ "logGroups": groups });
    if more {
        let (account, last) = page.last().expect("more implies a full, non-empty page");
        out["nextToken"] = if looping {
            json!(LOOP_TOKEN)
        } else {
            json!(encode_token(&["dlg1", account, &last.name]))
        };
    }
    Ok(ok(out, 0))
}

/// The token of a looping listing ([`crate::Faults::loop_next_token`]): it leads back to the
/// first page, which hands it out again.
const LOOP_TOKEN: &str = "logplan-fake-loop";

// ---------------------------------------------------------------- DescribeSubscriptionFilters

fn describe_subscription_filters(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let group = opt_str(req, "logGroupName")?;
    let prefix = opt_str(req, "filterNamePrefix")?;
    let limit = opt_i64(req, "limit")?;
    let token = opt_str(req, "nextToken")?;
    let group = required(group, "logGroupName")?;
    check_len(Some(group), "logGroupName", 1, 512)?;
    check_len(prefix, "filterNamePrefix", 1, 512)?;
    check_range(limit, "limit", 1, 50)?;
    check_len(token, "nextToken", 1, usize::MAX)?;
    let limit = limit.unwrap_or(50) as usize;
    let after = match token {
        None => None,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, g, last]) if kind == "dsf1" && g == group => Some(last.clone()),
            _ => return Err(bad_token()),
        },
    };

    let st = lock(&ctx.inner.state);
    let gs = st
        .scope(ctx.account(), ctx.region)
        .and_then(|rs| rs.groups.get(group))
        .ok_or_else(not_found_group)?;
    let mut page = Vec::new();
    let mut more = false;
    for f in gs.filters.values().filter(|f| {
        after.as_deref().is_none_or(|a| f.filter_name.as_str() > a)
            && prefix.is_none_or(|p| f.filter_name.starts_with(p))
    }) {
        if page.len() == limit {
            more = true;
            break;
        }
        page.push(f.clone());
    }
    drop(st);

    let filters: Vec<Value> = page
        .iter()
        .map(|f| {
            let mut o = Obj::new();
            o.insert("filterName".into(), json!(f.filter_name));
            o.insert("logGroupName".into(), json!(group));
            o.insert("filterPattern".into(), json!(f.filter_pattern));
            o.insert("destinationArn".into(), json!(f.destination_arn));
            if let Some(r) = &f.role_arn {
                o.insert("roleArn".into(), json!(r));
            }
            o.insert("distribution".into(), json!(f.distribution));
            o.insert("creationTime".into(), json!(f.creation_time_ms));
            Value::Object(o)
        })
        .collect();
    let mut out = json!({ "subscriptionFilters": filters });
    if more {
        let last = &page.last().expect("non-empty page").filter_name;
        out["nextToken"] = json!(encode_token(&["dsf1", group, last]));
    }
    Ok(ok(out, 0))
}

// ---------------------------------------------------------------- DescribeAccountPolicies

const POLICY_TYPES: &[&str] = &[
    "DATA_PROTECTION_POLICY",
    "SUBSCRIPTION_FILTER_POLICY",
    "FIELD_INDEX_POLICY",
    "TRANSFORMER_POLICY",
    "METRIC_EXTRACTION_POLICY",
];

fn describe_account_policies(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let policy_type = opt_str(req, "policyType")?;
    let name = opt_str(req, "policyName")?;
    let account_ids = opt_str_list(req, "accountIdentifiers")?;
    let token = opt_str(req, "nextToken")?;
    let policy_type = required(policy_type, "policyType")?;
    check_enum(Some(policy_type), "policyType", POLICY_TYPES)?;
    check_account_ids(account_ids.as_deref(), "accountIdentifiers", 1)?;
    if token.is_some() {
        // The fake answers everything on one page: no token it issued can come back.
        return Err(bad_token());
    }
    let account = account_ids
        .as_ref()
        .and_then(|a| a.first())
        .cloned()
        .unwrap_or_else(|| ctx.account().to_string());
    let st = lock(&ctx.inner.state);
    let visible = st.sees(ctx.account(), ctx.region, &account, crate::LOG_GROUPS);
    let policies: Vec<Value> = st
        .scope(&account, ctx.region)
        .filter(|_| visible && policy_type == "SUBSCRIPTION_FILTER_POLICY")
        .map(|rs| {
            rs.policies
                .values()
                .filter(|p| name.is_none_or(|n| p.name == n))
                .map(|p| {
                    let document = json!({
                        "DestinationArn": p.destination_arn,
                        "FilterPattern": p.filter_pattern,
                        "Distribution": "Random",
                    });
                    let mut o = Obj::new();
                    o.insert("policyName".into(), json!(p.name));
                    o.insert("policyDocument".into(), json!(document.to_string()));
                    o.insert("lastUpdatedTime".into(), json!(p.last_updated_ms));
                    o.insert("policyType".into(), json!(policy_type));
                    o.insert("scope".into(), json!("ALL"));
                    if let Some(c) = &p.selection_criteria {
                        o.insert("selectionCriteria".into(), json!(c));
                    }
                    o.insert("accountId".into(), json!(account));
                    Value::Object(o)
                })
                .collect()
        })
        .unwrap_or_default();
    Ok(ok(json!({ "accountPolicies": policies }), 0))
}

// ---------------------------------------------------------------- FilterLogEvents

/// A parsed plain-term filter pattern.
#[derive(Debug, Default)]
struct TermPattern {
    all: Vec<String>,
    none: Vec<String>,
    any: Vec<String>,
}

impl TermPattern {
    fn parse(p: &str) -> Result<TermPattern, ApiError> {
        let p = p.trim();
        if p.starts_with('{') || p.starts_with('[') || p.starts_with('%') {
            return Err(invalid(
                "JSON, space-delimited and regex filter patterns are not supported by logplan-fake",
            ));
        }
        let mut t = TermPattern::default();
        let mut chars = p.chars().peekable();
        loop {
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            let Some(&first) = chars.peek() else { break };
            let kind = match first {
                '?' | '-' => {
                    chars.next();
                    first
                }
                _ => '+',
            };
            let mut term = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                let mut closed = false;
                for c in chars.by_ref() {
                    if c == '"' {
                        closed = true;
                        break;
                    }
                    term.push(c);
                }
                if !closed {
                    return Err(invalid("Invalid filter pattern: unterminated quoted term"));
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() {
                        break;
                    }
                    term.push(c);
                    chars.next();
                }
            }
            if term.is_empty() {
                continue;
            }
            match kind {
                '?' => t.any.push(term),
                '-' => t.none.push(term),
                _ => t.all.push(term),
            }
        }
        Ok(t)
    }

    fn matches(&self, msg: &str) -> bool {
        if !self.any.is_empty() {
            return self.any.iter().any(|t| msg.contains(t.as_str()));
        }
        self.all.iter().all(|t| msg.contains(t.as_str()))
            && !self.none.iter().any(|t| msg.contains(t.as_str()))
    }
}

fn filter_log_events(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let name = opt_str(req, "logGroupName")?;
    let ident = opt_str(req, "logGroupIdentifier")?;
    let streams = opt_str_list(req, "logStreamNames")?;
    let stream_prefix = opt_str(req, "logStreamNamePrefix")?;
    let start = opt_i64(req, "startTime")?;
    let end = opt_i64(req, "endTime")?;
    let pattern_s = opt_str(req, "filterPattern")?;
    let token = opt_str(req, "nextToken")?;
    let limit = opt_i64(req, "limit")?;
    let from_head = opt_bool(req, "startFromHead")?;
    opt_bool(req, "interleaved")?;
    opt_bool(req, "unmask")?;

    let group = match (name, ident) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                "LogGroup name and LogGroup ARN are mutually exclusive parameters.",
            ));
        }
        (None, None) => {
            return Err(invalid(
                "Either logGroupName or logGroupIdentifier must be specified.",
            ));
        }
        (Some(n), None) => {
            check_len(Some(n), "logGroupName", 1, 512)?;
            n.to_string()
        }
        (None, Some(i)) => {
            check_len(Some(i), "logGroupIdentifier", 1, 2048)?;
            group_name_from_identifier(i)
        }
    };
    check_count(streams.as_deref(), "logStreamNames", 1, 100)?;
    check_len(stream_prefix, "logStreamNamePrefix", 1, 512)?;
    if streams.is_some() && stream_prefix.is_some() {
        return Err(invalid(
            "logStreamNames and logStreamNamePrefix are mutually exclusive parameters.",
        ));
    }
    check_range(start, "startTime", 0, i64::MAX)?;
    check_range(end, "endTime", 0, i64::MAX)?;
    if let (Some(s), Some(e)) = (start, end)
        && s > e
    {
        return Err(invalid("startTime must be less than or equal to endTime."));
    }
    check_len(pattern_s, "filterPattern", 0, 1024)?;
    check_range(limit, "limit", 1, 10_000)?;
    check_len(token, "nextToken", 1, usize::MAX)?;
    let limit = limit.unwrap_or(10_000) as usize;
    let pattern = TermPattern::parse(pattern_s.unwrap_or(""))?;

    let mut h = Fnv::new();
    h.str(&group)
        .str(stream_prefix.unwrap_or("\u{0}"))
        .i64(start.unwrap_or(-1))
        .i64(end.unwrap_or(-1))
        .str(pattern_s.unwrap_or("\u{0}"));
    for s in streams.iter().flatten() {
        h.str(s);
    }
    let hash = format!("{:016x}", h.finish());

    // The direction of a nextToken wins over startFromHead.
    let (head, offset) = match token {
        None => {
            let head = from_head.unwrap_or(true);
            if !head && start.is_some_and(|s| s < START_FROM_TAIL_MIN_MS) {
                return Err(invalid(
                    "startFromHead=false is supported only when startTime is on or after Jan 1, 2024 00:00:00 UTC.",
                ));
            }
            (head, 0usize)
        }
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, th, dir, off]) if kind == "fle1" && *th == hash => {
                let off: usize = off.parse().map_err(|_| bad_token())?;
                (dir == "head", off)
            }
            _ => return Err(bad_token()),
        },
    };

    // A monitoring account reads a linked source account's group by its ARN.
    let owner = ident
        .map(|i| account_from_identifier(ctx, i))
        .unwrap_or(ctx.account())
        .to_string();
    let st = lock(&ctx.inner.state);
    if !st.sees(ctx.account(), ctx.region, &owner, crate::LOG_GROUPS) {
        return Err(not_found_group());
    }
    let gs = st
        .scope(&owner, ctx.region)
        .and_then(|rs| rs.groups.get(&group))
        .ok_or_else(not_found_group)?;
    let stream_set: Option<HashSet<&str>> = streams
        .as_ref()
        .map(|v| v.iter().map(String::as_str).collect());
    let keep = |e: &&StoredEvent| {
        start.is_none_or(|s| e.timestamp >= s)
            && end.is_none_or(|x| e.timestamp <= x)
            && stream_prefix.is_none_or(|p| e.stream.starts_with(p))
            && stream_set
                .as_ref()
                .is_none_or(|s| s.contains(e.stream.as_str()))
            && pattern.matches(&e.message)
    };
    let mut matched: Vec<&StoredEvent> = gs.events.iter().filter(keep).collect();
    if !head {
        matched.reverse();
    }
    if offset > matched.len() {
        return Err(bad_token());
    }
    let mut page = Vec::new();
    let mut bytes = 0usize;
    let mut pos = offset;
    while pos < matched.len() && page.len() < limit {
        let e = matched[pos];
        if !page.is_empty() && bytes + e.message.len() > PAGE_BYTES {
            break;
        }
        bytes += e.message.len();
        page.push(json!({
            "logStreamName": e.stream,
            "timestamp": e.timestamp,
            "message": e.message,
            "ingestionTime": e.ingestion_time,
            "eventId": format!("{:020}{:020}{:016}", e.timestamp.max(0), e.ingestion_time.max(0), e.seq),
        }));
        pos += 1;
    }
    let more = pos < matched.len();
    drop(st);

    let n = page.len();
    let mut out = json!({ "events": page });
    if more {
        let dir = if head { "head" } else { "tail" };
        out["nextToken"] = json!(encode_token(&["fle1", &hash, dir, &pos.to_string()]));
    }
    Ok(ok(out, n))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn term_patterns() {
        let p = TermPattern::parse(r#"ERROR "two words" -debug"#).unwrap();
        assert!(p.matches("ERROR: two words here"));
        assert!(!p.matches("ERROR: two here"));
        assert!(!p.matches("ERROR two words debug"));
        let any = TermPattern::parse("?WARN ?ERROR").unwrap();
        assert!(any.matches("a WARN b"));
        assert!(any.matches("ERROR"));
        assert!(!any.matches("INFO"));
        assert!(TermPattern::parse("").unwrap().matches("anything"));
        assert!(TermPattern::parse("{ $.x = 1 }").is_err());
        assert!(TermPattern::parse("\"open").is_err());
    }

    #[test]
    fn identifiers() {
        assert_eq!(group_name_from_identifier("/a/b"), "/a/b");
        assert_eq!(
            group_name_from_identifier("arn:aws:logs:us-east-1:123456789012:log-group:/a/b:*"),
            "/a/b"
        );
        assert_eq!(
            group_name_from_identifier("arn:aws:logs:us-east-1:123456789012:log-group:/a/b"),
            "/a/b"
        );
    }
}
