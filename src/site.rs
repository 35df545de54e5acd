//! The pipeline, one [`Site`] for both commands: config → load → check → resolve, then render
//! into a [`Sink`]. `build` loads a site and renders it into the staging folder on disk;
//! `serve` renders it into memory, applies the files that changed and renders again. Either
//! way a page is rendered only if the sink does not already hold it rendered from the same
//! inputs (its fingerprint).
//!
//! Applying changes is incremental. The common case, files edited in place, takes a short
//! path: only the edited files are read and checked, the catalogue graph is updated around them
//! ([`Catalogue::update`]), and only the fingerprints of the pages they can affect are computed
//! again. Files that appear, vanish or are renamed take the general path: the folders are
//! walked again, changed files and those whose internal links point at a file that appeared or
//! vanished are checked again, and the graph is resolved in full. A change to the schema loads
//! the site anew; a change to the theme loads the theme anew.

use crate::check::{self, CheckedDoc, Docs};
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Report};
use crate::export::{self, IndexRows};
use crate::load::{self, Candidate, Dates};
use crate::render::theme::{Theme, ThemeError};
use crate::render::views::Views;
use crate::render::{self, PageKind, RenderError, Renderer};
use crate::resolve::{Catalogue, References};
use crate::search;
use crate::sink::{OutputError, Sink, WriteFn};
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Time taken by each step, for `--verbose` and benchmarks.
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub steps: Vec<(&'static str, Duration)>,
}

impl Timings {
    pub fn time<T>(&mut self, step: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.steps.push((step, start.elapsed()));
        out
    }

    pub fn total(&self) -> Duration {
        self.steps.iter().map(|(_, d)| *d).sum()
    }
}

/// Why a site could not be loaded or rendered.
#[derive(Debug, thiserror::Error)]
pub enum SiteError {
    #[error("the catalogue has {} error(s)", .0.error_count())]
    Invalid(Report),
    #[error(transparent)]
    Theme(#[from] ThemeError),
    #[error(transparent)]
    Render(#[from] RenderError),
    #[error(transparent)]
    Output(#[from] OutputError),
}

impl SiteError {
    /// The problems as diagnostics (for the serve overlay).
    pub fn diagnostics(&self, config: Option<&Config>) -> Vec<Diagnostic> {
        let theme = config
            .map(|c| format!("themes/{}", c.theme))
            .unwrap_or_default();
        match self {
            SiteError::Invalid(report) => report.diagnostics.clone(),
            SiteError::Theme(e) => vec![Diagnostic::error("theme", theme, e.to_string())],
            SiteError::Render(e) => vec![Diagnostic::error("template", theme, e.to_string())],
            SiteError::Output(e) => vec![Diagnostic::error("output", "", e.to_string())],
        }
    }
}

/// A page of the site: what it is, its output path, and the fingerprint of its inputs.
type PlannedPage = (PageKind, String, u64);

/// A catalogue loaded, checked and resolved, with what rendering it takes.
pub struct Site {
    root: PathBuf,
    overrides: Overrides,
    pub catalogue: Catalogue,
    /// Content path (`orte/x.md`) → last update date (`2024-05-01`), from git or file times.
    pub updated: HashMap<String, String>,
    dates: Dates,
    /// The checked documents, kept so that an edit reads and checks only what changed.
    docs: Docs,
    /// What walking the content folders reported; an edit in place does not walk them again.
    walk_diagnostics: Vec<Diagnostic>,
    /// The URL of every document by content path, for internal links.
    link_targets: HashMap<String, String>,
    pub renderer: Renderer,
    pub views: Views,
    index_rows: Option<IndexRows>,
    /// Every page with its output path and fingerprint, the costliest first.
    pages: Vec<PlannedPage>,
    /// What every page depends on besides its own inputs ([`identity`]).
    identity: u64,
    /// Warnings of the last load or apply.
    pub report: Report,
}

/// What [`Site::apply`] did.
#[derive(Debug, Default)]
pub struct Applied {
    /// Whether anything that makes the site changed (false for a file outside the catalogue).
    pub relevant: bool,
    /// Whether the edits took the short path for files edited in place.
    pub in_place: bool,
    pub timings: Timings,
}

/// What rendering wrote.
#[derive(Debug, Default, Clone, Copy)]
pub struct Rendered {
    /// Pages rendered (the others were kept as the sink held them).
    pub rendered: usize,
    pub pages: usize,
    /// Files written or kept, pages included.
    pub files: usize,
    /// Whether the search index was taken over from the previous output.
    pub search_reused: bool,
}

/// What kind of source a changed path is.
#[derive(Debug, PartialEq)]
enum Source {
    Schema,
    Theme,
    Document,
    Other,
}

impl Site {
    /// Loads the catalogue at `root`: config → load → check → resolve, then the theme, the
    /// views and the page plan.
    pub fn load(
        root: &Path,
        overrides: Overrides,
        timings: &mut Timings,
    ) -> Result<Site, SiteError> {
        Site::load_reusing(root, overrides, None, timings)
    }

    /// Loads the site, taking over the cards and index rows of `previous` where they hold.
    fn load_reusing(
        root: &Path,
        overrides: Overrides,
        previous: Option<&Site>,
        timings: &mut Timings,
    ) -> Result<Site, SiteError> {
        let mut report = Report::default();
        let read = read_catalogue(root, &overrides, &mut report, timings);
        let read = match read {
            Some(read) if !report.has_errors() => read,
            _ => return Err(SiteError::Invalid(report)),
        };
        let Read {
            config,
            docs,
            walk_diagnostics,
            link_targets,
            checked,
        } = read;
        let dates = timings.time("dates", || Dates::read(&config));
        let updated = dates.all(&checked);
        let catalogue = timings.time("resolve", || Catalogue::resolve(config, checked));
        let theme = timings.time("theme", || Theme::load(&catalogue.config))?;
        let renderer = Renderer::new(theme)?;
        let mut site = Site {
            root: root.to_path_buf(),
            overrides,
            views: timings.time("views", || {
                Views::reusing(&catalogue, previous.map(|p| &p.views))
            }),
            catalogue,
            updated,
            dates,
            docs,
            walk_diagnostics,
            link_targets,
            renderer,
            index_rows: None,
            pages: Vec::new(),
            identity: 0,
            report,
        };
        site.renderer.set_globals(&site.catalogue, &site.views);
        timings.time("fingerprints", || site.plan(None));
        Ok(site)
    }

    /// Makes the page plan with every page's fingerprint; with `only`, the plan stays and only
    /// the fingerprints of the pages it names are computed again (the others cannot change).
    fn plan(&mut self, only: Option<&[usize]>) {
        let identity = identity(&self.catalogue, &self.renderer.theme);
        let cat = &self.catalogue;
        let fingerprints = render::PageFingerprints::new(cat, &self.updated, identity);
        match only.filter(|_| identity == self.identity) {
            Some(entries) => {
                let mut check = vec![false; cat.entries.len()];
                for &i in entries {
                    check[i] = true;
                }
                self.pages.par_iter_mut().for_each(|(page, _, fp)| {
                    if !matches!(page, PageKind::Entry(i) if !check[*i]) {
                        *fp = fingerprints.of(page);
                    }
                });
                if cfg!(debug_assertions) {
                    for (page, path, fp) in &self.pages {
                        assert_eq!(
                            fingerprints.of(page),
                            *fp,
                            "{path} changed, but the short path kept its fingerprint: \
                             `entry_pages_to_check` misses an input of `render::PageFingerprints`"
                        );
                    }
                }
            }
            None => {
                let mut pages: Vec<PlannedPage> = render::plan(cat)
                    .into_par_iter()
                    .map(|p| {
                        let path = p.output_path(cat);
                        let fp = fingerprints.of(&p);
                        (p, path, fp)
                    })
                    .collect();
                // The costliest pages first: in a run of them one core would render them in
                // turn while the other runs out of work.
                pages.sort_by_cached_key(|(p, ..)| std::cmp::Reverse(p.cost(cat)));
                self.pages = pages;
            }
        }
        self.identity = identity;
    }

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
        if !theme && !kinds.contains(&Source::Document) {
            return Ok(Applied::default());
        }
        let in_place = !theme && self.edit_in_place(changed, &mut timings)?;
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
        let resolver = |p: &str| self.link_targets.get(p).cloned();
        let mut edits: Vec<(PathBuf, Arc<CheckedDoc>)> = Vec::with_capacity(changed.len());
        let start = Instant::now();
        for path in changed {
            let Some(previous) = self.docs.get(path) else {
                return Ok(false);
            };
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
        for (path, doc) in &self.docs {
            let doc = edited_doc(path).unwrap_or(doc);
            report.extend(doc.diagnostics.iter().cloned());
        }
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
        let edited: Vec<usize> = entries
            .iter()
            .filter_map(|(e, _)| cat.by_id.get(&e.id).copied())
            .collect();
        let Some(touched) = self.catalogue.update(entries, pages) else {
            return Ok(false);
        };
        let entry_pages = entry_pages_to_check(&self.catalogue, &edited, touched);
        let read_again = edits.iter().filter_map(|(_, doc)| doc.dated());
        self.dates.refresh(&mut self.updated, read_again);
        for (path, doc) in edits {
            self.docs.insert(path, doc);
        }
        self.report = report;
        timings.steps.push(("update graph", start.elapsed()));
        let start = Instant::now();
        self.views = Views::reusing(&self.catalogue, Some(&self.views));
        self.renderer.set_globals(&self.catalogue, &self.views);
        timings.steps.push(("views", start.elapsed()));
        timings.time("fingerprints", || self.plan(Some(&entry_pages)));
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
        self.catalogue = timings.time("resolve", || Catalogue::resolve(config, checked));
        self.updated = updated;
        self.docs = docs;
        self.walk_diagnostics = walk.diagnostics;
        self.link_targets = link_targets;
        self.report = report;
        if let Some(renderer) = renderer {
            self.renderer = renderer;
        }
        self.views = timings.time("views", || {
            Views::reusing(&self.catalogue, Some(&self.views))
        });
        self.renderer.set_globals(&self.catalogue, &self.views);
        timings.time("fingerprints", || self.plan(None));
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

    /// How many pages the site has.
    pub fn page_count(&self) -> usize {
        self.pages.len()
    }

    /// Renders the whole site into `sink`: the pages and the exports side by side, and the
    /// search index beside them on a thread of its own with a one-thread pool, so that its
    /// parallel parts neither wait behind the pages' jobs nor delay them (BENCHMARKS.md).
    /// `on_page` is called for every page, for a progress bar.
    pub fn render(
        &mut self,
        sink: &dyn Sink,
        on_page: &(dyn Fn() + Sync),
        timings: &mut Timings,
    ) -> Result<Rendered, SiteError> {
        let this = &*self;
        let (pages, exports, search) = std::thread::scope(|scope| {
            let search = this.catalogue.config.search.then(|| {
                scope.spawn(
                    || match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                        Ok(pool) => pool.install(|| this.render_search(sink)),
                        Err(_) => this.render_search(sink),
                    },
                )
            });
            let (pages, exports) = timings.time("render+write", || {
                rayon::join(
                    || this.render_pages_into(sink, on_page),
                    || this.render_exports_into(sink),
                )
            });
            let waited = Instant::now();
            let search = search.map(|h| h.join().expect("the search indexer panicked"));
            if let Some(Ok(bundle)) = &search {
                let step = if bundle.reused {
                    "search reused"
                } else {
                    "search"
                };
                timings.steps.push((step, waited.elapsed()));
            }
            (pages, exports, search)
        });
        let (mut rendered, rows) = pages?;
        self.index_rows = Some(rows);
        rendered.files += exports?;
        if let Some(bundle) = search.transpose()? {
            rendered.files += bundle.files;
            rendered.search_reused = bundle.reused;
        }
        Ok(rendered)
    }

    /// Renders the pages, the catalogue browser's index and the theme's assets into `sink`
    /// (serve's first pass). Returns what it wrote and the paths it produced besides the pages
    /// ([`Site::page_paths`]).
    pub fn render_pages(&mut self, sink: &dyn Sink) -> Result<(Rendered, Vec<String>), SiteError> {
        let recorder = Recorder::new(sink);
        let (rendered, rows) = self.render_pages_into(&recorder, &|| {})?;
        self.index_rows = Some(rows);
        Ok((rendered, recorder.into_paths_but_pages()))
    }

    /// Renders the exports, feeds, sitemap and the search index into `sink` (serve's second
    /// pass, after the browser has reloaded); returns the paths it produced.
    pub fn render_exports(&self, sink: &dyn Sink) -> Result<Vec<String>, SiteError> {
        let recorder = Recorder::new(sink);
        self.render_exports_into(&recorder)?;
        if self.catalogue.config.search {
            self.render_search(&recorder)?;
        }
        Ok(recorder.into_paths_but_pages())
    }

    /// The output paths of the pages.
    pub fn page_paths(&self) -> impl Iterator<Item = &str> {
        self.pages.iter().map(|(_, path, _)| path.as_str())
    }

    fn render_pages_into(
        &self,
        sink: &dyn Sink,
        on_page: &(dyn Fn() + Sync),
    ) -> Result<(Rendered, IndexRows), SiteError> {
        let cat = &self.catalogue;
        let rendered = std::sync::atomic::AtomicUsize::new(0);
        let (pages, rows) = rayon::join(
            || {
                let heavy = self
                    .pages
                    .partition_point(|(p, ..)| p.cost(cat) > render::PAGE_SIZE);
                let (heavy, light) = self.pages.split_at(heavy);
                let pages = heavy.par_iter().with_max_len(1).chain(light.par_iter());
                pages.try_for_each(|(page, path, fp)| {
                    if !sink.keep_page(path, *fp) {
                        let html = self
                            .renderer
                            .render(cat, &self.views, page, &self.updated)?;
                        sink.write_page(path, *fp, &html)?;
                        rendered.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                    on_page();
                    Ok::<(), SiteError>(())
                })
            },
            || -> Result<(IndexRows, usize), OutputError> {
                let rows = IndexRows::reusing(cat, &self.updated, self.index_rows.as_ref());
                let index = export::browser_index(cat, &rows);
                for (path, bytes) in &index {
                    sink.write(path, &|w| w.write_all(bytes))?;
                }
                Ok((rows, index.len()))
            },
        );
        pages?;
        let (rows, index_files) = rows?;
        for (path, bytes) in &self.renderer.theme.assets {
            sink.write(path, &|w| w.write_all(bytes))?;
        }
        let rendered = Rendered {
            rendered: rendered.into_inner(),
            pages: self.pages.len(),
            files: self.pages.len() + index_files + self.renderer.theme.assets.len(),
            search_reused: false,
        };
        Ok((rendered, rows))
    }

    fn render_exports_into(&self, sink: &dyn Sink) -> Result<usize, SiteError> {
        let write = |path: &str, content: &WriteFn<'_>| sink.write(path, content);
        let xml = &self.renderer.xml;
        let written =
            export::write_exports(&self.catalogue, &self.views, xml, &self.updated, &write);
        written.map_err(|e| match e {
            export::ExportError::Output(e) => SiteError::Output(e),
            export::ExportError::Render(e) => SiteError::Render(e),
        })
    }

    fn render_search(&self, sink: &dyn Sink) -> Result<search::Bundle, SiteError> {
        let write = |path: &str, content: &WriteFn<'_>| sink.write(path, content);
        Ok(search::bundle(
            &self.catalogue,
            &self.views,
            sink.previous_output(),
            self.identity,
            &write,
        )?)
    }
}

/// A catalogue read and checked: the first steps of every command.
pub struct Read {
    pub config: Arc<Config>,
    pub docs: Docs,
    pub walk_diagnostics: Vec<Diagnostic>,
    pub link_targets: HashMap<String, String>,
    pub checked: crate::model::Checked,
}

/// Runs config → load → check: reads every document and checks it on its own and across
/// files. Every problem goes to `report` (sorted); `None` if the schema is unusable. Entries
/// with errors are still returned where possible (`casebook check` counts them); a site is
/// made only without errors.
pub fn read_catalogue(
    root: &Path,
    overrides: &Overrides,
    report: &mut Report,
    timings: &mut Timings,
) -> Option<Read> {
    let config = timings.time("config", || Config::load(root, report));
    let Some(mut config) = config else {
        report.sort();
        return None;
    };
    config.apply(overrides);
    let config = Arc::new(config);
    let mut walk = Report::default();
    let candidates = timings.time("discover", || load::discover(&config, &mut walk));
    report.extend(walk.diagnostics.iter().cloned());
    let (docs, link_targets) = timings.time("load+check", || {
        check::check_documents(&config, &candidates, None, &[], report)
    });
    drop(candidates);
    let checked = timings.time("assemble", || {
        let list: Vec<Arc<CheckedDoc>> = docs.values().cloned().collect();
        check::assemble(&config, &list, report)
    });
    report.sort();
    Some(Read {
        config,
        docs,
        walk_diagnostics: walk.diagnostics,
        link_targets,
        checked,
    })
}

/// A sink that passes everything on to another and notes the paths of the files (not pages)
/// written, so a pass can say what it produced.
struct Recorder<'a> {
    sink: &'a dyn Sink,
    paths: std::sync::Mutex<Vec<String>>,
}

impl<'a> Recorder<'a> {
    fn new(sink: &'a dyn Sink) -> Recorder<'a> {
        Recorder {
            sink,
            paths: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn into_paths_but_pages(self) -> Vec<String> {
        self.paths.into_inner().unwrap_or_else(|e| e.into_inner())
    }
}

impl Sink for Recorder<'_> {
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        self.sink.write(path, content)?;
        self.paths
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(path.to_string());
        Ok(())
    }

    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError> {
        self.sink.write_page(path, fingerprint, html)
    }

    fn keep_page(&self, path: &str, fingerprint: u64) -> bool {
        self.sink.keep_page(path, fingerprint)
    }

    fn previous_output(&self) -> Option<&Path> {
        self.sink.previous_output()
    }
}

/// A hash of everything pages depend on besides the catalogue's entries and pages: what all
/// pages share ([`render::site_fingerprint`]), the schema files, the theme, the settings and
/// this program. Page fingerprints include it, so a page written by an earlier build is reused
/// only if none of these changed.
fn identity(cat: &Catalogue, theme: &Theme) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprinter();
    render::site_fingerprint(cat).hash(&mut h);
    let config = &cat.config;
    (&config.base_url, config.search, config.preview).hash(&mut h);
    let vocabularies = config.content_dir.join("vocabularies");
    let mut schema: Vec<PathBuf> = std::fs::read_dir(&vocabularies)
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    schema.sort();
    schema.push(config.content_dir.join("site.yaml"));
    for path in schema {
        (&path, std::fs::read(&path).ok()).hash(&mut h);
    }
    (&theme.templates, &theme.assets, &theme.strings).hash(&mut h);
    // The program itself: another casebook may render the same input differently.
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    exe.map(|m| (m.len(), m.modified().ok())).ok().hash(&mut h);
    h.finish()
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
