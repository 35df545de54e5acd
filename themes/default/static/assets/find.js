// Full-text search over the index the build writes below search/ (src/search.rs explains its
// files). A query is split into words and stemmed as the build did; each word matches the
// indexed terms it is a prefix of ("quart" finds "Quartier" and "Quartiersmanagement"), and a
// document must match every word. Documents are entry positions in katalog/index.json, then
// free pages.

import { esc } from "./catalogue.js";
import { stemGerman } from "./stem.js";

const WORD = /[\p{Alphabetic}\p{N}]+/gu;
/**
 * A document's weight for a term w (an occurrence in the title counts 8, in the summary, place
 * or terms 3, in the body 1; src/search.rs) scores w / (w + SATURATION): a title match beats a
 * passing mention, and ten mentions do not beat a title.
 */
const SATURATION = 4;
/** A term that only starts with the query word counts this much of an exact one. */
const PREFIX = 0.5;
/** Words an excerpt shows. */
const EXCERPT_WORDS = 30;

/** The shard a term is in: its first two characters. */
export const shardKey = (term) => [...term].slice(0, 2).join("");

/** A shard's file name (as `shard_file` in src/search.rs). */
export function shardFile(key) {
  let name = "";
  for (const c of key) name += /[a-z0-9]/.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_";
  return name;
}

function fetchJson(url) {
  return fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + " " + url))));
}

/** Whether the indexed term `term` matches the query term `q`: equal, or (from two letters) a prefix. */
const matches = (term, q) => term === q || (term.startsWith(q) && [...q].length >= 2);

/** The search index of the site at `base`, with its index.json loaded. */
export async function open(base) {
  const dir = base + "search/";
  const meta = await fetchJson(dir + "index.json");
  const stem = meta.stemmer === "german" ? stemGerman : (w) => w;
  const shards = new Set(meta.shards);
  const loaded = new Map();
  const load = (url) => {
    if (!loaded.has(url)) {
      const p = fetchJson(url);
      p.catch(() => loaded.delete(url));
      loaded.set(url, p);
    }
    return loaded.get(url);
  };
  const terms = new Map();
  /** A word's term as the index has it, or null for a word the index leaves out. */
  const term = (word) => {
    if (!terms.has(word)) {
      const lower = word.toLowerCase();
      terms.set(word, [...lower].length > meta.max_word ? null : stem(lower));
    }
    return terms.get(word);
  };
  const queryTerms = (q) => [...new Set([...q.matchAll(WORD)].map((m) => term(m[0])).filter(Boolean))];

  /** Per document, how well it matches query term `q`: the best of its matching terms. */
  async function scores(q) {
    const key = shardKey(q);
    const out = new Map();
    if (!shards.has(key)) return out;
    const shard = await load(dir + "terms/" + shardFile(key) + ".json");
    for (const [t, list] of Object.entries(shard)) {
      if (!matches(t, q)) continue;
      const df = list.length / 2;
      const idf = Math.log(1 + (meta.documents - df + 0.5) / (df + 0.5));
      const factor = t === q ? 1 : PREFIX;
      let doc = 0;
      for (let i = 0; i < list.length; i += 2) {
        doc += list[i];
        const w = list[i + 1];
        const score = (idf * factor * w) / (w + SATURATION);
        if (!(out.get(doc) >= score)) out.set(doc, score);
      }
    }
    return out;
  }

  return {
    entries: meta.entries,
    /**
     * The documents that match every word of `q`: `scores` (document → score), `positions`
     * (the entries, ascending) and `pages` (the free pages: { doc, url, title, score }).
     */
    async find(q) {
      const wanted = queryTerms(q);
      const each = await Promise.all(wanted.map(scores));
      let all = each.length ? each[0] : new Map();
      for (const other of each.slice(1)) {
        for (const [doc, s] of all) {
          const o = other.get(doc);
          if (o === undefined) all.delete(doc);
          else all.set(doc, s + o);
        }
      }
      const positions = [];
      const pages = [];
      for (const [doc, score] of all) {
        if (doc < meta.entries) positions.push(doc);
        else pages.push({ doc, score, ...meta.pages[doc - meta.entries] });
      }
      positions.sort((a, b) => a - b);
      return { terms: wanted, scores: all, positions, pages };
    },
    /** An excerpt of document `doc` as safe HTML: the stretch with the most matches, marked. */
    async excerpt(doc, queryTerms) {
      const chunk = await load(dir + "text/" + Math.floor(doc / meta.text_chunk) + ".json");
      const text = chunk[doc % meta.text_chunk] || "";
      const words = [...text.matchAll(WORD)].map((m) => {
        const t = term(m[0]);
        return { at: m.index, end: m.index + m[0].length, hit: t !== null && queryTerms.some((q) => matches(t, q)) };
      });
      if (!words.length) return "";
      let from = 0;
      let best = -1;
      let count = 0;
      for (let i = 0; i < words.length; i++) {
        count += words[i].hit;
        if (i >= EXCERPT_WORDS) count -= words[i - EXCERPT_WORDS].hit;
        if (count > best) {
          best = count;
          from = Math.max(0, i - EXCERPT_WORDS + 1);
        }
      }
      const shown = words.slice(from, from + EXCERPT_WORDS);
      let html = from > 0 ? "… " : "";
      let at = shown[0].at;
      for (const w of shown) {
        html += esc(text.slice(at, w.at));
        const word = esc(text.slice(w.at, w.end));
        html += w.hit ? `<mark>${word}</mark>` : word;
        at = w.end;
      }
      const last = shown[shown.length - 1].end;
      html += esc(text.slice(last).match(/^[^\s\p{Alphabetic}\p{N}]*/u)[0]);
      if (from + EXCERPT_WORDS < words.length) html += " …";
      return html;
    },
  };
}
