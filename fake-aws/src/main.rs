//! `logplan-fake --port P --groups N --latency-ms L --seed S [--region R] [--upstream URL] [--quotas]`
//!
//! Starts the fake AWS endpoint with N synthetic log groups
//! (`/fake/group-00000`, …), each with daily `AWS/Logs` `IncomingBytes` and
//! `IncomingLogEvents` points (dimension `LogGroupName`) for the last 60 days,
//! prints its URL and serves until Ctrl-C. For manual poking, e.g. with
//! `AWS_ENDPOINT_URL=<url> aws logs describe-log-groups`. With `--upstream
//! http://127.0.0.1:5000` (e.g. moto) requests it does not implement are
//! forwarded there. With `--quotas` it enforces AWS's default request rates
//! (see `logplan_fake::quotas`).

use std::time::Duration;

use logplan_fake::{FakeAws, FakeOptions, Faults, LogGroup};

struct Args {
    port: u16,
    groups: usize,
    latency_ms: u64,
    seed: u64,
    region: String,
    upstream: Option<String>,
    quotas: bool,
}

const USAGE: &str = "usage: logplan-fake [--port P] [--groups N] [--latency-ms L] [--seed S] [--region R] [--upstream URL] [--quotas]";

fn parse_args() -> Result<Args, String> {
    let mut a = Args {
        port: 0,
        groups: 100,
        latency_ms: 0,
        seed: 0,
        region: "us-east-1".to_string(),
        upstream: None,
        quotas: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        if flag == "-h" || flag == "--help" {
            return Err(USAGE.to_string());
        }
        if flag == "--quotas" {
            a.quotas = true;
            continue;
        }
        let val = it
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{USAGE}"))?;
        let bad = |e: std::num::ParseIntError| format!("{flag} {val}: {e}");
        match flag.as_str() {
            "--port" => a.port = val.parse().map_err(bad)?,
            "--groups" => a.groups = val.parse().map_err(bad)?,
            "--latency-ms" => a.latency_ms = val.parse().map_err(bad)?,
            "--seed" => a.seed = val.parse().map_err(bad)?,
            "--region" => a.region = val,
            "--upstream" => a.upstream = Some(val),
            _ => return Err(format!("unknown flag {flag}\n{USAGE}")),
        }
    }
    Ok(a)
}

/// A small deterministic generator (splitmix64) for the synthetic data.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

#[tokio::main]
async fn main() {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(2);
        }
    };
    let opts = FakeOptions {
        faults: Faults {
            seed: args.seed,
            latency: Duration::from_millis(args.latency_ms),
            ..Faults::default()
        },
        upstream: args.upstream.clone(),
        quotas: args.quotas.then(logplan_fake::Quotas::aws_defaults),
        ..FakeOptions::default()
    };
    let fake = match FakeAws::start_on(opts, args.port).await {
        Ok(f) => f,
        Err(e) => {
            eprintln!("cannot start on 127.0.0.1:{}: {e}", args.port);
            std::process::exit(1);
        }
    };

    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let today = now - now.rem_euclid(86_400);
    let retentions = [
        None,
        Some(1),
        Some(7),
        Some(30),
        Some(90),
        Some(365),
        Some(3653),
    ];
    for i in 0..args.groups {
        let name = format!("/fake/group-{i:05}");
        let r = mix(args.seed ^ (i as u64).wrapping_mul(0x1000_0000_01B3));
        let daily_bytes = 1_000 + (r % 5_000_000_000);
        fake.add_log_group(
            &args.region,
            LogGroup {
                name: name.clone(),
                class: if i % 5 == 4 {
                    "INFREQUENT_ACCESS"
                } else {
                    "STANDARD"
                }
                .to_string(),
                retention_days: retentions[(r >> 40) as usize % retentions.len()],
                stored_bytes: (daily_bytes as i64).saturating_mul(30),
                creation_time_ms: (today - 400 * 86_400) * 1000,
            },
        );
        let mut bytes = Vec::with_capacity(60);
        let mut events = Vec::with_capacity(60);
        for d in 1..=60i64 {
            let jitter = mix(r ^ d as u64) % 1000;
            let b = daily_bytes as f64 * (0.5 + jitter as f64 / 1000.0);
            bytes.push((today - d * 86_400, b.round()));
            events.push((today - d * 86_400, (b / 200.0).round()));
        }
        let dims = [("LogGroupName", name.as_str())];
        fake.put_metric(&args.region, "AWS/Logs", "IncomingBytes", &dims, &bytes);
        fake.put_metric(
            &args.region,
            "AWS/Logs",
            "IncomingLogEvents",
            &dims,
            &events,
        );
    }

    println!("{}", fake.url());
    eprintln!(
        "logplan-fake: {} log groups in {}, account {}; Ctrl-C to stop",
        args.groups,
        args.region,
        fake.account_id()
    );
    let _ = tokio::signal::ctrl_c().await;
    let calls = fake.calls();
    eprintln!("logplan-fake: served {} requests", calls.len());
}
