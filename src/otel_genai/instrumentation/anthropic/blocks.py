"""Anthropic content blocks, system prompts and tools -> neutral messages and parts (§4).

The same blocks come in requests (dicts) and responses (the client's models), so one
translator reads both.
"""

from __future__ import annotations

import json
from typing import Any

from otel_genai.core.invocation import (
    Message,
    Part,
    ToolDefinition,
    blob_part,
    file_part,
    generic_part,
    reasoning_part,
    text_part,
    tool_call_part,
    tool_call_response_part,
    uri_part,
)
from otel_genai.instrumentation.fields import field, items, string

# stop_reason -> the conventions' finish reason inside an output message (§4.3). The span's
# gen_ai.response.finish_reasons keep Anthropic's own values.
_MESSAGE_FINISH_REASONS = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_call",
    "refusal": "content_filter",
}

# A provider-run tool's call: Anthropic runs these tools (web search, code execution, MCP).
_SERVER_TOOL_CALLS = frozenset({"server_tool_use", "mcp_tool_use"})


def message_finish_reason(stop_reason: str | None) -> str | None:
    if stop_reason is None:
        return None
    return _MESSAGE_FINISH_REASONS.get(stop_reason, stop_reason)


def parse_json(text: str) -> Any:
    """Streamed tool input (JSON text) as an object; unparseable text as given."""
    if not text:
        return {}
    try:
        return json.loads(text)
    except ValueError:
        return text


def _source_part(modality: str, source: Any) -> Part:
    kind = string(field(source, "type"))
    mime = string(field(source, "media_type"))
    if kind == "base64":
        return blob_part(modality, string(field(source, "data")) or "", mime)
    if kind == "url":
        return uri_part(modality, string(field(source, "url")) or "", mime)
    if kind == "file":
        return file_part(modality, string(field(source, "file_id")) or "", mime)
    if kind == "text":  # a plain-text document
        return text_part(string(field(source, "data")) or "")
    if kind == "content":  # a document made of blocks: their text
        texts = [string(field(b, "text")) or "" for b in items(field(source, "content"))]
        return text_part("".join(texts))
    return generic_part(kind or "unknown")


def _dump(value: Any) -> Any:
    """A block's payload as plain data (a model's own dump, a dict or list as is)."""
    dump = getattr(value, "model_dump", None)
    if callable(dump):
        try:
            return dump(mode="json", exclude_none=True)
        except Exception:  # noqa: BLE001 - a model we cannot dump: its text form
            return str(value)
    if isinstance(value, (list, tuple)):
        return [_dump(v) for v in value]
    return value


def _tool_result_content(content: Any) -> Any:
    if isinstance(content, str):
        return content
    texts = [string(field(b, "text")) for b in items(content)]
    if texts and all(t is not None for t in texts):
        return "".join(t for t in texts if t)
    return _dump(content)


def block_part(block: Any) -> Part:
    """One content block as a part."""
    kind = string(field(block, "type")) or "unknown"
    call_id = string(field(block, "id"))
    result_of = string(field(block, "tool_use_id"))
    if kind == "text":
        return text_part(string(field(block, "text")) or "")
    if kind == "image":
        return _source_part("image", field(block, "source"))
    if kind == "document":
        return _source_part("document", field(block, "source"))
    if kind == "tool_use":
        return tool_call_part(call_id, string(field(block, "name")) or "", _dump(field(block, "input")))
    if kind == "tool_result":
        part = tool_call_response_part(result_of, _tool_result_content(field(block, "content")))
        if field(block, "is_error") is True:
            part["is_error"] = True
        return part
    if kind == "thinking":
        return reasoning_part(string(field(block, "thinking")) or "")
    if kind == "redacted_thinking":
        # Encrypted reasoning: that it was there is recorded, never its data.
        return {**reasoning_part(""), "redacted": True}
    if kind in _SERVER_TOOL_CALLS:
        return server_tool_call_part(call_id, string(field(block, "name")) or "", kind, field(block, "input"))
    if kind.endswith("_tool_result"):
        return server_tool_response_part(result_of, kind, field(block, "content"))
    return generic_part(kind)


def server_tool_call_part(call_id: str | None, name: str, kind: str, tool_input: Any) -> Part:
    call: dict[str, Any] = {"type": name if kind == "server_tool_use" else kind, "input": _dump(tool_input)}
    return {"type": "server_tool_call", "id": call_id, "name": name, "server_tool_call": call}


def server_tool_response_part(call_id: str | None, kind: str, content: Any) -> Part:
    response = {"type": kind, "content": _dump(content)}
    return {"type": "server_tool_call_response", "id": call_id, "server_tool_call_response": response}


def content_parts(content: Any) -> list[Part]:
    """A message's ``content``: a string or a list of blocks."""
    if isinstance(content, str):
        return [text_part(content)]
    return [block_part(b) for b in items(content)]


def input_message(message: Any) -> Message:
    # Tool results travel in user messages: the role is kept as sent, the parts say what they are.
    return Message(string(field(message, "role")) or "user", content_parts(field(message, "content")))


def system_instructions(system: Any) -> list[Part] | None:
    """``system``: a string or text blocks (§4.1: instructions given apart from the history)."""
    if isinstance(system, str):
        return [text_part(system)] if system else None
    parts = [text_part(string(field(b, "text")) or "") for b in items(system)]
    return parts or None


def tool_definitions(tools: Any) -> list[ToolDefinition]:
    """Client tools are ``function``; Anthropic's own tools keep their type (``web_search_20250305``)."""
    definitions = []
    for tool in items(tools):
        kind = string(field(tool, "type"))
        definitions.append(
            ToolDefinition(
                "function" if kind in (None, "custom") else kind,
                string(field(tool, "name")) or "",
                description=string(field(tool, "description")),
                parameters=field(tool, "input_schema"),
            )
        )
    return definitions


def output_message(content: Any, stop_reason: str | None) -> Message:
    return Message("assistant", content_parts(content), finish_reason=message_finish_reason(stop_reason))
