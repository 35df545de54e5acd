#!/usr/bin/env node
// The search's quality on the queries of tests/search-quality.tsv: recall@10 (the share of
// expected entries among the first ten hits, averaged over queries) and MRR (the mean of
// 1 / rank of the first expected entry). It runs the built site's own assets/find.js in Node
// against its own search/ files, ranked as the search page ranks (score, then position), so the
// same command measures any build, before or after a change:
//
//     casebook build --output /tmp/site && node benches/search_quality.mjs /tmp/site [-v]
//
// -v prints each query with the rank of each expected entry.

import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const args = process.argv.slice(2);
const verbose = args.includes('-v');
const site = resolve(args.find((a) => a !== '-v') || 'output');
const setFile = join(here, '..', 'tests', 'search-quality.tsv');

/** The quality set: [{ q, expected: ['folder/slug', …] }]. */
export function qualitySet(file = setFile) {
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() && !l.startsWith('#'))
    .map((l) => {
      const [q, expected] = l.split('\t');
      return { q, expected: expected.trim().split(/\s+/) };
    });
}

/** Serves the site's files to find.js: fetch('/x') reads `<dir>/x`. */
export function fetchFrom(dir) {
  return async (url) => {
    try {
      const body = readFileSync(join(dir, decodeURIComponent(String(url))));
      return { ok: true, status: 200, json: async () => JSON.parse(body) };
    } catch {
      return { ok: false, status: 404, json: async () => null };
    }
  };
}

/** Each query's ranked hits as paths (`folder/slug` for entries, the URL for pages). */
export async function rankings(dir, queries) {
  globalThis.fetch = fetchFrom(dir);
  const find = await import(pathToFileURL(join(dir, 'assets', readdirSync(join(dir, 'assets')).find((f) => /^find(\.[0-9a-f]{10})?\.js$/.test(f)))).href);
  const index = await find.open('/');
  const browser = JSON.parse(readFileSync(join(dir, 'katalog', 'index.json'), 'utf8'));
  const path = (doc) => {
    if (doc >= index.entries) return 'page:' + doc;
    const e = browser.entries[doc];
    return browser.types[e[2]].folder + '/' + e[0];
  };
  const out = [];
  for (const { q } of queries) {
    const found = await index.find(q);
    const ranked = [...found.scores].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([doc]) => path(doc));
    out.push(ranked);
  }
  return out;
}

/** recall@10 and MRR of `ranked` lists against the set's expectations. */
export function quality(queries, ranked) {
  let recall = 0;
  let rr = 0;
  const rows = queries.map(({ q, expected }, i) => {
    const ranks = expected.map((p) => ranked[i].indexOf(p) + 1);
    const r = ranks.filter((k) => k >= 1 && k <= 10).length / expected.length;
    const first = Math.min(...ranks.filter((k) => k >= 1));
    recall += r;
    rr += Number.isFinite(first) ? 1 / first : 0;
    return { q, r, ranks, hits: ranked[i].length };
  });
  return { recall: recall / queries.length, mrr: rr / queries.length, rows };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const queries = qualitySet();
  const ranked = await rankings(site, queries);
  const { recall, mrr, rows } = quality(queries, ranked);
  if (verbose) {
    for (const r of rows) {
      const ranks = r.ranks.map((k) => (k ? k : '–')).join(' ');
      console.log(`${r.r.toFixed(2)}  ${r.q.padEnd(36)} ${String(r.hits).padStart(4)} hits, expected at ${ranks}`);
    }
  }
  console.log(`${queries.length} queries on ${site}: recall@10 ${recall.toFixed(3)}, MRR ${mrr.toFixed(3)}`);
}
