// Browser benchmark of the catalogue page (katalog/) of a built site: what a first visit loads,
// and how long one filter click takes in Chromium; then full-text searches on the search page
// (suche/) of a first visit: how long each takes to show its results, and what it loads.
//
//   node benches/browser.mjs SITE_DIR [CLICKS]      e.g. node benches/browser.mjs /tmp/b10k 21
//
// SITE_DIR is the output of `casebook build`; CLICKS (default 21) is how many facet clicks are
// timed. playwright-core and Chromium come from the browser test suite (tests/browser/): its lib
// files import playwright-core from tests/browser/node_modules, so run `npm ci` there once.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { launchBrowser, trackedPage, visit } from '../tests/browser/lib/browser.js';
import { serveFolder } from '../tests/browser/lib/site.js';
import { APP, COUNT, FILTERS, countIn, settled } from '../tests/browser/lib/catalogue-page.js';

const [dir, clicksArg = '21'] = process.argv.slice(2);
const clicks = Number(clicksArg);
if (!dir || !existsSync(join(dir, 'katalog', 'index.html')) || !Number.isInteger(clicks) || clicks < 1) {
  console.error('usage: node benches/browser.mjs SITE_DIR [CLICKS]  (SITE_DIR/katalog/index.html must exist)');
  process.exit(2);
}

const kB = (n) => (n / 1000).toFixed(1);
const stats = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return `median ${s[s.length >> 1].toFixed(1)}  min ${s[0].toFixed(1)}  max ${s[s.length - 1].toFixed(1)} ms`;
};

/**
 * Searches on a first visit of suche/: words from the first entry's title (its longest word,
 * that word's first four letters, and two words), each typed and submitted; timed from the
 * submit until the app has rendered the results with their excerpts (`data-render-ms`).
 */
async function searches() {
  const index = JSON.parse(readFileSync(join(dir, 'katalog', 'index.json'), 'utf8'));
  const words = [...index.entries[0][1].matchAll(/[\p{L}\p{N}]+/gu)].map((m) => m[0]).sort((a, b) => b.length - a.length);
  const queries = [words[0], words[0].slice(0, 4), `${words[0]} ${words[1]}`];
  const context = await browser.newContext();
  const { page } = await trackedPage(context);
  await visit(page, new URL('suche/', server.url).href);
  let fetched = [];
  page.on('response', (r) => fetched.push(r.body().then((b) => gzipSync(b, { level: 6 }).length, () => 0)));
  const out = ['searches on a first visit of /suche/ (submit → results with excerpts rendered):'];
  for (const q of queries) {
    fetched = [];
    const t = await page.evaluate(
      ([q, app]) =>
        new Promise((resolve) => {
          const root = document.querySelector(app);
          const input = root.querySelector('input[name=q]');
          delete root.dataset.renderMs;
          const done = new MutationObserver(() => {
            if (root.dataset.renderMs === undefined) return;
            done.disconnect();
            resolve({ ms: performance.now() - t0, results: root.querySelectorAll('[data-role=results] > li').length });
          });
          done.observe(root, { attributes: true, attributeFilter: ['data-render-ms'] });
          input.value = q;
          const t0 = performance.now();
          input.form.requestSubmit();
        }),
      [q, APP],
    );
    const sizes = await Promise.all(fetched);
    const status = await page.locator(COUNT).first().textContent();
    out.push(`  "${q}": ${t.ms.toFixed(1)} ms, ${t.results} cards shown, "${status.trim()}"; ${sizes.length} requests, ${kB(sizes.reduce((a, b) => a + b, 0))} kB gzipped`);
  }
  await context.close();
  return out;
}

const server = await serveFolder(dir);
// What the server itself answered, as a check on what Playwright reports.
let served = 0;
server.server.on('request', () => served++);
const browser = await launchBrowser();
try {
  // A new context has its own empty cache: this is a first visit.
  const context = await browser.newContext();
  const { page, errors } = await trackedPage(context);

  // Every response body until the page is settled, measured raw and as gzip -6 would send it
  // (the test server does not compress). Bodies of redirects are unavailable and count as 0.
  const bodies = [];
  let loading = true;
  const later = [];
  page.on('response', (r) => {
    const path = new URL(r.url()).pathname;
    if (!loading) return void later.push(path);
    bodies.push(r.body().then((b) => ({ path, raw: b.length, gz: gzipSync(b, { level: 6 }).length }), () => ({ path, raw: 0, gz: 0 })));
  });
  // visit(): load event, network idle, animations done; settled(): the app has rendered its list.
  await visit(page, new URL('katalog/', server.url).href);
  await settled(page);
  await page.waitForLoadState('networkidle');
  loading = false;
  const files = await Promise.all(bodies);
  const servedOnLoad = served;

  // The term to click: the visible checkbox in an open facet with the most entries, yet fewer
  // than all, so both "on" and "off" change the list.
  const term = await page.evaluate(([filters, count]) => {
    const total = Number(document.querySelector(count).textContent.replace(/[^\d]/g, ''));
    let best = null;
    for (const box of document.querySelectorAll(`${filters} details[open] li:not([hidden]) > label > input[type=checkbox]`)) {
      const n = Number(box.parentElement.querySelector('.term-count').textContent.replace(/[^\d]/g, ''));
      if (n < total && (!best || n > best.n)) best = { id: box.id, field: box.name, key: box.value, n };
    }
    return best && { ...best, total };
  }, [FILTERS, COUNT]);
  if (!term) throw new Error('no facet term to click on the catalogue page');

  // One click, timed inside the page. t0 is taken just before `box.click()`, which fires the
  // change event the app listens to; the app filters, redraws the panel counts and the first
  // results page, and sets `data-render-ms` on its root once done (a microtask after the click).
  //   script: t0 → the root gets data-render-ms: list, counts and status text are in the DOM.
  //   paint:  t0 → the first frame after that has been rendered: its requestAnimationFrame
  //           callback posts a user-blocking task, which runs once the frame's style, layout,
  //           paint and commit are done on the main thread. It includes waiting for the frame
  //           clock (up to 16.7 ms when the script ends early in a frame), not the rasterising
  //           and compositing on other threads.
  // Summary texts of new cards load afterwards (a fetch per missing chunk) and are not included.
  const clickOnce = (id) =>
    page.evaluate(
      ([id, app, count, filters]) =>
        new Promise((resolve) => {
          const root = document.querySelector(app);
          const box = document.getElementById(id);
          const countsText = () => [...document.querySelectorAll(`${filters} .term-count`)].map((c) => c.textContent).join();
          const before = { status: root.querySelector(count).textContent, counts: countsText(), on: box.checked };
          delete root.dataset.renderMs;
          const times = {};
          const done = new MutationObserver(() => {
            if (root.dataset.renderMs === undefined) return;
            done.disconnect();
            times.script = performance.now() - t0;
            requestAnimationFrame(() =>
              scheduler.postTask(
                () => {
                  times.paint = performance.now() - t0;
                  times.app = Number(root.dataset.renderMs);
                  times.changed = root.querySelector(count).textContent !== before.status && countsText() !== before.counts && box.checked !== before.on;
                  resolve(times);
                },
                { priority: 'user-blocking' },
              ),
            );
          });
          done.observe(root, { attributes: true, attributeFilter: ['data-render-ms'] });
          const t0 = performance.now();
          box.click();
        }),
      [id, APP, COUNT, FILTERS],
    );

  const runs = [];
  for (let i = 0; i < clicks; i++) {
    runs.push(await clickOnce(term.id));
    // Let the summary fetches of the new cards finish before the next click.
    await page.waitForTimeout(150);
  }
  const after = countIn(await page.locator(COUNT).first().textContent());

  // The report.
  const raw = files.reduce((s, f) => s + f.raw, 0);
  const gz = files.reduce((s, f) => s + f.gz, 0);
  const out = [];
  out.push(`Chromium ${browser.version()}, site ${dir}`);
  out.push(`first load of /katalog/: ${files.length} requests (server answered ${servedOnLoad}), ${kB(raw)} kB raw, ${kB(gz)} kB gzipped (bodies only)`);
  out.push('  biggest (gzipped / raw kB):');
  for (const f of [...files].sort((a, b) => b.gz - a.gz).slice(0, 10)) {
    out.push(`    ${kB(f.gz).padStart(7)} / ${kB(f.raw).padStart(7)}  ${f.path}`);
  }
  if (files.length > 10) out.push(`    … and ${files.length - 10} smaller`);
  out.push(`filter clicks: ${clicks} on ${term.field}=${term.key} (${term.n} of ${term.total} entries), alternating on/off; the status counts ${after} at the end`);
  out.push(`  script  ${stats(runs.map((r) => r.script))}`);
  out.push(`  paint   ${stats(runs.map((r) => r.paint))}`);
  out.push(`  app's own data-render-ms: ${stats(runs.map((r) => r.app))}; first click: script ${runs[0].script.toFixed(1)} ms`);
  out.push(`  requests during the clicks: ${later.length ? later.join(' ') : 'none'}`);
  out.push(...(await searches()));
  const unchanged = runs.filter((r) => !r.changed).length;
  if (unchanged) out.push(`  odd: ${unchanged} click(s) left the checkbox, the status text or the facet counts unchanged`);
  for (const e of errors) out.push(`  page problem: ${e}`);
  console.log(out.join('\n'));
} finally {
  await browser.close();
  await server.close();
}
