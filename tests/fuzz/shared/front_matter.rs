//! The source layer on arbitrary bytes: decode → split_front_matter → parse_yaml →
//! KeyLines::scan / locate_in_value, as `load` and `config` use it. Diagnostics are fine;
//! panics are not, and every position a diagnostic or key names must exist in the text.
//! Shared by the `front_matter` fuzz target and `tests/properties.rs`.

use casebook::source::{self, KeyLines};
use std::path::Path;

/// Runs every step on `data`; panics with the broken invariant.
pub fn check(data: &[u8]) {
    let shown = Path::new("content/orte/fuzz.md");
    let text = match source::decode(data.to_vec(), shown) {
        Ok(text) => text,
        Err(d) => {
            assert!(d.line.unwrap_or(1) >= 1);
            let _ = d.render(false);
            return;
        }
    };
    assert!(!text.contains('\r'), "CR left in decoded text");
    // The whole text as a YAML file (site.yaml, vocabularies, `.yaml` entries)…
    scan_and_locate(&text, &text, 1);
    // …and as a Markdown file with front matter.
    match source::split_front_matter(&text, shown) {
        Ok(split) => {
            let lines = text.lines().count().max(1);
            assert!(split.front_matter_line >= 1 && split.body_line >= 2);
            assert!(
                split.body_line <= lines + 1,
                "body line {} of {lines}",
                split.body_line
            );
            assert!(text.ends_with(split.body));
            scan_and_locate(split.front_matter, &text, split.front_matter_line);
        }
        Err(d) => {
            let _ = d.render(true);
        }
    }
}

fn scan_and_locate(yaml: &str, text: &str, first_line: usize) {
    let shown = Path::new("content/orte/fuzz.md");
    let keys = KeyLines::scan(yaml, first_line);
    let lines = text.lines().count().max(1);
    match source::parse_yaml(yaml, text, first_line, shown) {
        Ok(value) => {
            let _ = source::describe(&value);
            if let source::yaml::Value::Mapping(map) = &value {
                for (key, v) in map {
                    let Some(key) = key.as_str() else { continue };
                    let _ = source::describe(v);
                    if let Some((line, col)) = keys.get(key) {
                        assert!(
                            line >= first_line && line <= lines + 1,
                            "key {key:?} at {line}"
                        );
                        assert!(col >= 1);
                    }
                    // Needles the checks use: list items, nested keys, and a few odd ones.
                    let needles: Vec<String> = match v {
                        source::yaml::Value::Sequence(items) => items
                            .iter()
                            .filter_map(|i| i.as_str().map(str::to_string))
                            .collect(),
                        source::yaml::Value::String(s) => vec![s.clone()],
                        _ => vec![],
                    };
                    for needle in needles
                        .iter()
                        .map(String::as_str)
                        .chain(["", "lat", "ä", "\n"])
                    {
                        if let Some((line, col, source)) = keys.locate_in_value(text, key, needle) {
                            assert!(line >= 1 && col >= 1);
                            // The line's text comes with it, as the diagnostics show it.
                            assert_eq!(text.lines().nth(line - 1).unwrap_or(""), source);
                            let d = casebook::diagnostic::Diagnostic::error("t", shown, "m").at(
                                text,
                                line,
                                col,
                                needle.chars().count(),
                            );
                            let _ = d.render(false);
                        }
                    }
                }
            }
        }
        Err(d) => {
            if let Some(line) = d.line {
                assert!(
                    line >= 1 && line <= lines + first_line,
                    "error at line {line} of {lines}"
                );
            }
            let _ = d.render(false);
        }
    }
}
