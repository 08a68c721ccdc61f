"""The Anthropic API's routes: its own ``/v1/messages``, and the Messages API on Vertex AI and Amazon Bedrock."""

from __future__ import annotations

from functools import partial

from starlette.routing import Route

from otel_genai.mock_openai.anthropic.bedrock import BEDROCK, PLATFORM, create_bedrock_message
from otel_genai.mock_openai.anthropic.dialect import ANTHROPIC, VERTEX
from otel_genai.mock_openai.anthropic.messages import create_cloud_message, create_message
from otel_genai.mock_openai.pipeline.endpoint import endpoint

_VERTEX_MODEL = "/v1/projects/{project}/locations/{location}/publishers/anthropic/models/{model}"

# Paths below these belong to Anthropic's API: an unknown route there gets Anthropic's 404.
PATH_PREFIXES = ("/v1/messages", "/v1/projects/")


def anthropic_routes() -> list[Route]:
    """``POST /v1/messages`` (``?beta=true`` included), Vertex AI's ``:rawPredict`` / ``:streamRawPredict``,
    and Bedrock's ``/model/{model}/invoke`` / ``invoke-with-response-stream``."""
    return [
        Route("/v1/messages", endpoint(create_message, ANTHROPIC), methods=["POST"]),
        Route(
            f"{_VERTEX_MODEL}:rawPredict",
            endpoint(partial(create_cloud_message, stream=False), VERTEX, platform="vertex"),
            methods=["POST"],
        ),
        Route(
            f"{_VERTEX_MODEL}:streamRawPredict",
            endpoint(partial(create_cloud_message, stream=True), VERTEX, platform="vertex"),
            methods=["POST"],
        ),
        Route(
            "/model/{model}/invoke",
            endpoint(partial(create_bedrock_message, stream=False), BEDROCK, platform=PLATFORM),
            methods=["POST"],
        ),
        Route(
            "/model/{model}/invoke-with-response-stream",
            endpoint(partial(create_bedrock_message, stream=True), BEDROCK, platform=PLATFORM),
            methods=["POST"],
        ),
    ]
