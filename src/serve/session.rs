//! The site `serve` shows, kept in memory: a [`Site`] rendered into a [`Memory`] sink. A
//! rebuild applies the changed files to the site ([`Site::apply`]) and renders what changed;
//! it reports which output files changed, so the server can swap a stylesheet, reload pages,
//! or show an error overlay. Exports and the search index follow in `update_deferred`, after
//! the browser has reloaded.

use crate::config::Overrides;
use crate::diagnostic::Diagnostic;
use crate::output::{Memory, Pass};
use crate::site::{Site, Timings};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use crate::output::SiteFiles;

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

    fn nothing(start: Instant) -> Rebuild {
        Rebuild {
            ok: true,
            diagnostics: vec![],
            changed: vec![],
            changed_entry_url: None,
            rendered: 0,
            steps: vec![],
            duration: start.elapsed(),
        }
    }

    fn failed(start: Instant, timings: Timings, diagnostics: Vec<Diagnostic>) -> Rebuild {
        Rebuild {
            ok: false,
            diagnostics,
            steps: timings.steps,
            ..Rebuild::nothing(start)
        }
    }
}

/// An in-memory build session.
pub struct Session {
    root: PathBuf,
    overrides: Overrides,
    site: Option<Site>,
    memory: Memory,
    /// Sources changed since the last successful rebuild: a failed rebuild keeps the last good
    /// site, so its changes must be applied again by the next one.
    pending: Vec<PathBuf>,
    /// Exports and the search index need rendering again.
    deferred_stale: bool,
}

impl Session {
    /// `base_url` should point at the local server, so links work in the preview.
    pub fn new(root: &Path, base_url: Option<String>, search: bool) -> Session {
        Session {
            root: root.to_path_buf(),
            overrides: Overrides {
                base_url,
                no_search: !search,
                preview: true,
                // The picture cache of the default output, so a build and serve share it.
                output: Some(root.join("output")),
            },
            site: None,
            memory: Memory::default(),
            pending: Vec::new(),
            deferred_stale: false,
        }
    }

    /// The words of the error overlay and page in the site's language: the loaded theme's
    /// (which a catalogue's theme may change), else the built-in theme's for the language
    /// site.yaml names, read even from a site.yaml that does not parse.
    pub fn words(&self) -> std::collections::BTreeMap<String, String> {
        let strings = match &self.site {
            Some(site) => site.renderer.theme.strings.clone(),
            None => crate::render::theme::built_in_strings(&site_language(&self.root)),
        };
        strings
            .into_iter()
            .filter(|(k, _)| k.starts_with("preview_"))
            .collect()
    }

    /// The last good site.
    pub fn files(&self) -> Arc<SiteFiles> {
        self.memory.files()
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
        let mut timings = Timings::default();
        let applied = match self.site.as_mut() {
            Some(site) if !changed.is_empty() => site.apply(changed).map(|applied| {
                timings = applied.timings;
                applied.relevant
            }),
            _ => Site::load(&self.root, self.overrides.clone(), &mut timings).map(|site| {
                self.site = Some(site);
                true
            }),
        };
        let config = self.site.as_ref().map(|s| &*s.catalogue.config);
        match applied {
            Ok(true) => {}
            Ok(false) => return Rebuild::nothing(start),
            Err(e) => return Rebuild::failed(start, timings, e.diagnostics(config)),
        }
        let Some(site) = self.site.as_mut() else {
            return Rebuild::nothing(start);
        };
        let rendered = timings.time("render", || site.render_pages(&self.memory));
        let (rendered, others) = match rendered {
            Ok(done) => done,
            Err(e) => {
                // The last good files stay; the broken template shows in the overlay.
                self.memory.abandon();
                let diagnostics = e.diagnostics(Some(&site.catalogue.config));
                return Rebuild::failed(start, timings, diagnostics);
            }
        };
        let produced = site.page_paths().chain(others.iter().map(String::as_str));
        let changed_paths =
            timings.time("files+diff", || self.memory.finish(Pass::Pages, produced));
        self.deferred_stale = true;
        Rebuild {
            ok: true,
            diagnostics: site.report.diagnostics.clone(),
            changed: changed_paths,
            changed_entry_url: site.entry_url_for(changed),
            rendered: rendered.rendered,
            steps: timings.steps,
            duration: start.elapsed(),
        }
    }

    /// Renders the exports (JSON, CSV, feeds, sitemap) and the search index of the current
    /// site; returns the changed output paths. `serve` calls it after the browser reloaded.
    /// A broken feed or sitemap template fails it like a rebuild; the exports stay as they
    /// were until it is fixed.
    pub fn update_deferred(&mut self) -> Result<Vec<String>, Rebuild> {
        let start = Instant::now();
        let Some(site) = self.site.as_ref().filter(|_| self.deferred_stale) else {
            return Ok(vec![]);
        };
        match site.render_exports(&self.memory) {
            Ok(paths) => {
                self.deferred_stale = false;
                Ok(self
                    .memory
                    .finish(Pass::Exports, paths.iter().map(String::as_str)))
            }
            Err(e) => {
                self.memory.abandon();
                let diagnostics = e.diagnostics(Some(&site.catalogue.config));
                Err(Rebuild::failed(start, Timings::default(), diagnostics))
            }
        }
    }
}

/// The `language:` line of `<root>/content/site.yaml`, found without parsing the file (it may be
/// what is broken); `de`, the default, when there is none.
fn site_language(root: &Path) -> String {
    let text = std::fs::read_to_string(root.join("content/site.yaml")).unwrap_or_default();
    text.lines()
        .find_map(|l| l.strip_prefix("language:"))
        .map(|v| {
            v.split('#')
                .next()
                .unwrap_or("")
                .trim()
                .trim_matches(['"', '\''])
        })
        .filter(|v| ["de", "en"].contains(v))
        .unwrap_or("de")
        .to_string()
}
