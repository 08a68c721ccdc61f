"""A loopback HTTP server that answers with recorded responses, in order."""

from __future__ import annotations

import json
import threading
from typing import Any

from cassettes import Interaction
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


class ReplayApp:
    """Serves queued interactions; records what the client actually sent."""

    def __init__(self) -> None:
        self._queue: list[Interaction] = []
        self._lock = threading.Lock()
        self.received: list[tuple[str, str, Any]] = []
        self.base_url = ""  # set by whoever serves the app
        self.app = Starlette(routes=[Route("/{path:path}", self._answer, methods=["GET", "POST", "DELETE"])])

    def load(self, interactions: list[Interaction]) -> None:
        with self._lock:
            self._queue = list(interactions)
            self.received = []

    async def _answer(self, request: Request) -> Response:
        body = await request.body()
        with self._lock:
            self.received.append((request.method, request.url.path.lstrip("/"), json.loads(body) if body else None))
            if not self._queue:
                return Response('{"error": {"message": "no recorded interaction left"}}', status_code=599)
            interaction = self._queue.pop(0)
        return Response(interaction.body, status_code=interaction.status, media_type=interaction.content_type)
