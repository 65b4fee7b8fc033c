//! The demo account's Logs Insights usage: what DescribeQueries reports (dashboards and ad-hoc
//! queries on a few groups) and one scheduled query made by another team, so `queries usage`,
//! `queries cost --demo` and the report's measured scans work offline.

use super::DemoRegion;
use super::groups::{DEMO_ACCOUNT_ID, DEMO_REGION, GIB};
use crate::error::{Error, Result};

/// Groups whose Insights scans the demo measures (DescribeQueries): dashboards refreshing every
/// 15 minutes over the last 3 hours of data. Other groups are scanned only by the library's
/// plan, or by the assumption.
const MEASURED: &[&str] = &[
    "aws-waf-logs-prod-cloudfront",
    "/aws/eks/prod-cluster/cluster",
    "/aws/containerinsights/prod-cluster/performance",
    "/aws/rds/instance/orders-db/postgresql",
    "/aws/apigateway/public-api-access",
];

impl DemoRegion {
    /// DescribeQueries of the 14 whole days before today (UTC): one dashboard query per measured
    /// group every 15 minutes, each scanning 3 hours of an average day, and an ad-hoc query a
    /// day on two groups. Whole days and average days keep what a report measures the same
    /// whatever day it runs.
    fn demo_queries(&self) -> Vec<crate::aws::insights::QueryRecord> {
        use crate::aws::insights::QueryRecord;
        let now = chrono::Utc::now().timestamp();
        let end = now - now.rem_euclid(86_400);
        let mut out = Vec::new();
        for (i, name) in MEASURED.iter().enumerate() {
            let Some(spec) = self.find(name) else {
                continue;
            };
            let average_day = spec.gib_month * GIB / 30.4;
            let mut t = end - 14 * 86_400;
            while t < end {
                let bytes = average_day / 8.0; // 3 h of a day
                out.push(QueryRecord {
                    query_id: format!("demo-{i}-{t}"),
                    query_string: format!(
                        "SOURCE \"{name}\" START=-3h END=0s |\nstats count(*) by bin(5m)"
                    ),
                    status: "Complete".into(),
                    create_time_ms: t * 1000,
                    log_group: Some(name.to_string()),
                    bytes_scanned: Some(bytes.round()),
                    user: Some(format!(
                        "arn:aws:sts::{DEMO_ACCOUNT_ID}:assumed-role/grafana-cloudwatch/dashboards"
                    )),
                    language: "CWLI".into(),
                });
                if i < 2 && t.rem_euclid(86_400) == 36_000 {
                    out.push(QueryRecord {
                        query_id: format!("demo-adhoc-{i}-{t}"),
                        query_string:
                            "fields @timestamp, @message\n| sort @timestamp desc\n| limit 200"
                                .into(),
                        status: "Complete".into(),
                        create_time_ms: t * 1000 + 1,
                        log_group: Some(name.to_string()),
                        bytes_scanned: Some(average_day.round()),
                        user: Some(format!(
                            "arn:aws:sts::{DEMO_ACCOUNT_ID}:assumed-role/oncall/alice"
                        )),
                        language: "CWLI".into(),
                    });
                }
                t += 900;
            }
        }
        out
    }
}

impl crate::aws::insights::InsightsApi for DemoRegion {
    async fn describe_queries(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<crate::aws::insights::QueryRecord>, Option<String>)> {
        // Pages of 1,000, as AWS answers.
        let all = self.demo_queries();
        let from: usize = next_token.and_then(|t| t.parse().ok()).unwrap_or(0);
        let to = (from + 1000).min(all.len());
        let next = (to < all.len()).then(|| to.to_string());
        Ok((all[from.min(to)..to].to_vec(), next))
    }

    async fn list_scheduled_queries(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<crate::aws::insights::ScheduledSummary>, Option<String>)> {
        let have = self.find("/ecs/orders-service").is_some();
        Ok((
            have.then(|| crate::aws::insights::ScheduledSummary {
                name: "ops/nightly-error-digest".into(),
                arn: None,
                schedule_type: Some("CUSTOMER_MANAGED".into()),
            })
            .into_iter()
            .collect(),
            None,
        ))
    }

    async fn get_scheduled_query(
        &self,
        identifier: String,
    ) -> Result<crate::aws::insights::ScheduledQuery> {
        if identifier != "ops/nightly-error-digest" {
            return Err(Error::Aws {
                operation: "logs:GetScheduledQuery".into(),
                region: Some(DEMO_REGION.into()),
                code: "ResourceNotFoundException".into(),
                message: format!("no scheduled query {identifier} in the demo account"),
            });
        }
        // Made by someone else: every day at 06:00 UTC over the last 24 hours of orders.
        Ok(crate::aws::insights::ScheduledQuery {
            name: identifier,
            arn: None,
            description: Some("Nightly error digest (ops team)".into()),
            language: "CWLI".into(),
            query: "filter level = \"ERROR\" | stats count(*) by service".into(),
            log_groups: vec!["/ecs/orders-service".into()],
            schedule_expression: "cron(0 6 * * ? *)".into(),
            timezone: None,
            start_offset: Some(86_400),
            end_offset: None,
            state: Some("ENABLED".into()),
            execution_role_arn: format!(
                "arn:aws:iam::{DEMO_ACCOUNT_ID}:role/ops-scheduled-queries"
            ),
            destination: None,
        })
    }

    async fn create_scheduled_query(
        &self,
        _q: crate::aws::insights::ScheduledQuery,
    ) -> Result<String> {
        Err(Error::Usage("the demo account is read-only".into()))
    }

    async fn update_scheduled_query(&self, _q: crate::aws::insights::ScheduledQuery) -> Result<()> {
        Err(Error::Usage("the demo account is read-only".into()))
    }

    async fn delete_scheduled_query(&self, _identifier: String) -> Result<()> {
        Err(Error::Usage("the demo account is read-only".into()))
    }
}
