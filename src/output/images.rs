//! The cache of picture sizes between runs, beside the output like the spare:
//! `<parent>/.<name>.casebook-images/`, a folder casebook made (with the marker), never followed
//! through a link, refused if something else is there. It holds each made size under a name
//! that says what it was made from, and `media`, what the media files held when last read.

use super::guard::{claim, nanos, sibling, write_marker, Own};
use crate::sink::{OutputError, VariantCache};
use std::fs;
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The file in the cache that remembers what the media files held ([`crate::media::Memo`]).
const MEMO: &str = "media";

/// The picture cache of one output. It is made when the first picture size is put into it: a
/// catalogue without pictures gets none.
#[derive(Debug)]
pub struct ImageCache {
    dir: PathBuf,
    /// Whether the folder is there (casebook's, with the marker).
    made: OnceLock<bool>,
}

impl ImageCache {
    /// The cache beside `output`. Refused if something casebook did not make is at its place;
    /// a link there is removed, never followed.
    pub fn beside(output: &Path) -> Result<ImageCache, OutputError> {
        let dir = sibling(output, "images");
        let made = OnceLock::new();
        if claim(&dir, Own::Folder)? {
            let _ = made.set(true);
        }
        Ok(ImageCache { dir, made })
    }

    /// Makes the folder if it is not there yet; false if that failed.
    fn make(&self) -> bool {
        *self.made.get_or_init(|| {
            let made = fs::create_dir_all(self.dir.parent().unwrap_or(Path::new("/")))
                .and_then(|()| fs::create_dir(&self.dir));
            match made {
                Ok(()) => write_marker(&self.dir).is_ok(),
                // Another run made it meanwhile: as good, if it is casebook's.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    claim(&self.dir, Own::Folder).unwrap_or(false)
                }
                Err(_) => false,
            }
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// What the media files held when last read; empty if unknown.
    pub fn memo(&self) -> String {
        self.get(MEMO)
            .and_then(|b| String::from_utf8(b).ok())
            .unwrap_or_default()
    }

    /// Keeps what the media files held; nothing is made for a catalogue without media.
    pub fn set_memo(&self, text: &str) {
        if !text.is_empty() || self.made.get() == Some(&true) {
            self.put(MEMO, text.as_bytes());
        }
    }

    /// Removes the cached files not named in `keep` (and not the memo or the marker): the
    /// cache holds what the last build published, not every picture ever made.
    pub fn retain(&self, keep: &std::collections::HashSet<String>) {
        if self.made.get() != Some(&true) {
            return;
        }
        let Ok(dir) = fs::read_dir(&self.dir) else {
            return;
        };
        for entry in dir.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != MEMO && name != super::MARKER && !keep.contains(&name) {
                let _ = fs::remove_file(entry.path());
            }
        }
    }

    fn path(&self, name: &str) -> Option<PathBuf> {
        let plain = !name.is_empty()
            && !name.starts_with('.')
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_');
        plain.then(|| self.dir.join(name))
    }
}

impl VariantCache for ImageCache {
    fn get(&self, name: &str) -> Option<Vec<u8>> {
        use std::os::unix::fs::OpenOptionsExt;
        if self.made.get() != Some(&true) {
            return None;
        }
        // O_NOFOLLOW: a link put into the cache is not read through.
        let mut file = fs::File::options()
            .read(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(self.path(name)?)
            .ok()?;
        if !file.metadata().ok()?.is_file() {
            return None;
        }
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).ok()?;
        Some(bytes)
    }

    fn put(&self, name: &str, bytes: &[u8]) {
        let Some(path) = self.path(name) else { return };
        if !self.make() {
            return;
        }
        // Written aside and renamed: a reader never sees half a file, and a link at the
        // name is replaced, not written through.
        let temp = self
            .dir
            .join(format!(".new-{}-{}", std::process::id(), nanos()));
        let written = fs::File::create_new(&temp).and_then(|mut f| f.write_all(bytes));
        if written.is_err() || fs::rename(&temp, &path).is_err() {
            let _ = fs::remove_file(&temp);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_keeps_files_and_refuses_what_it_did_not_make() {
        let dir = tempfile::tempdir().unwrap();
        let out = dir.path().join("output");
        let cache = ImageCache::beside(&out).unwrap();
        cache.set_memo("");
        assert!(!cache.dir().exists(), "nothing to keep, no folder");
        cache.put("abc.webp", b"bytes");
        assert_eq!(cache.get("abc.webp").as_deref(), Some(&b"bytes"[..]));
        assert_eq!(cache.get("../abc.webp"), None);
        cache.put("../escape", b"x");
        assert!(!dir.path().join("escape").exists());
        drop(cache);
        assert!(ImageCache::beside(&out).unwrap().get("abc.webp").is_some());
        // A folder casebook did not make is refused; a link is removed, never followed.
        let foreign = dir.path().join(".other.casebook-images");
        fs::create_dir(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "mine").unwrap();
        assert!(ImageCache::beside(&dir.path().join("other")).is_err());
        assert!(foreign.join("keep.txt").exists());
        let target = dir.path().join("target");
        fs::create_dir(&target).unwrap();
        std::os::unix::fs::symlink(&target, dir.path().join(".linked.casebook-images")).unwrap();
        let cache = ImageCache::beside(&dir.path().join("linked")).unwrap();
        cache.put("a.webp", b"x");
        assert!(!target.join("a.webp").exists());
    }
}
