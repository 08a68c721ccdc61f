"""The Anthropic calls every implementation is measured on, against an in-process transport.

Each scenario is one real ``anthropic`` client call, ``messages.create``, plain or with
``stream=True`` and fully consumed, answered in-process (the transport of
:mod:`benchmarks.harness.scenarios`) with a recorded body.

The client's own tracing is on, as it is by default: each client is given
``open_telemetry={"tracer_provider": ...}``, the provider of the worker's pipeline for the mode
(sampled or sampled out), so the client's ``anthropic.messages.create`` spans are real spans in
the same pipeline as the instrumentations', uninstrumented batches included. A client given that
option reads none of the ``ANTHROPIC_OPEN_TELEMETRY*`` variables; the harness also removes them
from every worker's environment. The instruction counts add one mode, ``bare``: content off and
the client's tracing off (``open_telemetry={"traces": False}``), what each implementation does
on its own, with no client span to replace.
"""

from __future__ import annotations

from typing import Any

from benchmarks.harness.scenarios import Batch, Scenario, _transport

SYSTEM = "You are a helpful assistant."
MESSAGES = [{"role": "user", "content": "Tell me a joke about OpenTelemetry"}]
MODEL = "claude-3-haiku-20240307"
BASE_URL = "https://api.anthropic.com"
CLIENT_TRACING_ENV = (
    "ANTHROPIC_OPEN_TELEMETRY",
    "ANTHROPIC_OPEN_TELEMETRY_TRACES_CONTENT_MODE",
    "ANTHROPIC_OPEN_TELEMETRY_TRACES_MAX_CONTENT_BYTES",
    "ANTHROPIC_OPEN_TELEMETRY_PROPAGATION",
)

SCENARIOS: tuple[Scenario, ...] = (
    Scenario("create", "messages.create", "message", operation="messages"),
    Scenario("stream_20", "messages.create stream, 20 events", "stream_20", chunks=20, operation="messages"),
    Scenario("stream_200", "messages.create stream, 200 events", "stream_200", chunks=200, operation="messages"),
)
BY_KEY = {s.key: s for s in SCENARIOS}


def _client(body: str, content_type: str, tracer_provider: Any, client_tracing: bool) -> Any:
    import anthropic

    tracing: Any = {"tracer_provider": tracer_provider} if client_tracing else {"traces": False}
    return anthropic.Anthropic(
        api_key="sk-ant-bench",
        base_url=BASE_URL,
        http_client=anthropic.DefaultHttpxClient(transport=_transport(body, content_type, False)),
        max_retries=0,
        open_telemetry=tracing,
    )


def build(
    scenario: Scenario, bodies: dict[str, str], tracer_provider: Any = None, client_tracing: bool = True
) -> Batch:
    """A function that makes ``n`` calls of ``scenario``, each fully consumed; the client's own
    spans go to ``tracer_provider`` (``client_tracing=False``: the client makes none)."""
    streamed = scenario.chunks > 0
    content_type = "text/event-stream; charset=utf-8" if streamed else "application/json"
    client = _client(bodies[scenario.body], content_type, tracer_provider, client_tracing)
    arguments: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": 1024,
        "system": SYSTEM,
        "messages": MESSAGES,
    }
    messages = client.messages  # its create is looked up at each call: instrument() patches the class
    if streamed:

        def stream(n: int) -> None:
            for _ in range(n):
                for _event in messages.create(stream=True, **arguments):
                    pass

        return stream

    def plain(n: int) -> None:
        for _ in range(n):
            messages.create(**arguments)

    return plain
