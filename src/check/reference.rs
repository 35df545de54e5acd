//! References between entries: the targets as written, with where they stand, and the
//! problems of a target that does not resolve (with a did-you-mean).

use super::*;

/// The ids a reference field names, as written.
pub(super) fn reference_targets(def: &FieldDef, value: &Yaml) -> Result<Vec<String>, Diagnostic> {
    if value.is_null() {
        return Ok(vec![]);
    }
    if !def.multiple && value.as_sequence().is_some_and(|s| s.len() > 1) {
        return Err(
            problem("wrong-kind", format!("`{}` takes a single entry", def.key))
                .found(describe(value)),
        );
    }
    items(value)
        .into_iter()
        .map(|v| {
            scalar_text(v).ok_or_else(|| {
                problem("wrong-kind", format!("`{}` expects entry ids", def.key))
                    .found(describe(v))
                    .expected("ids like `ort/stadtteilzentrum`")
            })
        })
        .collect()
}

/// Why a reference does not resolve; [`reference_problem`] turns it into a diagnostic, which
/// is only needed for the problems shown (its did-you-mean search reads every id).
#[derive(Debug, Clone, Copy)]
pub(super) enum ReferenceProblem {
    Ambiguous,
    /// The entry exists (its index) but has a type the field does not allow.
    WrongType(usize),
    Missing,
}

impl ReferenceProblem {
    pub(super) fn code(self) -> &'static str {
        match self {
            ReferenceProblem::Ambiguous => "ambiguous-reference",
            ReferenceProblem::WrongType(_) => "wrong-reference-type",
            ReferenceProblem::Missing => "missing-reference",
        }
    }
}

/// Finds the entry a reference names: `type/slug`, or a bare slug when only one allowed type has it.
pub(super) fn find_reference<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    def: &FieldDef,
    target: &str,
    ids: &HashMap<K, usize>,
    entries: &[Arc<Entry>],
) -> Result<usize, ReferenceProblem> {
    let found = match target.split_once('/') {
        Some(_) => ids.get(target).copied(),
        None => {
            let matches: Vec<usize> = def
                .to
                .iter()
                .filter_map(|t| ids.get(format!("{t}/{target}").as_str()).copied())
                .collect();
            if matches.len() > 1 {
                return Err(ReferenceProblem::Ambiguous);
            }
            matches.first().copied()
        }
    };
    match found {
        Some(i) if def.to.contains(&config.types[entries[i].type_index].key) => Ok(i),
        Some(i) => Err(ReferenceProblem::WrongType(entries[i].type_index)),
        None => Err(ReferenceProblem::Missing),
    }
}

/// The diagnostic for a reference that does not resolve.
pub(super) fn reference_problem<K: Borrow<str> + Eq + Hash>(
    config: &Config,
    source_type: Option<usize>,
    def: &FieldDef,
    target: &str,
    why: ReferenceProblem,
    ids: &HashMap<K, usize>,
) -> Diagnostic {
    let allowed = || {
        def.to
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match why {
        ReferenceProblem::Ambiguous => problem(
            why.code(),
            format!("`{target}` names entries of several types"),
        )
        .hint("write the full id, `type/slug`"),
        ReferenceProblem::WrongType(type_index) => problem(
            why.code(),
            format!(
                "`{}` may not point to a {} (`{target}`)",
                def.key, config.types[type_index].label
            ),
        )
        .expected(format!("an entry of type {}", allowed()))
        .hint(other_fields_hint(config, source_type, def, type_index)),
        ReferenceProblem::Missing => {
            let candidates: Vec<&str> = ids.keys().map(|k| k.borrow()).collect();
            problem(
                why.code(),
                format!("`{}` points to `{target}`, which does not exist", def.key),
            )
            .expected(format!("the id of an existing entry of type {}", allowed()))
            .hint("ids are `<type>/<file name without .md>`")
            .maybe_suggest(did_you_mean(target, candidates))
        }
    }
}

/// Which reference fields of the entry's own type may point to an entry of `target_type`: the
/// catalogue's own fields, or a word on adding one.
fn other_fields_hint(
    config: &Config,
    source_type: Option<usize>,
    def: &FieldDef,
    target_type: usize,
) -> String {
    let target = &config.types[target_type].key;
    let fields: Vec<&str> = source_type
        .map(|t| config.types[t].fields.as_slice())
        .unwrap_or_default()
        .iter()
        .filter(|f| **f != def.key)
        .filter(|f| {
            config.fields.get(*f).is_some_and(|d| {
                d.kind == crate::config::FieldKind::Reference && d.to.contains(target)
            })
        })
        .map(String::as_str)
        .collect();
    match fields.as_slice() {
        [] => format!(
            "no reference field of this type may point to a {}; add `{target}` to the `to:` list of `{}` in content/site.yaml, or remove the link",
            config.types[target_type].label, def.key
        ),
        [one] => format!("put the link into `{one}`, which may point to a {}", config.types[target_type].label),
        more => format!("put the link into one of {}", list_preview(more.iter().copied(), 8)),
    }
}
