"""Request parameters that Chat Completions, legacy Completions and Responses share."""

from __future__ import annotations

from typing import Any

from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.fields import field, integer, number, string, string_list

_OUTPUT_TYPES = {"json_object": "json", "json_schema": "json", "text": "text"}


def request_params(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The request's parameters: ``kwargs``, with ``extra_body`` filling the gaps (older
    clients, and OpenAI-compatible servers' own options such as vLLM's ``top_k``, pass
    request parameters there). A parameter given in both is the keyword argument's."""
    extra = kwargs.get("extra_body")
    if not isinstance(extra, dict) or not extra:
        return kwargs
    return {**extra, **{name: value for name, value in kwargs.items() if value is not None}}


def output_type(response_format: Any) -> str | None:
    """``gen_ai.output.type`` of a ``response_format``: a dict, or a model class (``parse``)."""
    if response_format is None:
        return None
    if isinstance(response_format, type):
        return "json"
    kind = string(field(response_format, "type"))
    return _OUTPUT_TYPES.get(kind, kind) if kind else None


def read_sampling_parameters(inv: Invocation, params: dict[str, Any]) -> None:
    """The generation parameters Chat and legacy Completions share."""
    inv.temperature = number(params.get("temperature"))
    inv.top_p = number(params.get("top_p"))
    inv.top_k = integer(params.get("top_k"))
    inv.frequency_penalty = number(params.get("frequency_penalty"))
    inv.presence_penalty = number(params.get("presence_penalty"))
    inv.stop_sequences = string_list(params.get("stop"))
    inv.seed = integer(params.get("seed"))
    inv.choice_count = integer(params.get("n"))
    inv.stream = params.get("stream") is True
    # The newer name wins over the deprecated one.
    inv.max_tokens = integer(params.get("max_completion_tokens")) or integer(params.get("max_tokens"))
