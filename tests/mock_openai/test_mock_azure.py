"""Azure OpenAI's URL scheme: deployments, api-version, api-key, content-filter annotations."""

from __future__ import annotations

import openai
import pytest
from mock_openai_helpers import HAS_RESPONSES_API, raw_request, user

from otel_genai.mock_openai import MockOpenAIServer

DEPLOYMENT_CHAT = "/openai/deployments/gpt-4o-mini/chat/completions"


def test_chat_through_a_deployment(mock_api: MockOpenAIServer, azure_client: openai.AzureOpenAI) -> None:
    raw = azure_client.chat.completions.with_raw_response.create(model="gpt-4o-mini", messages=user("Say azure"))
    completion = raw.parse()
    assert completion.choices[0].message.content == "Azure."
    # The deployment name is the model, reported as its snapshot.
    assert completion.model == "gpt-4o-mini-2024-07-18"
    request = next(r for r in reversed(mock_api.requests) if r.path == DEPLOYMENT_CHAT)
    assert request.query == {"api-version": "2024-10-21"}
    assert request.headers["api-key"] == "k"
    wire = raw.http_response.json()
    assert wire["prompt_filter_results"][0]["content_filter_results"]["hate"] == {"filtered": False, "severity": "safe"}
    assert wire["choices"][0]["content_filter_results"]["violence"]["filtered"] is False


def test_azure_stream_opens_with_a_prompt_filter_chunk(azure_client: openai.AzureOpenAI) -> None:
    chunks = list(azure_client.chat.completions.create(model="my-deployment", messages=user("hi"), stream=True))
    assert chunks[0].choices == []
    assert chunks[0].id == ""
    assert chunks[1].choices[0].delta.role == "assistant"
    assert chunks[1].model == "my-deployment"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_embeddings_and_completions_through_deployments(
    mock_api: MockOpenAIServer, azure_client: openai.AzureOpenAI
) -> None:
    embedding = azure_client.embeddings.create(model="embedder", input="hello", encoding_format="float")
    assert len(embedding.data[0].embedding) == 1536
    assert mock_api.requests[-1].path == "/openai/deployments/embedder/embeddings"
    completion = azure_client.completions.create(model="instruct", prompt="Say done")
    assert completion.choices[0].text == "\n\nDone."
    assert mock_api.requests[-1].path == "/openai/deployments/instruct/completions"


def test_bearer_token_is_accepted(mock_api: MockOpenAIServer) -> None:
    client = openai.AzureOpenAI(
        azure_endpoint=mock_api.root_url, azure_ad_token="aad-token", api_version="2024-10-21", max_retries=0
    )
    completion = client.chat.completions.create(model="gpt-4o", messages=user("hi"))
    assert completion.model == "gpt-4o-2024-08-06"
    assert mock_api.requests[-1].headers["authorization"] == "Bearer aad-token"


def test_missing_key_is_refused(mock_api: MockOpenAIServer) -> None:
    body = {"messages": user("hi")}
    response = raw_request(mock_api, "POST", f"{DEPLOYMENT_CHAT}?api-version=2024-10-21", body)
    assert response.status == 401
    assert response.json()["error"]["code"] == "401"


def test_missing_api_version_is_not_found(mock_api: MockOpenAIServer) -> None:
    response = raw_request(mock_api, "POST", DEPLOYMENT_CHAT, {"messages": user("hi")}, headers={"api-key": "k"})
    assert response.status == 404
    assert response.json() == {"error": {"code": "404", "message": "Resource not found"}}


def test_openai_v1_paths_mirror_the_api(mock_api: MockOpenAIServer) -> None:
    client = openai.OpenAI(base_url=f"{mock_api.root_url}/openai/v1", api_key="k", max_retries=0)
    completion = client.chat.completions.create(model="gpt-4.1-mini", messages=user("Say v1"))
    assert completion.choices[0].message.content == "V1."
    assert completion.model == "gpt-4.1-mini-2025-04-14"
    assert mock_api.requests[-1].path == "/openai/v1/chat/completions"


@pytest.mark.skipif(not HAS_RESPONSES_API, reason="this openai client predates the Responses API")
def test_responses_through_azure(mock_api: MockOpenAIServer, azure_client: openai.AzureOpenAI) -> None:
    response = azure_client.responses.create(model="gpt-4o", input="Say azure responses")
    assert response.output_text == "Azure responses."
    assert mock_api.requests[-1].path == "/openai/responses"
    assert azure_client.responses.retrieve(response.id).id == response.id
