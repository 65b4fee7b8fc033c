//! The command line: global options, subcommands and their arguments, as clap types. Nothing
//! here runs anything: [`crate::app`] parses and dispatches, [`crate::commands`] holds the glue.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Measures what each CloudWatch log group costs where it is, and what it would cost on the
/// other path (Datadog via the Forwarder, Firehose or PrivateLink).
#[derive(Debug, Parser)]
#[command(
    name = "logplan",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every subcommand takes.
#[derive(Debug, Args, Clone)]
pub struct GlobalArgs {
    /// AWS profile from ~/.aws/config (default: the standard credential chain).
    #[arg(long, global = true, env = "AWS_PROFILE", value_name = "NAME")]
    pub profile: Option<String>,
    /// Region to read; repeat for several (default: the config's `regions`, then the standard
    /// chain's region, e.g. AWS_REGION).
    #[arg(long = "region", global = true, value_name = "REGION")]
    pub regions: Vec<String>,
    /// Settings file (default: ./logplan.toml when present).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Concurrent AWS requests, all regions together [default: 8].
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=256))]
    pub concurrency: Option<u16>,
    /// Attempts per AWS request, first one included (standard retry mode, jittered exponential
    /// backoff) [default: 6].
    #[arg(long, global = true, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: Option<u32>,
    /// Print nothing but errors and requested data (no progress, warnings or summary).
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// More detail on stderr: -v for each stage, -vv for each AWS call.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// The main job: model every log group's monthly cost on every path (CloudWatch, Datadog
    /// via Forwarder, Firehose or PrivateLink, hybrid) and write the report to
    /// reports/<YYYY-MM>/ (summary.md, report.html, CSV, Parquet, JSON).
    Report(ReportArgs),
    /// Measure each log group's volume for a month from CloudWatch metrics and write the
    /// snapshot table (reports/<YYYY-MM>/snapshot.parquet and daily.parquet).
    Sample(SampleArgs),
    /// The month's billed costs from Cost Explorer (ce:GetCostAndUsage, $0.01 per request) or a
    /// billing export (--from cur2:|focus:|athena:), mapped to the model's components; cached in
    /// reports/<YYYY-MM>/actuals.json (actuals-export.json for exports).
    ///
    /// Exit 0 success, 1 no data for the month, 2 error (AccessDenied names the IAM action; a
    /// bad export names the file and column).
    Actuals(ActualsArgs),
    /// Print the price book in force: every figure with its unit, status, source and overrides.
    Prices(PricesArgs),
    /// Write a fully commented logplan.toml with every default.
    Init(InitArgs),
    /// The saved-query library in queries/: lint, plan, apply, import, export, cost, usage.
    Queries(QueriesArgs),
    /// Print the least-privilege IAM policy (JSON) for the features you use.
    IamPolicy(IamPolicyArgs),
}

/// Options of `logplan iam-policy`.
#[derive(Debug, Args, Clone)]
pub struct IamPolicyArgs {
    /// Add the query-definition writes of `queries apply`.
    #[arg(long)]
    pub deploy: bool,
    /// Add the bill's reads for `actuals` / `report --actuals`: Cost Explorer, billing exports in
    /// S3, Athena (with what Athena does on the caller's behalf) and log group tags.
    #[arg(long)]
    pub actuals: bool,
    /// Add sts:AssumeRole for the roles of [[accounts]] (the base credentials' policy).
    #[arg(long)]
    pub accounts: bool,
}

/// Options of `logplan queries`.
#[derive(Debug, Args, Clone)]
pub struct QueriesArgs {
    /// The library folder.
    #[arg(long, value_name = "DIR", default_value = "queries", global = true)]
    pub library: PathBuf,
    #[command(subcommand)]
    pub command: QueriesCommand,
}

#[derive(Debug, Subcommand, Clone)]
pub enum QueriesCommand {
    /// Parse and check every query (or the files given; `-` reads one bare query from stdin).
    /// Exit 0 clean, 1 findings, 2 could not run.
    Lint(LintArgs),
    /// Compare the library with a target's query definitions and scheduled queries: creates,
    /// updates (with a diff), deletes (--prune), unchanged, drift, clashes. Exit 0 no changes, 1
    /// changes, drift or clashes, 2 error.
    Plan(DeployArgs),
    /// Check everything as AWS would, then make the target match the library
    /// (Put/DeleteQueryDefinition, Create/Update/DeleteScheduledQuery).
    Apply(ApplyArgs),
    /// Write files for a target's existing definitions and scheduled queries, to adopt them.
    Import(ImportArgs),
    /// Print the library as Terraform or CloudFormation.
    Export(ExportArgs),
    /// Plan each query's Logs Insights scan cost per month from a snapshot, scheduled queries
    /// included.
    Cost(CostArgs),
    /// What Logs Insights queries really scanned (DescribeQueries): bytes per log group, per
    /// query and per user over the last days, in every region and account sampled.
    Usage(UsageArgs),
}

#[derive(Debug, Args, Clone)]
pub struct UsageArgs {
    /// Days back from now to sum (DescribeQueries lists recent queries only).
    #[arg(long, value_name = "N", default_value_t = 7)]
    pub days: u32,
    /// Use the built-in demo account.
    #[arg(long)]
    pub demo: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args, Clone)]
pub struct LintArgs {
    /// Files or folders (default: the library); `-` for one bare query on stdin.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Language of a query read from stdin.
    #[arg(long, value_enum, default_value = "cwli")]
    pub language: LanguageArg,
    /// Print the findings as JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// The old spelling of --json (`--format json`), kept working but not shown.
    #[arg(long, value_enum, default_value = "text", hide = true)]
    pub format: LintFormat,
    /// A snapshot that says which log groups are Infrequent Access (checked against each query).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
}

impl LintArgs {
    /// The output format: JSON with `--json` (or the old `--format json`), else text.
    pub fn output(&self) -> LintFormat {
        if self.json {
            LintFormat::Json
        } else {
            self.format
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LanguageArg {
    Cwli,
    Ppl,
    Sql,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum LintFormat {
    Text,
    Json,
}

#[derive(Debug, Args, Clone)]
pub struct DeployArgs {
    /// A target from [targets.<name>] in logplan.toml.
    #[arg(long, value_name = "NAME")]
    pub target: String,
    /// Also delete managed definitions that are no longer in the library.
    #[arg(long)]
    pub prune: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ApplyArgs {
    #[command(flatten)]
    pub deploy: DeployArgs,
    /// Do not ask for confirmation (required when stdin is not a terminal).
    #[arg(long)]
    pub yes: bool,
    /// Overwrite definitions edited in the console (drift).
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ImportArgs {
    /// A target from [targets.<name>] in logplan.toml.
    #[arg(long, value_name = "NAME")]
    pub target: String,
    /// Only definitions whose name starts with this.
    #[arg(long, value_name = "PREFIX")]
    pub prefix: Option<String>,
    /// Overwrite existing files.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args, Clone)]
pub struct ExportArgs {
    #[arg(long, value_enum)]
    pub format: ExportFormat,
    /// Name definitions under this target's prefix.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ExportFormat {
    Terraform,
    Cloudformation,
}

#[derive(Debug, Args, Clone)]
pub struct CostArgs {
    /// Volumes from this snapshot (Parquet or CSV).
    #[arg(long, value_name = "FILE", conflicts_with = "demo")]
    pub snapshot: Option<PathBuf>,
    /// Volumes from the built-in demo account (its last full month).
    #[arg(long)]
    pub demo: bool,
    /// Print JSON on stdout.
    #[arg(long)]
    pub json: bool,
    /// Also write the per-query table as CSV to this file.
    #[arg(long, alias = "csv", value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// The month to plan, YYYY-MM [default: the snapshot's daily table, else the last full month].
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Also list the scheduled queries of this target's account the library does not manage.
    #[arg(long, value_name = "NAME")]
    pub target: Option<String>,
}

/// Where volumes come from, and for which period (shared by `sample` and `report`).
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Use the built-in synthetic demo account (offline, no AWS needed).
    #[arg(long)]
    pub demo: bool,
    /// Calendar month to measure, YYYY-MM [default: the last full month, UTC].
    #[arg(long, value_name = "YYYY-MM", conflicts_with_all = ["start", "end"])]
    pub month: Option<String>,
    /// First day of a custom period (RFC 3339 date, inclusive); needs --end.
    #[arg(long, value_name = "DATE", requires = "end")]
    pub start: Option<String>,
    /// Day after the last day of a custom period (RFC 3339 date, exclusive); needs --start.
    #[arg(long, value_name = "DATE", requires = "start")]
    pub end: Option<String>,
    /// Only log groups whose name starts with this prefix; repeatable.
    #[arg(long = "prefix", value_name = "PREFIX")]
    pub prefixes: Vec<String>,
    /// Leave out log groups whose name matches this glob (`*`, `?`, `[...]`); repeatable.
    #[arg(long = "exclude", value_name = "GLOB")]
    pub excludes: Vec<String>,
    /// Sample up to this many bytes of recent events per group (FilterLogEvents) to measure
    /// average event size and gzip ratio; only the numbers are kept [default: off].
    #[arg(long, value_name = "BYTES", value_parser = clap::value_parser!(u64).range(1..))]
    pub sample_events: Option<u64>,
    /// Skip the forwarding scan (ListMetrics, DescribeAccountPolicies, DescribeSubscriptionFilters):
    /// forwarding is then unknown for every group.
    #[arg(long, conflicts_with = "full_forwarding_scan")]
    pub no_forwarding_scan: bool,
    /// Ask DescribeSubscriptionFilters for every group (5 a second), not only for the groups
    /// ListMetrics shows forwarding: also finds filters silent for two weeks.
    #[arg(long)]
    pub full_forwarding_scan: bool,
}

/// Options of `logplan sample`.
#[derive(Debug, Args, Clone)]
pub struct SampleArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Table format [default: parquet, or the --out file's extension].
    #[arg(long, value_enum)]
    pub format: Option<TableFormat>,
    /// Snapshot file to write; daily.<ext> goes beside it [default:
    /// <reports-dir>/<YYYY-MM>/snapshot.<ext>].
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Root folder for reports.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub reports_dir: PathBuf,
    /// Print the run summary as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// `--format` of the snapshot tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum TableFormat {
    Parquet,
    Csv,
}

impl From<TableFormat> for crate::snapshot::Format {
    fn from(f: TableFormat) -> Self {
        match f {
            TableFormat::Parquet => crate::snapshot::Format::Parquet,
            TableFormat::Csv => crate::snapshot::Format::Csv,
        }
    }
}

/// Options of `logplan report`.
#[derive(Debug, Args, Clone)]
pub struct ReportArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Model this snapshot (Parquet, or CSV with at least account_id, region, log_group,
    /// incoming_bytes, incoming_events) instead of sampling.
    #[arg(long, value_name = "FILE", conflicts_with_all = ["demo", "prefixes", "excludes", "sample_events", "no_forwarding_scan", "full_forwarding_scan", "start", "end"])]
    pub snapshot: Option<PathBuf>,
    /// Accept a snapshot with no log groups (header only), writing a zero-cost report; without
    /// it such a snapshot is refused, so it never replaces a good report.
    #[arg(long)]
    pub allow_empty: bool,
    /// Do not apply the AWS free tiers (same as `free_tier = false` under [scenario]).
    #[arg(long)]
    pub no_free_tier: bool,
    /// Report folder [default: <reports-dir>/<YYYY-MM>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Root folder for reports (month-over-month reads the previous month there).
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub reports_dir: PathBuf,
    /// Print the totals as JSON on stdout instead of the console table.
    #[arg(long)]
    pub json: bool,
    /// The query library whose plan prices Insights scans for the groups its queries read (the
    /// folder `logplan queries --library` lints and deploys); used when it exists.
    #[arg(long, value_name = "DIR", default_value = "queries")]
    pub library: PathBuf,
    /// Reconcile the model with the bill: Cost Explorer GetCostAndUsage for the month ($0.01 per
    /// request), or the billing export given by --from; cached in the report folder
    /// (actuals.json, actuals-export.json), so a rerun does not pay again.
    #[arg(long, conflicts_with = "demo")]
    pub actuals: bool,
    /// With --actuals: read the bill again even when the report folder's cache answers.
    #[arg(long)]
    pub refresh: bool,
    /// Where the actuals come from: ce (Cost Explorer, the default), cur2:<path|s3://bucket/prefix>
    /// (CUR 2.0 / Data Exports), focus:<path|s3://...> (FOCUS 1.2) or athena:<database>.<table>
    /// [default: [actuals] from in logplan.toml, else ce].
    #[arg(long, value_name = "SOURCE", requires = "actuals")]
    pub from: Option<String>,
    /// Reconcile the Datadog components too, from a CSV export of Datadog's estimated usage
    /// (columns timestamp, metric, value; see the README), or `api`: Datadog's usage metering
    /// API with DD_API_KEY, DD_APP_KEY and DD_SITE, whose measured indexed share, retention and
    /// Flex then drive the Datadog lines (a file named api: ./api).
    #[arg(long, value_name = "FILE|api", conflicts_with = "demo")]
    pub datadog_usage: Option<PathBuf>,
}

/// Options of `logplan actuals`.
#[derive(Debug, Args, Clone)]
pub struct ActualsArgs {
    /// Calendar month, YYYY-MM [default: the last full month, UTC].
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    /// Where the actuals come from: ce (Cost Explorer, the default), cur2:<path|s3://bucket/prefix>
    /// (CUR 2.0 / Data Exports), focus:<path|s3://...> (FOCUS 1.2) or athena:<database>.<table>
    /// [default: [actuals] from in logplan.toml, else ce].
    #[arg(long, value_name = "SOURCE")]
    pub from: Option<String>,
    /// Read the source again even when the month's cache (actuals.json, actuals-export.json)
    /// answers it.
    #[arg(long)]
    pub refresh: bool,
    /// Report folder that holds the cache, actuals.json [default: <reports-dir>/<YYYY-MM>].
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Root folder for reports.
    #[arg(long, value_name = "DIR", default_value = "reports")]
    pub reports_dir: PathBuf,
    /// Print the actuals as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Options of `logplan prices`.
#[derive(Debug, Args, Clone)]
pub struct PricesArgs {
    /// Print the book as JSON. (Use the global --region to show only some regions.)
    #[arg(long)]
    pub json: bool,
}

/// Options of `logplan init`.
#[derive(Debug, Args, Clone)]
pub struct InitArgs {
    /// Where to write it.
    #[arg(
        long,
        alias = "path",
        value_name = "FILE",
        default_value = "logplan.toml"
    )]
    pub out: PathBuf,
    /// Overwrite an existing file.
    #[arg(long)]
    pub force: bool,
}
