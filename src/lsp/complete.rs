//! What a field can hold, for completion, hover and go to definition alike: the fields of an
//! entry's type, the terms of a facet's vocabulary, the entries a reference may point to, and
//! the documents an internal link may name.

use super::cursor::{self, Spot};
use super::text::Lines;
use super::workspace::Workspace;
use super::At;
use crate::config::{Config, FieldDef, FieldKind, IMAGE_KEYS};
use crate::load::DocKind;
use lsp_types::{
    CompletionItem, CompletionItemKind, CompletionItemLabelDetails, CompletionTextEdit,
    Documentation, MarkupContent, MarkupKind, Range, TextEdit,
};
use std::path::PathBuf;

/// A value a field can take.
#[derive(Debug, Clone)]
pub struct Choice {
    /// As written in the entry: a term key, an entry id.
    pub label: String,
    /// What it is called: the term's label, the entry's title.
    pub title: String,
    /// Where it sits: the term's parents, the entry's type.
    pub place: Option<String>,
    /// Markdown for hover and completion.
    pub doc: String,
    pub kind: CompletionItemKind,
    pub target: Target,
}

/// Where a choice is defined.
#[derive(Debug, Clone)]
pub enum Target {
    Nowhere,
    /// A document of the catalogue.
    File(PathBuf),
    /// A term, at its line in the vocabulary.
    Term {
        vocabulary: String,
        key: String,
    },
}

/// The values field `def` can take, in the order to offer them; with `only`, just the one
/// written so. One arm per field kind: a new kind says here what it offers.
pub fn choices(ws: &Workspace, def: &FieldDef, only: Option<&str>) -> Vec<Choice> {
    let Some(config) = ws.config.as_deref() else {
        return Vec::new();
    };
    match def.kind {
        FieldKind::Facet => terms(config, def, only),
        FieldKind::Reference => entries(ws, config, def, only),
        FieldKind::Boolean => switches(only),
        FieldKind::Text
        | FieldKind::Markdown
        | FieldKind::Number
        | FieldKind::Year
        | FieldKind::Date
        | FieldKind::Url
        | FieldKind::Email
        | FieldKind::Geo
        | FieldKind::Image
        | FieldKind::List => Vec::new(),
    }
}

/// `true` and `false`.
fn switches(only: Option<&str>) -> Vec<Choice> {
    ["true", "false"]
        .into_iter()
        .filter(|b| only.is_none_or(|o| o == *b))
        .map(|b| Choice {
            label: b.to_string(),
            title: b.to_string(),
            place: None,
            doc: format!("`{b}`"),
            kind: CompletionItemKind::VALUE,
            target: Target::Nowhere,
        })
        .collect()
}

/// The terms of a facet's vocabulary, parents before their children.
fn terms(config: &Config, def: &FieldDef, only: Option<&str>) -> Vec<Choice> {
    let Some(vocab) = config.facet_vocabulary(&def.key) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for &(i, _depth) in vocab.order() {
        let term = &vocab.terms[i];
        if only.is_some_and(|o| o != term.key) {
            continue;
        }
        let ancestors: Vec<&str> = vocab
            .ancestors(i)
            .into_iter()
            .rev()
            .map(|a| vocab.terms[a].label.as_str())
            .collect();
        let place = (!ancestors.is_empty()).then(|| ancestors.join(" › "));
        let mut doc = format!(
            "**{}** (`{}`), term of {}",
            term.label, term.key, vocab.label
        );
        if let Some(p) = &place {
            doc.push_str(&format!("\n\nbelow: {p}"));
        }
        if let Some(d) = &term.description {
            doc.push_str(&format!("\n\n{d}"));
        }
        out.push(Choice {
            label: term.key.clone(),
            title: term.label.to_string(),
            place,
            doc,
            kind: CompletionItemKind::ENUM_MEMBER,
            target: Target::Term {
                vocabulary: vocab.key.clone(),
                key: term.key.clone(),
            },
        });
    }
    out
}

/// The entries of the types a reference field may point to, by id (or by slug, as written).
fn entries(ws: &Workspace, config: &Config, def: &FieldDef, only: Option<&str>) -> Vec<Choice> {
    let allowed: Vec<usize> = def.to.iter().filter_map(|t| config.type_index(t)).collect();
    ws.checked
        .entries
        .iter()
        .filter(|e| allowed.contains(&e.type_index))
        .filter(|e| only.is_none_or(|o| o == e.id || o == e.slug))
        .map(|e| {
            let ty = &config.types[e.type_index];
            let mut doc = format!("**{}**\n\n{} · `{}`", e.title, ty.label, e.id);
            if let Some(s) = &e.summary {
                doc.push_str(&format!("\n\n{s}"));
            }
            Choice {
                label: e.id.clone(),
                title: e.title.clone(),
                place: Some(ty.label.to_string()),
                doc,
                kind: CompletionItemKind::REFERENCE,
                target: Target::File(ws.content_path(&e.rel_path)),
            }
        })
        .collect()
}

/// The documents an internal link can name, by their path below `content/`.
pub fn link_targets(ws: &Workspace, only: Option<&str>) -> Vec<Choice> {
    let Some(config) = ws.config.as_deref() else {
        return Vec::new();
    };
    let entries = ws.checked.entries.iter().map(|e| {
        let ty = &config.types[e.type_index];
        (&e.rel_path, &e.title, ty.label.as_str(), &e.summary)
    });
    let pages = ws
        .pages()
        .iter()
        .map(|p| (&p.rel_path, &p.title, "page", &p.summary));
    entries
        .chain(pages)
        .filter(|(rel, ..)| only.is_none_or(|o| o == rel.as_str()))
        .map(|(rel, title, kind, summary)| {
            let mut doc = format!("**{title}**\n\n{kind} · `{rel}`");
            if let Some(s) = summary {
                doc.push_str(&format!("\n\n{s}"));
            }
            Choice {
                label: rel.clone(),
                title: title.clone(),
                place: Some(kind.to_string()),
                doc,
                kind: CompletionItemKind::FILE,
                target: Target::File(ws.content_path(rel)),
            }
        })
        .collect()
}

/// What a field is, for hover and for completing its name.
pub fn field_doc(config: &Config, def: &FieldDef) -> String {
    let mut doc = format!("**{}** (`{}`): {}", def.label, def.key, def.kind.name());
    if def.multiple {
        doc.push_str(", several");
    }
    if def.required {
        doc.push_str(", required");
    }
    if let Some(v) = def.vocabulary.as_deref() {
        let label = config.vocabularies.get(v).map_or(v, |v| v.label.as_str());
        doc.push_str(&format!("\n\nterms of {label} (`vocabularies/{v}.yaml`)"));
    }
    if !def.to.is_empty() {
        doc.push_str(&format!("\n\npoints to: {}", def.to.join(", ")));
    }
    if def.kind == FieldKind::Image {
        doc.push_str("\n\nA picture is a mapping with these keys:");
        for k in IMAGE_KEYS {
            let required = match k.key {
                "credit" => k.required && config.images.require_credit,
                _ => k.required,
            };
            let required = if required { ", required" } else { "" };
            doc.push_str(&format!(
                "\n- `{}` ({}{required}): {}",
                k.key, k.kind, k.description
            ));
        }
    }
    if let Some(d) = &def.description {
        doc.push_str(&format!("\n\n{d}"));
    }
    doc
}

/// The field definition a name in an entry of `kind` stands for, if its type has that field.
pub fn field_of<'c>(config: &'c Config, kind: DocKind, key: &str) -> Option<&'c FieldDef> {
    let DocKind::Entry(t) = kind else {
        return None;
    };
    config.types[t].fields.iter().find(|f| *f == key)?;
    config.fields.get(key)
}

fn markdown(doc: String) -> Documentation {
    Documentation::MarkupContent(MarkupContent {
        kind: MarkupKind::Markdown,
        value: doc,
    })
}

/// Completion at a position of an open document.
pub fn complete(ws: &Workspace, at: &At) -> Vec<CompletionItem> {
    let Some(config) = ws.config.as_deref() else {
        return Vec::new();
    };
    let (kind, is_yaml, text, enc) = (at.kind, at.is_yaml, at.text, at.enc);
    let lines = Lines::new(text);
    let range_of = |r: std::ops::Range<usize>| {
        Range::new(lines.position(r.start, enc), lines.position(r.end, enc))
    };
    let item = |c: Choice, order: usize, range: Range, insert: String| CompletionItem {
        label: c.label,
        label_details: Some(CompletionItemLabelDetails {
            detail: Some(format!(" {}", c.title)),
            description: c.place,
        }),
        kind: Some(c.kind),
        detail: Some(c.title),
        documentation: Some(markdown(c.doc)),
        sort_text: Some(format!("{order:06}")),
        text_edit: Some(CompletionTextEdit::Edit(TextEdit::new(range, insert))),
        ..Default::default()
    };
    match cursor::spot(text, is_yaml, at.offset) {
        Spot::Key { key, range } => {
            let DocKind::Entry(t) = kind else {
                return Vec::new();
            };
            let given = cursor::keys(text, is_yaml);
            let colon_follows = text[range.end..].starts_with(':');
            let lsp_range = range_of(range);
            config.types[t]
                .fields
                .iter()
                .filter(|f| f.as_str() == key || !given.contains(f))
                .filter_map(|f| config.fields.get(f))
                .enumerate()
                .map(|(i, def)| {
                    let choice = Choice {
                        label: def.key.clone(),
                        title: def.label.to_string(),
                        place: Some(def.kind.name().to_string()),
                        doc: field_doc(config, def),
                        kind: CompletionItemKind::FIELD,
                        target: Target::Nowhere,
                    };
                    let insert = match colon_follows {
                        true => def.key.clone(),
                        false => format!("{}: ", def.key),
                    };
                    item(choice, i, lsp_range, insert)
                })
                .collect()
        }
        Spot::Value {
            key,
            word,
            range,
            value,
        } => {
            let Some(def) = field_of(config, kind, key) else {
                return Vec::new();
            };
            let given: Vec<&str> = cursor::words(value).filter(|w| *w != word).collect();
            let lsp_range = range_of(range);
            choices(ws, def, None)
                .into_iter()
                .filter(|c| !given.contains(&c.label.as_str()))
                .enumerate()
                .map(|(i, c)| {
                    let insert = c.label.clone();
                    item(c, i, lsp_range, insert)
                })
                .collect()
        }
        Spot::Link { range, .. } => {
            let lsp_range = range_of(range);
            link_targets(ws, None)
                .into_iter()
                .enumerate()
                .map(|(i, c)| {
                    let insert = c.label.clone();
                    item(c, i, lsp_range, insert)
                })
                .collect()
        }
        Spot::Nothing => Vec::new(),
    }
}
