"""Which provider and server a client talks to: ``gen_ai.provider.name``, ``server.*``.

The OpenAI client also talks to Azure OpenAI and to OpenAI-compatible servers. The
provider comes, in this order, from: the override given to ``instrument(provider_name=...)``
or ``OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME``; the client class (``AzureOpenAI``); the
base URL's host in :data:`KNOWN_HOSTS` (extended by ``instrument(provider_hosts=...)``);
else ``openai``, as the conventions ask of an OpenAI client pointed at an unknown host.

Read once per client and base URL: the hot path only compares the URL object it saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from otel_genai import semconv
from otel_genai.core.adapter import Operation
from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.client_memo import PerClient
from otel_genai.instrumentation.fields import server_of, string

#: Host (or host suffix, with a leading dot) -> provider name. Values are the conventions'
#: well-known ones where there is one; others are the service's own lower-case name.
KNOWN_HOSTS: Mapping[str, str] = {
    "api.openai.com": semconv.PROVIDER_OPENAI,
    ".openai.azure.com": semconv.PROVIDER_AZURE_OPENAI,
    ".cognitiveservices.azure.com": semconv.PROVIDER_AZURE_OPENAI,
    ".services.ai.azure.com": "azure.ai.inference",
    "models.inference.ai.azure.com": "azure.ai.inference",
    "api.groq.com": "groq",
    "api.deepseek.com": "deepseek",
    "api.x.ai": "x_ai",
    "api.mistral.ai": "mistral_ai",
    "api.perplexity.ai": "perplexity",
    "api.moonshot.ai": "moonshot_ai",
    "api.moonshot.cn": "moonshot_ai",
    "generativelanguage.googleapis.com": "gcp.gemini",
    "aiplatform.googleapis.com": "gcp.vertex_ai",
    ".aiplatform.googleapis.com": "gcp.vertex_ai",
    "api.anthropic.com": "anthropic",
    "api.cohere.ai": "cohere",
    "api.cohere.com": "cohere",
    "openrouter.ai": "openrouter",
    "api.together.xyz": "together_ai",
    "api.fireworks.ai": "fireworks_ai",
}
#: Local servers known by their default port on a loopback host.
KNOWN_LOCAL_PORTS: Mapping[int, str] = {11434: "ollama", 1234: "lm_studio"}
_LOOPBACK = {"localhost", "127.0.0.1", "::1", "[::1]", "0.0.0.0"}


@dataclass(frozen=True, slots=True)
class Endpoint:
    provider: str
    address: str | None
    port: int | None
    # Azure: the deployment named in the client's base URL (azure_deployment=...).
    deployment: str | None = None


_UNKNOWN = Endpoint(semconv.PROVIDER_OPENAI, None, None)


def provider_for_host(host: str | None, port: int | None, hosts: Mapping[str, str] | None = None) -> str | None:
    """The provider a host is known to be, or None."""
    if not host:
        return None
    host = host.lower()
    for table in (hosts or {}, KNOWN_HOSTS):
        if host in table:
            return table[host]
        for key, provider in table.items():
            if key.startswith(".") and host.endswith(key):
                return provider
    if host in _LOOPBACK and port is not None:
        return KNOWN_LOCAL_PORTS.get(port)
    return None


def _is_azure_client(client: Any) -> bool:
    return any(cls.__name__ in ("AzureOpenAI", "AsyncAzureOpenAI", "BaseAzureClient") for cls in type(client).__mro__)


def _deployment(base_url: Any) -> str | None:
    segments = str(getattr(base_url, "path", "") or "").strip("/").split("/")
    if "deployments" in segments:
        index = segments.index("deployments") + 1
        if index < len(segments) and segments[index]:
            return segments[index]
    return None


class Endpoints:
    """The endpoints of the clients one instrumentation sees, with the user's overrides.

    ``provider_name`` and ``hosts`` are what the user said at ``instrument()``.
    """

    def __init__(self, provider_name: str | None = None, hosts: Mapping[str, str] | None = None) -> None:
        self.provider_name = provider_name
        self.hosts = hosts
        self._seen = PerClient(self._read)

    def _read(self, client: Any, base_url: Any) -> Endpoint:
        host, port = server_of(base_url)
        azure = _is_azure_client(client)
        provider = (
            self.provider_name
            or (semconv.PROVIDER_AZURE_OPENAI if azure else None)
            or provider_for_host(host, port, self.hosts)
            or semconv.PROVIDER_OPENAI
        )
        return Endpoint(provider, host, port, _deployment(base_url) if azure else None)

    def of(self, resource: Any) -> Endpoint:
        """The endpoint of an API resource (``client.chat.completions`` ...)."""
        client = getattr(resource, "_client", None)
        if client is None:
            return _UNKNOWN
        # In openai 3.x the public base_url property does work on every read: PerClient reads the private one.
        return self._seen.get(client)

    def new_invocation(self, operation: str, resource: Any, model: Any) -> Invocation:
        """A record with what every OpenAI call has: operation, provider, model and server.

        On Azure the deployment named in the client's URL is the model that is called.
        """
        endpoint = self.of(resource)
        inv = Invocation(
            operation=operation,
            provider=endpoint.provider,
            request_model=endpoint.deployment or string(model),
            server_address=endpoint.address,
            server_port=endpoint.port,
        )
        if endpoint.provider.startswith("azure."):
            inv.provider_attributes[semconv.AZURE_RESOURCE_PROVIDER_NAMESPACE] = semconv.AZURE_COGNITIVE_SERVICES
        return inv


def speaks_openai_flavor(inv: Invocation) -> bool:
    """``openai.*`` attributes go only with ``gen_ai.provider.name=openai`` (§1.1)."""
    return inv.provider == semconv.PROVIDER_OPENAI


class OpenAIOperation(Operation):
    """An operation of the OpenAI client: it knows the endpoints of the clients it sees."""

    def __init__(self, endpoints: Endpoints | None = None) -> None:
        self.endpoints = endpoints if endpoints is not None else Endpoints()
