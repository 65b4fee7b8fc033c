//! Benchmark (not a test): sample 1,000 and 10,000 log groups from the fake endpoint with 50 ms
//! of latency per call, through the real SDK, and print calls made vs the minimum, wall time vs
//! the latency bound, and peak memory. Run with `cargo bench --bench sample_bench`
//! (`-- --quick` for 1,000 groups only).

use std::sync::Arc;
use std::time::{Duration, Instant};

use logplan::aws::sdk::{ConnectSettings, SdkAccount};
use logplan::collect::{Job, collect};
use logplan::config::AwsSettings;
use logplan::discover::DiscoverOptions;
use logplan::period::Period;
use logplan::progress::Reporter;
use logplan_fake::{FakeAws, FakeOptions, Faults, LogGroup};

const LATENCY: Duration = Duration::from_millis(50);

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

async fn run(groups: usize, concurrency: usize) {
    let fake = FakeAws::start(FakeOptions::default()).await;
    let period = Period::month(2026, 10).expect("month");
    let start = period.start_utc().timestamp();
    for i in 0..groups {
        let name = format!("/bench/group-{i:05}");
        fake.add_log_group(
            "us-east-1",
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
        fake.put_metric(
            "us-east-1",
            "AWS/Logs",
            "IncomingBytes",
            &[("LogGroupName", &name)],
            &points,
        );
        fake.put_metric(
            "us-east-1",
            "AWS/Logs",
            "IncomingLogEvents",
            &[("LogGroupName", &name)],
            &points,
        );
    }
    fake.set_faults(Faults {
        latency: LATENCY,
        ..Faults::default()
    });
    fake.clear_calls();

    let mut settings = ConnectSettings::new(None, &AwsSettings::default(), Some(3));
    settings.endpoint_url = Some(fake.url());
    // SAFETY: set before any SDK client reads the environment; the benchmark is the only user.
    unsafe {
        std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
        std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
        std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
    }
    let account = SdkAccount::connect(&settings, Some("us-east-1"))
        .await
        .expect("connect");
    let job = Job {
        regions: vec!["us-east-1".into()],
        period,
        discover: DiscoverOptions {
            concurrency,
            ..DiscoverOptions::default()
        },
        sample_events: None,
        concurrency,
        rate_limits: Default::default(),
        retry: settings.retry_settings(),
    };
    let t = Instant::now();
    let out = collect(&account, &job, &Reporter::silent())
        .await
        .expect("collect");
    let wall = t.elapsed();
    assert_eq!(out.rows.len(), groups);
    let stats = Arc::clone(&out.stats);
    let gmd = stats.count("cloudwatch:GetMetricData");
    let pages = stats.count("logs:DescribeLogGroups");
    let filters = stats.count("logs:DescribeSubscriptionFilters");
    // Pages of DescribeLogGroups follow each other (each needs the last one's token) while the
    // rest runs `concurrency` at a time alongside: the floor is the longer of the two.
    let floor = LATENCY.as_secs_f64()
        * (pages as f64).max(((filters + gmd + pages) as f64 / concurrency as f64).ceil());
    let bound = LATENCY.as_secs_f64()
        * (pages as f64 + 1.0 + ((filters + gmd) as f64 / concurrency as f64).ceil());
    println!(
        "{groups:>6} groups, concurrency {concurrency:>3}: GetMetricData {gmd} calls (minimum {}), \
         {} calls in all ({pages} DescribeLogGroups pages, {filters} DescribeSubscriptionFilters); \
         wall {:.2} s (floor {:.2} s, pages-then-rest {:.2} s); peak RSS {:.0} MiB (process, fake included)",
        out.plan.min_calls,
        stats.total_calls(),
        wall.as_secs_f64(),
        floor,
        bound,
        peak_rss_mib()
    );
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        run(1_000, 8).await;
        run(1_000, 64).await;
        if !quick {
            run(10_000, 8).await;
            run(10_000, 64).await;
        }
    });
}
