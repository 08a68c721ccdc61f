"""Identifiers shaped like the ones the Anthropic API hands out.

Message and tool-use ids are derived from the app's serial numbers: the same
run of requests against a fresh server gets the same ids, and no id repeats
within one server's life.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

from otel_genai.mock_openai.pipeline.state import KeyedCounter

# Anthropic's ids use a base58-like alphabet: letters and digits without 0, O, I and l.
_ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _encoded(seed: bytes, length: int) -> str:
    number = int.from_bytes(hashlib.sha256(seed).digest(), "big")
    characters = []
    for _ in range(length):
        number, digit = divmod(number, len(_ALPHABET))
        characters.append(_ALPHABET[digit])
    return "".join(characters)


def message_id(serials: KeyedCounter) -> str:
    """``msg_01`` and 22 characters, as the Messages API uses."""
    return "msg_01" + _encoded(f"msg:{serials.next_number('msg')}".encode(), 22)


def tool_use_id(serials: KeyedCounter) -> str:
    """``toolu_01`` and 22 characters (``tool_use`` blocks)."""
    return "toolu_01" + _encoded(f"toolu:{serials.next_number('toolu')}".encode(), 22)


def request_id() -> str:
    """The ``request-id`` response header value: ``req_011C`` and 20 characters (fresh every time, as logs need)."""
    return "req_011C" + _encoded(secrets.token_bytes(16), 20)


def thinking_signature(thinking: str) -> str:
    """An opaque, base64 signature over a thinking block, as long as the real ones."""
    digest = hashlib.sha512(thinking.encode()).digest()
    return base64.b64encode(b"\x12\xb5\x01" + digest + hashlib.sha512(digest).digest()[:48]).decode("ascii")
