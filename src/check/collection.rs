//! Checking one collection: its title, summary and introduction like a page's, and its ordered
//! list of entries (`- ort/x` or `- ort/x: why this one`), each target located for the
//! diagnostics of the references that do not resolve.

use super::*;
use crate::model::{Collection, Member};

/// Checks a collection's front matter and renders its introduction; the list's targets come
/// back as [`FieldRefs`] under the list key, resolved by [`resolve_collection`].
pub(super) fn check_collection(
    config: &Config,
    doc: Document,
    resolver: &dyn markdown::LinkResolver,
) -> (Collection, FieldRefs, Vec<Diagnostic>, Vec<String>) {
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    check_file_name(&doc, &mut ds);
    let title_key = config.roles.title.as_str();
    let summary_key = config.roles.summary.as_deref();
    let list_key = config
        .collections
        .as_ref()
        .map_or("entries", |c| c.list.as_str());
    let known: Vec<&str> = [Some(title_key), summary_key, Some(list_key)]
        .into_iter()
        .flatten()
        .collect();
    let (mut title, mut summary) = (None, None);
    let mut targets: Vec<String> = Vec::new();
    let mut notes: Vec<Option<String>> = Vec::new();
    for (key, value) in &doc.fields {
        let key = key.as_str().unwrap_or("");
        let (line, col) = doc.keys.get(key).unwrap_or((1, 1));
        if key == list_key {
            for item in items(value) {
                let pair = match item {
                    Yaml::Mapping(m) if m.len() == 1 => m.iter().next().and_then(|(k, v)| {
                        let note = match v {
                            Yaml::Null => Some(None),
                            v => scalar_text(v).map(Some),
                        };
                        Some((scalar_text(k)?, note?))
                    }),
                    other => scalar_text(other).map(|t| (t, None)),
                };
                match pair {
                    Some((target, note)) => {
                        targets.push(target);
                        notes.push(note.filter(|n| !n.is_empty()));
                    }
                    None => ds.push(
                        Diagnostic::error(
                            "wrong-kind",
                            &doc.shown,
                            format!("an item of `{list_key}` must name an entry"),
                        )
                        .at_in(&lines, line, col, 1)
                        .found(describe(item))
                        .expected("`- ort/x` or `- ort/x: why this entry belongs here`"),
                    ),
                }
            }
        } else if key == title_key || Some(key) == summary_key {
            let text = text_value(&doc, &lines, key, value, &mut ds);
            match key == title_key {
                true => title = text,
                false => summary = text,
            }
        } else {
            ds.push(
                Diagnostic::error(
                    "unknown-field",
                    &doc.shown,
                    format!("unknown field `{key}` for a collection"),
                )
                .at_in(&lines, line, 1, key.chars().count())
                .expected(format!("one of {}", list_preview(known.iter().copied(), 3)))
                .maybe_hint(
                    did_you_mean(key, known.iter().copied())
                        .map(|s| format!("did you mean `{s}`?")),
                ),
            );
        }
    }
    if title.is_none() {
        ds.push(
            Diagnostic::error(
                "missing-field",
                &doc.shown,
                format!("required field `{title_key}` is missing"),
            )
            .at_in(&lines, 1, 1, 3)
            .hint(format!("add `{title_key}: …` to the front matter")),
        );
    }
    let (line, col) = doc.keys.get(list_key).unwrap_or((1, 1));
    let needles: Vec<&str> = targets.iter().map(String::as_str).collect();
    let places = doc.keys.locate_each_in_value(&lines, list_key, &needles);
    let located = targets
        .iter()
        .zip(places)
        .map(|(t, place)| {
            let (line, column, text) = place.unwrap_or_else(|| (line, col, lines.line(line)));
            LocatedTarget {
                target: t.clone(),
                line,
                column,
                source_line: crate::diagnostic::truncate_chars(text, MAX_SOURCE_LINE).into(),
            }
        })
        .collect();
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);
    let collection = Collection {
        slug: doc.slug.clone(),
        rel_path: doc.rel_path.clone(),
        title: title.unwrap_or_else(|| doc.slug.clone()),
        summary,
        intro_html: rendered.html,
        notes,
        text_language: None,
    };
    (
        collection,
        vec![(list_key.to_string(), located)],
        ds.finish(),
        rendered.internal_links,
    )
}

/// The entries a collection lists, resolved like a reference field that may name every type;
/// each target that does not resolve becomes a diagnostic with a did-you-mean. An entry listed
/// twice is kept once, at its first place.
pub fn resolve_collection<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    doc: &CheckedDoc,
    collection: &Collection,
    ids: &HashMap<K, usize>,
    entries: &[Arc<Entry>],
    report: &mut Report,
) -> Vec<Member> {
    let any_type = FieldDef {
        key: doc.refs.first().map(|(k, _)| k.clone()).unwrap_or_default(),
        kind: FieldKind::Reference,
        label: Default::default(),
        description: None,
        required: false,
        vocabulary: None,
        multiple: true,
        to: config.types.iter().map(|t| t.key.clone()).collect(),
        inverse: None,
        item: ListItem::Text,
    };
    let mut problems = FileProblems::new(&doc.shown);
    let mut members: Vec<Member> = Vec::new();
    let targets = doc.refs.iter().flat_map(|(_, t)| t);
    for (t, note) in targets.zip(&collection.notes) {
        let found = find_reference(config, &any_type, &t.target, ids, entries);
        if found.as_ref().is_ok_and(|&i| entries[i].draft) {
            problems.push_with("reference-to-draft", || {
                let d = Diagnostic::warning(
                    "reference-to-draft",
                    &doc.shown,
                    format!("the collection lists `{}`, a draft", t.target),
                );
                let mut d = d
                    .at(&t.source_line, 1, t.column, t.target.chars().count())
                    .hint(
                    "the public build leaves it out of the collection until the draft is published",
                );
                d.line = Some(t.line);
                d
            });
        }
        match found {
            Ok(i) if members.iter().all(|m| m.entry != i) => members.push(Member {
                entry: i,
                note: note.clone(),
            }),
            Ok(_) => {}
            Err(problem) => problems.push_with(problem.code(), || {
                let d = reference_problem(config, None, &any_type, &t.target, problem, ids);
                let mut d = d.at(&t.source_line, 1, t.column, t.target.chars().count());
                d.file = doc.shown.clone();
                d.line = Some(t.line);
                d
            }),
        }
    }
    report.extend(problems.finish());
    members
}
