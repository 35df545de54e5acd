//! A failed build as the browser sees it: the diagnostics as JSON for the overlay (sent over the
//! event stream) and as a standalone error page for when there is no good build to show.

use crate::diagnostic::{escape_controls, underline, Diagnostic, Severity};
use crate::escape;
use serde::Serialize;
use std::fmt::Write as _;

/// The diagnostics of the latest failed build, prepared once for every tab that asks.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    /// The `error` event's payload.
    pub json: String,
    words: Words,
}

/// One diagnostic for the overlay: every field of [`Diagnostic`] plus the parts the browser
/// should not have to compute (location, code frame with caret, the text form).
#[derive(Serialize)]
struct Shown<'a> {
    #[serde(flatten)]
    diagnostic: &'a Diagnostic,
    location: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    frame: Option<String>,
    text: String,
}

#[derive(Serialize)]
struct Payload<'a> {
    errors: usize,
    warnings: usize,
    diagnostics: Vec<Shown<'a>>,
    /// The overlay's own words in the site's language ([`Words`]).
    strings: &'a Words,
}

/// The words of the overlay and the error page, in the site's language: the theme's UI
/// strings whose keys start with `preview_`.
pub type Words = std::collections::BTreeMap<String, String>;

/// A word of `words`, or the English one when the theme has none.
fn word<'a>(words: &'a Words, key: &str, english: &'a str) -> &'a str {
    words.get(key).map_or(english, String::as_str)
}

/// The heading: how many errors keep the catalogue from building.
fn heading(words: &Words, errors: usize) -> String {
    let (key, english) = match errors {
        1 => (
            "preview_failed_one",
            "The catalogue does not build: {n} error",
        ),
        _ => (
            "preview_failed_other",
            "The catalogue does not build: {n} errors",
        ),
    };
    word(words, key, english).replace("{n}", &errors.to_string())
}

impl Failure {
    pub fn new(mut diagnostics: Vec<Diagnostic>, words: &Words) -> Failure {
        // Errors first: they are why the build failed.
        diagnostics.sort_by_key(|d| d.severity != Severity::Error);
        let errors = diagnostics.iter().filter(|d| d.is_error()).count();
        let payload = Payload {
            errors,
            warnings: diagnostics.len() - errors,
            diagnostics: diagnostics
                .iter()
                .map(|d| Shown {
                    diagnostic: d,
                    location: location(d),
                    frame: frame(d),
                    text: d.render(false),
                })
                .collect(),
            strings: words,
        };
        let json = serde_json::to_string(&payload).unwrap_or_else(|_| "{}".into());
        Failure {
            diagnostics,
            json,
            words: words.clone(),
        }
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The page served for every page request while no build has succeeded yet. It carries the
    /// live script, which keeps the list current and loads the site once a build succeeds.
    pub fn page(&self, live_script: &str) -> String {
        let words = &self.words;
        let w = |key: &str, english: &'static str| escape::html(word(words, key, english));
        let mut items = String::new();
        for d in &self.diagnostics {
            let _ = write!(
                items,
                "<li><p><strong>{}[{}]</strong>: {}</p><p><code>{}</code></p>",
                match d.is_error() {
                    true => w("preview_error", "error"),
                    false => w("preview_warning", "warning"),
                },
                escape::html(d.code),
                escape::html(&d.message),
                escape::html(&location(d)),
            );
            if let Some(frame) = frame(d) {
                let _ = write!(items, "<pre>{}</pre>", escape::html(&frame));
            }
            let labelled = [
                (w("preview_found", "found"), &d.found),
                (w("preview_expected", "expected"), &d.expected),
                (w("preview_hint", "help"), &d.hint),
            ];
            for (name, value) in labelled {
                if let Some(v) = value {
                    let _ = write!(items, "<p>{name}: {}</p>", escape::html(v));
                }
            }
            items.push_str("</li>");
        }
        let language = escape::html(word(words, "preview_language", "en"));
        let title = w("preview_page_title", "Build failed – casebook");
        let heading = heading(words, self.error_count());
        let heading = escape::html(&heading);
        let help = w(
            "preview_page_help",
            "casebook shows the site as soon as it builds. Fix the files below and save; this page updates by itself.",
        );
        format!(
            r#"<!DOCTYPE html>
<html lang="{language}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>
body {{ font: 16px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 60rem; padding: 0 1rem; color: #1a1a1a; }}
h1 {{ color: #a4161a; font-size: 1.5rem; }}
ol {{ padding-left: 1.25rem; }}
li {{ margin-bottom: 1.5rem; }}
pre {{ background: #f4f4f4; padding: .75rem; overflow-x: auto; }}
</style>
</head>
<body>
<main id="casebook-error-page" role="alert" aria-live="assertive">
<h1>{heading}</h1>
<p>{help}</p>
<ol id="casebook-diagnostics">{items}</ol>
</main>
{live_script}
</body>
</html>
"#
        )
    }
}

/// `content/orte/x.md:3:9`, as in the terminal.
fn location(d: &Diagnostic) -> String {
    match (d.line, d.column) {
        (Some(l), Some(c)) => format!("{}:{l}:{c}", d.file.display()),
        (Some(l), None) => format!("{}:{l}", d.file.display()),
        _ => d.file.display().to_string(),
    }
}

/// The source line with its number and a caret line under the culprit, placed as the terminal
/// output places it (wide characters, tabs, control characters shown escaped).
fn frame(d: &Diagnostic) -> Option<String> {
    let line = d.line?;
    let source = d.source_line.as_ref()?;
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let (offset, carets) = underline(source, d.column.unwrap_or(1), d.width);
    Some(format!(
        "{number} | {}\n{pad} | {offset}{carets}",
        escape_controls(source)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn broken() -> Diagnostic {
        let text = "---\ntitel: <b>X</b>\nthema: [parkin]\n---\n";
        Diagnostic::error(
            "unknown-term",
            "content/orte/x.md",
            "unknown term `<parkin>`",
        )
        .at(text, 3, 9, 6)
        .hint("did you mean `parking`?")
    }

    #[test]
    fn payload_has_location_frame_and_text() {
        let failure = Failure::new(
            vec![Diagnostic::warning("w", "a", "m"), broken()],
            &Words::new(),
        );
        let v: serde_json::Value = serde_json::from_str(&failure.json).unwrap();
        assert_eq!(v["errors"], 1);
        assert_eq!(v["warnings"], 1);
        let d = &v["diagnostics"][0];
        assert_eq!(d["severity"], "error", "errors come first");
        assert_eq!(d["file"], "content/orte/x.md");
        assert_eq!(d["line"], 3);
        assert_eq!(d["location"], "content/orte/x.md:3:9");
        assert_eq!(d["frame"], "3 | thema: [parkin]\n  |         ^^^^^^");
        assert_eq!(d["hint"], "did you mean `parking`?");
        assert!(d["text"]
            .as_str()
            .unwrap()
            .contains("--> content/orte/x.md:3:9"));
    }

    #[test]
    fn the_frame_puts_the_caret_under_the_culprit_after_a_wide_character() {
        let d = Diagnostic::error("unknown-term", "content/orte/x.md", "unknown term `住宅`").at(
            "thema: [🏠, 住宅]\n",
            1,
            12,
            2,
        );
        let failure = Failure::new(vec![d], &Words::new());
        let v: serde_json::Value = serde_json::from_str(&failure.json).unwrap();
        assert_eq!(
            v["diagnostics"][0]["frame"],
            "1 | thema: [🏠, 住宅]\n  |             ^^^^"
        );
    }

    #[test]
    fn error_page_escapes_everything() {
        let page = Failure::new(vec![broken()], &Words::new()).page("<script src=live></script>");
        assert!(page.contains("unknown term `&lt;parkin&gt;`"), "{page}");
        assert!(page.contains("content/orte/x.md:3:9"));
        assert!(page.contains("3 | thema: [parkin]"));
        assert!(!page.contains("<parkin>"));
        assert!(page.contains("<script src=live></script>"));
    }

    #[test]
    fn a_german_site_gets_a_german_error_page_and_overlay() {
        let words = crate::render::theme::built_in_strings("de")
            .into_iter()
            .filter(|(k, _)| k.starts_with("preview_"))
            .collect();
        let failure = Failure::new(vec![broken()], &words);
        let page = failure.page("");
        assert!(page.contains("<html lang=\"de\">"), "{page}");
        assert!(
            page.contains("Der Katalog lässt sich nicht bauen: 1 Fehler"),
            "{page}"
        );
        assert!(
            page.contains("<p>Hinweis: did you mean `parking`?</p>"),
            "{page}"
        );
        let v: serde_json::Value = serde_json::from_str(&failure.json).unwrap();
        assert_eq!(v["strings"]["preview_close"], "Schließen");
        let english = crate::render::theme::built_in_strings("en");
        assert_eq!(english["preview_close"], "Close");
    }
}
