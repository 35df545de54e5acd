//! Markdown to HTML with pulldown-cmark: tables, footnotes, strikethrough, heading anchors,
//! internal links (`@/formate/living-lab.md`) resolved and checked, unsafe URLs removed, and raw
//! HTML sanitised with ammonia unless the catalogue opts out.

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::sync::OnceLock;

/// Result of rendering one Markdown text.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Rendered {
    pub html: String,
    /// Internal links whose target does not exist: (target, byte offset in the Markdown).
    pub broken_links: Vec<(String, usize)>,
    /// Links and images with a scheme that can run script (`javascript:`, `data:`...).
    pub unsafe_urls: Vec<(String, usize)>,
    /// Targets (content paths) of the internal links, for rebuilding dependants.
    pub internal_links: Vec<String>,
    /// Raw HTML nested deeper than `MAX_RAW_HTML_DEPTH`; it was escaped, not sanitised.
    pub raw_html_too_deep: bool,
}

/// How deeply raw HTML may nest. Sanitising costs grow much faster than the input beyond this,
/// and no hand-written case needs it.
pub const MAX_RAW_HTML_DEPTH: usize = 100;

/// The deepest nesting of tags in a piece of HTML, counted roughly (opening minus closing tags).
fn html_depth(html: &str) -> usize {
    let bytes = html.as_bytes();
    let (mut depth, mut max) = (0usize, 0usize);
    for (i, b) in bytes.iter().enumerate() {
        if *b != b'<' {
            continue;
        }
        match bytes.get(i + 1) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                depth += 1;
                max = max.max(depth);
            }
            _ => {}
        }
    }
    max
}

/// Turns an internal link target (`formate/living-lab.md`) into a URL, if it exists.
pub trait LinkResolver {
    fn resolve(&self, content_path: &str) -> Option<String>;
}

impl<F: Fn(&str) -> Option<String>> LinkResolver for F {
    fn resolve(&self, content_path: &str) -> Option<String> {
        self(content_path)
    }
}

/// Prefix of internal links in Markdown, as in Zola.
pub const INTERNAL_PREFIX: &str = "@/";

/// What every id in content HTML starts with: heading anchors, footnotes and the ids of raw
/// HTML. The theme's own ids (`main`, `map-app`, `facts-heading`...) never do, so an entry
/// cannot plant an element the theme's scripts, styles or `aria-labelledby` would take for
/// their own. Fragment links written in Markdown (`#ablauf`, `@/orte/x.md#ablauf`) get it too.
pub const CONTENT_ID_PREFIX: &str = "text-";

/// `#fragment` as it points into content HTML.
fn content_fragment(fragment: &str) -> String {
    format!("#{CONTENT_ID_PREFIX}{fragment}")
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_FOOTNOTES | Options::ENABLE_STRIKETHROUGH
}

/// Whether a URL may appear in a link: relative, fragment, or http(s)/mailto/tel.
pub fn is_safe_url(url: &str) -> bool {
    let trimmed: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_ascii_whitespace() && !c.is_control())
        .collect();
    let lower = trimmed.to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after the first `/`, `?` or `#` is not a scheme separator.
            let first_sep = lower.find(['/', '?', '#']).unwrap_or(usize::MAX);
            if first_sep < colon {
                return true;
            }
            let scheme = &lower[..colon];
            matches!(scheme, "http" | "https" | "mailto" | "tel")
        }
    }
}

/// Renders Markdown to HTML.
pub fn render(markdown: &str, resolver: &dyn LinkResolver, allow_raw_html: bool) -> Rendered {
    let mut out = Rendered::default();
    let mut saw_raw_html = false;
    let mut heading_ids: HashSet<String> = HashSet::new();
    let mut in_heading: Option<(HeadingLevel, usize, String)> = None;
    let mut events: Vec<Event> = Vec::new();

    for (event, range) in Parser::new_ext(markdown, options()).into_offset_iter() {
        let event = match event {
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite_url(dest_url, range.start, resolver, &mut out);
                Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = rewrite_url(dest_url, range.start, resolver, &mut out);
                Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                })
            }
            Event::Start(Tag::Heading { level, .. }) => {
                // The page title is the only h1; body headings start at h2.
                let level = if level == HeadingLevel::H1 {
                    HeadingLevel::H2
                } else {
                    level
                };
                in_heading = Some((level, events.len(), String::new()));
                Event::Start(Tag::Heading {
                    level,
                    id: None,
                    classes: vec![],
                    attrs: vec![],
                })
            }
            Event::End(TagEnd::Heading(level)) => {
                if let Some((new_level, start, text)) = in_heading.take() {
                    let id = unique_anchor(&text, &mut heading_ids);
                    events[start] = Event::Start(Tag::Heading {
                        level: new_level,
                        id: Some(format!("{CONTENT_ID_PREFIX}{id}").into()),
                        classes: vec![],
                        attrs: vec![],
                    });
                    Event::End(TagEnd::Heading(new_level))
                } else {
                    Event::End(TagEnd::Heading(level))
                }
            }
            Event::Text(t) => {
                if let Some((_, _, h)) = in_heading.as_mut() {
                    h.push_str(&t);
                }
                Event::Text(t)
            }
            // The writer makes the reference's `href` and the definition's `id` from the name.
            Event::FootnoteReference(name) => {
                Event::FootnoteReference(format!("{CONTENT_ID_PREFIX}{name}").into())
            }
            Event::Start(Tag::FootnoteDefinition(name)) => Event::Start(Tag::FootnoteDefinition(
                format!("{CONTENT_ID_PREFIX}{name}").into(),
            )),
            Event::Html(h) | Event::InlineHtml(h) => {
                saw_raw_html = true;
                Event::Html(h)
            }
            e => e,
        };
        events.push(event);
    }
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    out.html = if saw_raw_html && !allow_raw_html {
        if html_depth(&html) > MAX_RAW_HTML_DEPTH {
            out.raw_html_too_deep = true;
            format!("<pre>{}</pre>", crate::escape::html(&html))
        } else {
            sanitizer().clean(&html).to_string()
        }
    } else {
        html
    };
    // Kept for the whole build, for every entry: no spare capacity.
    out.html.shrink_to_fit();
    out
}

/// The text of rendered HTML, for the search index and the exports: tags other than inline ones
/// (`em`, `a`, `code`...) become word breaks, comments and `script` and `style` contents are
/// left out, entities are decoded and each run of whitespace becomes one space. Bodies are kept
/// as HTML only and their text is taken from it where needed: at 100,000 entries a second copy
/// of every body held 0.3 GB for the whole build.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    // Whether a word break is pending before the next word.
    let mut space = false;
    let mut rest = html;
    loop {
        let text_end = memchr::memchr(b'<', rest.as_bytes()).unwrap_or(rest.len());
        let text = &rest[..text_end];
        if text.contains('&') {
            // `&nbsp;` separates words like a space.
            let decoded = html_escape::decode_html_entities(text).replace('\u{a0}', " ");
            push_words(&mut out, &decoded, &mut space);
        } else {
            push_words(&mut out, text, &mut space);
        }
        rest = &rest[text_end..];
        let Some(after) = rest.strip_prefix('<') else {
            return out;
        };
        if after.starts_with(|c: char| c.is_ascii_alphabetic() || c == '/' || c == '!') {
            let (breaks, after_markup) = skip_markup(rest);
            space |= breaks;
            rest = after_markup;
        } else {
            push_words(&mut out, "<", &mut space);
            rest = after;
        }
    }
}

/// Appends the words of `text` to `out`, one space between words; `space` says whether a word
/// break is pending (from earlier text or markup) and is left saying so after `text`. Words
/// break at ASCII whitespace. This runs over every body once per build, so runs of words with
/// single spaces between them are copied whole.
fn push_words(out: &mut String, text: &str, space: &mut bool) {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_whitespace() {
            *space = true;
            i += 1;
            continue;
        }
        let start = i;
        // A run goes on over non-whitespace and over single spaces between words.
        while let Some(&b) = bytes.get(i) {
            let in_run = if b == b' ' {
                bytes.get(i + 1).is_some_and(|n| !n.is_ascii_whitespace())
            } else {
                !b.is_ascii_whitespace()
            };
            if !in_run {
                break;
            }
            i += 1;
        }
        push_word(out, &text[start..i], space);
    }
}

fn push_word(out: &mut String, word: &str, space: &mut bool) {
    if *space && !out.is_empty() {
        out.push(' ');
    }
    out.push_str(word);
    *space = false;
}

/// Whether a tag, by its lowercase name, leaves words whole: `Schul<em>hof</em>` is one word.
fn is_inline(name: &[u8]) -> bool {
    matches!(
        name,
        b"a" | b"abbr"
            | b"b"
            | b"bdi"
            | b"bdo"
            | b"cite"
            | b"code"
            | b"data"
            | b"del"
            | b"dfn"
            | b"em"
            | b"i"
            | b"ins"
            | b"kbd"
            | b"mark"
            | b"q"
            | b"s"
            | b"samp"
            | b"small"
            | b"span"
            | b"strong"
            | b"sub"
            | b"sup"
            | b"time"
            | b"u"
            | b"var"
    )
}

/// Whether the comment or tag `html` starts with (at `<`) breaks words, and `html` after it
/// (and after the contents of a `script` or `style` element it opens).
fn skip_markup(html: &str) -> (bool, &str) {
    if let Some(comment) = html.strip_prefix("<!--") {
        return (
            false,
            comment.find("-->").map_or("", |end| &comment[end + 3..]),
        );
    }
    // The tag ends at the first `>` outside a quoted attribute value.
    let bytes = html.as_bytes();
    let mut i = 1;
    let end = loop {
        let Some(at) = memchr::memchr3(b'>', b'"', b'\'', &bytes[i..]).map(|j| i + j) else {
            break bytes.len();
        };
        if bytes[at] == b'>' {
            break at + 1;
        }
        match memchr::memchr(bytes[at], &bytes[at + 1..]) {
            Some(j) => i = at + 1 + j + 1,
            None => break bytes.len(),
        }
    };
    let (tag, rest) = html.split_at(end);
    let name = tag[1..].trim_start_matches('/').as_bytes();
    let name = &name[..name
        .iter()
        .position(|b| !b.is_ascii_alphanumeric())
        .unwrap_or(name.len())];
    // Tag names that matter here are short; longer ones break words.
    let mut lower = [0u8; 8];
    let Some(lower) = lower.get_mut(..name.len()) else {
        return (true, rest);
    };
    for (l, b) in lower.iter_mut().zip(name) {
        *l = b.to_ascii_lowercase();
    }
    if !tag.starts_with("</") && (lower == b"script" || lower == b"style") {
        // The contents end at the closing tag, whatever its case.
        let close = rest
            .as_bytes()
            .windows(name.len() + 2)
            .position(|w| w[..2] == *b"</" && w[2..].eq_ignore_ascii_case(name));
        return match close {
            Some(at) => (true, skip_markup(&rest[at..]).1),
            None => (true, ""),
        };
    }
    (!is_inline(lower), rest)
}

/// Resolves internal links and neutralises unsafe schemes, recording problems.
fn rewrite_url<'a>(
    url: CowStr<'a>,
    offset: usize,
    resolver: &dyn LinkResolver,
    out: &mut Rendered,
) -> CowStr<'a> {
    if let Some(target) = url.strip_prefix(INTERNAL_PREFIX) {
        let (path, fragment) = match target.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (target, None),
        };
        out.internal_links.push(path.to_string());
        return match resolver.resolve(path) {
            Some(resolved) => match fragment {
                Some(f) if !f.is_empty() => format!("{resolved}{}", content_fragment(f)).into(),
                _ => resolved.into(),
            },
            None => {
                out.broken_links.push((url.to_string(), offset));
                "#".into()
            }
        };
    }
    if !is_safe_url(&url) {
        out.unsafe_urls.push((url.to_string(), offset));
        return "#".into();
    }
    match url.strip_prefix('#') {
        Some(fragment) if !fragment.is_empty() => content_fragment(fragment).into(),
        _ => url,
    }
}

/// An anchor id for a heading, unique within the page.
fn unique_anchor(text: &str, seen: &mut HashSet<String>) -> String {
    let base = crate::urls::slugify(text);
    let base = if base.is_empty() {
        "abschnitt".to_string()
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 1;
    while !seen.insert(id.clone()) {
        n += 1;
        id = format!("{base}-{n}");
    }
    id
}

/// One ammonia configuration for the whole run: the defaults plus ids, kept in the content's
/// namespace ([`CONTENT_ID_PREFIX`]), and of styles only the alignment of table cells that
/// Markdown tables write (a `style` could lay a fixed overlay over the whole page).
fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| {
        let mut b = ammonia::Builder::default();
        b.add_generic_attributes(["id"]);
        b.id_prefix(Some(CONTENT_ID_PREFIX));
        // Raw `<a href="#x">` points into the text as Markdown's `[…](#x)` does; like
        // `id_prefix`, a value that has the prefix already (Markdown's own links) stays.
        b.attribute_filter(|_, attribute, value| match value.strip_prefix('#') {
            Some(f)
                if attribute == "href" && !f.is_empty() && !f.starts_with(CONTENT_ID_PREFIX) =>
            {
                Some(content_fragment(f).into())
            }
            _ => Some(value.into()),
        });
        b.add_tag_attributes("td", ["style"]);
        b.add_tag_attributes("th", ["style"]);
        b.filter_style_properties(["text-align"].into_iter().collect());
        b.url_schemes(["http", "https", "mailto", "tel"].into_iter().collect());
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolver(p: &str) -> Option<String> {
        (p == "orte/markt.md").then(|| "/orte/markt/".to_string())
    }

    #[test]
    fn internal_links_resolve_and_broken_ones_are_reported() {
        let r = render(
            "[Markt](@/orte/markt.md) und [weg](@/orte/weg.md#x)",
            &resolver,
            false,
        );
        assert!(r.html.contains(r#"href="/orte/markt/""#), "{}", r.html);
        assert_eq!(r.broken_links, vec![("@/orte/weg.md#x".to_string(), 29)]);
        assert_eq!(r.internal_links, vec!["orte/markt.md", "orte/weg.md"]);
    }

    #[test]
    fn tables_footnotes_strikethrough_and_anchors() {
        let md = "# Titel\n\n## Ziele und Wege\n\n## Ziele und Wege\n\n| a | b |\n|---|---|\n| 1 | 2 |\n\n~~alt~~ text[^1]\n\n[^1]: Fußnote\n";
        let r = render(md, &resolver, false);
        assert!(r.html.contains(r#"<h2 id="text-titel">"#), "{}", r.html);
        assert!(
            r.html.contains(r#"<h2 id="text-ziele-und-wege-2">"#),
            "{}",
            r.html
        );
        assert!(r.html.contains("<table>"));
        assert!(r.html.contains("<del>alt</del>"));
        assert!(r.html.contains("footnote-definition"));
    }

    #[test]
    fn raw_html_is_sanitised_unless_allowed() {
        let md = "Hallo <script>alert(1)</script> <img src=x onerror=alert(1)>\n\n<div onclick=\"x()\">d</div>";
        let r = render(md, &resolver, false);
        assert!(!r.html.contains("<script"), "{}", r.html);
        assert!(!r.html.contains("onerror"), "{}", r.html);
        assert!(!r.html.contains("onclick"), "{}", r.html);
        let raw = render(md, &resolver, true);
        assert!(raw.html.contains("<script>"));
    }

    /// Every `id` attribute in `html` (a rough scan, enough for the renderer's own output).
    fn ids(html: &str) -> Vec<&str> {
        html.split(" id=\"")
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .collect()
    }

    #[test]
    fn content_ids_stay_out_of_the_theme_namespace() {
        let md =
            "## Map App\n\nText[^main] und [oben](#map-app), [dort](@/orte/markt.md#main).\n\n\
                  [^main]: Fußnote\n\n\
                  <div id=\"map-app\" style=\"position:fixed;inset:0;z-index:9\">x</div>\n\n\
                  <p id=\"text-schon\" style=\"background:url(https://x.example/a.png)\">y</p>\n";
        for raw in [false, true] {
            let md = if raw {
                md
            } else {
                md.split("\n\n<div").next().unwrap_or(md)
            };
            let r = render(md, &resolver, false);
            let ids = ids(&r.html);
            assert!(ids.len() >= 2, "{}", r.html);
            for id in &ids {
                assert!(id.starts_with(CONTENT_ID_PREFIX), "id `{id}` in {}", r.html);
            }
            assert!(ids.contains(&"text-map-app"), "{}", r.html);
            assert!(r.html.contains(r##"href="#text-map-app""##), "{}", r.html);
            assert!(
                r.html.contains(r##"href="/orte/markt/#text-main""##),
                "{}",
                r.html
            );
            assert!(r.html.contains(r##"href="#text-main""##), "{}", r.html);
            assert!(!r.html.contains("style"), "{}", r.html);
        }
        // Markdown tables keep their alignment, with raw HTML in the same text too.
        let table = "| a | b |\n|:-:|--:|\n| 1 | 2 |\n\n<span>x</span>\n\n\
                     <table><tr><td style=\"text-align:left;position:fixed\">z</td></tr></table>\n";
        let r = render(table, &resolver, false);
        assert!(r.html.contains("text-align:center"), "{}", r.html);
        assert!(r.html.contains("text-align:right"), "{}", r.html);
        assert!(!r.html.contains("position"), "{}", r.html);
        // Raw HTML links into the text the same way.
        let r = render(
            "<a href=\"#ablauf\">a</a> [b](#ablauf)\n\n## Ablauf\n",
            &resolver,
            false,
        );
        assert_eq!(
            r.html.matches(r##"href="#text-ablauf""##).count(),
            2,
            "{}",
            r.html
        );
        // `allow_raw_html: true` lets everything through, as the README says.
        let raw = render(md, &resolver, true);
        assert!(
            raw.html.contains(r#"<div id="map-app" style="#),
            "{}",
            raw.html
        );
    }

    #[test]
    fn script_urls_are_neutralised() {
        for url in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:x",
            "data:text/html,x",
            "vbscript:x",
            "&#106;avascript:alert(1)",
        ] {
            let r = render(&format!("[x]({url}) ![i]({url})"), &resolver, false);
            assert!(
                !r.html.to_lowercase().contains("script:"),
                "{url}: {}",
                r.html
            );
            assert!(!r.html.contains("data:"), "{url}: {}", r.html);
            assert_eq!(r.unsafe_urls.len(), 2, "{url}");
        }
        assert!(is_safe_url("https://example.org/a:b"));
        assert!(is_safe_url("../x?a=b:c"));
        assert!(is_safe_url("#frag"));
    }

    #[test]
    fn plain_text_is_the_words_of_the_html() {
        let r = render(
            "# Über *uns*\n\nSchule &amp; Hof, `a<b` und [Markt](@/orte/markt.md).\n\n- eins\n- zwei",
            &resolver,
            false,
        );
        assert_eq!(
            plain_text(&r.html),
            "Über uns Schule & Hof, a<b und Markt. eins zwei"
        );
    }

    #[test]
    fn plain_text_leaves_out_scripts_styles_comments_and_attributes() {
        let html = "<p title=\"a > b\">vor<!-- weg -->her <script>let x = '<p>';</script>\
                    <STYLE>p { }</style>nach &lt;3&nbsp;mal</p> x < y <!-- offen";
        assert_eq!(plain_text(html), "vorher nach <3 mal x < y");
        assert_eq!(plain_text("Schul<em>hof</em><br>neu"), "Schulhof neu");
        assert_eq!(plain_text(""), "");
        assert_eq!(plain_text("<p>unfertig"), "unfertig");
        assert_eq!(plain_text("<a href=\"x"), "");
    }
}
