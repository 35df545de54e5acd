//! The page plan: which pages the site has, their templates, addresses and cost.

use super::*;

/// One page of the site.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum PageKind {
    Home,
    Browser,
    Search,
    Map,
    Codebook,
    NotFound,
    TypeList {
        type_index: usize,
        page: usize,
    },
    Entry(usize),
    Vocabulary(String),
    Term {
        vocabulary: String,
        term: usize,
    },
    Free(usize),
    /// The list of collections.
    Collections,
    Collection(usize),
    /// An event type's calendar: upcoming and past events.
    Calendar(usize),
    /// An event type's events of one year.
    CalendarYear {
        type_index: usize,
        year: String,
    },
    /// A step of the strategy finder: per question answered so far, the answer chosen (none
    /// when skipped). With every question answered or skipped, the results.
    Finder(Vec<Option<usize>>),
    /// The side-by-side comparison; its script reads the entries from the address.
    Compare,
    /// An earlier address of an entry (`roles: aliases:`): a page that sends the reader on.
    Redirect {
        entry: usize,
        alias: usize,
    },
}

impl PageKind {
    /// The kind's name as templates see it (`page.kind`).
    pub fn name(&self) -> &'static str {
        match self {
            PageKind::Home => "home",
            PageKind::Browser => "browser",
            PageKind::Search => "search",
            PageKind::Map => "map",
            PageKind::Codebook => "codebook",
            PageKind::NotFound => "notfound",
            PageKind::TypeList { .. } => "typelist",
            PageKind::Entry(_) => "entry",
            PageKind::Vocabulary(_) => "vocabulary",
            PageKind::Term { .. } => "term",
            PageKind::Free(_) => "free",
            PageKind::Collections => "collections",
            PageKind::Collection(_) => "collection",
            PageKind::Calendar(_) => "calendar",
            PageKind::CalendarYear { .. } => "calendar_year",
            PageKind::Finder(_) => "finder",
            PageKind::Compare => "compare",
            PageKind::Redirect { .. } => "redirect",
        }
    }

    /// Whether the sitemap lists the page: every page search engines may index ([`noindex`]),
    /// except the redirects from earlier addresses.
    ///
    /// [`noindex`]: PageKind::noindex
    pub fn in_sitemap(&self, cat: &Catalogue) -> bool {
        !matches!(self, PageKind::Redirect { .. }) && !self.noindex(cat)
    }

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
            PageKind::Collections => "collections.html",
            PageKind::Collection(_) => "collection.html",
            PageKind::Calendar(_) | PageKind::CalendarYear { .. } => "calendar.html",
            PageKind::Finder(_) => "finder.html",
            PageKind::Compare => "compare.html",
            PageKind::Redirect { .. } => REDIRECT_TEMPLATE,
        }
    }

    /// The page's address ([`urls`]): its folder relative to the base path, or the 404 file.
    pub fn rel(&self, cat: &Catalogue) -> String {
        let config = &cat.config;
        match self {
            PageKind::Home => urls::HOME.into(),
            PageKind::Browser => config.segments.browser(),
            PageKind::Search => config.segments.search(),
            PageKind::Map => config.segments.map(),
            PageKind::Codebook => config.segments.codebook(),
            PageKind::NotFound => urls::NOT_FOUND.into(),
            PageKind::TypeList { type_index, page } => config
                .segments
                .type_list(&config.types[*type_index].folder, *page),
            PageKind::Entry(i) => {
                config.entry_address(cat.entries[*i].type_index, &cat.entries[*i].slug)
            }
            PageKind::Vocabulary(v) => urls::vocabulary(v),
            PageKind::Term { vocabulary, term } => urls::term(
                vocabulary,
                &config.vocabularies[vocabulary].terms[*term].key,
            ),
            PageKind::Free(i) => urls::free_page(&cat.pages[*i].slug),
            PageKind::Collections => urls::collections(collections_folder(cat)),
            PageKind::Collection(i) => {
                urls::collection(collections_folder(cat), &cat.collections[*i].0.slug)
            }
            PageKind::Calendar(t) => config.segments.events(&config.types[*t].folder),
            PageKind::CalendarYear { type_index, year } => config
                .segments
                .events_year(&config.types[*type_index].folder, year),
            PageKind::Finder(chosen) => config
                .segments
                .finder_step(&finder::segments(config, chosen)),
            PageKind::Compare => config.segments.compare(),
            PageKind::Redirect { entry, alias } => {
                let (type_index, slug) = &cat.entries[*entry].aliases[*alias];
                config.entry_address(*type_index, slug)
            }
        }
    }

    /// Whether search engines are told not to index the page (and the sitemap leaves it out):
    /// the 404 page, the search page (its results are the catalogue's own pages) and the page
    /// of a term no entry carries.
    pub fn noindex(&self, cat: &Catalogue) -> bool {
        match self {
            PageKind::NotFound | PageKind::Search => true,
            // The finder's steps and results are hundreds of combinations of one page: search
            // engines get its start (and the sitemap leaves the rest out).
            PageKind::Finder(chosen) => !chosen.is_empty(),
            PageKind::Term { vocabulary, term } => cat
                .facet_of_vocabulary(vocabulary)
                .is_none_or(|f| f.members[*term].is_empty()),
            _ => false,
        }
    }

    /// The output file of the page.
    pub fn output_path(&self, cat: &Catalogue) -> String {
        urls::output_file(&self.rel(cat))
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
            PageKind::Collection(i) => cat.collections[*i].1.len(),
            PageKind::Calendar(t) => cat.by_type[*t].len(),
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
        PageKind::Compare,
    ];
    for (t, list) in cat.by_type.iter().enumerate() {
        let count = list.len().div_ceil(PAGE_SIZE).max(1);
        pages.extend((1..=count).map(|page| PageKind::TypeList {
            type_index: t,
            page,
        }));
    }
    pages.extend((0..cat.entries.len()).map(PageKind::Entry));
    for (entry, e) in cat.entries.iter().enumerate() {
        pages.extend((0..e.aliases.len()).map(|alias| PageKind::Redirect { entry, alias }));
    }
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
    if config.collections.is_some() {
        pages.push(PageKind::Collections);
        pages.extend((0..cat.collections.len()).map(PageKind::Collection));
    }
    for (t, ty) in config.types.iter().enumerate() {
        if ty.event.is_some() {
            pages.push(PageKind::Calendar(t));
            pages.extend(discovery::event_years(cat, t).into_iter().map(|year| {
                PageKind::CalendarYear {
                    type_index: t,
                    year,
                }
            }));
        }
    }
    if let Some(finder) = &config.finder {
        pages.extend(finder_steps(finder).into_iter().map(PageKind::Finder));
    }
    pages
}

/// The finder's steps, breadth first: every combination of the answers so far, each question
/// skippable; those with an answer (or a skip) for every question are the result pages.
pub(super) fn finder_steps(finder: &crate::config::FinderConfig) -> Vec<Vec<Option<usize>>> {
    let mut steps = Vec::new();
    let mut level: Vec<Vec<Option<usize>>> = vec![Vec::new()];
    for q in &finder.questions {
        steps.extend(level.iter().cloned());
        level = level
            .into_iter()
            .flat_map(|path| {
                std::iter::once(None)
                    .chain((0..q.answers.len()).map(Some))
                    .map(move |a| {
                        let mut next = path.clone();
                        next.push(a);
                        next
                    })
            })
            .collect();
    }
    steps.extend(level);
    steps
}

/// The collections' folder from site.yaml (empty without collections, which then have no pages).
fn collections_folder(cat: &Catalogue) -> &str {
    cat.config
        .collections
        .as_ref()
        .map_or("", |c| c.folder.as_str())
}
