// Lighthouse 12.2.3 (the npm package, with Debian's Chromium) on every kind of page at its
// default mobile settings (a phone screen, simulated slow 4G and a four times slower CPU):
// accessibility, best practices and SEO 100, performance at least 95 — as the median of three
// runs where the first falls short, as Lighthouse CI does (`numberOfRuns: 3`): its simulated
// throttling scales what the machine measures, so one run on a shared 2-core machine swings by
// several points (the map page: 92 to 100 on the same bytes). The search page may keep
// its `noindex`, which is all that SEO marks it down for. The harness runs this file alone,
// after the others, so that their work does not slow the measured page. Scores are printed;
// BENCHMARKS.md records a run.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import lighthouse from 'lighthouse';
import * as chromeLauncher from 'chrome-launcher';
import { CHROMIUM, CHROMIUM_ARGS } from '../lib/browser.js';
import { bundledSite } from '../lib/site.js';
import { samplePages } from '../lib/pages.js';

const site = await bundledSite();
const pages = samplePages(site.dir);
const chrome = await chromeLauncher.launch({
  chromePath: CHROMIUM,
  chromeFlags: [...CHROMIUM_ARGS.filter((f) => f !== '--headless'), '--headless=new'],
  logLevel: 'silent',
});
after(() => chrome.kill());

const KINDS = ['home', 'browser', ...Object.keys(pages.kinds).filter((k) => k.startsWith('entry-')), 'term', 'map', 'search', 'codebook'];
const WANTED = { performance: 95, accessibility: 100, 'best-practices': 100, seo: 100 };
const scores = {};

for (const kind of KINDS) {
  const path = pages.kinds[kind];
  test(`Lighthouse (mobile) on ${kind} (/${path})`, { timeout: 400_000 }, async () => {
    const url = new URL(path, site.url).href;
    const audit = async () =>
      (await lighthouse(url, { port: chrome.port, output: 'json', logLevel: 'error', onlyCategories: Object.keys(WANTED) })).lhr;
    const runs = [await audit()];
    const performance = (lhr) => Math.round(lhr.categories.performance.score * 100);
    if (performance(runs[0]) < WANTED.performance) {
      runs.push(await audit(), await audit());
      runs.sort((a, b) => performance(a) - performance(b));
      console.log(`lighthouse ${kind}: performance of three runs ${runs.map(performance).join(', ')}`);
    }
    // The median run for performance; the other categories do not depend on timing.
    const { categories, audits } = runs[Math.floor(runs.length / 2)];
    const got = Object.fromEntries(Object.keys(WANTED).map((c) => [c, Math.round(categories[c].score * 100)]));
    scores[kind] = got;
    console.log(`lighthouse ${kind}: ${JSON.stringify(got)} (LCP ${Math.round(audits['largest-contentful-paint'].numericValue)} ms, TBT ${Math.round(audits['total-blocking-time'].numericValue)} ms, CLS ${audits['cumulative-layout-shift'].numericValue.toFixed(3)})`);
    const failing = (category) =>
      categories[category].auditRefs
        .filter((r) => r.weight > 0 && audits[r.id].score !== null && audits[r.id].score < 1)
        .map((r) => `${r.id} (${audits[r.id].displayValue || audits[r.id].score})`)
        .join(', ');
    for (const [category, min] of Object.entries(WANTED)) {
      if (kind === 'search' && category === 'seo') {
        // Only the deliberate noindex may cost it points.
        const others = categories.seo.auditRefs.filter((r) => r.weight > 0 && r.id !== 'is-crawlable' && audits[r.id].score !== null && audits[r.id].score < 1);
        assert.deepEqual(others.map((r) => r.id), [], 'search page: SEO audits besides is-crawlable fail');
        continue;
      }
      assert.ok(got[category] >= min, `${kind}: ${category} ${got[category]} < ${min}; failing audits: ${failing(category)}`);
    }
  });
}

after(() => console.log(`lighthouse scores: ${JSON.stringify(scores)}`));
