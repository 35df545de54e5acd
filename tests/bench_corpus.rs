//! The benchmark corpus generator (examples/gen_corpus.rs) keeps what BENCHMARKS.md relies on:
//! the same N gives the same files, a smaller corpus is the beginning of a larger one, the
//! corpus passes `casebook check` against the bundled schema without a problem and builds, its
//! entries have the size and shape the issue asks for (about 350 words with headings and lists,
//! six facets with a 400-town Stadt facet, 2–4 references), and the Hugo twin has a page for
//! every entry. The generator is compiled with plain `rustc`, as benches/bench.sh can.
//! Run: `cargo test --test bench_corpus`.

mod common;

use common::{build, check_json, compile_generator, generate, TempDir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

const TYPE_FOLDERS: [&str; 3] = ["orte", "formate", "strategien"];

/// Every file below `dir`, by path relative to it, with its bytes.
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.expect("walk the corpus"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).expect("read a corpus file"))
        })
        .collect()
}

/// The entry files of a casebook corpus (or of its Hugo twin, without the section pages).
fn entry_files(content: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for folder in TYPE_FOLDERS {
        for e in std::fs::read_dir(content.join(folder)).expect("a type folder") {
            let path = e.unwrap().path();
            if path.extension().is_some_and(|x| x == "md")
                && path.file_name().is_some_and(|n| n != "_index.md")
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_generated_corpus_is_deterministic_valid_and_shaped_as_the_benchmarks_say() {
    let tmp = TempDir::new("bench-corpus");
    let program = compile_generator(tmp.path());
    let (a, b, small, hugo) = (
        tmp.join("a"),
        tmp.join("b"),
        tmp.join("small"),
        tmp.join("hugo"),
    );
    const N: usize = 150;
    generate(&program, N, &a, Some(&hugo));
    generate(&program, N, &b, None);
    generate(&program, 60, &small, None);

    // The same N, the same bytes.
    let corpus = files(&a);
    assert!(corpus == files(&b), "two runs with N = {N} differ");
    // A smaller corpus is the beginning of a larger one: each of its files is in it, unchanged.
    for (rel, bytes) in files(&small) {
        assert!(
            corpus.get(&rel) == Some(&bytes),
            "{} of the 60-entry corpus is not in the {N}-entry one as it is",
            rel.display()
        );
    }

    // Valid against the bundled schema, without a warning.
    let (run, json) = check_json(&a);
    let json = json.unwrap_or_else(|| panic!("no JSON from check:\n{}", run.output()));
    assert_eq!(run.code, Some(0), "{}", run.output());
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(0), Some(0))
    );

    // N entries over the three types, each about 350 words of Markdown with headings and lists.
    let content = a.join("content");
    let entries = entry_files(&content);
    assert_eq!(entries.len(), N);
    for folder in TYPE_FOLDERS {
        let in_folder = entries
            .iter()
            .filter(|p| p.parent().unwrap().ends_with(folder));
        assert!(in_folder.count() >= N / 4, "too few entries in {folder}");
    }
    let mut total_words = 0;
    for path in &entries {
        let text = std::fs::read_to_string(path).unwrap();
        let body = text
            .splitn(3, "---\n")
            .nth(2)
            .expect("front matter and body");
        let words = body.split_whitespace().count();
        assert!(
            (300..=450).contains(&words),
            "{}: {words} words",
            path.display()
        );
        assert!(body.contains("\n## "), "{}: no heading", path.display());
        assert!(
            body.contains("\n- ") || body.contains("\n1. "),
            "{}: no list",
            path.display()
        );
        total_words += words;
    }
    let mean = total_words / N;
    assert!((330..=400).contains(&mean), "mean body length {mean} words");

    // Six facet vocabularies, among them the 400 towns of the Stadt facet.
    let vocabularies = std::fs::read_dir(content.join("vocabularies"))
        .unwrap()
        .count();
    assert_eq!(vocabularies, 6);
    let towns = common::read_yaml(&content.join("vocabularies/staedte.yaml"));
    assert_eq!(towns["terms"].as_sequence().map(Vec::len), Some(400));

    // It builds; an entry has at most four references, nearly all have two or more (the first
    // entries have fewer earlier ones to point to).
    let out = tmp.join("out");
    let run = build(&a, &out, &["--no-search", "-q"]);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let catalogue: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("export/katalog.json")).unwrap()).unwrap();
    let counts: Vec<usize> = catalogue["entries"]
        .as_array()
        .expect("entries in katalog.json")
        .iter()
        .map(|e| {
            let relations = e["relations"].as_object().expect("relations");
            relations
                .values()
                .map(|v| v.as_array().map_or(0, Vec::len))
                .sum()
        })
        .collect();
    assert_eq!(counts.len(), N);
    assert!(counts.iter().all(|&c| c <= 4), "{counts:?}");
    let two_or_more = counts.iter().filter(|&&c| c >= 2).count();
    assert!(
        two_or_more * 10 >= N * 9,
        "{two_or_more} of {N} with 2–4 references"
    );

    // The Hugo twin: a page per entry, the same six taxonomies, and its templates.
    let hugo_content = hugo.join("content");
    assert_eq!(entry_files(&hugo_content).len(), N);
    for taxonomy in [
        "handlungsfelder",
        "themen",
        "raumtypen",
        "akteursgruppen",
        "staedte",
        "bundeslaender",
    ] {
        assert!(
            hugo_content.join(taxonomy).is_dir(),
            "no {taxonomy} in the Hugo site"
        );
    }
    assert!(hugo.join("layouts/_default/single.html").is_file());
    assert!(hugo.join("config.toml").is_file());
}
