"""The implementations measured side by side: ours, the peers and the floor.

Each is described by what the parent needs (its label, the packages of its environment) and
what a worker needs (process-wide environment variables set before anything is imported, the
variables that switch message content capture on or off, and how to instrument and
uninstrument with the benchmark's providers). Content capture is mapped to each package's own
switch; what a peer's "content on" records is its own choice and is reported as such.
"""

from __future__ import annotations

import importlib
import importlib.metadata
from dataclasses import dataclass, field
from typing import Any

OTEL_CAPTURE = "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT"
_OPENINFERENCE_HIDE = (
    "OPENINFERENCE_HIDE_INPUTS",
    "OPENINFERENCE_HIDE_OUTPUTS",
    "OPENINFERENCE_HIDE_EMBEDDINGS_VECTORS",
    "OPENINFERENCE_HIDE_EMBEDDINGS_TEXT",
)


@dataclass(frozen=True)
class Implementation:
    """One column of the comparison."""

    key: str
    label: str
    #: PyPI requirement of a peer (installed into its own environment); None: runs in ours.
    requirement: str | None
    #: Distributions whose versions the report names.
    distributions: tuple[str, ...]
    #: ``module:Class`` of the instrumentor; None for the floor.
    instrumentor: str | None
    #: Set once, before the worker imports anything (conventions opt-in and the like).
    process_env: dict[str, str] = field(default_factory=dict)
    #: How content capture is switched, in words, for the report.
    content_switch: str = ""
    #: The client package it instruments (its classes are restored after ``uninstrument()``).
    client: str = "openai"
    #: ``module:Class`` of a hand-written floor (when ``instrumentor`` is None).
    floor: str = "benchmarks.harness.floor:Floor"
    #: Passed to ``instrument()``.
    instrument_kwargs: dict[str, Any] = field(default_factory=dict)

    def content_env(self, content: bool) -> dict[str, str | None]:
        """Environment for content capture on (``SPAN_AND_EVENT`` or the nearest) or off."""
        if self.key.startswith("openllmetry"):
            return {"TRACELOOP_TRACE_CONTENT": "true" if content else "false"}
        if self.key == "openinference":
            return {name: (None if content else "true") for name in _OPENINFERENCE_HIDE}
        return {OTEL_CAPTURE: "SPAN_AND_EVENT" if content else "NO_CONTENT"}


IMPLEMENTATIONS: tuple[Implementation, ...] = (
    Implementation(
        "ours",
        "otel-genai (ours)",
        None,
        ("otel-genai",),
        "otel_genai.instrumentation.openai:OpenAIInstrumentor",
        content_switch=f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT",
    ),
    Implementation(
        "floor",
        "floor (hand-written SDK calls)",
        None,
        (),
        None,
        content_switch="off / the same JSON and event as ours",
    ),
    Implementation(
        "genai-openai",
        "opentelemetry-instrumentation-genai-openai",
        "opentelemetry-instrumentation-genai-openai",
        ("opentelemetry-instrumentation-genai-openai", "opentelemetry-util-genai"),
        "opentelemetry.instrumentation.genai.openai:OpenAIInstrumentor",
        content_switch=f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT",
    ),
    Implementation(
        "openai-v2",
        "opentelemetry-instrumentation-openai-v2",
        "opentelemetry-instrumentation-openai-v2",
        ("opentelemetry-instrumentation-openai-v2", "opentelemetry-util-genai"),
        "opentelemetry.instrumentation.openai_v2:OpenAIInstrumentor",
        process_env={"OTEL_SEMCONV_STABILITY_OPT_IN": "gen_ai_latest_experimental"},
        content_switch=f"OTEL_SEMCONV_STABILITY_OPT_IN=gen_ai_latest_experimental; {OTEL_CAPTURE}",
    ),
    Implementation(
        "openllmetry",
        "OpenLLMetry (opentelemetry-instrumentation-openai)",
        "opentelemetry-instrumentation-openai",
        ("opentelemetry-instrumentation-openai",),
        "opentelemetry.instrumentation.openai:OpenAIInstrumentor",
        content_switch="TRACELOOP_TRACE_CONTENT=false / true (content on span attributes, its default)",
    ),
    Implementation(
        "openinference",
        "openinference-instrumentation-openai",
        "openinference-instrumentation-openai",
        ("openinference-instrumentation-openai", "openinference-instrumentation"),
        "openinference.instrumentation.openai:OpenAIInstrumentor",
        content_switch="OPENINFERENCE_HIDE_INPUTS/OUTPUTS/EMBEDDINGS_* = true / unset (its default: all shown)",
    ),
)
BY_KEY = {i.key: i for i in IMPLEMENTATIONS}

# The client's own tracing is on in every Anthropic column (anthropic_scenarios.py); what each
# implementation does with the client's anthropic.messages.create span is said in its label.
ANTHROPIC_IMPLEMENTATIONS: tuple[Implementation, ...] = (
    Implementation(
        "ours",
        "otel-genai (ours; default: our span replaces the client's)",
        None,
        ("otel-genai",),
        "otel_genai.instrumentation.anthropic:AnthropicInstrumentor",
        content_switch=f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT",
        client="anthropic",
    ),
    Implementation(
        "ours-client-spans",
        "otel-genai, `instrument(client_model_spans=True)` (the client's span kept beside ours)",
        None,
        ("otel-genai",),
        "otel_genai.instrumentation.anthropic:AnthropicInstrumentor",
        content_switch=f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT",
        client="anthropic",
        instrument_kwargs={"client_model_spans": True},
    ),
    Implementation(
        "floor",
        "floor (hand-written SDK calls; replaces the client's span as ours does)",
        None,
        (),
        None,
        content_switch="off / the same JSON and event as ours",
        client="anthropic",
        floor="benchmarks.harness.anthropic_floor:AnthropicFloor",
    ),
    Implementation(
        "genai-anthropic",
        "opentelemetry-instrumentation-genai-anthropic (official; leaves the client's span: two spans a call)",
        "opentelemetry-instrumentation-genai-anthropic",
        ("opentelemetry-instrumentation-genai-anthropic", "opentelemetry-util-genai"),
        "opentelemetry.instrumentation.genai.anthropic:AnthropicInstrumentor",
        content_switch=f"{OTEL_CAPTURE}=NO_CONTENT / SPAN_AND_EVENT",
        client="anthropic",
    ),
    Implementation(
        "openllmetry-anthropic",
        "OpenLLMetry, opentelemetry-instrumentation-anthropic (leaves the client's span: two spans a call)",
        "opentelemetry-instrumentation-anthropic",
        ("opentelemetry-instrumentation-anthropic",),
        "opentelemetry.instrumentation.anthropic:AnthropicInstrumentor",
        content_switch="TRACELOOP_TRACE_CONTENT=false / true (content on span attributes, its default)",
        client="anthropic",
    ),
)
ANTHROPIC_BY_KEY = {i.key: i for i in ANTHROPIC_IMPLEMENTATIONS}


def versions(impl: Implementation) -> dict[str, str]:
    """Installed versions of the client, the SDK and the implementation's own distributions."""
    names = (impl.client, "opentelemetry-sdk", *impl.distributions)
    found = {}
    for name in names:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            found[name] = "?"
    return found


def _client_classes(package: str) -> list[type]:
    """Every class defined in the loaded modules of the client ``package``."""
    import sys

    found = []
    for name, module in list(sys.modules.items()):
        if module is None or not (name == package or name.startswith(package + ".")):
            continue
        for value in list(vars(module).values()):
            if isinstance(value, type) and getattr(value, "__module__", "").startswith(package):
                found.append(value)
    return found


class _Snapshot:
    """The client's class attributes before any instrumentation, to undo what ``uninstrument()`` leaves.

    Some peers' ``uninstrument()`` does not remove all their wrappers; measured with them
    still in place, the baseline would be instrumented and wrappers would stack up with
    every ``instrument()``. Restoring the original attributes after each ``uninstrument()``
    makes the baseline the bare client, whatever the peer does.
    """

    def __init__(self, package: str = "openai") -> None:
        self.attributes = {cls: dict(vars(cls)) for cls in _client_classes(package)}
        self.restored = 0

    def restore(self) -> None:
        for cls, original in self.attributes.items():
            current = vars(cls)
            for name in [n for n in current if n not in original]:
                delattr(cls, name)
                self.restored += 1
            for name, value in original.items():
                if current.get(name) is not value:
                    try:
                        setattr(cls, name, value)
                        self.restored += 1
                    except (AttributeError, TypeError):  # e.g. __dict__, __weakref__
                        pass


class Instrumentation:
    """Switches one implementation on and off in this process."""

    def __init__(self, impl: Implementation) -> None:
        self.impl = impl
        self.instrumentor: Any = None
        self.floor: Any = None
        self.snapshot: _Snapshot | None = None
        if impl.instrumentor is None:
            module_name, class_name = impl.floor.split(":")
            self.floor = getattr(importlib.import_module(module_name), class_name)()
        else:
            module_name, class_name = impl.instrumentor.split(":")
            self.instrumentor = getattr(importlib.import_module(module_name), class_name)()

    def take_snapshot(self) -> None:
        """Record the client's classes as they are uninstrumented (before the first ``on``)."""
        self.snapshot = _Snapshot(self.impl.client)

    def on(self, providers: dict[str, Any], content: bool) -> None:
        if self.snapshot is None:
            self.take_snapshot()
        if self.floor is not None:
            self.floor.install(providers, content)
        else:
            self.instrumentor.instrument(skip_dep_check=True, **providers, **self.impl.instrument_kwargs)

    def off(self) -> None:
        if self.floor is not None:
            self.floor.uninstall()
        else:
            self.instrumentor.uninstrument()
        if self.snapshot is not None:
            self.snapshot.restore()

    @property
    def restored(self) -> int:
        """How many class attributes ``uninstrument()`` left changed (restored by the harness)."""
        return self.snapshot.restored if self.snapshot is not None else 0
