// Maps: the catalogue map (karte/, `#map-app`) and the small map on entry pages (`.mini-map`).
// A classic script (entry pages load it with `defer`); Leaflet and the catalogue modules are
// fetched only when a map is wanted: the small map when it comes into view, and only if tiles
// may load. Tiles come from site.yaml (`map.tiles`); a server that needs consent gets no request
// before the visitor presses "Karte laden", a choice remembered in localStorage (no cookie).
(function () {
  "use strict";
  // Works as a classic or a module script: find our own URL to locate the other assets.
  const me = document.currentScript || [...document.scripts].find((el) => /\/map\.js(\?|$)/.test(el.src));
  const assets = new URL(".", me ? me.src : location.href).href;
  const vendor = assets + "vendor/";
  const app = document.getElementById("map-app");
  const minis = [...document.querySelectorAll(".mini-map[data-lat][data-lon]")];
  if (!app && !minis.length) return;

  const loaded = new Map();
  function once(url, make) {
    if (!loaded.has(url)) {
      loaded.set(url, new Promise((resolve, reject) => {
        const el = make(url);
        el.onload = resolve;
        el.onerror = () => reject(new Error("cannot load " + url));
        document.head.append(el);
      }));
    }
    return loaded.get(url);
  }
  const script = (url) => once(url, (u) => Object.assign(document.createElement("script"), { src: u }));
  const style = (url) => once(url, (u) => Object.assign(document.createElement("link"), { rel: "stylesheet", href: u }));

  /** Leaflet with its stylesheet (and the cluster plug-in when asked for). */
  async function leaflet(cluster) {
    await Promise.all([script(vendor + "leaflet/leaflet.js"), style(vendor + "leaflet/leaflet.css")]);
    if (cluster) {
      await Promise.all([
        script(vendor + "leaflet.markercluster/leaflet.markercluster.js"),
        style(vendor + "leaflet.markercluster/MarkerCluster.css"),
      ]);
    }
    return window.L;
  }

  const CONSENT = "casebook-map-tiles";
  const reducedMotion = matchMedia("(prefers-reduced-motion: reduce)").matches;
  const motion = { zoomAnimation: !reducedMotion, fadeAnimation: !reducedMotion, markerZoomAnimation: !reducedMotion };

  /** Whether tiles of this element's server may load: no consent needed, or given before. */
  function allowed(el) {
    if (el.dataset.consent !== "true") return true;
    try {
      return (localStorage.getItem(CONSENT) || "").split("\n").includes(el.dataset.tiles);
    } catch {
      return false;
    }
  }
  function remember(tiles) {
    try {
      const known = (localStorage.getItem(CONSENT) || "").split("\n").filter(Boolean);
      if (!known.includes(tiles)) localStorage.setItem(CONSENT, [...known, tiles].join("\n"));
    } catch {
      // Private modes may refuse storage; the map still loads this time.
    }
  }
  /** Runs `fn` once the element is near the viewport. */
  function whenVisible(el, fn) {
    if (!("IntersectionObserver" in window)) return fn();
    const watch = new IntersectionObserver((seen) => {
      if (seen.some((x) => x.isIntersecting)) {
        watch.disconnect();
        fn();
      }
    }, { rootMargin: "200px" });
    watch.observe(el);
  }

  const text = (s) => String(s == null ? "" : s).replace(/[&<>"']/g, (c) => "&#" + c.charCodeAt(0) + ";");

  function tileLayer(L, el) {
    const tiles = el.dataset.tiles || (app && app.dataset.tiles);
    if (!tiles) return null;
    return L.tileLayer(tiles, {
      maxZoom: 19,
      attribution: text(el.dataset.attribution || (app && app.dataset.attribution) || ""),
    });
  }

  function pinIcon(L, typeKey, letter) {
    return L.divIcon({
      className: "pin-icon",
      html: `<span class="pin t-${text(typeKey)}"><b>${text(letter)}</b></span>`,
      iconSize: [26, 26],
      iconAnchor: [13, 30],
      popupAnchor: [0, -28],
    });
  }

  /** The small maps of an entry: without tiles configured the pin and coordinates stay. */
  function miniMaps() {
    for (const el of minis) {
      if (!el.dataset.tiles) continue;
      const button = el.querySelector("[data-role=map-load]");
      if (allowed(el)) {
        if (button) button.hidden = true;
        whenVisible(el, () => miniMap(el).catch(() => {}));
      } else if (button) {
        button.addEventListener("click", () => {
          remember(el.dataset.tiles);
          miniMap(el).then(() => el.focus(), () => {});
        });
      }
    }
  }

  async function miniMap(el) {
    if (!document.querySelector('link[href$="/map.css"]')) style(assets + "map.css");
    const L = await leaflet(false);
    const lat = Number(el.dataset.lat);
    const lon = Number(el.dataset.lon);
    const layer = tileLayer(L, el);
    if (!layer || !isFinite(lat) || !isFinite(lon)) return;
    el.classList.add("is-live");
    // An overview: no zoom buttons (their labels would not be translated), no wheel zoom and
    // no one-finger dragging that would trap a scrolling page; keys and pinch still zoom.
    const map = L.map(el, { zoomControl: false, scrollWheelZoom: false, dragging: !L.Browser.mobile, tap: false, ...motion });
    layer.addTo(map);
    map.setView([lat, lon], 13);
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", el.dataset.label || el.dataset.title || "");
    L.marker([lat, lon], {
      icon: pinIcon(L, el.dataset.type || "", ""),
      title: el.dataset.title || "",
      alt: el.dataset.title || "",
      keyboard: false,
    }).addTo(map);
  }

  /** The catalogue map: the browser's filters, clustered markers and a list of the same entries. */
  async function catalogueMap() {
    const [C, F, L] = await Promise.all([import(assets + "catalogue.js"), import(assets + "facets.js"), leaflet(true)]);
    const s = C.strings(app);
    const status = app.querySelector("[data-role=count]");
    let index;
    try {
      index = await C.loadIndex(C.dataFolder(app));
      // Coordinates may live in a file of their own (`index.geo`, relative to the data folder:
      // [[lat, lon] | null, …] in index order, with the lead picture's thumbnail as
      // [lat, lon, path, width, height]), so the catalogue browser need not load them.
      if (index.geo) {
        const url = new URL(index.geo, new URL(C.dataFolder(app), location.origin));
        const points = await fetch(url).then((r) => (r.ok ? r.json() : Promise.reject(r.status)));
        points.forEach((pt, p) => {
          if (pt && index.entries[p]) {
            [index.entries[p][3], index.entries[p][4]] = pt;
            if (pt.length > 2) index.entries[p].thumb = pt.slice(2);
          }
        });
      }
    } catch (e) {
      app.querySelector("[data-role=live]").hidden = false;
      status.textContent = s.loadError;
      return;
    }
    const ctx = C.context(app, index);
    const el = app.querySelector("[data-role=map]");
    const listEl = app.querySelector("[data-role=list]");
    const more = app.querySelector("[data-role=more]");
    const note = app.querySelector("[data-role=unplaced]");
    const chips = app.querySelector("[data-role=chips]");
    app.classList.add("is-live");
    app.querySelector("[data-role=live]").hidden = false;

    // maxZoom from the start: the cluster layer needs it before any tiles (which bring their own).
    const map = L.map(el, { zoomControl: false, worldCopyJump: true, maxZoom: 19, ...motion });
    L.control.zoom({ zoomInTitle: s.mapZoomIn || "+", zoomOutTitle: s.mapZoomOut || "−" }).addTo(map);
    // Start on the extent of the whole catalogue; filtering zooms to what it leaves.
    const all = index.entries.filter((e) => e[3] != null && e[4] != null).map((e) => [e[3], e[4]]);
    if (all.length) {
      map.fitBounds(L.latLngBounds(all), { padding: [24, 24], maxZoom: 12, animate: false });
      // Before tiles load, the frame of the catalogue's region is the ground the pins stand on.
      L.rectangle(L.latLngBounds(all).pad(0.05), { color: "#6b7684", weight: 1, fill: false, interactive: false }).addTo(map);
    } else map.setView([20, 0], 2);
    const button = app.querySelector("[data-role=map-load]");
    const addTiles = () => {
      const layer = tileLayer(L, app);
      if (layer) layer.addTo(map);
      if (button) button.hidden = true;
    };
    if (allowed(app)) addTiles();
    else if (button) {
      button.addEventListener("click", () => {
        remember(app.dataset.tiles);
        addTiles();
        el.focus();
      });
    }
    el.setAttribute("role", "region");
    el.setAttribute("aria-label", s.mapLabel);

    const clusters = L.markerClusterGroup({
      chunkedLoading: true,
      showCoverageOnHover: false,
      maxClusterRadius: 50,
      iconCreateFunction(cluster) {
        const n = cluster.getChildCount();
        return L.divIcon({
          className: "cluster-icon",
          html: `<span class="cluster" aria-hidden="true">${ctx.num(n)}</span><span class="vh">${text(C.fill(s.mapCluster, { n: ctx.num(n) }))}</span>`,
          iconSize: [40, 40],
        });
      },
    });
    map.addLayer(clusters);

    const letters = index.types.map((t) => (t.label || t.key).charAt(0).toUpperCase());
    const icons = index.types.map((t, i) => pinIcon(L, t.key, letters[i]));
    const markers = new Map();
    function marker(p) {
      let m = markers.get(p);
      if (m) return m;
      const e = index.entries[p];
      const ty = index.types[e[2]];
      const place = ctx.place(p);
      m = L.marker([e[3], e[4]], {
        icon: icons[e[2]],
        title: e[1] + " (" + ty.label + (place ? ", " + place : "") + ")",
        alt: e[1],
        riseOnHover: true,
      });
      // The thumbnail is decorative: the title beside it says what the entry is.
      const thumb = e.thumb
        ? `<img class="popup-image" src="${text(e.thumb[0])}" width="${text(e.thumb[1])}" height="${text(e.thumb[2])}" alt="" loading="lazy">`
        : "";
      m.bindPopup(
        () =>
          thumb +
          `<a href="${text(ctx.url(p))}">${text(e[1])}</a>` +
          `<p class="popup-meta"><span class="badge t-${text(ty.key)}">${text(ty.label)}</span>${place ? " " + text(place) : ""}</p>`,
      );
      markers.set(p, m);
      return m;
    }

    // A popup opened from the keyboard takes the focus; closing it gives the focus back.
    let opener = null;
    map.on("popupopen", (ev) => {
      const icon = ev.popup._source && ev.popup._source.getElement && ev.popup._source.getElement();
      if (icon && document.activeElement === icon) {
        opener = icon;
        const link = ev.popup.getElement().querySelector(".leaflet-popup-content a");
        if (link) link.focus();
      } else opener = null;
    });
    el.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && opener) map.closePopup();
    });
    map.on("popupclose", () => {
      if (opener && (document.activeElement === document.body || el.contains(document.activeElement))) opener.focus();
      opener = null;
    });

    // The map filters by facets only; a search query in the URL is left to the browser page.
    const read = () => ({ ...F.parseQuery(index, location.search), q: "", sort: "" });
    let state = read();
    let shown = [];
    let listed = 0;
    const LIST_STEP = 100;

    const panel = C.filterPanel(ctx, app.querySelector("[data-role=filters]"), (field, key, on) => {
      state = { ...state, selection: C.toggle(index, state.selection, field, key, on) };
      commit();
    }, { collapsed: true });
    chips.addEventListener("click", (ev) => {
      const btn = ev.target.closest(".chip");
      if (!btn) return;
      state = { ...state, selection: { ...state.selection } };
      C.removeChip(state, btn);
      commit().then(() => (chips.querySelector(".chip") || status).focus());
    });
    more.addEventListener("click", () => {
      const first = listed;
      renderList();
      const links = listEl.querySelectorAll("a");
      if (links[first]) links[first].focus();
    });
    addEventListener("popstate", () => {
      state = read();
      run(true);
    });

    function commit() {
      const snapshot = state;
      setTimeout(() => C.writeUrl(index, snapshot, true));
      run(true);
      return Promise.resolve();
    }

    function run(refit) {
      const ev = F.evaluate(index, state.selection);
      panel.update(state.selection, ev.counts);
      C.renderChips(ctx, chips, state);
      shown = ev.positions.filter((p) => index.entries[p][3] != null && index.entries[p][4] != null);
      const unplaced = ev.positions.length - shown.length;
      clusters.clearLayers();
      clusters.addLayers(shown.map(marker));
      if (refit && shown.length) {
        const bounds = L.latLngBounds(shown.map((p) => [index.entries[p][3], index.entries[p][4]]));
        map.fitBounds(bounds, { padding: [24, 24], maxZoom: 12, animate: false });
      }
      status.textContent = C.fill(shown.length === 1 ? s.mapCountOne : s.mapCountOther, { n: ctx.num(shown.length) });
      note.hidden = !unplaced;
      if (unplaced) {
        const link = note.querySelector("a");
        link.textContent = C.fill(s.mapUnplaced, { n: ctx.num(unplaced) });
        link.href = C.dataFolder(app) + F.toQuery(index, { selection: state.selection, q: state.q });
      }
      listEl.innerHTML = "";
      listed = 0;
      renderList();
    }

    function renderList() {
      const slice = shown.slice(listed, listed + LIST_STEP);
      listed += slice.length;
      listEl.insertAdjacentHTML(
        "beforeend",
        slice
          .map((p) => {
            const e = index.entries[p];
            const ty = index.types[e[2]];
            const place = ctx.place(p);
            return (
              `<li><a href="${text(ctx.url(p))}">${text(e[1])}</a>` +
              `<span class="map-list-meta"><span class="badge t-${text(ty.key)}">${text(ty.label)}</span>${place ? " " + text(place) : ""}</span></li>`
            );
          })
          .join(""),
      );
      more.hidden = listed >= shown.length;
    }

    run(true);
  }

  if (minis.length) miniMaps();
  if (app) catalogueMap().catch((e) => console.error(e));
})();
