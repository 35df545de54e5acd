//! What casebook keeps beside an output and the checks before it writes there: the output
//! must be a folder casebook made (or absent, or empty) and nothing precious; the spare, the
//! staging folders and the lock are casebook's own, never followed through a link; a lock
//! keeps two builds from writing into one output.

use super::MARKER;
use crate::sink::OutputError;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

pub(super) fn io_err(path: &Path) -> impl FnOnce(io::Error) -> OutputError + '_ {
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
pub(super) fn sibling(output: &Path, what: &str) -> PathBuf {
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
pub(super) enum Own {
    Folder,
    File,
}

pub(super) const NOT_OURS: &str =
    "casebook keeps its own file or folder there, and this is something else; \
                        remove it if you do not need it";

pub(super) fn refused(path: &Path, reason: &str) -> OutputError {
    OutputError::Refused {
        path: path.to_path_buf(),
        reason: reason.into(),
    }
}

/// Whether one of the places casebook keeps beside the output (spare, staging folder, lock)
/// holds what casebook made there. A symbolic link is removed as a link, never followed: a
/// committed `.output.casebook-spare -> ~/Documents` would otherwise have the build overwrite
/// and delete files in its target. Anything else that casebook did not make is refused.
pub(super) fn claim(path: &Path, own: Own) -> Result<bool, OutputError> {
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
pub(super) fn abandoned_staging(output: &Path) -> Vec<PathBuf> {
    let ours = sibling(output, &format!("new-{}", std::process::id()));
    siblings_starting(&sibling(output, "new-"))
        .into_iter()
        .filter(|p| *p != ours)
        .collect()
}

/// The entries of the output's parent folder whose names start with `prefix`'s file name.
pub(super) fn siblings_starting(prefix: &Path) -> Vec<PathBuf> {
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
pub(super) fn trash(output: &Path) -> Vec<PathBuf> {
    siblings_starting(&sibling(output, "trash"))
}

/// The previous output, kept beside the current one (`<parent>/.<name>.casebook-spare`). The
/// next build writes into it: files whose bytes did not change are left alone (they keep their
/// modification time, so uploads can skip them) and no file or folder is created or deleted
/// without need. Creating and deleting 10,000 files cost more than rendering them.
pub fn spare_dir(output: &Path) -> PathBuf {
    sibling(output, "spare")
}

/// The answers of `check --links`, kept for a day beside the output
/// (`<parent>/.<name>.casebook-links`): casebook's own file, never in `content/`.
pub fn links_cache(output: &Path) -> PathBuf {
    sibling(output, "links")
}

pub(super) fn write_marker(dir: &Path) -> Result<(), OutputError> {
    fs::write(
        dir.join(MARKER),
        "This folder is written by casebook build; it is replaced on every build.\n",
    )
    .map_err(io_err(dir))
}

pub(super) fn remove_file(path: &Path) -> Result<(), OutputError> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(path)(e)),
        _ => Ok(()),
    }
}

pub(super) fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
