//! The shape of the code, as the README describes it: the pipeline reads one way,
//! config → model → load → check → resolve → render → output, with export and search beside
//! render and the site, build and serve on top. A module may use only the modules before it
//! in [`ORDER`], which also rules out every import circle; `model` uses none of the pipeline.
//! The check reads `crate::` paths in the sources (tests left out), as a newcomer would.
//! Run: `cargo test --test architecture`.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// Every module of `src/`, each allowed to use only those before it.
const ORDER: &[&str] = &[
    // Leaves that every step may use.
    "urls",
    "escape",
    "diagnostic",
    "source",
    "sink",
    // The pipeline.
    "config",
    "model",
    "markdown",
    "load",
    "check",
    "resolve",
    "media",
    "render",
    "export",
    "search",
    "output",
    // `check --links`: the catalogue's external addresses asked for over HTTP.
    "links",
    // What runs the pipeline.
    "site",
    "build",
    "serve",
    "lsp",
    "schema",
    "scaffold",
    // The command line's output: the binary's own module, beside main.rs.
    "console",
];

/// The crate root's own items (`crate::fingerprinter`), usable from anywhere.
const ROOT_ITEMS: &[&str] = &["fingerprinter", "Fingerprinter"];

/// Module → the modules its non-test code names with `crate::`.
fn imports() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    let mut stack = vec![src.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            if path.extension().is_none_or(|e| e != "rs") {
                continue;
            }
            let rel = path.strip_prefix(&src).expect("below src");
            let first = rel.components().next().expect("a component");
            let module = first
                .as_os_str()
                .to_string_lossy()
                .trim_end_matches(".rs")
                .to_string();
            if module == "lib" || module == "main" {
                continue;
            }
            let text = std::fs::read_to_string(&path).expect("read a source file");
            let code = text.split("#[cfg(test)]").next().unwrap_or_default();
            let uses = graph.entry(module.clone()).or_default();
            for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
                for (at, _) in line.match_indices("crate::") {
                    let name: String = line[at + "crate::".len()..]
                        .chars()
                        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                        .collect();
                    if name != module && !ROOT_ITEMS.contains(&name.as_str()) {
                        uses.insert(name);
                    }
                }
            }
        }
    }
    graph
}

#[test]
fn every_module_uses_only_the_steps_before_it() {
    let graph = imports();
    let position = |m: &str| ORDER.iter().position(|o| *o == m);
    let mut problems = Vec::new();
    for (module, uses) in &graph {
        let Some(at) = position(module) else {
            problems.push(format!(
                "`{module}` is not in ORDER: place it in the pipeline"
            ));
            continue;
        };
        for used in uses {
            match position(used) {
                None => problems.push(format!("`{module}` uses `{used}`, which is not in ORDER")),
                Some(p) if p >= at => {
                    problems.push(format!("`{module}` uses `{used}`, a later step"))
                }
                _ => {}
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The checker reads what it should: the pipeline's known edges are seen.
    assert!(graph["check"].contains("load") && graph["site"].contains("render"));
}

#[test]
fn the_model_uses_no_step_of_the_pipeline() {
    let graph = imports();
    assert!(graph["model"].is_empty(), "model uses {:?}", graph["model"]);
}
#[test]
fn no_source_file_is_longer_than_600_lines() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut long = Vec::new();
    let mut stack = vec![src];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let lines = std::fs::read_to_string(&path)
                    .expect("read")
                    .lines()
                    .count();
                if lines > 600 {
                    long.push(format!("{} ({lines} lines)", path.display()));
                }
            }
        }
    }
    long.sort();
    assert!(long.is_empty(), "split by job:\n{}", long.join("\n"));
}
