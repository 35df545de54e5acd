//! Live reload: the Server-Sent Events stream every open tab listens to, and the scripts that
//! listen. Each stream stays on its connection's thread, fed by a channel of its own, so a slow
//! or stuck browser holds up neither page requests nor the other streams. In the browser, one
//! shared worker ([`WORKER_PATH`]) holds the stream for all tabs of the preview, so they do not
//! use up the six connections per host a browser allows.
//!
//! The stream at [`EVENTS_PATH`] sends, each as `event: <name>` with one line of JSON `data`:
//!
//! | event         | data                                                     | the page then       |
//! |---------------|----------------------------------------------------------|---------------------|
//! | `hello`       | `{build}`: the build now served (`""` while none)        | reloads if its own build differs |
//! | `reload`      | `{build, changed, count, entry_url}`                     | reloads (follow mode: opens `entry_url`) |
//! | `css`         | `{build, paths}`: URL paths of the changed stylesheets   | swaps those stylesheets |
//! | `build-error` | `{errors, warnings, diagnostics}`                        | shows the overlay   |
//! | `clear`       | `{build}`: a good build that changed no output           | hides the overlay   |
//!
//! On connect a stream sends `retry: 1000`, then `hello`, then `build-error` if the latest build
//! failed. A comment line (`: ping`) every [`HEARTBEAT`] finds browsers that went away.

use serde_json::json;
use std::io::Write;
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// Where pages connect for events.
pub const EVENTS_PATH: &str = "/__casebook/events";
/// The script put into every page.
pub const SCRIPT_PATH: &str = "/__casebook/live.js";
/// The shared worker that holds one stream for all tabs.
pub const WORKER_PATH: &str = "/__casebook/worker.js";

pub const SCRIPT: &str = include_str!("live.js");
pub const WORKER: &str = include_str!("worker.js");

/// How often an idle stream sends a comment, so dead connections are noticed and closed.
pub const HEARTBEAT: Duration = Duration::from_secs(15);

/// The `<script>` tag that goes into a page built as `build` (`""` for the error page).
pub fn script_tag(build: &str) -> String {
    format!(
        r#"<script src="{SCRIPT_PATH}" data-build="{}" defer></script>"#,
        html_escape::encode_double_quoted_attribute(build)
    )
}

/// One event, formatted for the wire.
pub fn event(name: &str, data: &str) -> Arc<str> {
    // `data` is one line of JSON; a newline would split it into two fields.
    let data = data.replace(['\r', '\n'], " ");
    Arc::from(format!("event: {name}\ndata: {data}\n\n"))
}

pub fn hello(build: &str) -> Arc<str> {
    event("hello", &json!({ "build": build }).to_string())
}

pub fn clear(build: &str) -> Arc<str> {
    event("clear", &json!({ "build": build }).to_string())
}

/// `changed` is cut to its first hundred paths; `count` says how many there were.
pub fn reload(build: &str, changed: &[String], entry_url: Option<&str>) -> Arc<str> {
    let shown: Vec<&String> = changed.iter().take(100).collect();
    let data = json!({
        "build": build,
        "changed": shown,
        "count": changed.len(),
        "entry_url": entry_url,
    });
    event("reload", &data.to_string())
}

pub fn css(build: &str, changed: &[String]) -> Arc<str> {
    let paths: Vec<String> = changed.iter().map(|p| format!("/{p}")).collect();
    event(
        "css",
        &json!({ "build": build, "paths": paths }).to_string(),
    )
}

pub fn build_error(payload: &str) -> Arc<str> {
    event("build-error", payload)
}

/// Everyone listening. Sending never blocks: each stream has its own queue and thread.
pub struct Hub {
    /// `None` once closed.
    listeners: Mutex<Option<Vec<Sender<Arc<str>>>>>,
}

impl Default for Hub {
    fn default() -> Hub {
        Hub {
            listeners: Mutex::new(Some(vec![])),
        }
    }
}

impl Hub {
    /// A queue that receives every event from now on; `None` once the hub is closed.
    pub fn subscribe(&self) -> Option<Receiver<Arc<str>>> {
        let mut guard = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let listeners = guard.as_mut()?;
        let (tx, rx) = mpsc::channel();
        listeners.push(tx);
        Some(rx)
    }

    /// Sends `event` to every open stream and forgets the closed ones.
    pub fn broadcast(&self, event: &Arc<str>) {
        let mut guard = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(listeners) = guard.as_mut() {
            listeners.retain(|tx| tx.send(Arc::clone(event)).is_ok());
        }
    }

    /// Ends every stream (their threads see the queue close) and refuses new ones.
    pub fn close(&self) {
        let mut guard = self
            .listeners
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *guard = None;
    }
}

/// Serves one event stream on `socket` (right after its request head) until the browser goes
/// away or the hub closes. `greeting` is sent first. Blocks for as long as the tab is open.
pub fn stream(
    mut socket: impl Write,
    events: Receiver<Arc<str>>,
    greeting: Vec<Arc<str>>,
    heartbeat: Duration,
) {
    // The body ends when the connection closes, so the response says so; no length, no chunks.
    let head = "HTTP/1.1 200 OK\r\n\
        Content-Type: text/event-stream; charset=utf-8\r\n\
        Cache-Control: no-store\r\n\
        X-Content-Type-Options: nosniff\r\n\
        Connection: close\r\n\
        Server: casebook\r\n\r\n\
        retry: 1000\n\n";
    if send(&mut socket, head).is_err() {
        return;
    }
    for event in greeting {
        if send(&mut socket, &event).is_err() {
            return;
        }
    }
    loop {
        let sent = match events.recv_timeout(heartbeat) {
            Ok(event) => send(&mut socket, &event),
            Err(RecvTimeoutError::Timeout) => send(&mut socket, ": ping\n\n"),
            Err(RecvTimeoutError::Disconnected) => return,
        };
        // A write error means the browser left; dropping the socket closes the connection.
        if sent.is_err() {
            return;
        }
    }
}

fn send(writer: &mut impl Write, text: &str) -> std::io::Result<()> {
    writer.write_all(text.as_bytes())?;
    writer.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_single_data_lines() {
        let e = event("reload", "{\"a\":\n1}");
        assert_eq!(&*e, "event: reload\ndata: {\"a\": 1}\n\n");
    }

    #[test]
    fn css_event_names_url_paths() {
        let e = css("b1", &["assets/site.css".to_string()]);
        let data = e.lines().nth(1).unwrap().strip_prefix("data: ").unwrap();
        let v: serde_json::Value = serde_json::from_str(data).unwrap();
        assert_eq!(v["paths"][0], "/assets/site.css");
        assert_eq!(v["build"], "b1");
    }

    #[test]
    fn hub_drops_closed_listeners_and_closes() {
        let hub = Hub::default();
        let kept = hub.subscribe().unwrap();
        drop(hub.subscribe().unwrap());
        hub.broadcast(&hello("x"));
        assert!(kept.try_recv().is_ok());
        assert_eq!(hub.listeners.lock().unwrap().as_ref().unwrap().len(), 1);
        hub.close();
        assert!(kept.recv().is_err(), "closing ends every stream");
        assert!(hub.subscribe().is_none());
    }

    #[test]
    fn script_tag_escapes_the_build() {
        assert!(script_tag("a\"b").contains("data-build=\"a&quot;b\""));
    }
}
