//! The template values pages are made of (`render::views`), held once and shared: what the
//! cards of a build hold in common is one value, not a copy per card. Run:
//! `cargo test --test views`.

use casebook::config::Overrides;
use casebook::site::{Site, Timings};

/// Cards whose entries have the same terms in a facet hold one `{ field, label, terms }`
/// value between them, not a copy each; and each card still shows its own entry's terms.
#[test]
fn cards_with_the_same_terms_share_their_facet() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let site = Site::load(root, Overrides::default(), &mut Timings::default())
        .unwrap_or_else(|e| panic!("the bundled catalogue loads: {e}"));
    let (cat, views) = (&site.catalogue, &site.views);
    let facets_of = |i: usize| {
        let card = views.cards[i].as_map().expect("a card is a map");
        let facets = card.get(&"facets".into()).expect("a card has facets");
        facets.as_array().expect("facets are a list")
    };
    let (mut shared, mut compared) = (0, 0);
    for field in &cat.config.facets {
        for (a, b) in (0..cat.entries.len()).zip(1..cat.entries.len()) {
            let (ta, tb) = (cat.entry_terms(a, field), cat.entry_terms(b, field));
            if ta.is_empty() || tb.is_empty() {
                continue;
            }
            let find = |i: usize| {
                facets_of(i).iter().find(|f| {
                    f.as_map()
                        .and_then(|m| m.get(&"field".into()))
                        .and_then(|v| v.as_str())
                        == Some(field.as_str())
                })
            };
            let (Some(fa), Some(fb)) = (find(a), find(b)) else {
                continue;
            };
            // Each card shows its own entry's terms, by key, in the entry's order.
            let vocab = cat
                .config
                .facet_vocabulary(field)
                .expect("a facet has terms");
            for (facet, terms) in [(fa, ta), (fb, tb)] {
                let shown: Vec<&str> = facet.as_map().unwrap()[&"terms".into()]
                    .as_array()
                    .expect("terms are a list")
                    .iter()
                    .filter_map(|t| t.as_map()?.get(&"key".into())?.as_str())
                    .collect();
                let own: Vec<&str> = terms.iter().map(|&t| vocab.terms[t].key.as_str()).collect();
                assert_eq!(shown, own, "facet {field}");
            }
            let same_value = std::ptr::eq(fa.as_map().unwrap(), fb.as_map().unwrap());
            assert_eq!(same_value, ta == tb, "entries {a} and {b}, facet {field}");
            compared += 1;
            shared += usize::from(same_value);
        }
    }
    assert!(compared > 100, "only {compared} pairs of cards compared");
    assert!(shared > 0, "no two neighbouring cards share a facet");
}
