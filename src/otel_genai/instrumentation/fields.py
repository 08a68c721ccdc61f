"""Reading values out of client request arguments and response objects, defensively.

Requests hold dicts, TypedDicts, pydantic models or a client's ``NOT_GIVEN`` /
``omit`` sentinels; responses are pydantic models, or dicts when we read a raw body.
These readers accept all of them and return None for anything of the wrong type,
so a surprising value is skipped instead of raising.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

_DEFAULT_PORTS = {"https": 443, "http": 80}


def field(obj: Any, name: str) -> Any:
    """``obj[name]`` for mappings, ``obj.name`` otherwise; None when absent (or ``obj`` is None)."""
    # issubclass of the type, not isinstance: isinstance reads a model's __class__ through
    # its __getattr__ hook (pydantic), which made this reader cost twice as much (callgrind).
    if issubclass(type(obj), dict):
        return obj.get(name)
    return getattr(obj, name, None)


def string(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def integer(value: Any) -> int | None:
    """A plain int (not a bool, which Python counts as an int)."""
    return value if type(value) is int else None


def number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def boolean(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def string_list(value: Any) -> list[str] | None:
    """A string or a list of strings, as a list; None for anything else."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and value and all(isinstance(v, str) for v in value):
        return list(value)
    return None


def items(value: Any) -> list[Any]:
    """A list-like value as a list; anything else (sentinels, None, a dict) as empty."""
    if isinstance(value, (list, tuple)):
        return list(value)
    return []


def server_of(base_url: Any) -> tuple[str | None, int | None]:
    """The host and port of a client's base URL (an ``httpx.URL``-like object, or a string),
    the port from the scheme when the URL names none; (None, None) without a host."""
    if isinstance(base_url, str):
        try:
            parts = urlsplit(base_url)
            host, port, scheme = parts.hostname, parts.port, parts.scheme
        except ValueError:  # a port that is not a number
            return None, None
    else:
        host = getattr(base_url, "host", None)
        port = getattr(base_url, "port", None)
        scheme = getattr(base_url, "scheme", "")
    if not host:
        return None, None
    return host, port if port is not None else _DEFAULT_PORTS.get(scheme)
