//! The AWS access layer: the handful of AWS operations logplan uses, behind small traits, so that
//! the real SDK ([`sdk`]), an emulator (the same SDK pointed elsewhere by `AWS_ENDPOINT_URL`) and
//! the built-in demo account ([`crate::demo`]) are interchangeable. Each method is one API call
//! (one page); pagination, packing and retries of whole stages live in the stage modules, so they
//! run the same whatever answers.

pub mod athena;
pub mod costexplorer;
pub mod limited;
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
}

impl LogGroupClass {
    pub fn as_str(self) -> &'static str {
        match self {
            LogGroupClass::Standard => "STANDARD",
            LogGroupClass::InfrequentAccess => "INFREQUENT_ACCESS",
        }
    }
}

/// One log group as DescribeLogGroups reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct LogGroupInfo {
    pub name: String,
    pub arn: String,
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

/// One GetMetricData query: a metric with its exact dimensions, a period and a statistic.
#[derive(Clone, Debug, PartialEq)]
pub struct MetricQuery {
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

/// One page of FilterLogEvents. The messages are measured and dropped by the caller; nothing
/// keeps log content.
#[derive(Clone, Debug, Default)]
pub struct EventsPage {
    pub messages: Vec<String>,
    pub next_token: Option<String>,
}

/// The operations logplan needs in one account and region.
pub trait RegionApi: Send + Sync + 'static {
    /// DescribeLogGroups, one page (limit 50).
    fn describe_log_groups(
        &self,
        prefix: Option<String>,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<LogGroupPage>> + Send;

    /// DescribeSubscriptionFilters for one group, one page (a group has at most two filters).
    fn describe_subscription_filters(
        &self,
        log_group: String,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<SubscriptionFilterInfo>, Option<String>)>> + Send;

    /// GetMetricData, one page. `start`/`end` are epoch seconds; results in ascending time.
    fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<MetricDataPage>> + Send;

    /// FilterLogEvents over `[start_ms, end_ms)`, one page.
    fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<EventsPage>> + Send;
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
    metrics_requested: AtomicU64,
}

/// GetMetricData price: $0.01 per 1,000 metrics = 10 micro-dollars per metric.
pub const GET_METRIC_DATA_MICROS_PER_METRIC: i64 = 10;

impl ApiStats {
    pub fn record(&self, action: &'static str) {
        let mut calls = self.calls.lock().expect("stats lock");
        *calls.entry(action).or_default() += 1;
    }

    /// Add another run's counts to these.
    pub fn absorb(&self, other: &ApiStats) {
        let theirs = other.calls();
        let mut calls = self.calls.lock().expect("stats lock");
        for (k, v) in theirs {
            *calls.entry(k).or_default() += v;
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
    fn put_query_definition(
        &self,
        def: QueryDefinition,
    ) -> impl Future<Output = Result<String>> + Send;
    /// DeleteQueryDefinition.
    fn delete_query_definition(&self, id: String) -> impl Future<Output = Result<()>> + Send;
}
