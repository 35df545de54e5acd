// Pictures (issue 22), on the example catalogue examples/bilder/: the entry page shows its lead
// picture (the WebP size the browser picked, fully loaded) and its gallery, nothing on the page
// shifts while they load (cumulative layout shift 0, measured by a PerformanceObserver from the
// first byte on), axe finds no WCAG 2.1 A/AA violation, the catalogue's cards show their
// thumbnails, and the Nu HTML checker finds no error in <picture>, srcset and sizes.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { launchBrowser, trackedPage, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { buildAndServe, ROOT, SUITE } from '../lib/site.js';

let browser;
let site;
before(async () => {
  site = await buildAndServe({ root: join(ROOT, 'examples', 'bilder'), name: 'pictures' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/** Records every layout shift of the page from its start, in `window.__shifts`. */
const RECORD_SHIFTS = () => {
  window.__shifts = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      if (!e.hadRecentInput) window.__shifts.push({ value: e.value, sources: (e.sources || []).map((s) => s.node?.nodeName || '?') });
    }
  }).observe({ type: 'layout-shift', buffered: true });
};

async function openEntry(path, viewport) {
  const context = await browser.newContext({ viewport });
  const tracked = await trackedPage(context);
  await tracked.page.addInitScript(RECORD_SHIFTS);
  // Pictures arrive late, as on a slow connection, so that any missing size would show.
  await tracked.page.route('**/media/**', async (route) => {
    await new Promise((r) => setTimeout(r, 300));
    await route.continue();
  });
  await visit(tracked.page, new URL(path, site.url).href);
  return { context, ...tracked };
}

/** Scrolls through the page so lazy pictures load, then waits for every picture. */
async function loadAllPictures(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += 300) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 50));
    }
    const settled = (img) =>
      new Promise((r) => {
        img.addEventListener('load', r, { once: true });
        img.addEventListener('error', r, { once: true });
      });
    await Promise.all([...document.images].map((img) => (img.complete ? null : settled(img))));
    window.scrollTo(0, 0);
  });
}

for (const viewport of [{ width: 360, height: 740 }, { width: 1440, height: 900 }]) {
  test(`the entry page shows its pictures without a layout shift at ${viewport.width} px`, async () => {
    const { context, page, errors } = await openEntry('orte/halde-victoria-luenen/', viewport);
    try {
      await loadAllPictures(page);
      const pictures = await page.evaluate(() =>
        [...document.querySelectorAll('main picture img')].map((img) => ({
          alt: img.alt,
          loaded: img.complete && img.naturalWidth > 0,
          current: img.currentSrc,
          width: img.getAttribute('width'),
          height: img.getAttribute('height'),
          shown: img.getBoundingClientRect().width,
        })),
      );
      assert.equal(pictures.length, 2, `lead picture and gallery: ${JSON.stringify(pictures)}`);
      for (const p of pictures) {
        assert.ok(p.loaded, `not loaded: ${JSON.stringify(p)}`);
        assert.match(p.current, /\.webp$/, `Chromium takes the WebP size: ${p.current}`);
        assert.ok(p.width && p.height && p.shown > 100, `no size: ${JSON.stringify(p)}`);
        assert.match(p.alt, /^Piktogramm/);
      }
      const credit = await page.textContent('main figure figcaption');
      assert.match(credit, /Zeichnung: casebook-Projekt/);
      await page.waitForTimeout(200);
      const shifts = await page.evaluate(() => window.__shifts);
      const cls = shifts.reduce((sum, s) => sum + s.value, 0);
      assert.equal(cls, 0, `layout shifts: ${JSON.stringify(shifts)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
}

test('the layout-shift measurement is live: a picture without a size shifts the page', async () => {
  const { context, page } = await openEntry('orte/halde-victoria-luenen/', { width: 360, height: 740 });
  try {
    await page.evaluate(async () => {
      const img = document.createElement('img');
      const lead = document.querySelector('main picture img');
      img.src = lead.currentSrc + '?unsized';
      lead.closest('figure').before(img);
      await new Promise((r) => img.addEventListener('load', r, { once: true }));
      await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
    });
    await page.waitForTimeout(200);
    const cls = (await page.evaluate(() => window.__shifts)).reduce((sum, s) => sum + s.value, 0);
    assert.ok(cls > 0, 'an unsized picture should have shifted the page');
  } finally {
    await context.close();
  }
});

test('axe finds no violation on an entry page with pictures, nor on the list with thumbnails', async () => {
  for (const path of ['orte/halde-victoria-luenen/', 'orte/']) {
    const { context, page } = await openEntry(path, { width: 1280, height: 900 });
    try {
      await loadAllPictures(page);
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `axe on /${path}:\n${describeViolations(violations)}`);
      if (path === 'orte/') {
        const thumbs = await page.evaluate(() => [...document.querySelectorAll('.card-image')].filter((i) => i.complete && i.naturalWidth > 0).length);
        assert.equal(thumbs, 3, 'every card shows its thumbnail');
      }
    } finally {
      await context.close();
    }
  }
});

test('the Nu HTML checker finds no error on the pages with pictures', { timeout: 120_000 }, () => {
  const vnu = join(SUITE, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
  const run = spawnSync('java', ['-jar', vnu, '--errors-only', '--skip-non-html', '--format', 'json', site.dir], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  assert.ok(!run.error, `could not run java: ${run.error?.message}`);
  const raw = [run.stdout, run.stderr].find((s) => s.trim().startsWith('{'));
  assert.ok(raw, `vnu printed no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const messages = JSON.parse(raw).messages;
  assert.deepEqual(messages.map((m) => `${m.url}:${m.lastLine} ${m.message}`), []);
});
