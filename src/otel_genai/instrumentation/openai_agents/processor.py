"""The trace processor added to the Agents SDK: its spans -> our agent tree.

The SDK calls every registered processor at each trace and span start and end, in the
context where the work runs. This one translates each SDK span to a neutral record and hands
it to :class:`~otel_genai.core.agent_tree.AgentTree`; other processors (the SDK's own export,
the user's) are left as they are.

Model calls are recorded once: when our OpenAI client instrumentation is active, it records
each call (the SDK's models call the ``openai`` client, and its span nests under the agent's),
and this processor records none; otherwise it records each call from the SDK's response and
generation spans.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from agents.tracing import TracingProcessor
from agents.tracing.span_data import (
    AgentSpanData,
    FunctionSpanData,
    GenerationSpanData,
    HandoffSpanData,
    ResponseSpanData,
)

from otel_genai.core.agent_tree import AgentTree
from otel_genai.core.internal_errors import log_internal_error
from otel_genai.instrumentation.openai_agents import span_data


class OpenTelemetryProcessor(TracingProcessor):  # type: ignore[misc]
    """Registered once per process; ``tree`` is None while uninstrumented."""

    def __init__(self, client_records_model_calls: Callable[[], bool]) -> None:
        self.tree: AgentTree | None = None
        self.client_records_model_calls = client_records_model_calls

    def on_trace_start(self, trace: Any) -> None:
        tree = self.tree
        if tree is None:
            return
        try:
            tree.trace_started(trace.trace_id)
        except Exception as exc:  # noqa: BLE001 - never into the agent run
            log_internal_error("an Agents SDK trace start", exc)

    def on_trace_end(self, trace: Any) -> None:
        tree = self.tree
        if tree is None:
            return
        try:
            tree.trace_ended(trace.trace_id)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("an Agents SDK trace end", exc)

    def on_span_start(self, span: Any) -> None:
        tree = self.tree
        if tree is None:
            return
        try:
            data = span.span_data
            ids = (span.span_id, span.parent_id, span.trace_id)
            if isinstance(data, AgentSpanData):
                tree.agent_started(*ids, span_data.agent_record(data))
            elif isinstance(data, FunctionSpanData):
                tree.tool_started(*ids, span_data.tool_record(data))
            elif isinstance(data, (ResponseSpanData, GenerationSpanData)):
                tree.model_call_started(*ids)
            else:  # tasks, turns, hand-offs, guardrails, custom spans: their children go to their parent
                tree.passed_through(*ids)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("an Agents SDK span start", exc)

    def on_span_end(self, span: Any) -> None:
        tree = self.tree
        if tree is None:
            return
        try:
            data = span.span_data
            error_type, description = span_data.error_of(span)
            if isinstance(data, (ResponseSpanData, GenerationSpanData)):
                responses = isinstance(data, ResponseSpanData)
                record = span_data.response_call(data) if responses else span_data.generation_call(data)
                calls = span_data.response_tool_calls(data) if responses else span_data.generation_tool_calls(data)
                turn = span_data.response_turn if responses else span_data.generation_turn
                tree.model_call_ended(
                    span.span_id,
                    record,
                    calls,
                    recorded_elsewhere=self.client_records_model_calls(),
                    error_type=error_type,
                    description=description,
                    content=lambda: turn(data),
                )
                return
            if isinstance(data, AgentSpanData):
                tree.agent_finished(span.span_id, span_data.agent_tools(data))
            elif isinstance(data, FunctionSpanData):
                tree.tool_finished(span.span_id, data.input, data.output)
            elif isinstance(data, HandoffSpanData) and error_type is None:
                tree.handed_off(span.span_id, span.trace_id, data.to_agent)
            tree.ended(span.span_id, error_type, description)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("an Agents SDK span end", exc)

    def shutdown(self) -> None:
        pass

    def force_flush(self) -> None:
        pass
