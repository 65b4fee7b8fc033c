//! The vocabulary of the bill: the paths a group can take, the cost components, and the line
//! (quantity x unit price = cost, with the price's id and status) that every path module writes
//! and every report renders.

use std::collections::BTreeMap;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::money::MicroUsd;
use crate::pricing::{Figure, Status};

/// A way to keep a log group.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Path {
    /// Stay in CloudWatch Logs, query with Logs Insights.
    Cloudwatch,
    /// Ship to Datadog through the Datadog Forwarder Lambda (what the story's team runs).
    DatadogForwarder,
    /// Ship to Datadog through Amazon Data Firehose.
    DatadogFirehose,
    /// The forwarder path with internet egress replaced by AWS PrivateLink.
    DatadogPrivatelink,
    /// Index a fraction in Datadog, keep everything in CloudWatch with Insights.
    Hybrid,
}

impl Path {
    pub const ALL: [Path; 5] = [
        Path::Cloudwatch,
        Path::DatadogForwarder,
        Path::DatadogFirehose,
        Path::DatadogPrivatelink,
        Path::Hybrid,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Path::Cloudwatch => "cloudwatch",
            Path::DatadogForwarder => "datadog_forwarder",
            Path::DatadogFirehose => "datadog_firehose",
            Path::DatadogPrivatelink => "datadog_privatelink",
            Path::Hybrid => "hybrid",
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Path::Cloudwatch => "CloudWatch + Insights",
            Path::DatadogForwarder => "Datadog via Forwarder",
            Path::DatadogFirehose => "Datadog via Firehose",
            Path::DatadogPrivatelink => "Datadog via PrivateLink",
            Path::Hybrid => "Hybrid",
        }
    }

    pub fn index(self) -> usize {
        Path::ALL.iter().position(|p| *p == self).expect("listed")
    }
}

/// The cost components logplan knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Component {
    CloudwatchIngest,
    CloudwatchIngestIa,
    VendedIngest,
    VendedIngestIa,
    Storage,
    InsightsScan,
    LambdaRequests,
    LambdaDuration,
    EgressInternet,
    EgressSameRegion,
    PrivatelinkData,
    PrivatelinkEndpointHours,
    TransferInterRegion,
    VendedToFirehose,
    FirehoseIngest,
    DatadogIngest,
    DatadogIndex,
    DatadogFlex,
    FreeTierIngest,
    FreeTierStorage,
    FreeTierScan,
    FreeTierEgress,
    FreeTierLambdaRequests,
    FreeTierLambdaDuration,
    /// WAF logging's 500 free bytes per inspected request, credited against vended ingest.
    WafLogAllowance,
}

impl Component {
    pub fn name(self) -> &'static str {
        use Component::*;
        match self {
            CloudwatchIngest => "cloudwatch_ingest",
            CloudwatchIngestIa => "cloudwatch_ingest_ia",
            VendedIngest => "vended_ingest",
            VendedIngestIa => "vended_ingest_ia",
            Storage => "cloudwatch_storage",
            InsightsScan => "insights_scan",
            LambdaRequests => "forwarder_requests",
            LambdaDuration => "forwarder_duration",
            EgressInternet => "egress_internet",
            EgressSameRegion => "egress_same_region",
            PrivatelinkData => "privatelink_data",
            PrivatelinkEndpointHours => "privatelink_endpoint_hours",
            TransferInterRegion => "transfer_inter_region",
            VendedToFirehose => "vended_to_firehose",
            FirehoseIngest => "firehose_ingest",
            DatadogIngest => "datadog_ingest",
            DatadogIndex => "datadog_index",
            DatadogFlex => "datadog_flex",
            FreeTierIngest => "free_tier_ingest",
            FreeTierStorage => "free_tier_storage",
            FreeTierScan => "free_tier_scan",
            FreeTierEgress => "free_tier_egress",
            FreeTierLambdaRequests => "free_tier_lambda_requests",
            FreeTierLambdaDuration => "free_tier_lambda_duration",
            WafLogAllowance => "waf_log_allowance",
        }
    }

    /// Is this an AWS component (as opposed to Datadog's)?
    pub fn is_datadog(self) -> bool {
        matches!(
            self,
            Component::DatadogIngest | Component::DatadogIndex | Component::DatadogFlex
        )
    }
}

/// One line of the bill: quantity x unit price = cost.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    /// Index into the model's groups; `None` for an account-level line (free tier, endpoints).
    pub group: Option<u32>,
    /// For account-level lines: the account and region they belong to.
    pub account: u32,
    pub region: u32,
    pub path: Path,
    pub component: Component,
    pub quantity: Decimal,
    pub unit: &'static str,
    /// USD per unit (for an allocated tiered price: the account's effective rate).
    pub unit_price: Decimal,
    pub cost: MicroUsd,
    pub price_id: &'static str,
    pub price_status: Status,
}

/// One component of today's scenario in one account and region: the sum of its lines.
#[derive(Clone, Debug, PartialEq)]
pub struct ComponentTotal {
    /// Index into `Model::accounts`.
    pub account: u32,
    /// Index into `Model::regions`.
    pub region: u32,
    pub component: Component,
    /// In `unit` (negative for a free-tier credit).
    pub quantity: Decimal,
    pub unit: &'static str,
    pub cost: MicroUsd,
}

/// Lines summed per (account, region, component), in that order.
pub(super) fn sum_by_component(lines: &[Line]) -> Vec<ComponentTotal> {
    let mut sums: BTreeMap<(u32, u32, Component), ComponentTotal> = BTreeMap::new();
    for l in lines {
        let e = sums
            .entry((l.account, l.region, l.component))
            .or_insert_with(|| ComponentTotal {
                account: l.account,
                region: l.region,
                component: l.component,
                quantity: Decimal::ZERO,
                unit: l.unit,
                cost: MicroUsd::ZERO,
            });
        e.quantity += l.quantity;
        e.cost = e.cost + l.cost;
    }
    sums.into_values().collect()
}

pub(super) fn unit_of(id: &str, f: &Figure) -> &'static str {
    // Units are a small closed set; map to static strings so lines stay small.
    match f.unit.as_str() {
        "GB" => "GB",
        "GB-month" => "GB-month",
        "GB-s" => "GB-s",
        "1M requests" => "1M requests",
        "1M events" => "1M events",
        "endpoint-AZ-hour" => "endpoint-AZ-hour",
        _ => {
            tracing::debug!("price {id} has an unusual unit {}", f.unit);
            "unit"
        }
    }
}
