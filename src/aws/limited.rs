//! limited: every AWS call of a run goes through one [`Limiter`]. For each call it
//!
//! 1. waits for its operation's rate (per account, region and IAM action: AWS's default quotas
//!    from [`super::quotas`] unless `[aws.rate_limits]` says otherwise) *before* taking a slot, so
//!    a call waiting for its rate never holds back a call of another operation;
//! 2. takes one of the run's `--concurrency` slots and makes the call, counting it by action;
//! 3. answers throttling by slowing that operation down (the rate drops to 70% and climbs back 1%
//!    per success: a client told a higher rate than the account allows settles just under it),
//!    and retries throttled and transient failures (5xx, timeouts, dropped connections) with
//!    full-jitter exponential backoff, each retry paced like a first attempt.
//!
//! The SDK's own retries are off for the clients that go through here (see `aws::sdk`): the SDK
//! keeps its retry token bucket and adaptive rate limiter in a process-wide map keyed by
//! `<service>-<region>`, so every account of an organization run would share (and drain) one
//! another's. Here each (account, region, action) has its own bucket.

use std::collections::{BTreeMap, HashMap};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::time::Instant;

use super::*;
use crate::error::Error;

/// Retry behaviour for the calls of a run.
#[derive(Clone, Debug)]
pub struct RetrySettings {
    /// Attempts per call, the first included.
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub max_backoff: Duration,
}

impl Default for RetrySettings {
    fn default() -> Self {
        RetrySettings {
            max_attempts: 6,
            initial_backoff: Duration::from_millis(500),
            max_backoff: Duration::from_secs(20),
        }
    }
}

/// How a failed call may go on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Failure {
    /// The service said slow down.
    Throttled,
    /// A 5xx, a timeout, a dropped connection: worth another try.
    Transient,
    /// Anything else: the caller's answer.
    Final,
}

/// Error codes AWS services use for throttling (the SDK's own list, plus Cost Explorer's
/// `LimitExceededException` and S3's `SlowDown`).
pub const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "ProvisionedThroughputExceededException",
    "TransactionInProgressException",
    "RequestLimitExceeded",
    "BandwidthLimitExceeded",
    "LimitExceededException",
    "RequestThrottled",
    "SlowDown",
    "PriorRequestNotComplete",
    "EC2ThrottledException",
];

/// What kind of failure `e` is. `aws::sdk` maps 5xx answers and connection failures to
/// [`Error::Unreachable`], throttling to [`Error::Aws`] with one of [`THROTTLING_CODES`].
pub fn classify(e: &Error) -> Failure {
    match e {
        Error::Aws { code, .. } if THROTTLING_CODES.contains(&code.as_str()) => Failure::Throttled,
        Error::Unreachable { .. } => Failure::Transient,
        _ => Failure::Final,
    }
}

/// The run-wide bound: concurrency slots, per-operation rates, retries.
pub struct Limiter {
    permits: Arc<Semaphore>,
    overrides: BTreeMap<String, f64>,
    retry: RetrySettings,
    buckets: Mutex<HashMap<BucketKey, Arc<Bucket>>>,
}

/// (account, region, IAM action).
type BucketKey = (String, String, &'static str);

impl Limiter {
    /// `concurrency` requests in flight at most; `overrides` replace the default rates by action.
    pub fn new(
        concurrency: usize,
        overrides: BTreeMap<String, f64>,
        retry: RetrySettings,
    ) -> Arc<Limiter> {
        Arc::new(Limiter {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            overrides,
            retry,
            buckets: Mutex::default(),
        })
    }

    /// The rate in force for `action` in `region`, requests per second.
    pub fn rate(&self, action: &str, region: &str) -> f64 {
        self.overrides
            .get(action)
            .copied()
            .unwrap_or_else(|| quotas::default_rate(action, region))
    }

    fn bucket(&self, account: &str, region: &str, action: &'static str) -> Arc<Bucket> {
        let mut buckets = self.buckets.lock().expect("limiter lock");
        buckets
            .entry((account.to_string(), region.to_string(), action))
            .or_insert_with(|| Arc::new(Bucket::new(self.rate(action, region))))
            .clone()
    }

    /// Make one call of `action` for `account` in `region`: paced, bounded, counted in `stats`,
    /// retried on throttling and transient failures. `call` is invoked once per attempt.
    pub async fn run<T, F, Fut>(
        &self,
        account: &str,
        region: &str,
        action: &'static str,
        stats: &ApiStats,
        call: F,
    ) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        let bucket = self.bucket(account, region, action);
        let mut attempt = 1u32;
        loop {
            let permit = self.turn(&bucket).await?;
            stats.record(action);
            let result = call().await;
            drop(permit);
            let err = match result {
                Ok(v) => {
                    bucket.succeeded();
                    return Ok(v);
                }
                Err(e) => e,
            };
            match classify(&err) {
                Failure::Final => return Err(err),
                Failure::Throttled => {
                    stats.record_throttle(action);
                    bucket.throttled();
                }
                Failure::Transient => {}
            }
            if attempt >= self.retry.max_attempts {
                return Err(err);
            }
            tokio::time::sleep(self.backoff(attempt)).await;
            attempt += 1;
        }
    }

    /// Full jitter: uniform in [0, min(max, initial x 2^(attempt-1))).
    fn backoff(&self, attempt: u32) -> Duration {
        let cap = self
            .retry
            .initial_backoff
            .saturating_mul(1u32 << (attempt - 1).min(20))
            .min(self.retry.max_backoff);
        cap.mul_f64(fastrand::f64())
    }

    /// Hold a slot while `fut` runs (calls made outside [`Limiter::run`], e.g. the SDK's
    /// AssumeRole credentials provider, which retries on its own): paced and bounded, not retried.
    pub async fn bounded<T>(
        &self,
        account: &str,
        region: &str,
        action: &'static str,
        stats: &ApiStats,
        fut: impl Future<Output = T>,
    ) -> Result<T> {
        let bucket = self.bucket(account, region, action);
        let _permit = self.turn(&bucket).await?;
        stats.record(action);
        Ok(fut.await)
    }

    /// Wait for the operation's turn, then for a slot. The head of the operation's queue holds
    /// the queue until it has its slot, so the spacing is measured from real starts even when
    /// every slot is busy; other operations' queues are not affected.
    async fn turn(&self, bucket: &Bucket) -> Result<tokio::sync::SemaphorePermit<'_>> {
        let mut next = bucket.next.lock().await;
        let (rate, hold) = *bucket.state.lock().expect("bucket lock");
        tokio::time::sleep_until((*next).max(hold)).await;
        let permit = self
            .permits
            .acquire()
            .await
            .map_err(|_| Error::Internal("request limiter closed".into()))?;
        *next = Instant::now() + Duration::from_secs_f64(1.0 / rate);
        Ok(permit)
    }
}

/// One operation's pace in one account and region: the next start time, and an adaptive rate
/// between `ceiling / 16` and `ceiling`.
struct Bucket {
    ceiling: f64,
    /// Serializes the waiters (tokio's mutex is fair: first come, first served; the head sleeps
    /// holding it, so a rate change applies to the very next call) and holds the earliest start
    /// of the next call.
    next: tokio::sync::Mutex<Instant>,
    /// The current rate, and no start before this instant (set by a throttle).
    state: Mutex<(f64, Instant)>,
}

impl Bucket {
    fn new(ceiling: f64) -> Bucket {
        let now = Instant::now();
        Bucket {
            ceiling,
            next: tokio::sync::Mutex::new(now),
            state: Mutex::new((ceiling, now)),
        }
    }

    fn throttled(&self) {
        let mut s = self.state.lock().expect("bucket lock");
        s.0 = (s.0 * 0.7).max(self.ceiling / 16.0);
        s.1 = Instant::now() + Duration::from_secs_f64(1.0 / s.0);
    }

    fn succeeded(&self) {
        let mut s = self.state.lock().expect("bucket lock");
        if s.0 < self.ceiling {
            s.0 = (s.0 * 1.01).min(self.ceiling);
        }
    }
}

/// A [`RegionApi`] whose every call goes through a [`Limiter`], on behalf of one account (the
/// caller's: in a monitoring account, the monitoring account) in one region.
#[derive(Clone)]
pub struct Limited<R> {
    inner: R,
    limiter: Arc<Limiter>,
    stats: Arc<ApiStats>,
    account: String,
    region: String,
}

impl<R: RegionApi + Clone> Limited<R> {
    pub fn new(
        inner: R,
        limiter: Arc<Limiter>,
        stats: Arc<ApiStats>,
        account: &str,
        region: &str,
    ) -> Self {
        Limited {
            inner,
            limiter,
            stats,
            account: account.to_string(),
            region: region.to_string(),
        }
    }

    pub fn stats(&self) -> &ApiStats {
        &self.stats
    }

    async fn run<T, F, Fut>(&self, action: &'static str, call: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<T>>,
    {
        self.limiter
            .run(&self.account, &self.region, action, &self.stats, call)
            .await
    }
}

impl<R: RegionApi + Clone> RegionApi for Limited<R> {
    async fn describe_log_groups(
        &self,
        listing: GroupListing,
        next_token: Option<String>,
    ) -> Result<LogGroupPage> {
        self.run("logs:DescribeLogGroups", || {
            self.inner
                .describe_log_groups(listing.clone(), next_token.clone())
        })
        .await
    }

    async fn describe_subscription_filters(
        &self,
        log_group: String,
        next_token: Option<String>,
    ) -> Result<(Vec<SubscriptionFilterInfo>, Option<String>)> {
        self.run("logs:DescribeSubscriptionFilters", || {
            self.inner
                .describe_subscription_filters(log_group.clone(), next_token.clone())
        })
        .await
    }

    async fn list_metrics(
        &self,
        namespace: String,
        metric_name: String,
        include_linked: bool,
        next_token: Option<String>,
    ) -> Result<MetricsPage> {
        self.run("cloudwatch:ListMetrics", || {
            self.inner.list_metrics(
                namespace.clone(),
                metric_name.clone(),
                include_linked,
                next_token.clone(),
            )
        })
        .await
    }

    async fn describe_subscription_policies(
        &self,
        account: Option<String>,
        next_token: Option<String>,
    ) -> Result<(Vec<AccountPolicy>, Option<String>)> {
        self.run("logs:DescribeAccountPolicies", || {
            self.inner
                .describe_subscription_policies(account.clone(), next_token.clone())
        })
        .await
    }

    async fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        next_token: Option<String>,
    ) -> Result<MetricDataPage> {
        let n = queries.len() as u64;
        self.run("cloudwatch:GetMetricData", || {
            // Billed per metric requested, retries included.
            self.stats.record_metrics(n);
            self.inner
                .get_metric_data(queries.clone(), start, end, next_token.clone())
        })
        .await
    }

    async fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> Result<EventsPage> {
        self.run("logs:FilterLogEvents", || {
            self.inner
                .filter_log_events(log_group.clone(), start_ms, end_ms, next_token.clone())
        })
        .await
    }

    async fn describe_deliveries(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryInfo>, Option<String>)> {
        self.run("logs:DescribeDeliveries", || {
            self.inner.describe_deliveries(next_token.clone())
        })
        .await
    }

    async fn describe_delivery_sources(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliverySourceInfo>, Option<String>)> {
        self.run("logs:DescribeDeliverySources", || {
            self.inner.describe_delivery_sources(next_token.clone())
        })
        .await
    }

    async fn describe_delivery_destinations(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryDestinationInfo>, Option<String>)> {
        self.run("logs:DescribeDeliveryDestinations", || {
            self.inner
                .describe_delivery_destinations(next_token.clone())
        })
        .await
    }

    async fn firehose_http_endpoints(&self, stream_name: String) -> Result<Vec<String>> {
        self.run("firehose:DescribeDeliveryStream", || {
            self.inner.firehose_http_endpoints(stream_name.clone())
        })
        .await
    }

    async fn list_sinks(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>)> {
        self.run("oam:ListSinks", || {
            self.inner.list_sinks(next_token.clone())
        })
        .await
    }

    async fn list_attached_links(
        &self,
        sink_arn: String,
        next_token: Option<String>,
    ) -> Result<(Vec<AttachedLink>, Option<String>)> {
        self.run("oam:ListAttachedLinks", || {
            self.inner
                .list_attached_links(sink_arn.clone(), next_token.clone())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::demo::DemoAccount;

    fn limiter(concurrency: usize, limits: &[(&str, f64)]) -> Arc<Limiter> {
        let overrides = limits.iter().map(|(a, r)| (a.to_string(), *r)).collect();
        let retry = RetrySettings {
            max_attempts: 4,
            initial_backoff: Duration::from_millis(10),
            max_backoff: Duration::from_secs(1),
        };
        Limiter::new(concurrency, overrides, retry)
    }

    /// With time paused, sleeps advance a virtual clock: the spacing is exact and instant.
    #[tokio::test(start_paused = true)]
    async fn rate_limits_space_one_actions_calls() {
        let region = DemoAccount::new().region("us-east-1");
        let lim = limiter(8, &[("logs:DescribeSubscriptionFilters", 4.0)]);
        let api = Limited::new(region, lim, Arc::default(), "1", "us-east-1");
        let start = Instant::now();
        let calls =
            (0..9).map(|_| api.describe_subscription_filters("/var/log/secure".into(), None));
        futures::future::try_join_all(calls).await.unwrap();
        // 9 calls at 4 per second: the last starts 8 x 250 ms after the first.
        assert_eq!(start.elapsed(), Duration::from_secs(2));
        // Other actions are not held back (DescribeLogGroups: 10/s by default, 5 calls = 400 ms).
        let start = Instant::now();
        for _ in 0..5 {
            api.describe_log_groups(GroupListing::default(), None)
                .await
                .unwrap();
        }
        assert_eq!(start.elapsed(), Duration::from_millis(400));
        assert_eq!(api.stats().count("logs:DescribeSubscriptionFilters"), 9);
    }

    /// A call waiting for its rate does not hold a concurrency slot: with one slot, a paced
    /// operation's queue does not delay another operation's call.
    #[tokio::test(start_paused = true)]
    async fn waiting_for_the_rate_holds_no_slot() {
        let region = DemoAccount::new().region("us-east-1");
        let lim = limiter(1, &[("logs:DescribeSubscriptionFilters", 1.0)]);
        let api = Limited::new(region, lim, Arc::default(), "1", "us-east-1");
        let start = Instant::now();
        let slow = futures::future::join_all(
            (0..5).map(|_| api.describe_subscription_filters("/var/log/secure".into(), None)),
        );
        let fast = async {
            api.describe_log_groups(GroupListing::default(), None)
                .await
                .unwrap();
            start.elapsed()
        };
        let (_, fast_done) = futures::join!(slow, fast);
        assert_eq!(
            fast_done,
            Duration::ZERO,
            "not queued behind 4 s of paced calls"
        );
        assert_eq!(start.elapsed(), Duration::from_secs(4));
    }

    /// Throttling slows the operation down and is retried; other failures are not retried.
    #[tokio::test(start_paused = true)]
    async fn throttling_slows_the_operation_and_is_retried() {
        let lim = limiter(4, &[("logs:DescribeLogGroups", 10.0)]);
        let stats = ApiStats::default();
        let attempts = std::sync::atomic::AtomicU32::new(0);
        let throttle_twice = || {
            let n = attempts.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            async move {
                if n < 2 {
                    Err(Error::Aws {
                        operation: "logs:DescribeLogGroups".into(),
                        region: None,
                        code: "ThrottlingException".into(),
                        message: "Rate exceeded".into(),
                    })
                } else {
                    Ok(n)
                }
            }
        };
        let got = lim
            .run("1", "r", "logs:DescribeLogGroups", &stats, throttle_twice)
            .await
            .unwrap();
        assert_eq!(got, 2);
        assert_eq!(stats.count("logs:DescribeLogGroups"), 3);
        assert_eq!(stats.throttled()["logs:DescribeLogGroups"], 2);
        // Two throttles: 10/s x 0.7 x 0.7 = 4.9/s, then one success x 1.01.
        let rate = lim
            .bucket("1", "r", "logs:DescribeLogGroups")
            .state
            .lock()
            .unwrap()
            .0;
        assert!((rate - 4.9 * 1.01).abs() < 1e-9, "{rate}");
        // Other accounts and regions keep their own pace.
        let other = lim
            .bucket("2", "r", "logs:DescribeLogGroups")
            .state
            .lock()
            .unwrap()
            .0;
        assert_eq!(other, 10.0);

        let denied = || async {
            Err::<(), _>(Error::AccessDenied {
                action: "logs:DescribeLogGroups".into(),
                region: None,
            })
        };
        let stats = ApiStats::default();
        assert!(
            lim.run("1", "r", "logs:DescribeLogGroups", &stats, denied)
                .await
                .is_err()
        );
        assert_eq!(stats.count("logs:DescribeLogGroups"), 1, "not retried");

        let down = || async {
            Err::<(), _>(Error::Unreachable {
                operation: "logs:DescribeLogGroups".into(),
                region: None,
                message: "HTTP 503".into(),
            })
        };
        let stats = ApiStats::default();
        assert!(
            lim.run("1", "r", "logs:DescribeLogGroups", &stats, down)
                .await
                .is_err()
        );
        assert_eq!(stats.count("logs:DescribeLogGroups"), 4, "max_attempts");
    }
}
