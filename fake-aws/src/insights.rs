//! CloudWatch Logs Insights operations of the fake, following the CloudWatch Logs API reference
//! (2026): saved query definitions, scheduled queries and the history of queries that ran.
//!
//! * `PutQueryDefinition` (`name` 1..=255, `queryString` 1..=10000, `logGroupNames` items
//!   1..=512, `queryLanguage` CWLI|SQL|PPL default CWLI, `parameters` (name 1..=128 matching
//!   `^[a-zA-Z_][a-zA-Z0-9_]*`, `defaultValue` at most 1,024, `description` at most 512; only
//!   for CWLI), `queryDefinitionId` to update — every field is replaced, an omitted
//!   `logGroupNames` becomes empty; an unknown id is `ResourceNotFoundException`; `clientToken`
//!   36..=128: "an idempotency token, to avoid returning an exception if the service receives the
//!   same request twice because of a network error" — a request repeating a token answers the
//!   definition the first one made and changes nothing; a token reused with different fields
//!   answers `InvalidParameterException` (the reference does not say; other AWS APIs refuse an
//!   idempotency mismatch, and so does this fake)), `DescribeQueryDefinitions`
//!   (`queryDefinitionNamePrefix` 1..=255, `maxResults` 1..=1000 default 1000, `queryLanguage`
//!   filter, `nextToken`; sorted by name) and `DeleteQueryDefinition` (`{"success": true}`,
//!   unknown id → `ResourceNotFoundException`). Ids are UUID-shaped and deterministic.
//! * `CreateScheduledQuery` (`name` 1..=300 of `[a-zA-Z0-9_\-/.#]`, unique in the account and
//!   region else `ConflictException`; `description` at most 1,024; `queryLanguage`,
//!   `queryString` (1..=10000), `scheduleExpression` (at most 256, `cron(` six fields `)` or
//!   `rate(N unit)`; the fake checks the shape, not every cron rule) and `executionRoleArn`
//!   required; `logGroupIdentifiers` 1..=50 items of 1..=2048; `startTimeOffset` and
//!   `endTimeOffset` non-negative with the end less than the start; `state` ENABLED|DISABLED
//!   default ENABLED; `destinationConfiguration.s3Configuration` with `destinationIdentifier`
//!   (`s3://...`) and `roleArn` both required); bad input is `ValidationException`, as the
//!   reference lists for these operations. `GetScheduledQuery`, `UpdateScheduledQuery` (PUT
//!   semantics: every field replaced) and `DeleteScheduledQuery` take `identifier` (name or ARN;
//!   unknown → `ResourceNotFoundException`); `ListScheduledQueries` (`maxResults` 1..=1000,
//!   `nextToken`, `state` filter) lists summaries sorted by name.
//! * `DescribeQueries` (`logGroupName`, `status`, `queryLanguage` filters, `maxResults`
//!   1..=1000 default 1000, `nextToken`): the query records a test seeded with
//!   [`crate::FakeAws::add_query_record`], newest first.

use std::collections::{BTreeMap, HashMap};

use serde_json::{Value, json};

use crate::logs::{
    Obj, bad_token, check_count, check_enum, check_len, check_range, constraint, invalid, ok,
    opt_i64, opt_str, opt_str_list, present, required, type_err,
};
use crate::util::{Fnv, decode_token, encode_token, uuid_like};
use crate::{ApiError, Ctx, Handled, QueryDefinition, lock, now_ms};

pub(crate) const OPERATIONS: &[&str] = &[
    "PutQueryDefinition",
    "DescribeQueryDefinitions",
    "DeleteQueryDefinition",
    "CreateScheduledQuery",
    "GetScheduledQuery",
    "ListScheduledQueries",
    "UpdateScheduledQuery",
    "DeleteScheduledQuery",
    "DescribeQueries",
];

const QUERY_LANGUAGES: &[&str] = &["CWLI", "SQL", "PPL"];

/// A scheduled query the fake holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledQuery {
    pub arn: String,
    pub name: String,
    pub description: Option<String>,
    pub query_language: String,
    pub query_string: String,
    pub log_group_identifiers: Vec<String>,
    pub schedule_expression: String,
    pub timezone: Option<String>,
    pub start_time_offset: Option<i64>,
    pub end_time_offset: Option<i64>,
    pub state: String,
    pub execution_role_arn: String,
    /// (destinationIdentifier, roleArn) of the S3 destination.
    pub s3_destination: Option<(String, String)>,
    pub creation_time_ms: i64,
    pub last_updated_ms: i64,
}

/// A query that ran, as DescribeQueries lists it (`QueryInfo`).
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRecord {
    pub query_id: String,
    pub query_string: String,
    pub status: String,
    pub create_time_ms: i64,
    pub log_group_name: Option<String>,
    pub bytes_scanned: Option<f64>,
    pub user_identity: Option<String>,
    pub query_language: String,
}

/// The Insights state of one account and region beyond query definitions.
#[derive(Default)]
pub(crate) struct InsightsState {
    /// clientToken -> (request fingerprint, definition id).
    pub(crate) client_tokens: HashMap<String, (u64, String)>,
    /// By name.
    pub(crate) scheduled: BTreeMap<String, ScheduledQuery>,
    pub(crate) queries: Vec<QueryRecord>,
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, req: &Obj) -> Result<Handled, ApiError> {
    match op {
        "PutQueryDefinition" => put_query_definition(ctx, req),
        "DescribeQueryDefinitions" => describe_query_definitions(ctx, req),
        "DeleteQueryDefinition" => delete_query_definition(ctx, req),
        "CreateScheduledQuery" => put_scheduled(ctx, req, true),
        "UpdateScheduledQuery" => put_scheduled(ctx, req, false),
        "GetScheduledQuery" => get_scheduled(ctx, req),
        "ListScheduledQueries" => list_scheduled(ctx, req),
        "DeleteScheduledQuery" => delete_scheduled(ctx, req),
        "DescribeQueries" => describe_queries(ctx, req),
        other => Err(ApiError::bad(
            "UnknownOperationException",
            format!("operation {other} is not supported by logplan-fake"),
        )),
    }
}

// ---------------------------------------------------------------- query definitions

fn not_found_query_def() -> ApiError {
    ApiError::bad(
        "ResourceNotFoundException",
        "The specified query definition does not exist.",
    )
}

type Params = Vec<(String, Option<String>, Option<String>)>;

fn parameters(req: &Obj) -> Result<Params, ApiError> {
    let Some(v) = present(req, "parameters") else {
        return Ok(Vec::new());
    };
    let arr = v
        .as_array()
        .ok_or_else(|| type_err("parameters", "a list"))?;
    let mut out = Vec::new();
    for p in arr {
        let o = p
            .as_object()
            .ok_or_else(|| type_err("parameters", "a list of objects"))?;
        let name = required(opt_str(o, "name")?, "parameters.member.name")?;
        check_len(Some(name), "parameters.member.name", 1, 128)?;
        let mut cs = name.chars();
        let ok_name = cs
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && cs.all(|c| c.is_ascii_alphanumeric() || c == '_');
        if !ok_name {
            return Err(constraint(
                name,
                "parameters.member.name",
                "Member must satisfy regular expression pattern: ^[a-zA-Z_][a-zA-Z0-9_]*",
            ));
        }
        let default = opt_str(o, "defaultValue")?;
        check_len(default, "parameters.member.defaultValue", 0, 1024)?;
        let description = opt_str(o, "description")?;
        check_len(description, "parameters.member.description", 0, 512)?;
        out.push((
            name.to_string(),
            default.map(str::to_string),
            description.map(str::to_string),
        ));
    }
    Ok(out)
}

fn put_query_definition(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let name = opt_str(req, "name")?;
    let query = opt_str(req, "queryString")?;
    let id = opt_str(req, "queryDefinitionId")?;
    let groups = opt_str_list(req, "logGroupNames")?;
    let lang = opt_str(req, "queryLanguage")?;
    let client_token = opt_str(req, "clientToken")?;
    let name = required(name, "name")?;
    let query = required(query, "queryString")?;
    check_len(Some(name), "name", 1, 255)?;
    check_len(Some(query), "queryString", 1, 10_000)?;
    check_len(id, "queryDefinitionId", 0, 256)?;
    check_len(client_token, "clientToken", 36, 128)?;
    check_enum(lang, "queryLanguage", QUERY_LANGUAGES)?;
    for g in groups.iter().flatten() {
        check_len(Some(g), "logGroupNames.member", 1, 512)?;
    }
    let params = parameters(req)?;
    let language = lang.unwrap_or("CWLI");
    if !params.is_empty() && language != "CWLI" {
        return Err(invalid(
            "Query parameters are supported only for Logs Insights QL (CWLI) queries.",
        ));
    }
    let mut fp = Fnv::new();
    fp.str(name)
        .str(query)
        .str(id.unwrap_or(""))
        .str(language)
        .str(&groups.clone().unwrap_or_default().join("\u{0}"));
    for (n, d, desc) in &params {
        fp.str(n)
            .str(d.as_deref().unwrap_or("\u{0}"))
            .str(desc.as_deref().unwrap_or("\u{0}"));
    }
    let fingerprint = fp.finish();

    let mut st = lock(&ctx.inner.state);
    if let Some(t) = client_token
        && let Some((seen, def_id)) = st
            .scope_mut(ctx.account(), ctx.region)
            .insights
            .client_tokens
            .get(t)
            .cloned()
    {
        if seen != fingerprint {
            return Err(invalid(
                "The clientToken was already used for a different request.",
            ));
        }
        return Ok(ok(json!({ "queryDefinitionId": def_id }), 0));
    }
    let def_id = match id.filter(|i| !i.is_empty()) {
        Some(existing) => {
            if !st
                .scope_mut(ctx.account(), ctx.region)
                .query_defs
                .contains_key(existing)
            {
                return Err(not_found_query_def());
            }
            existing.to_string()
        }
        None => {
            st.query_def_seq += 1;
            uuid_like(st.query_def_seq)
        }
    };
    let def = QueryDefinition {
        id: def_id.clone(),
        name: name.to_string(),
        query_string: query.to_string(),
        log_group_names: groups.unwrap_or_default(),
        query_language: language.to_string(),
        parameters: params,
        last_modified_ms: now_ms(),
    };
    let scope = st.scope_mut(ctx.account(), ctx.region);
    scope.query_defs.insert(def_id.clone(), def);
    if let Some(t) = client_token {
        scope
            .insights
            .client_tokens
            .insert(t.to_string(), (fingerprint, def_id.clone()));
    }
    Ok(ok(json!({ "queryDefinitionId": def_id }), 0))
}

fn describe_query_definitions(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let prefix = opt_str(req, "queryDefinitionNamePrefix")?;
    let max = opt_i64(req, "maxResults")?;
    let token = opt_str(req, "nextToken")?;
    let lang = opt_str(req, "queryLanguage")?;
    check_len(prefix, "queryDefinitionNamePrefix", 1, 255)?;
    check_range(max, "maxResults", 1, 1000)?;
    check_len(token, "nextToken", 1, usize::MAX)?;
    check_enum(lang, "queryLanguage", QUERY_LANGUAGES)?;
    let max = max.unwrap_or(1000) as usize;
    let mut h = Fnv::new();
    h.str(prefix.unwrap_or("\u{0}"))
        .str(lang.unwrap_or("\u{0}"));
    let hash = format!("{:016x}", h.finish());
    let after: Option<(String, String)> = match token {
        None => None,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, th, n, i]) if kind == "dqd1" && *th == hash => Some((n.clone(), i.clone())),
            _ => return Err(bad_token()),
        },
    };

    let st = lock(&ctx.inner.state);
    let mut defs: Vec<&QueryDefinition> = st
        .scope(ctx.account(), ctx.region)
        .map(|rs| {
            rs.query_defs
                .values()
                .filter(|d| {
                    prefix.is_none_or(|p| d.name.starts_with(p))
                        && lang.is_none_or(|l| d.query_language == l)
                        && after.as_ref().is_none_or(|(n, i)| {
                            (d.name.as_str(), d.id.as_str()) > (n.as_str(), i.as_str())
                        })
                })
                .collect()
        })
        .unwrap_or_default();
    defs.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
    let more = defs.len() > max;
    defs.truncate(max);
    let items: Vec<Value> = defs
        .iter()
        .map(|d| {
            let mut v = json!({
                "queryDefinitionId": d.id,
                "name": d.name,
                "queryString": d.query_string,
                "lastModified": d.last_modified_ms,
                "logGroupNames": d.log_group_names,
                "queryLanguage": d.query_language,
            });
            if !d.parameters.is_empty() {
                v["parameters"] = d
                    .parameters
                    .iter()
                    .map(|(n, dv, desc)| {
                        let mut p = json!({ "name": n });
                        if let Some(x) = dv {
                            p["defaultValue"] = json!(x);
                        }
                        if let Some(x) = desc {
                            p["description"] = json!(x);
                        }
                        p
                    })
                    .collect();
            }
            v
        })
        .collect();
    let mut out = json!({ "queryDefinitions": items });
    if more {
        let last = defs.last().expect("non-empty page");
        out["nextToken"] = json!(encode_token(&["dqd1", &hash, &last.name, &last.id]));
    }
    Ok(ok(out, 0))
}

fn delete_query_definition(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let id = opt_str(req, "queryDefinitionId")?;
    let id = required(id, "queryDefinitionId")?;
    check_len(Some(id), "queryDefinitionId", 0, 256)?;
    let mut st = lock(&ctx.inner.state);
    match st
        .scope_mut(ctx.account(), ctx.region)
        .query_defs
        .remove(id)
    {
        Some(_) => Ok(ok(json!({ "success": true }), 0)),
        None => Err(not_found_query_def()),
    }
}

// ---------------------------------------------------------------- scheduled queries

/// The newer scheduled-query operations answer bad input with `ValidationException`.
fn validation(e: ApiError) -> ApiError {
    if e.code == "InvalidParameterException" {
        ApiError::bad("ValidationException", e.message)
    } else {
        e
    }
}

fn not_found_scheduled(id: &str) -> ApiError {
    ApiError::bad(
        "ResourceNotFoundException",
        format!("Scheduled query {id} does not exist."),
    )
}

/// The shape of a schedule expression: `cron(` six fields `)` or `rate(N unit)`.
fn check_expression(e: &str) -> Result<(), ApiError> {
    let ok = if let Some(b) = e.strip_prefix("cron(").and_then(|b| b.strip_suffix(')')) {
        b.split_whitespace().count() == 6
    } else if let Some(b) = e.strip_prefix("rate(").and_then(|b| b.strip_suffix(')')) {
        let w: Vec<&str> = b.split_whitespace().collect();
        w.len() == 2 && w[0].parse::<u32>().is_ok_and(|n| n > 0)
    } else {
        false
    };
    if ok {
        Ok(())
    } else {
        Err(ApiError::bad(
            "ValidationException",
            format!("Invalid schedule expression: {e}"),
        ))
    }
}

fn scheduled_arn(ctx: &Ctx<'_>, name: &str) -> String {
    let mut h = Fnv::new();
    h.str(ctx.account()).str(ctx.region).str(name);
    format!(
        "arn:aws:logs:{}:{}:scheduled-query:{}",
        ctx.region,
        ctx.account(),
        uuid_like(h.finish())
    )
}

fn find_scheduled<'a>(
    st: &'a BTreeMap<String, ScheduledQuery>,
    identifier: &str,
) -> Option<&'a ScheduledQuery> {
    st.get(identifier)
        .or_else(|| st.values().find(|q| q.arn == identifier))
}

fn put_scheduled(ctx: &Ctx<'_>, req: &Obj, create: bool) -> Result<Handled, ApiError> {
    let r = (|| -> Result<ScheduledQuery, ApiError> {
        let identifier = if create {
            required(opt_str(req, "name")?, "name")?.to_string()
        } else {
            required(opt_str(req, "identifier")?, "identifier")?.to_string()
        };
        if create {
            check_len(Some(&identifier), "name", 1, 300)?;
            if let Some(c) = identifier
                .chars()
                .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '/' | '.' | '#')))
            {
                return Err(constraint(
                    &identifier,
                    "name",
                    &format!("Member must satisfy regular expression pattern: ^[a-zA-Z0-9_\\-/.#]+$ (found {c:?})"),
                ));
            }
        }
        let description = opt_str(req, "description")?;
        check_len(description, "description", 0, 1024)?;
        let lang = required(opt_str(req, "queryLanguage")?, "queryLanguage")?;
        check_enum(Some(lang), "queryLanguage", QUERY_LANGUAGES)?;
        let query = required(opt_str(req, "queryString")?, "queryString")?;
        check_len(Some(query), "queryString", 1, 10_000)?;
        let groups = opt_str_list(req, "logGroupIdentifiers")?;
        check_count(groups.as_deref(), "logGroupIdentifiers", 1, 50)?;
        for g in groups.iter().flatten() {
            check_len(Some(g), "logGroupIdentifiers.member", 1, 2048)?;
        }
        let expr = required(opt_str(req, "scheduleExpression")?, "scheduleExpression")?;
        check_len(Some(expr), "scheduleExpression", 1, 256)?;
        check_expression(expr)?;
        let tz = opt_str(req, "timezone")?;
        check_len(tz, "timezone", 1, usize::MAX)?;
        let start = opt_i64(req, "startTimeOffset")?;
        let end = opt_i64(req, "endTimeOffset")?;
        check_range(start, "startTimeOffset", 0, i64::MAX)?;
        check_range(end, "endTimeOffset", 0, i64::MAX)?;
        if let Some(e) = end
            && e >= start.unwrap_or(0)
        {
            return Err(invalid(format!(
                "endTimeOffset ({e}) must be less than startTimeOffset ({})",
                start.unwrap_or(0)
            )));
        }
        let role = required(opt_str(req, "executionRoleArn")?, "executionRoleArn")?;
        check_len(Some(role), "executionRoleArn", 1, usize::MAX)?;
        let state = opt_str(req, "state")?;
        check_enum(state, "state", &["ENABLED", "DISABLED"])?;
        let s3 = match present(req, "destinationConfiguration") {
            None => None,
            Some(v) => {
                let o = v
                    .as_object()
                    .ok_or_else(|| type_err("destinationConfiguration", "an object"))?;
                match present(o, "s3Configuration") {
                    None => None,
                    Some(s) => {
                        let s = s.as_object().ok_or_else(|| {
                            type_err("destinationConfiguration.s3Configuration", "an object")
                        })?;
                        let dest = required(
                            opt_str(s, "destinationIdentifier")?,
                            "destinationConfiguration.s3Configuration.destinationIdentifier",
                        )?;
                        if !dest.starts_with("s3://") {
                            return Err(constraint(
                                dest,
                                "destinationConfiguration.s3Configuration.destinationIdentifier",
                                "Member must be an s3:// URI",
                            ));
                        }
                        let role = required(
                            opt_str(s, "roleArn")?,
                            "destinationConfiguration.s3Configuration.roleArn",
                        )?;
                        Some((dest.to_string(), role.to_string()))
                    }
                }
            }
        };
        Ok(ScheduledQuery {
            arn: String::new(),
            name: identifier,
            description: description.map(str::to_string),
            query_language: lang.to_string(),
            query_string: query.to_string(),
            log_group_identifiers: groups.unwrap_or_default(),
            schedule_expression: expr.to_string(),
            timezone: tz.map(str::to_string),
            start_time_offset: start,
            end_time_offset: end,
            state: state.unwrap_or("ENABLED").to_string(),
            execution_role_arn: role.to_string(),
            s3_destination: s3,
            creation_time_ms: 0,
            last_updated_ms: 0,
        })
    })()
    .map_err(validation)?;
    let mut st = lock(&ctx.inner.state);
    let scheduled = &mut st.scope_mut(ctx.account(), ctx.region).insights.scheduled;
    let now = now_ms();
    let mut q = r;
    if create {
        if scheduled.contains_key(&q.name) {
            return Err(ApiError::bad(
                "ConflictException",
                format!("A scheduled query named {} already exists.", q.name),
            ));
        }
        q.arn = scheduled_arn(ctx, &q.name);
        q.creation_time_ms = now;
        q.last_updated_ms = now;
        let out = json!({ "scheduledQueryArn": q.arn, "state": q.state });
        scheduled.insert(q.name.clone(), q);
        Ok(ok(out, 0))
    } else {
        let Some(existing) = find_scheduled(scheduled, &q.name).cloned() else {
            return Err(not_found_scheduled(&q.name));
        };
        q.name = existing.name.clone();
        q.arn = existing.arn.clone();
        q.creation_time_ms = existing.creation_time_ms;
        q.last_updated_ms = now;
        let out = scheduled_json(&q);
        scheduled.insert(q.name.clone(), q);
        Ok(ok(out, 0))
    }
}

fn scheduled_json(q: &ScheduledQuery) -> Value {
    let mut v = json!({
        "scheduledQueryArn": q.arn,
        "name": q.name,
        "queryLanguage": q.query_language,
        "queryString": q.query_string,
        "logGroupIdentifiers": q.log_group_identifiers,
        "scheduleExpression": q.schedule_expression,
        "state": q.state,
        "executionRoleArn": q.execution_role_arn,
        "creationTime": q.creation_time_ms,
        "lastUpdatedTime": q.last_updated_ms,
        "scheduleType": "CUSTOMER_MANAGED",
    });
    if let Some(d) = &q.description {
        v["description"] = json!(d);
    }
    if let Some(t) = &q.timezone {
        v["timezone"] = json!(t);
    }
    if let Some(s) = q.start_time_offset {
        v["startTimeOffset"] = json!(s);
    }
    if let Some(e) = q.end_time_offset {
        v["endTimeOffset"] = json!(e);
    }
    if let Some((dest, role)) = &q.s3_destination {
        v["destinationConfiguration"] =
            json!({"s3Configuration": {"destinationIdentifier": dest, "roleArn": role}});
    }
    v
}

fn get_scheduled(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let id = required(opt_str(req, "identifier")?, "identifier").map_err(validation)?;
    let st = lock(&ctx.inner.state);
    let found = st
        .scope(ctx.account(), ctx.region)
        .and_then(|s| find_scheduled(&s.insights.scheduled, id));
    match found {
        Some(q) => Ok(ok(scheduled_json(q), 0)),
        None => Err(not_found_scheduled(id)),
    }
}

fn list_scheduled(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let max = opt_i64(req, "maxResults")?;
    let token = opt_str(req, "nextToken")?;
    let state = opt_str(req, "state")?;
    check_range(max, "maxResults", 1, 1000).map_err(validation)?;
    check_enum(state, "state", &["ENABLED", "DISABLED"]).map_err(validation)?;
    let max = max.unwrap_or(1000) as usize;
    let after = match token {
        None => None,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, n]) if kind == "lsq1" => Some(n.clone()),
            _ => {
                return Err(ApiError::bad(
                    "ValidationException",
                    "The nextToken is invalid.",
                ));
            }
        },
    };
    let st = lock(&ctx.inner.state);
    let all: Vec<&ScheduledQuery> = st
        .scope(ctx.account(), ctx.region)
        .map(|s| {
            s.insights
                .scheduled
                .values()
                .filter(|q| state.is_none_or(|x| q.state == x))
                .filter(|q| after.as_ref().is_none_or(|a| q.name.as_str() > a.as_str()))
                .collect()
        })
        .unwrap_or_default();
    let more = all.len() > max;
    let page: Vec<&ScheduledQuery> = all.into_iter().take(max).collect();
    let items: Vec<Value> = page
        .iter()
        .map(|q| {
            json!({
                "scheduledQueryArn": q.arn,
                "name": q.name,
                "state": q.state,
                "scheduleExpression": q.schedule_expression,
                "timezone": q.timezone.clone().unwrap_or_else(|| "UTC".into()),
                "creationTime": q.creation_time_ms,
                "lastUpdatedTime": q.last_updated_ms,
                "scheduleType": "CUSTOMER_MANAGED",
            })
        })
        .collect();
    let mut out = json!({ "scheduledQueries": items });
    if more && let Some(last) = page.last() {
        out["nextToken"] = json!(encode_token(&["lsq1", &last.name]));
    }
    Ok(ok(out, 0))
}

fn delete_scheduled(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let id = required(opt_str(req, "identifier")?, "identifier").map_err(validation)?;
    let mut st = lock(&ctx.inner.state);
    let scheduled = &mut st.scope_mut(ctx.account(), ctx.region).insights.scheduled;
    let name = find_scheduled(scheduled, id).map(|q| q.name.clone());
    match name {
        Some(n) => {
            scheduled.remove(&n);
            Ok(ok(json!({}), 0))
        }
        None => Err(not_found_scheduled(id)),
    }
}

// ---------------------------------------------------------------- DescribeQueries

const QUERY_STATUSES: &[&str] = &[
    "Scheduled",
    "Running",
    "Complete",
    "Failed",
    "Cancelled",
    "Timeout",
    "Unknown",
];

fn describe_queries(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let group = opt_str(req, "logGroupName")?;
    let status = opt_str(req, "status")?;
    let max = opt_i64(req, "maxResults")?;
    let token = opt_str(req, "nextToken")?;
    let lang = opt_str(req, "queryLanguage")?;
    check_len(group, "logGroupName", 1, 512)?;
    check_enum(status, "status", QUERY_STATUSES)?;
    check_range(max, "maxResults", 1, 1000)?;
    check_enum(lang, "queryLanguage", QUERY_LANGUAGES)?;
    let max = max.unwrap_or(1000) as usize;
    let mut h = Fnv::new();
    h.str(group.unwrap_or("\u{0}"))
        .str(status.unwrap_or("\u{0}"))
        .str(lang.unwrap_or("\u{0}"));
    let hash = format!("{:016x}", h.finish());
    let from: usize = match token {
        None => 0,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, th, i]) if kind == "dq1" && *th == hash => {
                i.parse().map_err(|_| bad_token())?
            }
            _ => return Err(bad_token()),
        },
    };
    let st = lock(&ctx.inner.state);
    let mut all: Vec<&QueryRecord> = st
        .scope(ctx.account(), ctx.region)
        .map(|s| {
            s.insights
                .queries
                .iter()
                .filter(|q| {
                    group.is_none_or(|g| q.log_group_name.as_deref() == Some(g))
                        && status.is_none_or(|x| q.status == x)
                        && lang.is_none_or(|l| q.query_language == l)
                })
                .collect()
        })
        .unwrap_or_default();
    all.sort_by(|a, b| {
        b.create_time_ms
            .cmp(&a.create_time_ms)
            .then(a.query_id.cmp(&b.query_id))
    });
    let to = (from + max).min(all.len());
    let page = &all[from.min(to)..to];
    let items: Vec<Value> = page
        .iter()
        .map(|q| {
            let mut v = json!({
                "queryId": q.query_id,
                "queryString": q.query_string,
                "status": q.status,
                "createTime": q.create_time_ms,
                "queryLanguage": q.query_language,
            });
            if let Some(g) = &q.log_group_name {
                v["logGroupName"] = json!(g);
            }
            if let Some(b) = q.bytes_scanned {
                v["bytesScanned"] = json!(b);
            }
            if let Some(u) = &q.user_identity {
                v["userIdentity"] = json!(u);
            }
            v
        })
        .collect();
    let mut out = json!({ "queries": items });
    if to < all.len() {
        out["nextToken"] = json!(encode_token(&["dq1", &hash, &to.to_string()]));
    }
    Ok(ok(out, page.len()))
}
