//! Synthetic log events for the demo account: one generator per content kind (WAF, ALB, Route 53
//! resolver, VPC flow, `/var/log/secure`, Lambda, JSON app logs, CloudTrail) with the shape and
//! variety of the real thing, and their measured average size and gzip ratio.

use std::io::Write;
use std::sync::OnceLock;

use super::groups::Content::{self, *};

pub(super) struct Shape {
    pub(super) avg_event: f64,
    pub(super) gzip_ratio: f64,
}

pub(super) fn shape(c: Content) -> &'static Shape {
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
pub(super) fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

pub(super) fn name_hash(name: &str) -> u64 {
    name.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
    })
}

pub(super) fn pick<'a>(h: u64, items: &[&'a str]) -> &'a str {
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
pub(super) fn message(c: Content, group: u64, i: u64, ts_ms: i64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

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
