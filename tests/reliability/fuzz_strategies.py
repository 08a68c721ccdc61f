"""What the fuzz suites of both clients share: Hypothesis settings, the real core on in-memory
SDK providers, hostile objects, and strategies that cut or damage well-formed data."""

from __future__ import annotations

import secrets
from typing import Any

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from instrumentation_probes import EndCounter, LogCollector, internal_failures
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk.metrics import MeterProvider
from opentelemetry.sdk.metrics.export import InMemoryMetricReader
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.id_generator import IdGenerator

from otel_genai.config import ContentCapture, Settings
from otel_genai.core.invocation import Invocation
from otel_genai.core.telemetry import GenAITelemetry, ModelCall


def fuzz_settings(examples: int) -> Any:
    # At most 120 examples a property: drawing a junk stream costs ~50 ms, and every run draws
    # afresh, so runs over time cover more ground than more examples in one run would.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,  # nothing written outside the test run
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
    )


class UnseededIds(IdGenerator):
    """Span and trace ids from the OS: Hypothesis reseeds ``random`` for every example,
    which would give every example's span the same id."""

    def generate_span_id(self) -> int:
        return secrets.randbits(64) or 1

    def generate_trace_id(self) -> int:
        return secrets.randbits(128) or 1


class Pipeline:
    """The real core on in-memory SDK providers, all content and events on."""

    def __init__(self) -> None:
        self.ends = EndCounter()
        tracer_provider = TracerProvider(id_generator=UnseededIds())
        tracer_provider.add_span_processor(self.ends)
        self.metrics = InMemoryMetricReader()
        self.telemetry = GenAITelemetry(
            Settings(capture=ContentCapture.SPAN_AND_EVENT, emit_events=True),
            tracer_provider=tracer_provider,
            meter_provider=MeterProvider(metric_readers=[self.metrics]),
            logger_provider=LoggerProvider(),
        )
        self.logs = LogCollector()

    def start(self, operation: str = "chat", stream: bool = True) -> ModelCall:
        inv = Invocation(operation=operation, provider="openai", request_model="gpt-4o-mini", stream=stream)
        return self.telemetry.start(inv)

    def ended_once(self, call: ModelCall) -> bool:
        return call.ended and self.ends.ends[call.span.get_span_context().span_id] == 1

    def failures(self) -> list[str]:
        found = internal_failures(self.logs.records)
        self.logs.records.clear()
        return found


class Hostile:
    """An object whose every attribute read raises."""

    def __init__(self, error: BaseException) -> None:
        self._error = error

    def __getattr__(self, name: str) -> Any:
        raise self._error


class HostileDict(dict):  # type: ignore[type-arg]
    """A dict whose ``get`` raises."""

    def get(self, *args: Any, **kwargs: Any) -> Any:
        raise KeyError("hostile")


ERRORS = st.sampled_from([ValueError("v"), TypeError("t"), KeyError("k"), RuntimeError("r"), ZeroDivisionError()])


@st.composite
def fragments_of(draw: Any, text: str) -> list[str]:
    """``text`` cut at random places, as a server streams it."""
    cuts = sorted(draw(st.lists(st.integers(0, len(text)), max_size=5)))
    bounds = [0, *cuts, len(text)]
    return [text[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def mutated(draw: Any, value: Any, junk: st.SearchStrategy[Any]) -> Any:
    """``value`` (JSON-like data) with one nested value replaced by a draw of ``junk``."""
    if isinstance(value, dict) and value and draw(st.booleans()):
        key = draw(st.sampled_from(sorted(value)))
        return {**value, key: draw(mutated(value[key], junk))}
    if isinstance(value, list) and value and draw(st.booleans()):
        position = draw(st.integers(0, len(value) - 1))
        return [*value[:position], draw(mutated(value[position], junk)), *value[position + 1 :]]
    return draw(junk)
