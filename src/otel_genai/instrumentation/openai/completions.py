"""Legacy Completions (``client.completions.create``) -> invocation record (``text_completion``)."""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation, Message, text_part
from otel_genai.instrumentation.fields import field, items, string
from otel_genai.instrumentation.openai.choices import (
    ChoiceStreamFolder,
    read_response_identity,
    read_usage,
    sorted_choices,
)
from otel_genai.instrumentation.openai.endpoint import OpenAIOperation
from otel_genai.instrumentation.openai.messages import message_finish_reason
from otel_genai.instrumentation.openai.request_params import read_sampling_parameters, request_params


def _prompt_messages(prompt: Any) -> list[Message]:
    # A prompt is a string or a batch of strings; token-id prompts carry no text to record.
    if isinstance(prompt, str):
        return [Message("user", [text_part(prompt)])]
    return [Message("user", [text_part(p)]) for p in items(prompt) if isinstance(p, str)]


class TextCompletions(OpenAIOperation):
    """The operation of ``completions.create`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return self.endpoints.new_invocation(semconv.OP_TEXT_COMPLETION, instance, kwargs.get("model"))

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        read_sampling_parameters(inv, request_params(kwargs))

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        inv.input_messages = _prompt_messages(kwargs.get("prompt"))

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        read_response_identity(inv, response)
        read_usage(inv, field(response, "usage"))
        choices = sorted_choices(response)
        if choices:
            inv.finish_reasons = [string(field(c, "finish_reason")) or "error" for c in choices]
        if messages:
            inv.output_messages = [
                Message(
                    "assistant",
                    [text_part(string(field(c, "text")) or "")],
                    finish_reason=message_finish_reason(string(field(c, "finish_reason"))),
                )
                for c in choices
            ]

    def stream_folder(self, inv: Invocation, messages: bool) -> ChoiceStreamFolder:
        return ChoiceStreamFolder(inv, CompletionTexts() if messages else None)


class CompletionTexts:
    """The text pieces of a streamed completion's choices."""

    __slots__ = ("texts",)

    def __init__(self) -> None:
        self.texts: dict[int, list[str]] = {}

    def fold(self, index: int, choice: Any) -> None:
        text = string(field(choice, "text"))
        if text:
            self.texts.setdefault(index, []).append(text)

    def message(self, index: int, finish_reason: str | None) -> Message:
        text = "".join(self.texts.get(index, []))
        return Message("assistant", [text_part(text)], finish_reason=message_finish_reason(finish_reason))
