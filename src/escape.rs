//! Escaping text for HTML and XML, in one place: the pages casebook writes without a template
//! (`serve`'s error page, over-deep raw HTML in Markdown) and the theme's `.xml` templates
//! (feeds, sitemap) all use it. Tera's own escaping covers the `.html` templates. A leaf: it
//! uses nothing of casebook, so any step may use it.

use std::borrow::Cow;
use std::io;

/// Escapes text for HTML element content and quoted attribute values.
pub fn html(text: &str) -> Cow<'_, str> {
    escape(text, Markup::Html)
}

/// Escapes text for XML 1.0 element content and quoted attribute values, and drops the
/// characters XML 1.0 does not allow at all (C0 controls other than tab, newline and carriage
/// return; U+FFFE and U+FFFF), which no escape can carry: a feed reader refuses the whole
/// document for one of them.
pub fn xml(text: &str) -> Cow<'_, str> {
    escape(text, Markup::Xml)
}

/// [`xml`] as a Tera escape function, for the `.xml` templates.
pub fn write_xml(text: &str, out: &mut dyn io::Write) -> io::Result<()> {
    out.write_all(xml(text).as_bytes())
}

#[derive(Clone, Copy, PartialEq)]
enum Markup {
    Html,
    Xml,
}

fn escape(text: &str, markup: Markup) -> Cow<'_, str> {
    let xml = markup == Markup::Xml;
    // Every byte that may need work is ASCII or the lead byte 0xEF (U+F000..U+FFFF, which holds
    // U+FFFE and U+FFFF), so `first` is a character boundary.
    let needs_work = |b: &u8| {
        matches!(b, b'&' | b'<' | b'>' | b'"' | b'\'') || (xml && (*b < 0x20 || *b == 0xEF))
    };
    let Some(first) = text.as_bytes().iter().position(needs_work) else {
        return Cow::Borrowed(text);
    };
    let mut out = String::with_capacity(text.len() + 16);
    out.push_str(&text[..first]);
    for c in text[first..].chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' if xml => out.push_str("&apos;"),
            '\'' => out.push_str("&#39;"),
            c if xml && !is_xml_char(c) => {}
            c => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// XML 1.0's `Char` production.
fn is_xml_char(c: char) -> bool {
    matches!(c as u32, 0x9 | 0xA | 0xD | 0x20..=0xD7FF | 0xE000..=0xFFFD | 0x10000..=0x10FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_escapes_markup() {
        assert_eq!(
            html(r#"<img src=x onerror="a('b')">&"#),
            "&lt;img src=x onerror=&quot;a(&#39;b&#39;)&quot;&gt;&amp;"
        );
        assert!(matches!(html("Göttingen"), Cow::Borrowed("Göttingen")));
        // HTML keeps what XML has to drop.
        assert_eq!(html("a\u{1}\u{ffff}"), "a\u{1}\u{ffff}");
    }

    #[test]
    fn xml_escapes_markup_and_drops_what_xml_forbids() {
        assert_eq!(xml("a<b>&\"'\u{1}"), "a&lt;b&gt;&amp;&quot;&apos;");
        assert_eq!(xml("x\u{fffe}\u{ffff}\u{fffd}"), "x\u{fffd}");
        assert_eq!(
            xml("\u{1b}Tab\tund\r\nZeile\u{f000}"),
            "Tab\tund\r\nZeile\u{f000}"
        );
        assert!(matches!(xml("Halle (Saale)"), Cow::Borrowed(_)));
    }
}
