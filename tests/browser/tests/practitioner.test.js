// What a practitioner meets on a phone and on the map (#23): filters open as a sheet with a
// sticky results button; ticking a filter does not add a history entry (Back leaves the page), a
// search does; zero results name the filter to drop and how many results are left without it;
// no page shifts its layout after it is drawn; Leaflet loads only when a map is wanted and no
// request reaches the tile server before the visitor agrees (remembered); reduced motion turns
// the map's animations off; what a case teaches stands right after the lead.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, visit, quiet } from '../lib/browser.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';
import { filterEntries } from '../lib/catalogue.js';
import { RESULTS, settled, rerender, revealTerm, shownCount, countIn, openBrowser } from '../lib/catalogue-page.js';

const site = await bundledSite();
const pages = samplePages(site.dir);
const cat = pages.cat;
const browser = await launchBrowser();
after(() => browser.close());
const PHONE = { viewport: { width: 390, height: 800 }, hasTouch: true, isMobile: true };
const TILE_HOST = 'tile.openstreetmap.org';

/** The biggest terms of a facet, by how many entries carry them. */
function termsBySize(field) {
  const f = cat.facets.find((x) => x.field === field);
  return f.terms.map((k) => [k, cat.entries.filter((e) => e.terms[field].has(k)).length]).filter(([, n]) => n > 0).sort((a, b) => b[1] - a[1]);
}

test('on a phone the filters open as a sheet whose sticky button names the results and closes it', { timeout: 60_000 }, async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await openBrowser(page, site.url);
  const toggle = page.locator('[data-role=filters-toggle]');
  assert.ok(await toggle.isVisible(), 'the filter toggle shows on a phone');
  assert.equal(await page.locator('#cat-filters').isVisible(), false, 'filters start closed');
  await toggle.click();
  const sheet = await page.locator('#cat-filters').boundingBox();
  assert.ok(sheet && sheet.y <= 1 && sheet.height >= 790 && sheet.width >= 389, `the open filters fill the screen: ${JSON.stringify(sheet)}`);
  const field = cat.facets[0].field;
  const [key, n] = termsBySize(field)[0];
  const box = await revealTerm(page, field, key);
  await rerender(page, () => box.check());
  const apply = page.locator('[data-role=filters-apply]');
  // Scroll the sheet to its top: the button still stands at the bottom of the screen.
  await page.locator('#cat-filters').evaluate((el) => el.scrollTo(0, 0));
  const b = await apply.boundingBox();
  assert.ok(b && b.y + b.height <= 800 && b.y > 600, `the results button sticks to the bottom of the screen: ${JSON.stringify(b)}`);
  assert.equal(countIn(await apply.textContent()), n, 'the button names the number of results');
  await apply.click();
  assert.equal(await page.locator('#cat-filters').isVisible(), false, 'the button closes the sheet');
  assert.equal(await page.evaluate((sel) => document.activeElement === document.querySelector(sel), RESULTS), true, 'focus moves to the results');
  assert.equal(await shownCount(page), n);
  await context.close();
});

test('filter counts stand inside the filter column, parents and children aligned alike', { timeout: 60_000 }, async () => {
  for (const width of [1366, 320]) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    await openBrowser(page, site.url);
    if (width < 960) await page.locator('[data-role=filters-toggle]').click();
    // Open every facet, as a visitor would, then measure each count's right edge.
    await page.evaluate(() => document.querySelectorAll('[data-role=filters] details').forEach((d) => (d.open = true)));
    const edges = await page.evaluate(() => {
      const column = document.querySelector('#cat-filters').getBoundingClientRect();
      return [...document.querySelectorAll('[data-role=filters] .term-count')]
        .filter((c) => c.checkVisibility())
        .map((c) => {
          const r = c.getBoundingClientRect();
          const list = c.closest('details').getBoundingClientRect();
          return { right: Math.round(r.right), inside: r.right <= column.right + 0.5, list: Math.round(list.right), child: !!c.closest('ul ul') };
        });
    });
    assert.ok(edges.length > 20, `${edges.length} counts shown`);
    assert.deepEqual(edges.filter((e) => !e.inside), [], `counts outside the filter column at ${width} px`);
    const misaligned = edges.filter((e) => Math.abs(e.right - e.list) > 1);
    assert.deepEqual(misaligned, [], `counts not at the right edge of their facet at ${width} px`);
    assert.ok(edges.some((e) => e.child), 'child terms are among the measured');
    await context.close();
  }
});

test('ticking filters replaces the history entry, so Back leaves the page; a search pushes one', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await visit(page, site.url);
  await page.locator('.main-nav a[href$="/katalog/"]').click();
  await settled(page);
  const [f1, f2] = cat.facets;
  for (const [field, [key]] of [[f1.field, termsBySize(f1.field)[0]], [f2.field, termsBySize(f2.field)[0]]]) {
    const box = await revealTerm(page, field, key);
    await rerender(page, () => box.check());
  }
  await page.waitForFunction(() => location.search.split('=').length > 2);
  assert.match(page.url(), new RegExp(`${f1.field}=.*${f2.field}=|${f2.field}=.*${f1.field}=`), 'both filters are in the URL');
  await page.goBack();
  await page.waitForURL(site.url);
  assert.equal(page.url(), site.url, 'Back after ticking two filters returns to the page before');

  await openBrowser(page, site.url);
  const input = page.locator('#cat-q');
  await input.fill(pages.query);
  await rerender(page, () => input.press('Enter'));
  await page.waitForFunction(() => location.search.includes('q='));
  await page.goBack();
  await page.waitForFunction(() => !location.search.includes('q='));
  assert.match(page.url(), /\/katalog\/$/, 'Back after a search returns to the catalogue without it');
  await context.close();
});

test('zero results name each filter to drop and how many results are left without it', { timeout: 60_000 }, async () => {
  // Two terms of different facets that each have entries but none together.
  let pair = null;
  for (const a of cat.facets) {
    for (const b of cat.facets) {
      if (a === b || pair) continue;
      for (const [ka] of termsBySize(a.field).slice(0, 6)) {
        for (const [kb] of termsBySize(b.field).slice(0, 40)) {
          if (!pair && filterEntries(cat, { [a.field]: [ka], [b.field]: [kb] }).length === 0) pair = { [a.field]: [ka], [b.field]: [kb] };
        }
      }
    }
  }
  assert.ok(pair, 'the catalogue has two terms that never meet');
  const context = await browser.newContext();
  const page = await context.newPage();
  await openBrowser(page, site.url, pair);
  assert.equal(await shownCount(page), 0);
  const zero = page.locator('[data-role=zero]');
  assert.ok(await zero.isVisible(), 'the zero-results help shows');
  const buttons = zero.locator('button');
  assert.equal(await buttons.count(), 2, 'one button per selected filter');
  for (const [field, [key]] of Object.entries(pair)) {
    const left = filterEntries(cat, Object.fromEntries(Object.entries(pair).filter(([f]) => f !== field))).length;
    const button = zero.locator(`button[data-field="${field}"][data-key="${key}"]`);
    assert.equal(countIn((await button.textContent()).split(':').pop()), left, `the count without ${field}=${key}`);
  }
  const first = buttons.first();
  const promised = countIn((await first.textContent()).split(':').pop());
  await rerender(page, () => first.click());
  assert.equal(await shownCount(page), promised, 'dropping the filter gives the promised results');
  assert.equal(await zero.isVisible(), false);
  await context.close();
});

/** The layout shift a page accumulates while it loads and settles (what CLS sums). */
async function layoutShift(context, url) {
  const page = await context.newPage();
  await page.addInitScript(() => {
    window.__shift = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (!e.hadRecentInput) window.__shift += e.value;
    }).observe({ type: 'layout-shift', buffered: true });
  });
  await visit(page, url);
  await page.waitForTimeout(500);
  const shift = await page.evaluate(() => window.__shift);
  await page.close();
  return shift;
}

test('no page kind shifts its layout after it is drawn (CLS < 0.05 at 390 and 1366 px)', { timeout: 180_000 }, async () => {
  const problems = [];
  for (const viewport of [{ width: 390, height: 800 }, { width: 1366, height: 900 }]) {
    const context = await browser.newContext({ viewport });
    for (const [kind, path] of Object.entries(pages.kinds)) {
      const shift = await layoutShift(context, new URL(path, site.url).href);
      if (shift >= 0.05) problems.push(`${kind} at ${viewport.width} px: ${shift.toFixed(3)}`);
    }
    await context.close();
  }
  assert.deepEqual(problems, [], 'layout shift of 0.05 or more');
});

/** An entry page with coordinates. */
function placedEntry() {
  const e = cat.entries.find((x) => cat.raw.get(x.id).fields.lage);
  assert.ok(e, 'an entry with coordinates');
  return e.path.replace(/^\//, '');
}

function recordRequests(page) {
  const seen = [];
  page.on('request', (r) => seen.push(r.url()));
  return {
    leaflet: () => seen.filter((u) => /leaflet\.js$/.test(u)).length,
    tiles: () => seen.filter((u) => u.includes(TILE_HOST)).length,
  };
}

test('an entry page loads Leaflet only for a wanted map, and the tile server only after consent', { timeout: 60_000 }, async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  const requests = recordRequests(page);
  const url = new URL(placedEntry(), site.url).href;
  await visit(page, url);
  const mini = page.locator('.mini-map');
  await mini.scrollIntoViewIfNeeded();
  await quiet(page);
  assert.equal(requests.leaflet(), 0, 'no Leaflet before the map is wanted');
  assert.equal(requests.tiles(), 0, 'no tile request before consent');
  const button = mini.locator('[data-role=map-load]');
  assert.match(await button.textContent(), new RegExp(`Karte laden.*${TILE_HOST.replace(/\./g, '\\.')}`));
  assert.ok(await mini.locator('.pin').isVisible(), 'the pin stands on the plain map');
  await button.click();
  await page.waitForFunction(() => document.querySelector('.mini-map.is-live'));
  await quiet(page);
  assert.equal(requests.leaflet(), 1, 'Leaflet loads on "Karte laden"');
  assert.ok(requests.tiles() > 0, 'tiles load after consent');

  // Remembered: the next page loads the map by itself once it comes into view.
  const next = await context.newPage();
  const again = recordRequests(next);
  await visit(next, url);
  await next.locator('.mini-map').scrollIntoViewIfNeeded();
  await next.waitForFunction(() => document.querySelector('.mini-map.is-live'), null, { timeout: 10_000 });
  assert.ok(again.tiles() > 0, 'the consent is remembered');
  await context.close();
});

test('the map page shows its pins without tiles until "Karte laden"', { timeout: 60_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = recordRequests(page);
  await visit(page, new URL(pages.map, site.url).href);
  await page.locator('.leaflet-marker-icon').first().waitFor({ timeout: 15_000 });
  await quiet(page);
  assert.equal(requests.tiles(), 0, 'no tile request before consent');
  await page.locator('#map-app [data-role=map-load]').click();
  await quiet(page);
  assert.ok(requests.tiles() > 0, 'tiles load after consent');
  assert.equal(await page.locator('#map-app [data-role=map-load]').isVisible(), false);
  await context.close();
});

test('reduced motion turns the map animations off', { timeout: 60_000 }, async () => {
  const faded = async (reducedMotion) => {
    const context = await browser.newContext({ reducedMotion });
    const page = await context.newPage();
    await visit(page, new URL(pages.map, site.url).href);
    await page.locator('.leaflet-container').waitFor();
    const animated = await page.evaluate(() => document.querySelector('.leaflet-container').classList.contains('leaflet-fade-anim'));
    await context.close();
    return animated;
  };
  assert.equal(await faded('no-preference'), true, 'the map fades by default');
  assert.equal(await faded('reduce'), false, 'no fading with prefers-reduced-motion: reduce');
});

test('what a case teaches stands right after the lead, before the facts, and text hyphenates', { timeout: 60_000 }, async () => {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  await visit(page, new URL(pages.kinds['entry-ort'], site.url).href);
  const transfer = await page.locator('.entry-transfer').boundingBox();
  const facts = await page.locator('.entry-facts').boundingBox();
  assert.ok(transfer && facts && transfer.y < facts.y, 'the transfer section comes before the facts');
  assert.ok(transfer.y < 2 * 800, `within the first two screens (at ${Math.round(transfer.y)} px)`);
  const hyphens = await page.locator('.entry-transfer p, .entry-transfer .prose').first().evaluate((el) => getComputedStyle(el).hyphens);
  assert.equal(hyphens, 'auto');
  await context.close();
});

test('the footer links the Datenschutz page, which says what the site does', { timeout: 30_000 }, async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await visit(page, site.url);
  await page.locator('.footer-slots a', { hasText: 'Datenschutz' }).click();
  await page.waitForURL(/\/datenschutz\/$/);
  const text = await page.locator('main').textContent();
  for (const fact of ['keine Cookies', 'Karte laden', 'localStorage']) assert.ok(text.includes(fact), `the page says ${fact}`);
  await context.close();
});
