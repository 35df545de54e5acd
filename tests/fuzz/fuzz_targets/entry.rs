//! One arbitrary file in a tiny catalogue: load, check, assemble, resolve, export and render,
//! with every output checked (safe paths, JSON that cannot close a script, well-formed XML,
//! pages without foreign scripts or event handlers). The first byte picks where the file goes
//! (`catalogue::PLACES`: entry `.md`/`.yaml`, free page, an id that already exists, odd names).
#![no_main]

#[path = "../shared/catalogue.rs"]
mod catalogue;
#[path = "../shared/oracles.rs"]
mod oracles;

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn tiny() -> &'static catalogue::Tiny {
    static TINY: OnceLock<catalogue::Tiny> = OnceLock::new();
    TINY.get_or_init(|| catalogue::Tiny::create_in_temp("fuzz-entry"))
}

fuzz_target!(|data: &[u8]| {
    let Some((&place, bytes)) = data.split_first() else {
        return;
    };
    let _ = tiny().run(place, bytes);
});
