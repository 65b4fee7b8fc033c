//! Datadog's side measured from Datadog's usage metering API (`--datadog-usage api`): the month's
//! ingested log bytes, indexed log events by retention, and Flex stored events, read from
//! `GET /api/v2/usage/hourly_usage` (product families `logs` and `indexed_logs`, paginated with
//! `page[next_record_id]`), with `DD_API_KEY`, `DD_APP_KEY` (which needs `usage_read`) and
//! `DD_SITE` (`datadoghq.com` by default; a full `http(s)://` URL points at an emulator).
//!
//! Sources: Datadog API reference, "Get hourly usage by product family" (v2: query
//! `filter[timestamp][start|end]` as `YYYY-MM-DDThh`, `filter[product_families]`,
//! `page[limit]` up to 500, `page[next_record_id]`; response `data[].attributes.{product_family,
//! timestamp, measurements[].{usage_type, value}}` and `meta.pagination.next_record_id`); the
//! migration guide "Migrating from the V1 Hourly Usage APIs to V2" (family `logs`:
//! `ingested_events_bytes`, `indexed_events_count`; family `indexed_logs`:
//! `logs_indexed_events_<retention>_count` with retention `3_day` ... `custom`); rate limits
//! (docs.datadoghq.com/api/latest/rate-limits: HTTP 429, `X-RateLimit-Limit`, `-Period` (seconds,
//! calendar aligned), `-Remaining`, `-Reset` (seconds until the next reset), `-Name`). Flex stored events are read from the usage type
//! `flex_stored_logs` (the name of Datadog's usage summary and attribution APIs) when Datadog
//! reports it in those families; it is an hourly gauge, billed on its monthly average.
//!
//! The official `datadog-api-client` crate was measured (see the README) and is not used: this
//! is a small typed client of the one endpoint, on the hyper/rustls stack the AWS SDK builds.
//!
//! How the measurement drives the model, kept deliberately small: [`Measured::apply`] sets the
//! scenario's `indexed_fraction` (indexed events over the events Datadog ingested, estimated as
//! ingested bytes / the snapshot's average event size), `retention_days` (the retention that
//! holds most indexed events; longer ones priced as 30 days) and `flex` (Flex stored events
//! reported), and the report's assumptions say `measured`.

use std::collections::BTreeMap;
use std::future::Future;
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use rust_decimal::Decimal;
use rust_decimal::prelude::*;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::model::Scenario;
use crate::period::Period;
use crate::snapshot::GroupInput;

pub const PATH: &str = "/api/v2/usage/hourly_usage";
pub const FAMILIES: &str = "logs,indexed_logs";
/// The endpoint's largest page.
pub const PAGE_LIMIT: u32 = 500;

/// Where and as whom: from the environment.
#[derive(Clone, Debug)]
pub struct DdSettings {
    pub api_key: String,
    pub app_key: String,
    /// The site as given (`datadoghq.com`, `datadoghq.eu`, ...).
    pub site: String,
    /// `https://api.<site>`, or the URL `DD_SITE` gave.
    pub base_url: String,
    /// Attempts per request (429 and 5xx are retried).
    pub max_attempts: u32,
    /// Longest wait for a rate-limit reset.
    pub max_wait: Duration,
}

impl DdSettings {
    /// `DD_API_KEY`, `DD_APP_KEY` (or `DD_APPLICATION_KEY`) and `DD_SITE` from the environment.
    pub fn from_env(max_attempts: u32) -> Result<DdSettings> {
        let var = |n: &str| std::env::var(n).ok().filter(|v| !v.trim().is_empty());
        let api_key = var("DD_API_KEY").ok_or_else(|| {
            Error::Usage(
                "--datadog-usage api needs DD_API_KEY (a Datadog API key) in the environment"
                    .into(),
            )
        })?;
        let app_key = var("DD_APP_KEY")
            .or_else(|| var("DD_APPLICATION_KEY"))
            .ok_or_else(|| {
                Error::Usage(
                    "--datadog-usage api needs DD_APP_KEY (a Datadog application key with the \
                     usage_read permission) in the environment"
                        .into(),
                )
            })?;
        let site = var("DD_SITE").unwrap_or_else(|| "datadoghq.com".into());
        let base_url = base_url(&site)?;
        Ok(DdSettings {
            api_key,
            app_key,
            site,
            base_url,
            max_attempts: max_attempts.max(1),
            max_wait: Duration::from_secs(120),
        })
    }
}

/// The API host of a site: `datadoghq.com` -> `https://api.datadoghq.com`, `us3.datadoghq.com`
/// -> `https://api.us3.datadoghq.com`, `datadoghq.eu` -> `https://api.datadoghq.eu`; an
/// `http(s)://` URL is taken as is (an emulator).
pub fn base_url(site: &str) -> Result<String> {
    let site = site.trim().trim_end_matches('/');
    if site.starts_with("http://") || site.starts_with("https://") {
        return Ok(site.to_string());
    }
    let host = site
        .strip_prefix("app.")
        .or_else(|| site.strip_prefix("api."))
        .unwrap_or(site);
    if host.is_empty()
        || !host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return Err(Error::Usage(format!(
            "DD_SITE={site:?} is not a Datadog site (e.g. datadoghq.com, datadoghq.eu, \
             us3.datadoghq.com)"
        )));
    }
    Ok(format!("https://api.{host}"))
}

/// One hour of one product family.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HourlyAttributes {
    #[serde(default)]
    pub product_family: Option<String>,
    #[serde(default)]
    pub timestamp: Option<String>,
    #[serde(default)]
    pub org_name: Option<String>,
    #[serde(default)]
    pub measurements: Vec<Measurement>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct Measurement {
    #[serde(default)]
    pub usage_type: Option<String>,
    #[serde(default)]
    pub value: Option<i64>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct HourlyRecord {
    #[serde(default)]
    pub attributes: HourlyAttributes,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct Pagination {
    #[serde(default)]
    next_record_id: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
struct Meta {
    #[serde(default)]
    pagination: Option<Pagination>,
}

/// A page of `GET /api/v2/usage/hourly_usage`.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
pub struct UsagePage {
    #[serde(default)]
    pub data: Vec<HourlyRecord>,
    #[serde(default)]
    meta: Option<Meta>,
}

impl UsagePage {
    pub fn next_record_id(&self) -> Option<String> {
        self.meta
            .as_ref()
            .and_then(|m| m.pagination.as_ref())
            .and_then(|p| p.next_record_id.clone())
            .filter(|s| !s.is_empty())
    }
}

pub trait UsageApi: Send + Sync {
    /// One page of hourly usage for `[start, end)` hours (`YYYY-MM-DDThh`).
    fn hourly_usage(
        &self,
        start: &str,
        end: &str,
        next_record_id: Option<String>,
    ) -> impl Future<Output = Result<UsagePage>> + Send;
}

/// The month's usage, summed.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct MonthUsage {
    pub ingested_bytes: Option<u64>,
    /// `logs.indexed_events_count`, summed.
    pub indexed_events: Option<u64>,
    /// `indexed_logs.logs_indexed_events_<retention>_count`, summed per retention (`15_day`).
    pub indexed_by_retention: BTreeMap<String, u64>,
    /// The monthly average of the hourly `flex_stored_logs` gauge, when reported.
    pub flex_stored_events: Option<u64>,
    pub hours: u32,
    pub pages: u32,
}

/// Every page of the month, summed.
pub async fn fetch_month(api: &impl UsageApi, period: &Period) -> Result<MonthUsage> {
    let start = format!("{}T00", period.start);
    let end = format!("{}T00", period.end);
    let mut token = None;
    let mut out = MonthUsage::default();
    let mut hours = std::collections::BTreeSet::new();
    let mut flex_sum: u128 = 0;
    let mut flex_hours = std::collections::BTreeSet::new();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let page = api.hourly_usage(&start, &end, token.take()).await?;
        out.pages += 1;
        for rec in &page.data {
            let a = &rec.attributes;
            if let Some(t) = &a.timestamp {
                hours.insert(t.clone());
            }
            for m in &a.measurements {
                let (Some(ut), Some(v)) = (m.usage_type.as_deref(), m.value) else {
                    continue;
                };
                let v = v.max(0) as u64;
                match (a.product_family.as_deref(), ut) {
                    (Some("logs"), "ingested_events_bytes") => {
                        *out.ingested_bytes.get_or_insert(0) += v
                    }
                    (Some("logs"), "indexed_events_count") => {
                        *out.indexed_events.get_or_insert(0) += v
                    }
                    (_, "flex_stored_logs") => {
                        flex_sum += v as u128;
                        if let Some(t) = &a.timestamp {
                            flex_hours.insert(t.clone());
                        }
                    }
                    (Some("indexed_logs"), ut) => {
                        if let Some(r) = ut
                            .strip_prefix("logs_indexed_events_")
                            .and_then(|r| r.strip_suffix("_count"))
                        {
                            *out.indexed_by_retention.entry(r.to_string()).or_default() += v;
                        }
                    }
                    _ => {}
                }
            }
        }
        match page.next_record_id() {
            Some(t) if !seen.insert(t.clone()) => {
                return Err(Error::Aws {
                    operation: format!("Datadog GET {PATH}"),
                    region: None,
                    code: "RepeatedNextRecordId".into(),
                    message: format!("the page cursor {t:?} came twice"),
                });
            }
            Some(t) => token = Some(t),
            None => break,
        }
    }
    out.hours = hours.len() as u32;
    if !flex_hours.is_empty() {
        // A gauge: the month's average over the hours of the month.
        let month_hours = (period.days() * 24).max(1) as u128;
        out.flex_stored_events = Some((flex_sum / month_hours) as u64);
    }
    Ok(out)
}

/// The measured usage and what it sets in the scenario.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Measured {
    pub source: String,
    pub usage: MonthUsage,
    /// The snapshot's average event size (uncompressed bytes per event) of the groups
    /// forwarded to Datadog today (all groups when none is).
    pub avg_event_bytes: Option<Decimal>,
    /// Events Datadog ingested, estimated: ingested bytes / average event size.
    pub ingested_events_estimate: Option<Decimal>,
    /// Indexed events of the month (the retentions' sum, else `indexed_events_count`).
    pub indexed_events: Option<u64>,
    pub indexed_fraction: Option<Decimal>,
    /// Share of indexed events per retention (`15_day` -> 0.8).
    pub retention_mix: BTreeMap<String, Decimal>,
    /// The retention the model prices indexing at.
    pub retention_days: Option<u32>,
    pub flex: Option<bool>,
    pub notes: Vec<String>,
}

/// Retention days of a usage-type retention (`15_day` -> 15); `custom` -> None.
fn retention_of(r: &str) -> Option<u32> {
    r.strip_suffix("_day")?.parse().ok()
}

impl Measured {
    /// Derive the scenario inputs from the month's usage and the snapshot.
    pub fn derive(source: &str, usage: MonthUsage, groups: &[GroupInput]) -> Measured {
        let mut notes = Vec::new();
        let forwarded: Vec<&GroupInput> = groups
            .iter()
            .filter(|g| g.datadog_forwarder == Some(true))
            .collect();
        let basis: Vec<&GroupInput> = if forwarded.is_empty() {
            groups.iter().collect()
        } else {
            forwarded
        };
        let bytes: u128 = basis.iter().map(|g| g.incoming_bytes as u128).sum();
        let events: u128 = basis.iter().map(|g| g.incoming_events as u128).sum();
        let avg_event_bytes = (events > 0)
            .then(|| Decimal::from_u128(bytes).zip(Decimal::from_u128(events)))
            .flatten()
            .map(|(b, e)| (b / e).round_dp(3));
        let indexed: Option<u64> = if usage.indexed_by_retention.is_empty() {
            usage.indexed_events
        } else {
            Some(usage.indexed_by_retention.values().sum())
        };
        let ingested_events_estimate = match (usage.ingested_bytes, avg_event_bytes) {
            (Some(b), Some(avg)) if !avg.is_zero() => Some((Decimal::from(b) / avg).round()),
            _ => None,
        };
        let indexed_fraction = match (indexed, ingested_events_estimate) {
            (Some(i), Some(e)) if !e.is_zero() => {
                let f = (Decimal::from(i) / e).round_dp(4);
                if f > Decimal::ONE {
                    notes.push(format!(
                        "Datadog indexed more events ({i}) than its ingested bytes carry at the \
                         snapshot's average event size: the indexed fraction is capped at 1."
                    ));
                }
                Some(f.min(Decimal::ONE))
            }
            _ => None,
        };
        if indexed_fraction.is_none() {
            notes.push(
                "The indexed fraction could not be measured (no ingested bytes, indexed events \
                 or snapshot events): the scenario's indexed_fraction stays in force."
                    .into(),
            );
        }
        let total: u64 = usage.indexed_by_retention.values().sum();
        let retention_mix: BTreeMap<String, Decimal> = if total == 0 {
            BTreeMap::new()
        } else {
            usage
                .indexed_by_retention
                .iter()
                .filter(|(_, v)| **v > 0)
                .map(|(r, v)| {
                    (
                        r.clone(),
                        (Decimal::from(*v) / Decimal::from(total)).round_dp(4),
                    )
                })
                .collect()
        };
        // The model prices one retention: the one holding most indexed events, longer ones
        // (and custom) as 30 days, the longest the price book has.
        let mut by_days: BTreeMap<u32, u64> = BTreeMap::new();
        for (r, v) in &usage.indexed_by_retention {
            let d = match retention_of(r) {
                Some(d) if [3, 7, 15, 30].contains(&d) => d,
                _ => 30,
            };
            *by_days.entry(d).or_default() += v;
        }
        let retention_days = by_days
            .iter()
            .filter(|(_, v)| **v > 0)
            .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
            .map(|(d, _)| *d);
        if by_days.len() > 1 {
            notes.push(
                "Indexed events span several retentions: the model prices them all at the \
                 retention holding most of them; the Datadog reconciliation prices each at its \
                 own."
                    .into(),
            );
        }
        let flex = usage.flex_stored_events.map(|v| v > 0);
        if usage.flex_stored_events.is_none() {
            notes.push(
                "Datadog reported no Flex stored events (flex_stored_logs): the scenario's flex \
                 setting stays in force."
                    .into(),
            );
        }
        Measured {
            source: source.to_string(),
            usage,
            avg_event_bytes,
            ingested_events_estimate,
            indexed_events: indexed,
            indexed_fraction,
            retention_mix,
            retention_days,
            flex,
            notes,
        }
    }

    /// Set what was measured in the scenario.
    pub fn apply(&self, scenario: &mut Scenario) {
        if let Some(f) = self.indexed_fraction {
            scenario.indexed_fraction = f;
        }
        if let Some(d) = self.retention_days {
            scenario.retention_days = d;
        }
        if let Some(f) = self.flex {
            scenario.flex = f;
        }
    }

    /// The report's assumptions this measurement replaces: (assumption name, value, note).
    pub fn assumptions(&self) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        if let (Some(f), Some(avg)) = (self.indexed_fraction, self.avg_event_bytes) {
            out.push((
                "Indexed fraction (Datadog paths)",
                format!("{f} (measured)"),
                format!(
                    "{} indexed events / {} events ingested (Datadog's {} ingested bytes at the \
                     snapshot's {avg} bytes per event), {}",
                    self.indexed_events.unwrap_or(0),
                    self.ingested_events_estimate.unwrap_or_default(),
                    self.usage.ingested_bytes.unwrap_or(0),
                    self.source
                ),
            ));
        }
        if let Some(d) = self.retention_days {
            let mix: Vec<String> = self
                .retention_mix
                .iter()
                .map(|(r, s)| {
                    format!(
                        "{} {}%",
                        r.replace('_', " "),
                        (s * Decimal::from(100)).round_dp(1)
                    )
                })
                .collect();
            out.push((
                "Datadog indexing retention",
                format!("{d} days (measured)"),
                format!("indexed events by retention: {}", mix.join(", ")),
            ));
        }
        if let Some(f) = self.flex {
            out.push((
                "Flex Logs for the rest",
                format!("{f} (measured)"),
                format!(
                    "{} Flex events stored on average in the month",
                    self.usage.flex_stored_events.unwrap_or(0)
                ),
            ));
        }
        out
    }
}

/// The usage API over HTTPS (hyper + rustls, native roots), with retries: 429 waits for
/// `x-ratelimit-reset` seconds, 5xx backs off; 403 is one line naming the keys.
pub struct HttpUsageApi {
    settings: DdSettings,
    client: hyper_util::client::legacy::Client<
        hyper_rustls::HttpsConnector<hyper_util::client::legacy::connect::HttpConnector>,
        Full<Bytes>,
    >,
    requests: std::sync::atomic::AtomicU32,
}

impl HttpUsageApi {
    pub fn new(settings: DdSettings) -> Result<HttpUsageApi> {
        let https = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_native_roots(rustls::crypto::ring::default_provider())
            .map_err(|e| Error::Internal(format!("TLS roots for Datadog: {e}")))?
            .https_or_http()
            .enable_http1()
            .build();
        let client =
            hyper_util::client::legacy::Client::builder(hyper_util::rt::TokioExecutor::new())
                .build(https);
        Ok(HttpUsageApi {
            settings,
            client,
            requests: Default::default(),
        })
    }

    /// Requests sent (retries included).
    pub fn requests(&self) -> u32 {
        self.requests.load(std::sync::atomic::Ordering::Relaxed)
    }
}

fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The request URL of one page.
pub fn page_url(base: &str, start: &str, end: &str, next: Option<&str>) -> String {
    let mut q = vec![
        ("filter[timestamp][start]", start.to_string()),
        ("filter[timestamp][end]", end.to_string()),
        ("filter[product_families]", FAMILIES.to_string()),
        ("page[limit]", PAGE_LIMIT.to_string()),
    ];
    if let Some(n) = next {
        q.push(("page[next_record_id]", n.to_string()));
    }
    let query: Vec<String> = q
        .iter()
        .map(|(k, v)| format!("{}={}", encode(k), encode(v)))
        .collect();
    format!("{base}{PATH}?{}", query.join("&"))
}

fn dd_error(status: u16, code: &str, message: String) -> Error {
    Error::Aws {
        operation: format!("Datadog GET {PATH}"),
        region: None,
        code: format!("{status} {code}"),
        message,
    }
}

impl UsageApi for HttpUsageApi {
    async fn hourly_usage(
        &self,
        start: &str,
        end: &str,
        next_record_id: Option<String>,
    ) -> Result<UsagePage> {
        let url = page_url(
            &self.settings.base_url,
            start,
            end,
            next_record_id.as_deref(),
        );
        let mut attempt = 0u32;
        let mut backoff = Duration::from_millis(500);
        loop {
            attempt += 1;
            let req = http::Request::get(&url)
                .header("DD-API-KEY", &self.settings.api_key)
                .header("DD-APPLICATION-KEY", &self.settings.app_key)
                .header("Accept", "application/json")
                .body(Full::new(Bytes::new()))
                .map_err(|e| Error::Internal(format!("Datadog request: {e}")))?;
            self.requests
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let resp = match self.client.request(req).await {
                Ok(r) => r,
                Err(e) if attempt < self.settings.max_attempts => {
                    tracing::debug!("Datadog usage API unreachable ({e}); retrying");
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(20));
                    continue;
                }
                Err(e) => {
                    return Err(Error::Unreachable {
                        operation: format!("Datadog GET {PATH}"),
                        region: None,
                        message: format!(
                            "{}: {}",
                            self.settings.base_url,
                            crate::aws::sdk::error_chain(&e)
                        ),
                    });
                }
            };
            let status = resp.status().as_u16();
            let reset = resp
                .headers()
                .get("x-ratelimit-reset")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<u64>().ok());
            let body = resp
                .into_body()
                .collect()
                .await
                .map_err(|e| Error::Unreachable {
                    operation: format!("Datadog GET {PATH}"),
                    region: None,
                    message: format!("reading the response: {e}"),
                })?
                .to_bytes();
            match status {
                200 => {
                    return serde_json::from_slice(&body).map_err(|e| {
                        dd_error(
                            status,
                            "UnexpectedBody",
                            format!("not an hourly usage response: {e}"),
                        )
                    });
                }
                403 | 401 => {
                    return Err(dd_error(
                        status,
                        "Forbidden",
                        "Datadog refused the keys: check DD_API_KEY, and that DD_APP_KEY is an \
                         application key of the same organization with the usage_read permission"
                            .into(),
                    ));
                }
                429 if attempt < self.settings.max_attempts => {
                    let wait =
                        Duration::from_secs(reset.unwrap_or(1).max(1)).min(self.settings.max_wait);
                    tracing::debug!("Datadog rate limit: waiting {} s", wait.as_secs());
                    tokio::time::sleep(wait).await;
                }
                500..=599 if attempt < self.settings.max_attempts => {
                    tokio::time::sleep(backoff).await;
                    backoff = (backoff * 2).min(Duration::from_secs(20));
                }
                _ => {
                    let text: String = String::from_utf8_lossy(&body)
                        .chars()
                        .take(300)
                        .collect::<String>()
                        .replace('\n', " ");
                    let code = if status == 429 {
                        "TooManyRequests"
                    } else {
                        "Error"
                    };
                    return Err(dd_error(
                        status,
                        code,
                        format!("after {attempt} attempt(s): {text}"),
                    ));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Decimal {
        s.parse().unwrap()
    }

    #[test]
    fn sites_name_their_api_host() {
        assert_eq!(
            base_url("datadoghq.com").unwrap(),
            "https://api.datadoghq.com"
        );
        assert_eq!(
            base_url("app.datadoghq.eu").unwrap(),
            "https://api.datadoghq.eu"
        );
        assert_eq!(
            base_url("us3.datadoghq.com").unwrap(),
            "https://api.us3.datadoghq.com"
        );
        assert_eq!(
            base_url("http://127.0.0.1:9/").unwrap(),
            "http://127.0.0.1:9"
        );
        assert!(base_url("bad site").is_err());
    }

    #[test]
    fn page_urls_encode_the_filters() {
        let u = page_url(
            "https://api.datadoghq.com",
            "2026-10-01T00",
            "2026-11-01T00",
            Some("abc=="),
        );
        assert_eq!(
            u,
            "https://api.datadoghq.com/api/v2/usage/hourly_usage?filter%5Btimestamp%5D%5Bstart%5D=2026-10-01T00\
             &filter%5Btimestamp%5D%5Bend%5D=2026-11-01T00&filter%5Bproduct_families%5D=logs%2Cindexed_logs\
             &page%5Blimit%5D=500&page%5Bnext_record_id%5D=abc%3D%3D"
        );
    }

    #[test]
    fn measured_shares_set_the_scenario() {
        let usage = MonthUsage {
            // 1,000 GiB ingested at 500 bytes per event: 2,147,483,648 events.
            ingested_bytes: Some(1000 << 30),
            indexed_events: Some(536_870_912),
            indexed_by_retention: [
                ("15_day".to_string(), 429_496_730u64),
                ("30_day".to_string(), 107_374_182u64),
            ]
            .into_iter()
            .collect(),
            flex_stored_events: Some(10),
            hours: 744,
            pages: 2,
        };
        let g = GroupInput {
            incoming_bytes: 5_000,
            incoming_events: 10,
            datadog_forwarder: Some(true),
            ..GroupInput::default()
        };
        let m = Measured::derive("Datadog usage API (datadoghq.com)", usage, &[g]);
        assert_eq!(m.avg_event_bytes, Some(d("500")));
        assert_eq!(m.ingested_events_estimate, Some(d("2147483648")));
        // (429,496,730 + 107,374,182) / 2,147,483,648 = 0.25 (to 4 places)
        assert_eq!(m.indexed_fraction, Some(d("0.25")));
        assert_eq!(m.retention_days, Some(15), "most events are at 15 days");
        assert_eq!(m.retention_mix["15_day"], d("0.8"));
        let mut s = Scenario::default();
        m.apply(&mut s);
        assert_eq!(
            (s.indexed_fraction, s.retention_days, s.flex),
            (d("0.25"), 15, true)
        );
        let a = m.assumptions();
        assert_eq!(a[0].1, "0.25 (measured)");
        assert_eq!(a[1].1, "15 days (measured)");
        assert!(a[1].2.contains("15 day 80.0%"), "{}", a[1].2);
    }
}
