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
/// `karte/`, `codebuch/`, `kalender/`, `wegweiser/`, `vergleich/` and `orte/seite/2/` in
/// German, `catalogue/`, `search/`, `map/`, `codebook/`, `calendar/`, `finder/`, `compare/` and
/// `orte/page/2/` in English; the catalogue's export `export/katalog.json` and the feed of all
/// entries `feeds/alle.xml` in German, `export/catalogue.json` and `feeds/all.xml` in English.
/// site.yaml may name each (`urls:`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Segments {
    /// The catalogue browser, and the folder of its data (card index, map points, summaries).
    pub browser: String,
    pub search: String,
    pub map: String,
    pub codebook: String,
    /// The event types' calendars and iCalendar files: `<calendar>/<type folder>/`.
    pub calendar: String,
    /// The strategy finder: its first question, the steps after it, the results, its weights.
    pub finder: String,
    /// The side-by-side comparison of up to three entries (their addresses in its query).
    pub compare: String,
    /// Later pages of a type's list: `<folder>/<page>/2/`.
    pub page: String,
    /// The name of the whole catalogue's JSON export: `export/<catalogue_json>.json`.
    pub catalogue_json: String,
    /// The name of the feed of all entries: `feeds/<all_feed>.xml`.
    pub all_feed: String,
}

impl Segments {
    /// The segments of a language: English for `en`, German for every other.
    pub fn for_language(language: &str) -> Segments {
        let [browser, search, map, codebook, calendar, finder, compare, page, catalogue_json, all_feed] =
            match language {
                "en" => [
                    "catalogue",
                    "search",
                    "map",
                    "codebook",
                    "calendar",
                    "finder",
                    "compare",
                    "page",
                    "catalogue",
                    "all",
                ],
                _ => [
                    "katalog",
                    "suche",
                    "karte",
                    "codebuch",
                    "kalender",
                    "wegweiser",
                    "vergleich",
                    "seite",
                    "katalog",
                    "alle",
                ],
            };
        Segments {
            browser: browser.into(),
            search: search.into(),
            map: map.into(),
            codebook: codebook.into(),
            calendar: calendar.into(),
            finder: finder.into(),
            compare: compare.into(),
            page: page.into(),
            catalogue_json: catalogue_json.into(),
            all_feed: all_feed.into(),
        }
    }

    /// The whole catalogue as JSON.
    pub fn catalogue_json(&self) -> String {
        format!("export/{}.json", self.catalogue_json)
    }

    /// The Atom feed of all entries, beside the types' (`feeds/<type folder>.xml`).
    pub fn all_feed(&self) -> String {
        type_feed(&self.all_feed)
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

    /// The comparison page.
    pub fn compare(&self) -> String {
        format!("{}/", self.compare)
    }

    /// The finder's first question.
    pub fn finder(&self) -> String {
        format!("{}/", self.finder)
    }

    /// A step of the finder: the answers so far (answer keys, [`FINDER_SKIP`] for skipped ones).
    pub fn finder_step(&self, answers: &[&str]) -> String {
        let mut address = self.finder();
        for a in answers {
            address.push_str(a);
            address.push('/');
        }
        address
    }

    /// What the finder's script ranks with: the answers' matches and weights.
    pub fn finder_weights(&self) -> String {
        format!("{}/weights.json", self.finder)
    }

    /// The events of an event type: upcoming and past.
    pub fn events(&self, type_folder: &str) -> String {
        format!("{}/{type_folder}/", self.calendar)
    }

    /// The events of an event type that began in `year`.
    pub fn events_year(&self, type_folder: &str, year: &str) -> String {
        format!("{}/{type_folder}/{year}/", self.calendar)
    }

    /// The iCalendar file of an event type's upcoming events.
    pub fn events_ics(&self, type_folder: &str) -> String {
        format!("{}/{type_folder}.ics", self.calendar)
    }

    /// The iCalendar file of one event.
    pub fn event_ics(&self, type_folder: &str, slug: &str) -> String {
        format!("{}/{type_folder}/{slug}.ics", self.calendar)
    }

    /// The first segments these pages take (no type, vocabulary, collection folder or free
    /// page may).
    pub fn taken(&self) -> [&str; 7] {
        [
            &self.browser,
            &self.search,
            &self.map,
            &self.codebook,
            &self.calendar,
            &self.finder,
            &self.compare,
        ]
    }
}
/// The page a static host shows for a missing address (a file, not a folder).
pub const NOT_FOUND: &str = "404.html";
/// The theme's stylesheets, scripts and pictures.
pub const ASSETS: &str = "assets/";
pub const SITEMAP: &str = "sitemap.xml";
/// The path segment of a question skipped in the finder's addresses.
pub const FINDER_SKIP: &str = "-";
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
    "kalender",
    "wegweiser",
    "vergleich",
    "calendar",
    "finder",
    "compare",
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

/// The list of collections: their folder (`collections: folder` in site.yaml).
pub fn collections(folder: &str) -> String {
    format!("{folder}/")
}

/// A collection's page.
pub fn collection(folder: &str, slug: &str) -> String {
    format!("{folder}/{slug}/")
}

/// A collection's feed: its entries in its order.
pub fn collection_feed(folder: &str, slug: &str) -> String {
    format!("feeds/{folder}/{slug}.xml")
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

/// The published name of a theme asset (a file or folder directly in `assets/`) in a public
/// build: `site.css` → `site.3f9a1c0b2d.css`, `vendor` → `vendor.8e21a4c07f`; the hash is of
/// its content, so a CDN may keep it for a year (see `render::assets`).
pub fn hashed_asset(name: &str, hash: u64) -> String {
    let hash = hash >> 24;
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{stem}.{hash:010x}.{ext}"),
        _ => format!("{name}.{hash:010x}"),
    }
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
        assert_eq!(output_file(&de.all_feed()), "feeds/alle.xml");
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
        assert_eq!(en.events("events"), "calendar/events/");
        assert_eq!(en.finder_step(&["town", FINDER_SKIP]), "finder/town/-/");
        assert_eq!(en.compare(), "compare/");
        assert_eq!(en.catalogue_json(), "export/catalogue.json");
        assert_eq!(en.all_feed(), "feeds/all.xml");
        let de = Segments::for_language("de");
        assert_eq!(de.browser(), "katalog/");
        assert_eq!(de.events_ics("werkstaetten"), "kalender/werkstaetten.ics");
        assert_eq!(de.finder_weights(), "wegweiser/weights.json");
        assert_eq!(de.compare(), "vergleich/");
        assert_eq!(de.catalogue_json(), "export/katalog.json");
        assert_eq!(de.all_feed(), "feeds/alle.xml");
    }

    #[test]
    fn every_fixed_address_starts_with_a_reserved_name() {
        let mut addresses = vec![SEARCH_INDEX.to_string(), NOT_FOUND.into(), ASSETS.into()];
        for language in ["de", "en"] {
            let s = Segments::for_language(language);
            addresses.extend([
                s.browser(),
                s.browser_data("index.json"),
                s.search(),
                s.map(),
                s.codebook(),
                s.compare(),
                s.finder_step(&["innenstadt", FINDER_SKIP]),
                s.finder_weights(),
                s.events("werkstaetten"),
                s.events_year("werkstaetten", "2025"),
                s.events_ics("werkstaetten"),
                s.event_ics("werkstaetten", "x"),
                s.catalogue_json(),
                s.all_feed(),
            ]);
            assert!(s.taken().iter().all(|t| RESERVED.contains(t)));
        }
        for address in addresses {
            let first = address.split(['/', '.']).next().unwrap_or_default();
            assert!(RESERVED.contains(&first), "{address}");
        }
        for address in [
            type_feed("orte"),
            term_feed("themen", "x"),
            type_csv("orte"),
            collection_feed("sammlungen", "x"),
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
