//! Arbitrary bytes through the source layer (decode, front matter, YAML, key positions); the
//! checks are in `shared/front_matter.rs`, shared with the property tests.
#![no_main]

#[path = "../shared/front_matter.rs"]
mod front_matter;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| front_matter::check(data));
