//! The AWS access layer: the handful of AWS operations logplan uses, behind small traits, so that
//! the real SDK ([`sdk`]), an emulator (the same SDK pointed elsewhere by `AWS_ENDPOINT_URL`) and
//! the built-in demo account ([`crate::demo`]) are interchangeable. Each method is one API call
//! (one page); pagination, packing and retries of whole stages live in the stage modules, so they
//! run the same whatever answers.

pub mod actions;
pub mod athena;
pub mod costexplorer;
pub mod insights;
pub mod limited;
pub mod paginate;
pub mod quotas;
pub mod s3;
pub mod sdk;
pub mod tagging;

use std::collections::BTreeMap;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use crate::error::Result;
use crate::money::MicroUsd;

/// Storage class of a log group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum LogGroupClass {
    Standard,
    InfrequentAccess,
    /// Lambda logs on their way to S3 or Firehose, kept one day (CloudWatch Logs API reference,
    /// `LogGroup.logGroupClass`).
    Delivery,
}

impl LogGroupClass {
    pub fn as_str(self) -> &'static str {
        match self {
            LogGroupClass::Standard => "STANDARD",
            LogGroupClass::InfrequentAccess => "INFREQUENT_ACCESS",
            LogGroupClass::Delivery => "DELIVERY",
        }
    }
}

/// One log group as DescribeLogGroups reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogGroupInfo {
    pub name: String,
    /// Without the trailing `:*`.
    pub arn: String,
    /// The account that owns the group, from its ARN (a monitoring account lists its source
    /// accounts' groups too); `None` when the ARN does not say.
    pub account_id: Option<String>,
    /// `None` when AWS did not say (older groups, some emulators).
    pub class: Option<LogGroupClass>,
    pub retention_days: Option<i32>,
    pub stored_bytes: Option<u64>,
    /// Creation time, epoch milliseconds.
    pub created_ms: Option<i64>,
}

/// One subscription filter of a log group.
#[derive(Clone, Debug, PartialEq)]
pub struct SubscriptionFilterInfo {
    pub filter_name: String,
    pub destination_arn: String,
}

/// The account named in an ARN (`arn:partition:service:region:ACCOUNT:...`).
pub fn arn_account(arn: &str) -> Option<&str> {
    arn.split(':')
        .nth(4)
        .filter(|a| a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()))
}

/// Which log groups one DescribeLogGroups listing covers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GroupListing {
    /// `logGroupNamePrefix`.
    pub prefix: Option<String>,
    /// In a monitoring account: `includeLinkedAccounts`, with `accountIdentifiers` when the list
    /// is not empty (at most 20). `None` lists the caller's own groups only.
    pub linked: Option<Vec<String>>,
}

/// One metric ListMetrics named: its dimensions, and in a monitoring account its owner.
#[derive(Clone, Debug, PartialEq)]
pub struct ListedMetric {
    pub dimensions: Vec<(String, String)>,
    /// `OwningAccounts`, present when linked accounts were included.
    pub account_id: Option<String>,
}

/// One page of ListMetrics.
#[derive(Clone, Debug, Default)]
pub struct MetricsPage {
    pub metrics: Vec<ListedMetric>,
    pub next_token: Option<String>,
}

/// An account-level subscription filter policy (`SUBSCRIPTION_FILTER_POLICY`).
#[derive(Clone, Debug, PartialEq)]
pub struct AccountPolicy {
    pub name: String,
    /// JSON: `DestinationArn`, `FilterPattern`, `RoleArn`, `Distribution`.
    pub document: String,
    /// `LogGroupName NOT IN [...]`, or none (every group).
    pub selection_criteria: Option<String>,
    pub account_id: Option<String>,
}

/// A source account linked to a monitoring account's sink (OAM ListAttachedLinks).
#[derive(Clone, Debug, PartialEq)]
pub struct AttachedLink {
    pub account_id: String,
    pub label: String,
    /// What the link shares, e.g. `AWS::Logs::LogGroup`, `AWS::CloudWatch::Metric`.
    pub resource_types: Vec<String>,
}

/// One GetMetricData query: a metric with its exact dimensions, a period and a statistic.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricQuery {
    /// The source account to read it from, in a monitoring account; `None` = the caller's.
    pub account_id: Option<String>,
    pub id: String,
    pub namespace: String,
    pub metric_name: String,
    pub dimensions: Vec<(String, String)>,
    pub period_secs: i32,
    pub stat: String,
}

/// Status of one query's result in one GetMetricData page.
#[derive(Clone, Debug, PartialEq)]
pub enum ResultStatus {
    Complete,
    /// More datapoints follow on the next page (NextToken).
    PartialData,
    Other(String),
}

#[derive(Clone, Debug, PartialEq)]
pub struct MetricResult {
    pub id: String,
    /// Epoch seconds of each datapoint's period start.
    pub timestamps: Vec<i64>,
    pub values: Vec<f64>,
    pub status: ResultStatus,
    /// The result's own `Messages`, as `code: text`.
    pub messages: Vec<String>,
}

/// One page of GetMetricData.
#[derive(Clone, Debug, Default)]
pub struct MetricDataPage {
    pub results: Vec<MetricResult>,
    pub next_token: Option<String>,
    /// Messages about the whole request (e.g. a limit reached).
    pub messages: Vec<String>,
}

/// One page of DescribeLogGroups.
#[derive(Clone, Debug, Default)]
pub struct LogGroupPage {
    pub groups: Vec<LogGroupInfo>,
    pub next_token: Option<String>,
}

/// One event of FilterLogEvents: what the Datadog Forwarder's envelope carries of it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogEvent {
    pub message: String,
    pub log_stream: String,
    pub event_id: String,
    /// Epoch milliseconds.
    pub timestamp_ms: i64,
}

/// One page of FilterLogEvents. The events are measured and dropped by the caller; nothing
/// keeps log content.
#[derive(Clone, Debug, Default)]
pub struct EventsPage {
    pub events: Vec<LogEvent>,
    pub next_token: Option<String>,
}

/// One vended-log delivery (DescribeDeliveries): a delivery source paired with a destination.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryInfo {
    pub source_name: String,
    pub destination_arn: String,
}

/// One delivery source (DescribeDeliverySources): the AWS service and log type it sends.
#[derive(Clone, Debug, PartialEq)]
pub struct DeliverySourceInfo {
    pub name: String,
    /// As AWS spells it, e.g. `cloudfront`.
    pub service: String,
    /// e.g. `ACCESS_LOGS`.
    pub log_type: String,
    pub resource_arns: Vec<String>,
}

/// One delivery destination (DescribeDeliveryDestinations).
#[derive(Clone, Debug, PartialEq)]
pub struct DeliveryDestinationInfo {
    pub arn: String,
    /// `CWL`, `S3`, `FH`, `XRAY`.
    pub destination_type: String,
    /// For `CWL`, the log group's ARN.
    pub resource_arn: String,
}

/// The operations logplan needs in one account and region.
pub trait RegionApi: Send + Sync + 'static {
    /// DescribeLogGroups, one page (limit 50).
    fn describe_log_groups(
        &self,
        listing: GroupListing,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<LogGroupPage>> + Send;

    /// DescribeSubscriptionFilters for one group, one page (a group has at most two filters).
    fn describe_subscription_filters(
        &self,
        log_group: String,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<SubscriptionFilterInfo>, Option<String>)>> + Send;

    /// ListMetrics of one metric name in one namespace, one page (500 a page). With
    /// `include_linked`, a monitoring account's source accounts' metrics too.
    fn list_metrics(
        &self,
        namespace: String,
        metric_name: String,
        include_linked: bool,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<MetricsPage>> + Send;

    /// DescribeAccountPolicies of type `SUBSCRIPTION_FILTER_POLICY`, one page; of `account` (a
    /// source account, from a monitoring account) or the caller's own.
    fn describe_subscription_policies(
        &self,
        account: Option<String>,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<AccountPolicy>, Option<String>)>> + Send;

    /// GetMetricData, one page. `start`/`end` are epoch seconds; results in ascending time.
    fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<MetricDataPage>> + Send;

    /// FilterLogEvents over `[start_ms, end_ms)`, one page. `log_group` is a name, or an ARN
    /// (a source account's group read from a monitoring account).
    fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<EventsPage>> + Send;

    /// DescribeDeliveries, one page (limit 50).
    fn describe_deliveries(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<DeliveryInfo>, Option<String>)>> + Send;

    /// DescribeDeliverySources, one page (limit 50).
    fn describe_delivery_sources(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<DeliverySourceInfo>, Option<String>)>> + Send;

    /// DescribeDeliveryDestinations, one page (limit 50).
    fn describe_delivery_destinations(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<DeliveryDestinationInfo>, Option<String>)>> + Send;

    /// Firehose DescribeDeliveryStream of a stream of this account and region: the URLs of its
    /// HTTP endpoint destinations (empty when it has none).
    fn firehose_http_endpoints(
        &self,
        stream_name: String,
    ) -> impl Future<Output = Result<Vec<String>>> + Send;

    /// OAM ListSinks, one page: the ARNs of this monitoring account's sinks in the region.
    fn list_sinks(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<String>, Option<String>)>> + Send;

    /// OAM ListAttachedLinks of one sink, one page.
    fn list_attached_links(
        &self,
        sink_arn: String,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<AttachedLink>, Option<String>)>> + Send;
}

/// An account: who we are, and its regions.
pub trait AccountApi: Send + Sync {
    type Region: RegionApi + Clone;
    /// STS GetCallerIdentity.
    fn account_id(&self) -> impl Future<Output = Result<String>> + Send;
    fn region(&self, name: &str) -> Self::Region;
}

/// What the run asked of AWS: calls per IAM action, and the GetMetricData metrics requested
/// (billed at $0.01 per 1,000, no free tier).
#[derive(Debug, Default)]
pub struct ApiStats {
    calls: Mutex<BTreeMap<&'static str, u64>>,
    /// Attempts AWS answered with throttling, by action.
    throttled: Mutex<BTreeMap<&'static str, u64>>,
    metrics_requested: AtomicU64,
}

/// GetMetricData price: $0.01 per 1,000 metrics = 10 micro-dollars per metric.
pub const GET_METRIC_DATA_MICROS_PER_METRIC: i64 = 10;

impl ApiStats {
    pub fn record(&self, action: &'static str) {
        let mut calls = self.calls.lock().expect("stats lock");
        *calls.entry(action).or_default() += 1;
    }

    pub fn record_throttle(&self, action: &'static str) {
        let mut t = self.throttled.lock().expect("stats lock");
        *t.entry(action).or_default() += 1;
    }

    /// Add another run's counts to these.
    pub fn absorb(&self, other: &ApiStats) {
        let theirs = other.calls();
        let mut calls = self.calls.lock().expect("stats lock");
        for (k, v) in theirs {
            *calls.entry(k).or_default() += v;
        }
        drop(calls);
        let theirs = other.throttled();
        let mut throttled = self.throttled.lock().expect("stats lock");
        for (k, v) in theirs {
            *throttled.entry(k).or_default() += v;
        }
        self.metrics_requested
            .fetch_add(other.metrics_requested(), Ordering::Relaxed);
    }

    pub fn record_metrics(&self, n: u64) {
        self.metrics_requested.fetch_add(n, Ordering::Relaxed);
    }

    pub fn calls(&self) -> BTreeMap<&'static str, u64> {
        self.calls.lock().expect("stats lock").clone()
    }

    /// Throttled attempts by action (each also counted in [`ApiStats::calls`]).
    pub fn throttled(&self) -> BTreeMap<&'static str, u64> {
        self.throttled.lock().expect("stats lock").clone()
    }

    pub fn count(&self, action: &str) -> u64 {
        self.calls
            .lock()
            .expect("stats lock")
            .get(action)
            .copied()
            .unwrap_or(0)
    }

    pub fn total_calls(&self) -> u64 {
        self.calls.lock().expect("stats lock").values().sum()
    }

    pub fn metrics_requested(&self) -> u64 {
        self.metrics_requested.load(Ordering::Relaxed)
    }

    /// What the GetMetricData calls cost. Other read calls of this run are free-tier API
    /// requests (DescribeLogGroups and friends are not billed; STS is free).
    pub fn cost(&self) -> MicroUsd {
        MicroUsd::per_unit(GET_METRIC_DATA_MICROS_PER_METRIC, self.metrics_requested())
    }
}

/// A saved Logs Insights query definition as the account holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryDefinition {
    /// `None` for a definition not created yet.
    pub id: Option<String>,
    pub name: String,
    pub query: String,
    pub log_groups: Vec<String>,
    /// API value: CWLI, SQL or PPL.
    pub language: String,
    /// (name, default value, description)
    pub parameters: Vec<(String, Option<String>, Option<String>)>,
}

/// Logs query definitions in one account and region.
pub trait DefinitionsApi: Send + Sync {
    /// DescribeQueryDefinitions, one page (maxResults 1000).
    fn describe_query_definitions(
        &self,
        prefix: Option<String>,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<QueryDefinition>, Option<String>)>> + Send;
    /// PutQueryDefinition: creates when `id` is `None`, else replaces every field. Returns the id.
    /// `client_token` makes a create idempotent: AWS answers a repeated request with the same
    /// token with the definition it already made.
    fn put_query_definition(
        &self,
        def: QueryDefinition,
        client_token: Option<String>,
    ) -> impl Future<Output = Result<String>> + Send;
    /// DeleteQueryDefinition.
    fn delete_query_definition(&self, id: String) -> impl Future<Output = Result<()>> + Send;
}
