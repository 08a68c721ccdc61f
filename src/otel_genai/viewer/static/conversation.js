// The GenAI panel of one span: conversation, tool calls, output, tokens, timing, errors.
import { fmtDuration, fmtInt, fmtUsd, h, pretty } from "./dom.js";

function textBlock(text, cls = "text") {
  return h("div", { class: cls }, text);
}

function jsonBlock(value) {
  return h("pre", { class: "json" }, pretty(value));
}

/** A button that selects the span at the other end of a tool call, if the trace holds it. */
function toolLink(links, spanId, text) {
  if (!links || !spanId) return null;
  return h("button", { type: "button", class: "tool-link", onclick: () => links.goTo(spanId) }, text);
}

function renderPart(part, links) {
  switch (part.type) {
    case "text":
      return textBlock(part.content ?? "");
    case "reasoning":
      return h("details", { class: "part reasoning" }, h("summary", {}, "Reasoning"), textBlock(part.content ?? ""));
    case "tool_call":
      return h("div", { class: "part tool-call" },
        h("div", { class: "part-head" }, "Tool call ", h("code", {}, part.name || "?"),
          part.id ? h("span", { class: "muted" }, ` id ${part.id}`) : null,
          toolLink(links, links?.byCallId.get(String(part.id))?.executed_by, "→ tool run")),
        part.arguments !== undefined && part.arguments !== null ? jsonBlock(part.arguments) : null);
    case "tool_call_response":
      return h("div", { class: "part tool-result" },
        h("div", { class: "part-head" }, "Tool result", part.id ? h("span", { class: "muted" }, ` for ${part.id}`) : null),
        jsonBlock(part.response));
    case "server_tool_call":
      return h("div", { class: "part tool-call" },
        h("div", { class: "part-head" }, "Provider tool call ", h("code", {}, part.name || "?")),
        jsonBlock(part.server_tool_call ?? part.arguments));
    case "server_tool_call_response":
      return h("div", { class: "part tool-result" }, h("div", { class: "part-head" }, "Provider tool result"),
        jsonBlock(part.server_tool_call_response));
    case "blob":
      return h("div", { class: "part media" },
        `[${part.modality || "blob"}${part.mime_type ? ` ${part.mime_type}` : ""}, ` +
        `${fmtInt(Math.floor(((part.content || "").length * 3) / 4))} bytes inline]`);
    case "uri":
      // Shown as text on purpose: a captured URI is not a link this page vouches for.
      return h("div", { class: "part media" }, `[${part.modality || "uri"}] `, h("code", {}, part.uri || ""));
    case "file":
      return h("div", { class: "part media" }, `[${part.modality || "file"}] file `, h("code", {}, part.file_id || ""));
    default:
      return h("div", { class: "part generic" }, h("div", { class: "part-head" }, part.type || "part"), jsonBlock(part));
  }
}

function renderMessage(message, kind, links) {
  const role = message.role || "unknown";
  return h("div", { class: `message role-${role.replace(/[^a-z_]/gi, "")} ${kind}` },
    h("div", { class: "message-head" },
      h("span", { class: "role" }, role),
      message.name ? h("span", { class: "muted" }, ` (${message.name})`) : null,
      message.finish_reason ? h("span", { class: "badge" }, `finish: ${message.finish_reason}`) : null),
    (message.parts || []).map((part) => renderPart(part, links)));
}

function tokenTable(genai) {
  const t = genai.tokens || {};
  const row = (label, value, note) => h("tr", {}, h("th", {}, label), h("td", {}, value), h("td", { class: "muted" }, note || ""));
  return h("table", { class: "kv tokens" },
    row("Input tokens", fmtInt(t.input)),
    row("  cached (read)", fmtInt(t.cache_read), "included in input"),
    row("  cache write", fmtInt(t.cache_write), "included in input"),
    row("Output tokens", fmtInt(t.output)),
    row("  reasoning", fmtInt(t.reasoning), "included in output"),
    row("Time to first chunk", genai.time_to_first_chunk_ms != null ? fmtDuration(genai.time_to_first_chunk_ms) : "–"),
    row("Estimated cost", genai.cost_usd != null ? fmtUsd(genai.cost_usd) : "unknown", genai.cost_note || "genai-prices"));
}

function metaTable(span, genai) {
  const rows = [
    ["Operation", genai.operation],
    ["Provider", genai.provider],
    ["Request model", genai.request_model],
    ["Response model", genai.response_model],
    ["Finish reasons", (genai.finish_reasons || []).join(", ")],
    ["Conversation", genai.conversation_id],
    ["Duration", fmtDuration(span.duration_ms)],
  ].filter(([, v]) => v !== null && v !== undefined && v !== "");
  return h("table", { class: "kv" }, rows.map(([k, v]) => h("tr", {}, h("th", {}, k), h("td", {}, String(v)))));
}

function errorPanel(span, genai) {
  const failed = span.status === "error" || genai.error_type || (genai.exceptions || []).length;
  if (!failed) return null;
  return h("div", { class: "error-panel" },
    h("div", { class: "part-head" }, "Error", genai.error_type ? h("code", {}, ` ${genai.error_type}`) : null),
    span.status_message ? textBlock(span.status_message) : null,
    (genai.exceptions || []).map((e) => h("details", { class: "exception" },
      h("summary", {}, `${e["exception.type"] || "exception"}: ${e["exception.message"] || ""}`),
      e["exception.stacktrace"] ? h("pre", { class: "json" }, e["exception.stacktrace"]) : null)));
}

function toolPanel(tool, links) {
  return h("div", { class: "part tool-call" },
    h("div", { class: "part-head" }, "Tool ", h("code", {}, tool.name || "?"),
      tool.type ? h("span", { class: "muted" }, ` (${tool.type})`) : null,
      tool.call_id ? h("span", { class: "muted" }, ` call ${tool.call_id}`) : null,
      toolLink(links, links?.byCallId.get(String(tool.call_id))?.requested_by, "← model call")),
    tool.arguments !== null && tool.arguments !== undefined ? [h("div", { class: "muted small" }, "Arguments"), jsonBlock(tool.arguments)] : null,
    tool.result !== null && tool.result !== undefined ? [h("div", { class: "muted small" }, "Result"), jsonBlock(tool.result)] : null);
}

/** The full GenAI panel for a span whose `genai` field is set. `links` (optional):
 * `byCallId` (tool call id → its model and tool spans) and `goTo(spanId)`. */
export function genaiPanel(span, links) {
  const genai = span.genai;
  const conv = genai.conversation || {};
  const hasContent = (conv.input_messages || []).length || (conv.output_messages || []).length ||
    (conv.system_instructions || []).length;
  return h("section", { class: "genai-panel" },
    h("div", { class: "genai-grid" }, metaTable(span, genai), tokenTable(genai)),
    errorPanel(span, genai),
    genai.tool ? [h("h3", {}, "Tool execution"), toolPanel(genai.tool, links)] : null,
    genai.tool && !hasContent ? null : h("h3", {}, "Conversation"),
    (genai.notes || []).map((note) => h("p", { class: "muted content-note" }, `Note: ${note}.`)),
    (conv.system_instructions || []).length
      ? h("div", { class: "message role-system input" },
        h("div", { class: "message-head" }, h("span", { class: "role" }, "system instructions")),
        conv.system_instructions.map(renderPart))
      : null,
    (conv.input_messages || []).map((m) => renderMessage(m, "input", links)),
    (conv.output_messages || []).length ? h("div", { class: "output-label" }, "Output") : null,
    (conv.output_messages || []).map((m) => renderMessage(m, "output", links)),
    (conv.tool_definitions || []).length
      ? h("details", { class: "tool-defs" }, h("summary", {}, `Tools offered (${conv.tool_definitions.length})`),
        conv.tool_definitions.map((d) => h("div", { class: "tool-def" },
          h("code", {}, d.name || "?"), d.description ? ` — ${d.description}` : "",
          d.parameters ? h("pre", { class: "json" }, pretty(d.parameters)) : null)))
      : null,
    h("p", { class: "muted small dialect" }, `Dialect: ${genai.dialect}`,
      (conv.sources || []).length ? ` · read from: ${conv.sources.join(", ")}` : null));
}
