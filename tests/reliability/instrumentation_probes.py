"""Probes on the instrumentation itself: that every span it starts ends exactly once, and what it
and the OpenTelemetry SDK logged (its own failures, spans ended twice)."""

from __future__ import annotations

import contextlib
import logging
from collections import Counter
from collections.abc import Iterator
from typing import Any

from opentelemetry.sdk.trace import ReadableSpan, Span, SpanProcessor


class EndCounter(SpanProcessor):
    """Counts ``on_end`` per span id: every started span must end exactly once."""

    def __init__(self) -> None:
        self.started: dict[int, str] = {}
        self.ends: Counter[int] = Counter()

    def on_start(self, span: Span, parent_context: Any = None) -> None:
        self.started[span.context.span_id] = span.name

    def on_end(self, span: ReadableSpan) -> None:
        self.ends[span.context.span_id] += 1

    def not_ended_once(self) -> dict[str, int]:
        """Spans that ended zero times or more than once: name -> end count."""
        return {f"{name}#{sid:x}": self.ends[sid] for sid, name in self.started.items() if self.ends[sid] != 1}


class LogCollector(logging.Handler):
    """Every record of the loggers it is attached to, from DEBUG up."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def collecting_logs(*names: str) -> Iterator[LogCollector]:
    collector = LogCollector()
    loggers = [logging.getLogger(n) for n in names]
    levels = [lg.level for lg in loggers]
    for lg in loggers:
        lg.addHandler(collector)
        lg.setLevel(logging.DEBUG)
    try:
        yield collector
    finally:
        for lg, level in zip(loggers, levels, strict=True):
            lg.removeHandler(collector)
            lg.setLevel(level)


def internal_failures(records: list[logging.LogRecord]) -> list[str]:
    """Messages of our own failures (``log_internal_error``), at any level."""
    return [r.getMessage() for r in records if r.name.startswith("otel_genai") and "telemetry failed" in r.getMessage()]


def double_ends(records: list[logging.LogRecord]) -> list[str]:
    """The SDK's warnings about a span ended twice."""
    return [r.getMessage() for r in records if "ended span" in r.getMessage()]
