//! Cost Explorer (`ce:GetCostAndUsage`) behind a small trait, and its SDK implementation. Cost
//! Explorer is global: its one endpoint is in us-east-1, whatever regions the run samples.
//! `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_COST_EXPLORER` point it at an emulator (aws-config
//! reads them). Every request costs $0.01, so callers count them; each method is one request.

use std::collections::BTreeMap;
use std::future::Future;

use aws_sdk_costexplorer::types::{
    DateInterval, Dimension, DimensionValues, Expression, Granularity, GroupDefinition,
    GroupDefinitionType,
};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;
use serde::{Deserialize, Serialize};

use super::sdk::{ConnectSettings, map_err};
use crate::error::{Error, Result};
use crate::money::MicroUsd;

/// The IAM action every request needs.
pub const ACTION: &str = "ce:GetCostAndUsage";

/// Price of one Cost Explorer API request (each page is one request): $0.01.
pub const REQUEST_MICROS: i64 = 10_000;

/// The error code Cost Explorer answers when it has no data for the period (data not ready,
/// Cost Explorer enabled less than a day ago, or a period older than it keeps).
pub const DATA_UNAVAILABLE: &str = "DataUnavailableException";

/// Cost Explorer's region: the API has one endpoint, in us-east-1.
pub const CE_REGION: &str = "us-east-1";

/// SERVICE dimension values that carry the costs logplan models. Cost Explorer names services
/// its own way: CloudWatch (Logs included) is `AmazonCloudWatch`; Lambda's internet egress
/// (the Datadog Forwarder's) is billed to `AWS Lambda`; Firehose kept its old name
/// (`Amazon Kinesis Firehose`; the new one is listed too, an unknown value matches nothing);
/// data transfer some accounts see as a service of its own, `AWS Data Transfer`; PrivateLink
/// endpoints are `Amazon Virtual Private Cloud`.
pub const SERVICES: &[&str] = &[
    "AmazonCloudWatch",
    "AWS Lambda",
    "Amazon Kinesis Firehose",
    "Amazon Data Firehose",
    "AWS Data Transfer",
    "Amazon Virtual Private Cloud",
];

/// EC2's data transfer (a forwarder behind a NAT gateway, or on instances) is billed under
/// `EC2 - Other`, together with EBS, NAT gateway hours and much else that is not logging; only
/// its internet egress usage type group is asked for.
pub const EC2_OTHER: &str = "EC2 - Other";
pub const EC2_INTERNET_OUT_GROUP: &str = "EC2: Data Transfer - Internet (Out)";

/// Metrics asked for. NetUnblendedCost is the cost after discounts, where the account has any.
pub const METRICS: &[&str] = &["UnblendedCost", "UsageQuantity", "NetUnblendedCost"];

/// One GetCostAndUsage query (without its page token). Stored with the cached result, so a
/// cache answers only the query it was fetched for.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostQuery {
    /// First day, inclusive (YYYY-MM-DD).
    pub start: String,
    /// Day after the last day, exclusive (YYYY-MM-DD).
    pub end: String,
    pub granularity: String,
    pub metrics: Vec<String>,
    /// Dimension keys, in order: `["USAGE_TYPE"]` or `["LINKED_ACCOUNT", "USAGE_TYPE"]`.
    pub group_by: Vec<String>,
    pub services: Vec<String>,
    /// Services asked for only with `usage_type_groups` (EC2 - Other).
    pub restricted_services: Vec<String>,
    pub usage_type_groups: Vec<String>,
    /// RECORD_TYPE values: usage only (no credits, refunds or tax).
    pub record_types: Vec<String>,
}

impl CostQuery {
    /// The month query logplan makes: monthly, by usage type (and linked account when several
    /// accounts are in play), usage records of the services that carry log costs.
    pub fn month(start: &str, end: &str, by_account: bool) -> CostQuery {
        let mut group_by = Vec::new();
        if by_account {
            group_by.push("LINKED_ACCOUNT".to_string());
        }
        group_by.push("USAGE_TYPE".to_string());
        CostQuery {
            start: start.to_string(),
            end: end.to_string(),
            granularity: "MONTHLY".into(),
            metrics: METRICS.iter().map(|m| m.to_string()).collect(),
            group_by,
            services: SERVICES.iter().map(|s| s.to_string()).collect(),
            restricted_services: vec![EC2_OTHER.to_string()],
            usage_type_groups: vec![EC2_INTERNET_OUT_GROUP.to_string()],
            record_types: vec!["Usage".to_string()],
        }
    }

    pub fn by_account(&self) -> bool {
        self.group_by.iter().any(|g| g == "LINKED_ACCOUNT")
    }

    /// The filter expression: usage records of (the services) or (EC2 - Other's internet
    /// egress).
    pub fn filter(&self) -> Expression {
        let dim = |key: Dimension, values: &[String]| {
            Expression::builder()
                .dimensions(
                    DimensionValues::builder()
                        .key(key)
                        .set_values(Some(values.to_vec()))
                        .build(),
                )
                .build()
        };
        let mut services = vec![dim(Dimension::Service, &self.services)];
        if !self.restricted_services.is_empty() {
            services.push(
                Expression::builder()
                    .and(dim(Dimension::Service, &self.restricted_services))
                    .and(dim(Dimension::UsageTypeGroup, &self.usage_type_groups))
                    .build(),
            );
        }
        let which = if services.len() == 1 {
            services.remove(0)
        } else {
            Expression::builder().set_or(Some(services)).build()
        };
        if self.record_types.is_empty() {
            return which;
        }
        Expression::builder()
            .and(which)
            .and(dim(Dimension::RecordType, &self.record_types))
            .build()
    }
}

/// A metric value as Cost Explorer gives it: a decimal string and its unit. Kept as text so
/// nothing is lost to a float.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub amount: String,
    pub unit: String,
}

/// One group of one time period: its keys (in `group_by` order) and metrics.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostGroup {
    pub keys: Vec<String>,
    pub metrics: BTreeMap<String, Amount>,
}

/// One entry of `ResultsByTime`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CostResult {
    pub start: String,
    pub end: String,
    /// Cost Explorer's own flag: the month's bill is not final yet.
    pub estimated: bool,
    pub groups: Vec<CostGroup>,
}

/// One page of GetCostAndUsage.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CostPage {
    pub results: Vec<CostResult>,
    pub next_token: Option<String>,
}

/// Cost Explorer: one call is one request (one page) and costs $0.01.
pub trait CostExplorerApi: Send + Sync {
    fn get_cost_and_usage(
        &self,
        query: &CostQuery,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<CostPage>> + Send;
}

/// All pages of a query, following NextPageToken, and how many requests that took.
pub async fn fetch_all(
    api: &impl CostExplorerApi,
    query: &CostQuery,
) -> Result<(Vec<CostResult>, u32)> {
    let mut token: Option<String> = None;
    let mut results: Vec<CostResult> = Vec::new();
    let mut requests = 0u32;
    let mut pager =
        super::paginate::Pager::new(ACTION, "", super::paginate::limits::GET_COST_AND_USAGE);
    loop {
        let page = api.get_cost_and_usage(query, token.clone()).await?;
        requests += 1;
        // Pages of a monthly query repeat the same period with more groups: merge them.
        for r in page.results {
            match results
                .iter_mut()
                .find(|x| x.start == r.start && x.end == r.end)
            {
                Some(x) => {
                    x.estimated |= r.estimated;
                    x.groups.extend(r.groups);
                }
                None => results.push(r),
            }
        }
        match pager.advance(page.next_token)? {
            Some(t) => token = Some(t),
            None => return Ok((results, requests)),
        }
    }
}

/// What `requests` Cost Explorer requests cost.
pub fn requests_cost(requests: u32) -> MicroUsd {
    MicroUsd::per_unit(REQUEST_MICROS, u64::from(requests))
}

/// Cost Explorer through the AWS SDK, with the same retry and timeout settings as every other
/// client of the run.
pub struct SdkCostExplorer {
    client: aws_sdk_costexplorer::Client,
}

impl SdkCostExplorer {
    /// Load the standard credential chain and check it yields credentials.
    pub async fn connect(settings: &ConnectSettings) -> Result<SdkCostExplorer> {
        let base = crate::aws::sdk::load_checked(settings, Some(CE_REGION)).await?;
        let conf = aws_sdk_costexplorer::config::Builder::from(&base)
            .region(Region::new(CE_REGION))
            .build();
        Ok(SdkCostExplorer {
            client: aws_sdk_costexplorer::Client::from_conf(conf),
        })
    }
}

impl CostExplorerApi for SdkCostExplorer {
    async fn get_cost_and_usage(
        &self,
        query: &CostQuery,
        next_token: Option<String>,
    ) -> Result<CostPage> {
        let period = DateInterval::builder()
            .start(&query.start)
            .end(&query.end)
            .build()
            .map_err(|e| Error::Internal(format!("Cost Explorer period: {e}")))?;
        let group_by = query
            .group_by
            .iter()
            .map(|k| {
                GroupDefinition::builder()
                    .r#type(GroupDefinitionType::Dimension)
                    .key(k)
                    .build()
            })
            .collect();
        let out = self
            .client
            .get_cost_and_usage()
            .time_period(period)
            .granularity(Granularity::from(query.granularity.as_str()))
            .set_metrics(Some(query.metrics.clone()))
            .set_group_by(Some(group_by))
            .filter(query.filter())
            .set_next_page_token(next_token)
            .send()
            .await
            .map_err(ce_error)?;
        let amount = |m: &aws_sdk_costexplorer::types::MetricValue| Amount {
            amount: m.amount().unwrap_or("0").to_string(),
            unit: m.unit().unwrap_or("").to_string(),
        };
        let results = out
            .results_by_time()
            .iter()
            .map(|r| CostResult {
                start: r
                    .time_period()
                    .map(|p| p.start().to_string())
                    .unwrap_or_default(),
                end: r
                    .time_period()
                    .map(|p| p.end().to_string())
                    .unwrap_or_default(),
                estimated: r.estimated(),
                groups: r
                    .groups()
                    .iter()
                    .map(|g| CostGroup {
                        keys: g.keys().to_vec(),
                        metrics: g
                            .metrics()
                            .map(|m| m.iter().map(|(k, v)| (k.clone(), amount(v))).collect())
                            .unwrap_or_default(),
                    })
                    .collect(),
            })
            .collect();
        Ok(CostPage {
            results,
            next_token: out.next_page_token().map(str::to_string),
        })
    }
}

/// Cost Explorer's errors, one line each. A caller that was never enabled for Cost Explorer
/// gets AccessDenied with a message saying so: that is worth telling apart from a missing IAM
/// permission, because the fix is in the Billing console, not in a policy.
fn ce_error(
    err: SdkError<
        aws_sdk_costexplorer::operation::get_cost_and_usage::GetCostAndUsageError,
        aws_smithy_runtime_api::client::orchestrator::HttpResponse,
    >,
) -> Error {
    if let SdkError::ServiceError(se) = &err {
        let e = se.err();
        let code = e.code().unwrap_or("");
        let message = e.message().unwrap_or("").replace('\n', " ");
        if code.starts_with("AccessDenied") && message.to_ascii_lowercase().contains("not enabled")
        {
            return Error::Aws {
                operation: ACTION.into(),
                region: None,
                code: code.to_string(),
                message: format!(
                    "Cost Explorer is not enabled for this account ({message}); enable it in the \
                     Billing and Cost Management console (data appears within 24 hours)"
                ),
            };
        }
    }
    map_err(ACTION, err)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn month_query_filters_usage_of_the_log_services() {
        let q = CostQuery::month("2026-10-01", "2026-11-01", false);
        assert_eq!(q.group_by, vec!["USAGE_TYPE"]);
        assert!(CostQuery::month("2026-10-01", "2026-11-01", true).by_account());
        let f = q.filter();
        // (services OR (EC2 - Other AND internet egress)) AND usage records.
        let and = f.and();
        assert_eq!(and.len(), 2);
        let or = and[0].or();
        assert_eq!(or.len(), 2);
        let svc = or[0].dimensions().unwrap();
        assert_eq!(svc.key(), Some(&Dimension::Service));
        assert!(svc.values().contains(&"AmazonCloudWatch".to_string()));
        assert!(svc.values().contains(&"AWS Lambda".to_string()));
        let ec2 = or[1].and();
        assert_eq!(ec2[0].dimensions().unwrap().values(), ["EC2 - Other"]);
        assert_eq!(
            ec2[1].dimensions().unwrap().key(),
            Some(&Dimension::UsageTypeGroup)
        );
        let rt = and[1].dimensions().unwrap();
        assert_eq!(rt.key(), Some(&Dimension::RecordType));
        assert_eq!(rt.values(), ["Usage"]);
    }

    struct Pages(std::sync::Mutex<Vec<CostPage>>);

    impl CostExplorerApi for Pages {
        async fn get_cost_and_usage(
            &self,
            _query: &CostQuery,
            _next_token: Option<String>,
        ) -> Result<CostPage> {
            let mut p = self.0.lock().unwrap();
            Ok(if p.is_empty() {
                CostPage::default()
            } else {
                p.remove(0)
            })
        }
    }

    fn page(ut: &str, token: Option<&str>) -> CostPage {
        CostPage {
            results: vec![CostResult {
                start: "2026-10-01".into(),
                end: "2026-11-01".into(),
                estimated: false,
                groups: vec![CostGroup {
                    keys: vec![ut.into()],
                    metrics: BTreeMap::new(),
                }],
            }],
            next_token: token.map(str::to_string),
        }
    }

    #[tokio::test]
    async fn pages_are_followed_and_counted() {
        let api = Pages(std::sync::Mutex::new(vec![
            page("a", Some("t1")),
            page("b", Some("t2")),
            page("c", None),
        ]));
        let q = CostQuery::month("2026-10-01", "2026-11-01", false);
        let (results, requests) = fetch_all(&api, &q).await.unwrap();
        assert_eq!(requests, 3);
        assert_eq!(results.len(), 1, "one month, its groups merged");
        assert_eq!(results[0].groups.len(), 3);
        assert_eq!(requests_cost(requests), MicroUsd(30_000));
        // A token seen twice stops the loop instead of paying forever.
        let api = Pages(std::sync::Mutex::new(vec![
            page("a", Some("t1")),
            page("b", Some("t1")),
        ]));
        let e = fetch_all(&api, &q).await.unwrap_err().to_string();
        assert!(e.contains("RepeatedNextToken: page 2"), "{e}");
    }
}
