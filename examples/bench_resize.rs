//! Measures what making a picture's sizes costs, step by step, and the two ways of scaling that
//! casebook could take: `image`'s own `resize_exact` (Lanczos3) against `fast_image_resize`
//! (SIMD, Lanczos3 as well). One thread, a generated 3-megapixel RGB picture, each step repeated.
//! `cargo run --release --example bench_resize [repeats]`; figures in BENCHMARKS.md.

use fast_image_resize as fir;
use image::{DynamicImage, RgbImage};
use std::time::Instant;

const WIDTHS: [u32; 3] = [480, 960, 1600];

/// A picture with detail everywhere (a pattern of gradients), as a photograph has.
fn picture(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        let v = (x * 7 + y * 13) ^ (x * y / 97);
        image::Rgb([(v % 251) as u8, (x * 255 / w) as u8, ((v / 3) % 241) as u8])
    })
}

fn time<T>(repeats: u32, mut f: impl FnMut() -> T) -> (f64, T) {
    let mut out = f();
    let start = Instant::now();
    for _ in 0..repeats {
        out = f();
    }
    (
        start.elapsed().as_secs_f64() * 1000.0 / f64::from(repeats),
        out,
    )
}

fn main() {
    let repeats: u32 = std::env::args()
        .nth(1)
        .and_then(|n| n.parse().ok())
        .unwrap_or(5);
    let (w, h) = (2000, 1500);
    let src = picture(w, h);
    let height = |width: u32| width * h / w;
    let (image_ms, _) = time(repeats, || {
        let d = DynamicImage::ImageRgb8(src.clone());
        WIDTHS.map(|width| {
            d.resize_exact(width, height(width), image::imageops::FilterType::Lanczos3)
        })
    });
    let (fir_ms, _) = time(repeats, || {
        let from =
            fir::images::Image::from_vec_u8(w, h, src.as_raw().clone(), fir::PixelType::U8x3)
                .expect("source");
        let mut resizer = fir::Resizer::new();
        let options = fir::ResizeOptions::new()
            .resize_alg(fir::ResizeAlg::Convolution(fir::FilterType::Lanczos3));
        WIDTHS.map(|width| {
            let mut to = fir::images::Image::new(width, height(width), fir::PixelType::U8x3);
            resizer.resize(&from, &mut to, &options).expect("resize");
            to.into_vec()
        })
    });
    let sizes: Vec<RgbImage> = WIDTHS
        .iter()
        .map(|&width| {
            DynamicImage::ImageRgb8(src.clone())
                .resize_exact(width, height(width), image::imageops::FilterType::Lanczos3)
                .into_rgb8()
        })
        .collect();
    let (webp_ms, webp_bytes) = time(repeats, || {
        sizes
            .iter()
            .map(|s| {
                webp::Encoder::from_rgb(s.as_raw(), s.width(), s.height())
                    .encode(80.0)
                    .len()
            })
            .sum::<usize>()
    });
    let (jpeg_ms, jpeg_bytes) = time(repeats, || {
        sizes
            .iter()
            .map(|s| {
                let mut out = Vec::new();
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80)
                    .encode_image(s)
                    .expect("jpeg");
                out.len()
            })
            .sum::<usize>()
    });
    let mut original = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut original, 90)
        .encode_image(&src)
        .expect("jpeg");
    let (decode_ms, _) = time(repeats, || {
        image::load_from_memory(&original).expect("decode")
    });
    println!("one {w} × {h} picture, widths {WIDTHS:?}, {repeats} repeats, one thread:");
    println!("  decode JPEG                 {decode_ms:8.1} ms");
    println!("  scale, image (Lanczos3)     {image_ms:8.1} ms");
    println!("  scale, fast_image_resize    {fir_ms:8.1} ms");
    println!("  encode WebP q80 (3 sizes)   {webp_ms:8.1} ms  {webp_bytes} bytes");
    println!("  encode JPEG q80 (3 sizes)   {jpeg_ms:8.1} ms  {jpeg_bytes} bytes");
}
