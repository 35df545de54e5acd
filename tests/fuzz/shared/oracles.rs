//! Invariants shared by the fuzz targets (`tests/fuzz/fuzz_targets/`) and the property tests
//! (`tests/properties.rs`). Each check returns the first violation in words, or `None`, so a
//! failing run names what broke instead of only where.
//!
//! HTML is judged the way a browser sees it (html5ever via `scraper`), not by substring search:
//! text such as `a onclick=b` in a paragraph is harmless, `<p onclick=b>` is not.

#![allow(dead_code)] // every user needs a different part

use std::collections::HashMap;

/// URL schemes a published page may link to; everything else (`javascript:`, `data:`,
/// `vbscript:`…) must have been removed.
pub const SAFE_SCHEMES: &[&str] = &["http", "https", "mailto", "tel"];

/// Elements that run code, embed other documents or redirect every relative link.
const ACTIVE_ELEMENTS: &[&str] = &[
    "iframe", "frame", "frameset", "object", "embed", "applet", "base",
];

/// Attributes whose value a browser follows or loads as a URL.
const URL_ATTRIBUTES: &[&str] = &[
    "href",
    "src",
    "action",
    "formaction",
    "poster",
    "data",
    "background",
    "cite",
    "ping",
    "xlink:href",
];

/// The scheme a browser reads from a URL attribute value (already entity-decoded), lowercased;
/// `None` for a relative URL. Follows the WHATWG URL parser: leading and trailing C0 controls
/// and spaces are dropped, tabs and newlines anywhere are ignored.
pub fn url_scheme(value: &str) -> Option<String> {
    let trimmed = value.trim_matches(|c: char| c <= ' ');
    let cleaned: String = trimmed
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let colon = cleaned.find(':')?;
    let scheme = &cleaned[..colon];
    let mut chars = scheme.chars();
    let first = chars.next()?;
    let valid = first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then(|| scheme.to_ascii_lowercase())
}

/// What a parsed document contains that can run code: `problems` are always wrong;
/// `scripts` lists every `<script>` as `src=…` or `inline`, for the caller to judge.
#[derive(Debug, Default)]
pub struct ActiveContent {
    pub problems: Vec<String>,
    pub scripts: Vec<Script>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Script {
    pub src: Option<String>,
    pub kind: Option<String>,
    pub text: String,
}

/// Walks every element of `doc`. URL values in `exempt` are the caller's own and not judged.
pub fn active_content(doc: &scraper::Html, exempt: &[&str]) -> ActiveContent {
    let mut found = ActiveContent::default();
    for node in doc.tree.nodes() {
        let Some(element) = node.value().as_element() else {
            continue;
        };
        let name = element.name().to_ascii_lowercase();
        if name == "script" {
            let text: String = node
                .children()
                .filter_map(|c| c.value().as_text().map(|t| t.to_string()))
                .collect();
            found.scripts.push(Script {
                src: element.attr("src").map(str::to_string),
                kind: element.attr("type").map(str::to_ascii_lowercase),
                text,
            });
        }
        if ACTIVE_ELEMENTS.contains(&name.as_str()) {
            found.problems.push(format!("a <{name}> element"));
        }
        if name == "meta"
            && element
                .attr("http-equiv")
                .is_some_and(|v| v.eq_ignore_ascii_case("refresh"))
        {
            found
                .problems
                .push("a <meta http-equiv=refresh> redirect".into());
        }
        for (attr, value) in element.attrs() {
            let attr = attr.to_ascii_lowercase();
            if attr.starts_with("on") {
                found
                    .problems
                    .push(format!("an event handler attribute `{attr}` on <{name}>"));
            }
            if URL_ATTRIBUTES.contains(&attr.as_str()) && !exempt.contains(&value) {
                if let Some(scheme) = url_scheme(value) {
                    if !SAFE_SCHEMES.contains(&scheme.as_str()) {
                        found.problems.push(format!(
                            "<{name} {attr}=\"{value}\"> uses the scheme `{scheme}:`"
                        ));
                    }
                }
            }
        }
    }
    found
}

/// For rendered Markdown with raw HTML off: no `<script` anywhere in the text, and no element,
/// event handler or URL scheme that can run code.
pub fn markdown_html_problem(html: &str) -> Option<String> {
    if html.to_ascii_lowercase().contains("<script") {
        return Some(format!("`<script` in the output: {html}"));
    }
    let doc = scraper::Html::parse_fragment(html);
    let found = active_content(&doc, &[]);
    if let Some(script) = found.scripts.first() {
        return Some(format!("a script element {script:?} in: {html}"));
    }
    found
        .problems
        .into_iter()
        .next()
        .map(|p| format!("{p} in: {html}"))
}

/// The one inline script the default theme writes (in `<head>`, before the first paint, so that
/// pages are laid out as their scripts will leave them): exactly this text, nothing else.
const THEME_INLINE_SCRIPT: &str = r#"document.documentElement.classList.add("js")"#;

/// For a whole rendered page: the theme's own scripts only (`src` below `<base path>assets/`,
/// inline JSON data that parses as JSON, or [`THEME_INLINE_SCRIPT`]), and nothing from
/// `active_content`'s problem list.
pub fn page_problem(html: &str, base_path: &str) -> Option<String> {
    let doc = scraper::Html::parse_document(html);
    // The theme's empty favicon (`<link rel="icon" href="data:,">`) spares a request.
    let found = active_content(&doc, &["data:,"]);
    if let Some(p) = found.problems.into_iter().next() {
        return Some(p);
    }
    let assets = format!("{base_path}assets/");
    for script in &found.scripts {
        let ok = match (&script.src, script.kind.as_deref()) {
            (Some(src), _) => {
                src.starts_with(&assets) && !src.contains("..") && script.text.trim().is_empty()
            }
            (None, Some("application/json" | "application/ld+json")) => {
                serde_json::from_str::<serde_json::Value>(&script.text).is_ok()
            }
            (None, None) => script.text == THEME_INLINE_SCRIPT,
            (None, _) => false,
        };
        if !ok {
            return Some(format!("a script the theme did not write: {script:?}"));
        }
    }
    None
}

/// JSON that pages may inline must not be able to close a `<script>` or open a comment.
pub fn json_problem(bytes: &[u8]) -> Option<String> {
    if let Err(e) = serde_json::from_slice::<serde_json::Value>(bytes) {
        return Some(format!("not valid JSON: {e}"));
    }
    let text = String::from_utf8_lossy(bytes);
    ["</", "<!--", "-->"]
        .iter()
        .find(|s| text.contains(*s))
        .map(|s| format!("contains `{s}`"))
}

/// Feeds and the sitemap must be well-formed XML whatever the entries contain.
pub fn xml_problem(bytes: &[u8]) -> Option<String> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => return Some(format!("not UTF-8: {e}")),
    };
    roxmltree::Document::parse(text)
        .err()
        .map(|e| format!("not well-formed XML: {e}"))
}

/// `casebook::escape::xml` output: no `<` or `>`, no quote, every `&` starts an entity, no
/// character XML 1.0 forbids.
pub fn escaped_xml_problem(escaped: &str) -> Option<String> {
    if let Some(c) = escaped
        .chars()
        .find(|c| matches!(c, '<' | '>' | '"' | '\''))
    {
        return Some(format!("raw `{c}`"));
    }
    for (i, _) in escaped.match_indices('&') {
        let rest = &escaped[i..];
        if !["&amp;", "&lt;", "&gt;", "&quot;", "&apos;"]
            .iter()
            .any(|e| rest.starts_with(e))
        {
            return Some(format!(
                "`&` not followed by an entity at byte {i}: {escaped}"
            ));
        }
    }
    escaped
        .chars()
        .find(|&c| !is_xml_char(c))
        .map(|c| format!("character U+{:04X}, which XML 1.0 forbids", c as u32))
}

/// XML 1.0 `Char`: tab, newline, carriage return and everything from U+0020 except the
/// surrogates (not representable in Rust) and U+FFFE/U+FFFF.
pub fn is_xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
}

/// Why `key`, a path of the served site's in-memory files, could name something outside the
/// site: `..` segments, a leading `/`, backslashes, NUL.
pub fn site_key_problem(key: &str) -> Option<&'static str> {
    if key.starts_with('/') {
        Some("starts with `/`")
    } else if key.contains('\\') {
        Some("contains `\\`")
    } else if key.contains('\0') {
        Some("contains NUL")
    } else if key.split('/').any(|s| s == "..") {
        Some("has a `..` segment")
    } else {
        None
    }
}

/// `%XX` decoded bytewise, leaving malformed escapes as they are; an independent, deliberately
/// naive decoder for judging what a request could name.
pub fn percent_decode_lossy(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The path a request target names, decoded: origin form up to `?`/`#`, or the path of the
/// absolute form (`http://host/path`).
pub fn naive_request_path(target: &str) -> String {
    let target = target.split('#').next().unwrap_or("");
    let lower = target.to_ascii_lowercase();
    let path = match ["http://", "https://"]
        .iter()
        .find(|s| lower.starts_with(*s))
    {
        Some(scheme) => {
            let rest = &target[scheme.len()..];
            match rest.find(['/', '?']) {
                Some(i) => &rest[i..],
                None => "",
            }
        }
        None => target,
    };
    let path = path.split('?').next().unwrap_or("");
    percent_decode_lossy(path)
}

/// A file the served site answered with must be reachable without leaving the site: the path
/// that named it has no `..`, `\` or NUL after decoding.
pub fn served_path_problem(decoded: &str) -> Option<&'static str> {
    if decoded.contains('\\') {
        Some("contains `\\`")
    } else if decoded.contains('\0') {
        Some("contains NUL")
    } else if decoded.split('/').any(|s| s == "..") {
        Some("has a `..` segment")
    } else {
        None
    }
}

/// A redirect must stay on the site: a path starting with one `/`, never `//` or `/\`
/// (protocol-relative, an open redirect), never a scheme, never a line break.
pub fn location_problem(location: &str) -> Option<&'static str> {
    if !location.starts_with('/') {
        Some("does not start with `/`")
    } else if location.starts_with("//") || location.starts_with("/\\") {
        Some("is protocol-relative (an open redirect)")
    } else if location.contains(['\r', '\n']) {
        Some("contains a line break")
    } else {
        None
    }
}

/// A tiny HTTP/1.1 response head: status and headers (names lowercased).
#[derive(Debug)]
pub struct ResponseHead {
    pub status: u16,
    pub headers: HashMap<String, String>,
}

/// Parses `HTTP/1.1 200 OK\r\nName: value\r\n…` (without the final empty line).
pub fn parse_response_head(head: &str) -> Option<ResponseHead> {
    let mut lines = head.split("\r\n");
    let status_line = lines.next()?;
    let mut parts = status_line.splitn(3, ' ');
    let version = parts.next()?;
    if version != "HTTP/1.1" {
        return None;
    }
    let status = parts.next()?.parse().ok()?;
    let headers = lines
        .filter(|l| !l.is_empty())
        .map(|l| {
            let (n, v) = l.split_once(':')?;
            Some((n.trim().to_ascii_lowercase(), v.trim().to_string()))
        })
        .collect::<Option<HashMap<_, _>>>()?;
    Some(ResponseHead { status, headers })
}
