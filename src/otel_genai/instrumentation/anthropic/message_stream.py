"""A streamed Messages response (server-sent events) folded into the same record as a plain one.

``message_start`` carries the id, model and first usage; ``content_block_start`` /
``_delta`` / ``_stop`` build each content block by index; ``message_delta`` carries the
stop reason and the cumulative usage; ``message_stop`` is the last word.
"""

from __future__ import annotations

from typing import Any

from otel_genai.core.invocation import Invocation, Message, Part, reasoning_part, text_part, tool_call_part
from otel_genai.instrumentation.anthropic.blocks import (
    block_part,
    message_finish_reason,
    parse_json,
    server_tool_call_part,
)
from otel_genai.instrumentation.anthropic.response import read_identity, read_usage
from otel_genai.instrumentation.fields import field, integer, string

_TOOL_CALLS = frozenset({"tool_use", "server_tool_use", "mcp_tool_use"})


class _BlockDraft:
    """One content block being assembled: its start, then its text or JSON in fragments."""

    __slots__ = ("start", "kind", "pieces")

    def __init__(self, start: Any) -> None:
        self.start = start
        self.kind = string(field(start, "type")) or "unknown"
        self.pieces: list[str] = []

    def part(self) -> Part:
        if self.kind == "text":
            return text_part((string(field(self.start, "text")) or "") + "".join(self.pieces))
        if self.kind == "thinking":
            return reasoning_part((string(field(self.start, "thinking")) or "") + "".join(self.pieces))
        if self.kind in _TOOL_CALLS:
            call_id = string(field(self.start, "id"))
            name = string(field(self.start, "name")) or ""
            arguments = parse_json("".join(self.pieces)) if self.pieces else field(self.start, "input")
            if self.kind == "tool_use":
                return tool_call_part(call_id, name, arguments)
            return server_tool_call_part(call_id, name, self.kind, arguments)
        return block_part(self.start)  # complete in its start: results, redacted thinking


class MessageStreamFolder:
    """Folds one Messages stream's events into its record."""

    __slots__ = ("inv", "messages", "blocks", "stop_reason", "done")

    def __init__(self, inv: Invocation, messages: bool) -> None:
        self.inv = inv
        self.messages = messages
        self.blocks: dict[int, _BlockDraft] = {}
        self.stop_reason: str | None = None
        self.done = False

    def fold(self, event: Any) -> None:
        kind = field(event, "type")
        if kind == "content_block_delta":
            if self.messages:
                self._fold_delta(event)
        elif kind == "message_start":
            message = field(event, "message")
            read_identity(self.inv, message)
            read_usage(self.inv, field(message, "usage"))
        elif kind == "content_block_start":
            if self.messages:
                index = integer(field(event, "index")) or 0
                self.blocks[index] = _BlockDraft(field(event, "content_block"))
        elif kind == "message_delta":
            self.stop_reason = string(field(field(event, "delta"), "stop_reason")) or self.stop_reason
            read_usage(self.inv, field(event, "usage"))
        elif kind == "message_stop":
            self.done = True

    def _fold_delta(self, event: Any) -> None:
        draft = self.blocks.get(integer(field(event, "index")) or 0)
        if draft is None:
            return
        delta = field(event, "delta")
        delta_kind = field(delta, "type")
        if delta_kind == "text_delta":
            piece = string(field(delta, "text"))
        elif delta_kind == "input_json_delta":
            piece = string(field(delta, "partial_json"))
        elif delta_kind == "thinking_delta":
            piece = string(field(delta, "thinking"))
        else:  # signatures and citations are not content
            return
        if piece:
            draft.pieces.append(piece)

    @property
    def finished(self) -> bool:
        return self.done

    def finish(self) -> None:
        if self.stop_reason:
            self.inv.finish_reasons = [self.stop_reason]
        if self.messages and (self.blocks or self.stop_reason):
            parts = [self.blocks[i].part() for i in sorted(self.blocks)]
            # A generation that started but never said why it ended ended in an error (§8).
            finish_reason = message_finish_reason(self.stop_reason) or "error"
            self.inv.output_messages = [Message("assistant", parts, finish_reason=finish_reason)]
