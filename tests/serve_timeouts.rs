//! `casebook serve` drops connections that stay silent (idle keep-alive, slowloris) without
//! keeping anyone else waiting, while event streams, which never send anything after their
//! request, live on. Runs the server in-process to use a short idle timeout.

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

#[test]
fn slow_and_idle_connections_time_out_without_blocking_others() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(800);
    let preview = quick_server(&catalogue, idle);
    let addr = preview.addr();

    // Slowloris: half a request, then silence.
    let mut slow: Vec<TcpStream> = (0..30)
        .map(|_| {
            let mut s = TcpStream::connect(addr).unwrap();
            s.write_all(b"GET / HTTP/1.1\r\nHost: x").unwrap();
            s
        })
        .collect();
    // An idle keep-alive connection after one good request.
    let mut idle_stream = TcpStream::connect(addr).unwrap();
    idle_stream
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();

    let started = Instant::now();
    for _ in 0..10 {
        let reply = get(addr, "/orte/markthalle/");
        assert_eq!(reply.status, 200, "{reply:?} after {:?}", started.elapsed());
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "pages were held up by slow clients: {:?}",
        started.elapsed()
    );

    for stream in &mut slow {
        assert!(
            closed_by_server(stream, idle * 6),
            "a silent client was not dropped"
        );
    }
    // The keep-alive one got its page, then was closed for idling.
    let mut first = [0u8; 12];
    idle_stream.read_exact(&mut first).unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    assert!(closed_by_server(&mut idle_stream, idle * 6));
    preview.stop();
}

#[test]
fn a_client_trickling_its_request_is_cut_off_at_the_deadline() {
    let catalogue = TempCatalogue::copy_of("serve-basic");
    let idle = Duration::from_millis(800);
    let preview = quick_server(&catalogue, idle);
    let mut stream = TcpStream::connect(preview.addr()).unwrap();
    let request = b"GET /orte/markthalle/ HTTP/1.1\r\nHost: x\r\nX-Padding: aaaaaaaaaaaaaaaa";
    let started = Instant::now();
    // One byte every 100 ms: each read is quick, but the head as a whole never arrives in time.
    let mut cut_off = false;
    for byte in request.iter().chain(std::iter::repeat(&b'a')).take(100) {
        if stream.write_all(&[*byte]).is_err() {
            cut_off = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
        if started.elapsed() > idle * 4 {
            break;
        }
    }
    assert!(
        cut_off || closed_by_server(&mut stream, Duration::from_millis(100)),
        "still connected after {:?}",
        started.elapsed()
    );
    assert!(started.elapsed() < idle * 4, "{:?}", started.elapsed());
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
