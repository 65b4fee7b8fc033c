//! Benchmark (not a test): a synthetic CUR 2.0 month of 20 million lines (about 2 GB of Parquet,
//! ten files as Data Exports splits them) reconciled from local files, as
//! `logplan actuals --from cur2:<dir>` reads them. Prints wall time and peak memory of the read;
//! goal: under 20 s and 1 GiB on 2 cores. The data is generated outside the repository, at bench
//! time, by a child process (so its memory is not counted): `$TMPDIR/logplan-export-bench`
//! unless `-- --dir DIR`; `-- --lines N` for another size; a second run reuses the files.
//!
//! Run with `cargo bench --bench export_bench`.

use std::path::{Path, PathBuf};
use std::time::Instant;

use logplan::period::Period;
use logplan::progress::Reporter;
use logplan::reconcile::export::{Kind, read};
use polars::prelude::*;

#[path = "common/mod.rs"]
mod common;
use common::peak_rss_mib;

const FILES: usize = 10;

fn arg(name: &str) -> Option<String> {
    std::env::args().skip_while(|a| a != name).nth(1)
}

/// xorshift64*: deterministic, cheap.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

const USAGE: &[(&str, &str, &str)] = &[
    ("AmazonCloudWatch", "USE1-DataProcessing-Bytes", "GB"),
    ("AmazonCloudWatch", "USE1-TimedStorage-ByteHrs", "GB-Mo"),
    ("AmazonCloudWatch", "USE1-VendedLog-Bytes", "GB"),
    ("AmazonCloudWatch", "USE1-CW:GMD-Metrics", "Metrics"),
    ("AmazonEC2", "USE1-BoxUsage:m5.large", "Hrs"),
    ("AmazonEC2", "USE1-EBS:VolumeUsage.gp3", "GB-Mo"),
    ("AmazonS3", "USE1-TimedStorage-ByteHrs", "GB-Mo"),
    ("AmazonS3", "USE1-Requests-Tier1", "Requests"),
    ("AWSDataTransfer", "USE1-DataTransfer-Out-Bytes", "GB"),
    ("AWSLambda", "USE1-Request-ARM", "Requests"),
];

/// One file of `n` lines, starting at line `first`.
fn file_frame(first: usize, n: usize) -> PolarsResult<DataFrame> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15 ^ first as u64);
    let oct1 = 1_790_812_800_000i64;
    let mut ids = Vec::with_capacity(n);
    let mut accounts = Vec::with_capacity(n);
    let mut products = Vec::with_capacity(n);
    let mut usage_types = Vec::with_capacity(n);
    let mut units = Vec::with_capacity(n);
    let mut resources: Vec<Option<String>> = Vec::with_capacity(n);
    let mut starts = Vec::with_capacity(n);
    let mut amounts = Vec::with_capacity(n);
    let mut costs = Vec::with_capacity(n);
    let mut nets = Vec::with_capacity(n);
    let mut types = Vec::with_capacity(n);
    let mut descriptions = Vec::with_capacity(n);
    let mut tag_keys: Vec<Vec<&str>> = Vec::with_capacity(n);
    let mut tag_values: Vec<Vec<String>> = Vec::with_capacity(n);
    for i in 0..n {
        let r = rng.next();
        // 20,000 log groups in 200 accounts, each group in one account: a month's lines repeat
        // the same resources hour after hour, as a real export does.
        let group = (r >> 20) % 20_000;
        let account = format!("{:012}", 100_000_000_000u64 + group % 200);
        let (product, ut, unit) = USAGE[((r >> 8) % USAGE.len() as u64) as usize];
        let resource = match product {
            "AmazonCloudWatch" if !ut.contains("CW:") => Some(format!(
                "arn:aws:logs:us-east-1:{account}:log-group:/app/service-{group:05}"
            )),
            "AmazonEC2" => Some(format!("i-{:017x}", group % 5_000)),
            "AmazonS3" => Some(format!("bucket-{}", group % 500)),
            _ => None,
        };
        let hour = (r >> 32) % 744;
        let amount = (r >> 40) as f64 / 1_000_000.0;
        let cost = amount * 0.5;
        ids.push(format!("{:016x}{:016x}", rng.next(), (first + i) as u64));
        accounts.push(account);
        products.push(product);
        usage_types.push(ut);
        units.push(unit);
        starts.push(oct1 + hour as i64 * 3_600_000);
        amounts.push(amount);
        costs.push(cost);
        nets.push(cost * 0.95);
        types.push(if r.is_multiple_of(97) {
            "Credit"
        } else {
            "Usage"
        });
        descriptions.push(format!("{ut} at $0.50 per {unit}"));
        let tagged = resource.as_ref().is_some_and(|s| s.contains(":log-group:"));
        if tagged {
            tag_keys.push(vec!["user_team", "user_cost_center"]);
            tag_values.push(vec![
                format!("team-{}", group % 17),
                format!("cc-{}", group % 5),
            ]);
        } else {
            tag_keys.push(vec![]);
            tag_values.push(vec![]);
        }
        resources.push(resource);
    }
    // resource_tags as Parquet maps are read as lists of key/value structs.
    let mut tags_rows: Vec<Series> = Vec::with_capacity(n);
    for (k, v) in tag_keys.iter().zip(&tag_values) {
        let keys = Series::new("key".into(), k.clone());
        let vals = Series::new("value".into(), v.clone());
        tags_rows.push(
            StructChunked::from_series("".into(), keys.len(), [keys, vals].iter())?.into_series(),
        );
    }
    let tags = Series::new("resource_tags".into(), tags_rows);
    let period = Column::new_scalar(
        "bill_billing_period_start_date".into(),
        Scalar::new(
            DataType::Datetime(TimeUnit::Milliseconds, None),
            AnyValue::Datetime(oct1, TimeUnit::Milliseconds, None),
        ),
        n,
    );
    let starts = Series::new("line_item_usage_start_date".into(), starts)
        .cast(&DataType::Datetime(TimeUnit::Milliseconds, None))?;
    let constant =
        |name: &str, v: &str| Column::new_scalar(name.into(), Scalar::from(PlSmallStr::from(v)), n);
    DataFrame::new(
        n,
        vec![
            Column::new("identity_line_item_id".into(), ids),
            constant("bill_payer_account_id", "999999999999"),
            period,
            Column::new("line_item_usage_account_id".into(), accounts),
            Column::new("line_item_product_code".into(), products),
            Column::new("line_item_usage_type".into(), usage_types),
            constant("line_item_operation", "PutLogEvents"),
            Column::new("line_item_resource_id".into(), resources),
            starts.into(),
            Column::new("line_item_usage_amount".into(), amounts),
            Column::new("pricing_unit".into(), units),
            Column::new("line_item_unblended_cost".into(), costs),
            Column::new("line_item_net_unblended_cost".into(), nets),
            Column::new("line_item_line_item_type".into(), types),
            Column::new("line_item_line_item_description".into(), descriptions),
            constant("product_region_code", "us-east-1"),
            tags.into(),
        ],
    )
}

fn generate(dir: &Path, lines: usize) {
    std::fs::create_dir_all(dir).expect("bench dir");
    let per = lines.div_ceil(FILES);
    for f in 0..FILES {
        let path = dir.join(format!("bench-cur2-{:05}.snappy.parquet", f + 1));
        let first = f * per;
        let n = per.min(lines.saturating_sub(first));
        if n == 0 {
            break;
        }
        let file = std::fs::File::create(&path).expect("create");
        let mut writer: Option<polars::io::parquet::write::BatchedWriter<std::fs::File>> = None;
        let mut file = Some(file);
        let chunk = 500_000;
        let mut done = 0;
        while done < n {
            let m = chunk.min(n - done);
            let df = file_frame(first + done, m).expect("frame");
            if writer.is_none() {
                writer = Some(
                    ParquetWriter::new(file.take().expect("once"))
                        .with_compression(ParquetCompression::Snappy)
                        .batched(df.schema())
                        .expect("writer"),
                );
            }
            writer
                .as_mut()
                .expect("writer")
                .write_batch(&df)
                .expect("write");
            done += m;
        }
        writer.expect("writer").finish().expect("finish");
    }
}

fn main() {
    let lines: usize = arg("--lines")
        .and_then(|v| v.parse().ok())
        .unwrap_or(20_000_000);
    let dir = arg("--dir")
        .map(PathBuf::from)
        .unwrap_or_else(|| std::env::temp_dir().join(format!("logplan-export-bench-{lines}")));
    if std::env::args().any(|a| a == "--generate") {
        generate(&dir, lines);
        return;
    }
    if !dir
        .join(format!("bench-cur2-{:05}.snappy.parquet", FILES))
        .exists()
    {
        let t = Instant::now();
        let status = std::process::Command::new(std::env::current_exe().expect("exe"))
            .args(["--generate", "--lines", &lines.to_string(), "--dir"])
            .arg(&dir)
            .status()
            .expect("generate");
        assert!(status.success(), "generating the bench data failed");
        eprintln!(
            "generated {} in {:.1} s",
            dir.display(),
            t.elapsed().as_secs_f64()
        );
    }
    let bytes: u64 = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").metadata().expect("meta").len())
        .sum();
    let p = Period::month(2026, 10).expect("month");
    let keys = vec!["team".to_string(), "cost-center".to_string()];
    let t0 = Instant::now();
    let a = read::read_local(
        "cur2:bench",
        Kind::Cur2,
        &dir,
        &p,
        &keys,
        &Reporter::silent(),
    )
    .expect("read");
    let wall = t0.elapsed();
    let billed: usize = a.rows.iter().filter(|r| a.is_usage(r)).count();
    println!(
        "{lines} CUR 2.0 lines in {} files ({:.2} GiB of Parquet): read and aggregated in {:.2} s \
         into {} rows ({billed} of usage, {} log groups tagged); peak RSS {:.0} MiB",
        a.files.len(),
        bytes as f64 / (1u64 << 30) as f64,
        wall.as_secs_f64(),
        a.rows.len(),
        a.resource_tags.len(),
        peak_rss_mib()
    );
}
