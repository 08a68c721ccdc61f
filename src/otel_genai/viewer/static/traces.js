// Trace list (filters, paging) and trace detail (span tree + GenAI panel).
import { genaiPanel } from "./conversation.js";
import { api, clear, errorBox, fmtDuration, fmtInt, fmtTime, fmtUsd, h, link, plural, pretty, put } from "./dom.js";

const UNNAMED_SERVICE = "unknown_service";

/** Tells how to name apps that run without OTEL_SERVICE_NAME (their service reads unknown_service:…). */
function serviceNameHint(services) {
  const unnamed = [...new Set(services.filter((s) => (s || "").startsWith(UNNAMED_SERVICE)))];
  if (!unnamed.length) return null;
  return h("p", { class: "hint", id: "service-name-hint" },
    `${unnamed.join(", ")}: an app ran without a service name. Name each app by setting `,
    h("code", {}, "OTEL_SERVICE_NAME=my-app"), " (or ", h("code", {}, "OTEL_RESOURCE_ATTRIBUTES=service.name=my-app"),
    ") in its environment, so its traces can be told apart.");
}

const RANGES = [
  ["", "Any time"], ["15m", "Last 15 minutes"], ["1h", "Last hour"], ["24h", "Last 24 hours"],
  ["7d", "Last 7 days"], ["custom", "Custom…"],
];
const RANGE_MS = { "15m": 9e5, "1h": 3.6e6, "24h": 8.64e7, "7d": 6.048e8 };

function toLocalInput(ms) {
  const d = new Date(ms - new Date().getTimezoneOffset() * 60000);
  return d.toISOString().slice(0, 16);
}

/** Query-string filters → API parameters. */
function apiParams(params) {
  const out = new URLSearchParams();
  for (const key of ["model", "provider", "agent", "q", "before"]) if (params.get(key)) out.set(key, params.get(key));
  if (params.get("error") === "1") out.set("error", "1");
  const range = params.get("range") || "";
  if (RANGE_MS[range]) out.set("since", String(Date.now() - RANGE_MS[range]));
  if (range === "custom") {
    if (params.get("from")) out.set("since", String(new Date(params.get("from")).getTime()));
    if (params.get("to")) out.set("until", String(new Date(params.get("to")).getTime()));
  }
  return out;
}

function filterForm(params, facets, navigate) {
  const select = (name, label, values) => h("label", {}, label,
    h("select", { name }, h("option", { value: "" }, "all"),
      values.map((v) => h("option", { value: v, selected: params.get(name) === v }, v))));
  const range = params.get("range") || "";
  const custom = h("span", { class: range === "custom" ? "custom-range" : "custom-range hidden" },
    h("input", { type: "datetime-local", name: "from", value: params.get("from") || toLocalInput(Date.now() - 3.6e6) }),
    " – ", h("input", { type: "datetime-local", name: "to", value: params.get("to") || "" }));
  const form = h("form", { class: "filters", id: "filters" },
    h("input", { type: "search", name: "q", placeholder: "Search prompts and answers", value: params.get("q") || "" }),
    select("model", "Model", facets.model || []),
    select("provider", "Provider", facets.provider || []),
    h("label", {}, "Agent", h("input", { type: "search", name: "agent", placeholder: "any", value: params.get("agent") || "" })),
    h("label", {}, "Time", h("select", {
      name: "range",
      onchange: (e) => custom.classList.toggle("hidden", e.target.value !== "custom"),
    }, RANGES.map(([v, l]) => h("option", { value: v, selected: range === v }, l)))),
    custom,
    h("label", { class: "check" }, h("input", { type: "checkbox", name: "error", value: "1", checked: params.get("error") === "1" }), "Errors only"),
    h("button", { type: "submit" }, "Apply"));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const next = new URLSearchParams();
    for (const [key, value] of new FormData(form)) {
      if (value && (key !== "from" && key !== "to" || form.range.value === "custom")) next.set(key, value);
    }
    navigate(`/traces${next.toString() ? `?${next}` : ""}`);
  });
  return form;
}

function statusCell(trace) {
  return trace.error ? h("span", { class: "status error" }, "error") : h("span", { class: "status ok" }, "ok");
}

function traceRow(trace) {
  const models = trace.models.length ? trace.models.join(", ") : "–";
  return h("tr", { class: trace.error ? "failed" : "" },
    h("td", { class: "nowrap" }, fmtTime(trace.start_ms)),
    h("td", {}, link(`/trace/${trace.trace_id}`, trace.root_name || "(unnamed)"),
      trace.service ? h("div", { class: "muted small" }, trace.service) : null),
    h("td", { class: "root-agent" }, trace.root_agent
      ? [kindBadge("agent"), link(`/traces?agent=${encodeURIComponent(trace.root_agent)}`, trace.root_agent)] : "–"),
    h("td", {}, trace.providers.join(", ") || "–"),
    h("td", {}, models),
    h("td", { class: "num" }, fmtInt(trace.input_tokens)),
    h("td", { class: "num" }, fmtInt(trace.output_tokens)),
    h("td", { class: "num nowrap" }, fmtDuration(trace.duration_ms)),
    h("td", { class: "num nowrap" }, trace.time_to_first_chunk_ms != null ? fmtDuration(trace.time_to_first_chunk_ms) : "–"),
    h("td", { class: "num nowrap" }, fmtUsd(trace.cost_usd)),
    h("td", {}, statusCell(trace)));
}

/** The trace list page. */
export async function traceListView(main, params, navigate) {
  const [facets, page] = await Promise.all([api("/api/facets"), api(`/api/traces?${apiParams(params)}`)]);
  clear(main);
  put(main, h("h1", {}, "Traces"), filterForm(params, facets, navigate));
  if (!page.traces.length) {
    put(main, h("p", { class: "empty" }, params.toString() ? "No trace matches these filters." :
      "No traces yet. Point an OpenTelemetry exporter at this viewer's OTLP receiver."));
    return;
  }
  put(main, serviceNameHint(page.traces.map((t) => t.service)));
  put(main, h("table", { class: "list", id: "trace-list" },
    h("thead", {}, h("tr", {}, ["Time", "Root span", "Agent", "Provider", "Model", "Input tok", "Output tok", "Duration",
      "First chunk", "Est. cost", "Status"]
      .map((c) => h("th", {}, c)))),
    h("tbody", {}, page.traces.map(traceRow))));
  const pager = h("div", { class: "pager" });
  if (params.get("before")) {
    const first = new URLSearchParams(params); first.delete("before");
    put(pager, link(`/traces?${first}`, "← Newest"));
  }
  if (page.next) {
    const older = new URLSearchParams(params); older.set("before", page.next);
    put(pager, link(`/traces?${older}`, "Older →"));
  }
  put(main, pager);
}

/** Spans in tree order with their depth; orphans (parent not stored) become roots. */
function treeOrder(spans) {
  const ids = new Set(spans.map((s) => s.span_id));
  const children = new Map();
  for (const s of spans) {
    const parent = ids.has(s.parent_span_id) ? s.parent_span_id : "";
    if (!children.has(parent)) children.set(parent, []);
    children.get(parent).push(s);
  }
  const out = [];
  const walk = (parent, depth) => {
    for (const s of children.get(parent) || []) { out.push([s, depth]); walk(s.span_id, depth + 1); }
  };
  walk("", 0);
  return out;
}

const KINDS = {
  agent: ["◆", "Agent"],
  model: ["✦", "Model"],
  tool: ["⚙", "Tool"],
};

/** The icon and label telling agent, model and tool spans apart; none for other spans. */
function kindBadge(kind) {
  if (!KINDS[kind]) return null;
  const [icon, label] = KINDS[kind];
  return h("span", { class: `kind-badge kind-${kind}`, title: label }, h("span", { class: "kind-icon" }, icon), label);
}

/** The run's totals across every span of the trace. */
function runTotals(totals) {
  const item = (name, text) => h("span", { class: "total", "data-total": name }, text);
  return h("div", { class: "run-totals", id: "run-totals" },
    item("agents", plural(totals.agents, "agent")),
    item("model_calls", plural(totals.model_calls, "model call")),
    item("tool_calls", plural(totals.tool_calls, "tool call")),
    item("errors", plural(totals.errors, "error")),
    item("tokens", `tokens in ${fmtInt(totals.input_tokens)} / out ${fmtInt(totals.output_tokens)}`),
    item("cost", `est. cost ${totals.cost_usd != null ? fmtUsd(totals.cost_usd) : "unknown"}`));
}

function spanDetails(span, links) {
  const attrs = Object.entries(span.attributes || {}).sort(([a], [b]) => a.localeCompare(b));
  return h("div", { class: "span-details" },
    h("h2", {}, span.name, " ", h("span", { class: "muted small" }, `${span.kind} · ${span.service || "?"} · ${span.span_id}`)),
    span.genai ? genaiPanel(span, links) : null,
    span.status === "error" && !span.genai
      ? h("div", { class: "error-panel" }, h("div", { class: "part-head" }, "Error"), span.status_message || "") : null,
    h("details", { class: "attributes", open: !span.genai },
      h("summary", {}, `Attributes (${attrs.length})`),
      h("table", { class: "kv" }, attrs.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, h("pre", { class: "value" }, pretty(v))))))),
    h("details", { class: "attributes" }, h("summary", {}, `Resource (${Object.keys(span.resource || {}).length})`),
      h("table", { class: "kv" }, Object.entries(span.resource || {}).sort(([a], [b]) => a.localeCompare(b))
        .map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, h("pre", { class: "value" }, pretty(v))))))),
    (span.events || []).length ? h("details", { class: "attributes" }, h("summary", {}, `Span events (${span.events.length})`),
      span.events.map((e) => h("div", { class: "event" }, h("code", {}, e.name), h("pre", { class: "json" }, pretty(e.attributes))))) : null,
    (span.logs || []).length ? h("details", { class: "attributes" }, h("summary", {}, `Log events (${span.logs.length})`),
      span.logs.map((e) => h("div", { class: "event" }, h("code", {}, e.event_name || "log"), " ", fmtTime(e.time_ms),
        e.body !== null ? h("pre", { class: "json" }, pretty(e.body)) : null,
        h("pre", { class: "json" }, pretty(e.attributes))))) : null);
}

/** The detail page of one trace. */
export async function traceDetailView(main, traceId) {
  let data;
  try {
    data = await api(`/api/traces/${encodeURIComponent(traceId)}`);
  } catch (error) {
    put(clear(main), h("h1", {}, "Trace"), errorBox(error));
    return;
  }
  const { trace, spans, totals } = data;
  clear(main);
  put(main, h("div", { class: "trace-head" },
    h("h1", {}, trace.root_name || "(unnamed trace)"),
    h("div", { class: "muted" }, `${fmtTime(trace.start_ms)} · ${fmtDuration(trace.duration_ms)} · ${plural(trace.span_count, "span")} · `,
      statusCell(trace),
      trace.conversation_id ? [" · conversation ", link(`/session/${encodeURIComponent(trace.conversation_id)}`, trace.conversation_id)] : null),
    runTotals(totals),
    h("div", { class: "muted small" }, `trace ${trace.trace_id}`),
    serviceNameHint(spans.map((s) => s.service))));

  const start = trace.start_ms;
  const total = Math.max(trace.duration_ms, 0.001);
  const detail = h("div", { class: "detail-pane" });
  const rows = [];
  const rowOf = new Map();
  const links = {
    byCallId: new Map((data.tool_calls || []).map((c) => [c.call_id, c])),
    goTo: (spanId) => { const found = rowOf.get(spanId); if (found) { select(...found); found[1].focus(); } },
  };
  const select = (span, row) => {
    rows.forEach((r) => r.classList.remove("selected"));
    row.classList.add("selected");
    put(clear(detail), spanDetails(span, links));
  };
  const tree = h("div", { class: "span-tree", id: "span-tree" });
  for (const [span, depth] of treeOrder(spans)) {
    const left = ((span.start_ms - start) / total) * 100;
    const width = Math.max((span.duration_ms / total) * 100, 0.5);
    const kind = span.agent_kind || "other";
    const row = h("div", {
      class: `span-row kind-${kind}${span.status === "error" ? " failed" : ""}${span.genai ? " genai" : ""}`,
      tabindex: 0, "data-span-id": span.span_id, "data-depth": depth,
    },
      h("div", { class: "span-name", style: { paddingLeft: `${depth * 14 + 4}px` } },
        kindBadge(kind) || (span.genai ? h("span", { class: "badge genai" }, "AI") : null), span.name),
      h("div", { class: "span-bar-cell" },
        h("div", { class: "span-bar", style: { left: `${Math.min(left, 99.5)}%`, width: `${Math.min(width, 100 - Math.min(left, 99.5))}%` } })),
      h("div", { class: "span-dur num" }, fmtDuration(span.duration_ms)));
    row.addEventListener("click", () => select(span, row));
    row.addEventListener("keydown", (e) => { if (e.key === "Enter") select(span, row); });
    rows.push(row);
    rowOf.set(span.span_id, [span, row]);
    put(tree, row);
  }
  put(main, h("div", { class: "trace-body" }, tree, detail));
  const ordered = treeOrder(spans).map(([s]) => s);
  const first = ordered.findIndex((s) => s.genai);
  const index = first >= 0 ? first : 0;
  if (ordered.length) select(ordered[index], rows[index]);
}
