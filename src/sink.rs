//! Where a rendered site goes. Rendering writes every file through a [`Sink`]; `output` has the
//! two: the staging folder of a build on disk, and the site `serve` holds in memory. A sink
//! knows what it already holds, so a page rendered from the same inputs as before is kept
//! instead of rendered again, and the sink can tell which files changed.

use std::io::{self, Write};
use std::path::PathBuf;

/// Writes a file's content in pieces, so large exports are never held whole.
pub type WriteFn<'a> = dyn Fn(&mut dyn Write) -> io::Result<()> + Sync + 'a;

/// A file could not be written.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("refusing to write to {path}: {reason}")]
    Refused { path: PathBuf, reason: String },
    #[error("another casebook build is writing to {0} right now; wait for it to finish")]
    Locked(PathBuf),
    #[error("cannot write {path}: {source}")]
    Io { path: PathBuf, source: io::Error },
}

/// The place a site is rendered into. Paths are relative to the site's root and
/// `/`-separated (from [`urls`](crate::urls)).
pub trait Sink: Sync {
    /// Writes the file `path` through `content`.
    fn write(&self, path: &str, content: &WriteFn<'_>) -> Result<(), OutputError>;

    /// Writes the page `path`, rendered from inputs whose fingerprint is `fingerprint`.
    fn write_page(&self, path: &str, fingerprint: u64, html: &[u8]) -> Result<(), OutputError>;

    /// Keeps the page `path` as the sink holds it, if it was rendered from inputs with this
    /// `fingerprint`; false if it has to be rendered.
    fn keep_page(&self, path: &str, fingerprint: u64) -> bool;

    /// A folder holding the site as it was last written, for taking over what did not change
    /// (the search index); `None` where there is none.
    fn previous_output(&self) -> Option<&std::path::Path> {
        None
    }
}

/// Where the sizes casebook makes of each picture are kept between runs, by a name that says
/// what they were made from (`output` keeps them beside the output folder). Losing one is
/// harmless: it is made again.
pub trait VariantCache: Sync {
    /// The bytes kept under `name`, if any.
    fn get(&self, name: &str) -> Option<Vec<u8>>;
    /// Keeps `bytes` under `name`; a failure only means the next run makes them again.
    fn put(&self, name: &str, bytes: &[u8]);
}
