//! `casebook serve`: being written; see issue "casebook serve".

pub mod session;

use std::path::PathBuf;

/// Options of `casebook serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub root: PathBuf,
    pub port: u16,
    pub bind: String,
    pub open: bool,
    pub poll: bool,
    pub debounce_ms: u64,
    pub base_url: Option<String>,
}

/// Runs the preview server until Ctrl-C.
pub fn run(_options: ServeOptions) -> Result<(), String> {
    Err("serve is not available in this build yet".into())
}
