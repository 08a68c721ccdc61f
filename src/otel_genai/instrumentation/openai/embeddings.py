"""Embeddings (``client.embeddings.create``) -> invocation record."""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation
from otel_genai.instrumentation.fields import field, integer, items, string
from otel_genai.instrumentation.openai.endpoint import OpenAIOperation


class Embeddings(OpenAIOperation):
    """The operation of ``embeddings.create`` (sync and async).

    The conventions define no content attribute for embedding inputs, so there is no
    ``request_content``; embeddings are never streamed.
    """

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return self.endpoints.new_invocation(semconv.OP_EMBEDDINGS, instance, kwargs.get("model"))

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        encoding = string(kwargs.get("encoding_format"))
        inv.encoding_formats = [encoding] if encoding else None
        inv.dimension_count = integer(kwargs.get("dimensions"))

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        model = string(field(response, "model"))
        if model:
            inv.response_model = model
        inv.input_tokens = integer(field(field(response, "usage"), "prompt_tokens"))
        if inv.dimension_count is None:
            data = items(field(response, "data"))
            vector = field(data[0], "embedding") if data else None
            if isinstance(vector, list) and vector:
                inv.dimension_count = len(vector)
