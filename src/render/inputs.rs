//! What each page is made from, declared once. [`Inputs::of`] names, per page kind, what a page
//! shows beyond what every page shares (the schema, the theme and [`site_fingerprint`]): the
//! entries whose cards it lists, the counts, the dates, its own texts. `Renderer::context`
//! builds the page from its inputs and [`Inputs::fingerprint`] hashes them. Both take each
//! variant apart field by field, never with `..`: an input one of them leaves unread is an
//! unused variable, which `clippy -D warnings` refuses, so the two cannot drift apart and a
//! rebuild never keeps a page whose inputs changed.
//!
//! [`site_fingerprint`]: super::fingerprint::site_fingerprint

use super::languages::Alternate;
use super::*;
use crate::model::Page;
use crate::resolve::{FacetIndex, FinderResults, Relation, ResolvedCollection};
use std::hash::{Hash, Hasher};

/// One facet's index with its position in `Catalogue::facets` (its counts' hash is kept by
/// position).
#[derive(Clone, Copy)]
pub struct Facet<'c> {
    pub index: usize,
    pub data: &'c FacetIndex,
}

/// What one page is made from: what every page of a site in several languages has (its
/// versions in the other languages, the language of its text) and what its kind shows.
pub struct PageInputs<'c> {
    /// Its addresses in every language of the site that has it (`hreflang`, the language
    /// switcher); empty for one language.
    pub alternates: Vec<Alternate>,
    /// The language its text is in when that is not the page's own: an entry without a
    /// translation, or a free page, shown in the default language's words.
    pub text_language: Option<&'c str>,
    pub shows: Inputs<'c>,
}

impl<'c> PageInputs<'c> {
    /// The inputs of `page`.
    pub fn of(
        cat: &'c Catalogue,
        views: &'c Views,
        updated: &'c Updated,
        page: &'c PageKind,
    ) -> Self {
        PageInputs {
            alternates: languages::alternates(cat, page),
            text_language: match page {
                PageKind::Entry(i) => cat.entries[*i].text_language.as_deref(),
                PageKind::Free(i) => cat.pages[*i].text_language.as_deref(),
                PageKind::Collection(i) => cat.collections[*i].0.text_language.as_deref(),
                _ => None,
            },
            shows: Inputs::of(cat, views, updated, page),
        }
    }

    /// The page's fingerprint: `page` itself, what every page shares, and a hash of each input.
    pub fn fingerprint(&self, page: &PageKind, shared: &PageFingerprints) -> u64 {
        let PageInputs {
            alternates,
            text_language,
            shows,
        } = self;
        let mut h = crate::fingerprinter();
        shared.site.hash(&mut h);
        page.hash(&mut h);
        (alternates, text_language).hash(&mut h);
        shows.hash(&mut h, shared);
        h.finish()
    }
}

/// Everything one page shows of the catalogue, by page kind.
pub enum Inputs<'c> {
    /// Search, comparison and the 404 page: only what every page shares.
    Plain,
    /// The map: the region of all places, which the outline behind the pins is drawn for.
    Map {
        region: Option<outline::Frame>,
    },
    Home {
        /// Every facet: the matrix and the entry points show their counts.
        facets: &'c [FacetIndex],
        newest: &'c [usize],
        total: usize,
        /// Every collection, as a link.
        collections: &'c [ResolvedCollection],
    },
    Browser {
        facets: &'c [FacetIndex],
        /// The cards written into the page before its script takes over.
        first: &'c [usize],
        per_type: Vec<usize>,
        total: usize,
    },
    Codebook {
        facets: &'c [FacetIndex],
    },
    TypeList {
        type_index: usize,
        page: usize,
        cards: &'c [usize],
        /// Entries of the type, for the paginator.
        total: usize,
    },
    Entry {
        entry: EntryInputs<'c>,
        /// The collections that list it, as links with its note in each.
        in_collections: &'c [usize],
        collections: &'c [ResolvedCollection],
    },
    /// The list of collections.
    Collections {
        collections: &'c [ResolvedCollection],
    },
    Collection {
        collection: &'c ResolvedCollection,
    },
    /// An event type's calendar, or one year of it: its events with the entries they name,
    /// split into upcoming and past by the build date.
    Calendar {
        type_index: usize,
        year: Option<&'c str>,
        events: &'c [usize],
        relations: Vec<&'c [Relation]>,
        today: &'c str,
    },
    /// A step of the finder: the answers so far, and after the last question the best
    /// entries of each type with their scores and reasons, and how many fit of each type.
    Finder {
        chosen: &'c [Option<usize>],
        results: &'c FinderResults,
    },
    Vocabulary {
        vocabulary: &'c str,
        facet: Option<Facet<'c>>,
    },
    Term {
        vocabulary: &'c str,
        term: usize,
        /// Its entries (the term's members) and the counts of its parent and children.
        facet: Option<Facet<'c>>,
    },
    Redirect {
        entry: usize,
        /// The earlier address.
        alias: &'c str,
    },
    Free {
        page: &'c Page,
        updated: Option<&'c str>,
    },
}

/// What an entry's page shows: its own card and fields, its relations both ways, similar
/// entries, its neighbours in its type, its completeness and its date.
pub struct EntryInputs<'c> {
    pub entry: usize,
    pub relations: &'c [Relation],
    /// The entries pointing at it, without those it points at itself: a pair that names each
    /// other shows each entry once, under the relation the entry states.
    pub backlinks: Vec<Relation>,
    pub similar: &'c [usize],
    pub prev: Option<usize>,
    pub next: Option<usize>,
    pub completeness: f32,
    pub updated: Option<&'c str>,
}

impl<'c> Inputs<'c> {
    /// The inputs of `page`.
    pub fn of(
        cat: &'c Catalogue,
        views: &'c Views,
        updated: &'c Updated,
        page: &'c PageKind,
    ) -> Self {
        let facet = |vocabulary: &str| {
            let index = cat.facets.iter().position(|f| f.vocabulary == vocabulary)?;
            Some(Facet {
                index,
                data: &cat.facets[index],
            })
        };
        let vocabulary_key = |v: &str| {
            cat.config
                .vocabularies
                .get_key_value(v)
                .map_or("", |(k, _)| k.as_str())
        };
        match page {
            PageKind::Search | PageKind::NotFound | PageKind::Compare => Inputs::Plain,
            PageKind::Map => Inputs::Map {
                region: outline::region(outline::places(cat)),
            },
            PageKind::Home => Inputs::Home {
                facets: &cat.facets,
                newest: &views.newest,
                total: cat.entries.len(),
                collections: &cat.collections,
            },
            PageKind::Collections => Inputs::Collections {
                collections: &cat.collections,
            },
            PageKind::Collection(c) => Inputs::Collection {
                collection: &cat.collections[*c],
            },
            PageKind::Calendar(t) => Inputs::calendar(cat, *t, None),
            PageKind::CalendarYear { type_index, year } => {
                Inputs::calendar(cat, *type_index, Some(year))
            }
            PageKind::Finder(chosen) => Inputs::Finder {
                chosen,
                results: views.finder.of(chosen),
            },
            PageKind::Browser => Inputs::Browser {
                facets: &cat.facets,
                first: &cat.by_title[..cat.by_title.len().min(BROWSER_FIRST_CARDS)],
                per_type: cat.by_type.iter().map(Vec::len).collect(),
                total: cat.entries.len(),
            },
            PageKind::Codebook => Inputs::Codebook {
                facets: &cat.facets,
            },
            PageKind::TypeList { type_index, page } => {
                let list = &cat.by_type[*type_index];
                let start = ((page - 1) * PAGE_SIZE).min(list.len());
                Inputs::TypeList {
                    type_index: *type_index,
                    page: *page,
                    cards: &list[start..(start + PAGE_SIZE).min(list.len())],
                    total: list.len(),
                }
            }
            PageKind::Entry(i) => {
                let i = *i;
                let (prev, next) = cat.prev_next(i);
                Inputs::Entry {
                    entry: EntryInputs {
                        entry: i,
                        relations: &cat.relations[i],
                        backlinks: unrepeated_backlinks(cat, i),
                        similar: &cat.similar[i],
                        prev,
                        next,
                        completeness: cat.completeness[i],
                        updated: updated.get(&cat.entries[i].rel_path).map(String::as_str),
                    },
                    in_collections: &cat.in_collections[i],
                    collections: &cat.collections,
                }
            }
            PageKind::Vocabulary(v) => Inputs::Vocabulary {
                vocabulary: vocabulary_key(v),
                facet: facet(v),
            },
            PageKind::Term { vocabulary, term } => Inputs::Term {
                vocabulary: vocabulary_key(vocabulary),
                term: *term,
                facet: facet(vocabulary),
            },
            PageKind::Redirect { entry, alias } => Inputs::Redirect {
                entry: *entry,
                alias: &cat.entries[*entry].aliases[*alias].1,
            },
            PageKind::Free(i) => {
                let page = &cat.pages[*i];
                Inputs::Free {
                    page,
                    updated: updated.get(&page.rel_path).map(String::as_str),
                }
            }
        }
    }

    fn calendar(cat: &'c Catalogue, type_index: usize, year: Option<&'c str>) -> Self {
        let events = &cat.by_type[type_index];
        Inputs::Calendar {
            type_index,
            year,
            events,
            relations: events
                .iter()
                .map(|&i| cat.relations[i].as_slice())
                .collect(),
            today: &cat.today,
        }
    }

    /// Hashes each input into `h`. An entry stands in by the hash of its card
    /// ([`Views::card_hashes`]: its file and its pictures), a facet by the hash of its counts.
    fn hash(&self, h: &mut crate::Fingerprinter, shared: &PageFingerprints) {
        let cards = |h: &mut crate::Fingerprinter, list: &[usize]| {
            list.len().hash(h);
            list.iter().for_each(|&i| shared.cards[i].hash(h));
        };
        let counts = |h: &mut crate::Fingerprinter, facets: &[FacetIndex]| {
            facets.len().hash(h);
            shared.counts.hash(h);
        };
        let facet = |h: &mut crate::Fingerprinter, facet: &Option<Facet>| {
            facet.map(|f| shared.counts[f.index]).hash(h);
        };
        // A collection as a link shows its title, summary, address and size.
        let collection_link = |h: &mut crate::Fingerprinter, (c, members): &ResolvedCollection| {
            (&c.slug, &c.title, &c.summary).hash(h);
            members.len().hash(h);
        };
        let relations = |h: &mut crate::Fingerprinter, rels: &[Relation]| {
            rels.len().hash(h);
            for r in rels {
                (&r.field, &r.label).hash(h);
                cards(h, &r.targets);
            }
        };
        match self {
            Inputs::Plain => {}
            Inputs::Map { region } => region.map(|f| f.bits()).hash(h),
            Inputs::Home {
                facets,
                newest,
                total,
                collections,
            } => {
                counts(h, facets);
                cards(h, newest);
                total.hash(h);
                collections.iter().for_each(|c| collection_link(h, c));
            }
            Inputs::Collections { collections } => {
                collections.iter().for_each(|c| collection_link(h, c));
            }
            Inputs::Collection {
                collection: (c, members),
            } => {
                c.hash(h);
                for m in members {
                    cards(h, &[m.entry]);
                    m.note.hash(h);
                }
            }
            Inputs::Calendar {
                type_index,
                year,
                events,
                relations: rels,
                today,
            } => {
                (type_index, year, today).hash(h);
                cards(h, events);
                rels.iter().for_each(|r| relations(h, r));
            }
            Inputs::Finder { chosen, results } => {
                chosen.hash(h);
                let FinderResults { shown, matched } = results;
                for r in shown {
                    cards(h, &[r.entry]);
                    (r.score.to_bits(), &r.reasons).hash(h);
                }
                matched.hash(h);
            }
            Inputs::Browser {
                facets,
                first,
                per_type,
                total,
            } => {
                counts(h, facets);
                cards(h, first);
                per_type.hash(h);
                total.hash(h);
            }
            Inputs::Codebook { facets } => counts(h, facets),
            Inputs::TypeList {
                type_index,
                page,
                cards: list,
                total,
            } => {
                (type_index, page, total).hash(h);
                cards(h, list);
            }
            Inputs::Entry {
                entry:
                    EntryInputs {
                        entry,
                        relations: rels,
                        backlinks,
                        similar,
                        prev,
                        next,
                        completeness,
                        updated,
                    },
                in_collections,
                collections,
            } => {
                cards(h, &[*entry]);
                relations(h, rels);
                relations(h, backlinks);
                for &c in *in_collections {
                    collection_link(h, &collections[c]);
                    let members = &collections[c].1;
                    members.iter().find(|m| m.entry == *entry).hash(h);
                }
                cards(h, similar);
                cards(h, prev.as_slice());
                cards(h, next.as_slice());
                completeness.to_bits().hash(h);
                updated.hash(h);
            }
            Inputs::Vocabulary {
                vocabulary,
                facet: f,
            } => {
                vocabulary.hash(h);
                facet(h, f);
            }
            Inputs::Term {
                vocabulary,
                term,
                facet: f,
            } => {
                (vocabulary, term).hash(h);
                facet(h, f);
                if let Some(f) = f {
                    cards(h, &f.data.members[*term]);
                }
            }
            Inputs::Redirect { entry, alias } => {
                cards(h, &[*entry]);
                alias.hash(h);
            }
            Inputs::Free { page, updated } => {
                (&page.title, &page.summary, &page.body_html, &page.rel_path).hash(h);
                updated.hash(h);
            }
        }
    }
}

/// The entries pointing at entry `i`, without those it points at itself.
fn unrepeated_backlinks(cat: &Catalogue, i: usize) -> Vec<Relation> {
    let stated = |t: &usize| cat.relations[i].iter().any(|r| r.targets.contains(t));
    cat.backlinks[i]
        .iter()
        .filter_map(|r| {
            let targets: Vec<usize> = r.targets.iter().copied().filter(|t| !stated(t)).collect();
            (!targets.is_empty()).then(|| Relation {
                field: r.field.clone(),
                label: r.label.clone(),
                targets,
            })
        })
        .collect()
}
