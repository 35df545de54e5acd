//! Machine-readable outputs: the catalogue as JSON and CSV, Atom feeds, sitemap, robots.txt, and
//! the compact index the catalogue browser and map filter on. Never renders HTML.
//!
//! JSON is serialised straight from the catalogue through borrowed views (`Lazy`, the small
//! structs below), never through an intermediate `serde_json::Value` tree: at 10,000 entries
//! building and dropping that tree cost more than writing the bytes.

use crate::config::Config;
use crate::markdown::plain_text;
use crate::model::{Entry, FieldValue};
use crate::render::views::{field_plain_text, map, Views};
use crate::render::xml::XmlTemplates;
use crate::render::{plan, PageKind, RenderError};
use crate::resolve::{Catalogue, Relation};
use crate::sink::{OutputError, WriteFn};
use crate::urls;
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use std::cell::OnceCell;
use std::collections::{BTreeMap, HashMap};
use std::io;
use std::sync::Arc;
use tera::{Context, Value};

/// Entries per chunk of browser summaries; the browser fetches only the chunks it shows.
pub const SUMMARY_CHUNK: usize = 200;
/// Entries per Atom feed.
pub const FEED_SIZE: usize = 50;

/// One output file: path relative to the output root, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// Where export files go: the site's [`Sink`](crate::sink::Sink) (a build streams them into
/// its staging folder, `serve` keeps them in memory).
pub type Sink<'s> = dyn Fn(&str, &WriteFn<'_>) -> Result<(), OutputError> + Sync + 's;

/// An export could not be made or written.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Output(#[from] OutputError),
    /// A feed or the sitemap: the theme's XML template failed.
    #[error(transparent)]
    Render(#[from] RenderError),
}

/// The export files of a build besides the browser index ([`browser_index`], which `serve`
/// brings up to date with every rebuild), computed in parallel and handed to `sink` one by
/// one. The catalogue as JSON and the CSV tables are written in pieces as they are serialised,
/// never held whole (at 100,000 entries `katalog.json` alone is half a gigabyte). Feeds and the
/// sitemap fill the theme's `feed.xml` and `sitemap.xml` (`xml`). Returns how many files were
/// written.
pub fn write_exports(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &HashMap<String, String>,
    sink: &Sink<'_>,
) -> Result<usize, ExportError> {
    let bytes = |files: Vec<OutputFile>| -> Result<usize, ExportError> {
        for (path, bytes) in &files {
            sink(path, &|w| w.write_all(bytes))?;
        }
        Ok(files.len())
    };
    type Task<'a> = Box<dyn Fn() -> Result<usize, ExportError> + Sync + 'a>;
    let tasks: Vec<Task<'_>> = vec![
        Box::new(|| -> Result<usize, ExportError> {
            sink(urls::CATALOGUE_JSON, &|w| {
                write_catalogue_json(cat, views, w)
            })?;
            Ok(1)
        }),
        Box::new(|| -> Result<usize, ExportError> {
            let types = &cat.config.types;
            for (t, ty) in types.iter().enumerate() {
                let path = urls::type_csv(&ty.folder);
                sink(&path, &|w| write_csv(cat, views, t, w))?;
            }
            Ok(types.len())
        }),
        Box::new(|| bytes(feeds(cat, views, xml, updated)?)),
        Box::new(|| {
            let sitemap = sitemap(cat, views, xml, updated)?;
            bytes(vec![(urls::SITEMAP.into(), sitemap)])
        }),
        Box::new(|| {
            let robots = format!(
                "User-agent: *\nAllow: /\nSitemap: {}\n",
                views.urls.absolute(&views.urls.path(urls::SITEMAP))
            );
            bytes(vec![(urls::ROBOTS.into(), robots.into_bytes())])
        }),
    ];
    tasks.par_iter().map(|task| task()).sum()
}

/// The export files of [`write_exports`], in memory.
pub fn exports(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &HashMap<String, String>,
) -> Result<Vec<OutputFile>, ExportError> {
    // Writing into memory cannot fail; a template can.
    let mut written = Ok(0);
    let files = collect(|sink| {
        written = write_exports(cat, views, xml, updated, sink);
        Ok(())
    });
    written.map(|_| files)
}

/// Runs `write` with a sink that keeps the files in memory, and returns them (`serve` holds its
/// site in memory). What was written before an error is returned all the same.
pub fn collect(write: impl FnOnce(&Sink<'_>) -> Result<(), OutputError>) -> Vec<OutputFile> {
    let files = std::sync::Mutex::new(Vec::new());
    let keep = |path: &str, content: &WriteFn<'_>| {
        let mut bytes = Vec::new();
        content(&mut bytes).map_err(|source| OutputError::Io {
            path: path.into(),
            source,
        })?;
        files
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push((path.to_string(), bytes));
        Ok(())
    };
    let _ = write(&keep);
    files.into_inner().unwrap_or_else(|e| e.into_inner())
}

/// A sequence serialised from an iterator made on demand, without collecting it first.
struct Lazy<F>(F);

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
struct IndexType<'a> {
    key: &'a str,
    label: &'a str,
    plural: &'a str,
    folder: &'a str,
    color: Option<&'a str>,
}

#[derive(Serialize)]
struct IndexTerm<'a> {
    key: &'a str,
    label: &'a str,
    parent: Option<usize>,
}

#[derive(Serialize)]
struct IndexFacet<'a, T: Serialize> {
    field: &'a str,
    label: &'a str,
    vocabulary: &'a str,
    terms: T,
}

/// One browser entry: `[slug, title, type index, null, null, [[terms] per facet], date]`.
type IndexEntry<'a, T> = (&'a str, &'a str, usize, (), (), T, &'a str);

#[derive(Serialize)]
struct Index<'a, T: Serialize, F: Serialize, E: Serialize> {
    version: u32,
    types: T,
    facets: F,
    entries: E,
    summary_chunk: usize,
    summary_chunks: usize,
    geo: &'static str,
    place: Option<&'a String>,
}

/// The browser's index: entries in title order with type, date, coordinates and facet terms as
/// small integers, so 10,000 entries stay far below the first-load budget. Summaries are split
/// into chunks loaded on demand.
///
/// Each entry is `[slug, title, type index, null, null, [[term indices] per facet in `facets`
/// order], "YYYY-MM-DD"|""]`; its URL is `base_path + types[t].folder + "/" + slug + "/"`.
/// `katalog/geo.json` holds `[lat, lon]` or null per entry, in the same order; `place` names
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
        (urls::BROWSER_GEO.to_string(), to_json(&points)),
        (urls::BROWSER_INDEX.to_string(), to_json(&index)),
    ];
    for (n, chunk) in chunks.enumerate() {
        files.push((
            format!("{}{n}.json", urls::BROWSER_SUMMARIES),
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
    config: Arc<Config>,
    /// The entries the rows were made from, in the order of `cat.entries`.
    sources: Vec<Arc<Entry>>,
    rows: Vec<Arc<IndexRow>>,
}

struct IndexRow {
    date: String,
    entry_json: Box<RawValue>,
    point: Box<RawValue>,
    summary: Box<RawValue>,
}

impl IndexRows {
    pub fn new(cat: &Catalogue, updated: &HashMap<String, String>) -> IndexRows {
        IndexRows::reusing(cat, updated, None)
    }

    pub fn reusing(
        cat: &Catalogue,
        updated: &HashMap<String, String>,
        previous: Option<&IndexRows>,
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
                match (taken[i], previous) {
                    (Some(k), Some(p)) if p.rows[k].date == date => Arc::clone(&p.rows[k]),
                    _ => Arc::new(IndexRow::new(cat, i, date)),
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
    fn new(cat: &Catalogue, i: usize, date: &str) -> IndexRow {
        let config = &cat.config;
        let e = &cat.entries[i];
        let terms = Lazy(move || config.facets.iter().map(move |f| cat.entry_terms(i, f)));
        // Positions 3 and 4 (lat, lon) stay empty: the map loads them from geo.json, so the
        // catalogue browser's first load does not carry them.
        let row: IndexEntry<'_, _> = (&e.slug, &e.title, e.type_index, (), (), terms, date);
        let point = match config.roles.geo.as_deref().and_then(|g| e.field(g)) {
            Some(FieldValue::Geo { lat, lon }) => Some([round4(*lat), round4(*lon)]),
            _ => None,
        };
        IndexRow {
            date: date.to_string(),
            entry_json: raw_json(&row),
            point: raw_json(&point),
            summary: raw_json(&e.summary.as_deref().unwrap_or("")),
        }
    }
}

/// `value` as JSON (see [`to_json`]) to embed in a larger document.
fn raw_json<T: Serialize + ?Sized>(value: &T) -> Box<RawValue> {
    String::from_utf8(to_json(value))
        .ok()
        .and_then(|json| RawValue::from_string(json).ok())
        .unwrap_or_else(|| RawValue::from_string("null".into()).expect("null is JSON"))
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// Escapes `<`, `>` and `&` inside JSON strings, so the JSON is safe to inline in HTML too.
struct HtmlSafe;

impl serde_json::ser::Formatter for HtmlSafe {
    fn write_string_fragment<W: ?Sized + io::Write>(
        &mut self,
        writer: &mut W,
        fragment: &str,
    ) -> io::Result<()> {
        let bytes = fragment.as_bytes();
        let mut start = 0;
        for i in memchr::memchr3_iter(b'<', b'>', b'&', bytes) {
            let escaped: &[u8] = match bytes[i] {
                b'<' => b"\\u003c",
                b'>' => b"\\u003e",
                _ => b"\\u0026",
            };
            writer.write_all(&bytes[start..i])?;
            writer.write_all(escaped)?;
            start = i + 1;
        }
        writer.write_all(&bytes[start..])
    }
}

/// JSON that is safe to inline in HTML too: `<`, `>` and `&` are escaped.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Vec<u8> {
    let mut out = Vec::with_capacity(256);
    let mut ser = serde_json::Serializer::with_formatter(&mut out, HtmlSafe);
    if value.serialize(&mut ser).is_err() {
        return b"null".to_vec();
    }
    out
}

/// A field value as exported: text as a string, terms with key and label, lists as items.
struct FieldJson<'a> {
    cat: &'a Catalogue,
    key: &'a str,
    value: &'a FieldValue,
}

#[derive(Serialize)]
struct TermJson<'a> {
    key: &'a str,
    label: &'a str,
}

#[derive(Serialize)]
struct GeoJson {
    lat: f64,
    lon: f64,
}

impl Serialize for FieldJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.value {
            FieldValue::Text(t)
            | FieldValue::Date(t)
            | FieldValue::Url(t)
            | FieldValue::Email(t)
            | FieldValue::Image(t)
            | FieldValue::Markdown(t, _) => s.serialize_str(t),
            FieldValue::Number(n) => s.serialize_f64(*n),
            FieldValue::Year(y) => s.serialize_i32(*y),
            FieldValue::Geo { lat, lon } => GeoJson {
                lat: *lat,
                lon: *lon,
            }
            .serialize(s),
            FieldValue::Terms(terms) => match self.cat.config.facet_vocabulary(self.key) {
                Some(v) => s.collect_seq(terms.iter().map(|&t| TermJson {
                    key: &v.terms[t].key,
                    label: &v.terms[t].label,
                })),
                None => s.serialize_unit(),
            },
            FieldValue::List(items) => s.collect_seq(items.iter().map(|i| ListJson {
                text: &i.text,
                url: i.url.as_deref(),
            })),
        }
    }
}

#[derive(Serialize)]
struct ListJson<'a> {
    text: &'a str,
    url: Option<&'a str>,
}

/// An entry's fields as a JSON object, in the type's field order.
struct FieldsJson<'a> {
    cat: &'a Catalogue,
    fields: &'a [(String, FieldValue)],
}

impl Serialize for FieldsJson<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(self.fields.len()))?;
        for (key, value) in self.fields {
            let cat = self.cat;
            map.serialize_entry(key, &FieldJson { cat, key, value })?;
        }
        map.end()
    }
}

#[derive(Serialize)]
struct EntryJson<'a, F: Serialize> {
    id: &'a str,
    #[serde(rename = "type")]
    type_key: &'a str,
    title: &'a str,
    summary: Option<&'a str>,
    url: String,
    fields: FieldsJson<'a>,
    relations: BTreeMap<&'a str, Vec<&'a str>>,
    inverse_relations: BTreeMap<&'a str, Vec<&'a str>>,
    similar: F,
    text: String,
}

#[derive(Serialize)]
struct CatalogueJson<'a, E: Serialize> {
    title: &'a str,
    base_url: &'a str,
    generator: &'static str,
    entries: E,
}

/// The whole catalogue with resolved relations in both directions.
fn write_catalogue_json(cat: &Catalogue, views: &Views, w: &mut dyn io::Write) -> io::Result<()> {
    let config = &cat.config;
    // Relations by label; two fields with one label share a list.
    fn by_label<'a>(cat: &'a Catalogue, rels: &'a [Relation]) -> BTreeMap<&'a str, Vec<&'a str>> {
        let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
        for r in rels {
            let ids = r.targets.iter().map(|&t| cat.entries[t].id.as_str());
            map.entry(r.label.as_str()).or_default().extend(ids);
        }
        map
    }
    let entries = Lazy(|| {
        cat.by_title.iter().map(|&i| {
            let e = &cat.entries[i];
            EntryJson {
                id: &e.id,
                type_key: &config.types[e.type_index].key,
                title: &e.title,
                summary: e.summary.as_deref(),
                url: views.urls.absolute(
                    &views
                        .urls
                        .path(&config.entry_address(e.type_index, &e.slug)),
                ),
                fields: FieldsJson {
                    cat,
                    fields: &e.fields,
                },
                relations: by_label(cat, &cat.relations[i]),
                inverse_relations: by_label(cat, &cat.backlinks[i]),
                similar: Lazy(move || cat.similar[i].iter().map(|&s| cat.entries[s].id.as_str())),
                text: plain_text(&e.body_html),
            }
        })
    });
    let mut ser = serde_json::Serializer::with_formatter(w, HtmlSafe);
    CatalogueJson {
        title: &config.title,
        base_url: &config.base_url,
        generator: concat!("casebook ", env!("CARGO_PKG_VERSION")),
        entries,
    }
    .serialize(&mut ser)
    .map_err(io::Error::from)
}
/// One CSV per type, UTF-8 with BOM so spreadsheet programs show umlauts correctly.
fn write_csv(cat: &Catalogue, views: &Views, t: usize, out: &mut dyn io::Write) -> io::Result<()> {
    let config = &cat.config;
    let ty = &config.types[t];
    out.write_all(b"\xEF\xBB\xBF")?;
    let mut w = csv::Writer::from_writer(out);
    let mut header = vec!["id".to_string(), "url".to_string()];
    header.extend(ty.fields.iter().map(|f| config.fields[f].label.clone()));
    w.write_record(&header)?;
    for &i in &cat.by_type[t] {
        let e = &cat.entries[i];
        let mut row = vec![
            e.id.clone(),
            views.urls.absolute(
                &views
                    .urls
                    .path(&config.entry_address(e.type_index, &e.slug)),
            ),
        ];
        row.extend(ty.fields.iter().map(|f| {
            field_plain_text(cat, i, f)
                .map(|s| csv_safe(&s))
                .unwrap_or_default()
        }));
        w.write_record(&row)?;
    }
    w.flush()
}

/// Spreadsheet programs run cells starting with `=`, `+`, `-` or `@` as formulas; a leading
/// apostrophe keeps them text (OWASP's CSV-injection advice).
fn csv_safe(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    }
}

fn rfc3339(date: &str) -> String {
    if date.len() == 10 {
        format!("{date}T00:00:00Z")
    } else {
        "1970-01-01T00:00:00Z".into()
    }
}

/// Atom feeds: all entries, per type, per term; newest first. Each is the theme's `feed.xml`
/// filled with `feed` (`title`, `id`, `url`, `updated`) and up to [`FEED_SIZE`] `entries`
/// (`title`, `id`, `url`, `updated`, `type` with `key` and `label`, `summary`).
fn feeds(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &HashMap<String, String>,
) -> Result<Vec<OutputFile>, RenderError> {
    let config = &cat.config;
    let date = |i: usize| {
        updated
            .get(&cat.entries[i].rel_path)
            .map(String::as_str)
            .unwrap_or("")
    };
    let mut newest: Vec<usize> = (0..cat.entries.len()).collect();
    newest.sort_by_cached_key(|&i| (std::cmp::Reverse(date(i)), cat.entries[i].id.clone()));
    // An entry is an item of its type's feed, of each of its terms' and often of the feed of
    // everything: its template value is made once.
    let item = |i: usize| {
        let e = &cat.entries[i];
        let url = views.urls.absolute(
            &views
                .urls
                .path(&config.entry_address(e.type_index, &e.slug)),
        );
        let ty = &config.types[e.type_index];
        map([
            ("title", e.title.as_str().into()),
            ("id", url.as_str().into()),
            ("url", url.into()),
            ("updated", rfc3339(date(i)).into()),
            (
                "type",
                map([
                    ("key", ty.key.as_str().into()),
                    ("label", ty.label.as_str().into()),
                ]),
            ),
            ("summary", e.summary.as_deref().unwrap_or("").into()),
        ])
    };
    let items: Vec<OnceCell<Value>> = (0..cat.entries.len()).map(|_| OnceCell::new()).collect();
    let feed = |path: String,
                title: String,
                members: &mut dyn Iterator<Item = usize>|
     -> Result<OutputFile, RenderError> {
        let self_url = views.urls.absolute(&views.urls.path(&path));
        let members: Vec<usize> = members.take(FEED_SIZE).collect();
        let feed_updated = members.iter().map(|&i| date(i)).max().unwrap_or_default();
        let mut context = Context::new();
        context.insert_value(
            "feed",
            map([
                ("title", title.into()),
                ("id", self_url.as_str().into()),
                ("url", self_url.into()),
                ("updated", rfc3339(feed_updated).into()),
            ]),
        );
        let entries: Vec<Value> = members
            .iter()
            .map(|&i| items[i].get_or_init(|| item(i)).clone())
            .collect();
        context.insert_value("entries", entries.into());
        Ok((path, xml.render("feed.xml", &context)?))
    };
    let mut files = vec![feed(
        urls::ALL_FEED.into(),
        config.title.clone(),
        &mut newest.iter().copied(),
    )?];
    for (t, ty) in config.types.iter().enumerate() {
        files.push(feed(
            urls::type_feed(&ty.folder),
            format!("{} – {}", config.title, ty.plural),
            &mut newest
                .iter()
                .copied()
                .filter(|&i| cat.entries[i].type_index == t),
        )?);
    }
    // Each entry's place in `newest`, to sort a term's members by.
    let mut rank = vec![0; cat.entries.len()];
    for (r, &i) in newest.iter().enumerate() {
        rank[i] = r;
    }
    for facet in &cat.facets {
        let vocab = &config.vocabularies[&facet.vocabulary];
        for (t, term) in vocab.terms.iter().enumerate() {
            let mut members = facet.members[t].clone();
            members.sort_by_key(|&i| rank[i]);
            files.push(feed(
                urls::term_feed(&vocab.key, &term.key),
                format!("{} – {}", config.title, term.label),
                &mut members.into_iter(),
            )?);
        }
    }
    Ok(files)
}

/// The sitemap: the theme's `sitemap.xml` filled with `pages`, each with its absolute `url` and,
/// for entries and free pages, the date it was `updated`. Every page but the 404 page.
fn sitemap(
    cat: &Catalogue,
    views: &Views,
    xml: &XmlTemplates,
    updated: &HashMap<String, String>,
) -> Result<Vec<u8>, RenderError> {
    let pages: Vec<Value> = plan(cat)
        .into_iter()
        .filter(|page| *page != PageKind::NotFound)
        .map(|page| {
            let lastmod = match &page {
                PageKind::Entry(i) => updated.get(&cat.entries[*i].rel_path),
                PageKind::Free(i) => updated.get(&cat.pages[*i].rel_path),
                _ => None,
            };
            map([
                (
                    "url",
                    views.urls.absolute(&views.urls.path(&page.rel(cat))).into(),
                ),
                ("updated", lastmod.map(String::as_str).into()),
            ])
        })
        .collect();
    let mut context = Context::new();
    context.insert_value("pages", pages.into());
    xml.render("sitemap.xml", &context)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn inline_json_cannot_close_a_script() {
        let j = to_json(&json!({"t": "</script><!-- & x"}));
        let s = String::from_utf8(j).unwrap();
        assert!(!s.contains("</script>") && !s.contains("<!--"), "{s}");
    }

    #[test]
    fn csv_cells_cannot_become_formulas() {
        assert_eq!(csv_safe("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(csv_safe("Göttingen"), "Göttingen");
    }
}
