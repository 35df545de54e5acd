//! `casebook serve`: builds the catalogue into memory, serves it, watches the sources and
//! brings every open tab up to date after each save.
//!
//! Threads: every connection has its own ([`server`]), answering from the in-memory site, or,
//! for a tab's event stream (live reload, see [`live`]), staying with that tab; so open tabs
//! never starve page requests, and deadlines drop idle and slow clients. One builder thread
//! owns the [`Session`], waits for quiet after changes ([`watch`]), rebuilds, swaps the served
//! site and tells the tabs.
//!
//! A failed rebuild never stops the server: the last good site stays up and the tabs show the
//! diagnostics in an overlay; when no build has succeeded yet, pages are an error page.
mod failure;
mod http;
mod live;
mod server;
pub mod session;
mod watch;

use crate::diagnostic::{display_path, escape_controls, Diagnostic};
use failure::Failure;
use http::{Lookup, Refusal};
use server::{Answer, Body, Method, Request, Response};
use session::{Rebuild, Session, SiteFiles};
use std::io::Write as _;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, PoisonError, RwLock};
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};
use watch::{Next, Watch};

mod builder;
mod log;

use builder::*;
use log::*;

/// How long saving must pause before exports and the search index are brought up to date.
const DEFERRED_AFTER: Duration = Duration::from_millis(300);

/// How many ports after `--port` are tried when it is taken.
const PORT_ATTEMPTS: u16 = 20;

/// Options of `casebook serve`.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The catalogue folder (the one that contains `content/`).
    pub root: PathBuf,
    /// The first port to try; 0 lets the system pick a free one.
    pub port: u16,
    /// Address to listen on; loopback unless the user wants the preview on the network.
    pub bind: String,
    /// Open the site in the default browser once it is served.
    pub open: bool,
    /// Poll for changes instead of relying on file-system events.
    pub poll: bool,
    /// Quiet time after the last change before rebuilding.
    pub debounce: Duration,
    /// Build the full-text search index (after each reload, off the critical path).
    pub search: bool,
    pub quiet: bool,
    pub verbose: bool,
    /// ANSI colours in diagnostics.
    pub color: bool,
    /// A connection that sends nothing for this long is closed (idle keep-alive, slowloris).
    pub idle_timeout: Duration,
}

impl ServeOptions {
    /// The defaults of the command line for the catalogue in `root`.
    pub fn new(root: impl Into<PathBuf>) -> ServeOptions {
        ServeOptions {
            root: root.into(),
            port: 1111,
            bind: "127.0.0.1".into(),
            open: false,
            poll: false,
            debounce: Duration::from_millis(60),
            search: true,
            quiet: false,
            verbose: false,
            color: false,
            idle_timeout: Duration::from_secs(20),
        }
    }
}

/// Runs the preview server until Ctrl-C (or SIGTERM).
pub fn run(options: ServeOptions) -> Result<(), String> {
    let log = Log::new(&options);
    let preview = start(&options)?;
    let (signal, signalled) = mpsc::channel();
    ctrlc::set_handler(move || {
        let _ = signal.send(());
    })
    .map_err(|e| format!("cannot handle Ctrl-C: {e}"))?;
    if options.open {
        open_browser(&preview.url, log);
    }
    let _ = signalled.recv();
    preview.stop();
    log.info("stopped");
    Ok(())
}

/// A running preview; stops when dropped.
pub struct Preview {
    url: String,
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
    shared: Arc<Shared>,
    /// Stops accepting when dropped.
    _server: server::Server,
}

impl Preview {
    /// The address of the site, as its links use it (`http://127.0.0.1:1111/`).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Stops serving: the port is released, event streams end, open connections finish their
    /// current request, the watcher stops after its current rebuild.
    pub fn stop(self) {
        drop(self);
    }
}

impl Drop for Preview {
    fn drop(&mut self) {
        // The watcher stops after its current rebuild; event streams end now; the listening
        // socket closes when `_server` drops, right after this.
        self.stop.store(true, Ordering::SeqCst);
        self.shared.hub.close();
    }
}

/// Builds, starts serving and watching, and returns once the site is reachable.
pub fn start(options: &ServeOptions) -> Result<Preview, String> {
    let log = Log::new(options);
    let root = options
        .root
        .canonicalize()
        .map_err(|e| format!("cannot open {}: {e}", options.root.display()))?;
    if !root.join("content").is_dir() {
        return Err(format!(
            "{} has no content/ folder; pass --root <catalogue folder>, or create a catalogue \
             with `casebook init <dir>`",
            options.root.display()
        ));
    }
    let listener = listen(&options.bind, options.port, log)?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the server address: {e}"))?;
    let url = site_url(&options.bind, addr);
    if !addr.ip().is_loopback() {
        log.warn(&format!(
            "listening on {}, so the preview is reachable from other machines",
            addr.ip()
        ));
    }

    // Watch before the first build, so nothing saved during it is missed.
    let mut watch = Watch::new(&root, options.poll)?;
    for problem in std::mem::take(&mut watch.problems) {
        log.warn(&problem);
    }
    let shared = Arc::new(Shared {
        served: RwLock::new(Arc::new(Served::default())),
        hub: live::Hub::default(),
        hosts: http::Hosts::new(&options.bind, addr.port()),
    });
    let mut builder = Builder {
        session: Session::new(&root, Some(url.clone()), options.search),
        shared: Arc::clone(&shared),
        log,
        root: root.clone(),
        instance: instance_id(),
        generation: 0,
        warnings: vec![],
    };
    let first = builder.rebuild(&[]);
    builder.apply_first(&first);

    let stop = Arc::new(AtomicBool::new(false));
    let answering = Arc::clone(&shared);
    let handler: Arc<server::Handler> = Arc::new(move |request: &Request| {
        // A bug in answering one request must not take the connection's thread down.
        catch_unwind(AssertUnwindSafe(|| answer(request, &answering)))
            .unwrap_or_else(|_| text(500, "internal error\n"))
    });
    let server = server::Server::start(listener, handler, options.idle_timeout)
        .map_err(|e| format!("cannot start the server: {e}"))?;
    log.info(&format!("listening on {url} (Ctrl-C to stop)"));
    log.detail(&format!("watching {}", watch.describe()));

    let debounce = options.debounce;
    let builder_stop = Arc::clone(&stop);
    thread::Builder::new()
        .name("casebook-watch".into())
        .spawn(move || {
            // Exports and search wait for a pause in saving: they take long, and a save
            // arriving meanwhile would wait for them.
            let mut deferred = first.ok;
            loop {
                let idle = deferred.then_some(DEFERRED_AFTER);
                match watch.next(debounce, idle, &builder_stop) {
                    Next::Stopped => return,
                    Next::Idle => {
                        builder.refresh_deferred();
                        deferred = false;
                    }
                    Next::Batch(batch) => {
                        for problem in std::mem::take(&mut watch.problems) {
                            builder.log.warn(&problem);
                        }
                        let rebuild = builder.rebuild(&batch.changed);
                        builder.apply(&rebuild, &batch.changed);
                        deferred |= rebuild.ok && !rebuild.changed.is_empty();
                    }
                }
            }
        })
        .map_err(|e| format!("cannot start the watcher thread: {e}"))?;

    Ok(Preview {
        url,
        addr,
        stop,
        shared,
        _server: server,
    })
}

/// Binds `bind:port`, or the next free port after it.
fn listen(bind: &str, port: u16, log: Log) -> Result<TcpListener, String> {
    let last = if port == 0 {
        0
    } else {
        port.saturating_add(PORT_ATTEMPTS - 1)
    };
    for candidate in port..=last {
        match TcpListener::bind((bind, candidate)) {
            Ok(listener) => {
                if candidate != port {
                    log.info(&format!("port {port} is in use; using {candidate}"));
                }
                return Ok(listener);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => return Err(format!("cannot listen on {bind}:{candidate}: {e}")),
        }
    }
    Err(format!(
        "ports {port} to {last} are all in use; choose another with --port"
    ))
}

/// The site's address: the bound name as given, loopback for a wildcard address.
fn site_url(bind: &str, addr: SocketAddr) -> String {
    let host = match bind.parse::<IpAddr>() {
        Ok(ip) if ip.is_unspecified() && ip.is_ipv4() => "127.0.0.1".to_string(),
        Ok(ip) if ip.is_unspecified() => "[::1]".to_string(),
        Ok(IpAddr::V6(ip)) => format!("[{ip}]"),
        Ok(IpAddr::V4(ip)) => ip.to_string(),
        Err(_) => bind.to_string(),
    };
    format!("http://{host}:{}/", addr.port())
}

/// Distinguishes this run from an earlier server on the same port, so a tab that survived a
/// restart reloads.
fn instance_id() -> String {
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    format!("{:x}", nanos & 0xffff_ffff_ffff)
}

// --- what is being served ----------------------------------------------------------------------

/// The site as served right now. Replaced whole, never changed in place.
#[derive(Default)]
struct Served {
    /// The last good build.
    files: Arc<SiteFiles>,
    /// Names that build; empty while no build has succeeded.
    build: String,
    /// The latest build's problems, while it failed.
    failure: Option<Arc<Failure>>,
}

struct Shared {
    served: RwLock<Arc<Served>>,
    hub: live::Hub,
    /// The `Host` headers answered (DNS rebinding).
    hosts: http::Hosts,
}

impl Shared {
    fn served(&self) -> Arc<Served> {
        Arc::clone(&self.served.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn set(&self, served: Served) {
        *self.served.write().unwrap_or_else(PoisonError::into_inner) = Arc::new(served);
    }

    /// What a new event stream hears first: the build, and the failure if there is one.
    fn greeting(&self) -> Vec<Arc<str>> {
        let served = self.served();
        let mut events = vec![live::hello(&served.build)];
        if let Some(failure) = &served.failure {
            events.push(live::build_error(&failure.json));
        }
        events
    }
}

// --- answering requests -------------------------------------------------------------------------

const HTML: &str = "text/html; charset=utf-8";

const JS: &str = "text/javascript; charset=utf-8";

fn text(status: u16, body: &'static str) -> Answer {
    Answer::Respond(Response::new(status, server::TEXT, Body::Static(body)))
}

fn answer(request: &Request, shared: &Shared) -> Answer {
    let host = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Host"))
        .map(|h| h.value.as_str());
    if !shared.hosts.allows(host, is_own_address) {
        return text(421, "this server answers only to its own address\n");
    }
    let head = *request.method() == Method::Head;
    if !matches!(request.method(), Method::Get | Method::Head) {
        return Answer::Respond(
            Response::new(
                405,
                server::TEXT,
                Body::Static("only GET and HEAD are served\n"),
            )
            .with_header("Allow", "GET, HEAD"),
        );
    }
    let target = match http::parse_target(request.url()) {
        Ok(target) => target,
        Err(Refusal::BadRequest) => return text(400, "bad request\n"),
        Err(Refusal::NotFound) => return not_found(&shared.served()),
    };
    match target.path.as_str() {
        live::EVENTS_PATH if head => {
            let head = Response::new(200, "text/event-stream; charset=utf-8", Body::Static(""));
            return Answer::Respond(head);
        }
        live::EVENTS_PATH => return open_stream(shared),
        live::SCRIPT_PATH => {
            return Answer::Respond(Response::new(200, JS, Body::Static(live::SCRIPT)))
        }
        live::WORKER_PATH => {
            return Answer::Respond(Response::new(200, JS, Body::Static(live::WORKER)))
        }
        _ => {}
    }
    let served = shared.served();
    if served.build.is_empty() {
        return match &served.failure {
            Some(failure) if http::wants_page(&target.path) => {
                let page = failure.page(&live::script_tag(""));
                Answer::Respond(Response::new(500, HTML, Body::Owned(page.into_bytes())))
            }
            _ => text(404, "not found\n"),
        };
    }
    match http::lookup(&served.files, &target) {
        Lookup::File(key) => {
            let Some(bytes) = served.files.get(key.as_str()) else {
                return not_found(&served);
            };
            let content_type = http::content_type(&key);
            let body = if http::is_html(&content_type) {
                Body::Owned(http::inject(bytes, &live::script_tag(&served.build)))
            } else {
                Body::Shared(Arc::clone(bytes))
            };
            Answer::Respond(Response::new(200, content_type, body))
        }
        Lookup::Redirect(location) => Answer::Respond(
            Response::new(
                301,
                server::TEXT,
                Body::Owned(format!("moved to {location}\n").into_bytes()),
            )
            .with_header("Location", location),
        ),
        Lookup::NotFound => not_found(&served),
    }
}

/// Whether `ip` is one of this machine's addresses: only those can be bound.
fn is_own_address(ip: IpAddr) -> bool {
    ip.is_loopback() || TcpListener::bind((ip, 0)).is_ok()
}

/// The site's own 404 page (with status 404), or a plain one.
fn not_found(served: &Served) -> Answer {
    match served.files.get(crate::urls::NOT_FOUND) {
        Some(page) if !served.build.is_empty() => {
            let page = http::inject(page, &live::script_tag(&served.build));
            Answer::Respond(Response::new(404, HTML, Body::Owned(page)))
        }
        _ => text(404, "not found\n"),
    }
}

/// Answers with an event stream, written on the worker thread that took the request.
fn open_stream(shared: &Shared) -> Answer {
    let Some(events) = shared.hub.subscribe() else {
        return text(503, "stopping\n");
    };
    // Greeted after subscribing: an event in between is heard twice rather than never.
    let greeting = shared.greeting();
    Answer::Stream(Box::new(move |socket| {
        live::stream(socket, events, greeting, live::HEARTBEAT)
    }))
}

// --- rebuilding ---------------------------------------------------------------------------------

/// Opens `url` in the default browser; failing that, says so.
fn open_browser(url: &str, log: Log) {
    let mut command = if cfg!(target_os = "macos") {
        std::process::Command::new("open")
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("cmd");
        c.args(["/C", "start", ""]);
        c
    } else {
        std::process::Command::new("xdg-open")
    };
    let started = command
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
    match started {
        // Reap it when it exits, so no zombie stays behind.
        Ok(mut child) => {
            let _ = thread::Builder::new().spawn(move || child.wait());
        }
        Err(e) => log.warn(&format!("cannot open a browser ({e}); open {url} yourself")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn site_url_brackets_ipv6_and_avoids_wildcards() {
        let addr: SocketAddr = "127.0.0.1:1111".parse().unwrap();
        assert_eq!(site_url("127.0.0.1", addr), "http://127.0.0.1:1111/");
        assert_eq!(site_url("0.0.0.0", addr), "http://127.0.0.1:1111/");
        assert_eq!(site_url("::1", addr), "http://[::1]:1111/");
        assert_eq!(site_url("::", addr), "http://[::1]:1111/");
        assert_eq!(site_url("localhost", addr), "http://localhost:1111/");
    }

    #[test]
    fn a_taken_port_moves_to_the_next() {
        let taken = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = taken.local_addr().unwrap().port();
        let log = Log {
            quiet: true,
            verbose: false,
            color: false,
        };
        match listen("127.0.0.1", port, log) {
            Ok(listener) => assert_ne!(listener.local_addr().unwrap().port(), port),
            // Only if the twenty ports after a random one are all taken.
            Err(e) => assert!(e.contains("all in use"), "{e}"),
        }
    }
}
