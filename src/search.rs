//! Full-text search: a Pagefind index built from custom records through Pagefind's Rust API.
//! One record per entry and free page; facet terms become Pagefind filters so search combines
//! with the facet filters. Stemming follows the site language (German: "Quartier" finds "Quartiere").

use crate::export::OutputFile;
use crate::render::markdown::plain_text;
use crate::render::views::{entry_rel, field_plain_text, Views};
use crate::resolve::Catalogue;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use rayon::prelude::*;
use std::collections::BTreeMap;
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

/// One searchable record.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct Record {
    pub url: String,
    pub content: String,
    pub meta: BTreeMap<String, String>,
    pub filters: BTreeMap<String, Vec<String>>,
}

/// The records for a catalogue: every entry and every free page.
pub fn records(cat: &Catalogue, views: &Views) -> Vec<Record> {
    let config = &cat.config;
    let mut out = Vec::with_capacity(cat.entries.len() + cat.pages.len());
    let bodies: Vec<String> = cat
        .entries
        .par_iter()
        .map(|e| plain_text(&e.body_html))
        .collect();
    let lengths: Vec<usize> = bodies.iter().map(|b| b.chars().count()).collect();
    let cap = body_cap(&lengths);
    // Each entry's position in the browser index, so search results map to it without loading
    // one fragment per hit.
    let mut position = vec![0usize; cat.entries.len()];
    for (p, &i) in cat.by_title.iter().enumerate() {
        position[i] = p;
    }
    for (i, e) in cat.entries.iter().enumerate() {
        let ty = &config.types[e.type_index];
        let mut content = format!("{}. {}. ", e.title, e.summary.as_deref().unwrap_or(""));
        let mut filters = BTreeMap::new();
        filters.insert("type".to_string(), vec![ty.key.clone()]);
        filters.insert("_pos".to_string(), vec![position[i].to_string()]);
        for field in &config.facets {
            let terms = cat.entry_terms(i, field);
            if let Some(vocab) = config.facet_vocabulary(field) {
                if !terms.is_empty() {
                    filters.insert(
                        field.clone(),
                        terms.iter().map(|&t| vocab.terms[t].key.clone()).collect(),
                    );
                }
            }
            if let Some(text) = field_plain_text(cat, i, field) {
                content.push_str(&text);
                content.push_str(". ");
            }
        }
        content.push_str(cut_at_word(&bodies[i], cap));
        let mut meta = BTreeMap::new();
        meta.insert("title".to_string(), e.title.clone());
        meta.insert("type".to_string(), ty.label.clone());
        if let Some(s) = &e.summary {
            meta.insert("summary".to_string(), s.clone());
        }
        if let Some(place) = config
            .roles
            .place
            .as_ref()
            .and_then(|p| field_plain_text(cat, i, p))
        {
            meta.insert("place".to_string(), place);
        }
        out.push(Record {
            url: views.urls.path(&entry_rel(config, e.type_index, &e.slug)),
            content,
            meta,
            filters,
        });
    }
    for p in &cat.pages {
        let mut meta = BTreeMap::new();
        meta.insert("title".to_string(), p.title.clone());
        let mut filters = BTreeMap::new();
        filters.insert("type".to_string(), vec!["seite".to_string()]);
        out.push(Record {
            url: views.urls.path(&format!("{}/", p.slug)),
            content: format!("{}. {}", p.title, plain_text(&p.body_html)),
            meta,
            filters,
        });
    }
    out
}

/// The first `max` characters of `s`, ending before a word cut in two.
fn cut_at_word(s: &str, max: usize) -> &str {
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

/// Beside a built output: the hash of what its search bundle was made from, then the bundle's
/// files, one per line. A rebuild whose records hash the same copies the bundle instead of
/// indexing again (at 10k entries, indexing is most of an all-on build).
pub const BUNDLE_FILE: &str = ".casebook-search";

/// A search bundle, and whether it was taken over from the previous output.
pub struct Bundle {
    pub files: Vec<OutputFile>,
    pub reused: bool,
}

/// The search bundle for `output`: the one already there if it was made from the same records
/// (and `identity`, which stands for this program, its settings and site.yaml with the
/// language), or a new one. Either way the files include [`BUNDLE_FILE`].
pub fn bundle(
    cat: &Catalogue,
    views: &Views,
    output: &Path,
    identity: u64,
) -> Result<Bundle, String> {
    let records = records(cat, views);
    let key = {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        (identity, &records).hash(&mut h);
        format!("{:016x}", h.finish())
    };
    if let Some(files) = previous_bundle(output, &key) {
        return Ok(Bundle {
            files,
            reused: true,
        });
    }
    let mut files = index_records(records, cat.config.language.clone())?;
    let mut list = key;
    for (name, _) in &files {
        list.push('\n');
        list.push_str(name);
    }
    list.push('\n');
    files.push((BUNDLE_FILE.to_string(), list.into_bytes()));
    Ok(Bundle {
        files,
        reused: false,
    })
}

/// The bundle in `output` if its records hashed to `key`, with every file listed present.
fn previous_bundle(output: &Path, key: &str) -> Option<Vec<OutputFile>> {
    let list = std::fs::read(output.join(BUNDLE_FILE)).ok()?;
    let text = std::str::from_utf8(&list).ok()?;
    let mut lines = text.lines();
    if lines.next()? != key {
        return None;
    }
    let mut files = Vec::new();
    for name in lines {
        if !name.starts_with("pagefind/") || name.contains("..") {
            return None;
        }
        files.push((name.to_string(), std::fs::read(output.join(name)).ok()?));
    }
    files.push((BUNDLE_FILE.to_string(), list));
    Some(files)
}

/// Builds the Pagefind bundle; returns its files below `pagefind/`.
pub fn index(cat: &Catalogue, views: &Views) -> Result<Vec<OutputFile>, String> {
    index_records(records(cat, views), cat.config.language.clone())
}

fn index_records(records: Vec<Record>, language: String) -> Result<Vec<OutputFile>, String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async move {
        let options = PagefindServiceConfig::builder()
            .force_language(language.clone())
            .build();
        let mut index = PagefindIndex::new(Some(options)).map_err(|e| e.to_string())?;
        for r in records {
            index
                .add_custom_record(
                    r.url,
                    r.content,
                    language.clone(),
                    Some(r.meta),
                    Some(r.filters),
                    None,
                )
                .await
                .map_err(|e| e.to_string())?;
        }
        let files = index.get_files().await.map_err(|e| e.to_string())?;
        Ok(files
            .into_iter()
            .map(|f| {
                let name = f.filename.to_string_lossy().replace('\\', "/");
                let name = name.trim_start_matches("./").trim_start_matches('/');
                let name = if name.starts_with("pagefind/") {
                    name.to_string()
                } else {
                    format!("pagefind/{name}")
                };
                (name, f.contents)
            })
            .collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
