//! Machine-readable outputs: the catalogue as JSON and CSV, Atom feeds, sitemap, robots.txt, and
//! the compact index the catalogue browser and map filter on. Never renders HTML.
//!
//! JSON is serialised straight from the catalogue through borrowed views (`Lazy`, the small
//! structs below), never through an intermediate `serde_json::Value` tree: at 10,000 entries
//! building and dropping that tree cost more than writing the bytes.
use crate::config::Config;
use crate::markdown::plain_text;
use crate::model::{Entry, FieldValue, Updated};
use crate::render::text::field_plain_text;
use crate::render::views::{map, Views};
use crate::render::xml::XmlTemplates;
use crate::render::{plan, PageKind, RenderError, Renderer};
use crate::resolve::{Catalogue, Relation};
use crate::sink::{OutputError, WriteFn};
use crate::urls;
use rayon::prelude::*;
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;
use serde_json::value::RawValue;
use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::io;
use std::sync::Arc;
use tera::{Context, Value};

mod browser;
mod calendar;
mod feeds;
mod finder;

use browser::*;
pub use browser::{browser_index, IndexRows};
use feeds::*;

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
/// sitemap fill the theme's `feed.xml` and `sitemap.xml`, the event calendars its `event.ics`.
/// Returns how many files were written.
pub fn write_exports(
    cat: &Catalogue,
    views: &Views,
    templates: &Renderer,
    updated: &Updated,
    sink: &Sink<'_>,
) -> Result<usize, ExportError> {
    let xml = &templates.xml;
    let bytes = |files: Vec<OutputFile>| -> Result<usize, ExportError> {
        for (path, bytes) in &files {
            sink(path, &|w| w.write_all(bytes))?;
        }
        Ok(files.len())
    };
    type Task<'a> = Box<dyn Fn() -> Result<usize, ExportError> + Sync + 'a>;
    let tasks: Vec<Task<'_>> = vec![
        Box::new(|| -> Result<usize, ExportError> {
            sink(&cat.config.segments.catalogue_json(), &|w| {
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
        Box::new(|| bytes(calendar::calendars(cat, views, &templates.ics, updated)?)),
        Box::new(|| bytes(finder::finder_weights(cat, views))),
        Box::new(|| {
            let sitemap = sitemap(cat, views, xml, updated)?;
            bytes(vec![(urls::SITEMAP.into(), sitemap)])
        }),
        Box::new(|| {
            // One robots.txt at the root, naming the sitemap of every language.
            let editions = &cat.editions.languages;
            if editions
                .first()
                .is_some_and(|e| e.language != cat.config.language)
            {
                return Ok(0);
            }
            let mut robots = "User-agent: *\nAllow: /\n".to_string();
            let mut sitemaps: Vec<String> = editions
                .iter()
                .map(|e| e.urls.absolute(&e.urls.path(urls::SITEMAP)))
                .collect();
            if sitemaps.is_empty() {
                sitemaps.push(views.urls.absolute(&views.urls.path(urls::SITEMAP)));
            }
            for sitemap in sitemaps {
                robots.push_str(&format!("Sitemap: {sitemap}\n"));
            }
            bytes(vec![(urls::ROBOTS.into(), robots.into_bytes())])
        }),
    ];
    tasks.par_iter().map(|task| task()).sum()
}

/// The export files of [`write_exports`], in memory.
pub fn exports(
    cat: &Catalogue,
    views: &Views,
    templates: &Renderer,
    updated: &Updated,
) -> Result<Vec<OutputFile>, ExportError> {
    // Writing into memory cannot fail; a template can.
    let mut written = Ok(0);
    let files = collect(|sink| {
        written = write_exports(cat, views, templates, updated, sink);
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
            | FieldValue::Markdown(t, _) => s.serialize_str(t),
            FieldValue::Image(pictures) => {
                let urls = self.cat.config.media_urls();
                let mut json = pictures.iter().map(|p| PictureJson {
                    url: urls.absolute(&urls.path(&crate::urls::encoded(&p.src))),
                    alt: &p.alt,
                    decorative: p.decorative,
                    credit: p.credit.as_deref(),
                    caption: p.caption.as_deref(),
                    licence: p.licence.as_deref(),
                });
                let gallery = self
                    .cat
                    .config
                    .fields
                    .get(self.key)
                    .is_some_and(|f| f.multiple);
                match gallery {
                    true => s.collect_seq(json),
                    false => json.next().serialize(s),
                }
            }
            FieldValue::Number(n) => s.serialize_f64(*n),
            FieldValue::Year(y) => s.serialize_i32(*y),
            FieldValue::Bool(b) => s.serialize_bool(*b),
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

/// A picture in `katalog.json`: the address of its file and what is said about it.
#[derive(Serialize)]
struct PictureJson<'a> {
    url: String,
    alt: &'a str,
    decorative: bool,
    credit: Option<&'a str>,
    caption: Option<&'a str>,
    licence: Option<&'a str>,
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
    /// Present when site.yaml has `collections:`.
    #[serde(skip_serializing_if = "Option::is_none")]
    collections: Option<Vec<CollectionJson<'a>>>,
}

#[derive(Serialize)]
struct CollectionJson<'a> {
    id: String,
    title: &'a str,
    summary: Option<&'a str>,
    url: String,
    entries: Vec<MemberJson<'a>>,
}

#[derive(Serialize)]
struct MemberJson<'a> {
    id: &'a str,
    note: Option<&'a str>,
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
    let collections = config.collections.as_ref().map(|settings| {
        cat.collections
            .iter()
            .map(|(c, members)| CollectionJson {
                id: format!("{}/{}", settings.folder, c.slug),
                title: &c.title,
                summary: c.summary.as_deref(),
                url: views.urls.absolute(
                    &views
                        .urls
                        .path(&urls::collection(&settings.folder, &c.slug)),
                ),
                entries: members
                    .iter()
                    .map(|m| MemberJson {
                        id: &cat.entries[m.entry].id,
                        note: m.note.as_deref(),
                    })
                    .collect(),
            })
            .collect()
    });
    let mut ser = serde_json::Serializer::with_formatter(w, HtmlSafe);
    CatalogueJson {
        title: &config.title,
        base_url: &config.base_url,
        generator: concat!("casebook ", env!("CARGO_PKG_VERSION")),
        entries,
        collections,
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
    header.extend(ty.fields.iter().map(|f| config.fields[f].label.to_string()));
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
