//! Markdown through `markdown::render` with raw HTML off and on. With it off (the
//! default), the HTML must not be able to run code: no `<script`, no `on…=` event handler, no
//! `javascript:` (or any scheme but http(s), mailto, tel) URL, judged as a browser parses it.
//! The plain text taken from either HTML (for search and exports) is words with single spaces.
//! Shared by the `markdown` fuzz target and `tests/properties.rs`; needs `oracles` at the crate
//! root.

use casebook::markdown::{plain_text, render, INTERNAL_PREFIX};

/// Knows two content paths, like a catalogue with two entries.
pub fn resolver(path: &str) -> Option<String> {
    match path {
        "orte/markthalle.md" => Some("/katalog/orte/markthalle/".into()),
        "formate/reallabor.md" => Some("/katalog/formate/reallabor/".into()),
        _ => None,
    }
}

/// Renders `markdown` with raw HTML off and on; panics with the broken invariant.
pub fn check(markdown: &str) {
    let safe = render(markdown, &resolver, false);
    if let Some(problem) = crate::oracles::markdown_html_problem(&safe.html) {
        panic!("raw HTML off, yet {problem}\nmarkdown: {markdown:?}");
    }
    for (target, offset) in safe.broken_links.iter().chain(&safe.unsafe_urls) {
        // `check` slices the body at these offsets to find the line.
        assert!(
            markdown.is_char_boundary(*offset),
            "offset {offset} of {target:?}"
        );
    }
    for (target, _) in &safe.broken_links {
        assert!(target.starts_with(INTERNAL_PREFIX));
    }
    let raw = render(markdown, &resolver, true);
    assert_eq!(raw.broken_links, safe.broken_links);
    assert_eq!(raw.unsafe_urls, safe.unsafe_urls);
    assert_eq!(raw.internal_links, safe.internal_links);
    check_plain_text(&safe.html);
    check_plain_text(&raw.html);
}

/// The plain text of any `html`: no leading, trailing or doubled (ASCII) whitespace.
pub fn check_plain_text(html: &str) {
    let text = plain_text(html);
    let trimmed = text.trim_matches(|c: char| c.is_ascii_whitespace());
    assert_eq!(trimmed, text, "html: {html:?}");
    assert!(
        !text.contains("  ") && !text.contains(['\n', '\t', '\r']),
        "{text:?} from {html:?}"
    );
}
