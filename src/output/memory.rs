//! The site `serve` holds: every file in memory, with the fingerprint each page was rendered
//! from. A rendering pass writes into it; when the pass finishes, the files it no longer
//! produced go and the paths whose bytes changed are reported, so the server can swap a
//! stylesheet or reload the tabs.

use crate::sink::{OutputError, Sink, WriteFn};
use std::sync::{Arc, Mutex};

/// The maps of a site in memory, hashed with foldhash: a rebuild looks up every page's path,
/// and with the standard library's SipHash those lookups were the largest part of a one-entry
/// rebuild at 10k (BENCHMARKS.md, session 12).
type Map<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
type Set<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// The site as served: output path (`orte/x/index.html`) → bytes. The paths are shared, so
/// taking a copy of the map for the next pass copies no text.
pub type SiteFiles = Map<Arc<str>, Arc<[u8]>>;

/// The kinds of rendering pass. Each produces its own set of files, and a file a pass no
/// longer produces goes when that pass finishes: a page of a deleted entry with the pages, the
/// feed of a removed term with the exports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Pass {
    /// Pages, the catalogue browser's index and the theme's assets.
    Pages,
    /// Exports, feeds, sitemap and the search index.
    Exports,
}

/// A site in memory, rendered into pass by pass.
#[derive(Default)]
pub struct Memory {
    files: Arc<SiteFiles>,
    /// The fingerprint each held page was rendered from.
    fingerprints: Map<Arc<str>, u64>,
    /// The paths each kind of pass produced last time.
    produced: Map<Pass, Set<Arc<str>>>,
    /// What the pass under way wrote.
    written: Mutex<Vec<Written>>,
}

/// A file written by the pass under way, with its fingerprint if it is a page.
type Written = (String, Vec<u8>, Option<u64>);

impl Memory {
    /// The files as they are after the last finished pass.
    pub fn files(&self) -> Arc<SiteFiles> {
        Arc::clone(&self.files)
    }

    /// Whether nothing was rendered into it yet.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// Ends a pass of kind `pass` that produced `paths` (written or kept): takes over what it
    /// wrote, drops what that kind of pass produced before and not now, and returns the paths
    /// that were added, changed or removed, sorted.
    pub fn finish<'a>(
        &mut self,
        pass: Pass,
        paths: impl IntoIterator<Item = &'a str>,
    ) -> Vec<String> {
        let written = std::mem::take(self.written.get_mut().unwrap_or_else(|e| e.into_inner()));
        let mut files = (*self.files).clone();
        let mut changed = Vec::new();
        for (path, bytes, fingerprint) in written {
            let path: Arc<str> = Arc::from(path);
            match fingerprint {
                Some(fp) => self.fingerprints.insert(Arc::clone(&path), fp),
                None => self.fingerprints.remove(&path),
            };
            if files.get(&path).is_none_or(|old| **old != *bytes) {
                changed.push(path.to_string());
                files.insert(path, Arc::from(bytes));
            }
        }
        let before = self.produced.entry(pass).or_default();
        // Most passes produce the paths the last one did: check that without allocating.
        let paths: Vec<&str> = paths.into_iter().collect();
        let same = paths.len() == before.len() && paths.iter().all(|p| before.contains(*p));
        if !same {
            let produced: Set<Arc<str>> = paths
                .iter()
                .map(|p| match files.get_key_value(*p) {
                    Some((key, _)) => Arc::clone(key),
                    None => Arc::from(*p),
                })
                .collect();
            for gone in before.iter().filter(|p| !produced.contains(*p)) {
                if files.remove(gone).is_some() {
                    changed.push(gone.to_string());
                }
                self.fingerprints.remove(gone);
            }
            *before = produced;
        }
        self.files = Arc::new(files);
        changed.sort();
        changed.dedup();
        changed
    }

    /// Forgets what a failed pass wrote: the files stay as the last finished pass left them.
    pub fn abandon(&mut self) {
        self.written
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }

    fn push(&self, path: &str, bytes: Vec<u8>, fingerprint: Option<u64>) {
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), bytes, fingerprint));
    }
}

impl Sink for Memory {
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        let mut bytes = Vec::new();
        content(&mut bytes).map_err(|source| OutputError::Io {
            path: path.into(),
            source,
        })?;
        self.push(path, bytes, None);
        Ok(())
    }

    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError> {
        self.push(path, html.to_vec(), Some(fingerprint));
        Ok(())
    }

    fn keep_page(&self, path: &str, fingerprint: u64) -> bool {
        self.fingerprints.get(path) == Some(&fingerprint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(m: &Memory, path: &str, text: &str) {
        m.write(path, &|w| w.write_all(text.as_bytes())).unwrap();
    }

    #[test]
    fn a_pass_reports_what_changed_and_drops_what_it_no_longer_produces() {
        let mut m = Memory::default();
        write(&m, "a", "1");
        m.write_page("p/index.html", 7, b"page").unwrap();
        assert_eq!(
            m.finish(Pass::Pages, ["a", "p/index.html"]),
            ["a", "p/index.html"]
        );
        write(&m, "feed.xml", "x");
        assert_eq!(m.finish(Pass::Exports, ["feed.xml"]), ["feed.xml"]);

        // The same bytes are no change; a kept page stays; a file not produced goes.
        assert!(m.keep_page("p/index.html", 7) && !m.keep_page("p/index.html", 8));
        write(&m, "b", "2");
        assert_eq!(m.finish(Pass::Pages, ["b", "p/index.html"]), ["a", "b"]);
        let files = m.files();
        assert!(!files.contains_key("a") && files.contains_key("p/index.html"));
        assert!(
            files.contains_key("feed.xml"),
            "another kind of pass keeps its files"
        );

        // A failed pass leaves everything as it was.
        write(&m, "b", "changed");
        m.abandon();
        assert_eq!(
            m.finish(Pass::Pages, ["b", "p/index.html"]),
            Vec::<String>::new()
        );
        assert_eq!(&*m.files()["b"], b"2");
    }
}
