// The map before consent (#23): its pins stand on the coasts and borders of their region, an
// inline SVG the build drew in Web Mercator (the theme's data/outline.txt), so the map says where
// its entries are without a request to the tile server. At a phone's and a desktop's width the
// outline fills the map, holds every pin, puts a place where Leaflet puts its pin, and axe finds
// nothing on the page.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, visit, quiet } from '../lib/browser.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';
import { axeViolations, describeViolations } from '../lib/axe.js';

const site = await bundledSite();
const pages = samplePages(site.dir);
const browser = await launchBrowser();
after(() => browser.close());

/** The absolute points of path data made of `M x y` and relative `l` steps, as the build writes it. */
function pathPoints(d) {
  const points = [];
  for (const part of d.split('M').filter(Boolean)) {
    const [start, steps] = part.split('l');
    const numbers = (s) => s.replace(/-/g, ' -').trim().split(/\s+/).filter(Boolean).map(Number);
    let [x, y] = numbers(start);
    points.push([x, y]);
    const n = numbers(steps || '');
    for (let i = 0; i + 1 < n.length; i += 2) {
      x += n[i];
      y += n[i + 1];
      points.push([x, y]);
    }
  }
  return points;
}

/** Web Mercator's y in the unit square (as Leaflet places things). */
const mercatorY = (lat) => 0.5 - Math.log(Math.tan(Math.PI / 4 + (lat * Math.PI) / 360)) / (2 * Math.PI);

for (const width of [390, 1366]) {
  test(`at ${width} px the map shows its pins on the region's outline, with no request to the tile server`, { timeout: 90_000 }, async () => {
    // Reduced motion: zooming in below ends at once, with no animation to wait for.
    const context = await browser.newContext({ viewport: { width, height: 800 }, reducedMotion: 'reduce' });
    const page = await context.newPage();
    const elsewhere = [];
    page.on('request', (r) => {
      if (new URL(r.url()).hostname !== '127.0.0.1') elsewhere.push(r.url());
    });
    await visit(page, new URL(pages.map, site.url).href);
    await page.locator('.leaflet-marker-icon').first().waitFor({ timeout: 15_000 });
    await quiet(page);
    assert.deepEqual(elsewhere, [], 'no request leaves the site before consent');

    const outline = page.locator('#map-app svg.map-outline');
    assert.equal(await outline.count(), 1, 'the page has the outline');
    assert.ok(await outline.isVisible(), 'the outline is visible');
    const facts = await outline.evaluate((svg) => ({
      inLeaflet: !!svg.closest('.leaflet-overlay-pane'),
      viewBox: svg.getAttribute('viewBox').split(' ').map(Number),
      bounds: svg.dataset.bounds.split(',').map(Number),
      paths: [...svg.querySelectorAll('path')].map((p) => p.getAttribute('d')),
      stroked: [...svg.querySelectorAll('path')].map((p) => getComputedStyle(p).stroke),
    }));
    assert.ok(facts.inLeaflet, 'map.js laid the outline into the map');
    const [, , vw, vh] = facts.viewBox;
    const points = facts.paths.flatMap(pathPoints);
    assert.ok(points.length >= 200 && points.length <= 20_000, `a plausible number of points: ${points.length}`);
    const outside = points.filter(([x, y]) => x < 0 || y < 0 || x > vw || y > vh);
    assert.deepEqual(outside.slice(0, 5), [], 'every point lies inside the viewBox');
    for (const stroke of facts.stroked) assert.notEqual(stroke, 'none', 'the lines are drawn');

    // The outline covers the whole map, so no edge of it stays blank, and holds every marker.
    let box = await outline.boundingBox();
    const canvas = await page.locator('#map-app [data-role=map]').boundingBox();
    const inside = (x, y, b) => x >= b.x && x <= b.x + b.width && y >= b.y && y <= b.y + b.height;
    assert.ok(inside(canvas.x, canvas.y, box) && inside(canvas.x + canvas.width, canvas.y + canvas.height, box), `the outline ${JSON.stringify(box)} covers the map ${JSON.stringify(canvas)}`);
    const markers = await page.locator('.leaflet-marker-icon').evaluateAll((els) =>
      els.map((el) => {
        const r = el.getBoundingClientRect();
        return { x: r.x + r.width / 2, y: r.y + r.height / 2, title: el.getAttribute('title') || '', pin: el.classList.contains('pin-icon'), left: r.x, top: r.y };
      }),
    );
    assert.ok(markers.length > 0);
    for (const m of markers) assert.ok(inside(m.x, m.y, box), `marker ${m.title || 'cluster'} at ${m.x},${m.y} lies inside the outline's frame`);

    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `axe on the map before consent at ${width} px:\n${describeViolations(violations)}`);

    // A single pin stands where the outline's projection puts its place (its icon's tip is
    // 13 px right of and 30 px below the icon's corner); on a phone, zoom in until one shows.
    const [south, west, north, east] = facts.bounds;
    let pin = markers.find((m) => m.pin);
    for (let zoom = 0; !pin && zoom < 4; zoom++) {
      await page.locator('.leaflet-control-zoom-in').click();
      await quiet(page);
      pin = (await page.locator('.leaflet-marker-icon.pin-icon').evaluateAll((els) =>
        els.map((el) => {
          const r = el.getBoundingClientRect();
          return { title: el.getAttribute('title') || '', left: r.x, top: r.y };
        }),
      ))[0];
      box = await outline.boundingBox();
    }
    assert.ok(pin, 'a single pin on the map');
    const entry = [...pages.cat.raw.values()].find((e) => e.fields.lage && pin.title.startsWith(e.title + ' ('));
    assert.ok(entry, `the entry of pin ${pin.title}`);
    const { lat, lon } = entry.fields.lage;
    const x = box.x + ((lon - west) / (east - west)) * box.width;
    const y = box.y + ((mercatorY(lat) - mercatorY(north)) / (mercatorY(south) - mercatorY(north))) * box.height;
    assert.ok(Math.abs(pin.left + 13 - x) < 2 && Math.abs(pin.top + 30 - y) < 2, `the outline places ${entry.title} at ${x},${y}, Leaflet at ${pin.left + 13},${pin.top + 30}`);
    await context.close();
  });
}

test('the outline gives way to the tiles once the visitor agrees', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const page = await context.newPage();
  await visit(page, new URL(pages.map, site.url).href);
  await page.locator('.leaflet-marker-icon').first().waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('.leaflet-overlay-pane svg.map-outline').count(), 1);
  await page.locator('#map-app [data-role=map-load]').click();
  await page.locator('.leaflet-tile-pane img').first().waitFor({ state: 'attached', timeout: 10_000 });
  assert.equal(await page.locator('svg.map-outline').count(), 0, 'the outline is gone under the tiles');
  await context.close();
});
