//! How the index reads a language: words, their terms (lower case, the Snowball stem in
//! German), the function words it leaves out, and German compounds split into the parts the
//! catalogue itself uses. The browser's `find.js` (with `stem.js`) does the same to a query;
//! `tests/search_stems.rs`, `tests/search_compounds.rs` and the browser suite hold both sides
//! to the same lists.

use pagefind_stem::{Algorithm, Stemmer};
use std::collections::HashSet;

/// Longer runs of letters are not words a reader types (hashes, encoded data).
pub const MAX_WORD_CHARS: usize = 64;

/// The shortest part of a compound, in characters: "Ort" in "Ortsteil" is too short to tell a
/// part from a syllable ("Sport", "Korte"), "Haus" in "Rathaus" is long enough.
pub const MIN_PART_CHARS: usize = 4;

/// German function words, one a line (`#` starts a comment).
const STOP_WORDS_DE: &str = include_str!("stopwords-de.txt");

/// The words of `text` as the index and the browser's `find.js` see them: runs of letters and
/// digits (`char::is_alphanumeric`, in JavaScript `[\p{Alphabetic}\p{N}]+`).
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    // Bytes, not characters: ASCII letters and digits (most of a German text) are tested
    // without decoding, other characters are decoded where they start.
    let bytes = text.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        let mut start = None;
        while at < bytes.len() {
            let b = bytes[at];
            let (is_word, len) = if b < 0x80 {
                (b.is_ascii_alphanumeric(), 1)
            } else {
                let c = text[at..].chars().next()?;
                (c.is_alphanumeric(), c.len_utf8())
            };
            match (is_word, start) {
                (true, None) => start = Some(at),
                (false, Some(from)) => return Some(&text[from..at]),
                _ => {}
            }
            at += len;
        }
        start.map(|from| &text[from..])
    })
}

/// Terms as the index stores them: lower-cased words, stemmed where the language has a
/// stemmer, without the language's function words.
pub struct Terms {
    stemmer: Option<Stemmer>,
    /// The stemmer's name for the browser's `find.js`.
    stemmer_name: Option<&'static str>,
    /// Whether compounds are split (German).
    compounds: bool,
    stop: HashSet<&'static str>,
}

impl Terms {
    /// German is stemmed (Snowball, as the browser's `stem.js`), split into compounds and
    /// rid of its function words; English is stemmed with Snowball's English stemmer (as
    /// `stem-en.js`); other languages are only lower-cased.
    pub fn for_language(language: &str) -> Terms {
        let german = language == "de";
        let (stemmer, stemmer_name) = match language {
            "de" => (Some(Stemmer::create(Algorithm::German)), Some("german")),
            "en" => (Some(Stemmer::create(Algorithm::English)), Some("english")),
            _ => (None, None),
        };
        Terms {
            stemmer,
            stemmer_name,
            compounds: german,
            stop: if german {
                STOP_WORDS_DE
                    .lines()
                    .map(str::trim)
                    .filter(|l| !l.is_empty() && !l.starts_with('#'))
                    .collect()
            } else {
                HashSet::new()
            },
        }
    }

    /// The name of the stemmer for the browser, or `None`.
    pub fn stemmer_name(&self) -> Option<&'static str> {
        self.stemmer_name
    }

    /// Whether compounds are split (German).
    pub fn splits_compounds(&self) -> bool {
        self.compounds
    }

    /// The function words, sorted, for the browser.
    pub fn stop_words(&self) -> Vec<&'static str> {
        let mut list: Vec<&str> = self.stop.iter().copied().collect();
        list.sort_unstable();
        list
    }

    /// The lower-case form of a word as the index keeps it, or `None` for a function word or
    /// a word longer than [`MAX_WORD_CHARS`].
    pub fn word(&self, word: &str) -> Option<String> {
        if word.len() > MAX_WORD_CHARS && word.chars().nth(MAX_WORD_CHARS).is_some() {
            return None;
        }
        // As the browser's toLowerCase, with the final-sigma rule.
        let lower = word.to_lowercase();
        (!self.stop.contains(lower.as_str())).then_some(lower)
    }

    /// The stem of a lower-case word (the word itself without a stemmer).
    pub fn stem(&self, lower: &str) -> String {
        match &self.stemmer {
            Some(s) => s.stem(lower).into_owned(),
            None => lower.to_string(),
        }
    }

    /// The term of one word: its stem, lower-cased; `None` for a word longer than
    /// [`MAX_WORD_CHARS`]. Function words have terms too (queries drop them, see [`Terms::word`]).
    pub fn term(&self, word: &str) -> Option<String> {
        if word.len() > MAX_WORD_CHARS && word.chars().nth(MAX_WORD_CHARS).is_some() {
            return None;
        }
        Some(self.stem(&word.to_lowercase()))
    }
}

/// The parts of the lower-case compound `word`, if it is one: the fewest pieces of at least
/// [`MIN_PART_CHARS`] characters, each of whose stem `known` accepts, that together spell the
/// whole word (a linking "s" or "en" stays with the piece before it, which the stemmer removes:
/// "leerstands|management"). Among splits into as few pieces, the one whose earlier pieces are
/// longer wins. `None` for a word that is not such a compound. `find.js` has the same function
/// (`splitCompound`); both are held to `tests/fixtures/compounds-de.tsv`.
pub fn split_compound<'w>(
    word: &'w str,
    stem: &dyn Fn(&str) -> String,
    known: &dyn Fn(&str) -> bool,
) -> Option<Vec<&'w str>> {
    let starts: Vec<usize> = word
        .char_indices()
        .map(|(i, _)| i)
        .chain([word.len()])
        .collect();
    let n = starts.len() - 1;
    if n < 2 * MIN_PART_CHARS {
        return None;
    }
    // best[i]: the fewest pieces that spell word[i..] and where the first one ends.
    let mut best: Vec<Option<(usize, usize)>> = vec![None; n + 1];
    best[n] = Some((0, n));
    for i in (0..=n - MIN_PART_CHARS).rev() {
        for j in (i + MIN_PART_CHARS..=n).rev() {
            if (i == 0 && j == n) || best[j].is_none() {
                continue;
            }
            let pieces = best[j].map_or(0, |(p, _)| p) + 1;
            if best[i].is_some_and(|(p, _)| p <= pieces) {
                continue;
            }
            if known(&stem(&word[starts[i]..starts[j]])) {
                best[i] = Some((pieces, j));
            }
        }
    }
    let mut parts = Vec::new();
    let mut i = 0;
    while i < n {
        let (_, j) = best[i]?;
        parts.push(&word[starts[i]..starts[j]]);
        i = j;
    }
    Some(parts)
}

/// What a compound is filed under as a part: the pieces of its split ([`split_compound`]) and
/// every tail of more than [`MIN_PART_CHARS`] characters it ends with that is a known word
/// after at least as many: "Wochen|markt|platz" is a kind of "Marktplatz" as well as of
/// "Platz", however the split falls and even if "Wochen" is no known word.
pub fn compound_parts<'w>(
    word: &'w str,
    stem: &dyn Fn(&str) -> String,
    known: &dyn Fn(&str) -> bool,
) -> Vec<&'w str> {
    let mut parts = split_compound(word, stem, known).unwrap_or_default();
    let starts: Vec<usize> = word.char_indices().map(|(i, _)| i).collect();
    let n = starts.len();
    for i in MIN_PART_CHARS..n.saturating_sub(MIN_PART_CHARS) {
        let tail = &word[starts[i]..];
        if !parts.contains(&tail) && known(&stem(tail)) {
            parts.push(tail);
        }
    }
    parts
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(word: &str, known: &[&str]) -> Option<Vec<String>> {
        let terms = Terms::for_language("de");
        let stem = |w: &str| terms.stem(w);
        let known = |s: &str| known.iter().any(|k| terms.stem(k) == s);
        split_compound(word, &stem, &known).map(|p| p.iter().map(|s| s.to_string()).collect())
    }

    #[test]
    fn compounds_split_into_the_fewest_known_parts() {
        let known = [
            "leerstand",
            "management",
            "bürger",
            "beteiligung",
            "innenstadt",
        ];
        assert_eq!(
            split("leerstandsmanagement", &known).unwrap(),
            ["leerstands", "management"]
        );
        assert_eq!(
            split("bürgerbeteiligung", &known).unwrap(),
            ["bürger", "beteiligung"]
        );
        assert_eq!(split("beteiligung", &known), None);
        assert_eq!(split("quartiersarbeit", &known), None);
        // "innenstadt" and "innen" + "stadt": the fewer pieces win.
        let more = ["innenstadt", "innen", "stadt", "entwicklung"];
        assert_eq!(
            split("innenstadtentwicklung", &more).unwrap(),
            ["innenstadt", "entwicklung"]
        );
    }

    #[test]
    fn a_compound_is_filed_under_its_pieces_and_its_known_tails() {
        let terms = Terms::for_language("de");
        let stem = |w: &str| terms.stem(w);
        let dict = [
            "wochenmarkt",
            "wochen",
            "markt",
            "platz",
            "marktplatz",
            "tier",
        ];
        let known = |s: &str| dict.iter().any(|k| terms.stem(k) == s);
        assert_eq!(
            compound_parts("wochenmarktplatz", &stem, &known),
            ["wochenmarkt", "platz", "marktplatz"]
        );
        // Without "Wochen" and "Wochenmarkt" it is still a kind of "Marktplatz" and "Platz".
        let fewer = |s: &str| ["platz", "marktplatz"].iter().any(|k| terms.stem(k) == s);
        assert_eq!(
            compound_parts("wochenmarktplatz", &stem, &fewer),
            ["marktplatz", "platz"]
        );
        // A tail of four letters only as a piece of a split: "Tier" ends "Quartier", but
        // "quar" is no known piece.
        assert!(compound_parts("quartier", &stem, &known).is_empty());
        assert!(compound_parts("bauernhaus", &stem, &|s| s == "haus").is_empty());
    }

    #[test]
    fn function_words_have_no_index_word_but_a_term() {
        let terms = Terms::for_language("de");
        assert_eq!(terms.word("Sich"), None);
        assert_eq!(terms.word("Sicherheit").as_deref(), Some("sicherheit"));
        assert_eq!(terms.term("sich").as_deref(), Some("sich"));
        assert!(Terms::for_language("en").word("und").is_some());
    }
}
