// The catalogue browser page (katalog/): facet filters, search box, sort and the result list.
import { start } from "./catalogue.js";

const root = document.getElementById("catalogue");
if (root) start(root, "browser");
