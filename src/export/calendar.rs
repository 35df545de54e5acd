//! The event calendars as iCalendar files (RFC 5545): one per event with the event alone, and
//! one per event type with its upcoming events, each the theme's `event.ics` filled with
//! `calendar` (`name`, `url`) and `events` (`uid`, `url`, `title`, `summary`, `place`,
//! `all_day`, `start`, `end`, `stamp`).

use super::*;
use crate::render::ics::IcsTemplates;
use crate::resolve::{day, Event};

/// `2026-05-04` → `20260504`, `2026-05-04 18:00` → `20260504T180000` (a local, floating time).
fn ics_date(date: &str) -> String {
    let digits: String = day(date).chars().filter(char::is_ascii_digit).collect();
    match date.get(11..16) {
        Some(time) => format!("{digits}T{}00", time.replace(':', "")),
        None => digits,
    }
}

/// The day after `date` (`YYYY-MM-DD`): an all-day event's exclusive end.
fn next_day(date: &str) -> String {
    let parse = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<u32>().ok());
    let (Some(y), Some(m), Some(d)) = (parse(0..4), parse(5..7), parse(8..10)) else {
        return date.to_string();
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 31,
    };
    let (y, m, d) = match (d < days, m < 12) {
        (true, _) => (y, m, d + 1),
        (false, true) => (y, m + 1, 1),
        (false, false) => (y + 1, 1, 1),
    };
    format!("{y:04}-{m:02}-{d:02}")
}

fn event_value(cat: &Catalogue, views: &Views, updated: &Updated, event: &Event<'_>) -> Value {
    let e = &cat.entries[event.entry];
    let config = &cat.config;
    let url = views.urls.absolute(
        &views
            .urls
            .path(&config.entry_address(e.type_index, &e.slug)),
    );
    let all_day = event.start.len() <= 10;
    let end = match (all_day, event.end) {
        (true, end) => Some(ics_date(&next_day(day(end.unwrap_or(event.start))))),
        (false, Some(end)) if end.len() > 10 => Some(ics_date(end)),
        (false, _) => None,
    };
    let stamp = updated
        .get(&e.rel_path)
        .map_or_else(|| cat.today.clone(), Clone::clone);
    let place = crate::render::event_place(cat, event.entry);
    map([
        ("uid", url.as_str().into()),
        ("url", url.into()),
        ("title", e.title.as_str().into()),
        ("summary", e.summary.clone().into()),
        ("place", place.into()),
        ("all_day", all_day.into()),
        ("start", ics_date(event.start).into()),
        ("end", end.into()),
        ("stamp", format!("{}T000000Z", ics_date(&stamp)).into()),
    ])
}

/// The iCalendar files of every event type: each event's, and the type's upcoming events.
pub(super) fn calendars(
    cat: &Catalogue,
    views: &Views,
    ics: &IcsTemplates,
    updated: &Updated,
) -> Result<Vec<OutputFile>, RenderError> {
    let config = &cat.config;
    let mut files = Vec::new();
    for (t, ty) in config.types.iter().enumerate() {
        if ty.event.is_none() {
            continue;
        }
        let file = |path: String, name: String, events: Vec<Value>| {
            let mut context = Context::new();
            context.insert_value(
                "calendar",
                map([
                    ("name", name.into()),
                    (
                        "url",
                        views
                            .urls
                            .absolute(&views.urls.path(&config.segments.events(&ty.folder)))
                            .into(),
                    ),
                ]),
            );
            context.insert_value("events", events.into());
            Ok::<_, RenderError>((path, ics.render("event.ics", &context)?))
        };
        let events = cat.events(t);
        let upcoming: Vec<Value> = events
            .iter()
            .filter(|e| !e.is_past(&cat.today))
            .map(|e| event_value(cat, views, updated, e))
            .collect();
        files.push(file(
            config.segments.events_ics(&ty.folder),
            format!("{} – {}", config.title, ty.plural),
            upcoming,
        )?);
        for e in &events {
            let entry = &cat.entries[e.entry];
            files.push(file(
                config.segments.event_ics(&ty.folder, &entry.slug),
                entry.title.clone(),
                vec![event_value(cat, views, updated, e)],
            )?);
        }
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_become_ical_dates_and_all_day_events_end_the_next_day() {
        assert_eq!(ics_date("2026-05-04"), "20260504");
        assert_eq!(ics_date("2026-05-04 18:30"), "20260504T183000");
        assert_eq!(ics_date("2026-05-04T09:05"), "20260504T090500");
        assert_eq!(next_day("2026-05-04"), "2026-05-05");
        assert_eq!(next_day("2024-02-28"), "2024-02-29");
        assert_eq!(next_day("2026-02-28"), "2026-03-01");
        assert_eq!(next_day("2026-12-31"), "2027-01-01");
    }
}
