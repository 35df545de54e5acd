// Running axe-core inside a page: the library is injected as a script and `axe.run` checks the
// whole document against WCAG 2.1 level A and AA.

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

/** The WCAG 2.1 A/AA violations axe finds in the page as it is now. */
export async function axeViolations(page) {
  // `content-visibility: auto` skips painting off-screen parts; the page looks the same once they
  // scroll into view, but axe would measure colours of unpainted boxes. Paint everything first.
  await page.addStyleTag({ content: '* { content-visibility: visible !important; }' });
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  await page.addScriptTag({ content: AXE_SOURCE });
  return page.evaluate(async (tags) => {
    const result = await window.axe.run(document, { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
      summary: v.nodes[0]?.failureSummary || '',
    }));
  }, WCAG_TAGS);
}

/** One line per violation: rule id, impact, help text and the selectors of the elements. */
export function describeViolations(violations) {
  return violations
    .map((v) => `  - ${v.id} [${v.impact}] ${v.help}\n      on: ${v.targets.slice(0, 8).join(' | ')}${v.targets.length > 8 ? ` (+${v.targets.length - 8} more)` : ''}\n      ${v.summary.split('\n').join(' ')}`)
    .join('\n');
}
