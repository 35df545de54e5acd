//! Rendering: the page plan (which pages exist) and filling the theme's templates with small,
//! precomputed contexts. Receives a resolved `Catalogue`; never loads or validates content.

pub mod fill;
pub mod markdown;
pub mod memo;
pub mod theme;
pub mod views;

use crate::config::Config;
use crate::resolve::Catalogue;
use std::collections::HashMap;
use std::sync::Arc;
use tera::{Context, Tera, Value};
use theme::Theme;
use views::{dir_file, entry_rel, map, term_rel, type_rel, vocabulary_rel, Views};

/// Entries per page of a type list.
pub const PAGE_SIZE: usize = 50;
/// Cards the catalogue browser renders on the server (the rest comes from its JSON index).
pub const BROWSER_FIRST_CARDS: usize = 24;

/// Bytes reserved for a page before rendering it: most pages of the default theme fit.
const PAGE_CAPACITY: usize = 32 * 1024;

/// One page of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Browser,
    Search,
    Map,
    Codebook,
    NotFound,
    TypeList { type_index: usize, page: usize },
    Entry(usize),
    Vocabulary(String),
    Term { vocabulary: String, term: usize },
    Free(usize),
}

impl PageKind {
    /// The theme template that renders this kind of page.
    pub fn template(&self) -> &'static str {
        match self {
            PageKind::Home => "index.html",
            PageKind::Browser => "browser.html",
            PageKind::Search => "search.html",
            PageKind::Map => "map.html",
            PageKind::Codebook => "codebook.html",
            PageKind::NotFound => "404.html",
            PageKind::TypeList { .. } => "type.html",
            PageKind::Entry(_) => "entry.html",
            PageKind::Vocabulary(_) => "vocabulary.html",
            PageKind::Term { .. } => "term.html",
            PageKind::Free(_) => "page.html",
        }
    }

    /// The site path (relative to the base path) of the page's directory, or the 404 file.
    pub fn rel(&self, cat: &Catalogue) -> String {
        let config = &cat.config;
        match self {
            PageKind::Home => String::new(),
            PageKind::Browser => "katalog/".into(),
            PageKind::Search => "suche/".into(),
            PageKind::Map => "karte/".into(),
            PageKind::Codebook => "codebuch/".into(),
            PageKind::NotFound => "404.html".into(),
            PageKind::TypeList { type_index, page } => type_rel(config, *type_index, *page),
            PageKind::Entry(i) => {
                entry_rel(config, cat.entries[*i].type_index, &cat.entries[*i].slug)
            }
            PageKind::Vocabulary(v) => vocabulary_rel(v),
            PageKind::Term { vocabulary, term } => term_rel(
                vocabulary,
                &config.vocabularies[vocabulary].terms[*term].key,
            ),
            PageKind::Free(i) => format!("{}/", cat.pages[*i].slug),
        }
    }

    /// The output file of the page.
    pub fn output_path(&self, cat: &Catalogue) -> String {
        match self {
            PageKind::NotFound => "404.html".into(),
            _ => dir_file(&self.rel(cat)),
        }
    }

    /// A rough measure of the work of rendering the page: the cards it lists (an entry page
    /// counts as a few). Builds start the costliest pages first, so that a term page listing
    /// a third of a large catalogue does not start last and leave one core rendering it alone.
    pub fn cost(&self, cat: &Catalogue) -> usize {
        match self {
            PageKind::Term { vocabulary, term } => cat
                .facet_of_vocabulary(vocabulary)
                .map_or(0, |f| f.members[*term].len()),
            PageKind::TypeList { .. } => PAGE_SIZE,
            _ => 4,
        }
    }
}

/// Every page of the catalogue, in a stable order.
pub fn plan(cat: &Catalogue) -> Vec<PageKind> {
    let config = &cat.config;
    let mut pages = vec![
        PageKind::Home,
        PageKind::Browser,
        PageKind::Search,
        PageKind::Map,
        PageKind::Codebook,
        PageKind::NotFound,
    ];
    for (t, list) in cat.by_type.iter().enumerate() {
        let count = list.len().div_ceil(PAGE_SIZE).max(1);
        pages.extend((1..=count).map(|page| PageKind::TypeList {
            type_index: t,
            page,
        }));
    }
    pages.extend((0..cat.entries.len()).map(PageKind::Entry));
    for facet in &cat.facets {
        pages.push(PageKind::Vocabulary(facet.vocabulary.clone()));
        let vocab = &config.vocabularies[&facet.vocabulary];
        pages.extend((0..vocab.terms.len()).map(|term| PageKind::Term {
            vocabulary: vocab.key.clone(),
            term,
        }));
    }
    pages.dedup();
    pages.extend((0..cat.pages.len()).map(PageKind::Free));
    pages
}

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

/// Compiled templates plus the theme they came from.
pub struct Renderer {
    pub tera: Tera,
    pub theme: Theme,
    /// Rendered components (`memo(component=…)` in templates), kept while `globals` stay.
    memo: Arc<memo::Memo>,
    /// The last `site` and `t` given to the templates.
    globals: Option<(Value, Value)>,
}

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
];

impl Renderer {
    /// Compiles the theme's templates once; they are reused for every page and rebuild.
    pub fn new(theme: Theme) -> Result<Renderer, RenderError> {
        let mut tera = Tera::new();
        tera.autoescape_on(vec![".html", ".xml"]);
        let memo = Arc::new(memo::Memo::default());
        tera.register_function(memo::FUNCTION, memo::Memo::function(&memo));
        tera.register_filter(fill::FILTER, fill::fill);
        tera.add_raw_templates(
            theme
                .templates
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_str())),
        )
        .map_err(|e| RenderError::from_tera("(loading)", e))?;
        for t in REQUIRED_TEMPLATES {
            if !tera.contains_template(t) {
                return Err(RenderError {
                    template: (*t).into(),
                    message: format!("the theme `{}` has no template `{t}`", theme.name),
                });
            }
        }
        Ok(Renderer {
            tera,
            theme,
            memo,
            globals: None,
        })
    }

    /// Sets the values every page sees (`site`, `t`); called once per build.
    pub fn set_globals(&mut self, cat: &Catalogue, views: &Views) {
        let config = &cat.config;
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
                    ("url", views.urls.path(&vocabulary_rel(&vocab.key)).into()),
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
                    ("url", views.urls.path(&format!("{}/", p.slug)).into()),
                ])
            })
            .collect();
        let site = map([
            ("title", config.title.as_str().into()),
            ("description", config.description.as_str().into()),
            ("base_url", config.base_url.as_str().into()),
            ("base_path", views.urls.base_path.as_str().into()),
            ("language", config.language.as_str().into()),
            ("types", views.types.clone().into()),
            ("facets", facets.into()),
            ("pages", pages.into()),
            ("entry_count", cat.entries.len().into()),
            ("search", config.search.into()),
            ("map_tiles", config.map.tiles.clone().into()),
            ("map_attribution", config.map.attribution.clone().into()),
            (
                "generator",
                concat!("casebook ", env!("CARGO_PKG_VERSION")).into(),
            ),
            (
                "place_label",
                config
                    .roles
                    .place
                    .as_ref()
                    .and_then(|p| config.fields.get(p))
                    .map(|f| f.label.clone())
                    .into(),
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
        updated: &HashMap<String, String>,
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
        updated: &HashMap<String, String>,
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
            views.urls.path("404.html")
        } else {
            views.urls.path(&rel)
        };
        let (title, description) = match page {
            PageKind::Home => (config.title.clone(), config.description.clone()),
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
                    t.plural.clone()
                };
                (title, t.description.clone().unwrap_or_default())
            }
            PageKind::Entry(i) => (
                cat.entries[*i].title.clone(),
                cat.entries[*i].summary.clone().unwrap_or_default(),
            ),
            PageKind::Vocabulary(v) => {
                let vocab = &config.vocabularies[v];
                (
                    vocab.plural_label().to_string(),
                    vocab.description.clone().unwrap_or_default(),
                )
            }
            PageKind::Term { vocabulary, term } => {
                let t = &config.vocabularies[vocabulary].terms[*term];
                (t.label.clone(), t.description.clone().unwrap_or_default())
            }
            PageKind::Free(i) => (
                cat.pages[*i].title.clone(),
                cat.pages[*i].summary.clone().unwrap_or_default(),
            ),
        };
        let kind = format!("{page:?}")
            .split([' ', '(', '{'])
            .next()
            .unwrap_or("")
            .to_lowercase();
        ctx.insert_value(
            "page",
            map([
                ("kind", kind.into()),
                ("title", title.into()),
                ("description", description.into()),
                ("url", url.clone().into()),
                ("section", views.urls.path(section(&rel)).into()),
                ("permalink", views.urls.absolute(&url).into()),
            ]),
        );
        match page {
            PageKind::Home => {
                ctx.insert_value("matrix", matrix(cat, views));
                ctx.insert_value("newest", newest(cat, views, updated, NEWEST_COUNT));
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
                let link = |p: usize| views.urls.path(&type_rel(config, *type_index, p));
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
            PageKind::Free(i) => {
                let p = &cat.pages[*i];
                ctx.insert_value(
                    "content",
                    map([
                        ("title", p.title.as_str().into()),
                        ("summary", p.summary.clone().into()),
                        ("body", Value::safe_string(&p.body_html)),
                        (
                            "edit_url",
                            config
                                .edit_url
                                .as_ref()
                                .map(|u| u.replace("{path}", &p.rel_path))
                                .into(),
                        ),
                        ("updated", updated.get(&p.rel_path).cloned().into()),
                    ]),
                );
            }
        }
        ctx
    }
}

/// The URL of the catalogue browser filtered by the given `field=term` pairs.
pub fn browser_url(views: &Views, filters: &[(&str, &str)]) -> String {
    let query: Vec<String> = filters.iter().map(|(f, t)| format!("{f}={t}")).collect();
    if query.is_empty() {
        views.urls.path("katalog/")
    } else {
        format!("{}?{}", views.urls.path("katalog/"), query.join("&"))
    }
}

/// The typology matrix: rows are the terms of the first facet (with their children indented),
/// columns are the entry types, each cell the count linking to the filtered browser.
fn matrix(cat: &Catalogue, views: &Views) -> Value {
    let config = &cat.config;
    let Some(facet) = config.facets.first().and_then(|f| cat.facet(f)) else {
        return Value::none();
    };
    let vocab = &config.vocabularies[&facet.vocabulary];
    let rows: Vec<Value> = term_order(vocab)
        .into_iter()
        .map(|(t, depth)| {
            let term = &vocab.terms[t];
            let cells: Vec<Value> = (0..config.types.len())
                .map(|ty| {
                    let count = facet.counts_by_type[t][ty];
                    let url = format!(
                        "{}&type={}",
                        browser_url(views, &[(&facet.field, &term.key)]),
                        config.types[ty].key
                    );
                    map([
                        ("count", count.into()),
                        ("url", url.into()),
                        ("type", views.types[ty].clone()),
                    ])
                })
                .collect();
            map([
                ("term", views.terms[&vocab.key][t].clone()),
                ("depth", depth.into()),
                ("cells", cells.into()),
                ("total", facet.members[t].len().into()),
                (
                    "url",
                    browser_url(views, &[(&facet.field, &term.key)]).into(),
                ),
            ])
        })
        .collect();
    map([
        ("field", facet.field.as_str().into()),
        ("label", config.fields[&facet.field].label.as_str().into()),
        ("columns", views.types.clone().into()),
        ("rows", rows.into()),
    ])
}

/// Terms in tree order (parents followed by their children) with their depth.
pub fn term_order(vocab: &crate::config::Vocabulary) -> Vec<(usize, usize)> {
    vocab.order().to_vec()
}

/// The top-level folder a page is in (`orte/` for `orte/x/`), empty for pages at the top:
/// what the main navigation marks as the current section.
fn section(rel: &str) -> &str {
    rel.find('/').map_or("", |end| &rel[..=end])
}

/// How many entries the home page shows as newest.
pub const NEWEST_COUNT: usize = 6;

/// The `n` most recently updated entries, newest first, ties by id. Selected, not sorted: the
/// home page needs six of possibly 100,000.
pub fn newest_entries(cat: &Catalogue, updated: &HashMap<String, String>, n: usize) -> Vec<usize> {
    let dates: Vec<&str> = cat
        .entries
        .iter()
        .map(|e| updated.get(&e.rel_path).map(String::as_str).unwrap_or(""))
        .collect();
    let order = |a: &usize, b: &usize| {
        dates[*b]
            .cmp(dates[*a])
            .then_with(|| cat.entries[*a].id.cmp(&cat.entries[*b].id))
    };
    let mut newest: Vec<usize> = (0..cat.entries.len()).collect();
    if n < newest.len() {
        newest.select_nth_unstable_by(n, order);
        newest.truncate(n);
    }
    newest.sort_by(order);
    newest
}

fn newest(cat: &Catalogue, views: &Views, updated: &HashMap<String, String>, n: usize) -> Value {
    newest_entries(cat, updated, n)
        .into_iter()
        .map(|i| views.cards[i].clone())
        .collect::<Vec<_>>()
        .into()
}

/// Entry points by facet for the home page: each facet's top-level terms by count.
fn entry_points(cat: &Catalogue, views: &Views) -> Value {
    let config = &cat.config;
    cat.facets
        .iter()
        .filter(|f| config.facets.contains(&f.field))
        .map(|f| {
            let vocab = &config.vocabularies[&f.vocabulary];
            let mut terms: Vec<usize> = (0..vocab.terms.len())
                .filter(|&t| vocab.terms[t].parent.is_none() && !f.members[t].is_empty())
                .collect();
            terms.sort_by_key(|&t| std::cmp::Reverse(f.members[t].len()));
            let values: Vec<Value> = terms
                .iter()
                .take(8)
                .map(|&t| term_link(views, &vocab.key, t, f.members[t].len()))
                .collect();
            map([
                ("field", f.field.as_str().into()),
                ("label", vocab.plural_label().into()),
                ("url", views.urls.path(&vocabulary_rel(&vocab.key)).into()),
                ("terms", values.into()),
                ("more", (terms.len() > 8).into()),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

fn term_link(views: &Views, vocab: &str, term: usize, count: usize) -> Value {
    let mut m = views.terms[vocab][term]
        .as_map()
        .cloned()
        .unwrap_or_default();
    m.insert("count".into(), count.into());
    Value::from(m)
}

/// Filter panel data for the browser: every facet with its terms, counts and depth.
fn filters(cat: &Catalogue, type_label: &str) -> Value {
    let config = &cat.config;
    let mut out: Vec<Value> = Vec::new();
    out.push(map([
        ("field", "type".into()),
        ("label", type_label.into()),
        ("hierarchical", false.into()),
        (
            "terms",
            config
                .types
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    map([
                        ("key", t.key.as_str().into()),
                        ("label", t.plural.as_str().into()),
                        ("count", cat.by_type[i].len().into()),
                        ("depth", 0usize.into()),
                        ("parent", Value::none()),
                    ])
                })
                .collect::<Vec<_>>()
                .into(),
        ),
    ]));
    for field in &config.facets {
        let Some(f) = cat.facet(field) else { continue };
        let vocab = &config.vocabularies[&f.vocabulary];
        let terms: Vec<Value> = term_order(vocab)
            .into_iter()
            .map(|(t, depth)| {
                let term = &vocab.terms[t];
                map([
                    ("key", term.key.as_str().into()),
                    ("label", term.label.as_str().into()),
                    ("count", f.members[t].len().into()),
                    ("depth", depth.into()),
                    ("parent", term.parent.clone().into()),
                ])
            })
            .collect();
        out.push(map([
            ("field", field.as_str().into()),
            ("label", config.fields[field].label.as_str().into()),
            ("hierarchical", vocab.is_hierarchical().into()),
            ("terms", terms.into()),
        ]));
    }
    out.into()
}

fn vocabulary_value(cat: &Catalogue, views: &Views, v: &str) -> Value {
    let config = &cat.config;
    let vocab = &config.vocabularies[v];
    let facet = cat.facet_of_vocabulary(v);
    let terms: Vec<Value> = term_order(vocab)
        .into_iter()
        .map(|(t, depth)| {
            let count = facet.map(|f| f.members[t].len()).unwrap_or(0);
            let mut m = term_link(views, v, t, count)
                .as_map()
                .cloned()
                .unwrap_or_default();
            m.insert("depth".into(), depth.into());
            m.insert(
                "description".into(),
                vocab.terms[t].description.clone().into(),
            );
            if let Some(f) = facet {
                let by_type: Vec<Value> = f.counts_by_type[t]
                    .iter()
                    .enumerate()
                    .map(|(ty, c)| map([("type", views.types[ty].clone()), ("count", (*c).into())]))
                    .collect();
                m.insert("counts_by_type".into(), by_type.into());
            }
            Value::from(m)
        })
        .collect();
    map([
        ("key", v.into()),
        ("label", vocab.label.as_str().into()),
        ("plural", vocab.plural_label().into()),
        ("description", vocab.description.clone().into()),
        ("field", facet.map(|f| f.field.clone()).into()),
        ("url", views.urls.path(&vocabulary_rel(v)).into()),
        ("hierarchical", vocab.is_hierarchical().into()),
        ("terms", terms.into()),
    ])
}

fn term_value(cat: &Catalogue, views: &Views, v: &str, t: usize) -> Value {
    let config = &cat.config;
    let vocab = &config.vocabularies[v];
    let term = &vocab.terms[t];
    let facet = cat.facet_of_vocabulary(v);
    let members: &[usize] = facet.map(|f| f.members[t].as_slice()).unwrap_or(&[]);
    let count_of = |i: usize| facet.map(|f| f.members[i].len()).unwrap_or(0);
    let groups: Vec<Value> = (0..config.types.len())
        .filter_map(|ty| {
            let cards: Vec<Value> = members
                .iter()
                .filter(|&&i| cat.entries[i].type_index == ty)
                .map(|&i| views.cards[i].clone())
                .collect();
            (!cards.is_empty())
                .then(|| map([("type", views.types[ty].clone()), ("entries", cards.into())]))
        })
        .collect();
    let parent = term
        .parent
        .as_deref()
        .and_then(|p| vocab.term_index(p))
        .map(|p| term_link(views, v, p, count_of(p)));
    let children: Vec<Value> = vocab
        .children(t)
        .iter()
        .map(|&c| term_link(views, v, c, count_of(c)))
        .collect();
    let filter_url = facet.map(|f| browser_url(views, &[(&f.field, &term.key)]));
    map([
        ("key", term.key.as_str().into()),
        ("label", term.label.as_str().into()),
        ("description", term.description.clone().into()),
        ("url", views.urls.path(&term_rel(v, &term.key)).into()),
        ("count", members.len().into()),
        (
            "vocabulary",
            map([
                ("key", v.into()),
                ("label", vocab.label.as_str().into()),
                ("plural", vocab.plural_label().into()),
                ("url", views.urls.path(&vocabulary_rel(v)).into()),
            ]),
        ),
        ("parent", parent.into()),
        ("children", children.into()),
        ("groups", groups.into()),
        ("browser_url", filter_url.into()),
        (
            "feed_url",
            views
                .urls
                .path(&format!("feeds/{v}/{}.xml", term.key))
                .into(),
        ),
    ])
}

/// The data dictionary: every type with its fields, every vocabulary with its terms.
fn codebook(cat: &Catalogue, views: &Views) -> Value {
    let config: &Config = &cat.config;
    let types: Vec<Value> = config
        .types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let fields: Vec<Value> = t
                .fields
                .iter()
                .map(|f| {
                    let def = &config.fields[f];
                    map([
                        ("key", f.as_str().into()),
                        ("label", def.label.as_str().into()),
                        ("kind", def.kind.name().into()),
                        ("required", def.required.into()),
                        ("multiple", def.multiple.into()),
                        ("description", def.description.clone().into()),
                        (
                            "vocabulary",
                            def.vocabulary
                                .as_ref()
                                .map(|v| {
                                    let label = config
                                        .vocabularies
                                        .get(v)
                                        .map(|voc| voc.plural_label().to_string());
                                    map([
                                        ("key", v.as_str().into()),
                                        ("label", label.into()),
                                        ("url", views.urls.path(&vocabulary_rel(v)).into()),
                                    ])
                                })
                                .into(),
                        ),
                        (
                            "to",
                            def.to
                                .iter()
                                .filter_map(|k| config.type_index(k))
                                .map(|ti| views.types[ti].clone())
                                .collect::<Vec<_>>()
                                .into(),
                        ),
                        ("inverse", def.inverse.clone().into()),
                        ("item", def.item.name().into()),
                    ])
                })
                .collect();
            let mut m = views.types[i].as_map().cloned().unwrap_or_default();
            m.insert("fields".into(), fields.into());
            Value::from(m)
        })
        .collect();
    let vocabularies: Vec<Value> = config
        .vocabularies
        .keys()
        .map(|v| vocabulary_value(cat, views, v))
        .collect();
    map([
        ("types", types.into()),
        ("vocabularies", vocabularies.into()),
    ])
}

/// A hash of everything a page's context is built from, so `serve` re-renders only the pages an
/// edit can change. `site` covers what every page shares (schema, theme, site-wide values).
///
/// An entry's file hash stands for its card and its own fields; lists hash the cards they show,
/// counts hash the counts they show. The incremental-equals-full test guards this function:
/// a missed input shows up there as a stale page. For many pages use [`PageFingerprints`],
/// which does the shared work once.
pub fn fingerprint(
    cat: &Catalogue,
    page: &PageKind,
    updated: &HashMap<String, String>,
    site: u64,
) -> u64 {
    PageFingerprints::new(cat, updated, site).of(page)
}

/// The fingerprints of a build's pages (see [`fingerprint`]). What many pages share is computed
/// once: each entry's file hash sits in one array, so a page hashes its cards without visiting
/// the entries, and each facet's counts are hashed once, not once per term page.
pub struct PageFingerprints<'a> {
    cat: &'a Catalogue,
    updated: &'a HashMap<String, String>,
    site: u64,
    /// Per entry: the hash of its file, which stands for its card.
    cards: Vec<u64>,
    /// Per facet of `cat.facets`: a hash of its counts per term and per type × term.
    counts: Vec<u64>,
}

impl<'a> PageFingerprints<'a> {
    pub fn new(
        cat: &'a Catalogue,
        updated: &'a HashMap<String, String>,
        site: u64,
    ) -> PageFingerprints<'a> {
        use rayon::prelude::*;
        use std::hash::{Hash, Hasher};
        let cards: Vec<u64> = cat.entries.par_iter().map(|e| e.content_hash).collect();
        let counts = cat
            .facets
            .iter()
            .map(|f| {
                let mut h = crate::fingerprinter();
                f.counts_by_type.hash(&mut h);
                f.members.iter().map(Vec::len).for_each(|n| n.hash(&mut h));
                h.finish()
            })
            .collect();
        PageFingerprints {
            cat,
            updated,
            site,
            cards,
            counts,
        }
    }

    /// The fingerprint of one page.
    pub fn of(&self, page: &PageKind) -> u64 {
        use std::hash::{Hash, Hasher};
        let cat = self.cat;
        let mut h = crate::fingerprinter();
        self.site.hash(&mut h);
        page.hash(&mut h);
        let card = |h: &mut crate::Fingerprinter, i: usize| {
            self.cards[i].hash(h);
        };
        let all_counts = |h: &mut crate::Fingerprinter| {
            self.counts.hash(h);
        };
        let facet_counts = |h: &mut crate::Fingerprinter, vocabulary: &str| {
            if let Some(k) = cat.facets.iter().position(|f| f.vocabulary == vocabulary) {
                self.counts[k].hash(h);
            }
        };
        match page {
            PageKind::Search | PageKind::Map | PageKind::NotFound => {}
            // The codebook lists every vocabulary with its counts.
            PageKind::Codebook => all_counts(&mut h),
            PageKind::Home => {
                all_counts(&mut h);
                newest_entries(cat, self.updated, NEWEST_COUNT)
                    .into_iter()
                    .for_each(|i| card(&mut h, i));
                cat.entries.len().hash(&mut h);
            }
            PageKind::Browser => {
                all_counts(&mut h);
                cat.by_type
                    .iter()
                    .map(Vec::len)
                    .for_each(|n| n.hash(&mut h));
                cat.entries.len().hash(&mut h);
                cat.by_title
                    .iter()
                    .take(BROWSER_FIRST_CARDS)
                    .for_each(|&i| card(&mut h, i));
            }
            PageKind::TypeList { type_index, page } => {
                let list = &cat.by_type[*type_index];
                list.len().hash(&mut h);
                list.iter()
                    .skip((page - 1) * PAGE_SIZE)
                    .take(PAGE_SIZE)
                    .for_each(|&i| card(&mut h, i));
            }
            PageKind::Entry(i) => {
                let i = *i;
                card(&mut h, i);
                self.updated.get(&cat.entries[i].rel_path).hash(&mut h);
                for rels in [&cat.relations[i], &cat.backlinks[i]] {
                    for r in rels {
                        r.field.hash(&mut h);
                        r.targets.iter().for_each(|&t| card(&mut h, t));
                    }
                    0xfeed_u16.hash(&mut h);
                }
                cat.similar[i].iter().for_each(|&t| card(&mut h, t));
                let (prev, next) = cat.prev_next(i);
                if let Some(p) = prev {
                    card(&mut h, p);
                }
                0xbeef_u16.hash(&mut h);
                if let Some(n) = next {
                    card(&mut h, n);
                }
                cat.completeness[i].to_bits().hash(&mut h);
            }
            PageKind::Vocabulary(v) => facet_counts(&mut h, v),
            PageKind::Term { vocabulary, term } => {
                if let Some(f) = cat.facet_of_vocabulary(vocabulary) {
                    f.members[*term].iter().for_each(|&i| card(&mut h, i));
                }
                // Parent and children show their counts.
                facet_counts(&mut h, vocabulary);
            }
            PageKind::Free(i) => {
                let p = &cat.pages[*i];
                (&p.title, &p.summary, &p.body_html, &p.rel_path).hash(&mut h);
                self.updated.get(&p.rel_path).hash(&mut h);
            }
        }
        h.finish()
    }
}

/// A hash of what every page shows: the site-wide values set by `Renderer::set_globals`.
pub fn site_fingerprint(cat: &Catalogue) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprinter();
    cat.by_type
        .iter()
        .map(Vec::len)
        .for_each(|n| n.hash(&mut h));
    cat.entries.len().hash(&mut h);
    for p in &cat.pages {
        (&p.slug, &p.title).hash(&mut h);
    }
    h.finish()
}
