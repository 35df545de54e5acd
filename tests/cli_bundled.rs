//! The bundled catalogue in `content/`: it checks without an error or warning, is big enough,
//! fills every row and column of the typology matrix, and every entry is related to another.
//! Run: `cargo test --test cli_bundled`.

mod common;

use common::{check_json, repo_root, TempDir};
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
    common::build_bundled(&out, &["--no-search"]).assert_exit(0);

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

/// The bundled events and collections: every event gives its day or says in `zeitangabe` why it
/// has none; a dated one stands in its year's archive and has an iCalendar file, an undated one
/// has neither; every presented case names its event on its page. Every collection has an
/// introduction and at least five entries, each with a note, shown on its page in file order.
#[test]
fn the_bundled_events_and_collections_are_complete() {
    let root = repo_root();
    let tmp = TempDir::new("bundled-discovery");
    let out = tmp.join("site");
    common::build_bundled(&out, &["--no-search"]).assert_exit(0);
    let read = |p: std::path::PathBuf| {
        std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("read {}: {e}", p.display()))
    };
    let entries = common::read_entries(&root);
    let folder_of: BTreeMap<&str, &str> = entries
        .iter()
        .map(|e| (e.id.as_str(), e.folder.as_str()))
        .collect();

    let events: Vec<_> = entries
        .iter()
        .filter(|e| e.type_key == "veranstaltung")
        .collect();
    assert!(events.len() >= 14, "only {} events", events.len());
    let calendar = out.join("kalender/veranstaltungen");
    for e in &events {
        let text = |k: &str| e.fields.get(k).and_then(|v| v.as_str()).map(str::to_string);
        let link = format!("/veranstaltungen/{}/", e.slug);
        let ics = calendar.join(format!("{}.ics", e.slug));
        match text("termin_beginn") {
            Some(day) => {
                let year = read(calendar.join(&day[..4]).join("index.html"));
                assert!(
                    year.contains(&link),
                    "{} missing in the {} archive",
                    e.id,
                    &day[..4]
                );
                assert!(ics.is_file(), "{} has no iCalendar file", e.id);
            }
            None => {
                let why = text("zeitangabe").unwrap_or_default();
                assert!(
                    !why.trim().is_empty(),
                    "{} has neither a day nor a zeitangabe",
                    e.id
                );
                assert!(!ics.exists(), "undated {} has an iCalendar file", e.id);
            }
        }
        for case in common::list_of(&e.fields, "vorgestellt") {
            let (_, slug) = case.split_once('/').expect("type/slug");
            let folder = folder_of.get(case.as_str()).expect("presented case exists");
            let page = read(out.join(folder).join(slug).join("index.html"));
            assert!(page.contains(&link), "{case} does not name {}", e.id);
        }
    }

    let dir = root.join("content/sammlungen");
    let mut collections: Vec<_> = std::fs::read_dir(&dir)
        .expect("content/sammlungen")
        .flatten()
        .map(|d| d.path())
        .collect();
    collections.sort();
    // Each has its English version beside it (`x.en.md`), which `check` holds to its list.
    let (english, german): (Vec<_>, Vec<_>) = collections
        .into_iter()
        .partition(|p| p.to_string_lossy().ends_with(".en.md"));
    for path in &german {
        let english_version = path.with_extension("en.md");
        assert!(
            english.contains(&english_version),
            "{} has no English version",
            path.display()
        );
        let name = path.file_stem().and_then(|s| s.to_str()).expect("slug");
        let page = read(out.join("en/sammlungen").join(name).join("index.html"));
        assert!(
            !page.contains("class=\"untranslated-note"),
            "{name} in English is marked untranslated"
        );
    }
    let collections = german;
    assert!(
        collections.len() >= 6,
        "only {} collections",
        collections.len()
    );
    for path in collections {
        let text = read(path.clone());
        let rest = text.strip_prefix("---\n").expect("front matter");
        let (head, intro) = rest.split_once("\n---\n").expect("closing ---");
        let name = path.file_stem().and_then(|s| s.to_str()).expect("slug");
        assert!(intro.trim().len() > 200, "{name} has no real introduction");
        let head: casebook::source::yaml::Value =
            casebook::source::yaml::from_str(head).expect("collection yaml");
        let items = head["eintraege"].as_sequence().expect("eintraege");
        assert!(items.len() >= 5, "{name}: {} entries", items.len());
        let page = read(out.join("sammlungen").join(name).join("index.html"));
        let mut at = 0;
        for item in items {
            let map = item.as_mapping().expect("an entry with its note");
            let (id, note) = map.iter().next().expect("one pair");
            let (id, note) = (id.as_str().expect("id"), note.as_str().unwrap_or(""));
            assert!(note.len() > 20, "{name}: {id} has no note");
            let (_, slug) = id.split_once('/').expect("type/slug");
            let link = format!("/{}/{slug}/", folder_of[id]);
            let found = page[at..].find(&link).map(|i| i + at);
            at = found.unwrap_or_else(|| panic!("{name}: {id} missing or out of order"));
        }
    }
}

/// The bundled catalogue in English: at least its 40 most complete entries and every free page
/// are translated (`check` counts the entries).
#[test]
fn the_bundled_catalogue_has_forty_entries_and_its_pages_in_english() {
    let root = repo_root();
    let run = common::check_human(&root);
    run.assert_exit(0);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("en: "))
        .unwrap_or_else(|| panic!("no coverage line in {}", run.stderr));
    let translated: usize = line[4..]
        .split(' ')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("a count");
    assert!(translated >= 40, "{line}");
    for page in std::fs::read_dir(root.join("content/pages"))
        .expect("pages")
        .flatten()
    {
        let path = page.path();
        if !path.to_string_lossy().ends_with(".en.md") {
            assert!(
                path.with_extension("en.md").is_file(),
                "{} has no English version",
                path.display()
            );
        }
    }
}
