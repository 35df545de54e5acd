//! The catalogue as the editor sees it: the files on disk with the open buffers laid over
//! them, checked by `check` as `casebook check` checks the files. An edit re-checks the edited
//! document on its own, then runs the checks across files of `check::assemble` again: which
//! documents keep their address (`check::distinct`, over every document: colliding slugs), and
//! the references of the open documents resolved against the entries that keep theirs
//! (`check::resolve_references`). The references of the other files need not be resolved
//! again: only documents that are shown get diagnostics, and no edit of a document's text
//! changes which entries exist.

use crate::check::{self, CheckedDoc, Docs};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, Report};
use crate::load::{self, Candidate, DocKind};
use crate::model::Checked;
use crate::site::Timings;
use crate::source::Buffers;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// One catalogue and what the editor holds open in it.
pub struct Workspace {
    /// The catalogue folder (the one with `content/site.yaml`), canonical.
    pub root: PathBuf,
    /// The open documents' texts, by canonical path, as the editor has them.
    pub buffers: Buffers,
    /// The last schema that loaded; `None` until one does.
    pub config: Option<Arc<Config>>,
    /// What loading site.yaml and the vocabularies reported the last time.
    schema_problems: Vec<Diagnostic>,
    /// What walking the content folders reported.
    walk: Vec<Diagnostic>,
    /// Every document: the files found on disk, then open buffers of documents not yet saved.
    candidates: Vec<Candidate>,
    /// The documents as checked from disk.
    disk: Docs,
    /// The open documents as checked from their buffers (or why they could not be read).
    open: HashMap<PathBuf, Result<Arc<CheckedDoc>, Diagnostic>>,
    /// Buffers edited since they were last checked.
    stale: HashSet<PathBuf>,
    /// Whether a buffer of the schema changed since the schema was last loaded.
    schema_stale: bool,
    link_targets: HashMap<String, String>,
    /// The catalogue as last assembled: every entry and page that keeps its address (without
    /// resolved references).
    pub checked: Checked,
    /// Duplicate ids and colliding slugs, from the last assembly.
    collisions: Vec<Diagnostic>,
    /// The problems of the references of each open document, from the last assembly.
    references: HashMap<PathBuf, Vec<Diagnostic>>,
}

impl Workspace {
    /// Reads and checks the catalogue at `root` (canonical).
    pub fn new(root: PathBuf) -> Workspace {
        let mut ws = Workspace {
            root,
            buffers: Buffers::new(),
            config: None,
            schema_problems: Vec::new(),
            walk: Vec::new(),
            candidates: Vec::new(),
            disk: Docs::default(),
            open: HashMap::new(),
            stale: HashSet::new(),
            schema_stale: true,
            link_targets: HashMap::new(),
            checked: Checked::default(),
            collisions: Vec::new(),
            references: HashMap::new(),
        };
        ws.flush();
        ws
    }

    /// The catalogue folder of a file: the nearest folder above it with `content/site.yaml`.
    pub fn find_root(file: &Path) -> Option<PathBuf> {
        file.ancestors()
            .skip(1)
            .find(|dir| dir.join("content").join("site.yaml").is_file())
            .map(Path::to_path_buf)
    }

    fn content(&self) -> PathBuf {
        self.root.join("content")
    }

    /// Whether `path` is site.yaml or a vocabulary: editing it changes the schema.
    pub fn is_schema(&self, path: &Path) -> bool {
        let content = self.content();
        path == content.join("site.yaml") || path.parent() == Some(&content.join("vocabularies"))
    }

    /// Whether the workspace has anything to say about `path`.
    pub fn owns(&self, path: &Path) -> bool {
        self.is_schema(path) || self.doc_kind(path).is_some()
    }

    /// What document a file of the catalogue would be: an entry of the type whose folder holds
    /// it, a free page or a collection, as `load::discover` finds them.
    pub fn doc_kind(&self, path: &Path) -> Option<DocKind> {
        let config = self.config.as_ref()?;
        let folder = path.parent()?.strip_prefix(&config.content_dir).ok()?;
        let folder = folder.to_str()?;
        let ext = path.extension()?.to_str()?;
        let name = path.file_name()?.to_str()?;
        if load::is_editor_artifact(name) {
            return None;
        }
        if folder == "pages" && ext == "md" {
            return Some(DocKind::Page);
        }
        if config
            .collections
            .as_ref()
            .is_some_and(|c| c.folder == folder)
        {
            return (ext == "md").then_some(DocKind::Collection);
        }
        let t = config.types.iter().position(|t| t.folder == folder)?;
        matches!(ext, "md" | "yaml" | "yml").then_some(DocKind::Entry(t))
    }

    /// An editor opened or changed a document; it is checked at the next [`Self::flush`].
    pub fn set_buffer(&mut self, path: PathBuf, text: String) {
        if self.is_schema(&path) {
            self.schema_stale = true;
        } else {
            self.stale.insert(path.clone());
        }
        self.buffers.insert(path, text);
    }

    /// The text of an open document.
    pub fn buffer(&self, path: &Path) -> Option<&String> {
        self.buffers.get(path)
    }

    /// An editor closed a document: the file on disk counts again.
    pub fn close(&mut self, path: &Path) {
        if self.buffers.remove(path).is_none() {
            return;
        }
        self.open.remove(path);
        self.stale.remove(path);
        if self.is_schema(path) {
            self.schema_stale = true;
        } else {
            self.files_changed(&[path.to_path_buf()]);
        }
    }

    /// Files changed on disk (saved by another program, created, deleted): walks the folders
    /// again and checks the changed files; a change of the schema loads everything again.
    pub fn files_changed(&mut self, paths: &[PathBuf]) {
        if paths.iter().any(|p| self.is_schema(p)) {
            self.schema_stale = true;
            return;
        }
        let Some(config) = self.config.clone() else {
            return;
        };
        self.discover(&config);
        let on_disk: Vec<Candidate> = self.on_disk();
        let (disk, _) = check::check_documents(
            &config,
            &on_disk,
            Some(&self.disk),
            paths,
            &mut Report::default(),
        );
        self.disk = disk;
        // Links in open documents may now resolve differently.
        self.stale.extend(self.buffers.keys().cloned());
    }

    /// Whether checks wait to be run.
    pub fn is_stale(&self) -> bool {
        self.schema_stale || !self.stale.is_empty()
    }

    /// Brings the checks up to date with the buffers: loads the schema again if it changed
    /// (and then checks every document), checks the edited documents, and assembles. Returns
    /// how long each step took (nothing when nothing was stale).
    pub fn flush(&mut self) -> Timings {
        let mut timings = Timings::default();
        if !self.is_stale() {
            return timings;
        }
        if self.schema_stale {
            self.schema_stale = false;
            timings.time("schema", || self.load_schema());
        }
        let Some(config) = self.config.clone() else {
            return timings;
        };
        let mut stale: Vec<PathBuf> = self.stale.drain().collect();
        let unknown = |p: &PathBuf| !self.candidates.iter().any(|c| c.path == *p);
        if stale
            .iter()
            .any(|p| unknown(p) && self.doc_kind(p).is_some())
        {
            // A document the editor made that is not on disk yet has an address of its own
            // now, which links in the other open documents may name.
            self.discover(&config);
            stale = self.buffers.keys().cloned().collect();
        }
        let start = std::time::Instant::now();
        for path in stale {
            let Some(text) = self.buffers.get(&path) else {
                continue;
            };
            let Some(kind) = self.doc_kind(&path) else {
                self.open.remove(&path);
                continue;
            };
            let candidate = Candidate {
                kind,
                path: path.clone(),
            };
            let targets = &self.link_targets;
            let resolver = |p: &str| targets.get(p).cloned();
            let checked = load::document_from_text(&config, &candidate, text)
                .map(|doc| Arc::new(check::check_document(&config, doc, &resolver)))
                .map_err(|d| *d);
            self.open.insert(path, checked);
        }
        timings.steps.push(("check edited", start.elapsed()));
        timings.time("assemble", || self.assemble(&config));
        timings
    }

    /// Loads site.yaml and the vocabularies (buffers over files). A schema that loads replaces
    /// the last one and every document is checked again; one that does not keeps the last one,
    /// so entries keep their diagnostics while site.yaml is being edited.
    fn load_schema(&mut self) {
        let mut report = Report::default();
        let loaded = Config::load_with(&self.root, &self.buffers, &mut report);
        self.schema_problems = report.diagnostics;
        let Some(config) = loaded else {
            return;
        };
        let config = Arc::new(config);
        self.config = Some(Arc::clone(&config));
        self.discover(&config);
        let on_disk = self.on_disk();
        let (disk, _) =
            check::check_documents(&config, &on_disk, None, &[], &mut Report::default());
        self.disk = disk;
        self.open.clear();
        self.stale.extend(self.buffers.keys().cloned());
    }

    /// Walks the content folders; open documents not yet on disk join the candidates.
    fn discover(&mut self, config: &Config) {
        let mut walk = Report::default();
        let mut candidates = load::discover(config, &mut walk);
        let found: HashSet<PathBuf> = candidates.iter().map(|c| c.path.clone()).collect();
        let mut unsaved: Vec<&PathBuf> = self
            .buffers
            .keys()
            .filter(|p| !found.contains(*p))
            .collect();
        unsaved.sort();
        for path in unsaved {
            if let Some(kind) = self.doc_kind(path) {
                candidates.push(Candidate {
                    kind,
                    path: path.clone(),
                });
            }
        }
        self.link_targets = check::link_targets(config, &candidates);
        self.candidates = candidates;
        self.walk = walk.diagnostics;
    }

    /// The candidates that are files on disk.
    fn on_disk(&self) -> Vec<Candidate> {
        self.candidates
            .iter()
            .filter(|c| c.path.is_file())
            .cloned()
            .collect()
    }

    /// The checks across files over the documents as the editor sees them: the documents that
    /// keep their address, and the references of the open ones.
    fn assemble(&mut self, config: &Config) {
        let mut docs = Vec::with_capacity(self.candidates.len());
        for c in &self.candidates {
            match self.open.get(&c.path) {
                Some(Ok(doc)) => docs.push(Arc::clone(doc)),
                Some(Err(_)) => {}
                None => docs.extend(self.disk.get(&c.path).cloned()),
            }
        }
        let mut collisions = Report::default();
        let kept = check::distinct(config, &docs, &mut collisions);
        collisions.extend(check::drafts_and_aliases(config, &kept));
        // Translations without an original, twice, or with facts of their own.
        let translations = crate::model::Translations {
            entries: check::attach_translations(config, &kept, &mut collisions),
            pages: check::page_translations(&kept, &mut collisions),
            collections: Vec::new(),
        };
        let entries: Vec<_> = kept.iter().filter_map(|d| d.entry.clone()).collect();
        let pages = kept
            .iter()
            .filter(|d| d.language.is_none())
            .filter_map(|d| d.page.clone())
            .collect();
        let ids: HashMap<&str, usize> = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.as_str(), i))
            .collect();
        let kept: HashSet<&str> = kept.iter().map(|d| d.rel_path.as_str()).collect();
        let mut references = HashMap::new();
        for path in self.buffers.keys() {
            let Some(Ok(doc)) = self.open.get(path) else {
                continue;
            };
            if !kept.contains(doc.rel_path.as_str()) {
                continue;
            }
            let mut problems = Report::default();
            if doc.entry.is_some() {
                check::resolve_references(config, doc, &ids, &entries, &mut problems);
            } else if let Some(c) = &doc.collection {
                check::resolve_collection(config, doc, c, &ids, &entries, &mut problems);
            }
            references.insert(path.clone(), problems.diagnostics);
        }
        drop(ids);
        self.references = references;
        self.collisions = collisions.diagnostics;
        self.checked = Checked {
            entries,
            references: Vec::new(),
            pages,
            collections: Vec::new(),
            translations,
        };
    }

    /// The path a file is shown with in diagnostics.
    pub fn shown(&self, path: &Path) -> PathBuf {
        crate::diagnostic::display_path(&self.root, path)
    }

    /// The problems of one file, as `check` reports them: its own, those of the schema and the
    /// folders that concern it, its address and its references.
    pub fn diagnostics_of(&self, path: &Path) -> Vec<&Diagnostic> {
        let shown = self.shown(path);
        let own: &[Diagnostic] = match self.open.get(path) {
            Some(Ok(doc)) => &doc.diagnostics,
            Some(Err(d)) => std::slice::from_ref(d),
            None => self.disk.get(path).map_or(&[], |d| &d.diagnostics),
        };
        let references = self.references.get(path).map_or(&[][..], Vec::as_slice);
        self.schema_problems
            .iter()
            .chain(&self.walk)
            .chain(&self.collisions)
            .filter(|d| d.file == shown)
            .chain(own)
            .chain(references)
            .collect()
    }

    /// The absolute path of a document below `content/`.
    pub fn content_path(&self, rel: &str) -> PathBuf {
        self.content().join(rel)
    }

    /// The text of a file of the catalogue: its buffer if open, else what is on disk.
    pub fn text_of(&self, path: &Path) -> Option<String> {
        match self.buffers.get(path) {
            Some(text) => Some(text.clone()),
            None => crate::source::read(path, &self.shown(path)).ok(),
        }
    }

    /// Every free page, for link targets.
    pub fn pages(&self) -> &[Arc<crate::model::Page>] {
        &self.checked.pages
    }
}
