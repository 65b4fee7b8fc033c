//! The linter against published queries: every query in `tests/fixtures/query-corpus/` that AWS
//! or another author publishes as working must lint without errors (warnings only where the file
//! says which), and every known-broken query there must be caught with its code, line and column.
//! The README states how many queries the corpus holds from which collection; this test checks it.

use std::collections::BTreeMap;
use std::path::Path;

use logplan::queries::cwli::{Diagnostic, Severity, line_col, lint, lint_ppl, lint_sql};
use serde::Deserialize;

#[derive(Deserialize)]
struct Corpus {
    source: Source,
    query: Vec<Query>,
}

#[derive(Deserialize)]
struct Source {
    collection: String,
    repository: String,
    licence: String,
    language: String,
}

#[derive(Deserialize)]
struct Query {
    title: String,
    /// Where in the repository the query was read (published collections).
    from: Option<String>,
    /// Per query in the known-broken file.
    language: Option<String>,
    text: String,
    /// Warning codes the query raises (published collections); default none.
    #[serde(default)]
    warnings: Vec<String>,
    /// `CODE@line:column` of every finding (known-broken queries).
    #[serde(default)]
    expect: Vec<String>,
}

fn corpus() -> BTreeMap<String, Corpus> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/query-corpus");
    let mut out = BTreeMap::new();
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().and_then(|e| e.to_str()) != Some("toml") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let c: Corpus = toml::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            !c.source.repository.is_empty() && !c.source.licence.is_empty(),
            "{}: every collection names its source and licence",
            path.display()
        );
        out.insert(path.file_name().unwrap().to_string_lossy().into_owned(), c);
    }
    out
}

fn lint_as(language: &str, text: &str) -> Vec<Diagnostic> {
    match language {
        "cwli" => lint(text, false),
        "ppl" => lint_ppl(text),
        "sql" => lint_sql(text),
        other => panic!("unknown language {other}"),
    }
}

#[test]
fn every_published_query_lints_without_errors() {
    let mut checked = 0;
    for (file, c) in corpus() {
        if file == "broken.toml" {
            continue;
        }
        for q in &c.query {
            assert!(
                q.from.is_some(),
                "{file}: {:?} says where it was read",
                q.title
            );
            let d = lint_as(&c.source.language, &q.text);
            let errors: Vec<&Diagnostic> =
                d.iter().filter(|d| d.severity == Severity::Error).collect();
            assert!(
                errors.is_empty(),
                "{file}: {:?} is published as working but lints with errors:\n{}\n{errors:#?}",
                q.title,
                q.text
            );
            let mut warnings: Vec<&str> = d.iter().map(|d| d.code).collect();
            warnings.sort();
            warnings.dedup();
            let mut want: Vec<&str> = q.warnings.iter().map(String::as_str).collect();
            want.sort();
            assert_eq!(warnings, want, "{file}: {:?}\n{}", q.title, q.text);
            checked += 1;
        }
    }
    assert!(checked >= 100, "only {checked} published queries");
}

#[test]
fn known_broken_queries_are_caught_where_they_break() {
    let corpus = corpus();
    let broken = &corpus["broken.toml"];
    assert!(broken.query.len() >= 12);
    for q in &broken.query {
        let language = q
            .language
            .as_deref()
            .expect("each broken query says its language");
        let found: Vec<String> = lint_as(language, &q.text)
            .iter()
            .map(|d| {
                let (line, col) = line_col(&q.text, d.span.start);
                format!("{}@{line}:{col}", d.code)
            })
            .collect();
        assert_eq!(found, q.expect, "{:?}\n{}", q.title, q.text);
    }
}

#[test]
fn readme_states_what_the_corpus_holds() {
    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let mut total = 0;
    for (file, c) in corpus() {
        if file == "broken.toml" {
            continue;
        }
        let line = format!("{} from {}", c.query.len(), c.source.collection);
        assert!(readme.contains(&line), "README lacks {line:?}");
        total += c.query.len();
    }
    let line = format!("holds {total} published queries");
    assert!(readme.contains(&line), "README lacks {line:?}");
}
