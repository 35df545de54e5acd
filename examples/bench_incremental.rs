//! Measures what `serve` does after a save: the one-entry incremental rebuild.
//!
//! ```text
//! cargo run --release --example bench_incremental -- <CATALOGUE_DIR> [RUNS]
//! ```
//!
//! Builds the catalogue once in memory (as `serve` does), then RUNS times edits the summary of
//! one entry on disk and rebuilds, printing the median, minimum and maximum rebuild time and how
//! many pages were rendered. The file is restored at the end. Point it at a copy of a catalogue:
//! it writes to the entry file while it runs.

use casebook::serve::session::Session;
use std::path::{Path, PathBuf};
use std::time::Duration;

fn first_entry(root: &Path) -> Option<PathBuf> {
    let dir = root.join("content/formate");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().next()
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().collect();
    let root = PathBuf::from(
        args.get(1)
            .ok_or("usage: bench_incremental <CATALOGUE_DIR> [RUNS]")?,
    );
    let runs: usize = args
        .get(2)
        .map(|r| r.parse().map_err(|_| "RUNS must be a number"))
        .transpose()?
        .unwrap_or(11);
    let entry = first_entry(&root).ok_or("no entry found in content/formate")?;
    let original = std::fs::read_to_string(&entry).map_err(|e| e.to_string())?;

    let mut session = Session::new(&root, Some("http://127.0.0.1:1111/".into()), false);
    let first = session.rebuild(&[]);
    if !first.ok {
        return Err(format!(
            "the catalogue has errors: {:?}",
            first.diagnostics.first()
        ));
    }
    println!(
        "full in-memory build: {:.1} ms, {} pages",
        first.duration.as_secs_f64() * 1000.0,
        first.rendered
    );

    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut rendered = 0;
    for run in 0..runs {
        let edited = original.replacen(
            "\nkurzbeschreibung: ",
            &format!("\nkurzbeschreibung: Lauf {run} – "),
            1,
        );
        std::fs::write(&entry, edited).map_err(|e| e.to_string())?;
        let result = session.rebuild(std::slice::from_ref(&entry));
        if !result.ok {
            std::fs::write(&entry, &original).map_err(|e| e.to_string())?;
            return Err(format!("rebuild failed: {:?}", result.diagnostics.first()));
        }
        times.push(result.duration);
        rendered = result.rendered;
        if run == runs - 1 {
            let steps: Vec<String> = result
                .steps
                .iter()
                .map(|(n, d)| format!("{n} {:.1} ms", d.as_secs_f64() * 1000.0))
                .collect();
            println!("last run by step: {}", steps.join(", "));
        }
    }
    std::fs::write(&entry, &original).map_err(|e| e.to_string())?;
    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!(
        "one-entry incremental rebuild: median {:.1} ms (min {:.1}, max {:.1}) over {runs} runs, {rendered} pages rendered",
        ms(times[times.len() / 2]),
        ms(times[0]),
        ms(times[times.len() - 1])
    );
    Ok(())
}
