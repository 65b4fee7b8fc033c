//! The Resource Groups Tagging API (`tag:GetResources`) behind a small trait: log groups' tags
//! in bulk, 100 resources a page, for showback by tag. The resource type filter is the service,
//! `logs`, and log groups are kept by their ARN (`...:log-group:<name>`): AWS documents the type
//! as `logs:log-group`, while moto (the test emulator) files log groups as `logs:loggroup`, and
//! the service filter matches both. One call per page, per account and region.

use std::future::Future;

use aws_types::region::Region;

use super::sdk::map_err;
use crate::error::Result;

pub const ACTION: &str = "tag:GetResources";

/// GetResources' largest page.
pub const PER_PAGE: i32 = 100;

/// One tagged resource: its ARN and tags.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tagged {
    pub arn: String,
    pub tags: Vec<(String, String)>,
}

pub trait TaggingApi: Send + Sync {
    /// GetResources for CloudWatch Logs resources, one page.
    fn log_resources(
        &self,
        token: Option<String>,
    ) -> impl Future<Output = Result<(Vec<Tagged>, Option<String>)>> + Send;
}

/// Every tagged log group, following pagination tokens, and the pages it took.
pub async fn log_groups(api: &impl TaggingApi) -> Result<(Vec<Tagged>, u32)> {
    let mut token = None;
    let mut out = Vec::new();
    let mut pages = 0u32;
    let mut seen = std::collections::BTreeSet::new();
    loop {
        let (page, next) = api.log_resources(token.take()).await?;
        pages += 1;
        out.extend(page.into_iter().filter(|t| t.arn.contains(":log-group:")));
        match next.filter(|t| !t.is_empty()) {
            Some(t) if seen.insert(t.clone()) => token = Some(t),
            _ => return Ok((out, pages)),
        }
    }
}

/// (account, region, log group name) of a log group ARN
/// (`arn:<partition>:logs:<region>:<account>:log-group:<name>[:*]`).
pub fn parse_log_group_arn(arn: &str) -> Option<(String, String, String)> {
    let mut parts = arn.splitn(7, ':');
    let (arn_word, _partition, service, region, account, kind, name) = (
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
        parts.next()?,
    );
    if arn_word != "arn" || service != "logs" || kind != "log-group" || name.is_empty() {
        return None;
    }
    let name = name.strip_suffix(":*").unwrap_or(name);
    Some((account.to_string(), region.to_string(), name.to_string()))
}

pub struct SdkTagging {
    client: aws_sdk_resourcegroupstagging::Client,
}

impl SdkTagging {
    /// A client for `region` with the configuration of an account (the chain's, or an assumed
    /// role's).
    pub fn new(base: &aws_config::SdkConfig, region: &str) -> SdkTagging {
        let conf = aws_sdk_resourcegroupstagging::config::Builder::from(base)
            .region(Region::new(region.to_string()))
            .build();
        SdkTagging {
            client: aws_sdk_resourcegroupstagging::Client::from_conf(conf),
        }
    }
}

impl TaggingApi for SdkTagging {
    async fn log_resources(&self, token: Option<String>) -> Result<(Vec<Tagged>, Option<String>)> {
        let out = self
            .client
            .get_resources()
            .resource_type_filters("logs")
            .resources_per_page(PER_PAGE)
            .set_pagination_token(token)
            .send()
            .await
            .map_err(|e| map_err(ACTION, e))?;
        let items = out
            .resource_tag_mapping_list()
            .iter()
            .filter_map(|m| {
                Some(Tagged {
                    arn: m.resource_arn()?.to_string(),
                    tags: m
                        .tags()
                        .iter()
                        .map(|t| (t.key().to_string(), t.value().to_string()))
                        .collect(),
                })
            })
            .collect();
        Ok((items, out.pagination_token().map(str::to_string)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Pages;

    impl TaggingApi for Pages {
        async fn log_resources(
            &self,
            token: Option<String>,
        ) -> Result<(Vec<Tagged>, Option<String>)> {
            let t = |arn: &str| Tagged {
                arn: arn.into(),
                tags: vec![("team".into(), "red".into())],
            };
            Ok(match token.as_deref() {
                None => (
                    vec![
                        t("arn:aws:logs:us-east-1:1:log-group:a"),
                        t("arn:aws:logs:us-east-1:1:destination:d"),
                    ],
                    Some("p2".into()),
                ),
                _ => (vec![t("arn:aws:logs:us-east-1:1:log-group:b")], None),
            })
        }
    }

    #[tokio::test]
    async fn pages_are_followed_and_only_log_groups_kept() {
        let (found, pages) = log_groups(&Pages).await.unwrap();
        assert_eq!(pages, 2);
        let arns: Vec<&str> = found.iter().map(|t| t.arn.as_str()).collect();
        assert_eq!(
            arns,
            vec![
                "arn:aws:logs:us-east-1:1:log-group:a",
                "arn:aws:logs:us-east-1:1:log-group:b"
            ]
        );
    }

    #[test]
    fn log_group_arns() {
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:eu-west-1:111111111111:log-group:/app/api:*"),
            Some(("111111111111".into(), "eu-west-1".into(), "/app/api".into()))
        );
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:us-east-1:1:log-group:a:b"),
            Some(("1".into(), "us-east-1".into(), "a:b".into()))
        );
        assert_eq!(
            parse_log_group_arn("arn:aws:logs:us-east-1:1:destination:d"),
            None
        );
        assert_eq!(parse_log_group_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(parse_log_group_arn("i-0123"), None);
    }
}
