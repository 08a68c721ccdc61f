"""Damage a well-formed payload the ways the body-fault scenarios ask for.

Each fault works on any endpoint's payload (and on each event of a stream); a
:class:`PayloadShape` tells where an API keeps the parts a fault strikes.
"""

from __future__ import annotations

import json
from collections.abc import Set
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class PayloadShape:
    """Where an API's payloads keep what the body faults damage."""

    result_lists: tuple[str, ...]
    """Lists of results (``choices``, ``content``...): ``empty-choices`` empties them, ``wrong-types`` makes objects."""
    identity_fields: tuple[str, ...]
    """Fields ``missing-fields`` drops from a payload (id, model, usage, and a top-level stop reason)."""
    item_fields: tuple[str, ...] = ()
    """Fields ``missing-fields`` drops from each result-list item (a per-choice finish reason)."""
    nested_objects: tuple[str, ...] = ()
    """Keys holding an object one level down that is damaged the same way (stream events wrap one)."""
    timestamps: tuple[str, ...] = ()
    """Integer timestamps ``wrong-types`` turns into strings."""


def damage_payload(payload: dict[str, Any], faults: Set[str], shape: PayloadShape) -> dict[str, Any]:
    """A copy of *payload* with the structural *faults* applied (``malformed-json`` is textual)."""
    damaged = json.loads(json.dumps(payload))
    _damage(damaged, faults, shape)
    return damaged


def malformed_json(text: str) -> str:
    """Cut serialized JSON in half, so it no longer parses."""
    return text[: max(1, len(text) // 2)]


def _damage(payload: dict[str, Any], faults: Set[str], shape: PayloadShape) -> None:
    for key in shape.nested_objects:
        nested = payload.get(key)
        if isinstance(nested, dict):
            _damage(nested, faults, shape)
    if "empty-choices" in faults:
        for key in shape.result_lists:
            if isinstance(payload.get(key), list):
                payload[key] = []
    if "missing-fields" in faults:
        for key in shape.identity_fields:
            payload.pop(key, None)
        for key in shape.result_lists:
            for item in payload.get(key) or ():
                if isinstance(item, dict):
                    for field in shape.item_fields:
                        item.pop(field, None)
    if "wrong-types" in faults:
        _retype(payload, shape)


def _retype(payload: dict[str, Any], shape: PayloadShape) -> None:
    usage = payload.get("usage")
    if isinstance(usage, dict):
        payload["usage"] = _stringify_numbers(usage)
    for key in shape.result_lists:
        items = payload.get(key)
        if isinstance(items, list):
            payload[key] = {str(index): item for index, item in enumerate(items)}
    for key in shape.timestamps:
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
