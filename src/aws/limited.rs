//! A [`RegionApi`] wrapper that every stage goes through: it bounds the requests in flight across
//! all regions (one semaphore for the run) and counts each call by IAM action, whatever backend
//! answers (AWS, an emulator, the demo account).

use std::sync::Arc;

use tokio::sync::Semaphore;

use super::*;

#[derive(Clone)]
pub struct Limited<R> {
    inner: R,
    permits: Arc<Semaphore>,
    stats: Arc<ApiStats>,
}

impl<R: RegionApi + Clone> Limited<R> {
    pub fn new(inner: R, permits: Arc<Semaphore>, stats: Arc<ApiStats>) -> Self {
        Limited {
            inner,
            permits,
            stats,
        }
    }

    pub fn stats(&self) -> &ApiStats {
        &self.stats
    }
}

macro_rules! limited {
    ($self:ident, $action:literal, $call:expr) => {{
        let _permit = $self
            .permits
            .acquire()
            .await
            .map_err(|_| crate::error::Error::Internal("request limiter closed".into()))?;
        $self.stats.record($action);
        $call.await
    }};
}

impl<R: RegionApi + Clone> RegionApi for Limited<R> {
    async fn describe_log_groups(
        &self,
        prefix: Option<String>,
        next_token: Option<String>,
    ) -> Result<LogGroupPage> {
        limited!(
            self,
            "logs:DescribeLogGroups",
            self.inner.describe_log_groups(prefix, next_token)
        )
    }

    async fn describe_subscription_filters(
        &self,
        log_group: String,
        next_token: Option<String>,
    ) -> Result<(Vec<SubscriptionFilterInfo>, Option<String>)> {
        limited!(
            self,
            "logs:DescribeSubscriptionFilters",
            self.inner
                .describe_subscription_filters(log_group, next_token)
        )
    }

    async fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        next_token: Option<String>,
    ) -> Result<MetricDataPage> {
        self.stats.record_metrics(queries.len() as u64);
        limited!(
            self,
            "cloudwatch:GetMetricData",
            self.inner.get_metric_data(queries, start, end, next_token)
        )
    }

    async fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> Result<EventsPage> {
        limited!(
            self,
            "logs:FilterLogEvents",
            self.inner
                .filter_log_events(log_group, start_ms, end_ms, next_token)
        )
    }
}
