//! The settings of the ways into a catalogue besides its types: collections of entries
//! (`collections:`) and event types (`event:` on a type), checked against the rest of the
//! schema at their lines.

use super::*;

/// `collections:` in site.yaml: curated, ordered lists of entries, one file each in `folder`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectionsConfig {
    /// The folder below `content/` and the first segment of the pages' addresses.
    pub folder: String,
    pub label: Localized,
    pub plural: Localized,
    #[serde(default)]
    pub description: Option<Localized>,
    /// The front-matter key of a collection's ordered list of entries.
    #[serde(default = "default_list_key")]
    pub list: String,
}

fn default_list_key() -> String {
    "entries".into()
}

/// `event:` on a type: its entries are events, dated by `start` (and `end`), held at `place`.
#[derive(Debug, Clone, Deserialize, Serialize, Hash, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EventSettings {
    /// A `date` field of the type: the day (and time) the event begins.
    pub start: String,
    /// A `date` field of the type: the day (and time) it ends.
    #[serde(default)]
    pub end: Option<String>,
    /// A field of the type naming where it takes place.
    #[serde(default)]
    pub place: Option<String>,
}

impl Config {
    /// Checks `collections:` and every type's `event:` against the fields, types, vocabularies
    /// and the names the site reserves.
    pub(super) fn validate_discovery(&self, text: &str, shown: &Path, report: &mut Report) {
        let keys = KeyLines::scan(text, 1);
        let at = |d: Diagnostic, top: &str, needle: &str| match keys
            .locate_in_value(text, top, needle)
        {
            Some((l, c, _)) => d.at(text, l, c, needle.chars().count()),
            None => d,
        };
        if let Some(c) = &self.collections {
            let taken = self.is_reserved(&c.folder)
                || self.types.iter().any(|t| t.folder == c.folder)
                || self.vocabularies.contains_key(&c.folder);
            if !is_clean_segment(&c.folder) || taken {
                report.push(
                    at(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "the collections' folder `{}` cannot be used",
                                crate::diagnostic::truncate_chars(&c.folder, 60)
                            ),
                        ),
                        "collections",
                        &c.folder,
                    )
                    .expected("a clean name (lowercase letters, digits, `-`) that no type folder, vocabulary or page of the site uses")
                    .hint("name the folder after the collections, e.g. `sammlungen`"),
                );
            }
            let title = self.roles.title.as_str();
            let summary = self.roles.summary.as_deref();
            if c.list == title || Some(c.list.as_str()) == summary {
                report.push(
                    at(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "the collections' list key `{}` is the title or summary key",
                                c.list
                            ),
                        ),
                        "collections",
                        &c.list,
                    )
                    .hint("give the list its own key, e.g. `list: eintraege`"),
                );
            }
        }
        for ty in &self.types {
            let Some(event) = &ty.event else { continue };
            let roles = [
                ("start", Some(&event.start), true),
                ("end", event.end.as_ref(), true),
                ("place", event.place.as_ref(), false),
            ];
            for (role, field, must_be_date) in roles {
                let Some(field) = field else { continue };
                let problem = if !ty.fields.contains(field) {
                    Some(format!("names `{field}`, which is not a field of the type"))
                } else if must_be_date
                    && self.fields.get(field).map(|f| f.kind) != Some(FieldKind::Date)
                {
                    Some(format!("names `{field}`, which is not a `date` field"))
                } else {
                    None
                };
                let Some(problem) = problem else { continue };
                report.push(
                    at(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("`event: {role}` of type `{}` {problem}", ty.key),
                        ),
                        "types",
                        field,
                    )
                    .expected(format!(
                        "one of the type's {}fields: {}",
                        if must_be_date { "date " } else { "" },
                        list_preview(
                            ty.fields
                                .iter()
                                .map(String::as_str)
                                .filter(|f| !must_be_date
                                    || self.fields.get(*f).map(|d| d.kind)
                                        == Some(FieldKind::Date)),
                            12
                        )
                    ))
                    .maybe_hint(
                        did_you_mean(field, ty.fields.iter().map(String::as_str))
                            .map(|s| format!("did you mean `{s}`?")),
                    ),
                );
            }
        }
    }
}
