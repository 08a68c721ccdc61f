"""Our own faults: whatever fails inside otel-genai or the telemetry pipeline, the app's call is unchanged.

Every fault point of the core (``FAULT_STAGES``) is made to raise, for plain and streamed
calls, sync and async, with the OpenAI and the Anthropic client: the application gets the
same result and the same chunks as without instrumentation, the failure is logged as one
warning per kind (later ones at DEBUG), and our failure is never reported as the
application's (no ``error.type``). Each method of the Anthropic translators raises in turn,
and so does the content hook. Then the pipeline itself fails, under both clients: an
exporter that raises, span processors that raise, a full export queue behind a stuck exporter.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Sequence
from typing import Any

import pytest
from anthropic_calls import ANTHROPIC, CREATE, CREATE_STREAM, RAW, STREAM_HELPER, STREAMING_RESPONSE_STREAM
from application_record import Outcome
from case_runner import MATRIX_ENV, instrumented, run_call
from instrumentation_probes import EndCounter, collecting_logs, internal_failures
from method_table import METHODS, MODES, OPENAI, ClientKind, Method, skip_reason
from opentelemetry.sdk._logs import LoggerProvider
from opentelemetry.sdk._logs.export import LogRecordExporter, LogRecordExportResult, SimpleLogRecordProcessor
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult
from server_scenarios import SCENARIOS

from otel_genai.core import internal_errors
from otel_genai.core.internal_errors import FAULT_STAGES, injected_faults
from otel_genai.instrumentation.anthropic.message_stream import MessageStreamFolder
from otel_genai.instrumentation.anthropic.messages import Messages
from telemetry_capture import Captured

OK = next(s for s in SCENARIOS if s.name == "ok")
FAULT_METHODS = [
    *(m for m in METHODS if m.name in ("chat.create", "chat.create(stream)", "embeddings.create")),
    *(m for m in METHODS if m.name == "responses.create(stream)"),
    CREATE,
    CREATE_STREAM,
    STREAM_HELPER,
    RAW,
    STREAMING_RESPONSE_STREAM,
]
# What the one warning of each stage says (log_internal_error's stage names).
STAGE_MESSAGES = {
    "request": "reading the request",
    "request content": "reading the request's messages",
    "response": "reading the response",
    "stream chunk": "reading a stream chunk",
    "stream finish": "assembling a streamed response",
    "record span": "recording the span",
    "record metrics": "recording metrics",
    "emit events": "emitting events",
}
CALLS = 3
DETAILS = "gen_ai.client.inference.operation.details"
# A plain and a streamed call of each client library.
TWO = {
    "openai": [m for m in METHODS if m.name in ("chat.create", "chat.create(stream)")],
    "anthropic": [CREATE, CREATE_STREAM],
}


@pytest.fixture
def fresh_warnings(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget which failures were already warned about, so this test sees its first warning."""
    monkeypatch.setattr(internal_errors, "_seen", set())


def _reached(stage: str, method: Method) -> bool:
    return method.streamed or stage not in ("stream chunk", "stream finish")


def _tries(stage: str, method: Method) -> int:
    """How often a call meets a fault: a call whose request we could not read is tried again by
    the layer below, if it passes two (Anthropic's create, then its client's request)."""
    two_layers = method.kind is ANTHROPIC and method is not STREAM_HELPER
    return 2 if stage == "request" and two_layers else 1


def test_every_stage_is_covered() -> None:
    assert set(STAGE_MESSAGES) == set(FAULT_STAGES)


@pytest.mark.parametrize("stage", FAULT_STAGES)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("method", FAULT_METHODS, ids=lambda m: f"{m.kind.name}-{m.name}")
def test_injected_fault_leaves_the_call_unchanged(
    mock_server: Any, fresh_warnings: None, method: Method, mode: str, stage: str
) -> None:
    reason = skip_reason(method)
    if reason:
        pytest.skip(reason)
    baseline = run_call(mock_server, method, mode, OK)
    captured = Captured()
    counter = EndCounter()
    captured.tracer_provider.add_span_processor(counter)
    with (
        collecting_logs("otel_genai") as logs,
        instrumented(captured, MATRIX_ENV, kind=method.kind),
        injected_faults(stage),
    ):
        outcomes = [run_call(mock_server, method, mode, OK) for _ in range(CALLS)]

    for outcome in outcomes:
        assert outcome.events == baseline.events  # same result, same chunks in the same order
        assert outcome.warnings == baseline.warnings
        assert outcome.context_kept

    ours = [r for r in logs.records if r.name == "otel_genai"]
    warnings = [r for r in ours if r.levelno == logging.WARNING]
    assert not [r for r in ours if r.levelno >= logging.ERROR]
    if _reached(stage, method):
        # One warning per kind, however many calls; the repeats at DEBUG.
        assert len(warnings) == 1, [r.getMessage() for r in warnings]
        assert STAGE_MESSAGES[stage] in warnings[0].getMessage()
        assert "InjectedFault" in warnings[0].getMessage()
        assert len(internal_failures(ours)) == CALLS * _tries(stage, method)
    else:
        assert warnings == []

    spans = captured.spans()
    durations = captured.metrics("gen_ai.client.operation.duration")
    if stage == "request":  # the call ran uninstrumented
        assert spans == [] and durations == []
        return
    # Every call still has its span, ended once, and our failure is not the app's error.
    assert len(spans) == CALLS
    assert counter.not_ended_once() == {}
    assert all("error.type" not in s.attributes for s in spans)
    assert sum(p.count for p in durations) == (0 if stage == "record metrics" else CALLS)
    assert all("error.type" not in p.attributes for p in durations)
    if stage not in ("record span", "response", "stream chunk"):
        # Whatever could still be read is on the span: the response id the app received.
        assert [s.attributes.get("gen_ai.response.id") for s in spans] == [
            o.identity[0] if isinstance(o.identity[0], str) else None for o in outcomes
        ]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("kind", [OPENAI, ANTHROPIC], ids=lambda k: k.name)
def test_every_stage_failing_at_once(mock_server: Any, fresh_warnings: None, kind: ClientKind, mode: str) -> None:
    for method in TWO[kind.name]:
        baseline = run_call(mock_server, method, mode, OK)
        captured = Captured()
        with (
            collecting_logs("otel_genai") as logs,
            instrumented(captured, MATRIX_ENV, kind=kind),
            injected_faults(*FAULT_STAGES),
        ):
            outcome = run_call(mock_server, method, mode, OK)
        assert outcome.events == baseline.events
        assert not [r for r in logs.records if r.levelno >= logging.ERROR]


# --- the pipeline fails ---------------------------------------------------------------------


class RaisingSpanExporter(SpanExporter):
    def __init__(self) -> None:
        self.attempts = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.attempts += len(spans)
        raise ConnectionError("collector unreachable")


class RaisingLogExporter(LogRecordExporter):
    def __init__(self) -> None:
        self.attempts = 0

    def export(self, batch: Sequence[Any]) -> LogRecordExportResult:
        self.attempts += len(batch)
        raise ConnectionError("collector unreachable")

    def shutdown(self) -> None:
        pass

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return True


class StuckSpanExporter(SpanExporter):
    """An exporter that hangs until released: the batch queue behind it fills up."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.exported = 0

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        self.release.wait(10)
        self.exported += len(spans)
        return SpanExportResult.SUCCESS


class RaisingProcessor(SpanProcessor):
    def __init__(self, on: str) -> None:
        self.on = on

    def on_start(self, span: Any, parent_context: Any = None) -> None:
        if self.on == "start":
            raise RuntimeError("processor bug at start")

    def on_end(self, span: ReadableSpan) -> None:
        if self.on == "end":
            raise RuntimeError("processor bug at end")


def _twenty_calls(server: Any, kind: ClientKind, captured: Captured, **providers: Any) -> list[Outcome]:
    with instrumented(captured, MATRIX_ENV, kind=kind, **providers):
        return [run_call(server, TWO[kind.name][i % 2], "sync", OK) for i in range(20)]


@pytest.fixture(scope="module")
def baseline_pairs(mock_server: Any) -> dict[str, list[Outcome]]:
    return {kind: [run_call(mock_server, m, "sync", OK) for m in methods] for kind, methods in TWO.items()}


@pytest.fixture(params=[OPENAI, ANTHROPIC], ids=lambda k: k.name)
def kind(request: pytest.FixtureRequest) -> ClientKind:
    return request.param  # type: ignore[no-any-return]


@pytest.fixture
def baselines(baseline_pairs: dict[str, list[Outcome]], kind: ClientKind) -> list[Outcome]:
    return baseline_pairs[kind.name]


def test_raising_exporters_do_not_break_the_calls(mock_server: Any, kind: ClientKind, baselines: list[Outcome]) -> None:
    span_exporter, log_exporter = RaisingSpanExporter(), RaisingLogExporter()
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(SimpleSpanProcessor(span_exporter))
    logger_provider = LoggerProvider()
    logger_provider.add_log_record_processor(SimpleLogRecordProcessor(log_exporter))
    with collecting_logs("otel_genai") as ours, collecting_logs("opentelemetry"):  # the SDK logs its exporter errors
        outcomes = _twenty_calls(
            mock_server, kind, Captured(), tracer_provider=tracer_provider, logger_provider=logger_provider
        )
    assert [o.events for o in outcomes] == [baselines[i % 2].events for i in range(20)]
    assert span_exporter.attempts == 20  # every span reached the exporter, which failed every time
    assert log_exporter.attempts == 20  # one inference-details event per call
    assert internal_failures(ours.records) == []  # the SDK's failure, not ours


@pytest.mark.parametrize("on", ["start", "end"])
def test_raising_span_processor_does_not_break_the_call(
    mock_server: Any, kind: ClientKind, baselines: list[Outcome], fresh_warnings: None, on: str
) -> None:
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(RaisingProcessor(on))
    with collecting_logs("otel_genai") as ours:
        outcomes = _twenty_calls(mock_server, kind, Captured(), tracer_provider=tracer_provider)
    assert [o.events for o in outcomes] == [baselines[i % 2].events for i in range(20)]
    warnings = [r.getMessage() for r in ours.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1  # once, not per call
    assert ("reading the request" if on == "start" else "ending the span") in warnings[0]


def test_full_export_queue_does_not_block_the_calls(
    mock_server: Any, kind: ClientKind, baselines: list[Outcome]
) -> None:
    exporter = StuckSpanExporter()
    processor = BatchSpanProcessor(exporter, max_queue_size=1, max_export_batch_size=1, schedule_delay_millis=1)
    tracer_provider = TracerProvider()
    tracer_provider.add_span_processor(processor)
    counter = EndCounter()
    tracer_provider.add_span_processor(counter)
    try:
        with collecting_logs("opentelemetry"):  # "queue is full" is the SDK's to say
            outcomes = _twenty_calls(mock_server, kind, Captured(), tracer_provider=tracer_provider)
        assert [o.events for o in outcomes] == [baselines[i % 2].events for i in range(20)]
        assert len(counter.started) == 20 and counter.not_ended_once() == {}
        # Still stuck: a call that waited for the exporter would have waited out its 10 s and let it export.
        assert exporter.exported == 0
    finally:
        exporter.release.set()
        tracer_provider.shutdown()
    assert exporter.exported < 20  # the queue of one dropped the rest


# --- the Anthropic translators raise -------------------------------------------------------------


def _raise(*args: Any, **kwargs: Any) -> Any:
    raise LookupError("translator bug")


# Each method of the Anthropic operation and of its stream folder, and what the one warning
# names. A failure reading the request leaves the call unrecorded; any later one costs only
# what that step would have added.
TRANSLATORS = {
    (Messages, "invocation"): "reading the request",
    (Messages, "request_arguments"): "reading the request",
    (Messages, "request_parameters"): "reading the request's parameters",
    (Messages, "request_content"): "reading the request's messages",
    (Messages, "fold_response"): "reading",
    (Messages, "stream_folder"): "reading",
    (MessageStreamFolder, "fold"): "reading a stream chunk",
    (MessageStreamFolder, "finished"): "reading a stream chunk",
    (MessageStreamFolder, "finish"): "assembling a streamed response",
}
ANTHROPIC_FAULT_METHODS = [m for m in FAULT_METHODS if m.kind is ANTHROPIC]


def _reaches(owner: type, name: str, method: Method) -> bool:
    if owner is MessageStreamFolder or name == "stream_folder":
        return method.streamed
    if name == "fold_response":
        return not method.streamed
    return True


@pytest.mark.parametrize(("owner", "name"), list(TRANSLATORS), ids=lambda x: x if isinstance(x, str) else x.__name__)
@pytest.mark.parametrize("method", ANTHROPIC_FAULT_METHODS, ids=lambda m: f"{m.kind.name}-{m.name}")
def test_a_raising_translator_leaves_the_call_unchanged(
    mock_server: Any, monkeypatch: pytest.MonkeyPatch, fresh_warnings: None, method: Method, owner: type, name: str
) -> None:
    baseline = run_call(mock_server, method, "sync", OK)
    monkeypatch.setattr(owner, name, property(_raise) if name == "finished" else _raise)
    captured = Captured()
    counter = EndCounter()
    captured.tracer_provider.add_span_processor(counter)
    with collecting_logs("otel_genai") as logs, instrumented(captured, MATRIX_ENV, kind=ANTHROPIC):
        outcomes = [run_call(mock_server, method, "sync", OK) for _ in range(CALLS)]

    assert [o.events for o in outcomes] == [baseline.events] * CALLS
    ours = [r for r in logs.records if r.name == "otel_genai"]
    assert not [r for r in ours if r.levelno >= logging.ERROR]
    warnings = [r.getMessage() for r in ours if r.levelno == logging.WARNING]
    if not _reaches(owner, name, method):
        assert warnings == []
    else:
        assert len(warnings) == 1, warnings
        assert TRANSLATORS[owner, name] in warnings[0] and "LookupError" in warnings[0]
    spans = captured.spans()
    if TRANSLATORS[owner, name] == "reading the request":
        assert spans == []
        return
    assert len(spans) == CALLS and counter.not_ended_once() == {}
    assert [s.attributes.get("error.type") for s in spans] == [None] * CALLS
    assert [s.attributes.get("gen_ai.request.model") for s in spans] == [method.model] * CALLS


@pytest.mark.parametrize("method", FAULT_METHODS, ids=lambda m: f"{m.kind.name}-{m.name}")
def test_a_raising_content_hook_costs_the_content_only(mock_server: Any, fresh_warnings: None, method: Method) -> None:
    reason = skip_reason(method)
    if reason:
        pytest.skip(reason)
    baseline = run_call(mock_server, method, "sync", OK)
    captured = Captured()
    with (
        collecting_logs("otel_genai") as logs,
        instrumented(captured, MATRIX_ENV, kind=method.kind, content_hook=_raise),
    ):
        outcomes = [run_call(mock_server, method, "sync", OK) for _ in range(CALLS)]
    assert [o.events for o in outcomes] == [baseline.events] * CALLS
    warnings = [r.getMessage() for r in logs.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "the content hook" in warnings[0], warnings
    spans = captured.spans()
    assert len(spans) == CALLS
    for span in spans:
        assert not [key for key in span.attributes if key.endswith(("messages", "instructions", "definitions"))]
        assert "error.type" not in span.attributes and span.attributes["gen_ai.response.model"]
    # The events carry no content either.
    events = captured.events(DETAILS)
    assert len(events) == (CALLS if method.operation == "chat" else 0)
    assert not [key for event in events for key in event.attributes if key.endswith("messages")]
