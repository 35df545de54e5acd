//! Where a build's memory is: live heap bytes after each part of a build, counted by a global
//! allocator that wraps the system one (so the figures are bytes the program holds, not pages
//! the allocator keeps; `build -v` gives the resident peak per step).
//!
//! ```text
//! cargo run --release --example bench_memory -- <CATALOGUE_DIR> <OUTPUT_DIR>
//! ```
//!
//! Loads the catalogue as `build` does, renders it into OUTPUT_DIR (a staging folder beside it,
//! never committed, so OUTPUT_DIR itself is not written) and prints the live bytes after loading,
//! after `forget_sources` and what the cards of it hold, at the highest point of rendering and
//! after it; then what an entry holds on average and the memo's rendered components.

use casebook::config::Overrides;
use casebook::model::FieldValue;
use casebook::output::Staging;
use casebook::site::{Site, Timings};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};

/// The system allocator, counting what is live and the most that was.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

fn grew(by: usize) {
    let now = LIVE.fetch_add(by, Relaxed) + by;
    PEAK.fetch_max(now, Relaxed);
}

// SAFETY: every call is passed on to `System` unchanged; the counters only observe.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        grew(layout.size());
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Relaxed);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            grew(new_size - layout.size());
        } else {
            LIVE.fetch_sub(layout.size() - new_size, Relaxed);
        }
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn mb(bytes: usize) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}

fn main() -> Result<(), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [root, output] = &args[..] else {
        return Err("usage: bench_memory <CATALOGUE_DIR> <OUTPUT_DIR>".into());
    };
    let mut timings = Timings::default();
    let mut site = Site::load(root.as_ref(), Overrides::default(), &mut timings)
        .map_err(|e| format!("the catalogue does not load: {e}"))?;
    println!("after load             {:>10}", mb(LIVE.load(Relaxed)));
    site.forget_sources();
    println!("after forget_sources   {:>10}", mb(LIVE.load(Relaxed)));
    // The cards, measured by dropping them before anything else holds them, then made again.
    let cards = std::mem::take(&mut site.views.cards);
    let before = LIVE.load(Relaxed);
    drop(cards);
    println!(
        "of it the cards        {:>10}",
        mb(before - LIVE.load(Relaxed))
    );
    site.views = casebook::render::views::Views::new(&site.catalogue, &site.updated);

    let staging = Staging::new(output.as_ref()).map_err(|e| e.to_string())?;
    PEAK.store(LIVE.load(Relaxed), Relaxed);
    site.render(&staging, &|| {}, &mut timings)
        .map_err(|e| format!("the catalogue does not render: {e}"))?;
    println!("rendering, highest     {:>10}", mb(PEAK.load(Relaxed)));
    println!("after rendering        {:>10}", mb(LIVE.load(Relaxed)));
    drop(staging);

    let entries = &site.catalogue.entries;
    let n = entries.len().max(1);
    let (mut body, mut fields, mut markdown, mut text) = (0, 0, 0, 0);
    for e in entries {
        body += e.body_html.capacity();
        text += [&e.id, &e.slug, &e.rel_path, &e.title, &e.sort_key]
            .iter()
            .map(|s| s.capacity())
            .sum::<usize>()
            + e.summary.as_ref().map_or(0, String::capacity);
        for (key, value) in &e.fields {
            fields += key.capacity() + std::mem::size_of::<(String, FieldValue)>();
            match value {
                FieldValue::Markdown(source, html) => {
                    markdown += source.capacity() + html.capacity()
                }
                FieldValue::Text(s)
                | FieldValue::Url(s)
                | FieldValue::Date(s)
                | FieldValue::Email(s) => fields += s.capacity(),
                FieldValue::Terms(t) => fields += std::mem::size_of_val(&t[..]),
                FieldValue::List(items) => {
                    fields += items
                        .iter()
                        .map(|i| {
                            std::mem::size_of_val(i)
                                + i.text.capacity()
                                + i.url.as_ref().map_or(0, String::capacity)
                        })
                        .sum::<usize>()
                }
                _ => {}
            }
        }
    }
    println!(
        "an entry, on average   body HTML {} B, fields {} B (Markdown ones {} B more), text {} B, struct {} B",
        body / n,
        fields / n,
        markdown / n,
        text / n,
        std::mem::size_of::<casebook::model::Entry>()
    );
    let (components, html) = site.renderer.memo_size();
    println!(
        "memo                   {components} components, {} of HTML",
        mb(html)
    );
    Ok(())
}
