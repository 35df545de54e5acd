//! The pipeline, as named steps: config → load → check → resolve → render → write.
//! `casebook build` runs it once into a staging directory; `serve` keeps its result in memory.

use crate::check;
use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Report};
use crate::export::{self, OutputFile};
use crate::load;
use crate::output::{self, BuildLock, Staging};
use crate::render::theme::Theme;
use crate::render::views::Views;
use crate::render::{self, PageKind, Renderer};
use crate::resolve::Catalogue;
use crate::search;
use rayon::prelude::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// How a build runs.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    /// Overrides `base_url` from site.yaml (staging vs live, or the local server).
    pub base_url: Option<String>,
    /// Build the full-text search index.
    pub search: bool,
    pub progress: bool,
}

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

/// A catalogue loaded, checked and resolved: everything rendering needs.
pub struct Site {
    pub catalogue: Catalogue,
    /// Content path (`orte/x.md`) → last update date (`2024-05-01`), from git or file times.
    pub updated: HashMap<String, String>,
}

/// Runs config → load → check (one pass per file) → resolve. Problems go to `report`; `None` if
/// nothing usable.
pub fn load_site(
    root: &Path,
    overrides: &Overrides,
    report: &mut Report,
    timings: &mut Timings,
) -> Option<Site> {
    let mut config = timings.time("config", || Config::load(root, report))?;
    if let Err(d) = config.apply(overrides) {
        report.push(*d);
        return None;
    }
    let config = Arc::new(config);
    let candidates = timings.time("discover", || load::discover(&config, report));
    let checked = timings.time("load+check", || check::check(&config, &candidates, report));
    let updated = timings.time("dates", || load::updated_dates(&config, &checked));
    let catalogue = timings.time("resolve", || Catalogue::resolve(config, checked));
    Some(Site { catalogue, updated })
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildSummary {
    pub entries: usize,
    pub pages: usize,
    pub files: usize,
    pub report: Report,
    pub timings: Timings,
}

/// Why a build did not produce output. The previous output is untouched in every case.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("the catalogue has {} error(s)", .0.error_count())]
    Invalid(Report),
    #[error(transparent)]
    Output(#[from] output::OutputError),
    #[error(transparent)]
    Render(#[from] render::RenderError),
    #[error(transparent)]
    Theme(#[from] render::theme::ThemeError),
}

/// A full build into `options.output`, atomically.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let mut timings = Timings::default();
    let mut report = Report::default();
    output::check_output_dir(&options.root, &options.output)?;
    let _lock = BuildLock::acquire(&options.output)?;
    let overrides = Overrides {
        base_url: options.base_url.clone(),
        no_search: !options.search,
    };
    let site = load_site(&options.root, &overrides, &mut report, &mut timings);
    report.sort();
    let site = match site {
        Some(s) if !report.has_errors() => s,
        _ => return Err(BuildError::Invalid(report)),
    };
    let cat = &site.catalogue;
    let theme = timings.time("theme", || Theme::load(&cat.config))?;
    let mut renderer = Renderer::new(theme)?;
    let views = timings.time("views", || Views::new(cat));
    renderer.set_globals(cat, &views);
    let staging = Staging::new(&options.output)?;

    let pages = render::plan(cat);
    let progress = progress_bar(options.progress, pages.len());
    // What pages and the search bundle depend on besides their own inputs.
    let identity = build_identity(cat, &renderer.theme);
    // Pages whose fingerprint matches the one they were last written with are not rendered
    // again: the spare (being the staging directory) or the current output already holds them.
    let (planned, previous) = timings.time("fingerprints", || {
        let fingerprints = render::PageFingerprints::new(cat, &site.updated, identity);
        let mut planned: Vec<(&PageKind, String, u64)> = pages
            .par_iter()
            .map(|p| (p, p.output_path(cat), fingerprints.of(p)))
            .collect();
        // The costliest pages first, each a job of its own: in a run of them one core would
        // render them in turn while the other runs out of work.
        planned.sort_by_cached_key(|(p, ..)| std::cmp::Reverse(p.cost(cat)));
        (planned, output::read_pages(&options.output))
    });
    let search_enabled = cat.config.search;
    // Pages, exports and the search index are independent. Pages and exports share the rayon
    // pool; the search index runs beside them on a thread of its own with a one-thread pool, so
    // its parallel parts neither wait behind the pages' jobs nor delay them (BENCHMARKS.md).
    let (rendered, exported, search_result) = std::thread::scope(|scope| {
        let search = search_enabled.then(|| {
            scope.spawn(|| {
                let sink =
                    |path: &str, content: &output::WriteFn<'_>| staging.write_with(path, content);
                let bundle = || search::bundle(cat, &views, &options.output, identity, &sink);
                match rayon::ThreadPoolBuilder::new().num_threads(1).build() {
                    Ok(pool) => pool.install(bundle),
                    Err(_) => bundle(),
                }
            })
        });
        let (rendered, exported) = timings.time("render+write", || {
            rayon::join(
                || {
                    let heavy = planned.partition_point(|(p, ..)| p.cost(cat) > render::PAGE_SIZE);
                    let (heavy, light) = planned.split_at(heavy);
                    let pages = heavy.par_iter().with_max_len(1).chain(light.par_iter());
                    pages.try_for_each(|(page, path, fp)| {
                        let done = staging.keep_if_current(path, *fp)
                            || (previous.get(path) == Some(fp)
                                && std::fs::read(options.output.join(path))
                                    .is_ok_and(|bytes| staging.write(path, &bytes).is_ok()));
                        if !done {
                            let html = renderer.render(cat, &views, page, &site.updated)?;
                            staging.write(path, &html)?;
                        }
                        if let Some(p) = &progress {
                            p.inc(1);
                        }
                        Ok::<(), BuildError>(())
                    })
                },
                || {
                    let sink = |path: &str, content: &output::WriteFn<'_>| {
                        staging.write_with(path, content)
                    };
                    let exported = export::write_exports(cat, &views, &site.updated, &sink)?;
                    let rows = export::IndexRows::new(cat, &site.updated);
                    let index = export::browser_index(cat, &rows);
                    staging.write_all(&index)?;
                    Ok::<usize, output::OutputError>(exported + index.len())
                },
            )
        });
        // The step shows how long the build waited for the index after the pages were written.
        let waited = Instant::now();
        let search_files = search.map(|h| h.join().expect("the search indexer panicked"));
        if let Some(Ok(bundle)) = &search_files {
            let step = if bundle.reused {
                "search reused"
            } else {
                "search"
            };
            timings.steps.push((step, waited.elapsed()));
        }
        (rendered, exported, search_files)
    });
    rendered?;
    let exported = exported?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    let mut files: Vec<OutputFile> = renderer
        .theme
        .assets
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let searched = match search_result {
        Some(result) => result?.files,
        None => 0,
    };
    let fingerprints: Vec<(String, u64)> = planned
        .into_iter()
        .map(|(_, path, fp)| (path, fp))
        .collect();
    files.push((output::PAGES.into(), output::pages_file(&fingerprints)));
    timings.time("write", || staging.write_all(&files))?;
    timings.time("commit", || staging.commit())?;
    let summary = BuildSummary {
        entries: cat.entries.len(),
        pages: pages.len(),
        files: pages.len() + exported + files.len() + searched,
        report,
        timings,
    };
    // The output is complete. Freeing the catalogue, the cards and the rendered components
    // takes a few per cent of a build (6 ms of 300 at 1k entries); a thread of its own does
    // it, and a process that exits next does not wait for it.
    drop(pages);
    std::thread::spawn(move || drop((site, views, renderer)));
    Ok(summary)
}

/// A hash of everything pages depend on besides the catalogue's entries and pages: the schema
/// files, the theme, the settings and this program. Page fingerprints include it, so a page
/// written by an earlier build is reused only if none of these changed.
fn build_identity(cat: &Catalogue, theme: &Theme) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprinter();
    render::site_fingerprint(cat).hash(&mut h);
    let config = &cat.config;
    (&config.base_url, config.search).hash(&mut h);
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

fn progress_bar(enabled: bool, len: usize) -> Option<indicatif::ProgressBar> {
    use std::io::IsTerminal;
    if !enabled || len < 500 || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(len as u64);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{spinner} rendering {pos}/{len} pages {wide_bar} {eta}",
    ) {
        bar.set_style(style);
    }
    Some(bar)
}

/// Diagnostics for a failed build, as one list (for printing and the serve overlay).
pub fn failure_diagnostics(e: &BuildError) -> Vec<Diagnostic> {
    match e {
        BuildError::Invalid(r) => r.diagnostics.clone(),
        other => vec![Diagnostic::error("build-failed", "", other.to_string())],
    }
}
