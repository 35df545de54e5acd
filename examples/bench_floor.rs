//! The floor under a build: how long it takes only to write a built site's files, file by file,
//! with the threads a build has, into an empty folder on the same file system. A build cannot be
//! faster than this; `benches/bench.sh` reports a full build against it.
//!
//! ```text
//! cargo run --release --example bench_floor -- <BUILT_SITE> [RUNS]
//! ```
//!
//! Reads every file of BUILT_SITE into memory once, then RUNS times (default 5) removes the
//! copy beside it (`<BUILT_SITE>.floor`, outside the timing) and writes the tree there again:
//! its folders with one `create_dir` each (a level at a time), each file with one `fs::write`, spread over rayon's
//! threads as casebook spreads its pages. Prints the median, minimum and maximum.

use rayon::prelude::*;
use std::path::{Path, PathBuf};
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(site), runs) = (args.first(), args.get(1)) else {
        eprintln!("usage: bench_floor <BUILT_SITE> [RUNS]");
        std::process::exit(2);
    };
    let runs: usize = match runs.map(|r| r.parse()) {
        None => 5,
        Some(Ok(n)) if n > 0 => n,
        Some(_) => {
            eprintln!("RUNS must be a positive whole number");
            std::process::exit(2);
        }
    };
    let site = PathBuf::from(site);
    let copy = PathBuf::from(format!("{}.floor", site.display()));
    let (folders, files) = match read_tree(&site) {
        Ok(tree) => tree,
        Err(e) => {
            eprintln!("cannot read {}: {e}", site.display());
            std::process::exit(1);
        }
    };
    let bytes: usize = files.iter().map(|(_, b)| b.len()).sum();
    let mut times = Vec::new();
    for _ in 0..runs {
        if copy.exists() {
            std::fs::remove_dir_all(&copy).expect("remove the last copy");
        }
        let start = Instant::now();
        std::fs::create_dir(&copy).expect("create the copy");
        for level in folders.chunk_by(|a, b| a.components().count() == b.components().count()) {
            level
                .par_iter()
                .for_each(|f| std::fs::create_dir(copy.join(f)).expect("create a folder"));
        }
        files
            .par_iter()
            .for_each(|(p, b)| std::fs::write(copy.join(p), b).expect("write a file"));
        times.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    std::fs::remove_dir_all(&copy).expect("remove the copy");
    times.sort_by(f64::total_cmp);
    println!(
        "floor: {} files, {} folders, {:.1} MB: median {:.1} ms, min {:.1}, max {:.1}",
        files.len(),
        folders.len(),
        bytes as f64 / 1e6,
        times[times.len() / 2],
        times[0],
        times[times.len() - 1]
    );
}

/// Every folder (relative, parents before children) and every file with its bytes.
type Tree = (Vec<PathBuf>, Vec<(PathBuf, Vec<u8>)>);

fn read_tree(root: &Path) -> std::io::Result<Tree> {
    let mut folders = Vec::new();
    let mut files = Vec::new();
    for entry in walkdir::WalkDir::new(root).min_depth(1).sort_by_file_name() {
        let entry = entry?;
        let rel = entry
            .path()
            .strip_prefix(root)
            .expect("below root")
            .to_path_buf();
        if entry.file_type().is_dir() {
            folders.push(rel);
        } else if entry.file_type().is_file() {
            files.push((rel, std::fs::read(entry.path())?));
        }
    }
    // Parents before children: one `create_dir` per folder, each level in parallel.
    folders.sort_by_key(|f| f.components().count());
    Ok((folders, files))
}
