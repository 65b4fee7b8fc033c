//! S3 (`s3:ListBucket`, `s3:GetObject`) behind a small trait, for billing exports kept in S3:
//! list the objects under a prefix (ListObjectsV2, 1,000 keys a page) and stream one object to a
//! local file. Every call is one request; callers count them, because S3 bills each (prices
//! below). `AWS_ENDPOINT_URL_S3` / `AWS_ENDPOINT_URL` point the client at an emulator, which is
//! then addressed path-style (`http://host/bucket/key`), as emulators on 127.0.0.1 need.

use std::future::Future;
use std::path::Path;

use aws_types::region::Region;

use super::sdk::{ConnectSettings, map_err};
use crate::error::{Error, Result};
use crate::money::MicroUsd;

pub const LIST_ACTION: &str = "s3:ListBucket";
pub const GET_ACTION: &str = "s3:GetObject";

/// S3 Standard request prices in us-east-1: $0.005 per 1,000 LIST and $0.0004 per 1,000 GET
/// requests (aws.amazon.com/s3/pricing, as quoted by athena.guide's pricing article; status
/// derived). In micro-dollars per request: 5 and 0.4.
pub const LIST_MICROS_PER_1000: i64 = 5_000;
pub const GET_MICROS_PER_1000: i64 = 400;

/// What `list` and `get` requests cost, rounded once to the micro-dollar.
pub fn requests_cost(list: u64, get: u64) -> MicroUsd {
    // In thousandths of a micro-dollar, then rounded half up to the micro-dollar.
    let milli = |per_1000: i64, n: u64| (per_1000 as i128) * (n as i128);
    let total = milli(LIST_MICROS_PER_1000, list) + milli(GET_MICROS_PER_1000, get);
    MicroUsd(((total + 500) / 1000) as i64)
}

/// One object of a listing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Object {
    pub key: String,
    pub size: u64,
}

/// One ListObjectsV2 page.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ObjectPage {
    pub objects: Vec<Object>,
    pub next_token: Option<String>,
}

pub trait S3Api: Send + Sync {
    /// ListObjectsV2 under `prefix`, one page.
    fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        token: Option<String>,
    ) -> impl Future<Output = Result<ObjectPage>> + Send;
    /// GetObject, streamed to `dest`; returns the bytes written.
    fn get_object_to(
        &self,
        bucket: &str,
        key: &str,
        dest: &Path,
    ) -> impl Future<Output = Result<u64>> + Send;
}

/// Every object under `prefix`, following continuation tokens; and the pages it took.
pub async fn list_all(api: &impl S3Api, bucket: &str, prefix: &str) -> Result<(Vec<Object>, u64)> {
    let mut token = None;
    let mut out = Vec::new();
    let mut pages = 0u64;
    loop {
        let page = api.list_objects(bucket, prefix, token.take()).await?;
        pages += 1;
        out.extend(page.objects);
        match page.next_token.filter(|t| !t.is_empty()) {
            Some(t) => token = Some(t),
            None => return Ok((out, pages)),
        }
    }
}

pub struct SdkS3 {
    client: aws_sdk_s3::Client,
}

impl SdkS3 {
    /// An S3 client from the standard chain, in `region` (the run's first configured region) or the
    /// chain's, else us-east-1.
    pub async fn connect(settings: &ConnectSettings, region: Option<&str>) -> Result<SdkS3> {
        let base = crate::aws::sdk::load_checked(settings, region).await?;
        let region = base
            .region()
            .cloned()
            .unwrap_or_else(|| Region::new("us-east-1"));
        let emulated = settings.endpoint_url.is_some()
            || std::env::var_os("AWS_ENDPOINT_URL_S3").is_some()
            || std::env::var_os("AWS_ENDPOINT_URL").is_some();
        let conf = aws_sdk_s3::config::Builder::from(&base)
            .region(region)
            .force_path_style(emulated)
            .build();
        Ok(SdkS3 {
            client: aws_sdk_s3::Client::from_conf(conf),
        })
    }
}

impl S3Api for SdkS3 {
    async fn list_objects(
        &self,
        bucket: &str,
        prefix: &str,
        token: Option<String>,
    ) -> Result<ObjectPage> {
        let out = self
            .client
            .list_objects_v2()
            .bucket(bucket)
            .prefix(prefix)
            .set_continuation_token(token)
            .send()
            .await
            .map_err(|e| map_err(LIST_ACTION, e))?;
        Ok(ObjectPage {
            objects: out
                .contents()
                .iter()
                .filter_map(|o| {
                    Some(Object {
                        key: o.key()?.to_string(),
                        size: o.size().unwrap_or(0).max(0) as u64,
                    })
                })
                .collect(),
            next_token: out
                .next_continuation_token()
                .filter(|_| out.is_truncated().unwrap_or(false))
                .map(str::to_string),
        })
    }

    async fn get_object_to(&self, bucket: &str, key: &str, dest: &Path) -> Result<u64> {
        use tokio::io::AsyncWriteExt;
        let out = self
            .client
            .get_object()
            .bucket(bucket)
            .key(key)
            .send()
            .await
            .map_err(|e| map_err(GET_ACTION, e))?;
        let io = |e: std::io::Error| Error::Output {
            path: dest.to_path_buf(),
            source: e,
        };
        let mut file = tokio::fs::File::create(dest).await.map_err(io)?;
        let mut body = out.body;
        let mut written = 0u64;
        while let Some(chunk) = body.next().await {
            let chunk = chunk.map_err(|e| Error::Unreachable {
                operation: GET_ACTION.into(),
                region: None,
                message: format!("s3://{bucket}/{key}: {e}"),
            })?;
            written += chunk.len() as u64;
            file.write_all(&chunk).await.map_err(io)?;
        }
        file.flush().await.map_err(io)?;
        Ok(written)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Pages of keys, the next token being the next page's index.
    struct Pages(Vec<Vec<&'static str>>);

    impl S3Api for Pages {
        async fn list_objects(
            &self,
            _bucket: &str,
            _prefix: &str,
            token: Option<String>,
        ) -> Result<ObjectPage> {
            let i: usize = token.map_or(0, |t| t.parse().unwrap());
            Ok(ObjectPage {
                objects: self.0[i]
                    .iter()
                    .map(|k| Object {
                        key: k.to_string(),
                        size: 1,
                    })
                    .collect(),
                next_token: (i + 1 < self.0.len()).then(|| (i + 1).to_string()),
            })
        }
        async fn get_object_to(&self, _: &str, _: &str, _: &Path) -> Result<u64> {
            unreachable!("not fetched")
        }
    }

    #[tokio::test]
    async fn listing_follows_continuation_tokens() {
        let api = Pages(vec![vec!["a", "b"], vec!["c"], vec![]]);
        let (objects, pages) = list_all(&api, "bucket", "").await.unwrap();
        assert_eq!(pages, 3);
        let keys: Vec<&str> = objects.iter().map(|o| o.key.as_str()).collect();
        assert_eq!(keys, vec!["a", "b", "c"]);
    }

    #[test]
    fn request_prices() {
        // 2 LIST at $0.005/1000 = $0.00001 = 10 micro; 1000 GET at $0.0004/1000 = 400 micro.
        assert_eq!(requests_cost(2, 1000), MicroUsd(410));
        // 1 GET = 0.4 micro-dollars, rounded once: 0.
        assert_eq!(requests_cost(0, 1), MicroUsd(0));
        assert_eq!(requests_cost(0, 2), MicroUsd(1));
    }
}
