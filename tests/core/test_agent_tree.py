"""core/agent_tree.py with bare records: ids in, spans out."""

from __future__ import annotations

import asyncio
import json
import logging

from opentelemetry import trace

from otel_genai.config import Settings
from otel_genai.core.agent_records import AgentInvocation, ToolExecution
from otel_genai.core.agent_telemetry import AgentTelemetry
from otel_genai.core.agent_tree import AgentTree
from otel_genai.core.invocation import Invocation
from otel_genai.core.telemetry import GenAITelemetry
from telemetry_capture import Captured


def tree_for(captured: Captured) -> AgentTree:
    settings = Settings()
    return AgentTree(
        AgentTelemetry(settings, tracer_provider=captured.tracer_provider, meter_provider=captured.meter_provider),
        GenAITelemetry(settings, **captured.providers()),
    )


def chat(model: str) -> Invocation:
    return Invocation(operation="chat", provider="openai", request_model=model)


def test_tool_executions_take_the_models_call_ids_in_order():
    captured = Captured()
    tree = tree_for(captured)
    tree.trace_started("t")
    tree.agent_started("a", None, "t", AgentInvocation(name="A"))
    tree.model_call_started("m", "a", "t")
    calls = [("lookup", "call_1"), ("lookup", "call_2"), ("other", "call_3")]
    tree.model_call_ended("m", chat("m1"), calls, recorded_elsewhere=False)
    for unit, name in (("x", "other"), ("y", "lookup"), ("z", "lookup"), ("w", "lookup")):
        tree.tool_started(unit, "a", "t", ToolExecution(name=name))
        tree.ended(unit)
    tree.ended("a")
    tree.trace_ended("t")

    tools = [s for s in captured.spans() if s.name.startswith("execute_tool")]
    assert [s.attributes.get("gen_ai.tool.call.id") for s in tools] == ["call_3", "call_1", "call_2", None]
    agent = next(s for s in captured.spans() if s.name == "invoke_agent A")
    assert {s.parent.span_id for s in tools} == {agent.context.span_id}
    assert agent.attributes["gen_ai.request.model"] == "m1"  # its one model


def test_a_model_call_recorded_elsewhere_is_not_recorded_again():
    captured = Captured()
    tree = tree_for(captured)
    tree.trace_started("t")
    tree.agent_started("a", None, "t", AgentInvocation(name="A"))
    tree.model_call_started("m", "a", "t")
    tree.model_call_ended("m", chat("m1"), [], recorded_elsewhere=True)
    tree.ended("a")
    tree.trace_ended("t")
    assert [s.name for s in captured.spans()] == ["invoke_agent A"]
    assert captured.metrics("gen_ai.client.operation.duration") == []


def test_a_handoff_nests_the_next_agent_and_keeps_the_first_open_until_the_trace_ends():
    captured = Captured()
    tree = tree_for(captured)
    tree.trace_started("t")
    tree.agent_started("a", "task", "t", AgentInvocation(name="A"))
    tree.passed_through("h", "a", "t")
    tree.handed_off("h", "t", "B")
    tree.ended("h")
    tree.ended("a")
    assert captured.spans() == []  # A waits for the trace
    tree.agent_started("b", "task", "t", AgentInvocation(name="B"))
    tree.ended("b", error_type="Max turns exceeded")
    tree.trace_ended("t")

    b, a = captured.spans()
    assert (a.name, b.name) == ("invoke_agent A", "invoke_agent B")
    assert b.parent.span_id == a.context.span_id
    assert a.end_time >= b.end_time
    assert b.attributes["error.type"] == "Max turns exceeded"
    assert "error.type" not in a.attributes


def test_units_never_ended_end_with_their_trace_and_leave_no_current_span():
    captured = Captured()
    tree = tree_for(captured)
    before = trace.get_current_span()
    tree.trace_started("t")
    tree.agent_started("a", None, "t", AgentInvocation(name="A"))
    tree.tool_started("x", "a", "t", ToolExecution(name="slow"))
    assert trace.get_current_span() is not before
    tree.trace_ended("t")
    assert sorted(s.name for s in captured.spans()) == ["execute_tool slow", "invoke_agent A"]
    assert trace.get_current_span() is before


async def test_a_unit_ended_in_another_context_leaves_the_context_alone(caplog):
    captured = Captured()
    tree = tree_for(captured)
    tree.trace_started("t")

    async def start() -> None:
        tree.agent_started("a", None, "t", AgentInvocation(name="A"))

    await asyncio.create_task(start())  # started in a task's copy of the context
    before = trace.get_current_span()
    with caplog.at_level(logging.ERROR):
        tree.ended("a")
    assert trace.get_current_span() is before
    assert "Failed to detach context" not in caplog.text
    assert [s.name for s in captured.spans()] == ["invoke_agent A"]


def test_the_agent_shows_its_first_turns_input_and_last_turns_answer_only_under_capture():
    from otel_genai.config import ContentCapture
    from otel_genai.core.agent_records import ModelTurn
    from otel_genai.core.invocation import Message, ToolDefinition, text_part

    def turn(n: int) -> ModelTurn:
        return ModelTurn(
            system_instructions=[text_part(f"rules {n}")],
            input_messages=[Message("user", [text_part(f"question {n}")])],
            output_messages=[Message("assistant", [text_part(f"answer {n}")], finish_reason="stop")],
        )

    reads: list[int] = []

    def read(n: int) -> ModelTurn:
        reads.append(n)
        return turn(n)

    captured = Captured()
    for capture in (ContentCapture.NO_CONTENT, ContentCapture.SPAN_ONLY):
        settings = Settings(capture=capture)
        tree = AgentTree(
            AgentTelemetry(settings, tracer_provider=captured.tracer_provider, meter_provider=captured.meter_provider),
            GenAITelemetry(settings, **captured.providers()),
        )
        tree.trace_started("t")
        tree.agent_started("a", None, "t", AgentInvocation(name=capture.name))
        for n in (1, 2):
            tree.model_call_started(f"m{n}", "a", "t")
            tree.model_call_ended(f"m{n}", chat("m"), [], recorded_elsewhere=True, content=lambda n=n: read(n))
        tree.agent_finished("a", [ToolDefinition("function", "lookup")])
        tree.ended("a")
        tree.trace_ended("t")

    assert reads == [1, 2]  # the messages are read only for the agent that records them
    quiet = next(s for s in captured.spans() if s.name == "invoke_agent NO_CONTENT")
    assert not [
        k for k in quiet.attributes if k.startswith(("gen_ai.input", "gen_ai.output", "gen_ai.system", "gen_ai.tool"))
    ]
    shown = next(s for s in captured.spans() if s.name == "invoke_agent SPAN_ONLY").attributes
    assert json.loads(shown["gen_ai.system_instructions"]) == [{"type": "text", "content": "rules 1"}]
    assert json.loads(shown["gen_ai.input.messages"]) == [
        {"role": "user", "parts": [{"type": "text", "content": "question 1"}]}
    ]
    assert json.loads(shown["gen_ai.output.messages"]) == [
        {"role": "assistant", "parts": [{"type": "text", "content": "answer 2"}], "finish_reason": "stop"}
    ]
    assert json.loads(shown["gen_ai.tool.definitions"]) == [{"type": "function", "name": "lookup"}]
