//! Pictures in the schema: the sub-keys of an `image` field and the `images:` settings of
//! site.yaml (the widths casebook makes of each picture, the quality, whether a credit is
//! required). The language server and the JSON Schema read [`IMAGE_KEYS`] from here.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// One sub-key of an `image` field's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ImageKey {
    pub key: &'static str,
    /// Required in every image (`credit` only while `images.require_credit` holds, the default).
    pub required: bool,
    /// `text` or `bool`.
    pub kind: &'static str,
    pub description: &'static str,
}

/// The sub-keys of an `image` field, in the order `casebook new` writes them.
pub const IMAGE_KEYS: &[ImageKey] = &[
    ImageKey {
        key: "src",
        required: true,
        kind: "text",
        description: "the file below content/, like `media/markt.jpg` (JPEG, PNG, WebP or GIF)",
    },
    ImageKey {
        key: "alt",
        required: true,
        kind: "text",
        description: "what the picture shows, for those who cannot see it (BITV); empty only with `decorative: true`",
    },
    ImageKey {
        key: "credit",
        required: true,
        kind: "text",
        description: "the Bildnachweis: who made the picture (`Foto: Stadt Göttingen`)",
    },
    ImageKey {
        key: "caption",
        required: false,
        kind: "text",
        description: "a caption shown below the picture",
    },
    ImageKey {
        key: "licence",
        required: false,
        kind: "text",
        description: "the licence, like `CC BY 4.0`",
    },
    ImageKey {
        key: "decorative",
        required: false,
        kind: "bool",
        description: "`true` for a picture that adds nothing to the text; then `alt` is empty",
    },
];

/// Pictures larger than this many pixels are refused before they are decoded: a 12,000 ×
/// 12,000 picture takes 576 MB to decode, a decompression bomb a few kilobytes of file.
pub const MAX_IMAGE_PIXELS: u64 = 50_000_000;
/// The longest side a picture may have.
pub const MAX_IMAGE_SIDE: u32 = 16_384;
/// The extensions casebook reads as pictures.
pub const IMAGE_EXTENSIONS: &[&str] = &["jpg", "jpeg", "png", "webp", "gif"];

/// `images:` in site.yaml.
#[derive(Debug, Clone, PartialEq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ImageSettings {
    /// The widths (in pixels) casebook makes of every picture, as far as it is wide enough.
    #[serde(default = "default_widths")]
    pub widths: Vec<u32>,
    /// The quality of the JPEG and WebP variants, 1–100.
    #[serde(default = "default_quality")]
    pub quality: u8,
    /// Whether every picture needs a `credit`.
    #[serde(default = "yes")]
    pub require_credit: bool,
    /// Files larger than this many bytes get a warning.
    #[serde(default = "default_warn_bytes")]
    pub warn_bytes: u64,
}

impl Default for ImageSettings {
    fn default() -> ImageSettings {
        ImageSettings {
            widths: default_widths(),
            quality: default_quality(),
            require_credit: true,
            warn_bytes: default_warn_bytes(),
        }
    }
}

impl ImageSettings {
    /// What is wrong with the settings, in words.
    pub fn problem(&self) -> Option<String> {
        if self.widths.is_empty() || self.widths.len() > 8 {
            return Some("`images.widths` needs one to eight widths".into());
        }
        if let Some(w) = self.widths.iter().find(|w| !(16..=8192).contains(*w)) {
            return Some(format!("the width {w} is not between 16 and 8192 pixels"));
        }
        if !(1..=100).contains(&self.quality) {
            return Some(format!(
                "the quality {} is not between 1 and 100",
                self.quality
            ));
        }
        None
    }
}

fn default_widths() -> Vec<u32> {
    vec![480, 960, 1600]
}

fn default_quality() -> u8 {
    80
}

fn default_warn_bytes() -> u64 {
    10_000_000
}

fn yes() -> bool {
    true
}
