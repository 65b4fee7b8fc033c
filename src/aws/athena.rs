//! Athena (`athena:StartQueryExecution`, `athena:GetQueryExecution`, `athena:GetQueryResults`)
//! behind a small trait, and the loop every query goes through: start, poll until a final state,
//! read every page. Athena bills the bytes a query scans ($5 per TB, rounded up to the MB, with a
//! 10 MB minimum per query: aws.amazon.com/athena/pricing as quoted by athena.guide and Stanford's
//! rcpedia; status derived), so the run reports what its query scanned and cost.
//! `AWS_ENDPOINT_URL_ATHENA` / `AWS_ENDPOINT_URL` point it at an emulator.

use std::future::Future;
use std::time::Duration;

use aws_types::region::Region;
use rust_decimal::Decimal;
use rust_decimal::prelude::ToPrimitive;

use super::sdk::{ConnectSettings, map_err};
use crate::error::{Error, Result};
use crate::money::MicroUsd;

pub const START_ACTION: &str = "athena:StartQueryExecution";
pub const STATUS_ACTION: &str = "athena:GetQueryExecution";
pub const RESULTS_ACTION: &str = "athena:GetQueryResults";

/// Athena's largest page of results.
pub const MAX_RESULTS: i32 = 1000;

/// What a scan of `bytes` costs: $5 per TB (2^40 bytes), billed per MB rounded up, 10 MB
/// minimum per query.
pub fn scan_cost(bytes: u64) -> MicroUsd {
    const MB: u64 = 1 << 20;
    let mb = bytes.div_ceil(MB).max(10);
    // $5 per 1,048,576 MB = 5,000,000 micro-dollars / 1,048,576 per MB.
    let micros = Decimal::from(mb) * Decimal::from(5_000_000u64) / Decimal::from(1u64 << 20);
    MicroUsd(
        micros
            .round_dp_with_strategy(0, rust_decimal::RoundingStrategy::MidpointNearestEven)
            .to_i64()
            .unwrap_or(i64::MAX),
    )
}

/// Where and how a query runs.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct QueryPlace {
    pub database: String,
    pub workgroup: Option<String>,
    /// `s3://bucket/prefix/` for results (else the workgroup's own).
    pub output_location: Option<String>,
}

/// A query's state, as GetQueryExecution reports it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryStatus {
    /// QUEUED, RUNNING, SUCCEEDED, FAILED or CANCELLED.
    pub state: String,
    pub reason: Option<String>,
    pub bytes_scanned: u64,
}

/// One page of results: the column names and rows of cells (`None` = NULL).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ResultPage {
    pub columns: Vec<String>,
    pub rows: Vec<Vec<Option<String>>>,
    pub next_token: Option<String>,
}

pub trait AthenaApi: Send + Sync {
    fn start_query(
        &self,
        sql: &str,
        place: &QueryPlace,
    ) -> impl Future<Output = Result<String>> + Send;
    fn query_status(&self, id: &str) -> impl Future<Output = Result<QueryStatus>> + Send;
    fn query_results(
        &self,
        id: &str,
        token: Option<String>,
    ) -> impl Future<Output = Result<ResultPage>> + Send;
}

/// A finished query: rows by column name, what it scanned, and the calls it took.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryOutcome {
    pub id: String,
    pub rows: Vec<std::collections::BTreeMap<String, Option<String>>>,
    pub bytes_scanned: u64,
    pub pages: u32,
    pub polls: u32,
}

/// Run `sql`: start it, poll (0.2 s, doubling to 5 s) until it succeeds, read every page. A
/// failed or cancelled query is one error naming its id and Athena's reason.
pub async fn run_query(
    api: &impl AthenaApi,
    sql: &str,
    place: &QueryPlace,
    max_wait: Duration,
) -> Result<QueryOutcome> {
    let id = api.start_query(sql, place).await?;
    let mut delay = Duration::from_millis(200);
    let started = tokio::time::Instant::now();
    let mut polls = 0u32;
    let status = loop {
        let s = api.query_status(&id).await?;
        polls += 1;
        match s.state.as_str() {
            "SUCCEEDED" => break s,
            "FAILED" | "CANCELLED" => {
                return Err(Error::Aws {
                    operation: STATUS_ACTION.into(),
                    region: None,
                    code: format!("Query{}", title(&s.state)),
                    message: format!(
                        "Athena query {id} {}: {}",
                        s.state,
                        s.reason
                            .as_deref()
                            .unwrap_or("no reason given")
                            .replace('\n', " ")
                    ),
                });
            }
            _ => {}
        }
        if started.elapsed() > max_wait {
            return Err(Error::Aws {
                operation: STATUS_ACTION.into(),
                region: None,
                code: "QueryTimeout".into(),
                message: format!(
                    "Athena query {id} still {} after {} s; it keeps running (and billing) in \
                     Athena: stop it there or wait and rerun",
                    s.state,
                    max_wait.as_secs()
                ),
            });
        }
        tokio::time::sleep(delay).await;
        delay = (delay * 2).min(Duration::from_secs(5));
    };
    let mut out = QueryOutcome {
        id: id.clone(),
        bytes_scanned: status.bytes_scanned,
        polls,
        ..QueryOutcome::default()
    };
    let mut token = None;
    let mut columns: Vec<String> = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let page = api.query_results(&id, token.take()).await?;
        out.pages += 1;
        if columns.is_empty() {
            columns = page.columns.clone();
        }
        // Without result metadata, the header row names the columns.
        if columns.is_empty()
            && let Some(first) = page.rows.first()
        {
            columns = first
                .iter()
                .map(|c| c.clone().unwrap_or_default())
                .collect();
        }
        for (i, row) in page.rows.into_iter().enumerate() {
            // The first row of a SELECT's first page repeats the column names.
            let header = out.pages == 1
                && i == 0
                && row.len() == columns.len()
                && row
                    .iter()
                    .zip(&columns)
                    .all(|(c, n)| c.as_deref() == Some(n.as_str()));
            if header {
                continue;
            }
            out.rows.push(columns.iter().cloned().zip(row).collect());
        }
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(t) if !seen.insert(t.clone()) => {
                return Err(Error::Aws {
                    operation: RESULTS_ACTION.into(),
                    region: None,
                    code: "RepeatedNextToken".into(),
                    message: format!("Athena query {id}: the page token {t:?} came twice"),
                });
            }
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

fn title(s: &str) -> String {
    let lower = s.to_ascii_lowercase();
    let mut c = lower.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

pub struct SdkAthena {
    client: aws_sdk_athena::Client,
}

impl SdkAthena {
    pub async fn connect(settings: &ConnectSettings, region: Option<&str>) -> Result<SdkAthena> {
        let base = crate::aws::sdk::load_checked(settings, region).await?;
        let region = base
            .region()
            .cloned()
            .unwrap_or_else(|| Region::new("us-east-1"));
        let conf = aws_sdk_athena::config::Builder::from(&base)
            .region(region)
            .build();
        Ok(SdkAthena {
            client: aws_sdk_athena::Client::from_conf(conf),
        })
    }
}

impl AthenaApi for SdkAthena {
    async fn start_query(&self, sql: &str, place: &QueryPlace) -> Result<String> {
        use aws_sdk_athena::types::{QueryExecutionContext, ResultConfiguration};
        let mut req = self
            .client
            .start_query_execution()
            .query_string(sql)
            .query_execution_context(
                QueryExecutionContext::builder()
                    .database(&place.database)
                    .build(),
            )
            .set_work_group(place.workgroup.clone());
        if let Some(o) = &place.output_location {
            req =
                req.result_configuration(ResultConfiguration::builder().output_location(o).build());
        }
        let out = req.send().await.map_err(|e| map_err(START_ACTION, e))?;
        out.query_execution_id()
            .map(str::to_string)
            .ok_or_else(|| Error::Internal("StartQueryExecution returned no id".into()))
    }

    async fn query_status(&self, id: &str) -> Result<QueryStatus> {
        let out = self
            .client
            .get_query_execution()
            .query_execution_id(id)
            .send()
            .await
            .map_err(|e| map_err(STATUS_ACTION, e))?;
        let q = out.query_execution();
        let status = q.and_then(|q| q.status());
        Ok(QueryStatus {
            state: status
                .and_then(|s| s.state())
                .map(|s| s.as_str().to_string())
                .unwrap_or_else(|| "UNKNOWN".into()),
            reason: status
                .and_then(|s| {
                    s.state_change_reason()
                        .or_else(|| s.athena_error().and_then(|e| e.error_message()))
                })
                .map(str::to_string),
            bytes_scanned: q
                .and_then(|q| q.statistics())
                .and_then(|s| s.data_scanned_in_bytes())
                .unwrap_or(0)
                .max(0) as u64,
        })
    }

    async fn query_results(&self, id: &str, token: Option<String>) -> Result<ResultPage> {
        let out = self
            .client
            .get_query_results()
            .query_execution_id(id)
            .max_results(MAX_RESULTS)
            .set_next_token(token)
            .send()
            .await
            .map_err(|e| map_err(RESULTS_ACTION, e))?;
        let set = out.result_set();
        Ok(ResultPage {
            columns: set
                .and_then(|s| s.result_set_metadata())
                .map(|m| {
                    m.column_info()
                        .iter()
                        .map(|c| c.name().to_string())
                        .collect()
                })
                .unwrap_or_default(),
            rows: set
                .map(|s| {
                    s.rows()
                        .iter()
                        .map(|r| {
                            r.data()
                                .iter()
                                .map(|d| d.var_char_value().map(str::to_string))
                                .collect()
                        })
                        .collect()
                })
                .unwrap_or_default(),
            next_token: out.next_token().map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A query that is RUNNING once, then `final_state`, with rows in pages of two (the header
    /// first, as Athena returns a SELECT's results).
    struct Fake {
        final_state: &'static str,
        polls: std::sync::Mutex<u32>,
    }

    impl AthenaApi for Fake {
        async fn start_query(&self, _: &str, _: &QueryPlace) -> Result<String> {
            Ok("q-1".into())
        }
        async fn query_status(&self, _: &str) -> Result<QueryStatus> {
            let mut p = self.polls.lock().unwrap();
            *p += 1;
            Ok(QueryStatus {
                state: if *p == 1 { "RUNNING" } else { self.final_state }.into(),
                reason: Some("SYNTAX_ERROR: line 1:8".into()),
                bytes_scanned: 42,
            })
        }
        async fn query_results(&self, _: &str, token: Option<String>) -> Result<ResultPage> {
            let all = [["a", "b"], ["1", "2"], ["3", "4"]];
            let start: usize = token.map_or(0, |t| t.parse().unwrap());
            Ok(ResultPage {
                columns: vec!["a".into(), "b".into()],
                rows: all[start..(start + 2).min(3)]
                    .iter()
                    .map(|r| r.iter().map(|c| Some(c.to_string())).collect())
                    .collect(),
                next_token: (start + 2 < 3).then(|| (start + 2).to_string()),
            })
        }
    }

    #[tokio::test(start_paused = true)]
    async fn queries_are_polled_and_read_page_by_page() {
        let api = Fake {
            final_state: "SUCCEEDED",
            polls: Default::default(),
        };
        let out = run_query(
            &api,
            "SELECT",
            &QueryPlace::default(),
            Duration::from_secs(60),
        )
        .await
        .unwrap();
        assert_eq!((out.polls, out.pages, out.bytes_scanned), (2, 2, 42));
        // The header row is not data.
        assert_eq!(out.rows.len(), 2);
        assert_eq!(out.rows[1]["b"], Some("4".to_string()));
        let api = Fake {
            final_state: "FAILED",
            polls: Default::default(),
        };
        let e = run_query(
            &api,
            "SELECT",
            &QueryPlace::default(),
            Duration::from_secs(60),
        )
        .await
        .unwrap_err()
        .to_string();
        assert_eq!(
            e,
            "athena:GetQueryExecution failed: QueryFailed: Athena query q-1 FAILED: SYNTAX_ERROR: line 1:8"
        );
    }

    #[test]
    fn scans_are_billed_per_mb_with_a_10_mb_minimum() {
        // 10 MB minimum: 10 x $5 / 1,048,576 = $0.0000476837 -> 48 micro-dollars.
        assert_eq!(scan_cost(0), MicroUsd(48));
        assert_eq!(scan_cost(1), MicroUsd(48));
        // 1 TB exactly: $5.
        assert_eq!(scan_cost(1 << 40), MicroUsd(5_000_000));
        // 10 MB + 1 byte rounds up to 11 MB: 11 x 5,000,000 / 1,048,576 = 52.45 -> 52.
        assert_eq!(scan_cost((10 << 20) + 1), MicroUsd(52));
    }
}
