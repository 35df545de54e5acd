// "Zum Vergleich": up to three entries, kept in localStorage and in the comparison page's
// address (vergleich/?e=<entry path>,…), shown in a small tray on entry pages. The comparison
// page reads each entry's own page and sets their facts, texts and relations side by side,
// marking the rows where they differ. Without JavaScript nothing here is offered; the pages say so.
(() => {
  const KEY = 'casebook-compare';
  const MAX = 3;
  const load = () => {
    try {
      const list = JSON.parse(localStorage.getItem(KEY) || '[]');
      return Array.isArray(list) ? list.filter((e) => e && typeof e.url === 'string').slice(0, MAX) : [];
    } catch (_) {
      return [];
    }
  };
  const save = (list) => {
    try {
      localStorage.setItem(KEY, JSON.stringify(list.slice(0, MAX)));
    } catch (_) {}
  };
  for (const note of document.querySelectorAll('.compare-nojs')) note.hidden = true;

  const action = document.querySelector('[data-compare-tray]');
  if (action) tray(action);
  const page = document.querySelector('[data-compare-page]');
  if (page) compare(page);

  function link(base, list) {
    return `${base}?e=${list.map((e) => encodeURIComponent(e.url)).join(',')}`;
  }

  function tray(action) {
    const button = action.querySelector('[data-compare]');
    const base = action.dataset.compareTray;
    const bar = document.createElement('aside');
    bar.className = 'compare-tray no-print';
    bar.setAttribute('aria-label', action.dataset.compareLabel);
    document.body.appendChild(bar);
    const render = () => {
      const list = load();
      const here = list.some((e) => e.url === button.dataset.compare);
      button.hidden = false;
      button.setAttribute('aria-pressed', String(here));
      button.disabled = !here && list.length >= MAX;
      button.title = button.disabled ? action.dataset.compareFull : '';
      bar.replaceChildren();
      bar.hidden = list.length === 0;
      const items = document.createElement('ul');
      for (const e of list) {
        const li = document.createElement('li');
        const a = document.createElement('a');
        a.href = e.url;
        a.textContent = e.title;
        const remove = document.createElement('button');
        remove.type = 'button';
        remove.textContent = '×';
        remove.setAttribute('aria-label', `${action.dataset.compareRemove}: ${e.title}`);
        remove.addEventListener('click', () => {
          save(load().filter((x) => x.url !== e.url));
          render();
        });
        li.append(a, ' ', remove);
        items.appendChild(li);
      }
      const go = document.createElement('a');
      go.className = 'button';
      go.href = link(base, list);
      go.textContent = `${action.dataset.compareGo} (${list.length})`;
      bar.append(items, go);
    };
    button.addEventListener('click', () => {
      const list = load();
      const url = button.dataset.compare;
      save(list.some((e) => e.url === url) ? list.filter((e) => e.url !== url) : [...list, { url, title: button.dataset.compareTitle }]);
      render();
    });
    render();
  }

  async function compare(root) {
    const param = new URLSearchParams(location.search).get('e');
    const urls = param
      ? param.split(',').map(decodeURIComponent).filter((u) => u.startsWith('/')).slice(0, MAX)
      : load().map((e) => e.url);
    const empty = root.querySelector('.compare-empty');
    if (!urls.length) {
      empty.hidden = false;
      return;
    }
    const entries = await Promise.all(urls.map(read));
    const found = entries.filter(Boolean);
    save(found.map((e) => ({ url: e.url, title: e.title })));
    if (!param) history.replaceState(null, '', link(location.pathname, found));
    if (!found.length) {
      empty.hidden = false;
      return;
    }
    table(root, found);
  }

  async function read(url) {
    try {
      const response = await fetch(url);
      if (!response.ok) return null;
      const doc = new DOMParser().parseFromString(await response.text(), 'text/html');
      const title = doc.querySelector('h1')?.textContent.trim() || url;
      const type = doc.querySelector('.entry-kicker .badge')?.textContent.trim() || '';
      const rows = new Map();
      for (const row of doc.querySelectorAll('.entry-facts dl.facts > div')) {
        const label = row.querySelector('dt')?.textContent.trim();
        if (label) rows.set(label, row.querySelector('dd'));
      }
      const texts = new Map();
      for (const section of doc.querySelectorAll('.entry-highlight, .relation')) {
        const label = section.querySelector('h2, h3')?.textContent.trim();
        if (label) texts.set(label, section.querySelector('.prose, ul'));
      }
      return { url, title, type, rows, texts };
    } catch (_) {
      return null;
    }
  }

  function table(root, entries) {
    const head = root.querySelector('thead tr');
    const body = root.querySelector('tbody');
    for (const e of entries) {
      const th = document.createElement('th');
      th.scope = 'col';
      const a = document.createElement('a');
      a.href = e.url;
      a.textContent = e.title;
      th.append(a);
      head.appendChild(th);
    }
    // One type: every fact; several: the facts they share. Then texts and relations.
    const sameType = entries.every((e) => e.type === entries[0].type);
    const labels = (key) => {
      const all = [...new Set(entries.flatMap((e) => [...e[key].keys()]))];
      return key === 'rows' && !sameType ? all.filter((l) => entries.every((e) => e.rows.has(l))) : all;
    };
    for (const [key, cls] of [['rows', 'compare-fact'], ['texts', 'compare-text']]) {
      for (const label of labels(key)) {
        const tr = document.createElement('tr');
        tr.className = cls;
        const th = document.createElement('th');
        th.scope = 'row';
        th.textContent = label;
        tr.appendChild(th);
        const values = entries.map((e) => e[key].get(label));
        const texts = values.map((v) => (v ? v.textContent.replace(/\s+/g, ' ').trim() : ''));
        const differs = texts.some((t) => t !== texts[0]);
        if (differs) {
          tr.classList.add('differs');
          const mark = document.createElement('span');
          mark.className = 'vh';
          mark.textContent = ` (${root.dataset.differs})`;
          th.appendChild(mark);
        }
        for (const v of values) {
          const td = document.createElement('td');
          // A fact's value without its <dd>; a text or a list of relations as it is.
          if (v) td.append(...(v.tagName === 'DD' ? [...v.cloneNode(true).childNodes] : [v.cloneNode(true)]));
          else td.textContent = '–';
          tr.appendChild(td);
        }
        body.appendChild(tr);
      }
    }
    root.querySelector('.compare-scroll').hidden = false;
    root.dataset.compared = entries.map((e) => e.url).join(',');
  }
})();
