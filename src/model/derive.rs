//! What one group looks like to the model, derived once from its snapshot row and the scenario:
//! vended or not, Infrequent Access or not, GiB in, compressed bytes, GB-months stored, GiB
//! scanned by Insights (and where that figure came from), events, and today's path. Every path
//! module prices these volumes; none reads the snapshot row itself.

use std::collections::BTreeMap;

use rust_decimal::prelude::*;

use super::source::{BillingClass, Classified, VendedLadder, classify};
use super::{Component, Path, Scenario};
use crate::snapshot::GroupInput;

const GIB: u64 = 1 << 30;

/// Is a group of this name vended by its name alone (the fallback rules of [`super::source`],
/// with Lambda logs vended as they are since 2025-05-01)?
pub fn is_vended_name(name: &str) -> bool {
    super::source::by_name(name).billing(true).is_vended()
        || name.to_ascii_lowercase().starts_with("/aws/vendedlogs/")
}

/// Bytes as GiB, exactly: AWS prices "GB" as 2^30 bytes.
pub(super) fn gib(bytes: u64) -> Decimal {
    Decimal::from(bytes) / Decimal::from(GIB)
}

/// What one group looks like to the model, derived once.
#[derive(Clone, Debug)]
pub struct Derived {
    /// What produces the logs and how their ingestion is billed, with the bases.
    pub class: Classified,
    /// Billed at a vended ladder (`class.billing` is `Vended`).
    pub vended: bool,
    pub ia: bool,
    pub gib_in: Decimal,
    pub compressed_bytes: u64,
    pub storage_gib_month: Decimal,
    pub scan_gib: Decimal,
    /// Where the scan volume came from: "snapshot", "measured", "query plan" or "assumption".
    pub scan_source: &'static str,
    pub events: u64,
    /// The bytes Datadog bills for the whole group: the Forwarder's JSON envelope around each
    /// event (measured ratio from the sampled events, else the scenario's per-event overhead).
    pub datadog_billed_bytes: u64,
    /// Where that came from: "measured envelope" or "per-event overhead".
    pub envelope_source: &'static str,
    /// GiB of the group's ingestion the WAF log allowance makes free (500 bytes per inspected
    /// request, when the rule is in force and the request count is known), at most `gib_in`.
    pub waf_free_gib: Decimal,
    /// The share of events the Datadog filter forwards (1 without a measured pattern).
    pub datadog_share: Decimal,
    /// Today's path (CloudWatch when unknown).
    pub today: Path,
    /// Whether forwarding is known; unknown groups are also priced as forwarded.
    pub today_known: bool,
    /// Days in the month priced (steady-state storage holds `retention / month_days` months).
    pub month_days: u32,
}

/// Optional per-group scan volume from the query library's plan (bytes per month).
pub type ScanPlan = BTreeMap<(String, String, String), u64>;

impl Derived {
    /// The component the group's CloudWatch Logs ingestion is billed as (reconciliation files
    /// the group's bytes under it).
    pub fn ingest_component(&self) -> Component {
        match (self.class.billing, self.ia) {
            (BillingClass::Delivery, _) => Component::VendedToFirehose,
            (BillingClass::Vended(_), false) => Component::VendedIngest,
            (BillingClass::Vended(_), true) => Component::VendedIngestIa,
            (BillingClass::Custom, false) => Component::CloudwatchIngest,
            (BillingClass::Custom, true) => Component::CloudwatchIngestIa,
        }
    }

    pub fn is_delivery(&self) -> bool {
        self.class.billing == BillingClass::Delivery
    }
}

/// The book's dated rules in force for the month priced.
#[derive(Clone, Copy, Debug)]
pub(super) struct Rules {
    /// `lambda_logs_vended`.
    pub lambda_vended: bool,
    /// `waf_log_allowance`.
    pub waf_allowance: bool,
    /// Days in the month priced.
    pub month_days: u32,
}

/// WAF logging includes this much log delivery per inspected request (book rule
/// `waf_log_allowance`).
const WAF_FREE_BYTES_PER_REQUEST: u64 = 500;

/// Derive a group's volumes. `lambda_vended`: the book's `lambda_logs_vended` rule is in force
/// for the month. An unknown source or billing class in the snapshot is an error naming it.
pub(super) fn derive(
    g: &GroupInput,
    s: &Scenario,
    plan: Option<&ScanPlan>,
    measured: Option<&ScanPlan>,
    rules: Rules,
) -> Result<Derived, String> {
    let class = classify(g, rules.lambda_vended)?;
    let vended = class.billing.is_vended();
    let ia = g.log_group_class.as_deref() == Some("INFREQUENT_ACCESS");
    let ratio = g
        .gzip_ratio
        .and_then(Decimal::from_f64)
        .filter(|r| *r >= Decimal::ONE)
        .unwrap_or(s.compression_ratio);
    let estimated = (Decimal::from(g.incoming_bytes) / ratio)
        .round()
        .to_u64()
        .unwrap_or(0);
    let compressed_bytes = datadog_compressed(g).unwrap_or(estimated);
    let monthly_compressed = gib(estimated);
    let delivery = class.billing == BillingClass::Delivery;
    let storage_gib_month = match g.stored_bytes.filter(|b| *b > 0) {
        // A DELIVERY group keeps events one day, at no storage charge, and has no Insights.
        _ if delivery => Decimal::ZERO,
        Some(b) => gib(b),
        None => steady_state(
            monthly_compressed,
            g.retention_days.map(|d| d as u32),
            s,
            rules.month_days,
        ),
    };
    let key = (g.account_id.clone(), g.region.clone(), g.log_group.clone());
    // First what the snapshot states, then what DescribeQueries measured, then the library's
    // plan (the groups its queries read), then the assumption.
    let (scan_gib, scan_source) = match (
        g.insights_scanned_bytes,
        measured.and_then(|m| m.get(&key)),
        plan.and_then(|p| p.get(&key)),
    ) {
        _ if delivery => (Decimal::ZERO, "delivery class"),
        (Some(b), _, _) => (gib(b), "snapshot"),
        (None, Some(b), _) => (gib(*b), "measured"),
        (None, None, Some(b)) => (gib(*b), "query plan"),
        (None, None, None) => (gib(g.incoming_bytes) * s.insights_full_scans, "assumption"),
    };
    Ok(Derived {
        class,
        vended,
        ia,
        gib_in: gib(g.incoming_bytes),
        compressed_bytes,
        storage_gib_month,
        scan_gib,
        scan_source,
        events: g.incoming_events,
        datadog_billed_bytes: envelope(g, s).0,
        envelope_source: envelope(g, s).1,
        waf_free_gib: match (class.billing, g.waf_requests) {
            (BillingClass::Vended(VendedLadder::Waf), Some(n)) if rules.waf_allowance => {
                gib(n.saturating_mul(WAF_FREE_BYTES_PER_REQUEST)).min(gib(g.incoming_bytes))
            }
            _ => Decimal::ZERO,
        },
        datadog_share: datadog_share(g),
        today: today_of(g).unwrap_or(Path::Cloudwatch),
        today_known: today_of(g).is_some(),
        month_days: rules.month_days,
    })
}

/// The bytes of the Forwarder's JSON for the whole group: IncomingBytes x (envelope bytes /
/// sampled bytes) when `sample --sample-events` measured both, else IncomingBytes + events x the
/// scenario's per-event overhead.
fn envelope(g: &GroupInput, s: &Scenario) -> (u64, &'static str) {
    match (g.datadog_envelope_bytes, g.sampled_bytes) {
        (Some(e), Some(b)) if b > 0 && e > 0 => {
            let billed = Decimal::from(g.incoming_bytes) * Decimal::from(e) / Decimal::from(b);
            (
                billed.round().to_u64().unwrap_or(u64::MAX),
                "measured envelope",
            )
        }
        _ => {
            let overhead = u64::from(s.forwarder_envelope_bytes) * g.incoming_events;
            (
                g.incoming_bytes.saturating_add(overhead),
                "per-event overhead",
            )
        }
    }
}

/// The compressed bytes the Datadog filter sends today: its own `ForwardedBytes`; the sum over
/// every filter (`forwarded_bytes`) only for an older snapshot whose one destination is Datadog's
/// (a SIEM filter beside it would double egress and Lambda).
fn datadog_compressed(g: &GroupInput) -> Option<u64> {
    match g.datadog_forwarded_bytes {
        Some(b) => Some(b).filter(|b| *b > 0),
        None => g
            .forwarded_bytes
            .filter(|b| *b > 0)
            .filter(|_| g.datadog_forwarder == Some(true))
            .filter(|_| {
                g.destination_kind
                    .as_deref()
                    .is_none_or(|k| !k.contains(';'))
            }),
    }
}

/// The share of the group's events the Datadog filter forwards (its pattern carries to every
/// Datadog path): `datadog_forwarded_events / incoming_events`, at most 1; 1 when not measured.
fn datadog_share(g: &GroupInput) -> Decimal {
    match g.datadog_forwarded_events {
        Some(e) if e > 0 && g.incoming_events > 0 => {
            (Decimal::from(e) / Decimal::from(g.incoming_events)).min(Decimal::ONE)
        }
        _ => Decimal::ONE,
    }
}

/// Today's path, `None` when forwarding is unknown (AccessDenied, `--no-forwarding-scan`, a
/// snapshot without the columns): a Forwarder Lambda; a Datadog filter through Firehose (the
/// Datadog destination is listed first in `destination_kind`); else CloudWatch when known.
fn today_of(g: &GroupInput) -> Option<Path> {
    let dd_volume = g.datadog_forwarded_bytes.or(g.datadog_forwarded_events);
    let first_kind = g
        .destination_kind
        .as_deref()
        .and_then(|k| k.split(';').next());
    match (g.datadog_forwarder, dd_volume) {
        (Some(true), _) => Some(Path::DatadogForwarder),
        (_, Some(v)) if v > 0 && first_kind == Some("firehose") => Some(Path::DatadogFirehose),
        (_, Some(v)) if v > 0 => Some(Path::DatadogForwarder),
        (Some(false), _) | (None, Some(_)) => Some(Path::Cloudwatch),
        (None, None) => None,
    }
}

/// Steady-state GB-months held: a month's compressed volume times the months retained (a
/// retention of `d` days holds `d / month_days` of the month priced).
pub(super) fn steady_state(
    monthly_compressed_gib: Decimal,
    retention_days: Option<u32>,
    s: &Scenario,
    month_days: u32,
) -> Decimal {
    let months = match retention_days {
        Some(d) => Decimal::from(d) / Decimal::from(month_days.max(1)),
        None => Decimal::from(s.never_expire_months),
    };
    monthly_compressed_gib * months
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vended_names() {
        assert!(is_vended_name("aws-waf-logs-prod"));
        assert!(is_vended_name("/aws/vpc/flowlogs/prod"));
        assert!(is_vended_name("/aws/route53resolver/query-logs/x"));
        // Lambda logs are vended since 2025-05-01 (the book's rule; PRICING.md "2026 changes").
        assert!(is_vended_name("/aws/lambda/fn"));
        // ELB writes only to S3; public DNS query logs and CloudFront Functions are custom.
        assert!(!is_vended_name("/aws/elasticloadbalancing/app/web"));
        assert!(!is_vended_name("/aws/route53/example.com"));
        assert!(!is_vended_name("/aws/cloudfront/function/rewrite"));
        // EKS: only the control plane's group.
        assert!(is_vended_name("/aws/eks/prod/cluster"));
        assert!(!is_vended_name("/aws/eks/prod/workloads"));
        assert!(!is_vended_name("/aws/eks/prod/cluster/extra"));
        assert!(!is_vended_name("/ecs/web/alb-access"));
    }
}
