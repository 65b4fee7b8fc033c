//! A plan for people: `+` create, `~` update (with a diff), `-` delete, `!` drift, `?` a name
//! this library does not own, `=` unchanged, `x` a name several definitions share.

use super::super::file::QueryFile;
use super::{Item, Plan, SItem};

fn indent(diff: &str) -> String {
    diff.lines().map(|l| format!("      {l}\n")).collect()
}

fn owner(o: &Option<String>) -> String {
    match o {
        Some(lib) => format!("belongs to library {lib}"),
        None => "not deployed by logplan".to_string(),
    }
}

pub(super) fn render(plan: &Plan, files: &[QueryFile]) -> String {
    let mut o = String::new();
    let v = |file: usize| files[file].version.to_string();
    for item in &plan.items {
        match item {
            Item::Create { name, file } => o += &format!("+ create     {name} ({})\n", v(*file)),
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
                    v(*file)
                );
                o += &indent(diff);
            }
            Item::Adopt { name, file, id } => {
                o += &format!(
                    "~ adopt      {name} ({}): PPL definition {id} is identical to the library's; recorded in the state\n",
                    v(*file)
                )
            }
            Item::Unchanged { name, file } => o += &format!("= unchanged  {name} ({})\n", v(*file)),
            Item::Delete { name, version, .. } => {
                if plan.prune {
                    o += &format!(
                        "- delete     {name} ({})\n",
                        version.as_deref().unwrap_or("?")
                    );
                } else {
                    o += &format!(
                        "  orphaned   {name} ({}): not in the library; --prune deletes it\n",
                        version.as_deref().unwrap_or("?")
                    );
                }
            }
            Item::Drift { name, diff, .. } => {
                o += &format!(
                    "! drift      {name}: edited in the console since logplan deployed it\n"
                );
                o += &indent(diff);
            }
            Item::Unmanaged {
                name, id, owner: w, ..
            } => {
                o += &format!(
                    "? unmanaged  {name}: definition {id} {}; import it or rename the file\n",
                    owner(w)
                )
            }
            Item::Duplicate { name, ids } => {
                o += &format!(
                    "x duplicate  {name}: {} definitions share this name (ids {}); delete all but one\n",
                    ids.len(),
                    ids.join(", ")
                )
            }
        }
    }
    for item in &plan.scheduled {
        match item {
            SItem::Create { name, file } => {
                o += &format!("+ create     scheduled {name} ({})\n", v(*file))
            }
            SItem::Update {
                name,
                file,
                from,
                diff,
                ..
            } => {
                o += &format!(
                    "~ update     scheduled {name} ({} -> {})\n",
                    from.as_deref().unwrap_or("?"),
                    v(*file)
                );
                o += &indent(diff);
            }
            SItem::Unchanged { name, file } => {
                o += &format!("= unchanged  scheduled {name} ({})\n", v(*file))
            }
            SItem::Delete { name, version, .. } => {
                if plan.prune {
                    o += &format!(
                        "- delete     scheduled {name} ({})\n",
                        version.as_deref().unwrap_or("?")
                    );
                } else {
                    o += &format!(
                        "  orphaned   scheduled {name} ({}): not in the library; --prune deletes it\n",
                        version.as_deref().unwrap_or("?")
                    );
                }
            }
            SItem::Drift { name, diff, .. } => {
                o += &format!(
                    "! drift      scheduled {name}: edited in the console since logplan deployed it\n"
                );
                o += &indent(diff);
            }
            SItem::Unmanaged { name, owner: w, .. } => {
                o += &format!(
                    "? unmanaged  scheduled {name}: {}; import it or rename the file\n",
                    owner(w)
                )
            }
        }
    }
    for n in &plan.notes {
        o += &format!("note: {n}\n");
    }
    let count = |f: &dyn Fn(&Item) -> bool, g: &dyn Fn(&SItem) -> bool| {
        plan.items.iter().filter(|i| f(i)).count() + plan.scheduled.iter().filter(|i| g(i)).count()
    };
    o += &format!(
        "Plan: {} to create, {} to update, {} to delete, {} unchanged, {} drifted, {} unmanaged, {} duplicated.\n",
        count(&|i| matches!(i, Item::Create { .. }), &|i| matches!(
            i,
            SItem::Create { .. }
        )),
        count(
            &|i| matches!(i, Item::Update { .. } | Item::Adopt { .. }),
            &|i| matches!(i, SItem::Update { .. })
        ),
        if plan.prune {
            count(&|i| matches!(i, Item::Delete { .. }), &|i| {
                matches!(i, SItem::Delete { .. })
            })
        } else {
            0
        },
        count(&|i| matches!(i, Item::Unchanged { .. }), &|i| matches!(
            i,
            SItem::Unchanged { .. }
        )),
        plan.drift(),
        plan.unmanaged(),
        plan.duplicates().len(),
    );
    o
}
