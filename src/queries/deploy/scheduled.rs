//! Planning scheduled queries: the files with a `[scheduled]` table against the scheduled
//! queries in the target's folder, recognised by the marker in their description.

use std::collections::{BTreeMap, BTreeSet};

use super::super::file::QueryFile;
use super::super::identity::parse_scheduled_description;
use super::super::scheduled::{self as sq, content_hash};
use super::{SItem, Scope, diff, target_name};
use crate::aws::insights::ScheduledQuery;
use crate::error::{Error, Result};

/// What a file's `[scheduled]` table deploys (None without one).
pub(crate) fn desired(f: &QueryFile, scope: &Scope<'_>) -> Result<Option<ScheduledQuery>> {
    let Some(resolved) = sq::resolve_file(f).map_err(Error::Usage)? else {
        return Ok(None);
    };
    let name = target_name(scope.prefix, &f.name);
    Ok(Some(sq::desired(
        f,
        &resolved,
        &name,
        scope.lib,
        f.log_groups.clone(),
    )))
}

/// A readable rendering of a scheduled query, for diffs.
pub(crate) fn describe(q: &ScheduledQuery) -> String {
    let mut o = format!(
        "schedule {} in {}, window -{}s..-{}s, {}\n",
        q.schedule_expression,
        q.timezone.as_deref().unwrap_or("UTC"),
        q.start_offset.unwrap_or(0),
        q.end_offset.unwrap_or(0),
        q.state.as_deref().unwrap_or("ENABLED")
    );
    o += &format!("role {}\n", q.execution_role_arn);
    if let Some(d) = &q.destination {
        o += &format!("destination {} as {}\n", d.uri, d.role_arn);
    }
    o += &format!("log groups {}\n", q.log_groups.join(", "));
    o += q.query.trim_end();
    o.push('\n');
    o
}

pub(super) fn plan(
    files: &[QueryFile],
    existing: &[ScheduledQuery],
    scope: &Scope<'_>,
    not_bumped: &mut Vec<String>,
) -> Result<Vec<SItem>> {
    let by_name: BTreeMap<&str, &ScheduledQuery> = existing
        .iter()
        .filter(|q| scope.in_folder(&q.name))
        .map(|q| (q.name.as_str(), q))
        .collect();
    let mut items = Vec::new();
    let mut names = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        let Some(want) = desired(f, scope)? else {
            continue;
        };
        names.insert(want.name.clone());
        let Some(have) = by_name.get(want.name.as_str()) else {
            items.push(SItem::Create {
                name: want.name,
                file: i,
            });
            continue;
        };
        let (_, marker) = parse_scheduled_description(have.description.as_deref().unwrap_or(""));
        let have_hash = content_hash(have);
        let want_hash = content_hash(&want);
        let change = diff(&describe(have), &describe(&want));
        match marker {
            None if have_hash == want_hash => items.push(SItem::Update {
                name: want.name,
                file: i,
                arn: have.arn.clone(),
                from: None,
                diff: change,
            }),
            None => items.push(SItem::Unmanaged {
                name: want.name,
                file: i,
                owner: None,
            }),
            Some(m) if m.lib.as_deref() != Some(scope.lib) => items.push(SItem::Unmanaged {
                name: want.name,
                file: i,
                owner: m.lib,
            }),
            Some(m) if m.hash != have_hash => {
                let drift = diff(&describe(&want), &describe(have));
                items.push(SItem::Drift {
                    name: want.name,
                    arn: have.arn.clone(),
                    file: Some(i),
                    diff: drift,
                })
            }
            Some(m) => {
                let same_version = m.version == f.version.to_string();
                if m.hash == want_hash && same_version && have.description == want.description {
                    items.push(SItem::Unchanged {
                        name: want.name,
                        file: i,
                    });
                } else if same_version && m.hash != want_hash {
                    not_bumped.push(format!("{} (still {})", f.path.display(), f.version));
                } else {
                    items.push(SItem::Update {
                        name: want.name,
                        file: i,
                        arn: have.arn.clone(),
                        from: Some(m.version),
                        diff: change,
                    });
                }
            }
        }
    }
    for (name, q) in &by_name {
        if names.contains(*name) {
            continue;
        }
        let (_, marker) = parse_scheduled_description(q.description.as_deref().unwrap_or(""));
        if let Some(m) = marker
            && m.lib.as_deref() == Some(scope.lib)
        {
            items.push(SItem::Delete {
                name: name.to_string(),
                arn: q.arn.clone(),
                version: Some(m.version),
            });
        }
    }
    Ok(items)
}
