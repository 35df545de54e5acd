//! The problems of the media: a picture that cannot be published is an error at the entry that
//! shows it; a picture over the size limit and a file nothing uses are warnings.

use super::*;

/// Unused files named one by one; the rest are counted in one line.
const MAX_UNUSED_SHOWN: usize = 10;

pub(super) fn check(
    media: &Media,
    config: &Config,
    entries: &[Arc<Entry>],
    linked: &HashSet<&str>,
    report: &mut Report,
) {
    let mut used: HashSet<&str> = linked.clone();
    let mut large: HashSet<&str> = HashSet::new();
    for entry in entries {
        for picture in pictures_of(entry) {
            used.insert(&picture.src);
            let Some(probe) = media.files.get(&picture.src) else {
                continue;
            };
            if probe.len > config.images.warn_bytes && large.insert(&picture.src) {
                report.push(
                    Diagnostic::warning(
                        "large-image",
                        format!("content/{}", picture.src),
                        format!(
                            "the picture has {:.1} MB, more than the {:.1} MB set",
                            probe.len as f64 / 1e6,
                            config.images.warn_bytes as f64 / 1e6
                        ),
                    )
                    .hint("casebook publishes smaller sizes, but the original is published too; save it smaller, or raise `images: { warn_bytes: … }`"),
                );
            }
            let Kind::Broken(why) = &probe.kind else {
                continue;
            };
            let (message, hint) = match why {
                ImageProblem::TooLarge(size) => (
                    match size {
                        Some((w, h)) => format!(
                            "picture `{}` is {w} × {h} pixels, too large to publish",
                            picture.src
                        ),
                        None => format!("picture `{}` is too large to publish", picture.src),
                    },
                    format!(
                        "casebook reads pictures of {}; scale it down",
                        limit_in_words()
                    ),
                ),
                ImageProblem::Unreadable(e) => (
                    format!("picture `{}` cannot be read: {e}", picture.src),
                    "save it again as JPEG, PNG or WebP".to_string(),
                ),
            };
            let code = match why {
                ImageProblem::TooLarge(_) => "image-too-large",
                ImageProblem::Unreadable(_) => "unreadable-image",
            };
            report.push(at_src(
                Diagnostic::error(code, format!("content/{}", entry.rel_path), message).hint(hint),
                config,
                entry,
                &picture.src,
            ));
        }
    }
    let unused: Vec<&String> = media
        .files
        .keys()
        .filter(|rel| !used.contains(rel.as_str()))
        .collect();
    for rel in unused.iter().take(MAX_UNUSED_SHOWN) {
        report.push(
            Diagnostic::warning(
                "unused-media",
                format!("content/{rel}"),
                "nothing in the catalogue uses this file; it is published all the same",
            )
            .hint(format!(
                "show it with an image field (`src: {rel}`) or link to it from a text (`[…](@/{rel})`), or delete it"
            )),
        );
    }
    if unused.len() > MAX_UNUSED_SHOWN {
        report.push(Diagnostic::warning(
            "unused-media",
            "content/media",
            format!(
                "{} more files below content/media/ that nothing uses",
                unused.len() - MAX_UNUSED_SHOWN
            ),
        ));
    }
}

/// The diagnostic placed at the line of the entry's file that names `src`.
fn at_src(d: Diagnostic, config: &Config, entry: &Entry, src: &str) -> Diagnostic {
    let Ok(text) = std::fs::read_to_string(config.content_dir.join(&entry.rel_path)) else {
        return d;
    };
    let found = text.lines().enumerate().find_map(|(i, line)| {
        let col = line.find(src)?;
        Some((i + 1, line[..col].chars().count() + 1))
    });
    match found {
        Some((line, col)) => d.at(&text, line, col, src.chars().count()),
        None => d,
    }
}
