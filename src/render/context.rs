//! The values pages show besides cards: the typology matrix, the newest entries, entry points,
//! the filters of the catalogue browser, vocabularies and terms, and the codebook.

use super::*;

/// The URL of the catalogue browser filtered by the given `field=term` pairs.
pub fn browser_url(views: &Views, filters: &[(&str, &str)]) -> String {
    let query: Vec<String> = filters.iter().map(|(f, t)| format!("{f}={t}")).collect();
    let browser = views.urls.path(&views.segments.browser());
    if query.is_empty() {
        browser
    } else {
        format!("{browser}?{}", query.join("&"))
    }
}

/// The typology matrix: rows are the terms of the first facet (with their children indented),
/// columns are the entry types, each cell the count linking to the filtered browser.
pub(super) fn matrix(cat: &Catalogue, views: &Views) -> Value {
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
pub(super) fn section(rel: &str) -> &str {
    rel.find('/').map_or("", |end| &rel[..=end])
}

/// How many entries the home page shows as newest.
pub const NEWEST_COUNT: usize = 6;

/// The `n` most recently updated entries, newest first, ties by id. Selected, not sorted: the
/// home page needs six of possibly 100,000.
pub fn newest_entries(cat: &Catalogue, updated: &Updated, n: usize) -> Vec<usize> {
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

pub(super) fn newest(views: &Views) -> Value {
    views
        .newest
        .iter()
        .map(|&i| views.cards[i].clone())
        .collect::<Vec<_>>()
        .into()
}

/// Entry points by facet for the home page: each facet's top-level terms by count.
pub(super) fn entry_points(cat: &Catalogue, views: &Views) -> Value {
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
                ("url", views.urls.path(&urls::vocabulary(&vocab.key)).into()),
                ("terms", values.into()),
                ("more", (terms.len() > 8).into()),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}

pub(super) fn term_link(views: &Views, vocab: &str, term: usize, count: usize) -> Value {
    let mut m = views.terms[vocab][term]
        .as_map()
        .cloned()
        .unwrap_or_default();
    m.insert("count".into(), count.into());
    Value::from(m)
}

/// Filter panel data for the browser: every facet with its terms, counts and depth.
pub(super) fn filters(cat: &Catalogue, type_label: &str) -> Value {
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

pub(super) fn vocabulary_value(cat: &Catalogue, views: &Views, v: &str) -> Value {
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
        ("url", views.urls.path(&urls::vocabulary(v)).into()),
        ("hierarchical", vocab.is_hierarchical().into()),
        ("terms", terms.into()),
    ])
}

pub(super) fn term_value(cat: &Catalogue, views: &Views, v: &str, t: usize) -> Value {
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
        ("url", views.urls.path(&urls::term(v, &term.key)).into()),
        ("count", members.len().into()),
        (
            "vocabulary",
            map([
                ("key", v.into()),
                ("label", vocab.label.as_str().into()),
                ("plural", vocab.plural_label().into()),
                ("url", views.urls.path(&urls::vocabulary(v)).into()),
            ]),
        ),
        ("parent", parent.into()),
        ("children", children.into()),
        ("groups", groups.into()),
        ("browser_url", filter_url.into()),
        (
            "feed_url",
            views.urls.path(&urls::term_feed(v, &term.key)).into(),
        ),
    ])
}

/// The data dictionary: every type with its fields, every vocabulary with its terms.
pub(super) fn codebook(cat: &Catalogue, views: &Views) -> Value {
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
                                        ("url", views.urls.path(&urls::vocabulary(v)).into()),
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
                        ("role", config.roles.meta_role(f).into()),
                        ("image_keys", image_keys(config, def)),
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

/// The sub-keys of an image field for the codebook, each with whether it is required.
fn image_keys(config: &Config, def: &crate::config::FieldDef) -> Value {
    if def.kind != crate::config::FieldKind::Image {
        return Value::none();
    }
    crate::config::IMAGE_KEYS
        .iter()
        .map(|k| {
            let required = k.required && (k.key != "credit" || config.images.require_credit);
            map([("key", k.key.into()), ("required", required.into())])
        })
        .collect::<Vec<_>>()
        .into()
}
