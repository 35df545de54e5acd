// Keyboard focus as a sighted keyboard user experiences it: which element has focus, and whether
// that is visible. An element counts as showing focus when, compared with how it looks unfocused,
// it (or its label, or the box around it) gains a visible outline, a box-shadow, or a change of
// border, background or underline — and the element carrying that change is itself visible.

/** Installs the in-page helper once per document (call after every navigation). */
export async function installFocusProbe(page) {
  await page.evaluate(() => {
    if (window.__focusProbe) return;
    const deepActive = () => {
      let el = document.activeElement;
      while (el && el.shadowRoot && el.shadowRoot.activeElement) el = el.shadowRoot.activeElement;
      return el;
    };
    const candidates = (el) => {
      const out = [el];
      const label = (el.labels && el.labels[0]) || el.closest('label');
      if (label && label !== el) out.push(label);
      if (el.parentElement && !out.includes(el.parentElement) && el.parentElement !== document.body) out.push(el.parentElement);
      return out;
    };
    const look = (el) => {
      const cs = getComputedStyle(el);
      const rect = el.getBoundingClientRect();
      return {
        outline: `${cs.outlineStyle} ${cs.outlineWidth} ${cs.outlineColor}`,
        outlineOn: cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0 && !/rgba\(.*,\s*0\)$/.test(cs.outlineColor) && cs.outlineColor !== 'transparent',
        shadow: cs.boxShadow,
        border: `${cs.borderTopColor} ${cs.borderTopWidth} ${cs.borderBottomColor} ${cs.borderBottomWidth}`,
        background: cs.backgroundColor,
        underline: cs.textDecorationLine,
        visible: el.checkVisibility({ opacityProperty: true, visibilityProperty: true }) && rect.width >= 2 && rect.height >= 2,
      };
    };
    const describe = (el) => {
      if (!el || el === document.body) return 'body';
      const bits = [el.tagName.toLowerCase()];
      if (el.id) bits.push('#' + el.id);
      if (el.type && el.tagName === 'INPUT') bits.push(`[type=${el.type}]`);
      if (el.name) bits.push(`[name=${el.name}]`);
      if (el.value && el.type === 'checkbox') bits.push(`[value=${el.value}]`);
      if (el.classList.length) bits.push('.' + [...el.classList].join('.'));
      const text = (el.textContent || el.getAttribute('aria-label') || '').trim().replace(/\s+/g, ' ').slice(0, 40);
      return bits.join('') + (text ? ` "${text}"` : '');
    };
    let last = null; // { el, focused: looks while focused }
    let seen = new WeakSet();
    window.__focusProbe = {
      /** Starts a new walk: forgets which elements had focus. */
      reset() {
        seen = new WeakSet();
        last = null;
      },
      /**
       * What the focused element is for a keyboard walk: a checkbox in `filters`, the `search`
       * input, a closed disclosure, a collapsed control, or something else.
       */
      kind(selectors = {}) {
        const el = deepActive();
        if (!el || el === document.body) return { kind: 'none' };
        if (selectors.filters && el.matches(`${selectors.filters} input[type=checkbox]`)) return { kind: 'checkbox', field: el.name, key: el.value, checked: el.checked };
        if (selectors.search && el.matches(selectors.search)) return { kind: 'search' };
        if (el.matches('summary') && el.parentElement.tagName === 'DETAILS' && !el.parentElement.open) return { kind: 'closed-details' };
        if (el.matches('[aria-expanded=false]')) return { kind: 'collapsed' };
        return { kind: 'other' };
      },
      /** Judges the previously focused element now that it is not focused, then records the new one. */
      step(selectors) {
        const verdict = last ? this.judge(last) : null;
        const el = deepActive();
        last = el && el !== document.body ? { el, desc: describe(el), focused: candidates(el).map(look), focusVisible: el.matches(':focus-visible') } : null;
        const repeat = !!el && seen.has(el);
        if (el) seen.add(el);
        return { verdict, current: last ? last.desc : 'body', repeat, kind: this.kind(selectors) };
      },
      judge(rec) {
        const now = candidates(rec.el).map(look);
        const shown = rec.focused.some((f, i) => {
          const u = now[i];
          if (!f.visible || !u) return false;
          // The browser's own focus ring (outline-style auto) counts when the page keeps it.
          if (i === 0 && f.outlineOn && (f.outline !== u.outline || f.outline.startsWith('auto'))) return true;
          if (f.outlineOn && f.outline !== u.outline) return true;
          if (f.shadow !== 'none' && f.shadow !== u.shadow) return true;
          return f.border !== u.border || f.background !== u.background || f.underline !== u.underline;
        });
        return { desc: rec.desc, shown, focusVisible: rec.focusVisible, looks: rec.focused[0] };
      },
      /** Ends the walk: judges the last element after moving focus away. */
      finish() {
        const rec = last;
        last = null;
        if (!rec) return null;
        if (document.activeElement === rec.el) rec.el.blur();
        return this.judge(rec);
      },
      describe: () => describe(deepActive()),
      active: deepActive,
    };
  });
}

/**
 * Presses a key, then returns the judgement of the element focus left, what has focus now and
 * its kind (see `kind`; `selectors` = `{ filters, search }`).
 */
export async function pressAndProbe(page, key, selectors = {}) {
  await page.keyboard.press(key);
  return page.evaluate((sel) => window.__focusProbe.step(sel), selectors);
}

/** The kind of the focused element (see the probe's `kind`). */
export function focusedKind(page, selectors = {}) {
  return page.evaluate((sel) => window.__focusProbe.kind(sel), selectors);
}
