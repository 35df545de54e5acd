//! Loading: walking `content/`, reading each entry and free page, splitting front matter and
//! parsing YAML while keeping the positions of keys. Judging the values is `check`'s job.

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Report};
use crate::source::{self, yaml, KeyLines};
use crate::urls::slugify;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

mod dates;
pub use dates::Dates;

/// What a document is: an entry of a type (by index into `Config::types`), a free page or a
/// collection of entries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocKind {
    Entry(usize),
    Page,
    Collection,
}

/// One file of the catalogue as read from disk, not yet validated.
#[derive(Debug, Clone)]
pub struct Document {
    pub kind: DocKind,
    /// Path below `content/`, with `/` separators (`formate/living-lab.md`).
    pub rel_path: String,
    /// Path as shown in diagnostics (`content/formate/living-lab.md`).
    pub shown: PathBuf,
    pub slug: String,
    /// The decoded file text, kept for code frames in diagnostics.
    pub text: String,
    pub fields: yaml::Mapping,
    pub keys: KeyLines,
    pub body: String,
    pub body_line: usize,
    pub modified: Option<SystemTime>,
    /// The language of a translation (`<slug>.<language>.md`); `None` for an original.
    pub language: Option<String>,
}

/// A file found in `content/` that should become a document.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub kind: DocKind,
    pub path: PathBuf,
}

impl Candidate {
    /// Path below `content/`, with `/` separators (`formate/living-lab.md`).
    pub fn rel_path(&self, config: &Config) -> String {
        rel_path(config, &self.path)
    }

    /// The address the file name gives the document; empty if it gives none (reading the
    /// file then fails with the reason).
    pub fn slug(&self) -> String {
        self.path
            .file_stem()
            .and_then(|s| s.to_str())
            .map(slugify)
            .unwrap_or_default()
    }
}

/// The language a file name marks as a translation: `x.en.md` (an entry, free page or
/// collection) in a site whose languages include `en` besides the default. A one-language site
/// has no translations, so such a name stays a document of its own there.
pub fn translation_language<'c>(config: &'c Config, path: &Path) -> Option<&'c str> {
    let stem = path.file_stem()?.to_str()?;
    let (_, suffix) = stem.rsplit_once('.')?;
    config.languages[1..]
        .iter()
        .find(|l| **l == suffix)
        .map(String::as_str)
}

/// A path below `content/`, with `/` separators (`formate/living-lab.md`).
pub fn rel_path(config: &Config, path: &Path) -> String {
    path.strip_prefix(&config.content_dir)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

/// Whether `dir`, a folder in `content/` (whose canonical path is `canonical_content`), leads
/// outside it through a symbolic link. `check` and `build` refuse to read such a folder and
/// `new` to write into it.
pub fn links_outside(canonical_content: &Path, dir: &Path) -> bool {
    dir.canonicalize()
        .is_ok_and(|d| !d.starts_with(canonical_content))
}

/// Files editors leave behind while saving; never content, never worth a warning.
pub fn is_editor_artifact(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".tmp")
        || name.contains("___jb_")
        || (name.starts_with('#') && name.ends_with('#'))
}

/// The files below `content/media/` as content paths (`media/plan.pdf`), sorted: what the site
/// publishes as it is. Editors' leftovers are skipped; a file that links outside the catalogue
/// is refused like an entry that does.
pub fn media_files(config: &Config, report: &mut Report) -> Vec<String> {
    let content = &config.content_dir;
    let dir = content.join(crate::urls::MEDIA_FOLDER);
    if !dir.is_dir() {
        return Vec::new();
    }
    let canonical_root = content.canonicalize().unwrap_or_else(|_| content.clone());
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(&dir).sort_by_file_name().into_iter();
    for entry in walk
        .filter_entry(|e| e.depth() == 0 || !is_editor_artifact(&e.file_name().to_string_lossy()))
    {
        let Ok(entry) = entry else { continue };
        let kind = entry.file_type();
        let path = entry.path();
        if kind.is_symlink() {
            if let Some(target) = crate::source::escapes(path, &canonical_root) {
                report.push(crate::source::symlink_outside(
                    shown_path(config, path),
                    &target,
                ));
                continue;
            }
            if !path.is_file() {
                continue;
            }
        } else if !kind.is_file() {
            continue;
        }
        let Some(rel) = path.strip_prefix(content).ok().and_then(Path::to_str) else {
            continue;
        };
        files.push(rel.replace('\\', "/"));
    }
    files
}

/// Finds every entry and page file; reports stray files and folders.
pub fn discover(config: &Config, report: &mut Report) -> Vec<Candidate> {
    let content = &config.content_dir;
    let canonical_root = content.canonicalize().unwrap_or_else(|_| content.clone());
    let mut found = Vec::new();
    let mut folders: Vec<(DocKind, String)> = config
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| (DocKind::Entry(i), t.folder.clone()))
        .collect();
    folders.push((DocKind::Page, "pages".to_string()));
    if let Some(c) = &config.collections {
        folders.push((DocKind::Collection, c.folder.clone()));
    }

    if let Ok(read_dir) = std::fs::read_dir(content) {
        let mut names: Vec<String> = read_dir
            .flatten()
            .filter(|e| e.path().is_dir())
            .filter_map(|e| e.file_name().to_str().map(str::to_string))
            .collect();
        names.sort();
        for name in names {
            let known = folders.iter().any(|(_, f)| *f == name)
                || ["vocabularies", "media"].contains(&name.as_str())
                || name.starts_with('.');
            if !known {
                report.push(
                    Diagnostic::warning(
                        "unknown-folder",
                        format!("content/{name}"),
                        format!("folder `{name}` is not a type folder and is ignored"),
                    )
                    .expected(format!(
                        "one of {}",
                        folders
                            .iter()
                            .map(|(_, f)| format!("`{f}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ))
                    .hint("add a type with this folder to site.yaml, or move the files"),
                );
            }
        }
    }

    for (kind, folder) in folders {
        let dir = content.join(&folder);
        if !dir.is_dir() {
            continue;
        }
        if links_outside(&canonical_root, &dir) {
            report.push(
                Diagnostic::error(
                    "symlink-outside",
                    shown_path(config, &dir),
                    format!("folder `{folder}` links outside the catalogue"),
                )
                .hint("copy the files into content/ instead of linking to another folder"),
            );
            continue;
        }
        let mut items: Vec<_> = walkdir::WalkDir::new(&dir)
            .follow_links(true)
            .min_depth(1)
            .max_depth(1)
            .into_iter()
            .collect();
        // In file-name order. walkdir's own sorting takes both paths apart again for every
        // comparison, on one thread (8.5 M instructions at 1,000 entries, growing as n log n);
        // one key per file is enough.
        items.sort_by_cached_key(|item| {
            let path = match item {
                Ok(i) => Some(i.path()),
                Err(e) => e.path(),
            };
            path.and_then(Path::file_name).map(ToOwned::to_owned)
        });
        for item in items {
            let item = match item {
                Ok(i) => i,
                Err(e) => {
                    let path = e
                        .path()
                        .map(Path::to_path_buf)
                        .unwrap_or_else(|| dir.clone());
                    let shown = shown_path(config, &path);
                    let msg = if e.loop_ancestor().is_some() {
                        "symbolic link loop".to_string()
                    } else {
                        format!("cannot read: {e}")
                    };
                    report.push(
                        Diagnostic::error("unreadable", shown, msg)
                            .hint("remove the broken or looping link"),
                    );
                    continue;
                }
            };
            let path = item.path().to_path_buf();
            let name = item.file_name().to_string_lossy().to_string();
            if is_editor_artifact(&name) {
                continue;
            }
            let shown = shown_path(config, &path);
            if item.path_is_symlink() {
                match path.canonicalize() {
                    Ok(target) if target.starts_with(&canonical_root) => {}
                    Ok(target) => {
                        report.push(
                            Diagnostic::error(
                                "symlink-outside",
                                &shown,
                                "symbolic link points outside the catalogue",
                            )
                            .found(target.display().to_string())
                            .hint("copy the file into content/ instead of linking to it"),
                        );
                        continue;
                    }
                    Err(e) => {
                        report.push(Diagnostic::error(
                            "unreadable",
                            &shown,
                            format!("broken symbolic link: {e}"),
                        ));
                        continue;
                    }
                }
            }
            if item.file_type().is_dir() {
                report.push(
                    Diagnostic::warning(
                        "nested-folder",
                        &shown,
                        "sub-folders of a type folder are ignored",
                    )
                    .hint("keep one file per entry directly in the type folder"),
                );
                continue;
            }
            if !item.file_type().is_file() {
                report.push(
                    Diagnostic::error(
                        "unreadable",
                        &shown,
                        "not a regular file (a pipe, socket or device)",
                    )
                    .hint("only Markdown (.md) and YAML (.yaml) files belong in a type folder"),
                );
                continue;
            }
            let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("");
            let allowed = match kind {
                DocKind::Entry(_) => matches!(ext, "md" | "yaml" | "yml"),
                DocKind::Page | DocKind::Collection => ext == "md",
            };
            if !allowed {
                report.push(
                    Diagnostic::warning(
                        "ignored-file",
                        &shown,
                        format!("file `{name}` is ignored"),
                    )
                    .expected(if !matches!(kind, DocKind::Entry(_)) {
                        "a `.md` file"
                    } else {
                        "a `.md` or `.yaml` file"
                    })
                    .hint("media belong in content/media/"),
                );
                continue;
            }
            found.push(Candidate { kind, path });
        }
    }
    found
}

/// The path of a file as shown to users: relative to the catalogue root.
pub fn shown_path(config: &Config, path: &Path) -> PathBuf {
    crate::diagnostic::display_path(&config.root, path)
}

/// Reads and parses one file.
pub fn load_document(config: &Config, candidate: &Candidate) -> Result<Document, Box<Diagnostic>> {
    let (shown, slug) = names(config, candidate)?;
    let (text, modified) = source::read_with_time(&candidate.path, &shown)?;
    parse_document(config, candidate, slug, text, modified)
}

/// Parses the text of one document that is not (or not as is) on disk: an editor's unsaved
/// buffer (`casebook lsp`). The text is decoded as a file's bytes would be.
pub fn document_from_text(
    config: &Config,
    candidate: &Candidate,
    text: &str,
) -> Result<Document, Box<Diagnostic>> {
    let (shown, slug) = names(config, candidate)?;
    let text = source::decode_buffer(text, &shown)?;
    parse_document(config, candidate, slug, text, None)
}

/// The path a document is shown with and the slug its file name gives.
fn names(config: &Config, candidate: &Candidate) -> Result<(PathBuf, String), Box<Diagnostic>> {
    let path = &candidate.path;
    let shown = shown_path(config, path);
    let stem = path.file_stem().and_then(|s| s.to_str()).ok_or_else(|| {
        Box::new(
            Diagnostic::error("bad-file-name", &shown, "file name is not valid UTF-8")
                .hint("rename the file using letters, digits and `-`"),
        )
    })?;
    // A translation has the address of its original: `x.en.md` translates `x.md`.
    let stem = match translation_language(config, path) {
        Some(language) => &stem[..stem.len() - language.len() - 1],
        None => stem,
    };
    let slug = slugify(stem);
    if slug.is_empty() {
        return Err(Box::new(
            Diagnostic::error(
                "bad-file-name",
                &shown,
                format!("cannot make a page address from the file name `{stem}`"),
            )
            .hint("use letters and digits in the file name, e.g. `stadtteilbuero-nord.md`"),
        ));
    }
    Ok((shown, slug))
}

fn parse_document(
    config: &Config,
    candidate: &Candidate,
    slug: String,
    text: String,
    modified: Option<SystemTime>,
) -> Result<Document, Box<Diagnostic>> {
    let path = &candidate.path;
    let shown = shown_path(config, path);
    let rel_path = candidate.rel_path(config);
    let is_yaml = matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    );
    let (yaml, yaml_line, body, body_line) = if is_yaml {
        (text.as_str(), 1, String::new(), 1)
    } else {
        let split = source::split_front_matter(&text, &shown)?;
        (
            split.front_matter,
            split.front_matter_line,
            split.body.to_string(),
            split.body_line,
        )
    };
    let value = source::parse_yaml(yaml, &text, yaml_line, &shown)?;
    let mut fields = match value {
        yaml::Value::Mapping(m) => m,
        yaml::Value::Null => yaml::Mapping::new(),
        other => {
            return Err(Box::new(
                Diagnostic::error(
                    "not-a-mapping",
                    &shown,
                    "the fields must be `name: value` pairs",
                )
                .at(&text, yaml_line, 1, 1)
                .found(source::describe(&other))
                .hint("write one field per line, like `titel: Stadtteilbüro Nord`"),
            ))
        }
    };
    let mut body = body;
    let mut body_line = body_line;
    let keys = KeyLines::scan(yaml, yaml_line);
    if is_yaml {
        if let Some(b) = fields.remove("body") {
            body_line = keys.get("body").map(|(l, _)| l + 1).unwrap_or(1);
            body = match b {
                yaml::Value::String(s) => s,
                yaml::Value::Null => String::new(),
                other => {
                    return Err(Box::new(
                        Diagnostic::error("wrong-kind", &shown, "`body` must be Markdown text")
                            .found(source::describe(&other))
                            .hint("write `body: |` and the text indented below it"),
                    ))
                }
            };
        }
    }
    Ok(Document {
        kind: candidate.kind,
        rel_path,
        shown,
        slug,
        text,
        fields,
        keys,
        body,
        body_line,
        modified,
        language: translation_language(config, path).map(str::to_string),
    })
}

/// Names Windows cannot use for files; a site built from them cannot be copied there.
pub fn is_windows_reserved(slug: &str) -> bool {
    let base = slug.split('.').next().unwrap_or(slug);
    matches!(base, "con" | "prn" | "aux" | "nul")
        || ((base.starts_with("com") || base.starts_with("lpt"))
            && base.len() == 4
            && base.as_bytes()[3].is_ascii_digit())
}

/// A file to date: its content path, its modification time, and the date it gives itself
/// (`roles: updated:`), which wins.
pub type Dated<'a> = (&'a str, Option<SystemTime>, Option<&'a str>);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_transliterate_german_and_fold_case() {
        assert_eq!(slugify("Stadtteilbüro Nord"), "stadtteilbuero-nord");
        assert_eq!(slugify("Straße"), "strasse");
        assert_eq!(slugify("STRASSE"), "strasse");
        assert_eq!(slugify("..%2F..%2Fetc"), "2f-2fetc");
        assert_eq!(slugify("🏠"), "house");
        assert_eq!(slugify("---"), "");
        assert!(slugify(&"a".repeat(300)).len() <= 100);
    }

    #[test]
    fn editor_artifacts() {
        for n in [
            ".#x.md",
            "x.md~",
            ".x.md.swp",
            "#x.md#",
            "x.md___jb_tmp___",
            "4913",
        ] {
            assert_eq!(is_editor_artifact(n), n != "4913", "{n}");
        }
    }

    #[test]
    fn windows_reserved_names() {
        assert!(is_windows_reserved("con"));
        assert!(is_windows_reserved("com1"));
        assert!(!is_windows_reserved("community"));
    }
}
