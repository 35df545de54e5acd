//! Positions between the editor and casebook: LSP counts columns in UTF-16 code units (or
//! UTF-8 bytes, if both sides agree), casebook's diagnostics in characters; file URIs and paths;
//! edits applied to an open document.

use lsp_types::{Position, Range, Uri};
use std::path::{Path, PathBuf};
use std::str::FromStr;

/// How the editor counts columns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Encoding {
    /// Bytes, when the client offers it: no counting at all.
    Utf8,
    /// The protocol's default, which every client supports.
    #[default]
    Utf16,
}

impl Encoding {
    /// The column of byte `offset` in `line`, as the editor counts.
    pub fn column(self, line: &str, offset: usize) -> u32 {
        let before = line.get(..offset.min(line.len())).unwrap_or(line);
        let n = match self {
            Encoding::Utf8 => before.len(),
            Encoding::Utf16 => before.chars().map(char::len_utf16).sum(),
        };
        u32::try_from(n).unwrap_or(u32::MAX)
    }

    /// The byte offset in `line` of the editor's column (the end of the line past its end; a
    /// column inside a character moves to that character's start).
    pub fn offset(self, line: &str, column: u32) -> usize {
        let column = column as usize;
        match self {
            Encoding::Utf8 => {
                let mut at = column.min(line.len());
                while !line.is_char_boundary(at) {
                    at -= 1;
                }
                at
            }
            Encoding::Utf16 => {
                let mut units = 0;
                for (i, c) in line.char_indices() {
                    if units + c.len_utf16() > column {
                        return i;
                    }
                    units += c.len_utf16();
                }
                line.len()
            }
        }
    }
}

/// A text with its line starts, for turning positions into offsets and back.
pub struct Lines<'t> {
    pub text: &'t str,
    starts: Vec<usize>,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .collect();
        Lines { text, starts }
    }

    /// The text of 0-based `line` without its line break ("" past the end).
    pub fn line(&self, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line) else {
            return "";
        };
        let end = self
            .starts
            .get(line + 1)
            .map_or(self.text.len(), |next| next - 1);
        let text = &self.text[start..end.max(start)];
        text.strip_suffix('\r').unwrap_or(text)
    }

    /// The byte offset of an editor position (clamped to the text).
    pub fn offset(&self, at: Position, enc: Encoding) -> usize {
        let line = at.line as usize;
        if line >= self.starts.len() {
            return self.text.len();
        }
        self.starts[line] + enc.offset(self.line(line), at.character)
    }

    /// The editor position of a byte offset.
    pub fn position(&self, offset: usize, enc: Encoding) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).max(1) - 1;
        let start = self.starts[line];
        Position::new(line as u32, enc.column(&self.text[start..], offset - start))
    }

    /// The range of `width` characters from 1-based `line` and `column` (casebook's counting).
    pub fn range_of_chars(&self, line: usize, column: usize, width: usize, enc: Encoding) -> Range {
        let text = self.line(line.saturating_sub(1));
        let byte = |chars: usize| {
            text.char_indices()
                .nth(chars)
                .map_or(text.len(), |(b, _)| b)
        };
        let from = byte(column.saturating_sub(1));
        let to = byte(column.saturating_sub(1) + width.max(1));
        let l = line.saturating_sub(1) as u32;
        Range::new(
            Position::new(l, enc.column(text, from)),
            Position::new(l, enc.column(text, to)),
        )
    }
}

/// Applies one change from `textDocument/didChange`: a range replaced, or the whole text.
pub fn apply_change(text: &mut String, range: Option<Range>, new: &str, enc: Encoding) {
    match range {
        None => *text = new.to_string(),
        Some(range) => {
            let lines = Lines::new(text);
            let start = lines.offset(range.start, enc);
            let end = lines.offset(range.end, enc).max(start);
            text.replace_range(start..end, new);
        }
    }
}

/// The path a `file:` URI names; `None` for other schemes.
pub fn uri_to_path(uri: &Uri) -> Option<PathBuf> {
    let url = url::Url::parse(uri.as_str()).ok()?;
    if url.scheme() != "file" {
        return None;
    }
    url.to_file_path().ok()
}

/// The `file:` URI of a path.
pub fn path_to_uri(path: &Path) -> Option<Uri> {
    let url = url::Url::from_file_path(path).ok()?;
    Uri::from_str(url.as_str()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_utf16_units_or_bytes() {
        let line = "thema: [größe, 🏠x]";
        let at_x = line.find('x').unwrap();
        // 15 characters, then the emoji as two UTF-16 units.
        assert_eq!(Encoding::Utf16.column(line, at_x), 17);
        assert_eq!(Encoding::Utf8.column(line, at_x), at_x as u32);
        assert_eq!(Encoding::Utf16.offset(line, 17), at_x);
        // Inside the surrogate pair: the start of the emoji.
        assert_eq!(Encoding::Utf16.offset(line, 16), line.find('🏠').unwrap());
        assert_eq!(Encoding::Utf16.offset(line, 999), line.len());
        assert_eq!(Encoding::Utf8.offset(line, 11), 10, "inside ö");
    }

    #[test]
    fn incremental_changes_apply_at_utf16_positions() {
        let mut text = String::from("---\ntitel: Bäckerei\n---\n");
        let range = Range::new(Position::new(1, 7), Position::new(1, 15));
        apply_change(&mut text, Some(range), "Café 🏠", Encoding::Utf16);
        assert_eq!(text, "---\ntitel: Café 🏠\n---\n");
        let end = Range::new(Position::new(1, 14), Position::new(1, 14));
        apply_change(&mut text, Some(end), "!", Encoding::Utf16);
        assert_eq!(text, "---\ntitel: Café 🏠!\n---\n");
        // Past the end: appended.
        let past = Range::new(Position::new(9, 0), Position::new(9, 0));
        apply_change(&mut text, Some(past), "x", Encoding::Utf16);
        assert!(text.ends_with("---\nx"));
        let lines = Lines::new(&text);
        assert_eq!(
            lines.position(text.len(), Encoding::Utf16),
            Position::new(3, 1)
        );
    }

    #[test]
    fn uris_and_paths() {
        let path = Path::new("/tmp/Kata log/orte/straße.md");
        let uri = path_to_uri(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/Kata%20log/orte/stra%C3%9Fe.md");
        assert_eq!(uri_to_path(&uri).unwrap(), path);
        assert!(uri_to_path(&Uri::from_str("untitled:1").unwrap()).is_none());
    }
}
