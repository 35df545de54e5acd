//! The outline of a map's region: coastlines and borders drawn behind the pins before any tile
//! loads, so the map says where its pins are without asking a tile server (which needs the
//! visitor's consent). The theme ships the lines (`data/outline.txt`: Natural Earth's 1:50m
//! countries, written by `scripts/outline.mjs`); the map page gets them clipped to the region of
//! the catalogue's entries and simplified to its scale, in Web Mercator, the projection the
//! map's pins are placed in.

use crate::model::FieldValue;
use crate::resolve::Catalogue;

/// The file of the theme that holds the lines, below its `data/` folder.
pub const FILE: &str = "outline.txt";

/// The longer side of a drawing, in units of its `viewBox`: about a pixel each on a desktop map
/// (whose first view shows half of the drawing or more).
const SIDE: f64 = 1500.0;

/// How far (in `viewBox` units) a simplified line may stray from the data.
const TOLERANCE: f64 = 1.5;

/// The smallest region, in Web Mercator's unit square (about 0.7° of longitude): the map
/// around a single place still shows some of its surroundings.
const MIN_EXTENT: f64 = 1.0 / 512.0;

/// Coastlines and borders, in degrees.
#[derive(Debug, Default)]
pub struct Outline {
    lines: Vec<Line>,
}

#[derive(Debug)]
struct Line {
    coast: bool,
    /// (longitude, latitude) in degrees.
    points: Vec<(f64, f64)>,
    /// The line's extent in Web Mercator: (x0, y0, x1, y1).
    extent: (f64, f64, f64, f64),
}

/// A line of an outline file that is not a polyline.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("line {line}: {message}")]
pub struct OutlineError {
    pub line: usize,
    pub message: String,
}

impl Outline {
    /// Reads the format `scripts/outline.mjs` writes: `#` comments, and per line `c` (coast) or
    /// `b` (border) followed by `lon,lat` in hundredths of a degree, each pair after the first
    /// the difference to the one before.
    pub fn parse(text: &str) -> Result<Outline, OutlineError> {
        let mut lines = Vec::new();
        for (n, raw) in text.lines().enumerate() {
            let fail = |message: String| OutlineError {
                line: n + 1,
                message,
            };
            let raw = raw.trim();
            if raw.is_empty() || raw.starts_with('#') {
                continue;
            }
            let mut tokens = raw.split_ascii_whitespace();
            let coast = match tokens.next() {
                Some("c") => true,
                Some("b") => false,
                Some(other) => {
                    return Err(fail(format!(
                        "`{other}` is neither `c` (a coastline) nor `b` (a border)"
                    )))
                }
                None => continue,
            };
            let (mut lon, mut lat) = (0i64, 0i64);
            let mut points = Vec::new();
            for token in tokens {
                let pair = token
                    .split_once(',')
                    .and_then(|(a, b)| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)));
                let Some((dlon, dlat)) = pair else {
                    return Err(fail(format!(
                        "`{token}` is not a pair of whole numbers `lon,lat`"
                    )));
                };
                lon = lon.saturating_add(dlon);
                lat = lat.saturating_add(dlat);
                if lon.abs() > 18_000 || lat.abs() > 9_000 {
                    return Err(fail(format!(
                        "the point {token} leads to {lon},{lat}, off the globe (hundredths of a degree)"
                    )));
                }
                points.push((lon as f64 / 100.0, lat as f64 / 100.0));
            }
            if points.len() < 2 {
                return Err(fail("a line needs two points at least".into()));
            }
            let extent = points.iter().map(|&(lon, lat)| mercator(lat, lon)).fold(
                (f64::MAX, f64::MAX, f64::MIN, f64::MIN),
                |(x0, y0, x1, y1), (x, y)| (x0.min(x), y0.min(y), x1.max(x), y1.max(y)),
            );
            lines.push(Line {
                coast,
                points,
                extent,
            });
        }
        Ok(Outline { lines })
    }

    /// The coastlines and borders within `frame`, clipped to it and simplified to [`SIDE`].
    pub fn draw(&self, frame: Frame) -> Drawing {
        let scale = SIDE / frame.width().max(frame.height());
        let width = (frame.width() * scale).round().max(1.0);
        let height = (frame.height() * scale).round().max(1.0);
        // The frame made to fit the whole units of the viewBox exactly, around the same centre.
        let (cx, cy) = ((frame.x0 + frame.x1) / 2.0, (frame.y0 + frame.y1) / 2.0);
        let (x0, y0) = (cx - width / scale / 2.0, cy - height / scale / 2.0);
        let (x1, y1) = (cx + width / scale / 2.0, cy + height / scale / 2.0);
        let mut coast = Path::default();
        let mut borders = Path::default();
        for line in &self.lines {
            let (lx0, ly0, lx1, ly1) = line.extent;
            if lx1 < x0 || lx0 > x1 || ly1 < y0 || ly0 > y1 {
                continue;
            }
            let units: Vec<(f64, f64)> = line
                .points
                .iter()
                .map(|&(lon, lat)| {
                    let (x, y) = mercator(lat, lon);
                    ((x - x0) * scale, (y - y0) * scale)
                })
                .collect();
            let path = if line.coast { &mut coast } else { &mut borders };
            for run in clip(&units, width, height) {
                path.add(&simplify(&run, TOLERANCE));
            }
        }
        let (north, west) = from_mercator(x0, y0);
        let (south, east) = from_mercator(x1, y1);
        Drawing {
            width: width as u32,
            height: height as u32,
            points: coast.points + borders.points,
            coast: coast.d,
            borders: borders.d,
            south,
            west,
            north,
            east,
        }
    }
}

/// A part of the world in Web Mercator's unit square: x grows eastwards from 180° W, y
/// southwards from about 85° N (as Leaflet and the tile servers place things).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub x0: f64,
    pub y0: f64,
    pub x1: f64,
    pub y1: f64,
}

impl Frame {
    fn width(&self) -> f64 {
        self.x1 - self.x0
    }
    fn height(&self) -> f64 {
        self.y1 - self.y0
    }
    /// The frame as bits, for fingerprints.
    pub fn bits(&self) -> [u64; 4] {
        [self.x0, self.y0, self.x1, self.y1].map(f64::to_bits)
    }
}

/// The region a map of these places (latitude, longitude) shows before its tiles load: their
/// extent, widened so that the map's first view (the places fitted into a wide desktop map or a
/// tall phone map) falls inside it. None without places.
pub fn region(places: impl IntoIterator<Item = (f64, f64)>) -> Option<Frame> {
    let mut extent: Option<Frame> = None;
    for (lat, lon) in places {
        let (x, y) = mercator(lat, lon);
        let e = extent.get_or_insert(Frame {
            x0: x,
            y0: y,
            x1: x,
            y1: y,
        });
        (e.x0, e.y0, e.x1, e.y1) = (e.x0.min(x), e.y0.min(y), e.x1.max(x), e.y1.max(y));
    }
    let e = extent?;
    let (w, h) = (e.width().max(MIN_EXTENT), e.height().max(MIN_EXTENT));
    // The map fits them into its first view at a whole zoom level, which may show up to twice
    // their extent in the direction that fits, and more across it: a desktop map about 1.4
    // times as wide as high, a phone's about 1.6 times as high as wide.
    let (w, h) = ((2.0 * w).max(2.8 * h) * 1.1, (2.0 * h).max(3.2 * w) * 1.1);
    let (cx, cy) = ((e.x0 + e.x1) / 2.0, (e.y0 + e.y1) / 2.0);
    Some(Frame {
        x0: (cx - w / 2.0).max(0.0),
        y0: (cy - h / 2.0).max(0.0),
        x1: (cx + w / 2.0).min(1.0),
        y1: (cy + h / 2.0).min(1.0),
    })
}

/// The places of a catalogue's entries: (latitude, longitude) of the geo role's field.
pub fn places(cat: &Catalogue) -> impl Iterator<Item = (f64, f64)> + '_ {
    let geo = cat.config.roles.geo.as_deref();
    cat.entries.iter().filter_map(move |e| match e.field(geo?) {
        Some(FieldValue::Geo { lat, lon }) => Some((*lat, *lon)),
        _ => None,
    })
}

/// The region's outline as SVG paths in a `viewBox` of `0 0 width height`, and the region's
/// edges in degrees (for placing it on a map).
#[derive(Debug, Clone, PartialEq)]
pub struct Drawing {
    pub width: u32,
    pub height: u32,
    /// Path data (`d`) of the coastlines and of the borders.
    pub coast: String,
    pub borders: String,
    /// How many points the two paths have.
    pub points: usize,
    pub south: f64,
    pub west: f64,
    pub north: f64,
    pub east: f64,
}

/// The highest latitude Web Mercator shows, where the map becomes a square.
const MAX_LAT: f64 = 85.051_128_78;

/// Web Mercator: (latitude, longitude) in degrees to the unit square.
pub fn mercator(lat: f64, lon: f64) -> (f64, f64) {
    let phi = lat.clamp(-MAX_LAT, MAX_LAT).to_radians();
    let x = (lon + 180.0) / 360.0;
    let y =
        0.5 - (std::f64::consts::FRAC_PI_4 + phi / 2.0).tan().ln() / (2.0 * std::f64::consts::PI);
    (x, y)
}

/// The inverse of [`mercator`]: (latitude, longitude).
pub fn from_mercator(x: f64, y: f64) -> (f64, f64) {
    let lat = (2.0 * ((0.5 - y) * 2.0 * std::f64::consts::PI).exp().atan()
        - std::f64::consts::FRAC_PI_2)
        .to_degrees();
    (lat, x * 360.0 - 180.0)
}

/// The pieces of a polyline inside the rectangle from (0, 0) to (width, height): each segment
/// cut by Liang–Barsky, consecutive pieces joined.
fn clip(points: &[(f64, f64)], width: f64, height: f64) -> Vec<Vec<(f64, f64)>> {
    let mut runs: Vec<Vec<(f64, f64)>> = Vec::new();
    let mut open = false;
    for pair in points.windows(2) {
        let ((ax, ay), (bx, by)) = (pair[0], pair[1]);
        let (dx, dy) = (bx - ax, by - ay);
        let (mut t0, mut t1) = (0.0f64, 1.0f64);
        let inside = [(-dx, ax), (dx, width - ax), (-dy, ay), (dy, height - ay)]
            .into_iter()
            .all(|(p, q)| {
                if p == 0.0 {
                    return q >= 0.0;
                }
                let t = q / p;
                if p < 0.0 {
                    t0 = t0.max(t);
                } else {
                    t1 = t1.min(t);
                }
                t0 <= t1
            });
        if !inside {
            open = false;
            continue;
        }
        let at = |t: f64| (ax + t * dx, ay + t * dy);
        if !open {
            runs.push(vec![at(t0)]);
        }
        if let Some(run) = runs.last_mut() {
            run.push(at(t1));
        }
        open = t1 >= 1.0;
    }
    runs
}

/// Douglas–Peucker: the points of `line` that keep it within `tolerance` of itself.
fn simplify(line: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if line.len() < 3 {
        return line.to_vec();
    }
    let mut keep = vec![false; line.len()];
    keep[0] = true;
    keep[line.len() - 1] = true;
    let mut stack = vec![(0, line.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let ((ax, ay), (bx, by)) = (line[a], line[b]);
        let length = (bx - ax).hypot(by - ay);
        let distance = |&(px, py): &(f64, f64)| {
            if length == 0.0 {
                (px - ax).hypot(py - ay)
            } else {
                ((bx - ax) * (ay - py) - (ax - px) * (by - ay)).abs() / length
            }
        };
        let far = (a + 1..b)
            .map(|i| (i, distance(&line[i])))
            .filter(|&(_, d)| d > tolerance)
            .max_by(|x, y| x.1.total_cmp(&y.1));
        if let Some((i, _)) = far {
            keep[i] = true;
            stack.push((a, i));
            stack.push((i, b));
        }
    }
    line.iter()
        .zip(keep)
        .filter_map(|(p, k)| k.then_some(*p))
        .collect()
}

/// SVG path data in whole units: an absolute move to each line's start, then relative steps.
#[derive(Default)]
struct Path {
    d: String,
    points: usize,
}

impl Path {
    fn add(&mut self, line: &[(f64, f64)]) {
        use std::fmt::Write;
        let mut rounded: Vec<(i64, i64)> = line
            .iter()
            .map(|&(x, y)| (x.round() as i64, y.round() as i64))
            .collect();
        rounded.dedup();
        if rounded.len() < 2 {
            return;
        }
        let (x, y) = rounded[0];
        let _ = write!(self.d, "M{x} {y}l");
        for (i, pair) in rounded.windows(2).enumerate() {
            let (dx, dy) = (pair[1].0 - pair[0].0, pair[1].1 - pair[0].1);
            // A minus sign separates numbers by itself.
            if i > 0 && dx >= 0 {
                self.d.push(' ');
            }
            let _ = write!(self.d, "{dx}");
            if dy >= 0 {
                self.d.push(' ');
            }
            let _ = write!(self.d, "{dy}");
        }
        self.points += rounded.len();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NEAR: f64 = 1e-9;

    /// The absolute points of SVG path data made of `M x y` and relative `l` steps.
    fn points_of(d: &str) -> Vec<(i64, i64)> {
        let mut out = Vec::new();
        for part in d.split('M').filter(|p| !p.is_empty()) {
            let (start, steps) = part.split_once('l').expect("an l after each M");
            let numbers = |s: &str| -> Vec<i64> {
                s.replace('-', " -")
                    .split_whitespace()
                    .map(|n| n.parse().expect("a number"))
                    .collect()
            };
            let start = numbers(start);
            let (mut x, mut y) = (start[0], start[1]);
            out.push((x, y));
            for step in numbers(steps).chunks(2) {
                (x, y) = (x + step[0], y + step[1]);
                out.push((x, y));
            }
        }
        out
    }

    #[test]
    fn mercator_places_the_equator_in_the_middle_and_goes_both_ways() {
        assert_eq!(mercator(0.0, 0.0), (0.5, 0.5));
        assert!(mercator(MAX_LAT, -180.0).1.abs() < NEAR);
        assert!((mercator(-MAX_LAT, 180.0).1 - 1.0).abs() < NEAR);
        // Krefeld: x from the longitude alone, y north of the middle and stretched.
        let (x, y) = mercator(51.333, 6.562);
        assert!((x - 186.562 / 360.0).abs() < NEAR);
        assert!((0.32..0.34).contains(&y), "{y}");
        let (lat, lon) = from_mercator(x, y);
        assert!((lat - 51.333).abs() < NEAR && (lon - 6.562).abs() < NEAR);
    }

    #[test]
    fn clipping_cuts_lines_at_the_edges_and_joins_what_stays_inside() {
        // In at the left, out at the right: one run from edge to edge through the inner point.
        let runs = clip(&[(-10.0, 50.0), (50.0, 50.0), (110.0, 50.0)], 100.0, 100.0);
        assert_eq!(runs, vec![vec![(0.0, 50.0), (50.0, 50.0), (100.0, 50.0)]]);
        // Out across the top and back in: two runs.
        let runs = clip(
            &[(10.0, 10.0), (20.0, -10.0), (30.0, 10.0), (40.0, 20.0)],
            100.0,
            100.0,
        );
        assert_eq!(
            runs,
            vec![
                vec![(10.0, 10.0), (15.0, 0.0)],
                vec![(25.0, 0.0), (30.0, 10.0), (40.0, 20.0)]
            ]
        );
        // Wholly outside, even when its extent overlaps the rectangle.
        assert!(clip(
            &[(-10.0, 120.0), (120.0, 120.0), (120.0, -10.0)],
            100.0,
            100.0
        )
        .is_empty());
    }

    #[test]
    fn simplifying_drops_what_stays_within_the_tolerance() {
        let line = [(0.0, 0.0), (1.0, 0.2), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)];
        assert_eq!(
            simplify(&line, 1.0),
            vec![(0.0, 0.0), (2.0, 0.0), (3.0, 5.0), (4.0, 0.0)]
        );
        assert_eq!(simplify(&line[..2], 1.0), line[..2].to_vec());
    }

    #[test]
    fn the_region_holds_every_place_with_room_around_it() {
        let places = [(51.333, 6.562), (53.55, 10.0), (48.14, 11.58)];
        let frame = region(places).expect("a region");
        for (lat, lon) in places {
            let (x, y) = mercator(lat, lon);
            assert!(frame.x0 < x && x < frame.x1 && frame.y0 < y && y < frame.y1);
        }
        // Room for a map 1.4 times as wide as high, shown at up to twice the places' extent.
        let (w, h) = (
            11.58 - 6.562,
            mercator(48.14, 0.0).1 - mercator(53.55, 0.0).1,
        );
        assert!(frame.x1 - frame.x0 >= 2.8 * h && frame.y1 - frame.y0 >= 2.0 * h);
        assert!(frame.x1 - frame.x0 >= 2.0 * w / 360.0);
        let one = region([(50.0, 8.0)]).expect("one place");
        assert!(one.x1 - one.x0 >= MIN_EXTENT && one.y1 - one.y0 >= MIN_EXTENT);
        assert_eq!(region([]), None);
    }

    #[test]
    fn a_broken_outline_file_is_named_by_its_line() {
        let err = |text: &str| Outline::parse(text).expect_err("refused");
        assert_eq!(err("# c\nx 1,2 3,4\n").line, 2);
        assert_eq!(err("c 1,2 3\n").line, 1);
        assert!(err("c 1,2\n").message.contains("two points"));
        assert!(err("\n\nb 17900,0 200,0\n")
            .message
            .contains("off the globe"));
        assert_eq!(
            Outline::parse("# only comments\n\n")
                .expect("empty")
                .lines
                .len(),
            0
        );
    }

    #[test]
    fn a_square_around_the_places_is_drawn_inside_the_view_box() {
        // A coast square from 5°E 50°N to 7°E 52°N (in hundredths of a degree, as differences).
        let outline = Outline::parse("c 500,5000 200,0 0,200 -200,0 0,-200\n").expect("parsed");
        let drawing = outline.draw(region([(50.0, 5.0), (52.0, 7.0)]).expect("region"));
        assert!(drawing.borders.is_empty());
        let points = points_of(&drawing.coast);
        assert_eq!(points.len(), 5, "{}", drawing.coast);
        assert_eq!(drawing.points, 5);
        assert_eq!(points[0], points[4]);
        for &(x, y) in &points {
            assert!(x >= 0 && y >= 0 && x <= drawing.width as i64 && y <= drawing.height as i64);
        }
        // The square's corners where the projection puts them, and the places inside.
        let unit = |lat: f64, lon: f64| {
            let (x, y) = mercator(lat, lon);
            let (x0, y0) = mercator(drawing.north, drawing.west);
            let (x1, _) = mercator(drawing.south, drawing.east);
            let scale = drawing.width as f64 / (x1 - x0);
            (
                ((x - x0) * scale).round() as i64,
                ((y - y0) * scale).round() as i64,
            )
        };
        assert_eq!(points[0], unit(50.0, 5.0));
        assert_eq!(points[2], unit(52.0, 7.0));
        assert!(drawing.west < 5.0 && drawing.east > 7.0);
        assert!(drawing.south < 50.0 && drawing.north > 52.0);
        assert_eq!(drawing.width.max(drawing.height), SIDE as u32);
    }

    #[test]
    fn the_bundled_outline_draws_a_region_of_germany_in_a_few_thousand_points() {
        let text = include_str!("../../themes/default/data/outline.txt");
        let outline = Outline::parse(text).expect("the bundled outline parses");
        let drawing = outline.draw(region([(47.6, 7.6), (54.3, 10.1), (51.0, 14.9)]).unwrap());
        let coast = points_of(&drawing.coast);
        let borders = points_of(&drawing.borders);
        assert!(
            (500..8000).contains(&(coast.len() + borders.len())),
            "{}",
            drawing.points
        );
        assert!(!coast.is_empty() && !borders.is_empty());
        for (x, y) in coast.into_iter().chain(borders) {
            assert!(x >= 0 && y >= 0 && x <= drawing.width as i64 && y <= drawing.height as i64);
        }
    }
}
