//! GetMetricData over Smithy RPC v2 CBOR: limits, validation, matching,
//! bucketing, ScanBy and pagination.

mod common;

use ciborium::Value;
use common::*;
use logplan_fake::{FakeAws, FakeOptions};

const R: &str = "us-east-1";
/// 2026-11-01T00:00:00Z
const DAY0: i64 = 1_793_491_200;
const DAY: i64 = 86_400;

async fn fake() -> FakeAws {
    FakeAws::start(FakeOptions::default()).await
}

fn lg(name: &str) -> [(&'static str, &str); 1] {
    [("LogGroupName", name)]
}

#[tokio::test]
async fn more_than_500_queries_is_a_validation_error() {
    let f = fake().await;
    let qs: Vec<Value> = (0..501)
        .map(|i| {
            metric_query(
                &format!("q{i}"),
                "AWS/Logs",
                "IncomingBytes",
                &lg("/a"),
                86_400,
                "Sum",
            )
        })
        .collect();
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(qs, DAY0, DAY0 + DAY, vec![]),
    )
    .await;
    let msg = assert_cw_error(&r, &v, 400, "ValidationError");
    assert_eq!(
        msg,
        "The collection MetricDataQueries must not have a size greater than 500."
    );

    // Exactly 500 is fine.
    let qs: Vec<Value> = (0..500)
        .map(|i| {
            metric_query(
                &format!("q{i}"),
                "AWS/Logs",
                "IncomingBytes",
                &lg("/a"),
                86_400,
                "Sum",
            )
        })
        .collect();
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(qs, DAY0, DAY0 + DAY, vec![]),
    )
    .await;
    assert_eq!(r.status, 200);
    assert_eq!(parse_gmd(&v).results.len(), 500);

    let calls = f.calls();
    assert_eq!(calls.len(), 2);
    assert_eq!(calls[0].metric_queries, 501);
    assert_eq!(calls[0].status, 400);
    assert_eq!(calls[1].metric_queries, 500);
    assert_eq!(calls[1].service, "monitoring");
    assert_eq!(calls[1].operation, "GetMetricData");
}

#[tokio::test]
async fn buckets_two_days_with_sum_average_min_max_count() {
    let f = fake().await;
    // Hourly points over two days: value = hour index (0..48).
    let pts: Vec<(i64, f64)> = (0..48).map(|h| (DAY0 + h * 3600, h as f64)).collect();
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/g"), &pts);
    // Outside [StartTime, EndTime): one before, one exactly at EndTime.
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &lg("/g"),
        &[(DAY0 - 1, 1e9), (DAY0 + 2 * DAY, 1e9)],
    );

    let q =
        |id: &str, stat: &str| metric_query(id, "AWS/Logs", "IncomingBytes", &lg("/g"), DAY, stat);
    let req = gmd_request(
        vec![
            q("s", "Sum"),
            q("a", "Average"),
            q("mn", "Minimum"),
            q("mx", "Maximum"),
            q("n", "SampleCount"),
        ],
        DAY0,
        DAY0 + 2 * DAY,
        vec![("ScanBy", t("TimestampAscending"))],
    );
    let (r, v) = cw_call(&f, R, "GetMetricData", &req).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/cbor"));
    assert_eq!(r.header("smithy-protocol"), Some("rpc-v2-cbor"));
    let page = parse_gmd(&v);
    assert_eq!(page.next_token, None);
    let by_id = |id: &str| page.results.iter().find(|x| x.id == id).unwrap().clone();
    let day_ts = vec![DAY0 as f64, (DAY0 + DAY) as f64];

    let s = by_id("s");
    assert_eq!(s.timestamps, day_ts);
    // sum(0..24) = 276, sum(24..48) = 852
    assert_eq!(s.values, vec![276.0, 852.0]);
    assert_eq!(s.status, "Complete");
    assert_eq!(
        s.label, "IncomingBytes",
        "label defaults to the metric name"
    );
    assert_eq!(by_id("a").values, vec![11.5, 35.5]);
    assert_eq!(by_id("mn").values, vec![0.0, 24.0]);
    assert_eq!(by_id("mx").values, vec![23.0, 47.0]);
    assert_eq!(by_id("n").values, vec![24.0, 24.0]);

    // Buckets start at StartTime, not at midnight: a 12h offset splits differently.
    let req = gmd_request(
        vec![q("s", "Sum")],
        DAY0 + 12 * 3600,
        DAY0 + 2 * DAY,
        vec![("ScanBy", t("TimestampAscending"))],
    );
    let (_, v) = cw_call(&f, R, "GetMetricData", &req).await;
    let s = &parse_gmd(&v).results[0];
    assert_eq!(
        s.timestamps,
        vec![(DAY0 + 12 * 3600) as f64, (DAY0 + 36 * 3600) as f64]
    );
    // sum(12..36) = 564, sum(36..48) = 498
    assert_eq!(s.values, vec![564.0, 498.0]);

    // Empty periods produce no datapoint.
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &lg("/sparse"),
        &[(DAY0 + 60, 5.0), (DAY0 + 3 * 3600, 7.0)],
    );
    let req = gmd_request(
        vec![metric_query(
            "h",
            "AWS/Logs",
            "IncomingBytes",
            &lg("/sparse"),
            3600,
            "Sum",
        )],
        DAY0,
        DAY0 + DAY,
        vec![("ScanBy", t("TimestampAscending"))],
    );
    let (_, v) = cw_call(&f, R, "GetMetricData", &req).await;
    let h = &parse_gmd(&v).results[0];
    assert_eq!(h.timestamps, vec![DAY0 as f64, (DAY0 + 3 * 3600) as f64]);
    assert_eq!(h.values, vec![5.0, 7.0]);
}

#[tokio::test]
async fn dimensions_must_match_exactly() {
    let f = fake().await;
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &[("LogGroupName", "/g"), ("Extra", "x")],
        &[(DAY0, 10.0)],
    );
    f.put_metric(
        R,
        "AWS/Logs",
        "IncomingBytes",
        &lg("/other"),
        &[(DAY0, 99.0)],
    );

    let qs = vec![
        // Subset of the dimensions: no data.
        metric_query("subset", "AWS/Logs", "IncomingBytes", &lg("/g"), 60, "Sum"),
        // Full set in another order: data.
        metric_query(
            "full",
            "AWS/Logs",
            "IncomingBytes",
            &[("Extra", "x"), ("LogGroupName", "/g")],
            60,
            "Sum",
        ),
        // Superset: no data.
        metric_query(
            "superset",
            "AWS/Logs",
            "IncomingBytes",
            &[("Extra", "x"), ("LogGroupName", "/g"), ("More", "y")],
            60,
            "Sum",
        ),
        // Wrong value, wrong namespace: no data.
        metric_query(
            "wrongval",
            "AWS/Logs",
            "IncomingBytes",
            &[("Extra", "y"), ("LogGroupName", "/g")],
            60,
            "Sum",
        ),
        metric_query(
            "wrongns",
            "Custom",
            "IncomingBytes",
            &[("Extra", "x"), ("LogGroupName", "/g")],
            60,
            "Sum",
        ),
    ];
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(qs, DAY0, DAY0 + 60, vec![]),
    )
    .await;
    assert_eq!(r.status, 200);
    let page = parse_gmd(&v);
    let ids: Vec<&str> = page.results.iter().map(|x| x.id.as_str()).collect();
    assert_eq!(
        ids,
        vec!["subset", "full", "superset", "wrongval", "wrongns"]
    );
    for res in &page.results {
        if res.id == "full" {
            assert_eq!(res.values, vec![10.0]);
        } else {
            assert!(
                res.values.is_empty() && res.timestamps.is_empty(),
                "{res:?}"
            );
        }
        assert_eq!(res.status, "Complete");
    }

    // Regions are separate.
    let qs = vec![metric_query(
        "o",
        "AWS/Logs",
        "IncomingBytes",
        &lg("/other"),
        60,
        "Sum",
    )];
    let (_, v) = cw_call(
        &f,
        "eu-west-1",
        "GetMetricData",
        &gmd_request(qs.clone(), DAY0, DAY0 + 60, vec![]),
    )
    .await;
    assert!(parse_gmd(&v).results[0].values.is_empty());
    let (_, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(qs, DAY0, DAY0 + 60, vec![]),
    )
    .await;
    assert_eq!(parse_gmd(&v).results[0].values, vec![99.0]);
    assert_eq!(f.calls()[1].region, "eu-west-1");
}

#[tokio::test]
async fn scan_by_orders_timestamps() {
    let f = fake().await;
    let pts: Vec<(i64, f64)> = (0..5).map(|d| (DAY0 + d * DAY, d as f64)).collect();
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/g"), &pts);
    let q = || {
        vec![metric_query(
            "q",
            "AWS/Logs",
            "IncomingBytes",
            &lg("/g"),
            DAY,
            "Sum",
        )]
    };

    // Default is TimestampDescending.
    let (_, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(q(), DAY0, DAY0 + 5 * DAY, vec![]),
    )
    .await;
    let d = &parse_gmd(&v).results[0];
    assert_eq!(d.values, vec![4.0, 3.0, 2.0, 1.0, 0.0]);
    assert!(d.timestamps.windows(2).all(|w| w[0] > w[1]));

    let (_, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(
            q(),
            DAY0,
            DAY0 + 5 * DAY,
            vec![("ScanBy", t("TimestampDescending"))],
        ),
    )
    .await;
    assert_eq!(&parse_gmd(&v).results[0], d);

    let (_, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(
            q(),
            DAY0,
            DAY0 + 5 * DAY,
            vec![("ScanBy", t("TimestampAscending"))],
        ),
    )
    .await;
    let a = &parse_gmd(&v).results[0];
    assert_eq!(a.values, vec![0.0, 1.0, 2.0, 3.0, 4.0]);
    assert_eq!(a.timestamps[0], DAY0 as f64);

    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(q(), DAY0, DAY0 + 5 * DAY, vec![("ScanBy", t("Sideways"))]),
    )
    .await;
    assert_cw_error(&r, &v, 400, "ValidationError");
}

/// Fetches every page; returns the pages.
async fn all_pages(f: &FakeAws, base: &Value, max: i64) -> Vec<GmdPage> {
    let mut pages = Vec::new();
    let mut token: Option<String> = None;
    for _ in 0..1000 {
        let mut req = base.clone();
        if let Value::Map(m) = &mut req {
            m.push((t("MaxDatapoints"), Value::Integer(max.into())));
            if let Some(tok) = &token {
                m.push((t("NextToken"), t(tok)));
            }
        }
        let (r, v) = cw_call(f, R, "GetMetricData", &req).await;
        assert_eq!(r.status, 200, "{v:?}");
        let page = parse_gmd(&v);
        token = page.next_token.clone();
        pages.push(page);
        if token.is_none() {
            return pages;
        }
    }
    panic!("pagination did not terminate");
}

/// Concatenates pages, merging a query's consecutive chunks.
fn concat(pages: &[GmdPage]) -> Vec<MdResult> {
    let mut out: Vec<MdResult> = Vec::new();
    for p in pages {
        for r in &p.results {
            match out.last_mut() {
                Some(last) if last.id == r.id && last.status == "PartialData" => {
                    last.timestamps.extend(&r.timestamps);
                    last.values.extend(&r.values);
                    last.status = r.status.clone();
                }
                _ => out.push(r.clone()),
            }
        }
    }
    out
}

#[tokio::test]
async fn max_datapoints_pagination_concatenates_to_the_one_shot_answer() {
    let f = fake().await;
    for (g, n) in [
        ("/a", 5),
        ("/b", 0),
        ("/c", 13),
        ("/d", 1),
        ("/e", 0),
        ("/f", 9),
    ] {
        let pts: Vec<(i64, f64)> = (0..n)
            .map(|h| (DAY0 + h * 3600, (h * 10) as f64 + 0.5))
            .collect();
        f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg(g), &pts);
    }
    let mut qs: Vec<Value> = ["/a", "/b", "/c", "/d", "/e", "/f"]
        .iter()
        .enumerate()
        .map(|(i, g)| {
            metric_query(
                &format!("q{i}"),
                "AWS/Logs",
                "IncomingBytes",
                &lg(g),
                3600,
                "Sum",
            )
        })
        .collect();
    // A ReturnData=false query is never listed.
    let mut hidden = metric_query(
        "hidden",
        "AWS/Logs",
        "IncomingBytes",
        &lg("/c"),
        3600,
        "Sum",
    );
    if let Value::Map(m) = &mut hidden {
        m.push((t("ReturnData"), Value::Bool(false)));
    }
    qs.insert(2, hidden);

    for scan in ["TimestampAscending", "TimestampDescending"] {
        let base = gmd_request(qs.clone(), DAY0, DAY0 + DAY, vec![("ScanBy", t(scan))]);
        let one = all_pages(&f, &base, 100_800).await;
        assert_eq!(one.len(), 1);
        let expected = &one[0].results;
        assert_eq!(expected.len(), 6);
        assert!(
            expected
                .iter()
                .all(|r| r.status == "Complete" && r.id != "hidden")
        );
        assert_eq!(expected.iter().map(|r| r.values.len()).sum::<usize>(), 28);

        for max in [1, 4, 5, 7, 13, 27, 28] {
            f.clear_calls();
            let pages = all_pages(&f, &base, max).await;
            assert_eq!(pages.len(), 28usize.div_ceil(max as usize), "max {max}");
            for (i, p) in pages.iter().enumerate() {
                let n: usize = p.results.iter().map(|r| r.values.len()).sum();
                assert!(n <= max as usize, "page {i} has {n} > {max}");
                if p.next_token.is_some() {
                    assert_eq!(n, max as usize, "non-final pages are full");
                    let last = p.results.last().unwrap();
                    let cut = pages[i + 1].results.first().map(|r| r.id.clone());
                    if last.status == "PartialData" {
                        assert_eq!(
                            Some(last.id.clone()),
                            cut,
                            "a cut query continues on the next page"
                        );
                    }
                }
                assert!(p.results.iter().all(|r| r.id != "hidden"));
            }
            let calls = f.calls();
            assert_eq!(calls.iter().map(|c| c.datapoints).sum::<usize>(), 28);
            assert_eq!(&concat(&pages), expected, "max {max} {scan}");
        }
    }

    // Descending default, MaxDatapoints 7: q0 (5) + q1 (0) + 2 of q2 (13).
    let base = gmd_request(qs.clone(), DAY0, DAY0 + DAY, vec![]);
    let pages = all_pages(&f, &base, 7).await;
    let shape = |p: &GmdPage| -> Vec<(String, usize, String)> {
        p.results
            .iter()
            .map(|r| (r.id.clone(), r.values.len(), r.status.clone()))
            .collect()
    };
    let s = |id: &str, n: usize, st: &str| (id.to_string(), n, st.to_string());
    assert_eq!(
        shape(&pages[0]),
        vec![
            s("q0", 5, "Complete"),
            s("q1", 0, "Complete"),
            s("q2", 2, "PartialData")
        ]
    );
    assert_eq!(shape(&pages[1]), vec![s("q2", 7, "PartialData")]);
    assert_eq!(
        shape(&pages[2]),
        vec![
            s("q2", 4, "Complete"),
            s("q3", 1, "Complete"),
            s("q4", 0, "Complete"),
            s("q5", 2, "PartialData")
        ]
    );
    assert_eq!(shape(&pages[3]), vec![s("q5", 7, "Complete")]);
    assert_eq!(pages.len(), 4);
    assert!(pages[3].next_token.is_none());
}

#[tokio::test]
async fn partial_data_on_the_page_that_cuts_a_query() {
    let f = fake().await;
    let pts: Vec<(i64, f64)> = (0..10).map(|h| (DAY0 + h * 60, h as f64)).collect();
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/a"), &pts);
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/b"), &pts);
    let qs = vec![
        metric_query("a", "AWS/Logs", "IncomingBytes", &lg("/a"), 60, "Sum"),
        metric_query("b", "AWS/Logs", "IncomingBytes", &lg("/b"), 60, "Sum"),
        metric_query("c", "AWS/Logs", "IncomingBytes", &lg("/none"), 60, "Sum"),
    ];
    let base = gmd_request(
        qs,
        DAY0,
        DAY0 + 3600,
        vec![("ScanBy", t("TimestampAscending"))],
    );
    let pages = all_pages(&f, &base, 6).await;
    let shape: Vec<Vec<(String, usize, String)>> = pages
        .iter()
        .map(|p| {
            p.results
                .iter()
                .map(|r| (r.id.clone(), r.values.len(), r.status.clone()))
                .collect()
        })
        .collect();
    let s = |id: &str, n: usize, st: &str| (id.to_string(), n, st.to_string());
    assert_eq!(
        shape,
        vec![
            vec![s("a", 6, "PartialData")],
            vec![s("a", 4, "Complete"), s("b", 2, "PartialData")],
            vec![s("b", 6, "PartialData")],
            vec![s("b", 2, "Complete"), s("c", 0, "Complete")],
        ]
    );
    assert_eq!(pages[1].results[0].values, vec![6.0, 7.0, 8.0, 9.0]);
}

#[tokio::test]
async fn next_token_is_bound_to_the_request() {
    let f = fake().await;
    let pts: Vec<(i64, f64)> = (0..10).map(|h| (DAY0 + h * 60, 1.0)).collect();
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/a"), &pts);
    let q = || {
        vec![metric_query(
            "a",
            "AWS/Logs",
            "IncomingBytes",
            &lg("/a"),
            60,
            "Sum",
        )]
    };
    let mk = |end: i64, scan: &str, token: Option<&str>| {
        let mut extra = vec![
            ("MaxDatapoints", Value::Integer(3.into())),
            ("ScanBy", t(scan)),
        ];
        if let Some(tok) = token {
            extra.push(("NextToken", t(tok)));
        }
        gmd_request(q(), DAY0, end, extra)
    };
    let (_, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &mk(DAY0 + 3600, "TimestampAscending", None),
    )
    .await;
    let token = parse_gmd(&v).next_token.expect("more pages");

    // Same request: accepted.
    let (r, _) = cw_call(
        &f,
        R,
        "GetMetricData",
        &mk(DAY0 + 3600, "TimestampAscending", Some(&token)),
    )
    .await;
    assert_eq!(r.status, 200);
    // Different EndTime, different ScanBy, garbage: rejected.
    for req in [
        mk(DAY0 + 7200, "TimestampAscending", Some(&token)),
        mk(DAY0 + 3600, "TimestampDescending", Some(&token)),
        mk(DAY0 + 3600, "TimestampAscending", Some("not-a-token")),
    ] {
        let (r, v) = cw_call(&f, R, "GetMetricData", &req).await;
        assert_cw_error(&r, &v, 400, "InvalidNextToken");
    }
    // Different queries: rejected.
    let other = gmd_request(
        vec![metric_query(
            "a",
            "AWS/Logs",
            "IncomingBytes",
            &lg("/a"),
            60,
            "Average",
        )],
        DAY0,
        DAY0 + 3600,
        vec![
            ("ScanBy", t("TimestampAscending")),
            ("NextToken", t(&token)),
        ],
    );
    let (r, v) = cw_call(&f, R, "GetMetricData", &other).await;
    assert_cw_error(&r, &v, 400, "InvalidNextToken");
}

#[tokio::test]
async fn query_validation_errors() {
    let f = fake().await;
    let good = || metric_query("a", "AWS/Logs", "IncomingBytes", &lg("/a"), 60, "Sum");
    let with = |mut q: Value, k: &str, v: Value| {
        if let Value::Map(m) = &mut q {
            m.retain(|(key, _)| *key != t(k));
            m.push((t(k), v));
        }
        q
    };
    let expect = async |qs: Vec<Value>, start: i64, end: i64, code: &str, needle: &str| {
        let (r, v) = cw_call(&f, R, "GetMetricData", &gmd_request(qs, start, end, vec![])).await;
        let msg = assert_cw_error(&r, &v, 400, code);
        assert!(msg.contains(needle), "{msg:?} should contain {needle:?}");
    };

    expect(
        vec![with(good(), "Id", t("Bad"))],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "^[a-z][a-zA-Z0-9_]*$",
    )
    .await;
    expect(
        vec![with(good(), "Id", t("1a"))],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "pattern",
    )
    .await;
    expect(
        vec![good(), good()],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "not unique",
    )
    .await;
    expect(
        vec![metric_query("a", "N", "M", &[], 7, "Sum")],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "multiple of 60",
    )
    .await;
    expect(
        vec![metric_query("a", "N", "M", &[], 90, "Sum")],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "multiple of 60",
    )
    .await;
    expect(
        vec![metric_query("a", "N", "M", &[], 0, "Sum")],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "Period",
    )
    .await;
    expect(
        vec![metric_query("a", "N", "M", &[], 60, "p99")],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "p99",
    )
    .await;
    expect(
        vec![good()],
        DAY0,
        DAY0,
        "ValidationError",
        "StartTime must be less than",
    )
    .await;
    expect(
        vec![good()],
        DAY0 + 60,
        DAY0,
        "ValidationError",
        "StartTime must be less than",
    )
    .await;
    let expr = map(vec![("Id", t("e")), ("Expression", t("SUM(METRICS())"))]);
    expect(
        vec![expr],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "expressions not supported by the fake",
    )
    .await;
    expect(
        vec![],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "size less than 1",
    )
    .await;
    let dims: Vec<(String, String)> = (0..31)
        .map(|i| (format!("d{i}"), "v".to_string()))
        .collect();
    let dims: Vec<(&str, &str)> = dims.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
    expect(
        vec![metric_query("a", "N", "M", &dims, 60, "Sum")],
        DAY0,
        DAY0 + 60,
        "ValidationError",
        "30",
    )
    .await;

    // Valid sub-minute periods.
    for p in [1, 5, 10, 20, 30, 60, 120, 86_400] {
        let (r, _) = cw_call(
            &f,
            R,
            "GetMetricData",
            &gmd_request(
                vec![metric_query("a", "N", "M", &[], p, "Sum")],
                DAY0,
                DAY0 + 60,
                vec![],
            ),
        )
        .await;
        assert_eq!(r.status, 200, "period {p}");
    }

    // Missing required parameters.
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &map(vec![("MetricDataQueries", Value::Array(vec![good()]))]),
    )
    .await;
    assert!(assert_cw_error(&r, &v, 400, "MissingParameter").contains("StartTime"));

    // MaxDatapoints must be positive.
    let (r, v) = cw_call(
        &f,
        R,
        "GetMetricData",
        &gmd_request(
            vec![good()],
            DAY0,
            DAY0 + 60,
            vec![("MaxDatapoints", Value::Integer(0.into()))],
        ),
    )
    .await;
    assert_cw_error(&r, &v, 400, "ValidationError");
}

#[tokio::test]
async fn labels_integer_timestamps_and_unknown_operations() {
    let f = fake().await;
    f.put_metric(R, "AWS/Logs", "IncomingBytes", &lg("/a"), &[(DAY0, 2.0)]);
    let mut q = metric_query("a", "AWS/Logs", "IncomingBytes", &lg("/a"), 60, "Sum");
    if let Value::Map(m) = &mut q {
        m.push((t("Label"), t("my label")));
    }
    // Timestamps as tag 1 + integer are accepted too.
    let req = map(vec![
        ("MetricDataQueries", Value::Array(vec![q])),
        (
            "StartTime",
            Value::Tag(1, Box::new(Value::Integer(DAY0.into()))),
        ),
        (
            "EndTime",
            Value::Tag(1, Box::new(Value::Integer((DAY0 + 60).into()))),
        ),
    ]);
    let (r, v) = cw_call(&f, R, "GetMetricData", &req).await;
    assert_eq!(r.status, 200);
    let page = parse_gmd(&v);
    assert_eq!(page.results[0].label, "my label");
    assert_eq!(page.results[0].values, vec![2.0]);
    // Response timestamps are tag 1.
    let ts0 = match cbor_get(&v, "MetricDataResults") {
        Some(Value::Array(a)) => cbor_get(&a[0], "Timestamps").cloned(),
        _ => None,
    };
    assert!(matches!(ts0, Some(Value::Array(a)) if matches!(a[0], Value::Tag(1, _))));
    assert!(matches!(cbor_get(&v, "Messages"), Some(Value::Array(m)) if m.is_empty()));

    let (r, v) = cw_call(&f, R, "DescribeAlarms", &map(vec![])).await;
    assert_cw_error(&r, &v, 400, "UnknownOperationException");

    // Untagged timestamps are a serialization error.
    let req = map(vec![
        (
            "MetricDataQueries",
            Value::Array(vec![metric_query("a", "N", "M", &[], 60, "Sum")]),
        ),
        ("StartTime", Value::Float(DAY0 as f64)),
        ("EndTime", ts(DAY0 + 60)),
    ]);
    let (r, v) = cw_call(&f, R, "GetMetricData", &req).await;
    assert_cw_error(&r, &v, 400, "SerializationException");
}
