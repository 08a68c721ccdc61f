"""Reading and checking request-body parameters shared by several endpoints."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from otel_genai.mock_openai.generation.model_names import is_missing_model
from otel_genai.mock_openai.openai.errors import OpenAIError, invalid_value, missing_parameter, model_not_found
from otel_genai.mock_openai.pipeline.context import RequestContext

_MAX_CHOICES = 128


def optional_int(body: Mapping[str, Any], name: str, *, minimum: int = 0) -> int | None:
    """The integer parameter *name*, None when absent; 400 when it is not an integer >= *minimum*."""
    value = body.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise invalid_value(name, f"Invalid '{name}': expected an integer >= {minimum}, got {value!r}.")
    return value


def choice_count(body: Mapping[str, Any]) -> int:
    """``n``: how many choices to generate."""
    count = optional_int(body, "n", minimum=1) or 1
    if count > _MAX_CHOICES:
        raise invalid_value("n", f"Invalid 'n': integer above maximum value {_MAX_CHOICES}.")
    return count


def stop_sequences(body: Mapping[str, Any]) -> tuple[str, ...]:
    """``stop`` as a tuple, whether sent as one string or a list."""
    stop = body.get("stop")
    if stop is None:
        return ()
    if isinstance(stop, str):
        return (stop,)
    if isinstance(stop, list) and all(isinstance(s, str) for s in stop):
        return tuple(stop)
    raise invalid_value("stop", "Invalid 'stop': expected a string or an array of strings.")


def wants_stream(body: Mapping[str, Any]) -> bool:
    """True when the client asked for server-sent events."""
    return body.get("stream") is True


def wants_stream_usage(body: Mapping[str, Any]) -> bool:
    """``stream_options.include_usage``: a final usage chunk, and ``usage: null`` on the others."""
    options = body.get("stream_options")
    return isinstance(options, Mapping) and options.get("include_usage") is True


def service_tier(body: Mapping[str, Any]) -> str:
    """The tier the response reports: the requested one, except that ``auto`` resolves to ``default``."""
    tier = body.get("service_tier")
    return tier if isinstance(tier, str) and tier != "auto" else "default"


def require_list(body: Mapping[str, Any], name: str) -> list[Any]:
    """The required array parameter *name*."""
    value = body.get(name)
    if value is None:
        raise missing_parameter(name)
    if not isinstance(value, list):
        raise invalid_value(name, f"Invalid type for '{name}': expected an array.")
    return value


def resolve_model(
    body: Mapping[str, Any],
    ctx: RequestContext,
    *,
    not_found: Callable[[str], OpenAIError] = model_not_found,
) -> str:
    """The model the request is for: the Azure deployment, else ``model``; 400 or 404 if unusable."""
    model = ctx.path_params.get("deployment") or body.get("model")
    if model is None or model == "":
        raise OpenAIError(400, "you must provide a model parameter", param="model")
    if not isinstance(model, str):
        raise invalid_value("model", "Invalid type for 'model': expected a string.")
    if is_missing_model(model):
        raise not_found(model)
    return model
