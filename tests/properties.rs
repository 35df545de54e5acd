//! Properties of the parsers, escapers and path rules, on generated input (proptest). The same
//! invariants as the fuzz targets in `tests/fuzz/` (whose `shared/` checks this file includes),
//! run by the normal `cargo test`, fast enough for every run: no panic on any input, and
//! nothing that could escape a folder, a `<script>` or an attribute.

#[path = "fuzz/shared/catalogue.rs"]
mod catalogue;
#[path = "fuzz/shared/front_matter.rs"]
mod front_matter;
#[path = "fuzz/shared/markdown.rs"]
mod markdown;
#[path = "fuzz/shared/oracles.rs"]
mod oracles;
#[path = "fuzz/shared/request.rs"]
mod request;

/// What `src/serve/http.rs` imports as `super::session::SiteFiles`.
mod session {
    pub use casebook::serve::session::SiteFiles;
}
/// `serve::http` is private to the crate; its source is compiled in here so its request-target
/// rules can be tested directly. (Its own unit tests come along and run here too.)
#[allow(dead_code)]
#[path = "../src/serve/http.rs"]
mod http;

use casebook::escape;
use casebook::export::to_json;
use casebook::output::is_safe_relative;
use casebook::urls::slugify;
use proptest::prelude::*;
use proptest::test_runner::Config;
use std::sync::OnceLock;

/// Cases per property; the catalogue property, which renders pages, runs fewer.
const CASES: u32 = 256;

fn config(cases: u32) -> Config {
    Config {
        cases,
        // Failures are reported with the shrunk input; known ones become examples below.
        failure_persistence: None,
        ..Config::default()
    }
}

/// One of `parts`, for building inputs from the pieces parsers trip over.
fn part(parts: &'static [&'static str]) -> impl Strategy<Value = &'static str> {
    prop::sample::select(parts)
}

/// Several pieces from `parts` and free text, concatenated.
fn joined(parts: &'static [&'static str], max: usize) -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![3 => part(parts).prop_map(str::to_string), 1 => ".{0,6}"],
        0..max,
    )
    .prop_map(|v| v.concat())
}

// --- front matter and YAML -------------------------------------------------------------------

const YAML_KEYS: &[&str] = &[
    "titel",
    "thema",
    "lage",
    "quellen",
    "\"titel\"",
    "'x'",
    "? titel",
    "- a",
    "#",
    "",
];
const YAML_VALUES: &[&str] = &[
    " A",
    " [a, b]",
    " [a, b",
    " { lat: 1, lon: 2 }",
    " &a [x]",
    " *a",
    " !tag x",
    " |",
    " >-",
    " \"a: b\"",
    " 'x",
    " Über",
    " null",
    " ~",
    " 1e400",
    " 2019",
    " -",
    " \t",
    " :",
    " [[[[[[",
    " {a: {b: {c:",
    " @x",
    " `x`",
    " %",
    "",
];

fn yaml_line() -> impl Strategy<Value = String> {
    (
        part(YAML_KEYS),
        ":{0,1}",
        part(YAML_VALUES),
        "( {0,3}- [a-zä]{0,4}\n){0,2}",
    )
        .prop_map(|(k, colon, v, items)| format!("{k}{colon}{v}\n{items}"))
}

fn front_matter_file() -> impl Strategy<Value = Vec<u8>> {
    (
        part(&[
            "---\n",
            "---\r\n",
            "\u{feff}---\n",
            "--- \n",
            "",
            "...\n",
            "----\n",
        ]),
        prop::collection::vec(yaml_line(), 0..8),
        part(&["---\n", "...\n", "---", "", "--\n", "---\r"]),
        joined(&["# T\n", "text\n", "---\n", "\r\n", "\t"], 5),
    )
        .prop_map(|(open, lines, close, body)| {
            format!("{open}{}{close}{body}", lines.concat()).into_bytes()
        })
}

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn source_layer_survives_arbitrary_bytes(data in prop::collection::vec(any::<u8>(), 0..300)) {
        front_matter::check(&data);
    }

    #[test]
    fn source_layer_survives_yamlish_front_matter(data in front_matter_file()) {
        front_matter::check(&data);
    }
}

// --- one entry in a tiny catalogue -----------------------------------------------------------

fn tiny() -> &'static catalogue::Tiny {
    static TINY: OnceLock<catalogue::Tiny> = OnceLock::new();
    TINY.get_or_init(|| catalogue::Tiny::create_in_temp("properties"))
}

const FIELDS: &[&str] = &[
    "titel: Ein Titel",
    "titel: \"</script><script>alert(1)</script>\"",
    r#"titel: "\uFFFF\uFFFE & <b> ]]> \x01 \x1b""#,
    "titel: [a, b]",
    "kurzbeschreibung: \"<!-- \\\" ' & </textarea>\"",
    "thema: [beteiligung, leerstand]",
    "thema: [markthalle, unbekannt]",
    "thema: beteiligung",
    "stadt: [goettingen, beteiligung]",
    "lage: { lat: 51.5, lon: 9.9 }",
    "lage: { lat: 951.5, lon: -999, alt: 3 }",
    "lage: [1, 2]",
    "beginn: 2019",
    "beginn: \"zwanzig\"",
    "datum: 2021-02-29",
    "datum: 2024-02-29",
    "flaeche: .nan",
    "flaeche: 1e308",
    "kontakt: a@b.c",
    "kontakt: \"x@@y\"",
    "bild: media/bild.png",
    "bild: ../../etc/passwd",
    "website: javascript:alert(1)",
    "website: \"https://example.org/\\\" onmouseover=\\\"x\"",
    "website: https://",
    "traeger: [Verein, \"=HYPERLINK(1)\", {a: b}]",
    "links: [https://example.org, \"data:text/html,x\"]",
    "quellen: [{title: T, url: \"javascript:x\"}, {title: U}, {url: \"https://e.org/</script>\"}]",
    "uebertragbarkeit: \"[x](javascript:alert(1)) <img src=x onerror=alert(1)> [y](@/orte/markthalle-sued.md)\"",
    "eingesetzt_an: [ort/markthalle-sued, ort/fehlt, format/fuzz-eintrag, \"../x\"]",
    "eingesetzt_an: ort/markthalle-sued",
    "vorbild: [ort/markthalle-sued, ort/markthalle-sued]",
    "vorbild: format/fuzz-eintrag",
    "unbekannt: 1",
    "body: \"# Text\"",
    "body: [1]",
    "? [a]\n: b",
    "1: zwei",
    "titel: &a x\nkurzbeschreibung: *a",
];

const BODIES: &[&str] = &[
    "",
    "Text mit [Link](@/orte/markthalle-sued.md) und [kaputt](@/orte/fehlt.md#x).\n",
    "<script>alert(1)</script>\n",
    "<img src=x onerror=alert(1)>\n",
    "[x](javascript:alert(1)) ![i](data:image/png,x)\n",
    "# Eins\n## Eins\n### \n",
    "</textarea></title></script><!--\n",
    "| a | b |\n|---|---|\n| <b onclick=x>1</b> | 2 |\n",
    "[^1]\n\n[^1]: Fußnote <a href=\"javascript:x\">y</a>\n",
];

fn entry_file() -> impl Strategy<Value = (u8, Vec<u8>)> {
    (
        any::<u8>(),
        prop::collection::vec(part(FIELDS), 0..8),
        prop::collection::vec(part(BODIES), 0..3),
        any::<bool>(),
    )
        .prop_map(|(place, fields, bodies, front_matter)| {
            let yaml = fields.join("\n");
            let text = if front_matter {
                format!("---\n{yaml}\n---\n{}", bodies.concat())
            } else {
                format!("{yaml}\n")
            };
            (place, text.into_bytes())
        })
}

proptest! {
    #![proptest_config(config(48))]

    /// Load, check, resolve, export and render never panic, and every output keeps its
    /// invariant (safe paths, inline-safe JSON, well-formed XML, no foreign script).
    #[test]
    fn any_entry_file_checks_and_publishes_safely((place, bytes) in entry_file()) {
        tiny().run(place, &bytes);
    }
}

#[test]
fn a_valid_entry_has_no_errors_and_publishes() {
    let diagnostics = tiny().run(0, catalogue::FORMAT_ENTRY.as_bytes());
    let errors: Vec<_> = diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(errors.is_empty(), "{errors:#?}");
}

#[test]
fn a_hostile_entry_is_reported_not_published_as_script() {
    let hostile = "---\ntitel: \"</script><script>alert(1)</script>\"\nwebsite: javascript:alert(1)\n---\n<script>alert(2)</script>\n\n[x](javascript:y)\n";
    let diagnostics = tiny().run(0, hostile.as_bytes());
    let codes: Vec<&str> = diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&"bad-url"), "{codes:?}");
    assert!(codes.contains(&"unsafe-url"), "{codes:?}");
}

// --- Markdown --------------------------------------------------------------------------------

const MARKDOWN_PARTS: &[&str] = &[
    "[a](@/orte/markthalle.md)",
    "[b](@/formate/reallabor.md#ziel)",
    "[c](@/orte/fehlt.md)",
    "[d](javascript:alert(1))",
    "[e](JaVaScRiPt:x)",
    "[f](java\tscript:x)",
    "[g](&#106;avascript:x)",
    "[h](java&#x09;script:x)",
    "[i]( data:text/html,x)",
    "[j](vbscript:x)",
    "[k](https://example.org/a:b)",
    "![l](javascript:x)",
    "[m]: javascript:x\n\n[m]\n",
    "<javascript:alert(1)>",
    "<a href=\"javascript:x\">n</a>",
    "<a href=\"java&#x0A;script:x\">o</a>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//x></SCRIPT>",
    "<scr<script>ipt>",
    "<iframe src=x></iframe>",
    "<style>*{}</style>",
    "<div style=\"x\" onclick=\"y\">p</div>",
    "<!-- <script> -->",
    "<![CDATA[<script>]]>",
    "<math><mi xlink:href=\"javascript:x\">q</mi></math>",
    "<form action=javascript:x><button formaction=javascript:y>r</button></form>",
    "<base href=//evil>",
    "<meta http-equiv=refresh content=\"0;url=javascript:x\">",
    "`<script>`",
    "```\n<script>\n```\n",
    "# Titel",
    "| a | b |\n|---|---|\n| 1 | 2 |\n",
    "[^1]\n\n[^1]: x\n",
    "~~x~~",
    "*",
    "\n",
    "\n\n",
    "    ",
    "> ",
    "- ",
    "ä",
    "\u{0}",
    "onclick=x",
];

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn markdown_without_raw_html_cannot_run_code(md in joined(MARKDOWN_PARTS, 12)) {
        markdown::check(&md);
    }

    #[test]
    fn markdown_survives_arbitrary_text(md in ".{0,200}") {
        markdown::check(&md);
    }

    #[test]
    fn plain_text_survives_arbitrary_html(html in joined(MARKDOWN_PARTS, 12)) {
        markdown::check_plain_text(&html);
    }

    /// The search index reads words byte by byte; they are exactly the runs of
    /// `char::is_alphanumeric` (what the browser's `[\p{Alphabetic}\p{N}]+` finds).
    #[test]
    fn search_words_are_the_runs_of_letters_and_digits(text in "(\\PC|[a-zäöüß0-9 .,-]){0,80}") {
        let want: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
        let got: Vec<&str> = casebook::search::words(&text).collect();
        prop_assert_eq!(got, want);
    }
}

// --- request targets of the dev server -------------------------------------------------------

const PATH_PARTS: &[&str] = &[
    "/",
    "//",
    "..",
    ".",
    "%2e",
    "%2E",
    "%2e%2e",
    ".%2e",
    "%2f",
    "%2F",
    "%5c",
    "%5C",
    "\\",
    "%00",
    "%0a",
    "%",
    "%zz",
    "%c3%a4",
    "%ff",
    "?",
    "#",
    "orte",
    "markthalle",
    "index.html",
    "http://h",
    "HTTPS://h",
    "http://h?",
    "a b",
    "städte",
    "*",
    "../secret",
    "%252e",
];

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn request_targets_never_leave_the_site(raw in joined(PATH_PARTS, 10)) {
        request::check(&raw);
    }

    #[test]
    fn request_targets_from_arbitrary_text(raw in "/?.{0,40}") {
        request::check(&raw);
    }
}

#[test]
fn request_target_examples_behave() {
    let path = |raw: &str| http::parse_target(raw).map(|t| t.path);
    assert_eq!(
        path("/orte/markthalle/"),
        Ok("/orte/markthalle/".to_string())
    );
    for climb in [
        "/..",
        "/%2e%2e/x",
        "/a/.%2E/../b",
        "/%5c..%5c",
        "//x",
        "/x%00",
    ] {
        assert_eq!(path(climb), Err(http::Refusal::NotFound), "{climb}");
    }
    assert_eq!(
        http::lookup(request::site(), &http::parse_target("/orte").unwrap()),
        http::Lookup::Redirect("/orte/".to_string())
    );
}

/// Found by the `request_path` fuzz target: a raw CR or LF in the query was copied into the
/// redirect's `Location`, which the server then dropped, sending a 301 without one. `lookup`
/// now leaves such a query out.
#[test]
fn redirects_never_carry_a_line_break() {
    for raw in ["/orte?\n", "/orte?a=1\r", "http://h/orte?\n"] {
        request::check(raw);
    }
}

// --- slugs, output paths, JSON, XML ----------------------------------------------------------

/// `^[a-z0-9]+(-[a-z0-9]+)*$`, written out.
fn is_clean_slug(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--")
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

const SEGMENTS: &[&str] = &[
    "..",
    ".",
    "",
    "orte",
    "x",
    "index.html",
    "a\\b",
    "\0",
    "...",
    ". .",
    "..x",
    "%2e%2e",
];

proptest! {
    #![proptest_config(config(CASES))]

    #[test]
    fn slugs_are_empty_or_clean(s in ".{0,150}") {
        let slug = slugify(&s);
        prop_assert!(slug.is_empty() || is_clean_slug(&slug), "{s:?} → {slug:?}");
        prop_assert!(slug.len() <= 100, "{} bytes", slug.len());
    }

    #[test]
    fn long_and_german_names_make_clean_slugs(s in "[A-Za-zÄÖÜäöüß0-9 _.-]{0,300}") {
        let slug = slugify(&s);
        prop_assert!(slug.is_empty() || is_clean_slug(&slug), "{s:?} → {slug:?}");
        prop_assert!(slug.len() <= 100);
        prop_assert_eq!(slugify(&slug), slug.clone(), "a slug is its own slug");
    }

    #[test]
    fn safe_relative_paths_never_climb(segments in prop::collection::vec(part(SEGMENTS), 0..6), lead in part(&["", "/", "./"])) {
        let rel = format!("{lead}{}", segments.join("/"));
        if is_safe_relative(&rel) {
            prop_assert!(!rel.split('/').any(|s| s == ".." || s == "." || s.is_empty()), "{rel:?}");
            prop_assert!(!rel.starts_with('/') && !rel.contains('\\') && !rel.contains('\0'), "{rel:?}");
        }
        if rel.split('/').any(|s| s == "..") {
            prop_assert!(!is_safe_relative(&rel), "{rel:?} accepted");
        }
    }

    #[test]
    fn json_never_closes_a_script_or_opens_a_comment(strings in prop::collection::vec(joined(&["</", "<!--", "-->", "</script>", "<", "/", "&", ">", "\u{2028}"], 6), 0..5)) {
        let value = serde_json::json!({ "titel": strings.first(), "liste": strings.clone(), strings.concat(): 1 });
        let bytes = to_json(&value);
        if let Some(p) = oracles::json_problem(&bytes) {
            return Err(TestCaseError::fail(format!("{p}: {}", String::from_utf8_lossy(&bytes))));
        }
        let back: serde_json::Value = serde_json::from_slice(&bytes).expect("valid JSON");
        prop_assert_eq!(back, value, "escaping changed the meaning");
    }

    #[test]
    fn xml_escape_leaves_no_markup(s in joined(&["&", "<", ">", "\"", "'", "&amp;", "&#x3c;", "]]>", "\u{1}", "\t", "\u{FFFE}", "\u{FFFF}"], 8)) {
        let escaped = escape::xml(&s);
        prop_assert!(!escaped.contains('<'), "{escaped:?}");
        for (i, _) in escaped.match_indices('&') {
            let rest = &escaped[i..];
            prop_assert!(
                ["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"].iter().any(|e| rest.starts_with(e)),
                "`&` without an entity in {escaped:?}"
            );
        }
        let doc = format!("<t a=\"{escaped}\">{escaped}</t>");
        prop_assert!(roxmltree::Document::parse(&doc).is_ok(), "{doc:?}");
    }
}

/// Atom feeds carry titles and summaries; U+FFFE, U+FFFF and C0 controls are not XML
/// characters, so `escape::xml` must drop them or every feed reader refuses the feed (found by
/// the feed check of the entry property, since fixed).
#[test]
fn characters_xml_forbids_do_not_break_the_feeds() {
    let entry = "---\ntitel: \"Halle \\uFFFE\\uFFFF \\x01\\x1b Ende\"\nkurzbeschreibung: \"\\uFFFF\"\n---\nText\n";
    // `run` parses every feed and panics if one is not well-formed.
    let diagnostics = tiny().run(0, entry.as_bytes());
    assert!(
        !diagnostics.iter().any(|d| d.code == "yaml-syntax"),
        "the escapes must reach the title: {diagnostics:#?}"
    );
}
