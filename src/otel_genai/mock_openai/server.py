"""The Starlette app of the mock OpenAI endpoint, and ``serve()`` for ``otel-genai mock-openai``."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from otel_genai.mock_openai.chat import create_chat_completion
from otel_genai.mock_openai.completions import create_completion
from otel_genai.mock_openai.embeddings import create_embeddings
from otel_genai.mock_openai.errors import invalid_url
from otel_genai.mock_openai.hosting import build_server, listening_socket, url_host
from otel_genai.mock_openai.models_endpoint import list_models, retrieve_model
from otel_genai.mock_openai.pipeline import Handler, endpoint
from otel_genai.mock_openai.recording import RecordingMiddleware, RequestLog
from otel_genai.mock_openai.responses_api import create_response, retrieve_response
from otel_genai.mock_openai.scenarios import Scenario
from otel_genai.mock_openai.state import MockState
from otel_genai.mock_openai.wire import render_error

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


def create_app(request_log: RequestLog | None = None) -> Starlette:
    """The mock OpenAI (and Azure OpenAI) HTTP API as a Starlette app.

    Every request is appended to *request_log* when one is given.
    """
    routes: list[Route] = []
    for path, method, handler in _API:
        routes.append(Route(f"/v1{path}", endpoint(handler), methods=[method]))
        # Azure's OpenAI-compatible "v1" surface takes the model from the body, and no api-version.
        routes.append(
            Route(f"/openai/v1{path}", endpoint(handler, azure=True, azure_needs_version=False), methods=[method])
        )
        azure_path = f"/openai/deployments/{{deployment}}{path}" if path in _DEPLOYMENT_PATHS else f"/openai{path}"
        routes.append(Route(azure_path, endpoint(handler, azure=True), methods=[method]))
    middleware = [Middleware(RecordingMiddleware, log=request_log)] if request_log is not None else []
    app = Starlette(
        routes=routes,
        middleware=middleware,
        exception_handlers={404: _invalid_url, 405: _invalid_url},
    )
    app.state.mock = MockState()
    return app


async def _invalid_url(request: Request, exc: Exception) -> Response:
    del exc  # the route table said no; the answer is the same whatever the reason
    return render_error(invalid_url(request.method, request.url.path), Scenario(), time.monotonic())


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the mock API on *host*:*port* until interrupted (blocking)."""
    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    print(f"mock OpenAI endpoint on http://{url_host(host)}:{bound_port}/v1", flush=True)
    if host not in ("127.0.0.1", "::1", "localhost"):
        print("warning: the mock endpoint is reachable beyond this machine and has no authentication", flush=True)
    build_server(create_app()).run(sockets=[sock])
