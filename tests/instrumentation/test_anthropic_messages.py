"""Anthropic Messages (plain calls) over real HTTP: spans, metrics, usage and content."""

from __future__ import annotations

import contextlib
import json
from typing import Any

import pytest
from anthropic_helpers import MODEL, WEATHER_TOOL, long_system, scenario, user
from opentelemetry.trace import SpanKind, StatusCode

from local_http import anthropic_http
from telemetry_capture import json_attr

anthropic = pytest.importorskip("anthropic")


@pytest.fixture
def client(mock_server: Any) -> Any:
    return anthropic.Anthropic(
        base_url=mock_server.root_url, api_key="sk-ant-test", max_retries=0, http_client=anthropic_http()
    )


def test_span_describes_the_call_and_its_response(instrument_anthropic: Any, client: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()
    message = client.messages.create(
        model=MODEL,
        max_tokens=64,
        messages=user("Say hi"),
        stop_sequences=["END"],
        extra_body={"temperature": 0.25, "top_p": 0.9, "top_k": 40},
    )
    span = captured.span()
    assert span.name == f"chat {MODEL}"
    assert span.kind is SpanKind.CLIENT
    assert span.status.status_code is StatusCode.UNSET
    attrs = span.attributes
    assert attrs["gen_ai.operation.name"] == "chat"
    assert attrs["gen_ai.provider.name"] == "anthropic"
    assert attrs["gen_ai.request.model"] == MODEL
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == mock_server.port
    assert attrs["gen_ai.request.max_tokens"] == 64
    assert attrs["gen_ai.request.temperature"] == 0.25
    assert attrs["gen_ai.request.top_p"] == 0.9
    assert attrs["gen_ai.request.top_k"] == 40
    assert attrs["gen_ai.request.stop_sequences"] == ("END",)
    assert attrs["gen_ai.response.id"] == message.id
    assert attrs["gen_ai.response.model"] == message.model
    assert attrs["gen_ai.response.finish_reasons"] == (message.stop_reason,)
    assert attrs["gen_ai.usage.input_tokens"] == message.usage.input_tokens
    assert attrs["gen_ai.usage.output_tokens"] == message.usage.output_tokens
    for absent in ("gen_ai.request.stream", "gen_ai.input.messages", "gen_ai.output.messages", "error.type"):
        assert absent not in attrs
    assert captured.logs() == []


def test_metrics_record_duration_and_tokens(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    message = client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.count == 1 and duration.unit == "s"
    assert duration.attributes["gen_ai.provider.name"] == "anthropic"
    assert duration.attributes["gen_ai.response.model"] == message.model
    tokens = {p.attributes["gen_ai.token.type"]: p.sum for p in captured.metrics("gen_ai.client.token.usage")}
    assert tokens == {"input": message.usage.input_tokens, "output": message.usage.output_tokens}
    assert captured.metrics("gen_ai.client.operation.time_to_first_chunk") == []


def test_cached_tokens_count_as_input_and_are_recorded_apart(
    instrument_anthropic: Any, client: Any, request: Any
) -> None:
    captured = instrument_anthropic()
    system = long_system(request.node.nodeid)
    first = client.messages.create(model=MODEL, max_tokens=50, system=system, messages=user("Summarize"))
    second = client.messages.create(model=MODEL, max_tokens=50, system=system, messages=user("Summarize"))
    written, read = first.usage.cache_creation_input_tokens, second.usage.cache_read_input_tokens
    assert written > 1024 and read == written
    write_span, read_span = sorted(captured.spans(), key=lambda s: s.start_time)
    assert write_span.attributes["gen_ai.usage.input_tokens"] == first.usage.input_tokens + written
    assert write_span.attributes["gen_ai.usage.cache_write.input_tokens"] == written
    assert "gen_ai.usage.cache_read.input_tokens" not in write_span.attributes
    assert read_span.attributes["gen_ai.usage.input_tokens"] == second.usage.input_tokens + read
    assert read_span.attributes["gen_ai.usage.cache_read.input_tokens"] == read
    assert "gen_ai.usage.cache_write.input_tokens" not in read_span.attributes
    inputs = sum(
        p.sum for p in captured.metrics("gen_ai.client.token.usage") if p.attributes["gen_ai.token.type"] == "input"
    )
    assert inputs == first.usage.input_tokens + written + second.usage.input_tokens + read


def test_content_maps_system_messages_and_output(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    image = {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}}
    link = {"type": "image", "source": {"type": "url", "url": "https://example.com/cat.png"}}
    message = client.messages.create(
        model=MODEL,
        max_tokens=64,
        system=[{"type": "text", "text": "Be brief."}, {"type": "text", "text": "Be kind."}],
        messages=[{"role": "user", "content": [{"type": "text", "text": "What is this?"}, image, link]}],
    )
    attrs = captured.span().attributes
    assert json_attr(captured.span(), "gen_ai.system_instructions") == [
        {"type": "text", "content": "Be brief."},
        {"type": "text", "content": "Be kind."},
    ]
    assert json.loads(attrs["gen_ai.input.messages"]) == [
        {
            "role": "user",
            "parts": [
                {"type": "text", "content": "What is this?"},
                {"type": "blob", "modality": "image", "content": "iVBORw0KGgo=", "mime_type": "image/png"},
                {"type": "uri", "modality": "image", "uri": "https://example.com/cat.png"},
            ],
        }
    ]
    assert json.loads(attrs["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": message.content[0].text}], "finish_reason": "stop"}
    ]


def test_tool_use_and_results_become_tool_call_parts(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    messages: list[dict[str, Any]] = user("What is the weather in Paris?")
    first = client.messages.create(model=MODEL, max_tokens=500, messages=messages, tools=[WEATHER_TOOL])
    call = next(block for block in first.content if block.type == "tool_use")
    messages += [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id, "content": "Sunny"}]},
    ]
    client.messages.create(model=MODEL, max_tokens=500, messages=messages, tools=[WEATHER_TOOL])
    asked, answered = sorted(captured.spans(), key=lambda s: s.start_time)
    assert asked.attributes["gen_ai.response.finish_reasons"] == ("tool_use",)
    (output,) = json_attr(asked, "gen_ai.output.messages")
    assert output["finish_reason"] == "tool_call"
    tool_parts = [p for p in output["parts"] if p["type"] == "tool_call"]
    assert tool_parts == [{"type": "tool_call", "id": call.id, "name": "get_weather", "arguments": call.input}]
    # Name and type only, unless the user asks for the definitions' details (core policy).
    assert json_attr(asked, "gen_ai.tool.definitions") == [{"type": "function", "name": "get_weather"}]
    history = json_attr(answered, "gen_ai.input.messages")
    assert [m["role"] for m in history] == ["user", "assistant", "user"]
    assert history[1]["parts"][-1]["type"] == "tool_call" and history[1]["parts"][-1]["id"] == call.id
    assert history[2]["parts"] == [{"type": "tool_call_response", "id": call.id, "response": "Sunny"}]


def test_thinking_becomes_reasoning_and_redacted_thinking_keeps_no_data(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    message = client.messages.create(
        model="claude-3-7-sonnet-latest",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=user("How many r are in strawberry?"),
    )
    (output,) = json_attr(captured.span(), "gen_ai.output.messages")
    assert output["parts"][0] == {"type": "reasoning", "content": message.content[0].thinking}
    assert "signature" not in json.dumps(output)
    captured.clear()
    secret = "EmwKAhgBEgy3va3pzix/LafPsn4aDFIT2Xlxh0L5L8rLVyIwxtE3rAFBa8cr3qpP"
    history = [
        *user("Hi"),
        {
            "role": "assistant",
            "content": [{"type": "redacted_thinking", "data": secret}, {"type": "text", "text": "Hello"}],
        },
        *user("Again"),
    ]
    client.messages.create(model=MODEL, max_tokens=64, messages=history)
    inputs = json_attr(captured.span(), "gen_ai.input.messages")
    assert inputs[1]["parts"][0] == {"type": "reasoning", "content": "", "redacted": True}
    assert secret not in captured.span().attributes["gen_ai.input.messages"]


def test_server_tool_blocks_become_server_tool_parts(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="SPAN_ONLY")
    search = {"type": "server_tool_use", "id": "srvtoolu_1", "name": "web_search", "input": {"query": "otel"}}
    result = {
        "type": "web_search_tool_result",
        "tool_use_id": "srvtoolu_1",
        "content": [{"type": "web_search_result", "url": "https://opentelemetry.io", "title": "OTel"}],
    }
    history = [*user("Search"), {"role": "assistant", "content": [search, result]}, *user("Thanks")]
    client.messages.create(
        model=MODEL,
        max_tokens=64,
        messages=history,
        tools=[{"type": "web_search_20250305", "name": "web_search"}],
    )
    span = captured.span()
    parts = json_attr(span, "gen_ai.input.messages")[1]["parts"]
    assert parts == [
        {
            "type": "server_tool_call",
            "id": "srvtoolu_1",
            "name": "web_search",
            "server_tool_call": {"type": "web_search", "input": {"query": "otel"}},
        },
        {
            "type": "server_tool_call_response",
            "id": "srvtoolu_1",
            "server_tool_call_response": {"type": "web_search_tool_result", "content": result["content"]},
        },
    ]
    assert json_attr(span, "gen_ai.tool.definitions") == [{"type": "web_search_20250305", "name": "web_search"}]


def test_no_content_by_default(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    client.messages.create(model=MODEL, max_tokens=64, system="secret system", messages=user("secret question"))
    attrs = captured.span().attributes
    assert not [k for k in attrs if k.startswith(("gen_ai.input", "gen_ai.output.m", "gen_ai.system_instr"))]
    assert "secret" not in repr(dict(attrs))


def test_event_only_puts_content_on_the_details_event(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(capture="EVENT_ONLY")
    client.messages.create(model=MODEL, max_tokens=64, system="Be brief.", messages=user("Say hi"))
    assert "gen_ai.input.messages" not in captured.span().attributes
    (event,) = captured.events("gen_ai.client.inference.operation.details")
    assert event.attributes["gen_ai.system_instructions"] == ({"type": "text", "content": "Be brief."},)
    assert event.attributes["gen_ai.provider.name"] == "anthropic"


def test_legacy_conventions_name_the_system(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic(conventions="gen_ai_legacy")
    client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    attrs = captured.span().attributes
    assert attrs["gen_ai.system"] == "anthropic"
    assert "gen_ai.provider.name" not in attrs


@pytest.mark.parametrize(
    ("status", "error_class"),
    [(400, "BadRequestError"), (429, "RateLimitError"), (500, "InternalServerError")],
)
def test_errors_set_error_type_and_status(
    instrument_anthropic: Any, client: Any, status: int, error_class: str
) -> None:
    captured = instrument_anthropic()
    with pytest.raises(getattr(anthropic, error_class)):
        client.messages.create(
            model=MODEL, max_tokens=64, messages=user("Say hi"), extra_headers=scenario(f"error:{status}")
        )
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"] == f"anthropic.{error_class}"
    (duration,) = captured.metrics("gen_ai.client.operation.duration")
    assert duration.attributes["error.type"] == f"anthropic.{error_class}"
    assert captured.metrics("gen_ai.client.token.usage") == []


def test_other_endpoints_are_not_model_calls(instrument_anthropic: Any, client: Any) -> None:
    captured = instrument_anthropic()
    # The local endpoint may not count tokens: either way the post went out, and is no chat call.
    with contextlib.suppress(anthropic.APIStatusError):
        client.messages.count_tokens(model=MODEL, messages=user("Say hi"))
    assert not [s for s in captured.spans() if s.name.startswith("chat")]


def test_uninstrument_stops_recording(instrument_anthropic: Any, client: Any) -> None:
    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    captured = instrument_anthropic()
    AnthropicInstrumentor().uninstrument()
    client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    assert captured.spans() == []
