// Runs the browser suite: builds the bundled catalogue once, serves it on 127.0.0.1 and runs every
// test file with Node's test runner, which prints each result and a summary. The site's URL and
// folder reach the test files through CASEBOOK_SITE_URL and CASEBOOK_SITE_DIR.

import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { SUITE, buildAndServe, requireBinary } from './lib/site.js';

requireBinary();
const started = Date.now();
const site = await buildAndServe({ name: 'bundled' });
console.log(`built the bundled catalogue in ${Date.now() - started} ms, serving ${site.dir} at ${site.url}`);

// The slowest files start first, so two workers finish at about the same time.
const SLOW_FIRST = ['keyboard', 'nojs-crawl', 'html-validity', 'accessibility', 'layout'];
const rank = (f) => {
  const i = SLOW_FIRST.findIndex((name) => f.endsWith(`${name}.test.js`));
  return i < 0 ? SLOW_FIRST.length : i;
};
const only = process.argv.slice(2);
const files = only.length
  ? only
  : readdirSync(join(SUITE, 'tests'))
      .filter((f) => f.endsWith('.test.js'))
      .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
      .map((f) => join('tests', f));
// A file gets ten minutes (the no-JS crawl of both languages needs four beside the others).
// Lighthouse measures speed: it runs alone, after the rest, so their work does not slow it.
const alone = (f) => f.endsWith('lighthouse.test.js');
const run = (list, concurrency) =>
  new Promise((done) => {
    if (!list.length) return done(0);
    const runner = spawn(process.execPath, ['--test', '--test-reporter=spec', `--test-concurrency=${concurrency}`, '--test-timeout=600000', ...list], {
      cwd: SUITE,
      stdio: 'inherit',
      env: { ...process.env, CASEBOOK_SITE_URL: site.url, CASEBOOK_SITE_DIR: site.dir },
    });
    runner.on('exit', (c, signal) => done(c ?? (signal ? 1 : 0)));
  });
const rest = await run(files.filter((f) => !alone(f)), 2);
const measured = await run(files.filter(alone), 1);
const code = rest || measured;
await site.close();
console.log(`browser suite ${code === 0 ? 'passed' : 'FAILED'} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(code);
