//! Incremental rebuilds in `serve` must produce exactly what a full build produces. This test
//! applies seeded random sequences of edits (change, add, rename, delete, break, fix) to a copy of
//! the bundled catalogue and compares the two after every step, file for file.
//!
//! Edits in place (no file appears or vanishes) take `serve`'s short path, which updates the
//! catalogue graph around the edited entries instead of resolving it again; their own sequences
//! move entries in title order, change terms (and so the similar entries of others), change
//! references (and so backlinks), edit free pages and several files at once.

mod common;

use casebook::serve::session::{Session, SiteFiles};
use common::Rng;
use std::fs;
use std::path::{Path, PathBuf};

fn copy_dir(from: &Path, to: &Path) {
    fs::create_dir_all(to).unwrap();
    for item in fs::read_dir(from).unwrap() {
        let item = item.unwrap();
        let target = to.join(item.file_name());
        if item.file_type().unwrap().is_dir() {
            copy_dir(&item.path(), &target);
        } else {
            fs::copy(item.path(), &target).unwrap();
        }
    }
}

/// A fresh copy of the bundled catalogue (content only; the built-in theme is used) in German
/// only, removed when dropped. (An edit in a site of several languages remakes the other
/// languages' sites; `serve_equals_build_in_two_languages` holds those rebuilds to builds.)
fn catalogue_copy(name: &str) -> tempfile::TempDir {
    let dir = tempfile::Builder::new()
        .prefix(&format!("casebook-incremental-{name}-"))
        .tempdir()
        .unwrap();
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("content"),
        &dir.path().join("content"),
    );
    common::in_one_language(dir.path());
    dir
}

fn entry_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in ["orte", "formate", "strategien"] {
        for item in fs::read_dir(root.join("content").join(folder)).unwrap() {
            files.push(item.unwrap().path());
        }
    }
    files.sort();
    files
}

/// The outcome of a build, comparable between the two sessions.
#[derive(Debug, PartialEq)]
enum Outcome {
    Site(Vec<(String, Vec<u8>)>),
    Failed(Vec<String>),
}

fn outcome(session: &mut Session, changed: &[PathBuf]) -> Outcome {
    let result = session.rebuild(changed);
    if !result.ok {
        let mut d: Vec<String> = result
            .diagnostics
            .iter()
            .filter(|d| d.is_error())
            .map(|d| format!("{}:{:?}: {}", d.file.display(), d.line, d.message))
            .collect();
        d.sort();
        return Outcome::Failed(d);
    }
    session.update_deferred().expect("exports");
    Outcome::Site(sorted(&session.files()))
}

fn sorted(files: &SiteFiles) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_vec()))
        .collect();
    v.sort();
    v
}

/// Describes the first difference between two outcomes, for a readable failure.
fn first_difference(a: &Outcome, b: &Outcome) -> String {
    match (a, b) {
        (Outcome::Site(x), Outcome::Site(y)) => {
            let xs: std::collections::BTreeMap<&String, &Vec<u8>> =
                x.iter().map(|(k, v)| (k, v)).collect();
            let ys: std::collections::BTreeMap<&String, &Vec<u8>> =
                y.iter().map(|(k, v)| (k, v)).collect();
            for (k, v) in &xs {
                match ys.get(k) {
                    None => return format!("{k} only in the incremental build"),
                    Some(w) if w != v => return format!("{k} differs"),
                    _ => {}
                }
            }
            ys.keys()
                .find(|k| !xs.contains_key(*k))
                .map(|k| format!("{k} only in the full build"))
                .unwrap_or_default()
        }
        _ => format!("incremental: {a:?}\nfull: {b:?}")
            .chars()
            .take(3000)
            .collect(),
    }
}

/// A broken file is fixed first, half of the time, so sequences also test recovery; returns
/// the path it restored.
fn fix_broken(rng: &mut Rng, broken: &mut Option<(PathBuf, String)>) -> Option<Vec<PathBuf>> {
    let (path, original) = broken.take()?;
    if rng.below(2) == 0 {
        fs::write(&path, original).unwrap();
        return Some(vec![path]);
    }
    *broken = Some((path, original));
    None
}

/// One random edit; returns the paths it touched.
fn edit(
    root: &Path,
    rng: &mut Rng,
    step: usize,
    broken: &mut Option<(PathBuf, String)>,
) -> Vec<PathBuf> {
    if let Some(fixed) = fix_broken(rng, broken) {
        return fixed;
    }
    let files = entry_files(root);
    let pick = files[rng.below(files.len())].clone();
    let text = fs::read_to_string(&pick).unwrap_or_default();
    match rng.below(6) {
        // Change the title.
        0 => {
            let changed = text.replacen("\ntitel: ", &format!("\ntitel: Geändert {step} – "), 1);
            fs::write(&pick, changed).unwrap();
            vec![pick]
        }
        // Change facet terms: swap one Raumtyp or Thema for another valid one.
        1 => {
            let changed = if text.contains("raumtyp: [") {
                text.replacen("raumtyp: [", "raumtyp: [region, ", 1)
            } else {
                text.replacen("\ntitel:", "\nthema: [bildung]\ntitel:", 1)
            };
            let changed = changed.replace("[region, region", "[region");
            fs::write(&pick, changed).unwrap();
            vec![pick]
        }
        // Add a new entry that references an existing one.
        2 => {
            let folder = pick.parent().unwrap();
            let new = folder.join(format!("neu-{step}.md"));
            let target = files[rng.below(files.len())].clone();
            let target_type = match target
                .parent()
                .unwrap()
                .file_name()
                .unwrap()
                .to_str()
                .unwrap()
            {
                "orte" => "ort",
                "formate" => "format",
                _ => "strategie",
            };
            let id = format!(
                "{target_type}/{}",
                target.file_stem().unwrap().to_str().unwrap()
            );
            let body = format!("---\ntitel: Neuer Fall {step}\nkurzbeschreibung: Ein neuer Fall.\nhandlungsfeld: [lebendige-quartiere]\nthema: [beteiligung]\nquellen: [\"Test\"]\nsiehe_auch: [{id}]\n---\nText mit [Link](@/{}).\n", target.strip_prefix(root.join("content")).unwrap().display());
            fs::write(&new, body).unwrap();
            vec![new]
        }
        // Rename a file (references to it break until a later edit; both builds must agree).
        3 => {
            let renamed = pick.with_file_name(format!("umbenannt-{step}.md"));
            fs::rename(&pick, &renamed).unwrap();
            vec![pick, renamed]
        }
        // Delete a file.
        4 => {
            fs::remove_file(&pick).unwrap();
            if broken.as_ref().is_some_and(|(p, _)| *p == pick) {
                *broken = None;
            }
            vec![pick]
        }
        // Break a file's YAML (fixed by a later step).
        _ => {
            fs::write(&pick, text.replacen("\ntitel:", "\ntitel: [kaputt\n", 1)).unwrap();
            *broken = Some((pick.clone(), text));
            vec![pick]
        }
    }
}

/// The id of the entry in `path` (`ort/alte-samtweberei-krefeld`).
fn id_of(path: &Path) -> String {
    let folder = path
        .parent()
        .unwrap()
        .file_name()
        .unwrap()
        .to_str()
        .unwrap();
    let type_key = match folder {
        "orte" => "ort",
        "formate" => "format",
        _ => "strategie",
    };
    format!("{type_key}/{}", path.file_stem().unwrap().to_str().unwrap())
}

/// Sets a one-line front matter key (`None` removes it); a missing key goes after the title.
fn set_key(text: &str, key: &str, value: Option<&str>) -> String {
    let prefix = format!("{key}:");
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    let end = lines.iter().skip(1).position(|l| l == "---").unwrap_or(0) + 1;
    match lines[..end].iter().position(|l| l.starts_with(&prefix)) {
        // A key whose value spans several lines stays as it is.
        Some(i) if lines[i].trim_end() == prefix => {}
        Some(i) => match value {
            Some(v) => lines[i] = format!("{key}: {v}"),
            None => {
                lines.remove(i);
            }
        },
        None => {
            if let Some(v) = value {
                lines.insert(2, format!("{key}: {v}"));
            }
        }
    }
    lines.join("\n") + "\n"
}

/// One random edit that keeps every file where it is (so `serve` takes its short path unless
/// the edit breaks a file); returns the paths it touched.
fn edit_in_place(
    root: &Path,
    rng: &mut Rng,
    step: usize,
    broken: &mut Option<(PathBuf, String)>,
) -> Vec<PathBuf> {
    if let Some(fixed) = fix_broken(rng, broken) {
        return fixed;
    }
    let files = entry_files(root);
    let pick = files[rng.below(files.len())].clone();
    let other = files[rng.below(files.len())].clone();
    let text = fs::read_to_string(&pick).unwrap();
    let write = |path: &Path, text: String| fs::write(path, text).unwrap();
    match rng.below(11) {
        // The title moves the entry to the front or the end of every list.
        0 => write(
            &pick,
            text.replacen("\ntitel: ", &format!("\ntitel: Aaa {step} "), 1),
        ),
        1 => write(
            &pick,
            text.replacen("\ntitel: ", &format!("\ntitel: Zzz {step} "), 1),
        ),
        // Terms lost, replaced or gained: similar entries of others move.
        2 => write(&pick, set_key(&text, "thema", None)),
        3 => write(&pick, set_key(&text, "raumtyp", Some("[laendlicher-raum]"))),
        4 => write(
            &pick,
            set_key(&text, "thema", Some("[bildung, beteiligung, wohnen]")),
        ),
        // References gained or lost: backlinks of others change.
        5 => write(
            &pick,
            set_key(&text, "siehe_auch", Some(&format!("[{}]", id_of(&other)))),
        ),
        6 => write(&pick, set_key(&text, "siehe_auch", None)),
        // Two files in one rebuild: a title here, a summary there.
        7 => {
            write(
                &pick,
                text.replacen("\ntitel: ", &format!("\ntitel: Mmm {step} "), 1),
            );
            let other_text = fs::read_to_string(&other).unwrap();
            write(
                &other,
                other_text.replacen(
                    "\nkurzbeschreibung: ",
                    &format!("\nkurzbeschreibung: Schritt {step} – "),
                    1,
                ),
            );
            return vec![pick, other];
        }
        // A free page.
        8 if root.join("content/pages/ueber.md").exists() => {
            let page = root.join("content/pages/ueber.md");
            let page_text = fs::read_to_string(&page).unwrap();
            write(
                &page,
                page_text.replacen("\ntitel: ", &format!("\ntitel: Seite {step} – "), 1),
            );
            return vec![page];
        }
        // A place moved to the country's edge: the map's region and outline change.
        9 => write(
            &pick,
            set_key(
                &text,
                "lage",
                Some(&format!("{{ lat: 54.{step:02}, lon: 9.{step:02} }}")),
            ),
        ),
        // Break the YAML (fixed by a later step).
        _ => {
            write(&pick, text.replacen("\ntitel:", "\ntitel: [kaputt\n", 1));
            *broken = Some((pick.clone(), text));
        }
    }
    vec![pick]
}

/// Which edits a sequence makes.
type Edit = fn(&Path, &mut Rng, usize, &mut Option<(PathBuf, String)>) -> Vec<PathBuf>;

/// Whether a rebuild took the short path for edits in place.
fn took_short_path(result: &casebook::serve::session::Rebuild) -> bool {
    result.steps.iter().any(|(name, _)| *name == "update graph")
}

fn run_sequence(seed: u64, steps: usize) {
    run_edits(seed, steps, edit);
}

fn run_edits(seed: u64, steps: usize, edit: Edit) {
    let copy = catalogue_copy(&format!("seed{seed}"));
    let root = copy.path();
    let mut rng = Rng(seed);
    let mut incremental = Session::new(root, Some("http://127.0.0.1:1111/".into()), false);
    assert!(
        matches!(outcome(&mut incremental, &[]), Outcome::Site(_)),
        "the bundled catalogue builds"
    );
    let mut broken = None;
    for step in 0..steps {
        let touched = edit(root, &mut rng, step, &mut broken);
        let got = outcome(&mut incremental, &touched);
        let mut fresh = Session::new(root, Some("http://127.0.0.1:1111/".into()), false);
        let want = outcome(&mut fresh, &[]);
        assert!(
            got == want,
            "seed {seed}, step {step} ({touched:?}): {}",
            first_difference(&got, &want)
        );
    }
}

#[test]
fn incremental_rebuilds_equal_full_builds_seed_1() {
    run_sequence(0x9E37_79B9_7F4A_7C15, 14);
}

#[test]
fn incremental_rebuilds_equal_full_builds_seed_2() {
    run_sequence(0xD1B5_4A32_D192_ED03, 14);
}

#[test]
fn edits_in_place_equal_full_builds_seed_1() {
    run_edits(0x2545_F491_4F6C_DD1D, 24, edit_in_place);
}

#[test]
fn edits_in_place_equal_full_builds_seed_2() {
    run_edits(0x9E6C_63D0_676A_9A99, 24, edit_in_place);
}

#[test]
fn edits_in_place_take_the_short_path_and_new_files_the_general_one() {
    let copy = catalogue_copy("paths");
    let root = copy.path();
    let mut session = Session::new(root, Some("http://127.0.0.1:1111/".into()), false);
    assert!(session.rebuild(&[]).ok);
    let files = entry_files(root);
    let text = fs::read_to_string(&files[3]).unwrap();
    fs::write(&files[3], set_key(&text, "thema", Some("[bildung]"))).unwrap();
    let edited = session.rebuild(std::slice::from_ref(&files[3]));
    assert!(edited.ok, "{:?}", edited.diagnostics);
    assert!(took_short_path(&edited), "{:?}", edited.steps);

    let new = root.join("content/orte/ganz-neu.md");
    fs::write(&new, text.replacen("\ntitel: ", "\ntitel: Neu ", 1)).unwrap();
    let added = session.rebuild(std::slice::from_ref(&new));
    assert!(added.ok, "{:?}", added.diagnostics);
    assert!(!took_short_path(&added), "{:?}", added.steps);
    assert!(added
        .changed
        .contains(&"orte/ganz-neu/index.html".to_string()));
}

#[test]
fn a_schema_change_drops_the_pages_it_removes() {
    let copy = catalogue_copy("schema");
    let root = copy.path();
    let vocabulary = root.join("content/vocabularies/themen.yaml");
    let original = fs::read_to_string(&vocabulary).unwrap();
    let mut session = Session::new(root, Some("http://127.0.0.1:1111/".into()), false);
    assert!(matches!(outcome(&mut session, &[]), Outcome::Site(_)));
    // A new term gets its page; taking it out again must take the page away.
    let extended = original.replacen(
        "terms:\n",
        "terms:\n  - key: probe-thema\n    label: Probe\n",
        1,
    );
    for (text, page_served) in [(extended, true), (original, false)] {
        fs::write(&vocabulary, text).unwrap();
        let got = outcome(&mut session, std::slice::from_ref(&vocabulary));
        let want = outcome(
            &mut Session::new(root, Some("http://127.0.0.1:1111/".into()), false),
            &[],
        );
        assert!(got == want, "{}", first_difference(&got, &want));
        let Outcome::Site(files) = got else {
            panic!("the catalogue builds")
        };
        assert_eq!(
            files
                .iter()
                .any(|(path, _)| path == "themen/probe-thema/index.html"),
            page_served
        );
    }
}

#[test]
fn a_single_edit_renders_only_affected_pages() {
    let copy = catalogue_copy("affected");
    let root = copy.path();
    let mut session = Session::new(root, Some("http://127.0.0.1:1111/".into()), false);
    let first = session.rebuild(&[]);
    assert!(first.ok);
    let files = entry_files(root);
    let pick = files[0].clone();
    let text = fs::read_to_string(&pick).unwrap();
    fs::write(
        &pick,
        text.replacen("\nkurzbeschreibung: ", "\nkurzbeschreibung: Neu – ", 1),
    )
    .unwrap();
    let second = session.rebuild(std::slice::from_ref(&pick));
    assert!(second.ok, "{:?}", second.diagnostics);
    assert!(took_short_path(&second), "{:?}", second.steps);
    // A finder result page lists the best entries of each type, ranked by their terms: a new
    // summary changes no ranking, so only the result pages that show the entry's card follow,
    // and of the other pages only a few.
    let files = session.files();
    let is_finder_page = |p: &str| p.starts_with("wegweiser/") && p.ends_with("index.html");
    let finder_changed: Vec<&String> = second
        .changed
        .iter()
        .filter(|p| is_finder_page(p))
        .collect();
    for path in &finder_changed {
        let page = String::from_utf8_lossy(&files[path.as_str()]);
        assert!(
            page.contains("Neu – "),
            "{path} changed without showing the edit"
        );
    }
    let finder_pages = files.keys().filter(|p| is_finder_page(p)).count();
    assert!(finder_changed.len() < finder_pages);
    assert!(
        second.rendered > 0
            && second.rendered < finder_changed.len() + (first.rendered - finder_pages) / 4,
        "rendered {} of {} pages ({} of them the finder's)",
        second.rendered,
        first.rendered,
        finder_changed.len()
    );
    assert!(second.changed.iter().any(|p| p.ends_with("index.html")));
}

/// The map's outline is drawn for the region of all places: moving one place to the edge of the
/// country redraws the map page, as a full build draws it.
#[test]
fn moving_a_place_redraws_the_map_outline() {
    let copy = catalogue_copy("outline");
    let root = copy.path();
    let url = Some("http://127.0.0.1:1111/".to_string());
    let mut session = Session::new(root, url.clone(), false);
    let map_page = |outcome: &Outcome| match outcome {
        Outcome::Site(files) => files
            .iter()
            .find(|(k, _)| k == "karte/index.html")
            .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
            .expect("a map page"),
        Outcome::Failed(e) => panic!("{e:?}"),
    };
    let before = map_page(&outcome(&mut session, &[]));
    assert!(
        before.contains("<svg class=\"map-outline\""),
        "the map has its outline"
    );
    let pick = entry_files(root)
        .into_iter()
        .find(|p| fs::read_to_string(p).unwrap().contains("\nlage: "))
        .expect("an entry with a place");
    let text = fs::read_to_string(&pick).unwrap();
    fs::write(
        &pick,
        set_key(&text, "lage", Some("{ lat: 55.0, lon: 8.4 }")),
    )
    .unwrap();
    let after = map_page(&outcome(&mut session, std::slice::from_ref(&pick)));
    let fresh = map_page(&outcome(&mut Session::new(root, url, false), &[]));
    assert_ne!(before, after, "the outline follows the region");
    assert_eq!(after, fresh, "the rebuilt map page equals a full build's");
}
