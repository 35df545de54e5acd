//! `casebook build` on the small fixture catalogue, checked on the parsed output: links,
//! relations and their inverses, term pages, type lists, the home matrix, the exports, the base
//! URL, and the safety rules for the output folder (atomic replace, refusals, concurrent builds).
//!
//! Expected values come from reading the fixture files directly (`common::read_entries`), never
//! from casebook itself. Run: `cargo test --test cli_build`.

mod common;

use common::html::{self, anchors, page, resolve, sel, text_of, Target};
use common::{build, catalogue_copy, fixture, read_entries, FixtureEntry, TempDir};
use scraper::ElementRef;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

const BASE_URL: &str = "https://example.org/";

/// A built copy of `valid-small`; the temp dir goes away with it.
struct Built {
    _tmp: TempDir,
    root: PathBuf,
    out: PathBuf,
    entries: Vec<FixtureEntry>,
}

fn built(extra: &[&str]) -> Built {
    built_after(extra, |_| {})
}

/// The fixture built after `edit` changed its copy.
fn built_after(extra: &[&str], edit: impl FnOnce(&Path)) -> Built {
    let (tmp, root) = catalogue_copy("valid-small");
    edit(&root);
    let out = tmp.join("site");
    build(&root, &out, extra).assert_exit(0);
    let entries = read_entries(&root);
    Built {
        _tmp: tmp,
        root,
        out,
        entries,
    }
}

fn entry_page(e: &FixtureEntry) -> String {
    format!("{}/{}/index.html", e.folder, e.slug)
}

fn title(e: &FixtureEntry) -> String {
    e.fields["titel"].as_str().expect("titel").to_string()
}

/// The files the links inside `el` lead to, with the link text.
fn link_targets(
    out: &Path,
    page_rel: &str,
    el: ElementRef,
    base_path: &str,
) -> Vec<(PathBuf, String)> {
    el.select(&sel("a[href]"))
        .filter_map(|a| {
            let href = a.value().attr("href")?;
            match resolve(out, page_rel, href, base_path, BASE_URL) {
                Target::File(p, _) => Some((p, text_of(a))),
                _ => None,
            }
        })
        .collect()
}

/// Entry pages linked from the page's `<main>`, as entry ids.
fn linked_entries(b: &Built, page_rel: &str) -> BTreeSet<String> {
    let doc = page(&b.out, page_rel);
    let main = doc.select(&sel("main")).next().expect("<main>");
    let by_file: BTreeMap<PathBuf, &str> = b
        .entries
        .iter()
        .map(|e| (b.out.join(entry_page(e)), e.id.as_str()))
        .collect();
    link_targets(&b.out, page_rel, main, "/")
        .into_iter()
        .filter_map(|(p, _)| by_file.get(&p).map(|id| id.to_string()))
        .collect()
}

/// Asserts that the page has a heading (or term) reading `label` whose section links to `target`.
fn assert_relation_shown(b: &Built, page_rel: &str, label: &str, target: &FixtureEntry) {
    let doc = page(&b.out, page_rel);
    let want = b.out.join(entry_page(target));
    let headings: Vec<ElementRef> = doc
        .select(&sel(
            "h1, h2, h3, h4, h5, h6, dt, th, caption, summary, legend",
        ))
        .filter(|h| text_of(*h) == label)
        .collect();
    assert!(
        !headings.is_empty(),
        "{page_rel}: no heading reads `{label}`"
    );
    let shown = headings.iter().any(|h| {
        let container = h
            .parent()
            .and_then(ElementRef::wrap)
            .expect("heading has a parent element");
        link_targets(&b.out, page_rel, container, "/")
            .iter()
            .any(|(p, text)| *p == want && text.contains(&title(target)))
    });
    assert!(
        shown,
        "{page_rel}: under `{label}` there is no link to {} titled `{}`",
        target.id,
        title(target)
    );
}

fn site_labels(root: &Path) -> BTreeMap<String, (String, Option<String>)> {
    let site = common::read_yaml(&root.join("content/site.yaml"));
    site["fields"]
        .as_mapping()
        .expect("fields")
        .iter()
        .filter(|(_, def)| def["kind"].as_str() == Some("reference"))
        .map(|(k, def)| {
            (
                k.as_str().expect("field key").to_string(),
                (
                    def["label"].as_str().expect("label").to_string(),
                    def["inverse"].as_str().map(str::to_string),
                ),
            )
        })
        .collect()
}

#[test]
fn every_internal_link_resolves_and_the_search_bundle_exists() {
    // The one build with the search index: the search page's scripts must exist too.
    let b = built(&[]);
    // The search index names its shards; each is there, and the excerpt texts for every document.
    let meta: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.out.join("search/index.json")).unwrap()).unwrap();
    let shards = meta["shards"].as_array().expect("shards");
    assert!(shards.len() > 20, "{} shards", shards.len());
    for key in shards {
        let file = casebook::search::shard_file(key.as_str().unwrap());
        assert!(
            b.out.join(format!("search/terms/{file}.json")).is_file(),
            "{file}"
        );
    }
    let documents = meta["documents"].as_u64().unwrap() as usize;
    assert_eq!(meta["entries"].as_u64().unwrap() as usize, b.entries.len());
    let chunk = meta["text_chunk"].as_u64().unwrap() as usize;
    let mut texts = 0;
    for n in 0..documents.div_ceil(chunk) {
        let file = b.out.join(format!("search/text/{n}.json"));
        let list: Vec<String> = serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap();
        texts += list.len();
    }
    assert_eq!(texts, documents);
    let pages = html::html_files(&b.out);
    assert!(pages.len() >= 20, "only {} pages built", pages.len());
    for e in &b.entries {
        assert!(pages.contains(&entry_page(e)), "no page for {}", e.id);
    }
    let broken = html::broken_internal_links(&b.out, "/", BASE_URL);
    assert!(
        broken.is_empty(),
        "broken internal links:\n{}",
        broken.join("\n")
    );
}

#[test]
fn markdown_links_between_entries_and_pages_are_resolved() {
    let b = built(&["--no-search"]);
    let cases = [
        (
            "orte/stadtteilbuero-nord/index.html",
            "formate/reallabor-marktplatz/index.html",
        ),
        (
            "orte/markthalle-sued/index.html",
            "formate/quartiersspaziergang/index.html",
        ),
        (
            "formate/reallabor-marktplatz/index.html",
            "orte/stadtteilbuero-nord/index.html",
        ),
        (
            "formate/reallabor-marktplatz/index.html",
            "ueber/index.html",
        ),
        ("ueber/index.html", "orte/markthalle-sued/index.html"),
        (
            "ueber/index.html",
            "strategien/quartiersstrategie-2030/index.html",
        ),
    ];
    for (from, to) in cases {
        let doc = page(&b.out, from);
        let main = doc.select(&sel("main")).next().expect("<main>");
        let targets = link_targets(&b.out, from, main, "/");
        assert!(
            targets.iter().any(|(p, _)| *p == b.out.join(to)),
            "{from} has no link to {to}"
        );
    }
    // The `.yaml` entry's `body:` is rendered as its text.
    let doc = page(&b.out, "orte/markthalle-sued/index.html");
    let main = text_of(doc.select(&sel("main")).next().expect("<main>"));
    assert!(main.contains("Die Halle stand zwei Jahre leer"), "{main}");
    // An in-page fragment link points at the heading's id, in the content's namespace.
    let doc = page(&b.out, "formate/reallabor-marktplatz/index.html");
    assert!(html::ids(&doc).contains("text-ablauf"));
    assert!(
        anchors(&doc, "main")
            .iter()
            .any(|(href, _)| href == "#text-ablauf"),
        "{:?}",
        anchors(&doc, "main")
    );
}

#[test]
fn entry_pages_show_relations_and_their_inverse_labels() {
    // One pair names each other (`siehe_auch` both ways): each page shows the other once,
    // under the relation it states itself.
    let b = built_after(&["--no-search"], |root| {
        let file = root.join("content/formate/reallabor-marktplatz.md");
        let text = std::fs::read_to_string(&file).expect("read");
        let text = text.replacen(
            "\n---\n",
            "\nsiehe_auch: [format/quartiersspaziergang]\n---\n",
            1,
        );
        std::fs::write(&file, text).expect("write");
    });
    let labels = site_labels(&b.root);
    let by_id: BTreeMap<&str, &FixtureEntry> =
        b.entries.iter().map(|e| (e.id.as_str(), e)).collect();
    let points_at = |from: &FixtureEntry, to: &FixtureEntry| {
        labels
            .keys()
            .any(|field| common::list_of(&from.fields, field).contains(&to.id))
    };
    let (mut checked, mut mutual) = (0, 0);
    for source in &b.entries {
        for (field, (label, inverse)) in &labels {
            for target_id in common::list_of(&source.fields, field) {
                let target = by_id[target_id.as_str()];
                assert_relation_shown(&b, &entry_page(source), label, target);
                if points_at(target, source) {
                    mutual += 1;
                    let shown = relation_links(&b, &entry_page(target), source);
                    assert_eq!(shown, 1, "{} shows {} {shown} times", target.id, source.id);
                } else {
                    let back = inverse.as_deref().unwrap_or(label);
                    assert_relation_shown(&b, &entry_page(target), back, source);
                }
                checked += 1;
            }
        }
    }
    assert!(
        checked >= 8 && mutual >= 2,
        "the fixture should have relations to check, found {checked} ({mutual} mutual)"
    );
}

/// How often the relations section of a page links to `target`.
fn relation_links(b: &Built, page_rel: &str, target: &FixtureEntry) -> usize {
    let doc = page(&b.out, page_rel);
    let want = b.out.join(entry_page(target));
    let section = doc
        .select(&sel("section.relations"))
        .next()
        .unwrap_or_else(|| panic!("{page_rel} has no relations section"));
    link_targets(&b.out, page_rel, section, "/")
        .iter()
        .filter(|(p, _)| *p == want)
        .count()
}

#[test]
fn term_pages_list_the_entries_of_the_term_and_its_children() {
    let b = built(&["--no-search"]);
    for (field, vocabulary) in [("handlungsfeld", "handlungsfelder"), ("thema", "themen")] {
        let vocab = common::read_vocabulary(&b.root, vocabulary);
        let overview = page(&b.out, &format!("{vocabulary}/index.html"));
        for (term, _) in &vocab {
            let expected: BTreeSet<String> = b
                .entries
                .iter()
                .filter(|e| {
                    common::list_of(&e.fields, field)
                        .iter()
                        .any(|t| common::with_ancestors(&vocab, t).contains(term))
                })
                .map(|e| e.id.clone())
                .collect();
            let rel = format!("{vocabulary}/{term}/index.html");
            assert_eq!(
                linked_entries(&b, &rel),
                expected,
                "entries listed on {rel}"
            );
            let count = expected.len().to_string();
            let doc = page(&b.out, &rel);
            let main = text_of(doc.select(&sel("main")).next().expect("<main>"));
            assert!(
                main.split(|c: char| !c.is_ascii_digit())
                    .any(|n| n == count),
                "{rel} does not show the count {count}: {main}"
            );
            // The vocabulary overview shows the same count next to the term's link.
            let term_url = b.out.join(&rel);
            let row = overview
                .select(&sel("main a[href]"))
                .find(|a| {
                    let href = a.value().attr("href").unwrap_or("");
                    resolve(
                        &b.out,
                        &format!("{vocabulary}/index.html"),
                        href,
                        "/",
                        BASE_URL,
                    ) == Target::File(term_url.clone(), None)
                })
                .unwrap_or_else(|| panic!("{vocabulary}/ does not link to {term}"));
            let row_text = row
                .parent()
                .and_then(ElementRef::wrap)
                .map(text_of)
                .unwrap_or_default();
            assert!(
                row_text
                    .split(|c: char| !c.is_ascii_digit())
                    .any(|n| n == count),
                "{vocabulary}/: the row of `{term}` does not show {count}: {row_text}"
            );
        }
    }
}

#[test]
fn type_lists_contain_every_entry_of_their_type() {
    let b = built(&["--no-search"]);
    for folder in ["orte", "formate", "strategien"] {
        let expected: BTreeSet<String> = b
            .entries
            .iter()
            .filter(|e| e.folder == folder)
            .map(|e| e.id.clone())
            .collect();
        assert!(!expected.is_empty());
        assert_eq!(
            linked_entries(&b, &format!("{folder}/index.html")),
            expected,
            "{folder}/"
        );
    }
}

/// The links of the header that carry `aria-current`, as (href, value).
fn current_in_header(out: &Path, rel: &str) -> Vec<(String, String)> {
    let doc = page(out, rel);
    doc.select(&sel(".site-header a"))
        .filter_map(|a| {
            let current = a.value().attr("aria-current")?;
            Some((a.value().attr("href")?.to_string(), current.to_string()))
        })
        .collect()
}

#[test]
fn the_main_navigation_marks_the_current_page_and_its_section() {
    for (base_url, base) in [(None, "/"), (Some("https://example.org/sub/"), "/sub/")] {
        let mut args = vec!["--no-search"];
        args.extend(base_url.iter().flat_map(|u| ["--base-url", u]));
        let b = built(&args);
        let pair = |href: &str, v: &str| vec![(format!("{base}{href}"), v.to_string())];
        let entry = b.entries.iter().find(|e| e.folder == "orte").unwrap();
        let cases = [
            ("index.html".to_string(), pair("", "page")),
            ("orte/index.html".to_string(), pair("orte/", "page")),
            (entry_page(entry), pair("orte/", "true")),
            ("katalog/index.html".to_string(), pair("katalog/", "page")),
            ("codebuch/index.html".to_string(), pair("codebuch/", "page")),
            // Pages outside the navigation's sections mark nothing.
            ("themen/klima/index.html".to_string(), vec![]),
            ("ueber/index.html".to_string(), vec![]),
        ];
        for (rel, expected) in cases {
            assert_eq!(current_in_header(&b.out, &rel), expected, "{base}: {rel}");
        }
    }
}

#[test]
fn home_matrix_counts_match_the_fixture() {
    let b = built(&["--no-search"]);
    let vocab = common::read_vocabulary(&b.root, "handlungsfelder");
    let matrix = html::home_matrix(&b.out, "handlungsfelder");
    let plurals = [
        ("ort", "Orte"),
        ("format", "Formate"),
        ("strategie", "Strategien"),
    ];
    for (term, _) in &vocab {
        for (type_key, plural) in plurals {
            let expected = b
                .entries
                .iter()
                .filter(|e| e.type_key == type_key)
                .filter(|e| {
                    common::list_of(&e.fields, "handlungsfeld")
                        .iter()
                        .any(|t| common::with_ancestors(&vocab, t).contains(term))
                })
                .count();
            assert_eq!(
                matrix.get(&(term.clone(), plural.to_string())),
                Some(&expected),
                "matrix cell {term} × {plural} (whole matrix: {matrix:?})"
            );
        }
    }
}

#[test]
fn exports_exist_and_parse() {
    let b = built(&["--no-search"]);
    let ids: BTreeSet<String> = b.entries.iter().map(|e| e.id.clone()).collect();

    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(b.out.join("export/katalog.json")).expect("katalog.json"),
    )
    .expect("katalog.json parses");
    let exported: BTreeSet<String> = json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .map(|e| e["id"].as_str().expect("id").to_string())
        .collect();
    assert_eq!(exported, ids, "katalog.json entries");

    for folder in ["orte", "formate", "strategien"] {
        let bytes = std::fs::read(b.out.join(format!("export/{folder}.csv"))).expect("csv");
        assert!(
            bytes.starts_with(b"\xEF\xBB\xBF"),
            "{folder}.csv lacks the UTF-8 BOM"
        );
        let mut reader = csv::Reader::from_reader(&bytes[3..]);
        let headers = reader.headers().expect("csv header").clone();
        let id_col = headers.iter().position(|h| h == "id").expect("id column");
        let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.expect("csv row")).collect();
        let expected: BTreeSet<String> = b
            .entries
            .iter()
            .filter(|e| e.folder == folder)
            .map(|e| e.id.clone())
            .collect();
        assert_eq!(rows.len(), expected.len(), "{folder}.csv rows");
        let got: BTreeSet<String> = rows.iter().map(|r| r[id_col].to_string()).collect();
        assert_eq!(got, expected, "{folder}.csv ids");
    }

    let feeds: Vec<String> = common::snapshot(&b.out.join("feeds"))
        .into_keys()
        .filter(|k| k.ends_with(".xml"))
        .collect();
    assert!(feeds.contains(&"alle.xml".to_string()), "{feeds:?}");
    let mut problems = Vec::new();
    for f in &feeds {
        let text = std::fs::read_to_string(b.out.join("feeds").join(f)).expect("feed");
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("feeds/{f}: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "feed", "feeds/{f}");
        assert_eq!(root.tag_name().namespace(), Some(ATOM), "feeds/{f}");
        let self_url = format!("{BASE_URL}feeds/{f}");
        problems.extend(
            atom_problems(root, &self_url)
                .into_iter()
                .map(|p| format!("feeds/{f}: {p}")),
        );
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    let all = std::fs::read_to_string(b.out.join("feeds/alle.xml")).expect("alle.xml");
    let doc = roxmltree::Document::parse(&all).expect("alle.xml parses");
    let entries = doc
        .root_element()
        .children()
        .filter(|n| n.has_tag_name("entry"))
        .count();
    assert_eq!(entries, b.entries.len(), "entries in feeds/alle.xml");

    let sitemap = std::fs::read_to_string(b.out.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap parses");
    let locs: BTreeSet<String> = doc
        .descendants()
        .filter(|n| n.has_tag_name("loc"))
        .filter_map(|n| n.text().map(str::to_string))
        .collect();
    for e in &b.entries {
        let url = format!("{BASE_URL}{}/{}/", e.folder, e.slug);
        assert!(locs.contains(&url), "sitemap lacks {url}");
    }
}

/// A catalogue's `templates/feed.xml` replaces the theme's for every feed (with `site` and
/// Tera's filters at hand), and an error in it fails the build naming the template.
#[test]
fn a_catalogue_feed_template_replaces_the_themes() {
    let (tmp, root) = catalogue_copy("valid-small");
    let theme_feed = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/feed.xml"),
    )
    .expect("the theme's feed.xml");
    let custom = theme_feed.replacen(
        "<generator>casebook</generator>",
        "<subtitle>Eigene Vorlage: {{ feed.title }} &lt;{{ site.title | upper }}&gt;</subtitle>",
        1,
    );
    assert_ne!(
        custom, theme_feed,
        "the theme's feed.xml has no generator line"
    );
    std::fs::create_dir_all(root.join("templates")).expect("mkdir templates");
    std::fs::write(root.join("templates/feed.xml"), &custom).expect("write feed.xml");
    let out = tmp.join("site");
    build(&root, &out, &["--no-search"]).assert_exit(0);
    let feeds: Vec<String> = common::snapshot(&out.join("feeds"))
        .into_keys()
        .filter(|k| k.ends_with(".xml"))
        .collect();
    assert!(feeds.len() > 3, "{feeds:?}");
    for f in &feeds {
        let text = std::fs::read_to_string(out.join("feeds").join(f)).expect("feed");
        let doc = roxmltree::Document::parse(&text).unwrap_or_else(|e| panic!("feeds/{f}: {e}"));
        let feed = doc.root_element();
        let title = atom_children(feed, "title").next().and_then(|t| t.text());
        let subtitle = atom_children(feed, "subtitle")
            .next()
            .and_then(|t| t.text());
        assert_eq!(
            subtitle.map(str::to_string),
            title.map(|t| format!("Eigene Vorlage: {t} <KLEINER TESTKATALOG>")),
            "feeds/{f}"
        );
        assert_eq!(atom_children(feed, "generator").count(), 0, "feeds/{f}");
        let problems = atom_problems(feed, &format!("{BASE_URL}feeds/{f}"));
        assert!(problems.is_empty(), "feeds/{f}: {problems:?}");
    }

    std::fs::write(
        root.join("templates/feed.xml"),
        custom.replace("feed.title", "feed.titel"),
    )
    .expect("write feed.xml");
    let run = build(&root, &out, &["--no-search"]);
    assert!(!run.panicked(), "{}", run.output());
    assert_ne!(run.code, Some(0), "{}", run.output());
    assert!(run.stderr.contains("feed.xml"), "{}", run.output());
}

const ATOM: &str = "http://www.w3.org/2005/Atom";

/// The Atom elements named `name` directly inside `el`.
fn atom_children<'a, 'i>(
    el: roxmltree::Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = roxmltree::Node<'a, 'i>> + 'a {
    el.children()
        .filter(move |n| n.is_element() && n.tag_name().name() == name)
        .filter(|n| n.tag_name().namespace() == Some(ATOM))
}

/// Whether `s` is an RFC 3339 date-time (`2024-05-01T12:00:00Z`, optional fraction, `Z` or an
/// offset), as RFC 4287 requires of `updated`.
fn is_rfc3339(s: &str) -> bool {
    let b = s.as_bytes();
    let digits =
        |r: std::ops::Range<usize>| r.clone().all(|i| b.get(i).is_some_and(u8::is_ascii_digit));
    let at = |i: usize, c: u8| b.get(i) == Some(&c);
    if !(digits(0..4) && at(4, b'-') && digits(5..7) && at(7, b'-') && digits(8..10))
        || !(at(10, b'T') && digits(11..13) && at(13, b':') && digits(14..16) && at(16, b':'))
        || !digits(17..19)
    {
        return false;
    }
    let mut rest = &s[19..];
    if let Some(frac) = rest.strip_prefix('.') {
        let n = frac.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 {
            return false;
        }
        rest = &frac[n..];
    }
    let o = rest.as_bytes();
    rest == "Z"
        || (o.len() == 6
            && matches!(o[0], b'+' | b'-')
            && o[1..3].iter().all(u8::is_ascii_digit)
            && o[3] == b':'
            && o[4..6].iter().all(u8::is_ascii_digit))
}

/// What RFC 4287 requires and `feed` lacks: on the feed one `id`, `title` and `updated`, an
/// `author` (or one in every entry) and a `self` link to `self_url`; on every entry one `id`,
/// `title` and `updated`, a link and a summary. Ids are absolute IRIs, dates RFC 3339.
fn atom_problems(feed: roxmltree::Node, self_url: &str) -> Vec<String> {
    let mut problems = Vec::new();
    let mut one = |el: roxmltree::Node, what: &str, name: &str| -> Option<String> {
        let found: Vec<_> = atom_children(el, name).collect();
        match found.as_slice() {
            [n] => Some(n.text().unwrap_or("").to_string()),
            _ => {
                problems.push(format!("{what}: {} <{name}> instead of one", found.len()));
                None
            }
        }
    };
    let mut checks = Vec::new();
    for (what, el) in std::iter::once(("feed".to_string(), feed)).chain(
        atom_children(feed, "entry")
            .enumerate()
            .map(|(i, e)| (format!("entry {i}"), e)),
    ) {
        let id = one(el, &what, "id");
        let title = one(el, &what, "title");
        let updated = one(el, &what, "updated");
        checks.push((what, el, id, title, updated));
    }
    let entries = checks.len() - 1;
    for (what, el, id, title, updated) in checks {
        if let Some(id) = id {
            if !(id.starts_with("https://") || id.starts_with("http://") || id.starts_with("tag:"))
            {
                problems.push(format!("{what}: id `{id}` is not an absolute IRI"));
            }
        }
        if title.is_some_and(|t| t.trim().is_empty()) {
            problems.push(format!("{what}: empty title"));
        }
        if let Some(u) = updated {
            if !is_rfc3339(&u) {
                problems.push(format!("{what}: updated `{u}` is not RFC 3339"));
            }
        }
        let links: Vec<_> = atom_children(el, "link").collect();
        if links
            .iter()
            .any(|l| l.attribute("href").is_none_or(str::is_empty))
        {
            problems.push(format!("{what}: a link without href"));
        }
        if what == "feed" {
            let self_links: Vec<&str> = links
                .iter()
                .filter(|l| l.attribute("rel") == Some("self"))
                .filter_map(|l| l.attribute("href"))
                .collect();
            if self_links != [self_url] {
                problems.push(format!(
                    "feed: self links {self_links:?}, expected [{self_url}]"
                ));
            }
        } else {
            if links.is_empty() {
                problems.push(format!("{what}: no link"));
            }
            if atom_children(el, "summary").count() != 1 {
                problems.push(format!("{what}: no summary"));
            }
        }
    }
    let named = |el: roxmltree::Node| {
        atom_children(el, "author").any(|a| {
            atom_children(a, "name").any(|n| n.text().is_some_and(|t| !t.trim().is_empty()))
        })
    };
    if !named(feed) && atom_children(feed, "entry").any(|e| !named(e)) {
        problems.push(format!(
            "no author with a name on the feed, nor on each of its {entries} entries"
        ));
    }
    problems
}

#[test]
fn atom_check_finds_what_rfc_4287_requires() {
    let ok = format!(
        "<feed xmlns=\"{ATOM}\"><id>https://x/</id><title>T</title><updated>2024-05-01T00:00:00Z</updated>\
         <author><name>A</name></author><link rel=\"self\" href=\"https://x/f.xml\"/>\
         <entry><id>https://x/e/</id><title>E</title><updated>2024-05-01T12:30:00.5+02:00</updated>\
         <link href=\"https://x/e/\"/><summary>S</summary></entry></feed>"
    );
    let problems = |xml: &str| {
        let doc = roxmltree::Document::parse(xml).expect("test feed parses");
        atom_problems(doc.root_element(), "https://x/f.xml")
    };
    assert_eq!(problems(&ok), Vec::<String>::new());
    for (broken, expected) in [
        (
            ok.replace("<author><name>A</name></author>", ""),
            "no author",
        ),
        (ok.replace("<id>https://x/</id>", ""), "feed: 0 <id>"),
        (
            ok.replace("2024-05-01T00:00:00Z", "2024-05-01"),
            "not RFC 3339",
        ),
        (ok.replace(" rel=\"self\"", ""), "self links []"),
        (
            ok.replace("<summary>S</summary>", ""),
            "entry 0: no summary",
        ),
        (
            ok.replace("<id>https://x/e/</id>", "<id>/e/</id>"),
            "not an absolute IRI",
        ),
    ] {
        let found = problems(&broken);
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "expected `{expected}` in {found:?}"
        );
    }
}

#[test]
fn base_url_with_a_sub_path_prefixes_every_link() {
    let b = built(&["--no-search", "--base-url", "https://example.org/sub/"]);
    let base_url = "https://example.org/sub/";
    let mut problems = Vec::new();
    for rel in html::html_files(&b.out) {
        let doc = page(&b.out, &rel);
        for href in html::references(&doc) {
            if href.starts_with('/') && !href.starts_with("/sub/") && !href.starts_with("//") {
                problems.push(format!("{rel}: `{href}` does not start with /sub/"));
            }
        }
        let canonical: Vec<String> = doc
            .select(&sel("link[rel=canonical]"))
            .filter_map(|l| l.value().attr("href").map(str::to_string))
            .collect();
        if canonical.len() != 1 || !canonical[0].starts_with(base_url) {
            problems.push(format!(
                "{rel}: canonical {canonical:?} is not one absolute URL below {base_url}"
            ));
        }
    }
    problems.extend(html::broken_internal_links(&b.out, "/sub/", base_url));
    let sitemap = std::fs::read_to_string(b.out.join("sitemap.xml")).expect("sitemap");
    let doc = roxmltree::Document::parse(&sitemap).expect("sitemap parses");
    for loc in doc.descendants().filter(|n| n.has_tag_name("loc")) {
        let url = loc.text().unwrap_or("");
        if !url.starts_with(base_url) {
            problems.push(format!("sitemap: {url}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // The entry pages link each other under /sub/ too.
    let doc = page(&b.out, "strategien/quartiersstrategie-2030/index.html");
    assert!(
        anchors(&doc, "main")
            .iter()
            .any(|(h, _)| h == "/sub/formate/reallabor-marktplatz/"),
        "no /sub/ link to a used format"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_output_byte_identical() {
    let b = built(&["--no-search"]);
    let before = common::snapshot(&b.out);
    std::fs::write(
        b.root.join("content/orte/kaputt.md"),
        "---\ntitel: Kaputt\nkurzbeschreibung: Ein Fehler.\nhandlungsfeld: [zentrn]\n---\n",
    )
    .expect("write bad entry");
    let run = build(&b.root, &b.out, &["--no-search"]);
    run.assert_exit(1);
    assert!(run.stderr.contains("unknown-term"), "{}", run.output());
    assert!(
        run.stderr.contains("content/orte/kaputt.md"),
        "{}",
        run.output()
    );
    common::assert_same_tree(&before, &common::snapshot(&b.out), "the previous output");
    assert!(
        common::leftover_staging(&b.out).is_empty(),
        "staging folder left behind"
    );
}

/// Rebuilds write into the previous output kept beside the current one (the spare): files
/// whose bytes did not change stay untouched (same modification time), files no longer
/// produced disappear, and a symbolic link planted in the spare is removed, never written
/// through.
#[test]
fn rebuilds_reuse_the_spare_rewriting_only_what_changed() {
    use std::path::Path;
    let b = built(&["--no-search"]);
    let name = b.out.file_name().unwrap().to_string_lossy().into_owned();
    let spare = b.out.with_file_name(format!(".{name}.casebook-spare"));
    let modified = |p: &Path| std::fs::metadata(p).and_then(|m| m.modified()).unwrap();
    // The public build's stylesheet carries a hash of its content (`site.3f9a1c0b2d.css`).
    let css = std::fs::read_dir(b.out.join("assets"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .find(|n| n.starts_with("site.") && n.ends_with(".css"))
        .map(|n| format!("assets/{n}"))
        .expect("the site's stylesheet");
    let css = css.as_str();
    let first_css = modified(&b.out.join(css));
    let first_home = modified(&b.out.join("index.html"));
    // A file casebook does not produce, in the first output.
    std::fs::write(b.out.join("orte/alter-stand.txt"), "stray").expect("write stray file");
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Second build: a fresh folder; the first output becomes the spare.
    build(&b.root, &b.out, &["--no-search"]).assert_exit(0);
    assert!(
        spare.join("orte/alter-stand.txt").is_file(),
        "no spare kept"
    );
    assert!(!b.out.join("orte/alter-stand.txt").exists());
    assert_ne!(
        modified(&b.out.join(css)),
        first_css,
        "second build reused files"
    );

    // Plant a link to a file outside in place of an entry page of the spare.
    let outside = b.root.join("aussen.txt");
    std::fs::write(&outside, "unberührt").expect("write outside file");
    let rel_page = std::fs::read_dir(spare.join("orte"))
        .unwrap()
        .flatten()
        .map(|e| e.path().join("index.html"))
        .find(|p| p.is_file())
        .expect("an entry page")
        .strip_prefix(&spare)
        .unwrap()
        .to_path_buf();
    std::fs::remove_file(spare.join(&rel_page)).unwrap();
    std::os::unix::fs::symlink(&outside, spare.join(&rel_page)).expect("plant symlink");
    // A new entry changes the home page but not the stylesheet.
    std::fs::write(
        b.root.join("content/orte/neuer-ort.md"),
        "---\ntitel: Neuer Ort\nkurzbeschreibung: Ein Ort für den Test.\nhandlungsfeld: [leerstand]\n---\nText.\n",
    )
    .expect("write new entry");
    std::thread::sleep(std::time::Duration::from_millis(20));

    // Third build writes into the first output.
    build(&b.root, &b.out, &["--no-search"]).assert_exit(0);
    assert_eq!(
        modified(&b.out.join(css)),
        first_css,
        "unchanged file rewritten"
    );
    assert_ne!(
        modified(&b.out.join("index.html")),
        first_home,
        "changed page not rewritten"
    );
    assert!(b.out.join("orte/neuer-ort/index.html").is_file());
    assert!(
        !b.out.join("orte/alter-stand.txt").exists(),
        "stray file kept"
    );
    let page = std::fs::symlink_metadata(b.out.join(&rel_page)).unwrap();
    assert!(page.file_type().is_file(), "the planted link survived");
    assert_eq!(std::fs::read_to_string(&outside).unwrap(), "unberührt");
    assert!(b.out.join(".casebook-output").is_file(), "marker missing");
    assert!(common::leftover_staging(&b.out).is_empty());
}

/// A rebuild reuses the pages whose inputs did not change (from the spare or the current
/// output) and renders the rest; after edits to an entry, a vocabulary label, a free page and a
/// template override, the output equals a fresh build file for file.
#[test]
fn rebuilds_after_edits_equal_a_fresh_build() {
    let b = built(&["--no-search"]);
    build(&b.root, &b.out, &["--no-search"]).assert_exit(0);
    let edit = |rel: &str, from: &str, to: &str| {
        let path = b.root.join(rel);
        let text = std::fs::read_to_string(&path).expect("read source");
        assert!(text.contains(from), "{rel} lacks {from:?}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("write source");
    };
    let fresh = |name: &str| {
        let out = b.out.with_file_name(name);
        build(&b.root, &out, &["--no-search"]).assert_exit(0);
        common::snapshot(&out)
    };
    let steps: [(&str, &str, &str); 3] = [
        (
            "content/orte/stadtteilbuero-nord.md",
            "titel: Stadtteilbüro Nord",
            "titel: Stadtteilbüro im Norden",
        ),
        (
            "content/vocabularies/themen.yaml",
            "label: Klima und Umwelt",
            "label: Klima und Stadtgrün",
        ),
        (
            "content/pages/ueber.md",
            "Dieser Katalog zeigt",
            "Ein neuer Absatz.\n\nDieser Katalog zeigt",
        ),
    ];
    for (n, (rel, from, to)) in steps.iter().enumerate() {
        edit(rel, from, to);
        build(&b.root, &b.out, &["--no-search"]).assert_exit(0);
        let expected = fresh(&format!("fresh-{n}"));
        common::assert_same_tree(
            &expected,
            &common::snapshot(&b.out),
            &format!("after editing {rel}"),
        );
    }
    // A catalogue's own template overrides the theme's.
    std::fs::create_dir_all(b.root.join("templates")).unwrap();
    let theme_page = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates/page.html"),
    )
    .unwrap();
    std::fs::write(
        b.root.join("templates/page.html"),
        theme_page.replacen(
            "{% block content %}",
            "{% block content %}<p>Eigene Vorlage</p>",
            1,
        ),
    )
    .unwrap();
    build(&b.root, &b.out, &["--no-search"]).assert_exit(0);
    let page = std::fs::read_to_string(b.out.join("ueber/index.html")).unwrap();
    assert!(
        page.contains("Eigene Vorlage"),
        "the override was not applied"
    );
    common::assert_same_tree(
        &fresh("fresh-template"),
        &common::snapshot(&b.out),
        "after a template override",
    );
}

/// `--output` pointing somewhere dangerous is refused, exit 1, and the folder stays as it was.
#[test]
fn dangerous_output_folders_are_refused_and_left_untouched() {
    let (tmp, root) = catalogue_copy("valid-small");
    let foreign = tmp.join("fremd");
    std::fs::create_dir_all(&foreign).expect("mkdir");
    std::fs::write(foreign.join("wichtig.txt"), "nicht löschen").expect("write");
    let a_file = tmp.join("datei.txt");
    std::fs::write(&a_file, "eine Datei").expect("write");
    let link_to_root = tmp.join("link-zum-katalog");
    std::os::unix::fs::symlink(&root, &link_to_root).expect("symlink");

    let cases: Vec<(&str, PathBuf, PathBuf)> = vec![
        ("the catalogue root", root.clone(), root.clone()),
        ("content/", root.join("content"), root.clone()),
        (
            "a folder inside content/",
            root.join("content/orte"),
            root.clone(),
        ),
        (
            "an ancestor of the catalogue",
            tmp.path().to_path_buf(),
            tmp.path().to_path_buf(),
        ),
        (
            "a non-empty folder without the marker",
            foreign.clone(),
            foreign.clone(),
        ),
        ("a file", a_file.clone(), tmp.path().to_path_buf()),
        (
            "a symlink to the catalogue root",
            link_to_root.clone(),
            root.clone(),
        ),
    ];
    for (what, output, watched) in cases {
        let before = common::snapshot(&watched);
        let run = build(&root, &output, &["--no-search"]);
        run.assert_exit(1);
        assert!(
            run.stderr.contains("refusing to write"),
            "{what}: no clear refusal\n{}",
            run.output()
        );
        common::assert_same_tree(&before, &common::snapshot(&watched), what);
    }

    let listing = || -> BTreeSet<String> {
        std::fs::read_dir("/")
            .map(|d| {
                d.flatten()
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .collect()
            })
            .unwrap_or_default()
    };
    let before = listing();
    let run = build(&root, Path::new("/"), &["--no-search"]);
    run.assert_exit(1);
    assert!(run.stderr.contains("refusing to write"), "{}", run.output());
    assert_eq!(before, listing(), "`/` changed");
}

/// A catalogue big enough that a build takes a while, so concurrent builds overlap.
fn big_catalogue(tmp: &TempDir, n: usize) -> PathBuf {
    let root = tmp.join("gross");
    common::copy_dir(&fixture("valid-small"), &root);
    for i in 0..n {
        std::fs::write(
            root.join(format!("content/formate/format-nummer-{i:04}.md")),
            format!(
                "---\ntitel: Format Nummer {i}\nkurzbeschreibung: Ein erzeugtes Format für den Test paralleler Builds.\nhandlungsfeld: [{}]\nthema: [beteiligung]\neingesetzt_an: [ort/stadtteilbuero-nord]\n---\nText des Formats {i}. Siehe [Markthalle](@/orte/markthalle-sued.yaml).\n",
                if i % 2 == 0 { "leerstand" } else { "nachbarschaft" }
            ),
        )
        .expect("write generated entry");
    }
    root
}

#[test]
fn concurrent_builds_wait_or_refuse_and_leave_a_complete_site() {
    let tmp = TempDir::new("concurrent");
    let n = 200;
    let root = big_catalogue(&tmp, n);
    let out = tmp.join("site");
    let runs: Vec<common::Run> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3)
            .map(|_| {
                let (root, out) = (root.clone(), out.clone());
                s.spawn(move || {
                    common::run_with_deadline(
                        &[
                            "--root".as_ref(),
                            root.as_os_str(),
                            "build".as_ref(),
                            "--output".as_ref(),
                            out.as_os_str(),
                            "--no-search".as_ref(),
                        ],
                        std::time::Duration::from_secs(30),
                    )
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("thread"))
            .collect()
    });
    let mut succeeded = 0;
    for run in &runs {
        assert!(!run.timed_out && !run.panicked(), "{}", run.output());
        match run.code {
            Some(0) => succeeded += 1,
            Some(1) => assert!(
                run.stderr.contains("another casebook build is writing"),
                "a refused build must say why\n{}",
                run.output()
            ),
            _ => panic!("unexpected exit\n{}", run.output()),
        }
    }
    assert!(succeeded >= 1, "no build succeeded");
    eprintln!(
        "concurrent builds: {succeeded} of {} succeeded, the rest were refused",
        runs.len()
    );

    // The output is one complete site: every entry has its page, the export has them all.
    let json: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("export/katalog.json")).expect("katalog.json"),
    )
    .expect("katalog.json parses");
    assert_eq!(json["entries"].as_array().map(Vec::len), Some(n + 6));
    for i in 0..n {
        let p = out.join(format!("formate/format-nummer-{i:04}/index.html"));
        assert!(p.is_file(), "missing {}", p.display());
    }
    assert!(out.join(".casebook-output").is_file(), "marker missing");
    assert!(
        common::leftover_staging(&out).is_empty(),
        "staging folder left behind"
    );
    let broken = html::broken_internal_links(&out, "/", BASE_URL);
    assert!(
        broken.is_empty(),
        "{}",
        broken[..broken.len().min(10)].join("\n")
    );
}

/// While another build holds the output folder's lock, a build is refused at once with a clear
/// message and does not touch the output. The lock is found as the `*.casebook-lock` file a
/// build leaves next to its output, and held here the way a running build holds it.
#[test]
fn a_build_is_refused_while_another_holds_the_output() {
    let (tmp, root) = catalogue_copy("valid-small");
    let out = tmp.join("site");
    build(&root, &out, &["--no-search"]).assert_exit(0);
    let before = common::snapshot(&out);
    let lock_path = std::fs::read_dir(tmp.path())
        .expect("list temp dir")
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with(".casebook-lock"))
        .expect("a build leaves its lock file next to the output");
    let lock = std::fs::File::options()
        .write(true)
        .open(&lock_path)
        .expect("open lock file");
    lock.try_lock().expect("nobody else holds the lock");
    let run = build(&root, &out, &["--no-search"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("another casebook build is writing"),
        "{}",
        run.output()
    );
    common::assert_same_tree(&before, &common::snapshot(&out), "the output");
    drop(lock);
    build(&root, &out, &["--no-search"]).assert_exit(0);
}

#[test]
fn an_unchanged_search_index_is_taken_over_and_an_edit_indexes_again() {
    let b = built(&[]);
    let list = |out: &Path| std::fs::read_to_string(out.join(".casebook-search")).unwrap();
    // Rebuilds with `-v`; whether the search bundle was taken over.
    let rebuild_reused = || {
        let run = build(&b.root, &b.out, &["-v"]);
        run.assert_exit(0);
        assert!(run.stderr.contains("search "), "{}", run.stderr);
        run.stderr.contains("search reused")
    };
    let first = common::snapshot(&b.out.join("search"));
    let first_list = list(&b.out);
    // The list names every file of the bundle, after the hash of the records.
    let files = first.keys().filter(|k| !k.ends_with('/')).count();
    assert_eq!(first_list.lines().count(), files + 1, "{first_list}");

    assert!(rebuild_reused());
    common::assert_same_tree(
        &first,
        &common::snapshot(&b.out.join("search")),
        "a taken-over search bundle",
    );
    assert_eq!(list(&b.out), first_list);

    // A word added to one entry's text changes its record: the bundle is made again.
    let file = b.root.join("content/formate/quartiersspaziergang.md");
    let text = std::fs::read_to_string(&file).unwrap();
    std::fs::write(&file, format!("{text}\nZauberwortquux.\n")).unwrap();
    assert!(!rebuild_reused());
    assert_ne!(list(&b.out).lines().next(), first_list.lines().next());
    assert_ne!(common::snapshot(&b.out.join("search")), first);

    // A bundle file gone from the output: indexed again, not taken over incomplete.
    let missing = list(&b.out).lines().nth(1).unwrap().to_string();
    std::fs::remove_file(b.out.join(&missing)).unwrap();
    assert!(!rebuild_reused());
    assert!(
        b.out.join(&missing).is_file(),
        "{missing} not written again"
    );
}

/// On the bundled catalogue (which, unlike the fixture, has Markdown fields and lists of
/// links): each field of an entry is shown in the place its kind belongs to. Short values are
/// facts (`dl.facts`, after the type); Markdown fields with text are sections of their own;
/// lists of links with items are numbered sources with one item per link (the transfer role's
/// field stands after the lead instead); coordinates, references, title and summary are no facts.
#[test]
fn entry_pages_place_each_field_by_its_kind() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let tmp = TempDir::new("fields-by-kind");
    let out = tmp.join("site");
    common::build_bundled(&out, &["--no-search"]).assert_exit(0);
    let site = common::read_yaml(&root.join("content/site.yaml"));
    let defs = site["fields"].as_mapping().expect("fields");
    let transfer = site["roles"]["transfer"].as_str();
    // The roles that steer the build (draft, earlier addresses, date) are not shown.
    let steering: Vec<&str> = ["draft", "aliases", "updated"]
        .iter()
        .filter_map(|r| site["roles"][*r].as_str())
        .collect();
    let kind = |key: &str| -> (String, String, String) {
        let def = &defs[key];
        let s = |k: &str| def[k].as_str().unwrap_or("").to_string();
        // A label per language (`{ de: …, en: … }`) shows its default language's words here.
        let label = def["label"]["de"]
            .as_str()
            .map_or_else(|| s("label"), str::to_string);
        (s("kind"), s("item"), label)
    };
    let entries = read_entries(root);
    assert!(entries.len() > 50, "the bundled catalogue has its entries");
    let (mut sections_seen, mut sources_seen) = (0, 0);
    for e in &entries {
        let doc = page(&out, &entry_page(e));
        let facts: Vec<String> = doc
            .select(&sel("dl.facts > div > dt"))
            .map(text_of)
            .skip(1)
            .collect();
        let mut expected_facts = Vec::new();
        for (key, value) in &e.fields {
            let key = key.as_str().expect("field name");
            let (kind, item, label) = kind(key);
            let id = format!("#field-{key}");
            match (kind.as_str(), item.as_str()) {
                _ if key == "titel" || key == "kurzbeschreibung" => {}
                _ if steering.contains(&key) => {}
                ("geo" | "reference", _) => {}
                ("markdown", _) => {
                    let has_text = value.as_str().is_some_and(|t| !t.trim().is_empty());
                    // What transfers (the transfer role) stands in the head, after the lead.
                    let place = if Some(key) == transfer {
                        ".entry-head > section.entry-transfer"
                    } else {
                        "section.entry-highlight"
                    };
                    let section = doc.select(&sel(&format!("{place} > h2{id}"))).next();
                    assert_eq!(section.is_some(), has_text, "{}: {key}", e.id);
                    sections_seen += usize::from(has_text);
                }
                ("list", "link") => {
                    let links = value.as_sequence().map_or(0, Vec::len);
                    let items = doc
                        .select(&sel(&format!("section.sources:has(> h2{id}) > ol > li")))
                        .count();
                    assert_eq!(items, links, "{}: {key}", e.id);
                    sources_seen += usize::from(links > 0);
                }
                _ => expected_facts.push(label),
            }
        }
        expected_facts.sort();
        let mut shown = facts.clone();
        shown.sort();
        assert_eq!(shown, expected_facts, "{}: facts {facts:?}", e.id);
    }
    assert!(sections_seen > 0 && sources_seen > 0, "both kinds occur");
}

/// The edit link's `{path}` is percent-encoded: a `?`, `#`, `%`, space or umlaut in a file
/// name stays part of the path instead of starting a query or fragment.
#[test]
fn edit_links_percent_encode_the_file_path() {
    let (tmp, root) = catalogue_copy("valid-small");
    let site = root.join("content/site.yaml");
    let yaml = std::fs::read_to_string(&site).expect("read site.yaml");
    std::fs::write(
        &site,
        format!("{yaml}\nedit_url: https://git.example/edit/main/content/{{path}}\n"),
    )
    .expect("write site.yaml");
    let entry = "---\ntitel: A\nkurzbeschreibung: B\nhandlungsfeld: [zentren]\n---\n";
    let names = [
        ("que?ry.md", "que%3Fry.md"),
        ("hash#tag.md", "hash%23tag.md"),
        ("100% grün.md", "100%25%20gr%C3%BCn.md"),
    ];
    for (name, _) in names {
        std::fs::write(root.join("content/orte").join(name), entry).expect("write entry");
    }
    std::fs::write(
        root.join("content/pages/frag?mal.md"),
        "---\ntitel: Frag mal\n---\nText.\n",
    )
    .expect("write page");
    let out = tmp.join("site");
    build(&root, &out, &["--no-search"]).assert_exit(0);
    let mut links = BTreeSet::new();
    for rel in html::html_files(&out) {
        for (href, _) in anchors(&page(&out, &rel), ".edit-link") {
            links.insert(href);
        }
    }
    let base = "https://git.example/edit/main/content/";
    for (_, encoded) in names {
        let want = format!("{base}orte/{encoded}");
        assert!(links.contains(&want), "{want} missing from {links:#?}");
    }
    let want = format!("{base}pages/frag%3Fmal.md");
    assert!(links.contains(&want), "{want} missing from {links:#?}");
    assert!(
        links.contains(&format!("{base}orte/stadtteilbuero-nord.md")),
        "{links:#?}"
    );
}

/// A build for an address nobody else can reach, or an example domain, warns (the canonical
/// links, sitemap and feeds would point there) and still succeeds; a public address does not.
#[test]
fn builds_for_a_loopback_or_example_address_warn() {
    let (tmp, root) = catalogue_copy("valid-small");
    let out = tmp.join("site");
    let code = "warning[placeholder-base-url]";
    // valid-small's own base_url is https://example.org/: the warning points at its line.
    let run = build(&root, &out, &["--no-search"]);
    run.assert_exit(0);
    assert!(run.stderr.contains(code), "{}", run.output());
    assert!(
        run.stderr.contains("--> content/site.yaml:5:11"),
        "{}",
        run.output()
    );
    let mut problems = Vec::new();
    for (url, warns) in [
        ("http://127.0.0.1:1111/", true),
        ("http://127.8.9.10/", true),
        ("http://localhost:8080/sub/", true),
        ("http://LOCALHOST./", true),
        ("http://[::1]:1111/", true),
        ("http://0.0.0.0/", true),
        ("https://katalog.example.com/", true),
        ("https://quartier.test/", true),
        ("https://example.org.de/", false),
        ("https://werkzeugkasten-quartier.de/katalog/", false),
        ("http://192.168.1.10/", false),
    ] {
        let run = build(&root, &out, &["--no-search", "--base-url", url]);
        let warned = run.stderr.contains(code) && run.stderr.contains("--> --base-url");
        if run.code != Some(0) || warned != warns {
            problems.push(format!("{url}: expected warning {warns}\n{}", run.output()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}

/// Content HTML cannot take the theme's ids or lay a styled overlay over the page: every id in
/// an entry's or page's text starts with `text-` (headings, footnotes, raw HTML), no element
/// there keeps a style but a table cell's alignment, and each of the theme's ids stays unique
/// on the page.
#[test]
fn content_ids_and_styles_stay_out_of_the_theme() {
    let (tmp, root) = catalogue_copy("valid-small");
    let planted = "\n## Main\n\n## Facts Heading\n\nSiehe[^map-app] und [oben](#main).\n\n\
                   [^map-app]: Fußnote\n\n\
                   <div id=\"map-app\" style=\"position:fixed;inset:0;z-index:99\">Gefälscht</div>\n\n\
                   <table><tr><td id=\"catalogue\" style=\"position:fixed\">x</td></tr></table>\n";
    for rel in [
        "content/formate/reallabor-marktplatz.md",
        "content/orte/stadtteilbuero-nord.md",
        "content/pages/ueber.md",
    ] {
        let path = root.join(rel);
        let text = std::fs::read_to_string(&path).expect("read");
        std::fs::write(&path, format!("{text}{planted}")).expect("write");
    }
    let out = tmp.join("site");
    build(&root, &out, &["--no-search"]).assert_exit(0);
    for rel in [
        "formate/reallabor-marktplatz/index.html",
        "orte/stadtteilbuero-nord/index.html",
        "ueber/index.html",
    ] {
        let doc = page(&out, rel);
        let prose: Vec<ElementRef> = doc.select(&sel(".prose")).collect();
        assert!(!prose.is_empty(), "{rel} has no .prose");
        let in_prose: Vec<ElementRef> = prose
            .iter()
            .flat_map(|p| p.select(&sel("*")).collect::<Vec<_>>())
            .collect();
        let ids: Vec<&str> = in_prose
            .iter()
            .filter_map(|e| e.value().attr("id"))
            .collect();
        for want in [
            "text-main",
            "text-facts-heading",
            "text-map-app",
            "text-catalogue",
        ] {
            assert!(ids.contains(&want), "{rel}: no id {want} in {ids:?}");
        }
        assert!(
            ids.iter().all(|id| id.starts_with("text-")),
            "{rel}: {ids:?}"
        );
        // Markdown tables' cell alignment is the one style the text keeps.
        let styles: Vec<&str> = in_prose
            .iter()
            .filter_map(|e| e.value().attr("style"))
            .filter(|st| {
                st.split(';')
                    .any(|d| !d.trim().is_empty() && !d.trim().starts_with("text-align"))
            })
            .collect();
        assert!(styles.is_empty(), "{rel}: styles in the text: {styles:?}");
        let mut theme_ids: BTreeMap<String, usize> = BTreeMap::new();
        for el in doc.select(&sel("[id]")) {
            let id = el.value().attr("id").unwrap_or_default();
            if !id.starts_with("text-") {
                *theme_ids.entry(id.to_string()).or_default() += 1;
            }
        }
        let twice: Vec<_> = theme_ids.iter().filter(|(_, n)| **n > 1).collect();
        assert!(twice.is_empty(), "{rel}: ids used twice: {twice:?}");
        assert!(theme_ids.contains_key("main"), "{rel}: {theme_ids:?}");
        let links = anchors(&doc, ".prose");
        assert!(
            links.iter().any(|(href, _)| href == "#text-main"),
            "{rel}: {links:?}"
        );
    }
}
