//! casebook's diagnostics as the editor shows them, and the quick fixes their did-you-means
//! make.

use super::text::{path_to_uri, Encoding, Lines};
use super::workspace::Workspace;
use crate::diagnostic::{Diagnostic, Severity};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, DiagnosticRelatedInformation,
    DiagnosticSeverity, Location, NumberOrString, Position, Range, TextEdit, Uri, WorkspaceEdit,
};
use std::collections::HashMap;
use std::path::Path;

/// The `source` of every diagnostic casebook publishes.
pub const SOURCE: &str = "casebook";

/// One diagnostic for the editor: its range in `text` (the file as the editor has it), the
/// message with what was found and expected and the hint, and the suggestion as `data` when
/// it replaces exactly the word the range covers.
pub fn to_lsp(ws: &Workspace, d: &Diagnostic, text: &str, enc: Encoding) -> lsp_types::Diagnostic {
    let lines = Lines::new(text);
    let range = match (d.line, d.column) {
        (Some(line), Some(column)) => lines.range_of_chars(line, column, d.width, enc),
        (Some(line), None) => whole_line(&lines, line, enc),
        _ => whole_line(&lines, 1, enc),
    };
    let mut message = d.message.clone();
    for (name, value) in [
        ("found", &d.found),
        ("expected", &d.expected),
        ("help", &d.hint),
    ] {
        if let Some(v) = value {
            message.push_str(&format!("\n{name}: {v}"));
        }
    }
    let related = d.also.as_ref().and_then(|place| {
        let uri = path_to_uri(&ws.root.join(&place.file))?;
        let line = place.line.unwrap_or(1);
        let source = place.source_line.as_deref().unwrap_or("");
        let column = place.column.unwrap_or(1);
        let text = "\n".repeat(line.saturating_sub(1)) + source;
        let range = Lines::new(&text).range_of_chars(line, column, place.width, enc);
        Some(vec![DiagnosticRelatedInformation {
            location: Location::new(uri, range),
            message: format!("also {}", place.file.display()),
        }])
    });
    let data = d
        .suggestion
        .as_ref()
        .filter(|_| replaces_a_word(&lines, range, enc))
        .map(|s| serde_json::json!({ "suggestion": s }));
    lsp_types::Diagnostic {
        range,
        severity: Some(match d.severity {
            Severity::Error => DiagnosticSeverity::ERROR,
            Severity::Warning => DiagnosticSeverity::WARNING,
        }),
        code: Some(NumberOrString::String(d.code.to_string())),
        source: Some(SOURCE.to_string()),
        message,
        related_information: related,
        data,
        ..Default::default()
    }
}

fn whole_line(lines: &Lines, line: usize, enc: Encoding) -> Range {
    let l = line.saturating_sub(1);
    let text = lines.line(l);
    let l = l as u32;
    Range::new(
        Position::new(l, 0),
        Position::new(l, enc.column(text, text.len())),
    )
}

/// Whether `range` covers a whole word on one line: a quick fix then replaces the name the
/// diagnostic is about and nothing beside it.
fn replaces_a_word(lines: &Lines, range: Range, enc: Encoding) -> bool {
    if range.start.line != range.end.line {
        return false;
    }
    let line = lines.line(range.start.line as usize);
    let from = enc.offset(line, range.start.character);
    let to = enc.offset(line, range.end.character);
    let word = |c: char| c.is_alphanumeric() || matches!(c, '-' | '_' | '/' | '.');
    from < to
        && !line[..from].chars().next_back().is_some_and(word)
        && !line[to..].chars().next().is_some_and(word)
}

/// The quick fixes for the diagnostics the editor sends: each suggestion put in its place.
pub fn quick_fixes(uri: &Uri, diagnostics: &[lsp_types::Diagnostic]) -> Vec<CodeActionOrCommand> {
    diagnostics
        .iter()
        .filter(|d| d.source.as_deref() == Some(SOURCE))
        .filter_map(|d| {
            let suggestion = d.data.as_ref()?.get("suggestion")?.as_str()?;
            let edit = TextEdit::new(d.range, suggestion.to_string());
            Some(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!("Replace with `{suggestion}`"),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![d.clone()]),
                edit: Some(WorkspaceEdit::new(HashMap::from([(
                    uri.clone(),
                    vec![edit],
                )]))),
                is_preferred: Some(true),
                ..Default::default()
            }))
        })
        .collect()
}

/// The diagnostics of an open document for the editor.
pub fn of_document(
    ws: &Workspace,
    path: &Path,
    text: &str,
    enc: Encoding,
) -> Vec<lsp_types::Diagnostic> {
    ws.diagnostics_of(path)
        .into_iter()
        .map(|d| to_lsp(ws, d, text, enc))
        .collect()
}
