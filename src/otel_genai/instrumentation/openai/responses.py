"""The Responses API (``client.responses.create / parse / retrieve``) -> invocation record.

``create`` and ``parse`` are inference calls (operation ``chat``, as the Python reference
reports them; ``openai.api.type=responses``). ``responses.stream(...)`` is covered through
them: the helper calls ``create(stream=True)`` (or ``retrieve(stream=True)``) and wraps the
stream we observe. ``retrieve`` is a ``fetch_response`` call (§1.8): span name
``fetch_response``, no request model, never input messages, no token usage.

Mapping decisions where the conventions are silent (item and part decisions are in
:mod:`~otel_genai.instrumentation.openai.responses_items`):

* **Finish reason** (one per response): ``completed`` -> ``stop``, or ``tool_calls`` when
  the output holds a tool call the application has to run; ``incomplete`` ->
  ``length`` for ``max_output_tokens``, ``content_filter`` for that reason, the reason
  itself for any other, ``error`` when none is given; ``failed`` / ``cancelled`` ->
  ``error``. A response still ``queued`` or ``in_progress`` has no finish reason yet and
  no output message. A stream that ends before its terminal event reports ``error``.
* **Output messages**: all output items of a response form ONE assistant message (the
  conventions want one per choice, and a response is one choice).
* **error.type** of an inference that ``failed`` (a returned response, a
  ``response.failed`` event, or an ``error`` event in a stream): the error's ``code``,
  or ``_OTHER`` when it has none. A *fetch* of a response that failed is a fetch that
  worked: it reports the status (``gen_ai.response.status=failed``, finish reason
  ``error``) but no ``error.type``, unless the fetch itself broke (an ``error`` event).
* **gen_ai.response.status** is recorded on inference spans too: it says why a
  background request (``background=True``) has no finish reason yet.
* **gen_ai.request.stream_cursor**: ``starting_after`` as a string (the attribute is a
  string). The ``responses.stream(response_id=..., starting_after=...)`` helper filters
  events on the client instead of sending the cursor, so there is none to record.
* **gen_ai.response.id** of a fetch comes from ``response_id`` when it is passed by
  keyword, else from what was fetched (the core hands adapters keyword arguments only,
  so a positional id of a failed fetch is not known).
* **Prompt templates**: ``prompt.id`` -> ``gen_ai.prompt.name``, ``prompt.version`` ->
  ``gen_ai.prompt.version``.
* **Usage**: ``cache_write_tokens`` (newer clients) -> ``gen_ai.usage.cache_write.input_tokens``;
  detail counts only when non-zero, as for Chat Completions.
* A fetched response's ``instructions`` and ``tools`` are recorded as system instructions
  and tool definitions (opt-in), which §1.8 allows.
"""

from __future__ import annotations

from typing import Any

from otel_genai import semconv
from otel_genai.core.invocation import Invocation, Message
from otel_genai.instrumentation.fields import field, integer, items, number, string
from otel_genai.instrumentation.openai.choices import read_response_identity
from otel_genai.instrumentation.openai.endpoint import OpenAIOperation, speaks_openai_flavor
from otel_genai.instrumentation.openai.messages import message_finish_reason
from otel_genai.instrumentation.openai.request_params import output_type, request_params
from otel_genai.instrumentation.openai.responses_items import (
    has_pending_tool_calls,
    input_messages,
    instruction_parts,
    output_parts,
    tool_definitions,
)

_API_TYPE_RESPONSES = "responses"
_INCOMPLETE_REASONS = {"max_output_tokens": "length", "content_filter": "content_filter"}
_FAILED = frozenset({"failed", "cancelled"})


def finish_reason(response: Any, output: list[Any]) -> str | None:
    """The finish reason a response's status says, or None while it is not finished."""
    status = string(field(response, "status"))
    if status == "completed":
        return "tool_calls" if has_pending_tool_calls(output) else "stop"
    if status == "incomplete":
        reason = string(field(field(response, "incomplete_details"), "reason"))
        return _INCOMPLETE_REASONS.get(reason, reason) if reason else "error"
    if status in _FAILED:
        return "error"
    return None


def read_usage(inv: Invocation, usage: Any) -> None:
    """Responses usage: input/output tokens and their details (non-zero ones only)."""
    if usage is None:
        return
    inv.input_tokens = integer(field(usage, "input_tokens"))
    inv.output_tokens = integer(field(usage, "output_tokens"))
    input_details = field(usage, "input_tokens_details")
    inv.cache_read_input_tokens = integer(field(input_details, "cached_tokens")) or None
    inv.cache_write_input_tokens = integer(field(input_details, "cache_write_tokens")) or None
    inv.reasoning_output_tokens = integer(field(field(usage, "output_tokens_details"), "reasoning_tokens")) or None


def failure_code(error: Any) -> str:
    """``error.type`` of a failed response or an ``error`` event: its code, else ``_OTHER``."""
    return string(field(error, "code")) or semconv.ERROR_TYPE_OTHER


def fold_response_object(
    inv: Invocation, response: Any, *, fetch: bool, messages: bool, output: list[Any] | None = None
) -> None:
    """Everything a Response object says, into the record.

    ``output`` replaces the response's own output items when the caller assembled them
    (a stream whose terminal event carries none).
    """
    read_response_identity(inv, response)
    status = string(field(response, "status"))
    if status:
        inv.response_status = status
    if output is None:
        output = items(field(response, "output"))
    reason = finish_reason(response, output)
    if reason is not None:
        inv.finish_reasons = [reason]
    # context_management compaction: the server replaced earlier turns with a compaction item.
    if any(field(item, "type") == "compaction" for item in output):
        inv.conversation_compacted = True
    if not fetch:  # the conventions keep token usage off fetch_response (§1.2)
        read_usage(inv, field(response, "usage"))
        if status in _FAILED:
            inv.error_type = failure_code(field(response, "error"))
    if not messages:
        return
    if reason is not None:
        inv.output_messages = [Message("assistant", output_parts(output), finish_reason=message_finish_reason(reason))]
    if fetch:
        inv.system_instructions = instruction_parts(field(response, "instructions")) or None
        inv.tool_definitions = tool_definitions(field(response, "tools")) or None


class Responses(OpenAIOperation):
    """The operation of ``responses.create`` and ``responses.parse`` (sync and async)."""

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        return self.endpoints.new_invocation(semconv.OP_CHAT, instance, request_params(kwargs).get("model"))

    def request_parameters(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        get = request_params(kwargs).get
        inv.stream = get("stream") is True
        inv.temperature = number(get("temperature"))
        inv.top_p = number(get("top_p"))
        inv.max_tokens = integer(get("max_output_tokens"))
        inv.reasoning_level = string(field(get("reasoning"), "effort"))
        inv.previous_response_id = string(get("previous_response_id"))
        conversation = get("conversation")
        # The request's own conversation, else the one the application named (otel_genai.conversation).
        inv.conversation_id = string(conversation) or string(field(conversation, "id")) or inv.conversation_id
        # parse(text_format=Model) builds text.format itself; a class means a JSON schema.
        inv.output_type = "json" if isinstance(get("text_format"), type) else output_type(field(get("text"), "format"))
        prompt = get("prompt")
        inv.prompt_name = string(field(prompt, "id"))
        if inv.prompt_name:
            inv.prompt_version = string(field(prompt, "version"))
        if speaks_openai_flavor(inv):
            inv.provider_attributes[semconv.OPENAI_API_TYPE] = _API_TYPE_RESPONSES
            tier = string(get("service_tier"))
            if tier and tier != "auto":
                inv.provider_attributes[semconv.OPENAI_REQUEST_SERVICE_TIER] = tier

    def request_content(self, inv: Invocation, kwargs: dict[str, Any]) -> None:
        get = request_params(kwargs).get
        inv.system_instructions = instruction_parts(get("instructions")) or None
        inv.input_messages = input_messages(get("input")) or None
        inv.tool_definitions = tool_definitions(get("tools")) or None

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        fold_response_object(inv, response, fetch=False, messages=messages)

    def stream_folder(self, inv: Invocation, messages: bool) -> ResponsesEventFolder:
        return ResponsesEventFolder(inv, fetch=False, messages=messages)


class ResponsesRetrieve(OpenAIOperation):
    """The operation of ``responses.retrieve``: a ``fetch_response`` call (sync and async).

    A fetch sends no messages: what it fetched is read from the response.
    """

    def invocation(self, instance: Any, args: tuple[Any, ...], kwargs: dict[str, Any]) -> Invocation:
        # A GET: extra parameters travel in the query string, not the body.
        extra = kwargs.get("extra_query")
        extra = extra if isinstance(extra, dict) else {}
        inv = self.endpoints.new_invocation(semconv.OP_FETCH_RESPONSE, instance, None)
        inv.request_model = None  # the span is named "fetch_response", whatever the deployment
        # The id is the one parameter callers pass positionally: retrieve("resp_...").
        inv.response_id = string(kwargs.get("response_id")) or (string(args[0]) if args else None)
        inv.stream = kwargs.get("stream") is True
        cursor = kwargs.get("starting_after")
        if integer(cursor) is None:
            cursor = extra.get("starting_after")
        if integer(cursor) is not None or string(cursor):
            inv.stream_cursor = str(cursor)
        if speaks_openai_flavor(inv):
            inv.provider_attributes[semconv.OPENAI_API_TYPE] = _API_TYPE_RESPONSES
        return inv

    def fold_response(self, inv: Invocation, response: Any, messages: bool) -> None:
        fold_response_object(inv, response, fetch=True, messages=messages)

    def stream_folder(self, inv: Invocation, messages: bool) -> ResponsesEventFolder:
        return ResponsesEventFolder(inv, fetch=True, messages=messages)


_OPENING_EVENTS = frozenset({"response.created", "response.queued", "response.in_progress"})
_TERMINAL_EVENTS = frozenset({"response.completed", "response.incomplete", "response.failed"})
# Events read without content capture; None is an older client's untyped error event.
_WATCHED_EVENTS = _OPENING_EVENTS | _TERMINAL_EVENTS | {"error", None}
# Deltas kept for an item still in flight when the stream ends: event -> what they extend.
_DELTA_EVENTS = {
    "response.output_text.delta": "text",
    "response.refusal.delta": "refusal",
    "response.function_call_arguments.delta": "arguments",
    "response.reasoning_summary_text.delta": "summary",
}


class ResponsesEventFolder:
    """Folds the events of a streamed response (``create`` or ``retrieve``) into the record.

    The terminal event (``response.completed`` / ``incomplete`` / ``failed``) carries the
    whole response, status, usage and every output item, so it is folded with the same
    code as a response that was not streamed; without content capture, the opening and
    terminal events are all that is read. With content capture, finished output items
    and the deltas of unfinished ones are kept too, for a stream that ends early.
    """

    __slots__ = ("inv", "fetch", "messages", "final", "any_event", "identity_seen", "error", "items", "fragments")

    def __init__(self, inv: Invocation, *, fetch: bool, messages: bool) -> None:
        self.inv = inv
        self.fetch = fetch
        self.messages = messages
        self.final: Any = None  # the response of the terminal event
        self.any_event = False
        self.identity_seen = False
        self.error: Any = None  # an "error" event: the stream itself broke
        self.items: dict[int, tuple[Any, bool]] = {}  # output_index -> (item, done)
        self.fragments: dict[tuple[int, str], list[str]] = {}

    @property
    def finished(self) -> bool:
        return self.final is not None or self.error is not None

    def fold(self, event: Any) -> None:
        # Most events are deltas, which without content end here.
        self.any_event = True
        kind = field(event, "type")
        if kind in _WATCHED_EVENTS:
            self._fold_watched(kind, event)
        elif self.messages:
            self._fold_content(kind, event)

    def _fold_watched(self, kind: Any, event: Any) -> None:
        if kind in _TERMINAL_EVENTS:
            self.final = field(event, "response")
        elif kind in _OPENING_EVENTS:
            if not self.identity_seen:
                read_response_identity(self.inv, field(event, "response"))
                self.identity_seen = True
        elif kind == "error":
            self.error = event
        elif field(event, "event") == "error":
            # Older clients (1.66) type only response.* events: this one comes as {event, data}.
            self.error = field(event, "data")
        elif self.messages:
            self._fold_content(kind, event)

    def _fold_content(self, kind: Any, event: Any) -> None:
        index = integer(field(event, "output_index")) or 0
        if kind == "response.output_item.added":
            self.items[index] = (field(event, "item"), False)
        elif kind == "response.output_item.done":
            self.items[index] = (field(event, "item"), True)
        else:
            slot = _DELTA_EVENTS.get(kind)
            delta = string(field(event, "delta")) if slot is not None else None
            if delta:
                self.fragments.setdefault((index, slot), []).append(delta)  # type: ignore[arg-type]

    def finish(self) -> None:
        inv = self.inv
        assembled = self._assembled() if self.messages else None
        if self.final is not None:
            # A failed response may carry no output; then what streamed is the output.
            own = items(field(self.final, "output"))
            fold_response_object(
                inv,
                self.final,
                fetch=self.fetch,
                messages=self.messages,
                output=assembled if assembled and not own else None,
            )
        elif self.any_event:
            # The stream ended before its last word: a generation with no finish reason (#363).
            inv.finish_reasons = ["error"]
            if assembled is not None:
                inv.output_messages = [Message("assistant", output_parts(assembled), finish_reason="error")]
        if self.error is not None and inv.error_type is None:
            inv.error_type = failure_code(self.error)

    def _assembled(self) -> list[Any]:
        return [item if done else self._in_flight(index, item) for index, (item, done) in sorted(self.items.items())]

    def _in_flight(self, index: int, item: Any) -> Any:
        """An unfinished item rebuilt from its deltas, in the shape of a finished one."""

        def joined(slot: str) -> str:
            return "".join(self.fragments.get((index, slot), ()))

        kind = field(item, "type")
        if kind == "message":
            content = []
            if joined("text"):
                content.append({"type": "output_text", "text": joined("text")})
            if joined("refusal"):
                content.append({"type": "refusal", "refusal": joined("refusal")})
            return {"type": "message", "role": "assistant", "content": content}
        if kind == "function_call":
            return {
                "type": "function_call",
                "call_id": field(item, "call_id"),
                "name": field(item, "name"),
                "arguments": joined("arguments"),
            }
        if kind == "reasoning":
            summary = joined("summary")
            return {"type": "reasoning", "summary": [{"type": "summary_text", "text": summary}] if summary else []}
        return item
