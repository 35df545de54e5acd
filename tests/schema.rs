//! `casebook schema`: the JSON Schema it writes accepts every entry of the bundled catalogue,
//! site.yaml and the vocabularies, and rejects a broken entry as `check` does; it writes only
//! into the folder it owns and never over a file it did not make. The bundled
//! `.vscode/settings.json` maps the schemas as casebook computes the mapping.
//! Run: `cargo test --test schema`.

mod common;

use casebook::source::{self, yaml};
use common::{casebook, check_json, copy_dir, repo_root, TempDir};
use serde_json::Value as Json;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};

/// A copy of the bundled catalogue (its content/ only) with its schemas written.
fn bundled_with_schemas() -> (TempDir, PathBuf) {
    let tmp = TempDir::new("schema");
    let root = tmp.join("katalog");
    copy_dir(&repo_root().join("content"), &root.join("content"));
    let run = casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("schema")]);
    run.assert_exit(0);
    (tmp, root)
}

fn validator(root: &Path, name: &str) -> jsonschema::Validator {
    let path = root.join(".casebook/schema").join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let schema: Json = serde_json::from_str(&text).expect("a schema is JSON");
    assert_eq!(
        schema["$schema"],
        "https://json-schema.org/draft/2020-12/schema"
    );
    jsonschema::validator_for(&schema).unwrap_or_else(|e| panic!("{name} is no valid schema: {e}"))
}

/// The fields of an entry file as JSON: the front matter of a `.md`, all of a `.yaml`.
fn fields_as_json(path: &Path) -> Json {
    let text = std::fs::read_to_string(path).expect("read the entry");
    let yaml_text = match path.extension().and_then(|e| e.to_str()) {
        Some("md") => source::split_front_matter(&text, path)
            .expect("front matter")
            .front_matter
            .to_string(),
        _ => text,
    };
    let value: yaml::Value = yaml::from_str(&yaml_text).expect("YAML");
    serde_json::to_value(value).expect("as JSON")
}

fn yaml_as_json(path: &Path) -> Json {
    let value: yaml::Value =
        yaml::from_str(&std::fs::read_to_string(path).expect("read")).expect("YAML");
    serde_json::to_value(value).expect("as JSON")
}

fn problems(v: &jsonschema::Validator, instance: &Json) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect()
}

#[test]
fn every_bundled_entry_site_yaml_and_vocabulary_is_valid_and_a_broken_entry_is_not() {
    let (_tmp, root) = bundled_with_schemas();
    let config = casebook::config::Config::load(&root, &mut Default::default()).expect("config");
    let mut checked = 0;
    for ty in &config.types {
        let v = validator(&root, &format!("{}.schema.json", ty.key));
        // Translations (`x.en.md`) have a schema of their own: texts only.
        let translation = validator(&root, &format!("{}.translation.schema.json", ty.key));
        let dir = root.join("content").join(&ty.folder);
        let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
            .expect("type folder")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for file in files {
            let fields = fields_as_json(&file);
            let is_translation = file.to_string_lossy().ends_with(".en.md");
            let bad = problems(if is_translation { &translation } else { &v }, &fields);
            assert!(bad.is_empty(), "{}:\n{}", file.display(), bad.join("\n"));
            checked += 1;
        }
    }
    assert!(checked >= 90, "only {checked} entries");
    let site = validator(&root, "site.schema.json");
    let bad = problems(&site, &yaml_as_json(&root.join("content/site.yaml")));
    assert!(bad.is_empty(), "site.yaml:\n{}", bad.join("\n"));
    let vocabulary = validator(&root, "vocabulary.schema.json");
    for file in std::fs::read_dir(root.join("content/vocabularies"))
        .unwrap()
        .flatten()
    {
        let bad = problems(&vocabulary, &yaml_as_json(&file.path()));
        assert!(
            bad.is_empty(),
            "{}:\n{}",
            file.path().display(),
            bad.join("\n")
        );
    }

    // One entry broken three ways: `check` and the schema both reject it, for each reason.
    let ort = validator(&root, "ort.schema.json");
    let file = std::fs::read_dir(root.join("content/orte"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "md") && !p.to_string_lossy().ends_with(".en.md")
        })
        .expect("an Ort");
    let good = fields_as_json(&file);
    let mut unknown_term = good.clone();
    unknown_term["handlungsfeld"] = serde_json::json!(["kein-handlungsfeld"]);
    let mut unknown_field = good.clone();
    unknown_field["stdt"] = "Göttingen".into();
    let mut missing_required = good.clone();
    missing_required.as_object_mut().unwrap().remove("titel");
    let mut placeholder = good.clone();
    placeholder["kurzbeschreibung"] = "…".into();
    for (what, broken) in [
        ("an unknown term", &unknown_term),
        ("an unknown field", &unknown_field),
        ("no title", &missing_required),
        ("a placeholder for a summary", &placeholder),
    ] {
        assert!(
            !ort.is_valid(broken),
            "the schema accepts an Ort with {what}"
        );
    }
    // A draft may leave required fields empty (`check` warns), where the catalogue has drafts.
    if let Some(draft) = config.roles.draft.as_deref() {
        let mut draft_entry = placeholder.clone();
        draft_entry[draft] = true.into();
        let bad = problems(&ort, &draft_entry);
        assert!(bad.is_empty(), "a draft: {}", bad.join("\n"));
    }
    let text = std::fs::read_to_string(&file).unwrap();
    let (_, rest) = text.split_once("handlungsfeld:").unwrap();
    let line_end = rest.find('\n').unwrap();
    let broken_text = text.replacen(
        &format!("handlungsfeld:{}", &rest[..line_end]),
        "handlungsfeld: [kein-handlungsfeld]",
        1,
    );
    std::fs::write(&file, broken_text).unwrap();
    assert!(!ort.is_valid(&fields_as_json(&file)));
    let (run, json) = check_json(&root);
    run.assert_exit(1);
    let codes: Vec<String> = json.unwrap()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(codes, ["unknown-term"]);
}

#[test]
fn schema_writes_only_what_it_owns() {
    let (_tmp, root) = bundled_with_schemas();
    let dir = root.join(".casebook/schema");
    let ort = dir.join("ort.schema.json");
    let before = std::fs::metadata(&ort).unwrap().modified().unwrap();
    // Again: nothing changed, nothing written.
    let again = casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("schema")]);
    again.assert_exit(0);
    assert_eq!(std::fs::metadata(&ort).unwrap().modified().unwrap(), before);
    // A file casebook did not make stops the command before anything is written.
    std::fs::write(&ort, "{ \"mine\": true }\n").unwrap();
    let site = dir.join("site.schema.json");
    std::fs::remove_file(&site).unwrap();
    let refused = casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("schema")]);
    refused.assert_exit(1);
    assert!(
        refused
            .stderr
            .contains("was not written by `casebook schema`"),
        "{}",
        refused.output()
    );
    assert_eq!(
        std::fs::read_to_string(&ort).unwrap(),
        "{ \"mine\": true }\n"
    );
    assert!(!site.exists(), "a refusal writes nothing");
    // Never into content/.
    let inside = root.join("content/schemas");
    let refused = casebook(&[
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("schema"),
        OsStr::new("--output"),
        inside.as_os_str(),
    ]);
    refused.assert_exit(1);
    assert!(
        refused.stderr.contains("inside content/"),
        "{}",
        refused.output()
    );
    assert!(!inside.exists());
    // Elsewhere, when asked.
    let elsewhere = root.join("schemas");
    let run = casebook(&[
        OsStr::new("--root"),
        root.as_os_str(),
        OsStr::new("schema"),
        OsStr::new("--output"),
        elsewhere.as_os_str(),
    ]);
    run.assert_exit(0);
    assert!(elsewhere.join("ort.schema.json").is_file());
    assert!(
        run.stderr.contains("yaml.schemas"),
        "no settings to copy: {}",
        run.output()
    );
}

#[test]
fn the_bundled_vscode_settings_map_every_schema() {
    let root = repo_root();
    let config = casebook::config::Config::load(&root, &mut Default::default()).expect("config");
    let want = casebook::schema::vscode_settings(&config, Path::new(casebook::schema::DEFAULT_DIR));
    let text = std::fs::read_to_string(root.join(".vscode/settings.json")).expect("settings");
    let have: Json = serde_json::from_str(&text).expect("JSON");
    assert_eq!(
        have["yaml.schemas"], want["yaml.schemas"],
        "run `casebook schema` and copy its settings"
    );
}

#[test]
fn a_picture_is_held_to_what_check_asks_of_it() {
    let tmp = TempDir::new("schema-image");
    let root = tmp.join("katalog");
    copy_dir(&repo_root().join("content"), &root.join("content"));
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    let text = text
        .replacen(
            "fields:\n",
            "fields:\n  foto: { label: Foto, kind: image }\n  bilder: { label: Bilder, kind: image, multiple: true }\n",
            1,
        )
        .replacen("    fields: [", "    fields: [foto, bilder, ", 1);
    std::fs::write(&site, text).unwrap();
    casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("schema")]).assert_exit(0);
    let config = casebook::config::Config::load(&root, &mut Default::default()).expect("config");
    let first = &config.types[0];
    let v = validator(&root, &format!("{}.schema.json", first.key));
    let file = std::fs::read_dir(root.join("content").join(&first.folder))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.extension().is_some_and(|e| e == "md") && !p.to_string_lossy().ends_with(".en.md")
        })
        .expect("an entry");
    let good = fields_as_json(&file);
    let with = |field: &str, picture: Json| {
        let mut entry = good.clone();
        entry[field] = picture;
        entry
    };
    let full =
        serde_json::json!({ "src": "media/a.jpg", "alt": "Der Markt", "credit": "Foto: Stadt" });
    let decorative = serde_json::json!({ "src": "media/a.jpg", "alt": "", "decorative": true, "credit": "Foto: Stadt" });
    for (what, entry) in [
        ("a full picture", with("foto", full.clone())),
        ("a decorative picture", with("foto", decorative)),
        (
            "a gallery",
            with("bilder", serde_json::json!([full.clone(), full.clone()])),
        ),
        (
            "one picture in a gallery field",
            with("bilder", full.clone()),
        ),
    ] {
        let bad = problems(&v, &entry);
        assert!(bad.is_empty(), "{what}: {}", bad.join("\n"));
    }
    for (what, picture) in [
        ("a bare path", serde_json::json!("media/a.jpg")),
        (
            "no alt",
            serde_json::json!({ "src": "media/a.jpg", "credit": "Foto: Stadt" }),
        ),
        (
            "an empty alt without decorative",
            serde_json::json!({ "src": "media/a.jpg", "alt": "", "credit": "Foto: Stadt" }),
        ),
        (
            "no credit",
            serde_json::json!({ "src": "media/a.jpg", "alt": "Der Markt" }),
        ),
        (
            "an unknown key",
            serde_json::json!({ "src": "media/a.jpg", "alt": "Der Markt", "credit": "Foto: Stadt", "titel": "x" }),
        ),
        (
            "a list in a one-picture field",
            serde_json::json!([full.clone()]),
        ),
    ] {
        assert!(
            !v.is_valid(&with("foto", picture)),
            "the schema accepts {what}"
        );
    }
}

#[test]
fn site_schema_knows_collections_events_the_finder_and_their_addresses() {
    let (_tmp, root) = common::catalogue_copy("discovery");
    let run = casebook(&[OsStr::new("--root"), root.as_os_str(), OsStr::new("schema")]);
    run.assert_exit(0);
    let site = validator(&root, "site.schema.json");
    let good = yaml_as_json(&root.join("content/site.yaml"));
    let bad = problems(&site, &good);
    assert!(bad.is_empty(), "site.yaml:\n{}", bad.join("\n"));
    let mut with_urls = good.clone();
    with_urls["urls"] = serde_json::json!({ "calendar": "termine", "finder": "fragen", "compare": "nebeneinander" });
    let bad = problems(&site, &with_urls);
    assert!(bad.is_empty(), "urls:\n{}", bad.join("\n"));
    let mut misspelt_weight = good.clone();
    misspelt_weight["finder"]["questions"][1]["answers"][0]["wieght"] = 2.into();
    let mut weight_as_text = good.clone();
    weight_as_text["finder"]["questions"][1]["answers"][0]["weight"] = "viel".into();
    let mut no_start = good.clone();
    assert_eq!(no_start["types"][3]["key"], "werkstatt");
    no_start["types"][3]["event"]
        .as_object_mut()
        .unwrap()
        .remove("start");
    let mut unknown_collection_key = good.clone();
    unknown_collection_key["collections"]["ordner"] = "x".into();
    let mut unknown_segment = good.clone();
    unknown_segment["urls"] = serde_json::json!({ "kalender": "termine" });
    for (what, broken) in [
        ("a misspelt weight", &misspelt_weight),
        ("a weight in words", &weight_as_text),
        ("an event without start", &no_start),
        ("an unknown key in collections", &unknown_collection_key),
        ("an unknown page in urls", &unknown_segment),
    ] {
        assert!(!site.is_valid(broken), "the schema accepts {what}");
    }
    // An event's date may carry its time; the type's schema says so as `check` does.
    let werkstatt = validator(&root, "werkstatt.schema.json");
    let event = fields_as_json(&root.join("content/werkstaetten/werkstatt-abend-2099.md"));
    assert_eq!(event["termin_beginn"], "2099-05-04 18:30");
    let bad = problems(&werkstatt, &event);
    assert!(bad.is_empty(), "an event:\n{}", bad.join("\n"));
    let mut late = event.clone();
    late["termin_beginn"] = "2099-05-04 25:30".into();
    assert!(!werkstatt.is_valid(&late), "the schema accepts hour 25");
}
