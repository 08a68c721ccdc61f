"""Invocation record -> span, metrics and events. The one place that emits telemetry.

:class:`GenAITelemetry` is built once per ``instrument()`` with the providers and the
:class:`~otel_genai.core.policy.ContentPolicy`. For each model call it opens a
:class:`ModelCall` (span started with the sampling attributes, not made current), and
``ModelCall.end`` records everything else exactly once, whatever path the call takes.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from opentelemetry import trace
from opentelemetry._logs import get_logger
from opentelemetry.context import Context
from opentelemetry.metrics import get_meter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_genai import semconv
from otel_genai.config import Settings
from otel_genai.core import content, events
from otel_genai.core.attributes import (
    Attributes,
    error_type_of,
    legacy_view,
    metric_attributes,
    outcome_attributes,
    per_chunk_metric_attributes,
    sampling_attributes,
)
from otel_genai.core.conversation import current_conversation_id
from otel_genai.core.internal_errors import fault_point, log_internal_error
from otel_genai.core.invocation import Invocation
from otel_genai.core.policy import ContentPolicy
from otel_genai.version import __version__

_SCOPE = "otel_genai"


class GenAITelemetry:
    """The tracer, instruments and logger of one instrumentation, and its content policy."""

    def __init__(
        self,
        settings: Settings,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        logger_provider: Any = None,
        schema_url: str | None = None,
    ) -> None:
        self.policy = ContentPolicy.from_settings(settings)
        self.tracer = trace.get_tracer(_SCOPE, __version__, tracer_provider, schema_url=schema_url)
        meter = get_meter(_SCOPE, __version__, meter_provider, schema_url=schema_url)
        self.logger = get_logger(_SCOPE, __version__, logger_provider, schema_url=schema_url)
        self.duration = meter.create_histogram(
            semconv.METRIC_OPERATION_DURATION,
            unit="s",
            description="GenAI operation duration.",
            explicit_bucket_boundaries_advisory=list(semconv.DURATION_BUCKETS),
        )
        self.token_usage = meter.create_histogram(
            semconv.METRIC_TOKEN_USAGE,
            unit="{token}",
            description="Number of input and output tokens used.",
            explicit_bucket_boundaries_advisory=list(semconv.TOKEN_BUCKETS),
        )
        self.time_to_first_chunk = meter.create_histogram(
            semconv.METRIC_TIME_TO_FIRST_CHUNK,
            unit="s",
            description="Time from the request until the first chunk of a streamed response.",
            explicit_bucket_boundaries_advisory=list(semconv.DURATION_BUCKETS),
        )
        self.time_per_output_chunk = meter.create_histogram(
            semconv.METRIC_TIME_PER_OUTPUT_CHUNK,
            unit="s",
            description="Time between consecutive chunks of a streamed response.",
            explicit_bucket_boundaries_advisory=list(semconv.DURATION_BUCKETS),
        )

    def named(self, latest: Attributes) -> Attributes:
        """``latest`` in the names the convention mode asks for."""
        policy = self.policy
        if not policy.legacy_names:
            return latest
        legacy = legacy_view(latest)
        return {**latest, **legacy} if policy.latest_names else legacy

    def start(self, inv: Invocation, parent: Context | None = None, started_ns: int | None = None) -> ModelCall:
        """Open the span of ``inv`` (not made current) and start its clock.

        ``parent`` and ``started_ns`` (a ``time.time_ns()``) are for a call that a framework
        reports after the fact; by default the call starts now, under the current span.
        """
        if inv.conversation_id is None:
            inv.conversation_id = current_conversation_id()
        name = f"{inv.operation} {inv.request_model}" if inv.request_model else inv.operation
        attributes = self.named(sampling_attributes(inv))
        span = self.tracer.start_span(
            name, context=parent, kind=SpanKind.CLIENT, attributes=attributes, start_time=started_ns
        )
        call = ModelCall(self, inv, span)
        if started_ns is not None:
            call.started -= (time.time_ns() - started_ns) / 1e9
        return call


class ModelCall:
    """One model call in flight: its record, its span and its clock.

    The core fills ``chunk_times`` while a stream is read and calls :meth:`end` (or
    :meth:`fail`); only the first end counts.
    """

    __slots__ = ("telemetry", "invocation", "span", "recording", "reads_messages", "started", "chunk_times", "_once")

    def __init__(self, telemetry: GenAITelemetry, inv: Invocation, span: trace.Span) -> None:
        self.telemetry = telemetry
        self.invocation = inv
        self.span = span
        self.recording = span.is_recording()
        # Messages are translated only when some signal will carry them: a sampled-out
        # call pays nothing for content.
        self.reads_messages = self.recording and telemetry.policy.reads_messages
        self.started = time.perf_counter()
        # When each chunk of a stream arrived; the per-chunk metrics are recorded from it at the end.
        self.chunk_times: list[float] = []
        # Taken by the first end: a close from another thread and a finalizer record the call once.
        self._once = threading.Lock()

    @property
    def ended(self) -> bool:
        return self._once.locked()

    def fail(self, exc: BaseException) -> None:
        """End the call as failed by ``exc``."""
        self.end(error_type=error_type_of(exc), description=str(exc), exception=exc)

    def end(
        self, error_type: str | None = None, description: str | None = None, exception: BaseException | None = None
    ) -> None:
        """Record span, metrics and events once; later calls do nothing. Never raises.

        The span, the exception event and the metrics are recorded independently: a
        failure in one (ours or an SDK's) still leaves the others recorded, and the span
        always ends.
        """
        if not self._once.acquire(blocking=False):
            return
        ended_at = time.perf_counter()
        inv = self.invocation
        if error_type is not None:
            inv.error_type = error_type
        ttfc = self.chunk_times[0] - self.started if self.chunk_times else None
        try:
            if self.recording:
                self._record_span(description, ttfc)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into the app
            log_internal_error("recording the span", exc)
        if exception is not None and self.telemetry.policy.exception_event:
            # Also for a sampled-out call: a failure is rare, and worth a record of its own.
            try:
                fault_point("emit events")
                events.emit_exception(self.telemetry.logger, self.span, inv, exception)
            except Exception as exc:  # noqa: BLE001
                log_internal_error("emitting the exception event", exc)
        try:
            self.span.end()
        except Exception as exc:  # noqa: BLE001
            log_internal_error("ending the span", exc)
        try:
            self._record_metrics(ended_at - self.started, ttfc)
        except Exception as exc:  # noqa: BLE001
            log_internal_error("recording metrics", exc)

    def _record_span(self, description: str | None, ttfc: float | None) -> None:
        fault_point("record span")
        telemetry = self.telemetry
        policy = telemetry.policy
        inv = self.invocation
        if self.reads_messages and policy.content_hook is not None:
            try:
                policy.content_hook(inv)
            except Exception as exc:  # noqa: BLE001
                log_internal_error("the content hook", exc)
                inv.system_instructions = inv.input_messages = inv.output_messages = None
                inv.tool_definitions = None
        if inv.error_type is not None:
            self.span.set_status(Status(StatusCode.ERROR, description))
        latest = outcome_attributes(inv, ttfc)
        span_attrs = telemetry.named(latest)
        # The content values are built once, for the span's JSON and the event alike.
        values = None
        if self.reads_messages and policy.content_values_needed:
            values = content.content_values(inv, policy.max_content_length, policy.max_blob_length)
        if values and policy.content_on_span:
            span_attrs = {**span_attrs, **{key: content.to_json(value) for key, value in values.items()}}
        self.span.set_attributes(span_attrs)
        if policy.emits_events:
            try:
                fault_point("emit events")
                events.emit(telemetry.logger, policy, self.span, inv, latest, values)
            except Exception as exc:  # noqa: BLE001 - a failed event must not cost the span
                log_internal_error("emitting events", exc)

    def _record_metrics(self, duration: float, ttfc: float | None) -> None:
        fault_point("record metrics")
        telemetry = self.telemetry
        named = telemetry.named
        inv = self.invocation
        common = metric_attributes(inv)
        if inv.error_type is not None:
            telemetry.duration.record(duration, named({**common, semconv.ERROR_TYPE: inv.error_type}))
        else:
            telemetry.duration.record(duration, named(common))
        if inv.input_tokens is not None:
            input_attrs = {**common, semconv.TOKEN_TYPE: semconv.TOKEN_TYPE_INPUT}
            telemetry.token_usage.record(inv.input_tokens, named(input_attrs))
        if inv.output_tokens is not None:
            output_attrs = {**common, semconv.TOKEN_TYPE: semconv.TOKEN_TYPE_OUTPUT}
            telemetry.token_usage.record(inv.output_tokens, named(output_attrs))
        if ttfc is not None:
            telemetry.time_to_first_chunk.record(ttfc, named(common))
            per_chunk = named(per_chunk_metric_attributes(inv))
            record = telemetry.time_per_output_chunk.record
            times = self.chunk_times
            for earlier, later in zip(times, times[1:], strict=False):
                record(later - earlier, per_chunk)
