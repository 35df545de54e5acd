//! A build kept in memory for `serve`: rebuilds after changes and reports which output files
//! changed, so the server can swap a stylesheet, reload pages, or show an error overlay.
//!
//! Rebuilds are incremental. The common case, files edited in place, takes a short path: only
//! the edited files are read and checked, the catalogue graph is updated around them
//! ([`Catalogue::update`]), and the page plan, the folder walk and the link targets are kept.
//! Files that appear, vanish or are renamed take the general path: the folders are walked again,
//! changed files and those whose internal links point at a file that appeared or vanished are
//! checked again, and the graph is resolved in full. Either way only pages whose fingerprint
//! changed are rendered. Heavy exports and the search index are refreshed by `update_deferred`,
//! after the browser has reloaded.

use crate::build::Site;
use crate::check::{self, CheckedDoc};
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Report};
use crate::export;
use crate::load::{self, Candidate};
use crate::render::theme::Theme;
use crate::render::views::Views;
use crate::render::{self, PageKind, Renderer};
use crate::resolve::{Catalogue, References};
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The site as served: output path (`orte/x/index.html`) → bytes.
pub type SiteFiles = HashMap<String, Arc<[u8]>>;

/// What one rebuild did.
#[derive(Debug, Clone)]
pub struct Rebuild {
    /// False if the catalogue has errors; the previous good site stays in place.
    pub ok: bool,
    pub diagnostics: Vec<Diagnostic>,
    /// Output paths that were added, changed or removed.
    pub changed: Vec<String>,
    /// The URL of the entry whose source file changed, when exactly one did.
    pub changed_entry_url: Option<String>,
    /// How many pages were rendered (the rest were unchanged).
    pub rendered: usize,
    /// Time per step, for `serve --verbose` and benchmarks.
    pub steps: Vec<(&'static str, Duration)>,
    pub duration: Duration,
}

impl Rebuild {
    /// True when only stylesheets changed, so the browser can swap CSS without a reload.
    pub fn css_only(&self) -> bool {
        !self.changed.is_empty() && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

/// Checked documents by absolute path, in path order.
type Docs = BTreeMap<PathBuf, Arc<CheckedDoc>>;

/// The URL of every document by content path, for internal links.
type LinkTargets = HashMap<String, String>;

/// A page of the site: what it is, its output path, and the fingerprint of its inputs.
type PlannedPage = (PageKind, String, u64);

/// Everything kept between rebuilds.
struct State {
    config: Arc<Config>,
    renderer: Renderer,
    docs: Docs,
    /// What walking the content folders reported; an edit in place does not walk them again.
    walk_diagnostics: Vec<Diagnostic>,
    link_targets: LinkTargets,
    site: Site,
    views: Views,
    index_rows: export::IndexRows,
    /// The pages in the served files, with the fingerprints they were rendered from.
    pages: Vec<PlannedPage>,
    /// Whether `pages` is the page plan of `site` (false after a template failed, when the
    /// served pages are older than the catalogue).
    pages_current: bool,
    /// The site-wide part of the served pages' fingerprints.
    site_fingerprint: u64,
    /// Exports and the search index need refreshing.
    deferred_stale: bool,
    /// Bumped whenever the schema or theme is loaded again.
    generation: u64,
}

/// An in-memory build session.
pub struct Session {
    root: PathBuf,
    base_url: Option<String>,
    search: bool,
    files: Arc<SiteFiles>,
    state: Option<State>,
    /// Sources changed since the last successful rebuild: a failed rebuild keeps the last good
    /// state, so its changes must be applied again by the next one.
    pending: Vec<PathBuf>,
    /// The paths the last `update_deferred` exported: an export the next one does not produce
    /// (the feed of a term taken out of a vocabulary) must go.
    exported: HashSet<String>,
}

/// What kind of source a changed path is.
#[derive(Debug, PartialEq)]
enum Source {
    Schema,
    Theme,
    Document,
    Other,
}

/// The documents and the catalogue of a rebuild, ready to render.
struct Resolved {
    config: Arc<Config>,
    docs: Docs,
    walk_diagnostics: Vec<Diagnostic>,
    link_targets: LinkTargets,
    site: Site,
    report: Report,
    /// The schema was loaded again.
    full: bool,
    theme_changed: bool,
    /// No page appeared or vanished and no address changed, so the last page plan holds.
    same_plan: bool,
    /// With the same plan: the entries whose page fingerprint may have changed (the other
    /// entry pages keep theirs); `None` for all.
    entry_pages: Option<Vec<usize>>,
}

/// What a rebuild takes over from the last one to render: the compiled theme, the cards, and
/// the served pages with their fingerprints.
struct Kept {
    renderer: Renderer,
    views: Option<Views>,
    index_rows: Option<export::IndexRows>,
    pages: Vec<PlannedPage>,
    pages_current: bool,
    site_fingerprint: u64,
    generation: u64,
}

/// Times the steps of a rebuild.
struct Steps {
    start: Instant,
    lap: Instant,
    done: Vec<(&'static str, Duration)>,
}

impl Steps {
    fn new() -> Steps {
        let now = Instant::now();
        Steps {
            start: now,
            lap: now,
            done: Vec::new(),
        }
    }

    fn end(&mut self, name: &'static str) {
        let now = Instant::now();
        self.done.push((name, now - self.lap));
        self.lap = now;
    }

    fn failed(&self, diagnostics: Vec<Diagnostic>) -> Rebuild {
        Rebuild {
            ok: false,
            diagnostics,
            changed: vec![],
            changed_entry_url: None,
            rendered: 0,
            steps: self.done.clone(),
            duration: self.start.elapsed(),
        }
    }
}

impl Session {
    /// `base_url` should point at the local server, so links work in the preview.
    pub fn new(root: &Path, base_url: Option<String>, search: bool) -> Session {
        Session {
            root: root.to_path_buf(),
            base_url,
            search,
            files: Arc::new(SiteFiles::new()),
            state: None,
            pending: Vec::new(),
            exported: HashSet::new(),
        }
    }

    /// The last good site.
    pub fn files(&self) -> Arc<SiteFiles> {
        Arc::clone(&self.files)
    }

    fn classify(&self, config: &Config, path: &Path) -> Source {
        let content = &config.content_dir;
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
        if path.starts_with(content) {
            return Source::Document;
        }
        Source::Other
    }

    /// Rebuilds after `changed` source files changed (everything if empty). Never panics on bad
    /// input; on errors the previous site is kept and the diagnostics are returned.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Rebuild {
        let full_requested = changed.is_empty();
        for p in changed {
            if !self.pending.contains(p) {
                self.pending.push(p.clone());
            }
        }
        let changed = if full_requested {
            Vec::new()
        } else {
            self.pending.clone()
        };
        let result = self.rebuild_now(&changed);
        if result.ok {
            self.pending.clear();
        }
        result
    }

    fn rebuild_now(&mut self, changed: &[PathBuf]) -> Rebuild {
        let mut steps = Steps::new();
        let kinds: Vec<Source> = match &self.state {
            Some(s) => changed
                .iter()
                .map(|p| self.classify(&s.config, p))
                .collect(),
            None => vec![Source::Schema],
        };
        let full = changed.is_empty() || kinds.contains(&Source::Schema);
        let theme_changed = kinds.contains(&Source::Theme);
        if !full && !theme_changed && !kinds.contains(&Source::Document) {
            return Rebuild {
                ok: true,
                diagnostics: vec![],
                changed: vec![],
                changed_entry_url: None,
                rendered: 0,
                steps: vec![],
                duration: steps.start.elapsed(),
            };
        }
        let edited = if full || theme_changed {
            None
        } else {
            self.edit_in_place(changed, &mut steps)
        };
        let (resolved, kept) = match edited {
            Some(Ok(ready)) => ready,
            Some(Err(diagnostics)) => return steps.failed(diagnostics),
            None => match self.resolve_all(changed, full, theme_changed, &mut steps) {
                Ok(ready) => ready,
                Err(diagnostics) => return steps.failed(diagnostics),
            },
        };
        self.render_changed(resolved, kept, changed, steps)
    }

    /// The short path for files edited in place: every changed path is a document of the last
    /// build and still a regular file that reads and parses. Then no document appeared or
    /// vanished, ids and addresses stay, and only the edited documents need checking. `None`
    /// when the short path does not apply (nothing is changed then).
    fn edit_in_place(
        &mut self,
        changed: &[PathBuf],
        steps: &mut Steps,
    ) -> Option<Result<(Resolved, Kept), Vec<Diagnostic>>> {
        let state = self.state.as_ref()?;
        let config = &state.config;
        let resolver = |p: &str| state.link_targets.get(p).cloned();
        let mut edits: Vec<(PathBuf, Arc<CheckedDoc>)> = Vec::with_capacity(changed.len());
        for path in changed {
            let previous = state.docs.get(path)?;
            let is_file = path
                .symlink_metadata()
                .is_ok_and(|m| m.file_type().is_file());
            if !is_file {
                return None;
            }
            let candidate = Candidate {
                kind: previous.kind,
                path: path.clone(),
            };
            let doc = load::load_document(config, &candidate).ok()?;
            let doc = check::check_document(config, doc, &resolver);
            edits.push((path.clone(), Arc::new(doc)));
        }
        steps.end("check edited");
        // Comparing the paths' bytes is much faster than hashing or comparing their components.
        let edited_doc = |path: &Path| {
            edits
                .iter()
                .find(|(p, _)| p.as_os_str() == path.as_os_str())
                .map(|(_, doc)| doc)
        };

        // The same diagnostics, in the same order, as the general path's walk and assembly.
        let mut report = Report::default();
        report.extend(state.walk_diagnostics.iter().cloned());
        for (path, doc) in &state.docs {
            let doc = edited_doc(path).unwrap_or(doc);
            report.extend(doc.diagnostics.iter().cloned());
        }
        // Ids did not change, so only the edited entries' references resolve differently.
        let cat = &state.site.catalogue;
        let mut entries: Vec<(Arc<crate::check::Entry>, References)> = Vec::new();
        for (_, doc) in &edits {
            if let Some(entry) = &doc.entry {
                let references =
                    check::resolve_references(config, doc, &cat.by_id, &cat.entries, &mut report);
                entries.push((Arc::clone(entry), references));
            }
        }
        report.sort();
        steps.end("assemble");
        if report.has_errors() {
            return Some(Err(report.diagnostics));
        }
        let pages = state
            .docs
            .iter()
            .filter(|(_, doc)| doc.page.is_some())
            .filter_map(|(path, doc)| edited_doc(path).unwrap_or(doc).page.clone())
            .collect();
        let edited: Vec<usize> = entries
            .iter()
            .filter_map(|(e, _)| cat.by_id.get(&e.id).copied())
            .collect();
        let mut state = self.state.take()?;
        let Some(touched) = state.site.catalogue.update(entries, pages) else {
            self.state = Some(state);
            return None;
        };
        let entry_pages = entry_pages_to_check(&state.site.catalogue, &edited, touched);
        for (path, doc) in edits {
            if let Some(m) = doc.entry.as_ref().and_then(|e| e.modified) {
                state.site.updated.insert(doc.rel_path.clone(), date_of(m));
            }
            state.docs.insert(path, doc);
        }
        steps.end("update graph");
        let State {
            config,
            renderer,
            docs,
            walk_diagnostics,
            link_targets,
            site,
            views,
            index_rows,
            pages,
            pages_current,
            site_fingerprint,
            generation,
            ..
        } = state;
        let resolved = Resolved {
            config,
            docs,
            walk_diagnostics,
            link_targets,
            site,
            report,
            full: false,
            theme_changed: false,
            same_plan: true,
            entry_pages: Some(entry_pages),
        };
        let kept = Kept {
            renderer,
            views: Some(views),
            index_rows: Some(index_rows),
            pages,
            pages_current,
            site_fingerprint,
            generation,
        };
        Some(Ok((resolved, kept)))
    }

    /// The general path: walks the folders, checks what changed (everything on a full rebuild)
    /// and resolves the whole graph; loads the theme again when it or the schema changed.
    fn resolve_all(
        &mut self,
        changed: &[PathBuf],
        full: bool,
        theme_changed: bool,
        steps: &mut Steps,
    ) -> Result<(Resolved, Kept), Vec<Diagnostic>> {
        let mut report = Report::default();
        // 1. The schema, kept unless it changed.
        let config = match (&self.state, full) {
            (Some(s), false) => Arc::clone(&s.config),
            _ => {
                let Some(mut c) = Config::load(&self.root, &mut report) else {
                    report.sort();
                    return Err(report.diagnostics);
                };
                if let Err(d) = c.apply(&Overrides {
                    base_url: self.base_url.clone(),
                    no_search: false,
                }) {
                    return Err(vec![*d]);
                }
                Arc::new(c)
            }
        };
        // 2. The documents: all of them on a full rebuild, else only the changed ones.
        let previous_docs = if full {
            None
        } else {
            self.state.as_ref().map(|s| &s.docs)
        };
        let (docs, walk_diagnostics, link_targets) =
            check_documents(&config, previous_docs, changed, &mut report);
        steps.end("load+check");
        let docs_list: Vec<Arc<CheckedDoc>> = docs.values().cloned().collect();
        let checked = check::assemble(&config, &docs_list, &mut report);
        steps.end("assemble");
        report.sort();
        if report.has_errors() {
            return Err(report.diagnostics);
        }
        // 3. Dates: kept from the last build; files touched now take their file time.
        let mut updated = match (&self.state, full) {
            (Some(s), false) => s.site.updated.clone(),
            _ => load::updated_dates(&config, &checked),
        };
        if !full {
            for e in &checked.entries {
                if changed.iter().any(|p| p.ends_with(&e.rel_path)) {
                    if let Some(m) = e.modified {
                        updated.insert(e.rel_path.clone(), date_of(m));
                    }
                }
            }
        }
        // 4. Resolve the whole graph.
        let catalogue = Catalogue::resolve(Arc::clone(&config), checked);
        steps.end("resolve");
        let site = Site { catalogue, updated };

        // 5. Theme and renderer, kept unless they changed. A new schema or theme starts a new
        // generation, which is part of every fingerprint: every page renders again.
        let previous = self.state.take();
        let previous_pages = |s: &Option<State>| {
            s.as_ref()
                .map(|s| (s.pages.clone(), s.pages_current, s.site_fingerprint))
                .unwrap_or_default()
        };
        let kept = match previous {
            Some(s) if !full && !theme_changed => Kept {
                renderer: s.renderer,
                views: Some(s.views),
                index_rows: Some(s.index_rows),
                pages: s.pages,
                pages_current: s.pages_current,
                site_fingerprint: s.site_fingerprint,
                generation: s.generation,
            },
            other => {
                let loaded = Theme::load(&config)
                    .map_err(|e| e.to_string())
                    .and_then(|t| Renderer::new(t).map_err(|e| e.to_string()));
                match loaded {
                    Ok(renderer) => {
                        let (pages, pages_current, site_fingerprint) = previous_pages(&other);
                        Kept {
                            renderer,
                            views: None,
                            index_rows: None,
                            pages,
                            pages_current,
                            site_fingerprint,
                            generation: other.as_ref().map(|s| s.generation + 1).unwrap_or(0),
                        }
                    }
                    Err(e) => {
                        self.state = other;
                        return Err(vec![Diagnostic::error(
                            "theme",
                            format!("themes/{}", config.theme),
                            e,
                        )]);
                    }
                }
            }
        };
        let resolved = Resolved {
            config,
            docs,
            walk_diagnostics,
            link_targets,
            site,
            report,
            full,
            theme_changed,
            same_plan: false,
            entry_pages: None,
        };
        Ok((resolved, kept))
    }

    /// Renders the pages whose fingerprint changed and assembles the new file set; keeps the
    /// new state.
    fn render_changed(
        &mut self,
        resolved: Resolved,
        kept: Kept,
        changed: &[PathBuf],
        mut steps: Steps,
    ) -> Rebuild {
        let Resolved {
            config,
            docs,
            walk_diagnostics,
            link_targets,
            site,
            report,
            full,
            theme_changed,
            same_plan,
            entry_pages,
        } = resolved;
        let Kept {
            mut renderer,
            views: previous_views,
            index_rows: previous_rows,
            pages: previous_pages,
            pages_current,
            site_fingerprint: previous_site_fp,
            generation,
        } = kept;
        let cat = &site.catalogue;
        let views = Views::reusing(cat, previous_views.as_ref());
        steps.end("views");
        renderer.set_globals(cat, &views);
        let site_fp = {
            use std::hash::{Hash, Hasher};
            let mut h = crate::fingerprinter();
            (render::site_fingerprint(cat), generation).hash(&mut h);
            h.finish()
        };
        // 6. Fingerprints; with the same plan, the served pages are this build's pages.
        let fingerprints = render::PageFingerprints::new(cat, &site.updated, site_fp);
        let same_pages = same_plan && pages_current && !self.files.is_empty();
        // With the same pages, `planned` keeps the served fingerprints until the pages rendered
        // (`fresh` holds the new ones); otherwise `served` keeps the served pages.
        let (mut planned, fresh, served, to_render) = if same_pages {
            // Entry pages outside `entry_pages` keep their fingerprint, unless what all pages
            // share changed.
            let mut check = vec![true; cat.entries.len()];
            if let Some(entries) = entry_pages.filter(|_| site_fp == previous_site_fp) {
                check.fill(false);
                for i in entries {
                    check[i] = true;
                }
            }
            let fresh: Vec<u64> = previous_pages
                .par_iter()
                .map(|(page, _, old)| match page {
                    PageKind::Entry(i) if !check[*i] => *old,
                    _ => fingerprints.of(page),
                })
                .collect();
            if cfg!(debug_assertions) {
                for ((page, path, _), fp) in previous_pages.iter().zip(&fresh) {
                    assert_eq!(
                        fingerprints.of(page),
                        *fp,
                        "{path} changed, but the short path kept its fingerprint: \
                         `entry_pages_to_check` misses an input of `render::PageFingerprints`"
                    );
                }
            }
            let to_render: Vec<usize> = (0..fresh.len())
                .filter(|&k| fresh[k] != previous_pages[k].2)
                .collect();
            (previous_pages, Some(fresh), Vec::new(), to_render)
        } else {
            let planned: Vec<PlannedPage> = render::plan(cat)
                .into_par_iter()
                .map(|p| {
                    let path = p.output_path(cat);
                    let fp = fingerprints.of(&p);
                    (p, path, fp)
                })
                .collect();
            let served: HashMap<&str, u64> = previous_pages
                .iter()
                .map(|(_, path, fp)| (path.as_str(), *fp))
                .collect();
            let to_render: Vec<usize> = (0..planned.len())
                .filter(|&k| served.get(planned[k].1.as_str()) != Some(&planned[k].2))
                .collect();
            (planned, None, previous_pages, to_render)
        };
        drop(fingerprints);
        steps.end("fingerprints");

        // 7. Render only pages whose inputs changed, and the browser index beside them: it is
        // part of the critical path (the catalogue browser reads it); other exports and search
        // follow in `update_deferred`.
        let (rendered, index) = rayon::join(
            || -> Result<Vec<(String, Vec<u8>)>, render::RenderError> {
                to_render
                    .par_iter()
                    .map(|&k| {
                        let (page, path, _) = &planned[k];
                        renderer
                            .render(cat, &views, page, &site.updated)
                            .map(|html| (path.clone(), html))
                    })
                    .collect()
            },
            || {
                let rows = export::IndexRows::reusing(cat, &site.updated, previous_rows.as_ref());
                let files = export::browser_index(cat, &rows);
                (rows, files)
            },
        );
        let (index_rows, index) = index;
        let rendered = match rendered {
            Ok(r) => r,
            Err(e) => {
                // Keep the last good files; the broken template shows in the overlay.
                let diagnostics = vec![Diagnostic::error(
                    "template",
                    format!("themes/{}", config.theme),
                    e.to_string(),
                )];
                // The served pages keep the fingerprints they were rendered from. The catalogue
                // moved on without them, so the next build fingerprints every page again: the
                // entries this build touched are not known to the next one.
                let pages = if same_pages { planned } else { served };
                self.state = Some(State {
                    config,
                    renderer,
                    docs,
                    walk_diagnostics,
                    link_targets,
                    site,
                    views,
                    index_rows,
                    pages,
                    pages_current: false,
                    site_fingerprint: previous_site_fp,
                    deferred_stale: true,
                    generation,
                });
                return steps.failed(diagnostics);
            }
        };
        if let Some(fresh) = fresh {
            for (page, fp) in planned.iter_mut().zip(fresh) {
                page.2 = fp;
            }
        }
        let rendered_count = rendered.len();
        steps.end("render+index");

        // 8. The new file set.
        let changed_paths = if same_pages {
            // Same pages: the served files with the rendered pages and the index replaced.
            let mut next: SiteFiles = (*self.files).clone();
            let index_paths: HashSet<&str> = index.iter().map(|(p, _)| p.as_str()).collect();
            let stale: Vec<String> = self
                .files
                .keys()
                .filter(|k| {
                    k.starts_with("katalog/summaries/") && !index_paths.contains(k.as_str())
                })
                .cloned()
                .collect();
            for k in &stale {
                next.remove(k);
            }
            let mut touched = stale;
            for (path, bytes) in rendered.into_iter().chain(index) {
                touched.push(path.clone());
                next.insert(path, Arc::from(bytes));
            }
            let changed_paths = diff_paths(&self.files, &next, touched);
            self.files = Arc::new(next);
            changed_paths
        } else {
            // Unchanged pages carried over, rendered ones replaced, vanished pages dropped.
            let page_paths: HashSet<&str> = planned.iter().map(|(_, p, _)| p.as_str()).collect();
            let old_pages: HashSet<&str> = served.iter().map(|(_, p, _)| p.as_str()).collect();
            let mut next: SiteFiles = self
                .files
                .iter()
                .filter(|(k, _)| !old_pages.contains(k.as_str()) || page_paths.contains(k.as_str()))
                .filter(|(k, _)| !k.starts_with("katalog/summaries/"))
                .map(|(k, v)| (k.clone(), Arc::clone(v)))
                .collect();
            for (path, bytes) in rendered.into_iter().chain(index) {
                next.insert(path, Arc::from(bytes));
            }
            if full || theme_changed || self.files.is_empty() {
                next.retain(|k, _| {
                    !k.starts_with("assets/") || renderer.theme.assets.contains_key(k)
                });
                for (k, v) in &renderer.theme.assets {
                    next.insert(k.clone(), Arc::from(v.clone()));
                }
            }
            let changed_paths = diff(&self.files, &next);
            self.files = Arc::new(next);
            changed_paths
        };
        steps.end("files+diff");
        let changed_entry_url = entry_url_for(cat, changed);
        self.state = Some(State {
            config,
            renderer,
            docs,
            walk_diagnostics,
            link_targets,
            site,
            views,
            index_rows,
            pages: planned,
            pages_current: true,
            site_fingerprint: site_fp,
            deferred_stale: true,
            generation,
        });
        Rebuild {
            ok: true,
            diagnostics: report.diagnostics,
            changed: changed_paths,
            changed_entry_url,
            rendered: rendered_count,
            duration: steps.start.elapsed(),
            steps: steps.done,
        }
    }

    /// Refreshes the exports (JSON, CSV, feeds, sitemap) and the search index of the current
    /// site; returns the changed output paths. `serve` calls it after the browser reloaded.
    pub fn update_deferred(&mut self) -> Result<Vec<String>, String> {
        let Some(state) = self.state.as_mut() else {
            return Ok(vec![]);
        };
        if !state.deferred_stale {
            return Ok(vec![]);
        }
        let cat = &state.site.catalogue;
        let mut next: SiteFiles = (*self.files).clone();
        let exports = export::exports(cat, &state.views, &state.site.updated);
        let exported: HashSet<String> = exports.iter().map(|(k, _)| k.clone()).collect();
        next.retain(|k, _| !self.exported.contains(k) || exported.contains(k));
        for (k, v) in exports {
            next.insert(k, Arc::from(v));
        }
        self.exported = exported;
        if self.search && cat.config.search {
            let bundle = crate::search::index(cat, &state.views);
            next.retain(|k, _| !k.starts_with(crate::search::DIR));
            next.extend(bundle.into_iter().map(|(k, v)| (k, Arc::from(v))));
        }
        state.deferred_stale = false;
        let changed = diff(&self.files, &next);
        self.files = Arc::new(next);
        Ok(changed)
    }

    /// The former name of `update_deferred`.
    pub fn update_search(&mut self) -> Result<Vec<String>, String> {
        self.update_deferred()
    }
}

/// Reads and checks documents: every one on a full rebuild, else the changed ones and those
/// whose internal links point at a file that appeared or vanished. The rest are reused. Also
/// returns what walking the folders reported, and the link targets the documents were checked
/// against.
fn check_documents(
    config: &Arc<Config>,
    previous: Option<&Docs>,
    changed: &[PathBuf],
    report: &mut Report,
) -> (Docs, Vec<Diagnostic>, LinkTargets) {
    let mut walk = Report::default();
    let candidates = load::discover(config, &mut walk);
    report.extend(walk.diagnostics.iter().cloned());
    let paths: HashSet<&PathBuf> = candidates.iter().map(|c| &c.path).collect();
    let changed: HashSet<&PathBuf> = changed.iter().collect();
    // Content paths that appeared or vanished since the last build.
    let moved: HashSet<String> = match previous {
        Some(prev) => prev
            .keys()
            .filter(|p| !paths.contains(p))
            .chain(
                candidates
                    .iter()
                    .map(|c| &c.path)
                    .filter(|p| !prev.contains_key(*p)),
            )
            .map(|p| load::rel_path(config, p))
            .collect(),
        None => HashSet::new(),
    };
    let needs_check = |c: &Candidate| match previous.and_then(|prev| prev.get(&c.path)) {
        None => true,
        Some(doc) => {
            changed.contains(&c.path) || doc.internal_links.iter().any(|l| moved.contains(l))
        }
    };
    let (fresh, kept): (Vec<&Candidate>, Vec<&Candidate>) =
        candidates.iter().partition(|c| needs_check(c));
    let targets = check::link_targets(config, &candidates);
    let results = check::read_and_check(config, &fresh, &targets);
    let mut docs = BTreeMap::new();
    for c in kept {
        if let Some(doc) = previous.and_then(|p| p.get(&c.path)) {
            docs.insert(c.path.clone(), Arc::clone(doc));
        }
    }
    for (candidate, result) in results {
        match result {
            Ok(doc) => {
                docs.insert(candidate.path.clone(), Arc::new(doc));
            }
            Err(d) => report.push(d),
        }
    }
    (docs, walk.diagnostics, targets)
}

/// The entries whose page fingerprint an edit in place can change: those whose own data changed
/// (`touched`, from [`Catalogue::update`]: the edited ones and those whose backlinks, similar
/// entries or neighbours changed), and those whose page shows an edited entry's card: the
/// entries that point at it, that it points at or that are its neighbours (both in `touched`),
/// and those that list it as similar. This mirrors what `render::PageFingerprints` hashes for an
/// entry page; debug builds check that no other entry page's fingerprint changed.
fn entry_pages_to_check(cat: &Catalogue, edited: &[usize], mut touched: Vec<usize>) -> Vec<usize> {
    for &e in edited {
        for r in &cat.backlinks[e] {
            touched.extend(&r.targets);
        }
        touched.extend(cat.similar_to(e));
    }
    touched.sort_unstable();
    touched.dedup();
    touched
}

/// A file time as the date pages show (`2024-05-01`).
fn date_of(time: std::time::SystemTime) -> String {
    humantime::format_rfc3339_seconds(time).to_string()[..10].to_string()
}

/// The URL of the entry whose file changed, if exactly one changed source is an entry. Other
/// changed paths do not count: a save by rename also reports the editor's temporary file, which
/// is gone by now.
fn entry_url_for(cat: &Catalogue, changed: &[PathBuf]) -> Option<String> {
    let mut urls = changed.iter().filter_map(|path| {
        let rel = path
            .strip_prefix(&cat.config.content_dir)
            .ok()?
            .to_string_lossy()
            .replace('\\', "/");
        let entry = cat.entries.iter().find(|e| e.rel_path == rel)?;
        Some(format!(
            "{}{}/{}/",
            cat.config.base_path(),
            cat.config.types[entry.type_index].folder,
            entry.slug
        ))
    });
    let url = urls.next()?;
    urls.next().is_none().then_some(url)
}

/// Paths whose bytes differ between two sites, including added and removed ones.
fn diff(old: &SiteFiles, new: &SiteFiles) -> Vec<String> {
    let mut out: Vec<String> = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_none_or(|o| !Arc::ptr_eq(o, v) && o != *v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    out.sort();
    out
}

/// Which of `paths` differ between two sites (changed, added or removed), sorted.
fn diff_paths(old: &SiteFiles, new: &SiteFiles, mut paths: Vec<String>) -> Vec<String> {
    paths.sort();
    paths.dedup();
    paths.retain(|p| match (old.get(p), new.get(p)) {
        (Some(o), Some(n)) => !Arc::ptr_eq(o, n) && o != n,
        (None, None) => false,
        _ => true,
    });
    paths
}
