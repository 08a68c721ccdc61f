"""The OpenAI Agents SDK, run for real against the local endpoint over HTTP: the span tree."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Iterator
from typing import Any

import openai
import pytest
from opentelemetry.trace import SpanKind, StatusCode

from agents import (
    Agent,
    ModelSettings,
    OpenAIChatCompletionsModel,
    OpenAIResponsesModel,
    Runner,
    function_tool,
    set_trace_processors,
)
from local_http import openai_http
from otel_genai import conversation
from telemetry_capture import Captured

# A tool long enough to wait for its sibling: 30 s only bounds a hang, it triggers nothing.
PATIENCE = 30


@pytest.fixture(scope="session", autouse=True)
def _no_vendor_export() -> None:
    # The SDK's default processor exports to OpenAI's tracing backend; tests keep it off
    # (before our processor is added: set_trace_processors replaces every processor).
    set_trace_processors([])


@pytest.fixture
def agents_instrumented(monkeypatch: pytest.MonkeyPatch, instrument) -> Iterator[Callable[..., Captured]]:
    """``agents_instrumented(client=True, capture=None)``: the Agents SDK instrumented, and
    the OpenAI client too when ``client``."""
    from otel_genai.instrumentation.openai_agents import OpenAIAgentsInstrumentor

    instrumentor = OpenAIAgentsInstrumentor()

    def start(client: bool = False, capture: str | None = None) -> Captured:
        captured = instrument(capture=capture) if client else _without_client(monkeypatch, capture)
        instrumentor.instrument(**captured.providers())
        return captured

    yield start
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()


def _without_client(monkeypatch: pytest.MonkeyPatch, capture: str | None) -> Captured:
    monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
    if capture is not None:
        monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
    return Captured()


@pytest.fixture
def sdk_client(mock_server: Any, monkeypatch: pytest.MonkeyPatch) -> openai.AsyncOpenAI:
    # The SDK's first releases (0.0.x) build their default OpenAI client at every run, whatever
    # the agent's model: a key must be in the environment (it is never used here).
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-key")
    return openai.AsyncOpenAI(
        base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0, http_client=openai_http(asynchronous=True)
    )


@function_tool
def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


@function_tool
def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


def weather_agent(model: Any, tools: list[Any] | None = None) -> Agent:
    return Agent(
        name="Weather", instructions="Answer with the tools.", tools=tools or [get_weather, get_time], model=model
    )


class Tree:
    """The finished spans as a tree."""

    def __init__(self, captured: Captured) -> None:
        self.spans = captured.spans()

    def named(self, name: str) -> list[Any]:
        return sorted((s for s in self.spans if s.name == name), key=lambda s: s.start_time)

    def one(self, name: str) -> Any:
        (span,) = self.named(name)
        return span

    def children(self, parent: Any) -> list[Any]:
        found = [s for s in self.spans if s.parent is not None and s.parent.span_id == parent.context.span_id]
        return sorted(found, key=lambda s: s.start_time)

    def roots(self) -> list[Any]:
        return [s for s in self.spans if s.parent is None]


def model_tool_call_ids(result: Any) -> dict[str, str]:
    """Tool name -> the call id the model gave, read from the SDK's own run items."""
    ids: dict[str, str] = {}
    for item in result.new_items:
        if item.type == "tool_call_item":
            ids[item.raw_item.name] = item.raw_item.call_id
    return ids


def assert_weather_tree(tree: Tree, result: Any) -> Any:
    """One root, invoke_agent Weather: chat, the two tools with the model's call ids, chat."""
    (root,) = tree.roots()
    assert root.name == "invoke_agent Weather"
    assert root.kind is SpanKind.INTERNAL
    assert root.attributes["gen_ai.operation.name"] == "invoke_agent"
    assert root.attributes["gen_ai.agent.name"] == "Weather"
    assert "gen_ai.provider.name" not in root.attributes  # not on internal agent spans (#289)
    children = tree.children(root)
    chats = [s for s in children if s.name.startswith("chat")]
    tools = {s.attributes["gen_ai.tool.name"]: s for s in children if s.name.startswith("execute_tool")}
    assert len(chats) == 2
    assert len(children) == 4
    assert sorted(tools) == ["get_time", "get_weather"]
    call_ids = model_tool_call_ids(result)
    for name, span in tools.items():
        assert span.name == f"execute_tool {name}"
        assert span.kind is SpanKind.INTERNAL
        assert span.attributes["gen_ai.tool.type"] == "function"
        assert span.attributes["gen_ai.tool.call.id"] == call_ids[name]
        assert span.attributes["gen_ai.agent.name"] == "Weather"
        # The tools ran between the model call that asked for them and the one that read their results.
        assert chats[0].end_time <= span.start_time and span.end_time <= chats[1].start_time
    assert len({s.context.trace_id for s in tree.spans}) == 1
    return root


def test_run_sync_with_the_responses_model_records_the_model_calls_itself(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=False)
    # Older SDK releases run on asyncio.get_event_loop(): give them the loop a script's main
    # thread has (the test runner leaves none).
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        result = Runner.run_sync(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    finally:
        asyncio.set_event_loop(None)
        loop.close()

    tree = Tree(captured)
    root = assert_weather_tree(tree, result)
    for chat in [s for s in tree.children(root) if s.name.startswith("chat")]:
        # Recorded from the SDK's response span, which keeps the Response but not the request:
        # the model is the one the Response names, in the span's name too.
        assert chat.kind is SpanKind.CLIENT
        assert chat.attributes["gen_ai.provider.name"] == "openai"
        assert chat.attributes["gen_ai.response.model"].startswith("gpt-4o-mini")
        assert chat.attributes["gen_ai.request.model"].startswith("gpt-4o-mini")
        assert chat.name == f"chat {chat.attributes['gen_ai.request.model']}"
        assert chat.attributes["gen_ai.usage.input_tokens"] > 0
        assert chat.attributes["openai.api.type"] == "responses"
    assert root.attributes["gen_ai.request.model"].startswith("gpt-4o-mini")
    points = captured.metrics("gen_ai.client.token.usage")
    assert sum(p.count for p in points) == 4  # two calls, input and output each
    assert {p.attributes["gen_ai.request.model"] for p in points} == {chat.attributes["gen_ai.request.model"]}
    (agent_point,) = captured.metrics("gen_ai.invoke_agent.duration")
    assert agent_point.attributes["gen_ai.agent.name"] == "Weather"
    assert sum(p.count for p in captured.metrics("gen_ai.execute_tool.duration")) == 2


async def test_agents_alone_give_chat_completions_calls_the_request_the_sdk_traced(
    agents_instrumented, sdk_client, mock_server
):
    captured = agents_instrumented(client=False)
    agent = weather_agent(OpenAIChatCompletionsModel("gpt-4o-mini", sdk_client))
    # Settings the SDK's first release has too.
    agent.model_settings = ModelSettings(temperature=0.25, top_p=0.5, presence_penalty=0.75)
    await Runner.run(agent, "Weather in Paris?")

    tree = Tree(captured)
    chats = tree.named("chat gpt-4o-mini")
    assert len(chats) == 2
    port = mock_server.port
    for chat in chats:
        # From the SDK's generation span: the model asked for, the agent's model settings, the client's URL.
        assert chat.attributes["gen_ai.request.model"] == "gpt-4o-mini"
        assert chat.attributes["gen_ai.request.temperature"] == 0.25
        assert chat.attributes["gen_ai.request.top_p"] == 0.5
        assert chat.attributes["gen_ai.request.presence_penalty"] == 0.75
        assert chat.attributes["server.address"] == "127.0.0.1"
        assert chat.attributes["server.port"] == port
    points = captured.metrics("gen_ai.client.operation.duration")
    assert sum(p.count for p in points) == 2
    recorded = {(p.attributes["gen_ai.request.model"], p.attributes["server.port"]) for p in points}
    assert recorded == {("gpt-4o-mini", port)}


async def test_async_run_with_both_instrumentations_counts_each_model_call_once(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True)
    model = OpenAIChatCompletionsModel("gpt-4o-mini", sdk_client)
    result = await Runner.run(weather_agent(model), "Weather in Paris?")

    tree = Tree(captured)
    root = assert_weather_tree(tree, result)
    chats = tree.named("chat gpt-4o-mini")
    assert len(chats) == 2
    for chat in chats:
        # The client instrumentation's span (it knows the server), under the agent's.
        assert chat.parent.span_id == root.context.span_id
        assert chat.attributes["server.address"] == "127.0.0.1"
        assert chat.attributes["openai.api.type"] == "chat_completions"
    # The agent's one model, learnt from the SDK's generation spans.
    assert root.attributes["gen_ai.request.model"] == "gpt-4o-mini"
    assert sum(p.count for p in captured.metrics("gen_ai.client.operation.duration")) == 2
    assert sum(p.count for p in captured.metrics("gen_ai.client.token.usage")) == 4


async def test_streamed_run_nests_the_streamed_model_calls(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True)
    result = Runner.run_streamed(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    async for _ in result.stream_events():
        pass

    tree = Tree(captured)
    root = assert_weather_tree(tree, result)
    chats = tree.named("chat gpt-4o-mini")
    assert len(chats) == 2
    assert all(c.attributes["gen_ai.request.stream"] is True for c in chats)
    assert {c.parent.span_id for c in chats} == {root.context.span_id}
    assert sum(p.count for p in captured.metrics("gen_ai.client.token.usage")) == 4


async def test_two_tools_run_in_parallel_each_under_the_agent(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True)
    started: list[str] = []
    both = asyncio.Event()

    async def meet(name: str) -> str:
        started.append(name)
        if len(started) == 2:
            both.set()
        await asyncio.wait_for(both.wait(), PATIENCE)  # returns only once the other tool runs too
        return f"{name} done"

    @function_tool
    async def first(city: str) -> str:
        """First lookup."""
        return await meet("first")

    @function_tool
    async def second(city: str) -> str:
        """Second lookup."""
        return await meet("second")

    model = OpenAIResponsesModel("gpt-4o-mini", sdk_client)
    result = await Runner.run(weather_agent(model, tools=[first, second]), "Both, please.")

    tree = Tree(captured)
    (root,) = tree.roots()
    tools = [tree.one("execute_tool first"), tree.one("execute_tool second")]
    assert {t.parent.span_id for t in tools} == {root.context.span_id}
    # They overlapped: each started before the other ended.
    assert tools[0].start_time < tools[1].end_time and tools[1].start_time < tools[0].end_time
    ids = model_tool_call_ids(result)
    assert [t.attributes["gen_ai.tool.call.id"] for t in tools] == [ids["first"], ids["second"]]


async def test_a_failing_tool_marks_its_span_and_the_run_goes_on(agents_instrumented, sdk_client):
    captured = agents_instrumented()

    @function_tool
    def broken(city: str) -> str:
        """Always fails."""
        raise ValueError("station offline")

    model = OpenAIResponsesModel("gpt-4o-mini", sdk_client)
    result = await Runner.run(weather_agent(model, tools=[broken]), "Weather?")
    assert result.final_output  # the SDK told the model the tool failed; the run finished

    tree = Tree(captured)
    span = tree.one("execute_tool broken")
    assert span.status.status_code is StatusCode.ERROR
    assert span.attributes["error.type"].startswith("Error running tool")
    assert "station offline" not in json.dumps(dict(span.attributes))
    (root,) = tree.roots()
    assert root.status.status_code is StatusCode.UNSET
    (point,) = captured.metrics("gen_ai.execute_tool.duration")
    assert point.attributes["error.type"] == span.attributes["error.type"]


@pytest.mark.parametrize("model_class", [OpenAIResponsesModel, OpenAIChatCompletionsModel])
async def test_a_handoff_puts_the_next_agent_under_the_first_in_one_trace(agents_instrumented, sdk_client, model_class):
    captured = agents_instrumented(client=True)
    model = model_class("gpt-4o-mini", sdk_client)
    weather = weather_agent(model)
    triage = Agent(name="Triage", instructions="Hand off weather questions.", handoffs=[weather], model=model)
    result = await Runner.run(triage, "Weather in Paris?")
    assert result.last_agent.name == "Weather"

    tree = Tree(captured)
    (root,) = tree.roots()
    assert root.name == "invoke_agent Triage"
    second = tree.one("invoke_agent Weather")
    assert second.parent.span_id == root.context.span_id
    assert root.start_time < second.start_time and second.end_time <= root.end_time
    # Triage's model call asked for the hand-off; Weather's asked for its two tools, then answered.
    assert [s.name for s in tree.children(root)] == ["chat gpt-4o-mini", "invoke_agent Weather"]
    names = [s.name for s in tree.children(second)]
    assert names[0] == names[-1] == "chat gpt-4o-mini"
    assert sorted(names[1:-1]) == ["execute_tool get_time", "execute_tool get_weather"]
    assert len({s.context.trace_id for s in tree.spans}) == 1


async def test_no_arguments_results_or_messages_without_capture(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True)
    await Runner.run(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    spans = captured.spans()
    assert len(spans) == 5
    for span in spans:
        for key in span.attributes:
            assert key not in (
                "gen_ai.tool.call.arguments",
                "gen_ai.tool.call.result",
                "gen_ai.input.messages",
                "gen_ai.output.messages",
                "gen_ai.system_instructions",
                "gen_ai.tool.definitions",
            )
        assert "Paris" not in json.dumps(dict(span.attributes))
    assert captured.logs() == []


async def test_arguments_and_results_under_capture(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True, capture="SPAN_ONLY")
    await Runner.run(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    span = Tree(captured).one("execute_tool get_weather")
    arguments = json.loads(span.attributes["gen_ai.tool.call.arguments"])
    assert set(arguments) == {"city"}
    assert json.loads(span.attributes["gen_ai.tool.call.result"]) == f"sunny in {arguments['city']}"


@pytest.mark.parametrize("model_class", [OpenAIResponsesModel, OpenAIChatCompletionsModel])
@pytest.mark.parametrize("client", [True, False], ids=["both instrumentations", "agents alone"])
async def test_the_agent_span_shows_its_instructions_input_answer_and_tools_under_capture(
    agents_instrumented, sdk_client, model_class, client
):
    captured = agents_instrumented(client=client, capture="SPAN_ONLY")
    result = await Runner.run(weather_agent(model_class("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    root = Tree(captured).one("invoke_agent Weather")

    instructions = {"type": "text", "content": "Answer with the tools."}
    user = {"role": "user", "parts": [{"type": "text", "content": "Weather in Paris?"}]}
    if model_class is OpenAIResponsesModel:  # the Responses API takes instructions apart
        assert json.loads(root.attributes["gen_ai.system_instructions"]) == [instructions]
        assert json.loads(root.attributes["gen_ai.input.messages"]) == [user]
    else:  # Chat Completions: a system message, kept in the input as on the client's spans
        assert "gen_ai.system_instructions" not in root.attributes
        assert json.loads(root.attributes["gen_ai.input.messages"]) == [
            {"role": "system", "parts": [instructions]},
            user,
        ]
    # The answer is the agent's last model output, the run's final output.
    assert json.loads(root.attributes["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": result.final_output}], "finish_reason": "stop"}
    ]
    definitions = json.loads(root.attributes["gen_ai.tool.definitions"])
    assert definitions == [{"type": "function", "name": "get_weather"}, {"type": "function", "name": "get_time"}]


async def test_conversation_and_the_callers_span_reach_the_run(agents_instrumented, sdk_client):
    captured = agents_instrumented(client=True)
    tracer = captured.tracer_provider.get_tracer("app")
    with tracer.start_as_current_span("request handler") as outer, conversation("conv-42"):
        await Runner.run(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    tree = Tree(captured)
    root = tree.one("invoke_agent Weather")
    assert root.parent.span_id == outer.get_span_context().span_id
    genai = [s for s in tree.spans if s.name != "request handler"]
    assert len(genai) == 5
    assert {s.attributes.get("gen_ai.conversation.id") for s in genai} == {"conv-42"}


async def test_uninstrumented_records_nothing(agents_instrumented, sdk_client):
    from otel_genai.instrumentation.openai_agents import OpenAIAgentsInstrumentor

    captured = agents_instrumented()
    OpenAIAgentsInstrumentor().uninstrument()
    result = await Runner.run(weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client)), "Weather in Paris?")
    assert result.final_output
    assert captured.spans() == []


async def test_a_tripped_guardrail_fails_the_agent_span(agents_instrumented, sdk_client):
    from agents import GuardrailFunctionOutput, InputGuardrailTripwireTriggered, input_guardrail

    captured = agents_instrumented(client=True)

    @input_guardrail
    def no_weather(context: Any, agent: Any, user_input: Any) -> GuardrailFunctionOutput:
        return GuardrailFunctionOutput(output_info="off topic", tripwire_triggered=True)

    agent = weather_agent(OpenAIResponsesModel("gpt-4o-mini", sdk_client))
    agent.input_guardrails = [no_weather]
    with pytest.raises(InputGuardrailTripwireTriggered):
        await Runner.run(agent, "Weather in Paris?")

    root = Tree(captured).one("invoke_agent Weather")
    assert root.status.status_code is StatusCode.ERROR
    assert root.attributes["error.type"] == "Guardrail tripwire triggered"
    assert root.parent is None
    assert captured.metrics("gen_ai.invoke_agent.duration")[0].attributes["error.type"] == root.attributes["error.type"]
