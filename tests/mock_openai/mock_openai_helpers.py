"""Helpers for the mock OpenAI endpoint's tests: raw HTTP, SSE parsing, client-version facts."""

from __future__ import annotations

import http.client
import json
from dataclasses import dataclass
from typing import Any

import openai

from otel_genai.mock_openai import MockOpenAIServer

# The Responses API arrived in openai 1.66; older clients (1.26 is supported) lack it.
HAS_RESPONSES_API = hasattr(openai.OpenAI, "responses")


def _transport_errors() -> tuple[type[BaseException], ...]:
    # openai >= 1.5x wraps a broken stream in APIConnectionError; older clients let the
    # HTTP library's own error (httpx, or httpx2 in the newest clients) escape.
    errors: list[type[BaseException]] = [openai.APIConnectionError]
    for module_name in ("httpx", "httpx2"):
        try:
            module = __import__(module_name)
        except ImportError:
            continue
        errors.append(module.TransportError)
    return tuple(errors)


BROKEN_STREAM_ERRORS = _transport_errors()


# A Chat Completions function tool with one required parameter of each JSON type.
WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_current_weather",
        "description": "Get the current weather in a given location",
        "parameters": {
            "type": "object",
            "properties": {
                "location": {"type": "string"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                "days": {"type": "integer"},
                "verbose": {"type": "boolean"},
            },
            "required": ["location", "unit", "days", "verbose"],
        },
    },
}


def user(text: str) -> list[dict[str, Any]]:
    """A one-message conversation."""
    return [{"role": "user", "content": text}]


@dataclass(frozen=True)
class RawResponse:
    """A response read with the standard library, bypassing every client-side parser."""

    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)

    def sse_data(self) -> list[str]:
        """The ``data:`` payloads of a server-sent-event body, in order."""
        return [line[len("data: ") :] for line in self.body.decode().split("\n") if line.startswith("data: ")]

    def sse_json(self) -> list[dict[str, Any]]:
        """The JSON payloads of a stream, without the ``[DONE]`` sentinel."""
        return [json.loads(data) for data in self.sse_data() if data != "[DONE]"]

    def sse_names(self) -> list[str]:
        """The ``event:`` names of a server-sent-event body, in order."""
        return [line[len("event: ") :] for line in self.body.decode().split("\n") if line.startswith("event: ")]


def raw_request(
    server: MockOpenAIServer,
    method: str,
    path: str,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> RawResponse:
    """Send one request; *body* is JSON-encoded unless it is already bytes."""
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    try:
        payload = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
        all_headers = {"content-type": "application/json", **(headers or {})}
        connection.request(method, path, body=payload, headers=all_headers)
        response = connection.getresponse()
        try:
            data = response.read()
        except http.client.IncompleteRead as exc:
            # Deliberately broken streams end early; keep what arrived.
            data = exc.partial
        return RawResponse(response.status, {k.lower(): v for k, v in response.getheaders()}, data)
    finally:
        connection.close()
