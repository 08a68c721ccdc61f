"""What Azure OpenAI adds to the OpenAI API: key checks and content-filter annotations."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.openai.errors import OpenAIError

_FILTER_CATEGORIES = ("hate", "self_harm", "sexual", "violence")

# The ``platform`` of requests on Azure's routes.
AZURE = "azure"


def check_azure_access(headers: Mapping[str, str], query: Mapping[str, str], *, needs_version: bool = True) -> None:
    """Reject a request Azure would: no ``api-key`` or bearer token (401), no ``api-version`` (404)."""
    bearer = headers.get("authorization", "").lower().startswith("bearer ")
    if not headers.get("api-key") and not bearer:
        message = (
            "Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a "
            "valid key for an active subscription and use a correct regional API endpoint for your resource."
        )
        raise OpenAIError(401, message, body={"error": {"code": "401", "message": message}})
    if needs_version and not query.get("api-version"):
        raise OpenAIError(404, "Resource not found", body={"error": {"code": "404", "message": "Resource not found"}})


def content_filter_results() -> dict[str, Any]:
    """The per-choice ``content_filter_results`` of a harmless completion."""
    return {category: {"filtered": False, "severity": "safe"} for category in _FILTER_CATEGORIES}


def prompt_filter_results(prompt_count: int = 1) -> list[dict[str, Any]]:
    """The top-level ``prompt_filter_results`` of harmless prompts."""
    return [
        {"prompt_index": index, "content_filter_results": content_filter_results()} for index in range(prompt_count)
    ]


def prompt_filter_chunk() -> dict[str, Any]:
    """The first chunk of an Azure stream: no choices, empty id and model, only the prompt filter verdict."""
    return {
        "choices": [],
        "created": 0,
        "id": "",
        "model": "",
        "object": "",
        "prompt_filter_results": prompt_filter_results(),
    }
