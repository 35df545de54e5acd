//! Reading built pages: parsing HTML with `scraper`, collecting the links a page makes and
//! resolving them to files in the output folder.

use scraper::{ElementRef, Html, Selector};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

pub fn sel(css: &str) -> Selector {
    Selector::parse(css).unwrap_or_else(|e| panic!("selector {css}: {e:?}"))
}

/// Parses a built page.
pub fn page(out: &Path, rel: &str) -> Html {
    let path = out.join(rel);
    let text =
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    Html::parse_document(&text)
}

/// Text of an element with whitespace collapsed.
pub fn text_of(el: ElementRef) -> String {
    el.text()
        .collect::<Vec<_>>()
        .join(" ")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `(href, text)` of every `<a href>` inside the elements matching `scope`.
pub fn anchors(doc: &Html, scope: &str) -> Vec<(String, String)> {
    let a = sel("a[href]");
    doc.select(&sel(scope))
        .flat_map(|s| s.select(&a).collect::<Vec<_>>())
        .map(|el| {
            (
                el.value().attr("href").unwrap_or("").to_string(),
                text_of(el),
            )
        })
        .collect()
}

/// Every URL a page refers to: links, stylesheets, scripts, images, frames and forms.
pub fn references(doc: &Html) -> Vec<String> {
    let mut out = Vec::new();
    for (css, attr) in [
        ("a[href]", "href"),
        ("link[href]", "href"),
        ("script[src]", "src"),
        ("img[src]", "src"),
        ("iframe[src]", "src"),
        ("form[action]", "action"),
        ("source[src]", "src"),
    ] {
        for el in doc.select(&sel(css)) {
            if let Some(v) = el.value().attr(attr) {
                out.push(v.to_string());
            }
        }
    }
    out
}

/// The ids on a page, for checking `#fragment` links.
pub fn ids(doc: &Html) -> BTreeSet<String> {
    doc.select(&sel("[id]"))
        .filter_map(|el| el.value().attr("id").map(str::to_string))
        .collect()
}

/// Where a site URL points, seen from the page at `page_rel` (`orte/x/index.html`).
#[derive(Debug, PartialEq)]
pub enum Target {
    /// Not part of this site (another host, `mailto:`…).
    External,
    /// A file of the output folder, and the fragment if any.
    File(PathBuf, Option<String>),
    /// An absolute path that lies outside the site's base path: broken when published there.
    OutsideBase(String),
}

/// Resolves `href` against the page, the site's base path (`/sub/`) and base URL.
pub fn resolve(out: &Path, page_rel: &str, href: &str, base_path: &str, base_url: &str) -> Target {
    let href = href.trim();
    let (without_fragment, fragment) = match href.split_once('#') {
        Some((p, f)) => (p, (!f.is_empty()).then(|| f.to_string())),
        None => (href, None),
    };
    let path_part = without_fragment.split('?').next().unwrap_or("");
    let site_path: String = if let Some(rest) = path_part.strip_prefix(base_url) {
        format!("{base_path}{rest}")
    } else if path_part.starts_with("//") || has_scheme(path_part) {
        return Target::External;
    } else {
        path_part.to_string()
    };
    let rel: String = if site_path.is_empty() {
        // `#frag` or `?query` only: the page itself.
        page_rel.to_string()
    } else if let Some(abs) = site_path.strip_prefix('/') {
        match format!("/{abs}").strip_prefix(base_path) {
            Some(r) => r.to_string(),
            None if format!("/{abs}/") == base_path => String::new(),
            None => return Target::OutsideBase(href.to_string()),
        }
    } else {
        let dir = Path::new(page_rel).parent().unwrap_or(Path::new(""));
        normalize(&dir.join(&site_path).to_string_lossy())
    };
    let rel = percent_decode(&rel);
    let mut path = out.join(&rel);
    if rel.is_empty() || rel.ends_with('/') || path.is_dir() {
        path = path.join("index.html");
    }
    Target::File(path, fragment)
}

fn has_scheme(s: &str) -> bool {
    match s.find(':') {
        Some(i) => {
            let scheme = &s[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                && !scheme.contains('/')
        }
        None => false,
    }
}

/// Removes `.` and `..` segments lexically.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for seg in path.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            s => parts.push(s),
        }
    }
    let trailing = path.ends_with('/') && !parts.is_empty();
    let mut s = parts.join("/");
    if trailing {
        s.push('/');
    }
    s
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = |b: u8| (b as char).to_digit(16);
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// All `.html` files of an output folder, as `/`-separated relative paths.
pub fn html_files(out: &Path) -> Vec<String> {
    let mut files: Vec<String> = crate::common::snapshot(out)
        .into_keys()
        .filter(|k| k.ends_with(".html"))
        .collect();
    files.sort();
    files
}

/// Checks every internal reference on every page of `out`: the target file exists and, for
/// links into an HTML page with a `#fragment`, the page has that id. Returns the problems.
/// Fails if the pages hold fewer than 10 internal references per page, which would mean the
/// pages were not read at all rather than that the links are fine.
pub fn broken_internal_links(out: &Path, base_path: &str, base_url: &str) -> Vec<String> {
    let pages = html_files(out).len();
    let (checked, problems) = check_internal_links(out, base_path, base_url);
    assert!(
        checked >= 10 * pages,
        "only {checked} internal references on {pages} pages; is the output empty?"
    );
    problems
}

/// The number of internal references checked and the problems found.
pub fn check_internal_links(out: &Path, base_path: &str, base_url: &str) -> (usize, Vec<String>) {
    let mut checked = 0;
    let mut id_cache: BTreeMap<PathBuf, BTreeSet<String>> = BTreeMap::new();
    let mut problems = Vec::new();
    for rel in html_files(out) {
        let doc = page(out, &rel);
        for href in references(&doc) {
            match resolve(out, &rel, &href, base_path, base_url) {
                Target::External => {}
                Target::OutsideBase(h) => problems.push(format!(
                    "{rel}: `{h}` lies outside the base path {base_path}"
                )),
                Target::File(path, fragment) => {
                    checked += 1;
                    if !path.is_file() {
                        problems.push(format!("{rel}: `{href}` → missing {}", path.display()));
                        continue;
                    }
                    let is_html = path.extension().is_some_and(|e| e == "html");
                    if let (Some(f), true) = (fragment, is_html) {
                        let ids = id_cache.entry(path.clone()).or_insert_with(|| {
                            let text = std::fs::read_to_string(&path).unwrap_or_default();
                            ids(&Html::parse_document(&text))
                        });
                        let f = percent_decode(&f);
                        if !ids.contains(&f) {
                            problems.push(format!("{rel}: `{href}` → no id `{f}` on that page"));
                        }
                    }
                }
            }
        }
    }
    (checked, problems)
}

/// The `th` and `td` cells of a table row.
pub fn cells<'a>(row: &ElementRef<'a>) -> Vec<ElementRef<'a>> {
    row.children()
        .filter_map(ElementRef::wrap)
        .filter(|c| matches!(c.value().name(), "th" | "td"))
        .collect()
}

/// The home page's typology matrix as `(term key, type plural) → count`: the table that links
/// to the terms of `vocabulary`, columns named by the header row, counts read from each cell.
pub fn home_matrix(out: &Path, vocabulary: &str) -> BTreeMap<(String, String), usize> {
    let doc = page(out, "index.html");
    let table = doc
        .select(&sel("table"))
        .find(|t| {
            t.select(&sel("a[href]")).any(|a| {
                a.value()
                    .attr("href")
                    .unwrap_or("")
                    .contains(&format!("/{vocabulary}/"))
            })
        })
        .expect("a table linking to the terms (the matrix)");
    let rows: Vec<ElementRef> = table.select(&sel("tr")).collect();

    let header: Vec<String> = cells(&rows[0]).into_iter().map(text_of).collect();
    let mut out = BTreeMap::new();
    for row in &rows[1..] {
        let cs = cells(row);
        let Some(href) = cs
            .first()
            .and_then(|c| c.select(&sel("a[href]")).next())
            .and_then(|a| a.value().attr("href"))
        else {
            continue;
        };
        let term = href
            .trim_end_matches('/')
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        for (i, plural) in header.iter().enumerate().skip(1) {
            let Some(cell) = cs.get(i) else { continue };
            let digits: String = text_of(*cell)
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            if let Ok(n) = digits.parse() {
                out.insert((term.clone(), plural.clone()), n);
            }
        }
    }
    out
}
