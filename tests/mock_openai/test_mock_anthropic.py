"""The local endpoint's Anthropic Messages API, driven by the real ``anthropic`` client over HTTP."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from mock_openai_helpers import user

from otel_genai.mock_openai import MockOpenAIServer

# The OpenAI half of the suite also runs where anthropic is not installed (make test-oldest-openai).
anthropic = pytest.importorskip("anthropic")

MODEL = "claude-sonnet-4-5"
WEATHER_TOOL: dict[str, Any] = {
    "name": "get_weather",
    "description": "Get the current weather in a given location",
    "input_schema": {
        "type": "object",
        "properties": {
            "location": {"type": "string"},
            "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            "days": {"type": "integer"},
        },
        "required": ["location", "unit", "days"],
    },
}
TIME_TOOL: dict[str, Any] = {
    "name": "get_time",
    "description": "Get the current time in a given time zone",
    "input_schema": {"type": "object", "properties": {"timezone": {"type": "string"}}, "required": ["timezone"]},
}
MESSAGE_ID = re.compile(r"msg_01[1-9A-HJ-NP-Za-km-z]{22}")
TOOL_USE_ID = re.compile(r"toolu_01[1-9A-HJ-NP-Za-km-z]{22}")


def test_create_answers_with_a_message(anthropic_client: anthropic.Anthropic) -> None:
    response = anthropic_client.messages.with_raw_response.create(
        model="claude-3-5-haiku-latest", max_tokens=100, messages=user("Say hello there!")
    )
    message = response.parse()
    assert MESSAGE_ID.fullmatch(message.id)
    assert message.type == "message" and message.role == "assistant"
    assert message.model == "claude-3-5-haiku-20241022"
    assert [block.type for block in message.content] == ["text"]
    assert message.content[0].text == "Hello there."
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    # "Say hello there!" counts 11 input tokens, as the real API reported for it.
    assert message.usage.input_tokens == 11
    assert message.usage.output_tokens == 3
    assert message.usage.cache_creation_input_tokens == 0 and message.usage.cache_read_input_tokens == 0
    assert re.fullmatch(r"req_011C\w{20}", response.headers["request-id"])


def test_ids_are_fresh_per_message_and_repeat_across_fresh_servers() -> None:
    def ids(server: MockOpenAIServer) -> list[str]:
        client = anthropic.Anthropic(base_url=server.root_url, api_key="k", max_retries=0)
        return [client.messages.create(model=MODEL, max_tokens=50, messages=user("hi")).id for _ in range(3)]

    with MockOpenAIServer() as first, MockOpenAIServer() as second:
        first_ids, second_ids = ids(first), ids(second)
    assert len(set(first_ids)) == 3
    assert first_ids == second_ids


async def test_async_create(async_anthropic_client: anthropic.AsyncAnthropic) -> None:
    message = await async_anthropic_client.messages.create(
        model=MODEL, max_tokens=100, system="Be brief.", messages=user("Say this is a test")
    )
    assert message.content[0].type == "text"
    assert message.content[0].text == "This is a test."


def test_stream_true_sends_the_event_sequence(anthropic_client: anthropic.Anthropic) -> None:
    stream = anthropic_client.messages.create(
        model=MODEL, max_tokens=100, messages=user("Write a haiku"), stream=True, extra_headers={"x-mock-chunks": "7"}
    )
    events = list(stream)
    kinds = [event.type for event in events]
    assert kinds == [
        "message_start",
        "content_block_start",
        *["content_block_delta"] * 7,
        "content_block_stop",
        "message_delta",
        "message_stop",
    ]
    start, delta = events[0], events[-2]
    assert start.type == "message_start" and delta.type == "message_delta"
    assert MESSAGE_ID.fullmatch(start.message.id)
    assert start.message.usage.output_tokens == 1
    assert delta.delta.stop_reason == "end_turn"
    assert delta.usage.output_tokens == 7
    text = "".join(e.delta.text for e in events if e.type == "content_block_delta" and e.delta.type == "text_delta")
    plain = anthropic_client.messages.create(
        model=MODEL, max_tokens=100, messages=user("Write a haiku"), extra_headers={"x-mock-chunks": "7"}
    )
    assert plain.content[0].type == "text" and plain.content[0].text == text
    assert plain.usage.output_tokens == 7


def test_stream_helper_text_stream_and_final_message(anthropic_client: anthropic.Anthropic) -> None:
    with anthropic_client.messages.stream(model=MODEL, max_tokens=200, messages=user("Write a poem")) as stream:
        text = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert "OpenTelemetry" in text
    assert final.content[0].type == "text" and final.content[0].text == text
    assert final.stop_reason == "end_turn"
    assert final.usage.output_tokens == len(re.findall(r"\w+|[^\w\s]", text))


async def test_async_stream_helper(async_anthropic_client: anthropic.AsyncAnthropic) -> None:
    async with async_anthropic_client.messages.stream(
        model=MODEL, max_tokens=200, messages=user("Say hello there!")
    ) as stream:
        pieces = [piece async for piece in stream.text_stream]
        final = await stream.get_final_message()
    assert "".join(pieces) == "Hello there."
    assert final.content[0].type == "text" and final.content[0].text == "Hello there."


def test_tools_round_trip(anthropic_client: anthropic.Anthropic) -> None:
    messages: list[dict[str, Any]] = user("What is the weather and the time in Paris?")
    first = anthropic_client.messages.create(
        model=MODEL, max_tokens=500, messages=messages, tools=[WEATHER_TOOL, TIME_TOOL]
    )
    assert first.stop_reason == "tool_use"
    assert [block.type for block in first.content] == ["text", "tool_use", "tool_use"]
    calls = [block for block in first.content if block.type == "tool_use"]
    assert [call.name for call in calls] == ["get_weather", "get_time"]
    assert all(TOOL_USE_ID.fullmatch(call.id) for call in calls)
    assert calls[0].input == {"location": "Paris", "unit": "celsius", "days": 1}
    results = [
        {"type": "tool_result", "tool_use_id": calls[0].id, "content": "Sunny, 21 degrees"},
        {"type": "tool_result", "tool_use_id": calls[1].id, "content": [{"type": "text", "text": "14:05"}]},
    ]
    messages += [
        {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]},
        {"role": "user", "content": results},
    ]
    second = anthropic_client.messages.create(
        model=MODEL, max_tokens=500, messages=messages, tools=[WEATHER_TOOL, TIME_TOOL]
    )
    assert second.stop_reason == "end_turn"
    answer = second.content[0]
    assert answer.type == "text"
    assert "get_weather returned Sunny, 21 degrees" in answer.text and "get_time returned 14:05" in answer.text


@pytest.mark.parametrize(
    ("tool_choice", "expected"),
    [
        ({"type": "any"}, ["tool_use", "tool_use"]),
        ({"type": "tool", "name": "get_time"}, ["tool_use"]),
        ({"type": "auto", "disable_parallel_tool_use": True}, ["text", "tool_use"]),
        ({"type": "none"}, ["text"]),
    ],
)
def test_tool_choice(anthropic_client: anthropic.Anthropic, tool_choice: dict[str, Any], expected: list[str]) -> None:
    message = anthropic_client.messages.create(
        model=MODEL,
        max_tokens=500,
        messages=user("Weather and time in Paris?"),
        tools=[WEATHER_TOOL, TIME_TOOL],
        tool_choice=tool_choice,  # type: ignore[arg-type]
    )
    assert [block.type for block in message.content] == expected
    assert message.stop_reason == ("end_turn" if expected == ["text"] else "tool_use")
    if tool_choice.get("name"):
        assert message.content[0].type == "tool_use" and message.content[0].name == "get_time"


def test_streamed_tool_use_builds_the_input(anthropic_client: anthropic.Anthropic) -> None:
    with anthropic_client.messages.stream(
        model=MODEL, max_tokens=500, messages=user("Weather in Paris?"), tools=[WEATHER_TOOL]
    ) as stream:
        events = list(stream)
        final = stream.get_final_message()
    partial = "".join(
        e.delta.partial_json for e in events if e.type == "content_block_delta" and e.delta.type == "input_json_delta"
    )
    call = final.content[-1]
    assert call.type == "tool_use"
    assert json.loads(partial) == call.input == {"location": "Paris", "unit": "celsius", "days": 1}
    assert final.stop_reason == "tool_use"


def test_thinking_comes_first_with_a_signature(anthropic_client: anthropic.Anthropic) -> None:
    message = anthropic_client.messages.create(
        model="claude-3-7-sonnet-latest",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=user("How many r are in strawberry?"),
    )
    assert [block.type for block in message.content] == ["thinking", "text"]
    thinking = message.content[0]
    assert thinking.type == "thinking"
    assert "strawberry" in thinking.thinking
    assert len(thinking.signature) > 100
    thinking_tokens = len(re.findall(r"\w+|[^\w\s]", thinking.thinking))
    text_tokens = len(re.findall(r"\w+|[^\w\s]", message.content[1].text))  # type: ignore[union-attr]
    assert message.usage.output_tokens == thinking_tokens + text_tokens


def test_streamed_thinking_sends_thinking_then_signature_deltas(anthropic_client: anthropic.Anthropic) -> None:
    with anthropic_client.messages.stream(
        model="claude-3-7-sonnet-latest",
        max_tokens=2048,
        thinking={"type": "enabled", "budget_tokens": 1024},
        messages=user("How many r are in strawberry?"),
    ) as stream:
        deltas = [e.delta.type for e in stream if e.type == "content_block_delta"]
        final = stream.get_final_message()
    first_text = deltas.index("text_delta")
    assert set(deltas[: first_text - 1]) == {"thinking_delta"}
    assert deltas[first_text - 1] == "signature_delta"
    assert final.content[0].type == "thinking" and final.content[0].signature


def test_thinking_budget_must_fit_max_tokens(anthropic_client: anthropic.Anthropic) -> None:
    with pytest.raises(anthropic.BadRequestError) as caught:
        anthropic_client.messages.create(
            model=MODEL, max_tokens=1024, thinking={"type": "enabled", "budget_tokens": 1024}, messages=user("hi")
        )
    assert "budget_tokens" in caught.value.message


def _long_system(marker: str, ttl: str | None = None) -> list[dict[str, Any]]:
    control: dict[str, Any] = {"type": "ephemeral"} if ttl is None else {"type": "ephemeral", "ttl": ttl}
    articles = f"{marker}: " + "Spans, metrics and logs describe what a service did. " * 200
    return [{"type": "text", "text": articles, "cache_control": control}]


def _cache_write(usage: Any, ttl_field: str) -> Any:
    # Older clients keep usage.cache_creation as a plain dict; newer ones as a typed object.
    breakdown = usage.model_dump()["cache_creation"]
    return breakdown[ttl_field]


def test_cache_control_writes_then_reads_the_prefix(anthropic_client: anthropic.Anthropic, request: Any) -> None:
    system = _long_system(request.node.nodeid)
    first = anthropic_client.messages.create(model=MODEL, max_tokens=100, system=system, messages=user("Summarize"))
    second = anthropic_client.messages.create(model=MODEL, max_tokens=100, system=system, messages=user("Summarize"))
    written = first.usage.cache_creation_input_tokens
    assert written and written > 1024
    assert first.usage.cache_read_input_tokens == 0
    assert second.usage.cache_read_input_tokens == written
    assert second.usage.cache_creation_input_tokens == 0
    # input_tokens excludes the cached part, so both requests report the same small remainder.
    assert first.usage.input_tokens == second.usage.input_tokens < 20
    assert _cache_write(first.usage, "ephemeral_5m_input_tokens") == written


def test_cache_ttl_and_short_prefixes(anthropic_client: anthropic.Anthropic, request: Any) -> None:
    hour = anthropic_client.messages.create(
        model=MODEL, max_tokens=50, system=_long_system(request.node.nodeid, "1h"), messages=user("Summarize")
    )
    assert _cache_write(hour.usage, "ephemeral_1h_input_tokens") == hour.usage.cache_creation_input_tokens > 0
    short = [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}]
    for _ in range(2):
        plain = anthropic_client.messages.create(model=MODEL, max_tokens=50, system=short, messages=user("hi"))  # type: ignore[arg-type]
        assert plain.usage.cache_creation_input_tokens == plain.usage.cache_read_input_tokens == 0


async def test_cache_usage_in_a_stream(async_anthropic_client: anthropic.AsyncAnthropic, request: Any) -> None:
    system = _long_system(request.node.nodeid)
    for expected_read in (False, True):
        async with async_anthropic_client.messages.stream(
            model=MODEL, max_tokens=100, system=system, messages=user("Summarize")
        ) as stream:
            final = await stream.get_final_message()
        assert bool(final.usage.cache_read_input_tokens) is expected_read
        assert bool(final.usage.cache_creation_input_tokens) is not expected_read


def test_stop_sequences_and_max_tokens(anthropic_client: anthropic.Anthropic) -> None:
    stopped = anthropic_client.messages.create(
        model=MODEL, max_tokens=200, messages=user("Write a poem"), stop_sequences=["glowing", "span"]
    )
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "glowing"
    assert stopped.content[0].type == "text" and "glowing" not in stopped.content[0].text
    cut = anthropic_client.messages.create(model=MODEL, max_tokens=5, messages=user("Write a poem"))
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens == 5


def test_structured_output_follows_the_schema(anthropic_client: anthropic.Anthropic) -> None:
    schema = {
        "type": "object",
        "properties": {"joke": {"type": "string"}, "rating": {"type": "integer"}},
        "required": ["joke", "rating"],
    }
    message = anthropic_client.beta.messages.create(
        model=MODEL,
        max_tokens=200,
        messages=user("Tell me a joke and rate it"),
        betas=["structured-outputs-2025-11-13"],
        extra_body={"output_format": {"type": "json_schema", "schema": schema}},
    )
    assert message.content[0].type == "text"
    assert json.loads(message.content[0].text) == {"joke": "sample", "rating": 1}


def test_beta_messages_plain_and_stream(anthropic_client: anthropic.Anthropic, mock_api: MockOpenAIServer) -> None:
    message = anthropic_client.beta.messages.create(model=MODEL, max_tokens=50, messages=user("Say hello there!"))
    assert message.content[0].type == "text" and message.content[0].text == "Hello there."
    with anthropic_client.beta.messages.stream(model=MODEL, max_tokens=50, messages=user("Say hi")) as stream:
        assert "".join(stream.text_stream) == "Hi."
    assert mock_api.requests[-1].path == "/v1/messages"
