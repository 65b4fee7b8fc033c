//! Benchmark (not a test): an organization of 200 accounts x 4 regions x 50 log groups (10% of
//! them forwarded) behind the fake endpoint enforcing AWS's default quotas with 50 ms of latency
//! per call, sampled two ways in the same run:
//!
//! * through a CloudWatch cross-account observability monitoring account: one set of
//!   credentials, every account linked to its sink, every call in the monitoring account's
//!   quotas;
//! * through assumed roles: AssumeRole per account from the base credentials, then each account
//!   in its own quotas.
//!
//! Prints wall time, calls per operation, throttled calls, the floor the quotas imply (the busiest
//! (account, region, operation) bucket's calls over its rate) and peak memory. Run with
//! `cargo bench --bench org_bench` (`-- --accounts N` for another size).

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use logplan::aws::sdk::{ConnectSettings, SdkAccount};
use logplan::collect::{Collected, Job, Mode, collect_shared};
use logplan::config::{AccountRole, AwsSettings};
use logplan::discover::DiscoverOptions;
use logplan::period::Period;
use logplan::progress::Reporter;
use logplan_fake::{
    FakeAws, FakeOptions, Faults, LOG_GROUPS, LogGroup, METRICS, Quotas, SubscriptionFilter,
};

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

const REGIONS: [&str; 4] = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];
const GROUPS: usize = 50;
const CONCURRENCY: usize = 64;

fn seed(fake: &FakeAws, ids: &[String], period: &Period) {
    let start = period.start_utc().timestamp();
    let recent = chrono::Utc::now().timestamp() - 86_400;
    let monitoring = fake.account_id();
    let pts: Vec<(i64, f64)> = (0..31).map(|d| (start + d * 86_400, 1_000.0)).collect();
    for id in ids {
        for region in REGIONS {
            fake.link_source(&monitoring, region, id, &[LOG_GROUPS, METRICS]);
            for g in 0..GROUPS {
                let name = format!("/org/app-{g:02}");
                fake.add_log_group_in(id, region, LogGroup::new(&name));
                let by_group = [("LogGroupName", name.as_str())];
                fake.put_metric_in(id, region, "AWS/Logs", "IncomingBytes", &by_group, &pts);
                if g % 10 == 0 {
                    let arn = format!("arn:aws:lambda:{region}:{id}:function:datadog-forwarder");
                    fake.add_subscription_filter_in(
                        id,
                        region,
                        &name,
                        SubscriptionFilter {
                            filter_name: "datadog".into(),
                            destination_arn: arn,
                            filter_pattern: String::new(),
                            role_arn: None,
                            distribution: "ByLogStream".into(),
                            creation_time_ms: 0,
                        },
                    );
                    let dims = [
                        ("LogGroupName", name.as_str()),
                        ("DestinationType", "Lambda"),
                        ("FilterName", "datadog"),
                    ];
                    let mut fwd = pts.clone();
                    fwd.push((recent, 1.0));
                    fake.put_metric_in(id, region, "AWS/Logs", "ForwardedBytes", &dims, &fwd);
                }
            }
        }
    }
}

/// Calls per action, throttles per action, and the floor: the busiest bucket's calls / rate.
fn report(fake: &FakeAws, job: &Job, what: &str, wall: f64, all: &Collected) {
    let limiter = job.limiter();
    let mut per_bucket: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let mut per_action: BTreeMap<String, (u64, u64)> = BTreeMap::new();
    for c in fake.calls() {
        *per_bucket
            .entry((c.account.clone(), c.region.clone(), c.action.clone()))
            .or_default() += 1;
        let e = per_action.entry(c.action.clone()).or_default();
        e.0 += 1;
        if c.fault.is_some() {
            e.1 += 1;
        }
    }
    let (floor, busiest) = per_bucket
        .iter()
        .map(|((a, r, op), n)| {
            (
                *n as f64 / limiter.rate(op, r),
                format!("{op} of {a} in {r}"),
            )
        })
        .fold((0.0, String::new()), |m, x| if x.0 > m.0 { x } else { m });
    let total: u64 = per_action.values().map(|v| v.0).sum();
    println!(
        "  {what}: {} groups of {} accounts, wall {wall:.1} s, {total} calls, floor {floor:.1} s \
         ({busiest}), wall/floor {:.2}; {} accounts failed",
        all.rows.len(),
        all.accounts.len(),
        wall / floor,
        all.failures.len()
    );
    for (a, (n, t)) in per_action {
        println!("    {a:<36} {n:>7} calls, {t} throttled");
    }
}

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
        let ids: Vec<String> = (0..accounts)
            .map(|i| format!("{:012}", 100_000_000_000u64 + i as u64))
            .collect();
        seed(&fake, &ids, &period);
        fake.set_faults(Faults {
            latency: Duration::from_millis(50),
            ..Faults::default()
        });
        // SAFETY: set before any SDK client reads the environment; the benchmark is the only user.
        unsafe {
            std::env::set_var("AWS_ACCESS_KEY_ID", "bench");
            std::env::set_var("AWS_SECRET_ACCESS_KEY", "bench");
            std::env::set_var("AWS_EC2_METADATA_DISABLED", "true");
        }
        let mut settings = ConnectSettings::new(None, &AwsSettings::default(), Some(6));
        settings.endpoint_url = Some(fake.url());
        let base = SdkAccount::connect(&settings, Some(REGIONS[0]))
            .await
            .expect("connect");
        let job = Job {
            regions: REGIONS.iter().map(|r| r.to_string()).collect(),
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
        println!(
            "{accounts} accounts x {} regions x {GROUPS} groups, 10% forwarded; AWS's default \
             quotas enforced, 50 ms latency, concurrency {CONCURRENCY}",
            REGIONS.len()
        );

        // Through the monitoring account.
        fake.set_quotas(Some(Quotas::aws_defaults()));
        fake.clear_calls();
        let t = Instant::now();
        let all = collect_shared(
            &base,
            &job,
            &Reporter::silent(),
            job.limiter(),
            "self",
            &Mode::Monitoring { accounts: vec![] },
        )
        .await
        .expect("monitoring");
        let wall = t.elapsed().as_secs_f64();
        assert_eq!(all.rows.len(), accounts * REGIONS.len() * GROUPS);
        report(&fake, &job, "monitoring account", wall, &all);

        // Through assumed roles.
        fake.set_quotas(Some(Quotas::aws_defaults()));
        fake.clear_calls();
        let limiter = job.limiter();
        let base_stats = logplan::aws::ApiStats::default();
        let t = Instant::now();
        let runs = ids.iter().map(|id| {
            let role = AccountRole {
                role_arn: Some(format!("arn:aws:iam::{id}:role/logplan-read")),
                ..AccountRole::default()
            }
            .to_assume()
            .expect("a role");
            let (base, job, limiter, base_stats) = (&base, &job, limiter.clone(), &base_stats);
            async move {
                let account = limiter
                    .bounded(
                        "base",
                        REGIONS[0],
                        "sts:AssumeRole",
                        base_stats,
                        base.assume(&role),
                    )
                    .await??;
                collect_shared(&account, job, &Reporter::silent(), limiter, id, &Mode::Own).await
            }
        });
        let results = futures::future::join_all(runs).await;
        let wall = t.elapsed().as_secs_f64();
        let mut all = Collected::default();
        for r in results {
            all.absorb(r.expect("account"));
        }
        report(&fake, &job, "assumed roles", wall, &all);
        println!(
            "  peak RSS {:.0} MiB (process, fake included)",
            peak_rss_mib()
        );
    });
}
