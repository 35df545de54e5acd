//! A tiny catalogue on disk, created once per process, and the pipeline run on one more file
//! dropped into it: config → load → check → assemble → resolve → exports → render. Shared by the
//! `entry` fuzz target and `tests/properties.rs`; needs `oracles` at the crate root.
//!
//! The schema uses every field kind (facet single and multiple with a hierarchical vocabulary,
//! references single and multiple, geo, url, list of text, url and link items, markdown…), so
//! whatever the fuzzed file says meets a check that has something to say about it.

#![allow(dead_code)] // the fuzz target and the property tests use different parts

use crate::oracles;
use casebook::check;
use casebook::config::Config;
use casebook::diagnostic::{Diagnostic, Report};
use casebook::export;
use casebook::load::{Candidate, DocKind};
use casebook::render::theme::Theme;
use casebook::render::views::Views;
use casebook::render::{self, PageKind, Renderer};
use casebook::resolve::Catalogue;
use std::collections::HashSet;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub const SITE_YAML: &str = r##"title: "Fuzz <Katalog> & Co"
description: Ein winziger Katalog, in den ein Fuzzer Dateien legt.
base_url: https://example.org/katalog/
language: de
roles: { title: titel, summary: kurzbeschreibung, place: stadt, geo: lage, image: bild }
fields:
  titel: { kind: text, label: Titel, required: true }
  kurzbeschreibung: { kind: text, label: Kurzbeschreibung }
  thema: { kind: facet, vocabulary: themen, multiple: true, label: Thema }
  stadt: { kind: facet, vocabulary: themen, label: Stadt }
  lage: { kind: geo, label: Lage }
  beginn: { kind: year, label: Beginn }
  datum: { kind: date, label: Datum }
  flaeche: { kind: number, label: Fläche }
  kontakt: { kind: email, label: Kontakt }
  bild: { kind: image, label: Bild }
  website: { kind: url, label: Website }
  traeger: { kind: list, label: Träger }
  links: { kind: list, item: url, label: Links }
  quellen: { kind: list, item: link, label: Quellen }
  uebertragbarkeit: { kind: markdown, label: Übertragbarkeit }
  eingesetzt_an: { kind: reference, to: [ort], multiple: true, label: Eingesetzt an, inverse: Formate hier }
  vorbild: { kind: reference, to: [ort, format], label: Vorbild, inverse: Vorbild für }
types:
  - key: ort
    folder: orte
    label: Ort
    plural: Orte
    color: "#0b6e4f"
    fields: [titel, kurzbeschreibung, thema, stadt, lage, beginn, website, quellen, vorbild]
  - key: format
    folder: formate
    label: Format
    plural: Formate
    fields: [titel, kurzbeschreibung, thema, stadt, lage, beginn, datum, flaeche, kontakt, bild,
             website, traeger, links, quellen, uebertragbarkeit, eingesetzt_an, vorbild]
facets: [thema, stadt]
"##;

pub const THEMEN_YAML: &str = r#"label: Thema
plural: Themen
terms:
  - { key: beteiligung, label: Beteiligung }
  - { key: leerstand, label: "Leerstand & <Zwischennutzung>" }
  - { key: markthalle, label: Markthalle, parent: leerstand }
  - { key: goettingen, label: Göttingen }
"#;

/// The other entry: valid, referring to the fuzzed file's usual address so that relations and
/// inverse relations are computed in both directions.
pub const OTHER_ENTRY: &str = r#"---
titel: Markthalle Süd
kurzbeschreibung: Eine Halle, die wieder genutzt wird.
thema: [leerstand, markthalle]
stadt: goettingen
lage: { lat: 51.5339, lon: 9.9356 }
beginn: 2019
website: https://example.org/markthalle
quellen:
  - "Dokumentation: Werkstatt"
  - { title: Bericht, url: "https://example.org/bericht?a=1&b=<2>" }
vorbild: format/fuzz-eintrag
---
Die Halle, siehe [das Format](@/formate/fuzz-eintrag.md#ziele).
"#;

/// A valid Format at the address the other entry refers to; with it the catalogue builds
/// without an error (the `serve_request` target needs a site that builds).
pub const FORMAT_ENTRY: &str = r#"---
titel: Fuzz-Eintrag
kurzbeschreibung: Ein Format, das auf die Markthalle verweist.
thema: [beteiligung]
eingesetzt_an: [ort/markthalle-sued]
quellen: ["Eigene Beobachtung"]
---
## Ziele

Ein Rundgang zur [Halle](@/orte/markthalle-sued.md).
"#;

/// Where a fuzzed file goes: the first input byte picks one of these (folder, file name).
pub const PLACES: &[(&str, &str)] = &[
    ("formate", "fuzz-eintrag.md"),
    ("formate", "fuzz-eintrag.yaml"),
    ("pages", "ueber.md"),
    ("orte", "markthalle-sued.md"), // the same id as the other entry: duplicate-id
    ("formate", "Straße am Markt.md"),
    ("formate", "con.yml"),
    ("formate", "ä.md"),
    ("orte", "fuzz-ort.md"),
];

/// The catalogue folder and everything loaded from it once.
pub struct Tiny {
    pub root: PathBuf,
    pub config: Arc<Config>,
    renderer: Mutex<Renderer>,
    other: PathBuf,
    /// Hashes of outputs already found sound: checking a page parses it like a browser, which
    /// costs more than the rest of the pipeline, and most outputs repeat from run to run.
    verified: Mutex<HashSet<u64>>,
    /// Whether the catalogue without the input (the input did not load) has been checked.
    checked_without_input: AtomicBool,
    /// One run at a time: runs share the catalogue folder (tests run on several threads).
    running: Mutex<()>,
}

/// Outputs remembered as verified before the memory is cleared.
const VERIFIED_CAP: usize = 100_000;

impl Tiny {
    /// Writes the catalogue below `dir` (which must not exist yet) and loads its schema.
    pub fn create(dir: &Path) -> Tiny {
        let content = dir.join("content");
        for sub in ["orte", "formate", "pages", "vocabularies", "media"] {
            std::fs::create_dir_all(content.join(sub)).expect("create catalogue folder");
        }
        let write = |rel: &str, text: &[u8]| {
            std::fs::write(content.join(rel), text).expect("write catalogue file");
        };
        write("site.yaml", SITE_YAML.as_bytes());
        write("vocabularies/themen.yaml", THEMEN_YAML.as_bytes());
        write("orte/markthalle-sued.md", OTHER_ENTRY.as_bytes());
        write("media/bild.png", b"\x89PNG\r\n\x1a\n");
        let mut report = Report::default();
        let config = Config::load(dir, &mut report).unwrap_or_else(|| {
            panic!(
                "the fixture schema does not load: {:#?}",
                report.diagnostics
            )
        });
        assert!(!report.has_errors(), "{:#?}", report.diagnostics);
        let theme = Theme::load(&config).expect("built-in theme");
        let renderer = Renderer::new(theme).expect("built-in templates compile");
        Tiny {
            root: dir.to_path_buf(),
            other: content.join("orte/markthalle-sued.md"),
            config: Arc::new(config),
            renderer: Mutex::new(renderer),
            verified: Mutex::new(HashSet::new()),
            checked_without_input: AtomicBool::new(false),
            running: Mutex::new(()),
        }
    }

    /// A fresh catalogue in a folder of its own below the system temp dir. It lives as long as
    /// the process (a static); folders an earlier process left behind are removed after an hour.
    pub fn create_in_temp(label: &str) -> Tiny {
        let prefix = format!("casebook-{label}-");
        let temp = std::env::temp_dir();
        let hour_ago = std::time::SystemTime::now() - std::time::Duration::from_secs(3600);
        for old in std::fs::read_dir(&temp).into_iter().flatten().flatten() {
            let stale = old.file_name().to_string_lossy().starts_with(&prefix)
                && old
                    .metadata()
                    .and_then(|m| m.modified())
                    .is_ok_and(|t| t < hour_ago);
            if stale {
                let _ = std::fs::remove_dir_all(old.path());
            }
        }
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let dir = temp.join(format!("{prefix}{}-{nanos}", std::process::id()));
        Tiny::create(&dir)
    }

    /// Writes `bytes` as the file `PLACES[place % len]`, runs the whole pipeline over the
    /// catalogue and checks every output invariant; panics with the violation. Returns the
    /// diagnostics (allowed: the input may be anything).
    pub fn run(&self, place: u8, bytes: &[u8]) -> Vec<Diagnostic> {
        let _running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        let (folder, name) = PLACES[place as usize % PLACES.len()];
        let path = self.config.content_dir.join(folder).join(name);
        let same_as_other = path == self.other;
        std::fs::write(&path, bytes).expect("write the fuzzed file");
        let outcome = self.pipeline(folder, &path, same_as_other);
        if same_as_other {
            std::fs::write(&path, OTHER_ENTRY).expect("restore the other entry");
        } else {
            let _ = std::fs::remove_file(&path);
        }
        outcome
    }

    fn pipeline(&self, folder: &str, path: &Path, replaces_other: bool) -> Vec<Diagnostic> {
        let config = &self.config;
        let kind = match config.types.iter().position(|t| t.folder == folder) {
            Some(t) => DocKind::Entry(t),
            None => DocKind::Page,
        };
        let mut candidates = vec![Candidate {
            kind,
            path: path.to_path_buf(),
        }];
        if !replaces_other {
            candidates.push(Candidate {
                kind: DocKind::Entry(0),
                path: self.other.clone(),
            });
        }
        let mut report = Report::default();
        let targets = check::link_targets(config, &candidates);
        let all: Vec<&Candidate> = candidates.iter().collect();
        let mut checked = Vec::new();
        let mut input_loaded = false;
        for (candidate, result) in check::read_and_check(config, &all, &targets) {
            match result {
                Ok(doc) => {
                    input_loaded |= candidate.path == path;
                    checked.push(Arc::new(doc));
                }
                Err(d) => report.push(d),
            }
        }
        // Without the input the catalogue is always the same: publishing it once is enough.
        let publish = input_loaded || !self.checked_without_input.swap(true, Ordering::SeqCst);
        let checked = check::assemble(config, &checked, &mut report);
        let catalogue = Catalogue::resolve(Arc::clone(config), checked);
        for d in &report.diagnostics {
            let _ = d.render(false);
            let _ = d.render(true);
        }
        if publish {
            self.publish(&catalogue);
        }
        report.sort();
        report.diagnostics
    }

    /// Exports and pages of the catalogue, each checked against its invariant.
    fn publish(&self, cat: &Catalogue) {
        let updated = casebook::model::Updated::default();
        let views = Views::new(cat, &updated);
        let rows = export::IndexRows::new(cat, &updated);
        let mut renderer = self.renderer.lock().unwrap_or_else(|e| e.into_inner());
        renderer.set_globals(cat, &views);
        let mut files = export::exports(cat, &views, &renderer, &updated)
            .unwrap_or_else(|e| panic!("the exports do not render: {e}"));
        files.extend(export::browser_index(cat, &rows));
        for (rel, bytes) in files {
            assert!(
                casebook::output::is_safe_relative(&rel),
                "export path `{rel}`"
            );
            self.verify(&rel, &bytes, || {
                if rel.ends_with(".json") {
                    oracles::json_problem(&bytes)
                } else if rel.ends_with(".xml") {
                    oracles::xml_problem(&bytes)
                } else {
                    None
                }
            });
        }
        for page in render::plan(cat) {
            if !matches!(
                page,
                PageKind::Entry(_) | PageKind::Free(_) | PageKind::Home | PageKind::Browser
            ) {
                continue;
            }
            let rel = page.output_path(cat);
            assert!(
                casebook::output::is_safe_relative(&rel),
                "page path `{rel}`"
            );
            let html = renderer
                .render(cat, &views, &page, &updated)
                .unwrap_or_else(|e| panic!("page {rel} does not render: {e}"));
            let html = String::from_utf8(html).expect("pages are UTF-8");
            self.verify(&rel, html.as_bytes(), || {
                oracles::page_problem(&html, &views.urls.base_path)
            });
        }
    }

    /// Checks `bytes` at `rel` with `problem` unless the same output passed before; panics with
    /// the problem. Only outputs that passed are remembered, so proptest's shrinking, which
    /// repeats a failing input, sees the failure every time.
    fn verify(&self, rel: &str, bytes: &[u8], problem: impl FnOnce() -> Option<String>) {
        let mut hasher = std::collections::hash_map::DefaultHasher::new();
        (rel, bytes).hash(&mut hasher);
        let hash = hasher.finish();
        let lock = || self.verified.lock().unwrap_or_else(|e| e.into_inner());
        if lock().contains(&hash) {
            return;
        }
        if let Some(p) = problem() {
            panic!("{rel}: {p}\n{}", String::from_utf8_lossy(bytes));
        }
        let mut verified = lock();
        if verified.len() >= VERIFIED_CAP {
            verified.clear();
        }
        verified.insert(hash);
    }
}
