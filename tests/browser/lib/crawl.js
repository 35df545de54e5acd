// A crawler that follows only `<a href>` links inside the site, the way a search engine or a
// visitor without JavaScript moves through it.

/**
 * Visits pages breadth-first from `startUrl` with `tabs` pages of `context` in parallel, staying
 * below `siteUrl`. Returns the visited page paths (query strings and fragments removed) and the
 * links that led to an error status.
 */
export async function crawl(context, startUrl, siteUrl, { tabs = 4, limit = 5000 } = {}) {
  const site = new URL(siteUrl);
  const seen = new Set();
  const broken = [];
  const queue = [normalise(new URL(startUrl))];
  seen.add(queue[0]);
  let busy = 0;

  const worker = async () => {
    const page = await context.newPage();
    for (;;) {
      const path = queue.shift();
      if (path === undefined) {
        // Another tab may still be adding links; wait for it before giving up.
        if (busy === 0) break;
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      busy++;
      try {
        for (const next of await linksOf(page, new URL(path, site).href, site, broken)) {
          if (!seen.has(next) && seen.size < limit) {
            seen.add(next);
            queue.push(next);
          }
        }
      } finally {
        busy--;
      }
    }
    await page.close();
  };
  await Promise.all(Array.from({ length: tabs }, worker));
  return { visited: seen, broken };
}

/** The in-site page links of one page. */
async function linksOf(page, url, site, broken) {
  const response = await page.goto(url, { waitUntil: 'domcontentloaded' });
  if (!response || response.status() >= 400) {
    broken.push(`${new URL(url).pathname} (${response ? response.status() : 'no response'})`);
    return [];
  }
  if (!(response.headers()['content-type'] || '').startsWith('text/html')) return [];
  const hrefs = await page.locator('a[href]').evaluateAll((as) => as.map((a) => a.href));
  const out = [];
  for (const href of hrefs) {
    let link;
    try {
      link = new URL(href);
    } catch {
      continue;
    }
    if (link.origin !== site.origin || !link.pathname.startsWith(site.pathname)) continue;
    // Pages only: feeds, exports and the search bundle are files, not pages to walk.
    if (isPage(link.pathname)) out.push(normalise(link));
  }
  return out;
}

function isPage(path) {
  const last = path.slice(path.lastIndexOf('/') + 1);
  return last === '' || last.endsWith('.html') || !last.includes('.');
}

function normalise(url) {
  return url.pathname;
}
