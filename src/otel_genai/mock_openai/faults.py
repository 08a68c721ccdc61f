"""Damage a well-formed payload the ways the body-fault scenarios ask for.

Each fault works on any endpoint's payload (and on each event of a stream):
the lists it targets are ``choices`` (chat, completions), ``data``
(embeddings) and ``output`` (Responses), wherever they are present.
"""

from __future__ import annotations

import json
from collections.abc import Set
from typing import Any

_LIST_KEYS = ("choices", "data", "output")
_DROPPED_FIELDS = ("id", "model", "usage")


def damage_payload(payload: dict[str, Any], faults: Set[str]) -> dict[str, Any]:
    """A copy of *payload* with the structural *faults* applied (``malformed-json`` is textual)."""
    damaged = json.loads(json.dumps(payload))
    _damage(damaged, faults)
    return damaged


def malformed_json(text: str) -> str:
    """Cut serialized JSON in half, so it no longer parses."""
    return text[: max(1, len(text) // 2)]


def _damage(payload: dict[str, Any], faults: Set[str]) -> None:
    nested = payload.get("response")
    if isinstance(nested, dict):
        # Responses API stream events carry the response object one level down.
        _damage(nested, faults)
    if "empty-choices" in faults:
        for key in _LIST_KEYS:
            if isinstance(payload.get(key), list):
                payload[key] = []
    if "missing-fields" in faults:
        for key in _DROPPED_FIELDS:
            payload.pop(key, None)
        for choice in payload.get("choices") or ():
            if isinstance(choice, dict):
                choice.pop("finish_reason", None)
    if "wrong-types" in faults:
        _retype(payload)


def _retype(payload: dict[str, Any]) -> None:
    usage = payload.get("usage")
    if isinstance(usage, dict):
        payload["usage"] = _stringify_numbers(usage)
    for key in _LIST_KEYS:
        items = payload.get(key)
        if isinstance(items, list):
            payload[key] = {str(index): item for index, item in enumerate(items)}
    for key in ("created", "created_at"):
        if isinstance(payload.get(key), int):
            payload[key] = str(payload[key])
    if isinstance(payload.get("id"), str):
        payload["id"] = len(payload["id"])


def _stringify_numbers(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _stringify_numbers(item) for key, item in value.items()}
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value
