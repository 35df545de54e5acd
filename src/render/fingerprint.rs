//! Page fingerprints: a hash of everything a page's context is built from, so a rebuild
//! renders only the pages an edit can change.

use super::*;

/// The fingerprints of a build's pages: for each, a hash of everything its context is built
/// from, so a rebuild renders only the pages an edit can change. `site` covers what every page
/// shares (schema, theme, site-wide values). An entry's file hash stands for its card and its
/// own fields; lists hash the cards they show, counts hash the counts they show; the
/// serve-equals-build test guards this: a missed input shows up there as a stale page. What many pages share is computed
/// once: each entry's file hash sits in one array, so a page hashes its cards without visiting
/// the entries, and each facet's counts are hashed once, not once per term page.
pub struct PageFingerprints<'a> {
    cat: &'a Catalogue,
    updated: &'a Updated,
    /// The entries the home page shows ([`Views::newest`]).
    newest: &'a [usize],
    site: u64,
    /// Per entry: the hash of its file and its pictures, which stands for its card.
    cards: &'a [u64],
    /// Per facet of `cat.facets`: a hash of its counts per term and per type × term.
    counts: Vec<u64>,
}

impl<'a> PageFingerprints<'a> {
    /// `cards` holds per entry what its card is made from ([`Views::card_hashes`]).
    pub fn new(
        cat: &'a Catalogue,
        updated: &'a Updated,
        newest: &'a [usize],
        site: u64,
        cards: &'a [u64],
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
            updated,
            newest,
            site,
            cards,
            counts,
        }
    }

    /// The fingerprint of one page.
    pub fn of(&self, page: &PageKind) -> u64 {
        use std::hash::{Hash, Hasher};
        let cat = self.cat;
        let mut h = crate::fingerprinter();
        self.site.hash(&mut h);
        page.hash(&mut h);
        let card = |h: &mut crate::Fingerprinter, i: usize| {
            self.cards[i].hash(h);
        };
        let all_counts = |h: &mut crate::Fingerprinter| {
            self.counts.hash(h);
        };
        let facet_counts = |h: &mut crate::Fingerprinter, vocabulary: &str| {
            if let Some(k) = cat.facets.iter().position(|f| f.vocabulary == vocabulary) {
                self.counts[k].hash(h);
            }
        };
        match page {
            PageKind::Search | PageKind::Map | PageKind::NotFound => {}
            // The codebook lists every vocabulary with its counts.
            PageKind::Codebook => all_counts(&mut h),
            PageKind::Home => {
                all_counts(&mut h);
                self.newest.iter().for_each(|&i| card(&mut h, i));
                cat.entries.len().hash(&mut h);
            }
            PageKind::Browser => {
                all_counts(&mut h);
                cat.by_type
                    .iter()
                    .map(Vec::len)
                    .for_each(|n| n.hash(&mut h));
                cat.entries.len().hash(&mut h);
                cat.by_title
                    .iter()
                    .take(BROWSER_FIRST_CARDS)
                    .for_each(|&i| card(&mut h, i));
            }
            PageKind::TypeList { type_index, page } => {
                let list = &cat.by_type[*type_index];
                list.len().hash(&mut h);
                list.iter()
                    .skip((page - 1) * PAGE_SIZE)
                    .take(PAGE_SIZE)
                    .for_each(|&i| card(&mut h, i));
            }
            PageKind::Entry(i) => {
                let i = *i;
                card(&mut h, i);
                self.updated.get(&cat.entries[i].rel_path).hash(&mut h);
                for rels in [&cat.relations[i], &cat.backlinks[i]] {
                    for r in rels {
                        r.field.hash(&mut h);
                        r.targets.iter().for_each(|&t| card(&mut h, t));
                    }
                    0xfeed_u16.hash(&mut h);
                }
                cat.similar[i].iter().for_each(|&t| card(&mut h, t));
                let (prev, next) = cat.prev_next(i);
                if let Some(p) = prev {
                    card(&mut h, p);
                }
                0xbeef_u16.hash(&mut h);
                if let Some(n) = next {
                    card(&mut h, n);
                }
                cat.completeness[i].to_bits().hash(&mut h);
            }
            PageKind::Vocabulary(v) => facet_counts(&mut h, v),
            PageKind::Term { vocabulary, term } => {
                if let Some(f) = cat.facet_of_vocabulary(vocabulary) {
                    f.members[*term].iter().for_each(|&i| card(&mut h, i));
                }
                // Parent and children show their counts.
                facet_counts(&mut h, vocabulary);
            }
            // The entry's title and address (its id).
            PageKind::Redirect { entry, alias } => {
                card(&mut h, *entry);
                (
                    &cat.entries[*entry].id,
                    &cat.entries[*entry].aliases[*alias],
                )
                    .hash(&mut h);
            }
            PageKind::Free(i) => {
                let p = &cat.pages[*i];
                (&p.title, &p.summary, &p.body_html, &p.rel_path).hash(&mut h);
                self.updated.get(&p.rel_path).hash(&mut h);
            }
        }
        // Its addresses in the site's other languages (`hreflang`, the language switcher).
        super::languages::alternates(cat, page).hash(&mut h);
        h.finish()
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
