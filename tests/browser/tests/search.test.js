// Full-text search on the search page (suche/), checked against the built catalogue's own data:
// a query finds the entries whose title, summary or text holds a word of the same stem or one it
// begins, every word of a query must match, excerpts and titles mark what matched, the facet
// counts count the hits, and free pages are found too; compounds find their parts, a typo offers
// the closest word, synonyms find each other, and the quality set of tests/search-quality.tsv
// keeps recall@10 at 0.9 or more. stem.js and find.js's splitCompound must do what the build
// does: they are held to tests/fixtures/stems-de.tsv and compounds-de.tsv (tests/search_stems.rs
// and tests/search_compounds.rs check the build's side).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, trackedPage } from '../lib/browser.js';
import { loadCatalogue } from '../lib/catalogue.js';
import { ROOT, bundledSite } from '../lib/site.js';
import { allResultPaths, panelCounts, rerender, settled, RESULTS, SEARCH_INPUT } from '../lib/catalogue-page.js';
import { stemGerman } from '../../../themes/default/static/assets/stem.js';
import { stemEnglish } from '../../../themes/default/static/assets/stem-en.js';
import { splitCompound } from '../../../themes/default/static/assets/find.js';
import { qualitySet, rankings, quality } from '../../../benches/search_quality.mjs';

const WORD = /[\p{Alphabetic}\p{N}]+/gu;
const wordsOf = (text) => [...String(text || '').matchAll(WORD)].map((m) => m[0].toLowerCase());
const termsOf = (text) => wordsOf(text).map((w) => stemGerman(w));
/** Whether `text` has a word whose term is `stem` or begins with it (as find.js matches). */
const hasTerm = (text, stem) => termsOf(text).some((t) => t.startsWith(stem));
/** Lower case with umlauts and ß as the stemmer writes them. */
const fold = (w) => w.replace(/ä/g, 'a').replace(/ö/g, 'o').replace(/ü/g, 'u').replace(/ß/g, 'ss');
/** Whether `text` has a compound with `stem` inside it (the index's compound parts are a subset). */
const hasPart = (text, stem) => wordsOf(text).some((w) => fold(w).indexOf(stem) > 0);

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
    if (stems.every((s) => hasTerm(all, s) || hasPart(all, s))) may.add(e.path);
  }
  return { must, may };
}

/** The words of a stems list whose stem `stem` gives differently from the build, and how many were listed. */
function stemsDiffering(file, stem) {
  const list = readFileSync(join(ROOT, 'tests', 'fixtures', file), 'utf8');
  const wrong = [];
  let n = 0;
  for (const line of list.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [word, want] = line.split('\t');
    const got = stem(word);
    if (got !== want) wrong.push(`${word}: ${got}, the build ${want}`);
    n++;
  }
  return { wrong, n };
}

test('stem.js stems every listed word as the build does', () => {
  const { wrong, n } = stemsDiffering('stems-de.tsv', stemGerman);
  assert.ok(n > 3000, `only ${n} words listed`);
  assert.deepEqual(wrong.slice(0, 20), [], `${wrong.length} of ${n} words stemmed differently`);
});

test('stem-en.js stems every listed English word as the build does', () => {
  const { wrong, n } = stemsDiffering('stems-en.tsv', stemEnglish);
  assert.ok(n > 7000, `only ${n} words listed`);
  assert.equal(stemEnglish('neighbourhoods'), stemEnglish('neighbourhood'));
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
  const unrelated = marks.filter((m) => !hasTerm(m, stem) && !hasPart(m, stem));
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

test('splitCompound splits every listed compound as the build does', () => {
  const list = readFileSync(join(ROOT, 'tests', 'fixtures', 'compounds-de.tsv'), 'utf8');
  const known = new Set();
  const wrong = [];
  let n = 0;
  for (const line of list.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    if (line.startsWith('= ')) {
      for (const w of line.slice(2).split(/\s+/)) known.add(stemGerman(w));
      continue;
    }
    const [word, want] = line.split('\t');
    const got = splitCompound(word, stemGerman, (s) => known.has(s));
    if ((got ? got.join('|') : '-') !== want) wrong.push(`${word}: ${got}, the build ${want}`);
    n++;
  }
  assert.ok(n >= 30, `only ${n} words listed`);
  assert.deepEqual(wrong, []);
});

test('the quality set finds what practitioners expect: recall@10 at least 0.9', { timeout: 120_000 }, async () => {
  const queries = qualitySet();
  assert.ok(queries.length >= 30, `only ${queries.length} queries`);
  const saved = globalThis.fetch;
  try {
    const { recall, mrr, rows } = quality(queries, await rankings(site.dir, queries));
    const weak = rows.filter((r) => r.r < 1).map((r) => `${r.q}: ${r.r.toFixed(2)} (ranks ${r.ranks.join(' ')})`);
    assert.ok(recall >= 0.9, `recall@10 ${recall.toFixed(3)}, MRR ${mrr.toFixed(3)}; below 1: ${weak.join('; ')}`);
  } finally {
    globalThis.fetch = saved;
  }
});

/** The entries whose title, summary or text have, for each stem, a word it begins. */
function entriesWith(...stems) {
  return cat.entries
    .filter((e) => {
      const raw = cat.raw.get(e.id);
      const own = [raw.title, raw.summary, raw.text].join(' ');
      return stems.every((s) => hasTerm(own, s));
    })
    .map((e) => e.path);
}

test('a compound finds its parts: the head alone, or all parts', { timeout: 120_000 }, async () => {
  for (const [q, parts] of [['Bürgerbeteiligung', ['burg', 'beteil']], ['Leerstandsmanagement', ['leerstand', 'management']]]) {
    const s = await search(q);
    const head = entriesWith(parts[1]);
    const all = entriesWith(...parts);
    assert.ok(head.length >= 3, `the catalogue should have entries with ${parts[1]}`);
    const missing = [...new Set([...head, ...all])].filter((p) => !s.paths.includes(p));
    assert.deepEqual(missing, [], `"${q}" misses entries with its parts`);
    assert.deepEqual(s.errors, []);
    await s.close();
  }
  // The entries that hold the compound itself (in any of its texts, in any form) come before
  // those found only through its parts.
  const q = 'Quartiersmanagement';
  const s = await search(q);
  const stem = stemGerman(q.toLowerCase());
  const texts = (raw) => [raw.title, raw.summary, raw.text, ...Object.values(raw.fields || {}).filter((v) => typeof v === 'string')].join(' ');
  const holds = new Set(cat.entries.filter((e) => hasTerm(texts(cat.raw.get(e.id)), stem)).map((e) => e.path));
  const entryPaths = s.paths.filter((p) => cat.entries.some((e) => e.path === p));
  const lastHolder = Math.max(...entryPaths.map((p, i) => (holds.has(p) ? i : -1)));
  const firstPartOnly = entryPaths.findIndex((p) => !holds.has(p));
  assert.ok(holds.size >= 3 && firstPartOnly >= 0, `"${q}": ${holds.size} entries hold it, ${entryPaths.length} found`);
  assert.ok(lastHolder < firstPartOnly, `an entry found through the parts only ranks ${firstPartOnly + 1}, before one that holds "${q}" (${lastHolder + 1})`);
  await s.close();
});

test('a typo offers the closest indexed word, and one click searches it', { timeout: 120_000 }, async () => {
  const s = await search('Quartir');
  assert.deepEqual(s.paths, []);
  const offer = s.page.locator('[data-role=suggestion]');
  assert.ok(await offer.isVisible(), 'no suggestion shown');
  assert.match(await offer.textContent(), /Meinten Sie: Quartier\?/);
  const { url } = await rerender(s.page, () => offer.locator('button').click());
  assert.equal(new URL(url).searchParams.get('q'), 'Quartier');
  assert.equal(await s.page.locator(SEARCH_INPUT).inputValue(), 'Quartier');
  const { paths } = await allResultPaths(s.page);
  assert.ok(paths.length >= 20, `"Quartier" finds only ${paths.length}`);
  assert.ok(!(await offer.isVisible()), 'the suggestion stays after it was taken');
  assert.deepEqual(s.errors, []);
  await s.close();
});

test('a synonym from site.yaml finds what its group finds', { timeout: 120_000 }, async () => {
  // site.yaml: [senioren, ältere menschen]
  const s = await search('Senioren');
  const phrase = entriesWith('alt', 'mensch');
  const onlyPhrase = phrase.filter((p) => !entriesWith('senior').includes(p));
  assert.ok(onlyPhrase.length >= 1, 'an entry should speak of älteren Menschen without Senioren');
  const missing = phrase.filter((p) => !s.paths.includes(p));
  assert.deepEqual(missing, [], '"Senioren" misses entries about ältere Menschen');
  await s.close();
});

test('title matches are marked, as text', { timeout: 60_000 }, async () => {
  const s = await search('Quartier');
  const titles = await s.page.locator(`${RESULTS} .card-title a`).evaluateAll((as) =>
    as.map((a) => ({ text: a.textContent, marks: [...a.querySelectorAll('mark')].map((m) => m.textContent), tags: [...a.querySelectorAll('*')].map((e) => e.tagName) })),
  );
  const stem = stemGerman('quartier');
  const withWord = titles.filter((t) => termsOf(t.text).includes(stem));
  assert.ok(withWord.length >= 5, `only ${withWord.length} titles hold "Quartier"`);
  const unmarked = withWord.filter((t) => !t.marks.some((m) => stemGerman(m.toLowerCase()) === stem)).map((t) => t.text);
  assert.deepEqual(unmarked, [], 'titles with the word but no mark');
  assert.ok(titles.every((t) => t.tags.every((tag) => tag === 'MARK')), 'a title holds other markup than <mark>');
  await s.close();
});
