//! Helpers for the `casebook serve` tests: a throwaway copy of a fixture catalogue, the real
//! binary on a free loopback port (killed when the test ends, pass or fail), plain HTTP over
//! `TcpStream`, and a reader for the live-reload event stream. Everything has a deadline.

#![allow(dead_code)] // each test file uses a different part

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How long a server may take to build and start listening (debug build, busy machine).
pub const START_TIMEOUT: Duration = Duration::from_secs(90);
/// How long a single rebuild may take to show up as an event.
pub const EVENT_TIMEOUT: Duration = Duration::from_secs(20);

/// A folder under the system temp dir, removed when dropped.
pub struct TempCatalogue {
    pub root: PathBuf,
    _dir: tempfile::TempDir,
}

impl TempCatalogue {
    /// A fresh copy of `tests/fixtures/<name>`.
    pub fn copy_of(name: &str) -> TempCatalogue {
        let dir = tempfile::Builder::new()
            .prefix("casebook-serve-")
            .tempdir()
            .expect("create temp dir");
        let source = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(name);
        copy_dir(&source, dir.path());
        TempCatalogue {
            root: dir.path().canonicalize().expect("temp catalogue exists"),
            _dir: dir,
        }
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn write(&self, rel: &str, text: &str) {
        let path = self.path(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("create folder");
        }
        std::fs::write(path, text).expect("write file");
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).expect("read file")
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("create folder");
    for entry in std::fs::read_dir(from).expect("read fixture folder") {
        let entry = entry.expect("fixture entry");
        let target = to.join(entry.file_name());
        if entry.path().is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy fixture file");
        }
    }
}

/// `casebook serve` running as a child process; killed in `Drop`, so a failing test leaves
/// no server behind.
pub struct Server {
    child: Child,
    pub url: String,
    pub addr: SocketAddr,
    output: Arc<Mutex<String>>,
    /// The thread copying stderr into `output`; it ends when the process's stderr closes.
    reader: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Starts the binary on `root` with a port the system picks (`--port 0`) and waits until
    /// it says where it listens.
    pub fn start(root: &Path) -> Server {
        Server::start_with(root, &["--port", "0"])
    }

    pub fn start_with(root: &Path, args: &[&str]) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_casebook"))
            .arg("--root")
            .arg(root)
            .arg("serve")
            .args(args)
            .env("NO_COLOR", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start casebook serve");
        let stderr = child.stderr.take().expect("stderr is piped");
        let output = Arc::new(Mutex::new(String::new()));
        let sink = Arc::clone(&output);
        let reader = std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines() {
                let Ok(line) = line else { break };
                let mut out = sink.lock().unwrap();
                out.push_str(&line);
                out.push('\n');
            }
        });
        let mut server = Server {
            child,
            url: String::new(),
            addr: "127.0.0.1:1".parse().unwrap(),
            output,
            reader: Some(reader),
        };
        let line = server
            .wait_for_output("listening on http", START_TIMEOUT)
            .unwrap_or_else(|| panic!("server did not start:\n{}", server.output()));
        let url = line
            .split_whitespace()
            .find(|w| w.starts_with("http://"))
            .expect("the listening line names the URL")
            .to_string();
        let host_port = url
            .trim_start_matches("http://")
            .trim_end_matches('/')
            .to_string();
        server.addr = host_port.parse().expect("URL has an IP address and port");
        server.url = url;
        server
    }

    /// Everything the server printed so far.
    pub fn output(&self) -> String {
        self.output.lock().unwrap().clone()
    }

    /// Waits for a line containing `needle`; returns it.
    pub fn wait_for_output(&mut self, needle: &str, timeout: Duration) -> Option<String> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Some(line) = self.output().lines().find(|l| l.contains(needle)) {
                return Some(line.to_string());
            }
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                panic!("server exited with {status}:\n{}", self.output());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Waits for the process to end on its own.
    pub fn wait_exit(&mut self, timeout: Duration) -> Option<std::process::ExitStatus> {
        let deadline = Instant::now() + timeout;
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.child.try_wait() {
                self.drain();
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        None
    }

    /// After the process ended: waits until everything it printed has been read.
    fn drain(&mut self) {
        if let Some(reader) = self.reader.take() {
            let _ = reader.join();
        }
    }

    pub fn get(&self, path: &str) -> Reply {
        get(self.addr, path)
    }

    pub fn events(&self) -> Events {
        Events::connect(self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// An HTTP response.
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

pub fn get(addr: SocketAddr, path: &str) -> Reply {
    raw_request(
        addr,
        &format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"),
    )
}

/// Sends `request` as is and reads the response until the server closes the connection.
pub fn raw_request(addr: SocketAddr, request: &str) -> Reply {
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
    stream
        .set_read_timeout(Some(Duration::from_secs(20)))
        .unwrap();
    stream
        .set_write_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    stream.write_all(request.as_bytes()).expect("send request");
    let mut bytes = Vec::new();
    // A reset after the full response (the server closing first) is not a failure.
    let _ = stream.read_to_end(&mut bytes);
    parse_reply(&bytes).unwrap_or_else(|| {
        panic!(
            "no HTTP response to {request:?}: {:?}",
            String::from_utf8_lossy(&bytes)
        )
    })
}

pub fn parse_reply(bytes: &[u8]) -> Option<Reply> {
    let end = bytes.windows(4).position(|w| w == b"\r\n\r\n")?;
    let head = std::str::from_utf8(&bytes[..end]).ok()?;
    let mut lines = head.split("\r\n");
    let status = lines.next()?.split_whitespace().nth(1)?.parse().ok()?;
    let headers = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_string(), v.trim().to_string()))
        .collect();
    Some(Reply {
        status,
        headers,
        body: bytes[end + 4..].to_vec(),
    })
}

/// One server-sent event.
#[derive(Debug, Clone)]
pub struct Event {
    pub name: String,
    pub data: serde_json::Value,
}

/// A connection to `/__casebook/events`.
pub struct Events {
    stream: TcpStream,
    buffer: Vec<u8>,
    pub status: u16,
}

impl Events {
    pub fn connect(addr: SocketAddr) -> Events {
        let mut stream =
            TcpStream::connect_timeout(&addr, Duration::from_secs(10)).expect("connect");
        stream
            .set_write_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        let request = format!(
            "GET /__casebook/events HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\n\r\n"
        );
        stream.write_all(request.as_bytes()).expect("send request");
        let mut events = Events {
            stream,
            buffer: vec![],
            status: 0,
        };
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(end) = events.buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                let head: Vec<u8> = events.buffer.drain(..end + 4).collect();
                let reply = parse_reply(&head).expect("an HTTP response head");
                assert_eq!(
                    reply.header("Content-Type"),
                    Some("text/event-stream; charset=utf-8")
                );
                events.status = reply.status;
                return events;
            }
            assert!(events.fill(deadline), "no response from the event stream");
        }
    }

    /// Reads more bytes; false at the deadline or when the stream ended.
    fn fill(&mut self, deadline: Instant) -> bool {
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return false;
        };
        let left = left.max(Duration::from_millis(1));
        self.stream.set_read_timeout(Some(left)).unwrap();
        let mut chunk = [0u8; 8192];
        match self.stream.read(&mut chunk) {
            Ok(0) => false,
            Ok(n) => {
                self.buffer.extend_from_slice(&chunk[..n]);
                true
            }
            Err(_) => false,
        }
    }

    /// The next named event before `timeout`, skipping comments and `retry`.
    pub fn next(&mut self, timeout: Duration) -> Option<Event> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(end) = self.buffer.windows(2).position(|w| w == b"\n\n") {
                let block: Vec<u8> = self.buffer.drain(..end + 2).collect();
                let block = String::from_utf8_lossy(&block);
                let name = block
                    .lines()
                    .find_map(|l| l.strip_prefix("event: "))
                    .map(str::to_string);
                let data = block.lines().find_map(|l| l.strip_prefix("data: "));
                if let (Some(name), Some(data)) = (name, data) {
                    let data = serde_json::from_str(data)
                        .unwrap_or_else(|e| panic!("event data is not JSON ({e}): {data}"));
                    return Some(Event { name, data });
                }
                continue;
            }
            if !self.fill(deadline) {
                return None;
            }
        }
    }

    /// The next event, which must be named `name`.
    pub fn expect(&mut self, name: &str) -> Event {
        let event = self
            .next(EVENT_TIMEOUT)
            .unwrap_or_else(|| panic!("no `{name}` event within {EVENT_TIMEOUT:?}"));
        assert_eq!(event.name, name, "unexpected event: {event:?}");
        event
    }

    /// Every event that arrives within `window`.
    pub fn collect(&mut self, window: Duration) -> Vec<Event> {
        let deadline = Instant::now() + window;
        let mut out = vec![];
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.next(left) {
                Some(e) => out.push(e),
                None => break,
            }
        }
        out
    }

    /// The first event within `timeout`, then everything else that follows within `window`.
    pub fn burst(&mut self, timeout: Duration, window: Duration) -> Vec<Event> {
        match self.next(timeout) {
            Some(first) => {
                let mut all = vec![first];
                all.extend(self.collect(window));
                all
            }
            None => vec![],
        }
    }
}

/// Replaces `path` the way most editors save: write a sibling temp file, rename it over.
pub fn save_by_rename(path: &Path, text: &str) {
    let temp = path.with_extension("md.tmp-save-4711");
    std::fs::write(&temp, text).expect("write temp file");
    std::fs::rename(&temp, path).expect("rename over the original");
}

/// The resident memory of process `pid` in KiB (`VmRSS` in `/proc/<pid>/status`; Linux only).
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The thread count of process `pid` (`Threads` in `/proc/<pid>/status`; Linux only).
pub fn threads(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("Threads:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
