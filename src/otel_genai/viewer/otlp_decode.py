"""Turn the bytes of an OTLP/HTTP request into the official protobuf request messages.

OTLP/HTTP carries either binary protobuf or OTLP/JSON, optionally gzip-compressed.
OTLP/JSON is proto3 JSON with two twists that ``json_format`` does not know about:
trace and span ids are hex strings (proto3 JSON would use base64), and keys may be
lowerCamelCase or the original field names. Enums as integers and int64 as strings or
numbers are accepted by ``json_format`` as they are.
"""

from __future__ import annotations

import base64
import json
import zlib
from typing import Any, Literal

from google.protobuf import json_format
from google.protobuf.message import DecodeError, Message
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import (
    ExportLogsServiceRequest,
    ExportLogsServiceResponse,
)
from opentelemetry.proto.collector.metrics.v1.metrics_service_pb2 import (
    ExportMetricsServiceRequest,
    ExportMetricsServiceResponse,
)
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)

Signal = Literal["traces", "metrics", "logs"]

REQUEST_TYPES: dict[Signal, type[Message]] = {
    "traces": ExportTraceServiceRequest,
    "metrics": ExportMetricsServiceRequest,
    "logs": ExportLogsServiceRequest,
}
RESPONSE_TYPES: dict[Signal, type[Message]] = {
    "traces": ExportTraceServiceResponse,
    "metrics": ExportMetricsServiceResponse,
    "logs": ExportLogsServiceResponse,
}

# The only bytes fields in the OTLP data model, in both spellings OTLP/JSON allows.
_HEX_ID_KEYS = frozenset({"traceId", "spanId", "parentSpanId", "trace_id", "span_id", "parent_span_id"})


class MalformedRequest(ValueError):
    """The body is not a valid OTLP request of the expected signal (answered with 400)."""


class RequestTooLarge(ValueError):
    """The body, or what it decompresses to, exceeds the configured limit (answered with 413)."""


def decompress(body: bytes, content_encoding: str, limit: int) -> bytes:
    """Undo ``Content-Encoding`` while never inflating more than ``limit`` bytes.

    The cap matters: a few kilobytes of gzip can expand to gigabytes.
    """
    encoding = content_encoding.strip().lower()
    if encoding in ("", "identity"):
        if len(body) > limit:
            raise RequestTooLarge(f"request body exceeds {limit} bytes")
        return body
    if encoding not in ("gzip", "x-gzip", "deflate"):
        raise MalformedRequest(f"unsupported Content-Encoding {content_encoding!r}")
    # wbits 47 accepts both gzip and zlib headers.
    inflater = zlib.decompressobj(47 if encoding != "deflate" else 15)
    try:
        out = inflater.decompress(body, limit + 1)
    except zlib.error as exc:
        raise MalformedRequest(f"invalid {encoding} body: {exc}") from exc
    if len(out) > limit or inflater.unconsumed_tail:
        raise RequestTooLarge(f"decompressed request body exceeds {limit} bytes")
    if not inflater.eof:
        raise MalformedRequest(f"truncated {encoding} body")
    return out


def parse_request(signal: Signal, payload: bytes, encoding: Literal["protobuf", "json"]) -> Message:
    """Parse an export request of ``signal`` from protobuf or OTLP/JSON bytes."""
    message = REQUEST_TYPES[signal]()
    if encoding == "protobuf":
        try:
            message.ParseFromString(payload)
        except DecodeError as exc:
            raise MalformedRequest(f"invalid protobuf {signal} request: {exc}") from exc
        return message
    if not payload.strip():
        return message  # an empty body is an empty request, as in protobuf
    try:
        document = json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MalformedRequest(f"invalid JSON: {exc}") from exc
    if not isinstance(document, dict):
        raise MalformedRequest("an OTLP/JSON request must be a JSON object")
    try:
        json_format.ParseDict(_hex_ids_to_base64(document), message, ignore_unknown_fields=True)
    except (json_format.ParseError, TypeError, ValueError) as exc:
        raise MalformedRequest(f"invalid OTLP/JSON {signal} request: {exc}") from exc
    return message


def encode_response(signal: Signal, encoding: Literal["protobuf", "json"]) -> bytes:
    """An empty (fully successful) export response in the request's encoding."""
    if encoding == "json":
        return b"{}"
    return RESPONSE_TYPES[signal]().SerializeToString()


def _hex_ids_to_base64(node: Any) -> Any:
    """Rewrite OTLP/JSON hex ids into the base64 that proto3 JSON expects for bytes."""
    if isinstance(node, dict):
        out = {}
        for key, value in node.items():
            if key in _HEX_ID_KEYS and isinstance(value, str):
                out[key] = _hex_to_base64(key, value)
            else:
                out[key] = _hex_ids_to_base64(value)
        return out
    if isinstance(node, list):
        return [_hex_ids_to_base64(item) for item in node]
    return node


def _hex_to_base64(key: str, value: str) -> str:
    try:
        raw = bytes.fromhex(value)
    except ValueError as exc:
        raise MalformedRequest(f"{key} must be a hex string, got {value[:40]!r}") from exc
    return base64.b64encode(raw).decode("ascii")


__all__ = [
    "MalformedRequest",
    "RequestTooLarge",
    "Signal",
    "decompress",
    "encode_response",
    "parse_request",
]
