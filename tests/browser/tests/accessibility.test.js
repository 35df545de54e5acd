// axe-core finds no WCAG 2.1 A/AA violation on the main kinds of page, in the state a visitor sees
// them: the browser with and without a filter, and the search page with a query and results; and
// on the pages of the ways in (calendar, event, collection, finder result), found in the build.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, quiet, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';
import { settled, SEARCH_INPUT, RESULTS } from '../lib/catalogue-page.js';

let browser;
let site;
let pages;
before(async () => {
  site = await bundledSite();
  pages = samplePages(site.dir);
  browser = await launchBrowser();
});
after(() => browser?.close());

async function check(path, prepare) {
  const context = await browser.newContext();
  const page = await context.newPage();
  try {
    await visit(page, new URL(path, site.url).href);
    if (prepare) {
      await prepare(page);
      await quiet(page);
    }
    const violations = await axeViolations(page);
    assert.equal(violations.length, 0, `axe found ${violations.length} WCAG 2.1 A/AA violation(s) on /${path}:\n${describeViolations(violations)}`);
  } finally {
    await context.close();
  }
}

test('axe reports a known violation on a broken page (the check is live)', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.setContent('<!DOCTYPE html><html lang="de"><title>x</title><body><main><img src="data:,"><input></main></body></html>');
  const ids = (await axeViolations(page)).map((v) => v.id);
  await context.close();
  assert.ok(ids.includes('image-alt') && ids.includes('label'), `expected image-alt and label violations, got ${ids.join(', ')}`);
});

test('home page', () => check(pages.home));
test('catalogue browser without a filter', () => check(pages.browser, settled));
test('catalogue browser with an active filter', () => check(pages.browserFiltered, settled));
test('entry page', () => check(pages.entry));
test('term page', () => check(pages.term));
test('map page', () => check(pages.map));
test('codebook', () => check(pages.codebook));
test('search page with a query and results', () =>
  check(pages.search, async (page) => {
    const input = page.locator(SEARCH_INPUT).first();
    await input.waitFor({ state: 'visible', timeout: 10_000 });
    await input.fill(pages.query);
    await input.press('Enter');
    await page.locator(`${RESULTS} a[href]`).first().waitFor({ timeout: 15_000 });
    await settled(page);
  }));

// The first sub-folder of a folder of the built site (sorted), or none.
function firstDir(dir, skip = '') {
  try {
    return readdirSync(join(site.dir, dir), { withFileTypes: true })
      .filter((d) => d.isDirectory() && d.name !== skip)
      .map((d) => d.name)
      .sort()[0];
  } catch {
    return undefined;
  }
}

function calendar() {
  const folder = firstDir('kalender');
  assert.ok(folder, 'the bundled catalogue has an event type with a calendar');
  return folder;
}

test('event calendar', () => check(`kalender/${calendar()}/`));
test('event page', () => {
  const folder = calendar();
  return check(`${folder}/${firstDir(folder)}/`);
});
test('collection page', () => {
  const slug = firstDir('sammlungen');
  assert.ok(slug, 'the bundled catalogue has collections');
  return check(`sammlungen/${slug}/`);
});
test('finder result after answering every question', () => {
  let path = 'wegweiser';
  for (let next = firstDir(path, '-'); next; next = firstDir(path, '-')) path = `${path}/${next}`;
  assert.ok(path.split('/').length > 2, 'the bundled catalogue has a finder');
  return check(`${path}/`);
});
