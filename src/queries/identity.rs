//! How logplan recognises what it deployed: the library identity (`library_id` in
//! `logplan.toml`), the marker line at the end of a deployed Logs Insights QL or SQL query, the
//! marker in a scheduled query's description, the state definition that records the PPL
//! definitions logplan created (PPL has no comments), and the idempotency tokens of creates.
//!
//! Marker: `# logplan: lib=<library_id> version=<semver> sha256=<16 hex> name=<console name>`
//! (`-- logplan: ...` for SQL). The name comes last because console names may hold spaces. The
//! hash covers the language, the sorted log groups and the query text, so an edit in the console
//! shows as drift. Markers written before library identities (`name=... version=... sha256=...`)
//! parse with `lib: None`: logplan adopts such a definition when its library has the name, and
//! never prunes it, since it cannot prove whose it is.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::file::Language;

/// Library ids are checked where the configuration is read.
pub use crate::config::check_library_id;

/// A fresh library id: `lp-` and 16 hex digits of SHA-256 over the time, the process id and the
/// working directory. Unique enough to tell teams apart; it is an identity, not a secret.
pub fn new_library_id() -> String {
    let mut h = Sha256::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.update(now.to_le_bytes());
    h.update(std::process::id().to_le_bytes());
    if let Ok(dir) = std::env::current_dir() {
        h.update(dir.to_string_lossy().as_bytes());
    }
    // Two calls in the same nanosecond of the same process differ by a counter.
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    h.update(
        COUNTER
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed)
            .to_le_bytes(),
    );
    format!("lp-{}", hex16(&h.finalize()))
}

fn hex16(digest: &[u8]) -> String {
    digest.iter().take(8).map(|b| format!("{b:02x}")).collect()
}

/// 16 hex digits of SHA-256 over `parts`, each followed by a newline.
pub fn hash_of(parts: &[&str]) -> String {
    let mut h = Sha256::new();
    for p in parts {
        h.update(p.as_bytes());
        h.update(b"\n");
    }
    hex16(&h.finalize())
}

/// The hash of a definition's content: language, sorted log groups, query text.
pub fn content_hash(language: Language, log_groups: &[String], body: &str) -> String {
    let mut groups = log_groups.to_vec();
    groups.sort();
    hash_of(&[language.api(), &groups.join(","), body.trim_end()])
}

/// What a marker says.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Marker {
    /// `None` for a marker written before library identities.
    pub lib: Option<String>,
    pub name: String,
    pub version: String,
    pub hash: String,
}

fn comment_prefix(language: Language) -> Option<&'static str> {
    match language {
        Language::Cwli => Some("# logplan:"),
        Language::Sql => Some("-- logplan:"),
        Language::Ppl => None,
    }
}

/// The query text to deploy: the body, then the marker line (CWLI, SQL); PPL as it is.
pub fn deployed_text(
    language: Language,
    body: &str,
    log_groups: &[String],
    lib: &str,
    name: &str,
    version: &str,
) -> String {
    let body = body.trim_end();
    match comment_prefix(language) {
        Some(prefix) => format!(
            "{body}\n{prefix} lib={lib} version={version} sha256={} name={name}",
            content_hash(language, log_groups, body)
        ),
        None => body.to_string(),
    }
}

/// The length in characters of the marker line (and the newline before it) that `deployed_text`
/// adds: what lint checks against the 10,000-character limit.
pub fn marker_len(language: Language, lib: &str, name: &str, version: &str) -> usize {
    match comment_prefix(language) {
        Some(prefix) => {
            1 + prefix.chars().count()
                + " lib= version= sha256= name=".chars().count()
                + lib.chars().count()
                + version.chars().count()
                + 16
                + name.chars().count()
        }
        None => 0,
    }
}

/// Split a deployed text into (body, marker).
pub fn parse_marker(text: &str) -> (String, Option<Marker>) {
    let trimmed = text.trim_end();
    let (body, last) = match trimmed.rfind('\n') {
        Some(i) => (&trimmed[..i], trimmed[i + 1..].trim()),
        None => ("", trimmed.trim()),
    };
    let Some(rest) = last
        .strip_prefix("# logplan:")
        .or_else(|| last.strip_prefix("-- logplan:"))
    else {
        return (text.to_string(), None);
    };
    let rest = rest.trim_start();
    // Current form: key=value words, then `name=` and the rest of the line.
    let (words, name) = match rest.find(" name=") {
        Some(i) if !rest.starts_with("name=") => (&rest[..i], Some(rest[i + 6..].to_string())),
        _ => (rest, None),
    };
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for kv in words.split_whitespace() {
        if let Some((k, v)) = kv.split_once('=') {
            fields.insert(k, v);
        }
    }
    let name = name.or_else(|| fields.get("name").map(|n| n.to_string()));
    match (name, fields.get("version"), fields.get("sha256")) {
        (Some(n), Some(v), Some(h)) => (
            body.to_string(),
            Some(Marker {
                lib: fields.get("lib").map(|l| l.to_string()),
                name: n,
                version: v.to_string(),
                hash: h.to_string(),
            }),
        ),
        _ => (text.to_string(), None),
    }
}

/// The marker a scheduled query carries at the end of its description (any language: the
/// description is free text): ` [logplan lib=<id> version=<v> sha256=<16 hex>]`.
pub fn scheduled_description(description: &str, lib: &str, version: &str, hash: &str) -> String {
    let d = description.trim();
    let marker = format!("[logplan lib={lib} version={version} sha256={hash}]");
    if d.is_empty() {
        marker
    } else {
        format!("{d} {marker}")
    }
}

/// The marker's characters in a scheduled query's description, for the 1,024 limit.
pub fn scheduled_marker_len(lib: &str, version: &str) -> usize {
    "[logplan lib= version= sha256=]".len() + lib.len() + version.len() + 16 + 1
}

/// Split a scheduled query's description into (user text, marker).
pub fn parse_scheduled_description(description: &str) -> (String, Option<Marker>) {
    let d = description.trim_end();
    let Some(start) = d.rfind("[logplan ") else {
        return (description.to_string(), None);
    };
    let Some(inner) = d[start + 1..].strip_suffix(']') else {
        return (description.to_string(), None);
    };
    let mut fields: BTreeMap<&str, &str> = BTreeMap::new();
    for kv in inner.split_whitespace().skip(1) {
        if let Some((k, v)) = kv.split_once('=') {
            fields.insert(k, v);
        }
    }
    match (fields.get("version"), fields.get("sha256")) {
        (Some(v), Some(h)) => (
            d[..start].trim_end().to_string(),
            Some(Marker {
                lib: fields.get("lib").map(|l| l.to_string()),
                name: String::new(),
                version: v.to_string(),
                hash: h.to_string(),
            }),
        ),
        _ => (description.to_string(), None),
    }
}

/// An idempotency token for a create (PutQueryDefinition `clientToken`, 36-128 characters):
/// derived from what is created, so a retried request, and a rerun of an interrupted apply,
/// send the same token and AWS answers with the definition it already made.
pub fn client_token(lib: &str, name: &str, version: &str, hash: &str) -> String {
    let h = hash_of(&["create", lib, name, version, hash]);
    let h2 = hash_of(&["create-2", lib, name, version, hash]);
    // UUID-shaped: 8-4-4-4-12 hex digits.
    let all = format!("{h}{h2}");
    format!(
        "{}-{}-{}-{}-{}",
        &all[0..8],
        &all[8..12],
        &all[12..16],
        &all[16..20],
        &all[20..32]
    )
}

/// The state definition's name: where logplan records the PPL definitions it created, under the
/// target's folder.
pub fn state_name(prefix: Option<&str>, lib: &str) -> String {
    super::deploy::target_name(prefix, &format!(".logplan/{lib}"))
}

/// One PPL definition logplan created, as the state records it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PplEntry {
    /// `None` while the create is under way (the id is not known yet).
    pub id: Option<String>,
    pub name: String,
    pub version: String,
    /// The content hash of what logplan deployed.
    pub hash: String,
}

/// The PPL state: what logplan proves it created. Stored as the text of a query definition
/// (comment lines, then a query that runs harmlessly), checked by its own hash.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PplState {
    pub entries: Vec<PplEntry>,
}

impl PplState {
    fn entry_line(e: &PplEntry) -> String {
        match &e.id {
            Some(id) => format!(
                "# ppl id={id} version={} sha256={} name={}",
                e.version, e.hash, e.name
            ),
            None => format!(
                "# pending version={} sha256={} name={}",
                e.version, e.hash, e.name
            ),
        }
    }

    /// The state definition's query text.
    pub fn encode(&self, lib: &str) -> String {
        let mut entries = self.entries.clone();
        entries.sort_by(|a, b| (&a.name, &a.id).cmp(&(&b.name, &b.id)));
        let lines: Vec<String> = entries.iter().map(Self::entry_line).collect();
        let check = hash_of(&lines.iter().map(String::as_str).collect::<Vec<_>>());
        let mut o = format!(
            "# logplan state: lib={lib}. The PPL definitions this library created (PPL has no\n# comments for a marker). Edited by `logplan queries apply` only.\n"
        );
        for l in &lines {
            o += l;
            o.push('\n');
        }
        o += &format!("# state sha256={check}\nfields @timestamp\n| limit 1");
        o
    }

    /// Read a state definition's text. `Err` when it is not a state of `lib` or its checksum
    /// does not verify (edited by hand): then nothing in it is proof.
    pub fn decode(text: &str, lib: &str) -> Result<PplState, String> {
        let mut lines = text.lines();
        let head = lines.next().unwrap_or("");
        if head.trim()
            != format!(
                "# logplan state: lib={lib}. The PPL definitions this library created (PPL has no"
            )
            .trim()
        {
            return Err("not a logplan state of this library".into());
        }
        let mut entry_lines = Vec::new();
        let mut check = None;
        for l in lines {
            if let Some(c) = l.strip_prefix("# state sha256=") {
                check = Some(c.trim().to_string());
            } else if l.starts_with("# ppl ") || l.starts_with("# pending ") {
                entry_lines.push(l.to_string());
            }
        }
        let want = hash_of(&entry_lines.iter().map(String::as_str).collect::<Vec<_>>());
        if check.as_deref() != Some(want.as_str()) {
            return Err("its checksum does not match its entries (edited outside logplan)".into());
        }
        let mut entries = Vec::new();
        for l in entry_lines {
            let pending = l.starts_with("# pending ");
            let rest = l
                .trim_start_matches("# ppl ")
                .trim_start_matches("# pending ");
            let (words, name) = rest
                .split_once(" name=")
                .ok_or_else(|| format!("state line without a name: {l}"))?;
            let mut f: BTreeMap<&str, &str> = BTreeMap::new();
            for kv in words.split_whitespace() {
                if let Some((k, v)) = kv.split_once('=') {
                    f.insert(k, v);
                }
            }
            entries.push(PplEntry {
                id: if pending {
                    None
                } else {
                    Some(
                        f.get("id")
                            .ok_or_else(|| format!("state line without an id: {l}"))?
                            .to_string(),
                    )
                },
                name: name.to_string(),
                version: f.get("version").unwrap_or(&"").to_string(),
                hash: f
                    .get("sha256")
                    .ok_or_else(|| format!("state line without a hash: {l}"))?
                    .to_string(),
            });
        }
        Ok(PplState { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markers_round_trip_with_spaces_in_names() {
        let groups = vec!["/b".to_string(), "/a".to_string()];
        let text = deployed_text(
            Language::Cwli,
            "fields @message\n| limit 5\n",
            &groups,
            "lp-1",
            "team/general/25 most recent logs",
            "1.2.3",
        );
        assert_eq!(
            text.chars().count(),
            "fields @message\n| limit 5".chars().count()
                + marker_len(
                    Language::Cwli,
                    "lp-1",
                    "team/general/25 most recent logs",
                    "1.2.3"
                )
        );
        let (body, m) = parse_marker(&text);
        let m = m.unwrap();
        assert_eq!(body, "fields @message\n| limit 5");
        assert_eq!(m.lib.as_deref(), Some("lp-1"));
        assert_eq!(m.name, "team/general/25 most recent logs");
        assert_eq!(m.version, "1.2.3");
        // The hash does not depend on the order of the groups.
        assert_eq!(
            m.hash,
            content_hash(Language::Cwli, &["/a".into(), "/b".into()], &body)
        );
        // A marker from before library ids.
        let (_, old) =
            parse_marker("fields a\n# logplan: name=x/y version=1.0.0 sha256=0123456789abcdef");
        let old = old.unwrap();
        assert_eq!((old.lib, old.name.as_str()), (None, "x/y"));
        assert_eq!(parse_marker("fields a").1, None);
        let sql = deployed_text(Language::Sql, "SELECT 1 FROM `a`", &[], "l", "n", "1.0.0");
        assert!(
            sql.contains("\n-- logplan: lib=l version=1.0.0 sha256=") && sql.ends_with(" name=n"),
            "{sql}"
        );
        assert_eq!(
            deployed_text(
                Language::Ppl,
                "source=`a` | head 1\n",
                &[],
                "l",
                "n",
                "1.0.0"
            ),
            "source=`a` | head 1"
        );
    }

    #[test]
    fn scheduled_descriptions_carry_the_marker() {
        let d = scheduled_description("Blocked requests", "lp-x", "2.0.0", "0011223344556677");
        assert_eq!(
            d,
            "Blocked requests [logplan lib=lp-x version=2.0.0 sha256=0011223344556677]"
        );
        assert_eq!(
            d.len(),
            "Blocked requests".len() + scheduled_marker_len("lp-x", "2.0.0")
        );
        let (user, m) = parse_scheduled_description(&d);
        assert_eq!(user, "Blocked requests");
        let m = m.unwrap();
        assert_eq!(
            (m.lib.as_deref(), m.version.as_str()),
            (Some("lp-x"), "2.0.0")
        );
        assert_eq!(parse_scheduled_description("made by hand").1, None);
    }

    #[test]
    fn ppl_state_is_checked_by_its_own_hash() {
        let s = PplState {
            entries: vec![
                PplEntry {
                    id: Some("id-2".into()),
                    name: "team/b c".into(),
                    version: "1.0.0".into(),
                    hash: "00000000000000bb".into(),
                },
                PplEntry {
                    id: None,
                    name: "team/a".into(),
                    version: "2.0.0".into(),
                    hash: "00000000000000aa".into(),
                },
            ],
        };
        let text = s.encode("lp-1");
        assert!(text.len() < 10_000);
        let back = PplState::decode(&text, "lp-1").unwrap();
        assert_eq!(back.entries.len(), 2);
        assert_eq!(back.entries[0].name, "team/a", "sorted by name");
        assert_eq!(back.entries[0].id, None);
        assert_eq!(back.entries[1].id.as_deref(), Some("id-2"));
        // Another library's state, or one edited by hand, proves nothing.
        assert!(PplState::decode(&text, "lp-2").is_err());
        let forged = text.replace("id=id-2", "id=someone-elses");
        assert!(PplState::decode(&forged, "lp-1").is_err());
    }

    #[test]
    fn ids_and_tokens() {
        assert!(check_library_id(&new_library_id()).is_ok());
        for bad in ["", "has space", "a=b", &"x".repeat(65)] {
            assert!(check_library_id(bad).is_err(), "{bad:?}");
        }
        let t = client_token("lp", "n", "1.0.0", "h");
        assert_eq!(t.len(), 36);
        assert_eq!(
            t,
            client_token("lp", "n", "1.0.0", "h"),
            "stable across runs"
        );
        assert_ne!(t, client_token("lp", "n", "1.0.1", "h"));
    }
}
