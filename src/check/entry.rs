//! Checking one entry or free page: its fields against its type, its file name, its body.

use super::*;

/// Checks one entry's fields and renders its Markdown.
pub(super) fn check_entry(
    config: &Config,
    doc: Document,
    type_index: usize,
    resolver: &dyn markdown::LinkResolver,
) -> (
    Entry,
    FieldRefs,
    Vec<Diagnostic>,
    Vec<String>,
    Vec<LocatedTarget>,
) {
    let ty = &config.types[type_index];
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    check_file_name(&doc, &mut ds);
    let mut fields = Vec::new();
    let mut refs = Vec::new();
    let mut meta = Meta {
        draft: is_draft(config, &doc),
        ..Meta::default()
    };
    let mut pictures: Vec<String> = Vec::new();
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
                let hint = match elsewhere.is_empty() {
                    false => format!("`{key}` is a field of {} only", elsewhere.join(", ")),
                    true => {
                        "add the field to the type in content/site.yaml, or remove it here".into()
                    }
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
                .hint(hint)
                .maybe_suggest(suggestion)
            });
            continue;
        }
        let def = &config.fields[key];
        if def.kind == FieldKind::Image {
            picture_sources(value, &mut pictures);
        }
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
            Ok(Some(v)) if config.roles.is_meta(key) => {
                if let Err(problems) = meta.take(config, type_index, key, v) {
                    for (d, needle) in problems {
                        let (l, c) = doc
                            .keys
                            .locate_in_value(&doc.text, key, &needle)
                            .map_or((line, col), |(l, c, _)| (l, c));
                        ds.push(
                            d.with_file(&doc)
                                .at_in(&lines, l, c, needle.chars().count()),
                        );
                    }
                }
            }
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
    // A translation needs only its title: the rest comes from the original.
    for required in ty
        .fields
        .iter()
        .filter(|f| doc.language.is_none() || **f == config.roles.title)
        .filter(|f| config.fields.get(*f).is_some_and(|d| d.required))
    {
        let def = &config.fields[required];
        let found = match doc.fields.get(required.as_str()) {
            Some(v) if !is_empty_value(v) => continue,
            Some(_) => {
                let (line, _) = doc.keys.get(required).unwrap_or((1, 1));
                problem(
                    "empty-field",
                    format!("required field `{required}` ({}) is empty", def.label),
                )
                .at_in(&lines, line, 1, required.chars().count())
                .hint(format!(
                    "fill in `{required}`{}",
                    draft_hint(config, meta.draft, doc.language.is_some())
                ))
            }
            None => problem(
                "missing-field",
                format!("required field `{required}` ({}) is missing", def.label),
            )
            .at_in(&lines, 1, 1, 3)
            .hint(format!(
                "add a line `{required}: …` to the front matter{}",
                draft_hint(config, meta.draft, doc.language.is_some())
            )),
        };
        let mut d = found.with_file(&doc).expected(expected_for(config, def));
        if meta.draft {
            d.severity = crate::diagnostic::Severity::Warning;
        }
        ds.push(d);
    }
    let rendered = render_body(config, &doc, &lines, resolver, &mut ds);

    // An empty title is an error (or a draft's warning); the page still gets a heading.
    let title = match fields.iter().find(|(k, _)| *k == config.roles.title) {
        Some((_, FieldValue::Text(t))) if !t.is_empty() => t.clone(),
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
        draft: meta.draft,
        aliases: meta.aliases,
        updated: meta.updated,
        text_language: None,
    };
    // Where each earlier address stands, for collisions found across files.
    let alias_places = match &config.roles.aliases {
        Some(key) => meta
            .alias_texts
            .into_iter()
            .map(|text| {
                let (line, column, source) = doc
                    .keys
                    .locate_in_value(&doc.text, key, &text)
                    .unwrap_or((1, 1, lines.line(1)));
                LocatedTarget {
                    source_line: crate::diagnostic::truncate_chars(source, MAX_SOURCE_LINE).into(),
                    target: text,
                    line,
                    column,
                }
            })
            .collect(),
        None => Vec::new(),
    };
    let mut entry = entry;
    sort_fields(config, &mut entry);
    // A picture's file is checked like a link's target: the entry is checked again when it
    // appears or vanishes.
    let mut links = rendered.internal_links;
    links.extend(pictures);
    (entry, refs, ds.finish(), links, alias_places)
}

/// The `src` of each picture in an image field's value, as written.
fn picture_sources(value: &Yaml, out: &mut Vec<String>) {
    match value {
        Yaml::Sequence(items) => items.iter().for_each(|v| picture_sources(v, out)),
        Yaml::Mapping(m) => out.extend(m.get("src").and_then(scalar_text)),
        v => out.extend(scalar_text(v)),
    }
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
    // A translation's name is its original's and the language: `x.en.md`.
    let stem = match &doc.language {
        Some(language) => stem.strip_suffix(language.as_str()).unwrap_or(stem),
        None => stem,
    };
    let stem = stem
        .strip_suffix('.')
        .filter(|_| doc.language.is_some())
        .unwrap_or(stem);
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
pub fn sort_fields(config: &Config, entry: &mut Entry) {
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
    text.filter(|t| !t.is_empty())
}

pub(super) fn check_page(
    config: &Config,
    doc: Document,
    resolver: &dyn markdown::LinkResolver,
) -> (Page, Vec<Diagnostic>, Vec<String>) {
    let lines = LineIndex::new(&doc.text);
    let mut ds = FileProblems::new(&doc.shown);
    let taken = config.is_reserved(&doc.slug)
        || config.types.iter().any(|t| t.folder == doc.slug)
        || config
            .collections
            .as_ref()
            .is_some_and(|c| c.folder == doc.slug)
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
        text_language: None,
    };
    (page, ds.finish(), rendered.internal_links)
}

/// What an entry's role fields say about it rather than show: the draft flag, earlier
/// addresses, its own update date.
#[derive(Default)]
struct Meta {
    draft: bool,
    aliases: Vec<(usize, String)>,
    /// The earlier addresses as written, one for each of `aliases`.
    alias_texts: Vec<String>,
    updated: Option<String>,
}

impl Meta {
    /// Takes the checked value of a role field; problems come with the text to point at.
    fn take(
        &mut self,
        config: &Config,
        type_index: usize,
        key: &str,
        value: FieldValue,
    ) -> Result<(), Vec<(Diagnostic, String)>> {
        let is = |role: &Option<String>| role.as_deref() == Some(key);
        match value {
            FieldValue::Bool(b) if is(&config.roles.draft) => self.draft = b,
            FieldValue::Date(d) if is(&config.roles.updated) => self.updated = Some(d),
            FieldValue::List(items) if is(&config.roles.aliases) => {
                let mut problems = Vec::new();
                for item in items {
                    match alias(config, type_index, &item.text) {
                        Ok(a) => {
                            self.aliases.push(a);
                            self.alias_texts.push(item.text);
                        }
                        Err(d) => problems.push((d, item.text)),
                    }
                }
                if !problems.is_empty() {
                    return Err(problems);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

/// An earlier address as written: `slug` (of the entry's own type) or `type/slug`.
fn alias(config: &Config, type_index: usize, text: &str) -> Result<(usize, String), Diagnostic> {
    let (ty, slug) = match text.split_once('/') {
        Some((ty, slug)) => (config.type_index(ty), slug),
        None => (Some(type_index), text),
    };
    match ty {
        Some(t) if crate::config::is_clean_segment(slug) => Ok((t, slug.to_string())),
        _ => Err(problem(
            "bad-alias",
            format!(
                "`{}` is not an earlier address of an entry",
                crate::diagnostic::truncate_chars(text, 80)
            ),
        )
        .expected(format!(
            "the earlier file name without `.md` (`{}`), or `type/slug` with a type of {}",
            config.types[type_index].key,
            list_preview(config.types.iter().map(|t| t.key.as_str()), 8)
        ))
        .hint("write the slug as the old address showed it: lowercase letters, digits and `-`")),
    }
}

/// Whether the entry's draft flag is set (read before its fields are checked, since a draft's
/// empty required fields are only warnings).
fn is_draft(config: &Config, doc: &Document) -> bool {
    config
        .roles
        .draft
        .as_deref()
        .and_then(|k| doc.fields.get(k))
        .and_then(Yaml::as_bool)
        .unwrap_or(false)
}

/// The end of an empty-field hint: how to keep the entry out of the public site meanwhile.
/// A translation cannot be a draft of its own: it gets no hint about drafts.
fn draft_hint(config: &Config, draft: bool, translation: bool) -> String {
    match (&config.roles.draft, draft) {
        _ if translation => String::new(),
        (Some(k), false) => format!(", or mark the entry as a draft with `{k}: true`"),
        (Some(k), true) => format!("; remove `{k}: true` once the entry is ready to publish"),
        (None, _) => String::new(),
    }
}
