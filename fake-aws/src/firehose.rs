//! Amazon Data Firehose over AWS JSON 1.1: `POST /` with
//! `x-amz-target: Firehose_20150804.<Op>`, errors as `{"__type": "<Code>", "message": "..."}`
//! (the same wire as [`crate::logs`]). Following the Firehose API reference:
//!
//! * `DescribeDeliveryStream`: `DeliveryStreamName` required (1..=64), `Limit` 1..=10000,
//!   `ExclusiveStartDestinationId` (1..=100); an unknown stream answers
//!   `ResourceNotFoundException`. The answer's `DeliveryStreamDescription` carries every field
//!   the reference marks required (`DeliveryStreamName`, `DeliveryStreamARN`,
//!   `DeliveryStreamStatus`, `DeliveryStreamType`, `VersionId`, `Destinations`,
//!   `HasMoreDestinations`); a stream seeded with an HTTP endpoint has one destination with
//!   `HttpEndpointDestinationDescription.EndpointConfiguration.Url`, any other one S3
//!   destination.
//!
//! Seeded with [`crate::FakeAws::add_firehose_stream_in`].

use serde_json::json;

use crate::logs::{Obj, check_len, check_range, invalid, ok, opt_i64, opt_str, required};
use crate::{ApiError, Ctx, Handled, lock};

pub(crate) const OPERATIONS: &[&str] = &["DescribeDeliveryStream"];

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, body: &[u8]) -> Handled {
    let r = crate::logs::parse_body(body).and_then(|req| match op {
        "DescribeDeliveryStream" => describe_delivery_stream(ctx, &req),
        other => Err(ApiError::bad(
            "UnknownOperationException",
            format!("operation {other} is not supported by logplan-fake"),
        )),
    });
    r.unwrap_or_else(Handled::err)
}

fn describe_delivery_stream(ctx: &Ctx<'_>, req: &Obj) -> Result<Handled, ApiError> {
    let name = opt_str(req, "DeliveryStreamName")?;
    let limit = opt_i64(req, "Limit")?;
    let start = opt_str(req, "ExclusiveStartDestinationId")?;
    let name = required(name, "DeliveryStreamName")?;
    check_len(Some(name), "DeliveryStreamName", 1, 64)?;
    check_range(limit, "Limit", 1, 10_000)?;
    check_len(start, "ExclusiveStartDestinationId", 1, 100)?;
    if start.is_some_and(|s| s != "destinationId-000000000001") {
        return Err(invalid("ExclusiveStartDestinationId names no destination"));
    }
    let st = lock(&ctx.inner.state);
    let url = st
        .scope(ctx.account(), ctx.region)
        .and_then(|rs| rs.firehose_streams.get(name))
        .cloned()
        .ok_or_else(|| {
            ApiError::bad(
                "ResourceNotFoundException",
                format!("Firehose {name} under account {} not found.", ctx.account()),
            )
        })?;
    drop(st);
    let arn = format!(
        "arn:aws:firehose:{}:{}:deliverystream/{name}",
        ctx.region,
        ctx.account()
    );
    let destination = match &url {
        Some(u) => json!({
            "DestinationId": "destinationId-000000000001",
            "HttpEndpointDestinationDescription": {
                "EndpointConfiguration": {"Url": u, "Name": "HTTP endpoint"},
                "S3BackupMode": "FailedDataOnly",
            },
        }),
        None => json!({
            "DestinationId": "destinationId-000000000001",
            "ExtendedS3DestinationDescription": {
                "BucketARN": "arn:aws:s3:::logplan-fake-bucket",
                "RoleARN": format!("arn:aws:iam::{}:role/firehose", ctx.account()),
                "BufferingHints": {"SizeInMBs": 5, "IntervalInSeconds": 300},
                "CompressionFormat": "UNCOMPRESSED",
                "EncryptionConfiguration": {"NoEncryptionConfig": "NoEncryption"},
            },
        }),
    };
    // A start after the only destination leaves none to list.
    let destinations = if start.is_some() {
        vec![]
    } else {
        vec![destination]
    };
    Ok(ok(
        json!({
            "DeliveryStreamDescription": {
                "DeliveryStreamName": name,
                "DeliveryStreamARN": arn,
                "DeliveryStreamStatus": "ACTIVE",
                "DeliveryStreamType": "DirectPut",
                "VersionId": "1",
                "CreateTimestamp": 1_700_000_000.0,
                "Destinations": destinations,
                "HasMoreDestinations": false,
            }
        }),
        0,
    ))
}
