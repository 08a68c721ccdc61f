// Overview: totals, calls/tokens/cost over time by model (inline SVG), latency and errors.
import { api, clear, colour, fmtDuration, fmtInt, fmtPct, fmtTime, fmtUsd, h, plural, put, svg } from "./dom.js";

// "data": from the first to the last stored call, so the bars fill the chart (the default).
const WINDOWS = [["data", null, "Stored data"], ["1h", 3.6e6, "Last hour"], ["24h", 8.64e7, "Last 24 hours"],
  ["7d", 6.048e8, "Last 7 days"], ["30d", 2.592e9, "Last 30 days"]];

function stackedBars(series, models, field, format) {
  const width = 720, height = 160, pad = 40;
  const totals = series.map((b) => models.reduce((sum, m) => sum + ((b.by_model[m] || {})[field] || 0), 0));
  const max = Math.max(...totals, 0);
  const barW = (width - pad) / Math.max(series.length, 1);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height + 20}`, class: "chart", role: "img" });
  chart.append(svg("text", { x: 0, y: 12, class: "axis" }, format(max)), svg("text", { x: 0, y: height, class: "axis" }, "0"));
  series.forEach((bucket, i) => {
    let y = height;
    models.forEach((model, mi) => {
      const value = (bucket.by_model[model] || {})[field] || 0;
      if (!value || !max) return;
      const barH = (value / max) * (height - 16);
      y -= barH;
      chart.append(svg("rect", { x: pad + i * barW + 1, y, width: Math.max(barW - 2, 1), height: barH, fill: colour(mi) },
        svg("title", {}, `${fmtTime(bucket.t_ms)} · ${model}: ${format(value)}`)));
    });
  });
  if (series.length) {
    chart.append(svg("text", { x: pad, y: height + 16, class: "axis" }, fmtTime(series[0].t_ms).slice(5, 16)));
    chart.append(svg("text", { x: width, y: height + 16, class: "axis", "text-anchor": "end" },
      fmtTime(series[series.length - 1].t_ms).slice(5, 16)));
  }
  return chart;
}

function legend(models) {
  return h("div", { class: "legend" }, models.map((m, i) =>
    h("span", {}, h("span", { class: "swatch", style: { background: colour(i) } }), m)));
}

function card(label, value, note) {
  return h("div", { class: "card" }, h("div", { class: "card-label" }, label), h("div", { class: "card-value" }, value),
    note ? h("div", { class: "muted small" }, note) : null);
}

/** The overview page. */
export async function overviewView(main, params, navigate) {
  const key = params.get("window") || "data";
  const win = WINDOWS.find(([k]) => k === key) || WINDOWS[0];
  const until = Date.now();
  const data = await api(win[1] === null ? "/api/overview" : `/api/overview?since=${Math.floor(until - win[1])}&until=${Math.floor(until)}`);
  const models = data.models.map((m) => m.model);
  const t = data.totals;
  clear(main);
  put(main, h("h1", {}, "Overview"),
    h("div", { class: "filters" }, WINDOWS.map(([k, , label]) =>
      h("button", { type: "button", class: k === win[0] ? "active" : "", onclick: () => navigate(`/overview?window=${k}`) }, label)),
    h("span", { class: "muted small", id: "overview-window" }, `${fmtTime(data.since_ms).slice(0, 16)} – ${fmtTime(data.until_ms).slice(0, 16)}`)));
  put(main, h("div", { class: "cards" },
    card("Model calls", fmtInt(t.calls)),
    card("Tokens in / out", `${fmtInt(t.input_tokens)} / ${fmtInt(t.output_tokens)}`),
    card("Estimated cost", fmtUsd(t.cost_usd),
      t.unpriced_calls ? `${plural(t.unpriced_calls, "call")} ${t.unpriced_calls === 1 ? "has" : "have"} no price in genai-prices`
        : "prices from genai-prices"),
    card("Error rate", fmtPct(t.error_rate), plural(t.errors, "failed call"))));
  if (!t.calls) {
    put(main, h("p", { class: "empty" }, "No model calls in this window."));
  } else {
    put(main, 
      h("h2", {}, "Calls by model"), legend(models), stackedBars(data.series, models, "calls", fmtInt),
      h("h2", {}, "Tokens by model"), stackedBars(data.series, models, "tokens", fmtInt),
      h("h2", {}, "Estimated cost by model"), stackedBars(data.series, models, "cost_usd", fmtUsd),
      data.cost_approximate ? h("p", { class: "muted small" },
        "Cost approximated from summed usage (too many distinct calls to price one by one).") : null);
  }
  put(main, h("h2", {}, "Per model (from spans)"), h("table", { class: "list", id: "model-table" },
    h("thead", {}, h("tr", {}, ["Model", "Provider", "Calls", "Errors", "Error rate", "Input tok", "Output tok", "Cost", "p50", "p95", "p99"]
      .map((c) => h("th", {}, c)))),
    h("tbody", {}, data.models.map((m) => h("tr", {},
      h("td", {}, m.model), h("td", {}, m.providers.join(", ")), h("td", { class: "num" }, fmtInt(m.calls)),
      h("td", { class: "num" }, fmtInt(m.errors)), h("td", { class: "num" }, fmtPct(m.error_rate)),
      h("td", { class: "num" }, fmtInt(m.input_tokens)), h("td", { class: "num" }, fmtInt(m.output_tokens)),
      h("td", { class: "num" }, m.cost_usd === null ? h("span", { class: "muted", title: m.cost_note || "" }, "no price") : fmtUsd(m.cost_usd),
        m.cost_usd !== null && m.unpriced_calls ? h("div", { class: "muted small" }, `${m.unpriced_calls} unpriced`) : null),
      h("td", { class: "num" }, fmtDuration(m.p50_ms)), h("td", { class: "num" }, fmtDuration(m.p95_ms)),
      h("td", { class: "num" }, fmtDuration(m.p99_ms)))))));
  const unpriced = data.models.filter((m) => m.cost_usd === null);
  if (unpriced.length) {
    put(main, h("p", { class: "muted small" }, "No price in genai-prices for: ",
      unpriced.map((m) => m.model).join(", "), ". Their cost is left out of the totals."));
  }
  const metrics = data.metrics;
  if (metrics.durations.length || metrics.token_usage.length) {
    put(main, h("h2", {}, "From metrics"),
      h("table", { class: "list" }, h("thead", {}, h("tr", {}, ["Model", "Operations", "p50", "p95", "p99"].map((c) => h("th", {}, c)))),
        h("tbody", {}, metrics.durations.map((d) => h("tr", {}, h("td", {}, d.model), h("td", { class: "num" }, fmtInt(d.count)),
          h("td", { class: "num" }, fmtDuration(d.p50_ms)), h("td", { class: "num" }, fmtDuration(d.p95_ms)),
          h("td", { class: "num" }, fmtDuration(d.p99_ms)))))),
      h("p", { class: "muted small" }, "Latency from gen_ai.client.operation.duration histograms (bucket estimates)."),
      metrics.token_usage.length ? h("table", { class: "list" },
        h("thead", {}, h("tr", {}, ["Model", "Token type", "Tokens"].map((c) => h("th", {}, c)))),
        h("tbody", {}, metrics.token_usage.map((u) => h("tr", {}, h("td", {}, u.model), h("td", {}, u.token_type),
          h("td", { class: "num" }, fmtInt(Math.round(u.sum))))))) : null);
  }
}
