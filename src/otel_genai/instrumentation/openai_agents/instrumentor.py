"""``OpenAIAgentsInstrumentor``: adds our trace processor to the Agents SDK."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from opentelemetry.instrumentation.instrumentor import BaseInstrumentor  # type: ignore[attr-defined]

from otel_genai.config import load_settings
from otel_genai.core.agent_telemetry import AgentTelemetry
from otel_genai.core.agent_tree import AgentTree
from otel_genai.core.telemetry import GenAITelemetry

if TYPE_CHECKING:
    from otel_genai.instrumentation.openai_agents.processor import OpenTelemetryProcessor

_INSTRUMENTS = ("openai-agents >= 0.0.2",)


def _openai_client_instrumented() -> bool:
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    return bool(OpenAIInstrumentor().is_instrumented_by_opentelemetry)


class OpenAIAgentsInstrumentor(BaseInstrumentor):  # type: ignore[misc]
    """Instruments the OpenAI Agents SDK (``openai-agents`` 0.0.2, its first release, and later) through its
    trace processors: a run is an ``invoke_agent {agent}`` span, each function tool an
    ``execute_tool {tool}`` span, a hand-off's next agent a child of the agent that handed off.

    Model calls appear once: recorded by our OpenAI client instrumentation when it is
    active (``OpenAIInstrumentor``, which ``opentelemetry-instrument`` also loads), otherwise
    by this instrumentation from the SDK's own model spans.

    ``instrument()`` accepts ``tracer_provider``, ``meter_provider``, ``logger_provider``
    (the globals by default). The SDK's own export to OpenAI's tracing backend is left as
    the application configured it (README: how to switch it off).
    """

    # BaseInstrumentor is a singleton whose __init__ runs on every construction, so state
    # lives in a class-level default that _instrument() replaces on the instance.
    _processor: OpenTelemetryProcessor | None = None

    def instrumentation_dependencies(self) -> Collection[str]:
        return _INSTRUMENTS

    def _instrument(self, **kwargs: Any) -> None:
        settings = load_settings(content_hook=kwargs.get("content_hook"))
        providers = {"tracer_provider": kwargs.get("tracer_provider"), "meter_provider": kwargs.get("meter_provider")}
        models = GenAITelemetry(settings, logger_provider=kwargs.get("logger_provider"), **providers)
        agents = AgentTelemetry(settings, **providers)
        from agents.tracing import add_trace_processor

        from otel_genai.instrumentation.openai_agents.processor import OpenTelemetryProcessor

        processor = self._processor = OpenTelemetryProcessor(_openai_client_instrumented)
        processor.tree = AgentTree(agents, models)
        add_trace_processor(processor)

    def _uninstrument(self, **kwargs: Any) -> None:
        # The SDK cannot remove a processor: ours stays registered and records nothing.
        if self._processor is not None:
            self._processor.tree = None
            self._processor = None
