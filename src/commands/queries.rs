//! `logplan queries lint|plan|apply|import|export|cost`: the glue between the command line and
//! the query library modules.

use std::collections::BTreeSet;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::aws::AccountApi;
use crate::aws::sdk::{ConnectSettings, SdkAccount};
use crate::cli::{
    ApplyArgs, CostArgs, DeployArgs, ExportArgs, ExportFormat, GlobalArgs, ImportArgs, LanguageArg,
    LintArgs, LintFormat, QueriesArgs, QueriesCommand, print_stdout,
};
use crate::config::{Config, Target};
use crate::error::{EXIT_FINDINGS, EXIT_OK, Error, Result};
use crate::progress::Reporter;
use crate::queries::cwli::{self, Diagnostic, Severity};
use crate::queries::deploy::{self, Item};
use crate::queries::file::{self, FileError, Language, QueryFile};

pub async fn run(global: &GlobalArgs, args: &QueriesArgs, reporter: &Reporter) -> Result<i32> {
    match &args.command {
        QueriesCommand::Lint(a) => lint(global, &args.library, a),
        QueriesCommand::Plan(a) => plan(global, &args.library, a).await,
        QueriesCommand::Apply(a) => apply(global, &args.library, a, reporter).await,
        QueriesCommand::Import(a) => import(global, &args.library, a).await,
        QueriesCommand::Export(a) => export(global, &args.library, a),
        QueriesCommand::Cost(a) => cost(global, &args.library, a, reporter).await,
    }
}

/// A finding with its place in a file.
#[derive(Debug, Serialize)]
struct Finding {
    path: String,
    line: usize,
    column: usize,
    end_line: usize,
    end_column: usize,
    code: String,
    severity: &'static str,
    message: String,
    help: Option<String>,
    #[serde(skip)]
    rendered: String,
}

fn from_file_error(e: &FileError) -> Finding {
    Finding {
        path: e.path.display().to_string(),
        line: e.line.unwrap_or(1),
        column: e.column.unwrap_or(1),
        end_line: e.line.unwrap_or(1),
        end_column: e.column.unwrap_or(1),
        code: e.code.to_string(),
        severity: "error",
        message: e.message.clone(),
        help: None,
        rendered: e.to_string(),
    }
}

/// Diagnostics of one query, positioned in `text` (the file, or the bare query), the query
/// starting at byte `offset` of it.
fn findings(path: &str, text: &str, offset: usize, diags: Vec<Diagnostic>) -> Vec<Finding> {
    diags
        .into_iter()
        .map(|mut d| {
            d.span = d.span.start + offset..d.span.end + offset;
            let (line, column) = cwli::line_col(text, d.span.start);
            let (end_line, end_column) = cwli::line_col(text, d.span.end);
            Finding {
                path: path.to_string(),
                line,
                column,
                end_line,
                end_column,
                code: d.code.to_string(),
                severity: match d.severity {
                    Severity::Error => "error",
                    Severity::Warning => "warning",
                },
                message: d.message.clone(),
                help: d.help.clone(),
                rendered: cwli::render(path, text, &d),
            }
        })
        .collect()
}

/// Lint one query file's query: the language's checks plus the rules that tie it to its log
/// groups (IA classes, SQL naming groups in the text).
fn lint_query(q: &QueryFile, ia_groups: &BTreeSet<String>) -> Vec<Diagnostic> {
    let reads_ia = q.log_groups.iter().any(|g| ia_groups.contains(g));
    let whole = 0..q.query.len();
    let mut out = match q.language {
        Language::Cwli => cwli::lint(&q.query, reads_ia),
        Language::Ppl => cwli::lint_ppl(&q.query),
        Language::Sql => cwli::lint_sql(&q.query),
    };
    let error = |code: &'static str, message: String| Diagnostic {
        code,
        severity: Severity::Error,
        message,
        span: whole.clone(),
        help: None,
    };
    match q.language {
        Language::Ppl | Language::Sql if reads_ia => out.push(error(
            "LQ106",
            format!(
                "{} queries run only on Standard log groups; this one reads an Infrequent Access group",
                q.language.api()
            ),
        )),
        _ => {}
    }
    if q.language == Language::Sql && !q.log_groups.is_empty() {
        out.push(error(
            "LQ107",
            "SQL queries name their log groups in the query text; leave `log_groups` empty".into(),
        ));
    }
    if q.language == Language::Cwli && q.log_groups.is_empty() {
        let parsed = cwli::parse(&q.query);
        if parsed.query.source_log_groups().is_empty() {
            out.push(error(
                "LQ108",
                "no log groups: list them in `log_groups` or start the query with SOURCE".into(),
            ));
        }
    }
    out
}

fn ia_groups(snapshot: Option<&Path>) -> Result<BTreeSet<String>> {
    Ok(match snapshot {
        Some(p) => crate::snapshot::read(p)?
            .into_iter()
            .filter(|g| g.log_group_class.as_deref() == Some("INFREQUENT_ACCESS"))
            .map(|g| g.log_group)
            .collect(),
        None => BTreeSet::new(),
    })
}

fn lint(_global: &GlobalArgs, library: &Path, a: &LintArgs) -> Result<i32> {
    let ia = ia_groups(a.snapshot.as_deref())?;
    let mut all: Vec<Finding> = Vec::new();
    let mut checked = 0usize;
    if a.paths.len() == 1 && a.paths[0] == Path::new("-") {
        let mut text = String::new();
        std::io::stdin()
            .read_to_string(&mut text)
            .map_err(|e| Error::Usage(format!("cannot read the query from stdin: {e}")))?;
        let diags = match a.language {
            LanguageArg::Cwli => cwli::lint(&text, false),
            LanguageArg::Ppl => cwli::lint_ppl(&text),
            LanguageArg::Sql => cwli::lint_sql(&text),
        };
        all.extend(findings("-", &text, 0, diags));
        checked = 1;
    } else {
        let roots: Vec<PathBuf> = if a.paths.is_empty() {
            vec![library.to_path_buf()]
        } else {
            a.paths.clone()
        };
        for root in roots {
            if !root.exists() {
                return Err(Error::Usage(format!(
                    "{}: no such file or folder",
                    root.display()
                )));
            }
            let (files, errors) = if root.is_dir() {
                file::load_dir(&root)
            } else {
                let name = console_name(library, &root);
                match std::fs::read_to_string(&root) {
                    Ok(text) => match file::parse(&root, &name, &text) {
                        Ok(f) => (vec![f], vec![]),
                        Err(e) => (vec![], vec![e]),
                    },
                    Err(e) => {
                        return Err(Error::Input {
                            path: root.clone(),
                            message: format!("cannot read: {e}"),
                        });
                    }
                }
            };
            checked += files.len() + errors.len();
            all.extend(errors.iter().map(from_file_error));
            for q in &files {
                let text = std::fs::read_to_string(&q.path).unwrap_or_default();
                // Where the query text sits in the file, so positions are the file's.
                let offset = text.find(q.query.as_str()).unwrap_or(0);
                let shown = if text.contains(q.query.as_str()) {
                    text.as_str()
                } else {
                    q.query.as_str()
                };
                all.extend(findings(
                    &q.path.display().to_string(),
                    shown,
                    if shown == q.query { 0 } else { offset },
                    lint_query(q, &ia),
                ));
            }
        }
    }
    let errors = all.iter().filter(|f| f.severity == "error").count();
    let warnings = all.len() - errors;
    match a.format {
        LintFormat::Json => {
            let text =
                serde_json::to_string_pretty(&all).map_err(|e| Error::Internal(e.to_string()))?;
            print_stdout(&(text + "\n"))?;
        }
        LintFormat::Text => {
            let mut out = String::new();
            for f in &all {
                out += &f.rendered;
                if !f.rendered.ends_with('\n') {
                    out.push('\n');
                }
            }
            out += &format!("{checked} queries checked: {errors} errors, {warnings} warnings\n");
            print_stdout(&out)?;
        }
    }
    Ok(if all.is_empty() {
        EXIT_OK
    } else {
        EXIT_FINDINGS
    })
}

/// The console name of a file: its path under the library without `.toml`.
fn console_name(library: &Path, path: &Path) -> String {
    let rel = path.strip_prefix(library).unwrap_or(path);
    rel.with_extension("")
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The library, or an error that stops a deployment: every file must parse and lint clean.
fn library_for_deploy(library: &Path) -> Result<Vec<QueryFile>> {
    if !library.is_dir() {
        return Err(Error::Usage(format!(
            "{}: no query library folder",
            library.display()
        )));
    }
    let (files, errors) = file::load_dir(library);
    if let Some(e) = errors.first() {
        return Err(Error::Input {
            path: e.path.clone(),
            message: format!(
                "{}{} (and {} more); nothing was deployed",
                e.line.map(|l| format!("line {l}: ")).unwrap_or_default(),
                e.message,
                errors.len() - 1
            ),
        });
    }
    for q in &files {
        let bad: Vec<Diagnostic> = lint_query(q, &BTreeSet::new())
            .into_iter()
            .filter(|d| d.severity == Severity::Error)
            .collect();
        if let Some(d) = bad.first() {
            let text = std::fs::read_to_string(&q.path).unwrap_or_default();
            let offset = text.find(q.query.as_str()).unwrap_or(0);
            let (line, col) = cwli::line_col(&text, d.span.start + offset);
            return Err(Error::Input {
                path: q.path.clone(),
                message: format!(
                    "line {line}, column {col}: {} {}; run `logplan queries lint`; nothing was deployed",
                    d.code, d.message
                ),
            });
        }
    }
    Ok(files)
}

async fn connect(
    global: &GlobalArgs,
    config: &Config,
    target_name: &str,
) -> Result<(Target, SdkAccount, Vec<String>)> {
    let target = config.targets.get(target_name).cloned().ok_or_else(|| {
        let known: Vec<&String> = config.targets.keys().collect();
        Error::Usage(format!(
            "no target {target_name:?} in the config ([targets.{target_name}]); known: {}",
            if known.is_empty() {
                "none".to_string()
            } else {
                known
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            }
        ))
    })?;
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

async fn plan(global: &GlobalArgs, library: &Path, a: &DeployArgs) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let files = library_for_deploy(library)?;
    let (target, account, regions) = connect(global, &config, &a.target).await?;
    let mut code = EXIT_OK;
    let mut out = String::new();
    for region in &regions {
        let api = account.region(region);
        let defs = deploy::read_account(&api, target.prefix.as_deref()).await?;
        let p = deploy::plan(&files, &defs, target.prefix.as_deref(), a.prune)?;
        out += &format!("{} in {region}:\n{}", a.target, p.render(&files));
        if p.changes() > 0 || p.drift() > 0 || p.unmanaged() > 0 {
            code = EXIT_FINDINGS;
        }
    }
    print_stdout(&out)?;
    Ok(code)
}

async fn apply(
    global: &GlobalArgs,
    library: &Path,
    a: &ApplyArgs,
    reporter: &Reporter,
) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let files = library_for_deploy(library)?;
    let (target, account, regions) = connect(global, &config, &a.deploy.target).await?;
    // Plan every region first: refuse before changing anything.
    let mut plans = Vec::new();
    for region in &regions {
        let api = account.region(region);
        let defs = deploy::read_account(&api, target.prefix.as_deref()).await?;
        let mut p = deploy::plan(&files, &defs, target.prefix.as_deref(), a.deploy.prune)?;
        if p.drift() > 0 && !a.force {
            return Err(Error::Usage(format!(
                "{} definition(s) in {region} were edited in the console since logplan deployed them (see `logplan queries plan`); pass --force to overwrite, or import them",
                p.drift()
            )));
        }
        if a.force {
            // Overwrite drifted definitions with the library's version.
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
        }
        plans.push((region.clone(), api, p));
    }
    let total: usize = plans.iter().map(|(_, _, p)| p.changes()).sum();
    let mut out = String::new();
    for (region, _, p) in &plans {
        out += &format!("{} in {region}:\n{}", a.deploy.target, p.render(&files));
    }
    print_stdout(&out)?;
    if total == 0 {
        print_stdout("Nothing to apply.\n")?;
        return Ok(if plans.iter().any(|(_, _, p)| p.unmanaged() > 0) {
            EXIT_FINDINGS
        } else {
            EXIT_OK
        });
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
        let applied = deploy::apply(api, p, &files).await;
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
    Ok(if plans.iter().any(|(_, _, p)| p.unmanaged() > 0) {
        EXIT_FINDINGS
    } else {
        EXIT_OK
    })
}

/// A query file's TOML for an imported definition.
fn import_toml(def: &crate::aws::QueryDefinition, body: &str, version: &str) -> String {
    let mut o = String::from(
        "# Imported by `logplan queries import`; review the description and add a schedule.\n",
    );
    o += &format!(
        "description = {}\n",
        toml_string(&format!("Imported from {}", def.name))
    );
    o += &format!("version = {}\n", toml_string(version));
    o += &format!(
        "language = {}\n",
        toml_string(Language::from_api(&def.language).as_str())
    );
    let groups: Vec<String> = def.log_groups.iter().map(|g| toml_string(g)).collect();
    o += &format!("log_groups = [{}]\n", groups.join(", "));
    if body.contains("'''") {
        o += &format!("query = {}\n", toml_string(body));
    } else {
        o += &format!("query = '''\n{body}\n'''\n");
    }
    for (name, default, description) in &def.parameters {
        o += "\n[[parameters]]\n";
        o += &format!("name = {}\n", toml_string(name));
        if let Some(d) = default {
            o += &format!("default = {}\n", toml_string(d));
        }
        if let Some(d) = description {
            o += &format!("description = {}\n", toml_string(d));
        }
    }
    o
}

fn toml_string(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

async fn import(global: &GlobalArgs, library: &Path, a: &ImportArgs) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let (target, account, regions) = connect(global, &config, &a.target).await?;
    let region = regions.first().cloned().unwrap_or_default();
    let api = account.region(&region);
    let root_prefix = target
        .prefix
        .as_deref()
        .map(|p| format!("{}/", p.trim_matches('/')));
    let search = match (&root_prefix, &a.prefix) {
        (Some(r), Some(p)) => Some(format!("{r}{p}")),
        (Some(r), None) => Some(r.clone()),
        (None, p) => p.clone(),
    };
    let defs = deploy::read_account(&api, search.as_deref()).await?;
    let mut planned = Vec::new();
    for def in &defs {
        let name = match &root_prefix {
            Some(r) => def
                .name
                .strip_prefix(r.as_str())
                .unwrap_or(&def.name)
                .to_string(),
            None => def.name.clone(),
        };
        if let Err(m) = file::check_name(&name) {
            return Err(Error::Usage(format!("cannot import {:?}: {m}", def.name)));
        }
        let (body, marker) = deploy::parse_marker(&def.query);
        let version = marker.map(|m| m.version).unwrap_or_else(|| "1.0.0".into());
        let path = library.join(format!("{name}.toml"));
        if path.exists() && !a.force {
            return Err(Error::Usage(format!(
                "{} exists; pass --force to overwrite (nothing was imported)",
                path.display()
            )));
        }
        planned.push((path, import_toml(def, body.trim_end(), &version)));
    }
    // Write them all, each atomically.
    for (path, text) in &planned {
        super::write_atomic(path, text.as_bytes())?;
        print_stdout(&format!("imported  {}\n", path.display()))?;
    }
    print_stdout(&format!(
        "{} definition(s) imported from {region}\n",
        planned.len()
    ))?;
    Ok(EXIT_OK)
}

fn export(global: &GlobalArgs, library: &Path, a: &ExportArgs) -> Result<i32> {
    let (config, _) = Config::discover(global.config.as_deref())?;
    let files = library_for_deploy(library)?;
    let prefix = match &a.target {
        Some(t) => config
            .targets
            .get(t)
            .ok_or_else(|| Error::Usage(format!("no target {t:?} in the config")))?
            .prefix
            .clone(),
        None => None,
    };
    let text = match a.format {
        ExportFormat::Terraform => crate::queries::export::terraform(&files, prefix.as_deref()),
        ExportFormat::Cloudformation => {
            crate::queries::export::cloudformation(&files, prefix.as_deref())
        }
    };
    print_stdout(&text)?;
    Ok(EXIT_OK)
}

async fn cost(
    global: &GlobalArgs,
    library: &Path,
    a: &CostArgs,
    reporter: &Reporter,
) -> Result<i32> {
    let (config, config_path) = Config::discover(global.config.as_deref())?;
    let book = crate::pricing::PriceBook::in_force(&config, config_path.as_deref())?;
    let files = library_for_deploy(library)?;
    let (groups, days) = match (&a.snapshot, a.demo) {
        (Some(p), _) => (
            crate::snapshot::read(p)?,
            crate::queries::schedule::DAYS_PER_MONTH,
        ),
        (None, true) => {
            let period = crate::period::Period::last_full_month(chrono::Utc::now());
            let source = crate::cli::SourceArgs {
                demo: true,
                month: Some(period.label()),
                start: None,
                end: None,
                prefixes: vec![],
                excludes: vec![],
                sample_events: None,
                no_forwarding_scan: false,
                full_forwarding_scan: false,
            };
            let (c, _) =
                crate::commands::sample::measure(global, &source, &config, period, reporter)
                    .await?;
            (
                c.rows
                    .iter()
                    .map(crate::snapshot::GroupInput::from)
                    .collect(),
                period.days() as f64,
            )
        }
        (None, false) => {
            return Err(Error::Usage(
                "give --snapshot FILE or --demo for the volumes to plan against".into(),
            ));
        }
    };
    let plan = crate::queries::cost::plan(&files, &groups, &book, days)?;
    if let Some(path) = &a.csv {
        let mut csv =
            String::from("query,runs_per_month,window,gib_per_run,gib_per_month,usd_per_month\n");
        for q in &plan.queries {
            csv += &format!(
                "{},{:.2},{},{:.6},{:.6},{}\n",
                crate::report::tables::csv_field(&q.name),
                q.runs_per_month,
                q.window,
                q.gib_per_run,
                q.gib_per_month,
                q.usd_per_month.to_decimal(6)
            );
        }
        super::write_atomic(path, csv.as_bytes())?;
    }
    if a.json {
        let text =
            serde_json::to_string_pretty(&plan).map_err(|e| Error::Internal(e.to_string()))?;
        print_stdout(&(text + "\n"))?;
        return Ok(EXIT_OK);
    }
    let mut out = format!(
        "{:<48} {:>10} {:>7} {:>12} {:>14} {:>12}\n",
        "query", "runs/month", "window", "GiB/run", "GiB/month", "USD/month"
    );
    let mut sorted: Vec<_> = plan.queries.iter().collect();
    sorted.sort_by(|a, b| {
        b.usd_per_month
            .cmp(&a.usd_per_month)
            .then(a.name.cmp(&b.name))
    });
    for q in sorted {
        if q.unscheduled {
            out += &format!("{:<48} {:>10}\n", q.name, "no schedule");
            continue;
        }
        out += &format!(
            "{:<48} {:>10.0} {:>7} {:>12.2} {:>14.1} {:>12}\n",
            q.name,
            q.runs_per_month,
            q.window,
            q.gib_per_run,
            q.gib_per_month,
            q.usd_per_month.to_string()
        );
        if !q.unknown_log_groups.is_empty() {
            out += &format!(
                "    not in the snapshot (scanned as zero): {}\n",
                q.unknown_log_groups.join(", ")
            );
        }
    }
    out += &format!(
        "Total Insights scanning planned: {} a month\n",
        plan.total_usd
    );
    print_stdout(&out)?;
    Ok(EXIT_OK)
}
