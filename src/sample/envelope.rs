//! envelope: the JSON the Datadog Forwarder sends for CloudWatch Logs events, rebuilt from the
//! sampled events so the Datadog side is priced on what Datadog meters, not on `IncomingBytes`.
//!
//! Read from DataDog/datadog-serverless-functions, `aws/logs_monitoring` (commit b9af797, Forwarder
//! 5.4.11):
//!
//! * `steps/handlers/awslogs_handler.py` (`AwsLogsHandler.handle`): each CloudWatch event
//!   (`id`, `timestamp`, `message`) is merged with `AwsAttributes.to_dict()`
//!   (`steps/handlers/aws_attributes.py`: `aws.awslogs.{logGroup, logStream, owner}`) and the
//!   metadata of `steps/common.py` (`generate_metadata`: `ddsourcecategory: "aws"`,
//!   `aws.invoked_function_arn`, `ddtags` = `forwardername:<function>,forwarder_version:<v>`),
//!   then `ddsource` (`find_cloudwatch_source`: `lambda` for `/aws/lambda*`, `kinesis` for
//!   `/aws/kinesis*`, `sns` for `sns/*`, `cloudtrail` when the name holds it, else
//!   `cloudwatch`), `host` (the log group) and `service` (the source, without a `service:` tag).
//!   Lambda groups also get `lambda.arn` and `env:none` in `ddtags` (`process_lambda_logs`).
//! * `forwarder.py` (`dump_event`): each event is `json.dumps(event, ensure_ascii=False)`, i.e.
//!   Python's default separators `", "` and `": "`, non-ASCII kept as UTF-8.
//! * `forwarder.py` + `logs/datadog_batcher.py`: batches of at most 400 events and 4,000,000
//!   bytes; an event over 512,000 bytes is dropped (never sent, never billed).
//! * `logs/datadog_http_client.py` + `logs/helpers.py`: a batch is sent as `[e1,e2,...]`,
//!   gzip-compressed at level 6 (`DD_COMPRESSION_LEVEL`).
//!
//! Not rebuilt: tags the Forwarder adds from its caches (log group and Lambda function tags,
//! `DD_TAGS`), `extract_ddtags_from_message` rewriting JSON messages, and scrubbing rules: each
//! adds bytes, so the envelope is a lower bound when they are in use.

use std::io::Write;

use crate::aws::LogEvent;
use crate::error::{Error, Result};

/// Forwarder release read (settings.py `DD_FORWARDER_VERSION`); only its length matters.
const FORWARDER_VERSION: &str = "5.4.11";
/// `logs/datadog_batcher.py` limits as `forwarder.py` sets them.
const MAX_ITEMS: usize = 400;
const MAX_BATCH_BYTES: usize = 4_000_000;
const MAX_ITEM_BYTES: usize = 512_000;

/// Which group and Forwarder the events go through.
#[derive(Clone, Debug)]
pub struct EnvelopeContext {
    pub log_group: String,
    /// The account that owns the group (`owner` in the subscription payload).
    pub owner: String,
    /// The Forwarder Lambda's ARN (its function name goes into `ddtags`).
    pub forwarder_arn: String,
}

/// Builds the Forwarder's batches event by event, keeping only byte counts.
pub struct Envelope {
    ctx: EnvelopeContext,
    /// The part of every event after its message: constant for the group.
    suffix_head: String,
    batch: Vec<String>,
    batch_bytes: usize,
    /// Sum of the events' JSON documents sent.
    pub bytes: u64,
    /// Sum of the gzip-compressed batches as sent.
    pub gzip_bytes: u64,
}

/// A string as Python's `json.dumps(..., ensure_ascii=False)` writes it: serde_json escapes the
/// same characters (`"`, `\`, control characters) the same way.
fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| String::from("\"\""))
}

/// `find_cloudwatch_source` of `steps/common.py`, on the lower-cased group name.
fn dd_source(log_group: &str) -> &'static str {
    let g = log_group.to_lowercase();
    if g.starts_with("/aws/kinesis") {
        "kinesis"
    } else if g.starts_with("/aws/lambda") {
        "lambda"
    } else if g.starts_with("sns/") {
        "sns"
    } else if g.contains("cloudtrail") {
        "cloudtrail"
    } else {
        "cloudwatch"
    }
}

impl Envelope {
    pub fn new(ctx: EnvelopeContext) -> Envelope {
        let source = dd_source(&ctx.log_group);
        let function = ctx
            .forwarder_arn
            .split(':')
            .nth(6)
            .unwrap_or("datadog-forwarder")
            .to_lowercase();
        let mut tags = format!("forwardername:{function},forwarder_version:{FORWARDER_VERSION}");
        let mut lambda = String::new();
        if source == "lambda" {
            tags.push_str(",env:none");
            let name = ctx.log_group.split("/lambda/").nth(1).unwrap_or("");
            let prefix = ctx.forwarder_arn.split("function:").next().unwrap_or("");
            lambda = format!(
                ", \"lambda\": {{\"arn\": {}}}",
                json_str(&format!("{prefix}function:{}", name.to_lowercase()))
            );
        }
        // Everything after `"logStream": <stream>`: the same for every event of the group.
        let suffix_head = format!(
            ", \"owner\": {}}}, \"invoked_function_arn\": {}}}{lambda}, \"ddsourcecategory\": \
             \"aws\", \"ddtags\": {}, \"ddsource\": \"{source}\", \"host\": {}, \"service\": \
             \"{source}\"}}",
            json_str(&ctx.owner),
            json_str(&ctx.forwarder_arn),
            json_str(&tags),
            json_str(&ctx.log_group),
        );
        Envelope {
            ctx,
            suffix_head,
            batch: Vec::new(),
            batch_bytes: 0,
            bytes: 0,
            gzip_bytes: 0,
        }
    }

    /// One event as the Forwarder dumps it.
    pub fn event_json(&self, e: &LogEvent) -> String {
        format!(
            "{{\"id\": {}, \"timestamp\": {}, \"message\": {}, \"aws\": {{\"awslogs\": \
             {{\"logGroup\": {}, \"logStream\": {}{}",
            json_str(&e.event_id),
            e.timestamp_ms,
            json_str(&e.message),
            json_str(&self.ctx.log_group),
            json_str(&e.log_stream),
            self.suffix_head
        )
    }

    /// Add one event, closing the batch before it as the Forwarder's batcher would.
    pub fn push(&mut self, e: &LogEvent) -> Result<()> {
        let item = self.event_json(e);
        // The batcher measures `len(str(item).encode("UTF-8"))`: the dumped JSON's bytes.
        let size = item.len();
        if !self.batch.is_empty()
            && (self.batch.len() >= MAX_ITEMS || self.batch_bytes + size > MAX_BATCH_BYTES)
        {
            self.flush()?;
        }
        if size <= MAX_ITEM_BYTES {
            self.bytes += size as u64;
            self.batch_bytes += size;
            self.batch.push(item);
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<()> {
        if self.batch.is_empty() {
            return Ok(());
        }
        let payload = format!("[{}]", self.batch.join(","));
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::new(6));
        gz.write_all(payload.as_bytes())
            .map_err(|e| Error::Internal(format!("gzip: {e}")))?;
        let out = gz
            .finish()
            .map_err(|e| Error::Internal(format!("gzip: {e}")))?;
        self.gzip_bytes += out.len() as u64;
        self.batch.clear();
        self.batch_bytes = 0;
        Ok(())
    }

    /// (JSON bytes, gzip bytes) of every event pushed.
    pub fn finish(mut self) -> Result<(u64, u64)> {
        self.flush()?;
        Ok((self.bytes, self.gzip_bytes))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(group: &str) -> EnvelopeContext {
        EnvelopeContext {
            log_group: group.into(),
            owner: "123456789012".into(),
            forwarder_arn: "arn:aws:lambda:us-east-1:123456789012:function:DD-Fwd".into(),
        }
    }

    #[test]
    fn one_event_is_the_forwarders_json() {
        let env = Envelope::new(ctx("app"));
        let e = LogEvent {
            message: "hi \"x\"".into(),
            log_stream: "s1".into(),
            event_id: "42".into(),
            timestamp_ms: 1_700_000_000_000,
        };
        // Written out by hand from awslogs_handler.py + common.py, Python separators.
        let want = r#"{"id": "42", "timestamp": 1700000000000, "message": "hi \"x\"", "aws": {"awslogs": {"logGroup": "app", "logStream": "s1", "owner": "123456789012"}, "invoked_function_arn": "arn:aws:lambda:us-east-1:123456789012:function:DD-Fwd"}, "ddsourcecategory": "aws", "ddtags": "forwardername:dd-fwd,forwarder_version:5.4.11", "ddsource": "cloudwatch", "host": "app", "service": "cloudwatch"}"#;
        assert_eq!(env.event_json(&e), want);
        // It is JSON, and the message survives.
        let v: serde_json::Value = serde_json::from_str(want).unwrap();
        assert_eq!(v["message"], "hi \"x\"");
    }

    #[test]
    fn lambda_groups_carry_the_function_arn_and_env() {
        let env = Envelope::new(ctx("/aws/lambda/Resize"));
        let e = LogEvent {
            message: "m".into(),
            log_stream: "2026/11/30/[$LATEST]abc".into(),
            event_id: "1".into(),
            timestamp_ms: 0,
        };
        let v: serde_json::Value = serde_json::from_str(&env.event_json(&e)).unwrap();
        assert_eq!(
            v["lambda"]["arn"],
            "arn:aws:lambda:us-east-1:123456789012:function:resize"
        );
        assert_eq!(v["ddsource"], "lambda");
        assert!(v["ddtags"].as_str().unwrap().ends_with(",env:none"));
    }

    #[test]
    fn batches_of_400_and_oversized_events_dropped() {
        let mut env = Envelope::new(ctx("app"));
        let small = LogEvent {
            message: "x".into(),
            log_stream: "s".into(),
            event_id: "1".into(),
            timestamp_ms: 1,
        };
        let one = env.event_json(&small).len() as u64;
        for _ in 0..401 {
            env.push(&small).unwrap();
        }
        let huge = LogEvent {
            message: "y".repeat(600_000),
            ..small.clone()
        };
        env.push(&huge).unwrap();
        let (bytes, gzip) = env.finish().unwrap();
        // 401 small events sent (two batches: 400 + 1), the 600 kB one dropped.
        assert_eq!(bytes, 401 * one);
        // Two gzip members: each has an 18-byte header and trailer, so more than 36 bytes, and
        // 400 identical events compress far below their size.
        assert!(gzip > 36 && gzip < bytes / 10, "{gzip} of {bytes}");
    }
}
