//! Hover and go to definition: what a field name, a term, a reference or an internal link
//! stands for, and where it is defined.

use super::complete::{choices, field_doc, field_of, link_targets, Choice, Target};
use super::cursor::{self, Spot};
use super::text::{path_to_uri, Encoding, Lines};
use super::workspace::Workspace;
use super::At;
use lsp_types::{Hover, HoverContents, Location, MarkupContent, MarkupKind, Position, Range};
use std::path::Path;

/// What the cursor is on, with the range it covers: the field's description or the choice it
/// names.
enum Meaning {
    Field(String),
    Choice(Choice),
}

fn meaning(ws: &Workspace, at: &At) -> Option<(Meaning, std::ops::Range<usize>)> {
    let config = ws.config.as_deref()?;
    let kind = at.kind;
    match cursor::spot(at.text, at.is_yaml, at.offset) {
        Spot::Key { key, range } => {
            let def = field_of(config, kind, key)?;
            Some((Meaning::Field(def.key.clone()), range))
        }
        Spot::Value {
            key, word, range, ..
        } => {
            let def = field_of(config, kind, key)?;
            let choice = choices(ws, def, Some(word)).into_iter().next()?;
            Some((Meaning::Choice(choice), range))
        }
        Spot::Link { path, range } => {
            let choice = link_targets(ws, Some(path)).into_iter().next()?;
            Some((Meaning::Choice(choice), range))
        }
        Spot::Nothing => None,
    }
}

/// Hover at a position of an open document.
pub fn hover(ws: &Workspace, at: &At) -> Option<Hover> {
    let config = ws.config.as_deref()?;
    let (meaning, range) = meaning(ws, at)?;
    let value = match meaning {
        Meaning::Field(key) => field_doc(config, config.fields.get(&key)?),
        Meaning::Choice(c) => c.doc,
    };
    let (lines, enc) = (Lines::new(at.text), at.enc);
    Some(Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(Range::new(
            lines.position(range.start, enc),
            lines.position(range.end, enc),
        )),
    })
}

/// Go to definition at a position of an open document: an entry's or page's file, a term's
/// line in its vocabulary, a field's definition in site.yaml.
pub fn definition(ws: &Workspace, at: &At) -> Option<Location> {
    let (meaning, _) = meaning(ws, at)?;
    let content = ws.root.join("content");
    let (path, line) = match meaning {
        Meaning::Field(key) => {
            let path = content.join("site.yaml");
            let line = field_definition_line(&ws.text_of(&path)?, &key);
            (path, line)
        }
        Meaning::Choice(c) => match c.target {
            Target::Nowhere => return None,
            Target::File(path) => (path, None),
            Target::Term { vocabulary, key } => {
                let path = content
                    .join("vocabularies")
                    .join(format!("{vocabulary}.yaml"));
                let text = ws.text_of(&path)?;
                let line = crate::config::field_line(&text, "key", &key, 0).map(|(l, _)| l);
                (path, line)
            }
        },
    };
    location(ws, &path, line, at.enc)
}

/// A location at the start of 1-based `line` (or of the file).
fn location(ws: &Workspace, path: &Path, line: Option<usize>, enc: Encoding) -> Option<Location> {
    let uri = path_to_uri(path)?;
    let at = match line {
        Some(line) => {
            let text = ws.text_of(path).unwrap_or_default();
            let lines = Lines::new(&text);
            let l = lines.line(line - 1);
            let indent = l.len() - l.trim_start().len();
            Position::new((line - 1) as u32, enc.column(l, indent))
        }
        None => Position::new(0, 0),
    };
    Some(Location::new(uri, Range::new(at, at)))
}

/// The 1-based line of `key:` in the `fields:` block of site.yaml.
fn field_definition_line(site: &str, key: &str) -> Option<usize> {
    let mut in_fields = false;
    let mut indent = None;
    for (i, line) in site.lines().enumerate() {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let depth = line.len() - trimmed.len();
        if depth == 0 {
            in_fields = trimmed.starts_with("fields:");
            continue;
        }
        if !in_fields || *indent.get_or_insert(depth) != depth {
            continue;
        }
        let name = trimmed.split(':').next().unwrap_or("");
        if name.trim_matches(['"', '\'']) == key {
            return Some(i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_a_field_definition_in_site_yaml() {
        let site = "title: x\nroles:\n  titel: t\nfields:\n  # a comment\n  titel:\n    kind: text\n    label: Titel\n  thema: { kind: facet }\ntypes: []\n";
        assert_eq!(field_definition_line(site, "titel"), Some(6));
        assert_eq!(field_definition_line(site, "thema"), Some(9));
        assert_eq!(field_definition_line(site, "kind"), None);
    }
}
