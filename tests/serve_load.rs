//! `casebook serve` under load: 300 keep-alive connections from loopback request pages, assets,
//! a redirect, a missing page and a HEAD in a loop for 20 s, while event streams listen, silent
//! half-sent requests sit open and an entry is saved every 4 s. Not one request may fail: every
//! response arrives in full, with the expected status, a body exactly as long as its
//! Content-Length, nothing after it, and the connection kept alive. Once the clients are gone,
//! the server's resident memory returns to within twice its idle size.

mod serve_support;

use serve_support::*;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Arc, Barrier};
use std::thread;
use std::time::{Duration, Instant};

/// Client connections, each with a thread of its own.
const CONNECTIONS: usize = 300;
/// Event streams open during the load.
const STREAMS: usize = 5;
/// Connections that send half a request head and then nothing.
const SILENT: usize = 20;
/// How long the connections send requests.
const LOAD: Duration = Duration::from_secs(20);
/// How often an entry is saved during the load.
const SAVE_EVERY: Duration = Duration::from_secs(4);
/// Longest wait for one response before it counts as failed.
const RESPONSE_TIMEOUT: Duration = Duration::from_secs(10);
/// Failures kept per connection for the report (all are counted).
const KEEP_FAILURES: usize = 3;

/// One request of the mix and what must come back.
struct Kind {
    method: &'static str,
    path: &'static str,
    status: u16,
    /// The body must equal these bytes (assets, which the rebuild does not touch).
    exact: Option<Arc<Vec<u8>>>,
    /// Otherwise the body must contain this.
    contains: &'static str,
}

/// What one connection did.
#[derive(Default)]
struct Tally {
    requests: Vec<u64>,
    failed: u64,
    failures: Vec<String>,
}

#[test]
fn three_hundred_keep_alive_connections_get_every_response_in_full_and_memory_returns() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let server = Server::start(&catalogue.root);
    let addr = server.addr;

    // Reference bodies for the assets, fetched before the load.
    let asset = |path: &str| {
        let reply = server.get(path);
        assert_eq!(reply.status, 200, "{path}");
        assert!(!reply.body.is_empty(), "{path}");
        Some(Arc::new(reply.body))
    };
    let leaflet = asset("/assets/vendor/leaflet/leaflet.js");
    let css = asset("/assets/site.css");
    assert!(
        leaflet.as_ref().unwrap().len() > 100_000,
        "one body larger than a socket buffer"
    );
    let kinds = Arc::new(vec![
        Kind {
            method: "GET",
            path: "/",
            status: 200,
            exact: None,
            contains: "</html>",
        },
        Kind {
            method: "GET",
            path: "/orte/markthalle/",
            status: 200,
            exact: None,
            contains: "</html>",
        },
        Kind {
            method: "GET",
            path: "/katalog/",
            status: 200,
            exact: None,
            contains: "</html>",
        },
        Kind {
            method: "GET",
            path: "/assets/site.css",
            status: 200,
            exact: css,
            contains: "",
        },
        Kind {
            method: "GET",
            path: "/assets/vendor/leaflet/leaflet.js",
            status: 200,
            exact: leaflet,
            contains: "",
        },
        Kind {
            method: "GET",
            path: "/__casebook/live.js",
            status: 200,
            exact: None,
            contains: "EventSource",
        },
        Kind {
            method: "GET",
            path: "/gibt-es-nicht/",
            status: 404,
            exact: None,
            contains: "</html>",
        },
        Kind {
            method: "GET",
            path: "/orte/markthalle",
            status: 301,
            exact: None,
            contains: "moved to /orte/markthalle/",
        },
        Kind {
            method: "HEAD",
            path: "/orte/stadtteilbuero/",
            status: 200,
            exact: None,
            contains: "",
        },
    ]);

    // Listeners that must hear the rebuild the save below causes.
    let idle_rss = rss_kib(server.pid()).expect("VmRSS of the server");
    let mut streams: Vec<Events> = (0..STREAMS).map(|_| server.events()).collect();
    for stream in &mut streams {
        assert_eq!(stream.status, 200);
        stream.expect("hello");
    }
    // Slowloris: half a head each, then silence for the whole load.
    let silent: Vec<TcpStream> = (0..SILENT)
        .map(|_| {
            let mut s = TcpStream::connect(addr).expect("connect");
            s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}").as_bytes())
                .expect("send half a head");
            s
        })
        .collect();

    // Every connection is open before any of them sends, so all 200 are served at once.
    let start = Arc::new(Barrier::new(CONNECTIONS + 1));
    let clients: Vec<_> = (0..CONNECTIONS)
        .map(|n| {
            let kinds = Arc::clone(&kinds);
            let start = Arc::clone(&start);
            thread::Builder::new()
                .name(format!("client-{n}"))
                .stack_size(256 * 1024)
                .spawn(move || client(addr, n, &kinds, &start))
                .expect("start a client thread")
        })
        .collect();
    start.wait();
    let began = Instant::now();

    // Saves throughout: the site is swapped under the running requests, the last save (an odd
    // one) leaves the new title.
    let entry = catalogue.path("content/orte/markthalle.md");
    let text = catalogue.read("content/orte/markthalle.md");
    let mut saves = 0;
    let mut peak_rss = 0;
    while began.elapsed() + SAVE_EVERY < LOAD {
        thread::sleep(SAVE_EVERY);
        saves += 1;
        let title = if saves % 2 == 1 {
            "titel: Halle am Markt"
        } else {
            "titel: Markthalle"
        };
        save_by_rename(&entry, &text.replace("titel: Markthalle", title));
        peak_rss = peak_rss.max(rss_kib(server.pid()).unwrap_or(0));
    }
    if saves % 2 == 0 {
        saves += 1;
        save_by_rename(
            &entry,
            &text.replace("titel: Markthalle", "titel: Halle am Markt"),
        );
    }

    let tallies: Vec<Tally> = clients
        .into_iter()
        .map(|c| c.join().expect("client thread panicked"))
        .collect();
    let elapsed = began.elapsed();
    peak_rss = peak_rss.max(rss_kib(server.pid()).unwrap_or(0));

    let mut per_kind = vec![0u64; kinds.len()];
    for tally in &tallies {
        for (sum, count) in per_kind.iter_mut().zip(&tally.requests) {
            *sum += count;
        }
    }
    let total: u64 = per_kind.iter().sum();
    let failed: u64 = tallies.iter().map(|t| t.failed).sum();
    let idle_connections = tallies
        .iter()
        .filter(|t| t.requests.iter().sum::<u64>() == 0)
        .count();
    // Straight to stderr, past the test harness's capture: the count shows in every run.
    let mut report = format!(
        "serve_load: {total} requests on {CONNECTIONS} keep-alive connections in {:.1} s \
         ({:.0}/s), {failed} failed, {saves} saves, {STREAMS} event streams and {SILENT} silent \
         connections open\n",
        elapsed.as_secs_f64(),
        total as f64 / elapsed.as_secs_f64()
    );
    for (kind, count) in kinds.iter().zip(&per_kind) {
        report.push_str(&format!("  {:4} {:40} {count}\n", kind.method, kind.path));
    }
    let _ = std::io::stderr().write_all(report.as_bytes());
    let shown: Vec<&String> = tallies.iter().flat_map(|t| &t.failures).take(20).collect();
    assert_eq!(failed, 0, "failed requests, the first ones:\n{shown:#?}");
    assert_eq!(idle_connections, 0, "connections that never got an answer");

    // The save made during the load was rebuilt, and every listener was told.
    for stream in &mut streams {
        let reload = stream.expect("reload");
        assert_eq!(reload.data["entry_url"], "/orte/markthalle/");
    }
    assert!(server
        .get("/orte/markthalle/")
        .text()
        .contains("Halle am Markt"));
    // Once the clients are gone (and the idle threads with them), memory returns to near the
    // idle size. mimalloc gives freed pages back lazily, at allocator activity after its purge
    // delay; here that is when the closed event streams' threads end (two heartbeats, up to
    // 30 s), so the wait allows 60 s.
    drop(streams);
    let settled = Instant::now();
    let mut after_rss = rss_kib(server.pid()).unwrap_or(u64::MAX);
    while after_rss > 2 * idle_rss && settled.elapsed() < Duration::from_secs(60) {
        thread::sleep(Duration::from_millis(500));
        after_rss = rss_kib(server.pid()).unwrap_or(u64::MAX);
    }
    let _ = writeln!(
        std::io::stderr(),
        "serve_load: RSS idle {idle_rss} KiB, peak under load {peak_rss} KiB, after {after_rss} \
         KiB ({:.1} s after the load; {:?} threads)",
        settled.elapsed().as_secs_f64(),
        threads(server.pid())
    );
    assert!(
        after_rss <= 2 * idle_rss,
        "memory stayed at {after_rss} KiB after the load (idle: {idle_rss} KiB)"
    );

    // The silent connections were never answered: their heads are incomplete.
    for mut s in silent {
        s.set_nonblocking(true).unwrap();
        let mut byte = [0u8; 1];
        assert!(
            !matches!(s.read(&mut byte), Ok(n) if n > 0),
            "an incomplete head was answered"
        );
    }
}

/// One connection: keep-alive requests in a loop until the load ends, each checked in full.
/// After a failure the client reconnects, so one failure does not hide the ones after it.
fn client(addr: SocketAddr, n: usize, kinds: &[Kind], start: &Barrier) -> Tally {
    let mut tally = Tally {
        requests: vec![0; kinds.len()],
        ..Tally::default()
    };
    let mut connection = connect(addr);
    start.wait();
    let deadline = Instant::now() + LOAD;
    // Each connection starts at a different point of the mix.
    let mut next = n % kinds.len();
    while Instant::now() < deadline {
        let index = next;
        let kind = &kinds[index];
        next = (next + 1) % kinds.len();
        let result = match &mut connection {
            Ok(stream) => exchange(stream, addr, kind),
            Err(e) => Err(format!("connect: {e}")),
        };
        match result {
            Ok(()) => tally.requests[index] += 1,
            Err(problem) => {
                tally.failed += 1;
                if tally.failures.len() < KEEP_FAILURES {
                    tally.failures.push(format!(
                        "connection {n}: {} {}: {problem}",
                        kind.method, kind.path
                    ));
                }
                connection = connect(addr);
            }
        }
    }
    tally
}

fn connect(addr: SocketAddr) -> std::io::Result<TcpStream> {
    let stream = TcpStream::connect_timeout(&addr, RESPONSE_TIMEOUT)?;
    stream.set_read_timeout(Some(RESPONSE_TIMEOUT))?;
    stream.set_write_timeout(Some(RESPONSE_TIMEOUT))?;
    stream.set_nodelay(true)?;
    Ok(stream)
}

/// Sends one request and reads exactly one response; anything missing, extra or wrong is an
/// error.
fn exchange(stream: &mut TcpStream, addr: SocketAddr, kind: &Kind) -> Result<(), String> {
    let request = format!(
        "{} {} HTTP/1.1\r\nHost: {addr}\r\n\r\n",
        kind.method, kind.path
    );
    stream
        .write_all(request.as_bytes())
        .map_err(|e| format!("send: {e}"))?;

    // Read in chunks; whatever follows the head is the start of the body.
    let mut buffer = Vec::with_capacity(8192);
    let mut chunk = [0u8; 16384];
    let head_end = loop {
        if let Some(end) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
            break end;
        }
        if buffer.len() > 16 * 1024 {
            return Err("response head over 16 KB".into());
        }
        match stream.read(&mut chunk) {
            Ok(0) => return Err(format!("closed after {} bytes of the head", buffer.len())),
            Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            Err(e) => return Err(format!("reading the head: {e}")),
        }
    };
    let reply = parse_reply(&buffer[..head_end + 4]).ok_or("unparsable response head")?;
    let mut body = buffer.split_off(head_end + 4);
    if reply.status != kind.status {
        return Err(format!(
            "status {} instead of {}",
            reply.status, kind.status
        ));
    }
    let length: usize = reply
        .header("Content-Length")
        .and_then(|l| l.parse().ok())
        .ok_or("no Content-Length")?;
    // HTTP/1.1 keeps the connection by default; tiny_http never says `keep-alive`.
    if reply
        .header("Connection")
        .is_some_and(|c| c.eq_ignore_ascii_case("close"))
    {
        return Err("Connection: close on a keep-alive connection".into());
    }
    let expected_body = if kind.method == "HEAD" { 0 } else { length };
    while body.len() < expected_body {
        let want = (expected_body - body.len()).min(chunk.len());
        match stream.read(&mut chunk[..want]) {
            Ok(0) => {
                return Err(format!(
                    "closed after {} of {expected_body} body bytes",
                    body.len()
                ))
            }
            Ok(read) => body.extend_from_slice(&chunk[..read]),
            Err(e) => {
                return Err(format!(
                    "reading the body after {} of {expected_body} bytes: {e}",
                    body.len()
                ))
            }
        }
    }
    if body.len() > expected_body {
        return Err(format!(
            "{} bytes after the {expected_body}-byte body",
            body.len() - expected_body
        ));
    }
    if kind.method == "HEAD" && length == 0 {
        return Err("HEAD without the page's Content-Length".into());
    }
    if let Some(exact) = &kind.exact {
        if body != **exact {
            return Err(format!(
                "body differs from the reference ({} bytes)",
                body.len()
            ));
        }
    } else if !kind.contains.is_empty() && !String::from_utf8_lossy(&body).contains(kind.contains) {
        return Err(format!("body lacks {:?}", kind.contains));
    }
    Ok(())
}
