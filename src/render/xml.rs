//! The theme's XML templates (`feed.xml`, `sitemap.xml`): `export` decides what a feed or the
//! sitemap lists and fills these templates with it, so a catalogue can replace them in
//! `<root>/templates/` like the HTML templates.
//!
//! They are a Tera instance of their own because Tera has one escape function per instance:
//! values in XML templates are escaped for XML 1.0 ([`escape::xml`]), which also drops the
//! characters XML forbids, while the HTML templates keep Tera's HTML escaping.

use super::{fill, RenderError};
use crate::escape;
use tera::{Context, Tera, Value};

/// Compiled templates of a file format with an escaping of its own (`.xml`, and `.ics` in
/// [`super::ics`]), with the same `site` and `t` as the HTML templates.
pub struct EscapedTemplates {
    tera: Tera,
}

/// The `.xml` templates.
pub type XmlTemplates = EscapedTemplates;

/// A Tera escape function.
pub type EscapeFn = fn(&str, &mut dyn std::io::Write) -> std::io::Result<()>;

impl EscapedTemplates {
    /// Compiles `.xml` `templates`: name (`feed.xml`) and source.
    pub fn new<'a>(
        templates: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<EscapedTemplates, RenderError> {
        EscapedTemplates::escaped(templates, ".xml", escape::write_xml)
    }

    /// Compiles `templates` whose names end in `extension`, their values escaped by `escape`.
    pub fn escaped<'a>(
        templates: impl IntoIterator<Item = (&'a str, &'a str)>,
        extension: &'static str,
        escape: EscapeFn,
    ) -> Result<EscapedTemplates, RenderError> {
        let mut tera = Tera::new();
        tera.set_escape_fn(escape);
        tera.autoescape_on(vec![extension]);
        tera.register_filter(fill::FILTER, fill::fill);
        tera.add_raw_templates(templates)
            .map_err(|e| RenderError::from_tera("(loading)", e))?;
        Ok(EscapedTemplates { tera })
    }

    pub fn contains(&self, template: &str) -> bool {
        self.tera.contains_template(template)
    }

    /// Sets `site` and `t` (see `Renderer::set_globals`).
    pub(crate) fn set_globals(&mut self, site: Value, strings: Value) {
        let globals = self.tera.global_context();
        globals.insert_value("site", site);
        globals.insert_value("t", strings);
    }

    /// Renders `template` with `context` (UTF-8 bytes, as they are written).
    pub fn render(&self, template: &str, context: &Context) -> Result<Vec<u8>, RenderError> {
        let mut xml = Vec::with_capacity(4096);
        self.tera
            .render_to(template, context, &mut xml)
            .map_err(|e| RenderError::from_tera(template, e))?;
        Ok(xml)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_escaped_for_xml() {
        let xml = XmlTemplates::new([("a.xml", "<t a=\"{{ v }}\">{{ v }}</t>")]).unwrap();
        let mut ctx = Context::new();
        ctx.insert("v", "Hof & \"Garten\" <'1'>\u{1}\u{ffff}");
        let out = String::from_utf8(xml.render("a.xml", &ctx).unwrap()).unwrap();
        let escaped = "Hof &amp; &quot;Garten&quot; &lt;&apos;1&apos;&gt;";
        assert_eq!(out, format!("<t a=\"{escaped}\">{escaped}</t>"));
    }
}
