//! Pictures (issue 22): a catalogue whose pictures are made here, at test time, in every kind
//! casebook must read — PNG with alpha, JPEG, WebP, a CMYK JPEG, a JPEG turned by its EXIF
//! orientation, a picture of one pixel — and a 12,000 × 12,000 PNG that must be refused by its
//! header, quickly. The built site holds each picture in the configured widths as WebP and in a
//! fallback format, the HTML names them with `srcset`, `sizes`, `width`, `height`, `alt` and the
//! credit, and a rebuild encodes nothing (counted by `build --verbose`) until one picture
//! changes: then its sizes alone are encoded again.

mod common;

/// The example catalogue's drawing program, to hold its committed pictograms to it.
#[path = "../examples/draw_pictograms.rs"]
#[allow(dead_code)]
mod draw;

use common::html::{page, sel};
use common::TempDir;
use image::{DynamicImage, GenericImageView, ImageEncoder, Rgb, RgbImage, Rgba, RgbaImage};
use std::fs;
use std::path::Path;
use std::time::Duration;

/// Builds with pictures take longer than the standard deadline in a debug build.
const PICTURE_DEADLINE: Duration = Duration::from_secs(120);

const SITE_YAML: &str = r#"title: Bilder-Test
base_url: https://example.org/kat/
language: de
images: { widths: [160, 320, 640], quality: 80 }
roles: { title: titel, geo: lage, image: bild }
fields:
  titel: { kind: text, label: Titel, required: true }
  lage: { kind: geo, label: Lage }
  bild: { kind: image, label: Bild }
  galerie: { kind: image, multiple: true, label: Galerie }
  text: { kind: markdown, label: Text }
types:
  - { key: ort, folder: orte, label: Ort, plural: Orte, fields: [titel, lage, bild, galerie, text] }
"#;

fn gradient(w: u32, h: u32) -> RgbImage {
    RgbImage::from_fn(w, h, |x, y| {
        Rgb([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128])
    })
}

fn jpeg(img: &RgbImage, exif: Option<Vec<u8>>) -> Vec<u8> {
    let mut out = Vec::new();
    let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
    if let Some(exif) = exif {
        enc.set_exif_metadata(exif).expect("exif");
    }
    enc.write_image(
        img.as_raw(),
        img.width(),
        img.height(),
        image::ExtendedColorType::Rgb8,
    )
    .expect("jpeg");
    out
}

/// A TIFF block (big-endian) holding only the orientation tag.
fn exif_orientation(value: u16) -> Vec<u8> {
    let mut t = b"MM\0*\0\0\0\x08".to_vec();
    t.extend_from_slice(&1u16.to_be_bytes());
    t.extend_from_slice(&0x0112u16.to_be_bytes());
    t.extend_from_slice(&3u16.to_be_bytes());
    t.extend_from_slice(&1u32.to_be_bytes());
    t.extend_from_slice(&value.to_be_bytes());
    t.extend_from_slice(&[0, 0]);
    t.extend_from_slice(&0u32.to_be_bytes());
    t
}

/// A CMYK JPEG (Adobe marker), the way print workflows save them: a cyan left half (C=255)
/// and a white right half.
fn cmyk_jpeg(w: u16, h: u16) -> Vec<u8> {
    let mut data = Vec::new();
    for _ in 0..h {
        for x in 0..w {
            let c = if x < w / 2 { 255 } else { 0 };
            data.extend_from_slice(&[c, 0, 0, 0]);
        }
    }
    let mut out = Vec::new();
    let enc = jpeg_encoder::Encoder::new(&mut out, 95);
    enc.encode(&data, w, h, jpeg_encoder::ColorType::Cmyk)
        .expect("cmyk jpeg");
    out
}

fn png_rgba(w: u32, h: u32) -> Vec<u8> {
    let img = RgbaImage::from_fn(w, h, |x, _| Rgba([200, 60, 40, (x * 255 / w) as u8]));
    let mut out = Vec::new();
    DynamicImage::ImageRgba8(img)
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .expect("png");
    out
}

fn webp(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .write_image(
            img.as_raw(),
            img.width(),
            img.height(),
            image::ExtendedColorType::Rgb8,
        )
        .expect("webp");
    out
}

/// The CRC of a PNG chunk (type and data).
fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A decompression bomb: a PNG that says it is 12,000 × 12,000 RGBA pixels (576 MB decoded)
/// in a few dozen bytes. Its pixel data is cut short: a reader that trusts the header and
/// allocates first is caught here as surely as with the full file.
fn bomb_png() -> Vec<u8> {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    let chunk = |png: &mut Vec<u8>, kind: &[u8], data: &[u8]| {
        png.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let mut body = kind.to_vec();
        body.extend_from_slice(data);
        png.extend_from_slice(&body);
        png.extend_from_slice(&crc32(&body).to_be_bytes());
    };
    let mut ihdr = Vec::new();
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&12_000u32.to_be_bytes());
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut png, b"IHDR", &ihdr);
    chunk(&mut png, b"IDAT", &[0x78, 0x9c, 0x63, 0, 0, 0, 1, 0, 1]);
    chunk(&mut png, b"IEND", &[]);
    png
}

fn entry(title: &str, image: &str) -> String {
    format!("---\ntitel: {title}\nlage: {{ lat: 51.5, lon: 9.9 }}\n{image}---\nText.\n")
}

fn picture(src: &str, alt: &str) -> String {
    format!("bild:\n  src: {src}\n  alt: {alt}\n  credit: \"Foto: Testbild\"\n  caption: Ein Testbild\n")
}

/// Writes the fixture catalogue with every kind of picture; the bomb only if `bomb`.
fn catalogue(root: &Path, bomb: bool) {
    let content = root.join("content");
    fs::create_dir_all(content.join("orte")).unwrap();
    fs::create_dir_all(content.join("media/fotos")).unwrap();
    fs::write(content.join("site.yaml"), SITE_YAML).unwrap();
    let media = content.join("media");
    fs::write(media.join("alpha.png"), png_rgba(800, 400)).unwrap();
    fs::write(
        media.join("fotos/markt.jpg"),
        jpeg(&gradient(1000, 750), None),
    )
    .unwrap();
    fs::write(media.join("platz.webp"), webp(&gradient(500, 300))).unwrap();
    fs::write(media.join("druck.jpg"), cmyk_jpeg(400, 200)).unwrap();
    let turned = jpeg(&gradient(600, 300), Some(exif_orientation(6)));
    fs::write(media.join("gedreht.jpg"), turned).unwrap();
    fs::write(media.join("punkt.png"), png_rgba(1, 1)).unwrap();
    fs::write(media.join("plan.pdf"), b"%PDF-1.4 not really\n").unwrap();
    let orte = content.join("orte");
    let entries = [
        (
            "alpha",
            "Alpha",
            picture("media/alpha.png", "Ein roter Verlauf"),
        ),
        (
            "markt",
            "Markt",
            picture("media/fotos/markt.jpg", "Ein Verlauf in Blau und Grün"),
        ),
        ("platz", "Platz", picture("media/platz.webp", "Ein Platz")),
        (
            "druck",
            "Druck",
            picture("media/druck.jpg", "Links Cyan, rechts Weiß"),
        ),
        (
            "gedreht",
            "Gedreht",
            picture("media/gedreht.jpg", "Ein hochkant gedrehtes Bild"),
        ),
        ("punkt", "Punkt", picture("media/punkt.png", "Ein Punkt")),
    ];
    for (slug, title, image) in entries {
        fs::write(orte.join(format!("{slug}.md")), entry(title, &image)).unwrap();
    }
    let gallery = "galerie:\n  - { src: media/platz.webp, alt: Der Platz, credit: Stadt }\n  - { src: media/alpha.png, alt: \"\", decorative: true, credit: Stadt }\n";
    fs::write(
        orte.join("galerie.md"),
        format!("---\ntitel: Galerie\n{gallery}---\nDer [Plan](@/media/plan.pdf).\n"),
    )
    .unwrap();
    if bomb {
        fs::write(media.join("bombe.png"), bomb_png()).unwrap();
        fs::write(
            orte.join("bombe.md"),
            entry("Bombe", &picture("media/bombe.png", "Zu groß")),
        )
        .unwrap();
    }
}

fn build(root: &Path, out: &Path) -> common::Run {
    let args = [
        "--root".as_ref(),
        root.as_os_str(),
        "--verbose".as_ref(),
        "build".as_ref(),
        "--output".as_ref(),
        out.as_os_str(),
    ];
    common::run_with_deadline(&args, PICTURE_DEADLINE)
}

/// `(encoded, from the cache)` as `build --verbose` reports them.
fn encodes(run: &common::Run) -> (usize, usize) {
    let line = run
        .stderr
        .lines()
        .find(|l| l.contains("picture sizes encoded"))
        .unwrap_or_else(|| panic!("no media line:\n{}", run.output()));
    let numbers: Vec<usize> = line
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .collect();
    (numbers[1], numbers[2])
}

/// The files below `media/` of an output, by name.
fn media_files(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = common::snapshot(&out.join("media"))
        .into_keys()
        .filter(|k| !k.ends_with('/'))
        .collect();
    names.sort();
    names
}

fn size_of(out: &Path, rel: &str) -> (u32, u32) {
    image::open(out.join(rel))
        .unwrap_or_else(|e| panic!("{rel}: {e}"))
        .dimensions()
}

#[test]
fn every_kind_of_picture_is_published_in_its_sizes_and_a_rebuild_encodes_nothing() {
    let tmp = TempDir::new("pictures");
    let root = tmp.join("catalogue");
    catalogue(&root, false);
    let out = tmp.join("site");
    let first = build(&root, &out);
    first.assert_exit(0);
    let names = media_files(&out);
    // The originals are published as they are, the PDF too.
    for original in ["alpha.png", "fotos/markt.jpg", "platz.webp", "plan.pdf"] {
        assert!(
            names.contains(&original.to_string()),
            "{original} in {names:?}"
        );
    }
    let sizes = |stem: &str, ext: &str| -> Vec<(u32, u32)> {
        let mut found: Vec<(u32, u32)> = names
            .iter()
            .filter(|n| n.starts_with(&format!("{stem}-")) && n.ends_with(ext))
            .map(|n| size_of(&out, &format!("media/{n}")))
            .collect();
        found.sort();
        found
    };
    // Never enlarged: the widths below the picture's own, then its own.
    assert_eq!(
        sizes("markt", ".webp"),
        [(160, 120), (320, 240), (640, 480)]
    );
    assert_eq!(sizes("markt", ".jpg"), [(160, 120), (320, 240), (640, 480)]);
    assert_eq!(sizes("alpha", ".webp"), [(160, 80), (320, 160), (640, 320)]);
    assert_eq!(sizes("alpha", ".png"), [(160, 80), (320, 160), (640, 320)]);
    assert_eq!(sizes("platz", ".webp"), [(160, 96), (320, 192), (500, 300)]);
    assert_eq!(sizes("platz", ".jpg"), [(160, 96), (320, 192), (500, 300)]);
    assert_eq!(sizes("punkt", ".webp"), [(1, 1)]);
    // EXIF orientation 6: stored 600 × 300, shown (and published) 300 × 600.
    assert_eq!(sizes("gedreht", ".jpg"), [(160, 320), (300, 600)]);
    // The CMYK JPEG comes out as RGB: cyan on the left, white on the right.
    let cmyk = names
        .iter()
        .find(|n| n.starts_with("druck-400.") && n.ends_with(".jpg"))
        .expect("the CMYK picture's fallback");
    let rgb = image::open(out.join("media").join(cmyk)).unwrap().to_rgb8();
    let (left, right) = (rgb.get_pixel(50, 100), rgb.get_pixel(350, 100));
    assert!(
        left[0] < 80 && left[1] > 170 && left[2] > 170,
        "cyan came out as {left:?}"
    );
    assert!(
        right.0.iter().all(|&c| c > 220),
        "white came out as {right:?}"
    );
    // Alpha stays in the PNG fallback.
    let alpha = names
        .iter()
        .find(|n| n.starts_with("alpha-640.") && n.ends_with(".png"))
        .unwrap();
    let rgba = image::open(out.join("media").join(alpha))
        .unwrap()
        .to_rgba8();
    assert!(rgba.get_pixel(5, 5)[3] < 40 && rgba.get_pixel(630, 5)[3] > 200);

    // The entry page: <picture> with WebP and fallback sizes, width/height, alt, credit.
    let doc = page(&out, "orte/markt/index.html");
    let img = doc
        .select(&sel("figure picture img"))
        .next()
        .expect("a lead picture");
    let attr = |name: &str| img.value().attr(name).unwrap_or_default().to_string();
    assert_eq!(
        (attr("width"), attr("height")),
        ("640".into(), "480".into())
    );
    assert_eq!(attr("alt"), "Ein Verlauf in Blau und Grün");
    assert!(attr("srcset").contains(" 160w, ") && attr("srcset").ends_with(" 640w"));
    assert!(
        attr("srcset").starts_with("/kat/media/markt-160."),
        "{}",
        attr("srcset")
    );
    assert!(!attr("sizes").is_empty() && attr("src").ends_with(".jpg"));
    assert_eq!(attr("loading"), "", "the lead picture is above the fold");
    let source = doc.select(&sel("figure picture source")).next().unwrap();
    assert_eq!(source.value().attr("type"), Some("image/webp"));
    assert!(source
        .value()
        .attr("srcset")
        .unwrap()
        .contains(".webp 640w"));
    let caption = common::html::text_of(doc.select(&sel("figure figcaption")).next().unwrap());
    assert!(
        caption.contains("Ein Testbild") && caption.contains("Foto: Testbild"),
        "{caption}"
    );
    let og = doc
        .select(&sel("meta[property='og:image']"))
        .next()
        .and_then(|m| m.value().attr("content"))
        .expect("og:image");
    assert!(
        og.starts_with("https://example.org/kat/media/markt-640."),
        "{og}"
    );
    // The gallery: later pictures load lazily; the decorative one has an empty alt.
    let gallery = page(&out, "orte/galerie/index.html");
    let imgs: Vec<_> = gallery.select(&sel(".gallery-list img")).collect();
    assert_eq!(
        imgs.len(),
        1,
        "the first picture leads, the second is the gallery"
    );
    assert_eq!(imgs[0].value().attr("loading"), Some("lazy"));
    assert_eq!(imgs[0].value().attr("alt"), Some(""));
    let plan = gallery
        .select(&sel(".prose a"))
        .find_map(|a| a.value().attr("href"))
        .unwrap();
    assert_eq!(plan, "/kat/media/plan.pdf");
    // Cards carry a thumbnail with its size.
    let list = page(&out, "orte/index.html");
    let thumbs: Vec<_> = list.select(&sel(".card-image")).collect();
    assert_eq!(thumbs.len(), 7);
    assert!(thumbs.iter().all(|t| t.value().attr("width").is_some()));
    // katalog.json names the pictures with their credits; geo.json gives the map a thumbnail.
    let json: serde_json::Value =
        serde_json::from_slice(&fs::read(out.join("export/katalog.json")).unwrap()).unwrap();
    let markt = json["entries"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "ort/markt")
        .unwrap();
    assert_eq!(markt["fields"]["bild"]["credit"], "Foto: Testbild");
    assert_eq!(
        markt["fields"]["bild"]["url"],
        "https://example.org/kat/media/fotos/markt.jpg"
    );
    let geo = fs::read_to_string(out.join("katalog/geo.json")).unwrap();
    assert!(geo.contains("/kat/media/markt-160."), "{geo}");

    // A rebuild encodes nothing: every size is kept as the output holds it.
    let (encoded, _) = encodes(&first);
    assert_eq!(
        encoded,
        names
            .iter()
            .filter(|n| n.contains('.') && n.matches('.').count() == 2)
            .count()
    );
    let second = build(&root, &out);
    second.assert_exit(0);
    assert_eq!(encodes(&second), (0, 0), "{}", second.output());
    // Nor does a build into a fresh output: the sizes come from the cache beside it... of
    // that output. A fresh output has its own cache, so it encodes; its second build not.
    let fresh = tmp.join("fresh");
    let third = build(&root, &fresh);
    third.assert_exit(0);
    assert_eq!(encodes(&third).0, encoded);
    fs::remove_dir_all(&fresh).unwrap();
    let fourth = build(&root, &fresh);
    fourth.assert_exit(0);
    assert_eq!(
        encodes(&fourth),
        (0, encoded),
        "the cache beside the output serves them"
    );

    // One picture changes: its sizes alone are encoded again, under new names.
    fs::write(
        root.join("content/media/fotos/markt.jpg"),
        jpeg(&gradient(1000, 750).map_pixel_values_for_test(), None),
    )
    .unwrap();
    let fifth = build(&root, &out);
    fifth.assert_exit(0);
    assert_eq!(encodes(&fifth), (6, 0), "{}", fifth.output());
    let after = media_files(&out);
    let markt_sizes = |names: &[String]| -> Vec<String> {
        names
            .iter()
            .filter(|n| n.starts_with("markt-"))
            .cloned()
            .collect()
    };
    assert_eq!(markt_sizes(&after).len(), 6);
    assert!(
        markt_sizes(&after)
            .iter()
            .all(|n| !markt_sizes(&names).contains(n)),
        "a changed picture gets new names"
    );
}

/// Makes a picture visibly different from [`gradient`]'s.
trait Different {
    fn map_pixel_values_for_test(self) -> RgbImage;
}

impl Different for RgbImage {
    fn map_pixel_values_for_test(mut self) -> RgbImage {
        for p in self.pixels_mut() {
            p.0 = [255 - p.0[0], p.0[1], 255 - p.0[2]];
        }
        self
    }
}

#[test]
fn a_decompression_bomb_is_refused_by_its_header_quickly() {
    let tmp = TempDir::new("pictures-bomb");
    let root = tmp.join("catalogue");
    catalogue(&root, true);
    let out = tmp.join("site");
    let run = build(&root, &out);
    run.assert_exit(1);
    assert!(
        run.elapsed < Duration::from_secs(30),
        "took {:?}",
        run.elapsed
    );
    let diags = common::human_diags(&run.stderr);
    let bomb = diags
        .iter()
        .find(|d| d.code == "image-too-large")
        .unwrap_or_else(|| panic!("no image-too-large:\n{}", run.output()));
    assert!(bomb.message.contains("12000 × 12000"), "{}", bomb.message);
    assert_eq!(bomb.file, "content/orte/bombe.md");
    assert_eq!(bomb.line, Some(5));
    assert!(bomb.hint.as_deref().unwrap_or("").contains("megapixels"));
    assert!(!out.exists(), "a failed build leaves no output");
    // `check` finds it as well, without building.
    let (check, json) = common::check_json(&root);
    assert_eq!(check.code, Some(1), "{}", check.output());
    let codes: Vec<String> = common::json_diags(&json.unwrap())
        .into_iter()
        .map(|d| d.code)
        .collect();
    assert!(codes.contains(&"image-too-large".to_string()), "{codes:?}");
}

#[test]
fn check_explains_what_is_wrong_with_a_picture() {
    let tmp = TempDir::new("pictures-check");
    let root = tmp.join("catalogue");
    catalogue(&root, false);
    let orte = root.join("content/orte");
    let media = root.join("content/media");
    fs::write(media.join("kaputt.jpg"), b"not a jpeg at all").unwrap();
    fs::write(media.join("liegt-herum.png"), png_rgba(4, 4)).unwrap();
    let cases = [
        (
            "ohne-alt",
            "bild:\n  src: media/alpha.png\n  credit: X\n",
            "missing-alt",
        ),
        (
            "ohne-nachweis",
            "bild:\n  src: media/alpha.png\n  alt: A\n",
            "missing-credit",
        ),
        ("nur-pfad", "bild: media/alpha.png\n", "image-without-alt"),
        (
            "fehlt",
            "bild: { src: media/gibt-es-nicht.png, alt: A, credit: X }\n",
            "missing-image",
        ),
        (
            "pdf",
            "bild: { src: media/plan.pdf, alt: A, credit: X }\n",
            "unsupported-image",
        ),
        (
            "kaputt",
            "bild: { src: media/kaputt.jpg, alt: A, credit: X }\n",
            "unreadable-image",
        ),
        (
            "vertippt",
            "bild: { src: media/alpha.png, alt: A, credit: X, titel: Y }\n",
            "unknown-image-key",
        ),
        (
            "zwei",
            "bild: [{ src: media/alpha.png, alt: A, credit: X }]\n",
            "wrong-kind",
        ),
    ];
    for (slug, image, _) in &cases {
        fs::write(orte.join(format!("{slug}.md")), entry(slug, image)).unwrap();
    }
    let (run, json) = common::check_json(&root);
    assert_eq!(run.code, Some(1), "{}", run.output());
    let diags = common::json_diags(&json.unwrap());
    for (slug, _, code) in &cases {
        let file = format!("content/orte/{slug}.md");
        let found = diags.iter().find(|d| d.file == file && d.code == *code);
        let d = found.unwrap_or_else(|| panic!("no {code} for {file}: {diags:#?}"));
        assert!(d.is_error() && d.line.is_some(), "{d:?}");
        assert!(d.hint.is_some() || d.expected.is_some(), "{d:?}");
    }
    let unused: Vec<&str> = diags
        .iter()
        .filter(|d| d.code == "unused-media")
        .map(|d| d.file.as_str())
        .collect();
    assert_eq!(unused, ["content/media/liegt-herum.png"]);
    // A picture over `warn_bytes` is a warning, not an error.
    let site = root.join("content/site.yaml");
    let text = fs::read_to_string(&site).unwrap();
    fs::write(
        &site,
        text.replace("quality: 80", "quality: 80, warn_bytes: 1000"),
    )
    .unwrap();
    for (slug, _, _) in &cases {
        fs::remove_file(orte.join(format!("{slug}.md"))).unwrap();
    }
    fs::remove_file(media.join("kaputt.jpg")).unwrap();
    let (run, json) = common::check_json(&root);
    assert_eq!(run.code, Some(0), "{}", run.output());
    let large: Vec<String> = common::json_diags(&json.unwrap())
        .into_iter()
        .filter(|d| d.code == "large-image")
        .map(|d| d.file)
        .collect();
    assert!(
        large.contains(&"content/media/fotos/markt.jpg".to_string()),
        "{large:?}"
    );
}

#[test]
fn the_example_catalogue_builds_without_a_warning_and_its_pictograms_are_drawn_by_the_script() {
    let example = common::repo_root().join("examples/bilder");
    let tmp = TempDir::new("pictures-example");
    let root = tmp.join("bilder");
    common::copy_dir(&example.join("content"), &root.join("content"));
    let run = build(&root, &tmp.join("site"));
    run.assert_exit(0);
    let warnings: Vec<_> = common::human_diags(&run.stderr)
        .into_iter()
        .filter(|d| d.code != "placeholder-base-url")
        .collect();
    assert!(warnings.is_empty(), "{warnings:#?}");
    // The committed pictograms are what examples/draw_pictograms.rs draws (pixel for pixel).
    let drawn = draw::pictograms();
    assert_eq!(drawn.len(), 4);
    for (name, img) in drawn {
        let committed = example.join("content/media").join(name);
        let file = image::open(&committed)
            .unwrap_or_else(|e| panic!("{}: {e}", committed.display()))
            .to_rgb8();
        assert!(
            file == img,
            "{} differs from what the script draws",
            committed.display()
        );
    }
}
