//! The context of one page: what its head says (title, description, JSON-LD, picture) and
//! what its [`PageInputs`] show, variant by variant.

use super::*;

impl Renderer {
    pub(super) fn context(
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
            PageKind::Collections => config
                .collections
                .as_ref()
                .map(|c| {
                    let description = c.description.clone().unwrap_or_default();
                    (c.plural.to_string(), description.into())
                })
                .unwrap_or_default(),
            PageKind::Collection(i) => (
                cat.collections[*i].0.title.clone(),
                cat.collections[*i].0.summary.clone().unwrap_or_default(),
            ),
            PageKind::Calendar(t) => (
                format!("{}: {}", config.types[*t].plural, s("calendar_title")),
                config.types[*t]
                    .description
                    .clone()
                    .unwrap_or_default()
                    .into(),
            ),
            PageKind::CalendarYear { type_index, year } => (
                format!("{} {year}", config.types[*type_index].plural),
                String::new(),
            ),
            PageKind::Finder(chosen) => finder::title(config, chosen, &s),
            PageKind::Compare => (s("compare_title"), s("compare_intro")),
            PageKind::Redirect { entry, .. } => (cat.entries[*entry].title.clone(), String::new()),
        };
        let kind = page.name();
        let PageInputs {
            alternates,
            text_language,
            shows: inputs,
        } = PageInputs::of(cat, views, updated, page);
        let date = match &inputs {
            Inputs::Entry { entry, .. } => entry.updated,
            _ => None,
        };
        let meta = meta_description(cat, page, &title, &description, &s);
        let json_ld = jsonld::json_ld(cat, views, page, &title, date, &s("home"));
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
                // Shown in another language's words for want of a translation.
                ("text_language", text_language.into()),
                ("image", image.into()),
            ]),
        );
        // Each variant taken apart whole, as `Inputs::fingerprint` does (see `inputs`).
        let cards = |list: &[usize]| -> Value {
            list.iter()
                .map(|&i| views.cards[i].clone())
                .collect::<Vec<_>>()
                .into()
        };
        match inputs {
            Inputs::Plain => {}
            Inputs::Map { region } => {
                let drawing = self
                    .theme
                    .outline
                    .as_deref()
                    .and_then(|outline| region.map(|frame| outline.draw(frame)));
                if let Some(d) = drawing.filter(|d| d.points > 0) {
                    ctx.insert_value("outline", outline_value(&d));
                }
            }
            Inputs::Home {
                facets,
                newest,
                total,
                collections,
            } => {
                ctx.insert_value(
                    "collections",
                    discovery::collections(config, collections, views),
                );
                ctx.insert_value("matrix", matrix(config, facets, views));
                ctx.insert_value("newest", cards(newest));
                ctx.insert_value("entry_points", entry_points(config, facets, views));
                ctx.insert_value("total", total.into());
            }
            Inputs::Browser {
                facets,
                first,
                per_type,
                total,
            } => {
                ctx.insert_value(
                    "filters",
                    filters(config, facets, &per_type, &s("filter_type")),
                );
                ctx.insert_value("entries", cards(first));
                ctx.insert_value("total", total.into());
            }
            Inputs::Codebook { facets } => {
                ctx.insert_value("codebook", codebook(config, facets, views))
            }
            Inputs::TypeList {
                type_index,
                page,
                cards: list,
                total,
            } => {
                let pages = total.div_ceil(PAGE_SIZE).max(1);
                let start = (page - 1) * PAGE_SIZE;
                let link = |p: usize| {
                    views.urls.path(
                        &config
                            .segments
                            .type_list(&config.types[type_index].folder, p),
                    )
                };
                ctx.insert_value("type", views.types[type_index].clone());
                ctx.insert_value("entries", cards(list));
                ctx.insert_value(
                    "paginator",
                    map([
                        ("current", page.into()),
                        ("total_pages", pages.into()),
                        ("first_item", (start + 1).into()),
                        ("last_item", (start + PAGE_SIZE).min(total).into()),
                        ("total_items", total.into()),
                        ("prev_url", (page > 1).then(|| link(page - 1)).into()),
                        ("next_url", (page < pages).then(|| link(page + 1)).into()),
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
            Inputs::Entry {
                entry,
                in_collections,
                collections,
            } => {
                let i = entry.entry;
                ctx.insert_value("entry", views.entry(cat, entry));
                ctx.insert_value(
                    "in_collections",
                    discovery::entry_collections(config, views, i, in_collections, collections),
                );
                ctx.insert_value("event", discovery::entry_event(cat, views, i));
            }
            Inputs::Collections { collections } => ctx.insert_value(
                "collections",
                discovery::collections(config, collections, views),
            ),
            Inputs::Collection { collection } => ctx.insert_value(
                "collection",
                discovery::collection(config, views, collection),
            ),
            Inputs::Calendar {
                type_index,
                year,
                events,
                relations,
                today,
            } => {
                // The events' own fields and the entries they name are in their cards and
                // relations; the calendar reads them through the catalogue's event index.
                let _ = (events, relations);
                let calendar = match year {
                    None => discovery::calendar(cat, views, type_index, today),
                    Some(year) => discovery::calendar_year(cat, views, type_index, year, today),
                };
                ctx.insert_value("calendar", calendar)
            }
            Inputs::Finder { chosen, results } => {
                ctx.insert_value("finder", finder::finder(cat, views, chosen, results))
            }
            Inputs::Vocabulary { vocabulary, facet } => ctx.insert_value(
                "vocabulary",
                vocabulary_value(config, views, vocabulary, facet),
            ),
            Inputs::Term {
                vocabulary,
                term,
                facet,
            } => ctx.insert_value("term", term_value(cat, views, vocabulary, term, facet)),
            Inputs::Redirect { entry, alias } => {
                let e = &cat.entries[entry];
                let target = views
                    .urls
                    .path(&config.entry_address(e.type_index, &e.slug));
                ctx.insert_value(
                    "redirect",
                    map([
                        ("title", e.title.as_str().into()),
                        ("url", target.as_str().into()),
                        ("permalink", views.urls.absolute(&target).into()),
                        ("from", alias.into()),
                    ]),
                );
            }
            Inputs::Free { page, updated } => {
                ctx.insert_value(
                    "content",
                    map([
                        ("title", page.title.as_str().into()),
                        ("summary", page.summary.clone().into()),
                        ("body", Value::safe_string(&page.body_html)),
                        ("edit_url", views::edit_url(config, &page.rel_path).into()),
                        ("updated", updated.into()),
                    ]),
                );
            }
        }
        ctx
    }
}
