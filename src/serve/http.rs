//! The HTTP side of `serve` that needs no socket: turning a request target into a key of the
//! in-memory site (refusing anything that could climb out of it), content types, and putting the
//! live-reload script into pages. Kept pure so every rule is unit-tested.

use super::session::SiteFiles;
use std::borrow::Cow;
use std::net::IpAddr;

/// A request target that passed every check: a decoded absolute path inside the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// Percent-decoded, starts with `/`, no `.`/`..` segments, no `//`, `\`, NUL or controls.
    pub path: String,
    /// The path as the client sent it (still encoded), for redirects.
    pub raw_path: String,
    pub query: Option<String>,
}

/// Why a request target was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// Not a target we can parse (broken percent-encoding, `*`, not UTF-8).
    BadRequest,
    /// Parsed, but it tries to leave the site or is ambiguous (`..`, `//`, `\`, NUL): treated
    /// as a file that does not exist, so a probe learns nothing.
    NotFound,
}

/// Parses the request target of `GET <target> HTTP/1.1`: origin form (`/a/b?q`) or absolute
/// form (`http://host/a/b`).
pub fn parse_target(raw: &str) -> Result<Target, Refusal> {
    let without_fragment = raw.split('#').next().unwrap_or("");
    let origin_form = if without_fragment.starts_with('/') {
        without_fragment
    } else {
        let lower = without_fragment.to_ascii_lowercase();
        let after_scheme = ["http://", "https://"]
            .iter()
            .find(|s| lower.starts_with(*s))
            .map(|s| &without_fragment[s.len()..])
            .ok_or(Refusal::BadRequest)?;
        match after_scheme.find(['/', '?']) {
            Some(i) if after_scheme[i..].starts_with('/') => &after_scheme[i..],
            Some(i) => return parse_target(&format!("/{}", &after_scheme[i..])),
            None => "/",
        }
    };
    let (raw_path, query) = match origin_form.split_once('?') {
        Some((p, q)) => (p, Some(q.to_string())),
        None => (origin_form, None),
    };
    let bytes = percent_decode(raw_path).ok_or(Refusal::BadRequest)?;
    let path = String::from_utf8(bytes).map_err(|_| Refusal::BadRequest)?;
    if !is_safe_path(&path) {
        return Err(Refusal::NotFound);
    }
    Ok(Target {
        path,
        raw_path: raw_path.to_string(),
        query,
    })
}

/// `%41` → `A`; `None` when a `%` is not followed by two hex digits (the crate would keep
/// such a `%` as it is).
fn percent_decode(s: &str) -> Option<Vec<u8>> {
    let mut escapes = s.split('%').skip(1);
    if escapes.any(|after| {
        !after
            .as_bytes()
            .get(..2)
            .is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit))
    }) {
        return None;
    }
    Some(percent_encoding::percent_decode_str(s).collect())
}

/// The decoded path must name a place inside the site and nothing else.
fn is_safe_path(path: &str) -> bool {
    path.starts_with('/')
        && !path.contains("//")
        && !path.contains('\\')
        && !path.chars().any(char::is_control)
        && path
            .split('/')
            .all(|segment| segment != "." && segment != "..")
}

/// What a safe path names in the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Lookup {
    /// The key of a file in the site (`orte/x/index.html`).
    File(String),
    /// A folder asked for without its slash: where to send the browser (`/orte/x/`).
    Redirect(String),
    NotFound,
}

/// `/` and `/dir/` name `dir/index.html`; `/dir` redirects to `/dir/` when that exists.
/// There are no directory listings: a folder without `index.html` does not exist.
pub fn lookup(files: &SiteFiles, target: &Target) -> Lookup {
    let key = &target.path[1..];
    if key.is_empty() || key.ends_with('/') {
        let index = format!("{key}index.html");
        return if files.contains_key(index.as_str()) {
            Lookup::File(index)
        } else {
            Lookup::NotFound
        };
    }
    if files.contains_key(key) {
        return Lookup::File(key.to_string());
    }
    if files.contains_key(format!("{key}/index.html").as_str()) {
        // The query goes into a header: one with control characters or spaces is dropped.
        let query = target
            .query
            .as_ref()
            .filter(|q| !q.chars().any(|c| c.is_control() || c.is_whitespace()))
            .map(|q| format!("?{q}"))
            .unwrap_or_default();
        return Lookup::Redirect(format!("{}/{query}", target.raw_path));
    }
    Lookup::NotFound
}

/// The `Content-Type` of a site file, by its extension (`mime_guess`); text types say they are
/// UTF-8, and unknown extensions are opaque bytes.
pub fn content_type(key: &str) -> Cow<'static, str> {
    let name = key.rsplit('/').next().unwrap_or(key);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    let Some(extension) = extension else {
        return Cow::Borrowed(OPAQUE);
    };
    // Where the browsers' view differs from mime_guess's table.
    let mime = match extension.as_str() {
        "js" | "mjs" => "text/javascript",
        "map" => "application/json",
        "woff" => "font/woff",
        "xml" => "application/xml",
        other => mime_guess::from_ext(other).first_raw().unwrap_or(OPAQUE),
    };
    if mime.starts_with("text/") || mime == "application/xml" {
        Cow::Owned(format!("{mime}; charset=utf-8"))
    } else {
        Cow::Borrowed(mime)
    }
}

const OPAQUE: &str = "application/octet-stream";

/// Whether a response with this content type is a page that gets the live-reload script.
pub fn is_html(content_type: &str) -> bool {
    content_type.starts_with("text/html")
}

/// Puts `snippet` before the last `</body>` (any case), or at the end if there is none.
pub fn inject(html: &[u8], snippet: &str) -> Vec<u8> {
    let needle = b"</body>";
    let at = html
        .windows(needle.len())
        .rposition(|w| w.eq_ignore_ascii_case(needle))
        .unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + snippet.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(snippet.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// The `Host` names the preview answers to. A web page that points a name of its own at
/// 127.0.0.1 (DNS rebinding) makes the browser send that name, so refusing every other name
/// keeps such a page from reading the preview.
#[derive(Debug, Clone)]
pub struct Hosts {
    port: u16,
    /// Lower case; IPv6 addresses in brackets.
    names: Vec<String>,
    /// Bound to every address (`0.0.0.0`, `::`): the machine's own IP addresses count too.
    own_addresses: bool,
}

impl Hosts {
    /// For a server bound to `bind` (as given on the command line) and listening on `port`:
    /// that name, `localhost`, `127.0.0.1` and `[::1]`, each with the port.
    pub fn new(bind: &str, port: u16) -> Hosts {
        let bound = match bind.trim_matches(['[', ']']).parse::<IpAddr>() {
            Ok(IpAddr::V6(ip)) => format!("[{ip}]"),
            Ok(ip) => ip.to_string(),
            Err(_) => bind.to_ascii_lowercase(),
        };
        let own_addresses = bind
            .trim_matches(['[', ']'])
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_unspecified());
        let mut names: Vec<String> = ["localhost", "127.0.0.1", "[::1]"].map(String::from).into();
        if !own_addresses && !names.contains(&bound) {
            names.push(bound);
        }
        Hosts {
            port,
            names,
            own_addresses,
        }
    }

    /// Whether a request with this `Host` header is answered. The port must be the server's
    /// (or absent when that is 80); with [`Hosts::own_addresses`], an IP address for which
    /// `is_own` says yes passes too. No `Host` at all is refused (HTTP/1.1 requires one).
    pub fn allows(&self, host: Option<&str>, is_own: impl Fn(IpAddr) -> bool) -> bool {
        let Some(host) = host else {
            return false;
        };
        let (name, port) = if host.starts_with('[') {
            match host.split_once(']') {
                Some((address, rest)) => (&host[..=address.len()], rest),
                None => return false,
            }
        } else {
            match host.split_once(':') {
                Some((name, _)) => (name, &host[name.len()..]),
                None => (host, ""),
            }
        };
        let port_matches = match port.strip_prefix(':') {
            Some(digits) => digits.parse::<u16>() == Ok(self.port),
            None => port.is_empty() && self.port == 80,
        };
        if !port_matches {
            return false;
        }
        let name = name.to_ascii_lowercase();
        if self.names.contains(&name) {
            return true;
        }
        self.own_addresses
            && name
                .trim_matches(['[', ']'])
                .parse::<IpAddr>()
                .is_ok_and(|ip| {
                    name.starts_with('[') == ip.is_ipv6() && !ip.is_unspecified() && is_own(ip)
                })
    }
}

/// Whether a request for this path expects a page (no extension, or `.html`), so that a missing
/// site can answer with the error page instead of a bare 404.
pub fn wants_page(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or("");
    match name.rsplit_once('.') {
        None => true,
        Some((_, ext)) => ext.eq_ignore_ascii_case("html") || ext.eq_ignore_ascii_case("htm"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn site(keys: &[&str]) -> SiteFiles {
        keys.iter()
            .map(|k| (Arc::from(*k), Arc::from(&b"x"[..])))
            .collect()
    }

    fn path_of(raw: &str) -> Result<String, Refusal> {
        parse_target(raw).map(|t| t.path)
    }

    #[test]
    fn decodes_plain_and_encoded_paths() {
        assert_eq!(path_of("/orte/x/"), Ok("/orte/x/".into()));
        assert_eq!(path_of("/st%C3%A4dte/"), Ok("/städte/".into()));
        assert_eq!(path_of("/a%20b?x=1#top"), Ok("/a b".into()));
        let t = parse_target("/suche/?q=%2e%2e").unwrap();
        assert_eq!(t.query.as_deref(), Some("q=%2e%2e"));
    }

    #[test]
    fn refuses_every_way_out_of_the_site() {
        for raw in [
            "/../Cargo.toml",
            "/%2e%2e/",
            "/%2E%2E/Cargo.toml",
            "/..%2f..%2fetc/passwd",
            "/%5c..",
            "/a\\..\\b",
            "//etc/passwd",
            "/orte/../../x",
            "/orte/./x",
            "/x%00.html",
            "/x%0a",
            "http://x/../",
            "http://x//etc/passwd",
        ] {
            assert_eq!(path_of(raw), Err(Refusal::NotFound), "{raw}");
        }
    }

    #[test]
    fn refuses_targets_that_are_not_paths() {
        for raw in ["*", "orte/x", "/%zz", "/%2", "/%ff%fe", "ftp://x/", ""] {
            assert_eq!(path_of(raw), Err(Refusal::BadRequest), "{raw}");
        }
    }

    #[test]
    fn absolute_form_keeps_only_the_path() {
        assert_eq!(path_of("http://example.org/orte/"), Ok("/orte/".into()));
        assert_eq!(path_of("HTTP://example.org"), Ok("/".into()));
        assert_eq!(path_of("http://example.org?a=b"), Ok("/".into()));
    }

    #[test]
    fn folders_serve_their_index_and_redirect_without_slash() {
        let files = site(&["index.html", "orte/x/index.html", "assets/site.css"]);
        let look = |raw: &str| lookup(&files, &parse_target(raw).unwrap());
        assert_eq!(look("/"), Lookup::File("index.html".into()));
        assert_eq!(look("/orte/x/"), Lookup::File("orte/x/index.html".into()));
        assert_eq!(look("/orte/x"), Lookup::Redirect("/orte/x/".into()));
        assert_eq!(look("/orte/x?a=1"), Lookup::Redirect("/orte/x/?a=1".into()));
        assert_eq!(
            look("/orte/x?a\r\nSet-Cookie:1"),
            Lookup::Redirect("/orte/x/".into())
        );
        assert_eq!(
            look("/assets/site.css"),
            Lookup::File("assets/site.css".into())
        );
        assert_eq!(look("/orte/"), Lookup::NotFound, "no directory listings");
        assert_eq!(look("/assets/site.css/"), Lookup::NotFound);
        assert_eq!(look("/nope"), Lookup::NotFound);
    }

    #[test]
    fn content_types_carry_charset_for_text() {
        assert_eq!(content_type("a/index.html"), "text/html; charset=utf-8");
        assert_eq!(content_type("assets/site.css"), "text/css; charset=utf-8");
        assert_eq!(content_type("x.mjs"), "text/javascript; charset=utf-8");
        assert_eq!(content_type("export/a.json"), "application/json");
        assert_eq!(
            content_type("feeds/a.xml"),
            "application/xml; charset=utf-8"
        );
        assert_eq!(content_type("export/a.csv"), "text/csv; charset=utf-8");
        assert_eq!(content_type("robots.txt"), "text/plain; charset=utf-8");
        assert_eq!(content_type("i.SVG"), "image/svg+xml");
        assert_eq!(content_type("f.woff2"), "font/woff2");
        assert_eq!(content_type("x.wasm"), "application/wasm");
        assert_eq!(content_type("search/terms/qu.json"), "application/json");
        for opaque in ["LICENSE", "data.bin", "x.pf_meta"] {
            assert_eq!(content_type(opaque), "application/octet-stream", "{opaque}");
        }
    }

    #[test]
    fn script_goes_before_the_last_body_end() {
        let out = inject(b"<body><p>x</p></BODY></html>", "<s>");
        assert_eq!(out, b"<body><p>x</p><s></BODY></html>");
        assert_eq!(inject(b"<p>no body", "<s>"), b"<p>no body<s>");
    }

    #[test]
    fn only_the_preview_s_own_names_and_port_are_answered() {
        let hosts = Hosts::new("127.0.0.1", 1111);
        let never = |_| false;
        for ok in [
            "127.0.0.1:1111",
            "localhost:1111",
            "LocalHost:1111",
            "[::1]:1111",
        ] {
            assert!(hosts.allows(Some(ok), never), "{ok}");
        }
        for refused in [
            "evil.example:1111",
            "localhost.evil.example:1111",
            "127.0.0.1",
            "127.0.0.1:80",
            "127.0.0.1:1112",
            "127.0.0.1:1111:1111",
            "localhost:",
            "[::1]",
            "[::1:1111",
            "::1:1111",
            "192.168.1.20:1111",
            "",
        ] {
            assert!(!hosts.allows(Some(refused), |_| true), "{refused}");
        }
        assert!(!hosts.allows(None, never), "a request without Host");
        assert!(Hosts::new("localhost", 80).allows(Some("localhost"), never));
        assert!(Hosts::new("::1", 8000).allows(Some("[::1]:8000"), never));
        assert!(Hosts::new("casebook.test", 8000).allows(Some("casebook.test:8000"), never));
    }

    #[test]
    fn a_wildcard_bind_answers_the_machine_s_own_addresses_only() {
        let hosts = Hosts::new("0.0.0.0", 1111);
        let own = |ip: IpAddr| ip == IpAddr::from([192, 168, 1, 20]);
        assert!(hosts.allows(Some("192.168.1.20:1111"), own));
        assert!(hosts.allows(Some("localhost:1111"), own));
        assert!(!hosts.allows(Some("192.168.1.21:1111"), own));
        assert!(!hosts.allows(Some("0.0.0.0:1111"), own));
        assert!(!hosts.allows(Some("rebound.example:1111"), |_| true));
        assert!(
            !hosts.allows(Some("[192.168.1.20]:1111"), own),
            "no brackets on IPv4"
        );
        let v6 = Hosts::new("::", 1111);
        assert!(v6.allows(Some("[fe80::1]:1111"), |ip: IpAddr| ip.is_ipv6()));
        assert!(!v6.allows(Some("fe80::1:1111"), |_| true));
    }

    #[test]
    fn pages_are_paths_without_extension_or_html() {
        assert!(wants_page("/"));
        assert!(wants_page("/orte/x/"));
        assert!(wants_page("/orte/x"));
        assert!(wants_page("/a.html"));
        assert!(!wants_page("/assets/site.css"));
    }
}
