//! Full-text search: casebook's own index, written as static JSON below `search/` and read by
//! the theme's `assets/find.js` in the browser.
//!
//! One document per entry (numbered by its position in the browser index, `katalog/index.json`,
//! so a hit is a position the facet filters can combine with) and per free page after them.
//! Every word of every document is indexed, at any size. Words are runs of letters and digits,
//! lower-cased; German function words are left out ([`language`]). The index keeps each word
//! as written (lower case) and files it under its Snowball stem, so the browser can tell an
//! exact word from another form of it ("Quartiere" for "Quartier") and both from a word it
//! only begins. German compounds are split into the parts the catalogue itself uses
//! ("Leerstands|management"), and each part lists the documents of its compounds. Each
//! posting carries a BM25 weight: occurrences in title, summary, other texts (such as
//! "Übertragbarkeit"), facet terms and body, each field's length taken into account.
//! The index is split into shards by the first two letters of a stem, so a query loads only
//! the shards of its words, and the texts excerpts are cut from (summary, other texts and
//! body, not titles or terms) come in small chunks, loaded for the hits shown.

use crate::export::{self, OutputFile, Sink};
use crate::markdown::plain_text;
use crate::model::FieldValue;
use crate::render::text::field_plain_text;
use crate::render::views::Views;
use crate::resolve::Catalogue;
use crate::sink::OutputError;
use rayon::prelude::*;
use std::hash::{Hash, Hasher};
use std::path::Path;

mod language;
mod postings;

pub use language::{compound_parts, split_compound, words, Terms, MAX_WORD_CHARS, MIN_PART_CHARS};
pub use postings::{shard_file, write_index, Settings, DIR, TEXT_CHUNK};

/// One searchable document.
#[derive(Debug, Clone, Default, PartialEq, Hash)]
pub struct Record {
    /// Where a free page's hit links to; empty for entries, whose hits are their positions.
    pub url: String,
    pub title: String,
    pub summary: String,
    /// Every other text and Markdown field, as plain text, in the type's order: what a case
    /// teaches ("Übertragbarkeit") is found and shown in excerpts like the body.
    pub texts: String,
    /// The labels of the entry's facet terms (place, topics): found by, never shown in excerpts.
    pub labels: String,
    pub body: String,
}

impl Record {
    /// The fields in the order of [`postings::FIELDS`].
    pub(crate) fn fields(&self) -> [&str; 5] {
        [
            self.title.as_str(),
            &self.summary,
            &self.texts,
            &self.labels,
            &self.body,
        ]
    }

    /// The text excerpts are cut from: summary, other texts and body.
    pub(crate) fn excerpt_text(&self) -> String {
        sentences([&self.summary, &self.texts, &self.body].into_iter())
    }
}

/// Parts joined as sentences: each ends with a full stop unless it has its own.
fn sentences<S: AsRef<str>>(parts: impl Iterator<Item = S>) -> String {
    let mut out = String::new();
    for part in parts {
        let part = part.as_ref().trim();
        if part.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(part);
        if !part.ends_with(['.', '!', '?', '…', ':']) {
            out.push('.');
        }
    }
    out
}

/// The documents of a catalogue: every entry in browser-index order (title order), then every
/// free page.
pub fn records(cat: &Catalogue, views: &Views) -> Vec<Record> {
    let config = &cat.config;
    let roles = [Some(&config.roles.title), config.roles.summary.as_ref()];
    let mut out: Vec<Record> = cat
        .by_title
        .par_iter()
        .map(|&i| {
            let e = &cat.entries[i];
            // Every text and Markdown field but title and summary, the transfer role's first:
            // what a case teaches is found whatever its role, and shown early in excerpts.
            let transfer = config.roles.transfer.as_ref();
            let mut fields: Vec<&(String, FieldValue)> = e.fields.iter().collect();
            fields.sort_by_key(|(key, _)| Some(key) != transfer);
            let texts = fields.into_iter().filter_map(|(key, value)| {
                if roles.contains(&Some(key)) {
                    return None;
                }
                match value {
                    FieldValue::Text(t) => Some(t.clone()),
                    FieldValue::Markdown(_, html) => Some(plain_text(html)),
                    _ => None,
                }
            });
            let labels = config
                .facets
                .iter()
                .filter_map(|f| field_plain_text(cat, i, f));
            Record {
                url: String::new(),
                title: e.title.clone(),
                summary: e.summary.clone().unwrap_or_default(),
                texts: sentences(texts),
                labels: sentences(labels),
                body: plain_text(&e.body_html),
            }
        })
        .collect();
    for p in &cat.pages {
        out.push(Record {
            url: views.urls.path(&crate::urls::free_page(&p.slug)),
            title: p.title.clone(),
            summary: p.summary.clone().unwrap_or_default(),
            body: plain_text(&p.body_html),
            ..Record::default()
        });
    }
    out
}

/// What the index needs of the catalogue besides its records.
fn settings(cat: &Catalogue) -> Settings {
    Settings {
        entries: cat.entries.len(),
        language: cat.config.language.clone(),
        synonyms: cat.config.synonyms.clone(),
    }
}

/// Beside a built output: the hash of what its search index was made from, then the index's
/// files, one per line. A rebuild whose records hash the same copies the files instead of
/// indexing again.
pub const BUNDLE_FILE: &str = ".casebook-search";

/// What [`bundle`] wrote.
pub struct Bundle {
    /// Files written, [`BUNDLE_FILE`] included.
    pub files: usize,
    /// Whether the index was taken over from the previous output.
    pub reused: bool,
}

/// Writes the search index of `cat` through `sink`: the one in `output` (the site as it was
/// last written, where there is one) if it was made from the same records (and `identity`,
/// which stands for this program, its settings and site.yaml with the language), else a new
/// one; either way, with an `output`, with [`BUNDLE_FILE`].
pub fn bundle(
    cat: &Catalogue,
    views: &Views,
    output: Option<&Path>,
    identity: u64,
    sink: &Sink<'_>,
) -> Result<Bundle, OutputError> {
    let records = records(cat, views);
    let key = {
        let mut h = crate::fingerprinter();
        (identity, &records, &cat.config.synonyms).hash(&mut h);
        format!("{:016x}", h.finish())
    };
    // Only a sink with a previous output can take an index over; only it records one.
    let Some(output) = output else {
        let paths = write_index(records, &settings(cat), sink)?;
        return Ok(Bundle {
            files: paths.len(),
            reused: false,
        });
    };
    let previous = std::fs::read_to_string(output.join(BUNDLE_FILE)).unwrap_or_default();
    let listed: Vec<&str> = previous.lines().skip(1).collect();
    let reusable = !previous.is_empty()
        && previous.lines().next() == Some(&key)
        && listed
            .iter()
            .all(|p| p.starts_with(DIR) && !p.contains("..") && output.join(p).is_file());
    if reusable {
        for p in &listed {
            let bytes = std::fs::read(output.join(p)).map_err(|source| OutputError::Io {
                path: output.join(p),
                source,
            })?;
            sink(p, &|w| w.write_all(&bytes))?;
        }
        sink(BUNDLE_FILE, &|w| w.write_all(previous.as_bytes()))?;
        return Ok(Bundle {
            files: listed.len() + 1,
            reused: true,
        });
    }
    let paths = write_index(records, &settings(cat), sink)?;
    let mut list = key;
    for p in &paths {
        list.push('\n');
        list.push_str(p);
    }
    list.push('\n');
    sink(BUNDLE_FILE, &|w| w.write_all(list.as_bytes()))?;
    Ok(Bundle {
        files: paths.len() + 1,
        reused: false,
    })
}

/// The index files of a catalogue, in memory (`serve`).
pub fn index(cat: &Catalogue, views: &Views) -> Vec<OutputFile> {
    let records = records(cat, views);
    let settings = settings(cat);
    export::collect(|sink| write_index(records, &settings, sink).map(|_| ()))
}
