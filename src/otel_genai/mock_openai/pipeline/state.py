"""State one mock app keeps between requests: stored responses and ``fail-times`` counters."""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from otel_genai.mock_openai.faults.scenarios import AttemptCounter


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


@dataclass
class MockState:
    """Everything mutable behind one app instance."""

    attempts: AttemptCounter = field(default_factory=AttemptCounter)
    responses: ResponseStore = field(default_factory=ResponseStore)
