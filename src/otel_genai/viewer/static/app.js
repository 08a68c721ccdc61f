// Client-side router: one HTML shell, views chosen by the URL path.
import { clear, errorBox, h, put } from "./dom.js";
import { overviewView } from "./overview.js";
import { sessionListView, sessionView } from "./sessions.js";
import { traceDetailView, traceListView } from "./traces.js";

const main = document.getElementById("main");

function navigate(url) {
  history.pushState(null, "", url);
  render();
}

async function render() {
  const path = location.pathname;
  const params = new URLSearchParams(location.search);
  const section = path.startsWith("/session") ? "sessions" : path.startsWith("/overview") ? "overview" : "traces";
  document.querySelectorAll("nav a").forEach((a) => a.classList.toggle("active", a.dataset.section === section));
  try {
    if (path.startsWith("/trace/")) {
      await traceDetailView(main, decodeURIComponent(path.slice("/trace/".length)));
    } else if (path.startsWith("/session/")) {
      await sessionView(main, decodeURIComponent(path.slice("/session/".length)));
    } else if (path === "/sessions") {
      await sessionListView(main);
    } else if (path === "/overview") {
      await overviewView(main, params, navigate);
    } else {
      await traceListView(main, params, navigate);
    }
    document.body.dataset.ready = "true";
  } catch (error) {
    put(clear(main), h("h1", {}, "Error"), errorBox(error));
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
