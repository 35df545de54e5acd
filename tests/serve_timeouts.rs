//! `casebook serve` drops connections that stay silent (idle keep-alive, slowloris, a client
//! trickling slower than the timeout) without keeping anyone else waiting, while event streams,
//! which never send anything after their request, live on. Runs the server in-process to use a
//! short idle timeout.

mod serve_support;

use casebook::serve::{start, ServeOptions};
use serve_support::*;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

fn quick_server(catalogue: &TempCatalogue, idle: Duration) -> casebook::serve::Preview {
    let mut options = ServeOptions::new(&catalogue.root);
    options.port = 0;
    options.quiet = true;
    options.idle_timeout = idle;
    start(&options).expect("server starts")
}

/// True if the server closed the connection (EOF, reset, or a final error response) before
/// `wait` ran out on our side.
fn closed_by_server(stream: &mut TcpStream, wait: Duration) -> bool {
    stream.set_read_timeout(Some(wait)).unwrap();
    let mut buffer = [0u8; 1024];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => return true,
            Ok(_) => continue, // e.g. "408 Request Timeout", then EOF
            Err(e) => {
                return !matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                )
            }
        }
    }
}

/// How long a page request may take while slow and idle clients are connected.
const PAGE_WITHIN: Duration = Duration::from_secs(1);

#[test]
fn slow_and_idle_connections_do_not_delay_a_page_and_idle_ones_are_closed() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(1500);
    let preview = quick_server(&catalogue, idle);
    let addr = preview.addr();

    // 50 connections that send nothing, 20 that send half a request head, and one that
    // trickles its request a byte a second.
    let mut silent: Vec<TcpStream> = (0..50).map(|_| TcpStream::connect(addr).unwrap()).collect();
    let mut half: Vec<TcpStream> = (0..20)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(format!("GET / HTTP/1.1\r\nHost: {addr}").as_bytes())
                .unwrap();
            s
        })
        .collect();
    let trickling = std::thread::spawn(move || {
        let mut s = TcpStream::connect(addr).unwrap();
        for byte in format!("GET / HTTP/1.1\r\nHost: {addr}\r\n")
            .bytes()
            .take(5)
        {
            if s.write_all(&[byte]).is_err() {
                return;
            }
            std::thread::sleep(Duration::from_secs(1));
        }
    });
    // An idle keep-alive connection after one good request.
    let mut idle_stream = TcpStream::connect(addr).unwrap();
    idle_stream
        .write_all(format!("GET / HTTP/1.1\r\nHost: {addr}\r\n\r\n").as_bytes())
        .unwrap();
    let opened = Instant::now();

    for _ in 0..10 {
        let asked = Instant::now();
        let reply = get(addr, "/orte/markthalle/");
        assert_eq!(reply.status, 200, "{reply:?}");
        assert!(
            asked.elapsed() < PAGE_WITHIN,
            "a page took {:?} beside slow clients",
            asked.elapsed()
        );
        std::thread::sleep(Duration::from_millis(100));
    }

    // Every silent connection is closed once the read timeout has passed (plus scheduling).
    for stream in silent.iter_mut().chain(&mut half) {
        let left = (idle * 2).saturating_sub(opened.elapsed());
        assert!(
            closed_by_server(stream, left.max(Duration::from_millis(10))),
            "a silent client was still connected after {:?}",
            opened.elapsed()
        );
    }
    // The keep-alive one got its page, then was closed for idling.
    let mut first = [0u8; 12];
    idle_stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_by_server(&mut idle_stream, idle * 2));
    trickling.join().unwrap();
    preview.stop();
}

#[test]
fn a_client_trickling_slower_than_the_timeout_is_cut_off() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(800);
    let preview = quick_server(&catalogue, idle);
    let addr = preview.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    let request = format!("GET /orte/markthalle/ HTTP/1.1\r\nHost: {addr}\r\n");
    let started = Instant::now();
    // One byte a second: every read on the server waits longer than its timeout.
    let mut cut_off = false;
    for byte in request.bytes().take(6) {
        if stream.write_all(&[byte]).is_err() {
            cut_off = true;
            break;
        }
        std::thread::sleep(Duration::from_secs(1));
    }
    assert!(
        cut_off || closed_by_server(&mut stream, Duration::from_millis(100)),
        "still connected after {:?}",
        started.elapsed()
    );
}

#[test]
fn a_client_trickling_faster_than_the_timeout_is_answered() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(800);
    let preview = quick_server(&catalogue, idle);
    let addr = preview.addr();
    let mut stream = TcpStream::connect(addr).unwrap();
    let request =
        format!("GET /orte/markthalle/ HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    // A byte every 20 ms: the request takes longer than the timeout, each read does not.
    for byte in request.bytes() {
        stream.write_all(&[byte]).unwrap();
        std::thread::sleep(Duration::from_millis(20));
    }
    let mut reply = Vec::new();
    stream.read_to_end(&mut reply).unwrap();
    assert!(
        reply.starts_with(b"HTTP/1.1 200"),
        "{}",
        String::from_utf8_lossy(&reply)
    );
}

#[test]
fn a_server_idle_for_longer_than_the_timeout_still_accepts() {
    // The listener carries the read timeout too, so an accept with nobody connecting ends
    // with `WouldBlock` after it; the server must go on accepting.
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(300);
    let preview = quick_server(&catalogue, idle);
    std::thread::sleep(idle * 4);
    assert_eq!(get(preview.addr(), "/orte/markthalle/").status, 200);
}

#[test]
fn a_request_with_bare_lf_line_endings_is_answered_at_once() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let preview = quick_server(&catalogue, Duration::from_secs(20));
    let addr = preview.addr();
    let asked = Instant::now();
    let reply = raw_request(
        addr,
        &format!("GET /orte/markthalle/ HTTP/1.1\nHost: {addr}\nConnection: close\n\n"),
    );
    assert_eq!(reply.status, 200);
    assert!(reply.text().contains("</html>"));
    assert!(asked.elapsed() < PAGE_WITHIN, "{:?}", asked.elapsed());
}

#[test]
fn event_streams_outlive_the_idle_timeout() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(500);
    let preview = quick_server(&catalogue, idle);
    let mut events = Events::connect(preview.addr());
    events.expect("hello");
    std::thread::sleep(idle * 3);

    let entry = catalogue.path("content/orte/markthalle.md");
    let text = catalogue.read("content/orte/markthalle.md");
    save_by_rename(
        &entry,
        &text.replace("titel: Markthalle", "titel: Halle am Markt"),
    );
    let reload = events.expect("reload");
    assert_eq!(reload.data["entry_url"], "/orte/markthalle/");
    assert!(get(preview.addr(), "/orte/markthalle/")
        .text()
        .contains("Halle am Markt"));
}

#[test]
fn stopping_ends_event_streams_and_frees_the_port() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let preview = quick_server(&catalogue, Duration::from_secs(5));
    let addr = preview.addr();
    let mut events = Events::connect(addr);
    events.expect("hello");
    preview.stop();
    assert!(
        events.next(Duration::from_secs(5)).is_none(),
        "stream ended"
    );
    let deadline = Instant::now() + Duration::from_secs(5);
    while std::net::TcpListener::bind(addr).is_err() {
        assert!(Instant::now() < deadline, "port still taken after stop");
        std::thread::sleep(Duration::from_millis(50));
    }
}
