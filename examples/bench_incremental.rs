//! Measures what `serve` does after a save: the one-entry incremental rebuild.
//!
//! ```text
//! cargo run --release --example bench_incremental -- <CATALOGUE_DIR> [RUNS] [--edit summary|terms|title] [--deferred]
//! ```
//!
//! Builds the catalogue once in memory (as `serve` does), then RUNS times (default 11) edits one
//! entry on disk and rebuilds, printing the median, minimum and maximum rebuild time, the CPU
//! time per rebuild, the median time of each step and how many pages were rendered. The edit is
//! the entry's summary (default), its topics (`thema`, which moves it between term pages and
//! changes the similar entries of others) or its title (which moves it in every list). The file
//! is restored at the end. Point it at a copy of a catalogue: it writes to the entry file.
//!
//! With `--deferred`, the exports and the search index are brought up to date after every
//! rebuild (untimed), as `serve` does while the writer reads: the site then holds all its files,
//! as it does in `serve`.

use casebook::serve::session::Session;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The allocator of the `casebook` binary, so the rebuild runs as it does in `serve`.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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

/// CPU time this process has used (all threads), from /proc/self/stat, in clock ticks (10 ms).
fn cpu_ticks() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    // Fields after the command name, which is in parentheses and may contain spaces.
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let user: u64 = fields.get(11)?.parse().ok()?;
    let system: u64 = fields.get(12)?.parse().ok()?;
    Some(user + system)
}

/// The entry file as edit number `run` leaves it.
fn edited(original: &str, edit: &str, run: usize) -> Result<String, String> {
    match edit {
        "summary" => Ok(original.replacen(
            "\nkurzbeschreibung: ",
            &format!("\nkurzbeschreibung: Lauf {run} – "),
            1,
        )),
        "title" => Ok(original.replacen("\ntitel: ", &format!("\ntitel: Lauf {run} – "), 1)),
        // Every other run one topic only, in between the topics the file had.
        "terms" if run % 2 == 1 => Ok(original.to_string()),
        "terms" => {
            let line = original
                .lines()
                .find(|l| l.starts_with("thema: "))
                .ok_or("the entry has no `thema: [...]` line")?;
            Ok(original.replacen(line, "thema: [phase-null]", 1))
        }
        other => Err(format!("unknown edit `{other}`: summary, terms or title")),
    }
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage =
        "usage: bench_incremental <CATALOGUE_DIR> [RUNS] [--edit summary|terms|title] [--deferred]";
    let mut positional = Vec::new();
    let mut edit = "summary".to_string();
    let mut deferred = false;
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--edit" => edit = rest.next().ok_or(usage)?.clone(),
            "--deferred" => deferred = true,
            _ => positional.push(arg.clone()),
        }
    }
    let root = PathBuf::from(positional.first().ok_or(usage)?);
    let runs: usize = positional
        .get(1)
        .map(|r| r.parse().map_err(|_| "RUNS must be a number"))
        .transpose()?
        .unwrap_or(11)
        .max(1);
    let entry = first_entry(&root).ok_or("no entry found in content/formate")?;
    let original = std::fs::read_to_string(&entry).map_err(|e| e.to_string())?;
    edited(&original, &edit, 0)?;

    let mut session = Session::new(&root, Some("http://127.0.0.1:1111/".into()), deferred);
    let first = session.rebuild(&[]);
    if !first.ok {
        return Err(format!(
            "the catalogue has errors: {:?}",
            first.diagnostics.first()
        ));
    }
    if deferred {
        session
            .update_deferred()
            .map_err(|f| format!("exports failed: {:?}", f.diagnostics))?;
    }
    println!(
        "full in-memory build: {:.1} ms, {} pages, {} files served",
        first.duration.as_secs_f64() * 1000.0,
        first.rendered,
        session.files().len()
    );

    let mut times: Vec<Duration> = Vec::with_capacity(runs);
    let mut steps: BTreeMap<&'static str, (usize, Vec<Duration>)> = BTreeMap::new();
    let mut rendered = Vec::with_capacity(runs);
    let mut cpu = 0;
    for run in 0..runs {
        std::fs::write(&entry, edited(&original, &edit, run)?).map_err(|e| e.to_string())?;
        let before = cpu_ticks();
        let result = session.rebuild(std::slice::from_ref(&entry));
        cpu += cpu_ticks().zip(before).map(|(a, b)| a - b).unwrap_or(0);
        if !result.ok {
            std::fs::write(&entry, &original).map_err(|e| e.to_string())?;
            return Err(format!("rebuild failed: {:?}", result.diagnostics.first()));
        }
        times.push(result.duration);
        if deferred {
            session
                .update_deferred()
                .map_err(|f| format!("exports failed: {:?}", f.diagnostics))?;
        }
        rendered.push(result.rendered);
        for (position, (name, took)) in result.steps.iter().enumerate() {
            let step = steps.entry(name).or_insert((position, Vec::new()));
            step.1.push(*took);
        }
    }
    std::fs::write(&entry, &original).map_err(|e| e.to_string())?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let median = |v: &mut Vec<Duration>| {
        v.sort();
        v[v.len() / 2]
    };
    let mut by_position: Vec<(usize, &str, Duration)> = steps
        .iter_mut()
        .map(|(name, (position, took))| (*position, *name, median(took)))
        .collect();
    by_position.sort();
    let shown: Vec<String> = by_position
        .iter()
        .map(|(_, name, took)| format!("{name} {:.1}", ms(*took)))
        .collect();
    println!("median by step (ms): {}", shown.join(", "));
    rendered.sort();
    println!(
        "one-entry incremental rebuild ({edit}): median {:.1} ms (min {:.1}, max {:.1}) over {runs} runs, CPU {:.0} ms per rebuild, {} pages rendered (median)",
        ms(median(&mut times)),
        ms(times[0]),
        ms(times[times.len() - 1]),
        cpu as f64 * 10.0 / runs as f64,
        rendered[rendered.len() / 2]
    );
    Ok(())
}
