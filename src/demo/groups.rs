//! The demo account's log groups: one line per group (name, monthly volume, content kind,
//! forwarding, class, retention, creation day), and the daily volumes and stored bytes derived
//! from them, with a weekly rhythm, a little noise and a slow growth trend.

use super::events::{mix, name_hash, shape};

pub const DEMO_ACCOUNT_ID: &str = "210987654321";
pub const DEMO_REGION: &str = "us-east-1";
/// A second account of the same organization: its groups pool their tiers with the first's.
pub const DEMO_MEMBER_ACCOUNT_ID: &str = "210987654322";
/// The organization's management (payer) account; it holds no log groups.
pub const DEMO_PAYER_ID: &str = "210987650000";
/// The member account's second region, outside the Datadog site's (US1, us-east-1).
pub const DEMO_OTHER_REGION: &str = "eu-west-1";
const FORWARDER_NAME: &str = "datadog-forwarder-Forwarder-8KqLZ2";
pub(super) const FIREHOSE_STREAM: &str = "datadog-logs-stream";
pub(super) const GIB: f64 = 1_073_741_824.0;

#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Content {
    Waf,
    Alb,
    Resolver,
    Flow,
    Secure,
    Lambda,
    AppJson,
    Trail,
}

#[derive(Clone, Copy)]
pub(super) enum Fwd {
    None,
    Datadog,
    Firehose,
    Kinesis,
    /// Two filters: the Datadog Forwarder and a SIEM's Kinesis stream.
    DatadogAndKinesis,
    /// A Datadog filter ListMetrics names, but DescribeSubscriptionFilters is denied (a
    /// resource policy guards the group): forwarding is unknown.
    Denied,
}

pub(super) struct Spec {
    pub(super) name: &'static str,
    pub(super) ia: bool,
    pub(super) retention: Option<i32>,
    pub(super) gib_month: f64,
    pub(super) content: Content,
    pub(super) fwd: Fwd,
    /// Days since 2024-01-01 when the group was created.
    pub(super) created_day: i64,
}

const fn s(
    name: &'static str,
    gib_month: f64,
    content: Content,
    fwd: Fwd,
    ia: bool,
    retention: Option<i32>,
    created_day: i64,
) -> Spec {
    Spec {
        name,
        ia,
        retention,
        gib_month,
        content,
        fwd,
        created_day,
    }
}

use Content::*;
use Fwd::{
    Datadog as DD, DatadogAndKinesis as DK, Denied as DN, Firehose as FH, Kinesis as KS, None as NO,
};

pub(super) const SPECS: &[Spec] = &[
    s(
        "aws-waf-logs-prod-cloudfront",
        3_300.0,
        Waf,
        DD,
        false,
        Some(30),
        10,
    ),
    s(
        "aws-waf-logs-prod-alb",
        1_150.0,
        Waf,
        DD,
        false,
        Some(30),
        40,
    ),
    s(
        "aws-waf-logs-api-gateway",
        420.0,
        Waf,
        DD,
        false,
        Some(14),
        200,
    ),
    s("aws-waf-logs-staging", 18.0, Waf, NO, false, Some(7), 300),
    s(
        "/aws/vpc/flowlogs/prod-vpc",
        2_600.0,
        Flow,
        NO,
        false,
        Some(90),
        5,
    ),
    s(
        "/aws/vpc/flowlogs/shared-services",
        310.0,
        Flow,
        NO,
        false,
        Some(30),
        60,
    ),
    s(
        "/aws/vpc/flowlogs/staging-vpc",
        140.0,
        Flow,
        NO,
        true,
        Some(30),
        90,
    ),
    s(
        "/aws/route53resolver/query-logs/prod-vpc",
        880.0,
        Resolver,
        DD,
        false,
        Some(30),
        70,
    ),
    s(
        "/aws/route53resolver/query-logs/staging-vpc",
        45.0,
        Resolver,
        NO,
        false,
        Some(14),
        95,
    ),
    s(
        "/aws/route53/example-shop.com",
        6.5,
        Resolver,
        NO,
        false,
        Some(30),
        20,
    ),
    s(
        "/ecs/web-frontend/alb-access",
        520.0,
        Alb,
        DD,
        false,
        Some(30),
        15,
    ),
    s(
        "/ecs/public-api/alb-access",
        260.0,
        Alb,
        DD,
        false,
        Some(30),
        30,
    ),
    s(
        "/ecs/internal-admin/alb-access",
        3.2,
        Alb,
        NO,
        false,
        Some(90),
        400,
    ),
    s(
        "/ecs/orders-service",
        190.0,
        AppJson,
        DD,
        false,
        Some(30),
        12,
    ),
    s(
        "/ecs/payments-service",
        75.0,
        AppJson,
        FH,
        false,
        Some(365),
        12,
    ),
    s(
        "/ecs/search-service",
        240.0,
        AppJson,
        DD,
        false,
        Some(14),
        50,
    ),
    s(
        "/ecs/checkout-service",
        58.0,
        AppJson,
        DD,
        false,
        Some(30),
        55,
    ),
    s(
        "/ecs/notifications-worker",
        22.0,
        AppJson,
        NO,
        false,
        Some(14),
        180,
    ),
    s("/var/log/secure", 2.4, Secure, DD, false, Some(365), 3),
    s(
        "/var/log/secure-bastion",
        0.35,
        Secure,
        KS,
        false,
        Some(365),
        3,
    ),
    s(
        "/aws/lambda/image-resizer",
        48.0,
        Lambda,
        DD,
        false,
        Some(14),
        100,
    ),
    s(
        "/aws/lambda/order-events-consumer",
        31.0,
        Lambda,
        DD,
        false,
        Some(14),
        101,
    ),
    s(
        "/aws/lambda/payments-webhook",
        9.5,
        Lambda,
        FH,
        false,
        Some(90),
        102,
    ),
    s(
        "/aws/lambda/auth-token-refresh",
        6.1,
        Lambda,
        DD,
        false,
        Some(14),
        150,
    ),
    s(
        "/aws/lambda/nightly-report",
        0.8,
        Lambda,
        NO,
        false,
        Some(30),
        160,
    ),
    s(
        "/aws/lambda/s3-inventory-sync",
        1.9,
        Lambda,
        NO,
        false,
        None,
        170,
    ),
    s(
        "/aws/lambda/slack-alerts",
        0.12,
        Lambda,
        NO,
        false,
        Some(7),
        171,
    ),
    s(
        "/aws/lambda/feature-flags-api",
        14.0,
        Lambda,
        DD,
        false,
        Some(14),
        210,
    ),
    s(
        "/aws/lambda/search-indexer",
        22.0,
        Lambda,
        DD,
        false,
        Some(14),
        220,
    ),
    s(
        "/aws/lambda/email-bounce-handler",
        0.45,
        Lambda,
        NO,
        false,
        Some(30),
        230,
    ),
    s(
        "/aws/lambda/datadog-forwarder-Forwarder-8KqLZ2",
        3.8,
        Lambda,
        NO,
        false,
        Some(7),
        9,
    ),
    s("/aws/lambda/legacy-cron", 0.0, Lambda, NO, false, None, 1),
    s(
        "/aws/eks/prod-cluster/cluster",
        160.0,
        AppJson,
        DD,
        false,
        Some(30),
        25,
    ),
    s(
        "/aws/containerinsights/prod-cluster/performance",
        95.0,
        AppJson,
        NO,
        false,
        Some(1),
        26,
    ),
    s(
        "/aws/rds/instance/orders-db/postgresql",
        7.5,
        AppJson,
        NO,
        false,
        Some(30),
        13,
    ),
    s(
        "/aws/cloudtrail/org-trail",
        64.0,
        Trail,
        NO,
        false,
        Some(90),
        2,
    ),
    s(
        "/audit/cloudtrail-archive",
        38.0,
        Trail,
        NO,
        true,
        Some(2557),
        2,
    ),
    s(
        "/app/batch-jobs-archive",
        12.0,
        AppJson,
        NO,
        true,
        Some(365),
        120,
    ),
    s(
        "/aws/network-firewall/flow/prod",
        210.0,
        Flow,
        NO,
        false,
        Some(30),
        80,
    ),
    s(
        "/aws/apigateway/public-api-access",
        35.0,
        Alb,
        DD,
        false,
        Some(30),
        45,
    ),
    // CloudFront standard logging (v2) delivered by CloudWatch Logs' delivery API into a group
    // the user named: only DescribeDeliveries tells that it is vended (CFLogs ladder).
    s("cdn-access-logs", 260.0, Alb, NO, false, Some(30), 150),
    // Lambda logs on their way to Firehose: the DELIVERY class, kept one day.
    s(
        "/aws/lambda/clickstream-to-firehose",
        540.0,
        Lambda,
        NO,
        false,
        Some(1),
        170,
    ),
    // Names that look vended but are custom logs (issue 8): ELB access logs shipped by custom
    // code (ELB itself writes only to S3), CloudFront Functions' console output, and an EKS
    // group other than the control plane's `/aws/eks/<cluster>/cluster`.
    s(
        "/aws/elasticloadbalancing/app/legacy-shipper",
        4.0,
        Alb,
        NO,
        false,
        Some(14),
        120,
    ),
    s(
        "/aws/cloudfront/function/url-rewrite",
        0.6,
        AppJson,
        NO,
        false,
        Some(7),
        150,
    ),
    s(
        "/aws/eks/prod-cluster/fluent-bit",
        22.0,
        AppJson,
        NO,
        false,
        Some(14),
        26,
    ),
    // Issue 8's cases: a group with a Datadog filter and a SIEM's Kinesis filter (only the
    // Datadog filter's bytes drive the Datadog side), and one whose filters cannot be read.
    s("/ecs/auth-service", 30.0, AppJson, DK, false, Some(30), 60),
    s(
        "/ecs/ledger-service",
        16.0,
        AppJson,
        DN,
        false,
        Some(90),
        75,
    ),
];

/// The member account's groups in us-east-1: a Lambda-heavy API and vended flow logs that share
/// the payer's tier pools with the first account's.
pub(super) const MEMBER_SPECS: &[Spec] = &[
    s(
        "/aws/lambda/checkout-api",
        1_400.0,
        Lambda,
        DD,
        false,
        Some(14),
        200,
    ),
    s(
        "/aws/vpc/flowlogs/member-vpc",
        900.0,
        Flow,
        NO,
        false,
        Some(30),
        210,
    ),
];

/// The member account's groups in eu-west-1, outside the Datadog site's region: PrivateLink to
/// US1 crosses regions (transfer.inter_region).
pub(super) const MEMBER_EU_SPECS: &[Spec] = &[
    s(
        "/aws/lambda/eu-orders",
        60.0,
        Lambda,
        DD,
        false,
        Some(14),
        220,
    ),
    s(
        "/ecs/eu-storefront",
        85.0,
        AppJson,
        DD,
        false,
        Some(30),
        230,
    ),
];

/// Groups of the `DELIVERY` log class.
pub(super) const DELIVERY_CLASS: &[&str] = &["/aws/lambda/clickstream-to-firehose"];

/// Vended-log deliveries into CloudWatch Logs: (delivery source name, service, log type,
/// resource ARN, log group).
pub(super) const DELIVERIES: &[(&str, &str, &str, &str, &str)] = &[(
    "cdn-distribution-E2QWRUHAPOMQZL",
    "cloudfront",
    "ACCESS_LOGS",
    "arn:aws:cloudfront::210987654321:distribution/E2QWRUHAPOMQZL",
    "cdn-access-logs",
)];

const EPOCH_2024: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

impl Spec {
    /// The group's subscription filters in `account` and `region`: (filter name, destination
    /// ARN, the `DestinationType` CloudWatch publishes its metrics under).
    pub(super) fn destinations(
        &self,
        account: &str,
        region: &str,
    ) -> Vec<(&'static str, String, &'static str)> {
        let datadog = || {
            (
                "datadog-forwarder",
                format!("arn:aws:lambda:{region}:{account}:function:{FORWARDER_NAME}"),
                "Lambda",
            )
        };
        let kinesis = || {
            (
                "siem-kinesis",
                format!("arn:aws:kinesis:{region}:{account}:stream/siem-ingest"),
                "Kinesis",
            )
        };
        match self.fwd {
            Fwd::None => vec![],
            Fwd::Datadog | Fwd::Denied => vec![datadog()],
            Fwd::Firehose => vec![(
                "datadog-firehose",
                format!("arn:aws:firehose:{region}:{account}:deliverystream/{FIREHOSE_STREAM}"),
                "Firehose",
            )],
            Fwd::Kinesis => vec![kinesis()],
            Fwd::DatadogAndKinesis => vec![datadog(), kinesis()],
        }
    }

    pub(super) fn created_secs(&self) -> i64 {
        EPOCH_2024 + self.created_day * 86_400
    }

    /// Uncompressed bytes ingested on the UTC day starting at `day_start` (epoch seconds).
    pub(super) fn day_bytes(&self, day_start: i64) -> f64 {
        if day_start < self.created_secs() || self.gib_month <= 0.0 {
            return 0.0;
        }
        let day = day_start.div_euclid(86_400);
        let weekday = (day + 4).rem_euclid(7); // 0 = Sunday
        let weekly = if weekday == 0 || weekday == 6 {
            0.78
        } else {
            1.09
        };
        let noise = 0.9 + (mix(name_hash(self.name) ^ day as u64) % 2_000) as f64 / 10_000.0;
        // A slow growth trend, about 2% a month, so month-over-month has something to show.
        let trend = 1.0 + (day_start - EPOCH_2024) as f64 / (86_400.0 * 30.0) * 0.02;
        (self.gib_month * GIB / 30.4 * weekly * noise * trend).round()
    }

    pub(super) fn day_events(&self, day_start: i64) -> f64 {
        (self.day_bytes(day_start) / shape(self.content).avg_event).round()
    }

    pub(super) fn stored_bytes(&self) -> u64 {
        let months = f64::from(self.retention.unwrap_or(730)).min(730.0) / 30.4;
        (self.gib_month * GIB * months / shape(self.content).gzip_ratio) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_is_there() {
        assert!((38..=48).contains(&SPECS.len()));
        assert!(
            SPECS
                .iter()
                .any(|s| matches!(s.fwd, Fwd::DatadogAndKinesis))
        );
        assert!(SPECS.iter().any(|s| matches!(s.fwd, Fwd::Denied)));
        assert!(
            MEMBER_SPECS
                .iter()
                .any(|s| s.name.starts_with("/aws/lambda/"))
        );
        assert!(!MEMBER_EU_SPECS.is_empty());
        let n = |p: &str| SPECS.iter().filter(|s| s.name.starts_with(p)).count();
        assert!(n("aws-waf-logs-") >= 3);
        assert!(n("/aws/lambda/") >= 12);
        assert!(n("/aws/vpc/flowlogs/") >= 2);
        assert!(n("/aws/route53resolver/") >= 1);
        assert!(n("/var/log/secure") >= 1);
        assert!(SPECS.iter().filter(|s| s.ia).count() >= 2);
        assert!(SPECS.iter().any(|s| matches!(s.fwd, Fwd::Datadog)));
        let mut names: Vec<_> = SPECS.iter().map(|s| s.name).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), SPECS.len(), "names are unique");
    }
}
