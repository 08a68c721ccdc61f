"""The agent instrumentations measured side by side, and how a worker switches each on and off.

Every Agents SDK instrumentation hooks the SDK's trace processors. Switched off, each is
removed from them and the SDK's processor list is emptied (``set_trace_processors([])``): the
uninstrumented run is the SDK with its tracing on and no processor, the same for every
column, whatever a peer's ``uninstrument()`` leaves registered. The SDK's own export to
OpenAI's backend is never on (its default processor is cleared before the first run).
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass, field
from typing import Any

from benchmarks.harness.impls import OTEL_CAPTURE, _Snapshot

_OPENINFERENCE_HIDE = ("OPENINFERENCE_HIDE_INPUTS", "OPENINFERENCE_HIDE_OUTPUTS")


@dataclass(frozen=True)
class AgentImplementation:
    """One column of the agents comparison."""

    key: str
    label: str
    #: PyPI requirements of a peer's own environment; empty: runs in ours.
    requirements: tuple[str, ...]
    #: ``module:Class`` of each instrumentor, instrumented in this order.
    instrumentors: tuple[str, ...]
    #: Distributions whose versions the report names.
    distributions: tuple[str, ...] = ()
    content_switch: str = f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT"
    #: What it records of a model call, in words, for the report.
    model_calls: str = ""
    #: Keyword arguments for every ``instrument()``.
    instrument_kwargs: dict[str, Any] = field(default_factory=dict)

    @property
    def requirement(self) -> str | None:
        """The first requirement (what :mod:`benchmarks.harness.venvs` installs and names)."""
        return self.requirements[0] if self.requirements else None

    @property
    def instrumentor(self) -> str:
        """The first instrumentor (whose module the environment check imports)."""
        return self.instrumentors[0]

    def content_env(self, content: bool) -> dict[str, str | None]:
        if self.key == "agents-openllmetry":
            return {"TRACELOOP_TRACE_CONTENT": "true" if content else "false"}
        if self.key == "agents-openinference":
            return {name: (None if content else "true") for name in _OPENINFERENCE_HIDE}
        return {OTEL_CAPTURE: "SPAN_AND_EVENT" if content else "NO_CONTENT"}


OURS_AGENTS = "otel_genai.instrumentation.openai_agents:OpenAIAgentsInstrumentor"
OURS_OPENAI = "otel_genai.instrumentation.openai:OpenAIInstrumentor"

AGENT_IMPLEMENTATIONS: tuple[AgentImplementation, ...] = (
    AgentImplementation(
        "ours",
        "otel-genai: agents + OpenAI client (as opentelemetry-instrument installs both)",
        (),
        (OURS_OPENAI, OURS_AGENTS),
        ("otel-genai",),
        model_calls="the OpenAI client instrumentation records each call; the agents one records none",
    ),
    AgentImplementation(
        "ours-agents-only",
        "otel-genai: agents alone",
        (),
        (OURS_AGENTS,),
        ("otel-genai",),
        model_calls="recorded from the SDK's model spans (model, usage; no messages)",
    ),
    AgentImplementation(
        "agents-genai",
        "opentelemetry-instrumentation-genai-openai-agents + -genai-openai (official, current)",
        ("opentelemetry-instrumentation-genai-openai-agents", "opentelemetry-instrumentation-genai-openai"),
        (
            "opentelemetry.instrumentation.genai.openai:OpenAIInstrumentor",
            "opentelemetry.instrumentation.genai.openai_agents:OpenAIAgentsInstrumentor",
        ),
        (
            "opentelemetry-instrumentation-genai-openai-agents",
            "opentelemetry-instrumentation-genai-openai",
            "opentelemetry-util-genai",
        ),
        model_calls="its agents package records none; its OpenAI client package records each call",
    ),
    AgentImplementation(
        "agents-v2",
        "opentelemetry-instrumentation-openai-agents-v2 (official, contrib)",
        ("opentelemetry-instrumentation-openai-agents-v2",),
        ("opentelemetry.instrumentation.openai_agents:OpenAIAgentsInstrumentor",),
        ("opentelemetry-instrumentation-openai-agents-v2",),
        model_calls="recorded from the SDK's model spans",
    ),
    AgentImplementation(
        "agents-openllmetry",
        "OpenLLMetry (opentelemetry-instrumentation-openai-agents)",
        ("opentelemetry-instrumentation-openai-agents",),
        ("opentelemetry.instrumentation.openai_agents:OpenAIAgentsInstrumentor",),
        ("opentelemetry-instrumentation-openai-agents",),
        content_switch="TRACELOOP_TRACE_CONTENT=false / true",
        model_calls="recorded from the SDK's model spans",
    ),
    AgentImplementation(
        "agents-openinference",
        "OpenInference (openinference-instrumentation-openai-agents)",
        ("openinference-instrumentation-openai-agents",),
        ("openinference.instrumentation.openai_agents:OpenAIAgentsInstrumentor",),
        ("openinference-instrumentation-openai-agents", "openinference-instrumentation"),
        content_switch="OPENINFERENCE_HIDE_INPUTS/OUTPUTS=true / unset",
        model_calls="recorded from the SDK's model spans",
    ),
)
AGENTS_BY_KEY = {i.key: i for i in AGENT_IMPLEMENTATIONS}
SHORT = {
    "ours": "ours",
    "ours-agents-only": "ours, agents alone",
    "agents-genai": "genai-openai-agents",
    "agents-v2": "openai-agents-v2",
    "agents-openllmetry": "OpenLLMetry",
    "agents-openinference": "OpenInference",
}


def versions(impl: AgentImplementation) -> dict[str, str]:
    found = {}
    for name in ("openai-agents", "openai", "opentelemetry-sdk", *impl.distributions):
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "?"
    return found


class AgentInstrumentation:
    """Switches one implementation's instrumentors on and off in this process."""

    def __init__(self, impl: AgentImplementation) -> None:
        from agents import set_trace_processors

        self.impl = impl
        self.instrumentors = []
        for path in impl.instrumentors:
            module_name, class_name = path.split(":")
            self.instrumentors.append(getattr(importlib.import_module(module_name), class_name)())
        # The SDK's default processor exports to OpenAI's backend: never in a measured run.
        set_trace_processors([])
        self._clear = set_trace_processors
        self.snapshot = _Snapshot()

    def on(self, providers: dict[str, Any]) -> None:
        for instrumentor in self.instrumentors:
            instrumentor.instrument(skip_dep_check=True, **providers, **self.impl.instrument_kwargs)

    def off(self) -> None:
        for instrumentor in reversed(self.instrumentors):
            instrumentor.uninstrument()
        self._clear([])
        self.snapshot.restore()
