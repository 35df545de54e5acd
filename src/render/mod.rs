//! Rendering: the page plan (which pages exist) and filling the theme's templates with small,
//! precomputed contexts. Receives a resolved `Catalogue`; never loads or validates content.

pub mod fill;
pub mod memo;
pub mod text;
pub mod theme;
pub mod views;
pub mod xml;

mod context;
mod fingerprint;
mod jsonld;
pub mod languages;
mod plan;

use crate::config::Config;
use crate::model::Updated;
use crate::resolve::Catalogue;
use crate::urls;
use context::*;
pub use context::{browser_url, newest_entries, term_order};
pub use fingerprint::{site_fingerprint, PageFingerprints};
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
        PageKind::Free(_) | PageKind::Vocabulary(_) if description.is_empty() => {
            format!("{title} – {}", config.title)
        }
        _ if description.is_empty() => config.description.to_string(),
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
    pub theme: Theme,
    /// Rendered components (`memo(component=…)` in templates), kept while `globals` stay.
    memo: Arc<memo::Memo>,
    /// The last `site` and `t` given to the templates.
    globals: Option<(Value, Value)>,
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
    "feed.xml",
    "sitemap.xml",
];

impl Renderer {
    /// Compiles the theme's templates once; they are reused for every page and rebuild.
    pub fn new(theme: Theme) -> Result<Renderer, RenderError> {
        let (xml_templates, templates): (Vec<_>, Vec<_>) = theme
            .templates
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .partition(|(k, _)| k.ends_with(".xml"));
        let xml = xml::XmlTemplates::new(xml_templates)?;
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html"]);
        let memo = Arc::new(memo::Memo::default());
        tera.register_function(memo::FUNCTION, memo::Memo::function(&memo));
        tera.register_filter(fill::FILTER, fill::fill);
        tera.add_raw_templates(templates)
            .map_err(|e| RenderError::from_tera("(loading)", e))?;
        for t in REQUIRED_TEMPLATES {
            if !tera.contains_template(t) && !xml.contains(t) {
                return Err(RenderError {
                    template: (*t).into(),
                    message: format!("the theme `{}` has no template `{t}`", theme.name),
                });
            }
        }
        Ok(Renderer {
            tera,
            xml,
            theme,
            memo,
            globals: None,
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
            self.globals = Some((site, strings));
        }
        self.memo.reset(self.tera.clone(), same);
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
        let mut html = Vec::with_capacity(PAGE_CAPACITY);
        self.tera
            .render_to(template, &context, &mut html)
            .map_err(|e| RenderError::from_tera(template, e))?;
        Ok(html)
    }

    fn context(
        &self,
        cat: &Catalogue,
        views: &Views,
        page: &PageKind,
        updated: &Updated,
    ) -> Context {
        let config = &cat.config;
        let s = |k: &str| {
            self.theme
                .strings
                .get(k)
                .cloned()
                .unwrap_or_else(|| k.to_string())
        };
        let mut ctx = Context::new();
        let rel = page.rel(cat);
        let url = if matches!(page, PageKind::NotFound) {
            views.urls.path(urls::NOT_FOUND)
        } else {
            views.urls.path(&rel)
        };
        let (title, description) = match page {
            PageKind::Home => (config.title.to_string(), config.description.to_string()),
            PageKind::Browser => (s("browser_title"), s("browser_intro")),
            PageKind::Search => (s("search_title"), s("search_intro")),
            PageKind::Map => (s("map_title"), s("map_intro")),
            PageKind::Codebook => (s("codebook_title"), s("codebook_intro")),
            PageKind::NotFound => (s("not_found_title"), s("not_found_intro")),
            PageKind::TypeList { type_index, page } => {
                let t = &config.types[*type_index];
                let title = if *page > 1 {
                    format!("{} ({} {page})", t.plural, s("page"))
                } else {
                    t.plural.to_string()
                };
                (title, t.description.clone().unwrap_or_default().into())
            }
            PageKind::Entry(i) => (
                cat.entries[*i].title.clone(),
                cat.entries[*i].summary.clone().unwrap_or_default(),
            ),
            PageKind::Vocabulary(v) => {
                let vocab = &config.vocabularies[v];
                (
                    vocab.plural_label().to_string(),
                    vocab.description.clone().unwrap_or_default().into(),
                )
            }
            PageKind::Term { vocabulary, term } => {
                let t = &config.vocabularies[vocabulary].terms[*term];
                (
                    t.label.to_string(),
                    t.description.clone().unwrap_or_default().into(),
                )
            }
            PageKind::Free(i) => (
                cat.pages[*i].title.clone(),
                cat.pages[*i].summary.clone().unwrap_or_default(),
            ),
            PageKind::Redirect { entry, .. } => (cat.entries[*entry].title.clone(), String::new()),
        };
        let kind = page.name();
        let alternates = languages::alternates(cat, page);
        // Shown in another language's words for want of a translation.
        let text_language = match page {
            PageKind::Entry(i) => cat.entries[*i].text_language.as_deref(),
            PageKind::Free(i) => cat.pages[*i].text_language.as_deref(),
            _ => None,
        };
        let meta = meta_description(cat, page, &title, &description, &s);
        let json_ld = jsonld::json_ld(cat, views, page, &title, updated, &s("home"));
        // The picture a shared link shows (`og:image`): an entry's lead picture.
        let image = match page {
            PageKind::Entry(i) => views.pictures(*i).first().cloned(),
            _ => None,
        };
        ctx.insert_value(
            "page",
            map([
                ("kind", kind.into()),
                ("title", title.into()),
                ("description", description.into()),
                ("meta_description", meta.into()),
                ("noindex", page.noindex(cat).into()),
                ("json_ld", Value::safe_string(&json_ld)),
                ("url", url.clone().into()),
                ("section", views.urls.path(section(&rel)).into()),
                ("permalink", views.urls.absolute(&url).into()),
                ("alternates", languages::alternates_value(cat, &alternates)),
                ("text_language", text_language.into()),
                ("image", image.into()),
            ]),
        );
        match page {
            PageKind::Home => {
                ctx.insert_value("matrix", matrix(cat, views));
                ctx.insert_value("newest", newest(views));
                ctx.insert_value("entry_points", entry_points(cat, views));
            }
            PageKind::Browser => {
                ctx.insert_value("filters", filters(cat, &s("filter_type")));
                ctx.insert_value(
                    "entries",
                    cat.by_title
                        .iter()
                        .take(BROWSER_FIRST_CARDS)
                        .map(|&i| views.cards[i].clone())
                        .collect::<Vec<_>>()
                        .into(),
                );
                ctx.insert_value("total", cat.entries.len().into());
            }
            PageKind::Search | PageKind::Map | PageKind::NotFound => {}
            PageKind::Codebook => ctx.insert_value("codebook", codebook(cat, views)),
            PageKind::TypeList { type_index, page } => {
                let list = &cat.by_type[*type_index];
                let pages = list.len().div_ceil(PAGE_SIZE).max(1);
                let start = (page - 1) * PAGE_SIZE;
                let cards: Vec<Value> = list
                    .iter()
                    .skip(start)
                    .take(PAGE_SIZE)
                    .map(|&i| views.cards[i].clone())
                    .collect();
                let link = |p: usize| {
                    views.urls.path(
                        &config
                            .segments
                            .type_list(&config.types[*type_index].folder, p),
                    )
                };
                ctx.insert_value("type", views.types[*type_index].clone());
                ctx.insert_value("entries", cards.into());
                ctx.insert_value(
                    "paginator",
                    map([
                        ("current", (*page).into()),
                        ("total_pages", pages.into()),
                        ("first_item", (start + 1).into()),
                        ("last_item", (start + PAGE_SIZE).min(list.len()).into()),
                        ("total_items", list.len().into()),
                        ("prev_url", (*page > 1).then(|| link(page - 1)).into()),
                        ("next_url", (*page < pages).then(|| link(page + 1)).into()),
                        (
                            "pages",
                            (1..=pages)
                                .map(|p| map([("number", p.into()), ("url", link(p).into())]))
                                .collect::<Vec<_>>()
                                .into(),
                        ),
                    ]),
                );
            }
            PageKind::Entry(i) => {
                let date = updated.get(&cat.entries[*i].rel_path).cloned();
                ctx.insert_value("entry", views.entry(cat, *i, date));
            }
            PageKind::Vocabulary(v) => {
                ctx.insert_value("vocabulary", vocabulary_value(cat, views, v))
            }
            PageKind::Term { vocabulary, term } => {
                ctx.insert_value("term", term_value(cat, views, vocabulary, *term))
            }
            PageKind::Redirect { entry, .. } => {
                let e = &cat.entries[*entry];
                let target = views
                    .urls
                    .path(&config.entry_address(e.type_index, &e.slug));
                ctx.insert_value(
                    "redirect",
                    map([
                        ("title", e.title.as_str().into()),
                        ("url", target.as_str().into()),
                        ("permalink", views.urls.absolute(&target).into()),
                    ]),
                );
            }
            PageKind::Free(i) => {
                let p = &cat.pages[*i];
                ctx.insert_value(
                    "content",
                    map([
                        ("title", p.title.as_str().into()),
                        ("summary", p.summary.clone().into()),
                        ("body", Value::safe_string(&p.body_html)),
                        ("edit_url", views::edit_url(config, &p.rel_path).into()),
                        ("updated", updated.get(&p.rel_path).cloned().into()),
                    ]),
                );
            }
        }
        ctx
    }
}
