"""The ``gen_ai.client.inference.operation.details`` event: the conventions' content as a log event.

A producer may split one call's details over several such events (the Node.js
instrumentation sends the input in one and the output in another), so they are merged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.viewer import genai_names as gn

SOURCE = f"{gn.DETAILS_EVENT} event"


def merged(log_events: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """The attributes of all details events of a span, in emission order; each key's first value kept."""
    found: dict[str, Any] | None = None
    for event in log_events:
        if event["event_name"] != gn.DETAILS_EVENT:
            continue
        found = {} if found is None else found
        for key, value in (event.get("attributes") or {}).items():
            if found.get(key) in (None, "", []):
                found[key] = value
    return found
