"""Anthropic's error bodies: ``{"type": "error", "error": {"type": ..., "message": ...}, "request_id": ...}``."""

from __future__ import annotations

from typing import Any

from otel_genai.mock_openai.anthropic.identifiers import request_id
from otel_genai.mock_openai.pipeline.errors import MockAPIError

# status -> (error type, message) for errors the client asked for with ``x-mock-scenario``.
_STATUS_ERRORS: dict[int, tuple[str, str]] = {
    400: ("invalid_request_error", "Invalid request (mock scenario)."),
    401: ("authentication_error", "invalid x-api-key"),
    402: ("billing_error", "Your credit balance is too low to access the Anthropic API."),
    403: ("permission_error", "Your API key does not have permission to use the specified resource."),
    404: ("not_found_error", "The requested resource could not be found."),
    408: ("timeout_error", "Request timed out."),
    409: ("invalid_request_error", "The request conflicts with another request in progress."),
    413: ("request_too_large", "Request exceeds the maximum allowed number of bytes."),
    422: ("invalid_request_error", "The request could not be processed."),
    429: ("rate_limit_error", "Number of requests has exceeded your per-minute rate limit."),
    500: ("api_error", "Internal server error"),
    502: ("api_error", "Bad gateway"),
    503: ("api_error", "Service unavailable"),
    504: ("timeout_error", "Request timed out before a response was generated."),
    529: ("overloaded_error", "Overloaded"),
}


class AnthropicError(MockAPIError):
    """An error response with Anthropic's body."""

    def __init__(self, status: int, error_type: str, message: str) -> None:
        self.request_id = request_id()
        body = {"type": "error", "error": {"type": error_type, "message": message}, "request_id": self.request_id}
        super().__init__(status, message, body)

    def headers(self) -> dict[str, str]:
        """The ``request-id`` header repeats the body's ``request_id``."""
        return {"request-id": self.request_id}


def error_for_status(status: int) -> AnthropicError:
    """The error Anthropic typically sends with *status*."""
    error_type, message = _STATUS_ERRORS.get(
        status, ("api_error" if status >= 500 else "invalid_request_error", f"Mock error {status}.")
    )
    return AnthropicError(status, error_type, message)


def invalid_request(message: str) -> AnthropicError:
    """400 ``invalid_request_error``: Anthropic names the offending field first (``max_tokens: Field required``)."""
    return AnthropicError(400, "invalid_request_error", message)


def bad_header(header: str, message: str) -> AnthropicError:
    """400 for an ``x-mock-*`` steering header the mock can not use."""
    return invalid_request(f"{header}: {message}")


def unparsable_body() -> AnthropicError:
    """400 for a body that is not a JSON object."""
    return invalid_request("There was an error parsing the body of your request. The body must be a JSON object.")


def model_not_found(model: str) -> AnthropicError:
    """404 for a model that does not exist."""
    return AnthropicError(404, "not_found_error", f"model: {model}")


def not_found(method: str, path: str) -> AnthropicError:
    """404 for a route the API does not have."""
    return AnthropicError(404, "not_found_error", f"Not Found ({method} {path})")


def mid_stream_error() -> dict[str, Any]:
    """The ``error`` event Anthropic sends when generation fails after a stream has started."""
    return {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}
