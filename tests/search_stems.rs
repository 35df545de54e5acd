//! The search index and the browser stem German words alike: every word of
//! `tests/fixtures/stems-de.tsv` becomes the listed term in the index (the browser suite holds
//! `stem.js` to the same list).

use casebook::search::{words, Terms};

fn terms_of(terms: &Terms, text: &str) -> Vec<String> {
    words(text).filter_map(|w| terms.term(w)).collect()
}

#[test]
fn the_index_stems_every_listed_word_to_its_listed_term() {
    let list = std::fs::read_to_string("tests/fixtures/stems-de.tsv").expect("stems-de.tsv");
    let terms = Terms::for_language("de");
    let mut checked = 0;
    for line in list.lines().filter(|l| !l.starts_with('#')) {
        let (word, want) = line.split_once('\t').expect("word<TAB>term");
        assert_eq!(terms_of(&terms, word), [want], "{word}");
        // Upper case gives the same term: the index lower-cases before stemming.
        if word.to_uppercase().to_lowercase() == word {
            assert_eq!(
                terms_of(&terms, &word.to_uppercase()),
                [want],
                "{word} in upper case"
            );
        }
        checked += 1;
    }
    assert!(checked > 3_000, "only {checked} words listed");
}

/// English is stemmed with Snowball's English stemmer, the same as the browser's `stem-en.js`
/// (the browser suite holds it to the same list).
#[test]
fn english_is_stemmed_as_listed() {
    let list = std::fs::read_to_string("tests/fixtures/stems-en.tsv").expect("stems-en.tsv");
    let terms = Terms::for_language("en");
    let mut checked = 0;
    for line in list.lines().filter(|l| !l.starts_with('#')) {
        let (word, want) = line.split_once('\t').expect("word<TAB>term");
        assert_eq!(terms_of(&terms, word), [want], "{word}");
        checked += 1;
    }
    assert!(checked > 7_000, "only {checked} words listed");
    // The example: the plural finds the singular.
    assert_eq!(
        terms_of(&terms, "neighbourhoods Neighbourhood"),
        ["neighbourhood", "neighbourhood"]
    );
    assert_eq!(terms.stemmer_name(), Some("english"));
    assert!(!terms.splits_compounds());
}

#[test]
fn other_languages_are_lower_cased_not_stemmed() {
    let terms = Terms::for_language("fr");
    assert_eq!(
        terms_of(&terms, "Gardens, GARDEN-party; Straße 2024"),
        ["gardens", "garden", "party", "straße", "2024"]
    );
    // Longer runs of letters than a word has are left out.
    let long = "x".repeat(casebook::search::MAX_WORD_CHARS + 1);
    assert_eq!(
        terms_of(&terms, &format!("kurz {long} lang")),
        ["kurz", "lang"]
    );
}
