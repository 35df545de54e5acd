//! Rendering: the page plan (which pages exist) and filling the theme's templates with small,
//! precomputed contexts. Receives a resolved `Catalogue`; never loads or validates content.

pub mod assets;
pub mod fill;
pub mod ics;
pub mod memo;
pub mod text;
pub mod theme;
pub mod views;
pub mod xml;

mod context;
mod discovery;
pub mod finder;
mod fingerprint;
mod inputs;
mod jsonld;
pub mod languages;
pub mod outline;
mod page;
mod plan;

use crate::config::Config;
use crate::model::Updated;
use crate::resolve::{Catalogue, FinderResults};
use crate::urls;
use context::*;
pub use context::{browser_url, newest_entries, term_order};
pub use discovery::event_place;
pub use fingerprint::{site_fingerprint, PageFingerprints};
pub use inputs::{EntryInputs, Inputs, PageInputs};
pub use plan::{plan, PageKind};
use std::sync::Arc;
use tera::{Context, Tera, Value};
use theme::Theme;
use views::{map, Views};

/// Entries per page of a type list.
pub const PAGE_SIZE: usize = 50;

/// Cards the catalogue browser renders on the server (the rest comes from its JSON index).
pub const BROWSER_FIRST_CARDS: usize = 24;

/// Bytes reserved for a page before rendering it: most pages of the default theme fit.
const PAGE_CAPACITY: usize = 32 * 1024;

/// A template failed to compile or render.
#[derive(Debug, thiserror::Error)]
#[error("template `{template}`: {message}")]
pub struct RenderError {
    pub template: String,
    pub message: String,
}

impl RenderError {
    fn from_tera(template: &str, e: tera::Error) -> RenderError {
        let mut message = e.to_string();
        let mut source = std::error::Error::source(&e);
        while let Some(s) = source {
            message.push_str(&format!(": {s}"));
            source = s.source();
        }
        RenderError {
            template: template.into(),
            message,
        }
    }
}

/// The longest meta description, in characters: what search engines show of it.
pub const META_DESCRIPTION: usize = 155;

/// A page's meta description: its own text, made unique where pages of a kind share one (terms
/// with the same description, later pages of a list), and cut to [`META_DESCRIPTION`].
fn meta_description(
    cat: &Catalogue,
    page: &PageKind,
    title: &str,
    description: &str,
    s: &dyn Fn(&str) -> String,
) -> String {
    let config = &cat.config;
    let text = match page {
        PageKind::Term { vocabulary, term } => {
            let count = cat
                .facet_of_vocabulary(vocabulary)
                .map_or(0, |f| f.members[*term].len());
            let head = s("term_meta").replace("{label}", title).replace(
                "{vocabulary}",
                config.vocabularies[vocabulary].plural_label(),
            );
            let head = head.replace("{n}", &count.to_string());
            format!("{head} {description}")
        }
        PageKind::TypeList { page, .. } if *page > 1 => {
            let suffix = format!(" ({} {page})", s("page"));
            let room = META_DESCRIPTION.saturating_sub(suffix.chars().count());
            return format!("{}{suffix}", text::cut_words(description, room));
        }
        PageKind::Entry(i) if description.is_empty() => {
            let e = &cat.entries[*i];
            format!("{title} – {}", config.types[e.type_index].label)
        }
        // Not the type list's description: the calendar is another page.
        PageKind::Calendar(_) if !description.is_empty() => format!("{title}. {description}"),
        // Only the home page says what the whole site is; any other page without words of its
        // own names itself (a year of a calendar, a collection without a summary).
        PageKind::Home if description.is_empty() => config.description.to_string(),
        _ if description.is_empty() => format!("{title} – {}", config.title),
        _ => description.to_string(),
    };
    text::cut_words(text.trim(), META_DESCRIPTION)
}

/// The host a tile server's URL names (`tile.openstreetmap.org`), for "Karte laden (…)".
fn tile_host(tiles: &crate::config::Tiles) -> Option<String> {
    url::Url::parse(tiles.url())
        .ok()
        .and_then(|u| u.host_str().map(str::to_string))
}

/// Compiled templates plus the theme they came from.
pub struct Renderer {
    pub tera: Tera,
    /// The `.xml` templates, which `export` fills (feeds, sitemap).
    pub xml: xml::XmlTemplates,
    /// The `.ics` templates, which `export` fills (event calendars).
    pub ics: ics::IcsTemplates,
    pub theme: Theme,
    /// Rendered components (`memo(component=…)` in templates), kept while `globals` stay.
    memo: Arc<memo::Memo>,
    /// The last `site` and `t` given to the templates.
    globals: Option<(Value, Value)>,
    /// Per page template: the size of the page last rendered from it. The next page's buffer
    /// is reserved at about that size: a large page (a type list, a term with many entries)
    /// holds hundreds of kB, and growing its buffer from [`PAGE_CAPACITY`] copied it several
    /// times (BENCHMARKS.md, session 14).
    last_sizes: Vec<(&'static str, std::sync::atomic::AtomicUsize)>,
}

/// The template of redirect pages; a theme without one gets the built-in one.
pub const REDIRECT_TEMPLATE: &str = "redirect.html";

/// Templates every theme must provide.
pub const REQUIRED_TEMPLATES: &[&str] = &[
    "index.html",
    "browser.html",
    "search.html",
    "map.html",
    "codebook.html",
    "404.html",
    "type.html",
    "entry.html",
    "vocabulary.html",
    "term.html",
    "page.html",
    "collections.html",
    "collection.html",
    "calendar.html",
    "finder.html",
    "compare.html",
    "feed.xml",
    "event.ics",
    "sitemap.xml",
];

impl Renderer {
    /// Compiles the theme's templates once; they are reused for every page and rebuild.
    pub fn new(theme: Theme) -> Result<Renderer, RenderError> {
        let (xml_templates, templates): (Vec<_>, Vec<_>) = theme
            .templates
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .partition(|(k, _)| k.ends_with(".xml") || k.ends_with(".ics"));
        let (ics_templates, xml_templates): (Vec<_>, Vec<_>) = xml_templates
            .into_iter()
            .partition(|(k, _)| k.ends_with(".ics"));
        let xml = xml::XmlTemplates::new(xml_templates)?;
        let ics = ics::IcsTemplates::new(ics_templates)?;
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        let memo = Arc::new(memo::Memo::default());
        tera.register_function(memo::FUNCTION, memo::Memo::function(&memo));
        tera.register_filter(fill::FILTER, fill::fill);
        // Known before the templates load (Tera checks the names); `set_globals` sets the
        // site's base path.
        let asset = assets::function(theme.asset_names.clone(), String::new());
        tera.register_function(assets::FUNCTION, asset);
        tera.add_raw_templates(templates)
            .map_err(|e| RenderError::from_tera("(loading)", e))?;
        // A template from before `asset(…)` would link names a public build does not publish.
        for (name, source) in &theme.templates {
            if let Some(path) = theme.asset_names.named_plainly(source) {
                return Err(RenderError {
                    template: name.clone(),
                    message: format!(
                        "links `assets/{path}` by its plain address, which a public build publishes with a hash of its content in the name; write {{{{ asset(path=\"{path}\") }}}}"
                    ),
                });
            }
        }
        for t in REQUIRED_TEMPLATES {
            if !tera.contains_template(t) && !xml.contains(t) && !ics.contains(t) {
                return Err(RenderError {
                    template: (*t).into(),
                    message: format!("the theme `{}` has no template `{t}`", theme.name),
                });
            }
        }
        Ok(Renderer {
            tera,
            xml,
            ics,
            theme,
            memo,
            globals: None,
            last_sizes: REQUIRED_TEMPLATES
                .iter()
                .chain(&[REDIRECT_TEMPLATE])
                .map(|t| (*t, Default::default()))
                .collect(),
        })
    }

    /// Sets the values every page sees (`site`, `t`); called once per build.
    pub fn set_globals(&mut self, cat: &Catalogue, views: &Views) {
        let config = &cat.config;
        let role_label = |role: Option<&String>| {
            role.and_then(|r| config.fields.get(r))
                .map(|f| f.label.clone())
        };
        let facets: Vec<Value> = cat
            .config
            .facets
            .iter()
            .filter_map(|f| {
                let vocab = config.facet_vocabulary(f)?;
                Some(map([
                    ("field", f.as_str().into()),
                    ("label", config.fields[f].label.as_str().into()),
                    ("plural", vocab.plural_label().into()),
                    ("vocabulary", vocab.key.as_str().into()),
                    ("url", views.urls.path(&urls::vocabulary(&vocab.key)).into()),
                    ("hierarchical", vocab.is_hierarchical().into()),
                ]))
            })
            .collect();
        let pages: Vec<Value> = cat
            .pages
            .iter()
            .map(|p| {
                map([
                    ("slug", p.slug.as_str().into()),
                    ("title", p.title.as_str().into()),
                    ("url", views.urls.path(&urls::free_page(&p.slug)).into()),
                ])
            })
            .collect();
        // The free pages with a part of their own, where they exist.
        let slot = |slug: &Option<String>| {
            let slug = slug.as_deref()?;
            pages
                .iter()
                .zip(&cat.pages)
                .find(|(_, p)| p.slug == slug)
                .map(|(v, _)| v.clone())
        };
        let slots = map([
            ("privacy", slot(&config.pages.privacy).into()),
            ("easy_language", slot(&config.pages.easy_language).into()),
            ("sign_language", slot(&config.pages.sign_language).into()),
        ]);
        let site = map([
            ("title", config.title.as_str().into()),
            ("tagline", config.tagline.clone().into()),
            ("description", config.description.as_str().into()),
            ("base_url", config.base_url.as_str().into()),
            ("base_path", views.urls.base_path.as_str().into()),
            ("language", config.language.as_str().into()),
            ("types", views.types.clone().into()),
            ("facets", facets.into()),
            ("pages", pages.into()),
            ("collections", discovery::collections_settings(cat, views)),
            ("calendars", discovery::calendars(cat, views)),
            (
                "finder",
                config
                    .finder
                    .as_ref()
                    .map(|f| {
                        map([
                            ("title", f.title.clone().into()),
                            ("intro", f.intro.clone().into()),
                            ("url", views.urls.path(&views.segments.finder()).into()),
                        ])
                    })
                    .into(),
            ),
            ("slots", slots),
            (
                "urls",
                map([
                    (
                        "browser",
                        views.urls.path(&config.segments.browser()).into(),
                    ),
                    ("search", views.urls.path(&config.segments.search()).into()),
                    ("map", views.urls.path(&config.segments.map()).into()),
                    (
                        "codebook",
                        views.urls.path(&config.segments.codebook()).into(),
                    ),
                    (
                        "compare",
                        views.urls.path(&config.segments.compare()).into(),
                    ),
                    (
                        "catalogue_json",
                        views.urls.path(&config.segments.catalogue_json()).into(),
                    ),
                    (
                        "all_feed",
                        views.urls.path(&config.segments.all_feed()).into(),
                    ),
                ]),
            ),
            ("entry_count", cat.entries.len().into()),
            ("search", config.search.into()),
            (
                "map_tiles",
                config.map.tiles.as_ref().map(|t| t.url().clone()).into(),
            ),
            (
                "map_consent",
                config
                    .map
                    .tiles
                    .as_ref()
                    .is_some_and(|t| t.consent())
                    .into(),
            ),
            (
                "map_host",
                config.map.tiles.as_ref().and_then(tile_host).into(),
            ),
            ("map_attribution", config.map.attribution.clone().into()),
            (
                "generator",
                concat!("casebook ", env!("CARGO_PKG_VERSION")).into(),
            ),
            ("preview", config.preview.into()),
            (
                "transfer_label",
                role_label(config.roles.transfer.as_ref()).into(),
            ),
            (
                "place_label",
                role_label(config.roles.place.as_ref()).into(),
            ),
        ]);
        let strings: tera::Map = self
            .theme
            .strings
            .iter()
            .map(|(k, v)| (k.clone().into(), Value::from(v.as_str())))
            .collect();
        let strings = Value::from(strings);
        let same = self.globals.as_ref() == Some(&(site.clone(), strings.clone()));
        // Unchanged globals keep their identity too, so memoised components that take a part
        // of them (`items=site.types`) stay cached.
        if !same {
            let globals = self.tera.global_context();
            globals.insert_value("site", site.clone());
            globals.insert_value("t", strings.clone());
            self.xml.set_globals(site.clone(), strings.clone());
            self.ics.set_globals(site.clone(), strings.clone());
            self.globals = Some((site, strings));
        }
        self.tera.register_function(
            assets::FUNCTION,
            // Every language's pages name the assets the default language's site publishes.
            assets::function(
                self.theme.asset_names.clone(),
                cat.config.media_urls().base_path,
            ),
        );
        self.memo.reset(self.tera.clone(), same);
    }

    /// How many rendered components the memo holds, and the bytes of their HTML.
    pub fn memo_size(&self) -> (usize, usize) {
        self.memo.size()
    }

    /// Renders one page to HTML (UTF-8 bytes, as they are written; Tera writes only text).
    pub fn render(
        &self,
        cat: &Catalogue,
        views: &Views,
        page: &PageKind,
        updated: &Updated,
    ) -> Result<Vec<u8>, RenderError> {
        let template = page.template();
        let context = self.context(cat, views, page, updated);
        use std::sync::atomic::Ordering::Relaxed;
        let last = self.last_sizes.iter().find(|(t, _)| *t == template);
        let hint = last.map_or(0, |(_, size)| size.load(Relaxed));
        let mut html = Vec::with_capacity(PAGE_CAPACITY.max(hint + hint / 8));
        self.tera
            .render_to(template, &context, &mut html)
            .map_err(|e| RenderError::from_tera(template, e))?;
        if let Some((_, size)) = last {
            size.store(html.len(), Relaxed);
        }
        Ok(html)
    }
}
