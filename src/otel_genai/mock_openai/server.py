"""The local endpoint's app (every API it speaks): on a background thread for tests, or ``serve()`` for the CLI."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response

from otel_genai.mock_openai.anthropic import errors as anthropic_errors
from otel_genai.mock_openai.anthropic.dialect import ANTHROPIC
from otel_genai.mock_openai.anthropic.routes import PATH_PREFIXES as ANTHROPIC_PATHS
from otel_genai.mock_openai.anthropic.routes import anthropic_routes
from otel_genai.mock_openai.faults.scenarios import Scenario
from otel_genai.mock_openai.hosting.background import LoopbackServer
from otel_genai.mock_openai.hosting.recording import RecordedRequest, RecordingMiddleware, RequestLog
from otel_genai.mock_openai.hosting.uvicorn_setup import build_server, listening_socket, url_host
from otel_genai.mock_openai.openai.dialect import OPENAI
from otel_genai.mock_openai.openai.errors import invalid_url
from otel_genai.mock_openai.openai.routes import openai_routes
from otel_genai.mock_openai.pipeline.state import MockState
from otel_genai.mock_openai.pipeline.wire import render_error


def create_app(request_log: RequestLog | None = None) -> Starlette:
    """The local endpoint's HTTP API as a Starlette app: OpenAI (and Azure OpenAI), and Anthropic.

    Every request is appended to *request_log* when one is given.
    """
    middleware = [Middleware(RecordingMiddleware, log=request_log)] if request_log is not None else []
    app = Starlette(
        routes=[*openai_routes(), *anthropic_routes()],
        middleware=middleware,
        exception_handlers={404: _invalid_url, 405: _invalid_url},
    )
    app.state.mock = MockState()
    return app


async def _invalid_url(request: Request, exc: Exception) -> Response:
    del exc  # the route table said no; the answer is the same whatever the reason
    method, path = request.method, request.url.path
    if path.startswith(ANTHROPIC_PATHS):
        return render_error(anthropic_errors.not_found(method, path), ANTHROPIC, Scenario(), time.monotonic())
    return render_error(invalid_url(method, path), OPENAI, Scenario(), time.monotonic())


def serve(host: str = "127.0.0.1", port: int = 8000) -> None:
    """Serve the mock API on *host*:*port* until interrupted (blocking)."""
    sock = listening_socket(host, port)
    bound_port = sock.getsockname()[1]
    root = f"http://{url_host(host)}:{bound_port}"
    print(f"mock OpenAI endpoint on {root}/v1", flush=True)
    print(f"mock Anthropic endpoint on {root} (ANTHROPIC_BASE_URL={root})", flush=True)
    if host not in ("127.0.0.1", "::1", "localhost"):
        print("warning: the mock endpoint is reachable beyond this machine and has no authentication", flush=True)
    build_server(create_app()).run(sockets=[sock])


class MockOpenAIServer(LoopbackServer):
    """The local endpoint on 127.0.0.1 in a daemon thread, recording what it receives::

    with MockOpenAIServer() as server:
        client = openai.OpenAI(base_url=server.base_url, api_key="test")
        client.chat.completions.create(model="gpt-4o-mini", messages=[...])
        assert server.requests[-1].body["model"] == "gpt-4o-mini"

    ``root_url`` is the ``azure_endpoint`` for Azure OpenAI clients, and the ``base_url`` for Anthropic's.
    """

    def __init__(self, port: int = 0) -> None:
        """*port* 0 (the default) lets the operating system pick a free port."""
        self._log = RequestLog()
        super().__init__(create_app(request_log=self._log), port)

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:{port}/v1``: the ``base_url`` for OpenAI clients."""
        return f"{self.root_url}/v1"

    @property
    def requests(self) -> list[RecordedRequest]:
        """The requests received so far, oldest first (a snapshot, safe to read from any thread)."""
        return self._log.snapshot()

    def clear_requests(self) -> None:
        """Forget the requests received so far."""
        self._log.clear()
