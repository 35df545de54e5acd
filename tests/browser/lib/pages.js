// Representative pages of the bundled catalogue, picked from its data rather than hard-coded, so
// the suite follows the catalogue as it changes.

import { loadCatalogue } from './catalogue.js';

/**
 * `{ home, browser, browserFiltered, entry, term, map, codebook, search }` as paths below the
 * site, plus `cat` (the model) and `query` (a word that full-text search finds). `kinds` names
 * one page of every kind the site has (an entry page per type), for checks that go through all.
 */
export function samplePages(siteDir) {
  const cat = loadCatalogue(siteDir);
  // The entry with the most facet terms exercises the most of the entry template.
  const entry = [...cat.entries].sort((a, b) => termCount(b) - termCount(a) || a.id.localeCompare(b.id))[0];
  const facet = cat.facets.find((f) => f.terms.some((t) => f.parentOf.get(t))) || cat.facets[0];
  const term = facet.terms.find((t) => !facet.parentOf.get(t) && cat.entries.some((e) => e.terms[facet.field].has(t)));
  // A word from an entry title that is long enough to be a real search.
  const query = entry.title.split(/[^\p{L}]+/u).filter((w) => w.length >= 6)[0] || entry.title.split(' ')[0];
  return {
    cat,
    entryModel: entry,
    query,
    filter: { field: facet.field, key: term },
    home: '',
    browser: 'katalog/',
    browserFiltered: `katalog/?${facet.field}=${term}`,
    entry: entry.path.replace(/^\//, ''),
    term: `${facet.vocabulary}/${term}/`,
    map: 'karte/',
    codebook: 'codebuch/',
    search: 'suche/',
    kinds: pageKinds(cat, entry, facet, term),
  };
}

/** `{ name: path }` for one page of every kind. */
function pageKinds(cat, entry, facet, term) {
  const kinds = { home: '' };
  kinds.browser = 'katalog/';
  for (const type of cat.types) {
    // Per type the entry with the most terms, and that type's list.
    const e = [...cat.entries].filter((x) => x.type === type).sort((a, b) => termCount(b) - termCount(a) || a.id.localeCompare(b.id))[0];
    if (!e) continue;
    kinds[`entry-${type}`] = e.path.replace(/^\//, '');
    kinds[`list-${type}`] = e.path.replace(/^\//, '').split('/')[0] + '/';
  }
  kinds.vocabulary = `${facet.vocabulary}/`;
  kinds.term = `${facet.vocabulary}/${term}/`;
  kinds.map = 'karte/';
  kinds.search = 'suche/';
  kinds.codebook = 'codebuch/';
  kinds.free = 'datenschutz/';
  kinds.notfound = 'gibt-es-nicht/';
  return kinds;
}

function termCount(e) {
  return Object.values(e.terms).reduce((n, s) => n + s.size, 0);
}
