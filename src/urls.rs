//! Where everything lives on the site. One place decides every address and output path, so
//! render, export, search, check (the names a catalogue may not take) and serve cannot
//! disagree. Addresses here are relative to the site's base path and end in `/` for a page's
//! folder; [`Urls`] makes them site paths and absolute URLs. A leaf: it imports nothing of the
//! pipeline, so the schema's checks can use it too.

/// The home page.
pub const HOME: &str = "";
/// The folder of the search index the search page reads.
pub const SEARCH_INDEX: &str = "search/";

/// The first path segments of the built-in pages, in the site's language: `katalog/`, `suche/`,
/// `karte/`, `codebuch/` and `orte/seite/2/` in German, `catalogue/`, `search/`, `map/`,
/// `codebook/` and `orte/page/2/` in English. site.yaml may name each (`urls:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segments {
    /// The catalogue browser, and the folder of its data (card index, map points, summaries).
    pub browser: String,
    pub search: String,
    pub map: String,
    pub codebook: String,
    /// Later pages of a type's list: `<folder>/<page>/2/`.
    pub page: String,
}

impl Segments {
    /// The segments of a language: English for `en`, German for every other.
    pub fn for_language(language: &str) -> Segments {
        let [browser, search, map, codebook, page] = match language {
            "en" => ["catalogue", "search", "map", "codebook", "page"],
            _ => ["katalog", "suche", "karte", "codebuch", "seite"],
        };
        Segments {
            browser: browser.into(),
            search: search.into(),
            map: map.into(),
            codebook: codebook.into(),
            page: page.into(),
        }
    }

    /// The catalogue browser's address.
    pub fn browser(&self) -> String {
        format!("{}/", self.browser)
    }

    /// A file of the catalogue browser's data: `index.json`, `geo.json`, `summaries/<n>.json`.
    pub fn browser_data(&self, file: &str) -> String {
        format!("{}/{file}", self.browser)
    }

    pub fn search(&self) -> String {
        format!("{}/", self.search)
    }

    pub fn map(&self) -> String {
        format!("{}/", self.map)
    }

    pub fn codebook(&self) -> String {
        format!("{}/", self.codebook)
    }

    /// Page `page` (from 1) of a type's list.
    pub fn type_list(&self, type_folder: &str, page: usize) -> String {
        if page <= 1 {
            format!("{type_folder}/")
        } else {
            format!("{type_folder}/{}/{page}/", self.page)
        }
    }

    /// The first segments these pages take (no type, vocabulary or free page may).
    pub fn taken(&self) -> [&str; 4] {
        [&self.browser, &self.search, &self.map, &self.codebook]
    }
}
/// The page a static host shows for a missing address (a file, not a folder).
pub const NOT_FOUND: &str = "404.html";
/// The theme's stylesheets, scripts and pictures.
pub const ASSETS: &str = "assets/";
pub const CATALOGUE_JSON: &str = "export/katalog.json";
pub const ALL_FEED: &str = "feeds/alle.xml";
pub const SITEMAP: &str = "sitemap.xml";
pub const ROBOTS: &str = "robots.txt";

/// First path segments the site itself uses (and the content folders that are not types): no
/// type folder, vocabulary or free page may take them.
pub const RESERVED: &[&str] = &[
    "katalog",
    "karte",
    "suche",
    "codebuch",
    "catalogue",
    "map",
    "codebook",
    "assets",
    "search",
    "feeds",
    "export",
    "pages",
    "vocabularies",
    "media",
    "404",
];

/// Whether a first segment is taken by what every site has (assets, exports, feeds, the search
/// index, content folders), as opposed to a built-in page whose address a site may choose.
pub fn is_fixed(name: &str) -> bool {
    let page = ["de", "en"]
        .iter()
        .any(|l| Segments::for_language(l).taken().contains(&name));
    RESERVED.contains(&name) && (!page || name == SEARCH_INDEX.trim_end_matches('/'))
}

/// An entry's page: `<type folder>/<slug>/`.
pub fn entry(type_folder: &str, slug: &str) -> String {
    format!("{type_folder}/{slug}/")
}

pub fn vocabulary(vocabulary: &str) -> String {
    format!("{vocabulary}/")
}

pub fn term(vocabulary: &str, term: &str) -> String {
    format!("{vocabulary}/{term}/")
}

/// A free page (`content/pages/<slug>.md`).
pub fn free_page(slug: &str) -> String {
    format!("{slug}/")
}

pub fn type_feed(type_folder: &str) -> String {
    format!("feeds/{type_folder}.xml")
}

pub fn term_feed(vocabulary: &str, term: &str) -> String {
    format!("feeds/{vocabulary}/{term}.xml")
}

pub fn type_csv(type_folder: &str) -> String {
    format!("export/{type_folder}.csv")
}

/// The folder below `content/` whose files the site publishes as they are, at the same path
/// (`content/media/plan.pdf` at `media/plan.pdf`).
pub const MEDIA_FOLDER: &str = "media";

/// A size of a picture, made by casebook: `media/<name>-<width>.<hash>.<ext>`, the name made
/// URL-clean from the file's. The hash is of the picture's bytes and the settings it was made
/// with, so a CDN may keep the file for a year: changed bytes make another name.
pub fn picture_variant(src: &str, width: u32, hash: u64, ext: &str) -> String {
    let file = src.rsplit('/').next().unwrap_or(src);
    let stem = file.rsplit_once('.').map_or(file, |(stem, _)| stem);
    let mut name = slugify(stem);
    if name.is_empty() {
        name.push_str("bild");
    }
    format!("{MEDIA_FOLDER}/{name}-{width}.{:010x}.{ext}", hash >> 24)
}

/// An address whose segments are file names as a user wrote them (`media/Plan Süd.pdf`), each
/// percent-encoded for a link; the output file keeps the name as written.
pub fn encoded(address: &str) -> String {
    use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};
    const KEEP: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b'/');
    utf8_percent_encode(address, KEEP).to_string()
}

/// The output file of an address: `index.html` in a page's folder, a file as it is.
pub fn output_file(address: &str) -> String {
    if address.is_empty() || address.ends_with('/') {
        format!("{address}index.html")
    } else {
        address.to_string()
    }
}

/// The URL slug of a file name: German transliteration (ä → ae), then ASCII, lowercase,
/// runs of anything else become one `-`.
pub fn slugify(s: &str) -> String {
    let mut german = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            'ä' => german.push_str("ae"),
            'ö' => german.push_str("oe"),
            'ü' => german.push_str("ue"),
            'Ä' => german.push_str("Ae"),
            'Ö' => german.push_str("Oe"),
            'Ü' => german.push_str("Ue"),
            'ß' => german.push_str("ss"),
            c => german.push(c),
        }
    }
    let ascii = deunicode::deunicode(&german).to_lowercase();
    let mut out = String::with_capacity(ascii.len());
    for c in ascii.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    // Keep URLs and file names well below file-system limits.
    if out.len() > 100 {
        out.truncate(100);
        while out.ends_with('-') {
            out.pop();
        }
    }
    out
}

/// Site paths and absolute URLs of addresses, for a site published at `base_url`.
#[derive(Debug, Clone)]
pub struct Urls {
    /// The path part of `base_url` (`/` or `/katalog/`).
    pub base_path: String,
    pub base_url: String,
}

impl Urls {
    pub fn new(base_url: &str, base_path: String) -> Urls {
        Urls {
            base_path,
            base_url: base_url.to_string(),
        }
    }

    /// The site path of an address (`/katalog/orte/x/`), for links within the site.
    pub fn path(&self, address: &str) -> String {
        format!("{}{address}", self.base_path)
    }

    /// The absolute URL (for canonical links, feeds, sitemaps) of a site path.
    pub fn absolute(&self, path: &str) -> String {
        format!(
            "{}{}",
            self.base_url,
            path.strip_prefix(&self.base_path)
                .unwrap_or(path.trim_start_matches('/'))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_live_in_folders_and_files_stay_files() {
        let de = Segments::for_language("de");
        assert_eq!(output_file(HOME), "index.html");
        assert_eq!(output_file(&entry("orte", "x")), "orte/x/index.html");
        assert_eq!(
            output_file(&de.type_list("orte", 2)),
            "orte/seite/2/index.html"
        );
        assert_eq!(output_file(NOT_FOUND), "404.html");
        assert_eq!(output_file(ALL_FEED), "feeds/alle.xml");
    }

    #[test]
    fn built_in_pages_speak_the_site_s_language() {
        let en = Segments::for_language("en");
        assert_eq!(en.browser(), "catalogue/");
        assert_eq!(en.map(), "map/");
        assert_eq!(en.search(), "search/");
        assert_eq!(en.codebook(), "codebook/");
        assert_eq!(en.type_list("places", 2), "places/page/2/");
        assert_eq!(en.browser_data("index.json"), "catalogue/index.json");
        assert_eq!(Segments::for_language("de").browser(), "katalog/");
    }

    #[test]
    fn every_fixed_address_starts_with_a_reserved_name() {
        let mut addresses = vec![
            SEARCH_INDEX.to_string(),
            NOT_FOUND.into(),
            ASSETS.into(),
            CATALOGUE_JSON.into(),
            ALL_FEED.into(),
        ];
        for language in ["de", "en"] {
            let s = Segments::for_language(language);
            addresses.extend([
                s.browser(),
                s.browser_data("index.json"),
                s.search(),
                s.map(),
            ]);
            addresses.push(s.codebook());
        }
        for address in addresses {
            let first = address.split(['/', '.']).next().unwrap_or_default();
            assert!(RESERVED.contains(&first), "{address}");
        }
        for address in [
            type_feed("orte"),
            term_feed("themen", "x"),
            type_csv("orte"),
        ] {
            assert!(RESERVED.contains(&address.split('/').next().unwrap_or_default()));
        }
    }

    #[test]
    fn urls_under_a_sub_path() {
        let urls = Urls::new("https://example.org/kat/", "/kat/".into());
        assert_eq!(urls.path(&entry("orte", "x")), "/kat/orte/x/");
        assert_eq!(
            urls.absolute(&urls.path(&entry("orte", "x"))),
            "https://example.org/kat/orte/x/"
        );
    }
}
