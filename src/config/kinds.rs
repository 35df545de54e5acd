//! The kinds of field a catalogue can define, and the diagnostic for a kind that does not
//! exist (`kind: facett`), with a did-you-mean.

use super::*;

/// The kinds of value a field can hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum FieldKind {
    Text,
    Markdown,
    Number,
    Year,
    Date,
    Url,
    Email,
    Geo,
    Image,
    Facet,
    Reference,
    List,
    /// `true` or `false`: a switch, such as the draft flag (`roles: draft:`).
    Boolean,
}

impl FieldKind {
    /// Every kind, for did-you-mean and the list in messages.
    pub const ALL: [FieldKind; 13] = [
        FieldKind::Text,
        FieldKind::Markdown,
        FieldKind::Number,
        FieldKind::Year,
        FieldKind::Date,
        FieldKind::Url,
        FieldKind::Email,
        FieldKind::Geo,
        FieldKind::Image,
        FieldKind::Facet,
        FieldKind::Reference,
        FieldKind::List,
        FieldKind::Boolean,
    ];

    /// The name used in site.yaml (`facet`), also given to templates.
    pub fn name(self) -> &'static str {
        match self {
            FieldKind::Text => "text",
            FieldKind::Markdown => "markdown",
            FieldKind::Number => "number",
            FieldKind::Year => "year",
            FieldKind::Date => "date",
            FieldKind::Url => "url",
            FieldKind::Email => "email",
            FieldKind::Geo => "geo",
            FieldKind::Image => "image",
            FieldKind::Facet => "facet",
            FieldKind::Reference => "reference",
            FieldKind::List => "list",
            FieldKind::Boolean => "boolean",
        }
    }
}

/// What the items of a `list` field are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ListItem {
    #[default]
    Text,
    Url,
    /// A plain label or a `{ title, url }` pair (sources, further reading).
    Link,
}

impl ListItem {
    pub fn name(self) -> &'static str {
        match self {
            ListItem::Text => "text",
            ListItem::Url => "url",
            ListItem::Link => "link",
        }
    }
}

/// The field kind serde refused, with where it stands: `unknown variant `facett`` at a line.
pub(super) fn unknown_kind(e: &source::yaml::Error, text: &str) -> Option<(String, usize, usize)> {
    let message = e.to_string();
    let rest = message.split("unknown variant `").nth(1)?;
    let kind = rest.split('`').next()?.to_string();
    // Only the kinds' enum: other unknown variants (a list's `item:`) keep the YAML message.
    if !message.contains("`reference`") {
        return None;
    }
    let (line, _) = e.location().map(|l| (l.line(), l.column()))?;
    let source = text.lines().nth(line.checked_sub(1)?)?;
    let column = source
        .find(kind.as_str())
        .map_or(1, |c| source[..c].chars().count() + 1);
    Some((kind, line, column))
}

/// `kind: facett` in site.yaml: an unknown field kind with a did-you-mean, not a YAML error.
pub(super) fn unknown_kind_problem(
    text: &str,
    shown: &Path,
    kind: &str,
    line: usize,
    column: usize,
) -> Diagnostic {
    let names = FieldKind::ALL.iter().map(|k| k.name());
    Diagnostic::error(
        "unknown-field-kind",
        shown,
        format!(
            "unknown field kind `{}`",
            crate::diagnostic::truncate_chars(kind, 40)
        ),
    )
    .at(text, line, column, kind.chars().count())
    .expected(format!("one of {}", list_preview(names.clone(), 20)))
    .maybe_hint(did_you_mean(kind, names).map(|s| format!("did you mean `{s}`?")))
}
