//! `logplan queries plan` and `apply`: the library against a target, region by region; apply
//! plans every region and runs the preflight before its first call.

use std::io::IsTerminal;
use std::path::Path;

use crate::aws::AccountApi;
use crate::aws::sdk::SdkRegion;
use crate::cli::{ApplyArgs, DeployArgs, GlobalArgs};
use crate::commands::print_stdout;
use crate::config::Config;
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::progress::Reporter;
use crate::queries::deploy::{self, Item, Plan, SItem, Scope};
use crate::queries::file::QueryFile;

use super::{connect, library_for_deploy, library_id};

/// The target's plan in one region. Listing scheduled queries needs
/// `logs:ListScheduledQueries`; a library without `[scheduled]` tables goes on without it.
async fn plan_region(
    api: &SdkRegion,
    files: &[QueryFile],
    scope: Scope<'_>,
    reporter: Option<&Reporter>,
) -> Result<Plan> {
    let defs = deploy::read_definitions(api, scope.prefix).await?;
    let wants_scheduled = files.iter().any(|f| f.scheduled.is_some());
    let scheduled = match deploy::read_scheduled(api, scope.prefix).await {
        Ok(s) => s,
        Err(Error::AccessDenied { .. }) if !wants_scheduled => {
            if let Some(r) = reporter {
                r.warn("scheduled queries not read (AccessDenied on logs:ListScheduledQueries): this library has none; any it deployed before are not pruned");
            }
            Vec::new()
        }
        Err(e) => return Err(e),
    };
    deploy::plan(files, &defs, &scheduled, scope)
}

fn refuse_duplicates(plan: &Plan, region: &str) -> Result<()> {
    if let Some((name, ids)) = plan.duplicates().first() {
        return Err(Error::Usage(format!(
            "{} definitions in {region} are named {name:?} (ids {}): logplan cannot tell which one is meant; delete all but one (nothing was applied)",
            ids.len(),
            ids.join(", ")
        )));
    }
    Ok(())
}

pub(super) async fn plan(global: &GlobalArgs, library: &Path, a: &DeployArgs) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let prefix = super::target(&config, &a.target)?.prefix.clone();
    let lib = library_id(&config, config_path.as_deref())?;
    let files = library_for_deploy(library, prefix.as_deref(), &lib, Some(&a.target))?;
    let (_, account, regions) = connect(global, &config, &a.target).await?;
    let scope = Scope {
        lib: &lib,
        prefix: prefix.as_deref(),
        prune: a.prune,
    };
    let mut code = EXIT_OK;
    let mut out = String::new();
    for region in &regions {
        let api = account.region(region);
        let p = plan_region(&api, &files, scope, None).await?;
        out += &format!("{} in {region}:\n{}", a.target, deploy::render(&p, &files));
        if p.changes() > 0 || p.drift() > 0 || p.unmanaged() > 0 || !p.duplicates().is_empty() {
            code = EXIT_FINDINGS;
        }
    }
    print_stdout(&out)?;
    Ok(code)
}

/// `--force`: drifted definitions and scheduled queries are overwritten with the library's.
fn force_drift(p: &mut Plan) {
    for item in &mut p.items {
        if let Item::Drift {
            name,
            id,
            file: Some(f),
            diff,
        } = item.clone()
        {
            *item = Item::Update {
                name,
                file: f,
                id,
                from: None,
                diff,
            };
        }
    }
    for item in &mut p.scheduled {
        if let SItem::Drift {
            name,
            arn,
            file: Some(f),
            diff,
        } = item.clone()
        {
            *item = SItem::Update {
                name,
                file: f,
                arn,
                from: None,
                diff,
            };
        }
    }
}

pub(super) async fn apply(
    global: &GlobalArgs,
    library: &Path,
    a: &ApplyArgs,
    reporter: &Reporter,
) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let prefix = super::target(&config, &a.deploy.target)?.prefix.clone();
    let lib = library_id(&config, config_path.as_deref())?;
    // Preflight: everything AWS would refuse is refused here, before any call.
    let files = library_for_deploy(library, prefix.as_deref(), &lib, Some(&a.deploy.target))?;
    let (_, account, regions) = connect(global, &config, &a.deploy.target).await?;
    let scope = Scope {
        lib: &lib,
        prefix: prefix.as_deref(),
        prune: a.deploy.prune,
    };
    // Plan every region first: refuse before changing anything.
    let mut plans = Vec::new();
    for region in &regions {
        let api = account.region(region);
        let mut p = plan_region(&api, &files, scope, Some(reporter)).await?;
        refuse_duplicates(&p, region)?;
        if p.drift() > 0 && !a.force {
            return Err(Error::Usage(format!(
                "{} definition(s) in {region} were edited in the console since logplan deployed them (see `logplan queries plan`); pass --force to overwrite, or import them",
                p.drift()
            )));
        }
        if a.force {
            force_drift(&mut p);
        }
        plans.push((region.clone(), api, p));
    }
    let total: usize = plans.iter().map(|(_, _, p)| p.changes()).sum();
    let mut out = String::new();
    for (region, _, p) in &plans {
        out += &format!(
            "{} in {region}:\n{}",
            a.deploy.target,
            deploy::render(p, &files)
        );
    }
    print_stdout(&out)?;
    let unmanaged = plans.iter().any(|(_, _, p)| p.unmanaged() > 0);
    if total == 0 {
        print_stdout("Nothing to apply.\n")?;
        return Ok(if unmanaged { EXIT_FINDINGS } else { EXIT_OK });
    }
    if !a.yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::Usage(
                "apply changes definitions: pass --yes (stdin is not a terminal to confirm)".into(),
            ));
        }
        eprint!("Apply {total} change(s)? [y/N] ");
        let mut answer = String::new();
        let _ = std::io::stdin().read_line(&mut answer);
        if !matches!(answer.trim(), "y" | "Y" | "yes") {
            reporter.info("Nothing applied.");
            return Ok(EXIT_FINDINGS);
        }
    }
    for (region, api, p) in &plans {
        let applied = deploy::apply(api, p, &files, scope).await;
        for d in &applied.done {
            print_stdout(&format!("applied   {d} ({region})\n"))?;
        }
        if let Some((what, e)) = applied.failed {
            let mut msg = format!(
                "{what} failed in {region}: {e}; applied: {}",
                applied.done.len()
            );
            if !applied.not_done.is_empty() {
                msg += &format!("; not applied: {}", applied.not_done.join(", "));
            }
            msg += "; rerun `logplan queries apply` to finish";
            return Err(Error::Aws {
                operation: "logs:PutQueryDefinition".into(),
                region: Some(region.clone()),
                code: "ApplyStopped".into(),
                message: msg,
            });
        }
    }
    Ok(if unmanaged { EXIT_FINDINGS } else { EXIT_OK })
}
