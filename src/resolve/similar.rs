//! Similar entries: an inverted index over the terms entries share, weighted by how rare a
//! term is and by the facet's weight, so each entry finds its most similar ones without
//! comparing it with every other.

use super::*;

/// Similar entries by shared facet terms, weighted by the facet's weight (site.yaml `similarity`)
/// and by how rare the term is, like Hugo's related content. Uses an inverted index; very common
/// terms only add to candidates found through rarer ones, so the cost stays near-linear.
///
/// A term key packs (field, term) into one number for compact sorted sets.
#[derive(Debug, Clone, Default)]
pub(super) struct SimilarityIndex {
    /// The indexed facet fields, in key order.
    pub(super) fields: Vec<String>,
    pub(super) weight_of_field: Vec<f64>,
    /// Per entry: its term keys, ancestors included, sorted.
    pub(super) entry_terms: Vec<Vec<u32>>,
    /// Per term key: the entries that carry it, ascending.
    pub(super) postings: HashMap<u32, Vec<usize>>,
    /// Per term key: the facet's weight times the term's rarity.
    pub(super) weights: HashMap<u32, f64>,
}

impl SimilarityIndex {
    pub(super) fn new(config: &Config, entries: &[Arc<Entry>]) -> SimilarityIndex {
        let fields = indexed_facet_fields(config);
        let weight_of_field = fields
            .iter()
            .map(|f| config.similarity.get(f).copied().unwrap_or(1.0))
            .collect();
        let mut index = SimilarityIndex {
            fields,
            weight_of_field,
            ..SimilarityIndex::default()
        };
        let entry_terms = entries.par_iter().map(|e| index.keys(config, e)).collect();
        index.entry_terms = entry_terms;
        for (i, terms) in index.entry_terms.iter().enumerate() {
            for &k in terms {
                index.postings.entry(k).or_default().push(i);
            }
        }
        index.weights = index
            .postings
            .keys()
            .map(|&k| (k, index.weight(k)))
            .collect();
        index
    }

    /// The term keys of an entry, sorted, each once.
    pub(super) fn keys(&self, config: &Config, entry: &Entry) -> Vec<u32> {
        let mut keys = Vec::new();
        for (fi, field) in self.fields.iter().enumerate() {
            let Some(vocab) = config.facet_vocabulary(field) else {
                continue;
            };
            let expanded = expanded_terms(vocab, entry.field(field));
            keys.extend(expanded.into_iter().map(|t| ((fi as u32) << 20) | t as u32));
        }
        keys.sort_unstable();
        keys
    }

    pub(super) fn weight(&self, k: u32) -> f64 {
        let n = self.entry_terms.len() as f64;
        let df = self.postings.get(&k).map(Vec::len).unwrap_or(1) as f64;
        self.weight_of_field[(k >> 20) as usize] * (n / df).ln().max(0.0)
    }

    /// Takes in the new terms of the entries at `indices`; returns the entries whose similar
    /// entries may have changed: those that carry a term an edited entry gained or lost (its
    /// weight changed, and so did the overlap with the edited entry), and the edited ones.
    /// Every other entry's scores use only unchanged weights and overlaps.
    pub(super) fn replace(
        &mut self,
        config: &Config,
        entries: &[Arc<Entry>],
        indices: &[usize],
    ) -> Vec<usize> {
        let mut changed_keys = BTreeSet::new();
        for &i in indices {
            let new = self.keys(config, &entries[i]);
            let old = std::mem::replace(&mut self.entry_terms[i], new);
            let new = &self.entry_terms[i];
            for &k in old.iter().filter(|k| new.binary_search(k).is_err()) {
                if let Some(list) = self.postings.get_mut(&k) {
                    list.retain(|&j| j != i);
                    if list.is_empty() {
                        self.postings.remove(&k);
                    }
                }
                changed_keys.insert(k);
            }
            for &k in new.iter().filter(|k| old.binary_search(k).is_err()) {
                let list = self.postings.entry(k).or_default();
                let at = list.partition_point(|&j| j < i);
                list.insert(at, i);
                changed_keys.insert(k);
            }
        }
        if changed_keys.is_empty() {
            return Vec::new();
        }
        let mut affected: Vec<usize> = indices.to_vec();
        for &k in &changed_keys {
            match self.postings.get(&k) {
                Some(list) => {
                    affected.extend(list);
                    self.weights.insert(k, self.weight(k));
                }
                None => {
                    self.weights.remove(&k);
                }
            }
        }
        affected.sort_unstable();
        affected.dedup();
        affected
    }

    /// Terms carried by at most this many entries are rare: only they find candidates. A share
    /// of the catalogue (5 %, as Hugo's `cardinalityThreshold`), but never more than
    /// `MAX_RARE`: at 100,000 entries 5 % made every entry score thousands of candidates
    /// (35 s in all).
    pub(super) fn cap(&self) -> usize {
        (self.entry_terms.len() / 20).clamp(64, MAX_RARE)
    }

    /// The similar entries of each entry in `entries`, in parallel, leaving out the entries
    /// `related` gives for it (sorted): a page lists those under its relations already.
    pub(super) fn rank_all(
        &self,
        entries: &[usize],
        related: &(dyn Fn(usize) -> Vec<usize> + Sync),
    ) -> Vec<Vec<usize>> {
        let n = self.entry_terms.len();
        if n < 2 {
            return vec![Vec::new(); entries.len()];
        }
        // Which entries carry each common term, as one bit per entry: every candidate is
        // tested against every common term its entry has (at 100,000 entries, a binary search
        // in each candidate's terms took most of the 2.5 s that resolving took).
        let cap = self.cap();
        let common: HashMap<u32, Vec<u64>> = self
            .postings
            .iter()
            .filter(|(_, list)| list.len() > cap)
            .map(|(&k, list)| {
                let mut bits = vec![0u64; n.div_ceil(64)];
                for &j in list {
                    bits[j / 64] |= 1 << (j % 64);
                }
                (k, bits)
            })
            .collect();
        entries
            .par_iter()
            .map_init(
                || (vec![0f64; n], Vec::<usize>::new()),
                |(scores, touched), &i| self.rank(i, &common, &related(i), scores, touched),
            )
            .collect()
    }

    /// The most similar entries to entry `i`, given the entries of each common term as bits;
    /// `scores` (all zero) and `touched` (empty) are scratch space, left as they were found.
    pub(super) fn rank(
        &self,
        i: usize,
        common_bits: &HashMap<u32, Vec<u64>>,
        related: &[usize],
        scores: &mut [f64],
        touched: &mut Vec<usize>,
    ) -> Vec<usize> {
        let terms = &self.entry_terms[i];
        let (common, rare): (Vec<u32>, Vec<u32>) =
            terms.iter().partition(|k| common_bits.contains_key(k));
        for k in &rare {
            let w = self.weights[k];
            for &j in &self.postings[k] {
                if j != i {
                    if scores[j] == 0.0 {
                        touched.push(j);
                    }
                    scores[j] += w;
                }
            }
        }
        for k in &common {
            let w = self.weights[k];
            let bits = &common_bits[k];
            for &j in touched.iter() {
                if bits[j / 64] & (1 << (j % 64)) != 0 {
                    scores[j] += w;
                }
            }
        }
        let ranked: Vec<(f64, usize)> = touched
            .iter()
            .map(|&j| (scores[j], j))
            .filter(|(s, j)| *s > 0.0 && related.binary_search(j).is_err())
            .collect();
        for &j in touched.iter() {
            scores[j] = 0.0;
        }
        touched.clear();
        best(ranked, SIMILAR_COUNT)
    }
}

/// The `n` candidates with the best scores, best first, ties by position: a total order, so
/// selecting the top few and sorting only them gives what sorting all candidates would.
pub(super) fn best(mut ranked: Vec<(f64, usize)>, n: usize) -> Vec<usize> {
    let order = |a: &(f64, usize), b: &(f64, usize)| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1));
    if ranked.len() > n && n > 0 {
        ranked.select_nth_unstable_by(n - 1, order);
    }
    ranked.truncate(n);
    ranked.sort_by(order);
    // Collected from a borrow: collecting `into_iter()` would keep the candidates'
    // allocation (kilobytes per entry, half a gigabyte at 100,000 entries).
    ranked.iter().map(|&(_, j)| j).collect()
}
