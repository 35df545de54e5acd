// The strategy finder's ranking in the browser. The build writes, per question and answer, the
// entries the answer matches and its weight (wegweiser/weights.json); this script only adds up
// the weights of the answers in the page's state (its address), ties by title, like the build's
// own ranking of the pre-rendered results. On a results page it arranges the entries in that
// order; on a question page it shows the entries that fit best so far.
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

  function arrange(ranked) {
    const ranking = document.getElementById('finder-ranking');
    for (const list of ranking.querySelectorAll('.finder-list')) {
      const items = new Map([...list.children].map((li) => [li.dataset.entry, li]));
      for (const r of ranked) {
        const li = items.get(r.entry.id);
        if (li) list.appendChild(li);
      }
    }
    ranking.dataset.ranked = ranked.map((r) => r.entry.id + ' ').join('');
    ranking.dataset.rankedBy = 'script';
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
    for (const r of ranked.slice(0, 5)) {
      const li = document.createElement('li');
      const a = document.createElement('a');
      a.href = r.entry.url;
      a.textContent = r.entry.title;
      li.append(a, ` (${r.reasons.join(', ')})`);
      list.appendChild(li);
    }
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
