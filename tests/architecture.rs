//! The shape of the source tree, checked so that it stays livable: no import cycle between the
//! top-level modules of `src/`, no file under `src/` over 800 lines, no function in `src/model/`
//! over 80 lines, and every file or module that `ARCHITECTURE.md` or the README's layout names
//! exists. Reads the sources as text: a small lexer drops comments and literals, then `crate::`
//! and `super::` paths are resolved to the top-level module they reach.
//!
//! Code in `#[cfg(test)]` modules does not count towards the module graph: a unit test may use a
//! fixture from anywhere (`aws::limited`'s test runs on the demo account, which implements `aws`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const MAX_FILE_LINES: usize = 800;
const MAX_MODEL_FN_LINES: usize = 80;

/// Files over the limit that other work is splitting now, each with what removes it from here.
/// An entry for a file that no longer needs it fails the test, so the list only shrinks.
const LONG_FILE_EXEMPTIONS: &[(&str, &str)] = &[];

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, recursively, sorted.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

fn rel(p: &Path) -> String {
    p.strip_prefix(root()).unwrap().display().to_string()
}

/// The source with comments, string and char literals blanked to spaces (line breaks kept, so
/// line numbers hold).
fn code_only(src: &str) -> String {
    let b: Vec<char> = src.chars().collect();
    let mut out = String::with_capacity(src.len());
    let blank = |c: char| if c == '\n' { '\n' } else { ' ' };
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let next = b.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < b.len() && b[i] != '\n' {
                out.push(' ');
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < b.len() {
                if b[i] == '/' && b.get(i + 1) == Some(&'*') {
                    depth += 1;
                    out.push_str("  ");
                    i += 2;
                } else if b[i] == '*' && b.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    out.push_str("  ");
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('"') || next == Some('#'))
            && !ident_char(b.get(i.wrapping_sub(1)))
        {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while b.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if b.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            loop {
                if j >= b.len() {
                    break;
                }
                if b[j] == '"' && (0..hashes).all(|k| b.get(j + 1 + k) == Some(&'#')) {
                    j += 1 + hashes;
                    break;
                }
                j += 1;
            }
            out.extend(b[i..j.min(b.len())].iter().map(|&c| blank(c)));
            i = j;
        } else if c == '"' {
            out.push(' ');
            i += 1;
            while i < b.len() && b[i] != '"' {
                if b[i] == '\\' {
                    out.push(' ');
                    i += 1;
                }
                if i < b.len() {
                    out.push(blank(b[i]));
                    i += 1;
                }
            }
            out.push(' ');
            i += 1;
        } else if c == '\'' {
            // A char literal ('x', '\n', '\u{..}') or a lifetime ('a).
            let close = if next == Some('\\') {
                (i + 2..b.len().min(i + 12)).find(|&k| b[k] == '\'')
            } else if b.get(i + 2) == Some(&'\'') {
                Some(i + 2)
            } else {
                None
            };
            match close {
                Some(k) => {
                    out.extend(std::iter::repeat_n(' ', k + 1 - i));
                    i = k + 1;
                }
                None => {
                    out.push(c);
                    i += 1;
                }
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn ident_char(c: Option<&char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric() || *c == '_')
}

/// The position of the brace closing the one at `open`.
fn matching_brace(code: &[u8], open: usize) -> usize {
    let mut depth = 0;
    for (k, &c) in code.iter().enumerate().skip(open) {
        match c {
            b'{' => depth += 1,
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return k;
                }
            }
            _ => {}
        }
    }
    code.len()
}

/// `code` without its `#[cfg(test)]` modules.
fn without_test_modules(code: &str) -> String {
    let mut out = code.to_string();
    while let Some(at) = out.find("#[cfg(test)]") {
        let rest = &out[at..];
        let Some(brace) = rest.find('{') else { break };
        let is_mod = rest[..brace].contains("mod ") && !rest[..brace].contains(';');
        let end = if is_mod {
            matching_brace(out.as_bytes(), at + brace) + 1
        } else {
            // An item or statement gated on tests: drop only the attribute.
            at + "#[cfg(test)]".len()
        };
        let blanked: String = out[at..end]
            .chars()
            .map(|c| if c == '\n' { '\n' } else { ' ' })
            .collect();
        out.replace_range(at..end, &blanked);
    }
    out
}

/// The module path of a source file: `src/a/b.rs` and `src/a/b/mod.rs` are `[a, b]`.
fn module_path(file: &Path) -> Vec<String> {
    let rel = file.strip_prefix(root().join("src")).unwrap();
    let mut parts: Vec<String> = rel
        .iter()
        .map(|p| p.to_string_lossy().trim_end_matches(".rs").to_string())
        .collect();
    if parts
        .last()
        .is_some_and(|l| l == "mod" || l == "lib" || l == "main")
    {
        parts.pop();
    }
    parts
}

/// The top-level modules each top-level module uses (test modules left out).
fn module_graph() -> BTreeMap<String, BTreeMap<String, String>> {
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    let top: BTreeSet<String> = code_only(&lib)
        .lines()
        .filter_map(|l| l.trim().strip_prefix("pub mod "))
        .map(|m| m.trim_end_matches(';').trim().to_string())
        .collect();
    assert!(top.contains("model") && top.contains("cli"), "{top:?}");
    let mut graph: BTreeMap<String, BTreeMap<String, String>> = BTreeMap::new();
    for file in files(&root().join("src")) {
        if file.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let path = module_path(&file);
        let Some(me) = path.first().cloned() else {
            continue;
        };
        let code = without_test_modules(&code_only(&std::fs::read_to_string(&file).unwrap()));
        for (line_no, target) in used_modules(&code, &path) {
            if target != me && top.contains(&target) {
                graph
                    .entry(me.clone())
                    .or_default()
                    .entry(target)
                    .or_insert_with(|| format!("{}:{}", rel(&file), line_no));
            }
        }
    }
    graph
}

/// (line, top-level module) for every `crate::x` (also inside `use crate::{x, y}`) and every
/// `super::` chain that climbs to the crate root.
fn used_modules(code: &str, path: &[String]) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let bytes = code.as_bytes();
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let ident_at = |at: usize| -> String {
        code[at..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect()
    };
    let skip_ws = |mut at: usize| {
        while at < bytes.len() && bytes[at].is_ascii_whitespace() {
            at += 1;
        }
        at
    };
    let mut from = 0;
    while let Some(k) = code[from..].find("crate::") {
        let at = from + k;
        from = at + 7;
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let after = skip_ws(at + 7);
        if bytes.get(after) == Some(&b'{') {
            let end = matching_brace(bytes, after);
            let mut depth = 0;
            let mut start_of_item = true;
            for (j, &c) in bytes.iter().enumerate().take(end).skip(after + 1) {
                match c {
                    b'{' => depth += 1,
                    b'}' => depth -= 1,
                    b',' if depth == 0 => start_of_item = true,
                    c if c.is_ascii_whitespace() => {}
                    _ if start_of_item && depth == 0 => {
                        out.push((line_of(j), ident_at(j)));
                        start_of_item = false;
                    }
                    _ => start_of_item = false,
                }
            }
        } else {
            out.push((line_of(at), ident_at(after)));
        }
    }
    // super:: chains: each climbs one level from the file's module.
    let mut from = 0;
    while let Some(k) = code[from..].find("super::") {
        let at = from + k;
        from = at + 7;
        if at > 0
            && (bytes[at - 1].is_ascii_alphanumeric()
                || bytes[at - 1] == b'_'
                || bytes[at - 1] == b':')
        {
            continue;
        }
        let mut level = path.len();
        let mut p = at;
        while code[p..].starts_with("super::") {
            level = level.saturating_sub(1);
            p += 7;
        }
        if level == 0 {
            out.push((line_of(at), ident_at(skip_ws(p))));
        }
    }
    out
}

/// A cycle in the graph, if there is one, as the modules along it.
fn find_cycle(graph: &BTreeMap<String, BTreeMap<String, String>>) -> Option<Vec<String>> {
    fn visit(
        n: &str,
        graph: &BTreeMap<String, BTreeMap<String, String>>,
        state: &mut BTreeMap<String, u8>,
        stack: &mut Vec<String>,
    ) -> Option<Vec<String>> {
        state.insert(n.to_string(), 1);
        stack.push(n.to_string());
        for m in graph.get(n).into_iter().flat_map(|e| e.keys()) {
            match state.get(m.as_str()).copied().unwrap_or(0) {
                1 => {
                    let from = stack.iter().position(|s| s == m).unwrap();
                    let mut cycle = stack[from..].to_vec();
                    cycle.push(m.clone());
                    return Some(cycle);
                }
                0 => {
                    if let Some(c) = visit(m, graph, state, stack) {
                        return Some(c);
                    }
                }
                _ => {}
            }
        }
        stack.pop();
        state.insert(n.to_string(), 2);
        None
    }
    let mut state = BTreeMap::new();
    for n in graph.keys() {
        if state.get(n.as_str()).copied().unwrap_or(0) == 0 {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, graph, &mut state, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

#[test]
fn no_import_cycle_between_top_level_modules() {
    let graph = module_graph();
    if let Some(cycle) = find_cycle(&graph) {
        let steps: Vec<String> = cycle
            .windows(2)
            .map(|w| format!("{} -> {} ({})", w[0], w[1], graph[&w[0]][&w[1]]))
            .collect();
        panic!("import cycle: {}", steps.join(", "));
    }
    // The layering the docs promise: arguments and glue above the domain, never below it.
    for (m, uses) in &graph {
        if m != "app" {
            assert!(!uses.contains_key("app"), "{m} uses app ({})", uses["app"]);
        }
        if !["app", "commands"].contains(&m.as_str()) {
            assert!(
                !uses.contains_key("cli") && !uses.contains_key("commands"),
                "{m} is a domain module and uses the command line: {uses:?}"
            );
        }
    }
}

#[test]
fn the_cycle_finder_finds_cycles() {
    // The test above passes only if this one can fail.
    let edge = |a: &str, b: &str| (a.to_string(), [(b.to_string(), String::new())].into());
    let g: BTreeMap<String, BTreeMap<String, String>> =
        [edge("a", "b"), edge("b", "c"), edge("c", "a")].into();
    assert_eq!(find_cycle(&g).unwrap(), ["a", "b", "c", "a"]);
    let g: BTreeMap<_, _> = [edge("a", "b"), edge("b", "c")].into();
    assert_eq!(find_cycle(&g), None);
    let code = code_only(
        "use crate::{model::Path, money};\n// crate::report\nlet s = \"crate::cli\";\nsuper::super::demo::x();\n#[cfg(test)]\nmod tests { use crate::aws; }\n",
    );
    let used = used_modules(&without_test_modules(&code), &["a".into(), "b".into()]);
    assert_eq!(
        used,
        [
            (1, "model".to_string()),
            (1, "money".to_string()),
            (4, "demo".to_string())
        ]
    );
}

#[test]
fn no_file_under_src_is_too_long() {
    let mut long = Vec::new();
    let mut exempt_used = BTreeSet::new();
    for file in files(&root().join("src")) {
        let Ok(text) = std::fs::read_to_string(&file) else {
            continue;
        };
        let lines = text.lines().count();
        let name = rel(&file);
        if lines > MAX_FILE_LINES {
            match LONG_FILE_EXEMPTIONS.iter().find(|(f, _)| *f == name) {
                Some(_) => {
                    exempt_used.insert(name);
                }
                None => long.push(format!("{name}: {lines} lines")),
            }
        }
    }
    assert!(
        long.is_empty(),
        "files over {MAX_FILE_LINES} lines (split them by job): {long:?}"
    );
    for (f, why) in LONG_FILE_EXEMPTIONS {
        assert!(
            exempt_used.contains(*f),
            "{f} is exempt ({why}) but no longer needs it: remove it from LONG_FILE_EXEMPTIONS"
        );
    }
}

/// (name, first line, lines) of every function with a body in `code`.
fn functions(code: &str) -> Vec<(String, usize, usize)> {
    let bytes = code.as_bytes();
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(k) = code[from..].find("fn ") {
        let at = from + k;
        from = at + 3;
        if at > 0 && (bytes[at - 1].is_ascii_alphanumeric() || bytes[at - 1] == b'_') {
            continue;
        }
        let name: String = code[at + 3..]
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() {
            continue; // a `fn(...)` type
        }
        // The body starts at the first `{` before any `;` (a declaration has no body).
        let rest = &code[at..];
        let (Some(brace), semi) = (rest.find('{'), rest.find(';')) else {
            continue;
        };
        if semi.is_some_and(|s| s < brace) {
            continue;
        }
        let end = matching_brace(bytes, at + brace);
        let first = code[..at].matches('\n').count() + 1;
        let last = code[..end].matches('\n').count() + 1;
        out.push((name, first, last - first + 1));
    }
    out
}

#[test]
fn no_function_in_the_model_is_too_long() {
    let mut long = Vec::new();
    for file in files(&root().join("src/model")) {
        let code = code_only(&std::fs::read_to_string(&file).unwrap());
        for (name, line, len) in functions(&code) {
            if len > MAX_MODEL_FN_LINES {
                long.push(format!("{}:{line} fn {name}: {len} lines", rel(&file)));
            }
        }
    }
    assert!(
        long.is_empty(),
        "functions in src/model over {MAX_MODEL_FN_LINES} lines: {long:?}"
    );
    // The measure itself: a three-line function is three lines, a declaration is none.
    let f = functions("trait T { fn a(&self); }\nfn b() {\n    x();\n}\n");
    assert_eq!(f, [("b".to_string(), 2, 3)]);
}

/// Backquoted paths in a document: `src/...`, `tests/...`, `scripts/...` files and folders, and
/// `crate::a::b` modules.
fn named_paths(doc: &str) -> Vec<String> {
    doc.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            [
                "src/",
                "tests/",
                "benches/",
                "scripts/",
                "fake-aws/",
                ".ci/",
                "crate::",
            ]
            .iter()
            .any(|p| s.starts_with(p))
                && !s.contains(' ')
                && !s.contains('<')
                && !s.contains('*')
        })
        .map(str::to_string)
        .collect()
}

fn exists(name: &str) -> bool {
    let Some(path) = name.strip_prefix("crate::") else {
        return root().join(name.trim_end_matches('/')).exists();
    };
    // `crate::model::pools::Pools::add`: the longest prefix that is a module file, then items
    // that its source must define or re-export (each name must occur in it as a word).
    let parts: Vec<&str> = path.split("::").collect();
    for n in (1..=parts.len()).rev() {
        let p = root().join("src").join(parts[..n].join("/"));
        let file = [p.with_extension("rs"), p.join("mod.rs")]
            .into_iter()
            .find(|f| f.is_file());
        if let Some(file) = file {
            let code = std::fs::read_to_string(file).unwrap();
            let words: BTreeSet<&str> = code
                .split(|c: char| !(c.is_alphanumeric() || c == '_'))
                .collect();
            return parts[n..].iter().all(|item| words.contains(item));
        }
    }
    false
}

#[test]
fn the_docs_name_only_what_exists() {
    let arch = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let layout = readme
        .split("\n## Layout")
        .nth(1)
        .and_then(|s| s.split("\n## ").next())
        .expect("the README has a Layout section");
    for (doc, text) in [
        ("ARCHITECTURE.md", arch.as_str()),
        ("README.md, Layout", layout),
    ] {
        let names = named_paths(text);
        assert!(names.len() > 10, "{doc} names few paths: {names:?}");
        let gone: Vec<&String> = names.iter().filter(|n| !exists(n)).collect();
        assert!(
            gone.is_empty(),
            "{doc} names what is not in the tree: {gone:?}"
        );
    }
    // A module is its file; the items after it must be in that file.
    assert!(exists("crate::model::pools::Pools::add"));
    assert!(!exists("crate::model::gone"));
    assert!(!exists("crate::model::pools::Gone"));
    assert!(!exists("src/model/gone.rs"));
    // Every top-level module is in ARCHITECTURE.md.
    let lib = std::fs::read_to_string(root().join("src/lib.rs")).unwrap();
    for m in lib.lines().filter_map(|l| l.strip_prefix("pub mod ")) {
        let m = m.trim_end_matches(';');
        assert!(
            arch.contains(&format!("src/{m}")),
            "ARCHITECTURE.md does not say where {m} (src/{m}) fits"
        );
    }
}
