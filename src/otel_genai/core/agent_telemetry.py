"""Agent and tool records -> spans and metrics: the one place that emits them.

:class:`AgentTelemetry` is built once per instrumentation (or once for the hand-written
API) with the providers and the content policy. ``start_agent`` / ``start_tool`` open an
INTERNAL span with the sampling attributes (§1.1); :meth:`Step.end` records the rest and the
duration metric exactly once, whatever path the work takes. Nothing here raises into the
application: a failure of ours is logged and the span still ends.
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.metrics import get_meter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_genai import semconv
from otel_genai.config import Settings
from otel_genai.core import content
from otel_genai.core.agent_records import AgentInvocation, ToolExecution
from otel_genai.core.attributes import Attributes, error_type_of
from otel_genai.core.conversation import current_conversation_id
from otel_genai.core.internal_errors import log_internal_error
from otel_genai.core.policy import ContentPolicy
from otel_genai.version import __version__

_SCOPE = "otel_genai"


class AgentTelemetry:
    """The tracer, the agent and tool duration histograms, and the content policy."""

    def __init__(self, settings: Settings, *, tracer_provider: Any = None, meter_provider: Any = None) -> None:
        self.policy = ContentPolicy.from_settings(settings)
        self.tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider)
        meter = get_meter(_SCOPE, __version__, meter_provider)
        self.agent_duration = meter.create_histogram(
            semconv.METRIC_INVOKE_AGENT_DURATION,
            unit="s",
            description="Duration of an agent invocation.",
            explicit_bucket_boundaries_advisory=list(semconv.AGENT_DURATION_BUCKETS),
        )
        self.tool_duration = meter.create_histogram(
            semconv.METRIC_EXECUTE_TOOL_DURATION,
            unit="s",
            description="Duration of a tool execution.",
            explicit_bucket_boundaries_advisory=list(semconv.DURATION_BUCKETS),
        )

    def start_agent(self, rec: AgentInvocation, parent: Context | None = None) -> Step:
        """Open the ``invoke_agent`` span of ``rec`` (not made current)."""
        if rec.conversation_id is None:
            rec.conversation_id = current_conversation_id()
        name = f"{semconv.OP_INVOKE_AGENT} {rec.name}" if rec.name else semconv.OP_INVOKE_AGENT
        attrs: Attributes = {semconv.OPERATION_NAME: semconv.OP_INVOKE_AGENT}
        if rec.name is not None:
            attrs[semconv.AGENT_NAME] = rec.name
        if rec.request_model is not None:
            attrs[semconv.REQUEST_MODEL] = rec.request_model
        span = self.tracer.start_span(name, context=parent, kind=SpanKind.INTERNAL, attributes=attrs)
        return Step(self, rec, span)

    def start_tool(self, rec: ToolExecution, parent: Context | None = None) -> Step:
        """Open the ``execute_tool`` span of ``rec`` (not made current)."""
        if rec.conversation_id is None:
            rec.conversation_id = current_conversation_id()
        attrs: Attributes = {semconv.OPERATION_NAME: semconv.OP_EXECUTE_TOOL, semconv.TOOL_NAME: rec.name}
        if rec.tool_type is not None:
            attrs[semconv.TOOL_TYPE] = rec.tool_type
        name = f"{semconv.OP_EXECUTE_TOOL} {rec.name}"
        span = self.tracer.start_span(name, context=parent, kind=SpanKind.INTERNAL, attributes=attrs)
        return Step(self, rec, span)


def _structured(value: Any) -> Any:
    """Tool arguments arrive as JSON text from models: record the object when they parse."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _present(pairs: tuple[tuple[str, Any], ...]) -> Attributes:
    return {key: value for key, value in pairs if value is not None}


def agent_attributes(rec: AgentInvocation) -> Attributes:
    return _present(
        (
            (semconv.AGENT_ID, rec.agent_id),
            (semconv.AGENT_DESCRIPTION, rec.description),
            (semconv.AGENT_VERSION, rec.version),
            # Also set at start when known then; a framework may learn it only as the agent runs.
            (semconv.REQUEST_MODEL, rec.request_model),
            (semconv.CONVERSATION_ID, rec.conversation_id),
            (semconv.ERROR_TYPE, rec.error_type),
        )
    )


def tool_attributes(rec: ToolExecution) -> Attributes:
    return _present(
        (
            (semconv.TOOL_CALL_ID, rec.call_id),
            (semconv.TOOL_DESCRIPTION, rec.description),
            (semconv.AGENT_NAME, rec.agent_name),
            (semconv.CONVERSATION_ID, rec.conversation_id),
            (semconv.ERROR_TYPE, rec.error_type),
        )
    )


class Step:
    """One agent invocation or tool execution in flight: its record, span and clock."""

    __slots__ = ("telemetry", "record", "span", "recording", "records_content", "started", "_once")

    def __init__(self, telemetry: AgentTelemetry, record: AgentInvocation | ToolExecution, span: trace.Span) -> None:
        self.telemetry = telemetry
        self.record = record
        self.span = span
        self.recording = span.is_recording()
        # Tool arguments and results, and an agent's messages, go on the span only: the
        # conventions define no event for them.
        self.records_content = self.recording and telemetry.policy.content_on_span
        self.started = time.perf_counter()
        self._once = threading.Lock()

    def fail(self, exc: BaseException) -> None:
        self.end(error_type=error_type_of(exc), description=str(exc))

    def end(self, error_type: str | None = None, description: str | None = None) -> None:
        """Record the span and the duration once; later calls do nothing. Never raises."""
        if not self._once.acquire(blocking=False):
            return
        duration = time.perf_counter() - self.started
        rec = self.record
        if error_type is not None:
            rec.error_type = error_type
        try:
            if self.recording:
                self._record_span(description)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into the app
            log_internal_error("recording an agent or tool span", exc)
        try:
            self.span.end()
        except Exception as exc:  # noqa: BLE001
            log_internal_error("ending an agent or tool span", exc)
        try:
            self._record_metric(duration)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("recording an agent or tool metric", exc)

    def _record_span(self, description: str | None) -> None:
        rec = self.record
        if rec.error_type is not None:
            self.span.set_status(Status(StatusCode.ERROR, description))
        if isinstance(rec, AgentInvocation):
            attrs = agent_attributes(rec)
            if self.records_content:
                policy = self.telemetry.policy
                values = content.content_values(rec, policy.max_content_length, policy.max_blob_length)
                attrs.update({name: content.to_json(value) for name, value in values.items()})
            self.span.set_attributes(attrs)
            return
        attrs = tool_attributes(rec)
        if self.records_content:
            limit = self.telemetry.policy.max_content_length
            if rec.arguments is not None:
                attrs[semconv.TOOL_CALL_ARGUMENTS] = content.to_json(content.bounded(_structured(rec.arguments), limit))
            if rec.result is not None:
                attrs[semconv.TOOL_CALL_RESULT] = content.to_json(content.bounded(_structured(rec.result), limit))
        self.span.set_attributes(attrs)

    def _record_metric(self, duration: float) -> None:
        rec = self.record
        telemetry = self.telemetry
        if isinstance(rec, AgentInvocation):
            attrs: Attributes = {semconv.OPERATION_NAME: semconv.OP_INVOKE_AGENT}
            if rec.name is not None:
                attrs[semconv.AGENT_NAME] = rec.name
            if rec.request_model is not None:
                attrs[semconv.REQUEST_MODEL] = rec.request_model
            histogram = telemetry.agent_duration
        else:
            attrs = {semconv.OPERATION_NAME: semconv.OP_EXECUTE_TOOL, semconv.TOOL_NAME: rec.name}
            if rec.tool_type is not None:
                attrs[semconv.TOOL_TYPE] = rec.tool_type
            if rec.agent_name is not None:
                attrs[semconv.AGENT_NAME] = rec.agent_name
            histogram = telemetry.tool_duration
        if rec.error_type is not None:
            attrs[semconv.ERROR_TYPE] = rec.error_type
        histogram.record(duration, attrs)
