"""Flatten OTLP export requests into the rows the store writes.

This is the hot path of ingest, so it walks the protobuf messages by hand instead of
going through ``json_format``; GenAI fields are lifted into columns here so the page's
queries never parse JSON.
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from otel_genai.viewer import genai_names as gn

_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def any_value(value: AnyValue) -> Any:
    """The Python value of an OTLP AnyValue; bytes become base64 text."""
    kind = value.WhichOneof("value")
    if kind == "string_value":
        return value.string_value
    if kind == "int_value":
        return value.int_value
    if kind == "double_value":
        return value.double_value
    if kind == "bool_value":
        return value.bool_value
    if kind == "kvlist_value":
        return {kv.key: any_value(kv.value) for kv in value.kvlist_value.values}
    if kind == "array_value":
        return [any_value(item) for item in value.array_value.values]
    if kind == "bytes_value":
        return base64.b64encode(value.bytes_value).decode("ascii")
    return None


def key_values(pairs: Any) -> dict[str, Any]:
    """A repeated KeyValue field as a dict."""
    return {kv.key: any_value(kv.value) for kv in pairs}


@dataclass
class ResourceRow:
    """A resource (service) shared by many rows, stored once by digest."""

    digest: str
    service_name: str
    attributes_json: str


@dataclass
class Batch:
    """Rows from one export request, written in one transaction."""

    resources: dict[str, ResourceRow] = field(default_factory=dict)
    spans: list[tuple[Any, ...]] = field(default_factory=list)
    logs: list[tuple[Any, ...]] = field(default_factory=list)
    metric_points: list[tuple[Any, ...]] = field(default_factory=list)
    # (trace_id, span_id, text) of captured prompts and answers, for text search.
    content: list[tuple[str, str, str]] = field(default_factory=list)


SPAN_COLUMNS = (
    "trace_id", "span_id", "parent_span_id", "name", "kind", "start_ns", "end_ns",
    "status_code", "status_message", "resource_digest", "scope_name", "attributes", "events", "links",
    "operation", "provider", "model", "input_tokens", "output_tokens", "cache_read_tokens",
    "cache_write_tokens", "reasoning_tokens", "conversation_id", "error_type", "is_error", "is_genai",
)  # fmt: skip
LOG_COLUMNS = (
    "trace_id", "span_id", "time_ns", "severity_number", "severity_text", "event_name",
    "body", "attributes", "resource_digest", "scope_name",
)  # fmt: skip
METRIC_COLUMNS = (
    "name", "unit", "kind", "temporality", "start_ns", "time_ns", "attributes", "model", "provider",
    "operation", "error_type", "token_type", "value", "count", "sum", "min", "max", "bounds",
    "bucket_counts", "resource_digest",
)  # fmt: skip


def _resource(batch: Batch, resource: Any) -> str:
    attributes = key_values(resource.attributes)
    encoded = _dumps(attributes)
    digest = hashlib.blake2b(encoded.encode(), digest_size=12).hexdigest()
    if digest not in batch.resources:
        service = attributes.get("service.name")
        batch.resources[digest] = ResourceRow(digest, str(service) if service is not None else "", encoded)
    return digest


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _as_text(value: Any) -> str | None:
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else _dumps(value)


_CACHE_WRITE_NAMES = (gn.CACHE_WRITE_TOKENS, gn.LEGACY_CACHE_CREATION_TOKENS)


def content_text(attributes: dict[str, Any]) -> str:
    """The captured conversation content of a span or event, as searchable text."""
    parts = []
    for name in gn.SEARCHABLE_ATTRIBUTES:
        value = attributes.get(name)
        if value is not None:
            parts.append(value if isinstance(value, str) else _dumps(value))
    return "\n".join(parts)


# Any of these marks a span as a GenAI span; other spans skip the GenAI extraction.
_GENAI_MARKERS = (
    gn.OPERATION, gn.PROVIDER, gn.LEGACY_SYSTEM, gn.REQUEST_MODEL, gn.RESPONSE_MODEL, *gn.SEARCHABLE_ATTRIBUTES,
)  # fmt: skip
_NOT_GENAI = (None,) * 9 + (0,)


def _genai_columns(attrs: dict[str, Any]) -> tuple[Any, ...]:
    """operation, provider, model, the five token counts, conversation id, is_genai."""
    if not any(name in attrs for name in _GENAI_MARKERS):
        return _NOT_GENAI
    return (
        _as_text(attrs.get(gn.OPERATION)),
        _as_text(gn.first_present(attrs, gn.PROVIDER, gn.LEGACY_SYSTEM)),
        _as_text(gn.first_present(attrs, gn.REQUEST_MODEL, gn.RESPONSE_MODEL)),
        _as_int(gn.first_present(attrs, gn.INPUT_TOKENS, gn.LEGACY_PROMPT_TOKENS)),
        _as_int(gn.first_present(attrs, gn.OUTPUT_TOKENS, gn.LEGACY_COMPLETION_TOKENS)),
        _as_int(attrs.get(gn.CACHE_READ_TOKENS)),
        _as_int(gn.first_present(attrs, *_CACHE_WRITE_NAMES)),
        _as_int(attrs.get(gn.REASONING_TOKENS)),
        _as_text(attrs.get(gn.CONVERSATION_ID)),
        1,
    )


def _span_events(span: Any) -> list[dict[str, Any]]:
    return [{"name": e.name, "time_ns": e.time_unix_nano, "attributes": key_values(e.attributes)} for e in span.events]


def _span_links(span: Any) -> list[dict[str, Any]]:
    return [
        {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex(), "attributes": key_values(link.attributes)}
        for link in span.links
    ]


def add_traces(batch: Batch, request: ExportTraceServiceRequest) -> None:
    """Append one row per span of ``request`` to ``batch`` (columns as in SPAN_COLUMNS)."""
    spans = batch.spans
    for resource_spans in request.resource_spans:
        digest = _resource(batch, resource_spans.resource)
        for scope_spans in resource_spans.scope_spans:
            scope_name = scope_spans.scope.name
            for span in scope_spans.spans:
                trace_id = span.trace_id.hex()
                span_id = span.span_id.hex()
                attrs = key_values(span.attributes)
                events = _span_events(span) if span.events else []
                status_code = span.status.code
                error_type = _as_text(attrs.get(gn.ERROR_TYPE))
                genai = _genai_columns(attrs)
                spans.append(
                    (
                        trace_id,
                        span_id,
                        span.parent_span_id.hex(),
                        span.name,
                        span.kind,
                        span.start_time_unix_nano,
                        span.end_time_unix_nano,
                        status_code,
                        span.status.message,
                        digest,
                        scope_name,
                        _dumps(attrs),
                        _dumps(events) if events else None,
                        _dumps(_span_links(span)) if span.links else None,
                        *genai[:9],
                        error_type,
                        1 if status_code == 2 or error_type else 0,
                        genai[9],
                    )
                )
                if genai[9] or events:
                    text = content_text(attrs)
                    for event in events:
                        if event["name"].startswith("gen_ai."):
                            text = "\n".join(filter(None, (text, _dumps(event["attributes"]))))
                    if text:
                        batch.content.append((trace_id, span_id, text))


def log_event_name(record: Any, attributes: dict[str, Any]) -> str:
    """The event name of a log record, from the field or the older attribute."""
    if record.event_name:
        return str(record.event_name)
    legacy = attributes.get(gn.EVENT_NAME_ATTRIBUTE)
    return str(legacy) if legacy else ""


def add_logs(batch: Batch, request: ExportLogsServiceRequest) -> None:
    """Append one row per log record of ``request`` to ``batch``."""
    for resource_logs in request.resource_logs:
        digest = _resource(batch, resource_logs.resource)
        for scope_logs in resource_logs.scope_logs:
            scope_name = scope_logs.scope.name
            for record in scope_logs.log_records:
                attrs = key_values(record.attributes)
                body = any_value(record.body) if record.HasField("body") else None
                trace_id = record.trace_id.hex()
                span_id = record.span_id.hex()
                name = log_event_name(record, attrs)
                batch.logs.append(
                    (
                        trace_id,
                        span_id,
                        record.time_unix_nano or record.observed_time_unix_nano,
                        record.severity_number,
                        record.severity_text,
                        name,
                        _dumps(body) if body is not None else None,
                        _dumps(attrs),
                        digest,
                        scope_name,
                    )
                )
                if trace_id and name.startswith("gen_ai."):
                    text = content_text(attrs)
                    if name in gn.LEGACY_EVENTS and body is not None:
                        text = _dumps(body)
                    if text:
                        batch.content.append((trace_id, span_id, text))


def _point_common(metric: Any, kind: str, temporality: int, point: Any) -> list[Any]:
    attrs = key_values(point.attributes)
    return [
        metric.name,
        metric.unit,
        kind,
        temporality,
        point.start_time_unix_nano,
        point.time_unix_nano,
        _dumps(attrs),
        _as_text(gn.first_present(attrs, gn.REQUEST_MODEL, gn.RESPONSE_MODEL)),
        _as_text(gn.first_present(attrs, gn.PROVIDER, gn.LEGACY_SYSTEM)),
        _as_text(attrs.get(gn.OPERATION)),
        _as_text(attrs.get(gn.ERROR_TYPE)),
        _as_text(attrs.get(gn.TOKEN_TYPE)),
    ]


def add_metrics(batch: Batch, request: ExportMetricsServiceRequest) -> None:
    """Append one row per metric data point of ``request`` to ``batch``."""
    rows = batch.metric_points
    for resource_metrics in request.resource_metrics:
        digest = _resource(batch, resource_metrics.resource)
        for scope_metrics in resource_metrics.scope_metrics:
            for metric in scope_metrics.metrics:
                kind = metric.WhichOneof("data")
                if kind in ("gauge", "sum"):
                    data = getattr(metric, kind)
                    temporality = data.aggregation_temporality if kind == "sum" else 0
                    for point in data.data_points:
                        number = point.as_double if point.WhichOneof("value") == "as_double" else point.as_int
                        common = _point_common(metric, kind, temporality, point)
                        rows.append((*common, number, None, None, None, None, None, None, digest))
                elif kind == "histogram":
                    data = metric.histogram
                    for point in data.data_points:
                        common = _point_common(metric, kind, data.aggregation_temporality, point)
                        rows.append(
                            (
                                *common,
                                None,
                                point.count,
                                point.sum,
                                point.min if point.HasField("min") else None,
                                point.max if point.HasField("max") else None,
                                _dumps(list(point.explicit_bounds)),
                                _dumps(list(point.bucket_counts)),
                                digest,
                            )
                        )
                elif kind == "exponential_histogram":
                    # Buckets are not kept: the overview's percentiles use explicit histograms.
                    data = metric.exponential_histogram
                    for point in data.data_points:
                        common = _point_common(metric, kind, data.aggregation_temporality, point)
                        rows.append((*common, None, point.count, point.sum, None, None, None, None, digest))
                elif kind == "summary":
                    for point in metric.summary.data_points:
                        common = _point_common(metric, kind, 0, point)
                        rows.append((*common, None, point.count, point.sum, None, None, None, None, digest))
