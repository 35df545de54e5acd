//! `casebook schema`: JSON Schema (draft 2020-12) of a catalogue, for the editors' YAML tools
//! (yaml-language-server, VS Code's `yaml.schemas`) where the language server does not reach:
//! one schema per entry type (its fields with their kinds, what is required, the terms of each
//! vocabulary and the ids of the entries a reference may name), one for site.yaml and one for
//! the vocabularies. The folder it writes is casebook's own; see [`write`].

use crate::config::{Config, FieldDef, FieldKind, ListItem, IMAGE_KEYS};
use crate::model::Entry;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;

mod write;

pub use write::{vscode_settings, write, SchemaError, Written, DEFAULT_DIR};

/// The JSON Schema dialect of every schema written.
pub const DRAFT: &str = "https://json-schema.org/draft/2020-12/schema";

/// The `$comment` that marks a file as casebook's: only files carrying it are replaced.
pub const MARK: &str = "Written by `casebook schema` from content/site.yaml. casebook replaces \
                        this file when the schemas are written again; edit site.yaml instead.";

/// The file name of the schema of site.yaml.
pub const SITE_FILE: &str = "site.schema.json";
/// The file name of the schema of the vocabularies.
pub const VOCABULARY_FILE: &str = "vocabulary.schema.json";

/// The file name of the schema of entry type `key`.
pub fn type_file(key: &str) -> String {
    format!("{key}.schema.json")
}

/// The file name of the schema of translations of entries of type `key`.
pub fn translation_file(key: &str) -> String {
    format!("{key}.translation.schema.json")
}

/// Every schema of a catalogue with its file name: one per entry type, site.yaml's, the
/// vocabularies'. `entries` are the ids reference fields may name.
pub fn schemas(config: &Config, entries: &[Arc<Entry>]) -> Vec<(String, Value)> {
    let ids = EntryIds::new(config, entries);
    let mut out: Vec<(String, Value)> = (0..config.types.len())
        .map(|t| (type_file(&config.types[t].key), entry_type(config, t, &ids)))
        .collect();
    if config.languages.len() > 1 {
        out.extend((0..config.types.len()).map(|t| {
            let key = &config.types[t].key;
            (translation_file(key), translation(config, t, &ids))
        }));
    }
    let site = titled(
        crate::config::site_json_schema(),
        "site.yaml",
        "The schema of a casebook catalogue: its types, fields, roles and facets.",
    );
    out.push((SITE_FILE.into(), site));
    let vocabulary = titled(
        crate::config::vocabulary_json_schema(),
        "Vocabulary",
        "A controlled vocabulary in content/vocabularies/: its terms, each with a key and a label.",
    );
    out.push((VOCABULARY_FILE.into(), vocabulary));
    out
}

fn titled(mut schema: Value, title: &str, description: &str) -> Value {
    if let Some(map) = schema.as_object_mut() {
        map.insert("$comment".into(), MARK.into());
        map.insert("title".into(), title.into());
        map.insert("description".into(), description.into());
    }
    schema
}

/// The entries a reference may name, by type: their ids and, where unique among the types a
/// field allows, their bare slugs (as `check` accepts them).
struct EntryIds<'e> {
    by_type: Vec<Vec<&'e Entry>>,
}

impl<'e> EntryIds<'e> {
    fn new(config: &Config, entries: &'e [Arc<Entry>]) -> Self {
        let mut by_type = vec![Vec::new(); config.types.len()];
        for e in entries {
            if let Some(list) = by_type.get_mut(e.type_index) {
                list.push(e.as_ref());
            }
        }
        EntryIds { by_type }
    }

    /// The ids field `def` accepts, each with the entry's title as its description.
    fn accepted(&self, config: &Config, def: &FieldDef) -> Vec<Value> {
        let allowed: Vec<&Entry> = def
            .to
            .iter()
            .filter_map(|t| config.type_index(t))
            .flat_map(|t| self.by_type[t].iter().copied())
            .collect();
        let mut slugs: HashMap<&str, usize> = HashMap::new();
        for e in &allowed {
            *slugs.entry(e.slug.as_str()).or_default() += 1;
        }
        let mut out = Vec::with_capacity(allowed.len() * 2);
        for e in &allowed {
            out.push(json!({ "const": e.id, "description": e.title }));
        }
        for e in &allowed {
            if slugs[e.slug.as_str()] == 1 {
                out.push(json!({ "const": e.slug, "description": e.title }));
            }
        }
        out
    }
}

/// The schema of one entry type's fields (a Markdown file's front matter, or a YAML entry with
/// its `body`).
fn entry_type(config: &Config, t: usize, ids: &EntryIds) -> Value {
    let ty = &config.types[t];
    let mut properties = Map::new();
    let mut required = Vec::new();
    let mut filled = Map::new();
    for key in &ty.fields {
        let Some(def) = config.fields.get(key) else {
            continue;
        };
        if def.required {
            required.push(Value::from(key.as_str()));
            filled.insert(key.clone(), json!({ "not": empty() }));
        }
        // An empty field counts as absent (and a required one must not be empty, below).
        let mut schema = json!({ "anyOf": [field(config, def, ids), { "type": "null" }] });
        if let Some(map) = schema.as_object_mut() {
            map.insert("title".into(), def.label.to_string().into());
            if let Some(d) = &def.description {
                map.insert("description".into(), d.to_string().into());
            }
        }
        properties.insert(key.clone(), schema);
    }
    properties.insert(
        "body".into(),
        json!({
            "type": ["string", "null"],
            "description": "The text in Markdown (in a pure-YAML entry; a Markdown file has it below the front matter)",
        }),
    );
    let mut schema = json!({
        "$schema": DRAFT,
        "$comment": MARK,
        "title": ty.label,
        "type": "object",
        "properties": properties,
        "additionalProperties": false,
    });
    if let Some(d) = &ty.description {
        schema["description"] = d.to_string().into();
    }
    // Required fields must be there and filled, but in a draft (`check` warns there).
    let rule = json!({ "required": required, "properties": filled });
    let draft = config
        .roles
        .draft
        .as_ref()
        .filter(|d| ty.fields.contains(d));
    match draft {
        Some(d) => {
            schema["if"] = json!({ "properties": { d: { "const": true } }, "required": [d] });
            schema["else"] = rule;
        }
        None => schema["allOf"] = json!([rule]),
    }
    schema
}

/// The schema of a translation of an entry of type `t` (`<slug>.<language>.yaml`): the
/// type's texts, its own address (`slug`) and the body; the title filled; no facts, which come
/// from the original (`check` says so with `translation-repeats-field` or `-differs`).
fn translation(config: &Config, t: usize, ids: &EntryIds) -> Value {
    let mut schema = entry_type(config, t, ids);
    if let Some(properties) = schema["properties"].as_object_mut() {
        properties.retain(|k, _| k == "body" || crate::check::is_translatable(config, k));
        properties.insert(
            crate::check::SLUG_KEY.into(),
            json!({
                "type": "string",
                "pattern": "^[a-z0-9_][a-z0-9_-]*$",
                "description": "The page's address in this language (the original's when left out)",
            }),
        );
    }
    let title = &config.roles.title;
    schema["title"] = format!("{} (translation)", config.types[t].label).into();
    schema["allOf"] = json!([{ "required": [title], "properties": { title: { "not": empty() } } }]);
    if let Some(map) = schema.as_object_mut() {
        map.remove("if");
        map.remove("else");
    }
    schema
}

/// A value `check` takes for nothing: null, blank text or a placeholder (`…`), an empty list
/// or one of such values, an empty mapping.
fn empty() -> Value {
    let blank = json!({ "type": "string", "pattern": "^\\s*[….]*\\s*$" });
    json!({ "anyOf": [
        { "type": "null" },
        blank,
        { "type": "array", "items": { "anyOf": [{ "type": "null" }, blank] } },
        { "type": "object", "maxProperties": 0 },
    ]})
}

/// What a value of field `def` may be, as `check` accepts it. One arm per field kind: a new
/// kind says here what it accepts.
fn field(config: &Config, def: &FieldDef, ids: &EntryIds) -> Value {
    match def.kind {
        FieldKind::Text | FieldKind::Markdown => text(),
        FieldKind::Boolean => json!({ "type": "boolean" }),
        FieldKind::Number => json!({ "type": "number" }),
        FieldKind::Year => json!({ "anyOf": [
            { "type": "integer", "minimum": 1000, "maximum": 2200 },
            { "type": "string", "pattern": "^\\s*(1[0-9]{3}|2[01][0-9]{2}|2200)\\s*$" },
        ]}),
        // A date, or (for events) a date with a local time: `2026-05-04 18:30`.
        FieldKind::Date => json!({ "anyOf": [
            { "type": "string", "format": "date", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}\\s*$" },
            { "type": "string", "pattern": "^\\s*[0-9]{4}-[0-9]{2}-[0-9]{2}[ T]([01][0-9]|2[0-3]):[0-5][0-9]\\s*$" },
        ]}),
        FieldKind::Url => url(),
        FieldKind::Email => json!({
            "type": "string",
            "format": "email",
            "pattern": "^\\s*[^@\\s]+@[^@\\s.]([^@\\s]*\\.)+[^@\\s.]+\\s*$",
        }),
        FieldKind::Geo => json!({
            "type": "object",
            "properties": {
                "lat": { "type": "number", "minimum": -90, "maximum": 90 },
                "lon": { "type": "number", "minimum": -180, "maximum": 180 },
            },
            "required": ["lat", "lon"],
            "additionalProperties": false,
        }),
        FieldKind::Image => {
            let item = picture(config);
            match def.multiple {
                true => json!({ "anyOf": [item, { "type": "array", "items": item }] }),
                false => item,
            }
        }
        FieldKind::Facet => {
            let terms = config
                .facet_vocabulary(&def.key)
                .map(|v| {
                    v.order()
                        .iter()
                        .map(|&(i, _)| {
                            let t = &v.terms[i];
                            json!({ "const": t.key, "description": t.label })
                        })
                        .collect()
                })
                .unwrap_or_default();
            one_or_many(one_of(terms), def.multiple)
        }
        FieldKind::Reference => one_or_many(one_of(ids.accepted(config, def)), def.multiple),
        FieldKind::List => {
            let item = match def.item {
                ListItem::Text => text(),
                ListItem::Url => url(),
                ListItem::Link => json!({ "anyOf": [
                    text(),
                    {
                        "type": "object",
                        "properties": { "title": text(), "url": url() },
                        "additionalProperties": false,
                        "anyOf": [{ "required": ["title"] }, { "required": ["url"] }],
                    },
                ]}),
            };
            one_or_many(item, true)
        }
    }
}

/// Text as `check` reads it: a string, or a number taken as written.
fn text() -> Value {
    json!({ "type": ["string", "number"] })
}

fn url() -> Value {
    json!({
        "type": "string",
        "format": "uri",
        "pattern": "^\\s*[hH][tT][tT][pP][sS]?://[^/\\s]",
    })
}

/// One of the given values (`false`, nothing, when there are none).
fn one_of(values: Vec<Value>) -> Value {
    match values.is_empty() {
        true => Value::Bool(false),
        false => json!({ "oneOf": values }),
    }
}

/// One picture of an `image` field: its sub-keys as [`IMAGE_KEYS`] describes them, `credit`
/// required while `images.require_credit` holds, `alt` filled unless `decorative: true` (then
/// empty or absent).
fn picture(config: &Config) -> Value {
    let properties: Map<String, Value> = IMAGE_KEYS
        .iter()
        .map(|k| {
            let kind = match k.kind {
                "bool" => json!({ "type": "boolean", "description": k.description }),
                _ => json!({ "type": "string", "description": k.description }),
            };
            (k.key.to_string(), kind)
        })
        .collect();
    let required: Vec<&str> = IMAGE_KEYS
        .iter()
        .filter(|k| k.required && k.key != "alt")
        .filter(|k| k.key != "credit" || config.images.require_credit)
        .map(|k| k.key)
        .collect();
    json!({
        "type": "object",
        "properties": properties,
        "required": required,
        "additionalProperties": false,
        "if": { "properties": { "decorative": { "const": true } }, "required": ["decorative"] },
        "then": { "properties": { "alt": { "const": "" } } },
        "else": { "properties": { "alt": { "minLength": 1 } }, "required": ["alt"] },
    })
}

/// A value, or a list of them (of at most one where the field takes a single value): `check`
/// accepts `thema: x` for `thema: [x]`.
fn one_or_many(item: Value, multiple: bool) -> Value {
    let mut list = json!({ "type": "array", "items": item.clone() });
    if !multiple {
        list["maxItems"] = 1.into();
    }
    json!({ "anyOf": [item, list] })
}
