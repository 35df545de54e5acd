// The strategy finder's ranking in the browser. The build writes, per question and answer, the
// entries the answer matches and its weight (wegweiser/weights.json); this script only adds up
// the weights of the answers in the page's state (its address), ties by title, like the build's
// own ranking of the pre-rendered results. On a results page it arranges the entries in that
// order (the page lists the best few of each type, `data-per-type`) and offers the rest of each
// type as links; on a question page it shows the entries that fit best so far.
(() => {
  const root = document.querySelector('[data-finder]');
  if (!root || !window.fetch) return;
  const state = root.dataset.state ? root.dataset.state.split('/') : [];

  /** Positions in `weights.entries`, best first, with their scores and reasons. */
  function rank(weights) {
    const score = new Map();
    const reasons = new Map();
    state.forEach((key, q) => {
      const answer = weights.questions[q] && weights.questions[q].answers.find((a) => a.key === key);
      if (!answer) return;
      for (const p of answer.matches) {
        score.set(p, (score.get(p) || 0) + answer.weight);
        if (!reasons.has(p)) reasons.set(p, []);
        reasons.get(p).push(answer.label);
      }
    });
    const ranked = [...score.keys()].sort((x, y) => score.get(y) - score.get(x) || x - y);
    return ranked.map((p) => ({ entry: weights.entries[p], score: score.get(p), reasons: reasons.get(p) }));
  }

  /** The entries a results page lists: the first `perType` of each type, in ranking order. */
  function best(ranked, perType) {
    const taken = new Map();
    return ranked.filter((r) => {
      const n = taken.get(r.entry.type) || 0;
      taken.set(r.entry.type, n + 1);
      return n < perType;
    });
  }

  /** A link to an entry with the answers it fits, as the preview and the rest of a group show. */
  function link(r) {
    const li = document.createElement('li');
    const a = document.createElement('a');
    a.href = r.entry.url;
    a.textContent = r.entry.title;
    li.append(a, ` (${r.reasons.join(', ')})`);
    return li;
  }

  function arrange(ranked) {
    const ranking = document.getElementById('finder-ranking');
    const shown = best(ranked, Number(ranking.dataset.perType) || Infinity);
    for (const list of ranking.querySelectorAll('.finder-list')) {
      const items = new Map([...list.children].map((li) => [li.dataset.entry, li]));
      for (const r of shown) {
        const li = items.get(r.entry.id);
        if (li) list.appendChild(li);
      }
    }
    ranking.dataset.ranked = shown.map((r) => r.entry.id + ' ').join('');
    ranking.dataset.rankedBy = 'script';
    const listed = new Set(shown.map((r) => r.entry.id));
    for (const group of ranking.querySelectorAll('.finder-group[data-type]')) {
      const rest = ranked.filter((r) => r.entry.type === group.dataset.type && !listed.has(r.entry.id));
      if (rest.length) group.appendChild(showAll(rest, Number(group.dataset.count)));
    }
  }

  /** A button that lists the rest of a group, best first, as links. */
  function showAll(rest, count) {
    const button = document.createElement('button');
    button.type = 'button';
    button.className = 'button finder-show-all';
    button.textContent = root.dataset.showAll.replace('{n}', count);
    button.addEventListener('click', () => {
      const list = document.createElement('ol');
      list.className = 'finder-rest';
      list.start = count - rest.length + 1;
      list.append(...rest.map(link));
      button.replaceWith(list);
      list.querySelector('a').focus();
    });
    return button;
  }

  function preview(ranked) {
    if (!ranked.length) return;
    const section = document.createElement('section');
    section.className = 'finder-preview';
    section.setAttribute('aria-labelledby', 'finder-preview-heading');
    const heading = document.createElement('h2');
    heading.id = 'finder-preview-heading';
    heading.textContent = root.dataset.previewLabel;
    const list = document.createElement('ol');
    list.className = 'finder-preview-list';
    list.dataset.ranked = ranked.map((r) => r.entry.id + ' ').join('');
    for (const r of ranked.slice(0, 5)) list.appendChild(link(r));
    section.append(heading, list);
    root.appendChild(section);
  }

  fetch(root.dataset.weights)
    .then((response) => (response.ok ? response.json() : Promise.reject(new Error(response.status))))
    .then((weights) => {
      const ranked = rank(weights);
      if (document.getElementById('finder-ranking')) arrange(ranked);
      else if (state.length) preview(ranked);
    })
    .catch(() => {});
})();
