//! The published site of the bundled catalogue (#23): what a case teaches comes first, editor
//! details stay in the preview, similar entries never repeat the relations, the structured data
//! parses and has what schema.org requires, descriptions are short and unique, the sitemap
//! leaves out what must not be indexed, and no feed is dated 1970. Run:
//! `cargo test --test site_public`.

mod common;

use common::html::{page, sel, text_of};
use common::{build, TempDir};
use scraper::Html;
use serde_json::Value as Json;
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const BASE: &str = "https://example.org/kat/";

/// The bundled catalogue built once as published and once as `--preview`; each step below is
/// one behaviour of the issue.
#[test]
fn the_published_site() {
    let tmp = TempDir::new("site-public");
    let public = tmp.join("public");
    let preview = tmp.join("preview");
    common::build_bundled(&public, &["--base-url", BASE]).assert_exit(0);
    common::build_bundled(&preview, &["--base-url", BASE, "--no-search", "--preview"])
        .assert_exit(0);
    what_transfers_comes_right_after_the_lead_and_on_cards(&public);
    the_search_index_reads_the_transfer_role(&public);
    editor_details_only_in_the_preview(&public, &preview);
    similar_entries_never_repeat_the_relations(&public);
    the_home_heading_says_what_the_site_is_for(&public);
    structured_data_parses_and_has_the_required_properties(&public);
    descriptions_are_short_and_unique(&public);
    the_sitemap_lists_what_may_be_indexed_with_dates(&public);
    no_feed_is_dated_1970(&public);
    the_footer_links_the_privacy_page_and_a_real_favicon(&public);
}

fn entry_pages(out: &Path) -> Vec<String> {
    common::html::html_files(out)
        .into_iter()
        .filter(|f| {
            ["orte/", "formate/", "strategien/"]
                .iter()
                .any(|t| f.starts_with(t) && f.matches('/').count() == 2 && !f.contains("/seite/"))
        })
        // An entry's earlier address (an entry that moved to another type) is a redirect.
        .filter(|f| {
            let text = std::fs::read_to_string(out.join(f)).unwrap_or_default();
            !text.contains("http-equiv=\"refresh\"")
        })
        .collect()
}

const TREUENBRIETZEN: &str = "orte/modellkommune-treuenbrietzen-transformbar/index.html";

fn what_transfers_comes_right_after_the_lead_and_on_cards(public: &Path) {
    let doc = page(public, TREUENBRIETZEN);
    let head = doc.select(&sel(".entry-head")).next().expect("entry head");
    let transfer = head
        .select(&sel(".entry-transfer"))
        .next()
        .expect("the transfer section sits in the entry's head");
    assert!(text_of(transfer).contains("lehrreiches Beispiel"));
    let order: Vec<String> = head
        .children()
        .filter_map(scraper::ElementRef::wrap)
        .map(|e| {
            e.value()
                .attr("class")
                .unwrap_or(e.value().name())
                .to_string()
        })
        .collect();
    let lead = order.iter().position(|c| c == "lead").expect("lead");
    assert_eq!(
        order.get(lead + 1).map(String::as_str),
        Some("entry-transfer")
    );
    // Not a second time further down.
    assert_eq!(doc.select(&sel("#field-uebertragbarkeit")).count(), 1);

    // Cards carry a short form: the first sentence, at most 160 characters and an ellipsis.
    let list = page(public, "orte/index.html");
    let teasers: Vec<String> = list.select(&sel(".card-transfer")).map(text_of).collect();
    assert!(
        teasers.len() >= 20,
        "{} cards with a transfer teaser",
        teasers.len()
    );
    for t in &teasers {
        let text = t.trim_start_matches("Übertragbarkeit:").trim();
        assert!(text.chars().count() <= 160, "teaser too long: {text}");
        assert!(!text.is_empty());
    }
}

fn the_search_index_reads_the_transfer_role(public: &Path) {
    let mut text = String::new();
    for entry in std::fs::read_dir(public.join("search/text")).expect("search/text") {
        text.push_str(&std::fs::read_to_string(entry.expect("entry").path()).expect("chunk"));
    }
    // "lehrreiches" occurs only in Treuenbrietzen's Übertragbarkeit.
    assert!(
        text.contains("lehrreiches"),
        "a word only in Übertragbarkeit is not indexed"
    );
}

fn editor_details_only_in_the_preview(public: &Path, preview: &Path) {
    let rel = TREUENBRIETZEN;
    let public_page = std::fs::read_to_string(public.join(rel)).expect("public page");
    let preview_page = std::fs::read_to_string(preview.join(rel)).expect("preview page");
    for editor in [
        "Quelldatei",
        "<code>content/orte/",
        "Vollständigkeit der Angaben",
        "Diesen Eintrag bearbeiten",
    ] {
        assert!(
            !public_page.contains(editor),
            "the published page shows `{editor}`"
        );
        assert!(
            preview_page.contains(editor),
            "the preview lacks `{editor}`"
        );
    }
    assert!(public_page.contains("Fehler melden / Eintrag vorschlagen"));
}

fn similar_entries_never_repeat_the_relations(public: &Path) {
    let mut pages_with_similar = 0;
    for rel in entry_pages(public) {
        let doc = page(public, &rel);
        let links = |scope: &str| -> BTreeSet<String> {
            doc.select(&sel(&format!("{scope} .card-title a")))
                .filter_map(|a| a.value().attr("href").map(str::to_string))
                .collect()
        };
        let related = links(".relations");
        let similar = links(".similar");
        pages_with_similar += usize::from(!similar.is_empty());
        let both: Vec<_> = related.intersection(&similar).collect();
        assert!(both.is_empty(), "{rel}: similar repeats relations {both:?}");
    }
    assert!(
        pages_with_similar > 100,
        "only {pages_with_similar} pages list similar entries"
    );
}

fn the_home_heading_says_what_the_site_is_for(public: &Path) {
    let doc = page(public, "index.html");
    let h1 = text_of(doc.select(&sel("h1")).next().expect("h1"));
    let site_title = text_of(doc.select(&sel(".site-title")).next().expect("site title"));
    assert_ne!(h1, site_title);
    assert!(h1.contains("Praxis"), "{h1}");
}

/// Every JSON-LD block of a page, parsed.
fn json_ld(doc: &Html) -> Vec<Json> {
    doc.select(&sel(r#"script[type="application/ld+json"]"#))
        .map(|s| {
            let text: String = s.text().collect();
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("JSON-LD does not parse: {e}"))
        })
        .collect()
}

fn graph_of(doc: &Html, kind: &str) -> Vec<Json> {
    json_ld(doc)
        .iter()
        .flat_map(|d| {
            assert_eq!(d["@context"], "https://schema.org");
            d["@graph"].as_array().cloned().unwrap_or_default()
        })
        .filter(|n| n["@type"] == kind)
        .collect()
}

fn assert_breadcrumbs(doc: &Html, rel: &str) {
    let lists = graph_of(doc, "BreadcrumbList");
    assert_eq!(lists.len(), 1, "{rel}: one BreadcrumbList");
    let items = lists[0]["itemListElement"]
        .as_array()
        .expect("itemListElement");
    assert!(
        items.len() >= 2,
        "{rel}: a trail of at least Start and the page"
    );
    for (n, item) in items.iter().enumerate() {
        assert_eq!(item["@type"], "ListItem");
        assert_eq!(item["position"], n + 1);
        assert!(item["name"].as_str().is_some_and(|s| !s.is_empty()));
        assert!(
            item["item"].as_str().is_some_and(|u| u.starts_with(BASE)),
            "{rel}: {item}"
        );
    }
    let visible: Vec<String> = doc.select(&sel(".breadcrumbs li")).map(text_of).collect();
    let names: Vec<&str> = items.iter().filter_map(|i| i["name"].as_str()).collect();
    assert_eq!(
        visible, names,
        "{rel}: the JSON-LD trail is the visible one"
    );
}

fn structured_data_parses_and_has_the_required_properties(out: &Path) {
    let home = page(out, "index.html");
    let site = graph_of(&home, "WebSite");
    assert_eq!(site.len(), 1);
    assert_eq!(site[0]["url"], BASE);
    let action = &site[0]["potentialAction"];
    assert_eq!(action["@type"], "SearchAction");
    let target = action["target"]["urlTemplate"]
        .as_str()
        .expect("urlTemplate");
    assert_eq!(target, format!("{BASE}suche/?q={{search_term_string}}"));
    assert_eq!(action["query-input"], "required name=search_term_string");

    let mut places = 0;
    for rel in entry_pages(out) {
        let doc = page(out, &rel);
        let nodes: Vec<Json> = json_ld(&doc)
            .iter()
            .flat_map(|d| d["@graph"].as_array().cloned().unwrap_or_default())
            .filter(|n| n["@type"] != "BreadcrumbList")
            .collect();
        assert_eq!(nodes.len(), 1, "{rel}: one thing per entry");
        let thing = &nodes[0];
        let title = text_of(doc.select(&sel("h1")).next().expect("h1"));
        assert_eq!(thing["name"], title.as_str(), "{rel}");
        assert_eq!(thing["inLanguage"], "de");
        let url = thing["url"].as_str().expect("url");
        assert_eq!(url, format!("{BASE}{}", rel.trim_end_matches("index.html")));
        assert!(
            thing["dateModified"]
                .as_str()
                .is_some_and(|d| d.len() == 10),
            "{rel}"
        );
        let about = thing["about"].as_array().expect("about");
        assert!(about
            .iter()
            .all(|t| t["@type"] == "DefinedTerm" && t["name"].is_string()));
        if rel.starts_with("orte/") {
            assert_eq!(thing["@type"], "Place", "{rel}");
            if thing.get("geo").is_some() {
                places += 1;
                let lat = thing["geo"]["latitude"].as_f64().expect("latitude");
                let lon = thing["geo"]["longitude"].as_f64().expect("longitude");
                assert!(
                    (47.0..56.0).contains(&lat) && (5.0..16.0).contains(&lon),
                    "{rel}"
                );
            }
        } else {
            assert_eq!(thing["@type"], "CreativeWork", "{rel}");
        }
        assert_breadcrumbs(&doc, &rel);
    }
    assert!(places >= 20, "only {places} places with coordinates");
    for rel in [
        "katalog/index.html",
        "orte/index.html",
        "themen/index.html",
        "codebuch/index.html",
    ] {
        assert_breadcrumbs(&page(out, rel), rel);
    }
    // A term page below a parent term has it in its trail.
    let deep = common::html::html_files(out)
        .into_iter()
        .find(|f| f.starts_with("handlungsfelder/") && f.matches('/').count() == 2)
        .expect("a term page");
    assert_breadcrumbs(&page(out, &deep), &deep);
}

fn descriptions_are_short_and_unique(out: &Path) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for rel in common::html::html_files(out) {
        let doc = page(out, &rel);
        if doc
            .select(&sel(r#"meta[name="robots"][content*="noindex"]"#))
            .next()
            .is_some()
        {
            continue;
        }
        let description = doc
            .select(&sel(r#"meta[name="description"]"#))
            .next()
            .and_then(|m| m.value().attr("content").map(str::to_string))
            .unwrap_or_else(|| panic!("{rel} has no description"));
        assert!(
            description.chars().count() <= 155,
            "{rel}: {} characters",
            description.chars().count()
        );
        assert!(
            description.chars().count() >= 20,
            "{rel}: `{description}` says little"
        );
        // Unique within a language's edition: an untranslated page in English has its German
        // original's words, and says so.
        let edition = if rel.starts_with("en/") { "en" } else { "" };
        if let Some(other) = seen.insert(format!("{edition} {description}"), rel.clone()) {
            panic!("{rel} and {other} share the description `{description}`");
        }
        assert!(
            doc.select(&sel(r#"meta[name="twitter:card"]"#))
                .next()
                .is_some(),
            "{rel}"
        );
    }
}

fn the_sitemap_lists_what_may_be_indexed_with_dates(out: &Path) {
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    let doc = Html::parse_document(&sitemap);
    let mut urls = BTreeMap::new();
    for u in doc.select(&sel("url")) {
        let loc = text_of(u.select(&sel("loc")).next().expect("loc"));
        let lastmod = u.select(&sel("lastmod")).next().map(text_of);
        urls.insert(loc, lastmod);
    }
    assert!(
        !urls.contains_key(&format!("{BASE}suche/")),
        "the noindex search page is listed"
    );
    for (url, lastmod) in &urls {
        assert!(lastmod.is_some(), "{url} has no lastmod");
        let rel = url.strip_prefix(BASE).expect("under the base URL");
        let html =
            std::fs::read_to_string(out.join(rel).join("index.html")).expect("listed page exists");
        assert!(!html.contains("noindex"), "{url} is listed but noindex");
    }
    for list in ["", "katalog/", "orte/", "themen/"] {
        assert!(
            urls.contains_key(&format!("{BASE}{list}")),
            "{list} missing"
        );
    }
    // Terms no entry carries have pages (links stay whole) but are not listed.
    let empty_terms: Vec<String> = common::html::html_files(out)
        .into_iter()
        .filter(|f| std::fs::read_to_string(out.join(f)).is_ok_and(|h| h.contains("noindex")))
        .collect();
    for f in &empty_terms {
        let url = format!("{BASE}{}", f.trim_end_matches("index.html"));
        assert!(!urls.contains_key(&url), "{url}");
    }
}

fn no_feed_is_dated_1970(out: &Path) {
    let mut feeds = 0;
    let mut stack = vec![out.join("feeds")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("feeds") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                feeds += 1;
                let xml = std::fs::read_to_string(&path).expect("feed");
                assert!(!xml.contains("1970-"), "{} is dated 1970", path.display());
            }
        }
    }
    assert!(feeds > 50, "{feeds} feeds");
}

fn the_footer_links_the_privacy_page_and_a_real_favicon(public: &Path) {
    let doc = page(public, "index.html");
    let slots: Vec<(String, String)> = doc
        .select(&sel(".footer-slots a"))
        .map(|a| (text_of(a), a.value().attr("href").unwrap_or("").to_string()))
        .collect();
    assert!(
        slots.contains(&("Datenschutz".into(), "/kat/datenschutz/".into())),
        "{slots:?}"
    );
    let icon = doc
        .select(&sel(r#"link[rel="icon"]"#))
        .next()
        .and_then(|l| l.value().attr("href"))
        .expect("icon");
    let file = public.join(icon.trim_start_matches("/kat/"));
    let svg = std::fs::read_to_string(&file).expect("the favicon file exists");
    assert!(svg.starts_with("<svg"));
}

/// `language: en` gives the built-in pages, the catalogue's JSON export and the feed of all
/// entries English addresses (`export/catalogue.json`, `feeds/all.xml`), links them so from every
/// page (every internal link resolves), and writes dates that no reader takes for another day
/// ("7 Dec 2026", not "07/12/2026").
#[test]
fn an_english_site_speaks_english_in_its_addresses_and_dates() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    let site_yaml = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).expect("site.yaml");
    std::fs::write(&site_yaml, text.replace("language: de", "language: en")).expect("write");
    let out = tmp.join("site");
    build(&root, &out, &["--base-url", "https://example.org/"]).assert_exit(0);
    for folder in ["catalogue", "map", "search", "codebook"] {
        assert!(
            out.join(folder).join("index.html").is_file(),
            "{folder}/ missing"
        );
    }
    for folder in ["katalog", "karte", "suche", "codebuch"] {
        assert!(
            !out.join(folder).exists(),
            "{folder}/ written on an English site"
        );
    }
    assert!(
        out.join("catalogue/index.json").is_file(),
        "the browser's data moves along"
    );
    let home = page(&out, "index.html");
    let nav: Vec<String> = home
        .select(&sel(".main-nav a"))
        .filter_map(|a| a.value().attr("href").map(str::to_string))
        .collect();
    for link in ["/catalogue/", "/map/", "/codebook/"] {
        assert!(nav.iter().any(|h| h == link), "{link} not in {nav:?}");
    }
    let browser = std::fs::read_to_string(out.join("catalogue/index.html")).expect("browser");
    assert!(browser.contains(r#"data-data="/catalogue/""#));
    for (english, german) in [
        ("export/catalogue.json", "export/katalog.json"),
        ("feeds/all.xml", "feeds/alle.xml"),
    ] {
        assert!(out.join(english).is_file(), "{english} missing");
        assert!(
            !out.join(german).exists(),
            "{german} written on an English site"
        );
    }
    let all_feed = std::fs::read_to_string(out.join("feeds/all.xml")).expect("feed");
    assert!(
        all_feed.contains(r#"href="https://example.org/feeds/all.xml""#),
        "the feed names its own address"
    );
    let alternate: Vec<&str> = home
        .select(&sel(
            r#"link[rel="alternate"][type="application/atom+xml"]"#,
        ))
        .filter_map(|l| l.value().attr("href"))
        .collect();
    assert_eq!(alternate, ["/feeds/all.xml"]);
    let footer: Vec<&str> = home
        .select(&sel("footer a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    for link in ["/export/catalogue.json", "/feeds/all.xml"] {
        assert!(
            footer.contains(&link),
            "{link} not in the footer {footer:?}"
        );
    }
    let broken = common::html::broken_internal_links(&out, "/", "https://example.org/");
    assert!(broken.is_empty(), "{broken:#?}");
    let month = regex_lite_month();
    let mut dates = 0;
    for rel in common::html::html_files(&out) {
        for time in page(&out, &rel).select(&sel("time[datetime]")) {
            let shown = text_of(time);
            assert!(
                month(&shown),
                "{rel}: the date `{shown}` is not day, month name, year"
            );
            dates += 1;
        }
    }
    assert!(dates > 0, "no dates shown");
}

/// `urls:` names the export and the feed of all entries in either language; the footer and
/// `<head>` link the chosen names, and a German site without them keeps `katalog.json` and
/// `alle.xml` (the other tests read those).
#[test]
fn urls_name_the_export_and_the_feed_of_all_entries() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    let site_yaml = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site_yaml).expect("site.yaml");
    let named = "language: de\nurls: { catalogue_json: daten, all_feed: neu }\n";
    std::fs::write(&site_yaml, text.replacen("language: de\n", named, 1)).expect("write");
    let out = tmp.join("site");
    build(&root, &out, &["--base-url", "https://example.org/"]).assert_exit(0);
    assert!(out.join("export/daten.json").is_file());
    assert!(out.join("feeds/neu.xml").is_file());
    assert!(!out.join("export/katalog.json").exists());
    assert!(!out.join("feeds/alle.xml").exists());
    let home = page(&out, "index.html");
    let links: Vec<&str> = home
        .select(&sel("footer a, link[rel=alternate]"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert!(links.contains(&"/export/daten.json"), "{links:?}");
    assert!(links.contains(&"/feeds/neu.xml"), "{links:?}");
    let broken = common::html::broken_internal_links(&out, "/", "https://example.org/");
    assert!(broken.is_empty(), "{broken:#?}");
}

/// Whether a text reads like "7 Dec 2026".
fn regex_lite_month() -> impl Fn(&str) -> bool {
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    |s: &str| {
        let parts: Vec<&str> = s.split(' ').collect();
        parts.len() == 3
            && parts[0].parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
            && !parts[0].starts_with('0')
            && MONTHS.contains(&parts[1])
            && parts[2].len() == 4
            && parts[2].parse::<u16>().is_ok()
    }
}

/// site.yaml's new settings refuse what cannot work, at their line: a transfer role on a field
/// that holds no text, a schema.org type that is no type name, a page address that is not one
/// clean segment or is taken twice, an export or feed name that is no file name or the feed of
/// all entries named like a type's.
#[test]
fn the_new_settings_refuse_what_cannot_work() {
    let cases: [(&str, &str, &str); 6] = [
        (
            "  geo: lage\n",
            "  geo: lage\n  transfer: thema\n",
            "transfer role names `thema`",
        ),
        (
            "    plural: Orte\n",
            "    plural: Orte\n    schema: \"Place}x\"\n",
            "schema.org type",
        ),
        (
            "language: de\n",
            "language: de\nurls: { browser: \"../x\" }\n",
            "`urls: browser`",
        ),
        (
            "language: de\n",
            "language: de\nurls: { map: katalog }\n",
            "`urls: map`",
        ),
        (
            "language: de\n",
            "language: de\nurls: { all_feed: orte }\n",
            "`urls: all_feed`",
        ),
        (
            "language: de\n",
            "language: de\nurls: { catalogue_json: \"daten/alle\" }\n",
            "`urls: catalogue_json`",
        ),
    ];
    for (from, to, message) in cases {
        let (_tmp, root) = common::catalogue_copy("valid-small");
        let site_yaml = root.join("content/site.yaml");
        let text = std::fs::read_to_string(&site_yaml).expect("site.yaml");
        assert!(text.contains(from), "{from}");
        std::fs::write(&site_yaml, text.replacen(from, to, 1)).expect("write");
        let (run, json) = common::check_json(&root);
        run.assert_exit(1);
        let diags = common::json_diags(&json.expect("JSON"));
        let found = diags
            .iter()
            .find(|d| d.code == "invalid-schema" && d.message.contains(message))
            .unwrap_or_else(|| panic!("no invalid-schema `{message}` in {diags:?}"));
        assert_eq!(found.file, "content/site.yaml");
        assert!(found.line.is_some(), "{found:?} has no line");
    }
}
