//! Planning saved query definitions: which library files create, update, stay, drift or clash,
//! which of this library's definitions would be pruned, and what the PPL state proves.

use std::collections::{BTreeMap, BTreeSet};

use super::super::file::{Language, QueryFile};
use super::super::identity::{self, PplEntry, PplState, content_hash, parse_marker};
use super::{Item, Plan, Scope, StatePlan, diff, scheduled, target_name};
use crate::aws::QueryDefinition;
use crate::aws::insights::ScheduledQuery;
use crate::error::{Error, Result};

/// The definition a file deploys to: its name and text.
pub(crate) fn desired_text(f: &QueryFile, scope: &Scope<'_>) -> (String, String) {
    let name = target_name(scope.prefix, &f.name);
    let text = identity::deployed_text(
        f.language,
        &f.query,
        &f.log_groups,
        scope.lib,
        &name,
        &f.version.to_string(),
    );
    (name, text)
}

fn params_of(f: &QueryFile) -> Vec<(String, Option<String>, Option<String>)> {
    f.parameters
        .iter()
        .map(|p| (p.name.clone(), p.default.clone(), p.description.clone()))
        .collect()
}

fn params_match(def: &QueryDefinition, f: &QueryFile) -> bool {
    // Endpoints that do not return parameters (older APIs) cannot disagree.
    def.parameters.is_empty() || def.parameters == params_of(f)
}

fn same_fields(def: &QueryDefinition, f: &QueryFile) -> bool {
    def.log_groups.iter().collect::<BTreeSet<_>>() == f.log_groups.iter().collect()
        && Language::from_api(&def.language) == f.language
        && params_match(def, f)
}

/// The hash of a definition as the account holds it (PPL: no marker, the whole text).
fn account_hash(def: &QueryDefinition) -> String {
    content_hash(
        Language::from_api(&def.language),
        &def.log_groups,
        &parse_marker(&def.query).0,
    )
}

/// What the PPL state in the account proves: verified entries, and which definition ids are
/// this library's PPL definitions (with whether each still hashes to what was deployed).
struct Proof {
    state: StatePlan,
    /// id -> (entry, unchanged since logplan deployed it)
    ours: BTreeMap<String, (PplEntry, bool)>,
}

fn prove(defs: &[QueryDefinition], scope: &Scope<'_>, notes: &mut Vec<String>) -> Proof {
    let state_name = identity::state_name(scope.prefix, scope.lib);
    let holders: Vec<&QueryDefinition> = defs.iter().filter(|d| d.name == state_name).collect();
    let mut plan = StatePlan::default();
    let mut ours = BTreeMap::new();
    let decoded = match holders.as_slice() {
        [] => PplState::default(),
        [one] => {
            plan.id = one.id.clone();
            match PplState::decode(&one.query, scope.lib) {
                Ok(s) => s,
                Err(m) => {
                    notes.push(format!(
                        "the PPL state {state_name} does not verify ({m}): no PPL definition is treated as this library's, none is pruned"
                    ));
                    return Proof { state: plan, ours };
                }
            }
        }
        many => {
            let ids: Vec<String> = many.iter().filter_map(|d| d.id.clone()).collect();
            notes.push(format!(
                "the PPL state name {state_name} is taken {} times (ids {}): no PPL definition is treated as this library's; delete the extra ones",
                many.len(),
                ids.join(", ")
            ));
            return Proof { state: plan, ours };
        }
    };
    let by_id: BTreeMap<&str, &QueryDefinition> = defs
        .iter()
        .filter_map(|d| d.id.as_deref().map(|id| (id, d)))
        .collect();
    let mut entries = Vec::new();
    let mut claimed: BTreeSet<String> = decoded
        .entries
        .iter()
        .filter_map(|e| e.id.clone())
        .collect();
    for e in &decoded.entries {
        match &e.id {
            Some(id) => match by_id.get(id.as_str()) {
                Some(d) if Language::from_api(&d.language) == Language::Ppl => {
                    ours.insert(id.clone(), (e.clone(), account_hash(d) == e.hash));
                    entries.push(e.clone());
                }
                // Deleted outside logplan (or no longer PPL): nothing to prove any more.
                _ => plan.dirty = true,
            },
            None => {
                // A create that was under way: the definition it made has this name and hash
                // and is in no entry yet. One match is adopted; none means the create never
                // happened; several are left for the duplicate check to show.
                let made: Vec<&QueryDefinition> = defs
                    .iter()
                    .filter(|d| {
                        d.name == e.name
                            && Language::from_api(&d.language) == Language::Ppl
                            && d.id.as_ref().is_some_and(|id| !claimed.contains(id))
                            && account_hash(d) == e.hash
                    })
                    .collect();
                plan.dirty = true;
                if let [d] = made.as_slice()
                    && let Some(id) = &d.id
                {
                    let entry = PplEntry {
                        id: Some(id.clone()),
                        ..e.clone()
                    };
                    claimed.insert(id.clone());
                    ours.insert(id.clone(), (entry.clone(), true));
                    entries.push(entry);
                }
            }
        }
    }
    plan.entries = PplState { entries };
    Proof { state: plan, ours }
}

/// Compare the library with the account. Errors: a changed query whose version was not bumped
/// (names the files).
pub fn plan(
    files: &[QueryFile],
    defs: &[QueryDefinition],
    scheduled_in_account: &[ScheduledQuery],
    scope: Scope<'_>,
) -> Result<Plan> {
    let mut notes = Vec::new();
    let defs: Vec<QueryDefinition> = defs
        .iter()
        .filter(|d| scope.in_folder(&d.name))
        .cloned()
        .collect();
    let proof = prove(&defs, &scope, &mut notes);
    let state_name = identity::state_name(scope.prefix, scope.lib);
    let mut by_name: BTreeMap<&str, Vec<&QueryDefinition>> = BTreeMap::new();
    for d in defs.iter().filter(|d| d.name != state_name) {
        by_name.entry(d.name.as_str()).or_default().push(d);
    }
    let mut items = Vec::new();
    let mut not_bumped = Vec::new();
    let mut library_names = BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        if !f.definition {
            continue;
        }
        let (name, want) = desired_text(f, &scope);
        library_names.insert(name.clone());
        let found = by_name.get(name.as_str()).cloned().unwrap_or_default();
        let def = match found.as_slice() {
            [] => {
                items.push(Item::Create { name, file: i });
                continue;
            }
            [one] => *one,
            many => {
                items.push(Item::Duplicate {
                    name,
                    ids: many.iter().filter_map(|d| d.id.clone()).collect(),
                });
                continue;
            }
        };
        let id = def.id.clone().unwrap_or_default();
        if f.language == Language::Ppl {
            plan_ppl(f, i, name, def, &want, &proof, &mut items);
            continue;
        }
        let (body, marker) = parse_marker(&def.query);
        let Some(marker) = marker else {
            // Identical text and fields (e.g. just imported): adopting it only adds the marker.
            if body.trim_end() == f.query.trim_end() && same_fields(def, f) {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: None,
                    diff: diff(&def.query, &want),
                });
            } else {
                items.push(Item::Unmanaged {
                    name,
                    file: i,
                    id,
                    owner: None,
                });
            }
            continue;
        };
        match marker.lib.as_deref() {
            Some(lib) if lib != scope.lib => {
                items.push(Item::Unmanaged {
                    name,
                    file: i,
                    id,
                    owner: Some(lib.to_string()),
                });
                continue;
            }
            // A marker from before library ids: this library has the name, so it adopts it.
            None => {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: Some(marker.version.clone()),
                    diff: diff(&def.query, &want),
                });
                continue;
            }
            Some(_) => {}
        }
        if account_hash(def) != marker.hash {
            items.push(Item::Drift {
                name,
                id,
                file: Some(i),
                diff: diff(&parse_marker(&want).0, &body),
            });
            continue;
        }
        let library_hash = content_hash(f.language, &f.log_groups, f.query.trim_end());
        let same_version = marker.version == f.version.to_string();
        if library_hash == marker.hash && same_version && def.query.trim_end() == want.trim_end() {
            if same_fields(def, f) {
                items.push(Item::Unchanged { name, file: i });
            } else {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: Some(marker.version.clone()),
                    diff: "  (parameters or fields changed)\n".into(),
                });
            }
        } else if same_version && library_hash != marker.hash {
            not_bumped.push(format!("{} (still {})", f.path.display(), f.version));
        } else {
            items.push(Item::Update {
                name,
                file: i,
                id,
                from: Some(marker.version.clone()),
                diff: diff(&def.query, &want),
            });
        }
    }
    // This library's definitions it no longer has: prune candidates.
    for (name, group) in &by_name {
        if library_names.contains(*name) {
            continue;
        }
        for def in group {
            let id = def.id.clone().unwrap_or_default();
            if let Some(m) = parse_marker(&def.query).1
                && m.lib.as_deref() == Some(scope.lib)
            {
                items.push(Item::Delete {
                    name: name.to_string(),
                    id,
                    version: Some(m.version),
                });
            } else if let Some((entry, unchanged)) = proof.ours.get(&id) {
                if *unchanged {
                    items.push(Item::Delete {
                        name: name.to_string(),
                        id,
                        version: Some(entry.version.clone()),
                    });
                } else {
                    items.push(Item::Drift {
                        name: name.to_string(),
                        id,
                        file: None,
                        diff: "  (a PPL definition this library created, edited in the console: not pruned)\n".into(),
                    });
                }
            }
        }
    }
    let scheduled = scheduled::plan(files, scheduled_in_account, &scope, &mut not_bumped)?;
    if !not_bumped.is_empty() {
        not_bumped.dedup();
        return Err(Error::Usage(format!(
            "changed without a version bump: {}; bump `version` in each",
            not_bumped.join(", ")
        )));
    }
    Ok(Plan {
        items,
        scheduled,
        prune: scope.prune,
        state: proof.state,
        notes,
    })
}

fn plan_ppl(
    f: &QueryFile,
    i: usize,
    name: String,
    def: &QueryDefinition,
    want: &str,
    proof: &Proof,
    items: &mut Vec<Item>,
) {
    let id = def.id.clone().unwrap_or_default();
    let identical = def.query.trim_end() == want.trim_end() && same_fields(def, f);
    match proof.ours.get(&id) {
        Some((entry, unchanged)) => {
            if !unchanged {
                items.push(Item::Drift {
                    name,
                    id,
                    file: Some(i),
                    diff: diff(want, &def.query),
                });
            } else if identical && entry.version == f.version.to_string() {
                items.push(Item::Unchanged { name, file: i });
            } else {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: Some(entry.version.clone()),
                    diff: diff(&def.query, want),
                });
            }
        }
        None if identical => items.push(Item::Adopt { name, file: i, id }),
        None => items.push(Item::Unmanaged {
            name,
            file: i,
            id,
            owner: None,
        }),
    }
}
