// Full-text search over the index the build writes below search/ (src/search/ explains its
// files). A query is split into words as the build did; German function words are dropped.
// Each word finds the indexed words it equals, those of the same stem ("Quartiere" for
// "Quartier"), those whose stem it begins ("quart" finds "Quartiersmanagement") and the
// compounds it is a part of ("Beteiligung" finds "Bürgerbeteiligung"), ranked in that order.
// A compound query word also finds its parts ("Leerstandsmanagement": "Leerstand" and
// "Management"), split as the build splits (`splitCompound`, the twin of
// `search::split_compound`). Synonyms from site.yaml find each other. Every word (or synonym
// group) must match; documents are entry positions in katalog/index.json, then free pages.

import { esc } from "./facets.js";
import { stemGerman } from "./stem.js";

const WORD = /[\p{Alphabetic}\p{N}]+/gu;
/**
 * How much each kind of match counts, times the posting's weight (1–99: BM25 over title,
 * summary, other texts, terms and body, with each field's length; src/search/postings.rs):
 * the word as typed, another form of it, a word it begins, a compound it is part of
 * ("Beteiligung" in "Bürgerbeteiligung"), and the parts of a compound query word found apart.
 */
export const FACTOR = { exact: 1, stem: 0.85, prefix: 0.6, part: 0.4, parts: 0.3 };
/** A synonym's hits count this much of what the typed word finds itself. */
const SYNONYM = 0.9;
/** Words an excerpt shows. */
const EXCERPT_WORDS = 30;

/** The shard a stem is in: its first two characters. */
export const shardKey = (stem) => [...stem].slice(0, 2).join("");

/** A shard's file name (as `shard_file` in src/search/postings.rs). */
export function shardFile(key) {
  let name = "";
  for (const c of key) name += /[a-z0-9]/.test(c) ? c : "_" + c.codePointAt(0).toString(16) + "_";
  return name;
}

/**
 * The parts of the lower-case compound `word`: the fewest pieces of at least `minPart`
 * characters whose stems `known` accepts and that spell the whole word, earlier pieces as long
 * as can be; null if there are none. The same function as `search::split_compound` in the
 * build; tests/fixtures/compounds-de.tsv holds both to the same splits.
 */
export function splitCompound(word, stem, known, minPart = 4) {
  const chars = [...word];
  const n = chars.length;
  if (n < 2 * minPart) return null;
  const best = new Array(n + 1).fill(null);
  best[n] = [0, n];
  for (let i = n - minPart; i >= 0; i--) {
    for (let j = n; j >= i + minPart; j--) {
      if ((i === 0 && j === n) || !best[j]) continue;
      const pieces = best[j][0] + 1;
      if (best[i] && best[i][0] <= pieces) continue;
      if (known(stem(chars.slice(i, j).join("")))) best[i] = [pieces, j];
    }
  }
  if (!best[0]) return null;
  const parts = [];
  for (let i = 0; i < n; i = best[i][1]) parts.push(chars.slice(i, best[i][1]).join(""));
  return parts;
}

/** Edits (insert, delete, replace, swap two neighbours) from `a` to `b`, or `max + 1` if more. */
export function editDistance(a, b, max = 2) {
  const s = [...a];
  const t = [...b];
  if (Math.abs(s.length - t.length) > max) return max + 1;
  let prev2 = null;
  let prev = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const row = [i];
    let low = i;
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      let d = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + cost);
      if (prev2 && i > 1 && j > 1 && s[i - 1] === t[j - 2] && s[i - 2] === t[j - 1]) d = Math.min(d, prev2[j - 2] + 1);
      row.push(d);
      low = Math.min(low, d);
    }
    if (low > max) return max + 1;
    prev2 = prev;
    prev = row;
  }
  return Math.min(prev[t.length], max + 1);
}

function fetchJson(url) {
  return fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(new Error(r.status + " " + url))));
}

/** Every posting of a shard key's list: `fn(document, weight)`. */
function eachPosting(key, fn) {
  const list = key.list;
  let doc = 0;
  for (let i = key.from; i < list.length; i += 2) {
    doc += list[i];
    fn(doc, list[i + 1]);
  }
}

/** The search index of the site at `base`, with its index.json loaded. */
export async function open(base) {
  const dir = base + "search/";
  const meta = await fetchJson(dir + "index.json");
  const stemOf =
    meta.stemmer === "german" ? stemGerman
    : meta.stemmer === "english" ? (await import("./stem-en.js")).stemEnglish
    : (w) => w;
  const minPart = meta.min_part || 4;
  const stop = new Set(meta.stop || []);
  const shards = new Set(meta.shards);
  const stems = new Map();
  /** A lower-case word's stem, computed once. */
  const stem = (w) => {
    let s = stems.get(w);
    if (s === undefined) stems.set(w, (s = stemOf(w)));
    return s;
  };
  /** The index's form of a typed word: lower case; null for a function word or an overlong one. */
  const indexWord = (word) => {
    const lower = word.toLowerCase();
    return stop.has(lower) || [...lower].length > meta.max_word ? null : lower;
  };

  const loaded = new Map();
  const parsed = new Map();
  const texts = new Map();
  /** How rare a match is: BM25's inverse document frequency of `n` documents. */
  const idf = (n) => Math.log(1 + (meta.documents - n + 0.5) / (n + 0.5));
  /** A shard as { words: [{ word, list, from }], parts: Map(stem → { compounds, list, from }), known }. */
  function shard(key) {
    if (!shards.has(key)) return Promise.resolve(null);
    if (!loaded.has(key)) {
      const p = fetchJson(dir + "terms/" + shardFile(key) + ".json").then((json) => {
        const words = [];
        const parts = new Map();
        const known = new Set();
        for (const [k, list] of Object.entries(json)) {
          if (k.startsWith("~")) parts.set(k.slice(1), { compounds: new Set(list[0]), list, from: 1 });
          else {
            words.push({ word: k, list, from: 0 });
            if ([...k].length >= minPart) known.add(stem(k));
          }
        }
        const s = { words, parts, known };
        parsed.set(key, s);
        return s;
      });
      p.catch(() => loaded.delete(key));
      loaded.set(key, p);
    }
    return loaded.get(key);
  }

  /** What one lower-case word finds by itself: document → score, and the compounds it is part of. */
  const directs = new Map();
  function direct(w) {
    if (!directs.has(w)) {
      directs.set(
        w,
        (async () => {
          const s = stem(w);
          const scores = new Map();
          const add = (doc, v) => {
            if (!(scores.get(doc) >= v)) scores.set(doc, v);
          };
          const sh = await shard(shardKey(s));
          if (!sh) return { scores, compounds: new Set() };
          const prefix = [...s].length >= 2;
          for (const key of sh.words) {
            const t = key.word;
            const ts = stem(t);
            const f = t === w ? FACTOR.exact : ts === s ? FACTOR.stem : prefix && ts.startsWith(s) ? FACTOR.prefix : 0;
            if (f) eachPosting(key, (doc, v) => add(doc, (f * v) / 100));
          }
          const part = sh.parts.get(s);
          if (part) eachPosting(part, (doc, v) => add(doc, (FACTOR.part * v) / 100));
          return { scores, compounds: part ? part.compounds : new Set() };
        })(),
      );
    }
    return directs.get(w);
  }

  /** The parts of a compound query word, split with the index's words as the dictionary. */
  async function compound(w) {
    if (!meta.compounds || [...w].length < 2 * minPart) return null;
    const chars = [...w];
    const n = chars.length;
    const known = (s) => parsed.get(shardKey(s))?.known.has(s) ?? false;
    // Only the shards of pieces that can start a part are loaded: from the word's start, then
    // from the end of each known piece. Every part of a split starts at such a place, so the
    // split is the one the whole dictionary gives.
    const reached = new Set([0]);
    let starts = [0];
    while (starts.length) {
      const pieces = starts.flatMap((i) => {
        const out = [];
        for (let j = i + minPart; j <= n; j++) if (i > 0 || j < n) out.push([j, stem(chars.slice(i, j).join(""))]);
        return out;
      });
      await Promise.all([...new Set(pieces.map(([, s]) => shardKey(s)))].map(shard));
      starts = [];
      for (const [j, s] of pieces) {
        if (j + minPart <= n && !reached.has(j) && known(s)) {
          reached.add(j);
          starts.push(j);
        }
      }
    }
    return splitCompound(w, stem, known, minPart);
  }

  /**
   * What one word finds: its own matches, and for a compound those of its parts (documents
   * that have its last part, the head, or all parts; a part's match counts as a part's).
   * `marks` gets what excerpts should mark.
   */
  async function word(w, marks) {
    const own = await direct(w);
    marks.push({ w, s: stem(w), compounds: own.compounds });
    const scores = new Map(own.scores);
    const parts = await compound(w);
    if (parts) {
      const each = await Promise.all(parts.map(direct));
      parts.forEach((p, k) => marks.push({ w: p, s: stem(p), compounds: each[k].compounds }));
      // Each part counts by its rarity; a document needs the head, the rarest part or all.
      const idfs = each.map((e) => idf(e.scores.size));
      const total = idfs.reduce((a, b) => a + b, 0);
      let rarest = -1;
      each.forEach((e, k) => {
        if (e.scores.size && (rarest < 0 || idfs[k] > idfs[rarest])) rarest = k;
      });
      const head = each[each.length - 1].scores;
      const docs = new Set(each.flatMap((e) => [...e.scores.keys()]));
      for (const doc of docs) {
        const found = each.filter((e) => e.scores.has(doc));
        if (!head.has(doc) && !each[rarest].scores.has(doc) && found.length < parts.length) continue;
        const sum = each.reduce((a, e, k) => a + idfs[k] * (e.scores.get(doc) || 0), 0);
        const v = (FACTOR.parts * sum) / total;
        if (!(scores.get(doc) >= v)) scores.set(doc, v);
      }
    }
    return scores;
  }

  /** Synonym groups as lists of phrases, each phrase its words' stems (function words left out). */
  const groups = (meta.synonyms || []).map((group) =>
    group.map((phrase) => {
      const words = [...phrase.matchAll(WORD)].map((m) => indexWord(m[0])).filter(Boolean);
      return { words, stems: words.map(stem) };
    }),
  );

  /** The query as concepts: a word, or a phrase of a synonym group with the group's others. */
  function concepts(q) {
    const tokens = [];
    for (const m of q.matchAll(WORD)) {
      const w = indexWord(m[0]);
      if (w) tokens.push({ text: m[0], w, s: stem(w) });
    }
    const out = [];
    for (let i = 0; i < tokens.length; ) {
      let best = null;
      for (const group of groups) {
        for (const phrase of group) {
          const n = phrase.stems.length;
          if (!n || (best && best.n >= n) || i + n > tokens.length) continue;
          if (phrase.stems.every((s, k) => tokens[i + k].s === s)) best = { n, group, phrase };
        }
      }
      if (best) {
        const alternatives = best.group.map((p) => ({ words: p.words, factor: p === best.phrase ? 1 : SYNONYM }));
        out.push({ tokens: tokens.slice(i, i + best.n), alternatives });
        i += best.n;
      } else {
        out.push({ tokens: [tokens[i]], alternatives: [{ words: [tokens[i].w], factor: 1 }] });
        i++;
      }
    }
    return out;
  }

  /** The indexed word closest to `w` by edits (in the shard of its stem), or null. */
  async function closest(w) {
    const sh = await shard(shardKey(stem(w)));
    if (!sh) return null;
    const max = [...w].length <= 4 ? 1 : 2;
    let best = null;
    for (const key of sh.words) {
      const d = editDistance(w, key.word, max);
      if (d > max || d === 0) continue;
      const docs = (key.list.length - key.from) / 2;
      if (!best || d < best.d || (d === best.d && docs > best.docs)) best = { d, docs, word: key.word };
    }
    return best && best.word;
  }

  return {
    entries: meta.entries,
    /**
     * The documents that match every word (or synonym group) of `q`: `scores` (document →
     * score), `positions` (the entries, ascending), `pages` (the free pages: { doc, url,
     * title, score }), `terms` (what to mark, for `excerpt` and `highlight`) and `suggestion`
     * (the query with each word that matches nothing replaced by the closest indexed word, or
     * null).
     */
    async find(q) {
      const marks = [];
      const parts = concepts(q);
      const each = await Promise.all(
        parts.map(async (c) => {
          const scores = new Map();
          for (const alt of c.alternatives) {
            const found = await Promise.all(alt.words.map((w) => word(w, marks)));
            if (!found.length) continue;
            for (const [doc] of found[0]) {
              if (!found.every((f) => f.has(doc))) continue;
              const v = (alt.factor * found.reduce((a, f) => a + f.get(doc), 0)) / found.length;
              if (!(scores.get(doc) >= v)) scores.set(doc, v);
            }
          }
          return { c, scores, idf: idf(scores.size) };
        }),
      );
      let all = new Map();
      each.forEach(({ scores, idf }, k) => {
        if (k === 0) for (const [doc, v] of scores) all.set(doc, idf * v);
        else {
          for (const [doc, s] of all) {
            const v = scores.get(doc);
            if (v === undefined) all.delete(doc);
            else all.set(doc, s + idf * v);
          }
        }
      });
      // Words that find nothing get the closest indexed word as a suggestion.
      let suggestion = null;
      const missing = each.filter((e) => !e.scores.size && e.c.alternatives.length === 1);
      if (missing.length) {
        let text = q;
        let changed = false;
        for (const { c } of missing) {
          for (const t of c.tokens) {
            const near = await closest(t.w);
            if (!near) continue;
            const shown = t.text[0] !== t.text[0].toLowerCase() ? near[0].toUpperCase() + near.slice(1) : near;
            text = text.replace(t.text, shown);
            changed = true;
          }
        }
        if (changed) suggestion = text;
      }
      const positions = [];
      const pages = [];
      for (const [doc, score] of all) {
        if (doc < meta.entries) positions.push(doc);
        else pages.push({ doc, score, ...meta.pages[doc - meta.entries] });
      }
      positions.sort((a, b) => a - b);
      return { terms: marks, scores: all, positions, pages, suggestion };
    },
    /** Whether a word of a text is one the query matched. */
    hit(text, marks) {
      const w = indexWord(text);
      if (!w) return false;
      const s = stem(w);
      return marks.some((m) => w === m.w || s === m.s || ([...m.s].length >= 2 && s.startsWith(m.s)) || m.compounds.has(w));
    },
    /** `text` as safe HTML with the words the query matched marked. */
    highlight(text, marks) {
      let html = "";
      let at = 0;
      for (const m of String(text).matchAll(WORD)) {
        html += esc(text.slice(at, m.index));
        html += this.hit(m[0], marks) ? `<mark>${esc(m[0])}</mark>` : esc(m[0]);
        at = m.index + m[0].length;
      }
      return html + esc(String(text).slice(at));
    },
    /** An excerpt of document `doc` as safe HTML: the stretch with the most matches, marked. */
    async excerpt(doc, marks) {
      const n = Math.floor(doc / meta.text_chunk);
      if (!texts.has(n)) {
        const p = fetchJson(dir + "text/" + n + ".json");
        p.catch(() => texts.delete(n));
        texts.set(n, p);
      }
      const chunk = await texts.get(n);
      const text = chunk[doc % meta.text_chunk] || "";
      const words = [...text.matchAll(WORD)].map((m) => ({ at: m.index, end: m.index + m[0].length, hit: this.hit(m[0], marks) }));
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
