// Sessions: traces grouped by gen_ai.conversation.id.
import { api, clear, fmtDuration, fmtInt, fmtTime, h, link, pretty, put } from "./dom.js";

/** The list of conversations. */
export async function sessionListView(main) {
  const data = await api("/api/sessions");
  clear(main);
  put(main, h("h1", {}, "Sessions"),
    h("p", { class: "muted" }, "Traces grouped by gen_ai.conversation.id, most recently active first."));
  if (!data.sessions.length) {
    put(main, h("p", { class: "empty" }, "No trace carries gen_ai.conversation.id yet."));
    return;
  }
  put(main, h("table", { class: "list", id: "session-list" },
    h("thead", {}, h("tr", {}, ["Conversation", "Traces", "First", "Last", "Input tok", "Output tok", "Failed"].map((c) => h("th", {}, c)))),
    h("tbody", {}, data.sessions.map((s) => h("tr", {},
      h("td", {}, link(`/session/${encodeURIComponent(s.conversation_id)}`, s.conversation_id)),
      h("td", { class: "num" }, fmtInt(s.traces)),
      h("td", { class: "nowrap" }, fmtTime(s.first_ms)), h("td", { class: "nowrap" }, fmtTime(s.last_ms)),
      h("td", { class: "num" }, fmtInt(s.input_tokens)), h("td", { class: "num" }, fmtInt(s.output_tokens)),
      h("td", { class: "num" }, fmtInt(s.failed_traces)))))));
}

/** One message of the transcript: its text parts, and its other parts (tool calls…) in short. */
function transcriptMessage(message) {
  const role = message.role || "unknown";
  return h("div", { class: `message role-${role.replace(/[^a-z_]/gi, "")}` },
    h("div", { class: "message-head" }, h("span", { class: "role" }, role)),
    (message.parts || []).map((part) => part.type === "text"
      ? h("div", { class: "text" }, part.content ?? "")
      : h("div", { class: "muted small" }, part.type === "tool_call" ? `tool call ${part.name || "?"}` : `[${part.type}]`,
        part.type === "tool_call" && part.arguments != null ? ` ${pretty(part.arguments)}` : "")));
}

/** The conversation's turns in order: what was asked and answered in each trace. */
function transcript(turns) {
  if (!turns.some((t) => t.asked.length || t.answered.length)) {
    return h("p", { class: "muted", id: "transcript" }, "No captured content: the transcript needs content capture on.");
  }
  return h("section", { class: "transcript", id: "transcript" },
    turns.map((turn, i) => h("div", { class: "turn", "data-trace-id": turn.trace_id },
      h("div", { class: "part-head" }, link(`/trace/${turn.trace_id}`, `Turn ${i + 1}`)),
      turn.asked.map(transcriptMessage), turn.answered.map(transcriptMessage))));
}

/** One conversation: its transcript, then its traces in order. */
export async function sessionView(main, conversationId) {
  const data = await api(`/api/sessions/${encodeURIComponent(conversationId)}`);
  clear(main);
  put(main, h("h1", {}, "Session ", h("code", {}, conversationId)), h("p", {}, link("/sessions", "← all sessions")));
  put(main, h("h2", {}, "Transcript"), transcript(data.transcript || []), h("h2", {}, "Traces"));
  put(main, h("table", { class: "list" },
    h("thead", {}, h("tr", {}, ["#", "Time", "Root span", "Model", "Input tok", "Output tok", "Duration", "Status"].map((c) => h("th", {}, c)))),
    h("tbody", {}, data.traces.map((t, i) => h("tr", { class: t.error ? "failed" : "" },
      h("td", { class: "num" }, String(i + 1)), h("td", { class: "nowrap" }, fmtTime(t.start_ms)),
      h("td", {}, link(`/trace/${t.trace_id}`, t.root_name || "(unnamed)")), h("td", {}, t.models.join(", ") || "–"),
      h("td", { class: "num" }, fmtInt(t.input_tokens)), h("td", { class: "num" }, fmtInt(t.output_tokens)),
      h("td", { class: "num" }, fmtDuration(t.duration_ms)),
      h("td", {}, t.error ? h("span", { class: "status error" }, "error") : h("span", { class: "status ok" }, "ok")))))));
}
