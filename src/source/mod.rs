//! Source text: turning bytes from disk into clean text, splitting front matter, parsing YAML with
//! positions, and finding the line where a key stands. Shared by `config` and `load`.

use crate::diagnostic::Diagnostic;

/// The YAML library, named here and nowhere else: serde_yaml is archived upstream, and a fork
/// with the same API (serde_norway, see the README) replaces it in this line and Cargo.toml.
pub use serde_yaml as yaml;
use std::fs::File;
use std::io::Read;
use std::path::Path;
use std::time::SystemTime;

mod lines;
mod unclosed;

pub use lines::{KeyLines, LineIndex};
use unclosed::unclosed;

/// Largest file casebook reads; anything bigger is surely not a hand-written case.
pub const MAX_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// Where `path` leads when that is outside the folder `within` (which must be canonical):
/// a symbolic link on the way out of the catalogue. `None` when the path stays inside, and when
/// it cannot be resolved (reading it then says why).
pub fn escapes(path: &Path, within: &Path) -> Option<std::path::PathBuf> {
    let target = path.canonicalize().ok()?;
    (!target.starts_with(within)).then_some(target)
}

/// The diagnostic for a file or folder of the catalogue that links outside it.
pub fn symlink_outside(shown: impl Into<std::path::PathBuf>, target: &Path) -> Diagnostic {
    Diagnostic::error(
        "symlink-outside",
        shown,
        "symbolic link points outside the catalogue",
    )
    .found(target.display().to_string())
    .hint("copy the files into the catalogue instead of linking to them")
}

/// Decodes file bytes into text: strips a UTF-8 BOM, turns CRLF into LF, and explains what is
/// wrong with UTF-16, binary or otherwise non-UTF-8 input instead of failing obscurely.
pub fn decode(bytes: Vec<u8>, shown: &Path) -> Result<String, Box<Diagnostic>> {
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(Box::new(
            Diagnostic::error("not-utf8", shown, "file is encoded as UTF-16")
                .expected("UTF-8 text")
                .hint("save the file as UTF-8 in your editor (\"Save with encoding\")"),
        ));
    }
    let text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let line = bytes[..valid].iter().filter(|b| **b == b'\n').count() + 1;
            let binary = bytes.iter().take(8192).any(|b| *b == 0);
            let d = if binary {
                Diagnostic::error("binary-file", shown, "file is binary, not text")
                    .hint("only Markdown (.md) and YAML (.yaml) text files belong here")
            } else {
                Diagnostic::error(
                    "not-utf8",
                    shown,
                    format!("file is not valid UTF-8 (byte {valid})"),
                )
                .at_line(line)
                .expected("UTF-8 text")
                .hint("save the file as UTF-8; Latin-1/Windows-1252 umlauts cause this")
            };
            return Err(Box::new(d));
        }
    };
    if let Some(pos) = text.find('\0') {
        let line = text[..pos].matches('\n').count() + 1;
        return Err(Box::new(
            Diagnostic::error("binary-file", shown, "file contains NUL bytes")
                .at_line(line)
                .hint("only Markdown (.md) and YAML (.yaml) text files belong here"),
        ));
    }
    let mut text = text;
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    Ok(if text.contains('\r') {
        text.replace("\r\n", "\n").replace('\r', "\n")
    } else {
        text
    })
}

/// Reads and decodes a file, refusing oversized ones before reading them.
pub fn read(path: &Path, shown: &Path) -> Result<String, Box<Diagnostic>> {
    read_with_time(path, shown).map(|(text, _)| text)
}

/// Texts an editor holds for files of the catalogue, unsaved, by absolute path: read instead
/// of the files themselves (`casebook lsp`).
pub type Buffers = std::collections::HashMap<std::path::PathBuf, String>;

/// [`read`], or the text an editor holds for `path`, decoded the same way.
pub fn read_or_buffer(
    path: &Path,
    shown: &Path,
    buffers: &Buffers,
) -> Result<String, Box<Diagnostic>> {
    match buffers.get(path) {
        Some(text) => decode_buffer(text, shown),
        None => read(path, shown),
    }
}

/// An editor's text as if it were a file's bytes: the same size limit and decoding.
pub fn decode_buffer(text: &str, shown: &Path) -> Result<String, Box<Diagnostic>> {
    if text.len() as u64 > MAX_FILE_BYTES {
        return Err(Box::new(too_large(shown, text.len() as u64)));
    }
    decode(text.as_bytes().to_vec(), shown)
}

/// [`read`], also returning the file's modification time. One open and one `fstat` per file:
/// at 10,000 entries, stating each file by name besides reading it cost 20,000 system calls.
pub fn read_with_time(
    path: &Path,
    shown: &Path,
) -> Result<(String, Option<SystemTime>), Box<Diagnostic>> {
    let io_error = |e: std::io::Error| {
        Box::new(
            Diagnostic::error("unreadable", shown, format!("cannot read file: {e}"))
                .hint("check that the file exists and that you may read it"),
        )
    };
    let not_a_file = || {
        Box::new(
            Diagnostic::error(
                "unreadable",
                shown,
                "not a regular file (a folder, pipe, socket or device)",
            )
            .hint("only Markdown (.md) and YAML (.yaml) files are read"),
        )
    };
    let file = match open_without_waiting(path) {
        Ok(f) => f,
        // A socket cannot be opened at all; say what it is rather than how opening failed.
        Err(_) if std::fs::metadata(path).is_ok_and(|m| !m.is_file()) => return Err(not_a_file()),
        Err(e) => return Err(io_error(e)),
    };
    let meta = file.metadata().map_err(io_error)?;
    if !meta.is_file() {
        return Err(not_a_file());
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(Box::new(too_large(shown, meta.len())));
    }
    // Room for one byte more than the size, so that the read which finds the end needs no
    // growing; a file that grows meanwhile is still cut off at the limit.
    let mut bytes = Vec::with_capacity(meta.len() as usize + 1);
    file.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(io_error)?;
    Ok((decode(bytes, shown)?, meta.modified().ok()))
}

/// The diagnostic for a file over [`MAX_FILE_BYTES`].
pub fn too_large(shown: &Path, bytes: u64) -> Diagnostic {
    Diagnostic::error(
        "file-too-large",
        shown,
        format!("file is {} MB", bytes / (1024 * 1024)),
    )
    .expected(format!(
        "at most {} MB per file",
        MAX_FILE_BYTES / (1024 * 1024)
    ))
    .hint("split the content, or move large data out of the catalogue")
}

/// Opens a file for reading without waiting for a writer: a named pipe would otherwise block
/// the open until someone writes to it. Regular files read as usual.
fn open_without_waiting(path: &Path) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    options.open(path)
}

/// A Markdown file split at its front matter.
#[derive(Debug, Clone, Copy)]
pub struct Split<'a> {
    pub front_matter: &'a str,
    /// 1-based line where the front matter text starts (the line after the opening `---`).
    pub front_matter_line: usize,
    pub body: &'a str,
    /// 1-based line where the body starts.
    pub body_line: usize,
}

/// Splits `---` front matter from the Markdown body. A file without an opening `---` has no
/// front matter; an opening `---` without a closing one is an error pointing at line 1.
pub fn split_front_matter<'a>(text: &'a str, shown: &Path) -> Result<Split<'a>, Box<Diagnostic>> {
    let first_line = text.lines().next().unwrap_or("");
    if first_line.trim_end() != "---" {
        return Err(Box::new(
            Diagnostic::error(
                "no-front-matter",
                shown,
                "the file does not start with `---`",
            )
            .at(text, 1, 1, first_line.chars().count().max(1))
            .expected("YAML front matter between two `---` lines at the top of the file")
            .hint("start the file with a line `---`, then the fields, then another `---`"),
        ));
    }
    let start = first_line.len() + 1;
    let mut offset = start.min(text.len());
    for (line_no, line) in (2..).zip(text[offset..].split_inclusive('\n')) {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            let body_start = offset + line.len();
            return Ok(Split {
                front_matter: &text[start.min(offset)..offset],
                front_matter_line: 2,
                body: &text[body_start.min(text.len())..],
                body_line: line_no + 1,
            });
        }
        offset += line.len();
    }
    Err(Box::new(
        Diagnostic::error("unclosed-front-matter", shown, "front matter is not closed")
            .at(text, 1, 1, 3)
            .expected("a second `---` line after the fields")
            .hint("add a line with only `---` between the last field and the text"),
    ))
}

/// Parses YAML into a value, turning syntax errors into diagnostics at the right line of `text`
/// (`line_offset` is the line in `text` where `yaml` starts).
pub fn parse_yaml(
    yaml: &str,
    text: &str,
    line_offset: usize,
    shown: &Path,
) -> Result<yaml::Value, Box<Diagnostic>> {
    yaml::from_str::<yaml::Value>(yaml)
        .map_err(|e| Box::new(yaml_error(&e, text, line_offset, shown)))
}

/// Turns a YAML library error into a diagnostic with line, column and a hint for common mistakes.
pub fn yaml_error(e: &yaml::Error, text: &str, line_offset: usize, shown: &Path) -> Diagnostic {
    let message = e.to_string();
    // The library appends " at line X column Y" to the message; the position is shown separately.
    let short = message
        .split(" at line ")
        .next()
        .unwrap_or(&message)
        .to_string();
    let mut d = Diagnostic::error("yaml-syntax", shown, format!("invalid YAML: {short}"));
    if let Some(open) = unclosed(&message, text, line_offset) {
        let (what, example) = match open.opener {
            '[' => ("list", "with `]` after its last item, e.g. `[a, b]`"),
            '{' => (
                "mapping",
                "with `}` after its last pair, e.g. `{ lat: 51.5, lon: 9.9 }`",
            ),
            '"' => ("text", "with a second `\"` at its end"),
            _ => (
                "text",
                "with a second `'` at its end (write `''` for an apostrophe inside)",
            ),
        };
        return Diagnostic::error(
            "yaml-syntax",
            shown,
            format!(
                "invalid YAML: this `{}` on line {} is never closed",
                open.opener, open.line
            ),
        )
        .at(text, open.line, open.column, 1)
        .expected(format!("the {what} opened here closed {example}"))
        .hint(format!(
            "this `{}` on line {} is never closed; close the {what} {example}",
            open.opener, open.line
        ));
    }
    if let Some(loc) = e.location() {
        let mut line = loc.line() + line_offset - 1;
        let mut column = loc.column();
        // libyaml reports a duplicate key at the start of its mapping; point at the duplicate.
        if let Some(key) = short.strip_prefix("duplicate entry with key ") {
            let key = key.trim_matches('"');
            let mut seen = 0;
            for (i, l) in text.lines().enumerate().skip(line.saturating_sub(1)) {
                let trimmed = l.trim_start().trim_start_matches("- ");
                if trimmed
                    .strip_prefix(key)
                    .is_some_and(|rest| rest.starts_with(':'))
                {
                    seen += 1;
                    if seen == 2 {
                        line = i + 1;
                        column = l.len() - trimmed.len() + 1;
                        break;
                    }
                }
            }
        }
        d = d.at(text, line, column, 1);
        let source = text.lines().nth(line - 1).unwrap_or("");
        let hint = if source.contains('\t') || text.lines().any(|l| l.starts_with('\t')) {
            Some("YAML does not allow tabs for indentation; indent with spaces")
        } else if short.contains("duplicate") {
            Some("each field may appear only once; merge the two values")
        } else if short.contains("recursion limit") || short.contains("repetition limit") {
            Some("the YAML nests or repeats too deeply; anchors and aliases are not needed in entries")
        } else if short.contains("mapping values are not allowed") {
            Some("a value containing `: ` must be put in quotes")
        } else {
            None
        };
        d = d.maybe_hint(hint.map(str::to_string));
    } else if short.contains("repetition limit") || short.contains("recursion limit") {
        d = d.hint(
            "the YAML nests or repeats too deeply; anchors and aliases are not needed in entries",
        );
    }
    d
}

/// Short description of a YAML value for "found:" lines.
pub fn describe(value: &yaml::Value) -> String {
    use yaml::Value;
    match value {
        Value::Null => "nothing (empty value)".into(),
        Value::Bool(b) => format!("the boolean `{b}`"),
        Value::Number(n) => format!("the number `{n}`"),
        Value::String(s) => format!("`{}`", crate::diagnostic::truncate_chars(s, 60)),
        Value::Sequence(s) => format!("a list of {} item(s)", s.len()),
        Value::Mapping(_) => "a mapping (`key: value` pairs)".into(),
        Value::Tagged(t) => format!("a value tagged `{}`", t.tag),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("x.md")
    }

    #[test]
    fn splits_front_matter_and_reports_body_line() {
        let text = "---\ntitel: A\n---\n# Body\n";
        let s = split_front_matter(text, p()).unwrap();
        assert_eq!(s.front_matter, "titel: A\n");
        assert_eq!(s.body, "# Body\n");
        assert_eq!(s.body_line, 4);
    }

    #[test]
    fn unclosed_front_matter_is_an_error_at_line_one() {
        let e = split_front_matter("---\ntitel: A\n# Body\n", p()).unwrap_err();
        assert_eq!(e.code, "unclosed-front-matter");
        assert_eq!(e.line, Some(1));
    }

    #[test]
    fn only_dashes_is_unclosed() {
        assert!(split_front_matter("---", p()).is_err());
        assert!(split_front_matter("---\n", p()).is_err());
    }

    #[test]
    fn bom_and_crlf_are_accepted() {
        let t = decode(b"\xEF\xBB\xBF---\r\ntitel: A\r\n---\r\n".to_vec(), p()).unwrap();
        assert_eq!(t, "---\ntitel: A\n---\n");
        let t = decode("\u{feff}titel: Ä\n".as_bytes().to_vec(), p()).unwrap();
        assert_eq!(t, "titel: Ä\n");
    }

    #[test]
    fn reading_gives_the_text_and_time_and_refuses_what_is_not_a_file() {
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path();
        let file = dir.join("a.md");
        std::fs::write(&file, "\u{feff}titel: A\r\n").unwrap();
        let (text, modified) = read_with_time(&file, p()).unwrap();
        assert_eq!(text, "titel: A\n");
        assert_eq!(modified, std::fs::metadata(&file).unwrap().modified().ok());
        let e = read_with_time(dir, p()).unwrap_err();
        assert!(e.message.contains("not a regular file"), "{e:?}");
        let e = read_with_time(&dir.join("missing.md"), p()).unwrap_err();
        assert!(e.message.starts_with("cannot read file"), "{e:?}");
    }

    #[test]
    fn utf16_latin1_and_nul_are_explained() {
        assert_eq!(
            decode(vec![0xFF, 0xFE, b'a', 0], p()).unwrap_err().code,
            "not-utf8"
        );
        let e = decode(b"titel: M\xFCnchen\n".to_vec(), p()).unwrap_err();
        assert_eq!((e.code, e.line), ("not-utf8", Some(1)));
        assert_eq!(
            decode(b"a\nb\0".to_vec(), p()).unwrap_err().code,
            "binary-file"
        );
    }

    #[test]
    fn yaml_errors_point_at_the_file_line() {
        let text = "---\ntitel: A\nthema: [a, b\n---\n";
        let s = split_front_matter(text, p());
        // unclosed flow sequence: the error is inside the front matter, not at line 1 of it
        let s = s.unwrap();
        let e = parse_yaml(s.front_matter, text, s.front_matter_line, p()).unwrap_err();
        assert_eq!(e.code, "yaml-syntax");
        assert!(e.line.unwrap() >= 3, "{e:?}");
    }

    #[test]
    fn alias_bombs_are_refused() {
        let mut yaml =
            String::from("a: &a [\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\",\"x\"]\n");
        for i in 1..10 {
            let prev = (b'a' + i - 1) as char;
            let cur = (b'a' + i) as char;
            yaml.push_str(&format!(
                "{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
            ));
        }
        assert!(parse_yaml(&yaml, &yaml, 1, p()).is_err());
    }

    #[test]
    fn line_index_finds_lines_and_columns() {
        let text = "ab\nÜber x\n\nlast";
        let lines = LineIndex::new(text);
        assert_eq!(lines.position(0), (1, 1));
        assert_eq!(lines.position(2), (1, 3));
        assert_eq!(lines.position(3), (2, 1));
        assert_eq!(lines.position(text.find('x').unwrap()), (2, 6));
        assert_eq!(lines.position(text.len()), (4, 5));
        assert_eq!(lines.line(1), "ab");
        assert_eq!(lines.line(2), "Über x");
        assert_eq!(lines.line(3), "");
        assert_eq!(lines.line(4), "last");
        assert_eq!(lines.line(5), "");
        assert_eq!(lines.line(0), "");
    }

    #[test]
    fn key_lines_find_keys_and_list_items() {
        let yaml = "titel: A\nthema:\n  - foo\n  - barr\nstadt: [x]\n";
        let k = KeyLines::scan(yaml, 2);
        assert_eq!(
            KeyLines::scan("titel: Über\n", 1).get("titel"),
            Some((1, 8))
        );
        assert_eq!(k.get("titel"), Some((2, 8)));
        assert_eq!(
            k.locate_in_value(&format!("---\n{yaml}"), "thema", "barr"),
            Some((5, 5, "  - barr"))
        );
        // Not in the value: the key's own line.
        assert_eq!(
            k.locate_in_value(&format!("---\n{yaml}"), "thema", "qux"),
            Some((3, 7, "thema:"))
        );
        assert_eq!(k.get("stadt"), Some((6, 8)));
        let text = format!("---\n{yaml}");
        let lines = LineIndex::new(&text);
        assert_eq!(
            k.locate_each_in_value(&lines, "thema", &["foo", "barr", "foo", "x"]),
            vec![
                Some((4, 5, "  - foo")),
                Some((5, 5, "  - barr")),
                None,
                None
            ]
        );
        let flow = "eingesetzt_an: [ort/a, a, ort/b]\n";
        let lines = LineIndex::new(flow);
        assert_eq!(
            KeyLines::scan(flow, 1).locate_each_in_value(
                &lines,
                "eingesetzt_an",
                &["ort/a", "a", "ort/b"]
            ),
            vec![
                Some((1, 17, "eingesetzt_an: [ort/a, a, ort/b]")),
                Some((1, 24, "eingesetzt_an: [ort/a, a, ort/b]")),
                Some((1, 27, "eingesetzt_an: [ort/a, a, ort/b]")),
            ]
        );
    }
}
