//! STS GetCallerIdentity, routing, denials and deterministic fault injection.

mod common;

use std::time::{Duration, Instant};

use common::*;
use logplan_fake::{Call, FakeAws, FakeOptions, Faults};
use serde_json::json;

const R: &str = "us-east-1";

fn gmd() -> ciborium::Value {
    gmd_request(
        vec![metric_query(
            "a",
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", "/a")],
            60,
            "Sum",
        )],
        1_793_491_200,
        1_793_491_260,
        vec![],
    )
}

#[tokio::test]
async fn get_caller_identity_answers_xml() {
    let f = FakeAws::start(FakeOptions {
        account_id: "210987654321".to_string(),
        ..FakeOptions::default()
    })
    .await;
    assert!(f.url().starts_with("http://127.0.0.1:"));
    assert_eq!(f.account_id(), "210987654321");
    let r = sts_call(&f, "eu-central-1", GET_CALLER_IDENTITY)
        .await
        .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("text/xml"));
    let rid = r.header("x-amzn-requestid").unwrap().to_string();
    let body = r.text();
    assert!(body.starts_with(
        "<GetCallerIdentityResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><GetCallerIdentityResult>"
    ));
    assert!(body.contains("<Arn>arn:aws:iam::210987654321:user/fake</Arn>"));
    assert!(body.contains("<UserId>AIDAFAKE</UserId>"));
    assert!(body.contains("<Account>210987654321</Account>"));
    assert!(body.contains(&format!("<RequestId>{rid}</RequestId>")));
    let calls = f.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(
        (calls[0].service.as_str(), calls[0].operation.as_str()),
        ("sts", "GetCallerIdentity")
    );
    assert_eq!(calls[0].region, "eu-central-1");

    let r = sts_call(&f, R, "Action=GetSessionToken&Version=2011-06-15")
        .await
        .unwrap();
    assert_eq!(r.status, 400);
    let body = r.text();
    assert!(
        body.contains("<Error><Type>Sender</Type><Code>InvalidAction</Code>"),
        "{body}"
    );

    // No authorization header → default region.
    let r = send(
        &f,
        "/",
        &[(
            "content-type",
            "application/x-www-form-urlencoded".to_string(),
        )],
        GET_CALLER_IDENTITY.as_bytes(),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(f.calls().last().unwrap().region, "us-east-1");
}

#[tokio::test]
async fn routing_edge_cases() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let r = send(&f, "/nowhere", &[], b"").await.unwrap();
    assert_eq!(r.status, 404);
    assert!(r.header("x-amzn-requestid").is_some());
    // CBOR path without the smithy-protocol header.
    let r = send(
        &f,
        "/service/GraniteServiceVersion20100801/operation/GetMetricData",
        &[],
        &sdk_cbor(&gmd()),
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    let r = send(
        &f,
        "/",
        &[("x-amz-target", "Kinesis_20131202.ListStreams".to_string())],
        b"{}",
    )
    .await
    .unwrap();
    assert_eq!(r.status, 400);
    let v: serde_json::Value = serde_json::from_slice(&r.body).unwrap();
    assert_eq!(v["__type"], "UnknownOperationException");
}

#[tokio::test]
async fn denials_in_each_service_form() {
    let f = FakeAws::start(FakeOptions::default()).await;
    f.deny("cloudwatch:GetMetricData");
    f.deny("sts:GetCallerIdentity");
    f.deny("logs:DescribeLogGroups");
    // Denials come before random faults.
    f.set_faults(Faults {
        throttle: 1.0,
        ..Faults::default()
    });

    let (r, v) = cw_call(&f, R, "GetMetricData", &gmd()).await;
    let msg = assert_cw_error(&r, &v, 403, "AccessDenied");
    assert_eq!(
        msg,
        "User: arn:aws:iam::123456789012:user/fake is not authorized to perform: cloudwatch:GetMetricData \
         because no identity-based policy allows the cloudwatch:GetMetricData action"
    );

    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 403);
    let body = r.text();
    assert!(body.contains("<ErrorResponse"), "{body}");
    assert!(
        body.contains("<Type>Sender</Type><Code>AccessDenied</Code>"),
        "{body}"
    );
    assert!(body.contains("sts:GetCallerIdentity"));

    let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    let msg = assert_logs_error(&r, &v, "AccessDeniedException");
    assert!(
        msg.contains("on resource: arn:aws:logs:us-east-1:123456789012:log-group::log-stream:"),
        "{msg}"
    );

    let faults: Vec<Option<String>> = f.calls().into_iter().map(|c| c.fault).collect();
    assert_eq!(faults, vec![Some("denied".to_string()); 3]);
    let c = &f.calls()[0];
    assert_eq!((c.status, c.metric_queries, c.datapoints), (403, 1, 0));
}

#[tokio::test]
async fn throttle_rate_one_throttles_every_call() {
    let f = FakeAws::start(FakeOptions {
        faults: Faults {
            seed: 7,
            throttle: 1.0,
            ..Faults::default()
        },
        ..FakeOptions::default()
    })
    .await;
    for _ in 0..10 {
        let (r, v) = cw_call(&f, R, "GetMetricData", &gmd()).await;
        assert_eq!(assert_cw_error(&r, &v, 400, "Throttling"), "Rate exceeded");
        let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
        assert_logs_error(&r, &v, "ThrottlingException");
        let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
        assert_eq!(r.status, 400);
        assert!(r.text().contains("<Code>Throttling</Code>"));
    }
    let calls = f.calls();
    assert_eq!(calls.len(), 30);
    assert!(
        calls
            .iter()
            .all(|c| c.fault.as_deref() == Some("throttle") && c.status == 400)
    );
    f.clear_calls();
    assert!(f.calls().is_empty());

    // Turning faults off restores normal service.
    f.set_faults(Faults::default());
    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 200);
}

#[tokio::test]
async fn server_errors_and_dropped_connections() {
    let f = FakeAws::start(FakeOptions::default()).await;
    f.set_faults(Faults {
        http500: 1.0,
        ..Faults::default()
    });
    let (r, v) = cw_call(&f, R, "GetMetricData", &gmd()).await;
    assert_cw_error(&r, &v, 500, "InternalFailure");
    let (r, _) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 500);
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 500);
    assert!(
        r.text()
            .contains("<Type>Receiver</Type><Code>InternalFailure</Code>")
    );

    f.set_faults(Faults {
        http503: 1.0,
        ..Faults::default()
    });
    let (r, v) = cw_call(&f, R, "GetMetricData", &gmd()).await;
    assert_cw_error(&r, &v, 503, "ServiceUnavailable");
    let (r, v) = logs_call(&f, R, "DescribeLogGroups", json!({})).await;
    assert_eq!(r.status, 503);
    assert_eq!(v["__type"], "ServiceUnavailableException");

    f.set_faults(Faults {
        drop_connection: 1.0,
        ..Faults::default()
    });
    f.clear_calls();
    let err = sts_call(&f, R, GET_CALLER_IDENTITY).await;
    assert!(err.is_err(), "the connection closes without a response");
    let calls = f.calls();
    assert_eq!(calls.len(), 1);
    assert_eq!(calls[0].fault.as_deref(), Some("drop"));
    assert_eq!(calls[0].status, 0);
}

async fn fault_sequence(f: &FakeAws, n: usize) -> Vec<(u16, Option<String>)> {
    f.clear_calls();
    for i in 0..n {
        match i % 3 {
            0 => {
                let _ = try_cw_call(f, R, "GetMetricData", &gmd()).await;
            }
            1 => {
                let _ = try_logs_call(f, R, "DescribeLogGroups", json!({})).await;
            }
            _ => {
                let _ = sts_call(f, R, GET_CALLER_IDENTITY).await;
            }
        }
    }
    f.calls()
        .into_iter()
        .map(|c: Call| (c.status, c.fault))
        .collect()
}

#[tokio::test]
async fn same_seed_same_fault_sequence() {
    let faults = |seed| Faults {
        seed,
        throttle: 0.2,
        http500: 0.1,
        http503: 0.1,
        drop_connection: 0.1,
        latency: Duration::ZERO,
        ..Faults::default()
    };
    let a = FakeAws::start(FakeOptions {
        faults: faults(99),
        ..FakeOptions::default()
    })
    .await;
    let b = FakeAws::start(FakeOptions {
        faults: faults(99),
        ..FakeOptions::default()
    })
    .await;
    let c = FakeAws::start(FakeOptions {
        faults: faults(100),
        ..FakeOptions::default()
    })
    .await;
    let sa = fault_sequence(&a, 200).await;
    let sb = fault_sequence(&b, 200).await;
    let sc = fault_sequence(&c, 200).await;
    assert_eq!(sa, sb);
    assert_ne!(sa, sc, "another seed gives another sequence");
    // Every kind shows up at these rates over 200 calls, and some calls succeed.
    for kind in ["throttle", "500", "503", "drop"] {
        assert!(
            sa.iter().any(|(_, f)| f.as_deref() == Some(kind)),
            "{kind} missing in {sa:?}"
        );
    }
    assert!(sa.iter().any(|(s, f)| *s == 200 && f.is_none()));

    // set_faults restarts the sequence.
    a.set_faults(faults(99));
    assert_eq!(fault_sequence(&a, 200).await, sa);
}

#[tokio::test]
async fn latency_is_applied() {
    let f = FakeAws::start(FakeOptions {
        faults: Faults {
            latency: Duration::from_millis(150),
            ..Faults::default()
        },
        ..FakeOptions::default()
    })
    .await;
    let t0 = Instant::now();
    let r = sts_call(&f, R, GET_CALLER_IDENTITY).await.unwrap();
    assert_eq!(r.status, 200);
    assert!(t0.elapsed() >= Duration::from_millis(150));
}

#[tokio::test]
async fn dropping_the_fake_stops_the_server() {
    let f = FakeAws::start(FakeOptions::default()).await;
    let addr = f.addr();
    drop(f);
    tokio::time::sleep(Duration::from_millis(50)).await;
    assert!(tokio::net::TcpStream::connect(addr).await.is_err());
}
