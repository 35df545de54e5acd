//! The ways into a catalogue, built from the fixture `discovery` (valid-small with
//! `collections:` and an event type): collection pages, their list, the home page and entry
//! pages that point to them, their feeds and `katalog.json`; event calendars split into
//! upcoming and past, the yearly archive, "Vorgestellt bei …" and the iCalendar files, parsed
//! with an independent parser (`ical`). Also the diagnostics of a collection that names a
//! missing entry, and of an `event:` setting that names a field the type lacks.
//!
//! The fixture's events lie in 2020 and 2099, so the split holds on any build date.

mod common;

use common::html::{anchors, page, sel, text_of};
use common::{build, catalogue_copy, check_json, json_diags, TempDir};
use std::path::{Path, PathBuf};

struct Built {
    _tmp: TempDir,
    out: PathBuf,
}

fn built() -> Built {
    let (tmp, root) = catalogue_copy("discovery");
    let out = tmp.join("site");
    build(&root, &out, &[]).assert_exit(0);
    Built { _tmp: tmp, out }
}

fn hrefs(out: &Path, rel: &str, scope: &str) -> Vec<String> {
    anchors(&page(out, rel), scope)
        .into_iter()
        .map(|(href, _)| href)
        .collect()
}

#[test]
fn a_collection_page_lists_its_entries_in_order_with_their_notes() {
    let b = built();
    let doc = page(&b.out, "sammlungen/leerstand-beleben/index.html");
    let items: Vec<_> = doc.select(&sel(".collection-item")).collect();
    let links: Vec<String> = items
        .iter()
        .map(|li| {
            let a = li.select(&sel(".card-title a")).next().expect("card");
            a.value().attr("href").unwrap_or("").to_string()
        })
        .collect();
    assert_eq!(
        links,
        [
            "/strategien/leerstandsprogramm/",
            "/orte/markthalle-sued/",
            "/formate/reallabor-marktplatz/"
        ],
        "the order of the file, not the titles'"
    );
    let notes: Vec<Option<String>> = items
        .iter()
        .map(|li| li.select(&sel(".collection-note")).next().map(text_of))
        .collect();
    assert!(notes[0]
        .as_deref()
        .unwrap()
        .ends_with("Zeigt, wie eine Stadt den Leerstand planvoll angeht."));
    assert_eq!(notes[1], None, "an entry without a note shows none");
    assert!(text_of(doc.select(&sel(".prose")).next().unwrap()).contains("leere Erdgeschosse"));
    assert!(
        hrefs(&b.out, "sammlungen/leerstand-beleben/index.html", ".prose")
            .contains(&"/orte/stadtteilbuero-nord/".to_string()),
        "internal links in the introduction resolve"
    );
    // The list of collections, the home page and the navigation lead there.
    for (rel, scope) in [("sammlungen/index.html", "main"), ("index.html", "main")] {
        let links = hrefs(&b.out, rel, scope);
        assert!(
            links.contains(&"/sammlungen/leerstand-beleben/".to_string()),
            "{rel}"
        );
        assert!(
            links.contains(&"/sammlungen/erste-schritte/".to_string()),
            "{rel}"
        );
    }
    assert!(
        hrefs(&b.out, "orte/markthalle-sued/index.html", ".main-nav")
            .contains(&"/sammlungen/".to_string())
    );
}

#[test]
fn an_entry_page_names_the_collections_that_list_it() {
    let b = built();
    let links = hrefs(
        &b.out,
        "orte/stadtteilbuero-nord/index.html",
        ".in-collections",
    );
    assert_eq!(links, ["/sammlungen/erste-schritte/"]);
    let doc = page(&b.out, "orte/stadtteilbuero-nord/index.html");
    let section = text_of(doc.select(&sel(".in-collections")).next().unwrap());
    assert!(section.contains("In den Sammlungen"), "{section}");
    assert!(
        section.contains("Ein Ort, an dem Beteiligung beginnt."),
        "{section}"
    );
    let none = page(&b.out, "formate/quartiersspaziergang/index.html");
    assert!(none.select(&sel(".in-collections")).next().is_none());
}

#[test]
fn collections_have_feeds_in_their_order_and_appear_in_the_catalogue_json() {
    let b = built();
    let xml =
        std::fs::read_to_string(b.out.join("feeds/sammlungen/leerstand-beleben.xml")).unwrap();
    let feed = roxmltree::Document::parse(&xml).expect("the feed is XML");
    let ids: Vec<&str> = feed
        .descendants()
        .filter(|n| n.has_tag_name("entry"))
        .filter_map(|e| e.children().find(|c| c.has_tag_name("id"))?.text())
        .collect();
    assert_eq!(
        ids,
        [
            "https://example.org/strategien/leerstandsprogramm/",
            "https://example.org/orte/markthalle-sued/",
            "https://example.org/formate/reallabor-marktplatz/"
        ]
    );
    let json: serde_json::Value =
        serde_json::from_slice(&std::fs::read(b.out.join("export/katalog.json")).unwrap()).unwrap();
    let collections = json["collections"].as_array().expect("collections");
    let leerstand = collections
        .iter()
        .find(|c| c["id"] == "sammlungen/leerstand-beleben")
        .expect("the collection");
    let members: Vec<(&str, Option<&str>)> = leerstand["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m["id"].as_str().unwrap(), m["note"].as_str()))
        .collect();
    assert_eq!(members[1], ("ort/markthalle-sued", None));
    assert_eq!(members[2].0, "format/reallabor-marktplatz");
    assert_eq!(
        leerstand["url"],
        "https://example.org/sammlungen/leerstand-beleben/"
    );
}

#[test]
fn a_calendar_splits_upcoming_and_past_events_and_archives_them_by_year() {
    let b = built();
    let doc = page(&b.out, "kalender/werkstaetten/index.html");
    let list = |heading: &str| -> Vec<String> {
        let section = doc
            .select(&sel("main section"))
            .find(|s| {
                s.select(&sel("h2"))
                    .next()
                    .is_some_and(|h| text_of(h) == heading)
            })
            .unwrap_or_else(|| panic!("no section {heading}"));
        section
            .select(&sel(".card-title a"))
            .map(|a| a.value().attr("href").unwrap_or("").to_string())
            .collect()
    };
    assert_eq!(
        list("Demnächst"),
        [
            "/werkstaetten/werkstatt-abend-2099/",
            "/werkstaetten/werkstatt-beteiligung-2099/"
        ],
        "the soonest first"
    );
    assert_eq!(
        list("Vergangene Termine"),
        ["/werkstaetten/werkstatt-leerstand-2020/"]
    );
    let when = text_of(doc.select(&sel(".event-when")).next().unwrap());
    assert_eq!(when, "04.05.2099, 18:30 Uhr – 04.05.2099, 21:00 Uhr");
    let years = hrefs(
        &b.out,
        "kalender/werkstaetten/index.html",
        ".calendar-years",
    );
    assert_eq!(
        years,
        [
            "/kalender/werkstaetten/2099/",
            "/kalender/werkstaetten/2020/"
        ]
    );
    let archive = hrefs(
        &b.out,
        "kalender/werkstaetten/2020/index.html",
        ".event-list",
    );
    assert!(archive.contains(&"/werkstaetten/werkstatt-leerstand-2020/".to_string()));
    assert!(!archive.iter().any(|h| h.contains("2099")));
    // The type's list leads to its calendar.
    assert!(hrefs(&b.out, "werkstaetten/index.html", ".actions")
        .contains(&"/kalender/werkstaetten/".to_string()));
}

#[test]
fn presented_entries_list_the_events_that_presented_them() {
    let b = built();
    let doc = page(&b.out, "orte/markthalle-sued/index.html");
    let relation = doc
        .select(&sel(".relation"))
        .find(|r| text_of(*r).starts_with("Vorgestellt bei"))
        .expect("a section „Vorgestellt bei“");
    let links: Vec<&str> = relation
        .select(&sel(".card-title a"))
        .filter_map(|a| a.value().attr("href"))
        .collect();
    assert_eq!(links, ["/werkstaetten/werkstatt-leerstand-2020/"]);
}

/// The value of the first property `name` of an event.
fn property<'a>(
    event: &'a ical::parser::ical::component::IcalEvent,
    name: &str,
) -> &'a ical::property::Property {
    event
        .properties
        .iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn icalendar_files_parse_and_hold_the_upcoming_events() {
    let b = built();
    let bytes = std::fs::read(b.out.join("kalender/werkstaetten.ics")).unwrap();
    let text = String::from_utf8(bytes).expect("UTF-8");
    // RFC 5545, 3.1: lines end in CRLF and are at most 75 octets long.
    assert!(text.ends_with("\r\n"));
    for line in text.split("\r\n") {
        assert!(!line.contains('\n'), "a bare LF in {line:?}");
        assert!(line.len() <= 75, "{line:?} is {} octets", line.len());
    }
    let calendars: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(text.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("the calendar parses");
    assert_eq!(calendars.len(), 1);
    let calendar = &calendars[0];
    for required in ["VERSION", "PRODID"] {
        assert!(
            calendar.properties.iter().any(|p| p.name == required),
            "{required}"
        );
    }
    let summaries: Vec<&str> = calendar
        .events
        .iter()
        .map(|e| property(e, "SUMMARY").value.as_deref().unwrap())
        .collect();
    assert_eq!(
        summaries,
        ["Werkstattabend Reallabor", "Werkstatt Beteiligung 2099"],
        "only upcoming ones"
    );
    for e in &calendar.events {
        for required in ["UID", "DTSTAMP", "DTSTART"] {
            property(e, required);
        }
    }
    let evening = &calendar.events[0];
    assert_eq!(
        property(evening, "DTSTART").value.as_deref(),
        Some("20990504T183000")
    );
    assert_eq!(
        property(evening, "DTEND").value.as_deref(),
        Some("20990504T210000")
    );
    let days = &calendar.events[1];
    let start = property(days, "DTSTART");
    assert_eq!(start.value.as_deref(), Some("20990630"));
    assert_eq!(
        start.params,
        Some(vec![("VALUE".to_string(), vec!["DATE".to_string()])])
    );
    assert_eq!(
        property(days, "DTEND").value.as_deref(),
        Some("20990702"),
        "an all-day event ends the day after its last day"
    );
    // TEXT is escaped: `;` and `,` in the place.
    assert_eq!(
        property(days, "LOCATION").value.as_deref(),
        Some("Rathaus\\; Saal 2\\, Kassel")
    );
    // One file per event, past ones too, linked from the event's page.
    let single = std::fs::read_to_string(
        b.out
            .join("kalender/werkstaetten/werkstatt-leerstand-2020.ics"),
    )
    .unwrap();
    let parsed: Vec<_> = ical::IcalParser::new(std::io::BufReader::new(single.as_bytes()))
        .collect::<Result<_, _>>()
        .expect("parses");
    assert_eq!(parsed[0].events.len(), 1);
    assert!(hrefs(
        &b.out,
        "werkstaetten/werkstatt-leerstand-2020/index.html",
        ".event-facts"
    )
    .contains(&"/kalender/werkstaetten/werkstatt-leerstand-2020.ics".to_string()));
}

#[test]
fn a_collection_naming_a_missing_entry_is_an_error_at_its_line_with_a_suggestion() {
    let (_tmp, root) = catalogue_copy("discovery");
    let path = root.join("content/sammlungen/erste-schritte.md");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("ort/stadtteilbuero-nord", "ort/stadtteilbuero-nrd"),
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.code == "missing-reference")
        .expect("missing-reference");
    assert_eq!(d.file, "content/sammlungen/erste-schritte.md");
    assert_eq!(d.line, Some(4));
    assert!(
        d.hint
            .as_deref()
            .unwrap_or("")
            .contains("ort/stadtteilbuero-nord"),
        "{d:?}"
    );
}

#[test]
fn an_event_setting_naming_a_field_the_type_lacks_is_a_schema_error() {
    let (_tmp, root) = catalogue_copy("discovery");
    let path = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("start: termin_beginn", "start: termin_begin"),
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.code == "invalid-schema")
        .expect("invalid-schema");
    assert!(d.message.contains("termin_begin"), "{d:?}");
    assert!(
        d.hint.as_deref().unwrap_or("").contains("termin_beginn"),
        "{d:?}"
    );
    assert!(d.line.is_some(), "{d:?}");
}

#[test]
fn collections_may_not_take_a_name_of_the_site_and_list_only_entry_ids() {
    let (_tmp, root) = catalogue_copy("discovery");
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, text.replace("folder: sammlungen", "folder: katalog")).unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    assert!(
        diags
            .iter()
            .any(|d| d.code == "invalid-schema" && d.message.contains("`katalog`")),
        "{diags:?}"
    );
    std::fs::write(&site, text).unwrap();
    let path = root.join("content/sammlungen/erste-schritte.md");
    std::fs::write(
        &path,
        "---\ntitel: Erste Schritte\neintraege:\n  - [ort/x]\n---\n",
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.code == "wrong-kind")
        .expect("wrong-kind");
    assert_eq!(d.file, "content/sammlungen/erste-schritte.md");
    assert_eq!(d.line, Some(3));
}

#[test]
fn an_english_site_puts_calendars_finder_and_comparison_at_english_addresses() {
    let (tmp, root) = catalogue_copy("discovery");
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    std::fs::write(&site, text.replace("language: de", "language: en")).unwrap();
    let out = tmp.join("site");
    build(&root, &out, &[]).assert_exit(0);
    for rel in [
        "calendar/werkstaetten/index.html",
        "calendar/werkstaetten/2020/index.html",
        "calendar/werkstaetten.ics",
        "finder/index.html",
        "finder/quartier/-/index.html",
        "finder/weights.json",
        "compare/index.html",
    ] {
        assert!(out.join(rel).is_file(), "{rel}");
    }
    for gone in ["kalender", "wegweiser", "vergleich"] {
        assert!(!out.join(gone).exists(), "{gone}");
    }
    let entry = page(&out, "orte/markthalle-sued/index.html");
    let tray = entry
        .select(&sel("[data-compare-tray]"))
        .next()
        .expect("tray");
    assert_eq!(tray.value().attr("data-compare-tray"), Some("/compare/"));
    let nav = hrefs(&out, "index.html", "nav");
    assert!(nav.contains(&"/finder/".to_string()), "{nav:?}");

    // `urls:` names them, and the names are the site's: no collections folder may take one.
    let renamed = text.replacen(
        "language: de",
        "language: de\nurls: { calendar: termine, finder: fragen, compare: nebeneinander }",
        1,
    );
    std::fs::write(&site, &renamed).unwrap();
    let out = tmp.join("renamed");
    build(&root, &out, &[]).assert_exit(0);
    for rel in [
        "termine/werkstaetten/index.html",
        "fragen/weights.json",
        "nebeneinander/index.html",
    ] {
        assert!(out.join(rel).is_file(), "{rel}");
    }
    std::fs::write(
        &site,
        renamed.replace("folder: sammlungen", "folder: termine"),
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    assert!(
        diags
            .iter()
            .any(|d| d.code == "invalid-schema" && d.message.contains("`termine`")),
        "{diags:?}"
    );
}

#[test]
fn a_free_page_may_not_take_the_collections_address() {
    let (_tmp, root) = catalogue_copy("discovery");
    std::fs::write(
        root.join("content/pages/sammlungen.md"),
        "---\ntitel: Sammlungen\n---\nText.\n",
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.code == "reserved-name")
        .expect("reserved-name");
    assert_eq!(d.file, "content/pages/sammlungen.md");
}

/// The finder's scores computed from the fixture's files: per chosen answer, its weight for each
/// entry carrying one of its terms or a term below one.
fn expected_ranking(root: &Path, chosen: &[(&str, &str)]) -> Vec<(String, f64)> {
    let site = common::read_yaml(&root.join("content/site.yaml"));
    let entries = common::read_entries(root);
    let mut scores: Vec<(String, f64)> = Vec::new();
    for (question, answer) in chosen {
        let q = site["finder"]["questions"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|q| q["key"].as_str() == Some(question))
            .unwrap();
        let a = q["answers"]
            .as_sequence()
            .unwrap()
            .iter()
            .find(|a| a["key"].as_str() == Some(answer))
            .unwrap();
        let weight = a["weight"].as_f64().unwrap_or(1.0);
        for e in &entries {
            let matches = a["terms"]
                .as_mapping()
                .unwrap()
                .iter()
                .any(|(field, terms)| {
                    let field = field.as_str().unwrap();
                    let vocabulary = site["fields"][field]["vocabulary"].as_str().unwrap();
                    let vocab = common::read_vocabulary(root, vocabulary);
                    let carried: Vec<String> = common::list_of(&e.fields, field)
                        .iter()
                        .flat_map(|t| common::with_ancestors(&vocab, t))
                        .collect();
                    terms
                        .as_sequence()
                        .unwrap()
                        .iter()
                        .any(|t| carried.iter().any(|c| Some(c.as_str()) == t.as_str()))
                });
            if matches {
                match scores.iter_mut().find(|(id, _)| *id == e.id) {
                    Some((_, s)) => *s += weight,
                    None => scores.push((e.id.clone(), weight)),
                }
            }
        }
    }
    scores
}

#[test]
fn the_finder_ranks_by_the_weights_of_the_answers_an_entry_matches() {
    let (tmp, root) = catalogue_copy("discovery");
    let out = tmp.join("site");
    build(&root, &out, &[]).assert_exit(0);
    // Every step is a page; the answers are links to the next step, skipping is one too.
    let first = hrefs(&out, "wegweiser/index.html", ".finder-question");
    assert_eq!(
        first,
        [
            "/wegweiser/zentrum/",
            "/wegweiser/quartier/",
            "/wegweiser/-/"
        ]
    );
    let results = page(&out, "wegweiser/quartier/leerstand/index.html");
    let ranking = results
        .select(&sel("#finder-ranking"))
        .next()
        .expect("a ranking");
    let ranked: Vec<&str> = ranking
        .value()
        .attr("data-ranked")
        .unwrap()
        .split_whitespace()
        .collect();
    let expected = expected_ranking(
        &root,
        &[("wo", "quartier"), ("herausforderung", "leerstand")],
    );
    let score = |id: &str| {
        expected
            .iter()
            .find(|(e, _)| e == id)
            .map(|(_, s)| *s)
            .unwrap()
    };
    for pair in ranked.windows(2) {
        assert!(
            score(pair[0]) >= score(pair[1]),
            "{pair:?} out of order: {expected:?}"
        );
    }
    assert_eq!(
        score(ranked[0]),
        3.0,
        "both answers match the first: {expected:?}"
    );
    // The page lists the best two of each type (`results_per_type: 2`); its heading counts
    // every entry of the type that fits.
    let type_of = |id: &str| id.split('/').next().unwrap().to_string();
    let mut types: Vec<String> = expected.iter().map(|(id, _)| type_of(id)).collect();
    types.sort();
    types.dedup();
    let mut cut = false;
    for ty in &types {
        let fitting: Vec<&(String, f64)> = expected
            .iter()
            .filter(|(id, _)| type_of(id) == *ty)
            .collect();
        let listed: Vec<&str> = ranked
            .iter()
            .copied()
            .filter(|id| type_of(id) == *ty)
            .collect();
        assert_eq!(listed.len(), fitting.len().min(2), "{ty}: {listed:?}");
        let lowest_listed = listed.iter().map(|id| score(id)).fold(f64::MAX, f64::min);
        for (id, s) in &fitting {
            assert!(
                listed.contains(&id.as_str()) || *s <= lowest_listed,
                "{id} ({s}) fits better than what {ty} lists: {listed:?}"
            );
        }
        let heading = results
            .select(&sel(&format!("#finder-group-{ty} .count")))
            .next()
            .map(text_of)
            .unwrap();
        if fitting.len() > 2 {
            cut = true;
            assert_eq!(heading, format!("(die 2 besten von {})", fitting.len()));
        } else {
            assert_eq!(heading, format!("({})", fitting.len()));
        }
    }
    assert!(
        cut,
        "no type has more than two fitting entries: {expected:?}"
    );
    assert_eq!(
        results
            .select(&sel(".finder-results h2"))
            .next()
            .map(text_of)
            .unwrap(),
        format!("{} passende Einträge", expected.len())
    );
    // Reasons name the matched answers; the same selection opens in the catalogue browser.
    let reasons = results
        .select(&sel(
            "li[data-entry=\"werkstatt/werkstatt-leerstand-2020\"] .finder-reasons",
        ))
        .next()
        .map(text_of)
        .unwrap();
    assert_eq!(reasons, "passt zu: Im Quartier, Leerstand");
    let browser = hrefs(
        &out,
        "wegweiser/quartier/leerstand/index.html",
        ".finder-results .actions",
    );
    assert_eq!(
        browser[0],
        "/katalog/?handlungsfeld=quartiere&handlungsfeld=leerstand&thema=zwischennutzung"
    );
    // The codebook lists the questions with the terms of their answers.
    let codebook = hrefs(&out, "codebuch/index.html", "#wegweiser");
    assert!(
        codebook.contains(&"/themen/zwischennutzung/".to_string()),
        "{codebook:?}"
    );
    // Skipping every question finds nothing to rank and says so.
    let none = page(&out, "wegweiser/-/-/index.html");
    assert!(none.select(&sel(".finder-results .empty")).next().is_some());
    // The weights the page's script adds up are the same matches.
    let weights: serde_json::Value =
        serde_json::from_slice(&std::fs::read(out.join("wegweiser/weights.json")).unwrap())
            .unwrap();
    let leerstand = &weights["questions"][1]["answers"][0];
    assert_eq!(leerstand["key"], "leerstand");
    assert_eq!(leerstand["weight"], 2.0);
    let matched: Vec<&str> = leerstand["matches"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            weights["entries"][p.as_u64().unwrap() as usize]["id"]
                .as_str()
                .unwrap()
        })
        .collect();
    let mut independent: Vec<String> = expected_ranking(&root, &[("herausforderung", "leerstand")])
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    independent.sort();
    let mut matched_sorted: Vec<String> = matched.iter().map(|s| s.to_string()).collect();
    matched_sorted.sort();
    assert_eq!(matched_sorted, independent);
}

#[test]
fn a_finder_answer_naming_an_unknown_term_is_an_error_with_a_suggestion() {
    let (_tmp, root) = catalogue_copy("discovery");
    let path = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    std::fs::write(
        &path,
        text.replace("thema: [foerderung]", "thema: [foerdrung]"),
    )
    .unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.code == "unknown-term")
        .expect("unknown-term");
    assert_eq!(d.file, "content/site.yaml");
    assert!(d.line.is_some());
    assert!(
        d.hint.as_deref().unwrap_or("").contains("foerderung"),
        "{d:?}"
    );
}

#[test]
fn a_finder_listing_no_result_is_an_error_at_its_line() {
    let (_tmp, root) = catalogue_copy("discovery");
    let path = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let text = text.replace("results_per_type: 2", "results_per_type: 0");
    std::fs::write(&path, &text).unwrap();
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let diags = json_diags(&json.expect("JSON"));
    let d = diags
        .iter()
        .find(|d| d.message.contains("results_per_type"))
        .unwrap_or_else(|| panic!("no diagnostic about results_per_type: {diags:?}"));
    assert_eq!(d.code, "invalid-schema");
    let line = text
        .lines()
        .position(|l| l.contains("results_per_type: 0"))
        .unwrap()
        + 1;
    assert_eq!(d.line, Some(line as u64), "{d:?}");
}
