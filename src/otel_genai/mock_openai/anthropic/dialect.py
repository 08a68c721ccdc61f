"""How the Anthropic API frames errors, headers and payloads, and what it checks before reading a request."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from otel_genai.mock_openai.anthropic.errors import (
    AnthropicError,
    bad_header,
    error_for_status,
    invalid_request,
    unparsable_body,
)
from otel_genai.mock_openai.anthropic.identifiers import request_id
from otel_genai.mock_openai.anthropic.params import is_api_version
from otel_genai.mock_openai.faults.damage import PayloadShape
from otel_genai.mock_openai.pipeline.dialect import Dialect
from otel_genai.mock_openai.pipeline.wire import elapsed_ms

# A made-up organization: the real header names the caller's.
_ORGANIZATION_ID = "00000000-0000-4000-8000-00000000c1a0"


def response_headers(started: float) -> dict[str, str]:
    """Headers every Anthropic response carries."""
    return {
        "request-id": request_id(),
        "anthropic-organization-id": _ORGANIZATION_ID,
        "x-envoy-upstream-service-time": str(elapsed_ms(started)),
    }


def check_access(headers: Mapping[str, str], query: Mapping[str, str]) -> None:
    """Refuse a request without an API key (401) or without a known ``anthropic-version`` (400)."""
    del query  # ``?beta=true`` only marks the client's beta namespace; the API answers the same
    if not headers.get("x-api-key") and not headers.get("authorization", "").lower().startswith("bearer "):
        raise AnthropicError(401, "authentication_error", "x-api-key header is required")
    version = headers.get("anthropic-version")
    if version is None:
        raise invalid_request("anthropic-version: header is required")
    if not is_api_version(version):
        raise invalid_request(f"anthropic-version: invalid version {version!r}")


ANTHROPIC = Dialect(
    name="anthropic",
    error_for_status=error_for_status,
    bad_header=bad_header,
    unparsable_body=unparsable_body,
    response_headers=response_headers,
    payload_shape=PayloadShape(
        result_lists=("content",),
        identity_fields=("id", "model", "usage", "stop_reason"),
        # message_start wraps the message; message_delta keeps the stop reason under "delta".
        nested_objects=("message", "delta"),
    ),
    json_indent=None,
    access_check=check_access,
)

# Vertex AI authenticates with Google credentials and takes the version from the body.
VERTEX = replace(ANTHROPIC, name="vertex", access_check=None)
