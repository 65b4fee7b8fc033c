//! discover: every log group of a region (DescribeLogGroups, paginated, optionally narrowed by
//! prefixes and exclude globs) and the subscription filters that forward each one.
//!
//! Forwarding is found in calls proportional to what is forwarded, not to the number of groups
//! (the default, [`ForwardingScan::Metrics`]):
//!
//! * `ListMetrics` of `AWS/Logs` `ForwardedBytes` (500 a page) names every (log group,
//!   `DestinationType`, `FilterName`) that forwarded anything in the last two weeks: CloudWatch
//!   publishes the metric under exactly those three dimensions. The `DestinationType` values are
//!   taken from here as AWS spells them, never derived from an ARN.
//! * `DescribeAccountPolicies` names the account-level subscription filter policies
//!   (`SUBSCRIPTION_FILTER_POLICY`), their destination and their selection criteria
//!   (`LogGroupName NOT IN [...]`): groups they forward need no other call.
//! * `DescribeSubscriptionFilters` (5 requests per second, not adjustable) is asked only for the
//!   groups ListMetrics names that no policy explains, to learn the destination ARN (a Datadog
//!   Forwarder or a SIEM stream).
//!
//! What this misses: a group-level filter that forwarded nothing in the last two weeks (it costs
//! nothing now, but may have forwarded in an older period); [`ForwardingScan::Full`] asks every
//! group, as before. In a monitoring account, source accounts' groups cannot be asked for their
//! filters at all: their filters are known by name and destination type only.
//!
//! A denied DescribeSubscriptionFilters or ListMetrics degrades to "forwarding unknown" with a
//! warning; a denied DescribeLogGroups is an error. A group deleted while the run asks about it
//! (ResourceNotFound) is a warning naming it, and the group is marked `deleted_during_run`.

use std::collections::{HashMap, HashSet};

use futures::{StreamExt, TryStreamExt};
use globset::{Glob, GlobSet, GlobSetBuilder};

use crate::aws::paginate::{Pager, limits};
use crate::aws::{GroupListing, LogGroupInfo, RegionApi, SubscriptionFilterInfo};
use crate::error::{Error, Result};
use policy::{Policy, parse_policy};

pub mod firehose;
mod policy;
pub mod sources;

/// How forwarding is found.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ForwardingScan {
    /// Not at all: forwarding is unknown for every group (`--no-forwarding-scan`).
    Off,
    /// ListMetrics + DescribeAccountPolicies, DescribeSubscriptionFilters only where needed.
    #[default]
    Metrics,
    /// DescribeSubscriptionFilters for every group, as well (`--full-forwarding-scan`).
    Full,
}

/// What narrows and labels discovery.
#[derive(Clone, Debug, Default)]
pub struct DiscoverOptions {
    /// Log group name prefixes (DescribeLogGroups `logGroupNamePrefix`); empty means all groups.
    pub prefixes: Vec<String>,
    /// Glob patterns (`*`, `?`, `[..]`) on the group name; a match is left out.
    pub excludes: Vec<String>,
    /// Destination ARNs that reach Datadog whatever their name (Forwarder Lambdas).
    pub forwarder_arns: Vec<String>,
    pub scan: ForwardingScan,
    /// Concurrent DescribeSubscriptionFilters calls.
    pub concurrency: usize,
}

/// Whose groups a discovery covers.
#[derive(Clone, Debug)]
pub struct Scope {
    /// The caller's account (a monitoring account in monitoring mode).
    pub account_id: String,
    /// Monitoring mode: the linked source accounts to sample besides the caller's own; `None`
    /// for an ordinary account.
    pub sources: Option<Vec<String>>,
}

impl Scope {
    pub fn own(account_id: &str) -> Scope {
        Scope {
            account_id: account_id.to_string(),
            sources: None,
        }
    }
}

/// What kind of resource a subscription filter delivers to, from its destination ARN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum DestinationKind {
    Lambda,
    Firehose,
    Kinesis,
    /// A CloudWatch Logs destination (cross-account delivery).
    Logs,
    Other,
}

impl DestinationKind {
    pub fn from_arn(arn: &str) -> DestinationKind {
        match arn.split(':').nth(2) {
            Some("lambda") => DestinationKind::Lambda,
            Some("firehose") => DestinationKind::Firehose,
            Some("kinesis") => DestinationKind::Kinesis,
            Some("logs") => DestinationKind::Logs,
            _ => DestinationKind::Other,
        }
    }

    /// The snapshot's `destination_kind` value.
    pub fn as_str(self) -> &'static str {
        match self {
            DestinationKind::Lambda => "lambda",
            DestinationKind::Firehose => "firehose",
            DestinationKind::Kinesis => "kinesis",
            DestinationKind::Logs => "logs",
            DestinationKind::Other => "other",
        }
    }
}

/// Where a subscription filter is defined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FilterOrigin {
    /// On the log group (DescribeSubscriptionFilters).
    Group,
    /// An account-level subscription filter policy, by name.
    AccountPolicy(String),
    /// Known only from its `ForwardedBytes` metric: deleted since, or in a source account whose
    /// filters a monitoring account cannot read.
    Metrics,
}

impl FilterOrigin {
    /// The filters table's `origin` value.
    pub fn as_str(&self) -> &'static str {
        match self {
            FilterOrigin::Group => "group",
            FilterOrigin::AccountPolicy(_) => "account_policy",
            FilterOrigin::Metrics => "metrics",
        }
    }

    pub fn policy_name(&self) -> Option<&str> {
        match self {
            FilterOrigin::AccountPolicy(p) => Some(p),
            _ => None,
        }
    }
}

/// One subscription filter of a group, with what logplan makes of it.
#[derive(Clone, Debug, PartialEq)]
pub struct Filter {
    pub name: String,
    pub origin: FilterOrigin,
    /// The `DestinationType` its metrics are published under, as ListMetrics spells it; `None`
    /// when ListMetrics never named one for this kind of destination.
    pub destination_type: Option<String>,
    pub destination_arn: Option<String>,
    pub kind: Option<DestinationKind>,
    /// Reaches Datadog: `Some(true)` for a Datadog Forwarder Lambda or a configured ARN,
    /// `Some(false)` for any other Lambda; a Firehose stream is settled later by its HTTP
    /// endpoint ([`firehose`]); `None` when it cannot be told (Kinesis, a Logs destination, an
    /// unknown ARN, a stream that cannot be described).
    pub datadog: Option<bool>,
    /// Not named by ListMetrics: it forwarded nothing in the last two weeks. `None` when
    /// ListMetrics could not be asked.
    pub silent: Option<bool>,
}

/// A discovered log group.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveredGroup {
    pub info: LogGroupInfo,
    /// The account that owns it.
    pub account_id: String,
    /// `None` when forwarding is unknown (not scanned, AccessDenied).
    pub filters: Option<Vec<Filter>>,
    /// ResourceNotFound answered for it after it was listed.
    pub deleted_during_run: bool,
}

impl DiscoveredGroup {
    /// The name to ask per-group APIs with: the ARN for a source account's group in a monitoring
    /// account, else the name.
    pub fn identifier(&self, scope: &Scope) -> String {
        if self.account_id != scope.account_id && !self.info.arn.is_empty() {
            self.info.arn.clone()
        } else {
            self.info.name.clone()
        }
    }
}

#[derive(Debug, Default)]
pub struct Discovery {
    pub groups: Vec<DiscoveredGroup>,
    pub warnings: Vec<String>,
}

/// Does this destination reach Datadog? A configured ARN does (with or without a function
/// version/alias qualifier); a Lambda does when its function name contains "datadog"
/// (case-insensitive), as the Datadog Forwarder's stacks name it; any other Lambda does not;
/// other kinds cannot be told from the ARN (a Firehose stream's HTTP endpoint may be Datadog's).
pub fn reaches_datadog(arn: &str, configured: &[String]) -> Option<bool> {
    let unqualified = unqualified_function_arn(arn);
    if configured
        .iter()
        .any(|c| c == arn || unqualified_function_arn(c) == unqualified)
    {
        return Some(true);
    }
    match DestinationKind::from_arn(arn) {
        // arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        DestinationKind::Lambda => Some(
            arn.split(':')
                .nth(6)
                .is_some_and(|name| name.to_ascii_lowercase().contains("datadog")),
        ),
        _ => None,
    }
}

/// Is this destination a Datadog Forwarder Lambda? (The snapshot's `datadog_forwarder`.)
pub fn is_datadog_forwarder(arn: &str, configured: &[String]) -> bool {
    DestinationKind::from_arn(arn) == DestinationKind::Lambda
        && reaches_datadog(arn, configured) == Some(true)
}

fn unqualified_function_arn(arn: &str) -> &str {
    if DestinationKind::from_arn(arn) != DestinationKind::Lambda {
        return arn;
    }
    match arn.match_indices(':').nth(6) {
        Some((i, _)) => &arn[..i],
        None => arn,
    }
}

/// Check `--exclude` patterns without discovering anything.
pub fn check_excludes(patterns: &[String]) -> Result<()> {
    exclude_set(patterns).map(|_| ())
}

fn exclude_set(patterns: &[String]) -> Result<GlobSet> {
    let mut b = GlobSetBuilder::new();
    for p in patterns {
        let g = Glob::new(p).map_err(|e| Error::Usage(format!("--exclude {p:?}: {e}")))?;
        b.add(g);
    }
    b.build()
        .map_err(|e| Error::Usage(format!("--exclude: {e}")))
}

/// What ListMetrics and the account policies say about forwarding in the region.
#[derive(Debug, Default)]
struct Facts {
    /// (account, group) → [(DestinationType, FilterName)] that forwarded in the last two weeks.
    entries: HashMap<(String, String), Vec<(String, String)>>,
    /// ListMetrics was denied: forwarding is unknown.
    metrics_denied: bool,
    policies: HashMap<String, Vec<Policy>>,
}

/// What DescribeSubscriptionFilters answered for one group.
#[derive(Debug)]
enum FilterScan {
    Found(Vec<SubscriptionFilterInfo>),
    Denied,
    Gone,
}

/// List the region's log groups, sorted by (account, name), each with its forwarding.
pub async fn discover<R: RegionApi + Clone>(
    api: &R,
    region: &str,
    opts: &DiscoverOptions,
    scope: &Scope,
) -> Result<Discovery> {
    let excludes = exclude_set(&opts.excludes)?;
    let keep_name = |name: &str| {
        (opts.prefixes.is_empty() || opts.prefixes.iter().any(|p| name.starts_with(p.as_str())))
            && !excludes.is_match(name)
    };
    let mut warnings = Vec::new();

    let groups_fut = list_groups(api, opts, scope, &excludes);
    let (groups, scans, facts) = match opts.scan {
        ForwardingScan::Off => {
            let groups = groups_fut.await?;
            (groups, HashMap::new(), None)
        }
        ForwardingScan::Metrics => {
            // Subscription filters are asked as soon as ListMetrics has named the groups, while
            // DescribeLogGroups is still paging.
            let forwarding = async {
                let mut w = Vec::new();
                let facts = forwarding_facts(api, scope, &mut w).await?;
                let needed: Vec<String> = facts
                    .entries
                    .iter()
                    .filter(|((account, name), entries)| {
                        *account == scope.account_id
                            && keep_name(name)
                            && entries.iter().any(|(_, filter)| {
                                !facts
                                    .policies
                                    .get(account)
                                    .into_iter()
                                    .flatten()
                                    .any(|p| p.name == *filter && p.covers(name))
                            })
                    })
                    .map(|((_, name), _)| name.clone())
                    .collect();
                let scans = scan_filters(api, needed, opts.concurrency).await?;
                Ok::<_, Error>((facts, scans, w))
            };
            let (groups, forwarding) = futures::join!(groups_fut, forwarding);
            let groups = groups?;
            let (facts, scans, w) = forwarding?;
            warnings.extend(w);
            (groups, scans, Some(facts))
        }
        ForwardingScan::Full => {
            let forwarding = async {
                let mut w = Vec::new();
                let facts = forwarding_facts(api, scope, &mut w).await?;
                Ok::<_, Error>((facts, w))
            };
            let (groups, forwarding) = futures::join!(groups_fut, forwarding);
            let groups = groups?;
            let (facts, w) = forwarding?;
            warnings.extend(w);
            let own: Vec<String> = groups
                .iter()
                .filter(|(account, _)| *account == scope.account_id)
                .map(|(_, g)| g.name.clone())
                .collect();
            let scans = scan_filters(api, own, opts.concurrency).await?;
            (groups, scans, Some(facts))
        }
    };

    // DestinationType values as ListMetrics spells them, learned per kind of destination from
    // the filters whose ARN is known: used for filters ListMetrics did not name (silent ones).
    let mut learned: HashMap<DestinationKind, HashSet<String>> = HashMap::new();
    if let Some(f) = &facts {
        for ((account, name), entries) in &f.entries {
            let arns: Vec<(String, String)> = match scans.get(name) {
                Some(FilterScan::Found(list)) if *account == scope.account_id => list
                    .iter()
                    .map(|x| (x.filter_name.clone(), x.destination_arn.clone()))
                    .collect(),
                _ => vec![],
            };
            let policies = f.policies.get(account).into_iter().flatten();
            let policy_arns = policies
                .filter(|p| p.covers(name))
                .filter_map(|p| Some((p.name.clone(), p.destination_arn.clone()?)));
            for (filter, arn) in arns.into_iter().chain(policy_arns) {
                for (dtype, fname) in entries {
                    if *fname == filter {
                        learned
                            .entry(DestinationKind::from_arn(&arn))
                            .or_default()
                            .insert(dtype.clone());
                    }
                }
            }
        }
    }
    let learned_type = |arn: Option<&str>| -> Option<String> {
        let types = learned.get(&DestinationKind::from_arn(arn?))?;
        (types.len() == 1)
            .then(|| types.iter().next().cloned())
            .flatten()
    };

    let mut denied = 0usize;
    let mut out = Vec::with_capacity(groups.len());
    for (account, info) in groups {
        let mut deleted = false;
        let filters = match &facts {
            None => None,
            Some(f) if f.metrics_denied && opts.scan == ForwardingScan::Metrics => None,
            Some(f) => {
                let entries: &[(String, String)] = f
                    .entries
                    .get(&(account.clone(), info.name.clone()))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let entry_type = |filter: &str| {
                    entries
                        .iter()
                        .find(|(_, n)| n == filter)
                        .map(|(t, _)| t.clone())
                };
                let silent_if =
                    |dtype: &Option<String>| (!f.metrics_denied).then_some(dtype.is_none());
                let mut filters: Vec<Filter> = Vec::new();
                let mut unknown = false;
                if account == scope.account_id {
                    match scans.get(&info.name) {
                        Some(FilterScan::Found(list)) => {
                            for x in list {
                                let dtype = entry_type(&x.filter_name);
                                let silent = silent_if(&dtype);
                                filters.push(Filter {
                                    name: x.filter_name.clone(),
                                    origin: FilterOrigin::Group,
                                    destination_type: dtype
                                        .or_else(|| learned_type(Some(&x.destination_arn))),
                                    destination_arn: Some(x.destination_arn.clone()),
                                    kind: Some(DestinationKind::from_arn(&x.destination_arn)),
                                    datadog: reaches_datadog(
                                        &x.destination_arn,
                                        &opts.forwarder_arns,
                                    ),
                                    silent,
                                });
                            }
                        }
                        Some(FilterScan::Denied) => unknown = true,
                        Some(FilterScan::Gone) => {
                            deleted = true;
                            warnings.push(format!(
                                "log group {} in {region} was deleted during the run \
                                 (ResourceNotFoundException on logs:DescribeSubscriptionFilters); \
                                 it is kept with what was measured",
                                info.name
                            ));
                        }
                        None => {}
                    }
                }
                if unknown {
                    denied += 1;
                    None
                } else {
                    for p in f.policies.get(&account).into_iter().flatten() {
                        if !p.covers(&info.name) || filters.iter().any(|x| x.name == p.name) {
                            continue;
                        }
                        let dtype = entry_type(&p.name);
                        let silent = silent_if(&dtype);
                        filters.push(Filter {
                            name: p.name.clone(),
                            origin: FilterOrigin::AccountPolicy(p.name.clone()),
                            destination_type: dtype
                                .or_else(|| learned_type(p.destination_arn.as_deref())),
                            destination_arn: p.destination_arn.clone(),
                            kind: p.destination_arn.as_deref().map(DestinationKind::from_arn),
                            datadog: p
                                .destination_arn
                                .as_deref()
                                .and_then(|a| reaches_datadog(a, &opts.forwarder_arns)),
                            silent,
                        });
                    }
                    for (dtype, name) in entries {
                        if filters.iter().any(|x| x.name == *name) {
                            continue;
                        }
                        filters.push(Filter {
                            name: name.clone(),
                            origin: FilterOrigin::Metrics,
                            destination_type: Some(dtype.clone()),
                            destination_arn: None,
                            kind: None,
                            datadog: None,
                            silent: Some(false),
                        });
                    }
                    filters.sort_by(|a, b| a.name.cmp(&b.name));
                    Some(filters)
                }
            }
        };
        out.push(DiscoveredGroup {
            info,
            account_id: account,
            filters,
            deleted_during_run: deleted,
        });
    }
    if denied > 0 {
        warnings.push(format!(
            "AccessDenied on logs:DescribeSubscriptionFilters for {denied} log groups in \
             {region}: their forwarding is unknown; add logs:DescribeSubscriptionFilters to the \
             role or pass --no-forwarding-scan"
        ));
    }
    if facts.as_ref().is_some_and(|f| f.metrics_denied) {
        warnings.push(if opts.scan == ForwardingScan::Metrics {
            format!(
                "AccessDenied on cloudwatch:ListMetrics in {region}: forwarding is unknown for \
                 every log group; add cloudwatch:ListMetrics to the role, or pass \
                 --full-forwarding-scan to ask each group (slow: 5 groups a second)"
            )
        } else {
            format!(
                "AccessDenied on cloudwatch:ListMetrics in {region}: the DestinationType of each \
                 filter is unknown, so forwarded volumes are unknown; add cloudwatch:ListMetrics \
                 to the role"
            )
        });
    }
    Ok(Discovery {
        groups: out,
        warnings,
    })
}

/// Every listed group, kept by prefix and exclude, deduplicated, sorted by (account, name).
async fn list_groups<R: RegionApi + Clone>(
    api: &R,
    opts: &DiscoverOptions,
    scope: &Scope,
    excludes: &GlobSet,
) -> Result<Vec<(String, LogGroupInfo)>> {
    let prefixes: Vec<Option<String>> = if opts.prefixes.is_empty() {
        vec![None]
    } else {
        opts.prefixes.iter().cloned().map(Some).collect()
    };
    // The caller's own groups, then (monitoring) the source accounts' in lists of at most 20.
    let mut listings = Vec::new();
    for prefix in &prefixes {
        listings.push(GroupListing {
            prefix: prefix.clone(),
            linked: None,
        });
        for chunk in scope.sources.iter().flat_map(|s| s.chunks(20)) {
            listings.push(GroupListing {
                prefix: prefix.clone(),
                linked: Some(chunk.to_vec()),
            });
        }
    }
    let wanted: Option<HashSet<&str>> = scope.sources.as_ref().map(|s| {
        s.iter()
            .map(String::as_str)
            .chain([scope.account_id.as_str()])
            .collect()
    });
    let mut seen = HashSet::new();
    let mut groups = Vec::new();
    for listing in listings {
        let mut pager = Pager::new(
            "logs:DescribeLogGroups",
            listing.prefix.clone().unwrap_or_default(),
            limits::DESCRIBE_LOG_GROUPS,
        );
        let mut token = None;
        loop {
            let page = api.describe_log_groups(listing.clone(), token).await?;
            for g in page.groups {
                let account = g
                    .account_id
                    .clone()
                    .unwrap_or_else(|| scope.account_id.clone());
                if excludes.is_match(&g.name)
                    || wanted
                        .as_ref()
                        .is_some_and(|w| !w.contains(account.as_str()))
                {
                    continue;
                }
                if seen.insert((account.clone(), g.name.clone())) {
                    groups.push((account, g));
                }
            }
            match pager.advance(page.next_token)? {
                Some(t) => token = Some(t),
                None => break,
            }
        }
    }
    groups.sort_by(|a, b| (&a.0, &a.1.name).cmp(&(&b.0, &b.1.name)));
    Ok(groups)
}

/// ListMetrics of `ForwardedBytes` and the account policies of every account in scope.
async fn forwarding_facts<R: RegionApi + Clone>(
    api: &R,
    scope: &Scope,
    warnings: &mut Vec<String>,
) -> Result<Facts> {
    let linked = scope.sources.is_some();
    let metrics = async {
        let mut entries: HashMap<(String, String), Vec<(String, String)>> = HashMap::new();
        let mut pager = Pager::new(
            "cloudwatch:ListMetrics",
            "AWS/Logs ForwardedBytes",
            limits::LIST_METRICS,
        );
        let mut token = None;
        loop {
            let page = match api
                .list_metrics(
                    "AWS/Logs".into(),
                    "ForwardedBytes".into(),
                    linked,
                    token.clone(),
                )
                .await
            {
                Ok(p) => p,
                Err(Error::AccessDenied { .. }) => return Ok(None),
                Err(e) => return Err(e),
            };
            for m in page.metrics {
                let dim = |n: &str| {
                    m.dimensions
                        .iter()
                        .find(|(k, _)| k == n)
                        .map(|(_, v)| v.clone())
                };
                // Only the metric AWS publishes per filter has exactly these three dimensions.
                if m.dimensions.len() != 3 {
                    continue;
                }
                let (Some(group), Some(dtype), Some(filter)) = (
                    dim("LogGroupName"),
                    dim("DestinationType"),
                    dim("FilterName"),
                ) else {
                    continue;
                };
                let account = m.account_id.unwrap_or_else(|| scope.account_id.clone());
                let e = entries.entry((account, group)).or_default();
                if !e.contains(&(dtype.clone(), filter.clone())) {
                    e.push((dtype, filter));
                }
            }
            match pager.advance(page.next_token)? {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok::<_, Error>(Some(entries))
    };
    // A source account's policies are asked only when ListMetrics shows it forwarding: one
    // with no forwarding for two weeks has nothing a policy could explain (the same miss as a
    // silent group filter's).
    let entries = metrics.await?;
    let forwarding: HashSet<&str> = entries
        .iter()
        .flat_map(|e| e.keys())
        .map(|(account, _)| account.as_str())
        .collect();
    let accounts: Vec<Option<String>> = std::iter::once(None)
        .chain(
            scope
                .sources
                .iter()
                .flatten()
                .filter(|a| forwarding.contains(a.as_str()))
                .cloned()
                .map(Some),
        )
        .collect();
    let policies = futures::stream::iter(accounts)
        .map(|account| async move {
            let mut all = Vec::new();
            let mut pager = Pager::new(
                "logs:DescribeAccountPolicies",
                account.clone().unwrap_or_default(),
                limits::DESCRIBE_ACCOUNT_POLICIES,
            );
            let mut token = None;
            loop {
                let (mut page, next) = match api
                    .describe_subscription_policies(account.clone(), token.clone())
                    .await
                {
                    Ok(p) => p,
                    Err(Error::AccessDenied { .. }) => return Ok((account, None)),
                    Err(e) => return Err(e),
                };
                all.append(&mut page);
                match pager.advance(next)? {
                    Some(t) => token = Some(t),
                    None => break,
                }
            }
            Ok::<_, Error>((account, Some(all)))
        })
        .buffered(4)
        .try_collect::<Vec<_>>();
    let policies = policies.await;
    let mut facts = Facts::default();
    match entries {
        Some(e) => facts.entries = e,
        None => facts.metrics_denied = true,
    }
    let mut denied = Vec::new();
    for (account, found) in policies? {
        let account = account.unwrap_or_else(|| scope.account_id.clone());
        match found {
            Some(list) => {
                let parsed = list.iter().map(|p| parse_policy(p, warnings)).collect();
                facts.policies.insert(account, parsed);
            }
            None => denied.push(account),
        }
    }
    if !denied.is_empty() {
        warnings.push(format!(
            "AccessDenied on logs:DescribeAccountPolicies for account {}: account-level \
             subscription filter policies are unknown there, so groups they forward may read \
             as forwarded by an unknown filter; add logs:DescribeAccountPolicies (with \
             logs:DescribeSubscriptionFilters) to the role",
            denied.join(", ")
        ));
    }
    Ok(facts)
}

/// DescribeSubscriptionFilters for each named group, `concurrency` at a time.
async fn scan_filters<R: RegionApi + Clone>(
    api: &R,
    groups: Vec<String>,
    concurrency: usize,
) -> Result<HashMap<String, FilterScan>> {
    futures::stream::iter(groups)
        .map(|name| async move {
            let r = subscription_filters(api, &name).await;
            let scan = match r {
                Ok(list) => FilterScan::Found(list),
                Err(Error::AccessDenied { .. }) => FilterScan::Denied,
                Err(e) if is_not_found(&e) => FilterScan::Gone,
                Err(e) => return Err(e),
            };
            Ok((name, scan))
        })
        .buffer_unordered(concurrency.max(1))
        .try_collect()
        .await
}

/// AWS said the resource (a log group) does not exist.
pub fn is_not_found(e: &Error) -> bool {
    matches!(e, Error::Aws { code, .. } if code == "ResourceNotFoundException")
}

async fn subscription_filters<R: RegionApi>(
    api: &R,
    group: &str,
) -> Result<Vec<SubscriptionFilterInfo>> {
    let mut all = Vec::new();
    let mut pager = Pager::new(
        "logs:DescribeSubscriptionFilters",
        group,
        limits::DESCRIBE_SUBSCRIPTION_FILTERS,
    );
    let mut token = None;
    loop {
        let (mut page, next) = api
            .describe_subscription_filters(group.to_string(), token)
            .await?;
        all.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok(all)
}

#[cfg(test)]
mod tests;
