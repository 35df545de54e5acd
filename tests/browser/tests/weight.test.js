// Weight budget: the theme's own CSS and JavaScript must stay small, so the catalogue loads fast
// on slow connections (the search scripts find.js and stem.js included). Vendored libraries
// (static/vendor/) do not count.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, extname } from 'node:path';
import { gzipSync, constants } from 'node:zlib';
import { ROOT } from '../lib/site.js';

const STATIC = join(ROOT, 'themes', 'default', 'static');
const BUDGET = 50 * 1024;

function walk(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? walk(path) : [path];
  });
}

test('theme CSS + JS (without vendor/) is at most 50 kB gzipped', () => {
  const files = walk(STATIC)
    .filter((f) => !relative(STATIC, f).split('/').includes('vendor'))
    .filter((f) => ['.css', '.js', '.mjs'].includes(extname(f)));
  assert.ok(files.length > 0, `no CSS or JS found under ${STATIC}`);
  let total = 0;
  const lines = files.map((f) => {
    const raw = readFileSync(f);
    const gz = gzipSync(raw, { level: constants.Z_BEST_COMPRESSION }).length;
    total += gz;
    return `  ${relative(STATIC, f).padEnd(32)} ${String(raw.length).padStart(7)} B raw ${String(gz).padStart(7)} B gzip`;
  });
  console.log(`theme weight (gzip -9):\n${lines.join('\n')}\n  total ${total} B = ${(total / 1024).toFixed(1)} kB of ${BUDGET / 1024} kB`);
  assert.ok(total <= BUDGET, `theme CSS + JS is ${(total / 1024).toFixed(1)} kB gzipped, over the ${BUDGET / 1024} kB budget`);
});
