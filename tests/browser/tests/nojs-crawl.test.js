// Without JavaScript every entry is reachable: a crawler that follows only `<a href>` links from the
// home page, in a browser with scripts disabled, reaches every entry page of katalog.json.

import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser } from '../lib/browser.js';
import { crawl } from '../lib/crawl.js';
import { loadCatalogue } from '../lib/catalogue.js';
import { bundledSite } from '../lib/site.js';

const browser = await launchBrowser();
after(() => browser.close());

// The bundled site has two languages, and each pre-renders the finder's 547 steps, which the
// crawler follows too: 145 s alone on this session's machine, over 240 s beside the other files
// of the suite, so the bound leaves room.
test('a no-JS crawler from the home page reaches every entry page', { timeout: 480_000 }, async () => {
  const site = await bundledSite();
  const cat = loadCatalogue(site.dir);
  assert.ok(cat.entries.length > 0, 'katalog.json lists no entries');
  const context = await browser.newContext({ javaScriptEnabled: false });
  const { visited, broken } = await crawl(context, site.url, site.url);
  await context.close();

  const missing = cat.entries.filter((e) => !visited.has(e.path)).map((e) => `${e.id} (${e.path})`);
  assert.deepEqual(missing, [], `${missing.length} of ${cat.entries.length} entries are not reachable by links:\n  ${missing.slice(0, 30).join('\n  ')}`);
  assert.deepEqual(broken, [], `links inside the site lead to missing pages:\n  ${broken.join('\n  ')}`);
});
