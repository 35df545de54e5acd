//! The bundled catalogue in `content/`: it checks without an error or warning, is big enough,
//! fills every row and column of the typology matrix, and every entry is related to another.
//! Run: `cargo test --test cli_bundled`.

mod common;

use common::{build, check_json, repo_root, TempDir};
use std::collections::BTreeMap;

#[test]
fn the_bundled_catalogue_checks_clean() {
    let (run, json) = check_json(&repo_root());
    run.assert_exit(0);
    let json = json.expect("check prints JSON");
    let diags = common::json_diags(&json);
    assert!(
        diags.is_empty(),
        "{} diagnostic(s), e.g. {:?}",
        diags.len(),
        diags.first()
    );
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    let entries = json["entries"].as_u64().expect("entries");
    assert!(entries >= 90, "only {entries} entries");
}

/// One build of the bundled catalogue serves the remaining assertions.
#[test]
fn the_bundled_catalogue_is_balanced_and_connected() {
    let root = repo_root();
    let tmp = TempDir::new("bundled");
    let out = tmp.join("site");
    build(&root, &out, &["--no-search"]).assert_exit(0);

    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("export/katalog.json")).expect("katalog.json"),
    )
    .expect("katalog.json parses");
    let entries = json["entries"].as_array().expect("entries");
    assert!(entries.len() >= 90, "only {} entries", entries.len());

    // At least 25 entries of each type.
    let mut per_type: BTreeMap<&str, usize> = BTreeMap::new();
    for e in entries {
        *per_type
            .entry(e["type"].as_str().expect("type"))
            .or_default() += 1;
    }
    for ty in ["ort", "format", "strategie"] {
        let n = per_type.get(ty).copied().unwrap_or(0);
        assert!(n >= 25, "only {n} entries of type {ty} ({per_type:?})");
    }

    // Every entry is related to at least one other, in either direction.
    let unrelated: Vec<&str> = entries
        .iter()
        .filter(|e| {
            let has = |k: &str| {
                e[k].as_object().is_some_and(|m| {
                    m.values()
                        .any(|v| v.as_array().is_some_and(|a| !a.is_empty()))
                })
            };
            !has("relations") && !has("inverse_relations")
        })
        .map(|e| e["id"].as_str().unwrap_or("?"))
        .collect();
    assert!(
        unrelated.is_empty(),
        "entries without any relation: {unrelated:?}"
    );

    // The typology matrix on the home page: every Handlungsfeld row and every type column has
    // entries, and each cell equals the count computed from the content files.
    let matrix = common::html::home_matrix(&out, "handlungsfelder");
    let vocab = common::read_vocabulary(&root, "handlungsfelder");
    let files = common::read_entries(&root);
    let plurals = [
        ("ort", "Orte"),
        ("format", "Formate"),
        ("strategie", "Strategien"),
    ];
    let mut column_totals: BTreeMap<&str, usize> = BTreeMap::new();
    for (term, _) in &vocab {
        let mut row_total = 0;
        for (type_key, plural) in plurals {
            let expected = files
                .iter()
                .filter(|e| e.type_key == type_key)
                .filter(|e| {
                    common::list_of(&e.fields, "handlungsfeld")
                        .iter()
                        .any(|t| common::with_ancestors(&vocab, t).contains(term))
                })
                .count();
            assert_eq!(
                matrix.get(&(term.clone(), plural.to_string())),
                Some(&expected),
                "matrix cell {term} × {plural}"
            );
            row_total += expected;
            *column_totals.entry(plural).or_default() += expected;
        }
        assert!(row_total > 0, "the matrix row `{term}` is empty");
    }
    for (plural, total) in column_totals {
        assert!(total > 0, "the matrix column {plural} is empty");
    }
}
