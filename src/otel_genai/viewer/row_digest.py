"""Identities for rows that carry no id of their own, so that a retried export is recognised.

A span is known by its trace and span ids. A log record and a searchable text are not, so
each is known by a digest of everything it holds: an exporter that re-sends a request sends
the same bytes, which give the same digests, and the store keeps the first copy only.
"""

from __future__ import annotations

import hashlib
from typing import Any


def log_digest(row: tuple[Any, ...]) -> bytes:
    """The identity of a log row (all its columns, the trace id included)."""
    return hashlib.blake2b(repr(row).encode(), digest_size=16).digest()


def content_digest(span_id: str, text: str) -> bytes:
    """The identity of a searchable text within its trace."""
    return hashlib.blake2b(f"{span_id}\n{text}".encode(), digest_size=16).digest()
