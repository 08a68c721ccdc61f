"""The server around the endpoints: recording, routing, request errors, start-up and ``serve()``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import urllib.request

import openai
import pytest
from mock_openai_helpers import raw_request, user
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from otel_genai.mock_openai import LoopbackServer, MockOpenAIServer
from otel_genai.mock_openai.server import create_app


def test_requests_are_recorded(mock_api: MockOpenAIServer, openai_client: openai.OpenAI) -> None:
    mock_api.clear_requests()
    openai_client.chat.completions.create(
        model="gpt-4o-mini", messages=user("hi"), temperature=0.2, extra_headers={"X-Trace-Me": "yes"}
    )
    (request,) = mock_api.requests
    assert (request.method, request.path, request.query) == ("POST", "/v1/chat/completions", {})
    assert request.headers["x-trace-me"] == "yes"
    assert request.headers["authorization"] == "Bearer sk-test"
    assert all(name == name.lower() for name in request.headers)
    assert request.body == {"model": "gpt-4o-mini", "messages": user("hi"), "temperature": 0.2}
    raw_request(mock_api, "POST", "/v1/chat/completions?x=1", b"not json")
    assert mock_api.requests[-1].body is None
    assert mock_api.requests[-1].query == {"x": "1"}
    mock_api.clear_requests()
    assert mock_api.requests == []


def test_recorded_list_is_a_snapshot(mock_api: MockOpenAIServer) -> None:
    snapshot = mock_api.requests
    raw_request(mock_api, "GET", "/v1/models")
    assert len(mock_api.requests) == len(snapshot) + 1


def test_models_are_listed_and_retrievable(openai_client: openai.OpenAI) -> None:
    ids = {model.id for model in openai_client.models.list()}
    assert {"gpt-4o-mini", "gpt-4o-mini-2024-07-18", "text-embedding-3-small", "gpt-3.5-turbo-instruct"} <= ids
    model = openai_client.models.retrieve("gpt-4o")
    assert (model.id, model.object) == ("gpt-4o", "model")
    with pytest.raises(openai.NotFoundError):
        openai_client.models.retrieve("unknown-model")


@pytest.mark.parametrize(("method", "path"), [("POST", "/v1/nope"), ("GET", "/v1/chat/completions"), ("GET", "/")])
def test_unknown_route_is_an_openai_404(mock_api: MockOpenAIServer, method: str, path: str) -> None:
    response = raw_request(mock_api, method, path, {} if method == "POST" else None)
    assert response.status == 404
    assert response.json() == {
        "error": {
            "message": f"Invalid URL ({method} {path})",
            "type": "invalid_request_error",
            "param": None,
            "code": None,
        }
    }


@pytest.mark.parametrize("model", ["does-not-exist", "does-not-exist-2", "unknown-model"])
def test_missing_model_is_404_with_the_real_body(mock_api: MockOpenAIServer, model: str) -> None:
    response = raw_request(mock_api, "POST", "/v1/chat/completions", {"model": model, "messages": user("hi")})
    assert response.status == 404
    assert response.json() == {
        "error": {
            "message": f"The model `{model}` does not exist or you do not have access to it.",
            "type": "invalid_request_error",
            "param": None,
            "code": "model_not_found",
        }
    }


@pytest.mark.parametrize(
    ("body", "param"),
    [
        (b"{not json", None),
        (b"[1, 2]", None),
        (json.dumps({"messages": user("hi")}).encode(), "model"),
        (json.dumps({"model": "gpt-4o"}).encode(), "messages"),
        (json.dumps({"model": "gpt-4o", "messages": "hi"}).encode(), "messages"),
        (json.dumps({"model": "gpt-4o", "messages": user("hi"), "n": 0}).encode(), "n"),
        (json.dumps({"model": "gpt-4o", "messages": user("hi"), "stop": 5}).encode(), "stop"),
    ],
)
def test_bad_requests_are_400_with_openai_errors(mock_api: MockOpenAIServer, body: bytes, param: str | None) -> None:
    response = raw_request(mock_api, "POST", "/v1/chat/completions", body)
    assert response.status == 400
    error = response.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["param"] == param
    assert error["message"]


def test_bad_chunks_header_is_400(mock_api: MockOpenAIServer) -> None:
    body = {"model": "gpt-4o", "messages": user("hi")}
    response = raw_request(mock_api, "POST", "/v1/chat/completions", body, headers={"x-mock-chunks": "many"})
    assert response.status == 400


def test_server_starts_on_a_free_port() -> None:
    with MockOpenAIServer() as server:
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}/v1"
        assert server.root_url == f"http://127.0.0.1:{server.port}"
        assert raw_request(server, "GET", "/v1/models").status == 200
    with pytest.raises(OSError):
        raw_request(server, "GET", "/v1/models")


def test_each_server_has_its_own_state() -> None:
    with MockOpenAIServer() as first, MockOpenAIServer() as second:
        assert first.port != second.port
        raw_request(first, "GET", "/v1/models")
        assert len(first.requests) == 1
        assert second.requests == []


def test_loopback_server_runs_any_asgi_app() -> None:
    async def hello(request: object) -> PlainTextResponse:
        return PlainTextResponse("hello")

    with LoopbackServer(Starlette(routes=[Route("/hello", hello)])) as server:
        response = urllib.request.urlopen(f"{server.root_url}/hello", timeout=5)
        with response:
            assert response.read() == b"hello"


def test_create_app_is_a_starlette_app() -> None:
    assert isinstance(create_app(), Starlette)


def test_serve_prints_its_url_and_no_access_log() -> None:
    process = subprocess.Popen(
        [sys.executable, "-c", "from otel_genai.mock_openai.server import serve; serve(port=0)"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        match = re.fullmatch(r"mock OpenAI endpoint on (http://127\.0\.0\.1:(\d+)/v1)", line)
        assert match, line
        anthropic_line = process.stdout.readline().strip()
        root = match.group(1).removesuffix("/v1")
        assert anthropic_line == f"mock Anthropic endpoint on {root} (ANTHROPIC_BASE_URL={root})"
        deadline = time.monotonic() + 30  # ends as soon as it serves
        while True:
            try:
                with urllib.request.urlopen(f"{match.group(1)}/models", timeout=5) as response:
                    assert response.status == 200
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)
    finally:
        process.terminate()
        out, err = process.communicate(timeout=10)
    assert "/v1/models" not in out + err
