"""``OpenAIAgentsInstrumentor``: adds our trace processor to the Agents SDK."""

from __future__ import annotations

import threading
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from otel_genai.config import load_settings
from otel_genai.core.agent_telemetry import AgentTelemetry
from otel_genai.core.agent_tree import AgentTree
from otel_genai.core.telemetry import GenAITelemetry

if TYPE_CHECKING:
    from otel_genai.instrumentation.openai_agents.processor import OpenTelemetryProcessor

_INSTRUMENTS = ("openai-agents >= 0.24",)

# The SDK can add a processor but not remove one: ours is added once per process and
# switched on and off by instrument() and uninstrument().
_processor: OpenTelemetryProcessor | None = None
_processor_lock = threading.Lock()


def _openai_client_instrumented() -> bool:
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    return bool(OpenAIInstrumentor().is_instrumented_by_opentelemetry)


def _registered_processor() -> OpenTelemetryProcessor:
    global _processor
    with _processor_lock:
        if _processor is None:
            from agents.tracing import add_trace_processor

            from otel_genai.instrumentation.openai_agents.processor import OpenTelemetryProcessor

            _processor = OpenTelemetryProcessor(_openai_client_instrumented)
            add_trace_processor(_processor)
        return _processor


class OpenAIAgentsInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments the OpenAI Agents SDK (``openai-agents`` 0.24 and later) through its
    trace processors: a run is an ``invoke_agent {agent}`` span, each function tool an
    ``execute_tool {tool}`` span, a hand-off's next agent a child of the agent that handed off.

    Model calls appear once: recorded by our OpenAI client instrumentation when it is
    active (``OpenAIInstrumentor``, which ``opentelemetry-instrument`` also loads), otherwise
    by this instrumentation from the SDK's own model spans.

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default). The SDK's own export to OpenAI's tracing backend is left as
    the application configured it (README: how to switch it off).
    """

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        settings = load_settings(content_hook=kwargs.get("content_hook"))
        providers = {"tracer_provider": kwargs.get("tracer_provider"), "meter_provider": kwargs.get("meter_provider")}
        models = GenAITelemetry(settings, logger_provider=kwargs.get("logger_provider"), **providers)
        agents = AgentTelemetry(settings, **providers)
        _registered_processor().tree = AgentTree(agents, models)

    def _uninstrument(self, **kwargs: Any) -> None:
        if _processor is not None:
            _processor.tree = None
