//! Translations: `<slug>.<language>.md` beside the original carries the language's texts
//! (title, summary, text and Markdown fields, body, and an address of its own with `slug:`).
//! Facts that do not depend on language (terms, references, places, years, sources) come from
//! the original; a translation that repeats one is told so, and one that says otherwise is an
//! error.

use super::*;
use crate::model::{Collection, Member, Translated, Translation};

/// The key with which a translation gives its own address in its language.
pub const SLUG_KEY: &str = "slug";

/// What checking a translation keeps for the checks across files.
#[derive(Debug, Clone)]
pub struct TranslationDoc {
    pub translation: Arc<Translation>,
    /// Fields the original owns that the translation repeats: key, line, column and the line.
    pub repeated: Vec<(String, usize, usize, String)>,
}

/// Whether a field's value depends on the language: texts and Markdown do, unless the field
/// steers the build (draft flag, earlier addresses, update date).
pub fn is_translatable(config: &Config, key: &str) -> bool {
    config.fields.get(key).is_some_and(|def| {
        matches!(def.kind, FieldKind::Text | FieldKind::Markdown) && !config.roles.is_meta(key)
    })
}

/// Internal links as a translation into `language` makes them: to the pages in its language;
/// media files are published once, for all languages.
pub fn links_in_language<'r>(
    config: &Config,
    language: &str,
    resolver: &'r dyn markdown::LinkResolver,
) -> impl Fn(&str) -> Option<String> + 'r {
    let base = config.base_path().to_string();
    let prefix = format!("{base}{language}/");
    move |path: &str| {
        let url = resolver.resolve(path)?;
        if path
            .strip_prefix(crate::urls::MEDIA_FOLDER)
            .is_some_and(|rest| rest.starts_with('/'))
        {
            return Some(url);
        }
        Some(match url.strip_prefix(&base) {
            Some(rest) => format!("{prefix}{rest}"),
            None => url,
        })
    }
}

/// Checks a translation of an entry of type `type_index` on its own, like an entry but with
/// only its title required; its Markdown links lead to pages of its language.
pub(super) fn check_translation(
    config: &Config,
    mut doc: Document,
    type_index: usize,
    resolver: &dyn markdown::LinkResolver,
) -> CheckedDoc {
    let language = doc.language.clone().unwrap_or_default();
    let mut problems = Vec::new();
    let slug = match doc.fields.remove(SLUG_KEY) {
        None => None,
        Some(Yaml::String(s)) if crate::config::is_clean_segment(&s) => Some(s),
        Some(other) => {
            let (line, column) = doc.keys.get(SLUG_KEY).unwrap_or((1, 1));
            problems.push(
                Diagnostic::error(
                    "bad-translation-slug",
                    &doc.shown,
                    "`slug` must be one address segment",
                )
                .at(&doc.text, line, column, SLUG_KEY.len())
                .found(describe(&other))
                .expected("lowercase letters, digits and `-`, like `neighbourhood-office-north`")
                .hint("or leave `slug` out: the translation then has the original's address"),
            );
            None
        }
    };
    let repeated: Vec<(String, usize, usize, String)> = doc
        .fields
        .keys()
        .filter_map(|k| k.as_str())
        .filter(|k| config.types[type_index].fields.iter().any(|f| f == k))
        .filter(|k| !is_translatable(config, k))
        .map(|k| {
            let (line, _) = doc.keys.get(k).unwrap_or((1, 1));
            let source = doc.text.lines().nth(line - 1).unwrap_or_default();
            // At the field's name: its value may be a block below it.
            let column = source.len() - source.trim_start().len() + 1;
            let source = crate::diagnostic::truncate_chars(source, MAX_SOURCE_LINE);
            (k.to_string(), line, column, source)
        })
        .collect();
    let in_language = links_in_language(config, &language, resolver);
    let (kind, rel_path, shown) = (doc.kind, doc.rel_path.clone(), doc.shown.clone());
    let (entry, refs, diagnostics, internal_links, _) =
        check_entry(config, doc, type_index, &in_language);
    problems.extend(diagnostics);
    let slug_of_file = entry.slug.clone();
    CheckedDoc {
        kind,
        rel_path,
        shown,
        slug: slug_of_file,
        entry: None,
        page: None,
        collection: None,
        refs,
        diagnostics: problems,
        internal_links,
        alias_places: vec![],
        language: Some(language.clone()),
        translation: Some(TranslationDoc {
            translation: Arc::new(Translation {
                language,
                slug,
                entry: Arc::new(entry),
            }),
            repeated,
        }),
    }
}

/// The checks of translations across files: each needs its original (`translation-without-
/// original`), one per language (`duplicate-translation`), and the fields it repeats must
/// say what the original says (`translation-repeats-field`, a warning) or are errors
/// (`translation-differs`). Returns the translations with an original.
pub fn attach_translations(
    config: &Config,
    docs: &[&CheckedDoc],
    report: &mut Report,
) -> Vec<Arc<Translation>> {
    let originals: HashMap<&str, &CheckedDoc> = docs
        .iter()
        .filter_map(|d| Some((d.entry.as_ref()?.id.as_str(), *d)))
        .collect();
    let mut seen: HashMap<(&str, &str), &CheckedDoc> = HashMap::new();
    let mut out = Vec::new();
    for doc in docs {
        let Some(t) = &doc.translation else { continue };
        let translated = &t.translation.entry;
        let Some(original) = originals.get(translated.id.as_str()) else {
            let folder = &config.types[translated.type_index].folder;
            let slugs = originals
                .values()
                .filter(|o| o.kind == doc.kind)
                .map(|o| o.slug.as_str());
            report.push(without_original(
                doc,
                &t.translation.language,
                &format!("`{folder}/{}.md` or `.yaml`", translated.slug),
                did_you_mean(&translated.slug, slugs),
            ));
            continue;
        };
        let key = (translated.id.as_str(), t.translation.language.as_str());
        if let Some(first) = seen.get(&key) {
            report.push(duplicate(doc, first, &translated.id, key.1));
            continue;
        }
        seen.insert(key, doc);
        for (field, line, column, source) in &t.repeated {
            let mut d = repeated_field(config, doc, original, field);
            d.line = Some(*line);
            d.column = Some(*column);
            d.width = field.chars().count();
            d.source_line = Some(source.clone());
            report.push(d);
        }
        out.push(Arc::clone(&t.translation));
    }
    out
}

/// The diagnostic for a field of the original that a translation repeats.
fn repeated_field(
    config: &Config,
    doc: &CheckedDoc,
    original: &CheckedDoc,
    field: &str,
) -> Diagnostic {
    let translated = doc.translation.as_ref().map(|t| &t.translation.entry);
    let targets = |d: &CheckedDoc| -> Option<Vec<String>> {
        let (_, list) = d.refs.iter().find(|(k, _)| k == field)?;
        Some(list.iter().map(|t| t.target.clone()).collect())
    };
    let same = match config.fields[field].kind {
        FieldKind::Reference => targets(doc) == targets(original),
        _ => {
            translated.and_then(|e| e.field(field))
                == original.entry.as_ref().and_then(|e| e.field(field))
        }
    };
    let d = match same {
        true => Diagnostic::warning(
            "translation-repeats-field",
            &doc.shown,
            format!("`{field}` is taken from the original; a translation need not repeat it"),
        ),
        false => Diagnostic::error(
            "translation-differs",
            &doc.shown,
            format!(
                "`{field}` says something else than in the original, but does not depend on language"
            ),
        )
        .expected(format!("the value of {}, or no `{field}` at all", original.shown.display())),
    };
    d.also(crate::diagnostic::Place::file(&original.shown))
        .hint(format!(
            "remove the line: a translation gives only texts ({}); facts come from {}",
            translatable_fields(config, doc.kind),
            original.shown.display()
        ))
}

/// The fields a translation of an entry of `kind` may give, for hints.
fn translatable_fields(config: &Config, kind: DocKind) -> String {
    let DocKind::Entry(t) = kind else {
        return String::new();
    };
    let keys = config.types[t]
        .fields
        .iter()
        .filter(|k| is_translatable(config, k))
        .map(String::as_str);
    format!("{}, `{SLUG_KEY}` and the body", list_preview(keys, 8))
}

/// How many entries have a translation into each language but the default: `check` prints
/// "en: 40 of 180 entries translated".
pub fn coverage(config: &Config, checked: &Checked) -> Vec<(String, usize, usize)> {
    config.languages[1..]
        .iter()
        .map(|language| {
            let ids: std::collections::HashSet<&str> = checked
                .translations
                .entries
                .iter()
                .filter(|t| t.language == *language)
                .map(|t| t.entry.id.as_str())
                .collect();
            let translated = checked
                .entries
                .iter()
                .filter(|e| ids.contains(e.id.as_str()))
                .count();
            (language.clone(), translated, checked.entries.len())
        })
        .collect()
}

/// A translation's original among `docs`: the document of its kind and slug in the default
/// language; `translation-without-original` when there is none.
fn original_of<'d>(
    doc: &CheckedDoc,
    docs: &[&'d CheckedDoc],
    report: &mut Report,
) -> Option<&'d CheckedDoc> {
    let originals = docs
        .iter()
        .filter(|o| o.kind == doc.kind && o.language.is_none());
    if let Some(original) = originals.clone().find(|o| o.slug == doc.slug) {
        return Some(original);
    }
    report.push(without_original(
        doc,
        doc.language.as_deref().unwrap_or_default(),
        &format!("`{}.md` beside it", doc.slug),
        did_you_mean(&doc.slug, originals.map(|o| o.slug.as_str())),
    ));
    None
}

/// `translation-without-original` for `doc`, a translation into `language`; `missing` names
/// the original's file as the message quotes it, `suggestion` is a similar original's slug.
fn without_original(
    doc: &CheckedDoc,
    language: &str,
    missing: &str,
    suggestion: Option<&str>,
) -> Diagnostic {
    Diagnostic::error(
        "translation-without-original",
        &doc.shown,
        format!("this {language} translation has no original: there is no {missing}"),
    )
    .hint(match suggestion {
        Some(s) => format!(
            "did you mean `{s}.{language}.md`? A translation is named after its original's file"
        ),
        None => {
            "name the file after the original's file, like `<slug>.en.md` beside `<slug>.md`".into()
        }
    })
}

/// `duplicate-translation` for `doc`, a second file translating `what` into `language`.
fn duplicate(doc: &CheckedDoc, first: &CheckedDoc, what: &str, language: &str) -> Diagnostic {
    Diagnostic::error(
        "duplicate-translation",
        &doc.shown,
        format!("two files translate `{what}` into `{language}`"),
    )
    .also(crate::diagnostic::Place::file(&first.shown))
    .hint("keep one of the files")
}

/// The translations of free pages and collections (`kind`, whose text `text` gives), each
/// with its original and one per language (`duplicate-translation`).
fn translated_docs<'d, T>(
    docs: &[&'d CheckedDoc],
    text: impl Fn(&CheckedDoc) -> Option<&Arc<T>>,
    report: &mut Report,
) -> Vec<(&'d CheckedDoc, &'d CheckedDoc)> {
    let mut seen: HashMap<(&str, &str), &CheckedDoc> = HashMap::new();
    let mut out = Vec::new();
    for doc in docs {
        let Some(language) = doc.language.as_deref() else {
            continue;
        };
        if text(doc).is_none() {
            continue;
        }
        let Some(original) = original_of(doc, docs, report) else {
            continue;
        };
        if let Some(first) = seen.insert((doc.slug.as_str(), language), doc) {
            report.push(duplicate(doc, first, &original.rel_path, language));
            continue;
        }
        out.push((*doc, original));
    }
    out
}

/// The translations of free pages that have an original.
pub fn page_translations(docs: &[&CheckedDoc], report: &mut Report) -> Vec<Translated<Page>> {
    translated_docs(docs, |d| d.page.as_ref(), report)
        .into_iter()
        .filter_map(|(doc, _)| {
            Some(Translated {
                language: doc.language.clone()?,
                text: Arc::clone(doc.page.as_ref()?),
                notes: HashMap::new(),
            })
        })
        .collect()
}

/// The translations of collections that have an original. One that gives its list of entries
/// must list the original's, in its order (`translation-differs` otherwise): the list is a
/// fact, only the notes are texts. One without a list keeps the original's notes.
pub(super) fn collection_translations(
    config: &Config,
    docs: &[&CheckedDoc],
    collections: &[(Arc<Collection>, Vec<Member>)],
    (ids, entries): (&HashMap<&str, usize>, &[Arc<Entry>]),
    report: &mut Report,
) -> Vec<Translated<Collection>> {
    let mut out = Vec::new();
    for (doc, original) in translated_docs(docs, |d| d.collection.as_ref(), report) {
        let (Some(language), Some(text)) = (&doc.language, &doc.collection) else {
            continue;
        };
        let Some((_, listed)) = collections.iter().find(|(c, _)| c.slug == original.slug) else {
            continue;
        };
        let members = resolve_collection(config, doc, text, ids, entries, report);
        let same = members
            .iter()
            .map(|m| m.entry)
            .eq(listed.iter().map(|m| m.entry));
        if !members.is_empty() && !same {
            let list_key = doc.refs.first().map_or("", |(k, _)| k.as_str());
            let (line, column) = doc
                .refs
                .first()
                .and_then(|(_, t)| t.first())
                .map_or((1, 1), |t| (t.line, 1));
            let mut d = Diagnostic::error(
                "translation-differs",
                &doc.shown,
                format!("`{list_key}` lists other entries than the original, or in another order"),
            )
            .expected(format!("the entries of {}, in its order, each with its note in {language}", original.shown.display()))
            .also(crate::diagnostic::Place::file(&original.shown))
            .hint(format!("the list is taken from the original; a translation gives only the notes, or leaves `{list_key}` out"));
            d.line = Some(line);
            d.column = Some(column);
            report.push(d);
            continue;
        }
        out.push(Translated {
            language: language.clone(),
            text: Arc::clone(text),
            notes: members
                .into_iter()
                .filter_map(|m| Some((entries[m.entry].id.clone(), m.note?)))
                .collect(),
        });
    }
    out
}
