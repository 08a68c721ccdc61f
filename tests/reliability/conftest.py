"""Fixtures of the reliability suite; the shared ones (mock server, ``instrument``) are in tests/conftest.py."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from instrumentation_probes import EndCounter, collecting_logs

from telemetry_capture import Captured


@pytest.fixture
def ends(captured: Captured) -> EndCounter:
    """Counts ``on_end`` per span of the ``captured`` pipeline (add before ``instrument()``)."""
    counter = EndCounter()
    captured.tracer_provider.add_span_processor(counter)
    return counter


@pytest.fixture
def otel_logs() -> Iterator[Any]:
    """Every record of the ``otel_genai`` and ``opentelemetry`` loggers, from DEBUG up."""
    with collecting_logs("otel_genai", "opentelemetry") as collector:
        yield collector
