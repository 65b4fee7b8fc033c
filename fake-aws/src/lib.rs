//! `logplan-fake`: a fake AWS endpoint on 127.0.0.1 for logplan's integration
//! tests and benchmarks. Point the real AWS SDK for Rust at [`FakeAws::url`]
//! (`endpoint_url`) and it talks to this server end to end.
//!
//! One port serves three services, told apart the way AWS's wire protocols
//! tell them apart:
//!
//! * **CloudWatch** (`monitoring`) over Smithy RPC v2 CBOR:
//!   `POST /service/GraniteServiceVersion20100801/operation/<Op>` with
//!   `smithy-protocol: rpc-v2-cbor`. `GetMetricData`, `ListMetrics` and
//!   `GetMetricStatistics`, following the CloudWatch API reference (limits,
//!   validation, bucketing, `ScanBy`, `MaxDatapoints`/`NextToken` pagination,
//!   the two-week window of ListMetrics); see [`cloudwatch`].
//! * **CloudWatch Logs** over AWS JSON 1.1: `POST /` with
//!   `x-amz-target: Logs_20140328.<Op>`. `DescribeLogGroups`,
//!   `DescribeSubscriptionFilters`, `DescribeAccountPolicies`, `FilterLogEvents`; query
//!   definitions, scheduled queries and `DescribeQueries`; the vended-log delivery listings;
//!   see [`logs`], [`insights`] and [`delivery`].
//! * **Firehose** over AWS JSON 1.1: `x-amz-target: Firehose_20150804.DescribeDeliveryStream`;
//!   see [`firehose`].
//! * **STS** over the AWS query protocol: `POST /` with a form body
//!   `Action=GetCallerIdentity` or `Action=AssumeRole`; see [`sts`].
//! * **OAM** (CloudWatch cross-account observability) over REST-JSON:
//!   `POST /ListSinks`, `POST /ListAttachedLinks`; see [`oam`].
//!
//! **Monitoring accounts.** [`FakeAws::link_source`] links a source account
//! to a monitoring account's sink in a region, sharing the resource types given
//! (`AWS::Logs::LogGroup`, `AWS::CloudWatch::Metric`). The monitoring account
//! then sees a linked account's log groups (`DescribeLogGroups` with
//! `includeLinkedAccounts`), reads its events by ARN (`FilterLogEvents`
//! `logGroupIdentifier`), its account policies (`DescribeAccountPolicies`
//! `accountIdentifiers`) and its metrics (`ListMetrics`
//! `IncludeLinkedAccounts`, `GetMetricData` with a query's `AccountId`).
//!
//! **Quotas.** With [`FakeOptions::quotas`] (or [`FakeAws::set_quotas`]) every
//! request takes a token from its (account, region, IAM action) bucket, and
//! one that finds it empty is throttled in its service's wire form (below),
//! recorded with fault `"quota"`; see [`quotas`].
//!
//! **Churn.** [`FakeAws::delete_log_group_before`] deletes a log group just
//! before the n-th next call of an action is served: a group deleted while a
//! client works on it.
//!
//! Anything else — another service (e.g. Cost Explorer,
//! `x-amz-target: AWSInsightsIndexService.GetCostAndUsage`) or an
//! unimplemented operation — is forwarded as-is to
//! [`FakeOptions::upstream`] when one is set (e.g. a moto server) and its
//! answer returned; without one it is answered as an unknown operation
//! (`UnknownOperationException` / `InvalidAction`) or 404. See [`proxy`].
//!
//! Every response carries `x-amzn-requestid`.
//!
//! Two smaller fakes run on their own ports: [`datadog::FakeDatadog`] (Datadog's usage
//! metering API) and [`athena::AthenaPager`] (an Athena layer over moto that pages results,
//! reports bytes scanned and fails queries).
//!
//! **Accounts and regions.** The region is read from the SigV4 credential
//! scope of the `authorization` header (default `us-east-1`). The account is
//! read from its access key id (`Credential=AKID/...`): a key issued by this
//! fake's `AssumeRole` is in the role's account, any other key (or none) in
//! the default account [`FakeOptions::account_id`]. All state (log groups
//! with their filters and events, metrics, query definitions) is kept per
//! (account, region), as in AWS; every ARN in a response names the caller's
//! account. The seeding methods without a suffix ([`FakeAws::add_log_group`],
//! [`FakeAws::put_metric`], …) use the default account, their `_in` variants
//! ([`FakeAws::add_log_group_in`], [`FakeAws::put_metric_in`], …) any account.
//!
//! | caller's access key | account | `GetCallerIdentity` `Arn` / `UserId` |
//! | --- | --- | --- |
//! | issued by `AssumeRole` of `arn:aws:iam::<acct>:role/[<path>/]<name>` | `<acct>` | `arn:aws:sts::<acct>:assumed-role/<name>/<session>` / `AROA…:<session>` |
//! | any other, or no `authorization` | [`FakeOptions::account_id`] | `arn:aws:iam::<acct>:user/fake` / `AIDAFAKE` |
//!
//! **Denials and faults.** IAM-style denials are checked first, by the
//! request's IAM action (`cloudwatch:GetMetricData`, `logs:<Op>`, `sts:<Op>`,
//! `ce:GetCostAndUsage`, …): [`FakeAws::deny`] (every account),
//! [`FakeAws::deny_in`] (one account), [`FakeAws::deny_after`] (after `n`
//! more calls); [`FakeAws::allow`] lifts them all, [`FakeAws::allow_in`] one
//! account's. `AssumeRole` also answers its own `AccessDenied` for roles given
//! to [`FakeAws::deny_assume`] or [`FakeAws::require_external_id`] (without
//! the right `ExternalId`).
//!
//! Fault injection ([`Faults`]) is deterministic: request number `n` (a global
//! counter, restarted by [`FakeAws::set_faults`]) and `Faults::seed` decide,
//! in order, throttle → HTTP 500 → HTTP 503 → dropped connection, each an
//! independent draw from a splitmix64 stream seeded by `(seed, n)`. Denials
//! and faults apply to every request routed to an operation of any service,
//! forwarded ones included (which then never reach the upstream); not to
//! 404s. Their wire form per service (forwarded requests: see [`proxy`]):
//!
//! | fault | CloudWatch (CBOR) | Logs (JSON) | STS (XML) | OAM (REST-JSON) |
//! | --- | --- | --- | --- | --- |
//! | throttle, quota | 400 `Throttling` "Rate exceeded" | 400 `ThrottlingException` | 400 `Throttling` | 429 `ThrottlingException` |
//! | http500 | 500 `InternalFailure` | 500 `ServiceUnavailableException` | 500 `InternalFailure` | 500 `InternalServiceFault` |
//! | http503 | 503 `ServiceUnavailable` | 503 `ServiceUnavailableException` | 503 `ServiceUnavailable` | 503 `ServiceUnavailable` |
//! | denied | 403 `AccessDenied` | 400 `AccessDeniedException` | 403 `AccessDenied` | 403 `AccessDeniedException` |
//! | drop | connection closed, no response | same | same | same |
//!
//! Denial messages name the caller (`User: <caller arn> is not authorized to
//! perform: <action> …`).
//!
//! Every request, faulted, denied or forwarded, is recorded as a [`Call`]
//! with its service, operation, IAM action, caller's account and region.

pub mod athena;
pub mod cloudwatch;
pub mod datadog;
pub mod delivery;
pub mod firehose;
pub mod insights;
pub mod logs;
pub mod oam;
pub mod proxy;
pub mod quotas;
pub mod sts;
mod util;

pub use delivery::VendedDelivery;
pub use quotas::Quotas;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::{Bytes, Incoming};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio::task::{JoinHandle, JoinSet};

use proxy::Wire;

/// Region used when a request carries no SigV4 credential scope.
pub const DEFAULT_REGION: &str = "us-east-1";
/// Account id used when [`FakeOptions::account_id`] is left at its default.
pub const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// Options for [`FakeAws::start`].
#[derive(Clone, Debug)]
pub struct FakeOptions {
    /// The default account: the account of every request not signed with an
    /// access key issued by this fake's `AssumeRole`, and the account the
    /// methods without an `_in` suffix seed.
    pub account_id: String,
    /// Initial fault configuration.
    pub faults: Faults,
    /// Base URL (`http://host:port`, optionally with a path prefix) of a
    /// server to forward requests to that the fake does not implement (an
    /// unknown service or operation), e.g. a moto server. `None` = answer
    /// them as an unknown operation (or 404). Only `http://` is supported.
    pub upstream: Option<String>,
    /// Request-rate quotas to enforce; `None` = unlimited.
    pub quotas: Option<Quotas>,
    /// With an upstream: the IAM actions the fake answers itself, everything else being
    /// forwarded (e.g. moto serves the Logs API but for `logs:DescribeAccountPolicies`, which it
    /// lacks). `None` = every operation the fake implements.
    pub serve_only: Option<Vec<String>>,
}

impl Default for FakeOptions {
    fn default() -> Self {
        FakeOptions {
            account_id: DEFAULT_ACCOUNT_ID.to_string(),
            faults: Faults::default(),
            upstream: None,
            quotas: None,
            serve_only: None,
        }
    }
}

/// Deterministic fault injection. Probabilities are in `[0, 1]`; each request
/// draws independently for each kind, checked in field order.
#[derive(Clone, Debug, Default)]
pub struct Faults {
    /// Seed mixed with the request sequence number.
    pub seed: u64,
    /// Probability of a 400 throttling error (`Throttling` / `ThrottlingException`).
    pub throttle: f64,
    /// Probability of an HTTP 500.
    pub http500: f64,
    /// Probability of an HTTP 503.
    pub http503: f64,
    /// Probability of closing the connection without any response.
    pub drop_connection: f64,
    /// Slept before answering every request.
    pub latency: Duration,
    /// Cap every GetMetricData page at this many datapoints even when `MaxDatapoints` allows
    /// more: AWS may answer `PartialData` with a `NextToken` for its own reasons, and a client
    /// must follow it. `None` = only `MaxDatapoints` applies.
    pub page_datapoints: Option<usize>,
    /// `(code, text)` messages added to the top-level `Messages` of every GetMetricData answer
    /// (as AWS reports e.g. "Maximum number of allowed metrics exceeded").
    pub metric_data_messages: Vec<(String, String)>,
    /// Answer a GetMetricData page cut short (`PartialData`) without its `NextToken`: a broken
    /// answer a client must refuse rather than take as complete.
    pub drop_partial_token: bool,
    /// IAM actions (`logs:DescribeLogGroups`) whose pagination loops: the token of every page
    /// leads back to the first page, and is the same token each time.
    pub loop_next_token: Vec<String>,
}

/// One request as the fake saw it.
#[derive(Clone, Debug)]
pub struct Call {
    /// `"monitoring"`, `"logs"`, `"sts"`; for a request forwarded to the
    /// upstream, the service's signing name (`"ce"` for
    /// `AWSInsightsIndexService.*`, else the SigV4 credential scope's service);
    /// `"unknown"` for unroutable requests.
    pub service: String,
    /// The operation name, e.g. `"GetMetricData"` (empty when unknown, e.g. a
    /// REST-style request forwarded to the upstream).
    pub operation: String,
    /// The IAM action, `"<iam prefix>:<Operation>"`: `"cloudwatch:GetMetricData"`,
    /// `"logs:DescribeLogGroups"`, `"sts:AssumeRole"`, `"ce:GetCostAndUsage"`, …;
    /// empty when the operation is unknown.
    pub action: String,
    /// The caller's account: the role's account for an access key issued by
    /// `AssumeRole`, else the default account ([`FakeOptions::account_id`]).
    pub account: String,
    /// Region from the SigV4 credential scope.
    pub region: String,
    /// HTTP status sent; 0 when the connection was dropped.
    pub status: u16,
    /// `"throttle"`, `"500"`, `"503"`, `"drop"` or `"denied"` when a fault was
    /// injected; `"upstream"` when forwarding to the upstream failed (502).
    pub fault: Option<String>,
    /// True when the request was forwarded to [`FakeOptions::upstream`] (and
    /// the upstream's answer returned).
    pub proxied: bool,
    /// Number of `MetricDataQueries` in a `GetMetricData` request (counted
    /// from the request body, so also for faulted calls); 0 otherwise.
    pub metric_queries: usize,
    /// Datapoints returned in the response (`GetMetricData`: values across
    /// all results; `FilterLogEvents`: events); 0 for errors.
    pub datapoints: usize,
}

/// A seeded CloudWatch Logs log group.
#[derive(Clone, Debug)]
pub struct LogGroup {
    pub name: String,
    /// `"STANDARD"`, `"INFREQUENT_ACCESS"` (or `"DELIVERY"`).
    pub class: String,
    pub retention_days: Option<i32>,
    pub stored_bytes: i64,
    pub creation_time_ms: i64,
}

impl LogGroup {
    /// A STANDARD group with no retention, 0 stored bytes, created at epoch 0.
    pub fn new(name: &str) -> Self {
        LogGroup {
            name: name.to_string(),
            class: "STANDARD".to_string(),
            retention_days: None,
            stored_bytes: 0,
            creation_time_ms: 0,
        }
    }
}

/// A seeded subscription filter.
#[derive(Clone, Debug)]
pub struct SubscriptionFilter {
    pub filter_name: String,
    pub destination_arn: String,
    pub filter_pattern: String,
    pub role_arn: Option<String>,
    /// `"ByLogStream"` or `"Random"`.
    pub distribution: String,
    pub creation_time_ms: i64,
}

/// A saved CloudWatch Logs Insights query definition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueryDefinition {
    pub id: String,
    pub name: String,
    pub query_string: String,
    pub log_group_names: Vec<String>,
    /// `"CWLI"`, `"SQL"` or `"PPL"`.
    pub query_language: String,
    /// (name, defaultValue, description)
    pub parameters: Vec<(String, Option<String>, Option<String>)>,
    pub last_modified_ms: i64,
}

/// A running fake. Dropping it stops the server and its connections.
pub struct FakeAws {
    inner: Arc<Inner>,
    addr: SocketAddr,
    task: JoinHandle<()>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct MetricKey {
    pub(crate) account: String,
    pub(crate) region: String,
    pub(crate) namespace: String,
    pub(crate) name: String,
    /// Sorted by (name, value).
    pub(crate) dims: Vec<(String, String)>,
}

#[derive(Clone, Debug)]
pub(crate) struct StoredEvent {
    pub(crate) stream: String,
    pub(crate) timestamp: i64,
    pub(crate) ingestion_time: i64,
    pub(crate) seq: u64,
    pub(crate) message: String,
}

#[derive(Clone, Debug)]
pub(crate) struct GroupState {
    pub(crate) group: LogGroup,
    /// Keyed by filter name.
    pub(crate) filters: BTreeMap<String, SubscriptionFilter>,
    /// Kept sorted by (timestamp, ingestion_time, seq).
    pub(crate) events: Vec<StoredEvent>,
}

#[derive(Default)]
pub(crate) struct RegionState {
    pub(crate) groups: BTreeMap<String, GroupState>,
    /// Keyed by id.
    pub(crate) query_defs: HashMap<String, QueryDefinition>,
    /// Scheduled queries, client tokens, the query history.
    pub(crate) insights: insights::InsightsState,
    /// Account-level subscription filter policies, keyed by name.
    pub(crate) policies: BTreeMap<String, SubscriptionPolicy>,
    /// Vended-log deliveries into this region's groups, keyed by delivery source name.
    pub(crate) deliveries: BTreeMap<String, delivery::VendedDelivery>,
    /// Firehose streams by name, with their HTTP endpoint URL (`None`: an S3 destination).
    pub(crate) firehose_streams: BTreeMap<String, Option<String>>,
}

/// An account-level subscription filter policy (`PutAccountPolicy`,
/// `SUBSCRIPTION_FILTER_POLICY`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SubscriptionPolicy {
    pub name: String,
    pub destination_arn: String,
    pub filter_pattern: String,
    /// `LogGroupName NOT IN ["..."]`, the only criteria AWS accepts for this type.
    pub selection_criteria: Option<String>,
    pub last_updated_ms: i64,
}

/// A source account linked to a monitoring account's sink in a region.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Link {
    pub(crate) monitoring: String,
    pub(crate) region: String,
    pub(crate) source: String,
    pub(crate) resource_types: Vec<String>,
    pub(crate) seq: u64,
}

/// A log group to delete when an action has been called a number more times.
#[derive(Clone, Debug)]
struct Deletion {
    action: String,
    remaining: usize,
    account: String,
    region: String,
    group: String,
}

#[derive(Default)]
pub(crate) struct State {
    /// Log groups and query definitions, keyed by (account, region).
    pub(crate) scopes: HashMap<(String, String), RegionState>,
    pub(crate) metrics: HashMap<MetricKey, Vec<(i64, f64)>>,
    pub(crate) event_seq: u64,
    pub(crate) query_def_seq: u64,
    pub(crate) links: Vec<Link>,
}

impl State {
    pub(crate) fn scope(&self, account: &str, region: &str) -> Option<&RegionState> {
        self.scopes.get(&(account.to_string(), region.to_string()))
    }

    pub(crate) fn scope_mut(&mut self, account: &str, region: &str) -> &mut RegionState {
        self.scopes
            .entry((account.to_string(), region.to_string()))
            .or_default()
    }

    /// Whether `monitoring` sees `source`'s `resource_type` in `region`: its own account always,
    /// a source account when linked with that resource type shared.
    pub(crate) fn sees(
        &self,
        monitoring: &str,
        region: &str,
        source: &str,
        resource_type: &str,
    ) -> bool {
        monitoring == source
            || self.links.iter().any(|l| {
                l.monitoring == monitoring
                    && l.region == region
                    && l.source == source
                    && l.resource_types.iter().any(|t| t == resource_type)
            })
    }

    /// The accounts whose `resource_type` `monitoring` sees in `region`, itself first.
    pub(crate) fn visible_accounts(
        &self,
        monitoring: &str,
        region: &str,
        resource_type: &str,
    ) -> Vec<String> {
        let mut out = vec![monitoring.to_string()];
        for l in &self.links {
            if l.monitoring == monitoring
                && l.region == region
                && l.resource_types.iter().any(|t| t == resource_type)
                && !out.contains(&l.source)
            {
                out.push(l.source.clone());
            }
        }
        out
    }
}

/// Shared resource types of OAM links.
pub const LOG_GROUPS: &str = "AWS::Logs::LogGroup";
pub const METRICS: &str = "AWS::CloudWatch::Metric";

/// A role session created by `AssumeRole`, keyed by its access key id.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    /// The role's account.
    pub(crate) account: String,
    pub(crate) role_name: String,
    /// `AROA…`, stable per role ARN.
    pub(crate) role_id: String,
    pub(crate) session_name: String,
}

/// Who sent a request, from its SigV4 access key id.
#[derive(Clone, Debug)]
pub(crate) struct Caller {
    pub(crate) account: String,
    pub(crate) session: Option<Session>,
}

impl Caller {
    /// `arn:aws:iam::<acct>:user/fake`, or for a role session
    /// `arn:aws:sts::<acct>:assumed-role/<role>/<session>`.
    pub(crate) fn arn(&self) -> String {
        match &self.session {
            Some(s) => format!(
                "arn:aws:sts::{}:assumed-role/{}/{}",
                self.account, s.role_name, s.session_name
            ),
            None => format!("arn:aws:iam::{}:user/fake", self.account),
        }
    }

    /// `AIDAFAKE`, or for a role session `<role id>:<session>`.
    pub(crate) fn user_id(&self) -> String {
        match &self.session {
            Some(s) => format!("{}:{}", s.role_id, s.session_name),
            None => "AIDAFAKE".to_string(),
        }
    }
}

pub(crate) struct Inner {
    /// The default account.
    pub(crate) account_id: String,
    pub(crate) state: Mutex<State>,
    faults: Mutex<Faults>,
    denied: Mutex<HashSet<String>>,
    /// (account, action) pairs denied for one account only.
    denied_in: Mutex<HashSet<(String, String)>>,
    /// Service errors answered for an action, as the service documents them (e.g. Cost
    /// Explorer's DataUnavailableException): (HTTP status, code, message).
    errors: Mutex<HashMap<String, (u16, String, String)>>,
    /// Actions allowed a number more times, then denied (a failure midway through a run).
    deny_after: Mutex<HashMap<String, usize>>,
    /// Actions whose response is lost after the operation is applied, after a number more
    /// calls answered normally (a network failure the client cannot tell from a refusal).
    lose_after: Mutex<HashMap<String, usize>>,
    /// Role ARNs whose `AssumeRole` is denied.
    pub(crate) assume_denied: Mutex<HashSet<String>>,
    /// Role ARN → the `ExternalId` its `AssumeRole` requires.
    pub(crate) external_ids: Mutex<HashMap<String, String>>,
    /// Access key id → role session.
    pub(crate) sessions: Mutex<HashMap<String, Session>>,
    pub(crate) session_seq: AtomicU64,
    upstream: Option<proxy::Upstream>,
    serve_only: Option<Vec<String>>,
    fault_seq: AtomicU64,
    request_seq: AtomicU64,
    calls: Mutex<Vec<Call>>,
    quotas: Mutex<Option<Quotas>>,
    buckets: Mutex<quotas::Buckets>,
    deletions: Mutex<Vec<Deletion>>,
}

impl Inner {
    /// The caller for an access key id: a role session's account when the
    /// key was issued by `AssumeRole`, else the default account.
    fn caller(&self, access_key: Option<&str>) -> Caller {
        if let Some(k) = access_key
            && let Some(s) = lock(&self.sessions).get(k)
        {
            return Caller {
                account: s.account.clone(),
                session: Some(s.clone()),
            };
        }
        Caller {
            account: self.account_id.clone(),
            session: None,
        }
    }

    /// Whether this call's response is to be lost (see [`FakeAws::lose_response_after`]);
    /// counts one call of the allowance otherwise.
    fn take_lost(&self, action: &str) -> bool {
        let mut lose = lock(&self.lose_after);
        match lose.get_mut(action) {
            Some(0) => {
                lose.remove(action);
                true
            }
            Some(n) => {
                *n -= 1;
                false
            }
            None => false,
        }
    }

    /// Count one call of `action`, and delete the groups whose deletion was due before it.
    fn run_deletions(&self, action: &str) {
        let due: Vec<Deletion> = {
            let mut d = lock(&self.deletions);
            for x in d.iter_mut().filter(|x| x.action == action) {
                x.remaining = x.remaining.saturating_sub(1);
            }
            let (due, keep): (Vec<_>, Vec<_>) = d.drain(..).partition(|x| x.remaining == 0);
            *d = keep;
            due
        };
        if due.is_empty() {
            return;
        }
        let mut st = lock(&self.state);
        for x in due {
            st.scope_mut(&x.account, &x.region).groups.remove(&x.group);
        }
    }

    /// Whether `action` is denied for `account` (by [`FakeAws::deny`],
    /// [`FakeAws::deny_in`] or an exhausted [`FakeAws::deny_after`]). Counts
    /// one use of a `deny_after` allowance when not denied otherwise.
    fn is_denied(&self, account: &str, action: &str) -> bool {
        if lock(&self.denied).contains(action)
            || lock(&self.denied_in).contains(&(account.to_string(), action.to_string()))
        {
            return true;
        }
        let mut after = lock(&self.deny_after);
        match after.get_mut(action) {
            Some(0) => true,
            Some(n) => {
                *n -= 1;
                false
            }
            None => false,
        }
    }
}

/// Locks a mutex, ignoring poisoning (a panicking test thread must not wedge
/// the server for the others).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The services the fake speaks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    Monitoring,
    Logs,
    Sts,
    Oam,
    Firehose,
}

impl Service {
    fn name(self) -> &'static str {
        match self {
            Service::Monitoring => "monitoring",
            Service::Logs => "logs",
            Service::Sts => "sts",
            Service::Oam => "oam",
            Service::Firehose => "firehose",
        }
    }

    fn iam_prefix(self) -> &'static str {
        match self {
            Service::Monitoring => "cloudwatch",
            Service::Logs => "logs",
            Service::Sts => "sts",
            Service::Oam => "oam",
            Service::Firehose => "firehose",
        }
    }

    /// Whether the fake implements `op` itself.
    fn implements(self, op: &str) -> bool {
        match self {
            Service::Monitoring => cloudwatch::OPERATIONS.contains(&op),
            Service::Logs => logs::OPERATIONS.contains(&op),
            Service::Sts => sts::OPERATIONS.contains(&op),
            Service::Oam => oam::OPERATIONS.contains(&op),
            Service::Firehose => firehose::OPERATIONS.contains(&op),
        }
    }

    /// Renders an error in this service's wire form.
    pub(crate) fn error_reply(self, e: &ApiError, request_id: &str) -> Reply {
        match self {
            Service::Monitoring => cloudwatch::error_reply(e),
            Service::Logs | Service::Firehose => logs::error_reply(e),
            Service::Sts => sts::error_reply(e, request_id),
            Service::Oam => oam::error_reply(e),
        }
    }
}

/// An error in protocol-neutral form; each service renders it.
#[derive(Clone, Debug)]
pub(crate) struct ApiError {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl ApiError {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            code: code.to_string(),
            message: message.into(),
        }
    }

    pub(crate) fn bad(code: &str, message: impl Into<String>) -> Self {
        Self::new(400, code, message)
    }
}

/// A response before the request id is attached.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(&'static str, String)>,
    pub(crate) body: Vec<u8>,
}

/// What a service handler produced.
pub(crate) struct Handled {
    pub(crate) result: Result<Reply, ApiError>,
    pub(crate) datapoints: usize,
}

impl Handled {
    pub(crate) fn err(e: ApiError) -> Self {
        Handled {
            result: Err(e),
            datapoints: 0,
        }
    }
}

/// Per-request context passed to handlers.
pub(crate) struct Ctx<'a> {
    pub(crate) inner: &'a Inner,
    pub(crate) region: &'a str,
    pub(crate) request_id: &'a str,
    pub(crate) caller: &'a Caller,
}

impl Ctx<'_> {
    /// The caller's account: every ARN in a response uses it, and all state
    /// is read and written in it.
    pub(crate) fn account(&self) -> &str {
        &self.caller.account
    }
}

enum Route {
    Op(Service, String),
    /// Recognised service, but the request cannot be routed to an operation.
    BadRequest(Service, ApiError),
    /// Not a service the fake speaks: forwarded when there is an upstream,
    /// else answered with this error in that service's form (`None` = 404).
    Unserved(Option<(Service, ApiError)>),
}

const CBOR_PREFIX: &str = "/service/GraniteServiceVersion20100801/operation/";
const LOGS_TARGET_PREFIX: &str = "Logs_20140328.";
const FIREHOSE_TARGET_PREFIX: &str = "Firehose_20150804.";

fn route(parts: &http::request::Parts, body: &[u8]) -> Route {
    let path = parts.uri.path();
    let header = |n: &str| parts.headers.get(n).and_then(|v| v.to_str().ok());
    if let Some(op) = path.strip_prefix(CBOR_PREFIX) {
        if parts.method != http::Method::POST {
            return Route::Unserved(None);
        }
        if header("smithy-protocol") != Some("rpc-v2-cbor") {
            return Route::BadRequest(
                Service::Monitoring,
                ApiError::bad(
                    "UnknownOperationException",
                    "requests must carry the header smithy-protocol: rpc-v2-cbor",
                ),
            );
        }
        return Route::Op(Service::Monitoring, op.to_string());
    }
    // OAM is REST-JSON: the operation is the path (`POST /ListSinks`).
    if parts.method == http::Method::POST
        && let Some(op) = path.strip_prefix('/')
        && oam::OPERATIONS.contains(&op)
    {
        return Route::Op(Service::Oam, op.to_string());
    }
    if path != "/" || parts.method != http::Method::POST {
        return Route::Unserved(None);
    }
    if let Some(op) = header("x-amz-target").and_then(|t| t.strip_prefix(FIREHOSE_TARGET_PREFIX)) {
        return Route::Op(Service::Firehose, op.to_string());
    }
    if let Some(target) = header("x-amz-target") {
        return match target.strip_prefix(LOGS_TARGET_PREFIX) {
            Some(op) => Route::Op(Service::Logs, op.to_string()),
            None => Route::Unserved(Some((
                Service::Logs,
                ApiError::bad(
                    "UnknownOperationException",
                    format!("unknown x-amz-target {target}"),
                ),
            ))),
        };
    }
    let action = util::parse_form(body)
        .into_iter()
        .find(|(k, _)| k == "Action")
        .map(|(_, v)| v);
    match action {
        Some(a) => Route::Op(Service::Sts, a),
        None => Route::Unserved(Some((
            Service::Sts,
            ApiError::bad(
                "MissingAction",
                "The request must contain the parameter Action.",
            ),
        ))),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum FaultKind {
    Throttle,
    Http500,
    Http503,
    Drop,
}

impl FaultKind {
    fn label(self) -> &'static str {
        match self {
            FaultKind::Throttle => "throttle",
            FaultKind::Http500 => "500",
            FaultKind::Http503 => "503",
            FaultKind::Drop => "drop",
        }
    }
}

/// The fault for request number `n`, a pure function of `(faults, n)`.
fn decide_fault(f: &Faults, n: u64) -> Option<FaultKind> {
    let mut s = util::Stream::new(f.seed, n);
    let kinds = [
        (f.throttle, FaultKind::Throttle),
        (f.http500, FaultKind::Http500),
        (f.http503, FaultKind::Http503),
        (f.drop_connection, FaultKind::Drop),
    ];
    for (p, kind) in kinds {
        // Always draw, so one kind's probability does not shift the others' draws.
        let r = s.next_f64();
        if p > 0.0 && r < p {
            return Some(kind);
        }
    }
    None
}

/// The error a fault of `kind` answers in `wire`'s form. `iam_prefix` picks
/// service-specific codes of forwarded services.
fn fault_error(wire: &Wire, iam_prefix: &str, kind: FaultKind) -> ApiError {
    let internal = || {
        ApiError::new(
            500,
            "InternalFailure",
            "The request processing has failed because of an unknown error, exception or failure.",
        )
    };
    let unavailable = || {
        ApiError::new(
            503,
            "ServiceUnavailable",
            "The request has failed due to a temporary failure of the server.",
        )
    };
    let logs_unavailable = |status| {
        ApiError::new(
            status,
            "ServiceUnavailableException",
            "The service cannot complete the request.",
        )
    };
    match (wire, kind) {
        (Wire::Known(Service::Oam), FaultKind::Throttle) => {
            ApiError::new(429, "ThrottlingException", "Rate exceeded")
        }
        (Wire::Known(Service::Oam), FaultKind::Http500) => ApiError::new(
            500,
            "InternalServiceFault",
            "Unexpected error while processing the request. Retry the request.",
        ),
        (Wire::Known(Service::Firehose), FaultKind::Throttle) => {
            ApiError::bad("ThrottlingException", "Rate exceeded")
        }
        (Wire::Known(Service::Firehose), _) => logs_unavailable(503),
        (Wire::Known(Service::Logs), FaultKind::Throttle) => {
            ApiError::bad("ThrottlingException", "Rate exceeded")
        }
        (Wire::Known(Service::Logs), FaultKind::Http500) => logs_unavailable(500),
        (Wire::Known(Service::Logs), _) => logs_unavailable(503),
        (Wire::Known(_) | Wire::Query, FaultKind::Throttle) => {
            ApiError::bad("Throttling", "Rate exceeded")
        }
        // Cost Explorer throttles with LimitExceededException (the SDKs retry it as throttling).
        (_, FaultKind::Throttle) if iam_prefix == "ce" => ApiError::bad(
            "LimitExceededException",
            "You made too many calls in a short period of time. Try again later.",
        ),
        (Wire::Rest, FaultKind::Throttle) => {
            ApiError::new(429, "TooManyRequestsException", "Rate exceeded")
        }
        (_, FaultKind::Throttle) => ApiError::bad("ThrottlingException", "Rate exceeded"),
        (_, FaultKind::Http500) => internal(),
        (_, _) => unavailable(),
    }
}

/// The AccessDenied error for `action` in `wire`'s form, naming the caller.
fn denied_error(ctx: &Ctx<'_>, wire: &Wire, op: &str, action: &str, body: &[u8]) -> ApiError {
    let user = ctx.caller.arn();
    match wire {
        Wire::Known(Service::Logs) => {
            let resource = logs::resource_arn_for(ctx, action, body);
            ApiError::bad(
                "AccessDeniedException",
                format!(
                    "User: {user} is not authorized to perform: {action} on resource: {resource} \
                     because no identity-based policy allows the {action} action"
                ),
            )
        }
        // JSON 1.1 services answer 400 AccessDeniedException.
        Wire::Known(Service::Firehose) => ApiError::bad(
            "AccessDeniedException",
            format!(
                "User: {user} is not authorized to perform: {action} \
                 because no identity-based policy allows the {action} action"
            ),
        ),
        Wire::Known(Service::Oam) => ApiError::new(
            403,
            "AccessDeniedException",
            format!(
                "User: {user} is not authorized to perform: {action} \
                 because no identity-based policy allows the {action} action"
            ),
        ),
        Wire::Known(_) | Wire::Query => ApiError::new(
            403,
            "AccessDenied",
            format!(
                "User: {user} is not authorized to perform: {action} \
                 because no identity-based policy allows the {action} action"
            ),
        ),
        Wire::Json(_) | Wire::Cbor | Wire::Rest => {
            // Cost Explorer names the operation as its resource.
            let on = if action.starts_with("ce:") {
                format!(" on resource: arn:aws:ce:us-east-1:{}:/{op}", ctx.account())
            } else {
                String::new()
            };
            let status = if matches!(wire, Wire::Json(_)) {
                400
            } else {
                403
            };
            ApiError::new(
                status,
                "AccessDeniedException",
                format!(
                    "User: {user} is not authorized to perform: {action}{on} \
                     because no identity-based policy allows the {action} action"
                ),
            )
        }
    }
}

/// Where a routed request goes.
enum Target {
    /// Served by the fake (implemented, or answered as unknown when there is
    /// no upstream).
    Local(Service, String),
    /// Forwarded to the upstream.
    Proxy(proxy::Foreign),
}

/// What the fake answers.
enum Outcome {
    Reply(Reply),
    /// The upstream's response, passed through.
    Forwarded(Response<Full<Bytes>>),
    /// Close the connection without a response.
    Dropped,
}

/// Marker error: makes hyper close the connection without a response.
#[derive(Debug)]
struct DroppedConnection;

impl std::fmt::Display for DroppedConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("fault injection: connection dropped")
    }
}

impl std::error::Error for DroppedConnection {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

async fn handle(
    inner: Arc<Inner>,
    req: Request<Incoming>,
) -> Result<Response<Full<Bytes>>, BoxError> {
    let (parts, body) = req.into_parts();
    let body = body.collect().await?.to_bytes();
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok());
    let region =
        util::region_from_authorization(auth).unwrap_or_else(|| DEFAULT_REGION.to_string());
    let caller = inner.caller(util::access_key_from_authorization(auth).as_deref());
    let signing_name = util::service_from_authorization(auth);
    let request_id = util::uuid_like(inner.request_seq.fetch_add(1, Ordering::Relaxed) ^ 0x5EED);

    let faults = lock(&inner.faults).clone();
    if !faults.latency.is_zero() {
        tokio::time::sleep(faults.latency).await;
    }
    let n = inner.fault_seq.fetch_add(1, Ordering::Relaxed);

    let ctx = Ctx {
        inner: &inner,
        region: &region,
        request_id: &request_id,
        caller: &caller,
    };
    let mut call = Call {
        service: "unknown".to_string(),
        operation: String::new(),
        action: String::new(),
        account: caller.account.clone(),
        region: region.clone(),
        status: 0,
        fault: None,
        proxied: false,
        metric_queries: 0,
        datapoints: 0,
    };

    let upstream = inner.upstream.as_ref();
    let foreign = || proxy::classify(&parts, &body, signing_name.as_deref());
    let target = match route(&parts, &body) {
        Route::Op(s, op)
            if upstream.is_some()
                && (!s.implements(&op)
                    || inner.serve_only.as_ref().is_some_and(|only| {
                        !only.contains(&format!("{}:{op}", s.iam_prefix()))
                    })) =>
        {
            Ok(Target::Proxy(foreign()))
        }
        Route::Op(s, op) => Ok(Target::Local(s, op)),
        Route::Unserved(_) if upstream.is_some() => Ok(Target::Proxy(foreign())),
        Route::BadRequest(s, e) | Route::Unserved(Some((s, e))) => Err(Some((s, e))),
        Route::Unserved(None) => Err(None),
    };

    let outcome = match target {
        Err(None) => Outcome::Reply(Reply {
            status: 404,
            headers: vec![("content-type", "text/plain".to_string())],
            body: b"no such route in logplan-fake".to_vec(),
        }),
        Err(Some((service, e))) => {
            call.service = service.name().to_string();
            Outcome::Reply(service.error_reply(&e, &request_id))
        }
        Ok(target) => {
            let (wire, iam_prefix) = match &target {
                Target::Local(s, op) => {
                    call.service = s.name().to_string();
                    call.operation = op.clone();
                    (Wire::Known(*s), s.iam_prefix().to_string())
                }
                Target::Proxy(f) => {
                    call.service = f.service.clone();
                    call.operation = f.operation.clone();
                    (f.wire.clone(), f.iam_prefix.clone())
                }
            };
            if !call.operation.is_empty() && !iam_prefix.is_empty() {
                call.action = proxy::iam_action(&iam_prefix, &call.operation);
            }
            if matches!(&target, Target::Local(Service::Monitoring, op) if op == "GetMetricData") {
                call.metric_queries = cloudwatch::count_queries(&body);
            }
            inner.run_deletions(&call.action);
            let throttled = !call.action.is_empty()
                && lock(&inner.quotas).as_ref().is_some_and(|q| {
                    !lock(&inner.buckets).take(q, &caller.account, &region, &call.action)
                });
            if !call.action.is_empty() && inner.is_denied(&caller.account, &call.action) {
                call.fault = Some("denied".to_string());
                let e = denied_error(&ctx, &wire, &call.operation, &call.action, &body);
                Outcome::Reply(wire.error_reply(&e, &request_id))
            } else if let Some((status, code, message)) =
                lock(&inner.errors).get(&call.action).cloned()
            {
                call.fault = Some("error".to_string());
                let e = ApiError::new(status, &code, message);
                Outcome::Reply(wire.error_reply(&e, &request_id))
            } else if throttled {
                call.fault = Some("quota".to_string());
                let e = fault_error(&wire, &iam_prefix, FaultKind::Throttle);
                Outcome::Reply(wire.error_reply(&e, &request_id))
            } else if let Some(kind) = decide_fault(&faults, n) {
                call.fault = Some(kind.label().to_string());
                match kind {
                    FaultKind::Drop => Outcome::Dropped,
                    k => Outcome::Reply(
                        wire.error_reply(&fault_error(&wire, &iam_prefix, k), &request_id),
                    ),
                }
            } else {
                match target {
                    Target::Local(service, op) => {
                        let handled = match service {
                            Service::Monitoring => cloudwatch::handle(&ctx, &op, &body),
                            Service::Logs => logs::handle(&ctx, &op, &body),
                            Service::Sts => sts::handle(&ctx, &op, &body),
                            Service::Oam => oam::handle(&ctx, &op, &body),
                            Service::Firehose => firehose::handle(&ctx, &op, &body),
                        };
                        match handled.result {
                            Ok(_) if inner.take_lost(&call.action) => {
                                // Applied, then the connection drops before the answer.
                                call.fault = Some("lost".to_string());
                                Outcome::Dropped
                            }
                            Ok(r) => {
                                call.datapoints = handled.datapoints;
                                Outcome::Reply(r)
                            }
                            Err(e) => {
                                // AssumeRole's own denials (deny_assume, require_external_id).
                                if e.code.starts_with("AccessDenied") {
                                    call.fault = Some("denied".to_string());
                                }
                                Outcome::Reply(service.error_reply(&e, &request_id))
                            }
                        }
                    }
                    Target::Proxy(_) => {
                        let up = upstream.expect("a proxy target implies an upstream");
                        call.proxied = true;
                        match up.forward(&parts, body.clone()).await {
                            Ok(resp) => Outcome::Forwarded(resp),
                            Err(msg) => {
                                call.fault = Some("upstream".to_string());
                                let e = ApiError::new(
                                    502,
                                    "BadGateway",
                                    format!("logplan-fake: upstream {}: {msg}", up.url),
                                );
                                Outcome::Reply(wire.error_reply(&e, &request_id))
                            }
                        }
                    }
                }
            }
        }
    };

    call.status = match &outcome {
        Outcome::Reply(r) => r.status,
        Outcome::Forwarded(r) => r.status().as_u16(),
        Outcome::Dropped => 0,
    };
    lock(&inner.calls).push(call);

    match outcome {
        Outcome::Dropped => Err(Box::new(DroppedConnection)),
        Outcome::Forwarded(mut resp) => {
            if !resp.headers().contains_key("x-amzn-requestid") {
                resp.headers_mut().insert(
                    "x-amzn-requestid",
                    http::HeaderValue::from_str(&request_id)?,
                );
            }
            Ok(resp)
        }
        Outcome::Reply(reply) => {
            let mut builder = Response::builder()
                .status(reply.status)
                .header("x-amzn-requestid", &request_id);
            for (k, v) in &reply.headers {
                builder = builder.header(*k, v);
            }
            Ok(builder.body(Full::new(Bytes::from(reply.body)))?)
        }
    }
}

impl FakeAws {
    /// Binds 127.0.0.1:0 and starts serving on the current tokio runtime.
    /// Panics when it cannot bind or [`FakeOptions::upstream`] is not an
    /// `http://` URL.
    pub async fn start(opts: FakeOptions) -> FakeAws {
        Self::start_on(opts, 0)
            .await
            .unwrap_or_else(|e| panic!("logplan-fake: cannot start on 127.0.0.1:0: {e}"))
    }

    /// Like [`FakeAws::start`] but on a chosen port (0 = any). An invalid
    /// [`FakeOptions::upstream`] is an `InvalidInput` error.
    pub async fn start_on(opts: FakeOptions, port: u16) -> std::io::Result<FakeAws> {
        let upstream = opts
            .upstream
            .as_deref()
            .map(proxy::Upstream::new)
            .transpose()?;
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let inner = Arc::new(Inner {
            account_id: opts.account_id,
            state: Mutex::new(State::default()),
            faults: Mutex::new(opts.faults),
            denied: Mutex::new(HashSet::new()),
            denied_in: Mutex::new(HashSet::new()),
            errors: Mutex::new(HashMap::new()),
            deny_after: Mutex::new(HashMap::new()),
            lose_after: Mutex::new(HashMap::new()),
            assume_denied: Mutex::new(HashSet::new()),
            external_ids: Mutex::new(HashMap::new()),
            sessions: Mutex::new(HashMap::new()),
            session_seq: AtomicU64::new(0),
            upstream,
            serve_only: opts.serve_only,
            fault_seq: AtomicU64::new(0),
            request_seq: AtomicU64::new(0),
            calls: Mutex::new(Vec::new()),
            quotas: Mutex::new(opts.quotas),
            buckets: Mutex::default(),
            deletions: Mutex::new(Vec::new()),
        });
        let server_inner = inner.clone();
        let task = tokio::spawn(async move {
            // Dropping the JoinSet (when this task is aborted) aborts every
            // connection task too.
            let mut conns: JoinSet<()> = JoinSet::new();
            loop {
                tokio::select! {
                    accepted = listener.accept() => {
                        let Ok((stream, _)) = accepted else {
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        };
                        let inner = server_inner.clone();
                        conns.spawn(async move {
                            let svc = service_fn(move |req| handle(inner.clone(), req));
                            let _ = http1::Builder::new()
                                .serve_connection(TokioIo::new(stream), svc)
                                .await;
                        });
                    }
                    Some(_) = conns.join_next(), if !conns.is_empty() => {}
                }
            }
        });
        Ok(FakeAws { inner, addr, task })
    }

    /// `http://127.0.0.1:PORT`, for the SDK's `endpoint_url`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The bound socket address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The default account ([`FakeOptions::account_id`]).
    pub fn account_id(&self) -> String {
        self.inner.account_id.clone()
    }

    /// Adds (or replaces) a log group in the default account; its filters and
    /// events are kept on replace.
    pub fn add_log_group(&self, region: &str, g: LogGroup) {
        self.add_log_group_in(&self.inner.account_id, region, g);
    }

    /// [`FakeAws::add_log_group`] in `account`.
    pub fn add_log_group_in(&self, account: &str, region: &str, g: LogGroup) {
        let mut st = lock(&self.inner.state);
        let groups = &mut st.scope_mut(account, region).groups;
        match groups.get_mut(&g.name) {
            Some(existing) => existing.group = g,
            None => {
                groups.insert(
                    g.name.clone(),
                    GroupState {
                        group: g,
                        filters: BTreeMap::new(),
                        events: Vec::new(),
                    },
                );
            }
        }
    }

    /// Adds (or replaces, by name) a subscription filter in the default
    /// account. The log group is created with [`LogGroup::new`] defaults if it
    /// does not exist.
    pub fn add_subscription_filter(&self, region: &str, log_group: &str, f: SubscriptionFilter) {
        self.add_subscription_filter_in(&self.inner.account_id, region, log_group, f);
    }

    /// [`FakeAws::add_subscription_filter`] in `account`.
    pub fn add_subscription_filter_in(
        &self,
        account: &str,
        region: &str,
        log_group: &str,
        f: SubscriptionFilter,
    ) {
        let mut st = lock(&self.inner.state);
        let gs = group_entry(st.scope_mut(account, region), log_group);
        gs.filters.insert(f.filter_name.clone(), f);
    }

    /// Appends raw datapoints `(epoch seconds, value)` to a metric of the
    /// default account identified by namespace, name and its full dimension set.
    pub fn put_metric(
        &self,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[(&str, &str)],
        points: &[(i64, f64)],
    ) {
        self.put_metric_in(
            &self.inner.account_id,
            region,
            namespace,
            metric_name,
            dims,
            points,
        );
    }

    /// [`FakeAws::put_metric`] in `account`.
    pub fn put_metric_in(
        &self,
        account: &str,
        region: &str,
        namespace: &str,
        metric_name: &str,
        dims: &[(&str, &str)],
        points: &[(i64, f64)],
    ) {
        let key = MetricKey {
            account: account.to_string(),
            region: region.to_string(),
            namespace: namespace.to_string(),
            name: metric_name.to_string(),
            dims: sorted_dims(dims.iter().map(|(n, v)| (n.to_string(), v.to_string()))),
        };
        let mut st = lock(&self.inner.state);
        st.metrics.entry(key).or_default().extend_from_slice(points);
    }

    /// Appends log events `(timestamp ms, message)` to a stream in the default
    /// account. The log group is created with [`LogGroup::new`] defaults if it
    /// does not exist. The ingestion time of each event is its timestamp.
    pub fn put_log_events(
        &self,
        region: &str,
        log_group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) {
        self.put_log_events_in(&self.inner.account_id, region, log_group, stream, events);
    }

    /// [`FakeAws::put_log_events`] in `account`.
    pub fn put_log_events_in(
        &self,
        account: &str,
        region: &str,
        log_group: &str,
        stream: &str,
        events: &[(i64, String)],
    ) {
        let mut st = lock(&self.inner.state);
        let mut seq = st.event_seq;
        let gs = group_entry(st.scope_mut(account, region), log_group);
        for (ts, msg) in events {
            seq += 1;
            gs.events.push(StoredEvent {
                stream: stream.to_string(),
                timestamp: *ts,
                ingestion_time: *ts,
                seq,
                message: msg.clone(),
            });
        }
        gs.events
            .sort_by_key(|e| (e.timestamp, e.ingestion_time, e.seq));
        st.event_seq = seq;
    }

    /// Puts (or replaces, by name) an account-level subscription filter policy of `account` in
    /// `region`, as `PutAccountPolicy` with `SUBSCRIPTION_FILTER_POLICY` would.
    pub fn put_subscription_policy_in(&self, account: &str, region: &str, p: SubscriptionPolicy) {
        let mut st = lock(&self.inner.state);
        st.scope_mut(account, region)
            .policies
            .insert(p.name.clone(), p);
    }

    /// Adds (or replaces, by source name) a vended-log delivery of `account` in `region` into one
    /// of its log groups: a delivery source, a `CWL` destination and the delivery pairing them.
    pub fn add_delivery_in(&self, account: &str, region: &str, d: delivery::VendedDelivery) {
        let mut st = lock(&self.inner.state);
        st.scope_mut(account, region)
            .deliveries
            .insert(d.source_name.clone(), d);
    }

    /// Adds (or replaces) a Firehose stream of `account` in `region`: with `http_url`, its one
    /// destination is that HTTP endpoint, else an S3 bucket.
    pub fn add_firehose_stream_in(
        &self,
        account: &str,
        region: &str,
        name: &str,
        http_url: Option<&str>,
    ) {
        let mut st = lock(&self.inner.state);
        st.scope_mut(account, region)
            .firehose_streams
            .insert(name.to_string(), http_url.map(str::to_string));
    }

    /// Links `source` to `monitoring`'s sink in `region` (creating the sink), sharing
    /// `resource_types` ([`LOG_GROUPS`], [`METRICS`]); replaces an earlier link of the pair.
    pub fn link_source(
        &self,
        monitoring: &str,
        region: &str,
        source: &str,
        resource_types: &[&str],
    ) {
        let mut st = lock(&self.inner.state);
        st.links
            .retain(|l| !(l.monitoring == monitoring && l.region == region && l.source == source));
        let seq = st.links.len() as u64 + 1;
        st.links.push(Link {
            monitoring: monitoring.to_string(),
            region: region.to_string(),
            source: source.to_string(),
            resource_types: resource_types.iter().map(|t| t.to_string()).collect(),
            seq,
        });
    }

    /// Deletes a log group (with its filters and events; its metrics stay, as in CloudWatch).
    pub fn delete_log_group_in(&self, account: &str, region: &str, group: &str) {
        lock(&self.inner.state)
            .scope_mut(account, region)
            .groups
            .remove(group);
    }

    /// Deletes a log group of `account` just before the `n`-th next call of `iam_action` (any
    /// account, any region) is served, `n` counting from 1: a group deleted while a client works
    /// on it.
    pub fn delete_log_group_before(
        &self,
        iam_action: &str,
        n: usize,
        account: &str,
        region: &str,
        group: &str,
    ) {
        lock(&self.inner.deletions).push(Deletion {
            action: iam_action.to_string(),
            remaining: n.max(1),
            account: account.to_string(),
            region: region.to_string(),
            group: group.to_string(),
        });
    }

    /// Enforces `quotas` from now on (`None` lifts them), with full buckets.
    pub fn set_quotas(&self, quotas: Option<Quotas>) {
        *lock(&self.inner.quotas) = quotas;
        *lock(&self.inner.buckets) = quotas::Buckets::default();
    }

    /// Replaces the fault configuration and restarts the fault sequence at 0,
    /// so the same `Faults` always yields the same sequence from here on.
    pub fn set_faults(&self, f: Faults) {
        *lock(&self.inner.faults) = f;
        self.inner.fault_seq.store(0, Ordering::SeqCst);
    }

    /// Denies an IAM action such as `"logs:DescribeSubscriptionFilters"`,
    /// `"cloudwatch:GetMetricData"`, `"sts:GetCallerIdentity"`,
    /// `"sts:AssumeRole"` or (forwarded, never reaching the upstream)
    /// `"ce:GetCostAndUsage"`, for every account.
    pub fn deny(&self, iam_action: &str) {
        lock(&self.inner.denied).insert(iam_action.to_string());
    }

    /// Answer every call of `iam_action` with this service error (in the service's wire form),
    /// without forwarding it: for errors a service documents, such as Cost Explorer's
    /// `DataUnavailableException`. `allow` lifts it.
    pub fn fail(&self, iam_action: &str, status: u16, code: &str, message: &str) {
        lock(&self.inner.errors).insert(
            iam_action.to_string(),
            (status, code.to_string(), message.to_string()),
        );
    }

    /// Denies an IAM action for callers in `account` only (the caller's
    /// account comes from its access key: see [`Call::account`]).
    pub fn deny_in(&self, account: &str, iam_action: &str) {
        lock(&self.inner.denied_in).insert((account.to_string(), iam_action.to_string()));
    }

    /// Allow `iam_action` `n` more times, then answer AccessDenied: a run that fails midway.
    pub fn deny_after(&self, iam_action: &str, n: usize) {
        lock(&self.inner.deny_after).insert(iam_action.to_string(), n);
    }

    /// Lifts every denial of `iam_action`: [`FakeAws::deny`],
    /// [`FakeAws::deny_after`] and [`FakeAws::deny_in`] for every account.
    pub fn allow(&self, iam_action: &str) {
        lock(&self.inner.deny_after).remove(iam_action);
        lock(&self.inner.denied).remove(iam_action);
        lock(&self.inner.denied_in).retain(|(_, a)| a != iam_action);
        lock(&self.inner.errors).remove(iam_action);
    }

    /// Lifts a denial made with [`FakeAws::deny_in`] for `account` only.
    pub fn allow_in(&self, account: &str, iam_action: &str) {
        lock(&self.inner.denied_in).remove(&(account.to_string(), iam_action.to_string()));
    }

    /// Makes `AssumeRole` of `role_arn` answer 403 `AccessDenied` (`User: …
    /// is not authorized to perform: sts:AssumeRole on resource: <role arn>`),
    /// as AWS does when the role's trust policy does not admit the caller.
    pub fn deny_assume(&self, role_arn: &str) {
        lock(&self.inner.assume_denied).insert(role_arn.to_string());
    }

    /// Lifts [`FakeAws::deny_assume`].
    pub fn allow_assume(&self, role_arn: &str) {
        lock(&self.inner.assume_denied).remove(role_arn);
    }

    /// Makes `AssumeRole` of `role_arn` require `ExternalId=<external_id>`
    /// (a trust-policy `sts:ExternalId` condition): a missing or different
    /// one answers 403 `AccessDenied`. Replaces an earlier requirement.
    pub fn require_external_id(&self, role_arn: &str, external_id: &str) {
        lock(&self.inner.external_ids).insert(role_arn.to_string(), external_id.to_string());
    }

    /// Every request recorded so far, in completion order.
    pub fn calls(&self) -> Vec<Call> {
        lock(&self.inner.calls).clone()
    }

    pub fn clear_calls(&self) {
        lock(&self.inner.calls).clear();
    }

    /// After `n` more successful calls of `iam_action` (e.g. `logs:PutQueryDefinition`), apply
    /// the next one and drop its connection without an answer: the operation happened, the
    /// client sees a network error. Once.
    pub fn lose_response_after(&self, iam_action: &str, n: usize) {
        lock(&self.inner.lose_after).insert(iam_action.to_string(), n);
    }

    /// Record a query as having run in the default account (what DescribeQueries lists).
    pub fn add_query_record(&self, region: &str, q: insights::QueryRecord) {
        let account = self.inner.account_id.clone();
        self.add_query_record_in(&account, region, q);
    }

    /// [`FakeAws::add_query_record`] in `account`.
    pub fn add_query_record_in(&self, account: &str, region: &str, q: insights::QueryRecord) {
        lock(&self.inner.state)
            .scope_mut(account, region)
            .insights
            .queries
            .push(q);
    }

    /// The scheduled queries of the default account in `region`, sorted by name.
    pub fn scheduled_queries(&self, region: &str) -> Vec<insights::ScheduledQuery> {
        let st = lock(&self.inner.state);
        st.scope(&self.inner.account_id, region)
            .map(|r| r.insights.scheduled.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The query definitions of the default account in `region`, sorted by
    /// name then id.
    pub fn query_definitions(&self, region: &str) -> Vec<QueryDefinition> {
        self.query_definitions_in(&self.inner.account_id, region)
    }

    /// [`FakeAws::query_definitions`] of `account`.
    pub fn query_definitions_in(&self, account: &str, region: &str) -> Vec<QueryDefinition> {
        let st = lock(&self.inner.state);
        let mut v: Vec<QueryDefinition> = st
            .scope(account, region)
            .map(|r| r.query_defs.values().cloned().collect())
            .unwrap_or_default();
        v.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        v
    }
}

impl Drop for FakeAws {
    fn drop(&mut self) {
        self.task.abort();
    }
}

pub(crate) fn sorted_dims(it: impl Iterator<Item = (String, String)>) -> Vec<(String, String)> {
    let mut v: Vec<(String, String)> = it.collect();
    v.sort();
    v
}

fn group_entry<'a>(rs: &'a mut RegionState, name: &str) -> &'a mut GroupState {
    rs.groups
        .entry(name.to_string())
        .or_insert_with(|| GroupState {
            group: LogGroup::new(name),
            filters: BTreeMap::new(),
            events: Vec::new(),
        })
}

/// Current wall-clock time in epoch milliseconds.
pub(crate) fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fault_decisions_are_pure_and_roughly_calibrated() {
        let f = Faults {
            seed: 42,
            throttle: 0.25,
            ..Faults::default()
        };
        let a: Vec<_> = (0..1000).map(|n| decide_fault(&f, n)).collect();
        let b: Vec<_> = (0..1000).map(|n| decide_fault(&f, n)).collect();
        assert_eq!(a, b);
        let throttled = a
            .iter()
            .filter(|x| **x == Some(FaultKind::Throttle))
            .count();
        assert!(
            (180..320).contains(&throttled),
            "throttled {throttled}/1000"
        );
        assert!(
            a.iter()
                .all(|x| x.is_none() || *x == Some(FaultKind::Throttle))
        );

        let other = Faults {
            seed: 43,
            ..f.clone()
        };
        let c: Vec<_> = (0..1000).map(|n| decide_fault(&other, n)).collect();
        assert_ne!(a, c, "a different seed gives a different sequence");

        let none = Faults::default();
        assert!((0..1000).all(|n| decide_fault(&none, n).is_none()));
        let all = Faults {
            drop_connection: 1.0,
            ..Faults::default()
        };
        assert!((0..100).all(|n| decide_fault(&all, n) == Some(FaultKind::Drop)));
    }
}
