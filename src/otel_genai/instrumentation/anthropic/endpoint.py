"""Which provider and server an Anthropic client talks to: ``gen_ai.provider.name``, ``server.*``.

The provider comes from the client's class: ``AnthropicBedrock`` is ``aws.bedrock``,
``AnthropicVertex`` is ``gcp.vertex_ai``, every other client ``anthropic``; the override given
to ``instrument(provider_name=...)`` (or ``OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME``) wins.
The server is the host and port of the client's base URL. Read once per client and base URL.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from otel_genai import semconv
from otel_genai.instrumentation.client_memo import PerClient
from otel_genai.instrumentation.fields import server_of

# Base classes of the cloud clients, by name: older client versions have the same names.
_CLOUD_CLIENT_BASES = {
    "BaseBedrockClient": semconv.PROVIDER_AWS_BEDROCK,
    "BaseVertexClient": semconv.PROVIDER_GCP_VERTEX_AI,
}


@dataclass(frozen=True, slots=True)
class Endpoint:
    provider: str
    address: str | None
    port: int | None


def _provider_of(client: Any) -> str:
    for cls in type(client).__mro__:
        provider = _CLOUD_CLIENT_BASES.get(cls.__name__)
        if provider is not None:
            return provider
    return semconv.PROVIDER_ANTHROPIC


class Endpoints:
    """The endpoints of the clients one instrumentation sees, with the user's override."""

    def __init__(self, provider_name: str | None = None) -> None:
        self.provider_name = provider_name
        self._seen = PerClient(self._read)

    def _read(self, client: Any, base_url: Any) -> Endpoint:
        host, port = server_of(base_url)
        provider = self.provider_name or _provider_of(client)
        return Endpoint(provider, host, port)

    def of(self, client: Any) -> Endpoint:
        return self._seen.get(client)
