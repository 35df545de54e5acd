//! Full-text search: a Pagefind index built from custom records through Pagefind's Rust API.
//! One record per entry and free page; facet terms become Pagefind filters so search combines
//! with the facet filters. Stemming follows the site language (German: "Quartier" finds "Quartiere").

use crate::export::OutputFile;
use crate::render::views::{entry_rel, field_plain_text, Views};
use crate::resolve::Catalogue;
use pagefind::api::PagefindIndex;
use pagefind::options::PagefindServiceConfig;
use std::collections::BTreeMap;

/// How much body text goes into the index per record. Titles, summaries, places and terms carry
/// most of what practitioners search for; the cap keeps indexing time bounded on large catalogues
/// (see BENCHMARKS.md for what each size costs).
pub const BODY_CHARS: usize = 1500;

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
        content.push_str(truncate_at_char(&e.body_text, BODY_CHARS));
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
                truncate_at_char(&p.body_text, BODY_CHARS)
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
