// Client-side router: one HTML shell, views chosen by the URL path.
import { errorBox, h, put } from "./dom.js";
import { logListView } from "./logs.js";
import { overviewView } from "./overview.js";
import { sessionListView, sessionView } from "./sessions.js";
import { traceDetailView, traceListView } from "./traces.js";

const main = document.getElementById("main");
let generation = 0;

function navigate(url) {
  history.pushState(null, "", url);
  render();
}

async function render() {
  // Each view is built off-page and swapped in only if no newer navigation started
  // meanwhile, so a slow response can never paint over a newer page.
  const mine = ++generation;
  const target = document.createElement("div");
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const section = path.startsWith("/session") ? "sessions" : path.startsWith("/overview") ? "overview"
    : path === "/logs" ? "logs" : "traces";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.section === section));
  try {
    if (path.startsWith("/trace/")) {
      await traceDetailView(target, decodeURIComponent(path.slice("/trace/".length)));
    } else if (path.startsWith("/session/")) {
      await sessionView(target, decodeURIComponent(path.slice("/session/".length)));
    } else if (path === "/sessions") {
      await sessionListView(target);
    } else if (path === "/logs") {
      await logListView(target, params);
    } else if (path === "/overview") {
      await overviewView(target, params, navigate);
    } else {
      await traceListView(target, params, navigate);
    }
  } catch (error) {
    put(target, h("h1", {}, "Error"), errorBox(error));
  }
  if (mine === generation) {
    main.replaceChildren(...target.childNodes);
    document.body.dataset.ready = "true";
  }
}

document.addEventListener("click", (event) => {
  const a = event.target.closest("a[data-internal]");
  if (!a || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  event.preventDefault();
  navigate(a.getAttribute("href"));
});
window.addEventListener("popstate", render);
render();
