"""In-memory OpenTelemetry SDK pipelines for tests: what the instrumentation emitted."""

from __future__ import annotations

import gc
import json
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import InMemoryLogRecordExporter, SimpleLogRecordProcessor
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler


@dataclass
class MetricPoint:
    name: str
    unit: str
    attributes: dict[str, Any]
    count: int
    sum: float
    bucket_bounds: tuple[float, ...]


@dataclass
class Captured:
    """The three signals, read back from in-memory exporters."""

    sampler: Sampler = ALWAYS_ON
    spans_exporter: InMemorySpanExporter = field(default_factory=InMemorySpanExporter)
    logs_exporter: InMemoryLogRecordExporter = field(default_factory=InMemoryLogRecordExporter)
    metric_reader: InMemoryMetricReader = field(default_factory=InMemoryMetricReader)

    def __post_init__(self) -> None:
        self.tracer_provider = TracerProvider(sampler=self.sampler)
        self.tracer_provider.add_span_processor(SimpleSpanProcessor(self.spans_exporter))
        self.logger_provider = LoggerProvider()
        self.logger_provider.add_log_record_processor(SimpleLogRecordProcessor(self.logs_exporter))
        self.meter_provider = MeterProvider(metric_readers=[self.metric_reader])

    def providers(self) -> dict[str, Any]:
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "logger_provider": self.logger_provider,
        }

    def spans(self) -> list[ReadableSpan]:
        return list(self.spans_exporter.get_finished_spans())

    def span(self) -> ReadableSpan:
        spans = self.spans()
        assert len(spans) == 1, f"expected one span, got {[s.name for s in spans]}"
        return spans[0]

    def logs(self) -> list[Any]:
        return [r.log_record for r in self.logs_exporter.get_finished_logs()]

    def events(self, name: str) -> list[Any]:
        return [r for r in self.logs() if r.event_name == name]

    def metrics(self, name: str) -> list[MetricPoint]:
        data = self.metric_reader.get_metrics_data()
        points: list[MetricPoint] = []
        if data is None:
            return points
        for resource_metrics in data.resource_metrics:
            for scope_metrics in resource_metrics.scope_metrics:
                for metric in scope_metrics.metrics:
                    if metric.name != name:
                        continue
                    for p in metric.data.data_points:
                        points.append(
                            MetricPoint(
                                metric.name,
                                metric.unit,
                                dict(p.attributes),
                                p.count,
                                p.sum,
                                tuple(p.explicit_bounds),
                            )
                        )
        return points

    def clear(self) -> None:
        gc.collect()
        self.spans_exporter.clear()
        self.logs_exporter.clear()
        self.metric_reader.get_metrics_data()


def json_attr(span: ReadableSpan, key: str) -> Any:
    value = span.attributes[key]
    assert isinstance(value, str), f"{key} should be a JSON string on spans"
    return json.loads(value)


__all__ = ["ALWAYS_OFF", "ALWAYS_ON", "Captured", "MetricPoint", "json_attr"]
