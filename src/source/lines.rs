//! Where things stand in a file: a line index built once per file (lines found by binary
//! search), and the lines of front-matter keys and their values.

/// The start of every line of a text, found in one pass, so that each diagnostic finds its line
/// by binary search instead of scanning the text again: a file with a million bad links must not
/// cost a million scans of itself.
#[derive(Debug, Clone)]
pub struct LineIndex<'t> {
    pub(super) text: &'t str,
    /// Byte offset where each line starts; files are at most [`MAX_FILE_BYTES`] long.
    pub(super) starts: Vec<u32>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> Self {
        let starts = std::iter::once(0)
            .chain(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1))
            .map(|i| u32::try_from(i).unwrap_or(u32::MAX))
            .collect();
        LineIndex { text, starts }
    }

    /// The 1-based line and column (in characters) of a byte offset.
    pub fn position(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self
            .starts
            .partition_point(|s| *s as usize <= offset)
            .max(1);
        let start = self.starts[line - 1] as usize;
        let column = self
            .text
            .get(start..offset)
            .map_or(1, |before| before.chars().count() + 1);
        (line, column)
    }

    /// How many lines the text has.
    pub fn count(&self) -> usize {
        self.starts.len()
    }

    /// The text of 1-based `line`, without its line break; empty past the end.
    pub fn line(&self, line: usize) -> &'t str {
        let Some(start) = line.checked_sub(1).and_then(|i| self.starts.get(i)) else {
            return "";
        };
        let start = *start as usize;
        let end = self
            .starts
            .get(line)
            .map_or(self.text.len(), |next| (*next as usize).saturating_sub(1));
        self.text.get(start..end.max(start)).unwrap_or("")
    }
}

/// Where each top-level key of a YAML mapping stands: its 1-based line, the column where its
/// value starts, and the text of the lines that belong to it (for finding list items).
#[derive(Debug, Default, Clone)]
pub struct KeyLines {
    /// In the order of their lines.
    pub(super) keys: Vec<(String, usize, usize)>,
    /// Each key's first place in `keys`: a front matter of 100,000 keys is looked up per key.
    pub(super) index: std::collections::HashMap<String, usize>,
}

impl KeyLines {
    /// Scans `yaml` (which starts at line `first_line` of its file) for top-level `key:` lines.
    pub fn scan(yaml: &str, first_line: usize) -> Self {
        let mut keys = Vec::new();
        for (i, line) in yaml.lines().enumerate() {
            if line.starts_with([' ', '\t', '-', '#']) || line.is_empty() {
                continue;
            }
            if let Some(colon) = find_key_colon(line) {
                let key = line[..colon].trim().trim_matches(['"', '\'']).to_string();
                let after = &line[colon + 1..];
                let value_start = colon + 1 + (after.len() - after.trim_start().len());
                keys.push((key, first_line + i, line[..value_start].chars().count() + 1));
            }
        }
        let mut index = std::collections::HashMap::with_capacity(keys.len());
        for (i, (key, ..)) in keys.iter().enumerate() {
            index.entry(key.clone()).or_insert(i);
        }
        KeyLines { keys, index }
    }

    /// The byte index of the colon that ends the key of a top-level `key: value` line.
    pub fn key_colon(line: &str) -> Option<usize> {
        find_key_colon(line)
    }

    /// The line where the value of the key at `i` in `keys` ends (exclusive): the next key's.
    fn end_of(&self, i: usize) -> usize {
        self.keys.get(i + 1).map_or(usize::MAX, |(_, l, _)| *l)
    }

    /// The line and value column of a top-level key.
    pub fn get(&self, key: &str) -> Option<(usize, usize)> {
        let (_, line, col) = &self.keys[*self.index.get(key)?];
        Some((*line, *col))
    }

    /// Where each of `needles` stands within the value of `key`, looking for each after the one
    /// before: one pass over the value for all of them, where [`Self::locate_in_value`] per
    /// needle would cost a pass each (quadratic for a list of a million references). `None`
    /// for a needle not found as written (quoted or escaped), and for every one after it.
    pub fn locate_each_in_value<'t>(
        &self,
        lines: &LineIndex<'t>,
        key: &str,
        needles: &[&str],
    ) -> Vec<Option<(usize, usize, &'t str)>> {
        let mut found = Vec::with_capacity(needles.len());
        let Some(&i) = self.index.get(key) else {
            found.resize(needles.len(), None);
            return found;
        };
        let (_, first, col) = self.keys[i];
        let end = self.end_of(i);
        let key_line = lines.line(first);
        // Where the search goes on: line, byte and the column of that byte, counted on as the
        // search moves (counting from the line's start would be quadratic on one long line).
        let (mut line, mut from, mut column) = (
            first,
            key_line
                .char_indices()
                .nth(col.saturating_sub(1))
                .map_or(key_line.len(), |(b, _)| b),
            col,
        );
        let mut lost = false;
        for needle in needles {
            let mut hit = None;
            while !lost && line < end && line <= lines.count() {
                let text = lines.line(line);
                match text.get(from..).and_then(|rest| rest.find(needle)) {
                    Some(pos) => {
                        column += text[from..from + pos].chars().count();
                        hit = Some((line, column, text));
                        from += pos + needle.len();
                        column += needle.chars().count();
                        break;
                    }
                    None => (line, from, column) = (line + 1, 0, 1),
                }
            }
            lost |= hit.is_none();
            found.push(hit);
        }
        found
    }

    /// The line, column and text of the line where `needle` occurs within the value of `key`
    /// (the key's own line and the indented lines under it); falls back to the key's line.
    pub fn locate_in_value<'t>(
        &self,
        text: &'t str,
        key: &str,
        needle: &str,
    ) -> Option<(usize, usize, &'t str)> {
        let i = *self.index.get(key)?;
        let (_, line, col) = self.keys[i];
        let next_key_line = self.end_of(i);
        let mut key_line = "";
        for (i, l) in text.lines().enumerate().skip(line - 1) {
            let n = i + 1;
            if n >= next_key_line {
                break;
            }
            if n == line {
                key_line = l;
            }
            let from = if n == line { col.saturating_sub(1) } else { 0 };
            let byte_from = l
                .char_indices()
                .nth(from)
                .map(|(b, _)| b)
                .unwrap_or(l.len());
            if let Some(pos) = l[byte_from..].find(needle) {
                return Some((n, l[..byte_from + pos].chars().count() + 1, l));
            }
        }
        Some((line, col, key_line))
    }
}

/// The byte index of the colon that ends a plain or quoted top-level key.
pub(super) fn find_key_colon(line: &str) -> Option<usize> {
    let mut quote = None;
    for (i, c) in line.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') if i == 0 => quote = Some(c),
            (Some(q), c) if c == q => quote = None,
            (None, ':') => {
                let rest = &line[i + 1..];
                if rest.is_empty() || rest.starts_with([' ', '\t']) {
                    return Some(i);
                }
            }
            _ => {}
        }
    }
    None
}
