//! Checking an `image` field: a picture is a file below `content/media/` with what is said
//! about it, `alt` (required: BITV) and `credit` (the Bildnachweis, required unless the
//! catalogue says otherwise); a gallery (`multiple: true`) is a list of them. The file's
//! contents are read later, once per file (`media`).

use super::*;
use crate::config::{IMAGE_EXTENSIONS, IMAGE_KEYS};
use crate::model::Picture;

/// How an image is written, for "expected:" lines and hints.
pub(super) const IMAGE_SHAPE: &str =
    "`{ src: media/bild.jpg, alt: Was das Bild zeigt, credit: \"Foto: Wer es gemacht hat\" }`";

pub(super) fn check_image(
    config: &Config,
    def: &FieldDef,
    value: &Yaml,
) -> Result<Option<FieldValue>, Vec<ValueProblem>> {
    let items: Vec<&Yaml> = match value {
        Yaml::Sequence(list) if def.multiple => list.iter().filter(|v| !v.is_null()).collect(),
        Yaml::Sequence(_) => {
            return Err(vec![(
                problem("wrong-kind", format!("`{}` holds one picture", def.key))
                    .found(describe(value))
                    .expected(IMAGE_SHAPE)
                    .hint("add `multiple: true` to the field in site.yaml for a gallery"),
                None,
            )])
        }
        v => vec![v],
    };
    let mut pictures = Vec::with_capacity(items.len());
    let mut problems = Vec::new();
    for item in items {
        match picture(config, def, item) {
            Ok(p) => pictures.push(p),
            Err(mut p) => problems.append(&mut p),
        }
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok((!pictures.is_empty()).then_some(FieldValue::Image(pictures)))
}

fn picture(config: &Config, def: &FieldDef, value: &Yaml) -> Result<Picture, Vec<ValueProblem>> {
    let key = &def.key;
    let Some(map) = value.as_mapping() else {
        let text = scalar_text(value);
        let d = match &text {
            Some(_) => problem(
                "image-without-alt",
                format!("`{key}` names a file but says nothing about the picture"),
            )
            .hint("every picture needs `alt` (what it shows) and `credit` (the Bildnachweis)"),
            None => problem("wrong-kind", format!("`{key}` expects a picture")),
        };
        return Err(vec![(d.found(describe(value)).expected(IMAGE_SHAPE), text)]);
    };
    let mut problems: Vec<ValueProblem> = Vec::new();
    let mut text = |k: &str| -> Option<String> {
        match map.get(k) {
            None | Some(Yaml::Null) => None,
            Some(v) => match scalar_text(v) {
                Some(t) => Some(t),
                None => {
                    problems.push((
                        problem("wrong-kind", format!("`{key}.{k}` must be text"))
                            .found(describe(v)),
                        None,
                    ));
                    None
                }
            },
        }
    };
    let src = text("src");
    let alt = text("alt");
    let credit = text("credit").filter(|c| !c.is_empty());
    let caption = text("caption").filter(|c| !c.is_empty());
    let licence = text("licence").filter(|c| !c.is_empty());
    let decorative = match map.get("decorative") {
        None | Some(Yaml::Null) => false,
        Some(Yaml::Bool(b)) => *b,
        Some(v) => {
            problems.push((
                problem(
                    "wrong-kind",
                    format!("`{key}.decorative` is `true` or `false`"),
                )
                .found(describe(v)),
                None,
            ));
            false
        }
    };
    for k in map.keys().filter_map(Yaml::as_str) {
        if !IMAGE_KEYS.iter().any(|i| i.key == k) {
            let names = IMAGE_KEYS.iter().map(|i| i.key);
            problems.push((
                problem("unknown-image-key", format!("`{key}` has no key `{k}`"))
                    .expected(format!("one of {}", list_preview(names, 8)))
                    .maybe_hint(
                        did_you_mean(k, IMAGE_KEYS.iter().map(|i| i.key))
                            .map(|m| format!("did you mean `{m}`?")),
                    ),
                Some(k.to_string()),
            ));
        }
    }
    match src.as_deref() {
        None => problems.push((
            problem("missing-image", format!("`{key}` has no `src`"))
                .expected(IMAGE_SHAPE)
                .hint("`src` names the file below content/, like `media/bild.jpg`"),
            None,
        )),
        Some(src) => {
            if let Some(p) = src_problem(config, src) {
                problems.push((p, Some(src.to_string())));
            }
        }
    }
    let alt = alt.unwrap_or_default();
    if alt.is_empty() && !decorative {
        problems.push((
            problem("missing-alt", format!("`{key}` has no alternative text"))
                .expected("`alt:` saying what the picture shows")
                .hint("a picture that adds nothing to the text says so: `alt: \"\"` and `decorative: true`"),
            src.clone(),
        ));
    }
    if decorative && !alt.is_empty() {
        problems.push((
            problem(
                "decorative-with-alt",
                format!("`{key}` is decorative but has an `alt`"),
            )
            .hint(
                "screen readers skip decorative pictures: remove `decorative: true` or empty `alt`",
            ),
            Some(alt.clone()),
        ));
    }
    if credit.is_none() && config.images.require_credit {
        problems.push((
            problem("missing-credit", format!("`{key}` has no credit"))
                .expected("`credit:` naming who made the picture (Bildnachweis)")
                .hint("set `images: { require_credit: false }` in site.yaml only if no picture needs one"),
            src.clone(),
        ));
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(Picture {
        src: src.unwrap_or_default(),
        alt,
        credit,
        caption,
        licence,
        decorative,
    })
}

/// Why `src` cannot be published as a picture, if it cannot.
fn src_problem(config: &Config, src: &str) -> Option<Diagnostic> {
    let clean = !src.contains("..")
        && !src.starts_with('/')
        && !src.contains('\\')
        && src.starts_with("media/");
    let path = config.content_dir.join(src);
    if !clean || !path.is_file() {
        return Some(
            problem("missing-image", format!("image `{src}` not found"))
                .expected("a file below content/media/, named like `media/bild.jpg`")
                .hint("put images into content/media/ and name them relative to content/"),
        );
    }
    let ext = src.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    if !ext.is_some_and(|e| IMAGE_EXTENSIONS.contains(&e.as_str())) {
        return Some(
            problem(
                "unsupported-image",
                format!("`{src}` is not a picture casebook can publish"),
            )
            .expected("a JPEG, PNG, WebP or GIF file (`.jpg`, `.png`, `.webp`, `.gif`)")
            .hint(
                "convert it, or link to it from the text as a download: `[Plan](@/media/plan.pdf)`",
            ),
        );
    }
    None
}
