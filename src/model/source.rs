//! What produces a log group's logs (its [`Source`]) and how CloudWatch Logs bills their
//! ingestion (its [`BillingClass`]), with the basis of each answer: `aws` (an AWS API said so,
//! written into the snapshot by `sample`), `snapshot` (the user wrote it) or `name` (guessed from
//! the group's name by the rules in [`by_name`], the fallback).
//!
//! Why the name rules are what they are (sources in `../shared/PRICING.md`, "2026 changes"):
//! - `/aws/lambda/`: Lambda function logs are vended logs since 2025-05-01 (book rule
//!   `lambda_logs_vended`); before that month they are custom ingest.
//! - `/aws/elasticloadbalancing/`: ELB access logs are only delivered to S3 (ELB API reference,
//!   `AccessLog`), so a group there was written by custom code.
//! - `/aws/route53/<zone>`: public hosted-zone query logs are not on AWS's vended list (only
//!   Resolver query logs, `/aws/route53resolver/`, are).
//! - `/aws/eks/`: only the control plane's `/aws/eks/<cluster>/cluster` is vended.
//! - `/aws/cloudfront/function/`: CloudFront Functions' console output, custom logs.
//! - API Gateway access logs and CloudFront standard logging (v2) are vended but land in groups
//!   the user names: only the snapshot (or AWS) can say so; by name they are custom.
//! - Log class `DELIVERY`: Lambda logs on their way to S3 or Firehose (CloudWatch Logs API
//!   reference, `LogGroup.logGroupClass`): AWS says so, whatever the name.

use std::fmt;

use crate::snapshot::GroupInput;

/// What writes a group's logs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    Lambda,
    Waf,
    VpcFlow,
    Route53Resolver,
    Route53PublicDns,
    Cloudfront,
    CloudfrontFunctions,
    ApiGatewayAccess,
    EksControlPlane,
    NetworkFirewall,
    Custom,
    Unknown,
}

impl Source {
    pub const ALL: [Source; 12] = [
        Source::Lambda,
        Source::Waf,
        Source::VpcFlow,
        Source::Route53Resolver,
        Source::Route53PublicDns,
        Source::Cloudfront,
        Source::CloudfrontFunctions,
        Source::ApiGatewayAccess,
        Source::EksControlPlane,
        Source::NetworkFirewall,
        Source::Custom,
        Source::Unknown,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Source::Lambda => "lambda",
            Source::Waf => "waf",
            Source::VpcFlow => "vpc_flow",
            Source::Route53Resolver => "route53_resolver",
            Source::Route53PublicDns => "route53_public_dns",
            Source::Cloudfront => "cloudfront",
            Source::CloudfrontFunctions => "cloudfront_functions",
            Source::ApiGatewayAccess => "api_gateway_access",
            Source::EksControlPlane => "eks_control_plane",
            Source::NetworkFirewall => "network_firewall",
            Source::Custom => "custom",
            Source::Unknown => "unknown",
        }
    }

    fn parse(s: &str) -> Option<Source> {
        Source::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// How this source's logs are billed when nothing more specific is known. `lambda_vended`:
    /// the book's `lambda_logs_vended` rule is in force for the month.
    pub fn billing(self, lambda_vended: bool) -> BillingClass {
        use BillingClass::{Custom, Vended};
        match self {
            Source::Lambda if lambda_vended => Vended(VendedLadder::Generic),
            Source::Waf => Vended(VendedLadder::Waf),
            Source::Cloudfront => Vended(VendedLadder::Cloudfront),
            Source::VpcFlow
            | Source::Route53Resolver
            | Source::ApiGatewayAccess
            | Source::EksControlPlane
            | Source::NetworkFirewall => Vended(VendedLadder::Generic),
            _ => Custom,
        }
    }
}

/// A vended-log tier ladder: the Price List's usage-type family (`VendedLog-Bytes`,
/// `VendedLog-Bytes-WAFLogs`, `-CFLogs`, `-MTLogs`). Each has its own tiers, so each is its own
/// pool (whether AWS pools across them is not stated: PRICING.md, "separate vended ladders").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum VendedLadder {
    Generic,
    Waf,
    Cloudfront,
    Mt,
}

impl VendedLadder {
    pub fn as_str(self) -> &'static str {
        match self {
            VendedLadder::Generic => "VendedLog-Bytes",
            VendedLadder::Waf => "WAFLogs",
            VendedLadder::Cloudfront => "CFLogs",
            VendedLadder::Mt => "MTLogs",
        }
    }
}

/// How CloudWatch Logs bills a group's ingestion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum BillingClass {
    /// Custom logs: the flat ingestion price and the account's free tier.
    Custom,
    /// Vended logs on a tier ladder.
    Vended(VendedLadder),
    /// The `DELIVERY` log class: Lambda logs kept one day on their way to S3 or Firehose,
    /// billed as vended delivery, no storage, no Insights.
    Delivery,
}

impl BillingClass {
    fn parse(s: &str) -> Option<BillingClass> {
        let ladder = |l: &str| {
            [
                VendedLadder::Generic,
                VendedLadder::Waf,
                VendedLadder::Cloudfront,
                VendedLadder::Mt,
            ]
            .into_iter()
            .find(|x| x.as_str() == l)
        };
        match s {
            "custom" => Some(BillingClass::Custom),
            "delivery" => Some(BillingClass::Delivery),
            "vended" => Some(BillingClass::Vended(VendedLadder::Generic)),
            _ => s
                .strip_prefix("vended:")
                .and_then(ladder)
                .map(BillingClass::Vended),
        }
    }

    pub fn is_vended(self) -> bool {
        matches!(self, BillingClass::Vended(_))
    }
}

impl fmt::Display for BillingClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BillingClass::Custom => f.write_str("custom"),
            BillingClass::Delivery => f.write_str("delivery"),
            BillingClass::Vended(l) => write!(f, "vended:{}", l.as_str()),
        }
    }
}

/// Where an answer came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Basis {
    Aws,
    Snapshot,
    Name,
}

impl Basis {
    pub fn as_str(self) -> &'static str {
        match self {
            Basis::Aws => "aws",
            Basis::Snapshot => "snapshot",
            Basis::Name => "name",
        }
    }
}

/// A group's source and billing class, each with its basis.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Classified {
    pub source: Source,
    pub source_basis: Basis,
    pub billing: BillingClass,
    pub billing_basis: Basis,
}

/// Classify a group: the snapshot's `billing_class`/`source` columns (basis `aws` when its
/// `source_basis` says so), the `DELIVERY` log class, the `vended` override, then the name.
/// An unknown value in a column is an error naming the group, the column and the valid values.
pub fn classify(g: &GroupInput, lambda_vended: bool) -> Result<Classified, String> {
    let stated = match g.source_basis.as_deref() {
        None | Some("snapshot") => Basis::Snapshot,
        Some("aws") => Basis::Aws,
        Some("name") => Basis::Name,
        Some(other) => return Err(bad(g, "source_basis", other, "aws, name, snapshot")),
    };
    let (source, source_basis) = match g.source.as_deref() {
        Some(s) => {
            let valid: Vec<&str> = Source::ALL.iter().map(|s| s.as_str()).collect();
            let src = Source::parse(s).ok_or_else(|| bad(g, "source", s, &valid.join(", ")))?;
            (src, stated)
        }
        None if is_delivery(g) => (Source::Lambda, Basis::Aws),
        None => (by_name(&g.log_group), Basis::Name),
    };
    let (billing, billing_basis) = match (g.billing_class.as_deref(), g.vended) {
        (Some(s), _) => {
            let valid = "custom, delivery, vended:VendedLog-Bytes, vended:WAFLogs, vended:CFLogs, vended:MTLogs";
            (
                BillingClass::parse(s).ok_or_else(|| bad(g, "billing_class", s, valid))?,
                stated,
            )
        }
        (None, _) if is_delivery(g) => (BillingClass::Delivery, Basis::Aws),
        (None, Some(true)) => match source.billing(true) {
            BillingClass::Vended(l) => (BillingClass::Vended(l), Basis::Snapshot),
            _ => (BillingClass::Vended(VendedLadder::Generic), Basis::Snapshot),
        },
        (None, Some(false)) => (BillingClass::Custom, Basis::Snapshot),
        (None, None) if source_basis == Basis::Name => {
            (by_name_billing(g, source, lambda_vended), Basis::Name)
        }
        (None, None) => (source.billing(lambda_vended), source_basis),
    };
    Ok(Classified {
        source,
        source_basis,
        billing,
        billing_basis,
    })
}

/// The billing class a name suggests: its source's, except that `/aws/vendedlogs/` (the prefix
/// AWS's consoles propose for vended deliveries) is vended whatever the source.
fn by_name_billing(g: &GroupInput, source: Source, lambda_vended: bool) -> BillingClass {
    let vendedlogs = g
        .log_group
        .to_ascii_lowercase()
        .starts_with("/aws/vendedlogs/");
    match source.billing(lambda_vended) {
        BillingClass::Custom if vendedlogs => BillingClass::Vended(VendedLadder::Generic),
        b => b,
    }
}

fn is_delivery(g: &GroupInput) -> bool {
    g.log_group_class.as_deref() == Some("DELIVERY")
}

fn bad(g: &GroupInput, column: &str, value: &str, valid: &str) -> String {
    format!(
        "log group {} ({}, {}), column {column}: {value:?} is not one of {valid}",
        g.log_group, g.account_id, g.region
    )
}

/// The source a group's name suggests (see the module's list of reasons). Names outside
/// `/aws/` are custom; names under `/aws/` that no rule knows are `unknown`.
pub fn by_name(name: &str) -> Source {
    let n = name.to_ascii_lowercase();
    let starts = |p: &str| n.starts_with(p);
    if starts("/aws/lambda/") {
        Source::Lambda
    } else if starts("aws-waf-logs-") {
        Source::Waf
    } else if starts("/aws/vpc/flowlogs")
        || starts("/aws/vpc-flow-logs")
        || n.contains("flowlog")
        || n.contains("flow-log")
    {
        Source::VpcFlow
    } else if starts("/aws/route53resolver/") {
        Source::Route53Resolver
    } else if starts("/aws/route53/") {
        Source::Route53PublicDns
    } else if starts("/aws/cloudfront/function/") {
        Source::CloudfrontFunctions
    } else if starts("/aws/network-firewall/") {
        Source::NetworkFirewall
    } else if is_eks_control_plane(&n) {
        Source::EksControlPlane
    } else if starts("/aws/elasticloadbalancing/")
        || starts("/aws/apigateway/")
        || starts("api-gateway-execution-logs_")
        || starts("/aws/eks/")
    {
        // ELB writes only to S3; API Gateway execution logs and other EKS groups are custom.
        Source::Custom
    } else if starts("/aws/") {
        Source::Unknown
    } else {
        Source::Custom
    }
}

/// `/aws/eks/<cluster>/cluster`, exactly.
fn is_eks_control_plane(n: &str) -> bool {
    n.strip_prefix("/aws/eks/")
        .and_then(|rest| rest.strip_suffix("/cluster"))
        .is_some_and(|cluster| !cluster.is_empty() && !cluster.contains('/'))
}
