//! Validating site.yaml beyond its syntax: roles, fields, types, facets and similarity weights
//! agree with each other and with the vocabularies, each problem at its line.

use super::*;

impl Config {
    /// Checks site.yaml as a whole; its problems are capped per kind like an entry's, and each
    /// is located only when it is shown (a location reads the text).
    pub(super) fn validate(&self, text: &str, shown: &Path, report: &mut Report) {
        let mut problems = FileProblems::new(shown);
        let keys = KeyLines::scan(text, 1);
        let at_key = |d: Diagnostic, top: &str, needle: &str| match keys
            .locate_in_value(text, top, needle)
        {
            Some((l, c, _)) => d.at(text, l, c, needle.chars().count()),
            None => d,
        };
        let top = match self.languages.len() {
            1 => "language",
            _ => "languages",
        };
        for (n, language) in self.languages.iter().enumerate() {
            let twice = self.languages[..n].contains(language);
            if !["de", "en"].contains(&language.as_str()) || twice {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "{} language `{}`",
                                if twice { "repeated" } else { "unsupported" },
                                crate::diagnostic::truncate_chars(language, 20)
                            ),
                        )
                        .expected("`de` or `en`, each once"),
                        top,
                        language,
                    )
                });
            }
        }
        if !is_clean_segment(&self.theme) {
            problems.push_with("invalid-schema", || {
                at_key(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!(
                            "theme `{}` is not the name of a folder in themes/",
                            crate::diagnostic::truncate_chars(&self.theme, 60)
                        ),
                    )
                    .expected("a name like `default`: lowercase letters, digits and `-`, no path")
                    .hint("put the theme into themes/<name>/ of the catalogue and give its name"),
                    "theme",
                    &self.theme,
                )
            });
        }
        let url_settings = [
            ("base_url", "base_url", Some(&self.base_url)),
            ("edit_url", "edit_url", self.edit_url.as_ref()),
            ("map", "map: tiles", self.map.tiles.as_ref().map(Tiles::url)),
        ];
        for (top, setting, value) in url_settings {
            let Some(value) = value else { continue };
            if let Err(why) = check_url_setting(value) {
                problems.push_with("invalid-url-setting", || {
                    at_key(url_setting_problem(shown, setting, value, &why), top, value)
                });
            }
        }
        let segments = &self.segments;
        let pages = [
            ("browser", &segments.browser),
            ("search", &segments.search),
            ("map", &segments.map),
            ("codebook", &segments.codebook),
            ("calendar", &segments.calendar),
            ("finder", &segments.finder),
            ("compare", &segments.compare),
            ("page", &segments.page),
        ];
        let page_problem = |n: usize, name: &str, value: &String| {
            let twice = pages[..n].iter().any(|(_, other)| *other == value);
            twice || crate::urls::is_fixed(value) && !(name == "search" && value == "search")
        };
        // Each name, whether another page or file takes it, whether it names a page.
        let named = pages
            .iter()
            .enumerate()
            .map(|(n, (name, value))| (*name, *value, page_problem(n, name, value), true));
        // The feed of all entries lies beside the types' feeds (`feeds/<folder>.xml`).
        let type_feed = self.types.iter().any(|t| t.folder == segments.all_feed);
        let named = named.chain([
            ("catalogue_json", &segments.catalogue_json, false, false),
            ("all_feed", &segments.all_feed, type_feed, false),
        ]);
        for (name, value, taken, page) in named {
            if !is_clean_segment(value) || taken {
                let (expected, hint) = match page {
                    true => (
                        "one path segment of lowercase letters, digits and `-`, used by no other page",
                        "each built-in page needs an address of its own, like `catalogue` or `map`",
                    ),
                    false => (
                        "a file name of lowercase letters, digits and `-`, not a type's folder",
                        "they name `export/<catalogue_json>.json` and `feeds/<all_feed>.xml`, beside each type's `feeds/<folder>.xml`",
                    ),
                };
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "`urls: {name}` cannot be `{}`",
                                crate::diagnostic::truncate_chars(value, 60)
                            ),
                        )
                        .expected(expected)
                        .hint(hint),
                        "urls",
                        value,
                    )
                });
            }
        }
        if let Some(why) = self.images.problem() {
            problems.push_with("invalid-schema", || {
                let d = Diagnostic::error("invalid-schema", shown, why)
                    .expected("`images: { widths: [480, 960, 1600], quality: 80 }`");
                match keys.get("images") {
                    Some((l, c)) => d.at(text, l, c, "images".len()),
                    None => d,
                }
            });
        }
        let field_keys: Vec<&str> = self.fields.keys().map(String::as_str).collect();
        let type_keys: Vec<&str> = self.types.iter().map(|t| t.key.as_str()).collect();
        let unknown_field = |problems: &mut FileProblems, name: &str, top: &str, context: &str| {
            problems.push_with("invalid-schema", || {
                at_key(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!("{context} names unknown field `{name}`"),
                    )
                    .expected(format!(
                        "one of the fields defined under `fields:`: {}",
                        list_preview(field_keys.iter().copied(), 12)
                    ))
                    .maybe_suggest(did_you_mean(name, field_keys.iter().copied())),
                    top,
                    name,
                )
            });
        };
        for (key, field) in &self.fields {
            match field.kind {
                FieldKind::Facet => {
                    match &field.vocabulary {
                        None => problems.push_with("invalid-schema", || {
                            at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("facet field `{key}` has no vocabulary"),
                        )
                        .hint("add `vocabulary: <name>` naming a file in content/vocabularies/"),
                        "fields",
                        &format!("{key}:"),
                    )
                        }),
                        Some(v) if !self.vocabularies.contains_key(v) => {
                            problems.push_with("missing-vocabulary", || {
                                at_key(
                        Diagnostic::error(
                            "missing-vocabulary",
                            shown,
                            format!("field `{key}` uses vocabulary `{v}`, which does not exist"),
                        )
                        .expected(format!("a file content/vocabularies/{v}.yaml"))
                        .maybe_suggest(did_you_mean(
                            v,
                            self.vocabularies.keys().map(String::as_str),
                        )),
                        "fields",
                        v,
                    )
                            })
                        }
                        Some(_) => {}
                    }
                }
                FieldKind::Reference => {
                    if field.to.is_empty() {
                        problems.push_with("invalid-schema", || {
                            at_key(
                                Diagnostic::error(
                                    "invalid-schema",
                                    shown,
                                    format!("reference field `{key}` names no target type"),
                                )
                                .hint(format!("add `to: [{}]`", type_keys.join(", "))),
                                "fields",
                                &format!("{key}:"),
                            )
                        });
                    }
                    for t in &field.to {
                        if !type_keys.contains(&t.as_str()) {
                            problems.push_with("invalid-schema", || {
                                at_key(
                                    Diagnostic::error(
                                        "invalid-schema",
                                        shown,
                                        format!(
                                            "reference field `{key}` points to unknown type `{t}`"
                                        ),
                                    )
                                    .expected(format!(
                                        "one of {}",
                                        list_preview(type_keys.iter().copied(), 12)
                                    )),
                                    "fields",
                                    t,
                                )
                            });
                        }
                    }
                }
                _ => {}
            }
        }
        let mut folders = HashSet::new();
        let mut seen_types: HashMap<&str, usize> = HashMap::new();
        for ty in &self.types {
            let occurrence = seen_types.entry(ty.key.as_str()).or_insert(0);
            *occurrence += 1;
            if *occurrence > 1 {
                // At the duplicate, not at the first definition.
                let nth = *occurrence - 1;
                problems.push_with("invalid-schema", || {
                    let d = Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!("type `{}` is defined twice", ty.key),
                    );
                    match field_line(text, "key", &ty.key, nth) {
                        Some((l, c)) => d.at(text, l, c, ty.key.chars().count()),
                        None => at_key(d, "types", &ty.key),
                    }
                });
            }
            if !is_type_key(&ty.key) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "type key `{}` is not a clean name",
                                crate::diagnostic::truncate_chars(&ty.key, 60)
                            ),
                        )
                        .expected(
                            "lowercase letters, digits and `-` (the key names CSS classes and ids)",
                        ),
                        "types",
                        &ty.key,
                    )
                });
            }
            let unusable = |problems: &mut FileProblems,
                            what: &str,
                            value: &str,
                            expected: &str,
                            hint: &str| {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("type `{}` has an unusable {what}", ty.key),
                        )
                        .found(format!(
                            "`{}`",
                            crate::diagnostic::truncate_chars(value, 60)
                        ))
                        .expected(expected)
                        .hint(hint),
                        "types",
                        value,
                    )
                });
            };
            if let Some(color) = ty.color.as_deref().filter(|c| !is_css_colour(c)) {
                unusable(
                    &mut problems,
                    "colour",
                    color,
                    "a CSS colour: `#0b6e4f`, `#abc`, `teal` or `rgb(11 110 79)`",
                    "the colour goes into the site's stylesheet as it is written",
                );
            }
            let schema_ok = |k: &str| {
                k.starts_with(|c: char| c.is_ascii_uppercase())
                    && k.chars().all(|c| c.is_ascii_alphanumeric())
            };
            if let Some(kind) = ty.schema.as_deref().filter(|k| !schema_ok(k)) {
                unusable(
                    &mut problems,
                    "schema.org type",
                    kind,
                    "a schema.org type name: `Place`, `Event`, `CreativeWork`",
                    "see https://schema.org/docs/full.html for the types",
                );
            }
            if !is_clean_segment(&ty.folder) || self.is_reserved(&ty.folder) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("type `{}` has an unusable folder `{}`", ty.key, ty.folder),
                        )
                        .expected(format!(
                            "lowercase letters, digits and `-`, not one of {}",
                            crate::urls::RESERVED.join(", ")
                        )),
                        "types",
                        &ty.folder,
                    )
                });
            }
            if !folders.insert(ty.folder.as_str()) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("folder `{}` is used by two types", ty.folder),
                        ),
                        "types",
                        &ty.folder,
                    )
                });
            }
            for f in &ty.fields {
                if !self.fields.contains_key(f) {
                    unknown_field(&mut problems, f, "types", &format!("type `{}`", ty.key));
                }
            }
            if !ty.fields.contains(&self.roles.title) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "type `{}` lacks the title field `{}`",
                                ty.key, self.roles.title
                            ),
                        )
                        .hint("every type needs the field named in `roles: title:`"),
                        "types",
                        &ty.key,
                    )
                });
            }
        }
        let roles = [
            Some(&self.roles.title),
            self.roles.summary.as_ref(),
            self.roles.place.as_ref(),
            self.roles.geo.as_ref(),
            self.roles.image.as_ref(),
            self.roles.draft.as_ref(),
            self.roles.aliases.as_ref(),
            self.roles.updated.as_ref(),
            self.roles.transfer.as_ref(),
        ];
        for role in roles.into_iter().flatten() {
            if !self.fields.contains_key(role) {
                unknown_field(&mut problems, role, "roles", "roles");
            }
        }
        // Roles whose field must be of one kind: what the build reads from it.
        let kinds = [
            ("geo", &self.roles.geo, FieldKind::Geo, "a geo field"),
            (
                "draft",
                &self.roles.draft,
                FieldKind::Boolean,
                "a boolean field (`true` marks a draft)",
            ),
            (
                "aliases",
                &self.roles.aliases,
                FieldKind::List,
                "a list field of earlier addresses",
            ),
            (
                "updated",
                &self.roles.updated,
                FieldKind::Date,
                "a date field",
            ),
        ];
        for (role, field, kind, what) in kinds {
            let Some(def) = field.as_ref().and_then(|f| self.fields.get(f)) else {
                continue;
            };
            let wrong_items = kind == FieldKind::List && def.item != ListItem::Text;
            if def.kind != kind || wrong_items || (def.required && role != "geo") {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "the {role} role names `{}`, a {} field{}",
                                def.key,
                                def.kind.name(),
                                if def.required { " marked required" } else { "" }
                            ),
                        )
                        .expected(format!("{what}, not required")),
                        "roles",
                        &def.key,
                    )
                });
            }
        }
        if let Some(transfer) = self
            .roles
            .transfer
            .as_ref()
            .and_then(|t| self.fields.get(t))
        {
            if !matches!(transfer.kind, FieldKind::Text | FieldKind::Markdown) {
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "the transfer role names `{}`, which is not a text or markdown field",
                                transfer.key
                            ),
                        )
                        .expected("a field of kind `text` or `markdown`")
                        .hint("name the field that says what others can take over from a case"),
                        "roles",
                        &transfer.key,
                    )
                });
            }
        }
        for facet in &self.facets {
            match self.fields.get(facet) {
                None => unknown_field(&mut problems, facet, "facets", "facets"),
                Some(f) if f.kind != FieldKind::Facet => {
                    problems.push_with("invalid-schema", || {
                        at_key(
                            Diagnostic::error(
                                "invalid-schema",
                                shown,
                                format!(
                                    "`{facet}` is listed under facets but is a {:?} field",
                                    f.kind
                                )
                                .to_lowercase(),
                            )
                            .expected("a field of kind `facet`"),
                            "facets",
                            facet,
                        )
                    })
                }
                Some(_) => {}
            }
        }
        for group in &self.synonyms {
            let words = group.iter().filter(|w| !w.trim().is_empty()).count();
            if words < 2 {
                let first = group.first().map(String::as_str).unwrap_or("");
                problems.push_with("invalid-schema", || {
                    at_key(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            "a group of synonyms needs at least two words or phrases",
                        )
                        .found(format!("{group:?}"))
                        .expected("a list like `[jugend, junge menschen]`")
                        .hint("each group lists words that should find each other"),
                        "search",
                        first,
                    )
                });
            }
        }
        for v in self.vocabularies.keys() {
            if self.is_reserved(v) || folders.contains(v.as_str()) {
                report.push(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        format!("content/vocabularies/{v}.yaml"),
                        format!("vocabulary name `{v}` collides with a path the site uses"),
                    )
                    .hint("rename the vocabulary file"),
                );
            }
        }
        report.extend(problems.finish());
    }
}
