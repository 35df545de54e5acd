//! serve equals build: after every step of a random sequence of edits, the site that `serve`
//! holds equals what a fresh `casebook build --preview` writes for the same files, byte for
//! byte, every file. `serve` is the same [`Session`] that `casebook serve` runs (its HTTP side
//! is held to it by `serve_http`); the build is the real binary, writing into an output it
//! rebuilds step after step, so its own reuse of unchanged pages is tested too.
//!
//! The edits: entries changed, added, renamed, deleted, broken and fixed, made drafts and
//! published again, given an earlier address and losing it; a term's label; the
//! schema (a field label, the order of the types, the facet list); a template override added,
//! changed and deleted; free pages added and deleted; pictures added to an entry, changed in
//! place and removed; a media file (a PDF linked from a text) added and removed; collections
//! and events (an event type added to the copied schema) added, changed and deleted; a finder
//! question and weight changed. The schema gets an image field `foto` for Orte first. A step
//! that breaks the catalogue must fail in both, with the same errors (serve keeps its last
//! good site then).
//!
//! The same in two languages (`languages: [de, en]`, a fifth of the entries translated): besides
//! those edits, translations added, retitled, given an address of their own and losing it, and
//! deleted; `untranslated:` switched between showing and leaving out; a label given per
//! language and taken back; a free page and a collection translated, retranslated and their
//! translations deleted. (The bundled catalogue is in two languages; the other runs make it
//! one in German, its translations removed.)
//!
//! `CASEBOOK_SEED=<n>` with `CASEBOOK_STEPS=<n>` runs one long sequence instead:
//! `CASEBOOK_SEED=7 CASEBOOK_STEPS=2000 cargo test --release --test serve_equals_build long`.

mod common;
mod serve_support;

use casebook::serve::session::Session;
use common::{Rng, TempDir};
use std::collections::BTreeMap;
use std::ffi::OsStr;
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
    // Each language's search index keeps its own record (`en/.casebook-search`).
    let name = rel.rsplit('/').next().unwrap_or(rel);
    matches!(
        name,
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

    /// One random edit of the kinds `kinds` (numbers of the arms below); returns the paths it
    /// touched and what it did.
    fn edit(
        &mut self,
        rng: &mut Rng,
        step: usize,
        kinds: &[usize],
    ) -> (Vec<PathBuf>, &'static str) {
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
        match kinds[rng.below(kinds.len())] {
            0 | 1 => {
                // After the opening quote of a quoted title, so the YAML stays valid.
                let text = self.read(&pick);
                let at = text.find("\ntitel: ").expect("a title") + 8;
                let at = at + usize::from(text[at..].starts_with(['"', '\'']));
                self.write(
                    &pick,
                    &format!("{}Geändert {step} {}", &text[..at], &text[at..]),
                );
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
                // Only an entry no other file names: one that others name would leave the
                // catalogue broken for the rest of the sequence.
                let Some(pick) = self.unnamed(rng, &entries) else {
                    return (vec![], "nothing");
                };
                let renamed = pick.with_file_name(format!("umbenannt-{step}.md"));
                fs::rename(&pick, &renamed).expect("rename");
                self.forget(&pick);
                (vec![pick, renamed], "rename an entry")
            }
            5 => {
                let Some(pick) = self.unnamed(rng, &entries) else {
                    return (vec![], "nothing");
                };
                fs::remove_file(&pick).expect("delete");
                self.forget(&pick);
                (vec![pick], "delete an entry")
            }
            6 if self.broken.is_some() => (vec![], "nothing"),
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
            16 => {
                let orte: Vec<&PathBuf> = entries
                    .iter()
                    .filter(|p| p.parent().is_some_and(|d| d.ends_with("orte")))
                    .collect();
                let entry = orte[rng.below(orte.len())].clone();
                let png = content.join(format!("media/bild-{step}.png"));
                self.picture(&png, rng);
                let text = self.read(&entry);
                let foto = format!(
                    "\nfoto: {{ src: media/bild-{step}.png, alt: Bild {step}, credit: Test }}"
                );
                let text = match text.find("\nfoto: ") {
                    Some(at) => {
                        let end = at + 1 + text[at + 1..].find('\n').unwrap_or(0);
                        format!("{}{foto}{}", &text[..at], &text[end..])
                    }
                    None => text.replacen("\ntitel:", &format!("{foto}\ntitel:"), 1),
                };
                self.write(&entry, &text);
                (vec![png, entry], "add a picture to an Ort")
            }
            17 => match self.pictures().first() {
                Some(png) => {
                    self.picture(png, rng);
                    (vec![png.clone()], "change a picture in place")
                }
                None => (vec![], "nothing"),
            },
            18 => match self.pictures().last() {
                Some(png) => {
                    let name = png
                        .file_name()
                        .expect("name")
                        .to_string_lossy()
                        .into_owned();
                    fs::remove_file(png).expect("delete picture");
                    let mut touched = vec![png.clone()];
                    for entry in &entries {
                        let text = self.read(entry);
                        let kept: Vec<&str> = text
                            .split_inclusive('\n')
                            .filter(|l| !(l.starts_with("foto: ") && l.contains(&name)))
                            .collect();
                        if kept.concat() != text {
                            self.write(entry, &kept.concat());
                            touched.push(entry.clone());
                        }
                    }
                    (touched, "remove a picture and its use")
                }
                None => (vec![], "nothing"),
            },
            19 => {
                let pdf = content.join("media/handreichung.pdf");
                let link = "\nDie [Handreichung](@/media/handreichung.pdf).\n";
                let mut touched = vec![pdf.clone()];
                if pdf.exists() {
                    fs::remove_file(&pdf).expect("delete pdf");
                    for entry in &entries {
                        if self.replace(entry, link, "\n") {
                            touched.push(entry.clone());
                        }
                    }
                    (touched, "remove a linked media file")
                } else {
                    self.write(&pdf, &format!("%PDF-1.4 Schritt {step}\n"));
                    let text = self.read(&pick);
                    self.write(&pick, &format!("{text}{link}"));
                    touched.push(pick);
                    (touched, "add a media file and link to it")
                }
            }
            14 => {
                let page = content.join(format!("pages/seite-{step}.md"));
                self.write(
                    &page,
                    &format!("---\ntitel: Seite {step}\n---\nEine freie Seite, Schritt {step}.\n"),
                );
                (vec![page], "add a free page")
            }
            20 => {
                // A draft (shown with its badge) and published again.
                let text = self.read(&pick);
                let text = match text.find("\nentwurf: true\n") {
                    Some(_) => text.replacen("\nentwurf: true\n", "\n", 1),
                    None => text.replacen("---\n", "---\nentwurf: true\n", 1),
                };
                self.write(&pick, &text);
                (vec![pick], "toggle the draft flag")
            }
            21 => {
                // An earlier address (a redirect page) added or taken away.
                let text = self.read(&pick);
                let text = match text.find("\nfrueher: [") {
                    Some(at) => {
                        let end = at + 1 + text[at + 1..].find('\n').expect("line end");
                        format!("{}{}", &text[..at], &text[end..])
                    }
                    None => text.replacen("---\n", &format!("---\nfrueher: [frueher-{step}]\n"), 1),
                };
                self.write(&pick, &text);
                (vec![pick], "add or remove an earlier address")
            }
            22 => self.edit_collection(rng, step),
            23 => self.edit_event(rng, step),
            24 => {
                // A finder question and the weight of one of its answers.
                let text = self.read(&site);
                let finder = text.find("\nfinder:\n").expect("a finder");
                let (head, tail) = text.split_at(finder);
                let question = tail.find("question: ").expect("a question") + 10;
                let end = question + tail[question..].find('\n').expect("line end");
                let weight = tail.find("weight: ").expect("a weight") + 8;
                let tail = format!(
                    "{}Wo handeln Sie ({step})?{}{}{}",
                    &tail[..question],
                    &tail[end..weight],
                    1 + rng.below(3),
                    &tail[weight + 1..]
                );
                self.write(&site, &format!("{head}{tail}"));
                (vec![site], "change a finder question")
            }
            25 => {
                // A place moved to the edge of the country (or given one): the map's region, and
                // with it the outline its pins stand on, grows or shifts.
                let text = self.read(&pick);
                let lage = format!("\nlage: {{ lat: 54.{step:02}, lon: 9.{step:02} }}\n");
                let text = match text.find("\nlage: ") {
                    Some(at) => {
                        let end = at + 1 + text[at + 1..].find('\n').expect("line end");
                        format!("{}{lage}{}", &text[..at], &text[end + 1..])
                    }
                    None => text.replacen("\ntitel:", &format!("{}titel:", lage), 1),
                };
                self.write(&pick, &text);
                (vec![pick], "move a place on the map")
            }
            26 | 27 => {
                let translation = translation_of(&pick);
                if translation.exists() {
                    self.replace(&translation, "titel: ", &format!("titel: Changed {step} "));
                    return (vec![translation], "retitle a translation");
                }
                self.write(&translation, &english(&pick, step));
                (vec![translation], "add a translation")
            }
            28 => {
                // Half the time the case every translation links to, whose new address the
                // links in the other translations must follow.
                let pick = match rng.below(2) {
                    0 => content.join(LINKED_CASE),
                    _ => pick,
                };
                let translation = translation_of(&pick);
                if !translation.exists() {
                    return (vec![], "nothing");
                }
                if !self.replace(&translation, "slug: english-", "slug: other-") {
                    let text = self.read(&translation);
                    let slug = format!("slug: english-{step}\n");
                    self.write(
                        &translation,
                        &text.replacen("---\n", &format!("---\n{slug}"), 1),
                    );
                }
                (
                    vec![translation],
                    "give a translation an address of its own",
                )
            }
            29 => {
                let translation = translation_of(&pick);
                if translation.exists() {
                    fs::remove_file(&translation).expect("delete translation");
                    self.forget(&translation);
                }
                (vec![translation], "delete a translation")
            }
            30 => {
                let toggles = [
                    (
                        "languages: [de, en]\n",
                        "languages: [de, en]\nuntranslated: omit\n",
                    ),
                    ("    label: Ort\n", "    label: { de: Ort, en: Place }\n"),
                ];
                let (from, to) = toggles[rng.below(toggles.len())];
                if !self.replace(&site, to, from) {
                    self.replace(&site, from, to);
                }
                (vec![site], "toggle a setting of the languages")
            }
            31 => {
                let texts = [
                    content.join("pages/ueber.en.md"),
                    content.join(format!("{COLLECTIONS_FOLDER}/erste.en.md")),
                ];
                let translation = &texts[rng.below(texts.len())];
                if translation.exists() && rng.below(2) == 0 {
                    fs::remove_file(translation).expect("delete translation");
                    self.forget(translation);
                    return (
                        vec![translation.clone()],
                        "delete a page's or collection's translation",
                    );
                }
                self.write(
                    translation,
                    &format!(
                        "---\ntitel: In English {step}\n---\nThe text in English, step {step}.\n"
                    ),
                );
                (
                    vec![translation.clone()],
                    "translate a free page or a collection",
                )
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

    /// Writes a small PNG of a random colour at `path`.
    fn picture(&self, path: &Path, rng: &mut Rng) {
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).expect("mkdir");
        }
        let colour = [
            rng.below(256) as u8,
            rng.below(256) as u8,
            rng.below(256) as u8,
        ];
        image::RgbImage::from_pixel(48 + rng.below(40) as u32, 32, image::Rgb(colour))
            .save(path)
            .expect("write picture");
    }

    /// The pictures added so far, sorted.
    fn pictures(&self) -> Vec<PathBuf> {
        let mut found: Vec<PathBuf> = fs::read_dir(self.root.join("content/media"))
            .map(|d| d.flatten().map(|e| e.path()).collect())
            .unwrap_or_default();
        found.retain(|p| p.extension().is_some_and(|e| e == "png"));
        found.sort();
        found
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

    /// A random entry whose file name no other file of the catalogue mentions (no reference,
    /// link or collection names it).
    fn unnamed(&self, rng: &mut Rng, entries: &[PathBuf]) -> Option<PathBuf> {
        let mut texts = Vec::new();
        for dir in walkdir::WalkDir::new(self.root.join("content"))
            .into_iter()
            .flatten()
        {
            // Text files only: pictures and other media are not read.
            if let Ok(text) = fs::read_to_string(dir.path()) {
                texts.push((dir.path().to_path_buf(), text));
            }
        }
        let free: Vec<&PathBuf> = entries
            .iter()
            .filter(|e| {
                let stem = e.file_stem().and_then(|s| s.to_str()).unwrap_or("");
                texts.iter().all(|(p, t)| p == *e || !t.contains(stem))
            })
            .collect();
        (!free.is_empty()).then(|| free[rng.below(free.len())].clone())
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
        let collections = self.files(COLLECTIONS_FOLDER);
        let text = |rng: &mut Rng| {
            let listed: String = (0..3)
                .map(|k| {
                    let id = Self::id(&entries[rng.below(entries.len())]);
                    match k {
                        1 => format!("  - {id}\n"),
                        _ => format!("  - {id}: Anmerkung {step}.{k}\n"),
                    }
                })
                .collect();
            format!(
                "---\ntitel: Sammlung {step}\nkurzbeschreibung: Zusammengestellt in Schritt \
                 {step}.\neintraege:\n{listed}---\nWarum diese Fälle zusammengehören.\n"
            )
        };
        match (rng.below(3), collections.is_empty()) {
            (0, _) | (_, true) => {
                let new = self
                    .root
                    .join(format!("content/{COLLECTIONS_FOLDER}/neu-{step}.md"));
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

    /// An event's text: presenting `presented`, beginning at `start`.
    fn event(step: usize, presented: &str, start: &str) -> String {
        format!(
            "---\ntitel: Termin {step}\nkurzbeschreibung: Eine Werkstatt.\n\
             handlungsfeld: [lebendige-quartiere]\nprobe_beginn: {start}\n\
             probe_ort: Saal {step}\nprobe_vorgestellt: [{presented}]\n---\n"
        )
    }

    /// Adds an event (past or upcoming), moves one to another date or deletes one.
    fn edit_event(&mut self, rng: &mut Rng, step: usize) -> (Vec<PathBuf>, &'static str) {
        let entries = self.entries();
        let events = self.files(EVENTS_FOLDER);
        let date = |rng: &mut Rng| match rng.below(3) {
            0 => format!("20{:02}-03-1{}", 10 + rng.below(15), rng.below(10)),
            1 => format!("2099-0{}-2{} 18:30", 1 + rng.below(9), rng.below(9)),
            _ => format!("2098-11-0{}", 1 + rng.below(9)),
        };
        match (rng.below(3), events.is_empty()) {
            (0, _) | (_, true) => {
                let new = self
                    .root
                    .join(format!("content/{EVENTS_FOLDER}/termin-{step}.md"));
                let presented = Self::id(&entries[rng.below(entries.len())]);
                let body = Self::event(step, &presented, &date(rng));
                self.write(&new, &body);
                (vec![new], "add an event")
            }
            (1, false) => {
                let pick = events[rng.below(events.len())].clone();
                let text = self.read(&pick);
                let start = text.find("probe_beginn: ").expect("start") + 14;
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

    /// Gives the copied catalogue collections, an event type and a finder of the test's own,
    /// with a collection and two events to start from. Names of their own (`probe…`) and the
    /// bundled `collections:` and `finder:` taken out first, so whatever the bundled catalogue
    /// holds of these, the edits below know what they edit.
    fn add_discovery(&self) {
        const FIELDS: &str = r#"
fields:
  probe_beginn: { kind: date, label: Beginn, required: true }
  probe_ort: { kind: text, label: Veranstaltungsort }
  probe_vorgestellt:
    kind: reference
    to: [ort, format, strategie]
    multiple: true
    label: Vorgestellte Fälle
    inverse: Vorgestellt in der Probe
"#;
        const EVENT_TYPE: &str = r#"
  - key: probetermin
    folder: probetermine
    label: Probetermin
    plural: Probetermine
    fields: [titel, kurzbeschreibung, handlungsfeld, probe_beginn, probe_ort, probe_vorgestellt]
    event: { start: probe_beginn, place: probe_ort }
"#;
        const COLLECTIONS: &str = "collections: { folder: probesammlungen, label: Sammlung, \
                                   plural: Sammlungen, list: eintraege }\n";
        const FINDER: &str = r#"finder:
  questions:
    - key: wo
      question: Wo wollen Sie handeln?
      answers:
        - { key: zentrum, label: Im Zentrum, terms: { raumtyp: [zentrum] }, weight: 1 }
        - { key: quartier, label: Im Quartier, terms: { raumtyp: [quartier] } }
    - key: thema
      question: Worum geht es?
      answers:
        - { key: leerstand, label: Leerstand, terms: { thema: [leerstand-zwischennutzung] }, weight: 2 }
        - { key: beginn, label: Am Anfang, terms: { thema: [phase-null] } }
"#;
        let site = self.root.join("content/site.yaml");
        let text = without_top_level(&self.read(&site), "collections");
        let text = without_top_level(&text, "finder").replacen("\nfields:\n", FIELDS, 1);
        let types = text.find("\ntypes:\n").expect("types");
        let end = types + text[types..].find("\n\n").expect("after types");
        let text = format!(
            "{}{EVENT_TYPE}\n{}\n{COLLECTIONS}{FINDER}",
            &text[..end],
            &text[end + 2..]
        );
        self.write(&site, &text);
        let entries = self.entries();
        let (a, b) = (Self::id(&entries[0]), Self::id(&entries[entries.len() - 1]));
        self.write(
            &self
                .root
                .join(format!("content/{COLLECTIONS_FOLDER}/erste.md")),
            &format!("---\ntitel: Erste\neintraege:\n  - {a}: Der Anfang.\n  - {b}\n---\n"),
        );
        for (name, date) in [("vergangen", "2020-03-12"), ("kommend", "2099-05-04 18:30")] {
            self.write(
                &self.root.join(format!("content/{EVENTS_FOLDER}/{name}.md")),
                &Self::event(0, &a, date),
            );
        }
    }

    fn forget(&mut self, path: &Path) {
        if self.broken.as_ref().is_some_and(|(p, _)| p == path) {
            self.broken = None;
        }
    }
}

/// The English translation beside an entry (`x.en.md` for `x.md`, `x.en.md` for itself).
fn translation_of(entry: &Path) -> PathBuf {
    let stem = entry.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    let stem = stem.strip_suffix(".en").unwrap_or(stem);
    entry.with_file_name(format!("{stem}.en.md"))
}

/// The case every English translation links to (below `content/`).
const LINKED_CASE: &str = "orte/alte-samtweberei-krefeld.md";

/// An English translation of the entry at `entry`.
fn english(entry: &Path, step: usize) -> String {
    let stem = entry.file_stem().and_then(|s| s.to_str()).unwrap_or("x");
    format!(
        "---\ntitel: English {stem} {step}\nkurzbeschreibung: An English summary, step {step}.\n---\n\
         The neighbourhoods of this case, in English. See [the place](@/{}) and [the first \
         case](@/{}), which the translations give an address of their own now and then.\n",
        "pages/ueber.md", LINKED_CASE
    )
}

/// Makes the copied bundled catalogue one in German and English, a fifth of it translated.
fn make_multilingual(catalogue: &Catalogue) {
    let site = catalogue.root.join("content/site.yaml");
    catalogue.replace(&site, "\nlanguage: de\n", "\nlanguages: [de, en]\n");
    assert!(catalogue.read(&site).contains("\nlanguages: [de, en]\n"));
    for (i, entry) in catalogue.entries().iter().enumerate() {
        if i % 5 == 0 {
            catalogue.write(&translation_of(entry), &english(entry, 0));
        }
    }
    let linked = catalogue.root.join("content").join(LINKED_CASE);
    catalogue.write(&translation_of(&linked), &english(&linked, 0));
}

/// The addresses below `/media/` that pages name (in `src`, `srcset`, `href`) and the site
/// does not hold.
fn dangling_media(files: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut missing = Vec::new();
    for (path, bytes) in files.iter().filter(|(p, _)| p.ends_with(".html")) {
        let text = String::from_utf8_lossy(bytes);
        for (at, _) in text
            .match_indices("\"/media/")
            .chain(text.match_indices(" /media/"))
        {
            let rest = &text[at + 2..];
            let end = rest.find(['"', ' ', ',']).unwrap_or(rest.len());
            let name = &rest[..end];
            if !files.contains_key(name) {
                missing.push(format!("{path}: {name}"));
            }
        }
    }
    missing.sort();
    missing.dedup();
    missing
}

/// Gives the Orte of the copied catalogue an optional image field `foto`.
fn with_a_picture_field(root: &Path) {
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).expect("site.yaml");
    let text = text
        .replacen(
            "\nfields:\n",
            "\nfields:\n  foto: { kind: image, label: Foto }\n",
            1,
        )
        .replacen("    fields: [titel, ", "    fields: [foto, titel, ", 1);
    fs::write(&site, text).expect("write site.yaml");
}

/// Every kind of edit.
const ALL_EDITS: &[usize] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
];

/// Edits that keep the catalogue building (no deleted or broken entries), with pictures and
/// media files often, and places moved: in a sequence of every kind, an early deleted entry that others point at
/// leaves the site broken, and both sides then only agree on their errors.
const PICTURE_EDITS: &[usize] = &[0, 2, 3, 8, 16, 16, 17, 17, 18, 19, 25];

/// The folders of the collections and of the event type the test adds (`add_discovery`).
const COLLECTIONS_FOLDER: &str = "probesammlungen";
const EVENTS_FOLDER: &str = "probetermine";

/// `text` without the top-level key `key` and the lines that belong to it.
fn without_top_level(text: &str, key: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut inside = false;
    for line in text.split_inclusive('\n') {
        let top = line.starts_with(|c: char| !c.is_whitespace() && c != '#');
        if top {
            inside = line.starts_with(&format!("{key}:"));
        }
        if !inside {
            out.push_str(line);
        }
    }
    out
}

/// Every kind of edit, and those of translations and the languages' settings.
const LANGUAGE_EDITS: &[usize] = &[
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
    26, 27, 28, 29, 30, 31,
];

fn run_sequence(seed: u64, steps: usize) {
    run_edits(seed, steps, ALL_EDITS, false);
}

fn run_edits(seed: u64, steps: usize, kinds: &[usize], multilingual: bool) {
    let tmp = TempDir::new(&format!("serve-equals-build-{seed}"));
    let root = tmp.join("catalogue");
    common::copy_dir(&common::repo_root().join("content"), &root.join("content"));
    with_a_picture_field(&root);
    let out = tmp.join("site");
    let mut catalogue = Catalogue {
        root: root.clone(),
        broken: None,
    };
    catalogue.add_discovery();
    match multilingual {
        true => make_multilingual(&catalogue),
        false => common::in_one_language(&catalogue.root),
    }
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let mut session = Session::new(&root, Some(BASE_URL.into()), true);
    let first = served(&mut session, &[]);
    match &first {
        Outcome::Failed(errors) => panic!("the catalogue does not build: {errors:?}"),
        Outcome::Site(files) => {
            let pages = [
                format!("{COLLECTIONS_FOLDER}/erste/index.html"),
                format!("kalender/{EVENTS_FOLDER}/index.html"),
                format!("kalender/{EVENTS_FOLDER}.ics"),
                "wegweiser/quartier/leerstand/index.html".into(),
                "wegweiser/weights.json".into(),
            ];
            for page in pages {
                assert!(files.contains_key(&page), "no {page}");
            }
        }
    }
    assert!(
        first == build_preview(&root, &out),
        "unedited: {}",
        differences(&first, &build_preview(&root, &out))
    );
    let mut history = Vec::new();
    for step in 0..steps {
        let (touched, what) = catalogue.edit(&mut rng, step, kinds);
        history.push(format!("{step}: {what}"));
        let serve = served(&mut session, &touched);
        let failed = matches!(serve, Outcome::Failed(_));
        history.push(format!(
            "{step}: {what}{}",
            if failed { " (fails)" } else { "" }
        ));
        let build = build_preview(&root, &out);
        // Both may reuse pages by fingerprint; a page whose pictures changed but whose
        // fingerprint did not would be stale in both alike, naming sizes that are gone.
        if let Outcome::Site(files) = &serve {
            let dangling = dangling_media(files);
            assert!(
                dangling.is_empty(),
                "seed {seed}, step {step} ({what}): pages name media files the site does not \
                 have: {dangling:?}\nsteps so far:\n{}",
                history.join("\n")
            );
        }
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
fn serve_equals_build_in_two_languages() {
    run_edits(3, 60, LANGUAGE_EDITS, true);
}

#[test]
fn serve_equals_build_seed_3() {
    run_sequence(3, 70);
}

/// Pictures added, changed in place and removed, a linked PDF added and removed, among edits
/// that keep the site building; every page's media addresses must exist.
#[test]
fn serve_equals_build_with_pictures() {
    run_edits(6, 40, PICTURE_EDITS, false);
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
    // A whole corpus in a debug build: more CPU than the deadline for single commands.
    let args = [
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("build"),
        OsStr::new("--output"),
        out.as_os_str(),
        OsStr::new("--preview"),
        OsStr::new("--base-url"),
        OsStr::new(&server.url),
    ];
    let run = common::run_with_deadline(&args, std::time::Duration::from_secs(30));
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
