//! Page fingerprints: a hash of everything a page's context is built from ([`Inputs`]), so a
//! rebuild renders only the pages an edit can change.

use super::*;

/// The fingerprints of a build's pages: for each, a hash of its [`Inputs`], so a rebuild
/// renders only the pages an edit can change. `site` covers what every page shares (schema,
/// theme, site-wide values). What many pages share is computed once: each entry's card hash
/// sits in one array, so a page hashes its cards without visiting the entries, and each
/// facet's counts are hashed once, not once per term page.
pub struct PageFingerprints<'a> {
    cat: &'a Catalogue,
    views: &'a Views,
    updated: &'a Updated,
    pub(super) site: u64,
    /// Per entry: the hash of its file and its pictures, which stands for its card.
    pub(super) cards: &'a [u64],
    /// Per facet of `cat.facets`: a hash of its counts per term and per type × term.
    pub(super) counts: Vec<u64>,
}

impl<'a> PageFingerprints<'a> {
    pub fn new(
        cat: &'a Catalogue,
        views: &'a Views,
        updated: &'a Updated,
        site: u64,
    ) -> PageFingerprints<'a> {
        use std::hash::{Hash, Hasher};
        let counts = cat
            .facets
            .iter()
            .map(|f| {
                let mut h = crate::fingerprinter();
                f.counts_by_type.hash(&mut h);
                f.members.iter().map(Vec::len).for_each(|n| n.hash(&mut h));
                h.finish()
            })
            .collect();
        PageFingerprints {
            cat,
            views,
            updated,
            site,
            cards: &views.card_hashes,
            counts,
        }
    }

    /// The fingerprint of one page.
    pub fn of(&self, page: &PageKind) -> u64 {
        PageInputs::of(self.cat, self.views, self.updated, page).fingerprint(page, self)
    }
}

/// A hash of what every page shows: the site-wide values set by `Renderer::set_globals`.
pub fn site_fingerprint(cat: &Catalogue) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprinter();
    cat.by_type
        .iter()
        .map(Vec::len)
        .for_each(|n| n.hash(&mut h));
    cat.entries.len().hash(&mut h);
    for p in &cat.pages {
        (&p.slug, &p.title).hash(&mut h);
    }
    h.finish()
}
