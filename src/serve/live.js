// casebook serve: live reload and the build-error overlay. Served at /__casebook/live.js and
// put into every page of the preview; never part of a built site.
//
// Events from /__casebook/events (Server-Sent Events, data is JSON), received through the shared
// worker /__casebook/worker.js where the browser has one, else directly:
//   hello  {build}                  on connect: the build now served ("" if none yet)
//   reload {build, entry_url, ...}  pages changed: reload (or follow to the saved entry)
//   css    {build, paths}           only stylesheets changed: swap them, no reload
//   build-error {errors, warnings, diagnostics}  the latest build failed: show the overlay
//   clear  {build}                  a build succeeded without changing the output: hide it
// (Not "error": EventSource fires its own "error" event when the connection drops.)
//
// Follow mode: open any page with ?follow (and ?follow=0 to stop); that tab then jumps to the
// page of the entry you save instead of reloading the page it shows.
(function () {
  "use strict";
  var me = document.currentScript;
  var build = (me && me.getAttribute("data-build")) || "";
  var errorPage = document.getElementById("casebook-diagnostics");
  var leaving = false;
  var lastFocus = null;

  var params = new URLSearchParams(location.search);
  try {
    if (params.get("follow") === "0") sessionStorage.removeItem("casebook-follow");
    else if (params.has("follow")) sessionStorage.setItem("casebook-follow", "1");
  } catch (e) { /* storage may be disabled; follow mode is then off */ }
  function following() {
    try { return sessionStorage.getItem("casebook-follow") === "1"; } catch (e) { return false; }
  }

  function leave(url) {
    if (leaving) return;
    leaving = true;
    if (url && url !== location.pathname) location.assign(url);
    else location.reload();
  }

  function swapStylesheets(paths) {
    var links = Array.prototype.slice.call(document.querySelectorAll('link[rel~="stylesheet"]'));
    var own = links.filter(function (link) {
      return new URL(link.href, location.href).origin === location.origin;
    });
    var named = own.filter(function (link) {
      return paths.indexOf(new URL(link.href, location.href).pathname) >= 0;
    });
    // A changed file no link names may be @import-ed: refresh every local stylesheet then.
    (named.length ? named : own).forEach(function (link) {
      var url = new URL(link.href, location.href);
      url.searchParams.set("casebook", build);
      var fresh = link.cloneNode(false);
      fresh.href = url.href;
      var drop = function () { if (link.parentNode) link.parentNode.removeChild(link); };
      fresh.addEventListener("load", drop);
      fresh.addEventListener("error", drop);
      link.parentNode.insertBefore(fresh, link.nextSibling);
    });
  }

  // --- the overlay --------------------------------------------------------------------------

  var STYLE =
    ":host{all:initial}" +
    ".backdrop{position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,20,.55);" +
    "display:flex;align-items:flex-start;justify-content:center;overflow:auto;padding:4vh 1rem}" +
    ".dialog{box-sizing:border-box;width:min(60rem,100%);background:#fff;color:#1a1a1a;" +
    "border-top:6px solid #a4161a;border-radius:4px;padding:1.25rem 1.5rem;" +
    "font:16px/1.5 system-ui,sans-serif;box-shadow:0 1rem 3rem rgba(0,0,0,.4)}" +
    ".dialog:focus{outline:3px solid #1d4ed8;outline-offset:2px}" +
    "header{display:flex;gap:1rem;align-items:flex-start;justify-content:space-between}" +
    "h2{margin:0;font-size:1.25rem;color:#a4161a}" +
    "p{margin:.35rem 0}" +
    "ol{margin:1rem 0 0;padding-left:1.25rem}" +
    "li{margin-bottom:1.25rem}" +
    ".where{font-family:ui-monospace,monospace;font-size:.9rem;color:#444}" +
    ".warning .what{color:#7a4d00}" +
    "pre{margin:.5rem 0;padding:.6rem .75rem;background:#f4f4f4;color:#1a1a1a;" +
    "overflow-x:auto;font:14px/1.45 ui-monospace,monospace;white-space:pre}" +
    ".hint{color:#0f5132}" +
    "button{font:inherit;cursor:pointer;border:1px solid #555;background:#fff;color:#1a1a1a;" +
    "border-radius:4px;padding:.3rem .8rem}" +
    "button:focus-visible{outline:3px solid #1d4ed8;outline-offset:2px}";

  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text != null) node.textContent = text; // text only: never parsed as markup
    if (cls) node.className = cls;
    return node;
  }

  // The overlay's words come with each payload, in the site's language (the theme's
  // `preview_*` strings); English where a theme has none.
  var words = {};
  function word(key, english) {
    return Object.prototype.hasOwnProperty.call(words, key) ? words[key] : english;
  }

  function diagnosticItem(d) {
    var li = el("li", null, d.severity);
    var what = el("p", null, "what");
    var severity = d.severity === "error" ? word("preview_error", "error") : word("preview_warning", "warning");
    what.appendChild(el("strong", severity + "[" + d.code + "]"));
    what.appendChild(document.createTextNode(": " + d.message));
    li.appendChild(what);
    li.appendChild(el("p", d.location, "where"));
    if (d.frame) li.appendChild(el("pre", d.frame));
    if (d.found != null) li.appendChild(el("p", word("preview_found", "found") + ": " + d.found));
    if (d.expected != null) li.appendChild(el("p", word("preview_expected", "expected") + ": " + d.expected));
    if (d.hint != null) li.appendChild(el("p", word("preview_hint", "help") + ": " + d.hint, "hint"));
    return li;
  }

  function heading(payload) {
    var n = payload.errors;
    var text = n === 1
      ? word("preview_failed_one", "The catalogue does not build: {n} error")
      : word("preview_failed_other", "The catalogue does not build: {n} errors");
    return text.replace("{n}", String(n));
  }

  function hideOverlay() {
    var host = document.getElementById("casebook-overlay");
    if (!host) return;
    host.parentNode.removeChild(host);
    document.removeEventListener("keydown", onKey, true);
    if (lastFocus && document.contains(lastFocus) && lastFocus.focus) lastFocus.focus();
    lastFocus = null;
  }

  function onKey(event) {
    var host = document.getElementById("casebook-overlay");
    if (!host) return;
    if (event.key === "Escape") {
      event.preventDefault();
      hideOverlay();
    } else if (event.key === "Tab") {
      // aria-modal: keep keyboard focus inside the dialog while it is open.
      var root = host.shadowRoot;
      var button = root.querySelector("button");
      var dialog = root.querySelector(".dialog");
      event.preventDefault();
      (root.activeElement === button ? dialog : button).focus();
    }
  }

  function showOverlay(payload) {
    var host = document.getElementById("casebook-overlay");
    if (!host) {
      host = el("div");
      host.id = "casebook-overlay";
      host.attachShadow({ mode: "open" });
      document.body.appendChild(host);
      lastFocus = document.activeElement;
      document.addEventListener("keydown", onKey, true);
    }
    var root = host.shadowRoot;
    root.textContent = "";
    root.appendChild(el("style", STYLE));
    var backdrop = el("div", null, "backdrop");
    var dialog = el("div", null, "dialog");
    dialog.setAttribute("role", "alertdialog");
    dialog.setAttribute("aria-modal", "true");
    dialog.setAttribute("aria-labelledby", "casebook-overlay-title");
    dialog.setAttribute("aria-describedby", "casebook-overlay-help");
    dialog.tabIndex = -1;
    var header = el("header");
    var title = el("h2", heading(payload));
    title.id = "casebook-overlay-title";
    header.appendChild(title);
    var close = el("button", word("preview_close", "Close"));
    close.type = "button";
    close.setAttribute("aria-label", word("preview_close_label", "Close the error message (Escape)"));
    close.addEventListener("click", hideOverlay);
    header.appendChild(close);
    dialog.appendChild(header);
    var help = el("p", word("preview_overlay_help", "You are looking at the last good build. Fix the files below and save; " +
      "this message goes away by itself."));
    help.id = "casebook-overlay-help";
    dialog.appendChild(help);
    var list = el("ol");
    payload.diagnostics.forEach(function (d) { list.appendChild(diagnosticItem(d)); });
    dialog.appendChild(list);
    backdrop.appendChild(dialog);
    root.appendChild(backdrop);
    close.focus();
  }

  function showErrors(payload) {
    words = payload.strings || {};
    if (errorPage) {
      // The error page served while nothing builds: keep its list current in place.
      errorPage.textContent = "";
      payload.diagnostics.forEach(function (d) { errorPage.appendChild(diagnosticItem(d)); });
      var h1 = document.querySelector("#casebook-error-page h1");
      if (h1) h1.textContent = heading(payload);
    } else {
      showOverlay(payload);
    }
  }

  // --- the event stream -----------------------------------------------------------------------

  var handlers = {
    hello: function (data) {
      // Something was rebuilt between this page's response and this connection.
      if (data.build !== build) leave();
    },
    reload: function (data) {
      leave(following() ? data.entry_url : null);
    },
    css: function (data) {
      build = data.build;
      hideOverlay();
      swapStylesheets(data.paths || []);
    },
    clear: function (data) {
      build = data.build;
      hideOverlay();
    },
    "build-error": showErrors
  };

  function dispatch(name, json) {
    if (leaving || !Object.prototype.hasOwnProperty.call(handlers, name)) return;
    var data;
    try { data = JSON.parse(json); } catch (e) { return; }
    handlers[name](data);
  }

  // Browsers open at most six HTTP/1.1 connections per host; an event stream per tab would
  // stall the seventh tab. One shared worker holds the stream for all tabs when it can.
  function viaWorker() {
    if (!window.SharedWorker) return false;
    var worker;
    try {
      worker = new SharedWorker("/__casebook/worker.js", { name: "casebook-live" });
    } catch (e) {
      return false;
    }
    var port = worker.port;
    port.onmessage = function (message) {
      if (message.data.name === "no-stream") direct();
      else dispatch(message.data.name, message.data.data);
    };
    port.start();
    port.postMessage("hi");
    window.addEventListener("pagehide", function () { port.postMessage("bye"); });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) port.postMessage("hi");
    });
    return true;
  }

  function direct() {
    if (!window.EventSource) return;
    var source = new EventSource("/__casebook/events");
    Object.keys(handlers).forEach(function (name) {
      source.addEventListener(name, function (event) { dispatch(name, event.data); });
    });
    window.addEventListener("pagehide", function () { source.close(); });
    window.addEventListener("pageshow", function (event) {
      if (event.persisted) location.reload();
    });
  }

  if (!viaWorker()) direct();
})();
