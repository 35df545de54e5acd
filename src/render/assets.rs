//! Fingerprinted asset names. In a public build every file and every folder directly in the
//! theme's `assets/` carries a hash of its content in its name (`site.css` →
//! `site.3f9a1c0b2d.css`, `vendor/` → `vendor.8e21a4c07f/`), so a CDN may keep it for a year:
//! changed bytes make another name. The pages, which name the assets, are never cached that way.
//!
//! Stylesheets and scripts name each other (`import … from "./catalogue.js"`, `assets +
//! "map.css"`), so one rule rewrites them: in a `.css`, `.js` or `.mjs` file directly in
//! `assets/`, every occurrence of another asset's plain name between a quote, `/` or `url(` and
//! a quote, `)`, `?` or `#` (a folder: its name followed by `/`) becomes its hashed name. A file is
//! hashed after its references are rewritten, so a changed module renames the modules that import
//! it; files that name each other in a circle cannot both carry the other's final name and are
//! refused. Files inside a folder are published as they are and name each other relatively, so
//! the folder's one hash (over every path and byte in it) covers them. A file that names itself
//! keeps that name as it is: it cannot hold its own hash.
//!
//! The hash is the one picture sizes carry ([`crate::fingerprinter`], ten hex digits): stable
//! from build to build of one casebook; another version may name the same bytes otherwise,
//! which costs a browser one download.
//!
//! `serve` and `build --preview` keep the plain names: serve's stylesheet swap finds a changed
//! stylesheet by its path, and the preview stays byte for byte what serve shows.

use crate::urls;
use std::collections::BTreeMap;
use std::hash::{Hash, Hasher};
use tera::{Kwargs, State, TeraResult, Value};

/// The extensions of the files whose text is searched for other assets' names.
const REWRITTEN: &[&str] = &["css", "js", "mjs"];

/// Bytes that may stand before an asset's name where a file names it (and CSS's `url(`).
const BEFORE: &[u8] = b"\"'`/";
/// Bytes that may follow a file's name where a file names it.
const AFTER: &[u8] = b"\"'`)?#";

/// What `assets/` holds, by the name templates ask for (`site.css`, `vendor/leaflet/leaflet.js`)
/// with the name it is published under.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct AssetNames {
    /// The name of each file and folder directly in `assets/` → its published name.
    units: BTreeMap<String, String>,
    /// Every path below `assets/` as a theme has it, so a misspelt one is an error.
    paths: std::collections::BTreeSet<String>,
}

impl AssetNames {
    /// The published path of `path` (relative to `assets/`), or `None` if the theme has no
    /// such asset.
    pub fn published(&self, path: &str) -> Option<String> {
        if !self.paths.contains(path) {
            return None;
        }
        let (unit, rest) = match path.split_once('/') {
            Some((unit, rest)) => (unit, Some(rest)),
            None => (path, None),
        };
        Some(published_path(self.units.get(unit)?, rest))
    }

    /// The first asset a template names by its plain address (`assets/site.css"`, as themes
    /// did before `asset(…)`), as the path to ask `asset` for: a public build does not publish
    /// that name.
    pub fn named_plainly(&self, template: &str) -> Option<String> {
        let text = template.as_bytes();
        let path_end = |from: usize| {
            let rest = &text[from..];
            let len = rest
                .iter()
                .position(|b| b"\"'?# {}<>".contains(b))
                .unwrap_or(rest.len());
            String::from_utf8_lossy(&rest[..len]).into_owned()
        };
        self.units.keys().find_map(|unit| {
            let folder = self
                .paths
                .iter()
                .any(|p| p.starts_with(&format!("{unit}/")));
            let needle = match folder {
                true => format!("{}{unit}/", urls::ASSETS),
                false => format!("{}{unit}", urls::ASSETS),
            };
            let ends = |end: usize| folder || text.get(end).is_some_and(|b| b"\"'?#".contains(b));
            memchr::memmem::find_iter(text, needle.as_bytes())
                .find(|&at| ends(at + needle.len()))
                .map(|at| path_end(at + urls::ASSETS.len()))
        })
    }

    /// The asset names a template may ask for, for the message about a misspelt one.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(String::as_str)
    }
}

/// The name templates call: `{{ asset(path="site.css") }}` is the address of the theme's
/// `static/assets/site.css` as published, the site's base path included.
pub const FUNCTION: &str = "asset";

/// The `asset` function for a site published under `base_path`.
pub fn function(
    names: AssetNames,
    base_path: String,
) -> impl Fn(Kwargs, &State) -> TeraResult<Value> + Send + Sync + 'static {
    move |kwargs, _| {
        let path: &str = kwargs.must_get("path")?;
        match names.published(path) {
            Some(published) => Ok(Value::from(format!("{base_path}{published}"))),
            None => {
                let hint = match crate::diagnostic::did_you_mean(path, names.paths()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => "the path is relative to the theme's static/assets/".to_string(),
                };
                Err(tera::Error::message(format!(
                    "asset: the theme has no asset `{path}`; {hint}"
                )))
            }
        }
    }
}

/// Assets that name each other in a circle, first name repeated at the end.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Circle(pub Vec<String>);

/// The files of a file or folder directly in `assets/`: each with its path inside the folder
/// (`None` for a file) and its bytes.
type UnitFiles = Vec<(Option<String>, Vec<u8>)>;

/// The theme's static files as published, with the names of the assets. `hashed` is false for
/// `serve` and `build --preview`: every name stays as it is.
pub fn publish(
    files: BTreeMap<String, Vec<u8>>,
    hashed: bool,
) -> Result<(BTreeMap<String, Vec<u8>>, AssetNames), Circle> {
    let mut names = AssetNames::default();
    let mut units: BTreeMap<String, UnitFiles> = BTreeMap::new();
    let mut out = BTreeMap::new();
    for (path, bytes) in files {
        let Some(rel) = path.strip_prefix(urls::ASSETS) else {
            out.insert(path, bytes);
            continue;
        };
        names.paths.insert(rel.to_string());
        let (unit, rest) = match rel.split_once('/') {
            Some((unit, rest)) => (unit.to_string(), Some(rest.to_string())),
            None => (rel.to_string(), None),
        };
        units.entry(unit).or_default().push((rest, bytes));
    }
    if !hashed {
        for (unit, files) in units {
            for (rest, bytes) in files {
                out.insert(published_path(&unit, rest.as_deref()), bytes);
            }
            names.units.insert(unit.clone(), unit);
        }
        return Ok((out, names));
    }
    let is_folder = |files: &UnitFiles| files.iter().any(|(r, _)| r.is_some());
    // Folders first: their files name nothing outside, so their hash is known at once.
    let mut pending = BTreeMap::new();
    for (unit, files) in units {
        if is_folder(&files) {
            let mut h = crate::fingerprinter();
            files.hash(&mut h);
            let name = urls::hashed_asset(&unit, h.finish());
            for (rest, bytes) in files {
                out.insert(published_path(&name, rest.as_deref()), bytes);
            }
            names.units.insert(unit, name);
        } else if let Some((_, bytes)) = files.into_iter().next() {
            pending.insert(unit, bytes);
        }
    }
    // What a file's text is searched for: each other file's name, each folder's name and `/`.
    let patterns: Vec<String> = names
        .units
        .keys()
        .map(|folder| format!("{folder}/"))
        .chain(pending.keys().cloned())
        .collect();
    let named: BTreeMap<String, Vec<String>> = pending
        .iter()
        .map(|(unit, bytes)| {
            let refs = match rewritten(unit) {
                true => patterns
                    .iter()
                    .filter(|other| *other != unit && !occurrences(bytes, other).is_empty())
                    .cloned()
                    .collect(),
                false => Vec::new(),
            };
            (unit.clone(), refs)
        })
        .collect();
    for unit in order(&named)? {
        let Some(bytes) = pending.remove(&unit) else {
            continue;
        };
        let bytes = named[&unit].iter().fold(bytes, |bytes, other| {
            let name = &names.units[other.trim_end_matches('/')];
            replace(&bytes, other, name)
        });
        let mut h = crate::fingerprinter();
        h.write(&bytes);
        let name = urls::hashed_asset(&unit, h.finish());
        out.insert(published_path(&name, None), bytes);
        names.units.insert(unit, name);
    }
    Ok((out, names))
}

fn published_path(unit: &str, rest: Option<&str>) -> String {
    match rest {
        Some(rest) => format!("{}{unit}/{rest}", urls::ASSETS),
        None => format!("{}{unit}", urls::ASSETS),
    }
}

fn rewritten(name: &str) -> bool {
    name.rsplit_once('.')
        .is_some_and(|(_, ext)| REWRITTEN.contains(&ext))
}

/// Where `text` names the asset `unit`: the byte ranges of its name (a folder's without the
/// `/` that must follow it). `unit` ends in `/` for a folder.
fn occurrences(text: &[u8], unit: &str) -> Vec<(usize, usize)> {
    let (unit, folder) = match unit.strip_suffix('/') {
        Some(name) => (name, true),
        None => (unit, false),
    };
    let needle = unit.as_bytes();
    memchr::memmem::find_iter(text, needle)
        .filter(|&at| {
            let end = at + needle.len();
            let before = at.checked_sub(1).map(|i| text[i]);
            let after = text.get(end).copied();
            let opens =
                before.is_some_and(|b| BEFORE.contains(&b)) || text[..at].ends_with(b"url(");
            opens
                && after.is_some_and(|a| match folder {
                    true => a == b'/',
                    false => AFTER.contains(&a),
                })
        })
        .map(|at| (at, at + needle.len()))
        .collect()
}

/// `text` with every occurrence of `unit` (see [`occurrences`]) replaced by `name`.
fn replace(text: &[u8], unit: &str, name: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(text.len() + 16);
    let mut last = 0;
    for (start, end) in occurrences(text, unit) {
        out.extend_from_slice(&text[last..start]);
        out.extend_from_slice(name.as_bytes());
        last = end;
    }
    out.extend_from_slice(&text[last..]);
    out
}

/// The files of `named` (each with the assets it names) in an order where each comes after
/// the ones it names, or the first circle found.
fn order(named: &BTreeMap<String, Vec<String>>) -> Result<Vec<String>, Circle> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        Open,
        Done,
    }
    fn visit(
        unit: &str,
        named: &BTreeMap<String, Vec<String>>,
        marks: &mut BTreeMap<String, Mark>,
        path: &mut Vec<String>,
        out: &mut Vec<String>,
    ) -> Result<(), Circle> {
        match marks.get(unit) {
            Some(Mark::Done) => return Ok(()),
            Some(Mark::Open) => {
                let from = path.iter().position(|u| u == unit).unwrap_or(0);
                let mut circle = path[from..].to_vec();
                circle.push(unit.to_string());
                return Err(Circle(circle));
            }
            None => {}
        }
        marks.insert(unit.to_string(), Mark::Open);
        path.push(unit.to_string());
        for other in named.get(unit).into_iter().flatten() {
            visit(other, named, marks, path, out)?;
        }
        path.pop();
        marks.insert(unit.to_string(), Mark::Done);
        out.push(unit.to_string());
        Ok(())
    }
    let mut marks = BTreeMap::new();
    let mut out = Vec::new();
    for unit in named.keys() {
        visit(unit, named, &mut marks, &mut Vec::new(), &mut out)?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(files: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        files
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    fn text(out: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
        String::from_utf8(out[path].clone()).unwrap()
    }

    #[test]
    fn names_are_found_only_between_delimiters() {
        let found = |text: &str, unit: &str| occurrences(text.as_bytes(), unit).len();
        assert_eq!(found(r#"import { a } from "./facets.js";"#, "facets.js"), 1);
        assert_eq!(found(r#"import("./find.js")"#, "find.js"), 1);
        assert_eq!(found(r#"assets + "map.css""#, "map.css"), 1);
        assert_eq!(found(r#"'link[href$="/map.css"]'"#, "map.css"), 1);
        assert_eq!(found(r#"url(icon.svg)"#, "icon.svg"), 1);
        assert_eq!(found(r#"url("icon.svg?v=1")"#, "icon.svg"), 1);
        assert_eq!(found(r#"assets + "vendor/""#, "vendor/"), 1);
        // Other names that end or begin the same, and prose, stay.
        assert_eq!(found(r#""minimap.css""#, "map.css"), 0);
        assert_eq!(found(r#""map.css.bak""#, "map.css"), 0);
        assert_eq!(found("see map.css for the pins", "map.css"), 0);
        assert_eq!(found(r#""vendors/x""#, "vendor/"), 0);
        assert_eq!(found(r#""vendor""#, "vendor/"), 0);
        assert_eq!(found(r#""vendor.js""#, "vendor/"), 0);
        assert_eq!(
            found("// the search index (find.js), loaded later", "find.js"),
            0
        );
    }

    #[test]
    fn a_preview_keeps_every_name() {
        let files = theme(&[
            ("assets/site.css", "body{}"),
            ("assets/a.js", r#"import "./b.js";"#),
            ("assets/b.js", ""),
            ("robots.txt", "x"),
        ]);
        let (out, names) = publish(files.clone(), false).unwrap();
        assert_eq!(out, files);
        assert_eq!(names.published("site.css").unwrap(), "assets/site.css");
    }

    #[test]
    fn references_are_rewritten_and_hashed_after() {
        let files = theme(&[
            (
                "assets/a.js",
                r#"import { b } from "./b.js"; load(base + "c.css");"#,
            ),
            ("assets/b.js", r#"export const b = 1;"#),
            ("assets/c.css", r#"body { background: url(d.svg) }"#),
            ("assets/d.svg", "<svg/>"),
            ("assets/lib/x.js", "x"),
            ("assets/lib/x.css", "url(images/y.png)"),
            ("assets/e.js", r#"const lib = assets + "lib/";"#),
            ("favicon.ico", "ico"),
        ]);
        let (out, names) = publish(files, true).unwrap();
        let name = |p: &str| names.published(p).unwrap();
        for p in ["a.js", "b.js", "c.css", "d.svg", "lib/x.js"] {
            assert!(out.contains_key(&name(p)), "{p} → {}", name(p));
            assert_ne!(name(p), format!("assets/{p}"));
        }
        assert!(name("b.js").starts_with("assets/b.") && name("b.js").ends_with(".js"));
        let hashed = |p: &str| name(p).rsplit('/').next().unwrap().to_string();
        let a = text(&out, &name("a.js"));
        assert!(a.contains(&format!(r#""./{}""#, hashed("b.js"))), "{a}");
        assert!(a.contains(&format!(r#""{}""#, hashed("c.css"))), "{a}");
        let c = text(&out, &name("c.css"));
        assert!(c.contains(&format!("url({})", hashed("d.svg"))), "{c}");
        let folder = name("lib/x.js");
        let folder = folder.split('/').nth(1).unwrap();
        assert!(text(&out, &name("e.js")).contains(&format!(r#""{folder}/""#)));
        // The folder's files are published as they are.
        assert_eq!(text(&out, &name("lib/x.css")), "url(images/y.png)");
        assert_eq!(text(&out, "favicon.ico"), "ico");
        assert_eq!(names.published("nope.js"), None);
    }

    #[test]
    fn a_change_renames_the_file_and_what_names_it_only() {
        let files = |b: &str| {
            theme(&[
                ("assets/a.js", r#"import "./b.js";"#),
                ("assets/b.js", b),
                ("assets/c.js", "c"),
                ("assets/d.js", r#"import "./a.js";"#),
            ])
        };
        let (_, before) = publish(files("one"), true).unwrap();
        let (_, after) = publish(files("two"), true).unwrap();
        for (p, changed) in [
            ("a.js", true),
            ("b.js", true),
            ("c.js", false),
            ("d.js", true),
        ] {
            let same = before.published(p) == after.published(p);
            assert_eq!(same, !changed, "{p}");
        }
    }

    #[test]
    fn a_circle_is_refused_with_its_members() {
        let files = theme(&[
            ("assets/a.js", r#"import "./b.js";"#),
            ("assets/b.js", r#"import("./c.js")"#),
            ("assets/c.js", r#"import "./a.js";"#),
            ("assets/d.js", "d"),
        ]);
        let circle = publish(files.clone(), true).unwrap_err();
        assert_eq!(circle.0, ["a.js", "b.js", "c.js", "a.js"]);
        // The preview never needs the order.
        assert!(publish(files, false).is_ok());
    }

    #[test]
    fn a_template_naming_an_asset_plainly_is_found() {
        let files = theme(&[("assets/site.css", ""), ("assets/vendor/l.js", "")]);
        let (_, names) = publish(files, true).unwrap();
        let plainly = |t: &str| names.named_plainly(t);
        let found = |t: &str| plainly(t).unwrap_or_default();
        assert_eq!(found(r#"<link href="{{ b }}assets/site.css">"#), "site.css");
        assert_eq!(found(r#"src='/assets/vendor/l.js'"#), "vendor/l.js");
        assert_eq!(
            plainly(r#"<link href="{{ asset(path="site.css") }}">"#),
            None
        );
        assert_eq!(plainly("{# assets/site.css does this #}"), None);
    }

    #[test]
    fn a_file_naming_itself_is_left_alone() {
        let files = theme(&[("assets/map.js", r#"if (!q('link[href$="/map.js"]')) {}"#)]);
        let (out, names) = publish(files, true).unwrap();
        assert!(text(&out, &names.published("map.js").unwrap()).contains(r#""/map.js""#));
    }
}
