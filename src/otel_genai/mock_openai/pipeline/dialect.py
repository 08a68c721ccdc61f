"""What the common request path needs to know about the API a route speaks.

The pipeline parses scenarios, imposes faults and renders replies the same way
for every API; a :class:`Dialect` supplies the parts that differ: error bodies,
response headers, JSON layout, and where body faults strike.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from otel_genai.mock_openai.faults.damage import PayloadShape
from otel_genai.mock_openai.pipeline.errors import MockAPIError


@dataclass(frozen=True)
class Dialect:
    """One API's error bodies, headers and payload layout."""

    name: str
    error_for_status: Callable[[int], MockAPIError]
    """The error the API typically sends with a status (forced by ``x-mock-scenario``)."""
    bad_header: Callable[[str, str], MockAPIError]
    """A 400 for a bad ``x-mock-*`` header: (header name, message)."""
    unparsable_body: Callable[[], MockAPIError]
    """A 400 for a body that is not a JSON object."""
    response_headers: Callable[[float], dict[str, str]]
    """The headers every response carries, given the ``time.monotonic()`` the request arrived at."""
    payload_shape: PayloadShape
    json_indent: int | None
    """How the API lays out non-streamed JSON bodies (None: compact)."""
    access_check: Callable[[Mapping[str, str], Mapping[str, str]], None] | None = None
    """Raises :class:`MockAPIError` for a request the API refuses before reading it (headers, query)."""
    stream_framing: StreamFraming | None = None
    """How stream events travel; None for server-sent events."""


@dataclass(frozen=True)
class StreamFraming:
    """A stream encoding other than server-sent events (Amazon's binary event stream, say)."""

    media_type: str
    frame: Callable[[str | None, bytes], bytes]
    """The bytes that carry one event: (event name, its serialized JSON) -> frame."""
