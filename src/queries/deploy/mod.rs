//! deploy: the query library against a target's query definitions and scheduled queries,
//! plan/apply style, touching nothing it cannot prove is this library's.
//!
//! Scope. A target's `prefix` is a folder: only names under `prefix/` are read, planned and
//! pruned (`platform` never matches `platform-legacy/...`); without a prefix, the whole account
//! region. Within the folder, what this library manages is what it can prove is its own:
//!
//! * Logs Insights QL and SQL definitions carry a marker line (see [`super::identity`]) with the
//!   library id from `logplan.toml`; a definition with another library's id, or none, is never
//!   updated or deleted (a marker from before library ids is adopted when this library has the
//!   name, and never pruned).
//! * OpenSearch PPL has no comments, so a PPL definition carries nothing. logplan keeps a state:
//!   a query definition named `<prefix>/.logplan/<library_id>` whose text lists the id, name,
//!   version and content hash of every PPL definition this library created, with a checksum of
//!   its own. Definition ids are assigned by AWS at creation, so an id in the state is proof that
//!   logplan created that definition; its content hash proves it is unchanged since. A PPL
//!   definition is pruned only when the state verifies, lists its id, and its content still
//!   hashes to what logplan deployed; a hand-made PPL definition under the prefix is never in the
//!   state and survives `--prune`. A create is recorded as `pending` (name and hash) before the
//!   call, so an apply interrupted between the create and the state write is finished, not
//!   duplicated, by the next one.
//! * Scheduled queries carry the marker at the end of their description.
//!
//! A name that several definitions in the folder share is shown with their ids and refused:
//! logplan cannot tell which one is meant. Creates send an idempotency token derived from what
//! they create, so a retried request never makes a second definition.

mod apply;
mod plan;
mod render;
mod scheduled;

pub use apply::{Applied, apply};
pub use plan::plan;

use std::collections::BTreeSet;

use super::file::QueryFile;
use super::identity::PplState;
use crate::aws::insights::{InsightsApi, ScheduledQuery, all_scheduled};
use crate::aws::{DefinitionsApi, QueryDefinition};
use crate::error::Result;

/// Who plans: this library's id, the target's folder, whether to prune.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    pub lib: &'a str,
    pub prefix: Option<&'a str>,
    pub prune: bool,
}

impl Scope<'_> {
    /// `prefix/`, or `None` for the whole account.
    pub fn folder(&self) -> Option<String> {
        folder(self.prefix)
    }

    pub fn in_folder(&self, name: &str) -> bool {
        self.folder().is_none_or(|f| name.starts_with(&f))
    }
}

fn folder(prefix: Option<&str>) -> Option<String> {
    prefix
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
        .map(|p| format!("{p}/"))
}

/// The console name of a library query under a target's root folder.
pub fn target_name(prefix: Option<&str>, name: &str) -> String {
    match folder(prefix) {
        Some(f) => format!("{f}{name}"),
        None => name.to_string(),
    }
}

/// One line of a plan for a saved query definition.
#[derive(Clone, Debug, PartialEq)]
pub enum Item {
    Create {
        name: String,
        file: usize,
    },
    Update {
        name: String,
        file: usize,
        id: String,
        from: Option<String>,
        diff: String,
    },
    /// A PPL definition identical to the library's, not yet in the state: recorded, no call.
    Adopt {
        name: String,
        file: usize,
        id: String,
    },
    Unchanged {
        name: String,
        file: usize,
    },
    /// This library's, no longer in it: deleted only with `--prune`.
    Delete {
        name: String,
        id: String,
        version: Option<String>,
    },
    /// This library's, edited in the console since logplan deployed it.
    Drift {
        name: String,
        id: String,
        file: Option<usize>,
        diff: String,
    },
    /// The library's name is taken by a definition this library does not own: left alone, and
    /// blocks apply.
    Unmanaged {
        name: String,
        file: usize,
        id: String,
        owner: Option<String>,
    },
    /// Several definitions in the folder share a name this library plans for: refused.
    Duplicate {
        name: String,
        ids: Vec<String>,
    },
}

/// One line of a plan for a scheduled query.
#[derive(Clone, Debug, PartialEq)]
pub enum SItem {
    Create {
        name: String,
        file: usize,
    },
    Update {
        name: String,
        file: usize,
        arn: Option<String>,
        from: Option<String>,
        diff: String,
    },
    Unchanged {
        name: String,
        file: usize,
    },
    Delete {
        name: String,
        arn: Option<String>,
        version: Option<String>,
    },
    Drift {
        name: String,
        arn: Option<String>,
        file: Option<usize>,
        diff: String,
    },
    Unmanaged {
        name: String,
        file: usize,
        owner: Option<String>,
    },
}

/// What apply will do to the PPL state.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StatePlan {
    /// The state definition's id, when it exists.
    pub id: Option<String>,
    /// The verified entries after this plan's adoptions (pending creates resolved).
    pub entries: PplState,
    /// Whether the state in the account differs from `entries` (adoptions, stale ids).
    pub dirty: bool,
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub items: Vec<Item>,
    pub scheduled: Vec<SItem>,
    pub prune: bool,
    pub state: StatePlan,
    /// Things the reader should know that are not items (a state that does not verify).
    pub notes: Vec<String>,
}

impl Plan {
    /// Calls apply would make (state writes aside).
    pub fn changes(&self) -> usize {
        let defs = self
            .items
            .iter()
            .filter(|i| match i {
                Item::Create { .. } | Item::Update { .. } | Item::Adopt { .. } => true,
                Item::Delete { .. } => self.prune,
                _ => false,
            })
            .count();
        let sched = self
            .scheduled
            .iter()
            .filter(|i| match i {
                SItem::Create { .. } | SItem::Update { .. } => true,
                SItem::Delete { .. } => self.prune,
                _ => false,
            })
            .count();
        defs + sched + usize::from(self.state.dirty && defs + sched == 0)
    }

    pub fn drift(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Drift { .. }))
            .count()
            + self
                .scheduled
                .iter()
                .filter(|i| matches!(i, SItem::Drift { .. }))
                .count()
    }

    pub fn unmanaged(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Unmanaged { .. }))
            .count()
            + self
                .scheduled
                .iter()
                .filter(|i| matches!(i, SItem::Unmanaged { .. }))
                .count()
    }

    pub fn duplicates(&self) -> Vec<(&str, &[String])> {
        self.items
            .iter()
            .filter_map(|i| match i {
                Item::Duplicate { name, ids } => Some((name.as_str(), ids.as_slice())),
                _ => None,
            })
            .collect()
    }
}

/// Every definition in the target's folder (DescribeQueryDefinitions, all pages, asked for the
/// folder `prefix/` and filtered again on it).
pub async fn read_definitions<D: DefinitionsApi>(
    api: &D,
    prefix: Option<&str>,
) -> Result<Vec<QueryDefinition>> {
    let f = folder(prefix);
    let mut all = Vec::new();
    let mut token = None;
    // A repeated token or a page too many is an error, never a quietly shorter listing.
    let mut pager = crate::aws::paginate::Pager::new(
        "logs:DescribeQueryDefinitions",
        f.clone().unwrap_or_default(),
        crate::aws::paginate::limits::DESCRIBE_QUERY_DEFINITIONS,
    );
    loop {
        let (mut page, next) = api
            .describe_query_definitions(f.clone(), token.clone())
            .await?;
        all.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    all.retain(|d| f.as_ref().is_none_or(|f| d.name.starts_with(f.as_str())));
    Ok(all)
}

/// Every scheduled query in the target's folder, with its details (ListScheduledQueries, then
/// GetScheduledQuery for each one in the folder).
pub async fn read_scheduled<A: InsightsApi>(
    api: &A,
    prefix: Option<&str>,
) -> Result<Vec<ScheduledQuery>> {
    let f = folder(prefix);
    let mut out = Vec::new();
    let mut seen = BTreeSet::new();
    for s in all_scheduled(api).await? {
        if f.as_ref().is_some_and(|f| !s.name.starts_with(f.as_str()))
            || !seen.insert(s.name.clone())
        {
            continue;
        }
        out.push(
            api.get_scheduled_query(s.arn.clone().unwrap_or(s.name.clone()))
                .await?,
        );
    }
    Ok(out)
}

/// The plan's files by index, for rendering.
pub fn render(plan: &Plan, files: &[QueryFile]) -> String {
    render::render(plan, files)
}

/// A unified-style line diff.
pub fn diff(old: &str, new: &str) -> String {
    let d = similar::TextDiff::from_lines(old, new);
    let mut o = String::new();
    for change in d.iter_all_changes() {
        let sign = match change.tag() {
            similar::ChangeTag::Delete => "-",
            similar::ChangeTag::Insert => "+",
            similar::ChangeTag::Equal => continue,
        };
        o += &format!("{sign} {}", change.value());
        if !change.value().ends_with('\n') {
            o.push('\n');
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefixes_are_folders() {
        let s = Scope {
            lib: "l",
            prefix: Some("platform"),
            prune: false,
        };
        assert!(s.in_folder("platform/waf/x"));
        assert!(!s.in_folder("platform-legacy/waf/x"));
        assert!(!s.in_folder("platform"));
        assert_eq!(target_name(Some("/platform/"), "a/b"), "platform/a/b");
        assert_eq!(target_name(None, "a/b"), "a/b");
        let none = Scope { prefix: None, ..s };
        assert!(none.in_folder("anything"));
    }
}
