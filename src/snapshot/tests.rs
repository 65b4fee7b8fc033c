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

mod contract {
    use super::*;
    use proptest::prelude::*;

    const REGIONS: &[&str] = &["us-east-1", "eu-west-1", "ap-southeast-2"];

    prop_compose! {
        /// A row as `sample` can build it: any counts, any measured gzip ratio (a tiny sample
        /// gives one below 1), log group names of AWS's alphabet.
        fn any_row()(
            account in "[0-9]{12}",
            region in 0..REGIONS.len(),
            group in "[A-Za-z0-9_/.#-]{1,40}",
            class in proptest::option::of(prop_oneof![Just("STANDARD"), Just("INFREQUENT_ACCESS")]),
            retention in proptest::option::of(1i32..4000),
            incoming_bytes in any::<u64>(),
            incoming_events in any::<u64>(),
            forwarded in proptest::option::of(any::<u64>()),
            sampled in proptest::option::of((1u64..10_000, 1u64..10_000_000)),
            gzip in proptest::option::of(prop_oneof![0.0f64..100.0, Just(f64::NAN), Just(f64::INFINITY)]),
        ) -> SnapshotRow {
            SnapshotRow {
                account_id: account,
                region: REGIONS[region].into(),
                log_group: group,
                log_group_class: class.map(str::to_string),
                retention_days: retention,
                incoming_bytes,
                incoming_events,
                forwarded_bytes: forwarded,
                sampled_events: sampled.map(|s| s.0),
                sampled_bytes: sampled.map(|s| s.1),
                gzip_ratio: gzip,
                ..row("/x")
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever `sample` writes, `report --snapshot` reads: the same rows, in CSV or Parquet.
        #[test]
        fn what_the_writer_writes_the_reader_reads(rows in proptest::collection::vec(any_row(), 0..12)) {
            let mut rows = rows;
            rows.sort_by(|a, b| (&a.account_id, &a.region, &a.log_group).cmp(&(&b.account_id, &b.region, &b.log_group)));
            rows.dedup_by(|a, b| (&a.account_id, &a.region, &a.log_group) == (&b.account_id, &b.region, &b.log_group));
            for format in [Format::Csv, Format::Parquet] {
                let dir = tempfile::tempdir().unwrap();
                let d = Destination::in_dir(&dir.path().join("m"), format);
                Tables::build(&rows, &[], &[]).unwrap().write(&d, false).unwrap();
                let back = read(&d.snapshot).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(back.len(), rows.len());
                for (b, r) in back.iter().zip(&rows) {
                    prop_assert_eq!(&b.log_group, &r.log_group);
                    prop_assert_eq!(b.incoming_bytes, r.incoming_bytes);
                    prop_assert!(b.gzip_ratio.is_none_or(|g| g >= 1.0));
                }
            }
        }
    }

    #[test]
    fn a_gzip_ratio_below_one_is_stored_as_one() {
        assert_eq!(stored_ratio(Some(0.05)), Some(1.0));
        assert_eq!(stored_ratio(Some(3.5)), Some(3.5));
        assert_eq!(stored_ratio(Some(f64::NAN)), None);
        assert_eq!(stored_ratio(None), None);
    }

    #[test]
    fn a_second_write_replaces_the_tables_and_hive_copies_together() {
        // The unit of the tables and their Hive copies: a second write replaces all together,
        // and Hive copies of an older organization run do not outlive it.
        let dir = tempfile::tempdir().unwrap();
        let d = Destination::resolve(None, None, dir.path(), "2026-10").unwrap();
        let mut two = row("/b");
        two.account_id = "210987654321".into();
        Tables::build(&[row("/a"), two], &[], &[])
            .unwrap()
            .write(&d, true)
            .unwrap();
        let month = dir.path().join("2026-10");
        assert!(month.join("snapshot/account_id=210987654321").is_dir());
        Tables::build(&[row("/a")], &[], &[])
            .unwrap()
            .write(&d, false)
            .unwrap();
        let mut names: Vec<String> = std::fs::read_dir(&month)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(
            names,
            vec!["daily.parquet", "filters.parquet", "snapshot.parquet"]
        );
        assert_eq!(read(&d.snapshot).unwrap().len(), 1);
    }
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
