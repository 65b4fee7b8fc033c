//! The built-in demo account: a deterministic synthetic AWS account behind the same
//! [`AccountApi`]/[`RegionApi`] traits as AWS, offline. It tells the story logplan comes from: WAF
//! logs (vended), ALB/app access logs, Route 53 resolver query logs, VPC flow logs,
//! `/var/log/secure` from the CloudWatch agent, a dozen Lambda functions and a few Infrequent
//! Access groups, some forwarded to a Datadog Forwarder Lambda; ~50 groups from megabytes to
//! terabytes a month. A second account of the same organization ([`DemoAccount::member`], payer
//! [`DEMO_PAYER_ID`]) adds a Lambda-heavy API, flow logs that share the payer's tier pools, and
//! groups in eu-west-1, outside the Datadog site's region. Event sizes and gzip ratios are those of the synthetic events it serves to
//! FilterLogEvents, so event sampling measures real compression of realistic-looking lines.

mod events;
mod groups;
mod insights;

use std::sync::Arc;

use crate::aws::*;
use crate::error::{Error, Result};
use events::{message, name_hash, shape};
use groups::{DELIVERIES, DELIVERY_CLASS, MEMBER_EU_SPECS, MEMBER_SPECS, SPECS, Spec};

pub use groups::{
    DEMO_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID, DEMO_OTHER_REGION, DEMO_PAYER_ID, DEMO_REGION,
};

/// A demo account: the main one (`us-east-1`) or the organization's member account
/// (`us-east-1` and `eu-west-1`). Other regions are empty.
#[derive(Clone)]
pub struct DemoAccount {
    id: &'static str,
}

impl Default for DemoAccount {
    fn default() -> Self {
        DemoAccount {
            id: DEMO_ACCOUNT_ID,
        }
    }
}

impl DemoAccount {
    /// The main demo account.
    pub fn new() -> DemoAccount {
        DemoAccount::default()
    }

    /// The second account of the demo's organization.
    pub fn member() -> DemoAccount {
        DemoAccount {
            id: DEMO_MEMBER_ACCOUNT_ID,
        }
    }

    /// How many log groups the demo's accounts have, all regions together.
    pub fn group_count() -> usize {
        SPECS.len() + MEMBER_SPECS.len() + MEMBER_EU_SPECS.len()
    }

    /// The regions that hold the demo's groups.
    pub fn regions() -> [&'static str; 2] {
        [DEMO_REGION, DEMO_OTHER_REGION]
    }
}

/// The demo's consolidated bill: both accounts under one payer, as `[billing]` would say.
pub fn payers() -> std::collections::BTreeMap<String, String> {
    [DEMO_ACCOUNT_ID, DEMO_MEMBER_ACCOUNT_ID]
        .into_iter()
        .map(|a| (a.to_string(), DEMO_PAYER_ID.to_string()))
        .collect()
}

#[derive(Clone)]
pub struct DemoRegion {
    account: &'static str,
    region: String,
    specs: Arc<Vec<&'static Spec>>,
}

impl AccountApi for DemoAccount {
    type Region = DemoRegion;

    async fn account_id(&self) -> Result<String> {
        Ok(self.id.to_string())
    }

    fn region(&self, name: &str) -> DemoRegion {
        let specs: &[Spec] = match (self.id, name) {
            (DEMO_ACCOUNT_ID, DEMO_REGION) => SPECS,
            (DEMO_MEMBER_ACCOUNT_ID, DEMO_REGION) => MEMBER_SPECS,
            (DEMO_MEMBER_ACCOUNT_ID, DEMO_OTHER_REGION) => MEMBER_EU_SPECS,
            _ => &[],
        };
        DemoRegion {
            account: self.id,
            region: name.to_string(),
            specs: Arc::new(specs.iter().collect()),
        }
    }
}

impl DemoRegion {
    /// The web ACLs of the WAF groups (each logging to `aws-waf-logs-<ACL>`), with their totals
    /// (`Rule = ALL`); the CloudFront one is global, without a `Region` dimension.
    fn waf_metrics(&self) -> MetricsPage {
        let metrics = self
            .specs
            .iter()
            .filter_map(|s| s.name.strip_prefix(crate::sample::waf::WAF_GROUP_PREFIX))
            .map(|acl| {
                let mut dimensions = vec![
                    ("Rule".to_string(), "ALL".to_string()),
                    ("WebACL".to_string(), acl.to_string()),
                ];
                if !acl.contains("cloudfront") {
                    dimensions.push(("Region".to_string(), self.region.clone()));
                }
                ListedMetric {
                    dimensions,
                    account_id: None,
                }
            })
            .collect();
        MetricsPage {
            metrics,
            next_token: None,
        }
    }

    /// The demo's deliveries, in this region only.
    fn deliveries(
        &self,
    ) -> impl Iterator<
        Item = &'static (
            &'static str,
            &'static str,
            &'static str,
            &'static str,
            &'static str,
        ),
    > {
        let here = self.account == DEMO_ACCOUNT_ID && self.region == DEMO_REGION;
        DELIVERIES.iter().filter(move |_| here)
    }

    fn find(&self, name: &str) -> Option<&'static Spec> {
        self.specs.iter().copied().find(|s| s.name == name)
    }

    /// A WAF group's web ACL: one log event per inspected request, 93% of them allowed.
    fn waf_value(&self, q: &MetricQuery, day_start: i64) -> Option<f64> {
        let acl = q.dimensions.iter().find(|(k, _)| k == "WebACL")?;
        let spec = self.find(&format!(
            "{}{}",
            crate::sample::waf::WAF_GROUP_PREFIX,
            acl.1
        ))?;
        let requests = spec.day_events(day_start);
        let allowed = (requests * 0.93).round();
        match q.metric_name.as_str() {
            "AllowedRequests" => Some(allowed),
            "BlockedRequests" => Some(requests - allowed),
            _ => None,
        }
    }

    /// The value of one day for one query, or `None` when the query matches no metric.
    fn day_value(&self, q: &MetricQuery, day_start: i64) -> Option<f64> {
        if q.namespace == "AWS/WAFV2" {
            return self.waf_value(q, day_start);
        }
        if q.namespace != "AWS/Logs" {
            return None;
        }
        let dim = |n: &str| {
            q.dimensions
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        let spec = self.find(dim("LogGroupName")?)?;
        let incoming = q.dimensions.len() == 1;
        let forwarded = q.dimensions.len() == 3
            && spec
                .destinations(self.account, &self.region)
                .iter()
                .any(|(filter, _, kind)| {
                    dim("FilterName") == Some(*filter) && dim("DestinationType") == Some(*kind)
                });
        let bytes = spec.day_bytes(day_start);
        match q.metric_name.as_str() {
            "IncomingBytes" if incoming => Some(bytes),
            "IncomingLogEvents" if incoming => Some(spec.day_events(day_start)),
            "ForwardedBytes" if forwarded => Some((bytes / shape(spec.content).gzip_ratio).round()),
            "ForwardedLogEvents" if forwarded => Some(spec.day_events(day_start)),
            _ => None,
        }
    }
}

/// The delivery destination the demo names after a delivery source (main account only).
fn demo_destination_arn(source: &str) -> String {
    format!("arn:aws:logs:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:delivery-destination:{source}-cwl")
}

impl RegionApi for DemoRegion {
    async fn describe_log_groups(
        &self,
        listing: GroupListing,
        next_token: Option<String>,
    ) -> Result<LogGroupPage> {
        let prefix = listing.prefix;
        let mut all: Vec<&Spec> = self
            .specs
            .iter()
            .copied()
            .filter(|s| prefix.as_deref().is_none_or(|p| s.name.starts_with(p)))
            .collect();
        all.sort_by_key(|s| s.name);
        let from: usize = next_token
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let page: Vec<LogGroupInfo> = all
            .iter()
            .skip(from)
            .take(50)
            .map(|s| LogGroupInfo {
                name: s.name.to_string(),
                arn: format!(
                    "arn:aws:logs:{}:{}:log-group:{}",
                    self.region, self.account, s.name
                ),
                account_id: Some(self.account.to_string()),
                class: Some(if s.ia {
                    LogGroupClass::InfrequentAccess
                } else if DELIVERY_CLASS.contains(&s.name) {
                    LogGroupClass::Delivery
                } else {
                    LogGroupClass::Standard
                }),
                retention_days: s.retention,
                stored_bytes: Some(s.stored_bytes()),
                created_ms: Some(s.created_secs() * 1000),
            })
            .collect();
        let next = (from + page.len() < all.len()).then(|| (from + page.len()).to_string());
        Ok(LogGroupPage {
            groups: page,
            next_token: next,
        })
    }

    async fn describe_subscription_filters(
        &self,
        log_group: String,
        _next_token: Option<String>,
    ) -> Result<(Vec<SubscriptionFilterInfo>, Option<String>)> {
        let spec = self.find(&log_group).ok_or_else(|| Error::Aws {
            operation: "logs:DescribeSubscriptionFilters".into(),
            region: Some(self.region.clone()),
            code: "ResourceNotFoundException".into(),
            message: format!("The specified log group does not exist: {log_group}"),
        })?;
        // A resource policy guards this group: its filters cannot be read.
        if matches!(spec.fwd, groups::Fwd::Denied) {
            return Err(Error::AccessDenied {
                action: "logs:DescribeSubscriptionFilters".into(),
                region: Some(self.region.clone()),
            });
        }
        let filters = spec
            .destinations(self.account, &self.region)
            .into_iter()
            .map(|(name, arn, _)| SubscriptionFilterInfo {
                filter_name: name.to_string(),
                destination_arn: arn,
            })
            .collect();
        Ok((filters, None))
    }

    async fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        _next_token: Option<String>,
    ) -> Result<MetricDataPage> {
        if queries.len() > crate::sample::MAX_QUERIES_PER_CALL {
            return Err(Error::Aws {
                operation: "cloudwatch:GetMetricData".into(),
                region: Some(self.region.clone()),
                code: "ValidationError".into(),
                message: "The collection MetricDataQueries must not have a size greater than 500."
                    .into(),
            });
        }
        let results = queries
            .iter()
            .map(|q| {
                let period = i64::from(q.period_secs.max(60));
                let mut timestamps = Vec::new();
                let mut values = Vec::new();
                let mut t = start;
                while t < end {
                    // Spread each day evenly over the buckets that overlap it.
                    let bucket_end = (t + period).min(end);
                    let mut sum = 0.0;
                    let mut any = false;
                    let mut d = t.div_euclid(86_400) * 86_400;
                    while d < bucket_end {
                        let overlap = (bucket_end.min(d + 86_400) - t.max(d)).max(0) as f64;
                        if let Some(v) = self.day_value(q, d)
                            && v > 0.0
                            && overlap > 0.0
                        {
                            sum += v * overlap / 86_400.0;
                            any = true;
                        }
                        d += 86_400;
                    }
                    if any {
                        timestamps.push(t);
                        values.push(sum.round());
                    }
                    t += period;
                }
                MetricResult {
                    id: q.id.clone(),
                    timestamps,
                    values,
                    status: ResultStatus::Complete,
                    messages: vec![],
                }
            })
            .collect();
        Ok(MetricDataPage {
            results,
            next_token: None,
            messages: vec![],
        })
    }

    /// Every forwarded group's filter, as if each had forwarded in the last two weeks.
    async fn list_metrics(
        &self,
        namespace: String,
        metric_name: String,
        _include_linked: bool,
        _next_token: Option<String>,
    ) -> Result<MetricsPage> {
        if namespace == "AWS/WAFV2" {
            return Ok(self.waf_metrics());
        }
        let forwarding = namespace == "AWS/Logs"
            && (metric_name == "ForwardedBytes" || metric_name == "ForwardedLogEvents");
        let metrics = self
            .specs
            .iter()
            .filter(|_| forwarding)
            .flat_map(|s| {
                s.destinations(self.account, &self.region)
                    .into_iter()
                    .map(|(filter, _, kind)| ListedMetric {
                        dimensions: vec![
                            ("DestinationType".to_string(), kind.to_string()),
                            ("FilterName".to_string(), filter.to_string()),
                            ("LogGroupName".to_string(), s.name.to_string()),
                        ],
                        account_id: None,
                    })
            })
            .collect();
        Ok(MetricsPage {
            metrics,
            next_token: None,
        })
    }

    /// The demo account has no account-level subscription filter policy.
    async fn describe_subscription_policies(
        &self,
        _account: Option<String>,
        _next_token: Option<String>,
    ) -> Result<(Vec<AccountPolicy>, Option<String>)> {
        Ok((vec![], None))
    }

    async fn describe_deliveries(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<DeliveryInfo>, Option<String>)> {
        let items = self
            .deliveries()
            .map(|(source, ..)| DeliveryInfo {
                source_name: source.to_string(),
                destination_arn: demo_destination_arn(source),
            })
            .collect();
        Ok((items, None))
    }

    async fn describe_delivery_sources(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<DeliverySourceInfo>, Option<String>)> {
        let items = self
            .deliveries()
            .map(
                |(name, service, log_type, resource, _)| DeliverySourceInfo {
                    name: name.to_string(),
                    service: service.to_string(),
                    log_type: log_type.to_string(),
                    resource_arns: vec![resource.to_string()],
                },
            )
            .collect();
        Ok((items, None))
    }

    async fn describe_delivery_destinations(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<DeliveryDestinationInfo>, Option<String>)> {
        let items = self
            .deliveries()
            .map(|(source, .., group)| DeliveryDestinationInfo {
                arn: demo_destination_arn(source),
                destination_type: "CWL".into(),
                resource_arn: format!(
                    "arn:aws:logs:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:log-group:{group}"
                ),
            })
            .collect();
        Ok((items, None))
    }

    /// The demo's one Firehose stream delivers to Datadog's US1 logs intake.
    async fn firehose_http_endpoints(&self, stream_name: String) -> Result<Vec<String>> {
        if stream_name == groups::FIREHOSE_STREAM {
            Ok(vec![
                "https://aws-kinesis-http-intake.logs.datadoghq.com/v1/input".into(),
            ])
        } else {
            Err(Error::Aws {
                operation: "firehose:DescribeDeliveryStream".into(),
                region: Some(self.region.clone()),
                code: "ResourceNotFoundException".into(),
                message: format!("no delivery stream {stream_name} in the demo account"),
            })
        }
    }

    /// The demo account is not a monitoring account: no sinks.
    async fn list_sinks(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>)> {
        Ok((vec![], None))
    }

    async fn list_attached_links(
        &self,
        sink_arn: String,
        _next_token: Option<String>,
    ) -> Result<(Vec<AttachedLink>, Option<String>)> {
        Err(Error::Aws {
            operation: "oam:ListAttachedLinks".into(),
            region: Some(self.region.clone()),
            code: "ResourceNotFoundException".into(),
            message: format!("no sink {sink_arn} in the demo account"),
        })
    }

    async fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> Result<EventsPage> {
        let Some(spec) = self.find(&log_group) else {
            return Ok(EventsPage::default());
        };
        // Events spread evenly over the window at the group's daily rate.
        let day_start = start_ms.div_euclid(86_400_000) * 86_400;
        let per_ms = spec.day_events(day_start) / 86_400_000.0;
        let total = ((end_ms - start_ms) as f64 * per_ms).floor() as u64;
        let from: u64 = next_token
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let to = total.min(from + 10_000);
        let step = if total > 0 {
            (end_ms - start_ms) as f64 / total as f64
        } else {
            0.0
        };
        let seed = name_hash(spec.name);
        let events = (from..to)
            .map(|i| {
                let ts = start_ms + (i as f64 * step) as i64;
                LogEvent {
                    message: message(spec.content, seed, (ts as u64) ^ i, ts),
                    log_stream: format!("demo-stream-{}", i % 4),
                    // CloudWatch event ids are 56 digits.
                    event_id: format!("{:056}", (ts as u64).wrapping_mul(1_000_003) ^ i),
                    timestamp_ms: ts,
                }
            })
            .collect();
        Ok(EventsPage {
            events,
            next_token: (to < total).then(|| to.to_string()),
        })
    }
}
