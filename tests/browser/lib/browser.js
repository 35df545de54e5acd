// Launching Debian's Chromium through playwright-core. The browser is never downloaded: the suite
// runs offline and uses /usr/bin/chromium (run.sh installs it with apt-get when it is missing).

import { chromium } from 'playwright-core';
import { existsSync } from 'node:fs';

export const CHROMIUM = process.env.CASEBOOK_CHROMIUM || '/usr/bin/chromium';

/** Flags for a quiet, reproducible headless run without network side traffic. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // The site under test is on 127.0.0.1; every other host (map tiles, fonts) fails at once, so a
  // test never waits for, or depends on, the internet.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/**
 * Starts Chromium. Playwright's `launch` gives every browser a fresh temporary profile
 * (`--user-data-dir` in a new temp folder) and removes it on close.
 */
export async function launchBrowser() {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium not found at ${CHROMIUM}: install Debian's \`chromium\` (run.sh does)`);
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    timeout: 60_000,
  });
}

/**
 * A page that records what went wrong in it: uncaught script errors, console errors, failed
 * requests and dialogs. `problems()` lists them for assertions and messages.
 */
export async function trackedPage(context) {
  const page = await context.newPage();
  const errors = [];
  const dialogs = [];
  page.on('pageerror', (e) => errors.push(`uncaught: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console.error: ${m.text()}`);
  });
  page.on('requestfailed', (r) => {
    // Requests cut short by a navigation (a reload, a click) are aborted, not failed.
    const why = r.failure()?.errorText || '';
    if (why !== 'net::ERR_ABORTED') errors.push(`request failed: ${r.url()} (${why})`);
  });
  page.on('dialog', async (d) => {
    dialogs.push(`${d.type()}: ${d.message()}`);
    await d.dismiss().catch(() => {});
  });
  return { page, errors, dialogs };
}

/** Goes to `url` and waits until the page is quiet, so scripts have rendered their results. */
export async function visit(page, url) {
  const response = await page.goto(url, { waitUntil: 'load' });
  await quiet(page);
  return response;
}

/**
 * Waits until the network is idle and every CSS animation or transition has finished, so
 * measurements (contrast, layout) see the page as it rests, not mid-fade.
 */
export async function quiet(page) {
  await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => {});
  await page.evaluate(async () => {
    const running = document.getAnimations().filter((a) => a.playState === 'running' && a.effect?.getTiming().iterations !== Infinity);
    await Promise.race([Promise.all(running.map((a) => a.finished.catch(() => {}))), new Promise((r) => setTimeout(r, 3000))]);
    await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)));
  });
}
