"""Embeddings: input forms, encodings, dimensions, deterministic unit vectors."""

from __future__ import annotations

import base64
import math
import struct

import openai
import pytest
from mock_openai_helpers import raw_request

from otel_genai.mock_openai import MockOpenAIServer


def _norm(vector: list[float]) -> float:
    return math.sqrt(sum(x * x for x in vector))


@pytest.mark.parametrize(
    ("model", "size"),
    [("text-embedding-3-small", 1536), ("text-embedding-3-large", 3072), ("text-embedding-ada-002", 1536)],
)
def test_default_dimensions_per_model(openai_client: openai.OpenAI, model: str, size: int) -> None:
    result = openai_client.embeddings.create(model=model, input="hello", encoding_format="float")
    assert len(result.data[0].embedding) == size
    assert result.model == model


def test_float_vectors_are_unit_length_and_deterministic(openai_client: openai.OpenAI) -> None:
    result = openai_client.embeddings.create(
        model="text-embedding-3-small", input=["first text", "second text", "first text"], encoding_format="float"
    )
    assert result.object == "list"
    assert [item.index for item in result.data] == [0, 1, 2]
    assert all(item.object == "embedding" for item in result.data)
    first, second, again = (item.embedding for item in result.data)
    assert first == again
    assert first != second
    assert all(abs(_norm(v) - 1.0) < 1e-5 for v in (first, second))
    assert result.usage.prompt_tokens == result.usage.total_tokens == 6


def test_base64_is_little_endian_float32(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    body = {"model": "text-embedding-3-small", "input": "hello", "dimensions": 256}
    encoded = raw_request(mock_api, "POST", "/v1/embeddings", {**body, "encoding_format": "base64"}).json()
    plain = raw_request(mock_api, "POST", "/v1/embeddings", {**body, "encoding_format": "float"}).json()
    raw = base64.b64decode(encoded["data"][0]["embedding"])
    decoded = struct.unpack(f"<{len(raw) // 4}f", raw)
    assert len(decoded) == 256
    assert abs(_norm(list(decoded)) - 1.0) < 1e-5
    assert decoded == pytest.approx(plain["data"][0]["embedding"], rel=1e-6)
    # The client hands back the string untouched when base64 was asked for explicitly.
    result = openai_client.embeddings.create(
        model="text-embedding-3-small", input="hello", dimensions=256, encoding_format="base64"
    )
    assert result.data[0].embedding == encoded["data"][0]["embedding"]


def test_client_default_encoding_decodes_to_floats(openai_client: openai.OpenAI) -> None:
    result = openai_client.embeddings.create(model="text-embedding-3-small", input="hello", dimensions=64)
    vector = result.data[0].embedding
    assert len(vector) == 64
    assert abs(_norm(vector) - 1.0) < 1e-5


def test_token_inputs_are_accepted(openai_client: openai.OpenAI) -> None:
    single = openai_client.embeddings.create(model="text-embedding-3-small", input=[1, 2, 3], encoding_format="float")
    assert len(single.data) == 1
    assert single.usage.prompt_tokens == 3
    batch = openai_client.embeddings.create(
        model="text-embedding-3-small", input=[[1, 2], [3, 4, 5]], encoding_format="float"
    )
    assert len(batch.data) == 2
    assert batch.usage.prompt_tokens == 5


def test_dimensions_are_refused_for_ada(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.BadRequestError) as caught:
        openai_client.embeddings.create(model="text-embedding-ada-002", input="hello", dimensions=8)
    assert caught.value.status_code == 400


@pytest.mark.parametrize("bad_input", [[], [1, "mixed"], {"not": "a list"}])
def test_invalid_input_is_a_bad_request(mock_api: MockOpenAIServer, bad_input: object) -> None:
    response = raw_request(mock_api, "POST", "/v1/embeddings", {"model": "text-embedding-3-small", "input": bad_input})
    assert response.status == 400
    assert response.json()["error"]["param"] == "input"


def test_unknown_embedding_model_is_not_found(openai_client: openai.OpenAI) -> None:
    with pytest.raises(openai.NotFoundError) as caught:
        openai_client.embeddings.create(model="unknown-embedder", input="hello")
    assert caught.value.code == "model_not_found"
