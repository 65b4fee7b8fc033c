//! STS AssumeRole, per-account state and denials, and the account/action of
//! recorded calls.

mod common;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, LogGroup, SubscriptionFilter};
use serde_json::json;

const R: &str = "us-east-1";
const DEFAULT: &str = "123456789012";
const OTHER: &str = "210987654321";
const READER: &str = "arn:aws:iam::210987654321:role/ops/reader";

async fn fake() -> FakeAws {
    FakeAws::start(FakeOptions::default()).await
}

/// Days since 1970-01-01 of a civil date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Epoch seconds of `YYYY-MM-DDTHH:MM:SSZ`.
fn parse_iso(s: &str) -> i64 {
    assert_eq!(s.len(), 20, "{s}");
    assert!(s.ends_with('Z') && &s[10..11] == "T", "{s}");
    let n = |a: usize, b: usize| s[a..b].parse::<i64>().unwrap();
    days_from_civil(n(0, 4), n(5, 7), n(8, 10)) * 86_400
        + n(11, 13) * 3600
        + n(14, 16) * 60
        + n(17, 19)
}

fn now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

fn assert_sts_error(r: &Resp, status: u16, code: &str) -> String {
    let body = r.text();
    assert_eq!(r.status, status, "{body}");
    assert_eq!(r.header("content-type"), Some("text/xml"));
    assert!(
        body.contains(&format!("<Type>Sender</Type><Code>{code}</Code>")),
        "{body}"
    );
    xml_tag(&body, "Message").unwrap_or_default()
}

#[tokio::test]
async fn assume_role_issues_a_session_in_the_roles_account() {
    let f = fake().await;
    let body = assume_role_body(READER, "logplan@ci", &[("DurationSeconds", "900")]);
    let r = sts_call(&f, R, &body).await.unwrap();
    assert_eq!(r.status, 200, "{}", r.text());
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let rid = r.header("x-amzn-requestid").unwrap().to_string();
    let text = r.text();
    assert!(
        text.starts_with(
            "<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><AssumeRoleResult>"
        ),
        "{text}"
    );
    assert_eq!(xml_tag(&text, "RequestId").as_deref(), Some(rid.as_str()));
    let key = xml_tag(&text, "AccessKeyId").unwrap();
    assert_eq!(key.len(), 20, "{key}");
    assert!(key.starts_with("ASIA"));
    assert!(
        key[4..]
            .chars()
            .all(|c| c.is_ascii_digit() || c.is_ascii_uppercase()),
        "{key}"
    );
    assert_eq!(xml_tag(&text, "SecretAccessKey").unwrap().len(), 40);
    assert!(!xml_tag(&text, "SessionToken").unwrap().is_empty());
    let exp = parse_iso(&xml_tag(&text, "Expiration").unwrap());
    let now = now_secs();
    assert!((now + 890..=now + 910).contains(&exp), "{exp} vs {now}");
    assert_eq!(
        xml_tag(&text, "Arn").as_deref(),
        Some("arn:aws:sts::210987654321:assumed-role/reader/logplan@ci")
    );
    let role_id = xml_tag(&text, "AssumedRoleId").unwrap();
    let (id, session) = role_id.split_once(':').unwrap();
    assert!(id.starts_with("AROA") && id.len() == 21, "{id}");
    assert_eq!(session, "logplan@ci");
    assert_eq!(xml_tag(&text, "PackedPolicySize").as_deref(), Some("0"));

    // The default duration is one hour; keys are unique; the role id is stable per role.
    let r = sts_call(&f, R, &assume_role_body(READER, "second", &[]))
        .await
        .unwrap();
    let text2 = r.text();
    let exp2 = parse_iso(&xml_tag(&text2, "Expiration").unwrap());
    assert!((now + 3590..=now + 3610).contains(&exp2), "{exp2} vs {now}");
    let key2 = xml_tag(&text2, "AccessKeyId").unwrap();
    assert_ne!(key, key2);
    assert_eq!(
        xml_tag(&text2, "AssumedRoleId").unwrap(),
        format!("{id}:second")
    );

    // Deterministic: another fake issues the same first key.
    let g = fake().await;
    assert_eq!(assume(&g, READER, "x1").await, key);

    // The new key is the role session.
    let r = sts_call_as(&f, &key, "eu-west-1", GET_CALLER_IDENTITY).await;
    assert_eq!(r.status, 200);
    let text = r.text();
    assert_eq!(xml_tag(&text, "Account").as_deref(), Some(OTHER));
    assert_eq!(
        xml_tag(&text, "Arn").as_deref(),
        Some("arn:aws:sts::210987654321:assumed-role/reader/logplan@ci")
    );
    assert_eq!(xml_tag(&text, "UserId"), Some(role_id));

    // A key the fake did not issue is the default account.
    let r = sts_call_as(&f, "ASIA0000000000000000", R, GET_CALLER_IDENTITY).await;
    assert_eq!(xml_tag(&r.text(), "Account").as_deref(), Some(DEFAULT));

    let calls = f.calls();
    let summary: Vec<(&str, &str, &str)> = calls
        .iter()
        .map(|c| (c.action.as_str(), c.account.as_str(), c.region.as_str()))
        .collect();
    assert_eq!(
        summary,
        vec![
            ("sts:AssumeRole", DEFAULT, R),
            ("sts:AssumeRole", DEFAULT, R),
            ("sts:GetCallerIdentity", OTHER, "eu-west-1"),
            ("sts:GetCallerIdentity", DEFAULT, R),
        ]
    );
    assert!(calls.iter().all(|c| c.status == 200 && c.fault.is_none()));
}

#[tokio::test]
async fn assume_role_validates_its_parameters() {
    let f = fake().await;
    let call = |body: String| {
        let f = &f;
        async move { sts_call(f, R, &body).await.unwrap() }
    };

    let r = call("Action=AssumeRole&RoleSessionName=abc".to_string()).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert_eq!(
        msg,
        "1 validation error detected: Value null at 'roleArn' failed to satisfy constraint: \
         Member must not be null"
    );
    let r = call(format!("Action=AssumeRole&RoleArn={}", form_encode(READER))).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert!(msg.contains("Value null at 'roleSessionName'"), "{msg}");

    let r = call(assume_role_body("arn:aws:iam::1:r", "abc", &[])).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert!(
        msg.contains("at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20"),
        "{msg}"
    );
    for bad in [
        "arn:aws:iam:210987654321:role/reader",
        "arn:aws:iam::21098765432:role/reader",
        "arn:aws:iam::210987654321:user/reader",
        "arn:aws:sts::210987654321:role/reader",
        "arn:aws:iam::210987654321:role/",
    ] {
        let r = call(assume_role_body(bad, "abc", &[])).await;
        assert_eq!(
            assert_sts_error(&r, 400, "ValidationError"),
            "Request ARN is invalid",
            "{bad}"
        );
    }

    let r = call(assume_role_body(READER, "a", &[])).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert_eq!(
        msg,
        "1 validation error detected: Value 'a' at 'roleSessionName' failed to satisfy \
         constraint: Member must have length greater than or equal to 2"
    );
    let r = call(assume_role_body(READER, &"s".repeat(65), &[])).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert!(msg.contains("less than or equal to 64"), "{msg}");
    for bad in ["has space", "a/b", "a:b", "é-x"] {
        let r = call(assume_role_body(READER, bad, &[])).await;
        let msg = assert_sts_error(&r, 400, "ValidationError");
        assert!(
            msg.ends_with("Member must satisfy regular expression pattern: [\\w+=,.@-]*"),
            "{bad}: {msg}"
        );
    }
    // Every allowed character, at both length limits.
    for ok in ["ab", "A_z+=,.@-9", &"s".repeat(64)] {
        let r = call(assume_role_body(READER, ok, &[])).await;
        assert_eq!(r.status, 200, "{ok}: {}", r.text());
    }

    for (d, want) in [
        ("899", "greater than or equal to 900"),
        ("43201", "less than or equal to 43200"),
        ("abc", "must be an integer"),
    ] {
        let r = call(assume_role_body(READER, "abc", &[("DurationSeconds", d)])).await;
        let msg = assert_sts_error(&r, 400, "ValidationError");
        assert!(msg.contains(want), "{d}: {msg}");
    }
    let r = call(assume_role_body(
        READER,
        "abc",
        &[("DurationSeconds", "43200")],
    ))
    .await;
    assert_eq!(r.status, 200);

    let r = call(assume_role_body(READER, "abc", &[("ExternalId", "x")])).await;
    let msg = assert_sts_error(&r, 400, "ValidationError");
    assert!(msg.contains("at 'externalId'"), "{msg}");
    let r = call(assume_role_body(READER, "abc", &[("ExternalId", "a b")])).await;
    assert_sts_error(&r, 400, "ValidationError");
    let r = call(assume_role_body(
        READER,
        "abc",
        &[("ExternalId", "urn:x/y-1")],
    ))
    .await;
    assert_eq!(r.status, 200, "ExternalId allows : and /");

    // Validation failures issue no session and are not denials.
    assert!(
        f.calls()
            .iter()
            .all(|c| c.action == "sts:AssumeRole" && c.fault.is_none())
    );
}

#[tokio::test]
async fn assume_role_denials_and_external_ids() {
    let f = fake().await;
    let writer = "arn:aws:iam::210987654321:role/writer";
    let vendor = "arn:aws:iam::333333333333:role/vendor";
    f.deny_assume(writer);
    let r = sts_call(&f, R, &assume_role_body(writer, "s1", &[]))
        .await
        .unwrap();
    assert_eq!(
        assert_sts_error(&r, 403, "AccessDenied"),
        "User: arn:aws:iam::123456789012:user/fake is not authorized to perform: \
         sts:AssumeRole on resource: arn:aws:iam::210987654321:role/writer"
    );
    // Another role of the same account is not affected.
    assume(&f, READER, "s1").await;
    // Validation comes before authorization.
    let r = sts_call(&f, R, &assume_role_body(writer, "a", &[]))
        .await
        .unwrap();
    assert_sts_error(&r, 400, "ValidationError");
    f.allow_assume(writer);
    assume(&f, writer, "s1").await;

    f.require_external_id(vendor, "ext-123");
    for extra in [vec![], vec![("ExternalId", "ext-124")]] {
        let r = sts_call(&f, R, &assume_role_body(vendor, "s1", &extra))
            .await
            .unwrap();
        let msg = assert_sts_error(&r, 403, "AccessDenied");
        assert!(msg.ends_with(&format!("on resource: {vendor}")), "{msg}");
    }
    let r = sts_call(
        &f,
        R,
        &assume_role_body(vendor, "s1", &[("ExternalId", "ext-123")]),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(
        xml_tag(&r.text(), "Arn").as_deref(),
        Some("arn:aws:sts::333333333333:assumed-role/vendor/s1")
    );

    // Role chaining: a denial names the assumed-role caller.
    let key = assume(&f, READER, "chain").await;
    f.deny_assume(writer);
    let r = sts_call_as(&f, &key, R, &assume_role_body(writer, "s2", &[])).await;
    let msg = assert_sts_error(&r, 403, "AccessDenied");
    assert!(
        msg.starts_with(
            "User: arn:aws:sts::210987654321:assumed-role/reader/chain is not authorized"
        ),
        "{msg}"
    );
    let r = sts_call_as(
        &f,
        &key,
        R,
        &assume_role_body(vendor, "s2", &[("ExternalId", "ext-123")]),
    )
    .await;
    assert_eq!(r.status, 200);

    // The IAM action itself can be denied, globally or for one account.
    f.deny_in(OTHER, "sts:AssumeRole");
    let r = sts_call_as(&f, &key, R, &assume_role_body(READER, "s3", &[])).await;
    let msg = assert_sts_error(&r, 403, "AccessDenied");
    assert!(
        msg.contains("sts:AssumeRole because no identity-based policy allows"),
        "{msg}"
    );
    assume(&f, READER, "s3").await;
    f.deny("sts:AssumeRole");
    let r = sts_call(&f, R, &assume_role_body(READER, "s4", &[]))
        .await
        .unwrap();
    assert_sts_error(&r, 403, "AccessDenied");

    let denied: Vec<u16> = f
        .calls()
        .iter()
        .filter(|c| c.fault.as_deref() == Some("denied"))
        .map(|c| c.status)
        .collect();
    assert_eq!(denied, vec![403; 6]);
}

#[tokio::test]
async fn each_account_sees_only_its_own_state() {
    let f = fake().await;
    f.add_log_group(R, LogGroup::new("/default/app"));
    f.add_log_group_in(OTHER, R, LogGroup::new("/other/app"));
    f.add_log_group_in(OTHER, R, LogGroup::new("/other/web"));
    f.add_log_group_in(OTHER, "eu-west-1", LogGroup::new("/other/eu"));
    f.add_subscription_filter_in(
        OTHER,
        R,
        "/other/app",
        SubscriptionFilter {
            filter_name: "dd".into(),
            destination_arn: "arn:aws:lambda:us-east-1:210987654321:function:fwd".into(),
            filter_pattern: String::new(),
            role_arn: None,
            distribution: "ByLogStream".into(),
            creation_time_ms: 1,
        },
    );
    f.put_log_events_in(OTHER, R, "/other/web", "s", &[(1_000, "hello".into())]);
    let dims = [("LogGroupName", "/app")];
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &dims,
        &[(1_793_491_200, 1.0)],
    );
    f.put_metric_in(
        OTHER,
        R,
        "AWS/Logs",
        "IncomingBytes",
        &dims,
        &[(1_793_491_200, 7.0), (1_793_491_210, 8.0)],
    );

    let key = assume(&f, READER, "s1").await;
    let names = |v: &serde_json::Value| -> Vec<String> {
        v["logGroups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["logGroupName"].as_str().unwrap().to_string())
            .collect()
    };

    let (r, v) = logs_call_as(&f, &key, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200, "{v}");
    assert_eq!(names(&v), vec!["/other/app", "/other/web"]);
    assert_eq!(
        v["logGroups"][0]["arn"],
        "arn:aws:logs:us-east-1:210987654321:log-group:/other/app:*"
    );
    let (_, v) = logs_call_as(&f, &key, "eu-west-1", "DescribeLogGroups", json!({})).await;
    assert_eq!(names(&v), vec!["/other/eu"]);
    let (_, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(names(&v), vec!["/default/app"]);
    assert_eq!(
        v["logGroups"][0]["arn"],
        "arn:aws:logs:us-east-1:123456789012:log-group:/default/app:*"
    );

    let (_, v) = logs_call_as(
        &f,
        &key,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/other/app"}),
    )
    .await;
    assert_eq!(v["subscriptionFilters"][0]["filterName"], "dd");
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/other/app"}),
    )
    .await;
    assert_logs_error(&r, &v, "ResourceNotFoundException");

    let (_, v) = logs_call_as(
        &f,
        &key,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/other/web"}),
    )
    .await;
    assert_eq!(v["events"][0]["message"], "hello");

    let req = gmd_request(
        vec![metric_query(
            "a",
            "AWS/Logs",
            "IncomingBytes",
            &dims,
            60,
            "Sum",
        )],
        1_793_491_200,
        1_793_491_260,
        vec![],
    );
    let (_, v) = cw_call_as(&f, &key, R, "GetMetricData", &req).await;
    assert_eq!(parse_gmd(&v).results[0].values, vec![15.0]);
    let (_, v) = cw_call(&f, R, "GetMetricData", &req).await;
    assert_eq!(parse_gmd(&v).results[0].values, vec![1.0]);

    let (r, v) = logs_call_as(
        &f,
        &key,
        R,
        "PutQueryDefinition",
        json!({"name": "q", "queryString": "fields @message"}),
    )
    .await;
    assert_eq!(r.status, 200, "{v}");
    assert_eq!(f.query_definitions_in(OTHER, R).len(), 1);
    assert_eq!(f.query_definitions_in(OTHER, R)[0].name, "q");
    assert!(f.query_definitions(R).is_empty());
    assert!(f.query_definitions_in(DEFAULT, R).is_empty());
    let (_, v) = logs_call(&f, R, "DescribeQueryDefinitions", json!({})).await;
    assert_eq!(v["queryDefinitions"], json!([]));

    let accounts: Vec<(String, String)> = f
        .calls()
        .into_iter()
        .map(|c| (c.action, c.account))
        .collect();
    let expect: Vec<(String, String)> = [
        ("sts:AssumeRole", DEFAULT),
        ("logs:DescribeLogGroups", OTHER),
        ("logs:DescribeLogGroups", OTHER),
        ("logs:DescribeLogGroups", DEFAULT),
        ("logs:DescribeSubscriptionFilters", OTHER),
        ("logs:DescribeSubscriptionFilters", DEFAULT),
        ("logs:FilterLogEvents", OTHER),
        ("cloudwatch:GetMetricData", OTHER),
        ("cloudwatch:GetMetricData", DEFAULT),
        ("logs:PutQueryDefinition", OTHER),
        ("logs:DescribeQueryDefinitions", DEFAULT),
    ]
    .iter()
    .map(|(a, b)| (a.to_string(), b.to_string()))
    .collect();
    assert_eq!(accounts, expect);
}

#[tokio::test]
async fn deny_in_affects_one_account_only() {
    let f = fake().await;
    let key = assume(&f, READER, "s1").await;
    f.deny_in(OTHER, "logs:DescribeLogGroups");

    let (r, v) = logs_call_as(&f, &key, R, "DescribeLogGroups", json!({})).await;
    let msg = assert_logs_error(&r, &v, "AccessDeniedException");
    assert_eq!(
        msg,
        "User: arn:aws:sts::210987654321:assumed-role/reader/s1 is not authorized to perform: \
         logs:DescribeLogGroups on resource: arn:aws:logs:us-east-1:210987654321:log-group::log-stream: \
         because no identity-based policy allows the logs:DescribeLogGroups action"
    );
    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    // Other actions of that account are not affected.
    let (r, _) = logs_call_as(&f, &key, R, "DescribeQueryDefinitions", json!({})).await;
    assert_eq!(r.status, 200);

    // A denial in the default account leaves the role's account alone.
    f.deny_in(DEFAULT, "sts:GetCallerIdentity");
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_sts_error(&r, 403, "AccessDenied");
    let r = sts_call_as(&f, &key, R, GET_CALLER_IDENTITY).await;
    assert_eq!(r.status, 200);

    f.allow_in(OTHER, "logs:DescribeLogGroups");
    let (r, _) = logs_call_as(&f, &key, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    // allow lifts the per-account denials too.
    f.allow("sts:GetCallerIdentity");
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 200);

    let denied: Vec<(String, String)> = f
        .calls()
        .into_iter()
        .filter(|c| c.fault.as_deref() == Some("denied"))
        .map(|c| (c.action, c.account))
        .collect();
    assert_eq!(
        denied,
        vec![
            ("logs:DescribeLogGroups".to_string(), OTHER.to_string()),
            ("sts:GetCallerIdentity".to_string(), DEFAULT.to_string()),
        ]
    );
}

#[tokio::test]
async fn calls_record_iam_actions() {
    let f = FakeAws::start(FakeOptions {
        account_id: "444455556666".to_string(),
        ..FakeOptions::default()
    })
    .await;
    let req = gmd_request(
        vec![metric_query(
            "a",
            "AWS/Logs",
            "IncomingBytes",
            &[],
            60,
            "Sum",
        )],
        1_793_491_200,
        1_793_491_260,
        vec![],
    );
    cw_call(&f, R, "GetMetricData", &req).await;
    logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    logs_call(&f, R, "NoSuchOp", json!({})).await;
    sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    sts_call(&f, R, "Action=GetSessionToken").await.unwrap();
    send(&f, "/nowhere", &[], b"").await.unwrap();
    let got: Vec<(String, String, String, String, u16)> = f
        .calls()
        .into_iter()
        .map(|c| {
            assert!(!c.proxied);
            (c.service, c.operation, c.action, c.account, c.status)
        })
        .collect();
    let a = "444455556666".to_string();
    let row = |s: &str, o: &str, act: &str, st: u16| {
        (s.to_string(), o.to_string(), act.to_string(), a.clone(), st)
    };
    assert_eq!(
        got,
        vec![
            row(
                "monitoring",
                "GetMetricData",
                "cloudwatch:GetMetricData",
                200
            ),
            row("logs", "DescribeLogGroups", "logs:DescribeLogGroups", 200),
            row("logs", "NoSuchOp", "logs:NoSuchOp", 400),
            row("sts", "GetCallerIdentity", "sts:GetCallerIdentity", 200),
            row("sts", "GetSessionToken", "sts:GetSessionToken", 400),
            row("unknown", "", "", 404),
        ]
    );
}
