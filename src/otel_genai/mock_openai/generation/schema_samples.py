"""Plausible sample values for JSON Schemas: tool-call arguments and structured outputs."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

# Deeply nested or self-referencing schemas stop here rather than recurse forever.
_MAX_DEPTH = 8

_PLACE_HINTS = ("location", "city", "place", "destination")


def sample_arguments(parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """An object filling each *required* property of an object schema (tool ``parameters``)."""
    if not isinstance(parameters, Mapping):
        return {}
    sample = sample_value(parameters, name="", root=parameters)
    return sample if isinstance(sample, dict) else {}


def sample_value(schema: Mapping[str, Any], *, name: str, root: Mapping[str, Any], depth: int = 0) -> Any:
    """A value conforming to *schema*; *name* is the property it fills, used to pick a fitting string."""
    if depth > _MAX_DEPTH or not isinstance(schema, Mapping):
        return None
    if "$ref" in schema:
        return sample_value(_resolve(schema["$ref"], root), name=name, root=root, depth=depth + 1)
    if "const" in schema:
        return schema["const"]
    enum = schema.get("enum")
    if isinstance(enum, list) and enum:
        return enum[0]
    for combinator in ("anyOf", "oneOf", "allOf"):
        options = schema.get(combinator)
        if isinstance(options, list) and options:
            return sample_value(_first_non_null(options), name=name, root=root, depth=depth + 1)
    kind = _schema_type(schema)
    if kind == "object":
        return _sample_object(schema, root, depth)
    if kind == "array":
        items = schema.get("items")
        if not isinstance(items, Mapping):
            return []
        return [sample_value(items, name=name, root=root, depth=depth + 1)]
    if kind in ("number", "integer"):
        return 1
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return _sample_string(name, schema)


def _sample_object(schema: Mapping[str, Any], root: Mapping[str, Any], depth: int) -> dict[str, Any]:
    properties = schema.get("properties")
    if not isinstance(properties, Mapping):
        return {}
    required = schema.get("required")
    names = [n for n in required if n in properties] if isinstance(required, list) else []
    return {n: sample_value(properties[n], name=n, root=root, depth=depth + 1) for n in names}


def _sample_string(name: str, schema: Mapping[str, Any]) -> str:
    lowered = name.lower()
    if any(hint in lowered for hint in _PLACE_HINTS):
        return "Paris"
    fmt = schema.get("format")
    if fmt == "date":
        return "2025-01-01"
    if fmt == "date-time":
        return "2025-01-01T12:00:00Z"
    if fmt == "email":
        return "user@example.com"
    if fmt in ("uri", "url"):
        return "https://example.com"
    return "sample"


def _schema_type(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if isinstance(kind, str):
        return kind
    # Untyped schemas that still declare properties are objects in practice.
    return "object" if "properties" in schema else "string"


def _first_non_null(options: list[Any]) -> Mapping[str, Any]:
    for option in options:
        if isinstance(option, Mapping) and option.get("type") != "null":
            return option
    return options[0] if isinstance(options[0], Mapping) else {}


def _resolve(ref: object, root: Mapping[str, Any]) -> Mapping[str, Any]:
    # Only local references ("#/$defs/Name") appear in OpenAI tool and response schemas.
    if not isinstance(ref, str) or not ref.startswith("#/"):
        return {}
    node: Any = root
    for part in ref[2:].split("/"):
        if not isinstance(node, Mapping):
            return {}
        node = node.get(part.replace("~1", "/").replace("~0", "~"))
    return node if isinstance(node, Mapping) else {}
