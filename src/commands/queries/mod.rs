//! `logplan queries lint|plan|apply|import|export|cost|usage`: the glue between the command line
//! and the query library modules ([`crate::queries`]), one module per subcommand.

mod cost;
mod deploy;
mod import;
mod lint;
mod usage;

pub(crate) use usage::measured_for_report;

use std::collections::BTreeSet;
use std::path::Path;

use crate::aws::sdk::{ConnectSettings, SdkAccount};
use crate::cli::{ExportArgs, ExportFormat, GlobalArgs, QueriesArgs, QueriesCommand};
use crate::commands::print_stdout;
use crate::config::{Config, Target};
use crate::error::{EXIT_OK, Error, Result};
use crate::progress::Reporter;
use crate::queries::cwli::{self, Severity};
use crate::queries::file::{self, QueryFile};
use crate::queries::preflight;

pub async fn run(global: &GlobalArgs, args: &QueriesArgs, reporter: &Reporter) -> Result<i32> {
    match &args.command {
        QueriesCommand::Lint(a) => lint::run(global, &args.library, a),
        QueriesCommand::Plan(a) => deploy::plan(global, &args.library, a).await,
        QueriesCommand::Apply(a) => deploy::apply(global, &args.library, a, reporter).await,
        QueriesCommand::Import(a) => import::run(global, &args.library, a).await,
        QueriesCommand::Export(a) => export(global, &args.library, a),
        QueriesCommand::Cost(a) => cost::run(global, &args.library, a, reporter).await,
        QueriesCommand::Usage(a) => usage::run(global, a, reporter).await,
    }
}

/// This library's identity from `logplan.toml`: deploying without one could not tell this
/// library's definitions from a neighbour's.
fn library_id(config: &Config, config_path: Option<&Path>) -> Result<String> {
    config.library_id.clone().ok_or_else(|| {
        Error::Usage(format!(
            "{}: no library_id: it marks every definition this library deploys, so libraries sharing an account never touch each other's; `logplan init` writes one (or add library_id = \"lp-<something unique>\")",
            config_path
                .map(|p| p.display().to_string())
                .unwrap_or_else(|| "logplan.toml".into())
        ))
    })
}

fn target<'a>(config: &'a Config, name: &str) -> Result<&'a Target> {
    config.targets.get(name).ok_or_else(|| {
        let known: Vec<&str> = config.targets.keys().map(String::as_str).collect();
        Error::Usage(format!(
            "no target {name:?} in the config ([targets.{name}]); known: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known.join(", ")
            }
        ))
    })
}

/// The target's account and regions.
async fn connect(
    global: &GlobalArgs,
    config: &Config,
    target_name: &str,
) -> Result<(Target, SdkAccount, Vec<String>)> {
    let target = target(config, target_name)?.clone();
    let mut regions = if target.regions.is_empty() {
        global.regions.clone()
    } else {
        target.regions.clone()
    };
    for r in &regions {
        crate::regions::check(r)?;
    }
    let profile = target.profile.clone().or(global.profile.clone());
    let settings = ConnectSettings::new(profile, &config.aws, global.max_attempts);
    let account = SdkAccount::connect(&settings, regions.first().map(String::as_str)).await?;
    if regions.is_empty() {
        regions.push(account.default_region().ok_or_else(|| {
            Error::Usage(format!(
                "target {target_name} has no regions and the AWS chain has no region"
            ))
        })?);
    }
    Ok((target, account, regions))
}

/// The library, or the one-line error that stops a deployment before any call: every file must
/// parse, lint without errors and pass the preflight for this target.
fn library_for_deploy(
    library: &Path,
    prefix: Option<&str>,
    lib: &str,
    target_name: Option<&str>,
) -> Result<Vec<QueryFile>> {
    if !library.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no query library folder",
            library.display()
        )));
    }
    let (files, errors) = file::load_dir(library);
    let stop = |first: String, more: usize| {
        Error::Usage(format!(
            "{first}{}; nothing was deployed (run `logplan queries lint`)",
            if more > 0 {
                format!(" (and {more} more)")
            } else {
                String::new()
            }
        ))
    };
    if let Some(e) = errors.first() {
        return Err(stop(e.to_string(), errors.len() - 1));
    }
    let mut lint_errors = Vec::new();
    for q in &files {
        for d in lint::lint_query(q, &BTreeSet::new()) {
            if d.severity == Severity::Error {
                let (line, col) = match q.query_offset() {
                    Some(off) => cwli::line_col(&q.source_text, d.span.start + off),
                    None => {
                        let (l, c) = cwli::line_col(&q.query, d.span.start);
                        (q.query_line + l - 1, c)
                    }
                };
                lint_errors.push(format!(
                    "{}:{line}:{col}: {} {}",
                    q.path.display(),
                    d.code,
                    d.message
                ));
            }
        }
    }
    if let Some(first) = lint_errors.first() {
        return Err(stop(first.clone(), lint_errors.len() - 1));
    }
    let problems = preflight::check_all(&files, prefix, lib, target_name);
    if let Some(p) = problems.first() {
        return Err(stop(p.to_string(), problems.len() - 1));
    }
    Ok(files)
}

fn export(global: &GlobalArgs, library: &Path, a: &ExportArgs) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let lib = library_id(&config, config_path.as_deref())?;
    let prefix = match &a.target {
        Some(t) => target(&config, t)?.prefix.clone(),
        None => None,
    };
    let files = library_for_deploy(library, prefix.as_deref(), &lib, a.target.as_deref())?;
    let text = match a.format {
        ExportFormat::Terraform => {
            crate::queries::export::terraform(&files, prefix.as_deref(), &lib)
        }
        ExportFormat::Cloudformation => {
            crate::queries::export::cloudformation(&files, prefix.as_deref(), &lib)
        }
    }
    .map_err(Error::Usage)?;
    print_stdout(&text)?;
    Ok(EXIT_OK)
}
