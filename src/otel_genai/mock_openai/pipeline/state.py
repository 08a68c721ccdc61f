"""State one mock app keeps between requests: counters, stored responses and cached prompt prefixes."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any


class KeyedCounter:
    """Counts per key, from 1: ``fail-times`` attempts, or the serial numbers ids are derived from."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}

    def next_number(self, key: str) -> int:
        """Count one more for *key*; return its number, starting at 1."""
        with self._lock:
            number = self._counts.get(key, 0) + 1
            self._counts[key] = number
            return number

    def clear(self) -> None:
        """Forget all counts."""
        with self._lock:
            self._counts.clear()


class ResponseStore:
    """Responses API objects by id, for ``GET /v1/responses/{id}`` and ``previous_response_id``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._responses: dict[str, dict[str, Any]] = {}

    def put(self, response: Mapping[str, Any]) -> None:
        """Store *response* under its ``id``."""
        with self._lock:
            self._responses[str(response["id"])] = dict(response)

    def get(self, response_id: str) -> dict[str, Any] | None:
        """The stored response, or None."""
        with self._lock:
            return self._responses.get(response_id)


class PromptCache:
    """Keys of the prompt prefixes cached so far (prompt caching reads what an earlier request wrote)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: set[str] = set()

    def holds(self, key: str) -> bool:
        """True when the prefix *key* was cached before."""
        with self._lock:
            return key in self._keys

    def add(self, key: str) -> None:
        """Cache the prefix *key*."""
        with self._lock:
            self._keys.add(key)


@dataclass
class MockState:
    """Everything mutable behind one app instance."""

    attempts: KeyedCounter = field(default_factory=KeyedCounter)
    serials: KeyedCounter = field(default_factory=KeyedCounter)
    responses: ResponseStore = field(default_factory=ResponseStore)
    prompt_cache: PromptCache = field(default_factory=PromptCache)
