"""The hand-written API: agent, tool and conversation, in threads and asyncio tasks."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import threading

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.trace import SpanKind, StatusCode

from otel_genai import agent, conversation, tool
from otel_genai import agent_api as api


def by_name(spans, name):
    found = [s for s in spans if s.name == name]
    assert found, f"no span {name!r} in {[s.name for s in spans]}"
    return found


def test_agent_block_is_an_internal_invoke_agent_span(agent_api):
    captured = agent_api()
    with agent("planner", agent_id="planner-v1", description="Plans trips", version="3", model="gpt-4o-mini"):
        inside = trace.get_current_span()

    span = captured.span()
    assert span.name == "invoke_agent planner"
    assert span.kind is SpanKind.INTERNAL
    assert inside.get_span_context().span_id == span.context.span_id
    assert dict(span.attributes) == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "planner",
        "gen_ai.agent.id": "planner-v1",
        "gen_ai.agent.description": "Plans trips",
        "gen_ai.agent.version": "3",
        "gen_ai.request.model": "gpt-4o-mini",
    }
    assert span.status.status_code is StatusCode.UNSET
    (point,) = captured.metrics("gen_ai.invoke_agent.duration")
    assert point.attributes == {
        "gen_ai.operation.name": "invoke_agent",
        "gen_ai.agent.name": "planner",
        "gen_ai.request.model": "gpt-4o-mini",
    }
    assert point.count == 1
    assert point.bucket_bounds[0] == 0.1


def test_tool_decorator_nests_under_the_agent_and_keeps_content_out_by_default(agent_api):
    captured = agent_api()

    @tool
    def get_weather(city: str, unit: str = "C") -> str:
        """Current weather in a city.

        Longer text that is not the description."""
        return f"sunny in {city}"

    with agent("planner"):
        assert get_weather("Paris") == "sunny in Paris"

    tool_span = by_name(captured.spans(), "execute_tool get_weather")[0]
    agent_span = by_name(captured.spans(), "invoke_agent planner")[0]
    assert tool_span.parent.span_id == agent_span.context.span_id
    assert tool_span.kind is SpanKind.INTERNAL
    assert dict(tool_span.attributes) == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.type": "function",
        "gen_ai.tool.description": "Current weather in a city.",
    }
    (point,) = captured.metrics("gen_ai.execute_tool.duration")
    assert point.attributes == {
        "gen_ai.operation.name": "execute_tool",
        "gen_ai.tool.name": "get_weather",
        "gen_ai.tool.type": "function",
    }


def test_tool_records_arguments_and_result_under_content_capture(agent_api):
    captured = agent_api(capture="SPAN_ONLY")

    @tool("weather")
    def get_weather(city: str, unit: str = "C") -> dict:
        return {"city": city, "temperature": 21}

    get_weather("Paris", unit="F")
    span = captured.span()
    assert span.name == "execute_tool weather"
    assert json.loads(span.attributes["gen_ai.tool.call.arguments"]) == {"city": "Paris", "unit": "F"}
    assert json.loads(span.attributes["gen_ai.tool.call.result"]) == {"city": "Paris", "temperature": 21}


def test_tool_block_takes_the_models_call_id_and_json_arguments(agent_api):
    captured = agent_api(capture="SPAN_AND_EVENT")
    with tool("lookup", call_id="call_123", arguments='{"q": "otel"}') as block:
        block.result = ["a", "b"]
    span = captured.span()
    assert span.attributes["gen_ai.tool.call.id"] == "call_123"
    # JSON text from the model is recorded as the object it encodes.
    assert json.loads(span.attributes["gen_ai.tool.call.arguments"]) == {"q": "otel"}
    assert json.loads(span.attributes["gen_ai.tool.call.result"]) == ["a", "b"]


def test_a_failing_tool_marks_its_span_and_reraises_the_same_exception(agent_api):
    captured = agent_api()
    error = LookupError("no such city")

    @tool
    def get_weather(city: str) -> str:
        raise error

    with pytest.raises(LookupError) as raised:
        get_weather("Atlantis")
    assert raised.value is error
    span = captured.span()
    assert span.status.status_code is StatusCode.ERROR
    assert span.status.description == "no such city"
    assert span.attributes["error.type"] == "LookupError"
    (point,) = captured.metrics("gen_ai.execute_tool.duration")
    assert point.attributes["error.type"] == "LookupError"


def test_a_failing_agent_block_marks_its_span(agent_api):
    captured = agent_api()
    with pytest.raises(TimeoutError), agent("planner"):
        raise TimeoutError("slow")
    span = captured.span()
    assert span.attributes["error.type"] == "TimeoutError"
    assert span.status.status_code is StatusCode.ERROR


async def test_async_tools_under_gather_each_parent_to_the_agent(agent_api):
    captured = agent_api()

    @tool
    async def fetch(url: str) -> str:
        await asyncio.sleep(0)
        return url

    @agent("crawler")
    async def crawl() -> list[str]:
        return await asyncio.gather(fetch("a"), fetch("b"), fetch("c"))

    assert await crawl() == ["a", "b", "c"]
    agent_span = by_name(captured.spans(), "invoke_agent crawler")[0]
    tools = by_name(captured.spans(), "execute_tool fetch")
    assert len(tools) == 3
    assert {t.parent.span_id for t in tools} == {agent_span.context.span_id}
    assert len({t.context.span_id for t in tools}) == 3
    assert agent_span.parent is None


def test_threads_keep_their_own_agents(agent_api):
    captured = agent_api()

    @tool
    def work(n: int) -> int:
        return n * 2

    def run(n: int) -> None:
        with agent(f"worker-{n}"):
            work(n)

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    spans = captured.spans()
    agents = {s.context.span_id: s.name for s in spans if s.name.startswith("invoke_agent")}
    tools = by_name(spans, "execute_tool work")
    assert len(agents) == 6 and len(tools) == 6
    # Each tool's parent is an agent, and no agent got two tools.
    assert sorted(agents[t.parent.span_id] for t in tools) == sorted(agents.values())


async def test_a_thread_with_a_copied_context_keeps_the_parent(agent_api):
    captured = agent_api()

    @tool
    def blocking(n: int) -> int:
        return n

    with agent("outer"):
        await asyncio.to_thread(blocking, 1)
        context = contextvars.copy_context()
        thread = threading.Thread(target=context.run, args=(blocking, 2))
        thread.start()
        thread.join()

    outer = by_name(captured.spans(), "invoke_agent outer")[0]
    tools = by_name(captured.spans(), "execute_tool blocking")
    assert [t.parent.span_id for t in tools] == [outer.context.span_id] * 2


async def test_conversation_reaches_agents_tools_and_tasks(agent_api):
    captured = agent_api()

    @tool
    async def step() -> None:
        return None

    with conversation("conv-7"), agent("a"):
        await asyncio.create_task(step())
    with agent("outside"):
        pass

    spans = captured.spans()
    assert by_name(spans, "invoke_agent a")[0].attributes["gen_ai.conversation.id"] == "conv-7"
    assert by_name(spans, "execute_tool step")[0].attributes["gen_ai.conversation.id"] == "conv-7"
    assert "gen_ai.conversation.id" not in by_name(spans, "invoke_agent outside")[0].attributes


def test_conversation_reaches_the_openai_chat_span(agent_api, instrument, client):
    captured = instrument()
    agent_api()
    with conversation("conv-9"):
        client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    client.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
    first, second = captured.spans()
    assert first.attributes["gen_ai.conversation.id"] == "conv-9"
    assert "gen_ai.conversation.id" not in second.attributes
    # Not a metric attribute: the conventions leave it off metrics (unbounded cardinality).
    for point in captured.metrics("gen_ai.client.operation.duration"):
        assert "gen_ai.conversation.id" not in point.attributes


def test_a_bad_conversation_id_is_ignored(agent_api, caplog):
    captured = agent_api()
    with conversation(None), agent("a"):  # type: ignore[arg-type]
        pass
    assert "gen_ai.conversation.id" not in captured.span().attributes


class _BrokenTracerProvider(TracerProvider):
    def get_tracer(self, *args, **kwargs):
        tracer = super().get_tracer(*args, **kwargs)

        def start_span(*a, **k):
            raise RuntimeError("tracer broken")

        tracer.start_span = start_span
        return tracer


def test_our_failure_never_reaches_the_application():
    api.configure_agent_api(tracer_provider=_BrokenTracerProvider())
    try:

        @tool
        def add(a: int, b: int) -> int:
            return a + b

        @tool
        async def add_async(a: int, b: int) -> int:
            return a + b

        with agent("planner"):
            assert add(1, 2) == 3
            assert asyncio.run(add_async(2, 3)) == 5
        with pytest.raises(ZeroDivisionError), tool("div"):
            1 / 0  # noqa: B018
    finally:
        api._unconfigure()


def test_with_no_sdk_nothing_is_made_current():
    api.configure_agent_api(tracer_provider=trace.NoOpTracerProvider())
    try:

        @tool
        def inside() -> trace.Span:
            return trace.get_current_span()

        with agent("planner"):
            assert inside() is trace.INVALID_SPAN
    finally:
        api._unconfigure()


# Run in a fresh interpreter: the global providers can be set once per process.
_NO_SDK_THEN_SDK = """
import asyncio
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from otel_genai import agent, tool
from otel_genai import agent_api

@tool
def add(a, b):
    return a + b

@tool
async def div(a, b):
    return a / b

@agent("planner")
def plan():
    return add(1, 2)

# No SDK: the wrapped code runs, results and exceptions unchanged, and nothing is built.
assert plan() == 3
try:
    asyncio.run(div(1, 0))
except ZeroDivisionError:
    pass
else:
    raise AssertionError("the exception did not reach the caller")
with agent("planner"):
    assert trace.get_current_span() is trace.INVALID_SPAN
assert agent_api._telemetry is None, "settings were read with nothing to record"

# An SDK configured later is used from the next call.
exporter = InMemorySpanExporter()
provider = TracerProvider()
provider.add_span_processor(SimpleSpanProcessor(exporter))
trace.set_tracer_provider(provider)
assert plan() == 3
print(sorted(s.name for s in exporter.get_finished_spans()))
"""


def test_without_an_sdk_only_the_code_runs_until_one_is_configured():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
    run = subprocess.run(
        [sys.executable, "-c", _NO_SDK_THEN_SDK], capture_output=True, text=True, env=env, timeout=120, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "['execute_tool add', 'invoke_agent planner']"


def _content_attributes(span):
    names = ("gen_ai.system_instructions", "gen_ai.input.messages", "gen_ai.output.messages")
    return {name: json.loads(span.attributes[name]) for name in names if name in span.attributes}


def test_an_agent_shows_its_instructions_question_and_answer_only_under_capture(agent_api):
    @agent("planner", instructions="Plan the trip.")
    def plan(question: str) -> str:
        return f"answer to {question}"

    @agent("budget")
    def budget(city: str, days: int) -> dict:
        return {"city": city, "total": 100 * days}

    captured = agent_api()
    assert plan("Paris?") == "answer to Paris?"
    assert _content_attributes(captured.span()) == {}

    captured = agent_api(capture="SPAN_ONLY")
    assert plan("Paris?") == "answer to Paris?"
    budget("Rome", 2)
    with agent("chat", instructions="Be brief.") as block:
        block.input = "Hello?"
        block.output = "Hi."
    planner, budgeting, chat = captured.spans()
    assert _content_attributes(planner) == {
        "gen_ai.system_instructions": [{"type": "text", "content": "Plan the trip."}],
        "gen_ai.input.messages": [{"role": "user", "parts": [{"type": "text", "content": "Paris?"}]}],
        "gen_ai.output.messages": [
            {"role": "assistant", "parts": [{"type": "text", "content": "answer to Paris?"}], "finish_reason": "stop"}
        ],
    }
    # Arguments by name and a structured answer, as JSON text.
    shown = _content_attributes(budgeting)
    assert json.loads(shown["gen_ai.input.messages"][0]["parts"][0]["content"]) == {"city": "Rome", "days": 2}
    assert json.loads(shown["gen_ai.output.messages"][0]["parts"][0]["content"]) == {"city": "Rome", "total": 200}
    assert _content_attributes(chat) == {
        "gen_ai.system_instructions": [{"type": "text", "content": "Be brief."}],
        "gen_ai.input.messages": [{"role": "user", "parts": [{"type": "text", "content": "Hello?"}]}],
        "gen_ai.output.messages": [
            {"role": "assistant", "parts": [{"type": "text", "content": "Hi."}], "finish_reason": "stop"}
        ],
    }
