//! What the finder's script ranks with (`wegweiser/weights.json`): the entries in title order,
//! and per question and answer the entries it matches and its weight, all computed by
//! [`Catalogue::answer_members`], the same definition the pre-rendered results use. The script
//! only adds up the weights of the chosen answers.

use super::*;

#[derive(Serialize)]
struct WeightsJson<'a> {
    types: Vec<TypeJson<'a>>,
    entries: Vec<FinderEntryJson<'a>>,
    questions: Vec<QuestionJson<'a>>,
}

#[derive(Serialize)]
struct TypeJson<'a> {
    key: &'a str,
    plural: &'a str,
}

#[derive(Serialize)]
struct FinderEntryJson<'a> {
    id: &'a str,
    #[serde(rename = "type")]
    type_key: &'a str,
    title: &'a str,
    url: String,
    summary: Option<&'a str>,
}

#[derive(Serialize)]
struct QuestionJson<'a> {
    key: &'a str,
    answers: Vec<AnswerJson<'a>>,
}

#[derive(Serialize)]
struct AnswerJson<'a> {
    key: &'a str,
    label: &'a str,
    weight: f64,
    /// Positions in `entries`.
    matches: Vec<usize>,
}

/// `wegweiser/weights.json`, or nothing when the catalogue has no finder.
pub(super) fn finder_weights(cat: &Catalogue, views: &Views) -> Vec<OutputFile> {
    let config = &cat.config;
    let Some(finder) = &config.finder else {
        return Vec::new();
    };
    let mut position = vec![0; cat.entries.len()];
    for (p, &i) in cat.by_title.iter().enumerate() {
        position[i] = p;
    }
    let entries = cat
        .by_title
        .iter()
        .map(|&i| {
            let e = &cat.entries[i];
            FinderEntryJson {
                id: &e.id,
                type_key: &config.types[e.type_index].key,
                title: &e.title,
                url: views
                    .urls
                    .path(&config.entry_address(e.type_index, &e.slug)),
                summary: e.summary.as_deref(),
            }
        })
        .collect();
    let questions = finder
        .questions
        .iter()
        .enumerate()
        .map(|(q, question)| QuestionJson {
            key: &question.key,
            answers: question
                .answers
                .iter()
                .enumerate()
                .map(|(a, answer)| AnswerJson {
                    key: &answer.key,
                    label: &answer.label,
                    weight: answer.weight,
                    matches: cat
                        .answer_members(q, a)
                        .into_iter()
                        .map(|i| position[i])
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let types = config
        .types
        .iter()
        .map(|t| TypeJson {
            key: &t.key,
            plural: &t.plural,
        })
        .collect();
    let json = to_json(&WeightsJson {
        types,
        entries,
        questions,
    });
    vec![(config.segments.finder_weights(), json)]
}
