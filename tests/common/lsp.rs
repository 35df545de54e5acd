//! A language-server client for the tests: the real `casebook lsp` binary as a child process,
//! JSON-RPC framed by `Content-Length` over its stdin and stdout, every wait bounded.

use super::BIN;
use serde_json::{json, Value as Json};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, ChildStdin, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long any one answer may take (the machine is shared; a hang shows as a timeout).
pub const ANSWER_WITHIN: Duration = Duration::from_secs(30);

pub struct Client {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: mpsc::Receiver<Json>,
    /// Notifications that arrived while waiting for something else.
    pub notifications: Vec<Json>,
    next_id: i64,
    stderr: Option<std::thread::JoinHandle<String>>,
}

/// The `file:` URI of a path.
pub fn uri(path: &Path) -> String {
    url::Url::from_file_path(path)
        .expect("absolute path")
        .to_string()
}

/// One framed message.
pub fn frame(body: &str) -> Vec<u8> {
    let mut out = format!("Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    out.extend_from_slice(body.as_bytes());
    out
}

impl Client {
    /// Starts `casebook lsp` with `args`, in `cwd`.
    pub fn start(cwd: &Path, args: &[&str]) -> Client {
        let mut child = Command::new(BIN)
            .arg("lsp")
            .args(args)
            .current_dir(cwd)
            .env_remove("RUST_BACKTRACE")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start casebook lsp");
        let stdout = child.stdout.take().expect("stdout");
        let mut stderr = child.stderr.take().expect("stderr");
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_framed(&mut reader) {
                if tx.send(message).is_err() {
                    return;
                }
            }
        });
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Client {
            stdin: child.stdin.take(),
            child,
            messages: rx,
            notifications: Vec::new(),
            next_id: 0,
            stderr: Some(stderr),
        }
    }

    /// Starts the server and goes through `initialize` and `initialized` with `root` as the
    /// workspace folder.
    pub fn initialized(root: &Path) -> Client {
        let mut client = Client::start(root, &[]);
        let result = client.request(
            "initialize",
            json!({
                "processId": null,
                "rootUri": uri(root),
                "capabilities": {},
            }),
        );
        assert!(
            result["result"]["capabilities"]["completionProvider"].is_object(),
            "{result}"
        );
        client.notify("initialized", json!({}));
        client
    }

    pub fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin.write_all(bytes).expect("write to casebook lsp");
        stdin.flush().expect("flush");
    }

    pub fn send(&mut self, message: Json) {
        let mut message = message;
        message["jsonrpc"] = json!("2.0");
        self.send_raw(&frame(&message.to_string()));
    }

    pub fn notify(&mut self, method: &str, params: Json) {
        self.send(json!({ "method": method, "params": params }));
    }

    /// Sends a request and returns the whole response (with `result` or `error`).
    pub fn request(&mut self, method: &str, params: Json) -> Json {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "id": id, "method": method, "params": params }));
        self.wait_for(&format!("the answer to {method}"), |m| {
            m["id"] == json!(id) && m.get("method").is_none()
        })
    }

    /// The next message that `wanted` accepts; others are kept in `notifications`.
    pub fn wait_for(&mut self, what: &str, wanted: impl Fn(&Json) -> bool) -> Json {
        if let Some(i) = self.notifications.iter().position(&wanted) {
            return self.notifications.remove(i);
        }
        let deadline = Instant::now() + ANSWER_WITHIN;
        loop {
            let left = deadline.saturating_duration_since(Instant::now());
            match self.messages.recv_timeout(left) {
                Ok(m) if wanted(&m) => return m,
                Ok(m) => self.notifications.push(m),
                Err(e) => panic!(
                    "no {what} within {ANSWER_WITHIN:?} ({e}); got {:?}",
                    self.notifications
                ),
            }
        }
    }

    /// The diagnostics published for `uri` next that `accept` accepts.
    pub fn diagnostics(&mut self, uri: &str, accept: impl Fn(&[Json]) -> bool) -> Vec<Json> {
        let m = self.wait_for(&format!("diagnostics for {uri}"), |m| {
            m["method"] == "textDocument/publishDiagnostics"
                && m["params"]["uri"] == uri
                && m["params"]["diagnostics"]
                    .as_array()
                    .is_some_and(|d| accept(d))
        });
        m["params"]["diagnostics"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    }

    pub fn open(&mut self, path: &Path, text: &str) -> String {
        let uri = uri(path);
        let language = match path.extension().and_then(|e| e.to_str()) {
            Some("md") => "markdown",
            _ => "yaml",
        };
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": {
                "uri": uri, "languageId": language, "version": 1, "text": text,
            }}),
        );
        uri
    }

    /// Closes stdin and waits (bounded) for the process to end; its status and stderr.
    pub fn finish(mut self) -> (ExitStatus, String) {
        drop(self.stdin.take());
        let deadline = Instant::now() + ANSWER_WITHIN;
        let status = loop {
            match self.child.try_wait().expect("wait") {
                Some(status) => break status,
                None if Instant::now() > deadline => {
                    let _ = self.child.kill();
                    panic!("casebook lsp did not end after its input closed");
                }
                None => std::thread::sleep(Duration::from_millis(20)),
            }
        };
        let stderr = self.stderr.take().map(|h| h.join().unwrap_or_default());
        (status, stderr.unwrap_or_default())
    }

    /// `shutdown`, then `exit`: the server ends with status 0.
    pub fn shutdown(mut self) -> String {
        let answer = self.request("shutdown", Json::Null);
        assert!(answer.get("error").is_none(), "{answer}");
        self.notify("exit", Json::Null);
        let (status, stderr) = self.finish();
        assert!(status.success(), "exit status {status:?}\n{stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
        stderr
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads one message framed by `Content-Length`; `None` at the end of the stream.
fn read_framed(reader: &mut impl BufRead) -> Option<Json> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length:") {
            length = v.trim().parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}
