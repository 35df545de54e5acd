// The catalogue browser filters exactly as the data says: for several selections given in the URL,
// the shown count, the set of result URLs and every facet count in the panel equal what this test
// computes from export/katalog.json (OR within a facet, AND across facets and the type, a parent
// term matches its children's entries; a term's count is the number of entries that match every
// other facet's selection and that term). Filter clicks update the URL in place; reload and history
// navigation restore the state.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, trackedPage } from '../lib/browser.js';
import { loadCatalogue, filterEntries, facetCounts } from '../lib/catalogue.js';
import { bundledSite } from '../lib/site.js';
import {
  openBrowser, shownCount, allResultPaths, panelCounts, checkedTerms, revealTerm, rerender, selectionOf, settled,
} from '../lib/catalogue-page.js';

let browser;
let site;
let cat;
before(async () => {
  site = await bundledSite();
  cat = loadCatalogue(site.dir);
  browser = await launchBrowser();
});
after(() => browser?.close());

const count = (selection) => filterEntries(cat, selection).length;
const facet = (field) => cat.facets.find((f) => f.field === field);
const termsBySize = (field) => facet(field).terms.map((t) => [t, count({ [field]: [t] })]).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));

/** Selections that cover each rule, picked from the data so they stay meaningful as it changes. */
function selections() {
  const flat = cat.facets.find((f) => f.terms.every((t) => !f.parentOf.get(t)) && f.terms.length >= 3);
  const hier = cat.facets.find((f) => f.terms.some((t) => f.parentOf.get(t)));
  assert.ok(flat && hier, 'the bundled catalogue needs a flat and a hierarchical facet');
  const [[single], second] = termsBySize(flat.field);
  // Two terms whose entry sets overlap only partly, so OR differs from either term and from AND.
  const ranked = termsBySize(flat.field).filter(([, n]) => n > 0);
  let pair = null;
  for (let i = 0; i < ranked.length && !pair; i++) {
    for (let j = i + 1; j < ranked.length && !pair; j++) {
      const a = ranked[i][0];
      const b = ranked[j][0];
      const both = count({ [flat.field]: [a, b] });
      if (both > ranked[i][1] && both > ranked[j][1]) pair = [a, b];
    }
  }
  assert.ok(pair, `no two ${flat.field} terms with different entries`);
  // A parent whose entries include some that carry only a child term.
  const parents = hier.terms.filter((t) => hier.terms.some((c) => hier.parentOf.get(c) === t));
  const parent =
    parents.find((p) => cat.entries.some((e) => e.terms[hier.field].has(p) && !directly(e, hier.field, p))) || parents[0];
  const child = hier.terms.find((c) => hier.parentOf.get(c) === parent && count({ [hier.field]: [c] }) > 0);
  // Terms of two facets whose entry sets overlap: AND across facets.
  const other = cat.facets.find((f) => f !== flat && f !== hier);
  const [otherTerm] = termsBySize(other.field)[0];
  const across = { [hier.field]: [parent], [other.field]: [otherTerm] };
  // Two terms of different facets that no entry has together: zero results.
  let none = null;
  for (const f of cat.facets) {
    for (const g of cat.facets) {
      if (f === g || none) continue;
      for (const [a, na] of termsBySize(f.field)) {
        if (none || na === 0) continue;
        const b = termsBySize(g.field).find(([t, nb]) => nb > 0 && count({ [f.field]: [a], [g.field]: [t] }) === 0);
        if (b) none = { [f.field]: [a], [g.field]: [b[0]] };
      }
    }
  }
  assert.ok(none, 'found no combination with zero results');
  const type = cat.types[1] || cat.types[0];
  return [
    { name: `single term ${flat.field}=${single}`, selection: { [flat.field]: [single] } },
    { name: `two terms in one facet (OR) ${flat.field}=${pair.join('|')}`, selection: { [flat.field]: pair } },
    { name: `terms across facets (AND) ${JSON.stringify(across)}`, selection: across },
    { name: `hierarchical parent ${hier.field}=${parent} includes its children`, selection: { [hier.field]: [parent] }, parent: { field: hier.field, parent, child } },
    { name: `type and facet type=${type} ${flat.field}=${second[0]}`, selection: { type: [type], [flat.field]: [second[0]] } },
    { name: `a selection with zero results ${JSON.stringify(none)}`, selection: none, empty: true },
  ];
}

/** Whether the entry carries the term itself (not only through a child), from katalog.json. */
function directly(entry, field, key) {
  const raw = cat.raw.get(entry.id);
  return (raw.fields[field] || []).some((t) => t.key === key);
}

test('results and facet counts equal the data for every kind of selection', { timeout: 120_000 }, async (t) => {
  const { page, errors } = await trackedPage(await browser.newContext());
  for (const sel of selections()) {
    await t.test(sel.name, async () => {
      await openBrowser(page, site.url, sel.selection);
      const expected = filterEntries(cat, sel.selection);
      if (sel.empty) assert.equal(expected.length, 0);
      else assert.ok(expected.length > 0, 'the chosen selection should have results');
      if (sel.parent) {
        const { field, parent, child } = sel.parent;
        const viaChild = expected.filter((e) => !directly(e, field, parent));
        assert.ok(count({ [field]: [child] }) > 0 && expected.some((e) => e.terms[field].has(child)), `the parent ${parent} should include entries of ${child}`);
        if (!viaChild.length) t.diagnostic(`note: every entry with a child of ${parent} also carries ${parent} itself`);
      }
      assert.equal(await shownCount(page), expected.length, 'shown result count');
      const { paths: shown, moreState } = await allResultPaths(page);
      assert.equal(new Set(shown).size, shown.length, 'an entry is listed twice');
      assert.deepEqual([...shown].sort(), expected.map((e) => e.path).sort(), 'result URLs');
      assert.deepEqual(await checkedTerms(page), sortedSelection(sel.selection), 'checked boxes reflect the URL');
      assert.deepEqual(await panelCounts(page), facetCounts(cat, sel.selection, 'disjunctive'), 'facet counts in the panel');
      assert.equal(moreState.visible, false, `the "more" button is still visible when every result is shown (hidden=${moreState.hidden}, computed display: ${moreState.display})`);
    });
  }
  assert.deepEqual(errors, [], 'script errors on the browser page');
});

function sortedSelection(selection) {
  return Object.fromEntries(Object.entries(selection).map(([f, keys]) => [f, [...keys].sort()]));
}

test('filter clicks change the URL without adding history entries; reload and Back/Forward keep the state', { timeout: 60_000 }, async () => {
  const { page, errors } = await trackedPage(await browser.newContext());
  const fields = ['type', ...cat.facets.map((f) => f.field)];
  await page.goto(site.url);
  await openBrowser(page, site.url);
  assert.equal(await shownCount(page), cat.entries.length, 'without filters every entry is counted');

  const flat = cat.facets.find((f) => f.terms.every((x) => !f.parentOf.get(x)) && f.terms.length >= 3);
  const [[a]] = termsBySize(flat.field);
  const other = cat.facets.find((f) => f !== flat && termsBySize(f.field).some(([k]) => count({ [flat.field]: [a], [f.field]: [k] }) > 0));
  const [b] = termsBySize(other.field).find(([k]) => count({ [flat.field]: [a], [other.field]: [k] }) > 0);

  const click = async (field, key) => {
    const box = await revealTerm(page, field, key);
    await rerender(page, () => box.click());
  };
  const expectState = async (selection, when) => {
    assert.deepEqual(selectionOf(page.url(), fields), sortedSelection(selection), `URL query ${when}`);
    assert.deepEqual(await checkedTerms(page), sortedSelection(selection), `checked boxes ${when}`);
    assert.equal(await shownCount(page), count(selection), `result count ${when}`);
  };

  await click(flat.field, a);
  const first = { [flat.field]: [a] };
  await expectState(first, `after clicking ${flat.field}=${a}`);
  await click(other.field, b);
  const second = { [flat.field]: [a], [other.field]: [b] };
  await expectState(second, `after also clicking ${other.field}=${b}`);

  await page.reload();
  await settled(page);
  await expectState(second, 'after reload');

  // A tick replaces the history entry: Back leaves the catalogue, Forward brings the last state.
  await page.goBack();
  await page.waitForURL(site.url);
  await rerender(page, () => page.goForward());
  await expectState(second, 'after Back and Forward');
  assert.deepEqual(errors, [], 'script errors on the browser page');
});
