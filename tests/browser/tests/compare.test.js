// "Zum Vergleich" on the fixture catalogue tests/fixtures/discovery: three entries marked on
// their pages stay marked in the tray after a reload, the comparison shows them in columns with
// the rows where they differ marked, its address reproduces the same view in a fresh browser,
// axe finds no violation on it, and without JavaScript the entry page says the comparison needs it.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, trackedPage, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { ROOT, buildAndServe } from '../lib/site.js';

let browser;
let site;
before(async () => {
  site = await buildAndServe({ root: join(ROOT, 'tests', 'fixtures', 'discovery'), name: 'compare' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const ENTRIES = ['orte/stadtteilbuero-nord/', 'orte/markthalle-sued/', 'formate/reallabor-marktplatz/'];

/** The comparison as shown: entry columns and row labels, with the differing ones marked. */
async function shown(page) {
  await page.waitForSelector('[data-compare-page][data-compared]', { timeout: 10_000 });
  return page.evaluate(() => ({
    columns: [...document.querySelectorAll('.compare-table thead th a')].map((a) => a.getAttribute('href')),
    rows: [...document.querySelectorAll('.compare-table tbody tr')].map((tr) => ({
      label: tr.querySelector('th').firstChild.textContent,
      differs: tr.classList.contains('differs'),
      cells: tr.querySelectorAll('td').length,
    })),
  }));
}

test('three marked entries survive a reload, compare in columns and share by their address', async () => {
  const context = await browser.newContext();
  const { page, errors } = await trackedPage(context);
  for (const path of ENTRIES) {
    await visit(page, new URL(path, site.url).href);
    await page.click('button[data-compare]');
    assert.equal(await page.getAttribute('button[data-compare]', 'aria-pressed'), 'true');
  }
  await page.reload();
  await page.waitForSelector('.compare-tray li');
  const tray = await page.$$eval('.compare-tray li a', (as) => as.map((a) => a.getAttribute('href')));
  assert.deepEqual(tray, ENTRIES.map((p) => `/${p}`));
  // A fourth entry cannot be added.
  await visit(page, new URL('strategien/leerstandsprogramm/', site.url).href);
  assert.equal(await page.isDisabled('button[data-compare]'), true);
  await page.click('.compare-tray a.button');
  const view = await shown(page);
  assert.deepEqual(view.columns, ENTRIES.map((p) => `/${p}`));
  assert.ok(view.rows.length > 0 && view.rows.every((r) => r.cells === 3), JSON.stringify(view.rows));
  // Different types: only the facts they share (Typ, Handlungsfeld …), and the type row differs.
  const type = view.rows.find((r) => r.label === 'Typ');
  assert.ok(type && type.differs, JSON.stringify(view.rows));
  assert.ok(!view.rows.some((r) => r.label === 'Lage'), 'a fact of Orte only is not a shared row');
  const shared = page.url();
  assert.deepEqual(errors, []);
  const violations = await axeViolations(page);
  assert.equal(violations.length, 0, describeViolations(violations));
  await context.close();

  const fresh = await browser.newContext();
  const other = await fresh.newPage();
  await visit(other, shared);
  assert.deepEqual(await shown(other), view, 'the address reproduces the view');
  await fresh.close();
});

test('without JavaScript the entry page says the comparison needs it', async () => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(new URL(ENTRIES[0], site.url).href, { waitUntil: 'load' });
  assert.equal(await page.isVisible('button[data-compare]'), false);
  assert.equal((await page.textContent('.compare-action .compare-nojs')).trim(), 'Der Vergleich braucht JavaScript.');
  await context.close();
});
