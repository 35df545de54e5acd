//! `casebook check` on one fixture per kind of bad input (tests/fixtures/bad/<case>/).
//!
//! Each case folder holds the files that differ from `tests/fixtures/valid-small` and an
//! `expect.yaml` next to them: exit code, error and warning counts, and per diagnostic its code,
//! file, line, column, the second place it points at (`also`) and fragments of message, hint,
//! expected, found and source line, and lines the human output must contain verbatim
//! (`human_lines`). The test
//! overlays the case on a fresh copy of valid-small, runs `check --format json` and the human
//! `check`, asserts the expectation on the JSON, and asserts that both outputs report exactly the
//! same diagnostics. Run: `cargo test --test cli_check`.

mod common;

use casebook::source::yaml::Value as Yaml;
use common::{check_human, check_json, copy_dir, fixture, human_diags, json_diags, Diag};

/// One expected diagnostic from `expect.yaml`.
fn matches(d: &Diag, want: &Yaml) -> bool {
    let severity = want["severity"].as_str().unwrap_or("error");
    d.severity == severity
        && Some(d.code.as_str()) == want["code"].as_str()
        && Some(d.file.as_str()) == want["file"].as_str()
        // Two diagnostics of one kind in one file are told apart by their message.
        && want["message"]
            .as_str()
            .is_none_or(|m| d.message.contains(m))
}

fn assert_fragment(case: &str, what: &str, actual: &Option<String>, want: &Yaml) {
    if let Some(fragment) = want.as_str() {
        let actual = actual.as_deref().unwrap_or("");
        assert!(
            actual.contains(fragment),
            "{case}: {what} `{actual}` does not contain `{fragment}`"
        );
    }
}

fn run_case(case: &str) {
    let dir = fixture("bad").join(case);
    let expect = common::read_yaml(&dir.join("expect.yaml"));
    let (_tmp, root) = common::catalogue_copy("valid-small");
    copy_dir(&dir.join("content"), &root.join("content"));

    let (run, json) = check_json(&root);
    let exit = expect["exit"].as_i64().expect("exit in expect.yaml") as i32;
    run.assert_exit(exit);
    let json = json.unwrap_or_else(|| panic!("{case}: stdout is not JSON\n{}", run.output()));
    let diags = json_diags(&json);
    let listing = || {
        diags
            .iter()
            .map(|d| format!("  {d:?}"))
            .collect::<Vec<_>>()
            .join("\n")
    };
    for key in ["errors", "warnings", "entries"] {
        if let Some(n) = expect[key].as_u64() {
            assert_eq!(json[key].as_u64(), Some(n), "{case}: {key}\n{}", listing());
        }
    }
    let wanted = expect["diagnostics"].as_sequence().expect("diagnostics");
    assert_eq!(
        diags.len(),
        wanted.len(),
        "{case}: number of diagnostics\n{}",
        listing()
    );
    for want in wanted {
        let d = diags
            .iter()
            .find(|d| matches(d, want))
            .unwrap_or_else(|| panic!("{case}: no diagnostic like {want:?}\n{}", listing()));
        for (key, actual) in [("line", d.line), ("column", d.column)] {
            if let Some(n) = want[key].as_u64() {
                assert_eq!(actual, Some(n), "{case}: {key} of {d:?}");
            }
        }
        assert_fragment(case, "message", &Some(d.message.clone()), &want["message"]);
        assert_fragment(case, "hint", &d.hint, &want["hint"]);
        assert_fragment(case, "expected", &d.expected, &want["expected"]);
        assert_fragment(case, "found", &d.found, &want["found"]);
        if let Some(also) = want["also"].as_str() {
            assert_eq!(d.also.as_deref(), Some(also), "{case}: second place");
        }
        if let Some(src) = want["source_line"].as_str() {
            assert_eq!(d.source_line.as_deref(), Some(src), "{case}: code frame");
        }
    }

    // The human output reports the same diagnostics, field by field, and the same totals.
    let human = check_human(&root);
    human.assert_exit(exit);
    let mut from_human = human_diags(&human.stderr);
    let mut from_json = diags.clone();
    from_human.sort();
    from_json.sort();
    assert_eq!(
        from_human,
        from_json,
        "{case}: human and JSON output disagree\n{}",
        human.output()
    );
    // Lines of the human output that must appear verbatim (where the carets stand).
    for want in expect["human_lines"].as_sequence().into_iter().flatten() {
        let want = want.as_str().expect("human_lines are strings");
        assert!(
            human.stderr.lines().any(|l| l == want),
            "{case}: human output lacks the line {want:?}\n{}",
            human.output()
        );
    }
    let totals = format!(
        "{} error(s), {} warning(s)",
        json["errors"], json["warnings"]
    );
    assert!(
        human.stderr.contains(&totals),
        "{case}: human summary lacks `{totals}`\n{}",
        human.output()
    );
}

macro_rules! bad_input_cases {
    ($($test:ident => $folder:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_case($folder);
            }
        )*
        /// Every case folder, so that a folder without a test is noticed.
        const CASES: &[&str] = &[$($folder),*];
    };
}

bad_input_cases! {
    yaml_syntax_error_has_line_column_and_code_frame => "yaml-syntax",
    unclosed_front_matter => "unclosed-front-matter",
    unknown_field_suggests_the_close_name => "unknown-field",
    missing_required_field => "missing-field",
    year_field_with_a_word => "wrong-kind-year",
    web_address_without_scheme => "bad-url",
    latitude_out_of_range => "out-of-range-latitude",
    unknown_term_suggests_and_lists_allowed_keys => "unknown-term",
    reference_to_a_missing_entry => "missing-reference",
    reference_to_a_type_the_field_does_not_allow => "wrong-reference-type",
    same_id_in_md_and_yaml => "duplicate-id",
    slugs_colliding_after_case_folding_and_transliteration => "slug-collision",
    broken_internal_link_in_markdown => "broken-link",
    utf8_bom_and_crlf_are_accepted => "bom-crlf-accepted",
    line_numbers_stay_right_with_crlf => "crlf-line-numbers",
    latin1_file_is_not_utf8 => "not-utf8",
    all_problems_are_reported_not_only_the_first => "five-errors",
    carets_stand_under_the_culprit_after_wide_characters_and_tabs => "wide-characters-before-the-culprit",
    required_fields_must_be_filled => "empty-required",
    a_draft_checks_with_warnings_for_its_empty_fields => "draft-with-empty-fields",
    an_unclosed_bracket_is_reported_where_it_opens => "unclosed-bracket",
    earlier_addresses_must_not_collide => "alias-collision",
    an_unknown_field_kind_suggests_the_close_one => "unknown-field-kind",
}

#[test]
fn every_case_folder_has_a_test() {
    let mut folders: Vec<String> = std::fs::read_dir(fixture("bad"))
        .expect("tests/fixtures/bad")
        .flatten()
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    folders.sort();
    let mut listed: Vec<String> = CASES.iter().map(|s| s.to_string()).collect();
    listed.sort();
    assert_eq!(folders, listed);
}

#[test]
fn the_valid_fixture_checks_clean() {
    let root = fixture("valid-small");
    let (run, json) = check_json(&root);
    run.assert_exit(0);
    let json = json.expect("JSON");
    assert_eq!(json["errors"], 0);
    assert_eq!(json["warnings"], 0);
    assert_eq!(json["entries"], 6);
    assert_eq!(json["diagnostics"].as_array().map(Vec::len), Some(0));
    let human = check_human(&root);
    human.assert_exit(0);
    assert!(
        human.stderr.contains("0 error(s), 0 warning(s)"),
        "{}",
        human.output()
    );
}

#[test]
fn warnings_alone_exit_zero() {
    // An unclean file name is a warning: the entry is published under a clean address.
    let (_tmp, root) = common::catalogue_copy("valid-small");
    std::fs::write(
        root.join("content/orte/Rathaus Süd.md"),
        "---\ntitel: Rathaus Süd\nkurzbeschreibung: Leerzeichen und Umlaut im Dateinamen.\nhandlungsfeld: [zentren]\n---\nText.\n",
    )
    .expect("write entry");
    let (run, json) = check_json(&root);
    run.assert_exit(0);
    let json = json.expect("JSON");
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(0), Some(1))
    );
    let d = &json_diags(&json)[0];
    assert_eq!(d.code, "unclean-file-name");
    assert!(
        d.hint.as_deref().unwrap_or("").contains("rathaus-sued"),
        "{d:?}"
    );
}
