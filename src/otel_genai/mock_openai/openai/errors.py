"""OpenAI's error bodies, and the OpenAI side of the request path's :class:`Dialect`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from otel_genai.mock_openai.pipeline.errors import MockAPIError

# status -> (type, code, message) for errors the client asked for with ``x-mock-scenario``.
_STATUS_ERRORS: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Invalid request (mock scenario)."),
    401: (
        "invalid_request_error",
        "invalid_api_key",
        "Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.",
    ),
    403: (
        "invalid_request_error",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported.",
    ),
    404: ("invalid_request_error", "not_found", "The requested resource was not found."),
    408: ("timeout", None, "Request timed out."),
    409: ("invalid_request_error", "conflict", "The request conflicts with another request in progress."),
    422: ("invalid_request_error", None, "The request could not be processed."),
    429: (
        "requests",
        "rate_limit_exceeded",
        "Rate limit reached for requests per min (RPM): Limit 3, Used 3, Requested 1. Please try again in 20s.",
    ),
    500: ("server_error", "server_error", "The server had an error while processing your request. Sorry about that!"),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
    504: ("server_error", None, "Gateway timeout."),
}


class OpenAIError(MockAPIError):
    """An error response with OpenAI's body: ``{"error": {"message", "type", "param", "code"}}``.

    *body* replaces that body whole (Azure's gateway errors have another shape).
    """

    def __init__(
        self,
        status: int,
        message: str,
        *,
        error_type: str = "invalid_request_error",
        param: str | None = None,
        code: str | None = None,
        body: Mapping[str, Any] | None = None,
    ) -> None:
        error = {"message": message, "type": error_type, "param": param, "code": code}
        super().__init__(status, message, body if body is not None else {"error": error})


def error_for_status(status: int) -> OpenAIError:
    """The error OpenAI typically sends with *status*."""
    error_type, code, message = _STATUS_ERRORS.get(
        status, ("server_error" if status >= 500 else "invalid_request_error", None, f"Mock error {status}.")
    )
    return OpenAIError(status, message, error_type=error_type, code=code)


def model_not_found(model: str) -> OpenAIError:
    """404 for a model that does not exist (Chat Completions, Completions, Embeddings)."""
    return OpenAIError(
        404,
        f"The model `{model}` does not exist or you do not have access to it.",
        code="model_not_found",
    )


def invalid_url(method: str, path: str) -> OpenAIError:
    """404 for a route the API does not have."""
    return OpenAIError(404, f"Invalid URL ({method} {path})")


def missing_parameter(name: str) -> OpenAIError:
    """400 for a required body parameter that is absent."""
    return OpenAIError(400, f"Missing required parameter: '{name}'.", param=name, code="missing_required_parameter")


def invalid_value(param: str, message: str) -> OpenAIError:
    """400 for a parameter with a value of the wrong kind."""
    return OpenAIError(400, message, param=param, code="invalid_value")


def unparsable_body() -> OpenAIError:
    """400 for a body that is not a JSON object."""
    return OpenAIError(
        400,
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your "
        "HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    )


def mid_stream_error() -> dict[str, Any]:
    """The event OpenAI sends when generation fails after a stream has started."""
    return error_for_status(500).body()


def bad_header(header: str, message: str) -> OpenAIError:
    """400 for an ``x-mock-*`` steering header the mock can not use."""
    return OpenAIError(400, message, param=header)
