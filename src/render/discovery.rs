//! The values of the ways into the catalogue: collections (their list, their pages, where an
//! entry is listed) and the event calendars (upcoming and past, by year).

use super::*;
use crate::config::Config;
use crate::resolve::{Event, ResolvedCollection};

fn folder(config: &Config) -> &str {
    config
        .collections
        .as_ref()
        .map_or("", |c| c.folder.as_str())
}

/// `{ title, summary, url, feed_url, count }` of a collection.
fn collection_link(
    config: &Config,
    views: &Views,
    (collection, members): &ResolvedCollection,
) -> tera::Map {
    let mut m = tera::Map::new();
    m.insert("title".into(), collection.title.as_str().into());
    m.insert("summary".into(), collection.summary.clone().into());
    m.insert(
        "url".into(),
        views
            .urls
            .path(&urls::collection(folder(config), &collection.slug))
            .into(),
    );
    m.insert(
        "feed_url".into(),
        views
            .urls
            .path(&urls::collection_feed(folder(config), &collection.slug))
            .into(),
    );
    m.insert("count".into(), members.len().into());
    m.insert(
        "text_language".into(),
        collection.text_language.as_deref().into(),
    );
    m
}

/// The collections settings as templates see them (`label`, `plural`, `description`, `url`),
/// or none when the catalogue has no collections.
pub(super) fn collections_settings(cat: &Catalogue, views: &Views) -> Value {
    let Some(c) = &cat.config.collections else {
        return Value::none();
    };
    map([
        ("label", c.label.as_str().into()),
        ("plural", c.plural.as_str().into()),
        ("description", c.description.clone().into()),
        ("url", views.urls.path(&urls::collections(&c.folder)).into()),
    ])
}

/// Every collection, for their list and the home page.
pub(super) fn collections(
    config: &Config,
    collections: &[ResolvedCollection],
    views: &Views,
) -> Value {
    collections
        .iter()
        .map(|c| Value::from(collection_link(config, views, c)))
        .collect::<Vec<_>>()
        .into()
}

/// A collection's page: its introduction and its entries as cards, in order, with the notes.
pub(super) fn collection(config: &Config, views: &Views, c: &ResolvedCollection) -> Value {
    let (collection, members) = c;
    let mut m = collection_link(config, views, c);
    m.insert("intro".into(), Value::safe_string(&collection.intro_html));
    let entries: Vec<Value> = members
        .iter()
        .map(|member| {
            map([
                ("card", views.cards[member.entry].clone()),
                ("note", member.note.clone().into()),
            ])
        })
        .collect();
    m.insert("entries".into(), entries.into());
    m.into()
}

/// The collections (`in_collections`, indices into `collections`) that list entry `i`, each
/// with the note it has there.
pub(super) fn entry_collections(
    config: &Config,
    views: &Views,
    i: usize,
    in_collections: &[usize],
    collections: &[ResolvedCollection],
) -> Value {
    in_collections
        .iter()
        .map(|&c| {
            let mut m = collection_link(config, views, &collections[c]);
            let note = collections[c]
                .1
                .iter()
                .find(|member| member.entry == i)
                .and_then(|member| member.note.clone());
            m.insert("note".into(), note.into());
            Value::from(m)
        })
        .collect::<Vec<_>>()
        .into()
}

/// Where an event takes place, as text: the titles of the entries a reference names, else the
/// field's text.
pub fn event_place(cat: &Catalogue, entry: usize) -> Option<String> {
    let settings = cat.config.types[cat.entries[entry].type_index]
        .event
        .as_ref()?;
    let field = settings.place.as_deref()?;
    match cat.relations[entry].iter().find(|r| r.field == field) {
        Some(r) => Some(
            r.targets
                .iter()
                .map(|&t| cat.entries[t].title.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        ),
        None => super::text::field_plain_text(cat, entry, field),
    }
}

/// A date value for `<time datetime>`: `2026-05-04T18:00` for one with a time.
fn machine_date(date: &str) -> String {
    date.replacen(' ', "T", 1)
}

fn event_value(cat: &Catalogue, views: &Views, event: &Event<'_>) -> Value {
    let e = &cat.entries[event.entry];
    let folder = &cat.config.types[e.type_index].folder;
    map([
        ("card", views.cards[event.entry].clone()),
        ("start", event.start.into()),
        ("start_datetime", machine_date(event.start).into()),
        ("end", event.end.into()),
        ("end_datetime", event.end.map(machine_date).into()),
        ("place", event_place(cat, event.entry).into()),
        (
            "ics_url",
            views
                .urls
                .path(&views.segments.event_ics(folder, &e.slug))
                .into(),
        ),
    ])
}

/// The years (newest first) in which events of the type began, with their archive pages.
pub fn event_years(cat: &Catalogue, type_index: usize) -> Vec<String> {
    let mut years: Vec<String> = cat
        .events(type_index)
        .iter()
        .map(|e| e.year().to_string())
        .collect();
    years.dedup();
    years.reverse();
    years
}

fn calendar_head(cat: &Catalogue, views: &Views, type_index: usize, today: &str) -> tera::Map {
    let folder = &cat.config.types[type_index].folder;
    let events = cat.events(type_index);
    let years: Vec<Value> = event_years(cat, type_index)
        .iter()
        .map(|y| {
            map([
                ("year", y.as_str().into()),
                (
                    "count",
                    events.iter().filter(|e| e.year() == y).count().into(),
                ),
                (
                    "url",
                    views
                        .urls
                        .path(&views.segments.events_year(folder, y))
                        .into(),
                ),
            ])
        })
        .collect();
    let mut m = tera::Map::new();
    m.insert("type".into(), views.types[type_index].clone());
    m.insert("today".into(), today.into());
    m.insert("years".into(), years.into());
    m.insert(
        "url".into(),
        views.urls.path(&views.segments.events(folder)).into(),
    );
    m.insert(
        "ics_url".into(),
        views.urls.path(&views.segments.events_ics(folder)).into(),
    );
    m
}

/// An event type's calendar: upcoming events (soonest first) and past ones (latest first),
/// split by the build date.
pub(super) fn calendar(cat: &Catalogue, views: &Views, type_index: usize, today: &str) -> Value {
    let events = cat.events(type_index);
    let (past, upcoming): (Vec<&Event<'_>>, Vec<&Event<'_>>) =
        events.iter().partition(|e| e.is_past(today));
    let values = |list: &mut dyn Iterator<Item = &&Event<'_>>| {
        list.map(|e| event_value(cat, views, e))
            .collect::<Vec<_>>()
            .into()
    };
    let mut m = calendar_head(cat, views, type_index, today);
    m.insert("upcoming".into(), values(&mut upcoming.iter()));
    m.insert("past".into(), values(&mut past.iter().rev()));
    m.into()
}

/// The events of an event type that began in `year`, in date order.
pub(super) fn calendar_year(
    cat: &Catalogue,
    views: &Views,
    type_index: usize,
    year: &str,
    today: &str,
) -> Value {
    let events = cat.events(type_index);
    let mut m = calendar_head(cat, views, type_index, today);
    m.insert("year".into(), year.into());
    m.insert(
        "events".into(),
        events
            .iter()
            .filter(|e| e.year() == year)
            .map(|e| event_value(cat, views, e))
            .collect::<Vec<_>>()
            .into(),
    );
    m.into()
}

/// The calendar facts of an event entry's page (`start`, `end`, `place`, `ics_url`), or none.
pub(super) fn entry_event(cat: &Catalogue, views: &Views, i: usize) -> Value {
    let type_index = cat.entries[i].type_index;
    cat.events(type_index)
        .iter()
        .find(|e| e.entry == i)
        .map(|e| event_value(cat, views, e))
        .into()
}

/// The event types with their calendars (`type`, `url`, `ics_url`), for the navigation.
pub(super) fn calendars(cat: &Catalogue, views: &Views) -> Value {
    cat.config
        .types
        .iter()
        .enumerate()
        .filter(|(_, t)| t.event.is_some())
        .map(|(t, ty)| {
            map([
                ("type", views.types[t].clone()),
                (
                    "url",
                    views.urls.path(&views.segments.events(&ty.folder)).into(),
                ),
                (
                    "ics_url",
                    views
                        .urls
                        .path(&views.segments.events_ics(&ty.folder))
                        .into(),
                ),
            ])
        })
        .collect::<Vec<_>>()
        .into()
}
