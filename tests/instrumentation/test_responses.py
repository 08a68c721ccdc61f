"""The Responses API over real HTTP: create, parse, stream, retrieve, tools and failures.

Telemetry is compared with what the returned objects say. The local endpoint serves
create and retrieve; a small loopback app replays event streams for what it does not
(streamed retrieve, an ``error`` event).
"""

from __future__ import annotations

import json
from typing import Any

import openai
import pytest
from opentelemetry.trace import SpanKind, StatusCode
from pydantic import BaseModel

from telemetry_capture import json_attr

# Older clients create their resources in __init__, newer ones lazily: ask an instance.
HAS_RESPONSES = hasattr(openai.OpenAI(api_key="unused"), "responses")
pytestmark = pytest.mark.skipif(not HAS_RESPONSES, reason="this client has no Responses API")

MODEL = "gpt-4o-mini"
QUESTION = "Write a short poem on OpenTelemetry."
WEATHER = {
    "type": "function",
    "name": "get_weather",
    "description": "Current weather",
    "parameters": {"type": "object", "properties": {"location": {"type": "string"}}, "required": ["location"]},
}
CHUNKS = {"x-mock-chunks": "12"}


def _by_start(captured: Any) -> list[Any]:
    return sorted(captured.spans(), key=lambda s: s.start_time)


def _read(obj: Any, *path: str) -> Any:
    """``obj.a.b``, where older clients may hold a plain dict at any step."""
    for name in path:
        obj = obj.get(name) if isinstance(obj, dict) else getattr(obj, name)
    return obj


def _usage_attributes(usage: Any) -> dict[str, int]:
    cached = _read(usage, "input_tokens_details", "cached_tokens")
    reasoning = _read(usage, "output_tokens_details", "reasoning_tokens")
    return {
        "gen_ai.usage.input_tokens": usage.input_tokens,
        "gen_ai.usage.output_tokens": usage.output_tokens,
        **({"gen_ai.usage.cache_read.input_tokens": cached} if cached else {}),
        **({"gen_ai.usage.reasoning.output_tokens": reasoning} if reasoning else {}),
    }


def test_create_span_describes_the_call_and_its_response(instrument, client, mock_server):
    captured = instrument()
    response = client.responses.create(model=MODEL, input=QUESTION, temperature=0.3, top_p=0.9, max_output_tokens=400)

    span = captured.span()
    assert span.name == f"chat {MODEL}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attrs = dict(span.attributes)
    assert response.status == "completed" and not response.incomplete_details
    expected = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": MODEL,
        "server.address": "127.0.0.1",
        "server.port": mock_server.port,
        "gen_ai.request.temperature": 0.3,
        "gen_ai.request.top_p": 0.9,
        "gen_ai.request.max_tokens": 400,
        "gen_ai.response.id": response.id,
        "gen_ai.response.model": response.model,
        "gen_ai.response.status": response.status,
        "gen_ai.response.finish_reasons": ("stop",),
        "openai.api.type": "responses",
        "openai.response.service_tier": response.service_tier,
        **_usage_attributes(response.usage),
    }
    assert attrs == expected  # nothing more: no content, no stream, no error by default
    assert captured.logs() == []
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in captured.metrics("gen_ai.client.token.usage")}
    assert tokens == {"input": response.usage.input_tokens, "output": response.usage.output_tokens}


def test_request_parameters_map_to_attributes(instrument, client):
    captured = instrument()
    first = client.responses.create(model=MODEL, input="Hi")
    captured.clear()
    client.responses.create(
        model="o4-mini",
        input="Hello again",
        previous_response_id=first.id,
        reasoning={"effort": "low"},
        text={"format": {"type": "json_object"}},
        # Newer than openai 1.66's signature, so in extra_body.
        extra_body={
            "service_tier": "flex",
            "conversation": {"id": "conv_123"},
            "prompt": {"id": "pmpt_1", "version": "2"},
        },
    )
    attrs = captured.span().attributes
    assert attrs["gen_ai.request.previous_response.id"] == first.id
    assert attrs["gen_ai.request.reasoning.level"] == "low"
    assert attrs["gen_ai.output.type"] == "json"
    assert attrs["openai.request.service_tier"] == "flex"
    assert attrs["gen_ai.conversation.id"] == "conv_123"
    assert attrs["gen_ai.prompt.name"] == "pmpt_1"
    assert attrs["gen_ai.prompt.version"] == "2"


@pytest.mark.parametrize(
    ("mode", "on_span", "on_event"), [("NO_CONTENT", 0, 0), ("SPAN_ONLY", 1, 0), ("SPAN_AND_EVENT", 1, 1)]
)
def test_content_modes_and_instructions(instrument, client, mode, on_span, on_event):
    captured = instrument(capture=mode)
    response = client.responses.create(model=MODEL, input=QUESTION, instructions="You are a poet.")
    span = captured.span()
    expected = {
        "gen_ai.system_instructions": [{"type": "text", "content": "You are a poet."}],
        "gen_ai.input.messages": [{"role": "user", "parts": [{"type": "text", "content": QUESTION}]}],
        "gen_ai.output.messages": [
            {"role": "assistant", "parts": [{"type": "text", "content": response.output_text}], "finish_reason": "stop"}
        ],
    }
    for key, value in expected.items():
        assert (json_attr(span, key) if on_span else span.attributes.get(key)) == (value if on_span else None)
    events = captured.events("gen_ai.client.inference.operation.details")
    assert len(events) == on_event
    for event in events:
        assert {k: json.loads(json.dumps(event.attributes[k])) for k in expected} == expected


async def test_async_create(instrument, async_client):
    captured = instrument(capture="SPAN_ONLY")
    response = await async_client.responses.create(model=MODEL, input=QUESTION)
    span = captured.span()
    assert span.attributes["gen_ai.response.id"] == response.id
    assert json_attr(span, "gen_ai.output.messages")[0]["parts"] == [{"type": "text", "content": response.output_text}]


def _event_shape(events: list[Any]) -> list[tuple[str, Any]]:
    return [(e.type, getattr(e, "delta", None)) for e in events]


def test_stream_is_unchanged_and_fully_described(instrument, client):
    kwargs = dict(model=MODEL, input=QUESTION, stream=True, extra_headers=CHUNKS)
    baseline = list(client.responses.create(**kwargs))
    captured = instrument(capture="SPAN_ONLY")
    stream = client.responses.create(**kwargs)
    assert type(stream) is openai.Stream
    events = list(stream)
    assert _event_shape(events) == _event_shape(baseline)

    final = events[-1].response
    assert events[-1].type == "response.completed"
    span = captured.span()
    attrs = span.attributes
    assert attrs["gen_ai.request.stream"] is True
    assert 0 < attrs["gen_ai.response.time_to_first_chunk"] < 10
    assert attrs["gen_ai.response.id"] == events[0].response.id == final.id
    assert attrs["gen_ai.response.model"] == final.model
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    for key, value in _usage_attributes(final.usage).items():
        assert attrs[key] == value
    text = "".join(e.delta for e in events if e.type == "response.output_text.delta")
    assert json_attr(span, "gen_ai.output.messages") == [
        {"role": "assistant", "parts": [{"type": "text", "content": text}], "finish_reason": "stop"}
    ]
    (per_chunk,) = captured.metrics("gen_ai.client.operation.time_per_output_chunk")
    assert per_chunk.count == len(events) - 1


async def test_async_stream(instrument, async_client):
    captured = instrument()
    stream = await async_client.responses.create(model=MODEL, input=QUESTION, stream=True)
    assert type(stream) is openai.AsyncStream
    events = [e async for e in stream]
    attrs = captured.span().attributes
    assert attrs["gen_ai.response.id"] == events[-1].response.id
    assert attrs["gen_ai.usage.output_tokens"] == events[-1].response.usage.output_tokens


def test_stream_closed_early_keeps_what_arrived(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    stream = client.responses.create(model=MODEL, input=QUESTION, stream=True, extra_headers=CHUNKS)
    deltas = []
    for event in stream:
        if event.type == "response.output_text.delta":
            deltas.append(event.delta)
            if len(deltas) == 3:
                break
    stream.close()
    span = captured.span()
    assert "error.type" not in span.attributes
    assert span.attributes["gen_ai.response.finish_reasons"] == ("error",)  # no finish reason arrived
    (output,) = json_attr(span, "gen_ai.output.messages")
    assert output == {
        "role": "assistant",
        "parts": [{"type": "text", "content": "".join(deltas)}],
        "finish_reason": "error",
    }


def test_stream_helper_gives_one_span(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    with client.responses.stream(model=MODEL, input=QUESTION) as stream:
        final = stream.get_final_response()
    span = captured.span()
    assert span.attributes["gen_ai.request.stream"] is True
    assert span.attributes["gen_ai.response.id"] == final.id
    assert json_attr(span, "gen_ai.output.messages")[0]["parts"][0]["content"] == final.output_text


async def test_async_stream_helper_gives_one_span(instrument, async_client):
    captured = instrument()
    async with async_client.responses.stream(model=MODEL, input=QUESTION) as stream:
        final = await stream.get_final_response()
    assert captured.span().attributes["gen_ai.response.id"] == final.id


class Haiku(BaseModel):
    title: str
    lines: list[str]


def test_parse_with_a_pydantic_format(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    response = client.responses.parse(model=MODEL, input="A haiku on tracing", text_format=Haiku)
    assert isinstance(response.output_parsed, Haiku)
    span = captured.span()
    assert span.attributes["gen_ai.output.type"] == "json"
    assert span.attributes["gen_ai.response.id"] == response.id
    assert json.loads(json_attr(span, "gen_ai.output.messages")[0]["parts"][0]["content"]) == json.loads(
        response.output_text
    )


def test_raw_response(instrument, client):
    captured = instrument()
    raw = client.responses.with_raw_response.create(model=MODEL, input=QUESTION)
    assert captured.span().attributes["gen_ai.response.id"] == raw.parse().id


@pytest.mark.parametrize("positional", [True, False])
def test_retrieve_is_a_fetch_response_span(instrument, client, positional):
    created = client.responses.create(model=MODEL, input=QUESTION, instructions="Be brief.")
    captured = instrument(capture="SPAN_ONLY")
    fetched = client.responses.retrieve(created.id) if positional else client.responses.retrieve(response_id=created.id)
    span = captured.span()
    attrs = span.attributes
    assert span.name == "fetch_response"
    assert attrs["gen_ai.operation.name"] == "fetch_response"
    assert attrs["gen_ai.response.id"] == fetched.id == created.id
    assert attrs["gen_ai.response.status"] == fetched.status
    assert attrs["gen_ai.response.finish_reasons"] == ("stop",)
    assert attrs["openai.api.type"] == "responses"
    for absent in ("gen_ai.request.model", "gen_ai.input.messages", "gen_ai.usage.input_tokens", "error.type"):
        assert absent not in attrs
    assert json_attr(span, "gen_ai.system_instructions") == [{"type": "text", "content": fetched.instructions}]
    assert json_attr(span, "gen_ai.output.messages")[0]["parts"] == [{"type": "text", "content": fetched.output_text}]
    assert captured.metrics("gen_ai.client.token.usage") == []
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.attributes["gen_ai.operation.name"] == "fetch_response"


def test_retrieve_of_an_unknown_response(instrument, client):
    captured = instrument()
    with pytest.raises(openai.NotFoundError):
        client.responses.retrieve(response_id="resp_missing")
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == "openai.NotFoundError"
    assert span.attributes["gen_ai.response.id"] == "resp_missing"


@pytest.mark.parametrize("api", ["sync", "async"])
async def test_tool_loop_tells_the_whole_conversation(instrument, client, async_client, api):
    captured = instrument(capture="SPAN_ONLY")

    async def create(**kwargs: Any) -> Any:
        if api == "sync":
            return client.responses.create(model=MODEL, tools=[WEATHER], **kwargs)
        return await async_client.responses.create(model=MODEL, tools=[WEATHER], **kwargs)

    first = await create(input="What is the weather in Paris?")
    (call,) = first.output
    assert call.type == "function_call"
    result = json.dumps({"conditions": "sunny"})
    second = await create(
        previous_response_id=first.id,
        input=[{"type": "function_call_output", "call_id": call.call_id, "output": result}],
    )
    asked, answered = _by_start(captured)
    for span in (asked, answered):
        assert span.status.status_code is StatusCode.UNSET
        assert json_attr(span, "gen_ai.tool.definitions") == [{"type": "function", "name": "get_weather"}]

    assert asked.attributes["gen_ai.response.finish_reasons"] == ("tool_calls",)
    assert json_attr(asked, "gen_ai.output.messages") == [
        {
            "role": "assistant",
            "parts": [
                {"type": "tool_call", "id": call.call_id, "name": call.name, "arguments": json.loads(call.arguments)}
            ],
            "finish_reason": "tool_call",
        }
    ]
    assert (
        answered.attributes["gen_ai.request.previous_response.id"] == first.id == asked.attributes["gen_ai.response.id"]
    )
    assert json_attr(answered, "gen_ai.input.messages") == [
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": call.call_id, "response": result}]}
    ]
    assert answered.attributes["gen_ai.response.finish_reasons"] == ("stop",)
    (output,) = json_attr(answered, "gen_ai.output.messages")
    assert output["parts"] == [{"type": "text", "content": second.output_text}]


def test_history_sent_as_items_groups_into_messages(instrument, client):
    first = client.responses.create(model=MODEL, input="Weather in Paris?", tools=[WEATHER])
    (call,) = first.output
    captured = instrument(capture="SPAN_ONLY")
    history = [
        {"role": "developer", "content": "Answer in French."},
        {"role": "user", "content": "Weather in Paris?"},
        *first.output,  # pydantic items, as applications pass them back
        {"type": "function_call_output", "call_id": call.call_id, "output": "sunny"},
    ]
    client.responses.create(model=MODEL, input=history, tools=[WEATHER])
    messages = json_attr(captured.span(), "gen_ai.input.messages")
    assert [m["role"] for m in messages] == ["developer", "user", "assistant", "tool"]
    assert messages[2]["parts"] == [
        {"type": "tool_call", "id": call.call_id, "name": call.name, "arguments": json.loads(call.arguments)}
    ]
    assert messages[3]["parts"] == [{"type": "tool_call_response", "id": call.call_id, "response": "sunny"}]


def test_multimodal_input_parts(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    content = [
        {"type": "input_text", "text": "Describe these."},
        {"type": "input_image", "image_url": "https://example.com/cat.png", "detail": "auto"},
        {"type": "input_image", "image_url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"},
        {"type": "input_image", "file_id": "file-img", "detail": "auto"},
        {"type": "input_file", "file_id": "file-doc"},
        {"type": "input_file", "filename": "a.pdf", "file_data": "data:application/pdf;base64,JVBERi0="},
    ]
    client.responses.create(model=MODEL, input=[{"role": "user", "content": content}])
    (message,) = json_attr(captured.span(), "gen_ai.input.messages")
    assert message["parts"] == [
        {"type": "text", "content": "Describe these."},
        {"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"},
        {"type": "blob", "modality": "image", "mime_type": "image/png", "content": "iVBORw0KGgo="},
        {"type": "file", "modality": "image", "file_id": "file-img"},
        {"type": "file", "modality": "document", "file_id": "file-doc"},
        {"type": "blob", "modality": "document", "mime_type": "application/pdf", "content": "JVBERi0="},
    ]


def test_echoed_items_of_every_kind(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    interpreter = {"code": "print(6 * 7)", "container_id": "cntr_1"}
    history = [
        {"role": "user", "content": [{"type": "input_audio", "input_audio": {"data": "UklGRg==", "format": "wav"}}]},
        {"type": "reasoning", "id": "rs_1", "summary": [{"type": "summary_text", "text": "Compute it."}]},
        {"type": "code_interpreter_call", "id": "ci_1", **interpreter, "status": "completed", "outputs": []},
        {"type": "mcp_call", "id": "mcp_1", "name": "lookup", "server_label": "docs", "arguments": '{"q": 1}'},
        {"type": "custom_tool_call", "id": "ctc_1", "call_id": "call_c", "name": "sql", "input": "SELECT 1"},
        {"type": "custom_tool_call_output", "call_id": "call_c", "output": "1"},
        {
            "role": "assistant",
            "content": [{"type": "output_text", "text": "42"}, {"type": "refusal", "refusal": "No."}],
        },
        {"type": "item_reference", "id": "msg_0"},
    ]
    client.responses.create(model=MODEL, input=history)
    assert json_attr(captured.span(), "gen_ai.input.messages") == [
        {
            "role": "user",
            "parts": [{"type": "blob", "modality": "audio", "mime_type": "audio/wav", "content": "UklGRg=="}],
        },
        {
            "role": "assistant",
            "parts": [
                {"type": "reasoning", "content": "Compute it."},
                {
                    "type": "server_tool_call",
                    "id": "ci_1",
                    "name": "code_interpreter",
                    "server_tool_call": {"type": "code_interpreter", **interpreter},
                },
                {
                    "type": "server_tool_call_response",
                    "id": "ci_1",
                    "server_tool_call_response": {"type": "code_interpreter", "status": "completed", "outputs": []},
                },
                {
                    "type": "server_tool_call",
                    "id": "mcp_1",
                    "name": "lookup",
                    "server_tool_call": {"type": "mcp", "server_label": "docs", "arguments": {"q": 1}},
                },
                {"type": "tool_call", "id": "call_c", "name": "sql", "arguments": "SELECT 1"},
            ],
        },
        {"role": "tool", "parts": [{"type": "tool_call_response", "id": "call_c", "response": "1"}]},
        {"role": "assistant", "parts": [{"type": "text", "content": "42"}, {"type": "refusal", "content": "No."}]},
        {"role": "unknown", "parts": [{"type": "item_reference", "id": "msg_0"}]},
    ]


def test_hosted_web_search_and_reasoning(instrument, client):
    captured = instrument(capture="SPAN_ONLY")
    response = client.responses.create(
        model="o4-mini", input="Latest OpenTelemetry news?", reasoning={"effort": "low"}, tools=[{"type": "web_search"}]
    )
    reasoning, search, message = response.output
    action = search.action if isinstance(search.action, dict) else search.action.model_dump(exclude_none=True)
    attrs = captured.span().attributes
    assert attrs["gen_ai.usage.reasoning.output_tokens"] == _read(
        response.usage, "output_tokens_details", "reasoning_tokens"
    )
    assert json_attr(captured.span(), "gen_ai.tool.definitions") == [{"type": "web_search", "name": "web_search"}]
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["finish_reason"] == "stop"
    assert output["parts"] == [
        *({"type": "reasoning", "content": _read(s, "text")} for s in reasoning.summary),
        {
            "type": "server_tool_call",
            "id": search.id,
            "name": "web_search",
            "server_tool_call": {"type": "web_search", "action": action},
        },
        {
            "type": "server_tool_call_response",
            "id": search.id,
            "server_tool_call_response": {"type": "web_search", "status": search.status},
        },
        {"type": "text", "content": message.content[0].text},
    ]


@pytest.mark.parametrize("stream", [False, True])
def test_small_output_budget_finishes_with_length(instrument, client, stream):
    captured = instrument(capture="SPAN_ONLY")
    result = client.responses.create(model=MODEL, input=QUESTION, max_output_tokens=16, stream=stream)
    response = list(result)[-1].response if stream else result
    assert response.status == "incomplete" and response.incomplete_details.reason == "max_output_tokens"
    span = captured.span()
    assert span.attributes["gen_ai.response.finish_reasons"] == ("length",)
    assert span.attributes["gen_ai.response.status"] == "incomplete"
    assert json_attr(span, "gen_ai.output.messages")[0]["finish_reason"] == "length"


def test_unknown_model_is_an_error(instrument, client):
    captured = instrument()
    with pytest.raises(openai.APIStatusError) as raised:
        client.responses.create(model="does-not-exist-model", input=QUESTION)
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == f"openai.{type(raised.value).__name__}"


def test_failed_stream_reports_the_error_code(instrument, client):
    captured = instrument()
    headers = {"x-mock-scenario": "stream-error"}
    events = list(client.responses.create(model=MODEL, input=QUESTION, stream=True, extra_headers=headers))
    assert events[-1].type == "response.failed"
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == events[-1].response.error.code
    assert span.attributes["gen_ai.response.finish_reasons"] == ("error",)


def test_stream_cut_by_the_server(instrument, client):
    captured = instrument()
    stream = client.responses.create(
        model=MODEL, input=QUESTION, stream=True, extra_headers={"x-mock-scenario": "reset-stream:4"}
    )
    with pytest.raises(Exception) as raised:
        list(stream)
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"].endswith(type(raised.value).__name__)


def test_legacy_conventions_omit_the_newer_names(instrument, client):
    captured = instrument(conventions="gen_ai_legacy")
    response = client.responses.create(model=MODEL, input=QUESTION)
    attrs = captured.span().attributes
    assert attrs["gen_ai.system"] == "openai"
    assert attrs["gen_ai.response.id"] == response.id
    for newer in ("gen_ai.response.status", "openai.api.type", "gen_ai.provider.name"):
        assert newer not in attrs
