//! What stands at the cursor in an entry: a field name, a value of a field, or an internal link
//! `@/…`. Read from the text line by line, so that it works on the half-typed YAML an editor
//! holds between two keystrokes, where a YAML parser gives up.

use crate::source::KeyLines;
use std::ops::Range;

/// What the cursor is on, with the byte range a completion replaces.
#[derive(Debug, Clone, PartialEq)]
pub enum Spot<'t> {
    /// A top-level field name (typed so far).
    Key {
        key: &'t str,
        range: Range<usize>,
    },
    /// In the value of field `key`: the word under the cursor, and the whole value's text
    /// (for the terms or ids given already).
    Value {
        key: &'t str,
        word: &'t str,
        range: Range<usize>,
        value: &'t str,
    },
    /// The path of an internal link, after `@/`.
    Link {
        path: &'t str,
        range: Range<usize>,
    },
    Nothing,
}

/// Where the YAML of a document stands: all of a `.yaml` file; for Markdown, the lines between
/// the `---` lines (to the end while the closing one is not typed yet).
pub fn yaml_region(text: &str, is_yaml: bool) -> Range<usize> {
    if is_yaml {
        return 0..text.len();
    }
    let Some(first) = text.lines().next().filter(|l| l.trim_end() == "---") else {
        return 0..0;
    };
    let start = (first.len() + 1).min(text.len());
    let mut at = start;
    for line in text[start..].split_inclusive('\n') {
        if matches!(line.trim_end(), "---" | "...") {
            return start..at;
        }
        at += line.len();
    }
    start..text.len()
}

/// The top-level field names of a document's YAML, as written.
pub fn keys(text: &str, is_yaml: bool) -> Vec<String> {
    let region = yaml_region(text, is_yaml);
    let mut keys = Vec::new();
    for line in text[region].lines() {
        if let Some(key) = top_level_key(line) {
            keys.push(key.to_string());
        }
    }
    keys
}

/// The key of a line that starts a top-level field (`titel: …`).
fn top_level_key(line: &str) -> Option<&str> {
    if line.starts_with([' ', '\t', '-', '#']) || line.is_empty() {
        return None;
    }
    let colon = KeyLines::key_colon(line)?;
    Some(line[..colon].trim().trim_matches(['"', '\'']))
}

fn is_word(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.')
}

fn is_path(c: char) -> bool {
    !c.is_whitespace()
        && !matches!(
            c,
            ')' | ']' | '[' | '(' | '"' | '\'' | '`' | '#' | '>' | '<' | ','
        )
}

/// The range of the run of `keep` characters around byte `at` of `line` (which starts at
/// byte `base` of the text).
fn run_around(line: &str, at: usize, base: usize, keep: fn(char) -> bool) -> Range<usize> {
    let start = line[..at]
        .char_indices()
        .rev()
        .take_while(|(_, c)| keep(*c))
        .last()
        .map_or(at, |(i, _)| i);
    let end = line[at..]
        .char_indices()
        .find(|(_, c)| !keep(*c))
        .map_or(line.len(), |(i, _)| at + i);
    base + start..base + end
}

/// What stands at byte `offset` of `text`.
pub fn spot(text: &str, is_yaml: bool, offset: usize) -> Spot<'_> {
    let offset = offset.min(text.len());
    if !text.is_char_boundary(offset) {
        return Spot::Nothing;
    }
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[offset..].find('\n').map_or(text.len(), |i| offset + i);
    let line = &text[line_start..line_end];
    let at = offset - line_start;
    // An internal link, in the body or in a Markdown field.
    if let Some(link) = line[..at].rfind("@/") {
        let between = &line[link + 2..at];
        if between.chars().all(is_path) {
            let range = run_around(line, at, line_start, is_path);
            let range = (line_start + link + 2)..range.end;
            return Spot::Link {
                path: &text[range.clone()],
                range,
            };
        }
    }
    let region = yaml_region(text, is_yaml);
    // At the very end of the region only while a front matter is not closed yet.
    let open_end =
        offset == region.end && region.end == text.len() && (is_yaml || !region.is_empty());
    if !region.contains(&offset) && !open_end {
        return Spot::Nothing;
    }
    if line.trim_start().starts_with('#') || line[..at].contains(" #") {
        return Spot::Nothing;
    }
    // A top-level line: the name before its colon, the value after it.
    if !line.starts_with([' ', '\t', '-', '#']) {
        match KeyLines::key_colon(line) {
            Some(colon) if at > colon => {}
            _ => {
                let range = run_around(line, at, line_start, |c| {
                    c.is_alphanumeric() || c == '_' || c == '-'
                });
                return Spot::Key {
                    key: &text[range.clone()],
                    range,
                };
            }
        }
    }
    // The field this value belongs to: the nearest top-level key at or above this line.
    let before = &text[region.start..line_end];
    let mut owner = None;
    let mut owner_at = region.start;
    for l in before.lines().rev() {
        if let Some(key) = top_level_key(l) {
            owner = Some(key);
            owner_at = l.as_ptr() as usize - text.as_ptr() as usize;
            break;
        }
    }
    let Some(key) = owner else {
        return Spot::Nothing;
    };
    let value_end = text[line_end..region.end]
        .split_inclusive('\n')
        .scan(line_end, |pos, l| {
            let here = *pos;
            *pos += l.len();
            Some((here, l))
        })
        .find(|(_, l)| top_level_key(l.trim_end_matches('\n')).is_some())
        .map_or(region.end, |(here, _)| here);
    let value_start = owner_at + text[owner_at..].find(':').map_or(0, |i| i + 1);
    let range = run_around(line, at, line_start, is_word);
    Spot::Value {
        key,
        word: &text[range.clone()],
        range,
        value: &text[value_start.min(value_end)..value_end],
    }
}

/// The words of a value (terms or ids given), as [`spot`] reads them.
pub fn words(value: &str) -> impl Iterator<Item = &str> {
    value
        .split(|c: char| !is_word(c))
        .filter(|w| w.chars().any(char::is_alphanumeric))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> (String, usize) {
        let i = text.find('|').unwrap();
        (text.replacen('|', "", 1), i)
    }

    #[test]
    fn finds_keys_values_and_links() {
        let (t, i) = at("---\ntitel: X\nthe|\n---\nBody\n");
        assert_eq!(
            spot(&t, false, i),
            Spot::Key {
                key: "the",
                range: 13..16
            }
        );
        let (t, i) = at("---\nthema: [beteiligung, ph|]\n---\n");
        let Spot::Value {
            key, word, value, ..
        } = spot(&t, false, i)
        else {
            panic!("{:?}", spot(&t, false, i))
        };
        assert_eq!((key, word), ("thema", "ph"));
        assert_eq!(value, " [beteiligung, ph]\n");
        let (t, i) = at("---\nthema:\n  - beteiligung\n  - |\nstadt: [x]\n---\n");
        let Spot::Value {
            key, word, value, ..
        } = spot(&t, false, i)
        else {
            panic!()
        };
        assert_eq!((key, word), ("thema", ""));
        assert_eq!(words(value).collect::<Vec<_>>(), ["beteiligung"]);
        let (t, i) = at("---\nsiehe_auch: [ort/markt|platz]\n---\n");
        assert!(matches!(
            spot(&t, false, i),
            Spot::Value {
                word: "ort/marktplatz",
                ..
            }
        ));
        let (t, i) = at("---\ntitel: X\n---\nSiehe [Markt](@/orte/ma|rkt.md).\n");
        let Spot::Link { path, range } = spot(&t, false, i) else {
            panic!()
        };
        assert_eq!(path, "orte/markt.md");
        assert_eq!(&t[range], "orte/markt.md");
        // The body is not YAML; a comment is nothing.
        let (t, i) = at("---\ntitel: X\n---\nthema: [a|]\n");
        assert_eq!(spot(&t, false, i), Spot::Nothing);
        let (t, i) = at("---\n# thema: [a|]\n---\n");
        assert_eq!(spot(&t, false, i), Spot::Nothing);
        // Pure YAML, while the closing line of a front matter is not typed yet.
        let (t, i) = at("titel: X\nthema: [|");
        assert!(matches!(
            spot(&t, true, i),
            Spot::Value { key: "thema", .. }
        ));
        let (t, i) = at("---\ntitel: X\nthema: |");
        assert!(matches!(
            spot(&t, false, i),
            Spot::Value { key: "thema", .. }
        ));
        assert_eq!(
            keys("---\ntitel: X\n  y: 1\nthema: []\n---\nz: 1\n", false),
            ["titel", "thema"]
        );
    }
}
