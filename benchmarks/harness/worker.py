"""One implementation's worker: runs batches of scenario calls on the parent's command.

Started by the parent as ``python -m benchmarks.harness.worker IMPLEMENTATION [SUITE]`` (suite:
``openai``, the default, or ``anthropic``; :mod:`benchmarks.harness.suites`) in that
implementation's environment (working directory: the repository). It reads one JSON command
per line on stdin and answers one JSON line on its original stdout; anything else that is
printed goes to stderr. Commands:

* ``init {bodies}``: build the scenario clients; answers the installed versions.
* ``calibrate {scenario}``: the uninstrumented time of one call (the fastest of a few).
* ``check {scenario, mode}``: one instrumented call, flushed; answers how many spans, events
  and histogram records it left and the attribute names of its span.
* ``pair {scenario, mode, calls, instrumented_first}``: a batch of ``calls`` uninstrumented and
  a batch of ``calls`` instrumented, back to back; answers wall and CPU seconds of each.
* ``quit``.

Modes: ``off`` (content capture off), ``on`` (content on: ``SPAN_AND_EVENT`` or the nearest),
``unsampled`` (content off, every trace sampled out by an ``ALWAYS_OFF`` sampler).
"""

from __future__ import annotations

import gc
import json
import logging
import os
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, TextIO

MODES = ("off", "on", "unsampled")


class Worker:
    """The state of one worker process: its implementation, pipelines and scenario batches."""

    def __init__(self, impl_key: str, suite_key: str = "openai") -> None:
        from benchmarks.harness import impls, pipeline, suites

        self.suite = suites.BY_KEY[suite_key]
        self.impl = self.suite.by_key[impl_key]
        self.pipelines = {"sampled": pipeline.make(True), "unsampled": pipeline.make(False)}
        self.batches: dict[str, Callable[[int], None]] = {}
        self.bodies: dict[str, str] = {}
        self.instrumentation = impls.Instrumentation(self.impl)

    # --- switching the instrumentation -----------------------------------------------------

    def _pipeline(self, mode: str) -> Any:
        return self.pipelines["unsampled" if mode == "unsampled" else "sampled"]

    def _set_content_env(self, content: bool) -> None:
        for name, value in self.impl.content_env(content).items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value

    def _on(self, mode: str) -> None:
        self._set_content_env(mode == "on")
        self.instrumentation.on(self._pipeline(mode).providers(), mode == "on")

    def _off(self) -> None:
        self.instrumentation.off()

    def _batch(self, scenario: str, mode: str) -> Callable[[int], None]:
        """A client that traces itself sends its spans to the mode's pipeline (built at ``init``)."""
        if mode == "unsampled" and f"{scenario}@unsampled" in self.batches:
            return self.batches[f"{scenario}@unsampled"]
        return self.batches[scenario]

    # --- commands --------------------------------------------------------------------------

    def init(self, bodies: dict[str, str]) -> dict[str, Any]:
        from benchmarks.harness import impls

        self.bodies = bodies
        suite = self.suite
        for scenario in suite.scenarios().SCENARIOS:
            key = scenario.key
            self.batches[key] = suite.build(key, bodies, self.pipelines["sampled"].tracer_provider)
            if suite.client_tracing:
                self.batches[f"{key}@unsampled"] = suite.build(key, bodies, self.pipelines["unsampled"].tracer_provider)
        for batch in self.batches.values():  # first calls import and build the client's models
            batch(2)
        # The imported modules and models are a large, permanent heap: frozen, a collection
        # before each batch need not walk them (hundreds of ms), nor do collections inside one.
        self.instrumentation.take_snapshot()  # may import more of the client (its lazy modules)
        gc.collect()
        gc.freeze()
        return {"versions": impls.versions(self.impl), "python": sys.version.split()[0]}

    def calibrate(self, scenario: str) -> dict[str, Any]:
        batch = self.batches[scenario]
        best = float("inf")
        for _ in range(5):
            gc.collect()
            started = time.perf_counter()
            batch(1)
            best = min(best, time.perf_counter() - started)
        return {"seconds": best}

    def check(self, scenario: str, mode: str) -> dict[str, Any]:
        """One instrumented call into a fresh pipeline (after one warm-up call), and what it left."""
        from benchmarks.harness import pipeline

        batch = self._batch(scenario, mode)
        self._on(mode)
        try:
            batch(1)
        finally:
            self._off()
        pipe = pipeline.make(sampled=mode != "unsampled")
        pipe.spans.keep = True
        if self.suite.client_tracing:  # the client's own spans, if any are left, counted too
            batch = self.suite.build(scenario, self.bodies, pipe.tracer_provider)
        self._set_content_env(mode == "on")
        self.instrumentation.on(pipe.providers(), mode == "on")
        try:
            batch(1)
        finally:
            self._off()
        pipe.flush()
        kept = pipe.spans.kept
        found = {
            "spans": pipe.spans.exported,
            "logs": pipe.logs.exported,
            "histogram_records": pipe.histogram_records(),
            "span_names": [s.name for s in kept],
            "attributes": sorted({k for s in kept for k in (s.attributes or {})}),
            "metric_attributes": pipe.metric_attribute_keys(),
            "restored_by_harness": self.instrumentation.restored,
        }
        pipe.shutdown()
        return found

    def _timed(self, batch: Callable[[int], None], calls: int) -> tuple[float, float]:
        batch(1)  # untimed: whatever a first call after (un)instrumenting does once
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        batch(calls)
        return time.perf_counter() - wall, time.process_time() - cpu

    def _instrumented(self, batch: Callable[[int], None], mode: str, calls: int) -> tuple[float, float]:
        self._on(mode)
        try:
            return self._timed(batch, calls)
        finally:
            self._off()

    def pair(self, scenario: str, mode: str, calls: int, instrumented_first: bool) -> dict[str, Any]:
        batch = self._batch(scenario, mode)
        if instrumented_first:
            inst = self._instrumented(batch, mode, calls)
            base = self._timed(batch, calls)
        else:
            base = self._timed(batch, calls)
            inst = self._instrumented(batch, mode, calls)
        return {"base": base, "inst": inst}

    def handle(self, command: dict[str, Any]) -> dict[str, Any]:
        name = command.pop("cmd")
        if name == "init":
            return self.init(command["bodies"])
        if name == "calibrate":
            return self.calibrate(command["scenario"])
        if name == "check":
            return self.check(command["scenario"], command["mode"])
        if name == "pair":
            return self.pair(command["scenario"], command["mode"], command["calls"], command["instrumented_first"])
        raise ValueError(f"unknown command {name!r}")


def _serve(worker: Worker, replies: TextIO) -> None:
    for line in sys.stdin:
        command = json.loads(line)
        if command.get("cmd") == "quit":
            break
        try:
            reply = worker.handle(command)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which goes on without this row
            traceback.print_exc()
            reply = {"error": f"{type(exc).__name__}: {exc}"[:300]}
        replies.write(json.dumps(reply) + "\n")
        replies.flush()


def main() -> None:
    impl_key = sys.argv[1]
    suite_key = sys.argv[2] if len(sys.argv) > 2 else "openai"
    from benchmarks.harness import suites

    suite = suites.BY_KEY[suite_key]
    os.environ.update(suite.by_key[impl_key].process_env)
    if suite.client_tracing:  # the scenarios give the client its tracing option; no variable may change it
        for name in suite.scenarios().CLIENT_TRACING_ENV:
            os.environ.pop(name, None)
    # The protocol keeps the original stdout; a peer that prints cannot corrupt it.
    replies = os.fdopen(os.dup(1), "w", buffering=1)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    logging.basicConfig(level=logging.ERROR)
    try:
        worker = Worker(impl_key, suite_key)
    except Exception as exc:  # noqa: BLE001 - e.g. a peer that fails to import
        traceback.print_exc()
        replies.write(json.dumps({"error": f"{type(exc).__name__}: {exc}"[:300]}) + "\n")
        return
    replies.write(json.dumps({"ready": True}) + "\n")
    replies.flush()
    _serve(worker, replies)


if __name__ == "__main__":
    main()
