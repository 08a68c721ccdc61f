"""How the local endpoint drives an agent loop, through the real openai client, on both APIs.

Within a turn (everything since the user's last message) it calls each offered tool once:
the ordinary tools first, then a hand-off (a tool named ``transfer_to_<agent>``, as the
OpenAI Agents SDK offers them), then it answers in text. The app side here plays what the
Agents SDK does: it runs each tool, and on a hand-off offers the next agent's tools.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import openai
import pytest
from mock_openai_helpers import HAS_RESPONSES_API

# What one model step did: the tools it called (in order), or its text.
Step = tuple[str, ...] | str

CITY = {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}


def _chat_tool(name: str) -> dict[str, Any]:
    return {"type": "function", "function": {"name": name, "parameters": CITY}}


def _responses_tool(name: str) -> dict[str, Any]:
    return {"type": "function", "name": name, "parameters": CITY}


def _result(name: str) -> str:
    return f"{name} says ok"


def _chat_step(client: openai.OpenAI, history: list[Any], tools: list[str], options: dict[str, Any]) -> Step:
    offered = [_chat_tool(name) for name in tools] or openai.NOT_GIVEN
    completion = client.chat.completions.create(model="gpt-4o-mini", messages=history, tools=offered, **options)
    message = completion.choices[0].message
    calls = message.tool_calls or []
    if not calls:
        history.append({"role": "assistant", "content": message.content})
        return message.content or ""
    history.append({
        "role": "assistant",
        "tool_calls": [
            {"id": c.id, "type": "function", "function": {"name": c.function.name, "arguments": c.function.arguments}}
            for c in calls
        ],
    })  # fmt: skip
    history.extend({"role": "tool", "tool_call_id": c.id, "content": _result(c.function.name)} for c in calls)
    return tuple(c.function.name for c in calls)


def _responses_step(client: openai.OpenAI, history: list[Any], tools: list[str], options: dict[str, Any]) -> Step:
    offered = [_responses_tool(name) for name in tools] or openai.NOT_GIVEN
    response = client.responses.create(model="gpt-4o-mini", input=history, tools=offered, **options)
    calls = [item for item in response.output if item.type == "function_call"]
    if not calls:
        history.append({"role": "assistant", "content": response.output_text})
        return response.output_text
    for call in calls:
        asked = {"type": "function_call", "call_id": call.call_id, "name": call.name, "arguments": call.arguments}
        history.append(asked)
        history.append({"type": "function_call_output", "call_id": call.call_id, "output": _result(call.name)})
    return tuple(call.name for call in calls)


StepFunction = Callable[[openai.OpenAI, list[Any], list[str], dict[str, Any]], Step]
APIS = [
    pytest.param(_chat_step, id="chat"),
    pytest.param(
        _responses_step,
        id="responses",
        marks=pytest.mark.skipif(not HAS_RESPONSES_API, reason="this openai client has no Responses API"),
    ),
]


def run_turn(
    step: StepFunction,
    client: openai.OpenAI,
    history: list[Any],
    agents: dict[str, list[str]],
    first: str,
    **options: Any,
) -> list[tuple[str, Step]]:
    """Ask the model until it answers in text; a hand-off switches to the named agent's tools."""
    agent, steps = first, []
    for _ in range(8):  # a bound on a broken loop, well past what any case here takes
        done = step(client, history, agents[agent], options)
        steps.append((agent, done))
        if isinstance(done, str):
            return steps
        for name in done:
            if name.startswith("transfer_to_"):
                agent = name.removeprefix("transfer_to_")
    raise AssertionError(f"no text answer after {steps}")


AGENTS = {"triage": ["get_weather", "get_time", "transfer_to_billing"], "billing": ["get_invoice"]}


@pytest.mark.parametrize("step", APIS)
def test_each_tool_once_then_the_handoff_then_the_next_agents_tools_then_text(step, openai_client) -> None:
    history: list[Any] = [{"role": "user", "content": "What do I owe?"}]
    steps = run_turn(step, openai_client, history, AGENTS, "triage")
    assert steps[:-1] == [
        ("triage", ("get_weather", "get_time")),
        ("triage", ("transfer_to_billing",)),
        ("billing", ("get_invoice",)),
    ]
    agent, text = steps[-1]
    assert agent == "billing"
    # The answer reports the results it was handed last.
    assert isinstance(text, str) and "get_invoice returned get_invoice says ok" in text


@pytest.mark.parametrize("step", APIS)
def test_the_agent_handed_to_answers_the_question_not_the_handoff(step, openai_client) -> None:
    history: list[Any] = [{"role": "user", "content": "Write a short poem about Paris."}]
    steps = run_turn(step, openai_client, history, {"triage": ["transfer_to_poet"], "poet": []}, "triage")
    assert steps[0] == ("triage", ("transfer_to_poet",))
    agent, text = steps[1]
    assert agent == "poet" and isinstance(text, str)
    assert "transfer_to_poet" not in text and len(text.splitlines()) >= 4  # a poem, not a report of the hand-off


@pytest.mark.parametrize("step", APIS)
def test_without_parallel_calls_the_tools_come_one_at_a_time(step, openai_client) -> None:
    history: list[Any] = [{"role": "user", "content": "Weather and time?"}]
    agents = {"solo": ["get_weather", "get_time"]}
    # In the body rather than as an argument: openai releases before 1.29 have no such parameter.
    steps = run_turn(step, openai_client, history, agents, "solo", extra_body={"parallel_tool_calls": False})
    assert [done for _, done in steps[:-1]] == [("get_weather",), ("get_time",)]
    assert isinstance(steps[-1][1], str)


@pytest.mark.parametrize("step", APIS)
def test_a_new_question_starts_a_new_turn_and_the_tools_are_called_again(step, openai_client) -> None:
    history: list[Any] = [{"role": "user", "content": "Weather?"}]
    agents = {"solo": ["get_weather"]}
    first = run_turn(step, openai_client, history, agents, "solo")
    history.append({"role": "user", "content": "And tomorrow?"})
    second = run_turn(step, openai_client, history, agents, "solo")
    assert [done for _, done in first[:-1]] == [done for _, done in second[:-1]] == [("get_weather",)]


@pytest.mark.parametrize("step", APIS)
def test_a_tool_named_in_tool_choice_is_called_once_then_text(step, openai_client) -> None:
    history: list[Any] = [{"role": "user", "content": "Time?"}]
    named = {"type": "function", "function": {"name": "get_time"}}
    if step is _responses_step:
        named = {"type": "function", "name": "get_time"}
    steps = run_turn(step, openai_client, history, {"solo": ["get_weather", "get_time"]}, "solo", tool_choice=named)
    assert [done for _, done in steps[:-1]] == [("get_time",)]
    assert isinstance(steps[-1][1], str)
