"""Agent and tool records -> spans and metrics, with bare records."""

from __future__ import annotations

import json

from otel_genai.config import ContentCapture, Settings
from otel_genai.core.agent_records import AgentInvocation, ToolExecution
from otel_genai.core.agent_telemetry import AgentTelemetry
from telemetry_capture import ALWAYS_OFF, Captured


def telemetry_for(captured: Captured, **settings: object) -> AgentTelemetry:
    return AgentTelemetry(
        Settings(**settings), tracer_provider=captured.tracer_provider, meter_provider=captured.meter_provider
    )


def test_tool_content_is_bounded_and_only_on_spans_when_asked():
    captured = Captured()
    for capture in (ContentCapture.NO_CONTENT, ContentCapture.EVENT_ONLY, ContentCapture.SPAN_ONLY):
        telemetry = telemetry_for(captured, capture=capture, max_content_length=5)
        step = telemetry.start_tool(ToolExecution(name="t", arguments='{"text": "abcdefgh"}', result="0123456789"))
        step.end()
    no_content, event_only, span_only = captured.spans()
    for span in (no_content, event_only):
        assert "gen_ai.tool.call.arguments" not in span.attributes
        assert "gen_ai.tool.call.result" not in span.attributes
    assert json.loads(span_only.attributes["gen_ai.tool.call.arguments"]) == {"text": "abcde…[truncated 3 chars]"}
    assert json.loads(span_only.attributes["gen_ai.tool.call.result"]) == "01234…[truncated 5 chars]"


def test_a_step_ends_once():
    captured = Captured()
    step = telemetry_for(captured).start_agent(AgentInvocation(name="a"))
    step.end()
    step.end(error_type="late")
    assert len(captured.spans()) == 1
    assert "error.type" not in captured.spans()[0].attributes
    (point,) = captured.metrics("gen_ai.invoke_agent.duration")
    assert point.count == 1


def test_a_sampled_out_step_still_records_its_metric():
    captured = Captured(sampler=ALWAYS_OFF)
    telemetry_for(captured, capture=ContentCapture.SPAN_ONLY).start_tool(ToolExecution(name="t")).end(error_type="E")
    assert captured.spans() == []
    (point,) = captured.metrics("gen_ai.execute_tool.duration")
    assert point.attributes["error.type"] == "E"


def test_an_agent_without_a_name_is_named_by_its_operation():
    captured = Captured()
    telemetry_for(captured).start_agent(AgentInvocation(name=None)).end()
    assert captured.span().name == "invoke_agent"
    assert "gen_ai.agent.name" not in captured.span().attributes
