//! The files below `content/media/`: published as they are, and the pictures that entries show
//! made in a few widths, in WebP and in their own format, for `<picture>` and `srcset`.
//!
//! Each file is read once per change: its bytes are hashed and, for a picture, its header read
//! (format, size, EXIF orientation). A picture is decoded only when one of its sizes has to be
//! made, and refused before that if it is larger than [`MAX_IMAGE_PIXELS`]: a decompression
//! bomb is a diagnostic, not an out-of-memory. What a file held is remembered by its length
//! and time ([`Media::memo`]), so a rebuild with nothing changed reads no picture.

use crate::config::{Config, ImageSettings, IMAGE_EXTENSIONS, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE};
use crate::diagnostic::{Diagnostic, Report};
use crate::model::{Entry, FieldValue, Picture};
use crate::urls;
use rayon::prelude::*;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::Path;
use std::sync::Arc;

mod check;
mod encode;
mod publish;

pub use encode::decode_limits;
pub use publish::{PublishError, Published};

/// Changes when the made sizes of an unchanged picture would change (another encoder, other
/// filters), so that names and caches made before are not taken for current.
const VARIANT_VERSION: u32 = 1;

/// The picture formats casebook reads and writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    Jpeg,
    Png,
    Webp,
    Gif,
}

impl Format {
    fn of(format: image::ImageFormat) -> Option<Format> {
        match format {
            image::ImageFormat::Jpeg => Some(Format::Jpeg),
            image::ImageFormat::Png => Some(Format::Png),
            image::ImageFormat::WebP => Some(Format::Webp),
            image::ImageFormat::Gif => Some(Format::Gif),
            _ => None,
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Jpeg => "jpg",
            Format::Png => "png",
            Format::Webp => "webp",
            Format::Gif => "gif",
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Format::Jpeg => "image/jpeg",
            Format::Png => "image/png",
            Format::Webp => "image/webp",
            Format::Gif => "image/gif",
        }
    }

    fn parse(s: &str) -> Option<Format> {
        [Format::Jpeg, Format::Png, Format::Webp, Format::Gif]
            .into_iter()
            .find(|f| f.extension() == s)
    }
}

/// What a picture's header says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ImageInfo {
    pub format: Format,
    /// The size as the picture is shown, after its EXIF orientation.
    pub width: u32,
    pub height: u32,
    pub alpha: bool,
}

/// Why a file cannot be published as a picture.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ImageProblem {
    /// Larger than [`MAX_IMAGE_PIXELS`] or [`MAX_IMAGE_SIDE`]; the size, where the header gave it.
    TooLarge(Option<(u32, u32)>),
    Unreadable(String),
}

/// What a file below `content/media/` holds.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Kind {
    /// Not named like a picture (a PDF, say): published as it is.
    Other,
    Picture(ImageInfo),
    Broken(ImageProblem),
}

/// One file below `content/media/`, as far as it was read.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Probe {
    pub len: u64,
    /// Modification time in nanoseconds since 1970; 0 if unknown.
    pub modified: u128,
    /// A hash of the bytes.
    pub hash: u64,
    pub kind: Kind,
}

/// What earlier runs found, by content path: taken over while length and time stay the same.
pub type Memo = HashMap<String, Probe>;

/// Whether a file is named like a picture.
pub fn is_picture_name(rel: &str) -> bool {
    rel.rsplit_once('.')
        .is_some_and(|(_, e)| IMAGE_EXTENSIONS.contains(&e.to_ascii_lowercase().as_str()))
}

/// Reads one file: its hash and, for a picture, its header. `memo` is what an earlier run found
/// for this path; it holds if the length and time are the same (as for `make` and `rsync`).
pub fn probe(path: &Path, rel: &str, memo: Option<&Probe>) -> std::io::Result<Probe> {
    let meta = std::fs::metadata(path)?;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos());
    if let Some(m) = memo {
        if m.len == meta.len() && m.modified == modified && modified != 0 {
            return Ok(m.clone());
        }
    }
    let bytes = std::fs::read(path)?;
    let kind = if is_picture_name(rel) {
        match encode::inspect(&bytes) {
            Ok(info) => Kind::Picture(info),
            Err(problem) => Kind::Broken(problem),
        }
    } else {
        Kind::Other
    };
    Ok(Probe {
        len: bytes.len() as u64,
        modified,
        hash: hash_bytes(&bytes),
        kind,
    })
}

fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = crate::fingerprinter();
    h.write(bytes);
    h.finish()
}

/// One size of a picture in one format.
#[derive(Debug, Clone, PartialEq)]
pub struct Variant {
    /// The output path (`media/markt-960.1a2b3c4d5e.webp`), also its address.
    pub path: String,
    pub width: u32,
    pub height: u32,
    pub format: Format,
    /// A hash of what it is made from: the picture's bytes, the size, the format, the quality.
    pub fingerprint: u64,
}

impl Variant {
    /// Its name in the cache between runs.
    pub fn cache_name(&self) -> String {
        format!("{:016x}.{}", self.fingerprint, self.format.extension())
    }
}

/// The sizes made of one picture: WebP, and the same sizes in a format every browser shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Rendition {
    /// The size of the largest variant, for `width` and `height` (no layout shift).
    pub width: u32,
    pub height: u32,
    pub webp: Vec<Variant>,
    pub fallback: Vec<Variant>,
}

/// The media files of a catalogue with what they hold.
#[derive(Debug, Clone, Default)]
pub struct Media {
    /// Every file below `content/media/` by content path (`media/markt.jpg`).
    pub files: BTreeMap<String, Probe>,
    settings: ImageSettings,
}

impl Media {
    /// Reads the files `files` (content paths) in parallel, taking over what `memo` holds for
    /// unchanged ones. A file that cannot be read is left out, as if it were not there.
    pub fn read(config: &Config, files: &[String], memo: &Memo) -> Media {
        let files = files
            .par_iter()
            .filter_map(|rel| {
                let probe = probe(&config.content_dir.join(rel), rel, memo.get(rel)).ok()?;
                Some((rel.clone(), probe))
            })
            .collect();
        Media {
            files,
            settings: config.images.clone(),
        }
    }

    /// What the files held, to be taken over by the next run ([`Media::parse_memo`]).
    pub fn memo(&self) -> String {
        let mut out = String::new();
        for (rel, p) in &self.files {
            let kind = match &p.kind {
                Kind::Other => "-".to_string(),
                Kind::Picture(i) => format!(
                    "{} {} {} {}",
                    i.format.extension(),
                    i.width,
                    i.height,
                    u8::from(i.alpha)
                ),
                // A broken picture is read again each time: its problem is shown each time.
                Kind::Broken(_) => continue,
            };
            out.push_str(&format!(
                "{} {} {:016x} {kind}\t{rel}\n",
                p.len, p.modified, p.hash
            ));
        }
        out
    }

    /// Reads a memo written by [`Media::memo`]; lines that do not parse are skipped.
    pub fn parse_memo(text: &str) -> Memo {
        let line = |l: &str| -> Option<(String, Probe)> {
            let (fields, rel) = l.split_once('\t')?;
            let mut f = fields.split(' ');
            let len = f.next()?.parse().ok()?;
            let modified = f.next()?.parse().ok()?;
            let hash = u64::from_str_radix(f.next()?, 16).ok()?;
            let kind = match f.next()? {
                "-" => Kind::Other,
                format => Kind::Picture(ImageInfo {
                    format: Format::parse(format)?,
                    width: f.next()?.parse().ok()?,
                    height: f.next()?.parse().ok()?,
                    alpha: f.next()? == "1",
                }),
            };
            let probe = Probe {
                len,
                modified,
                hash,
                kind,
            };
            Some((rel.to_string(), probe))
        };
        text.lines().filter_map(line).collect()
    }

    /// The sizes made of the picture `src`, if it is a readable picture.
    pub fn rendition(&self, src: &str) -> Option<Rendition> {
        let probe = self.files.get(src)?;
        let Kind::Picture(info) = probe.kind else {
            return None;
        };
        let fallback = match info.format {
            Format::Jpeg => Format::Jpeg,
            Format::Webp if !info.alpha => Format::Jpeg,
            _ => Format::Png,
        };
        let widths = widths(&self.settings.widths, info.width);
        let variants = |format: Format| -> Vec<Variant> {
            widths
                .iter()
                .map(|&width| {
                    let mut h = crate::fingerprinter();
                    (
                        probe.hash,
                        width,
                        format,
                        self.settings.quality,
                        VARIANT_VERSION,
                    )
                        .hash(&mut h);
                    let fingerprint = h.finish();
                    let height = scaled(info.height, width, info.width);
                    Variant {
                        path: urls::picture_variant(src, width, fingerprint, format.extension()),
                        width,
                        height,
                        format,
                        fingerprint,
                    }
                })
                .collect()
        };
        let webp = variants(Format::Webp);
        let largest = webp.last()?;
        Some(Rendition {
            width: largest.width,
            height: largest.height,
            fallback: variants(fallback),
            webp,
        })
    }

    /// A hash of what the pictures of `entry` are (their files' bytes), for its card's and its
    /// page's fingerprint: a picture saved anew under the same name changes the page.
    pub fn pictures_hash(&self, entry: &Entry) -> u64 {
        let mut h = crate::fingerprinter();
        let mut any = false;
        for picture in pictures_of(entry) {
            any = true;
            self.files.get(&picture.src).map(|p| p.hash).hash(&mut h);
        }
        if any {
            h.finish()
        } else {
            0
        }
    }

    /// The hash of the file at `rel`, if it is there.
    pub fn hash_of(&self, rel: &str) -> Option<u64> {
        self.files.get(rel).map(|p| p.hash)
    }

    /// Every made size of every picture the entries show, each once.
    pub fn variants(&self, entries: &[Arc<Entry>]) -> Vec<(String, Variant)> {
        let used: HashSet<&str> = entries
            .iter()
            .flat_map(|e| pictures_of(e))
            .map(|p| p.src.as_str())
            .collect();
        let mut out: Vec<(String, Variant)> = used
            .into_iter()
            .filter_map(|src| Some((src, self.rendition(src)?)))
            .flat_map(|(src, r)| {
                r.webp
                    .into_iter()
                    .chain(r.fallback)
                    .map(move |v| (src.to_string(), v))
            })
            .collect();
        out.sort_by(|a, b| a.1.path.cmp(&b.1.path));
        out.dedup_by(|a, b| a.1.path == b.1.path);
        out
    }

    /// Reports the problems of the media: pictures that cannot be published (errors, at the
    /// entry that shows them), pictures over the size limit and files nothing uses (warnings).
    /// `linked` holds the content paths the texts link to.
    pub fn check(
        &self,
        config: &Config,
        entries: &[Arc<Entry>],
        linked: &HashSet<&str>,
        report: &mut Report,
    ) {
        check::check(self, config, entries, linked, report)
    }
}

/// The picture an entry leads with: the first of the field with the `image` role, or else the
/// first of its first image field. Cards and the map show it.
pub fn lead_picture<'a>(config: &Config, entry: &'a Entry) -> Option<&'a Picture> {
    let role = config.roles.image.as_deref().and_then(|f| entry.field(f));
    match role {
        Some(FieldValue::Image(pictures)) => pictures.first(),
        _ => pictures_of(entry).next(),
    }
}

/// The pictures of an entry's `image` fields, in field order.
pub fn pictures_of(entry: &Entry) -> impl Iterator<Item = &Picture> {
    entry.fields.iter().flat_map(|(_, v)| match v {
        FieldValue::Image(pictures) => pictures.as_slice(),
        _ => &[],
    })
}

/// The widths made of a picture `width` pixels wide: the configured ones it is wider than, and
/// its own width in place of the larger ones (a picture is never enlarged).
fn widths(configured: &[u32], width: u32) -> Vec<u32> {
    let mut out: Vec<u32> = configured.iter().copied().filter(|&w| w < width).collect();
    if configured.iter().any(|&w| w >= width) {
        out.push(width);
    }
    out.sort_unstable();
    out.dedup();
    out
}

/// `side` scaled by `to / from`, rounded, at least 1.
fn scaled(side: u32, to: u32, from: u32) -> u32 {
    ((u64::from(side) * u64::from(to) + u64::from(from) / 2) / u64::from(from)).max(1) as u32
}

/// The size limit in words, for diagnostics.
fn limit_in_words() -> String {
    format!(
        "at most {} megapixels and {MAX_IMAGE_SIDE} pixels a side",
        MAX_IMAGE_PIXELS / 1_000_000
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_never_enlarge() {
        assert_eq!(widths(&[480, 960, 1600], 4000), [480, 960, 1600]);
        assert_eq!(widths(&[480, 960, 1600], 1000), [480, 960, 1000]);
        assert_eq!(widths(&[480, 960, 1600], 960), [480, 960]);
        assert_eq!(widths(&[480, 960, 1600], 1), [1]);
        assert_eq!(scaled(3000, 480, 4000), 360);
        assert_eq!(scaled(1, 480, 4000), 1);
    }

    #[test]
    fn the_memo_reads_what_it_wrote() {
        let mut media = Media::default();
        let picture = ImageInfo {
            format: Format::Webp,
            width: 640,
            height: 480,
            alpha: true,
        };
        for (rel, kind) in [
            ("media/a b.webp", Kind::Picture(picture)),
            ("media/plan.pdf", Kind::Other),
        ] {
            let probe = Probe {
                len: 12,
                modified: 1_700_000_000_123_456_789,
                hash: 0xfeed,
                kind,
            };
            media.files.insert(rel.into(), probe);
        }
        let memo = Media::parse_memo(&media.memo());
        assert_eq!(memo.len(), 2);
        for (rel, probe) in &media.files {
            assert_eq!(memo.get(rel), Some(probe));
        }
    }
}
