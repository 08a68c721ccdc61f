"""Legacy Completions (``client.completions.create``) -> invocation record (``text_completion``)."""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation, Message, text_part
from otel_genai.core.telemetry import ModelCall
from otel_genai.instrumentation.openai.chat import (
    read_response_identity,
    read_sampling_parameters,
    read_usage,
    request_reader,
)
from otel_genai.instrumentation.openai.endpoint import new_invocation
from otel_genai.instrumentation.openai.fields import field, integer, items, string
from otel_genai.instrumentation.openai.messages import message_finish_reason
from otel_genai.instrumentation.openai.results import deliver


def _prompt_messages(prompt: Any) -> list[Message]:
    # A prompt is a string or a batch of strings; token-id prompts carry no text to record.
    if isinstance(prompt, str):
        return [Message("user", [text_part(prompt)])]
    return [Message("user", [text_part(p)]) for p in items(prompt) if isinstance(p, str)]


class TextCompletions:
    """The adapter of ``completions.create`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        get = request_reader(kwargs)
        inv = new_invocation(semconv.OP_TEXT_COMPLETION, instance, get("model"))
        read_sampling_parameters(inv, get)
        return inv

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        inv.input_messages = _prompt_messages(kwargs.get("prompt"))

    def on_result(self, call: ModelCall, result: Any) -> Any:
        return deliver(call, result, self)

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


class TextChunkFolder:
    """Folds streamed ``text_completion`` chunks into the record."""

    __slots__ = ("call", "texts", "reasons", "usage", "identity_seen", "keep_content")

    def __init__(self, call: ModelCall) -> None:
        self.call = call
        self.texts: dict[int, list[str]] = {}
        self.reasons: dict[int, str | None] = {}
        self.usage: Any = None
        self.identity_seen = False
        self.keep_content = call.wants_content

    @property
    def finished(self) -> bool:
        return bool(self.reasons) and all(r is not None for r in self.reasons.values())

    def fold(self, chunk: Any) -> None:
        if not self.identity_seen:
            read_response_identity(self.call.invocation, chunk)
            self.identity_seen = self.call.invocation.response_id is not None
        usage = field(chunk, "usage")
        if usage is not None:
            self.usage = usage
        for choice in items(field(chunk, "choices")):
            index = integer(field(choice, "index")) or 0
            reason = string(field(choice, "finish_reason"))
            if reason is not None or index not in self.reasons:
                self.reasons[index] = reason
            if self.keep_content:
                text = field(choice, "text")
                if text:
                    self.texts.setdefault(index, []).append(text)

    def finish(self) -> None:
        inv = self.call.invocation
        read_usage(inv, self.usage)
        indexes = sorted(self.reasons)
        if indexes:
            inv.finish_reasons = [self.reasons[i] or "error" for i in indexes]
        if self.keep_content:
            inv.output_messages = [
                Message(
                    "assistant",
                    [text_part("".join(self.texts.get(i, [])))],
                    finish_reason=message_finish_reason(self.reasons[i]),
                )
                for i in indexes
            ]
