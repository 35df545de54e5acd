//! `casebook check --links` against a real HTTP server on loopback: an address that answers
//! 200, one that moved (301 to the first), one that is gone (404), one that fails (500), one
//! that answers too late, and a port nobody listens on. Dead links and redirects are warnings
//! at the line naming them; answers are cached beside the output for a day, so a second run
//! asks for nothing; no host gets more than two requests at a time.
//! Run: `cargo test --test cli_links`.

mod common;

use common::{casebook, json_diags, Diag};
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What the server saw: requests answered, and the most answered at once.
#[derive(Default)]
struct Seen {
    requests: AtomicUsize,
    open: AtomicUsize,
    most_at_once: AtomicUsize,
}

/// A small HTTP/1.1 server, one thread per connection, closing after each answer.
fn serve(listener: TcpListener, seen: Arc<Seen>) {
    for stream in listener.incoming().flatten() {
        let seen = Arc::clone(&seen);
        std::thread::spawn(move || answer(stream, &seen));
    }
}

fn answer(mut stream: TcpStream, seen: &Seen) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut request_line = String::new();
    if reader.read_line(&mut request_line).is_err() {
        return;
    }
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" || header == "\n" => break,
            Ok(_) => {}
        }
    }
    seen.requests.fetch_add(1, Ordering::SeqCst);
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    // The slow answer is not counted: the client gives up on it long before it comes, and
    // may then ask for the next address.
    let counted = path != "/slow";
    if counted {
        let open = seen.open.fetch_add(1, Ordering::SeqCst) + 1;
        seen.most_at_once.fetch_max(open, Ordering::SeqCst);
    }
    // Every answer takes a moment, so that requests overlap when they are allowed to.
    std::thread::sleep(Duration::from_millis(150));
    let (status, extra) = match path {
        "/ok" | "/ok-2" | "/ok-3" => ("200 OK", String::new()),
        "/moved" => ("301 Moved Permanently", "Location: /ok\r\n".to_string()),
        "/gone" => ("404 Not Found", String::new()),
        "/broken" => ("500 Internal Server Error", String::new()),
        "/slow" => {
            std::thread::sleep(Duration::from_secs(4));
            ("200 OK", String::new())
        }
        _ => ("404 Not Found", String::new()),
    };
    // Counted out before the answer goes: once the client has it, it may ask for the next
    // address, and on a busy machine that request could arrive before this thread runs again.
    if counted {
        seen.open.fetch_sub(1, Ordering::SeqCst);
    }
    let body = "hallo";
    let _ = write!(
        stream,
        "HTTP/1.1 {status}\r\n{extra}Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
}

fn check_links(root: &std::path::Path) -> (common::Run, Vec<Diag>) {
    let run = casebook(&[
        "--root",
        root.to_str().expect("utf-8"),
        "check",
        "--format",
        "json",
        "--links",
        "--link-timeout",
        "1.5",
    ]);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).unwrap_or_else(|_| panic!("not JSON:\n{}", run.output()));
    (run, json_diags(&json))
}

#[test]
fn dead_links_and_redirects_are_warnings_at_their_lines_and_answers_are_cached() {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let seen = Arc::new(Seen::default());
    let for_server = Arc::clone(&seen);
    std::thread::spawn(move || serve(listener, for_server));
    // A port that refuses: bound, then closed again.
    let refused = {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let base = format!("http://127.0.0.1:{port}");
    let (_tmp, root) = common::catalogue_copy("valid-small");
    let entry = format!(
        "---\ntitel: Viele Links\nkurzbeschreibung: Ein Ort mit Links jeder Art.\n\
         handlungsfeld: [zentren]\nwebsite: {base}/ok\nquellen:\n  - title: Umgezogen\n    url: {base}/moved\n\
         \x20 - title: Weg\n    url: {base}/gone\n  - title: Kaputt\n    url: {base}/broken\n\
         ---\nLangsam: [hier]({base}/slow). Niemand da: [dort](http://127.0.0.1:{refused}/x).\n\
         Noch zwei: [a]({base}/ok-2), [b]({base}/ok-3).\n"
    );
    let path = root.join("content/orte/viele-links.md");
    std::fs::write(&path, &entry).expect("write");
    let line_of = |needle: &str| {
        entry
            .lines()
            .position(|l| l.contains(needle))
            .map(|i| i as u64 + 1)
    };

    let (run, diags) = check_links(&root);
    run.assert_exit(0);
    let file = "content/orte/viele-links.md";
    let find = |code: &str, url: &str| {
        diags
            .iter()
            .find(|d| d.code == code && d.message.contains(url) && d.file == file)
            .unwrap_or_else(|| panic!("no {code} for {url}:\n{diags:#?}"))
    };
    let gone = find("dead-link", "/gone");
    assert_eq!(gone.line, line_of("/gone"));
    assert!(gone.message.contains("404"), "{gone:?}");
    let broken = find("dead-link", "/broken");
    assert!(broken.message.contains("500"), "{broken:?}");
    assert_eq!(broken.line, line_of("/broken"));
    let slow = find("dead-link", "/slow");
    assert!(slow.message.contains("no answer within 1.5 s"), "{slow:?}");
    assert_eq!(slow.line, line_of("/slow"));
    let refused_link = find("dead-link", &format!(":{refused}/x"));
    assert!(refused_link.message.contains("refused"), "{refused_link:?}");
    let moved = find("link-redirected", "/moved");
    assert!(moved.message.contains("has moved to"), "{moved:?}");
    assert!(moved.message.contains(&format!("{base}/ok")), "{moved:?}");
    assert_eq!(moved.line, line_of("/moved"));
    assert!(
        diags.iter().all(|d| d.severity == "warning"),
        "link problems are warnings: {diags:#?}"
    );
    assert!(
        !diags
            .iter()
            .any(|d| d.message.starts_with(&format!("`{base}/ok"))),
        "a working link is not reported: {diags:#?}"
    );
    let most = seen.most_at_once.load(Ordering::SeqCst);
    assert!(most <= 2, "{most} requests at once to one host");
    assert!(
        most == 2,
        "the requests to one host never overlapped ({most} at most)"
    );

    // The cache: casebook's own file beside the output, never in content/.
    let cache = root.join(".output.casebook-links");
    assert!(cache.is_file(), "no cache beside the output");
    let in_content: Vec<String> = common::snapshot(&root.join("content"))
        .into_keys()
        .filter(|k| k.contains("casebook"))
        .collect();
    assert!(in_content.is_empty(), "{in_content:?}");
    let asked = seen.requests.load(Ordering::SeqCst);
    let (run, again) = check_links(&root);
    run.assert_exit(0);
    assert_eq!(
        seen.requests.load(Ordering::SeqCst),
        asked,
        "the second run asked the server again"
    );
    let codes = |d: &[Diag]| {
        let mut c: Vec<(String, Option<u64>)> =
            d.iter().map(|d| (d.code.clone(), d.line)).collect();
        c.sort();
        c
    };
    assert_eq!(
        codes(&again),
        codes(&diags),
        "the cached answers give the same warnings"
    );
}

#[test]
fn without_links_nothing_is_asked() {
    let (_tmp, root) = common::catalogue_copy("valid-small");
    let run = casebook(&["--root", root.to_str().expect("utf-8"), "check"]);
    run.assert_exit(0);
    assert!(!root.join(".output.casebook-links").exists());
}
