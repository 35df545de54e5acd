// Writes themes/default/data/outline.txt, the coastlines and borders the map draws before its
// tiles load, from Natural Earth's 1:50m countries as the npm package world-atlas ships them.
// Run once when the data should change:
//
//   npm install --prefix /tmp/outline world-atlas@2.0.2
//   node scripts/outline.mjs /tmp/outline/node_modules/world-atlas/countries-50m.json > themes/default/data/outline.txt
//
// The format (read by src/render/outline.rs): `#` lines are comments; every other line is one
// polyline, `c` (a coastline: an arc that only one country has) or `b` (a border: shared by
// two), then points in hundredths of a degree as `lon,lat`, each after the first as the
// difference to the one before. Points closer than the tolerance below to the line through their
// neighbours are left out (Douglas–Peucker); the build simplifies again to the map's scale.
import { readFileSync } from "node:fs";

const TOLERANCE = 1.5; // hundredths of a degree, about 1.5 km north–south
const path = process.argv[2];
if (!path) throw new Error("usage: node scripts/outline.mjs countries-50m.json");
const topo = JSON.parse(readFileSync(path, "utf8"));
const version = JSON.parse(readFileSync(new URL("package.json", "file://" + path), "utf8")).version;

// How many country outlines use each arc: one means coast, two a shared border.
const uses = new Array(topo.arcs.length).fill(0);
const walk = (x) => (typeof x === "number" ? uses[x < 0 ? ~x : x]++ : x.forEach(walk));
for (const g of topo.objects.countries.geometries) if (g.arcs) walk(g.arcs);

const [sx, sy] = topo.transform.scale;
const [tx, ty] = topo.transform.translate;
function decode(arc) {
  let x = 0, y = 0;
  const out = [];
  for (const [dx, dy] of arc) {
    x += dx;
    y += dy;
    const p = [Math.round((x * sx + tx) * 100), Math.round((y * sy + ty) * 100)];
    const last = out[out.length - 1];
    if (!last || last[0] !== p[0] || last[1] !== p[1]) out.push(p);
  }
  return out;
}
function simplify(pts) {
  if (pts.length < 3) return pts;
  const keep = new Uint8Array(pts.length);
  keep[0] = keep[pts.length - 1] = 1;
  const stack = [[0, pts.length - 1]];
  while (stack.length) {
    const [a, b] = stack.pop();
    const [ax, ay] = pts[a], [bx, by] = pts[b];
    const len = Math.hypot(bx - ax, by - ay);
    let far = -1, best = TOLERANCE;
    for (let i = a + 1; i < b; i++) {
      const [px, py] = pts[i];
      const d = len ? Math.abs((bx - ax) * (ay - py) - (ax - px) * (by - ay)) / len : Math.hypot(px - ax, py - ay);
      if (d > best) (best = d), (far = i);
    }
    if (far >= 0) {
      keep[far] = 1;
      stack.push([a, far], [far, b]);
    }
  }
  return pts.filter((_, i) => keep[i]);
}

const lines = [
  "# Coastlines (c) and borders (b) for the map before its tiles load; format: scripts/outline.mjs.",
  `# Made with Natural Earth. Free vector and raster map data @ naturalearthdata.com (public domain),`,
  `# 1:50m countries as converted by world-atlas ${version} (ISC licence, Michael Bostock).`,
];
let points = 0;
topo.arcs.forEach((arc, i) => {
  if (!uses[i]) return;
  const pts = simplify(decode(arc));
  if (pts.length < 2) return;
  points += pts.length;
  const parts = pts.map((p, k) => (k ? [p[0] - pts[k - 1][0], p[1] - pts[k - 1][1]] : p).join(","));
  lines.push((uses[i] > 1 ? "b " : "c ") + parts.join(" "));
});
process.stdout.write(lines.join("\n") + "\n");
console.error(`${lines.length - 3} lines, ${points} points`);
