"""The hand-written agent API sent to in-memory providers."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from telemetry_capture import Captured


@pytest.fixture
def agent_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Captured]]:
    """``agent_api(capture="SPAN_ONLY")``: the API's telemetry, configured anew for one test."""
    from otel_genai import agent_api as api

    def configure(capture: str | None = None) -> Captured:
        monkeypatch.delenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", raising=False)
        if capture is not None:
            monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
        captured = Captured()
        api.configure_agent_api(tracer_provider=captured.tracer_provider, meter_provider=captured.meter_provider)
        return captured

    yield configure
    api._unconfigure()
