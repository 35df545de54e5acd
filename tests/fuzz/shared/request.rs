//! The dev server's request-target rules, `serve::http::parse_target` and `lookup`. Invariants:
//! an accepted path is decoded, absolute and clean; a file key never starts with `/`, never
//! has a `..` segment, never contains `\` or NUL; a redirect stays on the site.
//!
//! `serve::http` is private, so the crate using this file compiles `src/serve/http.rs` into
//! itself as `crate::http`, with `crate::session` re-exporting `SiteFiles` (its one import),
//! and has `oracles` at its root. Shared by the `request_path` fuzz target and
//! `tests/properties.rs`.

use std::sync::{Arc, OnceLock};

/// A served site with pages, folders, assets and a key that only a climb could reach.
pub fn site() -> &'static crate::session::SiteFiles {
    static SITE: OnceLock<crate::session::SiteFiles> = OnceLock::new();
    SITE.get_or_init(|| {
        [
            "index.html",
            "404.html",
            "orte/index.html",
            "orte/markthalle/index.html",
            "assets/site.css",
            "städte/index.html",
            "a b/index.html",
            "../secret",
            "orte/../secret",
        ]
        .iter()
        .map(|k| (Arc::from(*k), Arc::from(&b"x"[..])))
        .collect()
    })
}

/// Parses `raw` as a request target and looks it up; panics with the broken invariant.
pub fn check(raw: &str) {
    let Ok(target) = crate::http::parse_target(raw) else {
        return;
    };
    let path = &target.path;
    assert!(path.starts_with('/'), "{raw:?} → {path:?}");
    if let Some(problem) = crate::oracles::site_key_problem(&path[1..]) {
        panic!("{raw:?} accepted as {path:?}, which {problem}");
    }
    assert!(!path.contains("//"), "{raw:?} → {path:?}");
    assert!(!path.chars().any(char::is_control), "{raw:?} → {path:?}");
    assert!(!path.split('/').any(|s| s == "."), "{raw:?} → {path:?}");
    match crate::http::lookup(site(), &target) {
        crate::http::Lookup::File(key) => {
            if let Some(problem) = crate::oracles::site_key_problem(&key) {
                panic!("{raw:?} serves the key {key:?}, which {problem}");
            }
            assert!(site().contains_key(key.as_str()));
        }
        crate::http::Lookup::Redirect(location) => {
            if let Some(problem) = crate::oracles::location_problem(&location) {
                panic!("{raw:?} redirects to {location:?}, which {problem}");
            }
        }
        crate::http::Lookup::NotFound => {}
    }
    let _ = crate::http::content_type(path);
    let _ = crate::http::wants_page(path);
}
