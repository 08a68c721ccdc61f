"""Legacy Completions (``client.completions.create``) -> invocation record (``text_completion``)."""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation, Message, text_part
from otel_genai.core.telemetry import ModelCall
from otel_genai.instrumentation.openai.chat import (
    ChoiceChunkFolder,
    read_response_identity,
    read_sampling_parameters,
    read_usage,
    request_params,
)
from otel_genai.instrumentation.openai.endpoint import new_invocation
from otel_genai.instrumentation.openai.fields import field, integer, items, string
from otel_genai.instrumentation.openai.messages import message_finish_reason
from otel_genai.instrumentation.openai.results import OpenAIOperation


def _prompt_messages(prompt: Any) -> list[Message]:
    # A prompt is a string or a batch of strings; token-id prompts carry no text to record.
    if isinstance(prompt, str):
        return [Message("user", [text_part(prompt)])]
    return [Message("user", [text_part(p)]) for p in items(prompt) if isinstance(p, str)]


class TextCompletions(OpenAIOperation):
    """The adapter of ``completions.create`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return new_invocation(semconv.OP_TEXT_COMPLETION, instance, kwargs.get("model"))

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        read_sampling_parameters(inv, request_params(kwargs))

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        inv.input_messages = _prompt_messages(kwargs.get("prompt"))

    def fold_response(self, call: ModelCall, response: Any) -> None:
        inv = call.invocation
        read_response_identity(inv, response)
        read_usage(inv, field(response, "usage"))
        choices = sorted(items(field(response, "choices")), key=lambda c: integer(field(c, "index")) or 0)
        if choices:
            inv.finish_reasons = [string(field(c, "finish_reason")) or "error" for c in choices]
        if call.wants_content:
            inv.output_messages = [
                Message(
                    "assistant",
                    [text_part(string(field(c, "text")) or "")],
                    finish_reason=message_finish_reason(string(field(c, "finish_reason"))),
                )
                for c in choices
            ]

    def chunk_folder(self, call: ModelCall) -> TextChunkFolder:
        return TextChunkFolder(call)


class TextChunkFolder(ChoiceChunkFolder):
    """Folds streamed ``text_completion`` chunks into the record."""

    __slots__ = ("texts",)

    def __init__(self, call: ModelCall) -> None:
        super().__init__(call)
        self.texts: dict[int, list[str]] = {}

    def fold_content(self, index: int, choice: Any) -> None:
        text = string(field(choice, "text"))
        if text:
            self.texts.setdefault(index, []).append(text)

    def message(self, index: int) -> Message:
        text = "".join(self.texts.get(index, []))
        return Message("assistant", [text_part(text)], finish_reason=message_finish_reason(self.reasons[index]))
