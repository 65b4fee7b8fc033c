//! The vended-log delivery listings (CloudWatch Logs, JSON 1.1) and Firehose
//! DescribeDeliveryStream (JSON 1.1, `Firehose_20150804`): shapes, paging, validation, errors.

mod common;

use common::*;
use logplan_fake::{FakeAws, FakeOptions, VendedDelivery};
use serde_json::json;

const R: &str = "us-east-1";

fn delivery(i: usize) -> VendedDelivery {
    VendedDelivery {
        source_name: format!("src-{i:02}"),
        service: "cloudfront".into(),
        log_type: "ACCESS_LOGS".into(),
        resource_arn: format!("arn:aws:cloudfront::123456789012:distribution/E{i}"),
        log_group: format!("cdn-{i}"),
    }
}

#[tokio::test]
async fn delivery_listings_page_by_limit_and_pair_up() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let account = f.account_id();
    for i in 0..5 {
        f.add_delivery_in(&account, R, delivery(i));
    }
    // 5 deliveries at limit 2: pages of 2, 2, 1.
    let mut sizes = vec![];
    let mut token: Option<String> = None;
    loop {
        let mut req = json!({"limit": 2});
        if let Some(t) = &token {
            req["nextToken"] = json!(t);
        }
        let (r, v) = logs_call(&f, R, "DescribeDeliveries", req).await;
        assert_eq!(r.status, 200, "{v}");
        sizes.push(v["deliveries"].as_array().unwrap().len());
        match v["nextToken"].as_str() {
            Some(t) => token = Some(t.to_string()),
            None => break,
        }
    }
    assert_eq!(sizes, [2, 2, 1]);
    let (_, d) = logs_call(&f, R, "DescribeDeliveries", json!({})).await;
    let (_, s) = logs_call(&f, R, "DescribeDeliverySources", json!({})).await;
    let (_, t) = logs_call(&f, R, "DescribeDeliveryDestinations", json!({})).await;
    let first = &d["deliveries"][0];
    assert_eq!(first["deliverySourceName"], "src-00");
    assert_eq!(first["deliveryDestinationType"], "CWL");
    assert_eq!(s["deliverySources"][0]["name"], "src-00");
    assert_eq!(s["deliverySources"][0]["service"], "cloudfront");
    assert_eq!(s["deliverySources"][0]["logType"], "ACCESS_LOGS");
    let dest = &t["deliveryDestinations"][0];
    assert_eq!(dest["arn"], first["deliveryDestinationArn"]);
    assert_eq!(
        dest["deliveryDestinationConfiguration"]["destinationResourceArn"],
        format!("arn:aws:logs:{R}:{account}:log-group:cdn-0")
    );
}

#[tokio::test]
async fn delivery_listing_validation() {
    let f = FakeAws::start(FakeOptions::default()).await;
    for limit in [0, 51] {
        let (r, v) = logs_call(&f, R, "DescribeDeliveries", json!({"limit": limit})).await;
        assert_logs_error(&r, &v, "InvalidParameterException");
    }
    // A token of another listing is refused.
    let account = f.account_id();
    for i in 0..3 {
        f.add_delivery_in(&account, R, delivery(i));
    }
    let (_, v) = logs_call(&f, R, "DescribeDeliveries", json!({"limit": 1})).await;
    let token = v["nextToken"].as_str().unwrap().to_string();
    let (r, v) = logs_call(
        &f,
        R,
        "DescribeDeliverySources",
        json!({"nextToken": token}),
    )
    .await;
    assert_logs_error(&r, &v, "InvalidParameterException");
}

async fn firehose(f: &FakeAws, body: serde_json::Value) -> (Resp, serde_json::Value) {
    let headers = [
        ("content-type", "application/x-amz-json-1.1".to_string()),
        (
            "x-amz-target",
            "Firehose_20150804.DescribeDeliveryStream".to_string(),
        ),
        ("authorization", auth(R, "firehose")),
    ];
    let r = send(f, "/", &headers, body.to_string().as_bytes())
        .await
        .unwrap();
    let v = serde_json::from_str(&r.text()).unwrap_or(serde_json::Value::Null);
    (r, v)
}

#[tokio::test]
async fn describe_delivery_stream_answers_its_http_endpoint_or_not_found() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let account = f.account_id();
    let url = "https://aws-kinesis-http-intake.logs.datadoghq.com/v1/input";
    f.add_firehose_stream_in(&account, R, "to-dd", Some(url));
    f.add_firehose_stream_in(&account, R, "to-s3", None);
    let (r, v) = firehose(&f, json!({"DeliveryStreamName": "to-dd"})).await;
    assert_eq!(r.status, 200, "{v}");
    let d = &v["DeliveryStreamDescription"];
    assert_eq!(
        d["DeliveryStreamARN"],
        format!("arn:aws:firehose:{R}:{account}:deliverystream/to-dd")
    );
    assert_eq!(d["HasMoreDestinations"], false);
    assert_eq!(
        d["Destinations"][0]["HttpEndpointDestinationDescription"]["EndpointConfiguration"]["Url"],
        url
    );
    let (_, v) = firehose(&f, json!({"DeliveryStreamName": "to-s3"})).await;
    assert!(
        v["DeliveryStreamDescription"]["Destinations"][0]["HttpEndpointDestinationDescription"]
            .is_null()
    );
    let (r, v) = firehose(&f, json!({"DeliveryStreamName": "nope"})).await;
    assert_logs_error(&r, &v, "ResourceNotFoundException");
    // DeliveryStreamName is required (the fake answers with its validation error).
    let (r, v) = firehose(&f, json!({})).await;
    assert_eq!(r.status, 400, "{v}");
    f.deny("firehose:DescribeDeliveryStream");
    let (r, v) = firehose(&f, json!({"DeliveryStreamName": "to-dd"})).await;
    assert_logs_error(&r, &v, "AccessDeniedException");
}
