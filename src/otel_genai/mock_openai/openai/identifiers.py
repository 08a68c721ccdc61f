"""Identifiers shaped like the ones the OpenAI API hands out.

Ids are random on purpose: real ids never repeat, and telemetry code that keys
anything on them should be exercised with fresh values on every call.
"""

from __future__ import annotations

import secrets
import string

_ALPHANUMERIC = string.ascii_letters + string.digits


def _alphanumeric(length: int) -> str:
    return "".join(secrets.choice(_ALPHANUMERIC) for _ in range(length))


def chat_completion_id() -> str:
    """``chatcmpl-`` followed by 29 alphanumerics, as Chat Completions uses."""
    return "chatcmpl-" + _alphanumeric(29)


def text_completion_id() -> str:
    """``cmpl-`` followed by 29 alphanumerics, as the legacy Completions API uses."""
    return "cmpl-" + _alphanumeric(29)


def tool_call_id() -> str:
    """``call_`` followed by 24 alphanumerics (tool calls in both APIs)."""
    return "call_" + _alphanumeric(24)


def system_fingerprint() -> str:
    """``fp_`` followed by 10 hex digits."""
    return "fp_" + secrets.token_hex(5)


def request_id() -> str:
    """The ``x-request-id`` response header value: ``req_`` and 32 hex digits."""
    return "req_" + secrets.token_hex(16)


def response_object_id(prefix: str) -> str:
    """A Responses API id: *prefix* (``resp``, ``msg``, ``fc``, ``rs``, ``ws``), ``_`` and 48 hex digits."""
    return f"{prefix}_{secrets.token_hex(24)}"


def obfuscation_padding(delta: str) -> str:
    """The ``obfuscation`` field of streamed deltas: random filler that evens out payload lengths."""
    return _alphanumeric(max(1, 16 - len(delta)))
