// casebook serve: one event stream shared by every open tab of the preview (a SharedWorker), so
// tabs do not use up the browser's six connections per host. Served at /__casebook/worker.js.
// Tabs post "hi" when they start (and come back from the back/forward cache) and "bye" when they
// go; each gets the current state on "hi", then every event as {name, data} with data as sent.
"use strict";
var ports = new Set();
var build = null; // the build the server announced last; null until it said anything
var error = null; // the latest failure's payload, while it lasts

function post(port, name, data) {
  try {
    port.postMessage({ name: name, data: data });
  } catch (e) {
    ports.delete(port);
  }
}

// Without EventSource in workers the tabs are told to open their own stream.
var source = typeof EventSource === "function" ? new EventSource("/__casebook/events") : null;
["hello", "reload", "css", "clear", "build-error"].forEach(function (name) {
  if (!source) return;
  source.addEventListener(name, function (event) {
    if (name === "build-error") {
      error = event.data;
    } else {
      try {
        build = JSON.parse(event.data).build;
      } catch (e) {
        return;
      }
      error = null; // a hello is followed by the error event if the failure persists
    }
    ports.forEach(function (port) { post(port, name, event.data); });
  });
});

// The connection dropped (server stopped or restarting): what we knew may be stale; the next
// hello after reconnecting tells again.
if (source) {
  source.addEventListener("error", function () {
    build = null;
    error = null;
  });
}

self.onconnect = function (event) {
  var port = event.ports[0];
  port.onmessage = function (message) {
    if (message.data === "bye") {
      ports.delete(port);
    } else if (message.data === "hi" && !source) {
      post(port, "no-stream", "");
    } else if (message.data === "hi") {
      ports.add(port);
      if (build !== null) {
        post(port, "hello", JSON.stringify({ build: build }));
        if (error !== null) post(port, "build-error", error);
      }
    }
  };
  port.start();
};
