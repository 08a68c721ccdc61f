"""gen_ai.provider.name and server.* for OpenAI, Azure OpenAI and OpenAI-compatible servers."""

from __future__ import annotations

import openai
import pytest

from otel_genai.instrumentation.openai.endpoint import KNOWN_HOSTS, provider_for_host

POEM = [{"role": "user", "content": "A poem on OpenTelemetry?"}]


@pytest.mark.parametrize(
    ("host", "port", "expected"),
    [
        ("api.openai.com", 443, "openai"),
        ("my-resource.openai.azure.com", 443, "azure.ai.openai"),
        ("api.groq.com", 443, "groq"),
        ("API.DEEPSEEK.COM", 443, "deepseek"),
        ("api.x.ai", 443, "x_ai"),
        ("localhost", 11434, "ollama"),
        ("127.0.0.1", 11434, "ollama"),
        ("gpu-box.internal", 11434, None),  # a port means Ollama only on loopback
        ("proxy.example.com", 443, None),
    ],
)
def test_known_hosts(host, port, expected):
    assert provider_for_host(host, port) == expected


def test_user_hosts_extend_the_table():
    assert provider_for_host("llm.corp.internal", 443, {"llm.corp.internal": "vllm"}) == "vllm"
    assert provider_for_host("api.groq.com", 443, {"llm.corp.internal": "vllm"}) == KNOWN_HOSTS["api.groq.com"]


def test_unknown_host_is_openai_and_openai_attributes_stay(instrument, client):
    captured = instrument()
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    attrs = captured.span().attributes
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["openai.api.type"] == "chat_completions"


def test_provider_override_by_argument(instrument, client):
    captured = instrument(provider_name="vllm")
    client.chat.completions.create(model="gpt-4o-mini", messages=POEM)
    attrs = captured.span().attributes
    assert attrs["gen_ai.provider.name"] == "vllm"
    # openai.* attributes belong to the openai provider only (§1.1).
    assert not [k for k in attrs if k.startswith("openai.")]


def test_provider_override_by_environment(instrument, client):
    captured = instrument(env={"OTEL_INSTRUMENTATION_GENAI_PROVIDER_NAME": "ollama"})
    client.embeddings.create(model="nomic-embed-text", input="hi")
    assert captured.span().attributes["gen_ai.provider.name"] == "ollama"


def test_provider_hosts_argument(instrument, mock_server):
    captured = instrument(provider_hosts={"127.0.0.1": "groq"})
    groq_like = openai.OpenAI(base_url=mock_server.base_url, api_key="k", max_retries=0)
    groq_like.chat.completions.create(model="llama-3.1-8b-instant", messages=POEM)
    assert captured.span().attributes["gen_ai.provider.name"] == "groq"


def test_azure_deployment_in_the_client_url(instrument, mock_server):
    captured = instrument()
    azure = openai.AzureOpenAI(
        azure_endpoint=mock_server.root_url, azure_deployment="prod-gpt4o", api_key="k", api_version="2024-10-21"
    )
    azure.chat.completions.create(model="gpt-4o", messages=POEM)
    span = captured.span()
    assert span.name == "chat prod-gpt4o"
    attrs = span.attributes
    assert attrs["gen_ai.provider.name"] == "azure.ai.openai"
    assert attrs["gen_ai.request.model"] == "prod-gpt4o"
    assert attrs["azure.resource_provider.namespace"] == "Microsoft.CognitiveServices"
    assert attrs["server.address"] == "127.0.0.1"
    assert attrs["server.port"] == mock_server.port


async def test_async_azure_embeddings(instrument, mock_server):
    captured = instrument()
    azure = openai.AsyncAzureOpenAI(azure_endpoint=mock_server.root_url, api_key="k", api_version="2024-10-21")
    await azure.embeddings.create(model="embed-deployment", input="hi")
    attrs = captured.span().attributes
    assert attrs["gen_ai.provider.name"] == "azure.ai.openai"
    assert attrs["gen_ai.request.model"] == "embed-deployment"


def test_azure_stream_takes_identity_from_the_first_real_chunk(instrument, mock_server):
    captured = instrument()
    azure = openai.AzureOpenAI(azure_endpoint=mock_server.root_url, api_key="k", api_version="2024-10-21")
    chunks = list(azure.chat.completions.create(model="gpt4o-deployment", messages=POEM, stream=True))
    assert chunks[0].id == ""  # Azure's prompt-filter chunk
    named = next(c for c in chunks if c.id)
    attrs = captured.span().attributes
    assert attrs["gen_ai.response.id"] == named.id
    assert attrs["gen_ai.response.model"] == named.model
