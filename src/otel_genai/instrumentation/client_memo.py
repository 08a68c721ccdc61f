"""What a provider folder reads once per client: its endpoint, kept until the base URL changes.

Clients are seen weakly (a client that goes is forgotten); the hot path only compares the
base URL object it saw. Shared by the providers whose clients carry a ``base_url``.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class PerClient(Generic[T]):
    """``read(client, base_url)`` once per client and base URL."""

    def __init__(self, read: Callable[[Any, Any], T]) -> None:
        self._read = read
        self._seen: weakref.WeakKeyDictionary[Any, tuple[Any, T]] = weakref.WeakKeyDictionary()

    def get(self, client: Any) -> T:
        # The private attribute first: some clients' public property does work on every read.
        base_url = getattr(client, "_base_url", None) or getattr(client, "base_url", None)
        try:
            seen = self._seen.get(client)
        except TypeError:  # a client that cannot be weakly referenced
            return self._read(client, base_url)
        if seen is not None and seen[0] is base_url:
            return seen[1]
        value = self._read(client, base_url)
        self._seen[client] = (base_url, value)
        return value
