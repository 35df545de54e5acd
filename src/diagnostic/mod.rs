//! Diagnostics: every problem casebook finds in a catalogue, with the file, line, what was found,
//! what was expected and a hint. Rendered like rustc's (source line, caret, `help:`) or as JSON.

use serde::Serialize;
use std::borrow::Cow;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use unicode_width::UnicodeWidthChar;

mod problems;

pub use problems::{FileProblems, MAX_PROBLEMS_PER_KIND};

/// How bad a problem is: errors fail `check` and `build`, warnings do not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
}

/// One problem in one place of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Diagnostic {
    pub severity: Severity,
    /// A stable, kebab-case name of the kind of problem (`unknown-term`), for editors and tests.
    pub code: &'static str,
    pub message: String,
    /// Path as shown to the user, relative to the catalogue root where possible.
    #[serde(serialize_with = "serialize_path_lossy")]
    pub file: PathBuf,
    /// 1-based line and column; `None` when the problem concerns the whole file.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// How many characters the caret underlines (at least one).
    #[serde(skip)]
    pub width: usize,
    /// The offending source line, kept so the diagnostic can be printed after the file changed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expected: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub found: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// The text that should stand where the caret points, when the hint is a did-you-mean:
    /// editors offer it as a quick fix (`casebook lsp`, and `suggestion` in `check --format json`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suggestion: Option<String>,
    /// A second place the problem concerns (the other file of a slug collision), shown below
    /// the first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub also: Option<Box<Place>>,
}

/// A place in the catalogue that a diagnostic points at besides its own file and line.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Place {
    #[serde(serialize_with = "serialize_path_lossy")]
    pub file: PathBuf,
    pub line: Option<usize>,
    pub column: Option<usize>,
    #[serde(skip)]
    pub width: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_line: Option<String>,
}

impl Place {
    /// The whole file.
    pub fn file(file: impl Into<PathBuf>) -> Place {
        Place {
            file: file.into(),
            line: None,
            column: None,
            width: 1,
            source_line: None,
        }
    }

    /// `line:column` of `text`, with that line copied for the code frame.
    pub fn at(mut self, text: &str, line: usize, column: usize, width: usize) -> Place {
        self.line = Some(line.max(1));
        self.column = Some(column.max(1));
        self.width = width.max(1);
        self.source_line = source_line(text, line);
        self
    }
}

/// Line `line` (1-based) of `text`, cut to a length a terminal can show.
fn source_line(text: &str, line: usize) -> Option<String> {
    text.lines()
        .nth(line.saturating_sub(1))
        .map(|l| truncate_chars(l, MAX_SOURCE_LINE))
}

/// File names need not be UTF-8; JSON output replaces what is not, instead of failing.
fn serialize_path_lossy<S: serde::Serializer>(path: &Path, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&path.to_string_lossy())
}

/// Longest source line we copy into a diagnostic; a 10 MB single-line file must not be echoed.
pub const MAX_SOURCE_LINE: usize = 160;

/// Longest message, expected, found or hint a diagnostic keeps: whatever value a message quotes,
/// a 10 MB one is cut here rather than echoed.
pub const MAX_TEXT: usize = 1000;

impl Diagnostic {
    pub fn error(code: &'static str, file: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Self::new(Severity::Error, code, file, message)
    }

    pub fn warning(
        code: &'static str,
        file: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Self::new(Severity::Warning, code, file, message)
    }

    fn new(
        severity: Severity,
        code: &'static str,
        file: impl Into<PathBuf>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            severity,
            code,
            message: cut(message.into()),
            file: file.into(),
            line: None,
            column: None,
            width: 1,
            source_line: None,
            expected: None,
            found: None,
            hint: None,
            suggestion: None,
            also: None,
        }
    }

    /// Points the diagnostic at `line:column` of `text` and copies that line for the code frame.
    pub fn at(mut self, text: &str, line: usize, column: usize, width: usize) -> Self {
        let place = Place::file(PathBuf::new()).at(text, line, column, width);
        (self.line, self.column, self.width) = (place.line, place.column, place.width);
        self.source_line = place.source_line;
        self
    }

    /// Points at a line without a code frame (for files whose text we do not have).
    pub fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line.max(1));
        self
    }

    pub fn expected(mut self, expected: impl Into<String>) -> Self {
        self.expected = Some(cut(expected.into()));
        self
    }

    pub fn found(mut self, found: impl Into<String>) -> Self {
        self.found = Some(cut(found.into()));
        self
    }

    /// Points also at `place`, e.g. the file that first took the address.
    pub fn also(mut self, place: Place) -> Self {
        self.also = Some(Box::new(place));
        self
    }

    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(cut(hint.into()));
        self
    }

    /// A did-you-mean: the hint names `replacement`, and editors offer to put it where the
    /// caret points.
    pub fn suggest(mut self, replacement: &str) -> Self {
        self.suggestion = Some(cut(replacement.to_string()));
        self.hint(format!("did you mean `{replacement}`?"))
    }

    /// [`Self::suggest`] when there is a suggestion.
    pub fn maybe_suggest(self, replacement: Option<&str>) -> Self {
        match replacement {
            Some(r) => self.suggest(r),
            None => self,
        }
    }

    pub fn maybe_hint(self, hint: Option<String>) -> Self {
        match hint {
            Some(h) => self.hint(h),
            None => self,
        }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// Renders the diagnostic in the style of rustc; `color` adds ANSI colours.
    pub fn render(&self, color: bool) -> String {
        let paint = |code: &str, s: &str| {
            if color {
                format!("\x1b[{code}m{s}\x1b[0m")
            } else {
                s.to_string()
            }
        };
        let (label, label_color) = match self.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}{} {}",
            paint(label_color, &format!("{label}[{}]", self.code)),
            paint("1", ":"),
            paint("1", &escape_controls(&self.message))
        );
        // The diagnostic's own place, then the other place it points at.
        let here = Place {
            file: self.file.clone(),
            line: self.line,
            column: self.column,
            width: self.width,
            source_line: self.source_line.clone(),
        };
        let places = [("-->", Some(&here)), (":::", self.also.as_deref())];
        let gutter_width = places
            .iter()
            .filter_map(|(_, p)| p.and_then(|p| p.line))
            .map(|l| l.to_string().len())
            .max()
            .unwrap_or(1);
        let pad = " ".repeat(gutter_width);
        for (arrow, place) in places {
            let Some(place) = place else { continue };
            let there = location(&place.file, place.line, place.column);
            let _ = writeln!(out, "{pad}{} {there}", paint("1;34", arrow));
            if let (Some(line), Some(source)) = (place.line, &place.source_line) {
                let bar = paint("1;34", "|");
                let _ = writeln!(out, "{pad} {bar}");
                let _ = writeln!(
                    out,
                    "{} {bar} {}",
                    paint("1;34", &format!("{line:>gutter_width$}")),
                    escape_controls(source)
                );
                let (offset, carets) = underline(source, place.column.unwrap_or(1), place.width);
                let _ = writeln!(out, "{pad} {bar} {offset}{}", paint(label_color, &carets));
            }
        }
        for (name, value) in [("found", &self.found), ("expected", &self.expected)] {
            if let Some(v) = value {
                let _ = writeln!(
                    out,
                    "{pad} {} {name}: {}",
                    paint("1;34", "="),
                    escape_controls(v)
                );
            }
        }
        if let Some(hint) = &self.hint {
            let _ = writeln!(
                out,
                "{pad} {} {}",
                paint("1;36", "= help:"),
                escape_controls(hint)
            );
        }
        out
    }
}

/// `file:line:column`, `file:line` or `file`, as a terminal may show it.
fn location(file: &Path, line: Option<usize>, column: Option<usize>) -> String {
    let file = file.to_string_lossy();
    let file = escape_controls(&file);
    match (line, column) {
        (Some(l), Some(c)) => format!("{file}:{l}:{c}"),
        (Some(l), None) => format!("{file}:{l}"),
        _ => file.into_owned(),
    }
}

/// The line under a source line that puts carets under `width` characters from `column` (1-based)
/// as a terminal shows them: a character before the culprit becomes as many spaces as it takes
/// columns (two for 🏠 or 住), a tab stays a tab so that both lines reach the same tab stop, and
/// control characters count as their escapes. Returns the indent and the carets.
pub fn underline(source: &str, column: usize, width: usize) -> (String, String) {
    let skip = column.saturating_sub(1);
    let before: String = source.chars().take(skip).collect();
    let culprit: String = source.chars().skip(skip).take(width).collect();
    let mut offset = String::with_capacity(before.len());
    for c in escape_controls(&before).chars() {
        match c {
            '\t' => offset.push('\t'),
            c => offset.extend(std::iter::repeat_n(' ', c.width().unwrap_or(0))),
        }
    }
    // A culprit that runs past the (possibly cut) line keeps one caret per missing character.
    let missing = width.saturating_sub(culprit.chars().count());
    let shown: usize = escape_controls(&culprit)
        .chars()
        .map(|c| c.width().unwrap_or(1))
        .sum();
    let carets = "^".repeat((shown + missing).clamp(1, MAX_SOURCE_LINE));
    (offset, carets)
}

/// Text from files and file names as a terminal may show it: control characters (C0 but the
/// tab, DEL, C1) and the bidi controls that reorder a line are written as `\u{1b}`, so an entry
/// cannot set the terminal's title, clear the screen or disguise what a line says.
pub fn escape_controls(text: &str) -> Cow<'_, str> {
    fn hidden(c: char) -> bool {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
    }
    if !text.chars().any(hidden) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        if hidden(c) {
            let _ = write!(out, "\\u{{{:x}}}", c as u32);
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// `text` cut to [`MAX_TEXT`] characters (without copying when it is short enough).
fn cut(text: String) -> String {
    if text.len() <= MAX_TEXT {
        text
    } else {
        truncate_chars(&text, MAX_TEXT)
    }
}

/// Cuts a string to at most `max` characters, marking the cut.
pub fn truncate_chars(s: &str, max: usize) -> String {
    match s.char_indices().nth(max) {
        Some((i, _)) => format!("{}…", &s[..i]),
        None => s.to_string(),
    }
}

/// Shows `path` relative to `root` when it lies inside it.
pub fn display_path(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// The closest candidate to `found` by edit distance, if it is close enough to be a likely typo.
pub fn did_you_mean<'a>(
    found: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let found_lower = found.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&found_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// A short, readable list of allowed values: the first `max`, then how many more.
pub fn list_preview<'a>(items: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let items: Vec<&str> = items.into_iter().collect();
    let mut shown: Vec<String> = items.iter().take(max).map(|s| format!("`{s}`")).collect();
    if items.len() > max {
        shown.push(format!("… ({} more)", items.len() - max));
    }
    shown.join(", ")
}

/// All diagnostics of a run, in a stable order (errors first, then by file and line).
#[derive(Debug, Default, Clone)]
pub struct Report {
    pub diagnostics: Vec<Diagnostic>,
}

impl Report {
    pub fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    pub fn extend(&mut self, ds: impl IntoIterator<Item = Diagnostic>) {
        self.diagnostics.extend(ds);
    }

    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.diagnostics.iter().filter(|d| d.is_error()).count()
    }

    pub fn warning_count(&self) -> usize {
        self.diagnostics.len() - self.error_count()
    }

    pub fn sort(&mut self) {
        self.diagnostics
            .sort_by(|a, b| (&a.file, a.line, a.column).cmp(&(&b.file, b.line, b.column)));
        self.diagnostics.dedup();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_code_frame_with_caret_under_the_value() {
        let text = "---\ntitel: X\nthema: [parkin]\n---\n";
        let d = Diagnostic::error("unknown-term", "content/orte/x.md", "unknown term `parkin`")
            .at(text, 3, 9, 6)
            .hint("did you mean `parking`?");
        let out = d.render(false);
        assert!(out.contains("--> content/orte/x.md:3:9"), "{out}");
        assert!(out.contains("3 | thema: [parkin]"), "{out}");
        assert!(out.contains("  |         ^^^^^^"), "{out}");
        assert!(out.contains("= help: did you mean `parking`?"), "{out}");
    }

    #[test]
    fn control_characters_are_shown_escaped_with_the_caret_under_the_culprit() {
        let text = "titel: \u{1b}]0;x\u{7}\tok [\u{202e}parkin]\n";
        let d = Diagnostic::error("t", "orte/\u{1b}[2J.md", "term `\u{9b}31m`")
            .at(text, 1, 19, 7)
            .found("\u{7f}")
            .hint("\r\n");
        let out = d.render(false);
        assert!(
            !out.chars()
                .any(|c| c != '\n' && c != '\t' && (c.is_control() || c == '\u{202e}')),
            "{out:?}"
        );
        assert!(out.contains("--> orte/\\u{1b}[2J.md:1:19"), "{out}");
        assert!(out.contains("error[t]: term `\\u{9b}31m`"), "{out}");
        assert!(
            out.contains("1 | titel: \\u{1b}]0;x\\u{7}\tok [\\u{202e}parkin]"),
            "{out}"
        );
        // Seven characters from column 19 (`\u{202e}parkin`) are fourteen as shown.
        assert!(
            out.contains(&format!("  |{}\t    {}\n", " ".repeat(23), "^".repeat(14))),
            "{out:?}"
        );
        assert!(out.contains("= found: \\u{7f}"), "{out}");
        assert!(out.contains("= help: \\u{d}\\u{a}"), "{out}");
        assert_eq!(escape_controls("Straße\tä"), "Straße\tä");
    }

    #[test]
    fn the_caret_stands_under_the_culprit_after_wide_characters_and_tabs() {
        // 住宅 and 🏠 take two columns each in a terminal; the tab must reach the same tab stop
        // in the source line and in the caret line.
        let text = "thema: [住宅,\tbeteilgung, 🏠]\n";
        let frame = |column, width| {
            Diagnostic::error("unknown-term", "content/orte/x.md", "m")
                .at(text, 1, column, width)
                .render(false)
        };
        assert!(
            frame(9, 2).contains("\n  |         ^^^^\n"),
            "{}",
            frame(9, 2)
        );
        let after_tab = frame(13, 10);
        assert!(
            after_tab.contains(&format!("\n  | {}\t^^^^^^^^^^\n", " ".repeat(13))),
            "{after_tab:?}"
        );
        assert!(frame(25, 1).contains(&format!("\t{}^^\n", " ".repeat(12))));
    }

    #[test]
    fn a_second_place_is_shown_below_the_first_and_in_json() {
        let first = "a\nb\nc\nd\ne\nf\ng\nh\ni\nid: x\n";
        let d = Diagnostic::error(
            "duplicate-id",
            "content/orte/x.yaml",
            "two files define `x`",
        )
        .at("id: x\n", 1, 5, 1)
        .also(Place::file("content/orte/x.md").at(first, 10, 5, 1));
        let out = d.render(false);
        // One gutter for both frames, as wide as the longer line number.
        let want = concat!(
            "  --> content/orte/x.yaml:1:5\n",
            "   |\n",
            " 1 | id: x\n",
            "   |     ^\n",
            "  ::: content/orte/x.md:10:5\n",
            "   |\n",
            "10 | id: x\n",
            "   |     ^\n",
        );
        assert!(out.contains(want), "{out}");
        let json = serde_json::to_value(&d).unwrap();
        assert_eq!(json["also"]["file"], "content/orte/x.md");
        assert_eq!(json["also"]["line"], 10);
        assert_eq!(json["also"]["source_line"], "id: x");
        // Without a second place the JSON has no `also`.
        let plain = serde_json::to_value(Diagnostic::error("c", "f", "m")).unwrap();
        assert!(plain.get("also").is_none());
    }

    #[test]
    fn long_lines_are_cut_in_the_frame() {
        let text = "x".repeat(10_000);
        let d = Diagnostic::error("t", "f", "m").at(&text, 1, 1, 1);
        assert!(d.source_line.unwrap().chars().count() <= MAX_SOURCE_LINE + 1);
    }

    #[test]
    fn long_values_are_cut_in_every_text() {
        let long = "x".repeat(10 << 20);
        let d = Diagnostic::error("t", "f", long.clone())
            .found(long.clone())
            .expected(long.clone())
            .hint(long);
        for text in [
            &d.message,
            &d.found.unwrap(),
            &d.expected.unwrap(),
            &d.hint.unwrap(),
        ] {
            assert_eq!(text.chars().count(), MAX_TEXT + 1, "cut, with the mark");
        }
    }

    #[test]
    fn did_you_mean_finds_close_keys_only() {
        let keys = ["handlungsfeld", "thema", "stadt"];
        assert_eq!(did_you_mean("handlungsfled", keys), Some("handlungsfeld"));
        assert_eq!(did_you_mean("zzzz", keys), None);
    }
}
