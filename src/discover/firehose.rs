//! firehose: whether a subscription filter's Firehose stream reaches Datadog. A stream delivers
//! to Datadog when one of its HTTP endpoint destinations (DescribeDeliveryStream,
//! `Destinations[].HttpEndpointDestinationDescription.EndpointConfiguration.Url`) is a Datadog
//! logs intake: `https://aws-kinesis-http-intake.logs.<site>/...`, the endpoint Datadog documents
//! per site for its Amazon Data Firehose destination (docs.datadoghq.com, "Send AWS Services Logs
//! with the Datadog Amazon Data Firehose Destination": datadoghq.com, datadoghq.eu,
//! us3.datadoghq.com, us5.datadoghq.com, ap1.datadoghq.com, ap2.datadoghq.com, ddog-gov.com; the
//! same URLs as the AWS CDK's `DatadogEndpoint.LOGS_*`). Datadog's metrics intake
//! (`awsmetrics-intake.*`) is not a logs destination.
//!
//! Only streams of the caller's account and region can be described; a stream elsewhere (a
//! cross-account destination) keeps an unknown reach. A denied DescribeDeliveryStream is one
//! warning per region and leaves every Firehose filter there unknown.

use std::collections::BTreeMap;

use crate::aws::RegionApi;
use crate::discover::{DestinationKind, DiscoveredGroup, is_not_found};
use crate::error::{Error, Result};

/// The Datadog sites' domains (Datadog's site list).
const DATADOG_DOMAINS: &[&str] = &["datadoghq.com", "datadoghq.eu", "ddog-gov.com"];

/// Is `url` a Datadog logs intake for Firehose?
pub fn is_datadog_logs_intake(url: &str) -> bool {
    let Some(rest) = url.strip_prefix("https://") else {
        return false;
    };
    let host = rest
        .split(['/', '?', '#'])
        .next()
        .unwrap_or("")
        .split(':')
        .next()
        .unwrap_or("")
        .to_ascii_lowercase();
    let Some(site) = host.strip_prefix("aws-kinesis-http-intake.logs.") else {
        return false;
    };
    DATADOG_DOMAINS
        .iter()
        .any(|d| site == *d || site.strip_suffix(d).is_some_and(|s| s.ends_with('.')))
}

/// The stream name of a Firehose ARN in `region` and `account`
/// (`arn:aws:firehose:REGION:ACCOUNT:deliverystream/NAME`).
fn own_stream<'a>(arn: &'a str, region: &str, account: &str) -> Option<&'a str> {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    match parts.as_slice() {
        [_, _, "firehose", r, a, res] if *r == region && *a == account => {
            res.strip_prefix("deliverystream/")
        }
        _ => None,
    }
}

/// Settle `datadog` for every Firehose filter of `groups` whose stream this account can
/// describe: true when the stream delivers to a Datadog logs intake, false otherwise.
pub async fn resolve_firehose<R: RegionApi>(
    api: &R,
    region: &str,
    own_account: &str,
    groups: &mut [DiscoveredGroup],
    warnings: &mut Vec<String>,
) -> Result<()> {
    let mut streams: BTreeMap<String, Option<bool>> = BTreeMap::new();
    for f in groups.iter().flat_map(|g| g.filters.iter().flatten()) {
        if f.kind == Some(DestinationKind::Firehose)
            && f.datadog.is_none()
            && let Some(name) = f
                .destination_arn
                .as_deref()
                .and_then(|a| own_stream(a, region, own_account))
        {
            streams.insert(name.to_string(), None);
        }
    }
    for (name, reach) in streams.iter_mut() {
        match api.firehose_http_endpoints(name.clone()).await {
            Ok(urls) => *reach = Some(urls.iter().any(|u| is_datadog_logs_intake(u))),
            Err(Error::AccessDenied { action, .. }) => {
                warnings.push(format!(
                    "{action} is denied in {region}: whether Firehose streams reach Datadog is \
                     unknown there"
                ));
                break;
            }
            Err(e) if is_not_found(&e) => warnings.push(format!(
                "Firehose stream {name} in {region} was not found (deleted?): whether it reaches \
                 Datadog is unknown"
            )),
            Err(e) => return Err(e.in_region(region)),
        }
    }
    for f in groups
        .iter_mut()
        .flat_map(|g| g.filters.iter_mut().flatten())
    {
        if f.kind == Some(DestinationKind::Firehose)
            && f.datadog.is_none()
            && let Some(name) = f
                .destination_arn
                .as_deref()
                .and_then(|a| own_stream(a, region, own_account))
        {
            f.datadog = streams.get(name).copied().flatten();
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datadog_logs_intakes_per_site() {
        for site in [
            "datadoghq.com",
            "datadoghq.eu",
            "us3.datadoghq.com",
            "us5.datadoghq.com",
            "ap1.datadoghq.com",
            "ap2.datadoghq.com",
            "ddog-gov.com",
        ] {
            let url = format!("https://aws-kinesis-http-intake.logs.{site}/v1/input");
            assert!(is_datadog_logs_intake(&url), "{url}");
        }
        for url in [
            "https://awsmetrics-intake.datadoghq.com/v1/input",
            "https://aws-kinesis-http-intake.logs.datadoghq.com.evil.example/v1/input",
            "https://aws-kinesis-http-intake.logs.notdatadoghq.com/v1/input",
            "http://aws-kinesis-http-intake.logs.datadoghq.com/v1/input",
            "https://http-intake.logs.splunk.example/services/collector",
        ] {
            assert!(!is_datadog_logs_intake(url), "{url}");
        }
    }

    #[test]
    fn only_own_streams_are_described() {
        let arn = "arn:aws:firehose:us-east-1:123456789012:deliverystream/to-dd";
        assert_eq!(own_stream(arn, "us-east-1", "123456789012"), Some("to-dd"));
        assert_eq!(own_stream(arn, "eu-west-1", "123456789012"), None);
        assert_eq!(own_stream(arn, "us-east-1", "999999999999"), None);
    }
}
