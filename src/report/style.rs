//! Names and colours that the HTML page and its charts share: a reader's label for each cost
//! component, a colour per component family, a stroke per path.

use crate::model::Path;

/// (stroke colour, dash pattern) of a path's line; dashes keep them apart in black and white.
pub fn path_style(p: Path) -> (&'static str, Option<&'static str>) {
    match p {
        Path::Cloudwatch => ("#1f5f9e", None),
        Path::DatadogForwarder => ("#6a3fa0", Some("8 4")),
        Path::DatadogFirehose => ("#b3541e", Some("2 3")),
        Path::DatadogPrivatelink => ("#1f8a80", Some("10 3 2 3")),
        Path::Hybrid => ("#6b7280", Some("4 4")),
    }
}

/// Component colours by family: CloudWatch blues, Lambda oranges, transfer ochres, PrivateLink
/// greens, Firehose browns, Datadog purples.
pub fn component_colour(name: &str) -> Option<&'static str> {
    Some(match name {
        "cloudwatch_ingest" => "#1f4e79",
        "cloudwatch_ingest_ia" => "#3a6ea5",
        "vended_ingest" => "#4f86c6",
        "vended_ingest_ia" => "#8fb3de",
        "cloudwatch_storage" => "#9db7d5",
        "insights_scan" => "#2a8c9c",
        "forwarder_requests" => "#e0a458",
        "forwarder_duration" => "#c8742c",
        "egress_internet" => "#c9a227",
        "egress_same_region" => "#e3c96b",
        "privatelink_data" => "#5e9e6e",
        "privatelink_endpoint_hours" => "#93c29f",
        "vended_to_firehose" => "#8a5a44",
        "firehose_ingest" => "#b98b73",
        "datadog_ingest" => "#632ca6",
        "datadog_index" => "#8e63c9",
        "datadog_flex" => "#c2a8e6",
        _ => return None,
    })
}

/// Colours for components without a family colour, in turn.
pub const FALLBACK: [&str; 6] = [
    "#7a8793", "#a3742c", "#4b7f52", "#9c4f6b", "#5b6fb0", "#b0a05b",
];

/// A reader's name for a component; the id is shown beside it in the table.
pub fn component_label(name: &str) -> String {
    let s = match name {
        "cloudwatch_ingest" => "CloudWatch ingestion (Standard)",
        "cloudwatch_ingest_ia" => "CloudWatch ingestion (Infrequent Access)",
        "vended_ingest" => "Vended log ingestion",
        "vended_ingest_ia" => "Vended log ingestion (Infrequent Access)",
        "cloudwatch_storage" => "CloudWatch storage",
        "insights_scan" => "Logs Insights scanning",
        "forwarder_requests" => "Forwarder Lambda requests",
        "forwarder_duration" => "Forwarder Lambda duration",
        "egress_internet" => "Data transfer out (internet)",
        "egress_same_region" => "Data transfer out (same region)",
        "privatelink_data" => "PrivateLink data processed",
        "privatelink_endpoint_hours" => "PrivateLink endpoint hours",
        "transfer_inter_region" => "Inter-region transfer",
        "waf_log_allowance" => "WAF log allowance (credit)",
        "vended_to_firehose" => "Vended logs delivered to Firehose",
        "firehose_ingest" => "Firehose ingestion",
        "datadog_ingest" => "Datadog ingestion",
        "datadog_index" => "Datadog indexing",
        "datadog_flex" => "Datadog Flex Logs",
        "free_tier_ingest" => "Free tier: ingestion",
        "free_tier_storage" => "Free tier: storage",
        "free_tier_scan" => "Free tier: Insights scanning",
        "free_tier_egress" => "Free tier: data transfer out",
        "free_tier_lambda_requests" => "Free tier: Lambda requests",
        "free_tier_lambda_duration" => "Free tier: Lambda duration",
        other => return other.replace('_', " "),
    };
    s.to_string()
}

/// A path's name where a column is narrow.
pub fn short_title(p: Path) -> &'static str {
    match p {
        Path::Cloudwatch => "CloudWatch",
        Path::DatadogForwarder => "DD Forwarder",
        Path::DatadogFirehose => "DD Firehose",
        Path::DatadogPrivatelink => "DD PrivateLink",
        Path::Hybrid => "Hybrid",
    }
}

/// A reader's name for a log group class.
pub fn class_label(c: &str) -> &str {
    match c {
        "STANDARD" => "Standard",
        "INFREQUENT_ACCESS" => "Infrequent Access",
        "DELIVERY" => "Delivery",
        other => other,
    }
}
