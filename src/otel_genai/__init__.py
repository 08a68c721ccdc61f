"""otel-genai: OpenTelemetry GenAI semantic-convention telemetry for LLM clients.

Instrument the OpenAI client in code::

    from otel_genai.instrumentation.openai import OpenAIInstrumentor
    OpenAIInstrumentor().instrument()

or with no code change: ``opentelemetry-instrument python app.py``. Agents and tools written
by hand: ``agent``, ``tool`` and ``conversation`` (:mod:`otel_genai.agent_api`).
"""

from __future__ import annotations

from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

from otel_genai.version import __version__

if TYPE_CHECKING:
    from otel_genai.agent_api import agent, configure_agent_api, conversation, tool

__all__ = ["__version__", "agent", "configure_agent_api", "conversation", "instrument_all", "tool"]


def instrument_all(**kwargs: object) -> list[str]:
    """Instrument every supported client library and framework that is installed.

    The instrumentors are this package's own ``opentelemetry_instrumentor`` entry points;
    each is used when the distributions it names (``instrumentation_dependencies()``) are
    installed. Keyword arguments (``tracer_provider``, ``meter_provider``,
    ``logger_provider`` ...) go to each instrumentor's ``instrument()``. Returns the names
    of the entry points instrumented.
    """
    from opentelemetry.instrumentation.dependencies import get_dependency_conflicts

    done: list[str] = []
    for entry_point in entry_points(group="opentelemetry_instrumentor"):
        if not entry_point.value.startswith("otel_genai."):
            continue
        instrumentor = entry_point.load()()
        if get_dependency_conflicts(instrumentor.instrumentation_dependencies()) is not None:
            continue
        instrumentor.instrument(**kwargs)
        done.append(entry_point.name)
    return done


_AGENT_API = frozenset({"agent", "configure_agent_api", "conversation", "tool"})


def __getattr__(name: str) -> Any:
    # Imported on first use: ``import otel_genai`` (the viewer, the CLI) stays light.
    if name in _AGENT_API:
        from otel_genai import agent_api

        return getattr(agent_api, name)
    raise AttributeError(f"module 'otel_genai' has no attribute {name!r}")
