// Full-text search on the search page (suche/), checked against the built catalogue's own data:
// a query finds the entries whose title, summary or text holds a word of the same stem or one it
// begins, every word of a query must match, excerpts mark what matched, the facet counts count
// the hits, and free pages are found too. stem.js must stem as the build does: both are held to
// tests/fixtures/stems-de.tsv (tests/search_stems.rs checks the build's side).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, trackedPage } from '../lib/browser.js';
import { loadCatalogue } from '../lib/catalogue.js';
import { ROOT, bundledSite } from '../lib/site.js';
import { allResultPaths, panelCounts, settled, RESULTS } from '../lib/catalogue-page.js';
import { stemGerman } from '../../../themes/default/static/assets/stem.js';

const WORD = /[\p{Alphabetic}\p{N}]+/gu;
const termsOf = (text) => [...String(text || '').matchAll(WORD)].map((m) => stemGerman(m[0].toLowerCase()));
/** Whether `text` has a word whose term is `stem` or begins with it (as find.js matches). */
const hasTerm = (text, stem) => termsOf(text).some((t) => t.startsWith(stem));

let browser;
let site;
let cat;
before(async () => {
  site = await bundledSite();
  cat = loadCatalogue(site.dir);
  browser = await launchBrowser();
});
after(() => browser?.close());

/** Opens the search page for `q`; returns every result path (after "more") and the page. */
async function search(q) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const { page, errors } = await trackedPage(context);
  await page.goto(new URL('suche/?q=' + encodeURIComponent(q), site.url).href);
  const { status } = await settled(page);
  const { paths } = await allResultPaths(page);
  return { paths, page, status, errors, close: () => context.close() };
}

/**
 * The entries a query must find and may find: those whose title, summary or text match every
 * word, and those that do once the field values (terms, place) are counted too.
 */
function expected(q) {
  const stems = termsOf(q);
  const must = new Set();
  const may = new Set();
  for (const e of cat.entries) {
    const raw = cat.raw.get(e.id);
    const own = [raw.title, raw.summary, raw.text].join(' ');
    const all = own + ' ' + JSON.stringify(raw.fields);
    if (stems.every((s) => hasTerm(own, s))) must.add(e.path);
    if (stems.every((s) => hasTerm(all, s))) may.add(e.path);
  }
  return { must, may };
}

test('stem.js stems every listed word as the build does', () => {
  const list = readFileSync(join(ROOT, 'tests', 'fixtures', 'stems-de.tsv'), 'utf8');
  const wrong = [];
  let n = 0;
  for (const line of list.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [word, want] = line.split('\t');
    const got = stemGerman(word);
    if (got !== want) wrong.push(`${word}: ${got}, the build ${want}`);
    n++;
  }
  assert.ok(n > 3000, `only ${n} words listed`);
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${n} words stemmed differently`);
});

for (const q of ['Quartiere', 'quart', 'Markt Quartier']) {
  test(`"${q}" finds the entries whose words match, and only those`, { timeout: 120_000 }, async () => {
    const { must, may } = expected(q);
    assert.ok(must.size >= 3, `the bundled catalogue should have entries for "${q}"`);
    const s = await search(q);
    const entryPaths = s.paths.filter((p) => cat.entries.some((e) => e.path === p));
    const missing = [...must].filter((p) => !entryPaths.includes(p));
    const extra = entryPaths.filter((p) => !may.has(p));
    assert.deepEqual(missing, [], `"${q}" misses entries that hold its words`);
    assert.deepEqual(extra, [], `"${q}" shows entries that do not hold its words`);
    assert.equal(new Set(s.paths).size, s.paths.length, 'a result is listed twice');
    assert.deepEqual(s.errors, [], 'script errors on the search page');
    await s.close();
  });
}

test('an inflected form finds what its stem finds, and a word prefix finds more', { timeout: 120_000 }, async () => {
  const forms = [];
  for (const q of ['Quartier', 'Quartiere', 'quartiers', 'quart']) {
    const s = await search(q);
    forms.push(new Set(s.paths));
    await s.close();
  }
  const [one, two, three, prefix] = forms;
  assert.deepEqual([...two].sort(), [...one].sort(), '"Quartiere" and "Quartier" differ');
  assert.deepEqual([...three].sort(), [...one].sort(), '"quartiers" and "Quartier" differ');
  assert.ok([...one].every((p) => prefix.has(p)), '"quart" misses hits of "Quartier"');
});

test('excerpts mark the words that matched, as text', { timeout: 60_000 }, async () => {
  const s = await search('Quartiere');
  const marks = await s.page.locator(`${RESULTS} .card-excerpt mark`).allTextContents();
  assert.ok(marks.length >= 5, `only ${marks.length} marked words`);
  const stem = stemGerman('quartiere');
  const unrelated = marks.filter((m) => !hasTerm(m, stem));
  assert.deepEqual(unrelated, [], 'marked words that do not match the query');
  // Nothing but text and <mark> inside an excerpt.
  const tags = await s.page.locator(`${RESULTS} .card-excerpt *`).evaluateAll((els) => [...new Set(els.map((e) => e.tagName))]);
  assert.deepEqual(tags, ['MARK']);
  await s.close();
});

test('with a query, each facet count is the number of hits with that term', { timeout: 60_000 }, async () => {
  const q = 'Markt';
  const s = await search(q);
  const hits = cat.entries.filter((e) => s.paths.includes(e.path));
  assert.ok(hits.length >= 3, `"${q}" finds only ${hits.length} entries`);
  const shown = await panelCounts(s.page);
  const wrong = [];
  for (const f of cat.facets) {
    for (const t of f.terms) {
      const want = hits.filter((e) => e.terms[f.field].has(t)).length;
      const got = shown[f.field]?.[t];
      if (got !== undefined && got !== want) wrong.push(`${f.field}=${t}: shows ${got}, ${want} hits have it`);
    }
  }
  assert.deepEqual(wrong, []);
  await s.close();
});

test('free pages are found by their words and link to themselves', { timeout: 60_000 }, async () => {
  const s = await search('Impressum');
  assert.ok(s.paths.includes('/impressum/'), `"Impressum" does not find the page: ${s.paths.join(', ')}`);
  const badge = await s.page.locator(`${RESULTS} .card-page .badge-page`).count();
  assert.ok(badge >= 1, 'the page hit is not marked as a page');
  await s.close();
});

test('a word no document holds finds nothing and says so', { timeout: 60_000 }, async () => {
  const s = await search('Zauberwortquux');
  assert.deepEqual(s.paths, []);
  assert.match(s.status, /Zauberwortquux/);
  await s.close();
});
