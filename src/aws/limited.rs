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
    pacers: Arc<std::collections::HashMap<String, Pacer>>,
}

/// Spaces the starts of one action's calls at least `interval` apart (a per-service rate limit
/// for one account and region).
struct Pacer {
    interval: std::time::Duration,
    next: tokio::sync::Mutex<tokio::time::Instant>,
}

impl Pacer {
    async fn wait(&self) {
        let mut next = self.next.lock().await;
        let now = tokio::time::Instant::now();
        let start = (*next).max(now);
        *next = start + self.interval;
        drop(next);
        tokio::time::sleep_until(start).await;
    }
}

impl<R: RegionApi + Clone> Limited<R> {
    pub fn new(inner: R, permits: Arc<Semaphore>, stats: Arc<ApiStats>) -> Self {
        Limited {
            inner,
            permits,
            stats,
            pacers: Arc::default(),
        }
    }

    /// Rate limits (requests per second by IAM action) for this account and region.
    pub fn with_rate_limits(mut self, limits: &std::collections::BTreeMap<String, f64>) -> Self {
        let now = tokio::time::Instant::now();
        self.pacers = Arc::new(
            limits
                .iter()
                .filter(|(_, tps)| **tps > 0.0)
                .map(|(action, tps)| {
                    let pacer = Pacer {
                        interval: std::time::Duration::from_secs_f64(1.0 / tps),
                        next: tokio::sync::Mutex::new(now),
                    };
                    (action.clone(), pacer)
                })
                .collect(),
        );
        self
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
        if let Some(p) = $self.pacers.get($action) {
            p.wait().await;
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoAccount;

    /// With time paused, sleeps advance a virtual clock: the spacing is exact and instant.
    #[tokio::test(start_paused = true)]
    async fn rate_limits_space_one_actions_calls() {
        let region = DemoAccount::new().region("us-east-1");
        let limits = [("logs:DescribeSubscriptionFilters".to_string(), 4.0)]
            .into_iter()
            .collect();
        let api = Limited::new(region, Arc::new(Semaphore::new(8)), Arc::default())
            .with_rate_limits(&limits);
        let start = tokio::time::Instant::now();
        let calls =
            (0..9).map(|_| api.describe_subscription_filters("/var/log/secure".into(), None));
        futures::future::try_join_all(calls).await.unwrap();
        // 9 calls at 4 per second: the last starts 8 x 250 ms after the first.
        assert_eq!(start.elapsed(), std::time::Duration::from_secs(2));
        // Other actions are not held back.
        let start = tokio::time::Instant::now();
        for _ in 0..5 {
            api.describe_log_groups(None, None).await.unwrap();
        }
        assert_eq!(start.elapsed(), std::time::Duration::ZERO);
        assert_eq!(api.stats().count("logs:DescribeSubscriptionFilters"), 9);
    }
}
