"""Reading attribute values defensively: producers send numbers as strings, lists as JSON."""

from __future__ import annotations

import json
from typing import Any

dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str).encode


def as_int(value: Any) -> int | None:
    """An integer from an int, a float or a digit string; None otherwise (booleans too)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value)
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def as_text(value: Any) -> str | None:
    """A non-empty string (structured values as compact JSON); None for nothing."""
    if value is None or value == "":
        return None
    return value if isinstance(value, str) else dumps(value)


def as_seconds(value: Any) -> float | None:
    """A number of seconds, or None."""
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def string_list(value: Any) -> list[str]:
    """A list of strings from a list, a JSON list or one string."""
    if isinstance(value, str) and value.startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            return [value]
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None and v != ""]
    return [str(value)] if value not in (None, "") else []
