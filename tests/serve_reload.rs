//! `casebook serve` watches the catalogue and tells open tabs what changed: one reload per save
//! however the editor saves, a stylesheet swap for CSS, an error overlay for a broken file.
//! Each test runs the real binary on a copy of `tests/fixtures/serve-basic` and listens to the
//! event stream a browser tab would.

mod serve_support;

use serve_support::*;
use std::path::Path;
use std::time::Duration;

/// Long enough for a second, unwanted rebuild to show up after the first.
const QUIET: Duration = Duration::from_millis(1500);

const ENTRY: &str = "content/orte/markthalle.md";

fn retitled(catalogue: &TempCatalogue, title: &str) -> String {
    catalogue
        .read(ENTRY)
        .replace("titel: Markthalle", &format!("titel: {title}"))
}

fn reloads(events: &[Event]) -> Vec<&Event> {
    events.iter().filter(|e| e.name == "reload").collect()
}

/// Connects like a tab and checks the greeting: the current build, no error.
fn listen(server: &Server) -> Events {
    let mut events = server.events();
    assert_eq!(events.status, 200);
    let hello = events.expect("hello");
    assert!(
        hello.data["build"].as_str().is_some_and(|b| !b.is_empty()),
        "{hello:?}"
    );
    events
}

#[test]
fn a_save_by_rename_reloads_exactly_once_and_serves_the_new_page() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let mut server = Server::start(&catalogue.root);
    let mut events = listen(&server);

    save_by_rename(
        &catalogue.path(ENTRY),
        &retitled(&catalogue, "Neue Markthalle"),
    );

    let burst = events.burst(EVENT_TIMEOUT, QUIET);
    assert_eq!(reloads(&burst).len(), 1, "one save, one reload: {burst:?}");
    assert_eq!(burst.len(), 1, "nothing else either: {burst:?}");
    let reload = &burst[0];
    assert_eq!(reload.data["entry_url"], "/orte/markthalle/");
    assert!(reload.data["changed"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p == "orte/markthalle/index.html"));
    let page = server.get("/orte/markthalle/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Neue Markthalle"));
    // The terminal line may arrive a moment after the event: wait for it.
    let line = server
        .wait_for_output("changed (content/orte/markthalle.md)", EVENT_TIMEOUT)
        .unwrap_or_else(|| panic!("no rebuild line naming the file:\n{}", server.output()));
    assert!(line.contains("rebuilt in "), "one line per rebuild: {line}");
}

#[test]
fn every_editor_save_pattern_rebuilds_once_for_the_real_file_only() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);
    let entry = catalogue.path(ENTRY);
    let dir = entry.parent().unwrap().to_path_buf();
    let sibling = move |name: &str| dir.join(name);

    type Save = Box<dyn Fn(&Path, &str)>;
    let patterns: Vec<(&str, Save)> = vec![
        (
            "in place",
            Box::new(|path: &Path, text: &str| std::fs::write(path, text).unwrap()),
        ),
        (
            "vim: write probe, backup by rename, new file",
            Box::new(move |path: &Path, text: &str| {
                std::fs::write(sibling("4913"), "").unwrap();
                std::fs::remove_file(sibling("4913")).unwrap();
                std::fs::write(sibling(".markthalle.md.swp"), "swap").unwrap();
                let backup = path.with_file_name("markthalle.md~");
                std::fs::rename(path, &backup).unwrap();
                std::fs::write(path, text).unwrap();
                std::fs::remove_file(&backup).unwrap();
            }),
        ),
        (
            "JetBrains safe write",
            Box::new(|path: &Path, text: &str| {
                let temp = path.with_file_name("markthalle.md___jb_tmp___");
                let old = path.with_file_name("markthalle.md___jb_old___");
                std::fs::write(&temp, text).unwrap();
                std::fs::rename(path, &old).unwrap();
                std::fs::rename(&temp, path).unwrap();
                std::fs::remove_file(&old).unwrap();
            }),
        ),
        (
            "emacs: lock file, backup, new file",
            Box::new(|path: &Path, text: &str| {
                let lock = path.with_file_name(".#markthalle.md");
                std::fs::write(&lock, "user@host").unwrap();
                std::fs::copy(path, path.with_file_name("markthalle.md~")).unwrap();
                std::fs::write(path, text).unwrap();
                std::fs::remove_file(&lock).unwrap();
            }),
        ),
        (
            "temp file with an unknown name, renamed over",
            Box::new(|path: &Path, text: &str| save_by_rename(path, text)),
        ),
    ];
    for (i, (pattern, save)) in patterns.iter().enumerate() {
        let title = format!("Markthalle Fassung {i}");
        save(&entry, &retitled(&catalogue, &title));
        let burst = events.burst(EVENT_TIMEOUT, QUIET);
        assert_eq!(burst.len(), 1, "{pattern}: one save, one event: {burst:?}");
        assert_eq!(burst[0].name, "reload", "{pattern}: {burst:?}");
        // Only the entry itself counted as changed: the temp, backup and swap files did not.
        assert_eq!(burst[0].data["entry_url"], "/orte/markthalle/", "{pattern}");
        assert!(
            server.get("/orte/markthalle/").text().contains(&title),
            "{pattern}"
        );
        // Put the title back for the next pattern.
        std::fs::write(&entry, catalogue.read(ENTRY).replace(&title, "Markthalle")).unwrap();
        events.burst(EVENT_TIMEOUT, QUIET);
    }
}

#[test]
fn backup_swap_and_lock_files_alone_change_nothing() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);
    for name in [
        "markthalle.md~",
        ".markthalle.md.swp",
        "#markthalle.md#",
        ".#markthalle.md",
        "markthalle.md___jb_tmp___",
        "4913",
    ] {
        catalogue.write(&format!("content/orte/{name}"), "---\ntitel: [kaputt\n");
    }
    let burst = events.collect(Duration::from_secs(2));
    assert!(
        burst.is_empty(),
        "editor leftovers are not sources: {burst:?}"
    );
}

#[test]
fn a_broken_file_shows_the_overlay_keeps_the_site_and_clears_when_fixed() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let mut server = Server::start(&catalogue.root);
    let mut events = listen(&server);
    let good = catalogue.read(ENTRY);

    save_by_rename(
        &catalogue.path(ENTRY),
        &good.replace("thema: [leerstand]", "thema: [leerstant]"),
    );
    let error = events.expect("build-error");
    assert_eq!(error.data["errors"], 1, "{error:?}");
    let d = &error.data["diagnostics"][0];
    assert_eq!(d["severity"], "error");
    assert_eq!(d["file"], ENTRY);
    assert_eq!(d["line"], 4, "{d}");
    assert!(d["location"]
        .as_str()
        .unwrap()
        .starts_with("content/orte/markthalle.md:4"));
    let frame = d["frame"].as_str().expect("a code frame");
    assert!(frame.contains("4 | thema: [leerstant]"), "{frame}");
    assert!(frame.lines().nth(1).unwrap().contains('^'), "{frame}");
    assert!(d["hint"].as_str().is_some(), "a did-you-mean hint: {d}");
    assert!(d["text"].as_str().unwrap().contains("-->"));

    // The last good site is still served, with the live script in it.
    let page = server.get("/orte/markthalle/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("/__casebook/live.js"));
    // A tab opened now learns about the failure at once.
    let mut late = server.events();
    late.expect("hello");
    let again = late.expect("build-error");
    assert_eq!(again.data["diagnostics"][0]["file"], ENTRY);
    // The terminal lines may arrive a moment after the event: wait for the last one.
    server
        .wait_for_output("build failed in ", EVENT_TIMEOUT)
        .unwrap_or_else(|| panic!("no failure line:\n{}", server.output()));
    let output = server.output();
    assert!(output.contains("error[unknown-term]"), "{output}");

    // Saving the good text again: the output equals the last good site, so the tabs only
    // hide the overlay.
    save_by_rename(&catalogue.path(ENTRY), &good);
    let clear = events.expect("clear");
    assert!(clear.data["build"].as_str().is_some_and(|b| !b.is_empty()));
    late.expect("clear");
    // Reconnecting tabs hear no error any more.
    let mut fresh = server.events();
    fresh.expect("hello");
    assert!(fresh.collect(Duration::from_millis(500)).is_empty());
}

#[test]
fn a_catalogue_that_never_built_gets_an_error_page_until_it_builds() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let good = catalogue.read(ENTRY);
    // An unknown term that also tries to put markup into the error page.
    let broken = good.replace(
        "thema: [leerstand]",
        "thema: [\"<script>alert(1)</script>\"]",
    );
    catalogue.write(ENTRY, &broken);
    let server = Server::start(&catalogue.root);
    assert!(
        server.output().contains("build failed"),
        "{}",
        server.output()
    );

    for path in ["/", "/orte/markthalle/", "/irgendwo"] {
        let page = server.get(path);
        assert_eq!(page.status, 500, "{path}");
        assert_eq!(
            page.header("Content-Type"),
            Some("text/html; charset=utf-8")
        );
        let html = page.text();
        assert!(html.contains("content/orte/markthalle.md:4:"), "{html}");
        assert!(
            html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"),
            "{html}"
        );
        assert!(!html.contains("<script>alert(1)"), "escaped: {html}");
        assert!(
            html.contains("/__casebook/live.js"),
            "the page updates itself"
        );
    }
    assert_eq!(server.get("/assets/site.css").status, 404);

    let mut events = server.events();
    assert_eq!(events.expect("hello").data["build"], "", "no build yet");
    let error = events.expect("build-error");
    assert_eq!(error.data["diagnostics"][0]["file"], ENTRY);
    assert_eq!(error.data["diagnostics"][0]["line"], 4);

    save_by_rename(&catalogue.path(ENTRY), &good);
    let reload = events.expect("reload");
    assert!(reload.data["build"].as_str().is_some_and(|b| !b.is_empty()));
    let page = server.get("/orte/markthalle/");
    assert_eq!(page.status, 200);
    assert!(page.text().contains("Markthalle"));
}

#[test]
fn a_stylesheet_change_swaps_css_without_a_reload() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    copy_dir(&theme, &catalogue.path("themes/default"));
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);

    let css = "themes/default/static/assets/site.css";
    let text = catalogue.read(css);
    std::fs::write(
        catalogue.path(css),
        format!("{text}\n.casebook-test {{ color: red; }}\n"),
    )
    .unwrap();

    let burst = events.burst(EVENT_TIMEOUT, QUIET);
    assert_eq!(burst.len(), 1, "{burst:?}");
    assert_eq!(burst[0].name, "css", "{burst:?}");
    assert_eq!(burst[0].data["paths"][0], "/assets/site.css");
    let served = server.get("/assets/site.css");
    assert_eq!(
        served.header("Content-Type"),
        Some("text/css; charset=utf-8")
    );
    assert!(served.text().contains(".casebook-test"));

    // A template is not a stylesheet: the pages reload.
    let base = "themes/default/templates/base.html";
    let html = catalogue.read(base);
    let marker = "<meta name=\"casebook-test\" content=\"1\">";
    std::fs::write(
        catalogue.path(base),
        html.replacen("</head>", &format!("{marker}\n</head>"), 1),
    )
    .unwrap();
    let burst = events.burst(EVENT_TIMEOUT, QUIET);
    assert_eq!(burst.len(), 1, "{burst:?}");
    assert_eq!(burst[0].name, "reload", "{burst:?}");
    assert!(server.get("/").text().contains(marker));
}

#[test]
fn new_deleted_and_renamed_files_and_folders_are_picked_up() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);

    // A new entry.
    catalogue.write(
        "content/orte/kiosk.md",
        "---\ntitel: Kiosk\nkurzbeschreibung: Ein Kiosk als Nachbarschaftstreff.\n---\nText.\n",
    );
    events.expect("reload");
    assert_eq!(server.get("/orte/kiosk/").status, 200);

    // Renamed.
    std::fs::rename(
        catalogue.path("content/orte/kiosk.md"),
        catalogue.path("content/orte/trinkhalle.md"),
    )
    .unwrap();
    events.expect("reload");
    assert_eq!(server.get("/orte/kiosk/").status, 404);
    assert_eq!(server.get("/orte/trinkhalle/").status, 200);

    // Deleted.
    std::fs::remove_file(catalogue.path("content/orte/trinkhalle.md")).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/orte/trinkhalle/").status, 404);

    // A whole folder goes away, and comes back with a file written right after it.
    let folder = catalogue.path("content/formate");
    let saved = catalogue.read("content/formate/quartiersspaziergang.md");
    std::fs::remove_dir_all(&folder).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/formate/quartiersspaziergang/").status, 404);
    std::fs::create_dir(&folder).unwrap();
    std::fs::write(folder.join("quartiersspaziergang.md"), &saved).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/formate/quartiersspaziergang/").status, 200);

    // A folder renamed: its entries move with it (here: out of the catalogue and back).
    let outside = catalogue.path("formate-parked");
    std::fs::rename(&folder, &outside).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/formate/quartiersspaziergang/").status, 404);
    std::fs::rename(&outside, &folder).unwrap();
    events.expect("reload");
    assert_eq!(server.get("/formate/quartiersspaziergang/").status, 200);
    // Still watched after all that: an edit inside the folder that came back.
    let edited = saved.replace("titel: Quartiersspaziergang", "titel: Stadtteilrundgang");
    save_by_rename(&folder.join("quartiersspaziergang.md"), &edited);
    events.expect("reload");
    assert!(server
        .get("/formate/quartiersspaziergang/")
        .text()
        .contains("Stadtteilrundgang"));
}

#[test]
fn the_schema_is_watched_through_replacement_by_rename() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);
    let schema = catalogue.path("content/site.yaml");
    for title in ["Erster Titel", "Zweiter Titel"] {
        let text = catalogue
            .read("content/site.yaml")
            .lines()
            .map(|l| {
                if l.starts_with("title:") {
                    format!("title: {title}")
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let temp = schema.with_file_name("site.yaml.new-1");
        std::fs::write(&temp, text).unwrap();
        std::fs::rename(&temp, &schema).unwrap();
        let burst = events.burst(EVENT_TIMEOUT, QUIET);
        assert_eq!(burst.len(), 1, "{burst:?}");
        assert_eq!(burst[0].name, "reload");
        assert!(server.get("/").text().contains(title));
    }
}

#[test]
fn polling_sees_a_save_by_rename_once() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start_with(&catalogue.root, &["--port", "0", "--poll"]);
    let mut events = listen(&server);
    save_by_rename(
        &catalogue.path(ENTRY),
        &retitled(&catalogue, "Gepollte Halle"),
    );
    let burst = events.burst(EVENT_TIMEOUT, QUIET);
    assert_eq!(burst.len(), 1, "{burst:?}");
    assert_eq!(burst[0].name, "reload");
    assert!(server
        .get("/orte/markthalle/")
        .text()
        .contains("Gepollte Halle"));
}

#[test]
fn a_templates_folder_created_later_is_watched() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let mut events = listen(&server);

    std::fs::create_dir(catalogue.path("templates")).unwrap();
    catalogue.write(
        "templates/404.html",
        "<!DOCTYPE html><html lang=\"de\"><title>x</title><body><p>Eigene Fehlerseite</p></body></html>",
    );
    let mut found = false;
    for _ in 0..3 {
        if events.next(EVENT_TIMEOUT).is_none() {
            break;
        }
        if server
            .get("/gibt-es-nicht/")
            .text()
            .contains("Eigene Fehlerseite")
        {
            found = true;
            break;
        }
    }
    assert!(
        found,
        "the override was not picked up:\n{}",
        server.output()
    );

    // And edits inside the new folder are seen too.
    catalogue.write(
        "templates/404.html",
        "<!DOCTYPE html><html lang=\"de\"><title>x</title><body><p>Zweite Fassung</p></body></html>",
    );
    events.expect("reload");
    let missing = server.get("/gibt-es-nicht/");
    assert_eq!(missing.status, 404);
    assert!(missing.text().contains("Zweite Fassung"));
}
