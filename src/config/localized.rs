//! Labels and descriptions in the catalogue's languages: one type for every such text of
//! site.yaml and the vocabularies. `label: Leerstand` is one text for every language;
//! `label: { de: Leerstand, en: Vacancy }` gives each language its own. A config is in one
//! language at a time ([`Config::in_language`]) and each text derefs to that language's words,
//! so the code that shows a label does not know there are several.

use super::*;
use std::ops::Deref;

/// A text of the schema in one or several languages.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Localized {
    /// The text in the language the config is in.
    text: String,
    /// Each language's text as written; empty for the one-string form.
    by_language: Vec<(String, String)>,
}

impl Localized {
    /// The text in `language`, else in `default`, else the first by language code.
    pub fn localize(&mut self, language: &str, default: &str) {
        let pick = |l: &str| self.by_language.iter().find(|(k, _)| k == l);
        if let Some((_, text)) = pick(language)
            .or_else(|| pick(default))
            .or(self.by_language.first())
        {
            self.text = text.clone();
        }
    }

    /// the languages it names, by code (none for the one-string form).
    pub fn languages(&self) -> impl Iterator<Item = &str> {
        self.by_language.iter().map(|(l, _)| l.as_str())
    }

    /// The text as it stands for the current language.
    pub fn as_str(&self) -> &str {
        &self.text
    }
}

impl Deref for Localized {
    type Target = String;
    fn deref(&self) -> &String {
        &self.text
    }
}

impl std::fmt::Display for Localized {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.text)
    }
}

impl From<&str> for Localized {
    fn from(text: &str) -> Localized {
        Localized {
            text: text.to_string(),
            by_language: Vec::new(),
        }
    }
}

impl From<Localized> for String {
    fn from(text: Localized) -> String {
        text.text
    }
}

/// Templates see the text in the config's language.
impl From<Localized> for tera::Value {
    fn from(text: Localized) -> tera::Value {
        tera::Value::from(text.text)
    }
}

impl PartialEq<str> for Localized {
    fn eq(&self, other: &str) -> bool {
        self.text == other
    }
}

impl Serialize for Localized {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

/// What a localized text accepts as written, for reading it and for the JSON Schema.
#[derive(Deserialize, JsonSchema)]
#[serde(untagged)]
enum Written {
    /// One text for every language.
    One(String),
    /// A text per language code: `{ de: Leerstand, en: Vacancy }`.
    PerLanguage(BTreeMap<String, String>),
}

impl<'de> Deserialize<'de> for Localized {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Localized, D::Error> {
        match Written::deserialize(d)? {
            Written::One(text) => Ok(Localized::from(text.as_str())),
            Written::PerLanguage(map) => {
                let by_language: Vec<(String, String)> = map.into_iter().collect();
                let text = by_language.first().map(|(_, t)| t.clone());
                let text = text.ok_or_else(|| {
                    serde::de::Error::custom("a text per language needs at least one language")
                })?;
                Ok(Localized { text, by_language })
            }
        }
    }
}

impl JsonSchema for Localized {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "Localized".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        Written::json_schema(generator)
    }
}

impl Config {
    /// The config as the pages of `language` see it: every label and description in that
    /// language (the default language's where it has none), the built-in pages' segments of
    /// the language, and the site's address below `<language>/` for every language but the
    /// default.
    pub fn in_language(&self, language: &str) -> Config {
        let mut config = self.clone();
        config.language = language.to_string();
        config.localize();
        if language != self.default_language() {
            config.segments = crate::urls::Segments::for_language(language);
            config.base_url = format!("{}{language}/", self.base_url);
        }
        config
    }

    /// Where the media are published: once for all languages, below the default language's
    /// address, so that a picture on an English page is the same file as on the German one.
    pub fn media_urls(&self) -> crate::urls::Urls {
        let own = format!("{}/", self.language);
        let base_url = match self.language != self.default_language() {
            true => self.base_url.strip_suffix(&own).unwrap_or(&self.base_url),
            false => &self.base_url,
        };
        crate::urls::Urls::new(base_url, super::path_of(base_url))
    }

    /// The language of the pages at `/`: the first of `languages:`.
    pub fn default_language(&self) -> &str {
        self.languages
            .first()
            .map_or(&self.language, String::as_str)
    }

    /// Every text of the schema in the config's language.
    pub(super) fn localize(&mut self) {
        let (language, default) = (self.language.clone(), self.default_language().to_string());
        self.each_text(&mut |text| text.localize(&language, &default));
    }

    /// Calls `f` with every localized text of the schema and the vocabularies.
    fn each_text(&mut self, f: &mut dyn FnMut(&mut Localized)) {
        f(&mut self.title);
        self.tagline.iter_mut().for_each(&mut *f);
        f(&mut self.description);
        for field in self.fields.values_mut() {
            f(&mut field.label);
            field.description.iter_mut().for_each(&mut *f);
            field.inverse.iter_mut().for_each(&mut *f);
        }
        for ty in &mut self.types {
            f(&mut ty.label);
            f(&mut ty.plural);
            ty.description.iter_mut().for_each(&mut *f);
        }
        if let Some(c) = &mut self.collections {
            f(&mut c.label);
            f(&mut c.plural);
            c.description.iter_mut().for_each(&mut *f);
        }
        if let Some(finder) = &mut self.finder {
            finder.title.iter_mut().for_each(&mut *f);
            finder.intro.iter_mut().for_each(&mut *f);
            for q in &mut finder.questions {
                f(&mut q.question);
                for a in &mut q.answers {
                    f(&mut a.label);
                }
            }
        }
        for vocab in self.vocabularies.values_mut() {
            f(&mut vocab.label);
            vocab.plural.iter_mut().for_each(&mut *f);
            vocab.description.iter_mut().for_each(&mut *f);
            for term in &mut vocab.terms {
                f(&mut term.label);
                term.description.iter_mut().for_each(&mut *f);
            }
        }
    }

    /// Texts per language that name a language the site does not have, or lack the default
    /// language: an error at the text's line in site.yaml or its vocabulary.
    ///
    /// A site in one language keeps texts in others without a word: switching a site of
    /// `languages: [de, en]` to `language: de` keeps its English labels for later.
    pub(super) fn check_text_languages(&mut self, site_text: &str, report: &mut Report) {
        let languages = self.languages.clone();
        let one_language = languages.len() == 1;
        let default = self.default_language().to_string();
        let mut problems: Vec<(Vec<String>, bool)> = Vec::new();
        self.each_text(&mut |text| {
            let unknown: Vec<String> = text
                .languages()
                .filter(|l| !one_language && !languages.iter().any(|k| k == l))
                .map(str::to_string)
                .collect();
            let lacks_default =
                text.languages().next().is_some() && !text.languages().any(|l| l == default);
            if !unknown.is_empty() || lacks_default {
                problems.push((unknown, lacks_default));
            }
        });
        let shown = PathBuf::from("content/site.yaml");
        for (unknown, lacks_default) in problems {
            let d = match unknown.first() {
                Some(language) => {
                    let at = site_text
                        .lines()
                        .position(|l| {
                            l.contains(&format!("{language}:"))
                                && (l.contains('{') || l.trim_start().starts_with(language))
                        })
                        .map(|i| (i + 1, 1));
                    let d = Diagnostic::error(
                        "unknown-language",
                        &shown,
                        format!("a text is given in `{language}`, which is not one of the site's languages"),
                    )
                    .expected(format!("one of `languages:` ({})", languages.join(", ")))
                    .hint("add the language to `languages:` in site.yaml, or remove the text");
                    match at {
                        Some((line, column)) => d.at(site_text, line, column, 1),
                        None => d,
                    }
                }
                None if lacks_default => Diagnostic::error(
                    "missing-default-language",
                    &shown,
                    format!("a text per language lacks the default language `{default}`"),
                )
                .hint(format!(
                    "give every label and description in `{default}` too: the pages at `/` show it"
                )),
                None => continue,
            };
            report.push(d);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_text_or_one_per_language() {
        let mut one: Localized = serde_yaml::from_str("Leerstand").unwrap();
        one.localize("en", "de");
        assert_eq!(one.as_str(), "Leerstand");
        let mut two: Localized = serde_yaml::from_str("{ de: Leerstand, en: Vacancy }").unwrap();
        assert_eq!(two.as_str(), "Leerstand");
        two.localize("en", "de");
        assert_eq!(two.as_str(), "Vacancy");
        let mut only_de: Localized = serde_yaml::from_str("{ de: Leerstand }").unwrap();
        only_de.localize("en", "de");
        assert_eq!(only_de.as_str(), "Leerstand");
        assert!(serde_yaml::from_str::<Localized>("{}").is_err());
        assert_eq!(serde_json::to_string(&two).unwrap(), "\"Vacancy\"");
    }
}
