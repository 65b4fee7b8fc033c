//! Benchmark (not a test): one account and region, N log groups (default 10,000), 10% of them
//! forwarded by a subscription filter, behind the fake endpoint enforcing AWS's default quotas
//! (token buckets per account, region and operation; `logplan_fake::quotas`) with 50 ms of
//! latency per call, through the real SDK. In the same run, the same account is sampled two ways:
//!
//! * logplan: DescribeLogGroups, ListMetrics of `ForwardedBytes`, DescribeAccountPolicies,
//!   DescribeSubscriptionFilters for the forwarded groups only, GetMetricData packed 500 queries a
//!   call;
//! * the peers' way: DescribeLogGroups, then one GetMetricStatistics per group and metric
//!   (IncomingBytes, IncomingLogEvents), as DuckbillGroup's CloudWatchCashBack and Infracost's
//!   usage fetch do, paced by the same limiter (their best case: no throttling). They learn
//!   nothing about forwarding; asking every group's filters, as logplan used to, would add N
//!   DescribeSubscriptionFilters at 5 a second.
//!
//! For each: calls per operation, throttled calls, wall time, and the floor the quotas imply (the
//! slowest operation's calls / its rate). Run with `cargo bench --bench sample_bench`
//! (`-- --groups N` for another size, `-- --quick` for 1,000).

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use logplan::aws::limited::{Limited, Limiter};
use logplan::aws::sdk::{ConnectSettings, SdkAccount, load_checked, map_err};
use logplan::aws::{AccountApi, ApiStats, GroupListing, RegionApi};
use logplan::collect::{Job, collect_shared};
use logplan::config::AwsSettings;
use logplan::discover::DiscoverOptions;
use logplan::period::Period;
use logplan::progress::Reporter;
use logplan_fake::{FakeAws, FakeOptions, Faults, LogGroup, Quotas, SubscriptionFilter};

const LATENCY: Duration = Duration::from_millis(50);
const REGION: &str = "us-east-1";
const CONCURRENCY: usize = 64;
const FORWARDER: &str = "arn:aws:lambda:us-east-1:123456789012:function:DatadogForwarder-bench";

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

fn seed(fake: &FakeAws, groups: usize, period: &Period) -> usize {
    let start = period.start_utc().timestamp();
    let recent = chrono::Utc::now().timestamp() - 86_400;
    let mut forwarded = 0;
    for i in 0..groups {
        let name = format!("/bench/group-{i:05}");
        fake.add_log_group(
            REGION,
            LogGroup {
                name: name.clone(),
                class: "STANDARD".into(),
                retention_days: Some(30),
                stored_bytes: 1 << 30,
                creation_time_ms: 1_700_000_000_000,
            },
        );
        let points: Vec<(i64, f64)> = (0..31)
            .map(|d| (start + d * 86_400 + 3_600, (1_000 + i) as f64))
            .collect();
        let by_group = [("LogGroupName", name.as_str())];
        fake.put_metric(REGION, "AWS/Logs", "IncomingBytes", &by_group, &points);
        fake.put_metric(REGION, "AWS/Logs", "IncomingLogEvents", &by_group, &points);
        if i % 10 == 0 {
            forwarded += 1;
            fake.add_subscription_filter(
                REGION,
                &name,
                SubscriptionFilter {
                    filter_name: "datadog".into(),
                    destination_arn: FORWARDER.into(),
                    filter_pattern: String::new(),
                    role_arn: None,
                    distribution: "ByLogStream".into(),
                    creation_time_ms: 1_700_000_000_000,
                },
            );
            let dims = [
                ("LogGroupName", name.as_str()),
                ("DestinationType", "Lambda"),
                ("FilterName", "datadog"),
            ];
            let mut fwd = points.clone();
            fwd.push((recent, 1.0));
            fake.put_metric(REGION, "AWS/Logs", "ForwardedBytes", &dims, &fwd);
            fake.put_metric(REGION, "AWS/Logs", "ForwardedLogEvents", &dims, &fwd);
        }
    }
    forwarded
}

/// The slowest operation's calls over its rate: no run under these quotas can be faster.
fn floor(calls: &BTreeMap<&'static str, u64>, limiter: &Limiter) -> (f64, &'static str) {
    calls
        .iter()
        .map(|(a, n)| (*n as f64 / limiter.rate(a, REGION), *a))
        .fold((0.0, ""), |m, x| if x.0 > m.0 { x } else { m })
}

fn print_calls(calls: &BTreeMap<&'static str, u64>, throttled: &BTreeMap<&'static str, u64>) {
    for (a, n) in calls {
        let t = throttled.get(a).copied().unwrap_or(0);
        println!("    {a:<36} {n:>7} calls, {t} throttled");
    }
}

/// The peers' way: DescribeLogGroups, then GetMetricStatistics per group and metric.
async fn peers(
    account: &SdkAccount,
    cw: &aws_sdk_cloudwatch::Client,
    account_id: &str,
    period: &Period,
    limiter: Arc<Limiter>,
) -> Arc<ApiStats> {
    let stats = Arc::new(ApiStats::default());
    let api = Limited::new(
        account.region(REGION),
        limiter.clone(),
        stats.clone(),
        account_id,
        REGION,
    );
    let mut names = Vec::new();
    let mut token = None;
    loop {
        let page = api
            .describe_log_groups(GroupListing::default(), token)
            .await
            .expect("DescribeLogGroups");
        names.extend(page.groups.into_iter().map(|g| g.name));
        match page.next_token {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    let (start, end) = (period.start_utc().timestamp(), period.end_utc().timestamp());
    use futures::StreamExt;
    let calls = names.iter().flat_map(|n| {
        ["IncomingBytes", "IncomingLogEvents"].map(move |metric| (n.clone(), metric))
    });
    let sum: f64 = futures::stream::iter(calls)
        .map(|(name, metric)| {
            let (limiter, stats) = (limiter.clone(), stats.clone());
            async move {
                limiter
                    .run(
                        account_id,
                        REGION,
                        "cloudwatch:GetMetricStatistics",
                        &stats,
                        || {
                            let dim = aws_sdk_cloudwatch::types::Dimension::builder()
                                .name("LogGroupName")
                                .value(&name)
                                .build();
                            async move {
                                cw.get_metric_statistics()
                                    .namespace("AWS/Logs")
                                    .metric_name(metric)
                                    .dimensions(dim)
                                    .start_time(aws_smithy_types::DateTime::from_secs(start))
                                    .end_time(aws_smithy_types::DateTime::from_secs(end))
                                    .period(86_400)
                                    .statistics(aws_sdk_cloudwatch::types::Statistic::Sum)
                                    .send()
                                    .await
                                    .map_err(|e| map_err("cloudwatch:GetMetricStatistics", e))
                            }
                        },
                    )
                    .await
                    .expect("GetMetricStatistics")
                    .datapoints()
                    .iter()
                    .filter_map(|d| d.sum())
                    .sum::<f64>()
            }
        })
        .buffer_unordered(CONCURRENCY)
        .fold(0.0, |a, b| async move { a + b })
        .await;
    assert!(sum > 0.0);
    stats
}

async fn run(groups: usize) {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let period = Period::month(2026, 10).expect("month");
    let forwarded = seed(&fake, groups, &period);
    fake.set_faults(Faults {
        latency: LATENCY,
        ..Faults::default()
    });
    fake.set_quotas(Some(Quotas::aws_defaults()));
    fake.clear_calls();

    let mut settings = ConnectSettings::new(None, &AwsSettings::default(), Some(6));
    settings.endpoint_url = Some(fake.url());
    // SAFETY: set before any SDK client reads the environment; the benchmark is the only user.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let account = SdkAccount::connect(&settings, Some(REGION))
        .await
        .expect("connect");
    let job = Job {
        regions: vec![REGION.into()],
        period,
        discover: DiscoverOptions {
            concurrency: CONCURRENCY,
            ..DiscoverOptions::default()
        },
        sample_events: None,
        concurrency: CONCURRENCY,
        rate_limits: Default::default(),
        retry: settings.retry_settings(),
    };
    let n = groups as u64;
    println!(
        "{groups} groups, {forwarded} forwarded, one account and region; AWS's default quotas \
         enforced, {} ms latency, concurrency {CONCURRENCY}",
        LATENCY.as_millis()
    );

    // logplan.
    let limiter = job.limiter();
    let t = Instant::now();
    let out = collect_shared(
        &account,
        &job,
        &Reporter::silent(),
        limiter.clone(),
        "self",
        &logplan::collect::Mode::Own,
    )
    .await
    .expect("collect");
    let wall = t.elapsed().as_secs_f64();
    assert_eq!(out.rows.len(), groups);
    assert_eq!(out.filters.len(), forwarded);
    let calls = out.stats.calls();
    let total = out.stats.total_calls();
    let (fl, slowest) = floor(&calls, &limiter);
    let goal = n / 50 + (4 * n).div_ceil(500) + forwarded as u64 + 10;
    let failed = fake.calls().iter().filter(|c| c.status != 200).count();
    println!(
        "  logplan: {total} calls (goal <= N/50 + ceil(4N/500) + F + 10 = {goal}), wall {wall:.1} s, \
         floor {fl:.1} s ({slowest}), wall/floor {:.2} (goal <= 1.2), {failed} failed requests",
        wall / fl
    );
    print_calls(&calls, &out.stats.throttled());

    // The peers' way, same account, same quotas, fresh buckets.
    let base = load_checked(&settings, Some(REGION)).await.expect("config");
    let cw = aws_sdk_cloudwatch::Client::from_conf(
        aws_sdk_cloudwatch::config::Builder::from(&base)
            .region(aws_types::region::Region::new(REGION))
            .retry_config(aws_config::retry::RetryConfig::disabled())
            .build(),
    );
    fake.set_quotas(Some(Quotas::aws_defaults()));
    let limiter2 = job.limiter();
    let t = Instant::now();
    let pstats = peers(&account, &cw, &out.account_id, &period, limiter2.clone()).await;
    let pwall = t.elapsed().as_secs_f64();
    let pcalls = pstats.calls();
    let ptotal = pstats.total_calls();
    let (pfl, pslowest) = floor(&pcalls, &limiter2);
    println!(
        "  peers (GetMetricStatistics per group and metric): {ptotal} calls, wall {pwall:.1} s, \
         floor {pfl:.1} s ({pslowest}); no forwarding found"
    );
    print_calls(&pcalls, &pstats.throttled());
    // logplan before: every group's filters asked (N DescribeSubscriptionFilters at 5/s).
    let old_calls = n / 50 + n + (2 * n + 2 * forwarded as u64).div_ceil(500) + 1;
    println!(
        "  ratio: peers/logplan calls {:.1}x, wall {:.2}x; logplan before this change: {old_calls} \
         calls, floor {:.0} s (N DescribeSubscriptionFilters / 5 per second)",
        ptotal as f64 / total as f64,
        pwall / wall,
        n as f64 / 5.0
    );
    println!(
        "  peak RSS {:.0} MiB (process, fake included)",
        peak_rss_mib()
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let groups = if args.iter().any(|a| a == "--quick") {
        1_000
    } else {
        args.iter()
            .skip_while(|a| *a != "--groups")
            .nth(1)
            .and_then(|v| v.parse().ok())
            .unwrap_or(10_000)
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(run(groups));
}
