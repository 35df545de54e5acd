//! Full-text search: a Pagefind index built from custom records through Pagefind's Rust API.
//! One record per entry and free page; facet terms become Pagefind filters so search combines
//! with the facet filters. Stemming follows the site language (German: "Quartier" finds "Quartiere").

use crate::export::OutputFile;
use crate::render::views::{entry_rel, field_plain_text, Views};
use crate::resolve::Catalogue;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use std::collections::BTreeMap;

/// How much body text the index takes, in characters, shared by all records of a catalogue:
/// titles, summaries, places and terms always go in whole; each record adds an equal share of
/// this budget from its body, and never less than [`MIN_BODY_CHARS`]. Catalogues of up to about
/// a thousand entries of ordinary length are indexed in full; beyond that, indexing time stops
/// growing with every word (see BENCHMARKS.md for what each share costs and finds).
pub const BODY_BUDGET: usize = 4_000_000;

/// The smallest share of body text per record: the opening paragraph, which names what a case
/// is and who carries it.
pub const MIN_BODY_CHARS: usize = 400;

/// The body characters each of `records` records may put into the index.
pub fn body_chars(records: usize) -> usize {
    (BODY_BUDGET / records.max(1)).max(MIN_BODY_CHARS)
}

/// One searchable record.
#[derive(Debug, Clone, PartialEq)]
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
    let body_chars = body_chars(cat.entries.len() + cat.pages.len());
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
        content.push_str(truncate_at_char(&e.body_text, body_chars));
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
            content: format!(
                "{}. {}",
                p.title,
                truncate_at_char(&p.body_text, body_chars)
            ),
            meta,
            filters,
        });
    }
    out
}

fn truncate_at_char(s: &str, max: usize) -> &str {
    match s.char_indices().nth(max) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

/// Builds the Pagefind bundle; returns its files below `pagefind/`.
pub fn index(cat: &Catalogue, views: &Views) -> Result<Vec<OutputFile>, String> {
    let records = records(cat, views);
    let language = cat.config.language.clone();
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
        // The bundled catalogue's longest body is about 2,000 characters.
        assert!(body_chars(150) > 20_000);
        assert_eq!(body_chars(1_000), 4_000);
        assert_eq!(body_chars(10_000), MIN_BODY_CHARS);
        assert_eq!(body_chars(100_000), MIN_BODY_CHARS);
        assert_eq!(body_chars(0), BODY_BUDGET);
        let shares: Vec<usize> = (1..20_000).step_by(97).map(body_chars).collect();
        assert!(
            shares.windows(2).all(|w| w[0] >= w[1]),
            "never more per record as records grow"
        );
    }

    #[test]
    fn truncation_counts_characters_not_bytes() {
        assert_eq!(truncate_at_char("Äußere Straße", 6), "Äußere");
        assert_eq!(truncate_at_char("kurz", 400), "kurz");
        assert_eq!(truncate_at_char("", 0), "");
    }
}
