"""Embeddings over real HTTP, sync and async."""

from __future__ import annotations

import openai
import pytest
from opentelemetry.trace import SpanKind


def test_embeddings_span_and_metrics(instrument, client, mock_server):
    captured = instrument(capture="SPAN_AND_EVENT")
    response = client.embeddings.create(model="text-embedding-3-small", input=["hello", "world"])
    span = captured.span()
    assert span.name == "embeddings text-embedding-3-small"
    assert span.kind is SpanKind.CLIENT
    attrs = span.attributes
    assert attrs["gen_ai.operation.name"] == "embeddings"
    assert attrs["gen_ai.provider.name"] == "openai"
    assert attrs["gen_ai.request.model"] == "text-embedding-3-small"
    assert attrs["gen_ai.response.model"] == response.model
    assert attrs["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens
    assert attrs["gen_ai.embeddings.dimension.count"] == len(response.data[0].embedding)
    assert attrs["server.port"] == mock_server.port
    assert "gen_ai.usage.output_tokens" not in attrs
    assert "gen_ai.input.messages" not in attrs
    (usage,) = captured.metrics("gen_ai.client.token.usage")
    assert usage.attributes["gen_ai.token.type"] == "input"
    assert usage.sum == response.usage.prompt_tokens


def test_embeddings_request_options(instrument, client):
    captured = instrument()
    client.embeddings.create(model="text-embedding-3-small", input="hi", dimensions=256, encoding_format="base64")
    attrs = captured.span().attributes
    assert attrs["gen_ai.embeddings.dimension.count"] == 256
    assert attrs["gen_ai.request.encoding_formats"] == ("base64",)


def test_embeddings_error(instrument, client):
    captured = instrument()
    with pytest.raises(openai.NotFoundError):
        client.embeddings.create(model="does-not-exist-embedder", input="hi")
    assert captured.span().attributes["error.type"] == "openai.NotFoundError"


async def test_async_embeddings(instrument, async_client):
    captured = instrument()
    response = await async_client.embeddings.create(model="text-embedding-3-large", input="hi")
    attrs = captured.span().attributes
    assert attrs["gen_ai.usage.input_tokens"] == response.usage.prompt_tokens
    assert attrs["gen_ai.embeddings.dimension.count"] == len(response.data[0].embedding)


def test_no_inference_details_event_for_embeddings(instrument, client):
    captured = instrument(capture="SPAN_AND_EVENT")
    client.embeddings.create(model="text-embedding-3-small", input="hi")
    assert captured.events("gen_ai.client.inference.operation.details") == []
