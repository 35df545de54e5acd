//! Structured data for search engines: schema.org JSON-LD per page. An entry is the kind of
//! thing its type names in site.yaml (`schema: Place`; `CreativeWork` by default) with its place
//! and coordinates, its terms as `about`, its date and language; every page but the home page
//! has a `BreadcrumbList` that follows its breadcrumbs; the home page describes the `WebSite`
//! with a `SearchAction` when the site has search.

use super::*;
use crate::model::FieldValue;
use serde_json::{json, Value as Json};

/// The JSON-LD of a page, ready to go into `<script type="application/ld+json">`: `<` is
/// written as `\u003c`, so no text of an entry can close the script element.
pub(super) fn json_ld(
    cat: &Catalogue,
    views: &Views,
    page: &PageKind,
    title: &str,
    date: Option<&str>,
    home_label: &str,
) -> String {
    let config = &cat.config;
    let abs = |address: &str| views.urls.absolute(&views.urls.path(address));
    let mut trail: Vec<(String, String)> = vec![(home_label.to_string(), abs(urls::HOME))];
    let mut graph: Vec<Json> = Vec::new();
    match page {
        PageKind::Home => {
            let mut site = json!({
                "@type": "WebSite",
                "name": config.title,
                "url": abs(urls::HOME),
                "inLanguage": config.language,
            });
            if !config.description.is_empty() {
                site["description"] = config.description.to_string().into();
            }
            if config.search {
                site["potentialAction"] = json!({
                    "@type": "SearchAction",
                    "target": {
                        "@type": "EntryPoint",
                        "urlTemplate": format!("{}?q={{search_term_string}}", abs(&config.segments.search())),
                    },
                    "query-input": "required name=search_term_string",
                });
            }
            graph.push(site);
            trail.clear();
        }
        PageKind::Entry(i) => {
            let ty = &config.types[cat.entries[*i].type_index];
            trail.push((
                ty.plural.to_string(),
                abs(&config.segments.type_list(&ty.folder, 1)),
            ));
            graph.push(entry(cat, views, *i, date));
        }
        PageKind::TypeList { type_index, page } if *page > 1 => {
            let ty = &config.types[*type_index];
            trail.push((
                ty.plural.to_string(),
                abs(&config.segments.type_list(&ty.folder, 1)),
            ));
        }
        PageKind::Term { vocabulary, term } => {
            let vocab = &config.vocabularies[vocabulary];
            trail.push((
                vocab.plural_label().to_string(),
                abs(&urls::vocabulary(vocabulary)),
            ));
            let parent = vocab.terms[*term].parent.as_deref();
            if let Some(p) = parent.and_then(|p| vocab.term_index(p)) {
                let p = &vocab.terms[p];
                trail.push((p.label.to_string(), abs(&urls::term(vocabulary, &p.key))));
            }
        }
        _ => {}
    }
    if !trail.is_empty() && !matches!(page, PageKind::NotFound) {
        trail.push((title.to_string(), abs(&page.rel(cat))));
        let items: Vec<Json> = trail
            .iter()
            .enumerate()
            .map(|(n, (name, url))| {
                json!({ "@type": "ListItem", "position": n + 1, "name": name, "item": url })
            })
            .collect();
        graph.push(json!({ "@type": "BreadcrumbList", "itemListElement": items }));
    }
    if graph.is_empty() {
        return String::new();
    }
    let data = json!({ "@context": "https://schema.org", "@graph": graph });
    // Serialised straight into a string, not through `Display` and the formatting machinery
    // (the same compact JSON, in a fifth of the instructions).
    let text = serde_json::to_string(&data).unwrap_or_default();
    match text.contains('<') {
        true => text.replace('<', "\\u003c"),
        false => text,
    }
}

/// One entry as the schema.org thing its type names.
fn entry(cat: &Catalogue, views: &Views, i: usize, date: Option<&str>) -> Json {
    let config = &cat.config;
    let e = &cat.entries[i];
    let ty = &config.types[e.type_index];
    let kind = ty.schema.as_deref().unwrap_or("CreativeWork");
    let url = views.urls.absolute(
        &views
            .urls
            .path(&config.entry_address(e.type_index, &e.slug)),
    );
    let mut thing = json!({
        "@type": kind,
        "@id": url,
        "name": e.title,
        "url": url,
        "inLanguage": config.language,
    });
    if let Some(summary) = &e.summary {
        thing["description"] = summary.clone().into();
    }
    if let Some(date) = date {
        thing["dateModified"] = date.into();
    }
    let about: Vec<Json> = config
        .facets
        .iter()
        .filter(|f| Some(*f) != config.roles.place.as_ref())
        .filter_map(|f| Some((f, config.facet_vocabulary(f)?)))
        .flat_map(|(f, vocab)| {
            cat.entry_terms(i, f).iter().map(move |&t| {
                let term = &vocab.terms[t];
                json!({
                    "@type": "DefinedTerm",
                    "name": term.label,
                    "url": views.urls.absolute(&views.urls.path(&urls::term(&vocab.key, &term.key))),
                    "inDefinedTermSet": views.urls.absolute(&views.urls.path(&urls::vocabulary(&vocab.key))),
                })
            })
        })
        .collect();
    if !about.is_empty() {
        thing["about"] = about.into();
    }
    let place = config
        .roles
        .place
        .as_ref()
        .and_then(|p| views.field_text(cat, i, p));
    let geo = config.roles.geo.as_ref().and_then(|g| match e.field(g) {
        Some(FieldValue::Geo { lat, lon }) => Some(json!({
            "@type": "GeoCoordinates",
            "latitude": lat,
            "longitude": lon,
        })),
        _ => None,
    });
    if kind == "Place" {
        if let Some(geo) = geo {
            thing["geo"] = geo;
        }
        if let Some(place) = place {
            thing["address"] = json!({ "@type": "PostalAddress", "addressLocality": place });
        }
    } else if place.is_some() || geo.is_some() {
        let mut location = json!({ "@type": "Place" });
        if let Some(place) = place {
            location["name"] = place.into();
        }
        if let Some(geo) = geo {
            location["geo"] = geo;
        }
        thing["contentLocation"] = location;
    }
    thing["isPartOf"] = json!({ "@type": "WebSite", "name": config.title, "url": config.base_url });
    thing
}
