// Faceted filtering over the browser index (katalog/index.json), without the DOM, so the same
// code runs in the page and in Node tests.
//
// Semantics (the same as the Rust side's term pages and matrix counts):
// - An entry matches a term when it carries the term or one of its descendants.
// - Within a facet the selected terms are OR-ed, across facets AND-ed; `type` is a facet whose
//   terms are the entry types.
// - The count of term v of facet F is the number of entries that match every OTHER facet's
//   selection and match v. The result list is the entries matching every facet.
// - Unknown fields and term keys in a selection are ignored.
//
// Selections are plain objects: { type: ["format"], thema: ["beteiligung", "phase-null"] }.
// Positions are indices into index.entries (title order).

const cache = new WeakMap();
const MAX_DEPTH = 16;

/** Everything precomputed once per index: a bitset of matching entries per term. */
export function model(index) {
  let m = cache.get(index);
  if (m) return m;
  const n = index.entries.length;
  const words = (n + 31) >>> 5;
  const facets = [];
  const typeFacet = {
    field: "type",
    label: null,
    terms: index.types.map((t) => ({ key: t.key, label: t.plural || t.label, parent: null })),
  };
  facets.push(typeFacet);
  for (const f of index.facets) {
    facets.push({
      field: f.field,
      label: f.label,
      vocabulary: f.vocabulary,
      terms: f.terms.map((t) => ({ key: t.key, label: t.label, parent: t.parent ?? null })),
    });
  }
  for (const f of facets) {
    f.byKey = new Map(f.terms.map((t, i) => [t.key, i]));
    f.bits = f.terms.map(() => new Uint32Array(words));
    f.ancestors = f.terms.map((_, i) => ancestors(f.terms, i));
    f.order = treeOrder(f.terms);
    f.hierarchical = f.terms.some((t) => t.parent !== null);
  }
  index.entries.forEach((e, p) => {
    const w = p >>> 5;
    const bit = 1 << (p & 31);
    if (typeFacet.bits[e[2]]) typeFacet.bits[e[2]][w] |= bit;
    const terms = e[5] || [];
    for (let k = 1; k < facets.length; k++) {
      const f = facets[k];
      for (const t of terms[k - 1] || []) {
        if (!f.bits[t]) continue;
        f.bits[t][w] |= bit;
        for (const a of f.ancestors[t]) f.bits[a][w] |= bit;
      }
    }
  });
  for (const f of facets) f.totals = f.bits.map(popcount);
  m = { index, n, words, facets, byField: new Map(facets.map((f, i) => [f.field, i])), orders: {} };
  cache.set(index, m);
  return m;
}

function ancestors(terms, i) {
  const out = [];
  let p = terms[i].parent;
  while (p !== null && p !== undefined && terms[p] && out.length < MAX_DEPTH && !out.includes(p)) {
    out.push(p);
    p = terms[p].parent;
  }
  return out;
}

/** Term indices in tree order (parents followed by their children), each with its depth. */
function treeOrder(terms) {
  const out = [];
  const seen = new Set();
  const walk = (parent, depth) => {
    terms.forEach((t, i) => {
      if ((t.parent ?? null) === parent && !seen.has(i) && depth < MAX_DEPTH) {
        seen.add(i);
        out.push({ term: i, depth });
        walk(i, depth + 1);
      }
    });
  };
  walk(null, 0);
  return out;
}

/** The selection with unknown fields and terms removed, each list deduplicated. */
export function normalize(index, selection) {
  const m = model(index);
  const out = {};
  for (const f of m.facets) {
    const wanted = selection ? selection[f.field] : null;
    if (!wanted) continue;
    const keys = [...new Set(typeof wanted === "string" ? [wanted] : wanted)].filter((k) => f.byKey.has(k));
    if (keys.length) out[f.field] = keys;
  }
  return out;
}

/** Bitset of the positions in `restrict` (any iterable of positions), or null for "all". */
function restrictBits(m, restrict) {
  if (restrict == null) return null;
  if (restrict instanceof Uint32Array) return restrict;
  const bits = new Uint32Array(m.words);
  for (const p of restrict) if (p >= 0 && p < m.n) bits[p >>> 5] |= 1 << (p & 31);
  return bits;
}

/** Per facet the OR of its selected terms' bitsets (null where nothing is selected). */
function facetMasks(m, selection) {
  return m.facets.map((f) => {
    const keys = selection[f.field];
    if (!keys || !keys.length) return null;
    const mask = new Uint32Array(m.words);
    for (const k of keys) {
      const bits = f.bits[f.byKey.get(k)];
      for (let w = 0; w < m.words; w++) mask[w] |= bits[w];
    }
    return mask;
  });
}

/** AND of all masks except `skip`; null when nothing restricts. */
function combine(m, masks, skip) {
  let out = null;
  masks.forEach((mask, k) => {
    if (!mask || k === skip) return;
    if (!out) out = mask.slice();
    else for (let w = 0; w < m.words; w++) out[w] &= mask[w];
  });
  return out;
}

/** Positions of the set bits, ascending. */
function positions(m, bits) {
  if (!bits) return Array.from({ length: m.n }, (_, i) => i);
  const out = [];
  for (let w = 0; w < m.words; w++) {
    let x = bits[w];
    while (x) {
      const low = x & -x;
      out.push((w << 5) + 31 - Math.clz32(low));
      x ^= low;
    }
  }
  return out;
}

function popcount(bits) {
  let c = 0;
  for (let w = 0; w < bits.length; w++) {
    let x = bits[w];
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    c += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return c;
}

function andCount(a, b) {
  let c = 0;
  for (let w = 0; w < a.length; w++) {
    let x = a[w] & b[w];
    if (!x) continue;
    x -= (x >>> 1) & 0x55555555;
    x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
    c += Math.imul((x + (x >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24;
  }
  return c;
}

/**
 * Filters and counts in one pass: `{ positions, counts }` where `positions` are the matching
 * entries in title order and `counts[field][key]` follow the semantics above. `restrict` (e.g.
 * the hits of a full-text search) limits both the results and the counts.
 */
export function evaluate(index, selection, restrict) {
  const m = model(index);
  const sel = normalize(index, selection);
  const masks = facetMasks(m, sel);
  masks.push(restrictBits(m, restrict));
  const all = combine(m, masks, -1);
  const counts = {};
  m.facets.forEach((f, k) => {
    const others = masks[k] ? combine(m, masks, k) : all;
    const c = {};
    f.terms.forEach((t, i) => {
      c[t.key] = others ? andCount(others, f.bits[i]) : f.totals[i];
    });
    counts[f.field] = c;
  });
  return { positions: positions(m, all), counts, bits: all };
}

/** Positions (indices into index.entries, ascending = title order) of the matching entries. */
export function filterEntries(index, selection, restrict) {
  const m = model(index);
  const masks = facetMasks(m, normalize(index, selection));
  masks.push(restrictBits(m, restrict));
  return positions(m, combine(m, masks, -1));
}

/** `{ field: { termKey: count } }` for `type` and every facet of the index. */
export function facetCounts(index, selection, restrict) {
  return evaluate(index, selection, restrict).counts;
}

/** Terms of a facet in tree order with depth: `[{ key, label, parent (key|null), depth }]`. */
export function facetTerms(index, field) {
  const m = model(index);
  const f = m.facets[m.byField.get(field)];
  if (!f) return [];
  return f.order.map(({ term, depth }) => {
    const t = f.terms[term];
    return { key: t.key, label: t.label, parent: t.parent === null ? null : f.terms[t.parent].key, depth };
  });
}

/** The field name of the facet that names an entry's place (`index.place`), if known. */
export function placeField(index) {
  return index.place && index.facets.some((f) => f.field === index.place) ? index.place : null;
}

/** An entry's place as text: the labels of its place terms, joined like the Rust cards do. */
export function placeText(index, position) {
  const field = placeField(index);
  if (!field) return "";
  const k = index.facets.findIndex((f) => f.field === field);
  const terms = (index.entries[position][5] || [])[k] || [];
  return terms.map((t) => index.facets[k].terms[t]?.label).filter(Boolean).join(", ");
}

/** Sort orders: `title` (the index order), `newest` (date descending), `place`. */
export const SORTS = ["title", "newest", "place"];

function order(index, sort) {
  const m = model(index);
  if (m.orders[sort]) return m.orders[sort];
  const all = Array.from({ length: m.n }, (_, i) => i);
  if (sort === "newest") {
    const date = (p) => index.entries[p][6] || "";
    all.sort((a, b) => (date(a) < date(b) ? 1 : date(a) > date(b) ? -1 : a - b));
  } else if (sort === "place") {
    const collator = new Intl.Collator(index.language || "de", { sensitivity: "base", numeric: true });
    const place = all.map((p) => placeText(index, p));
    all.sort((a, b) => {
      if (!place[a] !== !place[b]) return place[a] ? -1 : 1;
      return collator.compare(place[a], place[b]) || a - b;
    });
  }
  m.orders[sort] = all;
  return all;
}

/** The given positions in the requested order (unknown sorts keep title order). */
export function sortEntries(index, list, sort) {
  if (!sort || sort === "title" || !SORTS.includes(sort)) return [...list].sort((a, b) => a - b);
  const m = model(index);
  const wanted = new Uint8Array(m.n);
  for (const p of list) wanted[p] = 1;
  return order(index, sort).filter((p) => wanted[p]);
}

/** Sorts a bitset of positions (from `evaluate`) without building an intermediate list. */
export function sortBits(index, bits, sort) {
  const m = model(index);
  if (!bits) return sort && sort !== "title" && SORTS.includes(sort) ? order(index, sort).slice() : positions(m, null);
  if (!sort || sort === "title" || !SORTS.includes(sort)) return positions(m, bits);
  return order(index, sort).filter((p) => bits[p >>> 5] & (1 << (p & 31)));
}

/**
 * Reads the browser state from a query string: facet fields and `type` (repeated keys or comma
 * lists, both meaning OR), `q` (full-text query) and `sort`. Unknown keys and terms are dropped.
 */
export function parseQuery(index, query) {
  const params = new URLSearchParams(query);
  const selection = {};
  for (const f of model(index).facets) {
    const keys = params.getAll(f.field).flatMap((v) => v.split(",")).map((v) => v.trim()).filter(Boolean);
    if (keys.length) selection[f.field] = keys;
  }
  const sort = params.get("sort");
  return {
    selection: normalize(index, selection),
    q: (params.get("q") || "").trim(),
    sort: sort === "relevance" || SORTS.includes(sort) ? sort : "",
  };
}

/** The canonical query string (with `?`, or "" for the unfiltered state): repeated keys. */
export function toQuery(index, state) {
  const params = new URLSearchParams();
  const sel = normalize(index, state.selection || {});
  for (const f of model(index).facets) for (const k of sel[f.field] || []) params.append(f.field, k);
  if (state.q) params.set("q", state.q);
  if (state.sort) params.set("sort", state.sort);
  const s = params.toString();
  return s ? "?" + s : "";
}

/** The URL path of an entry: base path + type folder + "/" + slug + "/". */
export function entryUrl(index, basePath, position) {
  const e = index.entries[position];
  return basePath + index.types[e[2]].folder + "/" + e[0] + "/";
}

/**
 * Text as HTML, the five characters that matter escaped: for the cards (catalogue.js) and the
 * search excerpts (find.js). It lives here, in the module both import, because find.js must not
 * import catalogue.js, which loads it: modules that name each other cannot both carry the
 * other's hashed name (src/render/assets.rs).
 */
export const esc = (s) =>
  String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
