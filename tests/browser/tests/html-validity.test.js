// Every generated HTML page is valid HTML according to the Nu HTML checker (vnu.jar). One JVM run
// checks the whole output folder plus a deliberately broken canary page, so a checker that
// silently checks nothing cannot pass.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { SUITE, bundledSite, tempDir } from '../lib/site.js';

const VNU = join(SUITE, 'node_modules', 'vnu-jar', 'build', 'dist', 'vnu.jar');

function htmlFiles(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return htmlFiles(path);
    return name.endsWith('.html') ? [path] : [];
  });
}

test('the Nu HTML checker finds no error in any generated page', { timeout: 180_000 }, async () => {
  const site = await bundledSite();
  const pages = htmlFiles(site.dir);
  assert.ok(pages.length > 100, `expected the bundled site to have more than 100 pages, found ${pages.length}`);
  const canary = join(tempDir('vnu'), 'canary.html');
  writeFileSync(canary, '<!DOCTYPE html><html lang="de"><head><title>x</title></head><body><p><div>broken</p></body></html>');

  const run = spawnSync('java', ['-jar', VNU, '--errors-only', '--skip-non-html', '--format', 'json', site.dir, canary], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  assert.ok(!run.error, `could not run java: ${run.error?.message} (is a Java runtime installed?)`);
  const raw = [run.stdout, run.stderr].find((s) => s.trim().startsWith('{'));
  assert.ok(raw, `vnu printed no JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  const messages = JSON.parse(raw).messages;

  const fileOf = (m) => decodeURIComponent((m.url || '').replace(/^file:/, ''));
  const onCanary = messages.filter((m) => fileOf(m) === canary);
  assert.ok(onCanary.length > 0, 'the checker reported nothing on the broken canary page: it is not checking files');

  const onSite = messages.filter((m) => fileOf(m) !== canary);
  const report = onSite
    .slice(0, 60)
    .map((m) => `  ${relative(site.dir, fileOf(m)) || m.url}:${m.lastLine ?? '?'}:${m.firstColumn ?? '?'} ${m.type}: ${m.message}${m.extract ? `\n      ${m.extract.replace(/\n/g, ' ')}` : ''}`)
    .join('\n');
  const files = new Set(onSite.map(fileOf)).size;
  assert.equal(onSite.length, 0, `vnu found ${onSite.length} error(s) in ${files} of ${pages.length} pages:\n${report}`);
});
