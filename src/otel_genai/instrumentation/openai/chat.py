"""Chat Completions (``client.chat.completions.create`` / ``parse``) -> invocation record."""

from __future__ import annotations

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
from otel_genai.instrumentation.fields import field, integer, items, string
from otel_genai.instrumentation.openai.choices import (
    ChoiceStreamFolder,
    read_response_identity,
    read_usage,
    sorted_choices,
)
from otel_genai.instrumentation.openai.endpoint import OpenAIOperation, speaks_openai_flavor
from otel_genai.instrumentation.openai.messages import (
    input_message,
    message_finish_reason,
    output_message,
    parse_arguments,
    tool_definitions,
)
from otel_genai.instrumentation.openai.request_params import output_type, read_sampling_parameters, request_params

_API_TYPE_CHAT = "chat_completions"


class ChatCompletions(OpenAIOperation):
    """The operation of ``chat.completions.create`` and ``parse`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return self.endpoints.new_invocation(semconv.OP_CHAT, instance, kwargs.get("model"))

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

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        read_response_identity(inv, response)
        read_usage(inv, field(response, "usage"))
        choices = sorted_choices(response)
        if choices:
            inv.finish_reasons = [string(field(c, "finish_reason")) or "error" for c in choices]
        if messages:
            inv.output_messages = [
                output_message(field(c, "message"), string(field(c, "finish_reason"))) for c in choices
            ]

    def stream_folder(self, inv: Invocation, messages: bool) -> ChoiceStreamFolder:
        return ChoiceStreamFolder(inv, ChatDeltas() if messages else None)


class _ChoiceDraft:
    """One choice being assembled from deltas."""

    __slots__ = ("role", "text", "refusal", "tool_calls")

    def __init__(self) -> None:
        self.role: str | None = None
        self.text: list[str] = []
        self.refusal: list[str] = []
        self.tool_calls: dict[int, _ToolCallDraft] = {}


class _ToolCallDraft:
    """One tool call being assembled: its id and name come once, its arguments in fragments."""

    __slots__ = ("call_id", "name", "arguments")

    def __init__(self) -> None:
        self.call_id: str | None = None
        self.name: str | None = None
        self.arguments: list[str] = []


class ChatDeltas:
    """The deltas of a chat stream's choices, assembled into output messages."""

    __slots__ = ("drafts",)

    def __init__(self) -> None:
        self.drafts: dict[int, _ChoiceDraft] = {}

    def fold(self, index: int, choice: Any) -> None:
        delta = field(choice, "delta")
        if delta is None:
            return
        draft = self.drafts.get(index)
        if draft is None:
            draft = self.drafts[index] = _ChoiceDraft()
        # Only strings are kept: one odd delta must not cost the whole stream's messages.
        role = string(field(delta, "role"))
        if role:
            draft.role = role
        text = string(field(delta, "content"))
        if text:
            draft.text.append(text)
        refusal = string(field(delta, "refusal"))
        if refusal:
            draft.refusal.append(refusal)
        for call in items(field(delta, "tool_calls")):
            self._fold_tool_call(draft, call)

    @staticmethod
    def _fold_tool_call(draft: _ChoiceDraft, call: Any) -> None:
        index = integer(field(call, "index")) or 0
        slot = draft.tool_calls.get(index)
        if slot is None:
            slot = draft.tool_calls[index] = _ToolCallDraft()
        slot.call_id = string(field(call, "id")) or slot.call_id
        function = field(call, "function")
        slot.name = string(field(function, "name")) or slot.name
        arguments = string(field(function, "arguments"))
        if arguments:
            slot.arguments.append(arguments)

    def message(self, index: int, finish_reason: str | None) -> Message:
        draft = self.drafts.get(index) or _ChoiceDraft()
        parts: list[Part] = []
        if draft.text:
            parts.append(text_part("".join(draft.text)))
        if draft.refusal:
            parts.append(generic_part("refusal", content="".join(draft.refusal)))
        for position in sorted(draft.tool_calls):
            call = draft.tool_calls[position]
            parts.append(tool_call_part(call.call_id, call.name or "", parse_arguments("".join(call.arguments))))
        return Message(draft.role or "assistant", parts, finish_reason=message_finish_reason(finish_reason))
