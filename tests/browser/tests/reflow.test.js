// Every kind of page at desktop (1366 px), phone (390 px) and the narrowest reflow width WCAG
// 1.4.10 asks for (320 px): axe-core finds no WCAG 2.1 A/AA violation, and at 320 px no page
// scrolls sideways (long German words hyphenate or wrap).

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';
import { settled } from '../lib/catalogue-page.js';

const WIDTHS = [1366, 390, 320];
const site = await bundledSite();
const pages = samplePages(site.dir);
const browser = await launchBrowser();
after(() => browser.close());

/** What sticks out past the viewport's right edge, to say what to fix. */
function overflow(page) {
  return page.evaluate(() => {
    const root = document.documentElement;
    const wide = [...document.body.querySelectorAll('*')]
      .filter((el) => el.getBoundingClientRect().right > root.clientWidth + 1 && el.checkVisibility())
      .slice(0, 8)
      .map((el) => `${el.tagName.toLowerCase()}${el.className && typeof el.className === 'string' ? '.' + el.className.trim().replace(/\s+/g, '.') : ''} (right edge ${Math.round(el.getBoundingClientRect().right)} px)`);
    return { scrollWidth: root.scrollWidth, clientWidth: root.clientWidth, wide };
  });
}

for (const [kind, path] of Object.entries(pages.kinds)) {
  test(`${kind} (/${path}): axe at ${WIDTHS.join(', ')} px, no sideways scrolling at 320 px`, { timeout: 120_000 }, async () => {
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      try {
        await visit(page, new URL(path, site.url).href);
        if (kind === 'browser') await settled(page);
        const violations = await axeViolations(page);
        assert.equal(violations.length, 0, `axe at ${width} px on /${path}:\n${describeViolations(violations)}`);
        if (width === 320) {
          const { scrollWidth, clientWidth, wide } = await overflow(page);
          assert.ok(scrollWidth <= clientWidth, `/${path} is ${scrollWidth} px wide at 320 px; sticking out:\n  ${wide.join('\n  ')}`);
        }
      } finally {
        await context.close();
      }
    }
  });
}
