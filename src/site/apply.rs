//! Applying changed files to a site: the short path for files edited in place, the general
//! path for files that appear, vanish or move, the theme or the schema loaded anew.

use super::*;

/// What [`Site::apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Whether anything that makes the site changed (false for a file outside the catalogue).
    pub relevant: bool,
    /// Whether the edits took the short path for files edited in place.
    pub in_place: bool,
    pub timings: Timings,
}

/// What kind of source a changed path is.
#[derive(Debug, PartialEq)]
enum Source {
    Schema,
    Theme,
    Document,
    /// A file below content/media/.
    Media,
    Other,
}

impl Site {
    /// Applies changed source files (absolute paths) to the site: reads and checks what changed
    /// and updates everything built from it, so that the next render writes only what
    /// changed. On errors the site stays as it was and the problems are returned; the same
    /// changes can be applied again later.
    pub fn apply(&mut self, changed: &[PathBuf]) -> Result<Applied, SiteError> {
        let mut timings = Timings::default();
        let kinds: Vec<Source> = changed.iter().map(|p| self.classify(p)).collect();
        if kinds.contains(&Source::Schema) {
            let overrides = self.overrides.clone();
            *self = Site::load_reusing(&self.root.clone(), overrides, Some(self), &mut timings)?;
            return Ok(Applied {
                relevant: true,
                in_place: false,
                timings,
            });
        }
        let theme = kinds.contains(&Source::Theme);
        let media = kinds.contains(&Source::Media);
        if !theme && !media && !kinds.contains(&Source::Document) {
            return Ok(Applied::default());
        }
        let in_place = !theme && !media && self.edit_in_place(changed, &mut timings)?;
        if !in_place {
            self.resolve_again(changed, theme, &mut timings)?;
        }
        Ok(Applied {
            relevant: true,
            in_place,
            timings,
        })
    }

    fn classify(&self, path: &Path) -> Source {
        let content = &self.catalogue.config.content_dir;
        if path == content.join("site.yaml")
            || path.starts_with(content.join("vocabularies"))
            || path == content
            || path == content.join("vocabularies")
        {
            return Source::Schema;
        }
        if path.starts_with(self.root.join("themes"))
            || path.starts_with(self.root.join("templates"))
        {
            return Source::Theme;
        }
        if path.starts_with(content.join(crate::urls::MEDIA_FOLDER)) {
            return Source::Media;
        }
        if path.starts_with(content) {
            return Source::Document;
        }
        Source::Other
    }

    /// The short path for files edited in place: every changed path is a document of the site
    /// and still a regular file that reads and parses. Then no document appeared or vanished,
    /// ids and addresses stay, and only the edited documents need checking. False (and nothing
    /// changed) when the short path does not apply.
    fn edit_in_place(
        &mut self,
        changed: &[PathBuf],
        timings: &mut Timings,
    ) -> Result<bool, SiteError> {
        let config = Arc::clone(&self.catalogue.config);
        // A public site without its drafts resolves references only through the general path
        // (the catalogue's ids lack the drafts that references may name); so does a site in
        // several languages, whose translations are checked against their originals.
        if config.languages.len() > 1 {
            return Ok(false);
        }
        if !config.preview
            && self
                .docs
                .values()
                .any(|d| d.entry.as_ref().is_some_and(|e| e.draft))
        {
            return Ok(false);
        }
        let resolver = |p: &str| self.link_targets.get(p).cloned();
        let mut edits: Vec<(PathBuf, Arc<CheckedDoc>)> = Vec::with_capacity(changed.len());
        let start = Instant::now();
        for path in changed {
            let Some(previous) = self.docs.get(path) else {
                return Ok(false);
            };
            // A collection's list resolves against every id and feeds the pages of the entries
            // it lists: it takes the general path, which resolves the graph in full.
            if previous.kind == load::DocKind::Collection {
                return Ok(false);
            }
            let is_file = path
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_file());
            if !is_file {
                return Ok(false);
            }
            let candidate = Candidate {
                kind: previous.kind,
                path: path.clone(),
            };
            let Ok(doc) = load::load_document(&config, &candidate) else {
                return Ok(false);
            };
            let doc = check::check_document(&config, doc, &resolver);
            // A draft flag or earlier addresses that change add or remove pages (a public
            // site's draft, a redirect), and pictures are read with the media (`read_media`):
            // the general path plans the pages again.
            let meta = |d: &CheckedDoc| d.entry.as_ref().map(|e| (e.draft, e.aliases.clone()));
            let shows_pictures =
                |e: &crate::model::Entry| crate::media::pictures_of(e).next().is_some();
            if meta(&doc) != meta(previous)
                || (!config.preview && doc.entry.as_ref().is_some_and(|e| e.draft))
                || previous.entry.as_deref().is_some_and(shows_pictures)
                || doc.entry.as_deref().is_some_and(shows_pictures)
            {
                return Ok(false);
            }
            edits.push((path.clone(), Arc::new(doc)));
        }
        timings.steps.push(("check edited", start.elapsed()));
        // Comparing the paths' bytes is much faster than hashing or comparing their components.
        let edited_doc = |path: &Path| {
            edits
                .iter()
                .find(|(p, _)| p.as_os_str() == path.as_os_str())
                .map(|(_, doc)| doc)
        };
        // The same diagnostics, in the same order, as the general path's walk and assembly.
        let start = Instant::now();
        let mut report = Report::default();
        report.extend(self.walk_diagnostics.iter().cloned());
        let mut all: Vec<&CheckedDoc> = Vec::with_capacity(self.docs.len());
        for (path, doc) in &self.docs {
            let doc = edited_doc(path).unwrap_or(doc);
            report.extend(doc.diagnostics.iter().cloned());
            all.push(doc);
        }
        report.extend(check::drafts_and_aliases(&config, &all));
        drop(all);
        // Ids did not change, so only the edited entries' references resolve differently.
        let cat = &self.catalogue;
        let mut entries: Vec<(Arc<crate::model::Entry>, References)> = Vec::new();
        for (_, doc) in &edits {
            if let Some(entry) = &doc.entry {
                let references =
                    check::resolve_references(&config, doc, &cat.by_id, &cat.entries, &mut report);
                entries.push((Arc::clone(entry), references));
            }
        }
        report.sort();
        timings.steps.push(("assemble", start.elapsed()));
        if report.has_errors() {
            return Err(SiteError::Invalid(report));
        }
        let start = Instant::now();
        let pages = self
            .docs
            .iter()
            .filter(|(_, doc)| doc.page.is_some())
            .filter_map(|(path, doc)| edited_doc(path).unwrap_or(doc).page.clone())
            .collect();
        if !self.catalogue.update(entries, pages) {
            return Ok(false);
        }
        let read_again = edits.iter().filter_map(|(_, doc)| doc.dated());
        self.dates.refresh(&mut self.updated, read_again);
        for (path, doc) in edits {
            self.docs.insert(path, doc);
        }
        // What the texts link to may have changed, and with it which media files are unused.
        let linked: std::collections::HashSet<&str> = self
            .docs
            .values()
            .flat_map(|d| d.internal_links.iter().map(String::as_str))
            .collect();
        self.media
            .check(&config, &self.catalogue.entries, &linked, &mut report);
        report.sort();
        self.report = report;
        timings.steps.push(("update graph", start.elapsed()));
        let start = Instant::now();
        self.views = Views::reusing(
            &self.catalogue,
            &self.updated,
            Some(&self.views),
            &self.media,
        );
        self.renderer.set_globals(&self.catalogue, &self.views);
        timings.steps.push(("views", start.elapsed()));
        timings.time("fingerprints", || self.plan(true));
        Ok(true)
    }

    /// The general path: walks the folders, checks what changed and resolves the whole graph;
    /// loads the theme again when it changed.
    fn resolve_again(
        &mut self,
        changed: &[PathBuf],
        theme: bool,
        timings: &mut Timings,
    ) -> Result<(), SiteError> {
        let config = Arc::clone(&self.catalogue.config);
        let mut report = Report::default();
        let mut walk = Report::default();
        let candidates = timings.time("discover", || load::discover(&config, &mut walk));
        report.extend(walk.diagnostics.iter().cloned());
        let (docs, link_targets) = timings.time("load+check", || {
            check::check_documents(&config, &candidates, Some(&self.docs), changed, &mut report)
        });
        let checked = timings.time("assemble", || {
            let list: Vec<Arc<CheckedDoc>> = docs.values().cloned().collect();
            check::assemble(&config, &list, &mut report)
        });
        let memo = self.media.files.clone().into_iter().collect();
        let media = timings.time("media", || {
            read_media(&config, &docs, &checked, &memo, &mut report)
        });
        report.sort();
        if report.has_errors() {
            return Err(SiteError::Invalid(report));
        }
        let renderer = match theme {
            true => Some(Renderer::new(Theme::load(&config)?)?),
            false => None,
        };
        let mut updated = self.updated.clone();
        let read_again = changed.iter().filter_map(|p| docs.get(p)?.dated());
        self.dates.refresh(&mut updated, read_again);
        let mut checked = published(&config, checked);
        self.translations = std::mem::take(&mut checked.translations);
        self.catalogue = timings.time("resolve", || Catalogue::resolve(config, checked));
        self.updated = updated;
        self.docs = docs;
        self.walk_diagnostics = walk.diagnostics;
        self.link_targets = link_targets;
        self.report = report;
        self.media = media;
        if let Some(renderer) = renderer {
            self.renderer = renderer;
        }
        self.views = timings.time("views", || {
            Views::reusing(
                &self.catalogue,
                &self.updated,
                Some(&self.views),
                &self.media,
            )
        });
        let previous = std::mem::take(&mut self.editions);
        self.make_editions(previous, theme, timings)?;
        self.renderer.set_globals(&self.catalogue, &self.views);
        timings.time("fingerprints", || self.plan(false));
        Ok(())
    }

    /// The URL of the entry whose file changed, if exactly one changed source is an entry.
    /// Other changed paths do not count: a save by rename also reports the editor's temporary
    /// file, which is gone by now.
    pub fn entry_url_for(&self, changed: &[PathBuf]) -> Option<String> {
        let cat = &self.catalogue;
        let mut urls = changed.iter().filter_map(|path| {
            let rel = path
                .strip_prefix(&cat.config.content_dir)
                .ok()?
                .to_string_lossy()
                .replace('\\', "/");
            let entry = cat.entries.iter().find(|e| e.rel_path == rel)?;
            Some(
                cat.config
                    .urls()
                    .path(&cat.config.entry_address(entry.type_index, &entry.slug)),
            )
        });
        let url = urls.next()?;
        urls.next().is_none().then_some(url)
    }
}
