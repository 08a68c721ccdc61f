"""Flatten OTLP export requests into the rows the store writes.

This is the hot path of ingest, so it walks the protobuf messages by hand instead of
going through ``json_format``; each GenAI span is read in whatever dialect it speaks
(``viewer/dialects``) and its neutral summary lifted into columns here, so the page's queries
never parse JSON. The raw attributes are stored as they came.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import ExportMetricsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest
from opentelemetry.proto.common.v1.common_pb2 import AnyValue

from otel_genai.viewer import dialects
from otel_genai.viewer import genai_names as gn
from otel_genai.viewer.dialects.values import as_text, dumps


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


class SpanRow(NamedTuple):
    """One span as the store writes it.

    The GenAI columns, ``operation`` to ``conversation_id``, are a ``CallSummary``'s fields
    (filled from it by name): the table keeps them flat so queries read plain columns.
    """

    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    start_ns: int
    end_ns: int
    status_code: int
    status_message: str
    resource_digest: str
    scope_name: str
    attributes: str
    events: str | None
    links: str | None
    operation: str | None
    provider: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    conversation_id: str | None
    error_type: str | None
    is_error: int
    is_genai: int


class LogRow(NamedTuple):
    """One log record as the store writes it."""

    trace_id: str
    span_id: str
    time_ns: int
    severity_number: int
    severity_text: str
    event_name: str
    body: str | None
    attributes: str
    resource_digest: str
    scope_name: str


class MetricPointRow(NamedTuple):
    """One metric data point as the store writes it."""

    name: str
    unit: str
    kind: str
    temporality: int
    start_ns: int
    time_ns: int
    attributes: str
    model: str | None
    provider: str | None
    operation: str | None
    error_type: str | None
    token_type: str | None
    value: float | None
    count: int | None  # type: ignore[assignment]  # the column's name; tuple.count is not used on rows
    sum: float | None
    min: float | None
    max: float | None
    bounds: str | None
    bucket_counts: str | None
    resource_digest: str


class ContentRow(NamedTuple):
    """Captured prompts and answers of one span or event, for text search."""

    trace_id: str
    span_id: str
    text: str


@dataclass
class Batch:
    """Rows from one export request, written in one transaction."""

    resources: dict[str, ResourceRow] = field(default_factory=dict)
    spans: list[SpanRow] = field(default_factory=list)
    logs: list[LogRow] = field(default_factory=list)
    metric_points: list[MetricPointRow] = field(default_factory=list)
    content: list[ContentRow] = field(default_factory=list)


SPAN_COLUMNS = SpanRow._fields
LOG_COLUMNS = LogRow._fields
METRIC_COLUMNS = MetricPointRow._fields
_NOT_GENAI = dialects.CallSummary(*(None,) * len(dialects.CallSummary._fields))


def _resource(batch: Batch, resource: Any) -> str:
    attributes = key_values(resource.attributes)
    encoded = dumps(attributes)
    digest = hashlib.blake2b(encoded.encode(), digest_size=12).hexdigest()
    if digest not in batch.resources:
        service = attributes.get("service.name")
        batch.resources[digest] = ResourceRow(digest, str(service) if service is not None else "", encoded)
    return digest


def content_text(attributes: dict[str, Any]) -> str:
    """The captured conversation content of a log event's attributes, as searchable text."""
    return dialects.semconv.search_text(attributes)


_STATUS_ERROR = 2  # Status.STATUS_CODE_ERROR


def _error_type(attrs: dict[str, Any], events: list[dict[str, Any]], status_code: int) -> str | None:
    """``error.type``, else for a failed span the type of its exception event (OpenInference has no error.type)."""
    error_type = as_text(attrs.get(gn.ERROR_TYPE))
    if error_type is None and status_code == _STATUS_ERROR:
        for event in events:
            if event["name"] == "exception":
                return as_text(event["attributes"].get("exception.type"))
    return error_type


def _span_events(span: Any) -> list[dict[str, Any]]:
    return [{"name": e.name, "time_ns": e.time_unix_nano, "attributes": key_values(e.attributes)} for e in span.events]


def _span_links(span: Any) -> list[dict[str, Any]]:
    return [
        {"trace_id": link.trace_id.hex(), "span_id": link.span_id.hex(), "attributes": key_values(link.attributes)}
        for link in span.links
    ]


def add_traces(batch: Batch, request: ExportTraceServiceRequest) -> None:
    """Append one row per span of ``request`` to ``batch``, GenAI columns read from any dialect."""
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
                error_type = _error_type(attrs, events, status_code)
                call, text = dialects.read_span(attrs, events)
                spans.append(
                    SpanRow(
                        trace_id, span_id, span.parent_span_id.hex(), span.name, span.kind,
                        span.start_time_unix_nano, span.end_time_unix_nano, status_code, span.status.message,
                        digest, scope_name, dumps(attrs),
                        dumps(events) if events else None,
                        dumps(_span_links(span)) if span.links else None,
                        **(call or _NOT_GENAI)._asdict(),
                        error_type=error_type,
                        is_error=1 if status_code == _STATUS_ERROR or error_type else 0,
                        is_genai=0 if call is None else 1,
                    )
                )  # fmt: skip
                if text:
                    batch.content.append(ContentRow(trace_id, span_id, text))


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
                    LogRow(
                        trace_id=trace_id,
                        span_id=span_id,
                        time_ns=record.time_unix_nano or record.observed_time_unix_nano,
                        severity_number=record.severity_number,
                        severity_text=record.severity_text,
                        event_name=name,
                        body=dumps(body) if body is not None else None,
                        attributes=dumps(attrs),
                        resource_digest=digest,
                        scope_name=scope_name,
                    )
                )
                if trace_id and name.startswith("gen_ai."):
                    text = content_text(attrs)
                    if name in gn.LEGACY_EVENTS and body is not None:
                        text = dumps(body)
                    if text:
                        batch.content.append(ContentRow(trace_id, span_id, text))


def _point(metric: Any, kind: str, temporality: int, point: Any, digest: str, **measures: Any) -> MetricPointRow:
    """A metric point row; ``measures`` are the value fields this kind of point has."""
    attrs = key_values(point.attributes)
    return MetricPointRow(
        name=metric.name,
        unit=metric.unit,
        kind=kind,
        temporality=temporality,
        start_ns=point.start_time_unix_nano,
        time_ns=point.time_unix_nano,
        attributes=dumps(attrs),
        model=as_text(gn.first_present(attrs, gn.REQUEST_MODEL, gn.RESPONSE_MODEL)),
        provider=as_text(gn.first_present(attrs, gn.PROVIDER, gn.LEGACY_SYSTEM)),
        operation=as_text(attrs.get(gn.OPERATION)),
        error_type=as_text(attrs.get(gn.ERROR_TYPE)),
        token_type=as_text(attrs.get(gn.TOKEN_TYPE)),
        value=measures.get("value"),
        count=measures.get("count"),
        sum=measures.get("sum"),
        min=measures.get("min"),
        max=measures.get("max"),
        bounds=measures.get("bounds"),
        bucket_counts=measures.get("bucket_counts"),
        resource_digest=digest,
    )


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
                        rows.append(_point(metric, kind, temporality, point, digest, value=number))
                elif kind == "histogram":
                    data = metric.histogram
                    for point in data.data_points:
                        rows.append(
                            _point(
                                metric, kind, data.aggregation_temporality, point, digest,
                                count=point.count,
                                sum=point.sum,
                                min=point.min if point.HasField("min") else None,
                                max=point.max if point.HasField("max") else None,
                                bounds=dumps(list(point.explicit_bounds)),
                                bucket_counts=dumps(list(point.bucket_counts)),
                            )
                        )  # fmt: skip
                elif kind == "exponential_histogram":
                    # Buckets are not kept: the overview's percentiles use explicit histograms.
                    data = metric.exponential_histogram
                    for point in data.data_points:
                        rows.append(_point(metric, kind, data.aggregation_temporality, point, digest,
                                           count=point.count, sum=point.sum))  # fmt: skip
                elif kind == "summary":
                    for point in metric.summary.data_points:
                        rows.append(_point(metric, kind, 0, point, digest, count=point.count, sum=point.sum))
