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
use crate::media::{Media, Memo, PublishError};
use crate::model::Updated;
use crate::output::ImageCache;
use crate::render::theme::{Theme, ThemeError};
use crate::render::views::Views;
use crate::render::{self, PageKind, RenderError, Renderer};
use crate::resolve::{Catalogue, References};
use crate::search;
use crate::sink::{OutputError, Sink, WriteFn};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

pub use apply::Applied;
pub use write::Rendered;

mod apply;
mod languages;
mod write;

/// Time taken by each step, for `--verbose` and benchmarks, and on Linux the peak memory of
/// the steps timed with [`Timings::time`].
#[derive(Debug, Default, Clone)]
pub struct Timings {
    pub steps: Vec<(&'static str, Duration)>,
    /// Per step timed with [`Timings::time`]: the largest resident size of the process while
    /// it ran, in KiB.
    pub peaks: Vec<(&'static str, u64)>,
}

impl Timings {
    pub fn time<T>(&mut self, step: &'static str, f: impl FnOnce() -> T) -> T {
        peak::reset();
        let start = Instant::now();
        let out = f();
        self.steps.push((step, start.elapsed()));
        if let Some(kib) = peak::read() {
            self.peaks.push((step, kib));
        }
        out
    }

    pub fn total(&self) -> Duration {
        self.steps.iter().map(|(_, d)| *d).sum()
    }
}

/// The process's peak resident size, reset before each step: Linux keeps it as `VmHWM` in
/// `/proc/self/status`, and writing `5` to `/proc/self/clear_refs` starts it again from the
/// current size (proc(5)). Elsewhere, or where /proc is not mounted, there is no figure.
mod peak {
    pub fn reset() {
        let _ = std::fs::write("/proc/self/clear_refs", "5");
    }

    pub fn read() -> Option<u64> {
        let status = std::fs::read_to_string("/proc/self/status").ok()?;
        let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
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

impl From<PublishError> for SiteError {
    fn from(e: PublishError) -> SiteError {
        match e {
            PublishError::Output(e) => SiteError::Output(e),
            PublishError::Picture(d) => SiteError::Invalid(Report {
                diagnostics: vec![*d],
            }),
        }
    }
}

impl SiteError {
    /// The problems as diagnostics (for the serve overlay).
    pub fn diagnostics(&self, config: Option<&Config>) -> Vec<Diagnostic> {
        let theme = config
            .map(|c| format!("themes/{}", c.theme))
            .unwrap_or_default();
        match self {
            SiteError::Invalid(report) => report.diagnostics.clone(),
            SiteError::Theme(ThemeError::Data(file, e)) => vec![Diagnostic::error(
                "theme",
                file,
                e.message.clone(),
            )
            .at_line(e.line)
            .hint(
                "each line is `c` (coast) or `b` (border) and `lon,lat` pairs in hundredths \
                 of a degree, after the first as differences; scripts/outline.mjs writes such a file",
            )],
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
    pub updated: Updated,
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
    /// The translations of entries, for the other languages' sites.
    translations: crate::model::Translations,
    /// The site in each language but the default, each below `/<language>/`.
    pub editions: Vec<Site>,
    /// The files below content/media/ and what they hold.
    pub media: Media,
    /// Where the sizes made of pictures are kept between runs, beside the output.
    image_cache: Option<ImageCache>,
    /// The published media files and picture sizes with their fingerprints.
    media_outputs: Vec<(String, u64)>,
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
    pub(super) fn load_reusing(
        root: &Path,
        overrides: Overrides,
        previous: Option<&Site>,
        timings: &mut Timings,
    ) -> Result<Site, SiteError> {
        let mut report = Report::default();
        let image_cache = match &overrides.output {
            Some(output) => Some(ImageCache::beside(output)?),
            None => None,
        };
        let memo = match (previous, &image_cache) {
            (Some(p), _) => p.media.files.clone().into_iter().collect(),
            (None, Some(cache)) => Media::parse_memo(&cache.memo()),
            (None, None) => Memo::new(),
        };
        let read = read_catalogue(root, &overrides, &memo, &mut report, timings);
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
            media,
        } = read;
        let dates = timings.time("dates", || Dates::read(&config));
        let mut checked = published(&config, checked);
        let translations = std::mem::take(&mut checked.translations);
        let updated = dates.all(&checked);
        report.extend(dates.warning());
        let catalogue = timings.time("resolve", || Catalogue::resolve(config, checked));
        let theme = timings.time("theme", || Theme::load(&catalogue.config))?;
        let renderer = Renderer::new(theme)?;
        let mut site = Site {
            root: root.to_path_buf(),
            overrides,
            views: timings.time("views", || {
                Views::reusing(&catalogue, &updated, previous.map(|p| &p.views), &media)
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
            translations,
            editions: Vec::new(),
            media,
            image_cache,
            media_outputs: Vec::new(),
        };
        // A new schema makes the other languages anew (their config changed with it).
        site.make_editions(Vec::new(), false, timings)?;
        site.renderer.set_globals(&site.catalogue, &site.views);
        timings.time("fingerprints", || site.plan(false));
        Ok(site)
    }

    /// Drops what only [`Site::apply`] needs: the checked documents and the link targets. A
    /// `build` renders once and applies nothing, and at 100,000 entries these held about
    /// 150 MB through the whole rendering (BENCHMARKS.md, session 12). A site that forgot
    /// them must not be applied to.
    pub fn forget_sources(&mut self) {
        self.docs = Docs::default();
        self.link_targets = HashMap::new();
        self.walk_diagnostics = Vec::new();
        self.translations = Default::default();
    }

    /// Makes the page plan with every page's fingerprint, each from the page's
    /// [`render::Inputs`]. With `keep` (an edit in place), the plan and its order stay when the
    /// edit added or removed no page (an event's new date can move it to another year's page)
    /// and only the fingerprints are computed again, in parallel.
    pub(super) fn plan(&mut self, keep: bool) {
        let identity = identity(&self.catalogue, &self.renderer.theme);
        let cat = &self.catalogue;
        let fingerprints = render::PageFingerprints::new(cat, &self.views, &self.updated, identity);
        self.media_outputs = match self.publishes_media() {
            true => self.media.outputs(&cat.entries),
            false => Vec::new(),
        };
        let planned = render::plan(cat);
        let same_pages =
            keep && identity == self.identity && planned.len() == self.pages.len() && {
                let current: HashSet<&PageKind> = self.pages.iter().map(|(p, ..)| p).collect();
                planned.iter().all(|p| current.contains(p))
            };
        match same_pages {
            true => {
                self.pages
                    .par_iter_mut()
                    .for_each(|(page, _, fp)| *fp = fingerprints.of(page));
            }
            false => {
                let mut pages: Vec<PlannedPage> = planned
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
}

/// The entries a site shows: all of them in the preview (`serve`, `build --preview`), where
/// drafts carry a badge; the public build leaves drafts out before anything is built from them,
/// so no page, list, count, export, feed or search record can show one.
fn published(config: &Config, checked: crate::model::Checked) -> crate::model::Checked {
    match config.preview {
        true => checked,
        false => checked.without_drafts(),
    }
}

/// A catalogue read and checked: the first steps of every command.
pub struct Read {
    pub config: Arc<Config>,
    pub docs: Docs,
    pub walk_diagnostics: Vec<Diagnostic>,
    pub link_targets: HashMap<String, String>,
    pub checked: crate::model::Checked,
    pub media: Media,
}

/// Runs config → load → check: reads every document and checks it on its own and across
/// files. Every problem goes to `report` (sorted); `None` if the schema is unusable. Entries
/// with errors are still returned where possible (`casebook check` counts them); a site is
/// made only without errors. The media files are read too, taking over what `memo` holds for
/// unchanged ones.
pub fn read_catalogue(
    root: &Path,
    overrides: &Overrides,
    memo: &Memo,
    report: &mut Report,
    timings: &mut Timings,
) -> Option<Read> {
    let config = timings.time("config", || Config::load(root, report));
    let Some(mut config) = config else {
        report.sort();
        return None;
    };
    if let Err(d) = config.apply(overrides) {
        report.push(*d);
        return None;
    }
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
    let media = timings.time("media", || {
        read_media(&config, &docs, &checked, memo, report)
    });
    report.sort();
    Some(Read {
        config,
        docs,
        walk_diagnostics: walk.diagnostics,
        link_targets,
        checked,
        media,
    })
}

/// Reads the files below content/media/ and reports their problems: pictures that cannot be
/// published, pictures over the size limit, files nothing shows or links to.
fn read_media(
    config: &Config,
    docs: &Docs,
    checked: &crate::model::Checked,
    memo: &Memo,
    report: &mut Report,
) -> Media {
    let files = load::media_files(config, report);
    let media = Media::read(config, &files, memo);
    let linked: std::collections::HashSet<&str> = docs
        .values()
        .flat_map(|d| d.internal_links.iter().map(String::as_str))
        .collect();
    media.check(config, &checked.entries, &linked, report);
    media
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
    // In a public build the assets' keys are their hashed names, which every page names.
    (&theme.templates, &theme.assets, &theme.strings, &theme.data).hash(&mut h);
    // The program itself: another casebook may render the same input differently.
    let exe = std::env::current_exe().and_then(std::fs::metadata);
    env!("CARGO_PKG_VERSION").hash(&mut h);
    exe.map(|m| (m.len(), m.modified().ok())).ok().hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::Timings;

    #[cfg(target_os = "linux")]
    #[test]
    fn each_step_reports_its_own_peak() {
        const MB: u64 = 1024;
        let mut timings = Timings::default();
        timings.time("big", || {
            let v = vec![1u8; 96 << 20];
            std::hint::black_box(&v);
        });
        timings.time("small", || std::hint::black_box(vec![1u8; 1 << 10]));
        let peak = |step: &str| timings.peaks.iter().find(|(s, _)| *s == step).unwrap().1;
        assert!(peak("big") >= 96 * MB, "{:?}", timings.peaks);
        // The peak starts again from the current size: the 96 MB freed do not count.
        assert!(peak("small") + 64 * MB < peak("big"), "{:?}", timings.peaks);
    }
}
