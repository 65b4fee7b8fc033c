//! The built-in demo account: a deterministic synthetic AWS account behind the same
//! [`AccountApi`]/[`RegionApi`] traits as AWS, offline. It tells the story logplan comes from: WAF
//! logs (vended), ALB/app access logs, Route 53 resolver query logs, VPC flow logs,
//! `/var/log/secure` from the CloudWatch agent, a dozen Lambda functions and a few Infrequent
//! Access groups, some forwarded to a Datadog Forwarder Lambda; ~40 groups from megabytes to
//! terabytes a month. Event sizes and gzip ratios are those of the synthetic events it serves to
//! FilterLogEvents, so event sampling measures real compression of realistic-looking lines.

mod events;
mod groups;
mod insights;

use std::sync::Arc;

use crate::aws::*;
use crate::error::{Error, Result};
use events::{message, name_hash, shape};
use groups::{SPECS, Spec};

pub use groups::{DEMO_ACCOUNT_ID, DEMO_REGION};

/// The demo account. Only `us-east-1` holds groups; other regions are empty.
#[derive(Clone, Default)]
pub struct DemoAccount {
    _private: (),
}

impl DemoAccount {
    pub fn new() -> DemoAccount {
        DemoAccount::default()
    }

    /// How many log groups the demo account has.
    pub fn group_count() -> usize {
        SPECS.len()
    }
}

#[derive(Clone)]
pub struct DemoRegion {
    specs: Arc<Vec<&'static Spec>>,
}

impl AccountApi for DemoAccount {
    type Region = DemoRegion;

    async fn account_id(&self) -> Result<String> {
        Ok(DEMO_ACCOUNT_ID.to_string())
    }

    fn region(&self, name: &str) -> DemoRegion {
        let specs = if name == DEMO_REGION {
            SPECS.iter().collect()
        } else {
            vec![]
        };
        DemoRegion {
            specs: Arc::new(specs),
        }
    }
}

impl DemoRegion {
    fn find(&self, name: &str) -> Option<&'static Spec> {
        self.specs.iter().copied().find(|s| s.name == name)
    }

    /// The value of one day for one query, or `None` when the query matches no metric.
    fn day_value(&self, q: &MetricQuery, day_start: i64) -> Option<f64> {
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
        let forwarded = q.dimensions.len() == 3 && {
            let (filter, _, kind) = spec.destination()?;
            dim("FilterName") == Some(filter) && dim("DestinationType") == Some(kind)
        };
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
                    "arn:aws:logs:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:log-group:{}",
                    s.name
                ),
                account_id: Some(DEMO_ACCOUNT_ID.to_string()),
                class: Some(if s.ia {
                    LogGroupClass::InfrequentAccess
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
            region: Some(DEMO_REGION.into()),
            code: "ResourceNotFoundException".into(),
            message: format!("The specified log group does not exist: {log_group}"),
        })?;
        let filters = spec
            .destination()
            .map(|(name, arn, _)| SubscriptionFilterInfo {
                filter_name: name.to_string(),
                destination_arn: arn.to_string(),
            })
            .into_iter()
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
                region: Some(DEMO_REGION.into()),
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
        let forwarding = namespace == "AWS/Logs"
            && (metric_name == "ForwardedBytes" || metric_name == "ForwardedLogEvents");
        let metrics = self
            .specs
            .iter()
            .filter(|_| forwarding)
            .filter_map(|s| {
                let (filter, _, kind) = s.destination()?;
                Some(ListedMetric {
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
            region: Some(DEMO_REGION.into()),
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
        let messages = (from..to)
            .map(|i| {
                let ts = start_ms + (i as f64 * step) as i64;
                message(spec.content, seed, (ts as u64) ^ i, ts)
            })
            .collect();
        Ok(EventsPage {
            messages,
            next_token: (to < total).then(|| to.to_string()),
        })
    }
}
