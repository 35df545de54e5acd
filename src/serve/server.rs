//! A small HTTP/1.1 server on std sockets: GET and HEAD of an in-memory site, keep-alive, and
//! connections a handler can take over (the event streams).
//!
//! Every connection has a thread of its own, so a long-lived event stream or a slow client
//! never delays anyone else, and a deadline: the next request's head must arrive in full within
//! the idle timeout, however slowly its bytes trickle in (slowloris), and a write that stalls
//! that long ends the connection. The number of open connections is capped.
//!
//! Why not tiny_http: it gives no access to the sockets it accepts, so no timeouts; its accept
//! loop ends for good on the first accept error; and its thread pool can queue a fresh
//! connection behind slow ones.

use std::io::{self, Read, Write};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

/// Longest request head accepted (request line and headers).
const MAX_HEAD: usize = 16 * 1024;
/// Open connections beyond this are refused with 503 at once.
const MAX_CONNECTIONS: usize = 1024;

/// A parsed request head. Bodies are never read: only GET and HEAD are served.
#[derive(Debug, Clone)]
pub struct Request {
    pub method: String,
    /// The request target as sent (`/orte/x/?q`, or absolute form).
    pub target: String,
    headers: Vec<(String, String)>,
    http10: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn is_head(&self) -> bool {
        self.method == "HEAD"
    }

    fn has_body(&self) -> bool {
        self.header("Transfer-Encoding").is_some()
            || self
                .header("Content-Length")
                .is_some_and(|l| l.trim() != "0")
    }

    fn wants_keep_alive(&self) -> bool {
        let connection = self.header("Connection").unwrap_or("").to_ascii_lowercase();
        if self.http10 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        }
    }
}

/// A complete response.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Body,
    pub headers: Vec<(&'static str, String)>,
}

/// Response bytes, shared with the site where possible.
pub enum Body {
    Shared(Arc<[u8]>),
    Owned(Vec<u8>),
    Static(&'static str),
}

impl Body {
    fn bytes(&self) -> &[u8] {
        match self {
            Body::Shared(b) => b,
            Body::Owned(b) => b,
            Body::Static(s) => s.as_bytes(),
        }
    }
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: Body) -> Response {
        Response {
            status,
            content_type,
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
    /// The handler takes the connection over (after the request head; it writes everything).
    TakeOver(Box<dyn FnOnce(TcpStream) + Send>),
}

pub type Handler = dyn Fn(&Request) -> Answer + Send + Sync;

/// The accepting side; stops when dropped.
pub struct Server {
    addr: SocketAddr,
    stop: Arc<AtomicBool>,
}

impl Server {
    /// Serves `listener` on a thread of its own.
    pub fn start(
        listener: TcpListener,
        handler: Arc<Handler>,
        idle_timeout: Duration,
    ) -> io::Result<Server> {
        let addr = listener.local_addr()?;
        let stop = Arc::new(AtomicBool::new(false));
        let accept_stop = Arc::clone(&stop);
        thread::Builder::new()
            .name("casebook-accept".into())
            .spawn(move || accept(listener, handler, idle_timeout, accept_stop))?;
        Ok(Server { addr, stop })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        // Wake the blocked accept so it sees the flag and closes the socket.
        let wake = match self.addr.ip() {
            IpAddr::V4(ip) if ip.is_unspecified() => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(ip) if ip.is_unspecified() => IpAddr::V6(Ipv6Addr::LOCALHOST),
            ip => ip,
        };
        let _ = TcpStream::connect_timeout(
            &SocketAddr::new(wake, self.addr.port()),
            Duration::from_secs(1),
        );
    }
}

fn accept(
    listener: TcpListener,
    handler: Arc<Handler>,
    idle_timeout: Duration,
    stop: Arc<AtomicBool>,
) {
    let open = Arc::new(AtomicUsize::new(0));
    for stream in listener.incoming() {
        if stop.load(Ordering::SeqCst) {
            return;
        }
        let mut stream = match stream {
            Ok(s) => s,
            Err(e) => {
                // Out of file descriptors and the like: pause instead of spinning, never quit.
                if !matches!(
                    e.kind(),
                    io::ErrorKind::ConnectionAborted
                        | io::ErrorKind::ConnectionReset
                        | io::ErrorKind::Interrupted
                ) {
                    thread::sleep(Duration::from_millis(100));
                }
                continue;
            }
        };
        let configured = stream
            .set_read_timeout(Some(idle_timeout))
            .and_then(|()| stream.set_write_timeout(Some(idle_timeout)))
            .and_then(|()| stream.set_nodelay(true));
        if configured.is_err() {
            continue;
        }
        if open.load(Ordering::SeqCst) >= MAX_CONNECTIONS {
            let _ = write_response(
                &mut stream,
                false,
                Response::new(503, TEXT, Body::Static("too many connections\n")),
                false,
            );
            continue;
        }
        let guard = Open::new(&open);
        let handler = Arc::clone(&handler);
        let stop = Arc::clone(&stop);
        // If no thread can be started, the connection is closed as the closure drops.
        let _ = thread::Builder::new()
            .name("casebook-connection".into())
            .spawn(move || {
                let _guard = guard;
                serve_connection(stream, &*handler, idle_timeout, &stop);
            });
    }
}

/// Counts a connection while it is open.
struct Open(Arc<AtomicUsize>);

impl Open {
    fn new(count: &Arc<AtomicUsize>) -> Open {
        count.fetch_add(1, Ordering::SeqCst);
        Open(Arc::clone(count))
    }
}

impl Drop for Open {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

pub const TEXT: &str = "text/plain; charset=utf-8";

fn serve_connection(
    mut stream: TcpStream,
    handler: &Handler,
    idle_timeout: Duration,
    stop: &AtomicBool,
) {
    let mut buffer = Vec::new();
    loop {
        let head = match read_head(&mut stream, &mut buffer, idle_timeout) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(status) => {
                let reply = Response::new(status, TEXT, Body::Static("bad request\n"));
                let _ = write_response(&mut stream, false, reply, false);
                return;
            }
        };
        let request = match parse_head(&head) {
            Ok(r) => r,
            Err(status) => {
                let reply = Response::new(status, TEXT, Body::Static("bad request\n"));
                let _ = write_response(&mut stream, false, reply, false);
                return;
            }
        };
        // A body would have to be read past; no page request has one, so such a connection
        // is answered and closed.
        let keep_alive =
            request.wants_keep_alive() && !request.has_body() && !stop.load(Ordering::SeqCst);
        match handler(&request) {
            Answer::Respond(response) => {
                let sent = write_response(&mut stream, request.is_head(), response, keep_alive);
                if sent.is_err() || !keep_alive {
                    return;
                }
            }
            Answer::TakeOver(take) => {
                take(stream);
                return;
            }
        }
    }
}

/// Reads up to the end of the next request head. `Ok(None)`: the client closed or stayed
/// silent; `Err(status)`: a head too large (431) or cut off (400). The whole head must arrive
/// within `timeout`, so trickling bytes does not keep a connection alive.
fn read_head(
    stream: &mut TcpStream,
    buffer: &mut Vec<u8>,
    timeout: Duration,
) -> Result<Option<Vec<u8>>, u16> {
    let deadline = Instant::now() + timeout;
    let mut chunk = [0u8; 4096];
    loop {
        // Tolerate empty lines before a request (RFC 9112, 2.2).
        while buffer.starts_with(b"\r\n") {
            buffer.drain(..2);
        }
        if let Some(end) = find(buffer, b"\r\n\r\n") {
            let head: Vec<u8> = buffer.drain(..end + 4).collect();
            return Ok(Some(head));
        }
        if buffer.len() > MAX_HEAD {
            return Err(431);
        }
        let Some(left) = deadline.checked_duration_since(Instant::now()) else {
            return Ok(None);
        };
        if stream
            .set_read_timeout(Some(left.max(Duration::from_millis(1))))
            .is_err()
        {
            return Ok(None);
        }
        match stream.read(&mut chunk) {
            Ok(0) if buffer.is_empty() => return Ok(None),
            Ok(0) => return Err(400),
            Ok(n) => buffer.extend_from_slice(&chunk[..n]),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(_) => return Ok(None),
        }
    }
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Parses `METHOD target HTTP/1.x` and the header lines.
fn parse_head(head: &[u8]) -> Result<Request, u16> {
    let text = std::str::from_utf8(head).map_err(|_| 400u16)?;
    let mut lines = text.split("\r\n");
    let request_line = lines.next().ok_or(400u16)?;
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(400);
    };
    if method.is_empty() || !method.bytes().all(|b| b.is_ascii_uppercase()) || target.is_empty() {
        return Err(400);
    }
    let http10 = match version {
        "HTTP/1.1" => false,
        "HTTP/1.0" => true,
        v if v.starts_with("HTTP/") => return Err(505),
        _ => return Err(400),
    };
    let mut headers = Vec::new();
    for line in lines.filter(|l| !l.is_empty()) {
        let (name, value) = line.split_once(':').ok_or(400u16)?;
        // No whitespace before the colon, no folded lines (RFC 9112, 5.1 and 5.2).
        if name.is_empty() || name.contains([' ', '\t']) || line.starts_with([' ', '\t']) {
            return Err(400);
        }
        headers.push((name.to_string(), value.trim().to_string()));
    }
    Ok(Request {
        method: method.to_string(),
        target: target.to_string(),
        headers,
        http10,
    })
}

/// Writes a response; no body for HEAD (its Content-Length still tells the size).
fn write_response(
    stream: &mut TcpStream,
    head_only: bool,
    response: Response,
    keep_alive: bool,
) -> io::Result<()> {
    let body = response.body.bytes();
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nDate: {}\r\nServer: casebook\r\nContent-Type: {}\r\nContent-Length: {}\r\n\
         Cache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nConnection: {}\r\n",
        response.status,
        reason(response.status),
        http_date(SystemTime::now()),
        response.content_type,
        body.len(),
        if keep_alive { "keep-alive" } else { "close" },
    );
    for (name, value) in &response.headers {
        // Values come from us, but never let one smuggle in a header line.
        if !value.contains(['\r', '\n']) {
            head.push_str(&format!("{name}: {value}\r\n"));
        }
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "",
    }
}

/// The IMF-fixdate of RFC 9110 (`Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = (secs / 86_400) as i64;
    let (hour, minute, second) = (secs % 86_400 / 3600, secs % 3600 / 60, secs % 60);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    // Days since 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day:02} {month_name} {year} {hour:02}:{minute:02}:{second:02} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_imf_fixdate() {
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        assert_eq!(http_date(t), "Tue, 14 Nov 2023 22:13:20 GMT");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400);
        assert_eq!(http_date(leap), "Tue, 29 Feb 2000 00:00:00 GMT");
    }

    #[test]
    fn heads_parse_with_keep_alive_rules() {
        let r = parse_head(b"GET /a?b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.target, "/a?b");
        assert_eq!(r.header("host"), Some("x"));
        assert!(!r.wants_keep_alive());
        assert!(parse_head(b"GET / HTTP/1.1\r\n\r\n")
            .unwrap()
            .wants_keep_alive());
        assert!(!parse_head(b"GET / HTTP/1.0\r\n\r\n")
            .unwrap()
            .wants_keep_alive());
        let with_body = parse_head(b"POST / HTTP/1.1\r\nContent-Length: 5\r\n\r\n").unwrap();
        assert!(with_body.has_body());
    }

    #[test]
    fn malformed_heads_are_refused() {
        assert_eq!(parse_head(b"GET /\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse_head(b"GET  / HTTP/1.1\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse_head(b"get / HTTP/1.1\r\n\r\n").unwrap_err(), 400);
        assert_eq!(parse_head(b"GET / HTTP/2.0\r\n\r\n").unwrap_err(), 505);
        assert_eq!(parse_head(b"GET / FTP/1.0\r\n\r\n").unwrap_err(), 400);
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nHost : x\r\n\r\n").unwrap_err(),
            400
        );
        assert_eq!(
            parse_head(b"GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n").unwrap_err(),
            400
        );
        assert_eq!(parse_head(b"GET /\xff HTTP/1.1\r\n\r\n").unwrap_err(), 400);
    }
}
