//! The Markdown body of an entry or page: rendered once, with its size limit, and the
//! problems rendering found (links to missing files, unsafe links, raw HTML too deep).

use super::*;

/// Most Markdown one text (a body or a Markdown field) may have. Rendering holds every event of a
/// text at once: a long table needs about 350 bytes per byte (2.5 million rows, 15 MB, needed
/// 3.7 GB; 1 MB of table rows 350 MB), links about 60. A case is a few pages (the bundled ones
/// are under 20 KB); a megabyte is a book, and at most about 360 MB to render.
pub const MAX_MARKDOWN_BYTES: usize = 1 << 20;

pub(super) fn markdown_too_large(bytes: usize) -> Diagnostic {
    problem(
        "markdown-too-large",
        format!("the text is {} KB of Markdown", bytes >> 10),
    )
    .expected(format!(
        "at most {} KB of Markdown per text",
        MAX_MARKDOWN_BYTES >> 10
    ))
    .hint("split the text into several entries or pages")
}

/// Renders a document's body and reports its problems; a body over [`MAX_MARKDOWN_BYTES`] is
/// refused before rendering.
pub(super) fn render_body(
    config: &Config,
    doc: &Document,
    lines: &LineIndex,
    resolver: &dyn markdown::LinkResolver,
    ds: &mut FileProblems,
) -> markdown::Rendered {
    if doc.body.len() > MAX_MARKDOWN_BYTES {
        ds.push(markdown_too_large(doc.body.len()).with_file(doc).at_in(
            lines,
            doc.body_line,
            1,
            1,
        ));
        return markdown::Rendered::default();
    }
    let rendered = markdown::render(&doc.body, resolver, config.allow_raw_html);
    markdown_problems(doc, lines, &rendered, ds);
    rendered
}

/// Diagnostics for broken internal links and unsafe URLs in a body.
pub(super) fn markdown_problems(
    doc: &Document,
    lines: &LineIndex,
    rendered: &markdown::Rendered,
    ds: &mut FileProblems,
) {
    if rendered.raw_html_too_deep {
        ds.push(
            Diagnostic::error(
                "raw-html-too-deep",
                &doc.shown,
                format!(
                    "raw HTML nests deeper than {} levels",
                    markdown::MAX_RAW_HTML_DEPTH
                ),
            )
            .at_in(lines, doc.body_line, 1, 1)
            .hint("write the text in Markdown; raw HTML is for small exceptions"),
        );
    }
    // The body is the end of the text (a `.yaml` entry's body is a value, whose lines are the
    // body's own); an offset in the body is an offset in the text from where the body starts.
    let body_lines = LineIndex::new(&doc.body);
    let locate = |offset: usize| {
        let (line, col) = body_lines.position(offset);
        (doc.body_line + line - 1, col)
    };
    for (target, offset) in &rendered.broken_links {
        ds.push_with("broken-link", || {
            let (line, col) = locate(*offset);
            Diagnostic::error(
                "broken-link",
                &doc.shown,
                format!("link to `{target}`, which does not exist"),
            )
            .at_in(lines, line, col, target.chars().count() + 4)
            .expected("a path below content/, like `@/orte/stadtteilzentrum.md`")
            .hint("check the folder and file name; internal links name the file, with `.md`")
        });
    }
    for (url, offset) in &rendered.unsafe_urls {
        ds.push_with("unsafe-url", || {
            let (line, col) = locate(*offset);
            Diagnostic::error(
                "unsafe-url",
                &doc.shown,
                "link with a scheme that can run code",
            )
            .at_in(lines, line, col, 1)
            .found(format!("`{}`", crate::diagnostic::truncate_chars(url, 60)))
            .expected("an `https://` address, a relative path or `mailto:`")
            .hint("the link was removed from the page")
        });
    }
}
