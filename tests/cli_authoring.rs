//! Authoring (#21): drafts, earlier addresses, dates set by an entry or coming from a shallow
//! clone, and `casebook new` speaking the catalogue's own words. Each test runs the real binary
//! on a copy of `tests/fixtures/valid-small`, whose site.yaml has the roles `draft: entwurf`,
//! `aliases: frueher` and `updated: stand`. Run: `cargo test --test cli_authoring`.

mod common;

use common::{build, casebook, check_json, json_diags, snapshot};
use std::ffi::OsStr;
use std::path::Path;

/// A draft with a title and slug found nowhere else, pointed at by a published entry.
const DRAFT: &str = "---
entwurf: true
titel: Verborgener Entwurf Quokka
kurzbeschreibung: Ein Fall, der noch nicht veröffentlicht ist.
handlungsfeld: [zentren]
thema: [klima]
stadt: Quokkastadt
lage: { lat: 51.5, lon: 9.9 }
quellen:
  - title: Quokka-Quelle
    url: https://example.org/quokka
---
Der Entwurf spricht vom Quokka.
";

fn write(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, text).expect("write");
}

/// Every output file whose bytes contain `needle`.
fn files_containing(out: &Path, needle: &str) -> Vec<String> {
    snapshot(out)
        .into_iter()
        .filter(|(rel, bytes)| {
            !rel.ends_with('/') && String::from_utf8_lossy(bytes).contains(needle)
        })
        .map(|(rel, _)| rel)
        .collect()
}

#[test]
fn a_public_build_leaves_a_draft_out_everywhere_and_the_preview_shows_it_with_a_badge() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    let draft = root.join("content/orte/quokka-entwurf.md");
    write(&draft, DRAFT);
    // A published entry that names the draft in a reference field and in its text.
    let referrer = root.join("content/formate/quartiersspaziergang.md");
    let text = std::fs::read_to_string(&referrer).expect("read");
    write(
        &referrer,
        &text.replacen(
            "siehe_auch: [format/reallabor-marktplatz]",
            "siehe_auch: [format/reallabor-marktplatz, ort/quokka-entwurf]",
            1,
        ),
    );

    let (run, json) = check_json(&root);
    run.assert_exit(0);
    let json = json.expect("json");
    let codes: Vec<String> = json_diags(&json).into_iter().map(|d| d.code).collect();
    assert!(
        codes.contains(&"reference-to-draft".to_string()),
        "{codes:?}"
    );

    let out = tmp.join("public");
    build(&root, &out, &[]).assert_exit(0);
    for needle in ["quokka-entwurf", "Quokka", "quokka"] {
        let found = files_containing(&out, needle);
        assert!(
            found.is_empty(),
            "the public build shows the draft (`{needle}`) in {found:?}"
        );
    }
    // Counts leave it out too: valid-small has two Orte.
    let catalogue: serde_json::Value = serde_json::from_slice(
        &std::fs::read(out.join("export/katalog.json")).expect("katalog.json"),
    )
    .expect("json");
    let orte = catalogue["entries"]
        .as_array()
        .map(|e| e.iter().filter(|x| x["type"] == "ort").count());
    assert_eq!(orte, Some(2), "{}", catalogue["entries"]);

    let preview = tmp.join("preview");
    build(&root, &preview, &["--preview"]).assert_exit(0);
    let page = std::fs::read_to_string(preview.join("orte/quokka-entwurf/index.html"))
        .expect("the preview has the draft's page");
    let html = scraper::Html::parse_document(&page);
    let badge = scraper::Selector::parse(".entry-kicker .badge-draft").expect("selector");
    let badges: Vec<String> = html
        .select(&badge)
        .map(|b| b.text().collect::<String>())
        .collect();
    assert_eq!(badges, ["Entwurf"], "the draft's page carries the badge");
    assert!(
        !files_containing(&preview, "Quokka").is_empty()
            && files_containing(&preview, "Quokka")
                .iter()
                .any(|f| f.starts_with("search/")),
        "the preview's search finds the draft"
    );

    // Removing the flag publishes it.
    write(&draft, &DRAFT.replacen("entwurf: true\n", "", 1));
    build(&root, &out, &[]).assert_exit(0);
    let page = std::fs::read_to_string(out.join("orte/quokka-entwurf/index.html"))
        .expect("published once the flag is gone");
    assert!(!page.contains("badge-draft"), "no badge once published");
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    assert!(sitemap.contains("orte/quokka-entwurf/"), "{sitemap}");
}

#[test]
fn an_empty_required_field_fails_a_public_entry_and_never_builds_an_empty_heading() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    let entry = root.join("content/orte/leerer-titel.md");
    write(
        &entry,
        "---\ntitel: \"  \"\nkurzbeschreibung: Kurz.\nhandlungsfeld: [zentren]\n---\nText.\n",
    );
    let run = build(&root, &tmp.join("out"), &[]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("error[empty-field]") && run.stderr.contains("leerer-titel.md:2:1"),
        "{}",
        run.output()
    );
    // As a draft, the preview builds it, headed by its file name rather than nothing.
    write(
        &entry,
        "---\nentwurf: true\ntitel: \"\"\nkurzbeschreibung: Kurz.\nhandlungsfeld: [zentren]\n---\nText.\n",
    );
    let preview = tmp.join("preview");
    build(&root, &preview, &["--preview"]).assert_exit(0);
    let page = std::fs::read_to_string(preview.join("orte/leerer-titel/index.html")).expect("page");
    assert!(!page.contains("<h1></h1>"), "an empty heading");
    assert!(
        page.contains("<h1>leerer-titel</h1>"),
        "the file name heads the page"
    );
}

#[test]
fn renamed_entries_keep_their_old_addresses_as_redirects_outside_the_sitemap() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    let entry = root.join("content/orte/stadtteilbuero-nord.md");
    let text = std::fs::read_to_string(&entry).expect("read");
    write(
        &entry,
        &text.replacen(
            "---\n",
            "---\nfrueher: [altes-buero, format/buero-als-format]\n",
            1,
        ),
    );
    let out = tmp.join("out");
    build(&root, &out, &[]).assert_exit(0);
    for old in [
        "orte/altes-buero/index.html",
        "formate/buero-als-format/index.html",
    ] {
        let page = std::fs::read_to_string(out.join(old)).unwrap_or_else(|_| panic!("{old}"));
        let html = scraper::Html::parse_document(&page);
        let refresh = scraper::Selector::parse("meta[http-equiv=refresh]").expect("selector");
        let canonical = scraper::Selector::parse("link[rel=canonical]").expect("selector");
        let content = html
            .select(&refresh)
            .next()
            .and_then(|m| m.value().attr("content"))
            .unwrap_or_default();
        assert_eq!(content, "0; url=/orte/stadtteilbuero-nord/", "{old}");
        let href = html
            .select(&canonical)
            .next()
            .and_then(|m| m.value().attr("href"))
            .unwrap_or_default();
        assert_eq!(
            href, "https://example.org/orte/stadtteilbuero-nord/",
            "{old}"
        );
    }
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    assert!(sitemap.contains("/orte/stadtteilbuero-nord/"));
    for file in ["sitemap.xml", "feeds/alle.xml", "export/katalog.json"] {
        let text = std::fs::read_to_string(out.join(file)).expect(file);
        assert!(
            !text.contains("altes-buero"),
            "{file} lists the old address"
        );
    }
}

#[test]
fn an_entry_sets_its_own_date_and_a_shallow_clone_is_named_once() {
    let git = |dir: &Path, args: &[&str]| {
        let out = std::process::Command::new("git")
            .current_dir(dir)
            .args(args)
            .env("GIT_AUTHOR_DATE", "2021-06-01T12:00:00Z")
            .env("GIT_COMMITTER_DATE", "2021-06-01T12:00:00Z")
            .output()
            .expect("git runs (git is installed on every machine casebook is built on)");
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let (tmp, root) = common::catalogue_copy("valid-small");
    let entry = root.join("content/orte/stadtteilbuero-nord.md");
    let text = std::fs::read_to_string(&entry).expect("read");
    write(
        &entry,
        &text.replacen("---\n", "---\nstand: 2019-03-04\n", 1),
    );
    for args in [
        &["init", "-q"][..],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "add",
            ".",
        ],
        &[
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.org",
            "commit",
            "-qm",
            "one",
        ],
    ] {
        git(&root, args);
    }
    let out = tmp.join("full");
    let run = build(&root, &out, &[]);
    run.assert_exit(0);
    assert!(!run.stderr.contains("shallow-clone"), "{}", run.output());
    let sitemap = std::fs::read_to_string(out.join("sitemap.xml")).expect("sitemap");
    assert!(
        sitemap.contains("2019-03-04"),
        "the entry's own date wins: {sitemap}"
    );
    assert!(
        sitemap.contains("2021-06-01"),
        "the others are dated by git: {sitemap}"
    );

    let clone = tmp.join("clone");
    let url = format!("file://{}", root.display());
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            &url,
            clone.to_str().expect("utf-8"),
        ],
    );
    let run = build(&clone, &tmp.join("shallow-out"), &[]);
    run.assert_exit(0);
    assert_eq!(
        run.stderr.matches("warning[shallow-clone]").count(),
        1,
        "{}",
        run.output()
    );
    assert!(
        run.stderr.contains("`stand:`"),
        "the hint names the date field: {}",
        run.output()
    );
}

fn new_entry(root: &Path, args: &[&str]) -> common::Run {
    let mut all: Vec<&OsStr> = vec![OsStr::new("--root"), root.as_os_str(), OsStr::new("new")];
    all.extend(args.iter().map(OsStr::new));
    casebook(&all)
}

#[test]
fn new_writes_a_draft_that_checks_with_warnings_and_stays_out_of_the_public_build() {
    let (tmp, root) = common::catalogue_copy("valid-small");
    new_entry(&root, &["format", "Ganz neu"]).assert_exit(0);
    let text = std::fs::read_to_string(root.join("content/formate/ganz-neu.md")).expect("new");
    assert!(text.contains("\nentwurf: true\n"), "{text}");
    let (run, json) = check_json(&root);
    run.assert_exit(0);
    let diags = json_diags(&json.expect("json"));
    let mut empty: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "empty-field" && d.severity == "warning")
        .map(|d| d.message.split('`').nth(1).unwrap_or(""))
        .collect();
    empty.sort();
    assert_eq!(empty, ["handlungsfeld", "kurzbeschreibung"], "{diags:?}");
    let out = tmp.join("out");
    build(&root, &out, &[]).assert_exit(0);
    assert!(files_containing(&out, "ganz-neu").is_empty());
}

#[test]
fn new_suggests_the_type_meant_and_its_help_names_no_bundled_type() {
    let (_tmp, root) = common::catalogue_copy("valid-small");
    let run = new_entry(&root, &["formt", "Tippfehler"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("did you mean `format`?"),
        "{}",
        run.output()
    );
    let help = casebook(&["new", "--help"]);
    help.assert_exit(0);
    for bundled in ["`ort`", "strategie", "format`"] {
        assert!(!help.stdout.contains(bundled), "{}", help.output());
    }
}
