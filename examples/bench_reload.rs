//! Measures what a writer of the catalogue waits for: from saving an entry to the browser's
//! `reload` event, with the file watcher, its debounce, the rebuild and the event stream.
//!
//! ```text
//! cargo run --release --example bench_reload -- <CATALOGUE_DIR> [EDITS] [--debounce MS] [--no-search] [--log]
//! ```
//!
//! Starts the real preview server (`serve::start`, as `casebook serve` does, on a free port),
//! listens to `/__casebook/events` like a browser tab, then EDITS times (default 11) writes a
//! new summary into one entry file in place and times the write until the `reload` event that
//! names the entry. Before the next save it waits until the deferred exports and search index
//! of this one are served (`export/katalog.json` changed its size: each summary is longer than
//! the last), so every save meets a waiting server, as when someone edits and reads; that time
//! is printed too. Prints the median, minimum and maximum. The file is restored at the end;
//! point it at a copy of a catalogue. `--log` lets the server print its lines ("rebuilt in
//! N ms") to stderr, to tell the rebuild from the rest.

use casebook::serve::{self, ServeOptions};
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The allocator of the `casebook` binary, so the server runs as it does there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// How long one save may take to show up before the benchmark gives up.
const EVENT_TIMEOUT: Duration = Duration::from_secs(60);

fn first_entry(root: &Path) -> Option<PathBuf> {
    let dir = root.join("content/formate");
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .ok()?
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .collect();
    files.sort();
    files.into_iter().next()
}

/// A browser tab's view of the event stream: named events with their JSON data.
struct Events {
    stream: TcpStream,
    buffer: Vec<u8>,
}

impl Events {
    fn connect(addr: SocketAddr) -> Result<Events, String> {
        let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
        let request = format!(
            "GET /__casebook/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream
            .write_all(request.as_bytes())
            .map_err(|e| format!("send: {e}"))?;
        let mut events = Events {
            stream,
            buffer: Vec::new(),
        };
        // The response head ends at the first empty line.
        let deadline = Instant::now() + EVENT_TIMEOUT;
        loop {
            if let Some(end) = events.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                events.buffer.drain(..end + 4);
                return Ok(events);
            }
            events.fill(deadline)?;
        }
    }

    fn fill(&mut self, deadline: Instant) -> Result<(), String> {
        let left = deadline
            .checked_duration_since(Instant::now())
            .ok_or("no event in time")?;
        self.stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .map_err(|e| e.to_string())?;
        let mut chunk = [0u8; 16384];
        match self.stream.read(&mut chunk) {
            Ok(0) => Err("the event stream ended".into()),
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                Ok(())
            }
            Err(e) => Err(format!("reading events: {e}")),
        }
    }

    /// The next named event (comments and `retry` are skipped), as (name, data).
    fn next(&mut self, deadline: Instant) -> Result<(String, serde_json::Value), String> {
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = String::from_utf8_lossy(&block);
                let name = block.lines().find_map(|l| l.strip_prefix("event: "));
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                if let (Some(name), Some(data)) = (name, data) {
                    let data = serde_json::from_str(data).map_err(|e| e.to_string())?;
                    return Ok((name.to_string(), data));
                }
                continue;
            }
            self.fill(deadline)?;
        }
    }
}

/// The size of a served file (from a HEAD request), `None` while it is not served.
fn served_size(addr: SocketAddr, path: &str) -> Result<Option<usize>, String> {
    let mut stream = TcpStream::connect(addr).map_err(|e| format!("connect: {e}"))?;
    stream
        .set_read_timeout(Some(EVENT_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let request = format!("HEAD {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;
    let mut head = Vec::new();
    // A reset after the full response (the server closing first) is not a failure.
    let _ = stream.read_to_end(&mut head);
    let head = String::from_utf8_lossy(&head);
    if !head.starts_with("HTTP/1.1 200") {
        return Ok(None);
    }
    Ok(head.lines().find_map(|l| {
        let (name, value) = l.split_once(':')?;
        name.eq_ignore_ascii_case("content-length")
            .then(|| value.trim().parse().ok())
            .flatten()
    }))
}

/// Waits until the exports are served with a size other than `before`; returns the new size.
fn wait_for_exports(addr: SocketAddr, before: Option<usize>) -> Result<usize, String> {
    let deadline = Instant::now() + Duration::from_secs(600);
    while Instant::now() < deadline {
        if let Some(size) = served_size(addr, EXPORT)? {
            if Some(size) != before {
                return Ok(size);
            }
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err("the exports were not updated within 10 minutes".into())
}

/// A deferred export that contains every summary.
const EXPORT: &str = "/export/katalog.json";

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = "usage: bench_reload <CATALOGUE_DIR> [EDITS] [--debounce MS] [--no-search] [--log]";
    let mut log = false;
    let mut positional = Vec::new();
    let mut options = ServeOptions::new(PathBuf::new());
    let mut rest = args.iter();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--debounce" => {
                let ms: u64 = rest
                    .next()
                    .and_then(|v| v.parse().ok())
                    .ok_or("--debounce takes milliseconds")?;
                options.debounce = Duration::from_millis(ms);
            }
            "--no-search" => options.search = false,
            "--log" => log = true,
            _ => positional.push(arg.clone()),
        }
    }
    let root = PathBuf::from(positional.first().ok_or(usage)?);
    let edits: usize = positional
        .get(1)
        .map(|r| r.parse().map_err(|_| "EDITS must be a number"))
        .transpose()?
        .unwrap_or(11);
    options.root = root.clone();
    options.port = 0;
    options.quiet = !log;

    let entry = first_entry(&root).ok_or("no entry found in content/formate")?;
    let original = std::fs::read_to_string(&entry).map_err(|e| e.to_string())?;
    let stem = entry
        .file_stem()
        .and_then(|s| s.to_str())
        .ok_or("entry file name is not UTF-8")?;
    let entry_url = format!("/formate/{stem}/");

    let started = Instant::now();
    let preview = serve::start(&options)?;
    println!(
        "server up after {:.1} s (first build), debounce {} ms, search index {}",
        started.elapsed().as_secs_f64(),
        options.debounce.as_millis(),
        if options.search { "on" } else { "off" }
    );
    let mut events = Events::connect(preview.addr())?;
    let (name, _) = events.next(Instant::now() + EVENT_TIMEOUT)?;
    if name != "hello" {
        return Err(format!("expected `hello` first, got `{name}`"));
    }
    let mut exports = wait_for_exports(preview.addr(), None)?;

    let mut times: Vec<Duration> = Vec::with_capacity(edits);
    let mut deferred: Vec<Duration> = Vec::with_capacity(edits);
    let mut result = Ok(());
    for run in 0..edits {
        // Each summary one character longer than the last, so the exports change their size.
        let edited = original.replacen(
            "\nkurzbeschreibung: ",
            &format!("\nkurzbeschreibung: Lauf {} – ", "+".repeat(run + 1)),
            1,
        );
        let saved = Instant::now();
        if let Err(e) = std::fs::write(&entry, edited) {
            result = Err(e.to_string());
            break;
        }
        let deadline = saved + EVENT_TIMEOUT;
        let reloaded = loop {
            match events.next(deadline) {
                Ok((name, data)) if name == "reload" && data["entry_url"] == entry_url => {
                    break Ok(saved.elapsed())
                }
                Ok((name, data)) if name == "build-error" => {
                    break Err(format!("the build failed: {data}"))
                }
                Ok(_) => continue,
                Err(e) => break Err(e),
            }
        };
        match reloaded.and_then(|t| Ok((t, wait_for_exports(preview.addr(), Some(exports))?))) {
            Ok((t, size)) => {
                times.push(t);
                deferred.push(saved.elapsed());
                exports = size;
            }
            Err(e) => {
                result = Err(e);
                break;
            }
        }
    }
    std::fs::write(&entry, &original).map_err(|e| e.to_string())?;
    preview.stop();
    result?;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    for (what, mut times) in [
        ("save → reload event", times),
        ("save → exports and search index served", deferred),
    ] {
        times.sort();
        println!(
            "{what}: median {:.1} ms (min {:.1}, max {:.1}) over {} saves",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1]),
            times.len()
        );
    }
    Ok(())
}
