//! The strategy finder's ranking, defined once: an answer matches the entries that carry one of
//! its terms (or a term below one), and an entry's score is the sum of the weights of the chosen
//! answers it matches. The build ranks the pre-rendered results with [`Catalogue::finder_results`] and
//! writes the same matches and weights for the page's script ([`Catalogue::answer_members`]),
//! which only adds them up; ties go by title in both.

use super::*;
use crate::config::Answer;

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
    /// Calls `f` with each entry `answer` matches: the entries that carry one of its terms or
    /// a term below one (an entry with two of its terms comes twice).
    fn each_match(&self, answer: &Answer, mut f: impl FnMut(usize)) {
        for (field, terms) in &answer.terms {
            let (Some(facet), Some(vocab)) =
                (self.facet(field), self.config.facet_vocabulary(field))
            else {
                continue;
            };
            for term in terms.iter().filter_map(|t| vocab.term_index(t)) {
                facet.members[term].iter().for_each(|&i| f(i));
            }
        }
    }

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
        self.each_match(answer, |i| matched[i] = true);
        self.by_title
            .iter()
            .copied()
            .filter(|&i| matched[i])
            .collect()
    }

    /// The entries that fit the chosen answers (per question: the answer's index, or none
    /// when skipped), ranked: an entry matching at least one chosen answer scores the sum of
    /// their weights; best first, equal scores in title order. Of each type the first
    /// `per_type` are kept (`shown`, types mixed in that order), and every match is counted.
    ///
    /// A result page shows the best few of each type, so this never sorts every match: the
    /// scores are sums of a few weights, and one pass per distinct score over a type's entries
    /// in title order finds its best as a stable sort by score would (at 100,000 entries each
    /// of the finder's 480 result pages would otherwise sort tens of thousands of matches).
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
            self.each_match(answer, |i| matches[i] |= 1 << q);
        }
        // An entry's score depends only on which answers it matches: each set is summed once.
        let mut sets: Vec<(u64, f64)> = Vec::new();
        let mut score = |bits: u64| -> f64 {
            if let Some(&(_, s)) = sets.iter().find(|(b, _)| *b == bits) {
                return s;
            }
            let s = weights
                .iter()
                .filter(|(q, _, _)| bits & (1 << q) != 0)
                .map(|(_, _, w)| w)
                .sum();
            sets.push((bits, s));
            s
        };
        for (ty, list) in self.by_type.iter().enumerate() {
            // The type's matches in title order, with their answers and scores.
            let fitting: Vec<(usize, u64, f64)> = list
                .iter()
                .filter(|&&i| matches[i] != 0)
                .map(|&i| (i, matches[i], score(matches[i])))
                .collect();
            results.matched[ty] = fitting.len();
            // The distinct scores, best first: a few, since each is a sum of chosen weights.
            let mut levels: Vec<f64> = Vec::new();
            for &(_, _, s) in &fitting {
                if !levels.contains(&s) {
                    levels.push(s);
                }
            }
            levels.sort_by(|a, b| b.total_cmp(a));
            let mut best = Vec::new();
            'levels: for level in levels {
                for &(i, bits, s) in fitting.iter().filter(|f| f.2 == level) {
                    if best.len() == per_type {
                        break 'levels;
                    }
                    best.push(Ranked {
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
            results.shown.extend(best);
        }
        // The types mixed in the ranking's order: best first, equal scores in title order.
        results.shown.sort_by(|a, b| {
            b.score
                .total_cmp(&a.score)
                .then_with(|| self.title_order(a.entry, b.entry))
        });
        results
    }
}
