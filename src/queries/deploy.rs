//! deploy: the query library vs an account's query definitions, plan/apply style.
//!
//! Identity. A definition deployed by logplan carries a marker as its last line: for Logs
//! Insights QL a comment `# logplan: name=<name> version=<semver> sha256=<16 hex>`, for SQL
//! `-- logplan: ...`. The hash covers the language, the sorted log group names and the query
//! text as deployed, so an edit in the console (text or log groups) shows as drift. OpenSearch PPL
//! has no comment syntax, so PPL definitions are tracked by folder instead: logplan manages the
//! PPL definitions under the target's `prefix` whose names are in the library, and requires a
//! prefix to deploy PPL; their console edits cannot be told from library changes.
//! logplan never touches a definition it does not manage.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::file::{Language, QueryFile};
use crate::aws::{DefinitionsApi, QueryDefinition};
use crate::error::{Error, Result};

/// What the marker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    pub name: String,
    pub version: String,
    pub hash: String,
}

/// 16 hex digits of SHA-256 over language, sorted log groups and query text.
pub fn content_hash(language: Language, log_groups: &[String], body: &str) -> String {
    let mut groups = log_groups.to_vec();
    groups.sort();
    let mut h = Sha256::new();
    h.update(language.api().as_bytes());
    h.update(b"\n");
    h.update(groups.join(",").as_bytes());
    h.update(b"\n");
    h.update(body.trim_end().as_bytes());
    let digest = h.finalize();
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn comment_prefix(language: Language) -> Option<&'static str> {
    match language {
        Language::Cwli => Some("# logplan:"),
        Language::Sql => Some("-- logplan:"),
        Language::Ppl => None,
    }
}

/// The query text to deploy: the body, then the marker line (CWLI, SQL).
pub fn deployed_text(file: &QueryFile, name: &str) -> String {
    let body = file.query.trim_end();
    match comment_prefix(file.language) {
        Some(prefix) => format!(
            "{body}\n{prefix} name={name} version={} sha256={}",
            file.version,
            content_hash(file.language, &file.log_groups, body)
        ),
        None => body.to_string(),
    }
}

/// Split a deployed text into (body, marker).
pub fn parse_marker(text: &str) -> (String, Option<Marker>) {
    let trimmed = text.trim_end();
    let (body, last) = match trimmed.rfind('\n') {
        Some(i) => (&trimmed[..i], trimmed[i + 1..].trim()),
        None => ("", trimmed.trim()),
    };
    let rest = last
        .strip_prefix("# logplan:")
        .or_else(|| last.strip_prefix("-- logplan:"));
    let Some(rest) = rest else {
        return (text.to_string(), None);
    };
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for kv in rest.split_whitespace() {
        if let Some((k, v)) = kv.split_once('=') {
            fields.insert(k, v);
        }
    }
    match (
        fields.get("name"),
        fields.get("version"),
        fields.get("sha256"),
    ) {
        (Some(n), Some(v), Some(h)) => (
            body.to_string(),
            Some(Marker {
                name: n.to_string(),
                version: v.to_string(),
                hash: h.to_string(),
            }),
        ),
        _ => (text.to_string(), None),
    }
}

/// One line of a plan.
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
    Unchanged {
        name: String,
        file: usize,
    },
    /// Managed, no longer in the library: deleted only with `--prune`.
    Delete {
        name: String,
        id: String,
        version: Option<String>,
    },
    /// Managed, edited in the console since logplan deployed it.
    Drift {
        name: String,
        id: String,
        file: Option<usize>,
        diff: String,
    },
    /// Same name as a library query, not managed by logplan: left alone, and blocks apply.
    Unmanaged {
        name: String,
        file: usize,
    },
}

#[derive(Clone, Debug, Default, PartialEq)]
pub struct Plan {
    pub items: Vec<Item>,
    pub prune: bool,
}

impl Plan {
    pub fn changes(&self) -> usize {
        self.items
            .iter()
            .filter(|i| match i {
                Item::Create { .. } | Item::Update { .. } => true,
                Item::Delete { .. } => self.prune,
                _ => false,
            })
            .count()
    }

    pub fn drift(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Drift { .. }))
            .count()
    }

    pub fn unmanaged(&self) -> usize {
        self.items
            .iter()
            .filter(|i| matches!(i, Item::Unmanaged { .. }))
            .count()
    }

    /// A readable plan: `+` create, `~` update (with a diff), `-` delete, `!` drift, `?`
    /// unmanaged, `=` unchanged.
    pub fn render(&self, files: &[QueryFile]) -> String {
        let mut o = String::new();
        for item in &self.items {
            match item {
                Item::Create { name, file } => {
                    o += &format!("+ create     {name} ({})\n", files[*file].version)
                }
                Item::Update {
                    name,
                    file,
                    from,
                    diff,
                    ..
                } => {
                    o += &format!(
                        "~ update     {name} ({} -> {})\n",
                        from.as_deref().unwrap_or("?"),
                        files[*file].version
                    );
                    o += &indent(diff);
                }
                Item::Unchanged { name, file } => {
                    o += &format!("= unchanged  {name} ({})\n", files[*file].version)
                }
                Item::Delete { name, version, .. } => {
                    let what = if self.prune {
                        "- delete    "
                    } else {
                        "  orphaned  "
                    };
                    o += &format!(
                        "{what} {name} ({}){}\n",
                        version.as_deref().unwrap_or("?"),
                        if self.prune {
                            ""
                        } else {
                            ": not in the library; --prune deletes it"
                        }
                    );
                }
                Item::Drift { name, diff, .. } => {
                    o += &format!(
                        "! drift      {name}: edited in the console since logplan deployed it\n"
                    );
                    o += &indent(diff);
                }
                Item::Unmanaged { name, .. } => {
                    o += &format!(
                        "? unmanaged  {name}: a definition with this name exists and is not managed by logplan; import it or rename the file\n"
                    )
                }
            }
        }
        o += &format!(
            "Plan: {} to create, {} to update, {} to delete, {} unchanged, {} drifted, {} unmanaged.\n",
            self.items
                .iter()
                .filter(|i| matches!(i, Item::Create { .. }))
                .count(),
            self.items
                .iter()
                .filter(|i| matches!(i, Item::Update { .. }))
                .count(),
            if self.prune {
                self.items
                    .iter()
                    .filter(|i| matches!(i, Item::Delete { .. }))
                    .count()
            } else {
                0
            },
            self.items
                .iter()
                .filter(|i| matches!(i, Item::Unchanged { .. }))
                .count(),
            self.drift(),
            self.unmanaged(),
        );
        o
    }
}

fn indent(diff: &str) -> String {
    diff.lines().map(|l| format!("      {l}\n")).collect()
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

/// The console name of a library query under a target's root folder.
pub fn target_name(prefix: Option<&str>, name: &str) -> String {
    match prefix
        .map(|p| p.trim_matches('/'))
        .filter(|p| !p.is_empty())
    {
        Some(p) => format!("{p}/{name}"),
        None => name.to_string(),
    }
}

/// Every definition under `prefix` (DescribeQueryDefinitions, all pages).
pub async fn read_account<D: DefinitionsApi>(
    api: &D,
    prefix: Option<&str>,
) -> Result<Vec<QueryDefinition>> {
    let mut all = Vec::new();
    let mut token = None;
    // A repeated token or a page too many is an error, never a quietly shorter listing.
    let mut pager = crate::aws::paginate::Pager::new(
        "logs:DescribeQueryDefinitions",
        prefix.unwrap_or_default(),
        crate::aws::paginate::limits::DESCRIBE_QUERY_DEFINITIONS,
    );
    loop {
        let (mut page, next) = api
            .describe_query_definitions(prefix.map(str::to_string), token.clone())
            .await?;
        all.append(&mut page);
        match pager.advance(next)? {
            Some(t) => token = Some(t),
            None => break,
        }
    }
    Ok(all)
}

/// Compare the library with the account. Errors: a changed query whose version was not bumped
/// (names the file), or PPL without a target prefix.
pub fn plan(
    files: &[QueryFile],
    account: &[QueryDefinition],
    prefix: Option<&str>,
    prune: bool,
) -> Result<Plan> {
    let by_name: BTreeMap<&str, &QueryDefinition> =
        account.iter().map(|d| (d.name.as_str(), d)).collect();
    let mut items = Vec::new();
    let mut not_bumped = Vec::new();
    let mut library_names = std::collections::BTreeSet::new();
    for (i, f) in files.iter().enumerate() {
        if f.language == Language::Ppl && prefix.is_none() {
            return Err(Error::Usage(format!(
                "{}: PPL has no comments to carry logplan's marker; logplan tracks PPL definitions by folder, so set `prefix` for this target",
                f.path.display()
            )));
        }
        let name = target_name(prefix, &f.name);
        library_names.insert(name.clone());
        let want = deployed_text(f, &name);
        let Some(def) = by_name.get(name.as_str()) else {
            items.push(Item::Create { name, file: i });
            continue;
        };
        let id = def.id.clone().unwrap_or_default();
        let same_fields = def
            .log_groups
            .iter()
            .collect::<std::collections::BTreeSet<_>>()
            == f.log_groups.iter().collect()
            && Language::from_api(&def.language) == f.language
            && params_match(def, f);
        if f.language == Language::Ppl {
            if def.query.trim_end() == want.trim_end() && same_fields {
                items.push(Item::Unchanged { name, file: i });
            } else {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: None,
                    diff: diff(&def.query, &want),
                });
            }
            continue;
        }
        let (body, marker) = parse_marker(&def.query);
        let Some(marker) = marker else {
            // Identical text and fields (e.g. just imported): adopting it only adds the marker.
            if body.trim_end() == f.query.trim_end() && same_fields {
                items.push(Item::Update {
                    name,
                    file: i,
                    id,
                    from: None,
                    diff: diff(&def.query, &want),
                });
            } else {
                items.push(Item::Unmanaged { name, file: i });
            }
            continue;
        };
        let account_hash = content_hash(Language::from_api(&def.language), &def.log_groups, &body);
        if account_hash != marker.hash {
            items.push(Item::Drift {
                name,
                id,
                file: Some(i),
                diff: diff(&deployed_body(&want), &body),
            });
            continue;
        }
        let library_hash = content_hash(f.language, &f.log_groups, f.query.trim_end());
        if library_hash == marker.hash
            && marker.version == f.version.to_string()
            && params_match(def, f)
        {
            items.push(Item::Unchanged { name, file: i });
        } else if marker.version == f.version.to_string() && library_hash != marker.hash {
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
    if !not_bumped.is_empty() {
        return Err(Error::Usage(format!(
            "changed without a version bump: {}; bump `version` in each",
            not_bumped.join(", ")
        )));
    }
    // Managed definitions the library no longer has.
    for def in account {
        if library_names.contains(&def.name) {
            continue;
        }
        let (_, marker) = parse_marker(&def.query);
        let managed_ppl = Language::from_api(&def.language) == Language::Ppl
            && prefix.is_some_and(|p| def.name.starts_with(&format!("{}/", p.trim_matches('/'))));
        if let Some(m) = marker {
            items.push(Item::Delete {
                name: def.name.clone(),
                id: def.id.clone().unwrap_or_default(),
                version: Some(m.version),
            });
        } else if managed_ppl {
            items.push(Item::Delete {
                name: def.name.clone(),
                id: def.id.clone().unwrap_or_default(),
                version: None,
            });
        }
    }
    Ok(Plan { items, prune })
}

fn deployed_body(text: &str) -> String {
    parse_marker(text).0
}

fn params_match(def: &QueryDefinition, f: &QueryFile) -> bool {
    let want: Vec<(String, Option<String>, Option<String>)> = f
        .parameters
        .iter()
        .map(|p| (p.name.clone(), p.default.clone(), p.description.clone()))
        .collect();
    // Endpoints that do not return parameters (older APIs, emulators) cannot disagree.
    def.parameters.is_empty() || def.parameters == want
}

/// What an apply did.
#[derive(Debug, Default)]
pub struct Applied {
    pub done: Vec<String>,
    pub failed: Option<(String, Error)>,
    pub not_done: Vec<String>,
}

/// Make the account match the plan, one call at a time; stops at the first failure and says
/// what was and was not applied (a rerun plans only what is left).
pub async fn apply<D: DefinitionsApi>(api: &D, plan: &Plan, files: &[QueryFile]) -> Applied {
    let mut out = Applied::default();
    let steps: Vec<&Item> = plan
        .items
        .iter()
        .filter(|i| {
            matches!(i, Item::Create { .. } | Item::Update { .. })
                || (plan.prune && matches!(i, Item::Delete { .. }))
        })
        .collect();
    for (n, item) in steps.iter().enumerate() {
        let (label, result) = match item {
            Item::Create { name, file } | Item::Update { name, file, .. } => {
                let f = &files[*file];
                let id = match item {
                    Item::Update { id, .. } => Some(id.clone()),
                    _ => None,
                };
                let verb = if id.is_some() { "update" } else { "create" };
                // An update replaces every field: send them all.
                let def = QueryDefinition {
                    id,
                    name: name.clone(),
                    query: deployed_text(f, name),
                    log_groups: f.log_groups.clone(),
                    language: f.language.api().to_string(),
                    parameters: f
                        .parameters
                        .iter()
                        .map(|p| (p.name.clone(), p.default.clone(), p.description.clone()))
                        .collect(),
                };
                (
                    format!("{verb} {name}"),
                    api.put_query_definition(def).await.map(|_| ()),
                )
            }
            Item::Delete { name, id, .. } => (
                format!("delete {name}"),
                api.delete_query_definition(id.clone()).await,
            ),
            _ => continue,
        };
        match result {
            Ok(()) => out.done.push(label),
            Err(e) => {
                out.failed = Some((label, e));
                out.not_done = steps[n + 1..]
                    .iter()
                    .filter_map(|i| match i {
                        Item::Create { name, .. } => Some(format!("create {name}")),
                        Item::Update { name, .. } => Some(format!("update {name}")),
                        Item::Delete { name, .. } => Some(format!("delete {name}")),
                        _ => None,
                    })
                    .collect();
                break;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(name: &str, version: &str, query: &str) -> QueryFile {
        QueryFile {
            name: name.into(),
            path: format!("queries/{name}.toml").into(),
            description: String::new(),
            version: semver::Version::parse(version).unwrap(),
            language: Language::Cwli,
            log_groups: vec!["/a".into()],
            query: query.into(),
            parameters: vec![],
            owner: None,
            tags: vec![],
            schedule: None,
            query_line: 1,
        }
    }

    fn deployed(f: &QueryFile, id: &str) -> QueryDefinition {
        QueryDefinition {
            id: Some(id.into()),
            name: f.name.clone(),
            query: deployed_text(f, &f.name),
            log_groups: f.log_groups.clone(),
            language: "CWLI".into(),
            parameters: vec![],
        }
    }

    #[test]
    fn marker_round_trip() {
        let f = file("waf/x", "1.2.3", "fields @message\n| limit 5\n");
        let text = deployed_text(&f, "team/waf/x");
        assert!(text.ends_with(&format!(
            "# logplan: name=team/waf/x version=1.2.3 sha256={}",
            content_hash(Language::Cwli, &f.log_groups, &f.query)
        )));
        let (body, m) = parse_marker(&text);
        assert_eq!(body, "fields @message\n| limit 5");
        assert_eq!(m.unwrap().version, "1.2.3");
        assert_eq!(parse_marker("fields a").1, None);
    }

    #[test]
    fn plan_kinds() {
        let a = file("a", "1.0.0", "fields a");
        let b = file("b", "1.0.0", "fields b");
        let c1 = file("c", "1.0.0", "fields c");
        let c2 = file("c", "1.1.0", "fields c, d");
        let mut edited = deployed(&file("d", "1.0.0", "fields d"), "4");
        edited.query = edited.query.replace("fields d", "fields d, e");
        let gone = deployed(&file("old", "2.0.0", "fields old"), "5");
        let foreign = QueryDefinition {
            id: Some("6".into()),
            name: "b".into(),
            query: "fields b".into(),
            log_groups: vec![],
            language: "CWLI".into(),
            parameters: vec![],
        };
        let account = vec![deployed(&a, "1"), deployed(&c1, "3"), edited, gone, foreign];
        let lib = vec![a, b, c2, file("d", "1.0.0", "fields d")];
        let p = plan(&lib, &account, None, false).unwrap();
        let kinds: Vec<&str> = p
            .items
            .iter()
            .map(|i| match i {
                Item::Create { .. } => "create",
                Item::Update { .. } => "update",
                Item::Unchanged { .. } => "unchanged",
                Item::Delete { .. } => "delete",
                Item::Drift { .. } => "drift",
                Item::Unmanaged { .. } => "unmanaged",
            })
            .collect();
        assert_eq!(
            kinds,
            vec!["unchanged", "unmanaged", "update", "drift", "delete"]
        );
        assert_eq!(p.changes(), 1, "the delete counts only with --prune");
        // A changed query with the same version is an error naming the file.
        let e = plan(
            &[file("c", "1.0.0", "fields c, d")],
            &[deployed(&c1_again(), "3")],
            None,
            false,
        )
        .unwrap_err();
        assert!(
            e.to_string().contains("queries/c.toml (still 1.0.0)"),
            "{e}"
        );
    }

    fn c1_again() -> QueryFile {
        file("c", "1.0.0", "fields c")
    }
}
