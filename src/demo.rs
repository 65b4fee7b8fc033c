//! The built-in demo account: a deterministic synthetic AWS account behind the same
//! [`AccountApi`]/[`RegionApi`] traits as AWS, offline. It tells the story logplan comes from: WAF
//! logs (vended), ALB/app access logs, Route 53 resolver query logs, VPC flow logs,
//! `/var/log/secure` from the CloudWatch agent, a dozen Lambda functions and a few Infrequent
//! Access groups, some forwarded to a Datadog Forwarder Lambda; ~40 groups from megabytes to
//! terabytes a month. Event sizes and gzip ratios are those of the synthetic events it serves to
//! FilterLogEvents, so event sampling measures real compression of realistic-looking lines.

use std::io::Write;
use std::sync::{Arc, OnceLock};

use crate::aws::*;
use crate::error::{Error, Result};

pub const DEMO_ACCOUNT_ID: &str = "210987654321";
pub const DEMO_REGION: &str = "us-east-1";
const FORWARDER_ARN: &str =
    "arn:aws:lambda:us-east-1:210987654321:function:datadog-forwarder-Forwarder-8KqLZ2";
const FIREHOSE_ARN: &str =
    "arn:aws:firehose:us-east-1:210987654321:deliverystream/datadog-logs-stream";
const KINESIS_ARN: &str = "arn:aws:kinesis:us-east-1:210987654321:stream/siem-ingest";
const GIB: f64 = 1_073_741_824.0;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Content {
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
enum Fwd {
    None,
    Datadog,
    Firehose,
    Kinesis,
}

struct Spec {
    name: &'static str,
    ia: bool,
    retention: Option<i32>,
    gib_month: f64,
    content: Content,
    fwd: Fwd,
    /// Days since 2024-01-01 when the group was created.
    created_day: i64,
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
use Fwd::{Datadog as DD, Firehose as FH, Kinesis as KS, None as NO};

const SPECS: &[Spec] = &[
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
];

/// Measured once: average event size and gzip ratio of each content kind's synthetic events.
struct Shape {
    avg_event: f64,
    gzip_ratio: f64,
}

fn shape(c: Content) -> &'static Shape {
    static SHAPES: OnceLock<Vec<(Content, Shape)>> = OnceLock::new();
    let shapes = SHAPES.get_or_init(|| {
        [Waf, Alb, Resolver, Flow, Secure, Lambda, AppJson, Trail]
            .into_iter()
            .map(|c| {
                let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
                let mut bytes = 0usize;
                let n = 2_000u64;
                for i in 0..n {
                    let m = message(c, 7, i, 1_790_000_000_000 + i as i64 * 1_000);
                    bytes += m.len();
                    let _ = gz.write_all(m.as_bytes());
                    let _ = gz.write_all(b"\n");
                }
                let z = gz.finish().map(|v| v.len()).unwrap_or(1).max(1);
                (
                    c,
                    Shape {
                        avg_event: bytes as f64 / n as f64,
                        gzip_ratio: bytes as f64 / z as f64,
                    },
                )
            })
            .collect()
    });
    &shapes
        .iter()
        .find(|(k, _)| *k == c)
        .expect("every content has a shape")
        .1
}

/// splitmix64: a small, well-mixed deterministic hash.
fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

fn pick<'a>(h: u64, items: &[&'a str]) -> &'a str {
    items[(h % items.len() as u64) as usize]
}

fn ip(h: u64) -> String {
    let pubs = [203u64, 198, 192, 185, 91, 45, 34, 52, 3, 18];
    format!(
        "{}.{}.{}.{}",
        pubs[(h % 10) as usize],
        (h >> 8) % 256,
        (h >> 16) % 256,
        (h >> 24) % 254 + 1
    )
}

fn private_ip(h: u64) -> String {
    format!(
        "10.{}.{}.{}",
        (h >> 4) % 4,
        (h >> 12) % 32,
        (h >> 20) % 254 + 1
    )
}

/// One synthetic log event of the given kind: shape and variety like the real thing.
fn message(c: Content, group: u64, i: u64, ts_ms: i64) -> String {
    let h = mix(group ^ mix(i));
    let h2 = mix(h);
    let paths = [
        "/",
        "/api/v1/orders",
        "/api/v1/cart",
        "/login",
        "/static/app.js",
        "/api/v1/search",
        "/health",
        "/wp-login.php",
        "/api/v1/payments",
        "/images/banner.webp",
    ];
    let countries = [
        "US", "US", "US", "DE", "GB", "BR", "IN", "FR", "CN", "RU", "CA", "JP",
    ];
    match c {
        Waf => {
            let blocked = h.is_multiple_of(11);
            format!(
                r#"{{"timestamp":{ts_ms},"formatVersion":1,"webaclId":"arn:aws:wafv2:us-east-1:210987654321:global/webacl/prod-acl/1f2e3d4c","terminatingRuleId":"{}","terminatingRuleType":"{}","action":"{}","terminatingRuleMatchDetails":[],"httpSourceName":"CF","httpSourceId":"E2ABCDEF123456","ruleGroupList":[{{"ruleGroupId":"AWS#AWSManagedRulesCommonRuleSet","terminatingRule":null,"nonTerminatingMatchingRules":[],"excludedRules":null}},{{"ruleGroupId":"AWS#AWSManagedRulesKnownBadInputsRuleSet","terminatingRule":null,"nonTerminatingMatchingRules":[],"excludedRules":null}}],"rateBasedRuleList":[],"nonTerminatingMatchingRules":[],"requestHeadersInserted":null,"responseCodeSent":null,"httpRequest":{{"clientIp":"{}","country":"{}","headers":[{{"name":"host","value":"www.example-shop.com"}},{{"name":"user-agent","value":"{}"}},{{"name":"accept","value":"*/*"}},{{"name":"cookie","value":"session={:032x}; _ga=GA1.2.{}.{}"}},{{"name":"x-amzn-trace-id","value":"Root=1-{:08x}-{:024x}"}}],"uri":"{}","args":"{}","httpVersion":"HTTP/2.0","httpMethod":"{}","requestId":"{:016x}{:08x}"}},"labels":[{{"name":"awswaf:clientip:geo:country:{}"}}]}}"#,
                if blocked {
                    "AWS-AWSManagedRulesCommonRuleSet"
                } else {
                    "Default_Action"
                },
                if blocked {
                    "MANAGED_RULE_GROUP"
                } else {
                    "REGULAR"
                },
                if blocked { "BLOCK" } else { "ALLOW" },
                ip(h2),
                pick(h >> 3, &countries),
                pick(
                    h >> 7,
                    &[
                        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/131.0",
                        "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) Safari/604.1",
                        "curl/8.5.0",
                        "python-requests/2.32.3"
                    ]
                ),
                (h as u128) << 64 | mix(h2) as u128,
                h2 % 1_000_000_000,
                ts_ms / 1000 - (h % 100_000) as i64,
                (ts_ms / 1000) as u32,
                mix(h ^ 0x5bd1) as u128 * 0x1_0000,
                pick(h >> 11, &paths),
                if h.is_multiple_of(3) {
                    format!("q={}", h2 % 100_000)
                } else {
                    String::new()
                },
                pick(h >> 13, &["GET", "GET", "GET", "POST"]),
                h2,
                h as u32,
                pick(h >> 3, &countries),
            )
        }
        Alb => format!(
            "h2 {} app/prod-web/50dc6c495c0c9188 {}:{} {}:8080 0.000 0.{:03} 0.000 {} {} 34 {} \"{} https://www.example-shop.com:443{} HTTP/2.0\" \"Mozilla/5.0\" ECDHE-RSA-AES128-GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:210987654321:targetgroup/web/73e2d6bc24d8a067 \"Root=1-{:08x}-{:024x}\" \"www.example-shop.com\" \"arn:aws:acm:us-east-1:210987654321:certificate/12345678\" 0 {} \"forward\" \"-\" \"-\" \"{}:8080\" \"{}\" \"-\" \"-\"",
            ts_ms,
            ip(h),
            40_000 + h % 20_000,
            private_ip(h2),
            h2 % 900 + 3,
            pick(
                h >> 5,
                &["200", "200", "200", "200", "304", "404", "500", "502"]
            ),
            pick(
                h >> 5,
                &["200", "200", "200", "200", "304", "404", "500", "502"]
            ),
            h2 % 90_000 + 200,
            pick(h >> 9, &["GET", "GET", "POST"]),
            pick(h >> 11, &paths),
            ts_ms / 1000,
            h2 as u128 * 7919,
            ts_ms,
            private_ip(h2),
            pick(h >> 5, &["200", "200", "304", "500"])
        ),
        Resolver => format!(
            r#"{{"version":"1.100000","account_id":"210987654321","region":"us-east-1","vpc_id":"vpc-0a1b2c3d4e5f","query_timestamp":"{}","query_name":"{}.","query_type":"{}","query_class":"IN","rcode":"{}","answers":[{{"Rdata":"{}","Type":"A","Class":"IN"}}],"srcaddr":"{}","srcport":"{}","transport":"UDP","srcids":{{"instance":"i-0{:015x}"}}}}"#,
            ts_ms,
            pick(
                h >> 3,
                &[
                    "api.datadoghq.com",
                    "sqs.us-east-1.amazonaws.com",
                    "s3.amazonaws.com",
                    "orders.internal.example-shop.com",
                    "db.internal.example-shop.com",
                    "github.com",
                    "registry.npmjs.org",
                    "ocsp.digicert.com",
                    "nonexistent.example-shop.com"
                ]
            ),
            pick(h >> 7, &["A", "A", "AAAA", "CNAME"]),
            if h.is_multiple_of(17) {
                "NXDOMAIN"
            } else {
                "NOERROR"
            },
            ip(h2),
            private_ip(h),
            30_000 + h2 % 30_000,
            h2 >> 4
        ),
        Flow => format!(
            "2 210987654321 eni-0{:016x} {} {} {} {} {} {} {} {} {} {} OK",
            h % 64,
            private_ip(h),
            if h.is_multiple_of(4) {
                ip(h2)
            } else {
                private_ip(h2)
            },
            pick(h >> 3, &["443", "5432", "6379", "8080", "53"]),
            1024 + h2 % 60_000,
            pick(h >> 7, &["6", "6", "17"]),
            h2 % 40 + 1,
            h2 % 60_000 + 40,
            ts_ms / 1000 - 60,
            ts_ms / 1000,
            if h.is_multiple_of(9) {
                "REJECT"
            } else {
                "ACCEPT"
            }
        ),
        Secure => {
            let user = pick(
                h >> 3,
                &[
                    "ec2-user", "admin", "root", "ubuntu", "deploy", "test", "oracle",
                ],
            );
            let host = pick(h >> 6, &["ip-10-0-1-23", "ip-10-0-2-45", "bastion-1"]);
            match h % 5 {
                0 => format!(
                    "Nov 12 03:14:{:02} {host} sshd[{}]: Accepted publickey for {user} from {} port {} ssh2: RSA SHA256:{:x}",
                    h2 % 60,
                    h2 % 30_000,
                    ip(h2),
                    40_000 + h % 20_000,
                    h2
                ),
                1 | 2 => format!(
                    "Nov 12 03:14:{:02} {host} sshd[{}]: Failed password for invalid user {user} from {} port {} ssh2",
                    h2 % 60,
                    h2 % 30_000,
                    ip(h2),
                    40_000 + h % 20_000
                ),
                3 => format!(
                    "Nov 12 03:14:{:02} {host} sshd[{}]: Connection closed by authenticating user {user} {} port {} [preauth]",
                    h2 % 60,
                    h2 % 30_000,
                    ip(h2),
                    40_000 + h % 20_000
                ),
                _ => format!(
                    "Nov 12 03:14:{:02} {host} sudo: {user} : TTY=pts/0 ; PWD=/home/{user} ; USER=root ; COMMAND=/usr/bin/systemctl restart nginx",
                    h2 % 60
                ),
            }
        }
        Lambda => match h % 4 {
            0 => format!(
                "START RequestId: {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x} Version: $LATEST",
                h as u32,
                h2 as u16,
                h2 % 4096,
                h % 4096,
                h2 >> 16
            ),
            1 => format!(
                "END RequestId: {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}",
                h as u32,
                h2 as u16,
                h2 % 4096,
                h % 4096,
                h2 >> 16
            ),
            2 => format!(
                "REPORT RequestId: {:08x}-{:04x}-4{:03x}-a{:03x}-{:012x}\tDuration: {}.{:02} ms\tBilled Duration: {} ms\tMemory Size: 1024 MB\tMax Memory Used: {} MB{}",
                h as u32,
                h2 as u16,
                h2 % 4096,
                h % 4096,
                h2 >> 16,
                h2 % 900,
                h % 100,
                h2 % 900 + 1,
                90 + h % 300,
                if h.is_multiple_of(13) {
                    format!("\tInit Duration: {}.{:02} ms", 200 + h2 % 600, h % 100)
                } else {
                    String::new()
                }
            ),
            _ => format!(
                r#"{{"timestamp":"{ts_ms}","level":"{}","message":"{}","requestId":"{:08x}","durationMs":{}}}"#,
                pick(h >> 3, &["INFO", "INFO", "INFO", "WARN", "ERROR"]),
                pick(
                    h >> 5,
                    &[
                        "processed batch",
                        "cache miss",
                        "retrying downstream call",
                        "upstream timeout"
                    ]
                ),
                h2 as u32,
                h2 % 2000
            ),
        },
        AppJson => format!(
            r#"{{"ts":{ts_ms},"level":"{}","service":"{}","trace_id":"{:032x}","span_id":"{:016x}","msg":"{}","http":{{"method":"{}","path":"{}","status":{},"duration_ms":{}}},"user_id":{},"region":"us-east-1"}}"#,
            pick(h >> 3, &["info", "info", "info", "debug", "warn", "error"]),
            pick(
                group >> 3,
                &["orders", "payments", "search", "checkout", "notifications"]
            ),
            (h as u128) << 64 | h2 as u128,
            h2,
            pick(
                h >> 5,
                &[
                    "request completed",
                    "order created",
                    "payment authorized",
                    "cache refreshed",
                    "db query slow",
                    "retry scheduled"
                ]
            ),
            pick(h >> 9, &["GET", "GET", "POST", "PUT"]),
            pick(h >> 11, &paths),
            pick(h >> 13, &["200", "200", "200", "201", "400", "404", "500"]),
            h2 % 1500,
            h % 1_000_000
        ),
        Trail => format!(
            r#"{{"eventVersion":"1.09","userIdentity":{{"type":"AssumedRole","principalId":"AROA{:016X}:session","arn":"arn:aws:sts::210987654321:assumed-role/{}/session","accountId":"210987654321"}},"eventTime":"{ts_ms}","eventSource":"{}","eventName":"{}","awsRegion":"us-east-1","sourceIPAddress":"{}","userAgent":"aws-sdk-go-v2/1.30.0","requestParameters":{{"bucketName":"example-shop-assets","key":"img/{:x}.webp"}},"responseElements":null,"requestID":"{:016X}","eventID":"{:032x}","readOnly":true,"eventType":"AwsApiCall","managementEvent":false,"recipientAccountId":"210987654321"}}"#,
            h,
            pick(
                h >> 3,
                &["ecs-task-role", "lambda-exec", "ci-deploy", "admin"]
            ),
            pick(
                h >> 5,
                &[
                    "s3.amazonaws.com",
                    "sts.amazonaws.com",
                    "kms.amazonaws.com",
                    "ec2.amazonaws.com"
                ]
            ),
            pick(
                h >> 7,
                &[
                    "GetObject",
                    "AssumeRole",
                    "Decrypt",
                    "DescribeInstances",
                    "PutObject"
                ]
            ),
            ip(h2),
            h2,
            h,
            (h as u128) << 64 | h2 as u128
        ),
    }
}

/// The demo account. Only `us-east-1` holds groups; other regions are empty.
#[derive(Clone, Default)]
pub struct DemoAccount {
    _private: (),
}

impl DemoAccount {
    pub fn new() -> DemoAccount {
        DemoAccount::default()
    }

    /// How many log groups the demo account has.
    pub fn group_count() -> usize {
        SPECS.len()
    }
}

#[derive(Clone)]
pub struct DemoRegion {
    specs: Arc<Vec<&'static Spec>>,
}

impl AccountApi for DemoAccount {
    type Region = DemoRegion;

    async fn account_id(&self) -> Result<String> {
        Ok(DEMO_ACCOUNT_ID.to_string())
    }

    fn region(&self, name: &str) -> DemoRegion {
        let specs = if name == DEMO_REGION {
            SPECS.iter().collect()
        } else {
            vec![]
        };
        DemoRegion {
            specs: Arc::new(specs),
        }
    }
}

const EPOCH_2024: i64 = 1_704_067_200; // 2024-01-01T00:00:00Z

impl Spec {
    /// (filter name, destination ARN, the `DestinationType` CloudWatch publishes its metrics
    /// under).
    fn destination(&self) -> Option<(&'static str, &'static str, &'static str)> {
        match self.fwd {
            Fwd::None => None,
            Fwd::Datadog => Some(("datadog-forwarder", FORWARDER_ARN, "Lambda")),
            Fwd::Firehose => Some(("datadog-firehose", FIREHOSE_ARN, "Firehose")),
            Fwd::Kinesis => Some(("siem-kinesis", KINESIS_ARN, "Kinesis")),
        }
    }

    fn created_secs(&self) -> i64 {
        EPOCH_2024 + self.created_day * 86_400
    }

    /// Uncompressed bytes ingested on the UTC day starting at `day_start` (epoch seconds).
    fn day_bytes(&self, day_start: i64) -> f64 {
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

    fn day_events(&self, day_start: i64) -> f64 {
        (self.day_bytes(day_start) / shape(self.content).avg_event).round()
    }

    fn stored_bytes(&self) -> u64 {
        let months = f64::from(self.retention.unwrap_or(730)).min(730.0) / 30.4;
        (self.gib_month * GIB * months / shape(self.content).gzip_ratio) as u64
    }
}

impl DemoRegion {
    fn find(&self, name: &str) -> Option<&'static Spec> {
        self.specs.iter().copied().find(|s| s.name == name)
    }

    /// The value of one day for one query, or `None` when the query matches no metric.
    fn day_value(&self, q: &MetricQuery, day_start: i64) -> Option<f64> {
        if q.namespace != "AWS/Logs" {
            return None;
        }
        let dim = |n: &str| {
            q.dimensions
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        let spec = self.find(dim("LogGroupName")?)?;
        let incoming = q.dimensions.len() == 1;
        let forwarded = q.dimensions.len() == 3 && {
            let (filter, _, kind) = spec.destination()?;
            dim("FilterName") == Some(filter) && dim("DestinationType") == Some(kind)
        };
        let bytes = spec.day_bytes(day_start);
        match q.metric_name.as_str() {
            "IncomingBytes" if incoming => Some(bytes),
            "IncomingLogEvents" if incoming => Some(spec.day_events(day_start)),
            "ForwardedBytes" if forwarded => Some((bytes / shape(spec.content).gzip_ratio).round()),
            "ForwardedLogEvents" if forwarded => Some(spec.day_events(day_start)),
            _ => None,
        }
    }
}

impl RegionApi for DemoRegion {
    async fn describe_log_groups(
        &self,
        listing: GroupListing,
        next_token: Option<String>,
    ) -> Result<LogGroupPage> {
        let prefix = listing.prefix;
        let mut all: Vec<&Spec> = self
            .specs
            .iter()
            .copied()
            .filter(|s| prefix.as_deref().is_none_or(|p| s.name.starts_with(p)))
            .collect();
        all.sort_by_key(|s| s.name);
        let from: usize = next_token
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let page: Vec<LogGroupInfo> = all
            .iter()
            .skip(from)
            .take(50)
            .map(|s| LogGroupInfo {
                name: s.name.to_string(),
                arn: format!(
                    "arn:aws:logs:{DEMO_REGION}:{DEMO_ACCOUNT_ID}:log-group:{}",
                    s.name
                ),
                account_id: Some(DEMO_ACCOUNT_ID.to_string()),
                class: Some(if s.ia {
                    LogGroupClass::InfrequentAccess
                } else {
                    LogGroupClass::Standard
                }),
                retention_days: s.retention,
                stored_bytes: Some(s.stored_bytes()),
                created_ms: Some(s.created_secs() * 1000),
            })
            .collect();
        let next = (from + page.len() < all.len()).then(|| (from + page.len()).to_string());
        Ok(LogGroupPage {
            groups: page,
            next_token: next,
        })
    }

    async fn describe_subscription_filters(
        &self,
        log_group: String,
        _next_token: Option<String>,
    ) -> Result<(Vec<SubscriptionFilterInfo>, Option<String>)> {
        let spec = self.find(&log_group).ok_or_else(|| Error::Aws {
            operation: "logs:DescribeSubscriptionFilters".into(),
            region: Some(DEMO_REGION.into()),
            code: "ResourceNotFoundException".into(),
            message: format!("The specified log group does not exist: {log_group}"),
        })?;
        let filters = spec
            .destination()
            .map(|(name, arn, _)| SubscriptionFilterInfo {
                filter_name: name.to_string(),
                destination_arn: arn.to_string(),
            })
            .into_iter()
            .collect();
        Ok((filters, None))
    }

    async fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        _next_token: Option<String>,
    ) -> Result<MetricDataPage> {
        if queries.len() > crate::sample::MAX_QUERIES_PER_CALL {
            return Err(Error::Aws {
                operation: "cloudwatch:GetMetricData".into(),
                region: Some(DEMO_REGION.into()),
                code: "ValidationError".into(),
                message: "The collection MetricDataQueries must not have a size greater than 500."
                    .into(),
            });
        }
        let results = queries
            .iter()
            .map(|q| {
                let period = i64::from(q.period_secs.max(60));
                let mut timestamps = Vec::new();
                let mut values = Vec::new();
                let mut t = start;
                while t < end {
                    // Spread each day evenly over the buckets that overlap it.
                    let bucket_end = (t + period).min(end);
                    let mut sum = 0.0;
                    let mut any = false;
                    let mut d = t.div_euclid(86_400) * 86_400;
                    while d < bucket_end {
                        let overlap = (bucket_end.min(d + 86_400) - t.max(d)).max(0) as f64;
                        if let Some(v) = self.day_value(q, d)
                            && v > 0.0
                            && overlap > 0.0
                        {
                            sum += v * overlap / 86_400.0;
                            any = true;
                        }
                        d += 86_400;
                    }
                    if any {
                        timestamps.push(t);
                        values.push(sum.round());
                    }
                    t += period;
                }
                MetricResult {
                    id: q.id.clone(),
                    timestamps,
                    values,
                    status: ResultStatus::Complete,
                    messages: vec![],
                }
            })
            .collect();
        Ok(MetricDataPage {
            results,
            next_token: None,
            messages: vec![],
        })
    }

    /// Every forwarded group's filter, as if each had forwarded in the last two weeks.
    async fn list_metrics(
        &self,
        namespace: String,
        metric_name: String,
        _include_linked: bool,
        _next_token: Option<String>,
    ) -> Result<MetricsPage> {
        let forwarding = namespace == "AWS/Logs"
            && (metric_name == "ForwardedBytes" || metric_name == "ForwardedLogEvents");
        let metrics = self
            .specs
            .iter()
            .filter(|_| forwarding)
            .filter_map(|s| {
                let (filter, _, kind) = s.destination()?;
                Some(ListedMetric {
                    dimensions: vec![
                        ("DestinationType".to_string(), kind.to_string()),
                        ("FilterName".to_string(), filter.to_string()),
                        ("LogGroupName".to_string(), s.name.to_string()),
                    ],
                    account_id: None,
                })
            })
            .collect();
        Ok(MetricsPage {
            metrics,
            next_token: None,
        })
    }

    /// The demo account has no account-level subscription filter policy.
    async fn describe_subscription_policies(
        &self,
        _account: Option<String>,
        _next_token: Option<String>,
    ) -> Result<(Vec<AccountPolicy>, Option<String>)> {
        Ok((vec![], None))
    }

    /// The demo account is not a monitoring account: no sinks.
    async fn list_sinks(
        &self,
        _next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>)> {
        Ok((vec![], None))
    }

    async fn list_attached_links(
        &self,
        sink_arn: String,
        _next_token: Option<String>,
    ) -> Result<(Vec<AttachedLink>, Option<String>)> {
        Err(Error::Aws {
            operation: "oam:ListAttachedLinks".into(),
            region: Some(DEMO_REGION.into()),
            code: "ResourceNotFoundException".into(),
            message: format!("no sink {sink_arn} in the demo account"),
        })
    }

    async fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> Result<EventsPage> {
        let Some(spec) = self.find(&log_group) else {
            return Ok(EventsPage::default());
        };
        // Events spread evenly over the window at the group's daily rate.
        let day_start = start_ms.div_euclid(86_400_000) * 86_400;
        let per_ms = spec.day_events(day_start) / 86_400_000.0;
        let total = ((end_ms - start_ms) as f64 * per_ms).floor() as u64;
        let from: u64 = next_token
            .as_deref()
            .and_then(|t| t.parse().ok())
            .unwrap_or(0);
        let to = total.min(from + 10_000);
        let step = if total > 0 {
            (end_ms - start_ms) as f64 / total as f64
        } else {
            0.0
        };
        let seed = name_hash(spec.name);
        let messages = (from..to)
            .map(|i| {
                let ts = start_ms + (i as f64 * step) as i64;
                message(spec.content, seed, (ts as u64) ^ i, ts)
            })
            .collect();
        Ok(EventsPage {
            messages,
            next_token: (to < total).then(|| to.to_string()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_story_is_there() {
        assert!((38..=45).contains(&SPECS.len()));
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

    #[test]
    fn shapes_are_realistic() {
        // WAF JSON is large and compresses well; flow log lines are small.
        assert!(shape(Waf).avg_event > 900.0, "{}", shape(Waf).avg_event);
        assert!(shape(Flow).avg_event < 200.0, "{}", shape(Flow).avg_event);
        for c in [Waf, Alb, Resolver, Flow, Secure, Lambda, AppJson, Trail] {
            let r = shape(c).gzip_ratio;
            assert!((1.5..20.0).contains(&r), "{c:?}: {r}");
        }
    }
}
