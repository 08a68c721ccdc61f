"""Where otel-genai's time goes: sampled profiles, exact call counts and ablations, per call.

Run by :mod:`benchmarks.harness.profile` in an environment that has otel-genai (editable) and
pyinstrument: ``python -m benchmarks.harness.profile_worker BODIES.json OUT.json [--quick]``.

*Our region* of a profile is every frame of ``otel_genai`` and everything it calls, except the
client's own work that our wrapper hands on to (the wrapped ``create`` and the stream's own
iterator, i.e. frames of the ``openai`` package entered from our code). Its self time, grouped
by function, is what we cost; the SDK functions we call are in it, named as the SDK's.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from typing import Any

PROFILED: tuple[tuple[str, str], ...] = (
    ("chat", "off"),
    ("chat", "on"),
    ("chat", "unsampled"),
    ("stream_200", "off"),
    ("responses_200", "off"),
    ("embeddings", "off"),
)
OURS = f"{os.sep}otel_genai{os.sep}"
CLIENT = f"site-packages{os.sep}openai{os.sep}"  # the client, not our instrumentation/openai


def category(path: str | None) -> str:
    """A coarse owner of a frame's code."""
    p = path or ""
    if OURS in p:
        return "otel-genai"
    for marker, name in (
        ("opentelemetry/sdk/trace", "SDK: spans"),
        ("opentelemetry/sdk/metrics", "SDK: metrics"),
        ("opentelemetry/sdk/_logs", "SDK: logs"),
        ("opentelemetry/sdk", "SDK: other"),
        ("opentelemetry/", "OpenTelemetry API"),
        ("/json/", "json"),
        ("wrapt", "wrapt"),
    ):
        if marker in p:
            return name
    return "other (stdlib, pydantic)"


def _label(frame: Any) -> str:
    path = frame.file_path or ""
    short = path
    for marker in ("site-packages/", "/src/", "/lib/python3"):
        if marker in path:
            short = path.split(marker, 1)[1]
            break
    return f"{frame.function} ({short}:{frame.line_no})"


# --- sampled profile -----------------------------------------------------------------------


def _walk_ours(frame: Any, inside: bool, self_times: dict[str, float], tree: dict[str, Any]) -> float:
    """Sum our region's time under ``frame``; fill per-function self times and a merged tree."""
    path = frame.file_path or ""
    if inside and CLIENT in path:
        return 0.0  # the client's own work, handed on by our wrapper
    if not inside and OURS not in path:
        return sum(_walk_ours(child, False, self_times, tree) for child in frame.children)
    label = _label(frame)
    node = tree.setdefault(label, {"time": 0.0, "children": {}, "category": category(path)})
    children_time = 0.0
    excluded = 0.0
    for child in frame.children:
        if child.is_synthetic:  # pyinstrument's [self] / [await] leaves: this frame's own time
            continue
        if CLIENT in (child.file_path or ""):
            excluded += child.time
            continue
        children_time += _walk_ours(child, True, self_times, node["children"])
    own = max(0.0, frame.time - excluded - children_time)
    self_times[label] += own
    total = own + children_time
    node["time"] += total
    return total


def sampled(batch: Callable[[int], None], calls: int) -> dict[str, Any]:
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0001)
    profiler.start()
    batch(calls)
    session = profiler.stop()
    root = session.root_frame(trim_stem=False)
    self_times: dict[str, float] = defaultdict(float)
    tree: dict[str, Any] = {}
    total = _walk_ours(root, False, self_times, tree) if root is not None else 0.0
    by_category: dict[str, float] = defaultdict(float)
    for label, seconds in self_times.items():
        path = label.rsplit("(", 1)[-1]
        by_category[category("/" + path)] += seconds
    scale = 1e6 / calls
    return {
        "ours_us": total * scale,
        "functions": sorted(((k, v * scale) for k, v in self_times.items()), key=lambda kv: -kv[1]),
        "categories": sorted(((k, v * scale) for k, v in by_category.items()), key=lambda kv: -kv[1]),
        "tree": _scale_tree(tree, scale),
    }


def _scale_tree(tree: dict[str, Any], scale: float) -> list[Any]:
    return sorted(
        (
            {
                "label": k,
                "us": v["time"] * scale,
                "category": v["category"],
                "children": _scale_tree(v["children"], scale),
            }
            for k, v in tree.items()
        ),
        key=lambda n: -n["us"],
    )


# --- stage timers ----------------------------------------------------------------------------

#: What is timed, as ``module:attribute.path``; a target the installed code lacks is skipped.
STAGES: tuple[str, ...] = (
    "otel_genai.core.wrapper:_begin",
    "otel_genai.core.wrapper:_finish",
    "otel_genai.instrumentation.openai.chat:ChatCompletions.invocation",
    "otel_genai.instrumentation.openai.chat:ChatCompletions.request_content",
    "otel_genai.instrumentation.openai.chat:ChatCompletions.fold_response",
    "otel_genai.instrumentation.openai.choices:ChoiceStreamFolder.fold",
    "otel_genai.instrumentation.openai.choices:ChoiceStreamFolder.finish",
    "otel_genai.instrumentation.openai.embeddings:Embeddings.invocation",
    "otel_genai.instrumentation.openai.embeddings:Embeddings.fold_response",
    "otel_genai.instrumentation.openai.responses:Responses.invocation",
    "otel_genai.instrumentation.openai.responses:ResponsesEventFolder.fold",
    "otel_genai.instrumentation.openai.responses:ResponsesEventFolder.finish",
    "otel_genai.core.delivery:_observe_stream",
    "otel_genai.core.delivery:deliver",
    "otel_genai.core.streams:StreamRecorder.complete",
    "otel_genai.core.telemetry:GenAITelemetry.start",
    "otel_genai.core.telemetry:ModelCall.__init__",
    "otel_genai.core.telemetry:ModelCall.end",
    "otel_genai.core.telemetry:ModelCall._record_span",
    "otel_genai.core.content:content_values",
    "otel_genai.core.events:emit",
    "otel_genai.core.telemetry:ModelCall._record_metrics",
    "otel_genai.core.telemetry:outcome_attributes",
    "otel_genai.core.telemetry:sampling_attributes",
    "otel_genai.core.telemetry:metric_attributes",
    "otel_genai.core.content:to_json",
    "opentelemetry.context:attach",
    "opentelemetry.context:detach",
    "opentelemetry.trace:set_span_in_context",
    "opentelemetry.sdk.trace:Tracer.start_span",
    "opentelemetry.sdk.trace:Span.set_attributes",
    "opentelemetry.sdk.trace:Span.end",
    "opentelemetry.sdk.metrics._internal.instrument:Histogram.record",
    "opentelemetry.sdk._logs._internal:Logger.emit",
)


class StageTimer:
    """Inclusive wall time of each timed function, per call path (``outer > inner``)."""

    def __init__(self) -> None:
        self.totals: dict[str, float] = defaultdict(float)
        self.counts: Counter[str] = Counter()
        self.stack: list[str] = []
        self.undo: list[tuple[Any, str, Any]] = []

    def install(self) -> None:
        import importlib

        for target in STAGES:
            module_name, path = target.split(":")
            try:
                owner: Any = importlib.import_module(module_name)
            except ImportError:
                continue
            *parents, name = path.split(".")
            for parent in parents:
                owner = getattr(owner, parent, None)
            if isinstance(owner, type):  # patch the class that defines it, so subclasses see the timer
                owner = next((c for c in owner.__mro__ if name in vars(c)), None)
            original = vars(owner).get(name) if owner is not None else None
            if any(u[0] is owner and u[1] == name for u in self.undo):
                continue
            if not callable(original) or isinstance(original, (staticmethod, classmethod)):
                continue
            label = path if not module_name.startswith("opentelemetry") else f"SDK/API {path}"
            setattr(owner, name, self._wrap(label, original))
            self.undo.append((owner, name, original))

    def remove(self) -> None:
        for owner, name, original in reversed(self.undo):
            setattr(owner, name, original)
        self.undo.clear()

    def _wrap(self, label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        timer = self
        clock = time.perf_counter

        def timed(*args: Any, **kwargs: Any) -> Any:
            stack = timer.stack
            path = f"{stack[-1]} > {label}" if stack else label
            stack.append(path)
            started = clock()
            try:
                return fn(*args, **kwargs)
            finally:
                timer.totals[path] += clock() - started
                timer.counts[path] += 1
                stack.pop()

        return timed


def stage_costs(worker: Any, scenario: str, mode: str, calls: int) -> list[tuple[str, float, float]]:
    """(call path, µs per model call, calls per model call) of every timed stage, in call order."""
    batch = worker.batches[scenario]
    timer = StageTimer()
    worker._on(mode)
    timer.install()
    try:
        batch(2)
        timer.totals.clear()
        timer.counts.clear()
        batch(calls)
    finally:
        timer.remove()
        worker._off()
    return [(path, timer.totals[path] * 1e6 / calls, timer.counts[path] / calls) for path in timer.totals]


# --- exact call counts ----------------------------------------------------------------------


def call_counts(batch: Callable[[int], None], calls: int) -> list[tuple[str, float]]:
    """Calls made inside our region, per model call, by function (Python and C functions)."""
    counts: Counter[str] = Counter()
    outside, ours, client = 0, 1, 2
    state = outside
    saved: list[int] = []  # the state to restore when each Python frame returns (or yields)

    def tracer(frame: Any, event: str, arg: Any) -> None:
        nonlocal state
        if event == "call":
            saved.append(state)
            path = frame.f_code.co_filename
            if OURS in path:
                state = ours
            elif state == ours and CLIENT in path:
                state = client
            if state == ours:
                counts[f"{frame.f_code.co_name} ({_short(path)})"] += 1
        elif event == "return":
            state = saved.pop() if saved else outside
        elif event == "c_call" and state == ours:
            counts[f"{getattr(arg, '__qualname__', repr(arg))} (C)"] += 1

    sys.setprofile(tracer)
    try:
        batch(calls)
    finally:
        sys.setprofile(None)
    return sorted(((k, v / calls) for k, v in counts.items()), key=lambda kv: -kv[1])


def _short(path: str) -> str:
    for marker in ("site-packages/", "/src/", "/lib/python3.11/"):
        if marker in path:
            return path.split(marker, 1)[1]
    return path


# --- ablation: our own work per chunk --------------------------------------------------------


def own_work_per_chunk(worker: Any, rounds: int) -> dict[str, Any]:
    """Marginal cost of a chat chunk (200 vs 20 chunks) with and without the per-chunk metric records.

    For the second variant the ``time_per_output_chunk`` histogram of our telemetry is swapped
    for a stand-in whose ``record`` is a C builtin that does nothing (the API's no-op histogram
    would add a Python call of its own per chunk); the difference is what those records cost,
    the rest is our own work.
    """

    class _CRecord:
        record = {}.get  # (value, attributes) -> attributes: a C call, nothing recorded

    from otel_genai.core import telemetry as telemetry_module

    made: list[Any] = []
    original_init = telemetry_module.GenAITelemetry.__init__

    def capturing_init(self: Any, *args: Any, **kwargs: Any) -> None:
        original_init(self, *args, **kwargs)
        made.append(self)

    telemetry_module.GenAITelemetry.__init__ = capturing_init  # type: ignore[method-assign]
    results: dict[str, list[float]] = {"full": [], "no_chunk_records": []}
    calls = {"stream_20": 6, "stream_200": 2}
    try:
        for r in range(rounds):
            # Alternating which variant goes first cancels the machine's drift between them.
            for variant in ("full", "no_chunk_records")[:: 1 if r % 2 else -1]:
                added = {}
                for scenario in ("stream_20", "stream_200"):
                    batch = worker.batches[scenario]
                    base = worker._timed(batch, calls[scenario])[0] / calls[scenario]
                    worker._on("off")
                    if variant == "no_chunk_records":
                        made[-1].time_per_output_chunk = _CRecord()
                    try:
                        inst = worker._timed(batch, calls[scenario])[0] / calls[scenario]
                    finally:
                        worker._off()
                    added[scenario] = inst - base
                results[variant].append((added["stream_200"] - added["stream_20"]) / 180 * 1e6)
    finally:
        telemetry_module.GenAITelemetry.__init__ = original_init  # type: ignore[method-assign]
    full = statistics.median(results["full"])
    bare = statistics.median(results["no_chunk_records"])
    return {"full_us": full, "without_records_us": bare, "records_us": full - bare, "rounds": rounds}


# --- micro-benchmarks of the SDK calls every implementation makes ----------------------------


def sdk_costs(repeat: int) -> list[tuple[str, float]]:
    """Per-operation cost of the SDK calls any instrumentation of a call must make (µs, best of 5)."""
    from benchmarks.harness import pipeline
    from opentelemetry.trace import SpanKind

    pipe = pipeline.make(True)
    tracer = pipe.tracer_provider.get_tracer("micro")
    meter = pipe.meter_provider.get_meter("micro")
    histogram = meter.create_histogram("micro.duration", unit="s")
    sampling = {
        "gen_ai.operation.name": "chat",
        "gen_ai.provider.name": "openai",
        "gen_ai.request.model": "gpt-4o-mini",
        "server.address": "api.openai.com",
        "server.port": 443,
    }
    metric6 = {**sampling, "gen_ai.response.model": "gpt-4o-mini-2024-07-18"}
    metric7 = {**metric6, "gen_ai.token.type": "input"}
    chunk3 = {k: sampling[k] for k in ("gen_ai.operation.name", "gen_ai.provider.name", "gen_ai.request.model")}
    outcome = {f"gen_ai.attribute.{i}": i for i in range(10)}

    def span_cycle() -> None:
        span = tracer.start_span("chat gpt-4o-mini", kind=SpanKind.CLIENT, attributes=sampling)
        span.set_attributes(outcome)
        span.end()

    cases: list[tuple[str, Callable[[], Any]]] = [
        ("Histogram.record, 3 attributes (per-chunk set)", lambda: histogram.record(0.01, chunk3)),
        ("Histogram.record, 6 attributes (duration set)", lambda: histogram.record(0.01, metric6)),
        ("Histogram.record, 7 attributes (token set)", lambda: histogram.record(12, metric7)),
        ("span start (5 attributes) + set_attributes (10) + end", span_cycle),
        ("time.perf_counter() + list.append", lambda: [].append(time.perf_counter())),
    ]
    found = []
    for name, fn in cases:
        best = float("inf")
        for _ in range(5):
            started = time.perf_counter()
            for _ in range(repeat):
                fn()
            best = min(best, (time.perf_counter() - started) / repeat)
        found.append((name, best * 1e6))
    pipe.shutdown()
    return found


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    bodies_path, out_path = sys.argv[1], sys.argv[2]
    quick = "--quick" in sys.argv
    from benchmarks.harness.worker import Worker

    with open(bodies_path, encoding="utf-8") as handle:
        bodies = json.load(handle)
    worker = Worker("ours")
    worker.init(bodies)
    from datetime import datetime, timezone

    result: dict[str, Any] = {"profiles": {}, "counts": {}, "when": f"{datetime.now(timezone.utc):%Y-%m-%d %H:%M} UTC"}
    for scenario, mode in PROFILED:
        batch = worker.batches[scenario]
        per_call = worker.calibrate(scenario)["seconds"]
        calls = max(2, int((0.6 if quick else 3.0) / per_call))
        worker._on(mode)
        try:
            batch(2)
            gc.collect()
            result["profiles"][f"{scenario}/{mode}"] = {**sampled(batch, calls), "calls": calls}
            result["counts"][f"{scenario}/{mode}"] = call_counts(batch, max(2, calls // 10))
        finally:
            worker._off()
        result.setdefault("stages", {})[f"{scenario}/{mode}"] = stage_costs(worker, scenario, mode, calls)
    result["own_work_per_chunk"] = own_work_per_chunk(worker, 5 if quick else 61)
    result["sdk_costs"] = sdk_costs(2000 if quick else 20000)
    with open(out_path, "w", encoding="utf-8") as handle:
        json.dump(result, handle)


if __name__ == "__main__":
    main()
