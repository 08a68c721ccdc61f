"""Which provider and server a client talks to: ``gen_ai.provider.name``, ``server.*``.

Read from the client's base URL and class, once per client and base URL (the hot
path only compares the URL object it already saw).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from otel_genai import semconv

_DEFAULT_PORTS = {"https": 443, "http": 80}


@dataclass(frozen=True, slots=True)
class Endpoint:
    provider: str
    address: str | None
    port: int | None


_UNKNOWN = Endpoint(semconv.PROVIDER_OPENAI, None, None)
_cache: weakref.WeakKeyDictionary[Any, tuple[Any, Endpoint]] = weakref.WeakKeyDictionary()


def _is_azure(client: Any, host: str | None) -> bool:
    for cls in type(client).__mro__:
        if cls.__name__ in ("AzureOpenAI", "AsyncAzureOpenAI", "BaseAzureClient"):
            return True
    return host is not None and host.endswith((".openai.azure.com", ".cognitiveservices.azure.com"))


def _read(client: Any, base_url: Any) -> Endpoint:
    host = getattr(base_url, "host", None) or None
    port = getattr(base_url, "port", None)
    if port is None:
        port = _DEFAULT_PORTS.get(getattr(base_url, "scheme", ""))
    provider = semconv.PROVIDER_AZURE_OPENAI if _is_azure(client, host) else semconv.PROVIDER_OPENAI
    return Endpoint(provider, host, port if host else None)


def endpoint_of(resource: Any) -> Endpoint:
    """The endpoint of an API resource (``client.chat.completions`` ...)."""
    client = getattr(resource, "_client", None)
    if client is None:
        return _UNKNOWN
    base_url = getattr(client, "base_url", None)
    try:
        seen = _cache.get(client)
    except TypeError:  # a client that cannot be weakly referenced
        return _read(client, base_url)
    if seen is not None and seen[0] is base_url:
        return seen[1]
    endpoint = _read(client, base_url)
    _cache[client] = (base_url, endpoint)
    return endpoint
