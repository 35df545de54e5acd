//! `casebook build`: loads the [`Site`] and renders it into a staging folder beside the
//! output, which replaces the output only when everything succeeded.

use crate::config::{Config, Overrides};
use crate::diagnostic::{Diagnostic, Report};
use crate::output::{self, BuildLock, Staging};
use crate::site::{Site, SiteError};
use crate::source::KeyLines;
use std::path::PathBuf;

pub use crate::site::Timings;

/// How a build runs.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub output: PathBuf,
    /// Overrides `base_url` from site.yaml (staging vs live, or the local server).
    pub base_url: Option<String>,
    /// Build the full-text search index.
    pub search: bool,
    /// Build the site as `serve` shows it (`--preview`).
    pub preview: bool,
    pub progress: bool,
}

/// What a finished build reports.
#[derive(Debug)]
pub struct BuildSummary {
    pub entries: usize,
    pub pages: usize,
    pub files: usize,
    pub report: Report,
    pub timings: Timings,
    /// What publishing the media did (picture sizes encoded, taken from the cache).
    pub media: crate::media::Published,
}

/// Why a build did not produce output. The previous output is untouched in every case.
pub type BuildError = SiteError;

/// A full build into `options.output`, atomically.
pub fn build(options: &BuildOptions) -> Result<BuildSummary, BuildError> {
    let mut timings = Timings::default();
    output::check_output_dir(&options.root, &options.output)?;
    let _lock = BuildLock::acquire(&options.output)?;
    let overrides = Overrides {
        base_url: options.base_url.clone(),
        no_search: !options.search,
        preview: options.preview,
        output: Some(options.output.clone()),
    };
    let mut site = Site::load(&options.root, overrides, &mut timings)?;
    site.forget_sources();
    let mut report = std::mem::take(&mut site.report);
    report.extend(placeholder_base_url(
        &site.catalogue.config,
        options.base_url.is_some(),
    ));
    let staging = Staging::new(&options.output)?;
    let progress = progress_bar(options.progress, site.page_count());
    let tick = || {
        if let Some(p) = &progress {
            p.inc(1);
        }
    };
    let rendered = site.render(&staging, &tick, &mut timings)?;
    if let Some(p) = progress {
        p.finish_and_clear();
    }
    timings.time("commit", || staging.commit())?;
    site.prune_image_cache();
    let summary = BuildSummary {
        entries: site.catalogue.entries.len(),
        pages: rendered.pages,
        // The list of page fingerprints is the one more file.
        files: rendered.files + 1,
        report,
        timings,
        media: rendered.media,
    };
    // The output is complete. Freeing the catalogue, the cards and the rendered components
    // takes a few per cent of a build (6 ms of 300 at 1k entries); a thread of its own does
    // it, and a process that exits next does not wait for it.
    std::thread::spawn(move || drop(site));
    Ok(summary)
}

/// A warning when the site is built for an address that is not its public one: a loopback
/// address (the bundled catalogue's and `init`'s `http://127.0.0.1:1111/`) or an example
/// domain (RFC 2606, 6761). Canonical links, the sitemap, `robots.txt` and the feeds would point
/// there. Only `build` asks: `serve` builds for its own loopback address on purpose.
fn placeholder_base_url(config: &Config, from_command_line: bool) -> Option<Diagnostic> {
    let url = url::Url::parse(&config.base_url).ok()?;
    let kind = match url.host()? {
        url::Host::Ipv4(ip) if ip.is_loopback() || ip.is_unspecified() => "a loopback address",
        url::Host::Ipv6(ip) if ip.is_loopback() || ip.is_unspecified() => "a loopback address",
        url::Host::Domain(domain) => {
            let domain = domain.trim_end_matches('.').to_ascii_lowercase();
            let under = |names: &[&str]| {
                names
                    .iter()
                    .any(|n| domain == *n || domain.ends_with(&format!(".{n}")))
            };
            if under(&["localhost"]) {
                "a loopback address"
            } else if under(&[
                "example.org",
                "example.com",
                "example.net",
                "example",
                "test",
                "invalid",
            ]) {
                "an example address"
            } else {
                return None;
            }
        }
        _ => return None,
    };
    let message = format!(
        "the site is built for `{}`, {kind}: canonical links, the sitemap, robots.txt and the feeds point there",
        config.base_url
    );
    let hint = "set `base_url` in content/site.yaml to the address the site is published at, or build with --base-url https://…; `casebook serve` sets its own address";
    if from_command_line {
        return Some(Diagnostic::warning("placeholder-base-url", "--base-url", message).hint(hint));
    }
    let shown = PathBuf::from("content/site.yaml");
    let mut d = Diagnostic::warning("placeholder-base-url", &shown, message).hint(hint);
    if let Ok(text) = std::fs::read_to_string(config.content_dir.join("site.yaml")) {
        let needle = config.base_url.trim_end_matches('/');
        if let Some((line, column, _)) =
            KeyLines::scan(&text, 1).locate_in_value(&text, "base_url", needle)
        {
            d = d.at(&text, line, column, needle.chars().count());
        }
    }
    Some(d)
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
