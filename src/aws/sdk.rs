//! The real AWS SDK behind the [`super`] traits. The standard credential chain and
//! `AWS_ENDPOINT_URL` / `AWS_ENDPOINT_URL_<SERVICE>` come from `aws-config`, so pointing the tool
//! at an emulator needs no code here. Errors become one-line [`Error`]s that name the IAM action;
//! 5xx answers and connection failures become [`Error::Unreachable`] and throttling keeps its
//! code, so [`super::limited`] can tell what to retry. The clients behind [`RegionApi`] run with
//! the SDK's retries off: [`super::limited::Limiter`] paces and retries them (see there why).

use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_sdk_cloudwatch::types::{Dimension, Metric, MetricDataQuery, MetricStat, ScanBy};
use aws_smithy_runtime_api::client::result::SdkError;
use aws_smithy_types::error::metadata::ProvideErrorMetadata;
use aws_types::region::Region;

use super::*;
use crate::error::Error;

mod definitions;
mod sources;

/// How AWS is reached: retries, timeouts and rate limits (`[aws]` in logplan.toml).
#[derive(Debug, Default, serde::Deserialize, Clone)]
#[serde(deny_unknown_fields)]
pub struct AwsSettings {
    /// Total attempts per request, first one included (standard retry mode). Default 6.
    pub max_attempts: Option<u32>,
    /// First retry backoff in milliseconds; later ones grow exponentially, with full jitter.
    /// Default 500.
    pub initial_backoff_ms: Option<u64>,
    /// TCP connect timeout in seconds. Default 5.
    pub connect_timeout_secs: Option<u64>,
    /// Read timeout per attempt in seconds. Default 60.
    pub read_timeout_secs: Option<u64>,
    /// Requests per second allowed per account and region, by IAM action (e.g.
    /// `"logs:DescribeSubscriptionFilters" = 5`), over AWS's default quotas
    /// ([`crate::aws::quotas`]), which apply to every action not named here.
    #[serde(default)]
    pub rate_limits: std::collections::BTreeMap<String, f64>,
}

/// A role to assume (an `[[accounts]]` entry's role).
#[derive(Clone, Debug)]
pub struct RoleToAssume {
    pub role_arn: String,
    pub session_name: Option<String>,
    pub external_id: Option<String>,
}

/// Retry and timeout settings in force (documented defaults).
#[derive(Clone, Debug)]
pub struct ConnectSettings {
    pub profile: Option<String>,
    /// One endpoint for every service (as `AWS_ENDPOINT_URL`); for emulators and benchmarks.
    pub endpoint_url: Option<String>,
    pub max_attempts: u32,
    pub initial_backoff: Duration,
    pub connect_timeout: Duration,
    pub read_timeout: Duration,
}

impl ConnectSettings {
    pub const DEFAULT_MAX_ATTEMPTS: u32 = 6;

    /// The same attempts and backoff for the limiter's own retries.
    pub fn retry_settings(&self) -> super::limited::RetrySettings {
        super::limited::RetrySettings {
            max_attempts: self.max_attempts,
            initial_backoff: self.initial_backoff,
            max_backoff: Duration::from_secs(20),
        }
    }

    pub fn new(profile: Option<String>, aws: &AwsSettings, max_attempts: Option<u32>) -> Self {
        ConnectSettings {
            profile,
            endpoint_url: None,
            max_attempts: max_attempts
                .or(aws.max_attempts)
                .unwrap_or(Self::DEFAULT_MAX_ATTEMPTS),
            initial_backoff: Duration::from_millis(aws.initial_backoff_ms.unwrap_or(500)),
            connect_timeout: Duration::from_secs(aws.connect_timeout_secs.unwrap_or(5)),
            read_timeout: Duration::from_secs(aws.read_timeout_secs.unwrap_or(60)),
        }
    }
}

/// The SDK configuration of the standard chain with logplan's retry and timeout settings, after
/// checking that it yields credentials: a missing setup is one clear error naming what was tried.
/// A `region` the run already knows (`--region`, logplan.toml, a target's regions) is given to
/// the loader, so the SDK never probes the instance metadata address for one (a probe that, off
/// EC2, costs seconds and prints warnings).
pub async fn load_checked(
    settings: &ConnectSettings,
    region: Option<&str>,
) -> Result<aws_config::SdkConfig> {
    let retry = RetryConfig::standard()
        .with_max_attempts(settings.max_attempts)
        .with_initial_backoff(settings.initial_backoff)
        .with_max_backoff(Duration::from_secs(20));
    let timeouts = TimeoutConfig::builder()
        .connect_timeout(settings.connect_timeout)
        .read_timeout(settings.read_timeout)
        .build();
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(shared_http_client())
        .retry_config(retry)
        .timeout_config(timeouts);
    if let Some(p) = &settings.profile {
        loader = loader.profile_name(p);
    }
    if let Some(r) = region {
        loader = loader.region(Region::new(r.to_string()));
    }
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let base = loader.load().await;
    use aws_credential_types::provider::ProvideCredentials;
    let provider = base
        .credentials_provider()
        .ok_or_else(|| Error::NoCredentials("no credential provider is configured".into()))?;
    if let Err(e) = provider.provide_credentials().await {
        let profile = settings.profile.as_deref().unwrap_or("default");
        return Err(Error::NoCredentials(format!(
            "the standard chain tried environment variables, profile {profile:?} (files and \
             SSO), web identity, ECS container and EC2 instance metadata ({}); set \
             AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, configure the profile, or pass --profile",
            error_chain(&e)
        )));
    }
    Ok(base)
}

/// One HTTPS client (one connection pool) for every SDK client of the process. Without it each
/// service client of each account and region builds its own pool, and an organization of
/// hundreds of accounts runs out of file descriptors on idle connections.
fn shared_http_client() -> aws_smithy_runtime_api::client::http::SharedHttpClient {
    use aws_smithy_http_client::tls;
    static CLIENT: std::sync::OnceLock<aws_smithy_runtime_api::client::http::SharedHttpClient> =
        std::sync::OnceLock::new();
    CLIENT
        .get_or_init(|| {
            aws_smithy_http_client::Builder::new()
                .tls_provider(tls::Provider::Rustls(
                    tls::rustls_provider::CryptoMode::Ring,
                ))
                .build_https()
        })
        .clone()
}

/// An AWS account reached through the SDK.
pub struct SdkAccount {
    base: aws_config::SdkConfig,
    /// Region for STS when the chain has none (the first `--region`).
    sts_region: Option<String>,
}

impl SdkAccount {
    /// Load the standard chain (env, profile, SSO, web identity, ECS, IMDS) and check that it
    /// yields credentials, so a missing setup is one clear error before any real call.
    pub async fn connect(settings: &ConnectSettings, first_region: Option<&str>) -> Result<Self> {
        let base = load_checked(settings, first_region).await?;
        Ok(SdkAccount {
            base,
            sts_region: first_region.map(str::to_string),
        })
    }

    /// The account behind `role`, assumed from these credentials. The role is assumed once here,
    /// so an unassumable role is one clear error naming it before any other call.
    pub async fn assume(&self, role: &RoleToAssume) -> Result<SdkAccount> {
        use aws_credential_types::provider::{ProvideCredentials, SharedCredentialsProvider};
        let role_arn = role.role_arn.as_str();
        let mut conf = self.base.clone();
        if conf.region().is_none()
            && let Some(r) = &self.sts_region
        {
            conf = conf.into_builder().region(Region::new(r.clone())).build();
        }
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(
                role.session_name
                    .clone()
                    .unwrap_or_else(|| "logplan".into()),
            )
            .configure(&conf);
        if let Some(id) = &role.external_id {
            builder = builder.external_id(id.clone());
        }
        let provider = builder.build().await;
        let first = provider
            .provide_credentials()
            .await
            .map_err(|e| Error::Aws {
                operation: "sts:AssumeRole".into(),
                region: None,
                code: "AssumeRoleFailed".into(),
                message: format!("cannot assume role {role_arn}: {}", error_chain(&e)),
            })?;
        let shared = RoleCredentials {
            current: tokio::sync::Mutex::new(first),
            inner: provider,
        };
        let base = conf
            .into_builder()
            .credentials_provider(SharedCredentialsProvider::new(shared))
            .build();
        Ok(SdkAccount {
            base,
            sts_region: self.sts_region.clone(),
        })
    }

    /// The SDK configuration (credentials, retries, timeouts) for clients of other services.
    pub fn sdk_config(&self) -> &aws_config::SdkConfig {
        &self.base
    }

    /// The region of the standard chain (AWS_REGION, profile), if any.
    pub fn default_region(&self) -> Option<String> {
        self.base.region().map(|r| r.to_string())
    }
}

/// The credentials of one role, shared by every client of the account. The SDK gives each client
/// its own identity-cache partition, so a bare AssumeRole provider would be asked once per
/// client (four per region, plus STS): an organization run would assume each role a dozen times,
/// outside the limiter and into STS's throttling. Here the role is assumed once (the call that
/// checks it) and again only when its credentials are within five minutes of expiring.
#[derive(Debug)]
struct RoleCredentials {
    current: tokio::sync::Mutex<aws_credential_types::Credentials>,
    inner: aws_config::sts::AssumeRoleProvider,
}

impl aws_credential_types::provider::ProvideCredentials for RoleCredentials {
    fn provide_credentials<'a>(
        &'a self,
    ) -> aws_credential_types::provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        aws_credential_types::provider::future::ProvideCredentials::new(async move {
            let mut current = self.current.lock().await;
            let fresh = current.expiry().is_none_or(|t| {
                t.duration_since(std::time::SystemTime::now())
                    .is_ok_and(|left| left > Duration::from_secs(300))
            });
            if !fresh {
                *current = self.inner.provide_credentials().await?;
            }
            Ok(current.clone())
        })
    }
}

/// Clients for one region.
#[derive(Clone)]
pub struct SdkRegion {
    region: String,
    /// With the SDK's standard retries (query definitions).
    logs: aws_sdk_cloudwatchlogs::Client,
    /// Retries off: sampling calls, paced and retried by the limiter.
    logs_paced: aws_sdk_cloudwatchlogs::Client,
    cw: aws_sdk_cloudwatch::Client,
    oam: aws_sdk_oam::Client,
    firehose: aws_sdk_firehose::Client,
}

impl SdkRegion {
    /// The CloudWatch Logs client, for the operations of [`super::insights`].
    pub(crate) fn logs_client(&self) -> &aws_sdk_cloudwatchlogs::Client {
        &self.logs
    }

    pub(crate) fn region_name(&self) -> &str {
        &self.region
    }
}

impl AccountApi for SdkAccount {
    type Region = SdkRegion;

    async fn account_id(&self) -> Result<String> {
        let mut conf =
            aws_sdk_sts::config::Builder::from(&self.base).retry_config(RetryConfig::disabled());
        if self.base.region().is_none()
            && let Some(r) = &self.sts_region
        {
            conf = conf.region(Region::new(r.clone()));
        }
        let out = aws_sdk_sts::Client::from_conf(conf.build())
            .get_caller_identity()
            .send()
            .await
            .map_err(|e| map_err("sts:GetCallerIdentity", e))?;
        out.account()
            .map(str::to_string)
            .ok_or_else(|| Error::Internal("GetCallerIdentity returned no account".into()))
    }

    fn region(&self, name: &str) -> SdkRegion {
        let region = Region::new(name.to_string());
        let logs = aws_sdk_cloudwatchlogs::config::Builder::from(&self.base)
            .region(region.clone())
            .build();
        let logs_paced = aws_sdk_cloudwatchlogs::config::Builder::from(&self.base)
            .region(region.clone())
            .retry_config(RetryConfig::disabled())
            .build();
        let cw = aws_sdk_cloudwatch::config::Builder::from(&self.base)
            .region(region.clone())
            .retry_config(RetryConfig::disabled())
            .build();
        let oam = aws_sdk_oam::config::Builder::from(&self.base)
            .region(region.clone())
            .retry_config(RetryConfig::disabled())
            .build();
        let firehose = aws_sdk_firehose::config::Builder::from(&self.base)
            .region(region)
            .retry_config(RetryConfig::disabled())
            .build();
        SdkRegion {
            region: name.to_string(),
            logs: aws_sdk_cloudwatchlogs::Client::from_conf(logs),
            logs_paced: aws_sdk_cloudwatchlogs::Client::from_conf(logs_paced),
            cw: aws_sdk_cloudwatch::Client::from_conf(cw),
            oam: aws_sdk_oam::Client::from_conf(oam),
            firehose: aws_sdk_firehose::Client::from_conf(firehose),
        }
    }
}

impl RegionApi for SdkRegion {
    async fn describe_log_groups(
        &self,
        listing: GroupListing,
        next_token: Option<String>,
    ) -> Result<LogGroupPage> {
        use aws_sdk_cloudwatchlogs::types::LogGroupClass as C;
        let (linked, accounts) = match listing.linked {
            None => (None, None),
            Some(a) if a.is_empty() => (Some(true), None),
            Some(a) => (Some(true), Some(a)),
        };
        let out = self
            .logs_paced
            .describe_log_groups()
            .set_log_group_name_prefix(listing.prefix)
            .set_include_linked_accounts(linked)
            .set_account_identifiers(accounts)
            .limit(50)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeLogGroups", e).in_region(&self.region))?;
        let groups = out
            .log_groups()
            .iter()
            .map(|g| {
                let arn = g
                    .log_group_arn()
                    .or(g.arn())
                    .unwrap_or_default()
                    .trim_end_matches(":*")
                    .to_string();
                LogGroupInfo {
                    name: g.log_group_name().unwrap_or_default().to_string(),
                    account_id: arn_account(&arn).map(str::to_string),
                    arn,
                    class: g.log_group_class().and_then(|c| match c {
                        C::Standard => Some(LogGroupClass::Standard),
                        C::InfrequentAccess => Some(LogGroupClass::InfrequentAccess),
                        C::Delivery => Some(LogGroupClass::Delivery),
                        _ => None,
                    }),
                    retention_days: g.retention_in_days(),
                    stored_bytes: g.stored_bytes().map(|b| b.max(0) as u64),
                    created_ms: g.creation_time(),
                }
            })
            .collect();
        Ok(LogGroupPage {
            groups,
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn describe_subscription_filters(
        &self,
        log_group: String,
        next_token: Option<String>,
    ) -> Result<(Vec<SubscriptionFilterInfo>, Option<String>)> {
        let out = self
            .logs_paced
            .describe_subscription_filters()
            .log_group_name(&log_group)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeSubscriptionFilters", e).in_region(&self.region))?;
        let filters = out
            .subscription_filters()
            .iter()
            .map(|f| SubscriptionFilterInfo {
                filter_name: f.filter_name().unwrap_or_default().to_string(),
                destination_arn: f.destination_arn().unwrap_or_default().to_string(),
            })
            .collect();
        Ok((filters, out.next_token().map(str::to_string)))
    }

    async fn list_metrics(
        &self,
        namespace: String,
        metric_name: String,
        include_linked: bool,
        next_token: Option<String>,
    ) -> Result<MetricsPage> {
        let out = self
            .cw
            .list_metrics()
            .namespace(namespace)
            .metric_name(metric_name)
            .set_include_linked_accounts(include_linked.then_some(true))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("cloudwatch:ListMetrics", e).in_region(&self.region))?;
        // OwningAccounts runs parallel to Metrics when linked accounts are included.
        let owners = out.owning_accounts();
        let metrics = out
            .metrics()
            .iter()
            .enumerate()
            .map(|(i, m)| ListedMetric {
                dimensions: m
                    .dimensions()
                    .iter()
                    .map(|d| {
                        (
                            d.name().unwrap_or_default().to_string(),
                            d.value().unwrap_or_default().to_string(),
                        )
                    })
                    .collect(),
                account_id: owners.get(i).cloned(),
            })
            .collect();
        Ok(MetricsPage {
            metrics,
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn describe_subscription_policies(
        &self,
        account: Option<String>,
        next_token: Option<String>,
    ) -> Result<(Vec<AccountPolicy>, Option<String>)> {
        use aws_sdk_cloudwatchlogs::types::PolicyType;
        let out = self
            .logs_paced
            .describe_account_policies()
            .policy_type(PolicyType::SubscriptionFilterPolicy)
            .set_account_identifiers(account.map(|a| vec![a]))
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:DescribeAccountPolicies", e).in_region(&self.region))?;
        let policies = out
            .account_policies()
            .iter()
            .map(|p| AccountPolicy {
                name: p.policy_name().unwrap_or_default().to_string(),
                document: p.policy_document().unwrap_or_default().to_string(),
                selection_criteria: p.selection_criteria().map(str::to_string),
                account_id: p.account_id().map(str::to_string),
            })
            .collect();
        Ok((policies, out.next_token().map(str::to_string)))
    }

    async fn get_metric_data(
        &self,
        queries: Vec<MetricQuery>,
        start: i64,
        end: i64,
        next_token: Option<String>,
    ) -> Result<MetricDataPage> {
        let sdk_queries = queries.iter().map(to_sdk_query).collect();
        let out = self
            .cw
            .get_metric_data()
            .set_metric_data_queries(Some(sdk_queries))
            .start_time(aws_smithy_types::DateTime::from_secs(start))
            .end_time(aws_smithy_types::DateTime::from_secs(end))
            .scan_by(ScanBy::TimestampAscending)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("cloudwatch:GetMetricData", e).in_region(&self.region))?;
        use aws_sdk_cloudwatch::types::StatusCode as S;
        let message = |m: &aws_sdk_cloudwatch::types::MessageData| {
            format!("{}: {}", m.code().unwrap_or("-"), m.value().unwrap_or(""))
        };
        let results = out
            .metric_data_results()
            .iter()
            .map(|r| MetricResult {
                id: r.id().unwrap_or_default().to_string(),
                timestamps: r.timestamps().iter().map(|t| t.secs()).collect(),
                values: r.values().to_vec(),
                status: match r.status_code() {
                    Some(S::Complete) | None => ResultStatus::Complete,
                    Some(S::PartialData) => ResultStatus::PartialData,
                    Some(other) => ResultStatus::Other(other.as_str().to_string()),
                },
                messages: r.messages().iter().map(message).collect(),
            })
            .collect();
        Ok(MetricDataPage {
            results,
            next_token: out.next_token().map(str::to_string),
            messages: out.messages().iter().map(message).collect(),
        })
    }

    async fn filter_log_events(
        &self,
        log_group: String,
        start_ms: i64,
        end_ms: i64,
        next_token: Option<String>,
    ) -> Result<EventsPage> {
        // A source account's group is named by its ARN from a monitoring account.
        let (name, identifier) = if log_group.starts_with("arn:") {
            (None, Some(log_group))
        } else {
            (Some(log_group), None)
        };
        let out = self
            .logs_paced
            .filter_log_events()
            .set_log_group_name(name)
            .set_log_group_identifier(identifier)
            .start_time(start_ms)
            .end_time(end_ms)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("logs:FilterLogEvents", e).in_region(&self.region))?;
        Ok(EventsPage {
            events: out
                .events()
                .iter()
                .filter_map(|e| {
                    Some(LogEvent {
                        message: e.message()?.to_string(),
                        log_stream: e.log_stream_name().unwrap_or_default().to_string(),
                        event_id: e.event_id().unwrap_or_default().to_string(),
                        timestamp_ms: e.timestamp().unwrap_or_default(),
                    })
                })
                .collect(),
            next_token: out.next_token().map(str::to_string),
        })
    }

    async fn describe_deliveries(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryInfo>, Option<String>)> {
        self.deliveries_page(next_token).await
    }

    async fn describe_delivery_sources(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliverySourceInfo>, Option<String>)> {
        self.delivery_sources_page(next_token).await
    }

    async fn describe_delivery_destinations(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<DeliveryDestinationInfo>, Option<String>)> {
        self.delivery_destinations_page(next_token).await
    }

    async fn firehose_http_endpoints(&self, stream_name: String) -> Result<Vec<String>> {
        self.firehose_endpoints(stream_name).await
    }

    async fn list_sinks(
        &self,
        next_token: Option<String>,
    ) -> Result<(Vec<String>, Option<String>)> {
        let out = self
            .oam
            .list_sinks()
            .max_results(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("oam:ListSinks", e).in_region(&self.region))?;
        let sinks = out
            .items()
            .iter()
            .filter_map(|i| i.arn().map(str::to_string))
            .collect();
        Ok((sinks, out.next_token().map(str::to_string)))
    }

    async fn list_attached_links(
        &self,
        sink_arn: String,
        next_token: Option<String>,
    ) -> Result<(Vec<AttachedLink>, Option<String>)> {
        let out = self
            .oam
            .list_attached_links()
            .sink_identifier(sink_arn)
            .max_results(100)
            .set_next_token(next_token)
            .send()
            .await
            .map_err(|e| map_err("oam:ListAttachedLinks", e).in_region(&self.region))?;
        let links = out
            .items()
            .iter()
            .filter_map(|i| {
                // arn:aws:oam:REGION:SOURCE_ACCOUNT:link/ID: the link lives in the source account.
                let account = arn_account(i.link_arn()?)?.to_string();
                Some(AttachedLink {
                    account_id: account,
                    label: i.label().unwrap_or_default().to_string(),
                    resource_types: i.resource_types().to_vec(),
                })
            })
            .collect();
        Ok((links, out.next_token().map(str::to_string)))
    }
}

fn to_sdk_query(q: &MetricQuery) -> MetricDataQuery {
    let mut metric = Metric::builder()
        .namespace(&q.namespace)
        .metric_name(&q.metric_name);
    for (name, value) in &q.dimensions {
        metric = metric.dimensions(Dimension::builder().name(name).value(value).build());
    }
    let stat = MetricStat::builder()
        .metric(metric.build())
        .period(q.period_secs)
        .stat(&q.stat)
        .build();
    MetricDataQuery::builder()
        .id(&q.id)
        .metric_stat(stat)
        .set_account_id(q.account_id.clone())
        .return_data(true)
        .build()
}

/// Error codes AWS services use for a missing permission.
const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "UnauthorizedAccess",
];

/// Turn an SDK error into a one-line [`Error`] that names the IAM `action`.
pub fn map_err<E>(
    action: &str,
    err: SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>,
) -> Error
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    match &err {
        SdkError::ServiceError(se) => {
            let e = se.err();
            let code = e.code().unwrap_or("Unknown").to_string();
            if ACCESS_DENIED_CODES.contains(&code.as_str()) {
                return Error::AccessDenied {
                    action: action.to_string(),
                    region: None,
                };
            }
            // The service failed or is unavailable: transient, as the SDK's own classifier
            // treats every 5xx.
            let status = se.raw().status().as_u16();
            if status >= 500 {
                return Error::Unreachable {
                    operation: action.to_string(),
                    region: None,
                    message: format!(
                        "HTTP {status} {code}: {}",
                        e.message().unwrap_or("").replace('\n', " ")
                    ),
                };
            }
            Error::Aws {
                operation: action.to_string(),
                region: None,
                code,
                message: e.message().unwrap_or("").replace('\n', " "),
            }
        }
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            Error::Unreachable {
                operation: action.to_string(),
                region: None,
                message: error_chain(&err),
            }
        }
        _ => Error::Aws {
            operation: action.to_string(),
            region: None,
            code: "ClientError".into(),
            message: error_chain(&err),
        },
    }
}

/// An error and its sources on one line (`a: b: c`), each cause once, without Debug dumps.
pub fn error_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        let text = err
            .to_string()
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ");
        if !text.is_empty() && !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        cur = err.source();
    }
    out
}
