//! STS over the AWS query protocol: `POST /` with an
//! `application/x-www-form-urlencoded` body carrying `Action=<Op>` (and
//! `Version=2011-06-15`). Answers are `text/xml`. Errors use the query
//! protocol's XML form, `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code>…`;
//! an unknown action is 400 `InvalidAction` (or, with an upstream, forwarded).
//!
//! | action | what the fake does |
//! | --- | --- |
//! | `GetCallerIdentity` | `Account` = the caller's account; `Arn` `arn:aws:iam::<acct>:user/fake` and `UserId` `AIDAFAKE` for any key not issued by `AssumeRole`; for a role session `Arn` `arn:aws:sts::<acct>:assumed-role/<role name>/<session>` and `UserId` `<AssumedRoleId>` |
//! | `AssumeRole` | validates, checks [`deny_assume`](crate::FakeAws::deny_assume) / [`require_external_id`](crate::FakeAws::require_external_id), issues a role session (below) |
//!
//! `AssumeRole`, following the STS API reference:
//!
//! * `RoleArn` required, 20..=2048 characters, and must be
//!   `arn:aws:iam::<12 digits>:role/[<path>/]<name>` (name 1..=64 of
//!   `[\w+=,.@-]`), else 400 `ValidationError` ("Request ARN is invalid");
//!   `RoleSessionName` required, 2..=64 of `[\w+=,.@-]`; `ExternalId`
//!   2..=1224 of `[\w+=,.@:/-]`; `DurationSeconds` 900..=43200 (default
//!   3600). Violations answer `ValidationError` with AWS's "1 validation error
//!   detected: Value … at 'roleSessionName' failed to satisfy constraint: …"
//!   wording. `Policy`, `PolicyArns`, `Tags`, `SerialNumber`, `TokenCode`,
//!   `SourceIdentity` are accepted and ignored.
//! * Then authorization: a role given to `deny_assume`, or one with a
//!   required external id and a missing/different `ExternalId`, answers 403
//!   `AccessDenied` `User: <caller arn> is not authorized to perform:
//!   sts:AssumeRole on resource: <role arn>`. Any other role in any account
//!   may be assumed (there are no trust policies).
//! * The answer carries `Credentials` (`AccessKeyId` `ASIA` + 16 uppercase
//!   alphanumerics, unique and deterministic from a per-fake counter;
//!   `SecretAccessKey`; `SessionToken`; `Expiration` ISO-8601 UTC,
//!   `DurationSeconds` ahead), `AssumedRoleUser` (`AssumedRoleId`
//!   `AROA<17 chars, stable per role ARN>:<session>`, `Arn`
//!   `arn:aws:sts::<role acct>:assumed-role/<role name>/<session>`) and
//!   `PackedPolicySize` 0.
//! * Requests signed with the returned `AccessKeyId` are in the role's
//!   account: they see and write that account's state, ARNs name it, and
//!   denials made with [`deny_in`](crate::FakeAws::deny_in) for it apply.
//!
//! Deviations: the session token is never checked (only the access key id
//! picks the account) and sessions do not expire; `MaxSessionDuration` of a
//! role and the one-hour limit of role chaining are not enforced.

use std::sync::atomic::Ordering;

use crate::util::{Fnv, base36, iso8601, parse_form, splitmix64, xml_escape};
use crate::{ApiError, Ctx, Handled, Reply, Session, lock, now_ms};

const NS: &str = "https://sts.amazonaws.com/doc/2011-06-15/";

/// The actions the fake implements; others answer `InvalidAction` (or are
/// forwarded to the upstream when there is one).
pub(crate) const OPERATIONS: &[&str] = &["GetCallerIdentity", "AssumeRole"];

pub(crate) fn error_reply(e: &ApiError, request_id: &str) -> Reply {
    query_error_reply(e, request_id, Some(NS))
}

/// An AWS query protocol error, with the service's XML namespace when known.
pub(crate) fn query_error_reply(e: &ApiError, request_id: &str, ns: Option<&str>) -> Reply {
    let side = if e.status >= 500 {
        "Receiver"
    } else {
        "Sender"
    };
    let xmlns = ns.map(|n| format!(" xmlns=\"{n}\"")).unwrap_or_default();
    let body = format!(
        "<ErrorResponse{xmlns}><Error><Type>{side}</Type><Code>{}</Code><Message>{}</Message></Error>\
         <RequestId>{}</RequestId></ErrorResponse>",
        xml_escape(&e.code),
        xml_escape(&e.message),
        xml_escape(request_id),
    );
    Reply {
        status: e.status,
        headers: vec![("content-type", "text/xml".to_string())],
        body: body.into_bytes(),
    }
}

fn xml_ok(body: String) -> Handled {
    Handled {
        result: Ok(Reply {
            status: 200,
            headers: vec![("content-type", "text/xml".to_string())],
            body: body.into_bytes(),
        }),
        datapoints: 0,
    }
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, body: &[u8]) -> Handled {
    match op {
        "GetCallerIdentity" => get_caller_identity(ctx),
        "AssumeRole" => assume_role(ctx, body).unwrap_or_else(Handled::err),
        other => Handled::err(ApiError::bad(
            "InvalidAction",
            format!("Could not find operation {other} for version 2011-06-15"),
        )),
    }
}

fn get_caller_identity(ctx: &Ctx<'_>) -> Handled {
    xml_ok(format!(
        "<GetCallerIdentityResponse xmlns=\"{NS}\"><GetCallerIdentityResult>\
         <Arn>{}</Arn><UserId>{}</UserId><Account>{}</Account>\
         </GetCallerIdentityResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
         </GetCallerIdentityResponse>",
        xml_escape(&ctx.caller.arn()),
        xml_escape(&ctx.caller.user_id()),
        xml_escape(ctx.account()),
        ctx.request_id
    ))
}

// ---------------------------------------------------------------- AssumeRole

fn validation(msg: impl Into<String>) -> ApiError {
    ApiError::bad("ValidationError", msg)
}

fn constraint(value: &str, field: &str, c: &str) -> ApiError {
    validation(format!(
        "1 validation error detected: Value '{value}' at '{field}' failed to satisfy constraint: {c}"
    ))
}

fn required<'a>(v: Option<&'a str>, field: &str) -> Result<&'a str, ApiError> {
    v.ok_or_else(|| {
        validation(format!(
            "1 validation error detected: Value null at '{field}' failed to satisfy constraint: \
             Member must not be null"
        ))
    })
}

fn check_len(v: &str, field: &str, min: usize, max: usize) -> Result<(), ApiError> {
    let n = v.chars().count();
    if n < min {
        return Err(constraint(
            v,
            field,
            &format!("Member must have length greater than or equal to {min}"),
        ));
    }
    if n > max {
        return Err(constraint(
            v,
            field,
            &format!("Member must have length less than or equal to {max}"),
        ));
    }
    Ok(())
}

/// `[\w+=,.@-]`, plus the characters in `extra`.
fn name_char(c: char, extra: &str) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || "+=,.@-".contains(c) || extra.contains(c)
}

fn check_pattern(v: &str, field: &str, extra: &str, pattern: &str) -> Result<(), ApiError> {
    if v.chars().all(|c| name_char(c, extra)) {
        Ok(())
    } else {
        Err(constraint(
            v,
            field,
            &format!("Member must satisfy regular expression pattern: {pattern}"),
        ))
    }
}

/// `(account, role name)` from `arn:aws:iam::<12 digits>:role/[<path>/]<name>`.
fn parse_role_arn(arn: &str) -> Option<(String, String)> {
    let rest = arn.strip_prefix("arn:aws:iam::")?;
    let (account, resource) = rest.split_once(':')?;
    if account.len() != 12 || !account.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let path = resource.strip_prefix("role/")?;
    let name = path.rsplit('/').next()?;
    let path_ok = path
        .split('/')
        .all(|seg| !seg.is_empty() && seg.chars().all(|c| name_char(c, "")));
    if !path_ok || name.chars().count() > 64 {
        return None;
    }
    Some((account.to_string(), name.to_string()))
}

fn assume_role(ctx: &Ctx<'_>, body: &[u8]) -> Result<Handled, ApiError> {
    let form = parse_form(body);
    let param = |k: &str| {
        form.iter()
            .find(|(name, _)| name == k)
            .map(|(_, v)| v.as_str())
    };
    let role_arn = required(param("RoleArn"), "roleArn")?;
    check_len(role_arn, "roleArn", 20, 2048)?;
    let session = required(param("RoleSessionName"), "roleSessionName")?;
    check_len(session, "roleSessionName", 2, 64)?;
    check_pattern(session, "roleSessionName", "", "[\\w+=,.@-]*")?;
    let external_id = param("ExternalId");
    if let Some(x) = external_id {
        check_len(x, "externalId", 2, 1224)?;
        check_pattern(x, "externalId", ":/", "[\\w+=,.@:\\/-]*")?;
    }
    let duration = match param("DurationSeconds") {
        None => 3600,
        Some(d) => {
            let secs: i64 = d.parse().map_err(|_| {
                validation(format!(
                    "Value '{d}' for parameter DurationSeconds is invalid. It must be an integer."
                ))
            })?;
            if secs < 900 {
                return Err(constraint(
                    d,
                    "durationSeconds",
                    "Member must have value greater than or equal to 900",
                ));
            }
            if secs > 43_200 {
                return Err(constraint(
                    d,
                    "durationSeconds",
                    "Member must have value less than or equal to 43200",
                ));
            }
            secs
        }
    };
    let (account, role_name) =
        parse_role_arn(role_arn).ok_or_else(|| validation("Request ARN is invalid"))?;

    let inner = ctx.inner;
    let denied = lock(&inner.assume_denied).contains(role_arn)
        || lock(&inner.external_ids)
            .get(role_arn)
            .is_some_and(|want| external_id != Some(want.as_str()));
    if denied {
        return Err(ApiError::new(
            403,
            "AccessDenied",
            format!(
                "User: {} is not authorized to perform: sts:AssumeRole on resource: {role_arn}",
                ctx.caller.arn()
            ),
        ));
    }

    // Keys: ASIA + 16 base-36 characters of a bijective mix of the counter,
    // so they are unique per fake and the same run gets the same keys.
    let n = inner.session_seq.fetch_add(1, Ordering::Relaxed) + 1;
    let mixed = splitmix64(n ^ 0x5E55_1011);
    let access_key = format!("ASIA{}", base36(mixed, 16));
    let secret = format!(
        "{}{}{}",
        base36(splitmix64(mixed ^ 1), 13),
        base36(splitmix64(mixed ^ 2), 13).to_ascii_lowercase(),
        base36(splitmix64(mixed ^ 3), 14),
    );
    let token = format!(
        "FwoGZXIvYXdzELOGFAKE{}{}{}",
        base36(splitmix64(mixed ^ 4), 13),
        base36(splitmix64(mixed ^ 5), 13),
        base36(splitmix64(mixed ^ 6), 13),
    );
    let mut h = Fnv::new();
    let h1 = h.str(role_arn).finish();
    let h2 = h.str("role-id").finish();
    let role_id = format!("AROA{}{}", base36(h1, 13), &base36(h2, 13)[..4]);
    let expiration = iso8601(now_ms() + duration * 1000);
    let sess = Session {
        account: account.clone(),
        role_name: role_name.clone(),
        role_id: role_id.clone(),
        session_name: session.to_string(),
    };
    lock(&inner.sessions).insert(access_key.clone(), sess);

    let assumed_arn = format!("arn:aws:sts::{account}:assumed-role/{role_name}/{session}");
    Ok(xml_ok(format!(
        "<AssumeRoleResponse xmlns=\"{NS}\"><AssumeRoleResult>\
         <AssumedRoleUser><Arn>{}</Arn><AssumedRoleId>{}:{}</AssumedRoleId></AssumedRoleUser>\
         <Credentials><AccessKeyId>{access_key}</AccessKeyId><SecretAccessKey>{secret}</SecretAccessKey>\
         <SessionToken>{token}</SessionToken><Expiration>{expiration}</Expiration></Credentials>\
         <PackedPolicySize>0</PackedPolicySize>\
         </AssumeRoleResult><ResponseMetadata><RequestId>{}</RequestId></ResponseMetadata>\
         </AssumeRoleResponse>",
        xml_escape(&assumed_arn),
        xml_escape(&role_id),
        xml_escape(session),
        ctx.request_id
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_arns() {
        assert_eq!(
            parse_role_arn("arn:aws:iam::210987654321:role/reader"),
            Some(("210987654321".to_string(), "reader".to_string()))
        );
        assert_eq!(
            parse_role_arn("arn:aws:iam::210987654321:role/ops/team/reader"),
            Some(("210987654321".to_string(), "reader".to_string()))
        );
        for bad in [
            "arn:aws:iam:210987654321:role/reader",
            "arn:aws:iam::21098765432:role/reader",
            "arn:aws:iam::21098765432x:role/reader",
            "arn:aws:iam::210987654321:user/reader",
            "arn:aws:iam::210987654321:role/",
            "arn:aws:iam::210987654321:role/a//b",
            "arn:aws:iam::210987654321:role/has space",
            "arn:aws:s3:::210987654321:role/reader",
        ] {
            assert_eq!(parse_role_arn(bad), None, "{bad}");
        }
        let long = format!("arn:aws:iam::210987654321:role/{}", "r".repeat(65));
        assert_eq!(parse_role_arn(&long), None);
    }
}
