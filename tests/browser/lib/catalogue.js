// An independent model of the catalogue for checking what the pages show: entries and their facet
// terms come from export/katalog.json (the full export), the facet order and term hierarchy from
// katalog/index.json. Filtering is computed here from those facts, not taken from the site's JS.

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Reads the catalogue model of a built site folder. */
export function loadCatalogue(siteDir) {
  const exported = JSON.parse(readFileSync(join(siteDir, 'export', 'katalog.json'), 'utf8'));
  const index = JSON.parse(readFileSync(join(siteDir, 'katalog', 'index.json'), 'utf8'));
  const facets = index.facets.map((f) => {
    const parentOf = new Map(f.terms.map((t) => [t.key, t.parent == null ? null : f.terms[t.parent].key]));
    return { field: f.field, label: f.label, vocabulary: f.vocabulary, terms: f.terms.map((t) => t.key), parentOf };
  });
  const entries = exported.entries.map((e) => {
    const terms = {};
    for (const f of facets) {
      const own = (e.fields[f.field] || []).map((t) => t.key);
      terms[f.field] = withAncestors(own, f.parentOf);
    }
    return { id: e.id, type: e.type, title: e.title, path: new URL(e.url).pathname, url: e.url, terms };
  });
  const raw = new Map(exported.entries.map((e) => [e.id, e]));
  return { title: exported.title, types: index.types.map((t) => t.key), facets, entries, index, raw };
}

/** A term list plus every ancestor of each term: a parent matches entries of its children. */
function withAncestors(keys, parentOf) {
  const out = new Set();
  for (const k of keys) {
    let t = k;
    for (let depth = 0; t && depth < 32 && !out.has(t); depth++) {
      out.add(t);
      t = parentOf.get(t);
    }
  }
  return out;
}

/**
 * Whether an entry matches a selection `{ type: [keys], <field>: [term keys] }`: OR inside one
 * facet, AND across facets and the type.
 */
export function matches(entry, selection, skipField = null) {
  for (const [field, keys] of Object.entries(selection)) {
    if (!keys.length || field === skipField) continue;
    if (field === 'type') {
      if (!keys.includes(entry.type)) return false;
    } else if (!keys.some((k) => entry.terms[field]?.has(k))) {
      return false;
    }
  }
  return true;
}

/** Entries matching a selection. */
export function filterEntries(cat, selection) {
  return cat.entries.filter((e) => matches(e, selection));
}

/**
 * Facet counts as a faceted search shows them: for each term, how many entries would match if the
 * term were added to the selection of its own facet while the other facets stay as selected
 * (`disjunctive`), or how many of the current results carry the term (`conjunctive`).
 */
export function facetCounts(cat, selection, mode) {
  const counts = {};
  for (const f of cat.facets) {
    const base = mode === 'disjunctive' ? cat.entries.filter((e) => matches(e, selection, f.field)) : filterEntries(cat, selection);
    counts[f.field] = Object.fromEntries(f.terms.map((t) => [t, base.filter((e) => e.terms[f.field].has(t)).length]));
  }
  const typeBase = mode === 'disjunctive' ? cat.entries.filter((e) => matches(e, selection, 'type')) : filterEntries(cat, selection);
  counts.type = Object.fromEntries(cat.types.map((t) => [t, typeBase.filter((e) => e.type === t).length]));
  return counts;
}

/** The terms of a facet that have a parent (for picking a hierarchical selection). */
export function childTerms(cat, field) {
  const f = cat.facets.find((x) => x.field === field);
  return f.terms.filter((t) => f.parentOf.get(t));
}
