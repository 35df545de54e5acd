// The "Hardening" catalogue: a tiny catalogue whose texts try every way to run script in a page —
// markup in titles, summaries, term labels, list items and Markdown, strings that close an inline
// `<script>` or open an HTML comment, event-handler attributes and script-capable URL schemes.
// Everything here must end up on the site as visible text, never as markup.

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the hostile strings are, so tests can look for them as text. */
export const HOSTILE = {
  siteTitle: 'Härtetest </script><!-- <b>Katalog</b>',
  termLabel: '<img src=x onerror=window.__pwned=1>',
  childLabel: '"><svg onload=window.__pwned=1>',
  scriptTitle: '<script>window.__pwned=1</script> Skripttitel',
  scriptSummary: 'Zusammenfassung mit </script><!-- und <img src=x onerror="window.__pwned=1"> javascript:window.__pwned=1',
  attributeTitle: 'Attributtitel " onfocus="window.__pwned=1" autofocus="',
  attributeSummary: "Noch ein Fall ' onmouseover='window.__pwned=1' x='",
  keyword: '\'"><script>window.__pwned=1</script>',
  sourceTitle: '<b onclick=window.__pwned=1>Quelle</b> -->',
  website: 'https://example.org/pfad?x="><script>window.__pwned=1</script>',
};

const yamlString = (s) => JSON.stringify(s); // JSON strings are valid YAML double-quoted scalars

/** site.yaml with one type and one facet. */
function siteYaml(baseUrl) {
  return `title: ${yamlString(HOSTILE.siteTitle)}
description: ${yamlString('Beschreibung mit <script>window.__pwned=1</script>')}
base_url: ${baseUrl}
language: de
roles: { title: titel, summary: kurzbeschreibung }
fields:
  titel: { kind: text, label: Titel, required: true }
  kurzbeschreibung: { kind: text, label: Kurzbeschreibung, required: true }
  thema: { kind: facet, vocabulary: themen, multiple: true, label: Thema }
  stichworte: { kind: list, label: Stichworte }
  website: { kind: url, label: Website }
  notiz: { kind: markdown, label: Notiz }
  quellen: { kind: list, item: link, label: Quellen }
types:
  - key: fall
    folder: faelle
    label: Fall
    plural: Fälle
    fields: [titel, kurzbeschreibung, thema, stichworte, website, notiz, quellen]
facets: [thema]
`;
}

const vocabularyYaml = `label: Thema
plural: Themen
description: ${yamlString('Themen <script>window.__pwned=1</script>')}
terms:
  - key: gefahr
    label: ${yamlString(HOSTILE.termLabel)}
    description: ${yamlString('Begriff mit </script><!-- im Text')}
  - key: unterfall
    label: ${yamlString(HOSTILE.childLabel)}
    parent: gefahr
  - key: harmlos
    label: Harmlos
`;

function entry(front, body) {
  const lines = Object.entries(front).map(([k, v]) => {
    if (Array.isArray(v)) {
      return `${k}:\n${v.map((item) => (typeof item === 'string' ? `  - ${yamlString(item)}` : `  - title: ${yamlString(item.title)}\n    url: ${yamlString(item.url)}`)).join('\n')}`;
    }
    if (typeof v === 'string' && v.includes('\n')) return `${k}: |\n${v.split('\n').map((l) => `  ${l}`).join('\n')}`;
    return `${k}: ${typeof v === 'string' ? yamlString(v) : JSON.stringify(v)}`;
  });
  return `---\n${lines.join('\n')}\n---\n${body}\n`;
}

/** Raw HTML in Markdown: the build sanitises it, so none of it may survive as markup. */
const hostileMarkdown = `Text mit <script>window.__pwned=1</script> und <img src=x onerror="window.__pwned=1">.

<a href="javascript:window.__pwned=1">Klick</a> <iframe src="data:text/html,<script>parent.__pwned=1</script>"></iframe>

<details open ontoggle="window.__pwned=1"><summary>Details</summary>Inhalt</details>

Code: \`</script><!--\` und <style>body{display:none}</style> [sicherer Link](https://example.org/).
`;

/** The entries, keyed by content path. */
export function hostileEntries() {
  return {
    'faelle/skript-im-titel.md': entry(
      {
        titel: HOSTILE.scriptTitle,
        kurzbeschreibung: HOSTILE.scriptSummary,
        thema: ['gefahr'],
        stichworte: [HOSTILE.keyword, '" onmouseover="window.__pwned=1'],
        website: HOSTILE.website,
        notiz: hostileMarkdown,
        quellen: [{ title: HOSTILE.sourceTitle, url: 'https://example.org/quelle?a=<script>' }],
      },
      hostileMarkdown,
    ),
    'faelle/ereignis-attribute.md': entry(
      {
        titel: HOSTILE.attributeTitle,
        kurzbeschreibung: HOSTILE.attributeSummary,
        thema: ['unterfall'],
        stichworte: ['<!--', '</script>'],
      },
      'Ein Kommentar <!-- bleibt offen und </script> steht im Text.',
    ),
    'faelle/harmloser-fall.md': entry(
      { titel: 'Harmloser Fall', kurzbeschreibung: 'Ein ganz gewöhnlicher Eintrag.', thema: ['harmlos'] },
      'Nichts Besonderes.',
    ),
  };
}

/**
 * Writes the catalogue below `root`. With `unsafeUrls`, one entry also carries a `javascript:` URL
 * in its url field and a `data:` URL as a Markdown link: both must be check errors.
 */
export function writeHostileCatalogue(root, { baseUrl = 'http://127.0.0.1/', unsafeUrls = false } = {}) {
  const files = {
    'content/site.yaml': siteYaml(baseUrl),
    'content/vocabularies/themen.yaml': vocabularyYaml,
    ...Object.fromEntries(Object.entries(hostileEntries()).map(([p, text]) => [`content/${p}`, text])),
  };
  if (unsafeUrls) {
    files['content/faelle/unsichere-adressen.md'] = entry(
      { titel: 'Unsichere Adressen', kurzbeschreibung: 'Adressen, die Skript ausführen könnten.', website: 'javascript:window.__pwned=1' },
      '[Daten-Link](data:text/html,<script>window.__pwned=1</script>) und [Skript](javascript:window.__pwned=1)',
    );
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  return files;
}
