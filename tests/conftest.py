"""Shared fixtures: the local OpenAI-compatible server, in-memory telemetry, instrumenting."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from telemetry_capture import ALWAYS_ON, Captured


@pytest.fixture(scope="session")
def mock_server() -> Iterator[Any]:
    from otel_genai.mock_openai import MockOpenAIServer

    with MockOpenAIServer() as server:
        yield server


@pytest.fixture
def captured() -> Captured:
    return Captured()


@pytest.fixture
def instrument(monkeypatch: pytest.MonkeyPatch, captured: Captured) -> Iterator[Callable[..., Captured]]:
    """Instrument the OpenAI client with in-memory providers and the given environment.

    ``instrument(capture="SPAN_AND_EVENT", conventions="gen_ai_legacy", sampler=ALWAYS_OFF)``
    """
    from otel_genai.instrumentation.openai import OpenAIInstrumentor

    instrumentor = OpenAIInstrumentor()
    state: dict[str, Captured] = {}

    def start(
        capture: str | None = None,
        conventions: str | None = None,
        sampler: Any = ALWAYS_ON,
        env: dict[str, str] | None = None,
        **kwargs: Any,
    ) -> Captured:
        for key in (
            "OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT",
            "OTEL_SEMCONV_STABILITY_OPT_IN",
            "OTEL_INSTRUMENTATION_GENAI_EMIT_EVENT",
        ):
            monkeypatch.delenv(key, raising=False)
        if capture is not None:
            monkeypatch.setenv("OTEL_INSTRUMENTATION_GENAI_CAPTURE_MESSAGE_CONTENT", capture)
        if conventions is not None:
            monkeypatch.setenv("OTEL_SEMCONV_STABILITY_OPT_IN", conventions)
        for key, value in (env or {}).items():
            monkeypatch.setenv(key, value)
        target = captured if sampler is ALWAYS_ON else Captured(sampler=sampler)
        instrumentor.instrument(**target.providers(), **kwargs)
        state["captured"] = target
        return target

    yield start
    if instrumentor.is_instrumented_by_opentelemetry:
        instrumentor.uninstrument()


@pytest.fixture
def client(mock_server: Any) -> Any:
    import openai

    return openai.OpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0)


@pytest.fixture
def async_client(mock_server: Any) -> Any:
    import openai

    return openai.AsyncOpenAI(base_url=mock_server.base_url, api_key="sk-test-key", max_retries=0)
