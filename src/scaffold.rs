//! Creating files for editors: `casebook new` (one entry, pre-filled from the schema) and
//! `casebook init` (a new catalogue that checks without a warning). Never overwrites anything.

use crate::config::{Config, FieldKind, IMAGE_KEYS};
use crate::load::links_outside;
use crate::urls::slugify;
use std::fs::OpenOptions;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ScaffoldError {
    #[error("unknown type `{0}`; the catalogue has: {1}")]
    UnknownType(String, String),
    #[error("cannot make a file name from the title `{0}`; use letters or digits")]
    EmptySlug(String),
    #[error("{0} already exists; casebook never overwrites an entry (choose another title)")]
    Exists(PathBuf),
    #[error("{0} is not empty; `init` only creates new catalogues")]
    NotEmpty(PathBuf),
    #[error("{0} links outside the catalogue; casebook writes only inside content/ (copy the files into content/ instead of linking)")]
    LinksOutside(PathBuf),
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// Creates `content/<folder>/<slug>.md` for a new entry and returns its path.
pub fn new_entry(config: &Config, type_key: &str, title: &str) -> Result<PathBuf, ScaffoldError> {
    let ty = config
        .types
        .iter()
        .find(|t| {
            t.key == type_key || t.folder == type_key || t.label.eq_ignore_ascii_case(type_key)
        })
        .ok_or_else(|| {
            ScaffoldError::UnknownType(
                type_key.into(),
                config
                    .types
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            )
        })?;
    let slug = slugify(title);
    if slug.is_empty() {
        return Err(ScaffoldError::EmptySlug(title.into()));
    }
    let dir = config.content_dir.join(&ty.folder);
    // As `check` and `build`, which would refuse the entry there. A missing folder is made
    // below; `create_dir_all` does not make one at the end of a dangling link.
    let content = config
        .content_dir
        .canonicalize()
        .map_err(|e| ScaffoldError::Io(config.content_dir.clone(), e))?;
    if links_outside(&content, &dir) {
        return Err(ScaffoldError::LinksOutside(dir));
    }
    std::fs::create_dir_all(&dir).map_err(|e| ScaffoldError::Io(dir.clone(), e))?;
    for ext in ["md", "yaml", "yml"] {
        let p = dir.join(format!("{slug}.{ext}"));
        if p.exists() {
            return Err(ScaffoldError::Exists(p));
        }
    }
    let path = dir.join(format!("{slug}.md"));
    let text = entry_template(config, ty, title);
    create_new(&path, &text)?;
    Ok(path)
}

/// Writes a file only if it does not exist yet (atomically: no race with another writer).
fn create_new(path: &Path, text: &str) -> Result<(), ScaffoldError> {
    let mut f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                ScaffoldError::Exists(path.to_path_buf())
            } else {
                ScaffoldError::Io(path.to_path_buf(), e)
            }
        })?;
    f.write_all(text.as_bytes())
        .map_err(|e| ScaffoldError::Io(path.to_path_buf(), e))
}

/// A YAML string literal that is always valid (double-quoted, escaped).
fn yaml_string(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| "\"\"".into())
}

/// The text of a new entry: every field of the type, required ones first, each with a comment
/// saying what it takes; optional fields are commented out so the file checks cleanly as is.
fn entry_template(config: &Config, ty: &crate::config::EntryType, title: &str) -> String {
    let mut out = String::from("---\n");
    for key in &ty.fields {
        let def = &config.fields[key];
        let mut comment = format!(
            "{}{}",
            def.label,
            if def.required { " (Pflicht)" } else { "" }
        );
        if let Some(d) = &def.description {
            comment.push_str(&format!(": {d}"));
        }
        let allowed = match def.kind {
            FieldKind::Facet => config.facet_vocabulary(key).map(|v| {
                let keys: Vec<&str> = v.terms.iter().map(|t| t.key.as_str()).collect();
                format!("erlaubt: {}", keys.join(", "))
            }),
            FieldKind::Reference => Some(format!(
                "Einträge vom Typ {} als `typ/datei-name`",
                def.to.join(", ")
            )),
            FieldKind::Geo => Some("Dezimalgrad, z. B. { lat: 51.5339, lon: 9.9356 }".into()),
            FieldKind::Year => Some("Jahr in Ziffern, z. B. 2021".into()),
            FieldKind::Date => Some("Datum als JJJJ-MM-TT".into()),
            FieldKind::Url => Some("Adresse mit https://".into()),
            FieldKind::Image => Some(format!(
                "{}: src (Datei unter content/media/), alt (was das Bild zeigt), credit \
                 (Bildnachweis){}; frei: caption, licence, decorative: true mit alt: \"\"",
                if def.multiple {
                    "Eine Liste von Bildern, je"
                } else {
                    "Ein Bild mit"
                },
                if config.images.require_credit {
                    ""
                } else {
                    " (hier frei)"
                }
            )),
            _ => None,
        };
        out.push_str(&format!("# {comment}\n"));
        if let Some(a) = allowed {
            for line in wrap(&a, 96) {
                out.push_str(&format!("#   {line}\n"));
            }
        }
        let value = if *key == config.roles.title {
            yaml_string(title)
        } else {
            match def.kind {
                FieldKind::Facet | FieldKind::Reference => "[]".into(),
                FieldKind::List => "[]".into(),
                FieldKind::Geo => "{ lat: 0.0, lon: 0.0 }".into(),
                FieldKind::Markdown => "|\n  …".into(),
                FieldKind::Image => image_template(def.multiple),
                _ => "\"…\"".into(),
            }
        };
        let line = format!("{key}: {value}");
        if def.required || *key == config.roles.title {
            out.push_str(&format!("{line}\n"));
        } else {
            for l in line.lines() {
                out.push_str(&format!("# {l}\n"));
            }
        }
    }
    out.push_str("---\n\nBeschreibung des Falls in Markdown: was es ist, wer es trägt, wie es funktioniert.\n");
    out
}

/// An image field's value with the sub-keys every picture needs ([`IMAGE_KEYS`]).
fn image_template(gallery: bool) -> String {
    let example = |key: &str| match key {
        "src" => "media/bild.jpg",
        "alt" => "\"Was das Bild zeigt\"",
        _ => "\"Foto: …\"",
    };
    let mut out = String::new();
    let required = IMAGE_KEYS.iter().filter(|k| k.required);
    for (n, k) in required.enumerate() {
        let lead = match (gallery, n) {
            (true, 0) => "\n  - ",
            (true, _) => "\n    ",
            (false, _) => "\n  ",
        };
        out.push_str(&format!("{lead}{}: {}", k.key, example(k.key)));
    }
    out
}

fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = vec![String::new()];
    for word in text.split(' ') {
        let last = lines.last_mut().expect("lines is never empty");
        if !last.is_empty() && last.len() + word.len() + 1 > width {
            lines.push(word.to_string());
        } else {
            if !last.is_empty() {
                last.push(' ');
            }
            last.push_str(word);
        }
    }
    lines
}

/// The files of a new catalogue: schema, vocabularies, one entry per type, a free page.
const INIT_FILES: &[(&str, &str)] = &[
    ("content/site.yaml", include_str!("scaffold/site.yaml")),
    (
        "content/vocabularies/themen.yaml",
        include_str!("scaffold/themen.yaml"),
    ),
    (
        "content/vocabularies/handlungsfelder.yaml",
        include_str!("scaffold/handlungsfelder.yaml"),
    ),
    (
        "content/orte/beispiel-ort.md",
        include_str!("scaffold/beispiel-ort.md"),
    ),
    (
        "content/formate/beispiel-format.md",
        include_str!("scaffold/beispiel-format.md"),
    ),
    (
        "content/strategien/beispiel-strategie.md",
        include_str!("scaffold/beispiel-strategie.md"),
    ),
    ("content/pages/ueber.md", include_str!("scaffold/ueber.md")),
    (".gitignore", include_str!("scaffold/gitignore")),
];

/// Creates a new catalogue in `dir` (which must be empty or missing).
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, ScaffoldError> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map(|mut d| d.next().is_some())
            .unwrap_or(true)
    {
        return Err(ScaffoldError::NotEmpty(dir.to_path_buf()));
    }
    let mut created = Vec::new();
    for (rel, text) in INIT_FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| ScaffoldError::Io(parent.to_path_buf(), e))?;
        }
        create_new(&path, text)?;
        created.push(path);
    }
    Ok(created)
}
