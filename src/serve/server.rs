//! The preview's HTTP glue on tiny_http: it parses requests and reads each connection on a
//! thread of its own; here the sockets get their timeouts and the requests their answers.
//!
//! Timeouts: `SO_RCVTIMEO` and `SO_SNDTIMEO` are set on the listening socket, and on Linux
//! every connection accepted from it inherits them, so any read or write that stalls for the
//! idle timeout ends its connection (idle keep-alive, a client that sends half a request).
//! A client trickling bytes holds one of tiny_http's threads, which grow with demand, and
//! delays no one else.
//!
//! Answers are written by worker threads that also grow with demand: one is always waiting for
//! the next request, so a slow reader or a long event stream (one worker per open tab) never
//! holds up a page. Workers idle for a while go away again.

use socket2::SockRef;
use std::borrow::Cow;
use std::io::{self, Cursor, Write};
use std::net::TcpListener;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Weak};
use std::thread;
use std::time::{Duration, Instant};
use tiny_http::{Header, StatusCode};

pub use tiny_http::{Method, Request};

/// Workers that stay even when idle.
const MIN_WORKERS: usize = 2;
/// Requests wait in tiny_http's queue rather than start more workers than this.
const MAX_WORKERS: usize = 2048;
/// A worker beyond the minimum that has answered nothing for this long ends.
const WORKER_IDLE: Duration = Duration::from_secs(5);
/// How often a waiting worker looks whether the server stopped.
const POLL: Duration = Duration::from_millis(250);

/// A complete response.
pub struct Response {
    pub status: u16,
    pub content_type: Cow<'static, str>,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
}

/// Response bytes, shared with the site where possible.
pub enum Body {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
    Static(&'static str),
}

impl AsRef<[u8]> for Body {
    fn as_ref(&self) -> &[u8] {
        match self {
            Body::Shared(b) => b,
            Body::Owned(b) => b,
            Body::Static(s) => s.as_bytes(),
        }
    }
}

impl Response {
    pub fn new(status: u16, content_type: impl Into<Cow<'static, str>>, body: Body) -> Response {
        Response {
            status,
            content_type: content_type.into(),
            body,
            headers: vec![],
        }
    }

    pub fn with_header(mut self, name: &'static str, value: impl Into<String>) -> Response {
        self.headers.push((name, value.into()));
        self
    }
}

/// What the handler does with a request.
pub enum Answer {
    Respond(Response),
    /// The handler writes the whole response itself, status line first, for as long as it
    /// likes (an event stream), on the worker's thread.
    Stream(Box<dyn FnOnce(Box<dyn Write + Send>) + Send>),
}

pub type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

pub const TEXT: &str = "text/plain; charset=utf-8";

/// The serving side; stops accepting when dropped.
pub struct Server {
    /// The workers hold it only while they wait for a request, so dropping this one closes the
    /// listening socket within [`POLL`].
    _http: Arc<tiny_http::Server>,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `listener`; every read and write on its connections times out after `timeout`.
    pub fn start(
        listener: TcpListener,
        handler: Arc<Handler>,
        timeout: Duration,
    ) -> io::Result<Server> {
        set_timeouts(&listener, timeout)?;
        let http =
            Arc::new(tiny_http::Server::from_listener(listener, None).map_err(io::Error::other)?);
        let stop = Arc::new(AtomicBool::new(false));
        let pool = Arc::new(Pool {
            http: Arc::downgrade(&http),
            handler,
            stop: Arc::clone(&stop),
            alive: AtomicUsize::new(0),
            idle: AtomicUsize::new(0),
        });
        for _ in 0..MIN_WORKERS {
            if !Pool::spawn(&pool) {
                return Err(io::Error::other("cannot start a worker thread"));
            }
        }
        Ok(Server { _http: http, stop })
    }
}

/// Every read and write on a connection accepted from `listener` after this times out (the
/// connections inherit `SO_RCVTIMEO` and `SO_SNDTIMEO` on Linux; see the test below).
fn set_timeouts(listener: &TcpListener, timeout: Duration) -> io::Result<()> {
    let socket = SockRef::from(listener);
    socket.set_read_timeout(Some(timeout))?;
    socket.set_write_timeout(Some(timeout))
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// The workers answering requests.
struct Pool {
    http: Weak<tiny_http::Server>,
    handler: Arc<Handler>,
    stop: Arc<AtomicBool>,
    alive: AtomicUsize,
    /// Workers waiting for a request; when the last one takes one, another is started.
    idle: AtomicUsize,
}

impl Pool {
    /// Starts a worker, counted as idle from now on; false if no thread could be started.
    fn spawn(pool: &Arc<Pool>) -> bool {
        if pool.alive.fetch_add(1, Ordering::SeqCst) >= MAX_WORKERS {
            pool.alive.fetch_sub(1, Ordering::SeqCst);
            return false;
        }
        pool.idle.fetch_add(1, Ordering::SeqCst);
        let worker = Arc::clone(pool);
        let started = thread::Builder::new()
            .name("casebook-http".into())
            .spawn(move || worker.work());
        if started.is_err() {
            pool.idle.fetch_sub(1, Ordering::SeqCst);
            pool.alive.fetch_sub(1, Ordering::SeqCst);
        }
        started.is_ok()
    }

    fn work(self: Arc<Pool>) {
        let mut last = Instant::now();
        loop {
            if self.stop.load(Ordering::SeqCst) {
                break;
            }
            let Some(http) = self.http.upgrade() else {
                break;
            };
            let next = http.recv_timeout(POLL);
            drop(http);
            match next {
                Ok(Some(request)) => {
                    if self.idle.fetch_sub(1, Ordering::SeqCst) == 1 {
                        Pool::spawn(&self);
                    }
                    answer(request, &*self.handler);
                    self.idle.fetch_add(1, Ordering::SeqCst);
                    last = Instant::now();
                }
                Ok(None) if last.elapsed() > WORKER_IDLE && self.retire() => return,
                Ok(None) => {}
                // Only an unblocked `recv` ends with an error: the accept loop (patched) never
                // gives up.
                Err(_) => thread::sleep(POLL),
            }
        }
        self.idle.fetch_sub(1, Ordering::SeqCst);
        self.alive.fetch_sub(1, Ordering::SeqCst);
    }

    /// Ends an idle worker unless only the minimum is left.
    fn retire(&self) -> bool {
        let retired = self
            .alive
            .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |alive| {
                (alive > MIN_WORKERS).then(|| alive - 1)
            })
            .is_ok();
        if retired {
            self.idle.fetch_sub(1, Ordering::SeqCst);
        }
        retired
    }
}

fn answer(request: Request, handler: &Handler) {
    match handler(&request) {
        Answer::Respond(response) => respond(request, response),
        Answer::Stream(write) => write(request.into_writer()),
    }
}

/// Writes `response` with its length (never chunked) and the headers every answer carries;
/// tiny_http adds `Date` and leaves the body out for HEAD. Errors mean the client left.
fn respond(request: Request, response: Response) {
    let length = response.body.as_ref().len();
    let fixed = [
        ("Content-Type", response.content_type.as_ref()),
        ("Cache-Control", "no-store"),
        ("X-Content-Type-Options", "nosniff"),
        ("Server", "casebook"),
    ];
    let extra = response.headers.iter().map(|(n, v)| (*n, v.as_str()));
    let headers = fixed
        .into_iter()
        .chain(extra)
        // Values come from us, but never let one smuggle in a header line.
        .filter(|(_, value)| !value.contains(['\r', '\n']))
        .filter_map(|(name, value)| Header::from_bytes(name, value).ok())
        .collect::<Vec<_>>();
    let reply = tiny_http::Response::new(
        StatusCode(response.status),
        headers,
        Cursor::new(response.body),
        Some(length),
        None,
    )
    .with_chunked_threshold(usize::MAX);
    let _ = request.respond(reply);
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::TcpStream;

    #[test]
    fn accepted_connections_inherit_the_listener_s_timeouts() {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let timeout = Duration::from_secs(2);
        set_timeouts(&listener, timeout).unwrap();
        let _client = TcpStream::connect(listener.local_addr().unwrap()).unwrap();
        let (accepted, _) = listener.accept().unwrap();
        assert_eq!(accepted.read_timeout().unwrap(), Some(timeout));
        assert_eq!(accepted.write_timeout().unwrap(), Some(timeout));
    }
}
