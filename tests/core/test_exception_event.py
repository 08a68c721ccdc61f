"""The ``gen_ai.client.operation.exception`` event, from bare records: one WARN event per
failed call, in the span's context, in the latest conventions, unless turned off."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry._logs import SeverityNumber

from otel_genai.config import ContentCapture, ConventionMode, Settings, load_settings
from otel_genai.core.internal_errors import injected_faults
from otel_genai.core.invocation import Invocation
from otel_genai.core.streams import StreamRecorder, observe_chunks
from otel_genai.core.telemetry import GenAITelemetry, ModelCall
from telemetry_capture import ALWAYS_OFF, Captured

EXCEPTION = "gen_ai.client.operation.exception"


class QuotaExceeded(Exception):
    pass


def start(captured: Captured, **settings: Any) -> ModelCall:
    telemetry = GenAITelemetry(Settings(**settings), **captured.providers())
    return telemetry.start(Invocation(operation="chat", provider="acme", request_model="m-1", server_address="h"))


def raised(exc: BaseException) -> BaseException:
    """``exc`` with a traceback, as the app's call raises it."""
    try:
        raise exc
    except BaseException as caught:  # noqa: BLE001
        return caught


def test_a_failed_call_emits_one_warn_event_in_the_span_context() -> None:
    captured = Captured()
    call = start(captured)
    call.fail(raised(QuotaExceeded("quota exceeded for m-1")))
    (event,) = captured.events(EXCEPTION)
    span = captured.span()
    assert event.severity_number is SeverityNumber.WARN
    assert (event.trace_id, event.span_id) == (span.context.trace_id, span.context.span_id)
    attrs = dict(event.attributes or {})
    assert attrs["exception.type"] == f"{__name__}.QuotaExceeded"
    assert attrs["exception.message"] == "quota exceeded for m-1"
    assert "raise exc" in attrs["exception.stacktrace"]
    assert attrs["exception.stacktrace"].rstrip().endswith("QuotaExceeded: quota exceeded for m-1")
    # Found and grouped without the trace: what a sampler sees, and the span's error.type.
    assert attrs["gen_ai.operation.name"] == "chat" and attrs["gen_ai.request.model"] == "m-1"
    assert attrs["error.type"] == span.attributes["error.type"] == attrs["exception.type"]
    assert event.body is None


def test_a_successful_call_and_an_unfinished_one_emit_none() -> None:
    captured = Captured()
    start(captured).end()
    start(captured).end("otel_genai.stream_abandoned", "garbage-collected")
    assert len(captured.spans()) == 2
    assert captured.events(EXCEPTION) == []


def test_it_is_emitted_once_however_often_the_call_ends() -> None:
    captured = Captured()
    call = start(captured)
    call.fail(raised(TimeoutError("read timed out")))
    call.fail(raised(TimeoutError("again")))
    call.end()
    assert [e.attributes["exception.message"] for e in captured.events(EXCEPTION)] == ["read timed out"]


def test_a_stream_that_fails_midway_emits_it() -> None:
    captured = Captured()
    call = start(captured)

    def chunks() -> Any:
        yield "Hello"
        raise ConnectionResetError("peer gone")

    with pytest.raises(ConnectionResetError):
        list(observe_chunks(chunks(), StreamRecorder(call, None)))
    (event,) = captured.events(EXCEPTION)
    assert event.attributes["exception.type"] == "ConnectionResetError"


def test_a_sampled_out_call_still_emits_it() -> None:
    captured = Captured(sampler=ALWAYS_OFF)
    start(captured).fail(raised(TimeoutError("read timed out")))
    assert captured.spans() == []
    (event,) = captured.events(EXCEPTION)
    assert event.attributes["exception.type"] == "TimeoutError"


@pytest.mark.parametrize(
    ("conventions", "emitted"),
    [(ConventionMode.LATEST, 1), (ConventionMode.DUPLICATE, 1), (ConventionMode.LEGACY, 0)],
)
def test_only_the_latest_conventions_have_it(conventions: ConventionMode, emitted: int) -> None:
    captured = Captured()
    start(captured, conventions=conventions).fail(raised(TimeoutError("t")))
    assert len(captured.events(EXCEPTION)) == emitted


def test_the_switch_turns_it_off_and_nothing_else() -> None:
    captured = Captured()
    start(captured, exception_event=False).fail(raised(TimeoutError("t")))
    assert captured.events(EXCEPTION) == []
    assert captured.span().attributes["error.type"] == "TimeoutError"


def test_it_is_independent_of_content_capture_and_the_content_events() -> None:
    captured = Captured()
    start(captured, capture=ContentCapture.NO_CONTENT, emit_events=False).fail(raised(TimeoutError("t")))
    assert len(captured.events(EXCEPTION)) == 1


@pytest.mark.parametrize(("value", "expected"), [(None, True), ("", True), ("true", True), ("FALSE", False)])
def test_the_environment_variable(value: str | None, expected: bool) -> None:
    env = {} if value is None else {"OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT": value}
    assert load_settings(env).exception_event is expected


def test_a_bad_value_warns_and_keeps_it_on(caplog: pytest.LogCaptureFixture) -> None:
    assert load_settings({"OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT": "off"}).exception_event is True
    assert "OTEL_INSTRUMENTATION_GENAI_EMIT_EXCEPTION_EVENT='off' is not valid" in caplog.text


def test_a_failing_event_still_ends_the_span_and_records_the_metric() -> None:
    captured = Captured()
    with injected_faults("emit events"):
        start(captured).fail(raised(TimeoutError("t")))
    assert captured.events(EXCEPTION) == []
    assert captured.span().attributes["error.type"] == "TimeoutError"
    assert sum(p.count for p in captured.metrics("gen_ai.client.operation.duration")) == 1
