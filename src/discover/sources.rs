//! sources: what AWS itself says produces a log group's data, before any name rule. Two facts
//! come from the CloudWatch Logs API:
//!
//! * the `DELIVERY` log class (DescribeLogGroups `logGroupClass`): only Lambda logs on their way
//!   to S3 or Firehose use it (CloudWatch Logs API reference, `LogGroup`; `../shared/PRICING.md`);
//! * vended-log deliveries (DescribeDeliveries pairs a delivery source with a destination;
//!   DescribeDeliverySources names the source's `service` and `logType`;
//!   DescribeDeliveryDestinations names, for a `CWL` destination, the log group's ARN).
//!
//! Every group these reach gets `source_basis = aws`; the others are left without a source here,
//! for the model's name rules (`source_basis = name`). A denied listing degrades every group of
//! the region to name rules with one warning naming the action.
//!
//! What this misses: vended logs configured the older way (a service writing straight into a
//! group: VPC flow logs, Route 53 resolver query logs, API Gateway access logs, EKS control plane
//! logs, WAF logging configurations) never appear as deliveries; their groups keep the name rules.

use std::collections::HashMap;

use crate::aws::paginate::{Pager, limits};
use crate::aws::{
    DeliveryDestinationInfo, DeliveryInfo, DeliverySourceInfo, LogGroupClass, RegionApi,
};
use crate::discover::DiscoveredGroup;
use crate::error::{Error, Result};

/// What AWS said about one group's source; all `None` when it said nothing.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GroupSource {
    /// One of the snapshot's `source` values (README, "Snapshot columns").
    pub source: Option<String>,
    /// `aws` when set here.
    pub source_basis: Option<String>,
    /// `custom`, `vended:<ladder>` or `delivery`.
    pub billing_class: Option<String>,
    /// For WAF deliveries: the web ACL ARNs the delivery source names.
    pub web_acls: Vec<String>,
}

impl GroupSource {
    fn aws(source: &str, billing_class: &str) -> GroupSource {
        GroupSource {
            source: Some(source.to_string()),
            source_basis: Some("aws".into()),
            billing_class: Some(billing_class.to_string()),
            web_acls: vec![],
        }
    }
}

/// A delivery source's `service` and `logType` as the snapshot's `source` and the Price List
/// ladder its bytes are billed on (`../shared/PRICING.md`: `VendedLog-Bytes`, with the
/// `-WAFLogs` and `-CFLogs` variants). The table is in the README ("Log sources").
pub fn delivery_source(service: &str, log_type: &str) -> (&'static str, &'static str) {
    let service = service.to_ascii_lowercase();
    match service.as_str() {
        "cloudfront" => ("cloudfront", "vended:CFLogs"),
        "waf" | "wafv2" => ("waf", "vended:WAFLogs"),
        "lambda" => ("lambda", "vended:VendedLog-Bytes"),
        "network-firewall" | "networkfirewall" => ("network_firewall", "vended:VendedLog-Bytes"),
        "eks" if log_type.eq_ignore_ascii_case("CONTROL_PLANE_LOGS") => {
            ("eks_control_plane", "vended:VendedLog-Bytes")
        }
        "route53resolver" => ("route53_resolver", "vended:VendedLog-Bytes"),
        "apigateway" => ("api_gateway_access", "vended:VendedLog-Bytes"),
        // Any other delivery source is still an AWS service's vended log: billed on the generic
        // ladder, its producer not one the model names.
        _ => ("unknown", "vended:VendedLog-Bytes"),
    }
}

/// The log group name in a log group ARN (`arn:aws:logs:REGION:ACCOUNT:log-group:NAME[:*]`).
fn group_of_arn(arn: &str) -> Option<(&str, &str)> {
    let mut parts = arn.splitn(7, ':');
    let (_, _, service, _, account) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if service != "logs" || parts.next()? != "log-group" {
        return None;
    }
    let name = parts.next()?;
    Some((account, name.strip_suffix(":*").unwrap_or(name)))
}

/// Every page of one listing.
async fn all_pages<T, F, Fut>(action: &'static str, mut page: F) -> Result<Vec<T>>
where
    F: FnMut(Option<String>) -> Fut,
    Fut: std::future::Future<Output = Result<(Vec<T>, Option<String>)>>,
{
    let mut out = Vec::new();
    let mut pager = Pager::new(action, "", limits::DESCRIBE_DELIVERIES);
    let mut token = None;
    loop {
        let (mut items, next) = page(token).await?;
        out.append(&mut items);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Each group's source as AWS reports it, in the order of `groups`. Warnings (a denied listing)
/// go to `warnings`, once per region.
pub async fn group_sources<R: RegionApi>(
    api: &R,
    region: &str,
    groups: &[DiscoveredGroup],
    warnings: &mut Vec<String>,
) -> Result<Vec<GroupSource>> {
    let mut out: Vec<GroupSource> = groups
        .iter()
        .map(|g| match g.info.class {
            // Only Lambda logs use the DELIVERY class (PRICING.md, "2026 changes").
            Some(LogGroupClass::Delivery) => GroupSource::aws("lambda", "delivery"),
            _ => GroupSource::default(),
        })
        .collect();
    let listed = async {
        let deliveries: Vec<DeliveryInfo> =
            all_pages("logs:DescribeDeliveries", |t| api.describe_deliveries(t)).await?;
        if deliveries.is_empty() {
            return Ok((deliveries, vec![], vec![]));
        }
        let sources: Vec<DeliverySourceInfo> = all_pages("logs:DescribeDeliverySources", |t| {
            api.describe_delivery_sources(t)
        })
        .await?;
        let destinations: Vec<DeliveryDestinationInfo> =
            all_pages("logs:DescribeDeliveryDestinations", |t| {
                api.describe_delivery_destinations(t)
            })
            .await?;
        Ok::<_, Error>((deliveries, sources, destinations))
    };
    let (deliveries, sources, destinations) = match listed.await {
        Ok(l) => l,
        Err(Error::AccessDenied { action, .. }) => {
            warnings.push(format!(
                "{action} is denied in {region}: log sources and vended-log classes there come \
                 from group names only (add {action} to the policy: `logplan iam-policy`)"
            ));
            return Ok(out);
        }
        Err(e) => return Err(e.in_region(region)),
    };
    let source_by_name: HashMap<&str, &DeliverySourceInfo> =
        sources.iter().map(|s| (s.name.as_str(), s)).collect();
    let group_by_destination: HashMap<&str, (&str, &str)> = destinations
        .iter()
        .filter(|d| d.destination_type == "CWL")
        .filter_map(|d| Some((d.arn.as_str(), group_of_arn(&d.resource_arn)?)))
        .collect();
    let index: HashMap<(&str, &str), usize> = groups
        .iter()
        .enumerate()
        .map(|(i, g)| ((g.account_id.as_str(), g.info.name.as_str()), i))
        .collect();
    // Sorted by source name, so a group fed by several sources takes the same one every run.
    let mut pairs: Vec<&DeliveryInfo> = deliveries.iter().collect();
    pairs.sort_by(|a, b| a.source_name.cmp(&b.source_name));
    for d in pairs {
        let (Some(src), Some(&(account, name))) = (
            source_by_name.get(d.source_name.as_str()),
            group_by_destination.get(d.destination_arn.as_str()),
        ) else {
            continue;
        };
        let Some(&i) = index.get(&(account, name)) else {
            continue;
        };
        if out[i].source_basis.is_some() {
            continue;
        }
        let (source, class) = delivery_source(&src.service, &src.log_type);
        out[i] = GroupSource::aws(source, class);
        if source == "waf" {
            out[i].web_acls = src.resource_arns.clone();
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_group_arns_name_their_group() {
        assert_eq!(
            group_of_arn("arn:aws:logs:us-east-1:123456789012:log-group:cdn:*"),
            Some(("123456789012", "cdn"))
        );
        // Group names hold slashes, dots and dashes, never colons.
        assert_eq!(
            group_of_arn("arn:aws:logs:eu-west-1:123456789012:log-group:/aws/x/y.z"),
            Some(("123456789012", "/aws/x/y.z"))
        );
        assert_eq!(group_of_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(
            group_of_arn("arn:aws:firehose:us-east-1:123456789012:deliverystream/x"),
            None
        );
    }

    #[test]
    fn services_map_to_their_ladders() {
        assert_eq!(
            delivery_source("cloudfront", "ACCESS_LOGS"),
            ("cloudfront", "vended:CFLogs")
        );
        assert_eq!(
            delivery_source("WAF", "WAF_LOGS"),
            ("waf", "vended:WAFLogs")
        );
        assert_eq!(
            delivery_source("bedrock", "APPLICATION_LOGS"),
            ("unknown", "vended:VendedLog-Bytes")
        );
    }
}
