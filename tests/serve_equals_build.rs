//! serve equals build: after every step of a random sequence of edits, the site that `serve`
//! holds equals what a fresh `casebook build --preview` writes for the same files, byte for
//! byte, every file. `serve` is the same [`Session`] that `casebook serve` runs (its HTTP side
//! is held to it by `serve_http`); the build is the real binary, writing into an output it
//! rebuilds step after step, so its own reuse of unchanged pages is tested too.
//!
//! The edits: entries changed, added, renamed, deleted, broken and fixed; a term's label; the
//! schema (a field label, the order of the types, the facet list); a template override added,
//! changed and deleted; free pages added and deleted; collections and events (an event type
//! added to the copied schema) added, changed and deleted; a finder question and weight changed. A step that breaks the catalogue
//! must fail in both, with the same errors (serve keeps its last good site then).
//!
//! `CASEBOOK_SEED=<n>` with `CASEBOOK_STEPS=<n>` runs one long sequence instead:
//! `CASEBOOK_SEED=7 CASEBOOK_STEPS=2000 cargo test --release --test serve_equals_build long`.

mod common;
mod serve_support;

use casebook::serve::session::Session;
use common::{Rng, TempDir};
use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

const BASE_URL: &str = "http://127.0.0.1:1111/";

/// What a step gave: a site (path → bytes), or the errors it failed with.
#[derive(Debug, PartialEq)]
enum Outcome {
    Site(BTreeMap<String, Vec<u8>>),
    Failed(Vec<String>),
}

/// The files a build keeps for itself in its output (not part of the site, never served).
fn is_bookkeeping(rel: &str) -> bool {
    matches!(
        rel,
        ".casebook-output" | ".casebook-pages" | ".casebook-search"
    )
}

/// Errors as `code file:line`, sorted, to compare the two reports.
fn error_lines(errors: impl Iterator<Item = (String, String, Option<u64>)>) -> Vec<String> {
    let mut lines: Vec<String> = errors
        .map(|(code, file, line)| format!("{code} {file}:{line:?}"))
        .collect();
    lines.sort();
    lines.dedup();
    lines
}

fn build_preview(root: &Path, out: &Path) -> Outcome {
    let run = common::build(root, out, &["--preview", "--base-url", BASE_URL]);
    assert!(!run.panicked() && !run.timed_out, "{}", run.output());
    match run.code {
        Some(0) => Outcome::Site(
            common::snapshot(out)
                .into_iter()
                .filter(|(rel, _)| !rel.ends_with('/') && !is_bookkeeping(rel))
                .collect(),
        ),
        Some(1) => Outcome::Failed(error_lines(
            common::human_diags(&run.stderr)
                .into_iter()
                .filter(|d| d.is_error())
                .map(|d| (d.code, d.file, d.line)),
        )),
        _ => panic!("build exited oddly:\n{}", run.output()),
    }
}

fn served(session: &mut Session, changed: &[PathBuf]) -> Outcome {
    let result = session.rebuild(changed);
    if !result.ok {
        return Outcome::Failed(error_lines(
            result.diagnostics.iter().filter(|d| d.is_error()).map(|d| {
                (
                    d.code.to_string(),
                    d.file.display().to_string(),
                    d.line.map(|l| l as u64),
                )
            }),
        ));
    }
    session.update_deferred().expect("exports");
    Outcome::Site(
        session
            .files()
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_vec()))
            .collect(),
    )
}

/// The first few differences between two outcomes, for a readable failure.
fn differences(serve: &Outcome, build: &Outcome) -> String {
    let (Outcome::Site(a), Outcome::Site(b)) = (serve, build) else {
        return format!("serve: {serve:?}\nbuild: {build:?}")
            .chars()
            .take(3000)
            .collect();
    };
    let mut out = Vec::new();
    for (k, v) in a {
        match b.get(k) {
            None => out.push(format!("only in serve: {k}")),
            Some(w) if w != v => {
                let at = v.iter().zip(w).take_while(|(x, y)| x == y).count();
                let show = |bytes: &[u8]| {
                    String::from_utf8_lossy(
                        &bytes[at.saturating_sub(60)..(at + 60).min(bytes.len())],
                    )
                    .into_owned()
                };
                out.push(format!(
                    "differs: {k} at byte {at}\n  serve: …{}…\n  build: …{}…",
                    show(v),
                    show(w)
                ));
            }
            _ => {}
        }
    }
    out.extend(
        b.keys()
            .filter(|k| !a.contains_key(*k))
            .map(|k| format!("only in build: {k}")),
    );
    out.truncate(12);
    out.join("\n")
}

/// A catalogue being edited: the bundled one, copied.
struct Catalogue {
    root: PathBuf,
    /// A file broken on purpose and its good text, to be fixed by a later step.
    broken: Option<(PathBuf, String)>,
}

impl Catalogue {
    fn entries(&self) -> Vec<PathBuf> {
        let mut files = Vec::new();
        for folder in ["orte", "formate", "strategien"] {
            for item in fs::read_dir(self.root.join("content").join(folder)).expect("type folder") {
                files.push(item.expect("entry").path());
            }
        }
        files.sort();
        files
    }

    fn read(&self, path: &Path) -> String {
        fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
    }

    fn write(&self, path: &Path, text: &str) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        fs::write(path, text).unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
    }

    /// Replaces the first `from` in a file; false if the file does not hold it.
    fn replace(&self, path: &Path, from: &str, to: &str) -> bool {
        let text = self.read(path);
        if !text.contains(from) {
            return false;
        }
        self.write(path, &text.replacen(from, to, 1));
        true
    }

    /// One random edit; returns the paths it touched and what it did.
    fn edit(&mut self, rng: &mut Rng, step: usize) -> (Vec<PathBuf>, &'static str) {
        if let Some((path, text)) = self.broken.take() {
            if rng.below(2) == 0 {
                self.write(&path, &text);
                return (vec![path], "fix the broken file");
            }
            self.broken = Some((path, text));
        }
        let content = self.root.join("content");
        let site = content.join("site.yaml");
        let entries = self.entries();
        let pick = entries[rng.below(entries.len())].clone();
        match rng.below(20) {
            0 | 1 => {
                self.replace(&pick, "\ntitel: ", &format!("\ntitel: Geändert {step} "));
                (vec![pick], "change a title")
            }
            2 => {
                let text = self.read(&pick);
                let text = match text.find("\nthema: [") {
                    Some(_) => text.replacen("\nthema: [", "\nthema: [bildung, ", 1),
                    None => text.replacen("\ntitel:", "\nthema: [wohnen]\ntitel:", 1),
                };
                self.write(&pick, &text.replace("[bildung, bildung", "[bildung"));
                (vec![pick], "change terms")
            }
            3 => {
                let target = &entries[rng.below(entries.len())];
                let rel = target.strip_prefix(&content).expect("below content");
                let folder = pick.parent().expect("folder");
                let new = folder.join(format!("neu-{step}.md"));
                let text = format!(
                    "---\ntitel: Neuer Fall {step}\nkurzbeschreibung: Ein neuer Fall.\n\
                     handlungsfeld: [lebendige-quartiere]\nthema: [beteiligung]\n\
                     quellen: [\"Test\"]\n---\nSiehe [dort](@/{}).\n",
                    rel.display()
                );
                self.write(&new, &text);
                (vec![new], "add an entry")
            }
            4 => {
                let renamed = pick.with_file_name(format!("umbenannt-{step}.md"));
                fs::rename(&pick, &renamed).expect("rename");
                self.forget(&pick);
                (vec![pick, renamed], "rename an entry")
            }
            5 => {
                fs::remove_file(&pick).expect("delete");
                self.forget(&pick);
                (vec![pick], "delete an entry")
            }
            6 => {
                let text = self.read(&pick);
                self.write(&pick, &text.replacen("\ntitel:", "\ntitel: [kaputt\n", 1));
                self.broken = Some((pick.clone(), text));
                (vec![pick], "break an entry")
            }
            7 => {
                let vocab = content.join("vocabularies/themen.yaml");
                self.replace(&vocab, "  label: ", &format!("  label: Geändert {step} "));
                (vec![vocab], "change a term's label")
            }
            8 => {
                if !self.replace(
                    &site,
                    "    label: Thema\n",
                    &format!("    label: Thema {step}\n"),
                ) {
                    self.replace(&site, "    label: Thema ", "    label: Thema x");
                }
                (vec![site], "change a field label")
            }
            9 => {
                // Move the last type to the front.
                let text = self.read(&site);
                let (head, rest) = text.split_once("\ntypes:\n").expect("types");
                let (types, tail) = rest.split_once("\n\n").expect("after types");
                let mut items: Vec<String> = Vec::new();
                for line in types.lines() {
                    if line.starts_with("  - ") || items.is_empty() {
                        items.push(String::new());
                    }
                    let item = items.last_mut().expect("item");
                    item.push_str(line);
                    item.push('\n');
                }
                items.rotate_right(1);
                let types = items.concat();
                self.write(
                    &site,
                    &format!("{head}\ntypes:\n{}\n\n{tail}", types.trim_end()),
                );
                (vec![site], "reorder the types")
            }
            10 => {
                let all =
                    "facets: [handlungsfeld, raumtyp, thema, akteursgruppe, bundesland, stadt]";
                let fewer = "facets: [handlungsfeld, thema, stadt]";
                if !self.replace(&site, all, fewer) {
                    self.replace(&site, fewer, all);
                }
                (vec![site], "change the facet list")
            }
            11 | 12 => {
                let over = self.root.join("templates/page.html");
                let text = if over.exists() {
                    self.read(&over)
                } else {
                    self.read(&common::repo_root().join("themes/default/templates/page.html"))
                };
                let marked = match text.find("<div class=\"prose\"") {
                    Some(_) => text.replacen(
                        "<div class=\"prose\"",
                        &format!("<div data-override=\"{step}\" class=\"prose\""),
                        1,
                    ),
                    None => text,
                };
                self.write(&over, &marked);
                (vec![over], "add or change a template override")
            }
            13 => {
                let over = self.root.join("templates/page.html");
                if over.exists() {
                    fs::remove_file(&over).expect("delete override");
                }
                (vec![over], "delete the template override")
            }
            14 => {
                let page = content.join(format!("pages/seite-{step}.md"));
                self.write(
                    &page,
                    &format!("---\ntitel: Seite {step}\n---\nEine freie Seite, Schritt {step}.\n"),
                );
                (vec![page], "add a free page")
            }
            16 => self.edit_collection(rng, step),
            17 => self.edit_event(rng, step),
            18 => {
                // A finder question and the weight of one of its answers.
                if !self.replace(
                    &site,
                    "question: Wo wollen Sie handeln?",
                    &format!("question: Wo handeln Sie ({step})?"),
                ) {
                    let text = self.read(&site);
                    let start = text.find("question: Wo handeln Sie").expect("question");
                    let end = start + text[start..].find('\n').expect("line end");
                    self.write(
                        &site,
                        &format!(
                            "{}question: Wo wollen Sie handeln?{}",
                            &text[..start],
                            &text[end..]
                        ),
                    );
                }
                let weight = format!("weight: {}", 1 + rng.below(3));
                let text = self.read(&site);
                let at = text.find("weight: ").expect("a weight");
                self.write(
                    &site,
                    &format!("{}{weight}{}", &text[..at], &text[at + 9..]),
                );
                (vec![site], "change a finder question")
            }
            _ => {
                let pages: Vec<PathBuf> = fs::read_dir(content.join("pages"))
                    .expect("pages")
                    .map(|e| e.expect("page").path())
                    .filter(|p| p.file_name().is_some_and(|n| n != "ueber.md"))
                    .collect();
                match pages.get(rng.below(pages.len().max(1))) {
                    Some(page) => {
                        fs::remove_file(page).expect("delete page");
                        self.forget(page);
                        (vec![page.clone()], "delete a free page")
                    }
                    None => (vec![], "nothing"),
                }
            }
        }
    }

    /// The id (`ort/x`) of an entry file.
    fn id(path: &Path) -> String {
        let folder = path
            .parent()
            .and_then(Path::file_name)
            .and_then(|f| f.to_str());
        let key = match folder {
            Some("orte") => "ort",
            Some("formate") => "format",
            _ => "strategie",
        };
        let stem = path.file_stem().and_then(|s| s.to_str()).unwrap_or("");
        format!("{key}/{stem}")
    }

    /// Files of a content folder, sorted.
    fn files(&self, folder: &str) -> Vec<PathBuf> {
        let mut files: Vec<PathBuf> = fs::read_dir(self.root.join("content").join(folder))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        files.sort();
        files
    }

    /// Adds, changes (lists other entries with other notes) or deletes a collection.
    fn edit_collection(&mut self, rng: &mut Rng, step: usize) -> (Vec<PathBuf>, &'static str) {
        let entries = self.entries();
        let collections = self.files("sammlungen");
        let listed = |rng: &mut Rng| {
            (0..3)
                .map(|k| {
                    let id = Self::id(&entries[rng.below(entries.len())]);
                    match k {
                        1 => format!("  - {id}\n"),
                        _ => format!("  - {id}: Anmerkung {step}.{k}\n"),
                    }
                })
                .collect::<String>()
        };
        let text = |rng: &mut Rng| {
            format!(
                "---\ntitel: Sammlung {step}\nkurzbeschreibung: Zusammengestellt in Schritt {step}.\n\
                 eintraege:\n{}---\nWarum diese Fälle zusammengehören.\n",
                listed(rng)
            )
        };
        match (rng.below(3), collections.is_empty()) {
            (0, _) | (_, true) => {
                let new = self.root.join(format!("content/sammlungen/neu-{step}.md"));
                let body = text(rng);
                self.write(&new, &body);
                (vec![new], "add a collection")
            }
            (1, false) => {
                let pick = collections[rng.below(collections.len())].clone();
                let body = text(rng);
                self.write(&pick, &body);
                (vec![pick], "change a collection")
            }
            _ => {
                let pick = collections[rng.below(collections.len())].clone();
                fs::remove_file(&pick).expect("delete collection");
                self.forget(&pick);
                (vec![pick], "delete a collection")
            }
        }
    }

    /// Adds an event (past or upcoming), moves one to another date or deletes one.
    fn edit_event(&mut self, rng: &mut Rng, step: usize) -> (Vec<PathBuf>, &'static str) {
        let entries = self.entries();
        let events = self.files("veranstaltungen");
        let date = |rng: &mut Rng| match rng.below(3) {
            0 => format!("20{:02}-03-1{}", 10 + rng.below(15), rng.below(10)),
            1 => format!("2099-0{}-2{} 18:30", 1 + rng.below(9), rng.below(9)),
            _ => format!("2098-11-0{}", 1 + rng.below(9)),
        };
        match (rng.below(3), events.is_empty()) {
            (0, _) | (_, true) => {
                let new = self
                    .root
                    .join(format!("content/veranstaltungen/werkstatt-{step}.md"));
                let presented = Self::id(&entries[rng.below(entries.len())]);
                let body = format!(
                    "---\ntitel: Werkstatt {step}\nkurzbeschreibung: Eine Werkstatt.\n\
                     handlungsfeld: [lebendige-quartiere]\ntermin_beginn: {}\n\
                     veranstaltungsort: Saal {step}\nvorgestellt: [{presented}]\n\
                     quellen: [Schritt {step}]\n---\n",
                    date(rng)
                );
                self.write(&new, &body);
                (vec![new], "add an event")
            }
            (1, false) => {
                // An undated event (the bundled SEiSMiC round) gets its first date.
                let pick = events[rng.below(events.len())].clone();
                let mut text = self.read(&pick);
                if !text.contains("\ntermin_beginn: ") {
                    text = text.replacen("\ntitel: ", "\ntermin_beginn: 2000-01-01\ntitel: ", 1);
                }
                let start = text.find("\ntermin_beginn: ").expect("start") + 16;
                let end = start + text[start..].find('\n').expect("line end");
                let moved = format!("{}{}{}", &text[..start], date(rng), &text[end..]);
                self.write(&pick, &moved);
                (vec![pick], "move an event")
            }
            _ => {
                let pick = events[rng.below(events.len())].clone();
                fs::remove_file(&pick).expect("delete event");
                self.forget(&pick);
                (vec![pick], "delete an event")
            }
        }
    }

    /// The bundled catalogue has an event type (`veranstaltungen/`), collections and a finder;
    /// its events are all past, so an upcoming one is added (both halves of the calendar and
    /// the upcoming events' iCalendar file then change under the edits), and a small
    /// collection whose first entry the entry edits may touch.
    fn add_discovery(&self) {
        let entries = self.entries();
        let (a, b) = (Self::id(&entries[0]), Self::id(&entries[entries.len() - 1]));
        self.write(
            &self.root.join("content/sammlungen/erste.md"),
            &format!("---\ntitel: Erste\neintraege:\n  - {a}: Der Anfang.\n  - {b}\n---\n"),
        );
        self.write(
            &self.root.join("content/veranstaltungen/kommend.md"),
            &format!(
                "---\ntitel: Werkstatt kommend\nkurzbeschreibung: Eine Werkstatt.\n\
                 handlungsfeld: [lebendige-quartiere]\ntermin_beginn: 2099-05-04 18:30\n\
                 vorgestellt: [{a}]\nquellen: [Ankündigung]\n---\n"
            ),
        );
    }

    fn forget(&mut self, path: &Path) {
        if self.broken.as_ref().is_some_and(|(p, _)| p == path) {
            self.broken = None;
        }
    }
}

fn run_sequence(seed: u64, steps: usize) {
    let tmp = TempDir::new(&format!("serve-equals-build-{seed}"));
    let root = tmp.join("catalogue");
    common::copy_dir(&common::repo_root().join("content"), &root.join("content"));
    let out = tmp.join("site");
    let mut catalogue = Catalogue {
        root: root.clone(),
        broken: None,
    };
    catalogue.add_discovery();
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut session = Session::new(&root, Some(BASE_URL.into()), true);
    let first = served(&mut session, &[]);
    if let Outcome::Failed(errors) = &first {
        panic!("the catalogue does not build: {errors:?}");
    }
    assert!(
        first == build_preview(&root, &out),
        "unedited: {}",
        differences(&first, &build_preview(&root, &out))
    );
    let mut history = Vec::new();
    for step in 0..steps {
        let (touched, what) = catalogue.edit(&mut rng, step);
        history.push(format!("{step}: {what}"));
        let serve = served(&mut session, &touched);
        let build = build_preview(&root, &out);
        assert!(
            serve == build,
            "seed {seed}, step {step} ({what}, {touched:?})\n{}\nsteps so far:\n{}",
            differences(&serve, &build),
            history.join("\n")
        );
    }
}

#[test]
fn serve_equals_build_seed_1() {
    run_sequence(1, 70);
}

#[test]
fn serve_equals_build_seed_2() {
    run_sequence(2, 70);
}

#[test]
fn serve_equals_build_seed_3() {
    run_sequence(3, 70);
}

/// A long run for a seed from the environment (without `CASEBOOK_SEED` it runs seed 4 briefly).
#[test]
fn serve_equals_build_long() {
    let seed = std::env::var("CASEBOOK_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(4);
    let steps = std::env::var("CASEBOOK_STEPS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20);
    run_sequence(seed, steps);
}

/// Starts the real `casebook serve` on `root`, waits until its exports and search index are
/// in place, and checks that every file `build --preview` writes for the same address is served
/// with the same bytes (pages with the reload script taken out again).
fn served_over_http_equals_build(root: &Path, out: &Path) {
    let mut server = serve_support::Server::start_with(root, &["--port", "0", "--verbose"]);
    server
        .wait_for_output(
            "exports and search index updated",
            serve_support::START_TIMEOUT,
        )
        .unwrap_or_else(|| panic!("no exports:\n{}", server.output()));
    let run = common::build(root, out, &["--preview", "--base-url", &server.url]);
    run.assert_exit(0);
    let mut problems = Vec::new();
    let mut pages = 0;
    for (rel, bytes) in common::snapshot(out) {
        if rel.ends_with('/') || is_bookkeeping(&rel) {
            continue;
        }
        let reply = server.get(&format!("/{rel}"));
        let is_page = reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("text/html"));
        let mut body = reply.body;
        if is_page {
            pages += 1;
            body = without_reload_script(&body);
        }
        if reply.status != 200 || body != bytes {
            problems.push(format!("{rel}: status {}", reply.status));
        }
    }
    assert!(pages > 100, "only {pages} pages compared");
    problems.truncate(20);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// A served page as it was built: the one `<script src="/__casebook/live.js" …></script>`
/// that serve adds, taken out.
fn without_reload_script(page: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(page);
    let start = text
        .find("<script src=\"/__casebook/live.js\"")
        .expect("serve adds its reload script to every page");
    let end = start + text[start..].find("</script>").expect("closed") + "</script>".len();
    format!("{}{}", &text[..start], &text[end..]).into_bytes()
}

#[test]
fn the_bundled_catalogue_served_over_http_equals_its_build() {
    let tmp = TempDir::new("http-equals-build");
    let root = tmp.join("catalogue");
    common::copy_dir(&common::repo_root().join("content"), &root.join("content"));
    served_over_http_equals_build(&root, &tmp.join("site"));
}

#[test]
fn the_1k_benchmark_corpus_served_over_http_equals_its_build() {
    let tmp = TempDir::new("http-equals-build-1k");
    let program = common::compile_generator(tmp.path());
    let root = tmp.join("corpus");
    common::generate(&program, 1000, &root, None);
    served_over_http_equals_build(&root, &tmp.join("site"));
}
