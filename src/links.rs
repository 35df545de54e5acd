//! `casebook check --links`: every external address of the catalogue (URL fields, lists of
//! links such as sources, links in Markdown) asked for over HTTP, a few at a time per host,
//! with a timeout; redirects are followed and reported, dead links are warnings at the line
//! that names them. Answers are kept for a day in a file beside the output
//! ([`crate::output::links_cache`]), so a second run asks only for what is new.

use crate::check::CheckedDoc;
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::model::FieldValue;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// How long an answer is kept in the cache.
pub const CACHE_SECONDS: u64 = 24 * 60 * 60;

/// Requests in flight to one host at a time: enough to be quick, few enough to be polite.
pub const PER_HOST: usize = 2;

/// Requests in flight in all.
pub const WORKERS: usize = 16;

/// Redirects followed before a link is called a loop.
const MAX_REDIRECTS: usize = 10;

/// How the links are checked.
#[derive(Debug, Clone)]
pub struct LinkOptions {
    /// Per request (each redirect is one), from connecting to the answer's headers.
    pub timeout: Duration,
    /// The cache file; `None` asks for every link again and keeps nothing.
    pub cache: Option<PathBuf>,
}

/// What asking for an address gave.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Answer {
    /// A 2xx answer, possibly after redirects (each hop's status and the address it led to).
    Ok { redirects: Vec<(u16, String)> },
    /// An error status (4xx, 5xx), possibly after redirects.
    Status {
        status: u16,
        redirects: Vec<(u16, String)>,
    },
    /// No answer: refused, timed out, no such host, a redirect loop.
    Failed { why: String },
}

/// One address and where the catalogue names it.
struct Use {
    shown: PathBuf,
    rel_path: String,
}

/// Checks the external links of `docs`; returns a warning for each dead or redirected one, at
/// each place that names it.
pub fn check(config: &Config, docs: &[Arc<CheckedDoc>], options: &LinkOptions) -> Vec<Diagnostic> {
    let uses = collect(docs);
    let now = now();
    let mut cache = options.cache.as_deref().map(read_cache).unwrap_or_default();
    cache.retain(|_, (at, _)| now.saturating_sub(*at) < CACHE_SECONDS);
    let asked: Vec<String> = uses
        .keys()
        .filter(|u| !cache.contains_key(*u))
        .cloned()
        .collect();
    for (url, answer) in ask_all(asked, options.timeout) {
        cache.insert(url, (now, answer));
    }
    let mut out = Vec::new();
    if let Some(path) = &options.cache {
        // A cache that cannot be written costs only time next run; say so and go on.
        if let Err(e) = write_cache(path, &cache) {
            out.push(
                Diagnostic::warning(
                    "link-cache",
                    path,
                    format!("cannot keep the link answers: {e}"),
                )
                .hint("the next `check --links` asks for every link again"),
            );
        }
    }
    let mut texts: HashMap<&str, String> = HashMap::new();
    for (url, places) in &uses {
        let Some((_, answer)) = cache.get(url) else {
            continue;
        };
        for place in places {
            let text = texts.entry(place.rel_path.as_str()).or_insert_with(|| {
                std::fs::read_to_string(config.content_dir.join(&place.rel_path))
                    .unwrap_or_default()
            });
            out.extend(diagnostic(url, answer, &place.shown, text, options.timeout));
        }
    }
    out
}

/// Every http(s) address named by the documents, with the documents naming it, in a stable
/// order.
fn collect(docs: &[Arc<CheckedDoc>]) -> BTreeMap<String, Vec<Use>> {
    let mut uses: BTreeMap<String, Vec<Use>> = BTreeMap::new();
    for doc in docs {
        let mut urls: Vec<String> = Vec::new();
        if let Some(entry) = &doc.entry {
            for (_, value) in &entry.fields {
                match value {
                    FieldValue::Url(u) => urls.push(u.clone()),
                    FieldValue::List(items) => {
                        urls.extend(items.iter().filter_map(|i| i.url.clone()))
                    }
                    FieldValue::Markdown(_, html) => urls.extend(hrefs(html)),
                    _ => {}
                }
            }
            urls.extend(hrefs(&entry.body_html));
        }
        if let Some(page) = &doc.page {
            urls.extend(hrefs(&page.body_html));
        }
        urls.retain(|u| is_external(u));
        urls.sort();
        urls.dedup();
        for url in urls {
            uses.entry(url).or_default().push(Use {
                shown: doc.shown.clone(),
                rel_path: doc.rel_path.clone(),
            });
        }
    }
    uses
}

fn is_external(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
}

/// The link targets of rendered HTML (`href="…"`, entities decoded).
fn hrefs(html: &str) -> Vec<String> {
    html.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|raw| html_escape::decode_html_entities(raw).into_owned())
        .collect()
}

/// The warning for one answer at one place, if the answer is worth one.
fn diagnostic(
    url: &str,
    answer: &Answer,
    shown: &Path,
    text: &str,
    timeout: Duration,
) -> Option<Diagnostic> {
    let shown_url = crate::diagnostic::truncate_chars(url, 200);
    let hops = |redirects: &[(u16, String)]| {
        redirects
            .iter()
            .map(|(status, to)| format!("{status} → {to}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let d = match answer {
        Answer::Ok { redirects } if redirects.is_empty() => return None,
        Answer::Ok { redirects } => {
            let last = &redirects[redirects.len() - 1].1;
            let permanent = redirects.iter().all(|(s, _)| matches!(s, 301 | 308));
            Diagnostic::warning(
                "link-redirected",
                shown,
                format!(
                    "`{shown_url}` {} to `{last}`",
                    if permanent { "has moved" } else { "redirects" }
                ),
            )
            .found(hops(redirects))
            .hint(match permanent {
                true => "replace the address with the new one",
                false => "check whether the new address is the one to link to",
            })
        }
        Answer::Status { status, redirects } => {
            let mut d = Diagnostic::warning(
                "dead-link",
                shown,
                format!("`{shown_url}` answers {status} {}", reason(*status)),
            )
            .hint(match status {
                404 | 410 => "the page is gone: find its new address (a web archive may have the old one) or remove the link",
                500..=599 => "the server failed; if it stays so on the next run, find another source",
                _ => "open the address in a browser to see whether it still works",
            });
            if !redirects.is_empty() {
                d = d.found(hops(redirects));
            }
            d
        }
        Answer::Failed { why } => Diagnostic::warning(
            "dead-link",
            shown,
            format!("`{shown_url}` does not answer: {why}"),
        )
        .hint(format!(
            "open the address in a browser; if the site is only slow, run again with a `--link-timeout` longer than {} s",
            timeout.as_secs_f64()
        )),
    };
    Some(match locate(text, url) {
        Some((line, column)) => d.at(text, line, column, url.chars().count()),
        None => d,
    })
}

/// Line and column (1-based) where `url` is written in `text`, as it is or HTML-escaped.
fn locate(text: &str, url: &str) -> Option<(usize, usize)> {
    let escaped = url.replace('&', "&amp;");
    let at = text.find(url).or_else(|| text.find(&escaped))?;
    let line = text[..at].matches('\n').count() + 1;
    let start = text[..at].rfind('\n').map_or(0, |i| i + 1);
    Some((line, text[start..at].chars().count() + 1))
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "",
    }
}

/// Asks for every address, [`WORKERS`] at a time and at most [`PER_HOST`] per host.
fn ask_all(urls: Vec<String>, timeout: Duration) -> Vec<(String, Answer)> {
    if urls.is_empty() {
        return Vec::new();
    }
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(timeout))
        .user_agent(concat!("casebook-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
        .into();
    struct Queue {
        pending: VecDeque<String>,
        busy: HashMap<String, usize>,
        done: Vec<(String, Answer)>,
    }
    let queue = Mutex::new(Queue {
        pending: urls.into(),
        busy: HashMap::new(),
        done: Vec::new(),
    });
    let changed = Condvar::new();
    let lock = || queue.lock().unwrap_or_else(|e| e.into_inner());
    let workers = WORKERS.min(lock().pending.len());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let mut q = lock();
                let (url, host) = loop {
                    let free = q
                        .pending
                        .iter()
                        .position(|u| q.busy.get(&host_of(u)).copied().unwrap_or(0) < PER_HOST);
                    match free {
                        Some(i) => {
                            let url = q.pending.remove(i).unwrap_or_default();
                            let host = host_of(&url);
                            break (url, host);
                        }
                        None if q.pending.is_empty() => return,
                        None => q = changed.wait(q).unwrap_or_else(|e| e.into_inner()),
                    }
                };
                *q.busy.entry(host.clone()).or_insert(0) += 1;
                drop(q);
                let answer = ask(&agent, &url, timeout);
                let mut q = lock();
                if let Some(n) = q.busy.get_mut(&host) {
                    *n -= 1;
                }
                q.done.push((url, answer));
                drop(q);
                changed.notify_all();
            });
        }
    });
    queue.into_inner().unwrap_or_else(|e| e.into_inner()).done
}

fn host_of(url: &str) -> String {
    url::Url::parse(url)
        .ok()
        .and_then(|u| Some(format!("{}:{}", u.host_str()?, u.port_or_known_default()?)))
        .unwrap_or_default()
}

/// Asks for one address with GET (some servers answer HEAD wrongly), following redirects by
/// hand so that each hop can be reported.
fn ask(agent: &ureq::Agent, url: &str, timeout: Duration) -> Answer {
    let mut current = url.to_string();
    let mut redirects = Vec::new();
    for _ in 0..=MAX_REDIRECTS {
        let response = match agent.get(&current).call() {
            Ok(r) => r,
            Err(e) => {
                return Answer::Failed {
                    why: failure(&e, timeout),
                }
            }
        };
        let status = response.status().as_u16();
        if (300..400).contains(&status) {
            let location = response
                .headers()
                .get("location")
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url::Url::parse(&current).ok()?.join(l).ok());
            let Some(next) = location else {
                return Answer::Status { status, redirects };
            };
            current = next.to_string();
            redirects.push((status, current.clone()));
            continue;
        }
        return match status {
            200..=299 => Answer::Ok { redirects },
            _ => Answer::Status { status, redirects },
        };
    }
    Answer::Failed {
        why: format!("more than {MAX_REDIRECTS} redirects (a loop?)"),
    }
}

/// Why a request got no answer, in words.
fn failure(e: &ureq::Error, timeout: Duration) -> String {
    match e {
        ureq::Error::Timeout(_) => format!("no answer within {} s", timeout.as_secs_f64()),
        ureq::Error::HostNotFound => "the host name is unknown".into(),
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused => {
            "the server refused the connection".into()
        }
        ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::TimedOut => {
            format!("no answer within {} s", timeout.as_secs_f64())
        }
        // The resolver's failure comes as an I/O error ("failed to lookup address").
        ureq::Error::Io(io) if io.to_string().contains("lookup address") => {
            "the host name is unknown (or this machine cannot look names up)".into()
        }
        other => other.to_string(),
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// Address → (when it was asked, in seconds since 1970; the answer).
type Cache = BTreeMap<String, (u64, Answer)>;

/// The cache as written; anything unreadable is an empty cache (the links are asked again).
fn read_cache(path: &Path) -> Cache {
    let is_file = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_file());
    if !is_file {
        return Cache::new();
    }
    std::fs::read(path)
        .ok()
        .and_then(|bytes| serde_json::from_slice(&bytes).ok())
        .unwrap_or_default()
}

/// Writes the cache through a temporary file and a rename, so a reader never sees half of it
/// and a symbolic link at its place is replaced rather than followed.
fn write_cache(path: &Path, cache: &Cache) -> std::io::Result<()> {
    let json = serde_json::to_vec(cache).map_err(std::io::Error::other)?;
    let name = path.file_name().unwrap_or_default().to_string_lossy();
    let temp = path.with_file_name(format!("{name}.new-{}", std::process::id()));
    std::fs::write(&temp, json)?;
    std::fs::rename(&temp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&temp);
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hrefs_are_decoded_and_located() {
        let html = r#"<p><a href="https://a.test/x?y=1&amp;z=2">a</a> <a href="@/x.md">b</a></p>"#;
        assert_eq!(hrefs(html), ["https://a.test/x?y=1&z=2", "@/x.md"]);
        assert!(is_external("https://a.test/") && !is_external("/intern/"));
        let text = "---\ntitel: A\n---\nSiehe [a](https://a.test/x?y=1&z=2).\n";
        assert_eq!(locate(text, "https://a.test/x?y=1&z=2"), Some((4, 11)));
    }
}
