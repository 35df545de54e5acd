//! `casebook init` and `casebook new`: a new catalogue checks without a warning and builds; a
//! new entry is pre-filled with every field of its type, passes `check`, and is never
//! overwritten. Run: `cargo test --test cli_scaffold`.

mod common;

use common::{casebook, catalogue_copy, check_json, TempDir};
use std::ffi::OsStr;
use std::path::Path;

/// `# key: value`, a commented-out field (as opposed to a comment about one).
fn is_field_line(line: &str) -> bool {
    line.strip_prefix("# ")
        .and_then(|r| r.split_once(": "))
        .is_some_and(|(k, _)| {
            !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
}

fn new_entry(root: &Path, type_key: &str, title: &str) -> common::Run {
    casebook(&[
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("new"),
        OsStr::new(type_key),
        OsStr::new(title),
    ])
}

fn assert_checks_clean(root: &Path) -> serde_json::Value {
    let (run, json) = check_json(root);
    run.assert_exit(0);
    let json = json.expect("check prints JSON");
    assert_eq!(
        (json["errors"].as_u64(), json["warnings"].as_u64()),
        (Some(0), Some(0)),
        "{}",
        run.output()
    );
    json
}

/// `check` passes, and its only warnings are for the empty required fields of drafts, as
/// `new` leaves them (valid-small has a draft role).
fn assert_checks_with_draft_warnings(root: &Path) -> serde_json::Value {
    let (run, json) = check_json(root);
    run.assert_exit(0);
    let json = json.expect("check prints JSON");
    assert_eq!(json["errors"].as_u64(), Some(0), "{}", run.output());
    for d in common::json_diags(&json) {
        assert!(
            d.severity == "warning" && d.code == "empty-field",
            "{d:?}\n{}",
            run.output()
        );
    }
    json
}

#[test]
fn init_creates_a_catalogue_that_checks_clean_and_builds() {
    let tmp = TempDir::new("init");
    let dir = tmp.join("neuer-katalog");
    let run = casebook(&[OsStr::new("init"), dir.as_os_str()]);
    run.assert_exit(0);
    assert!(dir.join("content/site.yaml").is_file(), "{}", run.output());
    // The editors' YAML tools are wired up: a schema per type, and VS Code's settings naming them.
    let settings = std::fs::read_to_string(dir.join(".vscode/settings.json")).expect("settings");
    let settings: serde_json::Value = serde_json::from_str(&settings).expect("JSON");
    let schemas = settings["yaml.schemas"].as_object().expect("yaml.schemas");
    assert_eq!(
        schemas.len(),
        5,
        "site.yaml, vocabularies, three types: {settings}"
    );
    for schema in schemas.keys() {
        assert!(dir.join(schema).is_file(), "{schema} was not written");
    }
    let json = assert_checks_clean(&dir);
    assert!(
        json["entries"].as_u64().unwrap_or(0) >= 1,
        "init should bring example entries"
    );
    let out = tmp.join("site");
    // The skeleton's base_url is the local server's: a build says so until it is set.
    let run = common::build(&dir, &out, &["--no-search"]);
    run.assert_exit(0);
    assert!(
        run.stderr.contains("warning[placeholder-base-url]"),
        "{}",
        run.output()
    );
    let public = ["--no-search", "--base-url", "https://quartier-katalog.de/"];
    let run = common::build(&dir, &out, &public);
    run.assert_exit(0);
    assert!(!run.stderr.contains("warning"), "{}", run.output());
    common::build(&dir, &out, &["--no-search"]).assert_exit(0);
    assert!(out.join("index.html").is_file());
    let broken = common::html::broken_internal_links(&out, "/", "http://127.0.0.1:1111/");
    assert!(broken.is_empty(), "{}", broken.join("\n"));
}

#[test]
fn init_accepts_an_existing_empty_folder() {
    let tmp = TempDir::new("init-empty");
    let run = casebook(&[OsStr::new("init"), tmp.path().as_os_str()]);
    run.assert_exit(0);
    assert_checks_clean(tmp.path());
}

#[test]
fn init_takes_its_folder_from_root_too_but_not_twice() {
    let tmp = TempDir::new("init-root");
    let dir = tmp.join("ueber-root");
    let run = casebook(&[OsStr::new("--root"), dir.as_os_str(), OsStr::new("init")]);
    run.assert_exit(0);
    assert!(dir.join("content/site.yaml").is_file(), "{}", run.output());
    assert_checks_clean(&dir);
    // Two different folders: which one was meant? Neither is made.
    let (a, b) = (tmp.join("a"), tmp.join("b"));
    let run = casebook(&[
        OsStr::new("--root"),
        a.as_os_str(),
        OsStr::new("init"),
        b.as_os_str(),
    ]);
    run.assert_exit(1);
    assert!(run.stderr.contains("once"), "{}", run.output());
    assert!(!a.exists() && !b.exists(), "{}", run.output());
    // No folder at all.
    let run = casebook(&["init"]);
    run.assert_exit(1);
    assert!(
        run.stderr.contains("casebook init <dir>"),
        "{}",
        run.output()
    );
}

#[test]
fn init_refuses_a_folder_that_is_not_empty() {
    let tmp = TempDir::new("init-full");
    std::fs::write(tmp.join("notizen.txt"), "meins").expect("write");
    let before = common::snapshot(tmp.path());
    let run = casebook(&[OsStr::new("init"), tmp.path().as_os_str()]);
    run.assert_exit(1);
    assert!(run.stderr.contains("not empty"), "{}", run.output());
    common::assert_same_tree(&before, &common::snapshot(tmp.path()), "the folder");
}

#[test]
fn new_creates_a_prefilled_entry_that_checks_and_is_never_overwritten() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let title = "Ein neuer Fall: Test";
    let run = new_entry(&root, "format", title);
    run.assert_exit(0);
    let path = root.join("content/formate/ein-neuer-fall-test.md");
    assert!(path.is_file(), "{}", run.output());
    assert!(
        run.stdout
            .trim()
            .ends_with("content/formate/ein-neuer-fall-test.md"),
        "`new` prints the path of the new file on stdout\n{}",
        run.output()
    );
    let text = std::fs::read_to_string(&path).expect("read new entry");

    // Every field of the type is there, set or commented out, with a comment line above it.
    let site = common::read_yaml(&root.join("content/site.yaml"));
    let format = site["types"]
        .as_sequence()
        .expect("types")
        .iter()
        .find(|t| t["key"].as_str() == Some("format"))
        .expect("type format");
    let lines: Vec<&str> = text.lines().collect();
    for field in format["fields"].as_sequence().expect("fields") {
        let key = field.as_str().expect("field key");
        let at = lines
            .iter()
            .position(|l| l.starts_with(&format!("{key}:")) || l.starts_with(&format!("# {key}:")))
            .unwrap_or_else(|| panic!("field `{key}` missing from the new entry:\n{text}"));
        assert!(
            at > 0 && lines[at - 1].starts_with('#'),
            "field `{key}` has no comment above it:\n{text}"
        );
        // The comment block right above the field names its label.
        let label = site["fields"][key]["label"].as_str().expect("label");
        let comment: Vec<&str> = lines[..at]
            .iter()
            .rev()
            .take_while(|l| l.starts_with('#') && !is_field_line(l))
            .copied()
            .collect();
        assert!(
            comment.iter().any(|l| l.contains(label)),
            "the comment above `{key}` does not name its label `{label}`:\n{text}"
        );
    }
    // The title is stored exactly, colon and all.
    let front = text
        .strip_prefix("---\n")
        .and_then(|r| r.split_once("\n---\n"))
        .map(|(f, _)| f)
        .expect("front matter");
    let fields: casebook::source::yaml::Value =
        casebook::source::yaml::from_str(front).expect("front matter parses");
    assert_eq!(fields["titel"].as_str(), Some(title));

    let json = assert_checks_with_draft_warnings(&root);
    assert_eq!(json["entries"].as_u64(), Some(7));

    // A second `new` with the same title fails and leaves the file as it was.
    std::fs::write(&path, text.replace("\"…\"", "Schon ausgefüllt.")).expect("edit entry");
    let edited = std::fs::read(&path).expect("read");
    let again = new_entry(&root, "format", title);
    again.assert_exit(1);
    assert!(
        again.stderr.contains("already exists"),
        "{}",
        again.output()
    );
    assert_eq!(
        std::fs::read(&path).expect("read"),
        edited,
        "the entry was overwritten"
    );
}

#[test]
fn new_refuses_an_existing_yaml_entry_of_the_same_name() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let before = common::snapshot(&root);
    // valid-small has orte/markthalle-sued.yaml.
    let run = new_entry(&root, "ort", "Markthalle Süd");
    run.assert_exit(1);
    assert!(run.stderr.contains("already exists"), "{}", run.output());
    common::assert_same_tree(&before, &common::snapshot(&root), "the catalogue");
}

#[test]
fn new_with_an_unknown_type_fails_clearly() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let before = common::snapshot(&root);
    let run = new_entry(&root, "platz", "Ein Platz");
    run.assert_exit(1);
    assert!(
        run.stderr.contains("unknown type `platz`"),
        "{}",
        run.output()
    );
    for key in ["ort", "format", "strategie"] {
        assert!(
            run.stderr.contains(key),
            "the message should list `{key}`\n{}",
            run.output()
        );
    }
    common::assert_same_tree(&before, &common::snapshot(&root), "the catalogue");
}

#[test]
fn new_accepts_the_folder_name_as_type() {
    let (_tmp, root) = catalogue_copy("valid-small");
    new_entry(&root, "strategien", "Neue Strategie").assert_exit(0);
    assert!(root.join("content/strategien/neue-strategie.md").is_file());
    assert_checks_with_draft_warnings(&root);
}

#[test]
fn new_keeps_hostile_titles_inside_the_type_folder() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let long = "Sehr langer Titel ".repeat(20);
    for (title, file) in [
        ("../../etc/passwd", "etc-passwd.md"),
        ("Straße & Ärger / Übermut", "strasse-aerger-uebermut.md"),
    ] {
        let run = new_entry(&root, "ort", title);
        run.assert_exit(0);
        assert!(
            root.join("content/orte").join(file).is_file(),
            "{}",
            run.output()
        );
    }
    let run = new_entry(&root, "ort", &long);
    run.assert_exit(0);
    let created = std::path::PathBuf::from(run.stdout.trim());
    let name = created
        .file_name()
        .expect("file name")
        .to_string_lossy()
        .into_owned();
    assert!(name.len() <= 104, "file name too long: {name}");
    assert!(
        created.starts_with(root.join("content/orte")),
        "{}",
        created.display()
    );
    assert_checks_with_draft_warnings(&root);
    // A title without letters or digits cannot become a file name.
    let run = new_entry(&root, "ort", "!!! ???");
    run.assert_exit(1);
    assert!(run.stderr.contains("file name"), "{}", run.output());
}

/// `check` and `build` refuse a type folder that links outside the catalogue; `new` refuses to
/// write through it, and the folder outside stays as it was.
#[test]
fn new_refuses_a_type_folder_that_links_outside() {
    let (tmp, root) = catalogue_copy("valid-small");
    let outside = tmp.join("anderswo");
    std::fs::rename(root.join("content/orte"), &outside).expect("move orte");
    std::os::unix::fs::symlink(&outside, root.join("content/orte")).expect("symlink");
    let before = common::snapshot(&outside);
    let run = new_entry(&root, "ort", "Neuer Ort");
    run.assert_exit(1);
    assert!(run.stderr.contains("links outside"), "{}", run.output());
    common::assert_same_tree(&before, &common::snapshot(&outside), "the folder outside");
    let (check, json) = check_json(&root);
    check.assert_exit(1);
    let codes: Vec<String> = common::json_diags(&json.expect("json"))
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(codes.iter().any(|c| c == "symlink-outside"), "{codes:?}");
}

/// After builds, `git status` in a new catalogue shows only the catalogue's own files: the
/// skeleton's `.gitignore` covers the output and everything casebook keeps beside it.
#[test]
fn init_ignores_everything_a_build_leaves() {
    let git = |dir: &Path, args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
    };
    let tmp = TempDir::new("init-git");
    let dir = tmp.join("katalog");
    casebook(&[OsStr::new("init"), dir.as_os_str()]).assert_exit(0);
    match git(&dir, &["init", "-q"]) {
        Ok(o) if o.status.success() => {}
        other => panic!("git is needed for this test: {other:?}"),
    }
    let public = dir.join("public");
    for _ in 0..2 {
        common::build(&dir, &dir.join("output"), &["--no-search"]).assert_exit(0);
        common::build(&dir, &public, &["--no-search"]).assert_exit(0);
    }
    for kept in [".output.casebook-spare", ".public.casebook-spare"] {
        assert!(dir.join(kept).is_dir(), "no {kept} to ignore");
    }
    let status = git(&dir, &["status", "--porcelain", "--untracked-files=all"]).expect("git");
    let status = String::from_utf8_lossy(&status.stdout);
    let stray: Vec<&str> = status
        .lines()
        .filter(|l| !(l.starts_with("?? content/") || *l == "?? .gitignore"))
        .filter(|l| *l != "?? .vscode/settings.json")
        .filter(|l| !l.starts_with("?? public/"))
        .collect();
    assert!(stray.is_empty(), "git status shows:\n{}", stray.join("\n"));
}
