//! The catalogue browser's data: the card index with its facets, the map points and the
//! summaries in shards, and the rows `serve` keeps from one rebuild to the next.

use super::*;
use crate::media::Media;

/// A sequence serialised from an iterator made on demand, without collecting it first.
pub(super) struct Lazy<F>(pub(super) F);

impl<F, I> Serialize for Lazy<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
pub(super) struct IndexType<'a> {
    pub(super) key: &'a str,
    pub(super) label: &'a str,
    pub(super) plural: &'a str,
    pub(super) folder: &'a str,
    pub(super) color: Option<&'a str>,
}

#[derive(Serialize)]
pub(super) struct IndexTerm<'a> {
    pub(super) key: &'a str,
    pub(super) label: &'a str,
    pub(super) parent: Option<usize>,
}

#[derive(Serialize)]
pub(super) struct IndexFacet<'a, T: Serialize> {
    pub(super) field: &'a str,
    pub(super) label: &'a str,
    pub(super) vocabulary: &'a str,
    pub(super) terms: T,
}

/// One browser entry: `[slug, title, type index, null, null, [[terms] per facet], date]`.
pub(super) type IndexEntry<'a, T> = (&'a str, &'a str, usize, (), (), T, &'a str);

#[derive(Serialize)]
pub(super) struct Index<'a, T: Serialize, F: Serialize, E: Serialize> {
    pub(super) version: u32,
    pub(super) types: T,
    pub(super) facets: F,
    pub(super) entries: E,
    pub(super) summary_chunk: usize,
    pub(super) summary_chunks: usize,
    pub(super) geo: &'static str,
    pub(super) place: Option<&'a String>,
}

/// The browser's index: entries in title order with type, date, coordinates and facet terms as
/// small integers, so 10,000 entries stay far below the first-load budget. Summaries are split
/// into chunks loaded on demand.
///
/// Each entry is `[slug, title, type index, null, null, [[term indices] per facet in `facets`
/// order], "YYYY-MM-DD"|""]`; its URL is `base_path + types[t].folder + "/" + slug + "/"`.
/// `katalog/geo.json` holds `[lat, lon]` or null per entry, in the same order, and for an
/// entry with a picture `[lat, lon, thumbnail path, width, height]`; `place` names
/// the facet that holds an entry's place.
pub fn browser_index(cat: &Catalogue, rows: &IndexRows) -> Vec<OutputFile> {
    debug_assert_eq!(
        rows.rows.len(),
        cat.entries.len(),
        "rows of another catalogue"
    );
    let config = &cat.config;
    let facets = Lazy(|| {
        config.facets.iter().filter_map(|f| {
            let vocab = config.facet_vocabulary(f)?;
            Some(IndexFacet {
                field: f,
                label: &config.fields[f].label,
                vocabulary: &vocab.key,
                terms: Lazy(|| {
                    vocab.terms.iter().map(|t| IndexTerm {
                        key: &t.key,
                        label: &t.label,
                        parent: t.parent.as_deref().and_then(|p| vocab.term_index(p)),
                    })
                }),
            })
        })
    });
    let types = Lazy(|| {
        config.types.iter().map(|t| IndexType {
            key: &t.key,
            label: &t.label,
            plural: &t.plural,
            folder: &t.folder,
            color: t.color.as_deref(),
        })
    });
    let row = |i: &usize| &rows.rows[*i];
    let entries = Lazy(|| cat.by_title.iter().map(|i| &*row(i).entry_json));
    let points = Lazy(|| cat.by_title.iter().map(|i| &*row(i).point));
    let chunks = cat.by_title.chunks(SUMMARY_CHUNK);
    let index = Index {
        version: 1,
        types,
        facets,
        entries,
        summary_chunk: SUMMARY_CHUNK,
        summary_chunks: chunks.len(),
        geo: "geo.json",
        place: config
            .roles
            .place
            .as_ref()
            .filter(|p| config.facets.contains(p)),
    };
    let mut files = vec![
        (config.segments.browser_data("geo.json"), to_json(&points)),
        (config.segments.browser_data("index.json"), to_json(&index)),
    ];
    for (n, chunk) in chunks.enumerate() {
        files.push((
            config.segments.browser_data(&format!("summaries/{n}.json")),
            to_json(&Lazy(|| chunk.iter().map(|i| &*row(i).summary))),
        ));
    }
    files
}

/// The per-entry parts of the browser index (its row, its point on the map, its summary),
/// serialised once. `serve` hands in the previous build's rows: an entry whose file, date and
/// schema did not change keeps its row, as it keeps its card (`Views::reusing`), so after an
/// edit the index is put together from stored pieces.
pub struct IndexRows {
    pub(super) config: Arc<Config>,
    /// The entries the rows were made from, in the order of `cat.entries`.
    pub(super) sources: Vec<Arc<Entry>>,
    pub(super) rows: Vec<Arc<IndexRow>>,
}

pub(super) struct IndexRow {
    pub(super) date: String,
    /// What the entry's pictures are ([`Media::pictures_hash`]).
    pub(super) pictures: u64,
    pub(super) entry_json: Box<RawValue>,
    pub(super) point: Box<RawValue>,
    pub(super) summary: Box<RawValue>,
}

impl IndexRows {
    pub fn new(cat: &Catalogue, updated: &Updated) -> IndexRows {
        IndexRows::reusing(cat, updated, None, &Media::default())
    }

    pub fn reusing(
        cat: &Catalogue,
        updated: &Updated,
        previous: Option<&IndexRows>,
        media: &Media,
    ) -> IndexRows {
        let taken = match previous {
            Some(p) => cat.unchanged_since(&p.sources, &p.config),
            None => vec![None; cat.entries.len()],
        };
        let rows = cat
            .entries
            .par_iter()
            .enumerate()
            .map(|(i, e)| {
                let date = updated.get(&e.rel_path).map(String::as_str).unwrap_or("");
                let pictures = media.pictures_hash(e);
                match (taken[i], previous) {
                    (Some(k), Some(p))
                        if p.rows[k].date == date && p.rows[k].pictures == pictures =>
                    {
                        Arc::clone(&p.rows[k])
                    }
                    _ => Arc::new(IndexRow::new(cat, i, date, media, pictures)),
                }
            })
            .collect();
        IndexRows {
            config: Arc::clone(&cat.config),
            sources: cat.entries.clone(),
            rows,
        }
    }
}

impl IndexRow {
    fn new(cat: &Catalogue, i: usize, date: &str, media: &Media, pictures: u64) -> IndexRow {
        let config = &cat.config;
        let e = &cat.entries[i];
        let terms = Lazy(move || config.facets.iter().map(move |f| cat.entry_terms(i, f)));
        // Positions 3 and 4 (lat, lon) stay empty: the map loads them from geo.json, so the
        // catalogue browser's first load does not carry them.
        let row: IndexEntry<'_, _> = (&e.slug, &e.title, e.type_index, (), (), terms, date);
        let point = match config.roles.geo.as_deref().and_then(|g| e.field(g)) {
            Some(FieldValue::Geo { lat, lon }) => {
                let (lat, lon) = (round4(*lat), round4(*lon));
                // The map's popup shows the smallest size of the entry's lead picture.
                let thumb = crate::media::lead_picture(config, e)
                    .and_then(|p| media.rendition(&p.src))
                    .and_then(|r| r.webp.into_iter().next());
                match thumb {
                    Some(v) => raw_json(&(
                        lat,
                        lon,
                        config.media_urls().path(&v.path),
                        v.width,
                        v.height,
                    )),
                    None => raw_json(&[lat, lon]),
                }
            }
            _ => raw_json(&None::<()>),
        };
        IndexRow {
            date: date.to_string(),
            pictures,
            entry_json: raw_json(&row),
            point,
            // `"summary"`, or `["summary", "transfer teaser"]` when the entry has one.
            summary: match crate::render::text::transfer_teaser(cat, i) {
                Some(transfer) => raw_json(&(e.summary.as_deref().unwrap_or(""), transfer)),
                None => raw_json(&e.summary.as_deref().unwrap_or("")),
            },
        }
    }
}
