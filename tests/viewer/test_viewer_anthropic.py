"""Claude conversations in the viewer: our Anthropic telemetry, shown and priced.

The real ``anthropic`` client calls the local endpoint under our instrumentation, with
content capture on; the SDK's OTLP exporters carry the telemetry to a running viewer.
The expected price is computed here with ``genai-prices`` from the client's own usage.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import anthropic
import pytest
import requests
from genai_prices import Usage, calc_price

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "instrumentation"))
from anthropic_helpers import MODEL, WEATHER_TOOL, long_system  # noqa: E402


@pytest.fixture
def instrumented(viewer: Any, pipeline_factory: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_AND_EVENT")
    pipeline = pipeline_factory(viewer.endpoints, "http")
    instrumentor = AnthropicInstrumentor()
    instrumentor.instrument(
        tracer_provider=pipeline.tracer_provider,
        logger_provider=pipeline.logger_provider,
        meter_provider=pipeline.meter_provider,
    )
    yield pipeline
    instrumentor.uninstrument()


def _expected_usd(message: Any) -> float:
    usage = message.usage
    cache_read = usage.cache_read_input_tokens or 0
    cache_write = usage.cache_creation_input_tokens or 0
    price = calc_price(
        Usage(
            input_tokens=usage.input_tokens + cache_read + cache_write,
            cache_read_tokens=cache_read,
            cache_write_tokens=cache_write,
            output_tokens=usage.output_tokens,
        ),
        message.model,
        provider_id="anthropic",
        genai_request_timestamp=datetime.now(timezone.utc),
    )
    return float(price.total_price)


def test_a_claude_tool_conversation_shows_thinking_tool_parts_tokens_and_cache_priced_cost(
    viewer: Any, instrumented: Any, mock_server: Any, request: pytest.FixtureRequest
) -> None:
    client = anthropic.Anthropic(base_url=mock_server.root_url, api_key="sk-ant-test", max_retries=0)
    system = long_system(request.node.nodeid)
    question = [{"role": "user", "content": "What is the weather in Paris?"}]
    asked = dict(model=MODEL, max_tokens=2048, system=system, tools=[WEATHER_TOOL],
                 thinking={"type": "enabled", "budget_tokens": 1024})  # fmt: skip
    with instrumented.tracer_provider.get_tracer("test").start_as_current_span("agent turn") as turn:
        first = client.messages.create(messages=question, **asked)
        tool_use = next(block for block in first.content if block.type == "tool_use")
        result = [{"type": "tool_result", "tool_use_id": tool_use.id, "content": "rainy, 14°C"}]
        followup = [*question, {"role": "assistant", "content": first.content}, {"role": "user", "content": result}]
        second = client.messages.create(messages=followup, **asked)
    instrumented.flush()
    trace_id = format(turn.get_span_context().trace_id, "032x")

    assert first.usage.cache_creation_input_tokens and second.usage.cache_read_input_tokens
    detail = requests.get(f"{viewer.endpoints.page}/api/traces/{trace_id}", timeout=10).json()
    chats = [span["genai"] for span in detail["spans"] if span["name"] == f"chat {MODEL}"]
    assert len(chats) == 2
    # The first call was sent the question alone; the second, the whole exchange.
    one, two = sorted(chats, key=lambda genai: len(genai["conversation"]["input_messages"]))

    thinking = next(block for block in first.content if block.type == "thinking")
    output_parts = one["conversation"]["output_messages"][0]["parts"]
    assert {"type": "reasoning", "content": thinking.thinking} in output_parts
    call = next(part for part in output_parts if part["type"] == "tool_call")
    assert call["id"] == tool_use.id and call["name"] == "get_weather" and call["arguments"] == tool_use.input
    assert one["conversation"]["tool_definitions"][0]["name"] == "get_weather"
    last_input = two["conversation"]["input_messages"][-1]
    assert last_input["parts"][0]["type"] == "tool_call_response"
    assert last_input["parts"][0]["id"] == tool_use.id and "rainy, 14°C" in str(last_input["parts"][0]["response"])

    for genai, message in ((one, first), (two, second)):
        usage = message.usage
        cache_read = usage.cache_read_input_tokens or 0
        cache_write = usage.cache_creation_input_tokens or 0
        assert genai["tokens"]["input"] == usage.input_tokens + cache_read + cache_write
        assert genai["tokens"]["output"] == usage.output_tokens
        assert (genai["tokens"]["cache_read"] or 0) == cache_read
        assert (genai["tokens"]["cache_write"] or 0) == cache_write
        assert genai["cost_usd"] == pytest.approx(_expected_usd(message), rel=1e-9)
