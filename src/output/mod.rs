//! Writing a build: output-directory safety, a lock against concurrent builds, parallel writes
//! into a staging directory, and an atomic swap so a failed build leaves the last good output
//! untouched. The replaced output is kept as the spare the next build writes into, so a
//! rebuild rewrites only files whose bytes changed.

use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fs::{self, File};
use std::io::{self, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Marker file in every output directory casebook wrote; without it, casebook refuses to replace
/// a non-empty directory.
pub const MARKER: &str = ".casebook-output";

pub use crate::sink::{OutputError, Sink, WriteFn};
pub use memory::{Memory, Pass, SiteFiles};

mod memory;

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
    move |source| OutputError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Refuses output directories that would destroy something: the catalogue, its ancestors, the
/// home or root directory, or a folder casebook did not create.
pub fn check_output_dir(root: &Path, output: &Path) -> Result<(), OutputError> {
    let refuse = |reason: &str| {
        Err(OutputError::Refused {
            path: output.to_path_buf(),
            reason: reason.into(),
        })
    };
    let abs = absolute(output);
    let root_abs = absolute(root);
    if abs.parent().is_none() {
        return refuse("it is the file-system root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from) {
        if abs == absolute(&home) {
            return refuse("it is your home directory");
        }
    }
    if root_abs.starts_with(&abs) {
        return refuse("it contains the catalogue itself");
    }
    if abs.starts_with(root_abs.join("content")) || abs.starts_with(root_abs.join("themes")) {
        return refuse("it lies inside the catalogue's sources");
    }
    if abs.join("content").exists() || abs.join("site.yaml").exists() {
        return refuse("it contains a catalogue (content/ or site.yaml)");
    }
    match fs::symlink_metadata(&abs) {
        Ok(meta) if meta.is_file() => return refuse("it is a file"),
        Ok(meta) if !meta.is_dir() => {
            return refuse("it is not a folder but a named pipe, socket or device")
        }
        _ => {}
    }
    if abs.is_dir() && !abs.join(MARKER).is_file() {
        let empty = fs::read_dir(&abs)
            .map(|mut d| d.next().is_none())
            .unwrap_or(false);
        if !empty {
            return refuse(&format!("it holds files casebook did not write (no {MARKER} marker); empty it or choose another --output"));
        }
    }
    Ok(())
}

/// Makes a path absolute and lexically clean (`..` removed) without touching the disk.
pub fn absolute(path: &Path) -> PathBuf {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(path)
    };
    let mut out = PathBuf::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            c => out.push(c),
        }
    }
    // Resolve symlinks where the path exists, so two spellings of one folder compare equal.
    out.canonicalize().unwrap_or(out)
}

/// An exclusive lock on an output directory for the duration of a build.
/// The lock file stays behind on purpose: removing it would race with a waiting build, and the
/// operating system releases the lock itself when the process ends, even on a crash.
pub struct BuildLock {
    _file: File,
}

impl BuildLock {
    pub fn acquire(output: &Path) -> Result<BuildLock, OutputError> {
        use std::os::unix::fs::OpenOptionsExt;
        let path = sibling(output, "lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        claim(&path, Own::File)?;
        // O_NOFOLLOW: a link put there since `claim` is refused, not followed; O_NONBLOCK: a
        // named pipe put there does not keep the open waiting.
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK)
            .open(&path)
            .map_err(io_err(&path))?;
        if !file.metadata().map_err(io_err(&path))?.is_file() {
            return Err(refused(&path, NOT_OURS));
        }
        match file.try_lock() {
            Ok(()) => Ok(BuildLock { _file: file }),
            Err(fs::TryLockError::WouldBlock) => Err(OutputError::Locked(output.to_path_buf())),
            Err(fs::TryLockError::Error(e)) => Err(OutputError::Io { path, source: e }),
        }
    }
}

/// `<parent>/.<name>.casebook-<what>`: hidden siblings on the same file system, so renames are atomic.
fn sibling(output: &Path, what: &str) -> PathBuf {
    let abs = absolute(output);
    let name = abs
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "output".into());
    abs.parent()
        .unwrap_or(Path::new("/"))
        .join(format!(".{name}.casebook-{what}"))
}

/// What casebook keeps at a place beside the output: a folder it made (with the `MARKER` in
/// it) or a plain file.
#[derive(Clone, Copy, PartialEq)]
enum Own {
    Folder,
    File,
}

const NOT_OURS: &str = "casebook keeps its own file or folder there, and this is something else; \
                        remove it if you do not need it";

fn refused(path: &Path, reason: &str) -> OutputError {
    OutputError::Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Whether one of the places casebook keeps beside the output (spare, staging folder, lock)
/// holds what casebook made there. A symbolic link is removed as a link, never followed: a
/// committed `.output.casebook-spare -> ~/Documents` would otherwise have the build overwrite
/// and delete files in its target. Anything else that casebook did not make is refused.
fn claim(path: &Path, own: Own) -> Result<bool, OutputError> {
    let meta = match fs::symlink_metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(false),
        Err(e) => return Err(io_err(path)(e)),
    };
    let kind = meta.file_type();
    if kind.is_symlink() {
        remove_file(path)?;
        return Ok(false);
    }
    let ours = match own {
        Own::File => kind.is_file(),
        Own::Folder => {
            kind.is_dir()
                && fs::symlink_metadata(path.join(MARKER)).is_ok_and(|m| m.file_type().is_file())
        }
    };
    if ours {
        Ok(true)
    } else {
        Err(refused(path, NOT_OURS))
    }
}

/// Staging folders of earlier builds of this output that were killed before they finished
/// (`<parent>/.<name>.casebook-new-<pid>`). Called with the output's lock held, so no other
/// build is writing into any of them.
fn abandoned_staging(output: &Path) -> Vec<PathBuf> {
    let ours = sibling(output, &format!("new-{}", std::process::id()));
    siblings_starting(&sibling(output, "new-"))
        .into_iter()
        .filter(|p| *p != ours)
        .collect()
}

/// The entries of the output's parent folder whose names start with `prefix`'s file name.
fn siblings_starting(prefix: &Path) -> Vec<PathBuf> {
    let (Some(parent), Some(prefix)) = (prefix.parent(), prefix.file_name()) else {
        return Vec::new();
    };
    let prefix = prefix.to_string_lossy().into_owned();
    let Ok(dir) = fs::read_dir(parent) else {
        return Vec::new();
    };
    dir.flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(&prefix))
        .map(|e| e.path())
        .collect()
}

/// Earlier outputs waiting to be deleted: `<parent>/.<name>.casebook-trash-<pid>-<time>`, one
/// folder each, so deleting one never races with a build moving another there. The next build
/// deletes them on a background thread.
fn trash(output: &Path) -> Vec<PathBuf> {
    siblings_starting(&sibling(output, "trash"))
}

/// The previous output, kept beside the current one (`<parent>/.<name>.casebook-spare`). The
/// next build writes into it: files whose bytes did not change are left alone (they keep their
/// modification time, so uploads can skip them) and no file or folder is created or deleted
/// without need. Creating and deleting 10,000 files cost more than rendering them.
pub fn spare_dir(output: &Path) -> PathBuf {
    sibling(output, "spare")
}

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

fn write_marker(dir: &Path) -> Result<(), OutputError> {
    fs::write(
        dir.join(MARKER),
        "This folder is written by casebook build; it is replaced on every build.\n",
    )
    .map_err(io_err(dir))
}

fn remove_file(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
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

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Buffer size for writing and comparing files in pieces.
const CHUNK: usize = 64 * 1024;

fn create_file(path: &Path, content: &WriteFn<'_>) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent)?;
    }
    let mut out = io::BufWriter::with_capacity(CHUNK, File::create(path)?);
    content(&mut out)?;
    out.flush()
}

/// Writes `content` over the file at `path`, comparing before writing: bytes that are already
/// right stay untouched, so an unchanged file is only read.
fn update_file(path: &Path, content: &WriteFn<'_>) -> io::Result<()> {
    let file = fs::OpenOptions::new().read(true).write(true).open(path)?;
    if !file.metadata()?.is_file() {
        return Err(io::Error::other("not a file"));
    }
    let mut update = io::BufWriter::with_capacity(
        CHUNK,
        Update {
            state: UpdateState::Same(io::BufReader::with_capacity(CHUNK, file)),
            pos: 0,
            scratch: Vec::new(),
        },
    );
    content(&mut update)?;
    update.into_inner().map_err(|e| e.into_error())?.finish()
}

/// The writer of [`update_file`]: compares with the old bytes until they first differ, then
/// writes from there on.
struct Update {
    state: UpdateState,
    /// Bytes of the new content so far.
    pos: u64,
    scratch: Vec<u8>,
}

enum UpdateState {
    /// Everything so far equals the old bytes; the file is read to compare.
    Same(io::BufReader<File>),
    /// The content differs; the file is written from the first differing byte on.
    Differs(io::BufWriter<File>),
}

impl Write for Update {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let old = match &mut self.state {
            UpdateState::Differs(new) => {
                new.write_all(buf)?;
                self.pos += buf.len() as u64;
                return Ok(buf.len());
            }
            UpdateState::Same(old) => old,
        };
        self.scratch.resize(buf.len(), 0);
        let mut filled = 0;
        while filled < buf.len() {
            match old.read(&mut self.scratch[filled..])? {
                0 => break,
                n => filled += n,
            }
        }
        let same = buf
            .iter()
            .zip(&self.scratch[..filled])
            .take_while(|(a, b)| a == b)
            .count();
        self.pos += same as u64;
        if same < buf.len() {
            let mut file = old.get_ref().try_clone()?;
            file.seek(io::SeekFrom::Start(self.pos))?;
            let mut new = io::BufWriter::with_capacity(CHUNK, file);
            new.write_all(&buf[same..])?;
            self.pos += (buf.len() - same) as u64;
            self.state = UpdateState::Differs(new);
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.state {
            UpdateState::Differs(new) => new.flush(),
            UpdateState::Same(_) => Ok(()),
        }
    }
}

impl Update {
    /// Ends the file where the new content ends.
    fn finish(self) -> io::Result<()> {
        let file = match self.state {
            UpdateState::Differs(new) => new.into_inner().map_err(|e| e.into_error())?,
            UpdateState::Same(old) => old.into_inner(),
        };
        if file.metadata()?.len() != self.pos {
            file.set_len(self.pos)?;
        }
        Ok(())
    }
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

    #[test]
    fn refuses_dangerous_output_dirs() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let root = tmp.join("cat");
        fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_dir(&root, &root).is_err(), "root itself");
        assert!(check_output_dir(&root, tmp).is_err(), "ancestor of root");
        assert!(
            check_output_dir(&root, &root.join("content/out")).is_err(),
            "inside content"
        );
        assert!(check_output_dir(&root, Path::new("/")).is_err(), "fs root");
        let foreign = tmp.join("foreign");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("keep.txt"), "mine").unwrap();
        assert!(
            check_output_dir(&root, &foreign).is_err(),
            "unmarked, non-empty"
        );
        assert!(check_output_dir(&root, &root.join("output")).is_ok());
    }

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

    #[test]
    fn second_lock_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let out = tmp.join("output");
        let first = BuildLock::acquire(&out).unwrap();
        assert!(matches!(
            BuildLock::acquire(&out),
            Err(OutputError::Locked(_))
        ));
        drop(first);
        assert!(BuildLock::acquire(&out).is_ok());
    }

    #[test]
    fn updating_a_file_writes_only_from_the_first_difference_and_ends_it_where_the_content_ends() {
        let dir = tempfile::tempdir().unwrap();
        let tmp = dir.path();
        let path = tmp.join("f");
        // Pieces of every size, so differences fall inside, at and across buffer boundaries.
        let write_in_pieces = |bytes: &[u8]| {
            let bytes = bytes.to_vec();
            move |w: &mut dyn Write| {
                for (i, piece) in bytes.chunks(7919).enumerate() {
                    w.write_all(piece)?;
                    if i % 3 == 0 {
                        w.flush()?;
                    }
                }
                Ok(())
            }
        };
        let long: Vec<u8> = (0..300_000u32).map(|i| (i % 251) as u8).collect();
        let mut middle = long.clone();
        middle[150_000] ^= 1;
        let cases: [&[u8]; 7] = [
            &long,
            &long[..200_000],
            &middle,
            &long,
            b"",
            b"short",
            &long[..CHUNK],
        ];
        fs::write(&path, b"old content").unwrap();
        for new in cases {
            update_file(&path, &write_in_pieces(new)).unwrap();
            assert_eq!(fs::read(&path).unwrap(), new);
        }
        // An unchanged file is only read: its modification time stays.
        let before = fs::metadata(&path).unwrap().modified().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        update_file(&path, &write_in_pieces(&long[..CHUNK])).unwrap();
        assert_eq!(fs::metadata(&path).unwrap().modified().unwrap(), before);
    }
}
