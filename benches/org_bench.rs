//! Benchmark (not a test): an organization of 200 accounts x 4 regions x 50 log groups behind
//! the fake endpoint with 50 ms of latency per call, each account through an assumed role, all
//! under one request bound. Prints wall time, calls and peak memory.
//! Run with `cargo bench --bench org_bench` (`-- --accounts N` for another size).

use std::sync::Arc;
use std::time::{Duration, Instant};

use logplan::aws::sdk::{ConnectSettings, SdkAccount};
use logplan::collect::{Collected, Job, collect_shared};
use logplan::config::{AccountRole, AwsSettings};
use logplan::discover::DiscoverOptions;
use logplan::period::Period;
use logplan::progress::Reporter;
use logplan_fake::{FakeAws, FakeOptions, Faults, LogGroup};

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];
const GROUPS: usize = 50;
const CONCURRENCY: usize = 64;

fn main() {
    let accounts: usize = std::env::args()
        .skip_while(|a| a != "--accounts")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(200);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    rt.block_on(async {
        let fake = FakeAws::start(FakeOptions::default()).await;
        let period = Period::month(2026, 10).expect("month");
        let start = period.start_utc().timestamp();
        let ids: Vec<String> = (0..accounts).map(|i| format!("{:012}", 100_000_000_000u64 + i as u64)).collect();
        for id in &ids {
            for region in REGIONS {
                for g in 0..GROUPS {
                    let name = format!("/org/app-{g:02}");
                    fake.add_log_group_in(id, region, LogGroup::new(&name));
                    let pts: Vec<(i64, f64)> = (0..31).map(|d| (start + d * 86_400, 1_000.0)).collect();
                    fake.put_metric_in(id, region, "AWS/Logs", "IncomingBytes", &[("LogGroupName", &name)], &pts);
                }
            }
        }
        fake.set_faults(Faults { latency: Duration::from_millis(50), ..Faults::default() });
        fake.clear_calls();
        // SAFETY: set before any SDK client reads the environment; the benchmark is the only user.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        }
        let mut settings = ConnectSettings::new(None, &AwsSettings::default(), Some(3));
        settings.endpoint_url = Some(fake.url());
        let base = SdkAccount::connect(&settings, Some("us-east-1")).await.expect("connect");
        let job = Job {
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
            period,
            discover: DiscoverOptions { concurrency: CONCURRENCY, ..DiscoverOptions::default() },
            sample_events: None,
            concurrency: CONCURRENCY,
            rate_limits: Default::default(),
            retry: settings.retry_settings(),
        };
        let permits = job.limiter();
        let t = Instant::now();
        let runs = ids.iter().map(|id| {
            let role = AccountRole { role_arn: Some(format!("arn:aws:iam::{id}:role/logplan-read")), ..AccountRole::default() };
            let (base, job, permits) = (&base, &job, permits.clone());
            async move {
                let account = base.assume(&role).await?;
                collect_shared(&account, job, &Reporter::silent(), permits, "base", &logplan::collect::Mode::Own).await
            }
        });
        let results = futures::future::join_all(runs).await;
        let wall = t.elapsed();
        let mut all = Collected::default();
        for r in results {
            all.absorb(r.expect("account"));
        }
        let calls = fake.calls().len();
        println!(
            "{accounts} accounts x {} regions x {GROUPS} groups = {} groups: wall {:.1} s at concurrency {CONCURRENCY} \
             (latency bound {:.1} s); {calls} calls ({} GetMetricData); peak RSS {:.0} MiB (process, fake included)",
            REGIONS.len(),
            all.rows.len(),
            wall.as_secs_f64(),
            calls as f64 * 0.05 / CONCURRENCY as f64,
            all.stats.count("cloudwatch:GetMetricData"),
            peak_rss_mib()
        );
    });
}
