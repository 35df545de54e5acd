//! Template values: the small, precomputed pieces pages are made of. A card is built once per
//! entry and shared (Tera values are reference-counted), so a list of 3,000 entries costs 3,000
//! pointer copies, not 3,000 serialisations.

use super::text::{field_plain_text, transfer_teaser};
use crate::config::{Config, FieldKind, ListItem};
use crate::media::{self, Media};
use crate::model::{Entry, FieldValue, ListValue, Updated};
use crate::resolve::{Catalogue, Relation};
use crate::urls::{self, Urls};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;
use tera::Value;

/// The "edit this page" link of a file: `edit_url` with `{path}` replaced by the file's path
/// below `content/`, percent-encoded, as a `?` or `#` in a file name would end the path.
pub fn edit_url(config: &Config, rel_path: &str) -> Option<String> {
    let template = config.edit_url.as_ref()?;
    let mut path = String::with_capacity(rel_path.len());
    for b in rel_path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            path.push(char::from(b));
        } else {
            path.push_str(&format!("%{b:02X}"));
        }
    }
    Some(template.replace("{path}", &path))
}

/// Builds a template map from key/value pairs.
pub fn map<const N: usize>(pairs: [(&'static str, Value); N]) -> Value {
    pairs_map(&pairs)
}

/// A template map from key/value pairs, built in one pass. `Value::from` a `tera::Map` would
/// insert every pair a second time; serialising the pairs as a struct builds Tera's map
/// directly (Tera hands `Value`s through its serializer as they are).
fn pairs_map(pairs: &[(&'static str, Value)]) -> Value {
    struct Pairs<'a>(&'a [(&'static str, Value)]);
    impl serde::Serialize for Pairs<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            use serde::ser::SerializeStruct;
            let mut map = s.serialize_struct("map", self.0.len())?;
            for (k, v) in self.0 {
                map.serialize_field(k, v)?;
            }
            map.end()
        }
    }
    Value::try_from_serializable(&Pairs(pairs)).unwrap_or_else(|_| {
        // Not reached: struct fields are named by text, and every value is a `Value`.
        let mut m = tera::Map::with_capacity(pairs.len());
        for (k, v) in pairs {
            m.insert((*k).into(), v.clone());
        }
        Value::from(m)
    })
}

/// The facets on cards (`{ field, label, terms }`), one value for each field and set of terms,
/// shared by every card with those terms: they were more than half of a card's memory, at
/// 100,000 entries some 230 MB (BENCHMARKS.md, session 17).
struct CardFacets<'v> {
    /// Per facet: its field, its vocabulary's term values ([`Views::terms`]) and the values
    /// made so far, by the entries' term indices.
    fields: Vec<(&'v str, &'v [Value], FacetMaps)>,
}

type FacetMaps = std::sync::RwLock<HashMap<Vec<usize>, Value, foldhash::fast::FixedState>>;

impl<'v> CardFacets<'v> {
    /// The facets a card shows: every facet but the place, which the card names on its own.
    fn new(config: &'v Config, terms: &'v HashMap<String, Vec<Value>>) -> CardFacets<'v> {
        let fields = config
            .facets
            .iter()
            .filter(|f| Some(*f) != config.roles.place.as_ref())
            .filter_map(|f| {
                let vocabulary = config.fields.get(f)?.vocabulary.as_ref()?;
                Some((
                    f.as_str(),
                    terms.get(vocabulary)?.as_slice(),
                    FacetMaps::default(),
                ))
            })
            .collect();
        CardFacets { fields }
    }
}

/// Values shared by many pages, computed once per build.
pub struct Views {
    pub urls: Urls,
    /// Where the media are (the default language's address in every language).
    media_urls: Urls,
    /// The first segments of the built-in pages (`katalog/`, `karte/`…).
    pub segments: urls::Segments,
    pub cards: Vec<Value>,
    /// Per entry: a hash of what its card is made from (its file and its pictures' bytes),
    /// for the fingerprints of the pages that show it.
    pub card_hashes: Vec<u64>,
    /// Per entry: the values of its pictures (`picture` below), the lead one first.
    pictures: Vec<Vec<Value>>,
    /// Per type: `{ key, label, plural, color, url }`.
    pub types: Vec<Value>,
    /// Per vocabulary key, per term: `{ key, label, url }`.
    pub terms: HashMap<String, Vec<Value>>,
    /// The entries the home page shows as the newest, newest first: chosen once per build, for
    /// the page and its fingerprint alike.
    pub newest: Vec<usize>,
    /// Per type: the badge cards carry (`{ key, label, plural, color, url }`, no counts, so a
    /// card depends only on its entry's file and the schema).
    badges: Vec<Value>,
    /// Per field key: the parts of the field's value that come from its definition (`key`,
    /// `label`, `kind`, `item`, `description`, `is_markdown`), made once for all entries.
    field_defs: HashMap<String, [(&'static str, Value); 6]>,
    /// What the cards were built from, so the next build can reuse unchanged ones.
    sources: Vec<Arc<Entry>>,
    /// The finder results' items, made once per entry and set of reasons.
    pub(super) finder_items: super::finder::Items,
    /// The finder's result pages ranked, shared with the previous build while they are the same.
    pub(super) finder: Arc<super::finder::Rankings>,
    config: Arc<Config>,
}

impl Views {
    pub fn new(cat: &Catalogue, updated: &Updated) -> Views {
        Views::reusing(cat, updated, None, &Media::default())
    }

    /// Builds the views, taking over the cards of `previous` for entries whose file (and the
    /// schema) did not change: `serve` rebuilds only what an edit touched.
    pub fn reusing(
        cat: &Catalogue,
        updated: &Updated,
        previous: Option<&Views>,
        media: &Media,
    ) -> Views {
        let config = &cat.config;
        let urls = config.urls();
        let types: Vec<Value> = config
            .types
            .iter()
            .enumerate()
            .map(|(i, t)| {
                map([
                    ("key", t.key.as_str().into()),
                    ("label", t.label.as_str().into()),
                    ("plural", t.plural.as_str().into()),
                    (
                        "color",
                        t.color.clone().unwrap_or_else(|| "#444".into()).into(),
                    ),
                    ("description", t.description.clone().into()),
                    (
                        "url",
                        urls.path(&config.segments.type_list(&t.folder, 1)).into(),
                    ),
                    ("folder", t.folder.as_str().into()),
                    ("feed_url", urls.path(&urls::type_feed(&t.folder)).into()),
                    ("csv_url", urls.path(&urls::type_csv(&t.folder)).into()),
                    ("count", cat.by_type[i].len().into()),
                ])
            })
            .collect();
        let terms = config
            .vocabularies
            .values()
            .map(|v| {
                let values = v
                    .terms
                    .iter()
                    .map(|t| {
                        map([
                            ("key", t.key.as_str().into()),
                            ("label", t.label.as_str().into()),
                            ("url", urls.path(&urls::term(&v.key, &t.key)).into()),
                        ])
                    })
                    .collect();
                (v.key.clone(), values)
            })
            .collect();
        let badges = types
            .iter()
            .map(|t| {
                let mut m = t.as_map().cloned().unwrap_or_default();
                for k in ["count", "description", "feed_url", "csv_url"] {
                    m.remove(&k.into());
                }
                Value::from(m)
            })
            .collect();
        let field_defs = config
            .fields
            .iter()
            .map(|(key, def)| {
                let fixed = [
                    ("key", key.as_str().into()),
                    ("label", def.label.as_str().into()),
                    ("kind", def.kind.name().into()),
                    ("item", def.item.name().into()),
                    ("description", def.description.clone().into()),
                    ("is_markdown", (def.kind == FieldKind::Markdown).into()),
                ];
                (key.clone(), fixed)
            })
            .collect();
        let card_hashes: Vec<u64> = cat
            .entries
            .par_iter()
            .map(|e| match media.pictures_hash(e) {
                0 => e.content_hash,
                pictures => e.content_hash ^ pictures.rotate_left(1),
            })
            .collect();
        let mut views = Views {
            pictures: Vec::new(),
            card_hashes,
            urls,
            media_urls: config.media_urls(),
            segments: config.segments.clone(),
            cards: Vec::new(),
            types,
            terms,
            newest: super::context::newest_entries(cat, updated, super::NEWEST_COUNT),
            badges,
            field_defs,
            sources: cat.entries.clone(),
            finder_items: super::finder::Items::new(cat),
            finder: super::finder::Rankings::new(cat, previous.map(|p| &p.finder)),
            config: Arc::clone(config),
        };
        let taken = match previous {
            Some(p) => cat.unchanged_since(&p.sources, &p.config),
            None => vec![None; cat.entries.len()],
        };
        // A card is taken over if its entry and its pictures are the same.
        let taken: Vec<Option<usize>> = taken
            .into_iter()
            .enumerate()
            .map(|(i, k)| {
                let p = previous?;
                k.filter(|&k| p.card_hashes[k] == views.card_hashes[i])
            })
            .collect();
        views.pictures = (0..cat.entries.len())
            .into_par_iter()
            .map(|i| match (taken[i], previous) {
                (Some(k), Some(p)) => p.pictures[k].clone(),
                _ => views.picture_values(cat, i, media),
            })
            .collect();
        let facets = CardFacets::new(config, &views.terms);
        views.cards = (0..cat.entries.len())
            .into_par_iter()
            .map(|i| match (taken[i], previous) {
                (Some(k), Some(p)) => p.cards[k].clone(),
                _ => views.card(cat, i, &facets),
            })
            .collect();
        views
    }

    /// The short form of an entry used in lists, relations and search results.
    fn card(&self, cat: &Catalogue, i: usize, facets: &CardFacets) -> Value {
        let e = &cat.entries[i];
        let config = &cat.config;
        let place = config
            .roles
            .place
            .as_ref()
            .and_then(|p| self.field_text(cat, i, p));
        let facets: Vec<Value> = facets
            .fields
            .iter()
            .filter_map(|&(field, all, ref made)| {
                let terms = cat.entry_terms(i, field);
                if terms.is_empty() {
                    return None;
                }
                let read = made.read().unwrap_or_else(|e| e.into_inner());
                if let Some(value) = read.get(terms) {
                    return Some(value.clone());
                }
                drop(read);
                let values: Vec<Value> = terms.iter().map(|&t| all[t].clone()).collect();
                let value = map([
                    ("field", field.into()),
                    ("label", config.fields[field].label.as_str().into()),
                    ("terms", values.into()),
                ]);
                let mut made = made.write().unwrap_or_else(|e| e.into_inner());
                Some(made.entry(terms.to_vec()).or_insert(value).clone())
            })
            .collect();
        map([
            ("id", e.id.as_str().into()),
            ("title", e.title.as_str().into()),
            ("summary", e.summary.clone().into()),
            (
                "url",
                self.urls
                    .path(&config.entry_address(e.type_index, &e.slug))
                    .into(),
            ),
            ("type", self.badges[e.type_index].clone()),
            ("place", place.into()),
            ("transfer", transfer_teaser(cat, i).into()),
            ("facets", facets.into()),
            ("draft", e.draft.into()),
            ("text_language", e.text_language.as_deref().into()),
            ("image", self.pictures[i].first().cloned().into()),
        ])
    }

    /// The values of an entry's pictures: the one of the `image` role's field (or else the
    /// first) leads, the others follow in field order.
    fn picture_values(&self, cat: &Catalogue, i: usize, media: &Media) -> Vec<Value> {
        let e = &cat.entries[i];
        let lead_field = cat.config.roles.image.as_deref();
        let mut pictures: Vec<&crate::model::Picture> = Vec::new();
        if let Some(FieldValue::Image(lead)) = lead_field.and_then(|f| e.field(f)) {
            pictures.extend(lead);
        }
        for (key, value) in &e.fields {
            if let FieldValue::Image(list) = value {
                if Some(key.as_str()) != lead_field {
                    pictures.extend(list);
                }
            }
        }
        pictures
            .into_iter()
            .filter_map(|p| self.picture(p, media))
            .collect()
    }

    /// A picture as templates show it: the sizes made of it in WebP (`webp_srcset`) and in a
    /// format every browser shows (`src`, `srcset`, `type`), its size for `width` and
    /// `height`, the smallest size as `thumb`, and what is said about it.
    fn picture(&self, p: &crate::model::Picture, media: &Media) -> Option<Value> {
        let r = media.rendition(&p.src)?;
        let srcset = |variants: &[media::Variant]| {
            variants
                .iter()
                .map(|v| format!("{} {}w", self.media_urls.path(&v.path), v.width))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let largest = r.fallback.last()?;
        let thumb = r.webp.first()?;
        let src = self.media_urls.path(&largest.path);
        Some(map([
            ("src", src.clone().into()),
            ("width", r.width.into()),
            ("height", r.height.into()),
            ("type", largest.format.mime().into()),
            ("srcset", srcset(&r.fallback).into()),
            ("webp_srcset", srcset(&r.webp).into()),
            ("thumb", self.media_urls.path(&thumb.path).into()),
            ("thumb_width", thumb.width.into()),
            ("thumb_height", thumb.height.into()),
            ("absolute", self.media_urls.absolute(&src).into()),
            (
                "original",
                self.media_urls.path(&crate::urls::encoded(&p.src)).into(),
            ),
            ("alt", p.alt.as_str().into()),
            ("decorative", p.decorative.into()),
            ("credit", p.credit.clone().into()),
            ("caption", p.caption.clone().into()),
            ("licence", p.licence.clone().into()),
        ]))
    }

    /// The picture values of entry `i`, the lead one first.
    pub fn pictures(&self, i: usize) -> &[Value] {
        &self.pictures[i]
    }

    /// Term values (`{key,label,url}`) of a facet field on an entry.
    pub fn term_values(&self, cat: &Catalogue, entry: usize, field: &str) -> Vec<Value> {
        let Some(vocab) = cat
            .config
            .fields
            .get(field)
            .and_then(|f| f.vocabulary.as_ref())
        else {
            return vec![];
        };
        let Some(all) = self.terms.get(vocab) else {
            return vec![];
        };
        cat.entry_terms(entry, field)
            .iter()
            .map(|&t| all[t].clone())
            .collect()
    }

    /// A field's value as plain text (term labels joined), for places and CSV.
    pub fn field_text(&self, cat: &Catalogue, entry: usize, field: &str) -> Option<String> {
        field_plain_text(cat, entry, field)
    }

    fn relation_values(&self, rels: &[Relation]) -> Value {
        rels.iter()
            .map(|r| {
                map([
                    ("field", r.field.as_str().into()),
                    ("label", r.label.as_str().into()),
                    (
                        "entries",
                        r.targets
                            .iter()
                            .map(|&t| self.cards[t].clone())
                            .collect::<Vec<_>>()
                            .into(),
                    ),
                ])
            })
            .collect::<Vec<_>>()
            .into()
    }

    /// Everything an entry page shows. Besides all its `fields` (title and summary aside), the
    /// same field values sorted by where the default theme shows them: `facts` (short values,
    /// neither Markdown nor lists of links nor coordinates), `sections` (Markdown with text)
    /// and `sources` (lists of links with items). Sorting them here spares the template three
    /// loops over every field, with a test of three attributes for each.
    pub fn entry(&self, cat: &Catalogue, inputs: super::EntryInputs) -> Value {
        let super::EntryInputs {
            entry: i,
            relations,
            backlinks,
            similar,
            prev,
            next,
            completeness,
            updated,
        } = inputs;
        let e = &cat.entries[i];
        let config = &cat.config;
        let skip = [Some(&config.roles.title), config.roles.summary.as_ref()];
        let (mut fields, mut facts, mut sections, mut sources) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        let mut transfer = None;
        for (k, v) in e.fields.iter().filter(|(k, _)| !skip.contains(&Some(k))) {
            let value = self.field_value(cat, i, k, v);
            if config.roles.transfer.as_ref() == Some(k) {
                transfer = Some(value.clone());
            } else if let Some(def) = config.fields.get(k) {
                let link_list = def.item == ListItem::Link;
                match (def.kind, v) {
                    (FieldKind::Markdown, FieldValue::Markdown(_, html)) if !html.is_empty() => {
                        sections.push(value.clone())
                    }
                    (FieldKind::Markdown | FieldKind::Geo | FieldKind::Image, _) => {}
                    (FieldKind::List, FieldValue::List(items))
                        if link_list && !items.is_empty() =>
                    {
                        sources.push(value.clone())
                    }
                    _ if link_list => {}
                    _ => facts.push(value.clone()),
                }
            }
            fields.push(value);
        }
        let geo = config.roles.geo.as_ref().and_then(|g| match e.field(g) {
            Some(FieldValue::Geo { lat, lon }) => {
                Some(map([("lat", (*lat).into()), ("lon", (*lon).into())]))
            }
            _ => None,
        });
        let edit_url = edit_url(config, &e.rel_path);
        let mut card = self.cards[i].as_map().cloned().unwrap_or_default();
        let extra = [
            ("fields", Value::from(fields)),
            ("facts", Value::from(facts)),
            ("sections", Value::from(sections)),
            ("sources", Value::from(sources)),
            ("transfer", transfer.into()),
            ("body", Value::safe_string(&e.body_html)),
            ("relations", self.relation_values(relations)),
            ("backlinks", self.relation_values(&backlinks)),
            (
                "similar",
                similar
                    .iter()
                    .map(|&s| self.cards[s].clone())
                    .collect::<Vec<_>>()
                    .into(),
            ),
            ("prev", prev.map(|p| self.cards[p].clone()).into()),
            ("next", next.map(|n| self.cards[n].clone()).into()),
            ("geo", geo.into()),
            (
                "gallery",
                self.pictures[i].get(1..).unwrap_or(&[]).to_vec().into(),
            ),
            ("edit_url", edit_url.into()),
            ("updated", updated.into()),
            ("source_path", format!("content/{}", e.rel_path).into()),
            (
                "completeness",
                ((completeness * 100.0).round() as i64).into(),
            ),
            (
                "permalink",
                self.urls
                    .absolute(&self.urls.path(&config.entry_address(e.type_index, &e.slug)))
                    .into(),
            ),
        ];
        for (k, v) in extra {
            card.insert(k.into(), v);
        }
        Value::from(card)
    }

    /// One field as the facts table and sections show it.
    fn field_value(&self, cat: &Catalogue, entry: usize, key: &str, value: &FieldValue) -> Value {
        let none = Value::none;
        let (text, html, terms, items): (Value, Value, Vec<Value>, Vec<Value>) = match value {
            FieldValue::Text(t)
            | FieldValue::Date(t)
            | FieldValue::Email(t)
            | FieldValue::Url(t) => (t.as_str().into(), none(), vec![], vec![]),
            FieldValue::Image(pictures) => (
                none(),
                none(),
                vec![],
                pictures
                    .iter()
                    .map(|p| {
                        map([
                            ("text", p.alt.as_str().into()),
                            (
                                "url",
                                self.media_urls.path(&crate::urls::encoded(&p.src)).into(),
                            ),
                        ])
                    })
                    .collect(),
            ),
            FieldValue::Markdown(_, h) => (none(), Value::safe_string(h), vec![], vec![]),
            FieldValue::Number(n) => (n.to_string().into(), none(), vec![], vec![]),
            FieldValue::Year(y) => (y.to_string().into(), none(), vec![], vec![]),
            FieldValue::Geo { lat, lon } => {
                (format!("{lat:.4}, {lon:.4}").into(), none(), vec![], vec![])
            }
            FieldValue::Terms(_) => (none(), none(), self.term_values(cat, entry, key), vec![]),
            FieldValue::List(list) => {
                (none(), none(), vec![], list.iter().map(list_item).collect())
            }
            FieldValue::Bool(b) => (b.to_string().into(), none(), vec![], vec![]),
        };
        let url = match value {
            FieldValue::Url(u) => u.as_str().into(),
            _ => none(),
        };
        let mut pairs = Vec::with_capacity(11);
        if let Some(fixed) = self.field_defs.get(key) {
            pairs.extend(fixed.iter().cloned());
        }
        pairs.extend([
            ("text", text),
            ("html", html),
            ("terms", terms.into()),
            ("items", items.into()),
            ("url", url),
        ]);
        pairs_map(&pairs)
    }
}

fn list_item(item: &ListValue) -> Value {
    map([
        ("text", item.text.as_str().into()),
        ("url", item.url.clone().into()),
    ])
}
