"""Running a case (method x mode x scenario) the way the application would, and what it saw
(:func:`run_call`); the matrix of every case (:func:`matrix_params`).

The transparency matrix and the server-fault suite run the same case twice, once without and once
with instrumentation, and compare what the application saw (:class:`CaseResult`). A case is run once
per session (:func:`case_result` caches it), so both suites can assert on the same runs without paying
for them twice.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import os
import threading
import time
import uuid
import warnings
from collections import Counter, defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from application_record import API_KEY, Context, Outcome, Run, error_message
from instrumentation_probes import EndCounter, collecting_logs
from method_table import METHODS, MODES, OPENAI, ClientKind, Method
from opentelemetry import context as otel_context
from opentelemetry.sdk.trace import ReadableSpan
from server_scenarios import SCENARIOS, Scenario

from telemetry_capture import Captured

CALL_TAG = "x-reliability-call"


@contextlib.contextmanager
def instrumented(
    captured: Captured, env: dict[str, str] | None = None, *, kind: ClientKind = OPENAI, **kwargs: Any
) -> Iterator[None]:
    """The ``kind`` of client (OpenAI's by default) instrumented into ``captured`` with the given
    environment, for the block."""
    names = (
        "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
        "OTEL_SEMCONV_STABILITY_OPT_IN",
        "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
        "OTEL_INSTRUMENTATION_GENAI_MAX_CONTENT_LENGTH",
        "OTEL_INSTRUMENTATION_GENAI_MAX_BLOB_LENGTH",
        "OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME",
    )
    saved = {n: os.environ.get(n) for n in names}
    instrumentor = kind.instrumentor()
    try:
        for n in names:
            os.environ.pop(n, None)
        os.environ.update(env or {})
        instrumentor.instrument(**{**captured.providers(), **kwargs})
    finally:
        for n, value in saved.items():
            if value is None:
                os.environ.pop(n, None)
            else:
                os.environ[n] = value
    try:
        yield
    finally:
        instrumentor.uninstrument()


def count_requests(server: Any, tag: str, at_least: int = 1, wait_s: float = 30.0) -> int:
    """Requests the server logged for one call (a request the client gave up on may be logged a
    moment after the call returned; the wait ends as soon as it is)."""
    deadline = time.monotonic() + wait_s
    while True:
        count = sum(1 for r in server.requests if r.headers.get(CALL_TAG) == tag)
        if count >= at_least or time.monotonic() > deadline:
            return count
        time.sleep(0.005)


@contextlib.contextmanager
def warnings_by_thread() -> Iterator[dict[int, list[type[Warning]]]]:
    """The Python warnings raised in the block, by the thread that raised them.
    (``warnings.catch_warnings`` swaps process-wide state: threads must share one.)"""
    seen: dict[int, list[type[Warning]]] = defaultdict(list)

    def record(message: Any, category: type[Warning], *args: Any, **kwargs: Any) -> None:
        seen[threading.get_ident()].append(category)

    with warnings.catch_warnings():
        warnings.simplefilter("always")
        warnings.showwarning = record
        yield seen


def run_call(server: Any, method: Method, mode: str, scenario: Scenario) -> Outcome:
    """Run ``method`` once the way the application would, and record what it saw."""
    with warnings_by_thread() as caught:
        return observed_call(server, method, mode, scenario, caught)


def observed_call(
    server: Any,
    method: Method,
    mode: str,
    scenario: Scenario,
    caught: dict[int, list[type[Warning]]],
    tag: str | None = None,
) -> Outcome:
    """:func:`run_call` inside a :func:`warnings_by_thread` block; ``tag`` marks the call's requests."""
    tag = tag or uuid.uuid4().hex
    headers = {CALL_TAG: tag, "x-mock-scenario-key": tag}
    if scenario.header:
        headers["x-mock-scenario"] = scenario.header
    run = Run(headers)
    ctx = Context(server.base_url)
    options: dict[str, Any] = {
        "base_url": method.kind.base_url(server),
        "api_key": API_KEY,
        "max_retries": scenario.max_retries,
    }
    if scenario.timeout is not None:
        options["timeout"] = scenario.timeout
    _run(method, mode, run, ctx, options)
    first_identity = next((i for i in run.ids if i != (None, None)), (None, None))
    # ResourceWarnings come from whatever earlier garbage the collector happens to finalize
    # during the call: they say nothing about this call.
    raised = caught.pop(threading.get_ident(), [])
    categories = Counter(category.__name__ for category in raised if not issubclass(category, ResourceWarning))
    return Outcome(
        tuple(run.events),
        count_requests(server, tag),
        first_identity,
        tuple(sorted(categories.items())),
        run.requested_id,
        run.context_kept,
    )


def _run(method: Method, mode: str, run: Run, ctx: Context, options: dict[str, Any]) -> None:
    try:
        if mode == "sync":
            with method.kind.sync_client(**options) as client:
                before = otel_context.get_current()
                try:
                    method.sync(client, run, ctx)
                finally:
                    run.context_kept = otel_context.get_current() == before
        else:

            async def main() -> None:
                async with method.kind.async_client(**options) as client:
                    before = otel_context.get_current()
                    try:
                        await method.async_(client, run, ctx)
                    finally:
                        run.context_kept = otel_context.get_current() == before

            asyncio.run(main())
    except Exception as exc:  # noqa: BLE001 - whatever the call raises is part of the outcome
        run.saw("raised", type(exc), error_message(exc))


@dataclass
class CaseResult:
    """One case run without and with instrumentation, and what the instrumentation emitted."""

    baseline: Outcome
    instrumented: Outcome
    spans: list[ReadableSpan]
    not_ended_once: dict[str, int]
    logs: list[logging.LogRecord]
    # gen_ai.client.operation.duration points: (count, attributes).
    durations: list[tuple[int, dict[str, Any]]]


_CASES: dict[tuple[str, str, str], CaseResult] = {}
MATRIX_ENV = {
    "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT": "SPAN_AND_EVENT",
    "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT": "true",
}


def case_result(server: Any, method: Method, mode: str, scenario: Scenario) -> CaseResult:
    """Run the case (once per test process: the parallel runner sends every suite's test of a case
    to one worker, see tests/conftest.py) without, then with instrumentation (all content on); a
    case that waits out a timeout runs its uninstrumented call alongside (it waits ~1 s twice)."""
    key = (method.name, mode, scenario.name)
    if key in _CASES:
        return _CASES[key]
    captured = Captured()
    counter = EndCounter()
    captured.tracer_provider.add_span_processor(counter)
    with warnings_by_thread() as caught, ThreadPoolExecutor(max_workers=1) as beside:
        if scenario.timeout is None:
            baseline: Future[Outcome] = Future()
            baseline.set_result(observed_call(server, method, mode, scenario, caught))
        else:
            baseline = _baseline_under_way(beside, server, method, mode, scenario, caught)
        with collecting_logs("otel_genai", "opentelemetry") as logs, instrumented(captured, MATRIX_ENV):
            outcome = observed_call(server, method, mode, scenario, caught)
            if counter.not_ended_once():  # a stream left for the garbage collector to end
                gc.collect()
    durations = [(p.count, p.attributes) for p in captured.metrics("gen_ai.client.operation.duration")]
    result = CaseResult(baseline.result(), outcome, captured.spans(), counter.not_ended_once(), logs.records, durations)
    _CASES[key] = result
    return result


def _baseline_under_way(
    beside: ThreadPoolExecutor,
    server: Any,
    method: Method,
    mode: str,
    scenario: Scenario,
    caught: dict[int, list[type[Warning]]],
) -> Future[Outcome]:
    """The uninstrumented call, started on ``beside`` and handed back once its request reached the
    server: by then it has looked up every client method it calls, so an ``instrument()`` from here
    on does not reach it. Both halves of a timeout case then wait out their timeouts together."""
    tag = uuid.uuid4().hex
    running = beside.submit(observed_call, server, method, mode, scenario, caught, tag)
    deadline = time.monotonic() + 30.0
    while not running.done() and time.monotonic() < deadline:
        if any(r.headers.get(CALL_TAG) == tag for r in server.requests):
            break
        time.sleep(0.005)
    return running


def matrix_params(known_bugs: dict[tuple[str, str], str] | None = None) -> list[Any]:
    """pytest params: every method x mode x scenario; ``known_bugs`` (method, scenario) -> reason are strict xfails."""
    import pytest

    params = []
    for method in METHODS:
        for mode in MODES:
            for scenario in SCENARIOS:
                bug = (known_bugs or {}).get((method.name, scenario.name))
                marks = [pytest.mark.xfail(strict=True, reason=bug)] if bug else []
                params.append(
                    pytest.param(method, mode, scenario, id=f"{method.name}-{mode}-{scenario.name}", marks=marks)
                )
    return params
