// The finder of the fixture catalogue tests/fixtures/discovery: its script ranks the results
// exactly as the build did (the build writes the weights, the page adds them up), for several
// answers, on the results and on the steps before them; without JavaScript the answers are
// links that reach the results.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, trackedPage, visit } from '../lib/browser.js';
import { ROOT, buildAndServe } from '../lib/site.js';
import { axeViolations, describeViolations } from '../lib/axe.js';

let browser;
let site;
before(async () => {
  site = await buildAndServe({ root: join(ROOT, 'tests', 'fixtures', 'discovery'), name: 'finder' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

/** The ids a ranking element lists, and who ranked them (`build` or `script`). */
async function ranking(page, selector) {
  return page.$eval(selector, (el) => ({ ids: el.dataset.ranked.trim().split(/\s+/).filter(Boolean), by: el.dataset.rankedBy }));
}

async function withPage(javaScriptEnabled, fn) {
  const context = await browser.newContext({ javaScriptEnabled });
  const { page, errors } = await trackedPage(context);
  try {
    // Without JavaScript a page is read as loaded: there is nothing to wait for.
    const open = (url) => (javaScriptEnabled ? visit(page, url) : page.goto(url, { waitUntil: 'load' }));
    return await fn(page, errors, open);
  } finally {
    await context.close();
  }
}

const ANSWERS = ['quartier/leerstand', 'zentrum/beteiligung', 'quartier/geld', '-/beteiligung', 'zentrum/-'];

for (const answers of ANSWERS) {
  test(`the script ranks /wegweiser/${answers}/ as the build did`, async () => {
    const url = new URL(`wegweiser/${answers}/`, site.url).href;
    const built = await withPage(false, async (page, errors, open) => {
      await open(url);
      return ranking(page, '#finder-ranking');
    });
    assert.equal(built.by, 'build');
    assert.ok(built.ids.length > 0, `the build ranked nothing for ${answers}`);
    const scripted = await withPage(true, async (page, errors) => {
      await visit(page, url);
      await page.waitForSelector('#finder-ranking[data-ranked-by="script"]', { timeout: 10_000 });
      const r = await ranking(page, '#finder-ranking');
      // The entries on the page stand in the script's order within each group.
      const shown = await page.$$eval('#finder-ranking li[data-entry]', (lis) => lis.map((li) => li.dataset.entry));
      assert.deepEqual(errors, []);
      return { ...r, shown };
    });
    assert.deepEqual(scripted.ids, built.ids);
    assert.deepEqual(scripted.shown.sort(), [...built.ids].sort());
  });
}

test('the answers change the ranking, and a step shows the best so far as the build ranks them', async () => {
  const first = await withPage(false, async (page, errors, open) => {
    await open(new URL('wegweiser/quartier/leerstand/', site.url).href);
    return ranking(page, '#finder-ranking');
  });
  const second = await withPage(false, async (page, errors, open) => {
    await open(new URL('wegweiser/zentrum/beteiligung/', site.url).href);
    return ranking(page, '#finder-ranking');
  });
  assert.notDeepEqual(first.ids, second.ids);
  const skippedRest = await withPage(false, async (page, errors, open) => {
    await open(new URL('wegweiser/quartier/-/', site.url).href);
    const r = await ranking(page, '#finder-ranking');
    return { ...r, perType: Number(await page.$eval('#finder-ranking', (el) => el.dataset.perType)) };
  });
  const preview = await withPage(true, async (page) => {
    await visit(page, new URL('wegweiser/quartier/', site.url).href);
    await page.waitForSelector('.finder-preview-list', { timeout: 10_000 });
    return ranking(page, '.finder-preview-list');
  });
  // The step ranks every entry; the results list the first of each type in that order.
  const taken = new Map();
  const best = preview.ids.filter((id) => {
    const type = id.split('/')[0];
    taken.set(type, (taken.get(type) || 0) + 1);
    return taken.get(type) <= skippedRest.perType;
  });
  assert.ok(best.length < preview.ids.length, 'the fixture cuts no group');
  assert.deepEqual(best, skippedRest.ids);
});

test('following the answers without JavaScript reaches the results', async () => {
  await withPage(false, async (page, errors, open) => {
    await open(new URL('wegweiser/', site.url).href);
    await page.click('.finder-answers a:has-text("Im Quartier")');
    await page.waitForURL(/\/wegweiser\/quartier\/$/);
    await page.click('.finder-skip a:has-text("Frage überspringen")');
    await page.waitForURL(/\/wegweiser\/quartier\/-\/$/);
    const heading = await page.textContent('h1');
    assert.equal(heading.trim(), 'Was zu Ihnen passt');
  });
});


test('a group cut to its best entries lists the rest on request, in the ranking order', async () => {
  // The step before ranks every entry (its preview's data-ranked), by the same answer.
  const full = await withPage(true, async (page) => {
    await visit(page, new URL('wegweiser/quartier/', site.url).href);
    await page.waitForSelector('.finder-preview-list', { timeout: 10_000 });
    return ranking(page, '.finder-preview-list');
  });
  await withPage(true, async (page, errors) => {
    await visit(page, new URL('wegweiser/quartier/-/', site.url).href);
    await page.waitForSelector('#finder-ranking[data-ranked-by="script"]', { timeout: 10_000 });
    // The fixture lists two of each type (`results_per_type: 2`); three Werkstätten fit.
    const group = page.locator('.finder-group[data-type="werkstatt"]');
    const count = Number(await group.getAttribute('data-count'));
    const listed = await group.locator('.finder-list > li').evaluateAll((lis) => lis.map((li) => li.dataset.entry));
    const werkstaetten = full.ids.filter((id) => id.startsWith('werkstatt/'));
    assert.equal(count, werkstaetten.length);
    assert.deepEqual(listed, werkstaetten.slice(0, 2));
    const button = group.locator('button.finder-show-all');
    assert.equal((await button.textContent()).trim(), `Alle ${count} zeigen`);
    await button.click();
    const rest = await group.locator('.finder-rest a').evaluateAll((as) => as.map((a) => new URL(a.href).pathname));
    assert.deepEqual(
      rest.map((path) => path.split('/').filter(Boolean).pop()),
      werkstaetten.slice(2).map((id) => id.split('/')[1]),
    );
    // The keyboard stays with the reader: the first added link has the focus.
    assert.equal(await page.evaluate(() => document.activeElement.closest('.finder-rest') !== null), true);
    // The page with the rest listed is as accessible as before.
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, describeViolations(violations));
    assert.deepEqual(errors, []);
  });
});
