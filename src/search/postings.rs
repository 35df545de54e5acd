//! The index's files: per word the documents it is in, each with a BM25 weight; per compound
//! part the compounds and their documents; the shards they are written in, and the texts
//! excerpts are cut from.

use super::language::{compound_parts, words, Terms, MAX_WORD_CHARS, MIN_PART_CHARS};
use super::Record;
use crate::export::Sink;
use crate::sink::OutputError;
use foldhash::fast::FixedState;
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;

/// The folder of the index in the output.
pub const DIR: &str = crate::urls::SEARCH_INDEX;

/// Documents per file of excerpt texts: a page of hits loads a few small files.
pub const TEXT_CHUNK: usize = 8;

/// Documents per run whose postings are made together, in parallel with the other runs.
const RUN: usize = 256;

/// The fields of a document ([`Record::fields`]): how much an occurrence counts, and how much
/// the field's length dampens it (BM25F's `b`: 0 not at all, 1 in proportion). A word in a
/// short title counts most; a long body needs many mentions to come near it.
const FIELDS: [(f32, f32); 5] = [
    (6.0, 0.5),  // title
    (3.0, 0.75), // summary
    (2.0, 0.75), // other texts ("Übertragbarkeit")
    (2.0, 0.5),  // facet terms and place
    (1.0, 0.75), // body
];

/// BM25's saturation: the fifth mention adds less than the first.
const K1: f32 = 1.2;

/// Weights in the shards run from 1 to this (a weight of `SCALE` would be infinitely many
/// mentions); the browser multiplies them by the rarity of the query word.
const SCALE: f32 = 100.0;

/// What the index needs besides its documents.
pub struct Settings {
    /// How many of the documents are entries (the rest are free pages).
    pub entries: usize,
    pub language: String,
    /// From site.yaml, passed to the browser.
    pub synonyms: Vec<Vec<String>>,
}

type Map<K, V> = HashMap<K, V, FixedState>;

/// A term's shard: the first two characters of its stem.
fn shard_key(stem: &str) -> &str {
    let end = stem.char_indices().nth(2).map_or(stem.len(), |(i, _)| i);
    &stem[..end]
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

/// One word of the index: as written (lower case), its stem, and flat pairs of document and
/// weight in document order.
struct Word {
    word: String,
    stem: String,
    postings: Vec<u32>,
}

/// The words of one run of documents, starting at document `first`. `average` is each
/// field's mean length over all documents, in bytes: BM25 needs only the ratio of a field's
/// length to the mean, and bytes are known without reading the words twice.
fn run_postings(terms: &Terms, first: usize, records: &[Record], average: &[f32; 5]) -> Vec<Word> {
    // Most words recur: each distinct spelling is lower-cased and stemmed once per run.
    let mut by_spelling: Map<&str, Option<u32>> = Map::default();
    let mut by_word: Map<String, u32> = Map::default();
    let mut by_stem: Map<String, u32> = Map::default();
    let mut out: Vec<Word> = Vec::new();
    let mut word_stem: Vec<u32> = Vec::new();
    let mut word_seen: Vec<u32> = Vec::new();
    // Per stem: the document its counts are of, and its occurrences per field there.
    let mut stem_counts: Vec<(u32, [u32; 5])> = Vec::new();
    let mut in_doc: Vec<u32> = Vec::new();
    for (i, r) in records.iter().enumerate() {
        let doc = (first + i) as u32;
        for (f, text) in r.fields().into_iter().enumerate() {
            for spelling in words(text) {
                let at = *by_spelling.entry(spelling).or_insert_with(|| {
                    let lower = terms.word(spelling)?;
                    Some(*by_word.entry(lower).or_insert_with_key(|lower| {
                        let stem = terms.stem(lower);
                        let s = *by_stem.entry(stem.clone()).or_insert_with(|| {
                            stem_counts.push((u32::MAX, [0; 5]));
                            (stem_counts.len() - 1) as u32
                        });
                        out.push(Word {
                            word: lower.clone(),
                            stem,
                            postings: Vec::new(),
                        });
                        word_stem.push(s);
                        word_seen.push(u32::MAX);
                        (out.len() - 1) as u32
                    }))
                });
                let Some(w) = at else { continue };
                let counts = &mut stem_counts[word_stem[w as usize] as usize];
                if counts.0 != doc {
                    *counts = (doc, [0; 5]);
                }
                counts.1[f] += 1;
                if word_seen[w as usize] != doc {
                    word_seen[w as usize] = doc;
                    in_doc.push(w);
                }
            }
        }
        let lengths = r.fields().map(str::len);
        let norms: [f32; 5] = std::array::from_fn(|f| {
            let b = FIELDS[f].1;
            1.0 - b + b * lengths[f] as f32 / average[f].max(1.0)
        });
        for w in in_doc.drain(..) {
            let counts = &stem_counts[word_stem[w as usize] as usize].1;
            let tf: f32 = (0..5)
                .map(|f| FIELDS[f].0 * counts[f] as f32 / norms[f])
                .sum();
            let weight = (SCALE * tf / (K1 + tf)).round().clamp(1.0, SCALE - 1.0);
            out[w as usize].postings.extend([doc, weight as u32]);
        }
    }
    out
}

/// Each field's mean length in bytes.
fn average_lengths(records: &[Record]) -> [f32; 5] {
    let mut sums = [0f64; 5];
    for r in records {
        for (sum, text) in sums.iter_mut().zip(r.fields()) {
            *sum += text.len() as f64;
        }
    }
    let n = records.len().max(1) as f64;
    sums.map(|s| (s / n) as f32)
}

/// One key of a shard: a word, or a compound part (`~` and its stem) with its compounds.
struct Key {
    name: String,
    stem: String,
    compounds: Vec<String>,
    postings: Vec<u32>,
}

/// Per compound part (a stem), the words it is a part of and their documents, each document
/// with the best weight of its compounds.
fn part_keys(terms: &Terms, words: &[Word]) -> Vec<Key> {
    let known: HashSet<&str> = words
        .iter()
        .filter(|w| w.word.chars().nth(MIN_PART_CHARS - 1).is_some())
        .map(|w| w.stem.as_str())
        .collect();
    let is_known = |s: &str| known.contains(s);
    let mut pairs: Vec<(String, u32)> = words
        .par_iter()
        .enumerate()
        .filter(|(_, w)| w.word.chars().nth(2 * MIN_PART_CHARS - 1).is_some())
        // Pieces recur from word to word ("…beteiligung", "quartiers…"): each thread keeps
        // the stems it made, which halves the stemming of a German catalogue.
        .map_init(
            || std::cell::RefCell::new(Map::<String, String>::default()),
            |cache, (i, w)| {
                let stem = |piece: &str| {
                    if let Some(s) = cache.borrow().get(piece) {
                        return s.clone();
                    }
                    let s = terms.stem(piece);
                    cache.borrow_mut().insert(piece.to_string(), s.clone());
                    s
                };
                let parts: Vec<String> = compound_parts(&w.word, &stem, &is_known)
                    .into_iter()
                    .map(stem)
                    .collect();
                (i, w, parts)
            },
        )
        .flat_map_iter(|(i, w, parts)| {
            let mut stems: Vec<String> = parts.into_iter().filter(|s| *s != w.stem).collect();
            stems.sort_unstable();
            stems.dedup();
            stems.into_iter().map(move |s| (s, i as u32))
        })
        .collect();
    pairs.par_sort_unstable();
    pairs
        .chunk_by(|a, b| a.0 == b.0)
        .map(|group| {
            let mut docs: Vec<(u32, u32)> = group
                .iter()
                .flat_map(|(_, w)| words[*w as usize].postings.chunks_exact(2))
                .map(|p| (p[0], p[1]))
                .collect();
            // By document, the best weight first; then one per document.
            docs.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
            docs.dedup_by_key(|d| d.0);
            Key {
                name: format!("~{}", group[0].0),
                stem: group[0].0.clone(),
                compounds: group
                    .iter()
                    .map(|(_, w)| words[*w as usize].word.clone())
                    .collect(),
                postings: docs.into_iter().flat_map(|(d, w)| [d, w]).collect(),
            }
        })
        .collect()
}

/// One shard as JSON: `{"word": [doc delta, weight, …], "~part": [[compounds], doc delta,
/// weight, …]}`.
fn shard_json(keys: &[Key]) -> String {
    let mut json = String::from("{");
    let mut number = itoa::Buffer::new();
    for (i, key) in keys.iter().enumerate() {
        if i > 0 {
            json.push(',');
        }
        json.push_str(&serde_json::to_string(&key.name).unwrap_or_default());
        json.push_str(":[");
        let mut first = true;
        if key.name.starts_with('~') {
            json.push_str(&serde_json::to_string(&key.compounds).unwrap_or_default());
            first = false;
        }
        let mut last = 0;
        for pair in key.postings.chunks_exact(2) {
            if !first {
                json.push(',');
            }
            first = false;
            json.push_str(number.format(pair[0] - last));
            json.push(',');
            json.push_str(number.format(pair[1]));
            last = pair[0];
        }
        json.push(']');
    }
    json.push('}');
    json
}

/// Writes the index of `records` (the first `settings.entries` of them entries, the rest free
/// pages) through `sink`, below [`DIR`]: `index.json` (what the browser needs first),
/// `terms/<shard>.json` ([`shard_json`]) and `text/<n>.json` (the texts excerpts are cut
/// from). Each file goes out as soon as it is made. Returns the paths written.
pub fn write_index(
    records: Vec<Record>,
    settings: &Settings,
    sink: &Sink<'_>,
) -> Result<Vec<String>, OutputError> {
    let terms = Terms::for_language(&settings.language);
    let average = average_lengths(&records);
    let runs: Vec<Vec<Word>> = records
        .par_chunks(RUN)
        .enumerate()
        .map(|(n, run)| run_postings(&terms, n * RUN, run, &average))
        .collect();
    let mut paths: Vec<String> = records
        .par_chunks(TEXT_CHUNK)
        .enumerate()
        .map(|(n, chunk)| {
            let texts: Vec<String> = chunk.iter().map(Record::excerpt_text).collect();
            let path = format!("{DIR}text/{n}.json");
            sink(&path, &|w| Ok(serde_json::to_writer(w, &texts)?))?;
            Ok(path)
        })
        .collect::<Result<_, OutputError>>()?;
    let documents = records.len();
    let entries = settings.entries.min(documents);
    let pages: Vec<serde_json::Value> = records[entries..]
        .iter()
        .map(|r| serde_json::json!({"url": r.url, "title": r.title}))
        .collect();
    drop(records);

    // Each run has its own lists; a stable sort by word puts a word's lists in document
    // order, and they are joined.
    let mut lists: Vec<Word> = runs.into_iter().flatten().collect();
    lists.par_sort_by(|a, b| a.word.cmp(&b.word));
    let mut words: Vec<Word> = Vec::with_capacity(lists.len() / 2);
    for w in lists {
        match words.last_mut() {
            Some(last) if last.word == w.word => last.postings.extend(w.postings),
            _ => words.push(w),
        }
    }
    let parts = if terms.splits_compounds() {
        part_keys(&terms, &words)
    } else {
        Vec::new()
    };
    let mut keys: Vec<Key> = words
        .into_iter()
        .map(|w| Key {
            name: w.word,
            stem: w.stem,
            compounds: Vec::new(),
            postings: w.postings,
        })
        .chain(parts)
        .collect();
    keys.par_sort_by(|a, b| (shard_key(&a.stem), &a.name).cmp(&(shard_key(&b.stem), &b.name)));
    let shards: Vec<&[Key]> = keys
        .chunk_by(|a, b| shard_key(&a.stem) == shard_key(&b.stem))
        .collect();
    paths.par_extend(
        shards
            .par_iter()
            .map(|shard| {
                let json = shard_json(shard);
                let path = format!("{DIR}terms/{}.json", shard_file(shard_key(&shard[0].stem)));
                sink(&path, &|w| w.write_all(json.as_bytes()))?;
                Ok(path)
            })
            .collect::<Result<Vec<_>, OutputError>>()?,
    );
    let synonyms: Vec<Vec<String>> = settings
        .synonyms
        .iter()
        .map(|group| {
            let words = group.iter().map(|s| s.trim().to_lowercase());
            words.filter(|s| !s.is_empty()).collect()
        })
        .collect();
    let meta = serde_json::json!({
        "version": 2,
        "stemmer": terms.stemmer_name(),
        "max_word": MAX_WORD_CHARS,
        "compounds": terms.splits_compounds(),
        "min_part": MIN_PART_CHARS,
        "stop": terms.stop_words(),
        "synonyms": synonyms,
        "documents": documents,
        "entries": entries,
        "text_chunk": TEXT_CHUNK,
        "shards": shards.iter().map(|s| shard_key(&s[0].stem)).collect::<Vec<_>>(),
        "pages": pages,
    });
    let path = format!("{DIR}index.json");
    sink(&path, &|w| Ok(serde_json::to_writer(w, &meta)?))?;
    paths.push(path);
    Ok(paths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::export::{self, OutputFile};

    fn record(title: &str, summary: &str, body: &str) -> Record {
        Record {
            url: format!("/{}/", title.to_lowercase()),
            title: title.into(),
            summary: summary.into(),
            body: body.into(),
            ..Record::default()
        }
    }

    fn index_records(records: &[Record], entries: usize, language: &str) -> Vec<OutputFile> {
        let settings = Settings {
            entries,
            language: language.into(),
            synonyms: vec![vec!["Jugend".into(), "junge Menschen".into()]],
        };
        export::collect(|sink| write_index(records.to_vec(), &settings, sink).map(|_| ()))
    }

    fn file(files: &[OutputFile], name: &str) -> serde_json::Value {
        let (_, bytes) = files.iter().find(|(n, _)| n == name).expect(name);
        serde_json::from_slice(bytes).expect(name)
    }

    /// A word's documents and weights from its flat list of deltas and weights.
    fn docs(list: &serde_json::Value) -> Vec<(u64, u64)> {
        let numbers: Vec<u64> = list
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|v| v.as_u64())
            .collect();
        let mut doc = 0;
        numbers
            .chunks_exact(2)
            .map(|p| {
                doc += p[0];
                (doc, p[1])
            })
            .collect()
    }

    #[test]
    fn words_are_kept_as_written_filed_by_stem_with_their_documents() {
        let records = [
            record(
                "Quartier am Markt",
                "Ein Ort.",
                "Das Quartier, die Quartiere.",
            ),
            record("Garten", "", "Kein Treffer sich."),
            record("Quartiersgarten", "", "Im quartier."),
            record("Impressum", "", "Angaben."),
        ];
        let files = index_records(&records, 3, "de");
        let qu = file(&files, "search/terms/qu.json");
        // "Quartier" and "Quartiere" are two words of one stem, in one shard.
        assert_eq!(
            docs(&qu["quartier"])
                .iter()
                .map(|d| d.0)
                .collect::<Vec<_>>(),
            [0, 2]
        );
        assert_eq!(docs(&qu["quartiere"]).len(), 1);
        // Both words of document 0 carry the weight of the stem there (title and body).
        assert_eq!(docs(&qu["quartier"])[0].1, docs(&qu["quartiere"])[0].1);
        // A title mention outweighs a body mention.
        assert!(docs(&qu["quartier"])[0].1 > docs(&qu["quartier"])[1].1);
        // Function words are not indexed.
        let shards = files.iter().filter(|(n, _)| n.starts_with("search/terms/"));
        for (_, bytes) in shards {
            let json: serde_json::Value = serde_json::from_slice(bytes).unwrap();
            assert!(json.get("sich").is_none() && json.get("das").is_none());
        }
        let meta = file(&files, "search/index.json");
        assert_eq!(meta["version"], 2);
        assert_eq!(meta["documents"], 4);
        assert_eq!(meta["entries"], 3);
        assert_eq!(meta["stemmer"], "german");
        assert!(meta["stop"].as_array().unwrap().contains(&"sich".into()));
        assert_eq!(
            meta["synonyms"],
            serde_json::json!([["jugend", "junge menschen"]])
        );
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
        // The texts excerpts are cut from: summary and body, without the title.
        let texts = file(&files, "search/text/0.json");
        assert_eq!(texts[0], "Ein Ort. Das Quartier, die Quartiere.");
        assert_eq!(texts[3], "Angaben.");
    }

    #[test]
    fn compound_parts_list_their_compounds_and_documents() {
        let records = [
            record("Bürgerbeteiligung", "", "Die Bürger reden mit."),
            record("Beteiligung", "", "Beteiligung vor Ort."),
            record(
                "Jugendbeteiligung im Leerstandsmanagement",
                "",
                "Jugend, Leerstand, Management.",
            ),
        ];
        let files = index_records(&records, 3, "de");
        let be = file(&files, "search/terms/be.json");
        let part = be["~beteil"].as_array().unwrap();
        assert_eq!(
            part[0],
            serde_json::json!(["bürgerbeteiligung", "jugendbeteiligung"])
        );
        assert_eq!(
            docs(&be["~beteil"]).iter().map(|d| d.0).collect::<Vec<_>>(),
            [0, 2]
        );
        // "Leerstands|management": the linking s goes with the stem.
        let le = file(&files, "search/terms/le.json");
        assert_eq!(
            le["~leerstand"][0],
            serde_json::json!(["leerstandsmanagement"])
        );
        let ma = file(&files, "search/terms/ma.json");
        assert_eq!(
            docs(&ma["~management"])
                .iter()
                .map(|d| d.0)
                .collect::<Vec<_>>(),
            [2]
        );
        // English is not split.
        let en = index_records(&records, 3, "en");
        assert!(!en
            .iter()
            .any(|(_, b)| String::from_utf8_lossy(b).contains("\"~")));
    }

    #[test]
    fn every_word_of_a_long_body_is_indexed() {
        // 10,000 entries whose bodies are each 3,000 words long would have been cut to their
        // first 400 characters before; the word at the very end must be found.
        let mut body = "Vorwort ".repeat(30_000);
        body.push_str("Schlusswort");
        let records = vec![record("Lang", "", &body), record("Kurz", "", "Vorwort.")];
        let files = index_records(&records, 2, "de");
        let sc = file(&files, "search/terms/sc.json");
        assert_eq!(
            docs(&sc["schlusswort"])
                .iter()
                .map(|d| d.0)
                .collect::<Vec<_>>(),
            [0]
        );
    }

    #[test]
    fn a_short_title_outweighs_a_long_body_with_many_mentions() {
        let long = format!("{} Markt Markt Markt Markt", "Text ".repeat(2_000));
        let records = [
            record("Markt", "", "Ein Platz."),
            record("Bericht", "", &long),
            record("Anderes", "", "Ein Platz ohne Händler."),
        ];
        let files = index_records(&records, 3, "de");
        let markt = docs(&file(&files, "search/terms/ma.json")["markt"]);
        assert!(markt[0].1 > markt[1].1, "{markt:?}");
        assert!(markt.iter().all(|d| (1..100).contains(&d.1)), "{markt:?}");
    }

    #[test]
    fn a_word_in_many_runs_of_documents_is_one_list_in_document_order() {
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
        let list = docs(&file(&files, "search/terms/ma.json")["markt"]);
        let want: Vec<u64> = (0..700).step_by(3).collect();
        assert_eq!(list.iter().map(|d| d.0).collect::<Vec<_>>(), want);
    }

    #[test]
    fn english_is_stemmed_in_english_and_keeps_its_function_words() {
        let files = index_records(
            &[record("Gardens", "", "the gardens and the garden")],
            1,
            "en",
        );
        let ga = file(&files, "search/terms/ga.json");
        assert!(ga.get("gardens").is_some() && ga.get("garden").is_some());
        assert!(file(&files, "search/terms/th.json").get("the").is_some());
        let meta = file(&files, "search/index.json");
        assert_eq!(meta["stemmer"], "english");
        assert_eq!(meta["compounds"], false);
        assert_eq!(meta["stop"], serde_json::json!([]));
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
}
