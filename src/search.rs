//! Full-text search: casebook's own index, written as static JSON below `search/` and read by
//! the theme's `assets/find.js` in the browser.
//!
//! One document per entry (numbered by its position in the browser index, `katalog/index.json`,
//! so a hit is a position the facet filters can combine with) and per free page after them.
//! Words are runs of letters and digits, lower-cased and, in a German catalogue, reduced to
//! their Snowball stem ("Quartier", "Quartiere" and "Quartiers" all become "quarti"); the
//! browser stems a query the same way and matches each word as a prefix of the indexed terms.
//! The index is split into shards by the first two letters of a term, so a query loads only
//! the shards of its words, and the texts excerpts are cut from come in small chunks, loaded
//! for the hits shown.

use crate::export::{self, OutputFile, Sink};
use crate::markdown::plain_text;
use crate::render::views::{field_plain_text, transfer_text, Views};
use crate::resolve::Catalogue;
use crate::sink::OutputError;
use foldhash::fast::FixedState;
use pagefind_stem::{Algorithm, Stemmer};
use rayon::prelude::*;
use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::Path;

/// How much entry body text the index takes, in characters, for the whole catalogue. Titles,
/// summaries, places and terms always go in whole, and so do free pages (few, and with nothing
/// else to be found by). Bodies share the budget: those shorter than their share go in whole,
/// the rest are cut at the same length ([`body_cap`]), never below [`MIN_BODY_CHARS`].
/// Catalogues of up to about a thousand entries of ordinary length are indexed in full; beyond
/// that, indexing time stops growing with every word (BENCHMARKS.md: what each cut costs and
/// still finds).
pub const BODY_BUDGET: usize = 4_000_000;

/// The shortest cut: the opening paragraph, which names what a case is and who carries it.
pub const MIN_BODY_CHARS: usize = 400;

/// The length bodies are cut at so that, with bodies of the given lengths (in characters), the
/// index takes at most [`BODY_BUDGET`] characters of them (but never less than
/// [`MIN_BODY_CHARS`] of any); `usize::MAX` when all fit whole.
pub fn body_cap(lengths: &[usize]) -> usize {
    let mut sorted = lengths.to_vec();
    sorted.sort_unstable();
    let mut left = BODY_BUDGET;
    for (i, &len) in sorted.iter().enumerate() {
        let rest = sorted.len() - i;
        if len.saturating_mul(rest) > left {
            return (left / rest).max(MIN_BODY_CHARS);
        }
        left -= len;
    }
    usize::MAX
}

/// One searchable document.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Record {
    /// Where a free page's hit links to; empty for entries, whose hits are their positions.
    pub url: String,
    pub title: String,
    /// Summary, transfer role, place and terms: found by, and weighted above, the body.
    pub lead: String,
    pub body: String,
}

/// The documents of a catalogue: every entry in browser-index order (title order), then every
/// free page.
pub fn records(cat: &Catalogue, views: &Views) -> Vec<Record> {
    let config = &cat.config;
    let mut out = Vec::with_capacity(cat.entries.len() + cat.pages.len());
    // Each body's length, and its opening: enough for any cut but a rare one, so that 100,000
    // bodies are not held whole (250 MB) just to learn where to cut them.
    let keep = MIN_BODY_CHARS.max(4 * BODY_BUDGET / cat.entries.len().max(1));
    let (lengths, openings): (Vec<usize>, Vec<String>) = cat
        .entries
        .par_iter()
        .map(|e| {
            let mut text = plain_text(&e.body_html);
            let len = text.bytes().filter(|b| b & 0xC0 != 0x80).count();
            if let Some((end, _)) = (len > keep + 1)
                .then(|| text.char_indices().nth(keep + 1))
                .flatten()
            {
                text.truncate(end);
                text.shrink_to_fit();
            }
            (len, text)
        })
        .unzip();
    let cap = body_cap(&lengths);
    // `keep + 1` characters decide a cut at up to `keep`; a longer one needs the whole body.
    let body = |i: usize| {
        if cap <= keep || lengths[i] <= keep {
            cut_at_word(&openings[i], cap).to_string()
        } else {
            cut_at_word(&plain_text(&cat.entries[i].body_html), cap).to_string()
        }
    };
    for &i in &cat.by_title {
        let e = &cat.entries[i];
        let mut lead = String::new();
        let fields = config
            .facets
            .iter()
            .filter_map(|f| field_plain_text(cat, i, f));
        let transfer = transfer_text(cat, i);
        for part in e.summary.iter().cloned().chain(transfer).chain(fields) {
            lead.push_str(&part);
            if !part.ends_with(['.', '!', '?', '…']) {
                lead.push('.');
            }
            lead.push(' ');
        }
        out.push(Record {
            url: String::new(),
            title: e.title.clone(),
            lead,
            body: body(i),
        });
    }
    for p in &cat.pages {
        out.push(Record {
            url: views.urls.path(&crate::urls::free_page(&p.slug)),
            title: p.title.clone(),
            lead: String::new(),
            body: plain_text(&p.body_html),
        });
    }
    out
}

/// The first `max` characters of `s`, ending before a word cut in two.
fn cut_at_word(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let Some((end, _)) = s.char_indices().nth(max) else {
        return s;
    };
    let head = &s[..end];
    if s[end..].starts_with(char::is_whitespace) {
        return head;
    }
    match head.rfind(char::is_whitespace) {
        Some(space) => &head[..space],
        None => head,
    }
}

/// The folder of the index in the output.
pub const DIR: &str = crate::urls::SEARCH_INDEX;

/// Documents per file of excerpt texts: a page of hits loads a few small files.
pub const TEXT_CHUNK: usize = 8;

/// How much an occurrence counts: in the title, in the lead (summary, place, terms), in the body.
const WEIGHTS: [u32; 3] = [8, 3, 1];

/// Weights above this add nothing a reader would notice; capping keeps the shards small.
const MAX_WEIGHT: u32 = 99;

/// Longer runs of letters are not words a reader types (hashes, encoded data).
pub const MAX_WORD_CHARS: usize = 64;

/// The words of `text` as the index and the browser's `find.js` see them: runs of letters and
/// digits (`char::is_alphanumeric`, in JavaScript `[\p{Alphabetic}\p{N}]+`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    // Bytes, not characters: ASCII letters and digits (most of a German text) are tested
    // without decoding, other characters are decoded where they start.
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while at < bytes.len() {
            let b = bytes[at];
            let (is_word, len) = if b < 0x80 {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                let c = text[at..].chars().next()?;
                (c.is_alphanumeric(), c.len_utf8())
            };
            match (is_word, start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => return Some(&text[from..at]),
                _ => {}
            }
            at += len;
        }
        start.map(|from| &text[from..])
    })
}

/// Terms as the index stores them: lower-cased words, stemmed where the language has a stemmer.
pub struct Terms {
    stemmer: Option<Stemmer>,
}

impl Terms {
    /// German is stemmed (Snowball, as the browser's `stem.js`); other languages are not.
    pub fn for_language(language: &str) -> Terms {
        Terms {
            stemmer: (language == "de").then(|| Stemmer::create(Algorithm::German)),
        }
    }

    /// The name of the stemmer for the browser, or `None`.
    pub fn stemmer_name(&self) -> Option<&'static str> {
        self.stemmer.as_ref().map(|_| "german")
    }

    /// The term of one word, or `None` for a word longer than [`MAX_WORD_CHARS`].
    pub fn term(&self, word: &str) -> Option<String> {
        if word.len() > MAX_WORD_CHARS && word.chars().nth(MAX_WORD_CHARS).is_some() {
            return None;
        }
        // As the browser's toLowerCase, with the final-sigma rule.
        let lower = word.to_lowercase();
        Some(match &self.stemmer {
            Some(s) => s.stem(&lower).into_owned(),
            None => lower,
        })
    }
}

/// A term's shard: its first two characters.
fn shard_key(term: &str) -> &str {
    let end = term.char_indices().nth(2).map_or(term.len(), |(i, _)| i);
    &term[..end]
}

/// The file name of a shard: ASCII letters and digits as they are, anything else as
/// `_<hex code point>_` (the same mapping as `shardFile` in `find.js`).
pub fn shard_file(key: &str) -> String {
    let mut name = String::with_capacity(key.len() + 5);
    for c in key.chars() {
        if c.is_ascii_lowercase() || c.is_ascii_digit() {
            name.push(c);
        } else {
            let _ = write!(name, "_{:x}_", c as u32);
        }
    }
    name
}

type Map<K, V> = HashMap<K, V, FixedState>;

/// Postings of a run of documents: terms, each with flat pairs of document number and weight in
/// document order.
fn postings(terms: &Terms, first: usize, records: &[Record]) -> Vec<(String, Vec<u32>)> {
    let mut lists: Vec<(String, Vec<u32>)> = Vec::new();
    // Most words recur: each distinct spelling is lower-cased and stemmed once.
    let mut by_word: Map<&str, Option<usize>> = Map::default();
    let mut by_term: Map<String, usize> = Map::default();
    for (i, r) in records.iter().enumerate() {
        let doc = (first + i) as u32;
        for (text, weight) in [&r.title, &r.lead, &r.body].into_iter().zip(WEIGHTS) {
            for word in words(text) {
                let at = *by_word.entry(word).or_insert_with(|| {
                    let term = terms.term(word)?;
                    Some(*by_term.entry(term).or_insert_with_key(|term| {
                        lists.push((term.clone(), Vec::new()));
                        lists.len() - 1
                    }))
                });
                let Some(at) = at else { continue };
                let list = &mut lists[at].1;
                match list.len().checked_sub(2) {
                    Some(last) if list[last] == doc => list[last + 1] += weight,
                    _ => list.extend([doc, weight]),
                }
            }
        }
    }
    lists
}

/// Writes the index of `records` (the first `entries` of them entries, the rest free pages)
/// through `sink`, below [`DIR`]: `index.json` (what the browser needs first),
/// `terms/<shard>.json` (per term its documents as deltas, each followed by its weight) and
/// `text/<n>.json` (the texts excerpts are cut from). Each file goes out as soon as it is made,
/// and the records go once their texts are out: at 100,000 entries they are 80 MB. Returns the
/// paths written.
pub fn write_index(
    records: Vec<Record>,
    entries: usize,
    language: &str,
    sink: &Sink<'_>,
) -> Result<Vec<String>, OutputError> {
    let terms = Terms::for_language(language);
    let parts: Vec<Vec<(String, Vec<u32>)>> = records
        .par_chunks(256)
        .enumerate()
        .map(|(n, chunk)| postings(&terms, n * 256, chunk))
        .collect();
    let mut paths: Vec<String> = records
        .par_chunks(TEXT_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let texts: Vec<String> = chunk
                .iter()
                .map(|r| match (r.lead.trim_end(), r.body.as_str()) {
                    ("", body) => body.to_string(),
                    (lead, "") => lead.to_string(),
                    (lead, body) => format!("{lead} {body}"),
                })
                .collect();
            let path = format!("{DIR}text/{n}.json");
            sink(&path, &|w| Ok(serde_json::to_writer(w, &texts)?))?;
            Ok(path)
        })
        .collect::<Result<_, OutputError>>()?;
    let documents = records.len();
    let pages: Vec<serde_json::Value> = records[entries.min(documents)..]
        .iter()
        .map(|r| serde_json::json!({"url": r.url, "title": r.title}))
        .collect();
    drop(records);

    // Each run of documents has its own lists; a stable sort by term puts a term's lists in
    // document order without joining them.
    let mut lists: Vec<(String, Vec<u32>)> = parts.into_iter().flatten().collect();
    lists.par_sort_by(|a, b| a.0.cmp(&b.0));
    let mut shards: Vec<&[(String, Vec<u32>)]> = Vec::new();
    let mut rest = &lists[..];
    while let Some((first, _)) = rest.first() {
        let key = shard_key(first);
        let n = rest.partition_point(|(t, _)| shard_key(t) == key);
        shards.push(&rest[..n]);
        rest = &rest[n..];
    }
    paths.par_extend(
        shards
            .par_iter()
            .map(|shard| {
                let mut json = String::from("{");
                let mut last = 0;
                for (i, (term, list)) in shard.iter().enumerate() {
                    let first_of_term = i == 0 || shard[i - 1].0 != *term;
                    if first_of_term {
                        if i > 0 {
                            json.push_str("],");
                        }
                        json.push_str(&serde_json::to_string(term).unwrap_or_default());
                        json.push_str(":[");
                        last = 0;
                    }
                    let mut number = itoa::Buffer::new();
                    for (j, pair) in list.chunks_exact(2).enumerate() {
                        if !(first_of_term && j == 0) {
                            json.push(',');
                        }
                        json.push_str(number.format(pair[0] - last));
                        json.push(',');
                        json.push_str(number.format(pair[1].min(MAX_WEIGHT)));
                        last = pair[0];
                    }
                }
                json.push_str("]}");
                let path = format!("{DIR}terms/{}.json", shard_file(shard_key(&shard[0].0)));
                sink(&path, &|w| w.write_all(json.as_bytes()))?;
                Ok(path)
            })
            .collect::<Result<Vec<_>, OutputError>>()?,
    );
    let meta = serde_json::json!({
        "version": 1,
        "stemmer": terms.stemmer_name(),
        "max_word": MAX_WORD_CHARS,
        "documents": documents,
        "entries": entries,
        "text_chunk": TEXT_CHUNK,
        "shards": shards.iter().map(|s| shard_key(&s[0].0)).collect::<Vec<_>>(),
        "pages": pages,
    });
    let path = format!("{DIR}index.json");
    sink(&path, &|w| Ok(serde_json::to_writer(w, &meta)?))?;
    paths.push(path);
    Ok(paths)
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
        (identity, &records).hash(&mut h);
        format!("{:016x}", h.finish())
    };
    // Only a sink with a previous output can take an index over; only it records one.
    let Some(output) = output else {
        let paths = write_index(records, cat.entries.len(), &cat.config.language, sink)?;
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
    let paths = write_index(records, cat.entries.len(), &cat.config.language, sink)?;
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
    let (entries, language) = (cat.entries.len(), &cat.config.language);
    export::collect(|sink| write_index(records, entries, language, sink).map(|_| ()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(title: &str, lead: &str, body: &str) -> Record {
        Record {
            url: format!("/{}/", title.to_lowercase()),
            title: title.into(),
            lead: lead.into(),
            body: body.into(),
        }
    }

    fn index_records(records: &[Record], entries: usize, language: &str) -> Vec<OutputFile> {
        export::collect(|sink| write_index(records.to_vec(), entries, language, sink).map(|_| ()))
    }

    fn file(files: &[OutputFile], name: &str) -> serde_json::Value {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).expect(name);
        serde_json::from_slice(bytes).expect(name)
    }

    #[test]
    fn terms_list_their_documents_as_deltas_with_weights_by_place() {
        let records = [
            record(
                "Quartier am Markt",
                "Ein Ort.",
                "Das Quartier, die Quartiere.",
            ),
            record("Garten", "", "Kein Treffer."),
            record("Quartiersgarten", "", "Im quartier."),
            record("Impressum", "", "Angaben."),
        ];
        let files = index_records(&records, 3, "de");
        // "Quartier" and "Quartiere" are one term; the title counts 8, each body mention 1.
        let qu = file(&files, "search/terms/qu.json");
        assert_eq!(qu["quarti"], serde_json::json!([0, 10, 2, 1]));
        assert_eq!(qu["quartiersgart"], serde_json::json!([2, 8]));
        assert_eq!(
            file(&files, "search/terms/or.json")["ort"],
            serde_json::json!([0, 3])
        );
        assert_eq!(
            file(&files, "search/terms/ga.json")["gart"],
            serde_json::json!([1, 8])
        );
        let meta = file(&files, "search/index.json");
        assert_eq!(meta["documents"], 4);
        assert_eq!(meta["entries"], 3);
        assert_eq!(meta["stemmer"], "german");
        assert_eq!(
            meta["pages"],
            serde_json::json!([{"url": "/impressum/", "title": "Impressum"}])
        );
        let shards = meta["shards"].as_array().unwrap();
        assert!(shards.windows(2).all(|w| w[0].as_str() < w[1].as_str()));
        for key in shards {
            let name = format!("search/terms/{}.json", shard_file(key.as_str().unwrap()));
            assert!(files.iter().any(|(n, _)| *n == name), "{name}");
        }
        // The texts excerpts are cut from: lead and body, without the title.
        let texts = file(&files, "search/text/0.json");
        assert_eq!(texts[0], "Ein Ort. Das Quartier, die Quartiere.");
        assert_eq!(texts[3], "Angaben.");
    }

    #[test]
    fn a_term_in_many_runs_of_documents_is_one_list_in_document_order() {
        let records: Vec<Record> = (0..700)
            .map(|i| {
                record(
                    &format!("Fall {i}"),
                    "",
                    if i % 3 == 0 { "Markt" } else { "" },
                )
            })
            .collect();
        let files = index_records(&records, 700, "de");
        let list = file(&files, "search/terms/ma.json")["markt"].clone();
        let want: Vec<u32> = (0..700)
            .step_by(3)
            .flat_map(|i| [if i == 0 { 0 } else { 3 }, 1])
            .collect();
        assert_eq!(list, serde_json::json!(want));
    }

    #[test]
    fn weights_are_capped_and_english_is_not_stemmed() {
        let body = "gardens ".repeat(500);
        let files = index_records(&[record("Gardens", "", &body)], 1, "en");
        let ga = file(&files, "search/terms/ga.json");
        assert_eq!(ga["gardens"], serde_json::json!([0, MAX_WEIGHT]));
        assert_eq!(
            file(&files, "search/index.json")["stemmer"],
            serde_json::Value::Null
        );
    }

    #[test]
    fn shard_files_keep_ascii_and_spell_out_the_rest() {
        assert_eq!(shard_file("qu"), "qu");
        assert_eq!(shard_file("20"), "20");
        assert_eq!(shard_file("é1"), "_e9_1");
        assert_eq!(shard_file("日本"), "_65e5__672c_");
        assert_eq!(shard_key("quartier"), "qu");
        assert_eq!(shard_key("é"), "é");
    }

    #[test]
    fn small_catalogues_are_indexed_whole_large_ones_by_their_opening() {
        // The bundled catalogue: 134 bodies of up to about 2,000 characters.
        assert_eq!(body_cap(&[2_000; 134]), usize::MAX);
        assert_eq!(body_cap(&[]), usize::MAX);
        assert_eq!(body_cap(&[4_000; 1_000]), usize::MAX);
        assert_eq!(body_cap(&[4_001; 1_000]), 4_000);
        assert_eq!(body_cap(&[2_500; 10_000]), MIN_BODY_CHARS);
        assert_eq!(body_cap(&[2_500; 100_000]), MIN_BODY_CHARS);
    }

    #[test]
    fn short_bodies_leave_their_share_to_long_ones() {
        // 2,000 short bodies take 400,000 characters whole; 1,000 long ones share the rest.
        let mut lengths = vec![200; 2_000];
        lengths.extend([10_000; 1_000]);
        let cap = body_cap(&lengths);
        assert_eq!(cap, 3_600);
        let taken: usize = lengths.iter().map(|&l| l.min(cap)).sum();
        assert!(taken <= BODY_BUDGET, "{taken}");
    }

    #[test]
    fn cuts_fall_between_words_and_count_characters() {
        assert_eq!(cut_at_word("Äußere Straße und mehr", 8), "Äußere");
        assert_eq!(cut_at_word("Äußere Straße", 6), "Äußere");
        assert_eq!(cut_at_word("kurz", 400), "kurz");
        assert_eq!(cut_at_word("Donaudampfschifffahrt", 5), "Donau");
        assert_eq!(cut_at_word("", 0), "");
    }
}
