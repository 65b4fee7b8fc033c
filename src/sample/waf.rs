//! waf: the inspected WAF requests in the period of the web ACLs that log to each WAF group, for
//! WAF's logging allowance (500 bytes of log delivery per inspected request, `../shared/PRICING.md`).
//!
//! Which groups: those AWS says receive WAF logs (a delivery whose source service is WAF), and
//! those named `aws-waf-logs-*`, the prefix WAF requires of a CloudWatch Logs logging destination
//! (WAF developer guide, "Sending web ACL traffic logs to an Amazon CloudWatch Logs log group").
//!
//! Which web ACLs: a WAF delivery source's resource ARNs name them
//! (`arn:aws:wafv2:REGION:ACCOUNT:regional/webacl/NAME/ID`, or `global/webacl/...` for
//! CloudFront); otherwise a group `aws-waf-logs-NAME` is matched to the web ACL whose metrics are
//! published under `WebACL = NAME`. WAF's own logging configurations (wafv2
//! ListLoggingConfigurations) are not read: that needs the WAF API, so a group named otherwise
//! than its web ACL gets no request count (`waf_requests` null, and the report prices it without
//! the allowance).
//!
//! Which metrics: `AWS/WAFV2` `AllowedRequests` + `BlockedRequests` with `Rule = ALL` (the
//! web ACL's terminating actions: every inspected request ends allowed or blocked once).
//! `CountedRequests` is left out: Count is not terminating, "AWS WAF then continues to inspect
//! the web request" (WAF developer guide, "Rule action"; metrics: "AWS WAF metrics and
//! dimensions", waf-metrics.html), so adding it would count requests twice. Requests ended by a
//! CAPTCHA or Challenge action are not in either metric: the count is a lower bound then, and so
//! is the allowance (never a saving that is not there).

use std::collections::{BTreeMap, HashMap};

use super::{DAY_SECS, MAX_QUERIES_PER_CALL, fetch_batch};
use crate::aws::paginate::{Pager, limits};
use crate::aws::{MetricQuery, RegionApi};
use crate::discover::DiscoveredGroup;
use crate::discover::sources::GroupSource;
use crate::error::{Error, Result};
use crate::period::Period;

const NAMESPACE: &str = "AWS/WAFV2";
/// The prefix WAF requires of a CloudWatch Logs logging destination.
pub const WAF_GROUP_PREFIX: &str = "aws-waf-logs-";
/// The terminating actions' metrics: their sum is the inspected requests.
const METRICS: [&str; 2] = ["AllowedRequests", "BlockedRequests"];

/// The web ACL name in a WAFv2 web ACL ARN (`...:regional/webacl/NAME/ID`).
pub fn web_acl_name(arn: &str) -> Option<&str> {
    let rest = arn.split(':').nth(5)?;
    let mut parts = rest.split('/');
    let (_scope, kind, name) = (parts.next()?, parts.next()?, parts.next()?);
    (kind == "webacl" && !name.is_empty()).then_some(name)
}

/// Every web ACL's `Rule = ALL` dimensions as ListMetrics names them, by web ACL name.
async fn listed_acls<R: RegionApi>(api: &R) -> Result<HashMap<String, Vec<Vec<(String, String)>>>> {
    let mut out: HashMap<String, Vec<Vec<(String, String)>>> = HashMap::new();
    let mut pager = Pager::new("cloudwatch:ListMetrics", NAMESPACE, limits::LIST_METRICS);
    let mut token = None;
    loop {
        let page = api
            .list_metrics(NAMESPACE.into(), METRICS[0].into(), false, token)
            .await?;
        for m in page.metrics {
            let dim = |n: &str| m.dimensions.iter().find(|(k, _)| k == n).map(|(_, v)| v);
            // Only the web ACL's totals: Rule = ALL, without a RuleGroup or label dimension.
            let whole = m
                .dimensions
                .iter()
                .all(|(k, _)| k == "WebACL" || k == "Rule" || k == "Region");
            if let (Some(acl), Some(rule)) = (dim("WebACL"), dim("Rule"))
                && rule == "ALL"
                && whole
            {
                let mut dims = m.dimensions.clone();
                dims.sort();
                dims.dedup();
                let entry = out.entry(acl.clone()).or_default();
                if !entry.contains(&dims) {
                    entry.push(dims);
                }
            }
        }
        match pager.advance(page.next_token)? {
            Some(t) => token = Some(t),
            None => return Ok(out),
        }
    }
}

/// Each group's inspected WAF requests in `period` (`None` for a group that is not a WAF group,
/// or whose web ACL is not found), and the GetMetricData queries asked. Source accounts' groups
/// (monitoring mode) are not measured.
pub async fn waf_requests<R: RegionApi>(
    api: &R,
    region: &str,
    groups: &[DiscoveredGroup],
    sources: &[GroupSource],
    own_account: &str,
    period: &Period,
    warnings: &mut Vec<String>,
) -> Result<(Vec<Option<u64>>, usize)> {
    let mut out = vec![None; groups.len()];
    let is_waf: Vec<bool> = groups
        .iter()
        .zip(sources)
        .map(|(g, s)| {
            g.account_id == own_account
                && (s.source.as_deref() == Some("waf") || g.info.name.starts_with(WAF_GROUP_PREFIX))
        })
        .collect();
    if !is_waf.contains(&true) {
        return Ok((out, 0));
    }
    let acls = match listed_acls(api).await {
        Ok(a) => a,
        Err(Error::AccessDenied { action, .. }) => {
            warnings.push(format!(
                "{action} is denied in {region}: WAF request counts (the WAF logging allowance) \
                 are unknown there"
            ));
            return Ok((out, 0));
        }
        Err(e) => return Err(e.in_region(region)),
    };
    // (group index, web ACL dimensions) for every group matched to a listed web ACL.
    let mut wanted: Vec<(usize, Vec<(String, String)>)> = Vec::new();
    for (gi, g) in groups.iter().enumerate() {
        if !is_waf[gi] {
            continue;
        }
        let names: Vec<&str> = if sources[gi].web_acls.is_empty() {
            g.info
                .name
                .strip_prefix(WAF_GROUP_PREFIX)
                .into_iter()
                .collect()
        } else {
            sources[gi]
                .web_acls
                .iter()
                .filter_map(|a| web_acl_name(a))
                .collect()
        };
        for n in names {
            for dims in acls.get(n).into_iter().flatten() {
                wanted.push((gi, dims.clone()));
            }
        }
    }
    let mut queries = Vec::new();
    let mut target = Vec::new();
    for (gi, dims) in &wanted {
        for metric in METRICS {
            queries.push(MetricQuery {
                account_id: None,
                id: format!("w{}", queries.len()),
                namespace: NAMESPACE.into(),
                metric_name: metric.into(),
                dimensions: dims.clone(),
                period_secs: DAY_SECS as i32,
                stat: "Sum".into(),
            });
            target.push(*gi);
        }
    }
    let (start, end) = (period.start_utc().timestamp(), period.end_utc().timestamp());
    // A web ACL's metric with no datapoint in the period inspected nothing: 0, not unknown.
    for (gi, _) in &wanted {
        out[*gi] = Some(0);
    }
    let per_call = (super::MAX_DATAPOINTS_PER_CALL / period.days().max(1) as usize)
        .clamp(1, MAX_QUERIES_PER_CALL);
    let index: BTreeMap<&str, usize> = queries
        .iter()
        .enumerate()
        .map(|(i, q)| (q.id.as_str(), i))
        .collect();
    for batch in queries.chunks(per_call) {
        let (series, messages) = fetch_batch(api, batch.to_vec(), start, end)
            .await
            .map_err(|e| e.in_region(region))?;
        for m in messages {
            warnings.push(format!(
                "GetMetricData said {m} for WAF metrics (in {region}): some may be missing"
            ));
        }
        for (id, timestamps, values) in series {
            let Some(&qi) = index.get(id.as_str()) else {
                continue;
            };
            let slot = out[target[qi]].get_or_insert(0);
            for (ts, v) in timestamps.into_iter().zip(values) {
                if ts >= start && ts < end && v.is_finite() && v > 0.0 {
                    *slot += v.round() as u64;
                }
            }
        }
    }
    Ok((out, queries.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_acl_arns_name_their_acl() {
        assert_eq!(
            web_acl_name("arn:aws:wafv2:us-east-1:123456789012:regional/webacl/prod-alb/a1b2"),
            Some("prod-alb")
        );
        assert_eq!(
            web_acl_name("arn:aws:wafv2:us-east-1:123456789012:global/webacl/cdn/x"),
            Some("cdn")
        );
        assert_eq!(
            web_acl_name("arn:aws:wafv2:us-east-1:123456789012:regional/ipset/x/y"),
            None
        );
    }
}
