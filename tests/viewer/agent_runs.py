"""A hand-written agent run (our ``agent``/``tool`` API plus our OpenAI instrumentation against
the local endpoint) exported to a viewer: one agent, a model call asking for a tool, the tool,
a failing tool and the final model call."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
from opentelemetry import trace

from otel_genai import agent, tool
from otel_genai import agent_api as api

TOOLS = [{"type": "function", "function": {
    "name": "get_weather", "description": "Weather in a city",
    "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
}}]  # fmt: skip


@dataclass
class AgentRun:
    trace_id: str
    call_id: str
    agent_span_id: str
    tool_span_id: str


@contextmanager
def instrumented(pipeline: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Our OpenAI instrumentation and agent API, with content capture, sending to ``pipeline``."""
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", "SPAN_ONLY")
    providers = {"tracer_provider": pipeline.tracer_provider, "meter_provider": pipeline.meter_provider,
                 "logger_provider": pipeline.logger_provider}  # fmt: skip
    instrumentor = OpenAIInstrumentor()
    instrumentor.instrument(**providers)
    api.configure_agent_api(tracer_provider=pipeline.tracer_provider, meter_provider=pipeline.meter_provider)
    try:
        yield
    finally:
        instrumentor.uninstrument()
        api._unconfigure()


def _span_hex(span: Any) -> str:
    return format(span.get_span_context().span_id, "016x")


def run_weather_agent(
    pipeline: Any, client: Any, monkeypatch: pytest.MonkeyPatch, name: str = "weather-bot"
) -> AgentRun:
    """Runs the agent; the second tool raises, as a failing step."""
    with instrumented(pipeline, monkeypatch), agent(name, model="gpt-4o-mini"):
        agent_span = trace.get_current_span()
        messages: list[Any] = [{"role": "user", "content": "Weather in Oslo?"}]
        first = client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
        call = first.choices[0].message.tool_calls[0]
        with tool("get_weather", call_id=call.id, arguments=json.loads(call.function.arguments)) as ran:
            ran.result = "12 degrees, light rain"
            tool_span = trace.get_current_span()
        try:
            with tool("get_forecast", call_id="call_unasked"):
                raise TimeoutError("forecast service did not answer")
        except TimeoutError:
            pass
        messages += [first.choices[0].message.model_dump(exclude_none=True),
                     {"role": "tool", "tool_call_id": call.id, "content": ran.result}]  # fmt: skip
        client.chat.completions.create(model="gpt-4o-mini", messages=messages, tools=TOOLS)
    pipeline.flush()
    return AgentRun(
        trace_id=format(agent_span.get_span_context().trace_id, "032x"),
        call_id=call.id,
        agent_span_id=_span_hex(agent_span),
        tool_span_id=_span_hex(tool_span),
    )
