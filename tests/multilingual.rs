//! A catalogue in two languages (tests/fixtures/multilingual: German at `/`, English below
//! `/en/`, two of six entries translated): every page kind exists in both, `hreflang` pairs
//! are symmetric, the switcher leads to the counterpart, an untranslated entry is shown with a
//! note or left out as site.yaml says, English search stems, and `check` reports translations
//! without an original, repeated and differing facts, and the coverage.

mod common;

use common::{catalogue_copy, TempDir};
use scraper::{Html, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn sel(s: &str) -> Selector {
    Selector::parse(s).expect("selector")
}

/// Builds the fixture (after `edit` on its folder) and returns the output's pages by path.
fn built(edit: impl FnOnce(&Path)) -> (TempDir, BTreeMap<String, Vec<u8>>) {
    let (tmp, root) = catalogue_copy("multilingual");
    edit(&root);
    let out = tmp.join("site");
    let run = common::build(&root, &out, &["--base-url", "https://example.org/"]);
    run.assert_exit(0);
    let files = common::snapshot(&out);
    (tmp, files)
}

fn html(files: &BTreeMap<String, Vec<u8>>, path: &str) -> Html {
    let bytes = files.get(path).unwrap_or_else(|| {
        panic!(
            "no {path} among {:?}",
            files.keys().take(80).collect::<Vec<_>>()
        )
    });
    Html::parse_document(&String::from_utf8_lossy(bytes))
}

/// `hreflang` → href of a page's alternates.
fn alternates(page: &Html) -> BTreeMap<String, String> {
    page.select(&sel(r#"link[rel="alternate"][hreflang]"#))
        .map(|l| {
            (
                l.value().attr("hreflang").unwrap_or_default().to_string(),
                l.value().attr("href").unwrap_or_default().to_string(),
            )
        })
        .collect()
}

/// The output file of an absolute URL of the site.
fn file_of(url: &str) -> String {
    let path = url
        .strip_prefix("https://example.org/")
        .expect("the site's URL");
    format!("{path}index.html")
}

#[test]
fn every_page_kind_exists_in_both_languages_with_symmetric_alternates() {
    let (_tmp, files) = built(|_| {});
    // Every page kind: home, browser, search, map, codebook, type lists, entries, vocabulary,
    // term, free page; and the exports, feeds, search index and sitemap.
    let pairs = [
        ("index.html", "en/index.html"),
        ("katalog/index.html", "en/catalogue/index.html"),
        ("suche/index.html", "en/search/index.html"),
        ("karte/index.html", "en/map/index.html"),
        ("codebuch/index.html", "en/codebook/index.html"),
        ("orte/index.html", "en/orte/index.html"),
        (
            "orte/stadtteilbuero-nord/index.html",
            "en/orte/neighbourhood-office-north/index.html",
        ),
        (
            "formate/quartiersspaziergang/index.html",
            "en/formate/quartiersspaziergang/index.html",
        ),
        ("themen/index.html", "en/themen/index.html"),
        (
            "themen/beteiligung/index.html",
            "en/themen/beteiligung/index.html",
        ),
        ("ueber/index.html", "en/ueber/index.html"),
    ];
    for (de, en) in pairs {
        assert!(files.contains_key(de), "{de}");
        assert!(files.contains_key(en), "{en}");
        assert_eq!(
            html(&files, en).root_element().attr("lang"),
            Some("en"),
            "{en}"
        );
        assert_eq!(
            html(&files, de).root_element().attr("lang"),
            Some("de"),
            "{de}"
        );
    }
    // Each edition names its own built-in files in its language.
    for (file, english) in [
        ("export/katalog.json", "export/catalogue.json"),
        ("export/orte.csv", "export/orte.csv"),
        ("feeds/alle.xml", "feeds/all.xml"),
        ("sitemap.xml", "sitemap.xml"),
        ("search/index.json", "search/index.json"),
    ] {
        assert!(files.contains_key(file), "{file}");
        assert!(files.contains_key(&format!("en/{english}")), "en/{english}");
    }
    assert!(files.contains_key("robots.txt") && !files.contains_key("en/robots.txt"));
    let robots = String::from_utf8_lossy(&files["robots.txt"]);
    assert!(
        robots.contains("Sitemap: https://example.org/en/sitemap.xml"),
        "{robots}"
    );

    let checked = assert_symmetric_alternates(&files, |_| true);
    assert!(checked > 40, "only {checked} pages checked");
}

/// Asserts that every page of `files` that `which` picks but the 404 page and redirects names
/// its versions in both languages, itself among them, and that each version names the same
/// ones; returns how many pages it checked.
fn assert_symmetric_alternates(
    files: &BTreeMap<String, Vec<u8>>,
    which: impl Fn(&str) -> bool,
) -> usize {
    let mut checked = 0;
    for path in files
        .keys()
        .filter(|p| p.ends_with(".html") && *p != "404.html" && which(p))
    {
        let page = html(files, path);
        let alts = alternates(&page);
        if page
            .select(&sel(r#"meta[http-equiv="refresh"]"#))
            .next()
            .is_some()
        {
            assert!(alts.is_empty(), "a redirect has no alternates: {path}");
            continue;
        }
        if path.ends_with("404.html") {
            continue;
        }
        assert_eq!(alts.len(), 3, "de, en and x-default in {path}: {alts:?}");
        assert_eq!(alts["x-default"], alts["de"], "{path}");
        let own = page
            .select(&sel(r#"link[rel="canonical"]"#))
            .next()
            .and_then(|l| l.value().attr("href"))
            .expect("canonical")
            .to_string();
        let language = page.root_element().attr("lang").expect("lang").to_string();
        assert_eq!(alts[&language], own, "{path} names itself");
        for (other, url) in alts.iter().filter(|(l, _)| *l != "x-default") {
            let counterpart = html(files, &file_of(url));
            assert_eq!(
                alternates(&counterpart),
                alts,
                "{path} and its {other} version disagree"
            );
        }
        checked += 1;
    }
    checked
}

/// The bundled catalogue in German and English, each entry shown untranslated in English.
fn bundled_in_two_languages(more: &str) -> (TempDir, BTreeMap<String, Vec<u8>>) {
    let tmp = TempDir::new("bundled-two-languages");
    let root = tmp.join("catalogue");
    common::copy_dir(&common::repo_root().join("content"), &root.join("content"));
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).expect("site.yaml");
    // The bundled catalogue may be in one language or already in both.
    let text = text.replacen("\nlanguage: de\n", "\nlanguages: [de, en]\n", 1);
    let ours = "\nlanguages: [de, en]\n";
    assert!(text.contains(ours), "site.yaml names neither form");
    let text = text.replacen(ours, &format!("{ours}{more}"), 1);
    fs::write(&site, text).expect("write site.yaml");
    let out = tmp.join("site");
    // Twice the bundled catalogue's pages (its finder alone has 547) take a debug build longer
    // than the usual deadline on a busy machine.
    let args = [
        "--root".as_ref(),
        root.as_os_str(),
        "build".as_ref(),
        "--output".as_ref(),
        out.as_os_str(),
        "--base-url".as_ref(),
        "https://example.org/".as_ref(),
    ];
    common::run_with_deadline(&args, std::time::Duration::from_secs(120)).assert_exit(0);
    let files = common::snapshot(&out);
    (tmp, files)
}

#[test]
fn collections_calendars_finder_and_comparison_exist_in_both_languages() {
    let (_tmp, files) = bundled_in_two_languages("");
    let pairs = [
        ("sammlungen/index.html", "en/sammlungen/index.html"),
        (
            "sammlungen/leerstand-aktivieren/index.html",
            "en/sammlungen/leerstand-aktivieren/index.html",
        ),
        (
            "kalender/veranstaltungen/index.html",
            "en/calendar/veranstaltungen/index.html",
        ),
        (
            "kalender/veranstaltungen/2017/index.html",
            "en/calendar/veranstaltungen/2017/index.html",
        ),
        ("wegweiser/index.html", "en/finder/index.html"),
        (
            "wegweiser/quartier/index.html",
            "en/finder/quartier/index.html",
        ),
        ("vergleich/index.html", "en/compare/index.html"),
    ];
    for (de, en) in pairs {
        let alts = alternates(&html(&files, de));
        assert_eq!(file_of(&alts["en"]), en, "{de}");
        assert_eq!(file_of(&alts["de"]), de, "{en}");
    }
    assert!(files.contains_key("en/calendar/veranstaltungen.ics"));
    // Every page of the collections, calendars and the finder's first two steps.
    let discovery = |p: &str| {
        let p = p.strip_prefix("en/").unwrap_or(p);
        [
            "sammlungen/",
            "kalender/",
            "calendar/",
            "vergleich/",
            "compare/",
        ]
        .iter()
        .any(|f| p.starts_with(f))
            || ((p.starts_with("wegweiser/") || p.starts_with("finder/"))
                && p.matches('/').count() <= 2)
    };
    assert!(assert_symmetric_alternates(&files, discovery) > 40);

    // One set of assets, at the root, which the English pages name too.
    assert!(!files.keys().any(|p| p.starts_with("en/assets/")));
    let stylesheets = |path: &str| -> Vec<String> {
        html(&files, path)
            .select(&sel(r#"link[rel="stylesheet"]"#))
            .filter_map(|l| l.value().attr("href").map(String::from))
            .collect()
    };
    let (de, en) = (stylesheets("index.html"), stylesheets("en/index.html"));
    assert!(!de.is_empty() && de == en, "{de:?} {en:?}");
    for href in &en {
        let file = href.strip_prefix('/').expect("a site path");
        assert!(files.contains_key(file), "{href} is not published");
    }
}

#[test]
fn a_year_without_events_in_a_language_has_no_version_there() {
    // Left out untranslated, the English site has no events: the calendar, but no year.
    let (_tmp, files) = bundled_in_two_languages("untranslated: omit\n");
    assert!(files.contains_key("en/calendar/veranstaltungen/index.html"));
    assert!(!files.contains_key("en/calendar/veranstaltungen/2017/index.html"));
    let year = alternates(&html(&files, "kalender/veranstaltungen/2017/index.html"));
    assert!(
        year.contains_key("de") && !year.contains_key("en"),
        "{year:?}"
    );
    let calendar = alternates(&html(&files, "kalender/veranstaltungen/index.html"));
    assert_eq!(
        file_of(&calendar["en"]),
        "en/calendar/veranstaltungen/index.html"
    );
}

#[test]
fn the_switcher_leads_to_the_counterpart_and_labels_are_translated() {
    let (_tmp, files) = built(|_| {});
    let de = html(&files, "orte/stadtteilbuero-nord/index.html");
    let link = de
        .select(&sel(".language-switcher a[hreflang=en]"))
        .next()
        .expect("a link to English");
    assert_eq!(
        link.value().attr("href"),
        Some("/en/orte/neighbourhood-office-north/")
    );
    let en = html(&files, "en/orte/neighbourhood-office-north/index.html");
    let back = en
        .select(&sel(".language-switcher a[hreflang=de]"))
        .next()
        .expect("a link to German");
    assert_eq!(
        back.value().attr("href"),
        Some("/orte/stadtteilbuero-nord/")
    );
    let h1: String = en.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(h1, "Neighbourhood Office North");
    // The English address of the entry; its German address under /en/ sends readers on.
    let moved = html(&files, "en/orte/stadtteilbuero-nord/index.html");
    assert!(moved
        .select(&sel(r#"meta[http-equiv="refresh"]"#))
        .next()
        .is_some());
    // Labels per language: the type's plural and the term, in the English pages' words.
    let list = html(&files, "en/orte/index.html");
    let title: String = list.select(&sel("h1")).next().expect("h1").text().collect();
    assert_eq!(title.trim(), "Places");
    let term = html(&files, "en/themen/beteiligung/index.html");
    let title: String = term.select(&sel("h1")).next().expect("h1").text().collect();
    assert!(title.contains("Participation"), "{title}");
    let term = html(&files, "themen/beteiligung/index.html");
    let title: String = term.select(&sel("h1")).next().expect("h1").text().collect();
    assert!(title.contains("Beteiligung"), "{title}");
    // The site's own title per language.
    let home = |path: &str| -> String {
        let page = html(&files, path);
        let title = page.select(&sel("title")).next().expect("title");
        title.text().collect()
    };
    assert_eq!(home("en/index.html"), "Small test catalogue");
    assert_eq!(home("index.html"), "Kleiner Testkatalog");
    // Links in a translation's text lead to pages of its language.
    let body = String::from_utf8_lossy(&files["en/orte/neighbourhood-office-north/index.html"]);
    assert!(
        body.contains(r#"href="/en/formate/reallabor-marktplatz/""#),
        "{body}"
    );
}

#[test]
fn an_untranslated_entry_is_shown_with_a_note_by_default() {
    let (_tmp, files) = built(|_| {});
    let page = html(&files, "en/formate/quartiersspaziergang/index.html");
    let note = page
        .select(&sel(".untranslated-note"))
        .next()
        .expect("a note");
    assert!(note
        .text()
        .collect::<String>()
        .contains("not been translated"));
    let h1 = page.select(&sel("h1")).next().expect("h1");
    assert_eq!(h1.value().attr("lang"), Some("de"));
    assert_eq!(h1.text().collect::<String>(), "Quartiersspaziergang");
    // In lists: the card's own words in German, marked, its labels and a visible note in English.
    let list = html(&files, "en/formate/index.html");
    let card = list
        .select(&sel("article.card"))
        .find(|c| {
            c.text()
                .collect::<String>()
                .contains("Quartiersspaziergang")
        })
        .expect("the card");
    assert_eq!(card.value().attr("lang"), None);
    let title = card.select(&sel(".card-title a")).next().expect("title");
    assert_eq!(title.value().attr("lang"), Some("de"));
    let summary = card.select(&sel(".card-summary")).next().expect("summary");
    assert_eq!(summary.value().attr("lang"), Some("de"));
    assert!(card.select(&sel(".badge-untranslated")).next().is_some());
    // A translated one has neither.
    let page = html(&files, "en/orte/neighbourhood-office-north/index.html");
    assert!(page.select(&sel(".untranslated-note")).next().is_none());
    // German pages never carry a note.
    let german = files
        .keys()
        .filter(|p| !p.starts_with("en/") && p.ends_with(".html"));
    for path in german {
        let page = html(&files, path);
        let marks = sel(".untranslated-note, .badge-untranslated");
        assert_eq!(page.select(&marks).count(), 0, "{path}");
    }
}

#[test]
fn an_untranslated_entry_can_be_left_out() {
    let (_tmp, files) = built(|root| {
        let site = root.join("content/site.yaml");
        let text = fs::read_to_string(&site).expect("site.yaml");
        fs::write(
            &site,
            text.replace(
                "languages: [de, en]\n",
                "languages: [de, en]\nuntranslated: omit\n",
            ),
        )
        .expect("write");
    });
    assert!(files.contains_key("formate/quartiersspaziergang/index.html"));
    assert!(!files.contains_key("en/formate/quartiersspaziergang/index.html"));
    assert!(files.contains_key("en/orte/neighbourhood-office-north/index.html"));
    let list = String::from_utf8_lossy(&files["en/formate/index.html"]);
    assert!(!list.contains("Quartiersspaziergang"));
    // The German page of an entry without English has no English alternate and no switcher.
    let page = html(&files, "formate/quartiersspaziergang/index.html");
    let alts = alternates(&page);
    assert_eq!(alts.keys().collect::<Vec<_>>(), ["de", "x-default"]);
    assert!(page.select(&sel(".language-switcher")).next().is_none());
    let json = String::from_utf8_lossy(&files["en/export/catalogue.json"]);
    assert!(!json.contains("quartiersspaziergang") && json.contains("neighbourhood-office-north"));
}

#[test]
fn english_search_finds_the_singular_by_the_plural() {
    let (_tmp, files) = built(|_| {});
    let meta: serde_json::Value =
        serde_json::from_slice(&files["en/search/index.json"]).expect("index.json");
    assert_eq!(meta["stemmer"], "english");
    let de: serde_json::Value =
        serde_json::from_slice(&files["search/index.json"]).expect("index.json");
    assert_eq!(de["stemmer"], "german");
    // The English index holds "neighbourhood" under its stem, which "neighbourhoods" has too.
    let stem = casebook::search::Terms::for_language("en").stem("neighbourhoods");
    assert_eq!(stem, "neighbourhood");
    let shard: BTreeSet<&String> = files
        .keys()
        .filter(|p| p.starts_with("en/search/") && p.contains("/ne"))
        .collect();
    let found = shard
        .iter()
        .any(|p| String::from_utf8_lossy(&files[*p]).contains("\"neighbourhood\""));
    assert!(found, "no English shard holds neighbourhood: {shard:?}");
}

#[test]
fn check_reports_translations_and_their_coverage() {
    let (_tmp, root) = catalogue_copy("multilingual");
    let run = common::check_human(&root);
    run.assert_exit(0);
    assert!(
        run.stderr.contains("en: 2 of 6 entries translated"),
        "{}",
        run.stderr
    );
    let formate = root.join("content/formate");
    fs::write(
        formate.join("quartiersspaziergang.en.md"),
        "---\ntitel: Neighbourhood walk\nthema: [klima]\nhandlungsfeld: [mikroquartiere]\n---\nA walk.\n",
    )
    .expect("write");
    fs::write(
        formate.join("reallabor.en.md"),
        "---\ntitel: Living lab\n---\n",
    )
    .expect("write");
    let (run, json) = common::check_json(&root);
    run.assert_exit(1);
    let diags = common::json_diags(&json.expect("json"));
    let find = |code: &str| {
        diags
            .iter()
            .find(|d| d.code == code)
            .unwrap_or_else(|| panic!("no {code} in {diags:?}"))
    };
    let differs = find("translation-differs");
    assert_eq!(differs.file, "content/formate/quartiersspaziergang.en.md");
    assert_eq!(differs.line, Some(3));
    assert!(differs
        .hint
        .as_deref()
        .unwrap_or("")
        .contains("remove the line"));
    let repeats = find("translation-repeats-field");
    assert_eq!(repeats.line, Some(4));
    assert_eq!(repeats.severity, "warning");
    let orphan = find("translation-without-original");
    assert_eq!(orphan.file, "content/formate/reallabor.en.md");
    assert!(
        orphan
            .hint
            .as_deref()
            .unwrap_or("")
            .contains("reallabor-marktplatz.en.md"),
        "{orphan:?}"
    );
}

#[test]
fn a_one_language_site_has_no_alternates_and_no_language_folder() {
    let (tmp, root) = catalogue_copy("valid-small");
    let out = tmp.join("site");
    common::build(&root, &out, &["--base-url", "https://example.org/"]).assert_exit(0);
    let files = common::snapshot(&out);
    assert!(!files.keys().any(|p| p.starts_with("en/")));
    let page = html(&files, "orte/stadtteilbuero-nord/index.html");
    assert!(alternates(&page).is_empty());
    assert!(page.select(&sel(".language-switcher")).next().is_none());
}

/// Switched back to one language, a site keeps its English labels unused and builds its German
/// pages as before; a text in a language the two-language site does not have is an error.
#[test]
fn a_site_switched_to_one_language_keeps_its_other_labels_unused() {
    let (tmp, root) = catalogue_copy("multilingual");
    let out = tmp.join("site");
    common::build(&root, &out, &["--base-url", "https://example.org/"]).assert_exit(0);
    let two = common::snapshot(&out);
    common::in_one_language(&root);
    let run = common::check_human(&root);
    run.assert_exit(0);
    assert!(
        run.stderr.contains(" 0 error(s), 0 warning(s)"),
        "{}",
        run.stderr
    );
    let one_out = tmp.join("one");
    common::build(&root, &one_out, &["--base-url", "https://example.org/"]).assert_exit(0);
    let one = common::snapshot(&one_out);
    assert!(!one.keys().any(|p| p.starts_with("en/")));
    let h1 = |files: &BTreeMap<String, Vec<u8>>| {
        let page = html(files, "orte/index.html");
        let h = page.select(&sel("h1")).next().expect("h1");
        h.text().collect::<String>()
    };
    assert_eq!(h1(&one), h1(&two));
    assert_eq!(h1(&one).trim(), "Orte");

    let (_tmp, root) = catalogue_copy("multilingual");
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).expect("site.yaml");
    fs::write(
        &site,
        text.replacen("en: Place }", "en: Place, fr: Lieu }", 1),
    )
    .expect("write");
    let (run, json) = common::check_json(&root);
    run.assert_exit(1);
    let diags = common::json_diags(&json.expect("json"));
    assert!(
        diags.iter().any(|d| d.code == "unknown-language"),
        "{diags:?}"
    );
}

#[test]
fn new_translate_prefills_the_original_texts_as_comments_and_never_overwrites() {
    let (_tmp, root) = catalogue_copy("multilingual");
    let args = |id: &str, language: &str| {
        vec![
            "--root".to_string(),
            root.display().to_string(),
            "new".into(),
            "--translate".into(),
            id.into(),
            language.into(),
        ]
    };
    let run = common::casebook(&args("format/quartiersspaziergang", "en"));
    run.assert_exit(0);
    let path = root.join("content/formate/quartiersspaziergang.en.md");
    let text = fs::read_to_string(&path).expect("the translation");
    assert!(
        text.contains("#   Quartiersspaziergang\ntitel: \"\"\n"),
        "{text}"
    );
    assert!(text.contains("#   Ein geführter Rundgang"), "{text}");
    assert!(
        text.contains("#   Der Spaziergang dauert zwei Stunden"),
        "{text}"
    );
    // Facts stay out; only texts are offered.
    assert!(
        !text.contains("handlungsfeld") && !text.contains("eingesetzt_an"),
        "{text}"
    );
    // check asks for the title at its line.
    let (run, json) = common::check_json(&root);
    run.assert_exit(1);
    let diags = common::json_diags(&json.expect("json"));
    assert!(
        diags.iter().any(|d| d.code == "empty-field"
            && d.file == "content/formate/quartiersspaziergang.en.md"
            && d.line == Some(7)),
        "{diags:?}"
    );
    // Never overwrites: the second call fails and leaves the file as it was.
    fs::write(&path, "---\ntitel: Walk\n---\n").expect("write");
    let again = common::casebook(&args("format/quartiersspaziergang", "en"));
    assert_eq!(again.code, Some(1), "{}", again.output());
    assert!(again.stderr.contains("already exists"), "{}", again.stderr);
    assert_eq!(
        fs::read_to_string(&path).expect("read"),
        "---\ntitel: Walk\n---\n"
    );
    // A language the site does not have, and a mistyped id, are refused with a hint.
    let run = common::casebook(&args("format/quartiersspaziergang", "fr"));
    assert!(
        run.stderr.contains("not one of the site's other languages"),
        "{}",
        run.stderr
    );
    let run = common::casebook(&args("format/reallabor-marktplat", "en"));
    assert!(
        run.stderr
            .contains("did you mean `format/reallabor-marktplatz`"),
        "{}",
        run.stderr
    );
}

#[test]
fn json_schema_knows_translation_files() {
    let (_tmp, root) = catalogue_copy("multilingual");
    let run = common::casebook(&["--root", &root.display().to_string(), "schema"]);
    run.assert_exit(0);
    let dir = root.join(".casebook/schema");
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_str(&fs::read_to_string(dir.join(name)).expect(name)).expect("JSON")
    };
    let schema = read("ort.translation.schema.json");
    let validator = jsonschema::validator_for(&schema).expect("a valid schema");
    let as_json = |yaml: &str| -> serde_json::Value {
        let value: casebook::source::yaml::Value =
            casebook::source::yaml::from_str(yaml).expect("YAML");
        serde_json::to_value(value).expect("JSON")
    };
    let translation =
        fs::read_to_string(root.join("content/orte/markthalle-sued.en.yaml")).expect("read");
    assert!(validator.is_valid(&as_json(&translation)), "{translation}");
    assert!(validator.is_valid(&as_json("titel: Office\nslug: office-north\n")));
    // A fact, a missing title and a bad address are not a translation's.
    assert!(!validator.is_valid(&as_json("titel: Office\nthema: [klima]\n")));
    assert!(!validator.is_valid(&as_json("kurzbeschreibung: Only a summary\n")));
    assert!(!validator.is_valid(&as_json("titel: Office\nslug: Not An Address\n")));
    // The original's schema still wants its facts.
    let original = jsonschema::validator_for(&read("ort.schema.json")).expect("valid");
    assert!(!original.is_valid(&as_json(&translation)));
    // VS Code maps translations to their schema and leaves them out of the original's.
    let settings = fs::read_to_string(root.join(".vscode/settings.json"))
        .ok()
        .unwrap_or_else(|| run.stdout.clone() + &run.stderr);
    assert!(
        settings.contains("ort.translation.schema.json")
            && settings.contains("!content/orte/*.en.yaml"),
        "{settings}"
    );
}

/// The site paths (`/media/…`) a page names in `src`, `srcset`, `href` and `og:image`.
fn media_addresses(page: &Html) -> Vec<String> {
    let mut found = Vec::new();
    for element in page.select(&sel("img, source, a, meta[property='og:image']")) {
        let v = element.value();
        let values = ["src", "srcset", "href", "content"]
            .iter()
            .filter_map(|a| v.attr(a))
            .flat_map(|s| s.split(", ").map(|c| c.split(' ').next().unwrap_or("")));
        for value in values {
            let path = value.strip_prefix("https://example.org").unwrap_or(value);
            if path.contains("/media/") {
                found.push(path.to_string());
            }
        }
    }
    found
}

#[test]
fn pictures_and_media_links_are_the_same_files_in_every_language() {
    let (_tmp, files) = built(|root| {
        let site = root.join("content/site.yaml");
        let text = fs::read_to_string(&site).unwrap();
        let text = text
            .replacen(
                "fields:\n",
                "fields:\n  foto: { kind: image, label: Foto }\n",
                1,
            )
            .replacen("    fields: [titel, ", "    fields: [foto, titel, ", 1);
        fs::write(&site, text).unwrap();
        let media = root.join("content/media");
        fs::create_dir_all(&media).unwrap();
        image::RgbImage::from_pixel(640, 400, image::Rgb([40, 120, 200]))
            .save(media.join("buero.png"))
            .unwrap();
        fs::write(media.join("plan.pdf"), "%PDF-1.4 plan\n").unwrap();
        let original = root.join("content/orte/stadtteilbuero-nord.md");
        let text = fs::read_to_string(&original).unwrap().replacen(
            "\ntitel:",
            "\nfoto: { src: media/buero.png, alt: Das Büro, credit: Test }\ntitel:",
            1,
        );
        fs::write(&original, text).unwrap();
        let translation = root.join("content/orte/stadtteilbuero-nord.en.md");
        let text = fs::read_to_string(&translation).unwrap();
        fs::write(
            &translation,
            format!("{text}\nThe [plan](@/media/plan.pdf).\n"),
        )
        .unwrap();
    });
    assert!(
        !files.keys().any(|p| p.starts_with("en/media/")),
        "media are published once"
    );
    let pages = [
        "orte/stadtteilbuero-nord/index.html",
        "en/orte/neighbourhood-office-north/index.html",
        "orte/index.html",
        "en/orte/index.html",
    ];
    for path in pages {
        for address in media_addresses(&html(&files, path)) {
            let file = address.trim_start_matches('/');
            assert!(
                files.contains_key(file),
                "{path} names {address}, not in the site"
            );
        }
    }
    let english_entry = media_addresses(&html(
        &files,
        "en/orte/neighbourhood-office-north/index.html",
    ));
    assert!(
        english_entry.iter().any(|a| a.ends_with(".webp")),
        "the English entry shows the picture: {english_entry:?}"
    );
    assert!(
        english_entry.iter().any(|a| a == "/media/plan.pdf"),
        "the translation's link leads to the one file: {english_entry:?}"
    );
    let thumbs = media_addresses(&html(&files, "en/orte/index.html"));
    assert!(
        thumbs.iter().any(|a| a.ends_with(".webp")),
        "the English list's card has its thumbnail: {thumbs:?}"
    );
    // The English map's popup and the English katalog.json name the same files too.
    let geo = String::from_utf8_lossy(&files["en/catalogue/geo.json"]).into_owned();
    let popup = geo
        .split('"')
        .find(|s| s.contains("/media/buero-"))
        .unwrap_or_else(|| panic!("no thumbnail in the English map's data: {geo}"));
    assert!(files.contains_key(popup.trim_start_matches('/')), "{popup}");
    let json: serde_json::Value =
        serde_json::from_slice(&files["en/export/catalogue.json"]).expect("catalogue.json");
    let office = json["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["id"] == "ort/stadtteilbuero-nord")
        .expect("the office in the English export");
    assert_eq!(
        office["fields"]["foto"]["url"],
        "https://example.org/media/buero.png"
    );
}

/// Adds a collection of two entries (with a note each) and a finder of one question to the
/// fixture, their settings' words in both languages.
fn with_collection_and_finder(root: &Path) {
    let site = root.join("content/site.yaml");
    let mut text = fs::read_to_string(&site).expect("site.yaml");
    text.push_str(
        "collections:\n  folder: sammlungen\n  label: { de: Sammlung, en: Collection }\n  plural: { de: Sammlungen, en: Collections }\n  list: eintraege\n\
         finder:\n  title: { de: Wegweiser, en: Finder }\n  questions:\n    - key: wo\n      question: { de: Wo wollen Sie handeln?, en: Where do you want to act? }\n      answers:\n        - key: quartier\n          label: { de: Im Quartier, en: In a neighbourhood }\n          terms: { handlungsfeld: [quartiere] }\n",
    );
    fs::write(&site, text).expect("write site.yaml");
    let folder = root.join("content/sammlungen");
    fs::create_dir_all(&folder).expect("folder");
    fs::write(
        folder.join("anfangen.md"),
        "---\ntitel: Gut anfangen\nkurzbeschreibung: Zwei Fälle für den Anfang.\neintraege:\n  - ort/stadtteilbuero-nord: Ein Büro als erster Schritt.\n  - format/quartiersspaziergang: Ein Spaziergang zum Kennenlernen.\n---\nDie Einleitung der Sammlung.\n",
    )
    .expect("write");
}

#[test]
fn free_pages_and_collections_are_translated_by_a_file_beside_them() {
    let english_collection = "---\ntitel: A good start\nkurzbeschreibung: Two cases to begin with.\neintraege:\n  - ort/stadtteilbuero-nord: An office as a first step.\n  - format/quartiersspaziergang: A walk to get to know each other.\n---\nThe collection's introduction, with a [link](@/pages/ueber.md).\n";
    let (_tmp, files) = built(|root| {
        with_collection_and_finder(root);
        fs::write(
            root.join("content/pages/ueber.en.md"),
            "---\ntitel: About this catalogue\nkurzbeschreibung: What the small test catalogue is for.\n---\nIt shows every part, for example the [market hall](@/orte/markthalle-sued.yaml).\n",
        )
        .expect("write");
        fs::write(
            root.join("content/sammlungen/anfangen.en.md"),
            english_collection,
        )
        .expect("write");
    });
    // The free page: English words, no note, links to the English pages; German unchanged.
    let page = html(&files, "en/ueber/index.html");
    let h1 = page.select(&sel("h1")).next().expect("h1");
    assert_eq!(h1.text().collect::<String>(), "About this catalogue");
    assert_eq!(h1.value().attr("lang"), None);
    assert!(page.select(&sel(".untranslated-note")).next().is_none());
    let link = page.select(&sel(".prose a")).next().expect("a link");
    assert_eq!(link.value().attr("href"), Some("/en/orte/markthalle-sued/"));
    let german = html(&files, "ueber/index.html");
    let h1 = german.select(&sel("h1")).next().expect("h1");
    assert_eq!(h1.text().collect::<String>(), "Über diesen Katalog");
    // The collection: its English title, intro and notes; the list is the original's.
    let page = html(&files, "en/sammlungen/anfangen/index.html");
    let text = page.root_element().text().collect::<String>();
    for words in [
        "A good start",
        "The collection's introduction",
        "An office as a first step.",
        "A walk to get to know each other.",
    ] {
        assert!(text.contains(words), "{words} missing");
    }
    assert!(!text.contains("Ein Büro als erster Schritt"));
    assert!(page.select(&sel(".untranslated-note")).next().is_none());
    assert_eq!(page.select(&sel(".collection-item")).count(), 2);
    let list = html(&files, "en/sammlungen/index.html");
    let list_text = list.root_element().text().collect::<String>();
    assert!(list_text.contains("Collections") && list_text.contains("A good start"));
    // The finder's and the collections' words from site.yaml, per language.
    let finder = html(&files, "en/finder/index.html");
    let text = finder.root_element().text().collect::<String>();
    assert!(text.contains("Where do you want to act?") && text.contains("In a neighbourhood"));
    let finder = html(&files, "wegweiser/index.html");
    let text = finder.root_element().text().collect::<String>();
    assert!(text.contains("Wo wollen Sie handeln?") && text.contains("Im Quartier"));
    assert_symmetric_alternates(&files, |p| p.contains("ueber") || p.contains("sammlungen"));
}

#[test]
fn an_untranslated_page_or_collection_is_marked_in_the_other_language() {
    let (_tmp, files) = built(with_collection_and_finder);
    for path in ["en/ueber/index.html", "en/sammlungen/anfangen/index.html"] {
        let page = html(&files, path);
        assert!(
            page.select(&sel(".untranslated-note")).next().is_some(),
            "{path}"
        );
        let h1 = page.select(&sel("h1")).next().expect("h1");
        assert_eq!(h1.value().attr("lang"), Some("de"), "{path}");
        let prose = page.select(&sel(".prose")).next().expect("text");
        assert_eq!(prose.value().attr("lang"), Some("de"), "{path}");
    }
    let page = html(&files, "en/sammlungen/anfangen/index.html");
    let note = page
        .select(&sel(".collection-note span[lang=de]"))
        .next()
        .expect("a marked note");
    assert_eq!(
        note.text().collect::<String>(),
        "Ein Büro als erster Schritt."
    );
    let list = html(&files, "en/sammlungen/index.html");
    let link = list
        .select(&sel(".collection-link-title a"))
        .next()
        .expect("link");
    assert_eq!(link.value().attr("lang"), Some("de"));
    // The German edition marks nothing.
    let german = html(&files, "sammlungen/anfangen/index.html");
    assert!(german.select(&sel("main [lang]")).next().is_none());
}

#[test]
fn a_translated_collection_lists_the_original_entries_and_needs_its_original() {
    let (_tmp, root) = catalogue_copy("multilingual");
    with_collection_and_finder(&root);
    let folder = root.join("content/sammlungen");
    fs::write(
        folder.join("anfangen.en.md"),
        "---\ntitel: A good start\neintraege:\n  - format/quartiersspaziergang: A walk.\n  - ort/stadtteilbuero-nord: An office.\n---\n",
    )
    .expect("write");
    fs::write(folder.join("anfang.en.md"), "---\ntitel: Orphan\n---\n").expect("write");
    fs::write(
        root.join("content/pages/uber.en.md"),
        "---\ntitel: About\n---\n",
    )
    .expect("write");
    let (run, json) = common::check_json(&root);
    run.assert_exit(1);
    let diags = common::json_diags(&json.expect("json"));
    let differs = diags
        .iter()
        .find(|d| d.code == "translation-differs")
        .unwrap_or_else(|| panic!("no translation-differs in {diags:?}"));
    assert_eq!(differs.file, "content/sammlungen/anfangen.en.md");
    assert_eq!(differs.line, Some(4));
    let orphans: BTreeMap<&str, &str> = diags
        .iter()
        .filter(|d| d.code == "translation-without-original")
        .map(|d| (d.file.as_str(), d.hint.as_deref().unwrap_or("")))
        .collect();
    assert!(
        orphans["content/sammlungen/anfang.en.md"].contains("anfangen.en.md"),
        "{orphans:?}"
    );
    assert!(
        orphans["content/pages/uber.en.md"].contains("ueber.en.md"),
        "{orphans:?}"
    );
}

/// A link in a translation leads straight to the page in its language: to a translated entry's
/// own address (not through the redirect at its original's), and with `untranslated: omit` to
/// an entry left out in the default language.
#[test]
fn links_in_translations_lead_straight_to_their_pages() {
    let page = "---\ntitel: About\n---\nSee the [office](@/orte/stadtteilbuero-nord.md#start) and the [walk](@/formate/quartiersspaziergang.md).\n";
    let hrefs = |files: &BTreeMap<String, Vec<u8>>| -> Vec<String> {
        let page = html(files, "en/ueber/index.html");
        page.select(&sel(".prose a"))
            .filter_map(|a| a.value().attr("href").map(str::to_string))
            .collect()
    };
    let (_tmp, files) = built(|root| {
        fs::write(root.join("content/pages/ueber.en.md"), page).expect("write");
    });
    assert_eq!(
        hrefs(&files),
        [
            "/en/orte/neighbourhood-office-north/#text-start",
            "/en/formate/quartiersspaziergang/"
        ]
    );
    for href in hrefs(&files) {
        let file = format!(
            "{}index.html",
            href.trim_start_matches('/').split('#').next().unwrap_or("")
        );
        let target = html(&files, &file);
        assert!(
            target
                .select(&sel(r#"meta[http-equiv="refresh"]"#))
                .next()
                .is_none(),
            "{href} redirects"
        );
    }
    let (_tmp, files) = built(|root| {
        fs::write(root.join("content/pages/ueber.en.md"), page).expect("write");
        let site = root.join("content/site.yaml");
        let text = fs::read_to_string(&site).expect("site.yaml");
        fs::write(
            &site,
            text.replacen(
                "languages: [de, en]\n",
                "languages: [de, en]\nuntranslated: omit\n",
                1,
            ),
        )
        .expect("write");
    });
    assert_eq!(
        hrefs(&files),
        [
            "/en/orte/neighbourhood-office-north/#text-start",
            "/formate/quartiersspaziergang/"
        ]
    );
}
