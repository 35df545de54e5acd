//! The catalogue's own schema: `content/site.yaml` (types, fields, roles, facets) and the
//! vocabularies in `content/vocabularies/`. Nothing about the typology is hard-coded in Rust.

use crate::diagnostic::{did_you_mean, list_preview, Diagnostic, FileProblems, Report};
use crate::source::{self, KeyLines};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// The kinds of value a field can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Markdown,
    Number,
    Year,
    Date,
    Url,
    Email,
    Geo,
    Image,
    Facet,
    Reference,
    List,
}

impl FieldKind {
    /// The name used in site.yaml (`facet`), also given to templates.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Markdown => "markdown",
            FieldKind::Number => "number",
            FieldKind::Year => "year",
            FieldKind::Date => "date",
            FieldKind::Url => "url",
            FieldKind::Email => "email",
            FieldKind::Geo => "geo",
            FieldKind::Image => "image",
            FieldKind::Facet => "facet",
            FieldKind::Reference => "reference",
            FieldKind::List => "list",
        }
    }
}

/// What the items of a `list` field are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ListItem {
    #[default]
    Text,
    Url,
    /// A plain label or a `{ title, url }` pair (sources, further reading).
    Link,
}

impl ListItem {
    pub fn name(self) -> &'static str {
        match self {
            ListItem::Text => "text",
            ListItem::Url => "url",
            ListItem::Link => "link",
        }
    }
}

/// One field definition from `site.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct FieldDef {
    #[serde(skip_deserializing)]
    pub key: String,
    pub kind: FieldKind,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub required: bool,
    /// facet: the vocabulary whose terms are allowed.
    #[serde(default)]
    pub vocabulary: Option<String>,
    /// facet and reference: whether a list of values is allowed.
    #[serde(default)]
    pub multiple: bool,
    /// reference: the entry types it may point to.
    #[serde(default)]
    pub to: Vec<String>,
    /// reference: the label of the relation seen from the target ("Formate an diesem Ort").
    #[serde(default)]
    pub inverse: Option<String>,
    /// list: the kind of its items.
    #[serde(default)]
    pub item: ListItem,
}

/// One entry type (Ort, Format, Strategie).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct EntryType {
    pub key: String,
    pub folder: String,
    pub label: String,
    pub plural: String,
    #[serde(default)]
    pub description: Option<String>,
    /// Accent colour of the type; always shown together with the text label.
    #[serde(default)]
    pub color: Option<String>,
    pub fields: Vec<String>,
}

/// Which field plays which part on the site.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
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
}

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    #[serde(default)]
    pub tiles: Option<String>,
    #[serde(default)]
    pub attribution: Option<String>,
}

/// `site.yaml` as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct SiteFile {
    title: String,
    #[serde(default)]
    description: String,
    base_url: String,
    #[serde(default = "default_language")]
    language: String,
    #[serde(default = "default_theme")]
    theme: String,
    #[serde(default)]
    edit_url: Option<String>,
    #[serde(default)]
    map: MapConfig,
    #[serde(default)]
    allow_raw_html: bool,
    #[serde(default)]
    search: Option<bool>,
    roles: Roles,
    fields: BTreeMap<String, FieldDef>,
    types: Vec<EntryType>,
    #[serde(default)]
    facets: Vec<String>,
    /// Weights of shared terms per facet for "similar entries"; facets not named weigh 1.
    #[serde(default)]
    similarity: BTreeMap<String, f64>,
}

fn default_language() -> String {
    "de".into()
}
fn default_theme() -> String {
    "default".into()
}

/// A term of a vocabulary.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
}

/// A controlled vocabulary, from `content/vocabularies/<key>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    #[serde(skip_deserializing)]
    pub key: String,
    pub label: String,
    #[serde(default)]
    pub plural: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    pub terms: Vec<Term>,
    #[serde(skip)]
    index: HashMap<String, usize>,
    /// Per term, its children in file order; made once, so that pages need not search the terms.
    #[serde(skip)]
    children: Vec<Vec<usize>>,
    /// Every term once, parents before their children (depth-first, in file order), with its
    /// depth: the order of term lists and filters.
    #[serde(skip)]
    order: Vec<(usize, usize)>,
    /// Whether any term has a parent (asked for every term page).
    #[serde(skip)]
    hierarchical: bool,
}

/// How deeply terms may nest (a top-level term has depth 0). Deeper hierarchies are refused: no
/// hand-made vocabulary needs them, and every entry's terms are expanded by their ancestors.
pub const MAX_TERM_DEPTH: usize = 16;

impl Vocabulary {
    pub fn term(&self, key: &str) -> Option<&Term> {
        self.index.get(key).map(|i| &self.terms[*i])
    }

    pub fn term_index(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub fn is_hierarchical(&self) -> bool {
        self.hierarchical
    }

    /// The children of a term, in file order.
    pub fn children(&self, term: usize) -> &[usize] {
        self.children.get(term).map_or(&[], Vec::as_slice)
    }

    /// Every term once with its depth, parents before their children (see `order`).
    pub fn order(&self) -> &[(usize, usize)] {
        &self.order
    }

    /// The chain of ancestors of a term, nearest first; at most [`MAX_TERM_DEPTH`] long, also
    /// in a vocabulary that was refused for a deeper or cyclic hierarchy.
    pub fn ancestors(&self, term: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.terms[term].parent.as_deref();
        while let Some(p) = cur.and_then(|k| self.term_index(k)) {
            if out.len() >= MAX_TERM_DEPTH || out.contains(&p) || p == term {
                break;
            }
            out.push(p);
            cur = self.terms[p].parent.as_deref();
        }
        out
    }

    pub fn plural_label(&self) -> &str {
        self.plural.as_deref().unwrap_or(&self.label)
    }
}

/// The whole schema of a catalogue, validated.
#[derive(Debug, Clone)]
pub struct Config {
    pub root: PathBuf,
    pub content_dir: PathBuf,
    pub title: String,
    pub description: String,
    pub base_url: String,
    pub language: String,
    pub theme: String,
    pub edit_url: Option<String>,
    pub map: MapConfig,
    pub allow_raw_html: bool,
    pub search: bool,
    /// Built as `serve` shows it (`build --preview`, and `serve` itself): what only editors
    /// see may appear. Never set by site.yaml.
    pub preview: bool,
    pub roles: Roles,
    pub fields: BTreeMap<String, FieldDef>,
    pub types: Vec<EntryType>,
    pub facets: Vec<String>,
    pub similarity: BTreeMap<String, f64>,
    pub vocabularies: BTreeMap<String, Vocabulary>,
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

/// Whether a URL-valued setting (the base URL from site.yaml or `--base-url`, `edit_url`, the
/// map's tile URL) can go into every page, feed, sitemap and robots.txt as it is: an absolute
/// `http(s)://` address with a host, or a path that starts with exactly one `/`, and no control
/// characters. Everything else is refused where it enters: `javascript:` would become a script
/// link on every page, `//evil.example/` and `/\evil.example/` are addresses of another host,
/// and a line break would add lines to robots.txt. `Err` says why, in words.
pub fn check_url_setting(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("it contains the control character {:?}", c));
    }
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match url::Url::parse(value) {
            Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            Ok(_) => Err("it has no host name".into()),
            Err(e) => Err(e.to_string()),
        };
    }
    match value.strip_prefix('/') {
        Some(rest) if rest.starts_with(['/', '\\']) => {
            Err("it starts with `//` or `/\\`, which browsers read as another host".into())
        }
        Some(_) => Ok(()),
        None if value.contains(':') => Err(format!(
            "the scheme `{}:` is not allowed",
            crate::diagnostic::truncate_chars(value.split(':').next().unwrap_or(""), 20)
        )),
        None => Err("it has no scheme and is not a path starting with `/`".into()),
    }
}

/// `value` with its control characters written as escapes (`\n`), so they can be seen.
fn shown_controls(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The diagnostic for a URL setting [`check_url_setting`] refused; `file` is site.yaml or, for
/// a command-line option, the option's name.
fn url_setting_problem(
    file: impl Into<PathBuf>,
    setting: &str,
    value: &str,
    why: &str,
) -> Diagnostic {
    Diagnostic::error(
        "invalid-url-setting",
        file,
        format!("`{setting}` is not a usable address: {why}"),
    )
    .found(format!(
        "`{}`",
        crate::diagnostic::truncate_chars(&shown_controls(value), 80)
    ))
    .expected("an address starting with `https://` or `http://`, or a path starting with one `/`")
}

impl Config {
    /// Loads `<root>/content/site.yaml` and the vocabularies; all problems go to `report`.
    /// Returns `None` only when the schema is too broken to validate entries against.
    pub fn load(root: &Path, report: &mut Report) -> Option<Config> {
        let content_dir = root.join("content");
        let site_path = content_dir.join("site.yaml");
        let shown = PathBuf::from("content/site.yaml");
        if !site_path.is_file() {
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
        let text = match source::read(&site_path, &shown) {
            Ok(t) => t,
            Err(d) => {
                report.push(*d);
                return None;
            }
        };
        let site: SiteFile = match source::yaml::from_str(&text) {
            Ok(s) => s,
            Err(e) => {
                let mut d = source::yaml_error(&e, &text, 1, &shown);
                d.code = "invalid-schema";
                if d.message.contains("unknown variant") {
                    d = d.hint("field kinds are: text, markdown, number, year, date, url, email, geo, image, facet, reference, list");
                }
                report.push(d);
                return None;
            }
        };
        let vocabularies = load_vocabularies(&content_dir, &within, report);
        let mut config = Config {
            root: root.to_path_buf(),
            content_dir,
            title: site.title,
            description: site.description,
            base_url: normalize_base_url(&site.base_url),
            language: site.language,
            theme: site.theme,
            edit_url: site.edit_url,
            map: site.map,
            allow_raw_html: site.allow_raw_html,
            search: site.search.unwrap_or(true),
            preview: false,
            roles: site.roles,
            fields: site.fields,
            types: site.types,
            facets: site.facets,
            similarity: site.similarity,
            vocabularies,
        };
        for (key, field) in config.fields.iter_mut() {
            field.key = key.clone();
        }
        let before = report.error_count();
        config.validate(&text, &shown, report);
        (report.error_count() == before).then_some(config)
    }

    /// Checks site.yaml as a whole; its problems are capped per kind like an entry's, and each
    /// is located only when it is shown (a location reads the text).
    fn validate(&self, text: &str, shown: &Path, report: &mut Report) {
        let mut problems = FileProblems::new(shown);
        let keys = KeyLines::scan(text, 1);
        let at_key = |d: Diagnostic, top: &str, needle: &str| match keys
            .locate_in_value(text, top, needle)
        {
            Some((l, c, _)) => d.at(text, l, c, needle.chars().count()),
            None => d,
        };
        if !["de", "en"].contains(&self.language.as_str()) {
            problems.push_with("invalid-schema", || {
                at_key(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!(
                            "unsupported language `{}`",
                            crate::diagnostic::truncate_chars(&self.language, 20)
                        ),
                    )
                    .expected("`de` or `en`"),
                    "language",
                    &self.language,
                )
            });
        }
        if !is_clean_segment(&self.theme) {
            problems.push_with("invalid-schema", || {
                at_key(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!(
                            "theme `{}` is not the name of a folder in themes/",
                            crate::diagnostic::truncate_chars(&self.theme, 60)
                        ),
                    )
                    .expected("a name like `default`: lowercase letters, digits and `-`, no path")
                    .hint("put the theme into themes/<name>/ of the catalogue and give its name"),
                    "theme",
                    &self.theme,
                )
            });
        }
        let url_settings = [
            ("base_url", "base_url", Some(&self.base_url)),
            ("edit_url", "edit_url", self.edit_url.as_ref()),
            ("map", "map: tiles", self.map.tiles.as_ref()),
        ];
        for (top, setting, value) in url_settings {
            let Some(value) = value else { continue };
            if let Err(why) = check_url_setting(value) {
                problems.push_with("invalid-url-setting", || {
                    at_key(url_setting_problem(shown, setting, value, &why), top, value)
                });
            }
        }
        let field_keys: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        let type_keys: Vec<&str> = self.types.iter().map(|t| t.key.as_str()).collect();
        let unknown_field = |problems: &mut FileProblems, name: &str, top: &str, context: &str| {
            problems.push_with("invalid-schema", || {
                at_key(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!("{context} names unknown field `{name}`"),
                    )
                    .expected(format!(
                        "one of the fields defined under `fields:`: {}",
                        list_preview(field_keys.iter().copied(), 12)
                    ))
                    .maybe_hint(
                        did_you_mean(name, field_keys.iter().copied())
                            .map(|s| format!("did you mean `{s}`?")),
                    ),
                    top,
                    name,
                )
            });
        };
        for (key, field) in &self.fields {
            match field.kind {
                FieldKind::Facet => {
                    match &field.vocabulary {
                        None => problems.push_with("invalid-schema", || {
                            at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("facet field `{key}` has no vocabulary"),
                        )
                        .hint("add `vocabulary: <name>` naming a file in content/vocabularies/"),
                        "fields",
                        &format!("{key}:"),
                    )
                        }),
                        Some(v) if !self.vocabularies.contains_key(v) => {
                            problems.push_with("missing-vocabulary", || {
                                at_key(
                        Diagnostic::error(
                            "missing-vocabulary",
                            shown,
                            format!("field `{key}` uses vocabulary `{v}`, which does not exist"),
                        )
                        .expected(format!("a file content/vocabularies/{v}.yaml"))
                        .maybe_hint(
                            did_you_mean(v, self.vocabularies.keys().map(String::as_str))
                                .map(|s| format!("did you mean `{s}`?")),
                        ),
                        "fields",
                        v,
                    )
                            })
                        }
                        Some(_) => {}
                    }
                }
                FieldKind::Reference => {
                    if field.to.is_empty() {
                        problems.push_with("invalid-schema", || {
                            at_key(
                                Diagnostic::error(
                                    "invalid-schema",
                                    shown,
                                    format!("reference field `{key}` names no target type"),
                                )
                                .hint(format!("add `to: [{}]`", type_keys.join(", "))),
                                "fields",
                                &format!("{key}:"),
                            )
                        });
                    }
                    for t in &field.to {
                        if !type_keys.contains(&t.as_str()) {
                            problems.push_with("invalid-schema", || {
                                at_key(
                                    Diagnostic::error(
                                        "invalid-schema",
                                        shown,
                                        format!(
                                            "reference field `{key}` points to unknown type `{t}`"
                                        ),
                                    )
                                    .expected(format!(
                                        "one of {}",
                                        list_preview(type_keys.iter().copied(), 12)
                                    )),
                                    "fields",
                                    t,
                                )
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut folders = HashSet::new();
        let mut seen_types: HashMap<&str, usize> = HashMap::new();
        for ty in &self.types {
            let occurrence = seen_types.entry(ty.key.as_str()).or_insert(0);
            *occurrence += 1;
            if *occurrence > 1 {
                // At the duplicate, not at the first definition.
                let nth = *occurrence - 1;
                problems.push_with("invalid-schema", || {
                    let d = Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!("type `{}` is defined twice", ty.key),
                    );
                    match field_line(text, "key", &ty.key, nth) {
                        Some((l, c)) => d.at(text, l, c, ty.key.chars().count()),
                        None => at_key(d, "types", &ty.key),
                    }
                });
            }
            if !is_type_key(&ty.key) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "type key `{}` is not a clean name",
                                crate::diagnostic::truncate_chars(&ty.key, 60)
                            ),
                        )
                        .expected(
                            "lowercase letters, digits and `-` (the key names CSS classes and ids)",
                        ),
                        "types",
                        &ty.key,
                    )
                });
            }
            if let Some(color) = ty.color.as_deref().filter(|c| !is_css_colour(c)) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("type `{}` has an unusable colour", ty.key),
                        )
                        .found(format!(
                            "`{}`",
                            crate::diagnostic::truncate_chars(color, 60)
                        ))
                        .expected("a CSS colour: `#0b6e4f`, `#abc`, `teal` or `rgb(11 110 79)`")
                        .hint("the colour goes into the site's stylesheet as it is written"),
                        "types",
                        color,
                    )
                });
            }
            if !is_clean_segment(&ty.folder) || crate::urls::RESERVED.contains(&ty.folder.as_str())
            {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("type `{}` has an unusable folder `{}`", ty.key, ty.folder),
                        )
                        .expected(format!(
                            "lowercase letters, digits and `-`, not one of {}",
                            crate::urls::RESERVED.join(", ")
                        )),
                        "types",
                        &ty.folder,
                    )
                });
            }
            if !folders.insert(ty.folder.as_str()) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("folder `{}` is used by two types", ty.folder),
                        ),
                        "types",
                        &ty.folder,
                    )
                });
            }
            for f in &ty.fields {
                if !self.fields.contains_key(f) {
                    unknown_field(&mut problems, f, "types", &format!("type `{}`", ty.key));
                }
            }
            if !ty.fields.contains(&self.roles.title) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "type `{}` lacks the title field `{}`",
                                ty.key, self.roles.title
                            ),
                        )
                        .hint("every type needs the field named in `roles: title:`"),
                        "types",
                        &ty.key,
                    )
                });
            }
        }
        let roles = [
            Some(&self.roles.title),
            self.roles.summary.as_ref(),
            self.roles.place.as_ref(),
            self.roles.geo.as_ref(),
            self.roles.image.as_ref(),
        ];
        for role in roles.into_iter().flatten() {
            if !self.fields.contains_key(role) {
                unknown_field(&mut problems, role, "roles", "roles");
            }
        }
        if let Some(geo) = self.roles.geo.as_ref().and_then(|g| self.fields.get(g)) {
            if geo.kind != FieldKind::Geo {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("the geo role names `{}`, which is not a geo field", geo.key),
                        ),
                        "roles",
                        &geo.key,
                    )
                });
            }
        }
        for facet in &self.facets {
            match self.fields.get(facet) {
                None => unknown_field(&mut problems, facet, "facets", "facets"),
                Some(f) if f.kind != FieldKind::Facet => {
                    problems.push_with("invalid-schema", || {
                        at_key(
                            Diagnostic::error(
                                "invalid-schema",
                                shown,
                                format!(
                                    "`{facet}` is listed under facets but is a {:?} field",
                                    f.kind
                                )
                                .to_lowercase(),
                            )
                            .expected("a field of kind `facet`"),
                            "facets",
                            facet,
                        )
                    })
                }
                Some(_) => {}
            }
        }
        for v in self.vocabularies.keys() {
            if crate::urls::RESERVED.contains(&v.as_str()) || folders.contains(v.as_str()) {
                report.push(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        format!("content/vocabularies/{v}.yaml"),
                        format!("vocabulary name `{v}` collides with a path the site uses"),
                    )
                    .hint("rename the vocabulary file"),
                );
            }
        }
        report.extend(problems.finish());
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

    /// The address of an entry's page.
    pub fn entry_address(&self, type_index: usize, slug: &str) -> String {
        crate::urls::entry(&self.types[type_index].folder, slug)
    }

    pub fn base_path(&self) -> String {
        let after_scheme = self.base_url.split("://").nth(1).unwrap_or(&self.base_url);
        match after_scheme.find('/') {
            Some(i) if self.base_url.contains("://") => after_scheme[i..].to_string(),
            _ if self.base_url.starts_with('/') => self.base_url.clone(),
            _ => "/".into(),
        }
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

/// Whether `s` can be a type key: it goes into ids (`ort/x`), paths and CSS class names
/// (`.t-ort`), so only `[a-z0-9-]`.
fn is_type_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `s` is written in CSS colour syntax: `#` and 3, 4, 6 or 8 hex digits, a colour name,
/// or a colour function (`rgb(…)`, `hsl(…)`, `oklch(…)`, …) of numbers, units and separators.
/// Nothing else may reach the stylesheet: `red}body{display:none}` would hide every page.
pub fn is_css_colour(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if (3..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let Some((name, args)) = s.split_once('(') else {
        return false;
    };
    let Some(args) = args.strip_suffix(')') else {
        return false;
    };
    const FUNCTIONS: &[&str] = &[
        "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color",
    ];
    FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
        && args.len() <= 100
        && args.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b',' | b'%' | b'/' | b'+' | b'-')
        })
}

/// Whether `s` is usable as one URL path segment we generate (`lowercase-ascii-123`).
pub fn is_clean_segment(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 120
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_')
        && !s.starts_with('-')
}

/// Reads `content/vocabularies/*.yaml`; the folder and each file must stay inside `within`
/// (the canonical content folder).
fn load_vocabularies(
    content_dir: &Path,
    within: &Path,
    report: &mut Report,
) -> BTreeMap<String, Vocabulary> {
    let dir = content_dir.join("vocabularies");
    let mut out = BTreeMap::new();
    if let Some(target) = source::escapes(&dir, within) {
        report.push(source::symlink_outside("content/vocabularies", &target));
        return out;
    }
    let Ok(read_dir) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = read_dir.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !is_yaml || stem.starts_with('.') {
            continue;
        }
        let shown =
            PathBuf::from("content/vocabularies").join(path.file_name().unwrap_or_default());
        if !is_clean_segment(stem) {
            report.push(
                Diagnostic::error(
                    "invalid-vocabulary",
                    &shown,
                    format!("vocabulary name `{stem}` is not a clean name"),
                )
                .expected("lowercase letters, digits and `-`"),
            );
            continue;
        }
        if let Some(target) = source::escapes(&path, within) {
            report.push(source::symlink_outside(&shown, &target));
            continue;
        }
        let text = match source::read(&path, &shown) {
            Ok(t) => t,
            Err(d) => {
                report.push(*d);
                continue;
            }
        };
        let mut vocab: Vocabulary = match source::yaml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let mut d = source::yaml_error(&e, &text, 1, &shown);
                d.code = "invalid-vocabulary";
                report.push(d);
                continue;
            }
        };
        vocab.key = stem.to_string();
        validate_vocabulary(&mut vocab, &text, &shown, report);
        out.insert(vocab.key.clone(), vocab);
    }
    out
}

/// The 1-based line and column of the `nth` line reading `<field>: <value>` (the value plain or
/// quoted, the line optionally a list item).
fn field_line(text: &str, field: &str, value: &str, nth: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let trimmed = l.trim_start().trim_start_matches("- ").trim_start();
            // A flow mapping (`- { key: ort, folder: orte }`) holds the field first.
            let (trimmed, flow) = match trimmed.strip_prefix('{') {
                Some(inner) => (inner.trim_start(), true),
                None => (trimmed, false),
            };
            let rest = trimmed.strip_prefix(field)?.strip_prefix(':')?.trim();
            let rest = match flow {
                true => rest.split([',', '}']).next().unwrap_or("").trim(),
                false => rest,
            };
            let found = rest.trim_matches(['"', '\'']) == value;
            found.then(|| {
                (
                    i + 1,
                    l.len() - l.trim_start().len() + 1 + l.trim_start().len() - trimmed.len()
                        + field.len()
                        + 2,
                )
            })
        })
        .nth(nth)
}

/// Checks term keys, duplicates, parents and cycles; builds the key index.
fn validate_vocabulary(vocab: &mut Vocabulary, text: &str, shown: &Path, report: &mut Report) {
    // Points at the `nth` line (0-based) reading `<field>: <value>` (quoted or not).
    let at_nth = |d: Diagnostic, field: &str, value: &str, nth: usize| match field_line(
        text, field, value, nth,
    ) {
        Some((l, c)) => d.at(text, l, c, value.chars().count()),
        None => d,
    };
    let at = |d: Diagnostic, value: &str| at_nth(d, "key", value, 0);
    let mut problems = FileProblems::new(shown);
    let mut index = HashMap::new();
    let mut defined: HashMap<&str, usize> = HashMap::new();
    for (i, term) in vocab.terms.iter().enumerate() {
        if !is_clean_segment(&term.key) {
            problems.push_with("invalid-vocabulary", || {
                at(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        shown,
                        format!("term key `{}` is not a clean name", term.key),
                    )
                    .expected("lowercase letters, digits and `-` (the key becomes part of a URL)"),
                    &term.key,
                )
            });
        }
        let occurrence = defined.entry(term.key.as_str()).or_insert(0);
        *occurrence += 1;
        let occurrence = *occurrence;
        if index.insert(term.key.clone(), i).is_some() {
            problems.push_with("invalid-vocabulary", || {
                at_nth(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        shown,
                        format!("term `{}` is defined twice", term.key),
                    ),
                    "key",
                    &term.key,
                    occurrence - 1,
                )
            });
        }
    }
    vocab.index = index;
    for term in &vocab.terms {
        if let Some(p) = &term.parent {
            if vocab.term(p).is_none() {
                problems.push_with("invalid-vocabulary", || {
                    at_nth(
                        Diagnostic::error(
                            "invalid-vocabulary",
                            shown,
                            format!("term `{}` has unknown parent `{p}`", term.key),
                        )
                        .maybe_hint(
                            did_you_mean(p, vocab.terms.iter().map(|t| t.key.as_str()))
                                .map(|s| format!("did you mean `{s}`?")),
                        ),
                        "parent",
                        p,
                        0,
                    )
                });
            }
        }
    }
    let parents: Vec<Option<usize>> = vocab
        .terms
        .iter()
        .map(|t| t.parent.as_deref().and_then(|p| vocab.term_index(p)))
        .collect();
    let places = term_places(&parents);
    for (i, place) in places.iter().enumerate() {
        let key = &vocab.terms[i].key;
        match place {
            TermPlace::InCycle => problems.push_with("cyclic-vocabulary", || {
                at(
                    Diagnostic::error(
                        "cyclic-vocabulary",
                        shown,
                        format!("term `{key}` is its own ancestor"),
                    )
                    .hint("parents must form a tree; remove one `parent:` in the cycle"),
                    key,
                )
            }),
            TermPlace::Depth(MAX_TERM_DEPTH) => problems.push_with("vocabulary-too-deep", || {
                at(
                    Diagnostic::error(
                        "vocabulary-too-deep",
                        shown,
                        format!("term `{key}` is nested {} levels deep", MAX_TERM_DEPTH + 1),
                    )
                    .expected(format!("at most {MAX_TERM_DEPTH} levels of `parent:`"))
                    .hint("group the terms in fewer levels"),
                    key,
                )
            }),
            _ => {}
        }
    }
    report.extend(problems.finish());
    let mut children = vec![Vec::new(); vocab.terms.len()];
    let mut roots = Vec::new();
    for (i, parent) in parents.iter().enumerate() {
        match parent {
            Some(p) => children[*p].push(i),
            None if vocab.terms[i].parent.is_none() => roots.push(i),
            None => {}
        }
    }
    // Depth first, parents before children, siblings in file order; terms in a cycle, under an
    // unknown parent or too deep are left out (they are errors above).
    let mut order = Vec::with_capacity(vocab.terms.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((t, depth)) = stack.pop() {
        if depth >= MAX_TERM_DEPTH {
            continue;
        }
        order.push((t, depth));
        stack.extend(children[t].iter().rev().map(|&c| (c, depth + 1)));
    }
    vocab.hierarchical = vocab.terms.iter().any(|t| t.parent.is_some());
    vocab.children = children;
    vocab.order = order;
}

/// Where a term stands in its vocabulary's hierarchy.
#[derive(Debug, Clone, Copy, PartialEq)]
enum TermPlace {
    /// Below its top-level ancestor, which has depth 0.
    Depth(usize),
    /// The term is its own ancestor.
    InCycle,
    /// An ancestor is in a cycle, the term is not.
    BelowCycle,
}

/// The place of each term (`parents` gives each term's parent). Linear: each chain of parents
/// is walked once, and a walk stops at the first term whose place is known.
fn term_places(parents: &[Option<usize>]) -> Vec<TermPlace> {
    let mut place: Vec<Option<TermPlace>> = vec![None; parents.len()];
    let mut on_path = vec![false; parents.len()];
    let mut path = Vec::new();
    for start in 0..parents.len() {
        let mut cur = Some(start);
        // The place of the parent of the last term on the path; `None` above the top.
        let mut above = loop {
            let Some(c) = cur else { break None };
            if let Some(p) = place[c] {
                break Some(p);
            }
            if on_path[c] {
                let from = path.iter().position(|&p| p == c).unwrap_or(0);
                for &t in &path[from..] {
                    place[t] = Some(TermPlace::InCycle);
                    on_path[t] = false;
                }
                path.truncate(from);
                break Some(TermPlace::InCycle);
            }
            on_path[c] = true;
            path.push(c);
            cur = parents[c];
        };
        while let Some(t) = path.pop() {
            let here = match above {
                None => TermPlace::Depth(0),
                Some(TermPlace::Depth(d)) => TermPlace::Depth(d + 1),
                Some(_) => TermPlace::BelowCycle,
            };
            place[t] = Some(here);
            on_path[t] = false;
            above = Some(here);
        }
    }
    place
        .into_iter()
        .map(|p| p.unwrap_or(TermPlace::BelowCycle))
        .collect()
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
    fn url_settings_are_absolute_http_or_a_path_with_one_slash() {
        for good in [
            "https://example.org/katalog/",
            "http://127.0.0.1:1111/",
            "HTTPS://example.org",
            "/",
            "/katalog/",
            "https://example.org/edit/{path}",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        ] {
            assert_eq!(check_url_setting(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)//",
            "javascript:alert(1)//{path}",
            "//evil.example/",
            "/\\evil.example/",
            "https://example.org/\nDisallow: /",
            "/a\tb",
            "example.org/kat",
            "https://",
            "data:text/html,x",
            "",
        ] {
            assert!(check_url_setting(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn colours_are_css_colour_syntax() {
        for good in [
            "#0b6e4f",
            "#abc",
            "#abcd",
            "#0b6e4f80",
            "teal",
            "rebeccapurple",
            "rgb(11 110 79)",
            "rgba(11, 110, 79, 0.5)",
            "hsl(120deg 50% 40% / 80%)",
            "oklch(0.6 0.1 160)",
        ] {
            assert!(is_css_colour(good), "{good}");
        }
        for bad in [
            "red}body{display:none}.x{a:b",
            "#12345",
            "#ggg",
            "",
            "red;",
            "rgb(1,2,3);x",
            "url(x)",
            "var(--x)",
            "rgb(1 2 3",
            "expression(alert(1))",
            "re d",
        ] {
            assert!(!is_css_colour(bad), "{bad}");
        }
        assert!(is_type_key("ort") && is_type_key("good-practice-2"));
        assert!(
            !is_type_key("ort}x") && !is_type_key("Ort") && !is_type_key("a_b") && !is_type_key("")
        );
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
            title: String::new(),
            description: String::new(),
            base_url: "/".into(),
            language: "de".into(),
            theme: "default".into(),
            edit_url: None,
            map: MapConfig::default(),
            allow_raw_html: false,
            search: true,
            preview: false,
            roles: Roles::default(),
            fields: BTreeMap::new(),
            types: vec![],
            facets: vec![],
            similarity: BTreeMap::new(),
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
