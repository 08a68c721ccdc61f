"""Reading each GenAI dialect into the neutral call record.

At ingest, ``summarize`` gives a span's store columns and ``search_text`` its searchable
content, from the span alone. For the page, ``read_call`` builds the whole record from the
span's attributes, its span events and the log events correlated with it. Raw attributes are
stored as they came; the record is derived from them.

One module per dialect:

- ``semconv``: the OpenTelemetry GenAI conventions on span attributes (latest and older names);
- ``details_events``: their ``gen_ai.client.inference.operation.details`` log events, merged;
- ``message_events``: the per-message events of the conventions before 1.37;
- ``openllmetry``: OpenLLMetry's flat ``gen_ai.prompt.N.*`` / ``gen_ai.completion.N.*`` / ``llm.usage.*``;
- ``openinference``: OpenInference's ``llm.*`` attributes and ``openinference.span.kind``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import ModuleType
from typing import Any

from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.dialects import details_events, message_events, openinference, openllmetry, semconv
from otel_genai.viewer.dialects.record import CallRecord, CallSummary, Conversation
from otel_genai.viewer.dialects.values import dumps, string_list

# Most specific first: an OpenLLMetry span also has gen_ai.* names, and so may an OpenInference one.
SPAN_DIALECTS: tuple[ModuleType, ...] = (openinference, openllmetry, semconv)
# Span events some producers add at the first streamed chunk (OpenInference) or at every chunk
# (OpenLLMetry, old and new): the first one's time gives the time to first chunk.
FIRST_CHUNK_EVENTS = frozenset({"First Token Stream Event", "gen_ai.content.completion.chunk",
                                "llm.content.completion.chunk"})  # fmt: skip
# Operations that have no model output to capture.
_NO_OUTPUT_OPERATIONS = frozenset({"embeddings", "execute_tool", "retrieval"})
NOT_CAPTURED = (
    "no content captured by this instrumentation; capture is opt-in "
    "(e.g. OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT)"
)
INPUT_NOT_CAPTURED = "input not captured by this instrumentation"
# OpenAI's spellings of the conventions' finish reasons (the conventions' tool_call is singular).
_FINISH_REASONS = {"tool_calls": "tool_call", "function_call": "tool_call"}
OUTPUT_NOT_CAPTURED = "output not captured by this instrumentation"

__all__ = [
    "CallRecord", "CallSummary", "finish_reason", "first_chunk_seconds", "read_call", "read_span", "search_text",
    "span_dialect", "summarize",
]  # fmt: skip


def span_dialect(attributes: Mapping[str, Any]) -> ModuleType | None:
    """The dialect a span's attributes are in, or None for a span that is not a GenAI call."""
    for dialect in SPAN_DIALECTS:
        if dialect.speaks(attributes):
            return dialect
    return None


def summarize(attributes: Mapping[str, Any]) -> CallSummary | None:
    """The store columns of a GenAI span; None for any other span."""
    dialect = span_dialect(attributes)
    return None if dialect is None else dialect.summary(attributes)  # type: ignore[no-any-return]


def read_span(
    attributes: Mapping[str, Any], span_events: Sequence[Mapping[str, Any]]
) -> tuple[CallSummary | None, str]:
    """What ingest keeps of a span: its GenAI columns (None if it is no GenAI call) and its
    captured content as searchable text, content in its GenAI span events included."""
    dialect = span_dialect(attributes)
    call = None if dialect is None else dialect.summary(attributes)
    text = "" if dialect is None else dialect.search_text(attributes)
    events_text = [dumps(e["attributes"]) for e in span_events if e["name"].startswith("gen_ai.") and e["attributes"]]
    if events_text:
        text = "\n".join(filter(None, (text, *events_text)))
    return call, text


def search_text(attributes: Mapping[str, Any], span_events: Sequence[Mapping[str, Any]]) -> str:
    """A span's captured content as searchable text (content in its GenAI span events included)."""
    return read_span(attributes, span_events)[1]


def first_chunk_seconds(span_events: Sequence[Mapping[str, Any]], start_ns: int) -> float | None:
    times = [e["time_ns"] for e in span_events if e.get("name") in FIRST_CHUNK_EVENTS and e.get("time_ns")]
    return (min(times) - start_ns) / 1e9 if times and min(times) >= start_ns else None


def _text_of(parts: Sequence[Mapping[str, Any]]) -> str:
    return "\n".join(str(p.get("content")) for p in parts if p.get("type") == "text").strip()


def _system_text_once(conversation: Conversation) -> None:
    """Drop system messages that repeat the system instructions word for word."""
    instructions = _text_of(conversation.system_instructions)
    if instructions:
        conversation.input_messages = [
            m for m in conversation.input_messages
            if not (m.get("role") == "system" and _text_of(m.get("parts", [])) == instructions)
        ]  # fmt: skip


def _events_content(
    record: CallRecord, span_events: Sequence[Mapping[str, Any]], log_events: Sequence[Mapping[str, Any]]
) -> None:
    conversation = record.conversation
    details = details_events.merged(log_events)
    if details is not None:
        semconv.content(details, conversation, details_events.SOURCE)
        record.finish_reasons = record.finish_reasons or string_list(details.get(gn.FINISH_REASONS))
    if conversation.input_messages and conversation.output_messages:
        return
    pairs = [(e["event_name"], e["body"]) for e in log_events if e["event_name"] in gn.LEGACY_EVENTS]
    pairs += [(e["name"], e.get("attributes")) for e in span_events if e.get("name") in gn.LEGACY_EVENTS]
    inputs, outputs = message_events.read(pairs)
    for field, messages in (("input_messages", inputs), ("output_messages", outputs)):
        if messages and not getattr(conversation, field):
            setattr(conversation, field, messages)
            conversation.add_source(message_events.SOURCE)
            if record.dialect == semconv.LATEST or record.dialect == semconv.BEFORE_1_37:
                record.dialect = f"{semconv.BEFORE_1_37} (per-message events)"


def finish_reason(reason: str) -> str:
    """A finish reason as the conventions name it, so a call's reasons and its messages' agree."""
    return _FINISH_REASONS.get(reason, reason)


def _conventions_finish_reasons(record: CallRecord) -> None:
    record.finish_reasons = [finish_reason(r) for r in record.finish_reasons]
    for message in record.conversation.output_messages:
        if message.get("finish_reason"):
            message["finish_reason"] = finish_reason(str(message["finish_reason"]))


def _notes(record: CallRecord, failed: bool) -> list[str]:
    conversation = record.conversation
    has_input = bool(conversation.input_messages or conversation.system_instructions)
    has_output = bool(conversation.output_messages)
    if record.tool is not None:
        return []
    if not has_input and not has_output:
        return [NOT_CAPTURED]
    if not has_input:
        return [INPUT_NOT_CAPTURED]
    if not has_output and not failed and record.summary.operation not in _NO_OUTPUT_OPERATIONS:
        return [OUTPUT_NOT_CAPTURED]
    return []


def read_call(
    attributes: Mapping[str, Any],
    span_events: Sequence[Mapping[str, Any]],
    log_events: Sequence[Mapping[str, Any]],
    *,
    start_ns: int,
    failed: bool,
) -> CallRecord:
    """The neutral record of one GenAI span.

    ``span_events`` are ``{name, time_ns, attributes}`` dicts; ``log_events`` the span's log
    records as ``{event_name, body, attributes}`` dicts in emission order.
    """
    dialect = span_dialect(attributes) or semconv
    record: CallRecord = dialect.read(attributes)
    _events_content(record, span_events, log_events)
    _system_text_once(record.conversation)
    if not record.finish_reasons:
        outputs = record.conversation.output_messages
        record.finish_reasons = [str(m["finish_reason"]) for m in outputs if m.get("finish_reason")]
    _conventions_finish_reasons(record)
    if record.time_to_first_chunk_s is None:
        record.time_to_first_chunk_s = first_chunk_seconds(span_events, start_ns)
    record.notes = _notes(record, failed)
    return record
