//! The Atom feeds (all entries, per type, per term) and the sitemap, filled into the theme's
//! `feed.xml` and `sitemap.xml`.

use super::*;

/// A date as Atom wants it; an undated entry or an empty feed takes `fallback` (the newest
/// date of the catalogue), so no feed claims 1970.
pub(super) fn rfc3339(date: &str, fallback: &str) -> String {
    match (date.len(), fallback.len()) {
        (10, _) => format!("{date}T00:00:00Z"),
        (_, 10) => format!("{fallback}T00:00:00Z"),
        _ => "1970-01-01T00:00:00Z".into(),
    }
}

/// The newest of the dates in `updated` ("YYYY-MM-DD", which sort as text); "" when none.
pub(super) fn newest_date(updated: &Updated) -> &str {
    updated.values().map(String::as_str).max().unwrap_or("")
}

/// Each entry's date ("YYYY-MM-DD", or "" without one), by entry index: looked up once, since
/// feeds and the sitemap ask for the same dates many times over (at 100k entries, looking them
/// up per list page was a third of a build's samples; BENCHMARKS.md, session 17).
fn entry_dates<'u>(cat: &Catalogue, updated: &'u Updated) -> Vec<&'u str> {
    cat.entries
        .iter()
        .map(|e| updated.get(&e.rel_path).map_or("", String::as_str))
        .collect()
}

/// Atom feeds: all entries, per type, per term, newest first; per collection in its order. Each
/// is the theme's `feed.xml`
/// filled with `feed` (`title`, `id`, `url`, `updated`) and up to [`FEED_SIZE`] `entries`
/// (`title`, `id`, `url`, `updated`, `type` with `key` and `label`, `summary`).
pub(super) fn feeds(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &Updated,
) -> Result<Vec<OutputFile>, RenderError> {
    let config = &cat.config;
    let dates = entry_dates(cat, updated);
    let date = |i: usize| dates[i];
    let fallback = newest_date(updated);
    let mut newest: Vec<usize> = (0..cat.entries.len()).collect();
    newest.sort_by_cached_key(|&i| (std::cmp::Reverse(date(i)), cat.entries[i].id.clone()));
    // An entry is an item of its type's feed, of each of its terms' and often of the feed of
    // everything: its template value is made once.
    let item = |i: usize| {
        let e = &cat.entries[i];
        let url = views.urls.absolute(
            &views
                .urls
                .path(&config.entry_address(e.type_index, &e.slug)),
        );
        let ty = &config.types[e.type_index];
        map([
            ("title", e.title.as_str().into()),
            ("id", url.as_str().into()),
            ("url", url.into()),
            ("updated", rfc3339(date(i), fallback).into()),
            (
                "type",
                map([
                    ("key", ty.key.as_str().into()),
                    ("label", ty.label.as_str().into()),
                ]),
            ),
            ("summary", e.summary.as_deref().unwrap_or("").into()),
        ])
    };
    let items: Vec<OnceCell<Value>> = (0..cat.entries.len()).map(|_| OnceCell::new()).collect();
    let feed = |path: String,
                title: String,
                members: &mut dyn Iterator<Item = usize>|
     -> Result<OutputFile, RenderError> {
        let self_url = views.urls.absolute(&views.urls.path(&path));
        let members: Vec<usize> = members.take(FEED_SIZE).collect();
        let feed_updated = members.iter().map(|&i| date(i)).max().unwrap_or_default();
        let mut context = Context::new();
        context.insert_value(
            "feed",
            map([
                ("title", title.into()),
                ("id", self_url.as_str().into()),
                ("url", self_url.into()),
                ("updated", rfc3339(feed_updated, fallback).into()),
            ]),
        );
        let entries: Vec<Value> = members
            .iter()
            .map(|&i| items[i].get_or_init(|| item(i)).clone())
            .collect();
        context.insert_value("entries", entries.into());
        Ok((path, xml.render("feed.xml", &context)?))
    };
    let mut files = vec![feed(
        config.segments.all_feed(),
        config.title.to_string(),
        &mut newest.iter().copied(),
    )?];
    for (t, ty) in config.types.iter().enumerate() {
        files.push(feed(
            urls::type_feed(&ty.folder),
            format!("{} – {}", config.title, ty.plural),
            &mut newest
                .iter()
                .copied()
                .filter(|&i| cat.entries[i].type_index == t),
        )?);
    }
    // Each entry's place in `newest`, to sort a term's members by.
    let mut rank = vec![0; cat.entries.len()];
    for (r, &i) in newest.iter().enumerate() {
        rank[i] = r;
    }
    for facet in &cat.facets {
        let vocab = &config.vocabularies[&facet.vocabulary];
        for (t, term) in vocab.terms.iter().enumerate() {
            let mut members = facet.members[t].clone();
            members.sort_by_key(|&i| rank[i]);
            files.push(feed(
                urls::term_feed(&vocab.key, &term.key),
                format!("{} – {}", config.title, term.label),
                &mut members.into_iter(),
            )?);
        }
    }
    if let Some(settings) = &config.collections {
        for (collection, members) in &cat.collections {
            files.push(feed(
                urls::collection_feed(&settings.folder, &collection.slug),
                format!("{} – {}", config.title, collection.title),
                &mut members.iter().map(|m| m.entry),
            )?);
        }
    }
    Ok(files)
}

/// The sitemap: the theme's `sitemap.xml` filled with `pages`, each with its absolute `url` and
/// the date it was `updated`: an entry's or free page's own, a list's the newest of the entries
/// it lists. Pages search engines are told not to index (the 404 page, the search page, terms
/// without entries) are left out, and so are the redirects from earlier addresses.
pub(super) fn sitemap(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &Updated,
) -> Result<Vec<u8>, RenderError> {
    let dates = entry_dates(cat, updated);
    let date = |i: &usize| dates[*i];
    let newest_of = |list: &[usize]| list.iter().map(date).max().unwrap_or("");
    // Every list page of a type takes the newest date of the whole type.
    let newest_of_type: Vec<&str> = cat.by_type.iter().map(|list| newest_of(list)).collect();
    let newest = newest_date(updated);
    let pages: Vec<Value> = plan(cat)
        .into_iter()
        .filter(|page| page.in_sitemap(cat))
        .map(|page| {
            let lastmod = match &page {
                PageKind::Entry(i) => date(i),
                PageKind::Free(i) => updated
                    .get(&cat.pages[*i].rel_path)
                    .map_or("", String::as_str),
                PageKind::TypeList { type_index, .. } => newest_of_type[*type_index],
                PageKind::Term { vocabulary, term } => cat
                    .facet_of_vocabulary(vocabulary)
                    .map_or("", |f| newest_of(&f.members[*term])),
                PageKind::Vocabulary(v) => cat
                    .facet_of_vocabulary(v)
                    .and_then(|f| f.members.iter().map(|m| newest_of(m)).max())
                    .unwrap_or(""),
                _ => newest,
            };
            // Its versions in the site's languages (`<xhtml:link hreflang>`), none with one.
            let alternates: Vec<Value> = crate::render::languages::alternates(cat, &page)
                .into_iter()
                .map(|a| map([("language", a.language.into()), ("url", a.permalink.into())]))
                .collect();
            map([
                (
                    "url",
                    views.urls.absolute(&views.urls.path(&page.rel(cat))).into(),
                ),
                ("updated", (!lastmod.is_empty()).then_some(lastmod).into()),
                ("alternates", alternates.into()),
            ])
        })
        .collect();
    let mut context = Context::new();
    context.insert_value("pages", pages.into());
    context.insert_value("languages", (cat.config.languages.len() > 1).into());
    xml.render("sitemap.xml", &context)
}
