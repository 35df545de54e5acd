//! Asset names carry a hash of their content in a public build (#22), so a CDN may cache them
//! for a year: every reference to them in the pages, scripts and stylesheets resolves, a
//! changed module renames itself and the modules that name it and nothing else, the old names
//! leave the output, and the preview keeps plain names. Run: `cargo test --test asset_names`.

mod common;

use common::html::broken_internal_links;
use common::{build, catalogue_copy, copy_dir, repo_root, TempDir};
use std::collections::BTreeMap;
use std::path::Path;

const BASE: &str = "https://example.org/kat/";

/// The files and folders directly in the built site's `assets/`.
fn asset_listing(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(out.join("assets"))
        .expect("assets/ in the output")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// The files and folders directly in the default theme's `static/assets/`.
fn theme_assets() -> Vec<String> {
    asset_listing(&repo_root().join("themes/default/static"))
}

/// Whether `name` is `stem.<10 hex digits>.ext` (or `folder.<10 hex digits>`).
fn is_hashed(name: &str) -> bool {
    let parts: Vec<&str> = name.split('.').collect();
    parts.iter().skip(1).any(|p| {
        p.len() == 10
            && p.bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

/// The plain name (`site.css`, `vendor`) of a published one.
fn plain(name: &str) -> String {
    name.split('.')
        .filter(|p| !(p.len() == 10 && p.bytes().all(|b| b.is_ascii_hexdigit())))
        .collect::<Vec<_>>()
        .join(".")
}

/// Published name by plain name.
fn by_plain(out: &Path) -> BTreeMap<String, String> {
    asset_listing(out)
        .into_iter()
        .map(|n| (plain(&n), n))
        .collect()
}

/// The string literals of a text (between two equal quotes, without white space): where
/// scripts, stylesheets and attributes name files.
fn quoted(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (at, q) in text.char_indices().filter(|(_, c)| matches!(c, '"' | '\'')) {
        let rest = &text[at + 1..];
        if let Some(end) = rest.find(|c: char| c == q || c.is_whitespace()) {
            if rest[end..].starts_with(q) {
                out.push(&rest[..end]);
            }
        }
    }
    out
}

/// Every file of the output with one of `exts`, relative.
fn files_with(out: &Path, exts: &[&str]) -> Vec<String> {
    walk(out, out)
        .into_iter()
        .filter(|p| exts.iter().any(|e| p.ends_with(e)))
        .collect()
}

fn walk(root: &Path, dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(root, &p));
        } else {
            out.push(p.strip_prefix(root).unwrap().to_string_lossy().into_owned());
        }
    }
    out
}

/// Every name a page, script or stylesheet gives in quotes that contains an asset's published
/// or plain name: a hashed one must exist below `assets/` (or below one of its folders, for
/// the paths a script puts after a folder's address), a plain one must not be left at all.
fn unresolved_asset_references(out: &Path) -> (usize, Vec<String>) {
    let plain_names = theme_assets();
    let assets = out.join("assets");
    let folders: Vec<_> = asset_listing(out)
        .into_iter()
        .filter(|n| assets.join(n).is_dir())
        .collect();
    let mut checked = 0;
    let mut problems = Vec::new();
    for file in files_with(out, &[".html", ".js", ".css"]) {
        let text = std::fs::read_to_string(out.join(&file)).unwrap();
        for literal in quoted(&text) {
            let segments: Vec<&str> = literal.split('/').collect();
            if let Some(i) = segments.iter().position(|s| is_hashed(s)) {
                checked += 1;
                let rel = segments[i..].join("/");
                // Up to where the path ends (`'link[href$="/map.….css"]'` holds one in quotes).
                let end = rel
                    .find(|c: char| !(c.is_ascii_alphanumeric() || "._/-".contains(c)))
                    .unwrap_or(rel.len());
                let rel = &rel[..end];
                if !assets.join(rel).exists() {
                    problems.push(format!("{file}: \"{literal}\" names a missing asset"));
                }
                continue;
            }
            // In the theme's own scripts, a path after a folder's address (`vendor +
            // "leaflet/leaflet.js"`); the vendored files inside a folder are left as they are.
            let own = file.starts_with("assets/") && file.matches('/').count() == 1;
            if own && (literal.ends_with(".js") || literal.ends_with(".css")) {
                checked += 1;
                let rel = literal.trim_start_matches("./").trim_start_matches('/');
                let found = assets.join(rel).exists()
                    || folders.iter().any(|f| assets.join(f).join(rel).exists());
                if !found {
                    problems.push(format!("{file}: \"{literal}\" resolves to nothing"));
                }
            }
            let is_folder = |s: &str| {
                repo_root()
                    .join("themes/default/static/assets")
                    .join(s)
                    .is_dir()
            };
            let named_plain = segments.iter().enumerate().any(|(k, s)| {
                plain_names.iter().any(|n| n == s) && (!is_folder(s) || k + 1 < segments.len())
            });
            if named_plain && (own || !file.starts_with("assets/")) {
                problems.push(format!(
                    "{file}: \"{literal}\" names an asset by its plain name"
                ));
            }
        }
    }
    (checked, problems)
}

#[test]
fn a_public_build_names_assets_by_content_and_every_reference_resolves() {
    let tmp = TempDir::new("asset-names");
    let out = tmp.join("out");
    common::build_bundled(&out, &["--base-url", BASE, "--no-search"]).assert_exit(0);
    let listing = asset_listing(&out);
    assert_eq!(listing.len(), theme_assets().len(), "{listing:?}");
    for name in &listing {
        assert!(is_hashed(name), "{name} carries no hash");
        assert!(theme_assets().contains(&plain(name)), "{name}");
    }
    // Pages: every stylesheet, script, icon and link resolves (links would 404 otherwise).
    let broken = broken_internal_links(&out, "/kat/", BASE);
    assert!(broken.is_empty(), "{broken:#?}");
    let (checked, problems) = unresolved_asset_references(&out);
    assert!(problems.is_empty(), "{problems:#?}");
    // Each page names its stylesheet; the modules name each other; the map names Leaflet.
    assert!(checked > 300, "only {checked} asset references found");
}

/// valid-small with a copy of the default theme in its `themes/default/`, which a build then
/// reads instead of the built-in one, for the test to change.
fn with_theme_copy() -> (TempDir, std::path::PathBuf) {
    let (tmp, root) = catalogue_copy("valid-small");
    let theme = root.join("themes/default");
    copy_dir(&repo_root().join("themes/default"), &theme);
    (tmp, root)
}

#[test]
fn a_changed_module_renames_itself_and_what_imports_it_only() {
    let (tmp, root) = with_theme_copy();
    let out = tmp.join("out");
    build(&root, &out, &["--no-search"]).assert_exit(0);
    let before = by_plain(&out);
    let facets = root.join("themes/default/static/assets/facets.js");
    let mut text = std::fs::read_to_string(&facets).unwrap();
    text.push_str("\n// changed\n");
    std::fs::write(&facets, text).unwrap();
    build(&root, &out, &["--no-search"]).assert_exit(0);
    let after = by_plain(&out);
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>()
    );
    // facets.js, the modules that import it, and those that import them.
    let renamed = [
        "facets.js",
        "catalogue.js",
        "find.js",
        "browser.js",
        "search.js",
        "map.js",
    ];
    for (plain, name) in &before {
        let changed = renamed.contains(&plain.as_str());
        assert_eq!(
            after[plain] != *name,
            changed,
            "{plain}: {name} → {}",
            after[plain]
        );
        // The replaced output holds only the new names.
        assert_eq!(out.join("assets").join(name).exists(), !changed, "{name}");
    }
    let browser = std::fs::read_to_string(out.join("katalog/index.html")).unwrap();
    assert!(
        browser.contains(&after["facets.js"]),
        "browser page names the new module"
    );
    let importer =
        std::fs::read_to_string(out.join("assets").join(&after["catalogue.js"])).unwrap();
    assert!(importer.contains(&format!("\"./{}\"", after["facets.js"])));
}

#[test]
fn the_preview_keeps_plain_names() {
    let (tmp, root) = catalogue_copy("valid-small");
    let out = tmp.join("out");
    build(&root, &out, &["--no-search", "--preview"]).assert_exit(0);
    assert_eq!(asset_listing(&out), theme_assets());
    let home = std::fs::read_to_string(out.join("index.html")).unwrap();
    assert!(home.contains("/assets/site.css\""), "{home}");
}

#[test]
fn assets_that_name_each_other_in_a_circle_are_refused() {
    let (tmp, root) = with_theme_copy();
    let stem = root.join("themes/default/static/assets/stem.js");
    let text = std::fs::read_to_string(&stem).unwrap();
    std::fs::write(&stem, format!("import \"./find.js\";\n{text}")).unwrap();
    let out = tmp.join("out");
    let run = build(&root, &out, &["--no-search"]);
    run.assert_exit(1);
    let said = run.output();
    assert!(said.contains("asset-circle"), "{said}");
    assert!(said.contains("find.js → stem.js → find.js"), "{said}");
    assert!(!out.exists(), "nothing is written");
    // The preview does not hash, so it needs no order.
    build(&root, &out, &["--no-search", "--preview"]).assert_exit(0);
}

/// valid-small with an override of the default theme's template `name`, `from` replaced by
/// `to` in it.
fn with_override(name: &str, from: &str, to: &str) -> (TempDir, std::path::PathBuf) {
    let (tmp, root) = catalogue_copy("valid-small");
    let templates = root.join("templates");
    std::fs::create_dir_all(&templates).unwrap();
    let default = repo_root().join("themes/default/templates").join(name);
    let source = std::fs::read_to_string(default).unwrap();
    assert!(source.contains(from), "{name} has no {from}");
    std::fs::write(templates.join(name), source.replace(from, to)).unwrap();
    (tmp, root)
}

#[test]
fn a_template_asking_for_a_missing_asset_is_told_the_close_one() {
    let (tmp, root) = with_override(
        "404.html",
        "{% block content %}",
        r#"{% block content %}<link href="{{ asset(path="sit.css") }}">"#,
    );
    let run = build(&root, &tmp.join("out"), &["--no-search"]);
    run.assert_exit(1);
    let said = run.output();
    assert!(
        said.contains("no asset `sit.css`") && said.contains("did you mean `site.css`"),
        "{said}"
    );
}

#[test]
fn a_template_linking_an_asset_by_its_plain_address_is_refused() {
    // components.html as themes wrote it before `asset(…)`.
    let (tmp, root) = with_override(
        "components.html",
        r#"{{ asset(path="site.css") }}"#,
        "{{ site.base_path }}assets/site.css",
    );
    for args in [&["--no-search"][..], &["--no-search", "--preview"]] {
        let run = build(&root, &tmp.join("out"), args);
        run.assert_exit(1);
        let said = run.output();
        assert!(said.contains("components.html"), "{said}");
        assert!(said.contains(r#"asset(path="site.css")"#), "{said}");
    }
}
