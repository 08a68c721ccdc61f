"""Anthropic's Messages API as Amazon Bedrock serves it.

``POST /model/{model}/invoke`` answers with the message JSON;
``/invoke-with-response-stream`` sends the same events as ``/v1/messages`` does,
each base64-encoded in a ``chunk`` frame of Amazon's binary event stream
(``application/vnd.amazon.eventstream``: a length prelude with its CRC32,
typed headers, the payload, and a CRC32 of the whole frame). Errors are
Bedrock's: ``{"message": ...}`` with the exception named in ``x-amzn-ErrorType``.
"""

from __future__ import annotations

import base64
import json
import struct
import time
import uuid
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Any

from otel_genai.mock_openai.anthropic.dialect import ANTHROPIC
from otel_genai.mock_openai.anthropic.errors import AnthropicError
from otel_genai.mock_openai.anthropic.messages import create_cloud_message
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.dialect import StreamFraming
from otel_genai.mock_openai.pipeline.errors import MockAPIError
from otel_genai.mock_openai.pipeline.wire import Reply, StreamEvent, StreamReply, elapsed_ms

PLATFORM = "bedrock"

_EXCEPTIONS: dict[int, tuple[str, str]] = {
    400: ("ValidationException", "Malformed input request, please reformat your input and try again."),
    403: ("AccessDeniedException", "You don't have access to the model with the specified model ID."),
    404: ("ResourceNotFoundException", "The requested resource could not be found."),
    408: ("ModelTimeoutException", "Model has timed out in processing the request."),
    424: ("ModelErrorException", "The model failed to process the request."),
    429: ("ThrottlingException", "Too many requests, please wait before trying again."),
    500: ("InternalServerException", "The server encountered an internal error."),
    503: ("ServiceUnavailableException", "Bedrock is unable to process your request."),
}
_STRING_HEADER = 7


class BedrockError(MockAPIError):
    """An error response with Bedrock's body and ``x-amzn-ErrorType`` header."""

    def __init__(self, status: int, message: str | None = None) -> None:
        fallback = ("InternalServerException" if status >= 500 else "ValidationException", f"Mock error {status}.")
        self.exception, default_message = _EXCEPTIONS.get(status, fallback)
        text = message or default_message
        super().__init__(status, text, {"message": text})

    def headers(self) -> dict[str, str]:
        """The exception's name, as Amazon's services report it."""
        return {"x-amzn-ErrorType": f"{self.exception}:http://internal.amazon.com/coral/com.amazon.bedrock/"}


def create_bedrock_message(body: Mapping[str, Any], ctx: RequestContext, *, stream: bool) -> Reply:
    """Handle ``invoke`` (*stream* False) or ``invoke-with-response-stream``."""
    started = time.monotonic()
    try:
        reply = create_cloud_message(body, ctx, stream=stream)
    except AnthropicError as exc:
        raise BedrockError(exc.status, str(exc)) from None
    if isinstance(reply, StreamReply):
        return StreamReply(_with_invocation_metrics(reply.events, elapsed_ms(started)))
    return reply


def _with_invocation_metrics(events: Sequence[StreamEvent], latency_ms: int) -> list[StreamEvent]:
    # Bedrock adds its own counts to the closing event (a stream broken off has none).
    payloads = {event.name: event.payload for event in events if event.payload is not None}
    if not events or events[-1].name != "message_stop":
        return list(events)
    metrics = {
        "inputTokenCount": payloads["message_start"]["message"]["usage"]["input_tokens"],
        "outputTokenCount": payloads["message_delta"]["usage"]["output_tokens"],
        "invocationLatency": latency_ms,
        "firstByteLatency": latency_ms,
    }
    closing = StreamEvent({"type": "message_stop", "amazon-bedrock-invocationMetrics": metrics}, name="message_stop")
    return [*events[:-1], closing]


def event_stream_frame(headers: Mapping[str, str], payload: bytes) -> bytes:
    """One frame of Amazon's binary event stream, carrying string *headers* and *payload*."""
    encoded = b"".join(
        bytes([len(name.encode())])
        + name.encode()
        + bytes([_STRING_HEADER])
        + struct.pack(">H", len(value.encode()))
        + value.encode()
        for name, value in headers.items()
    )
    prelude = struct.pack(">II", 12 + len(encoded) + len(payload) + 4, len(encoded))
    message = prelude + struct.pack(">I", zlib.crc32(prelude)) + encoded + payload
    return message + struct.pack(">I", zlib.crc32(message))


def _frame(name: str | None, data: bytes) -> bytes:
    if name == "error":
        try:
            message = str(json.loads(data)["error"]["message"])
        except (ValueError, KeyError, TypeError):
            message = data.decode(errors="replace")
        headers = {
            ":message-type": "exception",
            ":exception-type": "modelStreamErrorException",
            ":content-type": "application/json",
        }
        return event_stream_frame(headers, json.dumps({"message": message}).encode())
    chunk = json.dumps({"bytes": base64.b64encode(data).decode("ascii")}).encode()
    headers = {":event-type": "chunk", ":content-type": "application/json", ":message-type": "event"}
    return event_stream_frame(headers, chunk)


def response_headers(started: float) -> dict[str, str]:
    """Headers every Bedrock runtime response carries."""
    return {"x-amzn-requestid": str(uuid.uuid4()), "x-amzn-bedrock-invocation-latency": str(elapsed_ms(started))}


def check_access(headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    """Refuse an unsigned request (403), as Amazon's endpoints do."""
    del query
    if not headers.get("authorization"):
        raise BedrockError(403, "Missing Authentication Token")


BEDROCK = replace(
    ANTHROPIC,
    name=PLATFORM,
    error_for_status=BedrockError,
    bad_header=lambda header, message: BedrockError(400, f"{header}: {message}"),
    unparsable_body=lambda: BedrockError(400),
    response_headers=response_headers,
    access_check=check_access,
    stream_framing=StreamFraming(media_type="application/vnd.amazon.eventstream", frame=_frame),
)
