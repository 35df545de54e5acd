//! Resolution: the catalogue graph, computed once in Rust so templates never search for anything.
//! Typed relations and their inverses, the term index (with hierarchy), counts per term and per
//! type × term, similar entries by shared facets, previous/next within a type, completeness.

use crate::check::{Checked, Entry, FieldValue, Page};
use crate::config::{Config, FieldKind};
use rayon::prelude::*;
use std::collections::HashMap;
use std::sync::Arc;

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
}

impl Catalogue {
    /// Resolves checked entries into the graph.
    pub fn resolve(config: Arc<Config>, checked: Checked) -> Catalogue {
        let Checked {
            entries,
            references,
            pages,
        } = checked;
        let by_id = entries
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();
        let mut by_title: Vec<usize> = (0..entries.len()).collect();
        by_title.sort_by(|a, b| {
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
        let (relations, backlinks) = relations(&config, &entries, &references);
        let facets = facet_indexes(&config, &entries, &by_title);
        let similar = similar_entries(&config, &entries);
        let completeness = entries
            .iter()
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
        }
    }

    pub fn facet(&self, field: &str) -> Option<&FacetIndex> {
        self.facets.iter().find(|f| f.field == field)
    }

    /// Previous and next entry of the same type, by title.
    pub fn prev_next(&self, entry: usize) -> (Option<usize>, Option<usize>) {
        let list = &self.by_type[self.entries[entry].type_index];
        let pos = self.type_position[entry];
        let prev = pos.checked_sub(1).map(|p| list[p]);
        let next = list.get(pos + 1).copied();
        (prev, next)
    }

    /// The terms of a facet field on an entry (as written, without ancestors).
    pub fn entry_terms<'a>(&'a self, entry: usize, field: &str) -> &'a [usize] {
        match self.entries[entry].field(field) {
            Some(FieldValue::Terms(t)) => t,
            _ => &[],
        }
    }
}

/// A sort key that orders German titles as a reader expects (ä with a, case-insensitive).
pub fn sort_key(title: &str) -> String {
    deunicode::deunicode(title)
        .to_lowercase()
        .chars()
        .filter(|c| c.is_alphanumeric() || *c == ' ')
        .collect::<String>()
        .trim()
        .to_string()
}

fn relations(
    config: &Config,
    entries: &[Arc<Entry>],
    references: &[Vec<(String, Vec<usize>)>],
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
                label: def.label.clone(),
                targets: targets.clone(),
            });
            let inverse = def.inverse.clone().unwrap_or_else(|| def.label.clone());
            for &t in targets {
                match inbound[t].iter_mut().find(|r| r.field == *field) {
                    Some(r) => {
                        if !r.targets.contains(&i) {
                            r.targets.push(i)
                        }
                    }
                    None => inbound[t].push(Relation {
                        field: field.clone(),
                        label: inverse.clone(),
                        targets: vec![i],
                    }),
                }
            }
        }
    }
    // Backlinks in a stable order: by the schema's field order, then by title of the source.
    let field_order: Vec<&String> = config.fields.keys().collect();
    for rels in &mut inbound {
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
    (out, inbound)
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
        .into_iter()
        .filter_map(|field| {
            let vocab = config.facet_vocabulary(&field)?;
            let ancestors: Vec<Vec<usize>> =
                (0..vocab.terms.len()).map(|t| vocab.ancestors(t)).collect();
            let mut members = vec![Vec::new(); vocab.terms.len()];
            let mut counts_by_type = vec![vec![0; config.types.len()]; vocab.terms.len()];
            for &i in by_title {
                let e = &entries[i];
                let Some(FieldValue::Terms(terms)) = e.field(&field) else {
                    continue;
                };
                let mut expanded: Vec<usize> = terms.clone();
                for &t in terms {
                    expanded.extend(&ancestors[t]);
                }
                expanded.sort_unstable();
                expanded.dedup();
                for t in expanded {
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

/// Similar entries by shared facet terms, weighted by the facet's weight (site.yaml `similarity`)
/// and by how rare the term is, like Hugo's related content. Uses an inverted index; very common
/// terms only add to candidates found through rarer ones, so the cost stays near-linear.
fn similar_entries(config: &Config, entries: &[Arc<Entry>]) -> Vec<Vec<usize>> {
    let n = entries.len();
    if n < 2 {
        return vec![Vec::new(); n];
    }
    let fields = indexed_facet_fields(config);
    // A term key packs (field, term) into one number for compact sorted sets.
    let mut entry_terms: Vec<Vec<u32>> = vec![Vec::new(); n];
    let mut postings: HashMap<u32, Vec<usize>> = HashMap::new();
    let mut weight_of_field = Vec::new();
    for (fi, field) in fields.iter().enumerate() {
        weight_of_field.push(config.similarity.get(field).copied().unwrap_or(1.0));
        let Some(vocab) = config.facet_vocabulary(field) else {
            continue;
        };
        for (i, e) in entries.iter().enumerate() {
            let Some(FieldValue::Terms(terms)) = e.field(field) else {
                continue;
            };
            let mut expanded = terms.clone();
            for &t in terms {
                expanded.extend(vocab.ancestors(t));
            }
            for t in expanded {
                let key = ((fi as u32) << 20) | t as u32;
                entry_terms[i].push(key);
            }
        }
    }
    for (i, terms) in entry_terms.iter_mut().enumerate() {
        terms.sort_unstable();
        terms.dedup();
        for &k in terms.iter() {
            postings.entry(k).or_default().push(i);
        }
    }
    let weight = |k: u32| {
        let df = postings.get(&k).map(Vec::len).unwrap_or(1) as f64;
        weight_of_field[(k >> 20) as usize] * (n as f64 / df).ln().max(0.0)
    };
    let weights: HashMap<u32, f64> = postings.keys().map(|&k| (k, weight(k))).collect();
    let cap = (n / 20).max(64);

    (0..n)
        .into_par_iter()
        .map_init(
            || (vec![0f64; n], Vec::<usize>::new()),
            |(scores, touched), i| {
                let terms = &entry_terms[i];
                let (rare, common): (Vec<u32>, Vec<u32>) =
                    terms.iter().partition(|k| postings[k].len() <= cap);
                for k in &rare {
                    let w = weights[k];
                    for &j in &postings[k] {
                        if j != i {
                            if scores[j] == 0.0 {
                                touched.push(j);
                            }
                            scores[j] += w;
                        }
                    }
                }
                for k in &common {
                    let w = weights[k];
                    for &j in touched.iter() {
                        if entry_terms[j].binary_search(k).is_ok() {
                            scores[j] += w;
                        }
                    }
                }
                let mut ranked: Vec<(f64, usize)> = touched
                    .iter()
                    .map(|&j| (scores[j], j))
                    .filter(|(s, _)| *s > 0.0)
                    .collect();
                ranked.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
                ranked.truncate(SIMILAR_COUNT);
                for &j in touched.iter() {
                    scores[j] = 0.0;
                }
                touched.clear();
                ranked.into_iter().map(|(_, j)| j).collect()
            },
        )
        .collect()
}

/// Share of the type's optional fields that the entry fills (0.0–1.0).
fn completeness(config: &Config, entry: &Entry, references: &[(String, Vec<usize>)]) -> f32 {
    let optional: Vec<&String> = config.types[entry.type_index]
        .fields
        .iter()
        .filter(|f| !config.fields[*f].required)
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
    fn sort_key_orders_umlauts_with_their_base_letter() {
        let mut titles = vec![
            "Zentrum",
            "„Still-Leben“",
            "Ärztehaus",
            "Atelier",
            "ölmühle",
        ];
        titles.sort_by_key(|t| sort_key(t));
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
