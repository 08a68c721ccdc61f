"""Turn handler results into HTTP responses, applying the scenario's wire-level faults.

Handlers return a :class:`JSONReply` or a :class:`StreamReply`; this module
serializes them as the route's :class:`Dialect` lays them out (JSON bodies,
compact SSE events), adds its response headers, and on the way damages, slows,
cuts or aborts the output as the request's scenario asks.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import zip_longest
from typing import Any, TypeVar

from starlette.responses import PlainTextResponse, Response, StreamingResponse

from otel_genai.mock_openai.faults.damage import damage_payload, malformed_json
from otel_genai.mock_openai.faults.scenarios import Scenario
from otel_genai.mock_openai.pipeline.dialect import Dialect
from otel_genai.mock_openai.pipeline.errors import MockAPIError

T = TypeVar("T")
_RETRYABLE = frozenset({408, 409, 429})
SSE_CONTENT_TYPE = "text/event-stream; charset=utf-8"


class StreamReset(Exception):
    """Raised inside a stream body on purpose, so the server drops the connection mid-response."""


@dataclass(frozen=True)
class JSONReply:
    """A successful JSON body (errors travel as :class:`~otel_genai.mock_openai.pipeline.errors.MockAPIError`)."""

    body: Mapping[str, Any]


@dataclass(frozen=True)
class StreamEvent:
    """One server-sent event; a ``None`` payload is the ``[DONE]`` sentinel."""

    payload: Mapping[str, Any] | None
    name: str | None = None


DONE = StreamEvent(None)


@dataclass(frozen=True)
class StreamReply:
    """The full event sequence of a streamed response, sentinel included where the API sends one."""

    events: Sequence[StreamEvent]


Reply = JSONReply | StreamReply


def elapsed_ms(started: float) -> int:
    """Milliseconds since *started* (a ``time.monotonic()``), at least 1: a processing-time header's value."""
    return max(1, round((time.monotonic() - started) * 1000))


def render_reply(reply: Reply, dialect: Dialect, scenario: Scenario, started: float) -> Response:
    """The HTTP response for a successful handler result."""
    headers = dialect.response_headers(started)
    if isinstance(reply, JSONReply):
        body = _serialize(reply.body, dialect, scenario, indent=dialect.json_indent)
        return Response(body, media_type="application/json", headers=headers)
    if scenario.cut_after is not None:
        # A cut stream also ends the connection, as a failing proxy would.
        headers["connection"] = "close"
    body_stream = _stream_body(reply.events, dialect, scenario)
    media_type = SSE_CONTENT_TYPE if dialect.stream_framing is None else dialect.stream_framing.media_type
    return StreamingResponse(body_stream, media_type=media_type, headers=headers)


def render_error(error: MockAPIError, dialect: Dialect, scenario: Scenario, started: float) -> Response:
    """The HTTP response for an error, with a retry hint when the client would retry."""
    headers = dialect.response_headers(started) | error.headers() | _retry_headers(error.status, scenario)
    body = json.dumps(error.body(), indent=dialect.json_indent, ensure_ascii=False)
    return Response(body, status_code=error.status, media_type="application/json", headers=headers)


def render_bodiless_error(status: int, dialect: Dialect, scenario: Scenario, started: float) -> Response:
    """An error status whose body is plain text, as a load balancer in front of the API might send."""
    headers = dialect.response_headers(started) | _retry_headers(status, scenario)
    return PlainTextResponse(f"upstream error {status}", status_code=status, headers=headers)


def _retry_headers(status: int, scenario: Scenario) -> dict[str, str]:
    if scenario.retry_after_ms and (status in _RETRYABLE or status >= 500):
        return {"retry-after-ms": str(scenario.retry_after_ms)}
    return {}


def _serialize(payload: Mapping[str, Any], dialect: Dialect, scenario: Scenario, *, indent: int | None) -> bytes:
    if scenario.body_faults:
        payload = damage_payload(dict(payload), scenario.body_faults, dialect.payload_shape)
    separators = None if indent else (",", ":")
    text = json.dumps(payload, indent=indent, separators=separators, ensure_ascii=False)
    if "malformed-json" in scenario.body_faults:
        text = malformed_json(text)
    return text.encode()


def _encode_event(event: StreamEvent, dialect: Dialect, scenario: Scenario) -> bytes:
    data = b"[DONE]" if event.payload is None else _serialize(event.payload, dialect, scenario, indent=None)
    if dialect.stream_framing is not None:
        return dialect.stream_framing.frame(event.name, data)
    prefix = f"event: {event.name}\n".encode() if event.name else b""
    return prefix + b"data: " + data + b"\n\n"


async def _stream_body(events: Sequence[StreamEvent], dialect: Dialect, scenario: Scenario) -> AsyncIterator[bytes]:
    # The last event is never sent whole by a cut or reset stream, so the client
    # can not mistake the damaged stream for a complete one.
    last = max(len(events) - 1, 0)
    cut_at = None if scenario.cut_after is None else min(scenario.cut_after, last)
    reset_at = None if scenario.reset_after is None else min(scenario.reset_after, last)
    for index, event in enumerate(events):
        if index and scenario.slow_ms:
            await asyncio.sleep(scenario.slow_ms / 1000)
        if scenario.stall_after is not None and index >= scenario.stall_after:
            await asyncio.Event().wait()  # until Starlette cancels the body: the client disconnected
        if reset_at is not None and index >= reset_at:
            raise StreamReset(f"x-mock-scenario reset the stream after {index} events")
        encoded = _encode_event(event, dialect, scenario)
        if cut_at is not None and index >= cut_at:
            yield encoded[: len(encoded) // 2]
            return
        yield encoded


def interleave(sequences: Sequence[Sequence[T]]) -> list[tuple[int, T]]:
    """``(position, item)`` pairs taking one item of each sequence in turn, as parallel choices stream.

    Items must not be None: None marks a sequence that has run out.
    """
    rounds = zip_longest(*sequences)
    return [(position, item) for row in rounds for position, item in enumerate(row) if item is not None]


def broken_off(events: Sequence[StreamEvent], error: Mapping[str, Any], name: str | None = None) -> list[StreamEvent]:
    """The first half of *events*, then the *error* event (called *name*): generation failed mid-stream."""
    return [*events[: max(1, len(events) // 2)], StreamEvent(error, name=name)]
