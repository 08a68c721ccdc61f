"""The one exception every handler raises for an error response, whatever API it speaks."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class MockAPIError(Exception):
    """An error response: HTTP *status* and the JSON *body* the API sends with it.

    Each API builds its own bodies (see its ``errors`` module); the request path
    only renders them.
    """

    def __init__(self, status: int, message: str, body: Mapping[str, Any]) -> None:
        super().__init__(message)
        self.status = status
        self._body = dict(body)

    def body(self) -> dict[str, Any]:
        """The JSON error body."""
        return dict(self._body)

    def headers(self) -> dict[str, str]:
        """Response headers the error sets itself (an id its body repeats, say)."""
        return {}
