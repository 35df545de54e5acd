//! What the ways into the catalogue need from the graph: which collections list an entry, the
//! events of a type in date order, and the build date they are split by.

use super::*;
use crate::model::{Collection, Member};

/// A collection with its entries resolved.
pub type ResolvedCollection = (Arc<Collection>, Vec<Member>);

/// Per entry: the collections (indices) that list it, in collection order.
pub(super) fn in_collections(
    entries: usize,
    collections: &[ResolvedCollection],
) -> Vec<Vec<usize>> {
    let mut found = vec![Vec::new(); entries];
    for (c, (_, members)) in collections.iter().enumerate() {
        for m in members {
            found[m.entry].push(c);
        }
    }
    found
}

/// The date of the build, `YYYY-MM-DD` (UTC): what events are split into upcoming and past by.
/// `SOURCE_DATE_EPOCH` (seconds, the reproducible-builds convention) fixes it, so that a build
/// can be repeated byte for byte and tests can choose the day.
pub fn build_date() -> String {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok())
        .map(|secs| std::time::UNIX_EPOCH + std::time::Duration::from_secs(secs));
    let now = fixed.unwrap_or_else(std::time::SystemTime::now);
    humantime::format_rfc3339_seconds(now).to_string()[..10].to_string()
}

/// One event of an event type: the entry and its start and end as written (`2026-05-04` or
/// `2026-05-04 18:00`).
#[derive(Debug, Clone, PartialEq)]
pub struct Event<'a> {
    pub entry: usize,
    pub start: &'a str,
    pub end: Option<&'a str>,
}

impl<'a> Event<'a> {
    /// Whether the event is over on `today`: it ended (or, without an end, began) before it.
    pub fn is_past(&self, today: &str) -> bool {
        day(self.end.unwrap_or(self.start)) < today
    }

    /// The year it began in, for the archive.
    pub fn year(&self) -> &'a str {
        self.start.get(..4).unwrap_or("")
    }
}

/// The day part of a date value that may carry a time.
pub fn day(date: &str) -> &str {
    date.get(..10).unwrap_or(date)
}

impl Catalogue {
    /// The events of type `type_index` (if it is an event type), soonest first; entries
    /// without a start date are left out.
    pub fn events(&self, type_index: usize) -> Vec<Event<'_>> {
        let Some(settings) = &self.config.types[type_index].event else {
            return Vec::new();
        };
        let date = |i: usize, key: &str| match self.entries[i].field(key) {
            Some(FieldValue::Date(d)) => Some(d.as_str()),
            _ => None,
        };
        let mut events: Vec<Event<'_>> = self.by_type[type_index]
            .iter()
            .filter_map(|&i| {
                Some(Event {
                    entry: i,
                    start: date(i, &settings.start)?,
                    end: settings.end.as_deref().and_then(|e| date(i, e)),
                })
            })
            .collect();
        events.sort_by(|a, b| a.start.cmp(b.start).then(a.entry.cmp(&b.entry)));
        events
    }
}
