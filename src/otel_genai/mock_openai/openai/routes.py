"""The OpenAI API's routes, on OpenAI's own paths and on Azure OpenAI's."""

from __future__ import annotations

from starlette.routing import Route

from otel_genai.mock_openai.openai.azure import AZURE
from otel_genai.mock_openai.openai.chat.handler import create_chat_completion
from otel_genai.mock_openai.openai.completions import create_completion
from otel_genai.mock_openai.openai.dialect import AZURE_DEPLOYMENTS, AZURE_V1, OPENAI
from otel_genai.mock_openai.openai.embeddings import create_embeddings
from otel_genai.mock_openai.openai.models_endpoint import list_models, retrieve_model
from otel_genai.mock_openai.openai.responses.handler import create_response, retrieve_response
from otel_genai.mock_openai.pipeline.endpoint import Handler, endpoint

# (path below the API root, method, handler)
_API: tuple[tuple[str, str, Handler], ...] = (
    ("/chat/completions", "POST", create_chat_completion),
    ("/completions", "POST", create_completion),
    ("/embeddings", "POST", create_embeddings),
    ("/responses", "POST", create_response),
    ("/responses/{response_id}", "GET", retrieve_response),
    ("/models", "GET", list_models),
    ("/models/{model}", "GET", retrieve_model),
)

# Azure serves these per deployment: /openai/deployments/{deployment}/...
_DEPLOYMENT_PATHS = frozenset({"/chat/completions", "/completions", "/embeddings"})


def openai_routes() -> list[Route]:
    """``/v1/...``, Azure's ``/openai/v1/...`` and its per-deployment ``/openai/deployments/{deployment}/...``."""
    routes: list[Route] = []
    for path, method, handler in _API:
        routes.append(Route(f"/v1{path}", endpoint(handler, OPENAI), methods=[method]))
        # Azure's OpenAI-compatible "v1" surface takes the model from the body, and no api-version.
        routes.append(Route(f"/openai/v1{path}", endpoint(handler, AZURE_V1, platform=AZURE), methods=[method]))
        azure_path = f"/openai/deployments/{{deployment}}{path}" if path in _DEPLOYMENT_PATHS else f"/openai{path}"
        routes.append(Route(azure_path, endpoint(handler, AZURE_DEPLOYMENTS, platform=AZURE), methods=[method]))
    return routes
