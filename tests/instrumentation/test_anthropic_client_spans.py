"""Coexistence with the anthropic client's own OpenTelemetry spans: one model span per call.

The client (releases with built-in tracing) is given our in-memory tracer provider, so its
own spans land where ours do.
"""

from __future__ import annotations

import contextlib
import logging
from typing import Any

import pytest
from anthropic_helpers import MODEL, user

anthropic = pytest.importorskip("anthropic")
client_tracing = pytest.importorskip("anthropic._tracing", reason="this anthropic release emits no spans of its own")


def _traced_client(mock_server: Any, tracer_provider: Any) -> Any:
    return anthropic.Anthropic(
        base_url=mock_server.root_url,
        api_key="sk-ant-test",
        max_retries=0,
        open_telemetry={"tracer_provider": tracer_provider},
    )


def test_one_model_span_and_the_trace_context_is_ours(instrument_anthropic: Any, mock_server: Any, caplog: Any) -> None:
    with caplog.at_level(logging.INFO, logger="otel_genai"):
        captured = instrument_anthropic()
    assert "client_model_spans=True" in caplog.text
    client = _traced_client(mock_server, captured.tracer_provider)
    client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    with client.messages.stream(model=MODEL, max_tokens=64, messages=user("Say hi")) as stream:
        stream.until_done()
    spans = captured.spans()
    assert [s.name for s in spans] == [f"chat {MODEL}", f"chat {MODEL}"]
    # The client still propagates a trace context: our span's.
    traceparent = mock_server.requests[-1].headers["traceparent"]
    assert traceparent.split("-")[2] == format(spans[-1].context.span_id, "016x")


def test_client_model_spans_true_keeps_both(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic(client_model_spans=True)
    client = _traced_client(mock_server, captured.tracer_provider)
    client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    theirs = next(s for s in captured.spans() if s.name == "anthropic.messages.create")
    ours = next(s for s in captured.spans() if s.name == f"chat {MODEL}")
    assert theirs.parent.span_id == ours.context.span_id


def test_uninstrument_gives_the_client_its_spans_back(instrument_anthropic: Any, mock_server: Any) -> None:
    from otel_genai.instrumentation.anthropic import AnthropicInstrumentor

    captured = instrument_anthropic()
    AnthropicInstrumentor().uninstrument()
    client = _traced_client(mock_server, captured.tracer_provider)
    client.messages.create(model=MODEL, max_tokens=64, messages=user("Say hi"))
    assert [s.name for s in captured.spans()] == ["anthropic.messages.create"]


def test_other_client_spans_stay(instrument_anthropic: Any, mock_server: Any) -> None:
    captured = instrument_anthropic()
    client = _traced_client(mock_server, captured.tracer_provider)
    # The span is what matters, whatever the local endpoint answers.
    with contextlib.suppress(anthropic.APIStatusError):
        client.messages.count_tokens(model=MODEL, messages=user("Say hi"))
    assert [s.name for s in captured.spans()] == ["anthropic.messages.count_tokens"]
