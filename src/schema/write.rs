//! Writing the schemas into a folder casebook owns. By default `.casebook/schema/` in the
//! catalogue folder, beside content/: never into content/, where every file is an author's.
//! A file is replaced only if casebook wrote it (its `$comment` is [`super::MARK`]); anything
//! else there stops the command before a single file is written. Each file is written beside
//! its place and renamed over it, so an editor never reads half a schema; a schema that did
//! not change is not written again.

use super::{schemas, translation_file, type_file, MARK, SITE_FILE, VOCABULARY_FILE};
use crate::config::Config;
use crate::diagnostic::Report;
use serde_json::{json, Map, Value};
use std::path::{Path, PathBuf};

/// Where the schemas go unless `--output` says otherwise, below the catalogue folder.
pub const DEFAULT_DIR: &str = ".casebook/schema";

/// Why the schemas were not written.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    #[error("the catalogue's schema has {0} error(s); run `casebook check` and fix content/site.yaml first")]
    Invalid(usize),
    #[error("{0} is inside content/, where casebook writes only the entries it is asked to create; choose another --output")]
    InsideContent(PathBuf),
    #[error("{0} leads outside the catalogue folder through a symbolic link; remove the link or pass --output")]
    Outside(PathBuf),
    #[error("{0} exists and was not written by `casebook schema`; casebook never overwrites a file it did not make (move it away, or choose another --output)")]
    NotOurs(PathBuf),
    #[error("cannot write {0}: {1}")]
    Io(PathBuf, std::io::Error),
}

/// What [`write`] did.
#[derive(Debug)]
pub struct Written {
    pub dir: PathBuf,
    /// Every schema file, written now or unchanged.
    pub files: Vec<PathBuf>,
    /// The `.vscode/settings.json` that maps the schemas to the catalogue's files.
    pub settings: Value,
}

/// Writes the schemas of the catalogue at `root` into `output`, or [`DEFAULT_DIR`].
pub fn write(root: &Path, output: Option<&Path>) -> Result<Written, SchemaError> {
    let mut report = Report::default();
    let mut timings = crate::site::Timings::default();
    let read = crate::site::read_catalogue(
        root,
        &Default::default(),
        &Default::default(),
        &mut report,
        &mut timings,
    );
    let Some(read) = read else {
        return Err(SchemaError::Invalid(report.error_count().max(1)));
    };
    let dir = output.map_or_else(|| root.join(DEFAULT_DIR), Path::to_path_buf);
    let content = read.config.content_dir.canonicalize();
    let content = content.map_err(|e| SchemaError::Io(read.config.content_dir.clone(), e))?;
    if nearest_existing(&dir).starts_with(&content) {
        return Err(SchemaError::InsideContent(dir));
    }
    let files = schemas(&read.config, &read.checked.entries);
    // Every refusal before the first write.
    for (name, _) in &files {
        let path = dir.join(name);
        if std::fs::symlink_metadata(&path).is_ok() && !written_by_casebook(&path) {
            return Err(SchemaError::NotOurs(path));
        }
    }
    std::fs::create_dir_all(&dir).map_err(|e| SchemaError::Io(dir.clone(), e))?;
    if output.is_none() {
        let canonical_root = root
            .canonicalize()
            .map_err(|e| SchemaError::Io(root.to_path_buf(), e))?;
        let inside = dir
            .canonicalize()
            .is_ok_and(|d| d.starts_with(&canonical_root));
        if !inside {
            return Err(SchemaError::Outside(dir));
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for (name, schema) in files {
        let path = dir.join(&name);
        let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
        text.push('\n');
        if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
            written.push(path);
            continue;
        }
        let temp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
        let io = |e| SchemaError::Io(path.clone(), e);
        std::fs::write(&temp, text).map_err(io)?;
        if let Err(e) = std::fs::rename(&temp, &path) {
            let _ = std::fs::remove_file(&temp);
            return Err(io(e));
        }
        written.push(path);
    }
    let shown = dir.strip_prefix(root).unwrap_or(&dir).to_path_buf();
    Ok(Written {
        settings: vscode_settings(&read.config, &shown),
        dir,
        files: written,
    })
}

/// The nearest folder of `path` (or itself) that exists, canonical: where a folder yet to be
/// made would really be.
fn nearest_existing(path: &Path) -> PathBuf {
    let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
    absolute
        .ancestors()
        .find_map(|p| p.canonicalize().ok())
        .unwrap_or(absolute)
}

/// Whether the file at `path` is a schema casebook wrote (its `$comment` says so).
fn written_by_casebook(path: &Path) -> bool {
    let Ok(text) = std::fs::read_to_string(path) else {
        return false;
    };
    let Ok(value) = serde_json::from_str::<Value>(&text) else {
        return false;
    };
    let marker = MARK.split('.').next().unwrap_or(MARK);
    value["$comment"]
        .as_str()
        .is_some_and(|c| c.starts_with(marker))
}

/// VS Code's settings for the YAML extension (yaml-language-server): which schema in `dir`
/// (relative to the catalogue folder) validates which files of the catalogue.
pub fn vscode_settings(config: &Config, dir: &Path) -> Value {
    let schema = |name: &str| format!("./{}/{name}", dir.to_string_lossy().replace('\\', "/"));
    let mut map = Map::new();
    map.insert(schema(SITE_FILE), json!("content/site.yaml"));
    map.insert(
        schema(VOCABULARY_FILE),
        json!(["content/vocabularies/*.yaml", "content/vocabularies/*.yml"]),
    );
    for ty in &config.types {
        let folder = &ty.folder;
        let mut globs = vec![
            format!("content/{folder}/*.yaml"),
            format!("content/{folder}/*.yml"),
        ];
        // Translations (`x.en.yaml`) have a schema of their own.
        let translations: Vec<String> = config.languages[1..]
            .iter()
            .flat_map(|l| ["yaml", "yml"].map(|ext| format!("content/{folder}/*.{l}.{ext}")))
            .collect();
        globs.extend(translations.iter().map(|g| format!("!{g}")));
        map.insert(schema(&type_file(&ty.key)), json!(globs));
        if !translations.is_empty() {
            map.insert(schema(&translation_file(&ty.key)), json!(translations));
        }
    }
    json!({ "yaml.schemas": map })
}
