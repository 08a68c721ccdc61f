"""Each dialect read into the neutral call record, and the fallbacks, from bare attributes and events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from otel_genai.viewer.dialects import (
    INPUT_NOT_CAPTURED,
    NOT_CAPTURED,
    OUTPUT_NOT_CAPTURED,
    CallRecord,
    read_call,
    search_text,
    summarize,
)

START_NS = 1_700_000_000_000_000_000


def _read(attributes: dict[str, Any], span_events: Any = (), log_events: Any = (), failed: bool = False) -> CallRecord:
    return read_call(attributes, list(span_events), list(log_events), start_ns=START_NS, failed=failed)


def _details(**attributes: Any) -> dict[str, Any]:
    return {"event_name": "gen_ai.client.inference.operation.details", "body": None, "attributes": attributes}


def _text(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "content": content}]


OPENINFERENCE_CHAT = {
    "openinference.span.kind": "LLM",
    "llm.provider": "openai",
    "llm.model_name": "gpt-4o-mini-2024-07-18",
    "llm.invocation_parameters": json.dumps({"model": "gpt-4o-mini", "temperature": 0}),
    "llm.token_count.prompt": 120,
    "llm.token_count.completion": 30,
    "llm.token_count.prompt_details.cache_read": 64,
    "llm.token_count.completion_details.reasoning": 8,
    "session.id": "sess-42",
    "llm.input_messages.0.message.role": "system",
    "llm.input_messages.0.message.content": "Be brief.",
    "llm.input_messages.1.message.role": "user",
    "llm.input_messages.1.message.contents.0.message_content.type": "text",
    "llm.input_messages.1.message.contents.0.message_content.text": "What is in this picture?",
    "llm.input_messages.1.message.contents.1.message_content.type": "image",
    "llm.input_messages.1.message.contents.1.message_content.image.image.url": "https://example.invalid/cat.png",
    "llm.input_messages.2.message.role": "assistant",
    "llm.input_messages.2.message.tool_calls.0.tool_call.id": "call_7",
    "llm.input_messages.2.message.tool_calls.0.tool_call.function.name": "describe",
    "llm.input_messages.2.message.tool_calls.0.tool_call.function.arguments": '{"detail": "high"}',
    "llm.input_messages.3.message.role": "tool",
    "llm.input_messages.3.message.tool_call_id": "call_7",
    "llm.input_messages.3.message.content": '{"animal": "cat"}',
    "llm.output_messages.0.message.role": "assistant",
    "llm.output_messages.0.message.content": "A cat.",
    "llm.tools.0.tool.json_schema": json.dumps(
        {"type": "function", "function": {"name": "describe", "description": "Describe an image."}}
    ),
    "output.value": json.dumps({"choices": [{"index": 0, "finish_reason": "stop"}]}),
}


def test_openinference_llm_span_reads_as_a_chat_call() -> None:
    record = _read(OPENINFERENCE_CHAT)
    assert record.dialect == "OpenInference (LLM)"
    assert record.summary == summarize(OPENINFERENCE_CHAT)
    assert record.summary._asdict() == {
        "operation": "chat", "provider": "openai", "model": "gpt-4o-mini-2024-07-18", "input_tokens": 120,
        "output_tokens": 30, "cache_read_tokens": 64, "cache_write_tokens": None, "reasoning_tokens": 8,
        "conversation_id": "sess-42",
    }  # fmt: skip
    assert (record.request_model, record.response_model) == ("gpt-4o-mini", "gpt-4o-mini-2024-07-18")
    assert record.finish_reasons == ["stop"]  # from the raw response in output.value
    system, user, assistant, tool = record.conversation.input_messages
    assert system == {"role": "system", "parts": _text("Be brief.")}
    assert user["parts"] == [
        *_text("What is in this picture?"),
        {"type": "uri", "modality": "image", "uri": "https://example.invalid/cat.png"},
    ]
    assert assistant["parts"] == [
        {"type": "tool_call", "id": "call_7", "name": "describe", "arguments": {"detail": "high"}}
    ]
    assert tool["parts"] == [{"type": "tool_call_response", "id": "call_7", "response": {"animal": "cat"}}]
    assert record.conversation.output_messages == [{"role": "assistant", "parts": _text("A cat.")}]
    assert record.conversation.tool_definitions == [
        {"type": "function", "name": "describe", "description": "Describe an image."}
    ]
    assert record.notes == []
    text = search_text(OPENINFERENCE_CHAT, [])
    assert "What is in this picture?" in text and "A cat." in text and '{"detail": "high"}' in text


@pytest.mark.parametrize(
    ("kind", "operation"),
    [("LLM", "chat"), ("TOOL", "execute_tool"), ("AGENT", "invoke_agent"), ("EMBEDDING", "embeddings"),
     ("RETRIEVER", "retrieval"), ("CHAIN", None)],
)  # fmt: skip
def test_openinference_span_kinds_map_to_operations(kind: str, operation: str | None) -> None:
    summary = summarize({"openinference.span.kind": kind})
    assert summary is not None and summary.operation == operation


def test_openinference_tool_span_is_a_tool_execution_and_agents_show_their_values() -> None:
    tool = _read({"openinference.span.kind": "TOOL", "tool.name": "get_weather", "tool_call.id": "call_1",
                  "input.value": '{"city": "Paris"}', "output.value": "drizzle"})  # fmt: skip
    assert tool.tool is not None
    assert tool.tool.as_json() == {"name": "get_weather", "type": None, "call_id": "call_1",
                                   "arguments": {"city": "Paris"}, "result": "drizzle"}  # fmt: skip
    assert tool.notes == []
    agent = _read({"openinference.span.kind": "AGENT", "input.value": "plan a trip", "output.value": "done"})
    assert agent.conversation.input_messages == [{"role": "user", "parts": _text("plan a trip")}]
    assert agent.conversation.output_messages == [{"role": "assistant", "parts": _text("done")}]
    assert "plan a trip" in search_text({"openinference.span.kind": "AGENT", "input.value": "plan a trip"}, [])


OPENLLMETRY_FLAT = {
    "llm.request.type": "chat",
    "gen_ai.system": "OpenAI",
    "gen_ai.request.model": "gpt-4o-mini",
    "gen_ai.response.model": "gpt-4o-mini-2024-07-18",
    "gen_ai.usage.prompt_tokens": 40,
    "gen_ai.usage.completion_tokens": 12,
    "gen_ai.usage.cache_read_input_tokens": 32,
    "llm.usage.total_tokens": 52,
    "gen_ai.prompt.0.role": "user",
    "gen_ai.prompt.0.content": "Weather in Paris?",
    "gen_ai.prompt.1.role": "assistant",
    "gen_ai.prompt.1.tool_calls.0.id": "call_1",
    "gen_ai.prompt.1.tool_calls.0.name": "get_weather",
    "gen_ai.prompt.1.tool_calls.0.arguments": '{"city": "Paris"}',
    "gen_ai.prompt.2.role": "tool",
    "gen_ai.prompt.2.tool_call_id": "call_1",
    "gen_ai.prompt.2.content": '{"forecast": "drizzle"}',
    "gen_ai.completion.0.role": "assistant",
    "gen_ai.completion.0.content": "Drizzle.",
    "gen_ai.completion.0.finish_reason": "stop",
    "llm.request.functions.0.name": "get_weather",
    "llm.request.functions.0.parameters": '{"type": "object"}',
}


def test_older_openllmetry_flat_attributes() -> None:
    record = _read(OPENLLMETRY_FLAT)
    assert record.dialect == "OpenLLMetry (flat gen_ai.prompt/completion attributes)"
    assert record.summary[:6] == ("chat", "openai", "gpt-4o-mini", 40, 12, 32)
    user, assistant, tool = record.conversation.input_messages
    assert user == {"role": "user", "parts": _text("Weather in Paris?")}
    assert assistant["parts"] == [
        {"type": "tool_call", "id": "call_1", "name": "get_weather", "arguments": {"city": "Paris"}}
    ]
    assert tool["parts"] == [{"type": "tool_call_response", "id": "call_1", "response": {"forecast": "drizzle"}}]
    assert record.conversation.output_messages[0]["parts"] == _text("Drizzle.")
    assert record.finish_reasons == ["stop"]
    assert record.conversation.tool_definitions == [{"name": "get_weather", "parameters": {"type": "object"}}]
    assert record.conversation.sources == ["gen_ai.prompt/gen_ai.completion attributes"]
    assert "Drizzle." in search_text(OPENLLMETRY_FLAT, [])


@pytest.mark.parametrize(
    "attributes",
    [
        {**OPENLLMETRY_FLAT, "gen_ai.completion.0.finish_reason": "tool_calls"},
        {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o",
         "gen_ai.response.finish_reasons": ["tool_calls"],
         "gen_ai.output.messages": json.dumps([{"role": "assistant", "finish_reason": "function_call", "parts": []}])},
    ],
    ids=["openllmetry", "conventions"],
)  # fmt: skip
def test_finish_reasons_read_as_the_conventions_name_them_on_the_call_and_its_message(attributes) -> None:
    record = _read(attributes)
    assert record.finish_reasons == ["tool_call"]
    assert [m["finish_reason"] for m in record.conversation.output_messages] == ["tool_call"]


def test_oldest_openllmetry_names() -> None:
    summary = summarize({"llm.request.type": "completion", "llm.vendor": "OpenAI", "llm.request.model": "davinci",
                         "llm.usage.prompt_tokens": 5, "llm.usage.completion_tokens": 7})  # fmt: skip
    assert summary is not None and summary[:5] == ("text_completion", "openai", "davinci", 5, 7)


def test_several_details_events_are_merged() -> None:
    span = {"gen_ai.operation.name": "chat", "gen_ai.provider.name": "openai", "gen_ai.request.model": "gpt-4o"}
    record = _read(span, log_events=[
        _details(**{"gen_ai.input.messages": [{"role": "user", "parts": _text("Hi")}]}),
        _details(**{"gen_ai.output.messages": [{"role": "assistant", "parts": _text("Hello!"),
                                                "finish_reason": "stop"}]}),
    ])  # fmt: skip
    assert record.conversation.input_messages[0]["parts"] == _text("Hi")
    assert record.conversation.output_messages[0]["parts"] == _text("Hello!")
    assert record.conversation.sources == ["gen_ai.client.inference.operation.details event"]
    assert record.finish_reasons == ["stop"]
    assert record.notes == []


def test_finish_reasons_fall_back_to_the_choice_events() -> None:
    span = {"gen_ai.operation.name": "chat", "gen_ai.system": "openai", "gen_ai.request.model": "gpt-4o"}
    choices = [
        {"event_name": "gen_ai.choice", "body": {"index": 1, "finish_reason": "length", "message": {"content": "b"}}},
        {"event_name": "gen_ai.choice", "body": {"index": 0, "finish_reason": "tool_calls", "message": {}}},
    ]
    assert _read(span, log_events=choices).finish_reasons == ["tool_call", "length"]
    # The span's own list wins when it has one.
    assert _read({**span, "gen_ai.response.finish_reasons": ["stop"]}, log_events=choices).finish_reasons == ["stop"]


@pytest.mark.parametrize("event", ["First Token Stream Event", "gen_ai.content.completion.chunk",
                                   "llm.content.completion.chunk"])  # fmt: skip
def test_time_to_first_chunk_falls_back_to_span_events(event: str) -> None:
    span = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
    events = [{"name": event, "time_ns": START_NS + ms * 1_000_000, "attributes": {}} for ms in (180, 40, 95)]
    assert _read(span, span_events=events).time_to_first_chunk_s == pytest.approx(0.040)
    assert _read({**span, "gen_ai.response.time_to_first_chunk": 0.5}, span_events=events).time_to_first_chunk_s == 0.5
    assert _read(span).time_to_first_chunk_s is None


def test_system_text_is_shown_once() -> None:
    span = {
        "gen_ai.operation.name": "chat",
        "gen_ai.system_instructions": json.dumps(_text("You are terse.")),
        "gen_ai.input.messages": json.dumps([
            {"role": "system", "parts": _text("You are terse.")},
            {"role": "user", "parts": _text("Hi")},
        ]),
    }  # fmt: skip
    conversation = _read(span).conversation
    assert conversation.system_instructions == _text("You are terse.")
    assert [m["role"] for m in conversation.input_messages] == ["user"]
    # A system message that says something else stays.
    other = {**span, "gen_ai.system_instructions": json.dumps(_text("Something else."))}
    assert [m["role"] for m in _read(other).conversation.input_messages] == ["system", "user"]


def test_notes_where_content_was_not_captured() -> None:
    chat = {"gen_ai.operation.name": "chat", "gen_ai.request.model": "gpt-4o"}
    asked = {**chat, "gen_ai.input.messages": json.dumps([{"role": "user", "parts": _text("Hi")}])}
    answered = {**chat, "gen_ai.output.messages": json.dumps([{"role": "assistant", "parts": _text("Hey")}])}
    assert _read(chat).notes == [NOT_CAPTURED]
    assert _read(asked).notes == [OUTPUT_NOT_CAPTURED]
    assert _read(answered).notes == [INPUT_NOT_CAPTURED]
    # A failed call has no output to miss; an embeddings call never has one.
    assert _read(asked, failed=True).notes == []
    assert _read({**asked, "gen_ai.operation.name": "embeddings"}).notes == []


def test_spans_of_no_dialect_are_not_genai_calls() -> None:
    assert summarize({"http.method": "GET", "llm": "not a marker"}) is None
