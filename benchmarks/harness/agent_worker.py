"""One agent implementation's worker: agent runs in batches, on the parent's command.

``python -m benchmarks.harness.agent_worker IMPLEMENTATION``, in that implementation's
environment, with the line protocol and timing of :mod:`benchmarks.harness.worker` (``init``
gets the recorded answers as its ``bodies``). Scenarios: ``responses`` and ``chat_completions``
(an agent run with that model API). Modes: ``off`` and ``on`` (content capture).

The implementation ``handwritten`` measures ``otel_genai.agent`` / ``tool`` instead: its pair is
the functions called bare and the same under ``@agent`` / ``@tool`` (scenario ``api``), in modes
``nosdk`` (no OpenTelemetry SDK configured: the API's global providers are the default no-op
ones), ``off`` and ``on`` (the SDK pipeline given to ``configure_agent_api``, content off or on).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import traceback
from collections import deque
from collections.abc import Callable
from itertools import filterfalse, takewhile
from pathlib import Path
from typing import Any

from benchmarks.harness import pipeline
from benchmarks.harness.impls import OTEL_CAPTURE
from benchmarks.harness.worker import Worker, _serve

HANDWRITTEN = "handwritten"
#: The file holding the recorded answers, for a worker counting instructions.
ANSWERS_ENV = "OTEL_GENAI_BENCH_AGENT_ANSWERS"


class AgentWorker(Worker):
    def __init__(self, impl_key: str) -> None:  # noqa: D107 - the OpenAI worker's set-up does not apply
        self.key = impl_key
        self.pipe = pipeline.make(True)
        self.batches: dict[str, Callable[[int], None]] = {}
        self.instrumentation: Any = None
        self.impl: Any = None

    # --- switching -------------------------------------------------------------------------

    def _set_content_env(self, content: bool) -> None:
        if self.impl is not None:
            super()._set_content_env(content)
        else:
            os.environ[OTEL_CAPTURE] = "SPAN_AND_EVENT" if content else "NO_CONTENT"

    def _on(self, mode: str) -> None:
        self._set_content_env(mode == "on")
        if self.key != HANDWRITTEN:
            self.instrumentation.on(self.pipe.providers())
            return
        from otel_genai import agent_api

        if mode == "nosdk":
            agent_api._unconfigure()  # no providers given, and none set globally in this worker
        else:
            agent_api.configure_agent_api(
                tracer_provider=self.pipe.tracer_provider, meter_provider=self.pipe.meter_provider
            )

    def _off(self) -> None:
        if self.key != HANDWRITTEN:
            self.instrumentation.off()

    def _base_and_instrumented(self, scenario: str) -> tuple[Callable[[int], None], Callable[[int], None]]:
        if self.key == HANDWRITTEN:
            return self.batches["plain"], self.batches["api"]
        return self.batches[scenario], self.batches[scenario]

    # --- commands ----------------------------------------------------------------------------

    def init(self, bodies: dict[str, Any]) -> dict[str, Any]:
        """``bodies``: per model API, the recorded answers (:func:`agent_scenarios.record_answers`)."""
        from benchmarks.harness import agent_impls, agent_scenarios

        if self.key == HANDWRITTEN:
            self.batches = {"plain": agent_scenarios.plain_batch(), "api": agent_scenarios.api_batch()}
            versions = {"otel-genai": agent_impls.versions(agent_impls.AGENTS_BY_KEY["ours"])["otel-genai"]}
        else:
            self.impl = agent_impls.AGENTS_BY_KEY[self.key]
            # Some peers record to the global providers whatever they are given: every
            # implementation's telemetry goes to the one pipeline.
            _set_global_providers(self.pipe)
            self.instrumentation = agent_impls.AgentInstrumentation(self.impl)
            for api, answers in bodies.items():
                self.batches[api] = agent_scenarios.AgentRuns(api, answers).batch
            versions = agent_impls.versions(self.impl)
        for batch in self.batches.values():
            batch(2)
        gc.collect()
        gc.freeze()
        return {"versions": versions, "python": sys.version.split()[0]}

    def check(self, scenario: str, mode: str) -> dict[str, Any]:
        """One instrumented run (after a warm-up run), and what it left in the pipeline."""
        batch = self._base_and_instrumented(scenario)[1]
        pipe = self.pipe
        self._on(mode)
        try:
            batch(1)
            pipe.flush()
            metrics_before, logs_before = _metric_counts(pipe), pipe.logs.exported
            pipe.spans.keep = True
            batch(1)
        finally:
            self._off()
        pipe.flush()
        kept, pipe.spans.keep, pipe.spans.kept = pipe.spans.kept, False, []
        ids = {s.context.span_id for s in kept}
        metrics = {name: count - metrics_before.get(name, 0) for name, count in _metric_counts(pipe).items()}
        return {
            "spans": [
                {
                    "name": s.name,
                    "kind": s.kind.name,
                    "id": s.context.span_id,
                    "parent": s.parent.span_id if s.parent is not None and s.parent.span_id in ids else None,
                    "attributes": sorted(s.attributes or {}),
                }
                for s in sorted(kept, key=lambda s: s.start_time or 0)
            ],
            "traces": len({s.context.trace_id for s in kept}),
            "logs": pipe.logs.exported - logs_before,
            "metrics": {name: count for name, count in metrics.items() if count},
        }

    def pair(self, scenario: str, mode: str, calls: int, instrumented_first: bool) -> dict[str, Any]:
        base_batch, inst_batch = self._base_and_instrumented(scenario)
        if instrumented_first:
            inst = self._instrumented(inst_batch, mode, calls)
            base = self._timed(base_batch, calls)
        else:
            base = self._timed(base_batch, calls)
            inst = self._instrumented(inst_batch, mode, calls)
        return {"base": base, "inst": inst}


def _set_global_providers(pipe: pipeline.Pipeline) -> None:
    from opentelemetry import _logs, metrics, trace

    trace.set_tracer_provider(pipe.tracer_provider)
    metrics.set_meter_provider(pipe.meter_provider)
    _logs.set_logger_provider(pipe.logger_provider)


def _metric_counts(pipe: pipeline.Pipeline) -> dict[str, int]:
    """Per metric, how many values its points hold (a counter's points count as one each)."""
    data = pipe.reader.get_metrics_data()
    counts: dict[str, int] = {}
    for resource_metrics in data.resource_metrics if data is not None else ():
        for scope in resource_metrics.scope_metrics:
            for metric in scope.metrics:
                for point in metric.data.data_points:
                    counts[metric.name] = counts.get(metric.name, 0) + int(getattr(point, "count", 1))
    return counts


def count(impl_key: str, scenario: str, mode: str, calls: int) -> None:
    """One cell under ``valgrind --tool=callgrind`` (see :mod:`benchmarks.harness.instructions`):
    ``calls`` runs uninstrumented, then instrumented, each inside a C iterator that only this
    function uses, so that callgrind counts exactly those runs."""
    worker = AgentWorker(impl_key)
    worker.init(json.loads(Path(os.environ[ANSWERS_ENV]).read_text(encoding="utf-8")))
    base_batch, inst_batch = worker._base_and_instrumented(scenario)
    base_batch(2)
    gc.collect()
    deque(filterfalse(lambda _: base_batch(1), range(calls)), maxlen=0)
    worker._on(mode)
    inst_batch(2)
    gc.collect()
    deque(takewhile(lambda _: inst_batch(1) is None, range(calls)), maxlen=0)
    worker._off()


def main() -> None:
    if sys.argv[1] == "worker":
        count(sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]))
        return
    # The protocol keeps the original stdout; a peer that prints cannot corrupt it.
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.ERROR)
    try:
        worker = AgentWorker(sys.argv[1])
    except Exception as exc:  # noqa: BLE001 - reported to the parent, which goes on without it
        traceback.print_exc()
        replies.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}) + "\n")
        return
    replies.write(json.dumps({"ready": True}) + "\n")
    _serve(worker, replies)


if __name__ == "__main__":
    main()
