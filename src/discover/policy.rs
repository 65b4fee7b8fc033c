//! Account-level subscription filter policies as discovery reads them: the destination, and
//! which groups the selection criteria (`LogGroupName NOT IN [...]`) leave out.

use std::collections::HashSet;

use crate::aws::AccountPolicy;

/// An account policy as discovery uses it.
#[derive(Clone, Debug)]
pub(super) struct Policy {
    pub(super) name: String,
    pub(super) destination_arn: Option<String>,
    /// Group names left out (`LogGroupName NOT IN [...]`).
    pub(super) excluded: HashSet<String>,
}

impl Policy {
    pub(super) fn covers(&self, group: &str) -> bool {
        !self.excluded.contains(group)
    }
}

/// Read a policy; a document or criteria logplan does not understand is a warning, and the
/// policy is then taken to cover every group (forwarding claimed, never silently dropped).
pub(super) fn parse_policy(p: &AccountPolicy, warnings: &mut Vec<String>) -> Policy {
    let destination_arn = serde_json::from_str::<serde_json::Value>(&p.document)
        .ok()
        .and_then(|v| v.get("DestinationArn")?.as_str().map(str::to_string));
    if destination_arn.is_none() {
        warnings.push(format!(
            "account subscription filter policy {:?}: no DestinationArn in its document; its \
             destination is unknown",
            p.name
        ));
    }
    let excluded = match p.selection_criteria.as_deref().map(str::trim) {
        None | Some("") => HashSet::new(),
        Some(c) => match parse_not_in(c) {
            Some(names) => names,
            None => {
                warnings.push(format!(
                    "account subscription filter policy {:?}: selection criteria {c:?} not \
                     understood; taken to cover every log group",
                    p.name
                ));
                HashSet::new()
            }
        },
    };
    Policy {
        name: p.name.clone(),
        destination_arn,
        excluded,
    }
}

/// `LogGroupName NOT IN ["a", "b"]`, the only criteria AWS accepts for subscription filter
/// policies (PutAccountPolicy reference).
pub(super) fn parse_not_in(criteria: &str) -> Option<HashSet<String>> {
    let rest = criteria.strip_prefix("LogGroupName")?.trim_start();
    let rest = rest.strip_prefix("NOT")?.trim_start();
    let rest = rest.strip_prefix("IN")?.trim_start();
    let names: Vec<String> = serde_json::from_str(rest).ok()?;
    Some(names.into_iter().collect())
}
