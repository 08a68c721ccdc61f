"""A provider suite: which client, implementations, scenarios and bodies one benchmark run uses.

``python -m benchmarks.harness --provider openai|anthropic`` picks one; the workers get its key
and build the same scenarios. Runs in every worker's environment: imports the standard library
and :mod:`benchmarks.harness.impls` only, and the scenario and body modules when asked.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from types import ModuleType
from typing import Any

from benchmarks.harness.impls import ANTHROPIC_IMPLEMENTATIONS, IMPLEMENTATIONS, Implementation


@dataclass(frozen=True)
class Suite:
    """One provider's benchmark."""

    key: str
    #: The client distribution, pinned to ours in every peer's environment.
    client: str
    implementations: tuple[Implementation, ...]
    #: Module with ``SCENARIOS``, ``BY_KEY`` and ``build(scenario, bodies[, tracer_provider])``.
    scenarios_module: str
    #: Module with ``build() -> (bodies, source)`` (parent only).
    bodies_module: str
    #: (scenario, mode) pairs measured.
    combos: tuple[tuple[str, str], ...]
    #: The streams whose difference gives the marginal cost of a chunk: (short, long).
    chunk_pair: tuple[str, str]
    #: The peers, in the order of the tables.
    peers: tuple[str, ...]
    #: ``benchmarks/results/<results>.md`` and ``.json``; the README section it fills.
    results: str
    readme_section: str
    #: The clients send their own spans to the tracer provider of the mode's pipeline.
    client_tracing: bool = False

    @property
    def by_key(self) -> dict[str, Implementation]:
        return {i.key: i for i in self.implementations}

    def scenarios(self) -> ModuleType:
        return importlib.import_module(self.scenarios_module)

    def bodies(self) -> tuple[dict[str, str], str]:
        built: tuple[dict[str, str], str] = importlib.import_module(self.bodies_module).build()
        return built

    def build(
        self, scenario: str, bodies: dict[str, str], tracer_provider: Any = None, client_tracing: bool = True
    ) -> Any:
        """The batch function of ``scenario`` (its client's spans to ``tracer_provider``, if it makes any)."""
        module = self.scenarios()
        if self.client_tracing:
            return module.build(module.BY_KEY[scenario], bodies, tracer_provider, client_tracing)
        return module.build(module.BY_KEY[scenario], bodies)

    def chunks(self, scenario: str) -> int:
        return int(self.scenarios().BY_KEY[scenario].chunks)


_OPENAI_SCENARIOS = (
    "chat",
    "stream_1",
    "stream_20",
    "stream_200",
    "responses_200",
    "embeddings",
    "async_chat",
    "async_stream_20",
)
OPENAI = Suite(
    key="openai",
    client="openai",
    implementations=IMPLEMENTATIONS,
    scenarios_module="benchmarks.harness.scenarios",
    bodies_module="benchmarks.harness.bodies",
    combos=(
        *((s, "off") for s in _OPENAI_SCENARIOS),
        *((s, "on") for s in _OPENAI_SCENARIOS),
        ("chat", "unsampled"),
        ("stream_200", "unsampled"),
    ),
    chunk_pair=("stream_20", "stream_200"),
    peers=("genai-openai", "openai-v2", "openllmetry", "openinference"),
    results="benchmark",
    readme_section="results",
)
ANTHROPIC = Suite(
    key="anthropic",
    client="anthropic",
    implementations=ANTHROPIC_IMPLEMENTATIONS,
    scenarios_module="benchmarks.harness.anthropic_scenarios",
    bodies_module="benchmarks.harness.anthropic_bodies",
    combos=(
        ("create", "off"),
        ("stream_20", "off"),
        ("stream_200", "off"),
        ("create", "on"),
        ("stream_20", "on"),
        ("stream_200", "on"),
        ("create", "unsampled"),
    ),
    chunk_pair=("stream_20", "stream_200"),
    peers=("genai-anthropic", "openllmetry-anthropic"),
    results="anthropic",
    readme_section="anthropic",
    client_tracing=True,
)
BY_KEY = {s.key: s for s in (OPENAI, ANTHROPIC)}
