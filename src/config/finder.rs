//! `finder:` in site.yaml: the strategy finder's questions, each with answers that stand for
//! facet terms and weigh a matching entry. Checked against the facets and their vocabularies.

use super::*;

/// The most pages the finder's answers may make (every combination of answers, each question
/// also skippable, and the steps towards them are pre-rendered for readers without JavaScript).
pub const MAX_FINDER_PAGES: usize = 2000;

/// `finder:` in site.yaml.
#[derive(Debug, Clone, Deserialize, Serialize, Hash, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct FinderConfig {
    #[serde(default)]
    pub title: Option<Localized>,
    #[serde(default)]
    pub intro: Option<Localized>,
    pub questions: Vec<Question>,
    /// How many of the best entries of each type a result page lists; the group's heading
    /// counts them all, and the catalogue browser (and the page's script) show the rest.
    #[serde(default = "default_results_per_type")]
    pub results_per_type: usize,
}

/// One question of the finder.
#[derive(Debug, Clone, Deserialize, Serialize, Hash, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Question {
    /// A clean name; it stands in addresses and in the finder's URL state.
    pub key: String,
    pub question: Localized,
    pub answers: Vec<Answer>,
}

/// One answer: the terms it stands for, per facet field, and what a match weighs.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    pub key: String,
    pub label: Localized,
    pub terms: BTreeMap<String, Vec<String>>,
    #[serde(default = "default_weight")]
    pub weight: f64,
}

impl std::hash::Hash for Answer {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        (&self.key, &self.label, &self.terms, self.weight.to_bits()).hash(h);
    }
}

fn default_weight() -> f64 {
    1.0
}

fn default_results_per_type() -> usize {
    10
}

impl FinderConfig {
    /// How many pages the finder makes: for each number of questions answered or skipped so
    /// far, every combination of the answers before.
    pub fn page_count(&self) -> usize {
        let mut total: usize = 1;
        let mut level: usize = 1;
        for q in &self.questions {
            level = level.saturating_mul(q.answers.len() + 1);
            total = total.saturating_add(level);
        }
        total
    }
}

impl Config {
    /// Checks `finder:`: clean, distinct keys, answers naming facet fields and their terms,
    /// positive weights, and a number of pages within [`MAX_FINDER_PAGES`].
    pub(super) fn validate_finder(&self, text: &str, shown: &Path, report: &mut Report) {
        let Some(finder) = &self.finder else { return };
        let keys = KeyLines::scan(text, 1);
        let at = |d: Diagnostic, needle: &str| match keys.locate_in_value(text, "finder", needle) {
            Some((l, c, _)) => d.at(text, l, c, needle.chars().count()),
            None => d,
        };
        let mut problems = FileProblems::new(shown);
        let mut seen = HashSet::new();
        for q in &finder.questions {
            if !is_clean_segment(&q.key) || !seen.insert(q.key.as_str()) {
                problems.push(at(
                    Diagnostic::error(
                        "invalid-schema",
                        shown,
                        format!("finder question key `{}` is not clean or not unique", q.key),
                    )
                    .expected("a distinct name of lowercase letters, digits and `-`"),
                    &q.key,
                ));
            }
            let mut answers = HashSet::new();
            for a in &q.answers {
                if !is_clean_segment(&a.key) || !answers.insert(a.key.as_str()) {
                    problems.push(at(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!(
                                "answer key `{}` of `{}` is not clean or not unique",
                                a.key, q.key
                            ),
                        )
                        .expected("a distinct name of lowercase letters, digits and `-`"),
                        &a.key,
                    ));
                }
                if !(a.weight.is_finite() && a.weight > 0.0) {
                    problems.push(at(
                        Diagnostic::error(
                            "invalid-schema",
                            shown,
                            format!("answer `{}` of `{}` has weight {}", a.key, q.key, a.weight),
                        )
                        .expected("a positive number"),
                        &a.key,
                    ));
                }
                for (field, terms) in &a.terms {
                    let Some(vocab) = self
                        .fields
                        .get(field)
                        .filter(|f| f.kind == FieldKind::Facet)
                        .and_then(|_| self.facet_vocabulary(field))
                    else {
                        let facets = self
                            .fields
                            .values()
                            .filter(|f| f.kind == FieldKind::Facet)
                            .map(|f| f.key.as_str());
                        problems.push(at(
                            Diagnostic::error(
                                "invalid-schema",
                                shown,
                                format!(
                                    "answer `{}` names `{field}`, which is not a facet field",
                                    a.key
                                ),
                            )
                            .maybe_hint(
                                did_you_mean(field, facets).map(|s| format!("did you mean `{s}`?")),
                            ),
                            field,
                        ));
                        continue;
                    };
                    for term in terms {
                        if vocab.term_index(term).is_none() {
                            problems.push(at(
                                Diagnostic::error(
                                    "unknown-term",
                                    shown,
                                    format!(
                                        "answer `{}` names `{term}`, which is not a term of `{}`",
                                        a.key, vocab.key
                                    ),
                                )
                                .maybe_hint(
                                    did_you_mean(term, vocab.terms.iter().map(|t| t.key.as_str()))
                                        .map(|s| format!("did you mean `{s}`?")),
                                ),
                                term,
                            ));
                        }
                    }
                }
            }
        }
        if finder.results_per_type == 0 {
            problems.push(at(
                Diagnostic::error(
                    "invalid-schema",
                    shown,
                    "the finder's `results_per_type` is 0, so its result pages would list nothing",
                )
                .expected("a whole number of at least 1 (the default is 10)"),
                "results_per_type",
            ));
        }
        if finder.page_count() > MAX_FINDER_PAGES {
            problems.push(at(
                Diagnostic::error(
                    "invalid-schema",
                    shown,
                    format!("the finder's answers make {} pages", finder.page_count()),
                )
                .expected(format!(
                    "at most {MAX_FINDER_PAGES} (every combination of answers is pre-rendered)"
                ))
                .hint("ask fewer questions or offer fewer answers"),
                "questions",
            ));
        }
        report.extend(problems.finish());
    }
}
