//! Machine-readable outputs: the catalogue as JSON and CSV, Atom feeds, sitemap, robots.txt, and
//! the compact index the catalogue browser and map filter on. Never renders HTML.

use crate::check::FieldValue;
use crate::render::views::{entry_rel, field_plain_text, Views};
use crate::render::{plan, PageKind};
use crate::resolve::Catalogue;
use rayon::prelude::*;
use serde_json::{json, Value as Json};
use std::collections::HashMap;

/// Entries per chunk of browser summaries; the browser fetches only the chunks it shows.
pub const SUMMARY_CHUNK: usize = 200;
/// Entries per Atom feed.
pub const FEED_SIZE: usize = 50;

/// One output file: path relative to the output root, and its bytes.
pub type OutputFile = (String, Vec<u8>);

/// All export files of a build, computed in parallel.
pub fn exports(
    cat: &Catalogue,
    views: &Views,
    updated: &HashMap<String, String>,
) -> Vec<OutputFile> {
    let tasks: Vec<Box<dyn Fn() -> Vec<OutputFile> + Sync + '_>> = vec![
        Box::new(|| browser_index(cat, updated)),
        Box::new(|| vec![("export/katalog.json".into(), catalogue_json(cat, views))]),
        Box::new(|| {
            (0..cat.config.types.len())
                .map(|t| {
                    (
                        format!("export/{}.csv", cat.config.types[t].folder),
                        csv_for_type(cat, views, t),
                    )
                })
                .collect()
        }),
        Box::new(|| feeds(cat, views, updated)),
        Box::new(|| vec![("sitemap.xml".into(), sitemap(cat, views, updated))]),
        Box::new(|| {
            vec![(
                "robots.txt".into(),
                format!(
                    "User-agent: *\nAllow: /\nSitemap: {}\n",
                    views.urls.absolute(&views.urls.path("sitemap.xml"))
                )
                .into_bytes(),
            )]
        }),
    ];
    tasks.par_iter().flat_map_iter(|t| t()).collect()
}

/// The browser's index: entries in title order with type, date, coordinates and facet terms as
/// small integers, so 10,000 entries stay far below the first-load budget. Summaries are split
/// into chunks loaded on demand.
///
/// Each entry is `[slug, title, type index, null, null, [[term indices] per facet in `facets`
/// order], "YYYY-MM-DD"|""]`; its URL is `base_path + types[t].folder + "/" + slug + "/"`.
/// `katalog/geo.json` holds `[lat, lon]` or null per entry, in the same order; `place` names
/// the facet that holds an entry's place.
pub fn browser_index(cat: &Catalogue, updated: &HashMap<String, String>) -> Vec<OutputFile> {
    let config = &cat.config;
    let facets: Vec<Json> = config
        .facets
        .iter()
        .filter_map(|f| {
            let vocab = config.facet_vocabulary(f)?;
            let terms: Vec<Json> = vocab.terms.iter().map(|t| json!({"key": t.key, "label": t.label, "parent": t.parent.as_deref().and_then(|p| vocab.term_index(p))})).collect();
            Some(json!({"field": f, "label": config.fields[f].label, "vocabulary": vocab.key, "terms": terms}))
        })
        .collect();
    let types: Vec<Json> = config.types.iter().map(|t| json!({"key": t.key, "label": t.label, "plural": t.plural, "folder": t.folder, "color": t.color})).collect();
    let geo = config.roles.geo.clone();
    let mut points: Vec<Json> = Vec::with_capacity(cat.by_title.len());
    let entries: Vec<Json> = cat
        .by_title
        .iter()
        .map(|&i| {
            let e = &cat.entries[i];
            let terms: Vec<Json> = config
                .facets
                .iter()
                .map(|f| json!(cat.entry_terms(i, f)))
                .collect();
            points.push(match geo.as_ref().and_then(|g| e.field(g)) {
                Some(FieldValue::Geo { lat, lon }) => json!([round4(*lat), round4(*lon)]),
                _ => Json::Null,
            });
            let date = updated.get(&e.rel_path).map(String::as_str).unwrap_or("");
            // Positions 3 and 4 (lat, lon) stay empty here: the map loads them from geo.json,
            // so the catalogue browser's first load does not carry them.
            json!([e.slug, e.title, e.type_index, null, null, terms, date])
        })
        .collect();
    let summaries: Vec<Json> = cat
        .by_title
        .iter()
        .map(|&i| json!(cat.entries[i].summary.clone().unwrap_or_default()))
        .collect();
    let chunks = summaries.chunks(SUMMARY_CHUNK).count();
    let place = config
        .roles
        .place
        .as_ref()
        .filter(|p| config.facets.contains(p));
    let index = json!({"version": 1, "types": types, "facets": facets, "entries": entries, "summary_chunk": SUMMARY_CHUNK, "summary_chunks": chunks, "geo": "geo.json", "place": place});
    let mut files = vec![("katalog/geo.json".to_string(), to_json(&Json::from(points)))];
    files.push(("katalog/index.json".to_string(), to_json(&index)));
    for (n, chunk) in summaries.chunks(SUMMARY_CHUNK).enumerate() {
        files.push((
            format!("katalog/summaries/{n}.json"),
            to_json(&Json::from(chunk.to_vec())),
        ));
    }
    files
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

/// JSON that is safe to inline in HTML too: `<`, `>` and `&` are escaped.
pub fn to_json(value: &Json) -> Vec<u8> {
    let raw = serde_json::to_vec(value).unwrap_or_else(|_| b"null".to_vec());
    if !raw.iter().any(|b| matches!(b, b'<' | b'>' | b'&')) {
        return raw;
    }
    let mut out = Vec::with_capacity(raw.len() + 64);
    for &b in &raw {
        match b {
            b'<' => out.extend_from_slice(b"\\u003c"),
            b'>' => out.extend_from_slice(b"\\u003e"),
            b'&' => out.extend_from_slice(b"\\u0026"),
            b => out.push(b),
        }
    }
    out
}

fn field_json(cat: &Catalogue, key: &str, value: &FieldValue) -> Json {
    let vocab = || cat.config.facet_vocabulary(key);
    match value {
        FieldValue::Text(t)
        | FieldValue::Date(t)
        | FieldValue::Url(t)
        | FieldValue::Email(t)
        | FieldValue::Image(t) => json!(t),
        FieldValue::Markdown(md, _) => json!(md),
        FieldValue::Number(n) => json!(n),
        FieldValue::Year(y) => json!(y),
        FieldValue::Geo { lat, lon } => json!({"lat": lat, "lon": lon}),
        FieldValue::Terms(terms) => match vocab() {
            Some(v) => json!(terms
                .iter()
                .map(|&t| json!({"key": v.terms[t].key, "label": v.terms[t].label}))
                .collect::<Vec<_>>()),
            None => Json::Null,
        },
        FieldValue::List(items) => json!(items
            .iter()
            .map(|i| json!({"text": i.text, "url": i.url}))
            .collect::<Vec<_>>()),
    }
}

/// The whole catalogue with resolved relations in both directions.
fn catalogue_json(cat: &Catalogue, views: &Views) -> Vec<u8> {
    let config = &cat.config;
    let entries: Vec<Json> = cat
        .by_title
        .iter()
        .map(|&i| {
            let e = &cat.entries[i];
            let fields: serde_json::Map<String, Json> = e.fields.iter().map(|(k, v)| (k.clone(), field_json(cat, k, v))).collect();
            let rel = |rels: &[crate::resolve::Relation]| -> Json { rels.iter().map(|r| (r.label.clone(), json!(r.targets.iter().map(|&t| cat.entries[t].id.as_str()).collect::<Vec<_>>()))).collect::<serde_json::Map<_, _>>().into() };
            json!({
                "id": e.id,
                "type": config.types[e.type_index].key,
                "title": e.title,
                "summary": e.summary,
                "url": views.urls.absolute(&views.urls.path(&entry_rel(config, e.type_index, &e.slug))),
                "fields": fields,
                "relations": rel(&cat.relations[i]),
                "inverse_relations": rel(&cat.backlinks[i]),
                "similar": cat.similar[i].iter().map(|&s| cat.entries[s].id.as_str()).collect::<Vec<_>>(),
                "text": e.body_text.trim(),
            })
        })
        .collect();
    to_json(
        &json!({"title": config.title, "base_url": config.base_url, "generator": concat!("casebook ", env!("CARGO_PKG_VERSION")), "entries": entries}),
    )
}

/// One CSV per type, UTF-8 with BOM so spreadsheet programs show umlauts correctly.
fn csv_for_type(cat: &Catalogue, views: &Views, t: usize) -> Vec<u8> {
    let config = &cat.config;
    let ty = &config.types[t];
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        let mut header = vec!["id".to_string(), "url".to_string()];
        header.extend(ty.fields.iter().map(|f| config.fields[f].label.clone()));
        let _ = w.write_record(&header);
        for &i in &cat.by_type[t] {
            let e = &cat.entries[i];
            let mut row = vec![
                e.id.clone(),
                views
                    .urls
                    .absolute(&views.urls.path(&entry_rel(config, t, &e.slug))),
            ];
            row.extend(ty.fields.iter().map(|f| {
                field_plain_text(cat, i, f)
                    .map(|s| csv_safe(&s))
                    .unwrap_or_default()
            }));
            let _ = w.write_record(&row);
        }
        let _ = w.flush();
    }
    out
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

/// Escapes text for XML element content and attribute values.
pub fn xml_escape(s: &str) -> String {
    // U+FFFE and U+FFFF are the only characters besides controls that XML 1.0 forbids (Rust
    // strings hold no surrogates); in UTF-8 both start with the bytes EF BF.
    let needs_work = s.as_bytes().windows(2).any(|w| w == [0xEF, 0xBF])
        || s.bytes()
            .any(|b| matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') || b < 0x20);
    if !needs_work {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 16);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

fn rfc3339(date: &str) -> String {
    if date.len() == 10 {
        format!("{date}T00:00:00Z")
    } else {
        "1970-01-01T00:00:00Z".into()
    }
}

/// Atom feeds: all entries, per type, per term; newest first.
fn feeds(cat: &Catalogue, views: &Views, updated: &HashMap<String, String>) -> Vec<OutputFile> {
    let config = &cat.config;
    let date = |i: usize| {
        updated
            .get(&cat.entries[i].rel_path)
            .cloned()
            .unwrap_or_default()
    };
    let mut newest: Vec<usize> = (0..cat.entries.len()).collect();
    newest.sort_by_cached_key(|&i| (std::cmp::Reverse(date(i)), cat.entries[i].id.clone()));
    let feed = |path: String,
                title: String,
                members: &mut dyn Iterator<Item = usize>|
     -> OutputFile {
        let self_url = views.urls.absolute(&views.urls.path(&path));
        let items: Vec<usize> = members.take(FEED_SIZE).collect();
        let feed_updated = items.iter().map(|&i| date(i)).max().unwrap_or_default();
        let mut xml = format!(
            "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"{}\">\n<title>{}</title>\n<id>{}</id>\n<link rel=\"self\" href=\"{}\"/>\n<link href=\"{}\"/>\n<updated>{}</updated>\n<generator>casebook</generator>\n",
            xml_escape(&config.language),
            xml_escape(&title),
            xml_escape(&self_url),
            xml_escape(&self_url),
            xml_escape(&config.base_url),
            rfc3339(&feed_updated)
        );
        for i in items {
            let e = &cat.entries[i];
            let url =
                views
                    .urls
                    .absolute(&views.urls.path(&entry_rel(config, e.type_index, &e.slug)));
            xml.push_str(&format!(
                "<entry>\n<title>{}</title>\n<id>{}</id>\n<link href=\"{}\"/>\n<updated>{}</updated>\n<category term=\"{}\" label=\"{}\"/>\n<summary>{}</summary>\n</entry>\n",
                xml_escape(&e.title),
                xml_escape(&url),
                xml_escape(&url),
                rfc3339(&date(i)),
                xml_escape(&config.types[e.type_index].key),
                xml_escape(&config.types[e.type_index].label),
                xml_escape(e.summary.as_deref().unwrap_or(""))
            ));
        }
        xml.push_str("</feed>\n");
        (path, xml.into_bytes())
    };
    let mut files = vec![feed(
        "feeds/alle.xml".into(),
        config.title.clone(),
        &mut newest.iter().copied(),
    )];
    for (t, ty) in config.types.iter().enumerate() {
        files.push(feed(
            format!("feeds/{}.xml", ty.folder),
            format!("{} – {}", config.title, ty.plural),
            &mut newest
                .iter()
                .copied()
                .filter(|&i| cat.entries[i].type_index == t),
        ));
    }
    for facet in &cat.facets {
        let vocab = &config.vocabularies[&facet.vocabulary];
        let rank: HashMap<usize, usize> = newest.iter().enumerate().map(|(r, &i)| (i, r)).collect();
        for (t, term) in vocab.terms.iter().enumerate() {
            let mut members = facet.members[t].clone();
            members.sort_by_key(|i| rank[i]);
            files.push(feed(
                format!("feeds/{}/{}.xml", vocab.key, term.key),
                format!("{} – {}", config.title, term.label),
                &mut members.into_iter(),
            ));
        }
    }
    files
}

fn sitemap(cat: &Catalogue, views: &Views, updated: &HashMap<String, String>) -> Vec<u8> {
    let mut xml = String::from("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for page in plan(cat) {
        if page == PageKind::NotFound {
            continue;
        }
        let url = views.urls.absolute(&views.urls.path(&page.rel(cat)));
        let lastmod = match &page {
            PageKind::Entry(i) => updated.get(&cat.entries[*i].rel_path),
            PageKind::Free(i) => updated.get(&cat.pages[*i].rel_path),
            _ => None,
        };
        xml.push_str(&format!("<url><loc>{}</loc>", xml_escape(&url)));
        if let Some(d) = lastmod {
            xml.push_str(&format!("<lastmod>{}</lastmod>", xml_escape(d)));
        }
        xml.push_str("</url>\n");
    }
    xml.push_str("</urlset>\n");
    xml.into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn xml_escaping() {
        assert_eq!(xml_escape("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml_escape("x\u{fffe}\u{ffff}\u{fffd}"), "x\u{fffd}");
    }
}
