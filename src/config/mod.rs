//! The catalogue's own schema: `content/site.yaml` (types, fields, roles, facets) and the
//! vocabularies in `content/vocabularies/`. Nothing about the typology is hard-coded in Rust.

use crate::diagnostic::{did_you_mean, list_preview, Diagnostic, FileProblems, Report};
use crate::source::{self, KeyLines};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

mod discovery;
mod finder;
mod images;
mod kinds;
mod localized;
mod settings;
mod validate;
mod vocabulary;

pub use discovery::{CollectionsConfig, EventSettings};
pub use finder::{Answer, FinderConfig, Question, MAX_FINDER_PAGES};
pub use images::{
    ImageKey, ImageSettings, IMAGE_EXTENSIONS, IMAGE_KEYS, MAX_IMAGE_PIXELS, MAX_IMAGE_SIDE,
};
use kinds::*;
pub use kinds::{FieldKind, ListItem};
pub use localized::Localized;
use settings::*;
pub use settings::{
    check_url_setting, field_line, is_css_colour, MapConfig, PageSlots, TileServer, Tiles,
    Untranslated, UrlSettings,
};
use vocabulary::*;
pub use vocabulary::{Term, Vocabulary, MAX_TERM_DEPTH};

/// One field definition from `site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    #[serde(skip_deserializing)]
    pub key: String,
    pub kind: FieldKind,
    pub label: Localized,
    #[serde(default)]
    pub description: Option<Localized>,
    #[serde(default)]
    pub required: bool,
    /// facet: the vocabulary whose terms are allowed.
    #[serde(default)]
    pub vocabulary: Option<String>,
    /// facet, reference and image: whether a list of values is allowed (a list of images is
    /// a gallery).
    #[serde(default)]
    pub multiple: bool,
    /// reference: the entry types it may point to.
    #[serde(default)]
    pub to: Vec<String>,
    /// reference: the label of the relation seen from the target ("Formate an diesem Ort").
    #[serde(default)]
    pub inverse: Option<Localized>,
    /// list: the kind of its items.
    #[serde(default)]
    pub item: ListItem,
}

/// One entry type (Ort, Format, Strategie).
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryType {
    pub key: String,
    pub folder: String,
    pub label: Localized,
    pub plural: Localized,
    #[serde(default)]
    pub description: Option<Localized>,
    /// Accent colour of the type; always shown together with the text label.
    #[serde(default)]
    pub color: Option<String>,
    /// What kind of thing an entry is for search engines: a schema.org type such as `Place`,
    /// `Event` or `CreativeWork` (the default), for the structured data of its page.
    #[serde(default)]
    pub schema: Option<String>,
    pub fields: Vec<String>,
    /// Its entries are events: dated, placed, listed as upcoming and past.
    #[serde(default)]
    pub event: Option<EventSettings>,
}

/// Which field plays which part on the site.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Roles {
    pub title: String,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub place: Option<String>,
    #[serde(default)]
    pub geo: Option<String>,
    #[serde(default)]
    pub image: Option<String>,
    /// A `boolean` field: an entry with `true` is a draft, shown by `serve` and `build
    /// --preview` with a badge and left out of the public build.
    #[serde(default)]
    pub draft: Option<String>,
    /// A `list` field of earlier addresses (`slug` or `type/slug`): the build writes a
    /// redirect page at each.
    #[serde(default)]
    pub aliases: Option<String>,
    /// A `date` field that sets the entry's last update instead of git or the file time.
    #[serde(default)]
    pub updated: Option<String>,
    /// What other places can take over from a case: shown right after the lead, in short on
    /// cards, and searched like the summary. A `text` or `markdown` field.
    #[serde(default)]
    pub transfer: Option<String>,
}

impl Roles {
    /// The fields whose values steer the build rather than show on the page (draft flag,
    /// earlier addresses, update date): entry pages, exports and completeness leave them out.
    pub fn is_meta(&self, field: &str) -> bool {
        self.meta_role(field).is_some()
    }

    /// The role (`draft`, `aliases`, `updated`) of a field that steers the build, for the
    /// codebook.
    pub fn meta_role(&self, field: &str) -> Option<&'static str> {
        [
            ("draft", &self.draft),
            ("aliases", &self.aliases),
            ("updated", &self.updated),
        ]
        .into_iter()
        .find(|(_, r)| r.as_deref() == Some(field))
        .map(|(role, _)| role)
    }
}

/// `site.yaml` as written.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    title: Localized,
    #[serde(default)]
    tagline: Option<Localized>,
    #[serde(default)]
    description: Localized,
    base_url: String,
    #[serde(default = "default_language")]
    language: String,
    /// The site's languages, the default first (its pages at `/`, the others' below
    /// `/<language>/`); instead of `language:`.
    #[serde(default)]
    languages: Vec<String>,
    /// What the pages of another language do with an entry that has no translation into it.
    #[serde(default)]
    untranslated: Untranslated,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    edit_url: Option<String>,
    #[serde(default)]
    map: MapConfig,
    #[serde(default)]
    pages: PageSlots,
    #[serde(default)]
    urls: UrlSettings,
    #[serde(default)]
    allow_raw_html: bool,
    #[serde(default, deserialize_with = "search_setting")]
    #[schemars(with = "Option<settings::SearchSchema>")]
    search: Option<SearchSettings>,
    #[serde(default)]
    images: ImageSettings,
    roles: Roles,
    fields: BTreeMap<String, FieldDef>,
    types: Vec<EntryType>,
    #[serde(default)]
    facets: Vec<String>,
    /// Weights of shared terms per facet for "similar entries"; facets not named weigh 1.
    #[serde(default)]
    similarity: BTreeMap<String, f64>,
    #[serde(default)]
    collections: Option<CollectionsConfig>,
    #[serde(default)]
    finder: Option<FinderConfig>,
}

/// The JSON Schema of site.yaml, made from the types that read it: whatever site.yaml accepts,
/// the schema describes (`casebook schema`).
pub fn site_json_schema() -> serde_json::Value {
    schemars::schema_for!(SiteFile).to_value()
}

/// The JSON Schema of a vocabulary file, made from the type that reads it.
pub fn vocabulary_json_schema() -> serde_json::Value {
    schemars::schema_for!(Vocabulary).to_value()
}

fn default_language() -> String {
    "de".into()
}

fn default_theme() -> String {
    "default".into()
}

/// The whole schema of a catalogue, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub content_dir: PathBuf,
    pub title: Localized,
    /// What the site is for, in one line: the home page's heading (the title when unset).
    pub tagline: Option<Localized>,
    pub description: Localized,
    pub base_url: String,
    /// The language of the pages this config makes (see [`Config::in_language`]).
    pub language: String,
    /// Every language of the site, the default first; one for a one-language site.
    pub languages: Vec<String>,
    pub untranslated: Untranslated,
    pub theme: String,
    pub edit_url: Option<String>,
    pub map: MapConfig,
    pub pages: PageSlots,
    /// The first path segments of the built-in pages (`katalog/` or `catalogue/`).
    pub segments: crate::urls::Segments,
    pub allow_raw_html: bool,
    pub search: bool,
    /// Groups of words that find each other in the full-text search (`search: synonyms:`).
    pub synonyms: Vec<Vec<String>>,
    /// Built as `serve` shows it (`build --preview`, and `serve` itself): what only editors
    /// see may appear. Never set by site.yaml.
    pub preview: bool,
    /// How pictures are published (`images:` in site.yaml).
    pub images: ImageSettings,
    pub roles: Roles,
    pub fields: BTreeMap<String, FieldDef>,
    pub types: Vec<EntryType>,
    pub facets: Vec<String>,
    pub similarity: BTreeMap<String, f64>,
    pub vocabularies: BTreeMap<String, Vocabulary>,
    /// Curated lists of entries (`collections:`), if the catalogue has them.
    pub collections: Option<CollectionsConfig>,
    /// The strategy finder's questions (`finder:`), if the catalogue has one.
    pub finder: Option<FinderConfig>,
}

/// Settings given on the command line that win over site.yaml.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// Publish under this address (`--base-url`, or the local server's address in `serve`).
    pub base_url: Option<String>,
    /// Switch the full-text search off (`--no-search`): no index, and no search box on pages.
    pub no_search: bool,
    /// The site as `serve` shows it (`build --preview`).
    pub preview: bool,
    /// The output folder the site is made for: the sizes made of its pictures are kept beside
    /// it between runs. `None`: made anew every run.
    pub output: Option<PathBuf>,
}

impl Config {
    /// Applies the command line's settings; a `--base-url` that is not a usable address (see
    /// [`check_url_setting`]) is refused here, where it enters, and the config left unchanged.
    pub fn apply(&mut self, overrides: &Overrides) -> Result<(), Box<Diagnostic>> {
        if let Some(url) = &overrides.base_url {
            check_url_setting(url).map_err(|why| {
                Box::new(
                    url_setting_problem("--base-url", "--base-url", url, &why)
                        .hint("give the address the site is published under, e.g. `--base-url https://example.org/katalog/`"),
                )
            })?;
            self.base_url = normalize_base_url(url);
        }
        if overrides.no_search {
            self.search = false;
        }
        self.preview = overrides.preview;
        Ok(())
    }
}

impl Config {
    /// Loads `<root>/content/site.yaml` and the vocabularies; all problems go to `report`.
    /// Returns `None` only when the schema is too broken to validate entries against.
    pub fn load(root: &Path, report: &mut Report) -> Option<Config> {
        Config::load_with(root, &source::Buffers::new(), report)
    }

    /// [`Config::load`], reading the texts an editor holds in `buffers` instead of the files.
    pub fn load_with(
        root: &Path,
        buffers: &source::Buffers,
        report: &mut Report,
    ) -> Option<Config> {
        let content_dir = root.join("content");
        let site_path = content_dir.join("site.yaml");
        let shown = PathBuf::from("content/site.yaml");
        if !site_path.is_file() && !buffers.contains_key(&site_path) {
            report.push(
                Diagnostic::error("no-site-yaml", &shown, "no catalogue schema found")
                    .expected(format!("a file {}", site_path.display()))
                    .hint("run `casebook init <dir>` to create a catalogue, or pass --root"),
            );
            return None;
        }
        let within = content_dir
            .canonicalize()
            .unwrap_or_else(|_| content_dir.clone());
        if let Some(target) = source::escapes(&site_path, &within) {
            report.push(source::symlink_outside(&shown, &target));
            return None;
        }
        let text = match source::read_or_buffer(&site_path, &shown, buffers) {
            Ok(t) => t,
            Err(d) => {
                report.push(*d);
                return None;
            }
        };
        let site: SiteFile = match source::yaml::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                let d = match unknown_kind(&e, &text) {
                    Some((kind, line, column)) => {
                        unknown_kind_problem(&text, &shown, &kind, line, column)
                    }
                    None => {
                        let mut d = source::yaml_error(&e, &text, 1, &shown);
                        d.code = "invalid-schema";
                        d
                    }
                };
                report.push(d);
                return None;
            }
        };
        let vocabularies = load_vocabularies(&content_dir, &within, buffers, report);
        let languages = match site.languages.is_empty() {
            true => vec![site.language.clone()],
            false => site.languages.clone(),
        };
        let language = languages[0].clone();
        let segments = site.urls.segments(&language);
        let mut config = Config {
            root: root.to_path_buf(),
            content_dir,
            title: site.title,
            tagline: site.tagline,
            description: site.description,
            base_url: normalize_base_url(&site.base_url),
            language,
            languages,
            untranslated: site.untranslated,
            theme: site.theme,
            edit_url: site.edit_url,
            map: site.map,
            pages: site.pages,
            segments,
            allow_raw_html: site.allow_raw_html,
            search: site.search.as_ref().is_none_or(|s| s.enabled),
            synonyms: site.search.map(|s| s.synonyms).unwrap_or_default(),
            preview: false,
            images: site.images,
            roles: site.roles,
            fields: site.fields,
            types: site.types,
            facets: site.facets,
            similarity: site.similarity,
            vocabularies,
            collections: site.collections,
            finder: site.finder,
        };
        for (key, field) in config.fields.iter_mut() {
            field.key = key.clone();
        }
        let before = report.error_count();
        config.validate(&text, &shown, report);
        config.validate_discovery(&text, &shown, report);
        config.validate_finder(&text, &shown, report);
        config.check_text_languages(&text, report);
        config.localize();
        (report.error_count() == before).then_some(config)
    }

    pub fn type_index(&self, key: &str) -> Option<usize> {
        self.types.iter().position(|t| t.key == key)
    }

    /// The vocabulary behind a facet field.
    pub fn facet_vocabulary(&self, field: &str) -> Option<&Vocabulary> {
        let f = self.fields.get(field)?;
        self.vocabularies.get(f.vocabulary.as_ref()?)
    }

    /// The base path of the site (`/` or `/sub/path/`), for links that work under a sub-path.
    /// Site paths and absolute URLs of the site's addresses ([`urls`](crate::urls)).
    pub fn urls(&self) -> crate::urls::Urls {
        crate::urls::Urls::new(&self.base_url, self.base_path())
    }

    /// Whether a first path segment belongs to the site itself (its built-in pages, assets,
    /// exports), so that no type folder, vocabulary or free page may take it.
    pub fn is_reserved(&self, name: &str) -> bool {
        crate::urls::RESERVED.contains(&name)
            || self.segments.taken().contains(&name)
            || self.languages[1..].iter().any(|l| l == name)
    }

    /// The address of an entry's page.
    pub fn entry_address(&self, type_index: usize, slug: &str) -> String {
        crate::urls::entry(&self.types[type_index].folder, slug)
    }

    pub fn base_path(&self) -> String {
        path_of(&self.base_url)
    }
}

/// The path part of a base URL (`/` or `/katalog/`).
fn path_of(base_url: &str) -> String {
    let after_scheme = base_url.split("://").nth(1).unwrap_or(base_url);
    match after_scheme.find('/') {
        Some(i) if base_url.contains("://") => after_scheme[i..].to_string(),
        _ if base_url.starts_with('/') => base_url.to_string(),
        _ => "/".into(),
    }
}

fn normalize_base_url(url: &str) -> String {
    let url = url.trim();
    if url.ends_with('/') {
        url.to_string()
    } else {
        format!("{url}/")
    }
}

/// Whether `s` is usable as one URL path segment we generate (`lowercase-ascii-123`).
pub fn is_clean_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !s.starts_with('-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_path_of_sub_path_urls() {
        let mut c = test_config();
        c.base_url = "https://example.org/katalog/".into();
        assert_eq!(c.base_path(), "/katalog/");
        c.base_url = "http://127.0.0.1:1111/".into();
        assert_eq!(c.base_path(), "/");
    }

    #[test]
    fn term_places_find_depths_cycles_and_what_hangs_below_a_cycle() {
        use TermPlace::*;
        // 0 <- 1 <- 2; 3 <-> 4 (a cycle), 5 below 4; 6 its own parent.
        let parents = [None, Some(0), Some(1), Some(4), Some(3), Some(4), Some(6)];
        assert_eq!(
            term_places(&parents),
            vec![
                Depth(0),
                Depth(1),
                Depth(2),
                InCycle,
                InCycle,
                BelowCycle,
                InCycle
            ]
        );
        let chain: Vec<Option<usize>> = (0..100_000usize).map(|i| i.checked_sub(1)).collect();
        assert_eq!(term_places(&chain)[99_999], Depth(99_999));
    }

    #[test]
    fn terms_are_ordered_parents_first_and_too_deep_ones_refused() {
        let mut yaml = String::from("label: V\nterms:\n");
        yaml.push_str("  - { key: b, label: B, parent: a }\n  - { key: a, label: A }\n");
        yaml.push_str("  - { key: c, label: C }\n  - { key: d, label: D, parent: a }\n");
        let mut vocab: Vocabulary = serde_yaml::from_str(&yaml).unwrap();
        let mut report = Report::default();
        validate_vocabulary(&mut vocab, &yaml, Path::new("v.yaml"), &mut report);
        assert!(report.diagnostics.is_empty(), "{:?}", report.diagnostics);
        assert_eq!(vocab.order(), &[(1, 0), (0, 1), (3, 1), (2, 0)]);
        assert_eq!(vocab.children(1), &[0, 3]);
        assert!(vocab.is_hierarchical());

        let mut yaml = String::from("label: V\nterms:\n  - { key: t0, label: T }\n");
        for i in 1..=MAX_TERM_DEPTH + 3 {
            yaml.push_str(&format!(
                "  - {{ key: t{i}, label: T, parent: t{} }}\n",
                i - 1
            ));
        }
        let mut vocab: Vocabulary = serde_yaml::from_str(&yaml).unwrap();
        validate_vocabulary(&mut vocab, &yaml, Path::new("v.yaml"), &mut report);
        let codes: Vec<&str> = report.diagnostics.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["vocabulary-too-deep"]);
        assert!(report.diagnostics[0]
            .message
            .contains(&format!("t{MAX_TERM_DEPTH}`")));
        assert_eq!(vocab.order().len(), MAX_TERM_DEPTH);
        assert_eq!(vocab.ancestors(MAX_TERM_DEPTH + 3).len(), MAX_TERM_DEPTH);
    }

    fn test_config() -> Config {
        Config {
            root: PathBuf::new(),
            content_dir: PathBuf::new(),
            title: Localized::default(),
            tagline: None,
            description: Localized::default(),
            base_url: "/".into(),
            language: "de".into(),
            languages: vec!["de".into()],
            untranslated: Untranslated::Show,
            theme: "default".into(),
            edit_url: None,
            map: MapConfig::default(),
            pages: PageSlots::default(),
            segments: crate::urls::Segments::for_language("de"),
            allow_raw_html: false,
            search: true,
            synonyms: Vec::new(),
            preview: false,
            images: ImageSettings::default(),
            roles: Roles::default(),
            fields: BTreeMap::new(),
            types: vec![],
            facets: vec![],
            similarity: BTreeMap::new(),
            collections: None,
            finder: None,
            vocabularies: BTreeMap::new(),
        }
    }

    #[test]
    fn clean_segments() {
        assert!(is_clean_segment("lebendige-quartiere"));
        assert!(!is_clean_segment("Quartier"));
        assert!(!is_clean_segment("../x"));
        assert!(!is_clean_segment(""));
    }
}
