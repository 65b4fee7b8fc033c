use super::*;

fn row(name: &str) -> SnapshotRow {
    SnapshotRow {
        account_id: "123456789012".into(),
        region: "us-east-1".into(),
        log_group: name.into(),
        period_start: NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
        period_end: NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
        incoming_bytes: 42,
        ..SnapshotRow::default()
    }
}

#[test]
fn schema_is_the_documented_one() {
    let df = snapshot_frame(&[row("/a"), row("/b")]).unwrap();
    let names: Vec<&str> = df.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, SNAPSHOT_COLUMNS);
    assert_eq!(df.height(), 2);
    assert_eq!(df.column("period_start").unwrap().dtype(), &DataType::Date);
    assert_eq!(
        df.column("incoming_bytes").unwrap().dtype(),
        &DataType::UInt64
    );
    assert_eq!(df.column("forwarded_bytes").unwrap().null_count(), 2);
    let d = daily_frame(&[]).unwrap();
    let names: Vec<&str> = d.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, DAILY_COLUMNS);
    let f = filters_frame(&[FilterRow::default()]).unwrap();
    let names: Vec<&str> = f.get_column_names().iter().map(|s| s.as_str()).collect();
    assert_eq!(names, FILTER_COLUMNS);
    assert_eq!(f.column("datadog").unwrap().dtype(), &DataType::Boolean);
    assert_eq!(
        df.column("datadog_forwarded_bytes").unwrap().dtype(),
        &DataType::UInt64
    );
    assert_eq!(
        df.column("deleted_during_run").unwrap().dtype(),
        &DataType::Boolean
    );
}

#[test]
fn destination_rules() {
    let d = Destination::resolve(None, None, Path::new("reports"), "2026-10").unwrap();
    assert_eq!(d.snapshot, Path::new("reports/2026-10/snapshot.parquet"));
    assert_eq!(d.daily, Path::new("reports/2026-10/daily.parquet"));
    assert_eq!(d.filters, Path::new("reports/2026-10/filters.parquet"));
    let d = Destination::resolve(Some(Path::new("x/s.csv")), None, Path::new("r"), "l").unwrap();
    assert_eq!(d.format, Format::Csv);
    assert_eq!(d.daily, Path::new("x/daily.csv"));
    assert!(
        Destination::resolve(
            Some(Path::new("x/s.csv")),
            Some(Format::Parquet),
            Path::new("r"),
            "l"
        )
        .is_err()
    );
    for clash in ["x/daily.parquet", "x/filters.csv"] {
        assert!(Destination::resolve(Some(Path::new(clash)), None, Path::new("r"), "l").is_err());
    }
}

#[test]
fn write_is_atomic_and_leaves_no_temp_files() {
    let dir = tempfile::tempdir().unwrap();
    let d = Destination::resolve(None, None, dir.path(), "2026-10").unwrap();
    let mut t = Tables::build(&[row("/a")], &[], &[]).unwrap();
    t.write(&d, false).unwrap();
    let names: Vec<String> = std::fs::read_dir(dir.path().join("2026-10"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    let mut names = names;
    names.sort();
    assert_eq!(
        names,
        vec!["daily.parquet", "filters.parquet", "snapshot.parquet"]
    );
    let back = ParquetReader::new(std::fs::File::open(&d.snapshot).unwrap())
        .finish()
        .unwrap();
    assert_eq!(back.height(), 1);
    assert_eq!(
        back.column("incoming_bytes").unwrap().u64().unwrap().get(0),
        Some(42)
    );
}

#[test]
fn a_delivery_class_snapshot_reads_back() {
    let dir = tempfile::tempdir().unwrap();
    let dest = Destination::in_dir(dir.path(), Format::Parquet);
    let mut r = row("/aws/lambda/to-s3");
    r.log_group_class = Some("DELIVERY".into());
    r.source = Some("lambda".into());
    r.billing_class = Some("delivery".into());
    let mut t = Tables::build(&[r], &[], &[]).unwrap();
    t.write(&dest, false).unwrap();
    let back = read(&dest.snapshot).unwrap();
    assert_eq!(back[0].log_group_class.as_deref(), Some("DELIVERY"));
    let df = snapshot_frame(&[row("/x")]).unwrap();
    for c in [
        "waf_requests",
        "datadog_envelope_bytes",
        "datadog_envelope_gzip_bytes",
    ] {
        assert_eq!(df.column(c).unwrap().dtype(), &DataType::UInt64, "{c}");
    }
    assert_eq!(
        df.column("billing_class").unwrap().dtype(),
        &DataType::String
    );
}
