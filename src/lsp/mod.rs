//! `casebook lsp`: a language server on stdin and stdout for entries (`.md` with front matter,
//! `.yaml`), site.yaml and the vocabularies. A plain synchronous loop over the editor's messages,
//! as rust-analyzer's `lsp-server` has it; the analysis is the pipeline's own (`config`, `load`,
//! `check`) in [`workspace`], and this module only translates.
//!
//! Edits are checked when the messages that arrived are handled, so a burst of keystrokes is
//! checked once. Requests (completion, hover, …) see every edit sent before them.

mod complete;
mod cursor;
mod navigate;
mod report;
mod text;
pub mod transport;
mod workspace;

use lsp_server::{ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionParams, CodeActionProviderCapability,
    CompletionOptions, CompletionParams, DidChangeTextDocumentParams, DidChangeWatchedFilesParams,
    DidCloseTextDocumentParams, DidOpenTextDocumentParams, GotoDefinitionParams, HoverParams,
    HoverProviderCapability, OneOf, PositionEncodingKind, PublishDiagnosticsParams,
    ServerCapabilities, TextDocumentPositionParams, TextDocumentSyncCapability,
    TextDocumentSyncKind, Uri,
};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc::TryRecvError;
use text::{path_to_uri, uri_to_path, Encoding, Lines};
use transport::{Incoming, Writer};
use workspace::Workspace;

/// Runs the server until the editor says `exit` or closes the stream. `root` is the catalogue
/// folder; without it, the editor's workspace folder or the folder above an opened file that
/// holds `content/site.yaml`. An error when the editor left without `shutdown` (the protocol
/// asks for exit code 1 then) or the stream broke.
pub fn run(root: Option<PathBuf>, verbose: bool) -> Result<(), String> {
    let incoming = transport::spawn_reader(std::io::stdin());
    let mut server = Server {
        writer: Writer { failed: false },
        ws: None,
        root,
        enc: Encoding::default(),
        published: HashMap::new(),
        versions: HashMap::new(),
        initialized: false,
        shutdown: false,
        watch: false,
        next_id: 0,
        verbose,
    };
    loop {
        let next = match incoming.try_recv() {
            Ok(next) => next,
            Err(TryRecvError::Empty) => {
                // Nothing waiting: check what was edited and tell the editor.
                server.publish();
                match incoming.recv() {
                    Ok(next) => next,
                    Err(_) => break,
                }
            }
            Err(TryRecvError::Disconnected) => break,
        };
        match next {
            Incoming::Message(Message::Request(req)) => server.guarded_request(req),
            Incoming::Message(Message::Notification(n)) if n.method == "exit" => {
                return match server.shutdown {
                    true => Ok(()),
                    false => Err("the editor said exit before shutdown".into()),
                };
            }
            Incoming::Message(Message::Notification(n)) => server.guarded_notification(n),
            // Answers to our own requests (the registration of file watchers).
            Incoming::Message(Message::Response(_)) => {}
            Incoming::Skipped(why) => log(&why),
            Incoming::Broken(why) => {
                return Err(format!("cannot read the editor's messages: {why}"))
            }
        }
        if server.writer.failed {
            return Err("the editor closed the connection".into());
        }
    }
    match server.shutdown {
        true => Ok(()),
        false => Err("the editor closed the connection without shutdown".into()),
    }
}

/// Messages for whoever reads the server's stderr (editors keep it in their LSP log).
fn log(message: &str) {
    use std::io::Write;
    let _ = writeln!(std::io::stderr(), "casebook lsp: {message}");
}

struct Server {
    writer: Writer,
    ws: Option<Workspace>,
    /// The catalogue folder, once known.
    root: Option<PathBuf>,
    enc: Encoding,
    /// What was last published per open document, and for which version: a document's
    /// diagnostics are sent again when they or the document changed.
    published: HashMap<PathBuf, (Option<i32>, Vec<lsp_types::Diagnostic>)>,
    versions: HashMap<PathBuf, i32>,
    initialized: bool,
    shutdown: bool,
    /// Whether the editor watches files for us (dynamic registration).
    watch: bool,
    next_id: i32,
    /// Log how long each check took (`--verbose`).
    verbose: bool,
}

/// A request's failure, as the editor is told it.
type Failure = (ErrorCode, String);

impl Server {
    /// Answers a request; a bug in a handler becomes an error answer, not a dead server.
    fn guarded_request(&mut self, req: Request) {
        let id = req.id.clone();
        let method = req.method.clone();
        let answer = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.request(req)))
            .unwrap_or_else(|_| {
                Err((
                    ErrorCode::InternalError,
                    format!("casebook failed on `{method}`; please report it"),
                ))
            });
        let response = match answer {
            Ok(result) => Response::new_ok(id, result),
            Err((code, message)) => Response::new_err(id, code as i32, message),
        };
        self.writer.send(response);
    }

    fn guarded_notification(&mut self, n: Notification) {
        let method = n.method.clone();
        let done = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| self.notification(n)));
        match done {
            Ok(Ok(())) => {}
            Ok(Err((_, why))) => log(&format!("`{method}`: {why}")),
            Err(_) => log(&format!("casebook failed on `{method}`; please report it")),
        }
    }

    fn request(&mut self, req: Request) -> Result<serde_json::Value, Failure> {
        if req.method == "initialize" {
            return self.initialize(req.params);
        }
        if !self.initialized {
            return Err((ErrorCode::ServerNotInitialized, "initialize first".into()));
        }
        if req.method == "shutdown" {
            self.shutdown = true;
            return Ok(serde_json::Value::Null);
        }
        if self.shutdown {
            return Err((
                ErrorCode::InvalidRequest,
                "the server is shutting down".into(),
            ));
        }
        let result = match req.method.as_str() {
            "textDocument/completion" => {
                let p: CompletionParams = params(req.params)?;
                serde_json::to_value(self.at(&p.text_document_position, complete::complete))
            }
            "textDocument/hover" => {
                let p: HoverParams = params(req.params)?;
                let hover = self.at(&p.text_document_position_params, navigate::hover);
                serde_json::to_value(hover.flatten())
            }
            "textDocument/definition" => {
                let p: GotoDefinitionParams = params(req.params)?;
                let location = self.at(&p.text_document_position_params, navigate::definition);
                serde_json::to_value(location.flatten())
            }
            "textDocument/codeAction" => {
                let p: CodeActionParams = params(req.params)?;
                let fixes = report::quick_fixes(&p.text_document.uri, &p.context.diagnostics);
                serde_json::to_value(fixes)
            }
            other => {
                return Err((
                    ErrorCode::MethodNotFound,
                    format!("casebook does not answer `{other}`"),
                ))
            }
        };
        result.map_err(|e| (ErrorCode::InternalError, e.to_string()))
    }

    fn initialize(&mut self, raw: serde_json::Value) -> Result<serde_json::Value, Failure> {
        if self.initialized {
            return Err((ErrorCode::InvalidRequest, "initialized already".into()));
        }
        // Read leniently: clients send many shapes, and only these few values matter here.
        let offers_utf8 = raw
            .pointer("/capabilities/general/positionEncodings")
            .and_then(|v| v.as_array())
            .is_some_and(|a| a.iter().any(|e| e == "utf-8"));
        self.enc = match offers_utf8 {
            true => Encoding::Utf8,
            false => Encoding::Utf16,
        };
        self.watch = raw
            .pointer("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration")
            .and_then(|v| v.as_bool())
            .unwrap_or(false);
        if self.root.is_none() {
            let folder = raw
                .pointer("/workspaceFolders/0/uri")
                .or_else(|| raw.pointer("/rootUri"))
                .and_then(|v| v.as_str())
                .and_then(|s| s.parse::<Uri>().ok())
                .and_then(|uri| uri_to_path(&uri));
            self.root = folder.filter(|f| f.join("content").join("site.yaml").is_file());
        }
        self.initialized = true;
        let capabilities = ServerCapabilities {
            position_encoding: Some(match self.enc {
                Encoding::Utf8 => PositionEncodingKind::UTF8,
                Encoding::Utf16 => PositionEncodingKind::UTF16,
            }),
            text_document_sync: Some(TextDocumentSyncCapability::Kind(
                TextDocumentSyncKind::INCREMENTAL,
            )),
            completion_provider: Some(CompletionOptions {
                trigger_characters: Some(["/", "[", ",", " "].map(String::from).to_vec()),
                ..Default::default()
            }),
            hover_provider: Some(HoverProviderCapability::Simple(true)),
            definition_provider: Some(OneOf::Left(true)),
            code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
                code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
                ..Default::default()
            })),
            ..Default::default()
        };
        Ok(serde_json::json!({
            "capabilities": capabilities,
            "serverInfo": { "name": "casebook", "version": env!("CARGO_PKG_VERSION") },
        }))
    }

    fn notification(&mut self, n: Notification) -> Result<(), Failure> {
        if !self.initialized {
            return Ok(());
        }
        match n.method.as_str() {
            "initialized" => {
                if self.watch {
                    self.register_watchers();
                }
                if let Some(root) = self.root.clone() {
                    self.open_workspace(&root);
                }
            }
            "textDocument/didOpen" => {
                let p: DidOpenTextDocumentParams = params(n.params)?;
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return Ok(());
                };
                self.versions.insert(path.clone(), p.text_document.version);
                if let Some(ws) = &mut self.ws {
                    ws.set_buffer(path, p.text_document.text);
                }
            }
            "textDocument/didChange" => {
                let p: DidChangeTextDocumentParams = params(n.params)?;
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return Ok(());
                };
                self.versions.insert(path.clone(), p.text_document.version);
                let enc = self.enc;
                if let Some(ws) = &mut self.ws {
                    let mut text = ws.buffer(&path).cloned().unwrap_or_default();
                    for change in p.content_changes {
                        text::apply_change(&mut text, change.range, &change.text, enc);
                    }
                    ws.set_buffer(path, text);
                }
            }
            "textDocument/didClose" => {
                let p: DidCloseTextDocumentParams = params(n.params)?;
                let Some(path) = self.path_of(&p.text_document.uri) else {
                    return Ok(());
                };
                if let Some(ws) = &mut self.ws {
                    ws.close(&path);
                }
                self.versions.remove(&path);
                if self
                    .published
                    .remove(&path)
                    .is_some_and(|(_, d)| !d.is_empty())
                {
                    self.send_diagnostics(p.text_document.uri, Vec::new(), None);
                }
            }
            "workspace/didChangeWatchedFiles" => {
                let p: DidChangeWatchedFilesParams = params(n.params)?;
                let paths: Vec<PathBuf> = p
                    .changes
                    .iter()
                    .filter_map(|c| uri_to_path(&c.uri))
                    .map(|p| canonical(&p))
                    .collect();
                if let Some(ws) = &mut self.ws {
                    ws.files_changed(&paths);
                }
            }
            // Saves change nothing the buffers did not say; the rest is not for casebook.
            _ => {}
        }
        Ok(())
    }

    /// The canonical path of a document, opening the workspace of its catalogue on the way
    /// if none is open yet.
    fn path_of(&mut self, uri: &Uri) -> Option<PathBuf> {
        let path = canonical(&uri_to_path(uri)?);
        if self.ws.is_none() {
            let root = self.root.clone().or_else(|| Workspace::find_root(&path))?;
            self.open_workspace(&root);
        }
        Some(path)
    }

    fn open_workspace(&mut self, root: &Path) {
        if self.ws.is_some() {
            return;
        }
        let root = canonical(root);
        log(&format!("reading the catalogue in {}", root.display()));
        self.root = Some(root.clone());
        self.ws = Some(Workspace::new(root));
    }

    /// Asks the editor to tell us about files of the catalogue changed by other programs.
    fn register_watchers(&mut self) {
        self.next_id += 1;
        let registration = serde_json::json!({
            "registrations": [{
                "id": "casebook-content",
                "method": "workspace/didChangeWatchedFiles",
                "registerOptions": { "watchers": [
                    { "globPattern": "**/content/**/*.{md,yaml,yml}" },
                ]},
            }],
        });
        let id = RequestId::from(format!("casebook-{}", self.next_id));
        self.writer.send(Request::new(
            id,
            "client/registerCapability".into(),
            registration,
        ));
    }

    /// Checks what was edited and sends the diagnostics of every open document that changed.
    fn publish(&mut self) {
        let Some(ws) = &mut self.ws else {
            return;
        };
        let timings = ws.flush();
        if self.verbose && !timings.steps.is_empty() {
            let steps: Vec<String> = timings
                .steps
                .iter()
                .map(|(step, d)| format!("{step} {:.1} ms", d.as_secs_f64() * 1000.0))
                .collect();
            log(&steps.join(", "));
        }
        let mut changed = Vec::new();
        for (path, text) in &ws.buffers {
            if !ws.owns(path) {
                continue;
            }
            let diagnostics = report::of_document(ws, path, text, self.enc);
            let now = (self.versions.get(path).copied(), diagnostics);
            if self.published.get(path) != Some(&now) {
                changed.push((path.clone(), now));
            }
        }
        for (path, (version, diagnostics)) in changed {
            let Some(uri) = path_to_uri(&path) else {
                continue;
            };
            self.published.insert(path, (version, diagnostics.clone()));
            self.send_diagnostics(uri, diagnostics, version);
        }
    }

    fn send_diagnostics(
        &mut self,
        uri: Uri,
        diagnostics: Vec<lsp_types::Diagnostic>,
        version: Option<i32>,
    ) {
        let params = PublishDiagnosticsParams::new(uri, diagnostics, version);
        self.writer.send(Notification::new(
            "textDocument/publishDiagnostics".into(),
            params,
        ));
    }

    /// Runs `f` on the document and position a request names, after checking what was edited.
    fn at<T>(
        &mut self,
        p: &TextDocumentPositionParams,
        f: impl FnOnce(&Workspace, &At) -> T,
    ) -> Option<T> {
        let path = self.path_of(&p.text_document.uri)?;
        let enc = self.enc;
        let ws = self.ws.as_mut()?;
        ws.flush();
        let ws = &*ws;
        let kind = ws.doc_kind(&path)?;
        let text = ws.text_of(&path)?;
        let offset = Lines::new(&text).offset(p.position, enc);
        let is_yaml = path.extension().is_some_and(|e| e == "yaml" || e == "yml");
        Some(f(
            ws,
            &At {
                kind,
                is_yaml,
                text: &text,
                offset,
                enc,
            },
        ))
    }
}

/// A position in an open document, for the handlers: what kind of document it is, its text
/// and the byte offset.
struct At<'t> {
    kind: crate::load::DocKind,
    is_yaml: bool,
    text: &'t str,
    offset: usize,
    enc: Encoding,
}

fn params<P: serde::de::DeserializeOwned>(raw: serde_json::Value) -> Result<P, Failure> {
    serde_json::from_value(raw).map_err(|e| (ErrorCode::InvalidParams, e.to_string()))
}

/// A path with its folder resolved (the file itself may not exist yet), so that paths from the
/// editor and from walking the catalogue compare equal.
fn canonical(path: &Path) -> PathBuf {
    if let Ok(p) = path.canonicalize() {
        return p;
    }
    match (
        path.parent().and_then(|p| p.canonicalize().ok()),
        path.file_name(),
    ) {
        (Some(parent), Some(name)) => parent.join(name),
        _ => path.to_path_buf(),
    }
}
