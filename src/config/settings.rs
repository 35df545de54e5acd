//! Settings that reach every page as they are: the map, the pages with a part of their own,
//! URL settings (base URL, edit URL, map tiles), type keys and colours, checked where they enter.

use super::*;

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MapConfig {
    #[serde(default)]
    pub tiles: Option<Tiles>,
    #[serde(default)]
    pub attribution: Option<String>,
}

/// The map's tile server: `tiles: https://…/{z}/{x}/{y}.png`, or `tiles: { url, consent }`.
/// Maps ask before they load tiles from another server (its operator sees the visitor's
/// address); `consent: false` is for a server of the site's own, which needs no asking.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(untagged)]
pub enum Tiles {
    Url(String),
    Server(TileServer),
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct TileServer {
    pub url: String,
    #[serde(default = "yes")]
    pub consent: bool,
}

fn yes() -> bool {
    true
}

impl Tiles {
    pub fn url(&self) -> &String {
        match self {
            Tiles::Url(url) | Tiles::Server(TileServer { url, .. }) => url,
        }
    }

    /// Whether a visitor is asked before tiles load.
    pub fn consent(&self) -> bool {
        match self {
            Tiles::Url(_) => true,
            Tiles::Server(server) => server.consent,
        }
    }
}

/// `urls:` in site.yaml: the first segments of the built-in pages, and the names of the
/// catalogue's JSON export and the feed of all entries, where the language's own
/// ([`crate::urls::Segments::for_language`]) do not suit.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UrlSettings {
    #[serde(default)]
    pub browser: Option<String>,
    #[serde(default)]
    pub search: Option<String>,
    #[serde(default)]
    pub map: Option<String>,
    #[serde(default)]
    pub codebook: Option<String>,
    #[serde(default)]
    pub calendar: Option<String>,
    #[serde(default)]
    pub finder: Option<String>,
    #[serde(default)]
    pub compare: Option<String>,
    #[serde(default)]
    pub page: Option<String>,
    /// The name of the catalogue's JSON export, `export/<name>.json` (`katalog` in German,
    /// `catalogue` in English).
    #[serde(default)]
    pub catalogue_json: Option<String>,
    /// The name of the feed of all entries, `feeds/<name>.xml` (`alle` in German, `all` in
    /// English).
    #[serde(default)]
    pub all_feed: Option<String>,
}

impl UrlSettings {
    /// The segments of `language` with these settings over them.
    pub fn segments(&self, language: &str) -> crate::urls::Segments {
        let mut s = crate::urls::Segments::for_language(language);
        let pairs = [
            (&mut s.browser, &self.browser),
            (&mut s.search, &self.search),
            (&mut s.map, &self.map),
            (&mut s.codebook, &self.codebook),
            (&mut s.calendar, &self.calendar),
            (&mut s.finder, &self.finder),
            (&mut s.compare, &self.compare),
            (&mut s.page, &self.page),
            (&mut s.catalogue_json, &self.catalogue_json),
            (&mut s.all_feed, &self.all_feed),
        ];
        for (segment, setting) in pairs {
            if let Some(value) = setting {
                segment.clone_from(value);
            }
        }
        s
    }
}

/// Free pages with a part of their own on the site (`pages:` in site.yaml), each a page slug:
/// the footer links them where the page exists. Leichte Sprache and Deutsche Gebärdensprache
/// are the pages BITV 2.0 § 4 asks public bodies for.
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema, PartialEq, Eq, Hash)]
#[serde(deny_unknown_fields)]
pub struct PageSlots {
    #[serde(default)]
    pub privacy: Option<String>,
    #[serde(default)]
    pub easy_language: Option<String>,
    #[serde(default)]
    pub sign_language: Option<String>,
}

/// Whether a URL-valued setting (the base URL from site.yaml or `--base-url`, `edit_url`, the
/// map's tile URL) can go into every page, feed, sitemap and robots.txt as it is: an absolute
/// `http(s)://` address with a host, or a path that starts with exactly one `/`, and no control
/// characters. Everything else is refused where it enters: `javascript:` would become a script
/// link on every page, `//evil.example/` and `/\evil.example/` are addresses of another host,
/// and a line break would add lines to robots.txt. `Err` says why, in words.
pub fn check_url_setting(value: &str) -> Result<(), String> {
    if let Some(c) = value.chars().find(|c| c.is_control()) {
        return Err(format!("it contains the control character {:?}", c));
    }
    let lower = value.get(..8).unwrap_or(value).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return match url::Url::parse(value) {
            Ok(u) if u.host_str().is_some_and(|h| !h.is_empty()) => Ok(()),
            Ok(_) => Err("it has no host name".into()),
            Err(e) => Err(e.to_string()),
        };
    }
    match value.strip_prefix('/') {
        Some(rest) if rest.starts_with(['/', '\\']) => {
            Err("it starts with `//` or `/\\`, which browsers read as another host".into())
        }
        Some(_) => Ok(()),
        None if value.contains(':') => Err(format!(
            "the scheme `{}:` is not allowed",
            crate::diagnostic::truncate_chars(value.split(':').next().unwrap_or(""), 20)
        )),
        None => Err("it has no scheme and is not a path starting with `/`".into()),
    }
}

/// `value` with its control characters written as escapes (`\n`), so they can be seen.
pub(super) fn shown_controls(value: &str) -> String {
    value
        .chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The diagnostic for a URL setting [`check_url_setting`] refused; `file` is site.yaml or, for
/// a command-line option, the option's name.
pub(super) fn url_setting_problem(
    file: impl Into<PathBuf>,
    setting: &str,
    value: &str,
    why: &str,
) -> Diagnostic {
    Diagnostic::error(
        "invalid-url-setting",
        file,
        format!("`{setting}` is not a usable address: {why}"),
    )
    .found(format!(
        "`{}`",
        crate::diagnostic::truncate_chars(&shown_controls(value), 80)
    ))
    .expected("an address starting with `https://` or `http://`, or a path starting with one `/`")
}

/// Whether `s` can be a type key: it goes into ids (`ort/x`), paths and CSS class names
/// (`.t-ort`), so only `[a-z0-9-]`.
pub(super) fn is_type_key(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// Whether `s` is written in CSS colour syntax: `#` and 3, 4, 6 or 8 hex digits, a colour name,
/// or a colour function (`rgb(…)`, `hsl(…)`, `oklch(…)`, …) of numbers, units and separators.
/// Nothing else may reach the stylesheet: `red}body{display:none}` would hide every page.
pub fn is_css_colour(s: &str) -> bool {
    if let Some(hex) = s.strip_prefix('#') {
        return matches!(hex.len(), 3 | 4 | 6 | 8) && hex.bytes().all(|b| b.is_ascii_hexdigit());
    }
    if (3..=20).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphabetic()) {
        return true;
    }
    let Some((name, args)) = s.split_once('(') else {
        return false;
    };
    let Some(args) = args.strip_suffix(')') else {
        return false;
    };
    const FUNCTIONS: &[&str] = &[
        "rgb", "rgba", "hsl", "hsla", "hwb", "lab", "lch", "oklab", "oklch", "color",
    ];
    FUNCTIONS.contains(&name.to_ascii_lowercase().as_str())
        && args.len() <= 100
        && args.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b' ' | b'.' | b',' | b'%' | b'/' | b'+' | b'-')
        })
}

/// `search:` in site.yaml: `true`/`false`, or the search's settings (which switch it on).
///
/// ```yaml
/// search:
///   synonyms:
///     - [jugend, junge menschen]
///     - [leerstand, brachfläche, brache]
/// ```
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchSettings {
    #[serde(default = "switched_on")]
    pub enabled: bool,
    /// Groups of words or phrases that find each other: a query for one finds the others too,
    /// ranked just below what it finds itself.
    #[serde(default)]
    pub synonyms: Vec<Vec<String>>,
}

/// What `search:` accepts, for the JSON Schema of site.yaml: what [`search_setting`] reads.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
pub(super) enum SearchSchema {
    Switch(bool),
    Settings(SearchSettings),
}

fn switched_on() -> bool {
    true
}

/// `search: false` and `search: { synonyms: … }` both, as [`SearchSettings`].
pub(super) fn search_setting<'de, D>(d: D) -> Result<Option<SearchSettings>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    struct Setting;
    impl<'de> serde::de::Visitor<'de> for Setting {
        type Value = Option<SearchSettings>;
        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("`true`, `false` or a map with `synonyms`")
        }
        fn visit_bool<E: serde::de::Error>(self, on: bool) -> Result<Self::Value, E> {
            Ok(Some(SearchSettings {
                enabled: on,
                synonyms: Vec::new(),
            }))
        }
        fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
            Ok(None)
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
            let de = serde::de::value::MapAccessDeserializer::new(map);
            SearchSettings::deserialize(de).map(Some)
        }
    }
    d.deserialize_any(Setting)
}

/// `untranslated:` in site.yaml: what the pages of another language do with an entry that has
/// no translation into it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Untranslated {
    /// Shown in the default language's text, marked with its language and a note.
    #[default]
    Show,
    /// Left out of that language's pages.
    Omit,
}

/// The 1-based line and column of the `nth` line reading `<field>: <value>` (the value plain or
/// quoted, the line optionally a list item).
pub fn field_line(text: &str, field: &str, value: &str, nth: usize) -> Option<(usize, usize)> {
    text.lines()
        .enumerate()
        .filter_map(|(i, l)| {
            let trimmed = l.trim_start().trim_start_matches("- ").trim_start();
            // A flow mapping (`- { key: ort, folder: orte }`) holds the field first.
            let (trimmed, flow) = match trimmed.strip_prefix('{') {
                Some(inner) => (inner.trim_start(), true),
                None => (trimmed, false),
            };
            let rest = trimmed.strip_prefix(field)?.strip_prefix(':')?.trim();
            let rest = match flow {
                true => rest.split([',', '}']).next().unwrap_or("").trim(),
                false => rest,
            };
            let found = rest.trim_matches(['"', '\'']) == value;
            found.then(|| {
                (
                    i + 1,
                    l.len() - l.trim_start().len() + 1 + l.trim_start().len() - trimmed.len()
                        + field.len()
                        + 2,
                )
            })
        })
        .nth(nth)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_settings_are_absolute_http_or_a_path_with_one_slash() {
        for good in [
            "https://example.org/katalog/",
            "http://127.0.0.1:1111/",
            "HTTPS://example.org",
            "/",
            "/katalog/",
            "https://example.org/edit/{path}",
            "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        ] {
            assert_eq!(check_url_setting(good), Ok(()), "{good}");
        }
        for bad in [
            "javascript:alert(1)//",
            "javascript:alert(1)//{path}",
            "//evil.example/",
            "/\\evil.example/",
            "https://example.org/\nDisallow: /",
            "/a\tb",
            "example.org/kat",
            "https://",
            "data:text/html,x",
            "",
        ] {
            assert!(check_url_setting(bad).is_err(), "{bad:?} passed");
        }
    }

    #[test]
    fn colours_are_css_colour_syntax() {
        for good in [
            "#0b6e4f",
            "#abc",
            "#abcd",
            "#0b6e4f80",
            "teal",
            "rebeccapurple",
            "rgb(11 110 79)",
            "rgba(11, 110, 79, 0.5)",
            "hsl(120deg 50% 40% / 80%)",
            "oklch(0.6 0.1 160)",
        ] {
            assert!(is_css_colour(good), "{good}");
        }
        for bad in [
            "red}body{display:none}.x{a:b",
            "#12345",
            "#ggg",
            "",
            "red;",
            "rgb(1,2,3);x",
            "url(x)",
            "var(--x)",
            "rgb(1 2 3",
            "expression(alert(1))",
            "re d",
        ] {
            assert!(!is_css_colour(bad), "{bad}");
        }
        assert!(is_type_key("ort") && is_type_key("good-practice-2"));
        assert!(
            !is_type_key("ort}x") && !is_type_key("Ort") && !is_type_key("a_b") && !is_type_key("")
        );
    }
}
