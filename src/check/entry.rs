//! Checking one entry or free page: its fields against its type, its file name, its body.

use super::*;

/// Checks one entry's fields and renders its Markdown.
pub(super) fn check_entry(
    config: &Config,
    doc: Document,
    type_index: usize,
    resolver: &dyn markdown::LinkResolver,
) -> (Entry, FieldRefs, Vec<Diagnostic>, Vec<String>) {
    let ty = &config.types[type_index];
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    check_file_name(&doc, &mut ds);
    let mut fields = Vec::new();
    let mut refs = Vec::new();
    for (key, value) in &doc.fields {
        let Some(key) = key.as_str() else {
            ds.push(
                Diagnostic::error(
                    "invalid-key",
                    &doc.shown,
                    format!("field name {} is not text", describe(key)),
                )
                .hint("field names are plain words like `titel`"),
            );
            continue;
        };
        let (line, col) = doc.keys.get(key).unwrap_or((1, 1));
        if !ty.fields.iter().any(|f| f == key) {
            ds.push_with("unknown-field", || {
                let suggestion = did_you_mean(key, ty.fields.iter().map(String::as_str));
                let elsewhere = config
                    .types
                    .iter()
                    .filter(|t| t.fields.iter().any(|f| f == key))
                    .map(|t| t.plural.as_str())
                    .collect::<Vec<_>>();
                let hint = match (suggestion, elsewhere.is_empty()) {
                    (Some(s), _) => Some(format!("did you mean `{s}`?")),
                    (None, false) => Some(format!(
                        "`{key}` is a field of {} only",
                        elsewhere.join(", ")
                    )),
                    (None, true) => Some(
                        "add the field to the type in content/site.yaml, or remove it here".into(),
                    ),
                };
                Diagnostic::error(
                    "unknown-field",
                    &doc.shown,
                    format!("unknown field `{key}` for type `{}`", ty.key),
                )
                .at_in(&lines, line, 1, key.chars().count())
                .expected(format!(
                    "one of {}",
                    list_preview(ty.fields.iter().map(String::as_str), 20)
                ))
                .maybe_hint(hint)
            });
            continue;
        }
        let def = &config.fields[key];
        if def.kind == FieldKind::Reference {
            match reference_targets(def, value) {
                Ok(targets) => {
                    let needles: Vec<&str> = targets.iter().map(String::as_str).collect();
                    let places = doc.keys.locate_each_in_value(&lines, key, &needles);
                    let mut shared: Option<(usize, Arc<str>)> = None;
                    let located = targets
                        .iter()
                        .zip(places)
                        .map(|(t, place)| {
                            let (line, column, text) =
                                place.unwrap_or_else(|| (line, col, lines.line(line)));
                            let source_line = match &shared {
                                Some((l, s)) if *l == line => s.clone(),
                                _ => {
                                    let s: Arc<str> =
                                        crate::diagnostic::truncate_chars(text, MAX_SOURCE_LINE)
                                            .into();
                                    shared = Some((line, s.clone()));
                                    s
                                }
                            };
                            LocatedTarget {
                                target: t.clone(),
                                line,
                                column,
                                source_line,
                            }
                        })
                        .collect();
                    refs.push((key.to_string(), located));
                }
                Err(d) => ds.push(d.with_file(&doc).at_in(&lines, line, col, 1)),
            }
            continue;
        }
        match check_value(config, def, value, resolver) {
            Ok(Some(v)) => fields.push((key.to_string(), v)),
            Ok(None) => {}
            Err(problems) => {
                let total = problems.len();
                for (d, needle) in problems.into_iter().take(MAX_PROBLEMS_PER_FIELD) {
                    ds.push_with(d.code, || {
                        let (l, c, w) = match needle.as_deref().and_then(|n| {
                            doc.keys
                                .locate_in_value(&doc.text, key, n)
                                .map(|(l, c, _)| (l, c, n.chars().count()))
                        }) {
                            Some(found) => found,
                            None => (line, col, 1),
                        };
                        d.with_file(&doc).at_in(&lines, l, c, w)
                    });
                }
                if total > MAX_PROBLEMS_PER_FIELD {
                    ds.push_with("too-many-problems", || {
                        Diagnostic::error(
                            "too-many-problems",
                            &doc.shown,
                            format!(
                                "{} more problems in `{key}` not shown",
                                total - MAX_PROBLEMS_PER_FIELD
                            ),
                        )
                        .at_in(&lines, line, col, 1)
                        .hint("fix the ones above first; the rest are probably of the same kind")
                    });
                }
            }
        }
    }
    for required in ty
        .fields
        .iter()
        .filter(|f| config.fields.get(*f).is_some_and(|d| d.required))
    {
        let present = doc
            .fields
            .get(required.as_str())
            .is_some_and(|v| !v.is_null());
        if !present {
            let def = &config.fields[required];
            ds.push(
                Diagnostic::error(
                    "missing-field",
                    &doc.shown,
                    format!("required field `{required}` ({}) is missing", def.label),
                )
                .at_in(&lines, 1, 1, 3)
                .expected(expected_for(config, def))
                .hint(format!("add a line `{required}: …` to the front matter")),
            );
        }
    }
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);

    let title = match fields.iter().find(|(k, _)| *k == config.roles.title) {
        Some((_, FieldValue::Text(t))) => t.clone(),
        _ => doc.slug.clone(),
    };
    let summary =
        config
            .roles
            .summary
            .as_ref()
            .and_then(|s| match fields.iter().find(|(k, _)| k == s) {
                Some((_, FieldValue::Text(t))) => Some(t.clone()),
                _ => None,
            });
    let content_hash = {
        let mut h = crate::fingerprinter();
        doc.text.hash(&mut h);
        doc.rel_path.hash(&mut h);
        h.finish()
    };
    let entry = Entry {
        id: format!("{}/{}", ty.key, doc.slug),
        type_index,
        slug: doc.slug.clone(),
        rel_path: doc.rel_path.clone(),
        sort_key: crate::model::sort_key(&title),
        title,
        summary,
        fields,
        body_html: rendered.html,
        modified: doc.modified,
        content_hash,
    };
    let mut entry = entry;
    sort_fields(config, &mut entry);
    (entry, refs, ds.finish(), rendered.internal_links)
}

pub(super) fn check_file_name(doc: &Document, ds: &mut FileProblems) {
    if load::is_windows_reserved(&doc.slug) {
        ds.push(
            Diagnostic::error(
                "reserved-name",
                &doc.shown,
                format!("`{}` is a reserved file name on Windows", doc.slug),
            )
            .hint("rename the file; the site could not be copied to Windows otherwise"),
        );
    }
    let stem = std::path::Path::new(&doc.rel_path)
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or("");
    if stem != doc.slug {
        ds.push(
            Diagnostic::warning(
                "unclean-file-name",
                &doc.shown,
                format!("file name `{stem}` is not a clean address"),
            )
            .found(format!("the page will be published at `{}`", doc.slug))
            .hint(format!(
                "rename the file to `{}`",
                std::path::Path::new(&doc.rel_path)
                    .with_file_name(&doc.slug)
                    .display()
            )),
        );
    }
}

/// Orders fields as the type lists them, so every entry page shows them the same way.
pub(super) fn sort_fields(config: &Config, entry: &mut Entry) {
    let order = &config.types[entry.type_index].fields;
    entry
        .fields
        .sort_by_key(|(k, _)| order.iter().position(|f| f == k).unwrap_or(usize::MAX));
}

/// Checks a free page: only the title and summary roles are allowed in its front matter.
/// The text of a page's or collection's title or summary; anything else is `wrong-kind`.
pub(super) fn text_value(
    doc: &Document,
    lines: &LineIndex,
    key: &str,
    value: &Yaml,
    ds: &mut FileProblems,
) -> Option<String> {
    let text = scalar_text(value);
    if text.is_none() {
        let (line, col) = doc.keys.get(key).unwrap_or((1, 1));
        ds.push(
            Diagnostic::error("wrong-kind", &doc.shown, format!("`{key}` must be text"))
                .at_in(lines, line, col, 1)
                .found(describe(value)),
        );
    }
    text
}

pub(super) fn check_page(
    config: &Config,
    doc: Document,
    resolver: &dyn markdown::LinkResolver,
) -> (Page, Vec<Diagnostic>, Vec<String>) {
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    let taken = crate::urls::RESERVED.contains(&doc.slug.as_str())
        || config.types.iter().any(|t| t.folder == doc.slug)
        || config.vocabularies.contains_key(&doc.slug);
    if taken {
        ds.push(
            Diagnostic::error(
                "reserved-name",
                &doc.shown,
                format!(
                    "the page address `{}` is already used by the site",
                    doc.slug
                ),
            )
            .hint("rename the page file"),
        );
    }
    let title_key = config.roles.title.as_str();
    let summary_key = config.roles.summary.as_deref();
    let mut title = None;
    let mut summary = None;
    for (key, value) in &doc.fields {
        let key = key.as_str().unwrap_or("");
        let (line, _) = doc.keys.get(key).unwrap_or((1, 1));
        if key == title_key || Some(key) == summary_key {
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
                    format!("unknown field `{key}` for a page"),
                )
                .at_in(&lines, line, 1, key.chars().count())
                .expected(format!(
                    "`{title_key}`{}",
                    summary_key
                        .map(|s| format!(" and `{s}`"))
                        .unwrap_or_default()
                )),
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
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);
    let page = Page {
        slug: doc.slug.clone(),
        rel_path: doc.rel_path.clone(),
        title: title.unwrap_or_else(|| doc.slug.clone()),
        summary,
        body_html: rendered.html,
        modified: doc.modified,
    };
    (page, ds.finish(), rendered.internal_links)
}
