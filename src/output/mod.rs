//! Writing a build: output-directory safety, a lock against concurrent builds, parallel writes
//! into a staging directory, and an atomic swap so a failed build leaves the last good output
//! untouched. The replaced output is kept as the spare the next build writes into, so a
//! rebuild rewrites only files whose bytes changed.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// Marker file in every output directory casebook wrote; without it, casebook refuses to replace
/// a non-empty directory.
pub const MARKER: &str = ".casebook-output";

pub use crate::sink::{OutputError, Sink, WriteFn};
pub use guard::{absolute, check_output_dir, links_cache, spare_dir, BuildLock};
pub use images::ImageCache;
pub use memory::{Memory, Pass, SiteFiles};
pub use staging::Staging;

mod guard;
mod images;
mod memory;
mod staging;
mod update;

/// A file in every output: `<fingerprint> <path>` per rendered page, so the next build can
/// tell which pages it does not need to render again.
pub const PAGES: &str = ".casebook-pages";

/// Reads the page fingerprints stored in `dir`; empty if there are none or they do not parse.
pub fn read_pages(dir: &Path) -> HashMap<String, u64> {
    let Ok(text) = fs::read_to_string(dir.join(PAGES)) else {
        return HashMap::new();
    };
    text.lines()
        .map_while(|line| {
            let (fp, path) = line.split_once(' ')?;
            Some((path.to_string(), u64::from_str_radix(fp, 16).ok()?))
        })
        .collect()
}

/// The text of a `PAGES` file.
pub fn pages_file(pages: &[(String, u64)]) -> Vec<u8> {
    let mut out = String::with_capacity(pages.len() * 48);
    for (path, fp) in pages {
        out.push_str(&format!("{fp:016x} {path}\n"));
    }
    out.into_bytes()
}

/// Relative, `/`-separated, without `..`, empty, absolute or backslash segments.
pub fn is_safe_relative(rel: &str) -> bool {
    !rel.is_empty()
        && !rel.starts_with('/')
        && !rel.contains('\\')
        && !rel.contains('\0')
        && rel
            .split('/')
            .all(|seg| !seg.is_empty() && seg != ".." && seg != ".")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn safe_relative_paths() {
        assert!(is_safe_relative("orte/x/index.html"));
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a\\b",
            "a//b",
            "./a",
        ] {
            assert!(!is_safe_relative(bad), "{bad}");
        }
    }
}
