//! Arbitrary Markdown through the renderer, raw HTML off and on; the invariants are in
//! `shared/markdown.rs`, shared with the property tests.
#![no_main]

#[path = "../shared/markdown.rs"]
mod markdown;
#[path = "../shared/oracles.rs"]
mod oracles;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        markdown::check(text);
    }
});
