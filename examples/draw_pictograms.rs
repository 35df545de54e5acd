//! Draws the pictograms of the example catalogue `examples/bilder/` (flat drawings made for this
//! project, no photographs): `cargo run --example draw_pictograms -- examples/bilder/content/media`.
//! The same program draws the same bytes every time; `tests/pictures.rs` holds the committed files
//! to that.

use image::{Rgb, RgbImage};
use std::path::PathBuf;

/// Width and height of every pictogram (3:2).
const W: u32 = 1600;
const H: u32 = 1067;

type Point = (f32, f32);

/// A filled shape in pictogram coordinates.
enum Shape {
    Rect(f32, f32, f32, f32),
    Circle(f32, f32, f32),
    Polygon(Vec<Point>),
}

impl Shape {
    fn contains(&self, x: f32, y: f32) -> bool {
        match self {
            Shape::Rect(x0, y0, x1, y1) => x >= *x0 && x < *x1 && y >= *y0 && y < *y1,
            Shape::Circle(cx, cy, r) => (x - cx).powi(2) + (y - cy).powi(2) <= r * r,
            Shape::Polygon(points) => {
                // Even-odd rule.
                let mut inside = false;
                let mut j = points.len() - 1;
                for i in 0..points.len() {
                    let (xi, yi) = points[i];
                    let (xj, yj) = points[j];
                    if (yi > y) != (yj > y) && x < (xj - xi) * (y - yi) / (yj - yi) + xi {
                        inside = !inside;
                    }
                    j = i;
                }
                inside
            }
        }
    }

    fn bounds(&self) -> (f32, f32, f32, f32) {
        match self {
            Shape::Rect(x0, y0, x1, y1) => (*x0, *y0, *x1, *y1),
            Shape::Circle(cx, cy, r) => (cx - r, cy - r, cx + r, cy + r),
            Shape::Polygon(points) => points.iter().fold(
                (f32::MAX, f32::MAX, f32::MIN, f32::MIN),
                |(a, b, c, d), &(x, y)| (a.min(x), b.min(y), c.max(x), d.max(y)),
            ),
        }
    }
}

/// A thick line from `a` to `b` as a polygon.
fn stroke(a: Point, b: Point, width: f32) -> Shape {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1e-3);
    let (nx, ny) = (-dy / len * width / 2.0, dx / len * width / 2.0);
    Shape::Polygon(vec![
        (a.0 + nx, a.1 + ny),
        (b.0 + nx, b.1 + ny),
        (b.0 - nx, b.1 - ny),
        (a.0 - nx, a.1 - ny),
    ])
}

/// Paints `shapes` in order (later ones on top), with 4 × 4 samples per pixel at the edges.
fn paint(background: [u8; 3], shapes: &[(Shape, [u8; 3])]) -> RgbImage {
    let mut img = RgbImage::from_pixel(W, H, Rgb(background));
    for (shape, colour) in shapes {
        let (x0, y0, x1, y1) = shape.bounds();
        let xs = (x0.floor().max(0.0) as u32)..(x1.ceil().min(W as f32) as u32);
        let ys = (y0.floor().max(0.0) as u32)..(y1.ceil().min(H as f32) as u32);
        for y in ys {
            for x in xs.clone() {
                let mut hits = 0u32;
                for sy in 0..4 {
                    for sx in 0..4 {
                        let px = x as f32 + (sx as f32 + 0.5) / 4.0;
                        let py = y as f32 + (sy as f32 + 0.5) / 4.0;
                        hits += u32::from(shape.contains(px, py));
                    }
                }
                if hits == 0 {
                    continue;
                }
                let p = img.get_pixel_mut(x, y);
                for (channel, &paint) in p.0.iter_mut().zip(colour) {
                    let mixed = (u32::from(*channel) * (16 - hits) + u32::from(paint) * hits) / 16;
                    *channel = mixed as u8;
                }
            }
        }
    }
    img
}

const SKY: [u8; 3] = [0xea, 0xf1, 0xf8];
const GROUND: [u8; 3] = [0xc9, 0xd8, 0xb5];
const GREEN: [u8; 3] = [0x4f, 0x8a, 0x5b];
const DARK_GREEN: [u8; 3] = [0x2f, 0x5e, 0x3c];
const BRICK: [u8; 3] = [0xb5, 0x5a, 0x3c];
const ROOF: [u8; 3] = [0x5a, 0x3d, 0x36];
const WINDOW: [u8; 3] = [0xf6, 0xe7, 0xb0];
const INK: [u8; 3] = [0x2d, 0x35, 0x40];
const PATH: [u8; 3] = [0xe3, 0xd3, 0xb0];
const BLUE: [u8; 3] = [0x2b, 0x5f, 0x9e];
const ORANGE: [u8; 3] = [0xe0, 0x8a, 0x2e];

/// A factory hall with a sawtooth roof, a chimney and tall windows.
fn factory() -> RgbImage {
    let mut s = vec![(Shape::Rect(0.0, 820.0, 1600.0, 1067.0), GROUND)];
    s.push((Shape::Rect(260.0, 470.0, 1340.0, 840.0), BRICK));
    for i in 0..5 {
        let x = 260.0 + i as f32 * 216.0;
        s.push((
            Shape::Polygon(vec![(x, 470.0), (x + 216.0, 470.0), (x + 216.0, 330.0)]),
            ROOF,
        ));
    }
    s.push((Shape::Rect(1180.0, 170.0, 1250.0, 470.0), BRICK));
    for row in 0..2 {
        for col in 0..7 {
            let x = 310.0 + col as f32 * 148.0;
            let y = 520.0 + row as f32 * 150.0;
            s.push((Shape::Rect(x, y, x + 80.0, y + 110.0), WINDOW));
        }
    }
    s.push((Shape::Rect(740.0, 700.0, 860.0, 840.0), INK));
    paint(SKY, &s)
}

/// A slag heap turned green, a path winding up to the top, trees at its foot.
fn heap() -> RgbImage {
    let mut s = vec![(Shape::Rect(0.0, 860.0, 1600.0, 1067.0), GROUND)];
    s.push((
        Shape::Polygon(vec![
            (120.0, 900.0),
            (700.0, 280.0),
            (960.0, 260.0),
            (1480.0, 900.0),
        ]),
        GREEN,
    ));
    let path = [
        (300.0, 900.0),
        (900.0, 760.0),
        (560.0, 600.0),
        (1000.0, 470.0),
        (760.0, 340.0),
        (830.0, 270.0),
    ];
    for pair in path.windows(2) {
        s.push((stroke(pair[0], pair[1], 26.0), PATH));
    }
    // Round joins where the path turns.
    for &(x, y) in &path[1..path.len() - 1] {
        s.push((Shape::Circle(x, y, 13.0), PATH));
    }
    for (x, r) in [(110.0, 90.0), (250.0, 70.0), (1400.0, 85.0), (1520.0, 65.0)] {
        s.push((Shape::Rect(x - 12.0, 860.0, x + 12.0, 960.0), ROOF));
        s.push((Shape::Circle(x, 860.0 - r * 0.6, r), DARK_GREEN));
    }
    paint(SKY, &s)
}

/// A house with large windows and round figures meeting in front of it.
fn meeting_place() -> RgbImage {
    let mut s = vec![(Shape::Rect(0.0, 860.0, 1600.0, 1067.0), GROUND)];
    s.push((Shape::Rect(330.0, 360.0, 1270.0, 880.0), [0xf2, 0xf2, 0xee]));
    s.push((
        Shape::Polygon(vec![(290.0, 370.0), (800.0, 130.0), (1310.0, 370.0)]),
        ROOF,
    ));
    for col in 0..3 {
        let x = 400.0 + col as f32 * 290.0;
        s.push((Shape::Rect(x, 440.0, x + 220.0, 640.0), BLUE));
    }
    s.push((Shape::Rect(740.0, 700.0, 860.0, 880.0), INK));
    let people = [
        (520.0, ORANGE),
        (640.0, GREEN),
        (980.0, BLUE),
        (1100.0, BRICK),
    ];
    for (x, colour) in people {
        s.push((Shape::Circle(x, 840.0, 34.0), colour));
        s.push((
            Shape::Polygon(vec![
                (x - 55.0, 1000.0),
                (x - 40.0, 890.0),
                (x + 40.0, 890.0),
                (x + 55.0, 1000.0),
            ]),
            colour,
        ));
    }
    paint(SKY, &s)
}

/// A path through a green with a bench and trees: a place to stop on the way.
fn path_and_bench() -> RgbImage {
    let mut s = vec![(Shape::Rect(0.0, 600.0, 1600.0, 1067.0), GROUND)];
    s.push((
        Shape::Polygon(vec![
            (700.0, 600.0),
            (900.0, 600.0),
            (1300.0, 1067.0),
            (300.0, 1067.0),
        ]),
        PATH,
    ));
    for (x, y, r) in [
        (260.0, 470.0, 150.0),
        (1340.0, 450.0, 170.0),
        (1120.0, 520.0, 90.0),
    ] {
        s.push((Shape::Rect(x - 16.0, y, x + 16.0, y + 230.0), ROOF));
        s.push((Shape::Circle(x, y, r), DARK_GREEN));
    }
    s.push((Shape::Rect(1080.0, 800.0, 1380.0, 830.0), ROOF));
    s.push((Shape::Rect(1080.0, 740.0, 1380.0, 765.0), ROOF));
    s.push((Shape::Rect(1100.0, 830.0, 1120.0, 900.0), INK));
    s.push((Shape::Rect(1340.0, 830.0, 1360.0, 900.0), INK));
    paint(SKY, &s)
}

/// The pictograms by file name.
pub fn pictograms() -> Vec<(&'static str, RgbImage)> {
    vec![
        ("fabrikhalle.png", factory()),
        ("halde.png", heap()),
        ("begegnungsort.png", meeting_place()),
        ("weg-mit-bank.png", path_and_bench()),
    ]
}

fn main() {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("examples/bilder/content/media"));
    std::fs::create_dir_all(&dir).expect("create the media folder");
    for (name, img) in pictograms() {
        let path = dir.join(name);
        img.save(&path)
            .unwrap_or_else(|e| panic!("write {}: {e}", path.display()));
        println!("{}", path.display());
    }
}
