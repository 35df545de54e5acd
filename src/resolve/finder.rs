//! The strategy finder's ranking, defined once: an answer matches the entries that carry one of
//! its terms (or a term below one), and an entry's score is the sum of the weights of the chosen
//! answers it matches. The build ranks the pre-rendered results with [`Catalogue::rank`] and
//! writes the same matches and weights for the page's script ([`Catalogue::answer_members`]),
//! which only adds them up; ties go by title in both.

use super::*;

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

    /// The entries that match at least one chosen answer (per question: the answer's index, or
    /// none when skipped), best first; equal scores in title order.
    pub fn rank(&self, chosen: &[Option<usize>]) -> Vec<Ranked> {
        let Some(finder) = &self.config.finder else {
            return Vec::new();
        };
        let mut ranked: Vec<Option<Ranked>> = vec![None; self.entries.len()];
        for (q, a) in chosen.iter().enumerate() {
            let Some(a) = *a else { continue };
            let Some(weight) = finder.questions.get(q).and_then(|x| x.answers.get(a)) else {
                continue;
            };
            for i in self.answer_members(q, a) {
                let r = ranked[i].get_or_insert(Ranked {
                    entry: i,
                    score: 0.0,
                    reasons: Vec::new(),
                });
                r.score += weight.weight;
                r.reasons.push((q, a));
            }
        }
        // by_title order first, then a stable sort by score keeps ties in title order.
        let mut out: Vec<Ranked> = self
            .by_title
            .iter()
            .filter_map(|&i| ranked[i].take())
            .collect();
        out.sort_by(|a, b| b.score.total_cmp(&a.score));
        out
    }
}
