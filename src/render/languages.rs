//! A page in the site's other languages: its `hreflang` alternates (in `<head>` and the
//! sitemap) and the language switcher, from the addresses every catalogue of the site shares
//! ([`Editions`](crate::resolve::Editions)).

use super::*;

/// One language's version of a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Alternate {
    pub language: String,
    /// The language's own name, for the switcher ("Deutsch", "English").
    pub name: &'static str,
    /// Its site path and its absolute URL.
    pub url: String,
    pub permalink: String,
}

/// A language's name in that language.
pub fn autonym(language: &str) -> &'static str {
    match language {
        "de" => "Deutsch",
        "en" => "English",
        _ => "",
    }
}

/// The versions of `page` in every language of the site that has one, the default language
/// first, this page's own language among them; empty for a one-language site, the 404 page
/// and redirects.
pub fn alternates(cat: &Catalogue, page: &PageKind) -> Vec<Alternate> {
    let editions = &cat.editions.languages;
    if editions.len() < 2 {
        return Vec::new();
    }
    let config = &cat.config;
    editions
        .iter()
        .filter_map(|ed| {
            let address = match page {
                PageKind::Home => urls::HOME.to_string(),
                PageKind::Browser => ed.segments.browser(),
                PageKind::Search => ed.segments.search(),
                PageKind::Map => ed.segments.map(),
                PageKind::Codebook => ed.segments.codebook(),
                PageKind::NotFound | PageKind::Redirect { .. } => return None,
                PageKind::TypeList { type_index, page } => {
                    if *page > ed.list_pages[*type_index] {
                        return None;
                    }
                    ed.segments
                        .type_list(&config.types[*type_index].folder, *page)
                }
                PageKind::Entry(i) => {
                    let e = &cat.entries[*i];
                    urls::entry(&config.types[e.type_index].folder, ed.slugs.get(&e.id)?)
                }
                // Collections, vocabularies, terms and free pages have the same address in
                // every language (and every language has them).
                PageKind::Vocabulary(_)
                | PageKind::Term { .. }
                | PageKind::Free(_)
                | PageKind::Collections
                | PageKind::Collection(_) => page.rel(cat),
                PageKind::Compare => ed.segments.compare(),
                PageKind::Calendar(t) => ed.segments.events(&config.types[*t].folder),
                PageKind::CalendarYear { type_index, year } => {
                    if !ed.event_years[*type_index].contains(year) {
                        return None;
                    }
                    ed.segments
                        .events_year(&config.types[*type_index].folder, year)
                }
                // Every language asks the same questions: each has every step.
                PageKind::Finder(chosen) => {
                    ed.segments.finder_step(&finder::segments(config, chosen))
                }
            };
            let url = ed.urls.path(&address);
            Some(Alternate {
                language: ed.language.clone(),
                name: autonym(&ed.language),
                permalink: ed.urls.absolute(&url),
                url,
            })
        })
        .collect()
}

/// The alternates as templates see them (`page.alternates`), each with `current` for the
/// page's own language.
pub(super) fn alternates_value(cat: &Catalogue, list: &[Alternate]) -> Value {
    list.iter()
        .map(|a| {
            map([
                ("language", a.language.as_str().into()),
                ("name", a.name.into()),
                ("url", a.url.as_str().into()),
                ("permalink", a.permalink.as_str().into()),
                ("current", (a.language == cat.config.language).into()),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}
