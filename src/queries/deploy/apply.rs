//! Applying a plan, one call at a time, stopping at the first failure and saying what was and
//! was not applied (a rerun plans only what is left). Order: the PPL state records pending
//! creates first, then definitions are created and updated, then scheduled queries, then
//! deletions (`--prune`), and last the PPL state is written with the ids AWS assigned.

use super::super::file::{Language, QueryFile};
use super::super::identity::{self, PplEntry, PplState, content_hash};
use super::plan::desired_text;
use super::scheduled::desired as desired_scheduled;
use super::{Item, Plan, SItem, Scope};
use crate::aws::insights::InsightsApi;
use crate::aws::{DefinitionsApi, QueryDefinition};
use crate::error::Error;

/// What an apply did.
#[derive(Debug, Default)]
pub struct Applied {
    pub done: Vec<String>,
    pub failed: Option<(String, Error)>,
    pub not_done: Vec<String>,
}

enum Step {
    WriteState(PplState),
    Put {
        label: String,
        def: QueryDefinition,
        token: Option<String>,
        /// Recorded in the state once the id is known (PPL).
        ppl: Option<PplEntry>,
    },
    Record(PplEntry),
    CreateScheduled(String, Box<crate::aws::insights::ScheduledQuery>),
    UpdateScheduled(String, Box<crate::aws::insights::ScheduledQuery>),
    Delete {
        label: String,
        id: String,
    },
    DeleteScheduled {
        label: String,
        identifier: String,
    },
}

impl Step {
    fn label(&self) -> String {
        match self {
            Step::WriteState(_) => "write the PPL state".into(),
            Step::Put { label, .. }
            | Step::CreateScheduled(label, _)
            | Step::UpdateScheduled(label, _)
            | Step::Delete { label, .. }
            | Step::DeleteScheduled { label, .. } => label.clone(),
            Step::Record(e) => format!("record {}", e.name),
        }
    }
}

fn definition(f: &QueryFile, scope: &Scope<'_>, id: Option<String>) -> QueryDefinition {
    let (name, text) = desired_text(f, scope);
    QueryDefinition {
        id,
        name,
        query: text,
        log_groups: f.log_groups.clone(),
        language: f.language.api().to_string(),
        parameters: f
            .parameters
            .iter()
            .map(|p| (p.name.clone(), p.default.clone(), p.description.clone()))
            .collect(),
    }
}

fn ppl_entry(f: &QueryFile, name: &str, id: Option<String>) -> PplEntry {
    PplEntry {
        id,
        name: name.to_string(),
        version: f.version.to_string(),
        hash: content_hash(Language::Ppl, &f.log_groups, f.query.trim_end()),
    }
}

/// The calls of a plan, in order.
fn steps(plan: &Plan, files: &[QueryFile], scope: &Scope<'_>) -> Vec<Step> {
    let mut state = plan.state.entries.clone();
    let mut steps = Vec::new();
    let mut pending = Vec::new();
    for item in &plan.items {
        match item {
            Item::Create { name, file } => {
                let f = &files[*file];
                let def = definition(f, scope, None);
                let token = Some(identity::client_token(
                    scope.lib,
                    name,
                    &f.version.to_string(),
                    &content_hash(f.language, &f.log_groups, f.query.trim_end()),
                ));
                let ppl = (f.language == Language::Ppl).then(|| ppl_entry(f, name, None));
                if let Some(e) = &ppl {
                    pending.push(e.clone());
                }
                steps.push(Step::Put {
                    label: format!("create {name}"),
                    def,
                    token,
                    ppl,
                });
            }
            Item::Update { name, file, id, .. } => {
                let f = &files[*file];
                let ppl =
                    (f.language == Language::Ppl).then(|| ppl_entry(f, name, Some(id.clone())));
                steps.push(Step::Put {
                    label: format!("update {name}"),
                    def: definition(f, scope, Some(id.clone())),
                    token: None,
                    ppl,
                });
            }
            Item::Adopt { name, file, id } => {
                steps.push(Step::Record(ppl_entry(
                    &files[*file],
                    name,
                    Some(id.clone()),
                )));
            }
            _ => {}
        }
    }
    for item in &plan.scheduled {
        let want = |file: usize| desired_scheduled(&files[file], scope).ok().flatten();
        match item {
            SItem::Create { name, file } => {
                if let Some(q) = want(*file) {
                    steps.push(Step::CreateScheduled(
                        format!("create scheduled {name}"),
                        Box::new(q),
                    ));
                }
            }
            SItem::Update {
                name, file, arn, ..
            } => {
                if let Some(mut q) = want(*file) {
                    q.arn = arn.clone();
                    steps.push(Step::UpdateScheduled(
                        format!("update scheduled {name}"),
                        Box::new(q),
                    ));
                }
            }
            _ => {}
        }
    }
    if plan.prune {
        for item in &plan.items {
            if let Item::Delete { name, id, .. } = item {
                steps.push(Step::Delete {
                    label: format!("delete {name}"),
                    id: id.clone(),
                });
            }
        }
        for item in &plan.scheduled {
            if let SItem::Delete { name, arn, .. } = item {
                steps.push(Step::DeleteScheduled {
                    label: format!("delete scheduled {name}"),
                    identifier: arn.clone().unwrap_or_else(|| name.clone()),
                });
            }
        }
    }
    // The state before: pending creates recorded, so an interruption is recoverable.
    let touches_ppl = !pending.is_empty()
        || steps
            .iter()
            .any(|s| matches!(s, Step::Put { ppl: Some(_), .. } | Step::Record(_)))
        || plan.prune && plan.items.iter().any(|i| matches!(i, Item::Delete { version: Some(_), id, .. } if state.entries.iter().any(|e| e.id.as_deref() == Some(id))));
    if !pending.is_empty() {
        let mut before = state.clone();
        before.entries.extend(pending);
        steps.insert(0, Step::WriteState(before));
    }
    if touches_ppl || plan.state.dirty {
        // Placeholder: the final state is computed as the steps run (ids become known).
        state.entries.retain(|e| e.id.is_some());
        steps.push(Step::WriteState(state));
    }
    steps
}

/// Make the account match the plan.
pub async fn apply<D: DefinitionsApi + InsightsApi>(
    api: &D,
    plan: &Plan,
    files: &[QueryFile],
    scope: Scope<'_>,
) -> Applied {
    let mut out = Applied::default();
    let steps = steps(plan, files, &scope);
    let state_name = identity::state_name(scope.prefix, scope.lib);
    let mut state_id = plan.state.id.clone();
    // The final state: verified entries, updated as PPL puts, records and deletes succeed.
    let mut final_state = plan.state.entries.clone();
    for (n, step) in steps.iter().enumerate() {
        let label = step.label();
        let result: Result<(), Error> = match step {
            Step::WriteState(s) => {
                let mut s = s.clone();
                if n + 1 == steps.len() {
                    s = final_state.clone();
                }
                let def = QueryDefinition {
                    id: state_id.clone(),
                    name: state_name.clone(),
                    query: s.encode(scope.lib),
                    log_groups: vec![],
                    language: "CWLI".into(),
                    parameters: vec![],
                };
                let token = state_id
                    .is_none()
                    .then(|| identity::client_token(scope.lib, &state_name, "state", "state"));
                match api.put_query_definition(def, token).await {
                    Ok(id) => {
                        state_id = Some(id);
                        Ok(())
                    }
                    Err(e) => Err(e),
                }
            }
            Step::Put {
                def, token, ppl, ..
            } => match api.put_query_definition(def.clone(), token.clone()).await {
                Ok(id) => {
                    if let Some(e) = ppl {
                        final_state
                            .entries
                            .retain(|x| x.id.as_deref() != Some(id.as_str()) && x.name != e.name);
                        final_state.entries.push(PplEntry {
                            id: Some(id),
                            ..e.clone()
                        });
                    }
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Step::Record(e) => {
                final_state.entries.retain(|x| x.id != e.id);
                final_state.entries.push(e.clone());
                Ok(())
            }
            Step::CreateScheduled(_, q) => {
                api.create_scheduled_query((**q).clone()).await.map(|_| ())
            }
            Step::UpdateScheduled(_, q) => api.update_scheduled_query((**q).clone()).await,
            Step::Delete { id, .. } => match api.delete_query_definition(id.clone()).await {
                Ok(()) => {
                    final_state
                        .entries
                        .retain(|x| x.id.as_deref() != Some(id.as_str()));
                    Ok(())
                }
                Err(e) => Err(e),
            },
            Step::DeleteScheduled { identifier, .. } => {
                api.delete_scheduled_query(identifier.clone()).await
            }
        };
        match result {
            Ok(()) => {
                if !matches!(step, Step::WriteState(_) | Step::Record(_)) {
                    out.done.push(label);
                }
            }
            Err(e) => {
                out.failed = Some((label, e));
                out.not_done = steps[n + 1..]
                    .iter()
                    .filter(|s| !matches!(s, Step::WriteState(_) | Step::Record(_)))
                    .map(Step::label)
                    .collect();
                break;
            }
        }
    }
    out
}
