//! Translations: `<slug>.<language>.md` beside the original carries the language's texts
//! (title, summary, text and Markdown fields, body, and an address of its own with `slug:`).
//! Facts that do not depend on language (terms, references, places, years, sources) come from
//! the original; a translation that repeats one is told so, and one that says otherwise is an
//! error.

use super::*;
use crate::model::Translation;

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
    let prefix = format!("{}{language}/", config.base_path());
    let base = config.base_path();
    // Pages in the translation's language; media files are published once, for all languages.
    let in_language = |path: &str| {
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
    };
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
            let suggestion = did_you_mean(&translated.slug, slugs);
            report.push(
                Diagnostic::error(
                    "translation-without-original",
                    &doc.shown,
                    format!(
                        "this {} translation has no original: there is no `{folder}/{}.md` or `.yaml`",
                        t.translation.language, translated.slug
                    ),
                )
                .hint(match suggestion {
                    Some(s) => format!("did you mean `{s}.{}.md`? A translation is named after its original's file", t.translation.language),
                    None => "name the file after the original's file, like `<slug>.en.md` beside `<slug>.md`".into(),
                }),
            );
            continue;
        };
        let key = (translated.id.as_str(), t.translation.language.as_str());
        if let Some(first) = seen.get(&key) {
            report.push(
                Diagnostic::error(
                    "duplicate-translation",
                    &doc.shown,
                    format!(
                        "two files translate `{}` into `{}`",
                        translated.id, t.translation.language
                    ),
                )
                .also(crate::diagnostic::Place::file(&first.shown))
                .hint("keep one of the files"),
            );
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
