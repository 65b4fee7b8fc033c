//! Logs Insights beyond saved definitions: the queries that ran (DescribeQueries: bytes scanned,
//! log group and user per query) and scheduled queries (List/Get/Create/Update/Delete
//! ScheduledQuery), behind one small trait like the rest of [`crate::aws`]. The real SDK
//! implements it here; the demo account in [`crate::demo`].

use std::future::Future;

use aws_sdk_cloudwatchlogs::types::{
    DestinationConfiguration, QueryLanguage, S3Configuration, ScheduledQueryState,
};

use super::sdk::{SdkRegion, map_err};
use crate::error::{Error, Result};

/// One query as DescribeQueries reports it.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryRecord {
    pub query_id: String,
    pub query_string: String,
    /// `Complete`, `Running`, `Failed`, ...
    pub status: String,
    /// Epoch milliseconds.
    pub create_time_ms: i64,
    pub log_group: Option<String>,
    /// `bytesScanned`: what the query was billed for (a Double in the API).
    pub bytes_scanned: Option<f64>,
    /// The ARN of who ran it.
    pub user: Option<String>,
    /// CWLI, SQL or PPL.
    pub language: String,
}

/// An S3 destination of a scheduled query's results.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct S3Destination {
    /// `s3://bucket/prefix`
    pub uri: String,
    pub role_arn: String,
}

/// A scheduled query, as sent to Create/UpdateScheduledQuery and read from GetScheduledQuery.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledQuery {
    pub name: String,
    /// Set when read from the account.
    pub arn: Option<String>,
    pub description: Option<String>,
    /// CWLI, SQL or PPL.
    pub language: String,
    pub query: String,
    pub log_groups: Vec<String>,
    pub schedule_expression: String,
    pub timezone: Option<String>,
    /// Seconds before each run at which its window starts / ends.
    pub start_offset: Option<i64>,
    pub end_offset: Option<i64>,
    /// ENABLED or DISABLED.
    pub state: Option<String>,
    pub execution_role_arn: String,
    pub destination: Option<S3Destination>,
}

/// One entry of ListScheduledQueries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ScheduledSummary {
    pub name: String,
    pub arn: Option<String>,
    /// CUSTOMER_MANAGED, or AWS_MANAGED (e.g. behind a log alarm): both run, both scan.
    pub schedule_type: Option<String>,
}

/// Logs Insights operations in one account and region; each method is one call (one page).
pub trait InsightsApi: Send + Sync {
    /// DescribeQueries, one page (maxResults 1000).
    fn describe_queries(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<QueryRecord>, Option<String>)>> + Send;
    /// ListScheduledQueries, one page (maxResults 1000).
    fn list_scheduled_queries(
        &self,
        next_token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<ScheduledSummary>, Option<String>)>> + Send;
    /// GetScheduledQuery by name or ARN.
    fn get_scheduled_query(
        &self,
        identifier: String,
    ) -> impl Future<Output = Result<ScheduledQuery>> + Send;
    /// CreateScheduledQuery; returns the ARN.
    fn create_scheduled_query(
        &self,
        query: ScheduledQuery,
    ) -> impl Future<Output = Result<String>> + Send;
    /// UpdateScheduledQuery (every field replaced) of `query.arn`, else `query.name`.
    fn update_scheduled_query(
        &self,
        query: ScheduledQuery,
    ) -> impl Future<Output = Result<()>> + Send;
    /// DeleteScheduledQuery by name or ARN.
    fn delete_scheduled_query(&self, identifier: String)
    -> impl Future<Output = Result<()>> + Send;
}

/// Every page of DescribeQueries.
pub async fn all_queries<A: InsightsApi>(api: &A) -> Result<Vec<QueryRecord>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // A repeated token or a page too many is an error, never a quietly shorter listing.
    let mut pager = super::paginate::Pager::new(
        "logs:DescribeQueries",
        String::new(),
        super::paginate::limits::DESCRIBE_QUERIES,
    );
    loop {
        let (mut page, next) = api.describe_queries(token.clone()).await?;
        out.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Every page of ListScheduledQueries.
pub async fn all_scheduled<A: InsightsApi>(api: &A) -> Result<Vec<ScheduledSummary>> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    // A repeated token or a page too many is an error, never a quietly shorter listing.
    let mut pager = super::paginate::Pager::new(
        "logs:ListScheduledQueries",
        String::new(),
        super::paginate::limits::LIST_SCHEDULED_QUERIES,
    );
    loop {
        let (mut page, next) = api.list_scheduled_queries(token.clone()).await?;
        out.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

fn destination(d: &Option<S3Destination>) -> Result<Option<DestinationConfiguration>> {
    let Some(d) = d else {
        return Ok(None);
    };
    let s3 = S3Configuration::builder()
        .destination_identifier(&d.uri)
        .role_arn(&d.role_arn)
        .build()
        .map_err(|e| Error::Internal(format!("S3 destination {}: {e}", d.uri)))?;
    Ok(Some(
        DestinationConfiguration::builder()
            .s3_configuration(s3)
            .build(),
    ))
}

fn read_destination(d: Option<&DestinationConfiguration>) -> Option<S3Destination> {
    d.and_then(|d| d.s3_configuration())
        .map(|s3| S3Destination {
            uri: s3.destination_identifier().to_string(),
            role_arn: s3.role_arn().to_string(),
        })
}

impl InsightsApi for SdkRegion {
    async fn describe_queries(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<QueryRecord>, Option<String>)> {
        let out = self
            .logs_client()
            .describe_queries()
            .max_results(1000)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeQueries", e).in_region(self.region_name()))?;
        let records = out
            .queries()
            .iter()
            .map(|q| QueryRecord {
                query_id: q.query_id().unwrap_or_default().to_string(),
                query_string: q.query_string().unwrap_or_default().to_string(),
                status: q
                    .status()
                    .map(|s| s.as_str().to_string())
                    .unwrap_or_default(),
                create_time_ms: q.create_time().unwrap_or(0),
                log_group: q.log_group_name().map(str::to_string),
                bytes_scanned: q.bytes_scanned(),
                user: q.user_identity().map(str::to_string),
                language: q
                    .query_language()
                    .map(|l| l.as_str().to_string())
                    .unwrap_or_else(|| "CWLI".into()),
            })
            .collect();
        Ok((records, out.next_token().map(str::to_string)))
    }

    async fn list_scheduled_queries(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<ScheduledSummary>, Option<String>)> {
        let out = self
            .logs_client()
            .list_scheduled_queries()
            .max_results(1000)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:ListScheduledQueries", e).in_region(self.region_name()))?;
        let items = out
            .scheduled_queries()
            .iter()
            .map(|s| ScheduledSummary {
                name: s.name().unwrap_or_default().to_string(),
                arn: s.scheduled_query_arn().map(str::to_string),
                schedule_type: s.schedule_type().map(|t| t.as_str().to_string()),
            })
            .collect();
        Ok((items, out.next_token().map(str::to_string)))
    }

    async fn get_scheduled_query(&self, identifier: String) -> Result<ScheduledQuery> {
        let q = self
            .logs_client()
            .get_scheduled_query()
            .identifier(&identifier)
            .send()
            .await
            .map_err(|e| map_err("logs:GetScheduledQuery", e).in_region(self.region_name()))?;
        Ok(ScheduledQuery {
            name: q.name().unwrap_or_default().to_string(),
            arn: q.scheduled_query_arn().map(str::to_string),
            description: q.description().map(str::to_string),
            language: q
                .query_language()
                .map(|l| l.as_str().to_string())
                .unwrap_or_else(|| "CWLI".into()),
            query: q.query_string().unwrap_or_default().to_string(),
            log_groups: q.log_group_identifiers().to_vec(),
            schedule_expression: q.schedule_expression().unwrap_or_default().to_string(),
            timezone: q.timezone().map(str::to_string),
            start_offset: q.start_time_offset(),
            end_offset: q.end_time_offset(),
            state: q.state().map(|s| s.as_str().to_string()),
            execution_role_arn: q.execution_role_arn().unwrap_or_default().to_string(),
            destination: read_destination(q.destination_configuration()),
        })
    }

    async fn create_scheduled_query(&self, q: ScheduledQuery) -> Result<String> {
        let out = self
            .logs_client()
            .create_scheduled_query()
            .name(&q.name)
            .set_description(q.description.clone())
            .query_language(QueryLanguage::from(q.language.as_str()))
            .query_string(&q.query)
            .set_log_group_identifiers((!q.log_groups.is_empty()).then(|| q.log_groups.clone()))
            .schedule_expression(&q.schedule_expression)
            .set_timezone(q.timezone.clone())
            .set_start_time_offset(q.start_offset)
            .set_end_time_offset(q.end_offset)
            .set_destination_configuration(destination(&q.destination)?)
            .execution_role_arn(&q.execution_role_arn)
            .set_state(q.state.as_deref().map(ScheduledQueryState::from))
            .send()
            .await
            .map_err(|e| map_err("logs:CreateScheduledQuery", e).in_region(self.region_name()))?;
        Ok(out.scheduled_query_arn().unwrap_or_default().to_string())
    }

    async fn update_scheduled_query(&self, q: ScheduledQuery) -> Result<()> {
        self.logs_client()
            .update_scheduled_query()
            .identifier(q.arn.clone().unwrap_or_else(|| q.name.clone()))
            .set_description(q.description.clone())
            .query_language(QueryLanguage::from(q.language.as_str()))
            .query_string(&q.query)
            .set_log_group_identifiers((!q.log_groups.is_empty()).then(|| q.log_groups.clone()))
            .schedule_expression(&q.schedule_expression)
            .set_timezone(q.timezone.clone())
            .set_start_time_offset(q.start_offset)
            .set_end_time_offset(q.end_offset)
            .set_destination_configuration(destination(&q.destination)?)
            .execution_role_arn(&q.execution_role_arn)
            .set_state(q.state.as_deref().map(ScheduledQueryState::from))
            .send()
            .await
            .map_err(|e| map_err("logs:UpdateScheduledQuery", e).in_region(self.region_name()))?;
        Ok(())
    }

    async fn delete_scheduled_query(&self, identifier: String) -> Result<()> {
        self.logs_client()
            .delete_scheduled_query()
            .identifier(identifier)
            .send()
            .await
            .map_err(|e| map_err("logs:DeleteScheduledQuery", e).in_region(self.region_name()))?;
        Ok(())
    }
}
