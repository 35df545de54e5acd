// The catalogue browser and the search page: one app, two modes. The filtering itself lives in
// facets.js; this module owns the DOM, the URL and the full-text search.
//
// State is the query string: ?type=format&thema=beteiligung&thema=phase-null&q=markt&sort=newest
// (repeated keys mean OR; comma lists are read too). Ticking a filter, removing a chip and
// sorting replace the current history entry, so Back leaves the page rather than undoing each
// tick; a search sent with Enter pushes one.

import { esc, evaluate, model, normalize, parseQuery, placeField, sortBits, toQuery } from "./facets.js";

/** Results rendered per step; the rest waits behind "more", so a click never renders 10,000 cards. */
export const PAGE = 50;
/** Terms a long, flat facet shows before "more". */
const SHORT_LIST = 8;
/** Facets with more terms than this get a find box. */
const FIND_FROM = 15;

/** Lower case without diacritics, for matching typed text against labels. */
const fold = (t) => t.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().trim();

/** UI strings from the root's data-s-* attributes (filled from the theme's i18n files). */
export function strings(root) {
  const s = {};
  for (const [k, v] of Object.entries(root.dataset)) {
    if (/^s[A-Z]/.test(k)) s[k[1].toLowerCase() + k.slice(2)] = v;
  }
  return s;
}

export const fill = (text, vars) => String(text || "").replace(/\{(\w+)\}/g, (m, k) => (k in vars ? vars[k] : m));

export function plural(s, base, n, lang) {
  return fill(n === 1 ? s[base + "One"] : s[base + "Other"], { n: n.toLocaleString(lang) });
}

/** The folder of the catalogue browser's data (`katalog/` or `catalogue/`, from the page). */
export const dataFolder = (root) => root.dataset.data || (root.dataset.base || "/") + "katalog/";

let indexPromise;
/** The browser index, fetched once per page; `folder` is [dataFolder]'s. */
export function loadIndex(folder) {
  indexPromise ??= fetch(folder + "index.json").then((r) => {
    if (!r.ok) throw new Error(r.status + " " + r.url);
    return r.json();
  });
  return indexPromise;
}

/**
 * When the index does not say which facet holds the place (`index.place`), the server-rendered
 * cards do: the place they show is the label list of one facet of the same entry.
 */
export function detectPlace(index, root, base) {
  if (placeField(index)) return;
  const byUrl = new Map(index.entries.map((e, p) => [base + index.types[e[2]].folder + "/" + e[0] + "/", p]));
  for (const card of root.querySelectorAll(".card")) {
    const shown = card.querySelector(".card-place");
    const link = card.querySelector(".card-title a");
    const p = link && byUrl.get(new URL(link.href, location.href).pathname);
    if (!shown || p === undefined) continue;
    const text = [...shown.childNodes].filter((n) => n.nodeType === 3).map((n) => n.textContent).join("").trim();
    const k = index.facets.findIndex((f, k) => text && (index.entries[p][5][k] || []).map((t) => f.terms[t].label).join(", ") === text);
    if (k >= 0) index.place = index.facets[k].field;
    return;
  }
}

/** Summaries come in chunks of `summary_chunk` entries; only chunks for shown cards are fetched. */
export function summaryStore(folder, index) {
  const size = index.summary_chunk || 200;
  const chunks = new Map();
  return {
    get(p) {
      const c = chunks.get(Math.floor(p / size));
      return Array.isArray(c) ? c[p % size] : undefined;
    },
    load(list) {
      const wanted = new Set(list.map((p) => Math.floor(p / size)));
      return Promise.all(
        [...wanted].map((n) => {
          if (!chunks.has(n)) {
            const pending = fetch(folder + "summaries/" + n + ".json")
              .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
              .then((a) => chunks.set(n, a))
              .catch(() => chunks.delete(n));
            chunks.set(n, pending);
          }
          return chunks.get(n);
        }),
      );
    },
  };
}

/** Shared context of a page: index, strings, base path and helpers around them. */
export function context(root, index) {
  const base = root.dataset.base || "/";
  const lang = document.documentElement.lang || "de";
  const s = strings(root);
  const place = placeField(index);
  const placeK = index.facets.findIndex((f) => f.field === place);
  const nf = new Intl.NumberFormat(lang);
  return {
    root,
    index,
    base,
    lang,
    s,
    m: model(index),
    num: (n) => nf.format(n),
    summaries: summaryStore(dataFolder(root), index),
    url(p) {
      const e = index.entries[p];
      return base + index.types[e[2]].folder + "/" + e[0] + "/";
    },
    place(p) {
      if (placeK < 0) return "";
      return (index.entries[p][5][placeK] || []).map((t) => index.facets[placeK].terms[t].label).join(", ");
    },
  };
}

/** One card, the same markup the theme's `card` component renders on the server. */
export function cardHtml(ctx, p, opts = {}) {
  const { index, s } = ctx;
  const e = index.entries[p];
  const ty = index.types[e[2]];
  const level = opts.level || 3;
  const place = ctx.place(p);
  const [summary, transfer] = opts.excerpt ? [] : summaryParts(ctx.summaries.get(p));
  const facets = [];
  index.facets.forEach((f, k) => {
    if (f.field === index.place || facets.length >= 2) return;
    const terms = (e[5][k] || []).map((t) => f.terms[t].label);
    if (terms.length) facets.push(`<div><dt>${esc(f.label)}:</dt> <dd>${esc(terms.join(", "))}</dd></div>`);
  });
  return (
    `<li><article class="card t-${esc(ty.key)}" data-pos="${p}">` +
    `<h${level} class="card-title"><a href="${esc(ctx.url(p))}">${opts.titleHtml ?? esc(e[1])}</a></h${level}>` +
    `<p class="card-meta"><span class="badge t-${esc(ty.key)}">${esc(ty.label)}</span>` +
    (place ? ` <span class="card-place"><span class="vh">${esc(s.cardPlace)}: </span>${esc(place)}</span>` : "") +
    `</p>` +
    (opts.excerpt ? `<p class="card-excerpt">${opts.excerpt}</p>` : "") +
    (summary ? `<p class="card-summary">${esc(summary)}</p>` : "") +
    (transfer ? transferHtml(s, transfer) : "") +
    (facets.length ? `<dl class="card-facets">${facets.join("")}</dl>` : "") +
    `</article></li>`
  );
}

/** A shard's item: the summary, or `[summary, transfer teaser]`. */
const summaryParts = (item) => (Array.isArray(item) ? item : [item]);

const transferHtml = (s, text) =>
  `<p class="card-transfer"><span class="card-transfer-label">${esc(s.transferLabel)}:</span> ${esc(text)}</p>`;

/** Fills in summaries of cards rendered before their chunk arrived. */
export async function fillSummaries(ctx, container) {
  const cards = [...container.querySelectorAll("article[data-pos]:not([data-done])")];
  await ctx.summaries.load(cards.map((c) => Number(c.dataset.pos)));
  for (const card of cards) {
    card.dataset.done = "";
    if (card.querySelector(".card-summary, .card-excerpt")) continue;
    const [text, transfer] = summaryParts(ctx.summaries.get(Number(card.dataset.pos)));
    if (transfer) card.querySelector(".card-meta").insertAdjacentHTML("afterend", transferHtml(ctx.s, transfer));
    if (!text) continue;
    const p = document.createElement("p");
    p.className = "card-summary";
    p.textContent = text;
    card.querySelector(".card-meta").after(p);
  }
}

let finder;
/** The search index (find.js), loaded on first use only. */
function searchIndex(base) {
  finder ??= import("./find.js").then((m) => m.open(base));
  finder.catch(() => (finder = undefined));
  return finder;
}

const searches = new Map();
/**
 * What full-text search finds for `q` (cached per query): `positions` of the matching entries
 * (ascending), `scores` per document, `pages` (free pages), `excerpt(doc)` and `title(text)`
 * as safe HTML with the matches marked, and `suggestion` (a query to try instead, or null).
 */
export function hits(ctx, q) {
  const key = q.toLowerCase();
  if (!searches.has(key)) {
    const run = searchIndex(ctx.base).then(async (index) => {
      const found = await index.find(q);
      return {
        ...found,
        excerpt: (doc) => index.excerpt(doc, found.terms),
        title: (text) => index.highlight(text, found.terms),
      };
    });
    run.catch(() => searches.delete(key));
    searches.set(key, run);
  }
  return searches.get(key);
}

/** The filter panel: a disclosure per facet with checkboxes and live counts. */
export function filterPanel(ctx, container, onToggle, opts = {}) {
  const { index, s, m } = ctx;
  let uid = 0;
  const id = () => "f" + ++uid + "-" + Math.random().toString(36).slice(2, 6);
  const html = m.facets
    .map((f) => {
      const label = f.field === "type" ? s.filterType : f.label;
      const long = !f.hierarchical && f.terms.length > SHORT_LIST + 2;
      const items = new Map();
      const roots = [];
      f.order.forEach(({ term }, rank) => {
        const t = f.terms[term];
        const cid = id();
        items.set(term, {
          rank,
          html:
            `<label for="${cid}"><input type="checkbox" id="${cid}" name="${esc(f.field)}" value="${esc(t.key)}"> ` +
            `<span class="term-label">${esc(t.label)}</span> <span class="term-count">(${ctx.num(f.totals[term])})</span></label>`,
          children: [],
        });
        if (t.parent !== null && items.has(t.parent)) items.get(t.parent).children.push(term);
        else roots.push(term);
      });
      const li = (term) => {
        const it = items.get(term);
        const extra = long && it.rank >= SHORT_LIST ? " data-extra hidden" : "";
        const kids = it.children.length ? `<ul role="list">${it.children.map(li).join("")}</ul>` : "";
        const zero = f.totals[term] ? "" : ' class="is-zero"';
        return `<li${zero}${extra}>${it.html}${kids}</li>`;
      };
      const more = long
        ? `<button type="button" class="facet-more link-button" aria-expanded="false">${esc(s.filterMore)}</button>`
        : "";
      // Long lists (towns, topics) get a box that narrows the visible terms as one types.
      const find =
        f.terms.length > FIND_FROM
          ? `<input type="text" class="facet-find" autocomplete="off" enterkeyhint="done" aria-label="${esc(fill(s.facetFind, { label }))}" placeholder="${esc(fill(s.facetFind, { label }))}">`
          : "";
      return (
        `<details class="facet" data-field="${esc(f.field)}"${!opts.collapsed && (f.field === "type" || f === m.facets[1]) ? " open" : ""}>` +
        `<summary><span class="facet-name">${esc(label)}</span> <span class="facet-selected" hidden></span></summary>` +
        `<fieldset><legend class="vh">${esc(label)}</legend>${find}<ul class="facet-terms" role="list">${roots.map(li).join("")}</ul>${more}</fieldset>` +
        `</details>`
      );
    })
    .join("");
  container.innerHTML = `<form class="facets" action="#" novalidate>${html}</form>`;
  const form = container.firstElementChild;
  form.addEventListener("submit", (ev) => ev.preventDefault());
  form.addEventListener("change", (ev) => {
    const box = ev.target;
    if (box.type === "checkbox") onToggle(box.name, box.value, box.checked);
  });
  /** Shows the terms of one facet that match its find box, or its short or full list. */
  const showTerms = (fieldset) => {
    const btn = fieldset.querySelector(".facet-more");
    const open = btn ? btn.getAttribute("aria-expanded") === "true" : true;
    const wanted = fold(fieldset.querySelector(".facet-find")?.value || "");
    if (btn) btn.hidden = !!wanted;
    for (const li of fieldset.querySelectorAll(".facet-terms li")) {
      const checked = li.querySelector("input").checked;
      if (wanted) li.hidden = !fold(li.querySelector(".term-label").textContent).includes(wanted);
      else li.hidden = li.hasAttribute("data-extra") && !open && !checked;
    }
  };
  form.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".facet-more");
    if (!btn) return;
    const open = btn.getAttribute("aria-expanded") !== "true";
    btn.setAttribute("aria-expanded", String(open));
    btn.textContent = open ? s.filterLess : s.filterMore;
    showTerms(btn.closest("fieldset"));
  });
  form.addEventListener("input", (ev) => {
    if (ev.target.classList.contains("facet-find")) showTerms(ev.target.closest("fieldset"));
  });
  // Enter in a find box must not submit anything.
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && ev.target.classList.contains("facet-find")) ev.preventDefault();
  });
  // Per facet its checkboxes; a closed facet is brought up to date only when it opens, so a
  // click touches the few dozen visible labels, not all of a 400-town list.
  const groups = [...form.querySelectorAll("details.facet")].map((d) => ({
    d,
    field: d.dataset.field,
    badge: d.querySelector(".facet-selected"),
    boxes: [...d.querySelectorAll("input[type=checkbox]")].map((box) => ({
      box,
      count: box.parentElement.querySelector(".term-count"),
      li: box.closest("li"),
      last: -1,
    })),
  }));
  let latest = null;
  const apply = (g) => {
    const sel = latest.selection[g.field] || [];
    const counts = latest.counts[g.field];
    for (const b of g.boxes) {
      const on = sel.includes(b.box.value);
      if (b.box.checked !== on) b.box.checked = on;
      if (on && b.li.hidden) b.li.hidden = false;
      const n = counts[b.box.value];
      if (n !== b.last) {
        b.count.textContent = "(" + ctx.num(n) + ")";
        b.li.classList.toggle("is-zero", !n);
        b.last = n;
      }
    }
  };
  for (const g of groups) {
    // Before a closed facet opens (its summary's click runs first), bring it up to date.
    g.d.firstElementChild.addEventListener("click", () => !g.d.open && latest && apply(g));
    g.d.addEventListener("toggle", () => g.d.open && latest && apply(g));
  }
  return {
    form,
    update(selection, counts) {
      latest = { selection, counts };
      for (const g of groups) {
        const n = (selection[g.field] || []).length;
        g.badge.hidden = !n;
        g.badge.textContent = n ? fill(s.filtersSelected, { n }) : "";
        if (n) g.d.open = true;
        if (g.d.open) apply(g);
      }
    },
  };
}

/** Chips for the active filters (and the query), each a button that removes it. */
export function renderChips(ctx, container, state) {
  const { s, m } = ctx;
  const chips = [];
  for (const f of m.facets) {
    const label = f.field === "type" ? s.filterType : f.label;
    for (const key of state.selection[f.field] || []) {
      const text = label + ": " + f.terms[f.byKey.get(key)].label;
      chips.push(
        `<li><button type="button" class="chip" data-field="${esc(f.field)}" data-key="${esc(key)}" aria-label="${esc(fill(s.filterRemove, { label: text }))}">${esc(text)} <span aria-hidden="true">×</span></button></li>`,
      );
    }
  }
  if (state.q) {
    const text = fill(s.searchChip, { q: state.q });
    chips.push(
      `<li><button type="button" class="chip" data-field="q" aria-label="${esc(fill(s.filterRemove, { label: text }))}">${esc(text)} <span aria-hidden="true">×</span></button></li>`,
    );
  }
  if (chips.length > 1) {
    chips.push(`<li><button type="button" class="chip chip-clear" data-field="*">${esc(s.filtersReset)}</button></li>`);
  }
  container.hidden = !chips.length;
  container.innerHTML = chips.length ? `<ul class="chips" role="list">${chips.join("")}</ul>` : "";
}

/** Applies a chip click (remove one filter, the query, or everything) to the state. */
export function removeChip(state, btn) {
  const { field, key } = btn.dataset;
  if (field === "*") {
    state.selection = {};
    state.q = "";
  } else if (field === "q") state.q = "";
  else state.selection[field] = (state.selection[field] || []).filter((k) => k !== key);
}

/** Toggles one term in a selection (a new object, so history states stay intact). */
export function toggle(index, selection, field, key, on) {
  const next = { ...selection };
  const keys = new Set(next[field] || []);
  if (on) keys.add(key);
  else keys.delete(key);
  next[field] = [...keys];
  return normalize(index, next);
}

/** Keeps the URL in step with the state. */
export function writeUrl(index, state, push) {
  const url = location.pathname + toQuery(index, state) + location.hash;
  if (url === location.pathname + location.search + location.hash) return;
  try {
    history[push ? "pushState" : "replaceState"](null, "", url);
  } catch {
    // Browsers limit history calls per second; the page state stays correct without them.
  }
}

/** Moves focus to the chip next to a removed one, or to a fallback element. */
function focusAfterChip(container, index, fallback) {
  const chips = container.querySelectorAll(".chip");
  (chips[Math.min(index, chips.length - 1)] || fallback).focus();
}

/** The catalogue browser (`mode: "browser"`) or the search page (`mode: "search"`). */
export async function start(root, mode) {
  const s = strings(root);
  const status = root.querySelector("[data-role=count]");
  let index;
  try {
    index = await loadIndex(dataFolder(root));
  } catch {
    if (status) status.textContent = s.loadError;
    return;
  }
  detectPlace(index, root, root.dataset.base || "/");
  const ctx = context(root, index);
  const searchable = root.dataset.search !== "false";
  const list = root.querySelector("[data-role=results]");
  const more = root.querySelector("[data-role=more]");
  const chips = root.querySelector("[data-role=chips]");
  const form = root.querySelector("[data-role=search]");
  const input = form && form.querySelector("input[name=q]");
  const sortSelect = root.querySelector("[data-role=sort]");
  const toggleBtn = root.querySelector("[data-role=filters-toggle]");
  const panelBox = root.querySelector("[data-role=filters]");
  const suggestBox = root.querySelector("[data-role=suggestion]");
  root.classList.add("is-live");

  let state = parseQuery(index, location.search);
  let items = []; // entry positions, and free pages among search hits ranked by relevance
  let shown = 0;
  let seq = 0;
  let typing = false;
  // The server already rendered the first cards of the unfiltered list; keep them on load.
  let serverCards = list.children.length;

  const panel = filterPanel(ctx, panelBox, (field, key, on) => {
    state = { ...state, selection: toggle(index, state.selection, field, key, on) };
    commit(false);
  });
  const zero = root.querySelector("[data-role=zero]");
  const apply = root.querySelector("[data-role=filters-apply]");

  if (form && searchable) {
    form.hidden = false;
    input.value = state.q;
    let timer;
    const fromInput = (push) => {
      clearTimeout(timer);
      state = { ...state, q: input.value.trim() };
      commit(push);
    };
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(() => {
        fromInput(!typing);
        typing = true;
      }, 250);
    });
    form.addEventListener("submit", (ev) => {
      ev.preventDefault();
      fromInput(!typing);
      typing = false;
    });
  }

  if (sortSelect) {
    sortSelect.closest("[data-role=sort-box]").hidden = false;
    if (!placeField(index)) sortSelect.querySelector("option[value=place]")?.remove();
    sortSelect.addEventListener("change", () => {
      state = { ...state, sort: sortSelect.value === "title" ? "" : sortSelect.value };
      commit(false);
    });
  }

  if (toggleBtn) {
    const area = root.querySelector("[data-role=filter-area]");
    const setOpen = (open) => {
      toggleBtn.setAttribute("aria-expanded", String(open));
      toggleBtn.querySelector("[data-role=toggle-text]").textContent = open ? s.filtersHide : s.filtersShow;
      area.classList.toggle("is-open", open);
    };
    toggleBtn.hidden = false;
    setOpen(false);
    toggleBtn.addEventListener("click", () => {
      const open = toggleBtn.getAttribute("aria-expanded") !== "true";
      setOpen(open);
      if (open) area.querySelector("#filters-heading")?.focus();
    });
    // On a phone the open filters fill the screen; their sticky button shows the results.
    apply?.addEventListener("click", () => {
      setOpen(false);
      toggleBtn.scrollIntoView({ block: "start" });
      list.focus();
    });
    area.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && area.classList.contains("is-open")) {
        setOpen(false);
        toggleBtn.focus();
      }
    });
  }
  zero?.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".chip");
    if (!btn) return;
    state = { ...state, selection: { ...state.selection } };
    removeChip(state, btn);
    commit(false).then(() => list.focus());
  });

  chips.addEventListener("click", (ev) => {
    const btn = ev.target.closest(".chip");
    if (!btn) return;
    const at = [...chips.querySelectorAll(".chip")].indexOf(btn);
    state = { ...state, selection: { ...state.selection } };
    removeChip(state, btn);
    if (input) input.value = state.q;
    commit(false).then(() => focusAfterChip(chips, at, list));
  });

  more.addEventListener("click", async () => {
    const first = shown;
    await renderMore(seq);
    list.querySelectorAll(".card-title a")[first]?.focus();
  });

  addEventListener("popstate", () => {
    state = parseQuery(index, location.search);
    if (input) input.value = state.q;
    typing = false;
    run();
  });

  // The URL is written after the list is drawn: pushState costs more than the filtering.
  function commit(push) {
    if (push) typing = false;
    const snapshot = state;
    setTimeout(() => writeUrl(index, snapshot, push));
    return run();
  }

  function announce(text) {
    if (status.textContent !== text) status.textContent = text;
    else {
      // The same text again: set it anew so screen readers hear that the change took effect.
      status.textContent = "";
      setTimeout(() => (status.textContent = text), 50);
    }
  }

  /** Recomputes results and counts for the state and renders the first page. */
  async function run() {
    const my = ++seq;
    const t0 = performance.now();
    const q = searchable ? state.q : "";
    renderChips(ctx, chips, state);
    root.classList.toggle("has-query", !!q);
    showSuggestion(null);
    if (mode === "search" && !q) {
      panel.update(state.selection, evaluate(index, state.selection).counts);
      items = [];
      list.innerHTML = "";
      more.hidden = true;
      status.textContent = s.searchPrompt;
      return;
    }
    let sort = state.sort === "relevance" && !q ? "" : state.sort;
    if (!sort && q) sort = "relevance";
    let counted = null;
    if (q) {
      status.textContent = s.searchLoading;
      let found;
      try {
        found = await hits(ctx, q);
      } catch {
        status.textContent = s.searchError || s.loadError;
        return;
      }
      if (my !== seq) return;
      showSuggestion(found.suggestion);
      const ev = evaluate(index, state.selection, found.positions);
      counted = ev.counts;
      if (sort === "relevance") {
        // Free pages have no terms: they are among the hits only while no filter is set.
        const pages = Object.keys(state.selection).length ? [] : found.pages;
        const score = (it) => (typeof it === "number" ? found.scores.get(it) : it.score);
        const doc = (it) => (typeof it === "number" ? it : it.doc);
        items = [...ev.positions, ...pages].sort((a, b) => score(b) - score(a) || doc(a) - doc(b));
      } else items = sortBits(index, ev.bits, sort);
    } else {
      const ev = evaluate(index, state.selection);
      items = sortBits(index, ev.bits, sort);
      counted = ev.counts;
    }
    if (sortSelect) {
      const relevance = sortSelect.querySelector("option[value=relevance]");
      relevance.hidden = relevance.disabled = !q;
      sortSelect.value = sort || "title";
    }
    panel.update(state.selection, counted);
    const keep = serverCards && !q && !sort && !Object.keys(state.selection).length;
    if (keep) shown = Math.min(serverCards, items.length);
    else {
      list.innerHTML = "";
      shown = 0;
      // From now on every card lays out only when it comes into view (app.css).
      root.classList.add("is-redrawn");
    }
    serverCards = 0;
    const n = items.length;
    if (keep) updateMore();
    else await renderMore(my);
    if (my !== seq) return;
    root.dataset.renderMs = (performance.now() - t0).toFixed(1);
    const count = n ? plural(s, "resultsCount", n, ctx.lang) : q ? fill(s.searchNone, { q }) : s.resultsNone;
    if (apply) apply.textContent = fill(s.filtersApply, { n: ctx.num(n) });
    if (zero) await renderZero(my, n, q);
    announce(count);
  }

  /** With no results: each selected filter as a button that drops it, with what would be left. */
  async function renderZero(my, n, q) {
    const found = q && !n ? await hits(ctx, q).catch(() => null) : null;
    if (my !== seq) return;
    const options = [];
    if (!n) {
      for (const f of ctx.m.facets) {
        for (const key of state.selection[f.field] || []) {
          const without = { ...state.selection, [f.field]: state.selection[f.field].filter((k) => k !== key) };
          const left = evaluate(index, without, found ? found.positions : undefined).positions.length;
          if (left) options.push({ field: f.field, key, left, label: (f.field === "type" ? s.filterType : f.label) + ": " + f.terms[f.byKey.get(key)].label });
        }
      }
    }
    options.sort((a, b) => b.left - a.left);
    zero.hidden = !options.length;
    zero.innerHTML = options.length
      ? `<p>${esc(s.zeroHint)}</p><ul class="chips" role="list">` +
        options
          .slice(0, 4)
          .map(
            (o) =>
              `<li><button type="button" class="chip" data-field="${esc(o.field)}" data-key="${esc(o.key)}">${esc(fill(s.zeroWithout, { label: o.label, n: ctx.num(o.left) }))}</button></li>`,
          )
          .join("") +
        `</ul>`
      : "";
  }

  /** "Meinten Sie: Quartier?" with a button that searches the suggestion (the search page only). */
  function showSuggestion(text) {
    if (!suggestBox) return;
    suggestBox.hidden = !text;
    suggestBox.innerHTML = "";
    if (!text) return;
    const [before, after = ""] = (s.searchSuggestion || "{q}").split("{q}");
    const btn = document.createElement("button");
    btn.type = "button";
    btn.className = "link-button";
    btn.textContent = text;
    btn.addEventListener("click", () => {
      if (input) input.value = text;
      state = { ...state, q: text };
      commit(true).then(() => input?.focus());
    });
    suggestBox.append(before, btn, after);
  }

  function updateMore() {
    const rest = items.length - shown;
    more.hidden = rest <= 0;
    more.textContent = fill(s.resultsMore, { n: ctx.num(Math.min(rest, PAGE)) });
  }

  /** Appends the next page of results. */
  async function renderMore(my) {
    const slice = items.slice(shown, shown + PAGE);
    shown += slice.length;
    let excerpts = [];
    let title = (text) => esc(text);
    if (mode === "search" && state.q) {
      const found = await hits(ctx, state.q);
      excerpts = await Promise.all(slice.map((it) => found.excerpt(typeof it === "number" ? it : it.doc).catch(() => "")));
      if (my !== seq) return;
      title = found.title;
    }
    const html = slice.map((it, j) =>
      typeof it === "number"
        ? cardHtml(ctx, it, { excerpt: excerpts[j], titleHtml: title(index.entries[it][1]) })
        : pageHtml(ctx, it, excerpts[j], title(it.title || it.url)),
    );
    list.insertAdjacentHTML("beforeend", html.join(""));
    updateMore();
    fillSummaries(ctx, list);
  }

  await run();
}

/** A search hit that is a free page, not an entry; `excerpt` is safe HTML. */
function pageHtml(ctx, page, excerpt, titleHtml) {
  return (
    `<li><article class="card card-page">` +
    `<h3 class="card-title"><a href="${esc(page.url)}">${titleHtml ?? esc(page.title || page.url)}</a></h3>` +
    `<p class="card-meta"><span class="badge badge-page">${esc(ctx.s.pageBadge)}</span></p>` +
    (excerpt ? `<p class="card-excerpt">${excerpt}</p>` : "") +
    `</article></li>`
  );
}
