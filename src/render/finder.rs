//! The strategy finder's pages: one question at a time (every answer a link, each question
//! skippable), and after the last one the entries that fit best, ranked by
//! [`Catalogue::finder_results`], grouped by type, each with the answers it matches: the best
//! `results_per_type` of each type, with a count of all that fit. Every step has an
//! address of its own (`wegweiser/<answer>/-/…/`), so the finder works without JavaScript and
//! its state is in the URL.

use super::*;
use crate::config::FinderConfig;
use rayon::prelude::*;
use std::collections::HashMap;

/// The address segments of the answers so far: answer keys, `-` for a skipped question.
pub fn segments<'a>(config: &'a Config, chosen: &[Option<usize>]) -> Vec<&'a str> {
    let Some(finder) = &config.finder else {
        return Vec::new();
    };
    chosen
        .iter()
        .zip(&finder.questions)
        .map(|(a, q)| match a {
            Some(a) => q.answers[*a].key.as_str(),
            None => urls::FINDER_SKIP,
        })
        .collect()
}

fn settings(config: &Config) -> Option<&FinderConfig> {
    config.finder.as_ref()
}

/// The page's title and description.
pub(super) fn title(
    config: &Config,
    chosen: &[Option<usize>],
    s: &dyn Fn(&str) -> String,
) -> (String, String) {
    let Some(finder) = settings(config) else {
        return Default::default();
    };
    let name = finder
        .title
        .as_deref()
        .cloned()
        .unwrap_or_else(|| s("finder_title"));
    let intro = finder
        .intro
        .as_deref()
        .cloned()
        .unwrap_or_else(|| s("finder_intro"));
    match finder.questions.get(chosen.len()) {
        Some(q) if !chosen.is_empty() => (format!("{name}: {}", q.question), intro),
        Some(_) => (name, intro),
        None => (format!("{name}: {}", s("finder_results")), intro),
    }
}

/// The `field=term` filters of the chosen answers, for the catalogue browser.
fn browser_filters<'a>(
    finder: &'a FinderConfig,
    chosen: &[Option<usize>],
) -> Vec<(&'a str, &'a str)> {
    let mut filters: Vec<(&str, &str)> = Vec::new();
    for (q, a) in chosen.iter().enumerate() {
        let Some(a) = a else { continue };
        for (field, terms) in &finder.questions[q].answers[*a].terms {
            for t in terms {
                if !filters.contains(&(field.as_str(), t.as_str())) {
                    filters.push((field, t));
                }
            }
        }
    }
    filters
}

/// The rankings of the finder's result pages ([`Catalogue::finder_results`]), made once per
/// build for the pages' fingerprints and contexts alike. A rebuild takes them over while
/// nothing the ranking reads changed (the schema, the title order, the entries of each type
/// and the members of the terms the answers name): an edit to an entry's text does not rank
/// the result pages again, and the pages re-render only if a shown card changed.
#[derive(Default)]
pub struct Rankings {
    /// A hash of what the ranking reads, with the schema it was made under.
    key: Option<(u64, Arc<Config>)>,
    results: HashMap<Vec<Option<usize>>, FinderResults>,
}

/// What a question's step shows of the entries: nothing.
static NO_RESULTS: FinderResults = FinderResults {
    shown: Vec::new(),
    matched: Vec::new(),
};

impl Rankings {
    pub fn new(cat: &Catalogue, previous: Option<&Arc<Rankings>>) -> Arc<Rankings> {
        let Some(finder) = settings(&cat.config) else {
            return Arc::default();
        };
        let key = ranked_inputs(cat, finder);
        if let Some(p) = previous {
            if p.key
                .as_ref()
                .is_some_and(|(k, c)| *k == key && Arc::ptr_eq(c, &cat.config))
            {
                return Arc::clone(p);
            }
        }
        let results = super::plan::finder_steps(finder)
            .into_par_iter()
            .filter(|chosen| chosen.len() == finder.questions.len())
            .map(|chosen| {
                let results = cat.finder_results(&chosen, finder.results_per_type);
                (chosen, results)
            })
            .collect();
        Arc::new(Rankings {
            key: Some((key, Arc::clone(&cat.config))),
            results,
        })
    }

    /// What a page of the finder shows of the entries: nothing on a question's step, the best
    /// of each type after the last question.
    pub(super) fn of(&self, chosen: &[Option<usize>]) -> &FinderResults {
        self.results.get(chosen).unwrap_or(&NO_RESULTS)
    }
}

/// A hash of what [`Catalogue::finder_results`] reads besides the schema: the title order
/// (ties), the entries of each type, and the members of each facet an answer names.
fn ranked_inputs(cat: &Catalogue, finder: &FinderConfig) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = crate::fingerprinter();
    cat.by_title.hash(&mut h);
    cat.by_type.hash(&mut h);
    let mut fields: Vec<&str> = finder
        .questions
        .iter()
        .flat_map(|q| &q.answers)
        .flat_map(|a| a.terms.keys().map(String::as_str))
        .collect();
    fields.sort_unstable();
    fields.dedup();
    for field in fields {
        field.hash(&mut h);
        if let Some(facet) = cat.facet(field) {
            facet.members.hash(&mut h);
        }
    }
    h.finish()
}

/// Everything a step or the results show.
pub(super) fn finder(
    cat: &Catalogue,
    views: &Views,
    chosen: &[Option<usize>],
    results: &FinderResults,
) -> Value {
    let config = &cat.config;
    let Some(finder) = settings(config) else {
        return Value::none();
    };
    let path = segments(config, chosen);
    let step_url = |extra: &str| {
        let mut p = path.clone();
        p.push(extra);
        views.urls.path(&views.segments.finder_step(&p))
    };
    let answered: Vec<Value> = chosen
        .iter()
        .enumerate()
        .map(|(q, a)| {
            let question = &finder.questions[q];
            map([
                ("question", question.question.as_str().into()),
                (
                    "answer",
                    a.map(|a| question.answers[a].label.as_str()).into(),
                ),
                (
                    "url",
                    views
                        .urls
                        .path(&views.segments.finder_step(&path[..q]))
                        .into(),
                ),
            ])
        })
        .collect();
    let mut m = tera::Map::new();
    m.insert("title".into(), finder.title.clone().into());
    m.insert("step".into(), (chosen.len() + 1).into());
    m.insert("steps".into(), finder.questions.len().into());
    m.insert("answered".into(), answered.into());
    m.insert(
        "start_url".into(),
        views.urls.path(&views.segments.finder()).into(),
    );
    m.insert(
        "weights_url".into(),
        views.urls.path(&views.segments.finder_weights()).into(),
    );
    m.insert("state".into(), path.join("/").into());
    if let Some(q) = finder.questions.get(chosen.len()) {
        let answers: Vec<Value> = q
            .answers
            .iter()
            .map(|a| {
                map([
                    ("key", a.key.as_str().into()),
                    ("label", a.label.as_str().into()),
                    ("url", step_url(&a.key).into()),
                ])
            })
            .collect();
        let mut rest = path.clone();
        rest.resize(finder.questions.len(), urls::FINDER_SKIP);
        m.insert(
            "question".into(),
            map([
                ("key", q.key.as_str().into()),
                ("question", q.question.as_str().into()),
                ("answers", answers.into()),
                ("skip_url", step_url(urls::FINDER_SKIP).into()),
                (
                    "results_url",
                    views.urls.path(&views.segments.finder_step(&rest)).into(),
                ),
            ]),
        );
        return m.into();
    }
    let groups: Vec<Value> = (0..config.types.len())
        .filter_map(|ty| {
            let entries: Vec<Value> = results
                .shown
                .iter()
                .filter(|r| cat.entries[r.entry].type_index == ty)
                .map(|r| views.finder_items.get(views, r))
                .collect();
            (!entries.is_empty()).then(|| {
                map([
                    ("type", views.types[ty].clone()),
                    ("entries", entries.into()),
                    ("count", results.matched[ty].into()),
                ])
            })
        })
        .collect();
    let filters = browser_filters(finder, chosen);
    m.insert("results".into(), groups.into());
    let mut ids = String::new();
    for r in &results.shown {
        ids.push_str(&cat.entries[r.entry].id);
        ids.push(' ');
    }
    m.insert("ranked".into(), ids.into());
    m.insert("per_type".into(), finder.results_per_type.into());
    m.insert("count".into(), results.matched.iter().sum::<usize>().into());
    m.insert(
        "browser_url".into(),
        (!filters.is_empty())
            .then(|| browser_url(views, &filters))
            .into(),
    );
    m.into()
}

/// An item of the results with the reasons (question, answer) it was made for.
type Made = (Box<[(usize, usize)]>, Value);

/// The results' items (`{ card, id, score, reasons }`), one shared value per entry and set of
/// matched answers. An entry stands on most result pages, usually with one of a few sets of
/// reasons (the chosen answers it matches), so the value is made once and shared: building a
/// map per entry and page was a seventh of a 1,000-entry build, and a shared value lets the
/// theme render each item once through `memo` (BENCHMARKS.md, session 14).
#[derive(Default)]
pub struct Items {
    /// Per entry: its id, and its items so far by their reasons.
    made: Vec<(Value, std::sync::Mutex<Vec<Made>>)>,
    /// Per question, per answer: its label. Items share these values and the ids rather than
    /// hold copies of the text: at 10,000 entries there are some 130,000 items.
    labels: Vec<Vec<Value>>,
}

impl Items {
    pub fn new(cat: &Catalogue) -> Items {
        let Some(finder) = &cat.config.finder else {
            return Items::default();
        };
        Items {
            made: cat
                .entries
                .iter()
                .map(|e| (e.id.as_str().into(), Default::default()))
                .collect(),
            labels: finder
                .questions
                .iter()
                .map(|q| q.answers.iter().map(|a| a.label.as_str().into()).collect())
                .collect(),
        }
    }

    /// The item of a ranked entry, made the first time its entry and reasons come up.
    fn get(&self, views: &Views, r: &crate::resolve::Ranked) -> Value {
        let (id, slot) = &self.made[r.entry];
        let mut made = slot.lock().unwrap_or_else(|e| e.into_inner());
        if let Some((_, item)) = made.iter().find(|(reasons, _)| **reasons == *r.reasons) {
            return item.clone();
        }
        let reasons: Vec<Value> = r
            .reasons
            .iter()
            .map(|&(q, a)| self.labels[q][a].clone())
            .collect();
        let item = map([
            ("card", views.cards[r.entry].clone()),
            ("id", id.clone()),
            ("score", r.score.into()),
            ("reasons", reasons.into()),
        ]);
        made.push((r.reasons.clone().into_boxed_slice(), item.clone()));
        item
    }
}
