//! Vocabularies: their terms, the hierarchy of parents and children (depths and cycles found
//! in one walk per chain), and reading and checking `content/vocabularies/*.yaml`.

use super::*;

/// A term of a vocabulary.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Term {
    pub key: String,
    pub label: Localized,
    #[serde(default)]
    pub description: Option<Localized>,
    #[serde(default)]
    pub parent: Option<String>,
}

/// A controlled vocabulary, from `content/vocabularies/<key>.yaml`.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Vocabulary {
    #[serde(skip_deserializing)]
    pub key: String,
    pub label: Localized,
    #[serde(default)]
    pub plural: Option<Localized>,
    #[serde(default)]
    pub description: Option<Localized>,
    pub terms: Vec<Term>,
    #[serde(skip)]
    pub(super) index: HashMap<String, usize>,
    /// Per term, its children in file order; made once, so that pages need not search the terms.
    #[serde(skip)]
    pub(super) children: Vec<Vec<usize>>,
    /// Every term once, parents before their children (depth-first, in file order), with its
    /// depth: the order of term lists and filters.
    #[serde(skip)]
    pub(super) order: Vec<(usize, usize)>,
    /// Whether any term has a parent (asked for every term page).
    #[serde(skip)]
    pub(super) hierarchical: bool,
}

/// How deeply terms may nest (a top-level term has depth 0). Deeper hierarchies are refused: no
/// hand-made vocabulary needs them, and every entry's terms are expanded by their ancestors.
pub const MAX_TERM_DEPTH: usize = 16;

impl Vocabulary {
    pub fn term(&self, key: &str) -> Option<&Term> {
        self.index.get(key).map(|i| &self.terms[*i])
    }

    pub fn term_index(&self, key: &str) -> Option<usize> {
        self.index.get(key).copied()
    }

    pub fn is_hierarchical(&self) -> bool {
        self.hierarchical
    }

    /// The children of a term, in file order.
    pub fn children(&self, term: usize) -> &[usize] {
        self.children.get(term).map_or(&[], Vec::as_slice)
    }

    /// Every term once with its depth, parents before their children (see `order`).
    pub fn order(&self) -> &[(usize, usize)] {
        &self.order
    }

    /// The chain of ancestors of a term, nearest first; at most [`MAX_TERM_DEPTH`] long, also
    /// in a vocabulary that was refused for a deeper or cyclic hierarchy.
    pub fn ancestors(&self, term: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut cur = self.terms[term].parent.as_deref();
        while let Some(p) = cur.and_then(|k| self.term_index(k)) {
            if out.len() >= MAX_TERM_DEPTH || out.contains(&p) || p == term {
                break;
            }
            out.push(p);
            cur = self.terms[p].parent.as_deref();
        }
        out
    }

    pub fn plural_label(&self) -> &str {
        self.plural.as_ref().unwrap_or(&self.label)
    }
}

/// Reads `content/vocabularies/*.yaml`; the folder and each file must stay inside `within`
/// (the canonical content folder).
pub(super) fn load_vocabularies(
    content_dir: &Path,
    within: &Path,
    buffers: &source::Buffers,
    report: &mut Report,
) -> BTreeMap<String, Vocabulary> {
    let dir = content_dir.join("vocabularies");
    let mut out = BTreeMap::new();
    if let Some(target) = source::escapes(&dir, within) {
        report.push(source::symlink_outside("content/vocabularies", &target));
        return out;
    }
    let Ok(read_dir) = std::fs::read_dir(&dir) else {
        return out;
    };
    let mut paths: Vec<PathBuf> = read_dir.flatten().map(|e| e.path()).collect();
    paths.sort();
    for path in paths {
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let Some(stem) = path.file_stem().and_then(|s| s.to_str()) else {
            continue;
        };
        if !is_yaml || stem.starts_with('.') {
            continue;
        }
        let shown =
            PathBuf::from("content/vocabularies").join(path.file_name().unwrap_or_default());
        if !is_clean_segment(stem) {
            report.push(
                Diagnostic::error(
                    "invalid-vocabulary",
                    &shown,
                    format!("vocabulary name `{stem}` is not a clean name"),
                )
                .expected("lowercase letters, digits and `-`"),
            );
            continue;
        }
        if let Some(target) = source::escapes(&path, within) {
            report.push(source::symlink_outside(&shown, &target));
            continue;
        }
        let text = match source::read_or_buffer(&path, &shown, buffers) {
            Ok(t) => t,
            Err(d) => {
                report.push(*d);
                continue;
            }
        };
        let mut vocab: Vocabulary = match source::yaml::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                let mut d = source::yaml_error(&e, &text, 1, &shown);
                d.code = "invalid-vocabulary";
                report.push(d);
                continue;
            }
        };
        vocab.key = stem.to_string();
        validate_vocabulary(&mut vocab, &text, &shown, report);
        out.insert(vocab.key.clone(), vocab);
    }
    out
}

/// Checks term keys, duplicates, parents and cycles; builds the key index.
pub(super) fn validate_vocabulary(
    vocab: &mut Vocabulary,
    text: &str,
    shown: &Path,
    report: &mut Report,
) {
    // Points at the `nth` line (0-based) reading `<field>: <value>` (quoted or not).
    let at_nth = |d: Diagnostic, field: &str, value: &str, nth: usize| match field_line(
        text, field, value, nth,
    ) {
        Some((l, c)) => d.at(text, l, c, value.chars().count()),
        None => d,
    };
    let at = |d: Diagnostic, value: &str| at_nth(d, "key", value, 0);
    let mut problems = FileProblems::new(shown);
    let mut index = HashMap::new();
    let mut defined: HashMap<&str, usize> = HashMap::new();
    for (i, term) in vocab.terms.iter().enumerate() {
        if !is_clean_segment(&term.key) {
            problems.push_with("invalid-vocabulary", || {
                at(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        shown,
                        format!("term key `{}` is not a clean name", term.key),
                    )
                    .expected("lowercase letters, digits and `-` (the key becomes part of a URL)"),
                    &term.key,
                )
            });
        }
        let occurrence = defined.entry(term.key.as_str()).or_insert(0);
        *occurrence += 1;
        let occurrence = *occurrence;
        if index.insert(term.key.clone(), i).is_some() {
            problems.push_with("invalid-vocabulary", || {
                at_nth(
                    Diagnostic::error(
                        "invalid-vocabulary",
                        shown,
                        format!("term `{}` is defined twice", term.key),
                    ),
                    "key",
                    &term.key,
                    occurrence - 1,
                )
            });
        }
    }
    vocab.index = index;
    for term in &vocab.terms {
        if let Some(p) = &term.parent {
            if vocab.term(p).is_none() {
                problems.push_with("invalid-vocabulary", || {
                    at_nth(
                        Diagnostic::error(
                            "invalid-vocabulary",
                            shown,
                            format!("term `{}` has unknown parent `{p}`", term.key),
                        )
                        .maybe_suggest(did_you_mean(p, vocab.terms.iter().map(|t| t.key.as_str()))),
                        "parent",
                        p,
                        0,
                    )
                });
            }
        }
    }
    let parents: Vec<Option<usize>> = vocab
        .terms
        .iter()
        .map(|t| t.parent.as_deref().and_then(|p| vocab.term_index(p)))
        .collect();
    let places = term_places(&parents);
    for (i, place) in places.iter().enumerate() {
        let key = &vocab.terms[i].key;
        match place {
            TermPlace::InCycle => problems.push_with("cyclic-vocabulary", || {
                at(
                    Diagnostic::error(
                        "cyclic-vocabulary",
                        shown,
                        format!("term `{key}` is its own ancestor"),
                    )
                    .hint("parents must form a tree; remove one `parent:` in the cycle"),
                    key,
                )
            }),
            TermPlace::Depth(MAX_TERM_DEPTH) => problems.push_with("vocabulary-too-deep", || {
                at(
                    Diagnostic::error(
                        "vocabulary-too-deep",
                        shown,
                        format!("term `{key}` is nested {} levels deep", MAX_TERM_DEPTH + 1),
                    )
                    .expected(format!("at most {MAX_TERM_DEPTH} levels of `parent:`"))
                    .hint("group the terms in fewer levels"),
                    key,
                )
            }),
            _ => {}
        }
    }
    report.extend(problems.finish());
    let mut children = vec![Vec::new(); vocab.terms.len()];
    let mut roots = Vec::new();
    for (i, parent) in parents.iter().enumerate() {
        match parent {
            Some(p) => children[*p].push(i),
            None if vocab.terms[i].parent.is_none() => roots.push(i),
            None => {}
        }
    }
    // Depth first, parents before children, siblings in file order; terms in a cycle, under an
    // unknown parent or too deep are left out (they are errors above).
    let mut order = Vec::with_capacity(vocab.terms.len());
    let mut stack: Vec<(usize, usize)> = roots.iter().rev().map(|&r| (r, 0)).collect();
    while let Some((t, depth)) = stack.pop() {
        if depth >= MAX_TERM_DEPTH {
            continue;
        }
        order.push((t, depth));
        stack.extend(children[t].iter().rev().map(|&c| (c, depth + 1)));
    }
    vocab.hierarchical = vocab.terms.iter().any(|t| t.parent.is_some());
    vocab.children = children;
    vocab.order = order;
}

/// Where a term stands in its vocabulary's hierarchy.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum TermPlace {
    /// Below its top-level ancestor, which has depth 0.
    Depth(usize),
    /// The term is its own ancestor.
    InCycle,
    /// An ancestor is in a cycle, the term is not.
    BelowCycle,
}

/// The place of each term (`parents` gives each term's parent). Linear: each chain of parents
/// is walked once, and a walk stops at the first term whose place is known.
pub(super) fn term_places(parents: &[Option<usize>]) -> Vec<TermPlace> {
    let mut place: Vec<Option<TermPlace>> = vec![None; parents.len()];
    let mut on_path = vec![false; parents.len()];
    let mut path = Vec::new();
    for start in 0..parents.len() {
        let mut cur = Some(start);
        // The place of the parent of the last term on the path; `None` above the top.
        let mut above = loop {
            let Some(c) = cur else { break None };
            if let Some(p) = place[c] {
                break Some(p);
            }
            if on_path[c] {
                let from = path.iter().position(|&p| p == c).unwrap_or(0);
                for &t in &path[from..] {
                    place[t] = Some(TermPlace::InCycle);
                    on_path[t] = false;
                }
                path.truncate(from);
                break Some(TermPlace::InCycle);
            }
            on_path[c] = true;
            path.push(c);
            cur = parents[c];
        };
        while let Some(t) = path.pop() {
            let here = match above {
                None => TermPlace::Depth(0),
                Some(TermPlace::Depth(d)) => TermPlace::Depth(d + 1),
                Some(_) => TermPlace::BelowCycle,
            };
            place[t] = Some(here);
            on_path[t] = false;
            above = Some(here);
        }
    }
    place
        .into_iter()
        .map(|p| p.unwrap_or(TermPlace::BelowCycle))
        .collect()
}
