// Screenshots of the main pages at phone (360 px) and desktop (1440 px) width, written to
// tests/artifacts/screenshots/ for review, and no horizontal overflow at 360 px.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, visit } from '../lib/browser.js';
import { ROOT, bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';

const SHOTS = join(ROOT, 'tests', 'artifacts', 'screenshots');
const WIDTHS = [360, 1440];

let browser;
let site;
let pages;
before(async () => {
  site = await bundledSite();
  pages = samplePages(site.dir);
  mkdirSync(SHOTS, { recursive: true });
  browser = await launchBrowser();
});
after(() => browser?.close());

for (const name of ['home', 'browser', 'entry', 'map', 'term']) {
  test(`${name}: screenshots at ${WIDTHS.join(' and ')} px, no horizontal overflow at 360 px`, { timeout: 60_000 }, async () => {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 800 }, deviceScaleFactor: 1 });
      const page = await context.newPage();
      await visit(page, new URL(pages[name], site.url).href);
      await page.screenshot({ path: join(SHOTS, `${name}-${width}.png`), fullPage: true });
      if (width === 360) {
        const { scrollWidth, clientWidth, wide } = await page.evaluate(() => {
          const root = document.documentElement;
          // The elements that stick out, to say what to fix.
          const wide = [...document.body.querySelectorAll('*')]
            .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && el.checkVisibility())
            .slice(0, 8)
            .map((el) => `${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${el.classList.length ? '.' + [...el.classList].join('.') : ''} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
          return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
        });
        assert.ok(scrollWidth <= clientWidth, `/${pages[name]} overflows at 360 px: scrollWidth ${scrollWidth} > clientWidth ${clientWidth}; widest elements:\n  ${wide.join('\n  ')}`);
      }
      await context.close();
    }
  });
}
