"""``GET /v1/models`` and ``GET /v1/models/{model}``."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.openai.errors import OpenAIError
from otel_genai.mock_openai.openai.model_catalogue import KNOWN_MODELS, model_object
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply


def list_models(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Every model the mock knows."""
    return JSONReply({"object": "list", "data": [model_object(model) for model in KNOWN_MODELS]})


def retrieve_model(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """One known model, else 404."""
    model = ctx.path_params["model"]
    if model not in KNOWN_MODELS:
        raise OpenAIError(404, f"The model '{model}' does not exist", param="model", code="model_not_found")
    return JSONReply(model_object(model))
