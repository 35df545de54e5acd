//! Writing a build: output-directory safety, a lock against concurrent builds, parallel writes
//! into a fresh staging directory, and an atomic swap so a failed build leaves the last good
//! output untouched. The old output is deleted in the background, never while the user waits.

use rayon::prelude::*;
use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};

/// Marker file in every output directory casebook wrote; without it, casebook refuses to replace
/// a non-empty directory.
pub const MARKER: &str = ".casebook-output";

#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write to {path}: {reason}")]
    Refused { path: PathBuf, reason: String },
    #[error("another casebook build is writing to {0} right now; wait for it to finish")]
    Locked(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

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
    if abs.is_file() {
        return refuse("it is a file");
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
        let path = sibling(output, "lock");
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(io_err(parent))?;
        }
        let file = File::options()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(io_err(&path))?;
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

/// A build being written. Files go to a staging directory; `commit` swaps it into place.
pub struct Staging {
    output: PathBuf,
    dir: PathBuf,
    cleaner: Option<std::thread::JoinHandle<()>>,
}

impl Staging {
    /// Creates a fresh staging directory; starts removing leftovers of earlier builds meanwhile.
    pub fn new(output: &Path) -> Result<Staging, OutputError> {
        let dir = sibling(output, &format!("new-{}", std::process::id()));
        if dir.exists() {
            fs::remove_dir_all(&dir).map_err(io_err(&dir))?;
        }
        fs::create_dir_all(&dir).map_err(io_err(&dir))?;
        let trash = sibling(output, "trash");
        let cleaner = trash.exists().then(|| {
            std::thread::spawn(move || {
                let _ = fs::remove_dir_all(&trash);
            })
        });
        Ok(Staging {
            output: absolute(output),
            dir,
            cleaner,
        })
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Writes one file (path relative to the output root, `/`-separated, already validated).
    pub fn write(&self, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
        write_file(&self.dir, rel, bytes)
    }

    /// Writes many files in parallel.
    pub fn write_all(&self, files: &[(String, Vec<u8>)]) -> Result<(), OutputError> {
        files
            .par_iter()
            .try_for_each(|(rel, bytes)| self.write(rel, bytes))
    }

    /// Swaps the staging directory into place. The old output moves to a trash folder that the
    /// next build deletes in the background.
    pub fn commit(mut self) -> Result<(), OutputError> {
        if let Some(c) = self.cleaner.take() {
            let _ = c.join();
        }
        fs::write(
            self.dir.join(MARKER),
            "This folder is written by casebook build; it is replaced on every build.\n",
        )
        .map_err(io_err(&self.dir))?;
        let trash = sibling(&self.output, "trash");
        if self.output.exists() {
            fs::create_dir_all(&trash).map_err(io_err(&trash))?;
            let slot = trash.join(format!("{}-{}", std::process::id(), nanos()));
            fs::rename(&self.output, &slot).map_err(io_err(&self.output))?;
        }
        fs::rename(&self.dir, &self.output).map_err(io_err(&self.output))?;
        self.dir = PathBuf::new();
        Ok(())
    }
}

impl Drop for Staging {
    /// A build that did not commit leaves no half-written directory behind.
    fn drop(&mut self) {
        if let Some(c) = self.cleaner.take() {
            let _ = c.join();
        }
        if !self.dir.as_os_str().is_empty() {
            let _ = fs::remove_dir_all(&self.dir);
        }
    }
}

fn nanos() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0)
}

/// Writes `rel` below `dir`, refusing any path that could leave it.
pub fn write_file(dir: &Path, rel: &str, bytes: &[u8]) -> Result<(), OutputError> {
    if !is_safe_relative(rel) {
        return Err(OutputError::Refused {
            path: PathBuf::from(rel),
            reason: "the path would leave the output directory".into(),
        });
    }
    let path = dir.join(rel);
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(io_err(parent))?;
    }
    fs::write(&path, bytes).map_err(io_err(&path))
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
        let tmp = std::env::temp_dir().join(format!("casebook-out-test-{}", std::process::id()));
        let root = tmp.join("cat");
        fs::create_dir_all(root.join("content")).unwrap();
        assert!(check_output_dir(&root, &root).is_err(), "root itself");
        assert!(check_output_dir(&root, &tmp).is_err(), "ancestor of root");
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
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn uncommitted_staging_leaves_output_untouched() {
        let tmp = std::env::temp_dir().join(format!("casebook-stage-test-{}", std::process::id()));
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
        fs::remove_dir_all(&tmp).unwrap();
    }

    #[test]
    fn second_lock_is_refused() {
        let tmp = std::env::temp_dir().join(format!("casebook-lock-test-{}", std::process::id()));
        fs::create_dir_all(&tmp).unwrap();
        let out = tmp.join("output");
        let first = BuildLock::acquire(&out).unwrap();
        assert!(matches!(
            BuildLock::acquire(&out),
            Err(OutputError::Locked(_))
        ));
        drop(first);
        assert!(BuildLock::acquire(&out).is_ok());
        fs::remove_dir_all(&tmp).unwrap();
    }
}
