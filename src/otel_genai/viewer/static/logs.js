// Log records outside any trace (no trace id): stored, and listed here newest first.
import { api, clear, fmtTime, h, link, pretty, put } from "./dom.js";

function logRow(record) {
  const body = record.body !== null && record.body !== undefined ? pretty(record.body) : "";
  const attributes = Object.keys(record.attributes || {}).length ? pretty(record.attributes) : "";
  return h("tr", {},
    h("td", { class: "nowrap" }, fmtTime(record.time_ms)),
    h("td", {}, record.service || "–", record.scope ? h("div", { class: "muted small" }, record.scope) : null),
    h("td", {}, String(record.severity ?? "")),
    h("td", {}, record.event_name ? h("code", {}, record.event_name) : "–"),
    h("td", {}, body ? h("pre", { class: "json" }, body) : null, attributes ? h("pre", { class: "json" }, attributes) : null));
}

/** The list of log records without a trace id. */
export async function logListView(main, params) {
  const query = new URLSearchParams();
  if (params.get("before")) query.set("before", params.get("before"));
  const page = await api(`/api/logs?${query}`);
  clear(main);
  put(main, h("h1", {}, "Logs outside traces"),
    h("p", { class: "muted" }, "Log records and events that carry no trace id, newest first. " +
      "Records with a trace id are shown on their trace."));
  if (!page.logs.length) {
    put(main, h("p", { class: "empty" }, "No log record without a trace id."));
    return;
  }
  put(main, h("table", { class: "list", id: "log-list" },
    h("thead", {}, h("tr", {}, ["Time", "Service", "Severity", "Event", "Body and attributes"].map((c) => h("th", {}, c)))),
    h("tbody", {}, page.logs.map(logRow))));
  const pager = h("div", { class: "pager" });
  if (params.get("before")) put(pager, link("/logs", "← Newest"));
  if (page.next) put(pager, link(`/logs?before=${encodeURIComponent(page.next)}`, "Older →"));
  put(main, pager);
}
