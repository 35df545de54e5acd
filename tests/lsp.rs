//! `casebook lsp` spoken to as an editor does: JSON-RPC over the real binary's stdin and stdout.
//! Diagnostics on unsaved text (with ranges, across files), completion, hover, go to
//! definition, quick fixes that leave a document that checks clean, shutdown and exit; and
//! input no editor should send, which must neither crash nor stall the server.
//! Run: `cargo test --test lsp`.

mod common;

use common::lsp::{self as lsp_client, frame, Client};
use common::{catalogue_copy, check_json};
use serde_json::{json, Value as Json};
use std::path::Path;

/// The fixture's Format with three slips: a term, a field name and a reference mistyped.
const WITH_SLIPS: &str = "---
titel: Reallabor Marktplatz
kurzbeschreibung: Drei Wochen lang wird der Marktplatz umgestaltet.
handlungsfeld: [zentren, handel]
thema: [beteiligung, zwischennutzng]
stdt: Göttingen
eingesetzt_an: [ort/markthalle-sud]
siehe_auch: [strategie/leerstandsprogramm]
---
Das Reallabor begann im [Stadtteilbüro](@/orte/stadtteilbuero-nord.md).
";

fn codes(diagnostics: &[Json]) -> Vec<String> {
    let mut codes: Vec<String> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect();
    codes.sort();
    codes
}

fn position(line: u32, character: u32) -> Json {
    json!({ "line": line, "character": character })
}

/// The 0-based line and UTF-16 column of the first `needle` in `text`, plus `into` characters.
fn find(text: &str, needle: &str, into: usize) -> Json {
    let at = text.find(needle).expect("needle in text");
    let line = text[..at].matches('\n').count();
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    let column: usize = text[start..at].encode_utf16().count() + into;
    position(line as u32, column as u32)
}

fn text_position(uri: &str, at: Json) -> Json {
    json!({ "textDocument": { "uri": uri }, "position": at })
}

/// Applies LSP text edits (non-overlapping) to `text`.
fn apply(text: &str, edits: &[Json]) -> String {
    let offset = |p: &Json| {
        let line = p["line"].as_u64().unwrap() as usize;
        let col = p["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let line_text = text[start..].split('\n').next().unwrap();
        let mut units = 0;
        let mut byte = line_text.len();
        for (i, c) in line_text.char_indices() {
            if units >= col {
                byte = i;
                break;
            }
            units += c.len_utf16();
        }
        start + byte
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (from, to, new) in edits {
        out.replace_range(from..to, &new);
    }
    out
}

fn labels(items: &Json) -> Vec<String> {
    let list = items.as_array().or_else(|| items["items"].as_array());
    list.into_iter()
        .flatten()
        .map(|i| i["label"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn an_editing_session_from_diagnostics_to_a_quick_fix_that_checks_clean() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let root = root.canonicalize().unwrap();
    let file = root.join("content/formate/reallabor-marktplatz.md");
    let mut client = Client::initialized(&root);
    let uri = client.open(&file, WITH_SLIPS);

    // Diagnostics of the unsaved text, each at the word it is about.
    let diagnostics = client.diagnostics(&uri, |d| d.len() >= 3);
    assert_eq!(
        codes(&diagnostics),
        ["missing-reference", "unknown-field", "unknown-term"],
        "{diagnostics:#?}"
    );
    let term = diagnostics
        .iter()
        .find(|d| d["code"] == "unknown-term")
        .unwrap();
    assert_eq!(
        term["range"]["start"],
        find(WITH_SLIPS, "zwischennutzng", 0)
    );
    assert_eq!(term["range"]["end"], find(WITH_SLIPS, "zwischennutzng", 14));
    assert_eq!(term["severity"], 1);
    assert_eq!(term["source"], "casebook");
    let message = term["message"].as_str().unwrap();
    assert!(
        message.contains("did you mean `zwischennutzung`?"),
        "{message}"
    );
    let reference = diagnostics
        .iter()
        .find(|d| d["code"] == "missing-reference")
        .unwrap();
    assert_eq!(
        reference["range"]["start"],
        find(WITH_SLIPS, "ort/markthalle-sud", 0)
    );

    // Completion in a facet list: the vocabulary's terms, but not the one given already.
    let at = find(WITH_SLIPS, "zwischennutzng", 0);
    let items = client.request("textDocument/completion", text_position(&uri, at));
    let offered = labels(&items["result"]);
    for term in ["zwischennutzung", "klima", "foerderung"] {
        assert!(offered.contains(&term.to_string()), "{offered:?}");
    }
    assert!(!offered.contains(&"beteiligung".to_string()), "{offered:?}");
    let klima = items["result"]
        .as_array()
        .or_else(|| items["result"]["items"].as_array())
        .unwrap()
        .iter()
        .find(|i| i["label"] == "klima")
        .unwrap()
        .clone();
    assert_eq!(klima["detail"], "Klima und Umwelt");
    // Field names of the type, the ones written already left out.
    let fresh = "---\ntitel: X\n\n---\n";
    let new_file = root.join("content/orte/neuer-ort.md");
    let new_uri = client.open(&new_file, fresh);
    let items = client.request(
        "textDocument/completion",
        text_position(&new_uri, position(2, 0)),
    );
    let fields = labels(&items["result"]);
    assert!(fields.contains(&"handlungsfeld".to_string()), "{fields:?}");
    assert!(!fields.contains(&"titel".to_string()), "{fields:?}");
    assert!(
        !fields.contains(&"eingesetzt_an".to_string()),
        "not a field of Orte: {fields:?}"
    );
    // Reference ids: only of the types the field allows, with their titles.
    let at = find(WITH_SLIPS, "ort/markthalle-sud", 4);
    let items = client.request("textDocument/completion", text_position(&uri, at));
    let ids = labels(&items["result"]);
    assert!(ids.contains(&"ort/markthalle-sued".to_string()), "{ids:?}");
    assert!(ids.iter().all(|i| i.starts_with("ort/")), "{ids:?}");
    // `@/` links in the body.
    let at = find(WITH_SLIPS, "orte/stadtteilbuero", 0);
    let items = client.request("textDocument/completion", text_position(&uri, at));
    let links = labels(&items["result"]);
    assert!(links.contains(&"pages/ueber.md".to_string()), "{links:?}");

    // Hover on a term, a field name and a reference: what each stands for.
    for (needle, shows) in [
        ("beteiligung", ["Beteiligung", "Thema"]),
        ("handlungsfeld", ["Handlungsfeld", "facet"]),
        ("strategie/leerstand", ["Leerstandsprogramm", "Strategie"]),
    ] {
        let hover = client.request(
            "textDocument/hover",
            text_position(&uri, find(WITH_SLIPS, needle, 3)),
        );
        let shown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
        assert!(shows.iter().all(|s| shown.contains(s)), "{needle}: {hover}");
    }

    // Go to definition: a reference, an `@/` link, a term.
    let target = |client: &mut Client, needle: &str| {
        let answer = client.request(
            "textDocument/definition",
            text_position(&uri, find(WITH_SLIPS, needle, 2)),
        );
        answer["result"].clone()
    };
    let to_entry = target(&mut client, "strategie/leerstandsprogramm");
    assert_eq!(
        to_entry["uri"],
        lsp_client::uri(&root.join("content/strategien/leerstandsprogramm.md"))
    );
    let to_link = target(&mut client, "orte/stadtteilbuero-nord.md");
    assert_eq!(
        to_link["uri"],
        lsp_client::uri(&root.join("content/orte/stadtteilbuero-nord.md"))
    );
    let to_term = target(&mut client, "beteiligung");
    assert_eq!(
        to_term["uri"],
        lsp_client::uri(&root.join("content/vocabularies/themen.yaml"))
    );
    let vocabulary =
        std::fs::read_to_string(root.join("content/vocabularies/themen.yaml")).unwrap();
    assert_eq!(
        to_term["range"]["start"]["line"],
        find(&vocabulary, "key: beteiligung", 0)["line"]
    );

    // Quick fixes: one per did-you-mean; applied, the document checks clean.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": position(0, 0), "end": position(9, 0) },
            "context": { "diagnostics": diagnostics },
        }),
    );
    let actions = actions["result"].as_array().cloned().unwrap_or_default();
    assert_eq!(actions.len(), 3, "{actions:#?}");
    let edits: Vec<Json> = actions
        .iter()
        .flat_map(|a| {
            a["edit"]["changes"][&uri]
                .as_array()
                .cloned()
                .unwrap_or_default()
        })
        .collect();
    let fixed = apply(WITH_SLIPS, &edits);
    assert!(
        fixed.contains("stadt: Göttingen") && fixed.contains("[ort/markthalle-sued]"),
        "{fixed}"
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "text": fixed }],
        }),
    );
    client.diagnostics(&uri, |d| d.is_empty());
    std::fs::write(&file, &fixed).unwrap();
    std::fs::remove_file(&new_file).ok();
    let (run, json) = check_json(&root);
    run.assert_exit(0);
    assert_eq!(json.unwrap()["errors"], 0);

    client.shutdown();
}

#[test]
fn edits_are_incremental_and_cross_file_problems_see_unsaved_buffers() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let root = root.canonicalize().unwrap();
    let mut client = Client::initialized(&root);
    // An unsaved entry takes the address of one on disk.
    let twin = root.join("content/orte/Markthalle Süd.md");
    let text = "---\ntitel: Zwilling\nkurzbeschreibung: K\nhandlungsfeld: [leerstand]\n---\n";
    let twin_uri = client.open(&twin, text);
    let diagnostics = client.diagnostics(&twin_uri, |d| !d.is_empty());
    assert_eq!(
        codes(&diagnostics),
        ["slug-collision", "unclean-file-name"],
        "{diagnostics:#?}"
    );
    let collision = diagnostics
        .iter()
        .find(|d| d["code"] == "slug-collision")
        .unwrap();
    assert_eq!(
        collision["relatedInformation"][0]["location"]["uri"],
        lsp_client::uri(&root.join("content/orte/markthalle-sued.yaml"))
    );

    // A reference to an entry that exists only in an unsaved buffer resolves.
    let fresh = root.join("content/orte/neuer-treffpunkt.md");
    client.open(
        &fresh,
        "---\ntitel: Neu\nkurzbeschreibung: K\nhandlungsfeld: [leerstand]\n---\n",
    );
    let format = root.join("content/formate/neues-format.md");
    let original = "---\ntitel: F\nkurzbeschreibung: K\nhandlungsfeld: [leerstand]\n---\n";
    let format_uri = client.open(&format, original);
    client.diagnostics(&format_uri, |d| d.is_empty());
    // Typed in, one keystroke after the other: a reference to it, then a typo in it.
    let line = 4;
    let mut version = 1;
    for piece in ["eingesetzt_an: [ort/neuer-", "treffpunkt]\n"] {
        version += 1;
        let column = if version == 2 { 0 } else { 26 };
        client.notify(
            "textDocument/didChange",
            json!({
                "textDocument": { "uri": format_uri, "version": version },
                "contentChanges": [{
                    "range": { "start": position(line, column), "end": position(line, column) },
                    "text": piece,
                }],
            }),
        );
    }
    let hover = client.request(
        "textDocument/hover",
        text_position(&format_uri, position(line, 20)),
    );
    assert!(
        hover["result"]["contents"]["value"]
            .as_str()
            .unwrap_or("")
            .contains("Neu"),
        "{hover}"
    );
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": format_uri, "version": 4 },
            "contentChanges": [{
                "range": { "start": position(line, 30), "end": position(line, 31) },
                "text": "X",
            }],
        }),
    );
    let diagnostics = client.diagnostics(&format_uri, |d| !d.is_empty());
    assert_eq!(
        codes(&diagnostics),
        ["missing-reference"],
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics[0]["range"]["start"], position(line, 16));
    // Closing the twin without saving: its problem is gone with it.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": twin_uri } }),
    );
    client.diagnostics(&twin_uri, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn site_yaml_and_vocabularies_are_checked_as_typed() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let root = root.canonicalize().unwrap();
    let mut client = Client::initialized(&root);
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    let broken = text.replacen(
        "fields: [titel, kurzbeschreibung, handlungsfeld, thema, stadt, lage",
        "fields: [titel, kurzbeschreibung, handlungsfeld, thema, stadt, lag",
        1,
    );
    let site_uri = client.open(&site, &broken);
    let diagnostics = client.diagnostics(&site_uri, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["invalid-schema"], "{diagnostics:#?}");
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": site_uri },
            "range": diagnostics[0]["range"],
            "context": { "diagnostics": diagnostics },
        }),
    );
    let edit = &actions["result"][0]["edit"]["changes"][&site_uri][0];
    assert_eq!(edit["newText"], "lage", "{actions}");
    let vocabulary = root.join("content/vocabularies/themen.yaml");
    let vocab_uri = client.open(
        &vocabulary,
        "label: Thema\nterms:\n  - { key: klima, label: Klima }\n  - { key: Klima, label: Doppelt }\n",
    );
    let diagnostics = client.diagnostics(&vocab_uri, |d| !d.is_empty());
    assert_eq!(
        diagnostics[0]["code"], "invalid-vocabulary",
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 3);
    client.shutdown();
}

#[test]
fn bad_input_never_crashes_or_stalls_the_server() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let root = root.canonicalize().unwrap();
    let mut client = Client::start(&root, &[]);
    // Before initialize, requests are refused.
    let early = client.request("textDocument/hover", json!({}));
    assert_eq!(early["error"]["code"], -32002, "{early}");
    let mut client = {
        drop(client);
        Client::initialized(&root)
    };
    // A body that is not JSON, and one that is JSON but not JSON-RPC: skipped.
    client.send_raw(&frame("{this is not json"));
    client.send_raw(&frame("[1, 2, 3]"));
    // Unknown methods: an error for a request, nothing for a notification.
    let unknown = client.request("casebook/nothing", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "{unknown}");
    client.notify("casebook/nothing", json!({ "x": 1 }));
    // Parameters of the wrong shape.
    let bad = client.request("textDocument/completion", json!({ "textDocument": 5 }));
    assert_eq!(bad["error"]["code"], -32602, "{bad}");
    // Positions past the end, a document outside the catalogue.
    let file = root.join("content/orte/stadtteilbuero-nord.md");
    let text = std::fs::read_to_string(&file).unwrap();
    let uri = client.open(&file, &text);
    let far = client.request(
        "textDocument/completion",
        text_position(&uri, position(99_999, 99_999)),
    );
    assert!(far.get("error").is_none(), "{far}");
    let outside = client.request(
        "textDocument/hover",
        text_position("file:///nowhere/at/all.md", position(0, 0)),
    );
    assert!(outside["result"].is_null(), "{outside}");
    // A document over the size limit gets the diagnostic a file of its size gets.
    let huge = format!(
        "---\ntitel: X\n---\n{}",
        "Sehr langer Text. ".repeat(1_000_000)
    );
    let huge_uri = client.open(&root.join("content/orte/riesig.md"), &huge);
    let diagnostics = client.diagnostics(&huge_uri, |d| !d.is_empty());
    assert_eq!(codes(&diagnostics), ["file-too-large"]);
    // The server still answers.
    let hover = client.request(
        "textDocument/hover",
        text_position(&uri, find(&text, "titel", 1)),
    );
    assert!(hover["result"]["contents"]["value"].is_string(), "{hover}");
    let stderr = client.shutdown();
    assert!(stderr.contains("not JSON-RPC"), "{stderr}");
}

#[test]
fn a_broken_stream_ends_the_server_with_an_error() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Framing lost: a header without a colon.
    let mut client = Client::start(root, &[]);
    client.send_raw(b"hello there\r\n\r\n");
    let (status, stderr) = client.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("malformed header") && !stderr.contains("panicked"),
        "{stderr}"
    );
    // A length far over the limit is skipped unread, not allocated; the input then ends.
    let mut client = Client::start(root, &[]);
    client.send_raw(b"Content-Length: 18446744073709551615\r\n\r\n{}");
    let (status, stderr) = client.finish();
    assert_eq!(status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("skipped a message") && !stderr.contains("panicked"),
        "{stderr}"
    );
}

#[test]
fn translations_are_checked_against_their_original_as_typed() {
    let (_tmp, root) = catalogue_copy("multilingual");
    let root = root.canonicalize().unwrap();
    let mut client = Client::initialized(&root);
    // A translation of an entry that does not exist, unsaved.
    let orphan = root.join("content/formate/reallabor.en.md");
    let orphan_uri = client.open(&orphan, "---\ntitel: Living lab\n---\n");
    let diagnostics = client.diagnostics(&orphan_uri, |d| !d.is_empty());
    assert_eq!(
        codes(&diagnostics),
        ["translation-without-original"],
        "{diagnostics:#?}"
    );
    // A translation that gives a fact of its own: an error at the fact's line.
    let walk = root.join("content/formate/quartiersspaziergang.en.md");
    let text = "---\ntitel: Neighbourhood walk\nthema: [klima]\n---\nA walk.\n";
    let walk_uri = client.open(&walk, text);
    let diagnostics = client.diagnostics(&walk_uri, |d| !d.is_empty());
    assert_eq!(
        codes(&diagnostics),
        ["translation-differs"],
        "{diagnostics:#?}"
    );
    assert_eq!(diagnostics[0]["range"]["start"]["line"], 2);
    // Only its texts: the fact removed, the problem goes.
    client.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": walk_uri, "version": 2 },
            "contentChanges": [{ "text": "---\ntitel: Neighbourhood walk\n---\nA walk.\n" }],
        }),
    );
    client.diagnostics(&walk_uri, |d| d.is_empty());
    client.shutdown();
}

#[test]
fn an_image_field_says_what_a_picture_takes() {
    let (_tmp, root) = catalogue_copy("valid-small");
    let root = root.canonicalize().unwrap();
    let site = root.join("content/site.yaml");
    let text = std::fs::read_to_string(&site).unwrap();
    let text = text
        .replacen(
            "fields:\n",
            "fields:\n  foto: { label: Foto, kind: image }\n",
            1,
        )
        .replacen("    fields: [titel, ", "    fields: [foto, titel, ", 1);
    std::fs::write(&site, text).unwrap();
    let file = root.join("content/orte/neuer-ort.md");
    let mut client = Client::initialized(&root);
    let doc = "---\ntitel: X\nfoto: { src: media/a.jpg }\n---\n";
    let uri = client.open(&file, doc);
    let hover = client.request(
        "textDocument/hover",
        text_position(&uri, find(doc, "foto", 1)),
    );
    let shown = hover["result"]["contents"]["value"].as_str().unwrap_or("");
    for key in [
        "`src`",
        "`alt`",
        "`credit` (text, required)",
        "`decorative` (bool)",
    ] {
        assert!(shown.contains(key), "{key}: {shown}");
    }
}
