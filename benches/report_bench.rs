//! Benchmark (not a test): the cost model plus every report file for 100,000 synthetic log
//! groups. Prints wall time per stage and peak memory.
//! Then the whole process, as a user runs it: the release `logplan report --snapshot` binary on
//! a 100,000-group snapshot of 20 accounts x 3 regions, its wall time and peak memory against
//! the time it takes merely to copy the files it wrote, and the size of `report.html`. Goals:
//! within 3x of the copy, under 600 MiB, `report.html` under 5 MB.
//! Run with `cargo bench --bench report_bench` (`-- --groups N` for another size, `-- --keep DIR`
//! to keep the snapshot and the report in DIR for a profiler).

use std::time::Instant;

use logplan::model::{self, Scenario};
use logplan::pricing::PriceBook;
use logplan::report::{self, data::ReportData};
use logplan::snapshot::GroupInput;

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

/// Deterministic groups across `accounts` accounts and the first `regions` of four regions, a
/// realistic mix of kinds and sizes.
fn groups(n: usize, accounts: usize, regions: usize) -> Vec<GroupInput> {
    let regions = &["us-east-1", "us-west-2", "eu-west-1", "ap-southeast-1"][..regions];
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
                account_id: format!("{:012}", 100_000_000_000u64 + (i % accounts) as u64),
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
    let input = groups(n, 3, 4);
    let book = PriceBook::builtin().expect("book");
    let out = tempfile::tempdir().expect("tempdir");
    let t0 = Instant::now();
    let m = model::run(input, &book, &Scenario::default(), None).expect("model");
    let t_model = t0.elapsed();
    let t1 = Instant::now();
    let october = logplan::period::Period::month(2026, 10).expect("a month");
    let priced = logplan::period::Priced {
        month: october,
        measured: october,
        basis: logplan::period::Basis::Snapshot,
    };
    let data = ReportData::build(&m, &priced, &book.effective.to_string());
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
    whole_process(n);
}

/// `logplan report --snapshot` as a separate process, as a user runs it.
fn whole_process(n: usize) {
    let tmp = tempfile::tempdir().expect("tempdir");
    // `-- --keep DIR`: the snapshot and the report stay in DIR (to profile the binary on them).
    let keep = std::env::args()
        .skip_while(|a| a != "--keep")
        .nth(1)
        .map(std::path::PathBuf::from);
    let work = keep.as_deref().unwrap_or(tmp.path());
    std::fs::create_dir_all(work).expect("work dir");
    let _ = std::fs::remove_dir_all(work.join("report"));
    let _ = std::fs::remove_dir_all(work.join("copy"));
    let snapshot = work.join("snapshot.csv");
    write_snapshot(&groups(n, 20, 3), &snapshot);
    let out = work.join("report");
    // Three runs and three copies, each from a clean start (sync(2) first: the kernel throttles
    // a writer while earlier writes drain, so neither pays for the other's writeback); the
    // figures are the medians. On this kind of virtual disk a copy of the same folder varies
    // from 0.35 s to 3 s, hence the repetition.
    let mut walls = Vec::new();
    for _ in 0..RUNS {
        let _ = std::fs::remove_dir_all(&out);
        settle();
        let t = Instant::now();
        let status = report_command(&snapshot, &out, work)
            .status()
            .expect("runs logplan");
        walls.push(t.elapsed().as_secs_f64());
        assert!(status.success(), "logplan report failed: {status}");
    }
    let peak = children_peak_rss_mib();
    let mut copies = Vec::new();
    let mut copied = 0;
    for _ in 0..RUNS {
        let target = work.join("copy");
        let _ = std::fs::remove_dir_all(&target);
        settle();
        let t = Instant::now();
        // As a user copies a folder: cp -r (coreutils).
        let status = std::process::Command::new("cp")
            .arg("-r")
            .arg(&out)
            .arg(&target)
            .status()
            .expect("runs cp");
        copies.push(t.elapsed().as_secs_f64());
        assert!(status.success(), "cp -r failed: {status}");
        copied = dir_bytes(&target);
    }
    let (wall, copy) = (median(&mut walls), median(&mut copies));
    let html = std::fs::metadata(out.join("report.html"))
        .expect("report.html")
        .len();
    let json = std::fs::metadata(out.join("report.json"))
        .expect("report.json")
        .len();
    println!(
        "logplan report --snapshot ({n} groups, 20 accounts x 3 regions): {wall:.2} s whole process \
         (median of {RUNS}: {walls:.2?}), peak RSS {peak:.0} MiB; copying its {:.0} MB of output \
         with cp -r takes {copy:.2} s (median of {RUNS}: {copies:.2?}), {:.1}x; report.html \
         {:.2} MB, report.json {:.1} MB",
        copied as f64 / 1e6,
        wall / copy,
        html as f64 / 1e6,
        json as f64 / 1e6,
    );
    stages(&snapshot, &out, work, copy);
}

/// One more run with the stage timings on (`LOGPLAN_LOG=logplan=debug`): each stage's wall
/// and own CPU time against the copy, and what the process spends before its first file is
/// written, which no file writer can win back.
fn stages(snapshot: &std::path::Path, out: &std::path::Path, work: &std::path::Path, copy: f64) {
    let _ = std::fs::remove_dir_all(out);
    settle();
    let cpu_before = children_cpu_s();
    let t = Instant::now();
    let run = report_command(snapshot, out, work)
        .env("LOGPLAN_LOG", "logplan=debug")
        .output()
        .expect("runs logplan");
    let wall = t.elapsed().as_secs_f64();
    let cpu = children_cpu_s() - cpu_before;
    assert!(
        run.status.success(),
        "logplan report failed: {}",
        run.status
    );
    let log = String::from_utf8_lossy(&run.stderr);
    let stages: Vec<(String, f64, f64)> = log.lines().filter_map(stage_line).collect();
    println!(
        "one run, stage by stage: {wall:.2} s, process CPU {cpu:.2} s on {} cores (the files \
         are written side by side, so their wall times overlap)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    for (what, w, c) in &stages {
        println!(
            "  {what:<40} {w:>6.2} s wall {c:>6.2} s own CPU {:>5.1}x the copy",
            w / copy
        );
    }
    // The stages that run one after another before any file is written.
    let before: f64 = stages
        .iter()
        .filter(|(w, _, _)| BEFORE_FILES.contains(&w.as_str()))
        .map(|(_, w, _)| w)
        .sum();
    println!(
        "  before the first file ({}): {before:.2} s, {:.1}x the copy",
        BEFORE_FILES.join(", "),
        before / copy
    );
}

/// `logplan report` on the snapshot, into `out`, run in `work`, as a user runs it.
fn report_command(
    snapshot: &std::path::Path,
    out: &std::path::Path,
    work: &std::path::Path,
) -> std::process::Command {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_logplan"));
    cmd.args(["report", "--quiet", "--month", "2026-10", "--snapshot"])
        .arg(snapshot)
        .arg("--out")
        .arg(out)
        .current_dir(work);
    cmd
}

/// The stages (as `logplan` logs them) that run in turn before the report's files are written.
const BEFORE_FILES: [&str; 3] = ["reading the snapshot", "the model", "the report's data"];

/// "<stage> took <wall> s, this thread's CPU <cpu> s (...)" from a log line.
fn stage_line(line: &str) -> Option<(String, f64, f64)> {
    let (head, rest) = line.split_once(" took ")?;
    let what = head.rsplit_once("DEBUG ")?.1.trim();
    let (wall, rest) = rest.split_once(" s, this thread's CPU ")?;
    let cpu = rest.split_once(" s")?.0;
    Some((what.to_string(), wall.parse().ok()?, cpu.parse().ok()?))
}

/// CPU time (user and system) of every child process waited for so far, seconds.
fn children_cpu_s() -> f64 {
    let secs = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    children_usage().map_or(f64::NAN, |u| secs(u.ru_utime) + secs(u.ru_stime))
}

/// Write back every dirty page (sync(2)).
fn settle() {
    // SAFETY: sync takes no arguments and cannot fail.
    unsafe { libc::sync() };
}

fn write_snapshot(groups: &[GroupInput], path: &std::path::Path) {
    let mut w = csv::Writer::from_path(path).expect("snapshot file");
    w.write_record([
        "account_id",
        "region",
        "log_group",
        "log_group_class",
        "retention_days",
        "stored_bytes",
        "incoming_bytes",
        "incoming_events",
        "forwarded_bytes",
        "datadog_forwarder",
    ])
    .expect("header");
    let opt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_default();
    for g in groups {
        w.write_record([
            g.account_id.clone(),
            g.region.clone(),
            g.log_group.clone(),
            g.log_group_class.clone().unwrap_or_default(),
            g.retention_days.map(|d| d.to_string()).unwrap_or_default(),
            opt(g.stored_bytes),
            g.incoming_bytes.to_string(),
            g.incoming_events.to_string(),
            opt(g.forwarded_bytes),
            g.datadog_forwarder
                .map(|b| b.to_string())
                .unwrap_or_default(),
        ])
        .expect("row");
    }
    w.flush().expect("snapshot written");
}

/// Runs of the whole process, and copies, measured.
const RUNS: usize = 3;

/// The middle value (sorts `v`).
fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

/// Bytes of every file under `dir`, recursively.
fn dir_bytes(dir: &std::path::Path) -> u64 {
    let mut bytes = 0;
    for e in std::fs::read_dir(dir).expect("folder") {
        let e = e.expect("entry");
        if e.file_type().expect("type").is_dir() {
            bytes += dir_bytes(&e.path());
        } else {
            bytes += e.metadata().expect("meta").len();
        }
    }
    bytes
}

/// Peak resident memory of the largest child process waited for, MiB (getrusage reports KiB
/// on Linux).
fn children_peak_rss_mib() -> f64 {
    children_usage().map_or(f64::NAN, |u| u.ru_maxrss as f64 / 1024.0)
}

/// getrusage(RUSAGE_CHILDREN): the child processes waited for so far.
fn children_usage() -> Option<libc::rusage> {
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: getrusage writes a whole rusage into the pointer it is given.
    let ok = unsafe { libc::getrusage(libc::RUSAGE_CHILDREN, usage.as_mut_ptr()) } == 0;
    // SAFETY: when getrusage succeeded, the struct is initialised.
    ok.then(|| unsafe { usage.assume_init() })
}
