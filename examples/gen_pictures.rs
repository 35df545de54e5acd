//! Adds pictures to a synthetic corpus (`examples/gen_corpus`), for the picture benchmark:
//!
//! ```text
//! cargo run --release --example gen_corpus -- 1000 /tmp/c1k
//! cargo run --release --example gen_pictures -- /tmp/c1k 1000
//! ```
//!
//! Writes N JPEG pictures of 2 to 4 megapixels (sizes vary, content is a deterministic pattern
//! with detail everywhere, as a photograph has) to `content/media/`, gives the Orte, Formate
//! and Strategien an image field `foto` and the first N entries (by file name) a picture each.

use image::{Rgb, RgbImage};
use std::fs;
use std::path::{Path, PathBuf};

/// Width × height of picture `i`: 2 to 4 megapixels, landscape and portrait.
fn size(i: usize) -> (u32, u32) {
    const SIZES: [(u32, u32); 5] = [
        (1800, 1200),
        (2000, 1500),
        (2400, 1600),
        (1536, 2048),
        (2300, 1700),
    ];
    SIZES[i % SIZES.len()]
}

fn picture(i: usize) -> RgbImage {
    let (w, h) = size(i);
    let seed = i as u32 * 2_654_435_761;
    RgbImage::from_fn(w, h, |x, y| {
        let n = (x.wrapping_mul(374_761_393) ^ y.wrapping_mul(668_265_263) ^ seed)
            .wrapping_mul(1_274_126_177);
        let noise = (n >> 27) as u8;
        let r = ((x * 255 / w) as u8).wrapping_add(noise);
        let g = ((y * 255 / h) as u8).wrapping_add(noise / 2);
        let b = (((x / 40 + y / 40 + i as u32) % 2) * 120) as u8 + noise;
        Rgb([r, g, b])
    })
}

fn entries(content: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for folder in ["orte", "formate", "strategien"] {
        if let Ok(dir) = fs::read_dir(content.join(folder)) {
            files.extend(dir.flatten().map(|e| e.path()));
        }
    }
    files.sort();
    files
}

fn main() {
    let mut args = std::env::args().skip(1);
    let (Some(root), Some(n)) = (
        args.next(),
        args.next().and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: gen_pictures <CORPUS_DIR> <N>");
        std::process::exit(2);
    };
    let content = PathBuf::from(root).join("content");
    let site = content.join("site.yaml");
    let text = fs::read_to_string(&site).expect("the corpus's site.yaml");
    if !text.contains("\n  foto: ") {
        let text = text
            .replacen(
                "\nfields:\n",
                "\nfields:\n  foto: { kind: image, label: Foto }\n",
                1,
            )
            .replace("    fields: [titel, ", "    fields: [foto, titel, ");
        fs::write(&site, text).expect("write site.yaml");
    }
    fs::create_dir_all(content.join("media")).expect("media folder");
    let files = entries(&content);
    let start = std::time::Instant::now();
    for (i, entry) in files.iter().take(n).enumerate() {
        let name = format!("foto-{i:05}.jpg");
        let path = content.join("media").join(&name);
        if !path.exists() {
            picture(i).save(&path).expect("write picture");
        }
        let text = fs::read_to_string(entry).expect("entry");
        if !text.contains("\nfoto: ") {
            let foto = format!(
                "\nfoto: {{ src: media/{name}, alt: Testbild {i}, credit: \"Bild: gen_pictures\" }}"
            );
            fs::write(
                entry,
                text.replacen("\ntitel:", &format!("{foto}\ntitel:"), 1),
            )
            .expect("write entry");
        }
    }
    eprintln!(
        "{} pictures in {:.1} s",
        n.min(files.len()),
        start.elapsed().as_secs_f64()
    );
}
