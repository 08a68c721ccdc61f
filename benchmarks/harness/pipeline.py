"""The one OpenTelemetry SDK pipeline every implementation reports into.

A ``TracerProvider`` with a ``BatchSpanProcessor`` and a dropping exporter, a ``MeterProvider``
with an in-memory reader, and a ``LoggerProvider`` with a batch processor and a dropping
exporter: what an application with real exporters pays in the calling thread, without the
network. The exporters count what reaches them, so a check can tell that an implementation
really recorded a call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor, LogRecordExporter, LogRecordExportResult
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import HistogramDataPoint, InMemoryMetricReader
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SpanExporter, SpanExportResult
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased


class DroppingSpanExporter(SpanExporter):
    """Counts spans and drops them; keeps them only while ``keep`` is set (checks)."""

    def __init__(self) -> None:
        self.exported = 0
        self.keep = False
        self.kept: list[ReadableSpan] = []

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.exported += len(spans)
        if self.keep:
            self.kept.extend(spans)
        return SpanExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release."""


class DroppingLogExporter(LogRecordExporter):
    """Counts log records (events) and drops them."""

    def __init__(self) -> None:
        self.exported = 0

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        self.exported += len(batch)
        return LogRecordExportResult.SUCCESS

    def shutdown(self) -> None:
        """Nothing to release."""

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


@dataclass
class Counts:
    """What one or more calls left in the pipeline."""

    spans: int
    logs: int
    histogram_records: int
    span_attributes: list[str]


@dataclass
class Pipeline:
    """The providers handed to ``instrument()``, and their exporters."""

    tracer_provider: TracerProvider
    meter_provider: MeterProvider
    logger_provider: LoggerProvider
    reader: InMemoryMetricReader
    spans: DroppingSpanExporter
    logs: DroppingLogExporter

    def providers(self) -> dict[str, Any]:
        return {
            "tracer_provider": self.tracer_provider,
            "meter_provider": self.meter_provider,
            "logger_provider": self.logger_provider,
        }

    def histogram_records(self) -> int:
        """How many values all histograms have recorded so far (cumulative)."""
        data = self.reader.get_metrics_data()
        total = 0
        for resource_metrics in data.resource_metrics if data is not None else ():
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    for point in metric.data.data_points:
                        if isinstance(point, HistogramDataPoint):
                            total += point.count
        return total

    def metric_attribute_keys(self) -> dict[str, list[str]]:
        """Per metric, the attribute names its points carry (the union over its points)."""
        data = self.reader.get_metrics_data()
        keys: dict[str, set[str]] = {}
        for resource_metrics in data.resource_metrics if data is not None else ():
            for scope in resource_metrics.scope_metrics:
                for metric in scope.metrics:
                    names = keys.setdefault(metric.name, set())
                    for point in metric.data.data_points:
                        names.update(point.attributes or {})
        return {name: sorted(found) for name, found in keys.items()}

    def shutdown(self) -> None:
        """Stop the processors' threads (a check's pipeline is used once)."""
        self.tracer_provider.shutdown()
        self.logger_provider.shutdown()
        self.meter_provider.shutdown()

    def flush(self) -> None:
        self.tracer_provider.force_flush()
        self.logger_provider.force_flush()


def make(sampled: bool = True) -> Pipeline:
    """A fresh pipeline; ``sampled=False`` samples every trace out (``ALWAYS_OFF``)."""
    spans = DroppingSpanExporter()
    logs = DroppingLogExporter()
    tracer_provider = TracerProvider() if sampled else TracerProvider(sampler=ParentBased(ALWAYS_OFF))
    tracer_provider.add_span_processor(BatchSpanProcessor(spans))
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(BatchLogRecordProcessor(logs))
    reader = InMemoryMetricReader()
    meter_provider = MeterProvider(metric_readers=[reader])
    return Pipeline(tracer_provider, meter_provider, logger_provider, reader, spans, logs)
