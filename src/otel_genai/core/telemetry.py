"""Invocation record -> span, metrics and events. The one place that emits telemetry.

:class:`GenAITelemetry` is built once per ``instrument()`` with the providers and the
:class:`~otel_genai.config.Settings`. For each model call it opens a :class:`ModelCall`
(span started with the sampling attributes, not made current), and ``ModelCall.end``
records everything else exactly once, whatever path the call takes.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, NamedTuple

from opentelemetry import trace
from opentelemetry._logs import LogRecord, SeverityNumber, get_logger
from opentelemetry.metrics import get_meter
from opentelemetry.trace import SpanKind, Status, StatusCode

from otel_genai import __version__, semconv
from otel_genai.config import Settings
from otel_genai.core import content
from otel_genai.core.attributes import (
    Attributes,
    error_type_of,
    legacy_view,
    metric_attributes,
    outcome_attributes,
    sampling_attributes,
)
from otel_genai.core.internal_errors import fault_point, log_internal_error
from otel_genai.core.invocation import Invocation, Message

_SCOPE = "otel_genai"
_LEGACY_ROLE_EVENTS = {
    "system": semconv.LEGACY_EVENT_SYSTEM_MESSAGE,
    "developer": semconv.LEGACY_EVENT_SYSTEM_MESSAGE,
    "user": semconv.LEGACY_EVENT_USER_MESSAGE,
    "assistant": semconv.LEGACY_EVENT_ASSISTANT_MESSAGE,
    "tool": semconv.LEGACY_EVENT_TOOL_MESSAGE,
}


_METRIC_SET_CACHE_SIZE = 1024


class MetricAttributeSets(NamedTuple):
    """The attribute dicts one call's metric records use (§2.1)."""

    common: Attributes
    input_tokens: Attributes
    output_tokens: Attributes
    # time_per_output_chunk is recorded for every chunk, so it carries the required and
    # conditionally required attributes only: each attribute costs every chunk a little.
    per_chunk: Attributes

    @classmethod
    def build(cls, inv: Invocation, view: Callable[[Attributes], Attributes]) -> MetricAttributeSets:
        common = metric_attributes(inv)
        per_chunk: Attributes = {
            k: common[k] for k in (semconv.OPERATION_NAME, semconv.PROVIDER_NAME, semconv.REQUEST_MODEL) if k in common
        }
        return cls(
            view(common),
            view({**common, semconv.TOKEN_TYPE: semconv.TOKEN_TYPE_INPUT}),
            view({**common, semconv.TOKEN_TYPE: semconv.TOKEN_TYPE_OUTPUT}),
            view(per_chunk),
        )


class GenAITelemetry:
    """The tracer, instruments and logger of one instrumentation, and its settings."""

    def __init__(
        self,
        settings: Settings,
        *,
        tracer_provider: Any = None,
        meter_provider: Any = None,
        logger_provider: Any = None,
        schema_url: str | None = None,
    ) -> None:
        self.settings = settings
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
        conventions = settings.conventions
        self.emit_latest = conventions.emits_latest
        self.emit_legacy = conventions.emits_legacy
        self.content_on_span = settings.content_on_span and self.emit_latest
        self.content_on_details_event = settings.emit_events and settings.content_on_event and self.emit_latest
        self._metric_sets: dict[tuple[Any, ...], MetricAttributeSets] = {}

    def metric_attribute_sets(self, inv: Invocation) -> MetricAttributeSets:
        """The metric attribute dicts for ``inv``, built once per distinct set and reused.

        The dicts are shared between calls and must never be mutated.
        """
        key = (
            inv.operation,
            inv.provider,
            inv.request_model,
            inv.response_model,
            inv.server_address,
            inv.server_port,
            inv.provider_attributes.get(semconv.OPENAI_RESPONSE_SERVICE_TIER),
        )
        sets = self._metric_sets.get(key)
        if sets is None:
            sets = MetricAttributeSets.build(inv, self._convention_view)
            if len(self._metric_sets) >= _METRIC_SET_CACHE_SIZE:
                self._metric_sets.clear()
            self._metric_sets[key] = sets
        return sets

    def _convention_view(self, latest: Attributes) -> Attributes:
        if not self.emit_legacy:
            return latest
        legacy = legacy_view(latest)
        return {**latest, **legacy} if self.emit_latest else legacy

    def start(self, inv: Invocation) -> ModelCall:
        """Open the span of ``inv`` (not made current) and start its clock."""
        attrs = sampling_attributes(inv)
        if self.emit_legacy:
            legacy = legacy_view(attrs)
            attrs = {**attrs, **legacy} if self.emit_latest else legacy
        name = f"{inv.operation} {inv.request_model}" if inv.request_model else inv.operation
        span = self.tracer.start_span(name, kind=SpanKind.CLIENT, attributes=attrs)
        return ModelCall(self, inv, span)


class ModelCall:
    """One model call in flight: its record, its span and its clock.

    Adapters fill ``invocation`` from the response or the chunks, then call
    :meth:`end` (or :meth:`fail`); only the first end counts.
    """

    __slots__ = (
        "telemetry",
        "invocation",
        "span",
        "recording",
        "wants_content",
        "started",
        "first_chunk_at",
        "chunk_times",
        "_unended",
    )

    def __init__(self, telemetry: GenAITelemetry, inv: Invocation, span: trace.Span) -> None:
        self.telemetry = telemetry
        self.invocation = inv
        self.span = span
        self.recording = span.is_recording()
        settings = telemetry.settings
        # Messages are translated only when some signal will carry them: a sampled-out
        # call with content on spans only pays nothing for content.
        self.wants_content = self.recording and (
            telemetry.content_on_span or settings.content_on_event or (settings.emit_events and telemetry.emit_legacy)
        )
        self.started = time.perf_counter()
        self.first_chunk_at: float | None = None
        self.chunk_times: list[float] | None = None
        # One token, taken by the first end(): list.pop is atomic, so two threads ending
        # the same call (a close from another thread, a finalizer) record it once.
        self._unended = [True]

    @property
    def ended(self) -> bool:
        return not self._unended

    def fail(self, exc: BaseException) -> None:
        """End the call as failed by ``exc``."""
        self.end(error_type=error_type_of(exc), description=str(exc))

    def end(self, error_type: str | None = None, description: str | None = None) -> None:
        """Record span, metrics and events once; later calls do nothing. Never raises.

        The span and the metrics are recorded independently: a failure in one (ours or
        an SDK's) still leaves the other recorded, and the span always ends.
        """
        try:
            self._unended.pop()
        except IndexError:
            return
        ended_at = time.perf_counter()
        inv = self.invocation
        if error_type is not None:
            inv.error_type = error_type
        ttfc = None if self.first_chunk_at is None else self.first_chunk_at - self.started
        try:
            if self.recording:
                self._record_span(description, ttfc)
        except Exception as exc:  # noqa: BLE001 - telemetry must never raise into the app
            log_internal_error("recording the span", exc)
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
        inv = self.invocation
        if self.wants_content and telemetry.settings.content_hook is not None:
            try:
                telemetry.settings.content_hook(inv)
            except Exception as exc:  # noqa: BLE001
                log_internal_error("the content hook", exc)
                inv.system_instructions = inv.input_messages = inv.output_messages = None
                inv.tool_definitions = None
        if inv.error_type is not None:
            self.span.set_status(Status(StatusCode.ERROR, description))
        latest = outcome_attributes(inv, ttfc)
        span_attrs = telemetry._convention_view(latest)
        # The content values are built once, for the span's JSON and the event alike.
        values = None
        if self.wants_content and (telemetry.content_on_span or telemetry.content_on_details_event):
            values = self._content_values()
        if values and telemetry.content_on_span:
            span_attrs = {**span_attrs, **{key: content.to_json(value) for key, value in values.items()}}
        self.span.set_attributes(span_attrs)
        try:
            fault_point("emit events")
            self._emit_events(latest, values)
        except Exception as exc:  # noqa: BLE001 - a failed event must not cost the span
            log_internal_error("emitting events", exc)

    def _content_values(self) -> Attributes:
        """The content attributes as structured values (events); spans get them as JSON."""
        inv = self.invocation
        limit = self.telemetry.settings.max_content_length
        blob_limit = self.telemetry.settings.max_blob_length
        values: Attributes = {}
        if inv.system_instructions:
            values[semconv.SYSTEM_INSTRUCTIONS] = content.parts_value(inv.system_instructions, limit, blob_limit)
        if inv.input_messages:
            values[semconv.INPUT_MESSAGES] = content.messages_value(inv.input_messages, limit, blob_limit)
        if inv.output_messages:
            values[semconv.OUTPUT_MESSAGES] = content.messages_value(
                inv.output_messages, limit, blob_limit, output=True
            )
        if inv.tool_definitions:
            values[semconv.TOOL_DEFINITIONS] = content.tool_definitions_value(inv.tool_definitions)
        return values

    def _record_metrics(self, duration: float, ttfc: float | None) -> None:
        fault_point("record metrics")
        telemetry = self.telemetry
        inv = self.invocation
        sets = telemetry.metric_attribute_sets(inv)
        if inv.error_type is not None:
            telemetry.duration.record(duration, {**sets.common, semconv.ERROR_TYPE: inv.error_type})
        else:
            telemetry.duration.record(duration, sets.common)
        if inv.input_tokens is not None:
            telemetry.token_usage.record(inv.input_tokens, sets.input_tokens)
        if inv.output_tokens is not None:
            telemetry.token_usage.record(inv.output_tokens, sets.output_tokens)
        if ttfc is not None and self.first_chunk_at is not None:
            telemetry.time_to_first_chunk.record(ttfc, sets.common)
            chunk_times = self.chunk_times
            if chunk_times:
                # Recorded here rather than per chunk: nothing but an append on the chunk path.
                record = telemetry.time_per_output_chunk.record
                per_chunk = sets.per_chunk
                previous = self.first_chunk_at
                for at in chunk_times:
                    record(at - previous, per_chunk)
                    previous = at

    # --- events ---------------------------------------------------------------------

    def _emit_events(self, latest: Attributes, content_values: Attributes | None) -> None:
        telemetry = self.telemetry
        if not telemetry.settings.emit_events:
            return
        context = trace.set_span_in_context(self.span)
        if telemetry.emit_latest and self.invocation.operation in semconv.INFERENCE_OPERATIONS:
            attrs = {**sampling_attributes(self.invocation), **latest}
            if telemetry.settings.content_on_event and content_values:
                attrs.update(content_values)
            self._emit(semconv.EVENT_INFERENCE_DETAILS, attrs, None, context)
        if telemetry.emit_legacy:
            self._emit_legacy_events(context)

    def _emit(self, name: str, attributes: Attributes, body: Any, context: Any) -> None:
        record = LogRecord(
            timestamp=time.time_ns(),
            context=context,
            severity_number=SeverityNumber.INFO,
            event_name=name,
            attributes=attributes,
            body=body,
        )
        self.telemetry.logger.emit(record)

    def _emit_legacy_events(self, context: Any) -> None:
        inv = self.invocation
        settings = self.telemetry.settings
        with_content = settings.content_on_event
        limit = settings.max_content_length
        system = {semconv.LEGACY_SYSTEM: semconv.LEGACY_PROVIDER_VALUES.get(inv.provider, inv.provider)}
        if inv.system_instructions:
            instructions = Message(role="system", parts=inv.system_instructions)
            body = content.legacy_message_body(instructions, "system", with_content, limit)
            self._emit(semconv.LEGACY_EVENT_SYSTEM_MESSAGE, system, body, context)
        for message in inv.input_messages or ():
            event_name = _LEGACY_ROLE_EVENTS.get(message.role, semconv.LEGACY_EVENT_USER_MESSAGE)
            default_role = "system" if event_name == semconv.LEGACY_EVENT_SYSTEM_MESSAGE else message.role
            body = content.legacy_message_body(message, default_role, with_content, limit)
            self._emit(event_name, system, body, context)
        reasons = inv.finish_reasons or []
        for index, message in enumerate(inv.output_messages or ()):
            raw_reason = reasons[index] if index < len(reasons) else None
            body = content.legacy_choice_body(index, message, raw_reason, with_content, limit)
            self._emit(semconv.LEGACY_EVENT_CHOICE, system, body, context)
