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
    #[error("unknown type `{0}`; the catalogue has: {1}{2}")]
    UnknownType(String, String, String),
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
    #[error(transparent)]
    Schema(#[from] crate::schema::SchemaError),
    #[error("`{0}` is not one of the site's other languages ({1}); add it to `languages:` in content/site.yaml")]
    UnknownLanguage(String, String),
    #[error("there is no entry `{0}` to translate{1}")]
    NoOriginal(String, String),
    #[error("cannot read the original: {0}")]
    Original(String),
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
            let names = config
                .types
                .iter()
                .flat_map(|t| [t.key.as_str(), t.folder.as_str()]);
            let suggestion = crate::diagnostic::did_you_mean(type_key, names)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            ScaffoldError::UnknownType(
                type_key.into(),
                config
                    .types
                    .iter()
                    .map(|t| t.key.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
                suggestion,
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

/// Creates `content/<folder>/<slug>.<language>.md`, a translation of the entry `id`
/// (`ort/<slug>`) beside it, with the original's texts as comments to translate from; never
/// overwrites. Returns its path.
pub fn new_translation(
    config: &Config,
    id: &str,
    language: &str,
) -> Result<PathBuf, ScaffoldError> {
    let others = &config.languages[1..];
    if !others.iter().any(|l| l == language) {
        return Err(ScaffoldError::UnknownLanguage(
            language.into(),
            match others.is_empty() {
                true => "it has only one".into(),
                false => others.join(", "),
            },
        ));
    }
    let (type_key, slug) = id.split_once('/').unwrap_or(("", id));
    let found = config.types.iter().enumerate().find_map(|(t, ty)| {
        let dir = config.content_dir.join(&ty.folder);
        (ty.key == type_key || ty.folder == type_key)
            .then(|| ["md", "yaml", "yml"].map(|ext| dir.join(format!("{slug}.{ext}"))))?
            .into_iter()
            .find(|p| p.is_file())
            .map(|p| (t, p))
    });
    let Some((t, original)) = found else {
        let ids = crate::load::discover(config, &mut Default::default())
            .into_iter()
            .filter_map(|c| match c.kind {
                crate::load::DocKind::Entry(t) => {
                    Some(format!("{}/{}", config.types[t].key, c.slug()))
                }
                crate::load::DocKind::Page | crate::load::DocKind::Collection => None,
            })
            .collect::<Vec<_>>();
        let hint = crate::diagnostic::did_you_mean(id, ids.iter().map(String::as_str))
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(ScaffoldError::NoOriginal(id.into(), hint));
    };
    let dir = original
        .parent()
        .unwrap_or(&config.content_dir)
        .to_path_buf();
    for ext in ["md", "yaml", "yml"] {
        let p = dir.join(format!("{slug}.{language}.{ext}"));
        if p.exists() {
            return Err(ScaffoldError::Exists(p));
        }
    }
    let candidate = crate::load::Candidate {
        kind: crate::load::DocKind::Entry(t),
        path: original.clone(),
    };
    let doc = crate::load::load_document(config, &candidate)
        .map_err(|d| ScaffoldError::Original(d.message.clone()))?;
    let mut text = format!(
        "---\n# {language}: a translation of {}. Give the texts in {language}; facts\n\
         # (terms, references, places, years, sources) come from the original: leave them out.\n\
         # slug: an-address-in-{language}   # optional: this page's own address\n",
        doc.shown.display()
    );
    let comment = |text: &mut String, label: &str, value: &str| {
        text.push_str(&format!("# {label}:\n"));
        for line in value.lines() {
            text.push_str(&format!("#   {line}\n"));
        }
    };
    for key in &config.types[t].fields {
        if !crate::check::is_translatable(config, key) {
            continue;
        }
        let value = doc.fields.get(key.as_str()).and_then(|v| v.as_str());
        let required = config.fields[key].required || *key == config.roles.title;
        match (value, required) {
            (Some(v), _) => comment(&mut text, &format!("{key} (original)"), v),
            (None, false) => continue,
            (None, true) => {}
        }
        text.push_str(&format!("{key}: \"\"\n"));
    }
    if !doc.body.trim().is_empty() {
        comment(
            &mut text,
            "the text (original), below the closing ---",
            doc.body.trim(),
        );
    }
    text.push_str("---\n");
    let path = dir.join(format!("{slug}.{language}.md"));
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

/// The words of a new entry's comments, in the catalogue's language.
struct Words {
    required: &'static str,
    allowed: &'static str,
    references: &'static str,
    geo: &'static str,
    year: &'static str,
    date: &'static str,
    url: &'static str,
    boolean: &'static str,
    /// An image field: `{lead}` is `image_one` or `image_many`, `{credit}` is empty or
    /// `credit_free`.
    image: &'static str,
    image_one: &'static str,
    image_many: &'static str,
    credit_free: &'static str,
    /// The examples of `alt` and `credit` in a new picture.
    alt_example: &'static str,
    credit_example: &'static str,
    draft: &'static str,
    body: &'static str,
}

const GERMAN: Words = Words {
    required: "Pflicht",
    allowed: "erlaubt",
    references: "Einträge vom Typ {types} als `typ/datei-name`",
    geo: "Dezimalgrad, z. B. { lat: 51.5339, lon: 9.9356 }",
    year: "Jahr in Ziffern, z. B. 2021",
    date: "Datum als JJJJ-MM-TT",
    url: "Adresse mit https://",
    boolean: "true oder false",
    image: "{lead} src (Datei unter content/media/), alt (was das Bild zeigt), credit (Bildnachweis){credit}; frei: caption, licence, decorative: true mit alt: \"\"",
    image_one: "Ein Bild mit",
    image_many: "Eine Liste von Bildern, je",
    credit_free: " (hier frei)",
    alt_example: "Was das Bild zeigt",
    credit_example: "Foto: …",
    draft: "nur in der Vorschau (casebook serve) sichtbar. Löschen Sie die Zeile, sobald die Pflichtfelder ausgefüllt sind; dann wird der Eintrag veröffentlicht.",
    body: "Beschreibung des Falls in Markdown: was es ist, wer es trägt, wie es funktioniert.",
};

const ENGLISH: Words = Words {
    required: "required",
    allowed: "allowed",
    references: "entries of type {types} as `type/file-name`",
    geo: "decimal degrees, e.g. { lat: 51.5339, lon: 9.9356 }",
    year: "year in digits, e.g. 2021",
    date: "date as YYYY-MM-DD",
    url: "address with https://",
    boolean: "true or false",
    image: "{lead} src (a file below content/media/), alt (what the picture shows), credit (who made it){credit}; optional: caption, licence, decorative: true with alt: \"\"",
    image_one: "One picture with",
    image_many: "A list of pictures, each with",
    credit_free: " (optional here)",
    alt_example: "What the picture shows",
    credit_example: "Photo: …",
    draft: "shown only in the preview (casebook serve). Delete this line once the required fields are filled in; the entry is then published.",
    body: "The case in Markdown: what it is, who runs it, how it works.",
};

/// The text of a new entry: every field of the type, required ones first, each with a comment
/// saying what it takes. Required fields are left empty to be filled in and optional ones are
/// commented out. Where the catalogue has a draft role, the entry starts as a draft: `check`
/// warns about its empty fields, `serve` shows it, the public build leaves it out.
fn entry_template(config: &Config, ty: &crate::config::EntryType, title: &str) -> String {
    let words = match config.language.as_str() {
        "en" => &ENGLISH,
        _ => &GERMAN,
    };
    let mut out = String::from("---\n");
    let draft = config
        .roles
        .draft
        .as_ref()
        .filter(|d| ty.fields.contains(d));
    if let Some(key) = draft {
        let comment = format!("{}: {}", config.fields[key].label, words.draft);
        for line in wrap(&comment, 96) {
            out.push_str(&format!("# {line}\n"));
        }
        out.push_str(&format!("{key}: true\n"));
    }
    for key in &ty.fields {
        let def = &config.fields[key];
        if Some(key) == draft {
            continue;
        }
        let mut comment = format!(
            "{}{}",
            def.label,
            if def.required {
                format!(" ({})", words.required)
            } else {
                String::new()
            }
        );
        if let Some(d) = &def.description {
            comment.push_str(&format!(": {d}"));
        }
        let allowed = match def.kind {
            FieldKind::Facet => config.facet_vocabulary(key).map(|v| {
                let keys: Vec<&str> = v.terms.iter().map(|t| t.key.as_str()).collect();
                format!("{}: {}", words.allowed, keys.join(", "))
            }),
            FieldKind::Reference => Some(words.references.replace("{types}", &def.to.join(", "))),
            FieldKind::Geo => Some(words.geo.into()),
            FieldKind::Year => Some(words.year.into()),
            FieldKind::Date => Some(words.date.into()),
            FieldKind::Url => Some(words.url.into()),
            FieldKind::Boolean => Some(words.boolean.into()),
            FieldKind::Image => Some(
                words
                    .image
                    .replace(
                        "{lead}",
                        if def.multiple {
                            words.image_many
                        } else {
                            words.image_one
                        },
                    )
                    .replace(
                        "{credit}",
                        if config.images.require_credit {
                            ""
                        } else {
                            words.credit_free
                        },
                    ),
            ),
            _ => None,
        };
        out.push_str(&format!("# {comment}\n"));
        if let Some(a) = allowed {
            for line in wrap(&a, 96) {
                out.push_str(&format!("#   {line}\n"));
            }
        }
        let list = matches!(
            def.kind,
            FieldKind::Facet | FieldKind::Reference | FieldKind::List
        );
        let value = if *key == config.roles.title {
            yaml_string(title)
        } else if def.required {
            // Empty, so that `check` names it until it is filled in.
            match def.kind {
                _ if list => "[]".into(),
                FieldKind::Geo | FieldKind::Boolean => String::new(),
                _ => "\"\"".into(),
            }
        } else {
            match def.kind {
                _ if list => "[]".into(),
                FieldKind::Geo => "{ lat: 0.0, lon: 0.0 }".into(),
                FieldKind::Markdown => "|\n  …".into(),
                FieldKind::Boolean => "false".into(),
                FieldKind::Image => image_template(def.multiple, words),
                _ => "\"…\"".into(),
            }
        };
        let line = format!("{key}: {value}");
        if def.required || *key == config.roles.title {
            out.push_str(line.trim_end());
            out.push('\n');
        } else {
            for l in line.lines() {
                out.push_str(&format!("# {l}\n"));
            }
        }
    }
    out.push_str(&format!("---\n\n{}\n", words.body));
    out
}

/// An image field's value with the sub-keys every picture needs ([`IMAGE_KEYS`]).
fn image_template(gallery: bool, words: &Words) -> String {
    let example = |key: &str| match key {
        "src" => "media/bild.jpg".to_string(),
        "alt" => yaml_string(words.alt_example),
        _ => yaml_string(words.credit_example),
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
    (
        "content/pages/datenschutz.md",
        include_str!("scaffold/datenschutz.md"),
    ),
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
    // The editors' YAML tools: the JSON Schema of the new catalogue, and VS Code's settings
    // that apply it to site.yaml, the vocabularies and the YAML entries.
    let schemas = crate::schema::write(dir, None)?;
    let settings = dir.join(".vscode").join("settings.json");
    std::fs::create_dir_all(dir.join(".vscode"))
        .map_err(|e| ScaffoldError::Io(dir.join(".vscode"), e))?;
    let mut text = serde_json::to_string_pretty(&schemas.settings).unwrap_or_default();
    text.push('\n');
    create_new(&settings, &text)?;
    created.push(settings);
    created.extend(schemas.files);
    Ok(created)
}
