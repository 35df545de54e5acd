//! The outline behind the map's pins (#23) comes from the theme's `data/outline.txt`, so a
//! catalogue replaces it like any theme file: its own theme's file is drawn, a theme without one
//! gets the built-in lines, a file of comments only draws none, and a broken one stops the build
//! naming its file and line.

mod common;

use common::{build, catalogue_copy};
use std::path::{Path, PathBuf};

/// The map page of a build of `root`.
fn map_page(root: &Path, out: &Path) -> String {
    build(root, out, &["--no-search"]).assert_exit(0);
    std::fs::read_to_string(out.join("karte/index.html")).expect("the map page")
}

/// The value of attribute `name` on the outline's `<svg>`, or of the path of class `class`.
fn attribute(page: &str, element: &str, name: &str) -> Option<String> {
    let at = page.find(element)?;
    let tag = &page[at..at + page[at..].find('>')?];
    let start = tag.find(&format!(" {name}=\""))? + name.len() + 3;
    Some(tag[start..start + tag[start..].find('"')?].to_string())
}

/// A copy of the small fixture with a theme folder of its own (the default theme's files) whose
/// `data/outline.txt` is `outline`; returns the temporary folder, the root and the theme folder.
fn with_own_outline(outline: &str) -> (common::TempDir, PathBuf, PathBuf) {
    let (tmp, root) = catalogue_copy("valid-small");
    let theme = root.join("themes/default");
    common::copy_dir(&common::repo_root().join("themes/default"), &theme);
    std::fs::write(theme.join("data/outline.txt"), outline).expect("write outline");
    (tmp, root, theme)
}

#[test]
fn a_catalogue_theme_brings_its_own_outline() {
    // A square from 9°E 51°N to 12°E 52°N around the fixture's two places, as differences.
    let (tmp, root, theme) = with_own_outline("# a square\nc 900,5100 300,0 0,100 -300,0 0,-100\n");
    let page = map_page(&root, &tmp.join("own"));
    let d = attribute(&page, "<path class=\"map-coast\"", "d").expect("the coast path");
    assert!(
        d.starts_with('M') && d.matches(['l', ' ', '-']).count() >= 4,
        "{d}"
    );
    assert_eq!(
        attribute(&page, "<path class=\"map-border\"", "d").as_deref(),
        Some(""),
        "the square is all coast"
    );
    let bounds = attribute(&page, "<svg class=\"map-outline\"", "data-bounds").expect("bounds");
    let b: Vec<f64> = bounds
        .split(',')
        .map(|v| v.parse().expect("a number"))
        .collect();
    // south, west, north, east around both places (51.48° N 11.97° E and 51.53° N 9.94° E).
    assert!(
        b[0] < 51.48 && b[1] < 9.93 && b[2] > 51.54 && b[3] > 11.97,
        "{bounds}"
    );

    // A theme without the file gets the built-in lines: many more points than a square.
    std::fs::remove_file(theme.join("data/outline.txt")).expect("remove outline");
    let page = map_page(&root, &tmp.join("built-in"));
    let d = attribute(&page, "<path class=\"map-border\"", "d").expect("the border path");
    assert!(d.len() > 100, "borders from the built-in outline: {d}");

    // Comments only: no outline, and the map keeps its plain ground.
    std::fs::write(theme.join("data/outline.txt"), "# none\n").expect("write outline");
    let page = map_page(&root, &tmp.join("none"));
    assert!(!page.contains("map-outline\""), "no outline drawn");
    assert!(page.contains("data-role=\"map\""), "the map is still there");
}

#[test]
fn a_broken_outline_stops_the_build_naming_file_and_line() {
    let (tmp, root, _) = with_own_outline("# fine so far\nb 900,5100 10,10\nc 900,5100 zehn,10\n");
    let out = tmp.join("site");
    let run = build(&root, &out, &["--no-search"]);
    run.assert_exit(1);
    let diags = common::human_diags(&run.stderr);
    let d = diags
        .iter()
        .find(|d| d.file.ends_with("themes/default/data/outline.txt"))
        .unwrap_or_else(|| panic!("a diagnostic on the outline file:\n{}", run.output()));
    assert_eq!(d.line, Some(3), "{}", run.output());
    assert!(d.message.contains("zehn,10"), "{}", d.message);
    assert!(
        d.hint.as_deref().is_some_and(|h| h.contains("outline.mjs")),
        "{d:?}"
    );
    assert!(!out.exists(), "nothing written");
}
