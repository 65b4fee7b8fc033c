//! `logplan queries usage`: what Logs Insights really scanned, read from DescribeQueries (all
//! pages) in every region and account sampled; and the same reading for `report`, which uses the
//! measured volume per group in place of its plan or assumption.

use crate::aws::AccountApi;
use crate::aws::insights::{InsightsApi, ScheduledQuery, all_queries};
use crate::aws::sdk::{ConnectSettings, SdkAccount};
use crate::cli::{GlobalArgs, UsageArgs};
use crate::commands::print_stdout;
use crate::config::Config;
use crate::demo::{DEMO_REGION, DemoAccount};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::progress::Reporter;

use crate::queries::identity::parse_scheduled_description;
use crate::queries::usage::{self, Sampled, Usage};

/// The last `days` whole days (UTC) before today: `[since, until)` in epoch milliseconds.
pub(crate) fn window(days: u32) -> (i64, i64) {
    let now = chrono::Utc::now().timestamp();
    let until = (now - now.rem_euclid(86_400)) * 1000;
    (until - i64::from(days) * 86_400_000, until)
}

/// What an account and region holds for Insights: the queries that ran, and its scheduled
/// queries (with whether AWS manages them).
#[derive(Default)]
pub(crate) struct AccountInsights {
    pub records: Vec<Sampled>,
    pub scheduled: Vec<(String, String, ScheduledQuery, bool)>,
    /// Regions or accounts that could not be read, one line each.
    pub failures: Vec<String>,
}

async fn read_region<R: InsightsApi>(
    api: &R,
    account: &str,
    region: &str,
    with_scheduled: bool,
    out: &mut AccountInsights,
) {
    match all_queries(api).await {
        Ok(rs) => out.records.extend(rs.into_iter().map(|record| Sampled {
            account_id: account.to_string(),
            region: region.to_string(),
            record,
        })),
        Err(e) => out.failures.push(format!("{account} {region}: {e}")),
    }
    if !with_scheduled {
        return;
    }
    match crate::aws::insights::all_scheduled(api).await {
        Ok(list) => {
            for s in list {
                match api
                    .get_scheduled_query(s.arn.clone().unwrap_or(s.name.clone()))
                    .await
                {
                    Ok(q) => out.scheduled.push((
                        account.to_string(),
                        region.to_string(),
                        q,
                        s.schedule_type.as_deref() == Some("AWS_MANAGED"),
                    )),
                    Err(e) => out.failures.push(format!("{account} {region}: {e}")),
                }
            }
        }
        Err(e) => out.failures.push(format!("{account} {region}: {e}")),
    }
}

async fn read_account<A: AccountApi>(
    account: &A,
    regions: &[String],
    with_scheduled: bool,
    out: &mut AccountInsights,
) where
    A::Region: InsightsApi,
{
    let id = match account.account_id().await {
        Ok(id) => id,
        Err(e) => {
            out.failures.push(e.to_string());
            return;
        }
    };
    for r in regions {
        read_region(&account.region(r), &id, r, with_scheduled, out).await;
    }
}

/// Read every region of every account the way `sample` reaches them (the base credentials and
/// each `[[accounts]]` role); the demo account with `demo`.
pub(crate) async fn read(
    global: &GlobalArgs,
    config: &Config,
    demo: bool,
    with_scheduled: bool,
) -> Result<AccountInsights> {
    let mut out = AccountInsights::default();
    let mut regions = if global.regions.is_empty() {
        config.regions.clone()
    } else {
        global.regions.clone()
    };
    if demo {
        if regions.is_empty() {
            regions.push(DEMO_REGION.to_string());
        }
        read_account(&DemoAccount::new(), &regions, with_scheduled, &mut out).await;
        return Ok(out);
    }
    let settings = ConnectSettings::new(global.profile.clone(), &config.aws, global.max_attempts);
    let base = SdkAccount::connect(&settings, regions.first().map(String::as_str)).await?;
    if regions.is_empty() {
        regions.push(base.default_region().ok_or_else(|| {
            Error::Usage(
                "no region: pass --region, set `regions` in logplan.toml, or set AWS_REGION".into(),
            )
        })?);
    }
    for r in &regions {
        crate::regions::check(r)?;
    }
    // A monitoring account without a role is read with the base credentials, once:
    // DescribeQueries is not shared through cross-account observability, so a source account's
    // own query history needs a role in it.
    for (reader, rs) in crate::config::readers(&config.accounts, &regions) {
        match reader {
            crate::config::Reader::Base => read_account(&base, &rs, with_scheduled, &mut out).await,
            crate::config::Reader::Role(assumed) => match base.assume(&assumed).await {
                Ok(acct) => read_account(&acct, &rs, with_scheduled, &mut out).await,
                Err(e) => out.failures.push(format!("{}: {e}", assumed.role_arn)),
            },
        }
    }
    Ok(out)
}

/// The scheduled queries the library `lib` does not manage (all of them without a library id).
pub(crate) fn unmanaged(
    scheduled: &[(String, String, ScheduledQuery, bool)],
    lib: Option<&str>,
) -> Vec<(String, String, ScheduledQuery, bool)> {
    scheduled
        .iter()
        .filter(|(_, _, q, _)| {
            let (_, m) = parse_scheduled_description(q.description.as_deref().unwrap_or(""));
            lib.is_none() || m.and_then(|m| m.lib).as_deref() != lib
        })
        .cloned()
        .collect()
}

fn gib(bytes: u64) -> String {
    let g = rust_decimal::Decimal::from(bytes) / rust_decimal::Decimal::from(1_073_741_824u64);
    format!("{:.3}", g.round_dp(3))
}

fn table(title: &str, lines: &[usage::Line], with_kind: bool) -> String {
    let mut o = format!("\n{title}\n");
    o += &format!(
        "{:>12} {:>8}  {}\n",
        "GiB",
        "queries",
        if with_kind { "kind      what" } else { "" }
    );
    for l in lines.iter().take(25) {
        if with_kind {
            o += &format!(
                "{:>12} {:>8}  {:<9} {}\n",
                gib(l.bytes),
                l.queries,
                l.kind,
                if l.kind == "library" {
                    &l.key
                } else {
                    &l.detail
                }
            );
        } else {
            o += &format!("{:>12} {:>8}  {}\n", gib(l.bytes), l.queries, l.key);
        }
    }
    if lines.len() > 25 {
        o += &format!("  ... and {} more (--json for all)\n", lines.len() - 25);
    }
    o
}

pub(super) async fn run(global: &GlobalArgs, a: &UsageArgs, reporter: &Reporter) -> Result<i32> {
    if a.days == 0 {
        return Err(Error::Usage("--days must be at least 1".into()));
    }
    let (config, _) = Config::discover(global.config.as_deref())?;
    let read = read(global, &config, a.demo, false).await?;
    for f in &read.failures {
        reporter.warn(&format!("not read: {f}"));
    }
    if read.records.is_empty() && !read.failures.is_empty() {
        return Err(Error::Usage(format!(
            "DescribeQueries could not be read anywhere: {}",
            read.failures[0]
        )));
    }
    let (since, until) = window(a.days);
    let u: Usage = usage::aggregate(&read.records, since, until);
    if a.json {
        let text = serde_json::to_string_pretty(&u).map_err(|e| Error::Internal(e.to_string()))?;
        print_stdout(&(text + "\n"))?;
    } else {
        let mut o = format!(
            "Logs Insights scans in the last {} days: {} queries, {} GiB\n",
            a.days,
            u.queries,
            gib(u.bytes)
        );
        o += &table("By log group", &u.by_log_group, false);
        o += &table("By query", &u.by_query, true);
        o += &table("By user", &u.by_user, false);
        print_stdout(&o)?;
    }
    Ok(if read.failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// Used by `report`: the measured scans per group scaled to a month, or `None` when nothing
/// could be read (the report then says so and falls back).
pub(crate) async fn measured_for_report(
    global: &GlobalArgs,
    config: &Config,
    demo: bool,
    month_days: i64,
    reporter: &Reporter,
) -> (
    Option<crate::model::ScanPlan>,
    Vec<(String, String, ScheduledQuery, bool)>,
) {
    match read(global, config, demo, true).await {
        Ok(r) => {
            for f in &r.failures {
                reporter.warn(&format!("Insights usage not read: {f}"));
            }
            let (since, until) = window(7);
            let u = usage::aggregate(&r.records, since, until);
            let plan = (!u.per_group.is_empty()).then(|| usage::monthly_scan(&u, month_days));
            (plan, unmanaged(&r.scheduled, config.library_id.as_deref()))
        }
        Err(e) => {
            reporter.warn(&format!("Insights usage not read: {e}"));
            (None, Vec::new())
        }
    }
}
