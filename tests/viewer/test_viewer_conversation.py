"""Rebuilding conversations from the latest conventions, the details event and older shapes."""

from __future__ import annotations

import json

from viewer_telemetry import HTML_PROMPT, emit_latest_conversation, emit_legacy_conversation

from otel_genai.viewer import queries
from otel_genai.viewer.conversation import normalize_messages
from otel_genai.viewer.dialects import read_call


def build_conversation(attributes: dict, span_events: list, log_events: list) -> dict:
    return read_call(attributes, span_events, log_events, start_ns=0, failed=False).conversation.as_json()


def _spans_by_name(viewer, trace_id: str) -> dict:
    detail = viewer.store.trace_detail(trace_id)
    assert detail is not None
    return {s["name"]: s for s in detail["spans"]}


def test_latest_conventions_on_span_attributes(viewer, pipeline_factory) -> None:
    trace_id = emit_latest_conversation(pipeline_factory(viewer.endpoints, "http"))
    chat = _spans_by_name(viewer, trace_id)["chat gpt-4o-mini"]["genai"]
    conv = chat["conversation"]
    assert conv["sources"] == ["span attributes"]
    assert conv["system_instructions"] == [{"type": "text", "content": "You are a weather assistant."}]
    user, assistant, tool = conv["input_messages"]
    assert user == {"role": "user", "parts": [{"type": "text", "content": HTML_PROMPT}]}
    assert assistant["parts"][0] == {
        "type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"location": "Paris"}
    }  # fmt: skip
    assert tool["parts"][0]["response"] == "rainy, 57°F"
    assert conv["output_messages"][0]["finish_reason"] == "stop"
    assert conv["tool_definitions"] == [{"type": "function", "name": "get_weather"}]
    assert chat["tokens"] == {"input": 1200, "output": 80, "cache_read": 1024, "cache_write": None, "reasoning": 16}
    assert chat["time_to_first_chunk_ms"] == 250.0
    assert chat["finish_reasons"] == ["stop"]
    assert chat["cost_usd"] is not None and chat["cost_usd"] > 0


def test_tool_execution_spans_show_arguments_and_result(viewer, pipeline_factory) -> None:
    trace_id = emit_latest_conversation(pipeline_factory(viewer.endpoints, "http"))
    tool = _spans_by_name(viewer, trace_id)["execute_tool get_weather"]["genai"]["tool"]
    assert tool == {
        "name": "get_weather", "type": "function", "call_id": "call_1",
        "arguments": {"location": "Paris"}, "result": {"forecast": "drizzle until noon"},
    }  # fmt: skip
    viewer.store.index_content()
    hits = viewer.store.list_traces(queries.TraceFilter(text="drizzle"))["traces"]
    assert [t["trace_id"] for t in hits] == [trace_id]


def test_details_event_supplies_content_when_the_span_has_none(viewer, pipeline_factory) -> None:
    trace_id = emit_latest_conversation(pipeline_factory(viewer.endpoints, "http"))
    claude = _spans_by_name(viewer, trace_id)["chat claude-sonnet-4"]["genai"]["conversation"]
    assert claude["sources"] == ["gen_ai.client.inference.operation.details event"]
    assert claude["output_messages"][0]["parts"][0]["content"] == "Paris: rain."


def test_legacy_per_message_events(viewer, pipeline_factory) -> None:
    trace_id = emit_legacy_conversation(pipeline_factory(viewer.endpoints, "http"))
    span = _spans_by_name(viewer, trace_id)["chat gpt-3.5-turbo"]["genai"]
    assert span["provider"] == "openai"  # from gen_ai.system
    assert span["tokens"]["input"] == 30 and span["tokens"]["output"] == 12
    conv = span["conversation"]
    assert conv["sources"] == ["per-message events"]
    roles = [m["role"] for m in conv["input_messages"]]
    assert roles == ["system", "user", "assistant", "tool"]
    call = conv["input_messages"][2]["parts"][0]
    assert call == {"type": "tool_call", "id": "call_9", "name": "lookup", "arguments": {"q": "x"}}
    assert conv["input_messages"][3]["parts"][0] == {
        "type": "tool_call_response",
        "response": "found x",
        "id": "call_9",
    }
    assert conv["output_messages"] == [
        {"role": "assistant", "parts": [{"type": "text", "content": "Legacy answer"}], "finish_reason": "stop"}
    ]


def test_choices_are_ordered_by_index_and_tool_calls_kept() -> None:
    events = [
        ("gen_ai.choice", {"index": 1, "finish_reason": "length", "message": {"content": "second"}}),
        ("gen_ai.choice", {"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant"},
                           "tool_calls": [{"id": "c", "type": "function", "function": {"name": "f"}}]}),
    ]  # fmt: skip
    conv = build_conversation({}, [], [{"event_name": n, "body": b, "attributes": {}} for n, b in events])
    first, second = conv["output_messages"]
    # OpenAI's "tool_calls" reads as the conventions name it.
    assert first["finish_reason"] == "tool_call" and first["parts"][0]["name"] == "f"
    assert second["parts"][0]["content"] == "second"


def test_span_events_in_the_old_shape_and_flat_prompt_attributes() -> None:
    span_events = [{"name": "gen_ai.user.message", "attributes": {"content": "via span event"}}]
    conv = build_conversation({}, span_events, [])
    assert conv["input_messages"][0]["parts"][0]["content"] == "via span event"
    flat = build_conversation(
        {"gen_ai.prompt.0.role": "user", "gen_ai.prompt.0.content": "flat q",
         "gen_ai.completion.0.role": "assistant", "gen_ai.completion.0.content": "flat a"}, [], []
    )  # fmt: skip
    assert flat["input_messages"][0]["parts"][0]["content"] == "flat q"
    assert flat["output_messages"][0]["parts"][0]["content"] == "flat a"


def test_unparseable_and_odd_values_degrade_to_text() -> None:
    truncated = '[{"role":"user","parts":[{"type":"text","content":"cut he'
    assert normalize_messages(truncated)[0]["parts"][0]["content"] == truncated
    assert normalize_messages(json.dumps([{"role": "user", "content": "old shape"}]))[0]["parts"] == [
        {"type": "text", "content": "old shape"}
    ]
    assert normalize_messages(42) == []
    odd = normalize_messages([{"role": "user", "parts": [{"type": "video_frame", "x": 1}]}, "bare"])
    assert odd[0]["parts"][0] == {"type": "video_frame", "x": 1}
    assert odd[1] == {"role": "unknown", "parts": [{"type": "text", "content": "bare"}]}
