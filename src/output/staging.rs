//! A build being written: files go into a staging folder beside the output (the spare, if
//! there is one, so unchanged files are not written again) and `commit` swaps it into place.

use super::guard::*;
use super::update::*;
use super::{is_safe_relative, pages_file, read_pages, MARKER, PAGES};
use crate::sink::{OutputError, Sink, WriteFn};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// A build being written. Files go to a staging directory (the spare, if there is one);
/// `commit` swaps it into place and keeps the replaced output as the next spare.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    /// Files the staging directory held before this build (from the spare), relative paths.
    existing: HashSet<String>,
    /// Files written by this build.
    written: Mutex<HashSet<String>>,
    /// The page fingerprints the spare was written with (see `PAGES`); empty if unknown.
    spare_pages: HashMap<String, u64>,
    /// The page fingerprints the current output was written with.
    output_pages: HashMap<String, u64>,
    /// The pages of this build with their fingerprints, for its `PAGES` file.
    pages: Mutex<Vec<(String, u64)>>,
}

impl Staging {
    /// Takes over the spare as the staging directory, or creates a fresh one; starts removing
    /// leftovers of earlier builds meanwhile. The caller holds the output's `BuildLock`.
    pub fn new(output: &Path) -> Result<Staging, OutputError> {
        let dir = sibling(output, &format!("new-{}", std::process::id()));
        if claim(&dir, Own::Folder)? {
            fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        let spare = spare_dir(output);
        let (existing, spare_pages) = if claim(&spare, Own::Folder)? {
            fs::rename(&spare, &dir).map_err(io_err(&spare))?;
            // Trusted only once: a build that fails leaves the folder as the spare again,
            // with some files rewritten, and must not vouch for them.
            let pages = read_pages(&dir);
            remove_file(&dir.join(PAGES))?;
            (adopt(&dir)?, pages)
        } else {
            fs::create_dir(&dir).map_err(io_err(&dir))?;
            // Marked from the start: if this build fails, the folder stays as the spare.
            write_marker(&dir)?;
            (HashSet::new(), HashMap::new())
        };
        // Staging folders of killed builds go to the trash at once, so none is left behind
        // even if this process ends before the trash is emptied.
        for abandoned in abandoned_staging(output) {
            if claim(&abandoned, Own::Folder).unwrap_or(false) {
                let slot = sibling(output, &format!("trash-{}-{}", std::process::id(), nanos()));
                let _ = fs::rename(&abandoned, slot);
            }
        }
        // Only folders casebook made go: a link is removed as a link, anything else stays.
        let old: Vec<PathBuf> = trash(output)
            .into_iter()
            .filter(|p| claim(p, Own::Folder).unwrap_or(false))
            .collect();
        if !old.is_empty() {
            std::thread::spawn(move || {
                for dir in old {
                    let _ = fs::remove_dir_all(dir);
                }
            });
        }
        Ok(Staging {
            output: absolute(output),
            dir,
            existing,
            written: Mutex::new(HashSet::new()),
            spare_pages,
            output_pages: read_pages(output),
            pages: Mutex::new(Vec::new()),
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (path relative to the output root, `/`-separated, already validated).
    /// A file that already holds exactly these bytes is left as it is.
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        self.write_with(rel, &|w| w.write_all(bytes))
    }

    /// Writes one file through `content`, which writes it in pieces, so that large exports are
    /// never held whole. Bytes the spare's copy of the file already holds are not written again:
    /// an unchanged file is left as it is, a changed one is rewritten from its first
    /// differing byte on.
    pub fn write_with(&self, rel: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        if !is_safe_relative(rel) {
            return Err(OutputError::Refused {
                path: PathBuf::from(rel),
                reason: "the path would leave the output directory".into(),
            });
        }
        let path = self.dir.join(rel);
        let result = if self.existing.contains(rel) {
            update_file(&path, content)
        } else {
            create_file(&path, content)
        };
        if let Err(e) = result {
            if self.existing.is_empty() {
                return Err(io_err(&path)(e));
            }
            // The spare may hold a folder where this build writes a file, or the reverse.
            clear_way(&self.dir, rel);
            create_file(&path, content).map_err(io_err(&path))?;
        }
        if !self.existing.is_empty() {
            self.written
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .insert(rel.to_string());
        }
        Ok(())
    }

    /// Whether the staging directory already holds the page `rel` rendered with fingerprint
    /// `fp`; if so, it is kept as it is.
    pub fn keep_if_current(&self, rel: &str, fp: u64) -> bool {
        if self.spare_pages.get(rel) != Some(&fp) || !self.existing.contains(rel) {
            return false;
        }
        self.written
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(rel.to_string());
        true
    }

    /// Writes many files in parallel.
    pub fn write_all(&self, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
        files
            .par_iter()
            .try_for_each(|(rel, bytes)| self.write(rel, bytes))
    }

    /// Removes what the spare held and this build did not write, then swaps the staging
    /// directory into place. The old output becomes the spare of the next build.
    pub fn commit(mut self) -> Result<(), OutputError> {
        let mut pages = std::mem::take(self.pages.get_mut().unwrap_or_else(|e| e.into_inner()));
        pages.sort_unstable();
        self.write(PAGES, &pages_file(&pages))?;
        let written = std::mem::take(self.written.get_mut().unwrap_or_else(|e| e.into_inner()));
        let stale: Vec<&String> = self
            .existing
            .iter()
            .filter(|rel| !written.contains(*rel) && rel.as_str() != MARKER)
            .collect();
        stale.par_iter().try_for_each(|rel| {
            let path = self.dir.join(rel);
            // A stale file's place may hold a folder of this build by now.
            match fs::symlink_metadata(&path) {
                Ok(meta) if !meta.is_dir() => remove_file(&path),
                _ => Ok(()),
            }
        })?;
        remove_emptied_dirs(&self.dir, &stale);
        write_marker(&self.dir)?;
        let spare = spare_dir(&self.output);
        if fs::symlink_metadata(&spare).is_ok() {
            // Only if something made a spare during the build: it goes to the trash.
            let slot = sibling(
                &self.output,
                &format!("trash-{}-{}", std::process::id(), nanos()),
            );
            fs::rename(&spare, &slot).map_err(io_err(&spare))?;
        }
        if fs::symlink_metadata(&self.output).is_ok() {
            fs::rename(&self.output, &spare).map_err(io_err(&self.output))?;
        }
        fs::rename(&self.dir, &self.output).map_err(io_err(&self.output))?;
        self.dir = PathBuf::new();
        Ok(())
    }
}

impl Sink for Staging {
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError> {
        self.write_with(path, content)
    }

    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError> {
        Staging::write(self, path, html)?;
        self.record_page(path, fingerprint);
        Ok(())
    }

    /// A page is kept if the spare (being the staging folder) holds it with this fingerprint,
    /// or copied from the current output if that does.
    fn keep_page(&self, path: &str, fingerprint: u64) -> bool {
        let kept = self.keep_if_current(path, fingerprint)
            || (self.output_pages.get(path) == Some(&fingerprint)
                && fs::read(self.output.join(path))
                    .is_ok_and(|bytes| Staging::write(self, path, &bytes).is_ok()));
        if kept {
            self.record_page(path, fingerprint);
        }
        kept
    }

    fn previous_output(&self) -> Option<&Path> {
        Some(&self.output)
    }
}

impl Staging {
    fn record_page(&self, path: &str, fingerprint: u64) {
        self.pages
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), fingerprint));
    }
}

impl Drop for Staging {
    /// A build that did not commit leaves no half-written output: the staging directory goes
    /// back to being the spare (the next build rewrites or removes whatever it holds), or to
    /// the trash if a spare appeared meanwhile.
    fn drop(&mut self) {
        if self.dir.as_os_str().is_empty() {
            return;
        }
        if fs::rename(&self.dir, spare_dir(&self.output)).is_err() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

/// Lists the files of a spare taken over as staging directory. Anything that is not a plain
/// file or folder (a symbolic link, say) is removed first: writing through it could reach
/// outside the output.
fn adopt(dir: &Path) -> Result<HashSet<String>, OutputError> {
    let mut files = HashSet::new();
    for entry in walkdir::WalkDir::new(dir).min_depth(1) {
        let entry = entry.map_err(|e| OutputError::Io {
            path: dir.to_path_buf(),
            source: e.into(),
        })?;
        let kind = entry.file_type();
        if kind.is_dir() {
            continue;
        }
        if !kind.is_file() {
            remove_file(entry.path())?;
            continue;
        }
        let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
        files.insert(rel.to_string_lossy().replace('\\', "/"));
    }
    Ok(files)
}

/// Removes files where `rel` needs folders and a folder where it needs a file.
fn clear_way(dir: &Path, rel: &str) {
    let mut path = dir.to_path_buf();
    let segments: Vec<&str> = rel.split('/').collect();
    for (i, segment) in segments.iter().enumerate() {
        path.push(segment);
        let Ok(meta) = fs::symlink_metadata(&path) else {
            return;
        };
        if i + 1 == segments.len() {
            if meta.is_dir() {
                let _ = fs::remove_dir_all(&path);
            }
        } else if !meta.is_dir() {
            let _ = fs::remove_file(&path);
            return;
        }
    }
}

/// Removes the folders that removing the files `removed` (relative paths) left empty,
/// deepest first. Only their ancestors can have become empty: a fresh build checks none.
fn remove_emptied_dirs(dir: &Path, removed: &[&String]) {
    let mut folders: Vec<&str> = removed
        .iter()
        .flat_map(|rel| {
            rel.char_indices()
                .filter(|&(_, c)| c == '/')
                .map(|(i, _)| &rel[..i])
        })
        .collect();
    folders.sort_by(|a, b| {
        let depth = |s: &str| s.matches('/').count();
        depth(b).cmp(&depth(a)).then(a.cmp(b))
    });
    folders.dedup();
    for folder in folders {
        // Fails (and is meant to) while the folder still holds something.
        let _ = fs::remove_dir(dir.join(folder));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::output::spare_dir;

    #[test]
    fn a_spare_with_files_where_folders_go_and_the_reverse_is_rewritten() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let out = tmp.join("output");
        let spare = spare_dir(&out);
        fs::create_dir_all(spare.join("b/c")).unwrap();
        write_marker(&spare).unwrap();
        fs::write(spare.join("a"), "file where a folder goes").unwrap();
        fs::write(spare.join("b/c/index.html"), "folder where a file goes").unwrap();
        fs::write(spare.join("same.txt"), "same").unwrap();
        let s = Staging::new(&out).unwrap();
        assert!(!spare.exists(), "the spare was not taken over");
        s.write("a/index.html", b"a").unwrap();
        s.write("b", b"b").unwrap();
        s.write("same.txt", b"same").unwrap();
        s.commit().unwrap();
        assert_eq!(fs::read_to_string(out.join("a/index.html")).unwrap(), "a");
        assert_eq!(fs::read_to_string(out.join("b")).unwrap(), "b");
        assert_eq!(fs::read_to_string(out.join("same.txt")).unwrap(), "same");
        let mut names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        assert_eq!(names, [MARKER, PAGES, "a", "b", "same.txt"]);
    }

    #[test]
    fn folders_emptied_by_removing_stale_files_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let out = tmp.join("output");
        let spare = spare_dir(&out);
        for file in ["gone/deep/index.html", "kept/x/index.html", "kept/old.html"] {
            fs::create_dir_all(spare.join(file).parent().unwrap()).unwrap();
            fs::write(spare.join(file), file).unwrap();
        }
        write_marker(&spare).unwrap();
        let s = Staging::new(&out).unwrap();
        s.write("kept/x/index.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(!out.join("gone").exists(), "an emptied folder stays");
        let kept: Vec<String> = fs::read_dir(out.join("kept"))
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(kept, ["x"]);
        assert_eq!(fs::read(out.join("kept/x/index.html")).unwrap(), b"new");
    }

    #[test]
    fn uncommitted_staging_leaves_output_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let out = tmp.join("output");
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("old.html"), "old").unwrap();
        {
            let s = Staging::new(&out).unwrap();
            s.write("new.html", b"new").unwrap();
        }
        assert_eq!(fs::read_to_string(out.join("old.html")).unwrap(), "old");
        assert!(!out.join("new.html").exists());
        let s = Staging::new(&out).unwrap();
        s.write("new.html", b"new").unwrap();
        s.commit().unwrap();
        assert!(out.join("new.html").exists() && !out.join("old.html").exists());
    }
}
