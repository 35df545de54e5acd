//! A build kept in memory for `serve`: rebuilds after changes and reports which output files
//! changed, so the server can swap a stylesheet, reload pages, or show an error overlay.
//! The search index is refreshed separately, after the reload, to keep it off the critical path.

use crate::build::{self, Site, Timings};
use crate::diagnostic::{Diagnostic, Report};
use crate::render::theme::Theme;
use crate::render::Renderer;
use std::collections::HashMap;
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
    pub duration: Duration,
}

impl Rebuild {
    /// True when only stylesheets changed, so the browser can swap CSS without a reload.
    pub fn css_only(&self) -> bool {
        !self.changed.is_empty() && self.changed.iter().all(|p| p.ends_with(".css"))
    }
}

/// An in-memory build session.
pub struct Session {
    root: PathBuf,
    base_url: Option<String>,
    search: bool,
    files: Arc<SiteFiles>,
    site: Option<Site>,
}

impl Session {
    /// `base_url` should point at the local server, so links work in the preview.
    pub fn new(root: &Path, base_url: Option<String>, search: bool) -> Session {
        Session {
            root: root.to_path_buf(),
            base_url,
            search,
            files: Arc::new(SiteFiles::new()),
            site: None,
        }
    }

    /// The last good site.
    pub fn files(&self) -> Arc<SiteFiles> {
        Arc::clone(&self.files)
    }

    /// Rebuilds after `changed` source files changed (all of them if empty). Never panics on bad
    /// input; on errors the previous site is kept and the diagnostics are returned.
    pub fn rebuild(&mut self, changed: &[PathBuf]) -> Rebuild {
        let start = Instant::now();
        let mut report = Report::default();
        let mut timings = Timings::default();
        let site = build::load_site(
            &self.root,
            self.base_url.as_deref(),
            &mut report,
            &mut timings,
        );
        report.sort();
        let failed = |diagnostics: Vec<Diagnostic>| Rebuild {
            ok: false,
            diagnostics,
            changed: vec![],
            changed_entry_url: None,
            duration: start.elapsed(),
        };
        let site = match site {
            Some(s) if !report.has_errors() => s,
            _ => return failed(report.diagnostics),
        };
        let renderer = Theme::load(&site.catalogue.config)
            .map_err(|e| e.to_string())
            .and_then(|t| Renderer::new(t).map_err(|e| e.to_string()));
        let mut renderer = match renderer {
            Ok(r) => r,
            Err(e) => return failed(vec![Diagnostic::error("theme", "themes", e)]),
        };
        let rendered = match build::render_to_memory(&site, &mut renderer, false) {
            Ok(files) => files,
            Err(e) => return failed(build::failure_diagnostics(&e)),
        };
        let mut next: SiteFiles = rendered
            .into_iter()
            .map(|(k, v)| (k, Arc::from(v)))
            .collect();
        // Keep the previous search bundle until `update_search` replaces it.
        for (k, v) in self
            .files
            .iter()
            .filter(|(k, _)| k.starts_with("pagefind/"))
        {
            next.insert(k.clone(), Arc::clone(v));
        }
        let changed_paths = diff(&self.files, &next);
        let changed_entry_url = self.entry_url_for(&site, changed);
        self.files = Arc::new(next);
        self.site = Some(site);
        Rebuild {
            ok: true,
            diagnostics: report.diagnostics,
            changed: changed_paths,
            changed_entry_url,
            duration: start.elapsed(),
        }
    }

    /// Rebuilds the search index of the current site; returns the changed output paths.
    pub fn update_search(&mut self) -> Result<Vec<String>, String> {
        let Some(site) = &self.site else {
            return Ok(vec![]);
        };
        if !self.search || !site.catalogue.config.search {
            return Ok(vec![]);
        }
        let views = crate::render::views::Views::new(&site.catalogue);
        let bundle = crate::search::index(&site.catalogue, &views)?;
        let mut next: SiteFiles = self
            .files
            .iter()
            .filter(|(k, _)| !k.starts_with("pagefind/"))
            .map(|(k, v)| (k.clone(), Arc::clone(v)))
            .collect();
        next.extend(bundle.into_iter().map(|(k, v)| (k, Arc::from(v))));
        let changed = diff(&self.files, &next);
        self.files = Arc::new(next);
        Ok(changed)
    }

    /// The URL of the entry whose file is the single changed source, if any.
    fn entry_url_for(&self, site: &Site, changed: &[PathBuf]) -> Option<String> {
        let [path] = changed else { return None };
        let cat = &site.catalogue;
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
}

/// Paths whose bytes differ between two sites, including added and removed ones.
fn diff(old: &SiteFiles, new: &SiteFiles) -> Vec<String> {
    let mut out: Vec<String> = new
        .iter()
        .filter(|(k, v)| old.get(*k).is_none_or(|o| o != *v))
        .map(|(k, _)| k.clone())
        .collect();
    out.extend(old.keys().filter(|k| !new.contains_key(*k)).cloned());
    out.sort();
    out
}
