//! Writing the media into a sink: every file below `content/media/` as it is, and every size of
//! every picture the entries show. Each is kept where the sink holds it made from the same bytes
//! (its fingerprint, as for pages), taken from the cache between runs where it is there, and
//! made otherwise: a picture is decoded once for all its missing sizes.

use super::*;
use crate::sink::{OutputError, Sink, VariantCache};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// What publishing the media did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Published {
    /// Files published (originals and sizes), written or kept.
    pub files: usize,
    /// Sizes encoded in this run.
    pub encoded: usize,
    /// Sizes taken from the cache between runs.
    pub cached: usize,
}

/// Why the media could not be published.
#[derive(Debug, thiserror::Error)]
pub enum PublishError {
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A picture failed to decode or encode, though its header read well.
    #[error("{0:?}")]
    Picture(Box<Diagnostic>),
}

impl Media {
    /// The output paths of every published file with its fingerprint: the originals and the
    /// sizes of the pictures `entries` show.
    pub fn outputs(&self, entries: &[Arc<Entry>]) -> Vec<(String, u64)> {
        let mut out: Vec<(String, u64)> = self
            .files
            .iter()
            .map(|(rel, p)| (rel.clone(), p.hash))
            .collect();
        out.extend(
            self.variants(entries)
                .into_iter()
                .map(|(_, v)| (v.path, v.fingerprint)),
        );
        out
    }

    /// Publishes the media into `sink` (see the module's text).
    pub fn publish(
        &self,
        config: &Config,
        entries: &[Arc<Entry>],
        sink: &dyn Sink,
        cache: Option<&dyn VariantCache>,
    ) -> Result<Published, PublishError> {
        let encoded = AtomicUsize::new(0);
        let cached = AtomicUsize::new(0);
        self.files.par_iter().try_for_each(|(rel, probe)| {
            if sink.keep_page(rel, probe.hash) {
                return Ok(());
            }
            let path = config.content_dir.join(rel);
            let bytes = std::fs::read(&path).map_err(|source| OutputError::Io { path, source })?;
            sink.write_page(rel, probe.hash, &bytes)?;
            Ok::<(), PublishError>(())
        })?;
        let variants = self.variants(entries);
        let mut by_src: BTreeMap<&str, Vec<&Variant>> = BTreeMap::new();
        for (src, v) in &variants {
            if !sink.keep_page(&v.path, v.fingerprint) {
                by_src.entry(src).or_default().push(v);
            }
        }
        let quality = config.images.quality;
        by_src.into_par_iter().try_for_each(|(src, missing)| {
            let mut to_make = Vec::new();
            for v in missing {
                match cache.and_then(|c| c.get(&v.cache_name())) {
                    Some(bytes) => {
                        sink.write_page(&v.path, v.fingerprint, &bytes)?;
                        cached.fetch_add(1, Relaxed);
                    }
                    None => to_make.push(v),
                }
            }
            if to_make.is_empty() {
                return Ok(());
            }
            let shown = format!("content/{src}");
            let broken = |why: String| {
                PublishError::Picture(Box::new(
                    Diagnostic::error(
                        "unreadable-image",
                        &shown,
                        format!("picture `{src}` cannot be published: {why}"),
                    )
                    .hint("save it again as JPEG, PNG or WebP"),
                ))
            };
            let path = config.content_dir.join(src);
            let bytes = std::fs::read(&path).map_err(|source| OutputError::Io { path, source })?;
            let image = encode::decode(&bytes).map_err(|p| {
                broken(match p {
                    ImageProblem::TooLarge(_) => limit_in_words(),
                    ImageProblem::Unreadable(e) => e,
                })
            })?;
            drop(bytes);
            to_make.par_iter().try_for_each(|v| {
                let made = encode::make(&image, v, quality).map_err(broken)?;
                encoded.fetch_add(1, Relaxed);
                if let Some(cache) = cache {
                    cache.put(&v.cache_name(), &made);
                }
                sink.write_page(&v.path, v.fingerprint, &made)?;
                Ok::<(), PublishError>(())
            })
        })?;
        Ok(Published {
            files: self.files.len() + variants.len(),
            encoded: encoded.into_inner(),
            cached: cached.into_inner(),
        })
    }
}
