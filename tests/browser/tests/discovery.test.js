// Collections, event calendars and the finder, built from the fixture catalogue
// tests/fixtures/discovery (the bundled catalogue's content for them comes later): axe finds no
// WCAG 2.1 A/AA violation on their pages and the Nu HTML checker no error. The finder's
// ranking is held in finder.test.js.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, trackedPage, visit } from '../lib/browser.js';
import { axeViolations, describeViolations } from '../lib/axe.js';
import { ROOT, SUITE, buildAndServe } from '../lib/site.js';

let browser;
let site;
before(async () => {
  site = await buildAndServe({ root: join(ROOT, 'tests', 'fixtures', 'discovery'), name: 'discovery' });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await site?.close();
});

const PAGES = [
  'sammlungen/',
  'sammlungen/leerstand-beleben/',
  'orte/stadtteilbuero-nord/',
  'kalender/werkstaetten/',
  'kalender/werkstaetten/2020/',
  'werkstaetten/werkstatt-beteiligung-2099/',
  'wegweiser/',
  'wegweiser/quartier/',
  'wegweiser/quartier/leerstand/',
  'wegweiser/-/-/',
  'codebuch/',
  '',
];

for (const path of PAGES) {
  test(`axe: /${path}`, async () => {
    const context = await browser.newContext();
    const { page, errors } = await trackedPage(context);
    try {
      await visit(page, new URL(path, site.url).href);
      const violations = await axeViolations(page);
      assert.equal(violations.length, 0, `axe found ${violations.length} violation(s) on /${path}:\n${describeViolations(violations)}`);
      assert.deepEqual(errors, [], `script errors on /${path}`);
    } finally {
      await context.close();
    }
  });
}

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

test('the Nu HTML checker finds no error in the pages of collections, calendars and the finder', { timeout: 180_000 }, () => {
  const pages = htmlFiles(site.dir);
  assert.ok(pages.some((p) => p.includes('wegweiser')) && pages.some((p) => p.includes('kalender')));
  const vnu = join(SUITE, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');
  const run = spawnSync('java', ['-jar', vnu, '--errors-only', '--skip-non-html', '--format', 'json', site.dir], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  assert.ok(!run.error, `could not run java: ${run.error?.message}`);
  const raw = [run.stdout, run.stderr].find((s) => s.trim().startsWith('{'));
  assert.ok(raw, `vnu printed no JSON (exit ${run.status})`);
  const errors = JSON.parse(raw).messages.filter((m) => m.type === 'error');
  assert.deepEqual(errors.map((m) => `${m.url}:${m.lastLine}: ${m.message}`), []);
});
