// Keyboard only: on the catalogue browser every filter checkbox and the search box can be reached
// with Tab and operated with Space/Enter, which changes the results; focus is always visible; the
// search page works from the keyboard (type a query, results appear, Tab reaches a result link).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, trackedPage } from '../lib/browser.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';
import { filterEntries } from '../lib/catalogue.js';
import { installFocusProbe, pressAndProbe, focusedKind as focusedKindOf } from '../lib/focus.js';
import { FILTERS, RESULTS, SEARCH_INPUT, countIn, openBrowser, rerender, selectionOf, settled, shownCount } from '../lib/catalogue-page.js';

const MAX_TABS = 800;

let browser;
let site;
let pages;
before(async () => {
  site = await bundledSite();
  pages = samplePages(site.dir);
  browser = await launchBrowser();
});
after(() => browser?.close());

const SELECTORS = { filters: FILTERS, search: SEARCH_INPUT };
const focusedKind = (page) => focusedKindOf(page, SELECTORS);

/**
 * Tabs from the top of the page to its end. `onFocus(kind)` may operate the element; the walk
 * records every element focus visited and every focus-visibility verdict.
 */
async function walk(page, onFocus) {
  await page.evaluate(() => document.activeElement?.blur());
  await installFocusProbe(page);
  await page.evaluate(() => {
    window.__focusProbe.reset();
    window.__focusProbe.step();
  });
  const visited = [];
  const invisible = [];
  for (let i = 0; i < MAX_TABS; i++) {
    const { verdict, current, repeat, kind } = await pressAndProbe(page, 'Tab', SELECTORS);
    if (verdict && !verdict.shown) invisible.push(`${verdict.desc} (outline: ${verdict.looks.outline}; box-shadow: ${verdict.looks.shadow})`);
    if (current === 'body' || repeat) break;
    visited.push(current);
    if (onFocus) await onFocus(kind, current);
  }
  const last = await page.evaluate(() => window.__focusProbe.finish());
  if (last && !last.shown) invisible.push(`${last.desc} (outline: ${last.looks.outline}; box-shadow: ${last.looks.shadow})`);
  return { visited, invisible };
}

test('browser page: every filter checkbox is reachable and operable by keyboard, focus always visible', { timeout: 180_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await trackedPage(context);
  await openBrowser(page, site.url);
  const total = await shownCount(page);
  const allBoxes = await page.locator(`${FILTERS} input[type=checkbox]`).evaluateAll((bs) => bs.map((b) => `${b.name}=${b.value}`));
  assert.ok(allBoxes.length > 0, 'the browser page shows no filter checkboxes');
  const fields = [...new Set(allBoxes.map((b) => b.split('=')[0]))];

  // Pass 1: open every collapsed facet and "more" list with Enter, as a keyboard user would.
  const opened = [];
  await walk(page, async (kind, desc) => {
    if (kind.kind === 'closed-details' || kind.kind === 'collapsed') {
      await page.keyboard.press('Enter');
      const still = await focusedKind(page);
      assert.ok(still.kind !== kind.kind, `Enter did not open ${desc}`);
      opened.push(desc);
    }
  });

  // Pass 2: Tab through everything; Space on each checkbox filters, Space again clears it.
  const reached = new Set();
  const problems = [];
  let searchReached = false;
  const { invisible } = await walk(page, async (kind) => {
    if (kind.kind === 'search') searchReached = true;
    if (kind.kind !== 'checkbox') return;
    const id = `${kind.field}=${kind.key}`;
    reached.add(id);
    const on = await rerender(page, () => page.keyboard.press('Space'));
    const selection = selectionOf(on.url, fields);
    const expected = filterEntries(pages.cat, { [kind.field]: [kind.key] }).length;
    if (JSON.stringify(selection) !== JSON.stringify({ [kind.field]: [kind.key] })) problems.push(`${id}: after Space the URL query is ${JSON.stringify(selection)}`);
    if (countIn(on.status) !== expected) problems.push(`${id}: after Space the page shows "${on.status}", the data says ${expected}`);
    const off = await rerender(page, () => page.keyboard.press('Space'));
    if (countIn(off.status) !== total) problems.push(`${id}: Space again shows "${off.status}", not all ${total} results`);
  });

  const unreached = allBoxes.filter((b) => !reached.has(b));
  assert.deepEqual(unreached, [], `${unreached.length} filter checkboxes cannot be reached with Tab (after opening ${opened.length} collapsed groups with Enter)`);
  assert.deepEqual(problems, [], 'operating checkboxes with Space');
  assert.ok(searchReached, 'Tab never reaches the search box of the browser page');
  assert.deepEqual(invisible, [], `focus is not visible on ${invisible.length} element(s)`);

  // The search box: type and press Enter; the results change and the query goes into the URL.
  await page.goto(page.url());
  await settled(page);
  await installFocusProbe(page);
  let found = false;
  for (let i = 0; i < 60 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focusedKind(page)).kind === 'search';
  }
  assert.ok(found, 'the search box was not reached within 60 Tab presses');
  await page.keyboard.type(pages.query);
  await rerender(page, () => page.keyboard.press('Enter'));
  const after = await shownCount(page);
  assert.ok(after > 0 && after < total, `searching "${pages.query}" from the keyboard should narrow the ${total} results, shows ${after}`);
  assert.equal(new URL(page.url()).searchParams.get('q'), pages.query, 'the query is not in the URL');
  assert.deepEqual(errors, [], 'script errors on the browser page');
  await context.close();
});

test('search page: type a query, results appear, Tab reaches a result link', { timeout: 60_000 }, async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await trackedPage(context);
  await page.goto(new URL(pages.search, site.url).href);
  await page.waitForLoadState('networkidle');
  await installFocusProbe(page);
  // The search page may put focus into its input on load; that counts as reached.
  let found = (await focusedKind(page)).kind === 'search';
  for (let i = 0; i < 40 && !found; i++) {
    await page.keyboard.press('Tab');
    found = (await focusedKind(page)).kind === 'search';
  }
  assert.ok(found, 'the search input of the search page was not reached within 40 Tab presses');
  await page.keyboard.type(pages.query);
  await page.keyboard.press('Enter');
  const link = page.locator(`${RESULTS} a[href]`).first();
  await link.waitFor({ timeout: 15_000 });
  const entryHref = await link.evaluate((a) => a.href);
  let onResult = false;
  const invisible = [];
  await page.evaluate(() => window.__focusProbe.step());
  for (let i = 0; i < 80 && !onResult; i++) {
    const { verdict } = await pressAndProbe(page, 'Tab');
    if (verdict && !verdict.shown) invisible.push(verdict.desc);
    onResult = await page.evaluate((results) => !!document.activeElement?.closest(results) && document.activeElement.matches('a[href]'), RESULTS);
  }
  assert.ok(onResult, `Tab did not reach a result link (first result: ${entryHref})`);
  assert.deepEqual(invisible, [], 'focus is not visible on the way to the results');
  assert.deepEqual(errors, [], 'script errors on the search page');
  await context.close();
});
