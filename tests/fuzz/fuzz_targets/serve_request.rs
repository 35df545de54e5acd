//! The dev server end to end, through its public entry point `serve::start`: a real preview of a
//! tiny catalogue on a loopback port, and each input sent as the target of
//! `GET <target> HTTP/1.1` on a keep-alive connection. The server must always answer in time
//! with a well-formed response; a file (200) or redirect (301) only for a target whose decoded
//! path has no `..` segment, `\` or NUL; redirects stay on the site.
#![no_main]

#[path = "../shared/catalogue.rs"]
mod catalogue;
#[path = "../shared/oracles.rs"]
mod oracles;

use casebook::serve::{self, ServeOptions};
use libfuzzer_sys::fuzz_target;
use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long one answer may take before the server counts as hung.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(10);

struct Client {
    addr: SocketAddr,
    stream: Option<TcpStream>,
    /// Serves until the process ends; kept here (not forgotten) so the leak checker sees it.
    _preview: serve::Preview,
}

fn client() -> &'static Mutex<Client> {
    static CLIENT: OnceLock<Mutex<Client>> = OnceLock::new();
    CLIENT.get_or_init(|| {
        let tiny = catalogue::Tiny::create_in_temp("fuzz-serve");
        std::fs::write(
            tiny.config.content_dir.join("formate/fuzz-eintrag.md"),
            catalogue::FORMAT_ENTRY,
        )
        .expect("write the format");
        let mut options = ServeOptions::new(&tiny.root);
        options.port = 0;
        options.search = false;
        options.quiet = true;
        let preview = serve::start(&options).expect("the preview starts");
        let mut client = Client {
            addr: preview.addr(),
            stream: None,
            _preview: preview,
        };
        let deadline = Instant::now() + Duration::from_secs(120);
        loop {
            let (status, _, _) = client.get(b"/");
            if status == 200 {
                break;
            }
            assert!(
                Instant::now() < deadline,
                "the tiny site never built (status {status})"
            );
            std::thread::sleep(Duration::from_millis(200));
        }
        Mutex::new(client)
    })
}

impl Client {
    /// Sends one GET and reads the complete answer: status, head, body.
    fn get(&mut self, target: &[u8]) -> (u16, oracles::ResponseHead, Vec<u8>) {
        let mut stream = match self.stream.take() {
            Some(s) => s,
            None => {
                let s = TcpStream::connect(self.addr).expect("connect to the preview");
                s.set_read_timeout(Some(ANSWER_TIMEOUT)).expect("timeout");
                s.set_nodelay(true).expect("nodelay");
                s
            }
        };
        let mut request = b"GET ".to_vec();
        request.extend_from_slice(target);
        request.extend_from_slice(b" HTTP/1.1\r\nHost: fuzz\r\n\r\n");
        stream.write_all(&request).expect("send the request");
        let started = Instant::now();
        let mut buffer = Vec::new();
        let mut chunk = [0u8; 8192];
        let head_end = loop {
            if let Some(i) = buffer.windows(4).position(|w| w == b"\r\n\r\n") {
                break i;
            }
            match stream.read(&mut chunk) {
                Ok(0) => panic!(
                    "connection closed without an answer to {:?} (got {:?})",
                    String::from_utf8_lossy(target),
                    String::from_utf8_lossy(&buffer)
                ),
                Ok(n) => buffer.extend_from_slice(&chunk[..n]),
                // libFuzzer's timer signal interrupts blocking reads.
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => panic!(
                    "no answer to {:?} after {:?}: {e}",
                    String::from_utf8_lossy(target),
                    started.elapsed()
                ),
            }
        };
        let head_text = std::str::from_utf8(&buffer[..head_end]).expect("the head is UTF-8");
        let head = oracles::parse_response_head(head_text)
            .unwrap_or_else(|| panic!("malformed response head {head_text:?}"));
        let mut body = buffer[head_end + 4..].to_vec();
        let streaming = head
            .headers
            .get("content-type")
            .is_some_and(|t| t.starts_with("text/event-stream"));
        if streaming {
            // The live-reload stream never ends; this connection is done.
            return (head.status, head, body);
        }
        let length: usize = head
            .headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or_else(|| panic!("no Content-Length in {head_text:?}"));
        while body.len() < length {
            match stream.read(&mut chunk) {
                Ok(0) => panic!("body cut at {} of {length} bytes", body.len()),
                Ok(n) => body.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => panic!("body stalled at {} of {length} bytes: {e}", body.len()),
            }
        }
        assert_eq!(body.len(), length, "more bytes than Content-Length");
        let keep = head
            .headers
            .get("connection")
            .is_some_and(|c| c.eq_ignore_ascii_case("keep-alive"));
        if keep {
            self.stream = Some(stream);
        }
        (head.status, head, body)
    }
}

fuzz_target!(|data: &[u8]| {
    // A space or CRLF would make the input more than a request target; a lone CR or LF is
    // what a hostile client can put in one, and stays.
    if data.is_empty() || data.contains(&b' ') || data.windows(2).any(|w| w == b"\r\n") {
        return;
    }
    // The live-reload event stream is a stream, not a file; it has its own tests.
    if let Ok(target) = std::str::from_utf8(data) {
        if oracles::naive_request_path(target).starts_with("/__casebook/events") {
            return;
        }
    }
    let mut client = client().lock().unwrap_or_else(|e| e.into_inner());
    let (status, head, _) = client.get(data);
    assert!(
        matches!(status, 200 | 301 | 400 | 404),
        "status {status} for {:?}",
        String::from_utf8_lossy(data)
    );
    if matches!(status, 200 | 301) {
        let target = std::str::from_utf8(data).expect("only UTF-8 targets are served");
        let decoded = oracles::naive_request_path(target);
        if let Some(problem) = oracles::served_path_problem(&decoded) {
            panic!("status {status} for {target:?}, whose path {decoded:?} {problem}");
        }
    }
    if status == 301 {
        let location = head
            .headers
            .get("location")
            .expect("a redirect has a Location");
        if let Some(problem) = oracles::location_problem(location) {
            panic!(
                "{:?} redirects to {location:?}, which {problem}",
                String::from_utf8_lossy(data)
            );
        }
    }
});
