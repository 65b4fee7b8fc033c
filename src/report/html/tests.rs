//! The page's tests: escaping, well-formedness, determinism, the charts' limits, and the shared
//! sample report the other renderers' tests use too.

use std::collections::BTreeMap;

use rust_decimal::Decimal;

use super::Html;
use crate::model::{Path, Scenario};
use crate::money::MicroUsd;
use crate::pricing::Status;
use crate::report::charts::{Px, Scale, ellipsize};
use crate::report::data::{
    ApiUse, Assumption, BreakevenCurve, GroupRow, PathTotal, Previous, PriceUsed, ReportData,
};

fn render(d: &ReportData) -> String {
    super::render(d).expect("renders")
}

/// The page's escaping, as a function.
fn escape(s: &str) -> String {
    let mut o = String::new();
    askama::filters::Escaper::write_escaped_str(&Html, &mut o, s).expect("to a String");
    o
}

fn parse_usd(s: &str) -> Option<MicroUsd> {
    crate::report::data::parse_usd(s)
}

// The formatter's names as this file first knew them.
use crate::format::{compact as short_num, compact_usd as short_usd, fixed, percent as pct, price};
fn n(x: f64) -> String {
    Px(x).to_string()
}
fn gib(bytes: u64) -> String {
    crate::format::gib(bytes, 2)
}

const NASTY: &str = "<script>alert(\"x\")</script> & co";

fn m(usd: &str) -> MicroUsd {
    parse_usd(usd).expect("test amount")
}

fn dec(s: &str) -> Decimal {
    s.parse().expect("test decimal")
}

fn path(p: Path, parts: &[(&str, &str)]) -> PathTotal {
    let components: Vec<(String, MicroUsd)> =
        parts.iter().map(|(n, v)| (n.to_string(), m(v))).collect();
    PathTotal {
        path: p,
        title: p.title().to_string(),
        total_usd: Some(components.iter().map(|c| c.1).sum()),
        reason: None,
        components,
    }
}

#[allow(clippy::too_many_arguments)]
fn group(
    name: &str,
    region: &str,
    gib_in: u64,
    events: u64,
    today: Path,
    costs: [Option<&str>; 5],
    scan: &str,
    be: Option<&str>,
) -> GroupRow {
    let path_usd: Vec<Option<MicroUsd>> = costs.iter().map(|c| c.map(m)).collect();
    let today_usd = path_usd[today.index()].unwrap_or_default();
    let (best_i, best_usd) = path_usd
        .iter()
        .enumerate()
        .filter_map(|(i, c)| c.map(|c| (i, c)))
        .min_by_key(|(i, c)| (*c, *i))
        .expect("one path");
    GroupRow {
        account_id: "111122223333".into(),
        region: region.into(),
        log_group: name.into(),
        log_group_class: Some("STANDARD".into()),
        vended: name.contains("vpc"),
        source: "custom",
        billing_class: "custom".into(),
        billing_basis: "name",
        incoming_bytes: gib_in * (1 << 30) + (1 << 28),
        incoming_events: events,
        today_path: today,
        today_usd,
        today_shared_usd: MicroUsd::ZERO,
        path_shared_usd: path_usd.iter().map(|c| c.map(|_| MicroUsd::ZERO)).collect(),
        path_usd,
        best_path: Path::ALL[best_i],
        best_usd,
        savings_usd: today_usd - best_usd,
        breakeven_scan_gib: be.map(dec),
        breakeven_full_scans: be.map(|b| (dec(b) / Decimal::from(gib_in)).round_dp(2)),
        scan_gib: dec(scan),
        scan_source: "assumption".into(),
    }
}

/// A small, realistic report: three groups (one with a hostile name), PrivateLink
/// unavailable, free-tier credits, a previous month, API use, caveated prices.
pub(crate) fn sample() -> ReportData {
    let credits = [
        ("free_tier_ingest", "-2.50"),
        ("free_tier_storage", "-0.15"),
        ("free_tier_scan", "-0.03"),
    ];
    let mut cw = vec![
        ("cloudwatch_ingest", "1840.50"),
        ("cloudwatch_storage", "210.30"),
        ("insights_scan", "960.00"),
    ];
    cw.extend(credits);
    let mut fwd = vec![
        ("cloudwatch_ingest", "1840.50"),
        ("cloudwatch_storage", "210.30"),
        ("forwarder_requests", "0.75"),
        ("forwarder_duration", "62.10"),
        ("egress_internet", "285.20"),
        ("datadog_ingest", "368.10"),
        ("datadog_index", "1020.00"),
        ("free_tier_egress", "-9.00"),
        ("free_tier_lambda_duration", "-6.67"),
    ];
    fwd.extend(credits[..2].iter().copied());
    let mut fh = vec![
        ("cloudwatch_ingest", "1840.50"),
        ("cloudwatch_storage", "210.30"),
        ("firehose_ingest", "107.00"),
        ("egress_internet", "285.20"),
        ("datadog_ingest", "368.10"),
        ("datadog_index", "1020.00"),
        ("free_tier_egress", "-9.00"),
    ];
    fh.extend(credits[..2].iter().copied());
    let mut hy = vec![
        ("cloudwatch_ingest", "1840.50"),
        ("cloudwatch_storage", "210.30"),
        ("insights_scan", "960.00"),
        ("forwarder_requests", "0.08"),
        ("forwarder_duration", "6.21"),
        ("egress_internet", "28.52"),
        ("datadog_ingest", "36.81"),
        ("datadog_index", "102.00"),
    ];
    hy.extend(credits);
    let mut pl = path(Path::DatadogPrivatelink, &[]);
    pl.total_usd = None;
    pl.reason = Some("Datadog site US5 (GCP us-central1) has no AWS PrivateLink endpoint".into());
    let paths = vec![
        path(Path::Cloudwatch, &cw),
        path(Path::DatadogForwarder, &fwd),
        path(Path::DatadogFirehose, &fh),
        pl,
        path(Path::Hybrid, &hy),
    ];
    let groups = vec![
        group(
            "/aws/lambda/checkout-api",
            "us-east-1",
            2900,
            1_840_000_000,
            Path::DatadogForwarder,
            [
                Some("2210.40"),
                Some("2702.15"),
                Some("2650.90"),
                None,
                Some("2330.10"),
            ],
            "5800",
            Some("98500.5"),
        ),
        group(
            NASTY,
            "eu-west-1",
            610,
            120_500_000,
            Path::DatadogForwarder,
            [
                Some("520.10"),
                Some("688.00"),
                Some("671.30"),
                None,
                Some("549.90"),
            ],
            "1220",
            Some("34200"),
        ),
        group(
            "/aws/vpc/flowlogs/platform-shared-services-production-eu-west-1-payments-reconciliation",
            "eu-west-1",
            170,
            44_000_000,
            Path::Cloudwatch,
            [
                Some("280.02"),
                Some("310.20"),
                Some("255.60"),
                None,
                Some("296.00"),
            ],
            "0",
            Some("0"),
        ),
    ];
    let cw_total = paths[0].total_usd.unwrap_or_default();
    let today: MicroUsd = groups.iter().map(|g| g.today_usd).sum();
    let best_mix: MicroUsd = groups.iter().map(|g| g.best_usd).sum();
    let datadog = paths[1..4]
        .iter()
        .filter_map(|p| p.total_usd.map(|t| (p.path, t)))
        .collect();
    let price = |id: &str, unit: &str, v: &[&str], status: Status, source: &str| PriceUsed {
        id: id.into(),
        region: "us-east-1".into(),
        description: format!("{id} description"),
        unit: unit.into(),
        prices: v.iter().map(|s| dec(s)).collect(),
        status,
        source: source.into(),
        effective_from: None,
        book_prices: None,
    };
    let mut over = price(
        "datadog.index.15d",
        "1M events",
        &["1.70"],
        Status::Override,
        "logplan.toml [prices]",
    );
    over.book_prices = Some(vec![dec("2.50")]);
    ReportData {
        billing: Default::default(),
        schema_version: 1,
        generated_by: "logplan 0.1.0".into(),
        month: "2025-10".into(),
        period_start: Some("2025-10-01".into()),
        period_end_exclusive: Some("2025-11-01".into()),
        period: crate::report::data::PeriodInfo::of(&crate::period::Priced {
            month: crate::period::Period::month(2025, 10).unwrap(),
            measured: crate::period::Period::month(2025, 10).unwrap(),
            basis: crate::period::Basis::Snapshot,
        }),
        account_totals: vec![],
        accounts: vec!["111122223333".into()],
        regions: vec!["eu-west-1".into(), "us-east-1".into()],
        price_book_effective: "2025-09-15".into(),
        scenario: Scenario::default(),
        assumptions: vec![
            Assumption {
                name: "Datadog site".into(),
                value: "US5 (GCP us-central1)".into(),
                note: "decides whether PrivateLink exists".into(),
            },
            Assumption {
                name: "Insights scans".into(),
                value: "2 full scans of the month's data per month".into(),
                note: "assumed for 3 of 3 groups <all>".into(),
            },
        ],
        today_total_usd: today,
        best_path: Path::Cloudwatch,
        best_path_total_usd: cw_total,
        best_path_savings_usd: today - cw_total,
        best_mix_total_usd: best_mix,
        best_mix_savings_usd: today - best_mix,
        recommendation: crate::report::data::RecommendationData {
            choice: crate::model::Choice::Path(Path::Cloudwatch),
            total_usd: cw_total,
            savings_usd: today - cw_total,
            mix_cheaper_than_best_path: best_mix < cw_total,
            statement: format!(
                "Recommended: every log group on CloudWatch + Insights ({cw_total} a month)."
            ),
            mix_note: format!(
                "Each group on its own cheapest path, priced together, costs {best_mix}."
            ),
        },
        breakeven_curve: BreakevenCurve {
            cloudwatch_base_usd: cw_total - m("960.00"),
            scan_usd_per_gib: dec("0.005"),
            current_scan_gib: dec("7020"),
            datadog,
        },
        paths,
        groups,
        prices: vec![
            price(
                "cwl.ingest.standard",
                "GB",
                &["0.50"],
                Status::Confirmed,
                "https://aws.amazon.com/cloudwatch/pricing/",
            ),
            price(
                "egress.internet",
                "GB",
                &["0.09", "0.085", "0.07", "0.05"],
                Status::Derived,
                "AWS price list API copy",
            ),
            price(
                "lambda.duration.arm64",
                "GB-s",
                &["0.0000133334"],
                Status::Unconfirmed,
                "a blog post <2024> & notes",
            ),
            over,
            price(
                "lambda.free_gb_seconds",
                "GB-s",
                &["400000"],
                Status::Unconfirmed,
                "third-party summaries",
            ),
        ],
        api: Some(ApiUse {
            calls: BTreeMap::from([
                ("cloudwatch:GetMetricData".to_string(), 40),
                ("logs:DescribeLogGroups".to_string(), 12),
            ]),
            metrics_requested: 480,
            cost_usd: MicroUsd(4_800),
            warnings: vec!["GetMetricData in us-east-1: MaxMetricsExceeded".into()],
            throttled: BTreeMap::from([("logs:DescribeLogGroups".to_string(), 3)]),
        }),
        previous: Some(Previous {
            month: "2025-09".into(),
            today_total_usd: "3320.120000".into(),
            path_totals: BTreeMap::from([
                ("cloudwatch".to_string(), "2912.400000".to_string()),
                ("datadog_forwarder".to_string(), "3702.000000".to_string()),
            ]),
        }),
        actuals: None,
    }
}

/// Tags open and close in order (void elements aside): a cheap well-formedness check that
/// catches a stray `<` from unescaped data or a missing close tag.
fn check_balanced(html: &str) {
    const VOID: &[&str] = &[
        "meta", "br", "hr", "img", "input", "link", "col", "wbr", "area", "base", "source",
    ];
    let mut stack: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find('<') {
        rest = &rest[i + 1..];
        if rest.starts_with('!') {
            rest = &rest[rest.find('>').expect("closed declaration") + 1..];
            continue;
        }
        let end = rest.find('>').expect("closed tag");
        let tag = &rest[..end];
        rest = &rest[end + 1..];
        let closing = tag.starts_with('/');
        let name: String = tag
            .trim_start_matches('/')
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        assert!(!name.is_empty(), "bad tag <{tag}>");
        if closing {
            let open = stack.pop().unwrap_or_default();
            assert_eq!(open, name, "</{name}> closes <{open}>");
        } else if !tag.ends_with('/') && !VOID.contains(&name.as_str()) {
            stack.push(name);
        }
    }
    assert!(stack.is_empty(), "unclosed: {stack:?}");
}

#[test]
fn escapes_and_shows_everything() {
    let data = sample();
    let html = render(&data);
    let _ = std::fs::write("/tmp/logplan-report-test.html", &html);

    assert!(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co"));
    assert!(!html.contains("<script"), "raw script tag");
    for g in &data.groups {
        assert!(
            html.contains(&escape(&g.log_group)),
            "{} missing",
            g.log_group
        );
    }
    assert!(html.matches("<svg").count() >= 3);
    for id in ["chart-paths", "chart-savings", "chart-breakeven"] {
        assert!(
            html.contains(&format!("aria-labelledby=\"{id}-title\"")),
            "{id}"
        );
    }
    // Negative credits render with a minus sign, in the table and the chart.
    assert_eq!(MicroUsd(-2_500_000).to_string(), "-$2.50");
    assert!(html.contains("<td class=\"num\">-$2.50</td>"));
    assert!(html.contains("url(#lp-hatch)"));
    assert!(html.contains("Free tier: ingestion"));
    // The unavailable path says why.
    assert!(html.contains("has no AWS PrivateLink endpoint"));
    // Key figures, month over month, caveats, API use.
    assert!(html.contains(&data.today_total_usd.to_string()));
    assert!(html.contains(&data.best_path_savings_usd.to_string()));
    assert!(html.contains("2025-09"));
    assert!(html.contains("class=\"caveat\""));
    assert!(html.contains("3 of the 5 prices used are unconfirmed or overridden"));
    assert!(html.contains("400,000<div class=\"muted small\">free allowance</div>"));
    assert!(html.contains("logs:DescribeLogGroups"));
    // The sampling run's warnings and throttling are on the page: 3 throttled of 12 calls.
    assert!(html.contains("<li>GetMetricData in us-east-1: MaxMetricsExceeded</li>"));
    assert!(html.contains(
        "<tr><td><code>logs:DescribeLogGroups</code></td><td class=\"num\">12</td><td class=\"num\">3</td></tr>"
    ));
    // GiB with two decimals: 2900.25 GiB.
    assert!(html.contains("2,900.25"));
}

#[test]
fn nothing_external() {
    let html = render(&sample());
    for bad in [
        "<link", "<script", "<img", "@import", "url(http", "src=", "href=",
    ] {
        assert!(!html.contains(bad), "{bad}");
    }
    // URLs appear only as the plain text of a price's source.
    assert!(html.contains(">https://aws.amazon.com/cloudwatch/pricing/</td>"));
    for scheme in ["http://", "https://"] {
        for (i, _) in html.match_indices(scheme) {
            let cell = html[..i].rfind("<td").expect("inside a cell");
            assert!(
                html[cell..].starts_with("<td class=\"src\">"),
                "URL outside a source cell"
            );
            assert!(
                !html[cell..i].contains("</td>"),
                "URL outside a source cell"
            );
        }
    }
}

#[test]
fn well_formed_with_one_table_per_section() {
    let html = render(&sample());
    check_balanced(&html);
    let dom = tl::parse(&html, tl::ParserOptions::default()).expect("parses");
    let parser = dom.parser();
    let tables = dom.query_selector("table").expect("selector").count();
    // paths, month over month, groups, assumptions, prices, API use
    assert_eq!(tables, 6);
    assert_eq!(dom.query_selector("svg").expect("selector").count(), 3);
    // Two header rows, then one row per group.
    let groups_table = dom
        .query_selector(".groups")
        .and_then(|mut q| q.next())
        .and_then(|h| h.get(parser))
        .and_then(|n| n.as_tag())
        .expect("groups table");
    let rows = groups_table
        .query_selector(parser, "tr")
        .expect("selector")
        .count();
    assert_eq!(rows, 2 + 3);
    let title = dom
        .query_selector("title")
        .and_then(|mut q| q.next())
        .and_then(|h| h.get(parser))
        .map(|n| n.inner_text(parser).to_string());
    assert_eq!(title.as_deref(), Some("Log cost report — 2025-10"));
}

#[test]
fn deterministic_and_minimal_data() {
    let data = sample();
    assert_eq!(render(&data), render(&data));
    // No groups, no previous month, no API use, no Datadog path: still a whole page.
    let mut empty = sample();
    empty.groups.clear();
    empty.previous = None;
    empty.api = None;
    empty.breakeven_curve.datadog.clear();
    empty.breakeven_curve.current_scan_gib = Decimal::ZERO;
    let html = render(&empty);
    check_balanced(&html);
    assert!(html.contains("No log group would cost less"));
    assert!(html.contains("No log groups in this report."));
    assert_eq!(html.matches("<table").count(), 4);
}

#[test]
fn top_ten_only_and_many_accounts() {
    let mut data = sample();
    data.accounts.push("444455556666".into());
    for i in 0..12u64 {
        let base = 100 + i * 37;
        let today = format!("{}.{:02}", base + 20 + i * 13, i);
        let best = format!("{base}.00");
        let other = format!("{}.50", base + 45);
        let name = format!(
            "/aws/lambda/service-{i:02}-with-a-rather-long-name-{}",
            "x".repeat(i as usize * 3)
        );
        let mut g = group(
            &name,
            "us-west-2",
            10 + i * 40,
            1_000_000 * (i + 1),
            Path::Cloudwatch,
            [Some(&today), Some(&other), Some(&best), None, Some(&other)],
            "20",
            Some("1234.5"),
        );
        g.account_id = "444455556666".into();
        data.groups.push(g);
    }
    let html = render(&data);
    let _ = std::fs::write("/tmp/logplan-report-large.html", &html);
    check_balanced(&html);
    assert_eq!(html.matches("<rect class=\"saving\"").count(), 10);
    assert!(html.contains("<div class=\"muted small\">444455556666</div>"));
    // Long names are shortened in the chart, whole in its tooltip and in the table.
    let long = &data.groups[14].log_group;
    assert!(html.contains(&format!(">{}</text>", ellipsize(long, 44))));
    assert!(html.contains(&format!("<title>{long} (us-west-2")));
    assert!(html.contains(&format!("<td class=\"name\">{long}<div")));
}

#[test]
fn svg_numbers_have_at_most_two_decimals() {
    let html = render(&sample());
    for attr in [
        " x=\"",
        " y=\"",
        " width=\"",
        " x1=\"",
        " y2=\"",
        " cx=\"",
        " cy=\"",
    ] {
        for (i, _) in html.match_indices(attr) {
            let v = &html[i + attr.len()..];
            let v = &v[..v.find('"').expect("quoted")];
            if let Some((_, frac)) = v.split_once('.') {
                assert!(frac.len() <= 2, "{attr}{v}");
            }
        }
    }
}

#[test]
fn formatting_helpers() {
    assert_eq!(short_num(1234.0), "1.2k");
    assert_eq!(short_num(3_400_000.0), "3.4M");
    assert_eq!(short_num(250.0), "250");
    assert_eq!(short_num(0.25), "0.25");
    assert_eq!(short_num(0.0), "0");
    assert_eq!(short_usd(-1500.0), "-$1.5k");
    assert_eq!(n(1.0 / 3.0), "0.33");
    assert_eq!(n(-0.001), "0");
    assert_eq!(n(12.0), "12");
    assert_eq!(fixed(dec("1234567.891"), 1), "1,234,567.9");
    assert_eq!(fixed(dec("-0.5"), 0), "-1");
    assert_eq!(gib(1 << 30), "1.00");
    assert_eq!(gib(3 * (1 << 29)), "1.50");
    assert_eq!(price(dec("0.5")), "0.50");
    assert_eq!(price(dec("0.0000133334")), "0.0000133334");
    assert_eq!(pct(MicroUsd(1), MicroUsd(3)).as_deref(), Some("33.3%"));
    assert_eq!(ellipsize("abcdefghij", 6), "ab…hij");
    assert_eq!(
        escape("<a href=\"x\">'&'</a>"),
        "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
    );
    let s = Scale::nice(0.0, 3740.0, 6);
    assert_eq!(s.ticks.first(), Some(&0.0));
    assert!(s.hi >= 3740.0);
}

fn variance_row(
    name: &str,
    modeled: i64,
    billed: Option<i64>,
    flagged: bool,
) -> crate::reconcile::ComponentVariance {
    crate::reconcile::ComponentVariance {
        component: name.into(),
        unit: "GB".into(),
        modeled_quantity: dec("30"),
        billed_quantity: billed.map(|_| dec("37.5")),
        sampled_gib: Some(dec("30")),
        modeled_usd: MicroUsd(modeled),
        billed_usd: billed.map(MicroUsd),
        billed_net_usd: None,
        variance_usd: billed.map(|b| MicroUsd(b - modeled)),
        variance_pct: billed.map(|_| dec("30.00")),
        flagged,
        volume_effect_usd: billed.map(|_| MicroUsd(3_125_000)),
        price_effect_usd: billed.map(|_| MicroUsd(625_000)),
        usage_types: vec!["USE1-DataProcessing-Bytes".into()],
        basis: "<basis & co>".into(),
    }
}

#[test]
fn reconciliation_section_is_escaped_and_well_formed() {
    use crate::reconcile::*;
    let mut data = sample();
    let total = TotalVariance {
        modeled_usd: MicroUsd(12_500_000),
        billed_usd: MicroUsd(16_250_000),
        variance_usd: MicroUsd(3_750_000),
        variance_pct: Some(dec("30.00")),
        flagged: true,
        volume_effect_usd: MicroUsd(3_125_000),
        price_effect_usd: MicroUsd(625_000),
    };
    data.actuals = Some(Reconciliation {
        groups: None,
        month: "2025-10".into(),
        threshold_percent: dec("10"),
        aws: Some(AwsReconciliation {
            status: "reconciled".into(),
            source: Default::default(),
            reason: None,
            requests: 2,
            request_cost_usd: MicroUsd(20_000),
            from_cache: false,
            cache_file: Some("reports/2025-10/actuals.json".into()),
            fetched_at: Some("2025-11-02T00:00:00Z".into()),
            estimated: false,
            services: vec!["AmazonCloudWatch".into()],
            components: vec![
                variance_row("cloudwatch_ingest", 12_500_000, Some(16_250_000), true),
                variance_row("egress_same_region", 1_000_000, None, false),
            ],
            total: Some(total.clone()),
            unmapped: vec![UnmappedUsage {
                account_id: None,
                usage_type: "USE1-<script>alert(1)</script>".into(),
                region: "us-east-1".into(),
                quantity: dec("120000"),
                unit: "Metrics".into(),
                billed_usd: MicroUsd(1_200_000),
                note: "not a log component".into(),
            }],
            unmapped_total_usd: MicroUsd(1_200_000),
            other_accounts: vec![],
            notes: vec!["a <note>".into()],
        }),
        datadog: Some(DatadogReconciliation {
            file: "dd.csv".into(),
            rows_used: 4,
            rows_outside_period: 0,
            rows_other_metrics: 0,
            components: vec![variance_row(
                "datadog_ingest",
                2_000_000,
                Some(2_200_000),
                false,
            )],
            total: Some(total),
            notes: vec![],
        }),
    });
    let html = render(&data);
    check_balanced(&html);
    assert!(!html.contains("<script"), "raw script tag");
    assert!(html.contains("USE1-&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        html.contains("&lt;basis &amp; co&gt;"),
        "an uncompared row shows its basis"
    );
    assert!(html.contains("<tr class=\"flagged\"><td><code>cloudwatch_ingest</code>"));
    assert!(html.contains("+30.0%"));
    assert!(
        html.contains("Cost Explorer: 2 requests ($0.02); cached in reports/2025-10/actuals.json.")
    );
    // Reconciliation, unmapped usage types and Datadog: three more tables than without.
    assert_eq!(html.matches("<table").count(), 6 + 3);
    let md = super::super::markdown::render(&data).expect("renders");
    assert!(
        md.contains("| cloudwatch_ingest | $12.50 | $16.25 | +$3.75 | +30.0% | ⚠ |"),
        "{md}"
    );
    let csv = super::super::tables::reconciliation_csv(&data).expect("rows");
    assert_eq!(csv.lines().count(), 1 + 2 + 1 + 1 + 1 + 1);
    assert!(csv.lines().all(|l| !l.contains('\n')));
    // An unavailable AWS side renders a notice, no table, and no CSV without Datadog.
    if let Some(r) = data.actuals.as_mut() {
        r.datadog = None;
        if let Some(a) = r.aws.as_mut() {
            a.status = "unavailable".into();
            a.reason = Some("AccessDenied on ce:GetCostAndUsage".into());
            a.requests = 0;
        }
    }
    let html = render(&data);
    check_balanced(&html);
    assert!(
        html.contains("<strong>Actuals not included:</strong> AccessDenied on ce:GetCostAndUsage")
    );
    assert_eq!(html.matches("<table").count(), 6);
    assert!(super::super::tables::reconciliation_csv(&data).is_none());
}

#[test]
fn large_reports_list_the_groups_that_matter_and_say_so() {
    let mut data = sample();
    let template = data.groups[0].clone();
    // 150 more groups after the sample's three, /bulk/i costing $i today and saving nothing.
    let bulk = |name: String, micros: i64| {
        let mut g = template.clone();
        g.log_group = name;
        g.today_usd = MicroUsd(micros);
        g.best_usd = g.today_usd;
        g.savings_usd = MicroUsd::ZERO;
        g
    };
    for i in 1..=150i64 {
        data.groups
            .push(bulk(format!("/bulk/{i:03}"), i * 1_000_000));
    }
    data.today_total_usd = MicroUsd(100_000_000_000);
    // The 100 costing most: the sample's three ($2,702.15, $688.00, $280.02) and /bulk/054
    // to /bulk/150. The 100 saving most: the sample's three (they save), then zero savers by
    // position, /bulk/001 to /bulk/097. Together: all 153, so the table is whole.
    let html = render(&data);
    check_balanced(&html);
    assert!(html.contains("<h2>All log groups</h2>"));
    // One more group that costs and saves nothing ranks in neither list, and is under the
    // threshold: 1% of $100,000 today is $1,000.
    data.groups.push(bulk("/bulk/zero".into(), 0));
    let html = render(&data);
    check_balanced(&html);
    assert!(html.contains("<h2>Log groups that matter</h2>"));
    assert!(html.contains(
        "153 of 154 log groups: the 100 that cost most today, the 100 that would save most, \
         and every group costing or saving at least $1,000.00 a month (1% of today's total)."
    ));
    assert!(html.contains("<code>log_groups.csv</code>"));
    assert!(!html.contains(">/bulk/zero<"));
    assert!(html.contains(">/bulk/097<") && html.contains(">/bulk/054<"));
}
