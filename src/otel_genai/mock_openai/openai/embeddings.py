"""``POST /v1/embeddings``: deterministic unit vectors derived from a hash of each input."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import random
import struct
from collections.abc import Mapping, Sequence
from typing import Any

from otel_genai.mock_openai.generation.tokens import count_tokens
from otel_genai.mock_openai.openai.azure import AZURE
from otel_genai.mock_openai.openai.errors import invalid_value, missing_parameter
from otel_genai.mock_openai.openai.model_catalogue import MODELS_WITH_ADJUSTABLE_DIMENSIONS, embedding_dimensions
from otel_genai.mock_openai.openai.params import optional_int, resolve_model
from otel_genai.mock_openai.pipeline.context import RequestContext
from otel_genai.mock_openai.pipeline.wire import JSONReply, Reply

_INVALID_INPUT = "'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference."


def create_embeddings(body: Mapping[str, Any], ctx: RequestContext) -> Reply:
    """Handle one Embeddings request."""
    model = resolve_model(body, ctx)
    inputs = _inputs(body.get("input"))
    dimensions = optional_int(body, "dimensions", minimum=1)
    if dimensions is not None and model not in MODELS_WITH_ADJUSTABLE_DIMENSIONS and ctx.platform != AZURE:
        raise invalid_value("dimensions", "This model does not support specifying dimensions.")
    size = dimensions or embedding_dimensions(model)
    encoding = body.get("encoding_format") or "float"
    if encoding not in ("float", "base64"):
        raise invalid_value("encoding_format", f"Invalid 'encoding_format': {encoding!r}.")
    data = [
        {"object": "embedding", "index": index, "embedding": _encode(_unit_vector(item, size), encoding)}
        for index, item in enumerate(inputs)
    ]
    tokens = sum(len(item) if isinstance(item, list) else count_tokens(item) for item in inputs)
    return JSONReply(
        {
            "object": "list",
            "data": data,
            "model": model,
            "usage": {"prompt_tokens": tokens, "total_tokens": tokens},
        }
    )


def _inputs(value: Any) -> list[str | list[int]]:
    """The inputs as a list: one string, strings, one token array, or token arrays."""
    if value is None:
        raise missing_parameter("input")
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and value:
        if all(isinstance(item, str) for item in value):
            return list(value)
        if all(_is_token(item) for item in value):
            return [value]
        if all(isinstance(item, list) and item and all(_is_token(t) for t in item) for item in value):
            return list(value)
    raise invalid_value("input", _INVALID_INPUT)


def _is_token(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _unit_vector(item: str | Sequence[int], size: int) -> list[float]:
    # Seeded by the input alone, so the same text always embeds to the same vector.
    seed = hashlib.sha256(json.dumps(item).encode()).digest()
    rng = random.Random(seed)
    raw = [rng.gauss(0.0, 1.0) for _ in range(size)]
    norm = math.sqrt(sum(x * x for x in raw)) or 1.0
    return [x / norm for x in raw]


def _encode(vector: list[float], encoding: str) -> list[float] | str:
    # Both encodings carry float32 values, as the real service's do.
    packed = struct.pack(f"<{len(vector)}f", *vector)
    if encoding == "base64":
        return base64.b64encode(packed).decode("ascii")
    return [float(f"{value:.9g}") for value in struct.unpack(f"<{len(vector)}f", packed)]
