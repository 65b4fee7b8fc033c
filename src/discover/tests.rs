use super::policy::parse_not_in;
use super::*;
use crate::aws::AccountPolicy;

#[test]
fn datadog_detection() {
    let arn = "arn:aws:lambda:us-east-1:123456789012:function:DatadogForwarder-Fn:live";
    assert_eq!(reaches_datadog(arn, &[]), Some(true));
    assert!(is_datadog_forwarder(arn, &[]));
    let custom = "arn:aws:lambda:us-east-1:123456789012:function:log-shipper";
    assert_eq!(reaches_datadog(custom, &[]), Some(false));
    assert_eq!(reaches_datadog(custom, &[custom.to_string()]), Some(true));
    assert!(is_datadog_forwarder(
        &format!("{custom}:3"),
        &[custom.to_string()]
    ));
    let firehose = "arn:aws:firehose:us-east-1:123456789012:deliverystream/datadog-stream";
    assert_eq!(
        reaches_datadog(firehose, &[]),
        None,
        "its HTTP endpoint decides"
    );
    assert!(!is_datadog_forwarder(firehose, &[]));
    assert_eq!(
        reaches_datadog(firehose, &[firehose.to_string()]),
        Some(true)
    );
    assert_eq!(
        DestinationKind::from_arn(firehose),
        DestinationKind::Firehose
    );
    assert_eq!(
        DestinationKind::from_arn("arn:aws:kinesis:us-east-1:1:stream/s"),
        DestinationKind::Kinesis
    );
    assert_eq!(
        DestinationKind::from_arn("arn:aws:logs:us-east-1:1:destination:d"),
        DestinationKind::Logs
    );
}

#[test]
fn selection_criteria() {
    let names = parse_not_in(r#"LogGroupName NOT IN ["/aws/lambda/shipper", "a"]"#).unwrap();
    assert!(names.contains("/aws/lambda/shipper") && names.contains("a"));
    assert_eq!(names.len(), 2);
    assert!(parse_not_in("LogGroupName NOT IN []").unwrap().is_empty());
    assert!(parse_not_in("LogGroupNamePrefix IN [\"x\"]").is_none());
    let mut w = Vec::new();
    let p = parse_policy(
        &AccountPolicy {
            name: "p".into(),
            document:
                r#"{"DestinationArn":"arn:aws:lambda:us-east-1:1:function:f","FilterPattern":""}"#
                    .into(),
            selection_criteria: Some("weird".into()),
            account_id: None,
        },
        &mut w,
    );
    assert_eq!(
        p.destination_arn.as_deref(),
        Some("arn:aws:lambda:us-east-1:1:function:f")
    );
    assert!(p.covers("anything"), "not understood: covers every group");
    assert_eq!(w.len(), 1, "{w:?}");
}
