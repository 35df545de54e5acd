// `casebook serve` (issue "serve"): saving an entry reloads the open page with the new content; a
// broken file shows an error overlay naming the file and line; fixing it removes the overlay.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launchBrowser, trackedPage } from '../lib/browser.js';
import { BIN, ROOT, SUITE, freePort, requireBinary, startProcess, tempDir } from '../lib/site.js';

// The serve helper's fixture when it is there, else the suite's own small catalogue.
const SHARED_FIXTURE = join(ROOT, 'tests', 'fixtures', 'serve-basic');
const FIXTURE = existsSync(join(SHARED_FIXTURE, 'content', 'site.yaml')) ? SHARED_FIXTURE : join(SUITE, 'fixtures', 'live-small');

/**
 * The first Markdown entry of the catalogue: its file, page path, title and the line that holds
 * the title (found through `roles: title:` in site.yaml, so any small catalogue will do).
 */
function firstEntry(root) {
  const site = readFileSync(join(root, 'content', 'site.yaml'), 'utf8');
  const roles = site.slice(site.indexOf('roles:'));
  const titleKey = roles.match(/\btitle:\s*([A-Za-z0-9_]+)/)?.[1];
  assert.ok(titleKey, `no roles.title in ${root}/content/site.yaml`);
  const folders = readdirSync(join(root, 'content'), { withFileTypes: true })
    .filter((d) => d.isDirectory() && !['vocabularies', 'pages'].includes(d.name))
    .map((d) => d.name)
    .sort();
  for (const folder of folders) {
    const md = readdirSync(join(root, 'content', folder)).filter((f) => f.endsWith('.md')).sort()[0];
    if (!md) continue;
    const file = join(root, 'content', folder, md);
    const text = readFileSync(file, 'utf8');
    const lines = text.split('\n');
    const index = lines.findIndex((l) => l.startsWith(`${titleKey}:`));
    if (index < 0) continue;
    const title = lines[index].slice(titleKey.length + 1).trim().replace(/^["']|["']$/g, '');
    return { file, text, path: `${folder}/${md.replace(/\.md$/, '')}/`, titleKey, title, line: index + 1 };
  }
  throw new Error(`no Markdown entry with a ${titleKey} line in ${root}/content`);
}

/** Saves like an editor that writes a temp file and renames it over the original. */
function saveAtomically(file, text) {
  const temp = `${file}.casebook-test~`;
  writeFileSync(temp, text);
  renameSync(temp, file);
}

/** Starts `casebook serve` and waits until it answers; resolves to `{ url, stop, output }`. */
async function startServe(root) {
  requireBinary();
  const port = await freePort();
  const proc = startProcess(BIN, ['--root', root, 'serve', '--port', String(port)], { env: { ...process.env, NO_COLOR: '1' } });
  let exited = null;
  proc.child.on('exit', (code) => (exited = code));
  const deadline = Date.now() + 60_000;
  let url = `http://127.0.0.1:${port}/`;
  for (;;) {
    if (exited !== null) throw new Error(`casebook serve exited with ${exited}:\n${proc.output()}`);
    if (Date.now() > deadline) {
      proc.child.kill('SIGTERM');
      throw new Error(`casebook serve did not answer within 60 s:\n${proc.output()}`);
    }
    // The server takes the next port when the chosen one is busy; it says which in its output.
    const said = proc.output().match(/http:\/\/127\.0\.0\.1:(\d+)\//);
    if (said) url = `http://127.0.0.1:${said[1]}/`;
    const ok = await fetch(url).then((r) => r.ok, () => false);
    if (ok) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  const stop = () => {
    if (exited === null) proc.child.kill('SIGTERM');
  };
  return { url, stop, output: proc.output };
}

let browser;
after(() => browser?.close());

test('serve: saving reloads the page, a broken file shows an overlay, fixing it removes it', { timeout: 120_000 }, async (t) => {
  const root = join(tempDir('serve'), 'catalogue');
  cpSync(FIXTURE, root, { recursive: true });
  const entry = firstEntry(root);
  const newTitle = `${entry.title} mit neuem Titel`;
  t.diagnostic(`catalogue ${FIXTURE}, entry ${entry.path}`);

  const server = await startServe(root);
  t.after(server.stop);
  browser = await launchBrowser();
  const { page, errors } = await trackedPage(await browser.newContext());
  await page.goto(server.url + entry.path);
  await page.getByRole('heading', { level: 1, name: entry.title, exact: true }).waitFor();
  // No waiting for the live-reload connection: a save before it opens must still reload the page
  // (the server's hello names the build now served, which then differs from the page's).
  await page.evaluate(() => (window.__marker = 1));

  // 1. A new title: the page reloads by itself and shows it.
  const reloaded = page.waitForEvent('load', { timeout: 20_000 });
  saveAtomically(entry.file, entry.text.replace(`${entry.titleKey}:`, `${entry.titleKey}: ${newTitle} #`));
  await reloaded.catch(() => assert.fail(`the page did not reload within 20 s of saving the entry\nserver output:\n${server.output()}`));
  await page.getByRole('heading', { level: 1, name: newTitle, exact: true }).waitFor({ timeout: 10_000 });
  assert.equal(await page.evaluate(() => window.__marker), undefined, 'the page was not reloaded (marker survived)');

  // 2. Invalid YAML on the title line: an overlay names the file and the line.
  const broken = entry.text.replace(`${entry.titleKey}:`, `${entry.titleKey}: [nicht geschlossen\nkaputt: : ] #`);
  saveAtomically(entry.file, broken);
  const overlay = page.locator('#casebook-overlay');
  await overlay.waitFor({ state: 'attached', timeout: 20_000 }).catch(() => assert.fail(`no error overlay within 20 s of saving invalid YAML\nserver output:\n${server.output()}`));
  const text = await overlay.evaluate((host) =>
    [...(host.shadowRoot || host).children].filter((n) => n.localName !== 'style').map((n) => n.innerText ?? n.textContent).join('\n'),
  );
  assert.ok(await page.getByRole('alertdialog').isVisible(), 'the overlay is not a visible dialog');
  const name = entry.file.split('/').pop().replace(/\./g, '\\.');
  assert.match(text, new RegExp(name), `the overlay does not name the file:\n${text}`);
  const shownLine = Number(text.match(new RegExp(`${name}:(\\d+)`))?.[1]);
  assert.ok(shownLine >= entry.line && shownLine <= entry.line + 1, `the overlay should point at line ${entry.line} or ${entry.line + 1} of the file, says ${shownLine}:\n${text}`);
  // The catalogue is German, and so is the overlay (the theme's `preview_*` strings).
  assert.match(text, /Der Katalog lässt sich nicht bauen: 1 Fehler/, `the overlay is not in the site's language:\n${text}`);
  assert.ok(await page.getByRole('button', { name: 'Fehlermeldung schließen (Escape)' }).isVisible(), 'no German close button');
  t.diagnostic(`overlay: ${text.replace(/\s+/g, ' ').slice(0, 200)}`);

  // 3. Fixed again: the overlay goes away and the original title is back.
  saveAtomically(entry.file, entry.text);
  await overlay.waitFor({ state: 'detached', timeout: 20_000 }).catch(() => assert.fail('the overlay stayed after the file was fixed'));
  await page.getByRole('heading', { level: 1, name: entry.title, exact: true }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors.filter((e) => !/__casebook\/events/.test(e)), [], 'script errors in the preview');
});
