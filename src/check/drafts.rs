//! The checks across files that drafts and earlier addresses need: aliases that collide with
//! a page or with each other, links from published documents to drafts.

use super::*;

/// The checks across files that drafts and earlier addresses need: aliases that collide, links
/// from published documents to drafts. `serve` runs them after every edit.
pub fn drafts_and_aliases(config: &Config, docs: &[&CheckedDoc]) -> Vec<Diagnostic> {
    let entries: Vec<&CheckedDoc> = docs.iter().copied().filter(|d| d.entry.is_some()).collect();
    let mut out = alias_problems(config, &entries);
    out.extend(links_to_drafts(&entries, docs));
    out
}

/// Earlier addresses (`roles: aliases:`) that collide: with the address of an entry, or with
/// an earlier address another entry (or the same one) gives. Each would be two pages at one
/// address.
fn alias_problems(config: &Config, docs: &[&CheckedDoc]) -> Vec<Diagnostic> {
    let Some(field) = config.roles.aliases.as_deref() else {
        return vec![];
    };
    let entry = |d: &&CheckedDoc| d.entry.clone();
    let addresses: HashMap<(usize, &str), &CheckedDoc> = docs
        .iter()
        .filter_map(|d| Some(((d.entry.as_ref()?.type_index, d.slug.as_str()), *d)))
        .collect();
    let mut claimed: HashMap<(usize, String), &CheckedDoc> = HashMap::new();
    let mut out = Vec::new();
    for doc in docs {
        let Some(e) = entry(doc) else { continue };
        for (k, (t, slug)) in e.aliases.iter().enumerate() {
            let id = format!("{}/{slug}", config.types[*t].key);
            let address = config.entry_address(*t, slug);
            let other = addresses
                .get(&(*t, slug.as_str()))
                .copied()
                .or_else(|| claimed.get(&(*t, slug.clone())).copied());
            match other {
                Some(other) => {
                    let whose = if std::ptr::eq(other, *doc) {
                        "this entry's own".to_string()
                    } else {
                        format!("{}'s", other.shown.display())
                    };
                    let mut d = Diagnostic::error(
                        "alias-collision",
                        &doc.shown,
                        format!("the earlier address `{id}` is {whose} address"),
                    );
                    if let Some(place) = doc.alias_places.get(k) {
                        d = d.at(
                            &place.source_line,
                            1,
                            place.column,
                            place.target.chars().count(),
                        );
                        d.line = Some(place.line);
                    }
                    out.push(
                        d.also(crate::diagnostic::Place::file(&other.shown))
                        .found(format!("`{address}` in `{field}`"))
                        .hint(format!(
                            "remove `{slug}` from `{field}`: the page at that address would replace the other"
                        )),
                    );
                }
                None => {
                    claimed.insert((*t, slug.clone()), *doc);
                }
            }
        }
    }
    out
}

/// Warnings for Markdown links from published documents to drafts, whose pages the public
/// build leaves out.
fn links_to_drafts(entries: &[&CheckedDoc], docs: &[&CheckedDoc]) -> Vec<Diagnostic> {
    let drafts: std::collections::HashSet<&str> = entries
        .iter()
        .filter(|d| d.entry.as_ref().is_some_and(|e| e.draft))
        .map(|d| d.rel_path.as_str())
        .collect();
    if drafts.is_empty() {
        return vec![];
    }
    let mut out = Vec::new();
    for doc in docs {
        if doc.entry.as_ref().is_some_and(|e| e.draft) {
            continue;
        }
        for link in doc
            .internal_links
            .iter()
            .filter(|l| drafts.contains(l.as_str()))
        {
            out.push(
                Diagnostic::warning(
                    "link-to-draft",
                    &doc.shown,
                    format!("the text links to `@/{link}`, a draft"),
                )
                .hint("the public build does not have the draft's page: the link leads nowhere until it is published"),
            );
        }
    }
    out
}
