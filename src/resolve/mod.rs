//! Resolution: the catalogue graph, computed once in Rust so templates never search for anything.
//! Typed relations and their inverses, the term index (with hierarchy), counts per term and per
//! type × term, similar entries by shared facets, previous/next within a type, completeness.
//!
//! `serve` keeps the catalogue between rebuilds: after an edit that keeps every entry's id,
//! [`Catalogue::update`] changes only what the edited entries touch.
use crate::config::{Config, FieldKind, Vocabulary};
use crate::model::{Checked, Entry, FieldValue, Page};
use rayon::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

mod discovery;
mod editions;
mod finder;
mod similar;

use discovery::*;
pub use discovery::{build_date, day, Event, ResolvedCollection};
pub use editions::{Edition, Editions};
pub use finder::{FinderResults, Ranked};
use similar::*;

/// A typed relation from one entry to others, with its label as seen from the entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Relation {
    pub field: String,
    pub label: String,
    pub targets: Vec<usize>,
}

/// Entries per term of one facet field.
#[derive(Debug, Clone, PartialEq)]
pub struct FacetIndex {
    pub field: String,
    pub vocabulary: String,
    /// Per term: entries that carry the term or one of its descendants, in catalogue order.
    pub members: Vec<Vec<usize>>,
    /// Per term, per type: how many of `members` are of that type.
    pub counts_by_type: Vec<Vec<usize>>,
}

/// How many similar entries an entry page shows.
pub const SIMILAR_COUNT: usize = 5;

/// The most entries a term may carry and still find similar-entry candidates.
const MAX_RARE: usize = 1000;

/// The entries an entry's page lists under its relations (either direction), sorted.
fn related(relations: &[Relation], backlinks: &[Relation]) -> Vec<usize> {
    let mut all: Vec<usize> = relations
        .iter()
        .chain(backlinks)
        .flat_map(|r| r.targets.iter().copied())
        .collect();
    all.sort_unstable();
    all.dedup();
    all
}

/// The resolved catalogue that rendering works from.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub config: Arc<Config>,
    pub entries: Vec<Arc<Entry>>,
    pub pages: Vec<Arc<Page>>,
    pub by_id: HashMap<String, usize>,
    /// Per type: entry indices sorted by title.
    pub by_type: Vec<Vec<usize>>,
    /// All entries sorted by title (type-independent).
    pub by_title: Vec<usize>,
    /// Per entry: position within its type's list (for previous/next).
    pub type_position: Vec<usize>,
    pub relations: Vec<Vec<Relation>>,
    pub backlinks: Vec<Vec<Relation>>,
    /// Facet indexes keyed by field, for every facet field used by any type.
    pub facets: Vec<FacetIndex>,
    pub similar: Vec<Vec<usize>>,
    pub completeness: Vec<f32>,
    /// The collections with their entries, in file-name order.
    pub collections: Vec<ResolvedCollection>,
    /// Per entry: the collections that list it.
    pub in_collections: Vec<Vec<usize>>,
    /// The build date (`YYYY-MM-DD`, [`build_date`]): events before it are past.
    pub today: String,
    /// Where each page is in every language of the site (none for one language).
    pub editions: Arc<Editions>,
    /// What `similar` was computed from, so an update re-ranks only the entries it can move.
    similarity: SimilarityIndex,
}

/// An entry's resolved references: per reference field, the target entries.
pub type References = Vec<(String, Vec<usize>)>;

impl Catalogue {
    /// Resolves checked entries into the graph.
    pub fn resolve(config: Arc<Config>, checked: Checked) -> Catalogue {
        let Checked {
            entries,
            references,
            pages,
            collections,
            ..
        } = checked;
        let in_collections = in_collections(entries.len(), &collections);
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let mut by_title: Vec<usize> = (0..entries.len()).collect();
        by_title.par_sort_by(|a, b| {
            entries[*a]
                .sort_key
                .cmp(&entries[*b].sort_key)
                .then_with(|| entries[*a].id.cmp(&entries[*b].id))
        });
        let mut by_type = vec![Vec::new(); config.types.len()];
        for &i in &by_title {
            by_type[entries[i].type_index].push(i);
        }
        let mut type_position = vec![0; entries.len()];
        for list in &by_type {
            for (pos, &i) in list.iter().enumerate() {
                type_position[i] = pos;
            }
        }
        // Three parts that do not depend on each other, side by side: at 100,000 entries they
        // took 390 ms one after the other (BENCHMARKS.md, session 17).
        let ((relations, backlinks), (facets, similarity)) = rayon::join(
            || relations(&config, &entries, &references),
            || {
                rayon::join(
                    || facet_indexes(&config, &entries, &by_title),
                    || SimilarityIndex::new(&config, &entries),
                )
            },
        );
        let similar = similarity.rank_all(&(0..entries.len()).collect::<Vec<_>>(), &|i| {
            related(&relations[i], &backlinks[i])
        });
        let completeness = entries
            .par_iter()
            .zip(&references)
            .map(|(e, r)| completeness(&config, e, r))
            .collect();
        Catalogue {
            config,
            entries,
            pages,
            by_id,
            by_type,
            by_title,
            type_position,
            relations,
            backlinks,
            facets,
            similar,
            completeness,
            collections,
            in_collections,
            today: build_date(),
            editions: Arc::default(),
            similarity,
        }
    }

    /// Brings the catalogue up to date after files were edited in place: `changed` holds the
    /// new version of entries that keep their id and type, each with its resolved references;
    /// `pages` is the new list of free pages. The result equals [`Catalogue::resolve`] of the
    /// edited catalogue, but costs only what the edited entries touch (their lists, relations,
    /// terms, and the similar entries of entries that share a changed term).
    ///
    /// `false`, changing nothing, when an entry is new, changed its type or comes twice.
    pub fn update(
        &mut self,
        changed: Vec<(Arc<Entry>, References)>,
        pages: Vec<Arc<Page>>,
    ) -> bool {
        let mut indices = Vec::with_capacity(changed.len());
        for (entry, _) in &changed {
            match self.by_id.get(&entry.id) {
                Some(&i)
                    if self.entries[i].type_index == entry.type_index && !indices.contains(&i) =>
                {
                    indices.push(i)
                }
                _ => return false,
            }
        }
        self.pages = pages;
        self.today = build_date();
        // Entries whose relations or backlinks changed: their similar entries leave those out.
        let mut relinked = indices.clone();
        let mut previous = Vec::with_capacity(changed.len());
        for ((entry, references), &i) in changed.into_iter().zip(&indices) {
            let old = std::mem::replace(&mut self.entries[i], entry);
            self.reorder(i);
            relinked.extend(self.relink(i, &references));
            self.completeness[i] = completeness(&self.config, &self.entries[i], &references);
            previous.push(old);
        }
        self.refile(&indices, &previous);
        let mut affected = self
            .similarity
            .replace(&self.config, &self.entries, &indices);
        affected.extend(&relinked);
        affected.sort_unstable();
        affected.dedup();
        let ranked = self.similarity.rank_all(&affected, &|i| {
            related(&self.relations[i], &self.backlinks[i])
        });
        for (i, similar) in affected.into_iter().zip(ranked) {
            self.similar[i] = similar;
        }
        true
    }

    /// Title order of two entries: by sort key, then by id (ids are unique).
    fn title_order(&self, a: usize, b: usize) -> std::cmp::Ordering {
        let (x, y) = (&self.entries[a], &self.entries[b]);
        x.sort_key.cmp(&y.sort_key).then_with(|| x.id.cmp(&y.id))
    }

    /// Moves entry `i` to its place in the title lists after its title changed.
    fn reorder(&mut self, i: usize) {
        let type_index = self.entries[i].type_index;
        let mut by_title = std::mem::take(&mut self.by_title);
        self.place(&mut by_title, i);
        self.by_title = by_title;
        let mut of_type = std::mem::take(&mut self.by_type[type_index]);
        self.place(&mut of_type, i);
        for (pos, &j) in of_type.iter().enumerate() {
            self.type_position[j] = pos;
        }
        self.by_type[type_index] = of_type;
    }

    /// Takes entry `i` out of a list in title order and puts it back where it now belongs.
    fn place(&self, list: &mut Vec<usize>, i: usize) {
        if let Some(pos) = list.iter().position(|&j| j == i) {
            list.remove(pos);
        }
        let at = list.partition_point(|&j| self.title_order(j, i).is_lt());
        list.insert(at, i);
    }

    /// Replaces the relations of entry `i` and the backlinks they give its targets; returns the
    /// targets before and after, whose backlinks changed.
    fn relink(&mut self, i: usize, references: &References) -> Vec<usize> {
        let old = std::mem::take(&mut self.relations[i]);
        let mut touched: Vec<usize> = Vec::new();
        for r in &old {
            for &t in &r.targets {
                let rels = &mut self.backlinks[t];
                if let Some(k) = rels.iter().position(|b| b.field == r.field) {
                    rels[k].targets.retain(|&s| s != i);
                    if rels[k].targets.is_empty() {
                        rels.remove(k);
                    }
                }
                touched.push(t);
            }
        }
        let config = Arc::clone(&self.config);
        for (field, targets) in references {
            if targets.is_empty() {
                continue;
            }
            let def = &config.fields[field];
            self.relations[i].push(Relation {
                field: field.clone(),
                label: def.label.to_string(),
                targets: targets.clone(),
            });
            for &t in targets {
                add_backlink(&mut self.backlinks[t], &config, field, i);
                touched.push(t);
            }
        }
        touched.sort_unstable();
        touched.dedup();
        let field_order: Vec<&String> = config.fields.keys().collect();
        for &t in &touched {
            let mut rels = std::mem::take(&mut self.backlinks[t]);
            sort_backlinks(&mut rels, &field_order, &self.entries);
            self.backlinks[t] = rels;
        }
        touched
    }

    /// Moves the edited entries between the member lists of the terms they left and gained.
    fn refile(&mut self, indices: &[usize], previous: &[Arc<Entry>]) {
        let mut rank = vec![0; self.entries.len()];
        for (pos, &i) in self.by_title.iter().enumerate() {
            rank[i] = pos;
        }
        let config = Arc::clone(&self.config);
        for f in &mut self.facets {
            let Some(vocab) = config.facet_vocabulary(&f.field) else {
                continue;
            };
            // All edited entries leave first, so each list holds only unedited entries, in
            // an order their ranks still agree with, when the edited ones come back.
            let mut gained = Vec::with_capacity(indices.len());
            for (&i, old) in indices.iter().zip(previous) {
                for t in expanded_terms(vocab, old.field(&f.field)) {
                    f.members[t].retain(|&j| j != i);
                    f.counts_by_type[t][old.type_index] -= 1;
                }
                gained.push(expanded_terms(vocab, self.entries[i].field(&f.field)));
            }
            for (&i, terms) in indices.iter().zip(gained) {
                for t in terms {
                    let members = &mut f.members[t];
                    let at = members.partition_point(|&j| rank[j] < rank[i]);
                    members.insert(at, i);
                    f.counts_by_type[t][self.entries[i].type_index] += 1;
                }
            }
        }
    }

    pub fn facet(&self, field: &str) -> Option<&FacetIndex> {
        self.facets.iter().find(|f| f.field == field)
    }

    /// The index of the facet whose terms come from `vocabulary` (its term pages list them).
    pub fn facet_of_vocabulary(&self, vocabulary: &str) -> Option<&FacetIndex> {
        self.facets.iter().find(|f| f.vocabulary == vocabulary)
    }

    /// Previous and next entry of the same type, by title.
    pub fn prev_next(&self, entry: usize) -> (Option<usize>, Option<usize>) {
        let list = &self.by_type[self.entries[entry].type_index];
        let pos = self.type_position[entry];
        let prev = pos.checked_sub(1).map(|p| list[p]);
        let next = list.get(pos + 1).copied();
        (prev, next)
    }

    /// For each entry, its position in `previous` (the entries an earlier build worked from)
    /// when it is the very same entry, so that what was derived from it can be taken over:
    /// an unchanged file keeps its `Arc<Entry>` from one `serve` rebuild to the next. `None`
    /// for every entry when the schema was loaded again. The caller holds `previous`, so no
    /// address in it can belong to a new entry.
    pub fn unchanged_since(
        &self,
        previous: &[Arc<Entry>],
        previous_config: &Arc<Config>,
    ) -> Vec<Option<usize>> {
        if !Arc::ptr_eq(previous_config, &self.config) {
            return vec![None; self.entries.len()];
        }
        let at: HashMap<*const Entry, usize> = previous
            .iter()
            .enumerate()
            .map(|(k, e)| (Arc::as_ptr(e), k))
            .collect();
        self.entries
            .iter()
            .map(|e| at.get(&Arc::as_ptr(e)).copied())
            .collect()
    }

    /// The terms of a facet field on an entry (as written, without ancestors).
    pub fn entry_terms<'a>(&'a self, entry: usize, field: &str) -> &'a [usize] {
        match self.entries[entry].field(field) {
            Some(FieldValue::Terms(t)) => t,
            _ => &[],
        }
    }
}

fn relations(
    config: &Config,
    entries: &[Arc<Entry>],
    references: &[References],
) -> (Vec<Vec<Relation>>, Vec<Vec<Relation>>) {
    let mut out: Vec<Vec<Relation>> = vec![Vec::new(); entries.len()];
    let mut inbound: Vec<Vec<Relation>> = vec![Vec::new(); entries.len()];
    for (i, fields) in references.iter().enumerate() {
        for (field, targets) in fields {
            if targets.is_empty() {
                continue;
            }
            let def = &config.fields[field];
            out[i].push(Relation {
                field: field.clone(),
                label: def.label.to_string(),
                targets: targets.clone(),
            });
            for &t in targets {
                add_backlink(&mut inbound[t], config, field, i);
            }
        }
    }
    let field_order: Vec<&String> = config.fields.keys().collect();
    inbound
        .par_iter_mut()
        .for_each(|rels| sort_backlinks(rels, &field_order, entries));
    (out, inbound)
}

/// Records that entry `source` points at the owner of `rels` through `field`.
fn add_backlink(rels: &mut Vec<Relation>, config: &Config, field: &str, source: usize) {
    match rels.iter_mut().find(|r| r.field == field) {
        Some(r) => {
            if !r.targets.contains(&source) {
                r.targets.push(source)
            }
        }
        None => {
            let def = &config.fields[field];
            rels.push(Relation {
                field: field.to_string(),
                label: def.inverse.as_ref().unwrap_or(&def.label).to_string(),
                targets: vec![source],
            })
        }
    }
}

/// Backlinks in a stable order: by the schema's field order, then by title of the source.
fn sort_backlinks(rels: &mut [Relation], field_order: &[&String], entries: &[Arc<Entry>]) {
    rels.sort_by_key(|r| field_order.iter().position(|f| **f == r.field));
    for r in rels.iter_mut() {
        r.targets.sort_by(|a, b| {
            entries[*a]
                .sort_key
                .cmp(&entries[*b].sort_key)
                .then(a.cmp(b))
        });
    }
}

/// The facet fields the catalogue indexes: the configured facets, then any other facet field.
fn indexed_facet_fields(config: &Config) -> Vec<String> {
    let mut fields: Vec<String> = config.facets.clone();
    for (key, def) in &config.fields {
        if def.kind == FieldKind::Facet && !fields.contains(key) {
            fields.push(key.clone());
        }
    }
    fields
}

fn facet_indexes(config: &Config, entries: &[Arc<Entry>], by_title: &[usize]) -> Vec<FacetIndex> {
    indexed_facet_fields(config)
        .into_par_iter()
        .filter_map(|field| {
            let vocab = config.facet_vocabulary(&field)?;
            let mut members = vec![Vec::new(); vocab.terms.len()];
            let mut counts_by_type = vec![vec![0; config.types.len()]; vocab.terms.len()];
            for &i in by_title {
                let e = &entries[i];
                for t in expanded_terms(vocab, e.field(&field)) {
                    members[t].push(i);
                    counts_by_type[t][e.type_index] += 1;
                }
            }
            Some(FacetIndex {
                field,
                vocabulary: vocab.key.clone(),
                members,
                counts_by_type,
            })
        })
        .collect()
}

/// The terms of a facet field value with all their ancestors, sorted, each once.
fn expanded_terms(vocab: &Vocabulary, value: Option<&FieldValue>) -> Vec<usize> {
    let Some(FieldValue::Terms(terms)) = value else {
        return Vec::new();
    };
    let mut expanded = terms.clone();
    for &t in terms {
        expanded.extend(vocab.ancestors(t));
    }
    expanded.sort_unstable();
    expanded.dedup();
    expanded
}

/// Share of the type's optional fields that the entry fills (0.0–1.0).
fn completeness(config: &Config, entry: &Entry, references: &[(String, Vec<usize>)]) -> f32 {
    let optional: Vec<&String> = config.types[entry.type_index]
        .fields
        .iter()
        .filter(|f| !config.fields[*f].required && !config.roles.is_meta(f))
        .collect();
    if optional.is_empty() {
        return 1.0;
    }
    let filled = optional
        .iter()
        .filter(|f| {
            entry.field(f).is_some() || references.iter().any(|(k, t)| k == **f && !t.is_empty())
        })
        .count();
    filled as f32 / optional.len() as f32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_best_candidates_are_those_a_full_sort_puts_first() {
        // Scores from a small pseudo-random sequence, with many ties.
        let mut x = 12345u64;
        for len in [0, 1, 4, 5, 6, 50, 1000] {
            let ranked: Vec<(f64, usize)> = (0..len)
                .map(|j| {
                    x = x
                        .wrapping_mul(6364136223846793005)
                        .wrapping_add(1442695040888963407);
                    (((x >> 33) % 7) as f64 * 0.5, j)
                })
                .collect();
            let mut sorted = ranked.clone();
            sorted.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
            for n in [0, 1, 5, 10] {
                let expected: Vec<usize> = sorted.iter().take(n).map(|&(_, j)| j).collect();
                let got = best(ranked.clone(), n);
                assert_eq!(got, expected, "{len} candidates, best {n}");
                assert!(got.capacity() <= n.max(1), "keeps no spare capacity");
            }
        }
    }

    #[test]
    fn sort_key_orders_umlauts_with_their_base_letter() {
        let mut titles = vec![
            "Zentrum",
            "„Still-Leben“",
            "Ärztehaus",
            "Atelier",
            "ölmühle",
        ];
        titles.sort_by_key(|t| crate::model::sort_key(t));
        assert_eq!(
            titles,
            vec![
                "Ärztehaus",
                "Atelier",
                "ölmühle",
                "„Still-Leben“",
                "Zentrum"
            ]
        );
    }
}
