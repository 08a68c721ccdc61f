"""otel-genai: OpenTelemetry GenAI semantic-convention telemetry for LLM clients.

Instrument the OpenAI client in code::

    from otel_genai.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()

or with no code change: ``opentelemetry-instrument python app.py``.
"""

from __future__ import annotations

from importlib.metadata import entry_points
from importlib.util import find_spec

from otel_genai.version import __version__

__all__ = ["__version__", "instrument_all"]


def instrument_all(**kwargs: object) -> list[str]:
    """Instrument every supported client library that is installed.

    The instrumentors are this package's own ``opentelemetry_instrumentor`` entry points,
    each named after the client library it instruments. Keyword arguments
    (``tracer_provider``, ``meter_provider``, ``logger_provider`` ...) go to each
    instrumentor's ``instrument()``. Returns the names of the libraries instrumented.
    """
    done: list[str] = []
    for entry_point in entry_points(group="opentelemetry_instrumentor"):
        if not entry_point.value.startswith("otel_genai.") or find_spec(entry_point.name) is None:
            continue
        entry_point.load()().instrument(**kwargs)
        done.append(entry_point.name)
    return done
