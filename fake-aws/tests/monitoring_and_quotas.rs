//! Quotas answered in each protocol's throttling form; ListMetrics (two weeks, linked accounts,
//! pages of 500), GetMetricStatistics, DescribeAccountPolicies, OAM links; log groups deleted
//! before the n-th call of an action.

mod common;

use ciborium::Value;
use common::*;
use logplan_fake::{
    FakeAws, FakeOptions, LOG_GROUPS, LogGroup, METRICS, Quotas, SubscriptionPolicy,
};
use serde_json::json;

const R: &str = "us-east-1";

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// Every action at one request a second with a bucket of one.
fn one_per_second() -> Quotas {
    let mut q = Quotas::aws_defaults();
    for r in q.rates.values_mut() {
        *r = 1.0;
    }
    q.regional_filter_log_events = false;
    q
}

async fn oam_call(f: &FakeAws, op: &str, body: serde_json::Value) -> Resp {
    send(
        f,
        &format!("/{op}"),
        &[
            ("content-type", "application/json".to_string()),
            ("authorization", auth(R, "oam")),
        ],
        body.to_string().as_bytes(),
    )
    .await
    .expect("response")
}

#[tokio::test]
async fn quotas_throttle_in_each_protocols_form() {
    let f = FakeAws::start(FakeOptions {
        quotas: Some(one_per_second()),
        ..FakeOptions::default()
    })
    .await;
    f.link_source(&f.account_id(), R, "222222222222", &[LOG_GROUPS]);
    let lm = map(vec![("Namespace", t("AWS/Logs"))]);

    // The first call of each action takes the bucket's one token; the second is throttled.
    let (r, _) = cw_call(&f, R, "ListMetrics", &lm).await;
    assert_eq!(r.status, 200);
    let (r, v) = cw_call(&f, R, "ListMetrics", &lm).await;
    assert_eq!(assert_cw_error(&r, &v, 400, "Throttling"), "Rate exceeded");
    assert_eq!(r.header("x-amzn-query-error"), Some("Throttling;Sender"));

    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_logs_error(&r, &v, "ThrottlingException");

    assert_eq!(
        sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap().status,
        200
    );
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 400);
    assert!(r.text().contains("<Code>Throttling</Code>"), "{}", r.text());

    assert_eq!(oam_call(&f, "ListSinks", json!({})).await.status, 200);
    let r = oam_call(&f, "ListSinks", json!({})).await;
    assert_eq!(r.status, 429);
    assert_eq!(r.header("x-amzn-errortype"), Some("ThrottlingException"));

    // Buckets are per account, region and action: another region is not throttled.
    let (r, _) = logs_call(&f, "eu-west-1", "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    let quota: Vec<String> = f
        .calls()
        .into_iter()
        .filter(|c| c.fault.as_deref() == Some("quota"))
        .map(|c| c.action)
        .collect();
    assert_eq!(
        quota,
        [
            "cloudwatch:ListMetrics",
            "logs:DescribeLogGroups",
            "sts:GetCallerIdentity",
            "oam:ListSinks"
        ]
    );

    // A second later every bucket has a token again.
    tokio::time::sleep(std::time::Duration::from_millis(1_050)).await;
    let (r, _) = cw_call(&f, R, "ListMetrics", &lm).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn list_metrics_sees_two_weeks_and_linked_accounts() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let me = f.account_id();
    let dims = |g: &'static str| {
        [
            ("LogGroupName", g),
            ("DestinationType", "Lambda"),
            ("FilterName", "dd"),
        ]
    };
    let recent = now() - 3 * 86_400;
    let old = now() - 20 * 86_400;
    f.put_metric(
        R,
        "AWS/Logs",
        "ForwardedBytes",
        &dims("/recent"),
        &[(recent, 1.0)],
    );
    f.put_metric(
        R,
        "AWS/Logs",
        "ForwardedBytes",
        &dims("/old"),
        &[(old, 1.0)],
    );
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/recent")],
        &[(recent, 1.0)],
    );
    f.put_metric_in(
        "222222222222",
        R,
        "AWS/Logs",
        "ForwardedBytes",
        &dims("/src"),
        &[(recent, 1.0)],
    );
    f.put_metric_in(
        "333333333333",
        R,
        "AWS/Logs",
        "ForwardedBytes",
        &dims("/unlinked"),
        &[(recent, 1.0)],
    );
    f.link_source(&me, R, "222222222222", &[LOG_GROUPS, METRICS]);

    let names = |v: &Value| -> Vec<String> {
        match cbor_get(v, "Metrics") {
            Some(Value::Array(a)) => a
                .iter()
                .map(|m| match cbor_get(m, "Dimensions") {
                    Some(Value::Array(d)) => d
                        .iter()
                        .filter(|x| matches!(cbor_get(x, "Name"), Some(Value::Text(n)) if n == "LogGroupName"))
                        .filter_map(|x| match cbor_get(x, "Value") {
                            Some(Value::Text(s)) => Some(s.clone()),
                            _ => None,
                        })
                        .collect::<String>(),
                    _ => String::new(),
                })
                .collect(),
            _ => vec![],
        }
    };
    let req = map(vec![
        ("Namespace", t("AWS/Logs")),
        ("MetricName", t("ForwardedBytes")),
    ]);
    let (r, v) = cw_call(&f, R, "ListMetrics", &req).await;
    assert_eq!(r.status, 200);
    // No data for two weeks: not listed. Own account only without IncludeLinkedAccounts.
    assert_eq!(names(&v), ["/recent"]);
    assert!(cbor_get(&v, "OwningAccounts").is_none());

    let req = map(vec![
        ("Namespace", t("AWS/Logs")),
        ("MetricName", t("ForwardedBytes")),
        ("IncludeLinkedAccounts", Value::Bool(true)),
    ]);
    let (_, v) = cw_call(&f, R, "ListMetrics", &req).await;
    assert_eq!(
        names(&v),
        ["/recent", "/src"],
        "the unlinked account's are not seen"
    );
    assert_eq!(
        cbor_get(&v, "OwningAccounts"),
        Some(&Value::Array(vec![t(&me), t("222222222222")]))
    );

    // 1,200 metrics: pages of 500, the last without a token.
    for i in 0..1_200 {
        let g = format!("/many/{i:04}");
        f.put_metric(R, "Bench", "M", &[("LogGroupName", &g)], &[(recent, 1.0)]);
    }
    let mut token: Option<String> = None;
    let mut pages = Vec::new();
    loop {
        let mut entries = vec![("Namespace", t("Bench"))];
        if let Some(tk) = token.as_deref() {
            entries.push(("NextToken", t(tk)));
        }
        let (r, v) = cw_call(&f, R, "ListMetrics", &map(entries)).await;
        assert_eq!(r.status, 200);
        pages.push(names(&v).len());
        match cbor_get(&v, "NextToken") {
            Some(Value::Text(tk)) => token = Some(tk.clone()),
            _ => break,
        }
    }
    assert_eq!(pages, [500, 500, 200]);
}

#[tokio::test]
async fn get_metric_statistics_sums_daily_and_caps_datapoints() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let day0 = 1_790_812_800; // 2026-10-01
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/a")],
        &[(day0, 1.0), (day0 + 3_600, 2.0), (day0 + 86_400, 4.0)],
    );
    let req = |period: i64, end: i64| {
        map(vec![
            ("Namespace", t("AWS/Logs")),
            ("MetricName", t("IncomingBytes")),
            (
                "Dimensions",
                Value::Array(vec![map(vec![
                    ("Name", t("LogGroupName")),
                    ("Value", t("/a")),
                ])]),
            ),
            ("StartTime", ts(day0)),
            ("EndTime", ts(end)),
            ("Period", Value::Integer(period.into())),
            ("Statistics", Value::Array(vec![t("Sum"), t("SampleCount")])),
        ])
    };
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricStatistics",
        &req(86_400, day0 + 2 * 86_400),
    )
    .await;
    assert_eq!(r.status, 200);
    let points = match cbor_get(&v, "Datapoints") {
        Some(Value::Array(a)) => a.clone(),
        other => panic!("{other:?}"),
    };
    let sums: Vec<Option<&Value>> = points.iter().map(|p| cbor_get(p, "Sum")).collect();
    // Day 1: 1 + 2; day 2: 4.
    assert_eq!(sums, [Some(&Value::Float(3.0)), Some(&Value::Float(4.0))]);
    assert_eq!(
        cbor_get(&points[0], "SampleCount"),
        Some(&Value::Float(2.0))
    );
    // 60-second periods over two days: 2,880 datapoints, more than 1,440.
    let (r, v) = cw_call(&f, R, "GetMetricStatistics", &req(60, day0 + 2 * 86_400)).await;
    let msg = assert_cw_error(&r, &v, 400, "InvalidParameterCombination");
    assert!(msg.contains("2880 datapoints"), "{msg}");
}

#[tokio::test]
async fn account_policies_oam_links_and_deletions() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let me = f.account_id();
    let policy = SubscriptionPolicy {
        name: "all".into(),
        destination_arn: "arn:aws:lambda:us-east-1:222222222222:function:datadog".into(),
        filter_pattern: String::new(),
        selection_criteria: Some("LogGroupName NOT IN [\"/x\"]".into()),
        last_updated_ms: 5,
    };
    f.put_subscription_policy_in("222222222222", R, policy.clone());
    f.put_subscription_policy_in(
        &me,
        R,
        SubscriptionPolicy {
            name: "mine".into(),
            ..policy
        },
    );

    let (r, v) = logs_call(
        &f,
        R,
        "DescribeAccountPolicies",
        json!({"policyType": "SUBSCRIPTION_FILTER_POLICY"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let p = &v["accountPolicies"][0];
    assert_eq!(p["policyName"], "mine");
    assert_eq!(p["selectionCriteria"], "LogGroupName NOT IN [\"/x\"]");
    let doc: serde_json::Value =
        serde_json::from_str(p["policyDocument"].as_str().unwrap()).unwrap();
    assert_eq!(
        doc["DestinationArn"],
        "arn:aws:lambda:us-east-1:222222222222:function:datadog"
    );
    // A source account's policies: only once linked.
    let theirs =
        json!({"policyType": "SUBSCRIPTION_FILTER_POLICY", "accountIdentifiers": ["222222222222"]});
    let (_, v) = logs_call(&f, R, "DescribeAccountPolicies", theirs.clone()).await;
    assert_eq!(v["accountPolicies"], json!([]));
    let (r, v) = logs_call(&f, R, "DescribeAccountPolicies", json!({})).await;
    assert_logs_error(&r, &v, "InvalidParameterException");

    // OAM: no sink until a source is linked; then one link with what it shares.
    let r = oam_call(&f, "ListSinks", json!({})).await;
    assert_eq!(
        serde_json::from_slice::<serde_json::Value>(&r.body).unwrap()["Items"],
        json!([])
    );
    f.link_source(&me, R, "222222222222", &[LOG_GROUPS]);
    let r = oam_call(&f, "ListSinks", json!({})).await;
    let sinks: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    let sink = sinks["Items"][0]["Arn"].as_str().unwrap().to_string();
    assert!(
        sink.starts_with(&format!("arn:aws:oam:{R}:{me}:sink/")),
        "{sink}"
    );
    let r = oam_call(&f, "ListAttachedLinks", json!({"SinkIdentifier": sink})).await;
    let links: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(links["Items"][0]["ResourceTypes"], json!([LOG_GROUPS]));
    assert!(
        links["Items"][0]["LinkArn"]
            .as_str()
            .unwrap()
            .starts_with(&format!("arn:aws:oam:{R}:222222222222:link/"))
    );
    let r = oam_call(
        &f,
        "ListAttachedLinks",
        json!({"SinkIdentifier": "arn:aws:oam:us-east-1:1:sink/x"}),
    )
    .await;
    assert_eq!(
        (r.status, r.header("x-amzn-errortype")),
        (404, Some("ResourceNotFoundException"))
    );
    let (_, v) = logs_call(&f, R, "DescribeAccountPolicies", theirs).await;
    assert_eq!(v["accountPolicies"][0]["accountId"], "222222222222");

    // Linked groups are listed with their owner's ARN, sorted by account.
    f.add_log_group(R, LogGroup::new("/own"));
    f.add_log_group_in("222222222222", R, LogGroup::new("/src"));
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"includeLinkedAccounts": true}),
    )
    .await;
    let arns: Vec<&str> = v["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupArn"].as_str().unwrap())
        .collect();
    assert_eq!(
        arns,
        [
            format!("arn:aws:logs:{R}:{me}:log-group:/own"),
            format!("arn:aws:logs:{R}:222222222222:log-group:/src"),
        ]
    );

    // A group deleted just before the second DescribeSubscriptionFilters call.
    f.delete_log_group_before("logs:DescribeSubscriptionFilters", 2, &me, R, "/own");
    let (r, _) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/own"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/own"}),
    )
    .await;
    assert_logs_error(&r, &v, "ResourceNotFoundException");
}
