"""The agent runs measured by the agents benchmark, and the model answers they get.

An *agent run* is one ``Runner.run`` of the Agents SDK: one agent with two function tools,
whose model asks for both tools at once and answers in text once their results are in (two
model calls, two tool executions). The answers are the local endpoint's
(``otel_genai.mock_openai``): :func:`record_answers` runs the agent once against it over HTTP,
in the parent, and keeps the two bodies it sent for each model API. Workers replay them from
an in-process transport (the request that carries tool results gets the final answer), so
the figures hold the SDK's, the client's and the instrumentation's work, not the server's or
the network's; and the peers' environments need nothing of ours.

The *hand-written* runs use ``otel_genai.agent`` and ``otel_genai.tool`` around two plain
functions, against the same two functions called bare.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from benchmarks.harness.scenarios import _httpx

MODEL = "gpt-4o-mini"
BASE_URL = "https://api.openai.com/v1"
QUESTION = "Weather and time in Paris?"
INSTRUCTIONS = "Answer with the tools."
#: Model API -> the SDK model class that speaks it.
MODEL_APIS = {"responses": "OpenAIResponsesModel", "chat_completions": "OpenAIChatCompletionsModel"}
#: What only a request carrying tool results contains, per model API.
_TOOL_RESULTS_MARK = {"responses": b'"function_call_output"', "chat_completions": b'"role":"tool"'}


def get_weather(city: str) -> str:
    """Current weather in a city."""
    return f"sunny in {city}"


def get_time(city: str) -> str:
    """Local time in a city."""
    return f"noon in {city}"


def build_agent(model: Any) -> Any:
    from agents import Agent, function_tool

    return Agent(
        name="Weather",
        instructions=INSTRUCTIONS,
        tools=[function_tool(get_weather), function_tool(get_time)],
        model=model,
    )


def _model(api: str, client: Any) -> Any:
    import agents

    return getattr(agents, MODEL_APIS[api])(MODEL, client)


# --- the answers, recorded from the local endpoint -----------------------------------------


def record_answers() -> dict[str, dict[str, str]]:
    """Per model API, the local endpoint's two answers: ``tool_calls`` and ``final``.

    Runs in the project's environment (the local endpoint is ours), with the SDK's tracing
    processors cleared so nothing is exported.
    """
    import openai

    from agents import Runner, set_trace_processors
    from otel_genai.mock_openai import MockOpenAIServer

    set_trace_processors([])
    httpx = _httpx()
    answers: dict[str, dict[str, str]] = {}
    with MockOpenAIServer() as server:
        for api in MODEL_APIS:
            seen: dict[str, str] = {}

            async def keep(response: Any, api: str = api, seen: dict[str, str] = seen) -> None:
                await response.aread()
                kind = "final" if _TOOL_RESULTS_MARK[api] in _compact(response.request.content) else "tool_calls"
                seen[kind] = response.text

            async def run(api: str = api, keep: Callable[..., Any] = keep) -> Any:
                http = httpx.AsyncClient(event_hooks={"response": [keep]})
                client = openai.AsyncOpenAI(base_url=server.base_url, api_key="sk-bench", http_client=http)
                return await Runner.run(build_agent(_model(api, client)), QUESTION)

            result = asyncio.run(run())
            calls = [item for item in result.new_items if item.type == "tool_call_item"]
            if sorted(seen) != ["final", "tool_calls"] or len(calls) != 2:
                raise RuntimeError(f"the local endpoint did not drive a two-tool run ({api}): {sorted(seen)}")
            answers[api] = seen
    return answers


def _compact(body: bytes) -> bytes:
    """The request body without JSON whitespace, so one marker matches however it was encoded."""
    try:
        return json.dumps(json.loads(body), separators=(",", ":")).encode()
    except ValueError:
        return body


# --- the runs, in a worker -------------------------------------------------------------------


def replay_client(api: str, answers: dict[str, str]) -> Any:
    """An ``AsyncOpenAI`` client answered in-process with the recorded bodies."""
    import openai

    httpx = _httpx()
    mark = _TOOL_RESULTS_MARK[api]
    final = answers["final"].encode()
    tool_calls = answers["tool_calls"].encode()
    headers = {"content-type": "application/json"}

    def answer(request: Any) -> Any:
        # The SDK and the client encode the body compactly; the endpoint's own check is the same.
        body = final if mark in request.content else tool_calls
        return httpx.Response(200, headers=headers, content=body)

    http = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return openai.AsyncOpenAI(base_url=BASE_URL, api_key="sk-bench", http_client=http, max_retries=0)


class AgentRuns:
    """Batches of ``Runner.run`` on one event loop, for one model API."""

    def __init__(self, api: str, answers: dict[str, str]) -> None:
        from agents import Runner

        self.loop = asyncio.new_event_loop()
        self.agent = build_agent(_model(api, replay_client(api, answers)))
        self._runner = Runner

    async def _runs(self, calls: int) -> Any:
        result = None
        for _ in range(calls):
            result = await self._runner.run(self.agent, QUESTION)
        return result

    def batch(self, calls: int) -> None:
        result = self.loop.run_until_complete(self._runs(calls))
        if result is not None and not result.final_output:
            raise RuntimeError("the agent run gave no answer")

    def one(self) -> Any:
        """One run; its result (the checks read its tool call ids)."""
        return self.loop.run_until_complete(self._runs(1))


# --- the hand-written API ----------------------------------------------------------------------


def plain_batch() -> Callable[[int], None]:
    """The two tools called bare inside a function: the floor the API is measured against."""

    def plan() -> list[str]:
        return [get_weather("Paris"), get_time("Paris")]

    def batch(calls: int) -> None:
        for _ in range(calls):
            plan()

    return batch


def api_batch() -> Callable[[int], None]:
    """The same, with ``@agent`` on the function and ``@tool`` on the tools."""
    from otel_genai import agent, tool

    weather, time = tool(get_weather), tool(get_time)

    @agent("planner")
    def plan() -> list[str]:
        return [weather("Paris"), time("Paris")]

    def batch(calls: int) -> None:
        for _ in range(calls):
            plan()

    return batch
