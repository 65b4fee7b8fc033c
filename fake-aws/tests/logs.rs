//! CloudWatch Logs over AWS JSON 1.1.

mod common;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, LogGroup, SubscriptionFilter};
use serde_json::{Value, json};

const R: &str = "us-east-1";

async fn fake() -> FakeAws {
    FakeAws::start(FakeOptions::default()).await
}

fn group(name: &str, i: i64) -> LogGroup {
    LogGroup {
        name: name.to_string(),
        class: if i % 3 == 0 {
            "INFREQUENT_ACCESS"
        } else {
            "STANDARD"
        }
        .to_string(),
        retention_days: if i % 2 == 0 { Some(30) } else { None },
        stored_bytes: i * 1000,
        creation_time_ms: 1_700_000_000_000 + i,
    }
}

#[tokio::test]
async fn describe_log_groups_paginates_120_groups_in_3_pages() {
    let f = fake().await;
    // Insert in reverse order; the fake sorts by name.
    for i in (0..120).rev() {
        f.add_log_group(R, group(&format!("/app/g{i:03}"), i));
    }
    f.add_log_group("eu-west-1", group("/elsewhere", 1));

    let mut names = Vec::new();
    let mut token: Option<String> = None;
    let mut sizes = Vec::new();
    loop {
        let mut req = json!({"limit": 50});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let (r, v) = logs_call(&f, R, "DescribeLogGroups", req).await;
        assert_eq!(r.status, 200, "{v}");
        assert_eq!(r.header("content-type"), Some("application/x-amz-json-1.1"));
        assert!(r.header("x-amzn-requestid").is_some());
        let gs = v["logGroups"].as_array().unwrap();
        sizes.push(gs.len());
        names.extend(
            gs.iter()
                .map(|g| g["logGroupName"].as_str().unwrap().to_string()),
        );
        token = v["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
        assert!(sizes.len() < 10);
    }
    assert_eq!(sizes, vec![50, 50, 20]);
    let expected: Vec<String> = (0..120).map(|i| format!("/app/g{i:03}")).collect();
    assert_eq!(names, expected);

    // Field shapes.
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"logGroupNamePrefix": "/app/g00", "limit": 2}),
    )
    .await;
    let gs = v["logGroups"].as_array().unwrap();
    assert_eq!(gs.len(), 2);
    assert_eq!(
        gs[0],
        json!({
            "logGroupName": "/app/g000",
            "arn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/g000:*",
            "logGroupArn": "arn:aws:logs:us-east-1:123456789012:log-group:/app/g000",
            "creationTime": 1_700_000_000_000i64,
            "retentionInDays": 30,
            "storedBytes": 0,
            "logGroupClass": "INFREQUENT_ACCESS",
            "metricFilterCount": 0
        })
    );
    assert!(
        gs[1].get("retentionInDays").is_none(),
        "omitted when the group has none"
    );
    assert_eq!(gs[1]["logGroupClass"], "STANDARD");
    assert!(v["nextToken"].is_string(), "10 groups match the prefix");

    // Default limit is 50.
    let (_, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(v["logGroups"].as_array().unwrap().len(), 50);

    // Class filter and pattern (which trims the fields).
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"logGroupClass": "INFREQUENT_ACCESS"}),
    )
    .await;
    assert!(
        v["logGroups"]
            .as_array()
            .unwrap()
            .iter()
            .all(|g| g["logGroupClass"] == "INFREQUENT_ACCESS")
    );
    assert_eq!(v["logGroups"].as_array().unwrap().len(), 40);
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"logGroupNamePattern": "g11"}),
    )
    .await;
    let gs = v["logGroups"].as_array().unwrap();
    assert_eq!(gs.len(), 10);
    assert!(gs[0].get("storedBytes").is_none());
    assert!(gs[0].get("arn").is_some());

    // logGroupIdentifiers take names or ARNs.
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"logGroupIdentifiers": ["/app/g007", "arn:aws:logs:us-east-1:123456789012:log-group:/app/g003:*", "/missing"]}),
    )
    .await;
    let got: Vec<&str> = v["logGroups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["logGroupName"].as_str().unwrap())
        .collect();
    assert_eq!(got, vec!["/app/g003", "/app/g007"]);

    // Region isolation.
    let (_, v) = logs_call(&f, "eu-west-1", "DescribeLogGroups", json!({})).await;
    assert_eq!(
        v["logGroups"],
        json!([{
            "logGroupName": "/elsewhere",
            "arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/elsewhere:*",
            "logGroupArn": "arn:aws:logs:eu-west-1:123456789012:log-group:/elsewhere",
            "creationTime": 1_700_000_000_001i64,
            "storedBytes": 1000,
            "logGroupClass": "STANDARD",
            "metricFilterCount": 0
        }])
    );
}

#[tokio::test]
async fn describe_log_groups_validation() {
    let f = fake().await;
    for limit in [0, 51, -1] {
        let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({"limit": limit})).await;
        let msg = assert_logs_error(&r, &v, "InvalidParameterException");
        assert!(msg.contains("'limit'"), "{msg}");
    }
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeLogGroups",
        json!({"logGroupNamePrefix": "/a", "logGroupNamePattern": "a"}),
    )
    .await;
    assert_logs_error(&r, &v, "InvalidParameterException");
    let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({"nextToken": "garbage"})).await;
    assert_logs_error(&r, &v, "InvalidParameterException");
    let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({"limit": "ten"})).await;
    assert_logs_error(&r, &v, "SerializationException");
    let (r, v) = logs_call(&f, R, "PutLogEvents", json!({})).await;
    assert_logs_error(&r, &v, "UnknownOperationException");
}

fn sub(name: &str, role: Option<&str>) -> SubscriptionFilter {
    SubscriptionFilter {
        filter_name: name.to_string(),
        destination_arn: "arn:aws:firehose:us-east-1:123456789012:deliverystream/dd".to_string(),
        filter_pattern: String::new(),
        role_arn: role.map(str::to_string),
        distribution: "ByLogStream".to_string(),
        creation_time_ms: 1_700_000_000_000,
    }
}

#[tokio::test]
async fn subscription_filters_not_found_and_denied() {
    let f = fake().await;
    f.add_log_group(R, group("/svc/api", 1));
    f.add_subscription_filter(
        R,
        "/svc/api",
        sub("to-datadog", Some("arn:aws:iam::123456789012:role/cwl")),
    );
    f.add_subscription_filter(R, "/svc/api", sub("audit", None));

    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api"}),
    )
    .await;
    assert_eq!(r.status, 200);
    let fs = v["subscriptionFilters"].as_array().unwrap();
    assert_eq!(fs.len(), 2);
    assert_eq!(fs[0]["filterName"], "audit");
    assert!(fs[0].get("roleArn").is_none());
    assert_eq!(
        fs[1],
        json!({
            "filterName": "to-datadog",
            "logGroupName": "/svc/api",
            "filterPattern": "",
            "destinationArn": "arn:aws:firehose:us-east-1:123456789012:deliverystream/dd",
            "roleArn": "arn:aws:iam::123456789012:role/cwl",
            "distribution": "ByLogStream",
            "creationTime": 1_700_000_000_000i64
        })
    );

    // Pagination with limit 1.
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api", "limit": 1}),
    )
    .await;
    assert_eq!(v["subscriptionFilters"][0]["filterName"], "audit");
    let tok = v["nextToken"].as_str().unwrap().to_string();
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api", "limit": 1, "nextToken": tok}),
    )
    .await;
    assert_eq!(v["subscriptionFilters"][0]["filterName"], "to-datadog");
    assert!(v.get("nextToken").is_none());

    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/nope"}),
    )
    .await;
    assert_eq!(
        assert_logs_error(&r, &v, "ResourceNotFoundException"),
        "The specified log group does not exist."
    );
    let (r, v) = logs_call(&f, R, "DescribeSubscriptionFilters", json!({})).await;
    assert_logs_error(&r, &v, "InvalidParameterException");
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api", "limit": 51}),
    )
    .await;
    assert_logs_error(&r, &v, "InvalidParameterException");

    f.deny("logs:DescribeSubscriptionFilters");
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api"}),
    )
    .await;
    let msg = assert_logs_error(&r, &v, "AccessDeniedException");
    assert_eq!(
        msg,
        "User: arn:aws:iam::123456789012:user/fake is not authorized to perform: logs:DescribeSubscriptionFilters \
         on resource: arn:aws:logs:us-east-1:123456789012:log-group:/svc/api:* because no identity-based policy \
         allows the logs:DescribeSubscriptionFilters action"
    );
    // Other operations are unaffected.
    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
    let calls = f.calls();
    let denied: Vec<_> = calls
        .iter()
        .filter(|c| c.fault.as_deref() == Some("denied"))
        .collect();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].operation, "DescribeSubscriptionFilters");
    assert_eq!(denied[0].status, 400);

    f.allow("logs:DescribeSubscriptionFilters");
    let (r, _) = logs_call(
        &f,
        R,
        "DescribeSubscriptionFilters",
        json!({"logGroupName": "/svc/api"}),
    )
    .await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn filter_log_events_sorts_pages_and_caps_bytes() {
    let f = fake().await;
    let base = 1_750_000_000_000i64;
    f.put_log_events(
        R,
        "/g",
        "s1",
        &[(base + 30, "c ERROR".into()), (base + 10, "a INFO".into())],
    );
    f.put_log_events(
        R,
        "/g",
        "s2",
        &[(base + 20, "b ERROR".into()), (base + 40, "d INFO".into())],
    );

    let (r, v) = logs_call(&f, R, "FilterLogEvents", json!({"logGroupName": "/g"})).await;
    assert_eq!(r.status, 200, "{v}");
    let msgs: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, vec!["a INFO", "b ERROR", "c ERROR", "d INFO"]);
    let e0 = &v["events"][0];
    assert_eq!(e0["logStreamName"], "s1");
    assert_eq!(e0["timestamp"], base + 10);
    assert_eq!(e0["ingestionTime"], base + 10);
    assert!(e0["eventId"].is_string());
    assert!(v.get("nextToken").is_none());

    // startTime inclusive; endTime inclusive per the API reference.
    let (_, v) = logs_call(
        &f,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/g", "startTime": base + 20, "endTime": base + 30}),
    )
    .await;
    let msgs: Vec<&str> = v["events"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["message"].as_str().unwrap())
        .collect();
    assert_eq!(msgs, vec!["b ERROR", "c ERROR"]);

    // Filter pattern, stream selection.
    let (_, v) = logs_call(
        &f,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/g", "filterPattern": "ERROR"}),
    )
    .await;
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    let (_, v) = logs_call(
        &f,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/g", "logStreamNames": ["s2"]}),
    )
    .await;
    assert_eq!(v["events"].as_array().unwrap().len(), 2);

    // limit pagination.
    let mut got = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut req = json!({"logGroupName": "/g", "limit": 3});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let (_, v) = logs_call(&f, R, "FilterLogEvents", req).await;
        got.push(v["events"].as_array().unwrap().len());
        token = v["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(got, vec![3, 1]);

    // startFromHead=false: newest first.
    let (_, v) = logs_call(
        &f,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/g", "startFromHead": false, "startTime": base}),
    )
    .await;
    assert_eq!(v["events"][0]["message"], "d INFO");

    // 1 MiB cap: three 400 KiB messages need two pages.
    let big = "x".repeat(400 * 1024);
    f.put_log_events(
        R,
        "/big",
        "s",
        &[
            (base, big.clone()),
            (base + 1, big.clone()),
            (base + 2, big),
        ],
    );
    let (_, v) = logs_call(&f, R, "FilterLogEvents", json!({"logGroupName": "/big"})).await;
    assert_eq!(v["events"].as_array().unwrap().len(), 2);
    let tok = v["nextToken"].as_str().unwrap().to_string();
    let (_, v) = logs_call(
        &f,
        R,
        "FilterLogEvents",
        json!({"logGroupName": "/big", "nextToken": tok}),
    )
    .await;
    assert_eq!(v["events"].as_array().unwrap().len(), 1);
    assert!(v.get("nextToken").is_none());
    let calls = f.calls();
    assert_eq!(calls[calls.len() - 1].datapoints, 1);
    assert_eq!(calls[calls.len() - 2].datapoints, 2);

    // Errors.
    for (req, code) in [
        (
            json!({"logGroupName": "/nope"}),
            "ResourceNotFoundException",
        ),
        (
            json!({"logGroupName": "/g", "limit": 10_001}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/g", "limit": 0}),
            "InvalidParameterException",
        ),
        (json!({}), "InvalidParameterException"),
        (
            json!({"logGroupName": "/g", "logGroupIdentifier": "/g"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/g", "logStreamNames": ["a"], "logStreamNamePrefix": "a"}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/g", "startTime": 5, "endTime": 4}),
            "InvalidParameterException",
        ),
        (
            json!({"logGroupName": "/g", "nextToken": "bogus"}),
            "InvalidParameterException",
        ),
    ] {
        let (r, v) = logs_call(&f, R, "FilterLogEvents", req.clone()).await;
        assert_logs_error(&r, &v, code);
    }
}

#[tokio::test]
async fn query_definitions_lifecycle() {
    let f = fake().await;
    let put = async |req: Value| {
        let (r, v) = logs_call(&f, R, "PutQueryDefinition", req).await;
        assert_eq!(r.status, 200, "{v}");
        v["queryDefinitionId"].as_str().unwrap().to_string()
    };
    let id_b = put(
        json!({"name": "logplan/b", "queryString": "fields @message", "logGroupNames": ["/g1"]}),
    )
    .await;
    let id_a = put(json!({"name": "logplan/a", "queryString": "stats count(*)"})).await;
    let id_o =
        put(json!({"name": "other", "queryString": "SELECT 1", "queryLanguage": "SQL"})).await;
    assert_ne!(id_a, id_b);
    assert_eq!(id_a.len(), 36);

    // Describe with prefix, sorted by name.
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeQueryDefinitions",
        json!({"queryDefinitionNamePrefix": "logplan/"}),
    )
    .await;
    let defs = v["queryDefinitions"].as_array().unwrap();
    assert_eq!(defs.len(), 2);
    assert_eq!(defs[0]["name"], "logplan/a");
    assert_eq!(defs[0]["queryDefinitionId"], id_a.as_str());
    assert_eq!(defs[0]["queryLanguage"], "CWLI");
    assert_eq!(defs[0]["logGroupNames"], json!([]));
    assert!(defs[0]["lastModified"].as_i64().unwrap() > 1_700_000_000_000);
    assert_eq!(defs[1]["logGroupNames"], json!(["/g1"]));

    // Pagination with maxResults 1 over all three.
    let mut names = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..10 {
        let mut req = json!({"maxResults": 1});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let (r, v) = logs_call(&f, R, "DescribeQueryDefinitions", req).await;
        assert_eq!(r.status, 200, "{v}");
        let defs = v["queryDefinitions"].as_array().unwrap();
        assert_eq!(defs.len(), 1);
        names.push(defs[0]["name"].as_str().unwrap().to_string());
        token = v["nextToken"].as_str().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    assert_eq!(names, vec!["logplan/a", "logplan/b", "other"]);

    // queryLanguage filter.
    let (_, v) = logs_call(
        &f,
        R,
        "DescribeQueryDefinitions",
        json!({"queryLanguage": "SQL"}),
    )
    .await;
    assert_eq!(v["queryDefinitions"].as_array().unwrap().len(), 1);
    assert_eq!(v["queryDefinitions"][0]["queryDefinitionId"], id_o.as_str());

    // Update replaces every field (omitted logGroupNames → none).
    let same = put(json!({"queryDefinitionId": id_b, "name": "logplan/b2", "queryString": "fields @timestamp"})).await;
    assert_eq!(same, id_b);
    let defs = f.query_definitions(R);
    let b = defs.iter().find(|d| d.id == id_b).unwrap();
    assert_eq!(b.name, "logplan/b2");
    assert_eq!(b.query_string, "fields @timestamp");
    assert!(b.log_group_names.is_empty());
    assert_eq!(b.query_language, "CWLI");
    assert_eq!(defs.len(), 3);

    // Unknown id on update / delete.
    let (r, v) = logs_call(
        &f,
        R,
        "PutQueryDefinition",
        json!({"queryDefinitionId": "00000000-0000-4000-8000-000000000000", "name": "x", "queryString": "y"}),
    )
    .await;
    assert_logs_error(&r, &v, "ResourceNotFoundException");

    let (r, v) = logs_call(
        &f,
        R,
        "DeleteQueryDefinition",
        json!({"queryDefinitionId": id_a}),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(v, json!({"success": true}));
    let (r, v) = logs_call(
        &f,
        R,
        "DeleteQueryDefinition",
        json!({"queryDefinitionId": id_a}),
    )
    .await;
    assert_logs_error(&r, &v, "ResourceNotFoundException");
    assert_eq!(f.query_definitions(R).len(), 2);
    assert!(f.query_definitions("eu-west-1").is_empty());

    // Limits.
    for req in [
        json!({"name": "n".repeat(256), "queryString": "q"}),
        json!({"name": "", "queryString": "q"}),
        json!({"name": "n", "queryString": "q".repeat(10_001)}),
        json!({"name": "n"}),
        json!({"name": "n", "queryString": "q", "queryLanguage": "KQL"}),
        json!({"name": "n", "queryString": "q", "logGroupNames": [""]}),
    ] {
        let (r, v) = logs_call(&f, R, "PutQueryDefinition", req).await;
        assert_logs_error(&r, &v, "InvalidParameterException");
    }
    let (r, _) = logs_call(
        &f,
        R,
        "PutQueryDefinition",
        json!({"name": "n".repeat(255), "queryString": "q".repeat(10_000)}),
    )
    .await;
    assert_eq!(r.status, 200);
    for req in [
        json!({"maxResults": 0}),
        json!({"maxResults": 1001}),
        json!({"nextToken": "zz"}),
    ] {
        let (r, v) = logs_call(&f, R, "DescribeQueryDefinitions", req).await;
        assert_logs_error(&r, &v, "InvalidParameterException");
    }
}
