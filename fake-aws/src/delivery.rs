//! CloudWatch Logs vended-log delivery listings over AWS JSON 1.1 (the same wire as
//! [`crate::logs`]), following the CloudWatch Logs API reference:
//!
//! * `DescribeDeliveries`: `limit` 1..=50 (default 50), `nextToken`; each delivery with `id`,
//!   `arn` (`arn:aws:logs:REGION:ACCOUNT:delivery:ID`), `deliverySourceName`,
//!   `deliveryDestinationArn`, `deliveryDestinationType`.
//! * `DescribeDeliverySources`: `limit`, `nextToken`; each source with `name`, `arn`
//!   (`…:delivery-source:NAME`), `resourceArns`, `service`, `logType`.
//! * `DescribeDeliveryDestinations`: `limit`, `nextToken`; each destination with `name`, `arn`
//!   (`…:delivery-destination:NAME`), `deliveryDestinationType`, `outputFormat`,
//!   `deliveryDestinationConfiguration.destinationResourceArn` (for `CWL`, the log group ARN).
//!
//! Seeded with [`crate::FakeAws::add_delivery_in`]: one source, one destination and one delivery
//! between them per entry, sorted by source name. The listings page by position; a token from
//! another listing answers `InvalidParameterException`.

use serde_json::{Value, json};

use crate::logs::{Obj, bad_token, check_len, check_range, ok, opt_i64, opt_str};
use crate::util::{decode_token, encode_token};
use crate::{ApiError, Ctx, Handled, lock};

pub(crate) const OPERATIONS: &[&str] = &[
    "DescribeDeliveries",
    "DescribeDeliverySources",
    "DescribeDeliveryDestinations",
];

/// A vended-log delivery into CloudWatch Logs, as CreateDelivery pairs a delivery source
/// (PutDeliverySource) with a `CWL` destination (PutDeliveryDestination).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendedDelivery {
    pub source_name: String,
    /// e.g. `cloudfront`.
    pub service: String,
    /// e.g. `ACCESS_LOGS`.
    pub log_type: String,
    /// The resource that sends logs (e.g. a CloudFront distribution ARN).
    pub resource_arn: String,
    /// The destination log group, by name, in the same account and region.
    pub log_group: String,
}

pub(crate) fn handle(ctx: &Ctx<'_>, op: &str, req: &Obj) -> Result<Handled, ApiError> {
    let limit = opt_i64(req, "limit")?;
    let token = opt_str(req, "nextToken")?;
    check_range(limit, "limit", 1, 50)?;
    check_len(token, "nextToken", 1, usize::MAX)?;
    let limit = limit.unwrap_or(50) as usize;
    let from = match token {
        None => 0,
        Some(t) => match decode_token(t).as_deref() {
            Some([kind, n]) if kind == op => n.parse().map_err(|_| bad_token())?,
            _ => return Err(bad_token()),
        },
    };
    let base = format!("arn:aws:logs:{}:{}", ctx.region, ctx.account());
    let st = lock(&ctx.inner.state);
    let all: Vec<VendedDelivery> = st
        .scope(ctx.account(), ctx.region)
        .map(|rs| rs.deliveries.values().cloned().collect())
        .unwrap_or_default();
    drop(st);
    let page: Vec<Value> = all
        .iter()
        .skip(from)
        .take(limit)
        .map(|d| {
            let destination = format!("{base}:delivery-destination:{}-cwl", d.source_name);
            match op {
                "DescribeDeliveries" => json!({
                    "id": format!("dlv-{}", d.source_name),
                    "arn": format!("{base}:delivery:dlv-{}", d.source_name),
                    "deliverySourceName": d.source_name,
                    "deliveryDestinationArn": destination,
                    "deliveryDestinationType": "CWL",
                }),
                "DescribeDeliverySources" => json!({
                    "name": d.source_name,
                    "arn": format!("{base}:delivery-source:{}", d.source_name),
                    "resourceArns": [d.resource_arn],
                    "service": d.service,
                    "logType": d.log_type,
                }),
                _ => json!({
                    "name": format!("{}-cwl", d.source_name),
                    "arn": destination,
                    "deliveryDestinationType": "CWL",
                    "outputFormat": "json",
                    "deliveryDestinationConfiguration": {
                        "destinationResourceArn": format!("{base}:log-group:{}", d.log_group),
                    },
                }),
            }
        })
        .collect();
    let key = match op {
        "DescribeDeliveries" => "deliveries",
        "DescribeDeliverySources" => "deliverySources",
        _ => "deliveryDestinations",
    };
    let mut out = json!({ key: page });
    if from + limit < all.len() {
        out["nextToken"] = json!(encode_token(&[op, &(from + limit).to_string()]));
    }
    Ok(ok(out, 0))
}
