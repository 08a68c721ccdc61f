"""Anthropic's server-sent events, as recorded or served: the event names with their JSON payloads."""

from __future__ import annotations

import json
from typing import Any


def sse_events(text: str) -> list[tuple[str, dict[str, Any]]]:
    """Each ``event:`` of an SSE body with its decoded ``data:``, in order."""
    events = []
    for block in text.split("\n\n"):
        lines = dict(line.split(": ", 1) for line in block.strip().split("\n") if ": " in line)
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events
