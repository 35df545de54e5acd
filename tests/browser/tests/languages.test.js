// A catalogue in German and English (tests/fixtures/multilingual): every kind of English page
// (below /en/) has no axe WCAG 2.1 A/AA violation at 1366 and 320 px, with the language switcher
// and, on an untranslated entry, the note and its German text marked `lang="de"`; the switcher
// leads to the counterpart; and the English search page finds "neighbourhood" when asked for
// "neighbourhoods" (the browser stems the query with stem-en.js as the build stemmed the index).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { buildCatalogue, serveFolder, tempDir, ROOT } from '../lib/site.js';
import { settled } from '../lib/catalogue-page.js';

const ENGLISH = {
  home: 'en/',
  browser: 'en/catalogue/',
  search: 'en/search/?q=neighbourhoods',
  map: 'en/map/',
  codebook: 'en/codebook/',
  list: 'en/orte/',
  'translated entry': 'en/orte/neighbourhood-office-north/',
  'untranslated entry': 'en/formate/quartiersspaziergang/',
  vocabulary: 'en/themen/',
  term: 'en/themen/beteiligung/',
  'free page': 'en/ueber/',
};

let browser;
let server;
before(async () => {
  const out = join(tempDir('languages'), 'site');
  server = await serveFolder(out);
  buildCatalogue({ root: join(ROOT, 'tests', 'fixtures', 'multilingual'), output: out, baseUrl: server.url });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

for (const [kind, path] of Object.entries(ENGLISH)) {
  test(`English ${kind} (/${path}): axe finds nothing at 1366 and 320 px`, { timeout: 120_000 }, async () => {
    for (const width of [1366, 320]) {
      const context = await browser.newContext({ viewport: { width, height: 800 } });
      const page = await context.newPage();
      try {
        await visit(page, new URL(path, server.url).href);
        if (kind === 'browser') await settled(page);
        assert.equal(await page.getAttribute('html', 'lang'), 'en');
        const violations = await axeViolations(page);
        assert.equal(violations.length, 0, `axe at ${width} px on /${path}:\n${describeViolations(violations)}`);
      } finally {
        await context.close();
      }
    }
  });
}

test('the switcher leads to the counterpart and back', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await visit(page, new URL('orte/stadtteilbuero-nord/', server.url).href);
    await page.click('.language-switcher a[hreflang="en"]');
    await page.waitForURL(/\/en\/orte\/neighbourhood-office-north\/$/);
    assert.equal(await page.textContent('h1'), 'Neighbourhood Office North');
    await page.click('.language-switcher a[hreflang="de"]');
    await page.waitForURL(/\/orte\/stadtteilbuero-nord\/$/);
    assert.equal(await page.getAttribute('html', 'lang'), 'de');
  } finally {
    await page.close();
  }
});

test('an untranslated entry shows a note and marks its German text', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await visit(page, new URL('en/formate/quartiersspaziergang/', server.url).href);
    assert.ok(await page.isVisible('.untranslated-note'));
    assert.equal(await page.getAttribute('h1', 'lang'), 'de');
  } finally {
    await page.close();
  }
});

test('English search: "neighbourhoods" finds the entry about a neighbourhood office', { timeout: 60_000 }, async () => {
  const page = await browser.newPage();
  try {
    await visit(page, new URL('en/search/?q=neighbourhoods', server.url).href);
    const hit = page.locator('a[href$="/en/orte/neighbourhood-office-north/"]').first();
    await hit.waitFor({ timeout: 20_000 });
    assert.ok(await hit.isVisible());
  } finally {
    await page.close();
  }
});
