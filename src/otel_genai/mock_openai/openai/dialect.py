"""How the OpenAI API, and Azure OpenAI in front of it, frame errors, headers and payloads."""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from otel_genai.mock_openai.faults.damage import PayloadShape
from otel_genai.mock_openai.openai.azure import check_azure_access
from otel_genai.mock_openai.openai.errors import bad_header, error_for_status, unparsable_body
from otel_genai.mock_openai.openai.identifiers import request_id
from otel_genai.mock_openai.pipeline.dialect import Dialect
from otel_genai.mock_openai.pipeline.wire import elapsed_ms


def response_headers(started: float) -> dict[str, str]:
    """Headers every OpenAI response carries."""
    return {
        "x-request-id": request_id(),
        "openai-version": "2020-10-01",
        "openai-processing-ms": str(elapsed_ms(started)),
    }


OPENAI = Dialect(
    name="openai",
    error_for_status=error_for_status,
    bad_header=bad_header,
    unparsable_body=unparsable_body,
    response_headers=response_headers,
    payload_shape=PayloadShape(
        # Chat and Completions choices, Embeddings data, Responses output.
        result_lists=("choices", "data", "output"),
        identity_fields=("id", "model", "usage"),
        item_fields=("finish_reason",),
        # Responses API stream events carry the response object one level down.
        nested_objects=("response",),
        timestamps=("created", "created_at"),
    ),
    json_indent=2,
)

# Azure's deployment routes want an ``api-version``; its OpenAI-compatible "v1" surface does not.
AZURE_DEPLOYMENTS = replace(OPENAI, access_check=check_azure_access)
AZURE_V1 = replace(OPENAI, access_check=partial(check_azure_access, needs_version=False))
