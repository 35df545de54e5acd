//! casebook: a static site generator for good-practice catalogues.
//!
//! The pipeline reads top to bottom, one module per step:
//! [`config`] → [`model`] → [`load`] → [`check`] → [`resolve`] → [`render`] → [`output`],
//! orchestrated by [`build`]. [`model`] holds the catalogue's data types and [`markdown`] turns
//! Markdown into safe HTML; both are leaves that every step may use. [`export`] and [`search`] write the machine-readable outputs; [`serve`] wraps the
//! pipeline in a live-reloading preview server, [`lsp`] in a language server for editors;
//! [`links`] checks the external addresses; [`schema`] writes JSON Schema of the catalogue for
//! the editors' YAML tools.

// Diagnostics are rich values (source line, expected, found, hint) collected by the hundred into
// reports; boxing each one on the error path would add noise and buy nothing measurable.
#![allow(clippy::result_large_err)]

pub mod build;
pub mod check;
pub mod config;
pub mod diagnostic;
pub mod escape;
pub mod export;
pub mod links;
pub mod load;
pub mod lsp;
pub mod markdown;
pub mod media;
pub mod model;
pub mod output;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod schema;
pub mod search;
pub mod serve;
pub mod sink;
pub mod site;
pub mod source;
pub mod urls;

/// The hasher of every fingerprint casebook compares from one build to the next (file contents,
/// pages, the search index, cached components): fast, and the same in every run since its
/// seed is fixed.
pub type Fingerprinter = foldhash::quality::FoldHasher<'static>;

pub fn fingerprinter() -> Fingerprinter {
    use std::hash::BuildHasher;
    foldhash::quality::FixedState::with_seed(0x6361_7365_626f_6f6b).build_hasher()
}
