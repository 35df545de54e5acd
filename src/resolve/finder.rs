//! The strategy finder's ranking, defined once: an answer matches the entries that carry one of
//! its terms (or a term below one), and an entry's score is the sum of the weights of the chosen
//! answers it matches. The build ranks the pre-rendered results with [`Catalogue::finder_results`] and
//! writes the same matches and weights for the page's script ([`Catalogue::answer_members`]),
//! which only adds them up; ties go by title in both.

use super::*;

/// What a finder result page shows: the best entries of each type, in the order of the
/// ranking (types mixed), and how many entries of each type fit at all.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FinderResults {
    pub shown: Vec<Ranked>,
    /// Per type: the entries that match at least one chosen answer.
    pub matched: Vec<usize>,
}

/// An entry the finder suggests: its score and the answers it matches (question, answer).
#[derive(Debug, Clone, PartialEq)]
pub struct Ranked {
    pub entry: usize,
    pub score: f64,
    pub reasons: Vec<(usize, usize)>,
}

impl Catalogue {
    /// The entries answer `a` of question `q` matches, in title order.
    pub fn answer_members(&self, q: usize, a: usize) -> Vec<usize> {
        let Some(answer) = self
            .config
            .finder
            .as_ref()
            .and_then(|f| f.questions.get(q)?.answers.get(a))
        else {
            return Vec::new();
        };
        let mut matched = vec![false; self.entries.len()];
        for (field, terms) in &answer.terms {
            let (Some(facet), Some(vocab)) =
                (self.facet(field), self.config.facet_vocabulary(field))
            else {
                continue;
            };
            for term in terms.iter().filter_map(|t| vocab.term_index(t)) {
                facet.members[term].iter().for_each(|&i| matched[i] = true);
            }
        }
        self.by_title
            .iter()
            .copied()
            .filter(|&i| matched[i])
            .collect()
    }

    /// The entries that fit the chosen answers (per question: the answer's index, or none
    /// when skipped), ranked: an entry matching at least one chosen answer scores the sum of
    /// their weights; best first, equal scores in title order. Of each type the first
    /// `per_type` are kept, and every match is counted.
    ///
    /// A result page shows the best few of each type, so this never sorts every match: the
    /// scores are sums of a few weights, and one pass per distinct score in title order gives
    /// the order a stable sort by score would (at 100,000 entries each of the finder's 480
    /// result pages would otherwise sort tens of thousands of matches).
    pub fn finder_results(&self, chosen: &[Option<usize>], per_type: usize) -> FinderResults {
        let types = self.config.types.len();
        let mut results = FinderResults {
            shown: Vec::new(),
            matched: vec![0; types],
        };
        let Some(finder) = &self.config.finder else {
            return results;
        };
        // Per entry, the chosen answers it matches as bits, one per question.
        let mut matches = vec![0u64; self.entries.len()];
        let mut weights = Vec::new();
        for (q, a) in chosen.iter().enumerate().take(64) {
            let Some(a) = *a else { continue };
            let Some(answer) = finder.questions.get(q).and_then(|x| x.answers.get(a)) else {
                continue;
            };
            weights.push((q, a, answer.weight));
            for (field, terms) in &answer.terms {
                let (Some(facet), Some(vocab)) =
                    (self.facet(field), self.config.facet_vocabulary(field))
                else {
                    continue;
                };
                for term in terms.iter().filter_map(|t| vocab.term_index(t)) {
                    facet.members[term]
                        .iter()
                        .for_each(|&i| matches[i] |= 1 << q);
                }
            }
        }
        let score = |bits: u64| -> f64 {
            weights
                .iter()
                .filter(|(q, _, _)| bits & (1 << q) != 0)
                .map(|(_, _, w)| w)
                .sum()
        };
        // The matches in title order with their answers and scores, and the distinct scores,
        // best first. An entry's score depends only on which answers it matches, so each set
        // of answers is summed once.
        let mut sets: Vec<(u64, f64)> = Vec::new();
        let mut matched: Vec<(usize, u64, f64)> = Vec::new();
        for &i in &self.by_title {
            let bits = matches[i];
            if bits == 0 {
                continue;
            }
            let s = match sets.iter().find(|(b, _)| *b == bits) {
                Some(&(_, s)) => s,
                None => {
                    sets.push((bits, score(bits)));
                    score(bits)
                }
            };
            results.matched[self.entries[i].type_index] += 1;
            matched.push((i, bits, s));
        }
        let mut scores: Vec<f64> = sets.iter().map(|(_, s)| *s).collect();
        scores.sort_by(|a, b| b.total_cmp(a));
        scores.dedup();
        let mut room: Vec<usize> = results.matched.iter().map(|&n| n.min(per_type)).collect();
        let mut left: usize = room.iter().sum();
        for level in scores {
            for &(i, bits, s) in &matched {
                if left == 0 {
                    return results;
                }
                let ty = self.entries[i].type_index;
                if s != level || room[ty] == 0 {
                    continue;
                }
                room[ty] -= 1;
                left -= 1;
                results.shown.push(Ranked {
                    entry: i,
                    score: s,
                    reasons: weights
                        .iter()
                        .filter(|(q, _, _)| bits & (1 << q) != 0)
                        .map(|&(q, a, _)| (q, a))
                        .collect(),
                });
            }
        }
        results
    }
}
