"""What Chat Completions and legacy Completions responses share: identity, usage, and
streams whose choices arrive piece by piece, by index."""

from __future__ import annotations

from typing import Any, Protocol

from otel_genai import semconv
from otel_genai.core.invocation import Invocation, Message
from otel_genai.instrumentation.fields import field, integer, items, string
from otel_genai.instrumentation.openai.endpoint import speaks_openai_flavor


def read_response_identity(inv: Invocation, response: Any) -> None:
    """Id, model, service tier and fingerprint: the same fields on responses, chunks and
    Responses API objects."""
    response_id = string(field(response, "id"))
    if response_id:
        inv.response_id = response_id
    model = string(field(response, "model"))
    if model:
        inv.response_model = model
    if speaks_openai_flavor(inv):
        tier = string(field(response, "service_tier"))
        if tier:
            # A metric attribute too: it says which capacity served the call.
            inv.provider_metric_attributes[semconv.OPENAI_RESPONSE_SERVICE_TIER] = tier
        fingerprint = string(field(response, "system_fingerprint"))
        if fingerprint:
            inv.provider_attributes[semconv.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def read_usage(inv: Invocation, usage: Any) -> None:
    """Chat and legacy-completions usage: prompt/completion tokens and their details."""
    if usage is None:
        return
    inv.input_tokens = integer(field(usage, "prompt_tokens"))
    inv.output_tokens = integer(field(usage, "completion_tokens"))
    # The detail counts are recorded only when non-zero: a zero says nothing (#548).
    prompt_details = field(usage, "prompt_tokens_details")
    inv.cache_read_input_tokens = integer(field(prompt_details, "cached_tokens")) or None
    inv.audio_input_tokens = integer(field(prompt_details, "audio_tokens")) or None
    completion_details = field(usage, "completion_tokens_details")
    inv.reasoning_output_tokens = integer(field(completion_details, "reasoning_tokens")) or None
    inv.audio_output_tokens = integer(field(completion_details, "audio_tokens")) or None


def sorted_choices(response: Any) -> list[Any]:
    """A response's choices in index order."""
    return sorted(items(field(response, "choices")), key=lambda c: integer(field(c, "index")) or 0)


class ChoiceContent(Protocol):
    """The content pieces of a stream's choices, kept when messages are read."""

    def fold(self, index: int, choice: Any) -> None: ...

    def message(self, index: int, finish_reason: str | None) -> Message: ...


class ChoiceStreamFolder:
    """Folds the chunks of a Chat or legacy Completions stream into the record.

    The response's identity and usage ride on the chunks; each choice's pieces and finish
    reason arrive by index.
    """

    __slots__ = ("inv", "content", "reasons", "usage", "identity_seen")

    def __init__(self, inv: Invocation, content: ChoiceContent | None) -> None:
        self.inv = inv
        self.content = content
        self.reasons: dict[int, str | None] = {}
        self.usage: Any = None
        self.identity_seen = False

    @property
    def finished(self) -> bool:
        return bool(self.reasons) and all(r is not None for r in self.reasons.values())

    def fold(self, chunk: Any) -> None:
        # Until a chunk names the response: Azure opens with a prompt-filter chunk whose
        # id and model are empty.
        if not self.identity_seen:
            read_response_identity(self.inv, chunk)
            self.identity_seen = self.inv.response_id is not None
        # This runs for every chunk: the client's chunk objects are read with plain attribute
        # reads (a chunk fold cost 8,100 instructions through the defensive readers, 4,200
        # so; callgrind). A raw body (a dict) is read as a dict; anything else that lacks
        # these attributes stops the folding, never the stream.
        if type(chunk) is dict:
            usage, choices = chunk.get("usage"), chunk.get("choices")
        else:  # an older client's chunk may have no usage field
            usage, choices = getattr(chunk, "usage", None), chunk.choices
        if usage is not None:
            self.usage = usage
        if type(choices) is not list:
            return
        for choice in choices:
            if type(choice) is dict:
                index, reason = choice.get("index"), choice.get("finish_reason")
            else:
                index, reason = choice.index, choice.finish_reason
            if type(index) is not int:
                index = 0
            if type(reason) is not str:
                reason = None
            # A later chunk without a reason (Azure's annotations) keeps the one given.
            if reason is not None or index not in self.reasons:
                self.reasons[index] = reason
            if self.content is not None:
                self.content.fold(index, choice)

    def finish(self) -> None:
        inv = self.inv
        read_usage(inv, self.usage)
        indexes = sorted(self.reasons)
        if indexes:
            inv.finish_reasons = [self.reasons[i] or "error" for i in indexes]
        if self.content is not None:
            inv.output_messages = [self.content.message(i, self.reasons[i]) for i in indexes]
