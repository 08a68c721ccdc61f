"""Chat Completions (``client.chat.completions.create``) -> invocation record."""

from __future__ import annotations

from collections.abc import Callable
from operator import attrgetter
from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import (
    Invocation,
    Message,
    Part,
    ToolDefinition,
    generic_part,
    text_part,
    tool_call_part,
)
from otel_genai.core.telemetry import ModelCall
from otel_genai.instrumentation.openai.endpoint import new_invocation, speaks_openai_flavor
from otel_genai.instrumentation.openai.fields import field, integer, items, number, string, string_list
from otel_genai.instrumentation.openai.messages import (
    input_message,
    message_finish_reason,
    output_message,
    parse_arguments,
    tool_definitions,
)
from otel_genai.instrumentation.openai.results import OpenAIOperation

_OUTPUT_TYPES = {"json_object": "json", "json_schema": "json", "text": "text"}
_API_TYPE_CHAT = "chat_completions"


def output_type(response_format: Any) -> str | None:
    """``gen_ai.output.type`` of a ``response_format``: a dict, or a model class (``parse``)."""
    if response_format is None:
        return None
    if isinstance(response_format, type):
        return "json"
    kind = string(field(response_format, "type"))
    return _OUTPUT_TYPES.get(kind, kind) if kind else None


def _read_fields(obj: Any, getter: attrgetter[Any], names: tuple[str, ...]) -> tuple[Any, ...]:
    """Several fields at once: one C-level read for the client's objects, the defensive
    per-field reader for anything else (a dict from a raw body, a partial object)."""
    try:
        return getter(obj)  # type: ignore[no-any-return]
    except AttributeError:
        return tuple(field(obj, name) for name in names)


_USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "prompt_tokens_details", "completion_tokens_details")
_PROMPT_DETAIL_FIELDS = ("cached_tokens", "audio_tokens")
_COMPLETION_DETAIL_FIELDS = ("reasoning_tokens", "audio_tokens")
_IDENTITY_FIELDS = ("id", "model", "service_tier", "system_fingerprint")
_read_usage_fields = attrgetter(*_USAGE_FIELDS)
_read_prompt_details = attrgetter(*_PROMPT_DETAIL_FIELDS)
_read_completion_details = attrgetter(*_COMPLETION_DETAIL_FIELDS)
_read_identity = attrgetter(*_IDENTITY_FIELDS)
_CHOICES_AND_USAGE = ("choices", "usage")
_read_choices_and_usage = attrgetter(*_CHOICES_AND_USAGE)
_INDEX_AND_REASON = ("index", "finish_reason")
_read_index_and_reason = attrgetter(*_INDEX_AND_REASON)


def read_usage(inv: Invocation, usage: Any) -> None:
    """Chat and legacy-completions usage: prompt/completion tokens and their details."""
    if usage is None:
        return
    prompt, completion, prompt_details, completion_details = _read_fields(usage, _read_usage_fields, _USAGE_FIELDS)
    inv.input_tokens = integer(prompt)
    inv.output_tokens = integer(completion)
    # The detail counts are recorded only when non-zero: a zero says nothing (#548).
    if prompt_details is not None:
        cached, audio = _read_fields(prompt_details, _read_prompt_details, _PROMPT_DETAIL_FIELDS)
        if cached or audio:
            inv.cache_read_input_tokens = integer(cached) or None
            inv.audio_input_tokens = integer(audio) or None
    if completion_details is not None:
        reasoning, audio = _read_fields(completion_details, _read_completion_details, _COMPLETION_DETAIL_FIELDS)
        if reasoning or audio:
            inv.reasoning_output_tokens = integer(reasoning) or None
            inv.audio_output_tokens = integer(audio) or None


def read_response_identity(inv: Invocation, response: Any) -> None:
    """Id, model, service tier and fingerprint: the same fields on responses and chunks."""
    response_id, model, tier, fingerprint = _read_fields(response, _read_identity, _IDENTITY_FIELDS)
    if response_id and type(response_id) is str:
        inv.response_id = response_id
    if model and type(model) is str:
        inv.response_model = model
    if (tier or fingerprint) and speaks_openai_flavor(inv):
        if tier and type(tier) is str:
            inv.provider_attributes[semconv.OPENAI_RESPONSE_SERVICE_TIER] = tier
        if fingerprint and type(fingerprint) is str:
            inv.provider_attributes[semconv.OPENAI_RESPONSE_SYSTEM_FINGERPRINT] = fingerprint


def request_params(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The request's parameters: ``kwargs``, with ``extra_body`` filling the gaps (older
    clients, and OpenAI-compatible servers' own options such as vLLM's ``top_k``, pass
    request parameters there). A parameter given in both is the keyword argument's."""
    extra = kwargs.get("extra_body")
    if not isinstance(extra, dict) or not extra:
        return kwargs
    return {**extra, **{name: value for name, value in kwargs.items() if value is not None}}


# Request parameter -> (record field, reader). Looked up for each argument the caller
# passed, so a call pays for the parameters it sets, not for every one that exists.
_SAMPLING_PARAMETERS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "temperature": ("temperature", number),
    "top_p": ("top_p", number),
    "top_k": ("top_k", integer),
    "max_tokens": ("max_tokens", integer),
    "frequency_penalty": ("frequency_penalty", number),
    "presence_penalty": ("presence_penalty", number),
    "stop": ("stop_sequences", string_list),
    "seed": ("seed", integer),
    "n": ("choice_count", integer),
}


def read_sampling_parameters(inv: Invocation, params: dict[str, Any]) -> None:
    """The generation parameters Chat and legacy Completions share."""
    for name, value in params.items():
        target = _SAMPLING_PARAMETERS.get(name)
        if target is not None:
            setattr(inv, target[0], target[1](value))
    inv.stream = params.get("stream") is True
    # The newer name wins over the deprecated one.
    max_completion_tokens = integer(params.get("max_completion_tokens"))
    if max_completion_tokens:
        inv.max_tokens = max_completion_tokens


class ChatCompletions(OpenAIOperation):
    """The adapter of ``chat.completions.create`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return new_invocation(semconv.OP_CHAT, instance, kwargs.get("model"))

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        params = request_params(kwargs)
        read_sampling_parameters(inv, params)
        inv.output_type = output_type(params.get("response_format"))
        inv.reasoning_level = string(params.get("reasoning_effort"))
        if speaks_openai_flavor(inv):
            inv.provider_attributes[semconv.OPENAI_API_TYPE] = _API_TYPE_CHAT
            tier = string(params.get("service_tier"))
            if tier and tier != "auto":
                inv.provider_attributes[semconv.OPENAI_REQUEST_SERVICE_TIER] = tier

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        inv.input_messages = [input_message(m) for m in items(kwargs.get("messages"))]
        tools: list[ToolDefinition] = tool_definitions(kwargs.get("tools"))
        tools.extend(ToolDefinition("function", string(field(f, "name")) or "") for f in items(kwargs.get("functions")))
        if tools:
            inv.tool_definitions = tools

    def fold_response(self, call: ModelCall, response: Any) -> None:
        inv = call.invocation
        read_response_identity(inv, response)
        choices, usage = _read_fields(response, _read_choices_and_usage, _CHOICES_AND_USAGE)
        if type(choices) is not list:
            choices = items(choices)
        if len(choices) > 1:
            choices = sorted(choices, key=lambda c: integer(field(c, "index")) or 0)
        if choices:
            inv.finish_reasons = [string(field(c, "finish_reason")) or "error" for c in choices]
        read_usage(inv, usage)
        if call.wants_content:
            inv.output_messages = [
                output_message(field(c, "message"), string(field(c, "finish_reason"))) for c in choices
            ]

    def chunk_folder(self, call: ModelCall) -> ChatChunkFolder:
        return ChatChunkFolder(call)


class _ChoiceDraft:
    """One choice being assembled from deltas (content kept only when recorded)."""

    __slots__ = ("role", "text", "refusal", "tool_calls")

    def __init__(self) -> None:
        self.role: str | None = None
        self.text: list[str] = []
        self.refusal: list[str] = []
        self.tool_calls: dict[int, list[Any]] = {}  # index -> [id, name, [argument fragments]]


class ChoiceChunkFolder:
    """What Chat and legacy Completions chunks share: the response's identity and usage ride
    on the chunks, and each choice's pieces and finish reason arrive by index."""

    __slots__ = ("call", "reasons", "usage", "identity_seen", "keep_content")

    def __init__(self, call: ModelCall) -> None:
        self.call = call
        self.reasons: dict[int, str | None] = {}
        self.usage: Any = None
        self.identity_seen = False
        self.keep_content = call.wants_content

    @property
    def finished(self) -> bool:
        return bool(self.reasons) and all(r is not None for r in self.reasons.values())

    def fold(self, chunk: Any) -> None:
        # Until a chunk names the response: Azure opens with a prompt-filter chunk whose
        # id and model are empty.
        if not self.identity_seen:
            read_response_identity(self.call.invocation, chunk)
            self.identity_seen = self.call.invocation.response_id is not None
        # This runs for every chunk. Most chunks only continue a choice already seen: one
        # choice, no finish reason; the client's objects are read directly for them. Their
        # usage is not read: a final count comes on a chunk with no choices or with the
        # finish reason (servers that count on every chunk repeat it there).
        try:
            (choice,) = chunk.choices
            continuing = choice.finish_reason is None and choice.index in self.reasons
        except (AttributeError, TypeError, ValueError):  # several choices, none, a dict, a surprise
            continuing = False
        if continuing:
            if self.keep_content:
                self.fold_content(choice.index, choice)
            return
        usage = field(chunk, "usage")
        if usage is not None:
            self.usage = usage
        choices = field(chunk, "choices")
        if choices:
            self._fold_choices(choices if type(choices) is list else items(choices))

    def _fold_choices(self, choices: list[Any]) -> None:
        reasons = self.reasons
        for choice in choices:
            index, reason = _read_fields(choice, _read_index_and_reason, _INDEX_AND_REASON)
            if type(index) is not int:
                index = integer(index) or 0
            if reason is not None:
                reason = string(reason)
            if reason is not None or index not in reasons:
                reasons[index] = reason
            if self.keep_content:
                self.fold_content(index, choice)

    def fold_content(self, index: int, choice: Any) -> None:
        """Keep the content pieces of one choice (called only when content is recorded)."""

    def finish(self) -> None:
        inv = self.call.invocation
        read_usage(inv, self.usage)
        indexes = sorted(self.reasons)
        if indexes:
            inv.finish_reasons = [self.reasons[i] or "error" for i in indexes]
        if self.keep_content:
            inv.output_messages = [self.message(i) for i in indexes]

    def message(self, index: int) -> Message:
        """The assembled output message of one choice."""
        raise NotImplementedError


class ChatChunkFolder(ChoiceChunkFolder):
    """Folds ``chat.completion.chunk`` objects into the record."""

    __slots__ = ("drafts",)

    def __init__(self, call: ModelCall) -> None:
        super().__init__(call)
        self.drafts: dict[int, _ChoiceDraft] = {}

    def fold_content(self, index: int, choice: Any) -> None:
        draft = self.drafts.get(index)
        if draft is None:
            draft = self.drafts[index] = _ChoiceDraft()
        self._fold_delta(draft, field(choice, "delta"))

    @staticmethod
    def _fold_delta(draft: _ChoiceDraft, delta: Any) -> None:
        if delta is None:
            return
        if type(delta) is dict:  # a raw body
            role, text, refusal, tool_calls = (delta.get(k) for k in ("role", "content", "refusal", "tool_calls"))
        else:  # the client's object: read directly, this runs for every chunk
            role = getattr(delta, "role", None)
            text = getattr(delta, "content", None)
            refusal = getattr(delta, "refusal", None)
            tool_calls = getattr(delta, "tool_calls", None)
        # Only strings are kept: one odd delta must not cost the whole stream's messages.
        if role and type(role) is str:
            draft.role = role
        if text and type(text) is str:
            draft.text.append(text)
        if refusal and type(refusal) is str:
            draft.refusal.append(refusal)
        if tool_calls:
            for call in items(tool_calls):
                ChatChunkFolder._fold_tool_call(draft, call)

    @staticmethod
    def _fold_tool_call(draft: _ChoiceDraft, call: Any) -> None:
        index = integer(field(call, "index")) or 0
        slot = draft.tool_calls.get(index)
        if slot is None:
            slot = draft.tool_calls[index] = [None, None, []]
        call_id = string(field(call, "id"))
        if call_id:
            slot[0] = call_id
        function = field(call, "function")
        name = string(field(function, "name"))
        if name:
            slot[1] = name
        arguments = string(field(function, "arguments"))
        if arguments:
            slot[2].append(arguments)

    def message(self, index: int) -> Message:
        draft = self.drafts.get(index) or _ChoiceDraft()
        parts: list[Part] = []
        if draft.text:
            parts.append(text_part("".join(draft.text)))
        if draft.refusal:
            parts.append(generic_part("refusal", content="".join(draft.refusal)))
        for slot in sorted(draft.tool_calls):
            call_id, name, fragments = draft.tool_calls[slot]
            parts.append(tool_call_part(call_id, name or "", parse_arguments("".join(fragments))))
        return Message(draft.role or "assistant", parts, finish_reason=message_finish_reason(self.reasons[index]))
