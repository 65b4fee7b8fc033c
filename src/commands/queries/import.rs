//! `logplan queries import`: files for a target's existing definitions and scheduled queries, to
//! adopt them. The files are written as one unit ([`crate::atomic::StagedDir`]): the new files in
//! a hidden sibling folder, the rest of the library carried over, and the two folders exchanged
//! in one `renameat2` call, so an interrupted import leaves the library as it was, never
//! half-imported.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::aws::insights::ScheduledQuery;
use crate::aws::{AccountApi, QueryDefinition};
use crate::cli::{GlobalArgs, ImportArgs};
use crate::commands::print_stdout;
use crate::config::Config;
use crate::error::{EXIT_OK, Error, Result};
use crate::queries::deploy;
use crate::queries::file::{self, Language};
use crate::queries::identity::{self, parse_marker, parse_scheduled_description};

use super::{connect, library_id};

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// Seconds as the shortest whole duration (`3600` -> `1h`).
fn duration(secs: i64) -> String {
    for (unit, n) in [("w", 604_800), ("d", 86_400), ("h", 3_600), ("m", 60)] {
        if secs != 0 && secs % n == 0 {
            return format!("{}{unit}", secs / n);
        }
    }
    format!("{secs}s")
}

fn query_block(body: &str) -> String {
    if body.contains("'''") {
        format!("query = {}\n", toml_string(body))
    } else {
        format!("query = '''\n{body}\n'''\n")
    }
}

fn scheduled_table(q: &ScheduledQuery) -> String {
    let (description, _) = parse_scheduled_description(q.description.as_deref().unwrap_or(""));
    let mut o = String::from("\n[scheduled]\n");
    o += &format!("cron = {}\n", toml_string(&q.schedule_expression));
    if let Some(tz) = &q.timezone {
        o += &format!("timezone = {}\n", toml_string(tz));
    }
    o += &format!(
        "start_offset = {}\n",
        toml_string(&duration(q.start_offset.unwrap_or(0)))
    );
    if let Some(e) = q.end_offset.filter(|e| *e != 0) {
        o += &format!("end_offset = {}\n", toml_string(&duration(e)));
    }
    if let Some(s) = &q.state {
        o += &format!("state = {}\n", toml_string(&s.to_ascii_lowercase()));
    }
    o += &format!("execution_role = {}\n", toml_string(&q.execution_role_arn));
    if let Some(d) = &q.destination {
        o += &format!("destination = {}\n", toml_string(&d.uri));
        o += &format!("destination_role = {}\n", toml_string(&d.role_arn));
    }
    if !description.is_empty() {
        o += &format!("description = {}\n", toml_string(&description));
    }
    o
}

/// A query file for an imported definition and/or scheduled query.
fn import_toml(
    def: Option<&QueryDefinition>,
    scheduled: Option<&ScheduledQuery>,
    console_name: &str,
) -> String {
    let mut o = String::from(
        "# Imported by `logplan queries import`; review the description and add a schedule.\n",
    );
    o += &format!(
        "description = {}\n",
        toml_string(&format!("Imported from {console_name}"))
    );
    let (body, marker) = match (def, scheduled) {
        (Some(d), _) => parse_marker(&d.query),
        (None, Some(s)) => (s.query.clone(), None),
        (None, None) => (String::new(), None),
    };
    let version = marker
        .map(|m| m.version)
        .or_else(|| {
            scheduled
                .and_then(|s| parse_scheduled_description(s.description.as_deref().unwrap_or("")).1)
                .map(|m| m.version)
        })
        .unwrap_or_else(|| "1.0.0".into());
    o += &format!("version = {}\n", toml_string(&version));
    if def.is_none() {
        o += "definition = false             # a scheduled query only\n";
    }
    let (language, groups) = match (def, scheduled) {
        (Some(d), _) => (d.language.as_str(), d.log_groups.clone()),
        (None, Some(s)) => (
            s.language.as_str(),
            s.log_groups
                .iter()
                .map(|g| crate::queries::cost::group_name(g))
                .collect(),
        ),
        (None, None) => ("CWLI", Vec::new()),
    };
    o += &format!(
        "language = {}\n",
        toml_string(Language::from_api(language).as_str())
    );
    let groups: Vec<String> = groups.iter().map(|g| toml_string(g)).collect();
    o += &format!("log_groups = [{}]\n", groups.join(", "));
    o += &query_block(body.trim_end());
    if let Some(d) = def {
        for (name, default, description) in &d.parameters {
            o += "\n[[parameters]]\n";
            o += &format!("name = {}\n", toml_string(name));
            if let Some(v) = default {
                o += &format!("default = {}\n", toml_string(v));
            }
            if let Some(v) = description {
                o += &format!("description = {}\n", toml_string(v));
            }
        }
    }
    if let Some(s) = scheduled {
        o += &scheduled_table(s);
    }
    o
}

/// Write `files` (paths relative to the library) into the library as one unit: the new files in
/// a staged copy of the library, which then replaces it in one step.
fn commit(library: &Path, files: &[(PathBuf, String)]) -> Result<()> {
    let stage = crate::atomic::StagedDir::new(library)?;
    for (rel, text) in files {
        let path = stage.path().join(rel);
        let out = |source| Error::Output {
            path: library.join(rel),
            source,
        };
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(out)?;
        }
        std::fs::write(&path, text).map_err(out)?;
    }
    stage.commit(&[])?;
    Ok(())
}

pub(super) async fn run(global: &GlobalArgs, library: &Path, a: &ImportArgs) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let lib = library_id(&config, config_path.as_deref()).ok();
    let (target, account, regions) = connect(global, &config, &a.target).await?;
    let region = regions.first().cloned().unwrap_or_default();
    let api = account.region(&region);
    let prefix = target.prefix.as_deref();
    let root = deploy::target_name(prefix, "");
    let wanted = |name: &str| {
        let rel = name.strip_prefix(root.as_str()).unwrap_or(name);
        a.prefix
            .as_ref()
            .is_none_or(|p| rel.starts_with(p.as_str()))
    };
    let state = lib.as_deref().map(|l| identity::state_name(prefix, l));
    let defs: Vec<QueryDefinition> = deploy::read_definitions(&api, prefix)
        .await?
        .into_iter()
        .filter(|d| {
            wanted(&d.name)
                && Some(&d.name) != state.as_ref()
                && !d.name.contains("/.logplan/")
                && !d.name.starts_with(".logplan/")
        })
        .collect();
    let scheduled: Vec<ScheduledQuery> = match deploy::read_scheduled(&api, prefix).await {
        Ok(s) => s.into_iter().filter(|s| wanted(&s.name)).collect(),
        Err(Error::AccessDenied { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut by_name: BTreeMap<String, (Option<&QueryDefinition>, Option<&ScheduledQuery>)> =
        BTreeMap::new();
    for d in &defs {
        by_name.entry(d.name.clone()).or_default().0 = Some(d);
    }
    for s in &scheduled {
        by_name.entry(s.name.clone()).or_default().1 = Some(s);
    }
    let mut planned = Vec::new();
    for (full, (def, sq)) in &by_name {
        let name = full.strip_prefix(root.as_str()).unwrap_or(full);
        if let Err(m) = file::check_name(name) {
            return Err(Error::Usage(format!(
                "cannot import {full:?}: {m} (nothing was imported)"
            )));
        }
        let rel = PathBuf::from(format!("{name}.toml"));
        if library.join(&rel).exists() && !a.force {
            return Err(Error::Usage(format!(
                "{} exists; pass --force to overwrite (nothing was imported)",
                library.join(&rel).display()
            )));
        }
        planned.push((rel, import_toml(*def, *sq, full)));
    }
    commit(library, &planned)?;
    for (rel, _) in &planned {
        print_stdout(&format!("imported  {}\n", library.join(rel).display()))?;
    }
    print_stdout(&format!(
        "{} definition(s) imported from {region}\n",
        planned.len()
    ))?;
    Ok(EXIT_OK)
}
