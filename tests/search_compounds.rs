//! The index splits German compounds as the browser does: for every word of
//! `tests/fixtures/compounds-de.tsv`, `search::split_compound` with the file's dictionary gives
//! the listed parts (the browser suite holds `find.js`'s `splitCompound` to the same list).

use casebook::search::{split_compound, Terms};
use std::collections::HashSet;

#[test]
fn the_index_splits_every_listed_compound_into_its_listed_parts() {
    let list =
        std::fs::read_to_string("tests/fixtures/compounds-de.tsv").expect("compounds-de.tsv");
    let terms = Terms::for_language("de");
    let stem = |w: &str| terms.stem(w);
    let mut known: HashSet<String> = HashSet::new();
    let mut checked = 0;
    for line in list
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
    {
        if let Some(words) = line.strip_prefix("= ") {
            known.extend(words.split_whitespace().map(|w| terms.stem(w)));
            continue;
        }
        let (word, want) = line.split_once('\t').expect("word<TAB>parts");
        let is_known = |s: &str| known.contains(s);
        let got = split_compound(word, &stem, &is_known).map(|p| p.join("|"));
        assert_eq!(got.as_deref().unwrap_or("-"), want, "{word}");
        checked += 1;
    }
    assert!(checked >= 30, "only {checked} words listed");
}
