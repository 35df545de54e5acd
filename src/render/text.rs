//! Entries as plain text: the short teaser of the transfer role on cards, a description cut at
//! a word, a field's value as text (for exports and search).

use crate::model::FieldValue;
use crate::resolve::Catalogue;

/// The longest teaser of the transfer role on a card, in characters.
pub const TRANSFER_TEASER: usize = 160;

/// The transfer role's text in short, for cards: its first sentence, or its first words up to
/// [`TRANSFER_TEASER`] characters and `…`.
pub fn transfer_teaser(cat: &Catalogue, entry: usize) -> Option<String> {
    transfer_text(cat, entry).map(|text| teaser(&text, TRANSFER_TEASER))
}

/// The transfer role's text of an entry as plain text (what search indexes), if it has one.
pub fn transfer_text(cat: &Catalogue, entry: usize) -> Option<String> {
    let field = cat.config.roles.transfer.as_ref()?;
    let text = match cat.entries[entry].field(field)? {
        FieldValue::Markdown(_, html) => crate::markdown::plain_text(html),
        FieldValue::Text(t) => t.trim().to_string(),
        _ => return None,
    };
    (!text.is_empty()).then_some(text)
}

/// The first sentence of `text` when it fits in `max` characters, else its first words and `…`.
/// A sentence ends at `.`, `!` or `?` before a space and a capital, after a word of four or more
/// letters, so "z. B." or "bzw." does not end one.
pub fn teaser(text: &str, max: usize) -> String {
    let first = sentence_end(text).map_or(text, |end| &text[..end]);
    if first.chars().count() <= max {
        return first.to_string();
    }
    cut_words(text, max)
}

/// `text` whole when it has at most `max` characters, else its first words and `…` within `max`.
pub fn cut_words(text: &str, max: usize) -> String {
    let Some((cut, _)) = text.char_indices().nth(max.saturating_sub(1)) else {
        return text.to_string();
    };
    if text[cut..].chars().count() <= 1 {
        return text.to_string();
    }
    let head = text[..cut].trim_end();
    let head = head.rfind(char::is_whitespace).map_or(head, |s| &head[..s]);
    format!("{}…", head.trim_end_matches([',', ';', ':', '.', ' ', '–']))
}

fn sentence_end(text: &str) -> Option<usize> {
    let mut word = 0usize;
    for (at, c) in text.char_indices() {
        if c.is_alphabetic() {
            word += 1;
            continue;
        }
        if matches!(c, '.' | '!' | '?') && word >= 4 {
            let rest = &text[at + 1..];
            let after = rest.trim_start();
            if after.len() < rest.len() && after.starts_with(char::is_uppercase) {
                return Some(at + 1);
            }
        }
        word = 0;
    }
    None
}

/// A field as plain text: term labels joined with ", ", lists joined with "; ".
pub fn field_plain_text(cat: &Catalogue, entry: usize, field: &str) -> Option<String> {
    let e = &cat.entries[entry];
    if let Some(rel) = cat.relations[entry].iter().find(|r| r.field == field) {
        return Some(
            rel.targets
                .iter()
                .map(|&t| cat.entries[t].id.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        );
    }
    let value = e.field(field)?;
    let text = match value {
        FieldValue::Text(t) | FieldValue::Date(t) | FieldValue::Email(t) | FieldValue::Url(t) => {
            t.clone()
        }
        FieldValue::Image(pictures) => pictures
            .iter()
            .map(|p| p.src.as_str())
            .collect::<Vec<_>>()
            .join("; "),
        FieldValue::Markdown(md, _) => md.clone(),
        FieldValue::Number(n) => n.to_string(),
        FieldValue::Year(y) => y.to_string(),
        FieldValue::Geo { lat, lon } => format!("{lat}, {lon}"),
        FieldValue::Bool(b) => b.to_string(),
        FieldValue::Terms(terms) => {
            let vocab = cat.config.facet_vocabulary(field)?;
            terms
                .iter()
                .map(|&t| vocab.terms[t].label.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
        FieldValue::List(items) => items
            .iter()
            .map(|i| match &i.url {
                Some(u) if *u != i.text => format!("{} <{u}>", i.text),
                _ => i.text.clone(),
            })
            .collect::<Vec<_>>()
            .join("; "),
    };
    (!text.is_empty()).then_some(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_teaser_is_the_first_sentence_or_the_first_words() {
        assert_eq!(
            teaser("Kurz gesagt: es geht. Dann mehr.", 160),
            "Kurz gesagt: es geht."
        );
        // Abbreviations do not end a sentence.
        assert_eq!(
            teaser("Etwa z. B. Vereine. Zweiter Satz.", 160),
            "Etwa z. B. Vereine."
        );
        let long = "Wort ".repeat(60);
        let cut = teaser(long.trim(), 40);
        assert!(cut.ends_with('…') && cut.chars().count() <= 40, "{cut}");
        assert!(!cut.contains("Wo…") && cut.trim_end_matches('…').ends_with("Wort"));
        assert_eq!(cut_words("genau zehn", 10), "genau zehn");
        assert_eq!(cut_words("genau elf!x", 10), "genau…");
    }
}
