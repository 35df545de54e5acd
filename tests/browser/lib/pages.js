// Representative pages of the bundled catalogue, picked from its data rather than hard-coded, so
// the suite follows the catalogue as it changes.

import { loadCatalogue } from './catalogue.js';

/**
 * `{ home, browser, browserFiltered, entry, term, map, codebook, search }` as paths below the
 * site, plus `cat` (the model) and `query` (a word that full-text search finds).
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
  };
}

function termCount(e) {
  return Object.values(e.terms).reduce((n, s) => n + s.size, 0);
}
