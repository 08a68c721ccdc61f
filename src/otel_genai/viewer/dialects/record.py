"""The neutral call record: what the page shows of a GenAI span, whatever dialect it came in.

``CallSummary`` is the part lifted into the store's columns at ingest (so the trace list,
filters, sessions and overview never parse attributes). ``CallRecord`` adds what only the
page's detail view needs; it is derived from the raw attributes and events, never stored
in their place.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NamedTuple

Message = dict[str, Any]
Part = dict[str, Any]


class CallSummary(NamedTuple):
    """The store columns of one GenAI span."""

    operation: str | None
    provider: str | None
    model: str | None
    input_tokens: int | None
    output_tokens: int | None
    cache_read_tokens: int | None
    cache_write_tokens: int | None
    reasoning_tokens: int | None
    conversation_id: str | None


@dataclass
class Conversation:
    """Content in the latest conventions' message/part shape, and where each piece was read."""

    system_instructions: list[Part] = field(default_factory=list)
    input_messages: list[Message] = field(default_factory=list)
    output_messages: list[Message] = field(default_factory=list)
    tool_definitions: list[dict[str, Any]] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def add_source(self, source: str) -> None:
        if source not in self.sources:
            self.sources.append(source)

    def as_json(self) -> dict[str, Any]:
        return {
            "sources": self.sources,
            "system_instructions": self.system_instructions,
            "input_messages": self.input_messages,
            "output_messages": self.output_messages,
            "tool_definitions": self.tool_definitions,
        }


@dataclass
class ToolExecution:
    """What an execute_tool span ran."""

    name: Any
    type: Any
    call_id: Any
    arguments: Any
    result: Any

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "type": self.type, "call_id": self.call_id,
                "arguments": self.arguments, "result": self.result}  # fmt: skip


@dataclass
class CallRecord:
    """One GenAI span as the page shows it."""

    dialect: str
    summary: CallSummary
    request_model: Any = None
    response_model: Any = None
    finish_reasons: list[str] = field(default_factory=list)
    time_to_first_chunk_s: float | None = None
    conversation: Conversation = field(default_factory=Conversation)
    tool: ToolExecution | None = None
    notes: list[str] = field(default_factory=list)
