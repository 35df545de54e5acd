#!/usr/bin/env node
// What full-text search costs the browser: for each query, the files the built site's own
// assets/find.js (find.<hash>.js in a public build) fetches (its index.json, shards, and the excerpt texts of the first 50 hits),
// their size raw and gzipped (level 6, as a server would send them), and the time in Node.
//
//     node benches/search_fetch.mjs <built site> Ankaufprogramm "Ankaufprogramm Güterbahnhof"
import { readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
const [dir, ...queries] = process.argv.slice(2);
let files = 0, raw = 0, gz = 0;
globalThis.fetch = async (url) => {
  const body = readFileSync(join(dir, decodeURIComponent(String(url))));
  files++; raw += body.length; gz += gzipSync(body, { level: 6 }).length;
  return { ok: true, json: async () => JSON.parse(body) };
};
const find = await import(pathToFileURL(join(dir, 'assets', readdirSync(join(dir, 'assets')).find((f) => /^find(\.[0-9a-f]{10})?\.js$/.test(f)))).href);
const ix = await find.open('/');
for (const q of queries) {
  files = raw = gz = 0;
  const t0 = performance.now();
  const r = await ix.find(q);
  const hits = [...r.scores].sort((a, b) => b[1] - a[1]).slice(0, 50);
  await Promise.all(hits.map(([d]) => ix.excerpt(d, r.terms)));
  console.log(`${q}: ${r.scores.size} hits, ${files} files, ${(raw / 1024).toFixed(0)} kB raw, ${(gz / 1024).toFixed(0)} kB gzipped, ${(performance.now() - t0).toFixed(0)} ms in Node`);
}
