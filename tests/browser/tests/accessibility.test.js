// axe-core finds no WCAG 2.1 A/AA violation in the states a visitor brings pages into, at 1366,
// 390 and 320 px: the browser with a filter and with its filters open as a sheet, and the search
// page with a query and results; and on the pages of the ways in (calendar, event, collection,
// finder result), found in the build. reflow.test.js checks every page kind as it loads.

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
  for (const width of [1366, 390, 320]) {
    const context = await browser.newContext({ viewport: { width, height: 800 } });
    const page = await context.newPage();
    try {
      await visit(page, new URL(path, site.url).href);
      if (prepare) {
        await prepare(page, width);
        await quiet(page);
      }
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `axe found ${violations.length} WCAG 2.1 A/AA violation(s) on /${path} at ${width} px:\n${describeViolations(violations)}`);
    } finally {
      await context.close();
    }
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

test('catalogue browser with an active filter', () => check(pages.browserFiltered, settled));
test('catalogue browser with its filters open (a sheet on phones)', () =>
  check(pages.browserFiltered, async (page, width) => {
    await settled(page);
    if (width < 960) await page.locator('[data-role=filters-toggle]').click();
  }));
test('map page after "Karte laden"', () =>
  check(pages.map, async (page) => {
    await page.locator('#map-app [data-role=map-load]').click();
  }));
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

// The same ways in of the English edition (`/en/`): their own words, the language switcher and
// the German words of untranslated cases marked with `lang`.
test('English event calendar and event page', async () => {
  const folder = firstDir('en/calendar');
  assert.ok(folder, 'the bundled catalogue has an English calendar');
  await check(`en/calendar/${folder}/`);
  await check(`en/${folder}/${firstDir(`en/${folder}`)}/`);
});
test('English collection page', () => {
  const slug = firstDir('en/sammlungen');
  assert.ok(slug, 'the bundled catalogue has English collections');
  return check(`en/sammlungen/${slug}/`);
});
test('English finder result after answering every question', () => {
  let path = 'en/finder';
  for (let next = firstDir(path, '-'); next; next = firstDir(path, '-')) path = `${path}/${next}`;
  assert.ok(path.split('/').length > 3, 'the bundled catalogue has an English finder');
  return check(`${path}/`);
});
