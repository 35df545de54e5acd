//! A failed build as the browser sees it: the diagnostics as JSON for the overlay (sent over the
//! event stream) and as a standalone error page for when there is no good build to show.

use crate::diagnostic::{Diagnostic, Severity};
use html_escape::encode_text as escape;
use serde::Serialize;
use std::fmt::Write as _;

/// The diagnostics of the latest failed build, prepared once for every tab that asks.
#[derive(Debug)]
pub struct Failure {
    pub diagnostics: Vec<Diagnostic>,
    /// The `error` event's payload.
    pub json: String,
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
}

impl Failure {
    pub fn new(mut diagnostics: Vec<Diagnostic>) -> Failure {
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
        };
        let json = serde_json::to_string(&payload).unwrap_or_else(|_| "{}".into());
        Failure { diagnostics, json }
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    /// The page served for every page request while no build has succeeded yet. It carries the
    /// live script, which keeps the list current and loads the site once a build succeeds.
    pub fn page(&self, live_script: &str) -> String {
        let errors = self.error_count();
        let mut items = String::new();
        for d in &self.diagnostics {
            let _ = write!(
                items,
                "<li><p><strong>{}[{}]</strong>: {}</p><p><code>{}</code></p>",
                if d.is_error() { "error" } else { "warning" },
                escape(d.code),
                escape(&d.message),
                escape(&location(d)),
            );
            if let Some(frame) = frame(d) {
                let _ = write!(items, "<pre>{}</pre>", escape(&frame));
            }
            for (name, value) in [("found", &d.found), ("expected", &d.expected)] {
                if let Some(v) = value {
                    let _ = write!(items, "<p>{name}: {}</p>", escape(v));
                }
            }
            if let Some(hint) = &d.hint {
                let _ = write!(items, "<p>help: {}</p>", escape(hint));
            }
            items.push_str("</li>");
        }
        format!(
            r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Build failed – casebook</title>
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
<h1>The catalogue does not build: {errors} error(s)</h1>
<p>casebook shows the site as soon as it builds. Fix the files below and save; this page updates by itself.</p>
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

/// The source line with its number and a caret line under the culprit.
fn frame(d: &Diagnostic) -> Option<String> {
    let line = d.line?;
    let source = d.source_line.as_ref()?;
    let number = line.to_string();
    let pad = " ".repeat(number.len());
    let offset: String = source
        .chars()
        .take(d.column.unwrap_or(1).saturating_sub(1))
        .map(|c| if c == '\t' { '\t' } else { ' ' })
        .collect();
    let carets = "^".repeat(d.width.clamp(1, 200));
    Some(format!("{number} | {source}\n{pad} | {offset}{carets}"))
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
        let failure = Failure::new(vec![Diagnostic::warning("w", "a", "m"), broken()]);
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
    fn error_page_escapes_everything() {
        let page = Failure::new(vec![broken()]).page("<script src=live></script>");
        assert!(page.contains("unknown term `&lt;parkin&gt;`"), "{page}");
        assert!(page.contains("content/orte/x.md:3:9"));
        assert!(page.contains("3 | thema: [parkin]"));
        assert!(!page.contains("<parkin>"));
        assert!(page.contains("<script src=live></script>"));
    }
}
