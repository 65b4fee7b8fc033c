//! discover: every log group of a region (DescribeLogGroups, paginated, optionally narrowed by
//! prefixes and exclude globs), then each group's subscription filters, to learn which groups are
//! already forwarded and where. A denied DescribeSubscriptionFilters degrades to "forwarding
//! unknown" with a warning; a denied DescribeLogGroups is an error.

use std::collections::HashSet;

use futures::TryStreamExt;
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::aws::{LogGroupInfo, RegionApi, SubscriptionFilterInfo};
use crate::error::{Error, Result};

/// What narrows and labels discovery.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// Log group name prefixes (DescribeLogGroups `logGroupNamePrefix`); empty means all groups.
    pub prefixes: Vec<String>,
    /// Glob patterns (`*`, `?`, `[..]`) on the group name; a match is left out.
    pub excludes: Vec<String>,
    /// Lambda ARNs that count as Datadog Forwarders whatever their name.
    pub forwarder_arns: Vec<String>,
    /// Call DescribeSubscriptionFilters for every group (default true).
    pub scan_subscriptions: bool,
    /// Concurrent DescribeSubscriptionFilters calls.
    pub concurrency: usize,
}

/// What kind of resource a subscription filter delivers to, from its destination ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DestinationKind {
    Lambda,
    Firehose,
    Kinesis,
    /// A CloudWatch Logs destination (cross-account delivery).
    Logs,
    Other,
}

impl DestinationKind {
    pub fn from_arn(arn: &str) -> DestinationKind {
        match arn.split(':').nth(2) {
            Some("lambda") => DestinationKind::Lambda,
            Some("firehose") => DestinationKind::Firehose,
            Some("kinesis") => DestinationKind::Kinesis,
            Some("logs") => DestinationKind::Logs,
            _ => DestinationKind::Other,
        }
    }

    /// The snapshot's `destination_kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationKind::Lambda => "lambda",
            DestinationKind::Firehose => "firehose",
            DestinationKind::Kinesis => "kinesis",
            DestinationKind::Logs => "logs",
            DestinationKind::Other => "other",
        }
    }

    /// The `DestinationType` dimension value under which CloudWatch Logs publishes
    /// `ForwardedBytes` / `ForwardedLogEvents` for this kind of destination.
    pub fn metric_dimension(self) -> &'static str {
        match self {
            DestinationKind::Lambda => "Lambda",
            DestinationKind::Firehose => "Firehose",
            DestinationKind::Kinesis => "Kinesis",
            DestinationKind::Logs => "Logs",
            DestinationKind::Other => "Other",
        }
    }
}

/// A subscription filter with what logplan makes of its destination.
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    pub filter_name: String,
    pub arn: String,
    pub kind: DestinationKind,
    pub datadog_forwarder: bool,
}

/// A discovered log group.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveredGroup {
    pub info: LogGroupInfo,
    /// `None` when the filters could not be read (AccessDenied) or were not scanned.
    pub destinations: Option<Vec<Destination>>,
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub groups: Vec<DiscoveredGroup>,
    pub warnings: Vec<String>,
}

/// Is this Lambda destination a Datadog Forwarder? Its function name contains "datadog"
/// (case-insensitive), or its ARN (with or without a version/alias qualifier) is configured.
pub fn is_datadog_forwarder(arn: &str, configured: &[String]) -> bool {
    if DestinationKind::from_arn(arn) != DestinationKind::Lambda {
        return false;
    }
    let unqualified = unqualified_function_arn(arn);
    if configured
        .iter()
        .any(|c| c == arn || unqualified_function_arn(c) == unqualified)
    {
        return true;
    }
    // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
    arn.split(':')
        .nth(6)
        .is_some_and(|name| name.to_ascii_lowercase().contains("datadog"))
}

fn unqualified_function_arn(arn: &str) -> &str {
    match arn.match_indices(':').nth(6) {
        Some((i, _)) => &arn[..i],
        None => arn,
    }
}

/// Check `--exclude` patterns without discovering anything.
pub fn check_excludes(patterns: &[String]) -> Result<()> {
    exclude_set(patterns).map(|_| ())
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| Error::Usage(format!("--exclude {p:?}: {e}")))?;
        b.add(g);
    }
    b.build()
        .map_err(|e| Error::Usage(format!("--exclude: {e}")))
}

/// List the region's log groups, sorted by name, each with its subscription destinations.
pub async fn discover<R: RegionApi + Clone>(
    api: &R,
    region: &str,
    opts: &DiscoverOptions,
) -> Result<Discovery> {
    let excludes = exclude_set(&opts.excludes)?;
    let prefixes: Vec<Option<String>> = if opts.prefixes.is_empty() {
        vec![None]
    } else {
        opts.prefixes.iter().cloned().map(Some).collect()
    };
    // Pages come one after another (each needs the last one's token); the subscription filters
    // of a page's groups are asked for while the next pages are still coming.
    let prefixes = &prefixes;
    let pages =
        futures::stream::try_unfold((0usize, None::<String>), move |(i, token)| async move {
            let Some(prefix) = prefixes.get(i) else {
                return Ok(None);
            };
            let page = api
                .describe_log_groups(prefix.clone(), token.clone())
                .await?;
            let next = match page.next_token {
                Some(t) if Some(&t) != token.as_ref() => (i, Some(t)),
                _ => (i + 1, None),
            };
            Ok::<_, Error>(Some((page.groups, next)))
        });
    // A producer fetches pages ahead (up to 8) while the groups already listed are worked on.
    let (tx, rx) = futures::channel::mpsc::channel::<Result<Vec<LogGroupInfo>>>(8);
    let producer = async move {
        use futures::{SinkExt, StreamExt};
        let mut tx = tx;
        let mut pages = std::pin::pin!(pages);
        while let Some(page) = pages.next().await {
            let failed = page.is_err();
            if tx.send(page).await.is_err() || failed {
                break;
            }
        }
    };
    let mut seen = HashSet::new();
    let groups = rx
        .map_ok(|page| futures::stream::iter(page.into_iter().map(Ok::<_, Error>)))
        .try_flatten()
        .try_filter(move |g| {
            let keep = !excludes.is_match(&g.name) && seen.insert(g.name.clone());
            futures::future::ready(keep)
        });

    let mut discovery = Discovery::default();
    if !opts.scan_subscriptions {
        let ((), infos) = futures::join!(producer, groups.try_collect::<Vec<LogGroupInfo>>());
        let mut infos = infos?;
        infos.sort_by(|a, b| a.name.cmp(&b.name));
        discovery.groups = infos
            .into_iter()
            .map(|info| DiscoveredGroup {
                info,
                destinations: None,
            })
            .collect();
        return Ok(discovery);
    }

    let consumer = groups
        .map_ok(|info| async move {
            match subscription_filters(api, &info.name).await {
                Ok(filters) => {
                    let dests = filters
                        .into_iter()
                        .map(|f| Destination {
                            kind: DestinationKind::from_arn(&f.destination_arn),
                            datadog_forwarder: is_datadog_forwarder(
                                &f.destination_arn,
                                &opts.forwarder_arns,
                            ),
                            filter_name: f.filter_name,
                            arn: f.destination_arn,
                        })
                        .collect();
                    Ok((info, Some(dests), false))
                }
                Err(Error::AccessDenied { .. }) => Ok((info, None, true)),
                Err(e) => Err(e),
            }
        })
        .try_buffered(opts.concurrency.max(1))
        .try_collect::<Vec<(LogGroupInfo, Option<Vec<Destination>>, bool)>>();
    let ((), results) = futures::join!(producer, consumer);
    let mut results = results?;
    results.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    let denied = results.iter().filter(|r| r.2).count();
    if denied > 0 {
        discovery.warnings.push(format!(
            "AccessDenied on logs:DescribeSubscriptionFilters for {denied} of {} log groups in \
             {region}: their forwarding is unknown; add logs:DescribeSubscriptionFilters to the \
             role or pass --no-forwarding-scan",
            results.len()
        ));
    }
    discovery.groups = results
        .into_iter()
        .map(|(info, destinations, _)| DiscoveredGroup { info, destinations })
        .collect();
    Ok(discovery)
}

async fn subscription_filters<R: RegionApi>(
    api: &R,
    group: &str,
) -> Result<Vec<SubscriptionFilterInfo>> {
    let mut all = Vec::new();
    let mut token = None;
    loop {
        let (mut page, next) = api
            .describe_subscription_filters(group.to_string(), token.clone())
            .await?;
        all.append(&mut page);
        match next {
            Some(t) if Some(&t) != token.as_ref() => token = Some(t),
            _ => break,
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn datadog_detection() {
        let arn = "arn:aws:lambda:us-east-1:123456789012:function:DatadogForwarder-Fn:live";
        assert!(is_datadog_forwarder(arn, &[]));
        let custom = "arn:aws:lambda:us-east-1:123456789012:function:log-shipper";
        assert!(!is_datadog_forwarder(custom, &[]));
        assert!(is_datadog_forwarder(custom, &[custom.to_string()]));
        assert!(is_datadog_forwarder(
            &format!("{custom}:3"),
            &[custom.to_string()]
        ));
        let firehose = "arn:aws:firehose:us-east-1:123456789012:deliverystream/datadog-stream";
        assert!(!is_datadog_forwarder(firehose, &[]));
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
}
