//! The dev server's request-target handling (`serve::http::parse_target`, `lookup`) on
//! arbitrary strings; the invariants are in `shared/request.rs`, shared with the property tests.
//! `serve::http` is private, so this target compiles the very same source file into itself.
#![no_main]

/// What `http.rs` imports as `super::session::SiteFiles`.
mod session {
    pub use casebook::serve::session::SiteFiles;
}
#[allow(dead_code)]
#[path = "../../../src/serve/http.rs"]
mod http;
#[path = "../shared/oracles.rs"]
mod oracles;
#[path = "../shared/request.rs"]
mod request;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = std::str::from_utf8(data) {
        request::check(raw);
    }
});
