//! Measures rendering alone: every page of a catalogue rendered in memory, one thread, nothing
//! written, the time per page kind.
//!
//! ```text
//! cargo run --release --example bench_render -- <CATALOGUE_DIR> [RUNS] [--entries]
//! ```
//!
//! Loads the catalogue once, renders all pages RUNS times (default 3) and prints the last run
//! per page kind: pages, total time, time per page and bytes per page. The first run fills the
//! `memo` cache (cards, header, footer), so the last shows what a page costs once its shared
//! parts are rendered. `--entries` renders entry pages only. Instruction counts are steadier
//! than times on a busy machine; BENCHMARKS.md shows how to take them with callgrind.

use casebook::config::Overrides;
use casebook::render::{self, PageKind};
use casebook::site::{Site, Timings};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// The allocator of the `casebook` binary, so pages render as they do in a build.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let entries_only = args.iter().any(|a| a == "--entries");
    let mut positional = args.iter().filter(|a| !a.starts_with("--"));
    let root = positional
        .next()
        .ok_or("usage: bench_render <CATALOGUE_DIR> [RUNS] [--entries]")?;
    let runs: usize = match positional.next() {
        Some(n) => n
            .parse()
            .map_err(|_| format!("RUNS must be a number, not `{n}`"))?,
        None => 3,
    };

    let mut timings = Timings::default();
    let site = Site::load(root.as_ref(), Overrides::default(), &mut timings)
        .map_err(|e| format!("the catalogue does not load: {e}"))?;
    let (cat, renderer, views) = (&site.catalogue, &site.renderer, &site.views);
    let pages: Vec<PageKind> = render::plan(cat)
        .into_iter()
        .filter(|p| !entries_only || matches!(p, PageKind::Entry(_)))
        .collect();

    let mut last: BTreeMap<&str, (usize, Duration, usize)> = BTreeMap::new();
    for run in 1..=runs.max(1) {
        last.clear();
        for page in &pages {
            let start = Instant::now();
            let html = renderer
                .render(cat, views, page, &site.updated)
                .map_err(|e| e.to_string())?;
            let row = last.entry(page.name()).or_default();
            row.0 += 1;
            row.1 += start.elapsed();
            row.2 += html.len();
        }
        if run == 1 && runs > 1 {
            eprintln!("first run done (memo filled)");
        }
    }
    println!(
        "{:<12} {:>7} {:>10} {:>10} {:>9}",
        "kind", "pages", "ms", "µs/page", "B/page"
    );
    let mut total = Duration::ZERO;
    for (kind, (n, time, bytes)) in &last {
        total += *time;
        println!(
            "{kind:<12} {n:>7} {:>10.1} {:>10.1} {:>9}",
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() * 1e6 / *n as f64,
            bytes / n
        );
    }
    println!("total {:.1} ms", total.as_secs_f64() * 1e3);
    Ok(())
}
