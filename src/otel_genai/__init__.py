"""otel-genai: OpenTelemetry GenAI semantic-convention telemetry for LLM clients.

Instrument the OpenAI client in code::

    from otel_genai.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()

or with no code change: ``opentelemetry-instrument python app.py``.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "instrument_all"]


def instrument_all(**kwargs: object) -> list[str]:
    """Instrument every supported provider client that is installed.

    Keyword arguments (``tracer_provider``, ``meter_provider``, ``logger_provider`` ...)
    go to each instrumentor's ``instrument()``. Returns the names of the providers
    that were instrumented.
    """
    done: list[str] = []
    try:
        import openai  # noqa: F401
    except ImportError:
        return done
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    OpenAIInstrumentor().instrument(**kwargs)
    done.append("openai")
    return done
