//! The theme's iCalendar template (`event.ics`, RFC 5545): `export` decides which events a file
//! holds and fills this template with them; here values are escaped as iCalendar TEXT and the
//! result is given the form the RFC asks for (CRLF line ends, lines folded at 75 octets).

use super::xml::EscapedTemplates;
use super::RenderError;
use tera::{Context, Value};

/// Compiled `.ics` templates, with the same `site` and `t` as the HTML templates.
pub struct IcsTemplates(EscapedTemplates);

/// Escapes iCalendar TEXT (RFC 5545, 3.3.11): backslash, `;`, `,` and line breaks; other
/// control characters are left out, as TEXT may not hold them.
pub fn text(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 8);
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

fn write_text(value: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    out.write_all(text(value).as_bytes())
}

/// The content lines of `rendered` in the RFC's form: empty lines dropped, each line folded
/// into pieces of at most 75 octets (continuations begin with a space), ended by CRLF.
pub fn content_lines(rendered: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(rendered.len() + rendered.len() / 32);
    for line in rendered
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
    {
        let mut rest = line;
        let mut limit = 75;
        while rest.len() > limit {
            let mut cut = limit;
            while !rest.is_char_boundary(cut) {
                cut -= 1;
            }
            out.extend_from_slice(&rest.as_bytes()[..cut]);
            out.extend_from_slice(b"\r\n ");
            rest = &rest[cut..];
            // The space that begins a continuation counts.
            limit = 74;
        }
        out.extend_from_slice(rest.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    out
}

impl IcsTemplates {
    /// Compiles `templates`: name (`event.ics`) and source.
    pub fn new<'a>(
        templates: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<IcsTemplates, RenderError> {
        Ok(IcsTemplates(EscapedTemplates::escaped(
            templates, ".ics", write_text,
        )?))
    }

    pub fn contains(&self, template: &str) -> bool {
        self.0.contains(template)
    }

    /// Sets `site` and `t` (see `Renderer::set_globals`).
    pub(super) fn set_globals(&mut self, site: Value, strings: Value) {
        self.0.set_globals(site, strings);
    }

    /// Renders `template` with `context` into iCalendar content lines.
    pub fn render(&self, template: &str, context: &Context) -> Result<Vec<u8>, RenderError> {
        let rendered = self.0.render(template, context)?;
        Ok(content_lines(&String::from_utf8_lossy(&rendered)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_long_lines_folded_at_75_octets() {
        let ics = IcsTemplates::new([("a.ics", "SUMMARY:{{ v }}\n\nEND:X\n")]).unwrap();
        let mut ctx = Context::new();
        ctx.insert(
            "v",
            &format!("Hof; Garten, \\ neu\nzwei {}", "ä".repeat(60)),
        );
        let out = String::from_utf8(ics.render("a.ics", &ctx).unwrap()).unwrap();
        assert!(
            out.starts_with("SUMMARY:Hof\\; Garten\\, \\\\ neu\\nzwei ä"),
            "{out}"
        );
        assert!(out.ends_with("\r\nEND:X\r\n"));
        let lines: Vec<&str> = out.split("\r\n").collect();
        assert!(lines.iter().all(|l| l.len() <= 75), "{lines:?}");
        assert!(
            lines[1].starts_with(' '),
            "a continuation begins with a space"
        );
        let unfolded = out.replace("\r\n ", "");
        assert!(
            unfolded.contains(&"ä".repeat(60)),
            "folding keeps every character"
        );
    }
}
