//! Themes: templates, static assets and UI strings. A catalogue uses `<root>/themes/<name>/`; the
//! default theme is also built into the binary, so any catalogue folder builds without copying it.
//! Single templates can be overridden per catalogue in `<root>/templates/`.

use super::assets::{self, AssetNames};
use crate::config::Config;
use include_dir::{include_dir, Dir};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

static DEFAULT_THEME: Dir<'static> = include_dir!("$CARGO_MANIFEST_DIR/themes/default");

/// A loaded theme: template sources, static files and the UI strings of the site's language.
#[derive(Debug, Clone)]
pub struct Theme {
    pub name: String,
    /// Where the theme came from, for messages (`themes/default` or `built-in`).
    pub origin: String,
    /// Template name (`entry.html`) → source, overrides already applied.
    pub templates: BTreeMap<String, String>,
    /// Output path (`assets/site.css`, in a public build `assets/site.3f9a1c0b2d.css`) → bytes.
    pub assets: BTreeMap<String, Vec<u8>>,
    /// The published name of each asset, for the templates' `asset(path=…)`.
    pub asset_names: AssetNames,
    /// UI strings (`search: Suche`).
    pub strings: BTreeMap<String, String>,
    /// Files of the theme's `data/` folder that pages are drawn from, not published.
    pub data: BTreeMap<String, Vec<u8>>,
    /// The coastlines and borders behind the map's pins (`data/outline.txt`), none when the
    /// theme has no such file.
    pub outline: Option<std::sync::Arc<super::outline::Outline>>,
    /// Files the theme was read from, so `serve` knows what to watch.
    pub dir: Option<PathBuf>,
}

/// A problem loading the theme; fatal for a build.
#[derive(Debug, thiserror::Error)]
pub enum ThemeError {
    #[error("theme `{0}` not found (looked in {1})")]
    NotFound(String, String),
    #[error("cannot read theme file {0}: {1}")]
    Io(PathBuf, std::io::Error),
    #[error("UI strings in {0} are not valid YAML: {1}")]
    Strings(String, String),
    #[error("{0} {1}; see scripts/outline.mjs for the format (the default theme's file is one)")]
    Data(String, super::outline::OutlineError),
    #[error("the theme's assets {0} name each other in a circle (asset-circle); a file's published name carries a hash of its text, names included, so one of them must stop naming the other: move what they share into a file of its own")]
    AssetCircle(String),
    #[error("{0} links outside the catalogue, to {1} (symlink-outside); copy the files into the catalogue instead of linking to them")]
    Outside(PathBuf, PathBuf),
}

impl Theme {
    /// Loads the theme `config.theme`, a folder in `<root>/themes/` or the built-in one, and the
    /// overrides in `<root>/templates/`. Nothing is read from outside the catalogue: a theme,
    /// a theme folder or a file in one that links outside is refused, so that a link to
    /// `/etc/ssl` is not published as the theme's `static/`.
    pub fn load(config: &Config) -> Result<Theme, ThemeError> {
        let within = config
            .root
            .canonicalize()
            .map_err(|e| ThemeError::Io(config.root.clone(), e))?;
        // config checks that the name is one plain folder name; `join` must never see a path.
        let dir = match Path::new(&config.theme).components().collect::<Vec<_>>()[..] {
            [std::path::Component::Normal(_)] => config.root.join("themes").join(&config.theme),
            _ => return Err(ThemeError::NotFound(config.theme.clone(), "themes/".into())),
        };
        let mut theme = if dir.is_dir() {
            if let Some(target) = crate::source::escapes(&dir, &within) {
                return Err(ThemeError::Outside(dir, target));
            }
            Theme::from_dir(&config.theme, &dir, &within)?
        } else if config.theme == "default" {
            Theme::built_in()
        } else {
            return Err(ThemeError::NotFound(
                config.theme.clone(),
                dir.display().to_string(),
            ));
        };
        let overrides = config.root.join("templates");
        if overrides.is_dir() {
            for (name, source) in read_tree(&overrides, &within)? {
                theme
                    .templates
                    .insert(name, String::from_utf8_lossy(&source).into_owned());
            }
        }
        // Themes made before redirect pages existed get the built-in one.
        if !theme.templates.contains_key(super::REDIRECT_TEMPLATE) {
            if let Some(file) =
                DEFAULT_THEME.get_file(format!("templates/{}", super::REDIRECT_TEMPLATE))
            {
                theme.templates.insert(
                    super::REDIRECT_TEMPLATE.into(),
                    String::from_utf8_lossy(file.contents()).into_owned(),
                );
            }
        }
        // Likewise the outline of the map's region.
        let outline = format!("data/{}", super::outline::FILE);
        if theme.dir.is_some() && !theme.data.contains_key(super::outline::FILE) {
            if let Some(file) = DEFAULT_THEME.get_file(&outline) {
                theme
                    .data
                    .insert(super::outline::FILE.into(), file.contents().to_vec());
            }
        }
        if let Some(bytes) = theme.data.get(super::outline::FILE) {
            let parsed = super::outline::Outline::parse(&String::from_utf8_lossy(bytes))
                .map_err(|e| ThemeError::Data(format!("themes/{}/{outline}", theme.name), e))?;
            theme.outline = Some(std::sync::Arc::new(parsed));
        }
        theme.strings = theme.load_strings(&config.language)?;
        // Hashed names for the public build only: serve swaps a stylesheet by its path, and
        // `build --preview` is what serve shows.
        let files = std::mem::take(&mut theme.assets);
        let (assets, names) = assets::publish(files, !config.preview)
            .map_err(|c| ThemeError::AssetCircle(c.0.join(" → ")))?;
        theme.assets = assets;
        theme.asset_names = names;
        Ok(theme)
    }

    fn from_dir(name: &str, dir: &Path, within: &Path) -> Result<Theme, ThemeError> {
        let templates = read_tree(&dir.join("templates"), within)?
            .into_iter()
            .map(|(k, v)| (k, String::from_utf8_lossy(&v).into_owned()))
            .collect();
        let assets = read_tree(&dir.join("static"), within)?;
        let data = read_tree(&dir.join("data"), within)?;
        let mut raw_strings = BTreeMap::new();
        for (k, v) in read_tree(&dir.join("i18n"), within)? {
            raw_strings.insert(k, v);
        }
        let mut theme = Theme {
            name: name.into(),
            origin: dir.display().to_string(),
            templates,
            assets,
            asset_names: AssetNames::default(),
            strings: BTreeMap::new(),
            data,
            outline: None,
            dir: Some(dir.to_path_buf()),
        };
        theme.assets.extend(
            raw_strings
                .into_iter()
                .map(|(k, v)| (format!("\0i18n/{k}"), v)),
        );
        Ok(theme)
    }

    fn built_in() -> Theme {
        let mut templates = BTreeMap::new();
        let mut assets = BTreeMap::new();
        let mut data = BTreeMap::new();
        collect_embedded(&DEFAULT_THEME, &mut |path, bytes| {
            let path = path.replace('\\', "/");
            if let Some(t) = path.strip_prefix("templates/") {
                templates.insert(t.to_string(), String::from_utf8_lossy(bytes).into_owned());
            } else if let Some(s) = path.strip_prefix("static/") {
                assets.insert(s.to_string(), bytes.to_vec());
            } else if let Some(i) = path.strip_prefix("i18n/") {
                assets.insert(format!("\0i18n/{i}"), bytes.to_vec());
            } else if let Some(d) = path.strip_prefix("data/") {
                data.insert(d.to_string(), bytes.to_vec());
            }
        });
        Theme {
            name: "default".into(),
            origin: "built-in".into(),
            templates,
            assets,
            asset_names: AssetNames::default(),
            strings: BTreeMap::new(),
            data,
            outline: None,
            dir: None,
        }
    }

    /// Reads `i18n/<language>.yaml`, falling back to German for missing keys, and to the
    /// built-in theme's strings for keys a theme of its own does not have (those added after
    /// it was made: the draft badge, the preview overlay).
    fn load_strings(&mut self, language: &str) -> Result<BTreeMap<String, String>, ThemeError> {
        let mut strings = match self.dir {
            Some(_) => built_in_strings(language),
            None => BTreeMap::new(),
        };
        for lang in ["de", language] {
            let key = format!("\0i18n/{lang}.yaml");
            if let Some(bytes) = self.assets.get(&key) {
                let parsed: BTreeMap<String, String> = crate::source::yaml::from_slice(bytes)
                    .map_err(|e| {
                        ThemeError::Strings(
                            format!("{}/i18n/{lang}.yaml", self.origin),
                            e.to_string(),
                        )
                    })?;
                strings.extend(parsed);
            }
        }
        self.assets.retain(|k, _| !k.starts_with('\0'));
        Ok(strings)
    }
}

/// The built-in theme's UI strings for `language` (German for missing keys), for what is shown
/// before a catalogue's own theme is loaded: the preview server's error page and overlay.
pub fn built_in_strings(language: &str) -> BTreeMap<String, String> {
    let mut strings = BTreeMap::new();
    for lang in ["de", language] {
        let parsed = DEFAULT_THEME
            .get_file(format!("i18n/{lang}.yaml"))
            .and_then(|f| {
                crate::source::yaml::from_slice::<BTreeMap<String, String>>(f.contents()).ok()
            });
        strings.extend(parsed.unwrap_or_default());
    }
    strings
}

fn collect_embedded(dir: &Dir<'_>, f: &mut dyn FnMut(&str, &[u8])) {
    for file in dir.files() {
        f(&file.path().to_string_lossy(), file.contents());
    }
    for sub in dir.dirs() {
        collect_embedded(sub, f);
    }
}

/// All files below `dir`, keyed by their `/`-separated path relative to it. Links are followed
/// as long as they stay inside `within` (the canonical catalogue root); one that leads out, the
/// folder itself included, is an error.
fn read_tree(dir: &Path, within: &Path) -> Result<BTreeMap<String, Vec<u8>>, ThemeError> {
    let mut out = BTreeMap::new();
    if !dir.is_dir() {
        return Ok(out);
    }
    if let Some(target) = crate::source::escapes(dir, within) {
        return Err(ThemeError::Outside(dir.to_path_buf(), target));
    }
    for item in walkdir::WalkDir::new(dir)
        .follow_links(true)
        .sort_by_file_name()
    {
        let item = item.map_err(|e| ThemeError::Io(dir.to_path_buf(), e.into()))?;
        if item.path_is_symlink() {
            if let Some(target) = crate::source::escapes(item.path(), within) {
                return Err(ThemeError::Outside(item.path().to_path_buf(), target));
            }
        }
        if !item.file_type().is_file() {
            continue;
        }
        let name = item.file_name().to_string_lossy();
        if crate::load::is_editor_artifact(&name) {
            continue;
        }
        let rel = item
            .path()
            .strip_prefix(dir)
            .unwrap_or(item.path())
            .to_string_lossy()
            .replace('\\', "/");
        let bytes =
            std::fs::read(item.path()).map_err(|e| ThemeError::Io(item.path().to_path_buf(), e))?;
        out.insert(rel, bytes);
    }
    Ok(out)
}
