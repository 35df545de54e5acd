//! Checking one field's value against its kind: text, numbers, years, dates, addresses,
//! coordinates, terms of a vocabulary, lists.

use super::*;

/// A problem in a value, and the text to point the caret at.
pub(super) type ValueProblem = (Diagnostic, Option<String>);

pub(super) fn problem(code: &'static str, message: impl Into<String>) -> Diagnostic {
    Diagnostic::error(code, "", message)
}

/// What a field expects, in words, for "expected:" lines.
pub(super) fn expected_for(config: &Config, def: &FieldDef) -> String {
    match def.kind {
        FieldKind::Text => "text".into(),
        FieldKind::Markdown => "Markdown text".into(),
        FieldKind::Number => "a number".into(),
        FieldKind::Year => "a year like `2019`".into(),
        FieldKind::Date => "a date like `2021-03-15`".into(),
        FieldKind::Url => "an address starting with `https://`".into(),
        FieldKind::Email => "an e-mail address".into(),
        FieldKind::Geo => "`{ lat: 51.53, lon: 9.93 }`".into(),
        FieldKind::Image => super::picture::IMAGE_SHAPE.into(),
        FieldKind::Facet => {
            let vocab = def
                .vocabulary
                .as_deref()
                .and_then(|v| config.vocabularies.get(v));
            let keys = vocab
                .map(|v| list_preview(v.terms.iter().map(|t| t.key.as_str()), 12))
                .unwrap_or_default();
            if def.multiple {
                format!("a list of terms, e.g. `[…]`, from: {keys}")
            } else {
                format!("one term from: {keys}")
            }
        }
        FieldKind::Reference => format!(
            "entry ids like `{}/slug`",
            def.to.first().map(String::as_str).unwrap_or("typ")
        ),
        FieldKind::List => "a list, one item per line starting with `- `".into(),
        FieldKind::Boolean => "`true` or `false`".into(),
    }
}

/// Whether a value says nothing: nothing at all, blank text or a placeholder (`…`), an empty
/// list or a list of such values, an empty mapping. A required field must not be empty.
pub(super) fn is_empty_value(value: &Yaml) -> bool {
    match value {
        Yaml::Null => true,
        Yaml::String(s) => s.trim().trim_matches(['…', '.']).trim().is_empty(),
        Yaml::Sequence(items) => items.iter().all(is_empty_value),
        Yaml::Mapping(m) => m.is_empty(),
        Yaml::Tagged(t) => is_empty_value(&t.value),
        Yaml::Bool(_) | Yaml::Number(_) => false,
    }
}

/// Checks a value against its field definition. `Ok(None)` means "empty, treat as absent".
pub(super) fn check_value(
    config: &Config,
    def: &FieldDef,
    value: &Yaml,
    resolver: &dyn markdown::LinkResolver,
) -> Result<Option<FieldValue>, Vec<ValueProblem>> {
    let wrong_kind = || {
        vec![(
            problem(
                "wrong-kind",
                format!("`{}` expects {}", def.key, expected_for(config, def)),
            )
            .found(describe(value))
            .expected(expected_for(config, def)),
            None,
        )]
    };
    if is_empty_value(value) {
        return Ok(None);
    }
    match def.kind {
        FieldKind::Boolean => value
            .as_bool()
            .map(|b| Some(FieldValue::Bool(b)))
            .ok_or_else(wrong_kind),
        FieldKind::Text => scalar_text(value)
            .map(|t| Some(FieldValue::Text(t)))
            .ok_or_else(wrong_kind),
        FieldKind::Markdown => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            if text.len() > MAX_MARKDOWN_BYTES {
                return Err(vec![(markdown_too_large(text.len()), None)]);
            }
            let rendered = markdown::render(&text, resolver, config.allow_raw_html);
            let mut problems: Vec<ValueProblem> = rendered
                .broken_links
                .iter()
                .map(|(t, _)| {
                    (
                        problem(
                            "broken-link",
                            format!("link to `{t}`, which does not exist"),
                        )
                        .hint("internal links name the file below content/, with `.md`"),
                        Some(t.clone()),
                    )
                })
                .collect();
            problems.extend(rendered.unsafe_urls.iter().map(|(u, _)| {
                (
                    problem("unsafe-url", "link with a scheme that can run code")
                        .found(format!("`{u}`")),
                    Some(u.clone()),
                )
            }));
            if problems.is_empty() {
                Ok(Some(FieldValue::Markdown(text, rendered.html)))
            } else {
                Err(problems)
            }
        }
        FieldKind::Number => value
            .as_f64()
            .filter(|n| n.is_finite())
            .map(|n| Some(FieldValue::Number(n)))
            .ok_or_else(wrong_kind),
        FieldKind::Year => {
            let year = value
                .as_i64()
                .or_else(|| value.as_str().and_then(|s| s.trim().parse().ok()));
            match year {
                Some(y) if (1000..=2200).contains(&y) => Ok(Some(FieldValue::Year(y as i32))),
                _ => Err(vec![(
                    problem("wrong-kind", format!("`{}` must be a year", def.key))
                        .found(describe(value))
                        .expected("a four-digit year like `2019`")
                        .hint("write the year in digits; leave the field out if it is not known"),
                    value.as_str().map(str::to_string),
                )]),
            }
        }
        FieldKind::Date => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            if is_iso_date(&text) {
                Ok(Some(FieldValue::Date(text)))
            } else {
                Err(vec![(
                    problem("wrong-kind", format!("`{}` must be a date", def.key))
                        .found(describe(value))
                        .expected("a date like `2021-03-15` (year-month-day)"),
                    Some(text),
                )])
            }
        }
        FieldKind::Url => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            check_url(&def.key, &text)
                .map(|u| Some(FieldValue::Url(u)))
                .map_err(|d| vec![(d, Some(text))])
        }
        FieldKind::Email => {
            let text = scalar_text(value).ok_or_else(wrong_kind)?;
            let valid = text.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty()
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
            }) && !text.contains(char::is_whitespace)
                && text.matches('@').count() == 1;
            if valid {
                Ok(Some(FieldValue::Email(text)))
            } else {
                Err(vec![(
                    problem(
                        "wrong-kind",
                        format!("`{}` is not an e-mail address", def.key),
                    )
                    .found(describe(value))
                    .expected("an address like `info@example.org`"),
                    Some(text),
                )])
            }
        }
        FieldKind::Geo => check_geo(def, value).map(Some),
        FieldKind::Image => super::picture::check_image(config, def, value),
        FieldKind::Facet => check_terms(config, def, value).map(|t| {
            if t.is_empty() {
                None
            } else {
                Some(FieldValue::Terms(t))
            }
        }),
        FieldKind::Reference => unreachable_reference(),
        FieldKind::List => check_list(def, value).map(|l| {
            if l.is_empty() {
                None
            } else {
                Some(FieldValue::List(l))
            }
        }),
    }
}

/// References are checked after all ids are known; `check_value` never sees them.
pub(super) fn unreachable_reference() -> Result<Option<FieldValue>, Vec<ValueProblem>> {
    Ok(None)
}

pub(super) fn scalar_text(value: &Yaml) -> Option<String> {
    match value {
        Yaml::String(s) => Some(s.trim().to_string()),
        Yaml::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(super) fn is_iso_date(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    if parts.len() != 3 || parts[0].len() != 4 || parts[1].len() != 2 || parts[2].len() != 2 {
        return false;
    }
    let (Ok(y), Ok(m), Ok(d)) = (
        parts[0].parse::<u32>(),
        parts[1].parse::<u32>(),
        parts[2].parse::<u32>(),
    ) else {
        return false;
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

/// Accepts http(s) addresses with a host; refuses script-capable and malformed ones.
pub fn check_url(key: &str, text: &str) -> Result<String, Diagnostic> {
    let bad = |why: &str| {
        problem(
            "bad-url",
            format!("`{key}` is not a usable web address: {why}"),
        )
        .found(format!("`{}`", crate::diagnostic::truncate_chars(text, 80)))
        .expected("an address starting with `https://`")
    };
    match url::Url::parse(text) {
        Ok(u)
            if matches!(u.scheme(), "http" | "https")
                && u.host_str().is_some_and(|h| !h.is_empty()) =>
        {
            Ok(text.to_string())
        }
        Ok(u) if matches!(u.scheme(), "http" | "https") => Err(bad("it has no host name")),
        Ok(u) => Err(bad(&format!("the scheme `{}:` is not allowed", u.scheme()))
            .hint("only http and https addresses are published")),
        Err(_) if !text.contains("://") => {
            Err(bad("it has no scheme").hint(format!("write `https://{text}`")))
        }
        Err(e) => Err(bad(&e.to_string())),
    }
}

pub(super) fn check_geo(def: &FieldDef, value: &Yaml) -> Result<FieldValue, Vec<ValueProblem>> {
    let shape = || {
        vec![(
            problem("wrong-kind", format!("`{}` must give lat and lon", def.key))
                .found(describe(value))
                .expected("`{ lat: 51.53, lon: 9.93 }` (decimal degrees)"),
            None,
        )]
    };
    let map = value.as_mapping().ok_or_else(shape)?;
    let lat = map.get("lat").and_then(Yaml::as_f64);
    let lon = map.get("lon").and_then(Yaml::as_f64);
    let (Some(lat), Some(lon)) = (lat, lon) else {
        return Err(shape());
    };
    let mut problems = Vec::new();
    if !(-90.0..=90.0).contains(&lat) {
        problems.push((
            problem("out-of-range", format!("latitude {lat} is out of range"))
                .expected("a latitude between -90 and 90")
                .hint("are lat and lon swapped? Germany lies around lat 47–55, lon 6–15"),
            Some("lat".to_string()),
        ));
    }
    if !(-180.0..=180.0).contains(&lon) {
        problems.push((
            problem("out-of-range", format!("longitude {lon} is out of range"))
                .expected("a longitude between -180 and 180"),
            Some("lon".to_string()),
        ));
    }
    if let Some(extra) = map
        .keys()
        .filter_map(Yaml::as_str)
        .find(|k| *k != "lat" && *k != "lon")
    {
        problems.push((
            problem(
                "unknown-field",
                format!("`{}` has an unknown key `{extra}`", def.key),
            )
            .expected("only `lat` and `lon`"),
            Some(extra.to_string()),
        ));
    }
    if problems.is_empty() {
        Ok(FieldValue::Geo { lat, lon })
    } else {
        Err(problems)
    }
}

/// The items of a value that may be a single item or a list.
pub(super) fn items(value: &Yaml) -> Vec<&Yaml> {
    match value {
        Yaml::Sequence(s) => s.iter().collect(),
        v => vec![v],
    }
}

pub(super) fn check_terms(
    config: &Config,
    def: &FieldDef,
    value: &Yaml,
) -> Result<Vec<usize>, Vec<ValueProblem>> {
    let Some(vocab) = def
        .vocabulary
        .as_deref()
        .and_then(|v| config.vocabularies.get(v))
    else {
        return Ok(vec![]);
    };
    if value.is_sequence() && !def.multiple && value.as_sequence().is_some_and(|s| s.len() > 1) {
        return Err(vec![(
            problem("wrong-kind", format!("`{}` takes a single term", def.key))
                .found(describe(value))
                .expected(expected_for(config, def)),
            None,
        )]);
    }
    let mut terms = Vec::new();
    let mut problems = Vec::new();
    for item in items(value) {
        let Some(key) = scalar_text(item) else {
            problems.push((
                problem("wrong-kind", format!("`{}` expects term keys", def.key))
                    .found(describe(item))
                    .expected(expected_for(config, def)),
                None,
            ));
            continue;
        };
        match vocab.term_index(&key) {
            Some(i) => {
                if !terms.contains(&i) {
                    terms.push(i)
                }
            }
            None => {
                let by_label = vocab
                    .terms
                    .iter()
                    .find(|t| t.label.eq_ignore_ascii_case(&key))
                    .map(|t| t.key.as_str());
                let suggestion = by_label
                    .or_else(|| did_you_mean(&key, vocab.terms.iter().map(|t| t.key.as_str())));
                problems.push((
                    problem(
                        "unknown-term",
                        format!(
                            "unknown term `{key}` in `{}` (vocabulary `{}`)",
                            def.key, vocab.key
                        ),
                    )
                    .expected(format!(
                        "one of {}",
                        list_preview(vocab.terms.iter().map(|t| t.key.as_str()), 12)
                    ))
                    .hint(format!(
                        "add the term to content/vocabularies/{}.yaml, or pick an existing one",
                        vocab.key
                    ))
                    .maybe_suggest(suggestion),
                    Some(key),
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(terms)
    } else {
        Err(problems)
    }
}

pub(super) fn check_list(
    def: &FieldDef,
    value: &Yaml,
) -> Result<Vec<ListValue>, Vec<ValueProblem>> {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    for item in items(value) {
        let parsed = match (def.item, item) {
            (ListItem::Link, Yaml::Mapping(m)) => {
                let title = m.get("title").and_then(scalar_text);
                let url = m.get("url").and_then(scalar_text);
                let unknown = m
                    .keys()
                    .filter_map(Yaml::as_str)
                    .find(|k| *k != "title" && *k != "url");
                if let Some(k) = unknown {
                    Err((
                        problem(
                            "unknown-field",
                            format!("unknown key `{k}` in an item of `{}`", def.key),
                        )
                        .expected("`title` and `url`"),
                        Some(k.to_string()),
                    ))
                } else {
                    match (title, url) {
                        (Some(t), None) => Ok(ListValue { text: t, url: None }),
                        (t, Some(u)) => check_url(&def.key, &u)
                            .map(|u| ListValue {
                                text: t.unwrap_or_else(|| u.clone()),
                                url: Some(u),
                            })
                            .map_err(|d| (d, Some(u.clone()))),
                        (None, None) => Err((
                            problem(
                                "wrong-kind",
                                format!("an item of `{}` has neither title nor url", def.key),
                            )
                            .expected("`{ title: …, url: https://… }` or plain text"),
                            None,
                        )),
                    }
                }
            }
            (ListItem::Url, item) => match scalar_text(item) {
                Some(u) => check_url(&def.key, &u)
                    .map(|u| ListValue {
                        text: u.clone(),
                        url: Some(u),
                    })
                    .map_err(|d| (d, Some(u.clone()))),
                None => Err((
                    problem(
                        "wrong-kind",
                        format!("items of `{}` must be addresses", def.key),
                    )
                    .found(describe(item)),
                    None,
                )),
            },
            (_, item) => match scalar_text(item) {
                Some(t) => Ok(ListValue { text: t, url: None }),
                None => Err((
                    problem("wrong-kind", format!("items of `{}` must be text", def.key))
                        .found(describe(item))
                        .expected("one item per line starting with `- `"),
                    None,
                )),
            },
        };
        match parsed {
            Ok(v) if !v.text.is_empty() => out.push(v),
            Ok(_) => {}
            Err(p) => problems.push(p),
        }
    }
    if problems.is_empty() {
        Ok(out)
    } else {
        Err(problems)
    }
}
