//! A build kept in memory for `serve`: rebuilds after changes and reports which output files
//! changed, so the server can swap a stylesheet, reload pages, or show an error overlay.
//!
//! Rebuilds are incremental: only changed files are read and checked again (plus files whose
//! internal links point at files that appeared or vanished); the catalogue graph is resolved
//! again in full (it is cheap); only pages whose fingerprint changed are rendered. Heavy exports
//! and the search index are refreshed by `update_deferred`, after the browser has reloaded.

use crate::build::Site;
use crate::check::{self, CheckedDoc};
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Report};
use crate::export;
use crate::load::{self, Candidate, DocKind};
use crate::render::theme::Theme;
use crate::render::views::Views;
use crate::render::{self, PageKind, Renderer};
use crate::resolve::Catalogue;
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

/// Everything kept between rebuilds.
struct State {
    config: Arc<Config>,
    renderer: Renderer,
    /// Checked documents by absolute path, in path order.
    docs: BTreeMap<PathBuf, Arc<CheckedDoc>>,
    site: Site,
    views: Views,
    /// Fingerprint of each rendered page, by output path.
    fingerprints: HashMap<String, u64>,
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
}

/// What kind of source a changed path is.
#[derive(Debug, PartialEq)]
enum Source {
    Schema,
    Theme,
    Document,
    Other,
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
        let start = Instant::now();
        let failed = |diagnostics: Vec<Diagnostic>| Rebuild {
            ok: false,
            diagnostics,
            changed: vec![],
            changed_entry_url: None,
            rendered: 0,
            steps: vec![],
            duration: start.elapsed(),
        };
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
                duration: start.elapsed(),
            };
        }

        let mut report = Report::default();
        let mut steps = Vec::new();
        let mut lap = Instant::now();
        // 1. The schema, kept unless it changed.
        let config = match (&self.state, full) {
            (Some(s), false) => Arc::clone(&s.config),
            _ => {
                let Some(mut c) = Config::load(&self.root, &mut report) else {
                    report.sort();
                    return failed(report.diagnostics);
                };
                c.apply(&Overrides {
                    base_url: self.base_url.clone(),
                    no_search: false,
                });
                Arc::new(c)
            }
        };
        // 2. The documents: all of them on a full rebuild, else only the changed ones.
        let previous_docs = if full {
            None
        } else {
            self.state.as_ref().map(|s| &s.docs)
        };
        let docs = self.check_documents(&config, previous_docs, changed, &mut report);
        steps.push(("load+check", lap.elapsed()));
        lap = Instant::now();
        let docs_list: Vec<Arc<CheckedDoc>> = docs.values().cloned().collect();
        let checked = check::assemble(&config, &docs_list, &mut report);
        steps.push(("assemble", lap.elapsed()));
        lap = Instant::now();
        report.sort();
        if report.has_errors() {
            return failed(report.diagnostics);
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
                        updated.insert(
                            e.rel_path.clone(),
                            humantime::format_rfc3339_seconds(m).to_string()[..10].to_string(),
                        );
                    }
                }
            }
        }
        // 4. Resolve the whole graph; it is cheap next to rendering.
        let catalogue = Catalogue::resolve(Arc::clone(&config), checked);
        steps.push(("resolve", lap.elapsed()));
        lap = Instant::now();
        let site = Site { catalogue, updated };

        // 5. Theme and renderer, kept unless they changed. A new schema or theme starts a new
        // generation: every page renders again.
        let previous = self.state.take();
        let (mut renderer, previous_views, previous_fingerprints, generation) = match previous {
            Some(s) if !full && !theme_changed => {
                (s.renderer, Some(s.views), s.fingerprints, s.generation)
            }
            other => {
                let loaded = Theme::load(&config)
                    .map_err(|e| e.to_string())
                    .and_then(|t| Renderer::new(t).map_err(|e| e.to_string()));
                let generation = other.as_ref().map(|s| s.generation + 1).unwrap_or(0);
                match loaded {
                    Ok(r) => (r, None, HashMap::new(), generation),
                    Err(e) => {
                        self.state = other;
                        return failed(vec![Diagnostic::error(
                            "theme",
                            format!("themes/{}", config.theme),
                            e,
                        )]);
                    }
                }
            }
        };

        // 6. Render only pages whose inputs changed.
        let cat = &site.catalogue;
        let views = Views::reusing(cat, previous_views.as_ref());
        steps.push(("views", lap.elapsed()));
        lap = Instant::now();
        renderer.set_globals(cat, &views);
        let site_fp = {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            (render::site_fingerprint(cat), generation).hash(&mut h);
            h.finish()
        };
        let pages = render::plan(cat);
        let planned: Vec<(PageKind, String, u64)> = pages
            .into_par_iter()
            .map(|p| {
                let path = p.output_path(cat);
                let fp = render::fingerprint(cat, &p, &site.updated, site_fp);
                (p, path, fp)
            })
            .collect();
        steps.push(("fingerprints", lap.elapsed()));
        lap = Instant::now();
        let to_render: Vec<&(PageKind, String, u64)> = planned
            .iter()
            .filter(|(_, path, fp)| previous_fingerprints.get(path) != Some(fp))
            .collect();
        let rendered: Result<Vec<(String, Vec<u8>)>, render::RenderError> = to_render
            .par_iter()
            .map(|(page, path, _)| {
                renderer
                    .render(cat, &views, page, &site.updated)
                    .map(|html| (path.clone(), html.into_bytes()))
            })
            .collect();
        let rendered = match rendered {
            Ok(r) => r,
            Err(e) => {
                // Keep the last good state; the broken template shows in the overlay.
                let diagnostics = vec![Diagnostic::error(
                    "template",
                    format!("themes/{}", config.theme),
                    e.to_string(),
                )];
                self.state = Some(State {
                    config,
                    renderer,
                    docs,
                    site,
                    views,
                    fingerprints: previous_fingerprints,
                    deferred_stale: true,
                    generation,
                });
                return failed(diagnostics);
            }
        };
        let rendered_count = rendered.len();
        steps.push(("render", lap.elapsed()));
        lap = Instant::now();

        // 7. The new file set: unchanged pages carried over, rendered ones replaced, vanished
        // pages dropped; the browser index is part of the critical path (the catalogue browser
        // reads it), other exports and search follow in `update_deferred`.
        let page_paths: HashSet<&str> = planned.iter().map(|(_, p, _)| p.as_str()).collect();
        let old_pages: HashSet<&String> = previous_fingerprints.keys().collect();
        let mut next: SiteFiles = self
            .files
            .iter()
            .filter(|(k, _)| !old_pages.contains(k) || page_paths.contains(k.as_str()))
            .filter(|(k, _)| !k.starts_with("katalog/summaries/"))
            .map(|(k, v)| (k.clone(), Arc::clone(v)))
            .collect();
        for (path, bytes) in rendered {
            next.insert(path, Arc::from(bytes));
        }
        for (path, bytes) in export::browser_index(cat, &site.updated) {
            next.insert(path, Arc::from(bytes));
        }
        if full || theme_changed || self.files.is_empty() {
            next.retain(|k, _| !k.starts_with("assets/") || renderer.theme.assets.contains_key(k));
            for (k, v) in &renderer.theme.assets {
                next.insert(k.clone(), Arc::from(v.clone()));
            }
        }
        let changed_paths = diff(&self.files, &next);
        steps.push(("files+diff", lap.elapsed()));
        let changed_entry_url = entry_url_for(cat, changed);
        let fingerprints = planned
            .into_iter()
            .map(|(_, path, fp)| (path, fp))
            .collect();
        self.files = Arc::new(next);
        self.state = Some(State {
            config,
            renderer,
            docs,
            site,
            views,
            fingerprints,
            deferred_stale: true,
            generation,
        });
        Rebuild {
            ok: true,
            diagnostics: report.diagnostics,
            changed: changed_paths,
            changed_entry_url,
            rendered: rendered_count,
            steps,
            duration: start.elapsed(),
        }
    }

    /// Reads and checks documents: every one on a full rebuild, else the changed ones and those
    /// whose internal links point at a file that appeared or vanished. The rest are reused.
    fn check_documents(
        &self,
        config: &Arc<Config>,
        previous: Option<&BTreeMap<PathBuf, Arc<CheckedDoc>>>,
        changed: &[PathBuf],
        report: &mut Report,
    ) -> BTreeMap<PathBuf, Arc<CheckedDoc>> {
        let candidates = load::discover(config, report);
        let paths: HashSet<&PathBuf> = candidates.iter().map(|c| &c.path).collect();
        let changed: HashSet<&PathBuf> = changed.iter().collect();
        let rel = |p: &Path| {
            p.strip_prefix(&config.content_dir)
                .unwrap_or(p)
                .to_string_lossy()
                .replace('\\', "/")
        };
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
                .map(|p| rel(p))
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
        let slugs: Vec<(DocKind, String, String)> = candidates
            .iter()
            .map(|c| {
                let slug = c
                    .path
                    .file_stem()
                    .and_then(|s| s.to_str())
                    .map(load::slugify)
                    .unwrap_or_default();
                (c.kind, rel(&c.path), slug)
            })
            .collect();
        let targets = check::link_targets(config, &slugs);
        let resolver = |p: &str| targets.get(p).cloned();
        let results: Vec<(PathBuf, Result<CheckedDoc, Diagnostic>)> = fresh
            .par_iter()
            .map(|c| {
                let doc = load::load_document(config, c)
                    .map(|d| check::check_document(config, d, &resolver))
                    .map_err(|e| *e);
                (c.path.clone(), doc)
            })
            .collect();
        let mut docs = BTreeMap::new();
        for c in kept {
            if let Some(doc) = previous.and_then(|p| p.get(&c.path)) {
                docs.insert(c.path.clone(), Arc::clone(doc));
            }
        }
        for (path, result) in results {
            match result {
                Ok(doc) => {
                    docs.insert(path, Arc::new(doc));
                }
                Err(d) => report.push(d),
            }
        }
        docs
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
        for (k, v) in export::exports(cat, &state.views, &state.site.updated) {
            next.insert(k, Arc::from(v));
        }
        if self.search && cat.config.search {
            let bundle = crate::search::index(cat, &state.views)?;
            next.retain(|k, _| !k.starts_with("pagefind/"));
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

/// The URL of the entry whose file is the single changed source, if any.
fn entry_url_for(cat: &Catalogue, changed: &[PathBuf]) -> Option<String> {
    let [path] = changed else { return None };
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
