// The search page (suche/): full-text search (find.js) combined with the catalogue's facets.
import { start } from "./catalogue.js";

const root = document.getElementById("catalogue");
if (root) {
  start(root, "search").then(() => {
    const input = root.querySelector("input[name=q]");
    if (input && !input.value) input.focus();
  });
}
