//! Benchmark (not a test): lint 10,000 Logs Insights queries, variations of a realistic corpus
//! (WAF, ALB, Route 53, VPC flow, sshd, Lambda), and print queries per second and total time.
//! The goal is 10,000 queries in under a second on two cores with a release build.
//! Run with `cargo bench --bench lint_bench` (`--profile dev` for a quicker, slower build).

use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::Instant;

use logplan::queries::cwli::lint;

const COUNT: usize = 10_000;

const CORPUS: &[&str] = &[
    "# WAF: blocked requests by terminating rule\nfields @timestamp, terminatingRuleId, httpRequest.clientIp\n| filter action = \"BLOCK\"\n| stats count(*) as blocked by terminatingRuleId\n| sort blocked desc\n| limit 20",
    "filter terminatingRuleType = \"RATE_BASED\"\n| stats count(*) as blocked by httpRequest.clientIp, bin(5m)\n| sort blocked desc",
    "filter elb_status_code >= 500\n| parse request_url \"https://*/*\" as host, path\n| stats count(*) as errors by path\n| sort errors desc\n| limit 20",
    "fields target_processing_time * 1000 as latencyMs\n| stats pct(latencyMs, 50) as p50, pct(latencyMs, 90) as p90, pct(latencyMs, 99) as p99 by bin(5m)",
    "filter rcode = \"NXDOMAIN\"\n| stats count(*) as nx by query_name, srcaddr\n| sort nx desc\n| limit 50",
    "stats sum(bytes) as bytesTransferred by srcAddr, dstAddr\n| sort bytesTransferred desc\n| limit 15",
    "filter isIpv4InSubnet(srcAddr, \"10.0.0.0/16\") and not isIpv4InSubnet(dstAddr, \"10.0.0.0/16\")\n| stats sum(bytes) / 1024 / 1024 as egressMiB by srcAddr\n| sort egressMiB desc",
    "filter @message like /Failed password/\n| parse @message /Failed password for (invalid user )?(?<user>\\S+) from (?<ip>\\S+) port (?<port>\\d+)/\n| stats count(*) as attempts by ip\n| sort attempts desc\n| limit 20",
    "filter @type = \"REPORT\" and ispresent(@initDuration)\n| stats count(*) as coldStarts, avg(@initDuration) as avgInitMs by bin(1h)",
    "filter @type = \"REPORT\"\n| stats max(@memorySize / 1000 / 1000) as provisionedMB,\n        max(@maxMemoryUsed / 1000 / 1000) as maxMemoryUsedMB,\n        provisionedMB - maxMemoryUsedMB as overProvisionedMB",
    "SOURCE logGroups(namePrefix: [\"/aws/cloudtrail\"], class: \"STANDARD\") START=-1h END=now\n| filterIndex @data_source_name in [\"aws_cloudtrail\"]\n| filter eventName in [\"CreateUser\", \"DeleteUser\"]\n| stats count(*) by eventName, userIdentity.arn",
    "filter requestId in (\n    SOURCE '/aws/lambda/auth-service'\n    | filter authResult = \"FAILED\"\n    | fields requestId\n)\n| fields @timestamp, requestId, endpoint, status\n| sort @timestamp desc\n| limit 50",
    "fields @timestamp, server, severity, message\n| sort @timestamp desc\n| dedup server, severity\n| limit 50",
];

/// Small, deterministic variations: other limits and bins, upper-cased commands, extra
/// comments, and (one in ten) a typo so the error paths are timed too.
fn variant(i: usize) -> String {
    let base = CORPUS[i % CORPUS.len()];
    let mut q = base
        .replace("limit 20", &format!("limit {}", 10 + i % 90))
        .replace("bin(5m)", &format!("bin({}m)", 1 + i % 30));
    if i.is_multiple_of(3) {
        q = q.replace("| stats", "| STATS").replace(" by ", " BY ");
    }
    if i.is_multiple_of(4) {
        q = format!("# variant {i}\n{q}\n# | filter debug = 1");
    }
    if i % 10 == 7 {
        q = q.replacen("filter", "fitler", 1);
    }
    q
}

fn main() {
    let queries: Vec<String> = (0..COUNT).map(variant).collect();
    let bytes: usize = queries.iter().map(String::len).sum();

    // Warm up caches and the allocator once.
    for q in queries.iter().take(500) {
        black_box(lint(q, false));
    }

    let started = Instant::now();
    let mut by_code: BTreeMap<&'static str, usize> = BTreeMap::new();
    for q in &queries {
        for d in black_box(lint(black_box(q), false)) {
            *by_code.entry(d.code).or_default() += 1;
        }
    }
    let elapsed = started.elapsed();
    let findings: usize = by_code.values().sum();

    let secs = elapsed.as_secs_f64();
    println!(
        "lint_bench: {COUNT} queries ({:.1} KiB) in {:.1} ms: {:.0} queries/s, {findings} findings",
        bytes as f64 / 1024.0,
        secs * 1000.0,
        COUNT as f64 / secs
    );
    println!("lint_bench: findings by code: {by_code:?}");
    if secs >= 1.0 {
        println!("lint_bench: slower than the 1 s goal for {COUNT} queries");
    }
}
