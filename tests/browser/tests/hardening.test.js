// Hostile content (issue "Hardening"): a catalogue whose texts carry markup, event handlers,
// `</script>`, `<!--` and script-capable URLs builds into a site where none of it runs — on the
// home page, entry pages, the term page, the filtering browser and the search page — and where
// the hostile strings are shown as plain text. Script-capable URLs are check errors.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { launchBrowser, trackedPage, visit } from '../lib/browser.js';
import { buildCatalogue, checkCatalogue, serveFolder, tempDir } from '../lib/site.js';
import { HOSTILE, writeHostileCatalogue } from '../lib/hostile.js';
import { openBrowser, revealTerm, rerender, shownCount, allResultPaths, SEARCH_INPUT, RESULTS } from '../lib/catalogue-page.js';

let browser;
let server;
let context;
before(async () => {
  const root = join(tempDir('hostile'), 'catalogue');
  const out = join(root, '..', 'site');
  server = await serveFolder(out);
  writeHostileCatalogue(root, { baseUrl: server.url });
  buildCatalogue({ root, output: out, baseUrl: server.url });
  browser = await launchBrowser();
  context = await browser.newContext();
});
after(async () => {
  await browser?.close();
  await server?.close();
});

test('javascript: and data: URLs are check errors (url field and Markdown links)', () => {
  const root = join(tempDir('hostile-urls'), 'catalogue');
  writeHostileCatalogue(root, { unsafeUrls: true });
  const run = checkCatalogue(root);
  assert.equal(run.status, 1, `check should fail on script-capable URLs:\n${run.stdout}${run.stderr}`);
  const { diagnostics } = JSON.parse(run.stdout);
  const bad = diagnostics.filter((d) => d.file.endsWith('unsichere-adressen.md'));
  assert.ok(bad.some((d) => d.code === 'bad-url' && /javascript:/.test(d.found)), 'no error for the javascript: url field');
  assert.ok(bad.some((d) => d.code === 'unsafe-url' && /data:/.test(d.found)), 'no error for the data: Markdown link');
  assert.ok(bad.some((d) => d.code === 'unsafe-url' && /javascript:/.test(d.found)), 'no error for the javascript: Markdown link');
  const others = diagnostics.filter((d) => d.severity === 'error' && !d.file.endsWith('unsichere-adressen.md'));
  assert.deepEqual(others, [], 'the other hostile entries should pass the check (their strings are text)');
});

/** Everything in the DOM that could run hostile script, described. */
function dangerousMarkup(page) {
  return page.evaluate(() => {
    const found = [];
    for (const el of document.querySelectorAll('*')) {
      for (const attr of el.attributes) {
        if (/^on/i.test(attr.name) && /pwned/.test(attr.value)) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
        if (/^(href|src|action|formaction|data)$/i.test(attr.name) && /^\s*(javascript|data:text\/html|vbscript)/i.test(attr.value)) found.push(`<${el.localName} ${attr.name}="${attr.value}">`);
      }
      if (el.localName === 'script' && /pwned/.test(el.textContent) && !/json/.test(el.type)) found.push(`<script>${el.textContent.slice(0, 80)}`);
      if (el.localName === 'iframe' || el.localName === 'object' || el.localName === 'embed') found.push(`<${el.localName}>`);
    }
    return found;
  });
}

/** Visits a page, lets every hostile handler have its chance, and checks nothing ran. */
async function assertSafe(page, errors, dialogs, where) {
  // Hover and focus everything once: handlers like onmouseover or onfocus would fire now.
  await page.evaluate(() => {
    for (const el of document.body.querySelectorAll('*')) {
      el.dispatchEvent(new MouseEvent('mouseover', { bubbles: true }));
    }
  });
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => typeof window.__pwned), 'undefined', `hostile script ran on ${where}`);
  assert.deepEqual(dialogs, [], `a dialog opened on ${where}`);
  assert.deepEqual(await dangerousMarkup(page), [], `script-capable markup in the DOM of ${where}`);
  assert.deepEqual(errors.filter((e) => e.startsWith('uncaught')), [], `script errors on ${where} (broken inline data?)`);
}

async function open(path) {
  const tracked = await trackedPage(context);
  await visit(tracked.page, new URL(path, server.url).href);
  return tracked;
}

const text = (page, selector) => page.locator(selector).first().textContent();

test('home page', async () => {
  const { page, errors, dialogs } = await open('');
  await assertSafe(page, errors, dialogs, 'the home page');
  assert.ok((await page.locator('body').innerText()).includes(HOSTILE.siteTitle.replace(/\s+/g, ' ')), 'the site title is not shown as text');
  await page.close();
});

test('entry pages show hostile titles, summaries and fields as text', async () => {
  for (const [path, title] of [['faelle/skript-im-titel/', HOSTILE.scriptTitle], ['faelle/ereignis-attribute/', HOSTILE.attributeTitle]]) {
    const { page, errors, dialogs } = await open(path);
    await assertSafe(page, errors, dialogs, `/${path}`);
    assert.equal((await text(page, 'h1')).trim(), title, `the h1 of /${path} is not the title as text`);
    assert.ok((await page.title()).includes(title), `<title> of /${path} does not carry the title as text`);
    if (path.startsWith('faelle/skript')) {
      const body = await page.locator('main').textContent();
      for (const s of [HOSTILE.scriptSummary, HOSTILE.keyword, HOSTILE.sourceTitle]) assert.ok(body.includes(s), `/${path} does not show ${JSON.stringify(s)} as text`);
      assert.equal(await page.locator('main a[href^="https://example.org/pfad"]').count() > 0, true, 'the website link is missing');
    }
    await page.close();
  }
});

test('term page shows the hostile term label as text', async () => {
  const { page, errors, dialogs } = await open('themen/gefahr/');
  await assertSafe(page, errors, dialogs, 'the term page');
  assert.equal((await text(page, 'h1')).trim(), HOSTILE.termLabel, 'the h1 of the term page is not the label as text');
  await page.close();
});

test('catalogue browser filters by the hostile term without running it', async () => {
  const { page, errors, dialogs } = await trackedPage(context);
  await openBrowser(page, server.url);
  await assertSafe(page, errors, dialogs, 'the catalogue browser');
  const box = await revealTerm(page, 'thema', 'gefahr');
  const label = await box.evaluate((b) => (b.closest('label') || b.parentElement).textContent);
  assert.ok(label.includes(HOSTILE.termLabel), `the filter label does not show the term as text: ${label}`);
  await rerender(page, () => box.click());
  // The parent term also matches the entry filed under its child.
  assert.equal(await shownCount(page), 2, 'filtering by the hostile parent term');
  const { paths } = await allResultPaths(page);
  assert.deepEqual(paths.sort(), ['/faelle/ereignis-attribute/', '/faelle/skript-im-titel/']);
  const cards = await page.locator(`${RESULTS}`).textContent();
  assert.ok(cards.includes(HOSTILE.scriptTitle) && cards.includes(HOSTILE.attributeTitle), 'result cards do not show the titles as text');
  await assertSafe(page, errors, dialogs, 'the filtered catalogue browser');
  await page.close();
});

test('search for the hostile title shows it as text', async () => {
  const { page, errors, dialogs } = await trackedPage(context);
  await visit(page, new URL('suche/', server.url).href);
  const input = page.locator(SEARCH_INPUT).first();
  await input.waitFor({ state: 'visible', timeout: 10_000 });
  await input.fill('Skripttitel');
  await input.press('Enter');
  const link = page.locator(`${RESULTS} a[href$="/faelle/skript-im-titel/"]`).first();
  await link.waitFor({ timeout: 15_000 });
  assert.equal((await link.textContent()).trim(), HOSTILE.scriptTitle, 'the search result does not show the title as text');
  await assertSafe(page, errors, dialogs, 'the search page');
  await page.close();
});
