//! Benchmark (not a test): the cost model plus every report file for 100,000 synthetic log
//! groups. Prints wall time per stage and peak memory. Goal: under 3 s and 1 GiB on 2 cores.
//! Run with `cargo bench --bench report_bench` (`-- --groups N` for another size).

use std::time::Instant;

use logplan::model::{self, Scenario};
use logplan::pricing::PriceBook;
use logplan::report::{self, data::ReportData};
use logplan::snapshot::GroupInput;

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

/// Deterministic groups across 3 accounts and 4 regions, a realistic mix of kinds and sizes.
fn groups(n: usize) -> Vec<GroupInput> {
    let regions = ["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"];
    let prefixes = [
        "aws-waf-logs-",
        "/aws/lambda/",
        "/aws/vpc/flowlogs/",
        "/ecs/",
        "/var/log/",
    ];
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    (0..n)
        .map(|i| {
            let r = next();
            let bytes = (r % 2_000_000_000_000) >> (r % 20);
            let events = bytes / (100 + r % 1500);
            GroupInput {
                account_id: format!("{:012}", 100_000_000_000u64 + (i % 3) as u64),
                region: regions[i % regions.len()].to_string(),
                log_group: format!("{}{i:06}", prefixes[(r >> 7) as usize % prefixes.len()]),
                log_group_class: Some(
                    if r % 9 == 0 {
                        "INFREQUENT_ACCESS"
                    } else {
                        "STANDARD"
                    }
                    .into(),
                ),
                retention_days: Some([7, 14, 30, 90, 365][(r >> 11) as usize % 5]),
                stored_bytes: Some(bytes / 4),
                incoming_bytes: bytes,
                incoming_events: events,
                forwarded_bytes: (r % 3 == 0).then_some(bytes / 6),
                datadog_forwarder: Some(r % 3 == 0),
                ..GroupInput::default()
            }
        })
        .collect()
}

fn main() {
    let n = std::env::args()
        .skip_while(|a| a != "--groups")
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let input = groups(n);
    let book = PriceBook::builtin().expect("book");
    let out = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let m = model::run(input, &book, &Scenario::default(), None).expect("model");
    let t_model = t0.elapsed();
    let t1 = Instant::now();
    let data = ReportData::build(&m, "2026-10", None, &book.effective.to_string());
    let t_data = t1.elapsed();
    let t2 = Instant::now();
    report::write(&out.path().join("2026-10"), &data, &m, &mut |_| Ok(())).expect("write");
    let t_write = t2.elapsed();
    let total = t0.elapsed();
    let size: u64 = std::fs::read_dir(out.path().join("2026-10"))
        .expect("dir")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    println!(
        "{n} groups: model {:.2} s ({} lines), report data {:.2} s, files {:.2} s ({:.1} MiB); total {:.2} s; peak RSS {:.0} MiB",
        t_model.as_secs_f64(),
        m.lines.len(),
        t_data.as_secs_f64(),
        t_write.as_secs_f64(),
        size as f64 / 1_048_576.0,
        total.as_secs_f64(),
        peak_rss_mib()
    );
}
